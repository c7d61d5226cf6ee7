"""Gold job (Glue 5.x, PySpark 3.5): silver posts + statistics_pages -> gold statistics_postname.

Sources  <silver>/<source>/posts/, <silver>/<source>/statistics_pages/      (silver Parquet snapshots)
Sink     <gold>/<source>/statistics_postname/statistics_date_year=YYYY/  (snappy Parquet)
Transform (join -> mapping -> filter): inner join of posts and page statistics on the post id,
rename and drop to the gold columns (GOLD_MAPPING), keep post_type == "post".

Two deliberate departures from the console build's job, both tested:
- The join also requires statistics_pages.type == posts.post_type. WP Statistics stores the TERM id
  in `id` for category/tag archive rows, so joining on id alone credits archive views to whichever
  post has the same number.
- Idempotent sink (`lakehouse_common.gold_sink.save_snapshot`): new files are written first, then
  every file the folder held before the job started is deleted, so a re-run leaves one copy and a
  failed write leaves the previous snapshot readable. No run-id objects pile up.

Partitioning: by statistics_date_year, one file per year (repartition on the same column). Yearly
volumes of a blog are a few MB to tens of MB, so files stay in Parquet's efficient size range,
Athena/Spark queries for a year (the usual report) read one file, and the job still writes years in
parallel. `coalesce(1)` would give the same file count for one year but funnel the whole join
through a single task and lose pruning.

Arguments: --silver_bucket, --gold_bucket, [--source_name wordpress_api], [--failure_topic_arn arn],
[--storage_root URI]. Paths are s3://<bucket>/... on AWS; with --storage_root (e.g. file:///tmp/stage)
they become <storage_root>/<bucket>/..., which is how local runs use it: local Spark cannot read
s3:// (no hadoop-aws), so the emulator stages buckets to local folders and back.
"""

import logging
import sys
from typing import Any, List, Optional, Sequence, Tuple

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from lakehouse_common.datasets import GOLD_STATISTICS_POSTNAME, SOURCE_WORDPRESS
from lakehouse_common.glue_job import get_job_arguments, job_start_utc, run_or_notify
from lakehouse_common.gold_sink import dataset_uri, save_snapshot
from lakehouse_common.logging_setup import configure_logging

LOGGER = logging.getLogger("gold_statistics_postname")
STAGE = "gold statistics_postname"
PARTITION_COLUMN = "statistics_date_year"

# The gold columns: (silver column, gold column, gold type). Silver splits a date column into
# <col>_todate/_year/_month/_day and does not keep the raw string, so statistics_date is read
# from date_todate; everything not listed (post_modified*, id, type, uri, ...) is dropped.
GOLD_MAPPING: Tuple[Tuple[str, str, str], ...] = (
    ("ID", "post_ID", "long"),
    ("post_title", "post_title", "string"),
    ("post_status", "post_status", "string"),
    ("post_parent", "post_parent", "long"),
    ("post_type", "post_type", "string"),
    ("post_date_todate", "post_date", "timestamp"),
    ("post_date_year", "post_date_year", "long"),
    ("post_date_month", "post_date_month", "long"),
    ("post_date_day", "post_date_day", "long"),
    ("page_id", "statistics_id", "long"),
    ("date_todate", "statistics_date", "timestamp"),
    ("count", "statistics_count", "long"),
    ("date_year", "statistics_date_year", "long"),
    ("date_month", "statistics_date_month", "long"),
    ("date_day", "statistics_date_day", "long"),
)
GOLD_COLUMNS: List[str] = [target for _source, target, _type in GOLD_MAPPING]


# ---- sources ---------------------------------------------------------------------------------


def load_posts(glue_context: Any, silver_uri: str) -> DataFrame:
    """Silver posts snapshot."""
    return glue_context.spark_session.read.parquet(silver_uri)


def load_statistics_pages(glue_context: Any, silver_uri: str) -> DataFrame:
    """Silver statistics_pages snapshot."""
    return glue_context.spark_session.read.parquet(silver_uri)


# ---- transform -------------------------------------------------------------------------------


def transform_statistics_postname(posts: DataFrame, statistics: DataFrame) -> DataFrame:
    """Join, map and filter (pure Spark, no I/O)."""
    missing = [
        f"{side}.{column}"
        for side, frame, columns in (
            ("posts", posts, [s for s, _t, _y in GOLD_MAPPING[:9]]),
            ("statistics_pages", statistics, [s for s, _t, _y in GOLD_MAPPING[9:]] + ["id", "type"]),
        )
        for column in columns
        if column not in frame.columns
    ]
    if missing:
        raise ValueError(f"silver input is missing column(s) {missing}")
    # Filtering before the join gives the same rows as filtering after it, on less data.
    blog_posts = posts.filter(F.col("post_type") == "post")
    # Spark resolves names case-insensitively: `ID` and `id` would be ambiguous after the join.
    post_views = statistics.filter(F.col("type") == "post").withColumnRenamed("id", "viewed_post_id")
    joined = blog_posts.join(post_views, blog_posts["ID"] == post_views["viewed_post_id"], "inner")
    return joined.select([F.col(source).cast(kind).alias(target) for source, target, kind in GOLD_MAPPING])


# ---- sink ------------------------------------------------------------------------------------


def save_statistics_postname(df: DataFrame, glue_context: Any, gold_uri: str, job_start: Any) -> List[str]:
    """The new snapshot, one file per year, through the idempotent sink; returns the files written.
    `glue_context` is unused by the write itself (Spark's writer handles s3:// on Glue and file://
    locally) but kept so every gold sink has the same signature."""
    del glue_context
    return save_snapshot(df, gold_uri, job_start, partition_column=PARTITION_COLUMN)


# ---- main ------------------------------------------------------------------------------------


def run(glue_context: Any, argv: Sequence[str]) -> List[str]:
    """Read arguments, build the gold snapshot and save it; returns the files written."""
    job_start = job_start_utc()
    args = get_job_arguments(
        required=["silver_bucket", "gold_bucket"],
        optional={"source_name": SOURCE_WORDPRESS, "failure_topic_arn": None, "storage_root": None},
        argv=argv,
    )
    source, root = str(args["source_name"]), args["storage_root"]
    silver_bucket, gold_bucket = str(args["silver_bucket"]), str(args["gold_bucket"])
    posts = load_posts(glue_context, dataset_uri(silver_bucket, source, "posts", root))
    statistics = load_statistics_pages(
        glue_context, dataset_uri(silver_bucket, source, "statistics_pages", root)
    )
    gold = transform_statistics_postname(posts, statistics)
    gold_uri = dataset_uri(gold_bucket, source, GOLD_STATISTICS_POSTNAME, root)
    return save_statistics_postname(gold, glue_context, gold_uri, job_start)


def main(glue_context: Any, argv: Optional[Sequence[str]] = None, sns_client: Any = None) -> List[str]:
    """Job entry point (main(glue_context), as every gold job's); failures notify, then fail the run."""
    configure_logging("gold_statistics_postname")
    arguments = list(sys.argv if argv is None else argv)
    # Read the topic on its own first, so even a missing required argument is reported.
    topic = get_job_arguments([], {"failure_topic_arn": None}, arguments)["failure_topic_arn"]
    return run_or_notify(STAGE, topic, lambda: run(glue_context, arguments), sns_client)


if __name__ == "__main__":
    # Only on Glue: tests import this module without the Glue libraries.
    from awsglue.context import GlueContext
    from pyspark.context import SparkContext

    main(GlueContext(SparkContext.getOrCreate()))
