"""Structure of modules/medallion_pipeline/definition.asl.json as the module renders it (no emulator needed).

Every Task has a timeout, retries only the transient errors of its service, and catches everything
else; the Catch itself records the step's name ($failed_step) on its way to the single
notify-failure path and a Fail (inside the quality gate's Map: to a Fail naming the dataset, which
the Map catches into that path).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from asl_render import PIPELINE_DEFINITION, render
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
    return json.loads(render(PIPELINE_DEFINITION, DEFINITION_VARS))


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


def describe_state(definition: dict[str, Any], name: str) -> str:
    """Where a failure at `name` goes: the gate's own describe state inside the Map, else the pipeline's."""
    gate = definition["States"]["SilverQuality"]["ItemProcessor"]["States"]
    return "DescribeQualityFailure" if name in gate else "DescribeFailure"


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
            assert catch_all["Assign"] == {"failed_step": name}, name
            assert catch_all["Next"] == describe_state(definition, name), name


def test_failure_states_name_their_step_and_end_failed(definition, states, gate):
    # No state exists only to record a step name: the Catch (or the Pass raising a check's
    # failure) assigns it, and every way into a describe state carries one.
    assert not [n for level in levels(definition) for n in level["States"] if n.startswith("FailedAt")]
    for level, describe in ((states, "DescribeFailure"), (gate, "DescribeQualityFailure")):
        entries = [
            (name, way)
            for name, state in level.items()
            for way in [state, *state.get("Catch", [])]
            if way.get("Next") == describe
        ]
        assert entries, describe
        for name, way in entries:
            step = way.get("Assign", {}).get("failed_step")
            assert isinstance(step, str) and step, (name, way)
            assert step == name or level[name]["Type"] == "Pass", (name, step)
        assert "$failed_step" in json.dumps(level[describe]), describe
    # Inside the gate a failure names its step and the dataset, then fails the iteration; the Map
    # catches that into the one notify-and-fail path.
    assert "$.dataset" in gate["DescribeQualityFailure"]["Parameters"]["Cause.$"]
    assert gate["DescribeQualityFailure"]["Next"] == "GateErrorName"
    assert gate["RenameGateError"]["Parameters"]["Error"] == "DataQuality.StepFailed"
    assert gate["SilverQualityGateFailed"] == {
        "Type": "Fail",
        "ErrorPath": "$.gate_failure.Error",
        "CausePath": "$.gate_failure.Cause",
    }
    assert states["SilverQuality"]["Catch"] == [
        {
            "ErrorEquals": ["States.ALL"],
            "ResultPath": "$.error",
            "Assign": {"failed_step": "SilverQuality"},
            "Next": "DescribeFailure",
        }
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
