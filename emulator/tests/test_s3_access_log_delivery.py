"""Server access logs reach the target bucket as logging.s3.amazonaws.com, judged by its policy."""

from __future__ import annotations

import json

import pytest
from test_s3_bucket_policy import tls_only_policy

pytestmark = pytest.mark.emulator

REGION = "eu-west-1"
LINE = (
    'owner data [01/Dec/2026:10:00:00 +0000] 10.0.0.1 - REQ REST.GET.OBJECT a.json "GET /a.json HTTP/1.1" 200'
)


def _setup(emu, source_pattern, target_encryption=None):
    s3 = emu.client("s3")
    for name in ("access-logs", "lake-data"):
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    policy = json.loads(tls_only_policy("access-logs"))
    policy["Statement"].append(
        {
            "Sid": "S3ServerAccessLogs",
            "Effect": "Allow",
            "Principal": {"Service": "logging.s3.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": "arn:aws:s3:::access-logs/*",
            "Condition": {
                "ArnLike": {"aws:SourceArn": source_pattern},
                "StringEquals": {"aws:SourceAccount": "123456789012"},
            },
        }
    )
    s3.put_bucket_policy(Bucket="access-logs", Policy=json.dumps(policy))
    if target_encryption:
        rule = {"ApplyServerSideEncryptionByDefault": target_encryption}
        s3.put_bucket_encryption(Bucket="access-logs", ServerSideEncryptionConfiguration={"Rules": [rule]})
    s3.put_bucket_logging(
        Bucket="lake-data",
        BucketLoggingStatus={
            "LoggingEnabled": {"TargetBucket": "access-logs", "TargetPrefix": "s3-access/data/"}
        },
    )
    return s3


def _deliver(emu):
    return emu.control(
        "POST", "/_emulator/s3/deliver-access-logs", {"bucket": "lake-data", "records": [LINE]}
    )


def test_log_object_lands_under_the_target_prefix_when_the_policy_allows(emu):
    s3 = _setup(emu, "arn:aws:s3:::lake-*")
    outcome = _deliver(emu)
    assert outcome["denial"] is None
    (obj,) = s3.list_objects_v2(Bucket="access-logs")["Contents"]
    assert outcome["delivered"] == f"s3://access-logs/{obj['Key']}"
    assert obj["Key"].startswith("s3-access/data/")
    assert s3.get_object(Bucket="access-logs", Key=obj["Key"])["Body"].read().decode() == LINE + "\n"
    (decision,) = [d for d in emu.decisions() if d["principal"] == "logging.s3.amazonaws.com"]
    assert (decision["action"], decision["decision"]) == ("s3:PutObject", "allowed")


def test_policy_for_other_source_buckets_drops_the_log(emu):
    s3 = _setup(emu, "arn:aws:s3:::other-*")
    outcome = _deliver(emu)
    assert outcome["delivered"] is None and "s3:PutObject" in outcome["denial"]
    assert "Contents" not in s3.list_objects_v2(Bucket="access-logs")
    (denial,) = emu.decisions(denied_only=True)
    assert (denial["principal"], denial["decision"]) == ("logging.s3.amazonaws.com", "implicitDeny")


def test_sse_kms_target_gets_nothing(emu):
    key = emu.client("kms").create_key()["KeyMetadata"]["Arn"]
    s3 = _setup(emu, "arn:aws:s3:::lake-*", {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key})
    outcome = _deliver(emu)
    assert outcome["delivered"] is None and "SSE-KMS" in outcome["denial"]
    assert "Contents" not in s3.list_objects_v2(Bucket="access-logs")
