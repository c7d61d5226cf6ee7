"""Glue Data Quality rulesets and evaluation runs (moto 5.2.1: not implemented, HTTP 500)."""

from __future__ import annotations

import io
import json
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


# ---- DQDL expressions as the DQDL reference defines them -------------------------------------
NOW = pd.Timestamp("2026-11-17T10:00:00Z")


@pytest.mark.parametrize(
    ("rule", "values", "passes"),
    [
        # `between` is exclusive ("falls in a specified range (exclusive)").
        ('ColumnValues "bpm" between 40 and 250', [40.0, 120.0], False),
        ('ColumnValues "bpm" between 40 and 250', [40.5, 249.9], True),
        # `not between` is true outside the inclusive range.
        ('ColumnValues "bpm" not between 40 and 250', [250.0], False),
        ('ColumnValues "bpm" not between 40 and 250', [251.0, 12.0], True),
        ('ColumnValues "bpm" >= 40', [40.0, 300.0], True),
        ('ColumnValues "rating" in [0, 1, 2, 3, 4, 5]', [0, 5], True),
        ('ColumnValues "rating" in [0, 1, 2, 3, 4, 5]', [6], False),
        ('ColumnValues "key" not in ["H", "Hm"]', ["C", "Am"], True),
        ('ColumnValues "key" not in ["H", "Hm"]', ["Hm"], False),
        # "For all ColumnValues rules (other than != and NOT IN), NULL rows will fail the rule."
        ('ColumnValues "rating" in [0, 1, 2, 3, 4, 5]', [1, None], False),
        ('ColumnValues "rating" in [0, 1, NULL]', [1, None], True),
        ('ColumnValues "bpm" >= 40', [None, 120.0], False),
        ('ColumnValues "key" != "Hm"', [None, "C"], True),
        ('ColumnValues "key" not in ["Hm"]', [None, "C"], True),
    ],
)
def test_column_values_expressions_follow_the_dqdl_reference(rule, values, passes):
    column = rule.split('"')[1]
    frame = pd.DataFrame({column: pd.Series(values, dtype=object)})

    assert evaluate_rule(rule, frame, now=NOW)[0] is passes


@pytest.mark.parametrize(
    ("rule", "moment", "passes"),
    [
        ('ColumnValues "played_at" <= now()', "2026-11-17T09:59:59Z", True),
        ('ColumnValues "played_at" <= now()', "2026-11-17T10:00:01Z", False),
        ('ColumnValues "played_at" > (now() - 3 days)', "2026-11-14T10:00:01Z", True),
        ('ColumnValues "played_at" > (now() - 3 days)', "2026-11-14T09:59:59Z", False),
        ('ColumnValues "played_at" < (now() + 2 hours)', "2026-11-17T11:59:00Z", True),
        ('ColumnValues "played_at" > "2026-11-01"', "2026-10-31T23:00:00Z", False),
    ],
)
def test_date_expressions_compare_timestamps_with_now_and_dates(rule, moment, passes):
    frame = pd.DataFrame({"played_at": [pd.Timestamp(moment)]})

    assert evaluate_rule(rule, frame, now=NOW)[0] is passes


def test_referential_integrity_is_the_share_of_primary_values_found_in_the_reference():
    plays = pd.DataFrame({"track_id": [1, 2, 2, 9]})
    tracks = pd.DataFrame({"track_id": [1, 2, 3]})

    assert evaluate_rule(
        'ReferentialIntegrity "track_id" "tracks.track_id" = 1.0', plays, {"tracks": tracks}
    ) == (
        False,
        "Value: 0.7500",
    )
    assert evaluate_rule(
        'ReferentialIntegrity "track_id" "tracks.track_id" >= 0.7', plays, {"tracks": tracks}
    )[0]
    with pytest.raises(ValueError, match="'tracks' is not among the run's AdditionalDataSources"):
        evaluate_rule('ReferentialIntegrity "track_id" "tracks.track_id" = 1.0', plays, {})


def test_an_evaluation_run_reads_its_additional_data_sources_for_referential_integrity(emu):
    emu.configure(glue_data_quality={"seconds": 0.2})
    glue = _table_with_rows(emu)
    s3 = emu.client("s3")
    buffer = io.BytesIO()
    pd.DataFrame({"status": ["a"]}).to_parquet(buffer, index=False)
    s3.put_object(Bucket="lake", Key="silver/statuses/part-0.parquet", Body=buffer.getvalue())
    glue.create_table(
        DatabaseName="silver",
        TableInput={"Name": "statuses", "StorageDescriptor": {"Location": "s3://lake/silver/statuses/"}},
    )
    glue.create_data_quality_ruleset(
        Name="refs", Ruleset='Rules = [ ReferentialIntegrity "status" "known.status" = 1.0 ]'
    )

    def run_with(additional):
        extra = {"AdditionalDataSources": additional} if additional else {}
        run_id = glue.start_data_quality_ruleset_evaluation_run(
            DataSource={"GlueTable": {"DatabaseName": "silver", "TableName": "posts"}},
            Role="arn:aws:iam::123456789012:role/dq",
            RulesetNames=["refs"],
            **extra,
        )["RunId"]
        return _wait_run(glue, run_id)

    known = {"known": {"GlueTable": {"DatabaseName": "silver", "TableName": "statuses"}}}
    # The reference is read with the run's role too: without a grant on it, the run fails.
    denied = run_with(known)
    assert denied["Status"] == "FAILED" and "glue:GetTable" in denied["ErrorString"]
    emu.client("iam").put_role_policy(
        RoleName="dq",
        PolicyName="reference",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "glue:GetTable",
                        "Resource": "arn:aws:glue:eu-west-1:123456789012:table/silver/statuses",
                    },
                    {
                        "Effect": "Allow",
                        "Action": "s3:GetObject",
                        "Resource": "arn:aws:s3:::lake/silver/statuses/*",
                    },
                ],
            }
        ),
    )
    run = run_with(known)
    assert run["Status"] == "SUCCEEDED", run.get("ErrorString")
    assert run["AdditionalDataSources"]["known"]["GlueTable"]["TableName"] == "statuses"
    result = glue.get_data_quality_result(ResultId=run["ResultIds"][0])["RuleResults"][0]
    # posts' statuses are a, b, a: "b" is not a known status.
    assert (result["Result"], result["EvaluationMessage"]) == ("FAIL", "Value: 0.6667")
    missing = run_with(None)
    assert missing["Status"] == "FAILED" and "AdditionalDataSources" in missing["ErrorString"]
