"""A Task reached after its Map iteration has stopped schedules nothing, and literal timeouts
keep the value stack balanced (corrections/sfn_stopped_tasks.py). In process: the race it closes
(another iteration failing between a Task's entry and its scheduling) cannot be timed from
outside, so the stopped environment is built directly."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from moto.stepfunctions.parser.asl.component.common.timeouts.heartbeat import HeartbeatSeconds
from moto.stepfunctions.parser.asl.component.common.timeouts.timeout import TimeoutSeconds
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service import (
    StateTaskService,
)

from local_emulator.corrections import sfn_stopped_tasks

ARGUMENTS = {"RunId": "dqrun-1"}


class StoppedEnvironment:
    """What a stopped iteration's environment offers a component: a value stack, not running."""

    def __init__(self) -> None:
        self.stack: list[Any] = [ARGUMENTS]

    def is_running(self) -> bool:
        return False


def test_a_literal_timeout_yields_its_value_in_a_stopped_environment():
    sfn_stopped_tasks.apply()
    env = StoppedEnvironment()
    TimeoutSeconds(timeout_seconds=60).eval(env=env)
    # What _before_eval_execution pops into TaskScheduled.timeoutInSeconds (a long): the 60, not
    # the arguments below it.
    assert env.stack.pop() == 60 and env.stack == [ARGUMENTS]
    HeartbeatSeconds(heartbeat_seconds=30).eval(env=env)
    assert env.stack.pop() == 30 and env.stack == [ARGUMENTS]


def test_a_service_task_in_a_stopped_environment_schedules_nothing():
    sfn_stopped_tasks.apply()
    sfn_stopped_tasks.apply()  # applying twice wraps once

    def must_not_run(**_kwargs: Any) -> None:
        raise AssertionError("a stopped iteration evaluated its Task")

    task = SimpleNamespace(resource=SimpleNamespace(eval=must_not_run))
    env = StoppedEnvironment()
    assert StateTaskService._eval_execution(task, env) is None
    assert env.stack == [ARGUMENTS]
