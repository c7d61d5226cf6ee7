"""AWS's documented evaluation logic, one rule per test, each with an allow and a deny case.

Cases follow https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
and the condition-operator reference; KMS cases follow the KMS key-policy and grant docs.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from local_emulator.iam.evaluate import (
    ALLOWED,
    EXPLICIT_DENY,
    IMPLICIT_DENY,
    Grant,
    Request,
    evaluate,
    role_session,
)
from local_emulator.iam.policy import Policy, PolicyError, Principal, condition_holds

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/app"
SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/app/run-1"
APP = Principal(arn=ROLE, account=ACCOUNT, kind="role", session_arn=SESSION)
EVENTS = Principal(arn="events.amazonaws.com", account="", kind="service")
BUCKET = "arn:aws:s3:::data"
OBJECT = "arn:aws:s3:::data/raw/a.json"
KEY = f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/1111"
TOPIC = f"arn:aws:sns:eu-west-1:{ACCOUNT}:alerts"


def policy(*statements: dict, name: str = "p") -> Policy:
    return Policy.parse(name, {"Version": "2012-10-17", "Statement": list(statements)})


def allow(action, resource, **extra) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action, resource, **extra) -> dict:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def decide(action, resource, identity=(), context=None, **kwargs) -> str:
    request = Request(kwargs.pop("principal", APP), action, resource, context or {})
    return evaluate(request, identity, **kwargs).decision


# --- identity policies -------------------------------------------------------------------------
def test_nothing_allowed_by_default():
    assert decide("s3:GetObject", OBJECT) == IMPLICIT_DENY


def test_identity_allow():
    p = policy(allow("s3:GetObject", f"{BUCKET}/raw/*"))
    assert decide("s3:GetObject", OBJECT, [p]) == ALLOWED
    assert decide("s3:GetObject", "arn:aws:s3:::data/gold/a", [p]) == IMPLICIT_DENY
    assert decide("s3:PutObject", OBJECT, [p]) == IMPLICIT_DENY


def test_explicit_deny_wins_over_any_allow():
    p = policy(allow("s3:*", "*"), deny("s3:DeleteObject", f"{BUCKET}/*", Sid="NoDelete"))
    request = Request(APP, "s3:DeleteObject", OBJECT)
    decision = evaluate(request, [p])
    assert (decision.decision, decision.deciding) == (EXPLICIT_DENY, "p:NoDelete")
    assert decide("s3:GetObject", OBJECT, [p]) == ALLOWED


def test_actions_case_insensitive_with_wildcards_resources_case_sensitive():
    p = policy(allow(["GLUE:get*", "s3:?etObject"], ["arn:aws:glue:*:*:job/a*", OBJECT]))
    assert decide("glue:GetJobRun", f"arn:aws:glue:eu-west-1:{ACCOUNT}:job/abc", [p]) == ALLOWED
    assert decide("glue:StartJobRun", f"arn:aws:glue:eu-west-1:{ACCOUNT}:job/abc", [p]) == IMPLICIT_DENY
    assert decide("s3:GetObject", OBJECT, [p]) == ALLOWED
    assert decide("s3:GetObject", OBJECT.upper(), [p]) == IMPLICIT_DENY


def test_not_action_and_not_resource():
    p = policy({"Effect": "Allow", "NotAction": "iam:*", "NotResource": f"{BUCKET}/secret/*"})
    assert decide("s3:GetObject", OBJECT, [p]) == ALLOWED
    assert decide("iam:PassRole", ROLE, [p]) == IMPLICIT_DENY
    assert decide("s3:GetObject", f"{BUCKET}/secret/x", [p]) == IMPLICIT_DENY
    d = policy({"Effect": "Deny", "NotAction": "s3:GetObject", "Resource": "*"}, allow("*", "*"))
    assert decide("s3:GetObject", OBJECT, [d]) == ALLOWED
    assert decide("s3:PutObject", OBJECT, [d]) == EXPLICIT_DENY


def test_policy_variables_in_resources():
    p = policy(allow("s3:GetObject", "arn:aws:s3:::data/${aws:PrincipalTag/team}/*"))
    assert decide("s3:GetObject", OBJECT, [p], {"aws:PrincipalTag/team": "raw"}) == ALLOWED
    assert decide("s3:GetObject", OBJECT, [p], {"aws:PrincipalTag/team": "gold"}) == IMPLICIT_DENY
    assert decide("s3:GetObject", OBJECT, [p]) == IMPLICIT_DENY  # no value: matches nothing


# --- conditions ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("operator", "policy_value", "request_value", "expected"),
    [
        ("StringEquals", "a", "a", True),
        ("StringEquals", "a", "A", False),
        ("StringEqualsIgnoreCase", "a", "A", True),
        ("StringNotEquals", ["a", "b"], "c", True),
        ("StringNotEquals", ["a", "b"], "b", False),
        ("StringLike", "raw/*", "raw/x/y", True),
        ("StringLike", "raw/*", "gold/x", False),
        ("StringNotLike", "raw/*", "gold/x", True),
        ("NumericLessThan", "10", "9", True),
        ("NumericLessThan", "10", "10", False),
        ("NumericGreaterThanEquals", "10", "10", True),
        ("DateGreaterThan", "2026-01-01T00:00:00Z", "2026-06-01T00:00:00Z", True),
        ("DateLessThan", "2026-01-01T00:00:00Z", "2026-06-01T00:00:00Z", False),
        ("Bool", "true", "true", True),
        ("Bool", "false", "true", False),
        ("Bool", True, "true", True),
        (
            "ArnLike",
            "arn:aws:states:*:123456789012:stateMachine:*",
            f"arn:aws:states:eu-west-1:{ACCOUNT}:stateMachine:x",
            True,
        ),
        (
            "ArnLike",
            "arn:aws:states:*:123456789012:stateMachine:*",
            f"arn:aws:states:eu-west-1:{ACCOUNT}:activity:x",
            False,
        ),
        ("ArnNotEquals", f"arn:aws:s3:::{ACCOUNT}", "arn:aws:s3:::other", True),
        ("IpAddress", "10.0.0.0/8", "10.1.2.3", True),
        ("NotIpAddress", "10.0.0.0/8", "10.1.2.3", False),
    ],
)
def test_condition_operators(operator, policy_value, request_value, expected):
    assert condition_holds(operator, "k", policy_value, {"k": request_value}) is expected


def test_missing_key_positive_false_negated_true_if_exists_true():
    assert condition_holds("StringEquals", "k", "a", {}) is False
    assert condition_holds("StringNotEquals", "k", "a", {}) is True
    assert condition_holds("StringEqualsIfExists", "k", "a", {}) is True
    assert condition_holds("StringEqualsIfExists", "k", "a", {"k": "b"}) is False


def test_null_operator():
    assert condition_holds("Null", "k", "true", {}) is True
    assert condition_holds("Null", "k", "true", {"k": "x"}) is False
    assert condition_holds("Null", "k", "false", {"k": "x"}) is True


def test_set_operators():
    values = {"tags": ["a", "b"]}
    assert condition_holds("ForAllValues:StringEquals", "tags", ["a", "b", "c"], values) is True
    assert condition_holds("ForAllValues:StringEquals", "tags", ["a"], values) is False
    assert condition_holds("ForAllValues:StringEquals", "tags", ["a"], {}) is True
    assert condition_holds("ForAnyValue:StringEquals", "tags", ["b"], values) is True
    assert condition_holds("ForAnyValue:StringEquals", "tags", ["z"], values) is False
    assert condition_holds("ForAnyValue:StringEquals", "tags", ["z"], {}) is False


def test_condition_keys_are_case_insensitive_and_blocks_are_anded():
    p = policy(
        allow(
            "s3:ListBucket",
            BUCKET,
            Condition={
                "StringLike": {"s3:prefix": ["raw/", "raw/*"]},
                "Bool": {"aws:SecureTransport": "true"},
            },
        )
    )
    ok = {"S3:Prefix": "raw/2026", "aws:securetransport": "true"}
    assert decide("s3:ListBucket", BUCKET, [p], ok) == ALLOWED
    assert decide("s3:ListBucket", BUCKET, [p], {**ok, "aws:securetransport": "false"}) == IMPLICIT_DENY
    assert decide("s3:ListBucket", BUCKET, [p], {"aws:SecureTransport": "true"}) == IMPLICIT_DENY


def test_unknown_operator_is_refused():
    with pytest.raises(PolicyError):
        condition_holds("StringEqualz", "k", "a", {"k": "a"})


# --- resource policies and permission boundaries -------------------------------------------------
def test_resource_policy_naming_the_role_allows_without_identity_policy():
    bucket = policy(
        {"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": "s3:GetObject", "Resource": f"{BUCKET}/*"}
    )
    assert decide("s3:GetObject", OBJECT, resource_policy=bucket) == ALLOWED


def test_resource_policy_naming_the_account_delegates_to_iam():
    topic = policy(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": "sns:Publish",
            "Resource": TOPIC,
        }
    )
    assert decide("sns:Publish", TOPIC, resource_policy=topic) == IMPLICIT_DENY
    identity = policy(allow("sns:Publish", TOPIC))
    assert decide("sns:Publish", TOPIC, [identity], resource_policy=topic) == ALLOWED


def test_resource_policy_deny_applies_to_identity_allow():
    tls_only = policy(
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "sns:Publish",
            "Resource": TOPIC,
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
        name="topic",
    )
    identity = [policy(allow("sns:Publish", TOPIC))]
    assert (
        decide("sns:Publish", TOPIC, identity, {"aws:SecureTransport": "true"}, resource_policy=tls_only)
        == ALLOWED
    )
    request = Request(APP, "sns:Publish", TOPIC, {"aws:SecureTransport": "false"})
    decision = evaluate(request, identity, resource_policy=tls_only)
    assert (decision.decision, decision.deciding) == (EXPLICIT_DENY, "topic:DenyInsecureTransport")


def test_service_principal_needs_resource_policy_with_its_conditions():
    topic = policy(
        {
            "Effect": "Allow",
            "Principal": {"Service": ["events.amazonaws.com"]},
            "Action": "sns:Publish",
            "Resource": TOPIC,
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
        }
    )
    kw = {"principal": EVENTS, "resource_policy": topic}
    assert decide("sns:Publish", TOPIC, context={"aws:SourceAccount": ACCOUNT}, **kw) == ALLOWED
    assert decide("sns:Publish", TOPIC, context={"aws:SourceAccount": "999999999999"}, **kw) == IMPLICIT_DENY
    cloudwatch = Principal(arn="cloudwatch.amazonaws.com", account="", kind="service")
    assert (
        decide(
            "sns:Publish",
            TOPIC,
            context={"aws:SourceAccount": ACCOUNT},
            principal=cloudwatch,
            resource_policy=topic,
        )
        == IMPLICIT_DENY
    )


def test_permissions_boundary_limits_identity_allow():
    identity = [policy(allow(["s3:GetObject", "s3:PutObject"], f"{BUCKET}/*"))]
    boundary = policy(allow("s3:GetObject", "*"))
    assert decide("s3:GetObject", OBJECT, identity, boundary=boundary) == ALLOWED
    assert decide("s3:PutObject", OBJECT, identity, boundary=boundary) == IMPLICIT_DENY
    assert (
        decide("s3:PutObject", OBJECT, identity, boundary=policy(deny("s3:*", "*"), allow("*", "*")))
        == EXPLICIT_DENY
    )


def test_boundary_limits_resource_policy_naming_the_role_but_not_the_session():
    boundary = policy(allow("s3:GetObject", "*"))
    by_role = policy(
        {"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": "s3:PutObject", "Resource": f"{BUCKET}/*"}
    )
    by_session = policy(
        {
            "Effect": "Allow",
            "Principal": {"AWS": SESSION},
            "Action": "s3:PutObject",
            "Resource": f"{BUCKET}/*",
        }
    )
    assert decide("s3:PutObject", OBJECT, resource_policy=by_role, boundary=boundary) == IMPLICIT_DENY
    assert decide("s3:PutObject", OBJECT, resource_policy=by_session, boundary=boundary) == ALLOWED


# --- KMS -----------------------------------------------------------------------------------------
ROOT_DELEGATES = {
    "Effect": "Allow",
    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
    "Action": "kms:*",
    "Resource": "*",
}


def test_kms_identity_policy_counts_only_when_the_key_policy_delegates():
    identity = [policy(allow("kms:Decrypt", KEY))]
    no_delegation = policy(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/admin"},
            "Action": "kms:*",
            "Resource": "*",
        }
    )
    assert decide("kms:Decrypt", KEY, identity, resource_policy=no_delegation, kms_key=True) == IMPLICIT_DENY
    assert (
        decide("kms:Decrypt", KEY, identity, resource_policy=policy(ROOT_DELEGATES), kms_key=True) == ALLOWED
    )
    assert (
        decide("kms:Decrypt", KEY, [], resource_policy=policy(ROOT_DELEGATES), kms_key=True) == IMPLICIT_DENY
    )


def test_kms_key_policy_allows_a_service_with_via_service_and_encryption_context():
    key = policy(
        {
            "Effect": "Allow",
            "Principal": {"Service": "logs.eu-west-1.amazonaws.com"},
            "Action": ["kms:Encrypt*", "kms:GenerateDataKey*"],
            "Resource": "*",
            "Condition": {
                "ArnLike": {
                    "kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:*"
                }
            },
        }
    )
    logs = Principal(arn="logs.eu-west-1.amazonaws.com", account="", kind="service")
    ctx = {"kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:/x"}
    assert (
        decide("kms:GenerateDataKey", KEY, context=ctx, principal=logs, resource_policy=key, kms_key=True)
        == ALLOWED
    )
    assert (
        decide("kms:GenerateDataKey", KEY, principal=logs, resource_policy=key, kms_key=True) == IMPLICIT_DENY
    )
    via = policy(
        allow(
            "kms:Decrypt", KEY, Condition={"StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}}
        )
    )
    s3_ctx = {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}
    assert (
        decide("kms:Decrypt", KEY, [via], s3_ctx, resource_policy=policy(ROOT_DELEGATES), kms_key=True)
        == ALLOWED
    )
    assert (
        decide("kms:Decrypt", KEY, [via], {}, resource_policy=policy(ROOT_DELEGATES), kms_key=True)
        == IMPLICIT_DENY
    )


def test_kms_grants_allow_their_operations_within_constraints():
    grants = [Grant(grantee=ROLE, operations=("Decrypt",), context_subset={"aws:s3:arn": BUCKET})]
    key = policy(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/admin"},
            "Action": "kms:*",
            "Resource": "*",
        }
    )
    ctx = {"kms:EncryptionContext:aws:s3:arn": BUCKET}
    assert (
        decide("kms:Decrypt", KEY, context=ctx, resource_policy=key, kms_key=True, grants=grants) == ALLOWED
    )
    assert (
        decide("kms:Decrypt", KEY, context={}, resource_policy=key, kms_key=True, grants=grants)
        == IMPLICIT_DENY
    )
    assert (
        decide("kms:Encrypt", KEY, context=ctx, resource_policy=key, kms_key=True, grants=grants)
        == IMPLICIT_DENY
    )


# --- trust policies ------------------------------------------------------------------------------
def test_trust_policy_with_source_account_condition():
    trust = policy(
        {
            "Effect": "Allow",
            "Principal": {"Service": "states.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
        }
    )
    states = Principal(arn="states.amazonaws.com", account="", kind="service")
    ctx = {"aws:SourceAccount": ACCOUNT}
    assert decide("sts:AssumeRole", ROLE, context=ctx, principal=states, resource_policy=trust) == ALLOWED
    glue = Principal(arn="glue.amazonaws.com", account="", kind="service")
    assert decide("sts:AssumeRole", ROLE, context=ctx, principal=glue, resource_policy=trust) == IMPLICIT_DENY


def test_role_session_arn_parsing():
    principal = role_session(SESSION)
    assert principal == APP
    assert role_session("arn:aws:iam::123456789012:user/x") is None


def test_policy_text_is_parsed_url_encoded_or_not():
    document = {"Version": "2012-10-17", "Statement": [allow("s3:GetObject", "*")]}
    plain = Policy.parse("a", json.dumps(document))
    encoded = Policy.parse("b", quote(json.dumps(document)))
    assert plain.statements[0].actions == encoded.statements[0].actions == ("s3:GetObject",)
