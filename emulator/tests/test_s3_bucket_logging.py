"""Access logging into a bucket whose policy also has the TLS-only Deny (moto 5.2.1: HTTP 500)."""

from __future__ import annotations

import json

import pytest
from test_s3_bucket_policy import tls_only_policy

pytestmark = pytest.mark.emulator


def test_logging_target_with_tls_only_and_log_delivery_statements(emu):
    s3 = emu.client("s3")
    for name in ("access-logs", "data"):
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    policy = json.loads(tls_only_policy("access-logs"))
    policy["Statement"].append(
        {
            "Sid": "S3ServerAccessLogs",
            "Effect": "Allow",
            "Principal": {"Service": "logging.s3.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": "arn:aws:s3:::access-logs/*",
            "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}},
        }
    )
    s3.put_bucket_policy(Bucket="access-logs", Policy=json.dumps(policy))
    s3.put_bucket_logging(
        Bucket="data",
        BucketLoggingStatus={
            "LoggingEnabled": {"TargetBucket": "access-logs", "TargetPrefix": "s3-access/data/"}
        },
    )
    enabled = s3.get_bucket_logging(Bucket="data")["LoggingEnabled"]
    assert enabled == {"TargetBucket": "access-logs", "TargetPrefix": "s3-access/data/"}


def test_logging_target_without_grant_is_refused(emu):
    s3 = emu.client("s3")
    for name in ("no-grant", "data2"):
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    s3.put_bucket_policy(Bucket="no-grant", Policy=tls_only_policy("no-grant"))
    with pytest.raises(s3.exceptions.ClientError) as err:
        s3.put_bucket_logging(
            Bucket="data2",
            BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": "no-grant", "TargetPrefix": "x/"}},
        )
    assert err.value.response["Error"]["Code"] == "InvalidTargetBucketForLogging"
