"""Fixtures for the Lambda, sample-data and packaging tests (registered by tests/unit/conftest.py).

`lambda_aws`: in-process moto (S3, SSM, SNS + an SQS queue subscribed to the failure topic so tests
read the notifications back). `wordpress_api`: the sample WordPress API on a real local socket.
"""

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List

import boto3
import pytest
from moto import mock_aws
from notifications import Inbox, subject_and_message, subscribe_inbox
from wordpress_sample.server import WordPressApi

FIXTURE_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "wordpress_small"
REGION = "eu-west-1"


@dataclass
class LambdaAws:
    s3: Any
    ssm: Any
    sns: Any
    sqs: Any
    raw_bucket: str
    bronze_bucket: str
    topic_arn: str
    queue_url: str

    def notifications(self) -> List[Dict[str, str]]:
        """Every SNS message published so far: [{"Subject": ..., "Message": ...}], oldest first."""
        return [subject_and_message(e) for e in Inbox(self.sqs, self.sns, self.queue_url).drain()]

    def objects(self, bucket: str, prefix: str = "") -> Dict[str, bytes]:
        """key -> body of every object under prefix."""
        found: Dict[str, bytes] = {}
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                found[item["Key"]] = self.s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
        return found


@pytest.fixture(scope="session")
def wordpress_small() -> Dict[str, List[Dict[str, Any]]]:
    """The committed sample site: dataset -> rows."""
    return {
        path.stem: json.loads(path.read_text(encoding="utf-8")) for path in sorted(FIXTURE_DIR.glob("*.json"))
    }


@pytest.fixture
def lambda_aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[LambdaAws]:
    # An emulator endpoint in the environment would send boto3 past moto's in-process mock.
    for name in list(os.environ):
        if name.startswith("AWS_ENDPOINT_URL") or name in (
            "AWS_PROFILE",
            "AWS_CA_BUNDLE",
            "WR_S3_ENDPOINT_URL",
        ):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        sns = boto3.client("sns", region_name=REGION)
        sqs = boto3.client("sqs", region_name=REGION)
        config = {"LocationConstraint": REGION}
        for bucket in ("lake-test-raw", "lake-test-bronze"):
            s3.create_bucket(Bucket=bucket, CreateBucketConfiguration=config)
        topic_arn = sns.create_topic(Name="lake-test-failures")["TopicArn"]
        queue_url = subscribe_inbox(sns, sqs, topic_arn, "lake-test-failures").url
        yield LambdaAws(
            s3=s3,
            ssm=boto3.client("ssm", region_name=REGION),
            sns=sns,
            sqs=sqs,
            raw_bucket="lake-test-raw",
            bronze_bucket="lake-test-bronze",
            topic_arn=topic_arn,
            queue_url=queue_url,
        )


@pytest.fixture
def wordpress_api(wordpress_small: Dict[str, List[Dict[str, Any]]]) -> Iterator[WordPressApi]:
    with WordPressApi(wordpress_small) as api:
        yield api
