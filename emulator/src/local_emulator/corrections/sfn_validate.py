"""Step Functions ValidateStateMachineDefinition and ListStateMachineVersions.

AWS behaviour:
- ValidateStateMachineDefinition
  (https://docs.aws.amazon.com/step-functions/latest/apireference/API_ValidateStateMachineDefinition.html,
  API_ValidateStateMachineDefinitionDiagnostic.html) never raises for a bad definition: it returns
  `result` OK/FAIL and `diagnostics` [{severity, code, message, location}] with codes such as
  MISSING_DESCRIPTION, INVALID_JSON_DESCRIPTION, SCHEMA_VALIDATION_FAILED, MISSING_END_STATE and
  MISSING_TRANSITION_TARGET ("Missing 'Next' target: X" at /States/A/Next), plus `truncated`.
  The Terraform AWS provider calls it while planning aws_sfn_state_machine.
- ListStateMachineVersions
  (https://docs.aws.amazon.com/step-functions/latest/apireference/API_ListStateMachineVersions.html)
  lists published versions, newest first (empty list when none); the provider reads it after
  create/refresh.

moto 5.2.1 implements neither (NotImplementedError -> HTTP 500, which the provider retries for
10+ minutes).
"""

from __future__ import annotations

import json
from typing import Any, Optional

from moto.core.responses import ActionResult
from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

from local_emulator.patching import add_method

Diagnostic = dict[str, str]


def _diag(code: str, message: str, location: Optional[str] = None, severity: str = "ERROR") -> Diagnostic:
    d = {"severity": severity, "code": code, "message": message}
    if location is not None:
        d["location"] = location
    return d


def _transitions(location: str, state: dict[str, Any]) -> list[tuple[str, Any]]:
    """Every (location, target state name) a state can transition to."""
    targets: list[tuple[str, Any]] = []
    if "Next" in state:
        targets.append((f"{location}/Next", state["Next"]))
    if state["Type"] == "Choice":
        for i, choice in enumerate(state.get("Choices", [])):
            if isinstance(choice, dict) and "Next" in choice:
                targets.append((f"{location}/Choices/{i}/Next", choice["Next"]))
        if "Default" in state:
            targets.append((f"{location}/Default", state["Default"]))
    for i, catcher in enumerate(state.get("Catch", []) or []):
        if isinstance(catcher, dict) and "Next" in catcher:
            targets.append((f"{location}/Catch/{i}/Next", catcher["Next"]))
    return targets


def _sub_machines(location: str, state: dict[str, Any]) -> list[tuple[str, Any]]:
    """Parallel branches and Map processors, which are state machines of their own."""
    if state["Type"] == "Parallel":
        return [(f"{location}/Branches/{i}", b) for i, b in enumerate(state.get("Branches", []))]
    if state["Type"] == "Map":
        key = "ItemProcessor" if "ItemProcessor" in state else "Iterator"
        if key in state:
            return [(f"{location}/{key}", state[key])]
    return []


def _check_state(name: str, state: Any, states: dict[str, Any], prefix: str, out: list[Diagnostic]) -> bool:
    """Check one state; return True when it is terminal."""
    location = f"{prefix}/States/{name}"
    if not isinstance(state, dict) or "Type" not in state:
        out.append(_diag("SCHEMA_VALIDATION_FAILED", "These fields are required: [Type]", location))
        return False
    terminal = state["Type"] in ("Succeed", "Fail") or state.get("End") is True
    if "Next" not in state and not terminal and state["Type"] != "Choice":
        out.append(
            _diag("SCHEMA_VALIDATION_FAILED", "This state must have either 'Next' or 'End: true'", location)
        )
    for target_location, target_name in _transitions(location, state):
        if target_name not in states:
            out.append(
                _diag("MISSING_TRANSITION_TARGET", f"Missing 'Next' target: {target_name}", target_location)
            )
    for sub_location, sub_machine in _sub_machines(location, state):
        _check_machine(sub_machine, sub_location, out)
    return terminal


def _check_machine(machine: Any, prefix: str, out: list[Diagnostic]) -> None:
    """StartAt/States/transition checks for a state machine or a Parallel/Map sub-machine."""
    where = prefix or "/"
    if not isinstance(machine, dict):
        out.append(_diag("SCHEMA_VALIDATION_FAILED", "The definition must be a JSON object", where))
        return
    states = machine.get("States")
    start_at = machine.get("StartAt")
    if start_at is None:
        out.append(_diag("SCHEMA_VALIDATION_FAILED", "These fields are required: [StartAt]", where))
    if not isinstance(states, dict) or not states:
        out.append(_diag("SCHEMA_VALIDATION_FAILED", "These fields are required: [States]", where))
        return
    if start_at is not None and start_at not in states:
        out.append(
            _diag("MISSING_TRANSITION_TARGET", f"Missing 'Next' target: {start_at}", f"{prefix}/StartAt")
        )
    terminals = [_check_state(name, state, states, prefix, out) for name, state in states.items()]
    if not any(terminals):
        out.append(_diag("MISSING_END_STATE", "Workflow has no terminal state", where))


def validate_definition(definition: Optional[str]) -> list[Diagnostic]:
    if not definition or not definition.strip():
        return [_diag("MISSING_DESCRIPTION", "Received a null or empty workflow input")]
    try:
        machine = json.loads(definition)
    except ValueError as exc:
        return [_diag("INVALID_JSON_DESCRIPTION", f"JSON syntax problem found: {exc}")]
    out: list[Diagnostic] = []
    _check_machine(machine, "", out)
    if out:
        return out
    # The interpreter's own parser catches what the structural checks above do not.
    try:
        AmazonStateLanguageParser.parse(definition)
    except Exception as exc:
        out.append(_diag("SCHEMA_VALIDATION_FAILED", f"{type(exc).__name__}: {exc}"))
    return out


def validate_state_machine_definition(self: Any) -> Any:
    diagnostics = validate_definition(self._get_param("definition"))
    max_results = int(self._get_param("maxResults") or 100)
    result = "FAIL" if any(d["severity"] == "ERROR" for d in diagnostics) else "OK"
    return ActionResult(
        {
            "result": result,
            "diagnostics": diagnostics[:max_results],
            "truncated": len(diagnostics) > max_results,
        }
    )


def list_state_machine_versions(self: Any) -> Any:
    state_machine = self.stepfunction_backend.describe_state_machine(self._get_param("stateMachineArn"))
    versions = sorted(state_machine.versions.values(), key=lambda v: v.version, reverse=True)
    max_results = int(self._get_param("maxResults") or 1000)
    start = int(self._get_param("nextToken") or 0)
    page = versions[start : start + max_results]
    body: dict[str, Any] = {
        "stateMachineVersions": [
            {"stateMachineVersionArn": v.arn, "creationDate": v.creation_date} for v in page
        ]
    }
    if start + max_results < len(versions):
        body["nextToken"] = str(start + max_results)
    return ActionResult(body)


def apply() -> None:
    module = "moto.stepfunctions.responses"
    add_method(
        module, "StepFunctionResponse", "validate_state_machine_definition", validate_state_machine_definition
    )
    add_method(module, "StepFunctionResponse", "list_state_machine_versions", list_state_machine_versions)
