"""Reachability Analyzer's API (network insights paths and analyses) through boto3 and the
`aws` CLI: an analysis is the lab's own trace of the path, taken when it starts and kept."""

import pytest

AMI = "ami-12345678"


def vpc_with_two_instances(ec2, second_octet):
    vpc = ec2.create_vpc(CidrBlock=f"10.{second_octet}.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.{second_octet}.1.0/24",
                               AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    server_sg = ec2.create_security_group(GroupName="server", Description="server", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=server_sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": f"10.{second_octet}.0.0/16"}]}])
    run = lambda **kw: ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet, **kw)["Instances"][0]
    client = run()
    server = run(SecurityGroupIds=[server_sg])
    return vpc, subnet, server_sg, client, server


def analyse(ec2, path_id):
    started = ec2.start_network_insights_analysis(NetworkInsightsPathId=path_id)["NetworkInsightsAnalysis"]
    assert started["Status"] == "running"
    [analysis] = ec2.describe_network_insights_analyses(
        NetworkInsightsAnalysisIds=[started["NetworkInsightsAnalysisId"]])["NetworkInsightsAnalyses"]
    assert analysis["Status"] == "succeeded"
    return analysis


def test_an_analysis_explains_a_refusal_and_later_finds_the_path(lab, ec2):
    vpc, subnet, server_sg, client, server = vpc_with_two_instances(ec2, 121)
    path = ec2.create_network_insights_path(
        Source=client["InstanceId"], Destination=server["InstanceId"], Protocol="tcp", DestinationPort=22,
        TagSpecifications=[{"ResourceType": "network-insights-path", "Tags": [{"Key": "team", "Value": "net"}]}],
    )["NetworkInsightsPath"]
    assert path["NetworkInsightsPathId"].startswith("nip-")
    assert path["SourceArn"].endswith(f":instance/{client['InstanceId']}")
    assert (path["Protocol"], path["DestinationPort"]) == ("tcp", 22)
    refused = analyse(ec2, path["NetworkInsightsPathId"])
    assert refused["NetworkPathFound"] is False
    [why] = refused["Explanations"]
    assert why["ExplanationCode"] == "ENI_SG_RULES_MISMATCH"
    assert why["Component"]["Id"] == server_sg and why["SecurityGroup"]["Id"] == server_sg
    assert why["Direction"] == "ingress" and why["Port"] == 22
    assert why["Address"] == server["PrivateIpAddress"]

    ec2.authorize_security_group_ingress(GroupId=server_sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "10.121.1.0/24"}]}])
    found = analyse(ec2, path["NetworkInsightsPathId"])
    assert found["NetworkPathFound"] is True and found.get("Explanations", []) == []
    forward = found["ForwardPathComponents"]
    assert [c["SequenceNumber"] for c in forward] == list(range(1, len(forward) + 1))
    ids = [c["Component"]["Id"] for c in forward]
    assert ids[0] == client["InstanceId"] and server["InstanceId"] in ids and server_sg in ids
    rule = next(c["SecurityGroupRule"] for c in forward if c["Component"]["Id"] == server_sg)
    assert rule == {"Cidr": "10.121.1.0/24", "Direction": "ingress", "SecurityGroupId": server_sg,
                    "PortRange": {"From": 22, "To": 22}, "Protocol": "tcp"}
    first = forward[0]["OutboundHeader"]
    assert first["DestinationAddresses"] == [server["PrivateIpAddress"]] and first["Protocol"] == "6"
    assert first["DestinationPortRanges"] == [{"From": 22, "To": 22}]
    assert forward[0]["Vpc"]["Id"] == vpc and forward[0]["Subnet"]["Id"] == subnet
    assert found["ReturnPathComponents"]

    # The first analysis is kept as it was: a snapshot, not a live view.
    [old] = ec2.describe_network_insights_analyses(
        NetworkInsightsAnalysisIds=[refused["NetworkInsightsAnalysisId"]])["NetworkInsightsAnalyses"]
    assert old["NetworkPathFound"] is False
    mine = ec2.describe_network_insights_analyses(NetworkInsightsPathId=path["NetworkInsightsPathId"],
                                                  Filters=[{"Name": "path-found", "Values": ["true"]}])
    assert [a["NetworkInsightsAnalysisId"] for a in mine["NetworkInsightsAnalyses"]] == \
        [found["NetworkInsightsAnalysisId"]]
    by_status = ec2.describe_network_insights_analyses(NetworkInsightsPathId=path["NetworkInsightsPathId"],
                                                       Filters=[{"Name": "status", "Values": ["succeeded"]}])
    assert len(by_status["NetworkInsightsAnalyses"]) == 2
    assert ec2.describe_network_insights_analyses(NetworkInsightsPathId=path["NetworkInsightsPathId"],
                                                  Filters=[{"Name": "status", "Values": ["failed"]}]
                                                  )["NetworkInsightsAnalyses"] == []
    one_page = ec2.describe_network_insights_analyses(NetworkInsightsPathId=path["NetworkInsightsPathId"],
                                                      MaxResults=1)
    assert len(one_page["NetworkInsightsAnalyses"]) == 1 and one_page["NextToken"]
    paths = ec2.describe_network_insights_paths(Filters=[{"Name": "source", "Values": [client["InstanceId"]]},
                                                         {"Name": "tag:team", "Values": ["net"]}])
    assert [p["NetworkInsightsPathId"] for p in paths["NetworkInsightsPaths"]] == [path["NetworkInsightsPathId"]]
    # Tags work as on every other resource: CreateTags, and DescribeTags lists them.
    ec2.create_tags(Resources=[found["NetworkInsightsAnalysisId"]], Tags=[{"Key": "run", "Value": "2"}])
    tagged = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [
        path["NetworkInsightsPathId"], found["NetworkInsightsAnalysisId"]]}])["Tags"]
    assert sorted((t["ResourceType"], t["Key"]) for t in tagged) == [
        ("network-insights-analysis", "run"), ("network-insights-path", "team")]

    # The aws CLI reads the same answer.
    code, out = lab.aws("ec2", "describe-network-insights-analyses", "--network-insights-analysis-ids",
                        found["NetworkInsightsAnalysisId"])
    assert code == 0 and out["NetworkInsightsAnalyses"][0]["NetworkPathFound"] is True

    # A path with analyses stays until they go.
    with pytest.raises(Exception) as e:
        ec2.delete_network_insights_path(NetworkInsightsPathId=path["NetworkInsightsPathId"])
    assert e.value.response["Error"]["Code"] == "DependencyViolation"
    for a in (refused, found):
        ec2.delete_network_insights_analysis(NetworkInsightsAnalysisId=a["NetworkInsightsAnalysisId"])
    ec2.delete_network_insights_path(NetworkInsightsPathId=path["NetworkInsightsPathId"])
    with pytest.raises(Exception) as e:
        ec2.describe_network_insights_paths(NetworkInsightsPathIds=[path["NetworkInsightsPathId"]])
    assert e.value.response["Error"]["Code"] == "InvalidNetworkInsightsPathId.NotFound"


def test_a_path_to_the_internet_names_the_route_table_without_a_route(lab, ec2):
    vpc, subnet, _, client, _ = vpc_with_two_instances(ec2, 122)
    rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=rt, SubnetId=subnet)
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    path = ec2.create_network_insights_path(Source=client["InstanceId"], Destination=igw,
                                            DestinationIp="203.0.113.7", Protocol="tcp",
                                            DestinationPort=443)["NetworkInsightsPath"]
    analysis = analyse(ec2, path["NetworkInsightsPathId"])
    assert analysis["NetworkPathFound"] is False
    [why] = analysis["Explanations"]
    assert why["ExplanationCode"] == "NO_ROUTE_TO_DESTINATION" and why["RouteTable"]["Id"] == rt
    # With the route (and a public address), the path is found through the gateway.
    ec2.create_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    ec2.associate_address(AllocationId=eip, InstanceId=client["InstanceId"])
    analysis = analyse(ec2, path["NetworkInsightsPathId"])
    assert analysis["NetworkPathFound"] is True
    route = next(c["RouteTableRoute"] for c in analysis["ForwardPathComponents"] if c["Component"]["Id"] == rt)
    assert route["DestinationCidr"] == "0.0.0.0/0" and route["GatewayId"] == igw
    assert igw in [c["Component"]["Id"] for c in analysis["ForwardPathComponents"]]


def test_bad_paths_are_refused_and_nothing_is_created(lab, ec2):
    _, subnet, _, client, server = vpc_with_two_instances(ec2, 123)
    before = len(ec2.describe_network_insights_paths()["NetworkInsightsPaths"])

    def code_of(**kw):
        kw.setdefault("Source", client["InstanceId"])
        kw.setdefault("Protocol", "tcp")
        with pytest.raises(Exception) as e:
            ec2.create_network_insights_path(**kw)
        return e.value.response["Error"]["Code"]

    assert code_of(Destination=server["InstanceId"], Protocol="icmp", DestinationPort=1) == "InvalidParameterValue"
    assert code_of(DestinationPort=22) == "InvalidParameterCombination"
    assert code_of(Destination=server["InstanceId"]) == "MissingParameter"
    assert code_of(Destination=server["InstanceId"], DestinationPort=70000) == "InvalidParameterValue"
    assert code_of(Destination="i-0123456789abcdef0", DestinationPort=22) == "InvalidInstanceID.NotFound"
    assert code_of(Source=subnet, Destination=server["InstanceId"], DestinationPort=22) == "InvalidParameterValue"
    assert code_of(Destination=server["InstanceId"], DestinationIp="10.0.0.300", DestinationPort=22) == \
        "InvalidParameterValue"
    # The lab does not serve path filters; a gateway endpoint is a route, not a destination.
    assert code_of(Destination=server["InstanceId"], DestinationPort=22,
                   FilterAtSource={"SourceAddress": "10.123.1.0/24"}) == "InvalidParameter"
    vpc = ec2.describe_subnets(SubnetIds=[subnet])["Subnets"][0]["VpcId"]
    gateway = ec2.create_vpc_endpoint(VpcId=vpc, ServiceName="com.amazonaws.us-east-1.s3")["VpcEndpoint"]
    assert code_of(Destination=gateway["VpcEndpointId"], DestinationPort=443) == "InvalidParameterValue"
    assert len(ec2.describe_network_insights_paths()["NetworkInsightsPaths"]) == before
    path = ec2.create_network_insights_path(Source=client["InstanceId"], Destination=server["InstanceId"],
                                            Protocol="tcp", DestinationPort=22)["NetworkInsightsPath"]
    with pytest.raises(Exception) as e:
        ec2.start_network_insights_analysis(NetworkInsightsPathId=path["NetworkInsightsPathId"],
                                            AdditionalAccounts=["222233334444"])
    assert e.value.response["Error"]["Code"] == "InvalidParameter"
    assert ec2.describe_network_insights_analyses(
        NetworkInsightsPathId=path["NetworkInsightsPathId"])["NetworkInsightsAnalyses"] == []
    with pytest.raises(Exception) as e:
        ec2.start_network_insights_analysis(NetworkInsightsPathId="nip-0123456789abcdef0")
    assert e.value.response["Error"]["Code"] == "InvalidNetworkInsightsPathId.NotFound"
    with pytest.raises(Exception) as e:
        ec2.describe_network_insights_analyses(NetworkInsightsAnalysisIds=["nia-zz"])
    assert e.value.response["Error"]["Code"] == "InvalidNetworkInsightsAnalysisId.Malformed"
    with pytest.raises(Exception) as e:
        ec2.describe_network_insights_paths(Filters=[{"Name": "colour", "Values": ["red"]}])
    assert e.value.response["Error"]["Code"] == "InvalidParameterValue"


def test_an_analysis_survives_kill_9_as_it_was_found():
    from conftest import ROOMY, Lab
    lab = Lab(quotas=ROOMY).start()
    try:
        ec2 = lab.client("ec2")
        _, _, server_sg, client, server = vpc_with_two_instances(ec2, 124)
        path = ec2.create_network_insights_path(Source=client["InstanceId"], Destination=server["InstanceId"],
                                                Protocol="tcp", DestinationPort=80)["NetworkInsightsPath"]
        found = analyse(ec2, path["NetworkInsightsPathId"])
        assert found["NetworkPathFound"] is True
        lab.kill9()
        lab.start()
        ec2 = lab.client("ec2")
        # The network changed after the analysis; the kept answer did not.
        ec2.revoke_security_group_ingress(GroupId=server_sg, IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "10.124.0.0/16"}]}])
        [after] = ec2.describe_network_insights_analyses(
            NetworkInsightsAnalysisIds=[found["NetworkInsightsAnalysisId"]])["NetworkInsightsAnalyses"]
        assert after["NetworkPathFound"] is True
        # Every component as it was, the revoked rule's range included.
        assert after["ForwardPathComponents"] == found["ForwardPathComponents"]
        assert after["ReturnPathComponents"] == found["ReturnPathComponents"]
        rule = next(c["SecurityGroupRule"] for c in after["ForwardPathComponents"]
                    if c["Component"]["Id"] == server_sg)
        assert rule["Cidr"] == "10.124.0.0/16"
        assert analyse(ec2, path["NetworkInsightsPathId"])["NetworkPathFound"] is False
    finally:
        lab.cleanup()
