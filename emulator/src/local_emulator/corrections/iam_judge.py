"""Permissions are evaluated as AWS evaluates them; see local_emulator/iam (hook.py for the moto
attribute it wraps, evaluate.py for the documented logic)."""

from __future__ import annotations

from local_emulator.iam import hook


def apply() -> None:
    hook.apply()
