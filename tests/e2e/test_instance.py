"""Instances (an instance is its interfaces and its state) through boto3 and the aws CLI:
RunInstances in its two forms, DescribeInstances with ids, filters and pages, stop,
start, terminate and boto3's waiters; and every refusal with AWS's code and no change."""

import datetime

import botocore.exceptions
import pytest

from conftest import error_code

ACCOUNT = "000000000000"
AMI = "ami-0123456789abcdef0"


def network(ec2, cidr, subnet_cidr, zone="us-east-1a", igw=False, public=False):
    vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=subnet_cidr, AvailabilityZone=zone)["Subnet"]["SubnetId"]
    if igw:
        gw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=gw, VpcId=vpc)
    if public:
        ec2.modify_subnet_attribute(SubnetId=subnet, MapPublicIpOnLaunch={"Value": True})
    return vpc, subnet


def refused(code, call, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        call(**kwargs)
    assert error_code(e) == code, e.value.response["Error"]
    return e.value.response["Error"]["Message"]


def in_vpc(ec2, vpc):
    return [i for r in ec2.describe_instances(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Reservations"] for i in r["Instances"]]


def one(ec2, instance_id):
    return ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]


def test_run_instances_returns_a_reservation_with_every_field(ec2, unique):
    vpc, subnet = network(ec2, "10.60.0.0/16", "10.60.1.0/24")
    sg = ec2.create_security_group(VpcId=vpc, GroupName=f"app-{unique}", Description="app")["GroupId"]
    r = ec2.run_instances(
        ImageId=AMI, InstanceType="t3.micro", MinCount=1, MaxCount=1, SubnetId=subnet, SecurityGroupIds=[sg],
        PrivateIpAddress="10.60.1.25", KeyName="my-key",
        TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": unique}]}],
    )
    assert r["ReservationId"].startswith("r-")
    assert r["OwnerId"] == ACCOUNT
    assert r["Groups"] == []
    [i] = r["Instances"]
    assert i["InstanceId"].startswith("i-")
    assert (i["ImageId"], i["InstanceType"], i["KeyName"]) == (AMI, "t3.micro", "my-key")
    assert i["State"] == {"Code": 16, "Name": "running"}
    assert (i["PrivateIpAddress"], i["PrivateDnsName"]) == ("10.60.1.25", "ip-10-60-1-25.ec2.internal")
    assert i["PublicDnsName"] == "" and "PublicIpAddress" not in i
    assert (i["SubnetId"], i["VpcId"]) == (subnet, vpc)
    assert i["Placement"]["AvailabilityZone"] == "us-east-1a"
    assert i["Placement"]["Tenancy"] == "default"
    assert i["SecurityGroups"] == [{"GroupId": sg, "GroupName": f"app-{unique}"}]
    assert i["SourceDestCheck"] is True
    assert isinstance(i["LaunchTime"], datetime.datetime)
    assert i["Tags"] == [{"Key": "Name", "Value": unique}]
    assert i["StateTransitionReason"] == ""
    assert (i["Architecture"], i["RootDeviceType"], i["Hypervisor"], i["VirtualizationType"]) == ("x86_64", "ebs", "xen", "hvm")
    assert i["AmiLaunchIndex"] == 0
    [n] = i["NetworkInterfaces"]
    assert n["Attachment"]["DeviceIndex"] == 0 and n["Attachment"]["DeleteOnTermination"] is True
    assert n["Attachment"]["Status"] == "attached"
    assert n["PrivateIpAddress"] == "10.60.1.25" and n["Status"] == "in-use"
    assert n["Groups"] == i["SecurityGroups"]
    assert (n["SubnetId"], n["VpcId"], n["OwnerId"], n["InterfaceType"]) == (subnet, vpc, ACCOUNT, "interface")
    described = one(ec2, i["InstanceId"])
    assert described == i
    reservation = ec2.describe_instances(InstanceIds=[i["InstanceId"]])["Reservations"][0]
    assert (reservation["ReservationId"], reservation["OwnerId"]) == (r["ReservationId"], ACCOUNT)
    # Its interface is an ordinary one, attached.
    eni = ec2.describe_network_interfaces(NetworkInterfaceIds=[n["NetworkInterfaceId"]])["NetworkInterfaces"][0]
    assert eni["Attachment"]["InstanceId"] == i["InstanceId"] and eni["Status"] == "in-use"


def test_max_count_launches_one_reservation(ec2):
    vpc, subnet = network(ec2, "10.61.0.0/16", "10.61.1.0/24")
    r = ec2.run_instances(ImageId=AMI, MinCount=2, MaxCount=3, SubnetId=subnet)
    assert [i["AmiLaunchIndex"] for i in r["Instances"]] == [0, 1, 2]
    assert [i["PrivateIpAddress"] for i in r["Instances"]] == ["10.61.1.4", "10.61.1.5", "10.61.1.6"]
    reservations = ec2.describe_instances(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Reservations"]
    assert [(x["ReservationId"], len(x["Instances"])) for x in reservations] == [(r["ReservationId"], 3)]
    second = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet)["ReservationId"]
    reservations = ec2.describe_instances(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Reservations"]
    assert [x["ReservationId"] for x in reservations] == [r["ReservationId"], second]
    assert [x["ReservationId"] for x in ec2.describe_instances(Filters=[{"Name": "reservation-id", "Values": [second]}])["Reservations"]] == [second]


def test_default_vpc_launch_gets_a_public_address_and_groups_by_name(ec2):
    default_vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    i = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SecurityGroups=["default"], Placement={"AvailabilityZone": "us-east-1b"})["Instances"][0]
    assert i["VpcId"] == default_vpc
    assert i["Placement"]["AvailabilityZone"] == "us-east-1b"
    assert i["SecurityGroups"][0]["GroupName"] == "default"
    public = i["PublicIpAddress"]
    assert i["PublicDnsName"] == "ec2-" + public.replace(".", "-") + ".compute-1.amazonaws.com"
    assert i["NetworkInterfaces"][0]["Association"] == {"IpOwnerId": "amazon", "PublicIp": public, "PublicDnsName": i["PublicDnsName"]}
    assert [x["InstanceId"] for r in ec2.describe_instances(Filters=[{"Name": "ip-address", "Values": [public]}])["Reservations"] for x in r["Instances"]] == [i["InstanceId"]]
    assert [x["InstanceId"] for r in ec2.describe_instances(Filters=[{"Name": "dns-name", "Values": [i["PublicDnsName"]]}])["Reservations"] for x in r["Instances"]] == [i["InstanceId"]]


def test_network_interfaces_form(ec2, unique):
    vpc, subnet = network(ec2, "10.62.0.0/16", "10.62.1.0/24", igw=True)
    sg = ec2.create_security_group(VpcId=vpc, GroupName=f"ni-{unique}", Description="ni")["GroupId"]
    i = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, NetworkInterfaces=[{
        "DeviceIndex": 0, "SubnetId": subnet, "Groups": [sg], "PrivateIpAddress": "10.62.1.77",
        "AssociatePublicIpAddress": True, "DeleteOnTermination": True,
    }], TagSpecifications=[{"ResourceType": "network-interface", "Tags": [{"Key": "role", "Value": unique}]},
                           {"ResourceType": "volume", "Tags": [{"Key": "disk", "Value": unique}]}])["Instances"][0]
    assert i["PrivateIpAddress"] == "10.62.1.77"
    assert i["SecurityGroups"] == [{"GroupId": sg, "GroupName": f"ni-{unique}"}]
    assert "PublicIpAddress" in i, "AssociatePublicIpAddress gave it a public address"
    assert "Tags" not in i, "the instance itself was not tagged"
    eni = ec2.describe_network_interfaces(Filters=[{"Name": "tag:role", "Values": [unique]}])["NetworkInterfaces"]
    assert [e["NetworkInterfaceId"] for e in eni] == [i["NetworkInterfaces"][0]["NetworkInterfaceId"]]


def test_network_interfaces_form_refusals_launch_nothing(ec2):
    vpc, subnet = network(ec2, "10.63.0.0/16", "10.63.1.0/24")
    ni = lambda **kw: dict({"DeviceIndex": 0, "SubnetId": subnet}, **kw)
    for kwargs, code in [
        ({"NetworkInterfaces": [ni(DeviceIndex=1)]}, "InvalidParameterValue"),
        ({"NetworkInterfaces": [ni(), ni(DeviceIndex=1)]}, "InvalidParameterValue"),
        ({"NetworkInterfaces": [ni(NetworkInterfaceId="eni-12345678")]}, "InvalidParameterValue"),
        ({"NetworkInterfaces": [ni(SecondaryPrivateIpAddressCount=2)]}, "InvalidParameterValue"),
        ({"NetworkInterfaces": [ni(DeleteOnTermination=False)]}, "InvalidParameterValue"),
        ({"NetworkInterfaces": [ni(InterfaceType="efa")]}, "InvalidParameterValue"),
        ({"NetworkInterfaces": [ni()], "SubnetId": subnet}, "InvalidParameterCombination"),
        ({"NetworkInterfaces": [ni()], "SecurityGroupIds": ["sg-12345678"]}, "InvalidParameterCombination"),
        ({"NetworkInterfaces": [ni()], "PrivateIpAddress": "10.63.1.9"}, "InvalidParameterCombination"),
        ({"NetworkInterfaces": [ni(PrivateIpAddress="10.64.0.1")]}, "InvalidParameterValue"),
        ({"NetworkInterfaces": [ni(SubnetId="subnet-12345678")]}, "InvalidSubnetID.NotFound"),
    ]:
        refused(code, ec2.run_instances, ImageId=AMI, MinCount=1, MaxCount=1, **kwargs)
    assert in_vpc(ec2, vpc) == []
    assert ec2.describe_network_interfaces(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["NetworkInterfaces"] == []


def test_run_instances_refusals_launch_nothing(lab, ec2):
    vpc, subnet = network(ec2, "10.64.0.0/16", "10.64.1.0/28")
    taken = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet)["Instances"][0]
    raw = lab.client("ec2", validate=False)
    before = in_vpc(ec2, vpc)
    for kwargs, code in [
        ({"ImageId": "not-an-ami"}, "InvalidAMIID.Malformed"),
        ({"MinCount": 3, "MaxCount": 2}, "InvalidParameterValue"),
        ({"MinCount": 0, "MaxCount": 1}, "InvalidParameterValue"),
        ({"PrivateIpAddress": taken["PrivateIpAddress"]}, "InvalidIPAddress.InUse"),
        ({"PrivateIpAddress": "10.64.1.30"}, "InvalidParameterValue"),
        ({"PrivateIpAddress": "10.64.1.9", "MaxCount": 2}, "InvalidParameterCombination"),
        ({"MinCount": 20, "MaxCount": 20}, "InsufficientFreeAddressesInSubnet"),
        ({"SecurityGroupIds": ["sg-12345678"]}, "InvalidGroup.NotFound"),
        ({"SecurityGroups": ["default"]}, "InvalidParameterCombination"),
        ({"Ipv6AddressCount": 1}, "InvalidParameterValue"),
        ({"Placement": {"AvailabilityZone": "us-east-1b"}}, "InvalidParameterValue"),
        ({"Placement": {"Tenancy": "dedicated"}}, "InvalidParameterValue"),
        ({"DisableApiTermination": True}, "InvalidParameterValue"),
        ({"LaunchTemplate": {"LaunchTemplateId": "lt-12345678"}}, "InvalidParameterValue"),
        ({"TagSpecifications": [{"ResourceType": "vpc", "Tags": [{"Key": "a", "Value": "b"}]}]}, "InvalidParameterValue"),
        ({"TagSpecifications": [{"ResourceType": "instance", "Tags": [{"Key": "aws:x", "Value": "b"}]}]}, "InvalidParameterValue"),
    ]:
        args = dict({"ImageId": AMI, "MinCount": 1, "MaxCount": 1, "SubnetId": subnet}, **kwargs)
        refused(code, raw.run_instances, **args)
    refused("InvalidSubnetID.NotFound", ec2.run_instances, ImageId=AMI, MinCount=1, MaxCount=1, SubnetId="subnet-12345678")
    refused("MissingParameter", raw.run_instances, MinCount=1, MaxCount=1, SubnetId=subnet)
    assert in_vpc(ec2, vpc) == before


def test_min_count_launches_what_fits(ec2):
    vpc, subnet = network(ec2, "10.65.0.0/16", "10.65.1.0/28")
    r = ec2.run_instances(ImageId=AMI, MinCount=2, MaxCount=50, SubnetId=subnet)
    assert len(r["Instances"]) == 11, "a /28 has 11 usable addresses"


def test_describe_instances_filters(ec2, unique):
    vpc, subnet = network(ec2, "10.66.0.0/16", "10.66.1.0/24")
    sg = ec2.create_security_group(VpcId=vpc, GroupName=f"f-{unique}", Description="f")["GroupId"]
    a = ec2.run_instances(ImageId=AMI, InstanceType="t3.nano", MinCount=1, MaxCount=1, SubnetId=subnet, SecurityGroupIds=[sg], KeyName=f"k-{unique}",
                          TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "team", "Value": unique}]}])["Instances"][0]
    b = ec2.run_instances(ImageId="ami-0fedcba987654321f", InstanceType="t3.large", MinCount=1, MaxCount=1, SubnetId=subnet)["Instances"][0]
    ids = lambda *filters: sorted(i["InstanceId"] for r in ec2.describe_instances(Filters=[{"Name": "vpc-id", "Values": [vpc]}, *filters])["Reservations"] for i in r["Instances"])
    f = lambda name, *values: {"Name": name, "Values": list(values)}
    both = sorted([a["InstanceId"], b["InstanceId"]])
    assert ids() == both
    assert ids(f("instance-id", a["InstanceId"])) == [a["InstanceId"]]
    assert ids(f("instance-type", "t3.large")) == [b["InstanceId"]]
    assert ids(f("instance-type", "t3.*")) == both
    assert ids(f("image-id", AMI)) == [a["InstanceId"]]
    assert ids(f("subnet-id", subnet)) == both
    assert ids(f("private-ip-address", b["PrivateIpAddress"])) == [b["InstanceId"]]
    assert ids(f("network-interface.addresses.private-ip-address", a["PrivateIpAddress"])) == [a["InstanceId"]]
    assert ids(f("network-interface.network-interface-id", b["NetworkInterfaces"][0]["NetworkInterfaceId"])) == [b["InstanceId"]]
    assert ids(f("network-interface.group-id", sg)) == [a["InstanceId"]]
    assert ids(f("instance.group-id", sg)) == [a["InstanceId"]]
    assert ids(f("instance.group-name", f"f-{unique}")) == [a["InstanceId"]]
    assert ids(f("key-name", f"k-{unique}")) == [a["InstanceId"]]
    assert ids(f("tag:team", unique)) == [a["InstanceId"]]
    assert ids(f("tag-key", "team")) == [a["InstanceId"]]
    assert ids(f("reservation-id", a["InstanceId"] and ec2.describe_instances(InstanceIds=[a["InstanceId"]])["Reservations"][0]["ReservationId"])) == [a["InstanceId"]]
    assert ids(f("instance-state-name", "running")) == both
    assert ids(f("instance-state-code", "16")) == both
    assert ids(f("instance-state-name", "stopped")) == []
    assert ids(f("availability-zone", "us-east-1a")) == both
    assert ids(f("availability-zone", "us-east-1b")) == []
    assert ids(f("architecture", "x86_64"), f("root-device-type", "ebs"), f("tenancy", "default")) == both
    assert ids(f("launch-index", "0")) == both
    assert ids(f("owner-id", ACCOUNT)) == both
    assert ids(f("source-dest-check", "true")) == both
    # Documented filters about what lab instances do not have match nothing.
    assert ids(f("kernel-id", "*")) == []
    assert ids(f("block-device-mapping.volume-id", "*")) == []
    ec2.stop_instances(InstanceIds=[b["InstanceId"]])
    assert ids(f("instance-state-name", "stopped")) == [b["InstanceId"]]
    assert ids(f("state-reason-code", "Client.UserInitiatedShutdown")) == [b["InstanceId"]]
    assert ids(f("reason", "User initiated*")) == [b["InstanceId"]]


def test_describe_instances_pages(roomy_lab):
    ec2 = roomy_lab.client("ec2")
    first = ec2.run_instances(ImageId=AMI, MinCount=4, MaxCount=4)["Instances"]
    second = ec2.run_instances(ImageId=AMI, MinCount=3, MaxCount=3)["Instances"]
    pages = list(ec2.get_paginator("describe_instances").paginate(PaginationConfig={"PageSize": 5}))
    assert [[len(r["Instances"]) for r in p["Reservations"]] for p in pages] == [[4, 1], [2]]
    seen = [i["InstanceId"] for p in pages for r in p["Reservations"] for i in r["Instances"]]
    assert seen == [i["InstanceId"] for i in first + second]


def test_describe_instances_refusals(lab):
    ec2 = lab.client("ec2", validate=False)
    refused("InvalidInstanceID.NotFound", ec2.describe_instances, InstanceIds=["i-12345678"])
    refused("InvalidInstanceID.Malformed", ec2.describe_instances, InstanceIds=["i-xyz"])
    refused("InvalidParameterValue", ec2.describe_instances, Filters=[{"Name": "no-such-filter", "Values": ["x"]}])
    refused("InvalidParameterValue", ec2.describe_instances, MaxResults=4)
    refused("InvalidParameterCombination", ec2.describe_instances, InstanceIds=["i-12345678"], MaxResults=5)


def test_stop_start_terminate_with_waiters(ec2):
    default_vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    i = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1)["Instances"][0]
    iid = i["InstanceId"]
    ec2.get_waiter("instance_running").wait(InstanceIds=[iid])
    first_public = i["PublicIpAddress"]
    stopped = ec2.stop_instances(InstanceIds=[iid])["StoppingInstances"]
    assert stopped == [{"InstanceId": iid, "PreviousState": {"Code": 16, "Name": "running"}, "CurrentState": {"Code": 80, "Name": "stopped"}}]
    ec2.get_waiter("instance_stopped").wait(InstanceIds=[iid])
    got = one(ec2, iid)
    assert got["State"] == {"Code": 80, "Name": "stopped"}
    assert "PublicIpAddress" not in got and got["PublicDnsName"] == "", "AWS releases the public address on stop"
    assert got["PrivateIpAddress"] == i["PrivateIpAddress"], "the private address stays"
    assert got["StateReason"]["Code"] == "Client.UserInitiatedShutdown"
    assert got["StateTransitionReason"].startswith("User initiated")
    started = ec2.start_instances(InstanceIds=[iid])["StartingInstances"]
    assert started == [{"InstanceId": iid, "PreviousState": {"Code": 80, "Name": "stopped"}, "CurrentState": {"Code": 16, "Name": "running"}}]
    ec2.get_waiter("instance_running").wait(InstanceIds=[iid])
    got = one(ec2, iid)
    assert "PublicIpAddress" in got and "StateReason" not in got
    eni = got["NetworkInterfaces"][0]["NetworkInterfaceId"]
    terminated = ec2.terminate_instances(InstanceIds=[iid])["TerminatingInstances"]
    assert terminated == [{"InstanceId": iid, "PreviousState": {"Code": 16, "Name": "running"}, "CurrentState": {"Code": 48, "Name": "terminated"}}]
    ec2.get_waiter("instance_terminated").wait(InstanceIds=[iid])
    got = one(ec2, iid)
    assert got["State"] == {"Code": 48, "Name": "terminated"}
    assert got["NetworkInterfaces"] == [] and got["SecurityGroups"] == []
    assert got["PrivateDnsName"] == "" and got["PublicDnsName"] == ""
    assert "PrivateIpAddress" not in got and "VpcId" not in got
    assert iid not in [x["InstanceId"] for r in ec2.describe_instances(Filters=[{"Name": "vpc-id", "Values": [default_vpc]}])["Reservations"] for x in r["Instances"]]
    # AWS: the primary interface goes with the instance.
    refused("InvalidNetworkInterfaceID.NotFound", ec2.describe_network_interfaces, NetworkInterfaceIds=[eni])
    again = ec2.terminate_instances(InstanceIds=[iid])["TerminatingInstances"]
    assert again[0]["PreviousState"]["Name"] == "terminated"
    refused("IncorrectInstanceState", ec2.stop_instances, InstanceIds=[iid])
    refused("IncorrectInstanceState", ec2.start_instances, InstanceIds=[iid])
    assert one(ec2, iid)["State"]["Name"] == "terminated"


def test_state_changes_are_all_or_nothing(ec2):
    i = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    refused("InvalidInstanceID.NotFound", ec2.stop_instances, InstanceIds=[i, "i-12345678"])
    refused("InvalidInstanceID.Malformed", ec2.terminate_instances, InstanceIds=[i, "i-nope"])
    assert one(ec2, i)["State"]["Name"] == "running"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.terminate_instances(InstanceIds=[i], DryRun=True)
    assert error_code(e) == "DryRunOperation"
    assert one(ec2, i)["State"]["Name"] == "running"
    refused("InvalidParameterValue", ec2.stop_instances, InstanceIds=[i], Hibernate=True)
    assert one(ec2, i)["State"]["Name"] == "running"


def test_public_dns_needs_dns_host_names(ec2):
    vpc, subnet = network(ec2, "10.67.0.0/16", "10.67.1.0/24", igw=True, public=True)
    i = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet)["Instances"][0]
    assert "PublicIpAddress" in i
    assert i["PublicDnsName"] == "", "the VPC has DNS host names off"
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    assert one(ec2, i["InstanceId"])["PublicDnsName"].startswith("ec2-")


def test_another_account_sees_none_of_them(lab, ec2):
    i = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    lab.add_key("555566667777", "inst-other", "inst-other-secret")
    other = lab.client("ec2", key="inst-other", secret="inst-other-secret")
    refused("InvalidInstanceID.NotFound", other.describe_instances, InstanceIds=[i])
    refused("InvalidInstanceID.NotFound", other.terminate_instances, InstanceIds=[i])
    assert i not in [x["InstanceId"] for r in other.describe_instances()["Reservations"] for x in r["Instances"]]
    assert one(ec2, i)["State"]["Name"] == "running"


def test_the_cli_runs_describes_and_terminates(lab, unique):
    _, out = lab.aws("ec2", "run-instances", "--image-id", AMI, "--instance-type", "t3.micro", "--count", "2",
                     "--tag-specifications", f"ResourceType=instance,Tags=[{{Key=Name,Value={unique}}}]")
    ids = sorted(i["InstanceId"] for i in out["Instances"])
    assert len(ids) == 2
    _, out = lab.aws("ec2", "describe-instances", "--filters", f"Name=tag:Name,Values={unique}", "Name=instance-state-name,Values=running")
    assert sorted(i["InstanceId"] for r in out["Reservations"] for i in r["Instances"]) == ids
    _, out = lab.aws("ec2", "describe-instances", "--instance-ids", ids[0], "--query", "Reservations[0].Instances[0].State.Name")
    assert out == "running"
    _, out = lab.aws("ec2", "terminate-instances", "--instance-ids", *ids)
    assert {c["CurrentState"]["Name"] for c in out["TerminatingInstances"]} == {"terminated"}
    lab.aws("ec2", "wait", "instance-terminated", "--instance-ids", *ids)
    code, err = lab.aws("ec2", "describe-instances", "--instance-ids", "i-00000000", check=False)
    assert code != 0 and "InvalidInstanceID.NotFound" in err


def test_the_whole_family_survives_kill_9():
    """Instances, interfaces, Elastic IPs, NAT gateways and peering replay from the log to
    the very same descriptions (ids, addresses, attach and launch times)."""
    from conftest import ROOMY, Lab

    lab = Lab(quotas=ROOMY).start()
    try:
        ec2 = lab.client("ec2")
        i = ec2.run_instances(ImageId=AMI, MinCount=2, MaxCount=2)["Instances"]
        subnet = i[0]["SubnetId"]
        eni = ec2.create_network_interface(SubnetId=subnet, SecondaryPrivateIpAddressCount=1)["NetworkInterface"]["NetworkInterfaceId"]
        ec2.attach_network_interface(NetworkInterfaceId=eni, InstanceId=i[0]["InstanceId"], DeviceIndex=1)
        eip = ec2.allocate_address()["AllocationId"]
        ec2.associate_address(AllocationId=eip, InstanceId=i[1]["InstanceId"])
        ec2.create_nat_gateway(SubnetId=subnet, AllocationId=ec2.allocate_address()["AllocationId"])
        ec2.stop_instances(InstanceIds=[i[1]["InstanceId"]])
        a, b = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"], ec2.create_vpc(CidrBlock="10.2.0.0/16")["Vpc"]["VpcId"]
        pcx = ec2.create_vpc_peering_connection(VpcId=a, PeerVpcId=b)["VpcPeeringConnection"]["VpcPeeringConnectionId"]
        ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)

        def state():
            strip = lambda r: {k: v for k, v in r.items() if k != "ResponseMetadata"}
            return [strip(ec2.describe_instances()), strip(ec2.describe_network_interfaces()), strip(ec2.describe_addresses()),
                    strip(ec2.describe_nat_gateways()), strip(ec2.describe_vpc_peering_connections())]

        before = state()
        lab.kill9()
        lab.start()
        ec2 = lab.client("ec2")
        assert state() == before
    finally:
        lab.cleanup()
