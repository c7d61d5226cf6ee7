"""Render an asl/*.asl.json file exactly as the state_machine module does: Terraform's templatefile().

Tests create state machines on the emulator from this output, so what they execute is byte for byte
what Terraform would deploy. Terraform is run through tools/terraform.sh in an empty directory
(`terraform console` needs no providers), once per distinct (file, variables) pair.
"""

from __future__ import annotations

import functools
import json
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
TERRAFORM = REPO_ROOT / "tools" / "terraform.sh"


def _hcl_string(value: str) -> str:
    """A JSON string literal is a valid HCL string once template sequences are escaped."""
    return json.dumps(value).replace("${", "$${").replace("%{", "%%{")


def _as_template_value(value: object) -> str:
    # The module's definition_vars is map(string): Terraform converts numbers and bools to strings.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


@functools.lru_cache(maxsize=64)
def _render_cached(path: str, frozen_vars: tuple[tuple[str, str], ...]) -> str:
    pairs = ", ".join(f"{_hcl_string(k)} = {_hcl_string(v)}" for k, v in frozen_vars)
    expression = f"jsonencode(templatefile({_hcl_string(path)}, {{ {pairs} }}))\n"
    with tempfile.TemporaryDirectory() as empty_dir:
        result = subprocess.run(
            [str(TERRAFORM), f"-chdir={empty_dir}", "console"],
            input=expression,
            capture_output=True,
            text=True,
            check=False,
        )
    if result.returncode != 0:
        raise RuntimeError(f"templatefile({path}) failed:\n{result.stderr}")
    # console prints the HCL string literal of the jsonencoded text.
    return json.loads(json.loads(result.stdout.strip()))


def render(asl_file: str | Path, variables: Mapping[str, object]) -> str:
    """Rendered definition text; raises if Terraform rejects the template or the result isn't JSON."""
    path = str(Path(asl_file).resolve())
    frozen = tuple(sorted((k, _as_template_value(v)) for k, v in variables.items()))
    text = _render_cached(path, frozen)
    json.loads(text)  # a template that renders to invalid JSON must fail here, not on the emulator
    return text
