"""delete_files_before: deletes exactly the old copy, refuses paths and times that could do harm."""

import datetime as dt
import os
import sys
import time

import pytest

from lakehouse_common.s3_cleanup import delete_files_before, list_files, validate_dataset_path

UTC = dt.timezone.utc


def _put(glue_aws, key: str, body: bytes = b"x") -> None:
    glue_aws.s3.put_object(Bucket=glue_aws.gold_bucket, Key=key, Body=body)


def test_deletes_only_files_from_before_the_job_under_the_folder(glue_aws):
    _put(glue_aws, "wordpress_api/statistics_postname/old-1.parquet")
    _put(glue_aws, "wordpress_api/statistics_postname/year=2024/old-2.parquet")
    _put(glue_aws, "wordpress_api/statistics_postname_archive/keep.parquet")  # sibling prefix
    _put(glue_aws, "wordpress_api/posts/keep.parquet")
    time.sleep(1.1)  # S3 LastModified has one-second resolution
    job_start = dt.datetime.now(UTC)
    time.sleep(1.1)
    _put(glue_aws, "wordpress_api/statistics_postname/new.parquet")
    folder = f"s3://{glue_aws.gold_bucket}/wordpress_api/statistics_postname/"

    deleted = delete_files_before(folder, job_start)

    assert sorted(deleted) == [f"{folder}old-1.parquet", f"{folder}year=2024/old-2.parquet"]
    assert glue_aws.keys(glue_aws.gold_bucket) == [
        "wordpress_api/posts/keep.parquet",
        "wordpress_api/statistics_postname/new.parquet",
        "wordpress_api/statistics_postname_archive/keep.parquet",
    ]


def test_keep_protects_files_written_in_the_same_second_as_job_start(glue_aws):
    folder = f"s3://{glue_aws.gold_bucket}/wordpress_api/statistics_postname/"
    _put(glue_aws, "wordpress_api/statistics_postname/old.parquet")
    _put(glue_aws, "wordpress_api/statistics_postname/new.parquet")
    # A job start after both writes: without `keep` the new file would go too.
    job_start = dt.datetime.now(UTC) + dt.timedelta(seconds=1)

    deleted = delete_files_before(folder, job_start, keep=[f"{folder}new.parquet"])

    assert deleted == [f"{folder}old.parquet"]
    assert glue_aws.keys(glue_aws.gold_bucket) == ["wordpress_api/statistics_postname/new.parquet"]


def test_nothing_to_delete_returns_empty(glue_aws):
    folder = f"s3://{glue_aws.gold_bucket}/wordpress_api/statistics_postname/"
    assert delete_files_before(folder, dt.datetime.now(UTC)) == []


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("s3://lake-test-gold/", "below the bucket root"),
        ("s3://lake-test-gold", "end with '/'"),
        ("s3://lake-test-gold/wordpress_api/posts", "end with '/'"),
        ("s3://lake-test-gold/wordpress_api/*/", "glob"),
        ("/", "top-level"),
        ("/tmp/", "top-level"),
        ("relative/dir/", "absolute"),
        ("", "non-empty"),
    ],
)
def test_refuses_paths_that_could_delete_too_much(path, reason):
    with pytest.raises(ValueError, match=reason):
        validate_dataset_path(path)


def test_refuses_naive_and_future_job_start_and_foreign_keep(glue_aws):
    folder = f"s3://{glue_aws.gold_bucket}/wordpress_api/posts/"
    _put(glue_aws, "wordpress_api/posts/old.parquet")
    with pytest.raises(ValueError, match="timezone-aware"):
        delete_files_before(folder, dt.datetime.now())
    with pytest.raises(ValueError, match="future"):
        delete_files_before(folder, dt.datetime.now(UTC) + dt.timedelta(hours=1))
    with pytest.raises(ValueError, match="must lie under"):
        delete_files_before(folder, dt.datetime.now(UTC), keep=["s3://other/wordpress_api/posts/x"])
    assert glue_aws.keys(glue_aws.gold_bucket) == ["wordpress_api/posts/old.parquet"]


def test_local_folder_same_rules_and_empty_partition_folders_removed(tmp_path):
    root = tmp_path / "gold" / "statistics_postname"
    (root / "year=2024").mkdir(parents=True)
    (root / "year=2025").mkdir()
    old_a = root / "year=2024" / "part-old.parquet"
    old_b = root / "year=2025" / "part-old.parquet"
    for path in (old_a, old_b):
        path.write_bytes(b"old")
        os.utime(path, (time.time() - 60, time.time() - 60))
    job_start = dt.datetime.now(UTC) - dt.timedelta(seconds=30)
    new = root / "year=2025" / "part-new.parquet"
    new.write_bytes(b"new")
    folder = f"file://{root}/"

    deleted = delete_files_before(folder, job_start)

    assert sorted(deleted) == [f"file://{old_a}", f"file://{old_b}"]
    assert list_files(folder) == [f"file://{new}"]
    assert not (root / "year=2024").exists()  # emptied partition folder removed, as on S3


def test_s3_cleanup_needs_only_boto3_as_glue_5_provides(glue_aws, monkeypatch):
    # Glue 5.0's provided modules have no awswrangler; the gold Spark job cleans S3 with this module.
    monkeypatch.setitem(sys.modules, "awswrangler", None)  # import awswrangler -> ImportError
    _put(glue_aws, "wordpress_api/statistics_postname/old.parquet")
    time.sleep(1.1)
    job_start = dt.datetime.now(UTC)
    time.sleep(1.1)
    _put(glue_aws, "wordpress_api/statistics_postname/new.parquet")
    folder = f"s3://{glue_aws.gold_bucket}/wordpress_api/statistics_postname/"

    assert list_files(folder) == [f"{folder}new.parquet", f"{folder}old.parquet"]
    assert delete_files_before(folder, job_start) == [f"{folder}old.parquet"]
    assert list_files(folder) == [f"{folder}new.parquet"]
