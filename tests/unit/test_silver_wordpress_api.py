"""Silver job: pure transform on the sample site, bad input rules, and the job on moto S3/SNS.

Runs on Python 3.9 too (tools/py39_check.sh runs this file there), so: no pyspark, no 3.10+ syntax.
"""

import datetime as dt
import html
import logging
from typing import Any, Dict, List

import awswrangler as wr
import pandas as pd
import pytest
import silver_wordpress_api as silver
from fixtures_glue import bronze_frame, write_bronze

from lakehouse_common.glue_testing import assert_pandas_rows, compare_rows

POSTS_OBJECT = "s3://lake-test-bronze/wordpress_api/posts/ingest_date=2025-10-31/"
STATS_OBJECT = "s3://lake-test-bronze/wordpress_api/statistics_pages/ingest_date=2025-10-31/"


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
    result = silver.transform_dataset(bronze_frame(dataset, rows), dataset, f"bronze {dataset}")
    assert list(result.columns) == silver.silver_columns(dataset)
    assert len(result) == len(rows)
    assert_pandas_rows(result, expected_silver(dataset, rows))


def test_transform_exact_rows_for_entities_and_dropped_columns(small_site):
    terms = silver.transform_dataset(bronze_frame("terms", small_site["terms"]), "terms", "bronze terms")
    by_id = terms.set_index("term_id")["name"].to_dict()
    assert by_id[2] == "Data & Analytics"
    assert by_id[14] == "Reader\u2019s Questions"  # &#8217; — numeric entities too, not only &amp;
    assert by_id[15] == '"Quick Wins"'  # &quot;
    assert list(terms.columns) == ["term_id", "name", "slug", "term_group"]  # term_order dropped

    posts = silver.transform_dataset(bronze_frame("posts", small_site["posts"]), "posts", "bronze posts")
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
    # post_date_gmt ('0000-00-00 00:00:00' for auto-drafts) and the content columns are gone.
    assert "post_date_gmt" not in posts.columns and "post_content" not in posts.columns
    assert str(posts["post_date_todate"].dtype) == "datetime64[ns]"
    assert str(posts["post_date_year"].dtype) == "int64"


def test_transform_accepts_dates_already_parsed(small_site):
    frame = bronze_frame("statistics_pages", small_site["statistics_pages"][:3])
    frame["date"] = pd.to_datetime(frame["date"])
    result = silver.transform_dataset(frame, "statistics_pages", "bronze statistics_pages")
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
    with pytest.raises(silver.SilverInputError) as error:
        silver.transform_dataset(bronze_frame("statistics_pages", rows), "statistics_pages", STATS_OBJECT)
    message = str(error.value)
    assert message.startswith(STATS_OBJECT)
    assert expected in message
    assert "row 3" in message


def test_missing_expected_column_names_object_and_column(small_site):
    frame = bronze_frame("posts", small_site["posts"]).drop(columns=["post_title"])
    with pytest.raises(
        silver.SilverInputError, match=r"posts/ingest_date=2025-10-31/: missing .*'post_title'"
    ):
        silver.transform_dataset(frame, "posts", POSTS_OBJECT)


def test_missing_dropped_column_is_fine_unknown_column_dropped_with_warning(small_site, caplog):
    frame = bronze_frame("terms", small_site["terms"]).drop(columns=["term_order"])
    frame["colour"] = "red"
    with caplog.at_level(logging.WARNING):
        result = silver.transform_dataset(frame, "terms", "bronze terms")
    assert "colour" not in result.columns
    assert "not in the silver mapping: ['colour']" in caplog.text


def test_exact_duplicate_rows_dropped_and_logged(small_site, caplog):
    rows = small_site["term_relationships"]
    frame = bronze_frame("term_relationships", [*rows, rows[0], rows[5]])
    with caplog.at_level(logging.WARNING):
        result = silver.transform_dataset(frame, "term_relationships", "bronze term_relationships")
    assert len(result) == len(rows)
    assert "dropped 2 exact duplicate row(s)" in caplog.text


def test_conflicting_duplicate_keys_are_an_error(small_site):
    rows = [dict(row) for row in small_site["posts"][:4]]
    rows.append({**rows[1], "post_title": "Another title"})
    with pytest.raises(silver.SilverInputError, match=r"field ID has 2 rows sharing a key .*'ID': 2"):
        silver.transform_dataset(bronze_frame("posts", rows), "posts", POSTS_OBJECT)


def test_null_or_fractional_integers_name_the_field(small_site):
    rows = [dict(row) for row in small_site["statistics_pages"][:4]]
    rows[1]["count"] = None  # bronze stores this as <NA> in an Int64 column
    with pytest.raises(
        silver.SilverInputError, match=r"field 'count' needs whole numbers: 1 bad value\(s\) \(1 null\)"
    ):
        silver.transform_dataset(bronze_frame("statistics_pages", rows), "statistics_pages", STATS_OBJECT)
    rows[1]["count"] = 2.5  # bronze would refuse it; silver does not rely on that
    with pytest.raises(silver.SilverInputError, match="field 'count' needs whole numbers"):
        silver.transform_dataset(
            bronze_frame("statistics_pages", rows, typed=False), "statistics_pages", STATS_OBJECT
        )


def test_html_decoding_only_touches_values_with_entities():
    values = pd.Series(["plain", "A &amp; B", None, "&lt;b&gt; &#x27;x&#x27; &nbsp;", "R&D"])
    assert silver.decode_html(values).tolist() == ["plain", "A & B", None, "<b> 'x' \xa0", "R&D"]


def test_empty_bronze_gives_empty_typed_snapshot():
    result = silver.transform_dataset(bronze_frame("posts", []), "posts", "bronze posts")
    assert list(result.columns) == silver.silver_columns("posts") and result.empty


# ---- the job on moto -------------------------------------------------------------------------


def _argv(glue_aws, *extra: str) -> List[str]:
    return [
        "silver_wordpress_api.py",
        "--bronze_bucket",
        glue_aws.bronze_bucket,
        "--silver_bucket",
        glue_aws.silver_bucket,
        "--failure_topic_arn",
        glue_aws.topic_arn,
        *extra,
    ]


SILVER_OBJECT_KEYS = [f"wordpress_api/{name}/{name}.snappy.parquet" for name in sorted(silver.SILVER_SPECS)]


def _read_silver(glue_aws, dataset: str) -> pd.DataFrame:
    return wr.s3.read_parquet(f"s3://{glue_aws.silver_bucket}/wordpress_api/{dataset}/")


def test_job_writes_every_dataset_and_a_rerun_leaves_the_same_objects_and_data(
    glue_aws, bronze_small, small_site
):
    # A leftover from an earlier naming scheme: the run must leave exactly one copy.
    glue_aws.s3.put_object(
        Bucket=glue_aws.silver_bucket, Key="wordpress_api/terms/old-run.parquet", Body=b"x"
    )

    result = silver.main(_argv(glue_aws))

    assert sorted(result.written) == sorted(silver.SILVER_SPECS) and not result.failed
    assert glue_aws.keys(glue_aws.silver_bucket) == SILVER_OBJECT_KEYS
    for dataset, rows in small_site.items():
        assert (
            compare_rows(_read_silver(glue_aws, dataset).to_dict("records"), expected_silver(dataset, rows))
            is None
        )
    first = glue_aws.etags(glue_aws.silver_bucket)

    silver.main(_argv(glue_aws))

    assert glue_aws.keys(glue_aws.silver_bucket) == SILVER_OBJECT_KEYS
    assert glue_aws.etags(glue_aws.silver_bucket) == first  # byte-identical snapshot
    assert glue_aws.notifications() == []


def test_job_reads_the_newest_partition_unless_told_otherwise(glue_aws, bronze_small, small_site):
    older = [dict(row, name=row["name"] + " (old)") for row in small_site["terms"]]
    write_bronze(glue_aws.bronze_bucket, "terms", bronze_frame("terms", older), ingest_date="2025-10-30")

    silver.main(_argv(glue_aws, "--datasets", "terms"))
    assert not _read_silver(glue_aws, "terms")["name"].str.endswith("(old)").any()

    silver.main(_argv(glue_aws, "--datasets", "terms", "--ingest_date", "2025-10-30"))
    assert _read_silver(glue_aws, "terms")["name"].str.endswith("(old)").all()


def test_bad_dataset_fails_the_job_notifies_and_keeps_earlier_silver(glue_aws, bronze_small, small_site):
    silver.main(_argv(glue_aws))
    before = glue_aws.etags(glue_aws.silver_bucket)
    rows = [dict(row) for row in small_site["statistics_pages"]]
    rows[7]["date"] = "2025-02-30"
    write_bronze(glue_aws.bronze_bucket, "statistics_pages", bronze_frame("statistics_pages", rows))

    with pytest.raises(silver.SilverJobError, match=r"statistics_pages: SilverInputError: .*field 'date'"):
        silver.main(_argv(glue_aws))

    after = glue_aws.etags(glue_aws.silver_bucket)
    stats_key = "wordpress_api/statistics_pages/statistics_pages.snappy.parquet"
    assert after[stats_key] == before[stats_key]  # the previous good snapshot is untouched
    assert sorted(after) == sorted(before)  # and the other datasets were rebuilt in place
    [note] = glue_aws.notifications()
    assert note["Subject"] == "silver wordpress_api failed: statistics_pages"
    assert f"{STATS_OBJECT}: field 'date' has 0 null and 1 malformed" in note["Message"]
    assert "row 7: '2025-02-30'" in note["Message"]
    assert "Succeeded (kept): posts, term_relationships, term_taxonomy, terms" in note["Message"]


def test_missing_column_or_duplicate_keys_fail_and_keep_earlier_silver(glue_aws, bronze_small, small_site):
    silver.main(_argv(glue_aws, "--datasets", "posts,terms"))
    before = glue_aws.etags(glue_aws.silver_bucket)
    write_bronze(
        glue_aws.bronze_bucket,
        "posts",
        bronze_frame("posts", small_site["posts"]).drop(columns=["post_type"]),
    )
    terms = [dict(row) for row in small_site["terms"]]
    terms.append({**terms[0], "name": "Renamed"})
    write_bronze(glue_aws.bronze_bucket, "terms", bronze_frame("terms", terms))

    with pytest.raises(silver.SilverJobError, match=r"posts/ingest_date=2025-10-31/: missing .*'post_type'"):
        silver.main(_argv(glue_aws, "--datasets", "posts,terms"))

    assert glue_aws.etags(glue_aws.silver_bucket) == before
    [note] = glue_aws.notifications()
    assert note["Subject"] == "silver wordpress_api failed: posts, terms"
    assert "missing expected column(s) ['post_type']" in note["Message"]
    assert "field term_id has 2 rows sharing a key" in note["Message"]


def test_unmapped_dataset_is_skipped_with_a_warning(glue_aws, bronze_small, caplog):
    with caplog.at_level(logging.WARNING):
        result = silver.main(_argv(glue_aws, "--datasets", "terms,comments"))
    assert result.skipped == ["comments"] and list(result.written) == ["terms"]
    assert "comments is not currently mapped" in caplog.text
    assert glue_aws.notifications() == []


def test_missing_partition_and_bad_arguments_notify(glue_aws):
    with pytest.raises(silver.SilverJobError, match="no ingest_date=YYYY-MM-DD partition"):
        silver.main(_argv(glue_aws, "--datasets", "posts"))
    with pytest.raises(ValueError, match="ingest_date must be"):
        silver.main(_argv(glue_aws, "--ingest_date", "2025-10-32"))
    subjects = [note["Subject"] for note in glue_aws.notifications()]
    assert subjects == ["silver wordpress_api failed: posts", "silver wordpress_api failed"]
