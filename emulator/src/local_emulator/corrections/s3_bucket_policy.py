"""S3 bucket policies: Condition blocks are evaluated; aws:SecureTransport comes from the transport.

AWS behaviour (IAM policy evaluation logic,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html and
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html):
a statement applies only when all of its conditions match; a Deny whose condition does not match
has no effect. `aws:SecureTransport` is true when the request was sent over TLS. The standard
TLS-only statement (`Deny s3:* if Bool aws:SecureTransport = false`) therefore denies plain HTTP
requests (403 AccessDenied) and leaves HTTPS requests alone.
(https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html)

moto 5.2.1 ignores condition operators it does not know (everything but StringEquals), so the
TLS-only Deny becomes an unconditional deny of every object request, and answers with an empty
403 body instead of the AccessDenied error document.

Scope: the emulator evaluates bucket policies with principal "*" (moto's own scope); known keys
are aws:SecureTransport (from the listener: HTTPS port true, HTTP port false), aws:PrincipalAccount
and aws:PrincipalArn (the emulator's account root). A condition on any other key is treated
as "key absent", as AWS does for keys that are not present in the request context.
"""

from __future__ import annotations

import fnmatch
import json
from typing import Any, Callable, Optional

from moto.iam.access_control import PermissionResult

from local_emulator import runtime
from local_emulator.constants import ACCOUNT_ID
from local_emulator.patching import target

_ACCESS_DENIED = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>'
    "<Message>Access Denied</Message><RequestId>EMULATOR</RequestId><HostId>EMULATOR</HostId></Error>"
)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _like(pattern: str, value: str) -> bool:
    return fnmatch.fnmatchcase(value, pattern.replace("[", "[[]"))


def _num(value: str) -> float:
    return float(value)


_OPERATORS: dict[str, Callable[[str, str], bool]] = {
    "StringEquals": lambda e, a: a == e,
    "StringEqualsIgnoreCase": lambda e, a: a.lower() == e.lower(),
    "StringLike": _like,
    "ArnEquals": lambda e, a: a == e,
    "ArnLike": _like,
    "Bool": lambda e, a: a.lower() == str(e).lower(),
    "NumericEquals": lambda e, a: _num(a) == _num(e),
    "NumericLessThan": lambda e, a: _num(a) < _num(e),
    "NumericLessThanEquals": lambda e, a: _num(a) <= _num(e),
    "NumericGreaterThan": lambda e, a: _num(a) > _num(e),
    "NumericGreaterThanEquals": lambda e, a: _num(a) >= _num(e),
}
_NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
    "NumericNotEquals": "NumericEquals",
}


def condition_block_matches(conditions: dict[str, Any], context: dict[str, str]) -> bool:
    """True when every operator/key pair of a Condition block matches the request context."""
    for operator, pairs in conditions.items():
        for key, expected in pairs.items():
            if not _operator_matches(operator, key, _as_list(expected), context):
                return False
    return True


def _operator_matches(operator: str, key: str, expected: list[Any], context: dict[str, str]) -> bool:
    actual: Optional[str] = next((v for k, v in context.items() if k.lower() == key.lower()), None)
    if operator == "Null":
        return any(str(e).lower() == ("true" if actual is None else "false") for e in expected)
    if_exists = operator.endswith("IfExists")
    base = operator[: -len("IfExists")] if if_exists else operator
    if actual is None:
        return if_exists
    if base.startswith("ForAnyValue:") or base.startswith("ForAllValues:"):
        base = base.split(":", 1)[1]
    negate = base in _NEGATED
    check = _OPERATORS.get(_NEGATED.get(base, base))
    if check is None:
        raise ValueError(f"condition operator {operator} is not supported by the emulator")
    matched = any(check(str(e), actual) for e in expected)
    return not matched if negate else matched


def _principal_is_everyone(principal: Any) -> bool:
    if principal == "*":
        return True
    return isinstance(principal, dict) and "*" in _as_list(principal.get("AWS", []))


def _matches_any(patterns: Any, value: str) -> bool:
    return any(_like(str(p), value) for p in _as_list(patterns))


def evaluate(policy: dict[str, Any], action: str, resource: str, context: dict[str, str]) -> str:
    """Return 'DENIED', 'PERMITTED' or 'NEUTRAL' for one request against a bucket policy."""
    allowed = False
    for statement in _as_list(policy.get("Statement", [])):
        if not _principal_is_everyone(statement.get("Principal")):
            continue
        if "NotAction" in statement:
            if _matches_any(statement["NotAction"], action):
                continue
        elif not _matches_any(statement.get("Action", []), action):
            continue
        if "NotResource" in statement:
            if _matches_any(statement["NotResource"], resource):
                continue
        elif not _matches_any(statement.get("Resource", []), resource):
            continue
        if not condition_block_matches(statement.get("Condition", {}), context):
            continue
        if statement.get("Effect") == "Deny":
            return "DENIED"
        allowed = True
    return "PERMITTED" if allowed else "NEUTRAL"


def request_context() -> dict[str, str]:
    return {
        "aws:SecureTransport": "true" if runtime.secure_transport.get() else "false",
        "aws:PrincipalAccount": ACCOUNT_ID,
        "aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT_ID}:root",
    }


def apply() -> None:
    owner, attr, _ = target("moto.s3.models", "FakeBucket.get_permission")

    def get_permission(self: Any, action: str, resource: str) -> Any:
        if self.policy is None:
            return PermissionResult.NEUTRAL
        policy = self.policy.decode() if isinstance(self.policy, bytes) else self.policy
        result = evaluate(json.loads(policy), action, resource, request_context())
        return getattr(PermissionResult, result)

    setattr(owner, attr, get_permission)

    resp_owner, resp_attr, original_key_response = target("moto.s3.responses", "S3Response._key_response")

    def _key_response(self: Any, request: Any, full_url: str) -> Any:
        result = original_key_response(self, request, full_url)
        if isinstance(result, tuple) and len(result) == 3 and result[0] == 403 and not result[2]:
            return 403, {"Content-Type": "application/xml"}, _ACCESS_DENIED
        return result

    setattr(resp_owner, resp_attr, _key_response)
