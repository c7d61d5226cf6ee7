"""The write-audit-publish protocol of the silver layer (any source; no pandas, no Spark).

A silver job publishes nothing directly. Its write stage puts each dataset's candidate at
  s3://<silver>/_candidate/<source>/<dataset>/<dataset>.snappy.parquet
records the exact object (VersionId, else ETag) in a manifest written only when every dataset
succeeded,
  s3://<silver>/_candidate/<source>/_manifest.json
and may register each candidate as a Glue table for the quality gate. Its publish stage reads the
manifest, checks it (source, ingest date, every dataset present, each candidate at its own key and
unchanged) and only then server-side copies each recorded version over the live snapshot
  s3://<silver>/<source>/<dataset>/<dataset>.snappy.parquet
docs/job-protocol.md describes the protocol for teams writing their own jobs; these functions are
the reference implementation (the generic silver job uses them).
"""

import json
from dataclasses import asdict, dataclass
from typing import Any, Dict, Mapping, Optional, Sequence, Tuple

from botocore.exceptions import ClientError

from lakehouse_common import layout
from lakehouse_common.notifications import join_causes


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


# ---- S3 and Glue I/O -------------------------------------------------------------------------


def _client(service: str) -> Any:
    """A boto3 client; region and endpoint (emulator) come from the environment."""
    import boto3  # noqa: PLC0415 - provided by Glue; only needed when the job runs

    return boto3.client(service)


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", "unknown"))


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
