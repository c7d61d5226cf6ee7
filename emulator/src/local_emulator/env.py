"""Environment variables that point AWS clients (boto3, Terraform, jobs) at the emulator."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from local_emulator.constants import (
    ACCESS_KEY_ID,
    HOST,
    REGION,
    SECRET_ACCESS_KEY,
    default_state_dir,
)


def https_endpoint(port: int) -> str:
    return f"https://{HOST}:{port}"


def http_endpoint(port: int) -> str:
    """Plain-HTTP twin on port+1: only to prove TLS-only bucket policies deny insecure transport."""
    return f"http://{HOST}:{port + 1}"


def client_env(
    port: int,
    state_dir: Optional[Path] = None,
    *,
    region: str = REGION,
    ca_bundle: Optional[Path] = None,
) -> dict[str, str]:
    """AWS_* variables for a subprocess (terraform, a job, a handler) talking to the emulator on `port`.

    Code the emulator runs itself (Lambda handlers, Glue jobs) passes the running server's
    `ca_bundle` and the resource's `region`; the IAM judge then overlays the role session's keys.
    """
    if ca_bundle is None:
        ca_bundle = (Path(state_dir) if state_dir else default_state_dir(port)) / "ca.pem"
    return {
        "AWS_ENDPOINT_URL": https_endpoint(port),
        "AWS_CA_BUNDLE": str(ca_bundle),
        "AWS_ACCESS_KEY_ID": ACCESS_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY,
        "AWS_DEFAULT_REGION": region,
        "AWS_REGION": region,
    }
