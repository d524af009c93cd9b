"""VPC endpoint services (AWS PrivateLink) across two accounts through boto3 and the aws
CLI: the provider fronts a network load balancer with an endpoint service and lists the
principals allowed to connect; a consumer outside them is refused, an admitted one
creates an interface endpoint that waits for acceptance; the provider sees the
connection and accepts or rejects it; a verified private DNS name resolves to the
endpoint inside the consumer's VPC only; every refusal comes with AWS's code and changes
nothing."""

import json
import os
import re
import subprocess
import sys

import botocore.exceptions
import pytest

from conftest import BINARY, REGION, error_code

# The consumer is the lab's default account (the key `vpclab dig` and the CLI use); the
# provider and an outsider are accounts of their own.
CONSUMER = "000000000000"
PROVIDER = "111122223333"
OUTSIDER = "444455556666"
AMI = "ami-12345678"
DEFAULT_POLICY = '{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}'


@pytest.fixture(scope="module")
def accounts(lab):
    lab.add_key(PROVIDER, "svc-provider", "svc-provider-secret")
    lab.add_key(OUTSIDER, "svc-outsider", "svc-outsider-secret")
    return {
        "provider": (lab.client("ec2", key="svc-provider", secret="svc-provider-secret"),
                     lab.client("elbv2", key="svc-provider", secret="svc-provider-secret")),
        "outsider": lab.client("ec2", key="svc-outsider", secret="svc-outsider-secret"),
    }


@pytest.fixture
def provider(accounts):
    return accounts["provider"][0]


@pytest.fixture
def elbv2(accounts):
    return accounts["provider"][1]


@pytest.fixture
def outsider(accounts):
    return accounts["outsider"]


def refused(code, call, *args, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        call(*args, **kwargs)
    assert error_code(e) == code, (kwargs, e.value.response["Error"])
    return e.value.response["Error"]["Message"]


def network(ec2, second_octet, zones="ab", hostnames=True):
    """A VPC 10.<n>.0.0/16 (DNS host names on) with one subnet per zone letter."""
    vpc = ec2.create_vpc(CidrBlock=f"10.{second_octet}.0.0/16")["Vpc"]["VpcId"]
    if hostnames:
        ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.{second_octet}.{i + 1}.0/24", AvailabilityZone=f"{REGION}{z}")["Subnet"]["SubnetId"]
        for i, z in enumerate(zones)
    ]
    return vpc, subnets


def nlb(provider, elbv2, second_octet, name, zones="ab"):
    """The provider's internal network load balancer in its own VPC, one subnet per zone."""
    _, subnets = network(provider, second_octet, zones)
    lb = elbv2.create_load_balancer(Name=name, Subnets=subnets, Scheme="internal", Type="network")
    return lb["LoadBalancers"][0]["LoadBalancerArn"]


def service(provider, arn, **kw):
    return provider.create_vpc_endpoint_service_configuration(NetworkLoadBalancerArns=[arn], **kw)["ServiceConfiguration"]


def configuration(provider, sid):
    return provider.describe_vpc_endpoint_service_configurations(ServiceIds=[sid])["ServiceConfigurations"][0]


def allow(provider, sid, *principals):
    return provider.modify_vpc_endpoint_service_permissions(ServiceId=sid, AddAllowedPrincipals=list(principals))


def endpoint(ec2, eid):
    return ec2.describe_vpc_endpoints(VpcEndpointIds=[eid])["VpcEndpoints"][0]


def connect(ec2, vpc, name, subnets, **kw):
    return ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=name, VpcEndpointType="Interface", SubnetIds=subnets, **kw)["VpcEndpoint"]


def connections(provider, *filters):
    return provider.describe_vpc_endpoint_connections(Filters=[{"Name": n, "Values": v} for n, v in filters])["VpcEndpointConnections"]


def visible(ec2, name):
    return name in ec2.describe_vpc_endpoint_services()["ServiceNames"]


def aws_as(lab, key, secret, *args):
    """The real `aws` CLI signed with another account's key; returns (exit code, JSON or
    stderr)."""
    env = dict(os.environ, AWS_ACCESS_KEY_ID=key, AWS_SECRET_ACCESS_KEY=secret, AWS_DEFAULT_REGION=REGION,
               AWS_PAGER="", AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")
    aws = os.path.join(os.path.dirname(sys.executable), "aws")
    p = subprocess.run([aws, "--endpoint-url", lab.endpoint, "--output", "json", *args], env=env, capture_output=True, text=True)
    if p.returncode == 0:
        return 0, (json.loads(p.stdout) if p.stdout.strip() else {})
    return p.returncode, p.stderr


def dig(lab, instance, name):
    env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION=REGION,
               VPCLAB_ENDPOINT=lab.endpoint, AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")
    p = subprocess.run([BINARY, "dig", instance, name], env=env, capture_output=True, text=True)
    return p.returncode, p.stdout


def test_the_provider_creates_describes_and_deletes_a_service(lab, provider, elbv2, unique):
    arn = nlb(provider, elbv2, 150, f"svc-{unique}")
    made = provider.create_vpc_endpoint_service_configuration(
        NetworkLoadBalancerArns=[arn], PrivateDnsName="api.example.com", ClientToken=unique,
        TagSpecifications=[{"ResourceType": "vpc-endpoint-service", "Tags": [{"Key": "Name", "Value": unique}]}],
    )
    assert made["ClientToken"] == unique
    svc = made["ServiceConfiguration"]
    sid = svc["ServiceId"]
    assert re.fullmatch(r"vpce-svc-[0-9a-f]{17}", sid)
    dns = svc.pop("PrivateDnsNameConfiguration")
    assert svc == {
        "ServiceType": [{"ServiceType": "Interface"}],
        "ServiceId": sid,
        "ServiceName": f"com.amazonaws.vpce.{REGION}.{sid}",
        "ServiceState": "Available",
        "AvailabilityZoneIds": ["use1-az1", "use1-az2"],
        "AvailabilityZones": [f"{REGION}a", f"{REGION}b"],
        # AWS's default.
        "AcceptanceRequired": True,
        "ManagesVpcEndpoints": False,
        "NetworkLoadBalancerArns": [arn],
        "SupportedIpAddressTypes": ["ipv4"],
        "BaseEndpointDnsNames": [f"{sid}.{REGION}.vpce.amazonaws.com"],
        "PrivateDnsName": "api.example.com",
        "Tags": [{"Key": "Name", "Value": unique}],
    }
    assert dns["State"] == "pendingVerification" and dns["Type"] == "TXT"
    assert re.fullmatch(r"vpce:[A-Za-z0-9]{20}", dns["Value"]) and re.fullmatch(r"_[a-z0-9]{20}", dns["Name"])
    assert configuration(provider, sid)["PrivateDnsNameConfiguration"] == dns

    def ids(*filters):
        found = provider.describe_vpc_endpoint_service_configurations(Filters=[{"Name": n, "Values": v} for n, v in filters])
        return {s["ServiceId"] for s in found["ServiceConfigurations"]}

    assert ids(("service-id", [sid])) == {sid}
    assert ids(("tag:Name", [unique]), ("service-state", ["Available"])) == {sid}
    assert ids(("service-name", [svc["ServiceName"]]), ("supported-ip-address-types", ["ipv6"])) == set()
    # The owner sees its service in the catalogue too, after AWS's own.
    detail = provider.describe_vpc_endpoint_services(ServiceNames=[svc["ServiceName"]])["ServiceDetails"][0]
    assert detail["Owner"] == PROVIDER and detail["VpcEndpointPolicySupported"] is False
    assert detail["PrivateDnsNameVerificationState"] == "pendingVerification"
    # Verified at once: the lab has no public DNS to find the TXT record in.
    assert provider.start_vpc_endpoint_service_private_dns_verification(ServiceId=sid)["ReturnValue"] is True
    assert configuration(provider, sid)["PrivateDnsNameConfiguration"]["State"] == "verified"
    # The same load balancer cannot front a second service, nor go while it fronts one.
    refused("InvalidParameter", provider.create_vpc_endpoint_service_configuration, NetworkLoadBalancerArns=[arn])
    refused("ResourceInUse", elbv2.delete_load_balancer, LoadBalancerArn=arn)
    assert provider.delete_vpc_endpoint_service_configurations(ServiceIds=[sid])["Unsuccessful"] == []
    elbv2.delete_load_balancer(LoadBalancerArn=arn)
    refused("InvalidVpcEndpointServiceId.NotFound", provider.describe_vpc_endpoint_service_configurations, ServiceIds=[sid])
    out = provider.delete_vpc_endpoint_service_configurations(ServiceIds=[sid])
    assert [(u["ResourceId"], u["Error"]["Code"]) for u in out["Unsuccessful"]] == [(sid, "InvalidVpcEndpointService.NotFound")]


def test_load_balancers_are_checked_as_aws_checks_them(lab, ec2, provider, elbv2, unique):
    arn = nlb(provider, elbv2, 151, f"chk-{unique}")
    before = provider.describe_vpc_endpoint_service_configurations()["ServiceConfigurations"]
    refused("InvalidNetworkLoadBalancerArn.Malformed", provider.create_vpc_endpoint_service_configuration, NetworkLoadBalancerArns=["my-nlb"])
    refused("InvalidNetworkLoadBalancerArn.NotFound", provider.create_vpc_endpoint_service_configuration,
            NetworkLoadBalancerArns=[arn.rsplit("/", 1)[0] + "/0123456789abcdef"])
    refused("InvalidParameter", provider.create_vpc_endpoint_service_configuration)
    refused("InvalidParameter", provider.create_vpc_endpoint_service_configuration, NetworkLoadBalancerArns=[arn], SupportedIpAddressTypes=["ipv6"])
    refused("InvalidParameter", provider.create_vpc_endpoint_service_configuration, NetworkLoadBalancerArns=[arn], PrivateDnsName="not a domain")
    # Another account's load balancer does not exist for the caller.
    refused("InvalidNetworkLoadBalancerArn.NotFound", ec2.create_vpc_endpoint_service_configuration, NetworkLoadBalancerArns=[arn])
    assert provider.describe_vpc_endpoint_service_configurations()["ServiceConfigurations"] == before
    refused("InvalidVpcEndpointServiceIdId.Malformed", provider.describe_vpc_endpoint_service_configurations, ServiceIds=["vpce-svc-nope"])


def test_only_allowed_principals_see_and_connect(lab, ec2, provider, elbv2, outsider, unique):
    arn = nlb(provider, elbv2, 152, f"prn-{unique}")
    svc = service(provider, arn)
    sid, name = svc["ServiceId"], svc["ServiceName"]
    vpc, subnets = network(ec2, 153)
    # Not allowed yet: the consumer neither sees nor reaches the service.
    assert not visible(ec2, name)
    refused("InvalidServiceName", ec2.describe_vpc_endpoint_services, ServiceNames=[name])
    refused("InvalidServiceName", connect, ec2, vpc, name, subnets)
    assert ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["VpcEndpoints"] == []
    # The provider allows the consumer's account (CLI, provider's key).
    code, out = aws_as(lab, "svc-provider", "svc-provider-secret", "ec2", "modify-vpc-endpoint-service-permissions",
                       "--service-id", sid, "--add-allowed-principals", f'["arn:aws:iam::{CONSUMER}:root"]')
    assert code == 0, out
    assert out["ReturnValue"] is True
    [added] = out["AddedPrincipals"]
    assert (added["PrincipalType"], added["Principal"], added["ServiceId"]) == ("Account", f"arn:aws:iam::{CONSUMER}:root", sid)
    assert re.fullmatch(r"vpce-svc-perm-[0-9a-f]{17}", added["ServicePermissionId"])
    allowed = provider.describe_vpc_endpoint_service_permissions(ServiceId=sid)["AllowedPrincipals"]
    assert [(p["PrincipalType"], p["Principal"], p["ServicePermissionId"]) for p in allowed] == [
        ("Account", f"arn:aws:iam::{CONSUMER}:root", added["ServicePermissionId"])]
    assert provider.describe_vpc_endpoint_service_permissions(
        ServiceId=sid, Filters=[{"Name": "principal-type", "Values": ["Role"]}])["AllowedPrincipals"] == []
    # Now the consumer sees it (the CLI too), with the provider as owner.
    _, out = lab.aws("ec2", "describe-vpc-endpoint-services", "--service-names", name)
    [detail] = out["ServiceDetails"]
    assert out["ServiceNames"] == [name]
    assert (detail["ServiceId"], detail["Owner"], detail["AcceptanceRequired"]) == (sid, PROVIDER, True)
    assert detail["ServiceType"] == [{"ServiceType": "Interface"}]
    assert detail["AvailabilityZones"] == [f"{REGION}a", f"{REGION}b"]
    assert detail["BaseEndpointDnsNames"] == [f"{sid}.{REGION}.vpce.amazonaws.com"]
    assert detail["VpcEndpointPolicySupported"] is False and detail["ManagesVpcEndpoints"] is False
    assert detail["Tags"] == []
    found = ec2.describe_vpc_endpoint_services(Filters=[{"Name": "owner", "Values": [PROVIDER]}])["ServiceDetails"]
    assert sid in {d["ServiceId"] for d in found}
    # The outsider still does not.
    assert not visible(outsider, name)
    refused("InvalidServiceName", outsider.describe_vpc_endpoint_services, ServiceNames=[name])
    # Bad principals are refused and change nothing; only the owner manages them.
    for bad in ["123456789012", "arn:aws:iam::123:root", "arn:aws:iam::123456789012:group/ops"]:
        refused("InvalidParameter", allow, provider, sid, bad)
    refused("InvalidVpcEndpointServiceId.NotFound", allow, ec2, sid, "*")
    refused("InvalidVpcEndpointServiceId.NotFound", ec2.describe_vpc_endpoint_service_permissions, ServiceId=sid)
    assert provider.describe_vpc_endpoint_service_permissions(ServiceId=sid)["AllowedPrincipals"] == allowed
    # `*` admits everyone; taking it away hides the service again.
    allow(provider, sid, "*")
    assert visible(outsider, name)
    provider.modify_vpc_endpoint_service_permissions(ServiceId=sid, RemoveAllowedPrincipals=["*"])
    assert not visible(outsider, name)


def test_acceptance_accept_and_reject(lab, ec2, provider, elbv2, unique):
    arn = nlb(provider, elbv2, 154, f"acc-{unique}")
    svc = service(provider, arn)
    sid, name = svc["ServiceId"], svc["ServiceName"]
    allow(provider, sid, f"arn:aws:iam::{CONSUMER}:role/app")
    vpc, [a, b, c] = network(ec2, 155, zones="abc")
    sg = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"][0]["GroupId"]
    # Subnets only in the service's zones; no endpoint policy.
    message = refused("InvalidParameter", connect, ec2, vpc, name, [c])
    assert "does not support the availability zone" in message
    refused("InvalidParameter", connect, ec2, vpc, name, [a], PolicyDocument=DEFAULT_POLICY)
    refused("InvalidParameter", connect, ec2, vpc, name, [a], PrivateDnsEnabled=True)
    assert ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["VpcEndpoints"] == []

    # The consumer's CLI creates the endpoint: it waits for the provider.
    _, out = lab.aws("ec2", "create-vpc-endpoint", "--vpc-id", vpc, "--service-name", name, "--vpc-endpoint-type", "Interface",
                     "--subnet-ids", a, b)
    e = out["VpcEndpoint"]
    eid = e["VpcEndpointId"]
    assert e["State"] == "pendingAcceptance"
    assert (e["ServiceName"], e["VpcEndpointType"], e["OwnerId"]) == (name, "Interface", CONSUMER)
    assert e["Groups"] == [{"GroupId": sg, "GroupName": "default"}]
    assert e["PrivateDnsEnabled"] is False and e["PolicyDocument"] == DEFAULT_POLICY
    assert len(e["NetworkInterfaceIds"]) == 2
    names = [d["DnsName"] for d in e["DnsEntries"]]
    stem = re.escape(eid) + r"-[a-z0-9]{8}"
    tail = r"\." + re.escape(sid) + r"\.us-east-1\.vpce\.amazonaws\.com"
    assert re.fullmatch(stem + tail, names[0]), names
    assert re.fullmatch(stem + r"-us-east-1a" + tail, names[1]) and re.fullmatch(stem + r"-us-east-1b" + tail, names[2]), names
    assert len(names) == 3

    # The provider sees the connection, and nothing of the consumer's VPC.
    [conn] = connections(provider, ("service-id", [sid]))
    assert conn["VpcEndpointId"] == eid and conn["VpcEndpointOwner"] == CONSUMER
    assert conn["VpcEndpointState"] == "pendingAcceptance"
    assert conn["NetworkLoadBalancerArns"] == [arn] and conn["ServiceId"] == sid
    described = endpoint(ec2, eid)
    assert conn["DnsEntries"] == described["DnsEntries"] and conn["CreationTimestamp"] == described["CreationTimestamp"]
    assert conn["IpAddressType"] == "ipv4" and conn["VpcEndpointRegion"] == REGION
    assert re.fullmatch(r"vpce-con-[0-9a-f]{17}", conn["VpcEndpointConnectionId"])
    assert "VpcId" not in conn and "SubnetIds" not in conn
    assert [x["VpcEndpointId"] for x in connections(provider, ("vpc-endpoint-state", ["pendingAcceptance"]), ("vpc-endpoint-owner", [CONSUMER]))
            if x["ServiceId"] == sid] == [eid]
    assert connections(provider, ("vpc-endpoint-id", [eid]), ("vpc-endpoint-state", ["available"])) == []
    refused("InvalidParameterValue", provider.describe_vpc_endpoint_connections, Filters=[{"Name": "vpc-id", "Values": [vpc]}])
    assert all(x["ServiceId"] != sid for x in ec2.describe_vpc_endpoint_connections()["VpcEndpointConnections"])
    refused("InvalidVpcEndpointId.NotFound", provider.describe_vpc_endpoints, VpcEndpointIds=[eid])
    refused("InvalidVpcEndpointId.NotFound", provider.modify_vpc_endpoint, VpcEndpointId=eid, AddSubnetIds=[c])
    assert [u["Error"]["Code"] for u in provider.delete_vpc_endpoints(VpcEndpointIds=[eid])["Unsuccessful"]] == ["InvalidVpcEndpointId.NotFound"]
    # The consumer cannot accept its own endpoint.
    refused("InvalidVpcEndpointServiceId.NotFound", ec2.accept_vpc_endpoint_connections, ServiceId=sid, VpcEndpointIds=[eid])
    # A connected service is not deleted.
    out = provider.delete_vpc_endpoint_service_configurations(ServiceIds=[sid])
    assert [(u["ResourceId"], u["Error"]["Code"]) for u in out["Unsuccessful"]] == [(sid, "ExistingVpcEndpointConnections")]
    assert endpoint(ec2, eid)["State"] == "pendingAcceptance"

    # Accept (with an unknown endpoint among the ids: it alone comes back).
    unknown = "vpce-0123456789abcdef0"
    out = provider.accept_vpc_endpoint_connections(ServiceId=sid, VpcEndpointIds=[eid, unknown])
    assert [(u["ResourceId"], u["Error"]["Code"]) for u in out["Unsuccessful"]] == [(unknown, "InvalidVpcEndpoint.NotFound")]
    assert endpoint(ec2, eid)["State"] == "available"
    assert connections(provider, ("vpc-endpoint-id", [eid]))[0]["VpcEndpointState"] == "available"
    out = provider.accept_vpc_endpoint_connections(ServiceId=sid, VpcEndpointIds=[eid])
    assert [u["Error"]["Code"] for u in out["Unsuccessful"]] == ["InvalidState"]
    # Reject an available endpoint (provider's CLI).
    code, out = aws_as(lab, "svc-provider", "svc-provider-secret", "ec2", "reject-vpc-endpoint-connections",
                       "--service-id", sid, "--vpc-endpoint-ids", eid)
    assert code == 0 and out["Unsuccessful"] == [], out
    assert endpoint(ec2, eid)["State"] == "rejected"
    out = provider.reject_vpc_endpoint_connections(ServiceId=sid, VpcEndpointIds=[eid])
    assert [u["Error"]["Code"] for u in out["Unsuccessful"]] == ["InvalidState"]
    # Rejected endpoints do not hold the service; the consumer deletes its own.
    assert provider.delete_vpc_endpoint_service_configurations(ServiceIds=[sid])["Unsuccessful"] == []
    assert ec2.delete_vpc_endpoints(VpcEndpointIds=[eid])["Unsuccessful"] == []


def test_an_endpoint_rejected_while_pending_cannot_be_accepted(lab, ec2, provider, elbv2, unique):
    arn = nlb(provider, elbv2, 156, f"rej-{unique}")
    svc = service(provider, arn)
    allow(provider, svc["ServiceId"], "*")
    vpc, [a] = network(ec2, 157, zones="a")
    eid = connect(ec2, vpc, svc["ServiceName"], [a])["VpcEndpointId"]
    assert provider.reject_vpc_endpoint_connections(ServiceId=svc["ServiceId"], VpcEndpointIds=[eid])["Unsuccessful"] == []
    assert endpoint(ec2, eid)["State"] == "rejected"
    out = provider.accept_vpc_endpoint_connections(ServiceId=svc["ServiceId"], VpcEndpointIds=[eid, "vpce-bad"])
    assert [u["Error"]["Code"] for u in out["Unsuccessful"]] == ["InvalidState", "InvalidVpcEndpointId.Malformed"]


def test_without_acceptance_the_endpoint_is_available_at_once(lab, ec2, provider, elbv2, unique):
    arn = nlb(provider, elbv2, 158, f"auto-{unique}")
    svc = service(provider, arn, AcceptanceRequired=False)
    assert svc["AcceptanceRequired"] is False
    allow(provider, svc["ServiceId"], f"arn:aws:iam::{CONSUMER}:user/alice")
    vpc, [a, b] = network(ec2, 159)
    e = connect(ec2, vpc, svc["ServiceName"], [a, b])
    assert e["State"] == "available"
    assert connections(provider, ("vpc-endpoint-id", [e["VpcEndpointId"]]))[0]["VpcEndpointState"] == "available"
    # Acceptance switched on later leaves the connected endpoint as it is; new ones wait.
    assert provider.modify_vpc_endpoint_service_configuration(ServiceId=svc["ServiceId"], AcceptanceRequired=True)["Return"] is True
    assert endpoint(ec2, e["VpcEndpointId"])["State"] == "available"
    other_vpc, [c] = network(ec2, 160, zones="a")
    assert connect(ec2, other_vpc, svc["ServiceName"], [c])["State"] == "pendingAcceptance"
    # Taking a load balancer away while endpoints are connected is refused.
    arn2 = nlb(provider, elbv2, 161, f"auto2-{unique}", zones="c")
    refused("ExistingVpcEndpointConnections", provider.modify_vpc_endpoint_service_configuration,
            ServiceId=svc["ServiceId"], RemoveNetworkLoadBalancerArns=[arn], AddNetworkLoadBalancerArns=[arn2])
    assert configuration(provider, svc["ServiceId"])["NetworkLoadBalancerArns"] == [arn]
    # Adding one widens the service's zones.
    provider.modify_vpc_endpoint_service_configuration(ServiceId=svc["ServiceId"], AddNetworkLoadBalancerArns=[arn2])
    assert configuration(provider, svc["ServiceId"])["AvailabilityZones"] == [f"{REGION}a", f"{REGION}b", f"{REGION}c"]


def test_a_verified_private_dns_name_resolves_in_the_consumer_vpc_only(lab, ec2, provider, elbv2, unique):
    private_name = f"api-{unique}.example.com"
    arn = nlb(provider, elbv2, 162, f"dns-{unique}")
    svc = service(provider, arn, AcceptanceRequired=False, PrivateDnsName=private_name)
    sid, name = svc["ServiceId"], svc["ServiceName"]
    allow(provider, sid, f"arn:aws:iam::{CONSUMER}:root")
    vpc, [a, b] = network(ec2, 163)
    # Not verified yet: private DNS is refused, and off by default.
    message = refused("InvalidParameter", connect, ec2, vpc, name, [a, b], PrivateDnsEnabled=True)
    assert "has not verified the private DNS name" in message
    assert ec2.describe_vpc_endpoint_services(ServiceNames=[name])["ServiceDetails"][0]["PrivateDnsNameVerificationState"] == "pendingVerification"
    provider.start_vpc_endpoint_service_private_dns_verification(ServiceId=sid)
    detail = ec2.describe_vpc_endpoint_services(ServiceNames=[name])["ServiceDetails"][0]
    assert detail["PrivateDnsName"] == private_name and detail["PrivateDnsNameVerificationState"] == "verified"
    assert detail["PrivateDnsNames"] == [{"PrivateDnsName": private_name}]
    # Private DNS needs the VPC's DNS host names.
    plain_vpc, [p] = network(ec2, 164, zones="a", hostnames=False)
    refused("InvalidParameter", connect, ec2, plain_vpc, name, [p], PrivateDnsEnabled=True)

    e = connect(ec2, vpc, name, [a, b], PrivateDnsEnabled=True)
    eid = e["VpcEndpointId"]
    assert e["PrivateDnsEnabled"] is True
    assert [d["DnsName"] for d in e["DnsEntries"]][3:] == [private_name]
    ips = {n["SubnetId"]: n["PrivateIpAddress"]
           for n in ec2.describe_network_interfaces(NetworkInterfaceIds=e["NetworkInterfaceIds"])["NetworkInterfaces"]}
    inside = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=a)["Instances"][0]["InstanceId"]
    code, out = dig(lab, inside, private_name)
    assert code == 0, out
    assert out.split("\t")[2] == ips[a] and f"interface-endpoint {eid}" in out
    # The endpoint's own names answer anywhere; the private name nowhere else.
    other_vpc, [o] = network(ec2, 165, zones="a")
    outside = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=o)["Instances"][0]["InstanceId"]
    assert dig(lab, outside, private_name)[0] == 3
    code, out = dig(lab, outside, e["DnsEntries"][2]["DnsName"])
    assert code == 0 and out.split("\t")[2] == ips[b]
    # A second endpoint to the same name in the same VPC conflicts.
    refused("InvalidParameter", connect, ec2, vpc, name, [a], PrivateDnsEnabled=True)
    # The consumer turns private DNS off: the name stops answering.
    ec2.modify_vpc_endpoint(VpcEndpointId=eid, PrivateDnsEnabled=False)
    assert dig(lab, inside, private_name)[0] == 3
    ec2.modify_vpc_endpoint(VpcEndpointId=eid, PrivateDnsEnabled=True)
    assert dig(lab, inside, private_name)[0] == 0
    # The provider removes the name: the endpoint no longer holds it.
    provider.modify_vpc_endpoint_service_configuration(ServiceId=sid, RemovePrivateDnsName=True)
    assert "PrivateDnsName" not in configuration(provider, sid)
    assert dig(lab, inside, private_name)[0] == 3
    assert len(endpoint(ec2, eid)["DnsEntries"]) == 3


def test_modify_refusals_change_nothing(lab, ec2, provider, elbv2, unique):
    arn = nlb(provider, elbv2, 166, f"mod-{unique}")
    sid = service(provider, arn)["ServiceId"]
    before = configuration(provider, sid)
    refused("InvalidParameter", provider.modify_vpc_endpoint_service_configuration, ServiceId=sid, RemoveNetworkLoadBalancerArns=[arn])
    refused("InvalidParameterCombination", provider.modify_vpc_endpoint_service_configuration,
            ServiceId=sid, PrivateDnsName="a.example.com", RemovePrivateDnsName=True)
    refused("InvalidNetworkLoadBalancerArn.Malformed", provider.modify_vpc_endpoint_service_configuration,
            ServiceId=sid, AddNetworkLoadBalancerArns=["nlb"])
    refused("InvalidParameter", provider.modify_vpc_endpoint_service_configuration, ServiceId=sid, AddSupportedRegions=["us-west-2"])
    refused("InvalidParameter", provider.start_vpc_endpoint_service_private_dns_verification, ServiceId=sid)
    refused("InvalidVpcEndpointServiceId.NotFound", ec2.modify_vpc_endpoint_service_configuration, ServiceId=sid, AcceptanceRequired=False)
    refused("InvalidVpcEndpointServiceIdId.Malformed", provider.modify_vpc_endpoint_service_configuration, ServiceId="svc-1", AcceptanceRequired=False)
    assert configuration(provider, sid) == before
    # The CLI reads the configuration back.
    code, out = aws_as(lab, "svc-provider", "svc-provider-secret", "ec2", "describe-vpc-endpoint-service-configurations", "--service-ids", sid)
    assert code == 0 and out["ServiceConfigurations"][0]["ServiceId"] == sid, out
    assert provider.delete_vpc_endpoint_service_configurations(ServiceIds=[sid])["Unsuccessful"] == []
