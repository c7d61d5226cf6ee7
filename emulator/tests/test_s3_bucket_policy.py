"""TLS-only bucket policy: plain HTTP denied, HTTPS allowed (moto 5.2.1 denied both)."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

pytestmark = pytest.mark.emulator

BUCKET = "tls-only"


def tls_only_policy(bucket: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                }
            ],
        }
    )


def test_tls_only_policy(emu):
    s3 = emu.client("s3")
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    s3.put_bucket_policy(Bucket=BUCKET, Policy=tls_only_policy(BUCKET))

    s3.put_object(Bucket=BUCKET, Key="a.txt", Body=b"over tls")
    assert s3.get_object(Bucket=BUCKET, Key="a.txt")["Body"].read() == b"over tls"

    plain = emu.client("s3", endpoint_url=emu.http_endpoint)
    for call in (
        lambda: plain.get_object(Bucket=BUCKET, Key="a.txt"),
        lambda: plain.put_object(Bucket=BUCKET, Key="b.txt", Body=b"plain"),
    ):
        with pytest.raises(ClientError) as err:
            call()
        assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
        assert err.value.response["Error"]["Code"] == "AccessDenied"
    assert "Contents" in s3.list_objects_v2(Bucket=BUCKET)
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]] == ["a.txt"]


def test_unconditional_deny_still_denies_over_tls(emu):
    s3 = emu.client("s3")
    s3.create_bucket(Bucket="deny-all", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    s3.put_object(Bucket="deny-all", Key="k", Body=b"x")
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::deny-all/*",
            }
        ],
    }
    s3.put_bucket_policy(Bucket="deny-all", Policy=json.dumps(policy))
    with pytest.raises(ClientError) as err:
        s3.get_object(Bucket="deny-all", Key="k")
    assert err.value.response["Error"]["Code"] == "AccessDenied"
