"""`python -m local_emulator up|down|status|serve|denials --port N`."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import signal
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Optional

from local_emulator.constants import default_port, default_state_dir
from local_emulator.env import client_env, http_endpoint, https_endpoint

START_TIMEOUT_SECONDS = 30.0


def is_healthy(port: int, state_dir: Path) -> bool:
    ca = state_dir / "ca.pem"
    if not ca.exists():
        return False
    try:
        context = ssl.create_default_context(cafile=str(ca))
        with urllib.request.urlopen(
            f"{https_endpoint(port)}/_emulator/health", context=context, timeout=2
        ) as response:
            return response.status == 200
    except (OSError, urllib.error.URLError, ssl.SSLError):
        return False


def _read_pid(state_dir: Path) -> Optional[int]:
    try:
        pid = int((state_dir / "server.pid").read_text().strip())
    except (OSError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except OSError:
        return None
    return pid


def spawn(port: int, state_dir: Path) -> subprocess.Popen[bytes]:
    """Start `serve` as a detached process logging to <state_dir>/server.log."""
    state_dir.mkdir(parents=True, exist_ok=True)
    (state_dir / "ca.pem").unlink(missing_ok=True)
    log = (state_dir / "server.log").open("wb")  # one log per server start
    package_root = str(Path(__file__).resolve().parents[1])  # the server imports this copy
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH", "")) if p)
    for name in ("AWS_ENDPOINT_URL", "AWS_CA_BUNDLE"):
        env.pop(name, None)  # the server must not point at itself through a stale bundle
    process = subprocess.Popen(
        [sys.executable, "-m", "local_emulator", "serve", "--port", str(port), "--state-dir", str(state_dir)],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env=env,
        start_new_session=True,
    )
    (state_dir / "server.pid").write_text(f"{process.pid}\n")
    return process


def wait_healthy(port: int, state_dir: Path, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"emulator exited with code {process.returncode}; see {state_dir / 'server.log'}"
            )
        if is_healthy(port, state_dir):
            return
        time.sleep(0.1)
    raise RuntimeError(f"emulator not healthy after {START_TIMEOUT_SECONDS}s; see {state_dir / 'server.log'}")


def stop_pid(pid: int, timeout: float = 10.0, process: Optional[subprocess.Popen[bytes]] = None) -> None:
    """SIGTERM, then SIGKILL after `timeout`. Pass `process` when we are the parent (reaps it)."""
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None:
            if process.poll() is not None:
                return
        else:
            try:
                os.kill(pid, 0)
            except OSError:
                return
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)


def _print_exports(port: int, state_dir: Path) -> None:
    print(f"emulator: {https_endpoint(port)} (plain HTTP twin: {http_endpoint(port)})")
    for key, value in client_env(port, state_dir).items():
        print(f"export {key}={value}")


def cmd_up(port: int, state_dir: Path) -> int:
    if _read_pid(state_dir) and is_healthy(port, state_dir):
        print(f"emulator already running on port {port}")
        _print_exports(port, state_dir)
        return 0
    started = time.monotonic()
    process = spawn(port, state_dir)
    try:
        wait_healthy(port, state_dir, process)
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(
        f"emulator started in {time.monotonic() - started:.1f}s "
        f"(pid {process.pid}, log {state_dir / 'server.log'})"
    )
    _print_exports(port, state_dir)
    return 0


def cmd_down(port: int, state_dir: Path) -> int:
    pid = _read_pid(state_dir)
    if pid is None:
        print(f"emulator not running on port {port}")
        return 0
    stop_pid(pid)
    (state_dir / "server.pid").unlink(missing_ok=True)
    print(f"emulator on port {port} stopped (pid {pid})")
    return 0


def cmd_status(port: int, state_dir: Path) -> int:
    pid = _read_pid(state_dir)
    if pid and is_healthy(port, state_dir):
        print(f"emulator running on {https_endpoint(port)} (pid {pid})")
        return 0
    print(f"emulator not running on port {port}")
    return 3


def cmd_denials(port: int, state_dir: Path) -> int:
    """Print the IAM judge's denials (and unmapped calls): from the running server, else from
    the log it left in its state dir. Exit 1 when there is any."""
    from local_emulator.iam.audit import format_table  # noqa: PLC0415

    rows: list[dict[str, object]] = []
    if is_healthy(port, state_dir):
        context = ssl.create_default_context(cafile=str(state_dir / "ca.pem"))
        url = f"{https_endpoint(port)}/_emulator/iam/decisions?denied=1"
        with urllib.request.urlopen(url, context=context, timeout=10) as response:
            rows = json.loads(response.read())["decisions"]
    elif (state_dir / "iam-denials.jsonl").exists():
        lines = (state_dir / "iam-denials.jsonl").read_text().splitlines()
        rows = [json.loads(line) for line in lines if line.strip()]
    else:
        print(f"no emulator on port {port} and no denial log in {state_dir}", file=sys.stderr)
        return 2
    print(format_table(rows))
    return 1 if rows else 0


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local_emulator", description=__doc__)
    parser.add_argument("command", choices=["up", "down", "status", "serve", "denials"])
    parser.add_argument("--port", type=int, default=default_port())
    parser.add_argument("--state-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    state_dir: Path = args.state_dir or default_state_dir(args.port)
    if args.command == "serve":
        # Imported here so that up/down/status stay fast: the server module imports all of moto.
        server = importlib.import_module("local_emulator.server")
        server.serve(args.port, state_dir)
        return 0
    try:
        commands = {"up": cmd_up, "down": cmd_down, "status": cmd_status, "denials": cmd_denials}
        return commands[args.command](args.port, state_dir)
    except BrokenPipeError:  # e.g. `up | head -1`: the reader left, the command itself succeeded
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
