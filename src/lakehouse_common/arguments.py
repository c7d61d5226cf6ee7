"""Reading run arguments: Lambda environment variables and events, Glue job arguments.

Pure functions over plain values (os.environ is passed in or read at call time), so each artifact
reads its configuration the same way and tests need no patching.
"""

import datetime as dt
import os
import re
import uuid
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from lakehouse_common.layout import validate_ingest_date

_RUN_ID_RE = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")


class ConfigError(ValueError):
    """A required setting is missing or malformed; the message names the setting."""


def env_str(name: str, default: Optional[str] = None, environ: Optional[Mapping[str, str]] = None) -> str:
    """Value of environment variable `name`; ConfigError if unset/empty and there is no default."""
    env = os.environ if environ is None else environ
    value = env.get(name, "").strip()
    if value:
        return value
    if default is None:
        raise ConfigError(f"environment variable {name} is required but not set")
    return default


def env_float(name: str, default: float, environ: Optional[Mapping[str, str]] = None) -> float:
    """Positive float from environment variable `name`, else `default`."""
    raw = env_str(name, str(default), environ)
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"environment variable {name} must be a number, got {raw!r}") from None
    if value <= 0:
        raise ConfigError(f"environment variable {name} must be > 0, got {raw!r}")
    return value


def env_int(name: str, default: int, environ: Optional[Mapping[str, str]] = None) -> int:
    """Non-negative integer from environment variable `name`, else `default`."""
    raw = env_str(name, str(default), environ)
    if not raw.isdigit():
        raise ConfigError(f"environment variable {name} must be a whole number >= 0, got {raw!r}")
    return int(raw)


def env_list(
    name: str, default: Sequence[str], environ: Optional[Mapping[str, str]] = None
) -> Tuple[str, ...]:
    """Comma-separated list from environment variable `name` (blanks dropped), else `default`."""
    raw = env_str(name, ",".join(default), environ)
    items = tuple(item.strip() for item in raw.split(",") if item.strip())
    if not items:
        raise ConfigError(f"environment variable {name} must list at least one value")
    return items


def today_utc() -> str:
    """Today's date in UTC as YYYY-MM-DD."""
    return dt.datetime.now(dt.timezone.utc).date().isoformat()


def event_ingest_date(event: Optional[Mapping[str, object]]) -> str:
    """`ingest_date` from a Lambda/Step Functions event (validated), default today UTC."""
    value = (event or {}).get("ingest_date")
    if value in (None, ""):
        return today_utc()
    try:
        return validate_ingest_date(value)  # type: ignore[arg-type]
    except ValueError as error:
        raise ConfigError(f"event field ingest_date: {error}") from None


def event_run_id(event: Optional[Mapping[str, object]]) -> str:
    """`run_id` from the event (the workflow's execution name), default a new unique id."""
    value = (event or {}).get("run_id")
    if value in (None, ""):
        # Sortable by time, unique without coordination.
        return dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:12]
    if not isinstance(value, str) or not _RUN_ID_RE.match(value):
        raise ConfigError(f"event field run_id must match [A-Za-z0-9_.-]{{1,128}}, got {value!r}")
    return value


def resolve_job_args(
    argv: Sequence[str], required: Sequence[str], optional: Optional[Mapping[str, str]] = None
) -> Dict[str, str]:
    """Glue-style `--name value` / `--name=value` arguments -> dict (unknown ones are kept).

    Unlike awsglue's getResolvedOptions it supports optional arguments with defaults and needs no
    Glue libraries, so Python shell, Spark jobs and tests read arguments the same way.
    """
    found: Dict[str, str] = {}
    items: List[str] = list(argv)
    index = 0
    while index < len(items):
        item = items[index]
        if item.startswith("--"):
            name, sep, value = item[2:].partition("=")
            if not sep:
                has_value = index + 1 < len(items) and not items[index + 1].startswith("--")
                value = items[index + 1] if has_value else ""
                index += 1 if has_value else 0
            found[name] = value
        index += 1
    missing = [name for name in required if not found.get(name)]
    if missing:
        raise ConfigError(f"missing job argument(s): {', '.join('--' + name for name in missing)}")
    resolved = dict(optional or {})
    resolved.update(found)
    return resolved
