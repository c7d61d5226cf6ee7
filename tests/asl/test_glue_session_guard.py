"""The guard and sweeper ASL (asl/glue_session_guard*.asl.json) executed on the emulator's interpreter.

Every path the guard promises: stop after the lifetime (READY, and PROVISIONING then READY),
already terminal, not found, exempt by tag, boundary violation, dry run, transient error absorbed,
persistent failure -> FAILED with a failure notification, malformed input; and the sweeper.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from typing import Any

import pytest
from notifications import subscribe_inbox

pytestmark = pytest.mark.emulator

GUARD_ASL = "glue_session_guard.asl.json"
SWEEPER_ASL = "glue_session_sweeper.asl.json"
PRINCIPAL = "arn:aws:sts::123456789012:assumed-role/DataEngineer/alice"


def guard_vars(harness: Any, **overrides: Any) -> dict[str, Any]:
    success = harness.topics.get("success") or harness.create_topic("success")
    failure = harness.topics.get("failure") or harness.create_topic("failure")
    variables = {
        "stop_policy": "lifetime",
        "lifetime_seconds": 2,
        "idle_seconds": 2,
        "max_lifetime_seconds": 2,
        "max_statement_pages": 10,
        "poll_interval_seconds": 1,
        "max_polls": 8,
        "dry_run": False,
        "exempt_tag_key": "guard",
        "exempt_tag_value": "exempt",
        "owner_tag_key": "owner",
        "max_workers": 0,
        "allowed_worker_types": [],
        "max_idle_timeout_minutes": 0,
        "require_connection": False,
        "price_per_dpu_hour": 0.44,
        "environment": "test",
        "region": "eu-west-1",
        "notice_source": "frugal-test.glue-session-guard",
        "success_topic_arn": success.arn,
        "failure_topic_arn": failure.arn,
    }
    variables.update(overrides)
    return variables


def now_iso() -> str:
    # CloudTrail's eventTime format.
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def event_input(session_id: str, **session: Any) -> dict[str, Any]:
    """What the EventBridge input transformer hands the guard for a CreateSession call."""
    body = {
        "id": session_id,
        "principal": PRINCIPAL,
        "createdOn": now_iso(),
        "workers": 2,
        "workerType": "G.1X",
        "idleTimeoutMinutes": 30,
        "connections": None,
        "tags": None,
    }
    body.update(session)
    return {"source": "event", "session": body}


def guard(harness: Any, name: str = "guard", **overrides: Any) -> str:
    return harness.create_state_machine(name, GUARD_ASL, guard_vars(harness, **overrides))


def sweeper(harness: Any, name: str, guard_arn: str, *, min_age_seconds: int, page_size: int) -> str:
    return harness.create_state_machine(
        name,
        SWEEPER_ASL,
        {
            "min_age_seconds": min_age_seconds,
            "page_size": page_size,
            "max_pages": 10,
            "guard_state_machine_arn": guard_arn,
            "failure_topic_arn": harness.topics["failure"].arn,
            "partition": "aws",
            "region": "eu-west-1",
            "account_id": "123456789012",
            "environment": "test",
            "notice_source": "frugal-test.glue-session-guard",
        },
    )


def only_message(harness: Any, topic: str, wait: float = 5.0) -> dict[str, Any]:
    messages = harness.messages(harness.topics[topic], wait_seconds=wait)
    assert len(messages) == 1, messages
    return messages[0]


def test_ready_session_is_stopped_after_lifetime_and_owner_notified(asl):
    asl.emulator.configure(glue_session={"provisioning_seconds": 0, "stopping_seconds": 1})
    arn = guard(asl)
    asl.create_session(
        "notebook-1", NumberOfWorkers=2, WorkerType="G.1X", Tags={"owner": "alice@example.com"}
    )

    execution = asl.start(arn, event_input("notebook-1", tags={"owner": "alice@example.com"}))
    result = asl.wait(execution)

    assert result["status"] == "SUCCEEDED"
    output = json.loads(result["output"])
    assert output["action"] == "stopped"
    assert output["ranSeconds"] >= 2
    assert output["dpu"] == 2
    assert output["dpuSeconds"] == 120  # 2 DPU x the 1-minute minimum
    assert output["estimatedCostUsd"] == round(120 / 3600 * 0.44, 4)
    assert asl.wait_session_status("notebook-1", "STOPPED") == "STOPPED"

    message = only_message(asl, "success")
    assert message["Subject"] == "Glue session stopped: notebook-1"
    text = message["Message"]
    assert "Session:        notebook-1" in text
    assert "Owner:          alice@example.com" in text
    assert "Reason:         ran longer than the maximum lifetime of 2 s" in text
    assert re.search(r"Ran for:        \d+ s \(created ", text)
    assert "Capacity:       2 DPU (2 x G.1X)" in text
    assert "DPU-seconds:    120 (1-minute minimum)" in text
    assert "Estimated cost: USD 0.0147 at USD 0.44 per DPU-hour" in text
    assert asl.messages(asl.topics["failure"]) == []


def test_provisioning_session_is_polled_until_ready_then_stopped(asl):
    asl.emulator.configure(glue_session={"provisioning_seconds": 4, "stopping_seconds": 1})
    arn = guard(asl, lifetime_seconds=1)
    asl.create_session("slow-start")
    assert asl.session_status("slow-start") == "PROVISIONING"

    result = asl.wait(asl.start(arn, event_input("slow-start")))

    assert result["status"] == "SUCCEEDED"
    states = asl.entered_states(result["executionArn"])
    assert states.count("GetSession") >= 2, states  # saw PROVISIONING at least once
    assert "WaitBeforePoll" in states
    assert json.loads(result["output"])["action"] == "stopped"
    assert asl.wait_session_status("slow-start", "STOPPED") == "STOPPED"


def test_already_stopped_session_ends_quietly(asl):
    asl.emulator.configure(glue_session={"provisioning_seconds": 0, "stopping_seconds": 0})
    arn = guard(asl)
    asl.create_session("done-early")
    asl.glue.stop_session(Id="done-early")

    result = asl.wait(asl.start(arn, event_input("done-early")))

    assert result["status"] == "SUCCEEDED"
    assert json.loads(result["output"]) == {
        "sessionId": "done-early",
        "action": "none",
        "reason": "session already STOPPED",
    }
    assert "StopSession" not in asl.entered_states(result["executionArn"])
    assert asl.messages(asl.topics["success"], wait_seconds=0.5) == []
    assert asl.messages(asl.topics["failure"]) == []


def test_session_that_no_longer_exists_ends_quietly(asl):
    arn = guard(asl)

    result = asl.wait(asl.start(arn, event_input("deleted-before-lifetime")))

    assert result["status"] == "SUCCEEDED"
    assert json.loads(result["output"])["reason"] == "session no longer exists"
    assert asl.messages(asl.topics["failure"], wait_seconds=0.5) == []


def test_exempt_session_is_left_running(asl):
    asl.emulator.configure(glue_session={"provisioning_seconds": 0})
    arn = guard(asl)
    asl.create_session("long-training", Tags={"guard": "exempt"})

    result = asl.wait(asl.start(arn, event_input("long-training", tags={"guard": "exempt"})))

    assert result["status"] == "SUCCEEDED"
    assert json.loads(result["output"])["reason"] == "exempt by tag guard=exempt"
    assert asl.session_status("long-training") == "READY"
    assert "GetSession" not in asl.entered_states(result["executionArn"])


def test_boundary_violation_stops_at_once_with_every_reason(asl):
    asl.emulator.configure(glue_session={"provisioning_seconds": 0, "stopping_seconds": 0})
    # A one-hour lifetime: only the boundary check can explain a stop within seconds.
    arn = guard(
        asl,
        lifetime_seconds=3600,
        max_workers=10,
        allowed_worker_types=["G.1X", "G.2X"],
        max_idle_timeout_minutes=60,
        require_connection=True,
    )
    asl.create_session("too-big", NumberOfWorkers=50, WorkerType="G.8X")

    result = asl.wait(
        asl.start(arn, event_input("too-big", workers=50, workerType="G.8X", idleTimeoutMinutes=None)),
        timeout=20,
    )

    assert result["status"] == "SUCCEEDED"
    reason = json.loads(result["output"])["reason"]
    assert reason.startswith("boundary violated at creation: ")
    assert "requested 50 workers, the maximum is 10" in reason
    assert "worker type G.8X is not one of G.1X, G.2X" in reason
    # No idle timeout in the request means Glue's default of 2880 minutes.
    assert "idle timeout 2880 min exceeds the maximum of 60 min" in reason
    assert "no Glue connection attached" in reason
    assert "WaitForFirstCheck" not in asl.entered_states(result["executionArn"])
    assert asl.wait_session_status("too-big", "STOPPED") == "STOPPED"
    assert "Capacity:       400 DPU (50 x G.8X)" in only_message(asl, "success")["Message"]


def test_session_within_boundaries_waits_for_lifetime(asl):
    asl.emulator.configure(glue_session={"provisioning_seconds": 0})
    arn = guard(asl, max_workers=10, allowed_worker_types=["G.1X"], max_idle_timeout_minutes=60)
    asl.create_session("small")

    result = asl.wait(
        asl.start(arn, event_input("small", workers=2, workerType="G.1X", idleTimeoutMinutes=30))
    )

    assert json.loads(result["output"])["reason"] == "ran longer than the maximum lifetime of 2 s"
    assert "WaitForFirstCheck" in asl.entered_states(result["executionArn"])


def test_dry_run_notifies_and_stops_nothing(asl):
    asl.emulator.configure(glue_session={"provisioning_seconds": 0})
    arn = guard(asl, dry_run=True)
    asl.create_session("dry")

    result = asl.wait(asl.start(arn, event_input("dry")))

    assert result["status"] == "SUCCEEDED"
    assert json.loads(result["output"])["action"] == "would-stop"
    assert "StopSession" not in asl.entered_states(result["executionArn"])
    assert asl.session_status("dry") == "READY"
    message = only_message(asl, "success")
    assert message["Subject"] == "[DRY RUN] Glue session would be stopped: dry"
    assert message["Message"].startswith("DRY RUN: the Glue session guard would have stopped")


def test_transient_glue_errors_are_retried_then_the_session_is_stopped(asl):
    asl.emulator.configure(glue_session={"provisioning_seconds": 0, "stopping_seconds": 0})
    arn = guard(asl, lifetime_seconds=1)
    asl.create_session("flaky")
    asl.emulator.inject_fault(
        "glue", "StopSession", "ThrottlingException", "Rate exceeded", status=400, count=2
    )

    result = asl.wait(asl.start(arn, event_input("flaky")), timeout=60)

    assert result["status"] == "SUCCEEDED"
    failed_attempts = [e for e in asl.history(result["executionArn"]) if e["type"] == "TaskFailed"]
    assert [e["taskFailedEventDetails"]["error"] for e in failed_attempts] == ["Glue.ThrottlingException"] * 2
    assert asl.wait_session_status("flaky", "STOPPED") == "STOPPED"
    assert asl.messages(asl.topics["failure"]) == []


def test_persistent_failure_fails_the_execution_and_notifies(asl):
    asl.emulator.configure(glue_session={"provisioning_seconds": 0})
    arn = guard(asl, lifetime_seconds=1)
    asl.create_session("locked")
    asl.emulator.inject_fault(
        "glue", "StopSession", "AccessDeniedException", "not authorized to perform glue:StopSession", count=-1
    )

    result = asl.wait(asl.start(arn, event_input("locked")), timeout=60)

    assert result["status"] == "FAILED"
    assert result.get("error") == "SessionGuardFailed"
    message = only_message(asl, "failure")
    assert message["Subject"] == "Glue session guard failed at StopSession: locked"
    assert "Error:       Glue.AccessDeniedException" in message["Message"]
    assert "not authorized to perform glue:StopSession" in message["Message"]
    assert asl.session_status("locked") == "READY"
    assert asl.messages(asl.topics["success"]) == []


def test_session_stuck_provisioning_hits_the_poll_bound(asl):
    asl.emulator.configure(glue_session={"provisioning_seconds": 120})
    arn = guard(asl, lifetime_seconds=1, max_polls=2)
    asl.create_session("stuck")

    result = asl.wait(asl.start(arn, event_input("stuck")), timeout=30)

    assert result["status"] == "FAILED"
    message = only_message(asl, "failure")
    assert "Error:       PollLimitReached" in message["Message"]
    assert "still PROVISIONING after 2 polls" in message["Message"]


def test_malformed_input_fails_with_a_message_naming_the_field(asl):
    arn = guard(asl)

    result = asl.wait(asl.start(arn, {"source": "event", "session": {"principal": PRINCIPAL}}))

    assert result["status"] == "FAILED"
    message = only_message(asl, "failure")
    assert "Error:       InvalidInput" in message["Message"]
    assert "session.id is missing or not a string" in message["Message"]


def test_sweeper_hands_old_sessions_to_the_guard_once(asl):
    asl.emulator.configure(glue_session={"provisioning_seconds": 0, "stopping_seconds": 0})
    guard_arn = guard(asl, lifetime_seconds=1)
    sweeper_arn = sweeper(asl, "sweeper", guard_arn, min_age_seconds=1, page_size=2)
    for n in range(5):
        asl.create_session(f"forgotten-{n}", Tags={"owner": f"user{n}"})
    asl.create_session("exempt-one", Tags={"guard": "exempt"})
    asl.create_session("already-over")
    asl.glue.stop_session(Id="already-over")
    time.sleep(1.5)  # every session is now older than the 1 s lifetime

    first = asl.wait(asl.start(sweeper_arn, {"trigger": "schedule"}))
    assert first["status"] == "SUCCEEDED", first
    summary = json.loads(first["output"])
    assert summary["sessionsSeen"] == 7
    assert summary["pages"] == 4  # 7 sessions, 2 per page
    assert (
        summary["handedToGuard"] == 6
    )  # 5 forgotten + the exempt one (the guard decides); not the stopped one

    guard_runs = asl.sfn.list_executions(stateMachineArn=guard_arn)["executions"]
    assert len(guard_runs) == 6
    for run in guard_runs:
        assert run["name"].startswith("sweep-")
        assert asl.wait(run["executionArn"])["status"] == "SUCCEEDED"
    for n in range(5):
        assert asl.wait_session_status(f"forgotten-{n}", "STOPPED") == "STOPPED"
    assert asl.session_status("exempt-one") == "READY"
    owners = sorted(
        re.search(r"Owner:          (\S+)", m["Message"]).group(1)
        for m in asl.messages(asl.topics["success"], wait_seconds=2)
    )
    assert owners == [f"user{n}" for n in range(5)]

    # A second sweep finds the exempt session again but its guard execution already exists.
    second = asl.wait(asl.start(sweeper_arn, {"trigger": "schedule"}))
    assert second["status"] == "SUCCEEDED"
    assert json.loads(second["output"])["handedToGuard"] == 0
    assert len(asl.sfn.list_executions(stateMachineArn=guard_arn)["executions"]) == 6


# --- Stop policy "idle": never while a statement runs, with a hard maximum lifetime ---------------


def idle_guard(harness: Any, idle_seconds: int = 2, max_lifetime_seconds: int = 60, **overrides: Any) -> str:
    return guard(
        harness,
        stop_policy="idle",
        idle_seconds=idle_seconds,
        max_lifetime_seconds=max_lifetime_seconds,
        **overrides,
    )


def created_millis(harness: Any, session_id: str) -> int:
    created = harness.glue.get_session(Id=session_id)["Session"]["CreatedOn"]
    return int(created.timestamp() * 1000)


def statement_when_done(
    harness: Any, session_id: str, statement_id: int, timeout: float = 30.0
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        statement = harness.glue.get_statement(SessionId=session_id, Id=statement_id)["Statement"]
        if statement["State"] not in ("WAITING", "RUNNING", "CANCELLING"):
            return statement
        assert time.monotonic() < deadline, statement
        time.sleep(0.1)


def iso_millis(text: str) -> int:
    return int(dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


def test_idle_policy_keeps_a_session_busy_past_its_lifetime_until_idle(asl):
    asl.emulator.configure(
        glue_session={"provisioning_seconds": 0, "stopping_seconds": 0}, glue_statement={"seconds": 6}
    )
    # The lifetime policy would have stopped this session after 2 s, mid-statement.
    arn = idle_guard(asl, idle_seconds=2, lifetime_seconds=2)
    asl.create_session("busy-notebook", Tags={"owner": "alice"})
    execution = asl.start(arn, event_input("busy-notebook", tags={"owner": "alice"}))
    asl.glue.run_statement(SessionId="busy-notebook", Code="spark.range(10**9).count()")

    statement = statement_when_done(asl, "busy-notebook", 0)
    result = asl.wait(execution)

    assert statement["State"] == "AVAILABLE"  # ran to completion: the guard never cut it off
    assert result["status"] == "SUCCEEDED", result
    output = json.loads(result["output"])
    assert output["action"] == "stopped"
    assert output["rule"] == "idle"
    assert output["statementRunning"] is False
    assert iso_millis(output["lastStatementAt"]) == statement["CompletedOn"]
    stopped_after = created_millis(asl, "busy-notebook") + output["ranSeconds"] * 1000
    assert (
        stopped_after >= statement["CompletedOn"] + 2000 - 1000
    )  # idle window after the statement (s rounding)
    looks = asl.entered_states(result["executionArn"]).count("ListStatements")
    assert 2 <= looks <= 6  # it saw the statement RUNNING, and looked again only when it could be idle
    text = only_message(asl, "success")["Message"]
    assert "Rule:           idle" in text
    assert f"Last statement: {output['lastStatementAt']}" in text
    assert "Statement busy: no" in text


def test_idle_policy_stops_a_session_idle_from_the_start(asl):
    asl.emulator.configure(glue_session={"provisioning_seconds": 0, "stopping_seconds": 0})
    arn = idle_guard(asl, idle_seconds=2, max_lifetime_seconds=60)
    asl.create_session("never-used")

    result = asl.wait(asl.start(arn, event_input("never-used")))

    assert result["status"] == "SUCCEEDED", result
    output = json.loads(result["output"])
    assert output["rule"] == "idle"
    assert output["reason"] == "no statement ran for the idle window of 2 s (none since creation)"
    assert output["lastStatementAt"] is None
    assert output["statementRunning"] is False
    assert 2 <= output["ranSeconds"] < 30  # the idle window, not the 60 s hard cap
    assert "WaitForActivity" not in asl.entered_states(result["executionArn"])
    assert asl.wait_session_status("never-used", "STOPPED") == "STOPPED"
    text = only_message(asl, "success")["Message"]
    assert "Last statement: none" in text
    assert "Statement busy: no" in text


def test_idle_policy_waits_for_the_window_after_the_last_statement(asl):
    asl.emulator.configure(
        glue_session={"provisioning_seconds": 0, "stopping_seconds": 0}, glue_statement={"seconds": 1}
    )
    arn = idle_guard(asl, idle_seconds=3, max_lifetime_seconds=60)
    asl.create_session("used-then-left")
    execution = asl.start(arn, event_input("used-then-left"))
    time.sleep(1.5)
    asl.glue.run_statement(SessionId="used-then-left", Code="df.show()")  # ends ~2.5 s after creation

    statement = statement_when_done(asl, "used-then-left", 0)
    result = asl.wait(execution)

    assert result["status"] == "SUCCEEDED", result
    output = json.loads(result["output"])
    assert output["rule"] == "idle"
    assert iso_millis(output["lastStatementAt"]) == statement["CompletedOn"]
    # First look at 3 s finds a statement 0.5 s old: it waits for 3 s after that statement.
    stopped_after = created_millis(asl, "used-then-left") + output["ranSeconds"] * 1000
    assert stopped_after >= statement["CompletedOn"] + 3000 - 1000
    assert "WaitForActivity" in asl.entered_states(result["executionArn"])


def test_idle_policy_hard_cap_stops_a_statement_that_never_ends(asl):
    asl.emulator.configure(
        glue_session={"provisioning_seconds": 0, "stopping_seconds": 0}, glue_statement={"seconds": None}
    )
    arn = idle_guard(asl, idle_seconds=2, max_lifetime_seconds=6)
    asl.create_session("runaway", Tags={"owner": "bob"})
    execution = asl.start(arn, event_input("runaway", tags={"owner": "bob"}))
    asl.glue.run_statement(SessionId="runaway", Code="while True: pass")

    result = asl.wait(execution)

    assert result["status"] == "SUCCEEDED", result
    output = json.loads(result["output"])
    assert output["rule"] == "max-lifetime"
    assert output["reason"] == "reached the hard maximum lifetime of 6 s with a statement still running"
    assert output["statementRunning"] is True
    assert output["ranSeconds"] >= 5
    assert asl.wait_session_status("runaway", "STOPPED") == "STOPPED"
    message = only_message(asl, "success")
    assert "Rule:           max-lifetime" in message["Message"]
    assert "Statement busy: yes, a statement was running" in message["Message"]
    assert message["MessageAttributes"]["rule"]["Value"] == "max-lifetime"


def test_idle_policy_fails_loudly_when_statements_cannot_be_read(asl):
    asl.emulator.configure(glue_session={"provisioning_seconds": 0})
    arn = idle_guard(asl, idle_seconds=1)
    asl.create_session("unreadable")
    asl.emulator.inject_fault(
        "glue",
        "ListStatements",
        "AccessDeniedException",
        "not authorized to perform glue:ListStatements",
        count=-1,
    )

    result = asl.wait(asl.start(arn, event_input("unreadable")), timeout=30)

    assert result["status"] == "FAILED"
    message = only_message(asl, "failure")
    assert message["Subject"] == "Glue session guard failed at ListStatements: unreadable"
    assert asl.session_status("unreadable") == "READY"  # the idle rule never guesses


def test_lifetime_policy_still_stops_when_statements_cannot_be_read(asl):
    asl.emulator.configure(glue_session={"provisioning_seconds": 0, "stopping_seconds": 0})
    arn = guard(asl, lifetime_seconds=1)
    asl.create_session("no-list")
    asl.emulator.inject_fault("glue", "ListStatements", "AccessDeniedException", "denied", count=-1)

    result = asl.wait(asl.start(arn, event_input("no-list")), timeout=30)

    assert result["status"] == "SUCCEEDED", result
    output = json.loads(result["output"])
    assert (output["action"], output["rule"], output["statementRunning"]) == ("stopped", "lifetime", None)
    assert "Statement busy: unknown" in only_message(asl, "success")["Message"]


def test_lifetime_policy_reports_the_running_statement_it_cut_off(asl):
    asl.emulator.configure(
        glue_session={"provisioning_seconds": 0, "stopping_seconds": 0}, glue_statement={"seconds": None}
    )
    arn = guard(asl, lifetime_seconds=2)
    asl.create_session("cut-off")
    execution = asl.start(arn, event_input("cut-off"))
    asl.glue.run_statement(SessionId="cut-off", Code="train()")

    output = json.loads(asl.wait(execution)["output"])

    assert (output["rule"], output["statementRunning"]) == ("lifetime", True)
    assert iso_millis(output["lastStatementAt"]) >= created_millis(asl, "cut-off")


# --- Owner routing ------------------------------------------------------------------------------


def test_owner_message_attribute_lets_a_subscription_filter_to_one_owner(asl):
    asl.emulator.configure(glue_session={"provisioning_seconds": 0, "stopping_seconds": 0})
    arn = guard(asl, lifetime_seconds=1)
    alice_inbox = subscribe_inbox(
        asl.emulator.client("sns"),
        asl.sqs,
        asl.topics["success"].arn,
        "alice-inbox",
        filter_policy={"owner": ["alice@example.com"]},
    )
    asl.create_session("alice-nb", Tags={"owner": "alice@example.com"})
    asl.create_session("bob-nb", Tags={"owner": "bob@example.com"})
    asl.create_session("untagged")

    runs = [
        asl.start(arn, event_input("alice-nb", tags={"owner": "alice@example.com"})),
        asl.start(arn, event_input("bob-nb", tags={"owner": "bob@example.com"})),
        asl.start(arn, event_input("untagged")),  # owner falls back to the creating principal
    ]
    assert [asl.wait(r)["status"] for r in runs] == ["SUCCEEDED"] * 3

    everyone = asl.messages(asl.topics["success"], wait_seconds=5)
    while len(everyone) < 3:
        more = asl.messages(asl.topics["success"], wait_seconds=5)
        assert more, everyone
        everyone += more
    owners = sorted(m["MessageAttributes"]["owner"]["Value"] for m in everyone)
    assert owners == sorted([PRINCIPAL, "alice@example.com", "bob@example.com"])
    alice_only = alice_inbox.drain(wait_seconds=2)
    assert [m["Subject"] for m in alice_only] == ["Glue session stopped: alice-nb"]


def test_idle_policy_reads_every_page_of_statements(asl):
    asl.emulator.configure(
        glue_session={"provisioning_seconds": 0, "stopping_seconds": 0},
        glue_statement={"seconds": 0, "page_size": 1},
    )
    arn = idle_guard(asl, idle_seconds=2, max_lifetime_seconds=6)
    asl.create_session("paged")
    execution = asl.start(arn, event_input("paged"))
    asl.glue.run_statement(SessionId="paged", Code="quick()")  # page 1: finished at once
    asl.emulator.configure(glue_statement={"seconds": None})
    asl.glue.run_statement(SessionId="paged", Code="train_forever()")  # page 2: still running

    output = json.loads(asl.wait(execution)["output"])

    # Only page 2 shows the session busy: a guard reading page 1 alone would call it idle at 2 s.
    assert (output["rule"], output["statementRunning"]) == ("max-lifetime", True)


# --- Edges a broken guard gets wrong ------------------------------------------------------------


def test_session_exactly_at_every_boundary_is_not_a_violation(asl):
    asl.emulator.configure(glue_session={"provisioning_seconds": 0, "stopping_seconds": 0})
    arn = guard(asl, max_workers=4, allowed_worker_types=["G.2X"], max_idle_timeout_minutes=60)
    asl.create_session("at-the-limit", NumberOfWorkers=4, WorkerType="G.2X", IdleTimeout=60)

    result = asl.wait(
        asl.start(arn, event_input("at-the-limit", workers=4, workerType="G.2X", idleTimeoutMinutes=60))
    )

    output = json.loads(result["output"])
    assert (output["rule"], output["reason"]) == ("lifetime", "ran longer than the maximum lifetime of 2 s")
    assert "WaitForFirstCheck" in asl.entered_states(result["executionArn"])


def test_session_one_over_a_boundary_is_a_violation(asl):
    asl.emulator.configure(glue_session={"provisioning_seconds": 0, "stopping_seconds": 0})
    arn = guard(asl, lifetime_seconds=3600, max_workers=4, max_idle_timeout_minutes=60)
    asl.create_session("one-over", NumberOfWorkers=5, IdleTimeout=61)

    result = asl.wait(asl.start(arn, event_input("one-over", workers=5, idleTimeoutMinutes=61)))

    assert json.loads(result["output"])["reason"] == (
        "boundary violated at creation: requested 5 workers, the maximum is 4; "
        "idle timeout 61 min exceeds the maximum of 60 min"
    )


def test_session_already_stopping_ends_quietly_without_polling(asl):
    asl.emulator.configure(glue_session={"provisioning_seconds": 0, "stopping_seconds": 60})
    arn = guard(asl, lifetime_seconds=1)
    asl.create_session("being-stopped")
    asl.glue.stop_session(Id="being-stopped")  # its owner stopped it; STOPPING for a minute

    result = asl.wait(asl.start(arn, event_input("being-stopped")), timeout=20)

    assert result["status"] == "SUCCEEDED"
    assert json.loads(result["output"])["reason"] == "session already STOPPING"
    assert asl.entered_states(result["executionArn"]).count("GetSession") == 1
    assert asl.messages(asl.topics["success"], wait_seconds=0.5) == []


def test_stop_racing_the_owners_own_stop_ends_quietly(asl):
    asl.emulator.configure(glue_session={"provisioning_seconds": 0, "stopping_seconds": 30})
    arn = guard(asl, lifetime_seconds=1, poll_interval_seconds=3)
    asl.create_session("race")
    # The guard saw READY; the owner's StopSession lands first, so Glue refuses the guard's.
    asl.emulator.inject_fault(
        "glue", "StopSession", "IllegalSessionStateException", "Session is in STOPPING status", count=1
    )
    execution = asl.start(arn, event_input("race"))
    asl.wait_for_state(execution, "CanPollAgain")
    asl.glue.stop_session(Id="race")

    result = asl.wait(execution, timeout=30)

    assert result["status"] == "SUCCEEDED", result
    assert json.loads(result["output"]) == {
        "sessionId": "race",
        "action": "none",
        "reason": "session already STOPPING",
    }
    assert asl.messages(asl.topics["success"], wait_seconds=0.5) == []
    assert asl.messages(asl.topics["failure"]) == []


def test_sweeper_hands_over_only_sessions_old_enough(asl):
    asl.emulator.configure(glue_session={"provisioning_seconds": 60, "stopping_seconds": 0})
    guard_arn = guard(asl, lifetime_seconds=3600)
    sweeper_arn = sweeper(asl, "sweeper-age", guard_arn, min_age_seconds=2, page_size=50)
    asl.create_session("old-still-provisioning")
    time.sleep(2.5)
    asl.create_session("young")

    summary = json.loads(asl.wait(asl.start(sweeper_arn, {"trigger": "schedule"}))["output"])

    assert (summary["sessionsSeen"], summary["handedToGuard"]) == (2, 1)
    guarded = [
        json.loads(asl.sfn.describe_execution(executionArn=run["executionArn"])["input"])["session"]["id"]
        for run in asl.sfn.list_executions(stateMachineArn=guard_arn)["executions"]
    ]
    assert guarded == ["old-still-provisioning"]


def test_exemption_tag_with_another_value_does_not_exempt(asl):
    asl.emulator.configure(glue_session={"provisioning_seconds": 0, "stopping_seconds": 0})
    arn = guard(asl, lifetime_seconds=1)
    asl.create_session("not-exempt", Tags={"guard": "please-no"})

    result = asl.wait(asl.start(arn, event_input("not-exempt", tags={"guard": "please-no"})))

    assert json.loads(result["output"])["action"] == "stopped"
