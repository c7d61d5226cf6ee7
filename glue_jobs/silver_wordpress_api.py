"""Silver job (Glue Python shell, Python 3.9): newest bronze WordPress partition -> silver snapshot,
published write-audit-publish style.

For each mapped dataset (posts, statistics_pages, term_relationships, term_taxonomy, terms):
  source     s3://<bronze>/<source>/<dataset>/ingest_date=YYYY-MM-DD/   (newest, or --ingest_date)
  candidate  s3://<silver>/_candidate/<source>/<dataset>/<dataset>.snappy.parquet
  live       s3://<silver>/<source>/<dataset>/<dataset>.snappy.parquet  (the current snapshot)
Transform (pure pandas, `transform_dataset`): drop unneeded columns, split each date column into
<col>_todate/_year/_month/_day, decode HTML entities (html.unescape) in text columns, set types.

Two stages (--stage), because the data-quality gate (Glue Data Quality, run by Step Functions
between them) must judge data BEFORE it replaces live silver, and must judge the exact bytes that
are then published:
- write (default): delete the manifest, then per dataset read + transform bronze, write the
  candidate, record its VersionId/ETag and (with --candidate_database) register it as the Glue
  table <candidate_table_prefix><dataset> over the candidate folder (the gate's data source; its
  schema is what the job wrote). Only when every requested dataset succeeded, write
  s3://<silver>/_candidate/<source>/_manifest.json. Live silver is never touched.
- publish: read the manifest, check it (source, --ingest_date, every requested dataset present),
  check ALL candidates still exist unchanged (recorded version, else ETag), then server-side copy
  each recorded version over its live key and delete older files of the live folder. The manifest
  stays, so publishing again is idempotent.

Bad input never replaces good data: a dataset whose bronze rows fail validation (missing column,
null/malformed date, null/non-integer number, conflicting duplicate keys) is not written, its error
names the bronze object and the field, the other datasets still run, and the job then publishes
one failure notification and fails (without a manifest). Exact duplicate rows are dropped and
logged (documented rule). Publish failures also notify once and fail the run.

Incremental datasets (--merge_datasets, e.g. statistics_pages, which the raw function fetches
only from a start day): the candidate is the live silver snapshot merged with the bronze
increment by the dataset's key, keeping per key the row of the newest ingest date (column
`ingest_date`; on a tie the increment wins, so a same-day re-run changes nothing) — the shared
CDC merge `merge_and_retain_last_pandas`. Still written as a candidate, audited and published.

Arguments (Glue style --name value): --bronze_bucket, --silver_bucket, [--stage write|publish],
[--source_name wordpress_api], [--datasets a,b,c], [--ingest_date YYYY-MM-DD] (write: partition to
read; publish: the date every candidate must come from), [--merge_datasets a,b],
[--candidate_database db], [--candidate_table_prefix candidate_], [--failure_topic_arn arn],
[--backfill_from YYYY-MM-DD|none] (a backfill's first day: merged datasets drop their previous rows
from that day on that the increment does not carry, i.e. rows that vanished from the site).
"""

import datetime as dt
import html
import json
import logging
import sys
from dataclasses import asdict, dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
import pandas as pd
from botocore.exceptions import ClientError

from lakehouse_common import layout
from lakehouse_common.cdc import merge_and_retain_last_pandas
from lakehouse_common.datasets import SOURCE_WORDPRESS, WORDPRESS_DATASETS, WORDPRESS_KEYS
from lakehouse_common.glue_job import get_job_arguments, job_start_utc, notify_job_failure
from lakehouse_common.logging_setup import configure_logging
from lakehouse_common.notifications import failure_message, failure_subject, join_causes, publish_failure
from lakehouse_common.s3_cleanup import delete_files_before

LOGGER = logging.getLogger("silver_wordpress_api")
STAGE = "silver wordpress_api"

# Column kinds: "int" (int64, no nulls), "str" (text kept as is), "html" (text with HTML entities
# decoded), "date" (YYYY-MM-DD) and "datetime" (YYYY-MM-DD HH:MM:SS), both split on output.
_DATE_FORMATS = {"date": "%Y-%m-%d", "datetime": "%Y-%m-%d %H:%M:%S"}


class SilverInputError(ValueError):
    """Bronze data that must not reach silver; the message names the object and the field."""


@dataclass(frozen=True)
class SilverSpec:
    """How one bronze dataset becomes silver: kept columns (in order, with kinds) and dropped ones."""

    columns: Tuple[Tuple[str, str], ...]
    drop: Tuple[str, ...] = ()


# Dropped columns: term_relationships.term_order is not reported on; the seed's gold mapping
# shows which posts columns silver still had (ID, title, status, parent, type, post_date,
# post_modified) — the rest is content or WordPress bookkeeping nobody reports on (and
# post_date_gmt holds '0000-00-00' for auto-drafts).
SILVER_SPECS: Dict[str, SilverSpec] = {
    "posts": SilverSpec(
        columns=(
            ("ID", "int"),
            ("post_title", "html"),
            ("post_status", "str"),
            ("post_parent", "int"),
            ("post_type", "str"),
            ("post_date", "datetime"),
            ("post_modified", "datetime"),
        ),
        drop=(
            "post_author",
            "post_date_gmt",
            "post_content",
            "post_excerpt",
            "comment_status",
            "ping_status",
            "post_name",
            "to_ping",
            "pinged",
            "post_modified_gmt",
            "post_content_filtered",
            "guid",
            "menu_order",
            "post_mime_type",
            "comment_count",
        ),
    ),
    "statistics_pages": SilverSpec(
        columns=(
            ("page_id", "int"),
            ("uri", "str"),
            ("type", "str"),
            ("date", "date"),
            ("count", "int"),
            ("id", "int"),
        ),
    ),
    "term_relationships": SilverSpec(
        columns=(("object_id", "int"), ("term_taxonomy_id", "int")),
        drop=("term_order",),
    ),
    "term_taxonomy": SilverSpec(
        columns=(
            ("term_taxonomy_id", "int"),
            ("term_id", "int"),
            ("taxonomy", "str"),
            ("description", "html"),
            ("parent", "int"),
            ("count", "int"),
        ),
    ),
    "terms": SilverSpec(
        columns=(("term_id", "int"), ("name", "html"), ("slug", "str"), ("term_group", "int")),
    ),
}
SILVER_KEYS: Dict[str, Tuple[str, ...]] = {name: WORDPRESS_KEYS[name] for name in SILVER_SPECS}
# Incremental datasets carry the ingest date of each row's newest delivery (the merge's clock).
INGEST_DATE_COLUMN = "ingest_date"
# Per incremental dataset, the silver day column the raw stage's `from` selects on (the plugin's
# `from` returns statistics rows whose `date` is on or after that day).
WINDOW_COLUMNS: Dict[str, str] = {"statistics_pages": "date_todate"}
NO_BACKFILL = "none"
DATE_PARTS = ("year", "month", "day")


def silver_columns(dataset: str) -> List[str]:
    """Output columns of one silver dataset, in order (each date column becomes four)."""
    names: List[str] = []
    for name, kind in SILVER_SPECS[dataset].columns:
        if kind in _DATE_FORMATS:
            names += [f"{name}_todate"] + [f"{name}_{part}" for part in DATE_PARTS]
        else:
            names.append(name)
    return names


# ---- pure transforms -------------------------------------------------------------------------


def _examples(values: "pd.Series", limit: int = 3) -> str:
    shown = [f"row {index}: {value!r}" for index, value in values.head(limit).items()]
    return "; ".join(shown)


def check_columns(df: pd.DataFrame, dataset: str, object_name: str) -> List[str]:
    """Fail on missing expected columns; return the kept ones (dropped and unknown ones are left out)."""
    spec = SILVER_SPECS[dataset]
    wanted = [name for name, _kind in spec.columns]
    missing = [name for name in wanted if name not in df.columns]
    if missing:
        raise SilverInputError(
            f"{object_name}: missing expected column(s) {missing} for dataset {dataset} "
            f"(columns present: {list(df.columns)})"
        )
    unknown = [name for name in df.columns if name not in wanted and name not in spec.drop]
    if unknown:
        # New upstream columns are not silently published: silver's schema changes only with code.
        LOGGER.warning("%s: dropping column(s) not in the silver mapping: %s", object_name, unknown)
    return wanted


def drop_exact_duplicates(df: pd.DataFrame, dataset: str, object_name: str) -> pd.DataFrame:
    """Drop rows that repeat another bronze row exactly (logged); fail on keys repeated with
    other values. Judged on the whole bronze row, so a conflict hidden in a dropped column
    (same ID, different content) is still an error."""
    keys = list(SILVER_KEYS[dataset])
    if not df.duplicated(subset=keys, keep=False).any():  # the common case: one cheap pass
        return df
    exact = df.duplicated(keep="first")
    if exact.any():
        LOGGER.warning("%s: dropped %d exact duplicate row(s)", object_name, int(exact.sum()))
        df = df[~exact]
    conflicting = df.duplicated(subset=keys, keep=False)
    if conflicting.any():
        sample = df.loc[conflicting, keys].drop_duplicates().head(3).to_dict(orient="records")
        raise SilverInputError(
            f"{object_name}: field {'+'.join(keys)} has {int(conflicting.sum())} rows sharing a key "
            f"with different values (e.g. {sample})"
        )
    return df


def to_int64(values: "pd.Series", name: str, object_name: str) -> "pd.Series":
    """int64 column; nulls and non-integral values are errors naming the field.

    awswrangler reads Parquet integers as nullable Int64: without nulls that is one cast.
    """
    if pd.api.types.is_integer_dtype(values.dtype) and not values.hasnans:
        return values.astype("int64")
    numbers = pd.to_numeric(values, errors="coerce").astype("float64")
    bad = numbers.isna() | (numbers % 1 != 0)
    if bad.any():
        nulls = int(values.isna().sum())
        raise SilverInputError(
            f"{object_name}: field {name!r} needs whole numbers: {int(bad.sum())} bad value(s) "
            f"({nulls} null) e.g. {_examples(values[bad])}"
        )
    return numbers.astype("int64")


def split_date(values: "pd.Series", kind: str, name: str, object_name: str) -> Dict[str, "pd.Series"]:
    """<name>_todate, _year, _month, _day from WordPress date strings (or parsed datetimes).

    Parsing and splitting run once per DISTINCT value, then spread to the rows by position: a
    million page-view rows hold a few hundred distinct days. The format is exact, so WordPress's
    '0000-00-00 00:00:00' or a changed format fails here instead of becoming a wrong date; null or
    malformed values are errors naming the object and the field.
    """
    codes, uniques = pd.factorize(values)
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        parsed = pd.DatetimeIndex(uniques)
    else:
        parsed = pd.DatetimeIndex(
            pd.to_datetime(np.asarray(uniques, dtype=object), format=_DATE_FORMATS[kind], errors="coerce")
        )
    bad_unique = np.asarray(parsed.isna())
    bad = codes < 0  # nulls
    if len(parsed):
        bad = bad | bad_unique[codes]
    if bad.any():
        nulls = int((codes < 0).sum())
        mask = pd.Series(bad, index=values.index)
        raise SilverInputError(
            f"{object_name}: field {name!r} has {nulls} null and {int(bad.sum()) - nulls} malformed "
            f"value(s) (expected {_DATE_FORMATS[kind]}) e.g. {_examples(values[mask])}"
        )
    index = values.index
    todate = parsed.values.astype("datetime64[ns]")
    return {
        f"{name}_todate": pd.Series(todate[codes], index=index),
        f"{name}_year": pd.Series(parsed.year.to_numpy(dtype="int64")[codes], index=index),
        f"{name}_month": pd.Series(parsed.month.to_numpy(dtype="int64")[codes], index=index),
        f"{name}_day": pd.Series(parsed.day.to_numpy(dtype="int64")[codes], index=index),
    }


def decode_html(values: "pd.Series") -> "pd.Series":
    """html.unescape every value that contains '&' (all entities: &amp; &#8217; &quot; ...).

    Only values holding '&' can change, so the Python-level call runs on those alone.
    """
    has_entity = values.str.contains("&", regex=False, na=False) if len(values) else values.isna()
    if not has_entity.any():
        return values
    decoded = values.copy()
    decoded[has_entity] = values[has_entity].map(html.unescape)
    return decoded


def transform_dataset(df: pd.DataFrame, dataset: str, object_name: str) -> pd.DataFrame:
    """Bronze rows of `dataset` -> silver rows (pure; raises SilverInputError on bad input).

    Text columns keep the dtype they arrive with (Arrow-backed strings from the job's reader stay
    Arrow: no per-value Python objects); output columns are built as separate arrays and not
    consolidated into 2-D blocks (the Parquet writer takes them column by column anyway).
    """
    if dataset not in SILVER_SPECS:
        raise KeyError(f"dataset {dataset!r} has no silver mapping")
    check_columns(df, dataset, object_name)
    frame = drop_exact_duplicates(df, dataset, object_name)
    if not isinstance(frame.index, pd.RangeIndex) or frame.index.start != 0 or frame.index.step != 1:
        frame = frame.reset_index(drop=True)
    out: Dict[str, pd.Series] = {}
    for name, kind in SILVER_SPECS[dataset].columns:
        values = frame[name]
        if kind == "int":
            out[name] = to_int64(values, name, object_name)
        elif kind in _DATE_FORMATS:
            out.update(split_date(values, kind, name, object_name))
        elif kind == "html":
            out[name] = decode_html(values)
        else:
            out[name] = values
    return pd.DataFrame({name: out[name] for name in silver_columns(dataset)}, copy=False)


# ---- sources ---------------------------------------------------------------------------------


def _wr() -> Any:
    from lakehouse_common.aws import configure_awswrangler  # noqa: PLC0415 - heavy import

    return configure_awswrangler()


def newest_ingest_date(bronze_bucket: str, source: str, dataset: str) -> str:
    """The newest ingest_date=YYYY-MM-DD partition of one bronze dataset."""
    prefix = layout.dataset_prefix(bronze_bucket, source, dataset)
    dates = []
    for folder in _wr().s3.list_directories(prefix):
        try:
            dates.append(layout.parse_ingest_date(folder))
        except ValueError:
            LOGGER.warning("ignoring %s: not an ingest_date=YYYY-MM-DD partition", folder)
    if not dates:
        raise SilverInputError(f"{prefix}: no ingest_date=YYYY-MM-DD partition to read")
    return max(dates)


def bronze_types_mapper(arrow_type: Any) -> Any:
    """Arrow -> pandas dtypes for bronze reads: text stays Arrow-backed (no Python str object per
    value, the costliest part of a read). Everything else converts as pyarrow does by default:
    integers without nulls stay zero-copy int64 (with nulls they arrive as float NaN, which
    `to_int64` reports), instead of awswrangler's default nullable Int64 copies."""
    import pyarrow as pa  # noqa: PLC0415 - with pandas wherever this job runs

    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return pd.StringDtype("pyarrow")
    return None


def load_bronze_partition(path: str) -> pd.DataFrame:
    """All Parquet objects of one bronze partition as one DataFrame."""
    wr = _wr()
    files = [item for item in wr.s3.list_objects(path) if not item.rsplit("/", 1)[-1].startswith(("_", "."))]
    if not files:
        raise SilverInputError(f"{path}: bronze partition has no objects")
    return wr.s3.read_parquet(files, pyarrow_additional_kwargs={"types_mapper": bronze_types_mapper})


# ---- the candidate contract: paths, manifest, catalog table (pure) --------------------------


class SilverJobError(RuntimeError):
    """At least one dataset failed; the message lists each with its cause."""


class SilverPublishError(SilverJobError):
    """The publish stage refused or failed; the message names the manifest or candidate and why.

    `failed` maps dataset -> cause where the problem is per dataset (it names them in the
    notification's subject); `published` lists what was copied before a failure.
    """

    def __init__(
        self,
        message: str,
        failed: Optional[Mapping[str, str]] = None,
        published: Optional[Mapping[str, str]] = None,
    ) -> None:
        super().__init__(message)
        self.failed: Dict[str, str] = dict(failed or {})
        self.published: Dict[str, str] = dict(published or {})


SNAPSHOT_SUFFIX = ".snappy.parquet"
# Hive's Parquet classes, as Glue crawlers set them for Parquet tables (Athena and Glue Data
# Quality read tables through them).
PARQUET_INPUT_FORMAT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
PARQUET_OUTPUT_FORMAT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"


def silver_object_path(silver_bucket: str, source: str, dataset: str) -> str:
    """The live snapshot: one fixed key per dataset, replaced atomically (readers see old or new)."""
    return f"{layout.dataset_prefix(silver_bucket, source, dataset)}{dataset}{SNAPSHOT_SUFFIX}"


def candidate_object_path(silver_bucket: str, source: str, dataset: str) -> str:
    """The dataset's candidate snapshot (same file name as the live one, under _candidate/)."""
    return f"{layout.candidate_prefix(silver_bucket, source, dataset)}{dataset}{SNAPSHOT_SUFFIX}"


def split_s3_uri(uri: str) -> Tuple[str, str]:
    """s3://bucket/key -> (bucket, key)."""
    bucket, _, key = uri[len("s3://") :].partition("/") if uri.startswith("s3://") else ("", "", "")
    if not bucket or not key:
        raise ValueError(f"expected s3://<bucket>/<key>, got {uri!r}")
    return bucket, key


@dataclass(frozen=True)
class CandidateRecord:
    """One audited candidate as the manifest records it: the exact object the gate evaluated."""

    bucket: str
    key: str
    version_id: Optional[str]  # None when the bucket is unversioned: the ETag pins the content
    etag: str
    rows: int
    ingest_date: str  # the bronze partition actually read
    bronze_partition: str

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"

    def describe(self) -> str:
        pin = f"version {self.version_id}" if self.version_id else f"ETag {self.etag}"
        return f"{self.uri} ({pin})"


@dataclass(frozen=True)
class Manifest:
    """What one complete write stage produced (written only when every dataset succeeded)."""

    source: str
    written_at: str
    datasets: Mapping[str, CandidateRecord]


_RECORD_FIELDS: Tuple[Tuple[str, Any, str], ...] = (
    ("bucket", str, "a string"),
    ("key", str, "a string"),
    ("version_id", (str, type(None)), "a string or null"),
    ("etag", str, "a string"),
    ("rows", int, "an integer"),
    ("ingest_date", str, "a string"),
    ("bronze_partition", str, "a string"),
)


def manifest_json(manifest: Manifest) -> bytes:
    """The manifest document: sorted keys, UTF-8."""
    document = {
        "source": manifest.source,
        "written_at": manifest.written_at,
        "datasets": {name: asdict(record) for name, record in manifest.datasets.items()},
    }
    return json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False).encode("utf-8")


def _field(container: Any, name: str, kind: Any, label: str, *, where: str, uri: str) -> Any:
    """container[name] when present and of type `kind`, else an error naming the manifest and field."""
    path = f"{where}.{name}" if where else name
    if not isinstance(container, dict) or name not in container:
        raise SilverPublishError(f"manifest {uri} is malformed: field {path!r} is missing")
    value = container[name]
    if not isinstance(value, kind) or isinstance(value, bool):  # bool is an int to isinstance
        raise SilverPublishError(
            f"manifest {uri} is malformed: field {path!r} must be {label}, got {value!r}"
        )
    return value


def _parse_record(entry: Any, where: str, uri: str) -> CandidateRecord:
    values = {
        name: _field(entry, name, kind, label, where=where, uri=uri) for name, kind, label in _RECORD_FIELDS
    }
    try:
        layout.validate_ingest_date(values["ingest_date"])
    except ValueError as error:
        raise SilverPublishError(
            f"manifest {uri} is malformed: field '{where}.ingest_date': {error}"
        ) from None
    return CandidateRecord(**values)


def parse_manifest(body: bytes, uri: str) -> Manifest:
    """The manifest at `uri` from its bytes; SilverPublishError naming the manifest and the field."""
    try:
        document = json.loads(body)
    except ValueError as error:  # JSONDecodeError and UnicodeDecodeError
        raise SilverPublishError(f"manifest {uri} is not valid UTF-8 JSON: {error}") from None
    source = _field(document, "source", str, "a string", where="", uri=uri)
    written_at = _field(document, "written_at", str, "a string", where="", uri=uri)
    entries = _field(document, "datasets", dict, "an object", where="", uri=uri)
    records = {name: _parse_record(entry, f"datasets.{name}", uri) for name, entry in entries.items()}
    return Manifest(source=source, written_at=written_at, datasets=records)


def select_candidates(
    manifest: Manifest,
    uri: str,
    *,
    silver_bucket: str,
    source: str,
    datasets: Sequence[str],
    ingest_date: Optional[str],
) -> Dict[str, CandidateRecord]:
    """The manifest's records for `datasets` (mapped ones), after the checks that make publishing
    safe: same source, every candidate from `ingest_date` (when given: protects against publishing
    yesterday's candidate), none missing, each at its dataset's candidate key."""
    if manifest.source != source:
        raise SilverPublishError(f"manifest {uri} is for source {manifest.source!r}, not {source!r}")
    if ingest_date:
        stale = {
            name: f"candidate is from ingest_date {record.ingest_date}, publish asked for {ingest_date}"
            for name, record in sorted(manifest.datasets.items())
            if record.ingest_date != ingest_date
        }
        if stale:
            details = join_causes(stale)
            raise SilverPublishError(
                f"manifest {uri}: {details}; run the write stage for {ingest_date} first", failed=stale
            )
    missing = [name for name in datasets if name not in manifest.datasets]
    if missing:
        raise SilverPublishError(
            f"manifest {uri} has no candidate for dataset(s) {', '.join(missing)} (it holds: "
            f"{', '.join(sorted(manifest.datasets)) or 'none'}); run the write stage for them first",
            failed={name: "no candidate in the manifest" for name in missing},
        )
    chosen = {name: manifest.datasets[name] for name in datasets}
    # The manifest lives in the silver bucket; a record pointing elsewhere is a bug or tampering.
    misplaced = {
        name: f"candidate {record.uri} is not {candidate_object_path(silver_bucket, source, name)}"
        for name, record in chosen.items()
        if record.uri != candidate_object_path(silver_bucket, source, name)
    }
    if misplaced:
        raise SilverPublishError(f"manifest {uri}: {'; '.join(misplaced.values())}", failed=misplaced)
    return chosen


def candidate_table_input(
    table_name: str, location: str, columns: Sequence[Tuple[str, str]]
) -> Dict[str, Any]:
    """Glue TableInput of one candidate: a Parquet table over the candidate folder whose columns
    are exactly what the job wrote (the quality run reads its data through this table)."""
    return {
        "Name": table_name,
        "Description": "Unpublished silver candidate (silver job write stage), evaluated before publish.",
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {"classification": "parquet"},
        "StorageDescriptor": {
            "Columns": [{"Name": name, "Type": kind} for name, kind in columns],
            "Location": location,
            "InputFormat": PARQUET_INPUT_FORMAT,
            "OutputFormat": PARQUET_OUTPUT_FORMAT,
            "SerdeInfo": {"SerializationLibrary": PARQUET_SERDE},
        },
    }


def athena_column_types(df: pd.DataFrame) -> List[Tuple[str, str]]:
    """(column, Athena/Hive type) in DataFrame order, as awswrangler maps them when writing."""
    types, _partitions = _wr().catalog.extract_athena_types(df=df, index=False)
    return [(str(name), types[name]) for name in df.columns]


# ---- S3 and Glue I/O -------------------------------------------------------------------------


def _client(service: str) -> Any:
    """A boto3 client; region and endpoint (emulator) come from the environment."""
    import boto3  # noqa: PLC0415 - provided by Glue; only needed when the job runs

    return boto3.client(service)


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", "unknown"))


def save_candidate(df: pd.DataFrame, silver_bucket: str, source: str, dataset: str, job_start: Any) -> str:
    """Write the candidate, then delete whatever else its folder held before the job began."""
    target = candidate_object_path(silver_bucket, source, dataset)
    _wr().s3.to_parquet(df, path=target, compression="snappy", index=False)
    delete_files_before(layout.candidate_prefix(silver_bucket, source, dataset), job_start, keep=[target])
    return target


def object_version(s3: Any, uri: str) -> Tuple[Optional[str], str]:
    """(VersionId, ETag) of the object at `uri`; VersionId None when the bucket is unversioned."""
    bucket, key = split_s3_uri(uri)
    head = s3.head_object(Bucket=bucket, Key=key)
    version = head.get("VersionId")
    # "null" is the version of an object written without versioning: the next write replaces it,
    # so it pins nothing; the ETag check covers that case.
    return (None if version in (None, "null") else str(version)), str(head["ETag"])


def register_candidate_table(glue: Any, database: str, table_input: Mapping[str, Any]) -> str:
    """Update the candidate table, creating it on first use; returns "updated" or "created".

    UpdateTable and CreateTable are the only Glue calls the job's role allows. SkipArchive: the
    table is rewritten every run, and archived versions would only pile up.
    """
    try:
        glue.update_table(DatabaseName=database, TableInput=table_input, SkipArchive=True)
        return "updated"
    except glue.exceptions.EntityNotFoundException:
        glue.create_table(DatabaseName=database, TableInput=table_input)
        return "created"


def delete_manifest(s3: Any, uri: str) -> None:
    """Remove the manifest (no error when there is none)."""
    bucket, key = split_s3_uri(uri)
    s3.delete_object(Bucket=bucket, Key=key)


def put_manifest(s3: Any, uri: str, manifest: Manifest) -> None:
    bucket, key = split_s3_uri(uri)
    s3.put_object(Bucket=bucket, Key=key, Body=manifest_json(manifest), ContentType="application/json")


def read_manifest(s3: Any, uri: str) -> Manifest:
    """The manifest at `uri`; a missing one means no complete write stage to publish."""
    bucket, key = split_s3_uri(uri)
    try:
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    except ClientError as error:
        code = _error_code(error)
        if code in ("NoSuchKey", "404"):
            raise SilverPublishError(
                f"no candidate manifest at {uri}: run the write stage (--stage write) first; it writes "
                "the manifest only when every dataset succeeded"
            ) from None
        if code in ("AccessDenied", "403"):  # how S3 reports a missing key to a role without ListBucket
            raise SilverPublishError(
                f"cannot read candidate manifest {uri} ({code}): it may be missing; run the write stage "
                "(--stage write) first, or check the job role"
            ) from error
        raise SilverPublishError(f"cannot read candidate manifest {uri}: {code}: {error}") from error
    return parse_manifest(body, uri)


def candidate_problem(s3: Any, record: CandidateRecord) -> Optional[str]:
    """Why `record` cannot be published as audited (missing, or changed), or None."""
    request = {"Bucket": record.bucket, "Key": record.key}
    if record.version_id:
        request["VersionId"] = record.version_id
    try:
        head = s3.head_object(**request)
    except ClientError as error:
        return f"candidate {record.describe()} is missing or unreadable ({_error_code(error)})"
    if head.get("ETag") != record.etag:
        return f"candidate {record.describe()} changed after the write stage (ETag now {head.get('ETag')})"
    return None


def copy_candidate(s3: Any, record: CandidateRecord, live_uri: str) -> None:
    """Server-side copy of exactly the audited candidate over the live snapshot.

    One CopyObject request: atomic per object (readers see old or new) and no bytes pass through
    the job; a single-request copy handles objects up to 5 GB, far above what a Python-shell job
    can hold in memory.
    """
    bucket, key = split_s3_uri(live_uri)
    copy_source = {"Bucket": record.bucket, "Key": record.key}
    extra: Dict[str, str] = {}
    if record.version_id:
        copy_source["VersionId"] = record.version_id
    else:  # unversioned bucket: S3 refuses the copy if the candidate changed since the check
        extra["CopySourceIfMatch"] = record.etag
    s3.copy_object(Bucket=bucket, Key=key, CopySource=copy_source, **extra)


# ---- stages ----------------------------------------------------------------------------------


STAGES = ("write", "publish")
PUBLISH_STAGE = f"{STAGE} publish"
DEFAULT_CANDIDATE_TABLE_PREFIX = "candidate_"


@dataclass(frozen=True)
class SilverConfig:
    """The job's arguments, checked."""

    stage: str
    bronze_bucket: str
    silver_bucket: str
    source: str
    datasets: Tuple[str, ...]
    ingest_date: Optional[str] = None
    candidate_database: Optional[str] = None
    candidate_table_prefix: str = DEFAULT_CANDIDATE_TABLE_PREFIX
    merge_datasets: Tuple[str, ...] = ()
    # A backfill's first day: the increment is the whole truth from that day on (rows that
    # vanished from the site there are dropped); None on a daily run.
    backfill_from: Optional[str] = None


def read_config(argv: Sequence[str]) -> SilverConfig:
    """Glue arguments -> SilverConfig; ValueError (ConfigError) naming a bad or missing argument."""
    args = get_job_arguments(
        required=["bronze_bucket", "silver_bucket"],
        optional={
            "stage": "write",
            "source_name": SOURCE_WORDPRESS,
            "datasets": ",".join(WORDPRESS_DATASETS),
            "ingest_date": None,
            "candidate_database": None,
            "candidate_table_prefix": DEFAULT_CANDIDATE_TABLE_PREFIX,
            "merge_datasets": "",
            "backfill_from": "",
        },
        argv=argv,
    )
    stage = str(args["stage"]).strip()
    if stage not in STAGES:
        raise ValueError(f"--stage must be one of {', '.join(STAGES)}, got {stage!r}")
    ingest_date = args["ingest_date"] or None
    if ingest_date:
        layout.validate_ingest_date(ingest_date)
    merge_datasets = tuple(
        name.strip() for name in str(args["merge_datasets"] or "").split(",") if name.strip()
    )
    unknown = [name for name in merge_datasets if name not in SILVER_SPECS]
    if unknown:
        raise ValueError(f"--merge_datasets names datasets without a silver mapping: {unknown}")
    # The workflow passes "none" on a daily run (a Glue argument cannot be left out per run).
    backfill_from = str(args["backfill_from"] or "").strip()
    backfill_from = None if backfill_from in ("", NO_BACKFILL) else backfill_from
    if backfill_from:
        try:
            layout.validate_ingest_date(backfill_from)
        except ValueError:
            raise ValueError(f"--backfill_from must be a day YYYY-MM-DD, got {backfill_from!r}") from None
    return SilverConfig(
        stage=stage,
        bronze_bucket=str(args["bronze_bucket"]),
        silver_bucket=str(args["silver_bucket"]),
        source=str(args["source_name"]),
        datasets=tuple(name.strip() for name in str(args["datasets"]).split(",") if name.strip()),
        ingest_date=ingest_date,
        candidate_database=args["candidate_database"] or None,
        candidate_table_prefix=str(args["candidate_table_prefix"] or ""),
        merge_datasets=merge_datasets,
        backfill_from=backfill_from,
    )


def split_mapped(datasets: Sequence[str]) -> Tuple[List[str], List[str]]:
    """(mapped, skipped): datasets without a silver mapping are skipped with a warning."""
    mapped: List[str] = []
    skipped: List[str] = []
    for dataset in datasets:
        if dataset in SILVER_SPECS:
            mapped.append(dataset)
        else:
            LOGGER.warning("%s is not currently mapped. Skipping transform...", dataset)
            skipped.append(dataset)
    return mapped, skipped


@dataclass
class SilverRunResult:
    """What one write stage did, per dataset (`written`: dataset -> candidate object)."""

    written: Dict[str, str]
    failed: Dict[str, str]
    skipped: List[str]
    candidates: Dict[str, CandidateRecord] = field(default_factory=dict)
    manifest_uri: Optional[str] = None  # set only when the manifest was written


@dataclass
class SilverPublishResult:
    """What one publish stage did (`published`: dataset -> live object)."""

    manifest_uri: str
    published: Dict[str, str]
    versions: Dict[str, Optional[str]]  # dataset -> candidate version copied (None: unversioned)
    skipped: List[str]


def merge_increment(
    existing: Optional[pd.DataFrame],
    increment: pd.DataFrame,
    dataset: str,
    ingest_date: str,
    backfill_from: Optional[str] = None,
) -> pd.DataFrame:
    """Previous silver + a silver-shaped increment -> the new snapshot (pure).

    The increment's rows get `ingest_date`; per key the newest ingest date wins, the increment on
    a tie (a re-run of the same day replaces that day's rows with identical ones). Rows of keys
    the increment does not carry stay as they were: the increment only covers recent days. A
    backfill (`backfill_from`) refetched every row from that day on, so previous rows of those
    days that it did not deliver have vanished from the site and are dropped.
    """
    incoming = increment.copy()
    incoming[INGEST_DATE_COLUMN] = ingest_date
    if existing is None or existing.empty:
        return incoming.sort_values(list(SILVER_KEYS[dataset]), kind="mergesort").reset_index(drop=True)
    if INGEST_DATE_COLUMN not in existing.columns:
        raise SilverInputError(
            f"previous silver {dataset} has no {INGEST_DATE_COLUMN!r} column: it was not built by an "
            "incremental run; rebuild it with a backfill (run input 'from')"
        )
    if backfill_from is not None:
        days = pd.to_datetime(existing[WINDOW_COLUMNS[dataset]]).dt.strftime("%Y-%m-%d")
        existing = existing.loc[~(days >= backfill_from).to_numpy()]
    # Text columns as plain objects on both sides, so the union does not mix string dtypes.
    existing = existing[list(incoming.columns)].copy()
    for frame in (existing, incoming):
        for name in frame.columns:
            if pd.api.types.is_string_dtype(frame[name].dtype) and not pd.api.types.is_object_dtype(
                frame[name]
            ):
                frame[name] = frame[name].astype(object)
    return merge_and_retain_last_pandas(incoming, existing, list(SILVER_KEYS[dataset]), INGEST_DATE_COLUMN)


def load_live_silver(silver_bucket: str, source: str, dataset: str) -> Optional[pd.DataFrame]:
    """The published snapshot of `dataset`, or None before its first publish."""
    wr = _wr()
    live = silver_object_path(silver_bucket, source, dataset)
    if not wr.s3.does_object_exist(live):
        return None
    return wr.s3.read_parquet(live)


def write_candidate(
    dataset: str, config: SilverConfig, job_start: Any, s3: Any, glue: Any = None
) -> CandidateRecord:
    """Read, transform and write one dataset's candidate (and register its table)."""
    date = config.ingest_date or newest_ingest_date(config.bronze_bucket, config.source, dataset)
    partition = layout.partition_prefix(config.bronze_bucket, config.source, dataset, date)
    bronze = load_bronze_partition(partition)
    silver = transform_dataset(bronze, dataset, partition)
    LOGGER.info("%s: %d bronze rows -> %d silver rows", partition, len(bronze), len(silver))
    if dataset in config.merge_datasets:
        previous = load_live_silver(config.silver_bucket, config.source, dataset)
        silver = merge_increment(previous, silver, dataset, date, config.backfill_from)
        LOGGER.info(
            "%s: merged into %d previous silver rows -> %d rows",
            dataset,
            0 if previous is None else len(previous),
            len(silver),
        )
    target = save_candidate(silver, config.silver_bucket, config.source, dataset, job_start)
    version_id, etag = object_version(s3, target)
    if config.candidate_database:
        table = f"{config.candidate_table_prefix}{dataset}"
        folder = layout.candidate_prefix(config.silver_bucket, config.source, dataset)
        table_input = candidate_table_input(table, folder, athena_column_types(silver))
        action = register_candidate_table(glue, config.candidate_database, table_input)
        LOGGER.info("%s table %s.%s -> %s", action, config.candidate_database, table, folder)
    bucket, key = split_s3_uri(target)
    return CandidateRecord(bucket, key, version_id, etag, len(silver), date, partition)


def run_write(config: SilverConfig, s3: Any, glue: Any = None) -> SilverRunResult:
    """Write stage: a candidate per requested dataset, then the manifest if all succeeded.

    Dataset failures are collected, not raised (see `main`); live silver is never touched.
    """
    job_start = job_start_utc()
    manifest_uri = layout.candidate_manifest_uri(config.silver_bucket, config.source)
    # First of all: until this run's manifest exists, nothing can be published, so a failed or
    # partial write never is (and yesterday's manifest cannot pair with today's candidates).
    delete_manifest(s3, manifest_uri)
    mapped, skipped = split_mapped(config.datasets)
    result = SilverRunResult(written={}, failed={}, skipped=skipped)
    for dataset in mapped:
        try:
            record = write_candidate(dataset, config, job_start, s3, glue)
        except Exception as error:  # one bad dataset must not stop the others
            LOGGER.exception("%s failed", dataset)
            result.failed[dataset] = f"{type(error).__name__}: {error}"
            continue
        result.candidates[dataset] = record
        result.written[dataset] = record.uri
    if not result.failed:
        written_at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        put_manifest(s3, manifest_uri, Manifest(config.source, written_at, result.candidates))
        result.manifest_uri = manifest_uri
    return result


def publish_dataset(
    s3: Any, record: CandidateRecord, config: SilverConfig, dataset: str, job_start: Any
) -> str:
    """Copy one audited candidate over the live snapshot, then clean the live folder."""
    live = silver_object_path(config.silver_bucket, config.source, dataset)
    copy_candidate(s3, record, live)
    delete_files_before(
        layout.dataset_prefix(config.silver_bucket, config.source, dataset), job_start, keep=[live]
    )
    LOGGER.info("published %s from %s", live, record.describe())
    return live


def run_publish(config: SilverConfig, s3: Any) -> SilverPublishResult:
    """Publish stage: the manifest's candidates over the live snapshots; raises SilverPublishError."""
    job_start = job_start_utc()
    manifest_uri = layout.candidate_manifest_uri(config.silver_bucket, config.source)
    mapped, skipped = split_mapped(config.datasets)
    manifest = read_manifest(s3, manifest_uri)
    chosen = select_candidates(
        manifest,
        manifest_uri,
        silver_bucket=config.silver_bucket,
        source=config.source,
        datasets=mapped,
        ingest_date=config.ingest_date,
    )
    # Every candidate is checked before the first copy: a missing or changed one leaves all of
    # live silver as it was.
    problems = {name: candidate_problem(s3, record) for name, record in chosen.items()}
    refused = {name: problem for name, problem in problems.items() if problem}
    if refused:
        details = join_causes(refused)
        raise SilverPublishError(f"{PUBLISH_STAGE}: nothing published: {details}", failed=refused)
    result = SilverPublishResult(manifest_uri=manifest_uri, published={}, versions={}, skipped=skipped)
    failed: Dict[str, str] = {}
    for name, record in chosen.items():
        try:
            result.published[name] = publish_dataset(s3, record, config, name, job_start)
        except Exception as error:  # the others were audited too: publish them
            LOGGER.exception("publishing %s failed", name)
            failed[name] = f"{type(error).__name__}: {error}"
            continue
        result.versions[name] = record.version_id
    if failed:
        details = join_causes(failed)
        raise SilverPublishError(
            f"{PUBLISH_STAGE}: {len(failed)} dataset(s) failed: {details}",
            failed=failed,
            published=result.published,
        )
    return result


# ---- main ------------------------------------------------------------------------------------


def _main_write(config: SilverConfig, topic: Optional[str], clients: Mapping[str, Any]) -> SilverRunResult:
    try:
        s3 = clients.get("s3") or _client("s3")
        glue = clients.get("glue") or (_client("glue") if config.candidate_database else None)
        result = run_write(config, s3, glue)
    except Exception as error:  # e.g. S3 refused the manifest: still say so on the topic
        notify_job_failure(STAGE, topic, error, sns_client=clients.get("sns"))
        raise
    if result.failed:
        message = failure_message(
            STAGE, config.ingest_date or "newest partition", result.failed, result.written
        )
        message += "\nNo manifest was written: nothing from this run can be published."
        publish_failure(topic, failure_subject(STAGE, result.failed), message, clients.get("sns"))
        details = join_causes(result.failed)
        raise SilverJobError(f"{STAGE}: {len(result.failed)} dataset(s) failed: {details}")
    LOGGER.info(
        "%s write complete: %d candidate(s), %d skipped, manifest %s",
        STAGE,
        len(result.written),
        len(result.skipped),
        result.manifest_uri,
    )
    return result


def _main_publish(
    config: SilverConfig, topic: Optional[str], clients: Mapping[str, Any]
) -> SilverPublishResult:
    manifest_uri = layout.candidate_manifest_uri(config.silver_bucket, config.source)
    note = f"The manifest {manifest_uri} was left in place: publishing again is safe."
    try:
        result = run_publish(config, clients.get("s3") or _client("s3"))
    except Exception as error:
        LOGGER.exception("%s failed", PUBLISH_STAGE)
        if isinstance(error, SilverPublishError) and error.failed:  # name the datasets
            date = config.ingest_date or "recorded in the manifest"
            message = failure_message(PUBLISH_STAGE, date, error.failed, error.published) + "\n" + note
            publish_failure(topic, failure_subject(PUBLISH_STAGE, error.failed), message, clients.get("sns"))
        else:
            notify_job_failure(PUBLISH_STAGE, topic, error, note, clients.get("sns"))
        raise
    LOGGER.info(
        "%s complete: %d published, %d skipped", PUBLISH_STAGE, len(result.published), len(result.skipped)
    )
    return result


def main(
    argv: Optional[Sequence[str]] = None,
    sns_client: Any = None,
    s3_client: Any = None,
    glue_client: Any = None,
) -> Union[SilverRunResult, SilverPublishResult]:
    """Glue entry point: read arguments, run the stage, notify once and fail on any failure."""
    configure_logging("silver_wordpress_api")
    arguments = list(sys.argv if argv is None else argv)
    # Read the topic on its own first, so even a missing required argument is reported.
    topic = get_job_arguments([], {"failure_topic_arn": None}, arguments)["failure_topic_arn"]
    clients = {"sns": sns_client, "s3": s3_client, "glue": glue_client}
    try:
        config = read_config(arguments)
    except Exception as error:  # bad arguments: still say so on the topic
        notify_job_failure(STAGE, topic, error, sns_client=sns_client)
        raise
    if config.stage == "publish":
        return _main_publish(config, topic, clients)
    return _main_write(config, topic, clients)


if __name__ == "__main__":
    main(sys.argv)
