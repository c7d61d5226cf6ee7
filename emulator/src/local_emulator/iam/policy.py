"""IAM policy documents: statement matching and condition operators, as AWS documents them.

References (all https://docs.aws.amazon.com/IAM/latest/UserGuide/...):
- reference_policies_elements_action.html / _notaction.html: actions match case-insensitively,
  `*` and `?` wildcards; NotAction matches every action not listed.
- reference_policies_elements_resource.html / _notresource.html: ARNs match case-sensitively with
  `*` and `?` (a wildcard spans `:` and `/`); policy variables `${aws:...}` are replaced from the
  request context.
- reference_policies_elements_principal.html: `"*"`, `{"AWS": ...}` (role ARN, account root or
  account id), `{"Service": ...}`.
- reference_policies_elements_condition_operators.html: String*, Numeric*, Date*, Bool, Arn*,
  IpAddress, Null, the `...IfExists` suffix; values of one key are ORed, keys and operators ANDed.
  A key missing from the request: positive operators do not match, negated operators match,
  `IfExists` matches (reference_policies_condition-logic-multiple-context-keys-or-values.html).
- reference_policies_condition-single-vs-multi-valued-context-keys.html: ForAnyValue /
  ForAllValues set operators.
"""

from __future__ import annotations

import datetime
import functools
import ipaddress
import json
import re
import urllib.parse
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence, Union

ContextValue = Union[str, Sequence[str]]
Context = Mapping[str, ContextValue]


def as_list(value: Any) -> list[Any]:
    """IAM accepts a single value or a list wherever a list is allowed."""
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


@functools.lru_cache(maxsize=4096)
def _glob(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    """IAM wildcards: `*` any run of characters (including `:` and `/`), `?` one character."""
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(f"^{body}$", re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def glob_match(pattern: str, value: str, ignore_case: bool = False) -> bool:
    if pattern == "*":
        return True
    if "*" not in pattern and "?" not in pattern:
        return pattern.lower() == value.lower() if ignore_case else pattern == value
    return bool(_glob(pattern, ignore_case).match(value))


_VARIABLE = re.compile(r"\$\{([^}]+)\}")


def substitute(pattern: str, context: Context) -> Optional[str]:
    """Replace policy variables; `${*}`, `${?}`, `${$}` are the escaped literals. None when a
    variable has no value (the element then matches nothing, as AWS documents)."""
    if "${" not in pattern:
        return pattern
    missing = False

    def replace(match: re.Match[str]) -> str:
        nonlocal missing
        name = match.group(1)
        if name in ("*", "?", "$"):
            return name
        key, _, default = name.partition(", ")
        value = lookup(context, key.strip())
        if value is None:
            if default:
                return default.strip().strip("'")
            missing = True
            return ""
        return value if isinstance(value, str) else ",".join(value)

    result = _VARIABLE.sub(replace, pattern)
    return None if missing else result


def lookup(context: Context, key: str) -> Optional[ContextValue]:
    """Context keys are case-insensitive (the key names, not their values)."""
    if key in context:
        return context[key]
    lowered = key.lower()
    for name, value in context.items():
        if name.lower() == lowered:
            return value
    return None


def action_matches(patterns: Iterable[str], action: str) -> bool:
    return any(glob_match(p, action, ignore_case=True) for p in patterns)


def resource_matches(patterns: Iterable[str], resource: str, context: Context) -> bool:
    for pattern in patterns:
        concrete = substitute(pattern, context)
        if concrete is not None and glob_match(concrete, resource):
            return True
    return False


# ---------------------------------------------------------------------------------------------
# Condition operators
# ---------------------------------------------------------------------------------------------
def _date(value: str) -> datetime.datetime:
    if re.fullmatch(r"-?\d+", value.strip()):
        return datetime.datetime.fromtimestamp(int(value), tz=datetime.timezone.utc)
    parsed = datetime.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.timezone.utc)


def _ip(request: str, policy: str) -> bool:
    try:
        return ipaddress.ip_address(request) in ipaddress.ip_network(policy, strict=False)
    except ValueError:
        return False


def _numeric(compare: Callable[[float, float], bool]) -> Callable[[str, str], bool]:
    def check(request: str, policy: str) -> bool:
        try:
            return compare(float(request), float(policy))
        except ValueError:
            return False

    return check


def _dated(compare: Callable[[datetime.datetime, datetime.datetime], bool]) -> Callable[[str, str], bool]:
    def check(request: str, policy: str) -> bool:
        try:
            return compare(_date(request), _date(policy))
        except ValueError:
            return False

    return check


def _arn_like(request: str, policy: str) -> bool:
    # ARN operators compare the six ARN parts; each part of the policy value may use wildcards.
    request_parts, policy_parts = request.split(":", 5), policy.split(":", 5)
    if len(request_parts) != 6 or len(policy_parts) != 6:
        return False
    return all(glob_match(p, r) for p, r in zip(policy_parts, request_parts, strict=True))


# name -> (compare(request value, policy value), negated)
_OPERATORS: dict[str, tuple[Callable[[str, str], bool], bool]] = {
    "StringEquals": (lambda r, p: r == p, False),
    "StringNotEquals": (lambda r, p: r == p, True),
    "StringEqualsIgnoreCase": (lambda r, p: r.lower() == p.lower(), False),
    "StringNotEqualsIgnoreCase": (lambda r, p: r.lower() == p.lower(), True),
    "StringLike": (lambda r, p: glob_match(p, r), False),
    "StringNotLike": (lambda r, p: glob_match(p, r), True),
    "NumericEquals": (_numeric(lambda r, p: r == p), False),
    "NumericNotEquals": (_numeric(lambda r, p: r == p), True),
    "NumericLessThan": (_numeric(lambda r, p: r < p), False),
    "NumericLessThanEquals": (_numeric(lambda r, p: r <= p), False),
    "NumericGreaterThan": (_numeric(lambda r, p: r > p), False),
    "NumericGreaterThanEquals": (_numeric(lambda r, p: r >= p), False),
    "DateEquals": (_dated(lambda r, p: r == p), False),
    "DateNotEquals": (_dated(lambda r, p: r == p), True),
    "DateLessThan": (_dated(lambda r, p: r < p), False),
    "DateLessThanEquals": (_dated(lambda r, p: r <= p), False),
    "DateGreaterThan": (_dated(lambda r, p: r > p), False),
    "DateGreaterThanEquals": (_dated(lambda r, p: r >= p), False),
    "Bool": (lambda r, p: r.lower() == p.lower(), False),
    "BinaryEquals": (lambda r, p: r == p, False),
    "IpAddress": (_ip, False),
    "NotIpAddress": (_ip, True),
    "ArnEquals": (_arn_like, False),
    "ArnLike": (_arn_like, False),
    "ArnNotEquals": (_arn_like, True),
    "ArnNotLike": (_arn_like, True),
}


class PolicyError(ValueError):
    """A policy the evaluator cannot read (AWS rejects such policies when they are stored)."""


def _split_operator(name: str) -> tuple[Optional[str], str, bool]:
    """'ForAnyValue:StringLikeIfExists' -> ('ForAnyValue', 'StringLike', if_exists=True)."""
    qualifier: Optional[str] = None
    if ":" in name:
        qualifier, _, name = name.partition(":")
        if qualifier not in ("ForAnyValue", "ForAllValues"):
            raise PolicyError(f"unknown condition set operator {qualifier!r}")
    if_exists = name.endswith("IfExists") and name != "IfExists"
    base = name[: -len("IfExists")] if if_exists else name
    if base != "Null" and base not in _OPERATORS:
        raise PolicyError(f"unknown condition operator {name!r}")
    return qualifier, base, if_exists


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def condition_holds(operator: str, key: str, policy_values: Any, context: Context) -> bool:  # noqa: PLR0911
    """One key of one operator block."""
    qualifier, base, if_exists = _split_operator(operator)
    raw = lookup(context, key)
    present = raw is not None and not (isinstance(raw, (list, tuple)) and len(raw) == 0)
    wanted = [_text(v) for v in as_list(policy_values)]
    if base == "Null":
        return any((v.lower() == "true") != present for v in wanted)
    compare, negated = _OPERATORS[base]
    expand = base.startswith(("String", "Arn"))
    values = [substitute(v, context) if expand else v for v in wanted]
    values = [v for v in values if v is not None]
    if not present:
        if qualifier == "ForAllValues":
            return True
        if qualifier == "ForAnyValue":
            return False
        return if_exists or negated
    request_values = [_text(v) for v in as_list(raw)]

    def one(request: str) -> bool:
        hit = any(compare(request, v) for v in values)
        return not hit if negated else hit

    if qualifier == "ForAllValues":
        return all(one(r) for r in request_values)
    if qualifier == "ForAnyValue":
        return any(one(r) for r in request_values)
    # A single-valued operator given several request values: every value must satisfy it
    # (AWS recommends set operators for multivalued keys; this is the conservative reading).
    return all(one(r) for r in request_values)


def conditions_hold(conditions: Mapping[str, Mapping[str, Any]], context: Context) -> bool:
    return all(
        condition_holds(operator, key, values, context)
        for operator, pairs in conditions.items()
        for key, values in pairs.items()
    )


# ---------------------------------------------------------------------------------------------
# Statements and policies
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Principal:
    """Who makes a request: an IAM role session, a user, the account, or an AWS service."""

    arn: (
        str  # role ARN for role sessions; arn:aws:iam::<acct>:root for the account; service name for services
    )
    account: str
    kind: str = "role"  # role | user | root | service
    session_arn: str = ""  # arn:aws:sts::<acct>:assumed-role/<role>/<session>

    @property
    def is_service(self) -> bool:
        return self.kind == "service"


@dataclass(frozen=True)
class Statement:
    sid: str
    effect: str
    actions: tuple[str, ...]
    not_actions: tuple[str, ...]
    resources: tuple[str, ...]
    not_resources: tuple[str, ...]
    principals: Optional[Mapping[str, tuple[str, ...]]]  # None: identity policy (no Principal)
    not_principals: Optional[Mapping[str, tuple[str, ...]]]
    conditions: Mapping[str, Mapping[str, Any]]
    has_resource: bool

    def applies_to_action(self, action: str) -> bool:
        if self.not_actions:
            return not action_matches(self.not_actions, action)
        return action_matches(self.actions, action)

    def applies_to_resource(self, resource: str, context: Context) -> bool:
        if not self.has_resource:  # trust policies name no resource: the role itself
            return True
        if self.not_resources:
            return not resource_matches(self.not_resources, resource, context)
        return resource_matches(self.resources, resource, context)


def _principal_map(value: Any) -> Optional[Mapping[str, tuple[str, ...]]]:
    if value is None:
        return None
    if value == "*":
        return {"*": ("*",)}
    if not isinstance(value, dict):
        raise PolicyError(f"Principal must be '*' or an object, got {value!r}")
    return {kind: tuple(str(v) for v in as_list(ids)) for kind, ids in value.items()}


def parse_statement(raw: Mapping[str, Any], index: int) -> Statement:
    effect = raw.get("Effect")
    if effect not in ("Allow", "Deny"):
        raise PolicyError(f"statement {index}: Effect must be Allow or Deny, got {effect!r}")
    if ("Action" in raw) == ("NotAction" in raw):
        raise PolicyError(f"statement {index}: exactly one of Action and NotAction")
    return Statement(
        sid=str(raw.get("Sid") or f"#{index}"),
        effect=effect,
        actions=tuple(as_list(raw.get("Action"))),
        not_actions=tuple(as_list(raw.get("NotAction"))),
        resources=tuple(as_list(raw.get("Resource"))),
        not_resources=tuple(as_list(raw.get("NotResource"))),
        principals=_principal_map(raw.get("Principal")),
        not_principals=_principal_map(raw.get("NotPrincipal")),
        conditions=raw.get("Condition") or {},
        has_resource="Resource" in raw or "NotResource" in raw,
    )


@dataclass(frozen=True)
class Policy:
    """A parsed policy document with the name the audit log shows for it."""

    name: str
    statements: tuple[Statement, ...] = field(default=())
    # Whether any statement names a tag key (aws:*Tag/..., aws:TagKeys): only then does the judge
    # look the principal's and the resource's tags up (iam/tags.py), keeping other calls cheap.
    uses_tags: bool = False

    @classmethod
    def parse(cls, name: str, document: Union[str, Mapping[str, Any]]) -> Policy:
        return _parse_cached(name, document) if isinstance(document, str) else _parse(name, document)


def _parse(name: str, document: Mapping[str, Any]) -> Policy:
    statements = as_list(document.get("Statement"))
    text = json.dumps(document).lower()
    uses_tags = "tag/" in text or "aws:tagkeys" in text
    return Policy(name, tuple(parse_statement(s, i) for i, s in enumerate(statements)), uses_tags)


@functools.lru_cache(maxsize=2048)
def _parse_cached(name: str, text: str) -> Policy:
    text = urllib.parse.unquote(text) if text.lstrip().startswith("%7B") else text
    return _parse(name, json.loads(text))
