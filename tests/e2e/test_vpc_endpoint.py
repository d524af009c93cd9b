"""Gateway VPC endpoints through boto3 and the aws CLI: create (with its route in each
route table), describe (ids, every filter, pages), modify (route tables, policy), delete
(with AWS's Unsuccessful items), AWS's service catalogue; and every refusal with AWS's
code and no change."""

import json

import botocore.exceptions
import pytest

from conftest import error_code

S3 = "com.amazonaws.us-east-1.s3"
DYNAMODB = "com.amazonaws.us-east-1.dynamodb"
S3_PL = "pl-63a5400a"
DEFAULT_POLICY = '{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}'
ONLY_MY_BUCKET = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Sid": "OnlyMine", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-bucket/*"}],
})


def vpc_with_tables(ec2, cidr, n=1):
    v = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    tables = [ec2.create_route_table(VpcId=v)["RouteTable"]["RouteTableId"] for _ in range(n)]
    return v, tables


def routes(ec2, table):
    return ec2.describe_route_tables(RouteTableIds=[table])["RouteTables"][0]["Routes"]


def endpoint_routes(ec2, table):
    return [(r.get("DestinationPrefixListId"), r.get("GatewayId")) for r in routes(ec2, table) if "DestinationPrefixListId" in r]


def endpoint(ec2, e):
    return ec2.describe_vpc_endpoints(VpcEndpointIds=[e])["VpcEndpoints"][0]


def test_create_a_gateway_endpoint_and_its_routes(ec2, unique):
    v, [a, b] = vpc_with_tables(ec2, "10.60.0.0/16", 2)
    made = ec2.create_vpc_endpoint(
        VpcId=v, ServiceName=S3, RouteTableIds=[a, b], ClientToken=unique,
        TagSpecifications=[{"ResourceType": "vpc-endpoint", "Tags": [{"Key": "Name", "Value": unique}]}],
    )
    assert made["ClientToken"] == unique
    e = made["VpcEndpoint"]
    eid = e["VpcEndpointId"]
    assert eid.startswith("vpce-")
    created = e.pop("CreationTimestamp")
    assert created.year >= 2024
    assert e == {
        "VpcEndpointId": eid,
        "VpcEndpointType": "Gateway",
        "VpcId": v,
        "ServiceName": S3,
        "State": "available",
        "PolicyDocument": DEFAULT_POLICY,
        "RouteTableIds": sorted([a, b]),
        "SubnetIds": [],
        "Groups": [],
        "PrivateDnsEnabled": False,
        "RequesterManaged": False,
        "NetworkInterfaceIds": [],
        "DnsEntries": [],
        "Tags": [{"Key": "Name", "Value": unique}],
        "OwnerId": "000000000000",
    }
    described = endpoint(ec2, eid)
    assert described.pop("CreationTimestamp") == created
    assert described == e
    for t in (a, b):
        assert endpoint_routes(ec2, t) == [(S3_PL, eid)]
    # The type defaults to Gateway; a policy is kept as given.
    other = ec2.create_vpc_endpoint(VpcId=v, ServiceName=DYNAMODB, VpcEndpointType="Gateway", PolicyDocument=ONLY_MY_BUCKET)["VpcEndpoint"]
    assert other["PolicyDocument"] == ONLY_MY_BUCKET
    assert other["RouteTableIds"] == []


def test_modify_route_tables_and_policy(ec2):
    v, [a, b] = vpc_with_tables(ec2, "10.61.0.0/16", 2)
    eid = ec2.create_vpc_endpoint(VpcId=v, ServiceName=S3, RouteTableIds=[a])["VpcEndpoint"]["VpcEndpointId"]
    assert ec2.modify_vpc_endpoint(VpcEndpointId=eid, AddRouteTableIds=[b], RemoveRouteTableIds=[a])["Return"] is True
    assert endpoint(ec2, eid)["RouteTableIds"] == [b]
    assert endpoint_routes(ec2, a) == []
    assert endpoint_routes(ec2, b) == [(S3_PL, eid)]
    ec2.modify_vpc_endpoint(VpcEndpointId=eid, PolicyDocument=ONLY_MY_BUCKET)
    assert endpoint(ec2, eid)["PolicyDocument"] == ONLY_MY_BUCKET
    ec2.modify_vpc_endpoint(VpcEndpointId=eid, ResetPolicy=True)
    assert endpoint(ec2, eid)["PolicyDocument"] == DEFAULT_POLICY


def test_invalid_policies_are_refused_and_change_nothing(ec2):
    v, [a] = vpc_with_tables(ec2, "10.62.0.0/16")
    eid = ec2.create_vpc_endpoint(VpcId=v, ServiceName=S3, RouteTableIds=[a], PolicyDocument=ONLY_MY_BUCKET)["VpcEndpoint"]["VpcEndpointId"]
    before = endpoint(ec2, eid)
    bad = [
        "{not json",
        "[]",
        json.dumps({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
        json.dumps({"Version": "2020-01-01", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}),
        json.dumps({"Statement": [{"Effect": "Maybe", "Principal": "*", "Action": "*", "Resource": "*"}]}),
    ]
    for doc in bad:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ec2.modify_vpc_endpoint(VpcEndpointId=eid, PolicyDocument=doc)
        assert error_code(e) == "InvalidPolicyDocument", doc
    assert endpoint(ec2, eid) == before
    count = len(ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [v]}])["VpcEndpoints"])
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.create_vpc_endpoint(VpcId=v, ServiceName=DYNAMODB, PolicyDocument=bad[2])
    assert error_code(e) == "InvalidPolicyDocument"
    assert len(ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [v]}])["VpcEndpoints"]) == count
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.modify_vpc_endpoint(VpcEndpointId=eid, PolicyDocument=DEFAULT_POLICY, ResetPolicy=True)
    assert error_code(e) == "InvalidParameterCombination"
    assert endpoint(ec2, eid) == before


def test_create_refusals_change_nothing(lab):
    ec2 = lab.client("ec2", validate=False)
    v, [a] = vpc_with_tables(ec2, "10.63.0.0/16")
    _, [elsewhere] = vpc_with_tables(ec2, "10.64.0.0/16")
    subnet = ec2.create_subnet(VpcId=v, CidrBlock="10.63.1.0/24")["Subnet"]["SubnetId"]
    ec2.create_vpc_endpoint(VpcId=v, ServiceName=S3, RouteTableIds=[a])
    before = (ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [v]}])["VpcEndpoints"], routes(ec2, a))
    base = dict(VpcId=v, ServiceName=DYNAMODB)
    for change, code in [
        # A table routes a service through one endpoint only.
        (dict(ServiceName=S3, RouteTableIds=[a]), "RouteAlreadyExists"),
        (dict(RouteTableIds=[elsewhere]), "InvalidParameterValue"),
        (dict(RouteTableIds=["rtb-0123456789abcdef0"]), "InvalidRouteTableID.NotFound"),
        (dict(RouteTableIds=["rtb-x"]), "InvalidRouteTableId.Malformed"),
        (dict(ServiceName="com.amazonaws.us-east-1.nosuch"), "InvalidServiceName"),
        (dict(ServiceName="com.amazonaws.us-west-2.s3"), "InvalidServiceName"),
        (dict(ServiceName="com.amazonaws.us-east-1.sts"), "InvalidParameterValue"),
        (dict(VpcEndpointType="Interface", RouteTableIds=[a]), "InvalidParameter"),
        (dict(VpcEndpointType="Tunnel"), "InvalidParameterValue"),
        (dict(SubnetIds=[subnet]), "InvalidParameter"),
        (dict(VpcId="vpc-0123456789abcdef0"), "InvalidVpcID.NotFound"),
        (dict(TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "a", "Value": "b"}]}]), "InvalidParameterValue"),
    ]:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ec2.create_vpc_endpoint(**dict(base, **change))
        assert error_code(e) == code, change
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.create_vpc_endpoint(VpcId=v)
    assert error_code(e) == "MissingParameter"
    assert (ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [v]}])["VpcEndpoints"], routes(ec2, a)) == before


def test_modify_refusals_change_nothing(ec2):
    v, [a, b] = vpc_with_tables(ec2, "10.66.0.0/16", 2)
    _, [elsewhere] = vpc_with_tables(ec2, "10.67.0.0/16")
    eid = ec2.create_vpc_endpoint(VpcId=v, ServiceName=S3, RouteTableIds=[a])["VpcEndpoint"]["VpcEndpointId"]
    before = (endpoint(ec2, eid), routes(ec2, a), routes(ec2, b))
    for kwargs, code in [
        (dict(RemoveRouteTableIds=[b]), "InvalidParameterValue"),
        (dict(AddRouteTableIds=[elsewhere]), "InvalidParameterValue"),
        (dict(AddRouteTableIds=[b, "rtb-0123456789abcdef0"]), "InvalidRouteTableID.NotFound"),
        (dict(AddSubnetIds=["subnet-0123456789abcdef0"]), "InvalidParameter"),
        (dict(VpcEndpointId="vpce-0123456789abcdef0"), "InvalidVpcEndpointId.NotFound"),
        (dict(VpcEndpointId="vpce-x"), "InvalidVpcEndpointId.Malformed"),
    ]:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ec2.modify_vpc_endpoint(**dict(dict(VpcEndpointId=eid), **kwargs))
        assert error_code(e) == code, kwargs
    assert (endpoint(ec2, eid), routes(ec2, a), routes(ec2, b)) == before


def test_delete_answers_each_failure_and_removes_the_routes(ec2):
    v, [a] = vpc_with_tables(ec2, "10.68.0.0/16")
    s3 = ec2.create_vpc_endpoint(VpcId=v, ServiceName=S3, RouteTableIds=[a])["VpcEndpoint"]["VpcEndpointId"]
    ddb = ec2.create_vpc_endpoint(VpcId=v, ServiceName=DYNAMODB, RouteTableIds=[a])["VpcEndpoint"]["VpcEndpointId"]
    assert len(endpoint_routes(ec2, a)) == 2
    out = ec2.delete_vpc_endpoints(VpcEndpointIds=[s3, "vpce-0123456789abcdef0", "vpce-bad"])
    assert [(u["ResourceId"], u["Error"]["Code"]) for u in out["Unsuccessful"]] == [
        ("vpce-0123456789abcdef0", "InvalidVpcEndpointId.NotFound"),
        ("vpce-bad", "InvalidVpcEndpointId.Malformed"),
    ]
    assert all(u["Error"]["Message"] for u in out["Unsuccessful"])
    assert [e for _, e in endpoint_routes(ec2, a)] == [ddb]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_vpc_endpoints(VpcEndpointIds=[s3])
    assert error_code(e) == "InvalidVpcEndpointId.NotFound"
    assert ec2.delete_vpc_endpoints(VpcEndpointIds=[ddb])["Unsuccessful"] == []
    assert endpoint_routes(ec2, a) == []


def test_every_filter(ec2, unique):
    v, [a] = vpc_with_tables(ec2, "10.69.0.0/16")
    s3 = ec2.create_vpc_endpoint(VpcId=v, ServiceName=S3, RouteTableIds=[a],
                                 TagSpecifications=[{"ResourceType": "vpc-endpoint", "Tags": [{"Key": "team", "Value": unique}]}])["VpcEndpoint"]["VpcEndpointId"]
    ddb = ec2.create_vpc_endpoint(VpcId=v, ServiceName=DYNAMODB)["VpcEndpoint"]["VpcEndpointId"]

    def ids(*filters):
        return {e["VpcEndpointId"] for e in ec2.describe_vpc_endpoints(Filters=[{"Name": n, "Values": vs} for n, vs in filters])["VpcEndpoints"]}

    in_vpc = ("vpc-id", [v])
    assert ids(in_vpc) == {s3, ddb}
    assert ids(("service-name", [S3]), in_vpc) == {s3}
    assert ids(("service-name", ["*dynamodb"]), in_vpc) == {ddb}
    assert ids(("vpc-endpoint-id", [ddb])) == {ddb}
    assert ids(("vpc-endpoint-state", ["available"]), in_vpc) == {s3, ddb}
    assert ids(("vpc-endpoint-state", ["pending"]), in_vpc) == set()
    assert ids(("vpc-endpoint-type", ["Gateway"]), in_vpc) == {s3, ddb}
    assert ids(("vpc-endpoint-type", ["Interface"]), in_vpc) == set()
    assert ids(("service-region", ["us-east-1"]), in_vpc) == {s3, ddb}
    assert ids(("ip-address-type", ["ipv4"]), in_vpc) == set()
    assert ids(("tag:team", [unique])) == {s3}
    assert ids(("tag-key", ["team"]), in_vpc) == {s3}
    assert ids(("tag-value", [unique])) == {s3}
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_vpc_endpoints(Filters=[{"Name": "route-table-id", "Values": [a]}])
    assert error_code(e) == "InvalidParameterValue"


def test_pages(roomy_lab):
    ec2 = roomy_lab.client("ec2", validate=False)
    made = []
    for i in range(3):
        v = ec2.create_vpc(CidrBlock=f"10.{70 + i}.0.0/16")["Vpc"]["VpcId"]
        made += [ec2.create_vpc_endpoint(VpcId=v, ServiceName=s)["VpcEndpoint"]["VpcEndpointId"] for s in (S3, DYNAMODB)]
    pages = list(ec2.get_paginator("describe_vpc_endpoints").paginate(PaginationConfig={"PageSize": 4}))
    assert [[e["VpcEndpointId"] for e in p["VpcEndpoints"]] for p in pages] == [made[:4], made[4:]]
    # AWS caps MaxResults at 1000 rather than refusing it.
    assert len(ec2.describe_vpc_endpoints(MaxResults=5000)["VpcEndpoints"]) == 6
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_vpc_endpoints(MaxResults=0)
    assert error_code(e) == "InvalidParameterValue"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_vpc_endpoints(VpcEndpointIds=["vpce-x"])
    assert error_code(e) == "InvalidVpcEndpointId.Malformed"


def test_another_account_cannot_see_or_touch_my_endpoint(lab, ec2, unique):
    v, [a] = vpc_with_tables(ec2, "10.74.0.0/16")
    eid = ec2.create_vpc_endpoint(VpcId=v, ServiceName=S3, RouteTableIds=[a])["VpcEndpoint"]["VpcEndpointId"]
    key = f"AKIAVE{unique.upper()}"
    lab.add_key("666677778888", key, "s3cret")
    other = lab.client("ec2", key=key, secret="s3cret")
    assert other.describe_vpc_endpoints()["VpcEndpoints"] == []
    out = other.delete_vpc_endpoints(VpcEndpointIds=[eid])
    assert [(u["ResourceId"], u["Error"]["Code"]) for u in out["Unsuccessful"]] == [(eid, "InvalidVpcEndpointId.NotFound")]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        other.create_vpc_endpoint(VpcId=v, ServiceName=DYNAMODB)
    assert error_code(e) == "InvalidVpcID.NotFound"
    assert endpoint(ec2, eid)["State"] == "available"


def test_the_service_catalogue(ec2):
    out = ec2.describe_vpc_endpoint_services()
    names = out["ServiceNames"]
    assert S3 in names and DYNAMODB in names and "com.amazonaws.us-east-1.sts" in names
    assert len(names) == len(set(names))
    details = out["ServiceDetails"]
    s3 = [d for d in details if d["ServiceName"] == S3]
    assert [d["ServiceType"] for d in s3] == [[{"ServiceType": "Gateway"}], [{"ServiceType": "Interface"}]]
    gw = s3[0]
    assert gw["Owner"] == "amazon"
    assert gw["BaseEndpointDnsNames"] == ["s3.us-east-1.amazonaws.com"]
    assert gw["AvailabilityZones"] == [f"us-east-1{z}" for z in "abcdef"]
    assert gw["VpcEndpointPolicySupported"] is True
    assert gw["AcceptanceRequired"] is False
    assert gw["ServiceId"].startswith("vpce-svc-")
    assert "PrivateDnsName" not in gw
    sts = [d for d in details if d["ServiceName"] == "com.amazonaws.us-east-1.sts"][0]
    assert sts["ServiceType"] == [{"ServiceType": "Interface"}]
    assert sts["PrivateDnsName"] == "sts.us-east-1.amazonaws.com"
    assert sts["BaseEndpointDnsNames"] == ["sts.us-east-1.vpce.amazonaws.com"]
    gateways = ec2.describe_vpc_endpoint_services(Filters=[{"Name": "service-type", "Values": ["Gateway"]}])
    assert gateways["ServiceNames"] == [DYNAMODB, S3]
    asked = ec2.describe_vpc_endpoint_services(ServiceNames=[S3])
    assert asked["ServiceNames"] == [S3] and len(asked["ServiceDetails"]) == 2
    for f in (("owner", ["amazon"]), ("service-region", ["us-east-1"]), ("supported-ip-address-types", ["ipv4"]), ("service-name", [S3])):
        got = ec2.describe_vpc_endpoint_services(Filters=[{"Name": f[0], "Values": f[1]}])["ServiceNames"]
        assert S3 in got, f
    assert ec2.describe_vpc_endpoint_services(Filters=[{"Name": "tag-key", "Values": ["x"]}])["ServiceNames"] == []
    west = ec2.describe_vpc_endpoint_services(ServiceNames=[S3], ServiceRegions=["us-west-2"])
    assert west["ServiceNames"] == []


def test_the_service_catalogue_pages_and_refusals(lab):
    ec2 = lab.client("ec2", validate=False)
    everything = ec2.describe_vpc_endpoint_services()["ServiceDetails"]
    pages = list(ec2.get_paginator("describe_vpc_endpoint_services").paginate(PaginationConfig={"PageSize": 10}))
    assert [d["ServiceId"] for p in pages for d in p["ServiceDetails"]] == [d["ServiceId"] for d in everything]
    assert len(pages) == (len(everything) + 9) // 10
    for kwargs, code in [
        (dict(ServiceNames=["com.amazonaws.us-east-1.nosuch"]), "InvalidServiceName"),
        (dict(Filters=[{"Name": "vpc-id", "Values": ["x"]}]), "InvalidParameterValue"),
        (dict(MaxResults=-1), "InvalidParameterValue"),
    ]:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ec2.describe_vpc_endpoint_services(**kwargs)
        assert error_code(e) == code, kwargs


def test_the_cli(lab, unique):
    _, v = lab.aws("ec2", "create-vpc", "--cidr-block", "10.75.0.0/16")
    v = v["Vpc"]["VpcId"]
    _, rt = lab.aws("ec2", "create-route-table", "--vpc-id", v)
    rt = rt["RouteTable"]["RouteTableId"]
    _, out = lab.aws("ec2", "create-vpc-endpoint", "--vpc-id", v, "--service-name", S3, "--route-table-ids", rt,
                     "--tag-specifications", f"ResourceType=vpc-endpoint,Tags=[{{Key=Name,Value={unique}}}]")
    eid = out["VpcEndpoint"]["VpcEndpointId"]
    assert json.loads(out["VpcEndpoint"]["PolicyDocument"])["Statement"][0]["Effect"] == "Allow"
    _, out = lab.aws("ec2", "describe-vpc-endpoints", "--filters", f"Name=tag:Name,Values={unique}")
    assert [e["VpcEndpointId"] for e in out["VpcEndpoints"]] == [eid]
    _, out = lab.aws("ec2", "modify-vpc-endpoint", "--vpc-endpoint-id", eid, "--remove-route-table-ids", rt)
    assert out["Return"] is True
    _, out = lab.aws("ec2", "describe-vpc-endpoint-services", "--service-names", DYNAMODB)
    assert out["ServiceNames"] == [DYNAMODB]
    code, err = lab.aws("ec2", "create-vpc-endpoint", "--vpc-id", v, "--service-name", S3, "--policy-document", "{oops", check=False)
    assert code != 0 and "InvalidPolicyDocument" in err
    _, out = lab.aws("ec2", "delete-vpc-endpoints", "--vpc-endpoint-ids", eid)
    assert out["Unsuccessful"] == []
