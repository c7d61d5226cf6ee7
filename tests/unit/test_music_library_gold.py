"""Music-library gold reports (pure Spark): exact numbers on a hand-made library, and the
generator's library reconciled against a count done in plain Python."""

import collections

import pytest
from fixtures_music_gold import HAND_PLAYS, HAND_TRACKS, at, frames

from sources.music_library.glue import gold_music_library as gold
from tools.music_library_sample.generate import export_rows, generate_library, play_rows


@pytest.mark.spark
def test_plays_by_track_month_counts_utc_months_and_keeps_skips_apart(spark):
    tracks, plays = frames(spark, HAND_TRACKS, HAND_PLAYS)

    rows = gold.plays_by_track_month(tracks, plays).orderBy("track_id", "play_year", "play_month").collect()

    assert [(r.track_id, r.play_year, r.play_month, r.plays, r.skips, r.seconds_played) for r in rows] == [
        (1, 2025, 10, 1, 0, 200),
        (1, 2025, 11, 1, 1, 210),
        (2, 2025, 11, 1, 0, 300),
        (3, 2025, 11, 0, 1, 0),
    ]
    assert rows[0].title == "Night Walk" and rows[0].genre == "House"


@pytest.mark.spark
def test_rarely_played_lists_tracks_with_at_most_one_counted_play_never_played_included(spark):
    tracks, plays = frames(spark, HAND_TRACKS, HAND_PLAYS)

    rows = {r.track_id: r for r in gold.rarely_played(tracks, plays).collect()}

    assert sorted(rows) == [2, 3, 4]  # track 1 has two counted plays; a skip does not count
    assert (rows[2].logged_plays, rows[2].never_played) == (1, False)
    assert (rows[3].logged_plays, rows[3].never_played, rows[3].last_logged_play) == (0, True, None)
    assert rows[4].player_play_count == 0 and rows[4].never_played


@pytest.mark.spark
def test_genre_bpm_band_groups_tracks_and_plays_into_ten_bpm_bands(spark):
    tracks, plays = frames(spark, HAND_TRACKS, HAND_PLAYS)

    rows = {(r.genre, r.bpm_band): r for r in gold.genre_bpm_band(tracks, plays).collect()}

    assert sorted(rows, key=str) == sorted(
        [("Ambient", "70-79"), ("Ambient", None), ("House", "120-129")], key=str
    )
    house = rows[("House", "120-129")]
    assert (house.tracks, house.plays, house.share_of_plays) == (2, 3, 1.0)
    assert rows[("Ambient", "70-79")].plays == 0


@pytest.mark.spark
def test_key_distribution_gives_each_keys_share_of_its_genre(spark):
    tracks, _plays = frames(spark, HAND_TRACKS, HAND_PLAYS)

    rows = {(r.genre, r.musical_key): r for r in gold.key_distribution(tracks).collect()}

    assert {k: (r.tracks, r.mode, r.share_of_genre) for k, r in rows.items()} == {
        ("House", "Am"): (1, "minor", 0.5),
        ("House", "Cm"): (1, "minor", 0.5),
        ("Ambient", "C"): (2, "major", 1.0),
    }


@pytest.mark.spark
def test_the_generated_library_reconciles_with_a_plain_python_count(spark):
    library = generate_library(seed=11, tracks=40, days=4)
    last = library.days[-1]
    kept = [r for r in export_rows(library, last) if not r["removed"]]
    events = [r for day in library.days for r in play_rows(library, day)]
    tracks = [
        (
            r["track_id"],
            r["title"],
            r["artist"],
            r["genre"],
            r["bpm"],
            r["musical_key"],
            r["rating"],
            r["play_count"],
        )
        for r in kept
    ]
    plays = [
        (r["play_id"], r["track_id"], at(r["played_at"]), r["seconds_played"], r["skipped"]) for r in events
    ]
    expected = collections.Counter(r["track_id"] for r in events if not r["skipped"])
    known = {r["track_id"] for r in kept}
    tracks_frame, plays_frame = frames(spark, tracks, plays)

    tables = gold.gold_tables(tracks_frame, plays_frame)

    monthly = collections.Counter()
    for row in tables["plays_by_track_month"].collect():
        monthly[row.track_id] += row.plays
    assert monthly == collections.Counter({k: v for k, v in expected.items() if k in known})
    rarely = {r.track_id for r in tables["rarely_played"].collect()}
    assert rarely == {t for t in known if expected.get(t, 0) <= gold.RARELY_PLAYED_MAX} and rarely
    assert sum(r.tracks for r in tables["genre_bpm_band"].collect()) == len(kept)
    shares = collections.defaultdict(float)
    for row in tables["key_distribution"].collect():
        shares[row.genre] += row.share_of_genre
    assert all(abs(total - 1.0) < 1e-3 for total in shares.values())
