"""tools/asl_render.py renders a definition as modules/state_machine does (its terraform test
asserts the same results on tests/fixtures/notify.asl.json), so the ASL suites run what Terraform
deploys."""

from __future__ import annotations

import json

import pytest
from asl_render import DEFINITIONS, REPO_ROOT, render, render_text, via_event_bus

FIXTURE = REPO_ROOT / "modules" / "state_machine" / "tests" / "fixtures" / "notify.asl.json"
VARIABLES = {
    "topic_arn": "arn:aws:sns:eu-west-1:123456789012:frugal-test-success",
    "timeout_seconds": 30,
    "label": 'unit "quoted"',
    "config": {"waits": [5, 10], "dry_run": True},
}


def test_whole_placeholders_take_the_values_json_and_embedded_ones_its_escaped_text():
    definition = json.loads(render(FIXTURE, VARIABLES))
    assert definition["States"]["Notify"]["TimeoutSeconds"] == 30
    assert definition["States"]["Configure"]["Assign"]["cfg"] == {"waits": [5, 10], "dry_run": True}
    assert definition["Comment"].startswith('Test fixture for the state_machine module (unit "quoted"): ')


def test_a_placeholder_without_a_value_is_an_error():
    with pytest.raises(KeyError, match="label"):
        render_text('{"Comment": "${label}"}', {})


def test_publish_via_event_bus_sends_the_publish_arguments_as_the_detail():
    rendered = json.loads(render(FIXTURE, VARIABLES, ("frugal-test.notices", "Test Notification")))
    plain = json.loads(render(FIXTURE, VARIABLES))
    assert rendered["States"]["Notify"] == {
        **plain["States"]["Notify"],
        "Resource": "arn:aws:states:::events:putEvents",
        "Arguments": {
            "Entries": [
                {
                    "EventBusName": "default",
                    "Source": "frugal-test.notices",
                    "DetailType": "Test Notification",
                    "Detail": plain["States"]["Notify"]["Arguments"],
                }
            ]
        },
    }
    assert rendered["States"]["Configure"] == plain["States"]["Configure"]
    assert via_event_bus(plain, "s", "d")["States"]["Configure"] == plain["States"]["Configure"]


@pytest.mark.parametrize("name", sorted(DEFINITIONS))
def test_every_definition_is_json_and_lives_in_the_module_that_deploys_it(name):
    path = DEFINITIONS[name]
    json.loads(path.read_text())
    assert path.relative_to(REPO_ROOT).parts[0] == "modules"
    assert not list(REPO_ROOT.glob("asl/*.json")), "definitions live with their module, not in asl/"
