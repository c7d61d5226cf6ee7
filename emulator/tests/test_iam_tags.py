"""Tag condition keys: aws:ResourceTag, aws:PrincipalTag, aws:RequestTag and aws:TagKeys."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from test_iam_judge import make_role

pytestmark = pytest.mark.emulator

GLUE = "arn:aws:glue:eu-west-1:123456789012"


def _sessions(emu):
    emu.configure(glue_session={"provisioning_seconds": 0})
    glue = emu.client("glue")
    for session, owner in (("mine", "alice"), ("theirs", "bob")):
        glue.create_session(
            Id=session,
            Role="arn:aws:iam::123456789012:role/notebook",
            Command={"Name": "glueetl"},
            Tags={"owner": owner},
        )


def test_resource_tag_condition_allows_only_the_tagged_resource(emu):
    _sessions(emu)
    role = make_role(
        emu,
        "alice-reader",
        [
            {
                "Effect": "Allow",
                "Action": "glue:GetSession",
                "Resource": f"{GLUE}:session/*",
                "Condition": {"StringEquals": {"aws:ResourceTag/owner": "alice"}},
            }
        ],
    )
    glue = emu.client_as(role, "glue")
    assert glue.get_session(Id="mine")["Session"]["Id"] == "mine"
    with pytest.raises(ClientError, match="AccessDenied"):
        glue.get_session(Id="theirs")


def test_principal_tag_is_the_role_tag_and_works_as_a_policy_variable(emu):
    _sessions(emu)
    role = make_role(
        emu,
        "owner-reader",
        [
            {
                "Effect": "Allow",
                "Action": "glue:GetSession",
                "Resource": f"{GLUE}:session/*",
                "Condition": {"StringEquals": {"aws:ResourceTag/owner": "${aws:PrincipalTag/user}"}},
            }
        ],
    )
    iam = emu.client("iam")
    iam.tag_role(RoleName="owner-reader", Tags=[{"Key": "user", "Value": "bob"}])
    glue = emu.client_as(role, "glue")
    assert glue.get_session(Id="theirs")["Session"]["Id"] == "theirs"
    with pytest.raises(ClientError, match="AccessDenied"):
        glue.get_session(Id="mine")
    iam.untag_role(RoleName="owner-reader", TagKeys=["user"])
    with pytest.raises(ClientError, match="AccessDenied"):  # no tag: the variable matches nothing
        glue.get_session(Id="theirs")


def test_request_tag_and_tag_keys_constrain_tagging(emu):
    _sessions(emu)
    role = make_role(
        emu,
        "tagger",
        [
            {
                "Effect": "Allow",
                "Action": ["glue:TagResource", "glue:UntagResource"],
                "Resource": f"{GLUE}:session/*",
                "Condition": {
                    "ForAllValues:StringEquals": {"aws:TagKeys": ["guard"]},
                    "StringEqualsIfExists": {"aws:RequestTag/guard": "exempt"},
                },
            }
        ],
    )
    glue = emu.client_as(role, "glue")
    arn = f"{GLUE}:session/mine"
    glue.tag_resource(ResourceArn=arn, TagsToAdd={"guard": "exempt"})
    with pytest.raises(ClientError, match="AccessDenied"):
        glue.tag_resource(ResourceArn=arn, TagsToAdd={"guard": "never"})  # wrong value
    with pytest.raises(ClientError, match="AccessDenied"):
        glue.tag_resource(ResourceArn=arn, TagsToAdd={"owner": "mallory"})  # key not allowed
    with pytest.raises(ClientError, match="AccessDenied"):
        glue.untag_resource(ResourceArn=arn, TagsToRemove=["owner"])
    glue.untag_resource(ResourceArn=arn, TagsToRemove=["guard"])
    assert emu.client("glue").get_tags(ResourceArn=arn)["Tags"] == {"owner": "alice"}
    denied = [json.dumps(d) for d in emu.decisions(denied_only=True)]
    assert len(denied) == 3, denied


def test_bucket_tags_decide_only_once_abac_is_enabled_on_the_bucket(emu):
    # aws:ResourceTag on S3 general purpose buckets: the bucket's tags, only with ABAC enabled
    # (PutBucketAbac; "When ABAC is disabled ... you can only use tags for cost tracking").
    s3 = emu.client("s3")
    for name, team in (("team-data", "data"), ("team-web", "web")):
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [{"Key": "team", "Value": team}]})
        s3.put_object(Bucket=name, Key="a.txt", Body=b"a")
    role = make_role(
        emu,
        "data-reader",
        [
            {
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:ListBucket"],
                "Resource": ["arn:aws:s3:::team-*", "arn:aws:s3:::team-*/*"],
                "Condition": {"StringEquals": {"aws:ResourceTag/team": "data"}},
            }
        ],
    )
    reader = emu.client_as(role, "s3")
    with pytest.raises(ClientError, match="AccessDenied"):  # ABAC off: tags are not in the context
        reader.get_object(Bucket="team-data", Key="a.txt")
    assert s3.get_bucket_abac(Bucket="team-data")["AbacStatus"]["Status"] == "Disabled"
    for name in ("team-data", "team-web"):
        s3.put_bucket_abac(Bucket=name, AbacStatus={"Status": "Enabled"})
    assert s3.get_bucket_abac(Bucket="team-data")["AbacStatus"]["Status"] == "Enabled"
    assert reader.get_object(Bucket="team-data", Key="a.txt")["Body"].read() == b"a"
    assert reader.list_objects_v2(Bucket="team-data")["KeyCount"] == 1
    with pytest.raises(ClientError, match="AccessDenied"):
        reader.get_object(Bucket="team-web", Key="a.txt")
    with pytest.raises(ClientError, match="AccessDenied"):
        reader.list_objects_v2(Bucket="team-web")


@pytest.mark.parametrize("key", ["aws:ResourceTag/team", "iam:ResourceTag/team"])
def test_role_tags_are_the_resource_tags_of_role_actions(emu, key):
    iam = emu.client("iam")
    for name, team in (("data-job", "data"), ("web-job", "web")):
        iam.create_role(
            RoleName=name,
            Path="/service/",
            AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
            Tags=[{"Key": "team", "Value": team}],
        )
    role = make_role(
        emu,
        "role-reader",
        [
            {
                "Effect": "Allow",
                "Action": "iam:GetRole",
                "Resource": "arn:aws:iam::123456789012:role/service/*",
                "Condition": {"StringEquals": {key: "data"}},
            }
        ],
    )
    reader = emu.client_as(role, "iam")
    assert reader.get_role(RoleName="data-job")["Role"]["Arn"].endswith(":role/service/data-job")
    with pytest.raises(ClientError, match="AccessDenied"):
        reader.get_role(RoleName="web-job")
    denied = [(d["action"], d["resource"]) for d in emu.decisions(denied_only=True)]
    assert denied == [("iam:GetRole", "arn:aws:iam::123456789012:role/service/web-job")]
