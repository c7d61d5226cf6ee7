"""Silver merges statistics_pages increments into the previous snapshot (moto S3 + real
awswrangler), through write-audit-publish. Expected rows are computed here from the input rows."""

from typing import Any, Dict, List

import awswrangler as wr
import pandas as pd
import pytest
from fixtures_glue import WORDPRESS, bronze_frame, run_silver, write_bronze

from lakehouse_common.silver_job import read_config
from lakehouse_common.silver_transform import SilverInputError, merge_increment, transform_dataset
from lakehouse_common.write_audit_publish import SilverJobError

DAY1, DAY2, DAY3 = "2025-10-30", "2025-10-31", "2025-11-01"


def stats(*rows: tuple) -> List[Dict[str, Any]]:
    return [
        {"page_id": pid, "uri": uri, "type": "post", "date": date, "count": count, "id": post_id}
        for pid, uri, date, count, post_id in rows
    ]


def argv(glue_aws, date: str, stage: str, *extra: str) -> List[str]:
    return [
        "job",
        "--bronze_bucket", glue_aws.bronze_bucket,
        "--silver_bucket", glue_aws.silver_bucket,
        "--failure_topic_arn", glue_aws.topic_arn,
        "--datasets", "statistics_pages",
        "--merge_datasets", "statistics_pages",
        "--ingest_date", date,
        "--stage", stage,
        *extra,
    ]  # fmt: skip


def run_day(glue_aws, date: str, rows: List[Dict[str, Any]]) -> pd.DataFrame:
    write_bronze(glue_aws.bronze_bucket, "statistics_pages", bronze_frame("statistics_pages", rows), date)
    run_silver(argv(glue_aws, date, "write"))
    run_silver(argv(glue_aws, date, "publish"))
    return live(glue_aws)


def live(glue_aws) -> pd.DataFrame:
    return wr.s3.read_parquet(
        f"s3://{glue_aws.silver_bucket}/wordpress_api/statistics_pages/statistics_pages.snappy.parquet"
    )


def as_rows(frame: pd.DataFrame) -> Dict[int, tuple]:
    return {
        int(r.page_id): (r.uri, r.date_todate.strftime("%Y-%m-%d"), int(r.count), r.ingest_date)
        for r in frame.itertuples()
    }


def test_increments_merge_by_key_newest_ingest_wins(glue_aws):
    day1 = stats((1, "/a/", DAY1, 5, 10), (2, "/b/", DAY1, 7, 11), (3, "/a/", DAY2, 1, 10))
    first = run_day(glue_aws, DAY2, day1)
    assert as_rows(first) == {
        1: ("/a/", DAY1, 5, DAY2), 2: ("/b/", DAY1, 7, DAY2), 3: ("/a/", DAY2, 1, DAY2)
    }  # fmt: skip

    # Next day: the lookback window re-delivers yesterday's row with its final count, plus today.
    day2 = stats((3, "/a/", DAY2, 9, 10), (4, "/b/", DAY3, 2, 11))
    second = run_day(glue_aws, DAY3, day2)
    assert as_rows(second) == {
        1: ("/a/", DAY1, 5, DAY2),  # outside the window: kept as it was
        2: ("/b/", DAY1, 7, DAY2),
        3: ("/a/", DAY2, 9, DAY3),  # re-delivered: the newer ingest wins
        4: ("/b/", DAY3, 2, DAY3),  # new
    }
    assert list(second.columns) == [*WORDPRESS.dataset("statistics_pages").silver_columns(), "ingest_date"]


def test_same_day_rerun_is_idempotent(glue_aws):
    run_day(glue_aws, DAY2, stats((1, "/a/", DAY1, 5, 10), (2, "/a/", DAY2, 3, 10)))
    run_day(glue_aws, DAY3, stats((2, "/a/", DAY2, 4, 10), (3, "/a/", DAY3, 1, 10)))
    once = as_rows(live(glue_aws))
    again = run_day(glue_aws, DAY3, stats((2, "/a/", DAY2, 4, 10), (3, "/a/", DAY3, 1, 10)))
    assert as_rows(again) == once
    assert len(again) == 3


def test_empty_increment_keeps_the_snapshot(glue_aws):
    before = as_rows(run_day(glue_aws, DAY2, stats((1, "/a/", DAY1, 5, 10))))
    empty = bronze_frame("statistics_pages", [])
    write_bronze(glue_aws.bronze_bucket, "statistics_pages", empty, DAY3)
    run_silver(argv(glue_aws, DAY3, "write"))
    run_silver(argv(glue_aws, DAY3, "publish"))
    assert as_rows(live(glue_aws)) == before


def test_bad_increment_leaves_live_silver(glue_aws):
    run_day(glue_aws, DAY2, stats((1, "/a/", DAY1, 5, 10)))
    etag = glue_aws.etags(glue_aws.silver_bucket, "wordpress_api/")
    bad = stats((2, "/a/", "2025-02-30", 1, 10))
    write_bronze(glue_aws.bronze_bucket, "statistics_pages", bronze_frame("statistics_pages", bad), DAY3)
    with pytest.raises(SilverJobError, match="2025-02-30"):
        run_silver(argv(glue_aws, DAY3, "write"))
    assert glue_aws.etags(glue_aws.silver_bucket, "wordpress_api/") == etag


def test_previous_silver_without_ingest_date_is_named(glue_aws):
    frame = transform_dataset(
        bronze_frame("statistics_pages", stats((1, "/a/", DAY1, 5, 10))),
        WORDPRESS.dataset("statistics_pages"),
        "x",
    )
    with pytest.raises(SilverInputError, match="has no 'ingest_date' column"):
        merge_increment(frame, frame, WORDPRESS.dataset("statistics_pages"), DAY2)


def test_merge_datasets_must_be_mapped(glue_aws):
    with pytest.raises(ValueError, match="--merge_datasets names datasets without a silver mapping"):
        read_config(argv(glue_aws, DAY2, "write", "--merge_datasets", "comments"), WORDPRESS)


def test_merge_datasets_must_be_incremental_in_the_contract(glue_aws):
    with pytest.raises(ValueError, match=r"declares snapshot \(load.mode\), not incremental: \['posts'\]"):
        read_config(argv(glue_aws, DAY2, "write", "--merge_datasets", "statistics_pages,posts"), WORDPRESS)


def test_backfill_drops_rows_that_vanished_from_the_site_within_its_range(glue_aws):
    run_day(glue_aws, DAY2, stats((1, "/a/", DAY1, 5, 10), (2, "/b/", DAY1, 7, 11), (3, "/a/", DAY2, 1, 10)))
    # A backfill from DAY2: the site no longer has page 3 (DAY2) and re-delivers nothing else of
    # DAY2; page 2 of DAY1 is outside the range, so its absence from the increment says nothing.
    write_bronze(
        glue_aws.bronze_bucket,
        "statistics_pages",
        bronze_frame("statistics_pages", stats((4, "/c/", DAY3, 2, 12))),
        DAY3,
    )
    run_silver(argv(glue_aws, DAY3, "write", "--backfill_from", DAY2))
    run_silver(argv(glue_aws, DAY3, "publish"))
    assert as_rows(live(glue_aws)) == {
        1: ("/a/", DAY1, 5, DAY2),  # before the range: kept
        2: ("/b/", DAY1, 7, DAY2),
        4: ("/c/", DAY3, 2, DAY3),  # page 3 vanished within the range: gone
    }


def test_daily_run_passes_none_and_keeps_rows_outside_the_window(glue_aws):
    run_day(glue_aws, DAY2, stats((1, "/a/", DAY1, 5, 10), (3, "/a/", DAY2, 1, 10)))
    write_bronze(
        glue_aws.bronze_bucket,
        "statistics_pages",
        bronze_frame("statistics_pages", stats((4, "/c/", DAY3, 2, 12))),
        DAY3,
    )
    run_silver(argv(glue_aws, DAY3, "write", "--backfill_from", "none"))
    run_silver(argv(glue_aws, DAY3, "publish"))
    assert sorted(as_rows(live(glue_aws))) == [1, 3, 4]


def test_backfill_from_must_be_a_day(glue_aws):
    with pytest.raises(ValueError, match="--backfill_from must be a day YYYY-MM-DD, got '2025-13-01'"):
        read_config(argv(glue_aws, DAY3, "write", "--backfill_from", "2025-13-01"), WORDPRESS)
