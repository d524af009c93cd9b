"""Prefix lists through boto3 and the aws CLI: AWS's service lists (DescribePrefixLists,
DescribeManagedPrefixLists), the caller's own managed lists (create, modify, entries,
delete), filters and pages; and every refusal with AWS's code and no change."""

import botocore.exceptions
import pytest

from conftest import error_code

S3 = "pl-63a5400a"
DYNAMODB = "pl-02cd2c6b"


def mine(ec2, pl):
    return ec2.describe_managed_prefix_lists(PrefixListIds=[pl])["PrefixLists"][0]


def entries(ec2, pl):
    return ec2.get_managed_prefix_list_entries(PrefixListId=pl)["Entries"]


def test_describe_prefix_lists_shows_the_regions_aws_service_lists(ec2):
    lists = {p["PrefixListId"]: p for p in ec2.describe_prefix_lists()["PrefixLists"]}
    assert lists[S3] == {
        "PrefixListId": S3,
        "PrefixListName": "com.amazonaws.us-east-1.s3",
        "Cidrs": ["54.231.0.0/17", "52.216.0.0/15", "3.5.16.0/21", "3.5.0.0/20"],
    }
    assert lists[DYNAMODB]["PrefixListName"] == "com.amazonaws.us-east-1.dynamodb"
    assert set(lists) == {S3, DYNAMODB}
    by_id = ec2.describe_prefix_lists(PrefixListIds=[DYNAMODB])["PrefixLists"]
    assert [p["PrefixListId"] for p in by_id] == [DYNAMODB]
    by_name = ec2.describe_prefix_lists(Filters=[{"Name": "prefix-list-name", "Values": ["*.s3"]}])["PrefixLists"]
    assert [p["PrefixListId"] for p in by_name] == [S3]
    assert [p["PrefixListId"] for p in ec2.describe_prefix_lists(Filters=[{"Name": "prefix-list-id", "Values": [S3]}])["PrefixLists"]] == [S3]


def test_each_region_has_its_own_service_lists(lab):
    west = lab.client("ec2", region="us-west-2")
    names = {p["PrefixListName"]: p["PrefixListId"] for p in west.describe_prefix_lists()["PrefixLists"]}
    assert names == {"com.amazonaws.us-west-2.s3": "pl-68a54001", "com.amazonaws.us-west-2.dynamodb": "pl-00a54069"}
    with pytest.raises(botocore.exceptions.ClientError) as e:
        west.describe_prefix_lists(PrefixListIds=[S3])
    assert error_code(e) == "InvalidPrefixListID.NotFound"


def test_aws_lists_in_describe_managed_prefix_lists(ec2):
    lists = {p["PrefixListId"]: p for p in ec2.describe_managed_prefix_lists(Filters=[{"Name": "owner-id", "Values": ["AWS"]}])["PrefixLists"]}
    assert set(lists) == {S3, DYNAMODB}
    assert lists[S3] == {
        "PrefixListId": S3,
        "AddressFamily": "IPv4",
        "State": "create-complete",
        "PrefixListArn": f"arn:aws:ec2:us-east-1:aws:prefix-list/{S3}",
        "PrefixListName": "com.amazonaws.us-east-1.s3",
        "Tags": [],
        "OwnerId": "AWS",
    }
    assert [e["Cidr"] for e in entries(ec2, S3)] == ["54.231.0.0/17", "52.216.0.0/15", "3.5.16.0/21", "3.5.0.0/20"]


def test_create_modify_and_delete_a_list(ec2, unique):
    made = ec2.create_managed_prefix_list(
        PrefixListName=f"office-{unique}",
        AddressFamily="IPv4",
        MaxEntries=5,
        Entries=[{"Cidr": "203.0.113.0/24", "Description": "hq"}, {"Cidr": "198.51.100.0/24"}],
        TagSpecifications=[{"ResourceType": "prefix-list", "Tags": [{"Key": "team", "Value": unique}]}],
    )["PrefixList"]
    pl = made["PrefixListId"]
    assert pl.startswith("pl-")
    assert made == {
        "PrefixListId": pl,
        "AddressFamily": "IPv4",
        "State": "create-complete",
        "PrefixListArn": f"arn:aws:ec2:us-east-1:000000000000:prefix-list/{pl}",
        "PrefixListName": f"office-{unique}",
        "MaxEntries": 5,
        "Version": 1,
        "Tags": [{"Key": "team", "Value": unique}],
        "OwnerId": "000000000000",
    }
    assert mine(ec2, pl) == made
    assert entries(ec2, pl) == [{"Cidr": "203.0.113.0/24", "Description": "hq"}, {"Cidr": "198.51.100.0/24"}]
    changed = ec2.modify_managed_prefix_list(
        PrefixListId=pl, CurrentVersion=1, AddEntries=[{"Cidr": "192.0.2.0/24", "Description": "lab"}], RemoveEntries=[{"Cidr": "198.51.100.0/24"}]
    )["PrefixList"]
    assert (changed["Version"], changed["State"]) == (2, "modify-complete")
    assert mine(ec2, pl)["State"] == "modify-complete"
    assert entries(ec2, pl) == [{"Cidr": "203.0.113.0/24", "Description": "hq"}, {"Cidr": "192.0.2.0/24", "Description": "lab"}]
    assert ec2.get_managed_prefix_list_entries(PrefixListId=pl, TargetVersion=2)["Entries"] == entries(ec2, pl)
    # Earlier versions keep their entries.
    assert ec2.get_managed_prefix_list_entries(PrefixListId=pl, TargetVersion=1)["Entries"] == [
        {"Cidr": "203.0.113.0/24", "Description": "hq"}, {"Cidr": "198.51.100.0/24"}]
    renamed = ec2.modify_managed_prefix_list(PrefixListId=pl, PrefixListName=f"hq-{unique}", MaxEntries=10)["PrefixList"]
    assert (renamed["PrefixListName"], renamed["MaxEntries"], renamed["Version"]) == (f"hq-{unique}", 10, 2)
    gone = ec2.delete_managed_prefix_list(PrefixListId=pl)["PrefixList"]
    assert (gone["PrefixListId"], gone["State"], gone["PrefixListName"]) == (pl, "delete-complete", f"hq-{unique}")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_managed_prefix_lists(PrefixListIds=[pl])
    assert error_code(e) == "InvalidPrefixListID.NotFound"


def test_filters_and_pages(roomy_lab):
    ec2 = roomy_lab.client("ec2", validate=False)
    made = [
        ec2.create_managed_prefix_list(
            PrefixListName=f"list-{i}", AddressFamily="IPv6" if i % 2 else "IPv4", MaxEntries=3,
            TagSpecifications=[{"ResourceType": "prefix-list", "Tags": [{"Key": "n", "Value": str(i)}]}],
        )["PrefixList"]["PrefixListId"]
        for i in range(3)
    ]

    def ids(*filters):
        return [p["PrefixListId"] for p in ec2.describe_managed_prefix_lists(Filters=[{"Name": n, "Values": vs} for n, vs in filters])["PrefixLists"]]

    assert ids(("owner-id", ["000000000000"])) == made
    assert ids(("prefix-list-name", ["list-1"])) == [made[1]]
    assert ids(("prefix-list-id", [made[2]])) == [made[2]]
    assert ids(("tag:n", ["0", "2"])) == [made[0], made[2]]
    assert ids(("prefix-list-name", ["com.amazonaws.*"])) == [DYNAMODB, S3]
    pages = list(ec2.get_paginator("describe_managed_prefix_lists").paginate(PaginationConfig={"PageSize": 2}))
    assert [len(p["PrefixLists"]) for p in pages] == [2, 2, 1]
    for kwargs, code in [
        (dict(MaxResults=101), "InvalidParameterValue"),
        (dict(MaxResults=0), "InvalidParameterValue"),
        (dict(Filters=[{"Name": "vpc-id", "Values": ["x"]}]), "InvalidParameterValue"),
        (dict(PrefixListIds=["pl-0123456789abcdef0"]), "InvalidPrefixListID.NotFound"),
        (dict(PrefixListIds=["nope"]), "InvalidPrefixListId.Malformed"),
    ]:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ec2.describe_managed_prefix_lists(**kwargs)
        assert error_code(e) == code, kwargs
    pl = ec2.create_managed_prefix_list(
        PrefixListName="big", AddressFamily="IPv4", MaxEntries=5, Entries=[{"Cidr": f"10.{i}.0.0/16"} for i in range(5)])["PrefixList"]["PrefixListId"]
    pages = list(ec2.get_paginator("get_managed_prefix_list_entries").paginate(PrefixListId=pl, PaginationConfig={"PageSize": 2}))
    assert [[e["Cidr"] for e in p["Entries"]] for p in pages] == [["10.0.0.0/16", "10.1.0.0/16"], ["10.2.0.0/16", "10.3.0.0/16"], ["10.4.0.0/16"]]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_prefix_lists(Filters=[{"Name": "owner-id", "Values": ["AWS"]}])
    assert error_code(e) == "InvalidParameterValue"


def test_create_refusals_change_nothing(lab, unique):
    ec2 = lab.client("ec2", validate=False)
    before = ec2.describe_managed_prefix_lists()["PrefixLists"]
    base = dict(PrefixListName=f"bad-{unique}", AddressFamily="IPv4", MaxEntries=2)
    for change, code in [
        (dict(PrefixListName="com.amazonaws.mine"), "InvalidParameterValue"),
        (dict(AddressFamily="IPv5"), "InvalidParameterValue"),
        (dict(MaxEntries=0), "InvalidParameterValue"),
        (dict(MaxEntries=1001), "InvalidParameterValue"),
        (dict(Entries=[{"Cidr": "10.0.0.0/8"}, {"Cidr": "11.0.0.0/8"}, {"Cidr": "12.0.0.0/8"}]), "PrefixListMaxEntriesExceeded"),
        (dict(Entries=[{"Cidr": "2001:db8::/32"}]), "InvalidParameterValue"),
        (dict(Entries=[{"Cidr": "10.0.0.0/8"}, {"Cidr": "10.0.0.0/8"}]), "InvalidParameterValue"),
        (dict(Entries=[{"Cidr": "banana"}]), "InvalidParameterValue"),
        (dict(TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "a", "Value": "b"}]}]), "InvalidParameterValue"),
    ]:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ec2.create_managed_prefix_list(**dict(base, **change))
        assert error_code(e) == code, change
    assert ec2.describe_managed_prefix_lists()["PrefixLists"] == before


def test_modify_and_delete_refusals_change_nothing(ec2, unique):
    pl = ec2.create_managed_prefix_list(PrefixListName=f"r-{unique}", AddressFamily="IPv4", MaxEntries=2, Entries=[{"Cidr": "10.0.0.0/8"}])["PrefixList"]["PrefixListId"]
    before = (mine(ec2, pl), entries(ec2, pl))
    for kwargs, code in [
        (dict(PrefixListId=pl, AddEntries=[{"Cidr": "11.0.0.0/8"}]), "MissingParameter"),
        (dict(PrefixListId=pl, CurrentVersion=7, AddEntries=[{"Cidr": "11.0.0.0/8"}]), "PrefixListVersionMismatch"),
        (dict(PrefixListId=pl, CurrentVersion=1, AddEntries=[{"Cidr": "11.0.0.0/8"}, {"Cidr": "12.0.0.0/8"}]), "PrefixListMaxEntriesExceeded"),
        (dict(PrefixListId=pl, CurrentVersion=1, RemoveEntries=[{"Cidr": "13.0.0.0/8"}]), "InvalidParameterValue"),
        (dict(PrefixListId=pl, PrefixListName="com.amazonaws.x"), "InvalidParameterValue"),
        (dict(PrefixListId=S3, PrefixListName="mine"), "OperationNotPermitted"),
        (dict(PrefixListId="pl-0123456789abcdef0", PrefixListName="x"), "InvalidPrefixListID.NotFound"),
    ]:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ec2.modify_managed_prefix_list(**kwargs)
        assert error_code(e) == code, kwargs
    assert (mine(ec2, pl), entries(ec2, pl)) == before
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.get_managed_prefix_list_entries(PrefixListId=pl, TargetVersion=5)
    assert error_code(e) == "InvalidParameterValue"
    # A list a security group rule uses cannot go.
    v = ec2.create_vpc(CidrBlock="10.50.0.0/16")["Vpc"]["VpcId"]
    sg = ec2.create_security_group(GroupName=f"pl-{unique}", Description="d", VpcId=v)["GroupId"]
    ec2.authorize_security_group_egress(GroupId=sg, IpPermissions=[{"IpProtocol": "-1", "PrefixListIds": [{"PrefixListId": pl}]}])
    for target, code in [(pl, "DependencyViolation"), (S3, "OperationNotPermitted"), ("pl-0123456789abcdef0", "InvalidPrefixListID.NotFound")]:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ec2.delete_managed_prefix_list(PrefixListId=target)
        assert error_code(e) == code, target
    assert (mine(ec2, pl), entries(ec2, pl)) == before
    assert {p["PrefixListId"] for p in ec2.describe_prefix_lists()["PrefixLists"]} == {S3, DYNAMODB}


def test_another_account_sees_aws_lists_but_not_mine(lab, ec2, unique):
    pl = ec2.create_managed_prefix_list(PrefixListName=f"a-{unique}", AddressFamily="IPv4", MaxEntries=1)["PrefixList"]["PrefixListId"]
    key = f"AKIAPL{unique.upper()}"
    lab.add_key("555566667777", key, "s3cret")
    other = lab.client("ec2", key=key, secret="s3cret")
    assert {p["PrefixListId"] for p in other.describe_managed_prefix_lists()["PrefixLists"]} == {S3, DYNAMODB}
    with pytest.raises(botocore.exceptions.ClientError) as e:
        other.get_managed_prefix_list_entries(PrefixListId=pl)
    assert error_code(e) == "InvalidPrefixListID.NotFound"


def test_the_cli(lab, unique):
    _, out = lab.aws("ec2", "describe-prefix-lists", "--prefix-list-ids", S3)
    assert out["PrefixLists"][0]["PrefixListName"] == "com.amazonaws.us-east-1.s3"
    _, out = lab.aws("ec2", "create-managed-prefix-list", "--prefix-list-name", f"cli-{unique}", "--address-family", "IPv4",
                     "--max-entries", "3", "--entries", "Cidr=10.0.0.0/8,Description=corp")
    pl = out["PrefixList"]["PrefixListId"]
    _, out = lab.aws("ec2", "modify-managed-prefix-list", "--prefix-list-id", pl, "--current-version", "1", "--add-entries", "Cidr=172.16.0.0/12")
    assert out["PrefixList"]["Version"] == 2
    _, out = lab.aws("ec2", "get-managed-prefix-list-entries", "--prefix-list-id", pl)
    assert [e["Cidr"] for e in out["Entries"]] == ["10.0.0.0/8", "172.16.0.0/12"]
    code, err = lab.aws("ec2", "delete-managed-prefix-list", "--prefix-list-id", S3, check=False)
    assert code != 0 and "OperationNotPermitted" in err
    _, out = lab.aws("ec2", "delete-managed-prefix-list", "--prefix-list-id", pl)
    assert out["PrefixList"]["State"] == "delete-complete"
