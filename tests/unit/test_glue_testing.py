"""Glue test helpers: job arguments (parity with awsglue), the GlueContext double, row matchers."""

import datetime as dt
from unittest.mock import Mock

import pandas as pd
import pytest
from glue_testing import (
    GlueContextDouble,
    PandasRowsMatcher,
    SparkRowsMatcher,
    assert_pandas_rows,
    compare_rows,
    glue_context_double,
)

from lakehouse_common.arguments import ConfigError
from lakehouse_common.glue_job import get_job_arguments, run_or_notify

GLUE_ARGV = [
    "script.py",
    "--JOB_ID",
    "j_1",
    "--JOB_RUN_ID",
    "jr_1",
    "--job-bookmark-option",
    "job-bookmark-disable",
    "--TempDir",
    "s3://tmp/",
    "--silver_bucket",
    "lake-silver",
    "--gold_bucket=lake-gold",
]


def test_job_arguments_match_awsglue_getresolvedoptions_for_required_names():
    utils = pytest.importorskip("awsglue.utils")
    expected = utils.getResolvedOptions(GLUE_ARGV, ["silver_bucket", "gold_bucket"])
    got = get_job_arguments(["silver_bucket", "gold_bucket"], argv=GLUE_ARGV)
    assert got == {"silver_bucket": expected["silver_bucket"], "gold_bucket": expected["gold_bucket"]}
    assert got == {"silver_bucket": "lake-silver", "gold_bucket": "lake-gold"}


def test_job_arguments_optional_defaults_and_overrides():
    got = get_job_arguments(
        ["silver_bucket"],
        optional={"source_name": "wordpress_api", "failure_topic_arn": None, "gold_bucket": "x"},
        argv=GLUE_ARGV,
    )
    assert got == {
        "silver_bucket": "lake-silver",
        "source_name": "wordpress_api",
        "failure_topic_arn": None,
        "gold_bucket": "lake-gold",
    }


def test_job_arguments_missing_required_names_all_of_them():
    with pytest.raises(ConfigError, match="--bronze_bucket, --nope"):
        get_job_arguments(["bronze_bucket", "silver_bucket", "nope"], argv=GLUE_ARGV)


def test_job_arguments_reserved_names_refused_like_awsglue():
    with pytest.raises(RuntimeError, match="reserved"):
        get_job_arguments(["job-bookmark-option"], argv=GLUE_ARGV)


def test_run_or_notify_publishes_and_reraises():
    sns = Mock()

    def fail() -> None:
        raise ValueError("field 'date' malformed")

    with pytest.raises(ValueError, match="malformed"):
        run_or_notify("gold statistics_postname", "arn:aws:sns:eu-west-1:123456789012:t", fail, sns)
    sns.publish.assert_called_once()
    kwargs = sns.publish.call_args.kwargs
    assert kwargs["Subject"] == "gold statistics_postname failed"
    assert "ValueError: field 'date' malformed" in kwargs["Message"]
    assert run_or_notify("x", "arn", lambda: 7, sns) == 7
    assert sns.publish.call_count == 1


def test_glue_context_double_without_awsglue_exposes_the_session():
    session = object()
    double = GlueContextDouble(session)
    assert double.spark_session is session
    assert double.getSparkSession() is session
    double.create_dynamic_frame.from_options.assert_not_called()


def test_glue_context_double_with_awsglue_is_a_spec_mock():
    pytest.importorskip("awsglue.context")
    session = object()
    double = glue_context_double(session)
    assert double.spark_session is session
    assert double.getSparkSession() is session
    with pytest.raises(AttributeError):
        double.no_such_glue_method()  # spec'd: typos fail as they would on Glue


def test_compare_rows_is_order_insensitive_but_counts_duplicates_and_columns():
    rows = [{"a": 1, "b": "x"}, {"a": 2, "b": None}]
    assert compare_rows(list(reversed(rows)), rows) is None
    assert "expected 3" in compare_rows(rows, [*rows, rows[0]])
    assert "columns differ" in compare_rows([{"a": 1}], [{"a": 1, "b": None}])
    assert compare_rows([], []) is None


def test_pandas_matcher_normalises_numpy_nan_and_timestamps():
    frame = pd.DataFrame(
        {
            "id": [2, 1],
            "when": pd.to_datetime(["2025-01-02", "2025-01-01"]),
            "score": [float("nan"), 1.5],
        }
    )
    expected = [
        {"id": 1, "when": dt.datetime(2025, 1, 1), "score": 1.5},
        {"id": 2, "when": dt.datetime(2025, 1, 2), "score": None},
    ]
    assert_pandas_rows(frame, expected)
    sink = Mock()
    sink(frame)
    sink.assert_called_with(PandasRowsMatcher(expected))
    matcher = PandasRowsMatcher([{"id": 3, "when": None, "score": None}])
    assert matcher != frame
    assert "last difference" in repr(matcher)


@pytest.mark.spark
def test_spark_matcher_and_double_with_a_real_session(glue_context):
    spark = glue_context.spark_session
    frame = spark.createDataFrame([(1, "a"), (2, "b"), (2, "b")], "id long, name string")
    assert SparkRowsMatcher([{"id": 2, "name": "b"}, {"id": 1, "name": "a"}, {"id": 2, "name": "b"}]) == frame
    assert SparkRowsMatcher([{"id": 1, "name": "a"}, {"id": 2, "name": "b"}]) != frame
    assert spark.conf.get("spark.sql.shuffle.partitions") == "1"
    assert glue_context.getSparkSession() is spark
