"""VPC peering connections through boto3 and the aws CLI: request, accept, reject,
delete, within one account and across two (each owner sees the connection), describe
with ids, filters and pages, boto3's waiters; and every refusal with AWS's code and no
change."""

import datetime

import botocore.exceptions
import pytest

from conftest import error_code

ACCOUNT = "000000000000"
PEER_ACCOUNT = "111122223333"


def refused(code, call, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        call(**kwargs)
    assert error_code(e) == code, e.value.response["Error"]
    return e.value.response["Error"]["Message"]


def vpc(ec2, cidr):
    return ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]


@pytest.fixture(scope="module")
def peer(lab):
    """A second account's client."""
    lab.add_key(PEER_ACCOUNT, "peer-key", "peer-secret")
    return lab.client("ec2", key="peer-key", secret="peer-secret")


def get(ec2, pcx):
    return ec2.describe_vpc_peering_connections(VpcPeeringConnectionIds=[pcx])["VpcPeeringConnections"][0]


def test_request_and_accept_in_one_account(ec2, unique):
    a, b = vpc(ec2, "10.90.0.0/16"), vpc(ec2, "10.91.0.0/16")
    ec2.associate_vpc_cidr_block(VpcId=a, CidrBlock="10.92.0.0/16")
    p = ec2.create_vpc_peering_connection(VpcId=a, PeerVpcId=b, TagSpecifications=[
        {"ResourceType": "vpc-peering-connection", "Tags": [{"Key": "Name", "Value": unique}]}])["VpcPeeringConnection"]
    pcx = p["VpcPeeringConnectionId"]
    assert pcx.startswith("pcx-")
    assert p["Status"] == {"Code": "pending-acceptance", "Message": f"Pending Acceptance by {ACCOUNT}"}
    assert p["RequesterVpcInfo"] == {
        "CidrBlock": "10.90.0.0/16", "CidrBlockSet": [{"CidrBlock": "10.90.0.0/16"}, {"CidrBlock": "10.92.0.0/16"}],
        "OwnerId": ACCOUNT, "VpcId": a, "Region": "us-east-1"}
    # AWS: "CIDR block information is only returned when describing an active VPC
    # peering connection."
    assert p["AccepterVpcInfo"] == {"OwnerId": ACCOUNT, "VpcId": b, "Region": "us-east-1"}
    ahead = p["ExpirationTime"] - datetime.datetime.now(datetime.timezone.utc)
    assert datetime.timedelta(days=6, hours=23) < ahead <= datetime.timedelta(days=7)
    assert p["Tags"] == [{"Key": "Name", "Value": unique}]
    ec2.get_waiter("vpc_peering_connection_exists").wait(VpcPeeringConnectionIds=[pcx])
    assert get(ec2, pcx) == p
    accepted = ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)["VpcPeeringConnection"]
    assert accepted["Status"] == {"Code": "active", "Message": "Active"}
    assert "ExpirationTime" not in accepted
    assert accepted["AccepterVpcInfo"]["CidrBlock"] == "10.91.0.0/16"
    assert accepted["AccepterVpcInfo"]["CidrBlockSet"] == [{"CidrBlock": "10.91.0.0/16"}]
    assert accepted["AccepterVpcInfo"]["PeeringOptions"] == {
        "AllowDnsResolutionFromRemoteVpc": False, "AllowEgressFromLocalClassicLinkToRemoteVpc": False,
        "AllowEgressFromLocalVpcToRemoteClassicLink": False}
    assert get(ec2, pcx) == accepted
    assert ec2.delete_vpc_peering_connection(VpcPeeringConnectionId=pcx)["Return"] is True
    assert get(ec2, pcx)["Status"] == {"Code": "deleted", "Message": "Deleted"}
    ec2.get_waiter("vpc_peering_connection_deleted").wait(VpcPeeringConnectionIds=[pcx])


def test_cross_account_peering_is_seen_by_both_owners(ec2, peer, unique):
    mine = vpc(ec2, "10.93.0.0/16")
    theirs = vpc(peer, "10.94.0.0/16")
    p = ec2.create_vpc_peering_connection(VpcId=mine, PeerVpcId=theirs, PeerOwnerId=PEER_ACCOUNT, PeerRegion="us-east-1",
                                          TagSpecifications=[{"ResourceType": "vpc-peering-connection", "Tags": [{"Key": "Name", "Value": unique}]}])["VpcPeeringConnection"]
    pcx = p["VpcPeeringConnectionId"]
    assert p["Status"] == {"Code": "pending-acceptance", "Message": f"Pending Acceptance by {PEER_ACCOUNT}"}
    assert p["AccepterVpcInfo"] == {"OwnerId": PEER_ACCOUNT, "VpcId": theirs, "Region": "us-east-1"}
    seen = get(peer, pcx)
    assert seen["RequesterVpcInfo"]["OwnerId"] == ACCOUNT
    assert "Tags" not in seen, "the requester's tags are its own"
    assert [x["VpcPeeringConnectionId"] for x in peer.describe_vpc_peering_connections(
        Filters=[{"Name": "status-code", "Values": ["pending-acceptance"]}, {"Name": "accepter-vpc-info.owner-id", "Values": [PEER_ACCOUNT]}])["VpcPeeringConnections"]] == [pcx]
    # Only the accepter accepts.
    refused("OperationNotPermitted", ec2.accept_vpc_peering_connection, VpcPeeringConnectionId=pcx)
    assert get(ec2, pcx)["Status"]["Code"] == "pending-acceptance"
    peer.get_waiter("vpc_peering_connection_exists").wait(VpcPeeringConnectionIds=[pcx])
    accepted = peer.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)["VpcPeeringConnection"]
    assert accepted["Status"]["Code"] == "active"
    assert get(ec2, pcx)["AccepterVpcInfo"]["CidrBlock"] == "10.94.0.0/16"
    assert get(ec2, pcx)["Tags"] == [{"Key": "Name", "Value": unique}]
    # Either owner deletes an active connection.
    peer.delete_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    assert get(ec2, pcx)["Status"]["Code"] == "deleted"
    assert get(peer, pcx)["Status"]["Code"] == "deleted"


def test_a_third_account_sees_nothing(lab, ec2):
    a, b = vpc(ec2, "10.95.0.0/16"), vpc(ec2, "10.96.0.0/16")
    pcx = ec2.create_vpc_peering_connection(VpcId=a, PeerVpcId=b)["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    lab.add_key("888899990000", "pcx-third", "pcx-third-secret")
    third = lab.client("ec2", key="pcx-third", secret="pcx-third-secret")
    refused("InvalidVpcPeeringConnectionID.NotFound", third.describe_vpc_peering_connections, VpcPeeringConnectionIds=[pcx])
    refused("InvalidVpcPeeringConnectionID.NotFound", third.accept_vpc_peering_connection, VpcPeeringConnectionId=pcx)
    assert third.describe_vpc_peering_connections()["VpcPeeringConnections"] == []
    assert get(ec2, pcx)["Status"]["Code"] == "pending-acceptance"


def test_reject_and_the_transitions_it_closes(ec2, peer):
    mine, theirs = vpc(ec2, "10.97.0.0/16"), vpc(peer, "10.98.0.0/16")
    pcx = ec2.create_vpc_peering_connection(VpcId=mine, PeerVpcId=theirs, PeerOwnerId=PEER_ACCOUNT)["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    refused("OperationNotPermitted", ec2.reject_vpc_peering_connection, VpcPeeringConnectionId=pcx)
    # AWS: the accepter rejects a pending request; it cannot delete it.
    refused("InvalidStateTransition", peer.delete_vpc_peering_connection, VpcPeeringConnectionId=pcx)
    assert get(peer, pcx)["Status"]["Code"] == "pending-acceptance"
    assert peer.reject_vpc_peering_connection(VpcPeeringConnectionId=pcx)["Return"] is True
    assert get(ec2, pcx)["Status"] == {"Code": "rejected", "Message": "Rejected"}
    assert "ExpirationTime" not in get(ec2, pcx)
    refused("InvalidStateTransition", peer.accept_vpc_peering_connection, VpcPeeringConnectionId=pcx)
    refused("InvalidStateTransition", ec2.delete_vpc_peering_connection, VpcPeeringConnectionId=pcx)
    assert get(ec2, pcx)["Status"]["Code"] == "rejected"
    # The requester may withdraw a pending request by deleting it.
    again = ec2.create_vpc_peering_connection(VpcId=mine, PeerVpcId=theirs, PeerOwnerId=PEER_ACCOUNT)["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    ec2.delete_vpc_peering_connection(VpcPeeringConnectionId=again)
    assert get(peer, again)["Status"]["Code"] == "deleted"


def test_overlapping_blocks_make_a_failed_request(ec2):
    a, b = vpc(ec2, "10.99.0.0/16"), vpc(ec2, "10.99.0.0/20")
    p = ec2.create_vpc_peering_connection(VpcId=a, PeerVpcId=b)["VpcPeeringConnection"]
    assert p["Status"]["Code"] == "failed"
    assert "Overlapping" in p["Status"]["Message"]
    assert "ExpirationTime" not in p
    refused("InvalidStateTransition", ec2.accept_vpc_peering_connection, VpcPeeringConnectionId=p["VpcPeeringConnectionId"])
    assert get(ec2, p["VpcPeeringConnectionId"])["Status"]["Code"] == "failed"


def test_create_refusals_change_nothing(lab, ec2, peer):
    raw = lab.client("ec2", validate=False)
    a, b = vpc(ec2, "10.100.0.0/16"), vpc(ec2, "10.101.0.0/16")
    ec2.create_vpc_peering_connection(VpcId=a, PeerVpcId=b)
    theirs = vpc(peer, "10.102.0.0/16")
    before = ec2.describe_vpc_peering_connections(Filters=[{"Name": "requester-vpc-info.vpc-id", "Values": [a]}])["VpcPeeringConnections"]
    for kwargs, code in [
        ({"PeerVpcId": b}, "VpcPeeringConnectionAlreadyExists"),
        ({"PeerVpcId": a}, "InvalidParameterValue"),
        ({"PeerVpcId": "vpc-12345678"}, "InvalidVpcID.NotFound"),
        ({"PeerVpcId": "vpc-nope"}, "InvalidVpcID.Malformed"),
        ({"PeerVpcId": theirs}, "InvalidVpcID.NotFound"),
        ({"PeerVpcId": theirs, "PeerOwnerId": PEER_ACCOUNT, "PeerRegion": "eu-west-1"}, "InvalidParameterValue"),
        ({"PeerVpcId": theirs, "PeerOwnerId": "not-an-account"}, "InvalidParameterValue"),
        ({"PeerVpcId": theirs, "PeerOwnerId": PEER_ACCOUNT, "TagSpecifications": [{"ResourceType": "vpc", "Tags": [{"Key": "a", "Value": "b"}]}]}, "InvalidParameterValue"),
        ({}, "MissingParameter"),
    ]:
        refused(code, raw.create_vpc_peering_connection, VpcId=a, **kwargs)
    refused("InvalidVpcID.NotFound", ec2.create_vpc_peering_connection, VpcId=theirs, PeerVpcId=b)
    after = ec2.describe_vpc_peering_connections(Filters=[{"Name": "requester-vpc-info.vpc-id", "Values": [a]}])["VpcPeeringConnections"]
    assert after == before
    assert peer.describe_vpc_peering_connections(Filters=[{"Name": "accepter-vpc-info.vpc-id", "Values": [theirs]}])["VpcPeeringConnections"] == []


def test_describe_filters_and_refusals(lab, ec2, unique):
    a, b, c = vpc(ec2, "10.103.0.0/16"), vpc(ec2, "10.104.0.0/16"), vpc(ec2, "10.105.0.0/16")
    ab = ec2.create_vpc_peering_connection(VpcId=a, PeerVpcId=b, TagSpecifications=[
        {"ResourceType": "vpc-peering-connection", "Tags": [{"Key": "team", "Value": unique}]}])["VpcPeeringConnection"]
    ac = ec2.create_vpc_peering_connection(VpcId=a, PeerVpcId=c)["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=ac)
    ab_id = ab["VpcPeeringConnectionId"]
    ids = lambda *filters: sorted(p["VpcPeeringConnectionId"] for p in ec2.describe_vpc_peering_connections(Filters=[{"Name": "requester-vpc-info.vpc-id", "Values": [a]}, *filters])["VpcPeeringConnections"])
    f = lambda name, *values: {"Name": name, "Values": list(values)}
    assert ids() == sorted([ab_id, ac])
    assert ids(f("accepter-vpc-info.vpc-id", c)) == [ac]
    assert ids(f("status-code", "active")) == [ac]
    assert ids(f("status-code", "pending-acceptance")) == [ab_id]
    assert ids(f("status-message", "Pending*")) == [ab_id]
    assert ids(f("accepter-vpc-info.cidr-block", "10.105.0.0/16")) == [ac]
    assert ids(f("accepter-vpc-info.cidr-block", "10.104.0.0/16")) == [], "no accepter CIDR until active"
    assert ids(f("requester-vpc-info.cidr-block", "10.103.0.0/16")) == sorted([ab_id, ac])
    assert ids(f("requester-vpc-info.owner-id", ACCOUNT), f("accepter-vpc-info.owner-id", ACCOUNT)) == sorted([ab_id, ac])
    assert ids(f("vpc-peering-connection-id", ac)) == [ac]
    assert ids(f("tag:team", unique)) == [ab_id]
    assert ids(f("tag-key", "team")) == [ab_id]
    expiry = ab["ExpirationTime"].strftime("%Y-%m-%dT")
    assert ids(f("expiration-time", expiry + "*")) == [ab_id]
    raw = lab.client("ec2", validate=False)
    refused("InvalidVpcPeeringConnectionID.NotFound", raw.describe_vpc_peering_connections, VpcPeeringConnectionIds=["pcx-12345678"])
    refused("InvalidVpcPeeringConnectionId.Malformed", raw.describe_vpc_peering_connections, VpcPeeringConnectionIds=["pcx-nope"])
    refused("InvalidParameterValue", raw.describe_vpc_peering_connections, Filters=[{"Name": "no-such-filter", "Values": ["x"]}])
    refused("InvalidParameterValue", raw.describe_vpc_peering_connections, MaxResults=4)
    refused("InvalidVpcPeeringConnectionID.NotFound", ec2.accept_vpc_peering_connection, VpcPeeringConnectionId="pcx-12345678")
    refused("InvalidVpcPeeringConnectionId.Malformed", ec2.delete_vpc_peering_connection, VpcPeeringConnectionId="pcx-nope")
    assert ids() == sorted([ab_id, ac])


def test_describe_pages(roomy_lab):
    ec2 = roomy_lab.client("ec2")
    hub = vpc(ec2, "10.0.0.0/16")
    made = [ec2.create_vpc_peering_connection(VpcId=hub, PeerVpcId=vpc(ec2, f"10.{n}.0.0/16"))["VpcPeeringConnection"]["VpcPeeringConnectionId"] for n in range(1, 7)]
    pages = list(ec2.get_paginator("describe_vpc_peering_connections").paginate(PaginationConfig={"PageSize": 5}))
    assert [len(p["VpcPeeringConnections"]) for p in pages] == [5, 1]
    assert [p["VpcPeeringConnectionId"] for page in pages for p in page["VpcPeeringConnections"]] == made


def test_the_cli_requests_accepts_and_describes(lab, ec2, unique):
    a, b = vpc(ec2, "10.106.0.0/16"), vpc(ec2, "10.107.0.0/16")
    _, out = lab.aws("ec2", "create-vpc-peering-connection", "--vpc-id", a, "--peer-vpc-id", b,
                     "--tag-specifications", f"ResourceType=vpc-peering-connection,Tags=[{{Key=Name,Value={unique}}}]")
    pcx = out["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    lab.aws("ec2", "wait", "vpc-peering-connection-exists", "--vpc-peering-connection-ids", pcx)
    _, out = lab.aws("ec2", "accept-vpc-peering-connection", "--vpc-peering-connection-id", pcx)
    assert out["VpcPeeringConnection"]["Status"]["Code"] == "active"
    _, out = lab.aws("ec2", "describe-vpc-peering-connections", "--filters", f"Name=tag:Name,Values={unique}", "Name=status-code,Values=active")
    assert [p["VpcPeeringConnectionId"] for p in out["VpcPeeringConnections"]] == [pcx]
    code, err = lab.aws("ec2", "reject-vpc-peering-connection", "--vpc-peering-connection-id", pcx, check=False)
    assert code != 0 and "InvalidStateTransition" in err
