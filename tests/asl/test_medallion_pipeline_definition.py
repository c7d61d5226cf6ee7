"""Structure of asl/medallion_pipeline.asl.json as Terraform renders it (no emulator needed).

Every Task has a timeout, retries only the transient errors of its service, and catches everything
else into its own FailedAt<step> state, which leads to the single notify-failure state and a Fail
(inside the quality gate's Map: to a Fail naming the dataset, which the Map catches into that path).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from asl_render import REPO_ROOT, render
from pipeline_template_values import DEFINITION_VARS

TRANSIENT = {
    "arn:aws:states:::lambda:invoke": {"Lambda.ServiceException", "Lambda.TooManyRequestsException"},
    "arn:aws:states:::glue:startJobRun.sync": {
        "Glue.ConcurrentRunsExceededException",
        "Glue.ThrottlingException",
    },
    "arn:aws:states:::sns:publish": {"SNS.ThrottledException"},
}


@pytest.fixture(scope="module")
def definition() -> dict[str, Any]:
    return json.loads(render(REPO_ROOT / "asl" / "medallion_pipeline.asl.json", DEFINITION_VARS))


@pytest.fixture(scope="module")
def states(definition) -> dict[str, Any]:
    return definition["States"]


@pytest.fixture(scope="module")
def gate(states) -> dict[str, Any]:
    """The quality gate's per-dataset states (the Map's item processor)."""
    return states["SilverQuality"]["ItemProcessor"]["States"]


def levels(definition: dict[str, Any]) -> list[dict[str, Any]]:
    """The definition and every nested state list (Map item processors)."""
    found = [definition]
    for state in definition["States"].values():
        if "ItemProcessor" in state:
            found += levels(state["ItemProcessor"])
    return found


def tasks(definition: dict[str, Any]) -> dict[str, Any]:
    return {n: s for level in levels(definition) for n, s in level["States"].items() if s["Type"] == "Task"}


def test_every_task_has_timeout_retry_and_catch(definition):
    for name, state in tasks(definition).items():
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


def test_failure_states_name_their_step_and_end_failed(states, gate):
    failed_at = {n: s for n, s in states.items() if n.startswith("FailedAt")}
    for name, state in failed_at.items():
        assert state["Result"] == name.removeprefix("FailedAt") and state["Next"] == "DescribeFailure"
    # Inside the gate a failure names its step and the dataset, then fails the iteration; the Map
    # catches that into the one notify-and-fail path.
    inner_failed_at = {n: s for n, s in gate.items() if n.startswith("FailedAt")}
    assert inner_failed_at
    for name, state in inner_failed_at.items():
        assert state["Result"] == name.removeprefix("FailedAt") and state["Next"] == "DescribeQualityFailure"
    assert "$.dataset" in gate["DescribeQualityFailure"]["Parameters"]["Cause.$"]
    assert gate["DescribeQualityFailure"]["Next"] == "GateErrorName"
    assert gate["RenameGateError"]["Parameters"]["Error"] == "DataQuality.StepFailed"
    assert gate["SilverQualityGateFailed"] == {
        "Type": "Fail",
        "ErrorPath": "$.gate_failure.Error",
        "CausePath": "$.gate_failure.Cause",
    }
    assert states["SilverQuality"]["Catch"] == [
        {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "FailedAtSilverQuality"}
    ]
    assert states["SilverQuality"]["Next"] == "PublishSilver"
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


def test_polls_are_bounded(states, gate):
    for limit in (
        "BronzeCrawlerPollLimit",
        "SilverCrawlerPollLimit",
        "GoldCrawlerPollLimit",
        "SilverQualityPollLimit",
    ):
        rule = {**states, **gate}[limit]["Choices"][0]
        assert rule["Variable"] == "$.poll.count" and rule["NumericGreaterThanEquals"] == 60


def test_every_state_is_reachable(definition):
    for level in levels(definition):
        states = level["States"]
        reachable, todo = set(), [level["StartAt"]]
        while todo:
            name = todo.pop()
            if name in reachable:
                continue
            reachable.add(name)
            state = states[name]
            nexts = [state.get("Next"), state.get("Default")]
            nexts += [c["Next"] for c in state.get("Choices", [])] + [
                c["Next"] for c in state.get("Catch", [])
            ]
            todo += [n for n in nexts if n]
        assert reachable == set(states)


def test_every_gated_dataset_is_evaluated_before_publish(states):
    assert states["RunSilverJob"]["Next"] == "LoadQualityGates"
    assert states["LoadQualityGates"]["Result"] == DEFINITION_VARS["dq_gates"]
    assert states["LoadQualityGates"]["ResultPath"] == states["SilverQuality"]["ItemsPath"]
    assert len(DEFINITION_VARS["dq_gates"]) == 2
