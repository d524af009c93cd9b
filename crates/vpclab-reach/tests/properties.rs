//! Properties: route lookup agrees with a naive scan, and every refused trace names a
//! component, a code and an explanation.

use std::net::{IpAddr, Ipv4Addr};

use ipnet::{IpNet, Ipv4Net};
use proptest::prelude::*;
use vpclab_model::*;
use vpclab_reach::{Destination, Flow, Source, route, trace};
use vpclab_testkit::*;

/// Naive containment by masks, independent of `ipnet`.
fn naive_contains(net: Ipv4Net, ip: Ipv4Addr) -> bool {
    let len = u32::from(net.prefix_len());
    let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
    (u32::from(ip) & mask) == (u32::from(net.network()) & mask)
}

fn arb_net() -> impl Strategy<Value = Ipv4Net> {
    // Addresses from a small space so that blocks overlap often.
    (0u32..64, 0u8..=32).prop_map(|(hi, len)| {
        let addr = Ipv4Addr::from((hi << 26) | (hi.wrapping_mul(2_654_435_761) >> 6));
        Ipv4Net::new(addr, len).unwrap().trunc()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn longest_prefix_match_agrees_with_a_naive_scan(
        cidrs in prop::collection::btree_set(arb_net(), 0..24),
        lists in prop::collection::vec(prop::collection::btree_set(arb_net(), 1..6), 0..4),
        probes in prop::collection::vec(any::<u32>(), 1..32),
    ) {
        let mut w = World::new(42);
        let c = w.caller.clone();
        let mut routes: Vec<Route> = cidrs
            .iter()
            .map(|n| Route { destination: RouteDestination::Cidr(IpNet::V4(*n)), target: RouteTarget::Local, origin: RouteOrigin::CreateRoute })
            .collect();
        let mut list_blocks = Vec::new();
        for (i, blocks) in lists.iter().enumerate() {
            let id = w.lab.create_managed_prefix_list(&c, CreateManagedPrefixList {
                name: format!("list-{i}"),
                address_family: "IPv4".into(),
                max_entries: 10,
                entries: blocks.iter().map(|b| (b.to_string(), None)).collect(),
                tags: Tags::new(),
            }).unwrap();
            routes.push(Route { destination: RouteDestination::PrefixList(id.clone()), target: RouteTarget::Local, origin: RouteOrigin::CreateRoute });
            list_blocks.push((id, blocks.clone()));
        }
        let table = RouteTable {
            id: RouteTableId::new_unchecked("rtb-00000000"),
            owner_id: c.account.clone(),
            region: c.region,
            tags: Tags::new(),
            vpc_id: VpcId::new_unchecked("vpc-00000000"),
            routes,
            associations: Vec::new(),
        };
        for probe in probes {
            // Half the probes fall inside some block, to exercise matches.
            let ip = Ipv4Addr::from(probe);
            let expected = cidrs.iter().filter(|n| naive_contains(**n, ip)).map(|n| (n.prefix_len(), true))
                .chain(list_blocks.iter().flat_map(|(_, blocks)| blocks.iter()).filter(|n| naive_contains(**n, ip)).map(|n| (n.prefix_len(), false)))
                .max();
            let got = route::lookup(&w.lab, &table, IpAddr::V4(ip));
            match (expected, got) {
                (None, None) => {}
                (Some((len, is_cidr)), Some((route, net))) => {
                    prop_assert_eq!(net.prefix_len(), len);
                    prop_assert_eq!(matches!(route.destination, RouteDestination::Cidr(_)), is_cidr);
                    prop_assert!(net.contains(&IpAddr::V4(ip)));
                }
                (e, g) => prop_assert!(false, "naive {:?} but lookup {:?}", e, g.map(|(r, n)| (r.destination.clone(), n))),
            }
        }
    }
}

/// A random network: two VPCs (one peered), subnets with random routes, groups with
/// random rules, custom ACLs with random entries, instances, a NAT and an endpoint.
#[derive(Debug, Clone)]
struct Plan {
    public_ips: Vec<bool>,
    routes: Vec<(usize, u8)>,
    rules: Vec<(usize, bool, u16, bool)>,
    acl_entries: Vec<(usize, u16, bool, bool, u16)>,
    with_endpoint: bool,
    accept_peering: bool,
    flows: Vec<(usize, u8, u16, u8)>,
}

fn arb_plan() -> impl Strategy<Value = Plan> {
    (
        prop::collection::vec(any::<bool>(), 4),
        prop::collection::vec((0usize..4, 0u8..4), 0..6),
        prop::collection::vec(
            (
                0usize..3,
                any::<bool>(),
                prop::sample::select(vec![22u16, 80, 443, 5432]),
                any::<bool>(),
            ),
            0..8,
        ),
        prop::collection::vec(
            (
                0usize..4,
                1u16..300,
                any::<bool>(),
                any::<bool>(),
                prop::sample::select(vec![22u16, 443, 1024]),
            ),
            0..8,
        ),
        any::<bool>(),
        any::<bool>(),
        prop::collection::vec(
            (
                0usize..4,
                0u8..6,
                prop::sample::select(vec![22u16, 80, 443, 5432]),
                0u8..3,
            ),
            1..8,
        ),
    )
        .prop_map(
            |(public_ips, routes, rules, acl_entries, with_endpoint, accept_peering, flows)| Plan {
                public_ips,
                routes,
                rules,
                acl_entries,
                with_endpoint,
                accept_peering,
                flows,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn every_refused_trace_names_a_component_a_code_and_why(plan in arb_plan()) {
        let mut w = World::new(42);
        let c = w.caller.clone();
        let vpc = w.vpc("10.0.0.0/16");
        let peer_vpc = w.vpc("10.1.0.0/16");
        let subnets = [
            w.subnet(&vpc, "10.0.1.0/24"),
            w.subnet(&vpc, "10.0.2.0/24"),
            w.subnet(&vpc, "10.0.3.0/24"),
            w.subnet(&peer_vpc, "10.1.1.0/24"),
        ];
        let igw = w.igw(&vpc);
        let tables: Vec<RouteTableId> = subnets.iter().map(|s| {
            let v = if s == &subnets[3] { &peer_vpc } else { &vpc };
            w.route_table(v, &[s])
        }).collect();
        w.route(&tables[0], "0.0.0.0/0", To::Igw(&igw));
        let (nat, _) = w.nat(&subnets[0]);
        let pcx = w.lab.create_vpc_peering_connection(&c, vpc.as_str(), peer_vpc.as_str(), None, None, Tags::new()).unwrap();
        if plan.accept_peering {
            w.lab.accept_vpc_peering_connection(&c, pcx.as_str()).unwrap();
        }
        if plan.with_endpoint {
            w.s3_gateway_endpoint(&vpc, &[&tables[1]]);
        }
        for (table, kind) in &plan.routes {
            let (dest, to) = match kind {
                0 => ("0.0.0.0/0", To::Nat(&nat)),
                1 => ("52.216.0.0/16", To::Igw(&igw)),
                2 => ("10.1.0.0/16", To::Pcx(&pcx)),
                _ => ("10.0.0.0/16", To::Pcx(&pcx)),
            };
            let mut spec = RouteSpec::to(dest);
            match to {
                To::Nat(n) => spec.nat_gateway_id = Some(n.to_string()),
                To::Igw(g) => spec.gateway_id = Some(g.to_string()),
                To::Pcx(p) => spec.vpc_peering_connection_id = Some(p.to_string()),
                _ => unreachable!(),
            }
            // Many of these are refused by the control plane; that is fine.
            let _ = w.lab.create_route(&c, tables[*table].as_str(), &spec);
        }
        let groups: Vec<SecurityGroupId> = (0..3).map(|i| w.sg(if i == 2 { &peer_vpc } else { &vpc }, &format!("g{i}"))).collect();
        for (g, egress, port, wide) in &plan.rules {
            let cidr = if *wide { "0.0.0.0/0" } else { "10.0.0.0/16" };
            let _ = w.lab.authorize_security_group_rules(&c, groups[*g].as_str(), *egress, &[IpPermission::tcp(i32::from(*port), i32::from(*port), cidr)]);
        }
        for (s, number, egress, allow, port) in &plan.acl_entries {
            let acl = w.lab.network_acl_for_subnet(&subnets[*s]).unwrap().id.clone();
            let action = if *allow { "allow" } else { "deny" };
            let spec = NetworkAclEntrySpec::new(i32::from(*number), *egress, action, "tcp", "0.0.0.0/0", Some((i32::from(*port), 65535)));
            let _ = w.lab.create_network_acl_entry(&c, acl.as_str(), &spec);
        }
        let instances: Vec<InstanceId> = subnets.iter().enumerate().map(|(i, s)| {
            let g = if i == 3 { &groups[2] } else { &groups[i % 2] };
            w.instance(s, plan.public_ips[i], &[g])
        }).collect();
        for (from, to, port, proto) in &plan.flows {
            let destination = match to {
                0..=3 => Destination::Address(w.private_ip(&instances[*to as usize])),
                4 => Destination::Name("s3.us-east-1.amazonaws.com".into()),
                _ => Destination::Address("93.184.216.34".parse().unwrap()),
            };
            let source = Source::Instance(instances[*from].clone());
            let flow = match proto {
                0 => Flow::tcp(source, destination, *port),
                1 => Flow::udp(source, destination, *port),
                _ => Flow::ping(source, destination),
            };
            let t = trace(&w.lab, &flow);
            prop_assert_eq!(&t, &trace(&w.lab, &flow), "the same question gets the same answer");
            match t.refusal() {
                Some(r) => {
                    prop_assert!(!r.component.id.is_empty(), "{}", t);
                    prop_assert!(!r.code.as_str().is_empty());
                    prop_assert!(!r.explanation.is_empty(), "{}", t);
                }
                None => {
                    prop_assert!(!t.forward.is_empty());
                    prop_assert!(!t.reverse.is_empty(), "a delivered flow has a way back: {}", t);
                }
            }
        }
    }
}
