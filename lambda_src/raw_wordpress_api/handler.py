"""Raw Lambda: WordPress API -> raw layer, one immutable JSON object per dataset per run.

Reads the endpoint list (dataset -> URL) from Parameter Store and, on every invocation (so a rotated
application password needs no deploy), the site's credentials from Secrets Manager; fetches each
endpoint with HTTP Basic auth (https only, plain http only to localhost; timeout, retries with
backoff on timeouts/5xx via urllib3's Retry, WordPress REST pagination; incremental datasets only
from a start day: the ingest date minus a lookback, or the event's `from`), checks the body is a
non-empty JSON array of objects and writes it unchanged to
s3://$RAW_BUCKET/<source>/<dataset>/ingest_date=YYYY-MM-DD/<run_id>.json with If-None-Match: *
(an earlier run's object is never overwritten). A failed endpoint does not stop the others; at the
end the failures are published to $FAILURE_TOPIC_ARN and the invocation raises RawIngestError.

Handler: raw_wordpress_api.handler.handler
Env: RAW_BUCKET, SOURCE_NAME (wordpress_api), ENDPOINTS_PARAMETER, CREDENTIALS_SECRET_ARN,
     INCREMENTAL_DATASETS (""), LOOKBACK_DAYS (2), FAILURE_TOPIC_ARN,
     HTTP_TIMEOUT_SECONDS (30), HTTP_MAX_RETRIES (3), HTTP_BACKOFF_SECONDS (1.0), LOG_LEVEL.
Event: {"ingest_date": "YYYY-MM-DD", "run_id": "<execution name>", "from": "YYYY-MM-DD"} (all optional;
`from` may also come as `input.from`: the workflow passes its execution input as `input`).

No credential and no URL userinfo ever reaches a log line, an error or a notification: URLs are
reported without userinfo, and URLs that carry userinfo are refused as configuration errors.
"""

import base64
import datetime as dt
import json
import logging
import os
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Tuple
from urllib.parse import urlsplit, urlunsplit

import urllib3
from botocore.exceptions import BotoCoreError, ClientError
from urllib3.util import Retry, Timeout

from lakehouse_common import arguments, layout, notifications
from lakehouse_common.datasets import SOURCE_WORDPRESS
from lakehouse_common.layout import LAST_PART_METADATA
from lakehouse_common.logging_setup import configure_logging

# The WordPress paging rule (keyset `after=` / numbered pages / X-WP-TotalPages) is the shared raw
# engine's `wordpress` pagination; this function keeps the plugin's credentials, continuation and
# chunking around it.
from lakehouse_common.raw import (
    KEYSET_PARAMETER,
    EndpointError,
    next_query,
    paged_url,
    put_raw_object,
    with_query,
)

LOGGER = logging.getLogger(__name__)
STAGE = "raw_wordpress_api"
_DATASET_RE = re.compile(r"^[a-z0-9_]+$")
# Endpoints that are temporarily unwell; anything else (404, 401, ...) will not improve by retrying.
_RETRY_STATUSES = (429, 500, 502, 503, 504)
# Plain http sends the application password in clear text; only a site on this machine may use it.
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
_DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# The query parameter the lakehouse-export plugin reads as an incremental dataset's first day.
FROM_PARAMETER = "from"
# Time kept after a request's last attempt gives up: store what was fetched, notify, answer.
REQUEST_MARGIN_SECONDS = 15.0


class RawIngestError(RuntimeError):
    """One or more datasets could not be fetched or stored; the message lists each cause."""


@dataclass(frozen=True)
class RawSettings:
    raw_bucket: str
    source: str
    endpoints_parameter: str
    failure_topic_arn: Optional[str]
    timeout_seconds: float
    max_retries: int
    backoff_seconds: float
    credentials_secret: Optional[str] = None
    incremental_datasets: Tuple[str, ...] = ()
    lookback_days: int = 2
    # A raw object holds at most about this many bytes of rows: the function's memory and bronze's
    # per-object memory stay bounded however large the dataset (a bigger fetch writes parts).
    # 8 MiB: bronze converting 1M statistics rows peaks under 512 MB (16 MiB did not; bench/).
    object_max_bytes: int = 8 * 1024 * 1024
    # No new page is requested once less than this many seconds of the invocation are left: the
    # rows so far are stored and a continuation is returned (the workflow invokes again).
    reserve_seconds: float = 45.0


@dataclass(frozen=True)
class Credentials:
    """A WordPress user and application password; repr never shows the password."""

    username: str
    password: str = field(repr=False)

    def authorization(self) -> str:
        token = f"{self.username}:{self.password}".encode()
        return "Basic " + base64.b64encode(token).decode("ascii")


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
        credentials_secret=env.get("CREDENTIALS_SECRET_ARN") or None,
        # May be empty (every dataset a full snapshot), so not env_list, which demands one value.
        incremental_datasets=tuple(
            item.strip() for item in (env.get("INCREMENTAL_DATASETS") or "").split(",") if item.strip()
        ),
        lookback_days=arguments.env_int("LOOKBACK_DAYS", 2, env),
        object_max_bytes=arguments.env_int("OBJECT_MAX_BYTES", 8 * 1024 * 1024, env),
        reserve_seconds=arguments.env_float("RESERVE_SECONDS", 45.0, env),
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
        if not isinstance(url, str):
            raise ValueError(f"parameter {parameter}: URL of {dataset!r} must be a string")
        problem = transport_problem(url)
        if problem:
            raise ValueError(f"parameter {parameter}: URL of {dataset!r} ({redact(url)}) {problem}")
    return dict(sorted(value.items()))


def redact(url: str) -> str:
    """`url` without userinfo (user:password@), safe for logs, errors and notifications."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def site_of(url: str) -> str:
    """scheme://host[:port] of `url`, without userinfo: how errors name the site."""
    parts = urlsplit(redact(url))
    return f"{parts.scheme}://{parts.netloc}"


def transport_problem(url: str) -> Optional[str]:
    """Why credentials must not be sent to `url`, or None: https anywhere, http to localhost only."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return "must be https"
    if "@" in parts.netloc:
        return "must not carry credentials (user:password@): put them in the credentials secret"
    if parts.scheme == "http" and (parts.hostname or "") not in _LOCAL_HOSTS:
        return (
            "must be https: plain http would send the application password in clear text "
            "(allowed to localhost only)"
        )
    return None


def parse_credentials(text: Optional[str], secret: str) -> Credentials:
    """The secret's value -> Credentials; ValueError naming the secret (never echoing the value)."""
    if text is None or not text.strip():
        raise ValueError(
            f'secret {secret} is empty: store {{"username": ..., "application_password": ...}} '
            "with aws secretsmanager put-secret-value (see the README)"
        )
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        raise ValueError(
            f'secret {secret} is not JSON: expected {{"username", "application_password"}}'
        ) from None
    if not isinstance(value, dict):
        raise ValueError(f"secret {secret} must be a JSON object with username and application_password")
    missing = [
        name
        for name in ("username", "application_password")
        if not isinstance(value.get(name), str) or not value[name]
    ]
    if missing:
        raise ValueError(f"secret {secret} lacks non-empty {missing}")
    return Credentials(value["username"], value["application_password"])


def backfill_from(event: Optional[Mapping[str, Any]]) -> Any:
    """The backfill start day: the event's `from`, else the workflow execution input's `from`
    (the workflow passes its input as `input`), else None."""
    event = event or {}
    if event.get("from") is not None:
        return event["from"]
    execution_input = event.get("input")
    return execution_input.get("from") if isinstance(execution_input, dict) else None


def window_start(event: Optional[Mapping[str, Any]], ingest_date: str, lookback_days: int) -> str:
    """First day an incremental dataset is fetched from: the event's `from` (backfill), else the
    ingest date minus the lookback (today's and yesterday's counts still change)."""
    requested = backfill_from(event)
    if requested is not None:
        if not isinstance(requested, str) or not _DAY_RE.match(requested):
            raise ValueError(f"event field 'from' must be a day YYYY-MM-DD, got {requested!r}")
        try:
            day = dt.date.fromisoformat(requested)
        except ValueError:
            raise ValueError(f"event field 'from' is not a calendar day: {requested!r}") from None
        if requested > ingest_date:
            raise ValueError(f"event field 'from' ({requested}) is after the ingest date {ingest_date}")
        return day.isoformat()
    if lookback_days < 0:
        raise ValueError(f"LOOKBACK_DAYS must be >= 0, got {lookback_days}")
    return (dt.date.fromisoformat(ingest_date) - dt.timedelta(days=lookback_days)).isoformat()


def parse_rows(body: bytes, where: str, allow_empty: bool = False) -> List[Dict[str, Any]]:
    """A response body -> its rows; EndpointError unless it is a JSON array of objects, non-empty
    unless `allow_empty` (an incremental window may hold no rows)."""
    try:
        value = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        if body.lstrip()[:1] == b"<":
            raise EndpointError(
                f"{where} returned an HTML page instead of JSON (a security plugin's challenge or a "
                f"maintenance page?); body starts {body[:80]!r}"
            ) from None
        raise EndpointError(f"{where} returned invalid JSON ({error}); body starts {body[:80]!r}") from None
    if not isinstance(value, list):
        raise EndpointError(f"{where} returned a JSON {type(value).__name__}, expected an array of objects")
    if not value and not allow_empty:
        raise EndpointError(f"{where} returned an empty array")
    bad = [index for index, row in enumerate(value) if not isinstance(row, dict)]
    if bad:
        raise EndpointError(f"{where} returned non-object rows at positions {bad[:5]} (of {len(value)})")
    return value


def page_url(url: str, page: int) -> str:
    """`url` with page=N set (keeping its other query parameters, per_page included)."""
    return with_query(url, "page", str(page))


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


def status_error(url: str, where: str, status: int, body: bytes, credentials: Optional[Credentials]) -> str:
    """A non-200 answer, worded for the person who has to fix it."""
    site = site_of(url)
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        payload = None
    code = payload.get("code") if isinstance(payload, dict) else None
    message = payload.get("message", "") if isinstance(payload, dict) else ""
    if status == 401:
        cause = "credentials rejected by" if credentials else "credentials required (none configured) by"
        return f"{where}: {cause} {site} (401)"
    causes = {
        403: f"user lacks the lakehouse_export capability on {site} (403)",
        "lakehouse_statistics_unavailable": f"{site} has no WP Statistics ({status}): {message}",
        "rest_no_route": f"{site} has no such route (404): is the lakehouse-export plugin active?",
    }
    cause = causes.get(status) or causes.get(code or "")
    if cause:
        return f"{where}: {cause}"
    if 300 <= status < 400:
        return f"{where} answered HTTP {status} (redirect, not followed): point the endpoint at the final URL"
    return f"{where} answered HTTP {status}: {body[:200]!r}"


def attempt_budget(timeout: float, retries: int, remaining: float, backoff: float = 0.0) -> Tuple[float, int]:
    """(seconds per attempt, retries) for one request that end before the invocation does.

    A site that hangs would otherwise outlast Lambda's timeout (30 s x 4 attempts > 120 s) and the
    function would be killed before it could name the endpoint and notify: with less time left
    than the configured attempts need, each attempt gets shorter (the retries stay, so quick
    failures such as a 503 are retried as configured); only below a second per attempt are there
    fewer. `backoff`: the most the retries' waits add up to.
    """
    usable = remaining - REQUEST_MARGIN_SECONDS - backoff
    seconds = max(1.0, min(timeout, usable / (retries + 1)))
    if seconds * (retries + 1) <= max(usable, 1.0):
        return seconds, retries
    return seconds, max(0, min(retries, int(usable // seconds) - 1))


def http_get(
    http: urllib3.PoolManager,
    url: str,
    where: str,
    credentials: Optional[Credentials] = None,
    remaining: Optional[float] = None,
) -> Tuple[bytes, Mapping[str, str]]:
    """GET `url`; EndpointError with the cause after retries are spent or on a non-200 answer.

    Redirects are not followed: the credentials go only to the configured URL. With `remaining`
    (seconds left in the invocation) the attempts are cut to fit (attempt_budget).
    """
    headers = {"Authorization": credentials.authorization()} if credentials else {}
    limits: Dict[str, Any] = {}
    base = getattr(http, "connection_pool_kw", {}).get("retries")
    base_timeout = getattr(http, "connection_pool_kw", {}).get("timeout")
    if remaining is not None and isinstance(base, Retry) and isinstance(base_timeout, Timeout):
        configured = int(base.total or 0)
        # urllib3 waits backoff_factor x 2^(n-1) before retry n (capped): the most they add up to.
        waits = min(float(base.backoff_factor or 0.0) * (2**configured - 1), float(Retry.DEFAULT_BACKOFF_MAX))
        seconds, retries = attempt_budget(
            float(base_timeout.read_timeout or 30.0), configured, remaining, waits
        )
        limits = {
            "timeout": Timeout(connect=seconds, read=seconds),
            "retries": base.new(total=retries, connect=retries, read=retries, status=retries),
        }
    try:
        response = http.request(
            "GET", url, headers={"Accept": "application/json", **headers}, redirect=False, **limits
        )
    except urllib3.exceptions.MaxRetryError as error:
        raise EndpointError(f"{where} failed after retries: {_redacted_reason(error.reason)}") from None
    except urllib3.exceptions.HTTPError as error:
        raise EndpointError(f"{where} failed: {type(error).__name__}") from None
    if response.status != 200:
        raise EndpointError(status_error(url, where, response.status, response.data, credentials))
    return response.data, response.headers


def _redacted_reason(reason: Any) -> str:
    """urllib3's cause names the pool (host and port), never userinfo, which we never send."""
    return f"{type(reason).__name__}: {reason}" if reason is not None else "no answer"


@dataclass
class Progress:
    """Where one dataset's fetch stands; JSON in the continuation between invocations."""

    query: Dict[str, str]
    window: Optional[str] = None
    part: int = 0
    rows: int = 0
    pages: int = 0
    bytes: int = 0
    total: Optional[str] = None
    # Whether the route pages by key (it understood `after`: no X-WP-TotalPages on its answer).
    keyset: bool = False
    keys: List[str] = field(default_factory=list)

    def as_json(self) -> Dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, value: Mapping[str, Any], where: str) -> "Progress":
        try:
            return cls(**value)
        except TypeError as error:
            raise ValueError(f"{where}: malformed continuation ({error})") from None


@dataclass
class Chunk:
    """Rows of consecutive pages to store as one raw object."""

    items: List[bytes]
    rows: int
    last: bool
    single_body: Optional[bytes] = None  # the only page's body, stored byte for byte

    def body(self) -> bytes:
        if self.single_body is not None:
            return self.single_body
        return b"[" + b",".join(item for item in self.items if item) + b"]"


@dataclass(frozen=True)
class Endpoint:
    """One dataset's configured URL (with `from` when windowed) and how to reach it."""

    http: Any
    dataset: str
    url: str
    credentials: Optional[Credentials]
    remaining: Callable[[], float] = lambda: float("inf")


def fetch_chunks(
    endpoint: Endpoint, progress: Progress, *, max_bytes: int, out_of_time: Callable[[], bool]
) -> Iterator[Chunk]:
    """Fetch pages from where `progress` stands, yielding chunks of at most about `max_bytes`.

    The last chunk has `last` set. When time runs out (at least one page fetched per invocation,
    so every invocation makes progress) the chunk so far is yielded without `last` and
    `progress.query` holds the next page. Each page is parsed to check it and then dropped: memory
    holds the chunk's bytes, not Python dicts. Keyset pages (`after`) neither repeat nor skip rows
    when rows are added while paging; numbered pages are checked with X-WP-Total instead. An
    incremental window (`progress.window`) may hold no rows.
    """
    http, dataset, url, credentials = endpoint.http, endpoint.dataset, endpoint.url, endpoint.credentials
    allow_empty = progress.window is not None
    where = f"endpoint {dataset} ({redact(url)})"
    items: List[bytes] = []
    size = rows = fetched = 0
    first_body: Optional[bytes] = None
    while True:
        page_where = f"{where} page {progress.pages + 1}"
        left = endpoint.remaining()
        body, headers = http_get(
            http,
            paged_url(url, progress.query),
            page_where,
            credentials,
            None if left == float("inf") else left,
        )
        page_rows = len(parse_rows(body, page_where, allow_empty or progress.pages > 0))
        fetched += 1
        first_body = body if fetched == 1 and progress.pages == 0 else None
        if progress.pages == 0:
            progress.keyset = KEYSET_PARAMETER in progress.query and "X-WP-TotalPages" not in headers
        progress.pages += 1
        progress.rows += page_rows
        rows += page_rows
        items.append(array_items(body))
        size += len(body)
        now = headers.get("X-WP-Total")
        if progress.total is None:
            progress.total = now
        elif now is not None and now != progress.total and not progress.keyset:
            # Rows were added/removed while paging: offsets shifted, so rows repeat or go missing.
            raise EndpointError(
                f"{where} changed while paging: X-WP-Total was {progress.total} on page 1 and {now} "
                f"on page {progress.pages}"
            )
        following = next_query(headers, progress.query, page_where) if page_rows else None
        if following is None:
            total = progress.total
            if not progress.keyset and total is not None and total.isdigit() and int(total) != progress.rows:
                # Rows were added/removed while paging: the copy would be inconsistent.
                raise EndpointError(
                    f"{where} announced {progress.total} rows (X-WP-Total) but its "
                    f"{progress.pages} pages held {progress.rows}"
                )
            single = first_body if progress.part == 0 and len(items) == 1 else None
            yield Chunk(items, rows, True, single)
            return
        progress.query = following
        if size >= max_bytes or out_of_time():
            yield Chunk(items, rows, False)
            if out_of_time():
                return
            items, size, rows = [], 0, 0


def array_items(body: bytes) -> bytes:
    """The items of a JSON array body (already checked by parse_rows) without the brackets."""
    return body.strip()[1:-1].strip()


def has_raw_history(s3: Any, bucket: str, source: str, dataset: str) -> bool:
    """Whether any earlier run stored this dataset (an incremental dataset's first run is full)."""
    prefix = f"{source}/{dataset}/"
    return bool(s3.list_objects_v2(Bucket=bucket, Prefix=prefix, MaxKeys=1).get("KeyCount", 0))


def read_endpoints(ssm: Any, parameter: str) -> Dict[str, str]:
    value = ssm.get_parameter(Name=parameter, WithDecryption=True)["Parameter"]["Value"]
    return parse_endpoints(value, parameter)


def read_credentials(secrets: Any, secret: str) -> Credentials:
    """The secret's current value (read on every invocation: a rotated password needs no deploy)."""
    try:
        answer = secrets.get_secret_value(SecretId=secret)
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        message = error.response.get("Error", {}).get("Message", "")
        if code == "ResourceNotFoundException" and "value" in message.lower():
            raise ValueError(
                f"secret {secret} has no value yet: store the WordPress username and application "
                "password with aws secretsmanager put-secret-value (see the README)"
            ) from None
        if code == "ResourceNotFoundException":
            raise ValueError(f"secret {secret} does not exist") from None
        raise ValueError(f"could not read secret {secret}: {code or error}") from None
    return parse_credentials(answer.get("SecretString"), secret)


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
    event: Optional[Mapping[str, Any]],
    settings: RawSettings,
    *,
    ssm: Any,
    s3: Any,
    sns: Any,
    http: Any,
    secrets: Any = None,
    remaining_seconds: Callable[[], float] = lambda: float("inf"),
) -> Dict[str, Any]:
    """Fetch and store every endpoint (or, with the event's `continuation`, the datasets still
    pending); return the summary, with a `continuation` when the invocation ran out of time, or
    raise RawIngestError after notifying."""
    try:
        ingest_date = arguments.event_ingest_date(event)
        run_id = arguments.event_run_id(event)
        endpoints = read_endpoints(ssm, settings.endpoints_parameter)
        window = window_start(event, ingest_date, settings.lookback_days)
        continuation = parse_continuation(event, endpoints)
        credentials = (
            read_credentials(secrets, settings.credentials_secret) if settings.credentials_secret else None
        )
    except (ValueError, ClientError, BotoCoreError) as error:
        failed = {"configuration": str(error)}
        _notify_failure(settings, str((event or {}).get("ingest_date") or "unknown"), failed, {}, sns)
        raise RawIngestError(f"configuration: {error}") from error
    stored: Dict[str, Dict[str, Any]] = dict(continuation.get("stored") or {})
    pending_in: Dict[str, Any] = continuation.get("pending") or {}
    pending: Dict[str, Dict[str, Any]] = {}
    failed: Dict[str, str] = {}
    out_of_time = lambda: remaining_seconds() < settings.reserve_seconds  # noqa: E731
    todo = [d for d in endpoints if d in pending_in] if continuation else list(endpoints)
    for dataset in todo:
        configured_url = endpoints[dataset]
        try:
            progress = start_progress(
                dataset, event=event, settings=settings, s3=s3, window=window, pending=pending_in
            )
            url = configured_url
            if progress.window:
                url = with_query(configured_url, FROM_PARAMETER, progress.window)
            endpoint = Endpoint(http, dataset, url, credentials, remaining_seconds)
            where_to = (ingest_date, run_id)
            done = store_dataset(
                endpoint, progress, s3=s3, settings=settings, run=where_to, out_of_time=out_of_time
            )
        except EndpointError as error:
            LOGGER.error("raw %s failed: %s", dataset, error)
            failed[dataset] = str(error)
            continue
        except Exception as error:  # a surprise must not cost the other datasets their run
            LOGGER.exception("raw %s: unexpected error", dataset)
            failed[dataset] = f"unexpected {type(error).__name__}: {error}"
            continue
        if not done:
            pending[dataset] = progress.as_json()
            LOGGER.info("raw %s: %d rows so far, continuing in the next invocation", dataset, progress.rows)
            continue
        stored[dataset] = {
            "objects": len(progress.keys),
            "rows": progress.rows,
            "pages": progress.pages,
            "bytes": progress.bytes,
            "key": progress.keys[-1],
        }
        if dataset in settings.incremental_datasets:
            stored[dataset]["from"] = progress.window
        LOGGER.info(
            "raw %s: %d rows in %d page(s) -> %s", dataset, progress.rows, progress.pages, progress.keys
        )
    summary = {
        "ingest_date": ingest_date,
        "run_id": run_id,
        "bucket": settings.raw_bucket,
        "datasets": stored,
        "failed": failed,
        # The workflow invokes again with this while it is not null.
        "continuation": {"pending": pending, "stored": stored} if pending and not failed else None,
    }
    LOGGER.info("raw summary: %s", json.dumps({**summary, "continuation": bool(pending)}, sort_keys=True))
    if failed:
        _notify_failure(settings, ingest_date, failed, stored, sns)
        causes = notifications.join_causes(failed)
        raise RawIngestError(f"{len(failed)} of {len(todo)} datasets failed: {causes}")
    return summary


def parse_continuation(event: Optional[Mapping[str, Any]], endpoints: Mapping[str, str]) -> Dict[str, Any]:
    """The event's `continuation` ({} when absent or null); ValueError when malformed."""
    value = (event or {}).get("continuation")
    if value is None:
        return {}
    if not isinstance(value, dict) or not isinstance(value.get("pending"), dict) or not value["pending"]:
        raise ValueError("event field 'continuation' must be the previous invocation's continuation")
    unknown = sorted(set(value["pending"]) - set(endpoints))
    if unknown:
        raise ValueError(f"event field 'continuation' names datasets without an endpoint: {unknown}")
    return value


def start_progress(
    dataset: str,
    *,
    event: Optional[Mapping[str, Any]],
    settings: RawSettings,
    s3: Any,
    window: str,
    pending: Mapping[str, Any],
) -> Progress:
    """Where the dataset's fetch starts: the continuation's state, else the first page."""
    if dataset in pending:
        return Progress.from_json(pending[dataset], f"continuation of {dataset}")
    # The first run of an incremental dataset (nothing in raw yet) fetches everything, unless the
    # event asks for a start day (backfill).
    windowed = dataset in settings.incremental_datasets and (
        backfill_from(event) is not None or has_raw_history(s3, settings.raw_bucket, settings.source, dataset)
    )
    return Progress(query={KEYSET_PARAMETER: "0"}, window=window if windowed else None)


def store_dataset(
    endpoint: Endpoint,
    progress: Progress,
    *,
    s3: Any,
    settings: RawSettings,
    run: Tuple[str, str],
    out_of_time: Callable[[], bool],
) -> bool:
    """Fetch and store chunks of one dataset from where `progress` stands; True when complete.

    A dataset fetched in one chunk is stored as <run_id>.json; otherwise every chunk is a part
    <run_id>.part-NNNNN.json and the last one carries the last-part metadata.
    """
    ingest_date, run_id = run
    dataset = endpoint.dataset
    chunks = fetch_chunks(endpoint, progress, max_bytes=settings.object_max_bytes, out_of_time=out_of_time)
    for chunk in chunks:
        whole = chunk.last and progress.part == 0
        key = (
            layout.raw_object_key(settings.source, dataset, ingest_date, run_id)
            if whole
            else layout.raw_part_key(settings.source, dataset, ingest_date, run_id, progress.part)
        )
        body = chunk.body()
        extra = {} if whole else {LAST_PART_METADATA: "true" if chunk.last else "false"}
        put_raw_object(s3, settings.raw_bucket, key, body, metadata=extra)
        progress.part += 1
        progress.bytes += len(body)
        progress.keys.append(key)
        if chunk.last:
            return True
    return False


def remaining_time(context: Any) -> Callable[[], float]:
    """Seconds left in this invocation (Lambda's context); unbounded without one (a local call)."""
    if context is None or not hasattr(context, "get_remaining_time_in_millis"):
        return lambda: float("inf")
    return lambda: context.get_remaining_time_in_millis() / 1000.0


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
        secrets=boto3.client("secretsmanager") if settings.credentials_secret else None,
        remaining_seconds=remaining_time(context),
    )
