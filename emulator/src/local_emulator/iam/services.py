"""How each service the emulator plays acts: with which role, and against which resource policies.

- Lambda and Glue run code with a session of the execution role (`credentials.assume_as_service`
  with the principal and the source ARN the service sends).
- Step Functions tasks call with a session of the state machine's role.
- EventBridge rule targets are started with the target's RoleArn; the dead-letter queue is
  written by the service principal events.amazonaws.com against the queue policy and key policy
  (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html#eb-dlq-perms).
All return {} / allow when `iam.mode` is off, so the emulator behaves as before.
"""

from __future__ import annotations

from typing import Any, Optional

from local_emulator.constants import ACCOUNT_ID, REGION
from local_emulator.iam import credentials, judge
from local_emulator.iam.hook import global_context
from local_emulator.iam.policy import Principal
from local_emulator.iam.requests import Call, implied_kms


def _off() -> bool:
    return credentials.mode() == "off"


def lambda_session(fn: Any) -> dict[str, str]:
    """AWS_* credentials of the function's execution role, for its handler's process."""
    if _off() or not getattr(fn, "role", None):
        return {}
    return credentials.assume_as_service(
        fn.role, "lambda.amazonaws.com", fn.function_arn, fn.function_name, origin=fn.function_arn
    )


def glue_job_session(job: Any, run_id: str) -> dict[str, str]:
    if _off() or not getattr(job, "role", None):
        return {}
    job_arn = f"arn:aws:glue:{REGION}:{ACCOUNT_ID}:job/{job.name}"
    return credentials.assume_as_service(
        job.role, "glue.amazonaws.com", job_arn, f"GlueJobRunnerSession-{run_id[:20]}"
    )


def state_machine_session(role_arn: str, state_machine_arn: str) -> dict[str, str]:
    if _off() or not role_arn:
        return {}
    name = state_machine_arn.rsplit(":", 1)[-1]
    return credentials.assume_as_service(role_arn, "states.amazonaws.com", state_machine_arn, name[:64])


def events_target_denial(rule: Any, target_def: dict[str, Any]) -> Optional[str]:
    """Judge states:StartExecution by the target's role; the reason when denied, else None."""
    role_arn = target_def.get("RoleArn")
    if _off():
        return None
    if not role_arn:
        return "the target has no RoleArn: EventBridge needs a role to start a state machine"
    env = credentials.assume_as_service(
        role_arn, "events.amazonaws.com", rule.arn, f"events-{rule.name}"[:64]
    )
    principal = credentials.principal_for(env["AWS_ACCESS_KEY_ID"])
    if principal is None:
        return None
    call = Call("states:StartExecution", target_def["Arn"], {})
    decision = judge.decide(
        principal, call.action, call.resource, global_context(principal, REGION), origin=f"events:{rule.arn}"
    )
    if decision.allowed:
        return None
    enforced = credentials.mode() == "enforce"
    return decision.reason if enforced else None


def service_may_send(service: str, queue_arn: str, source_arn: str) -> bool:
    """A service principal sends to a queue: queue policy, then the queue key's policy."""
    if _off():
        return True
    principal = Principal(arn=service, account="", kind="service")
    context = {"aws:SourceArn": source_arn, "aws:SourceAccount": ACCOUNT_ID, "aws:SecureTransport": "true"}
    calls = [Call("sqs:SendMessage", queue_arn, {})]
    calls += implied_kms(calls, ACCOUNT_ID, REGION)
    allowed = True
    for call in calls:
        decision = judge.decide(
            principal, call.action, call.resource, {**context, **call.context}, origin=source_arn
        )
        allowed = allowed and decision.allowed
    return allowed or credentials.mode() != "enforce"
