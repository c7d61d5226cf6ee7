"""Silver job (Glue Python shell, Python 3.9): newest bronze WordPress partition -> silver snapshot.

For each mapped dataset (posts, statistics_pages, term_relationships, term_taxonomy, terms):
  source  s3://<bronze>/<source>/<dataset>/ingest_date=YYYY-MM-DD/   (newest, or --ingest_date)
  sink    s3://<silver>/<source>/<dataset>/<dataset>.snappy.parquet   (the current snapshot)
Transform (pure pandas, `transform_dataset`): drop unneeded columns, split each date column into
<col>_todate/_year/_month/_day, decode HTML entities (html.unescape) in text columns, set types.

Bad input never replaces good data: a dataset whose bronze rows fail validation (missing column,
null/malformed date, null/non-integer number, conflicting duplicate keys) is not written, its error
names the bronze object and the field, the other datasets still run, and the job then publishes
one failure notification and fails. Exact duplicate rows are dropped and logged (documented rule).

Arguments (Glue style --name value): --bronze_bucket, --silver_bucket, [--source_name wordpress_api],
[--datasets a,b,c], [--ingest_date YYYY-MM-DD], [--failure_topic_arn arn].
"""

import html
import logging
import sys
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
import pandas as pd

from lakehouse_common import layout
from lakehouse_common.datasets import SOURCE_WORDPRESS, WORDPRESS_DATASETS, WORDPRESS_KEYS
from lakehouse_common.glue_job import get_job_arguments, job_start_utc
from lakehouse_common.logging_setup import configure_logging
from lakehouse_common.notifications import failure_message, failure_subject, publish_failure
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


# Dropped columns: the seed drops term_order; its gold mapping shows which posts columns silver
# still had (ID, title, status, parent, type, post_date, post_modified) — the rest is content or
# WordPress bookkeeping nobody reports on (and post_date_gmt holds '0000-00-00' for auto-drafts).
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
            "post_password",
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
        drop=("term_order",),
    ),
}
SILVER_KEYS: Dict[str, Tuple[str, ...]] = {name: WORDPRESS_KEYS[name] for name in SILVER_SPECS}
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


# ---- sinks -----------------------------------------------------------------------------------


def silver_object_path(silver_bucket: str, source: str, dataset: str) -> str:
    """One fixed key per dataset: a re-run replaces it atomically (readers see old or new)."""
    return f"{layout.dataset_prefix(silver_bucket, source, dataset)}{dataset}.snappy.parquet"


def save_silver_snapshot(
    df: pd.DataFrame, silver_bucket: str, source: str, dataset: str, job_start: Any
) -> List[str]:
    """Write the snapshot, then delete whatever else the dataset folder held before the job began."""
    target = silver_object_path(silver_bucket, source, dataset)
    _wr().s3.to_parquet(df, path=target, compression="snappy", index=False)
    folder = layout.dataset_prefix(silver_bucket, source, dataset)
    return delete_files_before(folder, job_start, keep=[target])


# ---- main ------------------------------------------------------------------------------------


@dataclass
class SilverRunResult:
    """What one run did, per dataset."""

    written: Dict[str, str]
    failed: Dict[str, str]
    skipped: List[str]


def process_dataset(
    dataset: str,
    *,
    bronze_bucket: str,
    silver_bucket: str,
    source: str,
    ingest_date: Optional[str],
    job_start: Any,
) -> str:
    """Read, transform and save one dataset; returns the silver object written."""
    date = ingest_date or newest_ingest_date(bronze_bucket, source, dataset)
    partition = layout.partition_prefix(bronze_bucket, source, dataset, date)
    bronze = load_bronze_partition(partition)
    silver = transform_dataset(bronze, dataset, partition)
    LOGGER.info("%s: %d bronze rows -> %d silver rows", partition, len(bronze), len(silver))
    save_silver_snapshot(silver, silver_bucket, source, dataset, job_start)
    return silver_object_path(silver_bucket, source, dataset)


def run_silver(
    bronze_bucket: str,
    silver_bucket: str,
    source: str,
    datasets: Sequence[str],
    ingest_date: Optional[str] = None,
) -> SilverRunResult:
    """Process every requested dataset; failures are collected, not raised (see `main`)."""
    job_start = job_start_utc()
    if ingest_date:
        layout.validate_ingest_date(ingest_date)
    result = SilverRunResult(written={}, failed={}, skipped=[])
    for dataset in datasets:
        if dataset not in SILVER_SPECS:
            LOGGER.warning("%s is not currently mapped. Skipping transform...", dataset)
            result.skipped.append(dataset)
            continue
        try:
            result.written[dataset] = process_dataset(
                dataset,
                bronze_bucket=bronze_bucket,
                silver_bucket=silver_bucket,
                source=source,
                ingest_date=ingest_date,
                job_start=job_start,
            )
        except Exception as error:  # one bad dataset must not stop the others
            LOGGER.exception("%s failed", dataset)
            result.failed[dataset] = f"{type(error).__name__}: {error}"
    return result


class SilverJobError(RuntimeError):
    """At least one dataset failed; the message lists each with its cause."""


def main(argv: Optional[Sequence[str]] = None, sns_client: Any = None) -> SilverRunResult:
    """Glue entry point: read arguments, run, notify and fail if any dataset failed."""
    configure_logging("silver_wordpress_api")
    arguments = list(sys.argv if argv is None else argv)
    # Read the topic on its own first, so even a missing required argument is reported.
    topic = get_job_arguments([], {"failure_topic_arn": None}, arguments)["failure_topic_arn"]
    try:
        args = get_job_arguments(
            required=["bronze_bucket", "silver_bucket"],
            optional={
                "source_name": SOURCE_WORDPRESS,
                "datasets": ",".join(WORDPRESS_DATASETS),
                "ingest_date": None,
            },
            argv=arguments,
        )
        datasets = [name.strip() for name in str(args["datasets"]).split(",") if name.strip()]
        result = run_silver(
            str(args["bronze_bucket"]),
            str(args["silver_bucket"]),
            str(args["source_name"]),
            datasets,
            args["ingest_date"],
        )
    except Exception as error:  # bad arguments etc.: still say so on the topic
        publish_failure(
            topic, f"{STAGE} failed", f"{STAGE} failed: {type(error).__name__}: {error}", sns_client
        )
        raise
    if result.failed:
        publish_failure(
            topic,
            failure_subject(STAGE, result.failed),
            failure_message(STAGE, args["ingest_date"] or "newest partition", result.failed, result.written),
            sns_client,
        )
        details = "; ".join(f"{name}: {cause}" for name, cause in sorted(result.failed.items()))
        raise SilverJobError(f"{STAGE}: {len(result.failed)} dataset(s) failed: {details}")
    LOGGER.info("%s complete: %d written, %d skipped", STAGE, len(result.written), len(result.skipped))
    return result


if __name__ == "__main__":
    main(sys.argv)
