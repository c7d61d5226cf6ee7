"""Process-wide emulator state: settings, injected faults and the current request's transport."""

from __future__ import annotations

import contextvars
import copy
import os
import threading
from dataclasses import dataclass
from typing import Any, Optional

DEFAULT_SETTINGS: dict[str, dict[str, Any]] = {
    # AWS takes tens of seconds; a short non-zero time keeps the PROVISIONING/STOPPING states real.
    "glue_session": {"provisioning_seconds": 1.0, "stopping_seconds": 1.0},
    # seconds: how long each statement runs (None: until cancelled or the session stops).
    "glue_statement": {"seconds": 1.0, "error_codes": [], "cancel_seconds": 0.5, "page_size": 100},
    "glue_job_run": {"execute": True, "seconds": 2.0, "failed_jobs": []},
    "glue_crawl": {"seconds": 3.0},
    "glue_data_quality": {"seconds": 1.0},
    "lambda": {"timeout_cap_seconds": 60.0},
    # enforce (default): denials are refused as AWS refuses them; audit (opt-in, for diagnosing a
    # stack): every call of a role session is judged and recorded, denials listed, not refused;
    # off: nothing is evaluated. EMULATOR_IAM_MODE sets the server's default (reset returns to it).
    "iam": {"mode": "enforce"},
}


IAM_MODES = ("audit", "enforce", "off")


def _iam_mode_from_environment() -> str:
    mode = os.environ.get("EMULATOR_IAM_MODE", "").strip() or "enforce"
    if mode not in IAM_MODES:
        raise ValueError(f"EMULATOR_IAM_MODE must be one of {', '.join(IAM_MODES)}, got {mode!r}")
    return mode


DEFAULT_SETTINGS["iam"]["mode"] = _iam_mode_from_environment()


class Settings:
    """Emulator settings changed through POST /_emulator/config."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values = copy.deepcopy(DEFAULT_SETTINGS)

    def get(self, section: str, key: str) -> Any:
        with self._lock:
            return self._values[section][key]

    def update(self, changes: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            for section, values in changes.items():
                if section not in self._values:
                    raise ValueError(f"unknown emulator setting section {section!r}")
                if not isinstance(values, dict):
                    raise ValueError(f"setting section {section!r} must be an object")
                for key, value in values.items():
                    if key not in self._values[section]:
                        raise ValueError(f"unknown emulator setting {section}.{key}")
                    if (section, key) == ("iam", "mode") and value not in IAM_MODES:
                        raise ValueError(f"iam.mode must be one of {', '.join(IAM_MODES)}, got {value!r}")
                    self._values[section][key] = value
            return copy.deepcopy(self._values)

    def reset(self) -> None:
        with self._lock:
            self._values = copy.deepcopy(DEFAULT_SETTINGS)

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self._values)


@dataclass
class Fault:
    service: str
    operation: str
    error_code: str
    message: str
    status: int
    remaining: int  # -1 = forever


class Faults:
    """Injected API errors: the next `count` calls of service+operation fail with error_code."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, service: str, operation: str) -> Optional[Fault]:
        """Consume one matching fault (service compared case-insensitively, aliases applied)."""
        service = normalise_service(service)
        with self._lock:
            for fault in self._faults:
                if normalise_service(fault.service) == service and fault.operation == operation:
                    if fault.remaining > 0:
                        fault.remaining -= 1
                        if fault.remaining == 0:
                            self._faults.remove(fault)
                    return fault
        return None

    def listing(self) -> list[dict[str, Any]]:
        with self._lock:
            return [vars(f).copy() for f in self._faults]


_SERVICE_ALIASES = {"awslambda": "lambda", "states": "stepfunctions", "sfn": "stepfunctions"}


def normalise_service(name: str) -> str:
    lowered = name.lower()
    return _SERVICE_ALIASES.get(lowered, lowered)


class ServiceLocks:
    """One re-entrant lock per service, held while moto serves a call of that service.

    moto's backends are plain dicts and lists, and its threaded server lets requests change them
    concurrently: a DescribeParameters iterating `_parameters` while a PutParameter inserts fails
    with `RuntimeError: dictionary changed size during iteration` (HTTP 500). Threads the emulator
    starts itself (crawl completion) take the same lock before they change a backend.
    """

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, threading.RLock] = {}

    def of(self, service: str) -> threading.RLock:
        name = normalise_service(service)
        with self._guard:
            return self._locks.setdefault(name, threading.RLock())


settings = Settings()
faults = Faults()
service_locks = ServiceLocks()

# True while serving a request that arrived over TLS (set by the WSGI middleware per request).
secure_transport: contextvars.ContextVar[bool] = contextvars.ContextVar("secure_transport", default=True)

# Filled in by the server at start: where internal callers (ASL aws-sdk tasks) reach the emulator.
server_info: dict[str, Any] = {"port": None, "ca_bundle": None, "state_dir": None}


def server_client(
    service: str, session: Optional[dict[str, str]] = None, *, region: str = "", config: Any = None
) -> Any:
    """A boto3 client of this running server, for calls the emulator makes on someone's behalf:
    signed with a role `session` (its AWS_* variables), or the admin key when none is given."""
    import boto3  # noqa: PLC0415 - only callers that act on the server need it

    from local_emulator.constants import ACCESS_KEY_ID, REGION, SECRET_ACCESS_KEY  # noqa: PLC0415

    keys = session or {"AWS_ACCESS_KEY_ID": ACCESS_KEY_ID, "AWS_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY}
    return boto3.client(
        service,
        region_name=region or REGION,
        endpoint_url=f"https://127.0.0.1:{server_info['port']}",
        verify=str(server_info["ca_bundle"]),
        aws_access_key_id=keys["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=keys["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=keys.get("AWS_SESSION_TOKEN"),
        config=config,
    )
