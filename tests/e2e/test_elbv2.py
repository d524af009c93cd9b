"""ELBv2 network load balancers through boto3 (`elbv2`) and the aws CLI: load balancers,
their requester-managed interfaces, attributes; target groups, attributes, targets;
listeners; DescribeTargetHealth against a real TCP listener bound with the
`vpclab:port:<port>` tag; tags; another account's view; restart durability; and every
refusal with AWS's code and no change."""

import re
import socket
import threading
import time

import botocore.exceptions
import pytest

from conftest import ROOMY, Lab, error_code

ACCOUNT = "000000000000"
AMI = "ami-0123456789abcdef0"


def refused(code, call, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        call(**kwargs)
    assert error_code(e) == code, e.value.response["Error"]
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return e.value.response["Error"]["Message"]


@pytest.fixture
def elbv2(lab):
    return lab.client("elbv2")


def network(ec2, second_octet, igw=True):
    """A VPC 10.<n>.0.0/16 with subnets in us-east-1a and 1b (and an internet gateway)."""
    vpc = ec2.create_vpc(CidrBlock=f"10.{second_octet}.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.{second_octet}.{i + 1}.0/24", AvailabilityZone=az)["Subnet"]["SubnetId"]
        for i, az in enumerate(["us-east-1a", "us-east-1b"])
    ]
    if igw:
        gw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=gw, VpcId=vpc)
    return vpc, subnets


def nlb(elbv2, name, subnets, scheme="internal", **kwargs):
    return elbv2.create_load_balancer(Name=name, Subnets=subnets, Scheme=scheme, Type="network", **kwargs)["LoadBalancers"][0]


def target_group(elbv2, name, vpc, target_type="instance", protocol="TCP", port=80, **kwargs):
    return elbv2.create_target_group(Name=name, Protocol=protocol, Port=port, VpcId=vpc, TargetType=target_type, **kwargs)["TargetGroups"][0]


def forward(tg_arn):
    return [{"Type": "forward", "TargetGroupArn": tg_arn}]


def nlb_interfaces(ec2, lb):
    arn_id = lb["LoadBalancerArn"].split(":loadbalancer/")[1]
    return ec2.describe_network_interfaces(Filters=[{"Name": "description", "Values": [f"ELB {arn_id}"]}])["NetworkInterfaces"]


def names(unique, n=1):
    return [f"t{unique}-{i}" for i in range(n)]


def test_an_internal_nlb_has_aws_shapes_interfaces_and_attributes(ec2, elbv2, unique):
    vpc, subnets = network(ec2, 190)
    [name] = names(unique)
    lb = nlb(elbv2, name, subnets, Tags=[{"Key": "team", "Value": "net"}])
    arn = lb["LoadBalancerArn"]
    m = re.fullmatch(rf"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:loadbalancer/net/{name}/([0-9a-f]{{16}})", arn)
    assert m, arn
    assert lb["DNSName"] == f"{name}-{m.group(1)}.elb.us-east-1.amazonaws.com"
    assert lb["CanonicalHostedZoneId"] == "Z26RNL4JYFTOTI"
    assert (lb["LoadBalancerName"], lb["Scheme"], lb["VpcId"], lb["Type"], lb["IpAddressType"]) == (name, "internal", vpc, "network", "ipv4")
    assert lb["State"] == {"Code": "active"}
    assert "SecurityGroups" not in lb
    zones = lb["AvailabilityZones"]
    assert [(z["ZoneName"], z["SubnetId"]) for z in zones] == [("us-east-1a", subnets[0]), ("us-east-1b", subnets[1])]
    private = [z["LoadBalancerAddresses"][0]["PrivateIPv4Address"] for z in zones]
    assert [p.rsplit(".", 1)[0] for p in private] == ["10.190.1", "10.190.2"]
    elbv2.get_waiter("load_balancer_available").wait(LoadBalancerArns=[arn])
    assert elbv2.describe_load_balancers(LoadBalancerArns=[arn])["LoadBalancers"] == [lb]
    assert elbv2.describe_load_balancers(Names=[name])["LoadBalancers"] == [lb]
    assert lb in elbv2.describe_load_balancers()["LoadBalancers"]
    # One requester-managed interface per zone, as AWS shows a node's.
    enis = sorted(nlb_interfaces(ec2, lb), key=lambda e: e["SubnetId"] != subnets[0])
    assert [e["SubnetId"] for e in enis] == subnets
    for e, ip in zip(enis, private):
        assert (e["InterfaceType"], e["RequesterManaged"], e["RequesterId"], e["Status"]) == ("network_load_balancer", True, "amazon-elb", "in-use")
        assert e["PrivateIpAddress"] == ip and "Association" not in e
        assert e["Attachment"]["InstanceOwnerId"] == "amazon-elb"
        refused("InvalidNetworkInterface.InUse", ec2.delete_network_interface, NetworkInterfaceId=e["NetworkInterfaceId"])
    refused("DependencyViolation", ec2.delete_subnet, SubnetId=subnets[0])
    # Attributes: AWS's defaults; deletion protection holds the load balancer.
    attrs = {a["Key"]: a["Value"] for a in elbv2.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]}
    assert attrs["deletion_protection.enabled"] == "false"
    assert attrs["load_balancing.cross_zone.enabled"] == "false"
    out = elbv2.modify_load_balancer_attributes(LoadBalancerArn=arn, Attributes=[{"Key": "deletion_protection.enabled", "Value": "true"}])
    assert {"Key": "deletion_protection.enabled", "Value": "true"} in out["Attributes"]
    refused("OperationNotPermitted", elbv2.delete_load_balancer, LoadBalancerArn=arn)
    refused("ValidationError", elbv2.modify_load_balancer_attributes, LoadBalancerArn=arn,
            Attributes=[{"Key": "idle_timeout.timeout_seconds", "Value": "5"}])
    elbv2.modify_load_balancer_attributes(LoadBalancerArn=arn, Attributes=[{"Key": "deletion_protection.enabled", "Value": "false"}])
    # Delete: the interfaces go; deleting again succeeds, as AWS documents.
    elbv2.delete_load_balancer(LoadBalancerArn=arn)
    elbv2.get_waiter("load_balancers_deleted").wait(LoadBalancerArns=[arn])
    refused("LoadBalancerNotFound", elbv2.describe_load_balancers, LoadBalancerArns=[arn])
    refused("LoadBalancerNotFound", elbv2.describe_load_balancers, Names=[name])
    assert nlb_interfaces(ec2, lb) == []
    elbv2.delete_load_balancer(LoadBalancerArn=arn)
    ec2.delete_subnet(SubnetId=subnets[0])


def test_an_internet_facing_nlb_gets_public_addresses(ec2, elbv2, unique):
    vpc, subnets = network(ec2, 191)
    eip = ec2.allocate_address()
    sg = ec2.create_security_group(GroupName=f"nlb-{unique}", Description="nlb", VpcId=vpc)["GroupId"]
    [name] = names(unique)
    lb = elbv2.create_load_balancer(
        Name=name, Type="network", SecurityGroups=[sg],
        SubnetMappings=[{"SubnetId": subnets[0], "AllocationId": eip["AllocationId"]}, {"SubnetId": subnets[1]}],
    )["LoadBalancers"][0]
    assert lb["Scheme"] == "internet-facing"
    assert lb["SecurityGroups"] == [sg]
    a, b = (z["LoadBalancerAddresses"][0] for z in lb["AvailabilityZones"])
    assert (a["IpAddress"], a["AllocationId"]) == (eip["PublicIp"], eip["AllocationId"])
    assert "AllocationId" not in b and b["IpAddress"] != eip["PublicIp"]
    enis = {e["SubnetId"]: e for e in nlb_interfaces(ec2, lb)}
    assert enis[subnets[0]]["Association"]["PublicIp"] == eip["PublicIp"]
    assert enis[subnets[1]]["Association"]["PublicIp"] == b["IpAddress"]
    assert enis[subnets[1]]["Association"]["IpOwnerId"] == "amazon"
    assert [g["GroupId"] for g in enis[subnets[0]]["Groups"]] == [sg]
    got = ec2.describe_addresses(AllocationIds=[eip["AllocationId"]])["Addresses"][0]
    assert got["NetworkInterfaceId"] == enis[subnets[0]]["NetworkInterfaceId"]
    elbv2.delete_load_balancer(LoadBalancerArn=lb["LoadBalancerArn"])
    assert "AssociationId" not in ec2.describe_addresses(AllocationIds=[eip["AllocationId"]])["Addresses"][0]


def test_create_load_balancer_refusals_change_nothing(lab, ec2, elbv2, unique):
    vpc, subnets = network(ec2, 192)
    other_vpc, other_subnets = network(ec2, 193, igw=False)
    [name, taken] = names(unique, 2)
    nlb(elbv2, taken, subnets[:1])
    raw = lab.client("elbv2", validate=False)

    def state():
        return (elbv2.describe_load_balancers()["LoadBalancers"],
                ec2.describe_network_interfaces(Filters=[{"Name": "vpc-id", "Values": [vpc, other_vpc]}])["NetworkInterfaces"])

    before = state()
    cases = [
        ("ValidationError", dict(Name="-bad", Subnets=subnets, Type="network")),
        ("ValidationError", dict(Name="a" * 33, Subnets=subnets, Type="network")),
        ("ValidationError", dict(Name="internal-x" + unique, Subnets=subnets, Type="network")),
        ("ValidationError", dict(Name=name, Subnets=subnets, Type="network", Scheme="sideways")),
        ("ValidationError", dict(Name=name, Type="network")),
        # vpclab serves network load balancers only (AWS's default Type is application).
        ("InvalidConfigurationRequest", dict(Name=name, Subnets=subnets)),
        ("InvalidConfigurationRequest", dict(Name=name, Subnets=subnets, Type="gateway")),
        ("SubnetNotFound", dict(Name=name, Subnets=[subnets[0], "subnet-0fffffffffffffff0"], Type="network")),
        ("InvalidConfigurationRequest", dict(Name=name, Subnets=[subnets[0], other_subnets[1]], Type="network", Scheme="internal")),
        ("InvalidSubnet", dict(Name=name, Subnets=other_subnets, Type="network")),
        ("InvalidSecurityGroup", dict(Name=name, Subnets=subnets, Type="network", SecurityGroups=["sg-0fffffffffffffff0"])),
        ("AllocationIdNotFound", dict(Name=name, Type="network", SubnetMappings=[{"SubnetId": subnets[0], "AllocationId": "eipalloc-0fffffffffffffff0"}])),
        ("InvalidConfigurationRequest", dict(Name=name, Type="network", SubnetMappings=[{"SubnetId": subnets[0], "PrivateIPv4Address": "10.192.1.10"}])),
        ("InvalidConfigurationRequest", dict(Name=name, Type="network", Scheme="internal", SubnetMappings=[{"SubnetId": subnets[0], "PrivateIPv4Address": "10.99.1.10"}])),
        ("DuplicateLoadBalancerName", dict(Name=taken, Subnets=subnets, Type="network", Scheme="internal")),
        ("DuplicateTagKeys", dict(Name=name, Subnets=subnets, Type="network", Tags=[{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}])),
        ("ValidationError", dict(Name=name, Subnets=subnets, Type="network", Tags=[{"Key": "aws:x", "Value": "1"}])),
    ]
    for code, kwargs in cases:
        refused(code, raw.create_load_balancer, **kwargs)
    assert state() == before
    # The same name and settings again answer the same load balancer (AWS: idempotent).
    again = nlb(elbv2, taken, subnets[:1])
    assert again == before[0][[l["LoadBalancerName"] for l in before[0]].index(taken)]
    refused("ValidationError", raw.delete_load_balancer, LoadBalancerArn="not-an-arn")
    refused("ValidationError", raw.describe_load_balancers, LoadBalancerArns=["x"], Names=["y"])
    assert state() == before


def test_target_groups_attributes_and_targets(ec2, elbv2, unique):
    vpc, subnets = network(ec2, 194)
    [name, ipname] = names(unique, 2)
    tg = target_group(elbv2, name, vpc)
    arn = tg["TargetGroupArn"]
    assert re.fullmatch(rf"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:targetgroup/{name}/[0-9a-f]{{16}}", arn)
    assert {k: tg[k] for k in ("Protocol", "Port", "VpcId", "TargetType", "IpAddressType", "LoadBalancerArns")} == {
        "Protocol": "TCP", "Port": 80, "VpcId": vpc, "TargetType": "instance", "IpAddressType": "ipv4", "LoadBalancerArns": []}
    # AWS's health check defaults for a network load balancer's target group.
    assert {k: tg[k] for k in ("HealthCheckProtocol", "HealthCheckPort", "HealthCheckEnabled", "HealthCheckIntervalSeconds",
                               "HealthCheckTimeoutSeconds", "HealthyThresholdCount", "UnhealthyThresholdCount")} == {
        "HealthCheckProtocol": "TCP", "HealthCheckPort": "traffic-port", "HealthCheckEnabled": True, "HealthCheckIntervalSeconds": 30,
        "HealthCheckTimeoutSeconds": 10, "HealthyThresholdCount": 5, "UnhealthyThresholdCount": 2}
    assert "HealthCheckPath" not in tg and "Matcher" not in tg
    assert elbv2.describe_target_groups(TargetGroupArns=[arn])["TargetGroups"] == [tg]
    assert elbv2.describe_target_groups(Names=[name])["TargetGroups"] == [tg]
    assert target_group(elbv2, name, vpc) == tg, "same settings: the same group"
    # Attributes: typed, with AWS's preserve_client_ip defaults.
    attrs = {a["Key"]: a["Value"] for a in elbv2.describe_target_group_attributes(TargetGroupArn=arn)["Attributes"]}
    assert attrs["preserve_client_ip.enabled"] == "true"
    assert (attrs["proxy_protocol_v2.enabled"], attrs["deregistration_delay.timeout_seconds"], attrs["stickiness.type"]) == ("false", "300", "source_ip")
    ip_tg = target_group(elbv2, ipname, vpc, target_type="ip", port=443)
    ip_attrs = {a["Key"]: a["Value"] for a in elbv2.describe_target_group_attributes(TargetGroupArn=ip_tg["TargetGroupArn"])["Attributes"]}
    assert ip_attrs["preserve_client_ip.enabled"] == "false"
    out = elbv2.modify_target_group_attributes(TargetGroupArn=arn, Attributes=[
        {"Key": "proxy_protocol_v2.enabled", "Value": "true"}, {"Key": "deregistration_delay.timeout_seconds", "Value": "10"}])
    got = {a["Key"]: a["Value"] for a in out["Attributes"]}
    assert (got["proxy_protocol_v2.enabled"], got["deregistration_delay.timeout_seconds"]) == ("true", "10")
    before = elbv2.describe_target_group_attributes(TargetGroupArn=arn)["Attributes"]
    refused("ValidationError", elbv2.modify_target_group_attributes, TargetGroupArn=arn,
            Attributes=[{"Key": "stickiness.enabled", "Value": "true"}, {"Key": "no.such.key", "Value": "1"}])
    refused("InvalidConfigurationRequest", elbv2.modify_target_group_attributes, TargetGroupArn=arn,
            Attributes=[{"Key": "slow_start.duration_seconds", "Value": "30"}])
    refused("ValidationError", elbv2.modify_target_group_attributes, TargetGroupArn=arn,
            Attributes=[{"Key": "stickiness.enabled", "Value": "yes"}])
    assert elbv2.describe_target_group_attributes(TargetGroupArn=arn)["Attributes"] == before
    # Health check changes.
    mod = elbv2.modify_target_group(TargetGroupArn=arn, HealthCheckProtocol="HTTP", HealthCheckPath="/health",
                                    HealthCheckIntervalSeconds=10, HealthCheckTimeoutSeconds=5)["TargetGroups"][0]
    assert (mod["HealthCheckProtocol"], mod["HealthCheckPath"], mod["Matcher"], mod["HealthCheckIntervalSeconds"]) == (
        "HTTP", "/health", {"HttpCode": "200-399"}, 10)
    refused("ValidationError", elbv2.modify_target_group, TargetGroupArn=arn, HealthCheckTimeoutSeconds=60)
    # Targets.
    inst = ec2.run_instances(ImageId=AMI, MinCount=2, MaxCount=2, SubnetId=subnets[0])["Instances"]
    i1, i2 = inst[0]["InstanceId"], inst[1]["InstanceId"]
    elbv2.register_targets(TargetGroupArn=arn, Targets=[{"Id": i1}, {"Id": i2, "Port": 8080}])
    elbv2.register_targets(TargetGroupArn=arn, Targets=[{"Id": i1}])
    health = elbv2.describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"]
    assert [(h["Target"]["Id"], h["Target"]["Port"], h["TargetHealth"]["State"], h["TargetHealth"]["Reason"]) for h in health] == [
        (i1, 80, "unused", "Target.NotInUse"), (i2, 8080, "unused", "Target.NotInUse")]
    other_vpc, other_subnets = network(ec2, 195, igw=False)
    far = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=other_subnets[0])["Instances"][0]["InstanceId"]
    gone = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnets[0])["Instances"][0]["InstanceId"]
    ec2.terminate_instances(InstanceIds=[gone])
    for code, targets in [
        ("InvalidTarget", [{"Id": far}]),
        ("InvalidTarget", [{"Id": gone}]),
        ("InvalidTarget", [{"Id": "i-0fffffffffffffff0"}]),
        ("ValidationError", [{"Id": i1, "AvailabilityZone": "us-east-1a"}]),
    ]:
        refused(code, elbv2.register_targets, TargetGroupArn=arn, Targets=[{"Id": i2, "Port": 9}] + targets)
    ip_arn = ip_tg["TargetGroupArn"]
    elbv2.register_targets(TargetGroupArn=ip_arn, Targets=[{"Id": "10.194.1.10"}, {"Id": "192.168.7.7", "AvailabilityZone": "all"}])
    refused("InvalidTarget", elbv2.register_targets, TargetGroupArn=ip_arn, Targets=[{"Id": "8.8.8.8"}])
    refused("ValidationError", elbv2.register_targets, TargetGroupArn=ip_arn, Targets=[{"Id": "192.168.7.8"}])
    got = elbv2.describe_target_health(TargetGroupArn=ip_arn)["TargetHealthDescriptions"]
    assert [(h["Target"]["Id"], h["Target"]["Port"]) for h in got] == [("10.194.1.10", 443), ("192.168.7.7", 443)]
    refused("InvalidTarget", elbv2.deregister_targets, TargetGroupArn=arn, Targets=[{"Id": i1, "Port": 81}])
    elbv2.deregister_targets(TargetGroupArn=arn, Targets=[{"Id": i2, "Port": 8080}])
    assert [h["Target"]["Id"] for h in elbv2.describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"]] == [i1]
    # Asking about a target that is not registered.
    [h] = elbv2.describe_target_health(TargetGroupArn=arn, Targets=[{"Id": i2}])["TargetHealthDescriptions"]
    assert (h["TargetHealth"]["State"], h["TargetHealth"]["Reason"]) == ("unused", "Target.NotRegistered")
    elbv2.delete_target_group(TargetGroupArn=ip_arn)
    refused("TargetGroupNotFound", elbv2.describe_target_groups, TargetGroupArns=[ip_arn])
    elbv2.delete_target_group(TargetGroupArn=ip_arn)


def test_create_target_group_refusals_change_nothing(lab, ec2, elbv2, unique):
    vpc, _ = network(ec2, 196, igw=False)
    [name, taken] = names(unique, 2)
    target_group(elbv2, taken, vpc)
    raw = lab.client("elbv2", validate=False)
    before = elbv2.describe_target_groups()["TargetGroups"]
    base = dict(Name=name, Protocol="TCP", Port=80, VpcId=vpc)
    for code, change in [
        ("ValidationError", dict(Name="bad_name")),
        ("InvalidConfigurationRequest", dict(TargetType="lambda")),
        ("InvalidConfigurationRequest", dict(TargetType="alb")),
        ("InvalidConfigurationRequest", dict(Protocol="HTTP")),
        ("ValidationError", dict(Protocol="SCTP")),
        ("ValidationError", dict(Port=0)),
        ("ValidationError", dict(Port=70000)),
        ("ValidationError", dict(VpcId="vpc-0fffffffffffffff0")),
        ("ValidationError", dict(HealthCheckIntervalSeconds=1)),
        ("ValidationError", dict(HealthCheckProtocol="UDP")),
        ("InvalidConfigurationRequest", dict(HealthCheckPath="/x")),
        ("DuplicateTargetGroupName", dict(Name=taken, Port=81)),
    ]:
        refused(code, raw.create_target_group, **{**base, **change})
    refused("ValidationError", raw.create_target_group, Name=name, Port=80, VpcId=vpc)
    assert elbv2.describe_target_groups()["TargetGroups"] == before


def test_listeners_forward_to_one_compatible_group(lab, ec2, elbv2, unique):
    vpc, subnets = network(ec2, 197)
    [lb_name, lb2_name, tg_name, tg2_name, udp_name, far_name] = names(unique, 6)
    lb = nlb(elbv2, lb_name, subnets[:1])
    lb2 = nlb(elbv2, lb2_name, subnets[1:])
    tg = target_group(elbv2, tg_name, vpc)["TargetGroupArn"]
    tg2 = target_group(elbv2, tg2_name, vpc, target_type="ip")["TargetGroupArn"]
    udp = target_group(elbv2, udp_name, vpc, protocol="UDP", port=53)["TargetGroupArn"]
    other_vpc, _ = network(ec2, 198, igw=False)
    far = target_group(elbv2, far_name, other_vpc)["TargetGroupArn"]
    arn = lb["LoadBalancerArn"]
    listener = elbv2.create_listener(LoadBalancerArn=arn, Protocol="TCP", Port=80, DefaultActions=forward(tg),
                                     Tags=[{"Key": "k", "Value": "v"}])["Listeners"][0]
    larn = listener["ListenerArn"]
    lb_part = arn.split(":loadbalancer/")[1]
    assert re.fullmatch(rf"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:listener/{lb_part}/[0-9a-f]{{16}}", larn)
    assert (listener["LoadBalancerArn"], listener["Port"], listener["Protocol"]) == (arn, 80, "TCP")
    [action] = listener["DefaultActions"]
    assert (action["Type"], action["TargetGroupArn"]) == ("forward", tg)
    assert action["ForwardConfig"]["TargetGroups"] == [{"TargetGroupArn": tg, "Weight": 1}]
    assert elbv2.describe_listeners(LoadBalancerArn=arn)["Listeners"] == [listener]
    assert elbv2.describe_listeners(ListenerArns=[larn])["Listeners"] == [listener]
    assert elbv2.describe_target_groups(TargetGroupArns=[tg])["TargetGroups"][0]["LoadBalancerArns"] == [arn]
    assert [t["TargetGroupArn"] for t in elbv2.describe_target_groups(LoadBalancerArn=arn)["TargetGroups"]] == [tg]
    # ForwardConfig with the one group works too.
    via_config = elbv2.create_listener(LoadBalancerArn=arn, Protocol="UDP", Port=53, DefaultActions=[
        {"Type": "forward", "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": udp}]}}])["Listeners"][0]
    refused("IncompatibleProtocols", elbv2.create_listener, LoadBalancerArn=arn, Protocol="TCP", Port=81, DefaultActions=forward(udp))
    before = elbv2.describe_listeners(LoadBalancerArn=arn)["Listeners"]
    cases = [
        ("DuplicateListener", dict(LoadBalancerArn=arn, Protocol="TCP", Port=80, DefaultActions=forward(tg2))),
        ("TargetGroupAssociationLimit", dict(LoadBalancerArn=lb2["LoadBalancerArn"], Protocol="TCP", Port=80, DefaultActions=forward(tg))),
        ("InvalidConfigurationRequest", dict(LoadBalancerArn=arn, Protocol="TCP", Port=82, DefaultActions=forward(far))),
        ("ValidationError", dict(LoadBalancerArn=arn, Protocol="TCP", Port=0, DefaultActions=forward(tg2))),
        ("ValidationError", dict(LoadBalancerArn=arn, Protocol="TLS", Port=443, DefaultActions=forward(tg2))),
        ("UnsupportedProtocol", dict(LoadBalancerArn=arn, Protocol="HTTP", Port=83, DefaultActions=forward(tg2))),
        ("InvalidLoadBalancerAction", dict(LoadBalancerArn=arn, Protocol="TCP", Port=84, DefaultActions=[
            {"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "200"}}])),
        ("InvalidLoadBalancerAction", dict(LoadBalancerArn=arn, Protocol="TCP", Port=85, DefaultActions=[
            {"Type": "forward", "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": tg}, {"TargetGroupArn": tg2}]}}])),
        ("TargetGroupNotFound", dict(LoadBalancerArn=arn, Protocol="TCP", Port=86, DefaultActions=forward(tg.replace(tg_name, "nope")))),
        ("LoadBalancerNotFound", dict(LoadBalancerArn=arn.replace(lb_name, "nope"), Protocol="TCP", Port=87, DefaultActions=forward(tg2))),
    ]
    raw = lab.client("elbv2", validate=False)
    for code, kwargs in cases:
        refused(code, raw.create_listener, **kwargs)
    assert elbv2.describe_listeners(LoadBalancerArn=arn)["Listeners"] == before
    # A TLS listener with a certificate gets AWS's default policy.
    tls = elbv2.create_listener(LoadBalancerArn=arn, Protocol="TLS", Port=443, DefaultActions=forward(tg),
                                Certificates=[{"CertificateArn": "arn:aws:acm:us-east-1:000000000000:certificate/abc"}])["Listeners"][0]
    assert tls["SslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    assert tls["Certificates"] == [{"CertificateArn": "arn:aws:acm:us-east-1:000000000000:certificate/abc"}]
    # The group in use cannot go.
    refused("ResourceInUse", elbv2.delete_target_group, TargetGroupArn=tg)
    # ModifyListener: another port and group; a taken port is refused.
    refused("DuplicateListener", elbv2.modify_listener, ListenerArn=larn, Port=443)
    mod = elbv2.modify_listener(ListenerArn=larn, Port=8080, DefaultActions=forward(tg2))["Listeners"][0]
    assert (mod["Port"], mod["DefaultActions"][0]["TargetGroupArn"]) == (8080, tg2)
    refused("ValidationError", elbv2.describe_listeners)
    elbv2.delete_listener(ListenerArn=via_config["ListenerArn"])
    refused("ListenerNotFound", elbv2.delete_listener, ListenerArn=via_config["ListenerArn"])
    refused("ListenerNotFound", elbv2.describe_listeners, ListenerArns=[via_config["ListenerArn"]])
    # Deleting the load balancer takes its listeners.
    elbv2.delete_load_balancer(LoadBalancerArn=arn)
    refused("ListenerNotFound", elbv2.describe_listeners, ListenerArns=[larn])
    elbv2.delete_target_group(TargetGroupArn=tg)


class Backend:
    """A real TCP listener on a free loopback port that accepts and closes."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            conn.close()

    def close(self):
        # shutdown first: a plain close() leaves the socket listening while the accept
        # thread still holds it.
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


def health(elbv2, tg, **kwargs):
    return [(h["Target"]["Id"], h["HealthCheckPort"], h["TargetHealth"]["State"], h["TargetHealth"].get("Reason"))
            for h in elbv2.describe_target_health(TargetGroupArn=tg, **kwargs)["TargetHealthDescriptions"]]


def test_target_health_follows_a_real_backend(ec2, elbv2, unique):
    vpc, subnets = network(ec2, 199)
    [lb_name, tg_name, ip_name] = names(unique, 3)
    lb = nlb(elbv2, lb_name, subnets[:1])
    tg = target_group(elbv2, tg_name, vpc, HealthCheckIntervalSeconds=5, HealthCheckTimeoutSeconds=5)["TargetGroupArn"]
    inst = ec2.run_instances(ImageId=AMI, MinCount=3, MaxCount=3, SubnetId=subnets[0])["Instances"]
    bound, unbound, stopped = (i["InstanceId"] for i in inst)
    in_b = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnets[1])["Instances"][0]["InstanceId"]
    backend = Backend()
    try:
        ec2.create_tags(Resources=[bound], Tags=[{"Key": "vpclab:port:80", "Value": f"127.0.0.1:{backend.port}"}])
        # Bound to a port where nothing listens.
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            dead_port = s.getsockname()[1]
        ec2.create_tags(Resources=[stopped], Tags=[{"Key": "vpclab:port:80", "Value": f"127.0.0.1:{dead_port}"}])
        elbv2.register_targets(TargetGroupArn=tg, Targets=[{"Id": i} for i in (bound, unbound, stopped, in_b)])
        assert {t[2] for t in health(elbv2, tg)} == {"unused"}
        elbv2.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="TCP", Port=80, DefaultActions=forward(tg))
        assert health(elbv2, tg) == [
            (bound, "80", "healthy", None),
            (unbound, "80", "unhealthy", "Target.FailedHealthChecks"),
            (stopped, "80", "unhealthy", "Target.FailedHealthChecks"),
            # In us-east-1b, where the load balancer has no node.
            (in_b, "80", "unused", "Target.NotInUse"),
        ]
        # The kernel completes the check's connection before the accept thread counts it.
        deadline = time.monotonic() + 5
        while backend.accepted < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert backend.accepted >= 1
        elbv2.get_waiter("target_in_service").wait(TargetGroupArn=tg, Targets=[{"Id": bound}])
        ec2.stop_instances(InstanceIds=[stopped])
        assert health(elbv2, tg, Targets=[{"Id": stopped}]) == [(stopped, "80", "unused", "Target.InvalidState")]
        # The health check port is the one checked.
        elbv2.modify_target_group(TargetGroupArn=tg, HealthCheckPort="8081")
        assert health(elbv2, tg, Targets=[{"Id": bound}]) == [(bound, "8081", "unhealthy", "Target.FailedHealthChecks")]
        ec2.create_tags(Resources=[bound], Tags=[{"Key": "vpclab:port:8081", "Value": f"127.0.0.1:{backend.port}"}])
        assert health(elbv2, tg, Targets=[{"Id": bound}]) == [(bound, "8081", "healthy", None)]
        elbv2.modify_target_group(TargetGroupArn=tg, HealthCheckEnabled=False)
        assert health(elbv2, tg, Targets=[{"Id": bound}])[0][2:] == ("unavailable", "Target.HealthCheckDisabled")
        # An ip target is bound through the instance that holds the address.
        ip_tg = target_group(elbv2, ip_name, vpc, target_type="ip", port=80)["TargetGroupArn"]
        addr = ec2.describe_instances(InstanceIds=[bound])["Reservations"][0]["Instances"][0]["PrivateIpAddress"]
        elbv2.register_targets(TargetGroupArn=ip_tg, Targets=[{"Id": addr}])
        elbv2.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="TCP", Port=81, DefaultActions=forward(ip_tg))
        assert health(elbv2, ip_tg) == [(addr, "80", "healthy", None)]
        backend.close()
        assert health(elbv2, ip_tg) == [(addr, "80", "unhealthy", "Target.FailedHealthChecks")]
    finally:
        backend.close()


def test_tags_on_every_resource(lab, ec2, elbv2, unique):
    vpc, subnets = network(ec2, 200)
    [lb_name, tg_name] = names(unique, 2)
    lb = nlb(elbv2, lb_name, subnets[:1], Tags=[{"Key": "team", "Value": "net"}])["LoadBalancerArn"]
    tg = target_group(elbv2, tg_name, vpc, Tags=[{"Key": "team", "Value": "app"}])["TargetGroupArn"]
    ln = elbv2.create_listener(LoadBalancerArn=lb, Protocol="TCP", Port=80, DefaultActions=forward(tg))["Listeners"][0]["ListenerArn"]
    elbv2.add_tags(ResourceArns=[lb, tg, ln], Tags=[{"Key": "env", "Value": "test"}])
    got = {d["ResourceArn"]: {t["Key"]: t["Value"] for t in d["Tags"]} for d in elbv2.describe_tags(ResourceArns=[lb, tg, ln])["TagDescriptions"]}
    assert got == {lb: {"team": "net", "env": "test"}, tg: {"team": "app", "env": "test"}, ln: {"env": "test"}}
    elbv2.remove_tags(ResourceArns=[lb], TagKeys=["team", "absent"])
    assert elbv2.describe_tags(ResourceArns=[lb])["TagDescriptions"][0]["Tags"] == [{"Key": "env", "Value": "test"}]
    before = elbv2.describe_tags(ResourceArns=[lb, tg, ln])["TagDescriptions"]
    refused("DuplicateTagKeys", elbv2.add_tags, ResourceArns=[lb], Tags=[{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}])
    refused("TooManyTags", elbv2.add_tags, ResourceArns=[lb, tg], Tags=[{"Key": f"k{i}", "Value": ""} for i in range(50)])
    refused("ValidationError", elbv2.add_tags, ResourceArns=[lb], Tags=[{"Key": "aws:x", "Value": "1"}])
    refused("LoadBalancerNotFound", elbv2.add_tags, ResourceArns=[tg, lb.replace(lb_name, "nope")], Tags=[{"Key": "x", "Value": "1"}])
    refused("TargetGroupNotFound", elbv2.describe_tags, ResourceArns=[tg.replace(tg_name, "nope")])
    assert elbv2.describe_tags(ResourceArns=[lb, tg, ln])["TagDescriptions"] == before


def test_another_account_sees_none_of_it(lab, ec2, elbv2, unique):
    vpc, subnets = network(ec2, 201)
    [lb_name, tg_name] = names(unique, 2)
    lb = nlb(elbv2, lb_name, subnets[:1])["LoadBalancerArn"]
    tg = target_group(elbv2, tg_name, vpc)["TargetGroupArn"]
    ln = elbv2.create_listener(LoadBalancerArn=lb, Protocol="TCP", Port=80, DefaultActions=forward(tg))["Listeners"][0]["ListenerArn"]
    lab.add_key("444455556666", "elb-other", "elb-other-secret")
    other = lab.client("elbv2", key="elb-other", secret="elb-other-secret")
    assert other.describe_load_balancers()["LoadBalancers"] == []
    assert other.describe_target_groups()["TargetGroups"] == []
    refused("LoadBalancerNotFound", other.describe_load_balancers, LoadBalancerArns=[lb])
    refused("LoadBalancerNotFound", other.describe_load_balancers, Names=[lb_name])
    refused("TargetGroupNotFound", other.describe_target_groups, TargetGroupArns=[tg])
    refused("ListenerNotFound", other.describe_listeners, ListenerArns=[ln])
    refused("TargetGroupNotFound", other.register_targets, TargetGroupArn=tg, Targets=[{"Id": "i-0fffffffffffffff0"}])
    refused("TargetGroupNotFound", other.describe_target_health, TargetGroupArn=tg)
    refused("LoadBalancerNotFound", other.add_tags, ResourceArns=[lb], Tags=[{"Key": "x", "Value": "y"}])
    refused("ListenerNotFound", other.delete_listener, ListenerArn=ln)
    # Deleting what one cannot see succeeds and changes nothing (AWS: a load balancer
    # that does not exist is no error).
    other.delete_load_balancer(LoadBalancerArn=lb)
    other.delete_target_group(TargetGroupArn=tg)
    assert elbv2.describe_load_balancers(LoadBalancerArns=[lb])["LoadBalancers"][0]["State"]["Code"] == "active"
    assert elbv2.describe_target_groups(TargetGroupArns=[tg])["TargetGroups"][0]["LoadBalancerArns"] == [lb]


def test_the_cli_drives_a_network_load_balancer(lab, ec2, unique):
    vpc, subnets = network(ec2, 202)
    [lb_name, tg_name] = names(unique, 2)
    _, out = lab.aws("elbv2", "create-load-balancer", "--name", lb_name, "--type", "network", "--scheme", "internal",
                     "--subnets", *subnets, "--tags", "Key=Name,Value=cli")
    lb = out["LoadBalancers"][0]["LoadBalancerArn"]
    _, out = lab.aws("elbv2", "create-target-group", "--name", tg_name, "--protocol", "TCP", "--port", "80",
                     "--vpc-id", vpc, "--target-type", "ip")
    tg = out["TargetGroups"][0]["TargetGroupArn"]
    lab.aws("elbv2", "register-targets", "--target-group-arn", tg, "--targets", "Id=10.202.1.20", "Id=10.202.2.20,Port=8080")
    _, out = lab.aws("elbv2", "create-listener", "--load-balancer-arn", lb, "--protocol", "TCP", "--port", "80",
                     "--default-actions", f"Type=forward,TargetGroupArn={tg}")
    assert out["Listeners"][0]["Port"] == 80
    _, out = lab.aws("elbv2", "describe-target-health", "--target-group-arn", tg)
    assert [(d["Target"]["Id"], d["Target"]["Port"], d["TargetHealth"]["State"]) for d in out["TargetHealthDescriptions"]] == [
        ("10.202.1.20", 80, "unhealthy"), ("10.202.2.20", 8080, "unhealthy")]
    lab.aws("elbv2", "modify-target-group-attributes", "--target-group-arn", tg, "--attributes", "Key=proxy_protocol_v2.enabled,Value=true")
    _, out = lab.aws("elbv2", "describe-target-group-attributes", "--target-group-arn", tg)
    assert {"Key": "proxy_protocol_v2.enabled", "Value": "true"} in out["Attributes"]
    _, out = lab.aws("elbv2", "describe-load-balancers", "--names", lb_name)
    assert out["LoadBalancers"][0]["Type"] == "network"
    code, err = lab.aws("elbv2", "create-load-balancer", "--name", lb_name + "-", "--type", "network", "--subnets", *subnets, check=False)
    assert code != 0 and "ValidationError" in err
    code, err = lab.aws("elbv2", "delete-target-group", "--target-group-arn", tg, check=False)
    assert code != 0 and "ResourceInUse" in err
    lab.aws("elbv2", "delete-load-balancer", "--load-balancer-arn", lb)
    lab.aws("elbv2", "delete-target-group", "--target-group-arn", tg)
    _, out = lab.aws("elbv2", "describe-target-groups", "--query", f"TargetGroups[?TargetGroupArn=='{tg}']")
    assert out == []


def test_load_balancers_survive_a_restart():
    lab = Lab(quotas=ROOMY).start()
    try:
        ec2, elbv2 = lab.client("ec2"), lab.client("elbv2")
        vpc, subnets = network(ec2, 203)
        eip = ec2.allocate_address()["AllocationId"]
        lb = elbv2.create_load_balancer(Name="durable", Type="network", SubnetMappings=[
            {"SubnetId": subnets[0], "AllocationId": eip}, {"SubnetId": subnets[1]}], Tags=[{"Key": "k", "Value": "v"}])["LoadBalancers"][0]
        arn = lb["LoadBalancerArn"]
        tg = target_group(elbv2, "durable", vpc, target_type="ip")["TargetGroupArn"]
        elbv2.register_targets(TargetGroupArn=tg, Targets=[{"Id": "10.203.1.9"}])
        elbv2.modify_target_group_attributes(TargetGroupArn=tg, Attributes=[{"Key": "proxy_protocol_v2.enabled", "Value": "true"}])
        elbv2.modify_load_balancer_attributes(LoadBalancerArn=arn, Attributes=[{"Key": "deletion_protection.enabled", "Value": "true"}])
        ln = elbv2.create_listener(LoadBalancerArn=arn, Protocol="TCP", Port=443, DefaultActions=forward(tg))["Listeners"][0]

        def everything():
            return (
                elbv2.describe_load_balancers(LoadBalancerArns=[arn])["LoadBalancers"],
                elbv2.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"],
                elbv2.describe_target_groups(TargetGroupArns=[tg])["TargetGroups"],
                elbv2.describe_target_group_attributes(TargetGroupArn=tg)["Attributes"],
                elbv2.describe_listeners(LoadBalancerArn=arn)["Listeners"],
                elbv2.describe_tags(ResourceArns=[arn, tg])["TagDescriptions"],
                [(h["Target"], h["TargetHealth"]["State"]) for h in elbv2.describe_target_health(TargetGroupArn=tg)["TargetHealthDescriptions"]],
                nlb_interfaces(ec2, lb),
            )

        before = everything()
        assert before[4] == [ln]
        lab.kill9()
        lab.start()
        ec2, elbv2 = lab.client("ec2"), lab.client("elbv2")
        assert everything() == before
        # The restarted lab goes on from where it was: new names, ids and addresses.
        refused("OperationNotPermitted", elbv2.delete_load_balancer, LoadBalancerArn=arn)
        refused("DuplicateTargetGroupName", elbv2.create_target_group, Name="durable", Protocol="TCP", Port=81, VpcId=vpc, TargetType="ip")
    finally:
        lab.cleanup()


def test_requests_are_signed_and_answered_in_the_query_error_shape(lab):
    wrong = lab.client("elbv2", secret="not-the-secret")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        wrong.describe_load_balancers()
    assert error_code(e) == "SignatureDoesNotMatch"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    unknown = lab.client("elbv2", key="nobody", secret="x")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        unknown.describe_target_groups()
    assert error_code(e) == "InvalidClientTokenId"
    # The raw error document is the query protocol's, with ELBv2's namespace.
    import urllib.request

    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    body = "Action=DescribeLoadBalancers&Version=2015-12-01&LoadBalancerArns.member.1=nope"
    req = AWSRequest(method="POST", url=lab.endpoint + "/", data=body,
                     headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    SigV4Auth(Credentials("test", "test"), "elasticloadbalancing", "us-east-1").add_auth(req)
    http = urllib.request.Request(lab.endpoint + "/", data=body.encode(), headers=dict(req.headers.items()), method="POST")
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(http)
    assert e.value.code == 400
    doc = e.value.read().decode()
    assert doc.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/">'), doc
    assert "<Error><Type>Sender</Type><Code>ValidationError</Code><Message>" in doc and "<RequestId>" in doc
    ok_body = "Action=DescribeLoadBalancers&Version=2015-12-01"
    req = AWSRequest(method="POST", url=lab.endpoint + "/", data=ok_body,
                     headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    SigV4Auth(Credentials("test", "test"), "elasticloadbalancing", "us-east-1").add_auth(req)
    http = urllib.request.Request(lab.endpoint + "/", data=ok_body.encode(), headers=dict(req.headers.items()), method="POST")
    doc = urllib.request.urlopen(http).read().decode()
    assert re.match(r'<\?xml version="1.0" encoding="UTF-8"\?>\n<DescribeLoadBalancersResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"><DescribeLoadBalancersResult><LoadBalancers', doc), doc
    assert re.search(r"</DescribeLoadBalancersResult><ResponseMetadata><RequestId>[^<]+</RequestId></ResponseMetadata></DescribeLoadBalancersResponse>$", doc), doc
