"""What the WordPress bronze tests share: the contract, the bronze settings against in-process
moto, raw objects put as the raw function writes them, and bronze read back."""

import datetime as dt
from pathlib import Path

import awswrangler as wr
import pandas as pd
from fixtures_lambda import FIXTURE_DIR

from lakehouse_common import bronze
from lakehouse_common.contract import load_contract

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = load_contract(ROOT / "sources" / "wordpress_api" / "contract.json")
WORDPRESS_DATASETS = CONTRACT.dataset_names

DATE = "2025-10-31"
ENVIRON = {
    "SOURCE_NAME": "wordpress_api",
    "LAKEHOUSE_SOURCES_DIR": str(ROOT / "sources"),
    "RAW_BUCKET": "r",
    "BRONZE_BUCKET": "b",
}


def settings(lambda_aws, datasets=WORDPRESS_DATASETS):
    return bronze.BronzeSettings(
        raw_bucket=lambda_aws.raw_bucket,
        bronze_bucket=lambda_aws.bronze_bucket,
        contract=CONTRACT,
        datasets=tuple(datasets),
        failure_topic_arn=lambda_aws.topic_arn,
    )


def run(lambda_aws, date=DATE, datasets=WORDPRESS_DATASETS):
    return bronze.run(
        {"ingest_date": date}, settings(lambda_aws, datasets), wr=wr, s3=lambda_aws.s3, sns=lambda_aws.sns
    )


def put_raw(lambda_aws, dataset, body, run_id="run-1", date=DATE):
    key = f"wordpress_api/{dataset}/ingest_date={date}/{run_id}.json"
    # As the raw Lambda writes it: with the ingested-at stamp that orders same-second runs.
    stamp = dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds")
    lambda_aws.s3.put_object(
        Bucket=lambda_aws.raw_bucket, Key=key, Body=body, Metadata={"ingested-at": stamp}
    )
    return key


def put_fixture(lambda_aws, run_id="run-1", date=DATE):
    for dataset in WORDPRESS_DATASETS:
        put_raw(lambda_aws, dataset, (FIXTURE_DIR / f"{dataset}.json").read_bytes(), run_id, date)


def bronze_key(dataset, date=DATE):
    return f"wordpress_api/{dataset}/ingest_date={date}/{dataset}.parquet"


def read_bronze(lambda_aws, dataset, date=DATE):
    frame = wr.s3.read_parquet(f"s3://{lambda_aws.bronze_bucket}/{bronze_key(dataset, date)}")
    return [{k: (None if pd.isna(v) else v) for k, v in row.items()} for row in frame.to_dict("records")]


def etags(lambda_aws, bucket):
    pages = lambda_aws.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
    return {item["Key"]: item["ETag"] for page in pages for item in page.get("Contents", [])}
