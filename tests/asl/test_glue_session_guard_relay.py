"""The home region's relay (glue_session_guard_relay.asl.json in the guard module) on the emulator:
it publishes the other regions' notices to the guard's own topics only, turns their alarms going
into ALARM into failure notifications, ignores the home region's alarms (they have actions), and
reports anything else as a failure."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.emulator

RELAY_ASL = "glue_session_guard_relay.asl.json"
SOURCE = "frugal-test.glue-session-guard"


def relay(harness: Any) -> str:
    success = harness.create_topic("success")
    failure = harness.create_topic("failure")
    return harness.create_state_machine(
        "relay",
        RELAY_ASL,
        {
            "notice_source": SOURCE,
            "home_region": "eu-west-1",
            "environment": "test",
            "success_topic_arn": success.arn,
            "failure_topic_arn": failure.arn,
        },
    )


def notice(topic_arn: str) -> dict[str, Any]:
    """The event a guard in eu-central-1 put and its forward rule brought to the home bus."""
    return {
        "version": "0",
        "id": "6f1a",
        "detail-type": "Glue Session Guard Notification",
        "source": SOURCE,
        "account": "123456789012",
        "time": "2026-12-01T10:00:00Z",
        "region": "eu-central-1",
        "resources": [],
        "detail": {
            "TopicArn": topic_arn,
            "Subject": "Glue session stopped: s-1",
            "Message": "The guard stopped an interactive session.\n\nRegion:         eu-central-1",
            "MessageAttributes": {
                "owner": {"DataType": "String", "StringValue": "alice@example.com"},
                "region": {"DataType": "String", "StringValue": "eu-central-1"},
            },
        },
    }


def alarm(region: str, state: str = "ALARM") -> dict[str, Any]:
    name = "frugal-test-euc1-glue-guard-dead-letters"
    return {
        "version": "0",
        "id": "7a2b",
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": "123456789012",
        "time": "2026-12-01T10:00:00Z",
        "region": region,
        "resources": [f"arn:aws:cloudwatch:{region}:123456789012:alarm:{name}"],
        "detail": {"alarmName": name, "state": {"value": state, "reason": "Threshold Crossed: 1 datapoint"}},
    }


def test_a_notice_is_published_to_its_topic_with_its_attributes(asl):
    arn = relay(asl)
    done = asl.wait(asl.start(arn, notice(asl.topics["success"].arn)))
    assert done["status"] == "SUCCEEDED", done
    [message] = asl.messages(asl.topics["success"], wait_seconds=5)
    assert message["Subject"] == "Glue session stopped: s-1"
    assert "Region:         eu-central-1" in message["Message"]
    assert message["MessageAttributes"]["owner"]["Value"] == "alice@example.com"
    assert message["MessageAttributes"]["region"]["Value"] == "eu-central-1"
    assert asl.messages(asl.topics["failure"]) == []


def test_a_notice_for_any_other_topic_is_refused_and_reported(asl):
    arn = relay(asl)
    other = asl.create_topic("someone-else")
    done = asl.wait(asl.start(arn, notice(other.arn)))
    assert done["status"] == "FAILED"
    assert asl.messages(other) == [] and asl.messages(asl.topics["success"]) == []
    [message] = asl.messages(asl.topics["failure"], wait_seconds=5)
    assert message["Subject"] == "Glue session guard relay failed at Route"
    assert "UnexpectedEvent" in message["Message"]


def test_another_regions_alarm_becomes_a_failure_notification(asl):
    arn = relay(asl)
    done = asl.wait(asl.start(arn, alarm("eu-central-1")))
    assert done["status"] == "SUCCEEDED", done
    [message] = asl.messages(asl.topics["failure"], wait_seconds=5)
    assert message["Subject"] == "ALARM: frugal-test-euc1-glue-guard-dead-letters in eu-central-1"
    assert "Threshold Crossed" in message["Message"]
    assert message["MessageAttributes"]["region"]["Value"] == "eu-central-1"


@pytest.mark.parametrize(("region", "state"), [("eu-west-1", "ALARM"), ("eu-central-1", "OK")])
def test_home_alarms_and_alarms_back_to_ok_are_not_relayed(asl, region, state):
    arn = relay(asl)
    done = asl.wait(asl.start(arn, alarm(region, state)))
    assert done["status"] == "SUCCEEDED", done
    assert asl.messages(asl.topics["failure"], wait_seconds=1) == []
    assert asl.messages(asl.topics["success"]) == []
