"""The emulator process itself: TLS certificate, control API, CLI, client environment, pin guard."""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from botocore.config import Config
from cryptography import x509

from local_emulator import client_env
from local_emulator.handle import free_port_pair

pytestmark = pytest.mark.emulator

TOOLS = str(Path(__file__).resolve().parents[2] / "tools")


def test_certificate_covers_localhost_and_loopback(emulator):
    cert = x509.load_pem_x509_certificate(Path(emulator.ca_bundle).read_bytes())
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "localhost" in san.get_values_for_type(x509.DNSName)
    assert ipaddress.ip_address("127.0.0.1") in san.get_values_for_type(x509.IPAddress)


def test_boto3_verifies_tls_through_the_ca_bundle(emulator):
    sts = emulator.client("sts")
    assert sts.get_caller_identity()["Account"] == "123456789012"
    with pytest.raises(Exception, match="CERTIFICATE_VERIFY_FAILED"):
        emulator.client("sts", verify=True).get_caller_identity()


def test_client_env_points_at_https_endpoint(emulator):
    assert emulator.env == client_env(emulator.port, emulator.state_dir)
    assert emulator.env["AWS_ENDPOINT_URL"] == f"https://127.0.0.1:{emulator.port}"
    assert emulator.env["AWS_REGION"] == emulator.env["AWS_DEFAULT_REGION"] == "eu-west-1"
    code = "import boto3; print(boto3.client('sts').get_caller_identity()['Account'])"
    env = {**os.environ, **emulator.env}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "123456789012"


def test_control_api_rejects_bad_requests(emu):
    with pytest.raises(urllib.error.HTTPError) as err:
        emu.configure(no_such_section={"x": 1})
    assert err.value.code == 400
    with pytest.raises(urllib.error.HTTPError) as err:
        emu.inject_fault("glue", "GetSession", "X", count=0)
    assert err.value.code == 400
    assert emu.control("GET", "/_emulator/faults") == {"faults": []}


def test_fault_count_and_clear(emu):
    glue = emu.client("glue", config=Config(retries={"total_max_attempts": 1}))
    emu.inject_fault("glue", "GetDatabases", "InternalServiceException", "boom", status=500, count=2)
    for _ in range(2):
        with pytest.raises(Exception, match="InternalServiceException"):
            glue.get_databases()
    assert glue.get_databases()["DatabaseList"] == []
    emu.inject_fault("glue", "GetDatabases", "AccessDeniedException", "no", count=-1)
    emu.clear_faults()
    assert glue.get_databases()["DatabaseList"] == []


def test_cli_up_status_down(tmp_path):
    port = free_port_pair()
    env = {**os.environ, "PYTHONPATH": TOOLS}
    cli = [sys.executable, "-m", "local_emulator"]
    state = ["--port", str(port), "--state-dir", str(tmp_path)]
    up = subprocess.run(
        [*cli, "up", *state], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    try:
        assert up.returncode == 0, up.stderr
        assert f"export AWS_ENDPOINT_URL=https://127.0.0.1:{port}" in up.stdout
        assert (tmp_path / "server.pid").exists()
        status = subprocess.run(
            [*cli, "status", *state], env=env, capture_output=True, text=True, check=False
        )
        assert status.returncode == 0
        with socket.create_connection(("127.0.0.1", port + 1), timeout=2):
            pass  # the plain-HTTP twin listens too
    finally:
        down = subprocess.run(
            [*cli, "down", *state], env=env, capture_output=True, text=True, timeout=30, check=False
        )
    assert down.returncode == 0
    status = subprocess.run([*cli, "status", *state], env=env, capture_output=True, text=True, check=False)
    assert status.returncode == 3


def test_refuses_other_moto_version():
    code = (
        "import moto; moto.__version__ = '9.9.9'\n"
        "try:\n    import local_emulator.patching\nexcept RuntimeError as e:\n    print('refused:', e)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": TOOLS},
        capture_output=True,
        text=True,
        check=False,
    )
    assert "refused: local_emulator corrections are written for moto==5.2.1" in out.stdout


def test_health_and_config_roundtrip(emu):
    assert emu.control("GET", "/_emulator/health")["status"] == "ok"
    values = emu.configure(glue_session={"provisioning_seconds": 4})
    assert values["glue_session"]["provisioning_seconds"] == 4
    emu.reset()
    assert (
        json.loads(json.dumps(emu.control("GET", "/_emulator/config")))["glue_session"][
            "provisioning_seconds"
        ]
        == 1.0
    )
