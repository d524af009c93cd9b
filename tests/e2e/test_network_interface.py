"""Network interfaces through boto3 and the aws CLI: create, describe with ids, filters
and pages, attach/detach, attributes, secondary addresses, delete; and every refusal
with AWS's code and no change."""

import re

import botocore.exceptions
import pytest

from conftest import error_code

ACCOUNT = "000000000000"


def network(ec2, cidr="10.40.0.0/16", subnet_cidr="10.40.1.0/24", igw=False):
    """A VPC with one subnet in us-east-1a (and an attached internet gateway)."""
    vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=subnet_cidr, AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    if igw:
        gw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=gw, VpcId=vpc)
    return vpc, subnet


def group(ec2, vpc, name):
    return ec2.create_security_group(VpcId=vpc, GroupName=name, Description="test")["GroupId"]


def enis_in(ec2, subnet):
    return ec2.describe_network_interfaces(Filters=[{"Name": "subnet-id", "Values": [subnet]}])["NetworkInterfaces"]


def refused(code, call, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        call(**kwargs)
    assert error_code(e) == code, e.value.response["Error"]
    return e.value.response["Error"]["Message"]


def test_create_network_interface_returns_every_field(ec2, unique):
    vpc, subnet = network(ec2)
    web = group(ec2, vpc, f"web-{unique}")
    eni = ec2.create_network_interface(
        SubnetId=subnet,
        Description="my interface",
        Groups=[web],
        PrivateIpAddress="10.40.1.10",
        SecondaryPrivateIpAddressCount=2,
        TagSpecifications=[{"ResourceType": "network-interface", "Tags": [{"Key": "Name", "Value": unique}]}],
    )["NetworkInterface"]
    assert eni["NetworkInterfaceId"].startswith("eni-")
    assert eni["SubnetId"] == subnet and eni["VpcId"] == vpc
    assert eni["AvailabilityZone"] == "us-east-1a"
    assert eni["Description"] == "my interface"
    assert eni["Groups"] == [{"GroupId": web, "GroupName": f"web-{unique}"}]
    assert eni["InterfaceType"] == "interface"
    assert eni["Status"] == "available"
    assert eni["RequesterManaged"] is False
    assert eni["SourceDestCheck"] is True
    assert eni["OwnerId"] == ACCOUNT
    assert re.fullmatch(r"([0-9a-f]{2}:){5}[0-9a-f]{2}", eni["MacAddress"])
    assert eni["PrivateIpAddress"] == "10.40.1.10"
    assert eni["PrivateDnsName"] == "ip-10-40-1-10.ec2.internal"
    assert eni["PrivateIpAddresses"] == [
        {"Primary": True, "PrivateIpAddress": "10.40.1.10", "PrivateDnsName": "ip-10-40-1-10.ec2.internal"},
        {"Primary": False, "PrivateIpAddress": "10.40.1.4", "PrivateDnsName": "ip-10-40-1-4.ec2.internal"},
        {"Primary": False, "PrivateIpAddress": "10.40.1.5", "PrivateDnsName": "ip-10-40-1-5.ec2.internal"},
    ]
    assert eni["Ipv6Addresses"] == []
    assert eni["TagSet"] == [{"Key": "Name", "Value": unique}]
    assert "Attachment" not in eni and "Association" not in eni
    described = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni["NetworkInterfaceId"]])["NetworkInterfaces"]
    assert described == [eni]


def test_without_groups_the_interface_gets_the_default_group(ec2):
    vpc, subnet = network(ec2, "10.41.0.0/16", "10.41.1.0/24")
    default = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"][0]["GroupId"]
    eni = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]
    assert eni["Groups"] == [{"GroupId": default, "GroupName": "default"}]
    assert eni["PrivateIpAddress"] == "10.41.1.4", "the lowest address past AWS's four reserved ones"
    assert eni["TagSet"] == []


def test_private_ip_addresses_list_names_the_primary(ec2):
    _, subnet = network(ec2, "10.42.0.0/16", "10.42.1.0/24")
    eni = ec2.create_network_interface(
        SubnetId=subnet,
        PrivateIpAddresses=[{"PrivateIpAddress": "10.42.1.20", "Primary": False}, {"PrivateIpAddress": "10.42.1.30", "Primary": True}],
    )["NetworkInterface"]
    assert eni["PrivateIpAddress"] == "10.42.1.30"
    assert {(p["PrivateIpAddress"], p["Primary"]) for p in eni["PrivateIpAddresses"]} == {("10.42.1.30", True), ("10.42.1.20", False)}


def test_describe_network_interfaces_filters(ec2, unique):
    vpc, subnet = network(ec2, "10.43.0.0/16", "10.43.1.0/24")
    web = group(ec2, vpc, f"web-{unique}")
    a = ec2.create_network_interface(SubnetId=subnet, Groups=[web], Description=f"front {unique}", PrivateIpAddress="10.43.1.50", SecondaryPrivateIpAddressCount=1,
                                     TagSpecifications=[{"ResourceType": "network-interface", "Tags": [{"Key": "team", "Value": unique}]}])["NetworkInterface"]
    b = ec2.create_network_interface(SubnetId=subnet, Description=f"back {unique}")["NetworkInterface"]
    ids = lambda filters: sorted(e["NetworkInterfaceId"] for e in ec2.describe_network_interfaces(Filters=filters)["NetworkInterfaces"])
    mine = sorted([a["NetworkInterfaceId"], b["NetworkInterfaceId"]])
    assert ids([{"Name": "subnet-id", "Values": [subnet]}]) == mine
    assert ids([{"Name": "vpc-id", "Values": [vpc]}]) == mine
    assert ids([{"Name": "private-ip-address", "Values": ["10.43.1.50"]}]) == [a["NetworkInterfaceId"]]
    secondary = a["PrivateIpAddresses"][1]["PrivateIpAddress"]
    assert ids([{"Name": "addresses.private-ip-address", "Values": [secondary]}]) == [a["NetworkInterfaceId"]]
    assert ids([{"Name": "private-ip-address", "Values": [secondary]}]) == [a["NetworkInterfaceId"]]
    assert ids([{"Name": "group-id", "Values": [web]}]) == [a["NetworkInterfaceId"]]
    assert ids([{"Name": "group-name", "Values": [f"web-{unique}"]}]) == [a["NetworkInterfaceId"]]
    assert ids([{"Name": "description", "Values": [f"back*{unique}"]}]) == [b["NetworkInterfaceId"]]
    assert ids([{"Name": "tag:team", "Values": [unique]}]) == [a["NetworkInterfaceId"]]
    assert ids([{"Name": "tag-key", "Values": ["team"]}, {"Name": "subnet-id", "Values": [subnet]}]) == [a["NetworkInterfaceId"]]
    assert ids([{"Name": "network-interface-id", "Values": [b["NetworkInterfaceId"]]}]) == [b["NetworkInterfaceId"]]
    assert ids([{"Name": "mac-address", "Values": [a["MacAddress"]]}]) == [a["NetworkInterfaceId"]]
    assert ids([{"Name": "subnet-id", "Values": [subnet]}, {"Name": "status", "Values": ["available"]}]) == mine
    assert ids([{"Name": "subnet-id", "Values": [subnet]}, {"Name": "status", "Values": ["in-use"]}]) == []
    assert ids([{"Name": "subnet-id", "Values": [subnet]}, {"Name": "interface-type", "Values": ["interface"]}]) == mine
    assert ids([{"Name": "subnet-id", "Values": [subnet]}, {"Name": "requester-managed", "Values": ["true"]}]) == []
    assert ids([{"Name": "subnet-id", "Values": [subnet]}, {"Name": "source-dest-check", "Values": ["true"]}]) == mine
    assert ids([{"Name": "subnet-id", "Values": [subnet]}, {"Name": "addresses.primary", "Values": ["false"]}]) == [a["NetworkInterfaceId"]]
    assert ids([{"Name": "subnet-id", "Values": [subnet]}, {"Name": "availability-zone", "Values": ["us-east-1a"]}, {"Name": "owner-id", "Values": [ACCOUNT]}]) == mine
    assert ids([{"Name": "subnet-id", "Values": [subnet]}, {"Name": "attachment.instance-id", "Values": ["i-*"]}]) == []
    assert ids([{"Name": "private-dns-name", "Values": ["ip-10-43-1-50.ec2.internal"]}]) == [a["NetworkInterfaceId"]]


def test_describe_network_interfaces_pages(roomy_lab):
    ec2 = roomy_lab.client("ec2")
    vpc, subnet = network(ec2, "10.44.0.0/16", "10.44.1.0/24")
    made = [ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"] for _ in range(7)]
    pages = list(ec2.get_paginator("describe_network_interfaces").paginate(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}], PaginationConfig={"PageSize": 5}))
    assert [len(p["NetworkInterfaces"]) for p in pages] == [5, 2]
    assert [e["NetworkInterfaceId"] for p in pages for e in p["NetworkInterfaces"]] == made, "creation order"


def test_describe_network_interfaces_refusals(lab):
    ec2 = lab.client("ec2", validate=False)
    refused("InvalidNetworkInterfaceID.NotFound", ec2.describe_network_interfaces, NetworkInterfaceIds=["eni-12345678"])
    refused("InvalidNetworkInterfaceID.Malformed", ec2.describe_network_interfaces, NetworkInterfaceIds=["eni-xyz"])
    refused("InvalidParameterValue", ec2.describe_network_interfaces, Filters=[{"Name": "no-such-filter", "Values": ["x"]}])
    refused("InvalidParameterValue", ec2.describe_network_interfaces, MaxResults=4)
    refused("InvalidParameterValue", ec2.describe_network_interfaces, MaxResults=1001)
    refused("InvalidParameterCombination", ec2.describe_network_interfaces, NetworkInterfaceIds=["eni-12345678"], MaxResults=5)
    refused("InvalidNextToken", ec2.describe_network_interfaces, MaxResults=5, NextToken="garbage")


def test_another_account_sees_nothing(lab, ec2):
    _, subnet = network(ec2, "10.45.0.0/16", "10.45.1.0/24")
    eni = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
    lab.add_key("444455556666", "eni-other", "eni-other-secret")
    other = lab.client("ec2", key="eni-other", secret="eni-other-secret")
    refused("InvalidNetworkInterfaceID.NotFound", other.describe_network_interfaces, NetworkInterfaceIds=[eni])
    assert eni not in [e["NetworkInterfaceId"] for e in other.describe_network_interfaces()["NetworkInterfaces"]]
    refused("InvalidNetworkInterfaceID.NotFound", other.delete_network_interface, NetworkInterfaceId=eni)
    assert ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])["NetworkInterfaces"][0]["Status"] == "available"


def test_create_network_interface_refusals_change_nothing(ec2, unique):
    vpc, subnet = network(ec2, "10.46.0.0/16", "10.46.1.0/24")
    other_vpc, _ = network(ec2, "10.47.0.0/16", "10.47.1.0/24")
    foreign = group(ec2, other_vpc, f"far-{unique}")
    ec2.create_network_interface(SubnetId=subnet, PrivateIpAddress="10.46.1.9")
    before = enis_in(ec2, subnet)
    for kwargs, code in [
        ({"PrivateIpAddress": "10.99.0.5"}, "InvalidParameterValue"),
        ({"PrivateIpAddress": "10.46.1.1"}, "InvalidParameterValue"),
        ({"PrivateIpAddress": "10.46.1.9"}, "InvalidIPAddress.InUse"),
        ({"PrivateIpAddress": "banana"}, "InvalidParameterValue"),
        ({"Groups": [foreign]}, "InvalidParameterValue"),
        ({"Groups": ["sg-12345678"]}, "InvalidGroup.NotFound"),
        ({"Ipv6AddressCount": 1}, "InvalidParameterValue"),
        ({"InterfaceType": "efa"}, "InvalidParameterValue"),
        ({"TagSpecifications": [{"ResourceType": "instance", "Tags": [{"Key": "a", "Value": "b"}]}]}, "InvalidParameterValue"),
        ({"PrivateIpAddresses": [{"PrivateIpAddress": "10.46.1.20"}], "SecondaryPrivateIpAddressCount": 1}, "InvalidParameterCombination"),
    ]:
        refused(code, ec2.create_network_interface, SubnetId=subnet, **kwargs)
    refused("InvalidSubnetID.NotFound", ec2.create_network_interface, SubnetId="subnet-12345678")
    refused("InvalidSubnetID.Malformed", ec2.create_network_interface, SubnetId="subnet-nope")
    assert enis_in(ec2, subnet) == before
    assert ec2.describe_network_interfaces(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["NetworkInterfaces"] == before


def test_attach_and_detach(ec2, unique):
    vpc, subnet = network(ec2, "10.48.0.0/16", "10.48.1.0/24")
    instance = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, SubnetId=subnet)["Instances"][0]["InstanceId"]
    eni = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
    attached = ec2.attach_network_interface(NetworkInterfaceId=eni, InstanceId=instance, DeviceIndex=1)
    assert attached["AttachmentId"].startswith("eni-attach-")
    assert attached["NetworkCardIndex"] == 0
    got = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])["NetworkInterfaces"][0]
    assert got["Status"] == "in-use"
    att = got["Attachment"]
    assert (att["AttachmentId"], att["InstanceId"], att["DeviceIndex"], att["Status"], att["DeleteOnTermination"], att["InstanceOwnerId"]) == (
        attached["AttachmentId"], instance, 1, "attached", False, ACCOUNT)
    assert "AttachTime" in att
    by_instance = ec2.describe_network_interfaces(Filters=[{"Name": "attachment.instance-id", "Values": [instance]}])["NetworkInterfaces"]
    assert sorted(e["Attachment"]["DeviceIndex"] for e in by_instance) == [0, 1]
    assert [e["NetworkInterfaceId"] for e in ec2.describe_network_interfaces(Filters=[{"Name": "attachment.device-index", "Values": ["1"]}, {"Name": "vpc-id", "Values": [vpc]}])["NetworkInterfaces"]] == [eni]
    described = ec2.describe_instances(InstanceIds=[instance])["Reservations"][0]["Instances"][0]
    assert [n["Attachment"]["DeviceIndex"] for n in described["NetworkInterfaces"]] == [0, 1]
    # Refusals, with nothing changed.
    spare = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
    primary_attachment = [e for e in by_instance if e["Attachment"]["DeviceIndex"] == 0][0]["Attachment"]["AttachmentId"]
    before = enis_in(ec2, subnet)
    refused("InvalidParameterValue", ec2.attach_network_interface, NetworkInterfaceId=spare, InstanceId=instance, DeviceIndex=1)
    refused("InvalidNetworkInterface.InUse", ec2.attach_network_interface, NetworkInterfaceId=eni, InstanceId=instance, DeviceIndex=2)
    refused("InvalidNetworkInterface.InUse", ec2.delete_network_interface, NetworkInterfaceId=eni)
    refused("OperationNotPermitted", ec2.detach_network_interface, AttachmentId=primary_attachment)
    refused("InvalidInstanceID.NotFound", ec2.attach_network_interface, NetworkInterfaceId=spare, InstanceId="i-12345678", DeviceIndex=2)
    refused("InvalidAttachmentID.NotFound", ec2.detach_network_interface, AttachmentId="eni-attach-12345678")
    refused("InvalidAttachmentID.Malformed", ec2.detach_network_interface, AttachmentId="eni-attach-nope")
    refused("InvalidParameterValue", ec2.attach_network_interface, NetworkInterfaceId=spare, InstanceId=instance, DeviceIndex=2, NetworkCardIndex=1)
    assert enis_in(ec2, subnet) == before
    ec2.detach_network_interface(AttachmentId=attached["AttachmentId"])
    got = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])["NetworkInterfaces"][0]
    assert got["Status"] == "available" and "Attachment" not in got
    ec2.delete_network_interface(NetworkInterfaceId=eni)
    refused("InvalidNetworkInterfaceID.NotFound", ec2.describe_network_interfaces, NetworkInterfaceIds=[eni])
    refused("InvalidNetworkInterfaceID.NotFound", ec2.delete_network_interface, NetworkInterfaceId=eni)


def test_attach_needs_the_instance_zone(ec2):
    vpc, subnet = network(ec2, "10.49.0.0/16", "10.49.1.0/24")
    far = ec2.create_subnet(VpcId=vpc, CidrBlock="10.49.2.0/24", AvailabilityZone="us-east-1b")["Subnet"]["SubnetId"]
    instance = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, SubnetId=subnet)["Instances"][0]["InstanceId"]
    eni = ec2.create_network_interface(SubnetId=far)["NetworkInterface"]["NetworkInterfaceId"]
    refused("InvalidParameterValue", ec2.attach_network_interface, NetworkInterfaceId=eni, InstanceId=instance, DeviceIndex=1)
    assert ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])["NetworkInterfaces"][0]["Status"] == "available"


def test_modify_network_interface_attribute_one_at_a_time(ec2, unique):
    vpc, subnet = network(ec2, "10.50.0.0/16", "10.50.1.0/24")
    a, b = group(ec2, vpc, f"a-{unique}"), group(ec2, vpc, f"b-{unique}")
    other_vpc, _ = network(ec2, "10.51.0.0/16", "10.51.1.0/24")
    foreign = group(ec2, other_vpc, f"c-{unique}")
    eni = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
    get = lambda: ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])["NetworkInterfaces"][0]
    ec2.modify_network_interface_attribute(NetworkInterfaceId=eni, Description={"Value": "changed"})
    assert get()["Description"] == "changed"
    ec2.modify_network_interface_attribute(NetworkInterfaceId=eni, SourceDestCheck={"Value": False})
    assert get()["SourceDestCheck"] is False
    assert eni in [e["NetworkInterfaceId"] for e in ec2.describe_network_interfaces(Filters=[{"Name": "source-dest-check", "Values": ["false"]}])["NetworkInterfaces"]]
    ec2.modify_network_interface_attribute(NetworkInterfaceId=eni, Groups=[a, b])
    assert get()["Groups"] == [{"GroupId": a, "GroupName": f"a-{unique}"}, {"GroupId": b, "GroupName": f"b-{unique}"}]
    before = get()
    refused("InvalidParameterCombination", ec2.modify_network_interface_attribute, NetworkInterfaceId=eni, Description={"Value": "x"}, SourceDestCheck={"Value": True})
    refused("MissingParameter", ec2.modify_network_interface_attribute, NetworkInterfaceId=eni)
    refused("InvalidParameterValue", ec2.modify_network_interface_attribute, NetworkInterfaceId=eni, Groups=[foreign])
    refused("InvalidGroup.NotFound", ec2.modify_network_interface_attribute, NetworkInterfaceId=eni, Groups=["sg-12345678"])
    refused("InvalidParameterValue", ec2.modify_network_interface_attribute, NetworkInterfaceId=eni,
            Attachment={"AttachmentId": "eni-attach-12345678", "DeleteOnTermination": True})
    refused("InvalidNetworkInterfaceID.NotFound", ec2.modify_network_interface_attribute, NetworkInterfaceId="eni-12345678", Description={"Value": "x"})
    assert get() == before


def test_assign_and_unassign_private_ip_addresses(ec2):
    _, subnet = network(ec2, "10.52.0.0/16", "10.52.1.0/24")
    eni = ec2.create_network_interface(SubnetId=subnet, PrivateIpAddress="10.52.1.100")["NetworkInterface"]["NetworkInterfaceId"]
    counted = ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, SecondaryPrivateIpAddressCount=2)
    assert counted["NetworkInterfaceId"] == eni
    assert [a["PrivateIpAddress"] for a in counted["AssignedPrivateIpAddresses"]] == ["10.52.1.4", "10.52.1.5"]
    named = ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, PrivateIpAddresses=["10.52.1.200"])
    assert [a["PrivateIpAddress"] for a in named["AssignedPrivateIpAddresses"]] == ["10.52.1.200"]
    addresses = lambda: [(p["PrivateIpAddress"], p["Primary"]) for p in ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])["NetworkInterfaces"][0]["PrivateIpAddresses"]]
    assert addresses() == [("10.52.1.100", True), ("10.52.1.4", False), ("10.52.1.5", False), ("10.52.1.200", False)]
    before = addresses()
    refused("InvalidIPAddress.InUse", ec2.assign_private_ip_addresses, NetworkInterfaceId=eni, PrivateIpAddresses=["10.52.1.4"])
    refused("InvalidParameterValue", ec2.assign_private_ip_addresses, NetworkInterfaceId=eni, PrivateIpAddresses=["10.53.0.9"])
    refused("InvalidParameterCombination", ec2.assign_private_ip_addresses, NetworkInterfaceId=eni, PrivateIpAddresses=["10.52.1.9"], SecondaryPrivateIpAddressCount=1)
    refused("MissingParameter", ec2.assign_private_ip_addresses, NetworkInterfaceId=eni)
    refused("InvalidParameterValue", ec2.unassign_private_ip_addresses, NetworkInterfaceId=eni, PrivateIpAddresses=["10.52.1.100"])
    refused("InvalidParameterValue", ec2.unassign_private_ip_addresses, NetworkInterfaceId=eni, PrivateIpAddresses=["10.52.1.77"])
    assert addresses() == before
    ec2.unassign_private_ip_addresses(NetworkInterfaceId=eni, PrivateIpAddresses=["10.52.1.4", "10.52.1.200"])
    assert addresses() == [("10.52.1.100", True), ("10.52.1.5", False)]
    # The freed address is free again.
    again = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]
    assert again["PrivateIpAddress"] == "10.52.1.4"


def test_public_addresses_show_on_the_interface(ec2):
    vpc, subnet = network(ec2, "10.54.0.0/16", "10.54.1.0/24", igw=True)
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    eni = ec2.create_network_interface(SubnetId=subnet, SecondaryPrivateIpAddressCount=1)["NetworkInterface"]
    secondary = eni["PrivateIpAddresses"][1]["PrivateIpAddress"]
    alloc = ec2.allocate_address(Domain="vpc")
    assoc = ec2.associate_address(AllocationId=alloc["AllocationId"], NetworkInterfaceId=eni["NetworkInterfaceId"], PrivateIpAddress=secondary)["AssociationId"]
    got = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni["NetworkInterfaceId"]])["NetworkInterfaces"][0]
    assert "Association" not in got, "the primary address has no public address"
    dashed = alloc["PublicIp"].replace(".", "-")
    assert got["PrivateIpAddresses"][1]["Association"] == {
        "AllocationId": alloc["AllocationId"],
        "AssociationId": assoc,
        "IpOwnerId": ACCOUNT,
        "PublicDnsName": f"ec2-{dashed}.compute-1.amazonaws.com",
        "PublicIp": alloc["PublicIp"],
    }
    ids = lambda f: [e["NetworkInterfaceId"] for e in ec2.describe_network_interfaces(Filters=f)["NetworkInterfaces"]]
    assert ids([{"Name": "addresses.association.public-ip", "Values": [alloc["PublicIp"]]}]) == [eni["NetworkInterfaceId"]]
    assert ids([{"Name": "association.public-ip", "Values": [alloc["PublicIp"]]}]) == []
    ec2.disassociate_address(AssociationId=assoc)
    ec2.associate_address(AllocationId=alloc["AllocationId"], NetworkInterfaceId=eni["NetworkInterfaceId"])
    got = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni["NetworkInterfaceId"]])["NetworkInterfaces"][0]
    assert got["Association"]["PublicIp"] == alloc["PublicIp"]
    assert ids([{"Name": "association.public-ip", "Values": [alloc["PublicIp"]]}]) == [eni["NetworkInterfaceId"]]
    assert ids([{"Name": "association.allocation-id", "Values": [alloc["AllocationId"]]}]) == [eni["NetworkInterfaceId"]]
    assert ids([{"Name": "association.ip-owner-id", "Values": [ACCOUNT]}, {"Name": "vpc-id", "Values": [vpc]}]) == [eni["NetworkInterfaceId"]]


def test_dry_run_creates_nothing(ec2):
    _, subnet = network(ec2, "10.55.0.0/16", "10.55.1.0/24")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.create_network_interface(SubnetId=subnet, DryRun=True)
    assert error_code(e) == "DryRunOperation"
    assert enis_in(ec2, subnet) == []


def test_the_cli_creates_describes_and_deletes(lab, ec2, unique):
    _, subnet = network(ec2, "10.56.0.0/16", "10.56.1.0/24")
    _, out = lab.aws("ec2", "create-network-interface", "--subnet-id", subnet, "--description", unique,
                     "--private-ip-address", "10.56.1.33", "--tag-specifications", f"ResourceType=network-interface,Tags=[{{Key=Name,Value={unique}}}]")
    eni = out["NetworkInterface"]
    assert eni["PrivateIpAddress"] == "10.56.1.33"
    _, out = lab.aws("ec2", "describe-network-interfaces", "--filters", f"Name=tag:Name,Values={unique}", "Name=addresses.private-ip-address,Values=10.56.1.33")
    assert [e["NetworkInterfaceId"] for e in out["NetworkInterfaces"]] == [eni["NetworkInterfaceId"]]
    assert out["NetworkInterfaces"][0]["Description"] == unique
    lab.aws("ec2", "modify-network-interface-attribute", "--network-interface-id", eni["NetworkInterfaceId"], "--no-source-dest-check")
    _, out = lab.aws("ec2", "describe-network-interfaces", "--network-interface-ids", eni["NetworkInterfaceId"])
    assert out["NetworkInterfaces"][0]["SourceDestCheck"] is False
    lab.aws("ec2", "delete-network-interface", "--network-interface-id", eni["NetworkInterfaceId"])
    code, err = lab.aws("ec2", "describe-network-interfaces", "--network-interface-ids", eni["NetworkInterfaceId"], check=False)
    assert code != 0 and "InvalidNetworkInterfaceID.NotFound" in err
