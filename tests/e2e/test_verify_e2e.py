"""`make verify` on the applied environment: every call of every deployed role is allowed.

The same tools/verify.py a user runs against a real account (ENV=dev|prod) asks the emulator's
SimulatePrincipalPolicy here, with the resource and key policies applied by the emulator's evaluator.
"""

from __future__ import annotations

import json

import boto3
import pytest
import verify

pytestmark = [pytest.mark.emulator, pytest.mark.e2e]


def _account(emulator) -> verify.Account:
    session = boto3.session.Session(
        aws_access_key_id=emulator.env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=emulator.env["AWS_SECRET_ACCESS_KEY"],
        region_name=emulator.env["AWS_DEFAULT_REGION"],
    )
    return verify.Account(session, {"endpoint_url": emulator.endpoint, "verify": emulator.ca_bundle})


def test_every_deployed_role_may_make_every_call(applied_local_env):
    rows, denied = verify.verify(_account(applied_local_env.emulator), applied_local_env.outputs)
    sources = {r.source.split()[0] for r in rows}
    assert {"state", "function", "job", "crawler", "data", "rule", "schedule", "alarm", "trail"} <= sources
    assert len({r.role for r in rows}) >= 15, {r.role for r in rows}
    assert denied == 0, "\n" + verify.table([r for r in rows if r.decision != "allowed"])


def test_verify_reports_a_removed_permission(applied_local_env):
    """The check can fail: take GetJobRuns away from the workflow role, verify names the call."""
    emulator = applied_local_env.emulator
    iam = emulator.client("iam")
    machine = emulator.client("stepfunctions").describe_state_machine(
        stateMachineArn=applied_local_env.outputs["pipeline_workflow_arn"]
    )
    role = machine["roleArn"].rsplit("/", 1)[-1]
    original = iam.get_role_policy(RoleName=role, PolicyName="least-privilege")["PolicyDocument"]
    document = original if isinstance(original, dict) else json.loads(original)
    changed = json.loads(json.dumps(document))
    for statement in changed["Statement"]:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        statement["Action"] = [a for a in actions if a != "glue:GetJobRuns"]
    iam.put_role_policy(RoleName=role, PolicyName="least-privilege", PolicyDocument=json.dumps(changed))
    try:
        rows, denied = verify.verify(_account(emulator), applied_local_env.outputs)
    finally:
        iam.put_role_policy(RoleName=role, PolicyName="least-privilege", PolicyDocument=json.dumps(document))
    assert denied == 2
    assert {(r.call.action, r.decision) for r in rows if r.decision != "allowed"} == {
        ("glue:GetJobRuns", "implicitDeny")
    }
