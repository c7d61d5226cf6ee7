"""The decision audit log: principal, action, resource, decision and the statement that decided.

Kept in memory (bounded; `GET /_emulator/iam/decisions`) and, for denials, appended to
`<state dir>/iam-denials.jsonl` so that they outlive the server (`python -m local_emulator
denials` reads either).
"""

from __future__ import annotations

import collections
import json
import threading
import time
from pathlib import Path
from typing import Any, Optional

from local_emulator.iam.evaluate import ALLOWED, Decision
from local_emulator.iam.policy import Principal

UNMAPPED = "unmapped"
MAX_ENTRIES = 50_000

_lock = threading.Lock()
_entries: collections.deque[dict[str, Any]] = collections.deque(maxlen=MAX_ENTRIES)
_counts: collections.Counter[str] = collections.Counter()
_denials_file: Optional[Path] = None


def configure(state_dir: Optional[str]) -> None:
    global _denials_file  # noqa: PLW0603 - one log per server process
    _denials_file = Path(state_dir) / "iam-denials.jsonl" if state_dir else None
    if _denials_file is not None:
        _denials_file.parent.mkdir(parents=True, exist_ok=True)
        _denials_file.write_text("")


def _principal_name(principal: Principal) -> str:
    return principal.session_arn or principal.arn


def record(principal: Principal, action: str, resource: str, decision: Decision, origin: str = "") -> None:
    entry = {
        "time": round(time.time(), 3),
        "principal": _principal_name(principal),
        "action": action,
        "resource": resource,
        "decision": decision.decision,
        "statement": decision.deciding,
        "reason": decision.reason,
        "origin": origin,
    }
    _append(entry, denied=decision.decision != ALLOWED)


def record_unmapped(principal: Principal, service: str, operation: str, origin: str = "") -> None:
    entry = {
        "time": round(time.time(), 3),
        "principal": _principal_name(principal),
        "action": f"{service}:{operation}",
        "resource": "?",
        "decision": UNMAPPED,
        "statement": "",
        "reason": "no IAM mapping for this operation: add it to local_emulator/iam/operations.json",
        "origin": origin,
    }
    _append(entry, denied=True)


def _append(entry: dict[str, Any], denied: bool) -> None:
    with _lock:
        _entries.append(entry)
        _counts[entry["decision"]] += 1
        if denied and _denials_file is not None:
            with _denials_file.open("a") as handle:
                handle.write(json.dumps(entry) + "\n")


def entries(denied_only: bool = False) -> list[dict[str, Any]]:
    with _lock:
        return [dict(e) for e in _entries if not denied_only or e["decision"] != ALLOWED]


def counts() -> dict[str, int]:
    with _lock:
        return dict(_counts)


def clear() -> None:
    with _lock:
        _entries.clear()
        _counts.clear()
    if _denials_file is not None and _denials_file.exists():
        _denials_file.write_text("")


def format_table(rows: list[dict[str, Any]]) -> str:
    """One line per decision, aligned, for people."""
    if not rows:
        return "no denials"
    columns = ("decision", "principal", "action", "resource", "statement", "reason")
    widths = {c: min(70, max(len(c), *(len(str(r.get(c, ""))) for r in rows))) for c in columns}
    lines = ["  ".join(c.upper().ljust(widths[c]) for c in columns)]
    lines += ["  ".join(str(r.get(c, "")).ljust(widths[c]) for c in columns) for r in rows]
    return "\n".join(lines)
