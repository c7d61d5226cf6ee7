"""Raw ingestion for any source, configured by its contract's `raw` spec: fetch an HTTP dataset
page by page, or copy the files a team dropped in the landing bucket, into raw's immutable layout
(s3://<raw>/<source>/<dataset>/ingest_date=YYYY-MM-DD/<run id>...; every object created once, never
replaced, stamped with its ingested-at time).

HTTP pagination (`raw.pagination`, settings in `raw.options`):
  wordpress  WordPress REST paging: `Link: <...>; rel="next"` carrying the keyset `after=` (the
             lakehouse-export plugin) or `page=`, else `X-WP-TotalPages` with page=N. Only the paging
             parameters of a link are applied to the configured URL, so credentials never follow a
             link to another host.
  next_link  the next page's URL in `Link: <...>; rel="next"`, or in the body field `next_field`
             (dotted path) when options name one; rows are the body (an array) or its `items` field.
             The next URL must stay on the configured URL's scheme and host.
  cursor     the body's `cursor_field` (dotted path) is sent back as query parameter `cursor_param`
             until it is empty; rows in the body's `items` field (default "data").
  none       one request.

Landing (`raw.kind = landing`, `raw.format` csv/json/ndjson): every file under
<landing prefix><source>/<dataset>/ with the format's suffix that raw has not copied yet (by its key
and ETag, so a re-dropped file with new content is a new delivery) is copied to
<source>/<dataset>/ingest_date=<date>/<run id>.<token>.<file name>. Bronze loads every file of the
date (lakehouse_common.bronze).

Pure parts (paging decisions) are separate from I/O (urllib3, boto3) so each is tested alone.
"""

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from lakehouse_common import layout
from lakehouse_common.contract import Dataset
from lakehouse_common.layout import INGESTED_AT_METADATA

# WordPress keyset paging: rows after this primary key (the lakehouse-export plugin's routes); a
# route that does not know it ignores it and pages by number instead.
KEYSET_PARAMETER = "after"
PAGING_PARAMETERS = (KEYSET_PARAMETER, "page")
LANDING_SUFFIXES: Mapping[str, Tuple[str, ...]] = {
    "csv": (".csv",),
    "json": (".json",),
    "ndjson": (".ndjson", ".jsonl"),
}
LANDING_KEY_METADATA = "landing-key"
_TOKEN_RE = re.compile(r"^[^/]+\.(?P<token>[0-9a-f]{16})\.[^/]+$")
_SAFE_NAME_RE = re.compile(r"[^A-Za-z0-9_.-]")
MAX_PAGES = 100_000  # a paginator that never ends is a bug on one side: stop and say so


class EndpointError(ValueError):
    """An HTTP source or a landing file that cannot be ingested; the message names it."""


# ---- URLs and answers (pure) ---------------------------------------------------------------------
def with_query(url: str, name: str, value: str) -> str:
    """`url` with query parameter `name` set to `value` (its other parameters kept)."""
    parts = urlsplit(url)
    query = [(key, old) for key, old in parse_qsl(parts.query, keep_blank_values=True) if key != name]
    query.append((name, value))
    return urlunsplit(parts._replace(query=urlencode(query)))


def paged_url(url: str, query: Mapping[str, str]) -> str:
    """The configured `url` with the paging parameters of `query`."""
    for name, value in query.items():
        url = with_query(url, name, value)
    return url


def redact(url: str) -> str:
    """`url` without userinfo (user:password@) and without its query string (tokens travel there),
    safe for messages, logs and notifications."""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=netloc, query="", fragment="")) + ("?..." if parts.query else "")


def link_next(headers: Mapping[str, str]) -> Optional[str]:
    """The target of `Link: <...>; rel="next"`, or None."""
    for link in (headers.get("Link") or headers.get("link") or "").split(","):
        target, _, params = link.partition(";")
        if re.search(r'rel="?next"?', params):
            return target.strip().strip("<>")
    return None


def total_pages(headers: Mapping[str, str], where: str) -> int:
    """X-WP-TotalPages as int (1 when absent: the endpoint does not paginate)."""
    raw = headers.get("X-WP-TotalPages")
    if raw is None:
        return 1
    if not raw.strip().isdigit():
        raise EndpointError(f"{where} sent X-WP-TotalPages {raw!r}, expected a whole number")
    return max(1, int(raw))


def next_query(headers: Mapping[str, str], query: Mapping[str, str], where: str) -> Optional[Dict[str, str]]:
    """WordPress paging: the paging parameters of the next page, or None after the last page.

    WordPress announces the next page in `Link: <...>; rel="next"`; only its paging parameters
    (`after`: keyset, `page`: numbered) are taken, and applied to the configured URL. Without a
    Link header, X-WP-TotalPages tells whether a numbered page follows.
    """
    target = link_next(headers)
    if target is not None:
        found = dict(parse_qsl(urlsplit(target).query))
        paging = {name: found[name] for name in PAGING_PARAMETERS if name in found}
        if not paging:
            raise EndpointError(f"{where} sent a next link without {' or '.join(PAGING_PARAMETERS)}")
        return paging
    if "X-WP-TotalPages" not in headers:
        return None  # a keyset page without a next link is the last
    page = int(query.get("page") or 1)
    return {"page": str(page + 1)} if page < total_pages(headers, where) else None


def field(body: Any, path: str, where: str) -> Any:
    """The value at dotted `path` of a JSON object (None when absent)."""
    value = body
    for name in path.split("."):
        if not isinstance(value, dict):
            raise EndpointError(f"{where}: the answer has no object at {path!r} (got {type(value).__name__})")
        value = value.get(name)
    return value


def decode_body(data: bytes, where: str) -> Any:
    """A response body -> its JSON value; EndpointError naming `where` (and an HTML page, which a
    security challenge or a maintenance page serves with status 200, as such)."""
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        if data.lstrip()[:1] == b"<":
            raise EndpointError(
                f"{where} returned an HTML page instead of JSON (a security plugin's challenge or a "
                f"maintenance page?); body starts {data[:80]!r}"
            ) from None
        raise EndpointError(f"{where} returned invalid JSON ({error}); body starts {data[:80]!r}") from None


def rows_of(body: Any, items: Optional[str], where: str) -> List[Dict[str, Any]]:
    """The rows of one answer: the body itself (an array) or its `items` field."""
    rows = field(body, items, where) if items else body
    if not isinstance(rows, list):
        if not items:
            raise EndpointError(
                f"{where} returned a JSON {type(rows).__name__}, expected an array of objects"
            )
        raise EndpointError(
            f"{where}: the answer's field {items!r} is a {type(rows).__name__}, expected an array"
        )
    bad = [index for index, row in enumerate(rows) if not isinstance(row, dict)]
    if bad:
        raise EndpointError(f"{where} returned non-object rows at positions {bad[:5]} (of {len(rows)})")
    return rows


def same_origin(url: str, base: str, where: str) -> str:
    """`url` (resolved against `base`) when it keeps base's scheme and host; credentials and
    tokens must not follow a link elsewhere."""
    resolved = urljoin(base, url)
    if urlsplit(resolved)[:2] != urlsplit(base)[:2]:
        raise EndpointError(f"{where}: the next page {redact(resolved)} is on another host; not followed")
    return resolved


@dataclass(frozen=True)
class Page:
    """One answer's rows and where the next page is: the configured URL with `next_query`'s
    paging parameters (wordpress, cursor), or `next_url` itself (next_link); both None after the
    last page."""

    rows: List[Dict[str, Any]]
    next_url: Optional[str]
    next_query: Optional[Dict[str, str]] = None


# A pagination: (configured url, this page's url, its headers, its decoded body, where) -> Page.
Pagination = Callable[[str, str, Mapping[str, str], Any, Optional[str]], Page]


def start_query(mode: str) -> Dict[str, str]:
    """The paging parameters of a pagination's first page: WordPress starts keyset paging at
    `after=0` (a route that does not know `after` ignores it and pages by number)."""
    return {KEYSET_PARAMETER: "0"} if mode == "wordpress" else {}


def pagination(mode: str, options: Mapping[str, str]) -> Pagination:
    """The paging rule of a contract's `raw.pagination`, with its `raw.options`."""
    items = options.get("items")

    def wordpress(
        base: str, url: str, headers: Mapping[str, str], body: Any, where: Optional[str] = None
    ) -> Page:
        where = where or redact(url)
        query = dict(parse_qsl(urlsplit(url).query))
        paging = next_query(headers, query, where)
        rows = rows_of(body, items, where)
        return Page(rows, paged_url(base, paging) if paging else None, paging)

    def next_link(
        base: str, url: str, headers: Mapping[str, str], body: Any, where: Optional[str] = None
    ) -> Page:
        where = where or redact(url)
        target = link_next(headers)
        if target is None and options.get("next_field"):
            target = field(body, options["next_field"], where) or None
        return Page(rows_of(body, items, where), same_origin(str(target), url, where) if target else None)

    def cursor(
        base: str, url: str, headers: Mapping[str, str], body: Any, where: Optional[str] = None
    ) -> Page:
        where = where or redact(url)
        value = field(body, options["cursor_field"], where)
        rows = rows_of(body, items or "data", where)
        if not value:
            return Page(rows, None)
        paging = {options["cursor_param"]: str(value)}
        return Page(rows, paged_url(base, paging), paging)

    def none(base: str, url: str, headers: Mapping[str, str], body: Any, where: Optional[str] = None) -> Page:
        return Page(rows_of(body, items, where or redact(url)), None)

    rules: Dict[str, Pagination] = {
        "wordpress": wordpress,
        "next_link": next_link,
        "cursor": cursor,
        "none": none,
    }
    if mode not in rules:
        raise EndpointError(f"unknown pagination {mode!r}; known: {', '.join(rules)}")
    if mode == "cursor":
        missing = [name for name in ("cursor_param", "cursor_field") if not options.get(name)]
        if missing:
            raise EndpointError(f"pagination cursor needs raw.options {', '.join(missing)}")
    return rules[mode]


def rows_field(options: Mapping[str, str], mode: str) -> Optional[str]:
    """The body field holding the rows (None: the body is the array of rows)."""
    return options.get("items") or ("data" if mode == "cursor" else None)


# ---- raw objects (I/O) --------------------------------------------------------------------------
def put_raw_object(
    s3: Any,
    bucket: str,
    key: str,
    body: bytes,
    *,
    content_type: str = "application/json",
    metadata: Optional[Mapping[str, str]] = None,
) -> None:
    """Create the object; never replace one (If-None-Match: *), so raw history is immutable."""
    from botocore.exceptions import ClientError  # noqa: PLC0415 - the runtime provides botocore

    try:
        s3.put_object(
            Bucket=bucket,
            Key=key,
            Body=body,
            ContentType=content_type,
            IfNoneMatch="*",
            # S3 listings give LastModified to the second; bronze orders same-second runs by this.
            Metadata={
                INGESTED_AT_METADATA: dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds"),
                **(metadata or {}),
            },
        )
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        if code in ("PreconditionFailed", "ConditionalRequestConflict"):
            raise EndpointError(
                f"s3://{bucket}/{key} already exists (run_id reused?); raw objects are never overwritten"
            ) from None
        raise EndpointError(f"could not write s3://{bucket}/{key}: {code or error}") from None


# ---- landing drops (I/O) -------------------------------------------------------------------------
def landing_token(key: str, etag: str) -> str:
    """16 hex digits naming one landing file's content at one key (key + ETag)."""
    return hashlib.sha256(f"{key}\n{etag.strip(chr(34))}".encode()).hexdigest()[:16]


def _keys(s3: Any, bucket: str, prefix: str) -> List[Mapping[str, Any]]:
    return [
        item
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        for item in page.get("Contents", [])
    ]


def copied_tokens(s3: Any, raw_bucket: str, source: str, dataset: str) -> set:
    """Tokens of the landing files raw already holds (any ingest date)."""
    prefix = layout.dataset_prefix(raw_bucket, source, dataset)[len(f"s3://{raw_bucket}/") :]
    tokens = set()
    for item in _keys(s3, raw_bucket, prefix):
        match = _TOKEN_RE.match(str(item["Key"]).rsplit("/", 1)[-1])
        if match:
            tokens.add(match.group("token"))
    return tokens


def copy_landing(
    s3: Any,
    *,
    landing_bucket: str,
    landing_prefix: str,
    raw_bucket: str,
    dataset: Dataset,
    source: str,
    ingest_date: str,
    run_id: str,
) -> Dict[str, Any]:
    """Copy the dataset's new landing files into raw for the ingest date -> summary.

    Landing files are left where they are (the landing bucket's lifecycle expires them); a file is
    new until raw holds a copy of its key and content.
    """
    fmt = dataset.raw.format or "json"
    prefix = f"{landing_prefix}{source}/{dataset.name}/"
    done = copied_tokens(s3, raw_bucket, source, dataset.name)
    copied: List[str] = []
    skipped = 0
    for item in sorted(_keys(s3, landing_bucket, prefix), key=lambda entry: str(entry["Key"])):
        key = str(item["Key"])
        if not key.lower().endswith(LANDING_SUFFIXES[fmt]):
            skipped += 1
            continue
        token = landing_token(key, str(item.get("ETag", "")))
        if token in done:
            continue
        name = _SAFE_NAME_RE.sub("_", key.rsplit("/", 1)[-1])
        raw_key = layout.raw_object_key(source, dataset.name, ingest_date, f"{run_id}.{token}.{name}")
        raw_key = raw_key[: -len(".json")]  # raw_object_key adds .json; the drop keeps its own name
        body = s3.get_object(Bucket=landing_bucket, Key=key)["Body"].read()
        content_type = {"csv": "text/csv", "ndjson": "application/x-ndjson"}.get(fmt, "application/json")
        put_raw_object(
            s3, raw_bucket, raw_key, body, content_type=content_type, metadata={LANDING_KEY_METADATA: key}
        )
        copied.append(raw_key)
        done.add(token)
    return {
        "copied": len(copied),
        "keys": copied,
        "other_files": skipped,
        "prefix": f"s3://{landing_bucket}/{prefix}",
    }


def landing_datasets(datasets: Sequence[Dataset]) -> List[Dataset]:
    return [dataset for dataset in datasets if dataset.raw.kind == "landing"]
