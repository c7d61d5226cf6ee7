"""merge_and_retain_last: the same CDC scenarios for the pandas and the Spark implementation."""

import datetime as dt

import pandas as pd
import pytest
from glue_testing import compare_rows, spark_frame

from lakehouse_common.cdc import merge_and_retain_last, merge_and_retain_last_pandas

T1, T2, T3 = (dt.datetime(2025, 1, day) for day in (1, 2, 3))
COLUMNS = ["id", "region", "name", "updated_at"]

# (scenario, existing rows, incoming rows (with _deleted), keys, expected rows)
SCENARIOS = [
    (
        "empty incoming keeps the snapshot",
        [(1, "eu", "a", T1)],
        [],
        ["id"],
        [(1, "eu", "a", T1)],
    ),
    (
        "empty existing takes the latest incoming per key",
        [],
        [(1, "eu", "a", T1, False), (1, "eu", "b", T2, False), (2, "eu", "c", T1, False)],
        ["id"],
        [(1, "eu", "b", T2), (2, "eu", "c", T1)],
    ),
    ("both empty", [], [], ["id"], []),
    (
        "newer incoming overwrites, untouched keys stay",
        [(1, "eu", "a", T1), (2, "eu", "b", T1)],
        [(1, "eu", "a2", T2, False)],
        ["id"],
        [(1, "eu", "a2", T2), (2, "eu", "b", T1)],
    ),
    (
        "late older record does not overwrite",
        [(1, "eu", "new", T3)],
        [(1, "eu", "old", T2, False)],
        ["id"],
        [(1, "eu", "new", T3)],
    ),
    (
        "delete removes the entity",
        [(1, "eu", "a", T1), (2, "eu", "b", T1)],
        [(1, "eu", "a", T2, True)],
        ["id"],
        [(2, "eu", "b", T1)],
    ),
    (
        "older delete does not remove a newer record",
        [(1, "eu", "a", T3)],
        [(1, "eu", "a", T2, True)],
        ["id"],
        [(1, "eu", "a", T3)],
    ),
    (
        "composite key keeps entities apart",
        [(1, "eu", "a", T1), (1, "us", "b", T1)],
        [(1, "us", "b2", T2, False)],
        ["id", "region"],
        [(1, "eu", "a", T1), (1, "us", "b2", T2)],
    ),
    (
        "tie: incoming beats existing",
        [(1, "eu", "existing", T2)],
        [(1, "eu", "incoming", T2, False)],
        ["id"],
        [(1, "eu", "incoming", T2)],
    ),
    (
        "tie: delete beats upsert at the same timestamp",
        [],
        [(1, "eu", "a", T2, False), (1, "eu", "a", T2, True)],
        ["id"],
        [],
    ),
    (
        "tie: otherwise the greatest remaining columns win (deterministic)",
        [],
        [(1, "eu", "b", T2, False), (1, "eu", "c", T2, False), (1, "eu", "a", T2, False)],
        ["id"],
        [(1, "eu", "c", T2)],
    ),
]


def _dicts(rows, with_flag=False):
    names = [*COLUMNS, "_deleted"] if with_flag else COLUMNS
    return [dict(zip(names, row)) for row in rows]


def _pandas(rows, with_flag=False):
    names = [*COLUMNS, "_deleted"] if with_flag else COLUMNS
    frame = pd.DataFrame(rows, columns=names)
    frame["updated_at"] = pd.to_datetime(frame["updated_at"])
    return frame


@pytest.mark.parametrize(("scenario", "existing", "incoming", "keys", "expected"), SCENARIOS)
def test_pandas_merge(scenario, existing, incoming, keys, expected):
    result = merge_and_retain_last_pandas(_pandas(incoming, True), _pandas(existing), keys, "updated_at")
    assert list(result.columns) == COLUMNS
    assert compare_rows(result.to_dict(orient="records"), _dicts(expected)) is None, scenario


def test_pandas_merge_rejects_null_keys_and_mismatched_columns():
    existing = _pandas([(1, "eu", "a", T1)])
    with pytest.raises(ValueError, match="'id' has null"):
        merge_and_retain_last_pandas(
            _pandas([(None, "eu", "a", T2, False)], True), existing, ["id"], "updated_at"
        )
    with pytest.raises(ValueError, match="extra \\['colour'\\]"):
        merge_and_retain_last_pandas(existing.assign(colour="red"), existing, ["id"], "updated_at")
    with pytest.raises(ValueError, match="missing column"):
        merge_and_retain_last_pandas(existing, existing, ["nope"], "updated_at")


def test_pandas_incoming_without_delete_flag_means_upserts():
    result = merge_and_retain_last_pandas(
        _pandas([(1, "eu", "b", T2)]), _pandas([(1, "eu", "a", T1)]), "id", "updated_at"
    )
    assert compare_rows(result.to_dict(orient="records"), _dicts([(1, "eu", "b", T2)])) is None


@pytest.mark.spark
def test_spark_merge_all_scenarios(spark):
    # Spark actions are the slow part: all but the empty-side scenarios run as ONE merge, each
    # scenario's rows set apart by a scenario column in the key. Every such scenario has a single
    # region except the composite-key one, so (scenario, id, region) is each scenario's own key.
    schema = "scenario string, id long, region string, name string, updated_at timestamp"
    flagged = schema + ", _deleted boolean"
    separate = [s for s in SCENARIOS if "empty" in s[0]]  # empty sides need frames of their own
    combined = [s for s in SCENARIOS if "empty" not in s[0]]
    assert len(combined) == 8
    existing = [(name, *row) for name, rows, _inc, _keys, _exp in combined for row in rows]
    incoming = [(name, *row) for name, _ex, rows, _keys, _exp in combined for row in rows]
    expected = [(name, *row) for name, _ex, _inc, _keys, rows in combined for row in rows]
    result = merge_and_retain_last(
        spark_frame(spark, incoming, flagged),
        spark_frame(spark, existing, schema),
        ["scenario", "id", "region"],
        "updated_at",
    )
    names = ["scenario", *COLUMNS]
    assert result.columns == names
    assert (
        compare_rows([r.asDict() for r in result.collect()], [dict(zip(names, r)) for r in expected]) is None
    )

    for scenario, existing_rows, incoming_rows, keys, expected_rows in separate:  # the empty sides
        result = merge_and_retain_last(
            spark_frame(spark, [("s", *r) for r in incoming_rows], flagged),
            spark_frame(spark, [("s", *r) for r in existing_rows], schema),
            keys,
            "updated_at",
        )
        rows = [{k: v for k, v in r.asDict().items() if k != "scenario"} for r in result.collect()]
        assert compare_rows(rows, _dicts(expected_rows)) is None, scenario

    with pytest.raises(ValueError, match="'updated_at' has null"):
        merge_and_retain_last(
            spark_frame(spark, [("s", 1, "eu", "a", None, False)], flagged),
            spark_frame(spark, [], schema),
            ["id"],
            "updated_at",
        )
