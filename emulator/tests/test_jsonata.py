"""JSONata state machines run end to end (moto's JVM bridge replaced by jsonata-python)."""

from __future__ import annotations

import json

import pytest
from sfn_support import GLUE_ARN, create_state_machine, run_execution, state_machine_role

pytestmark = pytest.mark.emulator

GUARD_LIKE = {
    "QueryLanguage": "JSONata",
    "StartAt": "Init",
    "States": {
        "Init": {
            "Type": "Pass",
            "Assign": {
                "sessionId": "{% $states.input.detail.sessionId %}",
                "deadline": "{% $toMillis($states.input.time) + $states.input.maxMinutes * 60000 %}",
            },
            "Output": {
                "deadlineIso": (
                    "{% $fromMillis($toMillis($states.input.time) + $states.input.maxMinutes * 60000) %}"
                ),
                "nowIsLater": "{% $millis() > $toMillis('2020-01-01T00:00:00Z') %}",
                "nowIsText": "{% $type($now()) = 'string' %}",
            },
            "Next": "Decide",
        },
        "Decide": {
            "Type": "Choice",
            "Choices": [{"Condition": "{% $deadline > $toMillis('2020-01-01T00:00:00Z') %}", "Next": "Get"}],
            "Default": "TooEarly",
        },
        "TooEarly": {"Type": "Fail", "Error": "Guard.TooEarly"},
        "Get": {
            "Type": "Task",
            "Resource": "arn:aws:states:::aws-sdk:glue:getSession",
            "Arguments": {"Id": "{% $sessionId %}"},
            "Output": {
                "status": "{% $states.result.Session.Status %}",
                "deadlineIso": "{% $states.input.deadlineIso %}",
            },
            "Catch": [
                {
                    "ErrorEquals": ["Glue.EntityNotFoundException"],
                    "Output": {"missing": "{% $sessionId %}", "error": "{% $states.errorOutput.Error %}"},
                    "Next": "Gone",
                }
            ],
            "End": True,
        },
        "Gone": {"Type": "Succeed"},
    },
}


def test_jsonata_state_machine_end_to_end(emu):
    sfn = emu.client("stepfunctions")
    glue = emu.client("glue")
    emu.configure(glue_session={"provisioning_seconds": 0})
    glue.create_session(Id="sess-1", Role="arn:aws:iam::123456789012:role/g", Command={"Name": "glueetl"})
    # The session id comes from the event: the role may read any session (as the guard's role may).
    state_machine_role(
        emu,
        [
            {
                "Effect": "Allow",
                "Action": "glue:GetSession",
                "Resource": f"{GLUE_ARN}:session/*",
            }
        ],
    )
    arn = create_state_machine(sfn, "jsonata-guard", GUARD_LIKE)
    event = {"time": "2026-01-01T10:00:00Z", "maxMinutes": 30, "detail": {"sessionId": "sess-1"}}

    found = run_execution(sfn, arn, event)
    assert found["status"] == "SUCCEEDED", found
    assert json.loads(found["output"]) == {"status": "READY", "deadlineIso": "2026-01-01T10:30:00.000Z"}

    missing = run_execution(sfn, arn, {**event, "detail": {"sessionId": 'no "such" session'}})
    assert missing["status"] == "SUCCEEDED", missing
    assert json.loads(missing["output"]) == {
        "missing": 'no "such" session',
        "error": "Glue.EntityNotFoundException",
    }


def test_jsonata_pass_state_arithmetic_and_functions(emu):
    sfn = emu.client("stepfunctions")
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Pass",
                "Output": {
                    "sum": "{% $sum($states.input.values) %}",
                    "half": "{% $states.input.values[0] / 2 %}",
                    "ids": "{% $count([$uuid(), $uuid()]) %}",
                    "hash": "{% $hash('abc', 'SHA-256') %}",
                    "parts": "{% $partition([1,2,3,4,5], 2) %}",
                    "name": "{% $states.context.Execution.Name %}",
                },
                "End": True,
            }
        },
    }
    arn = create_state_machine(sfn, "jsonata-pass", definition)
    result = run_execution(sfn, arn, {"values": [3, 4]}, name="named-run")
    assert result["status"] == "SUCCEEDED", result
    assert json.loads(result["output"]) == {
        "sum": 7,
        "half": 1.5,
        "ids": 2,
        "hash": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        "parts": [[1, 2], [3, 4], [5]],
        "name": "named-run",
    }


def test_jsonata_evaluation_error_fails_execution(emu):
    sfn = emu.client("stepfunctions")
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Output": "{% $states.input.missing.field %}", "End": True}},
    }
    arn = create_state_machine(sfn, "jsonata-undefined", definition)
    result = run_execution(sfn, arn, {"a": 1})
    assert result["status"] == "FAILED"
    assert result["error"] == "States.QueryEvaluationError"
