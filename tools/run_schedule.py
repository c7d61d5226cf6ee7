"""`make run ENV=<local|dev|prod>`: start the pipeline workflow now, exactly as its schedule would.

Reads the EventBridge Scheduler schedule (`scheduler:GetSchedule`; name from the env's Terraform
output `pipeline_schedule_name` unless `--schedule` is given), substitutes the context attributes
in the target's Input as Scheduler does when it invokes a target
(https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-context-attributes.html:
`<aws.scheduler.schedule-arn>`, `<aws.scheduler.scheduled-time>` e.g. `2022-03-22T18:59:43Z`,
`<aws.scheduler.execution-id>`, `<aws.scheduler.attempt-number>`), then calls
`states:StartExecution` on the target ARN with that input and no name (Step Functions names it
with a UUID, as for Scheduler's own starts). Prints the execution ARN; `--wait` follows it state
by state and exits 1 unless it SUCCEEDED.

The scheduled time is "now" (second precision, UTC) unless `--scheduled-time` says otherwise, so
the workflow's ingest date is today's UTC date. The call is made with your credentials, not the
schedule's role (its trust policy admits only scheduler.amazonaws.com); the role is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Optional

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO_ROOT / "tools")]

STATES_ARN_PREFIX = "arn:aws:states:"
CONTEXT_ATTRIBUTES = ("schedule-arn", "scheduled-time", "execution-id", "attempt-number")


def scheduler_timestamp(moment: datetime) -> str:
    """Scheduler's format for <aws.scheduler.scheduled-time>: UTC, seconds, `Z`."""
    if moment.tzinfo is None:
        raise ValueError("scheduled time must be timezone-aware")
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def context_values(
    schedule_arn: str, scheduled_time: datetime, execution_id: Optional[str] = None, attempt: int = 1
) -> dict[str, str]:
    """The four context attributes for one invocation attempt."""
    return {
        "schedule-arn": schedule_arn,
        "scheduled-time": scheduler_timestamp(scheduled_time),
        # Scheduler's ids look like `d32c5kddcf5bb8c3`: 16 lower-case alphanumerics.
        "execution-id": execution_id or uuid.uuid4().hex[:16],
        "attempt-number": str(attempt),
    }


def substitute_context(payload: str, values: Mapping[str, str]) -> str:
    """Replace each `<aws.scheduler.NAME>` keyword in the payload text with its value.

    Scheduler replaces the keywords in the payload text; the template in our schedule puts them
    inside JSON strings, and none of the values contain characters JSON would have to escape.
    """
    for name in CONTEXT_ATTRIBUTES:
        payload = payload.replace(f"<aws.scheduler.{name}>", values[name])
    return payload


def start_request(schedule: Mapping[str, Any], values: Mapping[str, str]) -> dict[str, str]:
    """StartExecution arguments for a schedule whose target is a state machine (templated target)."""
    target = schedule["Target"]
    if not target["Arn"].startswith(STATES_ARN_PREFIX) or ":stateMachine:" not in target["Arn"]:
        raise ValueError(
            f"schedule {schedule['Name']}: target {target['Arn']} is not a Step Functions state machine"
        )
    request = {"stateMachineArn": target["Arn"]}
    if "Input" in target:
        request["input"] = substitute_context(target["Input"], values)
        json.loads(request["input"])  # StartExecution would refuse invalid JSON; fail here, clearly
    return request


def fire(
    scheduler: Any,
    sfn: Any,
    name: str,
    group: str = "default",
    scheduled_time: Optional[datetime] = None,
) -> dict[str, str]:
    """Start the schedule's target once as Scheduler would; returns executionArn, input, role."""
    schedule = scheduler.get_schedule(Name=name, GroupName=group)
    if schedule.get("State") == "DISABLED":
        print(f"note: schedule {name} is DISABLED; starting its target anyway", file=sys.stderr)
    values = context_values(schedule["Arn"], scheduled_time or datetime.now(timezone.utc))
    request = start_request(schedule, values)
    started = sfn.start_execution(**request)
    return {
        "executionArn": started["executionArn"],
        "input": request.get("input", "{}"),
        "roleArn": schedule["Target"]["RoleArn"],
        "scheduledTime": values["scheduled-time"],
    }


def follow(
    sfn: Any,
    execution_arn: str,
    on_state: Optional[Callable[[float, str, str], None]] = None,
    poll_seconds: float = 0.3,
    timeout: float = 1800.0,
) -> dict[str, Any]:
    """Report each state entered (seconds since start, event type, state) until the execution ends."""
    seen, started = 0, time.monotonic()
    report = on_state or (lambda s, kind, state: print(f"    {s:6.1f}s  {kind:<22} {state}", flush=True))
    while True:
        # Status first, history second: a finished execution's history is then complete.
        described = sfn.describe_execution(executionArn=execution_arn)
        events = _history(sfn, execution_arn)
        for event in events[seen:]:
            if "stateEnteredEventDetails" in event:
                report(time.monotonic() - started, event["type"], event["stateEnteredEventDetails"]["name"])
        seen = len(events)
        if described["status"] != "RUNNING":
            return described
        if time.monotonic() - started > timeout:
            raise TimeoutError(f"{execution_arn} still RUNNING after {timeout:.0f} s")
        time.sleep(poll_seconds)


def _history(sfn: Any, execution_arn: str) -> list[dict[str, Any]]:
    events, token = [], None
    while True:
        page = sfn.get_execution_history(
            executionArn=execution_arn, maxResults=1000, **({"nextToken": token} if token else {})
        )
        events.extend(page["events"])
        token = page.get("nextToken")
        if not token:
            return events


def _clients(env: str, port: int) -> tuple[Any, Any, dict[str, str]]:
    import boto3  # noqa: PLC0415 - keeps --help fast
    import envctl  # noqa: PLC0415

    if env != "local":
        return boto3.client("scheduler"), boto3.client("stepfunctions"), {}
    variables = envctl.emulator_environment(port)
    options = {
        "endpoint_url": variables["AWS_ENDPOINT_URL"],
        "verify": variables["AWS_CA_BUNDLE"],
        "region_name": variables["AWS_DEFAULT_REGION"],
        "aws_access_key_id": variables["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": variables["AWS_SECRET_ACCESS_KEY"],
    }
    return boto3.client("scheduler", **options), boto3.client("stepfunctions", **options), variables


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--env", default=os.environ.get("ENV", "local"), choices=("local", "dev", "prod"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("EMULATOR_PORT", "4566")))
    parser.add_argument("--schedule", help="schedule name (default: Terraform output pipeline_schedule_name)")
    parser.add_argument("--group", default="default", help="schedule group (default: default)")
    parser.add_argument(
        "--scheduled-time",
        type=lambda text: datetime.fromisoformat(text.replace("Z", "+00:00")),
        help="ISO-8601 time with zone to use as <aws.scheduler.scheduled-time> (default: now)",
    )
    parser.add_argument("--wait", action="store_true", help="follow the execution until it ends")
    args = parser.parse_args(argv)

    scheduler, sfn, variables = _clients(args.env, args.port)
    name = args.schedule
    if not name:
        import envctl  # noqa: PLC0415

        name = str(envctl.outputs(args.env, variables)["pipeline_schedule_name"])
    started = fire(scheduler, sfn, name, args.group, args.scheduled_time)
    print(f"schedule {name} fired (scheduled time {started['scheduledTime']}; role {started['roleArn']})")
    print(f"input: {started['input']}")
    print(started["executionArn"], flush=True)
    if not args.wait:
        return 0
    result = follow(sfn, started["executionArn"])
    print(f"execution {result['status']}")
    if result["status"] != "SUCCEEDED":
        print(result.get("cause") or result.get("error") or "", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
