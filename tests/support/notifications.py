"""Reading SNS notifications back through an SQS queue: the one reader every suite uses.

A test cannot ask SNS what it published, so it subscribes a queue to the topic and reads the queue.
`subscribe_inbox` creates the queue with the access policy AWS requires for that delivery (the
queue must allow `sns.amazonaws.com` to `sqs:SendMessage`, only from the subscribed topics:
https://docs.aws.amazon.com/sns/latest/dg/subscribe-sqs-queue-to-sns-topic.html) and subscribes
it. `Inbox` then reads and deletes what arrived and decodes the SNS envelope (`Type`, `TopicArn`,
`Subject`, `Message`, `MessageAttributes`, ... as JSON in the SQS body; raw message delivery is
off, as on the product's subscriptions).

Works the same against in-process moto (unit tests) and the emulator (ASL and e2e suites); it
imports nothing but the standard library, so Python 3.9 loads it too.
"""

import json
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Union

Envelope = Dict[str, Any]


def decode(body: str) -> Envelope:
    """The SNS envelope in an SQS message body (raises when the body is not one)."""
    envelope = json.loads(body)
    if not isinstance(envelope, dict) or "Message" not in envelope:
        raise ValueError(f"not an SNS notification envelope: {body[:200]}")
    return envelope


def subject_and_message(envelope: Envelope) -> Dict[str, str]:
    """The two fields most assertions read: {"Subject": ... ("" when none), "Message": ...}."""
    return {"Subject": envelope.get("Subject", ""), "Message": envelope["Message"]}


def delivery_policy(queue_arn: str, topic_arns: Sequence[str]) -> Dict[str, Any]:
    """The queue policy that lets exactly these topics deliver to the queue."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "TopicsDeliver",
                "Effect": "Allow",
                "Principal": {"Service": "sns.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": queue_arn,
                "Condition": {"ArnEquals": {"aws:SourceArn": list(topic_arns)}},
            }
        ],
    }


@dataclass
class Inbox:
    """An SQS queue subscribed to one or more topics."""

    sqs: Any
    sns: Any
    url: str
    subscription_arns: List[str] = field(default_factory=list)

    def receive(self, wait_seconds: int = 0) -> List[Envelope]:
        """One ReceiveMessage (up to 10 messages, long-polling `wait_seconds`), deleted and decoded."""
        batch = self.sqs.receive_message(
            QueueUrl=self.url, MaxNumberOfMessages=10, WaitTimeSeconds=wait_seconds
        ).get("Messages", [])
        envelopes = []
        for message in batch:
            envelopes.append(decode(message["Body"]))
            self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=message["ReceiptHandle"])
        return envelopes

    def drain(self, wait_seconds: float = 0.0, long_poll: int = 0) -> List[Envelope]:
        """Everything delivered so far, oldest batch first, consumed.

        Reads until a receive comes back empty. When nothing at all has arrived, keeps asking until
        `wait_seconds` have passed (for a notification still on its way). `long_poll` is each
        receive's WaitTimeSeconds: with 1, the drain ends only after a quiet second.
        """
        deadline = time.monotonic() + wait_seconds
        found: List[Envelope] = []
        while True:
            batch = self.receive(long_poll)
            found.extend(batch)
            if batch:
                continue
            if found or time.monotonic() >= deadline:
                return found
            if not long_poll:
                time.sleep(0.1)

    def wait_for(self, count: int, timeout: float, long_poll: int = 1) -> List[Envelope]:
        """Read until `count` notifications arrived or `timeout` seconds passed; returns what arrived
        (the caller asserts on it, so a shortfall shows what did come)."""
        deadline = time.monotonic() + timeout
        found: List[Envelope] = []
        while len(found) < count and time.monotonic() < deadline:
            batch = self.receive(long_poll)
            found.extend(batch)
            if not batch and not long_poll:
                time.sleep(0.1)
        return found

    def close(self) -> None:
        """Unsubscribe first, then delete the queue: a later publish must not meet a subscription
        whose queue is gone."""
        for arn in self.subscription_arns:
            self.sns.unsubscribe(SubscriptionArn=arn)
        self.subscription_arns = []
        self.sqs.delete_queue(QueueUrl=self.url)


def subscribe_inbox(
    sns: Any,
    sqs: Any,
    topic_arns: Union[str, Sequence[str]],
    queue_name: str,
    filter_policy: Optional[Dict[str, Any]] = None,
) -> Inbox:
    """A new queue `queue_name`, allowed to receive from `topic_arns` and subscribed to each of them
    (with `filter_policy` on every subscription when given)."""
    topics = [topic_arns] if isinstance(topic_arns, str) else list(topic_arns)
    url = sqs.create_queue(QueueName=queue_name)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.set_queue_attributes(
        QueueUrl=url, Attributes={"Policy": json.dumps(delivery_policy(queue_arn, topics))}
    )
    attributes = {"FilterPolicy": json.dumps(filter_policy)} if filter_policy is not None else {}
    subscriptions = [
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes=attributes)[
            "SubscriptionArn"
        ]
        for topic in topics
    ]
    return Inbox(sqs=sqs, sns=sns, url=url, subscription_arns=subscriptions)
