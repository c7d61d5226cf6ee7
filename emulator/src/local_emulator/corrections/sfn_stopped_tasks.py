"""A Task reached after its execution or Map iteration has stopped schedules nothing.

AWS behaviour (https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html,
"If any iteration fails, the Map state fails and all iterations are stopped"; HistoryEvent and
TaskScheduledEventDetails in botocore's stepfunctions model: `timeoutInSeconds` and
`heartbeatInSeconds` are longs): an iteration stopped because another one failed starts no further
task, and every TaskScheduled event carries whole-number timeouts.

moto 5.2.1 prunes a component evaluated in an environment that is no longer running (it pushes
nothing onto the environment's value stack), while `StateTaskService._before_eval_execution`
evaluates the Task's TimeoutSeconds and pops the stack unconditionally. When a Map iteration is
stopped between entering a Task and scheduling it, the pop takes whatever value lay below (the
Task's arguments, a dict) and records it as `timeoutInSeconds`; the execution's history then can
no longer be serialised and every GetExecutionHistory of it fails with a 500. CI failed once that
way on the medallion pipeline's quality gate (two iterations, one failing at GetSilverQualityRun):
the serialiser found a dict in an integer field of an event's details. Of the history's integer
fields (botocore's model) this pop is the path that can put one there; the race itself was not
reproduced (23 reruns under load), hence the in-process tests.

Here a service Task whose environment has stopped returns before scheduling (no event, no call),
and a literal TimeoutSeconds / HeartbeatSeconds always yields its value, so the stack stays
balanced even if the stop lands in between the check and the evaluation.
"""

from __future__ import annotations

from typing import Any

from local_emulator.patching import target

_SERVICE = "moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service"
_TIMEOUT = "moto.stepfunctions.parser.asl.component.common.timeouts.timeout"
_HEARTBEAT = "moto.stepfunctions.parser.asl.component.common.timeouts.heartbeat"


def _always_evaluated(literal_class: Any) -> None:
    """A literal's eval pushes its value even in a stopped environment (it computes nothing)."""

    def eval(self: Any, env: Any) -> None:
        self._eval_body(env)

    literal_class.eval = eval


def apply() -> None:
    owner, attr, original_eval_execution = target(_SERVICE, "StateTaskService._eval_execution")
    if getattr(original_eval_execution, "_skips_stopped", False):
        return  # applied already in this process

    def _eval_execution(self: Any, env: Any) -> None:
        if not env.is_running():
            return
        original_eval_execution(self, env)

    _eval_execution._skips_stopped = True  # type: ignore[attr-defined]
    setattr(owner, attr, _eval_execution)

    _always_evaluated(target(_TIMEOUT, "TimeoutSeconds")[2])
    _always_evaluated(target(_HEARTBEAT, "HeartbeatSeconds")[2])
