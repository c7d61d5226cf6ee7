"""The deployed workflow's role allows every call its deployed definition makes, and nothing more.

Both sides are read back from the emulator after `terraform apply` (DescribeStateMachine and
GetRolePolicy), so this checks what was applied, not what Terraform meant to apply.
"""

from __future__ import annotations

import json
import urllib.parse

import pytest
from iam_checker import check_applied, derive_calls

pytestmark = [pytest.mark.emulator, pytest.mark.e2e]


def test_applied_workflow_role_matches_the_applied_definition(applied_local_env):
    emulator = applied_local_env.emulator
    sfn, iam = emulator.client("stepfunctions"), emulator.client("iam")
    machine = sfn.describe_state_machine(stateMachineArn=applied_local_env.outputs["pipeline_workflow_arn"])
    role_name = machine["roleArn"].rsplit("/", 1)[-1]
    policy = iam.get_role_policy(RoleName=role_name, PolicyName="least-privilege")["PolicyDocument"]
    policy_json = policy if isinstance(policy, str) else json.dumps(policy)
    policy_json = urllib.parse.unquote(policy_json) if policy_json.startswith("%7B") else policy_json

    calls = derive_calls(json.loads(machine["definition"]))
    denied, unused = check_applied(machine["definition"], policy_json)

    assert len(calls) >= 20, calls  # every step's calls were found, not an empty derivation
    assert denied == [], f"the role denies calls the workflow makes: {denied}"
    assert unused == [], f"the role grants calls no step makes: {unused}"
