"""`vpclab cost`: the monthly AWS cost of a topology built through boto3, for a stated
traffic profile (TOML and JSON) and for the traffic the data plane carried; and every bad
question refused with a clear error and a non-zero exit status.

Figures are us-east-1 list prices (the price file of the lab): NAT gateway $0.045/h and
$0.045/GB, public IPv4 $0.005/h, interface endpoint $0.01/AZ-h and $0.01/GB, internet
out $0.09/GB, inter-AZ $0.01/GB each direction; 730 h a month."""

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from decimal import Decimal

import botocore.auth
import botocore.awsrequest
import botocore.credentials
import pytest

from conftest import BINARY

AMI = "ami-12345678"
S3 = "s3.us-east-1.amazonaws.com"
OTHER = "444455556666"


def env_for(lab, key="test", secret="test"):
    return dict(os.environ, AWS_ACCESS_KEY_ID=key, AWS_SECRET_ACCESS_KEY=secret, AWS_DEFAULT_REGION="us-east-1",
                VPCLAB_ENDPOINT=lab.endpoint, AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")


def vpclab(lab, *args):
    return subprocess.run([BINARY, *args], env=env_for(lab), capture_output=True, text=True, timeout=60)


def cost(lab, *args):
    """`vpclab cost ARGS --json`: the estimate as data (the command must succeed)."""
    p = vpclab(lab, "cost", *args, "--json")
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def lines(estimate, charge):
    return [Decimal(l["monthly"]) for l in estimate["lines"] if l["charge"] == charge]


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


class Network:
    """VPC 10.60.0.0/16: a public subnet in us-east-1a (internet gateway, a NAT gateway
    with an Elastic IP); private subnet A in us-east-1a routing 0.0.0.0/0 to the NAT,
    with an S3 gateway endpoint on its route table; private subnet B in us-east-1b routing
    everything through the NAT too, without the endpoint. One instance in each private
    subnet."""

    def __init__(self, lab):
        ec2 = lab.client("ec2")
        self.ec2 = ec2
        self.vpc = ec2.create_vpc(CidrBlock="10.60.0.0/16")["Vpc"]["VpcId"]
        public = self.subnet("10.60.0.0/24", "us-east-1a")
        private_a = self.subnet("10.60.1.0/24", "us-east-1a")
        private_b = self.subnet("10.60.2.0/24", "us-east-1b")
        igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=self.vpc)
        public_rt = self.route_table(public)
        ec2.create_route(RouteTableId=public_rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
        self.eip = ec2.allocate_address(Domain="vpc")
        self.nat = ec2.create_nat_gateway(SubnetId=public, AllocationId=self.eip["AllocationId"])["NatGateway"]["NatGatewayId"]
        rt_a = self.route_table(private_a)
        rt_b = self.route_table(private_b)
        for rt in (rt_a, rt_b):
            ec2.create_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=self.nat)
        self.endpoint = ec2.create_vpc_endpoint(VpcId=self.vpc, ServiceName="com.amazonaws.us-east-1.s3",
                                                RouteTableIds=[rt_a])["VpcEndpoint"]["VpcEndpointId"]
        self.a = self.instance(private_a)
        self.b = self.instance(private_b)

    def subnet(self, cidr, zone):
        return self.ec2.create_subnet(VpcId=self.vpc, CidrBlock=cidr, AvailabilityZone=zone)["Subnet"]["SubnetId"]

    def route_table(self, subnet):
        rt = self.ec2.create_route_table(VpcId=self.vpc)["RouteTable"]["RouteTableId"]
        self.ec2.associate_route_table(RouteTableId=rt, SubnetId=subnet)
        return rt

    def instance(self, subnet):
        return self.ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet)["Instances"][0]["InstanceId"]

    def profile_toml(self):
        return f"""
# 1,000 GB a month from A to S3 (through the gateway endpoint), 100 GB from A to the
# internet (through the NAT), 500 GB from B to S3 (through the NAT, in another zone).
[[flows]]
from = "{self.a}"
to = "{S3}"
port = 443
gb_per_month = 1000

[[flows]]
from = "{self.a}"
to = "203.0.113.10"
port = 443
gb_per_month = 100

[[flows]]
from = "{self.b}"
to = "{S3}"
port = 443
gb_per_month = 500
"""


@pytest.fixture
def network(roomy_lab):
    return Network(roomy_lab)


def test_a_stated_profile_is_priced_on_the_paths_the_lab_traces(roomy_lab, network, tmp_path):
    lab, n = roomy_lab, network
    path = write(tmp_path, "traffic.toml", n.profile_toml())
    e = cost(lab, "--traffic", path)
    # Fixed: the NAT 730 h × $0.045 = $32.85; its Elastic IP 730 h × $0.005 = $3.65; the
    # gateway endpoint $0.
    assert lines(e, "nat_gateway_hours") == [Decimal("32.85")]
    assert lines(e, "public_ipv4") == [Decimal("3.65")]
    assert Decimal("0") in lines(e, "gateway_endpoint")
    # Flow 1, A → S3 through the gateway endpoint: $0.
    # Flow 2, A → internet: NAT 100 × $0.045 = $4.50; out 100 × $0.09 = $9.
    # Flow 3, B (1b) → S3 through the NAT (1a): NAT 500 × $0.045 = $22.50; inter-AZ
    # 500 GB × ($0.01 out + $0.01 in) = $10.
    assert [Decimal(f["monthly"]) for f in e["flows"]] == [Decimal("0"), Decimal("13.5"), Decimal("32.5")]
    assert lines(e, "nat_gateway_processing") == [Decimal("4.5"), Decimal("22.5")]
    assert lines(e, "data_transfer_internet_out") == [Decimal("9")]
    assert lines(e, "data_transfer_inter_az") == [Decimal("10")]
    # Total: 32.85 + 3.65 + 13.50 + 32.50 = $82.50.
    assert Decimal(e["total"]) == Decimal("82.5")
    assert e["flows"][0]["outcome"]["via"] == [n.endpoint]
    assert e["flows"][2]["outcome"]["via"] == [n.nat]
    # What if, flow 1: the gateway endpoint now ($0), an interface endpoint 1 AZ × 730 h ×
    # $0.01 + 1,000 GB × $0.01 = $17.30, the NAT that exists already 1,000 × $0.045 = $45.
    w1 = e["flows"][0]["what_if"]
    assert (w1["now"], w1["cheapest"], Decimal(w1["saving"])) == ("gateway_endpoint", "gateway_endpoint", 0)
    assert [Decimal(o["monthly"]) for o in w1["options"]] == [Decimal("0"), Decimal("17.3"), Decimal("45")]
    # What if, flow 3: now the NAT ($32.50; its hours stay, flow 2 needs it); a gateway
    # endpoint would save all of it.
    w3 = e["flows"][2]["what_if"]
    assert (w3["now"], w3["cheapest"], Decimal(w3["saving"])) == ("nat_gateway", "gateway_endpoint", Decimal("32.5"))
    assert e["flows"][1]["what_if"] is None
    assert e["prices"]["date"] and e["prices"]["nat_gateway_hour"]["source"] == "https://aws.amazon.com/vpc/pricing/"

    # The same profile as JSON, and the text people read.
    profile = {"flows": [{"from": f["from"], "to": f["to"], "port": f["port"], "gb_per_month": float(f["gb_per_month"])}
                         for f in e["flows"]]}
    json_path = write(tmp_path, "traffic.json", json.dumps(profile))
    assert Decimal(cost(lab, "--traffic", json_path)["total"]) == Decimal("82.5")
    p = vpclab(lab, "cost", "--traffic", json_path)
    assert p.returncode == 0, p.stderr
    for needle in ["$82.50", "$32.85", "NAT gateway processing", "← cheapest",
                   "A gateway endpoint instead of the NAT gateway saves $32.50 a month.",
                   "The lab already takes the cheapest way (gateway endpoint).", "Prices: the us-east-1 price file"]:
        assert needle in p.stdout, f"{needle!r} not in:\n{p.stdout}"

    # Other hours: the fixed lines follow (24 h × $0.045 = $1.08, 24 h × $0.005 = $0.12),
    # the flows' GB stay as stated: 1.08 + 0.12 + 13.50 + 32.50 = $47.20.
    assert Decimal(cost(lab, "--traffic", path, "--hours", "24")["total"]) == Decimal("47.2")


def test_without_a_profile_the_traffic_the_data_plane_carried_is_scaled(roomy_lab, network):
    lab, n = roomy_lab, network
    before = cost(lab)
    assert before["traffic"] == "observed" and before["flows"] == []
    assert Decimal(before["total"]) == Decimal("36.5")  # the NAT and its address only
    # Real traffic: B posts 1,000 bytes to the echo internet through the NAT, which
    # answers with the address it saw (the NAT's Elastic IP).
    p = subprocess.run([BINARY, "exec", n.b, "--", "curl", "-s", "-m", "10", "--data-binary", "x" * 1000,
                        "http://198.51.100.7/"], env=env_for(lab), capture_output=True, text=True, timeout=60)
    assert p.returncode == 0 and p.stdout.strip() == n.eip["PublicIp"], p.stderr
    e = cost(lab)
    assert e["traffic"] == "observed"
    [f] = [f for f in e["flows"] if f["from"] == n.b]
    assert (f["to"], f["port"], f["outcome"]["verdict"]) == ("198.51.100.7", 80, "delivered")
    assert f["outcome"]["via"] == [n.nat]
    seen = f["observed"]
    # The body both ways, plus each HTTP head (curl's request line and headers without
    # the ones meant for the proxy; the echo's status line and headers).
    assert 1000 + 60 < seen["bytes_out"] < 1000 + 400, seen
    assert len(n.eip["PublicIp"]) + 1 + 30 < seen["bytes_in"] < len(n.eip["PublicIp"]) + 1 + 300, seen
    assert seen["connections"] == 1
    # Scaled: bytes × (730 h × 3600 s / observed seconds), in GB of 2^30 bytes.
    seconds = Decimal(seen["seconds"])
    assert seconds >= 1
    scale = Decimal(730 * 3600) / seconds
    assert abs(Decimal(seen["scale"]) - scale) < Decimal("0.000001")
    expected_out = Decimal(seen["bytes_out"]) * scale / Decimal(2**30)
    assert abs(Decimal(f["gb_per_month"]) - expected_out) < Decimal("0.000000002")
    # The NAT processes both ways ($0.045/GB), the internet is paid for what goes out.
    both = Decimal(f["gb_per_month"]) + Decimal(f["gb_back_per_month"])
    [processing] = [Decimal(l["monthly"]) for l in e["lines"]
                    if l["charge"] == "nat_gateway_processing" and l["flow"] == f["number"]]
    assert processing == both * Decimal("0.045")
    p = vpclab(lab, "cost")
    assert p.returncode == 0, p.stderr
    assert "scaled" in p.stdout and "observed:" in p.stdout and f"{n.b} → 198.51.100.7:80" in p.stdout


def signed_post(lab, body):
    """A raw signed POST /_vpclab/cost, for what the CLI would not send."""
    request = botocore.awsrequest.AWSRequest(method="POST", url=f"{lab.endpoint}/_vpclab/cost", data=body,
                                             headers={"Content-Type": "application/json"})
    botocore.auth.SigV4Auth(botocore.credentials.Credentials("test", "test"), "vpclab", "us-east-1").add_auth(request)
    prepared = request.prepare()
    r = urllib.request.Request(prepared.url, data=body.encode(), headers=dict(prepared.headers), method="POST")
    try:
        with urllib.request.urlopen(r, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def test_bad_questions_are_refused_and_change_nothing(roomy_lab, network, tmp_path):
    lab, n = roomy_lab, network
    good = write(tmp_path, "good.toml", n.profile_toml())
    before = cost(lab, "--traffic", good)

    def refused(name, text, *words, extra=()):
        path = write(tmp_path, name, text)
        p = vpclab(lab, "cost", "--traffic", path, *extra)
        assert p.returncode != 0, p.stdout
        for w in words:
            assert w in p.stderr, f"{w!r} not in {p.stderr!r}"

    def flow(**kw):
        f = {"from": n.a, "to": S3, "port": 443, "gb_per_month": 1.0}
        f.update(kw)
        return json.dumps({"flows": [f]})

    # A file that is not a profile: wrong extension, broken TOML, an unknown field, words
    # for a number; the CLI names the file.
    refused("traffic.yaml", "flows: []", "traffic.yaml", ".toml or .json")
    refused("broken.toml", "[[flows]\nfrom = ", "broken.toml")
    refused("unknown.json", flow(gigs=3), "unknown.json")
    refused("words.json", flow(gb_per_month="lots"), "words.json")
    p = vpclab(lab, "cost", "--traffic", str(tmp_path / "nowhere.toml"))
    assert p.returncode != 0 and "nowhere.toml" in p.stderr
    # The server's refusals: an unknown instance, a negative GB, another account's
    # instance: InvalidParameterValue, naming the flow.
    refused("unknown-instance.json", flow(**{"from": "i-0123456789abcdef0"}), "InvalidParameterValue", "i-0123456789abcdef0")
    refused("negative.json", flow(gb_per_month=-5.0), "InvalidParameterValue", "negative")
    lab.add_key(OTHER, "cost-other", "cost-other-secret")
    other = lab.client("ec2", key="cost-other", secret="cost-other-secret")
    other_vpc = other.create_vpc(CidrBlock="10.61.0.0/16")["Vpc"]["VpcId"]
    other_subnet = other.create_subnet(VpcId=other_vpc, CidrBlock="10.61.1.0/24")["Subnet"]["SubnetId"]
    theirs = other.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=other_subnet)["Instances"][0]["InstanceId"]
    refused("theirs.json", flow(**{"from": theirs}), "InvalidParameterValue", theirs)
    p = vpclab(lab, "cost", "--hours=0")
    assert p.returncode != 0 and "InvalidParameterValue" in p.stderr
    # A region without a price file.
    p = subprocess.run([BINARY, "cost", "--region", "eu-west-1"], env=env_for(lab), capture_output=True, text=True)
    assert p.returncode != 0 and "InvalidParameterValue" in p.stderr and "us-east-1" in p.stderr
    # What the CLI would not send, sent raw: an unknown field, a string for hours.
    status, answer = signed_post(lab, json.dumps({"traffic": {"flows": []}, "tip": 1}))
    assert status == 400 and "InvalidRequest" in answer
    status, answer = signed_post(lab, json.dumps({"hours": "many"}))
    assert status == 400 and "InvalidRequest" in answer
    status, answer = signed_post(lab, json.dumps({"traffic": {"flows": []}}))
    assert status == 200 and answer["estimate"]["traffic"] == "stated"
    # Nothing changed: the same question, the same answer.
    assert cost(lab, "--traffic", good) == before
