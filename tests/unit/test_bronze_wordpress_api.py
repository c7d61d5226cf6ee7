"""Bronze Lambda against in-process moto, with awswrangler reading and writing for real."""

import dataclasses
import datetime as dt
import json
import time

import awswrangler as wr
import pytest
from bronze_load import handler as bronze_handler
from fixtures_wordpress_bronze import (
    CONTRACT,
    DATE,
    ENVIRON,
    ROOT,
    WORDPRESS_DATASETS,
    bronze_key,
    etags,
    put_fixture,
    put_raw,
    read_bronze,
    run,
    settings,
)
from raw_ingest import handler as raw_ingest

from lakehouse_common import bronze, raw_http


def test_happy_path_writes_each_dataset_with_exact_rows_and_types(lambda_aws, wordpress_small):
    put_fixture(lambda_aws)

    summary = run(lambda_aws)

    assert summary["failed"] == {} and summary["ingest_date"] == DATE
    assert sorted(etags(lambda_aws, lambda_aws.bronze_bucket)) == sorted(map(bronze_key, WORDPRESS_DATASETS))
    for dataset in WORDPRESS_DATASETS:
        assert read_bronze(lambda_aws, dataset) == wordpress_small[dataset]
        assert summary["datasets"][dataset] == {
            "objects": 1,
            "rows": len(wordpress_small[dataset]),
            "columns": len(CONTRACT.dataset(dataset).columns),
            "path": f"s3://{lambda_aws.bronze_bucket}/wordpress_api/{dataset}/ingest_date={DATE}/",
            "key": f"s3://{lambda_aws.bronze_bucket}/{bronze_key(dataset)}",
            "raw_key": f"wordpress_api/{dataset}/ingest_date={DATE}/run-1.json",
            "raw_objects": 1,
            "raw_runs": 1,
        }
    schema, _partitions = wr.s3.read_parquet_metadata(
        f"s3://{lambda_aws.bronze_bucket}/{bronze_key('posts')}"
    )
    assert schema["ID"] == "bigint" and schema["post_title"] == "string" and schema["post_date"] == "string"
    # HTML entities are silver's business: bronze keeps the text exactly as WordPress sent it.
    titles = [row["post_title"] for row in read_bronze(lambda_aws, "posts")]
    assert any("&amp;" in t for t in titles) and any("&#8217;" in t for t in titles)
    assert lambda_aws.notifications() == []
    json.dumps(summary)


def test_running_twice_leaves_the_same_objects_and_data(lambda_aws, wordpress_small):
    put_fixture(lambda_aws)
    run(lambda_aws)
    first = etags(lambda_aws, lambda_aws.bronze_bucket)

    run(lambda_aws)

    assert etags(lambda_aws, lambda_aws.bronze_bucket) == first  # same keys, same bytes
    assert read_bronze(lambda_aws, "terms") == wordpress_small["terms"]


def test_uses_the_newest_raw_run_of_the_date(lambda_aws, wordpress_small):
    put_raw(lambda_aws, "terms", json.dumps(wordpress_small["terms"]), run_id="zz-older")
    time.sleep(0.01)  # LastModified decides, not the run id's sort order
    put_raw(lambda_aws, "terms", json.dumps(wordpress_small["terms"][:3]), run_id="aa-newer")

    summary = run(lambda_aws, datasets=["terms"])

    assert read_bronze(lambda_aws, "terms") == wordpress_small["terms"][:3]
    assert summary["datasets"]["terms"]["raw_key"].endswith("/aa-newer.json")
    assert summary["datasets"]["terms"]["raw_runs"] == 2


def test_choose_newest_orders_same_second_runs_by_ingested_at_then_key():
    same, earlier = dt.datetime(2025, 10, 31, 7), dt.datetime(2025, 10, 31, 6)
    runs = [
        {"LastModified": same, "Key": "a"},
        {"LastModified": same, "Key": "b"},
        {"LastModified": earlier, "Key": "z"},
    ]
    assert bronze.same_second_ties(runs) == ["a", "b"]
    assert bronze.choose_newest(runs) == "b"
    stamps = {"a": "2025-10-31T07:00:00.900000+00:00", "b": "2025-10-31T07:00:00.100000+00:00"}
    assert bronze.choose_newest(runs, stamps) == "a"
    assert bronze.same_second_ties(runs[1:]) == []


def test_replaces_only_its_own_partition(lambda_aws, wordpress_small):
    put_fixture(lambda_aws, date="2025-10-30")
    run(lambda_aws, date="2025-10-30", datasets=["terms"])
    other_day = etags(lambda_aws, lambda_aws.bronze_bucket)
    stale = f"wordpress_api/terms/ingest_date={DATE}/part-00000-old.snappy.parquet"
    lambda_aws.s3.put_object(Bucket=lambda_aws.bronze_bucket, Key=stale, Body=b"old layout")
    put_raw(lambda_aws, "terms", json.dumps(wordpress_small["terms"][:2]))

    run(lambda_aws, datasets=["terms"])

    now = etags(lambda_aws, lambda_aws.bronze_bucket)
    assert sorted(now) == sorted([*other_day, bronze_key("terms")])
    assert all(now[key] == etag for key, etag in other_day.items())
    assert read_bronze(lambda_aws, "terms") == wordpress_small["terms"][:2]


def _bad(rows_or_body):
    return rows_or_body if isinstance(rows_or_body, bytes) else json.dumps(rows_or_body).encode()


# Two small datasets keep the many bad-input cases fast; one fails, the other must still load.
SMALL = ("term_taxonomy", "terms")
TERM = {"term_id": 1, "name": "A &amp; B", "slug": "a-b", "term_group": 0}


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"[]", "has no rows"),
        (b'[{"term_id": 1, "name": "x"', r"is not a JSON array of objects \(ValueError"),
        (b'{"code": "rest_forbidden", "message": "no"}', "is not a JSON array of objects"),
        (b'[{"term_id": 1}, 5]', "is not a JSON array of objects"),
        (
            _bad([{k: v for k, v in TERM.items() if k != "slug"}]),
            r"missing expected column\(s\) \['slug'\]",
        ),
        (
            _bad([TERM, {**TERM, "term_id": "two"}]),
            r"column term_id must hold whole numbers; rows \[1\] hold \['two'\]",
        ),
        (
            _bad([TERM, {**TERM, "term_id": 2.5}]),
            r"column term_id must hold whole numbers; rows \[1\] hold \[2.5\]",
        ),
        (_bad([TERM, {**TERM, "term_id": True}]), "column term_id must hold whole numbers"),
        (
            _bad([TERM, {**TERM, "term_id": 2, "name": 7}]),
            r"column name must hold text; rows \[1\] hold \[7\]",
        ),
        (_bad([TERM, {**TERM, "term_id": None}]), r"key column\(s\) \['term_id'\] are empty in rows \[1\]"),
        (
            _bad([TERM, {**TERM, "slug": "other"}]),
            r'2 rows share a key \[\'term_id\'\] but differ; .*\[\{"term_id": 1\}\]',
        ),
    ],
    ids=[
        "empty-array",
        "invalid-json",
        "object-not-array",
        "non-object-row",
        "missing-column",
        "text-in-int-column",
        "fraction-in-int-column",
        "bool-in-int-column",
        "number-in-text-column",
        "null-key",
        "duplicate-key",
    ],
)
def test_bad_raw_data_fails_clearly_and_keeps_the_previous_partition(
    lambda_aws, wordpress_small, body, reason
):
    put_fixture(lambda_aws)
    run(lambda_aws, datasets=SMALL)
    before = etags(lambda_aws, lambda_aws.bronze_bucket)
    time.sleep(0.01)
    bad_key = put_raw(lambda_aws, "terms", body, run_id="run-2")

    with pytest.raises(
        bronze.BronzeLoadError,
        match=rf"1 of 2 datasets failed: terms: s3://lake-test-raw/{bad_key}: {reason}",
    ):
        run(lambda_aws, datasets=SMALL)

    assert etags(lambda_aws, lambda_aws.bronze_bucket) == before
    assert read_bronze(lambda_aws, "terms") == wordpress_small["terms"]
    [note] = lambda_aws.notifications()
    assert note["Subject"] == "bronze_wordpress_api failed: terms"
    assert f"- terms: s3://lake-test-raw/{bad_key}: " in note["Message"]


def test_malformed_dates_are_rejected(lambda_aws, wordpress_small):
    rows = [dict(row) for row in wordpress_small["statistics_pages"][:3]]
    rows[2]["date"] = "31/10/2025"
    key = put_raw(lambda_aws, "statistics_pages", json.dumps(rows))

    with pytest.raises(bronze.BronzeLoadError, match=rf"{key}: column date must hold YYYY-MM-DD; rows \[2\]"):
        run(lambda_aws, datasets=["statistics_pages"])
    assert etags(lambda_aws, lambda_aws.bronze_bucket) == {}


def test_missing_raw_data_for_the_date_is_reported(lambda_aws):
    put_fixture(lambda_aws, date="2025-10-30")

    with pytest.raises(
        bronze.BronzeLoadError, match=r"5 of 5 datasets failed: posts: no raw object under s3://"
    ):
        run(lambda_aws)
    assert "did the raw stage run for 2025-10-31?" in lambda_aws.notifications()[0]["Message"]


def test_other_datasets_are_still_loaded_when_one_fails(lambda_aws, wordpress_small):
    put_fixture(lambda_aws)
    put_raw(lambda_aws, "posts", b"[]", run_id="run-9")

    with pytest.raises(bronze.BronzeLoadError, match=r"posts: .*has no rows"):
        run(lambda_aws)

    assert sorted(etags(lambda_aws, lambda_aws.bronze_bucket)) == sorted(
        bronze_key(d) for d in WORDPRESS_DATASETS if d != "posts"
    )


def test_handler_reads_its_environment(lambda_aws, wordpress_small, monkeypatch):
    put_fixture(lambda_aws)
    monkeypatch.setenv("SOURCE_NAME", "wordpress_api")
    monkeypatch.setenv("LAKEHOUSE_SOURCES_DIR", str(ROOT / "sources"))
    monkeypatch.setenv("RAW_BUCKET", lambda_aws.raw_bucket)
    monkeypatch.setenv("BRONZE_BUCKET", lambda_aws.bronze_bucket)
    monkeypatch.setenv("DATASETS", "terms, term_taxonomy")
    monkeypatch.setenv("FAILURE_TOPIC_ARN", lambda_aws.topic_arn)

    summary = bronze_handler.handler({"ingest_date": DATE}, None)

    assert sorted(summary["datasets"]) == ["term_taxonomy", "terms"]
    assert read_bronze(lambda_aws, "term_taxonomy") == wordpress_small["term_taxonomy"]


def test_unknown_dataset_setting_is_named():
    environ = {**ENVIRON, "DATASETS": "posts,comments"}
    with pytest.raises(
        ValueError, match=r"DATASETS names unknown dataset\(s\) \['comments'\]; .*contract.json"
    ):
        bronze_handler.load_settings(environ)


def test_bad_event_date_is_reported(lambda_aws):
    with pytest.raises(bronze.BronzeLoadError, match=r"configuration: .*ingest_date must be YYYY-MM-DD"):
        bronze.run(
            {"ingest_date": "yesterday"}, settings(lambda_aws), wr=wr, s3=lambda_aws.s3, sns=lambda_aws.sns
        )
    assert lambda_aws.notifications()[0]["Subject"] == "bronze_wordpress_api failed: configuration"


def test_loads_what_the_raw_lambda_wrote(lambda_aws, wordpress_api, wordpress_small):
    # Raw stores paged datasets re-serialised and single pages byte for byte: bronze reads both.
    parameter = "/lake-test/wordpress/endpoints"
    lambda_aws.ssm.put_parameter(
        Name=parameter, Value=json.dumps(wordpress_api.endpoints(per_page=100)), Type="String"
    )
    raw_settings = raw_ingest.Settings(
        CONTRACT, lambda_aws.raw_bucket, CONTRACT.dataset_names, endpoints_parameter=parameter
    )
    clients = {"ssm": lambda_aws.ssm, "s3": lambda_aws.s3, "sns": lambda_aws.sns}
    raw_ingest.run(
        {"ingest_date": DATE, "run_id": "exec-1"},
        raw_settings,
        http=raw_http.build_http(5.0, 0, 0.1),
        **clients,
    )

    summary = run(lambda_aws)

    assert {name: info["rows"] for name, info in summary["datasets"].items()} == {
        name: len(rows) for name, rows in wordpress_api.site.items()
    }
    assert read_bronze(lambda_aws, "statistics_pages") == wordpress_small["statistics_pages"]
    assert read_bronze(lambda_aws, "posts") == wordpress_api.site["posts"]


def test_unexpected_write_error_still_loads_the_others(lambda_aws, wordpress_small):
    put_fixture(lambda_aws)
    # A nested object in an extra column passes the contract but pyarrow cannot write it mixed.
    rows = [
        dict(row, extra={"a": 1}) if i == 0 else dict(row, extra="text")
        for i, row in enumerate(wordpress_small["terms"])
    ]
    put_raw(lambda_aws, "terms", json.dumps(rows), run_id="run-2")

    with pytest.raises(bronze.BronzeLoadError, match=r"1 of 2 datasets failed: terms: unexpected Arrow"):
        run(lambda_aws, datasets=SMALL)

    assert sorted(etags(lambda_aws, lambda_aws.bronze_bucket)) == [bronze_key("term_taxonomy")]
    assert "terms: unexpected Arrow" in lambda_aws.notifications()[0]["Message"]


def test_empty_incremental_window_gives_an_empty_typed_partition(lambda_aws):
    put_raw(lambda_aws, "statistics_pages", b"[]")
    put_raw(lambda_aws, "terms", b"[]")
    config = dataclasses.replace(
        settings(lambda_aws, ["statistics_pages", "terms"]), incremental_datasets=("statistics_pages",)
    )
    with pytest.raises(bronze.BronzeLoadError, match=r"terms: .*has no rows"):
        bronze.run({"ingest_date": DATE}, config, wr=wr, s3=lambda_aws.s3, sns=lambda_aws.sns)
    frame = wr.s3.read_parquet(f"s3://{lambda_aws.bronze_bucket}/{bronze_key('statistics_pages')}")
    assert len(frame) == 0
    assert list(frame.columns) == list(CONTRACT.dataset("statistics_pages").column_names)
    assert str(frame["page_id"].dtype) == "Int64" and str(frame["uri"].dtype) == "string"
    assert bronze_handler.load_settings(
        {**ENVIRON, "INCREMENTAL_DATASETS": "statistics_pages"}
    ).incremental_datasets == ("statistics_pages",)


def test_an_exact_duplicate_row_is_dropped_and_logged(lambda_aws, wordpress_small, caplog):
    rows = wordpress_small["terms"]
    put_raw(lambda_aws, "terms", json.dumps([*rows, rows[3]]))

    summary = run(lambda_aws, datasets=["terms"])

    assert summary["datasets"]["terms"]["rows"] == len(rows)
    assert read_bronze(lambda_aws, "terms") == rows
    assert "dropped 1 exact duplicate row(s) (rows [" in caplog.text
