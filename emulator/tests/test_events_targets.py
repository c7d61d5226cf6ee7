"""EventBridge -> Step Functions delivery, input transformers, retry policy and DLQ."""

from __future__ import annotations

import json
import time

import pytest
from sfn_support import create_state_machine, service_role, wait_execution

pytestmark = pytest.mark.emulator

PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
PATTERN = {
    "source": ["aws.glue"],
    "detail-type": ["AWS API Call via CloudTrail"],
    "detail": {"eventName": ["CreateSession"]},
}
DETAIL = {
    "eventName": "CreateSession",
    "requestParameters": {"id": 'sess "1"', "workers": 2, "tags": ["a", "b"]},
}


def _setup(emu, transformer=None, retry=None, target_arn=None):
    sfn = emu.client("stepfunctions")
    events = emu.client("events")
    sqs = emu.client("sqs")
    sm_arn = create_state_machine(sfn, "guard", PASS)
    dlq_url = sqs.create_queue(QueueName="guard-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    rule_arn = events.put_rule(Name="on-create-session", EventPattern=json.dumps(PATTERN))["RuleArn"]
    # What EventBridge needs (eb-use-identity-based.html, eb-rule-dlq.html#eb-dlq-perms): the
    # target role may start this state machine; the DLQ lets the rule's service principal send.
    role_arn = service_role(
        emu,
        "events",
        "events.amazonaws.com",
        [{"Effect": "Allow", "Action": "states:StartExecution", "Resource": target_arn or sm_arn}],
    )
    sqs.set_queue_attributes(
        QueueUrl=dlq_url, Attributes={"Policy": json.dumps(_dlq_policy(dlq_arn, rule_arn))}
    )
    target = {
        "Id": "guard",
        "Arn": target_arn or sm_arn,
        "RoleArn": role_arn,
        "DeadLetterConfig": {"Arn": dlq_arn},
    }
    if transformer:
        target["InputTransformer"] = transformer
    if retry:
        target["RetryPolicy"] = retry
    events.put_targets(Rule="on-create-session", Targets=[target])
    return sfn, events, sqs, sm_arn, dlq_url


def _dlq_policy(dlq_arn, rule_arn):
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": dlq_arn,
                "Condition": {"ArnEquals": {"aws:SourceArn": rule_arn}},
            }
        ],
    }


def _put(events, detail=DETAIL, source="aws.glue"):
    response = events.put_events(
        Entries=[
            {"Source": source, "DetailType": "AWS API Call via CloudTrail", "Detail": json.dumps(detail)}
        ]
    )
    assert response["FailedEntryCount"] == 0


def _executions(sfn, arn, count, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = sfn.list_executions(stateMachineArn=arn)["executions"]
        if len(found) >= count:
            return found
        time.sleep(0.05)
    return sfn.list_executions(stateMachineArn=arn)["executions"]


def test_event_starts_execution_with_aws_shaped_event(emu):
    sfn, events, _, arn, _ = _setup(emu)
    _put(events, source="aws.s3")  # does not match the pattern
    _put(events)
    executions = _executions(sfn, arn, 1)
    assert len(executions) == 1
    described = wait_execution(sfn, executions[0]["executionArn"])
    delivered = json.loads(described["input"])
    assert delivered["detail"] == DETAIL
    assert delivered["source"] == "aws.glue"
    assert isinstance(delivered["time"], str)
    assert delivered["time"].endswith("Z")
    assert "ingestion-time" not in delivered


def test_input_transformer_quotes_like_aws(emu):
    transformer = {
        "InputPathsMap": {
            "id": "$.detail.requestParameters.id",
            "workers": "$.detail.requestParameters.workers",
            "tags": "$.detail.requestParameters.tags",
            "time": "$.time",
        },
        "InputTemplate": '{"sessionId": <id>, "text": "session <id> has <workers> workers", '
        '"workers": <workers>, '
        '"tags": <tags>, "at": <time>, "rule": <aws.events.rule-name>}',
    }
    sfn, events, _, arn, _ = _setup(emu, transformer=transformer)
    _put(events)
    executions = _executions(sfn, arn, 1)
    delivered = json.loads(wait_execution(sfn, executions[0]["executionArn"])["input"])
    assert delivered["sessionId"] == 'sess "1"'
    assert delivered["text"] == 'session sess "1" has 2 workers'
    assert delivered["workers"] == 2
    assert delivered["tags"] == ["a", "b"]
    assert delivered["at"].endswith("Z")
    assert delivered["rule"] == "on-create-session"


def _dlq_message(sqs, url, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        messages = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"], WaitTimeSeconds=0).get(
            "Messages", []
        )
        if messages:
            return messages[0]
        time.sleep(0.1)
    raise AssertionError("no message reached the DLQ")


def test_missing_state_machine_goes_to_dlq_without_retry(emu):
    missing = "arn:aws:states:eu-west-1:123456789012:stateMachine:does-not-exist"
    _, events, sqs, _, dlq_url = _setup(emu, target_arn=missing)
    _put(events)
    message = _dlq_message(sqs, dlq_url)
    attributes = {k: v["StringValue"] for k, v in message["MessageAttributes"].items()}
    assert attributes["ERROR_CODE"] == "RESOURCE_NOT_FOUND"
    assert attributes["TARGET_ARN"] == missing
    assert attributes["RULE_ARN"].endswith(":rule/on-create-session")
    assert attributes["RETRY_ATTEMPTS"] == "0"
    assert json.loads(message["Body"])["detail"] == DETAIL


def test_throttled_start_is_retried_then_dead_lettered(emu):
    sfn, events, sqs, arn, dlq_url = _setup(
        emu, retry={"MaximumRetryAttempts": 2, "MaximumEventAgeInSeconds": 60}
    )
    emu.inject_fault("stepfunctions", "StartExecution", "ThrottlingException", "Rate exceeded", count=2)
    _put(events)
    assert len(_executions(sfn, arn, 1)) == 1  # third attempt succeeds

    emu.inject_fault("stepfunctions", "StartExecution", "ThrottlingException", "Rate exceeded", count=-1)
    _put(events)
    attributes = {k: v["StringValue"] for k, v in _dlq_message(sqs, dlq_url)["MessageAttributes"].items()}
    assert attributes["EXHAUSTED_RETRY_CONDITION"] == "MaximumRetryAttempts"
    assert attributes["RETRY_ATTEMPTS"] == "2"
    assert attributes["ERROR_CODE"] == "THROTTLING"


def test_event_bus_target_in_another_region_receives_the_event_itself(emu):
    # AWS: a rule forwards to another Region's bus with a role allowed events:PutEvents on it, and
    # the event arrives as it was (id, source Region, resources); moto re-created it in the target
    # Region. The home Region's rule starts a state machine with what arrived.
    home_bus = "arn:aws:events:eu-west-1:123456789012:event-bus/default"
    role = service_role(
        emu,
        "forward",
        "events.amazonaws.com",
        [{"Effect": "Allow", "Action": "events:PutEvents", "Resource": home_bus}],
    )
    sfn = emu.client("stepfunctions")
    sm_arn = create_state_machine(sfn, "central", PASS)
    starter = service_role(
        emu,
        "start-central",
        "events.amazonaws.com",
        [{"Effect": "Allow", "Action": "states:StartExecution", "Resource": sm_arn}],
    )
    home, away = emu.client("events"), emu.client("events", region_name="eu-central-1")
    home.put_rule(Name="central", EventPattern=json.dumps({"source": ["frugal.notice"]}))
    home.put_targets(
        Rule="central",
        Targets=[{"Id": "sm", "Arn": sm_arn, "RoleArn": starter}],
    )
    away.put_rule(Name="forward", EventPattern=json.dumps({"source": ["frugal.notice"]}))
    away.put_targets(Rule="forward", Targets=[{"Id": "home", "Arn": home_bus, "RoleArn": role}])
    put = away.put_events(
        Entries=[
            {
                "Source": "frugal.notice",
                "DetailType": "Notice",
                "Detail": json.dumps({"n": 1}),
                "Resources": ["arn:aws:cloudwatch:eu-central-1:123456789012:alarm:a"],
            }
        ]
    )
    executions = _executions(sfn, sm_arn, 1)
    assert len(executions) == 1
    delivered = json.loads(wait_execution(sfn, executions[0]["executionArn"])["input"])
    assert delivered["region"] == "eu-central-1"
    assert delivered["id"] == put["Entries"][0]["EventId"]
    assert delivered["resources"] == ["arn:aws:cloudwatch:eu-central-1:123456789012:alarm:a"]
    assert delivered["detail"] == {"n": 1}


def test_event_bus_target_without_a_role_allowed_to_put_delivers_nothing(emu):
    emu.configure(iam={"mode": "enforce"})
    sfn = emu.client("stepfunctions")
    sm_arn = create_state_machine(sfn, "central", PASS)
    starter = service_role(
        emu,
        "start-central",
        "events.amazonaws.com",
        [{"Effect": "Allow", "Action": "states:StartExecution", "Resource": sm_arn}],
    )
    home, away = emu.client("events"), emu.client("events", region_name="eu-central-1")
    home.put_rule(Name="central", EventPattern=json.dumps({"source": ["frugal.notice"]}))
    home.put_targets(
        Rule="central",
        Targets=[{"Id": "sm", "Arn": sm_arn, "RoleArn": starter}],
    )
    away.put_rule(Name="forward", EventPattern=json.dumps({"source": ["frugal.notice"]}))
    away.put_targets(
        Rule="forward",
        Targets=[{"Id": "home", "Arn": "arn:aws:events:eu-west-1:123456789012:event-bus/default"}],
    )
    away.put_events(Entries=[{"Source": "frugal.notice", "DetailType": "Notice", "Detail": "{}"}])
    time.sleep(1)
    assert sfn.list_executions(stateMachineArn=sm_arn)["executions"] == []
