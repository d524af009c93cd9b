"""NAT gateways through boto3 and the aws CLI: public (with an Elastic IP) and private,
failed ones, describe with ids, filters and pages, boto3's waiter, delete; and every
refusal with AWS's code and no change."""

import datetime

import botocore.exceptions
import pytest

from conftest import error_code

ACCOUNT = "000000000000"


def refused(code, call, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        call(**kwargs)
    assert error_code(e) == code, e.value.response["Error"]
    return e.value.response["Error"]["Message"]


def public_network(ec2, cidr, subnet_cidr, igw=True):
    vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=subnet_cidr, AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    if igw:
        gw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=gw, VpcId=vpc)
    return vpc, subnet


def nats_in(ec2, vpc):
    return ec2.describe_nat_gateways(Filter=[{"Name": "vpc-id", "Values": [vpc]}])["NatGateways"]


def test_public_nat_gateway_returns_every_field_and_the_waiter_works(ec2, unique):
    vpc, subnet = public_network(ec2, "10.80.0.0/16", "10.80.1.0/24")
    eip = ec2.allocate_address()
    nat = ec2.create_nat_gateway(SubnetId=subnet, AllocationId=eip["AllocationId"], ClientToken=unique,
                                 TagSpecifications=[{"ResourceType": "natgateway", "Tags": [{"Key": "Name", "Value": unique}]}])
    assert nat["ClientToken"] == unique
    nat = nat["NatGateway"]
    nid = nat["NatGatewayId"]
    assert nid.startswith("nat-")
    assert (nat["SubnetId"], nat["VpcId"], nat["ConnectivityType"], nat["State"]) == (subnet, vpc, "public", "available")
    assert isinstance(nat["CreateTime"], datetime.datetime) and "DeleteTime" not in nat
    assert nat["Tags"] == [{"Key": "Name", "Value": unique}]
    [addr] = nat["NatGatewayAddresses"]
    assert (addr["AllocationId"], addr["PublicIp"], addr["PrivateIp"], addr["IsPrimary"], addr["Status"]) == (
        eip["AllocationId"], eip["PublicIp"], "10.80.1.4", True, "succeeded")
    assert addr["NetworkInterfaceId"].startswith("eni-") and addr["AssociationId"].startswith("eipassoc-")
    ec2.get_waiter("nat_gateway_available").wait(NatGatewayIds=[nid])
    assert ec2.describe_nat_gateways(NatGatewayIds=[nid])["NatGateways"] == [nat]
    # Its interface is AWS-managed and in use.
    eni = ec2.describe_network_interfaces(NetworkInterfaceIds=[addr["NetworkInterfaceId"]])["NetworkInterfaces"][0]
    assert (eni["InterfaceType"], eni["RequesterManaged"], eni["Status"]) == ("nat_gateway", True, "in-use")
    assert eni["Description"] == f"Interface for NAT Gateway {nid}"
    assert eni["Association"]["PublicIp"] == eip["PublicIp"]
    # Its Elastic IP shows where it is.
    got = ec2.describe_addresses(AllocationIds=[eip["AllocationId"]])["Addresses"][0]
    assert (got["AssociationId"], got["NetworkInterfaceId"], got["PrivateIpAddress"]) == (addr["AssociationId"], addr["NetworkInterfaceId"], "10.80.1.4")
    assert "InstanceId" not in got


def test_private_nat_gateway_has_no_public_address(ec2):
    vpc, subnet = public_network(ec2, "10.81.0.0/16", "10.81.1.0/24", igw=False)
    nat = ec2.create_nat_gateway(SubnetId=subnet, ConnectivityType="private", PrivateIpAddress="10.81.1.50")["NatGateway"]
    assert (nat["ConnectivityType"], nat["State"]) == ("private", "available")
    [addr] = nat["NatGatewayAddresses"]
    assert addr["PrivateIp"] == "10.81.1.50"
    assert "AllocationId" not in addr and "PublicIp" not in addr and "AssociationId" not in addr


def test_a_public_nat_gateway_without_an_internet_gateway_fails(ec2):
    vpc, subnet = public_network(ec2, "10.82.0.0/16", "10.82.1.0/24", igw=False)
    eip = ec2.allocate_address()["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=subnet, AllocationId=eip)["NatGateway"]
    assert nat["State"] == "failed"
    assert nat["FailureCode"] == "Gateway.NotAttached"
    assert nat["FailureMessage"] == f"Network {vpc} has no Internet gateway attached"
    assert nat["NatGatewayAddresses"][0]["AllocationId"] == eip
    assert nat["NatGatewayAddresses"][0]["Status"] == "failed"
    with pytest.raises(botocore.exceptions.WaiterError):
        ec2.get_waiter("nat_gateway_available").wait(NatGatewayIds=[nat["NatGatewayId"]], WaiterConfig={"Delay": 1, "MaxAttempts": 2})
    assert "AssociationId" not in ec2.describe_addresses(AllocationIds=[eip])["Addresses"][0]
    assert ec2.describe_network_interfaces(Filters=[{"Name": "subnet-id", "Values": [subnet]}])["NetworkInterfaces"] == []


def test_delete_nat_gateway_frees_its_address_and_interface(ec2):
    vpc, subnet = public_network(ec2, "10.83.0.0/16", "10.83.1.0/24")
    eip = ec2.allocate_address()["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=subnet, AllocationId=eip)["NatGateway"]
    nid, eni = nat["NatGatewayId"], nat["NatGatewayAddresses"][0]["NetworkInterfaceId"]
    assert ec2.delete_nat_gateway(NatGatewayId=nid)["NatGatewayId"] == nid
    got = ec2.describe_nat_gateways(NatGatewayIds=[nid])["NatGateways"][0]
    assert got["State"] == "deleted" and isinstance(got["DeleteTime"], datetime.datetime)
    assert "AssociationId" not in ec2.describe_addresses(AllocationIds=[eip])["Addresses"][0]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])
    assert error_code(e) == "InvalidNetworkInterfaceID.NotFound"
    refused("NatGatewayNotFound", ec2.delete_nat_gateway, NatGatewayId=nid)
    # The freed address can serve a new NAT gateway.
    again = ec2.create_nat_gateway(SubnetId=subnet, AllocationId=eip)["NatGateway"]
    assert again["State"] == "available"


def test_a_nat_gateway_holds_its_interface_and_address(ec2):
    vpc, subnet = public_network(ec2, "10.84.0.0/16", "10.84.1.0/24")
    eip = ec2.allocate_address()["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=subnet, AllocationId=eip)["NatGateway"]
    addr = nat["NatGatewayAddresses"][0]
    before = ec2.describe_addresses(AllocationIds=[eip])["Addresses"]
    refused("OperationNotPermitted", ec2.disassociate_address, AssociationId=addr["AssociationId"])
    refused("InvalidIPAddress.InUse", ec2.release_address, AllocationId=eip)
    refused("InvalidNetworkInterface.InUse", ec2.delete_network_interface, NetworkInterfaceId=addr["NetworkInterfaceId"])
    assert ec2.describe_addresses(AllocationIds=[eip])["Addresses"] == before
    assert nats_in(ec2, vpc)[0]["State"] == "available"


def test_create_nat_gateway_refusals_change_nothing(lab, ec2):
    raw = lab.client("ec2", validate=False)
    vpc, subnet = public_network(ec2, "10.85.0.0/16", "10.85.1.0/24")
    eip = ec2.allocate_address()["AllocationId"]
    used = ec2.allocate_address()["AllocationId"]
    ec2.create_nat_gateway(SubnetId=subnet, AllocationId=used)
    before = nats_in(ec2, vpc)
    for kwargs, code in [
        ({}, "MissingParameter"),
        ({"AllocationId": eip, "ConnectivityType": "private"}, "InvalidParameterCombination"),
        ({"AllocationId": used}, "Resource.AlreadyAssociated"),
        ({"AllocationId": "eipalloc-12345678"}, "InvalidAllocationID.NotFound"),
        ({"AllocationId": eip, "ConnectivityType": "sideways"}, "InvalidParameterValue"),
        ({"AllocationId": eip, "PrivateIpAddress": "10.85.1.4"}, "InvalidIPAddress.InUse"),
        ({"AllocationId": eip, "SecondaryAllocationIds": [used]}, "InvalidParameterValue"),
        ({"AllocationId": eip, "TagSpecifications": [{"ResourceType": "vpc", "Tags": [{"Key": "a", "Value": "b"}]}]}, "InvalidParameterValue"),
    ]:
        refused(code, raw.create_nat_gateway, SubnetId=subnet, **kwargs)
    refused("InvalidSubnetID.NotFound", ec2.create_nat_gateway, SubnetId="subnet-12345678", AllocationId=eip)
    refused("MissingParameter", raw.create_nat_gateway, AllocationId=eip)
    assert nats_in(ec2, vpc) == before
    assert "AssociationId" not in ec2.describe_addresses(AllocationIds=[eip])["Addresses"][0]


def test_describe_nat_gateways_filters_and_refusals(lab, ec2, unique):
    vpc, subnet = public_network(ec2, "10.86.0.0/16", "10.86.1.0/24")
    a = ec2.create_nat_gateway(SubnetId=subnet, AllocationId=ec2.allocate_address()["AllocationId"],
                               TagSpecifications=[{"ResourceType": "natgateway", "Tags": [{"Key": "team", "Value": unique}]}])["NatGateway"]["NatGatewayId"]
    b = ec2.create_nat_gateway(SubnetId=subnet, ConnectivityType="private")["NatGateway"]["NatGatewayId"]
    ec2.delete_nat_gateway(NatGatewayId=b)
    ids = lambda *filters: sorted(n["NatGatewayId"] for n in ec2.describe_nat_gateways(Filter=list(filters))["NatGateways"])
    f = lambda name, *values: {"Name": name, "Values": list(values)}
    assert ids(f("vpc-id", vpc)) == sorted([a, b])
    assert ids(f("subnet-id", subnet), f("state", "available")) == [a]
    assert ids(f("subnet-id", subnet), f("state", "deleted")) == [b]
    assert ids(f("nat-gateway-id", b)) == [b]
    assert ids(f("tag:team", unique)) == [a]
    assert ids(f("tag-key", "team"), f("vpc-id", vpc)) == [a]
    assert ids(f("tag-value", unique[:4] + "*")) == [a]
    raw = lab.client("ec2", validate=False)
    refused("NatGatewayNotFound", raw.describe_nat_gateways, NatGatewayIds=["nat-12345678901234567"])
    refused("NatGatewayMalformed", raw.describe_nat_gateways, NatGatewayIds=["nat-nope"])
    refused("InvalidParameterValue", raw.describe_nat_gateways, Filter=[{"Name": "no-such-filter", "Values": ["x"]}])
    refused("InvalidParameterValue", raw.describe_nat_gateways, MaxResults=4)
    refused("NatGatewayMalformed", raw.delete_nat_gateway, NatGatewayId="nat-nope")
    assert ids(f("vpc-id", vpc)) == sorted([a, b])


def test_describe_nat_gateways_pages(roomy_lab):
    ec2 = roomy_lab.client("ec2")
    vpc, subnet = public_network(ec2, "10.87.0.0/16", "10.87.1.0/24")
    made = [ec2.create_nat_gateway(SubnetId=subnet, ConnectivityType="private")["NatGateway"]["NatGatewayId"] for _ in range(6)]
    pages = list(ec2.get_paginator("describe_nat_gateways").paginate(PaginationConfig={"PageSize": 5}))
    assert [len(p["NatGateways"]) for p in pages] == [5, 1]
    assert [n["NatGatewayId"] for p in pages for n in p["NatGateways"]] == made


def test_nat_gateway_quota_is_five_per_zone(fresh_lab):
    ec2 = fresh_lab.client("ec2")
    subnet = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}, {"Name": "availability-zone", "Values": ["us-east-1a"]}])["Subnets"][0]["SubnetId"]
    for _ in range(5):
        ec2.create_nat_gateway(SubnetId=subnet, ConnectivityType="private")
    refused("NatGatewayLimitExceeded", ec2.create_nat_gateway, SubnetId=subnet, ConnectivityType="private")
    assert len(ec2.describe_nat_gateways()["NatGateways"]) == 5


def test_another_account_sees_none_of_them(lab, ec2):
    _, subnet = public_network(ec2, "10.88.0.0/16", "10.88.1.0/24")
    nid = ec2.create_nat_gateway(SubnetId=subnet, ConnectivityType="private")["NatGateway"]["NatGatewayId"]
    lab.add_key("777788889999", "nat-other", "nat-other-secret")
    other = lab.client("ec2", key="nat-other", secret="nat-other-secret")
    refused("NatGatewayNotFound", other.describe_nat_gateways, NatGatewayIds=[nid])
    refused("NatGatewayNotFound", other.delete_nat_gateway, NatGatewayId=nid)
    assert other.describe_nat_gateways()["NatGateways"] == []
    assert ec2.describe_nat_gateways(NatGatewayIds=[nid])["NatGateways"][0]["State"] == "available"


def test_the_cli_creates_waits_describes_and_deletes(lab, ec2, unique):
    vpc, subnet = public_network(ec2, "10.89.0.0/16", "10.89.1.0/24")
    eip = ec2.allocate_address()["AllocationId"]
    _, out = lab.aws("ec2", "create-nat-gateway", "--subnet-id", subnet, "--allocation-id", eip,
                     "--tag-specifications", f"ResourceType=natgateway,Tags=[{{Key=Name,Value={unique}}}]")
    nid = out["NatGateway"]["NatGatewayId"]
    lab.aws("ec2", "wait", "nat-gateway-available", "--nat-gateway-ids", nid)
    _, out = lab.aws("ec2", "describe-nat-gateways", "--filter", f"Name=tag:Name,Values={unique}")
    assert [n["NatGatewayId"] for n in out["NatGateways"]] == [nid]
    assert out["NatGateways"][0]["NatGatewayAddresses"][0]["AllocationId"] == eip
    _, out = lab.aws("ec2", "delete-nat-gateway", "--nat-gateway-id", nid)
    assert out["NatGatewayId"] == nid
    code, err = lab.aws("ec2", "describe-nat-gateways", "--nat-gateway-ids", "nat-0123456789abcdef0", check=False)
    assert code != 0 and "NatGatewayNotFound" in err
