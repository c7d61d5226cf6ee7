"""A handle on a running emulator server, and the one way to start one for a test or a bench.

`running_emulator` spawns the server on a free port pair, waits until it answers, yields an
`Emulator` and stops the server on exit. The pytest fixture, the e2e suites' own emulators and
the bench scripts all start servers through it.
"""

from __future__ import annotations

import json
import socket
import ssl
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Optional

import boto3

from local_emulator.cli import spawn, stop_pid, wait_healthy
from local_emulator.constants import REGION
from local_emulator.env import client_env, http_endpoint, https_endpoint


def free_port_pair() -> int:
    """A port p with p and p+1 both free (HTTPS and the plain-HTTP twin)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port >= 65535:
            continue
        try:
            with socket.socket() as a, socket.socket() as b:
                a.bind(("127.0.0.1", port))
                b.bind(("127.0.0.1", port + 1))
        except OSError:
            continue
        return port
    raise RuntimeError("no free port pair found")


class Emulator:
    """Handle on a running emulator server."""

    def __init__(self, port: int, state_dir: Path) -> None:
        self.port = port
        self.state_dir = state_dir
        self.endpoint = https_endpoint(port)
        self.http_endpoint = http_endpoint(port)
        self.ca_bundle = str(state_dir / "ca.pem")
        self.env = client_env(port, state_dir)
        self._ssl = ssl.create_default_context(cafile=self.ca_bundle)

    def client(self, service_name: str, **kwargs: Any) -> Any:
        kwargs.setdefault("endpoint_url", self.endpoint)
        kwargs.setdefault("verify", self.ca_bundle)
        kwargs.setdefault("region_name", REGION)  # the signing region picks the region's resources
        return boto3.client(
            service_name,
            aws_access_key_id=self.env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=self.env["AWS_SECRET_ACCESS_KEY"],
            **kwargs,
        )

    def client_as(self, role_arn: str, service_name: str, **kwargs: Any) -> Any:
        """A client signed with a fresh session of `role_arn` (sts:AssumeRole by the admin key):
        the emulator judges its calls against that role's policies."""
        creds = self.client("sts").assume_role(RoleArn=role_arn, RoleSessionName="test")["Credentials"]
        kwargs.setdefault("endpoint_url", self.endpoint)
        kwargs.setdefault("verify", self.ca_bundle)
        kwargs.setdefault("region_name", REGION)
        return boto3.client(
            service_name,
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
            **kwargs,
        )

    def decisions(self, denied_only: bool = False) -> list[dict[str, Any]]:
        """The emulator's IAM audit log (principal, action, resource, decision, statement)."""
        query = "?denied=1" if denied_only else ""
        return self.control("GET", f"/_emulator/iam/decisions{query}")["decisions"]

    def control(self, method: str, path: str, body: Optional[dict[str, Any]] = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"{self.endpoint}{path}", data=data, method=method, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, context=self._ssl, timeout=30) as response:
            return json.loads(response.read() or b"null")

    def reset(self) -> None:
        """Wipe all moto state, clear faults, restore default settings and moto config."""
        self.control("POST", "/_emulator/reset", {})

    def inject_fault(  # noqa: PLR0917 - positional signature is the emulator's published contract
        self,
        service: str,
        operation: str,
        error_code: str,
        message: str = "",
        status: int = 400,
        count: int = 1,
    ) -> None:
        self.control(
            "POST",
            "/_emulator/faults",
            {
                "service": service,
                "operation": operation,
                "error_code": error_code,
                "message": message,
                "status": status,
                "count": count,
            },
        )

    def clear_faults(self) -> None:
        self.control("DELETE", "/_emulator/faults")

    def configure(self, **settings: Any) -> dict[str, Any]:
        return self.control("POST", "/_emulator/config", settings)


@contextmanager
def running_emulator(state_dir: Path, port: Optional[int] = None) -> Iterator[Emulator]:
    """An emulator server on `port` (default: a free pair) keeping its state in `state_dir`."""
    port = port or free_port_pair()
    process = spawn(port, state_dir)
    try:
        wait_healthy(port, state_dir, process)
        yield Emulator(port, state_dir)
    finally:
        if process.poll() is None:
            stop_pid(process.pid, process=process)
            process.wait(timeout=10)
