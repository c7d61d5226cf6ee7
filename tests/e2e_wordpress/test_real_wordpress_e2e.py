"""Real WordPress -> raw -> bronze -> silver -> gold on the emulator, then a second day.

Day 1: the first run fetches every dataset in full (nothing in raw yet). Day 2: the site records
new page views (new rows for the new day, more views on rows of the day before); the run fetches
statistics only from day 2 minus the 2-day lookback, and silver merges that increment into day 1's
snapshot. Every expected number is computed here with SQL on the site's database, never from
the pipeline's code. Day 3, twice, fails at the raw step and must leave earlier raw objects and
silver exactly as they were: the site without WP Statistics, then a rejected application password.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pyarrow.parquet as pq
import pytest
from run_schedule import follow

from tests.e2e.conftest import AppliedEnv, store_site_credentials
from tests.e2e.test_pipeline_e2e import _drain, _inbox

pytestmark = [pytest.mark.emulator, pytest.mark.e2e, pytest.mark.wordpress]

SOURCE = "wordpress_api"
EXPORTED = "p.post_status = 'publish' AND p.post_type IN ('post', 'page')"
DAY1 = dt.datetime.now(dt.timezone.utc).date()
DAY2 = DAY1 + dt.timedelta(days=1)
DAY3 = DAY2 + dt.timedelta(days=1)
WRONG_PASSWORD = "wrongpass0 0000 0000 0000"


def sql_int(site: Any, statement: str) -> int:
    return int(site.sql(statement).strip() or 0)


def expected(site: Any) -> dict[str, Any]:
    """What every layer must hold, from the site's tables and the plugin's documented rules."""
    gold_where = (
        "FROM wp_statistics_pages s JOIN wp_posts p ON p.ID = s.id AND s.type = 'post' "
        "WHERE p.post_type = 'post' AND p.post_status = 'publish'"
    )
    return {
        "rows": {
            "posts": sql_int(site, f"SELECT COUNT(*) FROM wp_posts p WHERE {EXPORTED}"),
            "statistics_pages": sql_int(site, "SELECT COUNT(*) FROM wp_statistics_pages"),
            "term_relationships": sql_int(
                site,
                "SELECT COUNT(*) FROM wp_term_relationships r JOIN wp_posts p ON p.ID = r.object_id "
                f"WHERE {EXPORTED}",
            ),
            "term_taxonomy": sql_int(site, "SELECT COUNT(*) FROM wp_term_taxonomy"),
            "terms": sql_int(site, "SELECT COUNT(*) FROM wp_terms"),
        },
        "views": sql_int(site, "SELECT SUM(count) FROM wp_statistics_pages"),
        "gold_rows": sql_int(site, f"SELECT COUNT(*) {gold_where}"),
        "gold_views": sql_int(site, f"SELECT SUM(s.count) {gold_where}"),
    }


def objects(applied: AppliedEnv, layer: str, prefix: str) -> dict[str, bytes]:
    s3, bucket = applied.emulator.client("s3"), applied.output("storage_bucket_names")[layer]
    found = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            found[item["Key"]] = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
    return found


def parquet_rows(applied: AppliedEnv, layer: str, prefix: str) -> list[dict[str, Any]]:
    rows = []
    for key, body in objects(applied, layer, prefix).items():
        if key.endswith(".parquet"):
            rows += pq.read_table(io.BytesIO(body)).to_pylist()
    return rows


def run_day(applied: AppliedEnv, day: dt.date) -> dict[str, Any]:
    sfn = applied.emulator.client("stepfunctions")
    started = sfn.start_execution(
        stateMachineArn=applied.output("pipeline_workflow_arn"),
        input=json.dumps({"ingest_date": day.isoformat()}),
    )
    return follow(sfn, started["executionArn"], lambda *_: None, 0.5, 900.0)


def layer_counts(applied: AppliedEnv, day: dt.date) -> dict[str, Any]:
    raw = {
        dataset: sum(
            len(json.loads(body))
            for key, body in objects(applied, "raw", f"{SOURCE}/{dataset}/ingest_date={day}/").items()
        )
        for dataset in ("posts", "statistics_pages", "term_relationships", "term_taxonomy", "terms")
    }
    bronze = {d: len(parquet_rows(applied, "bronze", f"{SOURCE}/{d}/ingest_date={day}/")) for d in raw}
    silver = {d: parquet_rows(applied, "silver", f"{SOURCE}/{d}/") for d in raw}
    gold = parquet_rows(applied, "gold", f"{SOURCE}/statistics_postname/")
    return {"raw": raw, "bronze": bronze, "silver": silver, "gold": gold}


@pytest.fixture(scope="module")
def days(applied_real_env: AppliedEnv, site: Any) -> dict[str, Any]:
    first = run_day(applied_real_env, DAY1)
    day1 = {"execution": first, "expected": expected(site), "layers": layer_counts(applied_real_env, DAY1)}
    # The next day: new rows for day 2, more views on day 1's rows (WP Statistics adds to the day's row).
    site.record_statistics(DAY1, DAY2, seed=11)
    window_rows = sql_int(
        site, f"SELECT COUNT(*) FROM wp_statistics_pages WHERE date >= '{DAY2 - dt.timedelta(days=2)}'"
    )
    second = run_day(applied_real_env, DAY2)
    day2 = {
        "execution": second,
        "expected": expected(site),
        "window_rows": window_rows,
        "layers": layer_counts(applied_real_env, DAY2),
    }
    return {"day1": day1, "day2": day2, "failures": failure_scenes(applied_real_env, site)}


def etags(applied: AppliedEnv, layer: str) -> dict[str, str]:
    s3, bucket = applied.emulator.client("s3"), applied.output("storage_bucket_names")[layer]
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=f"{SOURCE}/")
    return {item["Key"]: item["ETag"] for page in pages for item in page.get("Contents", [])}


def failure_scenes(applied: AppliedEnv, site: Any) -> dict[str, Any]:
    """Day 3 twice: WP Statistics gone, then a rejected password; what each run left behind."""
    inbox = _inbox(applied, "failure_topic_arn", "e2e-wp-failure-inbox")
    before = {"raw": etags(applied, "raw"), "silver": etags(applied, "silver")}
    scenes: dict[str, Any] = {"before": before}
    site.sql("RENAME TABLE wp_statistics_pages TO wp_statistics_pages_away")
    try:
        scenes["no_statistics"] = {"execution": run_day(applied, DAY3), "notes": _drain(applied, inbox)}
    finally:
        site.sql("RENAME TABLE wp_statistics_pages_away TO wp_statistics_pages")
    scenes["no_statistics"]["after"] = {"raw": etags(applied, "raw"), "silver": etags(applied, "silver")}
    secret = applied.output("pipeline_credentials_secret_arn")
    exporter = site.user("exporter")
    store_site_credentials(applied.emulator, secret, exporter["login"], WRONG_PASSWORD)
    try:
        scenes["rejected"] = {"execution": run_day(applied, DAY3), "notes": _drain(applied, inbox)}
    finally:
        store_site_credentials(applied.emulator, secret, exporter["login"], exporter["application_password"])
    scenes["rejected"]["after"] = {"raw": etags(applied, "raw"), "silver": etags(applied, "silver")}
    return scenes


def test_day1_full_fetch_lands_exactly_in_every_layer(days):
    day = days["day1"]
    assert day["execution"]["status"] == "SUCCEEDED", day["execution"].get("cause")
    want, layers = day["expected"], day["layers"]
    assert want["rows"]["posts"] >= 30 and want["rows"]["statistics_pages"] > 0
    assert layers["raw"] == want["rows"]
    assert layers["bronze"] == want["rows"]
    assert {d: len(rows) for d, rows in layers["silver"].items()} == want["rows"]
    assert sum(row["count"] for row in layers["silver"]["statistics_pages"]) == want["views"]
    assert len(layers["gold"]) == want["gold_rows"] > 0
    assert sum(row["statistics_count"] for row in layers["gold"]) == want["gold_views"]


def test_day1_silver_never_holds_a_post_password_or_non_public_post(days, site):
    posts = days["day1"]["layers"]["silver"]["posts"]
    assert {row["post_status"] for row in posts} == {"publish"}
    assert "post_password" not in posts[0]
    titles = {row["post_title"] for row in posts}
    assert {"Tom & Jerry\u2019s \u201cbig\u201d day out", "\u6771\u4eac\u306e\u591c \U0001f303"} <= titles
    assert "Private notes" not in titles and "Draft: ideas & plans" not in titles


def test_day2_fetches_only_the_window_and_merges_it(days):
    day = days["day2"]
    assert day["execution"]["status"] == "SUCCEEDED", day["execution"].get("cause")
    want, layers = day["expected"], day["layers"]
    # Raw and bronze of day 2 hold only the statistics window (day 2 minus 2 days) ...
    assert layers["raw"]["statistics_pages"] == layers["bronze"]["statistics_pages"] == day["window_rows"]
    assert day["window_rows"] < want["rows"]["statistics_pages"]
    # ... the small datasets stay full snapshots ...
    assert {d: n for d, n in layers["raw"].items() if d != "statistics_pages"} == {
        d: n for d, n in want["rows"].items() if d != "statistics_pages"
    }
    # ... and silver is the whole table again: day 1's snapshot merged with the increment by key.
    stats = layers["silver"]["statistics_pages"]
    assert (
        len(stats) == want["rows"]["statistics_pages"] > days["day1"]["expected"]["rows"]["statistics_pages"]
    )
    assert sum(row["count"] for row in stats) == want["views"]
    assert len({row["page_id"] for row in stats}) == len(stats)
    assert {row["ingest_date"] for row in stats} == {DAY1.isoformat(), DAY2.isoformat()}
    assert len(layers["gold"]) == want["gold_rows"]
    assert sum(row["statistics_count"] for row in layers["gold"]) == want["gold_views"]


def _messages(scene: dict[str, Any]) -> list[str]:
    return [note.get("Subject", "") + "\n" + note["Message"] for note in scene["notes"]]


def _unchanged(before: dict[str, dict[str, str]], after: dict[str, dict[str, str]]) -> None:
    assert after["silver"] == before["silver"]
    # Raw is append-only history: every earlier object is still there, byte for byte.
    assert {key: after["raw"].get(key) for key in before["raw"]} == before["raw"]


def test_without_wp_statistics_the_run_fails_clearly_and_keeps_the_data(days, site):
    scene, before = days["failures"]["no_statistics"], days["failures"]["before"]
    assert scene["execution"]["status"] == "FAILED"
    raw_notes = [m for m in _messages(scene) if m.startswith("raw_wordpress_api failed")]
    assert len(raw_notes) == 1, _messages(scene)
    assert "statistics_pages" in raw_notes[0] and f"http://127.0.0.1:{site.port}" in raw_notes[0]
    assert "has no WP Statistics (501)" in raw_notes[0]
    assert any("RawIngest" in m for m in _messages(scene))  # the workflow names the step
    _unchanged(before, scene["after"])


def test_rejected_password_fails_clearly_without_leaking_it(days, site):
    scene, before = days["failures"]["rejected"], days["failures"]["before"]
    assert scene["execution"]["status"] == "FAILED"
    raw_notes = [m for m in _messages(scene) if m.startswith("raw_wordpress_api failed")]
    assert len(raw_notes) == 1, _messages(scene)
    assert f"credentials rejected by http://127.0.0.1:{site.port} (401)" in raw_notes[0]
    everything = "\n".join(_messages(scene)) + json.dumps(scene["execution"], default=str)
    assert (
        WRONG_PASSWORD not in everything and site.user("exporter")["application_password"] not in everything
    )
    _unchanged(before, scene["after"])
