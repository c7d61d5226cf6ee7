"""Bronze rows -> silver rows for any contract dataset (pure pandas; Python 3.9, pandas >= 1.4).

One dataset of a source contract (`lakehouse_common.contract.Dataset`) says everything: its
columns and kinds, keys, duplicate rule and silver mapping. `transform_dataset`:
1. checks that every column silver keeps is present (dropped ones may be missing; unknown ones
   are left out with a warning: silver's schema changes only with the contract);
2. drops exact duplicate rows (logged) and rejects rows that share a key with other values,
   naming the key; judged on the whole bronze row, so a conflict hidden in a dropped column is
   still an error;
3. converts each kept column by kind, rejecting nulls in columns declared `nullable: false` and
   malformed values, naming the object, the field and example rows:
     int          -> int64 (nullable columns: Int64)     float -> float64
     decimal      -> decimal128(precision, scale): Arrow-backed from decimal or integer input on
                     pandas >= 2, else decimal.Decimal objects at the column's scale
     bool         -> bool (nullable columns: boolean); true/false, 1/0 and "true"/"false" accepted
     text         -> as it arrives                       html  -> HTML entities decoded
     date         -> "YYYY-MM-DD"                        datetime -> "YYYY-MM-DD HH:MM:SS"
     timestamp_tz -> ISO 8601 with a zone, converted to a UTC timestamp
   Dates and datetimes are split into <name>_todate/_year/_month/_day when the contract says so,
   else kept as one timestamp column;
4. renames and orders the columns as `Dataset.silver_columns()` says.

`merge_increment` folds a silver-shaped increment into the previous silver snapshot with the
shared CDC merge (`lakehouse_common.cdc`), for datasets the contract declares incremental.
"""

import decimal
import html
import logging
import re
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lakehouse_common.cdc import merge_and_retain_last_pandas
from lakehouse_common.contract import INGEST_DATE_ORDER, Column, Dataset

LOGGER = logging.getLogger(__name__)

# Each row of an incremental dataset carries the day of its newest delivery (the merge's clock
# when the contract orders by delivery, and a tie-breaker otherwise).
INGEST_DATE_COLUMN = INGEST_DATE_ORDER
DATE_FORMATS = {"date": "%Y-%m-%d", "datetime": "%Y-%m-%d %H:%M:%S"}
# ISO 8601 with a zone: ...Z or ...+HH:MM / +HHMM / +HH at the end.
_PANDAS_MAJOR = int(pd.__version__.split(".")[0])
# Arrow-backed pandas columns of any Arrow type (pandas >= 2; Python shell's analytics set has 1.4).
_ARROW_DTYPE = getattr(pd, "ArrowDtype", None) if _PANDAS_MAJOR >= 2 else None
_ZONE_RE = re.compile(r"(?:[Zz]|[+-]\d{2}(?::?\d{2})?)$")
_ISO_RE = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?")
# The shape Arrow's cast parses exactly as pandas does (year, month, day, T or space, hour and
# minute, optional seconds with up to microseconds, Z or a numeric offset), anchored at both ends.
_STRICT_TIMESTAMP_TZ = (
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)$"
)
# Fixed-width shapes of _STRICT_TIMESTAMP_TZ checked byte by byte by numpy (d: a digit, T: "T"
# or a space, +: "+" or "-", anything else itself); every one is a case of that pattern.
_FIXED_TIMESTAMP_SHAPES = (
    "dddd-dd-ddTdd:dd:ddZ",
    "dddd-dd-ddTdd:ddZ",
    "dddd-dd-ddTdd:dd:dd.dddZ",
    "dddd-dd-ddTdd:dd:dd.ddddddZ",
    "dddd-dd-ddTdd:dd:dd+dd:dd",
)
_ALTERNATIVES = {"T": b"T ", "+": b"+-"}
_FOLD_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)  # odd: multiplying by it loses no bit
# pandas' datetime64[ns] range in microseconds: outside it pandas says NaT (a malformed value).
_NS_MIN_US = -(2**63 - 1) // 1000 + 1
_NS_MAX_US = (2**63 - 1) // 1000
_TRUE = ("true", "1")
_FALSE = ("false", "0")
# (frame, dataset name) -> frame: a source's own step after the generic transform.
TransformHook = Callable[[pd.DataFrame, str], pd.DataFrame]


class SilverInputError(ValueError):
    """Bronze data that must not reach silver; the message names the object and the field."""


def _examples(values: "pd.Series", limit: int = 3) -> str:
    return "; ".join(f"row {index}: {value!r}" for index, value in values.head(limit).items())


def check_columns(df: pd.DataFrame, dataset: Dataset, object_name: str) -> List[str]:
    """Fail on missing kept columns; return them (dropped and unknown ones are left out)."""
    wanted = [column.name for column in dataset.kept_columns()]
    missing = [name for name in wanted if name not in df.columns]
    if missing:
        raise SilverInputError(
            f"{object_name}: missing expected column(s) {missing} for dataset {dataset.name} "
            f"(columns present: {list(df.columns)})"
        )
    ignored = [name for name in df.columns if name not in wanted and name not in dataset.silver.drop]
    if ignored:
        # New upstream columns are not silently published: silver's schema changes only with
        # the contract.
        LOGGER.warning("%s: dropping column(s) not in the silver mapping: %s", object_name, ignored)
    return wanted


def _arrow(values: "pd.Series") -> Any:
    """The column as an Arrow array: zero-copy for Arrow-backed text and plain numpy columns;
    None when Arrow cannot take it as it is (mixed objects), so the caller keeps its pandas path."""
    try:
        array = pa.array(values, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, TypeError):
        return None
    if isinstance(array, pa.ChunkedArray):  # Arrow-backed pandas columns hand over their chunks
        if array.num_chunks == 1:
            return array.chunk(0)
        return pa.concat_arrays(array.chunks) if array.num_chunks else pa.array([], type=array.type)
    return array


def _arrow_chunked(values: "pd.Series") -> Any:
    """The column as an Arrow ChunkedArray, in the chunks an Arrow-backed column already holds
    (no concatenation: copying a million strings into one array cost as much as checking them);
    None when Arrow cannot take it as it is."""
    try:
        array = pa.array(values, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, TypeError):
        return None
    return array if isinstance(array, pa.ChunkedArray) else pa.chunked_array([array])


def _fixed_width_chunks(strings: Any) -> Optional[List[np.ndarray]]:
    """`fixed_width_bytes` of every non-empty chunk, when all have it and share one width."""
    rows = [fixed_width_bytes(chunk) for chunk in strings.chunks if len(chunk)]
    if not rows or any(part is None for part in rows) or len({part.shape[1] for part in rows}) != 1:
        return None
    return rows


def _is_text(array: Any) -> bool:
    return array is not None and (pa.types.is_string(array.type) or pa.types.is_large_string(array.type))


def fixed_width_bytes(strings: Any) -> Optional[np.ndarray]:
    """A text array whose values all have one length (in bytes) and no nulls, as an (n, width)
    uint8 view of its data buffer (no copy); None for anything else. Identifiers and timestamps
    of one shape are like this, and numpy can then judge them column by column."""
    count = len(strings)
    if not count or strings.null_count or not _is_text(strings):
        return None
    _validity, offsets_buffer, data = strings.buffers()
    offset_type = np.int64 if pa.types.is_large_string(strings.type) else np.int32
    offsets = np.frombuffer(offsets_buffer, dtype=offset_type)[strings.offset : strings.offset + count + 1]
    width = int(offsets[1] - offsets[0])
    if not width or int(offsets[-1] - offsets[0]) != width * count or (np.diff(offsets) != width).any():
        return None
    start = int(offsets[0])
    return np.frombuffer(data, dtype=np.uint8)[start : start + width * count].reshape(count, width)


def fixed_width_distinct(rows: Union[np.ndarray, Sequence[np.ndarray]]) -> bool:
    """True when the rows of `fixed_width_bytes` (one array, or one per chunk of a column, all of
    one width) are all different; False means "not proven".

    Each row folds into one 64-bit number (exact up to 8 bytes, a hash beyond): distinct numbers
    prove distinct rows, while equal numbers may be a hash collision, which the caller's exact
    check settles. One pass over the bytes and a sort of integers instead of a hash set of
    strings (bench/silver_transform.py, music plays)."""
    parts = [rows] if isinstance(rows, np.ndarray) else list(rows)
    numbers = np.concatenate([_fold(part) for part in parts]) if len(parts) > 1 else _fold(parts[0])
    numbers.sort()  # numpy sorts integers faster than a hash set takes them
    return not bool((numbers[1:] == numbers[:-1]).any())


def _fold(rows: np.ndarray) -> np.ndarray:
    """One 64-bit number per row of `fixed_width_bytes` (see fixed_width_distinct)."""
    count, width = rows.shape
    if width < 8:
        padded = np.zeros((count, 8), dtype=np.uint8)
        padded[:, :width] = rows
        words = [padded.view("<u8")[:, 0]]
    else:
        # 8-byte words read in place at 0, 8, ... and at width - 8 (overlapping the one before):
        # together they cover every byte of a row, with no padded copy.
        flat = np.ascontiguousarray(rows).reshape(-1)
        words = [
            np.ndarray((count,), dtype="<u8", buffer=flat, offset=at, strides=(width,))
            for at in [*range(0, width - 8, 8), width - 8]
        ]
    numbers = np.zeros(count, dtype=np.uint64)
    for word in words:
        numbers ^= word
        numbers *= _FOLD_MULTIPLIER
    return numbers


def _single_key_unique(df: pd.DataFrame, keys: List[str]) -> bool:
    """True when a one-column text key holds no repeated value (one null at most), decided by
    Arrow's hash kernel, or by `fixed_width_distinct` when every key has one length: pandas'
    duplicated on a million distinct Arrow strings took seconds. False means "not known": the
    pandas check decides (and is the faster one on numbers)."""
    if len(keys) != 1 or not len(df) or not pd.api.types.is_string_dtype(df[keys[0]].dtype):
        return False
    values = _arrow_chunked(df[keys[0]])
    if not _is_text(values):
        return False
    rows = _fixed_width_chunks(values)
    if rows is not None and fixed_width_distinct(rows):
        return True
    return len(pc.unique(values)) == len(df)


def _increasing_key_unique(df: pd.DataFrame, keys: List[str]) -> bool:
    """True when a one-column integer key without nulls is strictly increasing, which proves that
    no value repeats in one pass over the numbers (a hash table of a million keys cost more than
    the rest of the WordPress statistics transform). Sources paged by key, as WordPress exports
    are, arrive in this order. False means "not known": the other checks decide."""
    if len(keys) != 1 or len(df) < 2:
        return False
    column = df[keys[0]]
    if not pd.api.types.is_integer_dtype(column.dtype) or column.hasnans:
        return False
    values = column.to_numpy(dtype="int64")
    return bool((values[1:] > values[:-1]).all())


def drop_exact_duplicates(df: pd.DataFrame, dataset: Dataset, object_name: str) -> pd.DataFrame:
    """Drop rows repeating another row exactly (logged); fail on a key shared with other values."""
    keys = list(dataset.keys)
    # The common cases, each proven in one pass: keys in increasing order, or one text key.
    if _increasing_key_unique(df, keys) or _single_key_unique(df, keys):
        return df
    if not df.duplicated(subset=keys, keep=False).any():
        return df
    exact = df.duplicated(keep="first")
    if exact.any():
        LOGGER.warning("%s: dropped %d exact duplicate row(s)", object_name, int(exact.sum()))
        df = df[~exact]
    conflicting = df.duplicated(subset=keys, keep=False)
    if conflicting.any():
        sample = df.loc[conflicting, keys].drop_duplicates().head(3).to_dict(orient="records")
        raise SilverInputError(
            f"{object_name}: field {'+'.join(keys)} has {int(conflicting.sum())} rows sharing a key "
            f"with different values (e.g. {sample})"
        )
    return df


def _refuse_nulls(values: "pd.Series", column: Column, object_name: str) -> None:
    if not column.nullable and values.isna().any():
        nulls = values.isna()
        raise SilverInputError(
            f"{object_name}: field {column.name!r} is declared not nullable but has {int(nulls.sum())} "
            f"null value(s) e.g. {_examples(values[nulls])}"
        )


def to_int(values: "pd.Series", column: Column, object_name: str) -> "pd.Series":
    """int64 (Int64 when nullable and holding nulls); bad values are errors naming the field.

    Parquet integers arrive as int64 without nulls (one cast) or float with NaN for nulls."""
    if pd.api.types.is_integer_dtype(values.dtype) and not values.hasnans:
        return values.astype("int64")
    numbers = pd.to_numeric(values, errors="coerce").astype("float64")
    nulls = values.isna().to_numpy()
    allowed = nulls if column.nullable else np.zeros(len(values), dtype=bool)
    bad = (np.asarray(numbers.isna()) & ~allowed) | np.asarray(numbers % 1 != 0) & ~nulls
    if bad.any():
        raise SilverInputError(
            f"{object_name}: field {column.name!r} needs whole numbers: {int(bad.sum())} bad value(s) "
            f"({int((nulls & bad).sum())} null) e.g. {_examples(values[bad])}"
        )
    if nulls.any():
        return numbers.astype("Int64")
    return numbers.astype("int64")


def to_float(values: "pd.Series", column: Column, object_name: str) -> "pd.Series":
    numbers = pd.to_numeric(values, errors="coerce").astype("float64")
    bad = numbers.isna() & values.notna()
    if bad.any():
        raise SilverInputError(
            f"{object_name}: field {column.name!r} needs numbers: {int(bad.sum())} bad value(s) "
            f"e.g. {_examples(values[bad])}"
        )
    _refuse_nulls(values, column, object_name)
    return numbers


def _arrow_decimals(values: "pd.Series", precision: int, scale: int) -> Any:
    """The column as Arrow decimal128(precision, scale), or None when the general path must judge.

    Taken only where the answer cannot differ from decimal.Decimal's: the values already are
    decimals (bronze stores them at the contract's precision) or integers, and Arrow's safe cast
    succeeds, which it refuses on a value that would lose a digit (rounding is the general
    path's) or not fit the precision (an error, worded there). The result stays Arrow-backed
    (pandas >= 2): one Python Decimal per value made this column the slowest part of a silver
    write (bench/silver_transform.py, music tracks). On older pandas there is no such dtype."""
    if _ARROW_DTYPE is None:
        return None
    array = _arrow(values)
    if array is None or not (pa.types.is_decimal(array.type) or pa.types.is_integer(array.type)):
        return None
    try:
        return pc.cast(array, pa.decimal128(precision, scale))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def to_decimal(values: "pd.Series", column: Column, object_name: str) -> "pd.Series":
    """decimal.Decimal values rounded to the column's scale; too many digits is an error."""
    _refuse_nulls(values, column, object_name)
    precision, scale = int(column.precision or 38), int(column.scale or 0)
    exact = _arrow_decimals(values, precision, scale)
    if exact is not None:
        return pd.Series(pd.arrays.ArrowExtensionArray(exact), index=values.index)
    quantum = decimal.Decimal(1).scaleb(-scale)
    limit = decimal.Decimal(10) ** (precision - scale)

    def convert(value: Any) -> Optional[decimal.Decimal]:
        if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
            return None
        try:
            number = decimal.Decimal(str(value)).quantize(quantum, rounding=decimal.ROUND_HALF_EVEN)
        except (decimal.InvalidOperation, ValueError):
            return decimal.Decimal("NaN")
        return number if abs(number) < limit and number.is_finite() else decimal.Decimal("NaN")

    converted = values.map(convert)
    bad = converted.map(lambda value: value is not None and value.is_nan())
    if bad.any():
        raise SilverInputError(
            f"{object_name}: field {column.name!r} needs decimals of at most {precision} digits, "
            f"{scale} after the point: {int(bad.sum())} bad value(s) e.g. {_examples(values[bad])}"
        )
    return converted.astype(object)


def to_bool(values: "pd.Series", column: Column, object_name: str) -> "pd.Series":
    if pd.api.types.is_bool_dtype(values.dtype) and not values.hasnans:
        return values.astype(bool)

    def convert(value: Any) -> Any:
        if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
            return None
        if isinstance(value, (bool, np.bool_)):
            return bool(value)
        text = str(value).strip().lower()
        return True if text in _TRUE else False if text in _FALSE else "bad"

    converted = values.map(convert)
    bad = converted.map(lambda value: value == "bad" if isinstance(value, str) else False)
    if bad.any():
        raise SilverInputError(
            f"{object_name}: field {column.name!r} needs true or false: {int(bad.sum())} bad value(s) "
            f"e.g. {_examples(values[bad])}"
        )
    _refuse_nulls(values, column, object_name)
    if converted.isna().any():
        return converted.astype("boolean")
    return converted.astype(bool)


def _parse_distinct(values: "pd.Series", parse: Callable[[np.ndarray], pd.DatetimeIndex]) -> Any:
    """(codes, parsed uniques): parsing runs once per DISTINCT value, then spreads to the rows by
    position (a million page-view rows hold a few hundred distinct days)."""
    codes, uniques = pd.factorize(values)
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return codes, pd.DatetimeIndex(uniques)
    return codes, parse(np.asarray(uniques, dtype=object))


def _bad_dates(
    values: "pd.Series",
    codes: np.ndarray,
    parsed: pd.DatetimeIndex,
    column: Column,
    *,
    expected: str,
    object_name: str,
) -> np.ndarray:
    nulls = codes < 0
    bad_unique = np.asarray(parsed.isna())
    # The common case is judged on the distinct values alone: no malformed one, and no null
    # where nulls are not allowed, means no per-row work.
    if not bad_unique.any() and (column.nullable or not nulls.any()):
        return nulls
    malformed = bad_unique[codes] & ~nulls if len(parsed) else np.zeros(len(codes), dtype=bool)
    bad = malformed | (nulls if not column.nullable else np.zeros(len(codes), dtype=bool))
    if bad.any():
        mask = pd.Series(bad, index=values.index)
        raise SilverInputError(
            f"{object_name}: field {column.name!r} has {int((nulls & bad).sum())} null and "
            f"{int(malformed.sum())} malformed value(s) (expected {expected}) e.g. {_examples(values[mask])}"
        )
    return nulls


def parse_dates(values: "pd.Series", column: Column, object_name: str) -> Any:
    """(codes, parsed distinct values, null mask) of a date or datetime column. The format is
    exact, so WordPress's '0000-00-00 00:00:00' or a changed format fails instead of becoming a
    wrong date."""
    fmt = DATE_FORMATS[column.kind]
    codes, parsed = _parse_distinct(
        values, lambda uniques: pd.DatetimeIndex(pd.to_datetime(uniques, format=fmt, errors="coerce"))
    )
    nulls = _bad_dates(values, codes, parsed, column, expected=fmt, object_name=object_name)
    return codes, parsed, nulls


def _parse_timestamps_tz(uniques: np.ndarray) -> pd.DatetimeIndex:
    """ISO 8601 with a zone -> naive UTC, anything else NaT, vectorised: every event of a log has a
    timestamp of its own, so checking and parsing the distinct values one by one in Python took
    seconds per million rows (bench/silver_transform.py, music plays). The shape checks run in
    Arrow's compute kernels, the parse in pandas."""
    try:
        strings = pa.array(uniques, type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # not all text: judge each value's text form
        strings = pa.array([str(value) for value in uniques], type=pa.string())
    strings = pc.utf8_trim_whitespace(strings)
    iso = pc.match_substring_regex(strings, _ISO_RE.pattern)
    shaped = pc.and_(iso, pc.match_substring_regex(strings, _ZONE_RE.pattern))
    candidates = pc.if_else(shaped, strings, pa.scalar(None, pa.string())).to_pandas()
    if _PANDAS_MAJOR >= 2:
        parsed = pd.to_datetime(candidates, format="ISO8601", utc=True, errors="coerce")
    else:  # pandas 1.x (Python shell's analytics set) parses ISO 8601 without being told
        parsed = pd.to_datetime(candidates, utc=True, errors="coerce")
    return pd.DatetimeIndex(parsed).tz_localize(None)


_BLOCK_ROWS = 8192  # rows compared per step: the bounds repeat once per row of a block


def _shape_bounds(shape: str) -> Tuple[np.ndarray, np.ndarray, List[Tuple[int, bytes]]]:
    """(lowest byte, span of bytes, each repeated for a block of rows; positions of two
    alternatives) of a fixed shape."""
    allowed = [b"09" if char == "d" else _ALTERNATIVES.get(char, char.encode()) for char in shape]
    low = np.array([min(chars) for chars in allowed], dtype=np.uint8)
    span = np.array([max(chars) - min(chars) for chars in allowed], dtype=np.uint8)
    alternatives = [(at, _ALTERNATIVES[char]) for at, char in enumerate(shape) if char in _ALTERNATIVES]
    return np.tile(low, _BLOCK_ROWS), np.tile(span, _BLOCK_ROWS), alternatives


_SHAPE_BOUNDS = {shape: _shape_bounds(shape) for shape in _FIXED_TIMESTAMP_SHAPES}


def _fixed_shape(rows: np.ndarray, shape: str) -> bool:
    """Every row of `fixed_width_bytes` has `shape` (see _FIXED_TIMESTAMP_SHAPES)."""
    low, span, alternatives = _SHAPE_BOUNDS[shape]
    flat = rows.reshape(-1)
    step = len(low)
    difference = np.empty(step, dtype=np.uint8)
    inside = np.empty(step, dtype=bool)
    # Block by block over the flat bytes, against bounds repeated as often as the block has rows
    # (broadcasting one row of bounds over all rows was eight times slower): one unsigned compare
    # per byte, as (byte - low) wraps around below low.
    for start in range(0, len(flat), step):
        block = flat[start : start + step]
        size = len(block)
        np.subtract(block, low[:size], out=difference[:size])
        np.less_equal(difference[:size], span[:size], out=inside[:size])
        if not inside[:size].all():
            return False
    for position, (first, second) in alternatives:  # their range admits more than the two
        column = rows[:, position]
        if not ((column == first) | (column == second)).all():
            return False
    return True


def strict_timestamp_shape(strings: Any) -> bool:
    """Every non-null value of an Arrow text array matches _STRICT_TIMESTAMP_TZ. Values of one
    length are checked byte by byte against the fixed shapes first (a regular expression over a
    million timestamps was the second costliest step of the plays transform); the expression
    decides everything else, including a fixed width that none of those shapes covers. A
    ChunkedArray is judged chunk by chunk."""
    if isinstance(strings, pa.ChunkedArray):
        return all(strict_timestamp_shape(chunk) for chunk in strings.chunks)
    rows = fixed_width_bytes(strings)
    if rows is not None and any(
        _fixed_shape(rows, shape) for shape in _FIXED_TIMESTAMP_SHAPES if len(shape) == rows.shape[1]
    ):
        return True
    shaped = pc.match_substring_regex(strings, _STRICT_TIMESTAMP_TZ)
    return (pc.sum(shaped).as_py() or 0) == len(strings) - strings.null_count


def _arrow_timestamps_tz(values: "pd.Series", column: Column) -> Optional[np.ndarray]:
    """datetime64[ns] (UTC) of a timestamp_tz column parsed by Arrow's ISO 8601 cast, or None when
    any value needs the general path. Only a subset of what that path accepts is taken here:
    every non-null value has the strict shape below and lands within pandas' nanosecond range, and
    Arrow's cast (which refuses the whole array on one impossible date, hour or offset) succeeds.
    On those values Arrow and pandas agree to the nanosecond (tests/unit/test_silver_transform.py
    compares them); anything else - nulls in a non-nullable column, a lower-case z, padding,
    seven to nine fraction digits, a malformed value - takes the general path, which also writes
    the error message."""
    strings = _arrow_chunked(values)
    if not _is_text(strings):
        return None
    if strings.null_count and not column.nullable:
        return None
    if not strict_timestamp_shape(strings):
        return None
    try:
        micros = pc.cast(pc.cast(strings, pa.timestamp("us", tz="UTC")), pa.int64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    bounds = pc.min_max(micros)
    lowest, highest = bounds["min"].as_py(), bounds["max"].as_py()
    if lowest is not None and (lowest < _NS_MIN_US or highest > _NS_MAX_US):
        return None
    filled = pc.fill_null(micros, 0) if micros.null_count else micros
    nanos = np.asarray(filled.to_numpy(), dtype="int64") * 1000
    moments = nanos.view("datetime64[ns]")
    if micros.null_count:  # NaT where the value is null (nullable columns only, checked above)
        nulls = np.asarray(micros.is_null().to_numpy(), dtype=bool)
        moments[nulls] = np.datetime64("NaT")
    return moments


def to_utc_timestamp(values: "pd.Series", column: Column, object_name: str) -> "pd.Series":
    """ISO-8601 timestamps with a zone -> UTC timestamps (tz-aware UTC); no zone is an error."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.dt.tz_convert("UTC")
    fast = _arrow_timestamps_tz(values, column)
    if fast is not None:
        return pd.Series(pd.DatetimeIndex(fast).tz_localize("UTC"), index=values.index)
    codes, parsed = _parse_distinct(values, _parse_timestamps_tz)
    expected = "ISO 8601 with a zone, e.g. 2026-11-17T10:22:22Z"
    _bad_dates(values, codes, parsed, column, expected=expected, object_name=object_name)
    moments = parsed.values.astype("datetime64[ns]")
    spread = np.where(codes >= 0, moments[np.maximum(codes, 0)], np.datetime64("NaT"))
    return pd.Series(pd.DatetimeIndex(spread).tz_localize("UTC"), index=values.index)


def split_date(values: "pd.Series", column: Column, name: str, object_name: str) -> Dict[str, "pd.Series"]:
    """<name>_todate, _year, _month, _day of a date or datetime column."""
    codes, parsed, nulls = parse_dates(values, column, object_name)
    index = values.index
    todate = parsed.values.astype("datetime64[ns]")
    parts = {
        "year": parsed.year.to_numpy(dtype="int64"),
        "month": parsed.month.to_numpy(dtype="int64"),
        "day": parsed.day.to_numpy(dtype="int64"),
    }
    if not nulls.any():
        out = {f"{name}_todate": pd.Series(todate[codes], index=index)}
        out.update({f"{name}_{part}": pd.Series(array[codes], index=index) for part, array in parts.items()})
        return out
    safe = np.maximum(codes, 0)
    out = {f"{name}_todate": pd.Series(np.where(nulls, np.datetime64("NaT"), todate[safe]), index=index)}
    for part, array in parts.items():
        out[f"{name}_{part}"] = pd.Series(
            pd.array(np.where(nulls, 0, array[safe]), dtype="Int64"), index=index
        ).mask(nulls)
    return out


def to_timestamp(values: "pd.Series", column: Column, object_name: str) -> "pd.Series":
    """A date or datetime column kept whole (not split): one timestamp column."""
    codes, parsed, nulls = parse_dates(values, column, object_name)
    todate = parsed.values.astype("datetime64[ns]")
    spread = (
        np.where(nulls, np.datetime64("NaT"), todate[np.maximum(codes, 0)]) if len(codes) else todate[codes]
    )
    return pd.Series(spread, index=values.index)


def decode_html(values: "pd.Series") -> "pd.Series":
    """html.unescape every value that contains '&' (all entities: &amp; &#8217; &quot; ...).

    Only values holding '&' can change, so the Python-level call runs on those alone.
    """
    has_entity = values.str.contains("&", regex=False, na=False) if len(values) else values.isna()
    if not has_entity.any():
        return values
    decoded = values.copy()
    decoded[has_entity] = values[has_entity].map(html.unescape)
    return decoded


def _text(values: "pd.Series", column: Column, object_name: str) -> "pd.Series":
    _refuse_nulls(values, column, object_name)
    return decode_html(values) if column.kind == "html" else values


_CONVERTERS: Dict[str, Callable[["pd.Series", Column, str], "pd.Series"]] = {
    "int": to_int,
    "float": to_float,
    "decimal": to_decimal,
    "bool": to_bool,
    "text": _text,
    "html": _text,
    "date": to_timestamp,
    "datetime": to_timestamp,
    "timestamp_tz": to_utc_timestamp,
}


def transform_dataset(
    df: pd.DataFrame, dataset: Dataset, object_name: str, hook: Optional[TransformHook] = None
) -> pd.DataFrame:
    """Bronze rows of `dataset` -> silver rows (pure; raises SilverInputError on bad input).

    Text columns keep the dtype they arrive with (Arrow-backed strings from the job's reader stay
    Arrow: no per-value Python objects); output columns are built as separate arrays and not
    consolidated into 2-D blocks (the Parquet writer takes them column by column anyway).
    `hook`, the source's own step, gets the silver rows and the dataset name and returns rows
    with the same columns.
    """
    check_columns(df, dataset, object_name)
    frame = drop_exact_duplicates(df, dataset, object_name)
    if not isinstance(frame.index, pd.RangeIndex) or frame.index.start != 0 or frame.index.step != 1:
        frame = frame.reset_index(drop=True)
    out: Dict[str, pd.Series] = {}
    for column in dataset.kept_columns():
        values = frame[column.name]
        name = dataset.silver_name(column.name)
        if column.name in dataset.silver.split_dates:
            out.update(split_date(values, column, name, object_name))
        else:
            out[name] = _CONVERTERS[column.kind](values, column, object_name)
    silver = pd.DataFrame({name: out[name] for name in dataset.silver_columns()}, copy=False)
    if hook is None:
        return silver
    hooked = hook(silver, dataset.name)
    if list(hooked.columns) != list(silver.columns):
        raise ValueError(
            f"the {dataset.name} transform hook changed the silver columns {list(silver.columns)} "
            f"to {list(hooked.columns)}; it may change rows only"
        )
    return hooked


# ---- incremental datasets --------------------------------------------------------------------


def order_column(dataset: Dataset) -> str:
    """The silver column the merge orders by (the delivery day's, or the contract's own)."""
    order_by = dataset.load.order_by or INGEST_DATE_ORDER
    return INGEST_DATE_COLUMN if order_by == INGEST_DATE_ORDER else dataset.silver_column_of(order_by)


def _plain_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as plain objects, so a union does not mix string dtypes."""
    for name in frame.columns:
        dtype = frame[name].dtype
        if pd.api.types.is_string_dtype(dtype) and not pd.api.types.is_object_dtype(dtype):
            frame[name] = frame[name].astype(object)
    return frame


def drop_deleted(frame: pd.DataFrame, dataset: Dataset) -> pd.DataFrame:
    """Rows whose delete marker is true removed (a delivery loaded whole: the key is gone)."""
    marker = dataset.load.delete_marker
    if not marker:
        return frame
    name = dataset.silver_column_of(marker)
    flagged = frame[name].fillna(False).astype(bool).to_numpy()
    return frame.loc[~flagged].reset_index(drop=True) if flagged.any() else frame


def merge_increment(
    existing: Optional[pd.DataFrame],
    increment: pd.DataFrame,
    dataset: Dataset,
    ingest_date: str,
    backfill_from: Optional[str] = None,
) -> pd.DataFrame:
    """Previous silver + a silver-shaped increment -> the new snapshot (pure).

    The increment's rows get `ingest_date` (their delivery day). Per key the row with the
    greatest `load.order_by` wins (the delivery day by default; on a tie the increment, so a
    re-run of the same day changes nothing); an increment row whose `load.delete_marker` is true
    removes its key. Keys the increment does not carry stay as they were. A backfill
    (`backfill_from`, with the contract's `load.backfill_window`) refetched every row from that
    day on, so previous rows of those days that it did not deliver are dropped.
    """
    keys = list(dataset.silver_keys())
    incoming = increment.copy()
    incoming[INGEST_DATE_COLUMN] = ingest_date
    columns = list(incoming.columns)
    if existing is None:
        existing = incoming.iloc[0:0]
    elif INGEST_DATE_COLUMN not in existing.columns:
        raise SilverInputError(
            f"previous silver {dataset.name} has no {INGEST_DATE_COLUMN!r} column: it was not built by "
            "an incremental run; rebuild it with a backfill (run input 'from')"
        )
    if backfill_from is not None and len(existing):
        window = dataset.load.backfill_window
        if not window:
            raise ValueError(
                f"dataset {dataset.name} declares no load.backfill_window: a backfill cannot tell "
                "which previous rows it replaces"
            )
        days = pd.to_datetime(existing[dataset.silver_column_of(window)]).dt.strftime("%Y-%m-%d")
        existing = existing.loc[~(days >= backfill_from).to_numpy()]
    existing = _plain_text(existing[columns].copy())
    incoming = _plain_text(incoming)
    marker = dataset.load.delete_marker
    deleted = "__silver_deleted"
    if marker:
        name = dataset.silver_column_of(marker)
        incoming[deleted] = incoming[name].fillna(False).astype(bool)
    merged = merge_and_retain_last_pandas(incoming, existing, keys, order_column(dataset), deleted)
    return merged[columns]
