"""A retried SDK request whose first attempt already succeeded gets that attempt's response again.

Why: under load, the Terraform AWS provider (Go SDK v2) sometimes reports a transport error for a
request the emulator has fully executed and answered with 200 over TLS (seen about once per 300
requests during `terraform apply`; never over plain HTTP, never with Python clients; the server
logs no error). The SDK then retries, and a create that already happened fails with
`AlreadyExistsException` / `ParameterAlreadyExists`, aborting the apply. On AWS such losses are
rare enough to ignore; here they break every other apply.

AWS SDKs send the same `amz-sdk-invocation-id` on every attempt of one operation and
`amz-sdk-request: attempt=N; max=M`. So when attempt N > 1 arrives for an invocation id whose
earlier attempt got a 2xx response, the emulator returns that response instead of executing the
operation again: the client sees exactly what it would have seen had the first response arrived.
Only mutating requests (not GET/HEAD) are remembered, only 2xx responses are replayed (a retry
after an injected fault or a throttling error runs normally), bodies over 1 MiB are not kept, and
the last 2000 invocations are kept.

Each replay is logged with the first attempt's duration and whether the retry arrived before or
after that attempt was answered. A retry that arrives first means the client gave up waiting
(its own read timeout, or a connection it dropped), not that a response was lost in transit.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Optional

StartResponse = Callable[..., Any]
LOG = logging.getLogger("local_emulator.transport")

MAX_ENTRIES = 2000
MAX_BODY_BYTES = 1 << 20
WAIT_FOR_FIRST_ATTEMPT_SECONDS = 60.0


@dataclass
class _Attempt:
    done: threading.Event = field(default_factory=threading.Event)
    status: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: Optional[bytes] = None  # None: not replayable (non-2xx, too big or failed)
    started: float = field(default_factory=time.monotonic)
    answered: Optional[float] = None


def _attempt_number(environ: dict[str, Any]) -> int:
    header = environ.get("HTTP_AMZ_SDK_REQUEST", "")
    for part in header.split(";"):
        name, _, value = part.strip().partition("=")
        if name == "attempt" and value.isdigit():
            return int(value)
    return 1


class RetryReplay:
    """Wraps a WSGI app; see the module docstring."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._attempts: OrderedDict[str, _Attempt] = OrderedDict()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        invocation = environ.get("HTTP_AMZ_SDK_INVOCATION_ID")
        if not invocation or environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            return self.app(environ, start_response)
        if _attempt_number(environ) > 1:
            arrived = time.monotonic()
            with self._lock:
                earlier = self._attempts.get(invocation)
            if (
                earlier is not None
                and earlier.done.wait(WAIT_FOR_FIRST_ATTEMPT_SECONDS)
                and earlier.body is not None
            ):
                # Every replay is a response some client did not receive: say so, so a run's
                # server log shows whether any was needed.
                LOG.warning(
                    "replayed %s to %s %s %s (invocation %s): the client retried an answered request; %s",
                    earlier.status,
                    environ.get("REQUEST_METHOD"),
                    environ.get("PATH_INFO"),
                    environ.get("HTTP_X_AMZ_TARGET", ""),
                    invocation,
                    _timing(earlier, arrived),
                )
                start_response(earlier.status, list(earlier.headers))
                return [earlier.body]
        return self._run_and_remember(invocation, environ, start_response)

    def _run_and_remember(
        self, invocation: str, environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        attempt = _Attempt()
        with self._lock:
            self._attempts[invocation] = attempt
            self._attempts.move_to_end(invocation)
            while len(self._attempts) > MAX_ENTRIES:
                self._attempts.popitem(last=False)

        def capture(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
            attempt.status, attempt.headers = status, list(headers)
            return start_response(status, headers, *args)

        try:
            chunks = self.app(environ, capture)
            body = b"".join(chunks)
            if hasattr(chunks, "close"):
                chunks.close()
            if attempt.status.startswith("2") and len(body) <= MAX_BODY_BYTES:
                attempt.body = body
            return [body]
        finally:
            attempt.answered = time.monotonic()
            attempt.done.set()


def _timing(earlier: _Attempt, arrived: float) -> str:
    """How the retry relates to the first attempt: the clue to why the client retried."""
    took = f"first attempt took {(earlier.answered or arrived) - earlier.started:.2f} s"
    if earlier.answered is not None and arrived >= earlier.answered:
        return f"{took}, retry arrived {arrived - earlier.answered:.2f} s after its answer"
    return f"{took}, retry arrived {arrived - earlier.started:.2f} s into it (the client gave up waiting)"
