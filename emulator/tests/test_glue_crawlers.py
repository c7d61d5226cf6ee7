"""Crawler runs: busy crawlers refuse to start; LastCrawl reports AWS status values."""

from __future__ import annotations

import time

import pytest
from botocore.exceptions import ClientError
from sfn_support import service_role

pytestmark = pytest.mark.emulator
GLUE = "arn:aws:glue:eu-west-1:123456789012"


def _crawler(emu, glue, name="raw-posts"):
    # An empty target: the crawl lists it and reads the database with the crawler's role.
    service_role(
        emu,
        "crawler",
        "glue.amazonaws.com",
        [
            {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::lake"},
            {
                "Effect": "Allow",
                "Action": "glue:GetDatabase",
                "Resource": [f"{GLUE}:catalog", f"{GLUE}:database/raw"],
            },
        ],
    )
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
    _crawler(emu, glue)
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
    _crawler(emu, glue)
    glue.start_crawler(Name="raw-posts")
    glue.stop_crawler(Name="raw-posts")
    with pytest.raises(ClientError) as err:
        glue.start_crawler(Name="raw-posts")
    assert err.value.response["Error"]["Code"] == "CrawlerRunningException"
    assert _wait_ready(glue, "raw-posts")["LastCrawl"]["Status"] == "CANCELLED"


LAST_CRAWL_STATUSES = {"SUCCEEDED", "CANCELLED", "FAILED"}  # botocore glue model: LastCrawlStatus


def test_last_crawl_is_the_last_ended_crawl_never_one_in_progress(emu):
    emu.configure(glue_crawl={"seconds": 1.0})
    glue = emu.client("glue")
    _crawler(emu, glue)
    glue.start_crawler(Name="raw-posts")
    running = glue.get_crawler(Name="raw-posts")["Crawler"]
    assert running["State"] == "RUNNING"
    assert "LastCrawl" not in running  # no crawl has ended yet
    first = _wait_ready(glue, "raw-posts")["LastCrawl"]
    assert first["Status"] == "SUCCEEDED"
    glue.start_crawler(Name="raw-posts")
    glue.stop_crawler(Name="raw-posts")
    stopping = glue.get_crawler(Name="raw-posts")["Crawler"]
    assert stopping["State"] == "STOPPING"
    assert stopping["LastCrawl"] == first  # still the ended one, not "RUNNING"
    assert _wait_ready(glue, "raw-posts")["LastCrawl"]["Status"] == "CANCELLED"
    model = glue.meta.service_model.shape_for("LastCrawlInfo").members["Status"]
    assert set(model.enum) == LAST_CRAWL_STATUSES
