"""Glue crawlers: LastCrawl.Status uses AWS's values; a crawler that is still busy cannot restart.

AWS behaviour (https://docs.aws.amazon.com/glue/latest/webapi/API_LastCrawlInfo.html,
API_StartCrawler.html; botocore's glue model: LastCrawlStatus enum = SUCCEEDED | CANCELLED |
FAILED): `LastCrawl` describes the last crawl that ENDED, with Status SUCCEEDED, CANCELLED or
FAILED; a crawl in progress shows only in `State` (RUNNING, STOPPING), and a crawler that never
finished a crawl has no LastCrawl. StartCrawler on a crawler that is RUNNING or STOPPING fails
with CrawlerRunningException.

moto 5.2.1 puts the crawl in progress in LastCrawl with its internal states (`RUNNING`,
`STOPPING`; ended ones `COMPLETED`, `STOPPED`) and accepts StartCrawler while a stop is in
progress. Crawl duration comes from the emulator setting
`glue_crawl.seconds` (moto's `glue::crawl` time transition, default 3 s).
"""

from __future__ import annotations

from typing import Any, Optional

from moto.glue.exceptions import CrawlerRunningException

from local_emulator.patching import target

_LAST_CRAWL_STATUS = {"COMPLETED": "SUCCEEDED", "STOPPED": "CANCELLED", "FAILED": "FAILED"}


def last_ended_crawl(crawler: Any) -> Optional[Any]:
    """The newest crawl of `crawler` that has ended (the one LastCrawl describes), if any."""
    return next((c for c in reversed(crawler.crawls) if c.status in _LAST_CRAWL_STATUS), None)


def apply() -> None:
    models = "moto.glue.models"
    owner, attr, original_as_dict = target(models, "FakeCrawler.as_dict")

    def as_dict(self: Any) -> dict[str, Any]:
        data = original_as_dict(self)
        data.pop("LastCrawl", None)
        ended = last_ended_crawl(self)
        if ended is not None:
            data["LastCrawl"] = {
                "LogGroup": ended.log_group,
                "LogStream": ended.log_stream,
                "MessagePrefix": ended.message_prefix,
                "StartTime": ended.start_time,
                "Status": _LAST_CRAWL_STATUS[ended.status],
            }
        return data

    setattr(owner, attr, as_dict)

    start_owner, start_attr, original_start = target(models, "FakeCrawler.start_crawler")

    def start_crawler(self: Any) -> None:
        if self.status in ("RUNNING", "STOPPING"):
            raise CrawlerRunningException(f"Crawler with name {self.name} has already started")
        original_start(self)

    setattr(start_owner, start_attr, start_crawler)
