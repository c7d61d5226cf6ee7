"""docs/operations.md covers every failure the stack can report: each step the pipeline can name
in `<pipeline> failed`, each step the guard, sweeper and relay can name, and every alarm the
modules create. A new step or alarm without a runbook entry fails here."""

import json
import re
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "bench"))

import pipeline_cost  # noqa: E402
from asl_render import DEFINITIONS, PIPELINE_DEFINITION, render  # noqa: E402
from pipeline_states import possible_values  # noqa: E402

RUNBOOK = (REPO / "docs" / "operations.md").read_text()


def pipeline_steps():
    definition = json.loads(render(PIPELINE_DEFINITION, pipeline_cost.DEFINITION_VARS))
    states = definition["States"]
    # The failure path names the step its Catch (or the Choice rule that raises a check's
    # failure) assigns to $failed_step: one name per layer where the crawl block, written once,
    # builds it from the layer it runs for.
    recorded = {
        step
        for state in states.values()
        for way in [state, *state.get("Catch", []), *state.get("Choices", [])]
        if "failed_step" in way.get("Assign", {})
        for step in possible_values(definition, way["Assign"]["failed_step"])
    }
    # A caught state that records no step (the failure notification itself) is named as itself.
    unrecorded = {
        name
        for name, state in states.items()
        if state.get("Catch") and not any("failed_step" in c.get("Assign", {}) for c in state["Catch"])
    }
    return sorted(recorded | unrecorded)


def guard_steps():
    steps = set()
    for name in ("glue_session_guard", "glue_session_sweeper", "glue_session_guard_relay"):
        text = DEFINITIONS[f"{name}.asl.json"].read_text()
        steps |= set(re.findall(r"'step': '([A-Za-z]+)'", text))
    return sorted(steps)


def alarm_suffixes():
    suffixes = set()
    for path in (REPO / "modules").rglob("*.tf"):
        for name in re.findall(r'alarm_name\s*=\s*"([^"]+)"', path.read_text()):
            suffix = re.sub(r"^.*\}", "", name)
            suffixes.add(suffix if "${each.key}" not in name else "-executions-")
    return sorted(suffixes)


@pytest.mark.parametrize("step", pipeline_steps())
def test_every_pipeline_step_a_failure_can_name_has_an_entry(step):
    assert f"`{step}`" in RUNBOOK


@pytest.mark.parametrize("step", guard_steps())
def test_every_guard_sweeper_and_relay_step_has_an_entry(step):
    assert f"`{step}`" in RUNBOOK


@pytest.mark.parametrize("suffix", alarm_suffixes())
def test_every_alarm_the_modules_create_has_an_entry(suffix):
    assert f"`{suffix}" in RUNBOOK


def test_the_derived_lists_are_not_empty():
    # Guards the derivations themselves: a renamed key must not make the checks above vacuous.
    assert len(pipeline_steps()) > 15 and len(guard_steps()) > 8 and len(alarm_suffixes()) >= 5
