"""Wait states end at the time they name, never before it.

AWS behaviour (https://docs.aws.amazon.com/step-functions/latest/dg/state-wait.html):
- `Timestamp` / `TimestampPath`: "An absolute time to wait until", in "the RFC3339 profile of ISO
  8601 ... an uppercase T must separate the date and time portions, and an uppercase Z must denote
  that a numeric time zone offset is not present" — so fractional seconds and numeric offsets
  (`2026-12-01T10:00:00.250+01:00`) are valid, and the state does not end before that instant;
- `Seconds` / `SecondsPath`: wait that many seconds before the next state.

moto 5.2.1:
- truncates a timestamp's fraction, subtracts a naive local `datetime.now()` from a naive UTC
  value, and rounds the difference down to whole seconds; `_wait_interval` then rounds the time
  already waited down as well. A Wait until `...10:00:05.900Z` therefore ended as early as
  `10:00:05.000` (up to a second early; hours off on a machine whose local zone is not UTC);
- rejects numeric offsets (its pattern only accepts `Z`).

Here the wait is computed in float seconds against an aware UTC clock and waited for until an
absolute monotonic deadline; an interrupt that leaves the execution running resumes the wait,
one that stops the execution ends it (moto's contract for `program_state_event`).
"""

from __future__ import annotations

import datetime
import re
import time
from typing import Any, Optional

from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import FailureEventException

from local_emulator.patching import replace

_WAIT = "moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function"
_TIMESTAMP = "moto.stepfunctions.parser.asl.component.state.wait.wait_function.timestamp"

# RFC 3339 date-time with an uppercase T, optional fraction, and Z or a numeric offset.
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def parse_timestamp(text: str) -> Optional[datetime.datetime]:
    """The instant an ASL timestamp names (aware, UTC), or None if AWS would reject the text."""
    if not isinstance(text, str) or not _RFC3339.match(text):
        return None
    main, zone = (text[:-1], "") if text.endswith("Z") else (text[:-6], text[-6:])
    seconds, _, fraction = main.partition(".")
    try:
        value = datetime.datetime.strptime(seconds, "%Y-%m-%dT%H:%M:%S")
    except ValueError:
        return None
    micros = int((fraction + "000000")[:6]) if fraction else 0
    # Digits past microseconds cannot move the instant by a whole microsecond; round them up so
    # the wait never ends before the named instant.
    if fraction[6:].strip("0"):
        micros += 1
    offset = datetime.timedelta(0)
    if zone:
        sign = -1 if zone[0] == "-" else 1
        offset = sign * datetime.timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
    value = value.replace(tzinfo=datetime.timezone(offset)) + datetime.timedelta(microseconds=micros)
    return value.astimezone(datetime.timezone.utc)


def seconds_until(instant: datetime.datetime) -> float:
    return (instant - datetime.datetime.now(datetime.timezone.utc)).total_seconds()


def wait_interval(self: Any, env: Any, wait_seconds: float) -> None:
    """Block until `wait_seconds` have passed, or the execution stops running."""
    deadline = time.monotonic() + max(0.0, float(wait_seconds))
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return
        env.program_state_event.wait(remaining)
        if not env.is_running():
            return


def apply() -> None:
    replace(_WAIT, "WaitFunction._wait_interval", wait_interval)
    replace(_TIMESTAMP, "Timestamp._from_timestamp_string", staticmethod(parse_timestamp))

    def get_wait_seconds(self: Any, env: Any) -> float:
        self.string.eval(env=env)
        text = env.stack.pop()
        instant = parse_timestamp(text)
        if instant is None:
            raise FailureEventException(self._create_failure_event(env, text))
        return seconds_until(instant)

    replace(_TIMESTAMP, "Timestamp._get_wait_seconds", get_wait_seconds)
