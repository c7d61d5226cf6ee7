"""Fixed identity of the local emulator (region, account, credentials) and where it keeps state."""

from __future__ import annotations

import os
from pathlib import Path

REGION = "eu-west-1"
ACCOUNT_ID = "123456789012"
ACCESS_KEY_ID = "test"
SECRET_ACCESS_KEY = "test"
HOST = "127.0.0.1"
DEFAULT_PORT = 4566
MOTO_VERSION = "5.2.1"


def default_port() -> int:
    """Port from EMULATOR_PORT, else 4566."""
    return int(os.environ.get("EMULATOR_PORT") or DEFAULT_PORT)


def default_state_dir(port: int) -> Path:
    """Where the server on `port` keeps ca.pem, key, pid and log: $EMULATOR_STATE_DIR/<port>, else
    ./.emulator/<port> (the project that starts the emulator owns its state, not this package)."""
    root = os.environ.get("EMULATOR_STATE_DIR")
    return (Path(root) if root else Path.cwd() / ".emulator") / str(port)
