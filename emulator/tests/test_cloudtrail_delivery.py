"""CloudTrail delivers digest and log files as cloudtrail.amazonaws.com, judged by bucket and key policy."""

from __future__ import annotations

import gzip
import json

import pytest

pytestmark = pytest.mark.emulator

ACCOUNT = "123456789012"
REGION = "eu-west-1"
BUCKET = "trail-logs"
TRAIL_ARN = f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/guard"
RECORD = {"eventSource": "glue.amazonaws.com", "eventName": "CreateSession"}


def _bucket_policy(source_arn=TRAIL_ARN, acl_condition=True):
    write_conditions = {"StringEquals": {"aws:SourceArn": source_arn}}
    if acl_condition:
        write_conditions["StringEquals"]["s3:x-amz-acl"] = "bucket-owner-full-control"
    principal = {"Service": "cloudtrail.amazonaws.com"}
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AclCheck",
                "Effect": "Allow",
                "Principal": principal,
                "Action": "s3:GetBucketAcl",
                "Resource": f"arn:aws:s3:::{BUCKET}",
                "Condition": {"StringEquals": {"aws:SourceArn": source_arn}},
            },
            {
                "Sid": "Write",
                "Effect": "Allow",
                "Principal": principal,
                "Action": "s3:PutObject",
                "Resource": f"arn:aws:s3:::{BUCKET}/AWSLogs/{ACCOUNT}/*",
                "Condition": write_conditions,
            },
        ],
    }


def _key(emu, context_pattern):
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Root",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "CloudTrailEncrypts",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": ["kms:GenerateDataKey*", "kms:DescribeKey"],
                "Resource": "*",
                "Condition": {
                    "StringEquals": {"aws:SourceArn": TRAIL_ARN},
                    "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": context_pattern},
                },
            },
        ],
    }
    return emu.client("kms").create_key(Policy=json.dumps(policy))["KeyMetadata"]["Arn"]


def _trail(emu, policy, key=None):
    s3 = emu.client("s3")
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(policy))
    extra = {"KmsKeyId": key} if key else {}
    emu.client("cloudtrail").create_trail(
        Name="guard", S3BucketName=BUCKET, EnableLogFileValidation=True, **extra
    )


def _deliver(emu, records=(RECORD,)):
    return emu.control("POST", "/_emulator/cloudtrail/deliver", {"trail": "guard", "records": list(records)})


def _keys(emu):
    return [o["Key"] for o in emu.client("s3").list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def test_trail_delivers_a_log_file_and_a_digest_when_the_bucket_policy_allows(emu):
    _trail(emu, _bucket_policy())
    outcome = _deliver(emu)
    assert outcome["denial"] is None
    keys = sorted(_keys(emu))
    assert len(keys) == 2 and keys == sorted(outcome["delivered"])
    log = next(k for k in keys if "/CloudTrail/" in k)
    assert log.startswith(f"AWSLogs/{ACCOUNT}/CloudTrail/{REGION}/") and log.endswith(".json.gz")
    body = emu.client("s3").get_object(Bucket=BUCKET, Key=log)["Body"].read()
    assert json.loads(gzip.decompress(body)) == {"Records": [RECORD]}
    assert any(f"/CloudTrail-Digest/{REGION}/" in k for k in keys)
    decided = {
        (d["action"], d["decision"]) for d in emu.decisions() if d["principal"] == "cloudtrail.amazonaws.com"
    }
    assert decided == {("s3:GetBucketAcl", "allowed"), ("s3:PutObject", "allowed")}


def test_no_records_still_delivers_the_hourly_digest(emu):
    _trail(emu, _bucket_policy())
    assert [k.split("/")[2] for k in _deliver(emu, records=())["delivered"]] == ["CloudTrail-Digest"]


def test_bucket_policy_for_another_trail_refuses_delivery_silently(emu):
    _trail(emu, _bucket_policy(source_arn=f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/other"))
    outcome = _deliver(emu)
    assert outcome["delivered"] == [] and "s3:GetBucketAcl" in outcome["denial"]
    assert _keys(emu) == []
    denied = {d["action"] for d in emu.decisions(denied_only=True)}
    assert denied == {"s3:GetBucketAcl", "s3:PutObject"}


def test_key_policy_must_match_the_cloudtrail_encryption_context(emu):
    wrong = _key(emu, "arn:aws:cloudtrail:*:999999999999:trail/*")
    _trail(emu, _bucket_policy(), key=wrong)
    outcome = _deliver(emu)
    assert outcome["delivered"] == [] and "kms:GenerateDataKey" in outcome["denial"]
    emu.client("s3").delete_bucket_policy(Bucket=BUCKET)
    emu.client("cloudtrail").delete_trail(Name="guard")
    emu.client("s3").delete_bucket(Bucket=BUCKET)

    right = _key(emu, f"arn:aws:cloudtrail:*:{ACCOUNT}:trail/*")
    _trail(emu, _bucket_policy(), key=right)
    outcome = _deliver(emu)
    assert outcome["denial"] is None
    log = next(k for k in outcome["delivered"] if "/CloudTrail/" in k)
    head = emu.client("s3").head_object(Bucket=BUCKET, Key=log)
    assert (head["ServerSideEncryption"], head["SSEKMSKeyId"]) == ("aws:kms", right)
