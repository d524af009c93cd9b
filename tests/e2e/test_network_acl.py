"""Network ACLs through boto3 and the aws CLI: create, entries (create, replace, delete),
describe (ids, every filter, pages), subnet associations, delete; and every refusal with
AWS's code and no change."""

import botocore.exceptions
import pytest

from conftest import error_code


def vpc(ec2, cidr="10.30.0.0/16", ipv6=False):
    return ec2.create_vpc(CidrBlock=cidr, AmazonProvidedIpv6CidrBlock=ipv6)["Vpc"]["VpcId"]


def acl(ec2, acl_id):
    return ec2.describe_network_acls(NetworkAclIds=[acl_id])["NetworkAcls"][0]


def acls_of(ec2, vpc_id):
    return ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["NetworkAcls"]


def deny_all(egress, v6=False):
    if v6:
        return {"Egress": egress, "Ipv6CidrBlock": "::/0", "Protocol": "-1", "RuleAction": "deny", "RuleNumber": 32768}
    return {"CidrBlock": "0.0.0.0/0", "Egress": egress, "Protocol": "-1", "RuleAction": "deny", "RuleNumber": 32767}


def test_a_new_acl_denies_everything_and_a_vpcs_default_allows_everything(ec2, unique):
    v = vpc(ec2)
    made = ec2.create_network_acl(
        VpcId=v, TagSpecifications=[{"ResourceType": "network-acl", "Tags": [{"Key": "Name", "Value": unique}]}]
    )["NetworkAcl"]
    assert made["NetworkAclId"].startswith("acl-")
    assert made["VpcId"] == v
    assert made["OwnerId"] == "000000000000"
    assert made["IsDefault"] is False
    assert made["Associations"] == []
    assert made["Entries"] == [deny_all(True), deny_all(False)]
    assert made["Tags"] == [{"Key": "Name", "Value": unique}]
    assert acl(ec2, made["NetworkAclId"]) == made
    [default] = [a for a in acls_of(ec2, v) if a["IsDefault"]]
    allow = lambda egress: {"CidrBlock": "0.0.0.0/0", "Egress": egress, "Protocol": "-1", "RuleAction": "allow", "RuleNumber": 100}
    # As AWS lists them: egress first, then by rule number.
    assert default["Entries"] == [allow(True), deny_all(True), allow(False), deny_all(False)]
    assert default["Tags"] == []


def test_an_ipv6_vpc_gets_ipv6_entries(ec2):
    v = vpc(ec2, "10.31.0.0/16", ipv6=True)
    [default] = acls_of(ec2, v)
    assert [e["RuleNumber"] for e in default["Entries"]] == [100, 101, 32767, 32768] * 2
    assert default["Entries"][1] == {"Egress": True, "Ipv6CidrBlock": "::/0", "Protocol": "-1", "RuleAction": "allow", "RuleNumber": 101}
    made = ec2.create_network_acl(VpcId=v)["NetworkAcl"]
    assert made["Entries"] == [deny_all(True), deny_all(True, v6=True), deny_all(False), deny_all(False, v6=True)]


def test_entries_are_created_replaced_and_deleted(ec2):
    a = ec2.create_network_acl(VpcId=vpc(ec2, "10.32.0.0/16", ipv6=True))["NetworkAcl"]["NetworkAclId"]
    assert ec2.create_network_acl_entry(
        NetworkAclId=a, RuleNumber=100, Protocol="tcp", RuleAction="allow", Egress=False, CidrBlock="10.0.0.0/8", PortRange={"From": 443, "To": 443}
    )["ResponseMetadata"]["HTTPStatusCode"] == 200
    ec2.create_network_acl_entry(NetworkAclId=a, RuleNumber=110, Protocol="1", RuleAction="deny", Egress=False, CidrBlock="0.0.0.0/0", IcmpTypeCode={"Type": 8, "Code": -1})
    ec2.create_network_acl_entry(NetworkAclId=a, RuleNumber=120, Protocol="17", RuleAction="allow", Egress=True, Ipv6CidrBlock="2001:db8::/32", PortRange={"From": 1024, "To": 65535})
    ec2.create_network_acl_entry(NetworkAclId=a, RuleNumber=130, Protocol="-1", RuleAction="allow", Egress=True, CidrBlock="10.1.0.0/16")
    entries = acl(ec2, a)["Entries"]
    assert entries == [
        {"Egress": True, "Ipv6CidrBlock": "2001:db8::/32", "PortRange": {"From": 1024, "To": 65535}, "Protocol": "17", "RuleAction": "allow", "RuleNumber": 120},
        {"CidrBlock": "10.1.0.0/16", "Egress": True, "Protocol": "-1", "RuleAction": "allow", "RuleNumber": 130},
        deny_all(True),
        deny_all(True, v6=True),
        # The protocol reads back as a number.
        {"CidrBlock": "10.0.0.0/8", "Egress": False, "PortRange": {"From": 443, "To": 443}, "Protocol": "6", "RuleAction": "allow", "RuleNumber": 100},
        {"CidrBlock": "0.0.0.0/0", "Egress": False, "IcmpTypeCode": {"Code": -1, "Type": 8}, "Protocol": "1", "RuleAction": "deny", "RuleNumber": 110},
        deny_all(False),
        deny_all(False, v6=True),
    ]
    ec2.replace_network_acl_entry(NetworkAclId=a, RuleNumber=100, Protocol="6", RuleAction="deny", Egress=False, CidrBlock="10.0.0.0/8", PortRange={"From": 22, "To": 22})
    replaced = [e for e in acl(ec2, a)["Entries"] if e["RuleNumber"] == 100][0]
    assert (replaced["RuleAction"], replaced["PortRange"]) == ("deny", {"From": 22, "To": 22})
    ec2.delete_network_acl_entry(NetworkAclId=a, RuleNumber=110, Egress=False)
    assert [e["RuleNumber"] for e in acl(ec2, a)["Entries"] if not e["Egress"]] == [100, 32767, 32768]


def test_entry_refusals_change_nothing(lab):
    ec2 = lab.client("ec2", validate=False)
    a = ec2.create_network_acl(VpcId=vpc(ec2, "10.33.0.0/16"))["NetworkAcl"]["NetworkAclId"]
    ec2.create_network_acl_entry(NetworkAclId=a, RuleNumber=100, Protocol="-1", RuleAction="allow", Egress=False, CidrBlock="10.0.0.0/8")
    before = acl(ec2, a)
    entry = dict(NetworkAclId=a, RuleNumber=200, Protocol="-1", RuleAction="allow", Egress=False, CidrBlock="10.0.0.0/8")
    for change, code in [
        (dict(RuleNumber=100), "NetworkAclEntryAlreadyExists"),
        (dict(RuleNumber=0), "InvalidParameterValue"),
        (dict(RuleNumber=32767), "InvalidParameterValue"),
        (dict(Protocol="tcp"), "InvalidParameterValue"),
        (dict(Protocol="icmp"), "InvalidParameterValue"),
        (dict(Protocol="bogus"), "InvalidParameterValue"),
        (dict(RuleAction="maybe"), "InvalidParameterValue"),
        (dict(CidrBlock="10.0.0.0/33"), "InvalidParameterValue"),
        (dict(Ipv6CidrBlock="::/0"), "InvalidParameterCombination"),
        (dict(NetworkAclId="acl-0123456789abcdef0"), "InvalidNetworkAclID.NotFound"),
        (dict(NetworkAclId="acl-nope"), "InvalidNetworkAclID.Malformed"),
        (dict(Protocol="6", PortRange={"From": 90, "To": 80}), "InvalidParameterValue"),
    ]:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ec2.create_network_acl_entry(**dict(entry, **change))
        assert error_code(e) == code, change
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.replace_network_acl_entry(**dict(entry, RuleNumber=150))
    assert error_code(e) == "InvalidNetworkAclEntry.NotFound"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.delete_network_acl_entry(NetworkAclId=a, RuleNumber=100, Egress=True)
    assert error_code(e) == "InvalidNetworkAclEntry.NotFound"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.delete_network_acl_entry(NetworkAclId=a, RuleNumber=32767, Egress=False)
    assert error_code(e) == "InvalidParameterValue"
    assert acl(ec2, a) == before


def test_twenty_rules_one_way_including_the_closing_rule(ec2):
    a = ec2.create_network_acl(VpcId=vpc(ec2, "10.34.0.0/16"))["NetworkAcl"]["NetworkAclId"]
    for n in range(1, 20):
        ec2.create_network_acl_entry(NetworkAclId=a, RuleNumber=n, Protocol="-1", RuleAction="allow", Egress=False, CidrBlock=f"10.{n}.0.0/16")
    before = acl(ec2, a)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.create_network_acl_entry(NetworkAclId=a, RuleNumber=20, Protocol="-1", RuleAction="allow", Egress=False, CidrBlock="10.20.0.0/16")
    assert error_code(e) == "NetworkAclEntryLimitExceeded"
    assert acl(ec2, a) == before
    # The other direction has its own quota.
    ec2.create_network_acl_entry(NetworkAclId=a, RuleNumber=20, Protocol="-1", RuleAction="allow", Egress=True, CidrBlock="10.20.0.0/16")


def test_subnets_move_between_acls(ec2):
    v = vpc(ec2, "10.35.0.0/16")
    subnet = ec2.create_subnet(VpcId=v, CidrBlock="10.35.1.0/24")["Subnet"]["SubnetId"]
    [default] = acls_of(ec2, v)
    [assoc] = default["Associations"]
    assert assoc["SubnetId"] == subnet and assoc["NetworkAclId"] == default["NetworkAclId"]
    assert assoc["NetworkAclAssociationId"].startswith("aclassoc-")
    custom = ec2.create_network_acl(VpcId=v)["NetworkAcl"]["NetworkAclId"]
    new = ec2.replace_network_acl_association(AssociationId=assoc["NetworkAclAssociationId"], NetworkAclId=custom)["NewAssociationId"]
    assert new.startswith("aclassoc-") and new != assoc["NetworkAclAssociationId"]
    assert acl(ec2, custom)["Associations"] == [{"NetworkAclAssociationId": new, "NetworkAclId": custom, "SubnetId": subnet}]
    assert acl(ec2, default["NetworkAclId"])["Associations"] == []
    found = ec2.describe_network_acls(Filters=[{"Name": "association.subnet-id", "Values": [subnet]}])["NetworkAcls"]
    assert [a["NetworkAclId"] for a in found] == [custom]
    # An ACL in use cannot go.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.delete_network_acl(NetworkAclId=custom)
    assert error_code(e) == "DependencyViolation"
    assert acl(ec2, custom)["Associations"][0]["SubnetId"] == subnet
    back = ec2.replace_network_acl_association(AssociationId=new, NetworkAclId=default["NetworkAclId"])["NewAssociationId"]
    assert acl(ec2, default["NetworkAclId"])["Associations"][0]["NetworkAclAssociationId"] == back
    ec2.delete_network_acl(NetworkAclId=custom)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_network_acls(NetworkAclIds=[custom])
    assert error_code(e) == "InvalidNetworkAclID.NotFound"


def test_association_refusals_change_nothing(ec2):
    v = vpc(ec2, "10.36.0.0/16")
    ec2.create_subnet(VpcId=v, CidrBlock="10.36.1.0/24")
    elsewhere = ec2.create_network_acl(VpcId=vpc(ec2, "10.37.0.0/16"))["NetworkAcl"]["NetworkAclId"]
    [default] = acls_of(ec2, v)
    assoc = default["Associations"][0]["NetworkAclAssociationId"]
    before = acls_of(ec2, v)
    for kwargs, code in [
        (dict(AssociationId=assoc, NetworkAclId=elsewhere), "InvalidParameterValue"),
        (dict(AssociationId="aclassoc-0123456789abcdef0", NetworkAclId=default["NetworkAclId"]), "InvalidAssociationID.NotFound"),
        (dict(AssociationId="nope", NetworkAclId=default["NetworkAclId"]), "InvalidAssociationID.Malformed"),
        (dict(AssociationId=assoc, NetworkAclId="acl-0123456789abcdef0"), "InvalidNetworkAclID.NotFound"),
    ]:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ec2.replace_network_acl_association(**kwargs)
        assert error_code(e) == code, kwargs
    assert acls_of(ec2, v) == before
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.delete_network_acl(NetworkAclId=default["NetworkAclId"])
    assert error_code(e) == "InvalidParameterValue"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.create_network_acl(VpcId="vpc-0123456789abcdef0")
    assert error_code(e) == "InvalidVpcID.NotFound"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.create_network_acl(VpcId=v, TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "a", "Value": "b"}]}])
    assert error_code(e) == "InvalidParameterValue"
    assert acls_of(ec2, v) == before


def test_every_filter(ec2, unique):
    v = vpc(ec2, "10.38.0.0/16", ipv6=True)
    subnet = ec2.create_subnet(VpcId=v, CidrBlock="10.38.1.0/24")["Subnet"]["SubnetId"]
    a = ec2.create_network_acl(VpcId=v, TagSpecifications=[{"ResourceType": "network-acl", "Tags": [{"Key": "team", "Value": unique}]}])["NetworkAcl"]["NetworkAclId"]
    [default] = [x for x in acls_of(ec2, v) if x["IsDefault"]]
    assoc = ec2.replace_network_acl_association(AssociationId=default["Associations"][0]["NetworkAclAssociationId"], NetworkAclId=a)["NewAssociationId"]
    ec2.create_network_acl_entry(NetworkAclId=a, RuleNumber=77, Protocol="6", RuleAction="allow", Egress=False, CidrBlock="10.77.0.0/16", PortRange={"From": 7000, "To": 7001})
    ec2.create_network_acl_entry(NetworkAclId=a, RuleNumber=78, Protocol="1", RuleAction="deny", Egress=True, Ipv6CidrBlock="2001:db8:78::/48", IcmpTypeCode={"Type": 3, "Code": 4})

    def ids(*filters):
        return {x["NetworkAclId"] for x in ec2.describe_network_acls(Filters=[{"Name": n, "Values": vs} for n, vs in filters])["NetworkAcls"]}

    in_vpc = ("vpc-id", [v])
    assert ids(in_vpc) == {a, default["NetworkAclId"]}
    assert ids(("network-acl-id", [a])) == {a}
    assert ids(("default", ["true"]), in_vpc) == {default["NetworkAclId"]}
    assert ids(("default", ["false"]), in_vpc) == {a}
    assert ids(("owner-id", ["000000000000"]), in_vpc) == {a, default["NetworkAclId"]}
    assert ids(("tag:team", [unique])) == {a}
    assert ids(("tag-key", ["team"]), in_vpc) == {a}
    assert ids(("tag-value", [unique])) == {a}
    assert ids(("association.association-id", [assoc])) == {a}
    assert ids(("association.network-acl-id", [a])) == {a}
    assert ids(("association.subnet-id", [subnet])) == {a}
    assert ids(("entry.cidr", ["10.77.0.0/16"])) == {a}
    assert ids(("entry.ipv6-cidr", ["2001:db8:78::/48"])) == {a}
    assert ids(("entry.port-range.from", ["7000"]), in_vpc) == {a}
    assert ids(("entry.port-range.to", ["7001"]), in_vpc) == {a}
    assert ids(("entry.icmp.type", ["3"]), in_vpc) == {a}
    assert ids(("entry.icmp.code", ["4"]), in_vpc) == {a}
    assert ids(("entry.protocol", ["6"]), in_vpc) == {a}
    assert ids(("entry.protocol", ["tcp"]), in_vpc) == {a}
    assert ids(("entry.rule-number", ["77"]), in_vpc) == {a}
    assert ids(("entry.rule-action", ["deny"]), in_vpc) == {a, default["NetworkAclId"]}
    assert ids(("entry.rule-action", ["allow"]), in_vpc) == {a, default["NetworkAclId"]}
    assert ids(("entry.egress", ["true"]), in_vpc) == {a, default["NetworkAclId"]}
    assert ids(("entry.cidr", ["10.77.*"]), ("entry.rule-number", ["101"])) == set()
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_network_acls(Filters=[{"Name": "entry.bogus", "Values": ["1"]}])
    assert error_code(e) == "InvalidParameterValue"


def test_describe_refusals_and_pages(roomy_lab):
    ec2 = roomy_lab.client("ec2", validate=False)
    v = vpc(ec2, "10.39.0.0/16")
    made = {ec2.create_network_acl(VpcId=v)["NetworkAcl"]["NetworkAclId"] for _ in range(6)}
    pages = list(ec2.get_paginator("describe_network_acls").paginate(
        Filters=[{"Name": "vpc-id", "Values": [v]}], PaginationConfig={"PageSize": 5}))
    assert [len(p["NetworkAcls"]) for p in pages] == [5, 2]
    assert made < {a["NetworkAclId"] for p in pages for a in p["NetworkAcls"]}
    for kwargs, code in [
        (dict(NetworkAclIds=["acl-0123456789abcdef0"]), "InvalidNetworkAclID.NotFound"),
        (dict(NetworkAclIds=["nope"]), "InvalidNetworkAclID.Malformed"),
        (dict(NetworkAclIds=sorted(made), MaxResults=5), "InvalidParameterCombination"),
        (dict(MaxResults=2), "InvalidParameterValue"),
        (dict(NextToken="garbage"), "InvalidNextToken"),
    ]:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ec2.describe_network_acls(**kwargs)
        assert error_code(e) == code, kwargs


def test_another_account_sees_none_of_these_acls(lab, ec2, unique):
    a = ec2.create_network_acl(VpcId=vpc(ec2, "10.40.0.0/16"))["NetworkAcl"]["NetworkAclId"]
    key = f"AKIAACL{unique.upper()}"
    lab.add_key("444455556666", key, "s3cret")
    other = lab.client("ec2", key=key, secret="s3cret")
    assert {x["OwnerId"] for x in other.describe_network_acls()["NetworkAcls"]} == {"444455556666"}
    with pytest.raises(botocore.exceptions.ClientError) as e:
        other.delete_network_acl(NetworkAclId=a)
    assert error_code(e) == "InvalidNetworkAclID.NotFound"
    assert acl(ec2, a)["NetworkAclId"] == a


def test_the_cli(lab):
    _, v = lab.aws("ec2", "create-vpc", "--cidr-block", "10.41.0.0/16")
    v = v["Vpc"]["VpcId"]
    _, out = lab.aws("ec2", "create-network-acl", "--vpc-id", v)
    a = out["NetworkAcl"]["NetworkAclId"]
    lab.aws("ec2", "create-network-acl-entry", "--network-acl-id", a, "--ingress", "--rule-number", "100",
            "--protocol", "tcp", "--port-range", "From=443,To=443", "--cidr-block", "0.0.0.0/0", "--rule-action", "allow")
    lab.aws("ec2", "create-network-acl-entry", "--network-acl-id", a, "--egress", "--rule-number", "100",
            "--protocol", "icmp", "--icmp-type-code", "Type=0,Code=-1", "--cidr-block", "0.0.0.0/0", "--rule-action", "allow")
    _, out = lab.aws("ec2", "describe-network-acls", "--filters", "Name=entry.port-range.from,Values=443", f"Name=vpc-id,Values={v}")
    [got] = out["NetworkAcls"]
    assert got["NetworkAclId"] == a
    assert {(e["Egress"], e["Protocol"], e["RuleNumber"]) for e in got["Entries"]} == {(True, "1", 100), (False, "6", 100), (True, "-1", 32767), (False, "-1", 32767)}
    lab.aws("ec2", "delete-network-acl-entry", "--network-acl-id", a, "--ingress", "--rule-number", "100")
    code, err = lab.aws("ec2", "delete-network-acl-entry", "--network-acl-id", a, "--ingress", "--rule-number", "100", check=False)
    assert code != 0 and "InvalidNetworkAclEntry.NotFound" in err
    lab.aws("ec2", "delete-network-acl", "--network-acl-id", a)
    _, out = lab.aws("ec2", "describe-network-acls", "--filters", f"Name=vpc-id,Values={v}")
    assert [x["IsDefault"] for x in out["NetworkAcls"]] == [True]
