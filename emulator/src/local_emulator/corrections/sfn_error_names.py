"""aws-sdk task error names as AWS reports them: `<ServiceName>.<ErrorCode>[Exception]`.

AWS behaviour (https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html):
"the resulting Error field will be composed of the service name and the error name, separated by
a period character. Both the service name and error name are in Pascal case" -- e.g.
`AcmPca.ResourceNotFoundException`, and a code without the suffix gets it appended:
S3 `BucketAlreadyExists` -> `S3.BucketAlreadyExistsException`. The Pascal-case service names are
the AWS SDK for Java 2.x client names (AcmPca, DynamoDb, Sfn, Glue, S3, CloudWatchLogs,
SecretsManager), derived from the service's `serviceId`.

moto 5.2.1 keeps the lower-case resource name unless it is dynamodb or sfn
(`glue.EntityNotFoundException`) and takes the error from the boto3 exception class name, which is
`ClientError` for codes missing from the model (so injected or unmodelled codes became
`glue.glueException`). ASL Retry/Catch written for AWS would not match.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import botocore.session
from botocore.exceptions import ClientError

from local_emulator.corrections.sfn_sdk_names import boto3_name
from local_emulator.patching import target

_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


@functools.cache
def pascal_service_name(sdk_service_name: str) -> str:
    """`glue` -> `Glue`, `dynamodb` -> `DynamoDb`, `acm-pca` -> `AcmPca`, `logs` -> `CloudWatchLogs`."""
    try:
        model = botocore.session.get_session().get_service_model(boto3_name(sdk_service_name))
        service_id = str(model.metadata["serviceId"])
    except Exception:  # unknown service: still Pascal-case what we were given
        service_id = sdk_service_name
    words = []
    for chunk in re.split(r"[^A-Za-z0-9]+", service_id):
        words.extend(_WORD.findall(chunk))
    return "".join(w[:1].upper() + w[1:].lower() for w in words)


def error_name(sdk_service_name: str, error_code: str) -> str:
    code = error_code.rsplit("#", maxsplit=1)[-1].split(":", maxsplit=1)[0]
    if not code.endswith("Exception"):
        code += "Exception"
    return f"{pascal_service_name(sdk_service_name)}.{code}"


def apply() -> None:
    module = (
        "moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_aws_sdk"
    )
    _, _, cls = target(module, "StateTaskServiceAwsSdk")
    target(module, "StateTaskServiceAwsSdk._normalise_service_error_name")
    target(module, "StateTaskServiceAwsSdk._normalise_exception_name")
    _, _, original_from_error = target(module, "StateTaskServiceAwsSdk._from_error")

    def _from_error(self: Any, env: Any, ex: Exception) -> Any:
        if not isinstance(ex, ClientError):
            return original_from_error(self, env, ex)
        service = self.resource.api_name
        error = error_name(service, str(ex.response.get("Error", {}).get("Code", "Unknown")))
        meta = ex.response.get("ResponseMetadata", {})
        cause = (
            f"{ex.response.get('Error', {}).get('Message', '')} (Service: {pascal_service_name(service)}, "
            f"Status Code: {meta.get('HTTPStatusCode')}, Request ID: {meta.get('RequestId')})"
        )
        return self._get_task_failure_event(env=env, error=error, cause=cause)

    cls._from_error = _from_error
