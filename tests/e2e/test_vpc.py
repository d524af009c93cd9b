"""VPCs through boto3 and the aws CLI: create, describe with ids, filters and pages,
attributes, CIDR blocks, delete; and every refusal with AWS's code and no change."""

import botocore.exceptions
import pytest

from conftest import error_code


def test_create_vpc_returns_the_vpc_with_its_tags(ec2, unique):
    vpc = ec2.create_vpc(
        CidrBlock="10.1.0.0/16",
        TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": unique}]}],
    )["Vpc"]
    assert vpc["VpcId"].startswith("vpc-")
    assert vpc["CidrBlock"] == "10.1.0.0/16"
    assert vpc["State"] == "available"
    assert vpc["IsDefault"] is False
    assert vpc["OwnerId"] == "000000000000"
    assert vpc["CidrBlockAssociationSet"][0]["CidrBlockState"]["State"] == "associated"
    assert {"Key": "Name", "Value": unique} in vpc["Tags"]
    found = ec2.describe_vpcs(VpcIds=[vpc["VpcId"]])["Vpcs"]
    assert [v["VpcId"] for v in found] == [vpc["VpcId"]]


def test_describe_vpcs_filters_by_tag_cidr_and_default(ec2, unique):
    a = ec2.create_vpc(CidrBlock="10.2.0.0/16", TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "team", "Value": unique}]}])["Vpc"]["VpcId"]
    ec2.create_vpc(CidrBlock="10.3.0.0/16")
    by_tag = ec2.describe_vpcs(Filters=[{"Name": "tag:team", "Values": [unique]}])["Vpcs"]
    assert [v["VpcId"] for v in by_tag] == [a]
    by_key = ec2.describe_vpcs(Filters=[{"Name": "tag-key", "Values": ["team"]}])["Vpcs"]
    assert a in [v["VpcId"] for v in by_key]
    wild = ec2.describe_vpcs(Filters=[{"Name": "cidr", "Values": ["10.2.*"]}])["Vpcs"]
    assert a in [v["VpcId"] for v in wild]
    defaults = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    assert [v["CidrBlock"] for v in defaults] == ["172.31.0.0/16"]
    both = ec2.describe_vpcs(Filters=[{"Name": "tag:team", "Values": [unique]}, {"Name": "cidr", "Values": ["10.3.0.0/16"]}])["Vpcs"]
    assert both == []


def test_describe_vpcs_pages(roomy_lab):
    ec2 = roomy_lab.client("ec2")
    made = {ec2.create_vpc(CidrBlock=f"10.{i}.0.0/16")["Vpc"]["VpcId"] for i in range(11)}
    pages = list(ec2.get_paginator("describe_vpcs").paginate(PaginationConfig={"PageSize": 5}))
    assert [len(p["Vpcs"]) for p in pages] == [5, 5, 2], "11 VPCs and the default one"
    seen = [v["VpcId"] for p in pages for v in p["Vpcs"]]
    assert len(set(seen)) == 12 and made <= set(seen)


def test_vpc_quota_is_five_per_region(fresh_lab):
    ec2 = fresh_lab.client("ec2")
    made = 0
    with pytest.raises(botocore.exceptions.ClientError) as e:
        for i in range(10):
            ec2.create_vpc(CidrBlock=f"10.{i}.0.0/16")
            made += 1
    assert error_code(e) == "VpcLimitExceeded"
    assert made == 4, "the default VPC is the fifth"


def test_describe_vpcs_refuses_unknown_ids_and_filters(lab):
    ec2 = lab.client("ec2", validate=False)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_vpcs(VpcIds=["vpc-12345678"])
    assert error_code(e) == "InvalidVpcID.NotFound"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_vpcs(VpcIds=["not-a-vpc"])
    assert error_code(e) == "InvalidVpcID.Malformed"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_vpcs(Filters=[{"Name": "no-such-filter", "Values": ["x"]}])
    assert error_code(e) == "InvalidParameterValue"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_vpcs(MaxResults=2)
    assert error_code(e) == "InvalidParameterValue"


def test_create_vpc_refusals_change_nothing(ec2):
    before = ec2.describe_vpcs()["Vpcs"]
    for cidr, code in [("10.0.0.0/8", "InvalidVpc.Range"), ("10.0.0.0/29", "InvalidVpc.Range"), ("10.0.0.1/16", "InvalidParameterValue"), ("banana", "InvalidParameterValue")]:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ec2.create_vpc(CidrBlock=cidr)
        assert error_code(e) == code, cidr
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.create_vpc(CidrBlock="10.9.0.0/16", TagSpecifications=[{"ResourceType": "subnet", "Tags": [{"Key": "a", "Value": "b"}]}])
    assert error_code(e) == "InvalidParameterValue"
    assert ec2.describe_vpcs()["Vpcs"] == before


def test_dry_run_checks_and_does_nothing(ec2):
    before = len(ec2.describe_vpcs()["Vpcs"])
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.create_vpc(CidrBlock="10.4.0.0/16", DryRun=True)
    assert error_code(e) == "DryRunOperation"
    assert len(ec2.describe_vpcs()["Vpcs"]) == before


def test_dns_attributes(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.5.0.0/16")["Vpc"]["VpcId"]
    attr = lambda name: ec2.describe_vpc_attribute(VpcId=vpc, Attribute=name)
    assert attr("enableDnsSupport")["EnableDnsSupport"]["Value"] is True
    assert attr("enableDnsHostnames")["EnableDnsHostnames"]["Value"] is False
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    assert attr("enableDnsHostnames")["EnableDnsHostnames"]["Value"] is True
    # AWS: host names need DNS support.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsSupport={"Value": False})
    assert error_code(e) == "InvalidParameterValue"
    assert attr("enableDnsSupport")["EnableDnsSupport"]["Value"] is True
    ec2.delete_vpc(VpcId=vpc)


def test_secondary_and_ipv6_blocks(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.6.0.0/16")["Vpc"]["VpcId"]
    added = ec2.associate_vpc_cidr_block(VpcId=vpc, CidrBlock="10.7.0.0/16")
    assoc = added["CidrBlockAssociation"]["AssociationId"]
    assert added["CidrBlockAssociation"]["CidrBlock"] == "10.7.0.0/16"
    v6 = ec2.associate_vpc_cidr_block(VpcId=vpc, AmazonProvidedIpv6CidrBlock=True)["Ipv6CidrBlockAssociation"]
    assert v6["Ipv6CidrBlock"].endswith("/56")
    got = ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0]
    assert {b["CidrBlock"] for b in got["CidrBlockAssociationSet"]} == {"10.6.0.0/16", "10.7.0.0/16"}
    assert got["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"] == v6["Ipv6CidrBlock"]
    # AWS: a block from another RFC 1918 range than the primary is refused.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.associate_vpc_cidr_block(VpcId=vpc, CidrBlock="192.168.0.0/16")
    assert error_code(e) == "InvalidVpc.Range"
    gone = ec2.disassociate_vpc_cidr_block(AssociationId=assoc)
    assert gone["CidrBlockAssociation"]["CidrBlock"] == "10.7.0.0/16"
    assert gone["VpcId"] == vpc
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.disassociate_vpc_cidr_block(AssociationId=got["CidrBlockAssociationSet"][0]["AssociationId"])
    assert error_code(e) == "InvalidParameterValue"


def test_delete_vpc_and_default_vpc(fresh_lab):
    ec2 = fresh_lab.client("ec2")
    default = [v for v in ec2.describe_vpcs()["Vpcs"] if v["IsDefault"]][0]["VpcId"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.delete_vpc(VpcId=default)
    assert error_code(e) == "DependencyViolation"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.create_default_vpc()
    assert error_code(e) == "DefaultVpcAlreadyExists"


def test_the_cli_creates_and_describes(lab, unique):
    _, out = lab.aws("ec2", "create-vpc", "--cidr-block", "10.8.0.0/16", "--tag-specifications", f"ResourceType=vpc,Tags=[{{Key=Name,Value={unique}}}]")
    vpc = out["Vpc"]["VpcId"]
    _, out = lab.aws("ec2", "describe-vpcs", "--filters", f"Name=tag:Name,Values={unique}")
    assert [v["VpcId"] for v in out["Vpcs"]] == [vpc]
    code, err = lab.aws("ec2", "delete-vpc", "--vpc-id", "vpc-00000000", check=False)
    assert code != 0 and "InvalidVpcID.NotFound" in err
    lab.aws("ec2", "delete-vpc", "--vpc-id", vpc)
    _, out = lab.aws("ec2", "describe-vpcs", "--filters", f"Name=tag:Name,Values={unique}")
    assert out["Vpcs"] == []
