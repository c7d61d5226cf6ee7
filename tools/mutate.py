"""Mutation check of the Glue session guard: plant one plausible bug at a time, run the narrowest
tests that should notice, and report the mutants that survive.

    python tools/mutate.py            # every mutation (make mutate)
    python tools/mutate.py 3 7        # only these numbers
    python tools/mutate.py --list     # what each mutation does, nothing run

Each mutation replaces one exact text (which must occur exactly once) in a copy of the repository's
tracked files, so the checkout is never touched and an interrupted run leaves nothing behind. A
mutant is killed when its tests fail; it survives when they pass. The exit code is the number of
survivors (0: the suite catches every planted bug).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
GUARD_ASL = "modules/glue_session_guard/modules/region/glue_session_guard.asl.json"
SWEEPER_ASL = "modules/glue_session_guard/modules/region/glue_session_sweeper.asl.json"
MODULE = "modules/glue_session_guard"
ASL_TESTS = "tests/asl/test_glue_session_guard.py"
RELAY_ASL = "modules/glue_session_guard/modules/region/glue_session_guard_relay.asl.json"
RELAY_TESTS = "tests/asl/test_glue_session_guard_relay.py"
TF_TEST = f"tf:{MODULE}:tests/glue_session_guard.tftest.hcl"
TF_VALIDATION = f"tf:{MODULE}:tests/validation.tftest.hcl"
COST = "bench/guard_cost.py"
COST_TESTS = "tests/unit/test_guard_cost.py"


@dataclass(frozen=True)
class Mutation:
    path: str
    old: str
    new: str
    what: str
    tests: tuple[str, ...]  # pytest node ids ("file::name") or "tf:<module dir>:<test file>"


def asl(*names: str) -> tuple[str, ...]:
    return tuple(f"{ASL_TESTS}::{name}" for name in names)


MUTATIONS: list[Mutation] = [
    # --- guard ASL: boundaries and limits hit exactly ---
    Mutation(
        GUARD_ASL,
        "$session.workers > $cfg.maxWorkers",
        "$session.workers >= $cfg.maxWorkers",
        "a session with exactly max_workers counts as a violation",
        asl("test_session_exactly_at_every_boundary_is_not_a_violation"),
    ),
    Mutation(
        GUARD_ASL,
        "$session.idleTimeoutMinutes > $cfg.maxIdleTimeoutMinutes",
        "$session.idleTimeoutMinutes >= $cfg.maxIdleTimeoutMinutes",
        "an idle timeout exactly at the maximum counts as a violation",
        asl("test_session_exactly_at_every_boundary_is_not_a_violation"),
    ),
    Mutation(
        GUARD_ASL,
        "($cfg.maxWorkers > 0 and $session.workers > $cfg.maxWorkers)",
        "($cfg.maxWorkers > 0 and $session.workers > $cfg.maxWorkers + 1)",
        "one worker over the maximum passes",
        asl("test_session_one_over_a_boundary_is_a_violation"),
    ),
    Mutation(
        GUARD_ASL,
        "$type($i) = 'number' ? $i : 2880",
        "$type($i) = 'number' ? $i : 0",
        "a session relying on Glue's default idle timeout escapes the idle-timeout boundary",
        asl("test_boundary_violation_stops_at_once_with_every_reason"),
    ),
    Mutation(
        GUARD_ASL,
        """"Condition": "{% $polls >= $cfg.maxPolls %}",
          "Next": "NotifyFailure",
          "Assign": {
            "failure": "{% {'step': 'GetSession'""",
        """"Condition": "{% $polls > $cfg.maxPolls %}",
          "Next": "NotifyFailure",
          "Assign": {
            "failure": "{% {'step': 'GetSession'""",
        "the poll bound is exceeded by one before giving up",
        asl("test_session_stuck_provisioning_hits_the_poll_bound"),
    ),
    # --- guard ASL: sessions that end on their own, races ---
    Mutation(
        GUARD_ASL,
        "$live.Status in ['STOPPED', 'STOPPING', 'FAILED', 'TIMEOUT']",
        "$live.Status in ['STOPPED', 'FAILED', 'TIMEOUT']",
        "a session already STOPPING is polled instead of left alone",
        asl("test_session_already_stopping_ends_quietly_without_polling"),
    ),
    Mutation(
        GUARD_ASL,
        """"ErrorEquals": ["Glue.IllegalSessionStateException"],
          "Comment": "Not READY yet (or already stopping): poll again.",
          "Next": "CanPollAgain\"""",
        """"ErrorEquals": ["Glue.IllegalSessionStateException"],
          "Comment": "Not READY yet (or already stopping): poll again.",
          "Next": "NotifyFailure\"""",
        "a StopSession refused because the owner stopped first is reported as a guard failure",
        asl("test_stop_racing_the_owners_own_stop_ends_quietly"),
    ),
    Mutation(
        GUARD_ASL,
        """"Catch": [
        {
          "ErrorEquals": ["Glue.EntityNotFoundException"],
          "Next": "SessionGone"
        },
        {
          "ErrorEquals": ["States.ALL"],
          "Next": "NotifyFailure",
          "Assign": {
            "failure": "{% {'step': 'GetSession'""",
        """"Catch": [
        {
          "ErrorEquals": ["States.ALL"],
          "Next": "NotifyFailure",
          "Assign": {
            "failure": "{% {'step': 'GetSession'""",
        "a deleted session is a guard failure",
        asl("test_session_that_no_longer_exists_ends_quietly"),
    ),
    Mutation(
        GUARD_ASL,
        "$cfg.exemptTagKey != '' and $lookup($session.tags, $cfg.exemptTagKey) = $cfg.exemptTagValue",
        "$cfg.exemptTagKey != '' and $exists($lookup($session.tags, $cfg.exemptTagKey))",
        "any value of the exemption tag exempts",
        asl("test_exemption_tag_with_another_value_does_not_exempt"),
    ),
    Mutation(
        GUARD_ASL,
        """"Condition": "{% $cfg.dryRun %}",""",
        """"Condition": "{% false %}",""",
        "dry run stops sessions",
        asl("test_dry_run_notifies_and_stops_nothing"),
    ),
    Mutation(
        GUARD_ASL,
        "$dpu * $max([$ran, 60])",
        "$dpu * $ran",
        "the 1-minute billing minimum is forgotten in the cost estimate",
        asl("test_ready_session_is_stopped_after_lifetime_and_owner_notified"),
    ),
    # --- guard ASL: idle policy ---
    Mutation(
        GUARD_ASL,
        "$not($activity.busy) and $millis()",
        "$millis()",
        "the idle rule stops a session while a statement runs",
        asl("test_idle_policy_keeps_a_session_busy_past_its_lifetime_until_idle"),
    ),
    Mutation(
        GUARD_ASL,
        "$statements[State in ['WAITING', 'RUNNING', 'CANCELLING']]",
        "$statements[State in ['WAITING', 'CANCELLING']]",
        "a RUNNING statement does not count as activity",
        asl("test_idle_policy_hard_cap_stops_a_statement_that_never_ends"),
    ),
    Mutation(
        GUARD_ASL,
        "$statements.($type(CompletedOn) = 'number' ? CompletedOn : 0), ",
        "",
        "the last statement's end is ignored (only starts count)",
        asl("test_idle_policy_waits_for_the_window_after_the_last_statement"),
    ),
    Mutation(
        GUARD_ASL,
        "$type($activity.token) = 'string' and $activity.pages < $cfg.maxStatementPages",
        "false",
        "only the first page of statements is read",
        asl("test_idle_policy_reads_every_page_of_statements"),
    ),
    Mutation(
        GUARD_ASL,
        "$toMillis($session.createdOn)])) + $cfg.idleSeconds * 1000, ",
        "$toMillis($session.createdOn)])), ",
        "a busy session is looked at again at once, over and over",
        asl("test_idle_policy_keeps_a_session_busy_past_its_lifetime_until_idle"),
    ),
    Mutation(
        GUARD_ASL,
        "$millis() >= $toMillis($session.createdOn) + $cfg.maxLifetimeSeconds",
        "$not($activity.busy) and $millis() >= $toMillis($session.createdOn) + $cfg.maxLifetimeSeconds",
        "the hard cap never stops a statement that never ends",
        asl("test_idle_policy_hard_cap_stops_a_statement_that_never_ends"),
    ),
    Mutation(
        GUARD_ASL,
        """"Condition": "{% $rule = 'boundary' or $cfg.stopPolicy = 'lifetime' %}",""",
        """"Condition": "{% $rule = 'boundary' %}",""",
        "the lifetime policy gives up when statements cannot be read",
        asl("test_lifetime_policy_still_stops_when_statements_cannot_be_read"),
    ),
    Mutation(
        GUARD_ASL,
        """"Next": "ActivityUnknown",""",
        """"Next": "Decide",""",
        "the idle policy guesses when statements cannot be read",
        asl("test_idle_policy_fails_loudly_when_statements_cannot_be_read"),
    ),
    Mutation(
        GUARD_ASL,
        """"StringValue": "{% $summary.owner %}\"""",
        """"StringValue": "{% $summary.principal %}\"""",
        "the owner attribute carries the principal even when the owner tag is set",
        asl("test_owner_message_attribute_lets_a_subscription_filter_to_one_owner"),
    ),
    # --- sweeper ASL ---
    Mutation(
        SWEEPER_ASL,
        "and $toMillis(CreatedOn) + $minAgeSeconds * 1000 <= $millis()",
        "",
        "the sweeper hands over sessions of any age",
        asl("test_sweeper_hands_over_only_sessions_old_enough"),
    ),
    Mutation(
        SWEEPER_ASL,
        "Status in ['READY', 'PROVISIONING']",
        "Status in ['READY']",
        "the sweeper misses sessions still PROVISIONING",
        asl("test_sweeper_hands_over_only_sessions_old_enough"),
    ),
    Mutation(
        SWEEPER_ASL,
        """"ErrorEquals": ["StepFunctions.ExecutionAlreadyExistsException"],
                "Comment": "A previous sweep already handed this session to the guard.",
                "Next": "AlreadyGuarded\"""",
        """"ErrorEquals": ["StepFunctions.ExecutionAlreadyExistsException"],
                "Comment": "A previous sweep already handed this session to the guard.",
                "Next": "AlreadyGuarded\"""".replace(
            "ExecutionAlreadyExistsException", "ExecutionLimitExceeded"
        ),
        "a session already handed to the guard fails the sweep",
        asl("test_sweeper_hands_old_sessions_to_the_guard_once"),
    ),
    # --- the guard's Python: bench/guard_cost.py's cost model ---
    Mutation(
        COST,
        'Profile("frugal", sweeper_interval_minutes=60, alarm_metrics=3, kms_keys=0)',
        'Profile("frugal", sweeper_interval_minutes=60, alarm_metrics=1, kms_keys=0)',
        "the frugal alarm is priced as one alarm metric, not the three it reads",
        (COST_TESTS,),
    ),
    Mutation(
        COST,
        "return 24 * 60 // profile.sweeper_interval_minutes * DAYS",
        "return 24 * 60 // 15 * DAYS",
        "every profile is priced with a 15-minute sweeper",
        (COST_TESTS,),
    ),
    Mutation(
        COST,
        '* PRICES["kms_per_request"] if profile.kms_keys else 0.0',
        '* PRICES["kms_per_request"] if True else 0.0',
        "AWS-managed keys are charged per request",
        (COST_TESTS,),
    ),
    Mutation(
        COST,
        'name = choose.get(name, state.get("Default", ""))',
        'name = state.get("Default", "")',
        "the priced path ignores the branch a stopped session takes",
        (COST_TESTS,),
    ),
    # --- module: plan-time validation and wiring ---
    Mutation(
        f"{MODULE}/variables.tf",
        'length(try(var.exempt_tag.key, "")) >= 1',
        'length(try(var.exempt_tag.key, "")) >= 0',
        "an empty exemption tag key is accepted",
        (TF_VALIDATION,),
    ),
    Mutation(
        f"{MODULE}/variables.tf",
        'length(try(var.exempt_tag.key, "")) <= 128',
        'length(try(var.exempt_tag.key, "")) <= 129',
        "an exemption tag key longer than AWS's 128 characters is accepted",
        (TF_VALIDATION,),
    ),
    Mutation(
        f"{MODULE}/variables.tf",
        '!can(regex("[\\"\\\\\\\\]", ',
        '!can(regex("[\\"]", ',
        "a backslash in the exemption tag is accepted (it would break the rendered definition)",
        (TF_VALIDATION,),
    ),
    Mutation(
        f"{MODULE}/variables.tf",
        "var.max_lifetime_seconds >= var.idle_minutes * 60 &&",
        "var.max_lifetime_seconds > var.idle_minutes * 60 &&",
        "a hard cap exactly one idle window long is refused",
        (TF_VALIDATION,),
    ),
    Mutation(
        f"{MODULE}/main.tf",
        "idle_seconds             = var.idle_minutes * 60",
        "idle_seconds             = var.idle_minutes",
        "idle_minutes reaches the guard as seconds",
        (TF_TEST,),
    ),
    Mutation(
        f"{MODULE}/modules/region/main.tf",
        '["glue:GetSession", "glue:ListStatements", "glue:StopSession"]',
        '["glue:GetSession", "glue:StopSession"]',
        "the guard role cannot list statements",
        (TF_TEST,),
    ),
    Mutation(
        f"{MODULE}/main.tf",
        ": min(var.idle_minutes * 60, var.max_lifetime_seconds)",
        ": var.max_lifetime_seconds",
        "under the idle policy the sweeper waits for the hard cap before handing sessions over",
        (TF_TEST,),
    ),
    Mutation(
        f"{MODULE}/modules/region/main.tf",
        "own_kms_key_arn = local.frugal ? null : (local.home",
        "own_kms_key_arn = (local.home",
        "the frugal profile still encrypts its queue, schedule and logs with the topics' key",
        (TF_TEST,),
    ),
    Mutation(
        f"{MODULE}/main.tf",
        "coalesce(var.sweeper_interval_minutes, local.frugal ? 60 : 15)",
        "coalesce(var.sweeper_interval_minutes, 15)",
        "the frugal profile sweeps every 15 minutes",
        (TF_TEST,),
    ),
    # --- module: regions ---
    Mutation(
        f"{MODULE}/variables.tf",
        ": contains(keys(local.region_codes), r)])",
        ": true])",
        "an unknown region name is accepted",
        (TF_VALIDATION,),
    ),
    Mutation(
        f"{MODULE}/variables.tf",
        "length(distinct(try(var.regions.guarded, []))) == length(",
        "length(try(var.regions.guarded, [])) == length(",
        "a region listed twice is accepted",
        (TF_VALIDATION,),
    ),
    Mutation(
        f"{MODULE}/variables.tf",
        'var.regions == null || contains(try(var.regions.guarded, []), try(var.regions.home, ""))',
        "var.regions == null || true",
        "a home region missing from the list is accepted",
        (TF_VALIDATION,),
    ),
    Mutation(
        f"{MODULE}/main.tf",
        '[for r in local.regions.guarded : "arn:${local.partition}:glue:${r}:*:session/*"]',
        '[for r in [local.regions.home] : "arn:${local.partition}:glue:${r}:*:session/*"]',
        "the prevention policy covers the home region only",
        (TF_TEST,),
    ),
    Mutation(
        f"{MODULE}/modules/region/main.tf",
        "publish_via_event_bus = local.home ? null : {",
        "publish_via_event_bus = true ? null : {",
        "another region's guard publishes to the home topics itself (Step Functions cannot)",
        (TF_TEST,),
    ),
    Mutation(
        RELAY_ASL,
        " and $states.input.detail.TopicArn = '${failure_topic_arn}'",
        "",
        "the relay publishes a notice for any topic to the failure topic",
        (RELAY_TESTS,),
    ),
    Mutation(
        RELAY_ASL,
        " and $split($string($states.input.resources[0]), ':')[3] != '${home_region}'",
        "",
        "the relay notifies home-region alarms a second time (they have actions of their own)",
        (RELAY_TESTS,),
    ),
    Mutation(
        f"{MODULE}/modules/region/main.tf",
        "arn       = local.home_bus_arn",
        "arn       = local.default_bus_arn",
        "another region forwards its notices to its own bus instead of the home region's",
        (TF_TEST,),
    ),
]


def copy_repo(dest: Path) -> None:
    """The tracked files (and untracked, not ignored ones) as they are in the working tree."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO_ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for raw in listed:
        if not raw:
            continue
        source = REPO_ROOT / raw.decode()
        if source.is_file():
            target = dest / raw.decode()
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def run_tests(copy: Path, tests: tuple[str, ...]) -> bool:
    """True when every test passed (the mutant survived)."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(str(copy / p) for p in ("src", "emulator/src", "tools")),
    }
    pytest_ids = [t for t in tests if not t.startswith("tf:")]
    if pytest_ids:
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *pytest_ids],
            cwd=copy,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            return False
    for spec in (t[3:] for t in tests if t.startswith("tf:")):
        module, test_file = spec.split(":")
        terraform = [str(copy / "tools" / "terraform.sh"), f"-chdir={copy / module}"]
        for args in (
            ["init", "-backend=false", "-input=false", "-no-color"],
            ["test", f"-filter={test_file}"],
        ):
            result = subprocess.run(
                [*terraform, *args], cwd=copy, env=env, capture_output=True, text=True, check=False
            )
            if result.returncode != 0:
                return False
    return True


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("numbers", nargs="*", type=int, help="run only these mutations (1-based)")
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    args = parser.parse_args(argv)
    chosen = args.numbers or list(range(1, len(MUTATIONS) + 1))
    if args.list:
        for number in chosen:
            m = MUTATIONS[number - 1]
            print(f"{number:3}  {m.path}: {m.what}")
        return 0

    survivors: list[int] = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="guard-mutants-") as tmp:
        copy = Path(tmp) / "repo"
        copy_repo(copy)
        for number in chosen:
            mutation = MUTATIONS[number - 1]
            path = copy / mutation.path
            original = path.read_text()
            found = original.count(mutation.old)
            if found != 1:
                print(f"{number:3}  ERROR  {mutation.path}: the text to mutate occurs {found} times")
                survivors.append(number)
                continue
            path.write_text(original.replace(mutation.old, mutation.new))
            try:
                t0 = time.monotonic()
                survived = run_tests(copy, mutation.tests)
            finally:
                path.write_text(original)
            verdict = "SURVIVED" if survived else "killed"
            seconds = time.monotonic() - t0
            print(f"{number:3}  {verdict:<8} {seconds:5.0f} s  {mutation.path}: {mutation.what}", flush=True)
            if survived:
                survivors.append(number)
    killed = len(chosen) - len(survivors)
    print(
        f"\n{len(chosen)} mutations, {killed} killed, {len(survivors)} survived"
        f"{' (' + ', '.join(map(str, survivors)) + ')' if survivors else ''}"
        f" in {time.monotonic() - started:.0f} s"
    )
    return len(survivors)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
