"""Elastic IP addresses through boto3 and the aws CLI: allocate, associate with an
instance or an interface's address, disassociate, release, describe with ids and
filters; and every refusal with AWS's code and no change."""

import botocore.exceptions
import pytest

from conftest import error_code

ACCOUNT = "000000000000"
AMI = "ami-0123456789abcdef0"


def refused(code, call, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        call(**kwargs)
    assert error_code(e) == code, e.value.response["Error"]
    return e.value.response["Error"]["Message"]


def address(ec2, allocation_id):
    return ec2.describe_addresses(AllocationIds=[allocation_id])["Addresses"][0]


def test_allocate_address_returns_every_field(ec2, unique):
    a = ec2.allocate_address(Domain="vpc", TagSpecifications=[{"ResourceType": "elastic-ip", "Tags": [{"Key": "Name", "Value": unique}]}])
    assert a["AllocationId"].startswith("eipalloc-")
    assert (a["Domain"], a["PublicIpv4Pool"], a["NetworkBorderGroup"]) == ("vpc", "amazon", "us-east-1")
    assert a["PublicIp"].count(".") == 3
    got = address(ec2, a["AllocationId"])
    assert got == {
        "AllocationId": a["AllocationId"], "Domain": "vpc", "PublicIp": a["PublicIp"], "PublicIpv4Pool": "amazon",
        "NetworkBorderGroup": "us-east-1", "Tags": [{"Key": "Name", "Value": unique}],
    }
    assert ec2.describe_addresses(PublicIps=[a["PublicIp"]])["Addresses"] == [got]
    other = ec2.allocate_address()
    assert other["PublicIp"] != a["PublicIp"]


def test_associate_with_an_instance_and_describe_by_every_filter(ec2, unique):
    i = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1)["Instances"][0]
    auto = i["PublicIpAddress"]
    eni = i["NetworkInterfaces"][0]["NetworkInterfaceId"]
    a = ec2.allocate_address(TagSpecifications=[{"ResourceType": "elastic-ip", "Tags": [{"Key": "team", "Value": unique}]}])
    assoc = ec2.associate_address(AllocationId=a["AllocationId"], InstanceId=i["InstanceId"])["AssociationId"]
    assert assoc.startswith("eipassoc-")
    got = address(ec2, a["AllocationId"])
    assert (got["AssociationId"], got["InstanceId"], got["NetworkInterfaceId"], got["NetworkInterfaceOwnerId"], got["PrivateIpAddress"]) == (
        assoc, i["InstanceId"], eni, ACCOUNT, i["PrivateIpAddress"])
    instance = ec2.describe_instances(InstanceIds=[i["InstanceId"]])["Reservations"][0]["Instances"][0]
    assert instance["PublicIpAddress"] == a["PublicIp"] != auto, "the Elastic IP replaces the auto-assigned address"
    assert instance["NetworkInterfaces"][0]["Association"]["IpOwnerId"] == ACCOUNT
    ids = lambda *filters: [x["AllocationId"] for x in ec2.describe_addresses(Filters=list(filters))["Addresses"]]
    f = lambda name, value: {"Name": name, "Values": [value]}
    me = [a["AllocationId"]]
    assert ids(f("allocation-id", a["AllocationId"])) == me
    assert ids(f("association-id", assoc)) == me
    assert ids(f("instance-id", i["InstanceId"])) == me
    assert ids(f("network-interface-id", eni)) == me
    assert ids(f("private-ip-address", i["PrivateIpAddress"]), f("tag:team", unique)) == me
    assert ids(f("network-interface-owner-id", ACCOUNT), f("tag:team", unique)) == me
    assert ids(f("public-ip", a["PublicIp"])) == me
    assert ids(f("domain", "vpc"), f("tag-key", "team"), f("tag-value", unique)) == me
    assert ids(f("network-border-group", "us-east-1"), f("tag:team", unique)) == me
    assert ids(f("domain", "standard"), f("tag:team", unique)) == []
    # Disassociating gives the instance a new auto-assigned address, as AWS does.
    ec2.disassociate_address(AssociationId=assoc)
    got = address(ec2, a["AllocationId"])
    assert "AssociationId" not in got and "InstanceId" not in got
    instance = ec2.describe_instances(InstanceIds=[i["InstanceId"]])["Reservations"][0]["Instances"][0]
    assert instance["PublicIpAddress"] != a["PublicIp"]
    assert instance["NetworkInterfaces"][0]["Association"]["IpOwnerId"] == "amazon"


def test_associate_with_an_interface_address_and_reassociate(ec2):
    i = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1)["Instances"][0]
    eni = i["NetworkInterfaces"][0]["NetworkInterfaceId"]
    secondary = ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, SecondaryPrivateIpAddressCount=1)["AssignedPrivateIpAddresses"][0]["PrivateIpAddress"]
    a = ec2.allocate_address()["AllocationId"]
    ec2.associate_address(AllocationId=a, NetworkInterfaceId=eni, PrivateIpAddress=secondary)
    assert address(ec2, a)["PrivateIpAddress"] == secondary
    other = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    before = address(ec2, a)
    refused("Resource.AlreadyAssociated", ec2.associate_address, AllocationId=a, InstanceId=other, AllowReassociation=False)
    refused("InvalidParameterValue", ec2.associate_address, AllocationId=a, NetworkInterfaceId=eni, PrivateIpAddress="172.31.255.250")
    refused("InvalidParameterCombination", ec2.associate_address, AllocationId=a, NetworkInterfaceId=eni, InstanceId=other)
    refused("MissingParameter", ec2.associate_address, AllocationId=a)
    refused("InvalidInstanceID.NotFound", ec2.associate_address, AllocationId=a, InstanceId="i-12345678")
    assert address(ec2, a) == before
    # Reassociation is automatic unless refused.
    moved = ec2.associate_address(AllocationId=a, InstanceId=other)["AssociationId"]
    got = address(ec2, a)
    assert (got["InstanceId"], got["AssociationId"]) == (other, moved)


def test_the_public_address_names_the_elastic_ip(ec2):
    i = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    a = ec2.allocate_address()
    assoc = ec2.associate_address(PublicIp=a["PublicIp"], InstanceId=i)["AssociationId"]
    assert address(ec2, a["AllocationId"])["AssociationId"] == assoc
    refused("InvalidIPAddress.InUse", ec2.release_address, PublicIp=a["PublicIp"])
    ec2.disassociate_address(PublicIp=a["PublicIp"])
    assert "AssociationId" not in address(ec2, a["AllocationId"])
    ec2.release_address(PublicIp=a["PublicIp"])
    refused("InvalidAllocationID.NotFound", ec2.describe_addresses, AllocationIds=[a["AllocationId"]])
    refused("InvalidAddress.NotFound", ec2.describe_addresses, PublicIps=[a["PublicIp"]])


def test_release_and_its_refusals(lab, ec2):
    raw = lab.client("ec2", validate=False)
    i = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    a = ec2.allocate_address()["AllocationId"]
    assoc = ec2.associate_address(AllocationId=a, InstanceId=i)["AssociationId"]
    before = address(ec2, a)
    refused("InvalidIPAddress.InUse", ec2.release_address, AllocationId=a)
    refused("InvalidAllocationID.Malformed", ec2.release_address, AllocationId="eipalloc-nope")
    refused("InvalidAllocationID.NotFound", ec2.release_address, AllocationId="eipalloc-12345678")
    refused("InvalidAddress.NotFound", ec2.release_address, PublicIp="198.51.100.200")
    refused("MissingParameter", raw.release_address)
    refused("InvalidParameterCombination", raw.release_address, AllocationId=a, PublicIp=before["PublicIp"])
    refused("InvalidParameterValue", ec2.release_address, AllocationId=a, NetworkBorderGroup="us-west-2")
    refused("InvalidAssociationID.NotFound", ec2.disassociate_address, AssociationId="eipassoc-12345678")
    refused("InvalidAssociationID.Malformed", ec2.disassociate_address, AssociationId="eipassoc-nope")
    refused("InvalidAssociationID.Malformed", ec2.disassociate_address, AssociationId="nonsense")
    refused("MissingParameter", raw.disassociate_address)
    assert address(ec2, a) == before
    ec2.disassociate_address(AssociationId=assoc)
    refused("InvalidAssociationID.NotFound", ec2.disassociate_address, AssociationId=assoc)
    ec2.release_address(AllocationId=a)
    refused("InvalidAllocationID.NotFound", ec2.describe_addresses, AllocationIds=[a])


def test_allocate_refusals_allocate_nothing(lab, ec2):
    raw = lab.client("ec2", validate=False)
    before = ec2.describe_addresses()["Addresses"]
    refused("InvalidParameterValue", ec2.allocate_address, Domain="standard")
    refused("InvalidParameterValue", ec2.allocate_address, PublicIpv4Pool="ipv4pool-ec2-012345")
    refused("InvalidParameterValue", ec2.allocate_address, Address="203.0.113.5")
    refused("InvalidParameterValue", ec2.allocate_address, NetworkBorderGroup="us-west-2")
    refused("InvalidParameterValue", ec2.allocate_address, TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "a", "Value": "b"}]}])
    refused("InvalidParameterValue", raw.describe_addresses, Filters=[{"Name": "no-such-filter", "Values": ["x"]}])
    refused("InvalidAllocationID.Malformed", raw.describe_addresses, AllocationIds=["eipalloc-nope"])
    refused("InvalidAddress.Malformed", raw.describe_addresses, PublicIps=["not-an-ip"])
    assert ec2.describe_addresses()["Addresses"] == before


def test_address_quota_is_five_per_region(fresh_lab):
    ec2 = fresh_lab.client("ec2")
    made = [ec2.allocate_address()["AllocationId"] for _ in range(5)]
    refused("AddressLimitExceeded", ec2.allocate_address)
    assert sorted(a["AllocationId"] for a in ec2.describe_addresses()["Addresses"]) == sorted(made)
    ec2.release_address(AllocationId=made[0])
    ec2.allocate_address()


def test_an_elastic_ip_needs_an_internet_gateway(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.70.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.70.1.0/24")["Subnet"]["SubnetId"]
    i = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet)["Instances"][0]["InstanceId"]
    a = ec2.allocate_address()["AllocationId"]
    refused("Gateway.NotAttached", ec2.associate_address, AllocationId=a, InstanceId=i)
    assert "AssociationId" not in address(ec2, a)


def test_another_account_cannot_use_the_address(lab, ec2):
    a = ec2.allocate_address()
    lab.add_key("666677778888", "eip-other", "eip-other-secret")
    other = lab.client("ec2", key="eip-other", secret="eip-other-secret")
    refused("InvalidAllocationID.NotFound", other.describe_addresses, AllocationIds=[a["AllocationId"]])
    refused("InvalidAllocationID.NotFound", other.release_address, AllocationId=a["AllocationId"])
    assert other.describe_addresses()["Addresses"] == []
    assert address(ec2, a["AllocationId"])["PublicIp"] == a["PublicIp"]


def test_the_cli_allocates_associates_and_releases(lab, ec2, unique):
    i = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    _, out = lab.aws("ec2", "allocate-address", "--domain", "vpc", "--tag-specifications", f"ResourceType=elastic-ip,Tags=[{{Key=Name,Value={unique}}}]")
    alloc = out["AllocationId"]
    _, out = lab.aws("ec2", "associate-address", "--allocation-id", alloc, "--instance-id", i)
    assoc = out["AssociationId"]
    _, out = lab.aws("ec2", "describe-addresses", "--filters", f"Name=tag:Name,Values={unique}")
    assert [(x["AllocationId"], x["AssociationId"], x["InstanceId"]) for x in out["Addresses"]] == [(alloc, assoc, i)]
    lab.aws("ec2", "disassociate-address", "--association-id", assoc)
    lab.aws("ec2", "release-address", "--allocation-id", alloc)
    code, err = lab.aws("ec2", "describe-addresses", "--allocation-ids", alloc, check=False)
    assert code != 0 and "InvalidAllocationID.NotFound" in err
