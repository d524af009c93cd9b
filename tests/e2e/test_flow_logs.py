"""VPC Flow Logs through boto3 and the aws CLI: create (to a lab bucket, or to a
"CloudWatch Logs" group the lab writes as a file), describe (ids, every filter, pages),
delete (with AWS's Unsuccessful items); flow logs go with their resource; and every
refusal with AWS's code and no change."""

import botocore.exceptions
import pytest

from conftest import error_code

DEFAULT_FORMAT = (
    "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} "
    "${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}"
)
ROLE = "arn:aws:iam::000000000000:role/flow-logs"


@pytest.fixture
def s3(lab):
    return lab.client("s3")


def bucket(s3, unique):
    name = f"flow-{unique}"
    s3.create_bucket(Bucket=name)
    return name


def mine(ec2, **kw):
    return ec2.describe_flow_logs(**kw)["FlowLogs"]


def all_ids(ec2):
    return sorted(f["FlowLogId"] for f in mine(ec2))


def test_create_to_s3_and_describe(ec2, s3, unique):
    v = ec2.create_vpc(CidrBlock="10.80.0.0/16")["Vpc"]["VpcId"]
    b = bucket(s3, unique)
    made = ec2.create_flow_logs(
        ResourceType="VPC", ResourceIds=[v], TrafficType="ALL", LogDestinationType="s3",
        LogDestination=f"arn:aws:s3:::{b}/team/", ClientToken=unique,
        TagSpecifications=[{"ResourceType": "vpc-flow-log", "Tags": [{"Key": "Name", "Value": unique}]}],
    )
    assert made["ClientToken"] == unique
    assert made["Unsuccessful"] == []
    [fl] = made["FlowLogIds"]
    assert fl.startswith("fl-")
    [f] = mine(ec2, FlowLogIds=[fl])
    assert f.pop("CreationTime").year >= 2024
    assert f == {
        "DeliverLogsStatus": "SUCCESS",
        "FlowLogId": fl,
        "FlowLogStatus": "ACTIVE",
        "ResourceId": v,
        "TrafficType": "ALL",
        "LogDestinationType": "s3",
        "LogDestination": f"arn:aws:s3:::{b}/team/",
        "LogFormat": DEFAULT_FORMAT,
        "Tags": [{"Key": "Name", "Value": unique}],
        "MaxAggregationInterval": 600,
        "DestinationOptions": {"FileFormat": "plain-text", "HiveCompatiblePartitions": False, "PerHourPartition": False},
    }


def test_create_to_a_log_group_with_a_custom_format(ec2, unique):
    v = ec2.create_vpc(CidrBlock="10.81.0.0/16")["Vpc"]["VpcId"]
    s = ec2.create_subnet(VpcId=v, CidrBlock="10.81.1.0/24")["Subnet"]["SubnetId"]
    eni = ec2.create_network_interface(SubnetId=s)["NetworkInterface"]["NetworkInterfaceId"]
    fmt = "${version} ${vpc-id} ${subnet-id} ${srcaddr} ${dstaddr} ${action} ${flow-direction}"
    made = ec2.create_flow_logs(
        ResourceType="NetworkInterface", ResourceIds=[eni], TrafficType="REJECT",
        LogGroupName=f"/vpclab/{unique}", DeliverLogsPermissionArn=ROLE, LogFormat=fmt,
        MaxAggregationInterval=60,
    )
    [fl] = made["FlowLogIds"]
    [f] = mine(ec2, FlowLogIds=[fl])
    assert f["LogDestinationType"] == "cloud-watch-logs"
    assert f["LogGroupName"] == f"/vpclab/{unique}"
    assert f["LogDestination"] == f"arn:aws:logs:us-east-1:000000000000:log-group:/vpclab/{unique}"
    assert f["DeliverLogsPermissionArn"] == ROLE
    assert f["LogFormat"] == fmt
    assert f["MaxAggregationInterval"] == 60
    assert f["TrafficType"] == "REJECT"
    assert "DestinationOptions" not in f


def test_missing_resources_and_buckets_are_unsuccessful_items(ec2, s3, unique):
    v = ec2.create_vpc(CidrBlock="10.82.0.0/16")["Vpc"]["VpcId"]
    b = bucket(s3, unique)
    made = ec2.create_flow_logs(
        ResourceType="VPC", ResourceIds=[v, "vpc-0123456789abcdef0"], TrafficType="ACCEPT",
        LogDestinationType="s3", LogDestination=f"arn:aws:s3:::{b}",
    )
    assert len(made["FlowLogIds"]) == 1
    [u] = made["Unsuccessful"]
    assert u["ResourceId"] == "vpc-0123456789abcdef0"
    assert u["Error"]["Code"] == "InvalidVpcID.NotFound"
    # A bucket that does not exist: nothing is created, each resource says why.
    before = all_ids(ec2)
    made = ec2.create_flow_logs(
        ResourceType="VPC", ResourceIds=[v], TrafficType="ALL",
        LogDestinationType="s3", LogDestination=f"arn:aws:s3:::no-such-{unique}",
    )
    assert made["FlowLogIds"] == []
    assert made["Unsuccessful"][0]["Error"] == {"Code": "400", "Message": f"LogDestination: no-such-{unique} does not exist."}
    assert all_ids(ec2) == before


@pytest.mark.parametrize("change, code", [
    ({"ResourceType": "Vpc"}, "InvalidParameterValue"),
    ({"ResourceType": "TransitGateway"}, "InvalidParameter"),
    ({"TrafficType": "SOME"}, "InvalidParameterValue"),
    ({"MaxAggregationInterval": 300}, "InvalidParameter"),
    ({"LogFormat": "${version} ${no-such-field}"}, "InvalidParameter"),
    ({"LogDestinationType": "kinesis-data-firehose"}, "InvalidParameter"),
    ({"LogDestination": "my-bucket"}, "InvalidParameter"),
    ({"LogGroupName": "g"}, "InvalidParameter"),
    ({"DeliverLogsPermissionArn": ROLE}, "InvalidParameter"),
    ({"DestinationOptions": {"FileFormat": "parquet"}}, "InvalidParameter"),
    ({"TagSpecifications": [{"ResourceType": "vpc", "Tags": [{"Key": "a", "Value": "b"}]}]}, "InvalidParameterValue"),
])
def test_bad_parameters_are_refused_and_change_nothing(lab, ec2, s3, unique, change, code):
    v = ec2.create_vpc(CidrBlock="10.83.0.0/16")["Vpc"]["VpcId"]
    b = bucket(s3, unique)
    params = dict(ResourceType="VPC", ResourceIds=[v], TrafficType="ALL",
                  LogDestinationType="s3", LogDestination=f"arn:aws:s3:::{b}")
    params.update(change)
    before = all_ids(ec2)
    raw = lab.client("ec2", validate=False)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        raw.create_flow_logs(**params)
    assert error_code(e) == code
    assert all_ids(ec2) == before


def test_log_group_needs_a_role_and_a_safe_name(ec2, unique):
    v = ec2.create_vpc(CidrBlock="10.84.0.0/16")["Vpc"]["VpcId"]
    before = all_ids(ec2)
    for params in [
        dict(LogGroupName=f"g-{unique}"),  # no DeliverLogsPermissionArn
        dict(LogGroupName="../../escape", DeliverLogsPermissionArn=ROLE),
        dict(DeliverLogsPermissionArn=ROLE),  # neither group nor destination
    ]:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ec2.create_flow_logs(ResourceType="VPC", ResourceIds=[v], TrafficType="ALL", **params)
        assert error_code(e) == "InvalidParameter"
    assert all_ids(ec2) == before


def test_the_same_flow_log_twice_is_refused(ec2, s3, unique):
    v = ec2.create_vpc(CidrBlock="10.85.0.0/16")["Vpc"]["VpcId"]
    b = bucket(s3, unique)
    params = dict(ResourceType="VPC", ResourceIds=[v], TrafficType="ALL",
                  LogDestinationType="s3", LogDestination=f"arn:aws:s3:::{b}")
    ec2.create_flow_logs(**params)
    before = all_ids(ec2)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.create_flow_logs(**params)
    assert error_code(e) == "FlowLogAlreadyExists"
    assert all_ids(ec2) == before


def test_describe_filters_and_pages(ec2, s3, unique):
    v = ec2.create_vpc(CidrBlock="10.86.0.0/16")["Vpc"]["VpcId"]
    s = ec2.create_subnet(VpcId=v, CidrBlock="10.86.1.0/24")["Subnet"]["SubnetId"]
    b = bucket(s3, unique)
    [to_s3] = ec2.create_flow_logs(
        ResourceType="VPC", ResourceIds=[v], TrafficType="ACCEPT", LogDestinationType="s3",
        LogDestination=f"arn:aws:s3:::{b}",
        TagSpecifications=[{"ResourceType": "vpc-flow-log", "Tags": [{"Key": "run", "Value": unique}]}],
    )["FlowLogIds"]
    [to_file] = ec2.create_flow_logs(
        ResourceType="Subnet", ResourceIds=[s], TrafficType="REJECT", LogGroupName=f"g-{unique}",
        DeliverLogsPermissionArn=ROLE,
        TagSpecifications=[{"ResourceType": "vpc-flow-log", "Tags": [{"Key": "run", "Value": unique}]}],
    )["FlowLogIds"]

    def ids(*filters):
        return sorted(f["FlowLogId"] for f in mine(ec2, Filter=[{"Name": n, "Values": vals} for n, vals in filters]))

    run = ("tag:run", [unique])
    assert ids(run) == sorted([to_s3, to_file])
    assert ids(run, ("resource-id", [v])) == [to_s3]
    assert ids(run, ("traffic-type", ["REJECT"])) == [to_file]
    assert ids(run, ("log-destination-type", ["s3"])) == [to_s3]
    assert ids(run, ("log-group-name", [f"g-{unique}"])) == [to_file]
    assert ids(run, ("flow-log-id", [to_file])) == [to_file]
    assert ids(run, ("deliver-log-status", ["SUCCESS"])) == sorted([to_s3, to_file])
    assert ids(run, ("deliver-log-status", ["FAILED"])) == []
    assert ids(("tag-key", ["run"]), ("resource-id", [s])) == [to_file]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        mine(ec2, Filter=[{"Name": "vpc-id", "Values": [v]}])
    assert error_code(e) == "InvalidParameterValue"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        mine(ec2, FlowLogIds=["fl-0123456789abcdef0"])
    assert error_code(e) == "InvalidFlowLogId.NotFound"
    # Pages walk them all.
    seen, token = [], None
    while True:
        kw = {"MaxResults": 1, "Filter": [{"Name": "tag:run", "Values": [unique]}]}
        if token:
            kw["NextToken"] = token
        page = ec2.describe_flow_logs(**kw)
        assert len(page["FlowLogs"]) <= 1
        seen += [f["FlowLogId"] for f in page["FlowLogs"]]
        token = page.get("NextToken")
        if not token:
            break
    assert sorted(seen) == sorted([to_s3, to_file])
    # Tags through CreateTags and DescribeTags.
    ec2.create_tags(Resources=[to_s3], Tags=[{"Key": "extra", "Value": "1"}])
    tags = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [to_s3]}])["Tags"]
    assert {(t["Key"], t["ResourceType"]) for t in tags} == {("run", "vpc-flow-log"), ("extra", "vpc-flow-log")}


def test_delete_answers_unknown_ids_as_unsuccessful(ec2, s3, unique):
    v = ec2.create_vpc(CidrBlock="10.87.0.0/16")["Vpc"]["VpcId"]
    b = bucket(s3, unique)
    [fl] = ec2.create_flow_logs(
        ResourceType="VPC", ResourceIds=[v], TrafficType="ALL", LogDestinationType="s3",
        LogDestination=f"arn:aws:s3:::{b}",
    )["FlowLogIds"]
    out = ec2.delete_flow_logs(FlowLogIds=[fl, "fl-0123456789abcdef0"])
    assert [(u["ResourceId"], u["Error"]["Code"]) for u in out["Unsuccessful"]] == [
        ("fl-0123456789abcdef0", "InvalidFlowLogId.NotFound")
    ]
    assert fl not in all_ids(ec2)
    # Deleting again: the id is now unknown, and nothing else changes.
    before = all_ids(ec2)
    out = ec2.delete_flow_logs(FlowLogIds=[fl])
    assert out["Unsuccessful"][0]["Error"]["Code"] == "InvalidFlowLogId.NotFound"
    assert all_ids(ec2) == before


def test_a_flow_log_goes_with_its_resource(ec2, unique):
    v = ec2.create_vpc(CidrBlock="10.88.0.0/16")["Vpc"]["VpcId"]
    s = ec2.create_subnet(VpcId=v, CidrBlock="10.88.1.0/24")["Subnet"]["SubnetId"]
    [fl] = ec2.create_flow_logs(
        ResourceType="Subnet", ResourceIds=[s], TrafficType="ALL", LogGroupName=f"g-{unique}",
        DeliverLogsPermissionArn=ROLE,
    )["FlowLogIds"]
    ec2.delete_subnet(SubnetId=s)
    assert fl not in all_ids(ec2)


def test_flow_logs_through_the_aws_cli(lab, ec2, s3, unique):
    _, out = lab.aws("ec2", "create-vpc", "--cidr-block", "10.89.0.0/16")
    v = out["Vpc"]["VpcId"]
    b = bucket(s3, unique)
    _, out = lab.aws("ec2", "create-flow-logs", "--resource-type", "VPC", "--resource-ids", v,
                     "--traffic-type", "REJECT", "--log-destination-type", "s3",
                     "--log-destination", f"arn:aws:s3:::{b}", "--log-format", "${srcaddr} ${dstaddr} ${action}")
    [fl] = out["FlowLogIds"]
    _, out = lab.aws("ec2", "describe-flow-logs", "--filter", f"Name=resource-id,Values={v}")
    assert [(f["FlowLogId"], f["LogFormat"]) for f in out["FlowLogs"]] == [(fl, "${srcaddr} ${dstaddr} ${action}")]
    code, err = lab.aws("ec2", "create-flow-logs", "--resource-type", "VPC", "--resource-ids", v,
                        "--traffic-type", "ALL", "--log-destination-type", "kinesis-data-firehose",
                        "--log-destination", "arn:aws:firehose:us-east-1:000000000000:deliverystream/x", check=False)
    assert code != 0 and "InvalidParameter" in err
    _, out = lab.aws("ec2", "delete-flow-logs", "--flow-log-ids", fl)
    assert out["Unsuccessful"] == []
    assert fl not in all_ids(ec2)
