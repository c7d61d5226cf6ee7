"""Step Functions executions: repeatable, uniquely named, and serialisable like AWS.

AWS behaviour (StartExecution, https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html):
- any number of executions per state machine;
- `name` is optional: "If you don't provide a name for the execution, Step Functions
  automatically generates a universally unique identifier (UUID) as the execution name";
- AWS SDK integrations (`arn:aws:states:::aws-sdk:*`) return the service's response as JSON, with
  timestamps as ISO-8601 strings (the Java SDK's Instant text, e.g. "2024-05-01T10:00:00.123Z").

moto 5.2.1:
- deep-copies the state machine for every execution; the copy follows `state_machine.backend`
  into every other execution and its worker thread -> `cannot pickle '_thread.RLock'` (500) from
  the second execution on;
- uses the literal `None` as the name of unnamed executions -> `ExecutionAlreadyExists` on the
  second unnamed start;
- leaves boto3's `datetime` objects in aws-sdk task results, which reach JSONata/JSONPath
  processing and the history as non-JSON values.
"""

from __future__ import annotations

import base64
import copy
import datetime
import json
import uuid
from typing import Any

from moto.stepfunctions.parser.api import InvalidExecutionInput
from moto.stepfunctions.parser.backend.execution import Execution

from local_emulator.patching import target


def instant_text(value: datetime.datetime) -> str:
    """Java `Instant.toString()`: UTC, 'Z', fraction only when non-zero, in 3-digit groups."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    value = value.astimezone(datetime.timezone.utc)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        fraction = f"{value.microsecond:06d}"
        text += "." + (fraction[:3] if fraction.endswith("000") else fraction)
    return text + "Z"


def _scalar_ready(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        value = instant_text(value)
    elif isinstance(value, datetime.date):
        value = value.isoformat()
    elif isinstance(value, (bytes, bytearray)):
        value = base64.b64encode(bytes(value)).decode()
    elif hasattr(value, "read"):  # streaming bodies (S3 GetObject)
        value = value.read().decode("utf-8", errors="replace")
    return value


def json_ready(value: Any) -> Any:
    """Replace datetimes (at any depth) by their AWS SDK text form; bytes by base64 like the SDK."""
    if isinstance(value, dict):
        return {k: json_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_ready(v) for v in value]
    return _scalar_ready(value)


def apply() -> None:
    models = "moto.stepfunctions.parser.models"
    owner, attr, _ = target(models, "StepFunctionsParserBackend.start_execution")
    target("moto.stepfunctions.models", "StateMachine._handle_name_input_idempotency")
    target("moto.stepfunctions.parser.backend.execution", "Execution")

    def start_execution(
        self: Any,
        state_machine_arn: str,
        name: Any = None,
        execution_input: Any = None,
        trace_header: Any = None,
    ) -> Any:
        name = name or str(uuid.uuid4())
        state_machine = self.describe_state_machine(state_machine_arn)
        existing = state_machine._handle_name_input_idempotency(name, execution_input)
        if existing is not None:
            return existing
        # Share the backend and leave earlier executions out of the clone: they hold worker
        # threads and locks, and the execution only needs the definition as of now.
        memo = {id(state_machine.backend): state_machine.backend, id(state_machine.executions): []}
        clone = copy.deepcopy(state_machine, memo)
        input_data = "{}" if execution_input is None else execution_input
        try:
            json.loads(input_data)
        except ValueError as exc:
            raise InvalidExecutionInput(f"Invalid State Machine Execution Input: '{exc}'") from exc
        execution = Execution(
            name=name,
            sm_type=clone.sm_type,
            role_arn=clone.roleArn,
            exec_arn=f"arn:{self.partition}:states:{self.region_name}:{self.account_id}:execution:"
            f"{state_machine.name}:{name}",
            account_id=self.account_id,
            region_name=self.region_name,
            state_machine=clone,
            start_date=datetime.datetime.now(tz=datetime.timezone.utc),
            cloud_watch_logging_session=None,
            input_data=input_data,
            trace_header=trace_header,
            activity_store={},
        )
        state_machine.executions.append(execution)
        execution.start()
        return execution

    setattr(owner, attr, start_execution)

    aws_sdk = (
        "moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_aws_sdk"
    )
    sdk_owner, sdk_name, original_eval = target(aws_sdk, "StateTaskServiceAwsSdk._eval_service_task")

    def _eval_service_task(self: Any, env: Any, *args: Any, **kwargs: Any) -> Any:
        result = original_eval(self, env, *args, **kwargs)
        env.stack[-1] = json_ready(env.stack[-1])
        return result

    setattr(sdk_owner, sdk_name, _eval_service_task)
