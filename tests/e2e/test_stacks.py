"""CloudFormation templates drive the lab: `vpclab up` deploys a real template (the AWS
sample VPC with managed NAT gateways, from the shared cases) through the lab's own
operations, traffic then flows as the template built it, a failure rolls back, the stack
survives kill -9, and `vpclab down` takes it away."""

import json
import os
import subprocess

from conftest import BINARY, ROOMY, ROOT, Lab

CASES = os.path.join(ROOT, "crates", "vpclab-cfn", "tests", "cases")
NAT_TEMPLATE = os.path.join(CASES, "01-awscfn-vpc-managed-nat-private-subnet.yaml")
AMI = "ami-12345678"


def vpclab(lab, *args):
    env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION="us-east-1",
               VPCLAB_ENDPOINT=lab.endpoint, AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")
    return subprocess.run([BINARY, *args], env=env, capture_output=True, text=True, timeout=120)


def up(lab, *args):
    p = vpclab(lab, "up", *args, "--json")
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def test_a_real_template_deploys_carries_traffic_and_comes_down(lab, ec2):
    stack = up(lab, NAT_TEMPLATE, "--stack-name", "managed-nat", "--parameter", "VPCName=lab-nat")
    made = {r["logical_id"]: r["physical_id"] for r in stack["resources"]}
    assert all(r["skipped"] is None for r in stack["resources"])
    vpc = stack["outputs"]["VPCId"]
    assert made["VPC"] == vpc
    assert stack["exports"]["us-east-1-managed-nat-VPC"] == vpc
    [v] = ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"]
    assert v["CidrBlock"] == "10.0.0.0/16"
    subnets = {s["SubnetId"]: s for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]}
    assert sorted(s["CidrBlock"] for s in subnets.values()) == ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24",
                                                                "10.0.3.0/24"]
    # Each private subnet routes to the internet through its zone's NAT gateway.
    private = stack["outputs"]["PrivateSubnet0"]
    [rt] = ec2.describe_route_tables(Filters=[{"Name": "association.subnet-id", "Values": [private]}])["RouteTables"]
    [default] = [r for r in rt["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0"]
    assert default["NatGatewayId"] == made["NATGateway0"]
    [nat] = ec2.describe_nat_gateways(NatGatewayIds=[made["NATGateway0"]])["NatGateways"]
    eip = nat["NatGatewayAddresses"][0]["PublicIp"]
    # Real traffic: a program in the private subnet reaches the internet from the NAT's EIP.
    instance = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=private)["Instances"][0]["InstanceId"]
    p = vpclab(lab, "exec", instance, "--", "curl", "-s", "-m", "10", "http://203.0.113.9/")
    assert p.returncode == 0 and p.stdout.strip() == eip, (p.stdout, p.stderr)

    listed = json.loads(vpclab(lab, "stacks", "--json").stdout)["stacks"]
    assert "managed-nat" in [s["name"] for s in listed]
    again = vpclab(lab, "up", NAT_TEMPLATE, "--stack-name", "managed-nat")
    assert again.returncode != 0 and "AlreadyExistsException" in again.stderr

    # Down: the instance the stack did not make still uses the subnet, so AWS refuses
    # the subnet's deletion, and the stack stays whole.
    p = vpclab(lab, "down", "managed-nat")
    assert p.returncode != 0 and "DependencyViolation" in p.stderr, p.stderr
    assert ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"]
    ec2.terminate_instances(InstanceIds=[instance])
    p = vpclab(lab, "down", "managed-nat")
    assert p.returncode == 0, p.stderr
    assert not ec2.describe_vpcs(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Vpcs"]
    assert "managed-nat" not in [s["name"] for s in json.loads(vpclab(lab, "stacks", "--json").stdout)["stacks"]]


BROKEN = """
AWSTemplateFormatVersion: 2010-09-09
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.201.0.0/16
  Good:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: 10.201.1.0/24
  Outside:
    Type: AWS::EC2::Subnet
    DependsOn: Good
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: 10.99.1.0/24
"""


def test_a_failing_resource_rolls_the_whole_stack_back(lab, ec2, tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN)
    before = {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]}
    p = vpclab(lab, "up", str(path), "--stack-name", "broken")
    assert p.returncode != 0
    assert "Outside" in p.stderr and "InvalidSubnet.Range" in p.stderr, p.stderr
    assert {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]} == before
    assert "broken" not in vpclab(lab, "stacks").stdout
    # Refusals before anything is tried: a missing parameter, a bad name, a template that
    # does not parse.
    needs = tmp_path / "needs.yaml"
    needs.write_text("Parameters:\n  Cidr:\n    Type: String\nResources:\n  V:\n    Type: AWS::EC2::VPC\n"
                     "    Properties:\n      CidrBlock: !Ref Cidr\n")
    p = vpclab(lab, "up", str(needs), "--stack-name", "needs")
    assert p.returncode != 0 and "Parameters: [Cidr] must have values" in p.stderr, p.stderr
    p = vpclab(lab, "up", str(needs), "--stack-name", "9lives", "--parameter", "Cidr=10.202.0.0/16")
    assert p.returncode != 0 and "stackName" in p.stderr
    garbage = tmp_path / "garbage.yaml"
    garbage.write_text("Resources: [unclosed\n")
    p = vpclab(lab, "up", str(garbage))
    assert p.returncode != 0 and "Template format error" in p.stderr, p.stderr
    assert {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]} == before


def test_a_stack_survives_kill_9_and_comes_down_after():
    lab = Lab(quotas=ROOMY).start()
    try:
        stack = up(lab, NAT_TEMPLATE, "--stack-name", "durable")
        vpc = stack["outputs"]["VPCId"]
        lab.kill9()
        lab.start()
        ec2 = lab.client("ec2")
        assert ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"]
        [listed] = [s for s in json.loads(vpclab(lab, "stacks", "--json").stdout)["stacks"] if s["name"] == "durable"]
        assert listed["resources"] == stack["resources"]
        # The ids the lab hands out next were not handed out before the kill.
        fresh = ec2.create_vpc(CidrBlock="10.203.0.0/16")["Vpc"]["VpcId"]
        assert fresh not in {r["physical_id"] for r in stack["resources"]}
        p = vpclab(lab, "down", "durable")
        assert p.returncode == 0, p.stderr
        assert not ec2.describe_vpcs(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Vpcs"]
    finally:
        lab.cleanup()


def test_a_reader_that_stops_early_ends_the_listing_quietly(lab):
    """`vpclab stacks | head -1`: the pipe's reader going away ends vpclab with SIGPIPE's
    status, not a panic and a backtrace."""
    up(lab, NAT_TEMPLATE, "--stack-name", "piped")
    try:
        env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION="us-east-1",
                   VPCLAB_ENDPOINT=lab.endpoint)
        p = subprocess.Popen([BINARY, "stacks"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        p.stdout.close()  # the reader is gone before vpclab writes a byte
        err = p.stderr.read().decode()
        assert p.wait(timeout=60) == 141, err
        assert "panicked" not in err and err == ""
    finally:
        assert vpclab(lab, "down", "piped").returncode == 0


EXPORTING = """
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.204.0.0/16
Outputs:
  VpcId:
    Value: !Ref Vpc
    Export:
      Name: shared-vpc-id
"""


def test_an_export_name_already_taken_refuses_the_second_stack_and_unmakes_it(lab, ec2, tmp_path):
    path = tmp_path / "exporting.yaml"
    path.write_text(EXPORTING)
    first = up(lab, str(path), "--stack-name", "exporter-one")
    before = {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]}
    p = vpclab(lab, "up", str(path), "--stack-name", "exporter-two")
    assert p.returncode != 0 and "shared-vpc-id" in p.stderr and "ValidationError" in p.stderr, p.stderr
    # Its VPC was made, then taken back with the refusal.
    assert {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]} == before
    assert "exporter-two" not in vpclab(lab, "stacks").stdout
    assert vpclab(lab, "down", "exporter-one").returncode == 0
    assert first["outputs"]["VpcId"] not in {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]}
