"""Crawls catalogue the Parquet data in S3 (moto 5.2.1 crawls leave the catalog unchanged)."""

from __future__ import annotations

import datetime as dt
import decimal
import io
import time

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sfn_support import service_role

pytestmark = pytest.mark.emulator

ROLE = "arn:aws:iam::123456789012:role/crawler"
REGION = "eu-west-1"
GLUE = f"arn:aws:glue:{REGION}:123456789012"
# What a crawl of s3://lake/... into database bronze does with the crawler's role (the calls the
# emulator judges: glue_crawler_tables / iam.services.crawler_denial).
CRAWLER_GRANTS = [
    {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::lake"},
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::lake/*"},
    {
        "Effect": "Allow",
        "Action": [
            "glue:GetDatabase",
            "glue:GetTable",
            "glue:CreateTable",
            "glue:UpdateTable",
            "glue:BatchCreatePartition",
        ],
        "Resource": [f"{GLUE}:catalog", f"{GLUE}:database/bronze", f"{GLUE}:table/bronze/*"],
    },
]


def _parquet(table: pa.Table) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


POSTS = pa.table(
    {
        "ID": pa.array([1, 2], pa.int64()),
        "post_title": ["a", "b"],
        "post_parent": pa.array([0, 1], pa.int32()),
        "score": [1.5, 2.0],
        "published": [True, False],
        "post_date": pa.array([dt.datetime(2025, 1, 1), dt.datetime(2025, 1, 2)], pa.timestamp("ms")),
        "day": pa.array([dt.date(2025, 1, 1), dt.date(2025, 1, 2)], pa.date32()),
        "price": pa.array([decimal.Decimal("1.20"), None], pa.decimal128(10, 2)),
        "tags": [["x"], []],
        "meta": [{"k": "v", "n": 1}, {"k": "w", "n": 2}],
    }
)


def _crawl(glue, name, timeout=10.0):
    glue.start_crawler(Name=name)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        crawler = glue.get_crawler(Name=name)["Crawler"]
        if crawler["State"] == "READY":
            return crawler
        time.sleep(0.05)
    raise AssertionError("crawler never became READY")


def _crawler(glue, name, path, **kwargs):
    glue.create_crawler(
        Name=name,
        Role=ROLE,
        DatabaseName="bronze",
        TablePrefix="bronze_",
        Targets={"S3Targets": [{"Path": path}]},
        **kwargs,
    )


@pytest.fixture
def lake(emu):
    emu.configure(glue_crawl={"seconds": 0.2})
    s3, glue = emu.client("s3"), emu.client("glue")
    s3.create_bucket(Bucket="lake", CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_object(Bucket="lake", Key="wp/posts/ingest_date=2025-01-01/part-0.parquet", Body=_parquet(POSTS))
    s3.put_object(Bucket="lake", Key="wp/posts/ingest_date=2025-01-01/_SUCCESS", Body=b"")
    s3.put_object(Bucket="lake", Key="wp/Term-List/terms.parquet", Body=_parquet(pa.table({"term_id": [1]})))
    glue.create_database(DatabaseInput={"Name": "bronze"})
    service_role(emu, "crawler", "glue.amazonaws.com", CRAWLER_GRANTS)
    return s3, glue


def test_crawl_creates_tables_with_schema_and_partitions(lake):
    s3, glue = lake
    _crawler(glue, "wp", "s3://lake/wp/")
    assert _crawl(glue, "wp")["LastCrawl"]["Status"] == "SUCCEEDED"
    tables = {t["Name"]: t for t in glue.get_tables(DatabaseName="bronze")["TableList"]}
    assert sorted(tables) == ["bronze_posts", "bronze_term_list"]
    posts = tables["bronze_posts"]
    assert [(c["Name"], c["Type"]) for c in posts["StorageDescriptor"]["Columns"]] == [
        ("id", "bigint"),  # the catalog keeps column names in lower case
        ("post_title", "string"),
        ("post_parent", "int"),
        ("score", "double"),
        ("published", "boolean"),
        ("post_date", "timestamp"),
        ("day", "date"),
        ("price", "decimal(10,2)"),
        ("tags", "array<string>"),
        ("meta", "struct<k:string,n:bigint>"),
    ]
    assert posts["PartitionKeys"] == [{"Name": "ingest_date", "Type": "string"}]
    assert posts["StorageDescriptor"]["Location"] == "s3://lake/wp/posts/"
    assert posts["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"].endswith("ParquetHiveSerDe")
    assert posts["Parameters"]["classification"] == "parquet"
    assert posts["Parameters"]["recordCount"] == "2"
    assert posts["TableType"] == "EXTERNAL_TABLE"
    partitions = glue.get_partitions(DatabaseName="bronze", TableName="bronze_posts")["Partitions"]
    assert [(p["Values"], p["StorageDescriptor"]["Location"]) for p in partitions] == [
        (["2025-01-01"], "s3://lake/wp/posts/ingest_date=2025-01-01/")
    ]

    # Re-crawl: a new partition with a new column -> schema updated (UPDATE_IN_DATABASE), partition added.
    wider = POSTS.append_column("extra", pa.array(["e", "f"]))
    s3.put_object(Bucket="lake", Key="wp/posts/ingest_date=2025-01-02/part-0.parquet", Body=_parquet(wider))
    _crawl(glue, "wp")
    posts = glue.get_table(DatabaseName="bronze", Name="bronze_posts")["Table"]
    assert posts["StorageDescriptor"]["Columns"][-1] == {"Name": "extra", "Type": "string"}
    values = [
        p["Values"]
        for p in glue.get_partitions(DatabaseName="bronze", TableName="bronze_posts")["Partitions"]
    ]
    assert sorted(values) == [["2025-01-01"], ["2025-01-02"]]


def test_log_update_behaviour_keeps_schema_and_adds_partitions(lake):
    s3, glue = lake
    _crawler(
        glue,
        "posts",
        "s3://lake/wp/posts/",
        SchemaChangePolicy={"UpdateBehavior": "LOG", "DeleteBehavior": "LOG"},
    )
    _crawl(glue, "posts")
    assert [t["Name"] for t in glue.get_tables(DatabaseName="bronze")["TableList"]] == ["bronze_posts"]
    wider = POSTS.append_column("extra", pa.array(["e", "f"]))
    s3.put_object(Bucket="lake", Key="wp/posts/ingest_date=2025-01-02/part-0.parquet", Body=_parquet(wider))
    _crawl(glue, "posts")
    posts = glue.get_table(DatabaseName="bronze", Name="bronze_posts")["Table"]
    assert "extra" not in [c["Name"] for c in posts["StorageDescriptor"]["Columns"]]
    assert len(glue.get_partitions(DatabaseName="bronze", TableName="bronze_posts")["Partitions"]) == 2


def test_empty_target_creates_no_table(lake):
    _, glue = lake
    _crawler(glue, "nothing", "s3://lake/empty/")
    assert _crawl(glue, "nothing")["LastCrawl"]["Status"] == "SUCCEEDED"
    assert glue.get_tables(DatabaseName="bronze")["TableList"] == []
