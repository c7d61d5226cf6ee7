"""Crawler runs: busy crawlers refuse to start; LastCrawl reports AWS status values."""

from __future__ import annotations

import time

import pytest
from botocore.exceptions import ClientError

pytestmark = pytest.mark.emulator


def _crawler(glue, name="raw-posts"):
    glue.create_database(DatabaseInput={"Name": "raw"})
    glue.create_crawler(
        Name=name,
        Role="arn:aws:iam::123456789012:role/crawler",
        DatabaseName="raw",
        Targets={"S3Targets": [{"Path": "s3://lake/raw/posts/"}]},
    )


def _wait_ready(glue, name, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        crawler = glue.get_crawler(Name=name)["Crawler"]
        if crawler["State"] == "READY":
            return crawler
        time.sleep(0.1)
    raise AssertionError("crawler never became READY")


def test_crawl_finishes_with_aws_status(emu):
    emu.configure(glue_crawl={"seconds": 0.5})
    glue = emu.client("glue")
    _crawler(glue)
    glue.start_crawler(Name="raw-posts")
    assert glue.get_crawler(Name="raw-posts")["Crawler"]["State"] == "RUNNING"
    with pytest.raises(ClientError) as err:
        glue.start_crawler(Name="raw-posts")
    assert err.value.response["Error"]["Code"] == "CrawlerRunningException"
    crawler = _wait_ready(glue, "raw-posts")
    assert crawler["LastCrawl"]["Status"] == "SUCCEEDED"


def test_stopped_crawl_is_cancelled(emu):
    emu.configure(glue_crawl={"seconds": 0.5})
    glue = emu.client("glue")
    _crawler(glue)
    glue.start_crawler(Name="raw-posts")
    glue.stop_crawler(Name="raw-posts")
    with pytest.raises(ClientError) as err:
        glue.start_crawler(Name="raw-posts")
    assert err.value.response["Error"]["Code"] == "CrawlerRunningException"
    assert _wait_ready(glue, "raw-posts")["LastCrawl"]["Status"] == "CANCELLED"
