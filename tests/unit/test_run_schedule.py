"""tools/run_schedule.py: a schedule's target started as EventBridge Scheduler starts it."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

import boto3
import pytest
from moto import mock_aws
from run_schedule import context_values, fire, scheduler_timestamp, start_request, substitute_context

ROLE = "arn:aws:iam::123456789012:role/scheduler"


def test_scheduled_time_is_utc_seconds_with_z_as_aws_documents():
    # AWS's example value: 2022-03-22T18:59:43Z
    london = timezone(timedelta(hours=1))
    assert (
        scheduler_timestamp(datetime(2022, 3, 22, 19, 59, 43, 999000, tzinfo=london))
        == "2022-03-22T18:59:43Z"
    )
    with pytest.raises(ValueError, match="timezone-aware"):
        scheduler_timestamp(datetime(2022, 3, 22, 18, 59, 43))


def test_every_context_attribute_is_substituted():
    values = context_values("arn:sched", datetime(2026, 11, 21, 7, tzinfo=timezone.utc), "d32c5kddcf5bb8c3")
    template = json.dumps(
        {
            "arn": "<aws.scheduler.schedule-arn>",
            "at": "<aws.scheduler.scheduled-time>",
            "id": "<aws.scheduler.execution-id>",
            "attempt": "<aws.scheduler.attempt-number>",
            "other": "<aws.events.event>",
        }
    )
    assert json.loads(substitute_context(template, values)) == {
        "arn": "arn:sched",
        "at": "2026-11-21T07:00:00Z",
        "id": "d32c5kddcf5bb8c3",
        "attempt": "1",
        "other": "<aws.events.event>",  # not a Scheduler keyword: left as it is
    }


def test_keywords_are_matched_as_text_so_json_escaped_ones_stay_unreplaced():
    # Terraform's jsonencode writes `<` as \u003c; Scheduler replaces the keyword text only, so an
    # escaped keyword reaches the target unreplaced (the same holds for EventBridge input templates).
    values = context_values("arn:sched", datetime(2026, 11, 21, 7, tzinfo=timezone.utc))
    escaped = '{"scheduled_time":"\\u003caws.scheduler.scheduled-time\\u003e"}'
    assert json.loads(substitute_context(escaped, values)) == {
        "scheduled_time": "<aws.scheduler.scheduled-time>"
    }


def test_generated_execution_ids_look_like_schedulers():
    first = context_values("a", datetime.now(timezone.utc))["execution-id"]
    second = context_values("a", datetime.now(timezone.utc))["execution-id"]
    assert re.fullmatch(r"[0-9a-z]{16}", first) and first != second


def test_only_state_machine_targets_are_started():
    schedule = {
        "Name": "s",
        "Target": {"Arn": "arn:aws:lambda:eu-west-1:123456789012:function:f", "RoleArn": ROLE},
    }
    with pytest.raises(ValueError, match=r"s: target .* is not a Step Functions state machine"):
        start_request(schedule, context_values("a", datetime.now(timezone.utc)))


def test_invalid_json_after_substitution_is_refused():
    schedule = {
        "Name": "s",
        "Target": {
            "Arn": "arn:aws:states:eu-west-1:123456789012:stateMachine:m",
            "RoleArn": ROLE,
            "Input": "{x",
        },
    }
    with pytest.raises(ValueError):
        start_request(schedule, context_values("a", datetime.now(timezone.utc)))


@mock_aws
def test_fire_starts_the_target_with_the_substituted_input():
    sfn = boto3.client("stepfunctions", region_name="eu-west-1")
    scheduler = boto3.client("scheduler", region_name="eu-west-1")
    machine = sfn.create_state_machine(
        name="workflow",
        definition=json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}),
        roleArn=ROLE,
    )["stateMachineArn"]
    scheduler.create_schedule(
        Name="daily",
        ScheduleExpression="cron(0 7 * * ? *)",
        ScheduleExpressionTimezone="Europe/London",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={
            "Arn": machine,
            "RoleArn": ROLE,
            "Input": '{"scheduled_time":"<aws.scheduler.scheduled-time>"}',
        },
    )
    started = fire(scheduler, sfn, "daily", scheduled_time=datetime(2026, 11, 21, 7, tzinfo=timezone.utc))
    described = sfn.describe_execution(executionArn=started["executionArn"])
    assert described["stateMachineArn"] == machine
    assert json.loads(described["input"]) == {"scheduled_time": "2026-11-21T07:00:00Z"}
    assert started["roleArn"] == ROLE
    # no name given, as Scheduler gives none: Step Functions generated one
    assert re.fullmatch(r"[0-9a-f-]{36}", described["name"])
