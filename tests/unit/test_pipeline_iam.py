"""The medallion workflow role allows exactly the calls its definition makes, on exactly their ARNs.

The calls are derived from the definition as the state_machine module renders it (tools/asl_render
renders it the same way), the statements from modules/medallion_pipeline/workflow_iam applied offline with
Terraform (it has no provider). Every Task state maps to the IAM actions Step Functions performs for
it (AWS "IAM policies for integrated services": `.sync` Glue jobs also poll GetJobRun and GetJobRuns
and stop with BatchStopJobRun; a role without GetJobRun leaves a .sync task failing on every
poll). Then: every call is allowed, every allowed (action, resource) pair is used by some call,
and the checker (tests/support/iam_checker.py) is shown to catch a missing and a superfluous
permission. (The state_machine module adds its own
log-delivery and topic-key statements; those are its contract, not the definition's.)
"""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from asl_render import PIPELINE_DEFINITION, REPO_ROOT, TERRAFORM, render
from iam_calls import Call, UnmappedTask
from iam_checker import allowing_statements, check_applied, denied_calls, derive_calls, unused_grants
from pipeline_template_values import (
    CRAWLERS,
    DATABASES,
    DEFINITION_VARS,
    GLUE,
    NAMES,
    QUALITY_ROLE,
    RULESETS,
    TOPICS,
    lambda_arn,
)


# ---------------------------------------------------------------------------------------------
# Fixtures: Terraform renders the definition and computes the statements
# ---------------------------------------------------------------------------------------------
def _terraform(work: Path, *args: str) -> str:
    result = subprocess.run(
        [str(TERRAFORM), f"-chdir={work}", *args], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise AssertionError(f"terraform {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


@pytest.fixture(scope="module")
def statements(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    work = tmp_path_factory.mktemp("workflow_iam")
    module_dir = REPO_ROOT / "modules" / "medallion_pipeline" / "workflow_iam"
    inputs = {
        "glue_arn_prefix": GLUE,
        "function_arns": [lambda_arn(NAMES["raw_function"]), lambda_arn(NAMES["bronze_function"])],
        "job_arns": [f"{GLUE}:job/{NAMES['silver_job']}", f"{GLUE}:job/{NAMES['gold_job']}"],
        "crawler_arns": [f"{GLUE}:crawler/{n}" for n in CRAWLERS.values()],
        "database_names": list(DATABASES.values()),
        "ruleset_arns": [f"{GLUE}:dataQualityRuleset/{name}" for name in RULESETS.values()],
        "quality_role_arn": QUALITY_ROLE,
        "topic_arns": list(TOPICS.values()),
    }
    arguments = "\n".join(f"  {k} = {json.dumps(v)}" for k, v in inputs.items())
    (work / "main.tf").write_text(
        f'module "iam" {{\n  source = {json.dumps(str(module_dir))}\n{arguments}\n}}\n\n'
        'output "statements" {\n  value = module.iam.statements\n}\n'
    )
    _terraform(work, "init", "-input=false", "-no-color")
    _terraform(work, "apply", "-input=false", "-no-color", "-auto-approve")
    return json.loads(_terraform(work, "output", "-json", "statements"))


@pytest.fixture(scope="module")
def definition() -> dict[str, Any]:
    return json.loads(render(PIPELINE_DEFINITION, DEFINITION_VARS))


@pytest.fixture(scope="module")
def calls(definition: dict[str, Any]) -> set[Call]:
    return derive_calls(definition)


# ---------------------------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------------------------
def test_definition_calls_every_service_the_pipeline_needs(calls):
    actions = {c.action for c in calls}
    assert actions == {
        "lambda:InvokeFunction",
        "glue:StartJobRun",
        "glue:GetJobRun",
        "glue:GetJobRuns",
        "glue:BatchStopJobRun",
        "glue:StartCrawler",
        "glue:GetCrawler",
        "glue:GetTables",
        "glue:StartDataQualityRulesetEvaluationRun",
        "glue:GetDataQualityRulesetEvaluationRun",
        "glue:GetDataQualityResult",
        "iam:PassRole",
        "sns:Publish",
    }
    assert Call("glue:GetJobRun", f"{GLUE}:job/{NAMES['gold_job']}") in calls
    assert {c.resource for c in calls if c.action == "glue:StartCrawler"} == {
        f"{GLUE}:crawler/{n}" for n in CRAWLERS.values()
    }


def test_role_allows_every_call(statements, calls):
    assert denied_calls(statements, calls) == []


def test_each_gated_dataset_runs_its_own_ruleset_and_no_other(statements, calls):
    """The quality map's iterations, bound to the definition's static gates, start exactly the
    gated rulesets; a policy missing one of them would deny that dataset's evaluation."""
    started = {c.resource for c in calls if c.action == "glue:StartDataQualityRulesetEvaluationRun"}
    assert started == {f"{GLUE}:dataQualityRuleset/{name}" for name in RULESETS.values()}
    narrowed = [
        {**s, "resources": s["resources"][:1]} if s["sid"] == "StartQualityRun" else s for s in statements
    ]
    assert [c.resource for c in denied_calls(narrowed, calls)] == [
        f"{GLUE}:dataQualityRuleset/{RULESETS['statistics_pages']}"
    ]


def test_role_allows_nothing_more(statements, calls):
    assert unused_grants(statements, calls) == []


def test_no_wildcard_actions_and_star_only_for_id_based_reads(statements):
    for s in statements:
        assert all("*" not in a for a in s["actions"]), s
        if "*" in s["resources"]:
            assert set(s["actions"]) <= {
                "glue:GetDataQualityRulesetEvaluationRun",
                "glue:GetDataQualityResult",
            }, s


def test_pass_role_only_to_glue(statements, calls):
    pass_role = next(c for c in calls if c.action == "iam:PassRole")
    to_lambda = Call(pass_role.action, pass_role.resource, (("iam:PassedToService", "lambda.amazonaws.com"),))
    assert allowing_statements(statements, pass_role) == ["PassQualityRole"]
    assert allowing_statements(statements, to_lambda) == []


def test_checker_catches_a_missing_get_job_run(statements, calls):
    broken = copy.deepcopy(statements)
    for s in broken:
        s["actions"] = [a for a in s["actions"] if a != "glue:GetJobRun"]
    denied = denied_calls(broken, calls)
    assert {c.resource for c in denied if c.action == "glue:GetJobRun"} == {
        f"{GLUE}:job/{NAMES['silver_job']}",
        f"{GLUE}:job/{NAMES['gold_job']}",
    }


def test_checker_catches_a_superfluous_grant(statements, calls):
    extra = [
        *copy.deepcopy(statements),
        {
            "sid": "Extra",
            "actions": ["glue:DeleteJob"],
            "resources": [f"{GLUE}:job/*"],
            "conditions": [],
        },
    ]
    wider = copy.deepcopy(statements)
    wider[0]["resources"] = [*wider[0]["resources"], lambda_arn("someone-elses-function")]
    assert unused_grants(extra, calls) == [("Extra", "glue:DeleteJob", f"{GLUE}:job/*")]
    assert unused_grants(wider, calls) == [
        ("InvokeFunctions", "lambda:InvokeFunction", lambda_arn("someone-elses-function"))
    ]


def test_derivation_refuses_unknown_integrations(definition):
    changed = copy.deepcopy(definition)
    changed["States"]["RawIngest"]["Resource"] = "arn:aws:states:::aws-sdk:s3:deleteBucket"
    with pytest.raises(UnmappedTask, match="no IAM mapping"):
        derive_calls(changed)


# ---------------------------------------------------------------------------------------------
# The same proof on an applied environment: tests/e2e/test_workflow_iam_e2e.py reads the deployed
# definition and role policy back and calls iam_checker.check_applied with them.
# ---------------------------------------------------------------------------------------------
def _policy_json(statements: list[dict[str, Any]]) -> str:
    """The role policy as modules/state_machine writes it (declared + platform statements)."""
    declared = []
    for s in statements:
        statement: dict[str, Any] = {
            "Sid": s["sid"],
            "Effect": "Allow",
            "Action": s["actions"],
            "Resource": s["resources"],
        }
        if s["conditions"]:
            statement["Condition"] = {c["test"]: {c["variable"]: c["values"]} for c in s["conditions"]}
        declared.append(statement)
    platform = [
        {"Sid": "LogDelivery", "Effect": "Allow", "Action": ["logs:CreateLogDelivery"], "Resource": "*"},
        {
            "Sid": "StateMachineDataKey",
            "Effect": "Allow",
            "Action": ["kms:Decrypt"],
            "Resource": ["arn:aws:kms:x"],
        },
    ]
    return json.dumps({"Version": "2012-10-17", "Statement": declared + platform})


def test_check_applied_reads_the_deployed_policy_shape(statements, definition):
    text = json.dumps(definition)
    assert check_applied(text, _policy_json(statements)) == ([], [])
    without_pass_role = [s for s in statements if s["sid"] != "PassQualityRole"]
    denied, _ = check_applied(text, _policy_json(without_pass_role))
    assert [c.action for c in denied] == ["iam:PassRole"]
