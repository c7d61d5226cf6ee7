"""Role sessions are judged on every call: identity, resource and KMS key policies, as AWS does.

Each test deploys a small role + resources with the admin key, then calls as a session of the role.
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

pytestmark = pytest.mark.emulator

ACCOUNT = "123456789012"
REGION = "eu-west-1"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}
    ],
}


def make_role(emu, name: str, statements: list[dict]) -> str:
    iam = emu.client("iam")
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]
    iam.put_role_policy(
        RoleName=name,
        PolicyName="p",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements}),
    )
    return arn


def make_key(emu, statements: list[dict]) -> str:
    return emu.client("kms").create_key(
        Policy=json.dumps({"Version": "2012-10-17", "Statement": statements})
    )["KeyMetadata"]["Arn"]


ROOT_DELEGATES = {
    "Sid": "Root",
    "Effect": "Allow",
    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
    "Action": "kms:*",
    "Resource": "*",
}


def test_s3_identity_policy_prefix_condition_and_sse_kms(emu):
    key = make_key(emu, [ROOT_DELEGATES])
    s3 = emu.client("s3")
    s3.create_bucket(Bucket="data", CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_encryption(
        Bucket="data",
        ServerSideEncryptionConfiguration={
            "Rules": [
                {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key}}
            ]
        },
    )
    role = make_role(
        emu,
        "writer",
        [
            {
                "Sid": "Put",
                "Effect": "Allow",
                "Action": "s3:PutObject",
                "Resource": "arn:aws:s3:::data/raw/*",
            },
            {
                "Sid": "List",
                "Effect": "Allow",
                "Action": "s3:ListBucket",
                "Resource": "arn:aws:s3:::data",
                "Condition": {"StringLike": {"s3:prefix": ["raw/", "raw/*"]}},
            },
        ],
    )
    emu.configure(iam={"mode": "enforce"})
    as_role = emu.client_as(role, "s3")
    as_role.list_objects_v2(Bucket="data", Prefix="raw/")
    with pytest.raises(ClientError, match="AccessDenied"):
        as_role.list_objects_v2(Bucket="data", Prefix="gold/")
    # Writing needs kms:GenerateDataKey on the bucket key too: the role has no KMS statement.
    with pytest.raises(ClientError, match="AccessDenied"):
        as_role.put_object(Bucket="data", Key="raw/a.json", Body=b"{}")
    denied = {(d["action"], d["decision"]) for d in emu.decisions(denied_only=True)}
    assert ("s3:ListBucket", "implicitDeny") in denied
    assert ("kms:GenerateDataKey", "implicitDeny") in denied
    assert ("s3:PutObject", "implicitDeny") not in denied

    emu.client("iam").put_role_policy(
        RoleName="writer",
        PolicyName="key",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "kms:GenerateDataKey", "Resource": key}],
            }
        ),
    )
    as_role.put_object(Bucket="data", Key="raw/a.json", Body=b"{}")
    with pytest.raises(ClientError, match="AccessDenied"):
        as_role.put_object(Bucket="data", Key="gold/a.json", Body=b"{}")


def test_key_policy_without_root_delegation_denies_despite_identity_policy(emu):
    admin = f"arn:aws:iam::{ACCOUNT}:role/key-admin"
    key = make_key(
        emu,
        [
            {
                "Sid": "AdminOnly",
                "Effect": "Allow",
                "Principal": {"AWS": admin},
                "Action": "kms:*",
                "Resource": "*",
            }
        ],
    )
    role = make_role(
        emu, "user", [{"Effect": "Allow", "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": key}]
    )
    emu.configure(iam={"mode": "enforce"})
    with pytest.raises(ClientError, match="AccessDenied"):
        emu.client_as(role, "kms").encrypt(KeyId=key, Plaintext=b"x")
    (denial,) = [d for d in emu.decisions(denied_only=True) if d["action"] == "kms:Encrypt"]
    assert denial["reason"] == "key policy neither allows the principal nor delegates to IAM"


def test_topic_policy_deny_and_encrypted_topic_key(emu):
    key = make_key(emu, [ROOT_DELEGATES])
    sns = emu.client("sns")
    topic = sns.create_topic(Name="alerts", Attributes={"KmsMasterKeyId": key})["TopicArn"]
    sns.set_topic_attributes(
        TopicArn=topic,
        AttributeName="Policy",
        AttributeValue=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "NoPublish",
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "sns:Publish",
                        "Resource": topic,
                        "Condition": {
                            "StringEquals": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/blocked"}
                        },
                    },
                ],
            }
        ),
    )
    statements = [
        {"Effect": "Allow", "Action": "sns:Publish", "Resource": topic},
        {"Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": key},
    ]
    allowed = make_role(emu, "publisher", statements)
    blocked = make_role(emu, "blocked", statements)
    no_key = make_role(emu, "nokey", statements[:1])
    emu.configure(iam={"mode": "enforce"})
    emu.client_as(allowed, "sns").publish(TopicArn=topic, Message="hi")
    with pytest.raises(ClientError, match=r"AuthorizationError|AccessDenied"):
        emu.client_as(blocked, "sns").publish(TopicArn=topic, Message="hi")
    with pytest.raises(ClientError, match=r"AuthorizationError|AccessDenied"):
        emu.client_as(no_key, "sns").publish(TopicArn=topic, Message="hi")
    decided = {
        (d["principal"].split("/")[1], d["action"], d["decision"], d["statement"]) for d in emu.decisions()
    }
    assert ("blocked", "sns:Publish", "explicitDeny", "topic:alerts:NoPublish") in decided
    assert ("nokey", "kms:GenerateDataKey", "implicitDeny", "") in decided


def test_audit_mode_records_but_does_not_refuse_and_unmapped_is_reported(emu):
    role = make_role(emu, "reader", [{"Effect": "Allow", "Action": "glue:GetDatabase", "Resource": "*"}])
    glue = emu.client_as(role, "glue")
    glue.get_databases()  # unmapped operation: recorded, not refused in audit mode
    with pytest.raises(ClientError, match="EntityNotFound"):
        glue.get_crawler(Name="nope")  # denied (no statement) but audit mode lets moto answer
    rows = emu.decisions(denied_only=True)
    assert {(r["action"], r["decision"]) for r in rows} >= {
        ("glue:GetDatabases", "unmapped"),
        ("glue:GetCrawler", "implicitDeny"),
    }


def test_admin_key_is_never_judged(emu):
    emu.configure(iam={"mode": "enforce"})
    emu.client("s3").list_buckets()
    assert emu.decisions() == []


def test_mode_setting_is_validated(emu):
    with pytest.raises(Exception, match="400"):
        emu.configure(iam={"mode": "lenient"})
