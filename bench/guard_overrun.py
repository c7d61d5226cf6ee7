"""How long do Glue sessions run past the configured lifetime? Seed design vs this guard.

Runs on the local emulator (its own server on a free port) with simulated provisioning delays,
at real time scale: lifetime 30 s as in the seed. For each delay, two sessions are created at the
same moment; one is handled by the seed's state machine (Wait 30 s -> StopSession with
Retry States.ALL 10 s x 3, backoff 2.0), the other by asl/glue_session_guard.asl.json with the
module's default polling
(back-off 2, 4, 8 s capped at 10 s, up to 40 polls). The bench polls GetSession every 0.25 s and
records when each session was accepted for stopping (status STOPPING).

    overrun = stop time - (creation + lifetime)      # seconds the session ran past its lifetime
    late    = stop time - max(creation + lifetime, READY time)
              # how long after the earliest possible stop (a session can only be stopped once READY)

Prints a table and the ratio of total overrun. Takes about 2.5 minutes.
"""

from __future__ import annotations

import json
import socket
import ssl
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO_ROOT / "tools")]

import boto3  # noqa: E402
from asl_render import render  # noqa: E402
from local_emulator.cli import spawn, stop_pid, wait_healthy  # noqa: E402
from local_emulator.constants import REGION  # noqa: E402
from local_emulator.env import client_env  # noqa: E402

LIFETIME = 30
# Not aligned with the seed's retry times (30, 40, 60, 100 s), which would flatter it.
DELAYS = (5, 25, 45, 75, 110, 150)
ROLE = "arn:aws:iam::123456789012:role/bench"
SEED_ASL = {
    "StartAt": "Wait",
    "States": {
        "Wait": {"Type": "Wait", "Seconds": LIFETIME, "Next": "StopGlueSession"},
        "StopGlueSession": {
            "Type": "Task",
            "Resource": "arn:aws:states:::aws-sdk:glue:stopSession",
            "Parameters": {"Id.$": "$.session_id"},
            "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 10, "MaxAttempts": 3}],
            "End": True,
        },
    },
}


def free_port_pair() -> int:
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        try:
            with socket.socket() as a, socket.socket() as b:
                a.bind(("127.0.0.1", port))
                b.bind(("127.0.0.1", port + 1))
            return port
        except OSError:
            continue


def clients(port: int, state_dir: Path) -> dict[str, Any]:
    env = client_env(port, state_dir)
    return {
        name: boto3.client(
            name,
            region_name=REGION,
            endpoint_url=env["AWS_ENDPOINT_URL"],
            verify=env["AWS_CA_BUNDLE"],
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )
        for name in ("stepfunctions", "glue", "sns")
    }


def guard_definition(topic_arn: str) -> str:
    return render(
        REPO_ROOT / "asl" / "glue_session_guard.asl.json",
        {
            "lifetime_seconds": LIFETIME,
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
            "success_topic_arn": topic_arn,
            "failure_topic_arn": topic_arn,
        },
    )


def main() -> int:
    port = free_port_pair()
    state_dir = Path(tempfile.mkdtemp(prefix="bench-emulator-"))
    process = spawn(port, state_dir)
    try:
        wait_healthy(port, state_dir, process)
        return run(port, state_dir)
    finally:
        stop_pid(process.pid, process=process)


def set_provisioning_delay(port: int, state_dir: Path, seconds: int) -> None:
    """Each session keeps the delay that was configured when it was created."""
    body = json.dumps({"glue_session": {"provisioning_seconds": seconds, "stopping_seconds": 1}}).encode()
    request = urllib.request.Request(f"https://127.0.0.1:{port}/_emulator/config", data=body, method="POST")
    context = ssl.create_default_context(cafile=str(state_dir / "ca.pem"))
    urllib.request.urlopen(request, context=context).read()


def start_scenarios(port: int, state_dir: Path, c: dict[str, Any]) -> dict[str, float]:
    sfn, glue = c["stepfunctions"], c["glue"]
    topic = c["sns"].create_topic(Name="bench")["TopicArn"]
    machines = {
        "seed": sfn.create_state_machine(name="seed", definition=json.dumps(SEED_ASL), roleArn=ROLE),
        "guard": sfn.create_state_machine(name="guard", definition=guard_definition(topic), roleArn=ROLE),
    }
    created: dict[str, float] = {}
    for delay in DELAYS:
        set_provisioning_delay(port, state_dir, delay)
        for design, machine in machines.items():
            session_id = f"{design}-{delay}"
            glue.create_session(Id=session_id, Role=ROLE, Command={"Name": "glueetl"}, NumberOfWorkers=2)
            created[session_id] = time.monotonic()
            created_on = glue.get_session(Id=session_id)["Session"]["CreatedOn"]
            payload: dict[str, Any] = {"session_id": session_id}
            if design == "guard":
                session = {"id": session_id, "principal": "bench", "createdOn": created_on.isoformat()}
                payload = {"source": "event", "session": session}
            sfn.start_execution(stateMachineArn=machine["stateMachineArn"], input=json.dumps(payload))
    return created


def observe(glue: Any, created: dict[str, float]) -> tuple[dict[str, float], dict[str, float]]:
    """Seconds after creation at which each session became READY and was accepted for stopping."""
    stopped: dict[str, float] = {}
    ready: dict[str, float] = {}
    deadline = time.monotonic() + max(DELAYS) + LIFETIME + 60
    while len(stopped) < len(created) and time.monotonic() < deadline:
        for session_id, started in created.items():
            if session_id in stopped:
                continue
            status = glue.get_session(Id=session_id)["Session"]["Status"]
            if status == "READY":
                ready.setdefault(session_id, time.monotonic() - started)
            if status in ("STOPPING", "STOPPED"):
                stopped[session_id] = time.monotonic() - started
                ready.setdefault(session_id, stopped[session_id])
        time.sleep(0.25)
    return ready, stopped


def report(ready: dict[str, float], stopped: dict[str, float]) -> None:
    print(f"Lifetime {LIFETIME} s; provisioning delay simulated per session; times in seconds.\n")
    header = f"{'stopped at':>11} {'overrun':>8} {'late':>6}"
    print(f"{'delay':>6} | seed:  {header} | guard: {header}")
    overrun = {"seed": 0.0, "guard": 0.0}
    late = {"seed": 0.0, "guard": 0.0}
    never = {"seed": 0, "guard": 0}
    for delay in DELAYS:
        cells = []
        for design in ("seed", "guard"):
            session_id = f"{design}-{delay}"
            if session_id not in stopped:
                never[design] += 1
                cells.append(f"{'NOT STOPPED':>11} {'-':>8} {'-':>6}")
                continue
            at = stopped[session_id]
            late_by = at - max(LIFETIME, ready.get(session_id, delay))
            overrun[design] += max(at - LIFETIME, 0.0)
            late[design] += max(late_by, 0.0)
            cells.append(f"{at:11.1f} {at - LIFETIME:8.1f} {late_by:6.1f}")
        print(f"{delay:6d} |        {cells[0]} |        {cells[1]}")
    print()
    for design in ("seed", "guard"):
        print(
            f"{design:>5}: total overrun {overrun[design]:.1f} s, total late {late[design]:.1f} s "
            f"over stopped sessions; {never[design]} of {len(DELAYS)} never stopped "
            "(they run until their idle timeout, 2880 min by default)"
        )
    if late["guard"] > 0:
        print(f"ratio seed/guard total late: {late['seed'] / late['guard']:.2f}")


def run(port: int, state_dir: Path) -> int:
    c = clients(port, state_dir)
    created = start_scenarios(port, state_dir, c)
    ready, stopped = observe(c["glue"], created)
    report(ready, stopped)
    return 0


if __name__ == "__main__":
    sys.exit(main())
