"""Internet gateways and egress-only internet gateways through boto3 and the aws CLI:
create, attach, detach, describe (ids, filters, pages), delete; and every refusal with
AWS's code and no change."""

import botocore.exceptions
import pytest

from conftest import error_code

AMI = "ami-0123456789abcdef0"


def vpc(ec2, cidr="10.0.0.0/16", ipv6=False):
    return ec2.create_vpc(CidrBlock=cidr, AmazonProvidedIpv6CidrBlock=ipv6)["Vpc"]["VpcId"]


def igw(ec2, igw_id):
    return ec2.describe_internet_gateways(InternetGatewayIds=[igw_id])["InternetGateways"][0]


def test_create_attach_detach_delete(ec2, unique):
    made = ec2.create_internet_gateway(
        TagSpecifications=[{"ResourceType": "internet-gateway", "Tags": [{"Key": "Name", "Value": unique}]}]
    )["InternetGateway"]
    gid = made["InternetGatewayId"]
    assert gid.startswith("igw-")
    assert made == {"InternetGatewayId": gid, "OwnerId": "000000000000", "Attachments": [], "Tags": [{"Key": "Name", "Value": unique}]}
    v = vpc(ec2)
    ec2.attach_internet_gateway(InternetGatewayId=gid, VpcId=v)
    # AWS: an internet gateway's attachment state is `available`.
    assert igw(ec2, gid)["Attachments"] == [{"State": "available", "VpcId": v}]
    ec2.detach_internet_gateway(InternetGatewayId=gid, VpcId=v)
    assert igw(ec2, gid)["Attachments"] == []
    ec2.delete_internet_gateway(InternetGatewayId=gid)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        igw(ec2, gid)
    assert error_code(e) == "InvalidInternetGatewayID.NotFound"
    assert "Tags" not in ec2.create_internet_gateway()["InternetGateway"]


def test_the_default_vpc_has_an_attached_gateway(ec2):
    default = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    [g] = ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [default]}])["InternetGateways"]
    assert g["Attachments"] == [{"State": "available", "VpcId": default}]


def test_describe_internet_gateways_filters(ec2, unique):
    v = vpc(ec2)
    attached = ec2.create_internet_gateway(TagSpecifications=[{"ResourceType": "internet-gateway", "Tags": [{"Key": "team", "Value": unique}]}])["InternetGateway"]["InternetGatewayId"]
    loose = ec2.create_internet_gateway(TagSpecifications=[{"ResourceType": "internet-gateway", "Tags": [{"Key": "team", "Value": unique}, {"Key": "spare", "Value": "yes"}]}])["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=attached, VpcId=v)

    def ids(*filters):
        got = ec2.describe_internet_gateways(Filters=[{"Name": "tag:team", "Values": [unique]}] + [{"Name": n, "Values": list(vs)} for n, *vs in filters])["InternetGateways"]
        return sorted(g["InternetGatewayId"] for g in got)

    assert ids() == sorted([attached, loose])
    assert ids(("attachment.vpc-id", v)) == [attached]
    # AWS: attachment.state has a value only when a VPC is attached.
    assert ids(("attachment.state", "available")) == [attached]
    assert ids(("attachment.state", "*")) == [attached]
    assert ids(("internet-gateway-id", loose)) == [loose]
    assert ids(("internet-gateway-id", "igw-*")) == sorted([attached, loose])
    assert ids(("owner-id", "000000000000")) == sorted([attached, loose])
    assert ids(("owner-id", "123456789012")) == []
    assert ids(("tag-key", "spare")) == [loose]
    assert ids(("tag-value", "yes")) == [loose]


def test_describe_internet_gateways_ids_pages_and_refusals(roomy_lab):
    ec2 = roomy_lab.client("ec2", validate=False)
    made = [ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"] for _ in range(5)]
    pages = list(ec2.get_paginator("describe_internet_gateways").paginate(PaginationConfig={"PageSize": 5}))
    assert [len(p["InternetGateways"]) for p in pages] == [5, 1], "5 new gateways and the default VPC's"
    assert set(made) <= {g["InternetGatewayId"] for p in pages for g in p["InternetGateways"]}
    assert [g["InternetGatewayId"] for g in ec2.describe_internet_gateways(InternetGatewayIds=made[:2])["InternetGateways"]] == made[:2]
    for kwargs, code in [
        ({"InternetGatewayIds": ["igw-12345678"]}, "InvalidInternetGatewayID.NotFound"),
        ({"InternetGatewayIds": ["igw-1"]}, "InvalidInternetGatewayId.Malformed"),
        ({"InternetGatewayIds": [made[0]], "MaxResults": 5}, "InvalidParameterCombination"),
        ({"MaxResults": 4}, "InvalidParameterValue"),
        ({"NextToken": "nope"}, "InvalidNextToken"),
        ({"Filters": [{"Name": "attachment.state-reason", "Values": ["x"]}]}, "InvalidParameterValue"),
    ]:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ec2.describe_internet_gateways(**kwargs)
        assert error_code(e) == code, kwargs


def test_internet_gateway_refusals_change_nothing(lab):
    ec2 = lab.client("ec2", validate=False)
    v = vpc(ec2)
    other_vpc = vpc(ec2, "10.1.0.0/16")
    gid = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    spare = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gid, VpcId=v)
    state = lambda: ec2.describe_internet_gateways(InternetGatewayIds=[gid, spare])["InternetGateways"]
    before = state()
    for call, kwargs, code in [
        # A gateway serves one VPC, and a VPC has one gateway.
        (ec2.attach_internet_gateway, {"InternetGatewayId": gid, "VpcId": other_vpc}, "Resource.AlreadyAssociated"),
        (ec2.attach_internet_gateway, {"InternetGatewayId": spare, "VpcId": v}, "Resource.AlreadyAssociated"),
        (ec2.attach_internet_gateway, {"InternetGatewayId": "igw-12345678", "VpcId": v}, "InvalidInternetGatewayID.NotFound"),
        (ec2.attach_internet_gateway, {"InternetGatewayId": spare, "VpcId": "vpc-12345678"}, "InvalidVpcID.NotFound"),
        (ec2.detach_internet_gateway, {"InternetGatewayId": gid, "VpcId": other_vpc}, "Gateway.NotAttached"),
        (ec2.detach_internet_gateway, {"InternetGatewayId": spare, "VpcId": v}, "Gateway.NotAttached"),
        (ec2.delete_internet_gateway, {"InternetGatewayId": gid}, "DependencyViolation"),
        (ec2.delete_internet_gateway, {"InternetGatewayId": "igw-12345678"}, "InvalidInternetGatewayID.NotFound"),
        (ec2.delete_internet_gateway, {"InternetGatewayId": "igw-zz"}, "InvalidInternetGatewayId.Malformed"),
        (ec2.create_internet_gateway, {"TagSpecifications": [{"ResourceType": "vpc", "Tags": [{"Key": "a", "Value": "b"}]}]}, "InvalidParameterValue"),
    ]:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            call(**kwargs)
        assert error_code(e) == code, (call, kwargs)
    assert state() == before
    # The VPC cannot go while the gateway is attached.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.delete_vpc(VpcId=v)
    assert error_code(e) == "DependencyViolation"


def test_detach_is_refused_while_instances_have_public_addresses(ec2):
    v = vpc(ec2)
    gid = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gid, VpcId=v)
    subnet = ec2.create_subnet(VpcId=v, CidrBlock="10.0.0.0/24")["Subnet"]["SubnetId"]
    ec2.modify_subnet_attribute(SubnetId=subnet, MapPublicIpOnLaunch={"Value": True})
    instance = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet)["Instances"][0]["InstanceId"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.detach_internet_gateway(InternetGatewayId=gid, VpcId=v)
    assert error_code(e) == "DependencyViolation"
    assert igw(ec2, gid)["Attachments"] == [{"State": "available", "VpcId": v}]
    ec2.terminate_instances(InstanceIds=[instance])
    ec2.detach_internet_gateway(InternetGatewayId=gid, VpcId=v)
    assert igw(ec2, gid)["Attachments"] == []


def test_internet_gateway_quota_is_five_per_region(fresh_lab):
    ec2 = fresh_lab.client("ec2")
    made = 0
    with pytest.raises(botocore.exceptions.ClientError) as e:
        for _ in range(10):
            ec2.create_internet_gateway()
            made += 1
    assert error_code(e) == "InternetGatewayLimitExceeded"
    assert made == 4, "the default VPC's gateway is the fifth"
    assert len(ec2.describe_internet_gateways()["InternetGateways"]) == 5


def test_egress_only_gateway_create_describe_delete(ec2, unique):
    v = vpc(ec2, ipv6=True)
    made = ec2.create_egress_only_internet_gateway(
        VpcId=v,
        ClientToken=f"eigw-{unique}",
        TagSpecifications=[{"ResourceType": "egress-only-internet-gateway", "Tags": [{"Key": "Name", "Value": unique}]}],
    )
    assert made["ClientToken"] == f"eigw-{unique}"
    g = made["EgressOnlyInternetGateway"]
    gid = g["EgressOnlyInternetGatewayId"]
    assert gid.startswith("eigw-")
    # AWS: unlike an internet gateway's, this attachment's state is `attached`.
    assert g == {"EgressOnlyInternetGatewayId": gid, "Attachments": [{"State": "attached", "VpcId": v}], "Tags": [{"Key": "Name", "Value": unique}]}
    assert ec2.describe_egress_only_internet_gateways(EgressOnlyInternetGatewayIds=[gid])["EgressOnlyInternetGateways"] == [g]
    by_tag = ec2.describe_egress_only_internet_gateways(Filters=[{"Name": "tag:Name", "Values": [unique]}])["EgressOnlyInternetGateways"]
    assert [x["EgressOnlyInternetGatewayId"] for x in by_tag] == [gid]
    assert ec2.describe_egress_only_internet_gateways(Filters=[{"Name": "tag-key", "Values": [f"none-{unique}"]}])["EgressOnlyInternetGateways"] == []
    # The VPC cannot go while the gateway is there.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.delete_vpc(VpcId=v)
    assert error_code(e) == "DependencyViolation"
    assert ec2.delete_egress_only_internet_gateway(EgressOnlyInternetGatewayId=gid)["ReturnCode"] is True
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_egress_only_internet_gateways(EgressOnlyInternetGatewayIds=[gid])
    assert error_code(e) == "InvalidEgressOnlyInternetGatewayId.NotFound"
    ec2.delete_vpc(VpcId=v)


def test_egress_only_gateway_pages_and_refusals(roomy_lab):
    ec2 = roomy_lab.client("ec2", validate=False)
    v = vpc(ec2, ipv6=True)
    made = [ec2.create_egress_only_internet_gateway(VpcId=v)["EgressOnlyInternetGateway"]["EgressOnlyInternetGatewayId"] for _ in range(6)]
    pages = list(ec2.get_paginator("describe_egress_only_internet_gateways").paginate(PaginationConfig={"PageSize": 5}))
    assert [len(p["EgressOnlyInternetGateways"]) for p in pages] == [5, 1]
    assert [g["EgressOnlyInternetGatewayId"] for p in pages for g in p["EgressOnlyInternetGateways"]] == made
    before = ec2.describe_egress_only_internet_gateways()["EgressOnlyInternetGateways"]
    for call, kwargs, code in [
        (ec2.describe_egress_only_internet_gateways, {"EgressOnlyInternetGatewayIds": ["eigw-12345678"]}, "InvalidEgressOnlyInternetGatewayId.NotFound"),
        (ec2.describe_egress_only_internet_gateways, {"EgressOnlyInternetGatewayIds": ["eigw-x"]}, "InvalidEgressOnlyInternetGatewayId.Malformed"),
        (ec2.describe_egress_only_internet_gateways, {"MaxResults": 4}, "InvalidParameterValue"),
        # DescribeEgressOnlyInternetGateways pages hold at most 255 gateways.
        (ec2.describe_egress_only_internet_gateways, {"MaxResults": 256}, "InvalidParameterValue"),
        # AWS documents only the tag filters for this action.
        (ec2.describe_egress_only_internet_gateways, {"Filters": [{"Name": "vpc-id", "Values": [v]}]}, "InvalidParameterValue"),
        (ec2.create_egress_only_internet_gateway, {"VpcId": "vpc-12345678"}, "InvalidVpcID.NotFound"),
        (ec2.create_egress_only_internet_gateway, {"VpcId": "vpc-x"}, "InvalidVpcID.Malformed"),
        (ec2.create_egress_only_internet_gateway, {"VpcId": v, "TagSpecifications": [{"ResourceType": "internet-gateway", "Tags": [{"Key": "a", "Value": "b"}]}]}, "InvalidParameterValue"),
        (ec2.delete_egress_only_internet_gateway, {"EgressOnlyInternetGatewayId": "eigw-12345678"}, "InvalidEgressOnlyInternetGatewayId.NotFound"),
    ]:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            call(**kwargs)
        assert error_code(e) == code, (call, kwargs)
    assert ec2.describe_egress_only_internet_gateways()["EgressOnlyInternetGateways"] == before


def test_the_cli_drives_both_kinds_of_gateway(lab, unique):
    _, out = lab.aws("ec2", "create-vpc", "--cidr-block", "10.0.0.0/16", "--amazon-provided-ipv6-cidr-block")
    v = out["Vpc"]["VpcId"]
    _, out = lab.aws("ec2", "create-internet-gateway", "--tag-specifications", f"ResourceType=internet-gateway,Tags=[{{Key=Name,Value={unique}}}]")
    gid = out["InternetGateway"]["InternetGatewayId"]
    lab.aws("ec2", "attach-internet-gateway", "--internet-gateway-id", gid, "--vpc-id", v)
    _, out = lab.aws("ec2", "describe-internet-gateways", "--filters", f"Name=attachment.vpc-id,Values={v}")
    assert [(g["InternetGatewayId"], g["Attachments"]) for g in out["InternetGateways"]] == [(gid, [{"State": "available", "VpcId": v}])]
    code, err = lab.aws("ec2", "delete-internet-gateway", "--internet-gateway-id", gid, check=False)
    assert code != 0 and "DependencyViolation" in err
    lab.aws("ec2", "detach-internet-gateway", "--internet-gateway-id", gid, "--vpc-id", v)
    lab.aws("ec2", "delete-internet-gateway", "--internet-gateway-id", gid)
    _, out = lab.aws("ec2", "create-egress-only-internet-gateway", "--vpc-id", v)
    eigw = out["EgressOnlyInternetGateway"]["EgressOnlyInternetGatewayId"]
    assert out["EgressOnlyInternetGateway"]["Attachments"] == [{"State": "attached", "VpcId": v}]
    _, out = lab.aws("ec2", "delete-egress-only-internet-gateway", "--egress-only-internet-gateway-id", eigw)
    assert out == {"ReturnCode": True}
