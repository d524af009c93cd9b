//! One test per AWS rule the engine applies; each builds the smallest network that
//! shows the rule and checks the verdict, the component and the code.

use std::net::IpAddr;

use vpclab_model::*;
use vpclab_reach::{
    ComponentKind, Delivery, Destination, Direction, Flow, Rule, ServiceAccess, Source, trace,
};
use vpclab_testkit::*;

/// Two subnets of 10.0.0.0/16 (10.0.1.0/24 public with an internet gateway route,
/// 10.0.2.0/24 private with only the local route).
struct Two {
    w: World,
    vpc: VpcId,
    public: SubnetId,
    private: SubnetId,
    igw: InternetGatewayId,
    public_rt: RouteTableId,
    private_rt: RouteTableId,
}

fn two() -> Two {
    let mut w = World::new(42);
    let vpc = w.vpc("10.0.0.0/16");
    let public = w.subnet(&vpc, "10.0.1.0/24");
    let private = w.subnet(&vpc, "10.0.2.0/24");
    let igw = w.igw(&vpc);
    let public_rt = w.route_table(&vpc, &[&public]);
    w.route(&public_rt, "0.0.0.0/0", To::Igw(&igw));
    let private_rt = w.route_table(&vpc, &[&private]);
    Two {
        w,
        vpc,
        public,
        private,
        igw,
        public_rt,
        private_rt,
    }
}

fn acl_association(lab: &Lab, subnet: &SubnetId) -> String {
    lab.network_acls()
        .flat_map(|a| a.associations.iter())
        .find(|a| &a.subnet_id == subnet)
        .unwrap()
        .id
        .to_string()
}

/// A custom ACL with `entries` for `subnet`.
fn custom_acl(
    w: &mut World,
    vpc: &VpcId,
    subnet: &SubnetId,
    entries: &[NetworkAclEntrySpec],
) -> NetworkAclId {
    let acl = w
        .lab
        .create_network_acl(&w.caller, vpc.as_str(), Tags::new())
        .unwrap();
    for e in entries {
        w.lab
            .create_network_acl_entry(&w.caller, acl.as_str(), e)
            .unwrap();
    }
    let assoc = acl_association(&w.lab, subnet);
    w.lab
        .replace_network_acl_association(&w.caller, &assoc, acl.as_str())
        .unwrap();
    acl
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

// ---- security groups ----

#[test]
fn a_group_without_egress_rules_is_sg_has_no_rules() {
    let mut t = two();
    let sg = t.w.sg(&t.vpc, "closed");
    let c = t.w.caller.clone();
    t.w.lab
        .revoke_security_group_rules(
            &c,
            sg.as_str(),
            true,
            &[IpPermission::all("0.0.0.0/0")],
            &[],
        )
        .unwrap();
    let a = t.w.instance(&t.private, false, &[&sg]);
    let b = t.w.instance(&t.private, false, &[]);
    let tr = t.w.tcp(&a, t.w.private_ip(&b), 22);
    let r = refused(&tr, "SG_HAS_NO_RULES");
    assert_eq!(r.component.id, sg.as_str());
}

#[test]
fn egress_must_match_protocol_and_port() {
    let mut t = two();
    let sg = t.w.sg(&t.vpc, "web-only");
    let c = t.w.caller.clone();
    t.w.lab
        .revoke_security_group_rules(
            &c,
            sg.as_str(),
            true,
            &[IpPermission::all("0.0.0.0/0")],
            &[],
        )
        .unwrap();
    t.w.lab
        .authorize_security_group_rules(
            &c,
            sg.as_str(),
            true,
            &[IpPermission::tcp(80, 80, "0.0.0.0/0")],
        )
        .unwrap();
    let a = t.w.instance(&t.public, true, &[&sg]);
    let tr = t.w.tcp(&a, "93.184.216.34", 443);
    let r = refused(&tr, "ENI_SG_RULES_MISMATCH");
    assert!(
        r.explanation.contains("outbound") && r.explanation.contains("443"),
        "{}",
        r.explanation
    );
    let public = t.w.public_ip(&a).unwrap();
    assert_eq!(
        delivered(&t.w.tcp(&a, "93.184.216.34", 80)),
        &Delivery::Internet {
            address: ip("93.184.216.34"),
            seen_source: public
        }
    );
}

#[test]
fn ingress_by_cidr_and_port() {
    let mut t = two();
    let sg = t.w.sg(&t.vpc, "ssh");
    t.w.allow_in(&sg, IpPermission::tcp(22, 22, "10.0.1.0/24"));
    let server = t.w.instance(&t.private, false, &[&sg]);
    let client = t.w.instance(&t.public, false, &[]);
    let to = t.w.private_ip(&server);
    match delivered(&t.w.tcp(&client, to, 22)) {
        Delivery::NetworkInterface { address, .. } => assert_eq!(*address, to),
        other => panic!("{other:?}"),
    }
    let tr = t.w.tcp(&client, to, 23);
    let r = refused(&tr, "ENI_SG_RULES_MISMATCH");
    assert_eq!(r.component.id, sg.as_str());
    assert!(r.explanation.contains("inbound"));
    // From outside 10.0.1.0/24 the rule does not apply.
    let other = t.w.instance(&t.private, false, &[]);
    refused(&t.w.tcp(&other, to, 22), "ENI_SG_RULES_MISMATCH");
}

#[test]
fn a_rule_referencing_a_group_admits_its_members_only() {
    let mut t = two();
    let app = t.w.sg(&t.vpc, "app");
    let db = t.w.sg(&t.vpc, "db");
    t.w.allow_in(
        &db,
        IpPermission {
            ip_protocol: "tcp".into(),
            from_port: Some(5432),
            to_port: Some(5432),
            user_id_group_pairs: vec![UserIdGroupPair {
                group_id: Some(app.to_string()),
                ..Default::default()
            }],
            ..Default::default()
        },
    );
    let database = t.w.instance(&t.private, false, &[&db]);
    let member = t.w.instance(&t.public, false, &[&app]);
    let stranger = t.w.instance(&t.public, false, &[]);
    let to = t.w.private_ip(&database);
    let tr = t.w.tcp(&member, to, 5432);
    delivered(&tr);
    let hop = tr
        .forward
        .iter()
        .find(|h| h.component.id == db.as_str())
        .unwrap();
    assert!(
        matches!(&hop.rule, Some(Rule::SecurityGroupRule { text, .. }) if text.contains(app.as_str()))
    );
    refused(&t.w.tcp(&stranger, to, 5432), "ENI_SG_RULES_MISMATCH");
}

#[test]
fn the_default_group_admits_its_own_members() {
    let mut t = two();
    let a = t.w.instance(&t.public, false, &[]);
    let b = t.w.instance(&t.private, false, &[]);
    delivered(&t.w.tcp(&a, t.w.private_ip(&b), 8080));
    // But not a member of another group.
    let sg = t.w.sg(&t.vpc, "other");
    let c = t.w.instance(&t.public, false, &[&sg]);
    refused(
        &t.w.tcp(&c, t.w.private_ip(&b), 8080),
        "ENI_SG_RULES_MISMATCH",
    );
}

#[test]
fn a_prefix_list_rule_admits_the_service_and_nothing_else() {
    let mut t = two();
    let sg = t.w.sg(&t.vpc, "s3-only");
    let c = t.w.caller.clone();
    t.w.lab
        .revoke_security_group_rules(
            &c,
            sg.as_str(),
            true,
            &[IpPermission::all("0.0.0.0/0")],
            &[],
        )
        .unwrap();
    let to_s3 = IpPermission {
        ip_protocol: "tcp".into(),
        from_port: Some(443),
        to_port: Some(443),
        prefix_list_ids: vec![("pl-63a5400a".into(), None)],
        ..Default::default()
    };
    t.w.lab
        .authorize_security_group_rules(&c, sg.as_str(), true, &[to_s3])
        .unwrap();
    t.w.s3_gateway_endpoint(&t.vpc, &[&t.private_rt]);
    let a = t.w.instance(&t.private, false, &[&sg]);
    delivered(&t.w.tcp(&a, "s3.us-east-1.amazonaws.com", 443));
    let b = t.w.instance(&t.private, false, &[]);
    refused(
        &t.w.tcp(&a, t.w.private_ip(&b), 443),
        "ENI_SG_RULES_MISMATCH",
    );
}

#[test]
fn security_groups_are_stateful_for_replies() {
    let mut t = two();
    let sg = t.w.sg(&t.vpc, "no-ingress");
    let a = t.w.instance(&t.public, true, &[&sg]);
    let tr = t.w.tcp(&a, "93.184.216.34", 443);
    delivered(&tr);
    let back = tr
        .reverse
        .iter()
        .find(|h| h.component.id == sg.as_str())
        .expect("the reply crosses the group");
    assert!(matches!(back.rule, Some(Rule::Stateful { .. })));
    assert_eq!(
        back.inbound.destination_port,
        vpclab_reach::DEFAULT_SOURCE_PORT
    );
}

// ---- network ACLs ----

#[test]
fn a_network_acl_deny_names_its_rule_number() {
    let mut t = two();
    let (vpc, private) = (t.vpc.clone(), t.private.clone());
    let acl = custom_acl(
        &mut t.w,
        &vpc,
        &private,
        &[
            NetworkAclEntrySpec::new(100, true, "deny", "tcp", "10.0.1.0/24", Some((22, 22))),
            NetworkAclEntrySpec::new(200, true, "allow", "-1", "0.0.0.0/0", None),
            NetworkAclEntrySpec::new(200, false, "allow", "-1", "0.0.0.0/0", None),
        ],
    );
    let a = t.w.instance(&t.private, false, &[]);
    let b = t.w.instance(&t.public, false, &[]);
    let tr = t.w.tcp(&a, t.w.private_ip(&b), 22);
    let r = refused(&tr, "SUBNET_ACL_RESTRICTION");
    assert_eq!(r.component.id, acl.as_str());
    assert_eq!(r.direction, Direction::Forward);
    assert!(matches!(
        r.rule,
        Some(Rule::NetworkAclEntry {
            rule_number: 100,
            egress: true,
            allow: false,
            ..
        })
    ));
    // Another port falls through to rule 200.
    delivered(&t.w.tcp(&a, t.w.private_ip(&b), 80));
}

#[test]
fn the_lowest_rule_number_decides() {
    let mut t = two();
    let (vpc, private) = (t.vpc.clone(), t.private.clone());
    custom_acl(
        &mut t.w,
        &vpc,
        &private,
        &[
            NetworkAclEntrySpec::new(50, true, "allow", "tcp", "10.0.1.0/24", Some((22, 22))),
            NetworkAclEntrySpec::new(100, true, "deny", "tcp", "10.0.1.0/24", Some((22, 22))),
            NetworkAclEntrySpec::new(200, false, "allow", "-1", "0.0.0.0/0", None),
        ],
    );
    let a = t.w.instance(&t.private, false, &[]);
    let b = t.w.instance(&t.public, false, &[]);
    delivered(&t.w.tcp(&a, t.w.private_ip(&b), 22));
}

#[test]
fn a_custom_acl_without_entries_denies_by_its_closing_rule() {
    let mut t = two();
    let (vpc, private) = (t.vpc.clone(), t.private.clone());
    custom_acl(&mut t.w, &vpc, &private, &[]);
    let a = t.w.instance(&t.private, false, &[]);
    let b = t.w.instance(&t.public, false, &[]);
    let tr = t.w.tcp(&a, t.w.private_ip(&b), 22);
    let r = refused(&tr, "SUBNET_ACL_RESTRICTION");
    assert!(matches!(
        r.rule,
        Some(Rule::NetworkAclEntry {
            rule_number: DEFAULT_RULE_V4,
            ..
        })
    ));
    assert!(r.explanation.contains("closing *"));
}

#[test]
fn acls_are_stateless_so_the_reply_needs_the_ephemeral_ports() {
    let mut t = two();
    let (vpc, private) = (t.vpc.clone(), t.private.clone());
    let s3 = "52.216.0.0/15";
    // Out to S3 on 443 is allowed, but inbound only admits 443 — not the reply's port.
    let acl = custom_acl(
        &mut t.w,
        &vpc,
        &private,
        &[
            NetworkAclEntrySpec::new(100, true, "allow", "tcp", s3, Some((443, 443))),
            NetworkAclEntrySpec::new(100, false, "allow", "tcp", s3, Some((443, 443))),
        ],
    );
    t.w.s3_gateway_endpoint(&t.vpc, &[&t.private_rt]);
    let a = t.w.instance(&t.private, false, &[]);
    let tr = t.w.tcp(&a, s3_ip(), 443);
    let r = refused(&tr, "SUBNET_ACL_RESTRICTION");
    assert_eq!(r.direction, Direction::Return);
    assert_eq!(r.component.id, acl.as_str());
    assert_eq!(r.header.destination_port, vpclab_reach::DEFAULT_SOURCE_PORT);
    assert!(r.explanation.contains("ephemeral"), "{}", r.explanation);
    // Admitting the ephemeral range fixes it.
    let c = t.w.caller.clone();
    t.w.lab
        .create_network_acl_entry(
            &c,
            acl.as_str(),
            &NetworkAclEntrySpec::new(110, false, "allow", "tcp", s3, Some((1024, 65535))),
        )
        .unwrap();
    delivered(&t.w.tcp(&a, s3_ip(), 443));
}

#[test]
fn traffic_inside_a_subnet_does_not_cross_its_acl() {
    let mut t = two();
    let (vpc, private) = (t.vpc.clone(), t.private.clone());
    custom_acl(&mut t.w, &vpc, &private, &[]);
    let a = t.w.instance(&t.private, false, &[]);
    let b = t.w.instance(&t.private, false, &[]);
    let tr = t.w.tcp(&a, t.w.private_ip(&b), 22);
    delivered(&tr);
    assert!(
        tr.hops()
            .all(|h| h.component.kind != ComponentKind::NetworkAcl)
    );
}

// ---- routes and gateways ----

#[test]
fn a_route_to_a_deleted_nat_gateway_is_a_blackhole() {
    let mut t = two();
    let (nat, _) = t.w.nat(&t.public);
    t.w.route(&t.private_rt, "0.0.0.0/0", To::Nat(&nat));
    let a = t.w.instance(&t.private, false, &[]);
    delivered(&t.w.tcp(&a, "93.184.216.34", 443));
    let c = t.w.caller.clone();
    t.w.lab.delete_nat_gateway(&c, nat.as_str()).unwrap();
    let tr = t.w.tcp(&a, "93.184.216.34", 443);
    let r = refused(&tr, "BAD_STATE_ROUTE");
    assert_eq!(r.component.id, t.private_rt.as_str());
    assert!(r.explanation.contains("deleted"), "{}", r.explanation);
}

#[test]
fn a_route_to_a_detached_internet_gateway_is_a_blackhole() {
    let mut t = two();
    let a = t.w.instance(&t.public, false, &[]);
    let c = t.w.caller.clone();
    t.w.lab
        .detach_internet_gateway(&c, t.igw.as_str(), t.vpc.as_str())
        .unwrap();
    let r = refused(&t.w.tcp(&a, "93.184.216.34", 443), "BAD_STATE_ROUTE").clone();
    assert!(r.explanation.contains("not attached"), "{}", r.explanation);
}

#[test]
fn a_route_to_a_stopped_instance_is_a_blackhole() {
    let mut t = two();
    let appliance = t.w.instance(&t.public, false, &[]);
    let eni = t.w.eni_of(&appliance).id.clone();
    t.w.route(&t.private_rt, "0.0.0.0/0", To::Eni(&eni));
    let c = t.w.caller.clone();
    t.w.lab
        .stop_instances(&c, &[appliance.to_string()])
        .unwrap();
    let a = t.w.instance(&t.private, false, &[]);
    let r = refused(&t.w.tcp(&a, "93.184.216.34", 443), "BAD_STATE_ROUTE").clone();
    assert!(r.explanation.contains("stopped"), "{}", r.explanation);
}

#[test]
fn the_internet_gateway_needs_a_public_address() {
    let t = {
        let mut t = two();
        let a = t.w.instance(&t.public, false, &[]);
        (t, a)
    };
    let (t, a) = t;
    let tr = t.w.tcp(&a, "93.184.216.34", 443);
    let r = refused(&tr, "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS");
    assert_eq!(r.component.id, t.igw.as_str());
}

#[test]
fn an_instance_with_a_public_address_reaches_the_internet_and_is_seen_by_it() {
    let mut t = two();
    let a = t.w.instance(&t.public, true, &[]);
    let public = t.w.public_ip(&a).unwrap();
    let tr = t.w.tcp(&a, "93.184.216.34", 443);
    assert_eq!(
        delivered(&tr),
        &Delivery::Internet {
            address: ip("93.184.216.34"),
            seen_source: public
        }
    );
    let igw = tr
        .forward
        .iter()
        .find(|h| h.component.kind == ComponentKind::InternetGateway)
        .unwrap();
    assert_eq!(
        (igw.inbound.source, igw.outbound.source),
        (t.w.private_ip(&a), public)
    );
}

#[test]
fn an_elastic_ip_replaces_the_public_address() {
    let mut t = two();
    let a = t.w.instance(&t.public, false, &[]);
    let c = t.w.caller.clone();
    let eip = t.w.lab.allocate_address(&c, Tags::new()).unwrap();
    t.w.lab
        .associate_address(
            &c,
            &AssociateAddress {
                allocation_id: eip.to_string(),
                instance_id: Some(a.to_string()),
                ..Default::default()
            },
        )
        .unwrap();
    let public = IpAddr::V4(t.w.lab.address(eip.as_str()).unwrap().public_ip);
    assert!(
        matches!(delivered(&t.w.tcp(&a, "93.184.216.34", 443)), Delivery::Internet { seen_source, .. } if *seen_source == public)
    );
}

#[test]
fn the_internet_gateway_refuses_private_destinations() {
    let mut t = two();
    t.w.route(
        &t.public_rt.clone(),
        "192.168.0.0/16",
        To::Igw(&t.igw.clone()),
    );
    let a = t.w.instance(&t.public, true, &[]);
    refused(
        &t.w.tcp(&a, "192.168.1.1", 443),
        "IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS",
    );
}

#[test]
fn a_private_nat_gateway_cannot_reach_the_internet() {
    let mut t = two();
    let c = t.w.caller.clone();
    let nat =
        t.w.lab
            .create_nat_gateway(
                &c,
                CreateNatGateway {
                    subnet_id: t.public.to_string(),
                    connectivity_type: Some("private".into()),
                    ..Default::default()
                },
            )
            .unwrap();
    t.w.route(&t.private_rt.clone(), "0.0.0.0/0", To::Nat(&nat));
    let a = t.w.instance(&t.private, false, &[]);
    refused(
        &t.w.tcp(&a, "93.184.216.34", 443),
        "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS",
    );
}

#[test]
fn an_address_no_interface_holds_has_no_destination() {
    let mut t = two();
    let a = t.w.instance(&t.private, false, &[]);
    let r = refused(&t.w.tcp(&a, "10.0.9.9", 22), "NO_POSSIBLE_DESTINATION").clone();
    assert_eq!(r.component.id, t.vpc.as_str());
}

#[test]
fn gateway_endpoints_carry_only_tcp_and_icmp_echo() {
    let mut t = two();
    t.w.s3_gateway_endpoint(&t.vpc.clone(), &[&t.private_rt.clone()]);
    let a = t.w.instance(&t.private, false, &[]);
    let udp = trace(
        &t.w.lab,
        &Flow::udp(
            Source::Instance(a.clone()),
            Destination::Address(s3_ip()),
            443,
        ),
    );
    refused(&udp, "VPCE_GATEWAY_PROTOCOL_RESTRICTION");
    let ping = trace(
        &t.w.lab,
        &Flow::ping(Source::Instance(a.clone()), Destination::Address(s3_ip())),
    );
    delivered(&ping);
}

#[test]
fn a_gateway_endpoint_serves_only_its_own_region() {
    let mut t = two();
    t.w.s3_gateway_endpoint(&t.vpc.clone(), &[&t.private_rt.clone()]);
    let a = t.w.instance(&t.private, false, &[]);
    delivered(&t.w.tcp(&a, "s3.us-east-1.amazonaws.com", 443));
    refused(
        &t.w.tcp(&a, "s3.us-west-2.amazonaws.com", 443),
        "NO_ROUTE_TO_DESTINATION",
    );
}

#[test]
fn an_appliance_forwards_only_with_source_dest_check_off() {
    let mut t = two();
    let (nat, eip) = t.w.nat(&t.public);
    // The appliance lives in its own subnet, which routes to the NAT gateway.
    let (vpc, c) = (t.vpc.clone(), t.w.caller.clone());
    let inspect = t.w.subnet(&vpc, "10.0.3.0/24");
    let inspect_rt = t.w.route_table(&vpc, &[&inspect]);
    t.w.route(&inspect_rt, "0.0.0.0/0", To::Nat(&nat));
    let appliance = t.w.instance(&inspect, false, &[]);
    let eni = t.w.eni_of(&appliance).id.clone();
    t.w.route(&t.private_rt.clone(), "0.0.0.0/0", To::Eni(&eni));
    // Both sit in the default group, which admits its members: the appliance's group
    // admits what it forwards.
    let a = t.w.instance(&t.private, false, &[]);
    let tr = t.w.tcp(&a, "93.184.216.34", 443);
    let r = refused(&tr, "ENI_SOURCE_DEST_CHECK_RESTRICTION");
    assert_eq!(r.component.id, eni.as_str());
    t.w.lab
        .modify_network_interface_attribute(
            &c,
            eni.as_str(),
            NetworkInterfaceAttribute::SourceDestCheck(false),
        )
        .unwrap();
    let tr = t.w.tcp(&a, "93.184.216.34", 443);
    assert!(
        matches!(delivered(&tr), Delivery::Internet { seen_source, .. } if *seen_source == eip),
        "{tr}"
    );
    assert!(tr.forward.iter().any(|h| h.component.id == eni.as_str()));
}

// ---- from the internet ----

#[test]
fn the_internet_reaches_a_public_instance_through_its_gateway() {
    let mut t = two();
    let sg = t.w.sg(&t.vpc.clone(), "web");
    t.w.allow_in(&sg, IpPermission::tcp(80, 80, "0.0.0.0/0"));
    let web = t.w.instance(&t.public, true, &[&sg]);
    let public = t.w.public_ip(&web).unwrap();
    let tr = t.w.inbound_from_internet("198.51.100.7", public, 80);
    delivered(&tr);
    let igw = tr
        .forward
        .iter()
        .find(|h| h.component.kind == ComponentKind::InternetGateway)
        .unwrap();
    assert_eq!(
        (igw.inbound.destination, igw.outbound.destination),
        (public, t.w.private_ip(&web))
    );
    refused(
        &t.w.inbound_from_internet("198.51.100.7", public, 22),
        "ENI_SG_RULES_MISMATCH",
    );
}

#[test]
fn the_reply_must_leave_by_the_gateway_it_came_in_by() {
    let mut t = two();
    let (nat, _) = t.w.nat(&t.public);
    t.w.route(&t.private_rt.clone(), "0.0.0.0/0", To::Nat(&nat));
    let sg = t.w.sg(&t.vpc.clone(), "web");
    t.w.allow_in(&sg, IpPermission::tcp(80, 80, "0.0.0.0/0"));
    // A public address on an instance in the private subnet, whose replies go to the NAT.
    let web = t.w.instance(&t.private, true, &[&sg]);
    let public = t.w.public_ip(&web).unwrap();
    let tr = t.w.inbound_from_internet("198.51.100.7", public, 80);
    let r = refused(&tr, "NO_ROUTE_TO_DESTINATION");
    assert_eq!(r.direction, Direction::Return);
    assert_eq!(r.component.id, t.private_rt.as_str());
    assert!(r.explanation.contains(nat.as_str()), "{}", r.explanation);
}

#[test]
fn the_internet_gateway_refuses_private_sources_and_nat_addresses() {
    let mut t = two();
    let web = t.w.instance(&t.public, true, &[]);
    let public = t.w.public_ip(&web).unwrap();
    refused(
        &t.w.inbound_from_internet("10.9.9.9", public, 80),
        "IGW_SOURCE_ADDRESS_NOT_IN_RFC1918_INGRESS",
    );
    let (_, eip) = t.w.nat(&t.public);
    refused(
        &t.w.inbound_from_internet("198.51.100.7", eip, 80),
        "NO_POSSIBLE_DESTINATION",
    );
    refused(
        &t.w.inbound_from_internet("198.51.100.7", ip("54.160.200.200"), 80),
        "NO_POSSIBLE_DESTINATION",
    );
}

// ---- peering ----

struct Peered {
    w: World,
    a: InstanceId,
    b: InstanceId,
    pcx: VpcPeeringConnectionId,
    rt_a: RouteTableId,
    rt_b: RouteTableId,
}

fn peered(accept: bool, other_account: bool) -> Peered {
    let mut w = World::new(42);
    let owner_b = if other_account {
        w.other.clone()
    } else {
        w.caller.clone()
    };
    let vpc_a = w.vpc("10.0.0.0/16");
    let vpc_b = w.vpc_as(&owner_b, "10.1.0.0/16", None);
    let sa = w.subnet(&vpc_a, "10.0.1.0/24");
    let sb = w.subnet_as(&owner_b, &vpc_b, "10.1.1.0/24", None, None);
    let rt_a = w.route_table(&vpc_a, &[&sa]);
    let rt_b = w.route_table_as(&owner_b, &vpc_b, &[&sb]);
    let c = w.caller.clone();
    let pcx = w
        .lab
        .create_vpc_peering_connection(
            &c,
            vpc_a.as_str(),
            vpc_b.as_str(),
            Some(owner_b.account.as_str()),
            None,
            Tags::new(),
        )
        .unwrap();
    if accept {
        w.lab
            .accept_vpc_peering_connection(&owner_b, pcx.as_str())
            .unwrap();
    }
    w.route(&rt_a, "10.1.0.0/16", To::Pcx(&pcx));
    w.route_as(&owner_b, &rt_b, "10.0.0.0/16", To::Pcx(&pcx));
    // B admits SSH from A's block.
    let sg = w.sg_admitting(&owner_b, &vpc_b, "ssh", 22, "10.0.0.0/16");
    let a = w.instance(&sa, false, &[]);
    let b = w.instance_as(&owner_b, &sb, false, &[&sg], None);
    Peered {
        w,
        a,
        b,
        pcx,
        rt_a,
        rt_b,
    }
}

#[test]
fn an_active_peering_carries_traffic_both_ways_across_accounts() {
    let p = peered(true, true);
    let tr = p.w.tcp(&p.a, p.w.private_ip(&p.b), 22);
    delivered(&tr);
    assert!(tr.forward.iter().any(|h| h.component.id == p.pcx.as_str()));
    assert!(tr.reverse.iter().any(|h| matches!(&h.rule, Some(Rule::Route { route_table_id, .. }) if route_table_id == p.rt_b.as_str())));
}

#[test]
fn a_pending_peering_is_a_blackhole() {
    let p = peered(false, false);
    let r = refused(&p.w.tcp(&p.a, p.w.private_ip(&p.b), 22), "BAD_STATE_ROUTE").clone();
    assert_eq!(r.component.id, p.rt_a.as_str());
    assert!(
        r.explanation.contains("pending-acceptance"),
        "{}",
        r.explanation
    );
}

#[test]
fn the_peer_needs_a_route_back() {
    let mut p = peered(true, false);
    let c = p.w.caller.clone();
    p.w.lab
        .delete_route(&c, p.rt_b.as_str(), &RouteSpec::to("10.0.0.0/16"))
        .unwrap();
    let tr = p.w.tcp(&p.a, p.w.private_ip(&p.b), 22);
    let r = refused(&tr, "NO_ROUTE_TO_DESTINATION");
    assert_eq!(r.direction, Direction::Return);
    assert_eq!(r.component.id, p.rt_b.as_str());
}

#[test]
fn a_peer_group_can_be_referenced_across_an_active_peering() {
    let mut p = peered(true, false);
    let b_eni = p.w.eni_of(&p.b).clone();
    let a_group = p.w.eni_of(&p.a).groups[0].clone();
    let c = p.w.caller.clone();
    let sg =
        p.w.lab
            .create_security_group(
                &c,
                Some(b_eni.vpc_id.as_str()),
                "from-peer-group",
                "x",
                Tags::new(),
            )
            .unwrap();
    let by_group = IpPermission {
        ip_protocol: "tcp".into(),
        from_port: Some(3306),
        to_port: Some(3306),
        user_id_group_pairs: vec![UserIdGroupPair {
            group_id: Some(a_group.to_string()),
            ..Default::default()
        }],
        ..Default::default()
    };
    p.w.lab
        .authorize_security_group_rules(&c, sg.as_str(), false, &[by_group])
        .unwrap();
    p.w.lab
        .modify_network_interface_attribute(
            &c,
            b_eni.id.as_str(),
            NetworkInterfaceAttribute::Groups(vec![sg.to_string()]),
        )
        .unwrap();
    delivered(&p.w.tcp(&p.a, p.w.private_ip(&p.b), 3306));
}

// ---- instances and names ----

#[test]
fn stopped_instances_neither_send_nor_receive() {
    let mut t = two();
    let a = t.w.instance(&t.public, false, &[]);
    let b = t.w.instance(&t.private, false, &[]);
    let c = t.w.caller.clone();
    t.w.lab.stop_instances(&c, &[b.to_string()]).unwrap();
    let r = refused(&t.w.tcp(&a, t.w.private_ip(&b), 22), "BAD_STATE").clone();
    assert_eq!(r.component.id, b.as_str());
    let r = refused(&t.w.tcp(&b, t.w.private_ip(&a), 22), "BAD_STATE").clone();
    assert_eq!(r.component.id, b.as_str());
}

#[test]
fn names_resolve_as_the_vpc_resolves_them() {
    let mut t = two();
    let a = t.w.instance(&t.public, false, &[]);
    let b = t.w.instance(&t.private, false, &[]);
    let name = Lab::private_dns_name(
        Region::default_region(),
        match t.w.private_ip(&b) {
            IpAddr::V4(v4) => v4,
            IpAddr::V6(_) => unreachable!(),
        },
    );
    // DNS host names are off in a new VPC.
    refused(&t.w.tcp(&a, name.as_str(), 22), "UNKNOWN_DESTINATION");
    let c = t.w.caller.clone();
    t.w.lab
        .modify_vpc_attribute(&c, t.vpc.as_str(), VpcAttribute::EnableDnsHostnames(true))
        .unwrap();
    let tr = t.w.tcp(&a, name.as_str(), 22);
    delivered(&tr);
    assert_eq!(tr.resolved, Some(t.w.private_ip(&b)));
    // With DNS support off, not even AWS's names resolve.
    t.w.lab
        .modify_vpc_attribute(&c, t.vpc.as_str(), VpcAttribute::EnableDnsHostnames(false))
        .unwrap();
    t.w.lab
        .modify_vpc_attribute(&c, t.vpc.as_str(), VpcAttribute::EnableDnsSupport(false))
        .unwrap();
    refused(
        &t.w.tcp(&a, "s3.us-east-1.amazonaws.com", 443),
        "UNKNOWN_DESTINATION",
    );
}

#[test]
fn ipv6_leaves_through_an_egress_only_gateway_but_nothing_comes_in() {
    let mut w = World::new(42);
    let c = w.caller.clone();
    let vpc = w
        .lab
        .create_vpc(
            &c,
            CreateVpc {
                cidr_block: "10.0.0.0/16".into(),
                amazon_provided_ipv6_cidr_block: true,
                ..Default::default()
            },
        )
        .unwrap();
    let block = w
        .lab
        .vpc(vpc.as_str())
        .unwrap()
        .ipv6_cidr_block_associations[0]
        .cidr;
    let sub64 = block.subnets(64).unwrap().next().unwrap();
    let subnet = w
        .lab
        .create_subnet(
            &c,
            CreateSubnet {
                vpc_id: vpc.to_string(),
                cidr_block: "10.0.1.0/24".into(),
                ipv6_cidr_block: Some(sub64.to_string()),
                ..Default::default()
            },
        )
        .unwrap();
    w.lab
        .modify_subnet_attribute(
            &c,
            subnet.as_str(),
            SubnetAttribute::AssignIpv6AddressOnCreation(true),
        )
        .unwrap();
    let eigw = w
        .lab
        .create_egress_only_internet_gateway(&c, vpc.as_str(), Tags::new())
        .unwrap();
    let rt = w.route_table(&vpc, &[&subnet]);
    w.route(&rt, "::/0", To::Eigw(&eigw));
    let sg = w.sg(&vpc, "open");
    w.allow_in(&sg, IpPermission::all("::/0"));
    let a = w.instance(&subnet, false, &[&sg]);
    let v6 = IpAddr::V6(w.eni_of(&a).ipv6_addresses[0]);
    let tr = w.tcp(&a, "2001:db8::1", 443);
    assert_eq!(
        delivered(&tr),
        &Delivery::Internet {
            address: ip("2001:db8::1"),
            seen_source: v6
        }
    );
    refused(
        &w.inbound_from_internet("2001:db8::1", v6, 443),
        "NO_POSSIBLE_DESTINATION",
    );
    // IPv4 to the internet has no route at all.
    refused(&w.tcp(&a, "93.184.216.34", 443), "NO_ROUTE_TO_DESTINATION");
}

#[test]
fn through_a_nat_the_service_sees_the_elastic_ip() {
    let mut t = two();
    let (nat, eip) = t.w.nat(&t.public);
    t.w.route(&t.private_rt.clone(), "0.0.0.0/0", To::Nat(&nat));
    let a = t.w.instance(&t.private, false, &[]);
    let tr = t.w.tcp(&a, "sts.us-east-1.amazonaws.com", 443);
    assert!(
        matches!(delivered(&tr), Delivery::AwsService { service, access: ServiceAccess::PublicAddress(ip), .. } if service == "sts" && *ip == eip)
    );
}
