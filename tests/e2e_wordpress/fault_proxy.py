"""A fault-injecting HTTP proxy on localhost in front of the real test site (test support only).

Requests are forwarded to the site unchanged (Authorization included) unless a fault is set for
the dataset the path names: `status` (answer that status with a WordPress-style JSON error, every
time), `html` (200 with a maintenance page instead of JSON), `delay` (seconds to wait before
forwarding: a site that hangs), or `after_first` (a callable run once after the first page of
that dataset was forwarded: rows added while paging).
"""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional
from urllib.parse import urlsplit

ROUTE = "/wp-json/lakehouse/v1/"
MAINTENANCE_PAGE = (
    b"<!DOCTYPE html><html><head><title>Briefly unavailable for scheduled maintenance</title></head>"
    b"<body><h1>Briefly unavailable for scheduled maintenance. Check back in a minute.</h1></body></html>"
)
FORWARDED_HEADERS = ("Content-Type", "X-WP-Total", "X-WP-TotalPages", "Link")


@dataclass
class Fault:
    status: Optional[int] = None
    html: bool = False
    delay: float = 0.0
    after_first: Optional[Callable[[], None]] = None


class FaultProxy:
    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.faults: dict[str, Fault] = {}
        self.requests: list[str] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def endpoints(self, datasets: list[str], per_page: int = 100) -> dict[str, str]:
        return {dataset: f"{self.url}{ROUTE}{dataset}?per_page={per_page}" for dataset in datasets}

    def requests_for(self, dataset: str) -> list[str]:
        with self._lock:
            return [path for path in self.requests if urlsplit(path).path == ROUTE + dataset]

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def answer(self, path: str, authorization: Optional[str]) -> tuple[int, dict[str, str], bytes]:
        dataset = urlsplit(path).path[len(ROUTE) :] if path.startswith(ROUTE) else ""
        with self._lock:
            self.requests.append(path)
            fault = self.faults.get(dataset)
        if fault and fault.status:
            body = b'{"code":"injected","message":"Service unavailable (injected)","data":{"status":%d}}'
            return fault.status, {"Content-Type": "application/json"}, body % fault.status
        if fault and fault.html:
            return 200, {"Content-Type": "text/html; charset=UTF-8"}, MAINTENANCE_PAGE
        if fault and fault.delay:
            time.sleep(fault.delay)
        request = urllib.request.Request(self.upstream + path, headers={"Authorization": authorization or ""})
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                status, headers, body = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            status, headers, body = error.code, error.headers, error.read()
        if fault and fault.after_first:
            hook, fault.after_first = fault.after_first, None
            hook()
        return status, {name: headers[name] for name in FORWARDED_HEADERS if headers.get(name)}, body

    def _handler(self) -> type:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                status, headers, body = proxy.answer(self.path, self.headers.get("Authorization"))
                try:
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (the hanging-site scene)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
