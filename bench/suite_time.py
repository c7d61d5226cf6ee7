"""Wall time of emulator-backed test suites at two commits, on this machine, with this venv.

    python bench/suite_time.py --before main --after HEAD [--tests emulator/tests tests/asl]

Each commit is exported (git archive) to a temporary folder and its suites run there with its
own code first on PYTHONPATH (the emulator server the tests spawn imports the same tree). Prints
both times and the ratio; asserts nothing. Machine load skews single runs: compare runs made
back to back, and repeat with --rounds.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def export(ref: str, target: Path) -> None:
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref], check=True, capture_output=True).stdout
    tar_path = target / "tree.tar"
    tar_path.write_bytes(archive)
    with tarfile.open(tar_path) as tar:
        tar.extractall(target / "tree", filter="data")


def run_suites(tree: Path, tests: list[str]) -> tuple[float, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(str(tree / p) for p in ("src", "emulator/src", "tools"))
    env.pop("EMULATOR_STATE_DIR", None)
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    summary = (result.stdout.strip().splitlines() or ["(no output)"])[-1]
    return time.monotonic() - started, summary


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--before", default="main")
    parser.add_argument("--after", default="HEAD")
    parser.add_argument("--tests", nargs="+", default=["emulator/tests"])
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    times: dict[str, list[float]] = {args.before: [], args.after: []}
    with tempfile.TemporaryDirectory(prefix="suite-time-") as scratch:
        trees = {}
        for ref in (args.before, args.after):
            folder = Path(scratch) / ref.replace("/", "_")
            folder.mkdir()
            export(ref, folder)
            trees[ref] = folder / "tree"
        for _ in range(args.rounds):
            for ref in (args.before, args.after):
                seconds, summary = run_suites(trees[ref], args.tests)
                times[ref].append(seconds)
                print(f"{ref:>10}: {seconds:7.1f} s  ({summary})", flush=True)
    before, after = min(times[args.before]), min(times[args.after])
    ratio = after / before
    print(f"best of {args.rounds}: before {before:.1f} s, after {after:.1f} s, after/before {ratio:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
