"""CreateTags, DeleteTags and DescribeTags."""

import botocore.exceptions
import pytest

from conftest import error_code


def test_tags_are_added_described_and_removed(ec2, unique):
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    ec2.create_tags(Resources=[vpc], Tags=[{"Key": "owner", "Value": unique}, {"Key": "env", "Value": "test"}])
    tags = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [vpc]}])["Tags"]
    assert {(t["Key"], t["Value"], t["ResourceType"]) for t in tags} == {("owner", unique, "vpc"), ("env", "test", "vpc")}
    ec2.delete_tags(Resources=[vpc], Tags=[{"Key": "env"}])
    tags = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [vpc]}])["Tags"]
    assert [(t["Key"], t["Value"]) for t in tags] == [("owner", unique)]
    # Deleting with a value that does not match keeps the tag.
    ec2.delete_tags(Resources=[vpc], Tags=[{"Key": "owner", "Value": "someone-else"}])
    assert len(ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [vpc]}])["Tags"]) == 1


def test_tagging_refusals(ec2):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.create_tags(Resources=["vpc-12345678"], Tags=[{"Key": "a", "Value": "b"}])
    assert error_code(e) == "InvalidVpcID.NotFound"
    vpc = ec2.create_vpc(CidrBlock="10.21.0.0/16")["Vpc"]["VpcId"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.create_tags(Resources=[vpc], Tags=[{"Key": "aws:reserved", "Value": "b"}])
    assert error_code(e) == "InvalidParameterValue"
    assert "Tags" not in ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0]
