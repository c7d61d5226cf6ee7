"""Glue interactive-session statements: RunStatement, GetStatement, ListStatements, CancelStatement.

AWS behaviour (https://docs.aws.amazon.com/glue/latest/webapi/API_RunStatement.html,
API_GetStatement.html, API_ListStatements.html, API_CancelStatement.html, API_Statement.html,
API_StatementOutput.html; shapes from botocore's `glue/2017-03-31/service-2.json`, shapes
`RunStatementRequest/Response`, `GetStatementRequest/Response`, `ListStatementsRequest/Response`,
`CancelStatementRequest`, `Statement`, `StatementOutput`, `StatementOutputData`, `StatementState`):
- RunStatement(SessionId, Code) returns the new statement's integer `Id`; GetStatement returns
  `Statement` {Id, Code, State, Output, Progress, StartedOn, CompletedOn}; ListStatements returns
  `Statements` and an optional `NextToken`; CancelStatement returns an empty body;
- `State` is one of WAITING, RUNNING, AVAILABLE, CANCELLING, CANCELLED, ERROR (StatementState);
  `StartedOn`/`CompletedOn` are `long` epoch milliseconds, not timestamps; `Progress` is 0..1;
- `Output` {Data: {TextPlain}, ExecutionCount, Status, ErrorName, ErrorValue, Traceback};
- an unknown session or statement -> EntityNotFoundException; each of the four operations lists
  IllegalSessionStateException: a session that is not READY (PROVISIONING, STOPPING, STOPPED, ...)
  refuses statements.

What the documentation leaves open, and what the emulator does (a session is one interpreter, as
in the Livy protocol Glue sessions follow): statements run one at a time in submission order, a
statement is WAITING while an earlier one has not finished; ids count from 0 per session;
cancelling a WAITING or RUNNING statement goes through CANCELLING to CANCELLED; cancelling one that
has already finished changes nothing. ListStatements pages by `glue_statement.page_size`
(AWS does not document its page size). The emulator does not run the code: an AVAILABLE statement's
`Output.Data.TextPlain` is empty.

moto 5.2.1 implements none of these operations (HTTP 500).

Control knobs (POST /_emulator/config, read when a statement is submitted):
`glue_statement.seconds` how long a statement RUNS (default 1 s; null: it never ends, until
cancelled or the session stops), `glue_statement.error_codes` statements whose Code is listed end
in ERROR, `glue_statement.cancel_seconds` how long CANCELLING lasts (default 0.5 s),
`glue_statement.page_size` ListStatements page size (default 100).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Optional

from moto.core.responses import ActionResult, EmptyResult
from moto.glue.exceptions import EntityNotFoundException, IllegalSessionStateException

from local_emulator import runtime
from local_emulator.patching import add_method, target


@dataclass
class Statement:
    id: int
    code: str
    submitted: float  # epoch seconds
    seconds: Optional[float]  # None: runs until cancelled
    fails: bool
    cancel_seconds: float
    cancel_requested: Optional[float] = None


def _now() -> float:
    return time.time()


def _start(statements: list[Statement], index: int) -> Optional[float]:
    """When statement `index` starts running (None: it is still waiting, maybe forever)."""
    if index == 0:
        return statements[0].submitted
    previous_end = _end(statements, index - 1)
    if previous_end is None:
        return None
    return max(statements[index].submitted, previous_end)


def _end(statements: list[Statement], index: int) -> Optional[float]:
    """When statement `index` reaches a final state (None: not foreseeable, e.g. runs forever)."""
    statement = statements[index]
    if statement.cancel_requested is not None:
        # Only a WAITING or RUNNING statement accepts a cancel, so it ends by the cancel.
        return statement.cancel_requested + statement.cancel_seconds
    start = _start(statements, index)
    if start is None or statement.seconds is None:
        return None
    return start + statement.seconds


def _started(statements: list[Statement], index: int, now: float) -> Optional[float]:
    """When statement `index` started running, if it has by `now` (a cancelled WAITING one never does)."""
    start = _start(statements, index)
    if start is None or start > now:
        return None
    cancelled = statements[index].cancel_requested
    if cancelled is not None and start > cancelled:
        return None
    return start


def _view(statements: list[Statement], index: int, now: float) -> dict[str, Any]:
    """The AWS `Statement` shape of statement `index` at time `now`."""
    statement = statements[index]
    started = _started(statements, index, now)
    end = _end(statements, index)
    cancelled = statement.cancel_requested is not None
    if end is not None and now >= end:
        state = "CANCELLED" if cancelled else ("ERROR" if statement.fails else "AVAILABLE")
    elif cancelled:
        state = "CANCELLING"
    elif started is not None:
        state = "RUNNING"
    else:
        state = "WAITING"
    body: dict[str, Any] = {"Id": statement.id, "Code": statement.code, "State": state}
    if started is not None:
        body["StartedOn"] = int(started * 1000)
    if state in ("AVAILABLE", "CANCELLED", "ERROR"):
        body["CompletedOn"] = int(end * 1000)  # type: ignore[operator]
    if state == "RUNNING" and statement.seconds:
        body["Progress"] = round(min(0.99, (now - started) / statement.seconds), 2)  # type: ignore[operator]
    else:
        body["Progress"] = 1.0 if state in ("AVAILABLE", "ERROR") else 0.0
    output: dict[str, Any] = {"ExecutionCount": statement.id + 1, "Status": state}
    if state == "AVAILABLE":
        output["Data"] = {"TextPlain": ""}
    elif state == "ERROR":
        output.update(
            ErrorName="Exception",
            ErrorValue=f"statement {statement.id} failed (glue_statement.error_codes)",
            Traceback=[],
        )
    body["Output"] = output
    return body


def _store(backend: Any) -> dict[str, list[Statement]]:
    if not hasattr(backend, "_emu_statements"):
        backend._emu_statements = {}
    return backend._emu_statements


def _ready_session(response: Any) -> list[Statement]:
    session_id = response.parameters.get("SessionId")
    session = response.glue_backend.get_session(session_id)  # EntityNotFoundException if unknown
    if session.state != "READY":
        raise IllegalSessionStateException(f"Session {session_id} is in {session.state} status, not READY")
    return _store(response.glue_backend).setdefault(session_id, [])


def _statement(response: Any, statements: list[Statement]) -> int:
    wanted = response.parameters.get("Id")
    for index, statement in enumerate(statements):
        if statement.id == wanted:
            return index
    session_id = response.parameters.get("SessionId")
    raise EntityNotFoundException(f"Statement {wanted} not found in session {session_id}")


def run_statement(self: Any) -> ActionResult:
    statements = _ready_session(self)
    code = self.parameters.get("Code", "")
    settings = runtime.settings
    seconds = settings.get("glue_statement", "seconds")
    statement = Statement(
        id=len(statements),
        code=code,
        submitted=_now(),
        seconds=None if seconds is None else float(seconds),
        fails=code in settings.get("glue_statement", "error_codes"),
        cancel_seconds=float(settings.get("glue_statement", "cancel_seconds")),
    )
    statements.append(statement)
    return ActionResult({"Id": statement.id})


def get_statement(self: Any) -> ActionResult:
    statements = _ready_session(self)
    index = _statement(self, statements)
    return ActionResult({"Statement": _view(statements, index, _now())})


def list_statements(self: Any) -> ActionResult:
    statements = _ready_session(self)
    page_size = int(runtime.settings.get("glue_statement", "page_size"))
    token = self.parameters.get("NextToken")
    first = int(token) if token and str(token).isdigit() else 0
    now = _now()
    page = [_view(statements, i, now) for i in range(first, min(first + page_size, len(statements)))]
    body: dict[str, Any] = {"Statements": page}
    if first + page_size < len(statements):
        body["NextToken"] = str(first + page_size)
    return ActionResult(body)


def cancel_statement(self: Any) -> EmptyResult:
    statements = _ready_session(self)
    index = _statement(self, statements)
    statement = statements[index]
    now = _now()
    state = _view(statements, index, now)["State"]
    if statement.cancel_requested is None and state in ("WAITING", "RUNNING"):
        statement.cancel_requested = now
    return EmptyResult()


def apply() -> None:
    module = "moto.glue.responses"
    target(module, "GlueResponse.glue_backend")
    for func in (run_statement, get_statement, list_statements, cancel_statement):
        add_method(module, "GlueResponse", func.__name__, func)
