"""Optimised service integrations map ASL's PascalCase fields to the service API and back.

AWS behaviour (https://docs.aws.amazon.com/step-functions/latest/dg/connect-stepfunctions.html and
the other "optimized integration" pages): the Task's Parameters/Arguments use PascalCase field
names (`StateMachineArn`, `Name`, `Input`) whatever the casing of the underlying API, and the
result comes back PascalCase too (`ExecutionArn`, `StartDate`), JSON-serialisable.

moto 5.2.1 ported LocalStack's interpreter but left `StateTaskService._normalise_parameters` and
`_normalise_response` as no-ops, so `arn:aws:states:::states:startExecution` hands
`StateMachineArn=` to boto3 (whose model says `stateMachineArn`) and fails with
`States.Runtime: 'StateMachineArn'`. Services whose API is PascalCase already (SNS, SQS, Glue,
Lambda) were unaffected, which is why the bug hides. This restores the mapping through the
service's botocore model, as LocalStack does.
"""

from __future__ import annotations

import functools
from typing import Any, Optional

import botocore.session
from botocore.model import OperationModel

from local_emulator.corrections.sfn_executions import json_ready
from local_emulator.patching import target

_MODULE = "moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service"


@functools.cache
def _operation(service: str, action_snake: str) -> Optional[OperationModel]:
    model = botocore.session.get_session().get_service_model(service)
    for name in model.operation_names:
        if botocore.xform_name(name) == action_snake:
            return model.operation_model(name)
    return None


def apply() -> None:
    _, _, cls = target(_MODULE, "StateTaskService")
    target(_MODULE, "StateTaskService._to_boto_request")
    target(_MODULE, "StateTaskService._from_boto_response")

    def _normalise_parameters(
        self: Any,
        parameters: dict[str, Any],
        boto_service_name: Optional[str] = None,
        service_action_name: Optional[str] = None,
    ) -> None:
        service = self._get_boto_service_name(boto_service_name=boto_service_name)
        operation = _operation(
            service, self._get_boto_service_action(service_action_name=service_action_name)
        )
        if operation is not None and operation.input_shape is not None:
            self._to_boto_request(parameters, operation.input_shape)

    def _normalise_response(
        self: Any,
        response: Any,
        boto_service_name: Optional[str] = None,
        service_action_name: Optional[str] = None,
    ) -> None:
        service = self._get_boto_service_name(boto_service_name=boto_service_name)
        operation = _operation(
            service, self._get_boto_service_action(service_action_name=service_action_name)
        )
        if operation is not None and operation.output_shape is not None:
            self._from_boto_response(response, operation.output_shape)
        if isinstance(response, dict):
            # Timestamps (StartDate) become ISO-8601 text, as in aws-sdk results; raw datetimes
            # would make DescribeExecution fail on the execution output.
            response.update(json_ready(response))

    cls._normalise_parameters = _normalise_parameters
    cls._normalise_response = _normalise_response
