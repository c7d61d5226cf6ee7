"""How long do Glue sessions run past the configured lifetime? The console build's design vs this
guard. (The console build is the guard as first clicked together by hand, which this repository
turns into code: a fixed Wait, then StopSession.)

Runs on the local emulator (its own server on a free port) with simulated provisioning delays,
at real time scale: lifetime 30 s as in the console build. For each delay, two sessions are created at the
same moment; one is handled by the console build's state machine (Wait 30 s -> StopSession with
Retry States.ALL 10 s x 3, backoff 2.0), the other by the guard module's glue_session_guard.asl.json with the
module's default polling
(back-off 2, 4, 8 s capped at 10 s, up to 40 polls). The bench polls GetSession every 0.25 s and
records when each session was accepted for stopping (status STOPPING).

    overrun = stop time - (creation + lifetime)      # seconds the session ran past its lifetime
    late    = stop time - max(creation + lifetime, READY time)
              # how long after the earliest possible stop (a session can only be stopped once READY)

Prints a table and the ratio of total overrun.

Part 2, stop policies on a mix of busy and forgotten sessions (provisioning 1 s): the console build's fixed
wait (stop at 30 s whatever happens), this guard's `lifetime` policy (30 s) and its `idle` policy
(idle window 10 s, hard cap 90 s), each on its own copy of every session. The bench runs each
session's statements on schedule (the emulator's statements RUN for the given seconds) and records
when the session was accepted for stopping. It prints the billed seconds (creation to stop) per
session and policy, the total against the fixed wait, and the statements each policy cut off
(RUNNING when the session was stopped: work lost). Takes about 2.5 + 2 minutes.
"""

from __future__ import annotations

import json
import ssl
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO_ROOT / "tools"), str(REPO_ROOT / "bench")]

import boto3  # noqa: E402
from asl_render import DEFINITIONS, render  # noqa: E402
from guard_cost import GUARD_VARS  # noqa: E402
from local_emulator.constants import REGION  # noqa: E402
from local_emulator.env import client_env  # noqa: E402
from local_emulator.handle import running_emulator  # noqa: E402

LIFETIME = 30
# Not aligned with the console build's retry times (30, 40, 60, 100 s), which would flatter it.
DELAYS = (5, 25, 45, 75, 110, 150)
ROLE = "arn:aws:iam::123456789012:role/bench"
CONSOLE_ASL = {
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
        for name in ("stepfunctions", "glue", "sns", "iam")
    }


def create_role(iam: Any) -> None:
    """The role both designs' state machines run as: the emulator judges every call they make, so
    it may do exactly what the guard does (read, list and stop sessions; notify)."""
    trust = {"Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole"}
    calls = {
        "Effect": "Allow",
        "Action": ["glue:GetSession", "glue:ListStatements", "glue:StopSession"],
        "Resource": f"arn:aws:glue:{REGION}:123456789012:session/*",
    }
    notify = {
        "Effect": "Allow",
        "Action": "sns:Publish",
        "Resource": f"arn:aws:sns:{REGION}:123456789012:bench*",
    }
    name = ROLE.rsplit("/", 1)[-1]
    iam.create_role(
        RoleName=name, AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [trust]})
    )
    iam.put_role_policy(
        RoleName=name,
        PolicyName="guard",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [calls, notify]}),
    )


def guard_definition(topic_arn: str, **overrides: Any) -> str:
    """The guard's definition with guard_cost's template variables, this bench's lifetime and topic."""
    variables = {
        **GUARD_VARS,
        "lifetime_seconds": LIFETIME,
        "idle_seconds": LIFETIME,
        "max_lifetime_seconds": LIFETIME,
        "success_topic_arn": topic_arn,
        "failure_topic_arn": topic_arn,
        **overrides,
    }
    return render(DEFINITIONS["glue_session_guard.asl.json"], variables)


def main() -> int:
    with running_emulator(Path(tempfile.mkdtemp(prefix="bench-emulator-"))) as emu:
        return run(emu.port, emu.state_dir)


def set_provisioning_delay(port: int, state_dir: Path, seconds: int) -> None:
    """Each session keeps the delay that was configured when it was created."""
    configure(port, state_dir, {"glue_session": {"provisioning_seconds": seconds, "stopping_seconds": 1}})


def start_scenarios(port: int, state_dir: Path, c: dict[str, Any]) -> dict[str, float]:
    sfn, glue = c["stepfunctions"], c["glue"]
    topic = c["sns"].create_topic(Name="bench")["TopicArn"]
    machines = {
        "console": sfn.create_state_machine(name="console", definition=json.dumps(CONSOLE_ASL), roleArn=ROLE),
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
    print(f"{'delay':>6} | console: {header} | guard: {header}")
    overrun = {"console": 0.0, "guard": 0.0}
    late = {"console": 0.0, "guard": 0.0}
    never = {"console": 0, "guard": 0}
    for delay in DELAYS:
        cells = []
        for design in ("console", "guard"):
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
    for design in ("console", "guard"):
        print(
            f"{design:>5}: total overrun {overrun[design]:.1f} s, total late {late[design]:.1f} s "
            f"over stopped sessions; {never[design]} of {len(DELAYS)} never stopped "
            "(they run until their idle timeout, 2880 min by default)"
        )
    if late["guard"] > 0:
        print(f"ratio console/guard total late: {late['console'] / late['guard']:.2f}")


# --- Part 2: stop policies on busy and forgotten sessions ---------------------------------------

IDLE_SECONDS = 10
HARD_CAP = 90
# Statements per session: (submitted at s after creation, runs for s; None = never ends).
MIX: dict[str, list[tuple[float, float | None]]] = {
    "forgotten": [],
    "one-query-then-left": [(2, 3)],
    "bursts": [(2, 3), (13, 3), (24, 4)],
    "long-job": [(2, 45)],
    "busy-all-along": [(2, 8), (12, 9), (23, 9), (34, 9), (45, 9), (56, 5)],
    "runaway": [(2, None)],
}
POLICIES = ("fixed-wait", "lifetime", "idle")


def configure(port: int, state_dir: Path, changes: dict[str, Any]) -> None:
    request = urllib.request.Request(
        f"https://127.0.0.1:{port}/_emulator/config", data=json.dumps(changes).encode(), method="POST"
    )
    context = ssl.create_default_context(cafile=str(state_dir / "ca.pem"))
    urllib.request.urlopen(request, context=context).read()


def start_mix(port: int, state_dir: Path, c: dict[str, Any]) -> tuple[dict[str, float], Any]:
    sfn, glue = c["stepfunctions"], c["glue"]
    topic = c["sns"].create_topic(Name="bench-mix")["TopicArn"]
    machines = {
        "fixed-wait": sfn.create_state_machine(
            name="mix-console", definition=json.dumps(CONSOLE_ASL), roleArn=ROLE
        ),
        "lifetime": sfn.create_state_machine(
            name="mix-lifetime", definition=guard_definition(topic), roleArn=ROLE
        ),
        "idle": sfn.create_state_machine(
            name="mix-idle",
            definition=guard_definition(
                topic, stop_policy="idle", idle_seconds=IDLE_SECONDS, max_lifetime_seconds=HARD_CAP
            ),
            roleArn=ROLE,
        ),
    }
    configure(port, state_dir, {"glue_session": {"provisioning_seconds": 1, "stopping_seconds": 1}})
    created: dict[str, float] = {}
    for profile in MIX:
        for policy in POLICIES:
            session_id = f"{policy}-{profile}"
            glue.create_session(Id=session_id, Role=ROLE, Command={"Name": "glueetl"}, NumberOfWorkers=2)
            created[session_id] = time.monotonic()
            created_on = glue.get_session(Id=session_id)["Session"]["CreatedOn"]
            payload: dict[str, Any] = {"session_id": session_id}
            if policy != "fixed-wait":
                payload = {
                    "source": "event",
                    "session": {"id": session_id, "createdOn": created_on.isoformat()},
                }
            sfn.start_execution(
                stateMachineArn=machines[policy]["stateMachineArn"], input=json.dumps(payload)
            )
    return created, glue


def drive_mix(port: int, state_dir: Path, glue: Any, created: dict[str, float]) -> dict[str, float]:
    """Submit every planned statement on time; return when each session was accepted for stopping."""
    pending = {session_id: list(MIX[_profile(session_id)]) for session_id in created}
    stopped: dict[str, float] = {}
    deadline = time.monotonic() + HARD_CAP + 40
    while len(stopped) < len(created) and time.monotonic() < deadline:
        for session_id, started in created.items():
            if session_id in stopped:
                continue
            age = time.monotonic() - started
            status = glue.get_session(Id=session_id)["Session"]["Status"]
            if status in ("STOPPING", "STOPPED"):
                stopped[session_id] = age
                continue
            while pending[session_id] and pending[session_id][0][0] <= age and status == "READY":
                _, seconds = pending[session_id].pop(0)
                configure(port, state_dir, {"glue_statement": {"seconds": seconds}})
                glue.run_statement(SessionId=session_id, Code=f"work({seconds})")
        time.sleep(0.2)
    return stopped


def _profile(session_id: str) -> str:
    for policy in POLICIES:
        if session_id.startswith(f"{policy}-"):
            return session_id[len(policy) + 1 :]
    raise ValueError(session_id)


def cut_off(profile: str, stopped_at: float) -> int:
    """Planned statements that had started and not finished when the session was stopped."""
    return sum(
        1
        for at, seconds in MIX[profile]
        if at < stopped_at and (seconds is None or at + seconds > stopped_at)
    )


def report_mix(stopped: dict[str, float]) -> None:
    print(
        f"\nStop policies: fixed wait {LIFETIME} s (console build), lifetime {LIFETIME} s, "
        f"idle {IDLE_SECONDS} s "
        f"with a {HARD_CAP} s hard cap. Billed seconds = creation to stop; cut = statements cut off.\n"
    )
    print(f"{'session':<22}" + "".join(f" | {policy:>10} {'cut':>3}" for policy in POLICIES))
    billed = dict.fromkeys(POLICIES, 0.0)
    cuts = dict.fromkeys(POLICIES, 0)
    for profile in MIX:
        cells = []
        for policy in POLICIES:
            at = stopped.get(f"{policy}-{profile}")
            if at is None:
                cells.append(f" | {'NOT STOPPED':>10} {'-':>3}")
                continue
            billed[policy] += at
            cuts[policy] += cut_off(profile, at)
            cells.append(f" | {at:10.1f} {cut_off(profile, at):3d}")
        print(f"{profile:<22}" + "".join(cells))
    print()
    for policy in POLICIES:
        print(
            f"{policy:>10}: billed {billed[policy]:6.1f} s in total "
            f"({billed[policy] / billed['fixed-wait']:.2f} x the fixed wait), "
            f"{cuts[policy]} statements cut off"
        )
    forgotten = [p for p in MIX if not MIX[p]]
    idle_forgotten = sum(stopped.get(f"idle-{p}", 0.0) for p in forgotten)
    fixed_forgotten = sum(stopped.get(f"fixed-wait-{p}", 0.0) for p in forgotten)
    if idle_forgotten:
        print(f"forgotten sessions only: fixed wait / idle billed = {fixed_forgotten / idle_forgotten:.2f}")


def run(port: int, state_dir: Path) -> int:
    c = clients(port, state_dir)
    create_role(c["iam"])
    created = start_scenarios(port, state_dir, c)
    ready, stopped = observe(c["glue"], created)
    report(ready, stopped)
    created_mix, glue = start_mix(port, state_dir, c)
    report_mix(drive_mix(port, state_dir, glue, created_mix))
    return 0


if __name__ == "__main__":
    sys.exit(main())
