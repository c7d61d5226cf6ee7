"""The local WordPress site next to the emulator: `python tools/local_site.py up|down|status|corrupt`.

The sample site (tools/wordpress_sample/server.py, small scale = tests/fixtures/wordpress_small)
runs detached on 127.0.0.1:<site port>, where <site port> is WORDPRESS_PORT, else EMULATOR_PORT + 2
(the emulator itself uses EMULATOR_PORT and EMULATOR_PORT + 1). envs/local's
`wordpress_site` is `http://127.0.0.1:<wordpress_site_port>` (the five routes derive from it)
(variable default 4568 = 4566 + 2). Pid and log live in `.emulator/site-<site port>/`.

    up       start it (no-op when already healthy) and print the endpoint JSON
    down     stop it (SIGTERM to the pid in the pid file)
    status   exit 0 when it answers, 1 otherwise
    corrupt  KIND | --off: switch a corruption of the served data (see wordpress_sample.server)
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Optional

REPO_ROOT = Path(__file__).resolve().parent.parent
SERVER = REPO_ROOT / "tools" / "wordpress_sample" / "server.py"
DATASETS = ("posts", "statistics_pages", "term_relationships", "term_taxonomy", "terms")
ROUTE = "/wp-json/lakehouse/v1/"


def site_port() -> int:
    """WORDPRESS_PORT, else EMULATOR_PORT + 2 (4568 by default)."""
    if os.environ.get("WORDPRESS_PORT"):
        return int(os.environ["WORDPRESS_PORT"])
    return int(os.environ.get("EMULATOR_PORT") or 4566) + 2


def state_dir(port: int) -> Path:
    return REPO_ROOT / ".emulator" / f"site-{port}"


def endpoints(port: int) -> dict[str, str]:
    """dataset -> URL, as envs/local builds them from `wordpress_site_port`."""
    return {d: f"http://127.0.0.1:{port}{ROUTE}{d}?per_page=100" for d in DATASETS}


def _request(port: int, method: str, path: str, body: Optional[dict[str, Any]] = None) -> dict[str, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method)
    with urllib.request.urlopen(request, timeout=2) as response:
        return json.loads(response.read())


def health(port: int) -> Optional[dict[str, Any]]:
    try:
        return _request(port, "GET", "/_site/health")
    except (OSError, ValueError):
        return None


def _read_pid(port: int) -> Optional[int]:
    try:
        pid = int((state_dir(port) / "site.pid").read_text().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


def up(port: int, scale: str = "small") -> bool:
    """Start the site unless it already answers; True when this call started it."""
    if health(port) is not None:
        print(f"WordPress sample site already running on http://127.0.0.1:{port}")
        return False
    directory = state_dir(port)
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / "site.log", "ab") as log:
        process = subprocess.Popen(
            [sys.executable, str(SERVER), str(port), scale],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # survives the make/demo process that started it
        )
    (directory / "site.pid").write_text(f"{process.pid}\n")
    deadline = time.monotonic() + 15
    while health(port) is None:
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"the WordPress sample site did not start; see {directory / 'site.log'}")
        time.sleep(0.1)
    print(
        f"WordPress sample site on http://127.0.0.1:{port} (pid {process.pid}, log {directory / 'site.log'})"
    )
    return True


def down(port: int, timeout: float = 5.0) -> None:
    pid = _read_pid(port)
    if pid is None:
        print(f"no WordPress sample site recorded for port {port}")
        return
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except OSError:
            break
        time.sleep(0.1)
    else:
        os.kill(pid, signal.SIGKILL)
    (state_dir(port) / "site.pid").unlink(missing_ok=True)
    print(f"WordPress sample site on port {port} stopped (pid {pid})")


def corrupt(port: int, kind: Optional[str]) -> dict[str, Any]:
    """Switch the running site's corruption (None = serve the data as generated)."""
    if kind is None:
        return _request(port, "DELETE", "/_site/corruption")
    return _request(port, "POST", "/_site/corruption", {"kind": kind})


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("action", choices=("up", "down", "status", "corrupt"))
    parser.add_argument("kind", nargs="?", help="corruption kind (corrupt only)")
    parser.add_argument("--off", action="store_true", help="corrupt: serve the data as generated again")
    parser.add_argument("--port", type=int, default=None, help="default: WORDPRESS_PORT or EMULATOR_PORT+2")
    parser.add_argument("--scale", default="small")
    args = parser.parse_args(argv)
    port = args.port or site_port()
    if args.action == "up":
        up(port, args.scale)
        print(json.dumps(endpoints(port)))
    elif args.action == "down":
        down(port)
    elif args.action == "status":
        state = health(port)
        print(f"WordPress sample site on port {port}: {json.dumps(state) if state else 'not running'}")
        return 0 if state else 1
    else:
        if not args.off and not args.kind:
            parser.error("corrupt needs KIND or --off")
        try:
            print(json.dumps(corrupt(port, None if args.off else args.kind)))
        except urllib.error.HTTPError as exc:
            raise SystemExit(f"the site refused: {exc.read().decode()}") from exc
    return 0


if __name__ == "__main__":
    sys.exit(main())
