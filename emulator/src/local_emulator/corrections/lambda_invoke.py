"""`lambda:Invoke` runs the deployed Python handler, like AWS Lambda, without Docker.

AWS behaviour (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html,
https://docs.aws.amazon.com/lambda/latest/dg/python-handler.html,
https://docs.aws.amazon.com/lambda/latest/dg/python-exceptions.html,
https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime):
the function's handler (`module.function` in the deployment package) is called with the event
and a context object, with the function's environment variables plus the runtime's reserved
ones (AWS_LAMBDA_FUNCTION_NAME, AWS_REGION, LAMBDA_TASK_ROOT, ...). An exception in the handler
returns HTTP 200 with `X-Amz-Function-Error: Unhandled` and the payload
`{"errorMessage", "errorType", "requestId", "stackTrace"}`; exceeding the function Timeout returns
`{"errorType": "Sandbox.Timedout", "errorMessage": "RequestId: <id> Error: Task timed out after
N.00 seconds"}`. Logs go to the `/aws/lambda/<name>` log group with START/END/REPORT lines.

moto 5.2.1 runs functions only in Docker (absent here); with `lambda.use_docker: false` it echoes
the input (or a canned queue) and never runs the code.

Emulator specifics: the handler runs in a subprocess of the function's runtime Python (python3.12
-> Python 3.12, `local_emulator.runtimes`) whose import path is only what AWS gives it, in AWS's
order (https://docs.aws.amazon.com/lambda/latest/dg/packaging-layers.html#packaging-layers-paths):
the unzipped package (LAMBDA_TASK_ROOT), then each declared layer's packages (the AWS-managed
layers `local_emulator.runtimes` reproduces), then the SDK the runtime includes (boto3/botocore).
A missing import therefore fails as on AWS. Its AWS calls go back to the emulator over HTTPS
(AWS_ENDPOINT_URL + AWS_CA_BUNDLE). A runtime whose Python is not installed, or a layer the emulator
does not reproduce, fails the Invoke with ServiceException naming what is missing. Only Zip packages
with a `python*` runtime are executed; others keep moto's behaviour.
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import hashlib
import io
import json
import os
import subprocess
import tempfile
import threading
import time
import uuid
import zipfile
from pathlib import Path
from typing import Any

from moto.awslambda.exceptions import LambdaClientError

from local_emulator import runtime, runtimes
from local_emulator.constants import REGION
from local_emulator.env import client_env
from local_emulator.iam import services as iam_services
from local_emulator.iam.credentials import RoleNotAssumable
from local_emulator.patching import EmulatorPatchError, target

_RUNNER = r"""
import importlib, json, os, sys, time, traceback
handler_path, event_path, result_path, request_id, deadline = sys.argv[1:6]
deadline = float(deadline)

class Context:
    function_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
    function_version = os.environ["AWS_LAMBDA_FUNCTION_VERSION"]
    invoked_function_arn = os.environ["_EMULATOR_FUNCTION_ARN"]
    memory_limit_in_mb = int(os.environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"])
    aws_request_id = request_id
    log_group_name = os.environ["AWS_LAMBDA_LOG_GROUP_NAME"]
    log_stream_name = os.environ["AWS_LAMBDA_LOG_STREAM_NAME"]
    def get_remaining_time_in_millis(self):
        return max(0, int((deadline - time.time()) * 1000))

module_name, _, function_name = handler_path.rpartition(".")
with open(event_path) as f:
    event = json.load(f)
try:
    handler = getattr(importlib.import_module(module_name), function_name)
    outcome = {"ok": True, "result": handler(event, Context())}
except Exception as exc:
    frames = traceback.extract_tb(exc.__traceback__)
    outcome = {"ok": False, "result": {
        "errorMessage": str(exc), "errorType": type(exc).__name__, "requestId": request_id,
        "stackTrace": [
            f'  File "{f.filename}", line {f.lineno}, in {f.name}\n    {f.line}\n' for f in frames
        ],
    }}
with open(result_path, "w") as f:
    json.dump(outcome, f, default=str)
"""


def _package_dir(fn: Any) -> Path:
    """Unzip the deployment package once per code hash."""
    digest = hashlib.sha256(fn.code_bytes).hexdigest()[:16]
    root = Path(tempfile.gettempdir()) / "local-emulator-lambda" / digest
    if not root.exists():
        staging = Path(tempfile.mkdtemp(prefix="pkg-", dir=root.parent if root.parent.exists() else None))
        with zipfile.ZipFile(io.BytesIO(fn.code_bytes)) as archive:
            archive.extractall(staging)
        root.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):  # another invocation unpacked it first
            staging.rename(root)
    return root


def _environment(fn: Any, stream: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR", "TZ")}
    env.update({k: str(v) for k, v in (fn.environment_vars or {}).items()})
    server = runtime.server_info
    env.update(client_env(server["port"], region=fn.region or REGION, ca_bundle=server["ca_bundle"]))
    env.update(
        {
            "AWS_LAMBDA_FUNCTION_NAME": fn.function_name,
            "AWS_LAMBDA_FUNCTION_VERSION": str(fn.version),
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(fn.memory_size),
            "AWS_LAMBDA_LOG_GROUP_NAME": fn.logs_group_name,
            "AWS_LAMBDA_LOG_STREAM_NAME": stream,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{fn.run_time}",
            "LAMBDA_TASK_ROOT": "",
            "_HANDLER": fn.handler,
            "_EMULATOR_FUNCTION_ARN": fn.function_arn,
        }
    )
    return env


def _runtime_paths(fn: Any) -> tuple[Path, list[Path]]:
    """The runtime's interpreter and the import path after the package: layers, then the runtime SDK."""
    runtime_set = runtimes.LAMBDA_RUNTIMES.get(str(fn.run_time))
    if runtime_set is None:
        raise runtimes.RuntimeUnavailable(f"the emulator does not reproduce the Lambda runtime {fn.run_time}")
    layer_paths = []
    for layer in fn.layers or []:
        package_set = runtimes.layer_package_set(layer["Arn"])
        if package_set is None:
            raise runtimes.RuntimeUnavailable(f"the emulator does not reproduce the layer {layer['Arn']}")
        if package_set.python != runtime_set.python:
            message = f"layer {layer['Arn']} is built for Python {package_set.python}"
            raise runtimes.RuntimeUnavailable(message)
        layer_paths.append(runtimes.install(package_set))
    return runtimes.interpreter(runtime_set.python), [*layer_paths, runtimes.install(runtime_set)]


class _RuntimeUnavailableError(LambdaClientError):
    code = 500

    def __init__(self, message: str) -> None:
        super().__init__("ServiceException", f"Local emulator: {message}")


def _write_logs(fn: Any, stream: str, lines: list[str]) -> None:
    backend = fn.logs_backend
    try:
        backend.ensure_log_group(fn.logs_group_name)
        backend.create_log_stream(fn.logs_group_name, stream)
        now = int(time.time() * 1000)
        events = [{"timestamp": now, "message": line} for line in lines if line]
        if events:
            backend.put_log_events(fn.logs_group_name, stream, events)
    except Exception:  # logging must never change the invocation's outcome
        return


def run_handler(fn: Any, event: Any, session: dict[str, str]) -> tuple[Any, bool, str]:
    """Run the handler with `session` (the execution role's AWS_* credentials); return
    (payload object, errored, log text)."""
    request_id = str(uuid.uuid4())
    today = datetime.datetime.now(datetime.timezone.utc).strftime("%Y/%m/%d")
    stream = f"{today}/[{fn.version}]{uuid.uuid4().hex}"
    package = _package_dir(fn)
    python, runtime_path = _runtime_paths(fn)
    env = _environment(fn, stream)
    env.update(session)  # the handler acts as the execution role
    env["LAMBDA_TASK_ROOT"] = str(package)
    env["PYTHONPATH"] = os.pathsep.join(str(p) for p in [package, *runtime_path])
    env["PYTHONNOUSERSITE"] = "1"
    timeout = float(fn.timeout or 3)
    with tempfile.TemporaryDirectory(prefix="invoke-") as scratch:
        event_path = Path(scratch) / "event.json"
        result_path = Path(scratch) / "result.json"
        event_path.write_text(json.dumps(event))
        started = time.monotonic()
        command = [str(python), "-s", "-c", _RUNNER, fn.handler, str(event_path), str(result_path)]
        command.append(request_id)
        command.append(str(time.time() + timeout))
        try:
            proc = subprocess.run(
                command, cwd=package, env=env, capture_output=True, text=True, timeout=timeout, check=False
            )
            output = proc.stdout + proc.stderr
            outcome = json.loads(result_path.read_text()) if result_path.exists() else None
        except subprocess.TimeoutExpired as exc:
            output = (
                (exc.stdout or b"").decode(errors="replace")
                if isinstance(exc.stdout, bytes)
                else exc.stdout or ""
            )
            outcome = {
                "ok": False,
                "result": {
                    "errorType": "Sandbox.Timedout",
                    "errorMessage": (
                        f"RequestId: {request_id} Error: Task timed out after {timeout:.2f} seconds"
                    ),
                },
            }
        if outcome is None:
            outcome = {
                "ok": False,
                "result": {
                    "errorType": "Runtime.ExitError",
                    "errorMessage": f"RequestId: {request_id} Error: Runtime exited with error: exit status "
                    f"{proc.returncode}",
                },
            }
    duration = (time.monotonic() - started) * 1000
    lines = [f"START RequestId: {request_id} Version: {fn.version}", *output.splitlines()]
    if not outcome["ok"]:
        lines.append(json.dumps(outcome["result"]))
    lines += [f"END RequestId: {request_id}", f"REPORT RequestId: {request_id}\tDuration: {duration:.2f} ms"]
    _write_logs(fn, stream, lines)
    return outcome["result"], not outcome["ok"], "\n".join(lines)


class _RoleNotAssumableError(LambdaClientError):
    # Lambda's answer when it cannot assume the execution role (CreateFunction / Invoke:
    # InvalidParameterValueException "The role defined for the function cannot be assumed by
    # Lambda.", https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html).
    code = 400

    def __init__(self, message: str) -> None:
        super().__init__(
            "InvalidParameterValueException",
            f"The role defined for the function cannot be assumed by Lambda. ({message})",
        )


def _runs_here(fn: Any) -> bool:
    return fn.package_type == "Zip" and str(fn.run_time or "").startswith("python") and bool(fn.code_bytes)


def apply() -> None:
    owner, attr, original = target("moto.awslambda_simple.models", "LambdaSimpleBackend.invoke")
    init_names = target("moto.awslambda.models", "LambdaFunction.__init__")[2].__code__.co_names
    for name in ("environment_vars", "handler", "timeout", "logs_group_name", "logs_backend", "run_time"):
        if name not in init_names:
            raise EmulatorPatchError(f"moto LambdaFunction no longer sets {name}; re-check lambda_invoke.py")

    def invoke(  # noqa: PLR0917 - moto's positional signature
        self: Any, function_name: str, qualifier: Any, body: Any, headers: Any, response_headers: Any
    ) -> Any:
        fn = self.get_function(function_name, qualifier)
        if not _runs_here(fn):
            return original(self, function_name, qualifier, body, headers, response_headers)
        event = json.loads(body) if body else {}
        invocation_type = headers.get("X-Amz-Invocation-Type") or headers.get("x-amz-invocation-type")
        try:
            _runtime_paths(fn)  # build or find the runtime first: a missing one fails the call
        except runtimes.RuntimeUnavailable as exc:
            raise _RuntimeUnavailableError(str(exc)) from exc
        try:
            session = iam_services.lambda_session(fn)  # a role Lambda cannot assume fails the call
        except RoleNotAssumable as exc:
            raise _RoleNotAssumableError(str(exc)) from exc
        if invocation_type == "Event":
            threading.Thread(target=run_handler, args=(fn, event, session), daemon=True).start()
            return b""
        if invocation_type == "DryRun":
            return b""
        result, errored, logs = run_handler(fn, event, session)
        if errored:
            response_headers["x-amz-function-error"] = "Unhandled"
        response_headers["x-amz-executed-version"] = str(fn.version)
        response_headers["x-amz-log-result"] = base64.b64encode(logs.encode()[-4096:]).decode()
        payload = json.dumps(result, default=str).encode()
        response_headers["Content-Length"] = str(len(payload))
        return payload

    setattr(owner, attr, invoke)
