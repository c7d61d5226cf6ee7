"""Shared-package helpers the Lambdas use: arguments, notifications, AWS set-up, logging, layout."""

import datetime as dt
import glob
import logging
import re
import subprocess
from pathlib import Path

import awswrangler as wr
import pytest

from lakehouse_common import arguments, aws, layout, notifications
from lakehouse_common.logging_setup import configure_logging

SRC = Path(__file__).resolve().parents[2] / "src"


def test_env_readers():
    env = {"A": " x ", "F": "2.5", "I": "3", "L": "a, b,,c", "BAD_F": "-1", "BAD_I": "1.5"}
    assert arguments.env_str("A", environ=env) == "x"
    assert arguments.env_str("MISSING", "d", env) == "d"
    assert arguments.env_float("F", 1.0, env) == 2.5
    assert arguments.env_int("I", 0, env) == 3
    assert arguments.env_list("L", ["z"], env) == ("a", "b", "c")
    assert arguments.env_list("MISSING", ["z"], env) == ("z",)
    with pytest.raises(arguments.ConfigError, match="environment variable MISSING is required"):
        arguments.env_str("MISSING", environ=env)
    with pytest.raises(arguments.ConfigError, match="BAD_F must be > 0"):
        arguments.env_float("BAD_F", 1.0, env)
    with pytest.raises(arguments.ConfigError, match="BAD_I must be a whole number"):
        arguments.env_int("BAD_I", 1, env)


def test_event_arguments():
    assert arguments.event_ingest_date({"ingest_date": "2024-02-29"}) == "2024-02-29"
    assert arguments.event_ingest_date({}) == dt.datetime.now(dt.timezone.utc).date().isoformat()
    with pytest.raises(arguments.ConfigError, match="real YYYY-MM-DD date, got '2023-02-29'"):
        arguments.event_ingest_date({"ingest_date": "2023-02-29"})
    assert arguments.event_run_id({"run_id": "exec-1_a.b"}) == "exec-1_a.b"
    generated = arguments.event_run_id(None)
    assert re.match(r"^\d{8}T\d{6}Z-[0-9a-f]{12}$", generated) and generated != arguments.event_run_id(None)
    with pytest.raises(arguments.ConfigError, match="run_id must match"):
        arguments.event_run_id({"run_id": "a/b"})


def test_resolve_job_args():
    argv = [
        "script.py",
        "--JOB_NAME",
        "j",
        "--bucket=b",
        "--flag",
        "--job-bookmark-option",
        "job-bookmark-disable",
    ]
    resolved = arguments.resolve_job_args(argv, ["JOB_NAME", "bucket"], {"prefix": "p", "bucket": "default"})
    assert resolved == {
        "JOB_NAME": "j",
        "bucket": "b",
        "flag": "",
        "job-bookmark-option": "job-bookmark-disable",
        "prefix": "p",
    }
    with pytest.raises(arguments.ConfigError, match=r"missing job argument.*--bucket"):
        arguments.resolve_job_args(["--JOB_NAME", "j"], ["JOB_NAME", "bucket"])


def test_failure_texts_fit_sns():
    failed = {f"dataset_{i}": "boom\nline" for i in range(20)}
    subject = notifications.failure_subject("raw_wordpress_api", failed)
    assert (
        len(subject) <= 100
        and "\n" not in subject
        and subject.startswith("raw_wordpress_api failed: dataset_0")
    )
    assert notifications.failure_subject("s", {"caf\u00e9": "x"}) == "s failed: caf?"
    message = notifications.failure_message("bronze", "2025-10-31", {"posts": "empty"}, {"terms": {}})
    assert "- posts: empty" in message and "Succeeded (kept): terms" in message


class _BrokenSns:
    def publish(self, **_kwargs):
        raise RuntimeError("SNS down")


def test_publish_failure_never_raises(caplog):
    assert notifications.publish_failure(None, "s", "m") is None
    with caplog.at_level(logging.ERROR):
        assert notifications.publish_failure("arn:aws:sns:eu-west-1:1:t", "s", "m", _BrokenSns()) is None
    assert "could not publish failure notification" in caplog.text


def test_awswrangler_follows_the_endpoint_override():
    before = wr.config.s3_endpoint_url
    try:
        aws.configure_awswrangler({"AWS_ENDPOINT_URL": "https://localhost:4566"})
        assert wr.config.s3_endpoint_url == "https://localhost:4566"
        aws.configure_awswrangler({"AWS_ENDPOINT_URL": "https://a", "AWS_ENDPOINT_URL_S3": "https://s3.b"})
        assert wr.config.s3_endpoint_url == "https://s3.b"
    finally:
        wr.config.s3_endpoint_url = before
    assert aws.s3_endpoint_url({}) is None


def test_logging_level_from_environment(monkeypatch):
    monkeypatch.setenv("LOG_LEVEL", "debug")
    assert configure_logging("lake.test").level == logging.DEBUG
    assert configure_logging("lake.test", "nonsense").level == logging.INFO
    assert logging.getLogger("botocore").level == logging.WARNING


def test_layout_keys_and_prefixes():
    assert layout.raw_object_key("wordpress_api", "posts", "2025-10-31", "run-1") == (
        "wordpress_api/posts/ingest_date=2025-10-31/run-1.json"
    )
    assert layout.partition_prefix("b", "wordpress_api", "posts", "2025-10-31") == (
        "s3://b/wordpress_api/posts/ingest_date=2025-10-31/"
    )
    assert layout.parse_ingest_date("s3://b/x/ingest_date=2025-10-31/y.parquet") == "2025-10-31"
    with pytest.raises(ValueError, match="run_id must match"):
        layout.raw_object_key("wordpress_api", "posts", "2025-10-31", "../x")


def _python39():
    found = sorted(glob.glob(str(Path.home() / ".pyenv/versions/3.9*/bin/python3.9")))
    return found[-1] if found else None


@pytest.mark.skipif(_python39() is None, reason="no Python 3.9 interpreter here")
def test_lambda_side_of_shared_package_imports_on_python39():
    modules = "arguments, aws, datasets, layout, logging_setup, notifications"
    code = f"import sys; sys.path.insert(0, {str(SRC)!r}); from lakehouse_common import {modules};"
    code += "assert 'pandas' not in sys.modules and 'awswrangler' not in sys.modules"
    subprocess.run([_python39(), "-c", code], check=True)
