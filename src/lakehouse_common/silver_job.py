"""The generic silver job (Glue Python shell, Python 3.9): newest bronze partition of each
dataset of a source -> silver snapshot, published write-audit-publish style.

The source's contract (`lakehouse_common.contract`) says how each dataset becomes silver; nothing
here knows a source. For each requested dataset:
  source     s3://<bronze>/<source>/<dataset>/ingest_date=YYYY-MM-DD/   (newest, or --ingest_date)
  candidate  s3://<silver>/_candidate/<source>/<dataset>/<dataset>.snappy.parquet
  live       s3://<silver>/<source>/<dataset>/<dataset>.snappy.parquet  (the current snapshot)
Transform: `lakehouse_common.silver_transform.transform_dataset` (pure pandas), then the source's
optional transform hook.

Two stages (--stage), because the data-quality gate (Glue Data Quality, run by Step Functions
between them) must judge data BEFORE it replaces live silver, and must judge the exact bytes that
are then published (`lakehouse_common.write_audit_publish`):
- write (default): delete the manifest, then per dataset read + transform bronze, write the
  candidate, record its VersionId/ETag and (with --candidate_database) register it as the Glue
  table <candidate_table_prefix><dataset> over the candidate folder (the gate's data source; its
  schema is what the job wrote). Only when every requested dataset succeeded, write
  s3://<silver>/_candidate/<source>/_manifest.json. Live silver is never touched.
- publish: read the manifest, check it (source, --ingest_date, every requested dataset present),
  check ALL candidates still exist unchanged (recorded version, else ETag), then server-side copy
  each recorded version over its live key and delete older files of the live folder. The manifest
  stays, so publishing again is idempotent.

Bad input never replaces good data: a dataset whose bronze rows fail validation is not written,
its error names the bronze object and the field, the other datasets still run, and the job then
publishes one failure notification and fails (without a manifest). Exact duplicate rows are
dropped and logged. Publish failures also notify once and fail the run.

Incremental datasets (contract `load.mode: incremental`, merged when the deployment lists them in
--merge_datasets): the candidate is the live silver snapshot merged with the bronze increment by
the dataset's key (`silver_transform.merge_increment`, the shared CDC merge).

Arguments and exit behaviour: docs/job-protocol.md.
"""

import datetime as dt
import importlib
import logging
import sys
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import pandas as pd

from lakehouse_common import layout
from lakehouse_common.contract import Contract, Dataset, bundled_contract
from lakehouse_common.glue_job import get_job_arguments, job_start_utc, notify_job_failure
from lakehouse_common.logging_setup import configure_logging
from lakehouse_common.notifications import failure_message, failure_subject, join_causes, publish_failure
from lakehouse_common.s3_cleanup import delete_files_before
from lakehouse_common.silver_transform import (
    SilverInputError,
    TransformHook,
    drop_deleted,
    merge_increment,
    transform_dataset,
)
from lakehouse_common.write_audit_publish import (
    CandidateRecord,
    Manifest,
    SilverJobError,
    SilverPublishError,
    candidate_object_path,
    candidate_problem,
    candidate_table_input,
    copy_candidate,
    delete_manifest,
    object_version,
    put_manifest,
    read_manifest,
    register_candidate_table,
    select_candidates,
    silver_object_path,
    split_s3_uri,
)

LOGGER = logging.getLogger("silver")
# The workflow passes "none" on a daily run (a Glue argument cannot be left out per run).
NO_BACKFILL = "none"
# The module a source's transform hook is looked up in: a callable `silver_transform(frame,
# dataset) -> frame` (see --hooks_module).
HOOK_FUNCTION = "silver_transform"


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
    value, the costliest part of a read), and so do decimals where pandas has Arrow dtypes.
    Everything else converts as pyarrow does by default:
    integers without nulls stay zero-copy int64 (with nulls they arrive as float NaN, which
    `to_int` reports), instead of awswrangler's default nullable Int64 copies."""
    import pyarrow as pa  # noqa: PLC0415 - with pandas wherever this job runs

    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return pd.StringDtype("pyarrow")
    arrow_dtypes = hasattr(pd, "ArrowDtype") and int(pd.__version__.split(".")[0]) >= 2
    if pa.types.is_decimal(arrow_type) and arrow_dtypes:
        # Decimals stay Arrow too (pandas >= 2): no Python Decimal object per value.
        return pd.ArrowDtype(arrow_type)
    return None


def load_bronze_partition(path: str) -> pd.DataFrame:
    """All Parquet objects of one bronze partition as one DataFrame."""
    wr = _wr()
    files = [item for item in wr.s3.list_objects(path) if not item.rsplit("/", 1)[-1].startswith(("_", "."))]
    if not files:
        raise SilverInputError(f"{path}: bronze partition has no objects")
    return wr.s3.read_parquet(files, pyarrow_additional_kwargs={"types_mapper": bronze_types_mapper})


def parquet_dtypes(df: pd.DataFrame, dataset: Dataset) -> Dict[str, str]:
    """Athena types awswrangler cannot infer from the frame: decimals at the contract's precision."""
    return {
        dataset.silver_column_of(column.name): f"decimal({column.precision},{column.scale})"
        for column in dataset.kept_columns()
        if column.kind == "decimal" and dataset.silver_column_of(column.name) in df.columns
    }


def athena_column_types(df: pd.DataFrame, dataset: Optional[Dataset] = None) -> List[Tuple[str, str]]:
    """(column, Athena/Hive type) in DataFrame order, as awswrangler maps them when writing."""
    dtype = parquet_dtypes(df, dataset) if dataset is not None else {}
    types, _partitions = _wr().catalog.extract_athena_types(df=df, index=False)
    types.update(dtype)
    return [(str(name), types[name]) for name in df.columns]


def save_candidate(
    df: pd.DataFrame, dataset: Dataset, silver_bucket: str, source: str, job_start: Any
) -> str:
    """Write the candidate, then delete whatever else its folder held before the job began."""
    target = candidate_object_path(silver_bucket, source, dataset.name)
    dtype = parquet_dtypes(df, dataset)
    _wr().s3.to_parquet(
        df, path=target, compression="snappy", index=False, **({"dtype": dtype} if dtype else {})
    )
    delete_files_before(
        layout.candidate_prefix(silver_bucket, source, dataset.name), job_start, keep=[target]
    )
    return target


# ---- configuration ---------------------------------------------------------------------------


STAGES = ("write", "publish")
DEFAULT_CANDIDATE_TABLE_PREFIX = "candidate_"


@dataclass(frozen=True)
class SilverConfig:
    """The job's arguments, checked against the source's contract."""

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
    # vanished from the source there are dropped); None on a daily run.
    backfill_from: Optional[str] = None
    hooks_module: Optional[str] = None

    @property
    def stage_name(self) -> str:
        """How notifications and errors name this job: "silver <source>" (+ " publish")."""
        base = f"silver {self.source}"
        return f"{base} publish" if self.stage == "publish" else base


def _names(value: Optional[str]) -> Tuple[str, ...]:
    return tuple(name.strip() for name in str(value or "").split(",") if name.strip())


def read_config(argv: Sequence[str], contract: Contract) -> SilverConfig:
    """Glue arguments -> SilverConfig; ValueError (ConfigError) naming a bad or missing argument.

    --datasets defaults to every dataset of the contract. --merge_datasets lists the datasets
    this deployment merges; each must be declared incremental by the contract (an incremental
    dataset left out is loaded whole: each delivery is then the complete dataset).
    """
    args = get_job_arguments(
        required=["bronze_bucket", "silver_bucket"],
        optional={
            "stage": "write",
            "source_name": contract.source,
            "datasets": ",".join(contract.dataset_names),
            "ingest_date": None,
            "candidate_database": None,
            "candidate_table_prefix": DEFAULT_CANDIDATE_TABLE_PREFIX,
            "merge_datasets": "",
            "backfill_from": "",
            "hooks_module": None,
        },
        argv=argv,
    )
    stage = str(args["stage"]).strip()
    if stage not in STAGES:
        raise ValueError(f"--stage must be one of {', '.join(STAGES)}, got {stage!r}")
    source = str(args["source_name"])
    if source != contract.source:
        raise ValueError(
            f"--source_name is {source!r} but the job's contract is {contract.origin} ({contract.source!r})"
        )
    ingest_date = args["ingest_date"] or None
    if ingest_date:
        layout.validate_ingest_date(ingest_date)
    merge_datasets = _names(args["merge_datasets"])
    unknown = [name for name in merge_datasets if name not in contract.datasets]
    if unknown:
        raise ValueError(f"--merge_datasets names datasets without a silver mapping: {unknown}")
    snapshots = [name for name in merge_datasets if contract.datasets[name].load.mode != "incremental"]
    if snapshots:
        raise ValueError(
            f"--merge_datasets names datasets {contract.origin} declares snapshot (load.mode), "
            f"not incremental: {snapshots}"
        )
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
        source=source,
        datasets=_names(args["datasets"]),
        ingest_date=ingest_date,
        candidate_database=args["candidate_database"] or None,
        candidate_table_prefix=str(args["candidate_table_prefix"] or ""),
        merge_datasets=merge_datasets,
        backfill_from=backfill_from,
        hooks_module=args["hooks_module"] or None,
    )


def load_hook(module_name: Optional[str]) -> Optional[TransformHook]:
    """The source's transform hook: `silver_transform` of `module_name` (None: no hook)."""
    if not module_name:
        return None
    module = importlib.import_module(module_name)
    hook = getattr(module, HOOK_FUNCTION, None)
    if not callable(hook):
        raise ValueError(f"--hooks_module {module_name} has no callable {HOOK_FUNCTION}(frame, dataset)")
    return hook  # type: ignore[no-any-return]


def split_mapped(datasets: Sequence[str], contract: Contract) -> Tuple[List[str], List[str]]:
    """(mapped, skipped): datasets the contract does not declare are skipped with a warning."""
    mapped: List[str] = []
    skipped: List[str] = []
    for dataset in datasets:
        if dataset in contract.datasets:
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


# ---- stages ----------------------------------------------------------------------------------


def load_live_silver(silver_bucket: str, source: str, dataset: str) -> Optional[pd.DataFrame]:
    """The published snapshot of `dataset`, or None before its first publish."""
    wr = _wr()
    live = silver_object_path(silver_bucket, source, dataset)
    if not wr.s3.does_object_exist(live):
        return None
    return wr.s3.read_parquet(live)


def write_candidate(
    dataset: Dataset,
    config: SilverConfig,
    job_start: Any,
    s3: Any,
    *,
    glue: Any = None,
    hook: Optional[TransformHook] = None,
) -> CandidateRecord:
    """Read, transform (and merge) and write one dataset's candidate (and register its table)."""
    name = dataset.name
    date = config.ingest_date or newest_ingest_date(config.bronze_bucket, config.source, name)
    partition = layout.partition_prefix(config.bronze_bucket, config.source, name, date)
    bronze = load_bronze_partition(partition)
    silver = transform_dataset(bronze, dataset, partition, hook)
    LOGGER.info("%s: %d bronze rows -> %d silver rows", partition, len(bronze), len(silver))
    if name in config.merge_datasets:
        previous = load_live_silver(config.silver_bucket, config.source, name)
        silver = merge_increment(previous, silver, dataset, date, config.backfill_from)
        LOGGER.info(
            "%s: merged into %d previous silver rows -> %d rows",
            name,
            0 if previous is None else len(previous),
            len(silver),
        )
    else:
        silver = drop_deleted(silver, dataset)
    target = save_candidate(silver, dataset, config.silver_bucket, config.source, job_start)
    version_id, etag = object_version(s3, target)
    if config.candidate_database:
        table = f"{config.candidate_table_prefix}{name}"
        folder = layout.candidate_prefix(config.silver_bucket, config.source, name)
        table_input = candidate_table_input(table, folder, athena_column_types(silver, dataset))
        action = register_candidate_table(glue, config.candidate_database, table_input)
        LOGGER.info("%s table %s.%s -> %s", action, config.candidate_database, table, folder)
    bucket, key = split_s3_uri(target)
    return CandidateRecord(bucket, key, version_id, etag, len(silver), date, partition)


def run_write(config: SilverConfig, contract: Contract, s3: Any, glue: Any = None) -> SilverRunResult:
    """Write stage: a candidate per requested dataset, then the manifest if all succeeded.

    Dataset failures are collected, not raised (see `main`); live silver is never touched.
    """
    job_start = job_start_utc()
    manifest_uri = layout.candidate_manifest_uri(config.silver_bucket, config.source)
    # First of all: until this run's manifest exists, nothing can be published, so a failed or
    # partial write never is (and yesterday's manifest cannot pair with today's candidates).
    delete_manifest(s3, manifest_uri)
    mapped, skipped = split_mapped(config.datasets, contract)
    hook = load_hook(config.hooks_module)
    result = SilverRunResult(written={}, failed={}, skipped=skipped)
    for name in mapped:
        try:
            record = write_candidate(contract.dataset(name), config, job_start, s3, glue=glue, hook=hook)
        except Exception as error:  # one bad dataset must not stop the others
            LOGGER.exception("%s failed", name)
            result.failed[name] = f"{type(error).__name__}: {error}"
            continue
        result.candidates[name] = record
        result.written[name] = record.uri
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


def run_publish(config: SilverConfig, contract: Contract, s3: Any) -> SilverPublishResult:
    """Publish stage: the manifest's candidates over the live snapshots; raises SilverPublishError."""
    job_start = job_start_utc()
    stage = config.stage_name
    manifest_uri = layout.candidate_manifest_uri(config.silver_bucket, config.source)
    mapped, skipped = split_mapped(config.datasets, contract)
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
        raise SilverPublishError(f"{stage}: nothing published: {details}", failed=refused)
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
            f"{stage}: {len(failed)} dataset(s) failed: {details}",
            failed=failed,
            published=result.published,
        )
    return result


# ---- main ------------------------------------------------------------------------------------


def _client(service: str) -> Any:
    """A boto3 client; region and endpoint (emulator) come from the environment."""
    import boto3  # noqa: PLC0415 - provided by Glue; only needed when the job runs

    return boto3.client(service)


def _main_write(
    config: SilverConfig, contract: Contract, topic: Optional[str], clients: Mapping[str, Any]
) -> SilverRunResult:
    stage = config.stage_name
    try:
        s3 = clients.get("s3") or _client("s3")
        glue = clients.get("glue") or (_client("glue") if config.candidate_database else None)
        result = run_write(config, contract, s3, glue)
    except Exception as error:  # e.g. S3 refused the manifest: still say so on the topic
        notify_job_failure(stage, topic, error, sns_client=clients.get("sns"))
        raise
    if result.failed:
        message = failure_message(
            stage, config.ingest_date or "newest partition", result.failed, result.written
        )
        message += "\nNo manifest was written: nothing from this run can be published."
        publish_failure(topic, failure_subject(stage, result.failed), message, clients.get("sns"))
        details = join_causes(result.failed)
        raise SilverJobError(f"{stage}: {len(result.failed)} dataset(s) failed: {details}")
    LOGGER.info(
        "%s write complete: %d candidate(s), %d skipped, manifest %s",
        stage,
        len(result.written),
        len(result.skipped),
        result.manifest_uri,
    )
    return result


def _main_publish(
    config: SilverConfig, contract: Contract, topic: Optional[str], clients: Mapping[str, Any]
) -> SilverPublishResult:
    stage = config.stage_name
    manifest_uri = layout.candidate_manifest_uri(config.silver_bucket, config.source)
    note = f"The manifest {manifest_uri} was left in place: publishing again is safe."
    try:
        result = run_publish(config, contract, clients.get("s3") or _client("s3"))
    except Exception as error:
        LOGGER.exception("%s failed", stage)
        if isinstance(error, SilverPublishError) and error.failed:  # name the datasets
            date = config.ingest_date or "recorded in the manifest"
            message = failure_message(stage, date, error.failed, error.published) + "\n" + note
            publish_failure(topic, failure_subject(stage, error.failed), message, clients.get("sns"))
        else:
            notify_job_failure(stage, topic, error, note, clients.get("sns"))
        raise
    LOGGER.info("%s complete: %d published, %d skipped", stage, len(result.published), len(result.skipped))
    return result


def main(
    argv: Optional[Sequence[str]] = None,
    contract_loader: Optional[Callable[[str], Contract]] = None,
    sns_client: Any = None,
    s3_client: Any = None,
    glue_client: Any = None,
) -> Union[SilverRunResult, SilverPublishResult]:
    """Glue entry point: read arguments and the source's contract, run the stage, notify once
    and fail on any failure. `contract_loader(source)` returns the source's contract (default:
    the one packaged with the job, `contract.bundled_contract`)."""
    configure_logging("silver")
    arguments = list(sys.argv if argv is None else argv)
    # Read the topic and source on their own first, so even a missing required argument or an
    # unreadable contract is reported.
    early = get_job_arguments([], {"failure_topic_arn": None, "source_name": None}, arguments)
    topic = early["failure_topic_arn"]
    clients = {"sns": sns_client, "s3": s3_client, "glue": glue_client}
    stage = f"silver {early['source_name'] or 'job'}"
    try:
        if not early["source_name"]:
            raise ValueError("missing job argument(s): --source_name")
        loader = contract_loader or bundled_contract
        contract = loader(str(early["source_name"]))
        config = read_config(arguments, contract)
    except Exception as error:  # bad arguments or contract: still say so on the topic
        notify_job_failure(stage, topic, error, sns_client=sns_client)
        raise
    if config.stage == "publish":
        return _main_publish(config, contract, topic, clients)
    return _main_write(config, contract, topic, clients)
