//! Interface endpoints to AWS services: a connection to the endpoint's network interface
//! passes the interface's security groups, then the endpoint hands it to the service with
//! `aws:SourceVpce`, also from a peered VPC (which a gateway endpoint cannot serve).

use vpclab_model::{IpPermission, SecurityGroupId, VpcEndpointId};
use vpclab_reach::{ComponentKind, Delivery, ServiceAccess};
use vpclab_testkit::*;

struct Net {
    w: World,
    app: vpclab_model::InstanceId,
    peer_app: vpclab_model::InstanceId,
    endpoint: VpcEndpointId,
    endpoint_sg: SecurityGroupId,
}

/// VPC A 10.0.0.0/16 with an S3 interface endpoint whose group admits HTTPS from A only;
/// VPC B 10.1.0.0/16 peered with A, routes both ways.
fn network() -> Net {
    let mut w = World::new(42);
    let a = w.vpc("10.0.0.0/16");
    let b = w.vpc("10.1.0.0/16");
    let sa = w.subnet(&a, "10.0.1.0/24");
    let sb = w.subnet(&b, "10.1.1.0/24");
    let rt_a = w.route_table(&a, &[&sa]);
    let rt_b = w.route_table(&b, &[&sb]);
    let pcx = w.peer(&a, &b);
    w.route(&rt_a, "10.1.0.0/16", To::Pcx(&pcx));
    w.route(&rt_b, "10.0.0.0/16", To::Pcx(&pcx));
    let endpoint_sg = w.sg(&a, "endpoint");
    w.allow_in(&endpoint_sg, IpPermission::tcp(443, 443, "10.0.0.0/16"));
    let c = w.caller.clone();
    let endpoint = w.interface_endpoint(&c, &a, S3_SERVICE, &[&sa], &[&endpoint_sg]);
    let app = w.instance(&sa, false, &[]);
    let peer_app = w.instance(&sb, false, &[]);
    Net {
        w,
        app,
        peer_app,
        endpoint,
        endpoint_sg,
    }
}

fn regional_name(n: &Net) -> String {
    let e = n.w.lab.vpc_endpoint(n.endpoint.as_str()).unwrap();
    let name = &e.dns_entries[0].dns_name;
    format!("bucket{}", name.trim_start_matches('*'))
}

#[test]
fn the_endpoint_name_reaches_s3_with_the_endpoint_in_the_context() {
    let n = network();
    let t = n.w.tcp(&n.app, regional_name(&n).as_str(), 443);
    match delivered(&t) {
        Delivery::AwsService {
            service,
            access:
                ServiceAccess::InterfaceEndpoint {
                    vpc_endpoint_id, ..
                },
            ..
        } => {
            assert_eq!(service, "s3");
            assert_eq!(vpc_endpoint_id, n.endpoint.as_str());
        }
        other => panic!("{other:?}"),
    }
    let c = t.context.as_ref().unwrap();
    assert_eq!(c.source_vpce.as_deref(), Some(n.endpoint.as_str()));
    assert_eq!(c.vpc_source_ip, Some(n.w.private_ip(&n.app)));
    assert!(c.source_ip.is_none());
    let kinds: Vec<_> = t.forward.iter().map(|h| h.component.kind).collect();
    let at = |k| kinds.iter().position(|x| *x == k).unwrap();
    assert!(at(ComponentKind::SecurityGroup) < at(ComponentKind::VpcEndpoint));
    assert!(at(ComponentKind::VpcEndpoint) < at(ComponentKind::AwsService));
}

#[test]
fn the_endpoint_groups_decide_and_a_peered_vpc_needs_their_admission() {
    let mut n = network();
    let name = regional_name(&n);
    // The group admits A's block only: B's instance is refused at the endpoint's group.
    let t = n.w.tcp(&n.peer_app, name.as_str(), 443);
    let r = refused(&t, "ENI_SG_RULES_MISMATCH");
    assert_eq!(r.component.id, n.endpoint_sg.as_str());
    // Another port is refused for A too.
    refused(&n.w.tcp(&n.app, name.as_str(), 80), "ENI_SG_RULES_MISMATCH");
    let sg = n.endpoint_sg.clone();
    n.w.allow_in(&sg, IpPermission::tcp(443, 443, "10.1.0.0/16"));
    let t = n.w.tcp(&n.peer_app, name.as_str(), 443);
    delivered(&t);
    let c = t.context.as_ref().unwrap();
    // Over the peering, the endpoint (and its VPC) still travel with the request.
    assert_eq!(c.source_vpce.as_deref(), Some(n.endpoint.as_str()));
    assert_eq!(c.vpc_source_ip, Some(n.w.private_ip(&n.peer_app)));
    assert!(
        t.forward
            .iter()
            .any(|h| h.component.kind == ComponentKind::VpcPeeringConnection)
    );
}

#[test]
fn interface_endpoints_carry_only_tcp() {
    let mut n = network();
    let sg = n.endpoint_sg.clone();
    n.w.allow_in(&sg, IpPermission::all("10.0.0.0/16"));
    let ip = n.w.endpoint_address(&n.endpoint);
    let t = vpclab_reach::trace(
        &n.w.lab,
        &vpclab_reach::Flow::udp(
            vpclab_reach::Source::Instance(n.app.clone()),
            ip.into(),
            443,
        ),
    );
    let r = refused(&t, "PROTOCOL_RESTRICTION");
    assert_eq!(r.component.id, n.endpoint.as_str());
}
