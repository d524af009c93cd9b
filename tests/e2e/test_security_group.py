"""Security groups through boto3 and the aws CLI: create, describe (ids, default-VPC names,
every filter, pages), rules grouped as AWS groups them, authorize and revoke in both the
IpPermissions and the older top-level form, DescribeSecurityGroupRules, delete; and every
refusal with AWS's code and no change."""

import botocore.exceptions
import pytest

from conftest import error_code


def vpc(ec2, cidr="10.20.0.0/16"):
    return ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]


def group(ec2, group_id):
    return ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]


def default_vpc(ec2):
    return ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]


def test_create_returns_id_tags_and_arn_and_the_group_allows_all_egress(ec2, unique):
    v = vpc(ec2)
    made = ec2.create_security_group(
        GroupName=f"web-{unique}",
        Description="web servers",
        VpcId=v,
        TagSpecifications=[{"ResourceType": "security-group", "Tags": [{"Key": "Name", "Value": unique}]}],
    )
    gid = made["GroupId"]
    assert gid.startswith("sg-")
    assert made["Tags"] == [{"Key": "Name", "Value": unique}]
    assert made["SecurityGroupArn"] == f"arn:aws:ec2:us-east-1:000000000000:security-group/{gid}"
    g = group(ec2, gid)
    assert g["GroupName"] == f"web-{unique}"
    assert g["Description"] == "web servers"
    assert g["VpcId"] == v
    assert g["OwnerId"] == "000000000000"
    assert g["SecurityGroupArn"] == made["SecurityGroupArn"]
    assert g["IpPermissions"] == []
    assert g["IpPermissionsEgress"] == [
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": [], "PrefixListIds": [], "UserIdGroupPairs": []}
    ]
    assert g["Tags"] == [{"Key": "Name", "Value": unique}]


def test_a_vpcs_default_group_admits_its_own_members_and_has_no_tags(ec2):
    v = vpc(ec2)
    [g] = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [v]}])["SecurityGroups"]
    assert g["GroupName"] == "default"
    assert g["Description"] == "default VPC security group"
    assert g["IpPermissions"] == [
        {
            "IpProtocol": "-1",
            "IpRanges": [],
            "Ipv6Ranges": [],
            "PrefixListIds": [],
            "UserIdGroupPairs": [{"GroupId": g["GroupId"], "UserId": "000000000000"}],
        }
    ]
    assert "Tags" not in g


def test_rules_are_grouped_by_protocol_and_ports_with_every_peer(ec2, unique):
    v = ec2.create_vpc(CidrBlock="10.21.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]["VpcId"]
    gid = ec2.create_security_group(GroupName=f"g-{unique}", Description="d", VpcId=v)["GroupId"]
    other = ec2.create_security_group(GroupName=f"o-{unique}", Description="d", VpcId=v)["GroupId"]
    out = ec2.authorize_security_group_ingress(
        GroupId=gid,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "IpRanges": [{"CidrIp": "10.0.0.0/8", "Description": "office"}, {"CidrIp": "192.168.0.0/16"}],
                "Ipv6Ranges": [{"CidrIpv6": "2001:db8::/32", "Description": "v6"}],
                "PrefixListIds": [{"PrefixListId": "pl-63a5400a", "Description": "s3"}],
                "UserIdGroupPairs": [{"GroupId": other, "Description": "peers"}],
            },
            {"IpProtocol": "icmp", "FromPort": 8, "ToPort": -1, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
            {"IpProtocol": "50", "IpRanges": [{"CidrIp": "172.16.0.0/12"}]},
        ],
    )
    assert out["Return"] is True
    rules = out["SecurityGroupRules"]
    assert len(rules) == 7
    assert all(r["GroupId"] == gid and r["GroupOwnerId"] == "000000000000" and r["IsEgress"] is False for r in rules)
    assert all(r["SecurityGroupRuleArn"] == f"arn:aws:ec2:us-east-1:000000000000:security-group-rule/{r['SecurityGroupRuleId']}" for r in rules)
    first = rules[0]
    assert (first["IpProtocol"], first["FromPort"], first["ToPort"], first["CidrIpv4"], first["Description"]) == ("tcp", 443, 443, "10.0.0.0/8", "office")
    assert rules[2]["CidrIpv6"] == "2001:db8::/32"
    assert rules[3]["PrefixListId"] == "pl-63a5400a"
    assert rules[4]["ReferencedGroupInfo"] == {"GroupId": other, "UserId": "000000000000"}
    # A rule without ports shows -1 in the rule form.
    assert (rules[6]["IpProtocol"], rules[6]["FromPort"], rules[6]["ToPort"]) == ("50", -1, -1)

    perms = group(ec2, gid)["IpPermissions"]
    assert perms[0] == {
        "IpProtocol": "tcp",
        "FromPort": 443,
        "ToPort": 443,
        "IpRanges": [{"CidrIp": "10.0.0.0/8", "Description": "office"}, {"CidrIp": "192.168.0.0/16"}],
        "Ipv6Ranges": [{"CidrIpv6": "2001:db8::/32", "Description": "v6"}],
        "PrefixListIds": [{"PrefixListId": "pl-63a5400a", "Description": "s3"}],
        "UserIdGroupPairs": [{"GroupId": other, "UserId": "000000000000", "Description": "peers"}],
    }
    assert (perms[1]["IpProtocol"], perms[1]["FromPort"], perms[1]["ToPort"]) == ("icmp", 8, -1)
    # AWS leaves the ports out of a permission without ports.
    assert perms[2]["IpProtocol"] == "50" and "FromPort" not in perms[2] and "ToPort" not in perms[2]
    egress = group(ec2, gid)["IpPermissionsEgress"]
    assert egress == [
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": [{"CidrIpv6": "::/0"}], "PrefixListIds": [], "UserIdGroupPairs": []}
    ]


def test_the_older_top_level_form_of_ingress(ec2, unique):
    dv = default_vpc(ec2)
    src = ec2.create_security_group(GroupName=f"src-{unique}", Description="d")["GroupId"]
    name = f"dst-{unique}"
    gid = ec2.create_security_group(GroupName=name, Description="d")["GroupId"]
    assert group(ec2, gid)["VpcId"] == dv, "without VpcId the group goes to the default VPC"
    out = ec2.authorize_security_group_ingress(GroupName=name, IpProtocol="tcp", FromPort=22, ToPort=22, CidrIp="203.0.113.0/24")
    assert [(r["IpProtocol"], r["FromPort"], r["CidrIpv4"]) for r in out["SecurityGroupRules"]] == [("tcp", 22, "203.0.113.0/24")]
    # AWS: a source group grants full ICMP, TCP and UDP access.
    out = ec2.authorize_security_group_ingress(GroupName=name, SourceSecurityGroupName=f"src-{unique}")
    got = [(r["IpProtocol"], r["FromPort"], r["ToPort"], r["ReferencedGroupInfo"]["GroupId"]) for r in out["SecurityGroupRules"]]
    assert got == [("icmp", -1, -1, src), ("tcp", 0, 65535, src), ("udp", 0, 65535, src)]
    before = group(ec2, gid)
    assert len(before["IpPermissions"]) == 4
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.authorize_security_group_ingress(GroupName=name, IpProtocol="tcp", FromPort=80, ToPort=80)
    assert error_code(e) == "MissingParameter"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.authorize_security_group_ingress(
            GroupId=gid, CidrIp="10.0.0.0/8", IpProtocol="tcp", FromPort=1, ToPort=1,
            IpPermissions=[{"IpProtocol": "udp", "FromPort": 1, "ToPort": 1, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}],
        )
    assert error_code(e) == "InvalidParameterCombination"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.authorize_security_group_ingress(GroupId=gid, SourceSecurityGroupName=f"src-{unique}", CidrIp="10.0.0.0/8")
    assert error_code(e) == "InvalidParameterCombination"
    assert group(ec2, gid) == before
    # Revoked the same way.
    ec2.revoke_security_group_ingress(GroupName=name, IpProtocol="tcp", FromPort=22, ToPort=22, CidrIp="203.0.113.0/24")
    assert len(group(ec2, gid)["IpPermissions"]) == 3


def test_egress_takes_ip_permissions_only(ec2, unique):
    gid = ec2.create_security_group(GroupName=f"e-{unique}", Description="d", VpcId=vpc(ec2))["GroupId"]
    out = ec2.authorize_security_group_egress(
        GroupId=gid, IpPermissions=[{"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "IpRanges": [{"CidrIp": "10.9.0.0/16"}]}]
    )
    assert out["Return"] is True
    [rule] = out["SecurityGroupRules"]
    assert rule["IsEgress"] is True and rule["CidrIpv4"] == "10.9.0.0/16"
    before = group(ec2, gid)
    assert [p["IpProtocol"] for p in before["IpPermissionsEgress"]] == ["-1", "tcp"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.authorize_security_group_egress(GroupId=gid, CidrIp="10.0.0.0/8", IpProtocol="-1")
    assert error_code(e) == "UnknownParameter"
    assert group(ec2, gid) == before


def test_revoke_by_permission_and_by_rule_id(ec2, unique):
    gid = ec2.create_security_group(GroupName=f"r-{unique}", Description="d", VpcId=vpc(ec2))["GroupId"]
    rules = ec2.authorize_security_group_ingress(
        GroupId=gid,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "10.0.0.0/8"}, {"CidrIp": "10.1.0.0/16"}]}],
    )["SecurityGroupRules"]
    out = ec2.revoke_security_group_ingress(
        GroupId=gid, IpPermissions=[{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}]
    )
    assert out["Return"] is True
    assert "UnknownIpPermissions" not in out
    assert [r["SecurityGroupRuleId"] for r in out["RevokedSecurityGroupRules"]] == [rules[0]["SecurityGroupRuleId"]]
    assert group(ec2, gid)["IpPermissions"][0]["IpRanges"] == [{"CidrIp": "10.1.0.0/16"}]
    out = ec2.revoke_security_group_ingress(GroupId=gid, SecurityGroupRuleIds=[rules[1]["SecurityGroupRuleId"]])
    assert out["Return"] is True
    assert group(ec2, gid)["IpPermissions"] == []
    egress = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [gid]}])["SecurityGroupRules"]
    ec2.revoke_security_group_egress(GroupId=gid, SecurityGroupRuleIds=[egress[0]["SecurityGroupRuleId"]])
    assert group(ec2, gid)["IpPermissionsEgress"] == []


def test_revoking_an_unknown_permission(ec2, unique):
    # In a non-default VPC the whole call fails and nothing is revoked.
    gid = ec2.create_security_group(GroupName=f"u-{unique}", Description="d", VpcId=vpc(ec2))["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[{"IpProtocol": "tcp", "FromPort": 1, "ToPort": 1, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}])
    before = group(ec2, gid)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.revoke_security_group_ingress(
            GroupId=gid,
            IpPermissions=[
                {"IpProtocol": "tcp", "FromPort": 1, "ToPort": 1, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]},
                {"IpProtocol": "udp", "FromPort": 9, "ToPort": 9, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]},
            ],
        )
    assert error_code(e) == "InvalidPermission.NotFound"
    assert group(ec2, gid) == before
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.revoke_security_group_ingress(GroupId=gid, SecurityGroupRuleIds=["sgr-0123456789abcdef0"])
    assert error_code(e) == "InvalidSecurityGroupRuleId.NotFound"
    assert group(ec2, gid) == before
    # In the default VPC the unknown one comes back and the rest is revoked.
    dg = ec2.create_security_group(GroupName=f"du-{unique}", Description="d")["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=dg, IpPermissions=[{"IpProtocol": "tcp", "FromPort": 1, "ToPort": 1, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}])
    out = ec2.revoke_security_group_ingress(
        GroupId=dg,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 1, "ToPort": 1, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]},
            {"IpProtocol": "udp", "FromPort": 9, "ToPort": 9, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]},
        ],
    )
    assert out["Return"] is True
    assert out["UnknownIpPermissions"] == [
        {"IpProtocol": "udp", "FromPort": 9, "ToPort": 9, "IpRanges": [{"CidrIp": "10.0.0.0/8"}], "Ipv6Ranges": [], "PrefixListIds": [], "UserIdGroupPairs": []}
    ]
    assert group(ec2, dg)["IpPermissions"] == []


def test_describe_by_name_only_in_the_default_vpc(ec2, unique):
    in_default = ec2.create_security_group(GroupName=f"n-{unique}", Description="d")["GroupId"]
    ec2.create_security_group(GroupName=f"m-{unique}", Description="d", VpcId=vpc(ec2))
    got = ec2.describe_security_groups(GroupNames=[f"n-{unique}"])["SecurityGroups"]
    assert [g["GroupId"] for g in got] == [in_default]
    both = ec2.describe_security_groups(GroupNames=[f"n-{unique}"], GroupIds=[in_default])["SecurityGroups"]
    assert [g["GroupId"] for g in both] == [in_default]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_security_groups(GroupNames=[f"m-{unique}"])
    assert error_code(e) == "InvalidGroup.NotFound"


def test_every_filter(ec2, unique):
    v = ec2.create_vpc(CidrBlock="10.22.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]["VpcId"]
    peer = ec2.create_security_group(GroupName=f"peer-{unique}", Description="d", VpcId=v)["GroupId"]
    gid = ec2.create_security_group(
        GroupName=f"f-{unique}", Description=f"desc {unique}", VpcId=v,
        TagSpecifications=[{"ResourceType": "security-group", "Tags": [{"Key": "team", "Value": unique}]}],
    )["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=gid,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8081, "IpRanges": [{"CidrIp": "10.44.0.0/16"}], "Ipv6Ranges": [{"CidrIpv6": "2001:db8:44::/48"}]},
            {"IpProtocol": "udp", "FromPort": 53, "ToPort": 53, "UserIdGroupPairs": [{"GroupId": peer}], "PrefixListIds": [{"PrefixListId": "pl-02cd2c6b"}]},
        ],
    )
    ec2.authorize_security_group_egress(GroupId=gid, IpPermissions=[{"IpProtocol": "tcp", "FromPort": 25, "ToPort": 25, "IpRanges": [{"CidrIp": "10.55.0.0/16"}]}])

    def ids(*filters):
        return {g["GroupId"] for g in ec2.describe_security_groups(Filters=[{"Name": n, "Values": vs} for n, vs in filters])["SecurityGroups"]}

    in_vpc = [("vpc-id", [v])]
    assert ids(("description", [f"desc {unique}"])) == {gid}
    assert ids(("group-id", [gid])) == {gid}
    assert ids(("group-name", [f"f-{unique}"])) == {gid}
    assert ids(("group-name", [f"*-{unique}"])) == {gid, peer}
    assert ids(("owner-id", ["000000000000"]), *in_vpc) == {gid, peer, ids(("group-name", ["default"]), *in_vpc).pop()}
    assert ids(("tag:team", [unique])) == {gid}
    assert ids(("tag-key", ["team"]), *in_vpc) == {gid}
    assert ids(("tag-value", [unique])) == {gid}
    assert ids(("ip-permission.cidr", ["10.44.0.0/16"])) == {gid}
    assert ids(("ip-permission.ipv6-cidr", ["2001:db8:44::/48"])) == {gid}
    assert ids(("ip-permission.from-port", ["8080"]), *in_vpc) == {gid}
    assert ids(("ip-permission.to-port", ["8081"]), *in_vpc) == {gid}
    assert ids(("ip-permission.protocol", ["udp"]), *in_vpc) == {gid}
    assert ids(("ip-permission.protocol", ["17"]), *in_vpc) == {gid}
    assert ids(("ip-permission.group-id", [peer])) == {gid}
    assert ids(("ip-permission.group-name", [f"peer-{unique}"])) == {gid}
    assert ids(("ip-permission.user-id", ["000000000000"]), *in_vpc) >= {gid}
    assert ids(("ip-permission.prefix-list-id", ["pl-02cd2c6b"]), *in_vpc) == {gid}
    assert ids(("egress.ip-permission.cidr", ["10.55.0.0/16"])) == {gid}
    assert ids(("egress.ip-permission.from-port", ["25"]), *in_vpc) == {gid}
    assert ids(("egress.ip-permission.to-port", ["25"]), *in_vpc) == {gid}
    assert ids(("egress.ip-permission.protocol", ["tcp"]), *in_vpc) == {gid}
    assert ids(("egress.ip-permission.ipv6-cidr", ["::/0"]), *in_vpc) == {gid, peer, ids(("group-name", ["default"]), *in_vpc).pop()}
    assert ids(("egress.ip-permission.group-id", [peer])) == set()
    assert ids(("egress.ip-permission.group-name", [f"peer-{unique}"])) == set()
    assert ids(("egress.ip-permission.prefix-list-id", ["pl-02cd2c6b"]), *in_vpc) == set()
    assert ids(("egress.ip-permission.user-id", ["000000000000"]), *in_vpc) == set()
    # AWS: rule filters may be met by different rules of the group.
    assert ids(("ip-permission.cidr", ["10.44.0.0/16"]), ("ip-permission.protocol", ["udp"])) == {gid}
    assert ids(("ip-permission.cidr", ["10.44.0.0/16"]), ("ip-permission.protocol", ["icmp"])) == set()
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_security_groups(Filters=[{"Name": "ip-permission.bogus", "Values": ["x"]}])
    assert error_code(e) == "InvalidParameterValue"


def test_describe_security_group_rules(ec2, unique):
    gid = ec2.create_security_group(GroupName=f"dr-{unique}", Description="d", VpcId=vpc(ec2))["GroupId"]
    added = ec2.authorize_security_group_ingress(
        GroupId=gid, IpPermissions=[{"IpProtocol": "tcp", "FromPort": 3306, "ToPort": 3306, "IpRanges": [{"CidrIp": "10.3.0.0/16", "Description": "db"}]}]
    )["SecurityGroupRules"][0]
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [gid]}])["SecurityGroupRules"]
    assert len(rules) == 2
    egress = [r for r in rules if r["IsEgress"]][0]
    assert (egress["IpProtocol"], egress["FromPort"], egress["ToPort"], egress["CidrIpv4"]) == ("-1", -1, -1, "0.0.0.0/0")
    by_id = ec2.describe_security_group_rules(SecurityGroupRuleIds=[added["SecurityGroupRuleId"]])["SecurityGroupRules"]
    assert by_id == [added]
    assert by_id[0]["Description"] == "db"
    by_filter = ec2.describe_security_group_rules(Filters=[{"Name": "security-group-rule-id", "Values": [added["SecurityGroupRuleId"]]}])["SecurityGroupRules"]
    assert by_filter == [added]
    assert ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [gid]}, {"Name": "tag:x", "Values": ["y"]}])["SecurityGroupRules"] == []
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_security_group_rules(SecurityGroupRuleIds=["sgr-0123456789abcdef0"])
    assert error_code(e) == "InvalidSecurityGroupRuleId.NotFound"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_security_group_rules(SecurityGroupRuleIds=["nope"])
    assert error_code(e) == "InvalidSecurityGroupRuleId.Malformed"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_security_group_rules(Filters=[{"Name": "vpc-id", "Values": ["x"]}])
    assert error_code(e) == "InvalidParameterValue"


def test_rules_take_tags(ec2, unique):
    gid = ec2.create_security_group(GroupName=f"t-{unique}", Description="d", VpcId=vpc(ec2))["GroupId"]
    out = ec2.authorize_security_group_ingress(
        GroupId=gid,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "10.0.0.0/8"}, {"CidrIp": "10.1.0.0/16"}]}],
        TagSpecifications=[{"ResourceType": "security-group-rule", "Tags": [{"Key": "team", "Value": unique}]}],
    )
    tagged = [r["SecurityGroupRuleId"] for r in out["SecurityGroupRules"]]
    assert [r["Tags"] for r in out["SecurityGroupRules"]] == [[{"Key": "team", "Value": unique}]] * 2
    found = ec2.describe_security_group_rules(Filters=[{"Name": "tag:team", "Values": [unique]}])["SecurityGroupRules"]
    assert [r["SecurityGroupRuleId"] for r in found] == tagged
    ec2.create_tags(Resources=[tagged[0]], Tags=[{"Key": "Name", "Value": "ssh"}])
    [first] = ec2.describe_security_group_rules(SecurityGroupRuleIds=[tagged[0]])["SecurityGroupRules"]
    assert first["Tags"] == [{"Key": "Name", "Value": "ssh"}, {"Key": "team", "Value": unique}]
    assert [r["SecurityGroupRuleId"] for r in ec2.describe_security_group_rules(
        Filters=[{"Name": "group-id", "Values": [gid]}, {"Name": "tag-key", "Values": ["Name"]}])["SecurityGroupRules"]] == [tagged[0]]
    out = ec2.authorize_security_group_egress(
        GroupId=gid, IpPermissions=[{"IpProtocol": "udp", "FromPort": 53, "ToPort": 53, "IpRanges": [{"CidrIp": "10.0.0.2/32"}]}],
        TagSpecifications=[{"ResourceType": "security-group-rule", "Tags": [{"Key": "dns", "Value": "yes"}]}],
    )
    assert out["SecurityGroupRules"][0]["Tags"] == [{"Key": "dns", "Value": "yes"}]
    before = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [gid]}])["SecurityGroupRules"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.authorize_security_group_ingress(
            GroupId=gid, IpPermissions=[{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}],
            TagSpecifications=[{"ResourceType": "security-group-rule", "Tags": [{"Key": "aws:no", "Value": "x"}]}],
        )
    assert error_code(e) == "InvalidParameterValue"
    assert ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [gid]}])["SecurityGroupRules"] == before


def test_pages(roomy_lab):
    ec2 = roomy_lab.client("ec2")
    v = ec2.create_vpc(CidrBlock="10.23.0.0/16")["Vpc"]["VpcId"]
    made = {ec2.create_security_group(GroupName=f"p{i}", Description="d", VpcId=v)["GroupId"] for i in range(6)}
    pages = list(ec2.get_paginator("describe_security_groups").paginate(
        Filters=[{"Name": "vpc-id", "Values": [v]}], PaginationConfig={"PageSize": 5}))
    assert [len(p["SecurityGroups"]) for p in pages] == [5, 2], "6 groups and the VPC's default"
    assert made < {g["GroupId"] for p in pages for g in p["SecurityGroups"]}
    pages = list(ec2.get_paginator("describe_security_group_rules").paginate(
        Filters=[{"Name": "group-id", "Values": sorted(made)}], PaginationConfig={"PageSize": 5}))
    assert [len(p["SecurityGroupRules"]) for p in pages] == [5, 1]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_security_groups(GroupIds=sorted(made), MaxResults=5)
    assert error_code(e) == "InvalidParameterCombination"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        roomy_lab.client("ec2", validate=False).describe_security_groups(MaxResults=4)
    assert error_code(e) == "InvalidParameterValue"


def test_a_group_in_a_peered_vpc_is_referenced_through_the_peering(ec2, unique):
    a = vpc(ec2, "10.24.0.0/16")
    b = vpc(ec2, "10.25.0.0/16")
    pcx = ec2.create_vpc_peering_connection(VpcId=a, PeerVpcId=b)["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    ga = ec2.create_security_group(GroupName=f"a-{unique}", Description="d", VpcId=a)["GroupId"]
    gb = ec2.create_security_group(GroupName=f"b-{unique}", Description="d", VpcId=b)["GroupId"]
    rule = ec2.authorize_security_group_ingress(
        GroupId=ga, IpPermissions=[{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "UserIdGroupPairs": [{"GroupId": gb}]}]
    )["SecurityGroupRules"][0]
    assert rule["ReferencedGroupInfo"] == {
        "GroupId": gb, "UserId": "000000000000", "VpcId": b, "VpcPeeringConnectionId": pcx, "PeeringStatus": "active"}
    [pair] = group(ec2, ga)["IpPermissions"][0]["UserIdGroupPairs"]
    assert pair == {"GroupId": gb, "UserId": "000000000000", "VpcId": b, "VpcPeeringConnectionId": pcx, "PeeringStatus": "active"}


def test_create_refusals_change_nothing(ec2, unique):
    v = vpc(ec2)
    ec2.create_security_group(GroupName=f"dup-{unique}", Description="d", VpcId=v)
    before = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [v]}])["SecurityGroups"]
    cases = [
        (dict(GroupName=f"dup-{unique}", Description="d", VpcId=v), "InvalidGroup.Duplicate"),
        (dict(GroupName="default", Description="d", VpcId=v), "InvalidGroup.Reserved"),
        (dict(GroupName="sg-mine", Description="d", VpcId=v), "InvalidParameterValue"),
        (dict(GroupName=f"x-{unique}", Description="d", VpcId="vpc-0123456789abcdef0"), "InvalidVpcID.NotFound"),
        (dict(GroupName=f"x-{unique}", Description="d", VpcId=v,
              TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "a", "Value": "b"}]}]), "InvalidParameterValue"),
    ]
    for kwargs, code in cases:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ec2.create_security_group(**kwargs)
        assert error_code(e) == code, kwargs
    assert ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [v]}])["SecurityGroups"] == before


def test_authorize_refusals_change_nothing(lab, unique):
    ec2 = lab.client("ec2", validate=False)
    gid = ec2.create_security_group(GroupName=f"ar-{unique}", Description="d", VpcId=vpc(ec2))["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}])
    before = group(ec2, gid)
    tcp = lambda **kw: dict({"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22}, **kw)
    cases = [
        ([tcp(IpRanges=[{"CidrIp": "10.0.0.0/8", "Description": "again"}])], "InvalidPermission.Duplicate"),
        ([tcp(IpRanges=[{"CidrIp": "banana"}])], "InvalidParameterValue"),
        ([{"IpProtocol": "bogus", "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}], "InvalidParameterValue"),
        ([{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 22, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}], "InvalidParameterValue"),
        ([tcp(UserIdGroupPairs=[{"GroupId": "sg-0123456789abcdef0"}])], "InvalidGroup.NotFound"),
        ([tcp(PrefixListIds=[{"PrefixListId": "pl-0123456789abcdef0"}])], "InvalidPrefixListID.NotFound"),
        ([tcp(IpRanges=[{"CidrIp": "11.0.0.0/8"}]), tcp(IpRanges=[{"CidrIp": "10.0.0.0/8"}])], "InvalidPermission.Duplicate"),
    ]
    for perms, code in cases:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=perms)
        assert error_code(e) == code, perms
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.authorize_security_group_ingress(GroupId="sg-0123456789abcdef0", IpPermissions=[tcp(IpRanges=[{"CidrIp": "10.0.0.0/8"}])])
    assert error_code(e) == "InvalidGroup.NotFound"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.authorize_security_group_ingress(GroupId="web", IpPermissions=[tcp(IpRanges=[{"CidrIp": "10.0.0.0/8"}])])
    assert error_code(e) == "InvalidGroupId.Malformed"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.authorize_security_group_ingress(
            GroupId=gid, IpPermissions=[tcp(IpRanges=[{"CidrIp": "10.0.0.0/8"}])],
            TagSpecifications=[{"ResourceType": "security-group", "Tags": [{"Key": "a", "Value": "b"}]}])
    assert error_code(e) == "InvalidParameterValue"
    assert group(ec2, gid) == before


def test_rules_per_group_quota(ec2, unique):
    gid = ec2.create_security_group(GroupName=f"q-{unique}", Description="d", VpcId=vpc(ec2))["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": p, "ToPort": p, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]} for p in range(1, 61)])
    before = group(ec2, gid)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[{"IpProtocol": "tcp", "FromPort": 99, "ToPort": 99, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}])
    assert error_code(e) == "RulesPerSecurityGroupLimitExceeded"
    assert group(ec2, gid) == before


def test_delete_by_id_and_by_name_and_its_refusals(ec2, unique):
    v = vpc(ec2)
    gid = ec2.create_security_group(GroupName=f"d-{unique}", Description="d", VpcId=v)["GroupId"]
    user = ec2.create_security_group(GroupName=f"user-{unique}", Description="d", VpcId=v)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=user, IpPermissions=[{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": gid}]}])
    default = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [v]}, {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"][0]["GroupId"]
    before = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [v]}])["SecurityGroups"]
    for kwargs, code in [
        (dict(GroupId=gid), "DependencyViolation"),
        (dict(GroupId=default), "CannotDelete"),
        (dict(GroupId="sg-0123456789abcdef0"), "InvalidGroup.NotFound"),
        (dict(GroupId="bad"), "InvalidGroupId.Malformed"),
        (dict(GroupName=f"d-{unique}"), "InvalidGroup.NotFound"),
    ]:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ec2.delete_security_group(**kwargs)
        assert error_code(e) == code, kwargs
    assert ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [v]}])["SecurityGroups"] == before
    out = ec2.delete_security_group(GroupId=user)
    assert (out["Return"], out["GroupId"]) == (True, user)
    ec2.delete_security_group(GroupId=gid)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_security_groups(GroupIds=[gid])
    assert error_code(e) == "InvalidGroup.NotFound"
    # In the default VPC a group can be named.
    named = ec2.create_security_group(GroupName=f"byname-{unique}", Description="d")["GroupId"]
    out = ec2.delete_security_group(GroupName=f"byname-{unique}")
    assert (out["Return"], out["GroupId"]) == (True, named)


def test_another_account_sees_none_of_these_groups(lab, ec2, unique):
    gid = ec2.create_security_group(GroupName=f"acct-{unique}", Description="d", VpcId=vpc(ec2))["GroupId"]
    key = f"AKIASG{unique.upper()}"
    lab.add_key("333344445555", key, "s3cret")
    other = lab.client("ec2", key=key, secret="s3cret")
    assert gid not in {g["GroupId"] for g in other.describe_security_groups()["SecurityGroups"]}
    assert {g["OwnerId"] for g in other.describe_security_groups()["SecurityGroups"]} == {"333344445555"}
    with pytest.raises(botocore.exceptions.ClientError) as e:
        other.describe_security_groups(GroupIds=[gid])
    assert error_code(e) == "InvalidGroup.NotFound"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        other.delete_security_group(GroupId=gid)
    assert error_code(e) == "InvalidGroup.NotFound"
    assert group(ec2, gid)["GroupId"] == gid


def test_dry_run(ec2, unique):
    v = vpc(ec2)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.create_security_group(GroupName=f"dry-{unique}", Description="d", VpcId=v, DryRun=True)
    assert error_code(e) == "DryRunOperation"
    assert ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": [f"dry-{unique}"]}])["SecurityGroups"] == []


def test_the_cli(lab, unique):
    _, v = lab.aws("ec2", "create-vpc", "--cidr-block", "10.26.0.0/16")
    v = v["Vpc"]["VpcId"]
    _, out = lab.aws("ec2", "create-security-group", "--group-name", f"cli-{unique}", "--description", "from the cli", "--vpc-id", v)
    gid = out["GroupId"]
    _, out = lab.aws("ec2", "authorize-security-group-ingress", "--group-id", gid, "--protocol", "tcp", "--port", "22", "--cidr", "203.0.113.0/24")
    assert out["Return"] is True
    assert [(r["IpProtocol"], r["FromPort"], r["ToPort"], r["CidrIpv4"]) for r in out["SecurityGroupRules"]] == [("tcp", 22, 22, "203.0.113.0/24")]
    _, out = lab.aws("ec2", "authorize-security-group-ingress", "--group-id", gid, "--ip-permissions",
                     "IpProtocol=udp,FromPort=53,ToPort=53,IpRanges=[{CidrIp=10.0.0.0/8,Description=dns}]")
    assert out["SecurityGroupRules"][0]["Description"] == "dns"
    _, out = lab.aws("ec2", "describe-security-groups", "--filters", "Name=ip-permission.from-port,Values=53", f"Name=vpc-id,Values={v}")
    assert [g["GroupId"] for g in out["SecurityGroups"]] == [gid]
    assert [p["IpProtocol"] for p in out["SecurityGroups"][0]["IpPermissions"]] == ["tcp", "udp"]
    _, out = lab.aws("ec2", "describe-security-group-rules", "--filters", f"Name=group-id,Values={gid}")
    assert len(out["SecurityGroupRules"]) == 3
    lab.aws("ec2", "revoke-security-group-ingress", "--group-id", gid, "--protocol", "tcp", "--port", "22", "--cidr", "203.0.113.0/24")
    code, err = lab.aws("ec2", "delete-security-group", "--group-id", "sg-0123456789abcdef0", check=False)
    assert code != 0 and "InvalidGroup.NotFound" in err
    _, out = lab.aws("ec2", "delete-security-group", "--group-id", gid)
    assert out.get("GroupId") == gid
