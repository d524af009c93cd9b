//! Every real template in shared/cases/cfn (copied verbatim, with their licenses, into
//! tests/cases so that a clean clone tests them): it parses, its parameters resolve, its conditions
//! evaluate, `order` puts each resource after what it refers to, and every resource's
//! Properties and every output resolve against a fake of the deployed resources.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde_json::{Value, json};
use vpclab_cfn::{Conditions, Context, Evaluator, Parameters, Resolved, Template};

/// Each template with values for its parameters that have no default (and, for 02 and 15b,
/// the `AWS::SSM::Parameter::Value<…>` ones, since vpclab has no SSM to read them from).
const CASES: &[(&str, &[(&str, &str)])] = &[
    ("01-awscfn-vpc-managed-nat-private-subnet.yaml", &[]),
    (
        "02-awscfn-endpoints-no-igw-s3gw-cfn-interface.yaml",
        &[
            ("LinuxAMI", "ami-0123456789abcdef0"),
            ("EnvironmentName", "lab"),
        ],
    ),
    (
        "03-awscfn-sap-privatelink-endpoint-service.yaml",
        &[
            ("DomainName", "sap.example.com"),
            ("VpcId", "vpc-0123"),
            ("Subnets", "subnet-a,subnet-b"),
            ("SecurityGroups", "sg-1"),
            ("IP", "10.0.1.10"),
        ],
    ),
    (
        "04-quickstart-aws-vpc.template.yaml",
        &[("AvailabilityZones", "us-east-1a,us-east-1b")],
    ),
    ("05-widdix-vpc-2azs.yaml", &[]),
    (
        "06-widdix-vpc-nat-gateway.yaml",
        &[("ParentVPCStack", "vpc")],
    ),
    (
        "07-widdix-vpc-endpoint-s3.yaml",
        &[("ParentVPCStack", "vpc")],
    ),
    (
        "08-widdix-vpc-endpoint-interface.yaml",
        &[("ParentVPCStack", "vpc"), ("ServiceName", "ssm")],
    ),
    (
        "09-sdsra-ds-env-network.yaml",
        &[
            ("ProjectName", "ds"),
            (
                "PyPIMirrorEndpointServiceName",
                "com.amazonaws.vpce.us-east-1.vpce-svc-0abc",
            ),
        ],
    ),
    (
        "10-sdsra-ds-env-backing-store-bucketpolicy.yaml",
        &[("ProjectName", "ds")],
    ),
    (
        "11-smlops-env-s3-bucketpolicy.yaml",
        &[
            ("EnvName", "mlops"),
            ("DataBucketName", "data-bucket"),
            ("ModelBucketName", "model-bucket"),
            ("VPCEndpointS3Id", "vpce-0s3"),
            ("S3BucketKMSKeyId", "key-1"),
        ],
    ),
    (
        "12-smlops-env-vpc.yaml",
        &[
            ("AvailabilityZones", "us-east-1a,us-east-1b"),
            ("EnvName", "mlops"),
            ("DataBucketName", "data-bucket"),
            ("ModelBucketName", "model-bucket"),
        ],
    ),
    (
        "13-plgov-test-vpc-endpoint-service.yaml",
        &[
            ("AWSPrincipals", "arn:aws:iam::000000000001:root"),
            ("SubnetIDs", "subnet-a,subnet-b"),
        ],
    ),
    (
        "14-private-saas-privatelink-nlb-alb.yaml",
        &[
            ("VpcId", "vpc-0123"),
            ("SubnetIds", "subnet-a,subnet-b"),
            (
                "ApplicationLoadBalancerArn",
                "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/alb/1",
            ),
            ("HostedZoneId", "Z123"),
            ("DomainName", "saas.example.com"),
        ],
    ),
    (
        "15a-vpce-sharing-hub.yaml",
        &[
            ("pOrganizationId", "o-abc"),
            ("pMasterAccountId", "123456789012"),
        ],
    ),
    (
        "15b-vpce-sharing-spoke.yaml",
        &[
            ("pSsmImage", "ami-0123456789abcdef0"),
            ("pAWSApiResolverRuleId", "rslvr-rr-1"),
            ("pTgw", "tgw-1"),
        ],
    ),
];

fn context() -> Context {
    Context {
        region: "us-east-1".into(),
        account_id: "123456789012".into(),
        stack_name: "lab".into(),
        stack_id: "arn:aws:cloudformation:us-east-1:123456789012:stack/lab/51af3dc0-da77-11e4-872e-1234567db123".into(),
        availability_zones: vec!["us-east-1a".into(), "us-east-1b".into(), "us-east-1c".into()],
    }
}

/// Answers every reference: physical id "phys-<Id>", attribute "<Id>.<Attr>", import
/// "import-<Name>". What the fake cannot make up as a plain string it answers as AWS shapes
/// it: `Ipv6CidrBlocks` is a list of /56 blocks (05 carves it with Fn::Cidr), `DnsEntries`
/// a list of strings (09 selects from it), and `Ref` to the types whose physical id is an
/// ARN gives an ARN (03 splits its certificate's ARN at `/`). It records what was asked for.
#[derive(Default)]
struct Fake {
    arns: BTreeSet<String>,
    asked: RefCell<BTreeSet<String>>,
}

/// Resource types whose `Ref` is an ARN on AWS.
const REF_IS_ARN: &[&str] = &[
    "AWS::CertificateManager::Certificate",
    "AWS::SNS::Topic",
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::ElasticLoadBalancingV2::TargetGroup",
    "AWS::ElasticLoadBalancingV2::Listener",
    "AWS::IAM::ManagedPolicy",
];

impl Fake {
    fn new(template: &Template) -> Self {
        let arns = template
            .resources
            .iter()
            .filter(|(_, r)| REF_IS_ARN.contains(&r.resource_type.as_str()))
            .map(|(id, _)| id.clone())
            .collect();
        Fake {
            arns,
            asked: RefCell::default(),
        }
    }
}

impl Resolved for Fake {
    fn reference(&self, logical_id: &str) -> Option<String> {
        self.asked.borrow_mut().insert(logical_id.to_string());
        Some(if self.arns.contains(logical_id) {
            format!("arn:aws:fake:us-east-1:123456789012:resource/phys-{logical_id}")
        } else {
            format!("phys-{logical_id}")
        })
    }
    fn attribute(&self, logical_id: &str, attribute: &str) -> Option<Value> {
        self.asked.borrow_mut().insert(logical_id.to_string());
        Some(match attribute {
            "Ipv6CidrBlocks" => json!(["2600:1f18:1234:5600::/56"]),
            "DnsEntries" => json!([format!("Z1:{logical_id}.vpce.amazonaws.com")]),
            _ => Value::String(format!("{logical_id}.{attribute}")),
        })
    }
    fn import(&self, export_name: &str) -> Option<String> {
        Some(format!("import-{export_name}"))
    }
}

struct Loaded {
    template: Template,
    parameters: Parameters,
    conditions: Conditions,
    order: Vec<String>,
}

fn load(file: &str, given: &[(&str, &str)]) -> Loaded {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cases")
        .join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let template = Template::parse(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
    let given: BTreeMap<String, String> = given
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let parameters = template
        .parameters(&given)
        .unwrap_or_else(|e| panic!("{file}: {e}"));
    let conditions = template
        .conditions(&parameters, &context())
        .unwrap_or_else(|e| panic!("{file}: {e}"));
    let order = template
        .order(&conditions)
        .unwrap_or_else(|e| panic!("{file}: {e}"));
    Loaded {
        template,
        parameters,
        conditions,
        order,
    }
}

#[test]
fn every_case_parses_orders_and_resolves() {
    let context = context();
    for (file, given) in CASES {
        let l = load(file, given);
        assert!(!l.order.is_empty(), "{file}: no resources");
        let evaluator = Evaluator::new(&l.template, &l.parameters, &context, &l.conditions);
        let mut placed = BTreeSet::new();
        for id in &l.order {
            let fake = Fake::new(&l.template);
            evaluator
                .resolve_properties(id, &fake)
                .unwrap_or_else(|e| panic!("{file}: {e}"));
            // Whatever resolving asked for, and DependsOn, was created before.
            let needed = fake.asked.into_inner();
            for need in needed.iter().chain(&l.template.resources[id].depends_on) {
                assert!(placed.contains(need), "{file}: {id} comes before {need}");
            }
            placed.insert(id.clone());
        }
        // Every resource whose condition holds is in the order, once.
        let expected: BTreeSet<&String> = l
            .template
            .resources
            .iter()
            .filter(|(_, r)| {
                r.condition
                    .as_ref()
                    .is_none_or(|c| l.conditions.holds(c).unwrap())
            })
            .map(|(id, _)| id)
            .collect();
        assert_eq!(expected, l.order.iter().collect(), "{file}");
        assert_eq!(placed.len(), l.order.len(), "{file}: a resource twice");
        evaluator
            .resolve_outputs(&Fake::new(&l.template))
            .unwrap_or_else(|e| panic!("{file}: {e}"));
    }
}

fn resolved(l: &Loaded, id: &str) -> Value {
    Evaluator::new(&l.template, &l.parameters, &context(), &l.conditions)
        .resolve_properties(id, &Fake::new(&l.template))
        .unwrap()
}

#[test]
fn case_01_nat_gateways_use_their_eips_in_the_first_two_zones() {
    let l = load(CASES[0].0, CASES[0].1);
    let nat = resolved(&l, "NATGateway0");
    assert_eq!(nat["AllocationId"], json!("ElasticIP0.AllocationId"));
    assert_eq!(nat["SubnetId"], json!("phys-PublicSubnet0"));
    assert_eq!(
        resolved(&l, "PublicSubnet1")["AvailabilityZone"],
        json!("us-east-1b")
    );
    let vpc = l.order.iter().position(|r| r == "VPC").unwrap();
    let subnet = l.order.iter().position(|r| r == "PublicSubnet0").unwrap();
    assert!(vpc < subnet);
}

#[test]
fn case_04_s3_endpoint_drops_the_route_tables_of_absent_zones() {
    let l = load(CASES[3].0, CASES[3].1);
    // Two zones and no additional private subnets: the !If … AWS::NoValue elements vanish.
    assert_eq!(
        resolved(&l, "S3VPCEndpoint")["RouteTableIds"],
        json!([
            "phys-PrivateSubnet1ARouteTable",
            "phys-PrivateSubnet2ARouteTable"
        ])
    );
    assert!(!l.order.contains(&"PrivateSubnet3A".to_string()));
    // The unquoted `Version: 2012-10-17` stays a string.
    assert_eq!(
        resolved(&l, "S3VPCEndpoint")["PolicyDocument"]["Version"],
        json!("2012-10-17")
    );
}

#[test]
fn case_05_subnets_carve_the_vpcs_ipv6_block() {
    let l = load(CASES[4].0, CASES[4].1);
    let a = resolved(&l, "SubnetAPublic");
    assert_eq!(a["Ipv6CidrBlock"], json!("2600:1f18:1234:5600::/64"));
    assert_eq!(a["CidrBlock"], json!("10.0.0.0/20"));
    assert_eq!(a["AvailabilityZone"], json!("us-east-1a"));
    assert_eq!(
        resolved(&l, "SubnetAPrivate")["Ipv6CidrBlock"],
        json!("2600:1f18:1234:5601::/64")
    );
    assert_eq!(l.template.format_version.as_deref(), Some("2010-09-09"));
}

#[test]
fn case_07_route_tables_come_from_the_parent_stacks_exports() {
    let l = load(CASES[6].0, CASES[6].1);
    let endpoint = resolved(&l, "EndpointS3");
    assert_eq!(endpoint["ServiceName"], json!("com.amazonaws.us-east-1.s3"));
    assert_eq!(endpoint["VpcId"], json!("import-vpc-VPC"));
}

#[test]
fn case_13_unquoted_date_format_version_is_a_string() {
    let l = load(CASES[12].0, CASES[12].1);
    assert_eq!(l.template.format_version.as_deref(), Some("2010-09-09"));
}
