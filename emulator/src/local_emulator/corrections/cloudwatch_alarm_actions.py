"""CloudWatch alarms perform their SNS actions when their state changes, as the service principal.

moto 5.2.1 changes an alarm's state (SetAlarmState) and never performs its actions. AWS: when an
alarm enters ALARM, OK or INSUFFICIENT_DATA with actions enabled, CloudWatch publishes the alarm
message to each SNS topic of that state's actions
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-actions.html). It publishes as
`cloudwatch.amazonaws.com`, so the topic policy must allow that principal; AWS recommends
conditioning on `aws:SourceArn` (the alarm ARN) and `aws:SourceAccount`, which CloudWatch sends
(https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html and the confused-deputy
section of https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/auth-and-access-control-cw.html).
An encrypted topic also needs the key policy to let `cloudwatch.amazonaws.com` use
`kms:GenerateDataKey*` and `kms:Decrypt` on its key
(https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services).
A refused publish is not an API error anywhere: the notification is simply not delivered (AWS
notes the failed action in the alarm history, which moto does not serve). The emulator records
every decision (decisions log, denials file), logs the undelivered action, and publishes only
when every call is allowed. Alarms are never evaluated from metrics here: SetAlarmState is how
a state changes on the emulator (as it is how one tests an alarm's actions on AWS).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from local_emulator.constants import ACCOUNT_ID
from local_emulator.iam import services as iam_services
from local_emulator.iam.requests import Call, implied_kms
from local_emulator.patching import target

LOG = logging.getLogger("local_emulator.cloudwatch")
PRINCIPAL = "cloudwatch.amazonaws.com"
# AWS puts the region's long name in the subject and message ("in EU (Ireland)").
_REGION_NAMES = {"eu-west-1": "EU (Ireland)", "us-east-1": "US East (N. Virginia)"}


def _actions(alarm: Any, state: str) -> list[str]:
    by_state = {
        "ALARM": alarm.alarm_actions,
        "OK": alarm.ok_actions,
        "INSUFFICIENT_DATA": alarm.insufficient_data_actions,
    }
    return [a for a in by_state.get(state) or [] if a.startswith("arn:") and a.split(":")[2] == "sns"]


def alarm_message(alarm: Any, old_state: str) -> tuple[str, str]:
    """(subject, message) as CloudWatch publishes them for a metric alarm."""
    region = _REGION_NAMES.get(alarm.region_name, alarm.region_name)
    message = {
        "AlarmName": alarm.name,
        "AlarmDescription": alarm.description,
        "AWSAccountId": alarm.alarm_arn.split(":")[4],
        "AlarmConfigurationUpdatedTimestamp": alarm.configuration_updated_timestamp.isoformat(),
        "NewStateValue": alarm.state_value,
        "NewStateReason": alarm.state_reason,
        "StateChangeTime": alarm.state_updated_timestamp.isoformat(),
        "Region": region,
        "AlarmArn": alarm.alarm_arn,
        "OldStateValue": old_state,
        "Trigger": {
            "MetricName": alarm.metric_name,
            "Namespace": alarm.namespace,
            "Statistic": (alarm.statistic or "").upper(),
            "Period": alarm.period,
            "EvaluationPeriods": alarm.evaluation_periods,
            "ComparisonOperator": alarm.comparison_operator,
            "Threshold": alarm.threshold,
            "Dimensions": [{"name": d.name, "value": d.value} for d in alarm.dimensions],
        },
    }
    subject = f'{alarm.state_value}: "{alarm.name}" in {region}'[:100]
    return subject, json.dumps(message)


def perform_actions(alarm: Any, old_state: str) -> list[tuple[str, bool]]:
    """Publish to each SNS action of the alarm's new state; [(topic, delivered)]."""
    if not alarm.actions_enabled or alarm.state_value == old_state:
        return []
    from moto.sns.models import sns_backends  # noqa: PLC0415 - moto loads lazily

    outcomes = []
    for topic in _actions(alarm, alarm.state_value):
        region, account = topic.split(":")[3], topic.split(":")[4] or ACCOUNT_ID
        calls = [Call("sns:Publish", topic, {})]
        calls += implied_kms(calls, account, region)
        denial = iam_services.service_delivers(PRINCIPAL, calls, alarm.alarm_arn)
        delivered = denial is None
        if delivered:
            subject, message = alarm_message(alarm, old_state)
            try:
                sns_backends[account][region].publish(message, arn=topic, subject=subject)
            except Exception as exc:  # a deleted topic: AWS records the failed action too
                delivered, denial = False, str(exc)
        if not delivered:
            LOG.warning("alarm %s: action %s not delivered (%s)", alarm.name, topic, denial)
        outcomes.append((topic, delivered))
    return outcomes


def apply() -> None:
    owner, attr, original = target("moto.cloudwatch.models", "CloudWatchBackend.set_alarm_state")

    def set_alarm_state(self: Any, alarm_name: str, reason: str, reason_data: str, state_value: str) -> None:
        alarm = self.alarms.get(alarm_name)
        old_state = alarm.state_value if alarm is not None else ""
        original(self, alarm_name, reason, reason_data, state_value)
        perform_actions(self.alarms[alarm_name], old_state)

    setattr(owner, attr, set_alarm_state)
