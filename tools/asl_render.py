"""Render a state-machine definition (*.asl.json) exactly as modules/state_machine does.

A definition file is valid JSON kept in the module that deploys it. A placeholder that is a whole
JSON string, "${name}", becomes the value's JSON (a number, bool, list or object replaces the
quotes too); a placeholder inside a longer string becomes the value's JSON-escaped text. The module does the
same with replace() and templatestring(), so what the tests execute is what Terraform deploys.
With `publish_via_event_bus` (a region whose notifications a relay publishes), each top-level SNS
publish becomes an EventBridge event carrying the same arguments, as the module does.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Optional

REPO_ROOT = Path(__file__).resolve().parent.parent
TERRAFORM = REPO_ROOT / "tools" / "terraform.sh"

# Where each state machine's definition lives: in the module that deploys it.
PIPELINE_DEFINITION = REPO_ROOT / "modules" / "medallion_pipeline" / "definition.asl.json"
_GUARD_REGION = REPO_ROOT / "modules" / "glue_session_guard" / "modules" / "region"
DEFINITIONS = {
    "medallion_pipeline.asl.json": PIPELINE_DEFINITION,
    **{
        name: _GUARD_REGION / name
        for name in (
            "glue_session_guard.asl.json",
            "glue_session_sweeper.asl.json",
            "glue_session_guard_relay.asl.json",
        )
    },
}

_WHOLE = re.compile(r'"\$\{([a-z_][a-z0-9_]*)\}"')
_EMBEDDED = re.compile(r"\$\{([a-z_][a-z0-9_]*)\}")
SNS_PUBLISH = "arn:aws:states:::sns:publish"


def _value(variables: Mapping[str, object], name: str, path: Path) -> object:
    if name not in variables:
        raise KeyError(f"{path}: no value for placeholder ${{{name}}}")
    return variables[name]


def _embedded_text(value: object) -> str:
    """The value's JSON without a string's surrounding quotes: escaped, so the string stays JSON."""
    text = json.dumps(value)
    return text[1:-1] if isinstance(value, str) else text


def render_text(text: str, variables: Mapping[str, object], path: Path = Path("<definition>")) -> str:
    """The definition text with every placeholder replaced."""
    whole = _WHOLE.sub(lambda m: json.dumps(_value(variables, m[1], path)), text)
    return _EMBEDDED.sub(lambda m: _embedded_text(_value(variables, m[1], path)), whole)


def via_event_bus(definition: dict[str, Any], source: str, detail_type: str) -> dict[str, Any]:
    """Each top-level SNS publish sent as an event on the default bus, its arguments as the detail."""
    states = dict(definition["States"])
    for name, state in states.items():
        if state.get("Resource") == SNS_PUBLISH:
            entry = {"EventBusName": "default", "Source": source, "DetailType": detail_type}
            states[name] = {
                **state,
                "Resource": "arn:aws:states:::events:putEvents",
                "Arguments": {"Entries": [{**entry, "Detail": state["Arguments"]}]},
            }
    return {**definition, "States": states}


def render(
    asl_file: str | Path,
    variables: Mapping[str, object],
    publish_via_event_bus: Optional[tuple[str, str]] = None,
) -> str:
    """Rendered definition text; raises if a placeholder has no value or the result isn't JSON.
    `publish_via_event_bus` is (source, detail type), as the module's variable of that name."""
    path = Path(asl_file).resolve()
    rendered = render_text(path.read_text(), variables, path)
    definition = json.loads(rendered)  # invalid JSON must fail here, not on the emulator
    if publish_via_event_bus is None:
        return rendered
    return json.dumps(via_event_bus(definition, *publish_via_event_bus))
