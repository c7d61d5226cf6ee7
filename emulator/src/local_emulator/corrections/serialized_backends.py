"""Each API call sees and leaves a service's state whole: calls of one service run one at a time.

AWS behaviour: an API call either succeeds or returns a modelled error; concurrent calls do not
break each other (a DescribeParameters never fails because a PutParameter ran at the same time).
InternalFailure / HTTP 500 is documented as a rare server-side fault that SDKs retry
(https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html).

moto 5.2.1 in server mode handles each request in its own thread over backends made of plain
dicts and lists with no locking. Under `terraform apply` (ten operations at once) this was the
cause of the retried requests seen on the emulator: `ssm.describe_parameters` iterating
`self._parameters` while another thread inserted one raised `RuntimeError: dictionary changed
size during iteration`, the server answered 500, and the Go SDK retried (3 of the 4 retries in 20
applies of 60 SSM parameters + 30 Glue security configurations; none came from the transport).
A create failing that way after its insert is retried into `AlreadyExistsException`.

Here every call dispatched through `BaseResponse.call_action` holds its service's lock
(`runtime.service_locks`). Calls that run customer code synchronously and may call the same
service back (lambda:Invoke, states:StartSyncExecution) do not hold it, or they would deadlock.
S3 has its own dispatcher and is not covered.
"""

from __future__ import annotations

from typing import Any

from local_emulator import runtime
from local_emulator.patching import target

# (service, operation) pairs whose handler waits for customer code that may call back in.
RUNS_CUSTOMER_CODE = frozenset({("lambda", "Invoke"), ("stepfunctions", "StartSyncExecution")})


def apply() -> None:
    owner, name, original = target("moto.core.responses", "BaseResponse.call_action")

    def call_action(self: Any) -> Any:
        service = runtime.normalise_service(self.boto3_service_name)
        if (service, self._get_action()) in RUNS_CUSTOMER_CODE:
            return original(self)
        with runtime.service_locks.of(service):
            return original(self)

    call_action.__wrapped__ = original  # type: ignore[attr-defined]
    setattr(owner, name, call_action)
