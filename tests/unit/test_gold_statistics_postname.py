"""Gold job: its real main(glue_context) on the GlueContext double and ONE local SparkSession.

Silver comes from the real silver job on moto S3, staged to local folders (local Spark cannot read
s3://), the way the emulator run does it; the job reads and writes them through --storage_root.
"""

import datetime as dt
import html
import os
from pathlib import Path
from typing import Any, Dict, List

import gold_statistics_postname as gold
import pytest
from fixtures_glue import run_silver
from glue_testing import assert_spark_rows, spark_frame

from lakehouse_common.gold_sink import dataset_uri


def _stage_bucket(glue_aws, bucket: str, root: Path) -> None:
    for key in glue_aws.keys(bucket):
        target = root / bucket / key
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(glue_aws.s3.get_object(Bucket=bucket, Key=key)["Body"].read())


def expected_gold(site: Dict[str, List[Dict[str, Any]]]) -> List[Dict[str, Any]]:
    """Plain-Python oracle: blog posts joined to their own page-view rows, the gold mapping."""
    posts = {row["ID"]: row for row in site["posts"] if row["post_type"] == "post"}
    out = []
    for stat in site["statistics_pages"]:
        post = posts.get(stat["id"])
        if post is None or stat["type"] != "post":
            continue
        created = dt.datetime.strptime(post["post_date"], "%Y-%m-%d %H:%M:%S")
        day = dt.datetime.strptime(stat["date"], "%Y-%m-%d")
        out.append(
            {
                "post_ID": post["ID"],
                "post_title": html.unescape(post["post_title"]),
                "post_status": post["post_status"],
                "post_parent": post["post_parent"],
                "post_type": "post",
                "post_date": created,
                "post_date_year": created.year,
                "post_date_month": created.month,
                "post_date_day": created.day,
                "statistics_id": stat["page_id"],
                "statistics_date": day,
                "statistics_count": stat["count"],
                "statistics_date_year": day.year,
                "statistics_date_month": day.month,
                "statistics_date_day": day.day,
            }
        )
    return out


def _data_files(folder: Path) -> List[str]:
    return sorted(
        str(path.relative_to(folder))
        for path in folder.rglob("*")
        if path.is_file() and path.suffix == ".parquet" and not path.name.startswith(".")
    )


@pytest.mark.spark
def test_main_builds_gold_and_a_rerun_leaves_one_copy(
    glue_aws, bronze_small, small_site, glue_context, tmp_path
):
    for stage in ("write", "publish"):  # silver's write-audit-publish, without the gate
        run_silver(
            [
                "silver",
                "--bronze_bucket",
                glue_aws.bronze_bucket,
                "--silver_bucket",
                glue_aws.silver_bucket,
                "--stage",
                stage,
            ]
        )
    _stage_bucket(glue_aws, glue_aws.silver_bucket, tmp_path)
    argv = [
        "gold_statistics_postname.py",
        "--silver_bucket",
        glue_aws.silver_bucket,
        "--gold_bucket",
        glue_aws.gold_bucket,
        "--failure_topic_arn",
        glue_aws.topic_arn,
        "--storage_root",
        f"file://{tmp_path}",
    ]
    out = tmp_path / glue_aws.gold_bucket / "wordpress_api" / "statistics_postname"
    spark = glue_context.spark_session
    expected = expected_gold(small_site)
    assert len(expected) > 100  # the oracle is not trivially empty

    gold.main(glue_context, argv)

    first = _data_files(out)
    assert [name.split("/")[0] for name in first] == ["statistics_date_year=2025"]  # one file per year
    result = spark.read.parquet(str(out))
    assert sorted(result.columns) == sorted(gold.GOLD_COLUMNS)
    assert_spark_rows(result, expected)

    os.utime(out / first[0], (1, 1))  # make "written before this job" unambiguous at 1 s resolution
    gold.main(glue_context, argv)

    second = _data_files(out)
    assert len(second) == 1 and second != first  # new copy written, old copy deleted
    assert_spark_rows(spark.read.parquet(str(out)), expected)
    assert glue_context.method_calls == []  # reads and writes go through spark_session only
    assert glue_aws.notifications() == []


@pytest.mark.spark
def test_transform_joins_only_post_views_and_maps_columns(spark):
    posts = spark_frame(
        spark,
        [
            (11, "A &amp; B", "publish", 0, "post", dt.datetime(2025, 1, 2, 3, 4, 5), 2025, 1, 2),
            (12, "About", "publish", 0, "page", dt.datetime(2025, 1, 1), 2025, 1, 1),
            (13, "Unviewed", "publish", 0, "post", dt.datetime(2025, 1, 1), 2025, 1, 1),
        ],
        "ID long, post_title string, post_status string, post_parent long, post_type string, "
        "post_date_todate timestamp, post_date_year long, post_date_month long, post_date_day long",
    )
    day = dt.datetime(2025, 9, 2)
    statistics = spark_frame(
        spark,
        [
            (1, "/2025/01/02/a-b/", "post", day, 2025, 9, 2, 7, 11),
            (2, "/tag/python/", "post_tag", day, 2025, 9, 2, 3, 11),  # TERM id 11, not post 11
            (3, "/about/", "page", day, 2025, 9, 2, 5, 12),
        ],
        "page_id long, uri string, type string, date_todate timestamp, date_year long, "
        "date_month long, date_day long, count long, id long",
    )

    result = gold.transform_statistics_postname(posts, statistics)

    assert result.columns == gold.GOLD_COLUMNS
    assert dict(result.dtypes)["post_date"] == "timestamp"
    assert_spark_rows(
        result,
        [
            {
                "post_ID": 11,
                "post_title": "A &amp; B",  # gold takes silver's text as is (silver decodes)
                "post_status": "publish",
                "post_parent": 0,
                "post_type": "post",
                "post_date": dt.datetime(2025, 1, 2, 3, 4, 5),
                "post_date_year": 2025,
                "post_date_month": 1,
                "post_date_day": 2,
                "statistics_id": 1,
                "statistics_date": day,
                "statistics_count": 7,
                "statistics_date_year": 2025,
                "statistics_date_month": 9,
                "statistics_date_day": 2,
            }
        ],
    )
    with pytest.raises(ValueError, match=r"statistics_pages.count"):
        gold.transform_statistics_postname(posts, statistics.drop("count"))


@pytest.mark.spark
def test_failure_notifies_and_leaves_earlier_gold_in_place(glue_aws, glue_context, tmp_path):
    earlier = tmp_path / glue_aws.gold_bucket / "wordpress_api" / "statistics_postname" / "part-0.parquet"
    earlier.parent.mkdir(parents=True)
    earlier.write_bytes(b"earlier gold")
    argv = [
        "gold_statistics_postname.py",
        "--silver_bucket",
        glue_aws.silver_bucket,
        "--gold_bucket",
        glue_aws.gold_bucket,
        "--failure_topic_arn",
        glue_aws.topic_arn,
        "--storage_root",
        f"file://{tmp_path}",
    ]
    with pytest.raises(Exception, match=r"PATH_NOT_FOUND|Path does not exist"):
        gold.main(glue_context, argv)
    assert earlier.read_bytes() == b"earlier gold"
    [note] = glue_aws.notifications()
    assert note["Subject"] == "gold statistics_postname failed"
    assert "wordpress_api/posts" in note["Message"]

    with pytest.raises(Exception, match="--gold_bucket"):
        gold.main(glue_context, ["gold", "--silver_bucket", "s", "--failure_topic_arn", glue_aws.topic_arn])
    assert "missing job argument(s): --gold_bucket" in glue_aws.notifications()[0]["Message"]


def test_paths_are_s3_on_aws_and_injectable_for_local_runs():
    assert dataset_uri("lake-gold", "wordpress_api", "statistics_postname") == (
        "s3://lake-gold/wordpress_api/statistics_postname/"
    )
    assert dataset_uri("lake-gold", "wordpress_api", "posts", "file:///stage/") == (
        "file:///stage/lake-gold/wordpress_api/posts/"
    )
