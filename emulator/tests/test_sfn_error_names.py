"""aws-sdk task errors are named `Service.CodeException` like AWS, including injected faults."""

from __future__ import annotations

import json

import pytest
from sfn_support import GLUE_ARN, create_state_machine, run_execution, state_machine_role

pytestmark = pytest.mark.emulator


def _stop_session_machine(emu, sfn):
    # Any session id arrives in the input: the role may stop sessions (as the guard's role may).
    state_machine_role(
        emu,
        [
            {
                "Effect": "Allow",
                "Action": "glue:StopSession",
                "Resource": f"{GLUE_ARN}:session/*",
            }
        ],
    )
    definition = {
        "StartAt": "Stop",
        "States": {
            "Stop": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:glue:stopSession",
                "Parameters": {"Id.$": "$.id"},
                "Retry": [
                    {
                        "ErrorEquals": ["Glue.ThrottlingException"],
                        "IntervalSeconds": 1,
                        "MaxAttempts": 2,
                        "BackoffRate": 1,
                    }
                ],
                "Catch": [
                    {
                        "ErrorEquals": ["Glue.IllegalSessionStateException"],
                        "ResultPath": "$.err",
                        "Next": "Illegal",
                    },
                    {
                        "ErrorEquals": ["Glue.EntityNotFoundException"],
                        "ResultPath": "$.err",
                        "Next": "Missing",
                    },
                ],
                "End": True,
            },
            "Illegal": {"Type": "Pass", "Result": "illegal", "ResultPath": "$.branch", "End": True},
            "Missing": {"Type": "Pass", "Result": "missing", "ResultPath": "$.branch", "End": True},
        },
    }
    return create_state_machine(sfn, "stop-session", definition)


def test_glue_errors_match_aws_names(emu):
    sfn = emu.client("stepfunctions")
    arn = _stop_session_machine(emu, sfn)
    missing = run_execution(sfn, arn, {"id": "nope"})
    output = json.loads(missing["output"])
    assert output["branch"] == "missing"
    assert output["err"]["Error"] == "Glue.EntityNotFoundException"


def test_injected_faults_surface_with_aws_names(emu):
    sfn = emu.client("stepfunctions")
    arn = _stop_session_machine(emu, sfn)
    emu.configure(glue_session={"provisioning_seconds": 0})
    emu.client("glue").create_session(
        Id="s1", Role="arn:aws:iam::123456789012:role/g", Command={"Name": "glueetl"}
    )

    # One throttle is retried away; the session then stops.
    emu.inject_fault("glue", "StopSession", "ThrottlingException", "Rate exceeded", count=1)
    ok = run_execution(sfn, arn, {"id": "s1"})
    assert ok["status"] == "SUCCEEDED", (ok.get("error"), ok.get("cause"))
    assert "branch" not in json.loads(ok["output"])

    emu.inject_fault("glue", "StopSession", "IllegalSessionStateException", "Session is STOPPING", count=-1)
    caught = run_execution(sfn, arn, {"id": "s1"})
    assert json.loads(caught["output"])["err"]["Error"] == "Glue.IllegalSessionStateException"
    emu.clear_faults()

    emu.inject_fault("glue", "StopSession", "Throttling", "Rate exceeded", count=-1)
    failed = run_execution(sfn, arn, {"id": "s1"})
    assert failed["status"] == "FAILED"
    assert failed["error"] == "Glue.ThrottlingException"
