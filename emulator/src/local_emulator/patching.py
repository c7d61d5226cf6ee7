"""Guarded monkey-patching: every correction names the exact moto attribute it replaces.

If moto is not the pinned version, or a patched attribute no longer exists, we raise at import
time instead of silently serving uncorrected behaviour.
"""

from __future__ import annotations

import importlib
from typing import Any, Callable

import moto

from local_emulator.constants import MOTO_VERSION


class EmulatorPatchError(RuntimeError):
    """Raised when the installed moto does not match what the corrections were written for."""


if moto.__version__ != MOTO_VERSION:
    raise EmulatorPatchError(
        f"local_emulator corrections are written for moto=={MOTO_VERSION}, but moto=={moto.__version__} "
        "is installed. Re-check every module in local_emulator/corrections against the new moto "
        "before changing the pin."
    )


def target(module_name: str, attr_path: str) -> tuple[Any, str, Any]:
    """Resolve `module:attr.sub` and return (owner, attribute name, current value); raise if missing."""
    try:
        owner: Any = importlib.import_module(module_name)
    except ImportError as exc:  # pragma: no cover - only on a moto upgrade
        raise EmulatorPatchError(f"moto module {module_name} no longer exists") from exc
    parts = attr_path.split(".")
    for part in parts[:-1]:
        if not hasattr(owner, part):
            raise EmulatorPatchError(f"{module_name}.{attr_path}: {part} no longer exists in moto")
        owner = getattr(owner, part)
    name = parts[-1]
    if not hasattr(owner, name):
        raise EmulatorPatchError(f"{module_name}.{attr_path} no longer exists in moto")
    return owner, name, getattr(owner, name)


def replace(module_name: str, attr_path: str, new: Any) -> Any:
    """Replace an existing moto attribute; return the original (for wrappers)."""
    owner, name, original = target(module_name, attr_path)
    setattr(owner, name, new)
    return original


def wrap(module_name: str, attr_path: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: `@wrap("moto.x", "Cls.meth")` def new(original, *args, **kwargs)."""

    def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
        owner, name, original = target(module_name, attr_path)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            return func(original, *args, **kwargs)

        wrapper.__name__ = getattr(original, "__name__", name)
        wrapper.__doc__ = func.__doc__
        wrapper.__wrapped__ = original  # type: ignore[attr-defined]
        setattr(owner, name, wrapper)
        return func

    return decorator


def add_method(module_name: str, class_path: str, name: str, func: Callable[..., Any]) -> None:
    """Add a method moto lacks; raise if moto grew one meanwhile (re-check it then)."""
    _, _, cls = target(module_name, class_path)
    if name in vars(cls):
        raise EmulatorPatchError(
            f"{module_name}.{class_path}.{name} now exists in moto: re-check whether the emulator's "
            "implementation is still needed"
        )
    setattr(cls, name, func)
