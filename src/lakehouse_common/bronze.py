"""Bronze load for any source, configured by its contract: raw objects of one ingest date ->
one bronze Parquet partition per dataset.

For each dataset it reads the raw delivery of the date (an HTTP dataset: the NEWEST raw run, as
several runs of one date are possible: re-runs, retries; a landing dataset: every file dropped
that day, as each drop is a delivery), checks every row against the dataset's contract
(`lakehouse_common.contract`: every column present, each value of its kind, key columns
non-null), applies the duplicate rule (exact duplicate rows are dropped and logged; rows that
share a key but differ are rejected naming the key), and writes
s3://<bronze>/<source>/<dataset>/ingest_date=YYYY-MM-DD/<dataset>.parquet. The new file is written
first and only then are other files of that partition deleted, so a failure leaves the previous
partition readable and a re-run leaves the same single object. A failed dataset does not stop the
others; the failures are published once and `run` raises BronzeLoadError.

Bronze types: int -> Int64, float -> Float64, decimal -> decimal(precision, scale), bool ->
boolean, text/html/date/datetime/timestamp_tz -> string exactly as delivered (validated here,
parsed in silver). Columns beyond the contract are kept after the contract's, sorted.

Needs only what the AWS SDK for pandas layer and the Lambda runtime provide.
"""

import datetime as dt
import decimal
import json
import logging
import math
import re
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from botocore.exceptions import BotoCoreError, ClientError

from lakehouse_common import arguments, layout, notifications
from lakehouse_common.contract import Column, Contract, Dataset
from lakehouse_common.layout import INGESTED_AT_METADATA, LAST_PART_METADATA

LOGGER = logging.getLogger(__name__)
_SHOW = 5  # offending rows/values quoted in an error message
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
# ISO 8601 with a zone: date, "T" (or a space), time with optional fraction, then Z or +hh:mm.
_TIMESTAMP_TZ_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$", re.IGNORECASE
)
# Raw object suffixes bronze reads: an HTTP run's JSON arrays, or a landing drop's format.
FORMAT_SUFFIXES: Mapping[str, Tuple[str, ...]] = {
    "json": (".json",),
    "ndjson": (".ndjson", ".jsonl"),
    "csv": (".csv",),
}


class BronzeLoadError(RuntimeError):
    """One or more datasets could not be loaded; the message lists each cause."""


class DatasetError(ValueError):
    """One dataset's failure, worded for the notification (which object, what is wrong)."""


@dataclass(frozen=True)
class BronzeSettings:
    raw_bucket: str
    bronze_bucket: str
    contract: Contract
    datasets: Tuple[str, ...]
    failure_topic_arn: Optional[str]
    # Datasets the raw stage fetches from a start day: an empty window is valid (no rows).
    incremental_datasets: Tuple[str, ...] = ()

    @property
    def source(self) -> str:
        return self.contract.source

    @property
    def stage(self) -> str:
        """How notifications and logs name this load: bronze_<source>."""
        return f"bronze_{self.contract.source}"


def load_settings(contract: Contract, environ: Mapping[str, str]) -> BronzeSettings:
    """Settings from the function's environment; DATASETS (optional) must be contract datasets."""
    datasets = arguments.env_list("DATASETS", contract.dataset_names, environ)
    incremental = tuple(
        item.strip() for item in (environ.get("INCREMENTAL_DATASETS") or "").split(",") if item.strip()
    )
    for variable, names in (("DATASETS", datasets), ("INCREMENTAL_DATASETS", incremental)):
        unknown = [name for name in names if name not in contract.datasets]
        if unknown:
            raise arguments.ConfigError(
                f"environment variable {variable} names unknown dataset(s) {unknown}; "
                f"{contract.origin} declares {list(contract.dataset_names)}"
            )
    return BronzeSettings(
        raw_bucket=arguments.env_str("RAW_BUCKET", environ=environ),
        bronze_bucket=arguments.env_str("BRONZE_BUCKET", environ=environ),
        contract=contract,
        datasets=datasets,
        failure_topic_arn=environ.get("FAILURE_TOPIC_ARN") or None,
        incremental_datasets=incremental,
    )


# ---- pure parts: checking values against the contract ------------------------------------------
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


def _plain(value: Any) -> Any:
    """A numpy/pandas scalar as its Python value (for JSON in error messages)."""
    return value.item() if hasattr(value, "item") else str(value)


def _refuse(values: Any, bad: Any, where: str, column: str, shape: str) -> None:
    if bad.any():
        rows = _rows(bad)
        raise DatasetError(
            f"{where}: column {column} must hold {shape}; rows {rows} hold {values.loc[rows].tolist()!r}"
        )


def _is_text(value: Any) -> bool:
    return isinstance(value, str)


def _int_column(values: Any, where: str, column: str) -> Any:
    import pandas as pd  # noqa: PLC0415 - provided by the AWS SDK for pandas layer

    is_bool = values.map(lambda value: isinstance(value, bool))
    numbers = pd.to_numeric(values.where(~is_bool), errors="coerce")
    bad = (values.notna() & numbers.isna()) | is_bool | (numbers.notna() & (numbers % 1 != 0))
    _refuse(values, bad, where, column, "whole numbers")
    return numbers.astype("Int64")


def _float_column(values: Any, where: str, column: str) -> Any:
    import pandas as pd  # noqa: PLC0415

    is_bad_type = values.map(lambda value: isinstance(value, bool))
    numbers = pd.to_numeric(values.where(~is_bad_type), errors="coerce")
    _refuse(values, (values.notna() & numbers.isna()) | is_bad_type, where, column, "numbers")
    return numbers.astype("Float64")


def _decimal_column(values: Any, where: str, column: Column) -> Any:
    quantum = decimal.Decimal(1).scaleb(-(column.scale or 0))
    limit = decimal.Decimal(10) ** ((column.precision or 38) - (column.scale or 0))

    def convert(value: Any) -> Any:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise ValueError(value)
        number = decimal.Decimal(str(value).strip())
        if not number.is_finite() or abs(number) >= limit or number != number.quantize(quantum):
            raise ValueError(value)
        return number.quantize(quantum)

    converted: List[Any] = []
    bad: List[bool] = []
    for value in values.tolist():
        try:
            converted.append(convert(value))
            bad.append(False)
        except (ValueError, ArithmeticError):
            converted.append(None)
            bad.append(True)
    import pandas as pd  # noqa: PLC0415

    shape = f"decimals with at most {column.precision} digits, {column.scale} after the point"
    _refuse(values, pd.Series(bad, index=values.index), where, column.name, shape)
    return pd.Series(converted, index=values.index, dtype="object")


_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}


def _bool_column(values: Any, where: str, column: str, from_text: bool) -> Any:
    def convert(value: Any) -> Any:
        if isinstance(value, bool):
            return value
        if from_text and isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        return None

    converted = values.map(convert)
    _refuse(values, values.notna() & converted.isna(), where, column, "true or false")
    return converted.astype("boolean")


def _valid_timestamp_tz(value: str) -> bool:
    if not _TIMESTAMP_TZ_RE.match(value):
        return False
    text = value[:-1] + "+00:00" if value[-1] in "zZ" else value
    text = text[:10] + "T" + text[11:]
    fraction = re.search(r"\.(\d+)", text)
    if fraction:  # Python 3.9's fromisoformat takes 3 or 6 fraction digits only
        text = text.replace(fraction.group(0), "." + fraction.group(1)[:6].ljust(6, "0"))
    if re.search(r"[+-]\d{4}$", text):
        text = text[:-2] + ":" + text[-2:]
    try:
        dt.datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


# Kinds kept as text: the check a value must pass, and how the error describes the shape.
_TEXT_KINDS: Mapping[str, Tuple[Optional[Callable[[str], bool]], str]] = {
    "text": (None, "text"),
    "html": (None, "text"),
    # Shapes only: MySQL's zero date "0000-00-00 00:00:00" (WordPress drafts) is a valid value
    # there, and silver decides what it means.
    "date": (lambda value: bool(_DATE_RE.match(value)), "YYYY-MM-DD"),
    "datetime": (lambda value: bool(_DATETIME_RE.match(value)), "YYYY-MM-DD HH:MM:SS"),
    "timestamp_tz": (_valid_timestamp_tz, "ISO-8601 timestamps with a zone (2026-11-17T10:22:22Z)"),
}


def _text_column(values: Any, where: str, column: str, kind: str) -> Any:
    check, shape = _TEXT_KINDS[kind]
    bad = values.notna() & ~values.map(_is_text)
    if check is not None:
        bad |= values.map(lambda value: isinstance(value, str) and not check(value))
    _refuse(values, bad, where, column, shape)
    return values.astype("string")


def conform_column(values: Any, column: Column, where: str, from_text: bool = False) -> Any:
    """One column checked against its kind -> its bronze dtype. Numbers may be spelled as text (as
    JSON exports of MySQL sometimes do); `from_text`: the values are CSV cells (all strings), so
    booleans may be spelled true/false/1/0/yes/no and an empty cell is a null."""
    if from_text:
        values = values.map(lambda value: None if isinstance(value, str) and value == "" else value)
    if column.kind == "int":
        return _int_column(values, where, column.name)
    if column.kind == "float":
        return _float_column(values, where, column.name)
    if column.kind == "decimal":
        return _decimal_column(values, where, column)
    if column.kind == "bool":
        return _bool_column(values, where, column.name, from_text)
    return _text_column(values, where, column.name, column.kind)


def parquet_dtypes(dataset: Dataset) -> Dict[str, str]:
    """Athena types awswrangler must cast to when pandas cannot say them (decimals)."""
    return {
        column.name: f"decimal({column.precision},{column.scale})"
        for column in dataset.columns
        if column.kind == "decimal"
    }


_EMPTY_DTYPES = {"int": "Int64", "float": "Float64", "bool": "boolean", "decimal": "object"}


def empty_frame(dataset: Dataset) -> Any:
    """No rows, the contract's columns and bronze types (an incremental window without rows)."""
    import pandas as pd  # noqa: PLC0415 - from the AWS SDK for pandas layer

    return pd.DataFrame(
        {
            column.name: pd.Series([], dtype=_EMPTY_DTYPES.get(column.kind, "string"))
            for column in dataset.columns
        }
    )


def conform(
    frame: Any, dataset: Dataset, where: str, allow_empty: bool = False, from_text: bool = False
) -> Any:
    """Validate raw rows against the dataset contract -> typed DataFrame in contract column order,
    exact duplicate rows dropped (logged). DatasetError names the object, rows and column."""
    if len(frame.index) == 0:
        if allow_empty:
            return empty_frame(dataset)
        raise DatasetError(f"{where}: has no rows")
    frame = frame.reset_index(drop=True)
    names = list(dataset.column_names)
    columns = [str(column) for column in frame.columns]
    missing = [name for name in names if name not in columns]
    if missing:
        raise DatasetError(f"{where}: missing expected column(s) {missing}; found {columns[:30]}")
    out = frame[names + sorted(set(columns) - set(names))].copy()
    for column in dataset.columns:
        out[column.name] = conform_column(out[column.name], column, where, from_text)
    keys = list(dataset.keys)
    null_keys = out[keys].isna().any(axis=1)
    if null_keys.any():
        raise DatasetError(f"{where}: key column(s) {keys} are empty in rows {_rows(null_keys)}")
    return drop_exact_duplicates(out, dataset, where)


def drop_exact_duplicates(frame: Any, dataset: Dataset, where: str) -> Any:
    """The duplicate rule: drop rows equal to an earlier row in every column (logged); refuse rows
    that share a key but differ, naming the key."""
    exact = frame.astype("string").duplicated(keep="first")
    if exact.any():
        LOGGER.warning(
            "%s: dropped %d exact duplicate row(s) (rows %s)", where, int(exact.sum()), _rows(exact)
        )
        frame = frame.loc[~exact].reset_index(drop=True)
    keys = list(dataset.keys)
    conflicting = frame.duplicated(subset=keys, keep=False)
    if conflicting.any():
        examples = frame.loc[conflicting, keys].drop_duplicates().head(_SHOW).to_dict("records")
        raise DatasetError(
            f"{where}: {int(conflicting.sum())} rows share a key {keys} but differ; conflicting keys "
            f"include {json.dumps(examples, default=_plain)}"
        )
    return frame


def row_fingerprints(frame: Any, dataset: Dataset) -> Any:
    """(key columns..., row hash) of each row: what cross-part duplicate checks remember."""
    import pandas as pd  # noqa: PLC0415

    keys = frame[list(dataset.keys)].astype("string").reset_index(drop=True)
    keys["__row__"] = pd.util.hash_pandas_object(frame.astype("string"), index=False).to_numpy()
    return keys


# ---- reading raw objects -------------------------------------------------------------------------
def raw_format(dataset: Dataset) -> str:
    """How raw objects of a dataset are encoded: an HTTP run stores JSON arrays; a landing drop
    keeps the format the contract declares."""
    return (dataset.raw.format or "json") if dataset.raw.kind == "landing" else "json"


def read_raw(wr: Any, path: str, fmt: str = "json") -> Any:
    """Read one raw object with awswrangler; DatasetError naming the object if it is not `fmt`."""
    try:
        if fmt == "csv":
            # Every cell as text (kinds are checked against the contract), empty cells as nulls.
            return wr.s3.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
        if fmt == "ndjson":
            return wr.s3.read_json(
                path, lines=True, orient="records", dtype=False, convert_dates=False, precise_float=True
            )
        return wr.s3.read_json(path, orient="records", dtype=False, convert_dates=False, precise_float=True)
    except (ValueError, TypeError, AttributeError, UnicodeDecodeError) as error:
        # pandas' own wording ("Expected object or value", "'int' object has no attribute 'keys'").
        shape = {"csv": "CSV with a header row", "ndjson": "one JSON object per line"}.get(
            fmt, "a JSON array of objects"
        )
        raise DatasetError(f"{path}: is not {shape} ({type(error).__name__}: {error})") from None


# ---- I/O ----------------------------------------------------------------------------------------
def _list(s3: Any, bucket: str, prefix: str) -> List[Mapping[str, Any]]:
    return [
        item
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        for item in page.get("Contents", [])
    ]


def newest_raw_run(
    s3: Any, settings: BronzeSettings, dataset: str, ingest_date: str
) -> Tuple[List[str], int]:
    """(keys of the newest raw run of the date: one object, or its parts in order; runs found).

    DatasetError if there is none, or if the newest run was stored in parts and its last part is
    missing (its fetch did not finish): bronze never loads half a run.
    """
    prefix = layout.partition_prefix(settings.raw_bucket, settings.source, dataset, ingest_date)
    key_prefix = prefix[len(f"s3://{settings.raw_bucket}/") :]
    objects = [item for item in _list(s3, settings.raw_bucket, key_prefix) if item["Key"].endswith(".json")]
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


def landing_deliveries(s3: Any, settings: BronzeSettings, dataset: Dataset, ingest_date: str) -> List[str]:
    """Keys of every file dropped for the date (each drop is a delivery; all of them load)."""
    prefix = layout.partition_prefix(settings.raw_bucket, settings.source, dataset.name, ingest_date)
    key_prefix = prefix[len(f"s3://{settings.raw_bucket}/") :]
    suffixes = FORMAT_SUFFIXES[raw_format(dataset)]
    keys = sorted(
        str(item["Key"])
        for item in _list(s3, settings.raw_bucket, key_prefix)
        if str(item["Key"]).lower().endswith(suffixes)
    )
    if not keys:
        raise DatasetError(
            f"no raw object under {prefix} (no {'/'.join(suffixes)} file was dropped for {ingest_date})"
        )
    return keys


def write_partition(wr: Any, s3: Any, frame: Any, partition: str, dataset: Dataset) -> str:
    """Write <partition><dataset>.parquet, then delete any other object of that partition."""
    path = f"{partition}{dataset.name}.parquet"
    _to_parquet(wr, frame, path, dataset)
    delete_leftovers(s3, partition, [path])
    return path


def _to_parquet(wr: Any, frame: Any, path: str, dataset: Dataset) -> None:
    dtypes = parquet_dtypes(dataset)
    if dtypes:
        wr.s3.to_parquet(frame, path=path, index=False, compression="snappy", dtype=dtypes)
    else:
        wr.s3.to_parquet(frame, path=path, index=False, compression="snappy")


def load_dataset(wr: Any, s3: Any, settings: BronzeSettings, name: str, ingest_date: str) -> Dict[str, Any]:
    dataset = settings.contract.dataset(name)
    partition = layout.partition_prefix(settings.bronze_bucket, settings.source, name, ingest_date)
    allow_empty = name in settings.incremental_datasets
    fmt = raw_format(dataset)
    if dataset.raw.kind == "landing":
        raw_keys, runs = landing_deliveries(s3, settings, dataset, ingest_date), 1
    else:
        raw_keys, runs = newest_raw_run(s3, settings, name, ingest_date)
    if len(raw_keys) == 1 or dataset.raw.kind == "landing":
        import pandas as pd  # noqa: PLC0415

        paths = [f"s3://{settings.raw_bucket}/{key}" for key in raw_keys]
        frames = [read_raw(wr, path, fmt) for path in paths]
        where = (
            paths[0] if len(paths) == 1 else f"s3://{settings.raw_bucket}/{raw_keys[0]} (+{len(paths) - 1})"
        )
        frame = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
        frame = conform(frame, dataset, where, allow_empty=allow_empty, from_text=fmt == "csv")
        written = [write_partition(wr, s3, frame, partition, dataset)]
        rows, columns = len(frame.index), len(frame.columns)
    else:
        written, rows, columns = load_parts(wr, s3, settings, dataset, raw_keys=raw_keys, partition=partition)
    LOGGER.info("bronze %s: %d rows from %s (%d raw run(s)) -> %s", name, rows, raw_keys, runs, written)
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
    wr: Any, s3: Any, settings: BronzeSettings, dataset: Dataset, *, raw_keys: Sequence[str], partition: str
) -> Tuple[List[str], int, int]:
    """Convert a raw run stored in parts one part at a time (memory holds one part) into
    <dataset>.part-NNNNN.parquet files -> (written paths, rows, columns).

    The duplicate rule holds across parts too: a row equal to one of an earlier part is dropped,
    a row sharing an earlier part's key but differing is refused. Only when every part is written
    are the partition's other files deleted; on any failure the parts written so far are deleted,
    so the previous partition stays as it was.
    """
    import pandas as pd  # noqa: PLC0415 - from the AWS SDK for pandas layer

    key_columns = list(dataset.keys)
    written: List[str] = []
    seen: Optional[Any] = None
    rows = columns = 0
    try:
        for number, raw_key in enumerate(raw_keys):
            raw_path = f"s3://{settings.raw_bucket}/{raw_key}"
            frame = conform(
                read_raw(wr, raw_path),
                dataset,
                raw_path,
                allow_empty=dataset.name in settings.incremental_datasets,
            )
            prints = row_fingerprints(frame, dataset)
            if seen is not None and len(frame.index):
                earlier = prints.merge(seen, on=key_columns, how="left", suffixes=("", "_earlier"))
                repeated = earlier["__row___earlier"].notna().to_numpy()
                differs = repeated & (earlier["__row__"] != earlier["__row___earlier"]).to_numpy()
                if differs.any():
                    examples = prints.loc[differs, key_columns].head(_SHOW).to_dict("records")
                    raise DatasetError(
                        f"raw run {raw_keys[0]}: {int(differs.sum())} rows of part {number} share a key "
                        f"{key_columns} with an earlier part but differ; conflicting keys include "
                        f"{json.dumps(examples, default=_plain)}"
                    )
                if repeated.any():
                    LOGGER.warning(
                        "%s: dropped %d row(s) repeating an earlier part exactly",
                        raw_path,
                        int(repeated.sum()),
                    )
                    frame = frame.loc[~repeated].reset_index(drop=True)
                    prints = prints.loc[~repeated]
            path = f"{partition}{dataset.name}.part-{number:05d}.parquet"
            _to_parquet(wr, frame, path, dataset)
            written.append(path)
            seen = prints if seen is None else pd.concat([seen, prints], ignore_index=True)
            rows, columns = rows + len(frame.index), max(columns, len(frame.columns))
            del frame
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
        for item in _list(s3, bucket, key_prefix)
        if f"s3://{bucket}/{item['Key']}" not in keep
    ]
    delete_keys(s3, partition, leftovers)


def _notify_failure(
    settings: BronzeSettings, ingest_date: str, failed: Dict[str, str], loaded: Mapping[str, Any], sns: Any
) -> None:
    notifications.publish_failure(
        settings.failure_topic_arn,
        notifications.failure_subject(settings.stage, failed),
        notifications.failure_message(settings.stage, ingest_date, failed, loaded),
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
