"""S3 data layout of the lakehouse: s3://<layer bucket>/<source>/<dataset>/...

- raw:    .../ingest_date=YYYY-MM-DD/<run_id>.json   (immutable history, never overwritten)
- bronze: .../ingest_date=YYYY-MM-DD/                 (Parquet; a re-run replaces that partition)
- silver: .../                                         (current snapshot, rebuilt idempotently)
- silver candidates: s3://<silver bucket>/_candidate/<source>/<dataset>/ and
          s3://<silver bucket>/_candidate/<source>/_manifest.json
          (write-audit-publish: the silver job writes candidates, the quality gate evaluates them,
          only then are they copied over the live snapshot; the leading underscore keeps
          Hive/Spark/Athena readers of the bucket from treating them as data)
- gold:   .../                                         (current snapshot, rebuilt idempotently)
"""

import datetime as dt
import re
from typing import Optional, Tuple

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NAME_RE = re.compile(r"^[a-z0-9_]+$")
INGEST_DATE_KEY = "ingest_date"
# User metadata on each raw object: when the run wrote it (UTC, microseconds), because S3 listings
# give LastModified to the second only and the newest run of a date must be found reliably.
INGESTED_AT_METADATA = "ingested-at"
# User metadata on each part of a raw run fetched in parts: "true" on the run's last part, so a
# reader can tell a complete run from one whose fetch has not finished (or failed).
LAST_PART_METADATA = "last-part"
_RAW_PART_RE = re.compile(r"^(?P<run>.+)\.part-(?P<part>\d{5})\.json$")
# Top-level folder of the silver bucket holding unpublished candidates (see the module docstring).
CANDIDATE_ROOT = "_candidate"
CANDIDATE_MANIFEST_NAME = "_manifest.json"


def validate_ingest_date(ingest_date: str) -> str:
    """Return `ingest_date` if it is a real YYYY-MM-DD date, else raise ValueError naming it."""
    if not isinstance(ingest_date, str) or not _DATE_RE.match(ingest_date):
        raise ValueError(f"ingest_date must be YYYY-MM-DD, got {ingest_date!r}")
    try:
        dt.date.fromisoformat(ingest_date)
    except ValueError as error:
        raise ValueError(
            f"ingest_date must be a real YYYY-MM-DD date, got {ingest_date!r} ({error})"
        ) from None
    return ingest_date


def _check_name(kind: str, value: str) -> str:
    if not _NAME_RE.match(value or ""):
        raise ValueError(f"{kind} must match [a-z0-9_]+, got {value!r}")
    return value


def _bucket_root(bucket: str) -> str:
    if not bucket:
        raise ValueError("bucket must not be empty")
    return f"s3://{bucket}/"


def dataset_prefix(bucket: str, source: str, dataset: str) -> str:
    """s3://bucket/source/dataset/ — the root of one dataset in one layer."""
    return f"{_bucket_root(bucket)}{_check_name('source', source)}/{_check_name('dataset', dataset)}/"


def _candidate_root(bucket: str, source: str) -> str:
    return f"{_bucket_root(bucket)}{CANDIDATE_ROOT}/{_check_name('source', source)}/"


def candidate_prefix(bucket: str, source: str, dataset: str) -> str:
    """s3://bucket/_candidate/source/dataset/ — one dataset's unpublished silver candidate."""
    return f"{_candidate_root(bucket, source)}{_check_name('dataset', dataset)}/"


def candidate_manifest_uri(bucket: str, source: str) -> str:
    """s3://bucket/_candidate/source/_manifest.json — what one complete write stage produced."""
    return f"{_candidate_root(bucket, source)}{CANDIDATE_MANIFEST_NAME}"


def partition_prefix(bucket: str, source: str, dataset: str, ingest_date: str) -> str:
    """s3://bucket/source/dataset/ingest_date=YYYY-MM-DD/ — one run's partition (raw, bronze)."""
    return f"{dataset_prefix(bucket, source, dataset)}{INGEST_DATE_KEY}={validate_ingest_date(ingest_date)}/"


def raw_object_key(source: str, dataset: str, ingest_date: str, run_id: str) -> str:
    """Key (no bucket) of one raw run's object; `run_id` keeps every run's copy."""
    if not re.match(r"^[A-Za-z0-9_.-]+$", run_id or ""):
        raise ValueError(f"run_id must match [A-Za-z0-9_.-]+, got {run_id!r}")
    return (
        f"{_check_name('source', source)}/{_check_name('dataset', dataset)}/"
        f"{INGEST_DATE_KEY}={validate_ingest_date(ingest_date)}/{run_id}.json"
    )


def raw_part_key(source: str, dataset: str, ingest_date: str, run_id: str, part: int) -> str:
    """Key of part `part` of one raw run stored in parts (a fetch too large for one object or one
    invocation): <run_id>.part-NNNNN.json next to where <run_id>.json would be."""
    if not 0 <= part <= 99999:
        raise ValueError(f"part must be 0..99999, got {part}")
    return raw_object_key(source, dataset, ingest_date, f"{run_id}.part-{part:05d}")


def raw_run_part(key: str) -> Tuple[str, Optional[int]]:
    """(run object name without .json or part suffix, part number or None) of a raw object key."""
    name = key.rsplit("/", 1)[-1]
    match = _RAW_PART_RE.match(name)
    if match:
        return match.group("run"), int(match.group("part"))
    return (name[: -len(".json")] if name.endswith(".json") else name), None


def parse_ingest_date(key_or_uri: str) -> str:
    """Extract the ingest_date=YYYY-MM-DD value from a key or URI; ValueError if absent."""
    match = re.search(rf"{INGEST_DATE_KEY}=(\d{{4}}-\d{{2}}-\d{{2}})", key_or_uri)
    if not match:
        raise ValueError(f"no {INGEST_DATE_KEY}=YYYY-MM-DD in {key_or_uri!r}")
    return validate_ingest_date(match.group(1))
