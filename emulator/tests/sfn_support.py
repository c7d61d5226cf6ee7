"""Helpers for the emulator's own tests: create state machines and wait for their executions."""

from __future__ import annotations

import json
import time
from typing import Any

ROLE_ARN = "arn:aws:iam::123456789012:role/emulator-test"


def create_state_machine(sfn: Any, name: str, definition: dict[str, Any]) -> str:
    return sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE_ARN)[
        "stateMachineArn"
    ]


def wait_execution(sfn: Any, execution_arn: str, timeout: float = 20.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        described = sfn.describe_execution(executionArn=execution_arn)
        if described["status"] != "RUNNING" or time.monotonic() > deadline:
            return described
        time.sleep(0.05)


def run_execution(sfn: Any, state_machine_arn: str, payload: Any = None, **kwargs: Any) -> dict[str, Any]:
    if payload is not None:
        kwargs["input"] = json.dumps(payload)
    started = sfn.start_execution(stateMachineArn=state_machine_arn, **kwargs)
    return wait_execution(sfn, started["executionArn"])
