"""The emulator server process: moto's WSGI app behind HTTPS (port) and plain HTTP (port+1)."""

from __future__ import annotations

import json
import logging
import os
import signal
import ssl
import threading
from pathlib import Path
from typing import Any, Callable, Iterable

from moto.moto_api import state_manager
from moto.moto_api._internal.models import moto_api_backend
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler, make_server

from local_emulator import corrections, runtime
from local_emulator.constants import HOST, REGION
from local_emulator.iam import audit as iam_audit
from local_emulator.iam import credentials as iam_credentials
from local_emulator.retry_replay import RetryReplay
from local_emulator.tls import write_self_signed_cert

LOG = logging.getLogger("local_emulator")

StartResponse = Callable[..., Any]


def _json_response(start_response: StartResponse, status: int, body: Any) -> list[bytes]:
    payload = json.dumps(body).encode()
    reason = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed"}.get(status, "")
    start_response(
        f"{status} {reason}",
        [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))],
    )
    return [payload]


def _read_json(environ: dict[str, Any]) -> Any:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    raw = environ["wsgi.input"].read(length) if length else b""
    return json.loads(raw or b"{}")


def apply_moto_config() -> None:
    """Moto switches the emulator relies on; must run before anything is created (moto keeps
    state machines created without the interpreter in a different store)."""
    moto_api_backend.set_config(
        {"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}}
    )
    state_manager.set_transition(
        "glue::crawl", {"progression": "time", "seconds": runtime.settings.get("glue_crawl", "seconds")}
    )


def reset_all() -> None:
    moto_api_backend.reset()
    iam_credentials.reset()
    iam_audit.clear()
    runtime.faults.clear()
    runtime.settings.reset()
    apply_moto_config()


class EmulatorApp:
    """WSGI middleware: /_emulator/* control API; records TLS-ness of each request for moto."""

    def __init__(self, moto_app: Callable[..., Iterable[bytes]]) -> None:
        self.moto_app = moto_app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_emulator/"):
            try:
                return self._control(path, environ, start_response)
            except (ValueError, KeyError, TypeError) as exc:
                return _json_response(start_response, 400, {"error": str(exc)})
        runtime.secure_transport.set(environ.get("wsgi.url_scheme") == "https")
        return self.moto_app(environ, start_response)

    def _control(self, path: str, environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        handler = self._handlers().get((environ["REQUEST_METHOD"], path))
        if handler is None:
            message = f"no control endpoint {environ['REQUEST_METHOD']} {path}"
            return _json_response(start_response, 404, {"error": message})
        return _json_response(start_response, 200, handler(environ))

    def _handlers(self) -> dict[tuple[str, str], Callable[[dict[str, Any]], Any]]:
        return {
            ("GET", "/_emulator/health"): lambda _: {"status": "ok", "region": REGION},
            ("POST", "/_emulator/faults"): _add_fault,
            ("DELETE", "/_emulator/faults"): _clear_faults,
            ("GET", "/_emulator/faults"): lambda _: {"faults": runtime.faults.listing()},
            ("POST", "/_emulator/config"): _update_config,
            ("GET", "/_emulator/config"): lambda _: runtime.settings.snapshot(),
            ("POST", "/_emulator/reset"): _reset,
            ("GET", "/_emulator/iam/decisions"): _decisions,
            ("DELETE", "/_emulator/iam/decisions"): _clear_decisions,
            ("POST", "/_emulator/scheduler/invoke"): _invoke_schedule,
            ("POST", "/_emulator/cloudtrail/deliver"): _deliver_trail,
            ("POST", "/_emulator/s3/deliver-access-logs"): _deliver_access_logs,
            ("POST", "/_emulator/states/deliver-execution-logs"): _deliver_execution_logs,
        }


def _add_fault(environ: dict[str, Any]) -> Any:
    body = _read_json(environ)
    count = int(body.get("count", 1))
    if count == 0 or count < -1:
        raise ValueError("count must be a positive number or -1 (always)")
    runtime.faults.add(
        runtime.Fault(
            service=str(body["service"]),
            operation=str(body["operation"]),
            error_code=str(body["error_code"]),
            message=str(body.get("message", "")),
            status=int(body.get("status", 400)),
            remaining=count,
        )
    )
    return {"faults": runtime.faults.listing()}


def _clear_faults(_: dict[str, Any]) -> Any:
    runtime.faults.clear()
    return {"faults": []}


def _update_config(environ: dict[str, Any]) -> Any:
    values = runtime.settings.update(_read_json(environ))
    apply_moto_config()
    return values


def _decisions(environ: dict[str, Any]) -> Any:
    denied_only = "denied=1" in (environ.get("QUERY_STRING") or "")
    return {"counts": iam_audit.counts(), "decisions": iam_audit.entries(denied_only=denied_only)}


def _clear_decisions(_: dict[str, Any]) -> Any:
    iam_audit.clear()
    return {"counts": {}}


def _invoke_schedule(environ: dict[str, Any]) -> Any:
    from local_emulator import scheduler_invoke  # noqa: PLC0415 - imports boto3 clients lazily

    body = _read_json(environ)
    return scheduler_invoke.invoke(
        str(body["name"]), str(body.get("group") or "default"), body.get("scheduled_time")
    )


def _deliver_trail(environ: dict[str, Any]) -> Any:
    from local_emulator import cloudtrail_delivery  # noqa: PLC0415

    body = _read_json(environ)
    return cloudtrail_delivery.deliver(str(body["trail"]), body.get("records"))


def _deliver_access_logs(environ: dict[str, Any]) -> Any:
    from local_emulator import s3_access_logs  # noqa: PLC0415

    body = _read_json(environ)
    return s3_access_logs.deliver(str(body["bucket"]), [str(r) for r in body.get("records") or []])


def _deliver_execution_logs(environ: dict[str, Any]) -> Any:
    from local_emulator import sfn_execution_logs  # noqa: PLC0415

    return sfn_execution_logs.deliver(str(_read_json(environ)["executionArn"]))


def _reset(_: dict[str, Any]) -> Any:
    reset_all()
    return {"status": "ok"}


class LoggingRequestHandler(WSGIRequestHandler):
    """werkzeug's handler, but a dropped connection is logged instead of silently ignored."""

    def connection_dropped(self, error: BaseException, environ: Any = None) -> None:
        request = f"{environ.get('REQUEST_METHOD')} {environ.get('PATH_INFO')}" if environ else "-"
        target = (environ or {}).get("HTTP_X_AMZ_TARGET", "")
        LOG.warning("connection dropped (%s: %s) during %s %s", type(error).__name__, error, request, target)


class ThreadedTLSServer(ThreadedWSGIServer):
    """HTTPS server that does each TLS handshake in the connection's own thread.

    werkzeug wraps the listening socket, so every handshake runs inside accept() on the single
    accept thread, and its server closes each connection after one response: every request (one
    connection each) waits for all handshakes queued before it, and one client that stalls its
    handshake blocks the server. Here a handshake has a timeout and blocks only its own thread.
    """

    handshake_timeout_seconds = 10.0

    def __init__(self, host: str, port: int, app: Any, ssl_context: ssl.SSLContext) -> None:
        super().__init__(host, port, app, handler=LoggingRequestHandler)
        # werkzeug reads server.ssl_context for wsgi.url_scheme and SSL error handling.
        self.ssl_context = ssl_context
        self._tls = ssl_context

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            request.settimeout(self.handshake_timeout_seconds)
            request = self._tls.wrap_socket(request, server_side=True)
            request.settimeout(None)
        except (OSError, ssl.SSLError):
            self.shutdown_request(request)
            return
        super().process_request_thread(request, client_address)


def serve(port: int, state_dir: Path) -> None:
    """Run in the foreground until SIGTERM/SIGINT."""
    cert_path, key_path = write_self_signed_cert(state_dir)
    runtime.server_info.update({"port": port, "ca_bundle": str(cert_path), "state_dir": str(state_dir)})
    os.environ["MOTO_PORT"] = str(port)

    corrections.apply_all()
    apply_moto_config()
    iam_audit.configure(str(state_dir))

    app = EmulatorApp(RetryReplay(DomainDispatcherApplication(create_backend_app)))
    ssl_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ssl_context.load_cert_chain(str(cert_path), str(key_path))
    https = ThreadedTLSServer(HOST, port, app, ssl_context)
    http = make_server(HOST, port + 1, app, threaded=True)
    stop = threading.Event()

    def _stop(*_: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in (https, http)]
    for thread in threads:
        thread.start()
    LOG.warning("local emulator serving https://%s:%s and http://%s:%s", HOST, port, HOST, port + 1)
    while not stop.wait(0.5):
        pass
    https.shutdown()
    http.shutdown()
    logging.shutdown()
    # Execution worker threads of moto's interpreter are not daemons; do not wait for them.
    os._exit(0)
