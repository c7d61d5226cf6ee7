"""bench/pipeline_cost.py prices a run by walking the pipeline definition: the path it walks must
stay a legal path of the current definition (a changed workflow breaks the bench, not silently
its numbers)."""

import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "bench"))

import pipeline_cost  # noqa: E402
from asl_render import PIPELINE_DEFINITION, render  # noqa: E402
from pipeline_states import by_layer  # noqa: E402


@pytest.fixture(scope="module")
def definition():
    return json.loads(render(PIPELINE_DEFINITION, pipeline_cost.DEFINITION_VARS))


@pytest.mark.parametrize("crawled", [set(), {"bronze", "silver", "gold"}])
def test_the_priced_path_is_a_path_of_the_current_definition(definition, crawled):
    path = pipeline_cost.run_path(definition, crawled)

    assert path[0] == definition["StartAt"]
    assert definition["States"][path[-1]]["Type"] == "Succeed"
    assert {"RawIngest", "BronzeLoad", "RunSilverJob", "PublishSilver", "RunGoldJob"} <= set(path)
    for layer in crawled:  # each crawled layer adds its start-and-poll states (the shared ones, for it)
        assert any(state.startswith(f"Start{layer.capitalize()}Crawl") for state in by_layer(path)), layer
