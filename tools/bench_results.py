"""Run the bench/ scripts and write what they print to bench/RESULTS.md, with the date, the
machine and the commit, so the documentation quotes numbers a command produced.

    python tools/bench_results.py                     # every bench in BENCHES
    python tools/bench_results.py guard_cost storage_cost   # only these; the others' sections stay

Each bench runs as its own process with the arguments listed below (the slow ones in their
documented short form). A bench that fails is recorded as failed with its exit code and output
tail, and this command then exits non-zero: RESULTS.md never shows a stale figure as current.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "RESULTS.md"
_SECTION = re.compile(r"^## `(?P<name>[a-z_]+)`", re.MULTILINE)


@dataclass(frozen=True)
class Bench:
    name: str
    args: Tuple[str, ...]
    what: str


BENCHES: Tuple[Bench, ...] = (
    Bench("guard_cost", (), "what the Glue session guard costs per month, itemised, per profile and region"),
    Bench(
        "pipeline_cost", (), "modelled cost of one daily WordPress pipeline run next to the console build's"
    ),
    Bench("storage_cost", (), "monthly S3 storage cost of 1 GB/day per layer under the lifecycle rules"),
    Bench(
        "silver_transform", ("--repeat", "7"), "silver transform throughput vs a plain Parquet copy, 1M rows"
    ),
    Bench("iam_judge", ("--calls", "1000"), "what judging permissions costs per emulator call"),
    Bench(
        "guard_overrun",
        (),
        "how long sessions run past their lifetime: the console build's design vs this guard",
    ),
    Bench(
        "wordpress_ingest",
        ("--memory-only", "--object-max-bytes", "8388608"),
        "raw and bronze on 1,000,000 statistics rows: time, peak memory, requests, daily cost",
    ),
)
# bench/suite_time.py compares two commits (--before/--after) and is run by hand for a change.


def machine() -> str:
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        match = re.search(r"MemTotal:\s+(\d+) kB", meminfo.read_text())
        memory = f", {int(match.group(1)) / 1024 / 1024:.0f} GiB memory" if match else ""
    python = platform.python_version()
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs{memory}, Python {python}"


def commit() -> str:
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=False
    )
    dirty = subprocess.run(
        ["git", "status", "--porcelain"], cwd=REPO, capture_output=True, text=True, check=False
    )
    return head.stdout.strip() + (" (with uncommitted changes)" if dirty.stdout.strip() else "")


def run_bench(bench: Bench) -> Tuple[int, float, str]:
    """(exit code, seconds, stdout + stderr tail on failure) of one bench."""
    command = [sys.executable, str(REPO / "bench" / f"{bench.name}.py"), *bench.args]
    started = time.monotonic()
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    seconds = time.monotonic() - started
    output = done.stdout.rstrip()
    if done.returncode != 0:
        output += "\n" + "\n".join(done.stderr.rstrip().splitlines()[-20:])
    return done.returncode, seconds, output


def section(bench: Bench, outcome: Tuple[int, float, str], when: str, where: str) -> str:
    code, seconds, output = outcome
    command = " ".join(["python", f"bench/{bench.name}.py", *bench.args])
    status = "" if code == 0 else f" — **FAILED (exit {code})**"
    return (
        f"## `{bench.name}`\n\n{bench.what}.\n\n`{command}` — {seconds:.0f} s, {when}, "
        f"commit {where}{status}\n\n```\n{output}\n```\n"
    )


def existing_sections(text: str) -> Dict[str, str]:
    """Sections of a previous RESULTS.md, by bench name."""
    matches = list(_SECTION.finditer(text))
    return {
        match.group("name"): text[
            match.start() : (matches[i + 1].start() if i + 1 < len(matches) else None)
        ].rstrip()
        + "\n"
        for i, match in enumerate(matches)
    }


def render(sections: Dict[str, str], host: str) -> str:
    names = [bench.name for bench in BENCHES if bench.name in sections]
    header = (
        "# Bench results\n\n"
        "Written by `make bench` (tools/bench_results.py); do not edit by hand. Each section says when "
        "and at which commit it was produced; rerun one with `make bench BENCH=<name>`.\n\n"
        f"Machine of the latest run: {host}.\n\n"
        + "".join(f"- [`{name}`](#{name})\n" for name in names)
        + "\n"
    )
    return header + "\n".join(sections[name] for name in names)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="benches to run (default: all)")
    args = parser.parse_args(argv)
    known = {bench.name: bench for bench in BENCHES}
    unknown = sorted(set(args.names) - set(known))
    if unknown:
        parser.error(f"unknown bench(es) {', '.join(unknown)}; known: {', '.join(known)}")
    chosen: List[Bench] = [known[name] for name in args.names] if args.names else list(BENCHES)
    sections = existing_sections(RESULTS.read_text()) if RESULTS.exists() else {}
    failed = []
    where = commit()
    for bench in chosen:
        print(f"== bench/{bench.name}.py {' '.join(bench.args)}", flush=True)
        outcome = run_bench(bench)
        print(outcome[2], flush=True)
        when = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        sections[bench.name] = section(bench, outcome, when, where)
        if outcome[0] != 0:
            failed.append(bench.name)
    RESULTS.write_text(render(sections, machine()))
    print(f"wrote {RESULTS.relative_to(REPO)}")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
