"""Realistic template values for the medallion pipeline's definition: one WordPress product with
two quality-gated datasets, named as modules/medallion_pipeline names them.

Shared by the definition's tests (IAM, ASL shape, cost, runbook) and bench/pipeline_cost.py, so
they all render the same workflow.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RETRY_ERRORS = Path(__file__).resolve().parents[2] / "modules" / "medallion_pipeline" / "retry_errors.json"
ACCOUNT = "123456789012"
REGION = "eu-west-1"
GLUE = f"arn:aws:glue:{REGION}:{ACCOUNT}"
PREFIX = "frugal-test"
NAMES = {
    "raw_function": f"{PREFIX}-raw-wordpress-api",
    "bronze_function": f"{PREFIX}-bronze-wordpress-api",
    "silver_job": f"{PREFIX}-silver-wordpress-api",
    "gold_job": f"{PREFIX}-gold-wordpress-api",
}
# Two gated datasets, each with its own ruleset: the workflow may evaluate exactly these.
RULESETS = {
    d: f"{PREFIX}-silver-wordpress-api-{d.replace('_', '-')}-quality" for d in ("posts", "statistics_pages")
}
DATABASES = {layer: f"frugal_test_{layer}" for layer in ("bronze", "silver", "gold")}
CRAWLERS = {layer: f"{PREFIX}-{layer}-wordpress-api" for layer in ("bronze", "silver", "gold")}
TOPICS = {kind: f"arn:aws:sns:{REGION}:{ACCOUNT}:{PREFIX}-{kind}" for kind in ("success", "failure")}
QUALITY_ROLE = f"arn:aws:iam::{ACCOUNT}:role/{PREFIX}-silver-wordpress-api-dq"


def retry_policies(interval_seconds: int, max_attempts: int) -> dict[str, Any]:
    """retry_<service> -> the Retry list a Task calling that service names, built as
    modules/medallion_pipeline/main.tf builds it from the same retry_errors.json."""
    errors = json.loads(RETRY_ERRORS.read_text(encoding="utf-8"))
    return {
        f"retry_{service}": [
            {
                "ErrorEquals": listed,
                "IntervalSeconds": interval_seconds,
                "MaxAttempts": max_attempts,
                "BackoffRate": 2,
                "JitterStrategy": "FULL",
            }
        ]
        for service, listed in errors.items()
    }


def lambda_arn(name: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"


DEFINITION_VARS: dict[str, Any] = {
    "pipeline_name": f"{PREFIX}-wordpress-api",
    "source_name": "wordpress_api",
    "raw_function_arn": lambda_arn(NAMES["raw_function"]),
    "bronze_function_arn": lambda_arn(NAMES["bronze_function"]),
    "lambda_task_timeout_seconds": 150,
    **retry_policies(interval_seconds=5, max_attempts=3),
    "workflow_timeout_seconds": 10800,
    **{f"{layer}_database": db for layer, db in DATABASES.items()},
    **{f"{layer}_table_prefix": f"{layer}_" for layer in DATABASES},
    "bronze_table_count": 5,
    "silver_table_count": 5,
    "gold_table_count": 1,
    **{f"{layer}_crawler_name": name for layer, name in CRAWLERS.items()},
    "crawl_bronze": False,
    "crawl_silver": False,
    "crawl_gold": False,
    "crawler_poll_seconds": 30,
    "crawler_max_polls": 60,
    "silver_job_name": NAMES["silver_job"],
    "gold_job_name": NAMES["gold_job"],
    "silver_job_task_timeout_seconds": 1200,
    "gold_job_task_timeout_seconds": 2700,
    "dq_gates": [
        {"dataset": d, "table": f"candidate_{d}", "ruleset_names": [name], "additional_data_sources": {}}
        for d, name in RULESETS.items()
    ],
    "dq_max_concurrency": 0,
    "dq_role_arn": QUALITY_ROLE,
    "dq_number_of_workers": 2,
    "dq_timeout_minutes": 15,
    "dq_poll_seconds": 30,
    "dq_max_polls": 60,
    "success_topic_arn": TOPICS["success"],
    "failure_topic_arn": TOPICS["failure"],
}
