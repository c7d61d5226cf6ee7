"""The generic raw Lambda (raw_ingest): configured by SOURCE_NAME and the contract, it copies
landing drops and fetches HTTP datasets, and notifies once naming each failed dataset."""

import json

import pytest
import urllib3
from raw_ingest import handler as raw_ingest

CONTRACT = {
    "source": "shop",
    "datasets": {
        "orders": {
            "columns": [{"name": "id", "kind": "int", "nullable": False}],
            "keys": ["id"],
            "raw": {"kind": "landing", "format": "ndjson"},
        },
        "products": {
            "columns": [{"name": "ID", "kind": "int", "nullable": False}],
            "keys": ["ID"],
            "raw": {"kind": "http", "pagination": "wordpress"},
        },
    },
}
LANDING = "lake-test-landing"


@pytest.fixture
def shop(tmp_path, lambda_aws, wordpress_api):
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "contract.json").write_text(json.dumps(CONTRACT))
    lambda_aws.s3.create_bucket(Bucket=LANDING, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    lambda_aws.ssm.put_parameter(
        Name="/shop/endpoints",
        Value=json.dumps({"products": wordpress_api.endpoints(per_page=10)["posts"]}),
        Type="String",
    )
    return {
        "SOURCE_NAME": "shop",
        "LAKEHOUSE_SOURCES_DIR": str(tmp_path),
        "RAW_BUCKET": lambda_aws.raw_bucket,
        "LANDING_BUCKET": LANDING,
        "LANDING_PREFIX": "in/",
        "ENDPOINTS_PARAMETER": "/shop/endpoints",
        "FAILURE_TOPIC_ARN": lambda_aws.topic_arn,
    }


def invoke(lambda_aws, environ, run_id):
    return raw_ingest.run(
        {"ingest_date": "2026-11-17", "run_id": run_id},
        raw_ingest.load_settings(environ),
        http=urllib3.PoolManager(retries=False, timeout=5.0),
        ssm=lambda_aws.ssm,
        s3=lambda_aws.s3,
        sns=lambda_aws.sns,
    )


def test_landing_and_http_datasets_land_in_raw(lambda_aws, shop, wordpress_api):
    lambda_aws.s3.put_object(Bucket=LANDING, Key="in/shop/orders/a.ndjson", Body=b'{"id": 1}\n')

    summary = invoke(lambda_aws, shop, "exec-1")

    assert summary["continuation"] is None and summary["failed"] == {}
    assert summary["datasets"]["orders"]["copied"] == 1
    assert summary["datasets"]["products"]["rows"] == len(wordpress_api.site["posts"])
    stored = lambda_aws.objects(lambda_aws.raw_bucket, "shop/products/")
    assert list(stored) == ["shop/products/ingest_date=2026-11-17/exec-1.json"]
    assert len(json.loads(stored["shop/products/ingest_date=2026-11-17/exec-1.json"])) == len(
        wordpress_api.site["posts"]
    )
    assert invoke(lambda_aws, shop, "exec-2")["datasets"]["orders"]["copied"] == 0


def test_a_failed_dataset_is_named_in_one_notification(lambda_aws, shop):
    lambda_aws.ssm.put_parameter(Name="/shop/endpoints", Value="{}", Type="String", Overwrite=True)
    with pytest.raises(
        raw_ingest.RawIngestError, match=r"1 of 2 datasets failed: products: no endpoint for products"
    ):
        invoke(lambda_aws, shop, "exec-1")
    notes = lambda_aws.notifications()
    assert len(notes) == 1 and notes[0]["Subject"] == "raw_shop failed: products"


def test_landing_datasets_need_a_landing_bucket(shop):
    environ = {key: value for key, value in shop.items() if key != "LANDING_BUCKET"}
    with pytest.raises(ValueError, match="LANDING_BUCKET is required: the contract has landing datasets"):
        raw_ingest.load_settings(environ)
