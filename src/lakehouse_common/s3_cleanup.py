"""Delete the files a snapshot had before this run wrote its new copy, so a reprocessed day leaves one copy.

Silver and gold are rebuilt idempotently: write the new copy first, then delete what existed before
the job started, so a failed write leaves the previous snapshot readable and a re-run leaves exactly
one copy. `delete_files_before` does what `wr.s3.delete_objects(path, last_modified_end=job_start)`
would, with boto3 only (the gold Spark job runs on Glue 5.0, whose provided modules have boto3 and
no awswrangler; installing it with --additional-python-modules would add a pip install to every
run's start), plus the checks that keep a mistake from deleting more than one dataset:

- the path must be a dataset folder (`s3://bucket/some/prefix/`: not a bucket root, trailing slash
  so `posts/` never matches `posts_archive/`, no glob characters, which awswrangler would expand);
- `job_start` must carry a time zone and must not lie in the future;
- `keep` names the files this run wrote. S3's LastModified has one-second resolution, so a file
  written in the same second the job started is "not after" job_start and would otherwise be
  deleted with the old ones.

Local paths (`file:///...` or absolute paths) are supported with the same rules, so a job whose
storage root is injected (local Spark cannot read s3://) cleans up the same way.
Python 3.9 compatible (used by the Glue Python shell silver job).
"""

import datetime as dt
import logging
import os
import re
from typing import Any, Iterable, List, Optional, Set, Tuple

LOGGER = logging.getLogger(__name__)

_S3_DATASET_PATH = re.compile(r"^s3://[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]/(?:[^/]+/)+$")
_GLOB_CHARS = set("*?[]")
# Clocks of Glue workers and S3 agree to well under a second; more than this is a caller bug
# (e.g. passing the job's end time), and would let the delete reach files written after the start.
MAX_FUTURE_SKEW = dt.timedelta(minutes=5)
_DELETE_BATCH = 1000  # DeleteObjects takes at most 1000 keys


def is_s3_path(path: str) -> bool:
    """True for s3:// URIs, False for local paths and file:// URIs."""
    return path.startswith("s3://")


def validate_dataset_path(path: str) -> str:
    """Return `path` if it is a safe dataset folder to clean, else raise ValueError saying why."""
    if not isinstance(path, str) or not path:
        raise ValueError(f"cleanup path must be a non-empty string, got {path!r}")
    if _GLOB_CHARS & set(path):
        raise ValueError(f"cleanup path must not contain glob characters *?[]: {path!r}")
    if not path.endswith("/"):
        raise ValueError(f"cleanup path must end with '/' (a folder, not a key prefix): {path!r}")
    if is_s3_path(path):
        if not _S3_DATASET_PATH.match(path):
            raise ValueError(f"cleanup path must be s3://<bucket>/<prefix>/ below the bucket root: {path!r}")
        return path
    local = _local_dir(path)
    if local in ("/", "") or os.path.dirname(local.rstrip("/")) == "/":
        raise ValueError(f"cleanup path must be a dataset folder, not a top-level directory: {path!r}")
    return path


def _local_dir(path: str) -> str:
    if path.startswith("file://"):
        path = path[len("file://") :]
    if not os.path.isabs(path):
        raise ValueError(f"local cleanup path must be absolute or file:///...: {path!r}")
    return path


def _check_job_start(job_start: dt.datetime, now: Optional[dt.datetime]) -> None:
    if job_start.tzinfo is None or job_start.utcoffset() is None:
        raise ValueError(f"job_start must be timezone-aware (UTC), got naive {job_start!r}")
    current = now or dt.datetime.now(dt.timezone.utc)
    if job_start - current > MAX_FUTURE_SKEW:
        raise ValueError(f"job_start {job_start.isoformat()} lies in the future (now {current.isoformat()})")


def list_files(path: str, boto3_session: Any = None) -> List[str]:
    """Every file under the dataset folder `path` (recursive), as full paths in `path`'s scheme."""
    validate_dataset_path(path)
    if is_s3_path(path):
        return sorted(uri for uri, _modified in _s3_objects(path, boto3_session))
    root = _local_dir(path)
    prefix = "file://" if path.startswith("file://") else ""
    found: List[str] = []
    for folder, _dirs, files in os.walk(root):
        found.extend(prefix + os.path.join(folder, name) for name in files)
    return sorted(found)


def delete_files_before(
    path: str,
    job_start: dt.datetime,
    keep: Iterable[str] = (),
    boto3_session: Any = None,
    now: Optional[dt.datetime] = None,
) -> List[str]:
    """Delete files under `path` last modified at or before `job_start`, except those in `keep`.

    Returns the deleted paths. `keep` entries must lie under `path` (a typo there would otherwise
    silently keep nothing).
    """
    validate_dataset_path(path)
    _check_job_start(job_start, now)
    keep_set: Set[str] = set(keep)
    outside = sorted(item for item in keep_set if not item.startswith(path))
    if outside:
        raise ValueError(f"keep paths must lie under {path}: {outside[:3]}")
    if is_s3_path(path):
        doomed = _s3_candidates(path, job_start, boto3_session)
    else:
        doomed = _local_candidates(path, job_start)
    doomed = [item for item in doomed if item not in keep_set]
    if not doomed:
        LOGGER.info("cleanup %s: nothing older than %s to delete", path, job_start.isoformat())
        return []
    if is_s3_path(path):
        _s3_delete(path, doomed, boto3_session)
    else:
        _delete_local(path, doomed)
    LOGGER.info("cleanup %s: deleted %d file(s) from before %s", path, len(doomed), job_start.isoformat())
    return doomed


def _s3_client(boto3_session: Any) -> Any:
    import boto3  # noqa: PLC0415 - only for s3:// paths

    return (boto3_session or boto3.session.Session()).client("s3")


def _split(path: str) -> Tuple[str, str]:
    bucket, _, prefix = path[len("s3://") :].partition("/")
    return bucket, prefix


def _s3_objects(path: str, boto3_session: Any) -> List[Tuple[str, dt.datetime]]:
    """(s3 URI, LastModified) of every object under the folder (folder marker keys excluded)."""
    bucket, prefix = _split(path)
    pages = _s3_client(boto3_session).get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    return [
        (f"s3://{bucket}/{item['Key']}", item["LastModified"])
        for page in pages
        for item in page.get("Contents", [])
        if not item["Key"].endswith("/")
    ]


def _s3_candidates(path: str, job_start: dt.datetime, boto3_session: Any) -> List[str]:
    # LastModified at or before job_start (inclusive, as wr.s3.list_objects' last_modified_end);
    # listed first so `keep` can be applied before anything is deleted.
    return sorted(uri for uri, modified in _s3_objects(path, boto3_session) if modified <= job_start)


def _s3_delete(path: str, doomed: List[str], boto3_session: Any) -> None:
    bucket, _ = _split(path)
    client = _s3_client(boto3_session)
    keys = [uri[len(f"s3://{bucket}/") :] for uri in doomed]
    for start in range(0, len(keys), _DELETE_BATCH):
        batch = [{"Key": key} for key in keys[start : start + _DELETE_BATCH]]
        response = client.delete_objects(Bucket=bucket, Delete={"Objects": batch, "Quiet": True})
        errors = response.get("Errors", [])
        if errors:
            first = errors[0]
            where = f"s3://{bucket}/{first.get('Key')}"
            raise RuntimeError(
                f"cleanup {path}: {len(errors)} object(s) not deleted, first {where}: "
                f"{first.get('Code')} {first.get('Message')}"
            )


def _local_candidates(path: str, job_start: dt.datetime) -> List[str]:
    limit = job_start.timestamp()
    prefix = "file://" if path.startswith("file://") else ""
    return [item for item in list_files(path) if os.path.getmtime(item[len(prefix) :]) <= limit]


def _delete_local(path: str, doomed: List[str]) -> None:
    prefix = "file://" if path.startswith("file://") else ""
    for item in doomed:
        os.remove(item[len(prefix) :])
    # Partition folders left empty (e.g. a year no longer present) would show up as empty
    # partitions to a crawler; S3 has no folders, so remove them to match.
    root = _local_dir(path).rstrip("/")
    # Deepest first, so a folder emptied by removing its empty children goes too.
    for folder, _dirs, _files in sorted(os.walk(root), key=lambda entry: -len(entry[0])):
        if folder != root and not os.listdir(folder):
            os.rmdir(folder)
