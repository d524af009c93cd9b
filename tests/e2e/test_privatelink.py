"""PrivateLink end to end: a provider exposes an application behind a network load
balancer as an endpoint service; a consumer in another account reaches it through an
interface endpoint with `vpclab exec` + curl, with no route between the VPCs (whose CIDRs
overlap), and a real backend that parses the PROXY v2 header."""

import json
import os
import socket
import struct
import subprocess
import threading

import pytest

from conftest import BINARY

AMI = "ami-12345678"
CONSUMER = "222233334444"
PROXY_V2_SIGNATURE = b"\r\n\r\n\x00\r\nQUIT\n"


class Backend:
    """A host TCP server speaking just enough HTTP/1.1: it answers every request with a
    JSON body naming what it learned from a PROXY v2 header, if the connection began with
    one (the client's address and the VPC endpoint id from AWS's TLV 0xEA/0x01)."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self.serve, args=(conn,), daemon=True).start()

    @staticmethod
    def read_exact(conn, n):
        data = b""
        while len(data) < n:
            chunk = conn.recv(n - len(data))
            if not chunk:
                raise EOFError
            data += chunk
        return data

    def serve(self, conn):
        try:
            seen = {"proxy": False}
            first = self.read_exact(conn, 12)
            buffered = b""
            if first == PROXY_V2_SIGNATURE:
                ver_cmd, family, length = struct.unpack("!BBH", self.read_exact(conn, 4))
                body = self.read_exact(conn, length)
                seen["proxy"] = True
                assert ver_cmd == 0x21 and family == 0x11, (ver_cmd, family)
                src, dst, sport, dport = struct.unpack("!4s4sHH", body[:12])
                seen["client"] = socket.inet_ntoa(src)
                seen["client_port"] = sport
                tlvs = body[12:]
                while len(tlvs) >= 3:
                    kind, size = struct.unpack("!BH", tlvs[:3])
                    value, tlvs = tlvs[3:3 + size], tlvs[3 + size:]
                    if kind == 0xEA and value[:1] == b"\x01":
                        seen["vpce"] = value[1:].decode()
            else:
                buffered = first
            while b"\r\n\r\n" not in buffered:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                buffered += chunk
            body = json.dumps(seen).encode()
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                         + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)
        except (EOFError, OSError, AssertionError):
            pass
        finally:
            conn.close()

    def close(self):
        self.listener.close()


@pytest.fixture
def backend():
    b = Backend()
    yield b
    b.close()


def exec_in(lab, instance, key, secret, *cmd):
    env = dict(os.environ, AWS_ACCESS_KEY_ID=key, AWS_SECRET_ACCESS_KEY=secret, AWS_DEFAULT_REGION="us-east-1",
               VPCLAB_ENDPOINT=lab.endpoint, AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")
    p = subprocess.run([BINARY, "exec", instance, "--", *cmd], env=env, capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def curl(lab, instance, key, secret, url):
    code, out, err = exec_in(lab, instance, key, secret, "curl", "-s", "-m", "10", "-w", "\n%{http_code}", url)
    body, _, status = out.rpartition("\n")
    return int(status or 0), body.strip(), err


class World:
    """Provider (the default account) and consumer (another account), both VPCs
    10.93.0.0/16: an NLB listener on port 80 in front of an instance whose port 8080 is
    bound to the backend; the consumer's endpoint group admits port 80 from its VPC."""

    def __init__(self, lab, unique, backend, acceptance_required=True, proxy_protocol=False, nlb_group=False):
        self.lab = lab
        self.key, self.secret = f"pl-{unique}", f"pl-secret-{unique}"
        lab.add_key(CONSUMER, self.key, self.secret)
        ec2, elbv2 = lab.client("ec2"), lab.client("elbv2")
        self.ec2, self.elbv2 = ec2, elbv2
        self.cec2 = lab.client("ec2", key=self.key, secret=self.secret)
        vpc = ec2.create_vpc(CidrBlock="10.93.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.93.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
        app_sg = ec2.create_security_group(GroupName=f"app-{unique}", Description="app", VpcId=vpc)["GroupId"]
        ec2.authorize_security_group_ingress(GroupId=app_sg, IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "IpRanges": [{"CidrIp": "10.93.0.0/16"}]}])
        self.app = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet, SecurityGroupIds=[app_sg],
                                     TagSpecifications=[{"ResourceType": "instance", "Tags": [
                                         {"Key": "vpclab:port:8080", "Value": f"127.0.0.1:{backend.port}"}]}]
                                     )["Instances"][0]["InstanceId"]
        self.vpc = vpc
        # With nlb_group, the load balancer is created in a group of its own with no rule.
        self.nlb_sg = ec2.create_security_group(GroupName=f"nlb-{unique}", Description="nlb",
                                                VpcId=vpc)["GroupId"] if nlb_group else None
        self.lb = elbv2.create_load_balancer(Name=f"svc-{unique}", Type="network", Scheme="internal", Subnets=[subnet],
                                             **({"SecurityGroups": [self.nlb_sg]} if nlb_group else {})
                                             )["LoadBalancers"][0]["LoadBalancerArn"]
        self.tg = elbv2.create_target_group(Name=f"app-{unique}", Protocol="TCP", Port=8080, VpcId=vpc,
                                            TargetType="instance")["TargetGroups"][0]["TargetGroupArn"]
        if proxy_protocol:
            elbv2.modify_target_group_attributes(TargetGroupArn=self.tg, Attributes=[
                {"Key": "proxy_protocol_v2.enabled", "Value": "true"}])
        elbv2.register_targets(TargetGroupArn=self.tg, Targets=[{"Id": self.app}])
        self.listener = elbv2.create_listener(LoadBalancerArn=self.lb, Protocol="TCP", Port=80, DefaultActions=[
            {"Type": "forward", "TargetGroupArn": self.tg}])["Listeners"][0]["ListenerArn"]
        service = ec2.create_vpc_endpoint_service_configuration(
            NetworkLoadBalancerArns=[self.lb], AcceptanceRequired=acceptance_required)["ServiceConfiguration"]
        self.service_id, self.service_name = service["ServiceId"], service["ServiceName"]
        ec2.modify_vpc_endpoint_service_permissions(ServiceId=self.service_id,
                                                    AddAllowedPrincipals=[f"arn:aws:iam::{CONSUMER}:root"])
        cvpc = self.cec2.create_vpc(CidrBlock="10.93.0.0/16")["Vpc"]["VpcId"]
        self.cvpc = cvpc
        csubnet = self.cec2.create_subnet(VpcId=cvpc, CidrBlock="10.93.1.0/24",
                                          AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
        self.endpoint_sg = self.cec2.create_security_group(GroupName="to-svc", Description="svc",
                                                           VpcId=cvpc)["GroupId"]
        self.cec2.authorize_security_group_ingress(GroupId=self.endpoint_sg, IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "10.93.0.0/16"}]}])
        self.client = self.cec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1,
                                              SubnetId=csubnet)["Instances"][0]
        endpoint = self.cec2.create_vpc_endpoint(VpcEndpointType="Interface", VpcId=cvpc,
                                                 ServiceName=self.service_name, SubnetIds=[csubnet],
                                                 SecurityGroupIds=[self.endpoint_sg])["VpcEndpoint"]
        self.endpoint = endpoint["VpcEndpointId"]
        self.endpoint_name = endpoint["DnsEntries"][0]["DnsName"]

    def curl(self, url=None):
        return curl(self.lab, self.client["InstanceId"], self.key, self.secret, url or f"http://{self.endpoint_name}/")

    def state(self):
        return self.cec2.describe_vpc_endpoints(VpcEndpointIds=[self.endpoint])["VpcEndpoints"][0]["State"]


def test_the_lifecycle_pending_accepted_rejected(lab, unique, backend):
    w = World(lab, unique, backend)
    assert w.state() == "pendingAcceptance"
    status, body, err = w.curl()
    assert status == 403 and "BAD_STATE" in body and "pendingAcceptance" in body, body
    assert "pendingAcceptance" in err
    w.ec2.accept_vpc_endpoint_connections(ServiceId=w.service_id, VpcEndpointIds=[w.endpoint])
    assert w.state() == "available"
    status, body, err = w.curl()
    assert status == 200, (body, err)
    assert json.loads(body) == {"proxy": False}
    # The trace names every hop of the way.
    p = subprocess.run([BINARY, "reach", "--endpoint", lab.endpoint, "--from", w.client["InstanceId"],
                        "--to", f"{w.endpoint_name}:80", "--json"],
                       env=dict(os.environ, AWS_ACCESS_KEY_ID=w.key, AWS_SECRET_ACCESS_KEY=w.secret),
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr + p.stdout
    hops = [h["component"]["id"] for h in json.loads(p.stdout)["forward"]]
    for expected in (w.endpoint, w.service_id, w.lb, w.listener, w.tg, w.app):
        assert expected in hops, (expected, hops)
    w.ec2.reject_vpc_endpoint_connections(ServiceId=w.service_id, VpcEndpointIds=[w.endpoint])
    assert w.state() == "rejected"
    status, body, _ = w.curl()
    assert status == 403 and "BAD_STATE" in body and "rejected" in body


def test_refusals_name_the_endpoint_group_and_the_listener_port(lab, unique, backend):
    w = World(lab, unique, backend, acceptance_required=False)
    assert w.state() == "available"
    assert w.curl()[0] == 200
    # No listener on 8443: the load balancer refuses it.
    w.cec2.authorize_security_group_ingress(GroupId=w.endpoint_sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 8443, "ToPort": 8443, "IpRanges": [{"CidrIp": "10.93.0.0/16"}]}])
    status, body, _ = w.curl(f"http://{w.endpoint_name}:8443/")
    assert status == 403 and "ELBV2_LISTENER_PORT_RESTRICTION" in body, body
    # The endpoint's group without the listener's port.
    w.cec2.revoke_security_group_ingress(GroupId=w.endpoint_sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "10.93.0.0/16"}]}])
    status, body, _ = w.curl()
    assert status == 403 and "ENI_SG_RULES_MISMATCH" in body and w.endpoint_sg in body, body
    # The provider cannot open a connection back to the consumer: the endpoint's address
    # means nothing in its own VPC (here, a VPC with the same CIDR).
    eni = w.cec2.describe_vpc_endpoints(VpcEndpointIds=[w.endpoint])["VpcEndpoints"][0]["NetworkInterfaceIds"][0]
    address = w.cec2.describe_network_interfaces(NetworkInterfaceIds=[eni])["NetworkInterfaces"][0]["PrivateIpAddress"]
    p = subprocess.run([BINARY, "reach", "--endpoint", lab.endpoint, "--from", w.app, "--to", f"{address}:80",
                        "--json"], env=dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test"),
                       capture_output=True, text=True)
    trace = json.loads(p.stdout)
    hops = [h["component"]["id"] for h in trace["forward"] + trace["reverse"]]
    assert w.endpoint not in hops and w.cvpc not in hops, hops


def test_the_load_balancers_groups_judge_privatelink_traffic_by_the_clients_address(lab, unique, backend):
    w = World(lab, unique, backend, acceptance_required=False, nlb_group=True)
    lb = w.elbv2.describe_load_balancers(LoadBalancerArns=[w.lb])["LoadBalancers"][0]
    assert lb["SecurityGroups"] == [w.nlb_sg]
    assert lb["EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic"] == "on"
    status, body, err = w.curl()
    assert status == 403 and "SG_HAS_NO_RULES" in body and w.nlb_sg in body and "PrivateLink" in body, body
    # The source the rules see is the client's address, not the endpoint interface's.
    eni = w.cec2.describe_vpc_endpoints(VpcEndpointIds=[w.endpoint])["VpcEndpoints"][0]["NetworkInterfaceIds"][0]
    endpoint_ip = w.cec2.describe_network_interfaces(NetworkInterfaceIds=[eni])["NetworkInterfaces"][0]["PrivateIpAddress"]
    w.ec2.authorize_security_group_ingress(GroupId=w.nlb_sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": f"{endpoint_ip}/32"}]}])
    status, body, _ = w.curl()
    assert status == 403 and "ENI_SG_RULES_MISMATCH" in body, body
    w.ec2.authorize_security_group_ingress(GroupId=w.nlb_sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80,
         "IpRanges": [{"CidrIp": f"{w.client['PrivateIpAddress']}/32"}]}])
    status, body, err = w.curl()
    assert status == 200, (body, err)
    # Another group with no rule, and the inbound rules turned off for PrivateLink.
    empty = w.ec2.create_security_group(GroupName=f"empty-{unique}", Description="empty", VpcId=w.vpc)["GroupId"]
    out = w.elbv2.set_security_groups(LoadBalancerArn=w.lb, SecurityGroups=[empty],
                                      EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic="off")
    assert out["SecurityGroupIds"] == [empty]
    assert out["EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic"] == "off"
    lb = w.elbv2.describe_load_balancers(LoadBalancerArns=[w.lb])["LoadBalancers"][0]
    assert (lb["SecurityGroups"], lb["EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic"]) == ([empty], "off")
    assert w.curl()[0] == 200
    # Back on: the empty group refuses.
    w.elbv2.set_security_groups(LoadBalancerArn=w.lb, SecurityGroups=[empty],
                                EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic="on")
    status, body, _ = w.curl()
    assert status == 403 and "SG_HAS_NO_RULES" in body and empty in body, body


def test_set_security_groups_rejections_leave_the_load_balancer_unchanged(lab, unique, backend):
    w = World(lab, unique, backend, acceptance_required=False, nlb_group=True)

    def code_of(**kw):
        with pytest.raises(Exception) as e:
            w.elbv2.set_security_groups(**kw)
        return e.value.response["Error"]["Code"], e.value.response["ResponseMetadata"]["HTTPStatusCode"]

    # An empty list reaches the wire as no list at all: a required member missing.
    assert code_of(LoadBalancerArn=w.lb, SecurityGroups=[]) == ("ValidationError", 400)
    other_vpc = w.ec2.create_vpc(CidrBlock="10.95.0.0/16")["Vpc"]["VpcId"]
    stranger = w.ec2.create_security_group(GroupName=f"stranger-{unique}", Description="x", VpcId=other_vpc)["GroupId"]
    assert code_of(LoadBalancerArn=w.lb, SecurityGroups=[stranger]) == ("InvalidSecurityGroup", 400)
    assert code_of(LoadBalancerArn=w.lb, SecurityGroups=["sg-0123456789abcdef0"]) == ("InvalidSecurityGroup", 400)
    assert code_of(LoadBalancerArn=w.lb, SecurityGroups=[w.nlb_sg],
                   EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic="maybe") == ("ValidationError", 400)
    missing = w.lb.replace("/svc-", "/gone-")
    assert code_of(LoadBalancerArn=missing, SecurityGroups=[w.nlb_sg]) == ("LoadBalancerNotFound", 400)
    lb = w.elbv2.describe_load_balancers(LoadBalancerArns=[w.lb])["LoadBalancers"][0]
    assert (lb["SecurityGroups"], lb["EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic"]) == ([w.nlb_sg], "on")
    # A load balancer created without groups never gets any.
    subnet = w.ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [w.vpc]}])["Subnets"][0]["SubnetId"]
    bare = w.elbv2.create_load_balancer(Name=f"bare-{unique}", Type="network", Scheme="internal",
                                        Subnets=[subnet])["LoadBalancers"][0]["LoadBalancerArn"]
    assert code_of(LoadBalancerArn=bare, SecurityGroups=[w.nlb_sg]) == ("InvalidConfigurationRequest", 400)
    assert "SecurityGroups" not in w.elbv2.describe_load_balancers(LoadBalancerArns=[bare])["LoadBalancers"][0]


def test_a_consumer_outside_the_allowed_principals_cannot_connect(lab, unique, backend):
    w = World(lab, unique, backend, acceptance_required=False)
    lab.add_key("333344445555", f"out-{unique}", "out-secret")
    other = lab.client("ec2", key=f"out-{unique}", secret="out-secret")
    vpc = other.create_vpc(CidrBlock="10.94.0.0/16")["Vpc"]["VpcId"]
    subnet = other.create_subnet(VpcId=vpc, CidrBlock="10.94.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    with pytest.raises(Exception) as e:
        other.create_vpc_endpoint(VpcEndpointType="Interface", VpcId=vpc, ServiceName=w.service_name,
                                  SubnetIds=[subnet])
    assert e.value.response["Error"]["Code"] in ("InvalidServiceName", "UnauthorizedOperation")
    assert other.describe_vpc_endpoints()["VpcEndpoints"] == []


def test_the_backend_reads_the_proxy_v2_header_with_the_endpoint_id(lab, unique, backend):
    w = World(lab, unique, backend, acceptance_required=False, proxy_protocol=True)
    status, body, err = w.curl()
    assert status == 200, (body, err)
    seen = json.loads(body)
    assert seen["proxy"] is True
    assert seen["vpce"] == w.endpoint
    assert seen["client"] == w.client["PrivateIpAddress"]


def test_private_dns_resolves_the_service_name_in_the_consumer_vpc(lab, unique, backend):
    w = World(lab, unique, backend, acceptance_required=False)
    name = f"api-{unique}.example.com"
    w.ec2.modify_vpc_endpoint_service_configuration(ServiceId=w.service_id, PrivateDnsName=name)
    w.ec2.start_vpc_endpoint_service_private_dns_verification(ServiceId=w.service_id)
    w.cec2.modify_vpc_attribute(VpcId=w.cvpc, EnableDnsHostnames={"Value": True})
    w.cec2.modify_vpc_endpoint(VpcEndpointId=w.endpoint, PrivateDnsEnabled=True)
    status, body, err = w.curl(f"http://{name}/")
    assert status == 200, (body, err)
    # Not from the provider's instance: the name is private to the consumer's VPC.
    status, body, _ = curl(lab, w.app, "test", "test", f"http://{name}/")
    assert status != 200
