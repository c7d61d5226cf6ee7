"""A tiny WordPress-like REST API over the sample data, for tests and the local demo.

Serves `/wp-json/lakehouse/v1/<dataset>` as the lakehouse-export plugin does
(wordpress_plugin/lakehouse-export): WordPress REST pagination (`page`, `per_page`, `X-WP-Total`,
`X-WP-TotalPages`; a page past the end is HTTP 400 like WordPress), `statistics_pages?from=DAY`
(rows on or after that day), and, when the API is given credentials, HTTP Basic authentication
with WordPress's answer for anything else (401 `rest_forbidden`). Like the plugin with its default
settings it serves only published posts and pages (no drafts, pending, scheduled or private posts,
trash, auto-drafts, revisions, attachments or menu items; a password-protected post without its
content), never `post_password`, and only the term relationships of those posts; the keyed
datasets also page by key (`after=<last key>`, `Link: rel="next"`). Faults can be
queued per dataset (status, body, delay) so tests exercise the raw Lambda's retries and errors
against a real socket; urllib3 is not patched.

A *corruption* changes what the site serves from now on, as a broken plugin or a bad import
would (the failure demo): `unknown_post_status` gives one published article the status
`publised`, which every layer before silver's data-quality gate accepts (it is a well-formed
string) and the gate's `ColumnValues "post_status" in [...]` rule rejects. Switch it with
`api.corrupt(kind)` / `api.corrupt(None)`, over HTTP with `POST /_site/corruption {"kind": ...}` /
`DELETE /_site/corruption` (the detached demo site), or at start with `--corrupt KIND`.
`GET /_site/health` answers `{"status": "ok", "corruption": ...}`.

    with WordPressApi(generate_site()) as api:
        api.url("posts", per_page=100)
"""

from __future__ import annotations

import base64
import bisect
import hmac
import json
import signal
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit, urlunsplit

ROUTE = "/wp-json/lakehouse/v1/"
# The sample site's exporter and its application password (a local test site only: the real
# site's password lives in Secrets Manager and nowhere else). The demo and the e2e tests store
# these in the pipeline's credentials secret.
SAMPLE_CREDENTIALS = ("lakehouse", "samp le00 site 0000 pass word")
CONTROL = "/_site/"
DEFAULT_PER_PAGE = 10  # WordPress's default
MAX_PER_PAGE = 100  # WordPress's limit
# Routes the plugin pages by key (`after=<last key>`): the primary key of each keyed table. The
# others ignore `after` and page by number, as the plugin does.
KEYSET_KEYS = {
    "posts": "ID",
    "statistics_pages": "page_id",
    "term_taxonomy": "term_taxonomy_id",
    "terms": "term_id",
}
# What the plugin exports with its default settings: published posts and pages. Drafts, pending,
# scheduled and private posts, trash, auto-drafts, revisions, attachments and menu items are not.
EXPORTED_STATUSES = ("publish",)
EXPORTED_TYPES = ("post", "page")
# Never exported whatever the settings (the plugin's column list leaves it out).
NEVER_COLUMNS = ("post_password",)
# Withheld from password-protected posts unless the plugin's private-content setting is on.
RESTRICTED_COLUMNS = ("post_content", "post_excerpt", "post_content_filtered")


def exported_site(site: Dict[str, List[Dict[str, Any]]]) -> Dict[str, List[Dict[str, Any]]]:
    """What the lakehouse-export plugin serves of `site` with its default settings: published
    posts and pages only (a password-protected one without its content), never post_password,
    and only the term relationships of exported posts (a draft's terms would reveal the draft)."""
    out = dict(site)
    if "posts" in site:
        out["posts"] = [
            _public_post(row)
            for row in site["posts"]
            if row["post_status"] in EXPORTED_STATUSES and row["post_type"] in EXPORTED_TYPES
        ]
    if "term_relationships" in site and "posts" in site:
        exported = {row["ID"] for row in out["posts"]}
        out["term_relationships"] = [
            row for row in site["term_relationships"] if row["object_id"] in exported
        ]
    return out


def _public_post(row: Dict[str, Any]) -> Dict[str, Any]:
    public = {name: value for name, value in row.items() if name not in NEVER_COLUMNS}
    if row.get("post_password"):
        public.update({name: "" for name in RESTRICTED_COLUMNS})
    return public


# Not one of WordPress's statuses (publish, future, draft, pending, private, trash, auto-draft,
# inherit): a typo as a faulty import would write it.
CORRUPT_POST_STATUS = "publised"


def corrupt_unknown_post_status(rows: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The first published article (post_type `post`) gets an unknown status; other rows as given."""
    target = next(
        (i for i, row in enumerate(rows) if row["post_type"] == "post" and row["post_status"] == "publish"),
        None,
    )
    if target is None:
        raise ValueError("no published article to corrupt")
    changed = list(rows)
    changed[target] = {**rows[target], "post_status": CORRUPT_POST_STATUS}
    return changed


# kind -> (dataset it changes, pure row transform)
CORRUPTIONS: Dict[str, Tuple[str, Callable[[List[Dict[str, Any]]], List[Dict[str, Any]]]]] = {
    "unknown_post_status": ("posts", corrupt_unknown_post_status),
}


@dataclass
class Fault:
    """One canned answer for a dataset; `times` answers (None = every request from now on)."""

    status: int = 500
    body: bytes = b'{"code":"internal_server_error","message":"injected"}'
    delay: float = 0.0
    times: Optional[int] = 1
    headers: Tuple[Tuple[str, str], ...] = ()


class WordPressApi:
    """Runs the API on 127.0.0.1 in a daemon thread (free port unless given)."""

    def __init__(
        self,
        site: Dict[str, List[Dict[str, Any]]],
        port: int = 0,
        credentials: Optional[Tuple[str, str]] = None,
    ) -> None:
        # Served as the plugin would (its default settings), whatever `site` holds.
        self.site = exported_site(site)
        # (username, application password) the site accepts; None = no authentication (old tests).
        self.credentials = credentials
        self.faults: Dict[str, List[Fault]] = {}
        self.requests: List[str] = []
        self.corruption: Optional[str] = None
        self._lock = threading.Lock()
        self._keyed: Dict[
            Tuple[str, Optional[str], Optional[str]], Tuple[List[Dict[str, Any]], List[int]]
        ] = {}
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{ROUTE}"

    def url(self, dataset: str, per_page: Optional[int] = None) -> str:
        return self.base_url + dataset + (f"?per_page={per_page}" if per_page else "")

    def endpoints(self, per_page: Optional[int] = MAX_PER_PAGE) -> Dict[str, str]:
        """dataset -> URL, the JSON the raw Lambda reads from Parameter Store."""
        return {dataset: self.url(dataset, per_page) for dataset in self.site}

    def add_fault(self, dataset: str, fault: Fault) -> None:
        with self._lock:
            self.faults.setdefault(dataset, []).append(fault)

    def corrupt(self, kind: Optional[str]) -> None:
        """Serve the site with corruption `kind` (see CORRUPTIONS) from now on; None = as generated."""
        if kind is not None and kind not in CORRUPTIONS:
            raise ValueError(f"unknown corruption {kind!r}; known: {', '.join(sorted(CORRUPTIONS))}")
        with self._lock:
            self.corruption = kind

    def rows(self, dataset: str) -> List[Dict[str, Any]]:
        """The rows the site serves for `dataset` now (corruption applied)."""
        with self._lock:
            kind = self.corruption
        if kind is not None and CORRUPTIONS[kind][0] == dataset:
            return CORRUPTIONS[kind][1](self.site[dataset])
        return self.site[dataset]

    def requests_for(self, dataset: str) -> List[str]:
        with self._lock:
            return [path for path in self.requests if urlsplit(path).path == ROUTE + dataset]

    def start(self) -> WordPressApi:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> WordPressApi:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- request handling -------------------------------------------------------------------
    def _next_fault(self, dataset: str) -> Optional[Fault]:
        with self._lock:
            queue = self.faults.get(dataset) or []
            if not queue:
                return None
            fault = queue[0]
            if fault.times is not None:
                fault.times -= 1
                if fault.times <= 0:
                    queue.pop(0)
            return fault

    def authorized(self, authorization: Optional[str]) -> bool:
        if self.credentials is None:
            return True
        token = base64.b64encode(":".join(self.credentials).encode()).decode()
        return hmac.compare_digest((authorization or "").encode(), f"Basic {token}".encode())

    def answer(  # noqa: PLR0911 - one return per WordPress answer, in the order WordPress checks
        self, path: str, authorization: Optional[str] = None
    ) -> Tuple[int, Dict[str, str], bytes, float]:
        """(status, headers, body, delay) for one GET; pure apart from the fault queue."""
        with self._lock:
            self.requests.append(path)
        if not self.authorized(authorization):
            return (
                401,
                {},
                b'{"code":"rest_forbidden","message":"Sorry, you must authenticate.","data":{"status":401}}',
                0.0,
            )
        parts = urlsplit(path)
        if not parts.path.startswith(ROUTE) or parts.path[len(ROUTE) :] not in self.site:
            return 404, {}, b'{"code":"rest_no_route","message":"No route was found"}', 0.0
        dataset = parts.path[len(ROUTE) :]
        fault = self._next_fault(dataset)
        if fault is not None:
            return fault.status, dict(fault.headers), fault.body, fault.delay
        query = parse_qs(parts.query)
        try:
            page = int(query.get("page", ["1"])[0])
            per_page = int(query.get("per_page", [str(DEFAULT_PER_PAGE)])[0])
        except ValueError:
            return 400, {}, b'{"code":"rest_invalid_param"}', 0.0
        if not 1 <= per_page <= MAX_PER_PAGE or page < 1:
            return 400, {}, b'{"code":"rest_invalid_param"}', 0.0
        since = query.get("from", [None])[0] if dataset == "statistics_pages" else None
        after = query.get("after", [None])[0] if dataset in KEYSET_KEYS else None
        if after is not None:
            return self._keyset_page(path, dataset, since, after, per_page)
        rows = self.rows(dataset)
        if since is not None:
            rows = [row for row in rows if row["date"] >= since]
        total_pages = max(1, -(-len(rows) // per_page))
        if page > total_pages:
            return 400, {}, b'{"code":"rest_post_invalid_page_number"}', 0.0
        chunk = rows[(page - 1) * per_page : page * per_page]
        headers = {"X-WP-Total": str(len(rows)), "X-WP-TotalPages": str(total_pages)}
        if page < total_pages:
            headers["Link"] = f'<{_with_param(path, "page", page + 1)}>; rel="next"'
        return 200, headers, json.dumps(chunk, ensure_ascii=False).encode("utf-8"), 0.0

    def _keyset_page(
        self, path: str, dataset: str, since: Optional[str], after: str, per_page: int
    ) -> Tuple[int, Dict[str, str], bytes, float]:
        """Rows with a key above `after`, in key order; X-WP-Total on the first page only (the
        plugin counts once), a next link while rows remain, no X-WP-TotalPages."""
        if not after.isdigit():
            return 400, {}, b'{"code":"rest_invalid_param"}', 0.0
        rows, keys = self._by_key(dataset, since)
        start = bisect.bisect_right(keys, int(after))
        chunk = rows[start : start + per_page]
        headers = {"X-WP-Total": str(len(rows))} if int(after) == 0 else {}
        if start + per_page < len(rows):
            headers["Link"] = f'<{_with_param(path, "after", keys[start + per_page - 1])}>; rel="next"'
        return 200, headers, json.dumps(chunk, ensure_ascii=False).encode("utf-8"), 0.0

    def _by_key(self, dataset: str, since: Optional[str]) -> Tuple[List[Dict[str, Any]], List[int]]:
        """The dataset's rows (from `since`) sorted by key, and their keys; cached per answer."""
        with self._lock:
            cache_key = (dataset, since, self.corruption)
            cached = self._keyed.get(cache_key)
        if cached is None:
            column = KEYSET_KEYS[dataset]
            rows = sorted(
                (row for row in self.rows(dataset) if since is None or row["date"] >= since),
                key=lambda row: int(row[column]),
            )
            cached = (rows, [int(row[column]) for row in rows])
            with self._lock:
                self._keyed[cache_key] = cached
        return cached

    def control(self, method: str, path: str, body: bytes) -> Tuple[int, bytes]:
        """The site's own control routes (`/_site/health`, `/_site/corruption`)."""
        route = urlsplit(path).path[len(CONTROL) :]
        if method == "GET" and route == "health":
            return 200, json.dumps({"status": "ok", "corruption": self.corruption}).encode()
        if route != "corruption" or method not in ("POST", "DELETE"):
            return 404, b'{"code":"rest_no_route"}'
        try:
            kind = json.loads(body or b"{}").get("kind") if method == "POST" else None
            if method == "POST" and not kind:
                raise ValueError('body must be {"kind": "<corruption>"}')
            self.corrupt(kind)
        except (ValueError, AttributeError) as exc:
            return 400, json.dumps({"code": "invalid_corruption", "message": str(exc)}).encode()
        return 200, json.dumps({"corruption": kind}).encode()

    def _handler_class(self) -> type:
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out in separate writes

            def do_GET(self) -> None:
                if self.path.startswith(CONTROL):
                    status, body = api.control("GET", self.path, b"")
                    self._send(status, {}, body)
                    return
                status, headers, body, delay = api.answer(self.path, self.headers.get("Authorization"))
                if delay:
                    time.sleep(delay)
                self._send(status, headers, body)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                status, body = api.control("POST", self.path, self.rfile.read(length))
                self._send(status, {}, body)

            def do_DELETE(self) -> None:
                status, body = api.control("DELETE", self.path, b"")
                self._send(status, {}, body)

            def _send(self, status: int, headers: Dict[str, str], body: bytes) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json; charset=UTF-8")
                    self.send_header("Content-Length", str(len(body)))
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test); nothing to answer

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


def _with_param(path: str, name: str, value: object) -> str:
    """`path` with query parameter `name` set to `value`."""
    parts = urlsplit(path)
    query = [(key, old) for key, old in parse_qsl(parts.query, keep_blank_values=True) if key != name]
    return urlunsplit(parts._replace(query=urlencode([*query, (name, str(value))])))


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def main(argv: Optional[List[str]] = None) -> int:
    """Serve the sample site until interrupted or terminated.

    `python tools/wordpress_sample/server.py [port] [scale] [--corrupt KIND]`
    """
    from wordpress_sample.generate import generate_site  # noqa: PLC0415 - CLI only

    args = list(sys.argv[1:] if argv is None else argv)
    corruption = None
    if "--corrupt" in args:
        at = args.index("--corrupt")
        corruption = args[at + 1] if at + 1 < len(args) else ""
        del args[at : at + 2]
    port = int(args[0]) if args else 8080
    scale = args[1] if len(args) > 1 else "small"
    api = WordPressApi(generate_site(scale=scale), port=port, credentials=SAMPLE_CREDENTIALS)
    if corruption is not None:
        api.corrupt(corruption)
    # SIGTERM (local_site.py down) ends the process through the same clean path as Ctrl-C.
    signal.signal(signal.SIGTERM, _interrupt)
    with api:
        print(json.dumps(api.endpoints()), flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            return 0


if __name__ == "__main__":
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))
    sys.exit(main())
