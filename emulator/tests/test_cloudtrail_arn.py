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


def test_describe_trails_answers_the_trails_the_list_names(emu):
    # API_DescribeTrails: names match trails of the current Region only, ARNs any Region; an empty
    # list gives the Region's trails plus shadow trails unless includeShadowTrails is false.
    for region in ("eu-west-1", "eu-central-1"):
        emu.client("s3", region_name=region).create_bucket(
            Bucket=f"trail-logs-{region}", CreateBucketConfiguration={"LocationConstraint": region}
        )
    west, central = emu.client("cloudtrail"), emu.client("cloudtrail", region_name="eu-central-1")
    home = west.create_trail(Name="home", S3BucketName="trail-logs-eu-west-1")["TrailARN"]
    west.create_trail(Name="multi", S3BucketName="trail-logs-eu-west-1", IsMultiRegionTrail=True)
    other = central.create_trail(Name="central", S3BucketName="trail-logs-eu-central-1")["TrailARN"]

    def names(client, **kwargs):
        return sorted(t["Name"] for t in client.describe_trails(**kwargs)["trailList"])

    assert names(west, trailNameList=["home"]) == ["home"]
    assert names(west, trailNameList=[home]) == ["home"]
    assert names(west, trailNameList=["central"]) == []  # another Region's trail: by ARN only
    assert names(west, trailNameList=[other, "home"]) == ["central", "home"]
    assert names(central, trailNameList=["multi"]) == []  # a shadow is not named from here
    assert names(central) == ["central", "multi"]
    assert names(central, includeShadowTrails=False) == ["central"]
    assert names(west) == ["home", "multi"]
