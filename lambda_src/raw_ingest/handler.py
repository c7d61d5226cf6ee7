"""Raw Lambda for any source, configured by the contract its zip carries
(lakehouse_contracts/<SOURCE_NAME>.json) and the source's optional raw hooks
(lakehouse_contracts/<SOURCE_NAME>_raw_hooks.py): for each dataset, a landing dataset's new drops
are copied into raw for the ingest date, an HTTP dataset is fetched with its contract's
pagination into immutable raw objects (lakehouse_common.raw and raw_http do the work; this file
reads the configuration, runs every dataset and notifies once).

A failed dataset does not stop the others; at the end the failures are published to
$FAILURE_TOPIC_ARN and the invocation raises RawIngestError. When the invocation runs short of
time, the HTTP rows so far are stored and the answer carries a `continuation`; the workflow
invokes again with it until it is null.

Handler: raw_ingest.handler.handler
Env: SOURCE_NAME, RAW_BUCKET, DATASETS (optional subset), FAILURE_TOPIC_ARN, LOG_LEVEL;
     landing datasets: LANDING_BUCKET, LANDING_PREFIX;
     HTTP datasets: ENDPOINTS_PARAMETER (SSM parameter: JSON dataset -> URL),
     CREDENTIALS_SECRET_ARN (optional: HTTP Basic auth from this secret, read on every run),
     INCREMENTAL_DATASETS (datasets fetched from a start day when their contract names
     raw.options.window_param), LOOKBACK_DAYS (2), HTTP_TIMEOUT_SECONDS (30),
     HTTP_MAX_RETRIES (3), HTTP_BACKOFF_SECONDS (1.0), OBJECT_MAX_BYTES (8 MiB),
     RESERVE_SECONDS (45).
Event: {"ingest_date": "YYYY-MM-DD", "run_id": "<execution name>", "from": "YYYY-MM-DD",
        "continuation": {...}} (all optional; `from` may also come as `input.from`: the workflow
        passes its execution input as `input`).
"""

import json
import logging
import os
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

from botocore.exceptions import BotoCoreError, ClientError

from lakehouse_common import arguments, notifications, raw, raw_http
from lakehouse_common.contract import Contract, Dataset, bundled_contract
from lakehouse_common.logging_setup import configure_logging

LOGGER = logging.getLogger(__name__)


class RawIngestError(RuntimeError):
    """One or more datasets could not be ingested; the message lists each cause."""


@dataclass(frozen=True)
class Settings:
    contract: Contract
    raw_bucket: str
    datasets: Tuple[str, ...]
    failure_topic_arn: Optional[str] = None
    landing_bucket: Optional[str] = None
    landing_prefix: str = ""
    endpoints_parameter: Optional[str] = None
    credentials_secret: Optional[str] = None
    incremental_datasets: Tuple[str, ...] = ()
    lookback_days: int = 2
    timeout_seconds: float = 30.0
    max_retries: int = 3
    backoff_seconds: float = 1.0
    object_max_bytes: int = raw_http.OBJECT_MAX_BYTES
    reserve_seconds: float = raw_http.RESERVE_SECONDS
    hooks: raw_http.RawHooks = field(default_factory=raw_http.RawHooks)

    @property
    def stage(self) -> str:
        return f"raw_{self.contract.source}"

    def http_datasets(self) -> List[str]:
        return [name for name in self.datasets if self.contract.dataset(name).raw.kind == "http"]


def load_settings(environ: Optional[Mapping[str, str]] = None) -> Settings:
    env = os.environ if environ is None else environ
    source = arguments.env_str("SOURCE_NAME", environ=env)
    contract = bundled_contract(source, env)
    datasets = arguments.env_list("DATASETS", contract.dataset_names, env)
    unknown = [name for name in datasets if name not in contract.datasets]
    if unknown:
        raise arguments.ConfigError(
            f"environment variable DATASETS names unknown dataset(s) {unknown}; "
            f"{contract.origin} declares {list(contract.dataset_names)}"
        )
    settings = Settings(
        contract=contract,
        raw_bucket=arguments.env_str("RAW_BUCKET", environ=env),
        datasets=datasets,
        failure_topic_arn=env.get("FAILURE_TOPIC_ARN") or None,
        landing_bucket=env.get("LANDING_BUCKET") or None,
        landing_prefix=env.get("LANDING_PREFIX", ""),
        endpoints_parameter=env.get("ENDPOINTS_PARAMETER") or None,
        credentials_secret=env.get("CREDENTIALS_SECRET_ARN") or None,
        # May be empty (every dataset fetched whole), so not env_list, which demands one value.
        incremental_datasets=tuple(
            item.strip() for item in (env.get("INCREMENTAL_DATASETS") or "").split(",") if item.strip()
        ),
        lookback_days=arguments.env_int("LOOKBACK_DAYS", 2, env),
        timeout_seconds=arguments.env_float("HTTP_TIMEOUT_SECONDS", 30.0, env),
        max_retries=arguments.env_int("HTTP_MAX_RETRIES", 3, env),
        backoff_seconds=arguments.env_float("HTTP_BACKOFF_SECONDS", 1.0, env),
        object_max_bytes=arguments.env_int("OBJECT_MAX_BYTES", raw_http.OBJECT_MAX_BYTES, env),
        reserve_seconds=arguments.env_float("RESERVE_SECONDS", raw_http.RESERVE_SECONDS, env),
        hooks=raw_http.load_raw_hooks(source, env),
    )
    kinds = {contract.dataset(name).raw.kind for name in datasets}
    if "landing" in kinds and not settings.landing_bucket:
        raise arguments.ConfigError(
            "environment variable LANDING_BUCKET is required: the contract has landing datasets"
        )
    if "http" in kinds and not settings.endpoints_parameter:
        raise arguments.ConfigError(
            "environment variable ENDPOINTS_PARAMETER is required: the contract has http datasets"
        )
    return settings


@dataclass(frozen=True)
class Run:
    """One invocation's configuration, read before any dataset moves."""

    ingest_date: str
    run_id: str
    endpoints: Dict[str, str]
    window: str
    continuation: Dict[str, Any]
    credentials: Optional[raw_http.Credentials]


def prepare(event: Optional[Mapping[str, Any]], settings: Settings, *, ssm: Any, secrets: Any) -> Run:
    """The event and the HTTP configuration (endpoints, credentials); ValueError/ClientError."""
    ingest_date = arguments.event_ingest_date(event)
    run_id = arguments.event_run_id(event)
    http = settings.http_datasets()
    endpoints = raw_http.read_endpoints(ssm, str(settings.endpoints_parameter)) if http else {}
    window = raw_http.window_start(event, ingest_date, settings.lookback_days)
    continuation = raw_http.parse_continuation(event, http)
    credentials = None
    if http and settings.credentials_secret:
        credentials = raw_http.read_credentials(
            secrets, settings.credentials_secret, settings.hooks.credential_fields
        )
    return Run(ingest_date, run_id, endpoints, window, continuation, credentials)


def ingest_http(
    dataset: Dataset,
    settings: Settings,
    run: Run,
    *,
    event: Optional[Mapping[str, Any]],
    get: raw_http.Get,
    s3: Any,
    out_of_time: Callable[[], bool],
) -> Tuple[bool, raw_http.Progress]:
    """Fetch and store one HTTP dataset from where it stands -> (complete, progress)."""
    if dataset.name not in run.endpoints:
        raise raw.EndpointError(f"no endpoint for {dataset.name} in {settings.endpoints_parameter}")
    source = settings.contract.source
    progress = raw_http.start_progress(
        dataset,
        incremental=settings.incremental_datasets,
        backfill=raw_http.backfill_from(event) is not None,
        has_history=lambda: raw_http.has_raw_history(s3, settings.raw_bucket, source, dataset.name),
        window=run.window,
        pending=run.continuation.get("pending") or {},
    )
    url = run.endpoints[dataset.name]
    parameter = raw_http.window_param(dataset)
    if progress.window and parameter:
        url = raw.with_query(url, parameter, progress.window)
    endpoint = raw_http.Endpoint(
        dataset.name,
        url,
        dataset.raw.pagination or "none",
        dataset.raw.options,
        authenticated=run.credentials is not None,
        hooks=settings.hooks,
    )
    # A windowed fetch may hold no rows; so may an incremental dataset the source cannot window
    # (it delivers new rows only). A dataset delivered whole must have rows.
    allow_empty = progress.window is not None or (dataset.load.mode == "incremental" and parameter is None)
    chunks = raw_http.fetch_chunks(
        get,
        endpoint,
        progress,
        max_bytes=settings.object_max_bytes,
        out_of_time=out_of_time,
        allow_empty=allow_empty,
    )
    done = raw_http.store_chunks(
        chunks, progress, s3=s3, bucket=settings.raw_bucket, source=source, dataset=dataset.name,
        run=(run.ingest_date, run.run_id),
    )  # fmt: skip
    return done, progress


def http_summary(dataset: Dataset, settings: Settings, progress: raw_http.Progress) -> Dict[str, Any]:
    summary: Dict[str, Any] = {
        "objects": len(progress.keys),
        "rows": progress.rows,
        "pages": progress.pages,
        "bytes": progress.bytes,
        "key": progress.keys[-1],
    }
    if dataset.name in settings.incremental_datasets and raw_http.window_param(dataset):
        summary["from"] = progress.window
    return summary


def run(
    event: Optional[Mapping[str, Any]],
    settings: Settings,
    *,
    s3: Any,
    sns: Any,
    ssm: Any = None,
    http: Any = None,
    secrets: Any = None,
    remaining_seconds: Callable[[], float] = lambda: float("inf"),
) -> Dict[str, Any]:
    """Ingest every dataset (or, with the event's `continuation`, the HTTP datasets still
    pending); return the summary, with a `continuation` when the invocation ran out of time, or
    raise RawIngestError after notifying once."""
    try:
        job = prepare(event, settings, ssm=ssm, secrets=secrets)
    except (ValueError, ClientError, BotoCoreError) as error:
        failed = {"configuration": str(error)}
        ingest_date = str((event or {}).get("ingest_date") or "unknown")
        notify(settings, ingest_date, failed, {}, sns)
        raise RawIngestError(f"configuration: {error}") from error
    if http is None:
        http = raw_http.build_http(settings.timeout_seconds, settings.max_retries, settings.backoff_seconds)
    get = raw_http.urllib3_get(http, job.credentials, remaining_seconds)
    out_of_time = lambda: remaining_seconds() < settings.reserve_seconds  # noqa: E731
    stored: Dict[str, Dict[str, Any]] = dict(job.continuation.get("stored") or {})
    pending_in: Mapping[str, Any] = job.continuation.get("pending") or {}
    todo = (
        [name for name in settings.datasets if name in pending_in]
        if job.continuation
        else list(settings.datasets)
    )
    pending: Dict[str, Dict[str, Any]] = {}
    failed: Dict[str, str] = {}
    for name in todo:
        dataset = settings.contract.dataset(name)
        try:
            if dataset.raw.kind == "landing":
                stored[name] = raw.copy_landing(
                    s3,
                    landing_bucket=str(settings.landing_bucket),
                    landing_prefix=settings.landing_prefix,
                    raw_bucket=settings.raw_bucket,
                    dataset=dataset,
                    source=settings.contract.source,
                    ingest_date=job.ingest_date,
                    run_id=job.run_id,
                )
                continue
            done, progress = ingest_http(
                dataset, settings, job, event=event, get=get, s3=s3, out_of_time=out_of_time
            )
        except raw.EndpointError as error:
            LOGGER.error("raw %s failed: %s", name, error)
            failed[name] = str(error)
            continue
        except (ClientError, BotoCoreError) as error:
            LOGGER.error("raw %s failed: %s", name, error)
            failed[name] = f"AWS error: {error}"
            continue
        except Exception as error:  # a surprise must not cost the other datasets their run
            LOGGER.exception("raw %s: unexpected error", name)
            failed[name] = f"unexpected {type(error).__name__}: {error}"
            continue
        if not done:
            pending[name] = progress.as_json()
            LOGGER.info("raw %s: %d rows so far, continuing in the next invocation", name, progress.rows)
            continue
        stored[name] = http_summary(dataset, settings, progress)
        LOGGER.info("raw %s: %d rows in %d page(s) -> %s", name, progress.rows, progress.pages, progress.keys)
    summary = {
        "ingest_date": job.ingest_date,
        "run_id": job.run_id,
        "bucket": settings.raw_bucket,
        "datasets": stored,
        "failed": failed,
        # The workflow invokes again with this while it is not null.
        "continuation": {"pending": pending, "stored": stored} if pending and not failed else None,
    }
    LOGGER.info("raw summary: %s", json.dumps({**summary, "continuation": bool(pending)}, sort_keys=True))
    if failed:
        notify(settings, job.ingest_date, failed, stored, sns)
        raise RawIngestError(
            f"{len(failed)} of {len(todo)} datasets failed: {notifications.join_causes(failed)}"
        )
    return summary


def notify(
    settings: Settings, ingest_date: str, failed: Mapping[str, str], stored: Mapping[str, Any], sns: Any
) -> None:
    notifications.publish_failure(
        settings.failure_topic_arn,
        notifications.failure_subject(settings.stage, failed),
        notifications.failure_message(settings.stage, ingest_date, failed, stored),
        sns,
    )


def remaining_time(context: Any) -> Callable[[], float]:
    """Seconds left in this invocation (Lambda's context); unbounded without one (a local call)."""
    if context is None or not hasattr(context, "get_remaining_time_in_millis"):
        return lambda: float("inf")
    return lambda: context.get_remaining_time_in_millis() / 1000.0


def handler(event: Optional[Mapping[str, Any]], context: Any) -> Dict[str, Any]:
    """Lambda entry point."""
    import boto3  # noqa: PLC0415 - keeps the module importable without AWS libraries

    settings = load_settings()
    configure_logging(settings.stage)
    http = settings.http_datasets()
    return run(
        event,
        settings,
        s3=boto3.client("s3"),
        sns=boto3.client("sns"),
        ssm=boto3.client("ssm") if http else None,
        secrets=boto3.client("secretsmanager") if http and settings.credentials_secret else None,
        remaining_seconds=remaining_time(context),
    )
