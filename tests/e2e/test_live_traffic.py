"""Live traffic: real programs (curl, the aws CLI) run inside simulated instances with
`vpclab exec`, and reach exactly what the network lets them reach."""

import json
import os
import random
import socket
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import BINARY

AMI = "ami-12345678"


def env_for(lab):
    return dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
                AWS_DEFAULT_REGION="us-east-1", VPCLAB_ENDPOINT=lab.endpoint,
                AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")


def exec_in(lab, instance, *cmd):
    p = subprocess.run([BINARY, "exec", instance, "--", *cmd], env=env_for(lab), capture_output=True,
                       text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def curl(lab, instance, url, *extra):
    """curl through the HTTP proxy `vpclab exec` sets; answers (status, body, stderr)."""
    code, out, err = exec_in(lab, instance, "curl", "-s", "-m", "10", "-w", "\n%{http_code}", *extra, url)
    body, _, status = out.rpartition("\n")
    return int(status or 0), body.strip(), err


def reach_code(lab, instance, to):
    p = subprocess.run([BINARY, "reach", "--endpoint", lab.endpoint, "--from", instance, "--to", to],
                       env=env_for(lab), capture_output=True, text=True)
    return p.returncode


def run(ec2, subnet, **kw):
    return ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet, **kw)["Instances"][0]


class Backend:
    """A real HTTP server on the host, to bind an instance's port to."""

    def __init__(self):
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                body = b"hello from the backend\n"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *a):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


@pytest.fixture
def backend():
    b = Backend()
    yield b
    b.close()


def private_vpc(ec2, second_octet):
    vpc = ec2.create_vpc(CidrBlock=f"10.{second_octet}.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.{second_octet}.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=rt, SubnetId=subnet)
    return vpc, subnet, rt


def default_subnet(ec2):
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    return ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"][0]["SubnetId"]


def test_public_instance_reaches_the_echo_internet_with_its_public_ip(lab, ec2):
    instance = run(ec2, default_subnet(ec2))
    public = ec2.describe_instances(InstanceIds=[instance["InstanceId"]])["Reservations"][0]["Instances"][0]["PublicIpAddress"]
    status, body, _ = curl(lab, instance["InstanceId"], "http://93.184.216.34/")
    assert (status, body) == (200, public)
    # Through SOCKS5 with the name resolved by the lab (socks5h), raw TCP to another port.
    code, out, err = exec_in(lab, instance["InstanceId"], "sh", "-c", 'curl -s -m 10 -x "$ALL_PROXY" http://93.184.216.34:8080/')
    assert code == 0, err
    assert out.strip() == public


def test_private_instance_is_refused_with_the_route_table_named(lab, ec2):
    _, subnet, rt = private_vpc(ec2, 70)
    instance = run(ec2, subnet)["InstanceId"]
    status, body, err = curl(lab, instance, "http://93.184.216.34/")
    assert status == 403
    assert "NO_ROUTE_TO_DESTINATION" in body and f"DROPPED at {rt}" in body
    # The explanation also reaches the program's standard error.
    assert "refused: NO_ROUTE_TO_DESTINATION" in err and rt in err
    # SOCKS5 answers with a refusal code; curl reports it and gets nothing.
    code, out, err = exec_in(lab, instance, "sh", "-c", 'curl -s -m 10 -x "$ALL_PROXY" http://93.184.216.34/')
    assert code != 0 and out == ""
    assert "NO_ROUTE_TO_DESTINATION" in err


def test_nat_gateway_egress_is_seen_from_its_elastic_ip(lab, ec2):
    vpc, private, rt = private_vpc(ec2, 71)
    public = ec2.create_subnet(VpcId=vpc, CidrBlock="10.71.2.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    public_rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=public_rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.associate_route_table(RouteTableId=public_rt, SubnetId=public)
    eip = ec2.allocate_address(Domain="vpc")
    nat = ec2.create_nat_gateway(SubnetId=public, AllocationId=eip["AllocationId"])["NatGateway"]["NatGatewayId"]
    ec2.create_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
    instance = run(ec2, private)["InstanceId"]
    status, body, _ = curl(lab, instance, "http://198.51.100.7/")
    assert (status, body) == (200, eip["PublicIp"])
    # S3 through the NAT is reached from the NAT's address, not through an endpoint: a
    # bucket locked to an endpoint refuses it (and admits the same call without the lock).
    s3 = lab.client("s3")
    bucket = f"nat-locked-{eip['AllocationId'][-8:]}"
    s3.create_bucket(Bucket=bucket)
    aws = [os.path.join(os.path.dirname(sys.executable), "aws"), "s3", "ls", f"s3://{bucket}"]
    assert exec_in(lab, instance, *aws)[0] == 0
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
        "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-0123456789abcdef0"}}}]}))
    code, out, err = exec_in(lab, instance, *aws)
    assert code != 0 and "AccessDenied" in err
    s3.delete_bucket_policy(Bucket=bucket)


def test_bound_port_between_instances_and_security_groups(lab, ec2, backend):
    vpc, subnet, _ = private_vpc(ec2, 72)
    server_sg = ec2.create_security_group(GroupName="server", Description="web", VpcId=vpc)["GroupId"]
    client = run(ec2, subnet)["InstanceId"]
    server = run(ec2, subnet, SecurityGroupIds=[server_sg],
                 TagSpecifications=[{"ResourceType": "instance",
                                     "Tags": [{"Key": "vpclab:port:80", "Value": f"127.0.0.1:{backend.port}"}]}])
    address = server["PrivateIpAddress"]
    # The server's group has no inbound rule yet.
    status, body, err = curl(lab, client, f"http://{address}/")
    assert status == 403 and "SG_HAS_NO_RULES" in body and server_sg in body
    # A rule for another port does not apply.
    ec2.authorize_security_group_ingress(GroupId=server_sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "10.72.0.0/16"}]}])
    status, body, err = curl(lab, client, f"http://{address}/")
    assert status == 403 and "ENI_SG_RULES_MISMATCH" in body
    ec2.authorize_security_group_ingress(GroupId=server_sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "10.72.0.0/16"}]}])
    status, body, _ = curl(lab, client, f"http://{address}/")
    assert (status, body) == (200, "hello from the backend")
    # CONNECT (a tunnel) through the HTTP proxy reaches the same backend.
    status, body, _ = curl(lab, client, f"http://{address}/", "-p")
    assert (status, body) == (200, "hello from the backend")
    # A port the network admits but nothing is bound to.
    ec2.authorize_security_group_ingress(GroupId=server_sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 81, "ToPort": 81, "IpRanges": [{"CidrIp": "10.72.0.0/16"}]}])
    status, body, err = curl(lab, client, f"http://{address}:81/")
    assert status == 502 and "vpclab:port:81" in body


TUNNEL_CLIENT = r"""
import base64, hashlib, os, socket, sys, urllib.parse
proxy, target = urllib.parse.urlsplit(os.environ["HTTP_PROXY"]), sys.argv[1]
auth = base64.b64encode(f"{proxy.username}:{proxy.password}".encode()).decode()
payload = os.urandom(200_000)
s = socket.create_connection((proxy.hostname, proxy.port))
# The request and the first half of the payload in one write: bytes the proxy reads past
# the request's head before it answers.
s.sendall(f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\nProxy-Authorization: Basic {auth}\r\n\r\n".encode()
          + payload[:100_000])
head = b""
while b"\r\n\r\n" not in head:
    head += s.recv(1)
assert head.startswith(b"HTTP/1.1 200"), head
s.sendall(payload[100_000:])
s.shutdown(socket.SHUT_WR)
answer = b""
while chunk := s.recv(65536):
    answer += chunk
print(answer.decode() == hashlib.sha256(payload).hexdigest(), len(payload))
"""


class Digester:
    """A host TCP server that answers each connection, once the client is done sending,
    with the SHA-256 of everything it received."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        import hashlib
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            with conn:
                digest = hashlib.sha256()
                while chunk := conn.recv(65536):
                    digest.update(chunk)
                conn.sendall(digest.hexdigest().encode())


def test_a_connect_tunnel_carries_what_was_sent_before_its_answer(lab, ec2):
    """CONNECT through the HTTP proxy: the bytes a client sends on the heels of its request
    (before the proxy's 200) reach the far end first, then the rest, in order; the flow log
    counts them all."""
    vpc, subnet, _ = private_vpc(ec2, 74)
    digester = Digester()
    try:
        client = run(ec2, subnet)
        server = run(ec2, subnet, TagSpecifications=[{"ResourceType": "instance", "Tags": [
            {"Key": "vpclab:port:7000", "Value": f"127.0.0.1:{digester.port}"}]}])
        sg = server["SecurityGroups"][0]["GroupId"]
        ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 7000, "ToPort": 7000, "IpRanges": [{"CidrIp": "10.74.0.0/16"}]}])
        target = f"{server['PrivateIpAddress']}:7000"
        code, out, err = exec_in(lab, client["InstanceId"], sys.executable, "-c", TUNNEL_CLIENT, target)
        assert code == 0, err
        assert out.split() == ["True", "200000"]
        eni = client["NetworkInterfaces"][0]["NetworkInterfaceId"]
        records = [r.split() for r in flow_logs(lab, "--interface", eni)[1:]]
        tunnel = [r for r in records if r[6] == "7000"]
        assert [r[12] for r in tunnel] == ["ACCEPT"]
        assert int(tunnel[0][9]) >= 200_000 + 64
    finally:
        digester.listener.close()


def test_removing_the_egress_rule_refuses_the_flow(lab, ec2, backend):
    vpc, subnet, _ = private_vpc(ec2, 73)
    sg = ec2.create_security_group(GroupName="c", Description="client", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "UserIdGroupPairs": [{"GroupId": sg}]}])
    client = run(ec2, subnet, SecurityGroupIds=[sg])["InstanceId"]
    server = run(ec2, subnet, SecurityGroupIds=[sg],
                 TagSpecifications=[{"ResourceType": "instance",
                                     "Tags": [{"Key": "vpclab:port:80", "Value": f"127.0.0.1:{backend.port}"}]}])
    url = f"http://{server['PrivateIpAddress']}/"
    assert curl(lab, client, url)[0] == 200
    # HTTPS out stays allowed; the all-traffic rule that carried port 80 goes.
    ec2.authorize_security_group_egress(GroupId=sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    ec2.revoke_security_group_egress(GroupId=sg, IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    status, body, err = curl(lab, client, url)
    assert status == 403 and "ENI_SG_RULES_MISMATCH" in body
    assert "ENI_SG_RULES_MISMATCH" in err


def test_a_nacl_denying_ephemeral_return_ports_breaks_the_flow(lab, ec2, backend):
    vpc, subnet, _ = private_vpc(ec2, 74)
    client_subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.74.2.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    client = run(ec2, client_subnet)["InstanceId"]
    server = run(ec2, subnet, TagSpecifications=[{"ResourceType": "instance", "Tags": [
        {"Key": "vpclab:port:80", "Value": f"127.0.0.1:{backend.port}"}]}])
    url = f"http://{server['PrivateIpAddress']}/"
    assert curl(lab, client, url)[0] == 200
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    for egress in (False, True):
        ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="-1", RuleAction="allow",
                                     Egress=egress, CidrBlock="0.0.0.0/0")
    ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=50, Protocol="6", RuleAction="deny", Egress=True,
                                 CidrBlock="0.0.0.0/0", PortRange={"From": 1024, "To": 65535})
    assoc = ec2.describe_network_acls(Filters=[{"Name": "association.subnet-id", "Values": [subnet]}])[
        "NetworkAcls"][0]["Associations"]
    current = [a for a in assoc if a["SubnetId"] == subnet][0]["NetworkAclAssociationId"]
    ec2.replace_network_acl_association(AssociationId=current, NetworkAclId=acl)
    status, body, _ = curl(lab, client, url)
    assert status == 403
    # Refused on the way back, at the network ACL's outbound rule 50.
    assert f"DROPPED on the way back at {acl}" in body and "SUBNET_ACL_RESTRICTION" in body


def test_s3_through_a_gateway_endpoint_with_the_aws_cli(lab, ec2, unique):
    """The seed: a private instance lists a bucket locked to one endpoint, through that
    endpoint; the same call from the host is refused."""
    s3 = lab.client("s3")
    bucket = f"locked-{unique}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="report.csv", Body=b"a,b\n")
    vpc, subnet, rt = private_vpc(ec2, 75)
    instance = run(ec2, subnet)["InstanceId"]
    # The unmodified CLI: no --endpoint-url, HTTPS to s3.amazonaws.com through the proxy,
    # TLS terminated by the lab with the CA `vpclab exec` points the CLI at.
    aws = [os.path.join(os.path.dirname(sys.executable), "aws"), "s3", "ls", f"s3://{bucket}"]
    code, out, err = exec_in(lab, instance, *aws)
    assert code != 0 and "NO_ROUTE_TO_DESTINATION" in err
    endpoint = ec2.create_vpc_endpoint(VpcId=vpc, ServiceName="com.amazonaws.us-east-1.s3",
                                       RouteTableIds=[rt])["VpcEndpoint"]["VpcEndpointId"]
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
        "Condition": {"StringNotEquals": {"aws:SourceVpce": endpoint}}}]}))
    code, out, err = exec_in(lab, instance, *aws)
    assert code == 0, err
    assert "report.csv" in out
    # Uploads too, and over plain HTTP to the regional name.
    code, out, err = exec_in(lab, instance, aws[0], "s3", "cp", "/etc/hostname", f"s3://{bucket}/from-the-instance")
    assert code == 0, err
    code, out, err = exec_in(lab, instance, aws[0], "--endpoint-url", "http://s3.us-east-1.amazonaws.com", "s3", "ls",
                             f"s3://{bucket}")
    assert code == 0 and "from-the-instance" in out, err
    # From the host, the same listing is refused by the policy.
    with pytest.raises(Exception) as e:
        s3.list_objects_v2(Bucket=bucket)
    assert "AccessDenied" in str(e.value)
    # Another VPC's endpoint does not satisfy the policy.
    vpc2, subnet2, rt2 = private_vpc(ec2, 76)
    ec2.create_vpc_endpoint(VpcId=vpc2, ServiceName="com.amazonaws.us-east-1.s3", RouteTableIds=[rt2])
    other = run(ec2, subnet2)["InstanceId"]
    code, out, err = exec_in(lab, other, *aws)
    assert code != 0 and "AccessDenied" in err
    s3.delete_bucket_policy(Bucket=bucket)
    with open("/etc/hostname", "rb") as f:
        assert s3.get_object(Bucket=bucket, Key="from-the-instance")["Body"].read() == f.read()


def test_s3_interface_endpoint_from_a_peered_vpc(lab, ec2, unique):
    """A bucket locked to an S3 interface endpoint admits an instance in a peered VPC
    that calls the endpoint's own name — where a gateway endpoint cannot help — once the
    endpoint's security group admits the peer's block."""
    s3 = lab.client("s3")
    bucket = f"ifep-{unique}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="shared.csv", Body=b"x\n")
    vpc_a, subnet_a, rt_a = private_vpc(ec2, 77)
    vpc_b, subnet_b, rt_b = private_vpc(ec2, 78)
    pcx = ec2.create_vpc_peering_connection(VpcId=vpc_b, PeerVpcId=vpc_a)["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    ec2.create_route(RouteTableId=rt_a, DestinationCidrBlock="10.78.0.0/16", VpcPeeringConnectionId=pcx)
    ec2.create_route(RouteTableId=rt_b, DestinationCidrBlock="10.77.0.0/16", VpcPeeringConnectionId=pcx)
    sg = ec2.create_security_group(GroupName="s3-endpoint", Description="HTTPS to S3", VpcId=vpc_a)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.77.0.0/16"}]}])
    endpoint = ec2.create_vpc_endpoint(VpcId=vpc_a, ServiceName="com.amazonaws.us-east-1.s3",
                                       VpcEndpointType="Interface", SubnetIds=[subnet_a],
                                       SecurityGroupIds=[sg])["VpcEndpoint"]
    endpoint_id = endpoint["VpcEndpointId"]
    regional = endpoint["DnsEntries"][0]["DnsName"].lstrip("*.")
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
        "Condition": {"StringNotEquals": {"aws:SourceVpce": endpoint_id}}}]}))
    peer = run(ec2, subnet_b)["InstanceId"]
    aws = [os.path.join(os.path.dirname(sys.executable), "aws"), "--endpoint-url", f"https://bucket.{regional}",
           "s3", "ls", f"s3://{bucket}"]
    # The endpoint's group admits only VPC A's block: refused at the group, and named.
    code, out, err = exec_in(lab, peer, *aws)
    assert code != 0 and "ENI_SG_RULES_MISMATCH" in err and sg in err
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.78.0.0/16"}]}])
    code, out, err = exec_in(lab, peer, *aws)
    assert code == 0, err
    assert "shared.csv" in out
    # The public name has no route from B (a gateway endpoint in A would not carry B's
    # traffic either)...
    code, out, err = exec_in(lab, peer, aws[0], "s3", "ls", f"s3://{bucket}")
    assert code != 0 and "NO_ROUTE_TO_DESTINATION" in err
    # ...and the host, outside any endpoint, is refused by the policy.
    with pytest.raises(Exception) as e:
        s3.list_objects_v2(Bucket=bucket)
    assert "AccessDenied" in str(e.value)
    # The decision equals `vpclab reach` for the endpoint's name.
    assert reach_code(lab, peer, f"{bucket}.bucket.{regional}:443") == 0
    s3.delete_bucket_policy(Bucket=bucket)


def test_https_to_the_echo_internet_with_the_lab_ca(lab, ec2):
    instance = run(ec2, default_subnet(ec2))["InstanceId"]
    public = ec2.describe_instances(InstanceIds=[instance])["Reservations"][0]["Instances"][0]["PublicIpAddress"]
    status, body, err = curl(lab, instance, "https://93.184.216.34/")
    assert (status, body) == (200, public), err


def test_proxy_decisions_equal_vpclab_reach(lab, ec2, backend):
    """Over many generated flows, the proxy admits exactly what `vpclab reach` delivers."""
    rng = random.Random(7)
    vpc, subnet, rt = private_vpc(ec2, 77)
    sg = ec2.create_security_group(GroupName="gen", Description="generated", VpcId=vpc)["GroupId"]
    for port in (80, 8080):
        ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "IpRanges": [{"CidrIp": "10.77.1.0/25"}]}])
    instances = []
    for _ in range(4):
        tags = [{"Key": f"vpclab:port:{p}", "Value": f"127.0.0.1:{backend.port}"} for p in (80, 8080, 9090)]
        i = run(ec2, subnet, SecurityGroupIds=[sg], TagSpecifications=[{"ResourceType": "instance", "Tags": tags}])
        instances.append(i)
    mismatches = []
    for _ in range(24):
        src, dst = rng.sample(instances, 2)
        port = rng.choice([80, 8080, 9090])
        host = rng.choice([dst["PrivateIpAddress"], "93.184.216.34", "10.77.1.250"])
        expected = reach_code(lab, src["InstanceId"], f"{host}:{port}")
        status, _, _ = curl(lab, src["InstanceId"], f"http://{host}:{port}/")
        admitted = status not in (403, 0)
        if admitted != (expected == 0):
            mismatches.append((src["InstanceId"], host, port, status, expected))
    assert mismatches == []


def dig(lab, instance, name):
    p = subprocess.run([BINARY, "dig", instance, name], env=env_for(lab), capture_output=True, text=True)
    return p.returncode, p.stdout


def test_dig_resolves_as_the_vpc_resolves(lab, ec2):
    vpc, subnet, _ = private_vpc(ec2, 78)
    instance = run(ec2, subnet)
    iid, ip = instance["InstanceId"], instance["PrivateIpAddress"]
    s3_ranges = [e["Cidr"] for pl in ec2.describe_managed_prefix_lists(
        Filters=[{"Name": "prefix-list-name", "Values": ["com.amazonaws.us-east-1.s3"]}])["PrefixLists"]
        for e in ec2.get_managed_prefix_list_entries(PrefixListId=pl["PrefixListId"])["Entries"]]
    import ipaddress
    for name in ["s3.us-east-1.amazonaws.com", "my-bucket.s3.us-east-1.amazonaws.com", "s3.amazonaws.com"]:
        code, out = dig(lab, iid, name)
        assert code == 0, out
        address = out.split("\t")[2]
        assert any(ipaddress.ip_address(address) in ipaddress.ip_network(c) for c in s3_ranges), (name, address)
    code, out = dig(lab, iid, "sts.us-east-1.amazonaws.com")
    assert code == 0 and "aws-service sts" in out
    host = "ip-" + ip.replace(".", "-") + ".ec2.internal"
    # Host names resolve only with DNS host names on (off in a new VPC, as on AWS).
    assert dig(lab, iid, host)[0] == 3
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    code, out = dig(lab, iid, host)
    assert code == 0 and f"\t{ip}\t" in out
    assert dig(lab, iid, "ip-10-78-1-250.ec2.internal")[0] == 3
    # With DNS support off (host names first, as AWS requires), nothing resolves.
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": False})
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsSupport={"Value": False})
    code, out = dig(lab, iid, "s3.us-east-1.amazonaws.com")
    assert code == 3 and "enableDnsSupport" in out
    # And a name the VPC cannot resolve is refused at connect time.
    status, body, _ = curl(lab, iid, "http://s3.us-east-1.amazonaws.com/")
    assert status == 403


def flow_logs(lab, *args):
    p = subprocess.run([BINARY, "flow-logs", *args], env=env_for(lab), capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return p.stdout.splitlines()


def test_every_decision_is_a_flow_log_record_and_nat_bytes_are_counted(lab, ec2, backend):
    vpc, private, rt = private_vpc(ec2, 79)
    public = ec2.create_subnet(VpcId=vpc, CidrBlock="10.79.2.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    public_rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=public_rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.associate_route_table(RouteTableId=public_rt, SubnetId=public)
    group = "lab-flows-79"
    created = ec2.create_flow_logs(ResourceIds=[vpc], ResourceType="VPC", TrafficType="ALL",
                                   LogDestinationType="cloud-watch-logs", LogGroupName=group,
                                   DeliverLogsPermissionArn="arn:aws:iam::000000000000:role/flow-logs")
    assert created["FlowLogIds"]
    instance = run(ec2, private)
    eni = instance["NetworkInterfaces"][0]["NetworkInterfaceId"]
    assert curl(lab, instance["InstanceId"], "http://203.0.113.9/")[0] == 403
    eip = ec2.allocate_address(Domain="vpc")
    nat = ec2.create_nat_gateway(SubnetId=public, AllocationId=eip["AllocationId"])["NatGateway"]["NatGatewayId"]
    ec2.create_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
    assert curl(lab, instance["InstanceId"], "http://203.0.113.9/")[0] == 200

    header, *records = flow_logs(lab, "--interface", eni)
    assert header.split() == ["version", "account-id", "interface-id", "srcaddr", "dstaddr", "srcport", "dstport",
                              "protocol", "packets", "bytes", "start", "end", "action", "log-status"]
    fields = [r.split() for r in records]
    assert [f[12] for f in fields] == ["REJECT", "ACCEPT"]
    for f in fields:
        assert f[0] == "2" and f[1] == "000000000000" and f[2] == eni
        assert f[3] == instance["PrivateIpAddress"] and f[4] == "203.0.113.9" and f[6] == "80" and f[7] == "6"
    assert int(fields[1][9]) > int(fields[0][9])
    rejects = flow_logs(lab, "--interface", eni, "--action", "REJECT")[1:]
    assert len(rejects) == 1

    # The EC2 flow log on the VPC wrote the same decisions to its log group's file.
    path = os.path.join(lab.data_dir, "flow-logs", f"{group}.log")
    with open(path) as f:
        lines = f.read().splitlines()
    mine = [l.split() for l in lines[1:] if f" {eni} " in l]
    assert [l[12] for l in mine] == ["REJECT", "ACCEPT"]

    counters = {l.split()[0]: l.split()[1:] for l in flow_logs(lab, "--counters")[1:]}
    assert nat in counters and int(counters[nat][0]) > 0 and counters[nat][1] == "1"


def test_a_session_token_is_needed_and_cannot_be_guessed(lab, ec2):
    instance = run(ec2, default_subnet(ec2))["InstanceId"]
    code, out, err = exec_in(lab, instance, "sh", "-c", 'echo "$HTTP_PROXY"; echo "$ALL_PROXY"')
    http_proxy, socks_proxy = out.split()
    host = http_proxy.rpartition("@")[2]
    forged = f"http://vpclab:{instance}@{host}"
    p = subprocess.run(["curl", "-s", "-m", "10", "-o", "/dev/null", "-w", "%{http_code}", "-x", forged,
                        "http://93.184.216.34/"], capture_output=True, text=True)
    assert p.stdout == "407"
    socks_host = socks_proxy.rpartition("@")[2]
    p = subprocess.run(["curl", "-s", "-m", "10", "-x", f"socks5h://vpclab:{instance}@{socks_host}",
                        "http://93.184.216.34/"], capture_output=True, text=True)
    assert p.returncode != 0 and p.stdout == ""
    # The session's own token works while it runs, and not after.
    p = subprocess.run(["curl", "-s", "-m", "10", "-o", "/dev/null", "-w", "%{http_code}", "-x", http_proxy,
                        "http://93.184.216.34/"], capture_output=True, text=True)
    assert p.stdout == "407"


def test_sts_and_ec2_from_inside_a_public_instance(lab, ec2):
    instance = run(ec2, default_subnet(ec2))["InstanceId"]
    aws = os.path.join(os.path.dirname(sys.executable), "aws")
    code, out, err = exec_in(lab, instance, aws, "sts", "get-caller-identity", "--output", "json")
    assert code == 0, err
    assert json.loads(out)["Account"] == "000000000000"
    code, out, err = exec_in(lab, instance, aws, "ec2", "describe-instances", "--instance-ids", instance,
                             "--output", "json")
    assert code == 0, err
    assert json.loads(out)["Reservations"][0]["Instances"][0]["InstanceId"] == instance
    # From a private subnet with no route, the same call is refused, explained.
    _, subnet, rt = private_vpc(ec2, 80)
    private = run(ec2, subnet)["InstanceId"]
    code, out, err = exec_in(lab, private, aws, "sts", "get-caller-identity")
    assert code != 0 and "NO_ROUTE_TO_DESTINATION" in err and rt in err


def test_flow_logs_delivered_to_lab_s3(fresh_lab):
    """An EC2 flow log with an S3 destination: its records arrive as gzip objects under
    AWS's key layout (delivered on the aggregation interval, and when the server stops)."""
    import gzip
    lab = fresh_lab
    ec2, s3 = lab.client("ec2"), lab.client("s3")
    s3.create_bucket(Bucket="flow-log-bucket")
    instance = run(ec2, default_subnet(ec2))
    eni = instance["NetworkInterfaces"][0]["NetworkInterfaceId"]
    fl = ec2.create_flow_logs(ResourceIds=[eni], ResourceType="NetworkInterface", TrafficType="ALL",
                              LogDestinationType="s3", LogDestination="arn:aws:s3:::flow-log-bucket/vpc",
                              MaxAggregationInterval=60)["FlowLogIds"][0]
    assert curl(lab, instance["InstanceId"], "http://93.184.216.34/")[0] == 200
    lab.stop()
    lab.start()
    s3 = lab.client("s3")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="flow-log-bucket").get("Contents", [])]
    assert len(keys) == 1, keys
    assert keys[0].startswith("vpc/AWSLogs/000000000000/vpcflowlogs/us-east-1/")
    assert fl in keys[0] and keys[0].endswith(".log.gz")
    text = gzip.decompress(s3.get_object(Bucket="flow-log-bucket", Key=keys[0])["Body"].read()).decode()
    header, *records = text.splitlines()
    assert header.startswith("version account-id interface-id")
    assert len(records) == 1 and f" {eni} " in records[0] and records[0].endswith("ACCEPT OK")
