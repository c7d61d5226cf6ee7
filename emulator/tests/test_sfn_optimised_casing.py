"""Optimised integrations take PascalCase fields and return PascalCase results, as on AWS."""

from __future__ import annotations

import json

import pytest
from sfn_support import create_state_machine, run_execution, state_machine_role

pytestmark = pytest.mark.emulator


def test_states_start_execution_integration_maps_fields_both_ways(emu):
    sfn = emu.client("stepfunctions")
    child = create_state_machine(
        sfn, "child", {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    )
    state_machine_role(emu, [{"Effect": "Allow", "Action": "states:StartExecution", "Resource": child}])
    parent = create_state_machine(
        sfn,
        "parent",
        {
            "StartAt": "Start",
            "States": {
                "Start": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::states:startExecution",
                    "Parameters": {"StateMachineArn": child, "Name": "from-parent", "Input": {"a": 1}},
                    "End": True,
                }
            },
        },
    )

    result = run_execution(sfn, parent, {})

    assert result["status"] == "SUCCEEDED", result
    output = json.loads(result["output"])
    assert output["ExecutionArn"].endswith(":execution:child:from-parent")
    assert "StartDate" in output
    started = sfn.describe_execution(executionArn=output["ExecutionArn"])
    assert json.loads(started["input"]) == {"a": 1}


def test_duplicate_execution_name_surfaces_as_the_aws_error(emu):
    sfn = emu.client("stepfunctions")
    child = create_state_machine(
        sfn, "slow-child", {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 5, "End": True}}}
    )
    sfn.start_execution(stateMachineArn=child, name="once", input="{}")
    state_machine_role(emu, [{"Effect": "Allow", "Action": "states:StartExecution", "Resource": child}])
    parent = create_state_machine(
        sfn,
        "parent-dup",
        {
            "StartAt": "Start",
            "States": {
                "Start": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::states:startExecution",
                    "Parameters": {"StateMachineArn": child, "Name": "once", "Input": {"b": 2}},
                    "Catch": [
                        {"ErrorEquals": ["StepFunctions.ExecutionAlreadyExistsException"], "Next": "Dup"}
                    ],
                    "End": True,
                },
                "Dup": {"Type": "Succeed"},
            },
        },
    )

    result = run_execution(sfn, parent, {})

    assert result["status"] == "SUCCEEDED", result
    history = sfn.get_execution_history(executionArn=result["executionArn"])["events"]
    assert any(e.get("stateEnteredEventDetails", {}).get("name") == "Dup" for e in history)
