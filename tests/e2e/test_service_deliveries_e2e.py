"""The applied environment's resource and key policies let AWS's service principals deliver.

Each delivery is performed by the emulator as the service does it, with the principal and the
confused-deputy keys AWS sends, against what `terraform apply` deployed: every alarm's action on
the (KMS-encrypted) failure topic, the guard trail's files in its bucket, each layer bucket's
access logs in the log bucket. A denial would mean AWS silently drops the notification or log.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from notifications import subscribe_inbox

pytestmark = [pytest.mark.emulator, pytest.mark.e2e]


def _service_decisions(emulator: Any, principal: str) -> list[tuple[str, str]]:
    return sorted({(d["action"], d["decision"]) for d in emulator.decisions() if d["principal"] == principal})


def test_every_alarm_notifies_the_failure_topic(applied_local_env):
    emulator = applied_local_env.emulator
    sqs, sns, cloudwatch = emulator.client("sqs"), emulator.client("sns"), emulator.client("cloudwatch")
    topic = applied_local_env.output("failure_topic_arn")
    inbox = subscribe_inbox(sns, sqs, topic, "e2e-alarm-inbox")
    alarms = [a for a in cloudwatch.describe_alarms()["MetricAlarms"] if topic in a["AlarmActions"]]
    assert len(alarms) >= 3, [a["AlarmName"] for a in alarms]  # workflow, functions, schedule DLQ, guard
    try:
        for alarm in alarms:
            cloudwatch.set_alarm_state(AlarmName=alarm["AlarmName"], StateValue="ALARM", StateReason="e2e")
        received = [json.loads(m["Message"])["AlarmName"] for m in inbox.wait_for(len(alarms), timeout=10)]
        assert sorted(received) == sorted(a["AlarmName"] for a in alarms)
        decided = _service_decisions(emulator, "cloudwatch.amazonaws.com")
        encrypted = "KmsMasterKeyId" in sns.get_topic_attributes(TopicArn=topic)["Attributes"]
        wanted = {("sns:Publish", "allowed")} | ({("kms:GenerateDataKey", "allowed")} if encrypted else set())
        assert wanted <= set(decided) and all(decision == "allowed" for _, decision in decided), decided
    finally:
        for alarm in alarms:
            cloudwatch.set_alarm_state(AlarmName=alarm["AlarmName"], StateValue="OK", StateReason="e2e done")
        # Unsubscribes first: later publishes to the topic (the pipeline's failure notifications)
        # must not meet a subscription whose queue is gone.
        inbox.close()


def test_the_guard_trail_delivers_its_files(applied_local_env):
    emulator = applied_local_env.emulator
    trail = applied_local_env.output("guard_trail_arn")
    record = {"eventSource": "glue.amazonaws.com", "eventName": "CreateSession"}
    outcome = emulator.control("POST", "/_emulator/cloudtrail/deliver", {"trail": trail, "records": [record]})
    assert outcome["denial"] is None, outcome
    assert {key.split("/")[2] for key in outcome["delivered"]} == {"CloudTrail", "CloudTrail-Digest"}
    assert ("s3:PutObject", "allowed") in _service_decisions(emulator, "cloudtrail.amazonaws.com")


def test_every_layer_bucket_delivers_access_logs(applied_local_env):
    emulator = applied_local_env.emulator
    buckets = applied_local_env.output("storage_bucket_names")
    log_bucket = applied_local_env.output("storage_access_log_bucket_name")
    for layer, bucket in buckets.items():
        outcome = emulator.control(
            "POST", "/_emulator/s3/deliver-access-logs", {"bucket": bucket, "records": [f"e2e {layer}"]}
        )
        assert outcome["denial"] is None, outcome
        assert outcome["delivered"].startswith(f"s3://{log_bucket}/s3-access/{layer}/")
    assert _service_decisions(emulator, "logging.s3.amazonaws.com") == [("s3:PutObject", "allowed")]
