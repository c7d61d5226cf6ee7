"""Silver job on the WordPress source: the generic engine with sources/wordpress_api/contract.json
gives exactly the silver WordPress always had. Pure transform on the sample site, bad input rules,
and the job (write-audit-publish) on moto S3/SNS.

Runs on Python 3.9 too (tools/py39_check.sh runs this file there), so: no pyspark, no 3.10+ syntax.
"""

import datetime as dt
import html
import json
import logging
import re
from typing import Any, Dict, List

import awswrangler as wr
import pandas as pd
import pytest
from fixtures_glue import GLUE_REGION, SOURCES_DIR, WORDPRESS, bronze_frame, run_silver, write_bronze
from glue_testing import assert_pandas_rows, compare_rows

from lakehouse_common import layout, silver_job
from lakehouse_common.contract import SOURCES_DIR_ENV, ContractError
from lakehouse_common.silver_job import SilverPublishResult, SilverRunResult, athena_column_types
from lakehouse_common.silver_transform import SilverInputError, decode_html, transform_dataset
from lakehouse_common.write_audit_publish import (
    CandidateRecord,
    Manifest,
    SilverJobError,
    SilverPublishError,
    candidate_table_input,
    manifest_json,
    parse_manifest,
    select_candidates,
)

POSTS_OBJECT = "s3://lake-test-bronze/wordpress_api/posts/ingest_date=2025-10-31/"
STATS_OBJECT = "s3://lake-test-bronze/wordpress_api/statistics_pages/ingest_date=2025-10-31/"
MANIFEST_KEY = "_candidate/wordpress_api/_manifest.json"
MANIFEST_URI = f"s3://lake-test-silver/{MANIFEST_KEY}"


def transform(frame: pd.DataFrame, dataset: str, object_name: str) -> pd.DataFrame:
    return transform_dataset(frame, WORDPRESS.dataset(dataset), object_name)


def silver_columns(dataset: str) -> List[str]:
    return list(WORDPRESS.dataset(dataset).silver_columns())


# ---- an independent oracle: the expected silver rows, in plain Python ---------------------


def _split(name: str, text: str, fmt: str) -> Dict[str, Any]:
    moment = dt.datetime.strptime(text, fmt)
    return {
        f"{name}_todate": moment,
        f"{name}_year": moment.year,
        f"{name}_month": moment.month,
        f"{name}_day": moment.day,
    }


def expected_silver(dataset: str, rows: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    out = []
    for row in rows:
        if dataset == "posts":
            item = {k: row[k] for k in ("ID", "post_status", "post_parent", "post_type")}
            item["post_title"] = html.unescape(row["post_title"])
            item.update(_split("post_date", row["post_date"], "%Y-%m-%d %H:%M:%S"))
            item.update(_split("post_modified", row["post_modified"], "%Y-%m-%d %H:%M:%S"))
        elif dataset == "statistics_pages":
            item = {k: row[k] for k in ("page_id", "uri", "type", "count", "id")}
            item.update(_split("date", row["date"], "%Y-%m-%d"))
        elif dataset == "term_relationships":
            item = {k: row[k] for k in ("object_id", "term_taxonomy_id")}
        elif dataset == "term_taxonomy":
            item = {k: row[k] for k in ("term_taxonomy_id", "term_id", "taxonomy", "parent", "count")}
            item["description"] = html.unescape(row["description"])
        else:
            item = {k: row[k] for k in ("term_id", "slug", "term_group")}
            item["name"] = html.unescape(row["name"])
        out.append(item)
    return out


# ---- pure transform --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "dataset", ["posts", "statistics_pages", "term_relationships", "term_taxonomy", "terms"]
)
def test_transform_sample_site_matches_oracle(dataset, small_site):
    rows = small_site[dataset]
    result = transform(bronze_frame(dataset, rows), dataset, f"bronze {dataset}")
    assert list(result.columns) == silver_columns(dataset)
    assert len(result) == len(rows)
    assert_pandas_rows(result, expected_silver(dataset, rows))


def test_transform_exact_rows_for_entities_and_dropped_columns(small_site):
    terms = transform(bronze_frame("terms", small_site["terms"]), "terms", "bronze terms")
    by_id = terms.set_index("term_id")["name"].to_dict()
    assert by_id[2] == "Data & Analytics"
    assert by_id[14] == "Reader\u2019s Questions"  # &#8217; — numeric entities too, not only &amp;
    assert by_id[15] == '"Quick Wins"'  # &quot;
    assert list(terms.columns) == ["term_id", "name", "slug", "term_group"]

    posts = transform(bronze_frame("posts", small_site["posts"]), "posts", "bronze posts")
    assert posts.iloc[1].to_dict() == {
        "ID": 2,
        "post_title": "Contact & Socials",
        "post_status": "publish",
        "post_parent": 0,
        "post_type": "page",
        "post_date_todate": pd.Timestamp("2025-03-07 14:11:15"),
        "post_date_year": 2025,
        "post_date_month": 3,
        "post_date_day": 7,
        "post_modified_todate": pd.Timestamp("2025-03-07 14:11:15"),
        "post_modified_year": 2025,
        "post_modified_month": 3,
        "post_modified_day": 7,
    }
    # The contract's silver.order keeps the column order silver posts always had.
    assert list(posts.columns) == [
        "ID",
        "post_title",
        "post_status",
        "post_parent",
        "post_type",
        *[f"post_date_{part}" for part in ("todate", "year", "month", "day")],
        *[f"post_modified_{part}" for part in ("todate", "year", "month", "day")],
    ]
    # post_date_gmt ('0000-00-00 00:00:00' for auto-drafts) and the content columns are gone.
    assert "post_date_gmt" not in posts.columns and "post_content" not in posts.columns
    assert str(posts["post_date_todate"].dtype) == "datetime64[ns]"
    assert str(posts["post_date_year"].dtype) == "int64"


def test_transform_accepts_dates_already_parsed(small_site):
    frame = bronze_frame("statistics_pages", small_site["statistics_pages"][:3])
    frame["date"] = pd.to_datetime(frame["date"])
    result = transform(frame, "statistics_pages", "bronze statistics_pages")
    assert result["date_day"].tolist() == [2, 2, 2]


@pytest.mark.parametrize(
    ("bad_value", "expected"),
    [
        (None, "field 'date' has 1 null and 0 malformed"),
        ("0000-00-00", "field 'date' has 0 null and 1 malformed"),
        ("2025-13-01", "field 'date' has 0 null and 1 malformed"),
        ("02/09/2025", "field 'date' has 0 null and 1 malformed"),
    ],
)
def test_null_and_malformed_dates_name_object_and_field(small_site, bad_value, expected):
    rows = [dict(row) for row in small_site["statistics_pages"][:5]]
    rows[3]["date"] = bad_value
    with pytest.raises(SilverInputError) as error:
        transform(bronze_frame("statistics_pages", rows), "statistics_pages", STATS_OBJECT)
    message = str(error.value)
    assert message.startswith(STATS_OBJECT)
    assert expected in message
    assert "row 3" in message


def test_missing_expected_column_names_object_and_column(small_site):
    frame = bronze_frame("posts", small_site["posts"]).drop(columns=["post_title"])
    with pytest.raises(SilverInputError, match=r"posts/ingest_date=2025-10-31/: missing .*'post_title'"):
        transform(frame, "posts", POSTS_OBJECT)


def test_missing_dropped_column_is_fine_unknown_column_dropped_with_warning(small_site, caplog):
    frame = bronze_frame("term_relationships", small_site["term_relationships"]).drop(columns=["term_order"])
    frame["colour"] = "red"
    with caplog.at_level(logging.WARNING):
        result = transform(frame, "term_relationships", "bronze term_relationships")
    assert "colour" not in result.columns
    assert "not in the silver mapping: ['colour']" in caplog.text


def test_exact_duplicate_rows_dropped_and_logged(small_site, caplog):
    rows = small_site["term_relationships"]
    frame = bronze_frame("term_relationships", [*rows, rows[0], rows[5]])
    with caplog.at_level(logging.WARNING):
        result = transform(frame, "term_relationships", "bronze term_relationships")
    assert len(result) == len(rows)
    assert "dropped 2 exact duplicate row(s)" in caplog.text


def test_conflicting_duplicate_keys_are_an_error(small_site):
    rows = [dict(row) for row in small_site["posts"][:4]]
    rows.append({**rows[1], "post_title": "Another title"})
    with pytest.raises(SilverInputError, match=r"field ID has 2 rows sharing a key .*'ID': 2"):
        transform(bronze_frame("posts", rows), "posts", POSTS_OBJECT)


def test_null_or_fractional_integers_name_the_field(small_site):
    rows = [dict(row) for row in small_site["statistics_pages"][:4]]
    rows[1]["count"] = None  # bronze stores this as <NA> in an Int64 column
    with pytest.raises(
        SilverInputError, match=r"field 'count' needs whole numbers: 1 bad value\(s\) \(1 null\)"
    ):
        transform(bronze_frame("statistics_pages", rows), "statistics_pages", STATS_OBJECT)
    rows[1]["count"] = 2.5  # bronze would refuse it; silver does not rely on that
    with pytest.raises(SilverInputError, match="field 'count' needs whole numbers"):
        transform(bronze_frame("statistics_pages", rows, typed=False), "statistics_pages", STATS_OBJECT)


def test_html_decoding_only_touches_values_with_entities():
    values = pd.Series(["plain", "A &amp; B", None, "&lt;b&gt; &#x27;x&#x27; &nbsp;", "R&D"])
    assert decode_html(values).tolist() == ["plain", "A & B", None, "<b> 'x' \xa0", "R&D"]


def test_empty_bronze_gives_empty_typed_snapshot():
    result = transform(bronze_frame("posts", []), "posts", "bronze posts")
    assert list(result.columns) == silver_columns("posts") and result.empty


# ---- candidate contract (pure) ----------------------------------------------------------------


def test_candidate_layout_names_and_validation():
    assert layout.CANDIDATE_ROOT == "_candidate"
    assert (
        layout.candidate_prefix("lake-silver", "wordpress_api", "posts")
        == "s3://lake-silver/_candidate/wordpress_api/posts/"
    )
    assert (
        layout.candidate_manifest_uri("lake-silver", "wordpress_api")
        == "s3://lake-silver/_candidate/wordpress_api/_manifest.json"
    )
    with pytest.raises(ValueError, match="dataset must match"):
        layout.candidate_prefix("lake-silver", "wordpress_api", "../posts")
    with pytest.raises(ValueError, match="source must match"):
        layout.candidate_manifest_uri("lake-silver", "Wordpress")
    with pytest.raises(ValueError, match="bucket must not be empty"):
        layout.candidate_prefix("", "wordpress_api", "posts")


def test_candidate_table_input_is_a_parquet_table_with_the_written_columns(small_site):
    terms = transform(bronze_frame("terms", small_site["terms"]), "terms", "bronze terms")
    columns = athena_column_types(terms)
    assert columns == [
        ("term_id", "bigint"),
        ("name", "string"),
        ("slug", "string"),
        ("term_group", "bigint"),
    ]
    table = candidate_table_input(
        "candidate_terms", "s3://lake-silver/_candidate/wordpress_api/terms/", columns
    )
    assert table == {
        "Name": "candidate_terms",
        "Description": table["Description"],
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {"classification": "parquet"},
        "StorageDescriptor": {
            "Columns": [
                {"Name": "term_id", "Type": "bigint"},
                {"Name": "name", "Type": "string"},
                {"Name": "slug", "Type": "string"},
                {"Name": "term_group", "Type": "bigint"},
            ],
            "Location": "s3://lake-silver/_candidate/wordpress_api/terms/",
            "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
            "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
            "SerdeInfo": {
                "SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
            },
        },
    }
    posts = transform(bronze_frame("posts", small_site["posts"]), "posts", "bronze posts")
    posts_types = dict(athena_column_types(posts))
    assert [name for name, _kind in athena_column_types(posts)] == silver_columns("posts")
    assert posts_types["post_date_todate"] == "timestamp" and posts_types["post_date_year"] == "bigint"


def _record(**changes: Any) -> Dict[str, Any]:
    record = {
        "bucket": "lake-test-silver",
        "key": "_candidate/wordpress_api/terms/terms.snappy.parquet",
        "version_id": "v1",
        "etag": '"abc"',
        "rows": 18,
        "ingest_date": "2025-10-31",
        "bronze_partition": "s3://lake-test-bronze/wordpress_api/terms/ingest_date=2025-10-31/",
    }
    record.update(changes)
    return record


def test_manifest_round_trip_and_sorted_utf8_json():
    manifest = Manifest(
        source="wordpress_api",
        written_at="2025-10-31T06:00:00+00:00",
        datasets={"terms": CandidateRecord(**_record(version_id=None))},
    )
    body = manifest_json(manifest)
    assert parse_manifest(body, MANIFEST_URI) == manifest
    document = json.loads(body.decode("utf-8"))
    assert list(document) == sorted(document)
    assert list(document["datasets"]["terms"]) == sorted(_record())
    assert document["datasets"]["terms"]["version_id"] is None


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"{not json", "is not valid UTF-8 JSON"),
        (b"\xff\xfe", "is not valid UTF-8 JSON"),
        (json.dumps({"source": "wordpress_api", "datasets": {}}), "field 'written_at' is missing"),
        (
            json.dumps(
                {"source": "wordpress_api", "written_at": "x", "datasets": {"terms": _record(etag=None)}}
            ),
            "field 'datasets.terms.etag' must be a string, got None",
        ),
        (
            json.dumps(
                {"source": "wordpress_api", "written_at": "x", "datasets": {"terms": {"bucket": "b"}}}
            ),
            "field 'datasets.terms.key' is missing",
        ),
        (
            json.dumps(
                {"source": "wordpress_api", "written_at": "x", "datasets": {"terms": _record(rows=True)}}
            ),
            "field 'datasets.terms.rows' must be an integer",
        ),
        (
            json.dumps(
                {
                    "source": "wordpress_api",
                    "written_at": "x",
                    "datasets": {"terms": _record(ingest_date="31.10.")},
                }
            ),
            "field 'datasets.terms.ingest_date': ingest_date must be YYYY-MM-DD",
        ),
    ],
)
def test_malformed_manifest_names_the_manifest_and_the_field(body, expected):
    with pytest.raises(SilverPublishError) as error:
        parse_manifest(body if isinstance(body, bytes) else body.encode(), MANIFEST_URI)
    assert str(error.value).startswith(f"manifest {MANIFEST_URI} is ")
    assert expected in str(error.value)


def test_select_candidates_refuses_other_sources_and_misplaced_candidates():
    manifest = Manifest("wordpress_api", "x", {"terms": CandidateRecord(**_record())})
    kwargs = {"silver_bucket": "lake-test-silver", "datasets": ["terms"], "ingest_date": "2025-10-31"}
    assert select_candidates(manifest, MANIFEST_URI, source="wordpress_api", **kwargs) == {
        "terms": manifest.datasets["terms"]
    }
    with pytest.raises(SilverPublishError, match="is for source 'wordpress_api', not 'other'"):
        select_candidates(manifest, MANIFEST_URI, source="other", **kwargs)
    elsewhere = Manifest("wordpress_api", "x", {"terms": CandidateRecord(**_record(key="terms.parquet"))})
    with pytest.raises(
        SilverPublishError, match=r"candidate s3://lake-test-silver/terms.parquet is not s3://"
    ):
        select_candidates(elsewhere, MANIFEST_URI, source="wordpress_api", **kwargs)


# ---- the job on moto -------------------------------------------------------------------------


def _argv(glue_aws, *extra: str, silver_bucket: str = "") -> List[str]:
    return [
        "silver_wordpress_api.py",
        "--bronze_bucket",
        glue_aws.bronze_bucket,
        "--silver_bucket",
        silver_bucket or glue_aws.silver_bucket,
        "--failure_topic_arn",
        glue_aws.topic_arn,
        *extra,
    ]


def _write(glue_aws, *extra: str, **kwargs: Any) -> Any:
    return run_silver(_argv(glue_aws, "--stage", "write", *extra, **kwargs))


def _publish(glue_aws, *extra: str, **kwargs: Any) -> Any:
    return run_silver(_argv(glue_aws, "--stage", "publish", *extra, **kwargs))


def _write_and_publish(glue_aws, *extra: str) -> Any:
    """What a workflow run does around the quality gate: the only way live silver changes."""
    _write(glue_aws, *extra)
    return _publish(glue_aws, *extra)


MAPPED = sorted(WORDPRESS.dataset_names)
SILVER_OBJECT_KEYS = [f"wordpress_api/{name}/{name}.snappy.parquet" for name in MAPPED]
CANDIDATE_OBJECT_KEYS = [f"_candidate/wordpress_api/{name}/{name}.snappy.parquet" for name in MAPPED]


def _live(glue_aws, bucket: str = "") -> Dict[str, str]:
    """Live silver: key -> ETag (everything outside _candidate/)."""
    return glue_aws.etags(bucket or glue_aws.silver_bucket, "wordpress_api/")


def _read_silver(glue_aws, dataset: str) -> pd.DataFrame:
    return wr.s3.read_parquet(f"s3://{glue_aws.silver_bucket}/wordpress_api/{dataset}/")


def _body(glue_aws, key: str, bucket: str = "", **version: str) -> bytes:
    return glue_aws.s3.get_object(Bucket=bucket or glue_aws.silver_bucket, Key=key, **version)["Body"].read()


def _manifest(glue_aws) -> Dict[str, Any]:
    return json.loads(_body(glue_aws, MANIFEST_KEY))


def test_write_stage_writes_only_candidates_and_a_manifest(glue_aws, bronze_small, small_site):
    live_key = "wordpress_api/terms/terms.snappy.parquet"
    glue_aws.s3.put_object(Bucket=glue_aws.silver_bucket, Key=live_key, Body=b"earlier live snapshot")
    live_before = _live(glue_aws)

    result = run_silver(_argv(glue_aws))  # --stage defaults to write

    assert isinstance(result, SilverRunResult) and not result.failed
    assert result.manifest_uri == MANIFEST_URI
    assert glue_aws.keys(glue_aws.silver_bucket) == sorted([*CANDIDATE_OBJECT_KEYS, MANIFEST_KEY, live_key])
    assert _live(glue_aws) == live_before and _body(glue_aws, live_key) == b"earlier live snapshot"
    for dataset, rows in small_site.items():
        candidate = wr.s3.read_parquet(
            layout.candidate_prefix(glue_aws.silver_bucket, "wordpress_api", dataset)
        )
        assert compare_rows(candidate.to_dict("records"), expected_silver(dataset, rows)) is None

    raw = _body(glue_aws, MANIFEST_KEY).decode("utf-8")
    manifest = json.loads(raw)
    assert raw == json.dumps(manifest, sort_keys=True, indent=2, ensure_ascii=False)  # sorted keys
    assert manifest["source"] == "wordpress_api" and sorted(manifest["datasets"]) == MAPPED
    written_at = dt.datetime.fromisoformat(manifest["written_at"])
    assert written_at.utcoffset() == dt.timedelta(0)
    assert abs(dt.datetime.now(dt.timezone.utc) - written_at) < dt.timedelta(minutes=5)
    for dataset, entry in manifest["datasets"].items():
        key = f"_candidate/wordpress_api/{dataset}/{dataset}.snappy.parquet"
        head = glue_aws.s3.head_object(Bucket=glue_aws.silver_bucket, Key=key)
        assert entry == {
            "bucket": glue_aws.silver_bucket,
            "key": key,
            "version_id": head["VersionId"],
            "etag": head["ETag"],
            "rows": len(small_site[dataset]),
            "ingest_date": "2025-10-31",
            "bronze_partition": bronze_small[dataset],
        }
        assert entry["version_id"] not in (None, "null")  # the silver bucket is versioned
    assert glue_aws.notifications() == []


def test_write_stage_registers_candidate_tables_create_then_update(glue_aws, bronze_small):
    database = glue_aws.glue_database
    run_silver(_argv(glue_aws, "--candidate_database", database), glue_client=glue_aws.glue)

    names = [table["Name"] for table in glue_aws.glue.get_tables(DatabaseName=database)["TableList"]]
    assert sorted(names) == [f"candidate_{name}" for name in MAPPED]
    for dataset in MAPPED:
        table = glue_aws.glue.get_table(DatabaseName=database, Name=f"candidate_{dataset}")["Table"]
        storage = table["StorageDescriptor"]
        assert table["TableType"] == "EXTERNAL_TABLE" and table["Parameters"] == {"classification": "parquet"}
        assert storage["Location"] == f"s3://lake-test-silver/_candidate/wordpress_api/{dataset}/"
        assert [column["Name"] for column in storage["Columns"]] == silver_columns(dataset)
        assert storage["SerdeInfo"]["SerializationLibrary"].endswith("ParquetHiveSerDe")
        assert storage["InputFormat"].endswith("MapredParquetInputFormat")
    posts = glue_aws.glue.get_table(DatabaseName=database, Name="candidate_posts")["Table"]
    types = {column["Name"]: column["Type"] for column in posts["StorageDescriptor"]["Columns"]}
    assert types["ID"] == "bigint" and types["post_title"] == "string"
    assert types["post_date_todate"] == "timestamp" and types["post_date_day"] == "bigint"

    # Someone changed the table: the next write puts back what it wrote (update, not create;
    # this run also builds its own Glue client from the environment).
    glue_aws.glue.update_table(
        DatabaseName=database,
        TableInput={
            "Name": "candidate_posts",
            "StorageDescriptor": {"Columns": [{"Name": "x", "Type": "string"}]},
        },
    )
    run_silver(_argv(glue_aws, "--candidate_database", database, "--candidate_table_prefix", "cand_"))
    run_silver(_argv(glue_aws, "--candidate_database", database, "--datasets", "posts"))

    posts = glue_aws.glue.get_table(DatabaseName=database, Name="candidate_posts")["Table"]
    assert [column["Name"] for column in posts["StorageDescriptor"]["Columns"]] == silver_columns("posts")
    names = [table["Name"] for table in glue_aws.glue.get_tables(DatabaseName=database)["TableList"]]
    assert sorted(names) == sorted(
        [f"candidate_{name}" for name in MAPPED] + [f"cand_{name}" for name in MAPPED]
    )
    assert glue_aws.notifications() == []


def test_publish_copies_the_recorded_version_even_if_the_candidate_changed_afterwards(
    glue_aws, bronze_small, small_site
):
    _write(glue_aws)
    key = "_candidate/wordpress_api/posts/posts.snappy.parquet"
    audited = _body(glue_aws, key)
    recorded = _manifest(glue_aws)["datasets"]["posts"]["version_id"]
    glue_aws.s3.put_object(Bucket=glue_aws.silver_bucket, Key=key, Body=b"written after the audit")

    result = _publish(glue_aws)

    assert isinstance(result, SilverPublishResult) and result.manifest_uri == MANIFEST_URI
    assert result.versions["posts"] == recorded
    assert result.published == {
        name: f"s3://lake-test-silver/wordpress_api/{name}/{name}.snappy.parquet" for name in MAPPED
    }
    assert _body(glue_aws, "wordpress_api/posts/posts.snappy.parquet") == audited
    assert sorted(_live(glue_aws)) == SILVER_OBJECT_KEYS
    for dataset, rows in small_site.items():
        assert (
            compare_rows(_read_silver(glue_aws, dataset).to_dict("records"), expected_silver(dataset, rows))
            is None
        )
    assert glue_aws.notifications() == []


def test_write_publish_twice_leaves_the_same_live_objects_one_per_dataset(glue_aws, bronze_small, small_site):
    # A leftover from an earlier naming scheme: publishing must leave exactly one copy.
    glue_aws.s3.put_object(
        Bucket=glue_aws.silver_bucket, Key="wordpress_api/terms/old-run.parquet", Body=b"x"
    )

    result = _write_and_publish(glue_aws)

    assert sorted(result.published) == MAPPED and result.skipped == []
    assert sorted(_live(glue_aws)) == SILVER_OBJECT_KEYS
    for dataset, rows in small_site.items():
        assert (
            compare_rows(_read_silver(glue_aws, dataset).to_dict("records"), expected_silver(dataset, rows))
            is None
        )
    first = _live(glue_aws)
    candidates = glue_aws.etags(glue_aws.silver_bucket, "_candidate/")

    _write_and_publish(glue_aws)

    assert _live(glue_aws) == first  # same keys, byte-identical snapshots
    assert sorted(glue_aws.etags(glue_aws.silver_bucket, "_candidate/")) == sorted(candidates)
    assert glue_aws.keys(glue_aws.silver_bucket) == sorted(
        [*SILVER_OBJECT_KEYS, *CANDIDATE_OBJECT_KEYS, MANIFEST_KEY]
    )
    assert glue_aws.notifications() == []


def test_job_reads_the_newest_partition_unless_told_otherwise(glue_aws, bronze_small, small_site):
    older = [dict(row, name=row["name"] + " (old)") for row in small_site["terms"]]
    write_bronze(glue_aws.bronze_bucket, "terms", bronze_frame("terms", older), ingest_date="2025-10-30")

    _write_and_publish(glue_aws, "--datasets", "terms")
    assert not _read_silver(glue_aws, "terms")["name"].str.endswith("(old)").any()
    assert _manifest(glue_aws)["datasets"]["terms"]["ingest_date"] == "2025-10-31"

    _write_and_publish(glue_aws, "--datasets", "terms", "--ingest_date", "2025-10-30")
    assert _read_silver(glue_aws, "terms")["name"].str.endswith("(old)").all()
    entry = _manifest(glue_aws)["datasets"]["terms"]
    assert entry["ingest_date"] == "2025-10-30" and entry["bronze_partition"].endswith(
        "ingest_date=2025-10-30/"
    )


def test_failed_write_leaves_no_manifest_and_publish_refuses(glue_aws, bronze_small, small_site):
    _write_and_publish(glue_aws)
    before = _live(glue_aws)
    assert MANIFEST_KEY in glue_aws.keys(glue_aws.silver_bucket)  # an earlier, publishable manifest
    rows = [dict(row) for row in small_site["statistics_pages"]]
    rows[7]["date"] = "2025-02-30"
    write_bronze(glue_aws.bronze_bucket, "statistics_pages", bronze_frame("statistics_pages", rows))

    with pytest.raises(SilverJobError, match=r"statistics_pages: SilverInputError: .*field 'date'"):
        _write(glue_aws)

    assert MANIFEST_KEY not in glue_aws.keys(glue_aws.silver_bucket)
    assert _live(glue_aws) == before  # live silver untouched, for every dataset
    [note] = glue_aws.notifications()
    assert note["Subject"] == "silver wordpress_api failed: statistics_pages"
    assert f"{STATS_OBJECT}: field 'date' has 0 null and 1 malformed" in note["Message"]
    assert "row 7: '2025-02-30'" in note["Message"]
    assert "Succeeded (kept): posts, term_relationships, term_taxonomy, terms" in note["Message"]
    assert "No manifest was written" in note["Message"]

    with pytest.raises(
        SilverJobError,
        match=re.escape(f"no candidate manifest at {MANIFEST_URI}: run the write stage"),
    ):
        _publish(glue_aws)

    assert _live(glue_aws) == before
    [note] = glue_aws.notifications()
    assert note["Subject"] == "silver wordpress_api publish failed"
    assert MANIFEST_URI in note["Message"] and "run the write stage" in note["Message"]


def test_missing_column_or_duplicate_keys_fail_and_keep_earlier_silver(glue_aws, bronze_small, small_site):
    _write_and_publish(glue_aws, "--datasets", "posts,terms")
    before = _live(glue_aws)
    write_bronze(
        glue_aws.bronze_bucket,
        "posts",
        bronze_frame("posts", small_site["posts"]).drop(columns=["post_type"]),
    )
    terms = [dict(row) for row in small_site["terms"]]
    terms.append({**terms[0], "name": "Renamed"})
    write_bronze(glue_aws.bronze_bucket, "terms", bronze_frame("terms", terms))

    with pytest.raises(SilverJobError, match=r"posts/ingest_date=2025-10-31/: missing .*'post_type'"):
        _write(glue_aws, "--datasets", "posts,terms")

    assert _live(glue_aws) == before
    assert MANIFEST_KEY not in glue_aws.keys(glue_aws.silver_bucket)
    [note] = glue_aws.notifications()
    assert note["Subject"] == "silver wordpress_api failed: posts, terms"
    assert "missing expected column(s) ['post_type']" in note["Message"]
    assert "field term_id has 2 rows sharing a key" in note["Message"]


def test_publish_refuses_candidates_from_another_ingest_date(glue_aws, bronze_small, small_site):
    _write_and_publish(glue_aws, "--datasets", "terms")
    before = _live(glue_aws)
    older = [dict(row, name=row["name"] + " (old)") for row in small_site["terms"]]
    write_bronze(glue_aws.bronze_bucket, "terms", bronze_frame("terms", older), ingest_date="2025-10-30")
    _write(glue_aws, "--datasets", "terms", "--ingest_date", "2025-10-30")

    expected = "terms: candidate is from ingest_date 2025-10-30, publish asked for 2025-10-31"
    with pytest.raises(SilverPublishError, match=expected):
        _publish(glue_aws, "--datasets", "terms", "--ingest_date", "2025-10-31")

    assert _live(glue_aws) == before
    [note] = glue_aws.notifications()
    assert note["Subject"] == "silver wordpress_api publish failed: terms"
    assert expected in note["Message"] and MANIFEST_URI in note["Message"]


def test_publish_checks_every_candidate_before_copying_any(glue_aws, bronze_small, small_site):
    _write_and_publish(glue_aws)
    before = _live(glue_aws)
    for dataset, column in (("posts", "post_title"), ("terms", "name")):
        rows = [dict(row, **{column: row[column] + " (new)"}) for row in small_site[dataset]]
        write_bronze(glue_aws.bronze_bucket, dataset, bronze_frame(dataset, rows))
    _write(glue_aws)
    candidates = glue_aws.etags(glue_aws.silver_bucket, "_candidate/")
    assert candidates["_candidate/wordpress_api/posts/posts.snappy.parquet"] != before[SILVER_OBJECT_KEYS[0]]
    terms_key = "_candidate/wordpress_api/terms/terms.snappy.parquet"
    terms_version = _manifest(glue_aws)["datasets"]["terms"]["version_id"]
    glue_aws.s3.delete_object(Bucket=glue_aws.silver_bucket, Key=terms_key, VersionId=terms_version)

    with pytest.raises(
        SilverPublishError,
        match=rf"nothing published: terms: candidate s3://lake-test-silver/{terms_key} "
        rf"\(version {terms_version}\) is missing",
    ):
        _publish(glue_aws)

    assert _live(glue_aws) == before  # posts (checked, fine, first in order) was not copied either
    [note] = glue_aws.notifications()
    assert note["Subject"] == "silver wordpress_api publish failed: terms"
    assert f"s3://lake-test-silver/{terms_key}" in note["Message"]


def test_unversioned_bucket_publish_checks_the_etag(glue_aws, bronze_small):
    plain = "lake-test-silver-plain"
    glue_aws.s3.create_bucket(Bucket=plain, CreateBucketConfiguration={"LocationConstraint": GLUE_REGION})
    _write(glue_aws, "--datasets", "terms", silver_bucket=plain)
    manifest = json.loads(_body(glue_aws, MANIFEST_KEY, bucket=plain))
    assert manifest["datasets"]["terms"]["version_id"] is None
    candidate_key = "_candidate/wordpress_api/terms/terms.snappy.parquet"
    glue_aws.s3.put_object(Bucket=plain, Key=candidate_key, Body=b"not what was audited")

    with pytest.raises(SilverPublishError, match=r"terms: candidate .*terms.snappy.parquet \(ETag .*changed"):
        _publish(glue_aws, "--datasets", "terms", silver_bucket=plain)
    assert _live(glue_aws, plain) == {}
    assert len(glue_aws.notifications()) == 1

    _write(glue_aws, "--datasets", "terms", silver_bucket=plain)
    _publish(glue_aws, "--datasets", "terms", silver_bucket=plain)
    live = _body(glue_aws, "wordpress_api/terms/terms.snappy.parquet", bucket=plain)
    assert live == _body(glue_aws, candidate_key, bucket=plain)
    assert glue_aws.notifications() == []


def test_publish_refuses_when_a_requested_dataset_has_no_candidate(glue_aws, bronze_small):
    _write(glue_aws, "--datasets", "terms")
    with pytest.raises(
        SilverPublishError,
        match=r"has no candidate for dataset\(s\) posts, statistics_pages, term_relationships, term_taxonomy",
    ):
        _publish(glue_aws)
    assert _live(glue_aws) == {}
    [note] = glue_aws.notifications()
    assert note["Subject"].startswith("silver wordpress_api publish failed: posts, statistics_pages")


def test_invalid_stage_is_a_clear_error_and_notifies(glue_aws, bronze_small):
    with pytest.raises(ValueError, match=r"--stage must be one of write, publish, got 'audit'"):
        run_silver(_argv(glue_aws, "--stage", "audit"))
    assert glue_aws.keys(glue_aws.silver_bucket) == []
    [note] = glue_aws.notifications()
    assert note["Subject"] == "silver wordpress_api failed"
    assert "--stage must be one of write, publish" in note["Message"]


def test_unmapped_dataset_is_skipped_with_a_warning(glue_aws, bronze_small, caplog):
    with caplog.at_level(logging.WARNING):
        written = _write(glue_aws, "--datasets", "terms,comments")
        published = _publish(glue_aws, "--datasets", "terms,comments")
    assert written.skipped == ["comments"] and list(written.written) == ["terms"]
    assert published.skipped == ["comments"] and list(published.published) == ["terms"]
    assert caplog.text.count("comments is not currently mapped") == 2
    assert glue_aws.notifications() == []


def test_the_job_reads_the_contract_packaged_for_its_source(glue_aws, bronze_small, monkeypatch):
    # Deployed, the contract comes from the artifact (lakehouse_contracts/<source>.json); a
    # checkout points bundled_contract at sources/. An unknown source is refused and notified.
    monkeypatch.setenv(SOURCES_DIR_ENV, str(SOURCES_DIR))
    result = silver_job.main([*_argv(glue_aws, "--datasets", "terms"), "--source_name", "wordpress_api"])
    assert list(result.written) == ["terms"]
    with pytest.raises(ContractError, match=r"music/contract\.json: cannot read the contract"):
        silver_job.main([*_argv(glue_aws), "--source_name", "music"])
    [note] = glue_aws.notifications()
    assert note["Subject"] == "silver music failed" and "cannot read the contract" in note["Message"]
    with pytest.raises(ValueError, match="missing job argument"):
        silver_job.main(_argv(glue_aws))


def test_missing_partition_and_bad_arguments_notify(glue_aws):
    with pytest.raises(SilverJobError, match="no ingest_date=YYYY-MM-DD partition"):
        run_silver(_argv(glue_aws, "--datasets", "posts"))
    with pytest.raises(ValueError, match="ingest_date must be"):
        run_silver(_argv(glue_aws, "--ingest_date", "2025-10-32"))
    subjects = [note["Subject"] for note in glue_aws.notifications()]
    assert subjects == ["silver wordpress_api failed: posts", "silver wordpress_api failed"]
