"""envs/music_library (Project Wolfie) applied and run on an emulator of its own.

Three runs, in order, each started for its delivery day (`runs` fixture):
1. day 1: the library export (CSV) and the day's listening log (NDJSON) are dropped in the landing
   bucket -> SUCCEEDED; silver and gold hold exactly what the generator produced;
2. day 2: the new export (one track re-rated and moved to another genre, one track removed) and
   the day's log delivered twice under two names, plus day 1's log sent again -> SUCCEEDED; no
   play is counted twice, the re-rated track is merged, the removed track is gone;
3. day 3: a log with a play of a track the library does not know -> FAILED at the quality gate
   (the plays rule ReferentialIntegrity against the tracks candidate), one notification naming
   the dataset and the rule, live silver and gold exactly as after day 2.

Every expected number is computed here in plain Python from the sample generator
(tools/music_library_sample/generate.py), not by running the product's code.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from demo_music_library import package
from envctl import flatten_outputs
from local_emulator.handle import Emulator, running_emulator
from local_emulator.iam.audit import format_table
from music_library_sample.generate import day_files, export_rows, generate_library, play_rows, plays_ndjson
from notifications import Inbox, subscribe_inbox
from run_schedule import follow

from tests.e2e.conftest import leftovers_of, unexpected_denials

pytestmark = [pytest.mark.emulator, pytest.mark.e2e]

REPO_ROOT = Path(__file__).resolve().parents[2]
TERRAFORM = REPO_ROOT / "tools" / "terraform.sh"
ROOT = REPO_ROOT / "envs" / "music_library"
SOURCE = "music_library"
REPORTS = ("genre_bpm_band", "key_distribution", "plays_by_track_month", "rarely_played")
RUN_TIMEOUT = 600.0
LIBRARY = generate_library(seed=7, tracks=40, days=2)
DAY1, DAY2 = LIBRARY.days
DAY3 = DAY2 + dt.timedelta(days=1)
UNKNOWN_TRACK = 99_999


# ---- expectations from the generator (plain Python, independent of the pipeline) ----------------


def silver_tracks_after(day: dt.date) -> dict[int, dict[str, Any]]:
    """The library as of `day`'s export: newest export per track, removed tracks gone."""
    return {row["track_id"]: row for row in export_rows(LIBRARY, day) if not row["removed"]}


def plays_until(day: dt.date) -> dict[str, dict[str, Any]]:
    return {row["play_id"]: row for d in LIBRARY.days if d <= day for row in play_rows(LIBRARY, d)}


def band(bpm: float) -> str:
    low = int(bpm // 10 * 10)
    return f"{low}-{low + 9}"


def expected_gold(tracks: dict[int, dict[str, Any]], plays: dict[str, dict[str, Any]]) -> dict[str, Any]:
    counted: Counter[int] = Counter()
    monthly: dict[tuple[int, int, int], list[int]] = defaultdict(lambda: [0, 0, 0])
    for play in plays.values():
        if play["track_id"] not in tracks:
            continue
        month = (play["track_id"], int(play["played_at"][:4]), int(play["played_at"][5:7]))
        if play["skipped"]:
            monthly[month][1] += 1
        else:
            counted[play["track_id"]] += 1
            monthly[month][0] += 1
            monthly[month][2] += play["seconds_played"]
    bands: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    keys: Counter[tuple[str, str]] = Counter()
    for track_id, track in tracks.items():
        bands[(track["genre"], band(track["bpm"]))][0] += 1
        bands[(track["genre"], band(track["bpm"]))][1] += counted[track_id]
        keys[(track["genre"], track["musical_key"])] += 1
    return {
        "plays_by_track_month": {month: tuple(values) for month, values in monthly.items()},
        "rarely_played": {t: (counted[t], counted[t] == 0) for t in tracks if counted[t] <= 1},
        "genre_bpm_band": {key: tuple(values) for key, values in bands.items()},
        "key_distribution": dict(keys),
    }


# ---- the applied environment -----------------------------------------------------------------


@dataclass
class MusicEnv:
    emulator: Emulator
    outputs: dict[str, Any]

    @property
    def buckets(self) -> dict[str, str]:
        return {
            **self.outputs["storage"]["bucket_names"],
            "landing": self.outputs["storage"]["landing_bucket"]["name"],
        }

    def drop(self, files: dict[str, bytes]) -> None:
        s3 = self.emulator.client("s3")
        for name, body in files.items():
            s3.put_object(Bucket=self.buckets["landing"], Key=f"{SOURCE}/{name}", Body=body)

    def objects(self, layer: str) -> dict[str, str]:
        found: dict[str, str] = {}
        paginator = self.emulator.client("s3").get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.buckets[layer], Prefix=f"{SOURCE}/"):
            found.update({item["Key"]: item["ETag"] for item in page.get("Contents", [])})
        return found

    def rows(self, layer: str, prefix: str) -> list[dict[str, Any]]:
        s3, rows = self.emulator.client("s3"), []
        for key in sorted(self.objects(layer)):
            if key.startswith(prefix) and key.endswith(".parquet"):
                body = s3.get_object(Bucket=self.buckets[layer], Key=key)["Body"].read()
                rows.extend(pq.read_table(io.BytesIO(body)).to_pylist())
        return rows


def _terraform(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [str(TERRAFORM), f"-chdir={ROOT}", *args], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise AssertionError(f"terraform {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


@pytest.fixture(scope="module")
def music_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MusicEnv]:
    work_dir = tmp_path_factory.mktemp("envs-music-library")
    package()  # the product's own build (docs/build-your-own-product.md)
    with running_emulator(tmp_path_factory.mktemp("music-emulator")) as emulator:
        env = {
            **os.environ,
            **emulator.env,
            "TF_VAR_emulator_endpoint": emulator.endpoint,
            "TF_DATA_DIR": str(work_dir / ".terraform"),
            "TF_IN_AUTOMATION": "1",
        }
        _terraform(env, "init", "-input=false", "-no-color", f"-backend-config=path={work_dir / 'state'}")
        try:
            _terraform(env, "apply", "-input=false", "-no-color", "-auto-approve")
            outputs = flatten_outputs(json.loads(_terraform(env, "output", "-json", "-no-color")))
            yield MusicEnv(emulator, outputs)
            denials = unexpected_denials(emulator)
        finally:
            _terraform(env, "destroy", "-input=false", "-no-color", "-auto-approve")
        leftovers = leftovers_of(emulator)
        assert leftovers == {}, f"destroy left resources behind: {leftovers}"
        assert denials == [], "the emulator denied calls of the deployed stack:\n" + format_table(denials)


# ---- the three runs --------------------------------------------------------------------------


@dataclass
class Run:
    execution: dict[str, Any]
    states: list[str]
    notifications: list[dict[str, Any]]
    silver: dict[str, dict[str, str]]  # dataset -> live key -> ETag
    gold: dict[str, str]  # key -> ETag
    tracks: list[dict[str, Any]]
    plays: list[dict[str, Any]]
    reports: dict[str, list[dict[str, Any]]]
    seconds: float


def _inbox(music: MusicEnv) -> Inbox:
    sqs, sns = music.emulator.client("sqs"), music.emulator.client("sns")
    return subscribe_inbox(
        sns, sqs, music.outputs["notifications"]["failure_topic_arn"], "music-e2e-failure-inbox"
    )


def run_day(music: MusicEnv, inbox: Inbox, day: dt.date) -> Run:
    sfn = music.emulator.client("stepfunctions")
    started = time.monotonic()
    execution = sfn.start_execution(
        stateMachineArn=music.outputs["pipeline"]["workflow_arn"],
        name=f"music-{day:%Y%m%d}",
        input=json.dumps({"ingest_date": day.isoformat()}),
    )
    states: list[str] = []
    result = follow(
        sfn, execution["executionArn"], lambda _s, _k, state: states.append(state), 0.5, RUN_TIMEOUT
    )
    seconds = time.monotonic() - started
    silver = {
        dataset: {k: e for k, e in music.objects("silver").items() if k.startswith(f"{SOURCE}/{dataset}/")}
        for dataset in ("tracks", "plays")
    }
    return Run(
        result,
        states,
        inbox.drain(long_poll=1),
        silver,
        music.objects("gold"),
        music.rows("silver", f"{SOURCE}/tracks/"),
        music.rows("silver", f"{SOURCE}/plays/"),
        {report: music.rows("gold", f"{SOURCE}/{report}/") for report in REPORTS},
        seconds,
    )


@dataclass
class Runs:
    day1: Run
    day2: Run
    bad: Run
    bronze_plays_day2: int


def bad_plays() -> bytes:
    """Day 3's log: real plays plus one of a track the library never had."""
    plays = [dict(row, play_id=f"bad-{n}") for n, row in enumerate(play_rows(LIBRARY, DAY2)[:3])]
    plays.append({**plays[0], "play_id": "bad-unknown", "track_id": UNKNOWN_TRACK})
    return plays_ndjson(plays)


@pytest.fixture(scope="module")
def runs(music_env: MusicEnv) -> Runs:
    inbox = _inbox(music_env)
    music_env.drop(day_files(LIBRARY, DAY1))
    day1 = run_day(music_env, inbox, DAY1)
    second = day_files(LIBRARY, DAY2)
    plays_name = f"plays/plays-{DAY2:%Y-%m-%d}.ndjson"
    music_env.drop(second)
    # Delivered twice (another name, same bytes), and yesterday's log sent again.
    music_env.drop({f"plays/plays-{DAY2:%Y-%m-%d}-resent.ndjson": second[plays_name]})
    music_env.drop(
        {
            f"plays/plays-{DAY1:%Y-%m-%d}-resent.ndjson": day_files(LIBRARY, DAY1)[
                plays_name.replace(f"{DAY2:%Y-%m-%d}", f"{DAY1:%Y-%m-%d}")
            ]
        }
    )
    day2 = run_day(music_env, inbox, DAY2)
    bronze_day2 = len(music_env.rows("bronze", f"{SOURCE}/plays/ingest_date={DAY2.isoformat()}/"))
    # Day 3: the unchanged library export again and a log with an unknown track.
    music_env.drop(
        {
            f"tracks/export-{DAY3:%Y-%m-%d}.csv": second[f"tracks/export-{DAY2:%Y-%m-%d}.csv"],
            f"plays/plays-{DAY3:%Y-%m-%d}.ndjson": bad_plays(),
        }
    )
    bad = run_day(music_env, inbox, DAY3)
    return Runs(day1, day2, bad, bronze_day2)


# ---- tests -----------------------------------------------------------------------------------


def _report(rows: list[dict[str, Any]], name: str) -> dict[Any, Any]:
    if name == "plays_by_track_month":
        return {
            (r["track_id"], r["play_year"], r["play_month"]): (r["plays"], r["skips"], r["seconds_played"])
            for r in rows
        }
    if name == "rarely_played":
        return {r["track_id"]: (r["logged_plays"], r["never_played"]) for r in rows}
    if name == "genre_bpm_band":
        return {(r["genre"], r["bpm_band"]): (r["tracks"], r["plays"]) for r in rows}
    return {(r["genre"], r["musical_key"]): r["tracks"] for r in rows}


def test_the_sample_has_what_the_scenario_needs():
    day1_tracks, day2_tracks = silver_tracks_after(DAY1), silver_tracks_after(DAY2)
    assert LIBRARY.removed in day1_tracks and LIBRARY.removed not in day2_tracks
    before, after = day1_tracks[LIBRARY.rerated], day2_tracks[LIBRARY.rerated]
    assert (before["rating"], before["genre"]) != (after["rating"], after["genre"]) and after[
        "genre"
    ] == "Ambient"
    assert len(plays_until(DAY1)) > 0 and len(plays_until(DAY2)) > len(plays_until(DAY1))


def test_day_one_succeeds_with_exactly_the_generated_library(runs):
    assert runs.day1.execution["status"] == "SUCCEEDED", runs.day1.states
    assert runs.day1.notifications == []
    expected = silver_tracks_after(DAY1)
    assert sorted(r["track_id"] for r in runs.day1.tracks) == sorted(expected)
    assert {
        r["track_id"]: (r["rating"], r["genre"], r["bpm"], r["musical_key"]) for r in runs.day1.tracks
    } == {t: (row["rating"], row["genre"], row["bpm"], row["musical_key"]) for t, row in expected.items()}
    assert sorted(r["play_id"] for r in runs.day1.plays) == sorted(plays_until(DAY1))
    assert list(runs.day1.silver["tracks"]) == [f"{SOURCE}/tracks/tracks.snappy.parquet"]


def test_day_one_gold_reports_match_a_plain_python_count(runs):
    expected = expected_gold(silver_tracks_after(DAY1), plays_until(DAY1))
    for report in REPORTS:
        assert _report(runs.day1.reports[report], report) == expected[report], report


def test_duplicate_delivery_is_dropped_and_plays_are_never_doubled(runs):
    assert runs.day2.execution["status"] == "SUCCEEDED", runs.day2.states
    expected = plays_until(DAY2)
    # Bronze saw day 2's log twice and day 1's again: it keeps each distinct row once.
    assert runs.bronze_plays_day2 == len(play_rows(LIBRARY, DAY2)) + len(play_rows(LIBRARY, DAY1))
    assert len(runs.day2.plays) == len(expected)
    assert Counter(r["play_id"] for r in runs.day2.plays) == Counter({p: 1 for p in expected})


def test_the_changed_track_is_merged_and_the_removed_track_is_gone(runs):
    expected = silver_tracks_after(DAY2)
    tracks = {r["track_id"]: r for r in runs.day2.tracks}
    assert sorted(tracks) == sorted(expected)
    assert LIBRARY.removed not in tracks
    rerated = tracks[LIBRARY.rerated]
    assert (rerated["rating"], rerated["genre"]) == (expected[LIBRARY.rerated]["rating"], "Ambient")
    assert len(runs.day2.tracks) == len(expected)  # one row per track: merged, not appended


def test_day_two_gold_reports_match_a_plain_python_count(runs):
    expected = expected_gold(silver_tracks_after(DAY2), plays_until(DAY2))
    for report in REPORTS:
        assert _report(runs.day2.reports[report], report) == expected[report], report
    # The idempotent sink replaced each report: one file per report, no copy of day 1 left.
    assert sorted(key.split("/")[1] for key in runs.day2.gold if key.endswith(".parquet")) == sorted(REPORTS)


def test_an_unknown_track_fails_the_quality_gate_and_notifies_once(runs):
    assert runs.bad.execution["status"] == "FAILED"
    assert "SilverQuality" in runs.bad.states and "PublishSilver" not in runs.bad.states
    [note] = runs.bad.notifications
    text = note.get("Subject", "") + "\n" + note["Message"]
    assert "plays" in text and "ReferentialIntegrity" in text, text


def test_the_failed_run_leaves_live_silver_and_gold_as_they_were(runs):
    assert runs.bad.silver == runs.day2.silver
    assert runs.bad.gold == runs.day2.gold
    assert UNKNOWN_TRACK not in {r["track_id"] for r in runs.bad.plays}
    assert len(runs.bad.plays) == len(plays_until(DAY2))
