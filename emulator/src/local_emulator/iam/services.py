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
from local_emulator.iam.requests import Call, implied_kms, s3_kms


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


def events_target_denial(
    rule: Any, target_def: dict[str, Any], action: str = "states:StartExecution"
) -> Optional[str]:
    """Judge the target call (StartExecution, or PutEvents on another Region's or account's bus)
    by the target's role; the reason when denied, else None."""
    role_arn = target_def.get("RoleArn")
    if _off():
        return None
    if not role_arn:
        return f"the target has no RoleArn: EventBridge needs a role for {action} on {target_def['Arn']}"
    env = credentials.assume_as_service(
        role_arn, "events.amazonaws.com", rule.arn, f"events-{rule.name}"[:64]
    )
    principal = credentials.principal_for(env["AWS_ACCESS_KEY_ID"])
    if principal is None:
        return None
    call = Call(action, target_def["Arn"], {})
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


def service_delivers(service: str, calls: list[Call], source_arn: str, origin: str = "") -> Optional[str]:
    """A service principal acting on its own behalf against resource policies (alarm actions,
    log delivery, CloudTrail): every call judged with the confused-deputy keys the service sends
    (`aws:SourceArn`, `aws:SourceAccount`) plus the call's own context. Returns the first denial's
    text, or None when every call is allowed (or IAM is not enforced). Each decision is recorded,
    so a delivery AWS would drop silently is still in the decisions log."""
    if _off():
        return None
    principal = Principal(arn=service, account="", kind="service")
    base = {"aws:SourceArn": source_arn, "aws:SourceAccount": ACCOUNT_ID, "aws:SecureTransport": "true"}
    denial = None
    for call in calls:
        decision = judge.decide(
            principal, call.action, call.resource, {**base, **call.context}, origin=origin or source_arn
        )
        if not decision.allowed and denial is None:
            denial = (
                f"{service} is not authorized to perform {call.action} on {call.resource}: {decision.reason}"
            )
    return denial if credentials.mode() == "enforce" else None


def _session_principal(role_arn: str, service: str, source_arn: str, session: str) -> Optional[Principal]:
    env = credentials.assume_as_service(role_arn, service, source_arn, session[:64])
    return credentials.principal_for(env["AWS_ACCESS_KEY_ID"])


def _first_denial(principal: Principal, calls: list[Call], origin: str) -> Optional[str]:
    """Judge the calls (and the SSE-KMS reads they imply); the first denial's text when enforcing."""
    calls = calls + s3_kms(calls, {}, ACCOUNT_ID, REGION)
    base = global_context(principal, REGION)
    denial = None
    for call in calls:
        decision = judge.decide(
            principal, call.action, call.resource, {**base, **call.context}, origin=origin
        )
        if not decision.allowed and denial is None:
            denial = f"{principal.session_arn} is not authorized to perform {call.action} on {call.resource}"
    return denial if credentials.mode() == "enforce" else None


def _catalog(database: str, table: Optional[str] = None) -> list[str]:
    glue = f"arn:aws:glue:{REGION}:{ACCOUNT_ID}"
    return [f"{glue}:catalog", f"{glue}:database/{database}"] + (
        [f"{glue}:table/{database}/{table}"] if table else []
    )


def crawler_denial(crawler: Any, found: list[Any], roots: list[str]) -> Optional[str]:
    """A crawl reads its targets and writes the catalog with the crawler's role."""
    if _off() or not getattr(crawler, "role", None):
        return None
    crawler_arn = f"arn:aws:glue:{REGION}:{ACCOUNT_ID}:crawler/{crawler.name}"
    principal = _session_principal(
        crawler.role, "glue.amazonaws.com", crawler_arn, f"AWS-Crawler-{crawler.name}"
    )
    if principal is None:
        return None
    calls: list[Call] = []
    for root in roots:
        bucket, _, prefix = root.removeprefix("s3://").partition("/")
        calls.append(Call("s3:ListBucket", f"arn:aws:s3:::{bucket}", {"s3:prefix": prefix}))
    database = crawler.database_name
    calls += [Call("glue:GetDatabase", r) for r in _catalog(database)]
    for table in found:
        location = table.location.removeprefix("s3://")
        calls += [Call("s3:GetObject", f"arn:aws:s3:::{location}{f.relative}") for f in table.files]
        exists = table.name in getattr(crawler.backend.databases.get(database), "tables", {})
        for action in ("glue:GetTable", "glue:UpdateTable" if exists else "glue:CreateTable"):
            calls += [Call(action, r) for r in _catalog(database, table.name)]
        if table.partition_keys:
            calls += [Call("glue:BatchCreatePartition", r) for r in _catalog(database, table.name)]
    return _first_denial(principal, calls, origin=crawler_arn)


def quality_denial(
    role_arn: str, database: str, table: str, location: str, rulesets: list[str]
) -> Optional[str]:
    """A data-quality evaluation run reads the table and its data with the role it was passed."""
    if _off() or not role_arn:
        return None
    glue = f"arn:aws:glue:{REGION}:{ACCOUNT_ID}"
    principal = _session_principal(
        role_arn, "glue.amazonaws.com", f"{glue}:dataQualityRuleset/{rulesets[0]}", "dq"
    )
    if principal is None:
        return None
    calls = [Call("glue:GetTable", r) for r in _catalog(database, table)]
    for name in rulesets:
        calls += [
            Call(a, f"{glue}:dataQualityRuleset/{name}")
            for a in ("glue:GetDataQualityRuleset", "glue:PublishDataQuality")
        ]
    bucket, _, prefix = location.removeprefix("s3://").partition("/")
    calls.append(Call("s3:ListBucket", f"arn:aws:s3:::{bucket}", {"s3:prefix": prefix}))
    from moto.s3.models import s3_backends  # noqa: PLC0415

    keys = s3_backends[ACCOUNT_ID]["aws"].buckets.get(bucket)
    for name in list(keys.keys.keys()) if keys is not None else []:
        if name.startswith(prefix) and not name.endswith("/"):
            calls.append(Call("s3:GetObject", f"arn:aws:s3:::{bucket}/{name}"))
    return _first_denial(principal, calls, origin=f"{glue}:dataQualityRuleset/{rulesets[0]}")
