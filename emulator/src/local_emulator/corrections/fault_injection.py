"""Fault injection for tests: POST /_emulator/faults makes the next N calls of an operation fail.

Not a correction of moto but the hook that lets tests reproduce AWS failures (throttling,
IllegalSessionStateException, ...). The error is serialised by moto's own protocol serialiser, so
the client (boto3, Terraform, an ASL aws-sdk task) sees the same shape as a real AWS error of
that code. Services dispatched through moto's `BaseResponse.call_action` are covered (all JSON and
query protocol services: Glue, Step Functions, SNS, SQS, KMS, IAM, ...); S3 has its own dispatch
and is not covered.
"""

from __future__ import annotations

from typing import Any

from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult

from local_emulator import runtime
from local_emulator.patching import target


def _injected_error_class(base: type) -> type:
    # Defined outside the `moto.` package so moto serialises it with the responding service's model.
    return type("InjectedFault", (base,), {"__module__": __name__})


def apply() -> None:
    owner, name, original = target("moto.core.responses", "BaseResponse.call_action")

    def call_action(self: Any) -> Any:
        fault = runtime.faults.take(self.boto3_service_name, self._get_action())
        if fault is None:
            return original(self)
        error = _injected_error_class(ServiceException)(
            fault.error_code, fault.message or f"Injected fault {fault.error_code}"
        )
        _, headers, body = self.serialized(ActionResult(error))
        headers["status"] = str(fault.status)
        return fault.status, headers, body

    call_action.__wrapped__ = original  # type: ignore[attr-defined]
    setattr(owner, name, call_action)
