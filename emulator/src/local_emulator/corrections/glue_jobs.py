"""Glue job runs progress in time, and `glue:startJobRun.sync` waits for them like AWS.

AWS behaviour:
- StartJobRun creates a run in STARTING, then RUNNING, then a terminal state (SUCCEEDED,
  FAILED, TIMEOUT, STOPPED, ERROR); CompletedOn/ExecutionTime are set when it ends
  (https://docs.aws.amazon.com/glue/latest/dg/aws-glue-api-jobs-runs.html#aws-glue-api-jobs-runs-JobRun).
- `arn:aws:states:::glue:startJobRun.sync` waits for the run; a FAILED/TIMEOUT/ERROR run fails the
  task with error `States.TaskFailed` and the JobRun JSON as cause; a successful run's JobRun is
  the task result (https://docs.aws.amazon.com/step-functions/latest/dg/connect-glue.html; the
  failure shape is shown in https://dev.classmethod.jp/articles/step-functions-glue-sync-output/).
  Optimised integrations (unlike aws-sdk ones) return timestamps as epoch milliseconds.

moto 5.2.1: runs move one state per GetJobRun call (or never, depending on the transition
model) and report invented values (ExecutionTime 123, GlueVersion "0.9", CompletedOn at start);
`.sync` always fails with States.Runtime (`'NoneType' object has no attribute 'interrupt_all'`:
the callback base class releases a wait-for-task-token endpoint that the Glue integration never
creates).

Runs execute the job's script (correction `glue_job_execution`, setting `glue_job_run.execute`,
default true); the state, ExecutionTime, CompletedOn and ErrorMessage then come from the process.
Simulated runs (`execute: false`): `glue_job_run.seconds` is how long a run takes (default 2 s;
STARTING for the first quarter, at most 0.5 s). Runs matched by `glue_job_run.failed_jobs` end
FAILED with an ErrorMessage without running, in both modes, so failure paths can be tested. An
entry is a job name (every run of that job fails) or {"job": name, "arguments": {...}} (only runs
started with those argument values fail, e.g. one stage of a job the workflow runs twice).
"""

from __future__ import annotations

import datetime
import importlib
import inspect
import re
import textwrap
import time
from typing import Any

from local_emulator import runtime
from local_emulator.patching import EmulatorPatchError, target

_CALLBACK = (
    "moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_callback"
)
_GLUE_SERVICE = (
    "moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_glue"
)
FAILED_MESSAGE = "Emulator: job configured to fail (glue_job_run.failed_jobs)"


def forced_failure(job_name: str, arguments: Any) -> bool:
    """True when `glue_job_run.failed_jobs` says this run must fail (see the module docstring)."""
    given = arguments or {}
    for entry in runtime.settings.get("glue_job_run", "failed_jobs"):
        if isinstance(entry, str):
            if entry == job_name:
                return True
        elif entry.get("job") == job_name and all(
            given.get(name) == value for name, value in (entry.get("arguments") or {}).items()
        ):
            return True
    return False


def _run_status(self: Any) -> str:
    execution = getattr(self, "_emu_execution", None)
    if execution is not None:  # the script really runs (glue_job_execution)
        return execution.state
    if getattr(self, "_emu_forced_status", None):
        return self._emu_forced_status
    elapsed = time.monotonic() - self._emu_started
    if elapsed < self._emu_starting_seconds:
        return "STARTING"
    if elapsed < self._emu_seconds:
        return "RUNNING"
    return self._emu_outcome


def _set_run_status(self: Any, value: str) -> None:
    if value == "STARTING" and not hasattr(self, "_emu_started"):
        return  # moto's constructor; timing is set up in __init__ below
    self._emu_forced_status = value


def _as_dict(self: Any, original: Any) -> dict[str, Any]:
    out = original(self)
    status = self.status
    out["JobRunState"] = status
    out["GlueVersion"] = self._emu_glue_version
    out["LogGroupName"] = "/aws-glue/jobs"
    execution = getattr(self, "_emu_execution", None)
    seconds = (
        execution.seconds
        if execution is not None
        else min(time.monotonic() - self._emu_started, self._emu_seconds)
    )
    out["ExecutionTime"] = round(seconds)
    if status in ("STARTING", "RUNNING"):
        out.pop("CompletedOn", None)
    else:
        out["CompletedOn"] = self.started_on + datetime.timedelta(seconds=seconds)
    if execution is not None and execution.error:
        out["ErrorMessage"] = execution.error
    elif execution is None and status == "FAILED":
        out["ErrorMessage"] = FAILED_MESSAGE
    return out


def _epoch_millis(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _epoch_millis(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_epoch_millis(v) for v in value]
    if isinstance(value, datetime.datetime):
        return int(value.timestamp() * 1000)
    return value


def _fix_callback_release() -> None:
    """Re-compile moto's method with the endpoint release guarded (the only change)."""
    owner, attr, original = target(_CALLBACK, "StateTaskServiceCallback._eval_integration_pattern")
    source = textwrap.dedent(inspect.getsource(original))
    broken = re.compile(r"^(?P<indent> +)callback_endpoint\.interrupt_all\(\)$", re.MULTILINE)
    if len(broken.findall(source)) != 1:
        raise EmulatorPatchError(f"{_CALLBACK}: the interrupt_all() release changed; re-check glue_jobs.py")
    fixed = broken.sub(
        lambda m: (
            f"{m['indent']}if callback_endpoint is not None:\n"
            f"{m['indent']}    callback_endpoint.interrupt_all()"
        ),
        source,
    )
    namespace: dict[str, Any] = {}
    module_globals = vars(importlib.import_module(_CALLBACK))
    exec(compile(fixed, f"<emulator-fixed {_CALLBACK}>", "exec"), module_globals, namespace)
    setattr(owner, attr, namespace[original.__name__])


def apply() -> None:
    models = "moto.glue.models"
    _, _, run_cls = target(models, "FakeJobRun")
    _, _, original_init = target(models, "FakeJobRun.__init__")
    _, _, original_as_dict = target(models, "FakeJobRun.as_dict")
    _, _, start_job_run = target(models, "FakeJob.start_job_run")

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        seconds = float(runtime.settings.get("glue_job_run", "seconds"))
        self._emu_started = time.monotonic()
        self._emu_seconds = seconds
        self._emu_starting_seconds = min(0.5, seconds / 4)
        failed = forced_failure(self.job_name, self.arguments)
        self._emu_outcome = "FAILED" if failed else "SUCCEEDED"
        self._emu_glue_version = "5.0"

    run_cls.__init__ = __init__
    run_cls.status = property(_run_status, _set_run_status)
    run_cls.as_dict = lambda self: _as_dict(self, original_as_dict)

    owner, attr, _ = target(models, "FakeJob.start_job_run")

    def start_with_version(self: Any, *args: Any, **kwargs: Any) -> str:
        run_id = start_job_run(self, *args, **kwargs)
        run = next(r for r in self.job_runs if r.job_run_id == run_id)
        run._emu_glue_version = getattr(self, "glue_version", None) or "0.9"
        return run_id

    setattr(owner, attr, start_with_version)

    _fix_callback_release()

    svc_owner, svc_attr, original_sync = target(_GLUE_SERVICE, "StateTaskServiceGlue._sync_to_start_job_run")

    def _sync_to_start_job_run(self: Any, *args: Any, **kwargs: Any) -> Any:
        resolver = original_sync(self, *args, **kwargs)

        def resolve() -> Any:
            return _epoch_millis(resolver())

        return resolve

    setattr(svc_owner, svc_attr, _sync_to_start_job_run)
