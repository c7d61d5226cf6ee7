"""Keep each module README's inputs/outputs tables equal to its variables.tf / outputs.tf.

    python tools/tfdocs.py           # rewrite the tables between the markers
    python tools/tfdocs.py --check   # exit 1 if any README is stale

`make docs` / `make lint` run it through tools/gendocs.py, with every other generated document.

The tables live between `<!-- BEGIN_TF_DOCS -->` and `<!-- END_TF_DOCS -->`; everything else in the
README is hand-written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import hcl2

REPO_ROOT = Path(__file__).resolve().parent.parent
BEGIN, END = "<!-- BEGIN_TF_DOCS -->", "<!-- END_TF_DOCS -->"


def _unquote(value: Any) -> str:
    text = str(value)
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        text = text[1:-1]
    if text.startswith("${") and text.endswith("}"):
        text = text[2:-1]
    return text.replace("\\n", " ").replace('\\"', '"').replace("|", "\\|").replace("\n", " ")


def _type_text(value: Any) -> str:
    text = _unquote(value)
    return " ".join(text.split())


def _default_text(block: dict[str, Any]) -> str:
    if "default" not in block:
        return "required"
    value = block["default"]
    if value is None:
        return "`null`"
    if isinstance(value, bool):
        return "`true`" if value else "`false`"
    if isinstance(value, (dict, list)):
        return f"`{_compact(value)}`"
    return f"`{_unquote(value)}`" if str(value) != "" else '`""`'


def _compact(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        inner = ", ".join(f"{k} = {_compact(v)}" for k, v in value.items() if k != "__is_block__")
        return "{" + inner + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_compact(v) for v in value) + "]"
    return _unquote(value) if not isinstance(value, str) or not value.startswith('"') else value


def _blocks(path: Path, kind: str) -> list[tuple[str, dict[str, Any]]]:
    if not path.exists():
        return []
    with path.open() as handle:
        parsed = hcl2.load(handle)
    found = []
    for entry in parsed.get(kind, []):
        for name, block in entry.items():
            found.append((name.strip('"'), block))
    return found


def render_tables(module_dir: Path) -> str:
    lines = [BEGIN, "## Inputs", "", "| Name | Description | Type | Default |", "|---|---|---|---|"]
    for name, block in _blocks(module_dir / "variables.tf", "variable"):
        description = _unquote(block.get("description", ""))
        type_text = _type_text(block.get("type", "any"))
        lines.append(f"| `{name}` | {description} | `{type_text}` | {_default_text(block)} |")
    lines += ["", "## Outputs", "", "| Name | Description |", "|---|---|"]
    for name, block in _blocks(module_dir / "outputs.tf", "output"):
        lines.append(f"| `{name}` | {_unquote(block.get('description', ''))} |")
    lines.append(END)
    return "\n".join(lines)


def update(readme: Path, tables: str) -> str:
    text = readme.read_text() if readme.exists() else f"# {readme.parent.name}\n\n{BEGIN}\n{END}\n"
    if BEGIN not in text or END not in text:
        text = text.rstrip() + f"\n\n{BEGIN}\n{END}\n"
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return head + tables + tail


def module_readmes(root: Path = REPO_ROOT) -> dict[Path, str]:
    """README path -> its wanted text, for every module and submodule under root/modules
    (modules/<m>/modules/<sub>: terraform-aws-modules' layout)."""
    modules = (root / "modules").glob("*/variables.tf")
    submodules = (root / "modules").glob("*/modules/*/variables.tf")
    return {
        module_dir / "README.md": update(module_dir / "README.md", render_tables(module_dir))
        for module_dir in sorted(p.parent for p in [*modules, *submodules])
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    stale = []
    for readme, wanted in module_readmes().items():
        if not readme.exists() or readme.read_text() != wanted:
            stale.append(str(readme.relative_to(REPO_ROOT)))
            if not args.check:
                readme.write_text(wanted)
    if args.check and stale:
        print("README tables out of date (run `make docs`):\n  " + "\n  ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
