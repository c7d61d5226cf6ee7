"""Real WordPress -> raw -> bronze -> silver -> gold on the emulator, then a second day.

Day 1: the first run fetches every dataset in full (nothing in raw yet). Day 2: the site records
new page views (new rows for the new day, more views on rows of the day before); the run fetches
statistics only from day 2 minus the 2-day lookback, and silver merges that increment into day 1's
snapshot. Every expected number is computed here with SQL on the site's database, never from
the pipeline's code. Day 3, twice, fails at the raw step and must leave earlier raw objects and
silver exactly as they were: the site without WP Statistics, then a rejected application password.
Then, through a fault-injecting proxy in front of the site (tests/e2e_wordpress/fault_proxy.py) or
with the site's own answers: the site down, 503 (retried), a site that hangs (timeouts, retried),
403 (a user without the capability), an HTML maintenance page instead of JSON, and rows added
while paging. Each must fail the
execution, send one raw notification naming the dataset and URL (never a password), and leave
silver and every earlier raw object as they were.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pyarrow.parquet as pq
import pytest
from notifications import Inbox
from run_schedule import follow
from wordpress_local.site import free_port

from tests.e2e.conftest import AppliedEnv, store_site_credentials
from tests.e2e_wordpress.fault_proxy import Fault, FaultProxy

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
    failures = failure_scenes(applied_real_env, site)
    return {"day1": day1, "day2": day2, "failures": failures, "faults": fault_scenes(applied_real_env, site)}


def etags(applied: AppliedEnv, layer: str) -> dict[str, str]:
    s3, bucket = applied.emulator.client("s3"), applied.output("storage_bucket_names")[layer]
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=f"{SOURCE}/")
    return {item["Key"]: item["ETag"] for page in pages for item in page.get("Contents", [])}


def failure_scenes(applied: AppliedEnv, site: Any) -> dict[str, Any]:
    """Day 3 twice: WP Statistics gone, then a rejected password; what each run left behind."""
    inbox = applied.inbox("failure_topic_arn", "e2e-wp-failure-inbox")
    before = {"raw": etags(applied, "raw"), "silver": etags(applied, "silver")}
    scenes: dict[str, Any] = {"before": before}
    site.sql("RENAME TABLE wp_statistics_pages TO wp_statistics_pages_away")
    try:
        scenes["no_statistics"] = {"execution": run_day(applied, DAY3), "notes": inbox.drain(long_poll=1)}
    finally:
        site.sql("RENAME TABLE wp_statistics_pages_away TO wp_statistics_pages")
    scenes["no_statistics"]["after"] = {"raw": etags(applied, "raw"), "silver": etags(applied, "silver")}
    secret = applied.output("pipeline_credentials_secret_arn")
    exporter = site.user("exporter")
    store_site_credentials(applied.emulator, secret, exporter["login"], WRONG_PASSWORD)
    try:
        scenes["rejected"] = {"execution": run_day(applied, DAY3), "notes": inbox.drain(long_poll=1)}
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


DATASETS = ["posts", "statistics_pages", "term_relationships", "term_taxonomy", "terms"]
# The raw function's default HTTP_MAX_RETRIES: a 5xx page is asked for once plus this many times.
RAW_RETRIES = 3


def set_endpoints(applied: AppliedEnv, endpoints: dict[str, str]) -> None:
    ssm = applied.emulator.client("ssm")
    name = applied.output("pipeline_parameter_names")["endpoints"]
    kind = ssm.get_parameter(Name=name)["Parameter"]["Type"]
    ssm.put_parameter(Name=name, Value=json.dumps(endpoints), Type=kind, Overwrite=True)


def fault_scene(applied: AppliedEnv, inbox: Inbox, endpoints: dict[str, str] | None) -> dict[str, Any]:
    """Run day 3 with `endpoints` (None: as deployed), then restore them; what it left behind."""
    ssm = applied.emulator.client("ssm")
    name = applied.output("pipeline_parameter_names")["endpoints"]
    deployed = json.loads(ssm.get_parameter(Name=name)["Parameter"]["Value"])
    before = {"raw": etags(applied, "raw"), "silver": etags(applied, "silver")}
    if endpoints is not None:
        set_endpoints(applied, endpoints)
    try:
        execution = run_day(applied, DAY3)
    finally:
        set_endpoints(applied, deployed)
    after = {"raw": etags(applied, "raw"), "silver": etags(applied, "silver")}
    return {"execution": execution, "notes": inbox.drain(long_poll=1), "before": before, "after": after}


def fault_scenes(applied: AppliedEnv, site: Any) -> dict[str, Any]:
    inbox = applied.inbox("failure_topic_arn", "e2e-wp-fault-inbox")
    scenes: dict[str, Any] = {}
    down = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    scenes["down"] = fault_scene(
        applied, inbox, {d: f"{down}/wp-json/lakehouse/v1/{d}?per_page=100" for d in DATASETS}
    )
    scenes["down"]["url"] = down
    with FaultProxy(site.url) as proxy:
        proxy.faults["statistics_pages"] = Fault(status=503)
        scenes["unavailable"] = fault_scene(applied, inbox, proxy.endpoints(DATASETS))
        scenes["unavailable"].update(url=proxy.url, requests=len(proxy.requests_for("statistics_pages")))
    with FaultProxy(site.url) as proxy:
        # Longer than the function's 30 s HTTP timeout on every attempt: the site hangs.
        proxy.faults["terms"] = Fault(delay=200.0)
        scenes["timeout"] = fault_scene(applied, inbox, proxy.endpoints(DATASETS))
        scenes["timeout"].update(url=proxy.url, requests=len(proxy.requests_for("terms")))
    with FaultProxy(site.url) as proxy:
        proxy.faults["posts"] = Fault(html=True)
        scenes["html"] = fault_scene(applied, inbox, proxy.endpoints(DATASETS))
        scenes["html"]["url"] = proxy.url
    secret = applied.output("pipeline_credentials_secret_arn")
    author, exporter = site.user("author"), site.user("exporter")
    store_site_credentials(applied.emulator, secret, author["login"], author["application_password"])
    try:
        scenes["forbidden"] = fault_scene(applied, inbox, None)
    finally:
        store_site_credentials(applied.emulator, secret, exporter["login"], exporter["application_password"])
    scenes["added_while_paging"] = added_while_paging(applied, site, inbox)
    return scenes


def added_while_paging(applied: AppliedEnv, site: Any, inbox: Inbox) -> dict[str, Any]:
    """Pages of 10; after each dataset's first page the site gains a row: a term relationship of a
    published post (a route paged by number: must fail) and a statistics row of day 3 (paged by
    key: must come out whole, every row once)."""
    pair = site.sql(
        "SELECT p.ID, tt.term_taxonomy_id FROM wp_posts p JOIN wp_term_taxonomy tt "
        f"WHERE {EXPORTED} AND NOT EXISTS (SELECT 1 FROM wp_term_relationships r "
        "WHERE r.object_id = p.ID AND r.term_taxonomy_id = tt.term_taxonomy_id) LIMIT 1"
    ).split()
    relationship = f"object_id = {pair[0]} AND term_taxonomy_id = {pair[1]}"
    window = DAY3 - dt.timedelta(days=2)
    try:
        with FaultProxy(site.url) as proxy:
            proxy.faults["term_relationships"] = Fault(
                after_first=lambda: site.sql(
                    "INSERT INTO wp_term_relationships (object_id, term_taxonomy_id, term_order)"
                    f" VALUES ({pair[0]}, {pair[1]}, 0)"
                )
            )
            proxy.faults["statistics_pages"] = Fault(
                after_first=lambda: site.sql(
                    "INSERT INTO wp_statistics_pages (uri, type, date, count, id)"
                    f" VALUES ('/added-while-paging/', 'page', '{DAY3}', 1, 0)"
                )
            )
            scene = fault_scene(applied, inbox, proxy.endpoints(DATASETS, per_page=10))
            scene["url"] = proxy.url
        scene["window_ids"] = [
            int(v)
            for v in site.sql(
                f"SELECT page_id FROM wp_statistics_pages WHERE date >= '{window}' ORDER BY page_id"
            ).split()
        ]
        prefix = f"{SOURCE}/statistics_pages/ingest_date={DAY3}/{scene['execution']['name']}"
        scene["raw_statistics"] = [
            row["page_id"] for body in objects(applied, "raw", prefix).values() for row in json.loads(body)
        ]
    finally:
        site.sql(f"DELETE FROM wp_term_relationships WHERE {relationship}")
        site.sql("DELETE FROM wp_statistics_pages WHERE uri = '/added-while-paging/'")
    return scene


def _one_raw_note(scene: dict[str, Any], site: Any) -> str:
    """The raw function's single notification; no password in any message or the execution."""
    assert scene["execution"]["status"] == "FAILED"
    raw_notes = [m for m in _messages(scene) if m.startswith("raw_wordpress_api failed")]
    assert len(raw_notes) == 1, _messages(scene)
    assert len(_messages(scene)) == 2 and any("RawIngest" in m for m in _messages(scene))
    everything = "\n".join(_messages(scene)) + json.dumps(scene["execution"], default=str)
    for user in ("exporter", "author"):
        assert site.user(user)["application_password"] not in everything
    _unchanged(scene["before"], scene["after"])
    return raw_notes[0]


def test_site_down_is_retried_then_named_once(days, site):
    scene = days["faults"]["down"]
    note = _one_raw_note(scene, site)
    assert all(f"endpoint {d} ({scene['url']}/wp-json/lakehouse/v1/{d}" in note for d in DATASETS)
    assert "failed after retries" in note


def test_5xx_is_retried_then_named_once(days, site):
    scene = days["faults"]["unavailable"]
    note = _one_raw_note(scene, site)
    assert f"endpoint statistics_pages ({scene['url']}/wp-json/lakehouse/v1/statistics_pages" in note
    assert "failed after retries" in note and "- posts:" not in note
    assert scene["requests"] == 1 + RAW_RETRIES


def test_a_hanging_site_times_out_and_is_named_once_before_lambda_gives_up(days, site):
    scene = days["faults"]["timeout"]
    # The function itself notified (it was not killed by Lambda's 120 s timeout first) ...
    note = _one_raw_note(scene, site)
    assert f"endpoint terms ({scene['url']}/wp-json/lakehouse/v1/terms" in note and "timed out" in note
    # ... after retrying, with attempts cut to fit the invocation (4 configured; 30 s each).
    assert 2 <= scene["requests"] <= 1 + RAW_RETRIES


def test_html_instead_of_json_is_named_once(days, site):
    scene = days["faults"]["html"]
    note = _one_raw_note(scene, site)
    assert f"endpoint posts ({scene['url']}/wp-json/lakehouse/v1/posts" in note
    assert "returned an HTML page instead of JSON" in note


def test_user_without_the_capability_is_named_once(days, site):
    scene = days["faults"]["forbidden"]
    note = _one_raw_note(scene, site)
    assert f"user lacks the lakehouse_export capability on http://127.0.0.1:{site.port} (403)" in note


def test_rows_added_while_paging(days, site):
    scene = days["faults"]["added_while_paging"]
    note = _one_raw_note(scene, site)
    # Paged by number: the shifted offsets are caught and the run fails ...
    assert f"endpoint term_relationships ({scene['url']}" in note and "changed while paging" in note
    assert "- statistics_pages:" not in note
    # ... paged by key: the new row is simply the last one, nothing repeated or skipped.
    assert scene["raw_statistics"] == scene["window_ids"] and len(scene["window_ids"]) > 10
