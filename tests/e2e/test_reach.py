"""`vpclab reach`: the trace of a flow through the running lab, for people and as JSON."""

import json
import os
import subprocess

from conftest import BINARY


def reach(lab, *args):
    env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION="us-east-1")
    p = subprocess.run([BINARY, "reach", "--endpoint", lab.endpoint, *args], env=env, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def private_network(ec2, cidr):
    vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=cidr.replace("0.0/16", "1.0/24"))["Subnet"]["SubnetId"]
    rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=rt, SubnetId=subnet)
    instance = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, SubnetId=subnet)["Instances"][0]["InstanceId"]
    return vpc, rt, instance


def test_reach_explains_a_refusal_then_a_delivery_through_an_endpoint(lab, ec2):
    vpc, rt, instance = private_network(ec2, "10.60.0.0/16")
    code, out, err = reach(lab, "--from", instance, "--to", "s3.us-east-1.amazonaws.com:443")
    assert code == 3, err
    assert "DROPPED at " + rt in out
    assert "NO_ROUTE_TO_DESTINATION" in out
    endpoint = ec2.create_vpc_endpoint(VpcId=vpc, ServiceName="com.amazonaws.us-east-1.s3", RouteTableIds=[rt])["VpcEndpoint"]["VpcEndpointId"]
    code, out, err = reach(lab, "--from", instance, "--to", "s3.us-east-1.amazonaws.com:443")
    assert code == 0, out + err
    assert f"through gateway endpoint {endpoint}" in out
    assert f"aws:SourceVpce = {endpoint}" in out
    code, out, err = reach(lab, "--from", instance, "--to", "s3.us-east-1.amazonaws.com", "--json")
    trace = json.loads(out)
    assert trace["verdict"]["Delivered"]["AwsService"]["access"]["GatewayEndpoint"]["vpc_endpoint_id"] == endpoint
    assert trace["context"]["source_vpce"] == endpoint
    assert [h["component"]["kind"] for h in trace["forward"]][:3] == ["Instance", "NetworkInterface", "SecurityGroup"]


def test_reach_refuses_other_accounts_instances_and_bad_sources(lab, ec2, unique):
    _, _, instance = private_network(ec2, "10.61.0.0/16")
    lab.add_key("555566667777", f"AKIAR{unique.upper()}", "other")
    env = dict(os.environ, AWS_ACCESS_KEY_ID=f"AKIAR{unique.upper()}", AWS_SECRET_ACCESS_KEY="other")
    p = subprocess.run([BINARY, "reach", "--endpoint", lab.endpoint, "--from", instance, "--to", "10.61.1.9"], env=env, capture_output=True, text=True)
    assert p.returncode != 0 and "InvalidInstanceID.NotFound" in p.stderr
    code, _, err = reach(lab, "--from", "vpc-12345678", "--to", "10.0.0.1")
    assert code not in (0, 3) and "InvalidParameterValue" in err
    p = subprocess.run([BINARY, "reach", "--endpoint", lab.endpoint, "--from", instance, "--to", "10.61.1.9"],
                       env=dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="wrong"), capture_output=True, text=True)
    assert p.returncode != 0 and "SignatureDoesNotMatch" in p.stderr
