"""The medallion workflow role allows exactly the calls its definition makes, on exactly their ARNs.

The calls are derived from the definition as Terraform renders it (tools/asl_render runs
templatefile), the statements from modules/medallion_pipeline/workflow_iam applied offline with
Terraform (it has no provider). Every Task state maps to the IAM actions Step Functions performs for
it (AWS "IAM policies for integrated services": `.sync` Glue jobs also poll GetJobRun and GetJobRuns
and stop with BatchStopJobRun - the permissions the seeds lost hours to). Then: every call is allowed, every
allowed (action, resource) pair is used by some call, and the checker itself is shown to catch a
missing and a superfluous permission. (The state_machine module adds its own log-delivery and
topic-key statements; those are its contract, not the definition's.)
"""

from __future__ import annotations

import copy
import fnmatch
import json
import subprocess
from pathlib import Path
from typing import Any

import iam_calls
import pytest
from asl_render import REPO_ROOT, TERRAFORM, render
from iam_calls import Call, UnmappedTask

ACCOUNT = "123456789012"
REGION = "eu-west-1"
GLUE = f"arn:aws:glue:{REGION}:{ACCOUNT}"
PREFIX = "frugal-test"
NAMES = {
    "raw_function": f"{PREFIX}-raw-wordpress-api",
    "bronze_function": f"{PREFIX}-bronze-wordpress-api",
    "silver_job": f"{PREFIX}-silver-wordpress-api",
    "gold_job": f"{PREFIX}-gold-wordpress-api",
}
# Two gated datasets, each with its own ruleset: the workflow may evaluate exactly these.
RULESETS = {
    d: f"{PREFIX}-silver-wordpress-api-{d.replace('_', '-')}-quality" for d in ("posts", "statistics_pages")
}
DATABASES = {layer: f"frugal_test_{layer}" for layer in ("bronze", "silver", "gold")}
CRAWLERS = {layer: f"{PREFIX}-{layer}-wordpress-api" for layer in ("bronze", "silver", "gold")}
TOPICS = {kind: f"arn:aws:sns:{REGION}:{ACCOUNT}:{PREFIX}-{kind}" for kind in ("success", "failure")}
QUALITY_ROLE = f"arn:aws:iam::{ACCOUNT}:role/{PREFIX}-silver-wordpress-api-dq"


def lambda_arn(name: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"


DEFINITION_VARS: dict[str, Any] = {
    "pipeline_name": f"{PREFIX}-wordpress-api",
    "source_name": "wordpress_api",
    "raw_function_arn": lambda_arn(NAMES["raw_function"]),
    "bronze_function_arn": lambda_arn(NAMES["bronze_function"]),
    "lambda_task_timeout_seconds": 150,
    "retry_interval_seconds": 5,
    "retry_max_attempts": 3,
    "workflow_timeout_seconds": 10800,
    **{f"{layer}_database": db for layer, db in DATABASES.items()},
    **{f"{layer}_table_prefix": f"{layer}_" for layer in DATABASES},
    "bronze_table_count": 5,
    "silver_table_count": 5,
    "gold_table_count": 1,
    **{f"{layer}_crawler_name": name for layer, name in CRAWLERS.items()},
    "crawl_bronze": False,
    "crawl_silver": False,
    "crawl_gold": False,
    "crawler_poll_seconds": 30,
    "crawler_max_polls": 60,
    "silver_job_name": NAMES["silver_job"],
    "gold_job_name": NAMES["gold_job"],
    "silver_job_task_timeout_seconds": 1200,
    "gold_job_task_timeout_seconds": 2700,
    "dq_gates": [
        {"dataset": d, "table": f"candidate_{d}", "ruleset_names": [name], "additional_data_sources": {}}
        for d, name in RULESETS.items()
    ],
    "dq_max_concurrency": 0,
    "dq_role_arn": QUALITY_ROLE,
    "dq_number_of_workers": 2,
    "dq_timeout_minutes": 15,
    "dq_poll_seconds": 30,
    "dq_max_polls": 60,
    "success_topic_arn": TOPICS["success"],
    "failure_topic_arn": TOPICS["failure"],
}


def derive_calls(definition: dict[str, Any]) -> set[Call]:
    """The workflow's calls, derived by the same code `make verify` uses (tools/iam_calls.py)."""
    return iam_calls.derive_calls(definition, REGION, ACCOUNT)


# ---------------------------------------------------------------------------------------------
# Evaluating the statements (Allow-only policy: action match, ARN glob, StringEquals conditions)
# ---------------------------------------------------------------------------------------------
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
    context = dict(call.context)
    return [
        s["sid"]
        for s in statements
        if any(a.lower() == call.action.lower() for a in s["actions"])
        and any(_arn_matches(r, call.resource) for r in s["resources"])
        and _conditions_hold(s, context)
    ]


def denied_calls(statements: list[dict[str, Any]], calls: set[Call]) -> list[Call]:
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
    return json.loads(render(REPO_ROOT / "asl" / "medallion_pipeline.asl.json", DEFINITION_VARS))


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


def test_checker_catches_the_seeds_missing_get_job_run(statements, calls):
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
# The same proof on an applied environment: envs/<env> outputs pipeline_workflow_definition and
# pipeline_workflow_role_policy_json (tests/e2e can call check_applied with them).
# ---------------------------------------------------------------------------------------------
PLATFORM_SIDS = {"LogDelivery", "XRayTraces", "StateMachineDataKey"}  # the state_machine module's own


def statements_from_policy(policy_json: str) -> list[dict[str, Any]]:
    """IAM policy JSON -> the statements shape used above (platform statements left out)."""
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
