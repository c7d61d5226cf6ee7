"""Bronze Lambda for any source: the raw delivery of one ingest date -> one bronze Parquet
partition per dataset, checked against the source's contract (lakehouse_common.bronze does the
work; this file only reads the configuration).

The contract is the one the zip carries (lakehouse_contracts/<SOURCE_NAME>.json, written by
tools/package.py), so the same function serves every source.

Handler: bronze_load.handler.handler
Env: SOURCE_NAME (the contract's source), RAW_BUCKET, BRONZE_BUCKET, DATASETS (optional: a subset
     of the contract's datasets, comma-separated), INCREMENTAL_DATASETS, FAILURE_TOPIC_ARN, LOG_LEVEL.
Event: {"ingest_date": "YYYY-MM-DD"} (optional: default today UTC).
"""

import os
from typing import Any, Dict, Mapping, Optional

from lakehouse_common import arguments, bronze
from lakehouse_common.aws import configure_awswrangler
from lakehouse_common.contract import bundled_contract
from lakehouse_common.logging_setup import configure_logging

STAGE = "bronze_load"


def load_settings(environ: Optional[Mapping[str, str]] = None) -> bronze.BronzeSettings:
    env = os.environ if environ is None else environ
    contract = bundled_contract(arguments.env_str("SOURCE_NAME", environ=env), env)
    return bronze.load_settings(contract, env)


def handler(event: Optional[Mapping[str, Any]], context: Any) -> Dict[str, Any]:
    """Lambda entry point."""
    import boto3  # noqa: PLC0415 - keeps the module importable without AWS libraries

    configure_logging(STAGE)
    settings = load_settings()
    return bronze.run(
        event, settings, wr=configure_awswrangler(), s3=boto3.client("s3"), sns=boto3.client("sns")
    )
