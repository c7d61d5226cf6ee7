"""Permissions are evaluated as AWS evaluates them; see local_emulator/iam (hook.py for the moto
attribute it wraps, evaluate.py for the documented logic, simulate.py for SimulatePrincipalPolicy,
which moto 5.2.1 lacks)."""

from __future__ import annotations

from local_emulator.iam import hook, simulate


def apply() -> None:
    hook.apply()
    simulate.apply()
