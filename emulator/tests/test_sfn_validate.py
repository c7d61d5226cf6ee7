"""ValidateStateMachineDefinition and ListStateMachineVersions (moto 5.2.1: HTTP 500)."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.emulator

VALID = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}


def codes(response):
    return [d["code"] for d in response["diagnostics"]]


def test_valid_definition_is_ok(emu):
    response = emu.client("stepfunctions").validate_state_machine_definition(
        definition=json.dumps(VALID), type="STANDARD"
    )
    assert response["result"] == "OK"
    assert response["diagnostics"] == []


@pytest.mark.parametrize(
    ("definition", "code", "location"),
    [
        ("{not json", "INVALID_JSON_DESCRIPTION", None),
        (json.dumps({"States": VALID["States"]}), "SCHEMA_VALIDATION_FAILED", "/"),
        (json.dumps({"StartAt": "A"}), "SCHEMA_VALIDATION_FAILED", "/"),
        (
            json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}}}),
            "MISSING_TRANSITION_TARGET",
            "/States/A/Next",
        ),
        (
            json.dumps(
                {
                    "StartAt": "C",
                    "States": {
                        "C": {
                            "Type": "Choice",
                            "Choices": [{"Variable": "$.x", "IsPresent": True, "Next": "Z"}],
                            "Default": "E",
                        },
                        "E": {"Type": "Succeed"},
                    },
                }
            ),
            "MISSING_TRANSITION_TARGET",
            "/States/C/Choices/0/Next",
        ),
    ],
)
def test_invalid_definitions_fail_with_diagnostics(emu, definition, code, location):
    response = emu.client("stepfunctions").validate_state_machine_definition(definition=definition)
    assert response["result"] == "FAIL"
    assert code in codes(response)
    diagnostic = next(d for d in response["diagnostics"] if d["code"] == code)
    assert diagnostic["severity"] == "ERROR"
    assert diagnostic.get("location") == location


def test_list_state_machine_versions(emu):
    sfn = emu.client("stepfunctions")
    role = "arn:aws:iam::123456789012:role/r"
    plain = sfn.create_state_machine(name="unpublished", definition=json.dumps(VALID), roleArn=role)
    assert (
        sfn.list_state_machine_versions(stateMachineArn=plain["stateMachineArn"])["stateMachineVersions"]
        == []
    )

    published = sfn.create_state_machine(
        name="published", definition=json.dumps(VALID), roleArn=role, publish=True
    )
    arn = published["stateMachineArn"]
    sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(VALID), publish=True)
    versions = sfn.list_state_machine_versions(stateMachineArn=arn)["stateMachineVersions"]
    assert [v["stateMachineVersionArn"] for v in versions] == [f"{arn}:2", f"{arn}:1"]
