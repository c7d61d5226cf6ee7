"""Bronze Lambda: raw JSON of one ingest date -> bronze Parquet partition, per dataset.

For each dataset it reads the NEWEST raw run of the date (several runs of one date are possible:
re-runs, retries; by S3 LastModified, then key) with awswrangler, checks it against the dataset's
column contract (non-empty, JSON array of objects, every expected column, whole numbers in integer
columns, text in text columns, well-formed dates, key columns present and unique), and writes it
as s3://$BRONZE_BUCKET/<source>/<dataset>/ingest_date=YYYY-MM-DD/<dataset>.parquet. The new file is
written first and only then are other files of that partition deleted, so a failure leaves the
previous partition readable and a re-run leaves the same single object. Other partitions are
never touched. A failed dataset does not stop the others; failures are published to
$FAILURE_TOPIC_ARN and the invocation raises BronzeLoadError.

Needs only what the AWS SDK for pandas layer and the Lambda runtime provide.

Handler: bronze_wordpress_api.handler.handler
Env: RAW_BUCKET, BRONZE_BUCKET, SOURCE_NAME (wordpress_api), DATASETS (the five WordPress datasets),
     FAILURE_TOPIC_ARN, LOG_LEVEL.
Event: {"ingest_date": "YYYY-MM-DD"} (optional: default today UTC).
"""

import json
import logging
import os
import re
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from botocore.exceptions import BotoCoreError, ClientError

from lakehouse_common import arguments, layout, notifications
from lakehouse_common.aws import configure_awswrangler
from lakehouse_common.datasets import SOURCE_WORDPRESS, WORDPRESS_COLUMNS, WORDPRESS_DATASETS, WORDPRESS_KEYS
from lakehouse_common.layout import INGESTED_AT_METADATA, LAST_PART_METADATA
from lakehouse_common.logging_setup import configure_logging

LOGGER = logging.getLogger(__name__)
STAGE = "bronze_wordpress_api"
_FORMATS = {
    "datetime": (re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"), "YYYY-MM-DD HH:MM:SS"),
    "date": (re.compile(r"^\d{4}-\d{2}-\d{2}$"), "YYYY-MM-DD"),
}
_SHOW = 5  # offending rows/values quoted in an error message


class BronzeLoadError(RuntimeError):
    """One or more datasets could not be loaded; the message lists each cause."""


class DatasetError(ValueError):
    """One dataset's failure, worded for the notification (which object, what is wrong)."""


@dataclass(frozen=True)
class BronzeSettings:
    raw_bucket: str
    bronze_bucket: str
    source: str
    datasets: Tuple[str, ...]
    failure_topic_arn: Optional[str]
    # Datasets the raw stage fetches from a start day: an empty window is valid (no rows).
    incremental_datasets: Tuple[str, ...] = ()


def load_settings(environ: Optional[Mapping[str, str]] = None) -> BronzeSettings:
    env = os.environ if environ is None else environ
    datasets = arguments.env_list("DATASETS", WORDPRESS_DATASETS, env)
    unknown = [name for name in datasets if name not in WORDPRESS_COLUMNS]
    if unknown:
        raise arguments.ConfigError(
            f"environment variable DATASETS names unknown dataset(s) {unknown}; "
            f"known: {list(WORDPRESS_COLUMNS)}"
        )
    return BronzeSettings(
        raw_bucket=arguments.env_str("RAW_BUCKET", environ=env),
        bronze_bucket=arguments.env_str("BRONZE_BUCKET", environ=env),
        source=arguments.env_str("SOURCE_NAME", SOURCE_WORDPRESS, env),
        datasets=datasets,
        failure_topic_arn=env.get("FAILURE_TOPIC_ARN") or None,
        incremental_datasets=tuple(
            item.strip() for item in (env.get("INCREMENTAL_DATASETS") or "").split(",") if item.strip()
        ),
    )


# ---- pure parts ---------------------------------------------------------------------------------
def choose_newest(
    objects: Sequence[Mapping[str, Any]], ingested_at: Optional[Mapping[str, str]] = None
) -> str:
    """Key of the newest raw run among list_objects_v2 entries.

    Newest LastModified wins; runs written within the same second (listings have one-second
    resolution) are ordered by their ingested-at metadata (`ingested_at`: key -> value), then key.
    """
    stamps = ingested_at or {}
    newest = max(objects, key=lambda item: (item["LastModified"], stamps.get(item["Key"], ""), item["Key"]))
    return str(newest["Key"])


def same_second_ties(objects: Sequence[Mapping[str, Any]]) -> List[str]:
    """Keys sharing the newest LastModified (only these need their metadata read)."""
    latest = max(item["LastModified"] for item in objects)
    ties = [str(item["Key"]) for item in objects if item["LastModified"] == latest]
    return ties if len(ties) > 1 else []


def _rows(mask: Any) -> List[int]:
    return [int(index) for index in mask[mask].index[:_SHOW]]


def _check_int_column(frame: Any, column: str, where: str) -> Any:
    import pandas as pd  # noqa: PLC0415 - provided by the AWS SDK for pandas layer

    values = frame[column]
    is_bool = values.map(lambda value: isinstance(value, bool))
    numbers = pd.to_numeric(values.where(~is_bool), errors="coerce")
    bad = (values.notna() & numbers.isna()) | is_bool | (numbers.notna() & (numbers % 1 != 0))
    if bad.any():
        rows = _rows(bad)
        raise DatasetError(
            f"{where}: column {column} must hold whole numbers; rows {rows} hold "
            f"{values.loc[rows].tolist()!r}"
        )
    return numbers.astype("Int64")


def _check_text_column(frame: Any, column: str, kind: str, where: str) -> Any:
    values = frame[column]
    bad = values.notna() & ~values.map(lambda value: isinstance(value, str))
    if kind in _FORMATS:
        pattern, shape = _FORMATS[kind]
        bad |= values.map(lambda value: isinstance(value, str) and not pattern.match(value))
    else:
        shape = "text"
    if bad.any():
        rows = _rows(bad)
        raise DatasetError(
            f"{where}: column {column} must hold {shape}; rows {rows} hold {values.loc[rows].tolist()!r}"
        )
    return values.astype("string")


def empty_contract_frame(dataset: str) -> Any:
    """No rows, the contract's columns and bronze types (an incremental window without rows)."""
    import pandas as pd  # noqa: PLC0415 - from the AWS SDK for pandas layer

    return pd.DataFrame(
        {
            name: pd.Series([], dtype="Int64" if kind == "int" else "string")
            for name, kind in WORDPRESS_COLUMNS[dataset]
        }
    )


def conform(frame: Any, dataset: str, where: str, allow_empty: bool = False) -> Any:
    """Validate raw rows against the dataset contract -> typed DataFrame in contract column order.

    Integer columns become nullable Int64, text/date columns pandas strings (dates are parsed in
    silver). Columns beyond the contract are kept after the contract ones. DatasetError otherwise.
    """
    if len(frame.index) == 0:
        if allow_empty:
            return empty_contract_frame(dataset)
        raise DatasetError(f"{where}: has no rows")
    frame = frame.reset_index(drop=True)
    contract = WORDPRESS_COLUMNS[dataset]
    names = [name for name, _kind in contract]
    columns = [str(column) for column in frame.columns]
    missing = [name for name in names if name not in columns]
    if missing:
        raise DatasetError(f"{where}: missing expected column(s) {missing}; found {columns[:30]}")
    out = frame[names + sorted(set(columns) - set(names))].copy()
    for name, kind in contract:
        out[name] = (
            _check_int_column(out, name, where)
            if kind == "int"
            else _check_text_column(out, name, kind, where)
        )
    keys = list(WORDPRESS_KEYS[dataset])
    null_keys = out[keys].isna().any(axis=1)
    if null_keys.any():
        raise DatasetError(f"{where}: key column(s) {keys} are empty in rows {_rows(null_keys)}")
    duplicated = out.duplicated(subset=keys, keep=False)
    if duplicated.any():
        examples = out.loc[duplicated, keys].drop_duplicates().head(_SHOW).to_dict("records")
        raise DatasetError(
            f"{where}: {int(duplicated.sum())} rows share a key {keys}; duplicated keys include "
            f"{json.dumps(examples, default=int)}"
        )
    return out


# ---- I/O ----------------------------------------------------------------------------------------
def newest_raw_run(
    s3: Any, settings: BronzeSettings, dataset: str, ingest_date: str
) -> Tuple[List[str], int]:
    """(keys of the newest raw run of the date: one object, or its parts in order; runs found).

    DatasetError if there is none, or if the newest run was stored in parts and its last part is
    missing (its fetch did not finish): bronze never loads half a run.
    """
    prefix = layout.partition_prefix(settings.raw_bucket, settings.source, dataset, ingest_date)
    key_prefix = prefix[len(f"s3://{settings.raw_bucket}/") :]
    objects: List[Mapping[str, Any]] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=settings.raw_bucket, Prefix=key_prefix):
        objects += [item for item in page.get("Contents", []) if item["Key"].endswith(".json")]
    if not objects:
        raise DatasetError(f"no raw object under {prefix} (did the raw stage run for {ingest_date}?)")
    runs: Dict[str, List[Mapping[str, Any]]] = {}
    for item in objects:
        runs.setdefault(layout.raw_run_part(item["Key"])[0], []).append(item)
    # A run's time is that of its newest object; the newest run wins (see choose_newest).
    latest = [max(items, key=lambda item: (item["LastModified"], item["Key"])) for items in runs.values()]
    ingested_at = {
        key: s3.head_object(Bucket=settings.raw_bucket, Key=key)
        .get("Metadata", {})
        .get(INGESTED_AT_METADATA, "")
        for key in same_second_ties(latest)
    }
    run = layout.raw_run_part(choose_newest(latest, ingested_at))[0]
    keys = sorted(str(item["Key"]) for item in runs[run])
    numbers = [layout.raw_run_part(key)[1] for key in keys]
    if numbers != [None]:
        last = s3.head_object(Bucket=settings.raw_bucket, Key=keys[-1]).get("Metadata", {})
        if numbers != list(range(len(keys))) or last.get(LAST_PART_METADATA) != "true":
            raise DatasetError(
                f"raw run {run} under {prefix} is incomplete (parts {numbers}, the last without "
                f"{LAST_PART_METADATA}=true): its fetch did not finish"
            )
    return keys, len(runs)


def read_raw(wr: Any, path: str) -> Any:
    """Read one raw JSON array with awswrangler; DatasetError naming the object if it is not one."""
    try:
        return wr.s3.read_json(path, orient="records", dtype=False, convert_dates=False, precise_float=True)
    except (ValueError, TypeError, AttributeError) as error:
        # pandas' own wording ("Expected object or value", "'int' object has no attribute 'keys'").
        raise DatasetError(
            f"{path}: is not a JSON array of objects ({type(error).__name__}: {error})"
        ) from None


def write_partition(wr: Any, s3: Any, frame: Any, partition: str, dataset: str) -> str:
    """Write <partition><dataset>.parquet, then delete any other object of that partition."""
    path = f"{partition}{dataset}.parquet"
    wr.s3.to_parquet(frame, path=path, index=False, compression="snappy")
    delete_leftovers(s3, partition, [path])
    return path


def load_dataset(
    wr: Any, s3: Any, settings: BronzeSettings, dataset: str, ingest_date: str
) -> Dict[str, Any]:
    raw_keys, runs = newest_raw_run(s3, settings, dataset, ingest_date)
    partition = layout.partition_prefix(settings.bronze_bucket, settings.source, dataset, ingest_date)
    allow_empty = dataset in settings.incremental_datasets
    if len(raw_keys) == 1:
        raw_path = f"s3://{settings.raw_bucket}/{raw_keys[0]}"
        frame = conform(read_raw(wr, raw_path), dataset, raw_path, allow_empty=allow_empty)
        written = [write_partition(wr, s3, frame, partition, dataset)]
        rows, columns = len(frame.index), len(frame.columns)
    else:
        written, rows, columns = load_parts(wr, s3, settings, dataset, raw_keys=raw_keys, partition=partition)
    LOGGER.info("bronze %s: %d rows from %s (%d raw run(s)) -> %s", dataset, rows, raw_keys, runs, written)
    return {
        "objects": len(written),
        "rows": rows,
        "columns": columns,
        "path": partition,
        "key": written[-1],
        "raw_key": raw_keys[-1],
        "raw_objects": len(raw_keys),
        "raw_runs": runs,
    }


def load_parts(
    wr: Any, s3: Any, settings: BronzeSettings, dataset: str, *, raw_keys: Sequence[str], partition: str
) -> Tuple[List[str], int, int]:
    """Convert a raw run stored in parts one part at a time (memory holds one part) into
    <dataset>.part-NNNNN.parquet files -> (written paths, rows, columns).

    Keys must be unique across parts too. Only when every part is written are the partition's
    other files deleted; on any failure the parts written so far are deleted, so the previous
    partition stays as it was.
    """
    import pandas as pd  # noqa: PLC0415 - from the AWS SDK for pandas layer

    key_columns = list(WORDPRESS_KEYS[dataset])
    written: List[str] = []
    seen: List[Any] = []
    rows = columns = 0
    try:
        for number, raw_key in enumerate(raw_keys):
            raw_path = f"s3://{settings.raw_bucket}/{raw_key}"
            frame = conform(
                read_raw(wr, raw_path),
                dataset,
                raw_path,
                allow_empty=dataset in settings.incremental_datasets,
            )
            path = f"{partition}{dataset}.part-{number:05d}.parquet"
            wr.s3.to_parquet(frame, path=path, index=False, compression="snappy")
            written.append(path)
            seen.append(frame[key_columns].copy())
            rows, columns = rows + len(frame.index), max(columns, len(frame.columns))
            del frame
        keys = pd.concat(seen, ignore_index=True)
        duplicated = keys.duplicated(keep=False)
        if duplicated.any():
            examples = keys.loc[duplicated].drop_duplicates().head(_SHOW).to_dict("records")
            raise DatasetError(
                f"raw run {raw_keys[0]}: {int(duplicated.sum())} rows share a key {key_columns} across "
                f"parts; duplicated keys include {json.dumps(examples, default=int)}"
            )
    except Exception:
        delete_keys(s3, partition, written)
        raise
    delete_leftovers(s3, partition, written)
    return written, rows, columns


def delete_keys(s3: Any, partition: str, paths: Sequence[str]) -> None:
    bucket = partition[len("s3://") :].partition("/")[0]
    objects = [{"Key": path[len(f"s3://{bucket}/") :]} for path in paths]
    for start in range(0, len(objects), 1000):
        s3.delete_objects(Bucket=bucket, Delete={"Objects": objects[start : start + 1000], "Quiet": True})


def delete_leftovers(s3: Any, partition: str, keep: Sequence[str]) -> None:
    """Delete every object of the partition but `keep` (full s3:// paths)."""
    bucket, _, key_prefix = partition[len("s3://") :].partition("/")
    leftovers = [
        f"s3://{bucket}/{item['Key']}"
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=key_prefix)
        for item in page.get("Contents", [])
        if f"s3://{bucket}/{item['Key']}" not in keep
    ]
    delete_keys(s3, partition, leftovers)


def _notify_failure(
    settings: BronzeSettings, ingest_date: str, failed: Dict[str, str], loaded: Mapping[str, Any], sns: Any
) -> None:
    notifications.publish_failure(
        settings.failure_topic_arn,
        notifications.failure_subject(STAGE, failed),
        notifications.failure_message(STAGE, ingest_date, failed, loaded),
        sns,
    )


def run(
    event: Optional[Mapping[str, Any]], settings: BronzeSettings, *, wr: Any, s3: Any, sns: Any
) -> Dict[str, Any]:
    """Load every dataset of the date; return the summary or raise BronzeLoadError after notifying."""
    try:
        ingest_date = arguments.event_ingest_date(event)
    except ValueError as error:
        _notify_failure(
            settings, str((event or {}).get("ingest_date")), {"configuration": str(error)}, {}, sns
        )
        raise BronzeLoadError(f"configuration: {error}") from error
    loaded: Dict[str, Dict[str, Any]] = {}
    failed: Dict[str, str] = {}
    for dataset in settings.datasets:
        try:
            loaded[dataset] = load_dataset(wr, s3, settings, dataset, ingest_date)
        except DatasetError as error:
            failed[dataset] = str(error)
        except (ClientError, BotoCoreError) as error:
            failed[dataset] = f"AWS error: {error}"
        except Exception as error:  # e.g. pyarrow refusing a column: still load the others, notify
            LOGGER.exception("bronze %s: unexpected error", dataset)
            failed[dataset] = f"unexpected {type(error).__name__}: {error}"
        if dataset in failed:
            LOGGER.error("bronze %s failed: %s", dataset, failed[dataset])
    summary = {
        "ingest_date": ingest_date,
        "bucket": settings.bronze_bucket,
        "datasets": loaded,
        "failed": failed,
    }
    LOGGER.info("bronze summary: %s", json.dumps(summary, sort_keys=True))
    if failed:
        _notify_failure(settings, ingest_date, failed, loaded, sns)
        causes = notifications.join_causes(failed)
        raise BronzeLoadError(f"{len(failed)} of {len(settings.datasets)} datasets failed: {causes}")
    return summary


def handler(event: Optional[Mapping[str, Any]], context: Any) -> Dict[str, Any]:
    """Lambda entry point."""
    import boto3  # noqa: PLC0415 - keeps the pure parts importable without AWS libraries

    configure_logging(STAGE)
    settings = load_settings()
    return run(event, settings, wr=configure_awswrangler(), s3=boto3.client("s3"), sns=boto3.client("sns"))
