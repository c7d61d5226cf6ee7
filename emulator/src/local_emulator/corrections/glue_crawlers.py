"""Glue crawlers: LastCrawl.Status uses AWS's values; a crawler that is still busy cannot restart.

AWS behaviour (https://docs.aws.amazon.com/glue/latest/webapi/API_LastCrawlInfo.html,
API_StartCrawler.html): `LastCrawl.Status` is SUCCEEDED, CANCELLED or FAILED (RUNNING while in
progress); StartCrawler on a crawler that is RUNNING or STOPPING fails with
CrawlerRunningException.

moto 5.2.1 reports its internal crawl states (`COMPLETED`, `STOPPED`, `STOPPING`) in LastCrawl and
accepts StartCrawler while a stop is in progress. Crawl duration comes from the emulator setting
`glue_crawl.seconds` (moto's `glue::crawl` time transition, default 3 s).
"""

from __future__ import annotations

from typing import Any

from moto.glue.exceptions import CrawlerRunningException

from local_emulator.patching import target

_LAST_CRAWL_STATUS = {"COMPLETED": "SUCCEEDED", "STOPPED": "CANCELLED", "STOPPING": "RUNNING"}


def apply() -> None:
    models = "moto.glue.models"
    owner, attr, original_as_dict = target(models, "FakeCrawler.as_dict")

    def as_dict(self: Any) -> dict[str, Any]:
        data = original_as_dict(self)
        last = data.get("LastCrawl")
        if last:
            last["Status"] = _LAST_CRAWL_STATUS.get(last["Status"], last["Status"])
        return data

    setattr(owner, attr, as_dict)

    start_owner, start_attr, original_start = target(models, "FakeCrawler.start_crawler")

    def start_crawler(self: Any) -> None:
        if self.status in ("RUNNING", "STOPPING"):
            raise CrawlerRunningException(f"Crawler with name {self.name} has already started")
        original_start(self)

    setattr(start_owner, start_attr, start_crawler)
