"""DescribeRegions and DescribeAvailabilityZones through boto3 and the aws CLI: the lab's
fixed geography, names, ids, filters, and AWS's refusals of unknown names."""

import botocore.exceptions
import pytest

from conftest import error_code

LAB_REGIONS = 15


def test_describe_regions_lists_every_region_with_its_endpoint(ec2):
    regions = ec2.describe_regions()["Regions"]
    assert len(regions) == LAB_REGIONS
    use1 = [r for r in regions if r["RegionName"] == "us-east-1"]
    assert use1 == [{"RegionName": "us-east-1", "Endpoint": "ec2.us-east-1.amazonaws.com", "OptInStatus": "opt-in-not-required"}]
    assert {r["OptInStatus"] for r in regions} == {"opt-in-not-required"}
    # Every region is enabled, so AllRegions shows the same list.
    assert ec2.describe_regions(AllRegions=True)["Regions"] == regions


def test_describe_regions_by_name_and_filters(ec2):
    named = ec2.describe_regions(RegionNames=["eu-west-1", "us-west-2"])["Regions"]
    assert sorted(r["RegionName"] for r in named) == ["eu-west-1", "us-west-2"]
    eu = ec2.describe_regions(Filters=[{"Name": "region-name", "Values": ["eu-*"]}])["Regions"]
    assert sorted(r["RegionName"] for r in eu) == ["eu-central-1", "eu-north-1", "eu-west-1", "eu-west-2", "eu-west-3"]
    by_endpoint = ec2.describe_regions(Filters=[{"Name": "endpoint", "Values": ["ec2.ap-south-1.amazonaws.com"]}])["Regions"]
    assert [r["RegionName"] for r in by_endpoint] == ["ap-south-1"]
    assert ec2.describe_regions(Filters=[{"Name": "opt-in-status", "Values": ["not-opted-in"]}])["Regions"] == []
    both = ec2.describe_regions(RegionNames=["us-east-1", "eu-west-1"], Filters=[{"Name": "region-name", "Values": ["us-*"]}])["Regions"]
    assert [r["RegionName"] for r in both] == ["us-east-1"]


def test_describe_regions_refusals(ec2):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_regions(RegionNames=["us-east-1", "mars-north-1"])
    assert error_code(e) == "InvalidParameterValue"
    assert "mars-north-1" in e.value.response["Error"]["Message"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_regions(Filters=[{"Name": "continent", "Values": ["europe"]}])
    assert error_code(e) == "InvalidParameterValue"


def test_describe_availability_zones_of_the_callers_region(lab, ec2):
    zones = ec2.describe_availability_zones()["AvailabilityZones"]
    assert [z["ZoneName"] for z in zones] == [f"us-east-1{c}" for c in "abcdef"]
    assert zones[0] == {
        "ZoneName": "us-east-1a",
        "ZoneId": "use1-az1",
        "RegionName": "us-east-1",
        "State": "available",
        "OptInStatus": "opt-in-not-required",
        "Messages": [],
        "GroupName": "us-east-1",
        "NetworkBorderGroup": "us-east-1",
        "ZoneType": "availability-zone",
    }
    west = lab.client("ec2", region="us-west-1").describe_availability_zones()["AvailabilityZones"]
    assert [(z["ZoneName"], z["ZoneId"], z["RegionName"]) for z in west] == [
        ("us-west-1a", "usw1-az1", "us-west-1"),
        ("us-west-1b", "usw1-az2", "us-west-1"),
    ]
    assert ec2.describe_availability_zones(AllAvailabilityZones=True)["AvailabilityZones"] == zones


def test_describe_availability_zones_by_name_id_and_filters(ec2):
    by_name = ec2.describe_availability_zones(ZoneNames=["us-east-1c"])["AvailabilityZones"]
    assert [z["ZoneId"] for z in by_name] == ["use1-az3"]
    by_id = ec2.describe_availability_zones(ZoneIds=["use1-az2", "use1-az5"])["AvailabilityZones"]
    assert [z["ZoneName"] for z in by_id] == ["us-east-1b", "us-east-1e"]
    f = lambda name, *values: [z["ZoneName"] for z in ec2.describe_availability_zones(Filters=[{"Name": name, "Values": list(values)}])["AvailabilityZones"]]
    assert f("zone-name", "us-east-1?") == [f"us-east-1{c}" for c in "abcdef"]
    assert f("zone-id", "use1-az6") == ["us-east-1f"]
    assert f("state", "available") == [f"us-east-1{c}" for c in "abcdef"]
    assert f("state", "unavailable") == []
    assert f("zone-type", "local-zone") == []
    assert f("region-name", "us-east-1") == [f"us-east-1{c}" for c in "abcdef"]
    assert f("group-name", "us-east-1") == [f"us-east-1{c}" for c in "abcdef"]
    assert f("opt-in-status", "opt-in-not-required") == [f"us-east-1{c}" for c in "abcdef"]
    assert f("parent-zone-name", "*") == []
    assert f("message", "*") == []


def test_describe_availability_zones_refusals(ec2):
    for kwargs in [{"ZoneNames": ["us-east-1z"]}, {"ZoneNames": ["us-west-2a"]}, {"ZoneIds": ["use1-az9"]}, {"Filters": [{"Name": "zone", "Values": ["x"]}]}]:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ec2.describe_availability_zones(**kwargs)
        assert error_code(e) == "InvalidParameterValue", kwargs


def test_the_cli_describes_regions_and_zones(lab):
    _, out = lab.aws("ec2", "describe-regions", "--region-names", "sa-east-1")
    assert out["Regions"] == [{"Endpoint": "ec2.sa-east-1.amazonaws.com", "RegionName": "sa-east-1", "OptInStatus": "opt-in-not-required"}]
    _, out = lab.aws("ec2", "describe-availability-zones", "--zone-ids", "euw1-az2", region="eu-west-1")
    assert [(z["ZoneName"], z["State"]) for z in out["AvailabilityZones"]] == [("eu-west-1b", "available")]
    code, err = lab.aws("ec2", "describe-regions", "--region-names", "atlantis-1", check=False)
    assert code != 0 and "InvalidParameterValue" in err
