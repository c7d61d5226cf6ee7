"""Fixtures for running the repo's ASL files on the emulator's interpreter."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from asl_render import DEFINITIONS, render
from iam_calls import PROBE, derive_calls
from notifications import Inbox, subscribe_inbox

ACCOUNT = "123456789012"
REGION = "eu-west-1"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/asl-test"
GLUE_ROLE = f"arn:aws:iam::{ACCOUNT}:role/glue-notebook"


def task_statements(definition: dict[str, Any]) -> list[dict[str, Any]]:
    """One Allow per call the definition's Task states make (tools/iam_calls.derive_calls, the
    derivation `make verify` uses): exactly what the workflow needs. A parameter known only at run
    time (a session id) becomes `*` in its ARN, as the product policies grant it."""
    statements = []
    for call in sorted(derive_calls(definition, REGION, ACCOUNT), key=lambda c: (c.action, c.resource)):
        statement: dict[str, Any] = {
            "Effect": "Allow",
            "Action": call.action,
            "Resource": call.resource.replace(PROBE, "*"),
        }
        if call.context:
            statement["Condition"] = {"StringEquals": dict(call.context)}
        statements.append(statement)
    return statements


def grant_state_machine_role(emulator: Any, state_machine: str, definition: dict[str, Any]) -> None:
    """Deploy ROLE_ARN for Step Functions with the grants of `definition`, as the inline policy
    named after the state machine (the state machines of one test share the role)."""
    iam = emulator.client("iam")
    name = ROLE_ARN.rsplit("/", 1)[1]
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    with contextlib.suppress(iam.exceptions.EntityAlreadyExistsException):
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))
    policy = {"Version": "2012-10-17", "Statement": task_statements(definition)}
    iam.put_role_policy(RoleName=name, PolicyName=state_machine, PolicyDocument=json.dumps(policy))


@dataclass
class Topic:
    arn: str
    queue_url: str


@dataclass
class AslHarness:
    """Topics with SQS subscribers (to read notifications) and state-machine helpers."""

    emulator: Any
    sfn: Any
    sqs: Any
    glue: Any
    topics: dict[str, Topic] = field(default_factory=dict)

    def create_topic(self, name: str) -> Topic:
        sns = self.emulator.client("sns")
        arn = sns.create_topic(Name=name)["TopicArn"]
        topic = Topic(arn, subscribe_inbox(sns, self.sqs, arn, f"{name}-inbox").url)
        self.topics[name] = topic
        return topic

    def messages(self, topic: Topic, wait_seconds: float = 0.0) -> list[dict[str, Any]]:
        """Every SNS message delivered so far (the whole envelope: 'Subject', 'Message', ...),
        consumed; waits up to `wait_seconds` when none has arrived yet."""
        return Inbox(self.sqs, self.emulator.client("sns"), topic.queue_url).drain(wait_seconds)

    def create_state_machine(self, name: str, asl_file: str, variables: dict[str, Any]) -> str:
        definition = render(DEFINITIONS[asl_file], variables)
        grant_state_machine_role(self.emulator, name, json.loads(definition))
        return self.sfn.create_state_machine(name=name, definition=definition, roleArn=ROLE_ARN)[
            "stateMachineArn"
        ]

    def start(self, state_machine_arn: str, payload: Any, **kwargs: Any) -> str:
        return self.sfn.start_execution(
            stateMachineArn=state_machine_arn, input=json.dumps(payload), **kwargs
        )["executionArn"]

    def wait(self, execution_arn: str, timeout: float = 60.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            described = self.sfn.describe_execution(executionArn=execution_arn)
            if described["status"] != "RUNNING":
                return described
            if time.monotonic() > deadline:
                raise AssertionError(f"execution still RUNNING after {timeout}s: {execution_arn}")
            time.sleep(0.1)

    def wait_for_state(self, execution_arn: str, state: str, timeout: float = 60.0) -> None:
        """Return once the execution has entered `state` (to act on it mid-run)."""
        deadline = time.monotonic() + timeout
        while state not in self.entered_states(execution_arn):
            assert time.monotonic() < deadline, (state, self.entered_states(execution_arn))
            time.sleep(0.05)

    def history(self, execution_arn: str) -> list[dict[str, Any]]:
        pages = self.sfn.get_paginator("get_execution_history").paginate(executionArn=execution_arn)
        return [event for page in pages for event in page["events"]]

    def entered_states(self, execution_arn: str) -> list[str]:
        return [
            e["stateEnteredEventDetails"]["name"]
            for e in self.history(execution_arn)
            if "stateEnteredEventDetails" in e
        ]

    def session_status(self, session_id: str) -> str:
        return self.glue.get_session(Id=session_id)["Session"]["Status"]

    def wait_session_status(self, session_id: str, wanted: str, timeout: float = 15.0) -> str:
        deadline = time.monotonic() + timeout
        status = self.session_status(session_id)
        while status != wanted and time.monotonic() < deadline:
            time.sleep(0.1)
            status = self.session_status(session_id)
        return status

    def create_session(self, session_id: str, **kwargs: Any) -> dict[str, Any]:
        kwargs.setdefault("Role", GLUE_ROLE)
        kwargs.setdefault("Command", {"Name": "glueetl", "PythonVersion": "3"})
        return self.glue.create_session(Id=session_id, **kwargs)["Session"]


@pytest.fixture
def asl(emulator: Any) -> Iterator[AslHarness]:
    """A clean emulator (state, faults, settings) per test."""
    emulator.reset()
    yield AslHarness(
        emulator=emulator,
        sfn=emulator.client("stepfunctions"),
        sqs=emulator.client("sqs"),
        glue=emulator.client("glue"),
    )
    emulator.clear_faults()
