"""Interface VPC endpoints for AWS services (S3, STS) through boto3 and the aws CLI:
create (one requester-managed interface per subnet, DNS entries, private DNS), the
interfaces in DescribeNetworkInterfaces, `vpclab dig` inside and outside the VPC,
modify (subnets, security groups, private DNS), delete; and every refusal with AWS's
code and no change."""

import ipaddress
import json
import os
import re
import subprocess

import botocore.exceptions
import pytest

from conftest import BINARY, error_code

STS = "com.amazonaws.us-east-1.sts"
S3 = "com.amazonaws.us-east-1.s3"
AMI = "ami-12345678"
ACCOUNT = "000000000000"
DEFAULT_POLICY = '{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}'
REQUESTER = "727180483921"


def network(ec2, second_octet, zones="ab", hostnames=True):
    """A VPC 10.<n>.0.0/16 with DNS host names on and one subnet per zone letter."""
    vpc = ec2.create_vpc(CidrBlock=f"10.{second_octet}.0.0/16")["Vpc"]["VpcId"]
    if hostnames:
        ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.{second_octet}.{i + 1}.0/24", AvailabilityZone=f"us-east-1{z}")["Subnet"]["SubnetId"]
        for i, z in enumerate(zones)
    ]
    return vpc, subnets


def default_group(ec2, vpc):
    return ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"][0]["GroupId"]


def endpoint(ec2, e):
    return ec2.describe_vpc_endpoints(VpcEndpointIds=[e])["VpcEndpoints"][0]


def endpoints_in(ec2, vpc):
    return ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["VpcEndpoints"]


def enis(ec2, ids):
    if not ids:
        return []
    return ec2.describe_network_interfaces(NetworkInterfaceIds=ids)["NetworkInterfaces"]


def refused(code, call, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        call(**kwargs)
    assert error_code(e) == code, (kwargs, e.value.response["Error"])
    return e.value.response["Error"]["Message"]


def interface(ec2, vpc, service, subnets, **kw):
    return ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=service, VpcEndpointType="Interface", SubnetIds=subnets, **kw)["VpcEndpoint"]


def dig(lab, instance, name):
    env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION="us-east-1",
               VPCLAB_ENDPOINT=lab.endpoint, AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")
    p = subprocess.run([BINARY, "dig", instance, name], env=env, capture_output=True, text=True)
    return p.returncode, p.stdout


def dig_address(lab, instance, name):
    code, out = dig(lab, instance, name)
    assert code == 0, (name, out)
    return out.split("\t")[2], out


def run(ec2, subnet):
    return ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet)["Instances"][0]["InstanceId"]


def test_create_an_sts_interface_endpoint_and_its_interfaces(ec2, unique):
    vpc, [a, b] = network(ec2, 90)
    sg = default_group(ec2, vpc)
    made = ec2.create_vpc_endpoint(
        VpcId=vpc, ServiceName=STS, VpcEndpointType="Interface", SubnetIds=[a, b], ClientToken=unique,
        TagSpecifications=[{"ResourceType": "vpc-endpoint", "Tags": [{"Key": "Name", "Value": unique}]}],
    )
    assert made["ClientToken"] == unique
    e = made["VpcEndpoint"]
    eid = e["VpcEndpointId"]
    created = e.pop("CreationTimestamp")
    dns = e.pop("DnsEntries")
    nics = e.pop("NetworkInterfaceIds")
    assert e == {
        "VpcEndpointId": eid,
        "VpcEndpointType": "Interface",
        "VpcId": vpc,
        "ServiceName": STS,
        "State": "available",
        "PolicyDocument": DEFAULT_POLICY,
        "RouteTableIds": [],
        "SubnetIds": [a, b],
        "Groups": [{"GroupId": sg, "GroupName": "default"}],
        "IpAddressType": "ipv4",
        "DnsOptions": {"DnsRecordIpType": "ipv4"},
        # AWS's default for an AWS service's interface endpoint.
        "PrivateDnsEnabled": True,
        "RequesterManaged": False,
        "Tags": [{"Key": "Name", "Value": unique}],
        "OwnerId": ACCOUNT,
    }
    assert len(nics) == 2
    stem = re.escape(eid) + r"-[a-z0-9]{8}"
    names = [d["DnsName"] for d in dns]
    assert re.fullmatch(stem + r"\.sts\.us-east-1\.vpce\.amazonaws\.com", names[0]), names
    assert re.fullmatch(stem + r"-us-east-1a\.sts\.us-east-1\.vpce\.amazonaws\.com", names[1]), names
    assert re.fullmatch(stem + r"-us-east-1b\.sts\.us-east-1\.vpce\.amazonaws\.com", names[2]), names
    assert names[3] == "sts.us-east-1.amazonaws.com"
    assert [d["HostedZoneId"] for d in dns[:3]] == ["Z7HUB22UULQXV"] * 3
    assert re.fullmatch(r"Z[A-Z0-9]+", dns[3]["HostedZoneId"])
    described = endpoint(ec2, eid)
    assert described["CreationTimestamp"] == created
    assert described["DnsEntries"] == dns and described["NetworkInterfaceIds"] == nics

    # Its interfaces: requester-managed, in use, one per subnet, with the endpoint's group.
    by_subnet = {n["SubnetId"]: n for n in enis(ec2, nics)}
    assert set(by_subnet) == {a, b}
    for subnet, n in by_subnet.items():
        assert n["InterfaceType"] == "vpc_endpoint"
        assert n["RequesterManaged"] is True
        assert n["RequesterId"] == REQUESTER
        assert n["Description"] == f"VPC Endpoint Interface {eid}"
        assert n["Status"] == "in-use"
        assert n["Groups"] == [{"GroupId": sg, "GroupName": "default"}]
        assert n["VpcId"] == vpc and n["OwnerId"] == ACCOUNT
        assert ipaddress.ip_address(n["PrivateIpAddress"]) in ipaddress.ip_network(f"10.90.{1 if subnet == a else 2}.0/24")
        att = n["Attachment"]
        assert att["AttachmentId"].startswith("ela-attach-")
        assert (att["InstanceOwnerId"], att["Status"], att["DeviceIndex"]) == ("amazon-aws", "attached", 1)
    for name, values in [("interface-type", ["vpc_endpoint"]), ("requester-managed", ["true"]), ("requester-id", [REQUESTER]),
                         ("description", [f"VPC Endpoint Interface {eid}"]), ("attachment.instance-owner-id", ["amazon-aws"]),
                         ("attachment.attachment-id", [n["Attachment"]["AttachmentId"] for n in by_subnet.values()])]:
        found = ec2.describe_network_interfaces(Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": name, "Values": values}])["NetworkInterfaces"]
        assert sorted(n["NetworkInterfaceId"] for n in found) == sorted(nics), name

    def ids(*filters):
        return {x["VpcEndpointId"] for x in ec2.describe_vpc_endpoints(Filters=[{"Name": n, "Values": v} for n, v in filters])["VpcEndpoints"]}

    in_vpc = ("vpc-id", [vpc])
    assert ids(in_vpc, ("vpc-endpoint-type", ["Interface"])) == {eid}
    assert ids(in_vpc, ("vpc-endpoint-type", ["Gateway"])) == set()
    assert ids(in_vpc, ("ip-address-type", ["ipv4"])) == {eid}
    assert ids(in_vpc, ("service-name", [STS])) == {eid}


def test_s3_interface_endpoint_names_and_private_dns_options(lab, ec2):
    vpc, [a] = network(ec2, 91, zones="a")
    e = interface(ec2, vpc, S3, [a])
    eid = e["VpcEndpointId"]
    # S3's interface endpoints leave private DNS off unless asked; its names are wildcards.
    assert e["PrivateDnsEnabled"] is False
    assert e["DnsOptions"] == {"DnsRecordIpType": "ipv4", "PrivateDnsOnlyForInboundResolverEndpoint": False}
    names = [d["DnsName"] for d in e["DnsEntries"]]
    assert len(names) == 2
    assert re.fullmatch(r"\*\." + re.escape(eid) + r"-[a-z0-9]{8}\.s3\.us-east-1\.vpce\.amazonaws\.com", names[0])
    assert names[1].endswith("-us-east-1a.s3.us-east-1.vpce.amazonaws.com")
    instance = run(ec2, a)
    eni_ip = enis(ec2, e["NetworkInterfaceIds"])[0]["PrivateIpAddress"]
    # The endpoint's own names answer with the interface, from anywhere.
    address, out = dig_address(lab, instance, names[0].replace("*", "bucket", 1))
    assert address == eni_ip and f"interface-endpoint {eid}" in out
    address, _ = dig_address(lab, instance, "my-bucket.s3.us-east-1.amazonaws.com")
    assert address != eni_ip

    # Private DNS reserved to inbound resolvers (S3's default with private DNS) needs a
    # gateway endpoint; refused, nothing changes.
    before = endpoint(ec2, eid)
    message = refused("InvalidParameter", ec2.modify_vpc_endpoint, VpcEndpointId=eid, PrivateDnsEnabled=True)
    assert "must have a Gateway endpoint" in message
    assert endpoint(ec2, eid) == before
    gateway = ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=S3)["VpcEndpoint"]["VpcEndpointId"]
    ec2.modify_vpc_endpoint(VpcEndpointId=eid, PrivateDnsEnabled=True)
    e = endpoint(ec2, eid)
    assert e["PrivateDnsEnabled"] is True
    assert e["DnsOptions"]["PrivateDnsOnlyForInboundResolverEndpoint"] is True
    private = [d["DnsName"] for d in e["DnsEntries"][2:]]
    assert "s3.us-east-1.amazonaws.com" in private and "*.s3.us-east-1.amazonaws.com" in private
    # In-VPC queries still go to the gateway endpoint's public range.
    address, _ = dig_address(lab, instance, "my-bucket.s3.us-east-1.amazonaws.com")
    assert address != eni_ip
    # The gateway endpoint is needed while the option holds.
    out = ec2.delete_vpc_endpoints(VpcEndpointIds=[gateway])
    assert [u["Error"]["Code"] for u in out["Unsuccessful"]] == ["InvalidParameter"]
    # All the way private: the bucket names answer with the interface inside the VPC.
    ec2.modify_vpc_endpoint(VpcEndpointId=eid, DnsOptions={"PrivateDnsOnlyForInboundResolverEndpoint": False})
    for name in ["my-bucket.s3.us-east-1.amazonaws.com", "s3.us-east-1.amazonaws.com"]:
        address, out = dig_address(lab, instance, name)
        assert address == eni_ip and "interface-endpoint" in out, name
    assert ec2.delete_vpc_endpoints(VpcEndpointIds=[gateway])["Unsuccessful"] == []


def test_dig_answers_the_endpoint_inside_its_vpc_and_the_public_range_elsewhere(lab, ec2):
    vpc, [a, b] = network(ec2, 92)
    other, [elsewhere] = network(ec2, 93, zones="a")
    e = interface(ec2, vpc, STS, [a, b])
    eid = e["VpcEndpointId"]
    ips = {n["SubnetId"]: n["PrivateIpAddress"] for n in enis(ec2, e["NetworkInterfaceIds"])}
    inside, outside = run(ec2, a), run(ec2, elsewhere)
    address, out = dig_address(lab, inside, "sts.us-east-1.amazonaws.com")
    assert address == ips[a] and f"interface-endpoint {eid}" in out
    address, out = dig_address(lab, outside, "sts.us-east-1.amazonaws.com")
    assert "aws-service sts us-east-1" in out
    assert address not in ips.values()
    # The endpoint's regional and zonal names are public: they answer in the other VPC too.
    regional, zonal_a, zonal_b = [d["DnsName"] for d in e["DnsEntries"][:3]]
    assert dig_address(lab, outside, regional)[0] == ips[a]
    assert dig_address(lab, outside, zonal_b)[0] == ips[b]
    assert dig_address(lab, inside, zonal_a)[0] == ips[a]
    # Private DNS off: the VPC's resolver answers the public range again.
    ec2.modify_vpc_endpoint(VpcEndpointId=eid, PrivateDnsEnabled=False)
    assert endpoint(ec2, eid)["PrivateDnsEnabled"] is False
    assert len(endpoint(ec2, eid)["DnsEntries"]) == 3
    _, out = dig_address(lab, inside, "sts.us-east-1.amazonaws.com")
    assert "aws-service sts" in out
    ec2.modify_vpc_endpoint(VpcEndpointId=eid, PrivateDnsEnabled=True)
    assert dig_address(lab, inside, "sts.us-east-1.amazonaws.com")[0] == ips[a]
    # Deleted: the names are gone.
    assert ec2.delete_vpc_endpoints(VpcEndpointIds=[eid])["Unsuccessful"] == []
    assert dig(lab, outside, regional)[0] == 3
    assert "aws-service sts" in dig_address(lab, inside, "sts.us-east-1.amazonaws.com")[1]


def test_modify_subnets_and_security_groups(ec2, unique):
    vpc, [a, b, c] = network(ec2, 94, zones="abc")
    web = ec2.create_security_group(VpcId=vpc, GroupName=f"web-{unique}", Description="web")["GroupId"]
    sg = default_group(ec2, vpc)
    e = interface(ec2, vpc, STS, [a, b])
    eid = e["VpcEndpointId"]
    old = e["NetworkInterfaceIds"]
    assert ec2.modify_vpc_endpoint(VpcEndpointId=eid, AddSubnetIds=[c], RemoveSubnetIds=[a])["Return"] is True
    e = endpoint(ec2, eid)
    assert e["SubnetIds"] == [b, c]
    assert len(e["NetworkInterfaceIds"]) == 2
    assert sorted(n["SubnetId"] for n in enis(ec2, e["NetworkInterfaceIds"])) == sorted([b, c])
    gone = [n for n in old if n not in e["NetworkInterfaceIds"]]
    assert len(gone) == 1
    with pytest.raises(botocore.exceptions.ClientError) as err:
        ec2.describe_network_interfaces(NetworkInterfaceIds=gone)
    assert error_code(err) == "InvalidNetworkInterfaceID.NotFound"
    assert [d["DnsName"].split(".")[0][-10:] for d in e["DnsEntries"][1:3]] == ["us-east-1b", "us-east-1c"]

    ec2.modify_vpc_endpoint(VpcEndpointId=eid, AddSecurityGroupIds=[web], RemoveSecurityGroupIds=[sg])
    e = endpoint(ec2, eid)
    assert e["Groups"] == [{"GroupId": web, "GroupName": f"web-{unique}"}]
    for n in enis(ec2, e["NetworkInterfaceIds"]):
        assert n["Groups"] == [{"GroupId": web, "GroupName": f"web-{unique}"}]
    # Policy as for gateway endpoints.
    policy = json.dumps({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sts:GetCallerIdentity", "Resource": "*"}]})
    ec2.modify_vpc_endpoint(VpcEndpointId=eid, PolicyDocument=policy)
    assert endpoint(ec2, eid)["PolicyDocument"] == policy
    ec2.modify_vpc_endpoint(VpcEndpointId=eid, ResetPolicy=True)
    assert endpoint(ec2, eid)["PolicyDocument"] == DEFAULT_POLICY


def test_create_refusals_change_nothing(lab, ec2, unique):
    loose = lab.client("ec2", validate=False)
    vpc, [a, b, a2] = network(ec2, 95, zones="aba")
    plain, [p] = network(ec2, 96, zones="a", hostnames=False)
    far_sg = ec2.create_security_group(VpcId=plain, GroupName=f"far-{unique}", Description="far")["GroupId"]
    rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    interface(ec2, vpc, STS, [b])
    before = (endpoints_in(ec2, vpc), endpoints_in(ec2, plain),
              ec2.describe_network_interfaces(Filters=[{"Name": "vpc-id", "Values": [vpc, plain]}])["NetworkInterfaces"])
    for kwargs, code, says in [
        (dict(SubnetIds=[a, a2], PrivateDnsEnabled=False), "InvalidParameter", "Found another VPC endpoint subnet in the availability zone"),
        (dict(SubnetIds=[p], PrivateDnsEnabled=False), "InvalidParameter", ""),
        (dict(SubnetIds=["subnet-0123456789abcdef0"]), "InvalidSubnetID.NotFound", ""),
        (dict(SubnetIds=[a], SecurityGroupIds=[far_sg], PrivateDnsEnabled=False), "InvalidParameterValue", ""),
        (dict(SubnetIds=[a], RouteTableIds=[rt]), "InvalidParameter", "Route table IDs"),
        # A second endpoint cannot take over the names the first one holds.
        (dict(SubnetIds=[a]), "InvalidParameter", "conflicting DNS domain for sts.us-east-1.amazonaws.com"),
        (dict(SubnetIds=[a], PrivateDnsEnabled=False, DnsOptions={"PrivateDnsOnlyForInboundResolverEndpoint": True}), "InvalidParameter", ""),
        (dict(SubnetIds=[a], PrivateDnsEnabled=False, IpAddressType="dualstack"), "InvalidParameter", ""),
        (dict(SubnetIds=[a], PrivateDnsEnabled=False, DnsOptions={"DnsRecordIpType": "ipv6"}), "InvalidParameter", ""),
        (dict(SubnetIds=[a], ServiceName=S3, PrivateDnsEnabled=True), "InvalidParameter", "must have a Gateway endpoint"),
        (dict(SubnetIds=[a], ServiceName="com.amazonaws.us-east-1.nosuch"), "InvalidServiceName", ""),
        (dict(SubnetIds=[a], PolicyDocument="{oops"), "InvalidPolicyDocument", ""),
    ]:
        args = dict(dict(VpcId=vpc, ServiceName=STS, VpcEndpointType="Interface"), **kwargs)
        message = refused(code, loose.create_vpc_endpoint, **args)
        assert says in message, (kwargs, message)
    # Private DNS (STS's default) needs DNS host names on.
    message = refused("InvalidParameter", ec2.create_vpc_endpoint, VpcId=plain, ServiceName=STS, VpcEndpointType="Interface", SubnetIds=[p])
    assert "enableDnsSupport and enableDnsHostnames" in message
    # Interface-only parameters on a gateway endpoint.
    refused("InvalidParameter", ec2.create_vpc_endpoint, VpcId=vpc, ServiceName=S3, SecurityGroupIds=[default_group(ec2, vpc)])
    assert (endpoints_in(ec2, vpc), endpoints_in(ec2, plain),
            ec2.describe_network_interfaces(Filters=[{"Name": "vpc-id", "Values": [vpc, plain]}])["NetworkInterfaces"]) == before


def test_modify_and_interface_refusals_change_nothing(lab, ec2, unique):
    vpc, [a, b, a2] = network(ec2, 97, zones="aba")
    other, [far] = network(ec2, 98, zones="c")
    far_sg = ec2.create_security_group(VpcId=other, GroupName=f"far-{unique}", Description="far")["GroupId"]
    lonely = ec2.create_security_group(VpcId=vpc, GroupName=f"lonely-{unique}", Description="not on it")["GroupId"]
    rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    e = interface(ec2, vpc, STS, [a, b])
    eid = e["VpcEndpointId"]
    quiet = interface(ec2, vpc, STS, [a], PrivateDnsEnabled=False)["VpcEndpointId"]
    sg = default_group(ec2, vpc)
    nic = e["NetworkInterfaceIds"][0]
    state = lambda: (endpoint(ec2, eid), endpoint(ec2, quiet), enis(ec2, e["NetworkInterfaceIds"]))
    before = state()
    for kwargs, code in [
        (dict(AddSubnetIds=[a2]), "InvalidParameter"),
        (dict(AddSubnetIds=[far]), "InvalidParameter"),
        (dict(AddSubnetIds=["subnet-0123456789abcdef0"]), "InvalidSubnetID.NotFound"),
        (dict(RemoveSubnetIds=[a2]), "InvalidParameterValue"),
        (dict(RemoveSecurityGroupIds=[lonely]), "InvalidParameterValue"),
        (dict(AddSecurityGroupIds=[far_sg]), "InvalidParameterValue"),
        (dict(RemoveSecurityGroupIds=[sg]), "InvalidParameter"),
        (dict(AddRouteTableIds=[rt]), "InvalidParameter"),
        (dict(AddSubnetIds=[a2], PolicyDocument="{oops"), "InvalidPolicyDocument"),
        (dict(VpcEndpointId=quiet, PrivateDnsEnabled=True), "InvalidParameter"),
        (dict(DnsOptions={"PrivateDnsOnlyForInboundResolverEndpoint": True}), "InvalidParameter"),
    ]:
        refused(code, ec2.modify_vpc_endpoint, **dict(dict(VpcEndpointId=eid), **kwargs))
    # The interfaces belong to the endpoint: AWS's codes for each direct change.
    refused("InvalidParameterValue", ec2.delete_network_interface, NetworkInterfaceId=nic)
    attachment = enis(ec2, [nic])[0]["Attachment"]["AttachmentId"]
    message = refused("OperationNotPermitted", ec2.detach_network_interface, AttachmentId=attachment)
    assert "ela-attach" in message
    refused("AuthFailure", ec2.modify_network_interface_attribute, NetworkInterfaceId=nic, Groups=[lonely])
    refused("AuthFailure", ec2.modify_network_interface_attribute, NetworkInterfaceId=nic, Description={"Value": "mine"})
    refused("AuthFailure", ec2.assign_private_ip_addresses, NetworkInterfaceId=nic, SecondaryPrivateIpAddressCount=1)
    # Its subnet, its security group and its VPC cannot go while it is there.
    refused("DependencyViolation", ec2.delete_subnet, SubnetId=b)
    web = ec2.create_security_group(VpcId=vpc, GroupName=f"web-{unique}", Description="web")["GroupId"]
    ec2.modify_vpc_endpoint(VpcEndpointId=quiet, AddSecurityGroupIds=[web])
    refused("DependencyViolation", ec2.delete_security_group, GroupId=web)
    refused("DependencyViolation", ec2.delete_vpc, VpcId=vpc)
    after = state()
    assert after[0] == before[0] and after[2] == before[2]
    # Delete: the interfaces go, and the subnet and group are free.
    out = ec2.delete_vpc_endpoints(VpcEndpointIds=[eid, quiet])
    assert out["Unsuccessful"] == []
    assert ec2.describe_network_interfaces(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["NetworkInterfaces"] == []
    ec2.delete_subnet(SubnetId=b)
    ec2.delete_security_group(GroupId=web)


def test_the_cli(lab, unique):
    _, v = lab.aws("ec2", "create-vpc", "--cidr-block", "10.99.0.0/16")
    vpc = v["Vpc"]["VpcId"]
    _, s = lab.aws("ec2", "create-subnet", "--vpc-id", vpc, "--cidr-block", "10.99.1.0/24", "--availability-zone", "us-east-1a")
    subnet = s["Subnet"]["SubnetId"]
    _, g = lab.aws("ec2", "create-security-group", "--vpc-id", vpc, "--group-name", f"ep-{unique}", "--description", "endpoint")
    sg = g["GroupId"]
    # Without DNS host names, private DNS (on by default) is refused.
    code, err = lab.aws("ec2", "create-vpc-endpoint", "--vpc-id", vpc, "--vpc-endpoint-type", "Interface", "--service-name", STS,
                        "--subnet-ids", subnet, check=False)
    assert code != 0 and "InvalidParameter" in err and "enableDnsHostnames" in err
    _, out = lab.aws("ec2", "create-vpc-endpoint", "--vpc-id", vpc, "--vpc-endpoint-type", "Interface", "--service-name", STS,
                     "--subnet-ids", subnet, "--security-group-ids", sg, "--no-private-dns-enabled")
    e = out["VpcEndpoint"]
    eid = e["VpcEndpointId"]
    assert e["PrivateDnsEnabled"] is False and e["Groups"] == [{"GroupId": sg, "GroupName": f"ep-{unique}"}]
    _, out = lab.aws("ec2", "describe-network-interfaces", "--filters", "Name=interface-type,Values=vpc_endpoint", f"Name=vpc-id,Values={vpc}")
    [nic] = out["NetworkInterfaces"]
    assert nic["NetworkInterfaceId"] == e["NetworkInterfaceIds"][0] and nic["RequesterManaged"] is True
    lab.aws("ec2", "modify-vpc-attribute", "--vpc-id", vpc, "--enable-dns-hostnames")
    _, out = lab.aws("ec2", "modify-vpc-endpoint", "--vpc-endpoint-id", eid, "--private-dns-enabled")
    assert out["Return"] is True
    _, out = lab.aws("ec2", "describe-vpc-endpoints", "--vpc-endpoint-ids", eid)
    assert out["VpcEndpoints"][0]["PrivateDnsEnabled"] is True
    assert out["VpcEndpoints"][0]["DnsEntries"][-1]["DnsName"] == "sts.us-east-1.amazonaws.com"
    code, err = lab.aws("ec2", "delete-network-interface", "--network-interface-id", nic["NetworkInterfaceId"], check=False)
    assert code != 0 and "InvalidParameterValue" in err
    _, out = lab.aws("ec2", "delete-vpc-endpoints", "--vpc-endpoint-ids", eid)
    assert out["Unsuccessful"] == []
    lab.aws("ec2", "delete-subnet", "--subnet-id", subnet)


def test_the_catalogue_offers_s3_both_ways(ec2):
    out = ec2.describe_vpc_endpoint_services(ServiceNames=[S3])
    assert out["ServiceNames"] == [S3]
    gateway, iface = out["ServiceDetails"]
    assert gateway["ServiceType"] == [{"ServiceType": "Gateway"}]
    assert iface["ServiceType"] == [{"ServiceType": "Interface"}]
    assert iface["BaseEndpointDnsNames"] == ["s3.us-east-1.vpce.amazonaws.com"]
    assert iface["PrivateDnsName"] == "*.s3.us-east-1.amazonaws.com"
    assert {"PrivateDnsName": "s3.us-east-1.amazonaws.com"} in iface["PrivateDnsNames"]
    for d in (gateway, iface):
        assert d["AvailabilityZones"] == [f"us-east-1{z}" for z in "abcdef"]
        assert d["VpcEndpointPolicySupported"] is True and d["AcceptanceRequired"] is False
        assert d["Owner"] == "amazon"
    sts = ec2.describe_vpc_endpoint_services(ServiceNames=[STS])["ServiceDetails"][0]
    assert sts["PrivateDnsNames"] == [{"PrivateDnsName": "sts.us-east-1.amazonaws.com"}]
