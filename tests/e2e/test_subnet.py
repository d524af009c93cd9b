"""Subnets through boto3 and the aws CLI: create (zones by name or id, IPv6, tags),
describe (ids, every filter, pages, accounts), attributes, IPv6 blocks, delete; and every
refusal with AWS's code and no change."""

import ipaddress

import botocore.exceptions
import pytest

from conftest import error_code


def vpc(ec2, cidr="10.0.0.0/16", ipv6=False):
    return ec2.create_vpc(CidrBlock=cidr, AmazonProvidedIpv6CidrBlock=ipv6)["Vpc"]


def subnets_of(ec2, vpc_id):
    return ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]


def nth_64(vpc_shape, n):
    block = ipaddress.ip_network(vpc_shape["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"])
    return str(next(s for i, s in enumerate(block.subnets(new_prefix=64)) if i == n))


def test_create_subnet_returns_every_field_aws_shows(ec2, unique):
    v = vpc(ec2)["VpcId"]
    s = ec2.create_subnet(
        VpcId=v,
        CidrBlock="10.0.1.0/24",
        AvailabilityZone="us-east-1b",
        TagSpecifications=[{"ResourceType": "subnet", "Tags": [{"Key": "Name", "Value": unique}]}],
    )["Subnet"]
    sid = s["SubnetId"]
    assert sid.startswith("subnet-")
    assert s == {
        "SubnetId": sid,
        "SubnetArn": f"arn:aws:ec2:us-east-1:000000000000:subnet/{sid}",
        "OwnerId": "000000000000",
        "VpcId": v,
        "State": "available",
        "CidrBlock": "10.0.1.0/24",
        "Ipv6CidrBlockAssociationSet": [],
        "AvailableIpAddressCount": 251,
        "AvailabilityZone": "us-east-1b",
        "AvailabilityZoneId": "use1-az2",
        "DefaultForAz": False,
        "MapPublicIpOnLaunch": False,
        "MapCustomerOwnedIpOnLaunch": False,
        "AssignIpv6AddressOnCreation": False,
        "EnableDns64": False,
        "Ipv6Native": False,
        "PrivateDnsNameOptionsOnLaunch": {"HostnameType": "ip-name", "EnableResourceNameDnsARecord": False, "EnableResourceNameDnsAAAARecord": False},
        "BlockPublicAccessStates": {"InternetGatewayBlockMode": "off"},
        "Tags": [{"Key": "Name", "Value": unique}],
    }
    assert ec2.describe_subnets(SubnetIds=[sid])["Subnets"] == [s]


def test_zone_by_id_or_left_to_the_lab_and_an_ipv6_block_at_creation(ec2):
    v = vpc(ec2, ipv6=True)
    by_id = ec2.create_subnet(VpcId=v["VpcId"], CidrBlock="10.0.2.0/24", AvailabilityZoneId="use1-az4")["Subnet"]
    assert (by_id["AvailabilityZone"], by_id["AvailabilityZoneId"]) == ("us-east-1d", "use1-az4")
    block = nth_64(v, 7)
    picked = ec2.create_subnet(VpcId=v["VpcId"], CidrBlock="10.0.3.0/28", Ipv6CidrBlock=block)["Subnet"]
    assert picked["AvailabilityZone"] == "us-east-1a"
    assert picked["AvailableIpAddressCount"] == 11, "a /28 less AWS's five reserved addresses"
    [assoc] = picked["Ipv6CidrBlockAssociationSet"]
    assert assoc["Ipv6CidrBlock"] == block
    assert assoc["Ipv6CidrBlockState"] == {"State": "associated"}
    assert assoc["AssociationId"].startswith("subnet-cidr-assoc-")
    assert "Tags" not in picked


def test_the_default_vpc_has_one_default_subnet_per_zone(fresh_lab):
    # A lab of its own: other tests launch instances into the default subnets.
    ec2 = fresh_lab.client("ec2")
    defaults = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"]
    assert sorted(s["AvailabilityZone"] for s in defaults) == [f"us-east-1{c}" for c in "abcdef"]
    assert {s["MapPublicIpOnLaunch"] for s in defaults} == {True}
    assert {s["CidrBlock"] for s in defaults} == {f"172.31.{16 * i}.0/20" for i in range(6)}
    assert {s["AvailableIpAddressCount"] for s in defaults} == {4091}
    alias = ec2.describe_subnets(Filters=[{"Name": "defaultForAz", "Values": ["true"]}])["Subnets"]
    assert alias == defaults


def test_describe_subnets_filters(ec2, unique):
    v = vpc(ec2, ipv6=True)
    vid = v["VpcId"]
    block = nth_64(v, 1)
    a = ec2.create_subnet(
        VpcId=vid, CidrBlock="10.0.1.0/24", AvailabilityZone="us-east-1a", Ipv6CidrBlock=block,
        TagSpecifications=[{"ResourceType": "subnet", "Tags": [{"Key": "tier", "Value": unique}]}],
    )["Subnet"]
    b = ec2.create_subnet(VpcId=vid, CidrBlock="10.0.2.0/25", AvailabilityZone="us-east-1c")["Subnet"]
    ec2.modify_subnet_attribute(SubnetId=b["SubnetId"], MapPublicIpOnLaunch={"Value": True})

    def ids(*filters):
        got = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vid]}] + [{"Name": n, "Values": list(vs)} for n, *vs in filters])["Subnets"]
        return sorted(s["SubnetId"] for s in got)

    both = sorted([a["SubnetId"], b["SubnetId"]])
    assert ids() == both
    assert ids(("availability-zone", "us-east-1c")) == [b["SubnetId"]]
    assert ids(("availabilityZone", "us-east-1a")) == [a["SubnetId"]]
    assert ids(("availability-zone-id", "use1-az3")) == [b["SubnetId"]]
    assert ids(("availabilityZoneId", "use1-az1")) == [a["SubnetId"]]
    assert ids(("available-ip-address-count", "123")) == [b["SubnetId"]]
    assert ids(("cidr-block", "10.0.1.0/24")) == [a["SubnetId"]]
    assert ids(("cidr", "10.0.2.0/25")) == [b["SubnetId"]]
    assert ids(("cidrBlock", "10.0.*")) == both
    assert ids(("default-for-az", "false")) == both
    assert ids(("map-public-ip-on-launch", "true")) == [b["SubnetId"]]
    assert ids(("ipv6-cidr-block-association.ipv6-cidr-block", block)) == [a["SubnetId"]]
    assert ids(("ipv6-cidr-block-association.association-id", a["Ipv6CidrBlockAssociationSet"][0]["AssociationId"])) == [a["SubnetId"]]
    assert ids(("ipv6-cidr-block-association.state", "associated")) == [a["SubnetId"]]
    assert ids(("owner-id", "000000000000")) == both
    assert ids(("owner-id", "111111111111")) == []
    assert ids(("state", "available")) == both
    assert ids(("subnet-id", b["SubnetId"])) == [b["SubnetId"]]
    assert ids(("subnet-arn", a["SubnetArn"])) == [a["SubnetId"]]
    assert ids(("tag:tier", unique)) == [a["SubnetId"]]
    assert ids(("tag-key", "tier")) == [a["SubnetId"]]
    assert ids(("tag-value", unique)) == [a["SubnetId"]]
    assert ids(("enable-dns64", "false")) == both
    assert ids(("ipv6-native", "true")) == []
    assert ids(("map-customer-owned-ip-on-launch", "false")) == both
    assert ids(("private-dns-name-options-on-launch.hostname-type", "ip-name")) == both
    assert ids(("private-dns-name-options-on-launch.enable-resource-name-dns-a-record", "true")) == []
    assert ids(("private-dns-name-options-on-launch.enable-resource-name-dns-aaaa-record", "false")) == both
    assert ids(("outpost-arn", "*")) == []
    assert ids(("customer-owned-ipv4-pool", "*")) == []
    assert ids(("enable-lni-at-device-index", "1")) == []
    # Filters AND, values OR.
    assert ids(("availability-zone", "us-east-1a", "us-east-1c"), ("map-public-ip-on-launch", "false")) == [a["SubnetId"]]


def test_describe_subnets_ids_pages_and_refusals(roomy_lab):
    ec2 = roomy_lab.client("ec2", validate=False)
    v = vpc(ec2)["VpcId"]
    made = [ec2.create_subnet(VpcId=v, CidrBlock=f"10.0.{i}.0/24")["Subnet"]["SubnetId"] for i in range(6)]
    pages = list(ec2.get_paginator("describe_subnets").paginate(PaginationConfig={"PageSize": 5}))
    assert [len(p["Subnets"]) for p in pages] == [5, 5, 2], "6 new subnets and the default VPC's 6"
    seen = [s["SubnetId"] for p in pages for s in p["Subnets"]]
    assert len(set(seen)) == 12 and set(made) <= set(seen)
    assert [s["SubnetId"] for s in ec2.describe_subnets(SubnetIds=made[:2])["Subnets"]] == made[:2]
    for kwargs, code in [
        ({"SubnetIds": ["subnet-12345678"]}, "InvalidSubnetID.NotFound"),
        ({"SubnetIds": [made[0], "subnet-12345678"]}, "InvalidSubnetID.NotFound"),
        ({"SubnetIds": ["sub-1"]}, "InvalidSubnetID.Malformed"),
        ({"SubnetIds": [made[0]], "MaxResults": 5}, "InvalidParameterCombination"),
        ({"MaxResults": 4}, "InvalidParameterValue"),
        ({"MaxResults": 1001}, "InvalidParameterValue"),
        ({"NextToken": "garbage"}, "InvalidNextToken"),
        ({"Filters": [{"Name": "no-such-filter", "Values": ["x"]}]}, "InvalidParameterValue"),
    ]:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ec2.describe_subnets(**kwargs)
        assert error_code(e) == code, kwargs


def test_another_account_sees_none_of_these_subnets(lab):
    ec2 = lab.client("ec2")
    v = vpc(ec2)["VpcId"]
    sid = ec2.create_subnet(VpcId=v, CidrBlock="10.0.9.0/24")["Subnet"]["SubnetId"]
    lab.add_key("444455556666", "other-subnet-key", "other-subnet-secret")
    other = lab.client("ec2", key="other-subnet-key", secret="other-subnet-secret")
    theirs = other.describe_subnets()["Subnets"]
    assert sid not in [s["SubnetId"] for s in theirs]
    assert {s["OwnerId"] for s in theirs} == {"444455556666"}
    with pytest.raises(botocore.exceptions.ClientError) as e:
        other.describe_subnets(SubnetIds=[sid])
    assert error_code(e) == "InvalidSubnetID.NotFound"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        other.delete_subnet(SubnetId=sid)
    assert error_code(e) == "InvalidSubnetID.NotFound"
    assert ec2.describe_subnets(SubnetIds=[sid])["Subnets"][0]["SubnetId"] == sid


def test_create_subnet_refusals_change_nothing(lab):
    ec2 = lab.client("ec2", validate=False)
    v = vpc(ec2)["VpcId"]
    ec2.create_subnet(VpcId=v, CidrBlock="10.0.0.0/24")
    before = subnets_of(ec2, v)
    for kwargs, code in [
        ({"CidrBlock": "10.1.0.0/24"}, "InvalidSubnet.Range"),
        ({"CidrBlock": "10.0.0.0/29"}, "InvalidSubnet.Range"),
        ({"CidrBlock": "10.0.0.0/15"}, "InvalidSubnet.Range"),
        ({"CidrBlock": "10.0.0.128/25"}, "InvalidSubnet.Conflict"),
        ({"CidrBlock": "10.0.5.1/24"}, "InvalidParameterValue"),
        ({"CidrBlock": "banana"}, "InvalidParameterValue"),
        ({"CidrBlock": "10.0.5.0/24", "AvailabilityZone": "us-west-2a"}, "InvalidParameterValue"),
        ({"CidrBlock": "10.0.5.0/24", "AvailabilityZoneId": "use1-az9"}, "InvalidParameterValue"),
        ({"CidrBlock": "10.0.5.0/24", "Ipv6CidrBlock": "2600:1f18::/64"}, "InvalidSubnet.Range"),
        ({"CidrBlock": "10.0.5.0/24", "Ipv6Native": True}, "InvalidParameterValue"),
        ({"CidrBlock": "10.0.5.0/24", "OutpostArn": "arn:aws:outposts:us-east-1:000000000000:outpost/op-1"}, "InvalidParameterValue"),
        ({"Ipv4IpamPoolId": "ipam-pool-12345678", "Ipv4NetmaskLength": 24}, "InvalidParameterValue"),
        ({}, "MissingParameter"),
        ({"CidrBlock": "10.0.5.0/24", "TagSpecifications": [{"ResourceType": "vpc", "Tags": [{"Key": "a", "Value": "b"}]}]}, "InvalidParameterValue"),
    ]:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ec2.create_subnet(VpcId=v, **kwargs)
        assert error_code(e) == code, kwargs
    for vpc_id, code in [("vpc-12345678", "InvalidVpcID.NotFound"), ("vpc-zz", "InvalidVpcID.Malformed")]:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.5.0/24")
        assert error_code(e) == code
    assert subnets_of(ec2, v) == before


def test_delete_subnet_and_its_refusals(ec2):
    v = vpc(ec2)["VpcId"]
    sid = ec2.create_subnet(VpcId=v, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    eni = ec2.create_network_interface(SubnetId=sid)["NetworkInterface"]["NetworkInterfaceId"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.delete_subnet(SubnetId=sid)
    assert error_code(e) == "DependencyViolation"
    assert [s["SubnetId"] for s in subnets_of(ec2, v)] == [sid]
    ec2.delete_network_interface(NetworkInterfaceId=eni)
    ec2.delete_subnet(SubnetId=sid)
    assert subnets_of(ec2, v) == []
    for subnet_id, code in [(sid, "InvalidSubnetID.NotFound"), ("subnet-x", "InvalidSubnetID.Malformed")]:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ec2.delete_subnet(SubnetId=subnet_id)
        assert error_code(e) == code
    ec2.delete_vpc(VpcId=v)


def test_modify_subnet_attribute(lab):
    ec2 = lab.client("ec2", validate=False)
    v = vpc(ec2, ipv6=True)
    sid = ec2.create_subnet(VpcId=v["VpcId"], CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    get = lambda: ec2.describe_subnets(SubnetIds=[sid])["Subnets"][0]
    ec2.modify_subnet_attribute(SubnetId=sid, MapPublicIpOnLaunch={"Value": True})
    assert get()["MapPublicIpOnLaunch"] is True
    ec2.modify_subnet_attribute(SubnetId=sid, MapPublicIpOnLaunch={"Value": False})
    assert get()["MapPublicIpOnLaunch"] is False
    before = get()
    for kwargs, code in [
        # AWS: IPv6 assignment needs an IPv6 block on the subnet.
        ({"AssignIpv6AddressOnCreation": {"Value": True}}, "InvalidParameterValue"),
        ({"MapPublicIpOnLaunch": {"Value": True}, "AssignIpv6AddressOnCreation": {"Value": False}}, "InvalidParameterCombination"),
        ({}, "MissingParameter"),
        ({"EnableDns64": {"Value": True}}, "InvalidParameterValue"),
        ({"MapCustomerOwnedIpOnLaunch": {"Value": True}}, "InvalidParameterValue"),
        ({"PrivateDnsHostnameTypeOnLaunch": "resource-name"}, "InvalidParameterValue"),
        ({"EnableResourceNameDnsARecordOnLaunch": {"Value": True}}, "InvalidParameterValue"),
        ({"EnableLniAtDeviceIndex": 1}, "InvalidParameterValue"),
    ]:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ec2.modify_subnet_attribute(SubnetId=sid, **kwargs)
        assert error_code(e) == code, kwargs
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.modify_subnet_attribute(SubnetId="subnet-12345678", MapPublicIpOnLaunch={"Value": True})
    assert error_code(e) == "InvalidSubnetID.NotFound"
    assert get() == before
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.modify_subnet_attribute(SubnetId=sid, EnableDns64={"Value": True})
    assert "EnableDns64" in e.value.response["Error"]["Message"]
    ec2.associate_subnet_cidr_block(SubnetId=sid, Ipv6CidrBlock=nth_64(v, 2))
    ec2.modify_subnet_attribute(SubnetId=sid, AssignIpv6AddressOnCreation={"Value": True})
    assert get()["AssignIpv6AddressOnCreation"] is True


def test_associate_and_disassociate_an_ipv6_block(lab):
    ec2 = lab.client("ec2", validate=False)
    v = vpc(ec2, ipv6=True)
    sid = ec2.create_subnet(VpcId=v["VpcId"], CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    other = ec2.create_subnet(VpcId=v["VpcId"], CidrBlock="10.0.2.0/24")["Subnet"]["SubnetId"]
    block = nth_64(v, 3)
    got = ec2.associate_subnet_cidr_block(SubnetId=sid, Ipv6CidrBlock=block)
    assert got["SubnetId"] == sid
    assoc = got["Ipv6CidrBlockAssociation"]
    assert assoc["Ipv6CidrBlock"] == block
    assert assoc["Ipv6CidrBlockState"]["State"] == "associating"
    assert assoc["AssociationId"].startswith("subnet-cidr-assoc-")
    [described] = ec2.describe_subnets(SubnetIds=[sid])["Subnets"][0]["Ipv6CidrBlockAssociationSet"]
    assert described == {
        "AssociationId": assoc["AssociationId"],
        "Ipv6CidrBlock": block,
        "Ipv6CidrBlockState": {"State": "associated"},
        "Ipv6AddressAttribute": "public",
        "IpSource": "amazon",
    }
    before = ec2.describe_subnets(SubnetIds=[sid, other])["Subnets"]
    for subnet_id, kwargs, code in [
        (sid, {"Ipv6CidrBlock": nth_64(v, 4)}, "CidrLimitExceeded"),
        (other, {"Ipv6CidrBlock": block}, "InvalidSubnet.Conflict"),
        (other, {"Ipv6CidrBlock": "2001:db8::/64"}, "InvalidSubnet.Range"),
        (other, {"Ipv6CidrBlock": nth_64(v, 0).replace("/64", "/60")}, "InvalidSubnet.Range"),
        (other, {"Ipv6CidrBlock": nth_64(v, 5).replace("/64", "/60")}, "InvalidParameterValue"),
        (other, {}, "MissingParameter"),
        (other, {"Ipv6IpamPoolId": "ipam-pool-12345678", "Ipv6NetmaskLength": 64}, "InvalidParameterValue"),
        ("subnet-12345678", {"Ipv6CidrBlock": nth_64(v, 6)}, "InvalidSubnetID.NotFound"),
    ]:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ec2.associate_subnet_cidr_block(SubnetId=subnet_id, **kwargs)
        assert error_code(e) == code, (subnet_id, kwargs)
    assert ec2.describe_subnets(SubnetIds=[sid, other])["Subnets"] == before
    gone = ec2.disassociate_subnet_cidr_block(AssociationId=assoc["AssociationId"])
    assert gone["SubnetId"] == sid
    assert gone["Ipv6CidrBlockAssociation"]["Ipv6CidrBlock"] == block
    assert gone["Ipv6CidrBlockAssociation"]["Ipv6CidrBlockState"]["State"] == "disassociating"
    assert ec2.describe_subnets(SubnetIds=[sid])["Subnets"][0]["Ipv6CidrBlockAssociationSet"] == []
    for association_id, code in [(assoc["AssociationId"], "InvalidAssociationID.NotFound"), ("subnet-cidr-assoc-zz", "InvalidAssociationID.Malformed")]:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ec2.disassociate_subnet_cidr_block(AssociationId=association_id)
        assert error_code(e) == code
    # The freed block can go to the other subnet.
    ec2.associate_subnet_cidr_block(SubnetId=other, Ipv6CidrBlock=block)


def test_dry_run_creates_no_subnet(ec2):
    v = vpc(ec2)["VpcId"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.create_subnet(VpcId=v, CidrBlock="10.0.1.0/24", DryRun=True)
    assert error_code(e) == "DryRunOperation"
    assert subnets_of(ec2, v) == []


def test_the_cli_creates_describes_and_deletes_subnets(lab, unique):
    _, out = lab.aws("ec2", "create-vpc", "--cidr-block", "10.0.0.0/16")
    v = out["Vpc"]["VpcId"]
    _, out = lab.aws(
        "ec2", "create-subnet", "--vpc-id", v, "--cidr-block", "10.0.4.0/22", "--availability-zone", "us-east-1e",
        "--tag-specifications", f"ResourceType=subnet,Tags=[{{Key=Name,Value={unique}}}]",
    )
    sid = out["Subnet"]["SubnetId"]
    assert out["Subnet"]["AvailableIpAddressCount"] == 1019
    _, out = lab.aws("ec2", "describe-subnets", "--filters", f"Name=tag:Name,Values={unique}")
    assert [(s["SubnetId"], s["AvailabilityZoneId"]) for s in out["Subnets"]] == [(sid, "use1-az5")]
    lab.aws("ec2", "modify-subnet-attribute", "--subnet-id", sid, "--map-public-ip-on-launch")
    _, out = lab.aws("ec2", "describe-subnets", "--subnet-ids", sid)
    assert out["Subnets"][0]["MapPublicIpOnLaunch"] is True
    code, err = lab.aws("ec2", "create-subnet", "--vpc-id", v, "--cidr-block", "10.0.5.0/24", check=False)
    assert code != 0 and "InvalidSubnet.Conflict" in err
    lab.aws("ec2", "delete-subnet", "--subnet-id", sid)
    _, out = lab.aws("ec2", "describe-subnets", "--filters", f"Name=vpc-id,Values={v}")
    assert out["Subnets"] == []


def test_a_block_with_addresses_in_use_stays_associated(ec2):
    v = vpc(ec2, ipv6=True)
    sid = ec2.create_subnet(VpcId=v["VpcId"], CidrBlock="10.0.1.0/24", Ipv6CidrBlock=nth_64(v, 1))["Subnet"]
    ec2.modify_subnet_attribute(SubnetId=sid["SubnetId"], AssignIpv6AddressOnCreation={"Value": True})
    eni = ec2.create_network_interface(SubnetId=sid["SubnetId"])["NetworkInterface"]
    assert len(eni["Ipv6Addresses"]) == 1, "AssignIpv6AddressOnCreation gives the interface an address"
    before = ec2.describe_subnets(SubnetIds=[sid["SubnetId"]])["Subnets"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.disassociate_subnet_cidr_block(AssociationId=sid["Ipv6CidrBlockAssociationSet"][0]["AssociationId"])
    assert error_code(e) == "DependencyViolation"
    assert ec2.describe_subnets(SubnetIds=[sid["SubnetId"]])["Subnets"] == before
    assert before[0]["AvailableIpAddressCount"] == 250, "the interface holds one IPv4 address too"
