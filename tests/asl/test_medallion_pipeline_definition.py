"""Structure of modules/medallion_pipeline/definition.asl.json as the module renders it (no emulator needed).

Every Task has a timeout, retries only the transient errors of its service, and catches everything
else; the Catch itself records the step's name ($failed_step) on its way to the single
notify-failure path and a Fail (inside the quality gate's Map: $gate_step, to a Fail naming the
dataset, which the Map catches into that path). The catalog check and crawl loop are written once
for the three layers; their Catches record the layer's step name (StartSilverCrawler).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from asl_render import PIPELINE_DEFINITION, render
from pipeline_states import SHARED, possible_values
from pipeline_template_values import DEFINITION_VARS

LAYERS = ("Bronze", "Silver", "Gold")

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


def in_gate(definition: dict[str, Any], name: str) -> bool:
    return name in definition["States"]["SilverQuality"]["ItemProcessor"]["States"]


def step_names(name: str) -> list[str]:
    """The step names a failure at state `name` reports: one per layer for the shared crawl block."""
    return [SHARED[name].format(layer) for layer in LAYERS] if name in SHARED else [name]


def ways(state: dict[str, Any]) -> list[dict[str, Any]]:
    """The state, its Catches and its Choice rules: everything that names a Next and may Assign."""
    return [state, *state.get("Catch", []), *state.get("Choices", [])]


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
        if name == "NotifyFailure":
            continue
        key, describe = (
            ("gate_step", "DescribeQualityFailure")
            if in_gate(definition, name)
            else ("failed_step", "DescribeFailure")
        )
        error = "gate_error" if key == "gate_step" else "error"
        assert catch_all["Assign"][error] == "{% $states.errorOutput %}", name
        assert set(catch_all["Assign"]) - {key, error} <= {"gate"}, name
        assert possible_values(definition, catch_all["Assign"][key]) == step_names(name), name
        assert catch_all["Next"] == describe, name


def test_the_catalog_check_and_crawl_loop_are_written_once(states):
    per_layer = [
        n for n in states if any(layer in n for layer in LAYERS) and ("Crawl" in n or "Catalog" in n)
    ]
    assert per_layer == []
    assert sorted(n for n in states if "Crawl" in n or "Catalog" in n) == sorted(SHARED)
    # Each layer's stage hands the block its layer; the block routes on to the next stage.
    entered_by = {"BronzeLoad": "Bronze", "PublishSilver": "Silver", "RunGoldJob": "Gold"}
    for stage, layer in entered_by.items():
        assert states[stage]["Next"] == "CheckCatalog" and states[stage]["Assign"]["layer"]["name"] == layer
    routes = {rule["Next"] for rule in states["CrawlNeeded"]["Choices"]} | {states["CrawlNeeded"]["Default"]}
    assert routes == {"StartCrawler", "RunSilverJob", "RunGoldJob", "NotifySuccess"}
    assert states["CrawlerFinished"]["Default"] == "CrawlNeeded"


def test_failure_states_name_their_step_and_end_failed(definition, states, gate):
    # No state exists only to record a step name: the Catch (or the Choice rule raising a check's
    # failure) assigns it, and every way into a describe state carries one.
    assert not [n for level in levels(definition) for n in level["States"] if n.startswith("FailedAt")]
    for level, describe, key in (
        (states, "DescribeFailure", "failed_step"),
        (gate, "DescribeQualityFailure", "gate_step"),
    ):
        entries = [
            (name, way) for name, state in level.items() for way in ways(state) if way.get("Next") == describe
        ]
        assert entries, describe
        for name, way in entries:
            steps = possible_values(definition, way.get("Assign", {}).get(key))
            assert steps and all(isinstance(step, str) and step for step in steps), (name, way)
            assert steps == step_names(name) or level[name]["Type"] == "Choice", (name, steps)
        assert f"${key}" in json.dumps(level[describe]), describe
    # Inside the gate a failure names its step and the dataset, then fails the iteration; the Map
    # catches that into the one notify-and-fail path.
    assert "$gate.dataset" in gate["DescribeQualityFailure"]["Assign"]["gate_cause"]
    assert gate["DescribeQualityFailure"]["Next"] == "SilverQualityGateFailed"
    assert gate["SilverQualityGateFailed"]["Type"] == "Fail"
    assert "'DataQuality.StepFailed'" in gate["SilverQualityGateFailed"]["Error"]
    assert "$gate_cause" in gate["SilverQualityGateFailed"]["Cause"]
    assert states["SilverQuality"]["Catch"] == [
        {
            "ErrorEquals": ["States.ALL"],
            "Assign": {"failed_step": "SilverQuality", "error": "{% $states.errorOutput %}"},
            "Next": "DescribeFailure",
        }
    ]
    assert states["SilverQuality"]["Next"] == "PublishSilver"
    assert states["DescribeFailure"]["Next"] == "NotifyFailure"
    assert states["NotifyFailure"]["Next"] == "PipelineFailed"
    assert states["NotifyFailure"]["Catch"][0]["Next"] == "PipelineFailed"
    assert states["PipelineFailed"]["Type"] == "Fail"


def test_crawler_running_waits_instead_of_failing(states):
    catches = states["StartCrawler"]["Catch"]
    assert catches[0] == {
        "ErrorEquals": ["Glue.CrawlerRunningException"],
        "Assign": {"busy": True},
        "Next": "WaitForCrawler",
    }
    assert "Glue.CrawlerRunningException" not in {
        e for r in states["StartCrawler"]["Retry"] for e in r["ErrorEquals"]
    }
    # Once the other crawl has ended, ours is started.
    assert {"Condition": "{% $busy %}", "Next": "StartCrawler"} in states["CrawlerFinished"]["Choices"]


def test_polls_are_bounded(states, gate):
    crawl = states["CrawlerFinished"]["Choices"]
    assert crawl[0]["Condition"] == "{% $crawling and $polls + 1 >= 60 %}"
    assert (
        crawl[0]["Assign"]["error"]["Error"] == "Glue.CrawlTimedOut" and crawl[0]["Next"] == "DescribeFailure"
    )
    assert crawl[1] == {
        "Condition": "{% $crawling %}",
        "Assign": {"polls": "{% $polls + 1 %}"},
        "Next": "WaitForCrawler",
    }
    assert states["CrawlNeeded"]["Choices"][0]["Assign"] == {"polls": 0}
    quality = gate["SilverQualityRunFinished"]["Choices"]
    assert quality[2]["Condition"] == "{% $quality_polls >= 60 %}"
    assert quality[2]["Assign"]["gate_error"]["Error"] == "DataQuality.RunTimedOut"
    assert gate["GetSilverQualityRun"]["Assign"]["quality_polls"] == "{% $quality_polls + 1 %}"
    assert gate["StartSilverQualityRun"]["Assign"]["quality_polls"] == 0


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
    assert states["RunSilverJob"]["Next"] == "SilverQuality"
    assert states["SilverQuality"]["Items"] == DEFINITION_VARS["dq_gates"]
    assert len(DEFINITION_VARS["dq_gates"]) == 2
