"""AWS's policy evaluation logic for requests within one account.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html:
1. An explicit Deny in any applicable policy (identity, resource, permissions boundary) wins.
2. A resource-based policy that allows the principal itself (the role session, the role, a
   service) allows the request, even without an identity-based allow (same account). A
   permissions boundary still limits it unless the statement names the session ARN.
3. Otherwise an identity-based policy must allow, and a permissions boundary (if set) must allow
   too. A resource policy naming only the account (`root` / account id) delegates to IAM: it
   allows nothing by itself.
4. Otherwise: implicit deny.

KMS keys are different (https://docs.aws.amazon.com/kms/latest/developerguide/control-access.html):
the key policy is required. Identity policies count only if the key policy allows the account
(root) the action, i.e. delegates to IAM; a grant for the principal allows its operations
(https://docs.aws.amazon.com/kms/latest/developerguide/grants.html), within its constraints.
Role trust policies are the resource policy of sts:AssumeRole
(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping, Optional, Sequence

from local_emulator.iam.policy import Context, Policy, Principal, Statement, conditions_hold

ALLOWED = "allowed"
EXPLICIT_DENY = "explicitDeny"
IMPLICIT_DENY = "implicitDeny"

_ROLE_SESSION = re.compile(r"^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role/([^/]+)/.+$")


@dataclass(frozen=True)
class Request:
    principal: Principal
    action: str
    resource: str
    context: Context = field(default_factory=dict)


@dataclass(frozen=True)
class Decision:
    decision: str  # allowed | explicitDeny | implicitDeny (SimulatePrincipalPolicy's EvalDecision)
    deciding: str  # "<policy>:<sid>" of the statement that decided; "" for an implicit deny
    reason: str

    @property
    def allowed(self) -> bool:
        return self.decision == ALLOWED


@dataclass(frozen=True)
class Grant:
    """A KMS grant: operations a grantee may perform on one key, with optional context constraints."""

    grantee: str
    operations: tuple[str, ...]
    context_subset: Mapping[str, str] = field(default_factory=dict)
    context_equals: Mapping[str, str] = field(default_factory=dict)


NONE = 0
ACCOUNT = 1  # the statement names the principal's account: delegation to IAM
EXACT = 2  # the statement names this principal (session, role, service) or everyone


def _names_principal(statement: Statement, principal: Principal) -> int:
    """How a resource-policy statement's Principal covers the request's principal."""
    if statement.not_principals is not None:
        return NONE if _match_principal(statement.not_principals, principal) else EXACT
    if statement.principals is None:
        return EXACT  # identity policy: the attached principal
    return _match_principal(statement.principals, principal)


def _match_principal(principals: Mapping[str, Sequence[str]], principal: Principal) -> int:
    best = NONE
    for kind, ids in principals.items():
        for ident in ids:
            best = max(best, _match_one(kind, ident, principal))
    return best


def _match_one(kind: str, ident: str, principal: Principal) -> int:
    if kind == "*" or (kind == "AWS" and ident == "*" and not principal.is_service):
        return EXACT
    if kind == "Service":
        return EXACT if principal.is_service and ident == principal.arn else NONE
    if kind != "AWS" or principal.is_service:
        return NONE
    if ident in (principal.account, f"arn:aws:iam::{principal.account}:root"):
        return EXACT if principal.kind == "root" else ACCOUNT
    if ident in (principal.arn, principal.session_arn):
        return EXACT
    return NONE


def _applies(statement: Statement, request: Request, needs_principal: bool) -> int:
    """NONE when the statement does not apply; else how it names the principal."""
    if not statement.applies_to_action(request.action):
        return NONE
    if not statement.applies_to_resource(request.resource, request.context):
        return NONE
    named = _names_principal(statement, request.principal) if needs_principal else EXACT
    if named == NONE:
        return NONE
    if statement.conditions and not conditions_hold(statement.conditions, request.context):
        return NONE
    return named


def _first(policies: Sequence[Policy], request: Request, effect: str, principal: bool) -> Optional[str]:
    for policy in policies:
        for statement in policy.statements:
            if statement.effect == effect and _applies(statement, request, principal):
                return f"{policy.name}:{statement.sid}"
    return None


def _resource_allow(policy: Optional[Policy], request: Request) -> tuple[Optional[str], Optional[str]]:
    """(statement allowing the principal itself, statement allowing only its account)."""
    exact = account = None
    if policy is None:
        return None, None
    for statement in policy.statements:
        if statement.effect != "Allow":
            continue
        named = _applies(statement, request, needs_principal=True)
        if named == EXACT and exact is None:
            exact = f"{policy.name}:{statement.sid}"
        elif named == ACCOUNT and account is None:
            account = f"{policy.name}:{statement.sid}"
    return exact, account


def _grant_allows(grants: Sequence[Grant], request: Request) -> Optional[str]:
    operation = request.action.split(":", 1)[-1]
    principal = request.principal
    for index, grant in enumerate(grants):
        if grant.grantee not in (principal.arn, principal.session_arn):
            continue
        if operation not in grant.operations:
            continue
        context = {
            k.split(":", 2)[-1]: v
            for k, v in request.context.items()
            if k.lower().startswith("kms:encryptioncontext:")
        }
        if any(context.get(k) != v for k, v in grant.context_subset.items()):
            continue
        if grant.context_equals and dict(grant.context_equals) != context:
            continue
        return f"grant#{index}"
    return None


def evaluate(  # noqa: PLR0911 - the documented flow reads best as one function
    request: Request,
    identity: Sequence[Policy] = (),
    resource_policy: Optional[Policy] = None,
    boundary: Optional[Policy] = None,
    *,
    kms_key: bool = False,
    grants: Sequence[Grant] = (),
) -> Decision:
    """Decide one request as AWS does (same account)."""
    principal_policies = [] if request.principal.is_service else list(identity)
    boundaries = [boundary] if boundary is not None and not request.principal.is_service else []

    denied = _first(principal_policies + boundaries, request, "Deny", principal=False)
    if denied is None and resource_policy is not None:
        denied = _first([resource_policy], request, "Deny", principal=True)
    if denied:
        return Decision(EXPLICIT_DENY, denied, "explicit Deny")

    exact, account = _resource_allow(resource_policy, request)
    identity_allow = _first(principal_policies, request, "Allow", principal=False)
    boundary_ok = not boundaries or _first(boundaries, request, "Allow", principal=False) is not None

    if kms_key:
        if exact:
            return Decision(ALLOWED, exact, "key policy allows the principal")
        grant = _grant_allows(grants, request)
        if grant:
            return Decision(ALLOWED, grant, "a grant allows the operation")
        if account is None:
            return Decision(IMPLICIT_DENY, "", "key policy neither allows the principal nor delegates to IAM")
        if identity_allow is None:
            return Decision(
                IMPLICIT_DENY, "", "key policy delegates to IAM, but no identity-based policy allows"
            )
        if not boundary_ok:
            return Decision(IMPLICIT_DENY, "", "permissions boundary does not allow")
        return Decision(ALLOWED, identity_allow, f"identity policy, key policy delegates ({account})")

    if exact and (boundary_ok or _names_session(resource_policy, request)):
        return Decision(ALLOWED, exact, "resource-based policy allows the principal")
    if request.principal.is_service:
        return Decision(IMPLICIT_DENY, "", "no resource-based policy allows the service")
    if identity_allow is None:
        return Decision(IMPLICIT_DENY, "", "no identity-based policy allows")
    if not boundary_ok:
        return Decision(IMPLICIT_DENY, "", "permissions boundary does not allow")
    return Decision(ALLOWED, identity_allow, "identity-based policy allows")


def _names_session(policy: Optional[Policy], request: Request) -> bool:
    session = request.principal.session_arn
    if policy is None or not session:
        return False
    return any(
        s.effect == "Allow" and s.principals and session in s.principals.get("AWS", ())
        for s in policy.statements
    )


def role_session(session_arn: str) -> Optional[Principal]:
    """arn:aws:sts::<acct>:assumed-role/<role>/<session> -> Principal of that role session.
    (Roles with a path: the session ARN drops the path; callers that know it pass the role ARN.)"""
    match = _ROLE_SESSION.match(session_arn)
    if not match:
        return None
    partition, account, role = match.groups()
    return Principal(
        arn=f"arn:{partition}:iam::{account}:role/{role}",
        account=account,
        kind="role",
        session_arn=session_arn,
    )
