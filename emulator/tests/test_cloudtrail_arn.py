"""CloudTrail logging/deletion by trail ARN (moto 5.2.1: 500 or trail left behind)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

pytestmark = pytest.mark.emulator


def test_trail_operations_accept_arn(emu):
    s3 = emu.client("s3")
    s3.create_bucket(Bucket="trail-logs", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    ct = emu.client("cloudtrail")
    arn = ct.create_trail(Name="audit", S3BucketName="trail-logs")["TrailARN"]

    ct.start_logging(Name=arn)
    assert ct.get_trail_status(Name=arn)["IsLogging"] is True
    ct.stop_logging(Name=arn)
    assert ct.get_trail_status(Name="audit")["IsLogging"] is False

    ct.delete_trail(Name=arn)
    assert ct.describe_trails()["trailList"] == []
    with pytest.raises(ClientError) as err:
        ct.delete_trail(Name=arn)
    assert err.value.response["Error"]["Code"] == "TrailNotFoundException"
