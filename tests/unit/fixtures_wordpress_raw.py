"""What the WordPress raw tests share: the source's contract and raw hooks as the packaged
function reads them, the function's settings against in-process moto, and a run of it."""

import json
from pathlib import Path

from botocore.exceptions import ClientError
from raw_ingest import handler as raw_ingest

from lakehouse_common import raw_http
from lakehouse_common.contract import SOURCES_DIR_ENV, load_contract

DATE = "2025-10-31"
PARAMETER = "/lake-test/wordpress/endpoints"
DATASETS = ["posts", "statistics_pages", "term_relationships", "term_taxonomy", "terms"]
SOURCES = Path(__file__).resolve().parents[2] / "sources"
CONTRACT = load_contract(SOURCES / "wordpress_api" / "contract.json")
HOOKS = raw_http.load_raw_hooks("wordpress_api", {SOURCES_DIR_ENV: str(SOURCES)})


def endpoint_datasets(lambda_aws):
    """The datasets the test configured endpoints for (every dataset when there is no parameter):
    the function fetches those, as an environment's DATASETS would say."""
    try:
        value = json.loads(lambda_aws.ssm.get_parameter(Name=PARAMETER)["Parameter"]["Value"])
    except (ClientError, ValueError):
        return CONTRACT.dataset_names
    named = tuple(name for name in CONTRACT.dataset_names if isinstance(value, dict) and name in value)
    return named or CONTRACT.dataset_names


def settings(lambda_aws, **overrides):
    values = {
        "contract": CONTRACT,
        "raw_bucket": lambda_aws.raw_bucket,
        "datasets": endpoint_datasets(lambda_aws),
        "endpoints_parameter": PARAMETER,
        "failure_topic_arn": lambda_aws.topic_arn,
        "timeout_seconds": 0.5,
        "max_retries": 2,
        "backoff_seconds": 0.01,
        "hooks": HOOKS,
    }
    values.update(overrides)
    return raw_ingest.Settings(**values)


def build_http(config):
    return raw_http.build_http(config.timeout_seconds, config.max_retries, config.backoff_seconds)


def run(lambda_aws, event, **overrides):
    config = settings(lambda_aws, **overrides)
    return raw_ingest.run(
        event, config, ssm=lambda_aws.ssm, s3=lambda_aws.s3, sns=lambda_aws.sns, http=build_http(config)
    )


def put_endpoints(lambda_aws, endpoints):
    lambda_aws.ssm.put_parameter(Name=PARAMETER, Value=json.dumps(endpoints), Type="String", Overwrite=True)


def key(dataset, run_id="run-1"):
    return f"wordpress_api/{dataset}/ingest_date={DATE}/{run_id}.json"
