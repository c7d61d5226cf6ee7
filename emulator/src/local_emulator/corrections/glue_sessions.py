"""Glue interactive sessions progress through their states over time, like AWS.

AWS behaviour (https://docs.aws.amazon.com/glue/latest/webapi/API_Session.html,
API_CreateSession.html, API_StopSession.html):
- CreateSession returns the new `Session`, in status PROVISIONING; it becomes READY once the
  workers are up (tens of seconds on AWS);
- StopSession moves a READY session to STOPPING, then STOPPED; stopping a session that is not
  READY fails with IllegalSessionStateException;
- GetSession of an unknown (or deleted) session fails with EntityNotFoundException;
- the Session carries the requested capacity (NumberOfWorkers, WorkerType, IdleTimeout; defaults
  5 x G.1X and a 2880-minute idle timeout for Spark sessions) and no invented fields.

moto 5.2.1: CreateSession returns an empty body; sessions are READY at once; STOPPING never ends;
GetSession reports placeholders (`"ErrorMessage": "string"`, `"Progress": 12.3`, `"MaxCapacity": 123.0`).

Emulator timings are `glue_session.provisioning_seconds` and `glue_session.stopping_seconds`
(defaults 1 s each; POST /_emulator/config to change them).
"""

from __future__ import annotations

import time
from typing import Any, Optional

from moto.core.responses import ActionResult

from local_emulator import runtime
from local_emulator.patching import target

_DPU_PER_WORKER = {"G.025X": 0.25, "G.1X": 1.0, "G.2X": 2.0, "G.4X": 4.0, "G.8X": 8.0, "Z.2X": 2.0}
DEFAULT_WORKERS = 5
DEFAULT_WORKER_TYPE = "G.1X"
DEFAULT_IDLE_TIMEOUT_MINUTES = 2880


def _state_get(self: Any) -> str:
    now = time.monotonic()
    stop_requested: Optional[float] = getattr(self, "_emu_stop_requested", None)
    if stop_requested is not None:
        return "STOPPED" if now >= stop_requested + self._emu_stopping_seconds else "STOPPING"
    forced = getattr(self, "_emu_forced_state", None)
    if forced is not None:
        return forced
    ready_at = getattr(self, "_emu_ready_at", 0.0)
    return "READY" if now >= ready_at else "PROVISIONING"


def _state_set(self: Any, value: str) -> None:
    if value == "READY" and not hasattr(self, "_emu_ready_at"):
        # moto's __init__ assigns READY; start provisioning instead.
        self._emu_ready_at = time.monotonic() + float(
            runtime.settings.get("glue_session", "provisioning_seconds")
        )
        return
    if value == "STOPPING":
        self._emu_stop_requested = time.monotonic()
        self._emu_stopping_seconds = float(runtime.settings.get("glue_session", "stopping_seconds"))
        return
    self._emu_forced_state = value


def as_dict(self: Any) -> dict[str, Any]:
    worker_type = self.worker_type or (None if self.max_capacity else DEFAULT_WORKER_TYPE)
    workers = self.number_of_workers or (None if self.max_capacity else DEFAULT_WORKERS)
    capacity = self.max_capacity
    if capacity is None and worker_type and workers:
        capacity = _DPU_PER_WORKER.get(worker_type, 1.0) * int(workers)
    session: dict[str, Any] = {
        "Id": self.session_id,
        "CreatedOn": self.creation_time,
        "Status": self.state,
        "Description": self.description,
        "Role": self.role,
        "Command": self.command,
        "DefaultArguments": self.default_arguments,
        "Connections": self.connections,
        "MaxCapacity": float(capacity) if capacity is not None else None,
        "SecurityConfiguration": self.security_configuration,
        "GlueVersion": self.glue_version,
        "NumberOfWorkers": workers,
        "WorkerType": worker_type,
        "IdleTimeout": self.idle_timeout or DEFAULT_IDLE_TIMEOUT_MINUTES,
    }
    return {k: v for k, v in session.items() if v is not None}


def apply() -> None:
    _, _, session_cls = target("moto.glue.models", "FakeSession")
    target("moto.glue.models", "FakeSession.stop_session")  # its READY check now sees the timed state
    target("moto.glue.models", "FakeSession.as_dict")
    session_cls.state = property(_state_get, _state_set)
    session_cls.as_dict = as_dict

    owner, attr, original_create = target("moto.glue.responses", "GlueResponse.create_session")

    def create_session(self: Any) -> Any:
        original_create(self)
        session = self.glue_backend.get_session(self.parameters.get("Id"))
        return ActionResult({"Session": session.as_dict()})

    setattr(owner, attr, create_session)
