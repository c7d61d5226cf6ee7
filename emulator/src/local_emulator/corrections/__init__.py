"""Corrections of moto 5.2.1 toward real AWS behaviour; one module per correction.

`apply_all()` first imports `local_emulator.patching`, which refuses to run on another moto
version, then imports and applies every correction exactly once. Each `apply()` resolves the moto
attributes it replaces through `patching.target`, which raises if one no longer exists.
"""

from __future__ import annotations

import importlib

import local_emulator.patching  # noqa: F401 - the moto version check runs before any correction

MODULES = [
    "fault_injection",
    "serialized_backends",
    "sfn_jsonata",
    "sfn_query_language",
    "sfn_validate",
    "sfn_sdk_endpoint",
    "sfn_executions",
    "sfn_wait",
    "sfn_stopped_tasks",
    "sfn_error_names",
    "sfn_optimised_casing",
    "glue_sessions",
    "glue_statements",
    "glue_jobs",
    "glue_job_execution",
    "glue_data_quality",
    "glue_crawlers",
    "glue_crawler_tables",
    "s3_bucket_policy",
    "s3_bucket_logging",
    "s3_delete_objects",
    "s3_bucket_abac",
    "cloudtrail_arn",
    "cloudwatch_alarm_actions",
    "sns_delivery",
    "events_targets",
    "lambda_managed_layers",
    "lambda_invoke",
    "lambda_configuration",
    "iam_judge",
]

_applied: list[str] = []


def apply_all() -> list[str]:
    """Apply every correction once per process; return the names applied."""
    if not _applied:
        for name in MODULES:
            importlib.import_module(f"local_emulator.corrections.{name}").apply()
            _applied.append(name)
    return list(_applied)
