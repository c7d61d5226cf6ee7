"""Wait states end at the instant they name, never before it (corrections/sfn_wait.py)."""

from __future__ import annotations

import datetime
import json

import pytest
from sfn_support import create_state_machine, run_execution

from local_emulator.corrections.sfn_wait import parse_timestamp

pytestmark = pytest.mark.emulator

WAIT_THEN_CLOCK = {
    "QueryLanguage": "JSONata",
    "StartAt": "WaitUntil",
    "States": {
        "WaitUntil": {"Type": "Wait", "Timestamp": "{% $states.input.until %}", "Next": "Clock"},
        "Clock": {"Type": "Pass", "Output": {"nowMillis": "{% $millis() %}"}, "End": True},
    },
}


def _text(instant: datetime.datetime, offset_hours: int = 0) -> str:
    zone = datetime.timezone(datetime.timedelta(hours=offset_hours))
    local = instant.astimezone(zone)
    suffix = "Z" if offset_hours == 0 else local.strftime("%z")[:3] + ":" + local.strftime("%z")[3:]
    return local.strftime("%Y-%m-%dT%H:%M:%S.") + f"{local.microsecond // 1000:03d}" + suffix


def _run_until(emu, until: str) -> dict:
    sfn = emu.client("stepfunctions")
    arn = create_state_machine(sfn, "wait-until", WAIT_THEN_CLOCK)
    return run_execution(sfn, arn, {"until": until})


def test_timestamp_with_a_late_fraction_is_not_cut_short(emu):
    # .999 is where truncating the fraction and then the difference lost almost two seconds.
    now = datetime.datetime.now(datetime.timezone.utc)
    until = (now + datetime.timedelta(seconds=2)).replace(microsecond=999_000)
    result = _run_until(emu, _text(until))
    assert result["status"] == "SUCCEEDED", result
    ended_ms = json.loads(result["output"])["nowMillis"]
    assert ended_ms >= until.timestamp() * 1000


def test_timestamp_with_numeric_offset_is_accepted_and_honoured(emu):
    until = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=1.5)
    result = _run_until(emu, _text(until, offset_hours=2))
    assert result["status"] == "SUCCEEDED", result
    assert json.loads(result["output"])["nowMillis"] >= int(until.timestamp() * 1000)


def test_timestamp_in_the_past_continues_at_once(emu):
    result = _run_until(emu, "2020-01-01T00:00:00Z")
    assert result["status"] == "SUCCEEDED", result
    waited = (result["stopDate"] - result["startDate"]).total_seconds()
    assert waited < 1.0


def test_malformed_timestamp_fails_the_execution_as_aws_does(emu):
    result = _run_until(emu, "2026-12-01 10:00:00")  # no uppercase T
    assert result["status"] == "FAILED"
    assert result["error"] == "States.Runtime"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-01T10:00:05Z", "2026-12-01T10:00:05+00:00"),
        ("2026-12-01T10:00:05.9Z", "2026-12-01T10:00:05.900000+00:00"),
        ("2026-12-01T11:00:05.25+01:00", "2026-12-01T10:00:05.250000+00:00"),
        ("2026-12-01T05:30:00-04:30", "2026-12-01T10:00:00+00:00"),
        # Sub-microsecond digits round up: the wait may end late, never early.
        ("2026-12-01T10:00:05.0000001Z", "2026-12-01T10:00:05.000001+00:00"),
    ],
)
def test_parse_timestamp_keeps_fraction_and_offset(text, expected):
    assert parse_timestamp(text).isoformat() == expected


@pytest.mark.parametrize(
    "text", ["2026-12-01 10:00:05Z", "2026-12-01t10:00:05Z", "2026-12-01T10:00:05", "2026-13-01T10:00:05Z"]
)
def test_parse_timestamp_rejects_what_aws_rejects(text):
    assert parse_timestamp(text) is None
