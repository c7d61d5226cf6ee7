"""Every generated document in the repository, regenerated or checked in one place.

    python tools/gendocs.py            # rewrite what is stale (`make docs`)
    python tools/gendocs.py --check    # exit 1 naming each stale file (`make lint`, pre-commit)

Generated parts, each between markers so the prose around them stays hand-written:
- module READMEs: the inputs/outputs tables, from variables.tf / outputs.tf (tools/tfdocs.py);
- docs/decisions/README.md: the index of decision records, from each record's title line;
- README.md: the make-verbs table, from the `## ` help text of each Makefile target (the text
  `make help` prints), so the two never disagree.

bench/RESULTS.md is generated too, but by running the benches (`make bench`): it records
measurements, so it is not rebuilt or checked here.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from pathlib import Path

import tfdocs

REPO_ROOT = Path(__file__).resolve().parent.parent
FIX_COMMAND = "make docs"

DECISIONS_BEGIN, DECISIONS_END = "<!-- BEGIN_DECISIONS -->", "<!-- END_DECISIONS -->"
VERBS_BEGIN, VERBS_END = "<!-- BEGIN_MAKE_VERBS -->", "<!-- END_MAKE_VERBS -->"
# "name [name ...]: prerequisites ## help", the lines `make help` lists.
MAKE_TARGET = re.compile(r"^([a-z][a-z0-9 -]*):[^#]*## (.+)$")
# Plumbing a reader never types; `make help` lists them, the README does not.
UNLISTED_VERBS = frozenset({"help", "venv"})
# "# 0001 — Silver is written, audited, then published" (an em dash or a hyphen).
TITLE = re.compile(r"^#\s+(\d{4})\s+[—-]\s+(.+?)\s*$")


def between(text: str, begin: str, end: str, generated: str, where: Path) -> str:
    """`text` with what lies between the markers replaced; refuses a file without both markers."""
    if begin not in text or end not in text:
        raise SystemExit(f"{where}: the markers {begin} / {end} are missing; put them where the table goes")
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{begin}\n{generated}\n{end}{tail}"


def decision_index(root: Path) -> dict[Path, str]:
    """docs/decisions/README.md with one row per record, in number order."""
    folder = root / "docs" / "decisions"
    index = folder / "README.md"
    rows = ["| # | decision |", "|---|---|"]
    for record in sorted(folder.glob("[0-9][0-9][0-9][0-9]-*.md")):
        first = record.read_text(encoding="utf-8").splitlines()[0] if record.stat().st_size else ""
        match = TITLE.match(first)
        if not match:
            raise SystemExit(f"{record}: the first line must be '# NNNN — title', found {first!r}")
        rows.append(f"| [{match.group(1)}]({record.name}) | {match.group(2)} |")
    text = index.read_text(encoding="utf-8")
    return {index: between(text, DECISIONS_BEGIN, DECISIONS_END, "\n".join(rows), index)}


def table_cell(text: str) -> str:
    """`text` safe inside a Markdown table cell (GitHub reads `\\|` as a pipe, in code spans too)."""
    return text.replace("|", "\\|")


def make_verbs(root: Path) -> dict[Path, str]:
    """README.md's make-verbs table: one row per documented Makefile target, in Makefile order."""
    rows = ["| verb | does |", "|---|---|"]
    for line in (root / "Makefile").read_text(encoding="utf-8").splitlines():
        match = MAKE_TARGET.match(line)
        if not match or match.group(1) in UNLISTED_VERBS:
            continue
        verb = "|".join(match.group(1).split())  # "plan apply destroy" -> plan|apply|destroy
        rows.append(f"| {table_cell(f'`make {verb}`')} | {table_cell(match.group(2).strip())} |")
    readme = root / "README.md"
    text = readme.read_text(encoding="utf-8")
    return {readme: between(text, VERBS_BEGIN, VERBS_END, "\n".join(rows), readme)}


GENERATORS: dict[str, Callable[[Path], dict[Path, str]]] = {
    "module README tables (tools/tfdocs.py)": tfdocs.module_readmes,
    "decision record index": decision_index,
    "make-verbs table (Makefile help)": make_verbs,
}


def stale_files(root: Path, write: bool) -> list[tuple[Path, str]]:
    """(file, generator) for every generated file whose text differs; rewritten when `write`."""
    stale = []
    for name, generate in GENERATORS.items():
        for path, wanted in generate(root).items():
            if not path.exists() or path.read_text(encoding="utf-8") != wanted:
                stale.append((path, name))
                if write:
                    path.write_text(wanted, encoding="utf-8")
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a file is stale")
    parser.add_argument("--root", type=Path, default=REPO_ROOT, help="repository root (tests use a copy)")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    stale = stale_files(root, write=not args.check)
    for path, name in stale:
        shown = path.relative_to(root)
        if args.check:
            print(f"{shown} is stale ({name}): run `{FIX_COMMAND}` and commit the result")
        else:
            print(f"regenerated {shown} ({name})")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
