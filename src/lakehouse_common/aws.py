"""AWS client set-up shared by the artifacts.

boto3 honours AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE> and AWS_CA_BUNDLE by itself; awswrangler
keeps its own endpoint setting, so point it at the same endpoint (local emulator) here.
"""

import os
from typing import Any, Mapping, Optional


def s3_endpoint_url(environ: Optional[Mapping[str, str]] = None) -> Optional[str]:
    """The S3 endpoint override from the environment, if any (service-specific one first)."""
    env = os.environ if environ is None else environ
    return env.get("AWS_ENDPOINT_URL_S3") or env.get("AWS_ENDPOINT_URL") or None


def configure_awswrangler(environ: Optional[Mapping[str, str]] = None) -> Any:
    """Import awswrangler (lazily: the Lambda layer / Glue provide it) and apply the endpoint."""
    import awswrangler as wr  # noqa: PLC0415 - heavy and optional; never at module import

    endpoint = s3_endpoint_url(environ)
    if endpoint:
        wr.config.s3_endpoint_url = endpoint
    return wr
