"""The judge: reads the deployed policies from the emulator's own state, decides, and records.

Identity policies, permission boundaries and trust policies come from moto's IAM backend; resource
policies from the resource's own backend (S3 bucket policy, SNS topic policy, SQS queue policy,
KMS key policy and grants, Secrets Manager resource policy). Every decision is appended to the
audit log (`audit.py`). The stack attaches no AWS-managed policies; a role with one attached is
judged with the document moto ships for it.
"""

from __future__ import annotations

import json
from typing import Any, Optional

from local_emulator.iam import audit, tags
from local_emulator.iam.evaluate import Decision, Grant, Request, evaluate
from local_emulator.iam.policy import Context, Policy, Principal


def _iam(account: str) -> Any:
    from moto.iam.models import iam_backends  # noqa: PLC0415 - moto loads lazily

    return iam_backends[account]["aws"]


def _text(document: Any) -> Optional[str]:
    if document is None or document == "":
        return None
    if isinstance(document, bytes):
        return document.decode()
    return document if isinstance(document, str) else json.dumps(document)


def _managed_document(policy: Any) -> str:
    return next(v.document for v in policy.versions if v.is_default_version)


def role_policies(account: str, role_arn: str) -> tuple[list[Policy], Optional[Policy]]:
    """(inline + attached policies, permissions boundary) of a role; ([], None) if it is gone."""
    try:
        role = _iam(account).get_role_by_arn(role_arn)
    except Exception:
        return [], None
    policies = [Policy.parse(f"{role.name}/{name}", text) for name, text in role.policies.items()]
    for arn, managed in role.managed_policies.items():
        policies.append(Policy.parse(arn, _managed_document(managed)))
    boundary = None
    if role.permissions_boundary_arn:
        managed = _iam(account).get_policy(role.permissions_boundary_arn)
        boundary = Policy.parse(f"boundary:{role.permissions_boundary_arn}", _managed_document(managed))
    return policies, boundary


def trust_policy(account: str, role_arn: str) -> Optional[Policy]:
    try:
        role = _iam(account).get_role_by_arn(role_arn)
    except Exception:
        return None
    return Policy.parse(f"{role.name}/trust", _text(role.assume_role_policy_document) or "{}")


# ---------------------------------------------------------------------------------------------
# Resource policies
# ---------------------------------------------------------------------------------------------
def _arn_parts(arn: str) -> tuple[str, str, str, str]:
    parts = arn.split(":", 5)
    return parts[2], parts[3], parts[4], parts[5]


def kms_key(arn_or_id: str, account: str, region: str) -> Any:
    from moto.kms.models import kms_backends  # noqa: PLC0415

    backend = kms_backends[account][region]
    try:
        return backend.describe_key(arn_or_id)
    except Exception:
        return None


def resource_policy(resource: str) -> tuple[Optional[Policy], Any]:
    """(policy attached to the resource, the resource's model or None)."""
    if not resource.startswith("arn:"):
        return None, None
    service, region, account, rest = _arn_parts(resource)
    getter = _RESOURCE_POLICIES.get(service)
    return getter(resource, region, account, rest) if getter else (None, None)


def _s3(resource: str, region: str, account: str, rest: str) -> tuple[Optional[Policy], Any]:
    from moto.s3.models import s3_backends  # noqa: PLC0415

    from local_emulator.constants import ACCOUNT_ID  # noqa: PLC0415

    name = rest.split("/", 1)[0]
    bucket = s3_backends[account or ACCOUNT_ID]["aws"].buckets.get(name)
    text = _text(bucket.policy) if bucket is not None else None
    return (Policy.parse(f"bucket:{name}", text) if text else None), bucket


def _sns(resource: str, region: str, account: str, rest: str) -> tuple[Optional[Policy], Any]:
    from moto.sns.models import sns_backends  # noqa: PLC0415

    topic = sns_backends[account][region].topics.get(resource)
    return (Policy.parse(f"topic:{rest}", topic.policy) if topic is not None else None), topic


def _sqs(resource: str, region: str, account: str, rest: str) -> tuple[Optional[Policy], Any]:
    from moto.sqs.models import sqs_backends  # noqa: PLC0415

    queue = sqs_backends[account][region].queues.get(rest)
    text = _text(getattr(queue, "policy", None)) if queue is not None else None
    return (Policy.parse(f"queue:{rest}", text) if text else None), queue


def _kms(resource: str, region: str, account: str, rest: str) -> tuple[Optional[Policy], Any]:
    key = kms_key(resource, account, region)
    if key is None:
        return None, None
    return Policy.parse(f"key:{key.id}", _text(key.policy) or "{}"), key


def _secrets(resource: str, region: str, account: str, rest: str) -> tuple[Optional[Policy], Any]:
    from moto.secretsmanager.models import secretsmanager_backends  # noqa: PLC0415

    backend = secretsmanager_backends[account][region]
    secret = next((s for s in backend.secrets.values() if getattr(s, "arn", None) == resource), None)
    text = _text(getattr(secret, "policy", None)) if secret is not None else None
    return (Policy.parse(f"secret:{rest}", text) if text else None), secret


_RESOURCE_POLICIES = {"s3": _s3, "sns": _sns, "sqs": _sqs, "kms": _kms, "secretsmanager": _secrets}


def _grants(key: Any) -> list[Grant]:
    grants = []
    for grant in getattr(key, "grants", {}).values():
        constraints = grant.constraints or {}
        grants.append(
            Grant(
                grantee=grant.grantee_principal,
                operations=tuple(grant.operations or ()),
                context_subset=constraints.get("EncryptionContextSubset") or {},
                context_equals=constraints.get("EncryptionContextEquals") or {},
            )
        )
    return grants


# ---------------------------------------------------------------------------------------------
# Deciding
# ---------------------------------------------------------------------------------------------
def decide(
    principal: Principal,
    action: str,
    resource: str,
    context: Context,
    *,
    extra_identity: tuple[Policy, ...] = (),
    resource_override: Optional[Policy] = None,
    record: bool = True,
    origin: str = "",
) -> Decision:
    """Evaluate one (principal, action, resource) against the deployed policies and record it."""
    identity: list[Policy] = []
    boundary = None
    if principal.kind == "role":
        identity, boundary = role_policies(principal.account, principal.arn)
    identity.extend(extra_identity)
    if action.lower() == "sts:assumerole":
        resource_doc, model = trust_policy(resource.split(":")[4], resource), None
    else:
        resource_doc, model = resource_policy(resource)
    if resource_override is not None:
        resource_doc = resource_override
    # Tag keys the request context holds (aws:PrincipalTag/*, aws:ResourceTag/*): tags.py. Looked
    # up only when a policy in play names a tag key; none can match otherwise.
    if any(p is not None and p.uses_tags for p in (*identity, resource_doc, boundary)):
        context = {**tags.context_for(principal, resource), **context}
    is_kms = resource.startswith("arn:") and _arn_parts(resource)[0] == "kms"
    decision = evaluate(
        Request(principal, action, resource, context),
        identity,
        resource_doc,
        boundary,
        kms_key=is_kms,
        grants=_grants(model) if is_kms and model is not None else (),
    )
    if record:
        audit.record(principal, action, resource, decision, origin)
    return decision
