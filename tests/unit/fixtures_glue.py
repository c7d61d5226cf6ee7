"""Fixtures for the Glue job and Glue-helper tests (imported by tests/unit/conftest.py; the py39
check loads it with `-p fixtures_glue`, so it must import on Python 3.9 without pyspark).

`spark`: ONE local SparkSession for the whole run, created only when a Spark test asks for it.
`glue_context`: the GlueContext test double around it.
`glue_aws`: in-process moto with the bronze/silver/gold buckets (silver versioned, like the real
buckets: the silver job's publish stage copies recorded candidate versions), a failure topic whose
messages land in an SQS queue, so tests read the notifications back, and a Glue database for the
silver job's candidate tables.
`bronze_small`: the committed sample site written to bronze as Parquet (one partition per dataset).
"""

import io
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import boto3
import pandas as pd
import pytest
from glue_testing import glue_context_double, local_spark_session
from moto import mock_aws
from notifications import Inbox, subject_and_message, subscribe_inbox

from lakehouse_common import layout
from lakehouse_common.contract import Contract, load_contract
from lakehouse_common.datasets import SOURCE_WORDPRESS, WORDPRESS_COLUMNS, wordpress_column_names

GLUE_FIXTURE_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "wordpress_small"
SOURCES_DIR = Path(__file__).resolve().parents[2] / "sources"
GLUE_REGION = "eu-west-1"
SMALL_INGEST_DATE = "2025-10-31"
CANDIDATE_DATABASE = "lake_test_silver"


@dataclass
class GlueAws:
    s3: Any
    sns: Any
    sqs: Any
    bronze_bucket: str
    silver_bucket: str
    gold_bucket: str
    topic_arn: str
    queue_url: str
    glue: Any
    glue_database: str = CANDIDATE_DATABASE

    def notifications(self) -> List[Dict[str, str]]:
        """Every SNS message published so far, oldest first (drains the queue)."""
        return [subject_and_message(e) for e in Inbox(self.sqs, self.sns, self.queue_url).drain()]

    def keys(self, bucket: str, prefix: str = "") -> List[str]:
        """Sorted keys under prefix."""
        found: List[str] = []
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            found.extend(item["Key"] for item in page.get("Contents", []))
        return sorted(found)

    def etags(self, bucket: str, prefix: str = "") -> Dict[str, str]:
        """key -> ETag (content fingerprint) under prefix."""
        found: Dict[str, str] = {}
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            found.update({item["Key"]: item["ETag"] for item in page.get("Contents", [])})
        return found


def source_contract(source: str) -> Contract:
    """A source's contract from the repository (what packaging bundles into the artifacts)."""
    return load_contract(SOURCES_DIR / source / "contract.json")


WORDPRESS = source_contract(SOURCE_WORDPRESS)


def run_silver(argv: List[str], contract: Optional[Contract] = None, **clients: Any) -> Any:
    """The generic silver job's main as Glue runs it (Terraform always passes --source_name;
    WordPress unless the arguments say otherwise), with `contract` or the repository's one."""
    from lakehouse_common import silver_job  # noqa: PLC0415 - pandas/awswrangler heavy

    if not any(item.startswith("--source_name") for item in argv):
        argv = [*argv, "--source_name", SOURCE_WORDPRESS]
    loader = source_contract if contract is None else (lambda _source: contract)
    return silver_job.main(argv, contract_loader=loader, **clients)


def load_small_site() -> Dict[str, List[Dict[str, Any]]]:
    """The committed sample site: dataset -> rows as the WordPress API returns them."""
    return {
        path.stem: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(GLUE_FIXTURE_DIR.glob("*.json"))
    }


def bronze_frame(dataset: str, rows: List[Dict[str, Any]], typed: bool = True) -> pd.DataFrame:
    """Raw JSON rows as the bronze Lambda stores them: contract columns and order, integers as
    nullable Int64, text and dates as pandas strings (dates are parsed in silver, not bronze).
    `typed=False` keeps whatever pandas infers, for values bronze's own checks would have refused."""
    frame = pd.DataFrame(rows, columns=list(wordpress_column_names(dataset)))
    if not typed:
        return frame
    kinds = dict(WORDPRESS_COLUMNS[dataset])
    return frame.astype({name: "Int64" if kind == "int" else "string" for name, kind in kinds.items()})


def write_bronze(
    bucket: str,
    dataset: str,
    frame: pd.DataFrame,
    ingest_date: str = SMALL_INGEST_DATE,
    source: str = SOURCE_WORDPRESS,
) -> str:
    """Write one bronze partition (replacing it); returns its prefix."""
    import awswrangler as wr  # noqa: PLC0415 - heavy; only for the tests that use S3

    prefix = layout.partition_prefix(bucket, source, dataset, ingest_date)
    wr.s3.delete_objects(prefix)
    # Written by pyarrow, not wr.s3.to_parquet: awswrangler 2.x (Python shell's analytics set)
    # refuses an empty frame, and bronze stores one for an incremental dataset's empty window.
    body = io.BytesIO()
    frame.to_parquet(body, index=False, compression="snappy")
    key = f"{prefix}{dataset}.parquet"[len(f"s3://{bucket}/") :]
    boto3.client("s3").put_object(Bucket=bucket, Key=key, Body=body.getvalue())
    return prefix


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    # PySpark turns timestamps into Python datetimes in the process's local zone; pin it to UTC
    # (like the session zone) so expected rows do not depend on the machine.
    os.environ["TZ"] = "UTC"
    time.tzset()
    session = local_spark_session()
    yield session
    session.stop()


@pytest.fixture
def glue_context(spark: Any) -> Any:
    return glue_context_double(spark)


@pytest.fixture(scope="session")
def small_site() -> Dict[str, List[Dict[str, Any]]]:
    return load_small_site()


@pytest.fixture
def glue_aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[GlueAws]:
    # An emulator endpoint in the environment would send boto3/awswrangler past the mock.
    overrides = ("AWS_PROFILE", "AWS_CA_BUNDLE", "WR_S3_ENDPOINT_URL")
    for name in list(os.environ):
        if name.startswith("AWS_ENDPOINT_URL") or name in overrides:
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", GLUE_REGION)
    with mock_aws():
        s3 = boto3.client("s3", region_name=GLUE_REGION)
        sns = boto3.client("sns", region_name=GLUE_REGION)
        sqs = boto3.client("sqs", region_name=GLUE_REGION)
        for bucket in ("lake-test-bronze", "lake-test-silver", "lake-test-gold"):
            s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": GLUE_REGION})
        s3.put_bucket_versioning(Bucket="lake-test-silver", VersioningConfiguration={"Status": "Enabled"})
        glue = boto3.client("glue", region_name=GLUE_REGION)
        glue.create_database(DatabaseInput={"Name": CANDIDATE_DATABASE})
        topic_arn = sns.create_topic(Name="lake-test-glue-failures")["TopicArn"]
        queue_url = subscribe_inbox(sns, sqs, topic_arn, "lake-test-glue-failures").url
        yield GlueAws(
            s3=s3,
            sns=sns,
            sqs=sqs,
            bronze_bucket="lake-test-bronze",
            silver_bucket="lake-test-silver",
            gold_bucket="lake-test-gold",
            topic_arn=topic_arn,
            queue_url=queue_url,
            glue=glue,
        )


@pytest.fixture
def bronze_small(glue_aws: GlueAws, small_site: Dict[str, List[Dict[str, Any]]]) -> Dict[str, str]:
    """The sample site in bronze (dataset -> partition prefix)."""
    return {
        dataset: write_bronze(glue_aws.bronze_bucket, dataset, bronze_frame(dataset, rows))
        for dataset, rows in small_site.items()
    }
