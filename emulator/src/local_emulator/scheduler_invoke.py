"""EventBridge Scheduler invokes a schedule's target with the schedule's execution role.

moto 5.2.1 stores schedules and never fires them. The emulator invokes one on demand
(`POST /_emulator/scheduler/invoke {"name", "group"?, "scheduled_time"?}`), as AWS does when it
fires, so its execution role, trust policy and target permissions are exercised:

1. Scheduler assumes `Target.RoleArn` as `scheduler.amazonaws.com`, sending `aws:SourceAccount`
   and `aws:SourceArn` = the schedule group ARN (confused-deputy keys documented at
   https://docs.aws.amazon.com/scheduler/latest/UserGuide/cross-service-confused-deputy-prevention.html;
   execution role: https://docs.aws.amazon.com/scheduler/latest/UserGuide/setting-up.html#setting-up-execution-role).
   A role Scheduler cannot assume fails the invocation (nothing can be dead-lettered with it).
2. With that role session it calls the target API over HTTPS, so the call is judged like any
   role session's: templated Step Functions targets call `states:StartExecution` with the input,
   `<aws.scheduler.scheduled-time>` (and the other context attributes) substituted
   (https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-context-attributes.html).
3. A failed call is sent to the DLQ, again with the execution role (the role needs
   `sqs:SendMessage` and the queue key, https://docs.aws.amazon.com/scheduler/latest/UserGuide/configuring-schedule-dlq.html),
   with the error in the message attributes. Retries: a permission error is not retried
   (the emulator does not retry other errors either; it reports the attempt it made).
4. A schedule with a customer managed `KmsKeyArn` holds its payload encrypted under that key;
   when it fires, Scheduler decrypts it with the execution role: `kms:Decrypt` on the key with
   the encryption context `aws:scheduler:schedule-arn` = the schedule ARN
   (https://docs.aws.amazon.com/scheduler/latest/UserGuide/encryption-rest.html: the payload is
   encrypted with the customer managed key, whose use the key policy and the execution role's
   policy must allow). The call is judged (identity policy, key policy or its delegation to the
   account, grants) and recorded; denied, the target is not invoked and the invocation fails with
   AccessDeniedException naming the key. Nothing is dead-lettered then: the DLQ message would
   carry the payload the role could not decrypt.
Only Step Functions targets are invoked (what this stack schedules); any other target answers 400.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any, Optional

from botocore.config import Config
from botocore.exceptions import ClientError

from local_emulator import runtime
from local_emulator.constants import ACCOUNT_ID, REGION
from local_emulator.iam import credentials, judge
from local_emulator.iam.hook import global_context

PRINCIPAL = "scheduler.amazonaws.com"


class NotInvocable(ValueError):
    """The schedule does not exist or its target is not one the emulator invokes."""


def _schedule(name: str, group: str) -> Any:
    from moto.scheduler.models import scheduler_backends  # noqa: PLC0415 - moto loads lazily

    backend = scheduler_backends[ACCOUNT_ID][REGION]
    try:
        return backend.get_schedule(group_name=group, name=name)
    except Exception as exc:
        raise NotInvocable(f"no schedule {group}/{name}") from exc


def _client(service: str, session: dict[str, str]) -> Any:
    return runtime.server_client(service, session, config=Config(retries={"total_max_attempts": 1}))


def _input(schedule: Any, scheduled_time: str) -> str:
    text = str(schedule.target.get("Input") or "{}")
    values = {
        "<aws.scheduler.scheduled-time>": scheduled_time,
        "<aws.scheduler.schedule-arn>": schedule.arn,
        # Scheduler's ids are 16 lower-case alphanumerics (e.g. d32c5kddcf5bb8c3).
        "<aws.scheduler.execution-id>": uuid.uuid4().hex[:16],
        "<aws.scheduler.attempt-number>": "1",
    }
    for placeholder, value in values.items():
        text = text.replace(placeholder, value)
    return text


def invoke(name: str, group: str = "default", scheduled_time: Optional[str] = None) -> dict[str, Any]:
    """Invoke the schedule once; returns what happened (for the control API's caller)."""
    schedule = _schedule(name, group)
    target = schedule.target
    target_arn = str(target.get("Arn", ""))
    if ":states:" not in target_arn or ":stateMachine:" not in target_arn:
        raise NotInvocable(f"the emulator invokes Step Functions targets only, not {target_arn}")
    when = scheduled_time or dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    group_arn = f"arn:aws:scheduler:{REGION}:{ACCOUNT_ID}:schedule-group/{group}"
    if credentials.mode() == "off":
        session: dict[str, str] = {}  # nothing judged: the admin key
    else:
        try:
            session = credentials.assume_as_service(
                str(target.get("RoleArn", "")),
                PRINCIPAL,
                group_arn,
                f"scheduler-{name}"[:64],
                origin=schedule.arn,
            )
        except credentials.RoleNotAssumable as exc:
            return {"outcome": "failed", "error": "AccessDenied", "message": str(exc), "dead_lettered": False}
        denial = _payload_key_denial(schedule, session)
        if denial is not None:
            return {
                "outcome": "failed",
                "error": "AccessDeniedException",
                "message": denial,
                "dead_lettered": False,
            }
    try:
        started = _client("stepfunctions", session).start_execution(
            stateMachineArn=target_arn, input=_input(schedule, when)
        )
        return {"outcome": "invoked", "executionArn": started["executionArn"]}
    except ClientError as exc:
        error = exc.response["Error"]
        outcome = {"outcome": "failed", "error": error.get("Code"), "message": error.get("Message", "")}
    outcome["dead_lettered"] = _dead_letter(schedule, group_arn, session, outcome, when)
    return outcome


def _payload_key_denial(schedule: Any, session: dict[str, str]) -> Optional[str]:
    """Judge the execution role's kms:Decrypt of the payload; the denial's text when enforcing."""
    key_arn = str(getattr(schedule, "kms_key_arn", None) or "")
    principal = credentials.principal_for(session["AWS_ACCESS_KEY_ID"]) if session else None
    if not key_arn or principal is None:
        return None
    key = judge.kms_key(key_arn, ACCOUNT_ID, REGION)
    resource = key.arn if key is not None else key_arn
    context = {
        **global_context(principal, REGION),
        "kms:ViaService": f"scheduler.{REGION}.amazonaws.com",
        "kms:CallerAccount": ACCOUNT_ID,
        "kms:EncryptionContext:aws:scheduler:schedule-arn": schedule.arn,
        "kms:EncryptionContextKeys": ["aws:scheduler:schedule-arn"],
    }
    decision = judge.decide(principal, "kms:Decrypt", resource, context, origin=schedule.arn)
    if decision.allowed or credentials.mode() != "enforce":
        return None
    return (
        f"{principal.session_arn} is not authorized to perform kms:Decrypt on {resource} "
        f"(the schedule's payload key): {decision.reason}"
    )


def _dead_letter(
    schedule: Any, group_arn: str, session: dict[str, str], failure: dict[str, Any], when: str
) -> bool:
    queue_arn = str((schedule.target.get("DeadLetterConfig") or {}).get("Arn") or "")
    if not queue_arn:
        return False
    sqs = _client("sqs", session)
    attributes = {
        "ERROR_CODE": failure["error"],
        "ERROR_MESSAGE": failure["message"][:256] or failure["error"],
        "EXHAUSTED_RETRY_CONDITION": "MaximumRetryAttempts",
        "RETRY_ATTEMPTS": "0",
        "TARGET_ARN": schedule.target["Arn"],
        "SCHEDULE_ARN": schedule.arn,
        "GROUP_ARN": group_arn,
    }
    try:
        _, _, _, region, account, queue = queue_arn.split(":", 5)
        url = f"https://sqs.{region}.amazonaws.com/{account}/{queue}"  # by ARN: no GetQueueUrl
        sqs.send_message(
            QueueUrl=url,
            MessageBody=json.dumps({"scheduledTime": when, "input": _input(schedule, when)}),
            MessageAttributes={k: {"DataType": "String", "StringValue": v} for k, v in attributes.items()},
        )
    except ClientError:
        return False  # the role may not write the DLQ: dropped (the denial is in the decisions log)
    return True
