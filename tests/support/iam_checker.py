"""Least-privilege checker for a state machine's role: does it allow every call the definition
makes, and nothing more?

The calls come from tools/iam_calls.py (the derivation `make verify` uses); the statements are in
the shape modules/medallion_pipeline/workflow_iam outputs ({"sid", "actions", "resources",
"conditions"}), or read from a deployed policy with `statements_from_policy`. Evaluation is
Allow-only: action match (case-insensitive), ARN glob, StringEquals conditions; anything else is
refused rather than guessed.

Used by tests/unit/test_pipeline_iam.py (the statements Terraform computes) and
tests/e2e/test_workflow_iam_e2e.py (the policy read back from an applied environment).
"""

from __future__ import annotations

import fnmatch
import json
from typing import Any

import iam_calls
from iam_calls import Call

ACCOUNT = "123456789012"
REGION = "eu-west-1"


def derive_calls(definition: dict[str, Any], region: str = REGION, account: str = ACCOUNT) -> set[Call]:
    """The workflow's calls, derived by the same code `make verify` uses (tools/iam_calls.py)."""
    return iam_calls.derive_calls(definition, region, account)


def _arn_matches(pattern: str, arn: str) -> bool:
    return fnmatch.fnmatchcase(arn, pattern.replace("[", "[[]"))


def _conditions_hold(statement: dict[str, Any], context: dict[str, str]) -> bool:
    for condition in statement.get("conditions", []):
        if condition["test"] != "StringEquals":
            raise AssertionError(f"{statement['sid']}: checker only understands StringEquals")
        if context.get(condition["variable"]) not in condition["values"]:
            return False
    return True


def allowing_statements(statements: list[dict[str, Any]], call: Call) -> list[str]:
    """Sids of the statements that allow `call` (empty: the call is denied)."""
    context = dict(call.context)
    return [
        s["sid"]
        for s in statements
        if any(a.lower() == call.action.lower() for a in s["actions"])
        and any(_arn_matches(r, call.resource) for r in s["resources"])
        and _conditions_hold(s, context)
    ]


def denied_calls(statements: list[dict[str, Any]], calls: set[Call]) -> list[Call]:
    """The calls no statement allows, sorted."""
    return sorted((c for c in calls if not allowing_statements(statements, c)), key=str)


def unused_grants(statements: list[dict[str, Any]], calls: set[Call]) -> list[tuple[str, str, str]]:
    """(sid, action, resource pattern) triples no derived call needs."""
    unused = []
    for s in statements:
        for action in s["actions"]:
            for pattern in s["resources"]:
                needed = any(
                    c.action.lower() == action.lower()
                    and _arn_matches(pattern, c.resource)
                    # "*" must be needed as "*" (a call with no resource type), not merely match.
                    and (pattern != "*" or c.resource == "*")
                    for c in calls
                )
                if not needed:
                    unused.append((s["sid"], action, pattern))
    return unused


PLATFORM_SIDS = {"LogDelivery", "XRayTraces", "StateMachineDataKey"}  # the state_machine module's own


def statements_from_policy(policy_json: str) -> list[dict[str, Any]]:
    """IAM policy JSON -> the statements shape this module reads (platform statements left out)."""
    statements = []
    for s in json.loads(policy_json)["Statement"]:
        if s["Sid"] in PLATFORM_SIDS:
            continue
        assert s["Effect"] == "Allow", s
        conditions = [
            {"test": test, "variable": variable, "values": values if isinstance(values, list) else [values]}
            for test, pairs in s.get("Condition", {}).items()
            for variable, values in pairs.items()
        ]
        as_list = lambda v: v if isinstance(v, list) else [v]  # noqa: E731 - IAM allows a string or a list
        statements.append(
            {
                "sid": s["Sid"],
                "actions": as_list(s["Action"]),
                "resources": as_list(s["Resource"]),
                "conditions": conditions,
            }
        )
    return statements


def check_applied(definition_text: str, policy_json: str) -> tuple[list[Call], list[tuple[str, str, str]]]:
    """(calls the role denies, grants no call needs) for an applied workflow; both must be empty."""
    calls = derive_calls(json.loads(definition_text))
    statements = statements_from_policy(policy_json)
    return denied_calls(statements, calls), unused_grants(statements, calls)
