"""The guard with profile = "hardened" over two regions, applied on the emulator
(tests/fixtures/guard_hardened): its alarms exist with their actions, every region encrypts with a
customer-managed key of that region, and a session in the other region is stopped through the
encrypted state machines with the notification at home. Destroy leaves none of it behind."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from glue_events import cloudtrail_create_session_event
from local_emulator.handle import running_emulator
from local_emulator.iam.audit import format_table
from notifications import subscribe_inbox

from tests.e2e.conftest import TERRAFORM, executions, wait_for

pytestmark = [pytest.mark.emulator, pytest.mark.e2e]

ROOT = Path(__file__).resolve().parents[1] / "fixtures" / "guard_hardened"
PREFIX = "frugal-hard"


def _terraform(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [str(TERRAFORM), f"-chdir={ROOT}", *args], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise AssertionError(f"terraform {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


@pytest.fixture(scope="module")
def guard_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """An emulator of this module's own. On envs/local's, its guard guards eu-central-1 too and
    reacts to the same CreateSession event, as two guard deployments in one account would on AWS:
    whichever stops the session first notifies, the other ends AlreadyEnded without a message, so
    this module's notification is not guaranteed (a shared run failed so: the hardened guard
    SUCCEEDED, nothing reached its home topic). The DescribeTrails fault that first kept it apart
    (two trails answered for this trail's ARN) is corrected in the emulator (cloudtrail_arn)."""
    with running_emulator(tmp_path_factory.mktemp("guard-hardened-emulator")) as running:
        yield running


@pytest.fixture(scope="module")
def hardened(guard_emulator: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    work_dir = tmp_path_factory.mktemp("guard-hardened")
    env = {
        **os.environ,
        **guard_emulator.env,
        "TF_VAR_emulator_endpoint": guard_emulator.endpoint,
        "TF_DATA_DIR": str(work_dir / ".terraform"),
        "TF_IN_AUTOMATION": "1",
    }
    state = f"-state={work_dir / 'terraform.tfstate'}"
    _terraform(env, "init", "-input=false", "-no-color", "-backend=false")
    try:
        _terraform(env, "apply", "-input=false", "-no-color", "-auto-approve", state)
        raw = json.loads(_terraform(env, "output", "-json", "-no-color", state))
        yield {name: value["value"] for name, value in raw.items()}
        denials = guard_emulator.decisions(denied_only=True)
    finally:
        _terraform(env, "destroy", "-input=false", "-no-color", "-auto-approve", state)
    for region in ("eu-west-1", "eu-central-1"):
        alarms = guard_emulator.client("cloudwatch", region_name=region).describe_alarms()["MetricAlarms"]
        machines = guard_emulator.client("stepfunctions", region_name=region).list_state_machines()[
            "stateMachines"
        ]
        left = [a["AlarmName"] for a in alarms if a["AlarmName"].startswith(PREFIX)]
        left += [m["name"] for m in machines if m["name"].startswith(PREFIX)]
        assert left == [], f"destroy left {left} in {region}"
    assert denials == [], "the emulator denied calls of the hardened guard:\n" + format_table(denials)


def _alarms(emulator: Any, region: str) -> dict[str, list[str]]:
    found = emulator.client("cloudwatch", region_name=region).describe_alarms()["MetricAlarms"]
    return {a["AlarmName"]: a["AlarmActions"] for a in found if a["AlarmName"].startswith(PREFIX)}


def test_home_alarms_exist_with_the_failure_topic_as_action(hardened, guard_emulator):
    home = hardened["home"]
    alarms = _alarms(guard_emulator, "eu-west-1")
    machines = ("glue-session-guard", "glue-session-sweeper", "glue-guard-relay")
    expected = {f"{PREFIX}-{m}-executions-{k}" for m in machines for k in ("failed", "timed-out", "aborted")}
    expected.add(f"{PREFIX}-glue-guard-dead-letters")
    assert set(alarms) == expected
    assert set(home["alarm_names"]) == expected
    assert all(actions == [home["failure_topic_arn"]] for actions in alarms.values()), alarms


def test_other_region_alarms_exist_without_actions_and_are_forwarded(hardened, guard_emulator):
    # CloudWatch alarm actions must be in the alarm's region: eu-central-1's alarms have none, and
    # its forward rule sends their state changes to the home relay.
    alarms = _alarms(guard_emulator, "eu-central-1")
    machines = ("glue-session-guard", "glue-session-sweeper")
    expected = {
        f"{PREFIX}-euc1-{m}-executions-{k}" for m in machines for k in ("failed", "timed-out", "aborted")
    }
    expected.add(f"{PREFIX}-euc1-glue-guard-dead-letters")
    assert set(alarms) == expected
    assert all(actions == [] for actions in alarms.values()), alarms
    events = guard_emulator.client("events", region_name="eu-central-1")
    pattern = json.loads(events.describe_rule(Name=f"{PREFIX}-euc1-glue-guard-forward")["EventPattern"])
    assert {"prefix": f"{PREFIX}-euc1-glue-"} in pattern["$or"][1]["detail"]["alarmName"]


def test_each_region_encrypts_with_a_key_of_its_own_region(hardened, guard_emulator):
    for region, pieces in (("eu-west-1", hardened["home"]), ("eu-central-1", hardened["eu_central_1"])):
        sqs = guard_emulator.client("sqs", region_name=region)
        queue = pieces.get("dead_letter_queue_url")
        key = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["KmsMasterKeyId"])["Attributes"][
            "KmsMasterKeyId"
        ]
        assert key.split(":")[3] == region, (region, key)
        machine = guard_emulator.client("stepfunctions", region_name=region).describe_state_machine(
            stateMachineArn=pieces["guard_state_machine_arn"]
        )
        assert machine["encryptionConfiguration"]["kmsKeyId"].split(":")[3] == region


def test_hardened_guard_in_the_other_region_stops_a_session_and_notifies_home(hardened, guard_emulator):
    region = "eu-central-1"
    guard = hardened["eu_central_1"]["guard_state_machine_arn"]
    inbox = subscribe_inbox(
        guard_emulator.client("sns"),
        guard_emulator.client("sqs"),
        hardened["home"]["success_topic_arn"],
        "e2e-hardened-inbox",
    )
    sfn = guard_emulator.client("stepfunctions", region_name=region)
    guard_emulator.client("glue", region_name=region).create_session(
        Id="e2e-hardened",
        Role="arn:aws:iam::123456789012:role/GlueNotebookRole",
        Command={"Name": "glueetl", "PythonVersion": "3"},
        NumberOfWorkers=2,
        WorkerType="G.1X",
        Tags={"owner": "carol@example.com"},
    )
    event = cloudtrail_create_session_event(
        "e2e-hardened", region=region, tags={"owner": "carol@example.com"}
    )
    assert (
        guard_emulator.client("events", region_name=region).put_events(Entries=[event])["FailedEntryCount"]
        == 0
    )
    started = wait_for(lambda: executions(sfn, guard), timeout=10)
    assert len(started) == 1
    done = wait_for(
        lambda: (
            (d := sfn.describe_execution(executionArn=started[0]["executionArn"]))["status"] != "RUNNING"
            and d
        ),
        timeout=60,
    )
    assert done["status"] == "SUCCEEDED", done
    messages = inbox.wait_for(1, timeout=30)
    body = messages[0]
    assert body["Subject"] == "Glue session stopped: e2e-hardened"
    assert body["MessageAttributes"]["region"]["Value"] == region
    inbox.close()
