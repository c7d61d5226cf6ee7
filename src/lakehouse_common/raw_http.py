"""Raw ingestion of HTTP datasets (the I/O side of `lakehouse_common.raw`'s paginations): fetch a
dataset page by page into raw objects of bounded size, within the invocation's time.

- Credentials: HTTP Basic auth from a Secrets Manager secret (a JSON object; its field names come
  from the source's hooks, default {"username", "password"}), read on every invocation so a
  rotated password needs no deploy. With credentials, URLs must be https (plain http only to this
  machine) and must not carry userinfo; no credential ever reaches an error, a log or a
  notification.
- Requests: a timeout, retries with exponential backoff on timeouts, 429 and 5xx (urllib3's Retry,
  Retry-After respected); redirects are not followed. With the invocation's remaining time known,
  a request's attempts are shortened so that the function still stores, notifies and answers.
- Windows: an incremental dataset whose contract names `raw.options.window_param` (and so
  `load.backfill_window`, the column the window selects on) is fetched from a first day, the
  ingest date minus the lookback or the event's `from` (a backfill); its first run (nothing in
  raw yet) is full.
- Objects: a dataset fetched in one chunk is one <run_id>.json (a single page byte for byte);
  larger fetches are parts <run_id>.part-NNNNN.json of about `object_max_bytes` each, the last
  carrying the last-part metadata. When time runs out the rows so far are stored and a
  continuation (JSON) says where to resume; the workflow invokes the function again with it.
- Errors: one EndpointError per dataset naming the endpoint, the page and the cause, worded for
  the person who fixes it (the source's hooks may name source-specific causes).

A source's hooks (`sources/<source>/raw_hooks.py`, bundled as `lakehouse_contracts/
<source>_raw_hooks.py` by tools/package.py) may define:
  CREDENTIAL_FIELDS   (user field, password field) of the credentials secret
  describe_error(status, code, message, site) -> Optional[str]
                      the cause of a non-200 answer in the source's words, or None
"""

import base64
import datetime as dt
import importlib
import importlib.util
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from lakehouse_common import layout
from lakehouse_common.contract import (
    BUNDLE_PACKAGE,
    RAW_HOOKS_FILE,
    RAW_HOOKS_SUFFIX,
    SOURCES_DIR_ENV,
    Dataset,
)
from lakehouse_common.layout import LAST_PART_METADATA
from lakehouse_common.raw import (
    KEYSET_PARAMETER,
    MAX_PAGES,
    EndpointError,
    Page,
    Pagination,
    decode_body,
    paged_url,
    pagination,
    put_raw_object,
    redact,
    rows_field,
    start_query,
    with_query,
)

_DATASET_RE = re.compile(r"^[a-z0-9_]+$")
_DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Endpoints that are temporarily unwell; anything else (404, 401, ...) will not improve by retrying.
RETRY_STATUSES = (429, 500, 502, 503, 504)
# Plain http sends the password in clear text; only a server on this machine may use it.
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
# Time kept after a request's last attempt gives up: store what was fetched, notify, answer.
REQUEST_MARGIN_SECONDS = 15.0
# A raw object holds at most about this many bytes of rows: the function's memory and bronze's
# per-object memory stay bounded however large the dataset (a bigger fetch writes parts).
# 8 MiB: bronze converting 1M WordPress statistics rows peaks under 512 MB (16 MiB did not; bench/).
OBJECT_MAX_BYTES = 8 * 1024 * 1024
# No new page is requested once less than this many seconds of the invocation are left: the rows
# so far are stored and a continuation is returned.
RESERVE_SECONDS = 45.0


# ---- source hooks ---------------------------------------------------------------------------------
DescribeError = Callable[[int, Optional[str], str, str], Optional[str]]


@dataclass(frozen=True)
class RawHooks:
    """What a source adds to the generic HTTP fetch (all optional)."""

    credential_fields: Tuple[str, str] = ("username", "password")
    describe_error: Optional[DescribeError] = None


def hooks_of(module: Any) -> RawHooks:
    fields = tuple(getattr(module, "CREDENTIAL_FIELDS", RawHooks.credential_fields))
    describe = getattr(module, "describe_error", None)
    if len(fields) != 2 or not all(isinstance(name, str) and name for name in fields):
        raise ValueError(f"{module.__name__}: CREDENTIAL_FIELDS must be (user field, password field)")
    if describe is not None and not callable(describe):
        raise ValueError(f"{module.__name__}: describe_error must be callable")
    return RawHooks((fields[0], fields[1]), describe)


def load_raw_hooks(source: str, environ: Optional[Mapping[str, str]] = None) -> RawHooks:
    """The source's raw hooks as the running artifact carries them (lakehouse_contracts/
    <source>_raw_hooks.py), or <LAKEHOUSE_SOURCES_DIR>/<source>/raw_hooks.py from a checkout;
    no hooks: the defaults."""
    env = os.environ if environ is None else environ
    sources_dir = env.get(SOURCES_DIR_ENV)
    if sources_dir:
        path = Path(sources_dir) / source / RAW_HOOKS_FILE
        if not path.is_file():
            return RawHooks()
        spec = importlib.util.spec_from_file_location(f"{source}{RAW_HOOKS_SUFFIX}", path)
        if spec is None or spec.loader is None:
            raise ValueError(f"{path}: cannot be loaded as a module")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return hooks_of(module)
    try:
        module = importlib.import_module(f"{BUNDLE_PACKAGE}.{source}{RAW_HOOKS_SUFFIX}")
    except ModuleNotFoundError as error:
        if error.name not in (BUNDLE_PACKAGE, f"{BUNDLE_PACKAGE}.{source}{RAW_HOOKS_SUFFIX}"):
            raise
        return RawHooks()
    return hooks_of(module)


# ---- credentials and URLs (pure) ------------------------------------------------------------------
@dataclass(frozen=True)
class Credentials:
    """A user and password for HTTP Basic auth; repr never shows the password."""

    username: str
    password: str = field(repr=False)

    def authorization(self) -> str:
        token = f"{self.username}:{self.password}".encode()
        return "Basic " + base64.b64encode(token).decode("ascii")


def parse_credentials(
    text: Optional[str], secret: str, fields: Tuple[str, str] = RawHooks.credential_fields
) -> Credentials:
    """The secret's value -> Credentials; ValueError naming the secret (never echoing the value)."""
    shape = "{" + ", ".join(f'"{name}": ...' for name in fields) + "}"
    if text is None or not text.strip():
        raise ValueError(f"secret {secret} is empty: store {shape} with aws secretsmanager put-secret-value")
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        raise ValueError(f"secret {secret} is not JSON: expected {shape}") from None
    if not isinstance(value, dict):
        raise ValueError(f"secret {secret} must be a JSON object {shape}")
    missing = [name for name in fields if not isinstance(value.get(name), str) or not value[name]]
    if missing:
        raise ValueError(f"secret {secret} lacks non-empty {missing}")
    return Credentials(value[fields[0]], value[fields[1]])


def transport_problem(url: str) -> Optional[str]:
    """Why credentials must not be sent to `url`, or None: https anywhere, http to localhost only."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return "must be https"
    if "@" in parts.netloc:
        return "must not carry credentials (user:password@): put them in the credentials secret"
    if parts.scheme == "http" and (parts.hostname or "") not in _LOCAL_HOSTS:
        return "must be https: plain http would send the password in clear text (allowed to localhost only)"
    return None


def parse_endpoints(text: str, parameter: str) -> Dict[str, str]:
    """The Parameter Store value -> {dataset: url}; ValueError naming the parameter and the problem."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"parameter {parameter} is not valid JSON: {error}") from None
    if not isinstance(value, dict):
        raise ValueError(f"parameter {parameter} must be a JSON object of dataset -> URL")
    for dataset, url in value.items():
        if not _DATASET_RE.match(dataset):
            raise ValueError(f"parameter {parameter}: dataset name {dataset!r} must match [a-z0-9_]+")
        if not isinstance(url, str):
            raise ValueError(f"parameter {parameter}: URL of {dataset!r} must be a string")
        problem = transport_problem(url)
        if problem:
            raise ValueError(f"parameter {parameter}: URL of {dataset!r} ({redact(url)}) {problem}")
    return dict(sorted(value.items()))


def site_of(url: str) -> str:
    """scheme://host[:port] of `url`, without userinfo: how errors name the site."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}"


# ---- incremental windows (pure) -------------------------------------------------------------------
def backfill_from(event: Optional[Mapping[str, Any]]) -> Any:
    """The backfill start day: the event's `from`, else the workflow execution input's `from`
    (the workflow passes its input as `input`), else None."""
    event = event or {}
    if event.get("from") is not None:
        return event["from"]
    execution_input = event.get("input")
    return execution_input.get("from") if isinstance(execution_input, dict) else None


def window_start(event: Optional[Mapping[str, Any]], ingest_date: str, lookback_days: int) -> str:
    """First day a windowed dataset is fetched from: the event's `from` (backfill), else the
    ingest date minus the lookback (the latest days' rows may still change)."""
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


def window_param(dataset: Dataset) -> Optional[str]:
    """The query parameter that carries a windowed fetch's first day (raw.options.window_param)."""
    return dataset.raw.options.get("window_param") or None


# ---- HTTP (I/O) -----------------------------------------------------------------------------------
def build_http(timeout_seconds: float = 30.0, max_retries: int = 3, backoff_seconds: float = 1.0) -> Any:
    """A pool whose GETs time out and are retried with exponential backoff on timeouts and 5xx."""
    import urllib3  # noqa: PLC0415 - the runtime provides urllib3
    from urllib3.util import Retry, Timeout  # noqa: PLC0415

    retry = Retry(
        total=max_retries,
        connect=max_retries,
        read=max_retries,
        status=max_retries,
        backoff_factor=backoff_seconds,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET"}),
        respect_retry_after_header=True,
        raise_on_status=True,
    )
    timeout = Timeout(connect=timeout_seconds, read=timeout_seconds)
    return urllib3.PoolManager(retries=retry, timeout=timeout, headers={"Accept": "application/json"})


def attempt_budget(timeout: float, retries: int, remaining: float, backoff: float = 0.0) -> Tuple[float, int]:
    """(seconds per attempt, retries) for one request that end before the invocation does.

    A server that hangs would otherwise outlast Lambda's timeout (30 s x 4 attempts > 120 s) and
    the function would be killed before it could name the endpoint and notify: with less time
    left than the configured attempts need, each attempt gets shorter (the retries stay, so quick
    failures such as a 503 are retried as configured); only below a second per attempt are there
    fewer. `backoff`: the most the retries' waits add up to.
    """
    usable = remaining - REQUEST_MARGIN_SECONDS - backoff
    seconds = max(1.0, min(timeout, usable / (retries + 1)))
    if seconds * (retries + 1) <= max(usable, 1.0):
        return seconds, retries
    return seconds, max(0, min(retries, int(usable // seconds) - 1))


# A GET: (url, where for messages) -> (status, headers, body); EndpointError when no answer came.
Get = Callable[[str, str], Tuple[int, Mapping[str, str], bytes]]


def urllib3_get(
    http: Any,
    credentials: Optional[Credentials] = None,
    remaining: Callable[[], float] = lambda: float("inf"),
) -> Get:
    """GETs through a urllib3 PoolManager: redirects not followed (credentials go only to the
    configured URL), attempts cut to the invocation's remaining time (attempt_budget)."""
    import urllib3  # noqa: PLC0415
    from urllib3.util import Retry, Timeout  # noqa: PLC0415

    headers = {"Accept": "application/json"}
    if credentials:
        headers["Authorization"] = credentials.authorization()

    def get(url: str, where: str) -> Tuple[int, Mapping[str, str], bytes]:
        limits: Dict[str, Any] = {}
        left = remaining()
        base = getattr(http, "connection_pool_kw", {}).get("retries")
        base_timeout = getattr(http, "connection_pool_kw", {}).get("timeout")
        if left != float("inf") and isinstance(base, Retry) and isinstance(base_timeout, Timeout):
            configured = int(base.total or 0)
            # urllib3 waits backoff_factor x 2^(n-1) before retry n (capped): the most they add to.
            waits = min(
                float(base.backoff_factor or 0.0) * (2**configured - 1), float(Retry.DEFAULT_BACKOFF_MAX)
            )
            seconds, retries = attempt_budget(
                float(base_timeout.read_timeout or 30.0), configured, left, waits
            )
            limits = {
                "timeout": Timeout(connect=seconds, read=seconds),
                "retries": base.new(total=retries, connect=retries, read=retries, status=retries),
            }
        try:
            response = http.request("GET", url, headers=headers, redirect=False, **limits)
        except urllib3.exceptions.MaxRetryError as error:
            # urllib3's cause names the pool (host and port), never userinfo, which is never sent.
            reason = (
                f"{type(error.reason).__name__}: {error.reason}" if error.reason is not None else "no answer"
            )
            raise EndpointError(f"{where} failed after retries: {reason}") from None
        except urllib3.exceptions.HTTPError as error:
            raise EndpointError(f"{where} failed: {type(error).__name__}") from None
        return response.status, response.headers, response.data

    return get


def status_error(
    url: str, where: str, status: int, body: bytes, *, authenticated: bool, hooks: RawHooks = RawHooks()
) -> str:
    """A non-200 answer, worded for the person who has to fix it."""
    site = site_of(url)
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        payload = None
    code = payload.get("code") if isinstance(payload, dict) else None
    message = str(payload.get("message", "")) if isinstance(payload, dict) else ""
    if status == 401:
        cause = "credentials rejected by" if authenticated else "credentials required (none configured) by"
        return f"{where}: {cause} {site} (401)"
    described = hooks.describe_error(status, code, message, site) if hooks.describe_error else None
    if described:
        return f"{where}: {described}"
    if 300 <= status < 400:
        return f"{where} answered HTTP {status} (redirect, not followed): point the endpoint at the final URL"
    return f"{where} answered HTTP {status}: {body[:200]!r}"


# ---- fetching in chunks ---------------------------------------------------------------------------
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
    # Whether a WordPress route pages by key (it understood `after`: no X-WP-TotalPages).
    keyset: bool = False
    keys: List[str] = field(default_factory=list)
    # next_link paging: the next page's URL, less the configured URL's own query parameters (so
    # tokens there never travel in the continuation; they are applied again).
    url: Optional[str] = None

    def as_json(self) -> Dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, value: Mapping[str, Any], where: str) -> "Progress":
        try:
            return cls(**value)
        except TypeError as error:
            raise ValueError(f"{where}: malformed continuation ({error})") from None


def without_base_query(url: str, base: str) -> str:
    """`url` without the query parameters it shares with `base` (same name and value)."""
    shared = set(parse_qsl(urlsplit(base).query, keep_blank_values=True))
    parts = urlsplit(url)
    kept = [pair for pair in parse_qsl(parts.query, keep_blank_values=True) if pair not in shared]
    return urlunsplit(parts._replace(query="&".join(f"{k}={v}" for k, v in kept)))


def with_base_query(url: str, base: str) -> str:
    """`url` with `base`'s query parameters that it lacks."""
    present = {name for name, _ in parse_qsl(urlsplit(url).query, keep_blank_values=True)}
    for name, value in parse_qsl(urlsplit(base).query, keep_blank_values=True):
        if name not in present:
            url = with_query(url, name, value)
    return url


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
    """One dataset's configured URL (with its window parameter when windowed) and its paging."""

    dataset: str
    url: str
    mode: str = "none"
    options: Mapping[str, str] = field(default_factory=dict)
    authenticated: bool = False
    hooks: RawHooks = RawHooks()

    @property
    def where(self) -> str:
        return f"endpoint {self.dataset} ({redact(self.url)})"


def array_items(body: bytes) -> bytes:
    """The items of a JSON array body (already checked) without the brackets."""
    return body.strip()[1:-1].strip()


def check_wordpress_total(progress: Progress, headers: Mapping[str, str], where: str, last: bool) -> None:
    """Numbered WordPress pages shift when rows are added or removed while paging (rows repeat or
    go missing): X-WP-Total must stay what page 1 said and match the rows fetched. Keyset pages
    (`after`) neither repeat nor skip rows, so they are not checked."""
    now = headers.get("X-WP-Total")
    if progress.total is None:
        progress.total = now
    elif now is not None and now != progress.total and not progress.keyset:
        raise EndpointError(
            f"{where} changed while paging: X-WP-Total was {progress.total} on page 1 and {now} "
            f"on page {progress.pages}"
        )
    total = progress.total
    if last and not progress.keyset and total is not None and total.isdigit() and int(total) != progress.rows:
        raise EndpointError(
            f"{where} announced {progress.total} rows (X-WP-Total) but its "
            f"{progress.pages} pages held {progress.rows}"
        )


def fetch_page(
    get: Get, endpoint: Endpoint, rule: Pagination, url: str, where: str
) -> Tuple[Mapping[str, str], bytes, Page]:
    """GET one page and read it -> (headers, body bytes, Page); EndpointError names the page."""
    status, headers, data = get(url, where)
    if status != 200:
        cause = status_error(
            url, where, status, data, authenticated=endpoint.authenticated, hooks=endpoint.hooks
        )
        raise EndpointError(cause)
    return headers, data, rule(endpoint.url, url, headers, decode_body(data, where), where)


def fetch_chunks(
    get: Get,
    endpoint: Endpoint,
    progress: Progress,
    *,
    max_bytes: int,
    out_of_time: Callable[[], bool] = lambda: False,
    allow_empty: bool = False,
) -> Iterator[Chunk]:
    """Fetch pages from where `progress` stands, yielding chunks of at most about `max_bytes`.

    The last chunk has `last` set. When time runs out (at least one page fetched per invocation,
    so every invocation makes progress) the chunk so far is yielded without `last` and `progress`
    holds the next page. Each page is decoded to check it and then dropped: memory holds the
    chunk's bytes, not Python dicts. A first page without rows fails unless `allow_empty` (an
    incremental window may hold no rows).
    """
    rule: Pagination = pagination(endpoint.mode, endpoint.options)
    whole_body = rows_field(endpoint.options, endpoint.mode) is None
    base = endpoint.url
    items: List[bytes] = []
    size = rows = fetched = 0
    first_body: Optional[bytes] = None
    seen = set()
    while True:
        page_where = f"{endpoint.where} page {progress.pages + 1}"
        url = with_base_query(progress.url, base) if progress.url else paged_url(base, progress.query)
        if url in seen or progress.pages >= MAX_PAGES:
            raise EndpointError(
                f"{page_where}: the pagination repeats a page; stopped after {progress.pages} pages"
            )
        seen.add(url)
        headers, data, page = fetch_page(get, endpoint, rule, url, page_where)
        if not page.rows and not allow_empty and progress.pages == 0:
            raise EndpointError(f"{page_where} returned an empty array")
        fetched += 1
        first_body = data if fetched == 1 and progress.pages == 0 and whole_body else None
        if endpoint.mode == "wordpress" and progress.pages == 0:
            progress.keyset = KEYSET_PARAMETER in progress.query and "X-WP-TotalPages" not in headers
        progress.pages += 1
        progress.rows += len(page.rows)
        rows += len(page.rows)
        # The body's own bytes when it is the array of rows; else the rows serialized.
        items.append(
            array_items(data) if whole_body else json.dumps(page.rows, ensure_ascii=False).encode()[1:-1]
        )
        size += len(data)
        last = not page.rows or (page.next_query is None and page.next_url is None)
        if endpoint.mode == "wordpress":
            check_wordpress_total(progress, headers, endpoint.where, last)
        if last:
            single = first_body if progress.part == 0 and len(items) == 1 else None
            yield Chunk(items, rows, True, single)
            return
        if page.next_query is not None:
            progress.query, progress.url = page.next_query, None
        else:
            progress.url = without_base_query(str(page.next_url), base)
        if size >= max_bytes or out_of_time():
            yield Chunk(items, rows, False)
            if out_of_time():
                return
            items, size, rows = [], 0, 0


def fetch(get: Get, url: str, mode: str, options: Mapping[str, str]) -> Tuple[List[Dict[str, Any]], int]:
    """Every row of an HTTP dataset in memory -> (rows, pages): small datasets, tools and tests."""
    progress = Progress(query=start_query(mode))
    endpoint = Endpoint("dataset", url, mode, options)
    rows: List[Dict[str, Any]] = []
    for chunk in fetch_chunks(get, endpoint, progress, max_bytes=2**62, allow_empty=True):
        rows += json.loads(chunk.body())
    return rows, progress.pages


def start_progress(
    dataset: Dataset,
    *,
    incremental: Sequence[str],
    backfill: bool,
    has_history: Callable[[], bool],
    window: str,
    pending: Mapping[str, Any],
) -> Progress:
    """Where the dataset's fetch starts: the continuation's state, else the first page (windowed
    when the dataset is incremental here and can be windowed, and either a backfill is asked for
    or raw already holds a run of it: an incremental dataset's first run is full)."""
    if dataset.name in pending:
        return Progress.from_json(pending[dataset.name], f"continuation of {dataset.name}")
    windowed = (
        dataset.name in incremental and window_param(dataset) is not None and (backfill or has_history())
    )
    return Progress(query=start_query(dataset.raw.pagination or "none"), window=window if windowed else None)


def has_raw_history(s3: Any, bucket: str, source: str, dataset: str) -> bool:
    """Whether any earlier run stored this dataset."""
    prefix = f"{source}/{dataset}/"
    return bool(s3.list_objects_v2(Bucket=bucket, Prefix=prefix, MaxKeys=1).get("KeyCount", 0))


def store_chunks(
    chunks: Iterator[Chunk],
    progress: Progress,
    *,
    s3: Any,
    bucket: str,
    source: str,
    dataset: str,
    run: Tuple[str, str],
) -> bool:
    """Store the chunks of one dataset; True when the last one is stored.

    A dataset fetched in one chunk is stored as <run_id>.json; otherwise every chunk is a part
    <run_id>.part-NNNNN.json and the last one carries the last-part metadata.
    """
    ingest_date, run_id = run
    for chunk in chunks:
        whole = chunk.last and progress.part == 0
        key = (
            layout.raw_object_key(source, dataset, ingest_date, run_id)
            if whole
            else layout.raw_part_key(source, dataset, ingest_date, run_id, progress.part)
        )
        body = chunk.body()
        extra = {} if whole else {LAST_PART_METADATA: "true" if chunk.last else "false"}
        put_raw_object(s3, bucket, key, body, metadata=extra)
        progress.part += 1
        progress.bytes += len(body)
        progress.keys.append(key)
        if chunk.last:
            return True
    return False


def read_credentials(
    secrets: Any, secret: str, fields: Tuple[str, str] = RawHooks.credential_fields
) -> Credentials:
    """The secret's current value (read on every invocation: a rotated password needs no deploy)."""
    from botocore.exceptions import ClientError  # noqa: PLC0415 - the runtime provides botocore

    try:
        answer = secrets.get_secret_value(SecretId=secret)
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        message = error.response.get("Error", {}).get("Message", "")
        if code == "ResourceNotFoundException" and "value" in message.lower():
            raise ValueError(
                f"secret {secret} has no value yet: store {' and '.join(fields)} with aws "
                "secretsmanager put-secret-value"
            ) from None
        if code == "ResourceNotFoundException":
            raise ValueError(f"secret {secret} does not exist") from None
        raise ValueError(f"could not read secret {secret}: {code or error}") from None
    return parse_credentials(answer.get("SecretString"), secret, fields)


def read_endpoints(ssm: Any, parameter: str) -> Dict[str, str]:
    value = ssm.get_parameter(Name=parameter, WithDecryption=True)["Parameter"]["Value"]
    return parse_endpoints(value, parameter)


def parse_continuation(event: Optional[Mapping[str, Any]], datasets: Sequence[str]) -> Dict[str, Any]:
    """The event's `continuation` ({} when absent or null); ValueError when malformed."""
    value = (event or {}).get("continuation")
    if value is None:
        return {}
    if not isinstance(value, dict) or not isinstance(value.get("pending"), dict) or not value["pending"]:
        raise ValueError("event field 'continuation' must be the previous invocation's continuation")
    unknown = sorted(set(value["pending"]) - set(datasets))
    if unknown:
        raise ValueError(f"event field 'continuation' names datasets this function does not fetch: {unknown}")
    return value
