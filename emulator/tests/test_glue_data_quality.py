"""Glue Data Quality rulesets and evaluation runs (moto 5.2.1: not implemented, HTTP 500)."""

from __future__ import annotations

import io
import time

import pandas as pd
import pytest
from botocore.exceptions import ClientError
from sfn_support import service_role

from local_emulator.corrections.glue_data_quality import evaluate_rule

pytestmark = pytest.mark.emulator

RULES = (
    'Rules = [ RowCount = 3, IsComplete "id", IsUnique "id", ColumnValues "status" in ["a", "b"], '
    'Completeness "name" > 0.9 ]'
)


def test_ruleset_crud(emu):
    glue = emu.client("glue")
    glue.create_data_quality_ruleset(
        Name="silver-posts", Ruleset=RULES, Description="d", Tags={"team": "data"}
    )
    with pytest.raises(ClientError) as err:
        glue.create_data_quality_ruleset(Name="silver-posts", Ruleset=RULES)
    assert err.value.response["Error"]["Code"] == "AlreadyExistsException"

    got = glue.get_data_quality_ruleset(Name="silver-posts")
    assert got["Ruleset"] == RULES
    arn = "arn:aws:glue:eu-west-1:123456789012:dataQualityRuleset/silver-posts"
    assert glue.get_tags(ResourceArn=arn)["Tags"] == {"team": "data"}

    glue.update_data_quality_ruleset(Name="silver-posts", Ruleset="Rules = [ RowCount > 0 ]")
    listed = glue.list_data_quality_rulesets()["Rulesets"]
    assert [(r["Name"], r["RuleCount"]) for r in listed] == [("silver-posts", 1)]

    glue.delete_data_quality_ruleset(Name="silver-posts")
    with pytest.raises(ClientError) as err:
        glue.get_data_quality_ruleset(Name="silver-posts")
    assert err.value.response["Error"]["Code"] == "EntityNotFoundException"


def _table_with_rows(emu):
    s3 = emu.client("s3")
    glue = emu.client("glue")
    s3.create_bucket(Bucket="lake", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    frame = pd.DataFrame({"id": [1, 2, 3], "status": ["a", "b", "a"], "name": ["x", None, "z"]})
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    s3.put_object(Bucket="lake", Key="silver/posts/part-0.parquet", Body=buffer.getvalue())
    glue.create_database(DatabaseInput={"Name": "silver"})
    # What an evaluation run reads and publishes with the role it is passed (iam.services.quality_denial).
    glue_arn = "arn:aws:glue:eu-west-1:123456789012"
    service_role(
        emu,
        "dq",
        "glue.amazonaws.com",
        [
            {
                "Effect": "Allow",
                "Action": "glue:GetTable",
                "Resource": [
                    f"{glue_arn}:catalog",
                    f"{glue_arn}:database/silver",
                    f"{glue_arn}:table/silver/posts",
                ],
            },
            {
                "Effect": "Allow",
                "Action": ["glue:GetDataQualityRuleset", "glue:PublishDataQuality"],
                "Resource": f"{glue_arn}:dataQualityRuleset/*",
            },
            {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::lake"},
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::lake/silver/posts/*"},
        ],
    )
    glue.create_table(
        DatabaseName="silver",
        TableInput={"Name": "posts", "StorageDescriptor": {"Location": "s3://lake/silver/posts/"}},
    )
    return glue


def _wait_run(glue, run_id, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = glue.get_data_quality_ruleset_evaluation_run(RunId=run_id)
        if run["Status"] in ("SUCCEEDED", "FAILED", "STOPPED", "TIMEOUT"):
            return run
        time.sleep(0.1)
    raise AssertionError("evaluation run did not finish")


def test_evaluation_run_scores_rules(emu):
    emu.configure(glue_data_quality={"seconds": 0.5})
    glue = _table_with_rows(emu)
    glue.create_data_quality_ruleset(Name="posts-dq", Ruleset=RULES)
    run_id = glue.start_data_quality_ruleset_evaluation_run(
        DataSource={"GlueTable": {"DatabaseName": "silver", "TableName": "posts"}},
        Role="arn:aws:iam::123456789012:role/dq",
        RulesetNames=["posts-dq"],
    )["RunId"]
    assert glue.get_data_quality_ruleset_evaluation_run(RunId=run_id)["Status"] in ("STARTING", "RUNNING")
    run = _wait_run(glue, run_id)
    assert run["Status"] == "SUCCEEDED"
    result = glue.get_data_quality_result(ResultId=run["ResultIds"][0])
    outcomes = [r["Result"] for r in result["RuleResults"]]
    assert outcomes == ["PASS", "PASS", "PASS", "PASS", "FAIL"]
    assert result["Score"] == pytest.approx(0.8)


def test_unsupported_rule_fails_the_run(emu):
    emu.configure(glue_data_quality={"seconds": 0.2})
    glue = _table_with_rows(emu)
    glue.create_data_quality_ruleset(
        Name="custom", Ruleset='Rules = [ RowCount > 0, CustomSql "select count(*) from primary" > 0 ]'
    )
    run_id = glue.start_data_quality_ruleset_evaluation_run(
        DataSource={"GlueTable": {"DatabaseName": "silver", "TableName": "posts"}},
        Role="arn:aws:iam::123456789012:role/dq",
        RulesetNames=["custom"],
    )["RunId"]
    run = _wait_run(glue, run_id)
    assert run["Status"] == "FAILED"
    assert "CustomSql" in run["ErrorString"]
    assert "ResultIds" not in run


def test_rule_columns_resolve_case_insensitively_like_spark():
    frame = pd.DataFrame({"id": [1, 2], "post_title": ["a", None]})
    assert evaluate_rule('IsUnique "ID"', frame)[0]
    assert not evaluate_rule('IsComplete "POST_TITLE"', frame)[0]
    assert evaluate_rule('ColumnExists "missing"', frame) == (False, "Column missing does not exist")
