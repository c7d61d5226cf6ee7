"""Step Functions service integrations call the emulator over HTTPS, like AWS calls over TLS.

moto 5.2.1 server mode builds the clients of ASL tasks (`aws-sdk:*`, `glue:*`, `sqs:*`, ...) with
`http://localhost:$MOTO_PORT`. The emulator's HTTPS port is the one whose requests count as
`aws:SecureTransport=true`, so tasks touching TLS-only buckets must use it, exactly as Step
Functions does on AWS (all AWS API calls use TLS). Credentials stay moto's placeholders; account
and region come from the state machine ARN.
"""

from __future__ import annotations

import sys
from typing import Any

from botocore.client import BaseClient
from botocore.config import Config

from local_emulator import runtime
from local_emulator.iam import services as iam_services
from local_emulator.patching import replace

_IMPORTERS = [
    "moto.stepfunctions.parser.asl.utils.boto_client",
    "moto.stepfunctions.parser.asl.component.state.exec.state_map.result_writer.resource_eval.resource_eval_s3",
    "moto.stepfunctions.parser.asl.component.state.exec.state_map.item_reader.eval.resource_eval_s3",
    "moto.stepfunctions.parser.asl.component.state.exec.state_task.lambda_eval_utils",
    "moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_unsupported",
    "moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_glue",
    "moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_events",
    "moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_ecs",
    "moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_sqs",
    "moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_sfn",
    "moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_dynamodb",
    "moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_batch",
    "moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_sns",
    "moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_aws_sdk",
]


def _execution_identity() -> tuple[str, str]:
    """(role ARN, state machine ARN) of the execution whose task is building this client.

    moto's task states call boto_client_for without the execution; the caller's frames hold the
    evaluation environment (`env`) whose context object carries Execution.RoleArn and
    StateMachine.Id, exactly the `$$` context AWS gives the task."""
    frame = sys._getframe(1)
    while frame is not None:
        env = frame.f_locals.get("env")
        data = getattr(
            getattr(getattr(env, "states", None), "context_object", None), "context_object_data", None
        )
        if isinstance(data, dict) and "Execution" in data:
            return str(data["Execution"].get("RoleArn") or ""), str(
                data.get("StateMachine", {}).get("Id") or ""
            )
        frame = frame.f_back
    return "", ""


def boto_client_for(region: str, service: str, state_credentials: Any = None) -> BaseClient:
    # Tasks call with a session of the state machine's role (the admin key when IAM is off).
    session = iam_services.state_machine_session(*_execution_identity())
    config = Config(
        parameter_validation=False,
        retries={"max_attempts": 0, "total_max_attempts": 1},
        connect_timeout=99999,
        read_timeout=99999,
    )
    return runtime.server_client(service, session, region=region, config=config)


def apply() -> None:
    for module in _IMPORTERS:
        replace(module, "boto_client_for", boto_client_for)
