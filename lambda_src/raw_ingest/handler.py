"""Raw Lambda for any source, configured by the contract its zip carries
(lakehouse_contracts/<SOURCE_NAME>.json): for each dataset, a landing dataset's new drops are
copied into raw for the ingest date, an HTTP dataset is fetched with its contract's pagination
(lakehouse_common.raw does the work; this file reads the configuration and notifies once).

HTTP datasets here are public or token-in-URL APIs; a source that needs its own authentication or
headers (the WordPress plugin's application passwords, continuations) keeps its own function, as
raw_wordpress_api does.

Handler: raw_ingest.handler.handler
Env: SOURCE_NAME, RAW_BUCKET, DATASETS (optional subset), LANDING_BUCKET and LANDING_PREFIX (for
     landing datasets), ENDPOINTS_PARAMETER (SSM parameter: JSON dataset -> URL, for HTTP
     datasets), FAILURE_TOPIC_ARN, LOG_LEVEL.
Event: {"ingest_date": "YYYY-MM-DD", "run_id": "<execution name>"} (optional). The answer carries
       `continuation: null` as the workflow's raw step expects (this function never needs one).
"""

import json
import logging
import os
from dataclasses import dataclass
from typing import Any, Dict, Mapping, Optional, Tuple

from botocore.exceptions import BotoCoreError, ClientError

from lakehouse_common import arguments, notifications, raw
from lakehouse_common.contract import Contract, bundled_contract
from lakehouse_common.logging_setup import configure_logging

LOGGER = logging.getLogger(__name__)


class RawIngestError(RuntimeError):
    """One or more datasets could not be ingested; the message lists each cause."""


@dataclass(frozen=True)
class Settings:
    contract: Contract
    raw_bucket: str
    datasets: Tuple[str, ...]
    landing_bucket: Optional[str]
    landing_prefix: str
    endpoints_parameter: Optional[str]
    failure_topic_arn: Optional[str]

    @property
    def stage(self) -> str:
        return f"raw_{self.contract.source}"


def load_settings(environ: Optional[Mapping[str, str]] = None) -> Settings:
    env = os.environ if environ is None else environ
    contract = bundled_contract(arguments.env_str("SOURCE_NAME", environ=env), env)
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
        landing_bucket=env.get("LANDING_BUCKET") or None,
        landing_prefix=env.get("LANDING_PREFIX", ""),
        endpoints_parameter=env.get("ENDPOINTS_PARAMETER") or None,
        failure_topic_arn=env.get("FAILURE_TOPIC_ARN") or None,
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


def run(
    event: Optional[Mapping[str, Any]], settings: Settings, *, get: Any, ssm: Any, s3: Any, sns: Any
) -> Dict[str, Any]:
    """Ingest every dataset; return the summary or raise RawIngestError after notifying once."""
    failed: Dict[str, str] = {}
    stored: Dict[str, Dict[str, Any]] = {}
    try:
        ingest_date = arguments.event_ingest_date(event)
        run_id = arguments.event_run_id(event)
        endpoints: Dict[str, str] = {}
        if settings.endpoints_parameter and any(
            settings.contract.dataset(name).raw.kind == "http" for name in settings.datasets
        ):
            value = ssm.get_parameter(Name=settings.endpoints_parameter)["Parameter"]["Value"]
            endpoints = json.loads(value)
    except (ValueError, ClientError, BotoCoreError) as error:
        ingest_date, run_id = str((event or {}).get("ingest_date")), ""
        failed["configuration"] = str(error)
    for name in settings.datasets if not failed else ():
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
                    ingest_date=ingest_date,
                    run_id=run_id,
                )
            elif name not in endpoints:
                failed[name] = f"no endpoint for {name} in {settings.endpoints_parameter}"
            else:
                stored[name] = raw.ingest_http(
                    get, s3, url=endpoints[name], dataset=dataset, bucket=settings.raw_bucket,
                    source=settings.contract.source, ingest_date=ingest_date, run_id=run_id,
                )  # fmt: skip
        except raw.EndpointError as error:
            failed[name] = str(error)
        except (ClientError, BotoCoreError) as error:
            failed[name] = f"AWS error: {error}"
    summary = {
        "ingest_date": ingest_date,
        "run_id": run_id,
        "datasets": stored,
        "failed": failed,
        "continuation": None,
    }
    LOGGER.info("raw summary: %s", json.dumps(summary, sort_keys=True))
    if failed:
        notifications.publish_failure(
            settings.failure_topic_arn,
            notifications.failure_subject(settings.stage, failed),
            notifications.failure_message(settings.stage, ingest_date, failed, stored),
            sns,
        )
        raise RawIngestError(
            f"{len(failed)} of {len(settings.datasets)} datasets failed: {notifications.join_causes(failed)}"
        )
    return summary


def handler(event: Optional[Mapping[str, Any]], context: Any) -> Dict[str, Any]:
    """Lambda entry point."""
    import boto3  # noqa: PLC0415 - keeps the module importable without AWS libraries
    import urllib3  # noqa: PLC0415

    settings = load_settings()
    configure_logging(settings.stage)
    get = raw.urllib3_get(
        urllib3.PoolManager(retries=urllib3.Retry(total=3, backoff_factor=1.0), timeout=30.0)
    )
    return run(
        event, settings, get=get, ssm=boto3.client("ssm"), s3=boto3.client("s3"), sns=boto3.client("sns")
    )
