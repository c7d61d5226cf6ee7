"""Temporary credentials per role, minted when the emulator runs code as a service.

AWS: a service assumes the execution role with sts:AssumeRole, as its service principal; the
role's trust policy must allow it. The condition keys each service sends on that call:
- Lambda: aws:SourceAccount and aws:SourceArn = the function ARN
  (https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html);
- Step Functions: aws:SourceAccount and aws:SourceArn = the state machine ARN
  (https://docs.aws.amazon.com/step-functions/latest/dg/procedure-create-iam-role.html#prevent-cross-service-confused-deputy);
- Glue job runs: the emulator sends aws:SourceAccount and aws:SourceArn = the job ARN. AWS Glue
  does not document which of these keys it sends when it assumes a job role; a trust policy that
  conditions on a key Glue does not send would fail on AWS and pass here (the project's trust
  policies condition only on aws:SourceAccount for Glue);
- EventBridge rule targets: aws:SourceAccount and aws:SourceArn = the rule ARN
  (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-identity-based.html);
- EventBridge Scheduler: aws:SourceAccount and aws:SourceArn = the schedule group ARN
  (https://docs.aws.amazon.com/scheduler/latest/UserGuide/cross-service-confused-deputy-prevention.html).

The credentials are moto STS sessions, so an incoming access key maps back to its role session
(`principal_for`). The emulator's own fixed key (constants.ACCESS_KEY_ID) stays the admin
principal that Terraform and tests use.
"""

from __future__ import annotations

import threading
from typing import Any, Optional

from local_emulator import runtime
from local_emulator.constants import ACCOUNT_ID, REGION
from local_emulator.iam import judge
from local_emulator.iam.evaluate import Principal, role_session

_lock = threading.Lock()
_principals: dict[str, Principal] = {}


class RoleNotAssumable(RuntimeError):
    """The role's trust policy does not let the service assume it (enforced mode only)."""


def mode() -> str:
    return str(runtime.settings.get("iam", "mode"))


def _sts() -> Any:
    from moto.sts.models import sts_backends  # noqa: PLC0415

    return sts_backends[ACCOUNT_ID]["aws"]


def assume_as_service(
    role_arn: str, service: str, source_arn: str, session_name: str, origin: str = ""
) -> dict[str, str]:
    """Evaluate the trust policy as `service` would be judged, then mint a session of the role.

    Returns AWS_* environment variables for the code the emulator runs as that role."""
    account = role_arn.split(":")[4] or ACCOUNT_ID
    principal = Principal(arn=service, account="", kind="service")
    context = {"aws:SourceAccount": account, "aws:SourceArn": source_arn}
    decision = judge.decide(principal, "sts:AssumeRole", role_arn, context, origin=origin or source_arn)
    if not decision.allowed and mode() == "enforce":
        raise RoleNotAssumable(f"{service} cannot assume {role_arn}: {decision.reason}")
    session = _sts().assume_role(
        region_name=REGION,
        role_session_name=session_name[:64],
        role_arn=role_arn,
        policy=None,
        duration=3600,
        external_id=None,
    )
    principal_of_session = role_session(session.arn)
    if principal_of_session is not None:
        # The session ARN drops the role's path; keep the role ARN as IAM stores it.
        principal_of_session = Principal(
            arn=role_arn, account=account, kind="role", session_arn=principal_of_session.session_arn
        )
        with _lock:
            _principals[session.access_key_id] = principal_of_session
    return {
        "AWS_ACCESS_KEY_ID": session.access_key_id,
        "AWS_SECRET_ACCESS_KEY": session.secret_access_key,
        "AWS_SESSION_TOKEN": session.session_token,
    }


def principal_for(access_key_id: str) -> Optional[Principal]:
    with _lock:
        known = _principals.get(access_key_id)
    if known is not None:
        return known
    assumed = _sts().get_assumed_role_from_access_key(access_key_id)
    if assumed is None:
        return None
    found = role_session(assumed.arn)
    if found is None:
        return None
    found = Principal(arn=assumed.role_arn, account=found.account, kind="role", session_arn=found.session_arn)
    with _lock:
        _principals[access_key_id] = found
    return found


def reset() -> None:
    with _lock:
        _principals.clear()
