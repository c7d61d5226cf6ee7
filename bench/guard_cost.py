"""What the Glue session guard itself costs per month, itemised, and what one forgotten session costs.

State transitions per execution are counted from the ASL files by walking the path a typical
session takes (so they follow the definition when it changes). Prices: eu-west-1 list prices,
November 2026, without free tiers (the free tier would make most lines zero).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO_ROOT / "tools")]

from asl_render import DEFINITIONS, render  # noqa: E402

PRICES = {
    "sfn_per_transition": 0.025 / 1000,  # Step Functions Standard
    "alarm_per_month": 0.10,  # CloudWatch standard-resolution metric alarm
    "kms_key_per_month": 1.00,  # customer-managed key
    "kms_per_request": 0.03 / 10000,
    "sns_email_per_message": 2.00 / 100000,
    "scheduler_per_invocation": 1.00 / 1_000_000,
    "s3_standard_gb_month": 0.023,
    "logs_ingest_per_gb": 0.57,
    "glue_dpu_hour": 0.44,  # interactive sessions
}
SESSIONS_PER_DAY = 20
EXTRA_POLLS_PER_SESSION = 2  # sessions still PROVISIONING at the lifetime (back-off polls)
TRAIL_MB_PER_DAY = 5.0  # management write events of a small data account, gzip'd JSON
TRAIL_RETENTION_DAYS = 90
DAYS = 30


@dataclass(frozen=True)
class Profile:
    """What a modules/glue_session_guard profile deploys that has a monthly price."""

    name: str
    sweeper_interval_minutes: int
    alarm_metrics: int  # CloudWatch bills alarms per metric they read (metric math: each metric)
    kms_keys: int  # customer-managed keys the guard creates (topics/queue/logs + trail)


PROFILES = {
    # 3 alarms x 2 state machines + the dead-letter alarm; a key for topics/queue/logs, one for the trail.
    "hardened": Profile("hardened", sweeper_interval_minutes=15, alarm_metrics=7, kms_keys=2),
    # One metric-math alarm over guard failures, sweeper failures and dead letters; AWS-owned/managed keys.
    "frugal": Profile("frugal", sweeper_interval_minutes=60, alarm_metrics=3, kms_keys=0),
}

GUARD_VARS = {
    "stop_policy": "lifetime",
    "lifetime_seconds": 3600,
    "idle_seconds": 1800,
    "max_lifetime_seconds": 3600,
    "max_statement_pages": 100,
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
    "region": "eu-west-1",
    "notice_source": "bench.glue-session-guard",
    "success_topic_arn": "arn:aws:sns:eu-west-1:123456789012:s",
    "failure_topic_arn": "arn:aws:sns:eu-west-1:123456789012:f",
}
SWEEPER_VARS = {
    "min_age_seconds": 3600,
    "page_size": 50,
    "max_pages": 100,
    "guard_state_machine_arn": "arn:aws:states:eu-west-1:123456789012:stateMachine:g",
    "failure_topic_arn": "arn:aws:sns:eu-west-1:123456789012:f",
    "partition": "aws",
    "region": "eu-west-1",
    "account_id": "123456789012",
    "environment": "bench",
    "notice_source": "bench.glue-session-guard",
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


def sweeps_per_month(profile: Profile) -> int:
    return 24 * 60 // profile.sweeper_interval_minutes * DAYS


def regional_costs(profile: Profile, sweep_transitions: int, kms_keys: int) -> dict[str, float]:
    """USD per month of what every guarded region runs: its sweeper, schedule, alarms and keys."""
    sweeps = sweeps_per_month(profile)
    return {
        f"sweeper state transitions ({sweeps} sweeps x {sweep_transitions})": sweeps
        * sweep_transitions
        * PRICES["sfn_per_transition"],
        "scheduler invocations": sweeps * PRICES["scheduler_per_invocation"],
        f"alarms ({profile.alarm_metrics} alarm metrics)": profile.alarm_metrics * PRICES["alarm_per_month"],
        f"KMS keys ({kms_keys} customer-managed)": kms_keys * PRICES["kms_key_per_month"],
    }


def fixed_costs(profile: Profile, sweep_transitions: int) -> dict[str, float]:
    """USD per month the guard costs before a single session (list prices, no free tier)."""
    return {
        **regional_costs(profile, sweep_transitions, profile.kms_keys),
        f"CloudTrail log storage ({TRAIL_RETENTION_DAYS} d)": TRAIL_MB_PER_DAY
        * TRAIL_RETENTION_DAYS
        / 1024
        * PRICES["s3_standard_gb_month"],
        "execution logs (ERROR level only)": 0.001 * PRICES["logs_ingest_per_gb"],
    }


def further_region_costs(profile: Profile, sweep_transitions: int) -> dict[str, float]:
    """USD per month for each region guarded besides home (modules/glue_session_guard/modules/region):
    its own sweeper, schedule, alarms and (hardened) a key of the region's own; the multi-region
    trail already records it. Relayed notices are a few cross-Region events and relay transitions
    per stop: priced with the sessions, not here."""
    return regional_costs(profile, sweep_transitions, 1 if profile.kms_keys else 0)


def relay_costs(profile: Profile) -> float:
    """USD per month the home relay adds once, with at least one other region (hardened: 3 alarms)."""
    return 3 * PRICES["alarm_per_month"] if profile.kms_keys else 0.0


def session_costs(profile: Profile, transitions_per_session: int) -> dict[str, float]:
    """USD per month for SESSIONS_PER_DAY sessions the guard stops."""
    sessions = SESSIONS_PER_DAY * DAYS
    return {
        "guard state transitions": sessions * transitions_per_session * PRICES["sfn_per_transition"],
        # Customer-managed keys are called for every publish and log write; AWS-managed ones are free.
        "KMS requests (publish, logs)": sessions * 4 * PRICES["kms_per_request"] if profile.kms_keys else 0.0,
        "SNS e-mails (one per stop)": sessions * PRICES["sns_email_per_message"],
    }


def main() -> int:
    guard = json.loads(render(DEFINITIONS["glue_session_guard.asl.json"], GUARD_VARS))
    sweeper = json.loads(render(DEFINITIONS["glue_session_sweeper.asl.json"], SWEEPER_VARS))
    stop_path = walk(guard, {"RouteOnStatus": "ListStatements", "Decide": "IsDryRun"})
    per_session = len(stop_path) + 2 * EXTRA_POLLS_PER_SESSION  # WaitBeforePoll + GetSession + Route
    sweep_path = walk(sweeper, {})  # no session due: Configure > ListSessions > GuardEach > MorePages > Done
    print(f"Price table (USD, eu-west-1, Nov 2026, no free tier): {json.dumps(PRICES)}")
    print(f"Assumed: {SESSIONS_PER_DAY} sessions/day, {TRAIL_MB_PER_DAY} MB trail/day")
    print(f"Guard path for a session it stops: {len(stop_path)} states: {' > '.join(stop_path)}")
    print(f"Sweep with nothing due: {len(sweep_path)} states: {' > '.join(sweep_path)}")
    totals = {}
    for profile in PROFILES.values():
        fixed = fixed_costs(profile, len(sweep_path))
        per_sessions = session_costs(profile, per_session)
        print(f"\nprofile = {profile.name} (sweeper every {profile.sweeper_interval_minutes} min)")
        for item, cost in fixed.items():
            print(f"  {item:<46} {cost:8.3f} USD/month")
        print(f"  {'before sessions':<46} {sum(fixed.values()):8.3f} USD/month")
        for item, cost in per_sessions.items():
            print(f"  {item:<46} {cost:8.3f} USD/month")
        totals[profile.name] = (sum(fixed.values()), sum(fixed.values()) + sum(per_sessions.values()))
        print(f"  {'total with sessions':<46} {totals[profile.name][1]:8.3f} USD/month")
    forgotten = 5 * PRICES["glue_dpu_hour"]  # default 5 x G.1X for one extra hour
    print(f"\nOne session forgotten for one hour (5 x G.1X): {forgotten:.2f} USD")
    for name, (fixed_total, total) in totals.items():
        print(
            f"{name:<9} before sessions {fixed_total:.3f} USD/month, with sessions {total:.3f}"
            f" = {total / forgotten:.2f} forgotten session-hours"
        )
    print("\nEach region guarded besides home (its own sweeper, schedule, alarms and key):")
    for profile in PROFILES.values():
        extra = further_region_costs(profile, len(sweep_path))
        relay = relay_costs(profile)
        two = totals[profile.name][0] + sum(extra.values()) + relay
        items = ", ".join(f"{item} {cost:.3f}" for item, cost in extra.items())
        print(
            f"  {profile.name:<9} {sum(extra.values()):.3f} USD/month per region ({items});"
            f" home relay {relay:.3f} once; two regions before sessions {two:.3f} USD/month"
        )
    hardened, frugal = totals["hardened"][0], totals["frugal"][0]
    print(f"frugal / hardened before sessions: {frugal / hardened:.3f} ({hardened / frugal:.1f}x cheaper)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
