//! The seed's story, built through the model's public operations: a private instance and
//! S3, with no route, with a gateway endpoint, and with a NAT gateway instead; which
//! route wins when they overlap; and why the endpoint is useless from a peered VPC.

use vpclab_reach::{ComponentKind, Delivery, ServiceAccess};
use vpclab_testkit::*;

struct Net {
    w: World,
    vpc: vpclab_model::VpcId,
    public: vpclab_model::SubnetId,
    private_rt: vpclab_model::RouteTableId,
    app: vpclab_model::InstanceId,
}

/// VPC 10.0.0.0/16: a public subnet routing 0.0.0.0/0 to an internet gateway, and a
/// private subnet whose route table has only the local route, with an instance in it.
fn network() -> Net {
    let mut w = World::new(42);
    let vpc = w.vpc("10.0.0.0/16");
    let public = w.subnet(&vpc, "10.0.1.0/24");
    let private = w.subnet(&vpc, "10.0.2.0/24");
    let igw = w.igw(&vpc);
    let public_rt = w.route_table(&vpc, &[&public]);
    w.route(&public_rt, "0.0.0.0/0", To::Igw(&igw));
    let private_rt = w.route_table(&vpc, &[&private]);
    let app = w.instance(&private, false, &[]);
    Net {
        w,
        vpc,
        public,
        private_rt,
        app,
    }
}

#[test]
fn a_private_instance_cannot_reach_s3_without_a_route() {
    let n = network();
    let t = n.w.tcp(&n.app, "s3.us-east-1.amazonaws.com", 443);
    let r = refused(&t, "NO_ROUTE_TO_DESTINATION");
    assert_eq!(r.component.kind, ComponentKind::RouteTable);
    assert_eq!(
        r.component.id,
        n.private_rt.to_string(),
        "the explanation names the private route table"
    );
    assert!(r.explanation.contains(n.private_rt.as_str()));
    assert!(t.context.is_none());
}

#[test]
fn a_gateway_endpoint_on_its_route_table_lets_it_reach_s3_with_source_vpce() {
    let mut n = network();
    let vpce = n.w.s3_gateway_endpoint(&n.vpc, &[&n.private_rt]);
    let t = n.w.tcp(&n.app, "s3.us-east-1.amazonaws.com", 443);
    match delivered(&t) {
        Delivery::AwsService {
            service,
            region,
            access:
                ServiceAccess::GatewayEndpoint {
                    vpc_endpoint_id, ..
                },
        } => {
            assert_eq!(service, "s3");
            assert_eq!(region.name(), "us-east-1");
            assert_eq!(vpc_endpoint_id, vpce.as_str());
        }
        other => panic!("expected S3 through the endpoint, got {other:?}"),
    }
    let ctx = t
        .context
        .as_ref()
        .expect("a request to S3 carries a context");
    assert_eq!(ctx.source_vpce.as_deref(), Some(vpce.as_str()));
    assert_eq!(ctx.source_vpc.as_deref(), Some(n.vpc.as_str()));
    assert_eq!(ctx.vpc_source_ip, Some(n.w.private_ip(&n.app)));
    assert_eq!(ctx.source_ip, None, "no aws:SourceIp through an endpoint");
    assert!(
        t.forward
            .iter()
            .any(|h| h.component.kind == ComponentKind::VpcEndpoint
                && h.component.id == vpce.as_str())
    );
    // The reply comes back through the endpoint.
    assert!(t.reverse.iter().any(|h| h.component.id == vpce.as_str()));
}

#[test]
fn the_nat_alternative_reaches_s3_from_the_nat_elastic_ip_without_vpc_keys() {
    let mut n = network();
    let (nat, eip) = n.w.nat(&n.public);
    n.w.route(&n.private_rt, "0.0.0.0/0", To::Nat(&nat));
    let t = n.w.tcp(&n.app, "s3.us-east-1.amazonaws.com", 443);
    match delivered(&t) {
        Delivery::AwsService {
            access: ServiceAccess::PublicAddress(ip),
            ..
        } => assert_eq!(*ip, eip),
        other => panic!("expected S3 over the internet, got {other:?}"),
    }
    let ctx = t.context.as_ref().unwrap();
    assert_eq!(ctx.source_ip, Some(eip));
    assert_eq!(
        (
            ctx.source_vpce.as_ref(),
            ctx.source_vpc.as_ref(),
            ctx.vpc_source_ip
        ),
        (None, None, None)
    );
    // The translations are visible: private → NAT's private address → the Elastic IP.
    let nat_hop = t
        .forward
        .iter()
        .find(|h| h.component.kind == ComponentKind::NatGateway)
        .unwrap();
    assert_eq!(nat_hop.inbound.source, n.w.private_ip(&n.app));
    let nat_private = std::net::IpAddr::V4(n.w.lab.nat_gateway(nat.as_str()).unwrap().private_ip);
    assert_eq!(nat_hop.outbound.source, nat_private);
    let igw_hop = t
        .forward
        .iter()
        .find(|h| h.component.kind == ComponentKind::InternetGateway)
        .unwrap();
    assert_eq!(
        (igw_hop.inbound.source, igw_hop.outbound.source),
        (nat_private, eip)
    );
    // And back the other way.
    let back = t
        .reverse
        .iter()
        .find(|h| h.component.kind == ComponentKind::NatGateway)
        .unwrap();
    assert_eq!(
        (back.inbound.destination, back.outbound.destination),
        (nat_private, n.w.private_ip(&n.app))
    );
}

#[test]
fn a_more_specific_static_route_beats_the_prefix_list_route() {
    let mut n = network();
    let (nat, eip) = n.w.nat(&n.public);
    n.w.s3_gateway_endpoint(&n.vpc, &[&n.private_rt]);
    // 52.216.0.0/16 is more specific than the list's 52.216.0.0/15.
    n.w.route(&n.private_rt, "52.216.0.0/16", To::Nat(&nat));
    let t = n.w.tcp(&n.app, s3_ip(), 443);
    assert!(
        matches!(delivered(&t), Delivery::AwsService { access: ServiceAccess::PublicAddress(ip), .. } if *ip == eip)
    );
    // Outside the /16 but inside the list: the endpoint still wins.
    let t = n.w.tcp(&n.app, "52.217.0.10", 443);
    assert!(matches!(
        delivered(&t),
        Delivery::AwsService {
            access: ServiceAccess::GatewayEndpoint { .. },
            ..
        }
    ));
}

#[test]
fn a_static_route_to_the_same_cidr_beats_the_prefix_list_route() {
    let mut n = network();
    let (nat, eip) = n.w.nat(&n.public);
    n.w.s3_gateway_endpoint(&n.vpc, &[&n.private_rt]);
    n.w.route(&n.private_rt, "52.216.0.0/15", To::Nat(&nat));
    let t = n.w.tcp(&n.app, s3_ip(), 443);
    assert!(
        matches!(delivered(&t), Delivery::AwsService { access: ServiceAccess::PublicAddress(ip), .. } if *ip == eip),
        "{t}"
    );
}

#[test]
fn a_more_specific_static_route_to_an_internet_gateway_wins_for_a_public_instance() {
    let mut n = network();
    let public_rt =
        n.w.lab
            .route_table_for_subnet(n.w.lab.subnet(n.public.as_str()).unwrap())
            .unwrap()
            .id
            .clone();
    let vpce = n.w.s3_gateway_endpoint(&n.vpc, &[&public_rt]);
    let web = n.w.instance(&n.public, true, &[]);
    let public_ip = n.w.public_ip(&web).unwrap();
    // With only 0.0.0.0/0 → igw, the endpoint's /15 wins.
    let t = n.w.tcp(&web, s3_ip(), 443);
    assert!(
        matches!(delivered(&t), Delivery::AwsService { access: ServiceAccess::GatewayEndpoint { vpc_endpoint_id, .. }, .. } if vpc_endpoint_id == vpce.as_str())
    );
    // A /24 to the internet gateway is more specific.
    let igw = n.w.lab.internet_gateway_of(&n.vpc).unwrap().id.clone();
    n.w.route(&public_rt, "52.216.8.0/24", To::Igw(&igw));
    let t = n.w.tcp(&web, s3_ip(), 443);
    assert!(
        matches!(delivered(&t), Delivery::AwsService { access: ServiceAccess::PublicAddress(ip), .. } if *ip == public_ip)
    );
    assert_eq!(t.context.as_ref().unwrap().source_ip, Some(public_ip));
}

#[test]
fn the_gateway_endpoint_is_useless_from_a_peered_vpc() {
    let mut n = network();
    n.w.s3_gateway_endpoint(&n.vpc, &[&n.private_rt]);
    let other = n.w.vpc("10.1.0.0/16");
    let other_subnet = n.w.subnet(&other, "10.1.1.0/24");
    let other_rt = n.w.route_table(&other, &[&other_subnet]);
    let pcx = n.w.peer(&other, &n.vpc);
    // Send S3's prefix list across the peering, hoping to use the peer's endpoint.
    n.w.route(&other_rt, "pl-63a5400a", To::Pcx(&pcx));
    let client = n.w.instance(&other_subnet, false, &[]);
    let t = n.w.tcp(&client, "s3.us-east-1.amazonaws.com", 443);
    let r = refused(&t, "PCX_REQUIRES_ADDRESS_IN_VPC_CIDR");
    assert_eq!(r.component.id, pcx.as_str());
    assert!(
        r.explanation
            .contains("never on to the peer's gateways or endpoints"),
        "{}",
        r.explanation
    );
    // The same peering does carry traffic between the two VPCs' own addresses.
    n.w.route(&other_rt, "10.0.0.0/16", To::Pcx(&pcx));
    n.w.route(&n.private_rt, "10.1.0.0/16", To::Pcx(&pcx));
    let t = n.w.tcp(&client, n.w.private_ip(&n.app), 22);
    // The app's default security group admits only its own members, and the client is
    // in another VPC's default group.
    refused(&t, "ENI_SG_RULES_MISMATCH");
}
