"""Glue session statements: RunStatement, GetStatement, ListStatements, CancelStatement with the
states AWS documents (WAITING, RUNNING, AVAILABLE, CANCELLING, CANCELLED, ERROR)."""

from __future__ import annotations

import time

import pytest
from botocore.exceptions import ClientError

pytestmark = pytest.mark.emulator

ROLE = "arn:aws:iam::123456789012:role/glue"


def ready_session(emu, session_id="nb"):
    emu.configure(glue_session={"provisioning_seconds": 0, "stopping_seconds": 0.5})
    glue = emu.client("glue")
    glue.create_session(Id=session_id, Role=ROLE, Command={"Name": "glueetl", "PythonVersion": "3"})
    return glue


def state_of(glue, statement_id, session_id="nb"):
    return glue.get_statement(SessionId=session_id, Id=statement_id)["Statement"]["State"]


def wait_state(glue, statement_id, wanted, timeout=5.0, session_id="nb"):
    deadline = time.monotonic() + timeout
    current = state_of(glue, statement_id, session_id)
    while current != wanted and time.monotonic() < deadline:
        time.sleep(0.05)
        current = state_of(glue, statement_id, session_id)
    assert current == wanted, f"statement {statement_id} is {current}, not {wanted}"


def error_code(call, **kwargs):
    with pytest.raises(ClientError) as err:
        call(**kwargs)
    return err.value.response["Error"]["Code"]


def test_run_statement_returns_sequential_ids_and_runs_to_available(emu):
    glue = ready_session(emu)
    emu.configure(glue_statement={"seconds": 0.5})
    before_ms = int(time.time() * 1000)

    first = glue.run_statement(SessionId="nb", Code="df = spark.range(10)")
    second = glue.run_statement(SessionId="nb", Code="df.count()")

    assert (first["Id"], second["Id"]) == (0, 1)
    assert state_of(glue, 0) == "RUNNING"
    assert state_of(glue, 1) == "WAITING"  # one interpreter: statements run in order
    wait_state(glue, 1, "AVAILABLE")
    statement = glue.get_statement(SessionId="nb", Id=0)["Statement"]
    assert statement["Code"] == "df = spark.range(10)"
    assert statement["Progress"] == 1.0
    assert statement["Output"]["Status"] == "AVAILABLE"
    assert statement["Output"]["Data"] == {"TextPlain": ""}
    # StartedOn/CompletedOn are epoch milliseconds (botocore: long), 0.5 s apart.
    assert before_ms <= statement["StartedOn"] < statement["CompletedOn"]
    assert statement["CompletedOn"] - statement["StartedOn"] >= 500
    later = glue.get_statement(SessionId="nb", Id=1)["Statement"]
    assert later["StartedOn"] >= statement["CompletedOn"]


def test_run_statement_is_refused_unless_the_session_is_ready(emu):
    emu.configure(glue_session={"provisioning_seconds": 30})
    glue = emu.client("glue")
    glue.create_session(Id="slow", Role=ROLE, Command={"Name": "glueetl"})

    assert error_code(glue.run_statement, SessionId="slow", Code="1") == "IllegalSessionStateException"
    assert error_code(glue.run_statement, SessionId="missing", Code="1") == "EntityNotFoundException"


def test_statement_listed_in_error_codes_ends_in_error(emu):
    glue = ready_session(emu)
    emu.configure(glue_statement={"seconds": 0.2, "error_codes": ["1/0"]})

    glue.run_statement(SessionId="nb", Code="1/0")

    wait_state(glue, 0, "ERROR")
    output = glue.get_statement(SessionId="nb", Id=0)["Statement"]["Output"]
    assert output["Status"] == "ERROR"
    assert output["ErrorName"] and output["ErrorValue"]


def test_get_statement_of_unknown_id_or_stopped_session_fails(emu):
    glue = ready_session(emu)
    glue.run_statement(SessionId="nb", Code="1")

    assert error_code(glue.get_statement, SessionId="nb", Id=7) == "EntityNotFoundException"
    glue.stop_session(Id="nb")
    assert error_code(glue.get_statement, SessionId="nb", Id=0) == "IllegalSessionStateException"


def test_list_statements_pages_with_next_token(emu):
    glue = ready_session(emu)
    emu.configure(glue_statement={"seconds": 0, "page_size": 2})
    for n in range(5):
        glue.run_statement(SessionId="nb", Code=f"x = {n}")

    first = glue.list_statements(SessionId="nb")
    assert [s["Id"] for s in first["Statements"]] == [0, 1]
    ids = [s["Id"] for s in first["Statements"]]
    token = first.get("NextToken")
    while token:
        page = glue.list_statements(SessionId="nb", NextToken=token)
        ids.extend(s["Id"] for s in page["Statements"])
        token = page.get("NextToken")
    assert ids == [0, 1, 2, 3, 4]
    assert {s["State"] for s in first["Statements"]} == {"AVAILABLE"}
    assert glue.list_statements(SessionId="nb", NextToken="4")["Statements"][0]["Code"] == "x = 4"


def test_list_statements_of_a_stopping_session_fails(emu):
    glue = ready_session(emu)
    assert glue.list_statements(SessionId="nb")["Statements"] == []
    glue.stop_session(Id="nb")

    assert error_code(glue.list_statements, SessionId="nb") == "IllegalSessionStateException"


def test_statement_that_never_ends_is_cancelled_through_cancelling(emu):
    glue = ready_session(emu)
    emu.configure(glue_statement={"seconds": None, "cancel_seconds": 0.5})
    glue.run_statement(SessionId="nb", Code="while True: pass")
    glue.run_statement(SessionId="nb", Code="print('after')")
    time.sleep(0.3)
    assert state_of(glue, 0) == "RUNNING"
    assert state_of(glue, 1) == "WAITING"

    glue.cancel_statement(SessionId="nb", Id=0)

    assert state_of(glue, 0) == "CANCELLING"
    wait_state(glue, 0, "CANCELLED")
    cancelled = glue.get_statement(SessionId="nb", Id=0)["Statement"]
    assert cancelled["Output"]["Status"] == "CANCELLED"
    assert "CompletedOn" in cancelled
    # The next statement runs once the interpreter is free (it too runs forever: seconds=None).
    wait_state(glue, 1, "RUNNING")


def test_cancelling_a_waiting_statement_means_it_never_starts(emu):
    glue = ready_session(emu)
    emu.configure(glue_statement={"seconds": None, "cancel_seconds": 0})
    glue.run_statement(SessionId="nb", Code="busy()")
    glue.run_statement(SessionId="nb", Code="queued()")

    glue.cancel_statement(SessionId="nb", Id=1)

    queued = glue.get_statement(SessionId="nb", Id=1)["Statement"]
    assert queued["State"] == "CANCELLED"
    assert "StartedOn" not in queued
    assert state_of(glue, 0) == "RUNNING"


def test_cancel_statement_errors_and_finished_statements(emu):
    glue = ready_session(emu)
    emu.configure(glue_statement={"seconds": 0})
    glue.run_statement(SessionId="nb", Code="1")
    wait_state(glue, 0, "AVAILABLE")

    glue.cancel_statement(SessionId="nb", Id=0)  # finished: nothing changes
    assert state_of(glue, 0) == "AVAILABLE"
    assert error_code(glue.cancel_statement, SessionId="nb", Id=3) == "EntityNotFoundException"
    assert error_code(glue.cancel_statement, SessionId="gone", Id=0) == "EntityNotFoundException"
