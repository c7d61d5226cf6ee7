"""One declarative contract per source: its datasets, columns, keys, load mode, silver mapping and
data-quality rules, read from `sources/<source>/contract.json`.

Every engine (raw, bronze, silver, gold) and the Terraform modules read the same file, so a
dataset is declared once. A contract error is raised before any data moves, naming the file and
the field (for example `sources/x/contract.json: datasets.plays.keys[0]: 'id' is not a column`).

Column kinds (what a raw value must be, and what silver stores):
  int           whole number (JSON integer, or a CSV cell holding one)       -> int64
  float         number                                                       -> float64
  decimal       exact number with `precision` and `scale`                     -> decimal128
  bool          true/false                                                    -> bool
  text          string kept as it is                                          -> string
  html          string with HTML entities, decoded in silver                  -> string
  date          "YYYY-MM-DD"                                                  -> date parts
  datetime      "YYYY-MM-DD HH:MM:SS", no zone (as MySQL DATETIME)            -> date parts
  timestamp_tz  ISO-8601 with a zone ("2026-11-17T10:22:22Z", "...+01:00")    -> UTC timestamp
"""

import importlib
import importlib.resources
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

KINDS: Tuple[str, ...] = (
    "int",
    "float",
    "decimal",
    "bool",
    "text",
    "html",
    "date",
    "datetime",
    "timestamp_tz",
)
DATE_KINDS: Tuple[str, ...] = ("date", "datetime")
# A split date column becomes four silver columns: <name>_todate, <name>_year, _month, _day.
DATE_PARTS: Tuple[str, ...] = ("todate", "year", "month", "day")
LOAD_MODES: Tuple[str, ...] = ("snapshot", "incremental")
# The delivery day of a row (raw's ingest_date partition): an incremental dataset without an
# ordering column of its own keeps, per key, the row of the newest delivery.
INGEST_DATE_ORDER = "ingest_date"
RAW_KINDS: Tuple[str, ...] = ("http", "landing")
PAGINATIONS: Tuple[str, ...] = ("wordpress", "next_link", "cursor", "none")
LANDING_FORMATS: Tuple[str, ...] = ("csv", "json", "ndjson")
DUPLICATE_RULES: Tuple[str, ...] = ("drop_exact",)
CONTRACT_FILE = "contract.json"
# Deployed artifacts (Lambda zips, the Glue Spark zip, the Python-shell wheel) carry every contract
# as package data: lakehouse_contracts/<source>.json, written and validated by tools/package.py.
BUNDLE_PACKAGE = "lakehouse_contracts"
# A source's raw hooks (sources/<source>/raw_hooks.py) travel with its contract as
# lakehouse_contracts/<source>_raw_hooks.py (lakehouse_common.raw_http.load_raw_hooks).
RAW_HOOKS_FILE = "raw_hooks.py"
RAW_HOOKS_SUFFIX = "_raw_hooks"
# Runs from a checkout (tests, local tools) may point here at a sources/ folder instead
# (<dir>/<source>/contract.json); deployed artifacts never set it.
SOURCES_DIR_ENV = "LAKEHOUSE_SOURCES_DIR"

_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_COLUMN_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
# DQDL: the quoted names right after a rule type are the columns it reads ("a.b" names column b
# of dataset a, as ReferentialIntegrity's reference does); later quoted strings are values.
_DQDL_RULE_RE = re.compile(r'^\s*(?P<type>[A-Za-z]+)(?P<columns>(\s+"[^"]*")*)')
_DQDL_QUOTED_RE = re.compile(r'"([^"]*)"')


class ContractError(ValueError):
    """A contract that must not be used; the message names the file and the field."""


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    nullable: bool = True
    precision: Optional[int] = None  # decimal only
    scale: Optional[int] = None  # decimal only


@dataclass(frozen=True)
class LoadMode:
    """`snapshot`: each delivery is the whole dataset. `incremental`: deliveries are merged into the
    previous silver by key; per key the row with the greatest `order_by` wins (the newest delivery
    on a tie), and a row whose `delete_marker` column is true removes its key."""

    mode: str = "snapshot"
    order_by: Optional[str] = None
    delete_marker: Optional[str] = None
    # A date column the source's raw fetch window selects on (an incremental fetch asks for rows
    # whose column is on or after a first day). A backfill from day D refetched every row of those
    # days, so previous silver rows from D on that it did not deliver are gone from the source.
    backfill_window: Optional[str] = None


@dataclass(frozen=True)
class RawSpec:
    """Where raw data comes from: an HTTP API (`pagination` says how to get the next page) or
    files teams drop into the landing bucket (`format`). `options` are the pagination's
    settings (for example the cursor's query parameter and response field)."""

    kind: str = "http"
    pagination: Optional[str] = None
    format: Optional[str] = None
    options: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SilverMapping:
    """Bronze -> silver: columns dropped, columns renamed (bronze name -> silver name), and date
    columns split into parts (named by their bronze names). `order` (optional) lists the kept
    columns by silver name in the order silver writes them (a split date expands in place);
    without it silver keeps the bronze order."""

    drop: Tuple[str, ...] = ()
    rename: Mapping[str, str] = field(default_factory=dict)
    split_dates: Tuple[str, ...] = ()
    order: Tuple[str, ...] = ()


@dataclass(frozen=True)
class Dataset:
    name: str
    columns: Tuple[Column, ...]
    keys: Tuple[str, ...]
    duplicates: str = "drop_exact"
    load: LoadMode = LoadMode()
    raw: RawSpec = RawSpec()
    silver: SilverMapping = SilverMapping()
    quality: Tuple[str, ...] = ()

    @property
    def column_names(self) -> Tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"dataset {self.name!r} has no column {name!r}")

    def kept_columns(self) -> Tuple[Column, ...]:
        """The bronze columns silver keeps, in silver order (`silver.order`, else bronze order)."""
        kept = [column for column in self.columns if column.name not in self.silver.drop]
        if not self.silver.order:
            return tuple(kept)
        by_silver_name = {self.silver_name(column.name): column for column in kept}
        return tuple(by_silver_name[name] for name in self.silver.order)

    def silver_name(self, column: str) -> str:
        """The silver name of bronze column `column` (renamed or not; a split date's base name)."""
        return self.silver.rename.get(column, column)

    def silver_columns(self) -> Tuple[str, ...]:
        """Silver column names in order: bronze columns minus drops, renamed, dates split."""
        names: List[str] = []
        for column in self.kept_columns():
            name = self.silver_name(column.name)
            if column.name in self.silver.split_dates:
                names += [f"{name}_{part}" for part in DATE_PARTS]
            else:
                names.append(name)
        return tuple(names)

    def silver_column_of(self, column: str) -> str:
        """The one silver column holding bronze column `column` (a split date: its `_todate`)."""
        name = self.silver_name(column)
        return f"{name}_todate" if column in self.silver.split_dates else name

    def silver_keys(self) -> Tuple[str, ...]:
        return tuple(self.silver.rename.get(key, key) for key in self.keys)


@dataclass(frozen=True)
class Contract:
    source: str
    datasets: Mapping[str, Dataset]
    origin: str = "<contract>"
    description: str = ""

    @property
    def dataset_names(self) -> Tuple[str, ...]:
        return tuple(self.datasets)

    def dataset(self, name: str) -> Dataset:
        if name not in self.datasets:
            raise ContractError(
                f"{self.origin}: unknown dataset {name!r}; the contract declares "
                f"{', '.join(self.datasets) or 'none'}"
            )
        return self.datasets[name]


# ---- parsing (pure) --------------------------------------------------------------------------
class _Reader:
    """Reads one JSON document, raising ContractError at `origin: path: problem`."""

    def __init__(self, origin: str) -> None:
        self.origin = origin

    def fail(self, path: str, problem: str) -> ContractError:
        return ContractError(f"{self.origin}: {path}: {problem}")

    def mapping(
        self, value: Any, path: str, allowed: Sequence[str], required: Sequence[str] = ()
    ) -> Dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(path, f"must be an object, got {type(value).__name__}")
        unknown = sorted(set(value) - set(allowed))
        if unknown:
            raise self.fail(path, f"unknown field(s) {', '.join(unknown)}; allowed: {', '.join(allowed)}")
        missing = [name for name in required if name not in value]
        if missing:
            raise self.fail(path, f"missing field(s) {', '.join(missing)}")
        return value

    def text(self, value: Any, path: str, choices: Sequence[str] = (), pattern: Any = None) -> str:
        if not isinstance(value, str) or not value:
            raise self.fail(path, f"must be a non-empty string, got {value!r}")
        if choices and value not in choices:
            raise self.fail(path, f"{value!r} is not allowed; allowed: {', '.join(choices)}")
        if pattern is not None and not pattern.match(value):
            raise self.fail(path, f"{value!r} must match {pattern.pattern}")
        return value

    def strings(self, value: Any, path: str) -> Tuple[str, ...]:
        if not isinstance(value, list):
            raise self.fail(path, f"must be a list of strings, got {type(value).__name__}")
        return tuple(self.text(item, f"{path}[{index}]") for index, item in enumerate(value))

    def integer(self, value: Any, path: str, low: int, high: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.fail(path, f"must be a whole number from {low} to {high}, got {value!r}")
        return value

    def flag(self, value: Any, path: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(path, f"must be true or false, got {value!r}")
        return value


def _column(reader: _Reader, value: Any, path: str) -> Column:
    data = reader.mapping(value, path, ("name", "kind", "nullable", "precision", "scale"), ("name", "kind"))
    name = reader.text(data["name"], f"{path}.name", pattern=_COLUMN_RE)
    kind = reader.text(data["kind"], f"{path}.kind", choices=KINDS)
    nullable = reader.flag(data.get("nullable", True), f"{path}.nullable")
    precision = scale = None
    if kind == "decimal":
        if "precision" not in data or "scale" not in data:
            raise reader.fail(path, "a decimal column needs precision (1-38) and scale (0-precision)")
        precision = reader.integer(data["precision"], f"{path}.precision", 1, 38)
        scale = reader.integer(data["scale"], f"{path}.scale", 0, precision)
    elif "precision" in data or "scale" in data:
        raise reader.fail(path, f"precision and scale apply to decimal columns only, not {kind}")
    return Column(name, kind, nullable, precision, scale)


def _columns(reader: _Reader, value: Any, path: str) -> Tuple[Column, ...]:
    if not isinstance(value, list) or not value:
        raise reader.fail(path, "must be a non-empty list of columns")
    columns = tuple(_column(reader, item, f"{path}[{index}]") for index, item in enumerate(value))
    seen: Dict[str, int] = {}
    for index, column in enumerate(columns):
        if column.name in seen:
            raise reader.fail(f"{path}[{index}].name", f"{column.name!r} repeats {path}[{seen[column.name]}]")
        seen[column.name] = index
    return columns


def _known(reader: _Reader, names: Sequence[str], columns: Sequence[str], path: str) -> None:
    for index, name in enumerate(names):
        if name not in columns:
            raise reader.fail(f"{path}[{index}]", f"{name!r} is not a column; columns: {', '.join(columns)}")


def _load(reader: _Reader, value: Any, path: str, columns: Tuple[Column, ...]) -> LoadMode:
    data = reader.mapping(value, path, ("mode", "order_by", "delete_marker", "backfill_window"), ("mode",))
    mode = reader.text(data["mode"], f"{path}.mode", choices=LOAD_MODES)
    names = [column.name for column in columns]
    if mode == "snapshot":
        extra = [name for name in ("order_by", "delete_marker", "backfill_window") if name in data]
        if extra:
            raise reader.fail(path, f"{', '.join(extra)} apply to incremental datasets only")
        return LoadMode()
    order_by = reader.text(data.get("order_by", INGEST_DATE_ORDER), f"{path}.order_by")
    if order_by != INGEST_DATE_ORDER and order_by not in names:
        raise reader.fail(
            f"{path}.order_by",
            f"{order_by!r} is neither a column nor {INGEST_DATE_ORDER!r} (the delivery day)",
        )
    marker = data.get("delete_marker")
    if marker is not None:
        marker = reader.text(marker, f"{path}.delete_marker")
        kinds = {column.name: column.kind for column in columns}
        if kinds.get(marker) != "bool":
            raise reader.fail(f"{path}.delete_marker", f"{marker!r} must name a bool column")
    window = data.get("backfill_window")
    if window is not None:
        window = reader.text(window, f"{path}.backfill_window")
        kinds = {column.name: column.kind for column in columns}
        if kinds.get(window) not in (*DATE_KINDS, "timestamp_tz"):
            raise reader.fail(
                f"{path}.backfill_window", f"{window!r} must name a date, datetime or timestamp_tz column"
            )
    return LoadMode(mode, order_by, marker, window)


def _raw(reader: _Reader, value: Any, path: str) -> RawSpec:
    data = reader.mapping(value, path, ("kind", "pagination", "format", "options"), ("kind",))
    kind = reader.text(data["kind"], f"{path}.kind", choices=RAW_KINDS)
    options_value = data.get("options", {})
    options = reader.mapping(
        options_value, f"{path}.options", tuple(options_value) if isinstance(options_value, dict) else ()
    )
    for name, option in options.items():
        reader.text(option, f"{path}.options.{name}")
    if kind == "http":
        if "format" in data:
            raise reader.fail(f"{path}.format", "applies to landing datasets only")
        pagination = reader.text(data.get("pagination", "none"), f"{path}.pagination", choices=PAGINATIONS)
        return RawSpec(kind, pagination=pagination, options=dict(options))
    if "pagination" in data:
        raise reader.fail(f"{path}.pagination", "applies to http datasets only")
    if "format" not in data:
        raise reader.fail(path, f"a landing dataset needs format ({', '.join(LANDING_FORMATS)})")
    fmt = reader.text(data["format"], f"{path}.format", choices=LANDING_FORMATS)
    return RawSpec(kind, format=fmt, options=dict(options))


def _silver(
    reader: _Reader, value: Any, path: str, columns: Tuple[Column, ...], keys: Tuple[str, ...]
) -> SilverMapping:
    data = reader.mapping(value, path, ("drop", "rename", "split_dates", "order"))
    names = [column.name for column in columns]
    drop = reader.strings(data.get("drop", []), f"{path}.drop")
    _known(reader, drop, names, f"{path}.drop")
    for index, name in enumerate(drop):
        if name in keys:
            raise reader.fail(f"{path}.drop[{index}]", f"{name!r} is a key; keys cannot be dropped")
    rename_value = data.get("rename", {})
    rename = reader.mapping(
        rename_value, f"{path}.rename", tuple(rename_value) if isinstance(rename_value, dict) else ()
    )
    for old, new in rename.items():
        if old not in names or old in drop:
            raise reader.fail(f"{path}.rename.{old}", f"{old!r} is not a kept column")
        reader.text(new, f"{path}.rename.{old}", pattern=_COLUMN_RE)
    split = reader.strings(data.get("split_dates", []), f"{path}.split_dates")
    _known(reader, split, names, f"{path}.split_dates")
    kinds = {column.name: column.kind for column in columns}
    for index, name in enumerate(split):
        if kinds[name] not in DATE_KINDS or name in drop:
            raise reader.fail(
                f"{path}.split_dates[{index}]", f"{name!r} must be a kept date or datetime column"
            )
    kept = [rename.get(name, name) for name in names if name not in drop]
    order = reader.strings(data.get("order", []), f"{path}.order")
    if order and sorted(order) != sorted(kept):
        raise reader.fail(
            f"{path}.order",
            f"must list every kept column once by its silver name; kept columns: {', '.join(kept)}",
        )
    repeated = sorted({name for name in kept if kept.count(name) > 1})
    if not repeated:
        mapping = SilverMapping(drop, dict(rename), split, order)
        outputs = Dataset("_", columns, keys, silver=mapping).silver_columns()
        repeated = sorted({name for name in outputs if outputs.count(name) > 1})
    if repeated:
        raise reader.fail(path, f"silver would have column(s) {', '.join(repeated)} twice")
    return mapping


def _dataset(reader: _Reader, name: str, value: Any, path: str) -> Dataset:
    data = reader.mapping(
        value,
        path,
        ("columns", "keys", "duplicates", "load", "raw", "silver", "quality"),
        ("columns", "keys"),
    )
    columns = _columns(reader, data["columns"], f"{path}.columns")
    names = [column.name for column in columns]
    keys = reader.strings(data["keys"], f"{path}.keys")
    if not keys:
        raise reader.fail(f"{path}.keys", "must name at least one column")
    _known(reader, keys, names, f"{path}.keys")
    for index, key in enumerate(keys):
        if columns[names.index(key)].nullable:
            raise reader.fail(f"{path}.keys[{index}]", f"key column {key!r} must be declared nullable: false")
    duplicates = reader.text(
        data.get("duplicates", "drop_exact"), f"{path}.duplicates", choices=DUPLICATE_RULES
    )
    load = _load(reader, data.get("load", {"mode": "snapshot"}), f"{path}.load", columns)
    raw = _raw(reader, data.get("raw", {"kind": "http"}), f"{path}.raw")
    if "window_param" in raw.options and (raw.kind != "http" or load.backfill_window is None):
        # The window's first day selects rows by a date column, which silver must know to replace
        # what a backfill refetched.
        raise reader.fail(
            f"{path}.raw.options.window_param",
            "needs an http dataset with load.backfill_window (the date column the window selects on)",
        )
    silver = _silver(reader, data.get("silver", {}), f"{path}.silver", columns, keys)
    for used in (load.order_by, load.delete_marker, load.backfill_window):
        if used in silver.drop:
            raise reader.fail(f"{path}.silver.drop", f"{used!r} is used by load and cannot be dropped")
    quality = reader.strings(data.get("quality", []), f"{path}.quality")
    return Dataset(name, columns, keys, duplicates, load, raw, silver, quality)


def rule_columns(rule: str) -> Tuple[str, ...]:
    """Column names a DQDL rule reads (the quoted names right after its rule type)."""
    match = _DQDL_RULE_RE.match(rule)
    return tuple(_DQDL_QUOTED_RE.findall(match.group("columns"))) if match else ()


def _check_rules(reader: _Reader, datasets: Mapping[str, Dataset]) -> None:
    silver = {name: dataset.silver_columns() for name, dataset in datasets.items()}
    for name, dataset in datasets.items():
        for index, rule in enumerate(dataset.quality):
            path = f"datasets.{name}.quality[{index}]"
            if not _DQDL_RULE_RE.match(rule):
                raise reader.fail(path, f'{rule!r} is not a DQDL rule (RuleType "column" ...)')
            for column in rule_columns(rule):
                other, _, other_column = column.partition(".")
                if other_column and other in datasets:
                    if other_column not in silver[other]:
                        raise reader.fail(
                            path, f"{column!r}: dataset {other!r} has no silver column {other_column!r}"
                        )
                elif column not in silver[name]:
                    raise reader.fail(
                        path, f"rule on unknown column {column!r}; silver columns: {', '.join(silver[name])}"
                    )


def parse_contract(data: Any, origin: str = "<contract>") -> Contract:
    """Validate a decoded contract document; ContractError names `origin` and the field."""
    reader = _Reader(origin)
    document = reader.mapping(
        data, "(top level)", ("source", "description", "datasets"), ("source", "datasets")
    )
    source = reader.text(document["source"], "source", pattern=_NAME_RE)
    description = document.get("description", "")
    if not isinstance(description, str):
        raise reader.fail("description", "must be a string")
    raw_datasets = document["datasets"]
    if not isinstance(raw_datasets, dict) or not raw_datasets:
        raise reader.fail("datasets", "must be a non-empty object of dataset name -> dataset")
    datasets: Dict[str, Dataset] = {}
    for name, value in raw_datasets.items():
        reader.text(name, f"datasets.{name}", pattern=_NAME_RE)
        datasets[name] = _dataset(reader, name, value, f"datasets.{name}")
    _check_rules(reader, datasets)
    return Contract(source, datasets, origin, description)


# ---- I/O -------------------------------------------------------------------------------------
def parse_contract_text(text: str, origin: str) -> Contract:
    """Decode and validate a contract document; ContractError names `origin` and the field."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ContractError(
            f"{origin}: line {error.lineno} column {error.colno}: not JSON ({error.msg})"
        ) from None
    return parse_contract(data, origin)


def load_contract(path: Union[str, Path]) -> Contract:
    """Read and validate one contract file."""
    location = Path(path)
    try:
        text = location.read_text(encoding="utf-8")
    except OSError as error:
        raise ContractError(f"{location}: cannot read the contract ({error.strerror})") from None
    return parse_contract_text(text, str(location))


def bundled_contract(source: str, environ: Optional[Mapping[str, str]] = None) -> Contract:
    """The contract of `source` as the running artifact carries it.

    Reads `lakehouse_contracts/<source>.json` through importlib.resources, so it works from a zip
    on sys.path (Lambda, Glue --extra-py-files) as well as from a wheel. With LAKEHOUSE_SOURCES_DIR
    set, reads `<dir>/<source>/contract.json` instead (a checkout's sources/ folder).
    """
    env = os.environ if environ is None else environ
    if not _NAME_RE.match(source):
        raise ContractError(f"source {source!r} must match {_NAME_RE.pattern}")
    sources_dir = env.get(SOURCES_DIR_ENV)
    if sources_dir:
        return load_contract(Path(sources_dir) / source / CONTRACT_FILE)
    origin = f"{BUNDLE_PACKAGE}/{source}.json"
    try:
        package = importlib.import_module(BUNDLE_PACKAGE)
    except ImportError:
        raise ContractError(
            f"{origin}: no {BUNDLE_PACKAGE} package on sys.path; artifacts built by tools/package.py "
            f"carry it (or set {SOURCES_DIR_ENV} to a sources/ folder)"
        ) from None
    bundle = importlib.resources.files(package)
    try:
        text = bundle.joinpath(f"{source}.json").read_text(encoding="utf-8")
    except (OSError, KeyError):  # Python 3.9's zip reader raises KeyError for a missing member
        bundled = sorted(
            item.name[: -len(".json")] for item in bundle.iterdir() if item.name.endswith(".json")
        )
        raise ContractError(
            f"{origin}: no contract for source {source!r} in this artifact; it carries "
            f"{', '.join(bundled) or 'none'}"
        ) from None
    return parse_contract_text(text, origin)
