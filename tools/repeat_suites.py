"""Run each emulator-backed suite several times in a row and print what every run counted.

A flaky test shows up as a run whose counts differ from the others. `make flakes` runs this with
the defaults; CI does not (it is a measurement, not a gate).

    python tools/repeat_suites.py [--runs 5] [--suite emulator/tests ...] [-- pytest args]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass

SUITES = ("emulator/tests", "tests/asl", "tests/e2e", "tests/e2e_wordpress")
# pytest's closing line, with or without the "=" rule around it (-q drops it).
_SUMMARY = re.compile(r"^=*\s*\d+ (passed|failed|errors?|skipped)\b.* in [\d.]+s")
_COUNT = re.compile(r"(\d+) (passed|failed|errors?|skipped|xfailed|xpassed)")


@dataclass
class Run:
    suite: str
    number: int
    counts: dict[str, int]
    seconds: float
    failures: list[str]


def parse_counts(output: str) -> dict[str, int]:
    """The counts of pytest's closing summary line ('3 passed, 1 failed in 2.0s')."""
    summary = next((line for line in reversed(output.splitlines()) if _SUMMARY.search(line)), "")
    counts = {"passed": 0, "failed": 0, "error": 0, "skipped": 0}
    for number, kind in _COUNT.findall(summary):
        key = "error" if kind.startswith("error") else kind
        counts[key] = counts.get(key, 0) + int(number)
    return counts


def failed_tests(output: str) -> list[str]:
    return [
        line.split(" ", 1)[1].split(" - ")[0]
        for line in output.splitlines()
        if line.startswith(("FAILED ", "ERROR "))
    ]


def run_suite(suite: str, number: int, extra: Sequence[str]) -> Run:
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "pytest", suite, "-q", "-rfE", "-p", "no:cacheprovider", *extra],
        capture_output=True,
        text=True,
        check=False,
    )
    output = result.stdout + result.stderr
    return Run(suite, number, parse_counts(output), time.monotonic() - started, failed_tests(output))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--suite", action="append", help="suite path (repeatable); default: SUITES")
    parser.add_argument("pytest_args", nargs="*")
    args = parser.parse_args(argv)
    runs: list[Run] = []
    print(f"{'suite':<20} {'run':>3} {'passed':>6} {'failed':>6} {'error':>5} {'skipped':>7} {'seconds':>8}")
    for suite in args.suite or SUITES:
        for number in range(1, args.runs + 1):
            run = run_suite(suite, number, args.pytest_args)
            runs.append(run)
            c = run.counts
            print(
                f"{suite:<20} {number:>3} {c['passed']:>6} {c['failed']:>6} {c['error']:>5} "
                f"{c['skipped']:>7} {run.seconds:>8.0f}",
                flush=True,
            )
            for name in run.failures:
                print(f"    {name}", flush=True)
    bad = [r for r in runs if r.counts["failed"] or r.counts["error"] or not r.counts["passed"]]
    print(f"{len(runs) - len(bad)} of {len(runs)} runs green")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
