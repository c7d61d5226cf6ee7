"""tests/support/notifications.py: the one SNS-through-SQS reader, on in-process moto."""

import json
import os
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from notifications import Inbox, decode, subject_and_message, subscribe_inbox

REGION = "eu-west-1"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, Any]]:
    for name in list(os.environ):
        if name.startswith("AWS_ENDPOINT_URL") or name in ("AWS_PROFILE", "AWS_CA_BUNDLE"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        yield boto3.client("sns", region_name=REGION), boto3.client("sqs", region_name=REGION)


def topic(sns: Any, name: str) -> str:
    return sns.create_topic(Name=name)["TopicArn"]


def test_queue_policy_lets_only_the_subscribed_topics_deliver(aws):
    sns, sqs = aws
    arns = [topic(sns, "success"), topic(sns, "failure")]
    inbox = subscribe_inbox(sns, sqs, arns, "both-inbox")
    attributes = sqs.get_queue_attributes(QueueUrl=inbox.url, AttributeNames=["Policy", "QueueArn"])
    [statement] = json.loads(attributes["Attributes"]["Policy"])["Statement"]
    assert statement["Principal"] == {"Service": "sns.amazonaws.com"}
    assert statement["Action"] == "sqs:SendMessage"
    assert statement["Resource"] == attributes["Attributes"]["QueueArn"]
    assert statement["Condition"] == {"ArnEquals": {"aws:SourceArn": arns}}
    assert len(inbox.subscription_arns) == 2


def test_drain_reads_every_message_decodes_the_envelope_and_consumes_it(aws):
    sns, sqs = aws
    arn = topic(sns, "failures")
    inbox = subscribe_inbox(sns, sqs, arn, "failures-inbox")
    for n in range(13):  # more than one ReceiveMessage batch (10)
        sns.publish(TopicArn=arn, Subject=f"failed {n}", Message=f"body {n}")
    sns.publish(TopicArn=arn, Message="no subject")

    found = inbox.drain()

    assert sorted(e["Subject"] for e in found if "Subject" in e) == sorted(f"failed {n}" for n in range(13))
    assert {e["TopicArn"] for e in found} == {arn}
    assert subject_and_message(next(e for e in found if e["Message"] == "no subject")) == {
        "Subject": "",
        "Message": "no subject",
    }
    assert inbox.drain() == []  # consumed


def test_wait_for_returns_what_arrived_when_fewer_than_asked(aws):
    sns, sqs = aws
    arn = topic(sns, "success")
    inbox = subscribe_inbox(sns, sqs, arn, "success-inbox")
    sns.publish(TopicArn=arn, Subject="one", Message="1")
    sns.publish(TopicArn=arn, Subject="two", Message="2")

    assert sorted(e["Subject"] for e in inbox.wait_for(2, timeout=5, long_poll=0)) == ["one", "two"]
    sns.publish(TopicArn=arn, Subject="three", Message="3")
    assert [e["Subject"] for e in inbox.wait_for(2, timeout=0.3, long_poll=0)] == ["three"]


def test_filter_policy_reaches_each_subscription(aws):
    sns, sqs = aws
    arn = topic(sns, "success")
    alice = subscribe_inbox(sns, sqs, arn, "alice-inbox", filter_policy={"owner": ["alice@example.com"]})
    everyone = subscribe_inbox(sns, sqs, arn, "everyone-inbox")
    for owner in ("alice@example.com", "bob@example.com"):
        sns.publish(
            TopicArn=arn,
            Subject=f"stopped: {owner}",
            Message="m",
            MessageAttributes={"owner": {"DataType": "String", "StringValue": owner}},
        )

    assert [e["Subject"] for e in alice.drain()] == ["stopped: alice@example.com"]
    assert len(everyone.drain()) == 2


def test_close_unsubscribes_before_deleting_the_queue(aws):
    sns, sqs = aws
    arn = topic(sns, "failures")
    inbox = subscribe_inbox(sns, sqs, arn, "short-lived-inbox")

    inbox.close()

    assert sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"] == []
    assert inbox.url not in sqs.list_queues().get("QueueUrls", [])
    sns.publish(TopicArn=arn, Message="nobody listens")  # no subscription left to fail


def test_an_existing_queue_url_reads_the_same_way(aws):
    sns, sqs = aws
    arn = topic(sns, "success")
    url = subscribe_inbox(sns, sqs, arn, "by-url-inbox").url
    sns.publish(TopicArn=arn, Subject="s", Message="m")
    assert [subject_and_message(e) for e in Inbox(sqs, sns, url).drain()] == [
        {"Subject": "s", "Message": "m"}
    ]


@pytest.mark.parametrize("body", ['{"Subject": "no Message"}', "[1, 2]"])
def test_decode_refuses_what_is_not_an_sns_envelope(body):
    with pytest.raises(ValueError, match="not an SNS notification envelope"):
        decode(body)
