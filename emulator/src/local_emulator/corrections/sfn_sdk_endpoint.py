"""Step Functions service integrations call the emulator over HTTPS, like AWS calls over TLS.

moto 5.2.1 server mode builds the clients of ASL tasks (`aws-sdk:*`, `glue:*`, `sqs:*`, ...) with
`http://localhost:$MOTO_PORT`. The emulator's HTTPS port is the one whose requests count as
`aws:SecureTransport=true`, so tasks touching TLS-only buckets must use it, exactly as Step
Functions does on AWS (all AWS API calls use TLS). Credentials stay moto's placeholders; account
and region come from the state machine ARN.
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.client import BaseClient
from botocore.config import Config

from local_emulator import runtime
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


def boto_client_for(region: str, service: str, state_credentials: Any = None) -> BaseClient:
    port = runtime.server_info["port"]
    return boto3.client(
        service_name=service,
        region_name=region,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        endpoint_url=f"https://localhost:{port}",
        verify=runtime.server_info["ca_bundle"],
        config=Config(
            parameter_validation=False,
            retries={"max_attempts": 0, "total_max_attempts": 1},
            connect_timeout=99999,
            read_timeout=99999,
        ),
    )


def apply() -> None:
    for module in _IMPORTERS:
        replace(module, "boto_client_for", boto_client_for)
