"""envs/local on the emulator: a realistic CloudTrail CreateSession event on the default bus makes
the deployed guard stop the session; a non-matching event starts nothing; destroy leaves nothing."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError
from glue_events import IDENTITIES, cloudtrail_create_session_event
from notifications import subscribe_inbox

from tests.e2e.conftest import executions, wait_for

pytestmark = [pytest.mark.emulator, pytest.mark.e2e]


def test_outputs_name_the_guard_pieces(applied_local_env):
    out = applied_local_env.outputs
    assert out["guard_state_machine_name"] == "frugal-local-glue-session-guard"
    assert out["sweeper_state_machine_name"] == "frugal-local-glue-session-sweeper"
    assert out["guard_event_rule_name"] == "frugal-local-glue-create-session"
    assert out["guard_lifetime_seconds"] == 5
    assert out["success_topic_arn"].endswith(":frugal-local-success")
    assert out["failure_topic_arn"].endswith(":frugal-local-failure")


def test_replan_shows_no_changes(applied_local_env):
    assert applied_local_env.plan_exit_code() == 0


def test_cloudtrail_event_makes_the_deployed_guard_stop_the_session(applied_local_env):
    emulator = applied_local_env.emulator
    out = applied_local_env.outputs
    sfn, glue, events = emulator.client("stepfunctions"), emulator.client("glue"), emulator.client("events")
    inbox = subscribe_inbox(
        emulator.client("sns"), emulator.client("sqs"), out["success_topic_arn"], "e2e-success-inbox"
    )
    before = len(executions(sfn, out["guard_state_machine_arn"]))

    glue.create_session(
        Id="e2e-notebook",
        Role="arn:aws:iam::123456789012:role/GlueNotebookRole",
        Command={"Name": "glueetl", "PythonVersion": "3"},
        NumberOfWorkers=2,
        WorkerType="G.1X",
        Tags={"owner": "alice@example.com"},
    )
    put = events.put_events(Entries=[cloudtrail_create_session_event("e2e-notebook")])
    assert put["FailedEntryCount"] == 0

    started = wait_for(lambda: executions(sfn, out["guard_state_machine_arn"])[before:], timeout=10)
    assert len(started) == 1, "the rule must start exactly one guard execution"
    execution_input = json.loads(sfn.describe_execution(executionArn=started[0]["executionArn"])["input"])
    assert execution_input == {
        "source": "event",
        "session": {
            "id": "e2e-notebook",
            "principal": "arn:aws:sts::123456789012:assumed-role/DataEngineer/alice",
            "createdOn": execution_input["session"]["createdOn"],
            "workers": 2,
            "workerType": "G.1X",
            "idleTimeoutMinutes": 60,
            "connections": None,
            "tags": {"owner": "alice@example.com"},
        },
    }

    done = wait_for(
        lambda: (
            (d := sfn.describe_execution(executionArn=started[0]["executionArn"]))["status"] != "RUNNING"
            and d
        ),
        timeout=60,
    )
    assert done["status"] == "SUCCEEDED", done
    assert json.loads(done["output"])["action"] == "stopped"
    assert wait_for(lambda: glue.get_session(Id="e2e-notebook")["Session"]["Status"] == "STOPPED", 15)

    messages = inbox.wait_for(1, timeout=10)
    body = messages[0]
    assert body["Subject"] == "Glue session stopped: e2e-notebook"
    assert "Owner:          alice@example.com" in body["Message"]
    assert "Reason:         ran longer than the maximum lifetime of 5 s" in body["Message"]


def test_non_matching_event_starts_nothing(applied_local_env):
    emulator = applied_local_env.emulator
    out = applied_local_env.outputs
    sfn, events = emulator.client("stepfunctions"), emulator.client("events")
    before = len(executions(sfn, out["guard_state_machine_arn"]))

    other = cloudtrail_create_session_event("not-a-create")
    detail = json.loads(other["Detail"])
    detail["eventName"] = "GetSession"
    other["Detail"] = json.dumps(detail)
    wrong_source = cloudtrail_create_session_event("wrong-source")
    wrong_source["Source"] = "aws.s3"
    assert events.put_events(Entries=[other, wrong_source])["FailedEntryCount"] == 0

    time.sleep(2)
    assert len(executions(sfn, out["guard_state_machine_arn"])) == before


def _guard_runs_for(applied_local_env, entries, count, timeout=10.0):
    out = applied_local_env.outputs
    sfn, events = (
        applied_local_env.emulator.client("stepfunctions"),
        applied_local_env.emulator.client("events"),
    )
    before = {e["executionArn"] for e in executions(sfn, out["guard_state_machine_arn"])}

    def new() -> list[dict[str, Any]]:
        return [e for e in executions(sfn, out["guard_state_machine_arn"]) if e["executionArn"] not in before]

    assert events.put_events(Entries=entries)["FailedEntryCount"] == 0
    if count == 0:
        time.sleep(2)
        return new()
    return wait_for(new, timeout=timeout)


def test_failed_create_session_calls_start_no_guard(applied_local_env):
    # CloudTrail records failed calls too (errorCode, errorMessage, responseElements null): no session
    # was created, so the guard must not start (an AlreadyExists id would even name someone else's).
    denied = cloudtrail_create_session_event(
        "e2e-denied",
        identity="iam_user",
        origin="api",
        error=(
            "AccessDenied",
            "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: glue:CreateSession on "
            "resource: arn:aws:glue:eu-west-1:123456789012:session/e2e-denied with an explicit deny in an "
            "identity-based policy",
        ),
    )
    duplicate = cloudtrail_create_session_event(
        "e2e-duplicate", error=("AlreadyExistsException", "Session with id e2e-duplicate already exists")
    )
    assert _guard_runs_for(applied_local_env, [denied, duplicate], count=0) == []


@pytest.mark.parametrize(
    ("identity", "origin"), [("iam_user", "api"), ("root", "api"), ("assumed_role", "data_preview")]
)
def test_every_caller_and_origin_starts_one_guard_owned_by_tag_or_principal(
    applied_local_env, identity, origin
):
    emulator = applied_local_env.emulator
    sfn, glue = emulator.client("stepfunctions"), emulator.client("glue")
    session_id = (
        f"glue-studio-datapreview-{identity}" if origin == "data_preview" else f"e2e-{identity}-{origin}"
    )
    tags = {} if origin == "data_preview" else {"owner": "alice@example.com"}
    glue.create_session(
        Id=session_id,
        Role="arn:aws:iam::123456789012:role/GlueNotebookRole",
        Command={"Name": "glueetl", "PythonVersion": "3"},
        NumberOfWorkers=2,
        WorkerType="G.1X",
        Tags=tags,
    )
    event = cloudtrail_create_session_event(session_id, identity=identity, origin=origin)
    started = _guard_runs_for(applied_local_env, [event], count=1)
    assert len(started) == 1
    execution_input = json.loads(sfn.describe_execution(executionArn=started[0]["executionArn"])["input"])
    principal = IDENTITIES[identity]["arn"]
    assert execution_input["session"]["id"] == session_id
    assert execution_input["session"]["principal"] == principal
    done = wait_for(
        lambda: (
            (d := sfn.describe_execution(executionArn=started[0]["executionArn"]))["status"] != "RUNNING"
            and d
        ),
        timeout=60,
    )
    assert done["status"] == "SUCCEEDED", done
    output = json.loads(done["output"])
    assert output["action"] == "stopped"
    # Data-preview sessions carry no tags: the owner is the principal that created them.
    assert output["owner"] == (principal if origin == "data_preview" else "alice@example.com")


def test_a_session_in_each_region_is_stopped_by_that_regions_guard(applied_local_env):
    """envs/local guards eu-west-1 (home) and eu-central-1. CloudTrail delivers a CreateSession
    call to EventBridge in the region where it was made, so each session is created and its event
    put with clients signed for its region; that region's guard must stop it, and both
    notifications must reach the home region's success topic, naming their region."""
    emulator = applied_local_env.emulator
    out = applied_local_env.outputs
    guards = {
        "eu-west-1": out["guard_state_machine_arn"],
        "eu-central-1": out["guard_other_regions"]["eu-central-1"]["guard_state_machine_arn"],
    }
    assert out["guard_regions"] == {"home": "eu-west-1", "guarded": ["eu-west-1", "eu-central-1"]}
    assert guards["eu-central-1"].split(":")[3] == "eu-central-1"
    assert guards["eu-central-1"].endswith(":frugal-local-euc1-glue-session-guard")
    inbox = subscribe_inbox(
        emulator.client("sns"), emulator.client("sqs"), out["success_topic_arn"], "e2e-regions-inbox"
    )
    before = {
        region: {
            e["executionArn"] for e in executions(emulator.client("stepfunctions", region_name=region), arn)
        }
        for region, arn in guards.items()
    }

    for region in guards:
        session_id = f"e2e-session-{region}"
        emulator.client("glue", region_name=region).create_session(
            Id=session_id,
            Role="arn:aws:iam::123456789012:role/GlueNotebookRole",
            Command={"Name": "glueetl", "PythonVersion": "3"},
            NumberOfWorkers=2,
            WorkerType="G.1X",
            Tags={"owner": f"owner-{region}@example.com"},
        )
        event = cloudtrail_create_session_event(
            session_id, region=region, tags={"owner": f"owner-{region}@example.com"}
        )
        put = emulator.client("events", region_name=region).put_events(Entries=[event])
        assert put["FailedEntryCount"] == 0

    for region, arn in guards.items():
        sfn = emulator.client("stepfunctions", region_name=region)
        started = wait_for(
            lambda sfn=sfn, arn=arn, region=region: [
                e for e in executions(sfn, arn) if e["executionArn"] not in before[region]
            ],
            timeout=10,
        )
        assert len(started) == 1, f"{region}: the region's own guard must start exactly once"
        execution_input = json.loads(sfn.describe_execution(executionArn=started[0]["executionArn"])["input"])
        assert execution_input["session"]["id"] == f"e2e-session-{region}"
        done = wait_for(
            lambda sfn=sfn, started=started: (
                (d := sfn.describe_execution(executionArn=started[0]["executionArn"]))["status"] != "RUNNING"
                and d
            ),
            timeout=60,
        )
        assert done["status"] == "SUCCEEDED", done
        assert json.loads(done["output"])["action"] == "stopped"
        glue = emulator.client("glue", region_name=region)
        assert wait_for(
            lambda glue=glue, region=region: (
                glue.get_session(Id=f"e2e-session-{region}")["Session"]["Status"] == "STOPPED"
            ),
            15,
        )

    # Sessions live in their own region only: neither session exists in the other region.
    for region in guards:
        other = next(r for r in guards if r != region)
        with pytest.raises(ClientError, match="EntityNotFound"):
            emulator.client("glue", region_name=other).get_session(Id=f"e2e-session-{region}")

    received: dict[str, dict[str, Any]] = {}

    def drain() -> bool:
        for body in inbox.receive():
            received[body["MessageAttributes"]["region"]["Value"]] = body
        return set(received) >= set(guards)

    assert wait_for(drain, timeout=30), f"notifications received from {sorted(received)}"
    assert sorted(received) == sorted(guards), "one notification per region, on the home region's topic"
    for region, body in received.items():
        assert body["TopicArn"] == out["success_topic_arn"]
        assert body["Subject"] == f"Glue session stopped: e2e-session-{region}"
        assert f"Region:         {region}" in body["Message"]
        assert f"Owner:          owner-{region}@example.com" in body["Message"]
        assert body["MessageAttributes"]["owner"]["Value"] == f"owner-{region}@example.com"

    relay = out["guard_relay_state_machine_arn"]
    relayed = executions(emulator.client("stepfunctions"), relay)
    assert [e["status"] for e in relayed] == ["SUCCEEDED"], (
        "the home relay published the other region's notice"
    )
