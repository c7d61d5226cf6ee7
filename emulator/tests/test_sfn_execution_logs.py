"""Execution logs arrive through vended logs, judged against the state machine's and log group's keys."""

from __future__ import annotations

import json

import pytest
from sfn_support import ROLE_ARN, run_execution

pytestmark = pytest.mark.emulator

ACCOUNT = "123456789012"
REGION = "eu-west-1"
MACHINES = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:*"
GROUP = "/aws/vendedlogs/states/logged"
FAIL = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Boom", "Cause": "bad input"}}}
ROOT = {
    "Sid": "Root",
    "Effect": "Allow",
    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
    "Action": "kms:*",
    "Resource": "*",
}
LOGS_ENCRYPT = {
    "Sid": "LogsEncrypt",
    "Effect": "Allow",
    "Principal": {"Service": f"logs.{REGION}.amazonaws.com"},
    "Action": ["kms:GenerateDataKey*", "kms:Encrypt*", "kms:Decrypt*"],
    "Resource": "*",
    "Condition": {
        "ArnLike": {"kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:*"}
    },
}
DELIVERY_DECRYPTS = {
    "Sid": "DeliveryDecrypts",
    "Effect": "Allow",
    "Principal": {"Service": "delivery.logs.amazonaws.com"},
    "Action": "kms:Decrypt",
    "Resource": "*",
    "Condition": {"ArnLike": {"kms:EncryptionContext:aws:states:stateMachineArn": MACHINES}},
}


def _machine(emu, statements):
    key = emu.client("kms").create_key(
        Policy=json.dumps({"Version": "2012-10-17", "Statement": [ROOT, LOGS_ENCRYPT, *statements]})
    )["KeyMetadata"]["Arn"]
    logs = emu.client("logs")
    logs.create_log_group(logGroupName=GROUP, kmsKeyId=key)
    group_arn = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{GROUP}:*"
    sfn = emu.client("stepfunctions")
    arn = sfn.create_state_machine(
        name="logged",
        definition=json.dumps(FAIL),
        roleArn=ROLE_ARN,
        loggingConfiguration={
            "level": "ERROR",
            "includeExecutionData": True,
            "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": group_arn}}],
        },
        encryptionConfiguration={"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": key},
    )["stateMachineArn"]
    execution = run_execution(sfn, arn, {})
    assert execution["status"] == "FAILED"
    return emu.control(
        "POST", "/_emulator/states/deliver-execution-logs", {"executionArn": execution["executionArn"]}
    )


def _messages(emu):
    logs = emu.client("logs")
    streams = logs.describe_log_streams(logGroupName=GROUP)["logStreams"]
    return [
        json.loads(e["message"])
        for s in streams
        for e in logs.get_log_events(logGroupName=GROUP, logStreamName=s["logStreamName"])["events"]
    ]


def test_error_level_logs_the_failure_when_both_keys_allow(emu):
    outcome = _machine(emu, [DELIVERY_DECRYPTS])
    assert outcome["denial"] is None and outcome["delivered"] == 1, outcome
    (event,) = _messages(emu)
    assert event["type"] == "ExecutionFailed"
    decided = {(d["principal"], d["action"], d["decision"]) for d in emu.decisions()}
    assert ("delivery.logs.amazonaws.com", "kms:Decrypt", "allowed") in decided
    assert (f"logs.{REGION}.amazonaws.com", "kms:GenerateDataKey", "allowed") in decided


def test_key_without_log_delivery_statement_drops_the_logs(emu):
    outcome = _machine(emu, [])
    assert outcome["delivered"] == 0 and "delivery.logs.amazonaws.com" in outcome["denial"]
    assert _messages(emu) == []
    (denial,) = emu.decisions(denied_only=True)
    assert (denial["principal"], denial["action"]) == ("delivery.logs.amazonaws.com", "kms:Decrypt")
