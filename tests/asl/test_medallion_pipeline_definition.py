"""Structure of asl/medallion_pipeline.asl.json as Terraform renders it (no emulator needed).

Every Task has a timeout, retries only the transient errors of its service, and catches everything
else into its own FailedAt<step> state, which leads to the single notify-failure state and a Fail.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from asl_render import REPO_ROOT, render

from tests.unit.test_pipeline_iam import DEFINITION_VARS

TRANSIENT = {
    "arn:aws:states:::lambda:invoke": {"Lambda.ServiceException", "Lambda.TooManyRequestsException"},
    "arn:aws:states:::glue:startJobRun.sync": {
        "Glue.ConcurrentRunsExceededException",
        "Glue.ThrottlingException",
    },
    "arn:aws:states:::sns:publish": {"SNS.ThrottledException"},
}


@pytest.fixture(scope="module")
def states() -> dict[str, Any]:
    return json.loads(render(REPO_ROOT / "asl" / "medallion_pipeline.asl.json", DEFINITION_VARS))["States"]


def tasks(states: dict[str, Any]) -> dict[str, Any]:
    return {n: s for n, s in states.items() if s["Type"] == "Task"}


def test_every_task_has_timeout_retry_and_catch(states):
    for name, state in tasks(states).items():
        assert isinstance(state["TimeoutSeconds"], int) and state["TimeoutSeconds"] > 0, name
        retried = {e for r in state["Retry"] for e in r["ErrorEquals"]}
        assert "States.ALL" not in retried and "States.TaskFailed" not in retried, name
        assert all(r["BackoffRate"] > 1 for r in state["Retry"]), name
        expected = TRANSIENT.get(state["Resource"], {"Glue.ThrottlingException"})
        assert expected <= retried, (name, retried)
        catch_all = state["Catch"][-1]
        assert catch_all["ErrorEquals"] == ["States.ALL"], name
        if name != "NotifyFailure":
            assert catch_all["Next"] == f"FailedAt{name}", name


def test_failure_states_name_their_step_and_end_failed(states):
    failed_at = {n: s for n, s in states.items() if n.startswith("FailedAt")}
    for name, state in failed_at.items():
        assert state["Result"] == name.removeprefix("FailedAt") and state["Next"] == "DescribeFailure"
    assert states["DescribeFailure"]["Next"] == "NotifyFailure"
    assert states["NotifyFailure"]["Next"] == "PipelineFailed"
    assert states["NotifyFailure"]["Catch"][0]["Next"] == "PipelineFailed"
    assert states["PipelineFailed"]["Type"] == "Fail"


def test_crawler_running_waits_instead_of_failing(states):
    for layer in ("Bronze", "Silver", "Gold"):
        catches = states[f"Start{layer}Crawler"]["Catch"]
        assert catches[0] == {
            "ErrorEquals": ["Glue.CrawlerRunningException"],
            "ResultPath": "$.error",
            "Next": f"{layer}CrawlerBusy",
        }
        assert "Glue.CrawlerRunningException" not in {
            e for r in states[f"Start{layer}Crawler"]["Retry"] for e in r["ErrorEquals"]
        }


def test_polls_are_bounded(states):
    for limit in (
        "BronzeCrawlerPollLimit",
        "SilverCrawlerPollLimit",
        "GoldCrawlerPollLimit",
        "SilverQualityPollLimit",
    ):
        rule = states[limit]["Choices"][0]
        assert rule["Variable"] == "$.poll.count" and rule["NumericGreaterThanEquals"] == 60


def test_every_state_is_reachable(states):
    reachable, todo = set(), ["ResolveIngestDate"]
    while todo:
        name = todo.pop()
        if name in reachable:
            continue
        reachable.add(name)
        state = states[name]
        nexts = [state.get("Next"), state.get("Default")]
        nexts += [c["Next"] for c in state.get("Choices", [])] + [c["Next"] for c in state.get("Catch", [])]
        todo += [n for n in nexts if n]
    assert reachable == set(states)
