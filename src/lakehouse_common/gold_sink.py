"""Where gold (and any Spark job's) snapshots live, and the idempotent way to replace them.

- `dataset_uri`: s3://bucket/source/dataset/ on AWS, <storage_root>/bucket/source/dataset/ for
  local runs (local Spark cannot read s3://, so the emulator stages buckets to local folders and
  back, and jobs take --storage_root).
- `save_snapshot`: the idempotent sink. New files are written first, then every file the folder
  held before the job started is deleted, so a re-run leaves one copy and a failed write leaves
  the previous snapshot readable; no run-id objects pile up.

No pyspark import here: the DataFrame is used through its writer only, so the module loads in
any artifact (and in tests) without Spark.
"""

import logging
from typing import Any, List, Optional

from lakehouse_common import layout
from lakehouse_common.s3_cleanup import delete_files_before, list_files

LOGGER = logging.getLogger(__name__)


def dataset_uri(bucket: str, source: str, dataset: str, storage_root: Optional[str] = None) -> str:
    """s3://bucket/source/dataset/ on AWS, <storage_root>/bucket/source/dataset/ for local runs."""
    s3_uri = layout.dataset_prefix(bucket, source, dataset)
    if not storage_root:
        return s3_uri
    return f"{storage_root.rstrip('/')}/{s3_uri[len('s3://') :]}"


def save_snapshot(
    df: Any, uri: str, job_start: Any, partition_column: Optional[str] = None, compression: str = "snappy"
) -> List[str]:
    """Write `df` (a Spark DataFrame) as the new snapshot at `uri`, then delete the files from
    before `job_start`; returns the files written.

    With `partition_column`, one file per partition value (repartition on the same column): a
    partition's rows are written by one task, so files stay few and queries prune by the column.
    """
    before = set(list_files(uri))
    frame = df.repartition(partition_column) if partition_column else df
    writer = frame.write.mode("append")
    if partition_column:
        writer = writer.partitionBy(partition_column)
    writer.option("compression", compression).parquet(uri)
    written = sorted(set(list_files(uri)) - before)
    deleted = delete_files_before(uri, job_start, keep=written)
    LOGGER.info("%s: wrote %d file(s), deleted %d old file(s)", uri, len(written), len(deleted))
    return written
