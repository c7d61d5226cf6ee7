"""`make demo`: the whole stack on the local emulator, narrated.

1. starts the emulator (unless one already runs on EMULATOR_PORT),
2. applies envs/local,
3. the guard scene: a Glue interactive session is created, the CloudTrail CreateSession event is put
   on the default bus, the guard's execution is followed step by step, the session ends STOPPED and
   the notification the owner would get is printed,
4. tears everything down (KEEP=1 leaves emulator and stack running and prints how to look around).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO_ROOT / "tools"), str(REPO_ROOT)]

import boto3  # noqa: E402
import envctl  # noqa: E402
from glue_events import cloudtrail_create_session_event  # noqa: E402
from local_emulator.cli import is_healthy  # noqa: E402
from local_emulator.constants import REGION, default_state_dir  # noqa: E402
from local_emulator.env import client_env  # noqa: E402

PORT = int(os.environ.get("EMULATOR_PORT", "4566"))
KEEP = os.environ.get("KEEP") == "1"
T0 = time.monotonic()


def say(message: str) -> None:
    print(f"[{time.monotonic() - T0:6.1f}s] {message}", flush=True)


def client(service: str) -> Any:
    env = client_env(PORT)
    return boto3.client(
        service,
        region_name=REGION,
        endpoint_url=env["AWS_ENDPOINT_URL"],
        verify=env["AWS_CA_BUNDLE"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )


def start_emulator() -> bool:
    if is_healthy(PORT, default_state_dir(PORT)):
        say(f"emulator already running on 127.0.0.1:{PORT}")
        return False
    subprocess.run(
        [sys.executable, "-m", "local_emulator", "up", "--port", str(PORT)], check=True, cwd=REPO_ROOT
    )
    say(f"emulator started on https://127.0.0.1:{PORT}")
    return True


def apply_local() -> dict[str, Any]:
    say("terraform apply envs/local ...")
    if envctl.run("apply", "local", PORT, auto_approve=True) != 0:
        raise SystemExit("terraform apply failed")
    outputs = envctl.outputs("local", envctl.emulator_environment(PORT))
    guard, lifetime = outputs["guard_state_machine_name"], outputs["guard_lifetime_seconds"]
    say(f"applied: guard={guard}, lifetime={lifetime} s")
    return outputs


def follow_execution(sfn: Any, execution_arn: str) -> dict[str, Any]:
    """Print each state as it is entered (step, state, seconds) until the execution ends."""
    seen = 0
    started = time.monotonic()
    while True:
        events = sfn.get_execution_history(executionArn=execution_arn, maxResults=1000)["events"]
        for event in events[seen:]:
            if "stateEnteredEventDetails" in event:
                name = event["stateEnteredEventDetails"]["name"]
                print(f"    {time.monotonic() - started:5.1f}s  {event['type']:<22} {name}", flush=True)
        seen = len(events)
        described = sfn.describe_execution(executionArn=execution_arn)
        if described["status"] != "RUNNING":
            return described
        time.sleep(0.3)


def guard_scene(outputs: dict[str, Any]) -> None:
    sfn, glue, events, sqs, sns = (client(s) for s in ("stepfunctions", "glue", "events", "sqs", "sns"))
    inbox = sqs.create_queue(QueueName="demo-success-inbox")["QueueUrl"]
    inbox_arn = sqs.get_queue_attributes(QueueUrl=inbox, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(TopicArn=outputs["success_topic_arn"], Protocol="sqs", Endpoint=inbox_arn)

    session_id = f"demo-notebook-{int(time.time())}"
    say(f"== guard scene: alice opens a Glue notebook session {session_id} (2 x G.1X) and forgets it")
    glue.create_session(
        Id=session_id,
        Role="arn:aws:iam::123456789012:role/GlueNotebookRole",
        Command={"Name": "glueetl", "PythonVersion": "3"},
        NumberOfWorkers=2,
        WorkerType="G.1X",
        Tags={"owner": "alice@example.com"},
    )
    say(f"session status: {glue.get_session(Id=session_id)['Session']['Status']}")
    before = {
        e["executionArn"]
        for e in sfn.list_executions(stateMachineArn=outputs["guard_state_machine_arn"])["executions"]
    }
    events.put_events(Entries=[cloudtrail_create_session_event(session_id)])
    say("CloudTrail CreateSession event put on the default bus")
    execution_arn = ""
    while not execution_arn:
        current = sfn.list_executions(stateMachineArn=outputs["guard_state_machine_arn"])["executions"]
        execution_arn = next((e["executionArn"] for e in current if e["executionArn"] not in before), "")
        time.sleep(0.2)
    say(f"EventBridge started the guard: {execution_arn.rsplit(':', 1)[-1]}")
    result = follow_execution(sfn, execution_arn)
    say(f"guard execution {result['status']}")
    deadline = time.monotonic() + 15
    status = glue.get_session(Id=session_id)["Session"]["Status"]
    while status != "STOPPED" and time.monotonic() < deadline:
        time.sleep(0.3)
        status = glue.get_session(Id=session_id)["Session"]["Status"]
    say(f"session status: {status}")
    messages = sqs.receive_message(QueueUrl=inbox, WaitTimeSeconds=5).get("Messages", [])
    if messages:
        body = json.loads(messages[0]["Body"])
        print(f"\n  --- e-mail to the success topic ---\n  Subject: {body['Subject']}\n")
        print("  " + body["Message"].replace("\n", "\n  ") + "\n", flush=True)


def teardown(started_emulator: bool) -> None:
    if KEEP:
        env = client_env(PORT)
        print(
            "\nKEEP=1: the emulator and envs/local stay up. Look around with:\n"
            f"  export AWS_ENDPOINT_URL={env['AWS_ENDPOINT_URL']} AWS_CA_BUNDLE={env['AWS_CA_BUNDLE']} \\\n"
            f"         AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION={REGION}\n"
            "  aws stepfunctions list-state-machines   # or boto3 with the same environment\n"
            "  aws glue list-sessions\n"
            "Tear down with: make destroy ENV=local && make emulator-down"
        )
        return
    say("terraform destroy envs/local ...")
    envctl.run("destroy", "local", PORT, auto_approve=True)
    if started_emulator:
        subprocess.run([sys.executable, "-m", "local_emulator", "down", "--port", str(PORT)], check=False)
    say("torn down")


def main() -> int:
    started_emulator = start_emulator()
    try:
        outputs = apply_local()
        guard_scene(outputs)
    finally:
        teardown(started_emulator)
    say("demo finished")
    return 0


if __name__ == "__main__":
    sys.exit(main())
