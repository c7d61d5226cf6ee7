"""Glue interactive sessions: PROVISIONING -> READY -> STOPPING -> STOPPED, AWS errors, paging."""

from __future__ import annotations

import time

import pytest
from botocore.exceptions import ClientError

pytestmark = pytest.mark.emulator

ROLE = "arn:aws:iam::123456789012:role/glue"


def wait_status(glue, session_id, status, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        current = glue.get_session(Id=session_id)["Session"]["Status"]
        if current == status:
            return
        time.sleep(0.05)
    raise AssertionError(f"session {session_id} never reached {status} (last {current})")


def test_session_lifecycle(emu):
    emu.configure(glue_session={"provisioning_seconds": 1.5, "stopping_seconds": 0.5})
    glue = emu.client("glue")
    created = glue.create_session(
        Id="s1",
        Role=ROLE,
        Command={"Name": "glueetl", "PythonVersion": "3"},
        NumberOfWorkers=2,
        WorkerType="G.1X",
        IdleTimeout=30,
    )["Session"]
    assert created["Status"] == "PROVISIONING"
    assert created["NumberOfWorkers"] == 2
    assert created["MaxCapacity"] == 2.0
    assert created["IdleTimeout"] == 30
    assert "Progress" not in created
    assert "ErrorMessage" not in created

    with pytest.raises(ClientError) as err:
        glue.stop_session(Id="s1")
    assert err.value.response["Error"]["Code"] == "IllegalSessionStateException"

    wait_status(glue, "s1", "READY")
    glue.stop_session(Id="s1")
    assert glue.get_session(Id="s1")["Session"]["Status"] == "STOPPING"
    with pytest.raises(ClientError) as err:
        glue.stop_session(Id="s1")
    assert err.value.response["Error"]["Code"] == "IllegalSessionStateException"
    wait_status(glue, "s1", "STOPPED")

    glue.delete_session(Id="s1")
    with pytest.raises(ClientError) as err:
        glue.get_session(Id="s1")
    assert err.value.response["Error"]["Code"] == "EntityNotFoundException"


def test_list_sessions_pages(emu):
    glue = emu.client("glue")
    for i in range(5):
        glue.create_session(Id=f"s{i}", Role=ROLE, Command={"Name": "glueetl"})
    first = glue.list_sessions(MaxResults=2)
    assert len(first["Ids"]) == 2
    assert len(first["Sessions"]) == 2
    seen = list(first["Ids"])
    token = first.get("NextToken")
    while token:
        page = glue.list_sessions(MaxResults=2, NextToken=token)
        seen.extend(page["Ids"])
        token = page.get("NextToken")
    assert sorted(seen) == [f"s{i}" for i in range(5)]
