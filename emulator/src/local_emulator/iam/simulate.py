"""`iam:SimulatePrincipalPolicy` on the emulator, answered by the same evaluator that judges calls.

AWS (https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html):
PolicySourceArn (a user, group or role), ActionNames, ResourceArns (default "*"),
ResourcePolicy (one resource-based policy document applied to every resource), ContextEntries
(key, values, type), PolicyInputList (more identity policies) and
PermissionsBoundaryPolicyInputList. Each (action, resource) pair gets an EvaluationResult with
EvalDecision allowed | explicitDeny | implicitDeny and the MatchedStatements that decided.
moto 5.2.1 does not implement the operation (500).

Emulator specifics: a ResourcePolicy on a KMS key ARN is evaluated with KMS's rule (the key
policy must allow or delegate to the account); without a ResourcePolicy, the resource's deployed
policy is not consulted (as in AWS's simulator).
"""

from __future__ import annotations

from typing import Any, Optional

from local_emulator.iam.evaluate import Request, evaluate
from local_emulator.iam.judge import role_policies
from local_emulator.iam.policy import Policy, Principal
from local_emulator.patching import add_method


def context_from(entries: list[dict[str, Any]]) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for entry in entries:
        values = [str(v) for v in entry.get("ContextKeyValues", [])]
        kind = str(entry.get("ContextKeyType", "string"))
        context[str(entry["ContextKeyName"])] = (
            values if kind.endswith("List") else (values[0] if values else "")
        )
    return context


def simulate(
    policy_source_arn: str,
    actions: list[str],
    resources: list[str],
    *,
    resource_policy: Optional[str] = None,
    context: Optional[dict[str, Any]] = None,
    extra_policies: tuple[str, ...] = (),
    boundary_policies: tuple[str, ...] = (),
) -> list[dict[str, Any]]:
    account = policy_source_arn.split(":")[4]
    identity, boundary = role_policies(account, policy_source_arn)
    identity += [Policy.parse(f"PolicyInputList.{i + 1}", p) for i, p in enumerate(extra_policies)]
    if boundary_policies:
        boundary = Policy.parse("PermissionsBoundaryPolicyInputList.1", boundary_policies[0])
    resource_doc = Policy.parse("ResourcePolicy", resource_policy) if resource_policy else None
    principal = Principal(arn=policy_source_arn, account=account, kind="role")
    results = []
    for action in actions:
        for resource in resources or ["*"]:
            is_kms = (
                resource.startswith("arn:") and resource.split(":")[2] == "kms" and resource_doc is not None
            )
            decision = evaluate(
                Request(principal, action, resource, context or {}),
                identity,
                resource_doc,
                boundary,
                kms_key=is_kms,
            )
            matched = []
            if decision.deciding:
                policy_id, _, sid = decision.deciding.partition(":")
                kind = "Resource Policy" if policy_id == "ResourcePolicy" else "IAM Policy"
                matched.append(
                    {"SourcePolicyId": f"{policy_id}:{sid}" if sid else policy_id, "SourcePolicyType": kind}
                )
            results.append(
                {
                    "EvalActionName": action,
                    "EvalResourceName": resource,
                    "EvalDecision": decision.decision,
                    "MatchedStatements": matched,
                    "MissingContextValues": [],
                    "EvalDecisionDetails": {"IAM Policy": decision.decision} if not resource_doc else {},
                }
            )
    return results


def _simulate_principal_policy(self: Any) -> Any:
    from moto.core.responses import ActionResult  # noqa: PLC0415

    # IamResponse parses parameters from the botocore model (lists and structures included).
    results = simulate(
        self._get_param("PolicySourceArn"),
        list(self._get_param("ActionNames") or []),
        list(self._get_param("ResourceArns") or []),
        resource_policy=self._get_param("ResourcePolicy"),
        context=context_from(list(self._get_param("ContextEntries") or [])),
        extra_policies=tuple(self._get_param("PolicyInputList") or ()),
        boundary_policies=tuple(self._get_param("PermissionsBoundaryPolicyInputList") or ()),
    )
    return ActionResult({"EvaluationResults": results, "IsTruncated": False})


def apply() -> None:
    add_method("moto.iam.responses", "IamResponse", "simulate_principal_policy", _simulate_principal_policy)
