"""Repeated and unnamed executions; datetimes in aws-sdk results (moto 5.2.1: 500s)."""

from __future__ import annotations

import json
import re

import pytest
from sfn_support import GLUE_ARN, create_state_machine, run_execution, state_machine_role

pytestmark = pytest.mark.emulator

ISO_MILLIS_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3}|\.\d{6})?Z$")


def test_many_unnamed_executions(emu):
    sfn = emu.client("stepfunctions")
    arn = create_state_machine(
        sfn, "repeat", {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    )
    results = [run_execution(sfn, arn, {"i": i}) for i in range(3)]
    assert [r["status"] for r in results] == ["SUCCEEDED"] * 3
    names = {r["name"] for r in results}
    assert len(names) == 3
    assert all(re.fullmatch(r"[0-9a-f-]{36}", n) for n in names)
    assert len(sfn.list_executions(stateMachineArn=arn)["executions"]) == 3


def test_sdk_result_with_timestamps_is_serialised(emu):
    sfn = emu.client("stepfunctions")
    emu.configure(glue_session={"provisioning_seconds": 0})
    emu.client("glue").create_session(
        Id="s", Role="arn:aws:iam::123456789012:role/g", Command={"Name": "glueetl"}
    )
    definition = {
        "StartAt": "Get",
        "States": {
            "Get": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:glue:getSession",
                "Parameters": {"Id": "s"},
                "End": True,
            }
        },
    }
    state_machine_role(
        emu,
        [
            {
                "Effect": "Allow",
                "Action": "glue:GetSession",
                "Resource": f"{GLUE_ARN}:session/s",
            }
        ],
    )
    arn = create_state_machine(sfn, "timestamps", definition)
    for _ in range(2):
        result = run_execution(sfn, arn)
        assert result["status"] == "SUCCEEDED", result
        created = json.loads(result["output"])["Session"]["CreatedOn"]
        assert ISO_MILLIS_Z.match(created), created
        history = sfn.get_execution_history(executionArn=result["executionArn"])["events"]
        assert history[-1]["type"] == "ExecutionSucceeded"
