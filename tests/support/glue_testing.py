"""Test helpers for Glue jobs: run a job's Spark code for real on a local session, with a stand-in for
the GlueContext (ideas from glue-biscuit, not the package: it pins old versions and needs the Glue
jars, which no PyPI package ships).

- `local_spark_session()`: a small local SparkSession (one core, one shuffle partition, no UI);
  tests share ONE per run through a session-scoped fixture.
- `glue_context_double(spark)`: what a job's `main(glue_context)` gets in tests. With awsglue
  importable it is `Mock(spec=GlueContext)` (calling a GlueContext method that does not exist
  fails, as on Glue); otherwise a small class with the same surface. Either way `spark_session`
  and `getSparkSession()` are the real local session, so the job's Spark code really runs.
- `SparkRowsMatcher` / `PandasRowsMatcher`: order-insensitive equality against expected rows, usable
  in `mock.assert_called_with(...)`; `assert_spark_rows` / `assert_pandas_rows` give a readable diff.

Imports of pyspark/pandas/awsglue are lazy, so the pandas helpers work on Python 3.9 without Spark.
"""

import datetime as dt
import decimal
import math
from collections import Counter
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple
from unittest.mock import Mock

Row = Mapping[str, Any]

SPARK_TEST_CONF: Dict[str, str] = {
    # One shuffle partition: test data is tiny and 200 empty tasks cost seconds per action.
    "spark.sql.shuffle.partitions": "1",
    "spark.default.parallelism": "1",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    # Fixed zone so timestamps in assertions do not depend on the machine.
    "spark.sql.session.timeZone": "UTC",
    # C1-only JIT and the serial collector: a test run is short, so fast JVM warm-up beats peak
    # throughput.
    "spark.driver.extraJavaOptions": "-Duser.timezone=UTC -XX:TieredStopAtLevel=1 -XX:+UseSerialGC",
    "spark.sql.warehouse.dir": "/tmp/lakehouse-spark-warehouse",
    "spark.driver.memory": "1g",
    # Skip the Hive catalog (derby files in the working directory, slower start).
    "spark.sql.catalogImplementation": "in-memory",
    # Test frames have a handful of rows: compiling generated code costs more than it saves.
    "spark.sql.codegen.wholeStage": "false",
    # Adaptive re-planning pays off on big shuffles; on test-sized data it only adds latency.
    "spark.sql.adaptive.enabled": "false",
    # pandas -> Spark through Arrow builds a local relation: no Python worker round trips
    # (a list of tuples goes through a Python RDD: Python workers on every action).
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}


def local_spark_session(app_name: str = "lakehouse-tests", master: str = "local[1]") -> Any:
    """Start (or reuse) a small local SparkSession configured for fast, deterministic tests."""
    from pyspark.sql import SparkSession  # noqa: PLC0415 - optional dependency

    builder = SparkSession.builder.master(master).appName(app_name)
    for key, value in SPARK_TEST_CONF.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


class GlueContextDouble:
    """Stand-in for awsglue's GlueContext when awsglue is not importable.

    Exposes the real SparkSession like GlueContext does; the DynamicFrame readers/writers are Mocks
    (the jobs here read and write through Spark DataFrames, so tests only assert they are unused).
    """

    def __init__(self, spark_session: Any) -> None:
        self.spark_session = spark_session
        self.create_dynamic_frame = Mock(name="create_dynamic_frame")
        self.write_dynamic_frame = Mock(name="write_dynamic_frame")
        self.create_dynamic_frame_from_options = Mock(name="create_dynamic_frame_from_options")
        self.write_dynamic_frame_from_options = Mock(name="write_dynamic_frame_from_options")
        self.purge_s3_path = Mock(name="purge_s3_path")

    def getSparkSession(self) -> Any:
        return self.spark_session


def glue_context_double(spark_session: Any) -> Any:
    """`Mock(spec=GlueContext)` around a real SparkSession, or GlueContextDouble without awsglue."""
    try:
        from awsglue.context import GlueContext  # noqa: PLC0415 - optional dependency
    except ImportError:
        return GlueContextDouble(spark_session)
    double = Mock(spec=GlueContext)
    double.spark_session = spark_session
    double.sparkSession = spark_session  # SQLContext's property, which GlueContext inherits
    # Not a GlueContext method; added so helpers written for either double work with both.
    double.getSparkSession = Mock(return_value=spark_session)
    return double


# ---- row matching ----------------------------------------------------------------------------


def _normalise(value: Any) -> Any:
    """Make values from Spark, pandas/numpy and plain Python compare (and hash) alike."""
    if value is None or type(value).__name__ in ("NaTType", "NAType"):  # pandas missing markers
        return None
    if hasattr(value, "asDict"):  # pyspark Row (struct)
        value = value.asDict(recursive=True)
    if isinstance(value, Mapping):
        return tuple(sorted((str(k), _normalise(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_normalise(v) for v in value)
    return _normalise_scalar(value)


def _normalise_scalar(value: Any) -> Any:
    if type(value).__module__ == "numpy" and hasattr(value, "item"):
        value = value.item()
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp
        value = value.to_pydatetime()
    if isinstance(value, float) and math.isnan(value):
        value = None
    elif isinstance(value, decimal.Decimal):
        value = float(value)
    elif isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value


def _row_key(row: Row, columns: Sequence[str]) -> Tuple[Any, ...]:
    return tuple(_normalise(row.get(column)) for column in columns)


def compare_rows(actual: Iterable[Row], expected: Iterable[Row]) -> Optional[str]:
    """None if both hold the same rows in any order (as multisets), else a readable difference."""
    actual_rows = [dict(row) for row in actual]
    expected_rows = [dict(row) for row in expected]
    actual_columns = sorted({key for row in actual_rows for key in row})
    expected_columns = sorted({key for row in expected_rows for key in row})
    if actual_rows and expected_rows and actual_columns != expected_columns:
        return (
            f"columns differ: missing {sorted(set(expected_columns) - set(actual_columns))}, "
            f"unexpected {sorted(set(actual_columns) - set(expected_columns))}"
        )
    columns = expected_columns or actual_columns
    got = Counter(_row_key(row, columns) for row in actual_rows)
    want = Counter(_row_key(row, columns) for row in expected_rows)
    if got == want:
        return None
    missing = list((want - got).elements())[:5]
    extra = list((got - want).elements())[:5]
    return (
        f"{len(actual_rows)} rows, expected {len(expected_rows)}; columns {columns}\n"
        f"  expected but missing (first 5): {missing}\n  present but unexpected (first 5): {extra}"
    )


def spark_frame(spark: Any, rows: Sequence[Sequence[Any]], schema: str) -> Any:
    """Spark DataFrame from rows and a DDL schema, built via pandas/Arrow (fast in tests)."""
    import warnings  # noqa: PLC0415

    import pandas as pd  # noqa: PLC0415 - optional dependency

    names = [part.strip().split()[0] for part in schema.split(",")]
    with warnings.catch_warnings():
        # pyspark 3.5's pandas bridge calls pandas APIs deprecated since pandas 2.1; not ours to fix.
        warnings.simplefilter("ignore", DeprecationWarning)
        return spark.createDataFrame(pd.DataFrame(list(rows), columns=names), schema)


def spark_rows(df: Any) -> List[Dict[str, Any]]:
    """Collect a Spark DataFrame into plain dicts."""
    return [row.asDict(recursive=True) for row in df.collect()]


def pandas_rows(df: Any) -> List[Dict[str, Any]]:
    """A pandas DataFrame as plain dicts (NaN/NaT/NA become None when compared)."""
    return df.to_dict(orient="records")


def assert_spark_rows(df: Any, expected: Iterable[Row]) -> None:
    """Assert a Spark DataFrame holds exactly `expected` rows, in any order."""
    difference = compare_rows(spark_rows(df), expected)
    assert difference is None, difference


def assert_pandas_rows(df: Any, expected: Iterable[Row]) -> None:
    """Assert a pandas DataFrame holds exactly `expected` rows, in any order."""
    difference = compare_rows(pandas_rows(df), expected)
    assert difference is None, difference


class _RowsMatcher:
    """Equal to any frame holding `expected` rows in any order (for Mock.assert_called_with)."""

    def __init__(self, expected: Iterable[Row]) -> None:
        self.expected = [dict(row) for row in expected]
        self.last_difference: Optional[str] = None

    def _rows(self, other: Any) -> List[Dict[str, Any]]:
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        try:
            rows = self._rows(other)
        except (AttributeError, TypeError):
            return False
        self.last_difference = compare_rows(rows, self.expected)
        return self.last_difference is None

    def __hash__(self) -> int:  # matchers are compared, never hashed into sets
        return id(self)

    def __repr__(self) -> str:
        detail = f"; last difference: {self.last_difference}" if self.last_difference else ""
        return f"{type(self).__name__}({len(self.expected)} rows{detail})"


class SparkRowsMatcher(_RowsMatcher):
    """Matches a Spark DataFrame with the expected rows, in any order (for mock.assert_called_with)."""

    def _rows(self, other: Any) -> List[Dict[str, Any]]:
        return spark_rows(other)


class PandasRowsMatcher(_RowsMatcher):
    """Matches a pandas DataFrame."""

    def _rows(self, other: Any) -> List[Dict[str, Any]]:
        return pandas_rows(other)
