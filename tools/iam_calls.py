"""The IAM calls a deployed principal makes, derived from what it runs.

- State machines: every Task state maps to the calls Step Functions makes for it with the
  state machine's role (AWS "IAM policies for integrated services",
  https://docs.aws.amazon.com/step-functions/latest/dg/service-integration-iam-templates.html):
  `.sync` Glue jobs start, poll GetJobRun/GetJobRuns and stop with BatchStopJobRun
  (https://docs.aws.amazon.com/step-functions/latest/dg/glue-iam.html).
  A parameter that reads a workflow variable (`{% $layer.crawler %}`) takes every value the
  definition assigns to it as a literal (one shared block entered for several crawlers calls
  each of them); one computed at run time otherwise (JSONPath `.$` or JSONata `{% %}`) becomes a
  representative value (PROBE), so the ARN still has the shape the policy must allow. A Map over
  a literal `Items` list binds its first state's `{% $states.input.<field> %}` to each item.
- Lambda functions and Glue jobs: the calls their code makes, declared next to the code in
  `iam_calls.json` as templates over the environment variables / job arguments Terraform passes
  (the e2e suite checks that every call the emulator saw the code make is declared there).

Used by tests/unit/test_pipeline_iam.py, tests/e2e and tools/verify.py (`make verify`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

REPO_ROOT = Path(__file__).resolve().parents[1]
PROBE = "verify-probe"


@dataclass(frozen=True)
class Call:
    """One IAM-authorised request: action, resource ARN and request context keys."""

    action: str
    resource: str
    context: tuple[tuple[str, str], ...] = field(default=())


class UnmappedTask(AssertionError):
    """A Task whose IAM calls are not known: extend the mapping with AWS's documented one."""


def _is_dynamic(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("{%")


class _WholeExpression(dict):  # type: ignore[type-arg]
    """Arguments built by one JSONata expression: every parameter is known only at run time."""


_VARIABLE_PATH = re.compile(r"^\{%\s*\$([A-Za-z_][A-Za-z0-9_]*)((?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*%\}$")


def _has_expression(value: Any) -> bool:
    if isinstance(value, Mapping):
        return any(_has_expression(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_expression(v) for v in value)
    return _is_dynamic(value) or (isinstance(value, str) and value.startswith("$"))


def _assigns(level: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Every Assign block of a state list and its nested state lists (states, Catches, Choice rules)."""
    found = []
    for state in level["States"].values():
        ways = [state, *state.get("Catch", []), *state.get("Choices", [])]
        found += [way["Assign"] for way in ways if isinstance(way.get("Assign"), Mapping)]
        for nested in [*state.get("Branches", []), state.get("ItemProcessor"), state.get("Iterator")]:
            if nested:
                found += _assigns(nested)
    return found


def assigned_literals(definition: Mapping[str, Any], variable: str) -> list[Any]:
    """Every value the definition assigns to `variable`, all literal (rendered placeholders);
    raises when one is computed at run time: then its values are not known before a run."""
    values = [assign[variable] for assign in _assigns(definition) if variable in assign]
    if not values or any(_has_expression(v) for v in values):
        raise UnmappedTask(f"${variable} is not always assigned a literal value")
    return values


def _variable_values(definition: Mapping[str, Any], expression: str) -> list[Any] | None:
    """The values of a `{% $name.field... %}` parameter, or None for any other expression."""
    match = _VARIABLE_PATH.match(expression)
    if not match or match[1] == "states":
        return None
    values = []
    for assigned in assigned_literals(definition, match[1]):
        value = assigned
        for key in filter(None, match[2].split(".")):
            if not isinstance(value, Mapping) or key not in value:
                raise UnmappedTask(f"{expression}: a value assigned to ${match[1]} has no {key}")
            value = value[key]
        values.append(value)
    return values


def _param(params: Mapping[str, Any], key: str, state: str, dynamic_ok: bool = False) -> Any:
    if isinstance(params, _WholeExpression) and dynamic_ok:
        return PROBE
    if key in params and not _is_dynamic(params[key]):
        return params[key]
    if dynamic_ok and (f"{key}.$" in params or _is_dynamic(params.get(key))):
        return PROBE
    raise UnmappedTask(f"{state}: {key} must be a static parameter so its ARN is known")


def _param_values(
    params: Mapping[str, Any], key: str, state: str, definition: Mapping[str, Any]
) -> list[Any]:
    """A parameter that must be known before a run: its literal, or each literal assigned to the
    variable it reads."""
    value = params.get(key)
    if _is_dynamic(value) and not isinstance(params, _WholeExpression):
        values = _variable_values(definition, value)
        if values is not None:
            return values
    return [_param(params, key, state)]


# The request parameter naming the session, per Glue session or statement API.
_SESSION_ID_PARAM = {
    "getSession": "Id",
    "stopSession": "Id",
    "runStatement": "SessionId",
    "getStatement": "SessionId",
    "listStatements": "SessionId",
    "cancelStatement": "SessionId",
}


def _glue_sdk_calls(
    api: str, params: Mapping[str, Any], state: str, glue: str, definition: Mapping[str, Any]
) -> list[Call]:
    action = "glue:" + api[0].upper() + api[1:]
    if api in ("startCrawler", "getCrawler"):
        return [Call(action, f"{glue}:crawler/{n}") for n in _param_values(params, "Name", state, definition)]
    if api == "getTables":
        return [
            Call(action, r)
            for db in _param_values(params, "DatabaseName", state, definition)
            for r in (f"{glue}:catalog", f"{glue}:database/{db}", f"{glue}:table/{db}/*")
        ]
    if api == "startDataQualityRulesetEvaluationRun":
        names = _param(params, "RulesetNames", state)
        calls = [Call(action, f"{glue}:dataQualityRuleset/{n}") for n in names]
        role = _param(params, "Role", state)
        return [*calls, Call("iam:PassRole", role, (("iam:PassedToService", "glue.amazonaws.com"),))]
    if api in ("getDataQualityRulesetEvaluationRun", "getDataQualityResult", "listSessions"):
        return [Call(action, "*")]  # id-only reads: IAM offers no resource type
    if api in _SESSION_ID_PARAM:
        # Session and statement calls authorise on the session (Service Authorization Reference, AWS Glue).
        session = _param(params, _SESSION_ID_PARAM[api], state, dynamic_ok=True)
        return [Call(action, f"{glue}:session/{session}")]
    if api == "getTags":
        arn = _param(params, "ResourceArn", state, dynamic_ok=True)
        return [Call(action, arn if arn != PROBE else f"{glue}:session/{PROBE}")]
    raise UnmappedTask(f"{state}: no IAM mapping for glue:{api}; extend iam_calls with AWS's documented one")


def task_calls(
    state_name: str, state: Mapping[str, Any], glue: str, definition: Mapping[str, Any] | None = None
) -> list[Call]:
    definition = definition or {"States": {}}
    resource: str = state["Resource"]
    params = state.get("Parameters") or state.get("Arguments") or {}
    if isinstance(params, str):  # a JSONata expression builds the whole argument object
        params = _WholeExpression()
    if resource == "arn:aws:states:::lambda:invoke":
        return [Call("lambda:InvokeFunction", _param(params, "FunctionName", state_name))]
    if resource == "arn:aws:states:::glue:startJobRun.sync":
        job = f"{glue}:job/{_param(params, 'JobName', state_name)}"
        actions = ("glue:StartJobRun", "glue:GetJobRun", "glue:GetJobRuns", "glue:BatchStopJobRun")
        return [Call(a, job) for a in actions]
    if resource == "arn:aws:states:::sns:publish":
        return [Call("sns:Publish", _param(params, "TopicArn", state_name))]
    if resource == "arn:aws:states:::states:startExecution":
        return [Call("states:StartExecution", _param(params, "StateMachineArn", state_name))]
    if resource == "arn:aws:states:::events:putEvents":
        # One events:PutEvents per entry's bus, in the state machine's region (default bus when unnamed).
        _, _, _, region, account = glue.split(":")[:5]
        entries = params.get("Entries") if isinstance(params, Mapping) else None
        if not isinstance(entries, list):
            raise UnmappedTask(f"{state_name}: Entries must be a static list so each bus is known")
        buses = {str(e.get("EventBusName") or "default") for e in entries}
        return [
            Call(
                "events:PutEvents",
                b if b.startswith("arn:") else f"arn:aws:events:{region}:{account}:event-bus/{b}",
            )
            for b in sorted(buses)
        ]
    if resource.startswith("arn:aws:states:::aws-sdk:glue:"):
        return _glue_sdk_calls(resource.rsplit(":", 1)[1], params, state_name, glue, definition)
    raise UnmappedTask(f"{state_name}: no IAM mapping for {resource}")


def _static_items(states: Mapping[str, Any], map_state: Mapping[str, Any]) -> list[Any] | None:
    """A Map's items when they are the definition's own list: a literal JSONata `Items` (rendered
    by Terraform), or for JSONPath a Pass state of the same level writing a static Result to the
    Map's ItemsPath; None otherwise."""
    if isinstance(map_state.get("Items"), list):
        return map_state["Items"]
    items_path = map_state.get("ItemsPath")
    for state in states.values():
        if state.get("Type") == "Pass" and state.get("ResultPath") == items_path and "Result" in state:
            result = state["Result"]
            return result if isinstance(result, list) else None
    return None


_ITEM_FIELD = re.compile(r"^\{%\s*\$states\.input\.([A-Za-z_][A-Za-z0-9_]*)\s*%\}$")


def _bind_item(state: Mapping[str, Any], item: Mapping[str, Any], first: bool) -> Mapping[str, Any]:
    """The Task with every parameter read from the Map item taken from one static item, so the
    calls each iteration makes are known (a field the item lacks stays dynamic): JSONPath
    `"<key>.$": "$.<field>"`, or JSONata `{% $states.input.<field> %}` in the iteration's first
    state (the only one whose input is the item)."""

    def bind(value: Any) -> Any:
        if not isinstance(value, Mapping):
            return value
        bound: dict[str, Any] = {}
        for key, inner in value.items():
            field = inner[2:] if isinstance(inner, str) and inner.startswith("$.") else None
            jsonata = _ITEM_FIELD.match(inner) if first and isinstance(inner, str) else None
            if key.endswith(".$") and field in item:
                bound[key[:-2]] = item[field]
            elif jsonata and jsonata[1] in item:
                bound[key] = item[jsonata[1]]
            else:
                bound[key] = bind(inner)
        return bound

    key = "Arguments" if "Arguments" in state else "Parameters"
    return {**state, key: bind(state.get(key) or {})}


def _states(definition: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    found = []
    for name, state in definition["States"].items():
        found.append((name, state))
        for branch in state.get("Branches", []):
            found += _states(branch)
        for key in ("Iterator", "ItemProcessor"):
            if key in state:
                inner = _states(state[key])
                items = _static_items(definition["States"], state)
                if items is None:
                    found += inner
                    continue
                start = state[key]["StartAt"]
                for item in items:
                    bindable = isinstance(item, Mapping)
                    found += [
                        (n, _bind_item(s, item, n == start) if s["Type"] == "Task" and bindable else s)
                        for n, s in inner
                    ]
    return found


def derive_calls(definition: Mapping[str, Any], region: str, account: str) -> set[Call]:
    """Every call the definition's Task states make with the state machine's role."""
    glue = f"arn:aws:glue:{region}:{account}"
    calls: set[Call] = set()
    for name, state in _states(definition):
        if state["Type"] == "Task":
            calls.update(task_calls(name, state, glue, definition))
    return calls


# ---------------------------------------------------------------------------------------------
# Code manifests (Lambda handlers, Glue job scripts)
# ---------------------------------------------------------------------------------------------
_PLACEHOLDER = re.compile(r"\{([a-z]+):([^}]+)\}")


def manifest_calls(manifest: Path, values: Mapping[str, Mapping[str, str]]) -> list[Call]:
    """Fill a code manifest: `{env:NAME}` (Lambda environment), `{arg:--name}` (job argument),
    `{aws:region}` / `{aws:account}`. A missing value is an error: the manifest and the
    deployment disagree. An entry with `"when": "kind:NAME"` is a call the code makes only when
    that value is set and not empty (a generic function configured per deployment: a source
    without credentials never reads a secret); otherwise it is left out."""
    calls = []
    for entry in json.loads(manifest.read_text())["calls"]:
        if "when" in entry:
            kind, _, name = str(entry["when"]).partition(":")
            if not values.get(kind, {}).get(name):
                continue

        def fill(text: str) -> str:
            def one(match: re.Match[str]) -> str:
                kind, name = match.groups()
                if name not in values.get(kind, {}):
                    raise KeyError(f"{manifest}: {kind}:{name} is not set on the deployed resource")
                return values[kind][name]

            return _PLACEHOLDER.sub(one, text)

        context = tuple(sorted((k, fill(v)) for k, v in entry.get("context", {}).items()))
        calls.append(Call(entry["action"], fill(entry["resource"]), context))
    return calls
