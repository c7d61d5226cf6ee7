"""The generic silver engine on a contract that is not WordPress's: every kind, the silver mapping,
duplicates, the transform hook, and the incremental merge (ordering column, delete marker).

Pure pandas (no S3); runs on Python 3.9 too (tools/py39_check.sh), so no 3.10+ syntax.
"""

import dataclasses
import datetime as dt
import decimal
import logging
import re
import sys
import types
from typing import Any, Dict, List

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from fixtures_glue import run_silver, write_bronze

from lakehouse_common import silver_transform
from lakehouse_common.contract import parse_contract
from lakehouse_common.silver_job import load_hook
from lakehouse_common.silver_transform import (
    SilverInputError,
    drop_deleted,
    merge_increment,
    order_column,
    transform_dataset,
)

OBJECT = "s3://lake-test-bronze/music/tracks/ingest_date=2026-11-17/"
CONTRACT = parse_contract(
    {
        "source": "music",
        "datasets": {
            "tracks": {
                "columns": [
                    {"name": "track_id", "kind": "int", "nullable": False},
                    {"name": "title", "kind": "html", "nullable": False},
                    {"name": "bpm", "kind": "float"},
                    {"name": "price", "kind": "decimal", "precision": 6, "scale": 2},
                    {"name": "explicit", "kind": "bool"},
                    {"name": "released", "kind": "date"},
                    {"name": "added", "kind": "datetime"},
                    {"name": "modified_at", "kind": "timestamp_tz", "nullable": False},
                    {"name": "plays", "kind": "int"},
                    {"name": "notes", "kind": "text"},
                    {"name": "deleted", "kind": "bool"},
                ],
                "keys": ["track_id"],
                "load": {"mode": "incremental", "order_by": "modified_at", "delete_marker": "deleted"},
                "raw": {"kind": "landing", "format": "csv"},
                "silver": {
                    "drop": ["notes"],
                    "rename": {"title": "track_title", "released": "release"},
                    "split_dates": ["released"],
                    "order": [
                        "track_title",
                        "track_id",
                        "release",
                        "bpm",
                        "price",
                        "explicit",
                        "added",
                        "modified_at",
                        "plays",
                        "deleted",
                    ],
                },
            },
            "plays": {
                "columns": [
                    {"name": "play_id", "kind": "text", "nullable": False},
                    {"name": "track_id", "kind": "int", "nullable": False},
                    {"name": "played_at", "kind": "timestamp_tz", "nullable": False},
                ],
                "keys": ["play_id"],
                "load": {"mode": "incremental"},
                "raw": {"kind": "landing", "format": "ndjson"},
            },
        },
    },
    "sources/music/contract.json",
)
TRACKS = CONTRACT.dataset("tracks")


def track(track_id: int, **changes: Any) -> Dict[str, Any]:
    row = {
        "track_id": track_id,
        "title": f"Song &amp; {track_id}",
        "bpm": "120.5",
        "price": "1.995",
        "explicit": "true",
        "released": "2024-02-29",
        "added": "2024-03-01 08:00:00",
        "modified_at": "2026-11-17T10:22:22Z",
        "plays": track_id * 10,
        "notes": "dropped",
        "deleted": False,
    }
    row.update(changes)
    return row


def frame(rows: List[Dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(TRACKS.column_names))


def silver(rows: List[Dict[str, Any]], **kwargs: Any) -> pd.DataFrame:
    return transform_dataset(frame(rows), TRACKS, OBJECT, **kwargs)


# ---- kinds and mapping -----------------------------------------------------------------------


def test_every_kind_converts_and_the_mapping_renames_drops_splits_and_orders():
    result = silver(
        [
            track(1),
            track(
                2, bpm=None, price=None, explicit=None, plays=None, modified_at="2026-11-17T11:22:22+01:00"
            ),
        ]
    )

    assert (
        list(result.columns)
        == list(TRACKS.silver_columns())
        == [
            "track_title",
            "track_id",
            "release_todate",
            "release_year",
            "release_month",
            "release_day",
            "bpm",
            "price",
            "explicit",
            "added",
            "modified_at",
            "plays",
            "deleted",
        ]
    )
    first, second = result.to_dict("records")
    assert first["track_title"] == "Song & 1"  # html decoded
    assert (first["release_year"], first["release_month"], first["release_day"]) == (2024, 2, 29)
    assert first["release_todate"] == pd.Timestamp("2024-02-29")
    assert first["bpm"] == 120.5 and pd.isna(second["bpm"])
    assert first["price"] == decimal.Decimal("2.00") and second["price"] is None  # scale 2, half-even
    assert first["explicit"] is True or first["explicit"] == True  # noqa: E712 - numpy/pandas bool
    assert pd.isna(second["explicit"]) and str(result["explicit"].dtype) == "boolean"
    assert first["added"] == pd.Timestamp("2024-03-01 08:00:00")  # not split: one timestamp
    # Both zones become the same UTC instant.
    assert first["modified_at"] == second["modified_at"] == pd.Timestamp("2026-11-17 10:22:22", tz="UTC")
    assert str(result["modified_at"].dtype) == "datetime64[ns, UTC]"
    assert first["plays"] == 10 and pd.isna(second["plays"]) and str(result["plays"].dtype) == "Int64"
    assert str(result["track_id"].dtype) == "int64"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"modified_at": "2026-11-17T10:22:22"},
            "field 'modified_at' has 0 null and 1 malformed value(s) (expected ISO 8601 with a zone",
        ),
        ({"modified_at": None}, "field 'modified_at' has 1 null and 0 malformed"),
        (
            {"released": "2025-02-29"},
            "field 'released' has 0 null and 1 malformed value(s) (expected %Y-%m-%d)",
        ),
        ({"bpm": "fast"}, "field 'bpm' needs numbers: 1 bad value(s) e.g. row 1: 'fast'"),
        ({"price": "12345.6"}, "field 'price' needs decimals of at most 6 digits, 2 after the point"),
        ({"explicit": "maybe"}, "field 'explicit' needs true or false: 1 bad value(s) e.g. row 1: 'maybe'"),
        ({"plays": 2.5}, "field 'plays' needs whole numbers: 1 bad value(s) (0 null)"),
        ({"title": None}, "field 'title' is declared not nullable but has 1 null value(s) e.g. row 1: None"),
    ],
)
def test_bad_values_name_the_object_the_field_and_the_row(change, expected):
    with pytest.raises(SilverInputError) as error:
        silver([track(1), track(2, **change)])
    assert str(error.value).startswith(OBJECT)
    assert expected in str(error.value)


def test_timestamps_keep_their_instant_across_zones_and_fractions():
    rows = [
        track(1, modified_at="2026-11-17T10:22:22.123456Z"),
        track(2, modified_at="2026-11-17T05:22:22-0500"),
        track(3, modified_at="2026-11-17 12:22:22+02"),
    ]
    result = silver(rows)["modified_at"].tolist()
    assert result[0] == pd.Timestamp("2026-11-17 10:22:22.123456", tz="UTC")
    assert result[1] == result[2] == pd.Timestamp("2026-11-17 10:22:22", tz="UTC")


# The Arrow fast paths must give what the pandas path gives, value for value: each case runs
# both ways (the fast path switched off by monkeypatch for the reference).
STRICT_SHAPES = [
    "2026-11-17T10:22:22Z",
    "2026-11-17 10:22:22Z",
    "2026-11-17T10:22Z",
    "2026-11-17T10:22:22.1Z",
    "2026-11-17T10:22:22.123456Z",
    "2026-11-17T10:22:22+01:00",
    "2026-11-17T10:22:22-0530",
    "2026-11-17T10:22:22+23",
    "2026-11-17T10:22:22+23:59",
    "2026-11-17T10:22:22-00:00",
    "2024-02-29T23:59:59Z",
    "1677-09-22T00:00:00Z",
    "2262-04-10T23:59:59+01:00",
]
# Shapes and values the fast path leaves to pandas (which accepts some and rejects the others).
GENERAL_ONLY = [
    "2026-11-17T10:22:22z",
    " 2026-11-17T10:22:22Z",
    "2026-11-17T10:22:22.123456789Z",
    "2026-11-17T10Z",
    "2026-11-17T1022Z",
    "2026-11-17T10:22:22",
    "2026-02-30T10:22:22Z",
    "2026-11-17T24:00:00Z",
    "2026-11-17T23:59:60Z",
    "2026-11-17T10:22:22+24:00",
    "2026-11-17T10:22:22+01:60",
    "1677-09-21T00:12:43Z",
    "9999-12-31T23:59:59Z",
]


def _both_ways(monkeypatch, values: pd.Series, column_name: str = "modified_at"):
    column = TRACKS.column(column_name)
    fast = silver_transform.to_utc_timestamp(values, column, OBJECT)
    with monkeypatch.context() as patched:
        patched.setattr(silver_transform, "_arrow_timestamps_tz", lambda *_args: None)
        general = silver_transform.to_utc_timestamp(values, column, OBJECT)
    return fast, general


@pytest.mark.parametrize("dtype", [object, pd.StringDtype("pyarrow")])
def test_arrow_timestamp_parse_equals_the_pandas_parse(monkeypatch, dtype):
    values = pd.Series(STRICT_SHAPES, dtype=dtype)
    assert silver_transform._arrow_timestamps_tz(values, TRACKS.column("modified_at")) is not None
    fast, general = _both_ways(monkeypatch, values)
    pd.testing.assert_series_equal(fast, general)
    assert str(fast.dtype) == "datetime64[ns, UTC]"
    assert fast[7] == pd.Timestamp("2026-11-17 10:22:22+23:00").tz_convert("UTC")


@pytest.mark.parametrize("odd", GENERAL_ONLY)
def test_values_outside_the_strict_shape_take_the_pandas_path(monkeypatch, odd):
    values = pd.Series([*STRICT_SHAPES, odd], dtype=pd.StringDtype("pyarrow"))
    column = TRACKS.column("modified_at")
    assert silver_transform._arrow_timestamps_tz(values, column) is None
    try:
        fast, general = _both_ways(monkeypatch, values)
    except SilverInputError as error:  # malformed: the same message the pandas path always gave
        assert "field 'modified_at' has 0 null and 1 malformed value(s)" in str(error)
        assert f"row {len(STRICT_SHAPES)}: {odd!r}" in str(error)
    else:
        pd.testing.assert_series_equal(fast, general)


def test_arrow_timestamp_parse_keeps_nulls_of_a_nullable_column(monkeypatch):
    values = pd.Series(
        ["2026-11-17T10:22:22Z", None, "2026-11-18T10:22:22+01:00"], dtype=pd.StringDtype("pyarrow")
    )
    nullable = dataclasses.replace(TRACKS.column("modified_at"), nullable=True)
    assert silver_transform._arrow_timestamps_tz(values, nullable) is not None
    fast = silver_transform.to_utc_timestamp(values, nullable, OBJECT)
    with monkeypatch.context() as patched:
        patched.setattr(silver_transform, "_arrow_timestamps_tz", lambda *_args: None)
        general = silver_transform.to_utc_timestamp(values, nullable, OBJECT)
    pd.testing.assert_series_equal(fast, general)
    assert pd.isna(fast[1]) and fast[2] == pd.Timestamp("2026-11-18 09:22:22", tz="UTC")
    with pytest.raises(SilverInputError, match="field 'modified_at' has 1 null and 0 malformed"):
        silver_transform.to_utc_timestamp(values, TRACKS.column("modified_at"), OBJECT)


# Columns whose values all have one width take numpy byte checks instead of Arrow's regular
# expression and hash set (fixed_width_bytes); each must decide exactly as those do.
def _every_byte_changed(value: str) -> List[str]:
    return [value[:at] + char + value[at + 1 :] for at in range(len(value)) for char in "0 9:-+.,TtZz/a"]


@pytest.mark.parametrize("value", [*STRICT_SHAPES, *GENERAL_ONLY, "2026-11-17T10:22:22.123Z"])
def test_fixed_width_timestamp_shape_check_equals_the_regular_expression(value):
    regex = re.compile(silver_transform._STRICT_TIMESTAMP_TZ)
    for candidate in [value, *_every_byte_changed(value)]:
        for arrow_type in (pa.string(), pa.large_string()):
            column = pa.array([candidate] * 3, type=arrow_type)
            assert silver_transform.fixed_width_bytes(column) is not None
            assert silver_transform.strict_timestamp_shape(column) == bool(regex.match(candidate)), candidate


@pytest.mark.parametrize("at", [0, silver_transform._BLOCK_ROWS - 1, silver_transform._BLOCK_ROWS, 20_000])
def test_the_fixed_width_shape_check_sees_one_bad_byte_in_any_block(at):
    texts = ["2026-11-17T10:22:22Z"] * 20_001
    assert silver_transform.strict_timestamp_shape(pa.array(texts))
    texts[at] = "2026-11-17T10:22:2aZ"
    assert not silver_transform.strict_timestamp_shape(pa.array(texts))
    texts[at] = "2026-11-17,10:22:22Z"  # inside the byte range of "T" and a space, neither of them
    assert not silver_transform.strict_timestamp_shape(pa.array(texts))


def _timestamps_three_ways(monkeypatch, values: pd.Series, column_name: str = "modified_at"):
    """(fixed-width fast path, Arrow fast path with the regular expression, pandas path)."""
    column = TRACKS.column(column_name)
    fixed = silver_transform.to_utc_timestamp(values, column, OBJECT)
    with monkeypatch.context() as patched:
        patched.setattr(silver_transform, "fixed_width_bytes", lambda *_args: None)
        regex = silver_transform.to_utc_timestamp(values, column, OBJECT)
        patched.setattr(silver_transform, "_arrow_timestamps_tz", lambda *_args: None)
        general = silver_transform.to_utc_timestamp(values, column, OBJECT)
    return fixed, regex, general


@pytest.mark.parametrize(
    "shape",
    [
        "2026-11-{day:02d}T{hour:02d}:22:22Z",
        "2026-11-{day:02d} {hour:02d}:22Z",
        "2026-11-{day:02d}T{hour:02d}:22:22.125Z",
        "2026-11-{day:02d}T{hour:02d}:22:22.123456Z",
        "2026-11-{day:02d}T{hour:02d}:22:22-05:30",
    ],
)
@pytest.mark.parametrize("dtype", [object, pd.StringDtype("pyarrow")])
def test_fixed_width_timestamps_equal_the_pandas_parse(monkeypatch, shape, dtype):
    texts = [shape.format(day=day, hour=hour) for day in range(1, 29) for hour in range(24)]
    values = pd.Series(texts, dtype=dtype)
    assert silver_transform.fixed_width_bytes(silver_transform._arrow(values)) is not None
    assert silver_transform._arrow_timestamps_tz(values, TRACKS.column("modified_at")) is not None
    fixed, regex, general = _timestamps_three_ways(monkeypatch, values)
    pd.testing.assert_series_equal(fixed, general)
    pd.testing.assert_series_equal(regex, general)


@pytest.mark.parametrize(
    "odd",
    [
        "2026-02-30T10:22:22Z",  # the right shape, an impossible day: Arrow's cast refuses it
        "2026-11-17T24:00:00Z",
        "2026-11-17T10:22:22X",  # the width of the others, not their shape
        "2026-11-17T10:22:22",  # no zone, shorter
    ],
)
def test_malformed_timestamps_in_a_fixed_width_column_name_the_object_and_field(monkeypatch, odd):
    texts = ["2026-11-17T10:22:22Z"] * 5 + [odd]
    values = pd.Series(texts, dtype=pd.StringDtype("pyarrow"))
    messages = []
    for fast_shapes in (True, False):
        with monkeypatch.context() as patched:
            if not fast_shapes:
                patched.setattr(silver_transform, "fixed_width_bytes", lambda *_args: None)
            with pytest.raises(SilverInputError) as error:
                silver_transform.to_utc_timestamp(values, TRACKS.column("modified_at"), OBJECT)
        messages.append(str(error.value))
    assert messages[0] == messages[1]
    assert messages[0].startswith(OBJECT)
    assert "field 'modified_at' has 0 null and 1 malformed value(s)" in messages[0]
    assert f"row 5: {odd!r}" in messages[0]


def test_fixed_width_bytes_takes_only_one_width_without_nulls():
    assert silver_transform.fixed_width_bytes(pa.array(["ab", "c"])) is None
    assert silver_transform.fixed_width_bytes(pa.array(["ab", None])) is None
    assert silver_transform.fixed_width_bytes(pa.array([], type=pa.string())) is None
    assert silver_transform.fixed_width_bytes(pa.array([1, 2])) is None
    sliced = pa.array(["x", "ab", "cd"]).slice(1)  # offsets not starting at 0
    assert silver_transform.fixed_width_bytes(sliced).tobytes() == b"abcd"


def _plays_frame(ids: List[str], track_ids: List[int]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "play_id": pd.array(ids, dtype=pd.StringDtype("pyarrow")),
            "track_id": track_ids,
            "played_at": pd.array(["2026-11-17T10:00:00Z"] * len(ids), dtype=pd.StringDtype("pyarrow")),
        }
    )


def _plays_three_ways(monkeypatch, rows: pd.DataFrame):
    """transform_dataset with the fixed-width key check, with Arrow's hash set, with pandas alone
    (each an outcome: the frame, or the error message)."""
    plays = CONTRACT.dataset("plays")

    def outcome():
        try:
            return transform_dataset(rows, plays, OBJECT)
        except SilverInputError as error:
            return str(error)

    results = [outcome()]
    with monkeypatch.context() as patched:
        patched.setattr(silver_transform, "fixed_width_bytes", lambda *_args: None)
        results.append(outcome())
        patched.setattr(silver_transform, "_single_key_unique", lambda *_args: False)
        results.append(outcome())
    return results


@pytest.mark.parametrize("width", [3, 8, 12, 13, 36])
def test_fixed_width_keys_judge_duplicates_as_pandas_does(monkeypatch, caplog, width):
    ids = [f"{number:0{width}d}" for number in range(500)]
    unique = _plays_three_ways(monkeypatch, _plays_frame(ids, list(range(500))))
    for result in unique[1:]:
        pd.testing.assert_frame_equal(unique[0], result)
    with caplog.at_level(logging.WARNING):
        exact = _plays_three_ways(monkeypatch, _plays_frame([*ids, ids[7]], [*range(500), 7]))
    for result in exact:
        assert result["play_id"].tolist() == ids
    assert caplog.text.count("dropped 1 exact duplicate row(s)") == 3
    conflicting = _plays_three_ways(monkeypatch, _plays_frame([*ids, ids[7]], [*range(500), 8]))
    assert conflicting[0] == conflicting[1] == conflicting[2]
    assert conflicting[0].startswith(OBJECT) and "field play_id has 2 rows sharing a key" in conflicting[0]
    assert f"'play_id': '{ids[7]}'" in conflicting[0]


@pytest.mark.parametrize("width", [5, 8, 13, 20])
def test_the_fold_reads_only_the_rows_of_a_sliced_array(width):
    same, other = "a" * width, "b" * width
    assert silver_transform.fixed_width_distinct(
        silver_transform.fixed_width_bytes(pa.array([same, same, other]).slice(1))
    )
    assert not silver_transform.fixed_width_distinct(
        silver_transform.fixed_width_bytes(pa.array([other, same, same, other]).slice(1, 2))
    )
    # Rows differing in their last byte only (covered by the overlapping last word).
    last = [same[:-1] + char for char in "xyz"]
    assert silver_transform.fixed_width_distinct(silver_transform.fixed_width_bytes(pa.array(last)))


def _chunked(*chunks: List[str]) -> pd.Series:
    """A text column held in several Arrow chunks, as the job's Parquet reader hands them over."""
    arrays = [pa.array(chunk, type=pa.string()) for chunk in chunks]
    return pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array(arrays, type=pa.string())))


@pytest.mark.skipif(pd.__version__ < "2", reason="chunked Arrow strings: pandas >= 2")
def test_keys_in_several_chunks_are_judged_across_chunks(monkeypatch):
    ids = [f"k{number:05d}" for number in range(300)]
    rows = _plays_frame(ids, list(range(300)))
    rows["play_id"] = _chunked(ids[:100], [], ids[100:])
    assert silver_transform._single_key_unique(rows, ["play_id"])
    # The same key in two chunks, equal rows: dropped; different rows: named.
    again = _plays_frame([*ids, ids[5]], [*range(300), 5])
    again["play_id"] = _chunked(ids[:100], [*ids[100:], ids[5]])
    results = _plays_three_ways(monkeypatch, again)
    for result in results:
        assert result["play_id"].tolist() == ids
    again.loc[300, "track_id"] = 6
    conflicting = _plays_three_ways(monkeypatch, again)
    assert conflicting[0] == conflicting[1] == conflicting[2]
    assert "field play_id has 2 rows sharing a key" in conflicting[0] and "'k00005'" in conflicting[0]
    # Chunks of different widths: Arrow's hash set decides.
    mixed = _plays_frame(["a", "b", "cc"], [1, 2, 3])
    mixed["play_id"] = _chunked(["a", "b"], ["cc"])
    assert silver_transform._fixed_width_chunks(silver_transform._arrow_chunked(mixed["play_id"])) is None
    assert silver_transform._single_key_unique(mixed, ["play_id"])


@pytest.mark.skipif(pd.__version__ < "2", reason="chunked Arrow strings: pandas >= 2")
@pytest.mark.parametrize(
    "second",
    [
        ["2026-11-18T10:22:22Z", "2026-11-18T11:22:22Z"],  # one width across chunks
        ["2026-11-18T10:22:22+01:00"],  # another width in another chunk
        ["2026-11-18T10:22:22X"],  # a bad shape in the second chunk only
        ["2026-02-30T10:22:22Z"],  # an impossible day in the second chunk only
    ],
)
def test_timestamps_in_several_chunks_equal_the_pandas_parse(monkeypatch, second):
    values = _chunked(["2026-11-17T10:22:22Z", "2026-11-17T11:22:22Z"], [], second)
    try:
        fixed, regex, general = _timestamps_three_ways(monkeypatch, values)
    except SilverInputError as error:
        assert second[0] in ("2026-11-18T10:22:22X", "2026-02-30T10:22:22Z")
        assert "field 'modified_at' has 0 null and 1 malformed value(s)" in str(error)
        assert f"row 2: {second[0]!r}" in str(error)
    else:
        pd.testing.assert_series_equal(fixed, general)
        pd.testing.assert_series_equal(regex, general)
        assert silver_transform._arrow_timestamps_tz(values, TRACKS.column("modified_at")) is not None


def test_a_fold_collision_falls_back_to_the_exact_check(monkeypatch):
    rows = silver_transform.fixed_width_bytes(pa.array(["a1b2c3d4e5", "a1b2c3d4e6"]))
    assert silver_transform.fixed_width_distinct(rows)
    # Every row folding to the same number (a multiplier of 0) proves nothing: not distinct,
    # so the exact check decides, and distinct keys still pass.
    monkeypatch.setattr(silver_transform, "_FOLD_MULTIPLIER", np.uint64(0))
    assert not silver_transform.fixed_width_distinct(rows)
    frame_ = _plays_frame(["a1b2c3d4e5", "a1b2c3d4e6"], [1, 2])
    assert transform_dataset(frame_, CONTRACT.dataset("plays"), OBJECT)["play_id"].tolist() == [
        "a1b2c3d4e5",
        "a1b2c3d4e6",
    ]


@pytest.mark.parametrize(
    ("arrow_type", "values", "expected"),
    [
        # Bronze's own type: taken as it is.
        (pa.decimal128(6, 2), ["1.25", "-9999.99", None], ["1.25", "-9999.99", None]),
        # A narrower scale widens exactly; integers too.
        (pa.decimal128(4, 1), ["1.5", None], ["1.50", None]),
        (pa.int64(), [7, -3], ["7.00", "-3.00"]),
        # A digit to round: the pandas path's half-even rounding.
        (pa.decimal128(7, 3), ["1.995", "2.005"], ["2.00", "2.00"]),
    ],
)
def test_decimal_columns_equal_the_pandas_path(monkeypatch, arrow_type, values, expected):
    typed = [decimal.Decimal(value) if isinstance(value, str) else value for value in values]
    array = pa.array(typed, type=arrow_type)
    series = pd.Series(array.to_pandas())
    if getattr(pd, "ArrowDtype", None) is not None and pd.__version__ >= "2":
        series = pd.Series(pd.arrays.ArrowExtensionArray(array))  # as bronze_types_mapper reads it
    column = TRACKS.column("price")
    fast = silver_transform.to_decimal(series, column, OBJECT)
    with monkeypatch.context() as patched:
        patched.setattr(silver_transform, "_arrow_decimals", lambda *_args: None)
        general = silver_transform.to_decimal(series, column, OBJECT)
    wanted = [None if value is None else decimal.Decimal(value) for value in expected]
    for result in (fast, general):
        got = [None if pd.isna(value) else value for value in result.tolist()]
        assert got == wanted and [str(value) for value in got] == [str(value) for value in wanted]
    assert pa.array(fast, type=pa.decimal128(6, 2)).equals(pa.array(general, type=pa.decimal128(6, 2)))


def test_decimal_overflow_from_arrow_input_names_the_field():
    array = pa.array([decimal.Decimal("12345.67")], type=pa.decimal128(7, 2))
    series = pd.Series(array.to_pandas())
    if getattr(pd, "ArrowDtype", None) is not None and pd.__version__ >= "2":
        series = pd.Series(pd.arrays.ArrowExtensionArray(array))
    with pytest.raises(SilverInputError, match="field 'price' needs decimals of at most 6 digits, 2 after"):
        silver_transform.to_decimal(series, TRACKS.column("price"), OBJECT)


def test_one_column_key_with_arrow_text_still_drops_and_rejects_duplicates(caplog):
    plays = CONTRACT.dataset("plays")
    rows = pd.DataFrame(
        {
            "play_id": pd.array(["a", "b", "a", "c"], dtype=pd.StringDtype("pyarrow")),
            "track_id": [1, 2, 1, 3],
            "played_at": pd.array(["2026-11-17T10:00:00Z"] * 4, dtype=pd.StringDtype("pyarrow")),
        }
    )
    with caplog.at_level(logging.WARNING):
        result = transform_dataset(rows, plays, OBJECT)
    assert result["play_id"].tolist() == ["a", "b", "c"] and "dropped 1 exact duplicate row(s)" in caplog.text
    rows.loc[2, "track_id"] = 9
    with pytest.raises(SilverInputError, match=r"field play_id has 2 rows sharing a key"):
        transform_dataset(rows, plays, OBJECT)


def test_exact_duplicates_dropped_and_logged_conflicts_name_the_key(caplog):
    with caplog.at_level(logging.WARNING):
        result = silver([track(1), track(2), track(1)])
    assert len(result) == 2 and "dropped 1 exact duplicate row(s)" in caplog.text
    with pytest.raises(SilverInputError, match=r"field track_id has 2 rows sharing a key .*'track_id': 1"):
        silver([track(1), track(1, notes="changed only in a dropped column")])


def test_only_strictly_increasing_whole_number_keys_are_proven_unique_in_one_pass():
    def proven(values, keys=("track_id",)):
        return silver_transform._increasing_key_unique(
            pd.DataFrame({"track_id": values, "t": "x"}), list(keys)
        )

    assert proven([1, 2, 5]) and proven(pd.array([3, 4], dtype="Int64"))
    # Not proven (the general checks decide): a repeat, any other order, a null, text, two keys.
    assert not proven([1, 2, 2]) and not proven([2, 1, 3]) and not proven([1])
    assert not proven(pd.array([1, None, 3], dtype="Int64"))
    assert not proven(["1", "2"]) and not proven([1, 2], keys=("track_id", "t"))


def test_sorted_keys_drop_and_reject_duplicates_as_before(monkeypatch, caplog):
    rows = [track(1), track(2), track(3)]
    fast = silver(rows)
    with monkeypatch.context() as patched:
        patched.setattr(silver_transform, "_increasing_key_unique", lambda *_args: False)
        pd.testing.assert_frame_equal(silver(rows), fast)
    with caplog.at_level(logging.WARNING):  # in order, with a repeat: the general check runs
        assert silver([track(1), track(1), track(2)])["track_id"].tolist() == [1, 2]
    assert "dropped 1 exact duplicate row(s)" in caplog.text
    with pytest.raises(SilverInputError, match=r"field track_id has 2 rows sharing a key"):
        silver([track(1), track(2), track(2, notes="x", plays=99)])


def test_missing_kept_column_is_named_a_missing_dropped_one_is_fine():
    rows = frame([track(1)])
    assert len(transform_dataset(rows.drop(columns=["notes"]), TRACKS, OBJECT)) == 1
    with pytest.raises(SilverInputError, match=r"missing expected column\(s\) \['bpm'\] for dataset tracks"):
        transform_dataset(rows.drop(columns=["bpm"]), TRACKS, OBJECT)


def test_the_transform_hook_changes_rows_not_columns():
    def only_played(rows: pd.DataFrame, dataset: str) -> pd.DataFrame:
        assert dataset == "tracks"
        return rows[rows["plays"] > 10].reset_index(drop=True)

    assert silver([track(1), track(2)], hook=only_played)["track_id"].tolist() == [2]
    with pytest.raises(ValueError, match="the tracks transform hook changed the silver columns"):
        silver([track(1)], hook=lambda rows, _dataset: rows.drop(columns=["plays"]))


def test_hooks_module_needs_a_silver_transform_callable(monkeypatch):
    module = types.ModuleType("music_hooks")
    monkeypatch.setitem(sys.modules, "music_hooks", module)
    with pytest.raises(ValueError, match="--hooks_module music_hooks has no callable silver_transform"):
        load_hook("music_hooks")
    module.silver_transform = lambda rows, _dataset: rows  # type: ignore[attr-defined]
    assert load_hook("music_hooks") is module.silver_transform
    assert load_hook(None) is None


# ---- incremental merge -----------------------------------------------------------------------


def test_merge_orders_by_the_contract_column_and_the_delete_marker_removes_keys():
    day1 = silver([track(1), track(2), track(3)])
    first = merge_increment(None, day1, TRACKS, "2026-11-17")
    assert first["track_id"].tolist() == [1, 2, 3] and set(first["ingest_date"]) == {"2026-11-17"}
    assert order_column(TRACKS) == "modified_at"

    day2 = silver(
        [
            track(1, plays=99, modified_at="2026-11-18T08:00:00Z"),  # newer: wins
            track(2, plays=0, modified_at="2026-11-16T08:00:00Z"),  # late and older: loses
            track(3, deleted=True, modified_at="2026-11-18T08:00:00Z"),  # removes track 3
            track(4, deleted=True, modified_at="2026-11-18T08:00:00Z"),  # deleting the unknown: nothing
            track(5, modified_at="2026-11-18T08:00:00Z"),
        ]
    )
    second = merge_increment(first, day2, TRACKS, "2026-11-18")
    rows = {row["track_id"]: row for row in second.to_dict("records")}
    assert sorted(rows) == [1, 2, 5]
    assert rows[1]["plays"] == 99 and rows[1]["ingest_date"] == "2026-11-18"
    assert rows[2]["plays"] == 20 and rows[2]["ingest_date"] == "2026-11-17"
    assert list(second.columns) == [*TRACKS.silver_columns(), "ingest_date"]
    assert not second["deleted"].any()

    # A re-delivery of the same day changes nothing.
    again = merge_increment(second, day2, TRACKS, "2026-11-18")
    pd.testing.assert_frame_equal(
        again.reset_index(drop=True), second.reset_index(drop=True), check_dtype=False
    )


def test_first_load_drops_deleted_rows_and_a_whole_load_does_too():
    rows = silver([track(1), track(2, deleted=True)])
    assert merge_increment(None, rows, TRACKS, "2026-11-17")["track_id"].tolist() == [1]
    assert drop_deleted(rows, TRACKS)["track_id"].tolist() == [1]


def test_backfill_needs_a_declared_window():
    day1 = merge_increment(None, silver([track(1)]), TRACKS, "2026-11-17")
    with pytest.raises(ValueError, match=r"dataset tracks declares no load\.backfill_window"):
        merge_increment(day1, silver([track(2)]), TRACKS, "2026-11-18", backfill_from="2026-11-01")


# ---- a second source through the same job ----------------------------------------------------


def test_a_second_source_runs_through_the_generic_job_unchanged(glue_aws):
    plays = pd.DataFrame(
        {
            "play_id": ["p1", "p2", "p2"],
            "track_id": [1, 2, 2],
            "played_at": ["2026-11-17T10:00:00Z", "2026-11-17T11:00:00+01:00", "2026-11-17T11:00:00+01:00"],
        }
    )
    write_bronze(glue_aws.bronze_bucket, "plays", plays, "2026-11-17", source="music")
    argv = [
        "silver.py",
        "--bronze_bucket", glue_aws.bronze_bucket,
        "--silver_bucket", glue_aws.silver_bucket,
        "--source_name", "music",
        "--datasets", "plays",
        "--merge_datasets", "plays",
    ]  # fmt: skip
    for stage in ("write", "publish"):
        run_silver([*argv, "--stage", stage], contract=CONTRACT)
    import awswrangler as wr  # noqa: PLC0415 - heavy

    live = wr.s3.read_parquet(f"s3://{glue_aws.silver_bucket}/music/plays/plays.snappy.parquet")
    assert live["play_id"].tolist() == ["p1", "p2"]  # the duplicate delivery dropped
    assert [moment.isoformat() for moment in live["played_at"]] == [
        dt.datetime(2026, 11, 17, 10, tzinfo=dt.timezone.utc).isoformat()
    ] * 2
    assert live["ingest_date"].tolist() == ["2026-11-17"] * 2
    assert glue_aws.notifications() == []
