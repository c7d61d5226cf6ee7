"""SNS Publish succeeds when one subscribed SQS queue is gone; the other subscribers still get it.

AWS behaviour: Publish only accepts the message for the topic; delivery to each subscription
happens afterwards and independently. A subscribed queue that was deleted is a client-side
delivery error: SNS does not retry it and, without a dead-letter queue on the subscription,
discards the message for that subscription
(https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html, "Client-side
errors ... when ... the endpoint has been deleted"); the failure is counted in the topic's
CloudWatch metric `NumberOfNotificationsFailed` (namespace `AWS/SNS`, dimension `TopicName`,
https://docs.aws.amazon.com/sns/latest/dg/sns-monitoring-using-cloudwatch.html). The publisher
sees a normal `MessageId` (https://docs.aws.amazon.com/sns/latest/api/API_Publish.html).

moto 5.2.1 delivers inside Publish (`Subscription.publish` -> `SQSBackend.send_message`) and lets
`QueueDoesNotExist` escape, so Publish fails (HTTP 400 `AWS.SimpleQueueService.NonExistentQueue`)
and the subscriptions after the deleted queue get nothing. The correction catches that delivery
error per subscription, logs it, and counts it in `NumberOfNotificationsFailed`.
"""

from __future__ import annotations

import logging
from typing import Any

from local_emulator.patching import target

LOG = logging.getLogger("local_emulator.sns")


def _count_failure(subscription: Any) -> None:
    from moto.cloudwatch.models import cloudwatch_backends  # noqa: PLC0415 - moto loads lazily

    topic = subscription.topic
    try:
        backend = cloudwatch_backends[topic.account_id][topic.sns_backend.region_name]
        backend.put_metric_data(
            namespace="AWS/SNS",
            metric_data=[
                {
                    "MetricName": "NumberOfNotificationsFailed",
                    "Dimensions": [{"Name": "TopicName", "Value": topic.name}],
                    "Value": 1.0,
                    "Unit": "Count",  # no Timestamp: moto stamps it (now) in its own form
                }
            ],
        )
    except Exception:  # the metric must never change the publish's outcome
        LOG.debug("could not count the failed SNS delivery", exc_info=True)


def apply() -> None:
    from moto.sqs.exceptions import QueueDoesNotExist  # noqa: PLC0415

    owner, attr, publish = target("moto.sns.models", "Subscription.publish")

    def publish_or_count(self: Any, *args: Any, **kwargs: Any) -> None:
        try:
            publish(self, *args, **kwargs)
        except QueueDoesNotExist:
            LOG.warning(
                "SNS delivery failed: %s -> %s (queue does not exist); message discarded for this "
                "subscription, NumberOfNotificationsFailed counted",
                self.topic.arn,
                self.endpoint,
            )
            _count_failure(self)

    setattr(owner, attr, publish_or_count)
