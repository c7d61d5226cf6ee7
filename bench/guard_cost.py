"""What the Glue session guard itself costs per month, itemised, and what one forgotten session costs.

State transitions per execution are counted from the ASL files by walking the path a typical
session takes (so they follow the definition when it changes). Prices: eu-west-1 list prices,
November 2026, without free tiers (the free tier would make most lines zero).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO_ROOT / "tools")]

from asl_render import render  # noqa: E402

PRICES = {
    "sfn_per_transition": 0.025 / 1000,  # Step Functions Standard
    "alarm_per_month": 0.10,  # CloudWatch standard-resolution metric alarm
    "kms_key_per_month": 1.00,  # customer-managed key (notifications + trail)
    "kms_per_request": 0.03 / 10000,
    "sns_email_per_message": 2.00 / 100000,
    "scheduler_per_invocation": 1.00 / 1_000_000,
    "s3_standard_gb_month": 0.023,
    "logs_ingest_per_gb": 0.57,
    "glue_dpu_hour": 0.44,  # interactive sessions
}
SESSIONS_PER_DAY = 20
SWEEPS_PER_DAY = 24 * 60 // 15  # default sweeper_interval_minutes = 15
EXTRA_POLLS_PER_SESSION = 2  # sessions still PROVISIONING at the lifetime (back-off polls)
TRAIL_MB_PER_DAY = 5.0  # management write events of a small data account, gzip'd JSON
DAYS = 30

GUARD_VARS = {
    "lifetime_seconds": 3600,
    "poll_interval_seconds": 10,
    "max_polls": 40,
    "dry_run": False,
    "exempt_tag_key": "",
    "exempt_tag_value": "",
    "owner_tag_key": "owner",
    "max_workers": 0,
    "allowed_worker_types": [],
    "max_idle_timeout_minutes": 0,
    "require_connection": False,
    "price_per_dpu_hour": 0.44,
    "environment": "bench",
    "success_topic_arn": "arn:aws:sns:eu-west-1:123456789012:s",
    "failure_topic_arn": "arn:aws:sns:eu-west-1:123456789012:f",
}


def walk(definition: dict[str, Any], choose: dict[str, str]) -> list[str]:
    """States entered from StartAt to an end, taking `choose[state]` at Choice states (else Default)."""
    path, name = [], definition["StartAt"]
    while name:
        path.append(name)
        state = definition["States"][name]
        if state["Type"] == "Choice":
            name = choose.get(name, state.get("Default", ""))
        elif state.get("End") or state["Type"] in ("Succeed", "Fail"):
            name = ""
        else:
            name = state.get("Next", "")
    return path


def main() -> int:
    guard = json.loads(render(REPO_ROOT / "asl" / "glue_session_guard.asl.json", GUARD_VARS))
    stop_path = walk(guard, {"RouteOnStatus": "IsDryRun"})
    per_session = len(stop_path) + 2 * EXTRA_POLLS_PER_SESSION  # WaitBeforePoll + GetSession + Route
    sweeper_transitions = 5  # Configure, ListSessions, GuardEach (empty map), MorePages, Done
    sessions = SESSIONS_PER_DAY * DAYS
    lines = {
        "guard state transitions": sessions * per_session * PRICES["sfn_per_transition"],
        "sweeper state transitions": SWEEPS_PER_DAY
        * DAYS
        * sweeper_transitions
        * PRICES["sfn_per_transition"],
        "scheduler invocations": SWEEPS_PER_DAY * DAYS * PRICES["scheduler_per_invocation"],
        "alarms (3 per state machine x 2 + DLQ)": 7 * PRICES["alarm_per_month"],
        "KMS keys (topics/logs/DLQ + trail)": 2 * PRICES["kms_key_per_month"],
        "KMS requests (publish, logs)": sessions * 4 * PRICES["kms_per_request"],
        "SNS e-mails (one per stop)": sessions * PRICES["sns_email_per_message"],
        "CloudTrail log storage (lifecycle 90 d)": TRAIL_MB_PER_DAY
        * 90
        / 1024
        * PRICES["s3_standard_gb_month"],
        "execution logs (ERROR level only)": 0.001 * PRICES["logs_ingest_per_gb"],
    }
    print(f"Price table (USD, eu-west-1, Nov 2026, no free tier): {json.dumps(PRICES)}")
    print(f"Assumed: {SESSIONS_PER_DAY} sessions/day, sweep every 15 min, {TRAIL_MB_PER_DAY} MB trail/day")
    print(f"Guard path for a session it stops: {len(stop_path)} states: {' > '.join(stop_path)}\n")
    for item, cost in lines.items():
        print(f"  {item:<42} {cost:8.3f} USD/month")
    total = sum(lines.values())
    print(f"  {'total':<42} {total:8.3f} USD/month")
    forgotten = 5 * PRICES["glue_dpu_hour"]  # default 5 x G.1X for one extra hour
    print(f"\nOne session forgotten for one hour (5 x G.1X): {forgotten:.2f} USD")
    print(f"The guard's month costs {total / forgotten:.2f} forgotten session-hours.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
