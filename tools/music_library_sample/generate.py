"""Deterministic sample data for the music-library product (Project Wolfie).

A personal library exported once a day by the music player (CSV, one row per track, every
column of `sources/music_library/contract.json`'s `tracks`) and the player's listening log
(NDJSON, one play per line, `plays`). Same seed and size -> same bytes on any machine: no clock,
no hash order.

What makes it realistic (and what the pipeline must cope with):
- genres with their own tempo ranges (drum & bass near 174 BPM, house near 124, ambient slow),
  keys leaning minor in electronic genres, durations to the millisecond, loudness in LUFS;
- tracks added over time, so early exports hold fewer tracks; some tracks are never played;
- the export's interaction columns (play_count, last_played_at) follow the listening log;
- titles with commas, quotes and accents (CSV quoting and UTF-8 are exercised);
- a `rerated` track whose rating and genre change between two exports (merged by exported_at),
  and a `removed` flag when a track leaves the library (the contract's delete marker).

`day_files(library, day)` gives the two files a day drops into the landing bucket; tests add a
duplicate delivery by dropping a day's plays file twice. The log covers at most MAX_DAYS days
from FIRST_DAY, so no play lies in the future (silver rejects future plays).

`generate_plays(seed, tracks, rows)` is the volume version for benches: a listening log of any
size, drawn with numpy at once (a million plays in seconds; drawing them one by one over as
many days as that takes ran for minutes and into the 23rd century), over the same first
year, in the same columns and shapes as `all_play_rows`.

CLI: `python tools/music_library_sample/generate.py --out DIR [--seed 7] [--tracks 60] [--days 3]`
writes DIR/tracks/export-<day>.csv and DIR/plays/plays-<day>.ndjson for each day.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import random
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# Fixed, so output never depends on when it is generated.
FIRST_DAY = dt.date(2025, 10, 1)
# One year of listening: the log ends on 2026-09-30, before any day this code runs on.
MAX_DAYS = 365
NOTES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
KEYS = tuple(f"{note}{mode}" for mode in ("", "m") for note in NOTES)
TRACK_COLUMNS = (
    "track_id",
    "title",
    "artist",
    "album",
    "genre",
    "label",
    "release_year",
    "bpm",
    "musical_key",
    "duration_seconds",
    "loudness_lufs",
    "play_count",
    "rating",
    "last_played_at",
    "added_on",
    "exported_at",
    "removed",
)
# genre -> (bpm low, bpm high, share of minor keys)
GENRES: Dict[str, Tuple[float, float, float]] = {
    "House": (118.0, 128.0, 0.85),
    "Techno": (125.0, 140.0, 0.9),
    "Drum & Bass": (170.0, 176.0, 0.8),
    "Ambient": (60.0, 95.0, 0.5),
    "Hip Hop": (82.0, 100.0, 0.6),
    "Rock": (100.0, 160.0, 0.3),
}
ARTISTS = ("Wolf Tones", "Fox & Field", "Bushy Brow", "Die Schäferhunde", "Snout First", "Mane Event")
LABELS = ("Kennel Records", "Howl Audio", "Night Walk", None)
WORDS = ("Night", "Walk", "Fox", "Bark", "Moon", "Sniff", "Tilt", "Garden", "Shepherd", "Run")
DEVICES = ("phone", "ipod", "laptop")


@dataclass(frozen=True)
class Track:
    track_id: int
    title: str
    artist: str
    album: str
    genre: str
    label: Optional[str]
    release_year: int
    bpm: float
    musical_key: str
    duration_ms: int
    loudness_lufs: float
    rating: int
    added_on: dt.date
    history_plays: int  # plays before the log starts (the player's counter already had them)


@dataclass(frozen=True)
class Play:
    play_id: str
    track_id: int
    played_at: dt.datetime
    seconds_played: int
    skipped: bool
    device: str


@dataclass(frozen=True)
class Library:
    tracks: Tuple[Track, ...]
    plays: Tuple[Play, ...]
    days: Tuple[dt.date, ...]
    rerated: int  # track whose rating and genre change from the second export on
    removed: Optional[int]  # track that leaves the library on the last day (None: one day only)


def _title(rng: random.Random, number: int) -> str:
    words = rng.sample(WORDS, 2)
    style = number % 7
    if style == 0:
        return f"{words[0]}, {words[1]}"  # a comma: CSV must quote it
    if style == 1:
        return f'{words[0]} "{words[1]}" Mix'  # quotes inside a quoted CSV field
    if style == 2:
        return f"{words[0]} für Wolfie"  # UTF-8
    return f"{words[0]} {words[1]}"


def _track(rng: random.Random, track_id: int, days: Sequence[dt.date]) -> Track:
    genre = rng.choice(sorted(GENRES))
    low, high, minor = GENRES[genre]
    note = rng.choice(NOTES)
    key = f"{note}m" if rng.random() < minor else note
    # Most of the library predates the log; a few tracks arrive during it.
    added = days[0] - dt.timedelta(days=rng.randint(30, 4000)) if rng.random() < 0.85 else rng.choice(days)
    return Track(
        track_id=track_id,
        title=_title(rng, track_id),
        artist=rng.choice(ARTISTS),
        album=f"{rng.choice(WORDS)} Sessions",
        genre=genre,
        label=rng.choice(LABELS),
        release_year=rng.randint(1995, 2025),
        bpm=round(rng.uniform(low, high), 2),
        musical_key=key,
        duration_ms=rng.randint(150_000, 480_000),
        loudness_lufs=round(rng.uniform(-16.0, -6.0), 1),
        rating=rng.randint(0, 5),
        added_on=added,
        history_plays=0 if rng.random() < 0.2 else rng.randint(1, 40),
    )


def _plays(rng: random.Random, tracks: Sequence[Track], days: Sequence[dt.date]) -> List[Play]:
    # A fifth of the library is never played in the log: the "rarely played" report finds them.
    favourites = [t for t in tracks if t.track_id % 5 != 0]
    plays: List[Play] = []
    for day in days:
        owned = [t for t in favourites if t.added_on <= day]
        for number in range(rng.randint(8, 16)):
            track = rng.choice(owned)
            at = dt.datetime.combine(day, dt.time(7, 0), tzinfo=dt.timezone.utc) + dt.timedelta(
                minutes=rng.randint(0, 15 * 60)
            )
            skipped = rng.random() < 0.15
            seconds = rng.randint(5, 30) if skipped else track.duration_ms // 1000
            plays.append(
                Play(f"{day:%Y%m%d}-{number:03d}", track.track_id, at, seconds, skipped, rng.choice(DEVICES))
            )
    return sorted(plays, key=lambda p: (p.played_at, p.play_id))


def generate_library(seed: int = 7, tracks: int = 60, days: int = 3) -> Library:
    """A library of `tracks` tracks and `days` days of listening from FIRST_DAY on."""
    if tracks < 5 or days < 1:
        raise ValueError(f"need at least 5 tracks and 1 day, got tracks={tracks} days={days}")
    if days > MAX_DAYS:
        raise ValueError(
            f"days={days}: the log covers at most {MAX_DAYS} days from {FIRST_DAY} (later plays would "
            "lie in the future); for volume use generate_plays"
        )
    rng = random.Random(seed)
    day_list = tuple(FIRST_DAY + dt.timedelta(days=n) for n in range(days))
    library = tuple(_track(rng, 1000 + n, day_list) for n in range(tracks))
    played = _plays(rng, library, day_list)
    rerated = next(t.track_id for t in library if t.added_on < day_list[0] and t.track_id % 5 != 0)
    removable = [t.track_id for t in library if t.track_id % 5 == 0 and t.added_on < day_list[0]]
    removed = removable[0] if days > 1 and removable else None
    return Library(library, tuple(played), day_list, rerated, removed)


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")


def export_rows(library: Library, day: dt.date) -> List[Dict[str, object]]:
    """The library as the player exports it at the end of `day` (23:30 UTC)."""
    exported_at = dt.datetime.combine(day, dt.time(23, 30), tzinfo=dt.timezone.utc)
    # Each track's plays up to `day`, gathered in one pass over the log (not one pass per track).
    played: Dict[int, List[dt.datetime]] = {}
    for play in library.plays:
        if play.played_at.date() <= day:
            played.setdefault(play.track_id, []).append(play.played_at)
    rows: List[Dict[str, object]] = []
    for listed in library.tracks:
        if listed.added_on > day:
            continue
        track = listed
        if track.track_id == library.rerated and day > library.days[0]:
            track = replace(track, rating=5 if track.rating != 5 else 4, genre="Ambient")
        mine = played.get(track.track_id, [])
        last = max(mine, default=None)
        rows.append(
            {
                "track_id": track.track_id,
                "title": track.title,
                "artist": track.artist,
                "album": track.album,
                "genre": track.genre,
                "label": track.label,
                "release_year": track.release_year,
                "bpm": track.bpm,
                "musical_key": track.musical_key,
                "duration_seconds": f"{track.duration_ms // 1000}.{track.duration_ms % 1000:03d}",
                "loudness_lufs": track.loudness_lufs,
                "play_count": track.history_plays + len(mine),
                "rating": track.rating,
                "last_played_at": _stamp(last) if last else None,
                "added_on": track.added_on.isoformat(),
                "exported_at": _stamp(exported_at),
                "removed": track.track_id == library.removed and day == library.days[-1],
            }
        )
    return rows


def export_csv(rows: Sequence[Dict[str, object]]) -> bytes:
    """CSV with a header row; empty cells are nulls, booleans true/false."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=TRACK_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {k: ("" if v is None else str(v).lower() if isinstance(v, bool) else v) for k, v in row.items()}
        )
    return buffer.getvalue().encode("utf-8")


def _play_row(play: Play) -> Dict[str, object]:
    return {
        "play_id": play.play_id,
        "track_id": play.track_id,
        "played_at": _stamp(play.played_at),
        "seconds_played": play.seconds_played,
        "skipped": play.skipped,
        "device": play.device,
    }


def play_rows(library: Library, day: dt.date) -> List[Dict[str, object]]:
    """The listening log of one day, as the player writes it."""
    return [_play_row(p) for p in library.plays if p.played_at.date() == day]


def all_play_rows(library: Library) -> List[Dict[str, object]]:
    """Every day's log at once, in one pass (play_rows per day is quadratic at bench sizes)."""
    return [_play_row(p) for p in library.plays]


def generate_plays(
    seed: int = 7, tracks: int = 200, rows: int = 1_000_000, days: int = MAX_DAYS
) -> pd.DataFrame:
    """A listening log of `rows` plays over `days` days from FIRST_DAY, as a frame with the
    columns and value shapes of `all_play_rows` (the same seed and sizes give the same frame).

    Drawn with numpy, column by column: the days (uniform), the minute of the day (07:00 to
    22:00, as in `generate_library`), the track (a fifth of the library never played), skips
    (15 %: 5 to 30 seconds played; else the whole track) and the device. A play's id is its day
    and its number within the day, zero-padded to the width the busiest day needs, so every id
    has one width (as in `generate_library`'s log, where a day holds fewer than a thousand plays).
    Rows are in time order, ties by id."""
    if tracks < 5 or rows < 1 or not 1 <= days <= MAX_DAYS:
        raise ValueError(
            f"need at least 5 tracks, 1 row and 1 to {MAX_DAYS} days, got tracks={tracks} rows={rows} "
            f"days={days}"
        )
    rng = np.random.default_rng(seed)
    track_ids = np.arange(1000, 1000 + tracks)
    durations = rng.integers(150, 481, size=tracks)  # whole seconds, as `seconds_played` counts them
    favourites = np.flatnonzero(track_ids % 5 != 0)
    day = np.sort(rng.integers(0, days, size=rows))
    number = np.arange(rows) - np.searchsorted(day, day, side="left")  # 0, 1, ... within each day
    minute = rng.integers(0, 15 * 60 + 1, size=rows)
    chosen = favourites[rng.integers(0, len(favourites), size=rows)]
    skipped = rng.random(rows) < 0.15
    seconds = np.where(skipped, rng.integers(5, 31, size=rows), durations[chosen])
    device = np.asarray(DEVICES, dtype=object)[rng.integers(0, len(DEVICES), size=rows)]
    first = np.datetime64(FIRST_DAY.isoformat(), "m")
    moment = first + (day * 24 * 60 + 7 * 60 + minute).astype("timedelta64[m]")
    order = np.lexsort((number, moment))  # time order, then id order (ids sort by day, number)
    width = max(3, len(str(int(number.max()))))
    day_ids = pa.array([f"{FIRST_DAY + dt.timedelta(days=n):%Y%m%d}" for n in range(days)])
    numbers = pc.utf8_lpad(pc.cast(pa.array(number[order]), pa.string()), width, "0")
    play_id = pc.binary_join_element_wise(day_ids.take(pa.array(day[order])), numbers, "-")
    stamps = pa.array(moment[order].astype("datetime64[s]"), type=pa.timestamp("s"))
    played_at = pc.strftime(stamps, format="%Y-%m-%dT%H:%M:%SZ")
    return pd.DataFrame(
        {
            "play_id": play_id.to_numpy(zero_copy_only=False),
            "track_id": track_ids[chosen[order]],
            "played_at": played_at.to_numpy(zero_copy_only=False),
            "seconds_played": seconds[order],
            "skipped": skipped[order],
            "device": device[order],
        }
    )


def plays_ndjson(rows: Sequence[Dict[str, object]]) -> bytes:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode("utf-8")


def day_files(library: Library, day: dt.date) -> Dict[str, bytes]:
    """dataset -> file name -> bytes dropped into the landing bucket for `day`."""
    return {
        f"tracks/export-{day:%Y-%m-%d}.csv": export_csv(export_rows(library, day)),
        f"plays/plays-{day:%Y-%m-%d}.ndjson": plays_ndjson(play_rows(library, day)),
    }


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--tracks", type=int, default=60)
    parser.add_argument("--days", type=int, default=3)
    args = parser.parse_args(argv)
    library = generate_library(args.seed, args.tracks, args.days)
    for day in library.days:
        for name, body in day_files(library, day).items():
            path = args.out / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(body)
            print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
