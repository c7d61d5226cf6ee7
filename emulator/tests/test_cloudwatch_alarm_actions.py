"""Alarm actions publish as cloudwatch.amazonaws.com, judged against the topic and key policies."""

from __future__ import annotations

import json
import time

import pytest

pytestmark = pytest.mark.emulator

ACCOUNT = "123456789012"
REGION = "eu-west-1"
ALARM_ARN = f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:"


def _topic(emu, name, publishers, key=None):
    sns, sqs = emu.client("sns"), emu.client("sqs")
    attributes = {"KmsMasterKeyId": key} if key else {}
    arn = sns.create_topic(Name=name, Attributes=attributes)["TopicArn"]
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ServicesPublish",
                "Effect": "Allow",
                "Principal": {"Service": publishers},
                "Action": "sns:Publish",
                "Resource": arn,
                "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
            }
        ],
    }
    sns.set_topic_attributes(TopicArn=arn, AttributeName="Policy", AttributeValue=json.dumps(policy))
    url = sqs.create_queue(QueueName=f"{name}-inbox")["QueueUrl"]
    queue = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=queue)
    return arn, url


def _alarm(emu, name, topic):
    emu.client("cloudwatch").put_metric_alarm(
        AlarmName=name,
        MetricName="ExecutionsFailed",
        Namespace="AWS/States",
        Statistic="Sum",
        Period=300,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
        AlarmActions=[topic],
    )
    emu.client("cloudwatch").set_alarm_state(AlarmName=name, StateValue="ALARM", StateReason="test")


def _messages(emu, url, wait=1.0):
    deadline = time.monotonic() + wait
    while True:
        found = emu.client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if found or time.monotonic() > deadline:
            return [json.loads(m["Body"]) for m in found]
        time.sleep(0.1)


def _decisions(emu, action):
    return [
        (d["principal"], d["resource"], d["decision"])
        for d in emu.decisions()
        if d["action"] == action and d["principal"] == "cloudwatch.amazonaws.com"
    ]


def test_alarm_publishes_when_the_topic_policy_allows_cloudwatch(emu):
    topic, url = _topic(emu, "alarms", ["cloudwatch.amazonaws.com"])
    _alarm(emu, "failures", topic)
    (message,) = _messages(emu, url)
    assert message["Subject"] == 'ALARM: "failures" in EU (Ireland)'
    body = json.loads(message["Message"])
    assert (body["AlarmArn"], body["NewStateValue"], body["OldStateValue"]) == (
        ALARM_ARN + "failures",
        "ALARM",
        "OK",
    )
    assert _decisions(emu, "sns:Publish") == [("cloudwatch.amazonaws.com", topic, "allowed")]
    # The same state again is no transition: no second notification.
    emu.client("cloudwatch").set_alarm_state(AlarmName="failures", StateValue="ALARM", StateReason="again")
    assert _messages(emu, url, wait=0.3) == []


def test_topic_policy_without_cloudwatch_drops_the_notification_and_records_it(emu):
    topic, url = _topic(emu, "events-only", ["events.amazonaws.com"])
    _alarm(emu, "failures", topic)
    assert _messages(emu, url, wait=0.5) == []
    assert _decisions(emu, "sns:Publish") == [("cloudwatch.amazonaws.com", topic, "implicitDeny")]


def _key(emu, cloudwatch_may_use):
    statements = [
        {
            "Sid": "Root",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": "kms:*",
            "Resource": "*",
        }
    ]
    if cloudwatch_may_use:
        statements.append(
            {
                "Sid": "CloudWatchAlarms",
                "Effect": "Allow",
                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
                "Resource": "*",
            }
        )
    policy = {"Version": "2012-10-17", "Statement": statements}
    return emu.client("kms").create_key(Policy=json.dumps(policy))["KeyMetadata"]["Arn"]


def test_encrypted_topic_needs_the_key_policy_to_allow_cloudwatch(emu):
    closed = _key(emu, cloudwatch_may_use=False)
    topic, url = _topic(emu, "sealed", ["cloudwatch.amazonaws.com"], key=closed)
    _alarm(emu, "sealed-failures", topic)
    assert _messages(emu, url, wait=0.5) == []
    (generate,) = _decisions(emu, "kms:GenerateDataKey")
    assert (generate[1], generate[2]) == (closed, "implicitDeny")

    opened = _key(emu, cloudwatch_may_use=True)
    topic, url = _topic(emu, "open", ["cloudwatch.amazonaws.com"], key=opened)
    _alarm(emu, "open-failures", topic)
    assert len(_messages(emu, url)) == 1


def test_audit_mode_delivers_but_still_records_the_denial(emu):
    emu.configure(iam={"mode": "audit"})
    topic, url = _topic(emu, "audit", ["events.amazonaws.com"])
    _alarm(emu, "audited", topic)
    assert len(_messages(emu, url)) == 1
    assert _decisions(emu, "sns:Publish") == [("cloudwatch.amazonaws.com", topic, "implicitDeny")]
