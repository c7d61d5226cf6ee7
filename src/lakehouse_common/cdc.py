"""Change-data-capture merge: fold new change records into the current snapshot
(`merge_and_retain_last`), for Spark DataFrames and, with identical rules, pandas DataFrames.

Rules (both engines):
1. `existing` is the current snapshot (no delete flag); `incoming` are change records with the
   same columns plus an optional boolean `deleted_column` (missing = no deletes).
2. The two are unioned; per key (one or more columns) the record with the latest
   `timestamp_column` wins, so a late-arriving OLDER record never overwrites a newer one.
3. Ties (same key, same timestamp) are broken deterministically, in this order:
   a. incoming beats existing (a re-delivered change is the newer knowledge);
   b. a delete beats an upsert (the conservative reading of "deleted and updated at once");
   c. otherwise the row that sorts greatest over the remaining columns, in column order
      (arbitrary but stable across runs and engines, so re-runs give the same snapshot).
4. Winners flagged as deleted are dropped; the flag column is not in the result.
Null keys or timestamps raise ValueError naming the column: such a row can never be ordered or
matched, and silently keeping or dropping it would corrupt the snapshot.
"""

from typing import Any, List, Sequence

DELETED = "_deleted"
_SIDE = "__cdc_side"  # 1 = incoming, 0 = existing
_RANK = "__cdc_rank"


def _check_columns(kind: str, columns: Sequence[str], needed: Sequence[str]) -> None:
    missing = [name for name in needed if name not in columns]
    if missing:
        raise ValueError(f"{kind} is missing column(s) {missing}; it has {list(columns)}")


def _check_keys(keys: Sequence[str]) -> List[str]:
    if isinstance(keys, str):
        return [keys]
    if not keys:
        raise ValueError("merge_and_retain_last needs at least one key column")
    return list(keys)


# ---- Spark -----------------------------------------------------------------------------------


def merge_and_retain_last(
    incoming: Any,
    existing: Any,
    keys: Sequence[str],
    timestamp_column: str,
    deleted_column: str = DELETED,
) -> Any:
    """Spark: latest record per key from `existing` + `incoming`, deletes removed (rules above)."""
    from pyspark.sql import Window  # noqa: PLC0415 - Spark only where Spark runs
    from pyspark.sql import functions as F  # noqa: PLC0415
    from pyspark.sql.types import MapType  # noqa: PLC0415

    key_list = _check_keys(keys)
    data_columns = [name for name in existing.columns]
    _check_columns("existing", existing.columns, [*key_list, timestamp_column])
    _check_columns("incoming", incoming.columns, [*key_list, timestamp_column])
    if deleted_column not in incoming.columns:
        incoming = incoming.withColumn(deleted_column, F.lit(False))
    extra = sorted(set(incoming.columns) - set(data_columns) - {deleted_column})
    lacking = sorted(set(data_columns) - set(incoming.columns))
    if extra or lacking:
        raise ValueError(f"incoming columns differ from existing: extra {extra}, missing {lacking}")

    union = existing.withColumn(deleted_column, F.lit(False)).withColumn(_SIDE, F.lit(0))
    union = union.unionByName(incoming.withColumn(_SIDE, F.lit(1)))
    checked = [*key_list, timestamp_column]
    # One pass counts nulls in every checked column (an action per column costs a job each).
    counts = union.select([F.sum(F.col(c).isNull().cast("int")).alias(c) for c in checked]).first()
    for column in checked:
        if counts is not None and counts[column]:
            raise ValueError(f"merge_and_retain_last: column {column!r} has null values")

    orderable = {field.name for field in union.schema.fields if not isinstance(field.dataType, MapType)}
    tie_breakers = [
        F.col(name).desc_nulls_last()
        for name in data_columns
        if name not in key_list and name != timestamp_column and name in orderable
    ]
    window = Window.partitionBy(*key_list).orderBy(
        F.col(timestamp_column).desc(),
        F.col(_SIDE).desc(),
        F.col(deleted_column).desc(),
        *tie_breakers,
    )
    ranked = union.withColumn(_RANK, F.row_number().over(window))
    latest = ranked.filter((F.col(_RANK) == 1) & ~F.col(deleted_column))
    return latest.select(*data_columns)


# ---- pandas ----------------------------------------------------------------------------------


def merge_and_retain_last_pandas(
    incoming: Any,
    existing: Any,
    keys: Sequence[str],
    timestamp_column: str,
    deleted_column: str = DELETED,
) -> Any:
    """pandas: the same merge as `merge_and_retain_last` (same rules, same tie-breaks)."""
    import pandas as pd  # noqa: PLC0415 - pandas only where it runs

    key_list = _check_keys(keys)
    data_columns = list(existing.columns)
    _check_columns("existing", data_columns, [*key_list, timestamp_column])
    _check_columns("incoming", list(incoming.columns), [*key_list, timestamp_column])
    incoming = incoming.copy()
    if deleted_column not in incoming.columns:
        incoming[deleted_column] = False
    extra = sorted(set(incoming.columns) - set(data_columns) - {deleted_column})
    lacking = sorted(set(data_columns) - set(incoming.columns))
    if extra or lacking:
        raise ValueError(f"incoming columns differ from existing: extra {extra}, missing {lacking}")

    old = existing.copy()
    old[deleted_column] = False
    old[_SIDE] = 0
    incoming[_SIDE] = 1
    frames = [frame for frame in (old, incoming) if len(frame)]
    if not frames:
        return existing.iloc[0:0][data_columns].copy()
    union = pd.concat(frames, ignore_index=True)
    for column in [*key_list, timestamp_column]:
        if union[column].isna().any():
            raise ValueError(f"merge_and_retain_last: column {column!r} has null values")
    union[deleted_column] = union[deleted_column].fillna(False).astype(bool)

    tie_columns = [name for name in data_columns if name not in key_list and name != timestamp_column]
    order = [timestamp_column, _SIDE, deleted_column, *tie_columns]
    # Sort ascending with nulls first, keep the last row per key: the greatest by `order`,
    # nulls losing ties like Spark's desc_nulls_last.
    ranked = union.sort_values(order, na_position="first", kind="mergesort")
    latest = ranked.drop_duplicates(subset=key_list, keep="last")
    latest = latest[~latest[deleted_column]]
    return latest[data_columns].sort_values(key_list, kind="mergesort").reset_index(drop=True)
