"""Fixtures for the emulator's own tests: a clean emulator per test."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def emu(emulator: Any) -> Any:
    """The session emulator, reset before each test (state, faults, settings)."""
    emulator.reset()
    return emulator
