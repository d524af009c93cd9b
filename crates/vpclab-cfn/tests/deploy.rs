//! Deploying the real templates in tests/cases into a lab, and taking them down again.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value;
use vpclab_cfn::{
    CfnError, Context, DeployOptions, ResourceStatus, Stack, Template, deploy, undeploy,
};
use vpclab_model::{
    AccountId, Caller, Lab, NatGatewayState, Region, RouteTarget, RulePeer, Timestamp,
    VpcEndpointState,
};

const ACCOUNT: &str = "111111111111";

/// A lab as AWS gives an account (a default VPC in every region), and a caller in us-east-1.
fn lab() -> (Lab, Caller) {
    let account = AccountId::parse(ACCOUNT).unwrap();
    let mut lab = Lab::new(7);
    let now = Timestamp(1_700_000_000_000);
    lab.add_account(&account, now);
    (lab, Caller::new(account, Region::default_region(), now))
}

/// The stack's context, with the lab's Availability Zones for `Fn::GetAZs`.
fn context(stack_name: &str) -> Context {
    let region = Region::default_region();
    Context {
        region: region.name().into(),
        account_id: ACCOUNT.into(),
        stack_name: stack_name.into(),
        stack_id: format!(
            "arn:aws:cloudformation:{}:{ACCOUNT}:stack/{stack_name}/51af3dc0-da77-11e4-872e-1234567db123",
            region.name()
        ),
        availability_zones: region.zones().map(|z| z.name).collect(),
    }
}

fn template(name: &str) -> Template {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cases")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    Template::parse(&text).unwrap()
}

fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn id<'s>(stack: &'s Stack, logical_id: &str) -> &'s str {
    &stack
        .resource(logical_id)
        .unwrap_or_else(|| panic!("no resource {logical_id}"))
        .physical_id
}

fn snapshot(lab: &Lab) -> Value {
    serde_json::to_value(lab).unwrap()
}

/// The target of the route to `destination` in `route_table`.
fn route_target(lab: &Lab, route_table: &str, destination: &str) -> Option<RouteTarget> {
    lab.route_table(route_table)?
        .routes
        .iter()
        .find(|r| r.destination.to_string() == destination)
        .map(|r| r.target.clone())
}

#[test]
fn managed_nat_vpc_deploys_and_undeploys() {
    let (mut lab, caller) = lab();
    let before = snapshot(&lab);
    let zones = context("nat").availability_zones;
    let stack = deploy(
        &mut lab,
        &caller,
        &template("01-awscfn-vpc-managed-nat-private-subnet.yaml"),
        &BTreeMap::new(),
        &context("nat"),
        &DeployOptions::default(),
    )
    .unwrap();
    assert!(
        stack
            .resources
            .iter()
            .all(|r| r.status == ResourceStatus::Created)
    );

    let vpc_id = id(&stack, "VPC");
    let vpc = lab.vpc(vpc_id).unwrap();
    assert_eq!(
        vpc.cidr_block_associations[0].cidr.to_string(),
        "10.0.0.0/16"
    );
    assert!(vpc.enable_dns_support && vpc.enable_dns_hostnames);
    assert_eq!(vpc.tags["Name"], "VPC Public and Private with NAT");
    assert_eq!(vpc.tags["Application"], "nat");

    for (logical, cidr, zone, public) in [
        ("PublicSubnet0", "10.0.0.0/24", 0, true),
        ("PublicSubnet1", "10.0.1.0/24", 1, true),
        ("PrivateSubnet0", "10.0.2.0/24", 0, false),
        ("PrivateSubnet1", "10.0.3.0/24", 1, false),
    ] {
        let subnet = lab.subnet(id(&stack, logical)).unwrap();
        assert_eq!(subnet.cidr_block.to_string(), cidr, "{logical}");
        assert_eq!(subnet.availability_zone, zones[zone], "{logical}");
        assert_eq!(subnet.vpc_id.to_string(), vpc_id);
        assert_eq!(subnet.map_public_ip_on_launch, public, "{logical}");
    }

    // Each NAT gateway has its EIP and sits in its public subnet.
    for (nat, eip, subnet) in [
        ("NATGateway0", "ElasticIP0", "PublicSubnet0"),
        ("NATGateway1", "ElasticIP1", "PublicSubnet1"),
    ] {
        let gateway = lab.nat_gateway(id(&stack, nat)).unwrap();
        assert_eq!(gateway.subnet_id.to_string(), id(&stack, subnet));
        // Ref on an EIP is its public address.
        assert_eq!(
            gateway.public_ip.map(|ip| ip.to_string()).as_deref(),
            Some(id(&stack, eip))
        );
        let allocation = &stack.resource(eip).unwrap().attributes["AllocationId"];
        assert_eq!(
            gateway.allocation_id.as_ref().map(|a| a.to_string()),
            allocation.as_str().map(String::from)
        );
    }

    // Routes: the public table to the IGW, each private one to its NAT gateway.
    let igw = id(&stack, "InternetGateway");
    assert_eq!(
        lab.internet_gateway_of(&vpc.id)
            .map(|g| g.id.to_string())
            .as_deref(),
        Some(igw)
    );
    match route_target(&lab, id(&stack, "PublicRouteTable"), "0.0.0.0/0") {
        Some(RouteTarget::InternetGateway(g)) => assert_eq!(g.to_string(), igw),
        other => panic!("public default route: {other:?}"),
    }
    for (table, nat, subnet) in [
        ("PrivateRouteTable0", "NATGateway0", "PrivateSubnet0"),
        ("PrivateRouteTable1", "NATGateway1", "PrivateSubnet1"),
    ] {
        match route_target(&lab, id(&stack, table), "0.0.0.0/0") {
            Some(RouteTarget::NatGateway(n)) => assert_eq!(n.to_string(), id(&stack, nat)),
            other => panic!("{table} default route: {other:?}"),
        }
        let s = lab.subnet(id(&stack, subnet)).unwrap();
        assert_eq!(
            lab.route_table_for_subnet(s).unwrap().id.to_string(),
            id(&stack, table)
        );
    }

    // The public NACL: its two entries, and both public subnets use it.
    let acl_id = id(&stack, "PublicNetworkAcl");
    let acl = lab.network_acl(acl_id).unwrap();
    let entries: Vec<(u16, bool)> = acl
        .entries
        .iter()
        .filter(|e| e.rule_number == 100)
        .map(|e| (e.rule_number, e.egress))
        .collect();
    assert_eq!(entries.len(), 2, "{:?}", acl.entries);
    assert!(entries.contains(&(100, false)) && entries.contains(&(100, true)));
    for subnet in ["PublicSubnet0", "PublicSubnet1"] {
        let s = lab.subnet(id(&stack, subnet)).unwrap();
        assert_eq!(
            lab.network_acl_for_subnet(&s.id).unwrap().id.to_string(),
            acl_id
        );
    }
    let private = lab.subnet(id(&stack, "PrivateSubnet0")).unwrap();
    assert!(lab.network_acl_for_subnet(&private.id).unwrap().is_default);

    // Outputs and exports.
    assert_eq!(stack.outputs["VPCId"], vpc_id);
    assert_eq!(
        stack.outputs["PrivateSubnet1"],
        id(&stack, "PrivateSubnet1")
    );
    assert_eq!(
        stack.outputs["DefaultSecurityGroup"],
        vpc.default_security_group_id.to_string()
    );
    assert_eq!(stack.exports["us-east-1-nat-VPC"], vpc_id);
    assert_eq!(stack.exports.len(), 6);

    // Everything applied is journaled, and a replay onto the same lab gives the same lab.
    let (mut replayed, _) = self::lab();
    for op in &stack.applied {
        replayed.apply(&caller, op).unwrap();
    }
    assert_eq!(snapshot(&replayed), snapshot(&lab));

    // Undeploy removes all of it, from the stack as a server would have stored it.
    let stored: Stack = serde_json::from_value(serde_json::to_value(&stack).unwrap()).unwrap();
    let deleted = undeploy(&mut lab, &caller, &stored).unwrap();
    assert!(!deleted.is_empty());
    assert!(lab.vpc(vpc_id).is_none());
    assert!(lab.internet_gateway(igw).is_none());
    for subnet in ["PublicSubnet0", "PrivateSubnet1"] {
        assert!(lab.subnet(id(&stack, subnet)).is_none());
    }
    assert!(lab.network_acl(acl_id).is_none());
    assert!(lab.route_table(id(&stack, "PublicRouteTable")).is_none());
    for eip in ["ElasticIP0", "ElasticIP1"] {
        let allocation = stack.resource(eip).unwrap().attributes["AllocationId"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(lab.address(&allocation).is_none());
    }
    // AWS keeps a deleted NAT gateway visible for a while, in state `deleted`.
    for nat in ["NATGateway0", "NATGateway1"] {
        assert!(
            lab.nat_gateway(id(&stack, nat))
                .is_none_or(|n| n.state == NatGatewayState::Deleted)
        );
    }
    let after = snapshot(&lab);
    assert_eq!(after["vpcs"], before["vpcs"]);
    assert_eq!(after["subnets"], before["subnets"]);
    assert_eq!(after["addresses"], before["addresses"]);
    assert_eq!(after["internet_gateways"], before["internet_gateways"]);
    assert_eq!(after["route_tables"], before["route_tables"]);
    assert_eq!(after["network_acls"], before["network_acls"]);
}

const SUBNET_OUTSIDE: &str = r#"
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.0.0.0/16
  Outside:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: 192.168.0.0/24
"#;

#[test]
fn a_failing_resource_rolls_the_stack_back() {
    let (mut lab, caller) = lab();
    let before = snapshot(&lab);
    let err = deploy(
        &mut lab,
        &caller,
        &Template::parse(SUBNET_OUTSIDE).unwrap(),
        &BTreeMap::new(),
        &context("bad"),
        &DeployOptions::default(),
    )
    .unwrap_err();
    match &err {
        CfnError::Resource {
            logical_id, code, ..
        } => {
            assert_eq!(logical_id, "Outside");
            assert_eq!(code, "InvalidSubnet.Range");
        }
        other => panic!("unexpected error: {other:?}"),
    }
    let message = err.to_string();
    assert!(
        message.contains("Outside") && message.contains("InvalidSubnet.Range"),
        "{message}"
    );
    assert_eq!(snapshot(&lab), before);
    // The id generator was restored too: the next VPC gets the id the first one got.
    let stack = deploy(
        &mut lab,
        &caller,
        &Template::parse(&SUBNET_OUTSIDE.replace("192.168.0.0/24", "10.0.0.0/24")).unwrap(),
        &BTreeMap::new(),
        &context("good"),
        &DeployOptions::default(),
    )
    .unwrap();
    let (mut fresh, _) = self::lab();
    for op in &stack.applied {
        fresh.apply(&caller, op).unwrap();
    }
    assert_eq!(snapshot(&fresh), snapshot(&lab));
}

#[test]
fn unsupported_types_are_refused_before_anything_is_applied() {
    let (mut lab, caller) = lab();
    let before = snapshot(&lab);
    let template = template("02-awscfn-endpoints-no-igw-s3gw-cfn-interface.yaml");
    let given = params(&[
        ("LinuxAMI", "ami-0123456789abcdef0"),
        ("EnvironmentName", "lab"),
    ]);
    let err = deploy(
        &mut lab,
        &caller,
        &template,
        &given,
        &context("endpoints"),
        &DeployOptions::default(),
    )
    .unwrap_err();
    match &err {
        CfnError::Unsupported(types) => {
            assert!(types.contains(&"AWS::CloudFormation::WaitCondition".to_string()));
            assert!(types.contains(&"AWS::CloudFormation::WaitConditionHandle".to_string()));
        }
        other => panic!("unexpected error: {other:?}"),
    }
    assert_eq!(snapshot(&lab), before);
}

#[test]
fn a_property_the_lab_cannot_honour_is_refused() {
    let (mut lab, caller) = lab();
    let before = snapshot(&lab);
    let text = r#"
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.0.0.0/16
  Attach:
    Type: AWS::EC2::VPCGatewayAttachment
    Properties:
      VpcId: !Ref Vpc
      VpnGatewayId: vgw-0123456789abcdef0
"#;
    let err = deploy(
        &mut lab,
        &caller,
        &Template::parse(text).unwrap(),
        &BTreeMap::new(),
        &context("vpn"),
        &DeployOptions::default(),
    )
    .unwrap_err();
    assert!(
        matches!(&err, CfnError::Property { logical_id, message, .. }
            if logical_id == "Attach" && message.contains("VpnGatewayId")),
        "{err:?}"
    );
    assert_eq!(snapshot(&lab), before);
}

#[test]
fn s3_gateway_endpoint_on_an_imported_vpc() {
    let (mut lab, caller) = lab();
    let vpc_stack = deploy(
        &mut lab,
        &caller,
        &template("05-widdix-vpc-2azs.yaml"),
        &BTreeMap::new(),
        &context("vpc"),
        &DeployOptions::default(),
    )
    .unwrap();
    let tables: Vec<String> = [
        "RouteTablePublic",
        "RouteTableBPublic",
        "RouteTablePrivate",
        "RouteTableBPrivate",
    ]
    .iter()
    .map(|t| id(&vpc_stack, t).to_string())
    .collect();
    let public = tables[0].clone();
    assert_eq!(vpc_stack.exports["vpc-VPC"], id(&vpc_stack, "VPC"));
    assert_eq!(
        vpc_stack.exports["vpc-RouteTablesPublic"],
        format!("{},{}", tables[0], tables[1])
    );

    let endpoint_stack = deploy(
        &mut lab,
        &caller,
        &template("07-widdix-vpc-endpoint-s3.yaml"),
        &params(&[("ParentVPCStack", "vpc")]),
        &context("s3"),
        &DeployOptions {
            imports: vpc_stack.exports.clone(),
            skip_unsupported: false,
        },
    )
    .unwrap();
    let endpoint = id(&endpoint_stack, "EndpointS3");
    assert!(endpoint.starts_with("vpce-"), "{endpoint}");
    assert_eq!(endpoint_stack.outputs["Endpoint"], endpoint);
    assert_eq!(endpoint_stack.exports["s3-EndpointS3"], endpoint);
    let e = lab.vpc_endpoint(endpoint).unwrap();
    assert_eq!(e.service_name, "com.amazonaws.us-east-1.s3");
    assert_eq!(e.vpc_id.to_string(), id(&vpc_stack, "VPC"));

    // AWS: a gateway endpoint adds `pl-… → vpce-…` to each of its route tables.
    let s3_list = lab
        .prefix_lists()
        .find(|p| p.name == "com.amazonaws.us-east-1.s3")
        .unwrap()
        .id
        .to_string();
    assert_eq!(e.route_table_ids.len(), 4);
    for table in &tables {
        match route_target(&lab, table, &s3_list) {
            Some(RouteTarget::VpcEndpoint(v)) => assert_eq!(v.to_string(), endpoint),
            other => panic!("{table}: {other:?}"),
        }
    }

    // Taking the endpoint stack down removes the routes; then the VPC stack goes too.
    undeploy(&mut lab, &caller, &endpoint_stack).unwrap();
    assert!(route_target(&lab, &public, &s3_list).is_none());
    assert!(
        lab.vpc_endpoint(endpoint)
            .is_none_or(|e| e.state == VpcEndpointState::Deleted)
    );
    undeploy(&mut lab, &caller, &vpc_stack).unwrap();
    assert!(lab.vpc(id(&vpc_stack, "VPC")).is_none());
}

#[test]
fn endpoints_without_an_internet_gateway_skipping_wait_conditions() {
    let (mut lab, caller) = lab();
    let stack = deploy(
        &mut lab,
        &caller,
        &template("02-awscfn-endpoints-no-igw-s3gw-cfn-interface.yaml"),
        &params(&[
            ("LinuxAMI", "ami-0123456789abcdef0"),
            ("EnvironmentName", "lab"),
        ]),
        &context("endpoints"),
        &DeployOptions {
            imports: BTreeMap::new(),
            skip_unsupported: true,
        },
    )
    .unwrap();
    for skipped in ["PrivateWaitHandle", "PrivateWaitCondition"] {
        let r = stack.resource(skipped).unwrap();
        assert!(
            matches!(&r.status, ResourceStatus::Skipped(why) if why.starts_with("vpclab does not model AWS::CloudFormation::WaitCondition")),
            "{r:?}"
        );
        assert_eq!(r.physical_id, format!("skipped-{skipped}"));
    }

    // The S3 gateway endpoint carries the template's policy and routes both private tables.
    let s3 = lab.vpc_endpoint(id(&stack, "S3Endpoint")).unwrap();
    let policy: Value = serde_json::from_str(&s3.policy_document).unwrap();
    assert_eq!(policy["Statement"][0]["Action"][0], "s3:PutObject");
    assert_eq!(
        policy["Statement"][0]["Resource"][0],
        "arn:aws:s3:::cloudformation-waitcondition-us-east-1/*"
    );
    for table in ["PrivateRouteTable1", "PrivateRouteTable2"] {
        let routes = &lab.route_table(id(&stack, table)).unwrap().routes;
        assert!(
            routes.iter().any(
                |r| matches!(&r.target, RouteTarget::VpcEndpoint(v) if v.to_string() == s3.id.to_string())
            ),
            "{table}: {routes:?}"
        );
        // No internet gateway, no NAT: nothing but local and S3.
        assert_eq!(routes.len(), 2, "{table}: {routes:?}");
    }

    // The CloudFormation interface endpoint: one ENI in each private subnet, with its SG.
    let cfn = lab.vpc_endpoint(id(&stack, "CfnEndpoint")).unwrap();
    assert_eq!(cfn.service_name, "com.amazonaws.us-east-1.cloudformation");
    assert!(cfn.private_dns_enabled);
    assert_eq!(cfn.network_interface_ids.len(), 2);
    assert_eq!(
        cfn.groups.iter().map(|g| g.to_string()).collect::<Vec<_>>(),
        vec![id(&stack, "EndpointSG").to_string()]
    );
    let mut subnets: Vec<String> = cfn
        .network_interface_ids
        .iter()
        .map(|n| {
            lab.network_interface(n.as_ref())
                .unwrap()
                .subnet_id
                .to_string()
        })
        .collect();
    subnets.sort();
    let mut expected = vec![
        id(&stack, "PrivateSubnet1").to_string(),
        id(&stack, "PrivateSubnet2").to_string(),
    ];
    expected.sort();
    assert_eq!(subnets, expected);
    let dns = stack.resource("CfnEndpoint").unwrap().attributes["DnsEntries"]
        .as_array()
        .unwrap()
        .clone();
    assert!(!dns.is_empty());
    for entry in &dns {
        let (zone, name) = entry.as_str().unwrap().split_once(':').unwrap();
        assert!(zone.starts_with('Z'), "{entry}");
        assert!(name.contains("cloudformation"), "{entry}");
    }

    // The SG's inline rule, and the instance in the first private subnet behind it.
    let sg = lab.security_group(id(&stack, "EndpointSG")).unwrap();
    assert_eq!(sg.ingress().count(), 1);
    let instance = lab.instance(id(&stack, "PrivateInstance")).unwrap();
    assert_eq!(instance.subnet_id.to_string(), id(&stack, "PrivateSubnet1"));
    assert_eq!(instance.instance_type, "t3.micro");
    let attributes = &stack.resource("PrivateInstance").unwrap().attributes;
    assert!(
        attributes["PrivateIp"]
            .as_str()
            .unwrap()
            .starts_with("10.192.20.")
    );
    assert!(!attributes.contains_key("PublicIp"));

    assert_eq!(stack.outputs["S3Endpoint"], s3.id.to_string());
    assert_eq!(
        stack.outputs["PrivateSubnets"],
        format!(
            "{},{}",
            id(&stack, "PrivateSubnet1"),
            id(&stack, "PrivateSubnet2")
        )
    );

    let vpc_id = id(&stack, "VPC").to_string();
    undeploy(&mut lab, &caller, &stack).unwrap();
    assert!(lab.vpc(&vpc_id).is_none());
}

#[test]
fn buckets_locked_to_an_imported_endpoint() {
    let (mut lab, caller) = lab();
    let imports = params(&[
        (
            "ds-admin-role-ds-dev-arn",
            "arn:aws:iam::111111111111:role/admin",
        ),
        ("ds-s3-endpoint-ds-dev-id", "vpce-0123456789abcdef0"),
    ]);
    let stack = deploy(
        &mut lab,
        &caller,
        &template("10-sdsra-ds-env-backing-store-bucketpolicy.yaml"),
        &params(&[("ProjectName", "ds")]),
        &context("store"),
        &DeployOptions {
            imports,
            skip_unsupported: true,
        },
    )
    .unwrap();
    // The bucket name ends with the last group of the stack id's UUID.
    assert_eq!(
        id(&stack, "DataBucket"),
        "ds-data-bucket-ds-dev-1234567db123"
    );
    let bucket = lab.bucket("ds-data-bucket-ds-dev-1234567db123").unwrap();
    let policy: Value = serde_json::from_str(bucket.policy.as_deref().unwrap()).unwrap();
    let statement = &policy["Statement"][0];
    assert_eq!(statement["Effect"], "Deny");
    assert_eq!(
        statement["Condition"]["StringNotEquals"]["aws:sourceVpce"],
        "vpce-0123456789abcdef0"
    );
    assert_eq!(
        statement["Resource"][0],
        "arn:aws:s3:::ds-data-bucket-ds-dev-1234567db123/*"
    );
    assert!(
        lab.bucket(id(&stack, "ModelArtifactsBucket"))
            .unwrap()
            .policy
            .is_some()
    );
    assert!(matches!(
        stack.resource("KMSCMK").unwrap().status,
        ResourceStatus::Skipped(_)
    ));
    // An output from a skipped resource's attribute is its placeholder.
    assert_eq!(stack.outputs["CodeCommitUrl"], "skipped-CodeCommitRepo");
    assert_eq!(stack.exports["ds-s3-data-ds-dev"], id(&stack, "DataBucket"));

    undeploy(&mut lab, &caller, &stack).unwrap();
    assert!(lab.bucket("ds-data-bucket-ds-dev-1234567db123").is_none());
}

#[test]
fn a_bucket_without_a_name_gets_one_and_a_retained_one_stays() {
    let (mut lab, caller) = lab();
    let text = r#"
Resources:
  Logs:
    Type: AWS::S3::Bucket
  Kept:
    Type: AWS::S3::Bucket
    DeletionPolicy: Retain
    Properties:
      BucketName: kept-bucket
Outputs:
  Arn:
    Value: !GetAtt Logs.Arn
  Regional:
    Value: !GetAtt Logs.RegionalDomainName
"#;
    let stack = deploy(
        &mut lab,
        &caller,
        &Template::parse(text).unwrap(),
        &BTreeMap::new(),
        &context("My_Stack"),
        &DeployOptions::default(),
    )
    .unwrap();
    let name = id(&stack, "Logs").to_string();
    let suffix = name.strip_prefix("my-stack-logs-").unwrap();
    assert_eq!(suffix.len(), 12);
    assert!(suffix.chars().all(|c| c.is_ascii_hexdigit()));
    assert!(lab.bucket(&name).is_some());
    assert_eq!(stack.outputs["Arn"], format!("arn:aws:s3:::{name}"));
    assert_eq!(
        stack.outputs["Regional"],
        format!("{name}.s3.us-east-1.amazonaws.com")
    );
    undeploy(&mut lab, &caller, &stack).unwrap();
    assert!(lab.bucket(&name).is_none());
    assert!(lab.bucket("kept-bucket").is_some());
}

#[test]
fn endpoint_service_in_front_of_a_network_load_balancer() {
    let (mut lab, caller) = lab();
    let network = deploy(
        &mut lab,
        &caller,
        &template("01-awscfn-vpc-managed-nat-private-subnet.yaml"),
        &BTreeMap::new(),
        &context("net"),
        &DeployOptions::default(),
    )
    .unwrap();
    let subnets = format!(
        "{},{}",
        id(&network, "PrivateSubnet0"),
        id(&network, "PrivateSubnet1")
    );
    let consumer = "arn:aws:iam::222222222222:root";
    let stack = deploy(
        &mut lab,
        &caller,
        &template("13-plgov-test-vpc-endpoint-service.yaml"),
        &params(&[("AWSPrincipals", consumer), ("SubnetIDs", &subnets)]),
        &context("svc"),
        &DeployOptions::default(),
    )
    .unwrap();
    let nlb_arn = id(&stack, "NetworkLoadBalancer");
    let nlb = lab.load_balancer(nlb_arn).unwrap();
    assert!(nlb.cross_zone(), "LoadBalancerAttributes were applied");
    assert_eq!(nlb.vpc_id.to_string(), id(&network, "VPC"));
    assert_eq!(nlb.availability_zones.len(), 2);
    // A generated name: `<stack>-<logical id>-<suffix>`, at most 32 characters.
    assert!(nlb.name.starts_with("svc-NetworkLoadBala-"), "{}", nlb.name);
    assert_eq!(nlb.name.len(), 32);
    assert_eq!(stack.outputs["NetworkLoadBalancer"], nlb_arn);

    let service = lab
        .vpc_endpoint_service(id(&stack, "VPCEndpointService"))
        .unwrap();
    assert!(service.acceptance_required);
    assert_eq!(
        service
            .network_load_balancer_arns
            .iter()
            .map(|a| a.to_string())
            .collect::<Vec<_>>(),
        vec![nlb_arn.to_string()]
    );
    assert_eq!(
        service
            .allowed_principals
            .iter()
            .map(|p| p.principal.as_str())
            .collect::<Vec<_>>(),
        vec![consumer]
    );

    undeploy(&mut lab, &caller, &stack).unwrap();
    assert!(
        lab.vpc_endpoint_service(id(&stack, "VPCEndpointService"))
            .is_none_or(|s| s.allowed_principals.is_empty())
    );
    undeploy(&mut lab, &caller, &network).unwrap();
    assert!(lab.vpc(id(&network, "VPC")).is_none());
}

#[test]
fn listener_forwards_to_a_target_group_of_instances() {
    let (mut lab, caller) = lab();
    let text = r#"
Parameters:
  Ami:
    Type: String
    Default: ami-0123456789abcdef0
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.1.0.0/16
  SubnetA:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: 10.1.1.0/24
      AvailabilityZone: !Select [0, !GetAZs ""]
  Web:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: !Ref Ami
      NetworkInterfaces:
        - DeviceIndex: "0"
          SubnetId: !Ref SubnetA
          PrivateIpAddress: 10.1.1.10
  Nlb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Name: web-nlb
      Type: network
      Scheme: internal
      Subnets: [!Ref SubnetA]
  Targets:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      Protocol: TCP
      Port: 8080
      VpcId: !Ref Vpc
      Targets:
        - Id: !Ref Web
  Listener:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref Nlb
      Protocol: TCP
      Port: 80
      DefaultActions:
        - Type: forward
          TargetGroupArn: !Ref Targets
Outputs:
  Dns:
    Value: !GetAtt Nlb.DNSName
  Ip:
    Value: !GetAtt Web.PrivateIp
  FullName:
    Value: !GetAtt Nlb.LoadBalancerFullName
  TargetLbs:
    Value: !Join [",", !GetAtt Targets.LoadBalancerArns]
"#;
    let stack = deploy(
        &mut lab,
        &caller,
        &Template::parse(text).unwrap(),
        &BTreeMap::new(),
        &context("web"),
        &DeployOptions::default(),
    )
    .unwrap();
    let nlb = lab.load_balancer(id(&stack, "Nlb")).unwrap();
    assert_eq!(nlb.name, "web-nlb");
    assert_eq!(stack.outputs["Dns"], nlb.dns_name);
    assert!(stack.outputs["FullName"].starts_with("net/web-nlb/"));
    assert_eq!(stack.outputs["Ip"], "10.1.1.10");
    let listener = lab.listener(id(&stack, "Listener")).unwrap();
    assert_eq!(listener.port, 80);
    assert_eq!(listener.target_group_arn.to_string(), id(&stack, "Targets"));
    let group = lab.target_group(id(&stack, "Targets")).unwrap();
    assert_eq!(group.port, 8080);
    assert_eq!(group.targets.len(), 1);
    // The attributes recorded at the end see the listener created after the group.
    assert_eq!(
        stack.resource("Targets").unwrap().attributes["LoadBalancerArns"][0],
        id(&stack, "Nlb")
    );

    let before_undeploy = lab.listeners().count();
    undeploy(&mut lab, &caller, &stack).unwrap();
    assert_eq!(lab.listeners().count(), before_undeploy - 1);
    assert!(lab.load_balancer(id(&stack, "Nlb")).is_none());
    assert!(lab.target_group(id(&stack, "Targets")).is_none());
    assert!(lab.vpc(id(&stack, "Vpc")).is_none());
}

#[test]
fn security_groups_with_inline_and_separate_rules() {
    let (mut lab, caller) = lab();
    let text = r#"
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.2.0.0/16
  App:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: app servers
      VpcId: !Ref Vpc
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 443
          ToPort: 443
          CidrIp: 10.2.0.0/16
          Description: https from the VPC
      SecurityGroupEgress:
        - IpProtocol: tcp
          FromPort: "5432"
          ToPort: "5432"
          CidrIp: 10.2.9.0/24
  Db:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupName: db
      GroupDescription: databases
      VpcId: !Ref Vpc
  DbFromApp:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: !GetAtt Db.GroupId
      IpProtocol: tcp
      FromPort: 5432
      ToPort: 5432
      SourceSecurityGroupId: !Ref App
Outputs:
  AppVpc:
    Value: !GetAtt App.VpcId
"#;
    let stack = deploy(
        &mut lab,
        &caller,
        &Template::parse(text).unwrap(),
        &BTreeMap::new(),
        &context("tier"),
        &DeployOptions::default(),
    )
    .unwrap();
    let app = lab.security_group(id(&stack, "App")).unwrap();
    assert!(
        app.group_name.starts_with("tier-App-"),
        "{}",
        app.group_name
    );
    assert_eq!(stack.outputs["AppVpc"], id(&stack, "Vpc"));
    let ingress: Vec<_> = app.ingress().collect();
    assert_eq!(ingress.len(), 1);
    assert_eq!(
        ingress[0].description.as_deref(),
        Some("https from the VPC")
    );
    // The template's egress rules replace the default allow-all rule.
    let egress: Vec<_> = app.egress().collect();
    assert_eq!(egress.len(), 1, "{egress:?}");
    assert_eq!(
        egress[0].peer,
        RulePeer::Cidr("10.2.9.0/24".parse().unwrap())
    );

    let db = lab.security_group(id(&stack, "Db")).unwrap();
    assert_eq!(db.group_name, "db");
    // A group without SecurityGroupEgress keeps AWS's default allow-all egress.
    assert_eq!(db.egress().count(), 1);
    let from_app: Vec<_> = db.ingress().collect();
    assert_eq!(from_app.len(), 1);
    assert_eq!(from_app[0].id.to_string(), id(&stack, "DbFromApp"));
    assert!(
        matches!(&from_app[0].peer, RulePeer::Group(g) if g.group_id.to_string() == id(&stack, "App"))
    );

    // The separate rule goes first, so App can be deleted though Db referred to it.
    undeploy(&mut lab, &caller, &stack).unwrap();
    assert!(lab.security_group(id(&stack, "App")).is_none());
    assert!(lab.security_group(id(&stack, "Db")).is_none());
}

#[test]
fn nat_gateway_stack_on_an_imported_vpc_without_its_conditional_alarms() {
    let (mut lab, caller) = lab();
    let vpc_stack = deploy(
        &mut lab,
        &caller,
        &template("05-widdix-vpc-2azs.yaml"),
        &BTreeMap::new(),
        &context("vpc"),
        &DeployOptions::default(),
    )
    .unwrap();
    // The alarms' condition is false without an alert stack, so nothing is unsupported.
    let nat_stack = deploy(
        &mut lab,
        &caller,
        &template("06-widdix-vpc-nat-gateway.yaml"),
        &params(&[("ParentVPCStack", "vpc"), ("SubnetZone", "B")]),
        &context("nat-b"),
        &DeployOptions {
            imports: vpc_stack.exports.clone(),
            skip_unsupported: false,
        },
    )
    .unwrap();
    assert_eq!(nat_stack.resources.len(), 3);
    let nat = lab.nat_gateway(id(&nat_stack, "NatGateway")).unwrap();
    assert_eq!(nat.subnet_id.to_string(), id(&vpc_stack, "SubnetBPublic"));
    match route_target(&lab, id(&vpc_stack, "RouteTableBPrivate"), "0.0.0.0/0") {
        Some(RouteTarget::NatGateway(n)) => assert_eq!(n, nat.id),
        other => panic!("{other:?}"),
    }
    // Zone A's private table has no default route.
    assert!(route_target(&lab, id(&vpc_stack, "RouteTablePrivate"), "0.0.0.0/0").is_none());

    undeploy(&mut lab, &caller, &nat_stack).unwrap();
    assert!(route_target(&lab, id(&vpc_stack, "RouteTableBPrivate"), "0.0.0.0/0").is_none());
    undeploy(&mut lab, &caller, &vpc_stack).unwrap();
    assert!(lab.vpc(id(&vpc_stack, "VPC")).is_none());
}

#[test]
fn an_elastic_ip_on_an_instance_is_its_public_address_until_undeployed() {
    let (mut lab, caller) = lab();
    let text = r#"
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.3.0.0/16
  Igw:
    Type: AWS::EC2::InternetGateway
  Attach:
    Type: AWS::EC2::VPCGatewayAttachment
    Properties:
      VpcId: !Ref Vpc
      InternetGatewayId: !Ref Igw
  Subnet:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: 10.3.0.0/24
  Host:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-0123456789abcdef0
      SubnetId: !Ref Subnet
  Ip:
    Type: AWS::EC2::EIP
    DependsOn: Attach
    Properties:
      InstanceId: !Ref Host
Outputs:
  Public:
    Value: !Ref Ip
"#;
    let stack = deploy(
        &mut lab,
        &caller,
        &Template::parse(text).unwrap(),
        &BTreeMap::new(),
        &context("eip"),
        &DeployOptions::default(),
    )
    .unwrap();
    let public = id(&stack, "Ip").to_string();
    assert_eq!(stack.outputs["Public"], public);
    let eni = lab.eni_by_public_ip(public.parse().unwrap()).unwrap();
    assert_eq!(
        lab.instance_of(eni).map(|i| i.id.to_string()).as_deref(),
        Some(id(&stack, "Host"))
    );
    let allocation = stack.resource("Ip").unwrap().resource_id.clone();
    assert!(allocation.starts_with("eipalloc-"));

    undeploy(&mut lab, &caller, &stack).unwrap();
    assert!(lab.address(&allocation).is_none());
    assert!(lab.vpc(id(&stack, "Vpc")).is_none());
}

const VPC_AND_SUBNET: &str = r#"
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.4.0.0/16
  Subnet:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: 10.4.0.0/24
"#;

#[test]
fn undeploy_counts_a_resource_deleted_behind_its_back_as_deleted() {
    let (mut lab, caller) = lab();
    let stack = deploy(
        &mut lab,
        &caller,
        &Template::parse(VPC_AND_SUBNET).unwrap(),
        &BTreeMap::new(),
        &context("gone"),
        &DeployOptions::default(),
    )
    .unwrap();
    lab.delete_subnet(&caller, id(&stack, "Subnet")).unwrap();
    let applied = undeploy(&mut lab, &caller, &stack).unwrap();
    assert_eq!(applied.len(), 1, "only DeleteVpc: {applied:?}");
    assert!(lab.vpc(id(&stack, "Vpc")).is_none());
}

#[test]
fn an_undeploy_that_fails_names_the_resource_and_changes_nothing() {
    let (mut lab, caller) = lab();
    let stack = deploy(
        &mut lab,
        &caller,
        &Template::parse(VPC_AND_SUBNET).unwrap(),
        &BTreeMap::new(),
        &context("busy"),
        &DeployOptions::default(),
    )
    .unwrap();
    // An instance launched outside the stack keeps its subnet in use.
    lab.apply(
        &caller,
        &vpclab_model::Operation::RunInstances(vpclab_model::RunInstances {
            image_id: "ami-0123456789abcdef0".into(),
            min_count: 1,
            max_count: 1,
            subnet_id: Some(id(&stack, "Subnet").to_string()),
            ..Default::default()
        }),
    )
    .unwrap();
    let before = snapshot(&lab);
    let err = undeploy(&mut lab, &caller, &stack).unwrap_err();
    match &err {
        CfnError::Resource {
            logical_id, code, ..
        } => {
            assert_eq!(logical_id, "Subnet");
            assert_eq!(code, "DependencyViolation");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(snapshot(&lab), before);
}
