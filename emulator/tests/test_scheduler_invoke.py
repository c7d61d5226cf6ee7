"""Schedules invoke their Step Functions target with their execution role, judged as AWS judges it."""

from __future__ import annotations

import json

import pytest
from sfn_support import ACCOUNT, create_state_machine, wait_execution

pytestmark = pytest.mark.emulator

REGION = "eu-west-1"
GROUP_ARN = f"arn:aws:scheduler:{REGION}:{ACCOUNT}:schedule-group/default"
PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}


def _role(emu, name, statements, source_arn=GROUP_ARN):
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "scheduler.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": ACCOUNT},
                    "ArnLike": {"aws:SourceArn": source_arn},
                },
            }
        ],
    }
    iam = emu.client("iam")
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    if statements:
        policy = {"Version": "2012-10-17", "Statement": statements}
        iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument=json.dumps(policy))
    return arn


def _setup(emu, may_start=True, source_arn=GROUP_ARN):
    sfn, sqs = emu.client("stepfunctions"), emu.client("sqs")
    machine = create_state_machine(sfn, "daily", PASS)
    dlq_url = sqs.create_queue(QueueName="schedule-dlq")["QueueUrl"]
    dlq = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    statements = [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": dlq}]
    if may_start:
        statements.append({"Effect": "Allow", "Action": "states:StartExecution", "Resource": machine})
    role = _role(emu, "scheduler", statements, source_arn)
    emu.client("scheduler").create_schedule(
        Name="daily",
        ScheduleExpression="cron(0 5 * * ? *)",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={
            "Arn": machine,
            "RoleArn": role,
            "Input": '{"scheduled_time":"<aws.scheduler.scheduled-time>"}',
            "DeadLetterConfig": {"Arn": dlq},
        },
    )
    return sfn, sqs, machine, dlq, dlq_url


def _invoke(emu):
    return emu.control(
        "POST", "/_emulator/scheduler/invoke", {"name": "daily", "scheduled_time": "2026-11-20T05:00:00Z"}
    )


def test_schedule_starts_its_state_machine_with_the_scheduled_time(emu):
    sfn, sqs, _, _, dlq_url = _setup(emu)
    outcome = _invoke(emu)
    assert outcome["outcome"] == "invoked", outcome
    execution = wait_execution(sfn, outcome["executionArn"])
    assert json.loads(execution["input"]) == {"scheduled_time": "2026-11-20T05:00:00Z"}
    decided = {(d["principal"], d["action"], d["decision"]) for d in emu.decisions()}
    assert ("scheduler.amazonaws.com", "sts:AssumeRole", "allowed") in decided
    assert (
        f"arn:aws:sts::{ACCOUNT}:assumed-role/scheduler/scheduler-daily",
        "states:StartExecution",
        "allowed",
    ) in decided
    assert sqs.receive_message(QueueUrl=dlq_url).get("Messages", []) == []


def test_role_without_start_execution_is_refused_and_dead_lettered(emu):
    sfn, sqs, machine, _, dlq_url = _setup(emu, may_start=False)
    outcome = _invoke(emu)
    assert (outcome["outcome"], outcome["error"], outcome["dead_lettered"]) == (
        "failed",
        "AccessDeniedException",
        True,
    )
    assert sfn.list_executions(stateMachineArn=machine)["executions"] == []
    (message,) = sqs.receive_message(QueueUrl=dlq_url, MessageAttributeNames=["All"])["Messages"]
    attributes = {k: v["StringValue"] for k, v in message["MessageAttributes"].items()}
    assert attributes["ERROR_CODE"] == "AccessDeniedException"
    assert attributes["TARGET_ARN"] == machine
    assert attributes["SCHEDULE_ARN"].endswith(":schedule/default/daily")
    denied = {(d["action"], d["decision"]) for d in emu.decisions(denied_only=True)}
    assert denied == {("states:StartExecution", "implicitDeny")}


def test_trust_policy_for_another_group_fails_the_invocation(emu):
    other = f"arn:aws:scheduler:{REGION}:{ACCOUNT}:schedule-group/other"
    sfn, _, machine, _, _ = _setup(emu, source_arn=other)
    outcome = _invoke(emu)
    assert (outcome["outcome"], outcome["dead_lettered"]) == ("failed", False)
    assert sfn.list_executions(stateMachineArn=machine)["executions"] == []
    (trust,) = emu.decisions(denied_only=True)
    assert (trust["principal"], trust["action"]) == ("scheduler.amazonaws.com", "sts:AssumeRole")


def test_only_step_functions_targets_are_invoked(emu):
    with pytest.raises(Exception, match="400"):
        emu.control("POST", "/_emulator/scheduler/invoke", {"name": "missing"})


def _payload_key(emu):
    root = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": "kms:*",
        "Resource": "*",
    }
    policy = {"Version": "2012-10-17", "Statement": [root]}
    return emu.client("kms").create_key(Policy=json.dumps(policy))["KeyMetadata"]["Arn"]


@pytest.mark.parametrize("may_decrypt", [True, False])
def test_encrypted_payload_is_decrypted_with_the_execution_role(emu, may_decrypt):
    # A schedule with a customer managed key: Scheduler decrypts the payload with the execution
    # role when it fires (kms:Decrypt, encryption context aws:scheduler:schedule-arn); denied,
    # the target is not invoked.
    sfn, _, machine, dlq, _ = _setup(emu)
    key = _payload_key(emu)
    schedule_arn = f"arn:aws:scheduler:{REGION}:{ACCOUNT}:schedule/default/daily"
    statements = [
        {"Effect": "Allow", "Action": "states:StartExecution", "Resource": machine},
        {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": dlq},
    ]
    if may_decrypt:
        statements.append(
            {
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": key,
                "Condition": {
                    "ArnEquals": {"kms:EncryptionContext:aws:scheduler:schedule-arn": schedule_arn}
                },
            }
        )
    policy = {"Version": "2012-10-17", "Statement": statements}
    emu.client("iam").put_role_policy(RoleName="scheduler", PolicyName="p", PolicyDocument=json.dumps(policy))
    scheduler = emu.client("scheduler")
    target = scheduler.get_schedule(Name="daily")["Target"]
    scheduler.update_schedule(
        Name="daily",
        ScheduleExpression="cron(0 5 * * ? *)",
        FlexibleTimeWindow={"Mode": "OFF"},
        KmsKeyArn=key,
        Target=target,
    )
    outcome = _invoke(emu)
    decisions = [(d["action"], d["resource"], d["decision"]) for d in emu.decisions()]
    executions = sfn.list_executions(stateMachineArn=machine)["executions"]
    if may_decrypt:
        assert outcome["outcome"] == "invoked", outcome
        assert ("kms:Decrypt", key, "allowed") in decisions
        assert len(executions) == 1
    else:
        assert outcome["outcome"] == "failed" and outcome["error"] == "AccessDeniedException", outcome
        assert "kms:Decrypt" in outcome["message"] and key in outcome["message"]
        assert [d for d in decisions if d[0] == "kms:Decrypt"] == [("kms:Decrypt", key, "implicitDeny")]
        assert executions == []
        assert not [d for d in decisions if d[0] == "states:StartExecution"]
