"""`vpclab diagram`: a topology built through boto3, drawn as DOT (parsed back with pydot),
Mermaid and SVG (through a stand-in for Graphviz's `dot`), with a trace over it."""

import json
import os
import random
import re
import stat
import subprocess
import urllib.error
import urllib.request
from xml.etree import ElementTree

import pydot
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from conftest import BINARY


def name(resource_id):
    """The node name the diagram gives a resource id."""
    return re.sub(r"[^A-Za-z0-9]", "_", resource_id)


@pytest.fixture(scope="module")
def world(lab):
    """An account of its own (so the drawing holds only this test's network): VPC
    10.70.0.0/16 whose Name tag has quotes and Unicode, a public subnet (route to an
    internet gateway) holding a NAT gateway and a web instance whose group admits
    nothing, a private subnet routing to the NAT and to an S3 gateway endpoint, and an
    app instance there."""
    account = "4" + "".join(random.choice("0123456789") for _ in range(11))
    key = f"AKIADIAGRAM{account}"
    lab.add_key(account, key, "diagram-secret")
    ec2 = lab.client("ec2", key=key, secret="diagram-secret")
    vpc = ec2.create_vpc(CidrBlock="10.70.0.0/16", TagSpecifications=[
        {"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": 'web "prod" ✓'}]}])["Vpc"]["VpcId"]
    public = ec2.create_subnet(VpcId=vpc, CidrBlock="10.70.0.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    private = ec2.create_subnet(VpcId=vpc, CidrBlock="10.70.1.0/24", AvailabilityZone="us-east-1b")["Subnet"]["SubnetId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    public_rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=public_rt, SubnetId=public)
    ec2.create_route(RouteTableId=public_rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=public, AllocationId=eip)["NatGateway"]["NatGatewayId"]
    private_rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=private_rt, SubnetId=private)
    ec2.create_route(RouteTableId=private_rt, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
    endpoint = ec2.create_vpc_endpoint(VpcId=vpc, ServiceName="com.amazonaws.us-east-1.s3",
                                       RouteTableIds=[private_rt])["VpcEndpoint"]["VpcEndpointId"]
    closed = ec2.create_security_group(VpcId=vpc, GroupName="closed", Description="admits nothing")["GroupId"]
    web = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, SubnetId=public,
                            SecurityGroupIds=[closed])["Instances"][0]
    app = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, SubnetId=private)["Instances"][0]["InstanceId"]
    return dict(lab=lab, key=key, account=account, vpc=vpc, public=public, private=private, igw=igw, nat=nat,
                endpoint=endpoint, closed=closed, web=web["InstanceId"], web_ip=web["PrivateIpAddress"], app=app)


def diagram(world, *args, env=None):
    base = dict(os.environ, AWS_ACCESS_KEY_ID=world["key"], AWS_SECRET_ACCESS_KEY="diagram-secret",
                AWS_DEFAULT_REGION="us-east-1")
    base.update(env or {})
    return subprocess.run([BINARY, "diagram", "--endpoint", world["lab"].endpoint, *args],
                          env=base, capture_output=True, text=True)


def parents(graph):
    """Each node's enclosing clusters, outermost first, read from the parsed DOT."""
    out = {}

    def walk(g, path):
        for n in g.get_nodes():
            out[n.get_name().strip('"')] = path
        for sub in g.get_subgraphs():
            walk(sub, path + [sub.get_name().strip('"')])

    walk(graph, [])
    return out


def all_nodes(graph):
    """Every node, in every cluster."""
    return graph.get_nodes() + [n for sub in graph.get_subgraphs() for n in all_nodes(sub)]


def edges(graph):
    """(from, to, attributes) of every edge, in order."""
    return [(e.get_source().strip('"'), e.get_destination().strip('"'), e.get_attributes()) for e in graph.get_edges()]


def trace_steps(graph):
    """The trace's edges (they do not constrain the layout), by their numbers, which run
    1, 2, 3… with each step starting where the one before ended."""
    steps = [(a, b, attrs) for a, b, attrs in edges(graph) if attrs.get("constraint") == "false"]
    steps.sort(key=lambda s: int(s[2]["label"].strip('"')))
    assert [int(s[2]["label"].strip('"')) for s in steps] == list(range(1, len(steps) + 1))
    for before, after in zip(steps, steps[1:]):
        assert before[1] == after[0], (before, after)
    return steps


def test_dot_nests_the_network_and_draws_the_routes(world):
    p = diagram(world)
    assert p.returncode == 0, p.stderr
    graphs = pydot.graph_from_dot_data(p.stdout)
    assert graphs and len(graphs) == 1, "the DOT does not parse"
    g = graphs[0]
    where = parents(g)
    account, vpc = f"cluster_account_{world['account']}", f"cluster_{name(world['vpc'])}"
    # account › VPC › zone › subnet › instance (and the NAT gateway in the public subnet).
    assert where[name(world["app"])] == [account, vpc, f"cluster_{name(world['vpc'] + '.us-east-1b')}",
                                         f"cluster_{name(world['private'])}"]
    assert where[name(world["nat"])][-1] == f"cluster_{name(world['public'])}"
    assert where[name(world["web"])][-1] == f"cluster_{name(world['public'])}"
    # The gateways and the gateway endpoint on the VPC's edge; S3 outside every account.
    assert where[name(world["igw"])] == [account, vpc]
    assert where[name(world["endpoint"])] == [account, vpc]
    assert where["aws_s3_us_east_1"] == []
    # The account's empty default VPC is left out, and the caption says so.
    assert "not drawn: the empty default VPC vpc-" in p.stdout
    assert len(re.findall(r'subgraph "cluster_vpc_[0-9a-f]+" ', p.stdout)) == 1
    # Routes: from the private subnet to the endpoint (the prefix list named as its
    # service) and to the NAT; from the public subnet to the internet gateway.
    routes = {(a, b): attrs.get("label", "").strip('"') for a, b, attrs in edges(g)}
    assert routes[(name(world["private"]), name(world["endpoint"]))] == "pl-63a5400a (s3)"
    assert routes[(name(world["private"]), name(world["nat"]))] == "0.0.0.0/0"
    assert routes[(name(world["public"]), name(world["igw"]))] == "0.0.0.0/0"
    assert (name(world["endpoint"]), "aws_s3_us_east_1") in routes
    assert (name(world["igw"]), "internet") in routes
    # The route edges leave the subnet's box, not a node in it.
    edge = next(attrs for a, b, attrs in edges(g) if (a, b) == (name(world["private"]), name(world["endpoint"])))
    assert edge["ltail"].strip('"') == f"cluster_{name(world['private'])}"
    # The Name tag, escaped for DOT, heads the VPC's label.
    assert 'label="web \\"prod\\" ✓\\lVPC ' + world["vpc"] in p.stdout
    # Drawing twice gives the same text.
    assert diagram(world).stdout == p.stdout


def test_mermaid_nests_the_network_and_draws_the_routes(world):
    p = diagram(world, "--format", "mermaid")
    assert p.returncode == 0, p.stderr
    text = p.stdout
    assert text.startswith("---\ntitle: \"vpclab · account " + world["account"])
    assert "\nflowchart LR\n" in text
    lines = text.splitlines()
    private, app = name(world["private"]), name(world["app"])
    # The instance is declared inside its subnet's subgraph.
    start = next(i for i, l in enumerate(lines) if l.strip().startswith(f"subgraph {private} ["))
    end = next(i for i in range(start, len(lines)) if lines[i].strip() == "end")
    assert any(l.strip().startswith(app + "[") for l in lines[start:end]), lines[start:end]
    assert f'  {private} -->|"pl-63a5400a (s3)"| {name(world["endpoint"])}' in lines
    assert f'  {private} -->|"0.0.0.0/0"| {name(world["nat"])}' in lines
    # The Name tag's quotes as Mermaid's entity codes.
    assert f'subgraph {name(world["vpc"])} ["web #quot;prod#quot; ✓<br/>VPC {world["vpc"]}' in text


def test_a_trace_to_s3_is_drawn_through_the_endpoint(world):
    p = diagram(world, "--trace-from", world["app"], "--trace-to", "s3.us-east-1.amazonaws.com:443")
    assert p.returncode == 0, p.stderr
    g = pydot.graph_from_dot_data(p.stdout)[0]
    steps = trace_steps(g)
    # From the instance, through the endpoint (the more specific route than the NAT's
    # 0.0.0.0/0), to S3.
    assert steps[0][0] == name(world["app"])
    assert (name(world["endpoint"]), "aws_s3_us_east_1") in [(a, b) for a, b, _ in steps]
    assert steps[-1][1] == "aws_s3_us_east_1"
    assert name(world["nat"]) not in [b for _, b, _ in steps]
    assert "DELIVERED to s3 in us-east-1 through gateway endpoint " + world["endpoint"] in p.stdout


def test_a_refused_trace_marks_the_refusing_group(world):
    p = diagram(world, "--trace-from", world["app"], "--trace-to", world["web_ip"] + ":22")
    assert p.returncode == 0, p.stderr
    g = pydot.graph_from_dot_data(p.stdout)[0]
    sg = name(world["closed"])
    # The group is drawn inside the VPC, red, with the explanation code.
    [node] = [n for n in all_nodes(g) if n.get_name().strip('"') == sg]
    attrs = node.get_attributes()
    assert "✗ SG_HAS_NO_RULES" in attrs["label"] and attrs["color"].strip('"') == "#C0392B", attrs
    assert parents(g)[sg][-1] == f"cluster_{name(world['vpc'])}"
    # The last step of the path reaches it, in red.
    steps = trace_steps(g)
    assert steps[-1][1] == sg and steps[-1][2]["color"].strip('"') == "#C0392B", steps
    assert steps[0][0] == name(world["app"])
    m = diagram(world, "--format", "mermaid", "--trace-from", world["app"], "--trace-to", world["web_ip"] + ":22")
    assert m.returncode == 0, m.stderr
    assert f"  style {sg} fill:#FADBD8,stroke:#C0392B" in m.stdout
    assert "✗ SG_HAS_NO_RULES" in m.stdout
    assert "==>" in m.stdout


def test_output_file(world, tmp_path):
    out = tmp_path / "lab.mmd"
    p = diagram(world, "--format", "mermaid", "-o", str(out))
    assert p.returncode == 0 and p.stdout == "", p.stderr
    assert out.read_text() == diagram(world, "--format", "mermaid").stdout


FAKE_DOT = """#!/bin/sh
# A stand-in for Graphviz's dot: records its arguments and input, answers an SVG.
printf '%s\\n' "$@" > "$(dirname "$0")/args"
cat > "$(dirname "$0")/input"
echo '<svg xmlns="http://www.w3.org/2000/svg"><!-- fake dot --></svg>'
"""


def test_svg_goes_through_graphviz_dot(world, tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "dot"
    fake.write_text(FAKE_DOT)
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    out = tmp_path / "lab.svg"
    p = diagram(world, "--format", "svg", "-o", str(out), env={"PATH": f"{bin_dir}:{os.environ['PATH']}"})
    assert p.returncode == 0, p.stderr
    assert out.read_text() == '<svg xmlns="http://www.w3.org/2000/svg"><!-- fake dot --></svg>\n'
    assert (bin_dir / "args").read_text() == "-Tsvg\n"
    # dot received exactly the DOT the lab draws.
    assert (bin_dir / "input").read_text() == diagram(world).stdout


def test_svg_with_a_real_graphviz_when_there_is_one(world, tmp_path):
    import shutil

    if shutil.which("dot") is None:
        pytest.skip("Graphviz is not installed")
    p = diagram(world, "--format", "svg")
    assert p.returncode == 0, p.stderr
    svg = ElementTree.fromstring(p.stdout)
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    # Graphviz titles each node's group with its name, and writes `-` as `&#45;`.
    assert f"<title>{name(world['app'])}</title>" in p.stdout
    assert world["app"].replace("-", "&#45;") in p.stdout


def test_svg_without_graphviz_says_what_to_do(world, tmp_path):
    p = diagram(world, "--format", "svg", env={"PATH": str(tmp_path)})
    assert p.returncode != 0
    assert "Graphviz" in p.stderr and "--format dot" in p.stderr, p.stderr
    assert p.stdout == ""


def test_bad_formats_and_bad_traces_are_refused(world):
    p = diagram(world, "--format", "png")
    assert p.returncode == 2 and "invalid value 'png'" in p.stderr, p.stderr
    p = diagram(world, "--trace-from", "vpc-12345678", "--trace-to", "10.0.0.1")
    assert p.returncode != 0 and "InvalidParameterValue" in p.stderr, p.stderr
    # Another account's instance is not the caller's to trace from.
    p = diagram(world, "--trace-from", world["app"], "--trace-to", "10.0.0.1",
                env={"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"})
    assert p.returncode != 0 and "InvalidInstanceID.NotFound" in p.stderr, p.stderr
    # The API itself: a format it does not write, and a misspelt field.
    for body, code in [({"format": "svg"}, "InvalidParameterValue"), ({"tarce": {}}, "InvalidRequest")]:
        status, answer = post(world, "/_vpclab/diagram", body)
        assert (status, answer["code"]) == (400, code), answer
    status, answer = post(world, "/_vpclab/diagram", {"format": "mermaid"})
    assert status == 200 and answer["text"].startswith("---\ntitle:")


def post(world, path, body):
    data = json.dumps(body)
    url = world["lab"].endpoint + path
    req = AWSRequest(method="POST", url=url, data=data, headers={"Content-Type": "application/json"})
    SigV4Auth(Credentials(world["key"], "diagram-secret"), "vpclab", "us-east-1").add_auth(req)
    http = urllib.request.Request(url, data=data.encode(), headers=dict(req.headers.items()), method="POST")
    try:
        with urllib.request.urlopen(http) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())
