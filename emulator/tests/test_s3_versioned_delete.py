"""Emptying a versioned bucket with delete markers, then deleting it (Terraform force_destroy)."""

from __future__ import annotations

import pytest
from test_s3_bucket_policy import tls_only_policy

pytestmark = pytest.mark.emulator


def test_delete_all_versions_and_markers_then_bucket(emu):
    s3 = emu.client("s3")
    bucket = "versioned"
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    s3.put_bucket_policy(Bucket=bucket, Policy=tls_only_policy(bucket))
    s3.put_object(Bucket=bucket, Key="before-versioning", Body=b"0")
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    for key in ("a", "dir/b"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"1")
        s3.put_object(Bucket=bucket, Key=key, Body=b"2")
        s3.delete_object(Bucket=bucket, Key=key)
    s3.delete_object(Bucket=bucket, Key="before-versioning")

    listing = s3.list_object_versions(Bucket=bucket)
    versions = [{"Key": v["Key"], "VersionId": v["VersionId"]} for v in listing["Versions"]]
    markers = [{"Key": m["Key"], "VersionId": m["VersionId"]} for m in listing["DeleteMarkers"]]
    assert len(versions) == 5
    assert len(markers) == 3

    deleted = s3.delete_objects(Bucket=bucket, Delete={"Objects": versions + markers})
    assert not deleted.get("Errors")
    assert len(deleted["Deleted"]) == 8
    after = s3.list_object_versions(Bucket=bucket)
    assert not after.get("Versions")
    assert not after.get("DeleteMarkers")
    s3.delete_bucket(Bucket=bucket)
    assert bucket not in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_quiet_delete_reports_only_errors(emu):
    s3 = emu.client("s3")
    s3.create_bucket(Bucket="quiet", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    s3.put_bucket_versioning(Bucket="quiet", VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket="quiet", Key="a", Body=b"1")
    versions = s3.list_object_versions(Bucket="quiet")["Versions"]
    response = s3.delete_objects(
        Bucket="quiet",
        Delete={"Objects": [{"Key": v["Key"], "VersionId": v["VersionId"]} for v in versions], "Quiet": True},
    )
    assert "Deleted" not in response
    assert "Errors" not in response
    assert not s3.list_object_versions(Bucket="quiet").get("Versions")


def test_versioned_deletes_after_versioning_is_suspended(emu):
    """terraform destroy with force_destroy: versioning resource removed (Suspended), then emptied."""
    s3 = emu.client("s3")
    bucket = "suspended"
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    for _ in range(2):
        s3.put_object(Bucket=bucket, Key="k", Body=b"x")
        s3.delete_object(Bucket=bucket, Key="k")
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    listing = s3.list_object_versions(Bucket=bucket)
    entries = listing["Versions"] + listing["DeleteMarkers"]
    assert len(entries) == 4

    first = entries[0]
    s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "k", "VersionId": first["VersionId"]}]})
    assert (
        len(s3.list_object_versions(Bucket=bucket).get("Versions", []))
        + len(s3.list_object_versions(Bucket=bucket).get("DeleteMarkers", []))
        == 3
    )  # only that version went

    rest = [{"Key": "k", "VersionId": e["VersionId"]} for e in entries[1:]]
    response = s3.delete_objects(Bucket=bucket, Delete={"Objects": rest})
    assert not response.get("Errors")
    s3.delete_bucket(Bucket=bucket)
