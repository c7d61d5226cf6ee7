"""The IAM calls a deployed principal makes, derived from what it runs.

- State machines: every Task state maps to the calls Step Functions makes for it with the
  state machine's role (AWS "IAM policies for integrated services",
  https://docs.aws.amazon.com/step-functions/latest/dg/service-integration-iam-templates.html):
  `.sync` Glue jobs start, poll GetJobRun/GetJobRuns and stop with BatchStopJobRun
  (https://docs.aws.amazon.com/step-functions/latest/dg/glue-iam.html).
  A parameter computed at run time (JSONPath `.$` or JSONata `{% %}`) becomes a representative
  value (PROBE), so the ARN still has the shape the policy must allow.
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


def _param(params: Mapping[str, Any], key: str, state: str, dynamic_ok: bool = False) -> Any:
    if isinstance(params, _WholeExpression) and dynamic_ok:
        return PROBE
    if key in params and not _is_dynamic(params[key]):
        return params[key]
    if dynamic_ok and (f"{key}.$" in params or _is_dynamic(params.get(key))):
        return PROBE
    raise UnmappedTask(f"{state}: {key} must be a static parameter so its ARN is known")


# The request parameter naming the session, per Glue session or statement API.
_SESSION_ID_PARAM = {
    "getSession": "Id",
    "stopSession": "Id",
    "runStatement": "SessionId",
    "getStatement": "SessionId",
    "listStatements": "SessionId",
    "cancelStatement": "SessionId",
}


def _glue_sdk_calls(api: str, params: Mapping[str, Any], state: str, glue: str) -> list[Call]:
    action = "glue:" + api[0].upper() + api[1:]
    if api in ("startCrawler", "getCrawler"):
        return [Call(action, f"{glue}:crawler/{_param(params, 'Name', state)}")]
    if api == "getTables":
        db = _param(params, "DatabaseName", state)
        return [Call(action, r) for r in (f"{glue}:catalog", f"{glue}:database/{db}", f"{glue}:table/{db}/*")]
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


def task_calls(state_name: str, state: Mapping[str, Any], glue: str) -> list[Call]:
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
        return _glue_sdk_calls(resource.rsplit(":", 1)[1], params, state_name, glue)
    raise UnmappedTask(f"{state_name}: no IAM mapping for {resource}")


def _static_items(states: Mapping[str, Any], map_state: Mapping[str, Any]) -> list[Any] | None:
    """A JSONPath Map's items when a Pass state of the same level writes them as a static Result
    to the Map's ItemsPath (the definition's own list, rendered by Terraform); None otherwise."""
    items_path = map_state.get("ItemsPath")
    for state in states.values():
        if state.get("Type") == "Pass" and state.get("ResultPath") == items_path and "Result" in state:
            result = state["Result"]
            return result if isinstance(result, list) else None
    return None


def _bind_item(state: Mapping[str, Any], item: Mapping[str, Any]) -> Mapping[str, Any]:
    """The Task with every `"<key>.$": "$.<field>"` parameter taken from one static Map item, so
    the calls each iteration makes are known (a field the item lacks stays dynamic)."""

    def bind(value: Any) -> Any:
        if not isinstance(value, Mapping):
            return value
        bound: dict[str, Any] = {}
        for key, inner in value.items():
            field = inner[2:] if isinstance(inner, str) and inner.startswith("$.") else None
            if key.endswith(".$") and field in item:
                bound[key[:-2]] = item[field]
            else:
                bound[key] = bind(inner)
        return bound

    return {**state, "Parameters": bind(state.get("Parameters") or {})}


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
                for item in items:
                    found += [
                        (n, _bind_item(s, item) if s["Type"] == "Task" and isinstance(item, Mapping) else s)
                        for n, s in inner
                    ]
    return found


def derive_calls(definition: Mapping[str, Any], region: str, account: str) -> set[Call]:
    """Every call the definition's Task states make with the state machine's role."""
    glue = f"arn:aws:glue:{region}:{account}"
    calls: set[Call] = set()
    for name, state in _states(definition):
        if state["Type"] == "Task":
            calls.update(task_calls(name, state, glue))
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
