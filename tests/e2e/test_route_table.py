"""Route tables through boto3 and the aws CLI: create, describe (routes with the target
field of each kind, origins, states, associations, every filter, pages), associations
(associate, disassociate, replace — the main one too), routes (create, replace, delete),
delete; and every refusal with AWS's code and no change."""

import botocore.exceptions
import pytest

from conftest import error_code

AMI = "ami-0123456789abcdef0"


def vpc(ec2, cidr="10.0.0.0/16", ipv6=False):
    return ec2.create_vpc(CidrBlock=cidr, AmazonProvidedIpv6CidrBlock=ipv6)["Vpc"]


def table(ec2, rtb):
    return ec2.describe_route_tables(RouteTableIds=[rtb])["RouteTables"][0]


def main_table(ec2, vpc_id):
    [rt] = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "association.main", "Values": ["true"]}])["RouteTables"]
    return rt


def tables_of(ec2, vpc_id):
    return ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["RouteTables"]


def route(rt, destination):
    [r] = [r for r in rt["Routes"] if destination in (r.get("DestinationCidrBlock"), r.get("DestinationIpv6CidrBlock"), r.get("DestinationPrefixListId"))]
    return r


def igw_on(ec2, vpc_id):
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
    return igw


def test_create_route_table_has_the_local_routes_and_no_association(ec2, unique):
    v = vpc(ec2, ipv6=True)
    v6 = v["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"]
    rt = ec2.create_route_table(
        VpcId=v["VpcId"],
        TagSpecifications=[{"ResourceType": "route-table", "Tags": [{"Key": "Name", "Value": unique}]}],
    )["RouteTable"]
    rtb = rt["RouteTableId"]
    assert rtb.startswith("rtb-")
    assert rt == {
        "RouteTableId": rtb,
        "VpcId": v["VpcId"],
        "OwnerId": "000000000000",
        "Routes": [
            {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "Origin": "CreateRouteTable", "State": "active"},
            {"DestinationIpv6CidrBlock": v6, "GatewayId": "local", "Origin": "CreateRouteTable", "State": "active"},
        ],
        "Associations": [],
        "PropagatingVgws": [],
        "Tags": [{"Key": "Name", "Value": unique}],
    }
    assert table(ec2, rtb) == rt
    token = ec2.create_route_table(VpcId=v["VpcId"], ClientToken=f"token-{unique}")
    assert token["ClientToken"] == f"token-{unique}"
    assert "Tags" not in token["RouteTable"]


def test_every_vpc_has_a_main_table_that_subnets_use_until_associated(ec2):
    v = vpc(ec2)["VpcId"]
    main = main_table(ec2, v)
    [assoc] = main["Associations"]
    assert assoc["Main"] is True
    assert "SubnetId" not in assoc
    assert assoc["RouteTableId"] == main["RouteTableId"]
    assert assoc["AssociationState"] == {"State": "associated"}
    assert assoc["RouteTableAssociationId"].startswith("rtbassoc-")
    subnet = ec2.create_subnet(VpcId=v, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    rtb = ec2.create_route_table(VpcId=v)["RouteTable"]["RouteTableId"]
    got = ec2.associate_route_table(RouteTableId=rtb, SubnetId=subnet)
    assert got["AssociationId"].startswith("rtbassoc-")
    assert got["AssociationState"] == {"State": "associated"}
    assert table(ec2, rtb)["Associations"] == [
        {"Main": False, "RouteTableAssociationId": got["AssociationId"], "RouteTableId": rtb, "SubnetId": subnet, "AssociationState": {"State": "associated"}}
    ]
    by_subnet = ec2.describe_route_tables(Filters=[{"Name": "association.subnet-id", "Values": [subnet]}])["RouteTables"]
    assert [t["RouteTableId"] for t in by_subnet] == [rtb]
    ec2.disassociate_route_table(AssociationId=got["AssociationId"])
    assert table(ec2, rtb)["Associations"] == []
    assert ec2.describe_route_tables(Filters=[{"Name": "association.subnet-id", "Values": [subnet]}])["RouteTables"] == []


def test_routes_show_the_target_field_of_their_kind_and_their_state(ec2, unique):
    v = vpc(ec2, ipv6=True)
    vid = v["VpcId"]
    subnet = ec2.create_subnet(VpcId=vid, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    rtb = ec2.create_route_table(VpcId=vid)["RouteTable"]["RouteTableId"]
    igw = igw_on(ec2, vid)
    eigw = ec2.create_egress_only_internet_gateway(VpcId=vid)["EgressOnlyInternetGateway"]["EgressOnlyInternetGatewayId"]
    eni = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
    instance = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet)["Instances"][0]["InstanceId"]
    peer = vpc(ec2, "10.99.0.0/16")["VpcId"]
    pcx = ec2.create_vpc_peering_connection(VpcId=vid, PeerVpcId=peer)["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    pl = ec2.create_managed_prefix_list(PrefixListName=f"offices-{unique}", AddressFamily="IPv4", MaxEntries=5, Entries=[{"Cidr": "203.0.113.0/24"}])["PrefixList"]["PrefixListId"]

    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.create_route(RouteTableId=rtb, DestinationIpv6CidrBlock="::/0", EgressOnlyInternetGatewayId=eigw)
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="192.168.0.0/16", NetworkInterfaceId=eni)
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="172.16.0.0/12", InstanceId=instance)
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="10.99.0.0/16", VpcPeeringConnectionId=pcx)
    ec2.create_route(RouteTableId=rtb, DestinationPrefixListId=pl, GatewayId=igw)
    rt = table(ec2, rtb)
    primary = ec2.describe_instances(InstanceIds=[instance])["Reservations"][0]["Instances"][0]["NetworkInterfaces"][0]["NetworkInterfaceId"]
    assert route(rt, "0.0.0.0/0") == {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": igw, "Origin": "CreateRoute", "State": "active"}
    assert route(rt, "::/0") == {"DestinationIpv6CidrBlock": "::/0", "EgressOnlyInternetGatewayId": eigw, "Origin": "CreateRoute", "State": "active"}
    # AWS: an interface attached to no instance is no usable next hop.
    assert route(rt, "192.168.0.0/16") == {"DestinationCidrBlock": "192.168.0.0/16", "NetworkInterfaceId": eni, "Origin": "CreateRoute", "State": "blackhole"}
    assert route(rt, "172.16.0.0/12") == {
        "DestinationCidrBlock": "172.16.0.0/12", "InstanceId": instance, "InstanceOwnerId": "000000000000",
        "NetworkInterfaceId": primary, "Origin": "CreateRoute", "State": "active",
    }
    assert route(rt, "10.99.0.0/16") == {"DestinationCidrBlock": "10.99.0.0/16", "VpcPeeringConnectionId": pcx, "Origin": "CreateRoute", "State": "active"}
    assert route(rt, pl) == {"DestinationPrefixListId": pl, "GatewayId": igw, "Origin": "CreateRoute", "State": "active"}

    # Routes whose target goes away turn into blackholes.
    ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vid)
    ec2.delete_egress_only_internet_gateway(EgressOnlyInternetGatewayId=eigw)
    ec2.terminate_instances(InstanceIds=[instance])
    ec2.delete_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    rt = table(ec2, rtb)
    for destination in ["0.0.0.0/0", "::/0", "172.16.0.0/12", "10.99.0.0/16", pl]:
        assert route(rt, destination)["State"] == "blackhole", destination
    assert "InstanceId" not in route(rt, "172.16.0.0/12")
    assert route(rt, "10.0.0.0/16")["State"] == "active"


def test_a_route_to_a_nat_gateway(ec2):
    vid = vpc(ec2)["VpcId"]
    igw_on(ec2, vid)
    public = ec2.create_subnet(VpcId=vid, CidrBlock="10.0.0.0/24")["Subnet"]["SubnetId"]
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=public, AllocationId=eip)["NatGateway"]["NatGatewayId"]
    rtb = ec2.create_route_table(VpcId=vid)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
    assert route(table(ec2, rtb), "0.0.0.0/0") == {"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": nat, "Origin": "CreateRoute", "State": "active"}
    found = ec2.describe_route_tables(Filters=[{"Name": "route.nat-gateway-id", "Values": [nat]}])["RouteTables"]
    assert [t["RouteTableId"] for t in found] == [rtb]
    ec2.delete_nat_gateway(NatGatewayId=nat)
    assert route(table(ec2, rtb), "0.0.0.0/0")["State"] == "blackhole"


def test_describe_route_tables_filters(ec2, unique):
    v = vpc(ec2, ipv6=True)
    vid = v["VpcId"]
    v6 = v["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"]
    subnet = ec2.create_subnet(VpcId=vid, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    main = main_table(ec2, vid)["RouteTableId"]
    rtb = ec2.create_route_table(VpcId=vid, TagSpecifications=[{"ResourceType": "route-table", "Tags": [{"Key": "tier", "Value": unique}]}])["RouteTable"]["RouteTableId"]
    lone = ec2.create_route_table(VpcId=vid)["RouteTable"]["RouteTableId"]
    assoc = ec2.associate_route_table(RouteTableId=rtb, SubnetId=subnet)["AssociationId"]
    igw = igw_on(ec2, vid)
    eigw = ec2.create_egress_only_internet_gateway(VpcId=vid)["EgressOnlyInternetGateway"]["EgressOnlyInternetGatewayId"]
    instance = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet)["Instances"][0]["InstanceId"]
    peer = vpc(ec2, "10.98.0.0/16")["VpcId"]
    pcx = ec2.create_vpc_peering_connection(VpcId=vid, PeerVpcId=peer)["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    pl = ec2.create_managed_prefix_list(PrefixListName=f"pl-{unique}", AddressFamily="IPv4", MaxEntries=5)["PrefixList"]["PrefixListId"]
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.create_route(RouteTableId=rtb, DestinationIpv6CidrBlock="::/0", EgressOnlyInternetGatewayId=eigw)
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="172.16.0.0/12", InstanceId=instance)
    # A pending peering connection may be a target; its route is a blackhole until accepted.
    ec2.create_route(RouteTableId=lone, DestinationCidrBlock="10.98.0.0/16", VpcPeeringConnectionId=pcx)
    ec2.create_route(RouteTableId=lone, DestinationPrefixListId=pl, GatewayId=igw)

    def ids(*filters):
        got = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vid]}] + [{"Name": n, "Values": list(vs)} for n, *vs in filters])["RouteTables"]
        return sorted(t["RouteTableId"] for t in got)

    every = sorted([main, rtb, lone])
    assert ids() == every
    assert ids(("association.main", "true")) == [main]
    # AWS: tables without any association have no value for association.main.
    assert ids(("association.main", "false")) == [rtb]
    assert ids(("association.subnet-id", subnet)) == [rtb]
    assert ids(("association.route-table-association-id", assoc)) == [rtb]
    assert ids(("association.route-table-id", lone)) == []
    assert ids(("association.route-table-id", rtb)) == [rtb]
    assert ids(("association.gateway-id", "*")) == []
    assert ids(("owner-id", "000000000000")) == every
    assert ids(("route-table-id", lone)) == [lone]
    assert ids(("route.destination-cidr-block", "10.0.0.0/16")) == every
    assert ids(("route.destination-cidr-block", "0.0.0.0/0")) == [rtb]
    assert ids(("route.destination-ipv6-cidr-block", v6)) == every
    assert ids(("route.destination-ipv6-cidr-block", "::/0")) == [rtb]
    assert ids(("route.destination-prefix-list-id", pl)) == [lone]
    assert ids(("route.egress-only-internet-gateway-id", eigw)) == [rtb]
    assert ids(("route.gateway-id", igw)) == sorted([rtb, lone])
    assert ids(("route.gateway-id", "local")) == every
    assert ids(("route.instance-id", instance)) == [rtb]
    assert ids(("route.nat-gateway-id", "nat-*")) == []
    assert ids(("route.transit-gateway-id", "*")) == []
    assert ids(("route.origin", "CreateRoute")) == sorted([rtb, lone])
    assert ids(("route.origin", "CreateRouteTable")) == every
    assert ids(("route.state", "blackhole")) == [lone]
    assert ids(("route.vpc-peering-connection-id", pcx)) == [lone]
    assert ids(("tag:tier", unique)) == [rtb]
    assert ids(("tag-key", "tier")) == [rtb]
    assert ids(("tag-value", unique)) == [rtb]
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    assert ids(("route.state", "blackhole")) == []


def test_describe_route_tables_ids_pages_and_refusals(roomy_lab):
    ec2 = roomy_lab.client("ec2", validate=False)
    vid = vpc(ec2)["VpcId"]
    made = [ec2.create_route_table(VpcId=vid)["RouteTable"]["RouteTableId"] for _ in range(4)]
    pages = list(ec2.get_paginator("describe_route_tables").paginate(PaginationConfig={"PageSize": 5}))
    assert [len(p["RouteTables"]) for p in pages] == [5, 1], "4 new tables, the new VPC's main table, the default VPC's"
    assert set(made) <= {t["RouteTableId"] for p in pages for t in p["RouteTables"]}
    assert len(ec2.describe_route_tables(MaxResults=100)["RouteTables"]) == 6
    assert [t["RouteTableId"] for t in ec2.describe_route_tables(RouteTableIds=made[1:3])["RouteTables"]] == made[1:3]
    for kwargs, code in [
        ({"RouteTableIds": ["rtb-12345678"]}, "InvalidRouteTableID.NotFound"),
        ({"RouteTableIds": ["rtb-1"]}, "InvalidRouteTableId.Malformed"),
        ({"RouteTableIds": [made[0]], "MaxResults": 5}, "InvalidParameterCombination"),
        ({"MaxResults": 4}, "InvalidParameterValue"),
        # DescribeRouteTables pages hold at most 100 tables.
        ({"MaxResults": 101}, "InvalidParameterValue"),
        ({"NextToken": "x"}, "InvalidNextToken"),
        ({"Filters": [{"Name": "route.target", "Values": ["x"]}]}, "InvalidParameterValue"),
    ]:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ec2.describe_route_tables(**kwargs)
        assert error_code(e) == code, kwargs


def test_replacing_the_main_association_makes_another_table_main(ec2):
    vid = vpc(ec2)["VpcId"]
    old = main_table(ec2, vid)
    old_assoc = old["Associations"][0]["RouteTableAssociationId"]
    new = ec2.create_route_table(VpcId=vid)["RouteTable"]["RouteTableId"]
    got = ec2.replace_route_table_association(AssociationId=old_assoc, RouteTableId=new)
    assert got["NewAssociationId"].startswith("rtbassoc-") and got["NewAssociationId"] != old_assoc
    assert got["AssociationState"] == {"State": "associated"}
    assert main_table(ec2, vid)["RouteTableId"] == new
    assert table(ec2, new)["Associations"][0]["Main"] is True
    assert table(ec2, old["RouteTableId"])["Associations"] == []
    # The old main table is an ordinary table now, and can go.
    ec2.delete_route_table(RouteTableId=old["RouteTableId"])
    assert [t["RouteTableId"] for t in tables_of(ec2, vid)] == [new]


def test_replacing_a_subnet_association_moves_the_subnet(ec2):
    vid = vpc(ec2)["VpcId"]
    subnet = ec2.create_subnet(VpcId=vid, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    a = ec2.create_route_table(VpcId=vid)["RouteTable"]["RouteTableId"]
    b = ec2.create_route_table(VpcId=vid)["RouteTable"]["RouteTableId"]
    assoc = ec2.associate_route_table(RouteTableId=a, SubnetId=subnet)["AssociationId"]
    new = ec2.replace_route_table_association(AssociationId=assoc, RouteTableId=b)["NewAssociationId"]
    assert table(ec2, a)["Associations"] == []
    assert [(x["SubnetId"], x["RouteTableAssociationId"]) for x in table(ec2, b)["Associations"]] == [(subnet, new)]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.disassociate_route_table(AssociationId=assoc)
    assert error_code(e) == "InvalidAssociationID.NotFound"


def test_association_refusals_change_nothing(lab):
    ec2 = lab.client("ec2", validate=False)
    vid = vpc(ec2)["VpcId"]
    other = vpc(ec2, "10.1.0.0/16")["VpcId"]
    subnet = ec2.create_subnet(VpcId=vid, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    rtb = ec2.create_route_table(VpcId=vid)["RouteTable"]["RouteTableId"]
    foreign = ec2.create_route_table(VpcId=other)["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=rtb, SubnetId=subnet)
    main_assoc = main_table(ec2, vid)["Associations"][0]["RouteTableAssociationId"]
    before = tables_of(ec2, vid), tables_of(ec2, other)
    for kwargs, code in [
        ({"RouteTableId": foreign, "SubnetId": subnet}, "InvalidParameterValue"),
        ({"RouteTableId": rtb, "SubnetId": subnet}, "Resource.AlreadyAssociated"),
        ({"RouteTableId": rtb, "GatewayId": "igw-12345678"}, "InvalidParameterValue"),
        ({"RouteTableId": rtb}, "MissingParameter"),
        ({"RouteTableId": "rtb-12345678", "SubnetId": subnet}, "InvalidRouteTableID.NotFound"),
        ({"RouteTableId": rtb, "SubnetId": "subnet-12345678"}, "InvalidSubnetID.NotFound"),
    ]:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ec2.associate_route_table(**kwargs)
        assert error_code(e) == code, kwargs
    for association_id, code in [(main_assoc, "InvalidParameterValue"), ("rtbassoc-12345678", "InvalidAssociationID.NotFound"), ("rtbassoc-x", "InvalidAssociationID.Malformed")]:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ec2.disassociate_route_table(AssociationId=association_id)
        assert error_code(e) == code, association_id
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.replace_route_table_association(AssociationId=main_assoc, RouteTableId=foreign)
    assert error_code(e) == "InvalidParameterValue"
    for rt_id, code in [(rtb, "DependencyViolation"), (main_table(ec2, vid)["RouteTableId"], "DependencyViolation"), ("rtb-12345678", "InvalidRouteTableID.NotFound")]:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ec2.delete_route_table(RouteTableId=rt_id)
        assert error_code(e) == code, rt_id
    assert (tables_of(ec2, vid), tables_of(ec2, other)) == before


def test_replace_and_delete_routes(ec2):
    vid = vpc(ec2)["VpcId"]
    subnet = ec2.create_subnet(VpcId=vid, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    rtb = ec2.create_route_table(VpcId=vid)["RouteTable"]["RouteTableId"]
    igw = igw_on(ec2, vid)
    appliance = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.replace_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", NetworkInterfaceId=appliance)
    assert route(table(ec2, rtb), "0.0.0.0/0") == {"DestinationCidrBlock": "0.0.0.0/0", "NetworkInterfaceId": appliance, "Origin": "CreateRoute", "State": "blackhole"}
    # The local route may point at an appliance (middlebox routing) and back.
    ec2.replace_route(RouteTableId=rtb, DestinationCidrBlock="10.0.0.0/16", NetworkInterfaceId=appliance)
    assert route(table(ec2, rtb), "10.0.0.0/16")["NetworkInterfaceId"] == appliance
    assert route(table(ec2, rtb), "10.0.0.0/16")["Origin"] == "CreateRouteTable"
    ec2.replace_route(RouteTableId=rtb, DestinationCidrBlock="10.0.0.0/16", LocalTarget=True)
    assert route(table(ec2, rtb), "10.0.0.0/16")["GatewayId"] == "local"
    ec2.delete_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0")
    assert [r["DestinationCidrBlock"] for r in table(ec2, rtb)["Routes"]] == ["10.0.0.0/16"]


def test_route_refusals_change_nothing(lab):
    ec2 = lab.client("ec2", validate=False)
    v = vpc(ec2, ipv6=True)
    vid = v["VpcId"]
    rtb = ec2.create_route_table(VpcId=vid)["RouteTable"]["RouteTableId"]
    igw = igw_on(ec2, vid)
    loose = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    eigw = ec2.create_egress_only_internet_gateway(VpcId=vid)["EgressOnlyInternetGateway"]["EgressOnlyInternetGatewayId"]
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    before = table(ec2, rtb)
    for kwargs, code in [
        ({"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": igw}, "RouteAlreadyExists"),
        ({"DestinationCidrBlock": "1.0.0.0/8", "GatewayId": loose}, "InvalidParameterValue"),
        ({"DestinationCidrBlock": "1.0.0.0/8", "GatewayId": "igw-12345678"}, "InvalidGatewayID.NotFound"),
        ({"DestinationCidrBlock": "1.0.0.0/8", "EgressOnlyInternetGatewayId": eigw}, "InvalidParameterValue"),
        ({"DestinationCidrBlock": "10.0.5.0/24", "GatewayId": igw}, "InvalidParameterValue"),
        ({"DestinationCidrBlock": "1.0.0.0/8", "NatGatewayId": "nat-12345678"}, "InvalidNatGatewayID.NotFound"),
        ({"DestinationCidrBlock": "1.0.0.0/8", "NetworkInterfaceId": "eni-12345678"}, "InvalidNetworkInterfaceID.NotFound"),
        ({"DestinationCidrBlock": "1.0.0.0/8", "InstanceId": "i-12345678"}, "InvalidInstanceID.NotFound"),
        ({"DestinationCidrBlock": "1.0.0.0/8", "VpcPeeringConnectionId": "pcx-12345678"}, "InvalidVpcPeeringConnectionID.NotFound"),
        ({"DestinationCidrBlock": "1.0.0.0/8", "TransitGatewayId": "tgw-12345678"}, "InvalidParameterValue"),
        ({"DestinationCidrBlock": "1.0.0.0/8", "CarrierGatewayId": "cagw-12345678"}, "InvalidParameterValue"),
        ({"DestinationCidrBlock": "1.0.0.0/8"}, "MissingParameter"),
        ({"DestinationCidrBlock": "1.0.0.0/8", "GatewayId": igw, "NatGatewayId": "nat-12345678"}, "InvalidParameterCombination"),
        ({"GatewayId": igw}, "MissingParameter"),
        ({"DestinationCidrBlock": "1.0.0.0/8", "DestinationIpv6CidrBlock": "2001:db8::/32", "GatewayId": igw}, "InvalidParameterCombination"),
        ({"DestinationCidrBlock": "1.0.0.1/8", "GatewayId": igw}, "InvalidParameterValue"),
        ({"DestinationPrefixListId": "pl-12345678", "GatewayId": igw}, "InvalidPrefixListID.NotFound"),
    ]:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ec2.create_route(RouteTableId=rtb, **kwargs)
        assert error_code(e) == code, kwargs
    for rt_id, code in [("rtb-12345678", "InvalidRouteTableID.NotFound"), ("rtb-x", "InvalidRouteTableId.Malformed")]:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ec2.create_route(RouteTableId=rt_id, DestinationCidrBlock="1.0.0.0/8", GatewayId=igw)
        assert error_code(e) == code
    for kwargs, code in [
        ({"DestinationCidrBlock": "1.0.0.0/8", "GatewayId": igw}, "InvalidParameterValue"),
        ({"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": igw}, "InvalidParameterValue"),
        ({"DestinationCidrBlock": "0.0.0.0/0", "LocalTarget": True}, "InvalidParameterValue"),
    ]:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ec2.replace_route(RouteTableId=rtb, **kwargs)
        assert error_code(e) == code, kwargs
    for kwargs, code in [
        ({"DestinationCidrBlock": "10.0.0.0/16"}, "InvalidParameterValue"),
        ({"DestinationCidrBlock": "1.0.0.0/8"}, "InvalidRoute.NotFound"),
        ({"DestinationIpv6CidrBlock": "::/0"}, "InvalidRoute.NotFound"),
        ({}, "MissingParameter"),
    ]:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ec2.delete_route(RouteTableId=rtb, **kwargs)
        assert error_code(e) == code, kwargs
    assert table(ec2, rtb) == before


def test_another_account_cannot_see_or_touch_these_tables(lab):
    ec2 = lab.client("ec2")
    vid = vpc(ec2)["VpcId"]
    rtb = ec2.create_route_table(VpcId=vid)["RouteTable"]["RouteTableId"]
    lab.add_key("555566667777", "other-rtb-key", "other-rtb-secret")
    other = lab.client("ec2", key="other-rtb-key", secret="other-rtb-secret")
    assert {t["OwnerId"] for t in other.describe_route_tables()["RouteTables"]} == {"555566667777"}
    with pytest.raises(botocore.exceptions.ClientError) as e:
        other.describe_route_tables(RouteTableIds=[rtb])
    assert error_code(e) == "InvalidRouteTableID.NotFound"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        other.delete_route_table(RouteTableId=rtb)
    assert error_code(e) == "InvalidRouteTableID.NotFound"
    assert table(ec2, rtb)["RouteTableId"] == rtb


def test_the_cli_builds_a_public_route_table(lab, unique):
    _, out = lab.aws("ec2", "create-vpc", "--cidr-block", "10.0.0.0/16")
    vid = out["Vpc"]["VpcId"]
    _, out = lab.aws("ec2", "create-route-table", "--vpc-id", vid, "--tag-specifications", f"ResourceType=route-table,Tags=[{{Key=Name,Value={unique}}}]")
    rtb = out["RouteTable"]["RouteTableId"]
    _, out = lab.aws("ec2", "create-internet-gateway")
    igw = out["InternetGateway"]["InternetGatewayId"]
    lab.aws("ec2", "attach-internet-gateway", "--internet-gateway-id", igw, "--vpc-id", vid)
    _, out = lab.aws("ec2", "create-route", "--route-table-id", rtb, "--destination-cidr-block", "0.0.0.0/0", "--gateway-id", igw)
    assert out == {"Return": True}
    _, out = lab.aws("ec2", "describe-route-tables", "--filters", f"Name=tag:Name,Values={unique}", f"Name=route.gateway-id,Values={igw}")
    assert [t["RouteTableId"] for t in out["RouteTables"]] == [rtb]
    assert out["RouteTables"][0]["Routes"][1] == {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": igw, "Origin": "CreateRoute", "State": "active"}
    code, err = lab.aws("ec2", "delete-route", "--route-table-id", rtb, "--destination-cidr-block", "10.0.0.0/16", check=False)
    assert code != 0 and "InvalidParameterValue" in err
    lab.aws("ec2", "delete-route", "--route-table-id", rtb, "--destination-cidr-block", "0.0.0.0/0")
    lab.aws("ec2", "delete-route-table", "--route-table-id", rtb)
    code, err = lab.aws("ec2", "describe-route-tables", "--route-table-ids", rtb, check=False)
    assert code != 0 and "InvalidRouteTableID.NotFound" in err


def test_a_gateway_endpoint_route_shows_as_a_gateway_and_is_the_endpoints(lab):
    ec2 = lab.client("ec2", validate=False)
    vid = vpc(ec2)["VpcId"]
    rtb = ec2.create_route_table(VpcId=vid)["RouteTable"]["RouteTableId"]
    igw = igw_on(ec2, vid)
    vpce = ec2.create_vpc_endpoint(VpcId=vid, ServiceName="com.amazonaws.us-east-1.s3", RouteTableIds=[rtb])["VpcEndpoint"]["VpcEndpointId"]
    s3 = "pl-63a5400a"
    assert route(table(ec2, rtb), s3) == {"DestinationPrefixListId": s3, "GatewayId": vpce, "Origin": "CreateRoute", "State": "active"}
    for name, value in [("route.gateway-id", vpce), ("route.destination-prefix-list-id", s3)]:
        found = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vid]}, {"Name": name, "Values": [value]}])["RouteTables"]
        assert [t["RouteTableId"] for t in found] == [rtb], name
    before = table(ec2, rtb)
    # The endpoint owns its routes: users can neither add, replace nor remove them.
    for call, kwargs, code in [
        (ec2.create_route, {"DestinationPrefixListId": s3, "GatewayId": igw}, "RouteAlreadyExists"),
        (ec2.create_route, {"DestinationCidrBlock": "1.0.0.0/8", "GatewayId": vpce}, "InvalidParameterValue"),
        (ec2.create_route, {"DestinationCidrBlock": "1.0.0.0/8", "VpcEndpointId": vpce}, "InvalidParameterValue"),
        (ec2.replace_route, {"DestinationPrefixListId": s3, "GatewayId": igw}, "InvalidParameterValue"),
        (ec2.delete_route, {"DestinationPrefixListId": s3}, "InvalidParameterValue"),
    ]:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            call(RouteTableId=rtb, **kwargs)
        assert error_code(e) == code, (call, kwargs)
    assert table(ec2, rtb) == before
    ec2.delete_vpc_endpoints(VpcEndpointIds=[vpce])
    assert [r.get("DestinationPrefixListId") for r in table(ec2, rtb)["Routes"]] == [None]


def test_route_targets_in_the_wrong_state_or_network_are_refused(lab):
    ec2 = lab.client("ec2", validate=False)
    v = vpc(ec2, ipv6=True)
    vid = v["VpcId"]
    rtb = ec2.create_route_table(VpcId=vid)["RouteTable"]["RouteTableId"]
    other = vpc(ec2, "10.1.0.0/16", ipv6=True)["VpcId"]
    foreign_eigw = ec2.create_egress_only_internet_gateway(VpcId=other)["EgressOnlyInternetGateway"]["EgressOnlyInternetGatewayId"]
    foreign_subnet = ec2.create_subnet(VpcId=other, CidrBlock="10.1.0.0/24")["Subnet"]["SubnetId"]
    foreign_eni = ec2.create_network_interface(SubnetId=foreign_subnet)["NetworkInterface"]["NetworkInterfaceId"]
    igw_on(ec2, vid)
    public = ec2.create_subnet(VpcId=vid, CidrBlock="10.0.0.0/24")["Subnet"]["SubnetId"]
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=public, AllocationId=eip)["NatGateway"]["NatGatewayId"]
    gone = vpc(ec2, "10.2.0.0/16")["VpcId"]
    pcx = ec2.create_vpc_peering_connection(VpcId=vid, PeerVpcId=gone)["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    ec2.reject_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    two = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=public)["Instances"][0]["InstanceId"]
    second = ec2.create_network_interface(SubnetId=public)["NetworkInterface"]["NetworkInterfaceId"]
    ec2.attach_network_interface(NetworkInterfaceId=second, InstanceId=two, DeviceIndex=1)
    before = table(ec2, rtb)
    for kwargs, code in [
        ({"DestinationIpv6CidrBlock": "::/0", "EgressOnlyInternetGatewayId": foreign_eigw}, "InvalidParameterValue"),
        ({"DestinationCidrBlock": "1.0.0.0/8", "NetworkInterfaceId": foreign_eni}, "InvalidParameterValue"),
        ({"DestinationIpv6CidrBlock": "2001:db8::/32", "NatGatewayId": nat}, "InvalidParameterValue"),
        ({"DestinationCidrBlock": "10.2.0.0/16", "VpcPeeringConnectionId": pcx}, "InvalidParameterValue"),
        # AWS: an instance with several interfaces is named by the interface instead.
        ({"DestinationCidrBlock": "1.0.0.0/8", "InstanceId": two}, "InvalidParameterValue"),
    ]:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ec2.create_route(RouteTableId=rtb, **kwargs)
        assert error_code(e) == code, kwargs
    ec2.delete_nat_gateway(NatGatewayId=nat)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="1.0.0.0/8", NatGatewayId=nat)
    assert error_code(e) == "InvalidNatGatewayID.NotFound"
    assert table(ec2, rtb) == before


def test_create_route_table_and_replace_association_refusals(lab):
    ec2 = lab.client("ec2", validate=False)
    vid = vpc(ec2)["VpcId"]
    main = main_table(ec2, vid)
    for kwargs, code in [
        ({"VpcId": "vpc-12345678"}, "InvalidVpcID.NotFound"),
        ({"VpcId": "vpc-x"}, "InvalidVpcID.Malformed"),
        ({"VpcId": vid, "TagSpecifications": [{"ResourceType": "subnet", "Tags": [{"Key": "a", "Value": "b"}]}]}, "InvalidParameterValue"),
        ({"VpcId": vid, "TagSpecifications": [{"ResourceType": "route-table", "Tags": [{"Key": "aws:x", "Value": "b"}]}]}, "InvalidParameterValue"),
    ]:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ec2.create_route_table(**kwargs)
        assert error_code(e) == code, kwargs
    main_assoc = main["Associations"][0]["RouteTableAssociationId"]
    for kwargs, code in [
        ({"AssociationId": "rtbassoc-12345678", "RouteTableId": main["RouteTableId"]}, "InvalidAssociationID.NotFound"),
        ({"AssociationId": main_assoc, "RouteTableId": "rtb-12345678"}, "InvalidRouteTableID.NotFound"),
    ]:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ec2.replace_route_table_association(**kwargs)
        assert error_code(e) == code, kwargs
    assert tables_of(ec2, vid) == [main]
