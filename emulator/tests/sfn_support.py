"""Helpers for the emulator's own tests: roles, state machines, waiting for executions.

The emulator enforces IAM by default, as AWS does: code it runs as a service (a Lambda handler,
a Glue job, a Step Functions task, an EventBridge target) acts as the role it was given, so each
test deploys that role with exactly the grants its code needs (`service_role`).
"""

from __future__ import annotations

import json
import time
from typing import Any

ACCOUNT = "123456789012"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/emulator-test"
GLUE_ARN = f"arn:aws:glue:eu-west-1:{ACCOUNT}"


def service_role(emu: Any, name: str, service: str, statements: list[dict[str, Any]] = ()) -> str:
    """Create (or re-grant) role `name` that `service` (e.g. "lambda.amazonaws.com") may assume,
    with one inline policy holding `statements`; returns its ARN."""
    iam = emu.client("iam")
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
    }
    try:
        arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    except iam.exceptions.EntityAlreadyExistsException:
        arn = iam.get_role(RoleName=name)["Role"]["Arn"]
    if statements:
        iam.put_role_policy(
            RoleName=name,
            PolicyName="grants",
            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": list(statements)}),
        )
    return arn


def state_machine_role(emu: Any, statements: list[dict[str, Any]]) -> str:
    """The role every test state machine runs as (ROLE_ARN), granted `statements`."""
    return service_role(emu, ROLE_ARN.rsplit("/", 1)[1], "states.amazonaws.com", statements)


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
