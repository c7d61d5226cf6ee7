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
