"""Emulator plumbing, not an AWS behaviour: old botocore ignores AWS_ENDPOINT_URL.

The emulator reaches code it runs through AWS_ENDPOINT_URL (+ AWS_CA_BUNDLE). botocore reads that
variable only since 1.31.57; the Glue Python shell 3.9 analytics set ships an older one, whose
clients would call the real AWS endpoints. Only there, clients created without an explicit
endpoint get the emulator's. The script and its modules are unchanged. Runs on Python 3.9.
"""

from __future__ import annotations

import os
from typing import Any

_ENDPOINT_URL_POSITION = 5  # create_client(service_name, region, api_version, use_ssl, verify, endpoint_url)


def _point_old_botocore_at_the_emulator() -> None:
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    if not endpoint:
        return
    try:
        import botocore.configprovider  # noqa: PLC0415 - only where botocore is installed
        import botocore.session  # noqa: PLC0415
    except ImportError:
        return
    known = getattr(botocore.configprovider, "BOTOCORE_DEFAUT_SESSION_VARIABLES", {})
    if "endpoint_url" in known:
        return
    original = botocore.session.Session.create_client

    def create_client(self: Any, service_name: str, *args: Any, **kwargs: Any) -> Any:
        if len(args) < _ENDPOINT_URL_POSITION and kwargs.get("endpoint_url") is None:
            kwargs["endpoint_url"] = endpoint
        return original(self, service_name, *args, **kwargs)

    botocore.session.Session.create_client = create_client


_point_old_botocore_at_the_emulator()
