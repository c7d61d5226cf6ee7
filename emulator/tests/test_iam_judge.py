"""Role sessions are judged on every call: identity, resource and KMS key policies, as AWS does.

Each test deploys a small role + resources with the admin key, then calls as a session of the role.
"""

from __future__ import annotations

import io
import json
import time
import zipfile

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from botocore.exceptions import ClientError

from local_emulator.cli import main

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


def test_enforce_is_the_default_and_refuses_unmapped_and_denied_calls(emu):
    assert emu.control("GET", "/_emulator/config")["iam"]["mode"] == "enforce"
    role = make_role(emu, "reader", [{"Effect": "Allow", "Action": "glue:GetDatabase", "Resource": "*"}])
    glue = emu.client_as(role, "glue")
    with pytest.raises(ClientError, match="AccessDenied"):
        glue.get_databases()  # unmapped: refused, never silently allowed
    with pytest.raises(ClientError, match="AccessDenied"):
        glue.get_crawler(Name="nope")  # no statement allows it: refused before moto looks it up
    rows = emu.decisions(denied_only=True)
    assert {(r["action"], r["decision"]) for r in rows} >= {
        ("glue:GetDatabases", "unmapped"),
        ("glue:GetCrawler", "implicitDeny"),
    }


def test_audit_mode_records_but_does_not_refuse_and_unmapped_is_reported(emu):
    emu.configure(iam={"mode": "audit"})  # the explicit opt-in
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


HANDLER = """
import os
import boto3

def handler(event, context):
    boto3.client("sns").publish(TopicArn=os.environ["TOPIC"], Message="from lambda")
    return {"ok": True}
"""


def _zip(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("main.py", source)
    return buffer.getvalue()


def _service_role(emu, name: str, service: str, statements: list[dict], source_account: str = ACCOUNT) -> str:
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": service},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": source_account}},
            }
        ],
    }
    iam = emu.client("iam")
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    if statements:
        iam.put_role_policy(
            RoleName=name,
            PolicyName="p",
            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements}),
        )
    return arn


def test_lambda_handler_acts_as_its_execution_role(emu):
    topic = emu.client("sns").create_topic(Name="out")["TopicArn"]
    allowed = _service_role(
        emu,
        "fn-ok",
        "lambda.amazonaws.com",
        [{"Effect": "Allow", "Action": "sns:Publish", "Resource": topic}],
    )
    bare = _service_role(emu, "fn-bare", "lambda.amazonaws.com", [])
    lam = emu.client("lambda")
    for name, role in (("ok", allowed), ("bare", bare)):
        lam.create_function(
            FunctionName=name,
            Runtime="python3.11",
            Role=role,
            Handler="main.handler",
            Code={"ZipFile": _zip(HANDLER)},
            Environment={"Variables": {"TOPIC": topic}},
        )
    emu.configure(iam={"mode": "enforce"})
    assert "FunctionError" not in lam.invoke(FunctionName="ok")
    failed = lam.invoke(FunctionName="bare")
    assert failed["FunctionError"] == "Unhandled"
    assert "AuthorizationError" in failed["Payload"].read().decode()
    decided = {(d["principal"], d["action"], d["decision"]) for d in emu.decisions()}
    assert ("lambda.amazonaws.com", "sts:AssumeRole", "allowed") in decided
    assert (f"arn:aws:sts::{ACCOUNT}:assumed-role/fn-ok/ok", "sns:Publish", "allowed") in decided
    assert (f"arn:aws:sts::{ACCOUNT}:assumed-role/fn-bare/bare", "sns:Publish", "implicitDeny") in decided


def test_trust_policy_is_evaluated_with_the_conditions_lambda_sends(emu):
    wrong_account = _service_role(
        emu, "fn-foreign", "lambda.amazonaws.com", [], source_account="999999999999"
    )
    lam = emu.client("lambda")
    lam.create_function(
        FunctionName="foreign",
        Runtime="python3.11",
        Role=wrong_account,
        Handler="main.handler",
        Code={"ZipFile": _zip("def handler(e, c):\n    return 1\n")},
    )
    with pytest.raises(ClientError, match="cannot be assumed by Lambda") as err:
        lam.invoke(FunctionName="foreign")
    assert err.value.response["Error"]["Code"] == "InvalidParameterValueException"
    (trust,) = [d for d in emu.decisions(denied_only=True) if d["action"] == "sts:AssumeRole"]
    assert (trust["principal"], trust["resource"], trust["decision"]) == (
        "lambda.amazonaws.com",
        wrong_account,
        "implicitDeny",
    )


def test_state_machine_tasks_call_with_the_state_machine_role(emu):
    topic = emu.client("sns").create_topic(Name="sm-out")["TopicArn"]
    role = _service_role(emu, "sm-bare", "states.amazonaws.com", [])
    definition = {
        "StartAt": "Notify",
        "States": {
            "Notify": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sns:publish",
                "Parameters": {"TopicArn": topic, "Message": "hi"},
                "End": True,
            }
        },
    }
    sfn = emu.client("stepfunctions")
    machine = sfn.create_state_machine(name="notify", definition=json.dumps(definition), roleArn=role)[
        "stateMachineArn"
    ]
    emu.configure(iam={"mode": "enforce"})
    execution = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    for _ in range(100):
        described = sfn.describe_execution(executionArn=execution)
        if described["status"] != "RUNNING":
            break
        time.sleep(0.1)
    assert described["status"] == "FAILED"
    history = sfn.get_execution_history(executionArn=execution)["events"]
    failed = next(e for e in history if e["type"] == "TaskFailed")["taskFailedEventDetails"]
    assert failed["error"] == "SNS.AuthorizationErrorException"
    denied = {(d["principal"], d["action"]) for d in emu.decisions(denied_only=True)}
    assert (f"arn:aws:sts::{ACCOUNT}:assumed-role/sm-bare/notify", "sns:Publish") in denied


def test_simulate_principal_policy_answers_with_the_same_evaluator(emu):
    topic = f"arn:aws:sns:{REGION}:{ACCOUNT}:t"
    role = make_role(
        emu,
        "sim",
        [
            {"Sid": "Publish", "Effect": "Allow", "Action": "sns:Publish", "Resource": topic},
            {
                "Sid": "PassToGlue",
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": "*",
                "Condition": {"StringEquals": {"iam:PassedToService": "glue.amazonaws.com"}},
            },
        ],
    )
    iam = emu.client("iam")
    results = iam.simulate_principal_policy(
        PolicySourceArn=role, ActionNames=["sns:Publish", "sns:DeleteTopic"], ResourceArns=[topic]
    )["EvaluationResults"]
    assert [(r["EvalActionName"], r["EvalDecision"]) for r in results] == [
        ("sns:Publish", "allowed"),
        ("sns:DeleteTopic", "implicitDeny"),
    ]
    assert results[0]["MatchedStatements"][0]["SourcePolicyId"] == "sim/p:Publish"

    def pass_role(service):
        return iam.simulate_principal_policy(
            PolicySourceArn=role,
            ActionNames=["iam:PassRole"],
            ResourceArns=[f"arn:aws:iam::{ACCOUNT}:role/x"],
            ContextEntries=[
                {
                    "ContextKeyName": "iam:PassedToService",
                    "ContextKeyValues": [service],
                    "ContextKeyType": "string",
                }
            ],
        )["EvaluationResults"][0]["EvalDecision"]

    assert pass_role("glue.amazonaws.com") == "allowed"
    assert pass_role("lambda.amazonaws.com") == "implicitDeny"

    key = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/k"
    key_policy = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/other"},
                    "Action": "kms:*",
                    "Resource": "*",
                }
            ],
        }
    )
    iam.put_role_policy(
        RoleName="sim",
        PolicyName="k",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": key}],
            }
        ),
    )
    by_key = iam.simulate_principal_policy(
        PolicySourceArn=role, ActionNames=["kms:Decrypt"], ResourceArns=[key], ResourcePolicy=key_policy
    )
    assert by_key["EvaluationResults"][0]["EvalDecision"] == "implicitDeny"


def test_denials_command_lists_denials_and_fails(emu, capsys):
    assert main(["denials", "--port", str(emu.port), "--state-dir", str(emu.state_dir)]) == 0
    role = make_role(
        emu,
        "nothing",
        [{"Effect": "Allow", "Action": "sns:Publish", "Resource": "arn:aws:sns:eu-west-1:123456789012:x"}],
    )
    with pytest.raises(ClientError):
        emu.client_as(role, "glue").get_crawler(Name="c")
    capsys.readouterr()
    assert main(["denials", "--port", str(emu.port), "--state-dir", str(emu.state_dir)]) == 1
    out = capsys.readouterr().out
    assert "glue:GetCrawler" in out and "assumed-role/nothing/test" in out and "implicitDeny" in out


def _parquet_bytes() -> bytes:
    buffer = io.BytesIO()
    pq.write_table(pa.table({"id": [1, 2]}), buffer)
    return buffer.getvalue()


def _crawl_state(glue, name: str) -> dict:
    glue.start_crawler(Name=name)
    for _ in range(200):
        crawler = glue.get_crawler(Name=name)["Crawler"]
        if crawler["State"] == "READY":
            return crawler
        time.sleep(0.05)
    raise AssertionError("crawler never became READY")


def test_crawls_read_and_catalogue_as_the_crawler_role(emu):
    emu.configure(glue_crawl={"seconds": 0.2})
    s3, glue = emu.client("s3"), emu.client("glue")
    s3.create_bucket(Bucket="lake", CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_object(Bucket="lake", Key="wp/posts/ingest_date=2025-01-01/part-0.parquet", Body=_parquet_bytes())
    glue.create_database(DatabaseInput={"Name": "bronze"})
    glue_arn = f"arn:aws:glue:{REGION}:{ACCOUNT}"
    catalog = [f"{glue_arn}:catalog", f"{glue_arn}:database/bronze", f"{glue_arn}:table/bronze/bronze_*"]
    reads_catalog = {
        "Effect": "Allow",
        "Action": ["glue:GetDatabase", "glue:GetTable", "glue:CreateTable", "glue:BatchCreatePartition"],
        "Resource": catalog,
    }
    lists = {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::lake"}
    reads = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::lake/wp/*"}
    blind = _service_role(emu, "crawler-blind", "glue.amazonaws.com", [reads_catalog, lists])
    seeing = _service_role(emu, "crawler-ok", "glue.amazonaws.com", [reads_catalog, lists, reads])
    for name, role in (("blind", blind), ("ok", seeing)):
        glue.create_crawler(
            Name=name,
            Role=role,
            DatabaseName="bronze",
            TablePrefix="bronze_",
            Targets={"S3Targets": [{"Path": "s3://lake/wp/posts/"}]},
        )
    emu.configure(iam={"mode": "enforce"})
    failed = _crawl_state(glue, "blind")["LastCrawl"]
    assert failed["Status"] == "FAILED"
    assert "s3:GetObject" in failed["ErrorMessage"] and "crawler-blind" in failed["ErrorMessage"]
    assert _crawl_state(glue, "ok")["LastCrawl"]["Status"] == "SUCCEEDED"
    assert glue.get_table(DatabaseName="bronze", Name="bronze_posts")["Table"]["Name"] == "bronze_posts"


def test_server_default_mode_comes_from_the_environment(monkeypatch):
    from local_emulator import runtime  # noqa: PLC0415

    monkeypatch.delenv("EMULATOR_IAM_MODE", raising=False)
    assert runtime._iam_mode_from_environment() == "enforce"
    monkeypatch.setenv("EMULATOR_IAM_MODE", "audit")
    assert runtime._iam_mode_from_environment() == "audit"
    monkeypatch.setenv("EMULATOR_IAM_MODE", "lenient")
    with pytest.raises(ValueError, match="EMULATOR_IAM_MODE must be one of audit, enforce, off"):
        runtime._iam_mode_from_environment()


def test_put_events_is_judged_per_entry_bus_in_the_signing_region(emu):
    # events:PutEvents authorises each entry's event bus (Service Authorization Reference, Amazon
    # EventBridge: PutEvents, resource event-bus); an entry without EventBusName uses "default".
    emu.client("events", region_name="eu-central-1").create_event_bus(Name="audit")
    own_bus = f"arn:aws:events:eu-central-1:{ACCOUNT}:event-bus/default"
    role = make_role(
        emu, "notifier", [{"Effect": "Allow", "Action": "events:PutEvents", "Resource": own_bus}]
    )
    emu.configure(iam={"mode": "enforce"})
    events = emu.client_as(role, "events", region_name="eu-central-1")
    entry = {"Source": "frugal.test", "DetailType": "Notice", "Detail": "{}"}
    assert events.put_events(Entries=[{**entry, "EventBusName": "default"}])["FailedEntryCount"] == 0
    with pytest.raises(ClientError, match="AccessDenied"):
        events.put_events(Entries=[{**entry, "EventBusName": "audit"}])
    with pytest.raises(ClientError, match="AccessDenied"):
        emu.client_as(role, "events").put_events(Entries=[{**entry, "EventBusName": "default"}])  # eu-west-1
    denied = {(d["action"], d["resource"]) for d in emu.decisions(denied_only=True)}
    assert denied == {
        ("events:PutEvents", f"arn:aws:events:eu-central-1:{ACCOUNT}:event-bus/audit"),
        ("events:PutEvents", f"arn:aws:events:eu-west-1:{ACCOUNT}:event-bus/default"),
    }


def test_put_events_entries_without_a_bus_name_are_judged_on_the_default_bus(emu):
    # PutEventsRequestEntry.EventBusName (botocore model events 2015-10-07): "If you omit this,
    # the default event bus is used." IAM authorises events:PutEvents on that bus's ARN.
    emu.client("events").create_event_bus(Name="audit")
    default_bus = f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/default"
    role = make_role(
        emu, "default-notifier", [{"Effect": "Allow", "Action": "events:PutEvents", "Resource": default_bus}]
    )
    events = emu.client_as(role, "events")
    entry = {"Source": "frugal.test", "DetailType": "Notice", "Detail": "{}"}
    assert events.put_events(Entries=[entry])["FailedEntryCount"] == 0
    assert events.put_events(Entries=[entry, entry])["FailedEntryCount"] == 0
    with pytest.raises(ClientError, match="AccessDenied"):
        events.put_events(Entries=[entry, {**entry, "EventBusName": "audit"}])
    judged = [(d["action"], d["resource"], d["decision"]) for d in emu.decisions()]
    assert ("events:PutEvents", default_bus, "allowed") in judged
    assert not [d for d in emu.decisions() if d["decision"] == "unmapped"]
    denied = {(d["action"], d["resource"]) for d in emu.decisions(denied_only=True)}
    assert denied == {("events:PutEvents", f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/audit")}
