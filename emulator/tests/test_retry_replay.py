"""A retried SDK attempt of an operation that already succeeded gets the first response again.

Without it, a create whose 200 response the Go SDK lost is re-executed and fails with
ParameterAlreadyExists / AlreadyExistsException (seen in `terraform apply` on the emulator).
"""

from __future__ import annotations

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

pytestmark = pytest.mark.emulator


def _pinned_attempts(client, invocation_id, attempts):
    """Send the next requests with a fixed invocation id and the given attempt numbers."""
    numbers = iter(attempts)

    def pin(request, **_):
        request.headers["amz-sdk-invocation-id"] = invocation_id
        request.headers["amz-sdk-request"] = f"attempt={next(numbers)}; max=3"

    client.meta.events.register("before-send", pin)


def test_retried_attempt_gets_the_first_response_not_a_second_execution(emu):
    ssm = emu.client("ssm")
    _pinned_attempts(ssm, "11111111-2222-3333-4444-555555555555", [1, 2])
    first = ssm.put_parameter(Name="/replay/p", Value="one", Type="String")
    again = ssm.put_parameter(Name="/replay/p", Value="one", Type="String")  # the SDK's retry
    assert again["Version"] == first["Version"] == 1
    # The replay is never silent: the server log names the invocation whose response was lost.
    log = (emu.state_dir / "server.log").read_text()
    assert "replayed 200 OK to POST / AmazonSSM.PutParameter (invocation 11111111-2222" in log
    # ...with the timing that tells a lost answer from a client that stopped waiting.
    assert "first attempt took " in log and "s after its answer" in log

    # A new operation (new invocation id) is executed: the parameter exists now.
    fresh = emu.client("ssm")
    with pytest.raises(ClientError) as err:
        fresh.put_parameter(Name="/replay/p", Value="two", Type="String")
    assert err.value.response["Error"]["Code"] == "ParameterAlreadyExists"


def test_failed_first_attempt_is_not_replayed(emu):
    emu.inject_fault("ssm", "PutParameter", "ThrottlingException", "Rate exceeded", count=1)
    ssm = emu.client("ssm", config=Config(retries={"total_max_attempts": 1}))
    _pinned_attempts(ssm, "66666666-2222-3333-4444-555555555555", [1, 2])
    with pytest.raises(ClientError):
        ssm.put_parameter(Name="/replay/q", Value="v", Type="String")
    assert ssm.put_parameter(Name="/replay/q", Value="v", Type="String")["Version"] == 1
