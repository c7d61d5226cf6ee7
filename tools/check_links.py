"""Fail when a repository link in the Markdown documentation points nowhere.

Checks every relative link `[text](path)` and `[text](path#anchor)` in README.md, CONTRIBUTING.md
and every *.md under docs/, modules/, sources/, bench/ and emulator/: the file must exist, and an
anchor into a Markdown file must be one of its headings (GitHub's heading slugs). Links to web
addresses are not fetched (CI has no internet).

    python tools/check_links.py      # prints each broken link, exits 1 if there is one
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Iterator, List, Set, Tuple

REPO = Path(__file__).resolve().parents[1]
ROOTS = ("docs", "modules", "sources", "bench", "emulator")
_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*$", re.MULTILINE)
_FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)


def markdown_files() -> List[Path]:
    files = [REPO / "README.md", REPO / "CONTRIBUTING.md"]
    for root in ROOTS:
        files += sorted(
            p for p in (REPO / root).rglob("*.md") if ".terraform" not in p.parts and ".venv" not in p.parts
        )
    return [f for f in files if f.exists()]


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"`|\*\*|\*", "", heading).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> Set[str]:
    text = _FENCE.sub("", path.read_text(encoding="utf-8"))
    return {slug(match.group(1)) for match in _HEADING.finditer(text)}


def links(path: Path) -> Iterator[Tuple[int, str]]:
    text = path.read_text(encoding="utf-8")
    without_code = _FENCE.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    for number, line in enumerate(without_code.splitlines(), start=1):
        for match in _LINK.finditer(re.sub(r"`[^`]*`", "", line)):
            yield number, match.group(1)


def broken(path: Path) -> List[str]:
    problems = []
    for number, target in links(path):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:
            continue
        location, _, anchor = target.partition("#")
        resolved = (path.parent / location).resolve() if location else path
        where = f"{path.relative_to(REPO)}:{number}: {target}"
        if not resolved.exists():
            problems.append(f"{where}: no such file")
        elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
            problems.append(f"{where}: no heading with anchor #{anchor} in {resolved.relative_to(REPO)}")
    return problems


def main() -> int:
    problems = [problem for path in markdown_files() for problem in broken(path)]
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} broken link(s)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
