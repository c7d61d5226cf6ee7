"""Raw Lambda: WordPress API -> raw layer, one immutable JSON object per dataset per run.

Reads the endpoint list (dataset -> URL) from Parameter Store, fetches each endpoint (timeout,
retries with backoff on timeouts/5xx via urllib3's Retry, WordPress REST pagination), checks the
body is a non-empty JSON array of objects and writes it unchanged to
s3://$RAW_BUCKET/<source>/<dataset>/ingest_date=YYYY-MM-DD/<run_id>.json with If-None-Match: *
(an earlier run's object is never overwritten). A failed endpoint does not stop the others; at the
end the failures are published to $FAILURE_TOPIC_ARN and the invocation raises RawIngestError.

Handler: raw_wordpress_api.handler.handler
Env: RAW_BUCKET, SOURCE_NAME (wordpress_api), ENDPOINTS_PARAMETER, FAILURE_TOPIC_ARN,
     HTTP_TIMEOUT_SECONDS (30), HTTP_MAX_RETRIES (3), HTTP_BACKOFF_SECONDS (1.0), LOG_LEVEL.
Event: {"ingest_date": "YYYY-MM-DD", "run_id": "<execution name>"} (both optional).
"""

import datetime as dt
import json
import logging
import os
import re
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Tuple
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import urllib3
from botocore.exceptions import BotoCoreError, ClientError
from urllib3.util import Retry, Timeout

from lakehouse_common import arguments, layout, notifications
from lakehouse_common.datasets import SOURCE_WORDPRESS
from lakehouse_common.layout import INGESTED_AT_METADATA
from lakehouse_common.logging_setup import configure_logging

LOGGER = logging.getLogger(__name__)
STAGE = "raw_wordpress_api"
_DATASET_RE = re.compile(r"^[a-z0-9_]+$")
# Endpoints that are temporarily unwell; anything else (404, 401, ...) will not improve by retrying.
_RETRY_STATUSES = (429, 500, 502, 503, 504)


class RawIngestError(RuntimeError):
    """One or more datasets could not be fetched or stored; the message lists each cause."""


class EndpointError(ValueError):
    """One endpoint's failure, worded for the notification (what and why)."""


@dataclass(frozen=True)
class RawSettings:
    raw_bucket: str
    source: str
    endpoints_parameter: str
    failure_topic_arn: Optional[str]
    timeout_seconds: float
    max_retries: int
    backoff_seconds: float


def load_settings(environ: Optional[Mapping[str, str]] = None) -> RawSettings:
    env = os.environ if environ is None else environ
    return RawSettings(
        raw_bucket=arguments.env_str("RAW_BUCKET", environ=env),
        source=arguments.env_str("SOURCE_NAME", SOURCE_WORDPRESS, env),
        endpoints_parameter=arguments.env_str("ENDPOINTS_PARAMETER", environ=env),
        failure_topic_arn=env.get("FAILURE_TOPIC_ARN") or None,
        timeout_seconds=arguments.env_float("HTTP_TIMEOUT_SECONDS", 30.0, env),
        max_retries=arguments.env_int("HTTP_MAX_RETRIES", 3, env),
        backoff_seconds=arguments.env_float("HTTP_BACKOFF_SECONDS", 1.0, env),
    )


# ---- pure parts ---------------------------------------------------------------------------------
def parse_endpoints(text: str, parameter: str) -> Dict[str, str]:
    """The Parameter Store value -> {dataset: url}; ValueError naming the parameter and the problem."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"parameter {parameter} is not valid JSON: {error}") from None
    if not isinstance(value, dict) or not value:
        raise ValueError(f"parameter {parameter} must be a non-empty JSON object of dataset -> URL")
    for dataset, url in value.items():
        if not _DATASET_RE.match(dataset):
            raise ValueError(f"parameter {parameter}: dataset name {dataset!r} must match [a-z0-9_]+")
        if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https"):
            raise ValueError(f"parameter {parameter}: URL of {dataset!r} must be http(s), got {url!r}")
    return dict(sorted(value.items()))


def parse_rows(body: bytes, where: str) -> List[Dict[str, Any]]:
    """A response body -> its rows; EndpointError unless it is a non-empty JSON array of objects."""
    try:
        value = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise EndpointError(f"{where} returned invalid JSON ({error}); body starts {body[:80]!r}") from None
    if not isinstance(value, list):
        raise EndpointError(f"{where} returned a JSON {type(value).__name__}, expected an array of objects")
    if not value:
        raise EndpointError(f"{where} returned an empty array")
    bad = [index for index, row in enumerate(value) if not isinstance(row, dict)]
    if bad:
        raise EndpointError(f"{where} returned non-object rows at positions {bad[:5]} (of {len(value)})")
    return value


def page_url(url: str, page: int) -> str:
    """`url` with page=N set (keeping its other query parameters, per_page included)."""
    parts = urlsplit(url)
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if key != "page"]
    query.append(("page", str(page)))
    return urlunsplit(parts._replace(query=urlencode(query)))


def total_pages(headers: Mapping[str, str], where: str) -> int:
    """X-WP-TotalPages as int (1 when absent: the endpoint does not paginate)."""
    raw = headers.get("X-WP-TotalPages")
    if raw is None:
        return 1
    if not raw.strip().isdigit():
        raise EndpointError(f"{where} sent X-WP-TotalPages {raw!r}, expected a whole number")
    return max(1, int(raw))


# ---- I/O ----------------------------------------------------------------------------------------
def build_http(settings: RawSettings) -> urllib3.PoolManager:
    """A pool whose GETs time out and are retried with exponential backoff on timeouts and 5xx."""
    retry = Retry(
        total=settings.max_retries,
        connect=settings.max_retries,
        read=settings.max_retries,
        status=settings.max_retries,
        backoff_factor=settings.backoff_seconds,
        status_forcelist=_RETRY_STATUSES,
        allowed_methods=frozenset({"GET"}),
        respect_retry_after_header=True,
        raise_on_status=True,
    )
    timeout = Timeout(connect=settings.timeout_seconds, read=settings.timeout_seconds)
    return urllib3.PoolManager(retries=retry, timeout=timeout, headers={"Accept": "application/json"})


def http_get(http: urllib3.PoolManager, url: str, where: str) -> Tuple[bytes, Mapping[str, str]]:
    """GET `url`; EndpointError with the cause after retries are spent or on a non-200 answer."""
    try:
        response = http.request("GET", url)
    except urllib3.exceptions.MaxRetryError as error:
        raise EndpointError(f"{where} failed after retries: {error.reason}") from None
    except urllib3.exceptions.HTTPError as error:
        raise EndpointError(f"{where} failed: {error}") from None
    if response.status != 200:
        raise EndpointError(f"{where} answered HTTP {response.status}: {response.data[:200]!r}")
    return response.data, response.headers


def fetch_dataset(http: urllib3.PoolManager, dataset: str, url: str) -> Tuple[bytes, int, int]:
    """Fetch every page of one endpoint -> (body to store, rows, pages).

    A single page is stored byte for byte; several pages are stored as one JSON array of all rows.
    """
    where = f"endpoint {dataset} ({url})"
    body, headers = http_get(http, url, where)
    rows = parse_rows(body, where)
    pages = total_pages(headers, where)
    for page in range(2, pages + 1):
        page_where = f"endpoint {dataset} page {page}/{pages}"
        page_body, _headers = http_get(http, page_url(url, page), page_where)
        rows.extend(parse_rows(page_body, page_where))
    expected = headers.get("X-WP-Total")
    if expected is not None and expected.isdigit() and int(expected) != len(rows):
        # Rows were added/removed while paging: the copy would be inconsistent, try again later.
        raise EndpointError(
            f"{where} announced {expected} rows (X-WP-Total) but its {pages} pages held {len(rows)}"
        )
    if pages > 1:
        body = json.dumps(rows, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return body, len(rows), pages


def read_endpoints(ssm: Any, parameter: str) -> Dict[str, str]:
    value = ssm.get_parameter(Name=parameter, WithDecryption=True)["Parameter"]["Value"]
    return parse_endpoints(value, parameter)


def put_raw_object(s3: Any, bucket: str, key: str, body: bytes) -> None:
    """Create the object; never replace one (If-None-Match: *), so raw history is immutable."""
    try:
        s3.put_object(
            Bucket=bucket,
            Key=key,
            Body=body,
            ContentType="application/json",
            IfNoneMatch="*",
            # S3 listings give LastModified to the second; bronze orders same-second runs by this.
            Metadata={
                INGESTED_AT_METADATA: dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds")
            },
        )
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        if code in ("PreconditionFailed", "ConditionalRequestConflict"):
            raise EndpointError(
                f"s3://{bucket}/{key} already exists (run_id reused?); raw objects are never overwritten"
            ) from None
        raise EndpointError(f"could not write s3://{bucket}/{key}: {code or error}") from None


def _notify_failure(
    settings: RawSettings,
    ingest_date: str,
    failed: Dict[str, str],
    stored: Mapping[str, Any],
    sns: Any = None,
) -> None:
    notifications.publish_failure(
        settings.failure_topic_arn,
        notifications.failure_subject(STAGE, failed),
        notifications.failure_message(STAGE, ingest_date, failed, stored),
        sns,
    )


def run(
    event: Optional[Mapping[str, Any]], settings: RawSettings, *, ssm: Any, s3: Any, sns: Any, http: Any
) -> Dict[str, Any]:
    """Fetch and store every endpoint; return the summary or raise RawIngestError after notifying."""
    try:
        ingest_date = arguments.event_ingest_date(event)
        run_id = arguments.event_run_id(event)
        endpoints = read_endpoints(ssm, settings.endpoints_parameter)
    except (ValueError, ClientError, BotoCoreError) as error:
        failed = {"configuration": str(error)}
        _notify_failure(settings, str((event or {}).get("ingest_date") or "unknown"), failed, {}, sns)
        raise RawIngestError(f"configuration: {error}") from error
    stored: Dict[str, Dict[str, Any]] = {}
    failed: Dict[str, str] = {}
    for dataset, url in endpoints.items():
        try:
            body, rows, pages = fetch_dataset(http, dataset, url)
            key = layout.raw_object_key(settings.source, dataset, ingest_date, run_id)
            put_raw_object(s3, settings.raw_bucket, key, body)
        except EndpointError as error:
            LOGGER.error("raw %s failed: %s", dataset, error)
            failed[dataset] = str(error)
            continue
        except Exception as error:  # a surprise must not cost the other datasets their run
            LOGGER.exception("raw %s: unexpected error", dataset)
            failed[dataset] = f"unexpected {type(error).__name__}: {error}"
            continue
        stored[dataset] = {"objects": 1, "rows": rows, "pages": pages, "bytes": len(body), "key": key}
        LOGGER.info("raw %s: %d rows in %d page(s) -> %s", dataset, rows, pages, key)
    summary = {
        "ingest_date": ingest_date,
        "run_id": run_id,
        "bucket": settings.raw_bucket,
        "datasets": stored,
        "failed": failed,
    }
    LOGGER.info("raw summary: %s", json.dumps(summary, sort_keys=True))
    if failed:
        _notify_failure(settings, ingest_date, failed, stored, sns)
        causes = notifications.join_causes(failed)
        raise RawIngestError(f"{len(failed)} of {len(endpoints)} datasets failed: {causes}")
    return summary


def handler(event: Optional[Mapping[str, Any]], context: Any) -> Dict[str, Any]:
    """Lambda entry point."""
    import boto3  # noqa: PLC0415 - keeps the pure parts importable without AWS libraries

    configure_logging(STAGE)
    settings = load_settings()
    return run(
        event,
        settings,
        ssm=boto3.client("ssm"),
        s3=boto3.client("s3"),
        sns=boto3.client("sns"),
        http=build_http(settings),
    )
