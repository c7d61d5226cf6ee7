"""Step Functions aws-sdk service names -> boto3 service names (where they differ)."""

from __future__ import annotations

# Step Functions uses the AWS SDK for Java 2.x service names in aws-sdk ARNs.
_SFN_TO_BOTO3 = {
    "sfn": "stepfunctions",
    "cloudwatchlogs": "logs",
    "eventbridge": "events",
    "acmpca": "acm-pca",
    "lambda": "lambda",
    "secretsmanager": "secretsmanager",
    "cloudwatch": "cloudwatch",
    "scheduler": "scheduler",
}


def boto3_name(sfn_service_name: str) -> str:
    return _SFN_TO_BOTO3.get(sfn_service_name.lower(), sfn_service_name.lower())
