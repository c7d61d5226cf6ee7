"""`make demo PRODUCT=music_library`: Project Wolfie, the music-library product, on the emulator.

1. starts the emulator on EMULATOR_PORT (unless it already runs),
2. builds the product's artifacts from its own folders (PACKAGE_COMMAND) and applies
   envs/music_library (state in .emulator/demo-music-<port>/),
3. generates the sample library (tools/music_library_sample/generate.py) and, for each day, drops
   that day's library export and listening log in the landing bucket and runs the workflow for the
   day, printing every state entered; day 2 re-rates a track, the last day removes one, and the
   last day's log is delivered twice,
4. prints what each layer holds (raw drops, bronze/silver rows per dataset, gold rows per report)
   and a few rows of each report,
5. tears down (KEEP=1 leaves the emulator and the stack running).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Optional

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO_ROOT / "tools"), str(REPO_ROOT / "src"), str(REPO_ROOT)]

import envctl  # noqa: E402
import run_schedule  # noqa: E402
from local_emulator.cli import is_healthy  # noqa: E402
from local_emulator.constants import default_state_dir  # noqa: E402
from local_emulator.handle import Emulator  # noqa: E402
from music_library_sample.generate import day_files, generate_library  # noqa: E402

SOURCE = "music_library"
ENV_DIR = REPO_ROOT / "envs" / "music_library"
# The product's own build: the repository's engines plus the product's gold job folder.
PACKAGE_COMMAND = (
    "python tools/package.py --sources-dir sources --lambda-dir lambda_src "
    "--glue-dir glue_jobs --glue-dir sources/music_library/glue --out dist/music_library"
)
LAYERS = ("raw", "bronze", "silver", "gold")
REPORTS = ("plays_by_track_month", "rarely_played", "genre_bpm_band", "key_distribution")
PORT = int(os.environ.get("EMULATOR_PORT", "4566"))
KEEP = os.environ.get("KEEP") == "1"
DEMO_DIR = REPO_ROOT / ".emulator" / f"demo-music-{PORT}"
T0 = time.monotonic()


def say(message: str) -> None:
    print(f"[{time.monotonic() - T0:6.1f}s] {message}", flush=True)


def package() -> None:
    """Build the product's artifacts as a team would (PACKAGE_COMMAND), with this interpreter."""
    args = PACKAGE_COMMAND.split()[1:]
    subprocess.run([sys.executable, *args], check=True, cwd=REPO_ROOT, stdout=subprocess.DEVNULL)


def terraform(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # `terraform output` takes no -input flag; every other command here must never prompt.
    flags = ["-no-color"] if args[0] == "output" else ["-input=false", "-no-color"]
    return subprocess.run(
        [str(envctl.TERRAFORM), f"-chdir={ENV_DIR}", *args, *flags],
        env=env,
        text=True,
        capture_output=True,
        check=False,
    )


def terraform_env() -> dict[str, str]:
    return {**os.environ, **envctl.emulator_environment(PORT), "TF_DATA_DIR": str(DEMO_DIR / ".terraform")}


def apply() -> dict[str, Any]:
    say(f"building the product's artifacts: {PACKAGE_COMMAND}")
    package()
    say("terraform apply envs/music_library (contract, notifications, storage with landing, pipeline) ...")
    DEMO_DIR.mkdir(parents=True, exist_ok=True)
    env = terraform_env()
    for args in (
        ["init", f"-backend-config=path={DEMO_DIR / 'terraform.tfstate'}"],
        ["apply", "-auto-approve"],
    ):
        result = terraform(args, env)
        if result.returncode != 0:
            sys.stderr.write(result.stdout[-4000:] + result.stderr)
            raise SystemExit(f"terraform {args[0]} failed")
    say(next((line for line in result.stdout.splitlines() if line.startswith("Apply complete")), "applied"))
    output = terraform(["output", "-json"], env)
    if output.returncode != 0:
        raise SystemExit(f"terraform output failed: {output.stderr}")
    return {name: value["value"] for name, value in json.loads(output.stdout).items()}


def keys(emulator: Emulator, bucket: str) -> list[str]:
    found: list[str] = []
    for page in (
        emulator.client("s3").get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=f"{SOURCE}/")
    ):
        found.extend(item["Key"] for item in page.get("Contents", []))
    return sorted(found)


def parquet_rows(emulator: Emulator, bucket: str, prefix: str) -> list[dict[str, Any]]:
    import pyarrow.parquet as pq  # noqa: PLC0415 - only the summary needs it

    s3, rows = emulator.client("s3"), []
    for key in keys(emulator, bucket):
        if key.startswith(prefix) and key.endswith(".parquet"):
            rows.extend(
                pq.read_table(io.BytesIO(s3.get_object(Bucket=bucket, Key=key)["Body"].read())).to_pylist()
            )
    return rows


def run_day(emulator: Emulator, outputs: dict[str, Any], day: dt.date) -> str:
    sfn = emulator.client("stepfunctions")
    arn = sfn.start_execution(
        stateMachineArn=outputs["pipeline"]["workflow_arn"],
        name=f"demo-{day:%Y%m%d}-{int(time.time())}",
        input=json.dumps({"ingest_date": day.isoformat()}),
    )["executionArn"]
    steps = [0]

    def on_state(seconds: float, _kind: str, state: str) -> None:
        steps[0] += 1
        print(f"    {steps[0]:>4} {seconds:>8.1f}  {state}", flush=True)

    result = run_schedule.follow(sfn, arn, on_state, poll_seconds=0.5)
    seconds = (result["stopDate"] - result["startDate"]).total_seconds()
    say(f"workflow for {day} {result['status']} after {seconds:.1f} s ({steps[0]} states)")
    return str(result["status"])


def show_layers(emulator: Emulator, outputs: dict[str, Any]) -> None:
    buckets = outputs["storage"]["bucket_names"]
    # raw: every drop copied; bronze: one partition per delivery day (all days counted); silver:
    # the merged current snapshot; gold: the reports.
    print(f"\n  {'layer':<7} {'objects':>7}  rows per dataset (bronze: all delivery days)")
    for layer in LAYERS:
        found = keys(emulator, buckets[layer])
        if layer == "raw":
            detail = ", ".join(
                f"{d} {sum(1 for k in found if k.split('/')[1] == d)} drop(s)" for d in ("tracks", "plays")
            )
        else:
            datasets = REPORTS if layer == "gold" else ("tracks", "plays")
            detail = ", ".join(
                f"{d} {len(parquet_rows(emulator, buckets[layer], f'{SOURCE}/{d}/'))}" for d in datasets
            )
        print(f"  {layer:<7} {len(found):>7}  {detail}")
    for report in REPORTS:
        rows = parquet_rows(emulator, buckets["gold"], f"{SOURCE}/{report}/")
        print(f"\n  gold {report} (first 3 of {len(rows)}):")
        for row in rows[:3]:
            print("    " + json.dumps(row, default=str, ensure_ascii=False))
    print(flush=True)


def teardown(started: bool, outputs: dict[str, Any]) -> None:
    if KEEP:
        print(
            f"\nKEEP=1: the emulator (port {PORT}) and envs/music_library stay up; state in {DEMO_DIR}.\n"
            f"Tear down: make emulator-down EMULATOR_PORT={PORT} && rm -rf {DEMO_DIR}"
        )
        return
    if outputs and not started:
        say("terraform destroy envs/music_library ...")
        terraform(["destroy", "-auto-approve"], terraform_env())
    if started:
        subprocess.run(
            [sys.executable, "-m", "local_emulator", "down", "--port", str(PORT)],
            check=False,
            stdout=subprocess.DEVNULL,
        )
        say("emulator stopped (everything it held is gone)")
    shutil.rmtree(DEMO_DIR, ignore_errors=True)
    say("torn down")


def main(argv: Optional[list[str]] = None) -> int:
    del argv
    started = False
    if is_healthy(PORT, default_state_dir(PORT)):
        say(f"emulator already running on 127.0.0.1:{PORT}")
    else:
        subprocess.run(
            [sys.executable, "-m", "local_emulator", "up", "--port", str(PORT)],
            check=True,
            cwd=REPO_ROOT,
            stdout=subprocess.DEVNULL,
        )
        started = True
        say(f"emulator started on https://127.0.0.1:{PORT}")
    emulator = Emulator(PORT, default_state_dir(PORT))
    outputs: dict[str, Any] = {}
    failed = False
    try:
        outputs = apply()
        library = generate_library()
        landing = outputs["storage"]["landing_bucket"]["name"]
        say(
            f"sample library: {len(library.tracks)} tracks, {len(library.plays)} plays "
            f"over {len(library.days)} days"
        )
        for day in library.days:
            files = day_files(library, day)
            if day == library.days[-1]:
                # The player sends the last log twice: the pipeline must count each play once.
                plays = f"plays/plays-{day:%Y-%m-%d}.ndjson"
                files[plays.replace(".ndjson", "-resent.ndjson")] = files[plays]
            for name, body in files.items():
                emulator.client("s3").put_object(Bucket=landing, Key=f"{SOURCE}/{name}", Body=body)
            say(f"day {day}: dropped {', '.join(sorted(files))} in s3://{landing}/{SOURCE}/")
            failed = run_day(emulator, outputs, day) != "SUCCEEDED" or failed
        show_layers(emulator, outputs)
        say(
            f"track {library.rerated} was re-rated on day 2; "
            f"track {library.removed} left the library on the last day"
        )
    finally:
        teardown(started, outputs)
    say(f"demo finished: total wall time {time.monotonic() - T0:.1f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
