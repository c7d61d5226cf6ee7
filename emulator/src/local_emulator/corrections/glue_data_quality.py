"""Glue Data Quality: rulesets stored, evaluation runs progressing and evaluating DQDL rules.

AWS behaviour (https://docs.aws.amazon.com/glue/latest/webapi/API_CreateDataQualityRuleset.html,
API_StartDataQualityRulesetEvaluationRun.html, API_GetDataQualityRulesetEvaluationRun.html,
API_GetDataQualityResult.html; DQDL: https://docs.aws.amazon.com/glue/latest/dg/dqdl.html):
- rulesets are named DQDL documents (`Rules = [ RowCount > 0, IsComplete "id" ]`) with optional
  TargetTable and Tags; duplicate names -> AlreadyExistsException, unknown -> EntityNotFoundException;
- an evaluation run goes STARTING -> RUNNING -> SUCCEEDED (or FAILED with ErrorString) and produces
  one result per ruleset: a Score (passed / total) and a PASS/FAIL RuleResult per rule. A run
  SUCCEEDS even when rules FAIL; only the run itself failing makes it FAILED.

moto 5.2.1 implements none of these (HTTP 500), so aws_glue_data_quality_ruleset cannot be applied.

The emulator evaluates a subset of DQDL against the table's files in the emulator's S3 (Parquet,
CSV, JSON lines): RowCount, ColumnCount, ColumnExists, IsComplete, IsUnique, IsPrimaryKey,
Completeness, Uniqueness, ColumnValues (comparisons with numbers, strings, dates and `now()`,
exclusive `between`, `not between`, `in [...]` / `not in [...]` with NULL; null rows fail as in
AWS) and ReferentialIntegrity against the run's AdditionalDataSources. A ruleset with any
other rule type makes the run FAILED with an ErrorString naming the unsupported rules: never a
silent PASS. Column names resolve case-insensitively, as in Spark (`IsComplete "ID"` checks a
column `id`). Run duration: `glue_data_quality.seconds` (default 1 s).
"""

from __future__ import annotations

import datetime
import io
import operator
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.json as pa_json
import pyarrow.parquet as pq
from moto.core.responses import ActionResult, EmptyResult
from moto.core.utils import utcnow
from moto.glue.exceptions import AlreadyExistsException, EntityNotFoundException, InvalidInputException
from moto.s3.models import s3_backends

from local_emulator import runtime
from local_emulator.iam import services as iam_services
from local_emulator.patching import add_method, target


@dataclass
class Ruleset:
    name: str
    ruleset: str
    description: Optional[str]
    target_table: Optional[dict[str, Any]]
    created_on: Any
    last_modified_on: Any


@dataclass
class EvaluationRun:
    run_id: str
    request: dict[str, Any]
    started: float
    started_on: Any
    seconds: float
    error: Optional[str]
    result_ids: list[str] = field(default_factory=list)

    def status(self) -> str:
        elapsed = time.monotonic() - self.started
        if elapsed < min(0.25, self.seconds / 4):
            return "STARTING"
        if elapsed < self.seconds:
            return "RUNNING"
        return "FAILED" if self.error else "SUCCEEDED"


def _store(backend: Any) -> dict[str, Any]:
    if not hasattr(backend, "_emu_dq"):
        backend._emu_dq = {"rulesets": {}, "runs": {}, "results": {}}
    return backend._emu_dq


# ---- DQDL ----------------------------------------------------------------------------------------
# Expressions as the DQDL reference defines them (https://docs.aws.amazon.com/glue/latest/dg/dqdl.html,
# "Expressions"): comparisons with numbers, quoted strings or dates, and `(now() - 3 days)`;
# `between x and y` is EXCLUSIVE, `not between x and y` is true outside the inclusive range;
# `in [...]` / `not in [...]` may list NULL. For ColumnValues, "NULL rows will fail the rule" except
# under `!=` and `not in` (ColumnValues rule type reference, "Null behavior").

_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "==": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}
_OPERAND = (
    r'(?:-?\d+(?:\.\d+)?|"[^"]*"|\(\s*now\(\)\s*(?:[-+]\s*\d+\s*(?:days?|hours?|minutes?)\s*)?\)|now\(\))'
)
_CONDITION = re.compile(
    rf"^(?:(?P<op>==|=|!=|>=|<=|>|<)\s*(?P<value>{_OPERAND})"
    rf"|(?P<negate_range>not\s+)?between\s+(?P<low>{_OPERAND})\s+and\s+(?P<high>{_OPERAND})"
    r"|(?P<negate_set>not\s+)?in\s*\[(?P<items>.*)\])$",
    re.IGNORECASE,
)
_NOW = re.compile(
    r"^\(?\s*now\(\)\s*(?:(?P<sign>[-+])\s*(?P<amount>\d+)\s*(?P<unit>day|hour|minute)s?\s*)?\)?$", re.I
)
_RULE = re.compile(r'^(?P<type>[A-Za-z]+)\s*(?:"(?P<column>[^"]+)")?\s*(?P<condition>.*)$', re.DOTALL)
# ReferentialIntegrity "<primary cols>" "<alias>.<col>" or "<alias>.{<cols>}" <expression>
_REFERENTIAL = re.compile(
    r'^ReferentialIntegrity\s+"(?P<primary>[^"]+)"\s+"(?P<reference>[^"]+)"\s*(?P<condition>.*)$'
)
SUPPORTED = {
    "RowCount",
    "ColumnCount",
    "ColumnExists",
    "IsComplete",
    "IsUnique",
    "IsPrimaryKey",
    "Completeness",
    "Uniqueness",
    "ColumnValues",
    "ReferentialIntegrity",
}


def split_rules(document: str) -> list[str]:
    """`Rules = [ a, b "x,y", c in [1,2] ]` -> ['a', 'b "x,y"', 'c in [1,2]']."""
    match = re.search(r"Rules\s*=\s*\[(?P<body>.*)\]\s*$", document.strip(), re.DOTALL)
    if not match:
        raise ValueError("DQDL document must be `Rules = [ ... ]`")
    rules, depth, quoted, current = [], 0, False, []
    for char in match.group("body"):
        if char == '"':
            quoted = not quoted
        elif not quoted and char == "[":
            depth += 1
        elif not quoted and char == "]":
            depth -= 1
        if char == "," and depth == 0 and not quoted:
            rules.append("".join(current).strip())
            current = []
            continue
        current.append(char)
    if "".join(current).strip():
        rules.append("".join(current).strip())
    return rules


def _operand(text: str, now: pd.Timestamp) -> Any:
    """A DQDL operand: a number, a quoted string (a date when it parses as one), or now() +- N units."""
    text = text.strip()
    moment = _NOW.match(text)
    if moment:
        if not moment.group("sign"):
            return now
        delta = pd.Timedelta(**{f"{moment.group('unit').lower()}s": int(moment.group("amount"))})
        return now - delta if moment.group("sign") == "-" else now + delta
    if text.startswith('"'):
        return text[1:-1]
    return float(text)


def _comparable(value: Any, operand: Any) -> tuple[Any, Any]:
    """Compare dates as dates (a timestamp column against now() or "2022-06-30"), else as given."""
    if isinstance(value, (pd.Timestamp, datetime.datetime, datetime.date)) or isinstance(
        operand, pd.Timestamp
    ):
        left, right = pd.Timestamp(value), pd.Timestamp(operand)
        if (left.tzinfo is None) != (right.tzinfo is None):
            # Glue reads timestamps in UTC; a zone-less side is UTC too.
            left = left.tz_localize("UTC") if left.tzinfo is None else left
            right = right.tz_localize("UTC") if right.tzinfo is None else right
        return left, right
    return value, operand


def _items(text: str, now: pd.Timestamp) -> tuple[list[Any], bool]:
    """Values of an `in [...]` list, and whether it lists NULL."""
    values, has_null = [], False
    for item in re.findall(r'"[^"]*"|[^,\s]+', text):
        if item.upper() == "NULL":
            has_null = True
        elif item.upper() in ("EMPTY", "WHITESPACES_ONLY"):
            values.append("" if item.upper() == "EMPTY" else item.upper())
        else:
            values.append(_operand(item, now))
    return values, has_null


def _check(condition: str, value: Any, now: Optional[pd.Timestamp] = None) -> bool:
    """Whether one value satisfies a DQDL expression (nulls are handled by the caller)."""
    match = _CONDITION.match(condition.strip())
    if not match:
        raise ValueError(f"unsupported condition {condition!r}")
    now = now if now is not None else pd.Timestamp.now(tz="UTC")
    if match.group("op"):
        left, right = _comparable(value, _operand(match.group("value"), now))
        return bool(_OPS[match.group("op")](left, right))
    if match.group("low") is not None:
        low, high = _operand(match.group("low"), now), _operand(match.group("high"), now)
        left, low = _comparable(value, low)
        left, high = _comparable(value, high)
        if match.group("negate_range"):
            return bool(left < low or left > high)
        return bool(low < left < high)
    allowed, _null = _items(match.group("items"), now)
    inside = any(
        item == value or (isinstance(item, float) and _is_number(value) and float(value) == item)
        for item in allowed
    )
    return not inside if match.group("negate_set") else inside


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _column_values(condition: str, series: pd.Series, now: pd.Timestamp) -> tuple[bool, str]:
    """ColumnValues: every row satisfies the expression; null rows fail except under != / not in."""
    match = _CONDITION.match(condition.strip())
    if not match:
        raise ValueError(f"unsupported condition {condition!r}")
    nulls_pass = match.group("op") == "!=" or bool(match.group("negate_set"))
    if match.group("items") is not None and _items(match.group("items"), now)[1]:
        nulls_pass = not match.group("negate_set")
    nulls = int(series.isna().sum())
    if nulls and not nulls_pass:
        return False, f"Value: NULL does not meet the constraint requirement! ({nulls} row(s))"
    failing = [v for v in series.dropna().tolist() if not _check(condition, v, now)]
    if failing:
        return False, f"{len(failing)} row(s) do not meet the constraint, e.g. {failing[:3]}"
    return True, "Value check on every row"


def referential_integrity(
    rule: str, frame: pd.DataFrame, references: dict[str, pd.DataFrame]
) -> tuple[bool, str]:
    """Share of the primary rows whose column values appear in the reference dataset's columns."""
    match = _REFERENTIAL.match(rule.strip())
    if not match:
        raise ValueError('ReferentialIntegrity needs "<columns>" "<alias>.<columns>" <expression>')
    alias, _, wanted = match.group("reference").partition(".")
    if alias not in references:
        raise ValueError(f"reference dataset {alias!r} is not among the run's AdditionalDataSources")
    primary = [c.strip() for c in match.group("primary").split(",")]
    referenced = [c.strip() for c in wanted.strip("{}").split(",")]
    reference = references[alias]
    for name, columns, data in (("primary", primary, frame), (alias, referenced, reference)):
        missing = [c for c in columns if _resolve(c, data) is None]
        if missing:
            return False, f"Column(s) {missing} do not exist in {name}"
    left = frame[[_resolve(c, frame) for c in primary]]
    right = reference[[_resolve(c, reference) for c in referenced]].drop_duplicates()
    right.columns = left.columns
    if left.empty:
        return _check(match.group("condition"), 1.0), "Value: 1.0"
    found = left.merge(right, how="left", indicator=True)["_merge"].eq("both")
    ratio = float(found.mean())
    return _check(match.group("condition"), ratio), f"Value: {ratio:.4f}"


def _resolve(column: str, frame: pd.DataFrame) -> Optional[str]:
    """A frame's column by name, case-insensitively as Spark (spark.sql.caseSensitive=false) does."""
    if column in frame.columns:
        return column
    same = [c for c in frame.columns if str(c).lower() == column.lower()]
    return same[0] if len(same) == 1 else None


def evaluate_rule(
    rule: str,
    frame: pd.DataFrame,
    references: Optional[dict[str, pd.DataFrame]] = None,
    now: Optional[pd.Timestamp] = None,
) -> tuple[bool, str]:
    """Evaluate one supported DQDL rule; return (passed, message)."""
    parsed = _RULE.match(rule.strip())
    assert parsed is not None
    kind, column, condition = parsed.group("type"), parsed.group("column"), parsed.group("condition")
    now = now if now is not None else pd.Timestamp.now(tz="UTC")
    if kind == "RowCount":
        return _check(condition, len(frame), now), f"Value: {len(frame)}"
    if kind == "ColumnCount":
        return _check(condition, len(frame.columns), now), f"Value: {len(frame.columns)}"
    if kind == "ReferentialIntegrity":
        return referential_integrity(rule, frame, references or {})
    resolved = _resolve(column, frame)
    if resolved is None:
        return False, f"Column {column} does not exist"
    series = frame[resolved]
    checks: dict[str, Callable[[], tuple[bool, str]]] = {
        "ColumnExists": lambda: (True, ""),
        "IsComplete": lambda: (bool(series.notna().all()), f"Completeness: {series.notna().mean():.4f}"),
        "IsUnique": lambda: (
            bool(series.is_unique),
            f"Uniqueness: {series.nunique() / max(len(series), 1):.4f}",
        ),
        "IsPrimaryKey": lambda: (bool(series.notna().all() and series.is_unique), "Primary key check"),
        "Completeness": lambda: (_check(condition, float(series.notna().mean()), now), "Completeness check"),
        "Uniqueness": lambda: (
            _check(condition, series.nunique() / max(len(series), 1), now),
            "Uniqueness check",
        ),
        "ColumnValues": lambda: _column_values(condition, series, now),
    }
    return checks[kind]()


def _read_objects(location: str, account: str) -> pd.DataFrame:
    bucket_name, _, prefix = location.removeprefix("s3://").partition("/")
    bucket = s3_backends[account]["aws"].get_bucket(bucket_name)
    tables = []
    for name, key in bucket.keys.items():
        if not name.startswith(prefix) or not hasattr(key, "value") or name.endswith("/"):
            continue
        data = io.BytesIO(key.value)
        if name.endswith(".parquet") or key.value[:4] == b"PAR1":
            tables.append(pq.read_table(data))
        elif name.endswith(".csv"):
            tables.append(pa_csv.read_csv(data))
        elif name.endswith((".json", ".jsonl")):
            tables.append(pa_json.read_json(data))
    if not tables:
        return pd.DataFrame()
    return pa.concat_tables(tables, promote_options="default").to_pandas()


def _table_frame(backend: Any, run: EvaluationRun, rulesets: list[str], data_source: dict) -> pd.DataFrame:
    source = data_source.get("GlueTable") or {}
    table = backend.get_table(source["DatabaseName"], source["TableName"])
    location = table.as_dict()["StorageDescriptor"]["Location"]
    # The run reads the table and its data as the role it was started with.
    denial = iam_services.quality_denial(
        str(run.request.get("Role") or ""), source["DatabaseName"], source["TableName"], location, rulesets
    )
    if denial is not None:
        raise PermissionError(denial)
    return _read_objects(location, backend.account_id)


def _evaluate(backend: Any, run: EvaluationRun, rulesets: list[Ruleset]) -> None:
    rules = {r.name: split_rules(r.ruleset) for r in rulesets}
    unsupported = [
        rule
        for rule_list in rules.values()
        for rule in rule_list
        if (_RULE.match(rule.strip()) or _RULE.match("?")).group("type") not in SUPPORTED
    ]
    if unsupported:
        run.error = (
            "Emulator cannot evaluate these DQDL rules (supported types: "
            f"{', '.join(sorted(SUPPORTED))}): {'; '.join(unsupported)}"
        )
        return
    try:
        names = [r.name for r in rulesets]
        frame = _table_frame(backend, run, names, run.request["DataSource"])
        # Reference datasets (ReferentialIntegrity's "<alias>.<column>") are the run's
        # AdditionalDataSources, read with the same role as the primary one.
        references = {
            alias: _table_frame(backend, run, names, source)
            for alias, source in (run.request.get("AdditionalDataSources") or {}).items()
        }
    except Exception as exc:
        run.error = f"Emulator could not read the data source: {exc}"
        return
    for name, rule_list in rules.items():
        results = []
        for rule in rule_list:
            try:
                passed, message = evaluate_rule(rule, frame, references)
            except ValueError as exc:
                run.error = f"Rule {rule!r}: {exc}"
                return
            entry = {
                "Name": f"Rule_{len(results) + 1}",
                "Description": rule,
                "Result": "PASS" if passed else "FAIL",
            }
            if not passed:
                entry["EvaluationMessage"] = message
            results.append(entry)
        result_id = f"dqresult-{uuid.uuid4().hex}"
        passed_count = sum(r["Result"] == "PASS" for r in results)
        _store(backend)["results"][result_id] = {
            "ResultId": result_id,
            "Score": passed_count / len(results) if results else 1.0,
            "DataSource": run.request["DataSource"],
            "RulesetName": name,
            "StartedOn": run.started_on,
            "CompletedOn": utcnow(),
            "RulesetEvaluationRunId": run.run_id,
            "RuleResults": results,
        }
        run.result_ids.append(result_id)


# ---- API -------------------------------------------------------------------------------------


def _ruleset_arn(self: Any, name: str) -> str:
    return f"arn:aws:glue:{self.region}:{self.current_account}:dataQualityRuleset/{name}"


def _get_ruleset(self: Any, name: str) -> Ruleset:
    ruleset = _store(self.glue_backend)["rulesets"].get(name)
    if ruleset is None:
        raise EntityNotFoundException(
            f"Cannot find Data Quality Ruleset in account {self.current_account}: {name}"
        )
    return ruleset


def create_data_quality_ruleset(self: Any) -> ActionResult:
    params = self.parameters
    rulesets = _store(self.glue_backend)["rulesets"]
    name = params["Name"]
    if name in rulesets:
        raise AlreadyExistsException("Data Quality Ruleset")
    try:
        split_rules(params["Ruleset"])
    except ValueError as exc:
        raise InvalidInputException("CreateDataQualityRuleset", str(exc)) from exc
    now = utcnow()
    rulesets[name] = Ruleset(
        name, params["Ruleset"], params.get("Description"), params.get("TargetTable"), now, now
    )
    self.glue_backend.tag_resource(_ruleset_arn(self, name), params.get("Tags") or {})
    return ActionResult({"Name": name})


def get_data_quality_ruleset(self: Any) -> ActionResult:
    ruleset = _get_ruleset(self, self.parameters["Name"])
    body = {
        "Name": ruleset.name,
        "Description": ruleset.description,
        "Ruleset": ruleset.ruleset,
        "TargetTable": ruleset.target_table,
        "CreatedOn": ruleset.created_on,
        "LastModifiedOn": ruleset.last_modified_on,
    }
    return ActionResult({k: v for k, v in body.items() if v is not None})


def update_data_quality_ruleset(self: Any) -> ActionResult:
    ruleset = _get_ruleset(self, self.parameters["Name"])
    if self.parameters.get("Ruleset") is not None:
        split_rules(self.parameters["Ruleset"])
        ruleset.ruleset = self.parameters["Ruleset"]
    if self.parameters.get("Description") is not None:
        ruleset.description = self.parameters["Description"]
    ruleset.last_modified_on = utcnow()
    return ActionResult(
        {"Name": ruleset.name, "Description": ruleset.description, "Ruleset": ruleset.ruleset}
    )


def delete_data_quality_ruleset(self: Any) -> EmptyResult:
    ruleset = _get_ruleset(self, self.parameters["Name"])
    del _store(self.glue_backend)["rulesets"][ruleset.name]
    return EmptyResult()


def list_data_quality_rulesets(self: Any) -> ActionResult:
    rulesets = sorted(_store(self.glue_backend)["rulesets"].values(), key=lambda r: r.name)
    start = int(self.parameters.get("NextToken") or 0)
    size = int(self.parameters.get("MaxResults") or 100)
    page = rulesets[start : start + size]
    body: dict[str, Any] = {
        "Rulesets": [
            {
                "Name": r.name,
                "CreatedOn": r.created_on,
                "LastModifiedOn": r.last_modified_on,
                "RuleCount": len(split_rules(r.ruleset)),
                **({"Description": r.description} if r.description else {}),
                **({"TargetTable": r.target_table} if r.target_table else {}),
            }
            for r in page
        ]
    }
    if start + size < len(rulesets):
        body["NextToken"] = str(start + size)
    return ActionResult(body)


def start_data_quality_ruleset_evaluation_run(self: Any) -> ActionResult:
    params = self.parameters
    rulesets = [_get_ruleset(self, name) for name in params["RulesetNames"]]
    run = EvaluationRun(
        run_id=f"dqrun-{uuid.uuid4().hex}",
        request={
            k: params[k]
            for k in (
                "DataSource",
                "AdditionalDataSources",
                "Role",
                "RulesetNames",
                "NumberOfWorkers",
                "Timeout",
            )
            if k in params
        },
        started=time.monotonic(),
        started_on=utcnow(),
        seconds=float(runtime.settings.get("glue_data_quality", "seconds")),
        error=None,
    )
    _evaluate(self.glue_backend, run, rulesets)
    _store(self.glue_backend)["runs"][run.run_id] = run
    return ActionResult({"RunId": run.run_id})


def get_data_quality_ruleset_evaluation_run(self: Any) -> ActionResult:
    run = _store(self.glue_backend)["runs"].get(self.parameters["RunId"])
    if run is None:
        raise EntityNotFoundException(
            f"Cannot find Data Quality Ruleset Evaluation Run: {self.parameters['RunId']}"
        )
    status = run.status()
    body: dict[str, Any] = {"RunId": run.run_id, "Status": status, "StartedOn": run.started_on, **run.request}
    if status in ("SUCCEEDED", "FAILED"):
        body["ExecutionTime"] = int(run.seconds)
        body["CompletedOn"] = run.started_on
    if status == "SUCCEEDED":
        body["ResultIds"] = run.result_ids
    if status == "FAILED":
        body["ErrorString"] = run.error
    return ActionResult(body)


def get_data_quality_result(self: Any) -> ActionResult:
    result = _store(self.glue_backend)["results"].get(self.parameters["ResultId"])
    if result is None:
        raise EntityNotFoundException(f"Cannot find Data Quality Result: {self.parameters['ResultId']}")
    return ActionResult(result)


def apply() -> None:
    module = "moto.glue.responses"
    target(module, "GlueResponse.glue_backend")
    for func in (
        create_data_quality_ruleset,
        get_data_quality_ruleset,
        update_data_quality_ruleset,
        delete_data_quality_ruleset,
        list_data_quality_rulesets,
        start_data_quality_ruleset_evaluation_run,
        get_data_quality_ruleset_evaluation_run,
        get_data_quality_result,
    ):
        add_method(module, "GlueResponse", func.__name__, func)
