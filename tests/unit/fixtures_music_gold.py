"""The hand-made music library the gold tests share: four tracks and five plays whose reports
are worked out by hand in the tests (schemas as silver writes them)."""

import datetime as dt

UTC = dt.timezone.utc
TRACK_SCHEMA = (
    "track_id long, title string, artist string, genre string, bpm double, musical_key string, "
    "rating long, play_count long"
)
PLAY_SCHEMA = "play_id string, track_id long, played_at timestamp, seconds_played long, skipped boolean"


def at(text):
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def frames(spark, tracks, plays):
    return spark.createDataFrame(tracks, TRACK_SCHEMA), spark.createDataFrame(plays, PLAY_SCHEMA)


HAND_TRACKS = [
    (1, "Night Walk", "Wolf Tones", "House", 124.0, "Am", 5, 12),
    (2, "Fox, Moon", "Snout First", "House", 129.99, "Cm", 3, 0),
    (3, "Slow Tilt", "Mane Event", "Ambient", 72.5, "C", 1, 2),
    (4, "Unheard", "Mane Event", "Ambient", None, "C", 0, 0),
]
HAND_PLAYS = [
    ("a", 1, at("2025-10-31T22:00:00Z"), 200, False),
    # 23:30 at -02:00 is 1 November in UTC: it counts for November.
    ("b", 1, at("2025-10-31T23:30:00-02:00"), 210, False),
    ("c", 1, at("2025-11-02T08:00:00Z"), 12, True),
    ("d", 2, at("2025-11-03T08:00:00Z"), 300, False),
    ("e", 3, at("2025-11-03T09:00:00Z"), 9, True),
]
