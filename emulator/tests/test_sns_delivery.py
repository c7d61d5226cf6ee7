"""SNS Publish with a deleted SQS subscriber: accepted, the other subscribers still receive it."""

from __future__ import annotations

import datetime as dt
import json

import pytest

pytestmark = pytest.mark.emulator


def test_publish_survives_a_deleted_queue_and_counts_the_failed_delivery(emu):
    sns, sqs = emu.client("sns"), emu.client("sqs")
    topic = sns.create_topic(Name="notices")["TopicArn"]
    queues = {}
    for name in ("first", "gone", "last"):  # the deleted queue sits between two live ones
        url = sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
        queues[name] = url
    sqs.delete_queue(QueueUrl=queues["gone"])

    assert sns.publish(TopicArn=topic, Message="hello")["MessageId"]

    for name in ("first", "last"):
        messages = sqs.receive_message(QueueUrl=queues[name], WaitTimeSeconds=1)["Messages"]
        assert [json.loads(m["Body"])["Message"] for m in messages] == ["hello"]
    now = dt.datetime.now(dt.timezone.utc)
    stats = emu.client("cloudwatch").get_metric_statistics(
        Namespace="AWS/SNS",
        MetricName="NumberOfNotificationsFailed",
        Dimensions=[{"Name": "TopicName", "Value": "notices"}],
        StartTime=now - dt.timedelta(minutes=5),
        EndTime=now + dt.timedelta(minutes=5),
        Period=600,
        Statistics=["Sum"],
    )["Datapoints"]
    assert sum(point["Sum"] for point in stats) == 1.0
