//! Diagrams of whole labs, built with the model's operations: golden DOT and Mermaid
//! files compared byte for byte (`UPDATE_GOLDEN=1 cargo test -p vpclab-diagram` rewrites
//! them; read the diff before committing), and the structural facts each drawing must
//! show asserted directly on the `Diagram`.

use std::path::PathBuf;

use vpclab_diagram::{
    ClusterKind, Diagram, EdgeKind, Mark, NodeKind, View, diagram, dot, mermaid, node_name,
};
use vpclab_model::*;
use vpclab_testkit::{ACCOUNT, OTHER_ACCOUNT, To, World};

const PROVIDER: &str = ACCOUNT;
const CONSUMER: &str = OTHER_ACCOUNT;

/// A view of `accounts` in the default region.
fn view(accounts: &[&str]) -> View {
    View::accounts(
        accounts
            .iter()
            .map(|a| AccountId::parse(a).expect("an account id")),
        Region::default_region(),
    )
}

/// Compares `text` with the golden file `name`, or rewrites it under `UPDATE_GOLDEN=1`.
#[track_caller]
fn golden(name: &str, text: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, text).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with UPDATE_GOLDEN=1 to write it)",
            path.display()
        )
    });
    if want != text {
        let line = want
            .lines()
            .zip(text.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| want.lines().count().min(text.lines().count()));
        panic!(
            "{} differs from the drawing at line {}:\n  golden: {:?}\n  drawn:  {:?}\n(UPDATE_GOLDEN=1 rewrites it)",
            path.display(),
            line + 1,
            want.lines().nth(line),
            text.lines().nth(line)
        );
    }
}

/// Both formats of a view, against their golden files.
#[track_caller]
fn goldens(name: &str, lab: &Lab, view: &View) -> Diagram {
    golden(&format!("{name}.dot"), &dot(lab, view));
    golden(&format!("{name}.mmd"), &mermaid(lab, view));
    // The same lab and view draw the same text every time.
    assert_eq!(dot(lab, view), dot(lab, view));
    let d = diagram(lab, view);
    // Each node and cluster is drawn once, and every edge joins two drawn things.
    let mut names = Vec::new();
    fn collect<'a>(c: &'a vpclab_diagram::Cluster, names: &mut Vec<&'a str>) {
        names.push(&c.name);
        names.extend(c.nodes.iter().map(|n| n.name.as_str()));
        for inner in &c.clusters {
            collect(inner, names);
        }
    }
    for c in &d.clusters {
        collect(c, &mut names);
    }
    names.extend(d.nodes.iter().map(|n| n.name.as_str()));
    let mut unique = names.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), names.len(), "a name drawn twice: {names:?}");
    for e in &d.edges {
        assert!(
            d.has(&e.from) && d.has(&e.to),
            "{e:?} joins something not drawn"
        );
    }
    d
}

fn n(id: impl AsRef<str>) -> String {
    node_name(id.as_ref())
}

#[track_caller]
fn edge_lines(d: &Diagram, from: &str, to: &str) -> Vec<String> {
    let edges: Vec<_> = d.edges_between(from, to);
    assert_eq!(
        edges.len(),
        1,
        "one edge {from} → {to} expected: {:#?}",
        d.edges
    );
    edges[0].lines.clone()
}

// ---- the note's world: a private instance reaching S3 through a gateway endpoint ----

struct Note {
    w: World,
    vpc: VpcId,
    subnet: SubnetId,
    rt: RouteTableId,
    endpoint: VpcEndpointId,
    app: InstanceId,
    sg: SecurityGroupId,
}

/// VPC 10.0.0.0/16 (its Name tag has quotes, an arrow and a check mark), one private
/// subnet in us-east-1a with its own route table, an S3 gateway endpoint on that table,
/// and an instance in its own group (all traffic out, as a new group allows).
fn note() -> Note {
    let mut w = World::new(7);
    let c = w.caller.clone();
    let vpc = w.vpc_as(&c, "10.0.0.0/16", Some("lab \"note\" → S3 ✓"));
    let subnet = w.subnet_as(&c, &vpc, "10.0.1.0/24", Some("us-east-1a"), Some("private"));
    let rt = w.route_table(&vpc, &[&subnet]);
    let endpoint = w.s3_gateway_endpoint(&vpc, &[&rt]);
    let sg = w.sg_as(&c, &vpc, "app");
    let app = w.instance_as(&c, &subnet, false, &[&sg], Some("app"));
    Note {
        w,
        vpc,
        subnet,
        rt,
        endpoint,
        app,
        sg,
    }
}

impl Note {
    /// The network ACL of the note's subnet (the VPC's default).
    fn acl(&self) -> NetworkAclId {
        self.w
            .lab
            .network_acl_for_subnet(&self.subnet)
            .expect("the subnet has an ACL")
            .id
            .clone()
    }
}

#[test]
fn the_notes_private_instance_and_its_gateway_endpoint() {
    let note = note();
    let d = goldens("note", &note.w.lab, &view(&[PROVIDER]));
    let account = format!("account_{PROVIDER}");
    let zone = n(format!("{}.us-east-1a", note.vpc));
    // account › VPC › zone › subnet › instance.
    assert_eq!(
        d.parents(&n(&note.app)).unwrap(),
        [account.as_str(), &n(&note.vpc), &zone, &n(&note.subnet)]
    );
    // The gateway endpoint sits on the VPC's edge, not in a subnet.
    assert_eq!(
        d.parents(&n(&note.endpoint)).unwrap(),
        [account.as_str(), &n(&note.vpc)]
    );
    // No route to an internet gateway: private.
    assert_eq!(
        d.cluster(&n(&note.subnet)).unwrap().kind,
        ClusterKind::Subnet { public: false }
    );
    // The route to S3 leaves the subnet for the endpoint, labelled with the prefix list
    // named as its service; the endpoint leads to S3; the local route is not drawn.
    assert_eq!(
        edge_lines(&d, &n(&note.subnet), &n(&note.endpoint)),
        ["pl-63a5400a (s3)"]
    );
    assert!(
        d.edges_between(&n(&note.endpoint), "aws_s3_us_east_1")
            .len()
            == 1
    );
    assert_eq!(
        d.edges.iter().filter(|e| e.kind == EdgeKind::Route).count(),
        1
    );
    // The instance shows its id and private address (the first in the subnet: .4).
    let app = d.node(&n(&note.app)).unwrap();
    assert_eq!(
        app.lines,
        ["app", &format!("instance {}", note.app), "10.0.1.4"]
    );
    // The VPC's Name tag, quotes and all, is its first line.
    assert_eq!(
        d.cluster(&n(&note.vpc)).unwrap().lines[0],
        "lab \"note\" → S3 ✓"
    );
    // S3 and STS, the services the lab serves, stand outside the accounts.
    for s in ["aws_s3_us_east_1", "aws_sts_us_east_1"] {
        assert_eq!(d.parents(s).unwrap(), Vec::<&str>::new());
        assert_eq!(d.node(s).unwrap().kind, NodeKind::AwsService);
    }
    let text = dot(&note.w.lab, &view(&[PROVIDER]));
    assert!(
        text.contains(r#"label="lab \"note\" → S3 ✓\lVPC vpc-"#),
        "{text}"
    );
    let text = mermaid(&note.w.lab, &view(&[PROVIDER]));
    assert!(
        text.contains("lab #quot;note#quot; → S3 ✓<br/>VPC vpc-"),
        "{text}"
    );
}

#[test]
fn a_delivered_trace_is_drawn_in_hop_order() {
    let note = note();
    let t = note.w.tcp(&note.app, "s3.us-east-1.amazonaws.com", 443);
    assert!(t.is_delivered(), "{t}");
    let view = view(&[PROVIDER]).with_trace(t);
    let d = goldens("trace-delivered", &note.w.lab, &view);
    let acl = note.acl();
    // instance (its interface is the instance's node) → its group → the route table →
    // the subnet's ACL → the endpoint → S3: five numbered steps.
    let steps: Vec<(usize, &str, &str)> = d
        .trace_edges()
        .map(|e| match e.kind {
            EdgeKind::Trace { step, refused } => {
                assert!(!refused);
                assert_eq!(e.lines, [step.to_string()]);
                (step, e.from.as_str(), e.to.as_str())
            }
            _ => unreachable!(),
        })
        .collect();
    let app = n(&note.app);
    let sg = n(&note.sg);
    let rt = n(&note.rt);
    let acl = n(&acl);
    let vpce = n(&note.endpoint);
    assert_eq!(
        steps,
        [
            (1, app.as_str(), sg.as_str()),
            (2, &sg, &rt),
            (3, &rt, &acl),
            (4, &acl, &vpce),
            (5, &vpce, "aws_s3_us_east_1"),
        ]
    );
    for name in [&app, &sg, &rt, &acl, &vpce, &"aws_s3_us_east_1".to_owned()] {
        assert_eq!(
            d.node(name).map(|n| &n.mark),
            Some(&Mark::Path),
            "{name} not marked"
        );
    }
    // The components only the trace shows are drawn inside the VPC.
    assert_eq!(d.node(&sg).unwrap().kind, NodeKind::TraceStep);
    assert_eq!(
        d.parents(&sg).unwrap(),
        [format!("account_{PROVIDER}").as_str(), &n(&note.vpc)]
    );
    assert!(d.caption.last().unwrap().contains("DELIVERED to s3"));
}

#[test]
fn a_refused_trace_marks_the_refusing_group_with_its_code() {
    let mut note = note();
    let c = note.w.caller.clone();
    // The app's group lets only the VPC out.
    note.w
        .lab
        .revoke_security_group_rules(
            &c,
            note.sg.as_str(),
            true,
            &[IpPermission::all("0.0.0.0/0")],
            &[],
        )
        .unwrap();
    note.w
        .lab
        .authorize_security_group_rules(
            &c,
            note.sg.as_str(),
            true,
            &[IpPermission::tcp(443, 443, "10.0.0.0/16")],
        )
        .unwrap();
    let t = note.w.tcp(&note.app, "s3.us-east-1.amazonaws.com", 443);
    assert_eq!(t.refusal().unwrap().code.as_str(), "ENI_SG_RULES_MISMATCH");
    let view = view(&[PROVIDER]).with_trace(t);
    let d = goldens("trace-refused", &note.w.lab, &view);
    let sg = n(&note.sg);
    assert_eq!(
        d.node(&sg).unwrap().mark,
        Mark::Refused {
            code: "ENI_SG_RULES_MISMATCH".into()
        }
    );
    let edges: Vec<_> = d.trace_edges().collect();
    assert_eq!(edges.len(), 1);
    assert_eq!(
        (edges[0].from.as_str(), edges[0].to.as_str(), edges[0].kind),
        (
            n(&note.app).as_str(),
            sg.as_str(),
            EdgeKind::Trace {
                step: 1,
                refused: true
            }
        )
    );
    // Nothing beyond the group is on the path.
    assert_eq!(d.node(&n(&note.endpoint)).unwrap().mark, Mark::None);
    assert_eq!(d.node("aws_s3_us_east_1").unwrap().mark, Mark::None);
    let text = dot(&note.w.lab, &view);
    assert!(text.contains("✗ ENI_SG_RULES_MISMATCH"), "{text}");
    assert!(text.contains("color=\"#C0392B\""), "{text}");
    let text = mermaid(&note.w.lab, &view);
    assert!(text.contains("✗ ENI_SG_RULES_MISMATCH"), "{text}");
}

// ---- NAT: public and private subnets in two zones ----

#[test]
fn public_and_private_subnets_in_two_zones_with_nat_gateways() {
    let mut w = World::new(7);
    let c = w.caller.clone();
    let vpc = w.vpc_as(&c, "10.0.0.0/16", Some("nat"));
    let public_a = w.subnet_as(
        &c,
        &vpc,
        "10.0.0.0/24",
        Some("us-east-1a"),
        Some("public-a"),
    );
    let public_b = w.subnet_as(
        &c,
        &vpc,
        "10.0.1.0/24",
        Some("us-east-1b"),
        Some("public-b"),
    );
    let private_a = w.subnet_as(
        &c,
        &vpc,
        "10.0.10.0/24",
        Some("us-east-1a"),
        Some("private-a"),
    );
    let private_b = w.subnet_as(
        &c,
        &vpc,
        "10.0.11.0/24",
        Some("us-east-1b"),
        Some("private-b"),
    );
    let igw = w.igw(&vpc);
    let public_rt = w.route_table(&vpc, &[&public_a, &public_b]);
    w.route(&public_rt, "0.0.0.0/0", To::Igw(&igw));
    let (nat_a, _) = w.nat(&public_a);
    let (nat_b, _) = w.nat(&public_b);
    let rt_a = w.route_table(&vpc, &[&private_a]);
    let rt_b = w.route_table(&vpc, &[&private_b]);
    w.route(&rt_a, "0.0.0.0/0", To::Nat(&nat_a));
    w.route(&rt_b, "0.0.0.0/0", To::Nat(&nat_b));
    // A third NAT gateway, routed to and then deleted: its route is a blackhole.
    let (gone, _) = w.nat(&public_a);
    w.route(&rt_b, "192.168.0.0/16", To::Nat(&gone));
    w.lab.delete_nat_gateway(&c, gone.as_str()).unwrap();
    let bastion = w.instance_as(&c, &public_a, true, &[], Some("bastion"));
    let app_a = w.instance_as(&c, &private_a, false, &[], Some("app-a"));
    let app_b = w.instance_as(&c, &private_b, false, &[], Some("app-b"));
    let d = goldens("nat", &w.lab, &view(&[PROVIDER]));

    for (s, public) in [
        (&public_a, true),
        (&public_b, true),
        (&private_a, false),
        (&private_b, false),
    ] {
        assert_eq!(
            d.cluster(&n(s)).unwrap().kind,
            ClusterKind::Subnet { public },
            "{s}"
        );
    }
    // Each zone holds its own subnets.
    let zone_a = n(format!("{vpc}.us-east-1a"));
    let zone_b = n(format!("{vpc}.us-east-1b"));
    assert_eq!(d.parents(&n(&private_a)).unwrap()[2], zone_a);
    assert_eq!(d.parents(&n(&public_b)).unwrap()[2], zone_b);
    // NAT gateways live in the public subnets of their zones.
    assert_eq!(
        d.parents(&n(&nat_a)).unwrap().last(),
        Some(&n(&public_a).as_str())
    );
    assert_eq!(
        d.parents(&n(&nat_b)).unwrap().last(),
        Some(&n(&public_b).as_str())
    );
    let nat_lines = &d.node(&n(&nat_a)).unwrap().lines;
    assert!(nat_lines[1].contains(" · EIP "), "{nat_lines:?}");
    // Routes: public subnets to the IGW, private subnets each to their zone's NAT.
    assert_eq!(edge_lines(&d, &n(&public_a), &n(&igw)), ["0.0.0.0/0"]);
    assert_eq!(edge_lines(&d, &n(&public_b), &n(&igw)), ["0.0.0.0/0"]);
    assert_eq!(edge_lines(&d, &n(&private_a), &n(&nat_a)), ["0.0.0.0/0"]);
    assert_eq!(edge_lines(&d, &n(&private_b), &n(&nat_b)), ["0.0.0.0/0"]);
    assert_eq!(d.edges_between(&n(&private_a), &n(&nat_b)).len(), 0);
    assert_eq!(d.edges_between(&n(&igw), "internet").len(), 1);
    // The deleted NAT's route: a dashed blackhole to a node saying it is gone.
    let blackhole: Vec<_> = d.edges_between(&n(&private_b), &n(&gone));
    assert_eq!(blackhole.len(), 1);
    assert_eq!(blackhole[0].kind, EdgeKind::Blackhole);
    assert_eq!(blackhole[0].lines, ["192.168.0.0/16", "(blackhole)"]);
    assert_eq!(
        d.node(&n(&gone)).unwrap().lines,
        [gone.to_string(), "gone".to_owned()]
    );
    // The bastion shows its public address; the private instances none.
    assert!(d.node(&n(&bastion)).unwrap().lines[2].contains(" · public "));
    assert!(!d.node(&n(&app_a)).unwrap().lines[2].contains("public"));
    assert!(d.has(&n(&app_b)));
    let text = dot(&w.lab, &view(&[PROVIDER]));
    assert!(
        text.contains(&format!(
            "\"{}\" -> \"{}\" [ltail=\"cluster_{}\", label=\"192.168.0.0/16\\n(blackhole)\", style=dashed",
            n(&private_b),
            n(&gone),
            n(&private_b)
        )),
        "{text}"
    );
    let text = mermaid(&w.lab, &view(&[PROVIDER]));
    assert!(
        text.contains(&format!(
            "  {} -.->|\"192.168.0.0/16<br/>(blackhole)\"| {}",
            n(&private_b),
            n(&gone)
        )),
        "{text}"
    );
}

// ---- PrivateLink: a provider's NLB as an endpoint service, a consumer in another account ----

struct Link {
    w: World,
    provider_vpc: VpcId,
    consumer_vpc: VpcId,
    service: VpcEndpointServiceId,
    endpoint: VpcEndpointId,
    endpoint_eni: NetworkInterfaceId,
    consumer_subnet: SubnetId,
    client: InstanceId,
    lb_nodes: Vec<(String, NetworkInterfaceId)>,
    targets: Vec<(String, InstanceId)>,
}

/// The provider (111111111111): VPC 10.0.0.0/16 with a subnet in each of us-east-1a and
/// 1b, a target instance in each, an internal NLB in both subnets listening on TCP 80
/// for a target group on 8080, offered as an endpoint service to the consumer
/// (222222222222), whose VPC (the same CIDR) has an interface endpoint in us-east-1a,
/// accepted.
fn privatelink() -> Link {
    let mut w = World::new(7);
    let p = w.caller.clone();
    let k = w.other.clone();
    let provider_vpc = w.vpc_as(&p, "10.0.0.0/16", Some("provider"));
    let sa = w.subnet_in(&provider_vpc, "10.0.1.0/24", "us-east-1a");
    let sb = w.subnet_in(&provider_vpc, "10.0.2.0/24", "us-east-1b");
    let app_sg = w.sg_admitting(&p, &provider_vpc, "app", 8080, "10.0.0.0/16");
    let mut targets = Vec::new();
    for (zone, subnet) in [("us-east-1a", &sa), ("us-east-1b", &sb)] {
        targets.push((zone.to_owned(), w.instance(subnet, false, &[&app_sg])));
    }
    let target_ids: Vec<&InstanceId> = targets.iter().map(|(_, t)| t).collect();
    let (lb, _) = w.network_load_balancer("svc", &provider_vpc, &[&sa, &sb], &target_ids, 8080);
    let service = w.endpoint_service(&lb, &k);
    let consumer_vpc = w.vpc_as(&k, "10.0.0.0/16", Some("consumer"));
    let consumer_subnet = w.subnet_as(&k, &consumer_vpc, "10.0.1.0/24", Some("us-east-1a"), None);
    let endpoint_sg = w.sg_admitting(&k, &consumer_vpc, "to-svc", 80, "10.0.0.0/16");
    let client = w.instance_as(&k, &consumer_subnet, false, &[], Some("client"));
    let service_name = w.service_name(&service);
    let endpoint = w.interface_endpoint(
        &k,
        &consumer_vpc,
        &service_name,
        &[&consumer_subnet],
        &[&endpoint_sg],
    );
    w.lab
        .accept_vpc_endpoint_connections(&p, service.as_str(), &[endpoint.to_string()])
        .expect("accept the endpoint");
    let endpoint_eni = w
        .lab
        .vpc_endpoint(endpoint.as_str())
        .unwrap()
        .network_interface_ids[0]
        .clone();
    let lb_nodes = w
        .lab
        .load_balancer(lb.as_str())
        .unwrap()
        .availability_zones
        .iter()
        .map(|z| (z.zone_name.clone(), z.network_interface_id.clone()))
        .collect();
    Link {
        w,
        provider_vpc,
        consumer_vpc,
        service,
        endpoint,
        endpoint_eni,
        consumer_subnet,
        client,
        lb_nodes,
        targets,
    }
}

#[test]
fn privatelink_with_both_accounts_drawn() {
    let l = privatelink();
    let d = goldens("privatelink", &l.w.lab, &view(&[PROVIDER, CONSUMER]));
    let svc = n(&l.service);
    let eni = n(&l.endpoint_eni);
    // The endpoint's interface sits in the consumer's subnet and leads to the service,
    // which belongs to the provider's account (outside its VPCs).
    assert_eq!(
        d.parents(&eni).unwrap().last(),
        Some(&n(&l.consumer_subnet).as_str())
    );
    assert_eq!(d.node(&eni).unwrap().kind, NodeKind::InterfaceEndpoint);
    assert!(d.node(&eni).unwrap().lines[0].contains(l.endpoint.as_str()));
    assert_eq!(d.parents(&svc).unwrap(), [format!("account_{PROVIDER}")]);
    assert_eq!(d.edges_between(&eni, &svc).len(), 1);
    // The service leads to each node of its NLB; each node to the target in its own zone
    // only (cross-zone load balancing is off by default).
    for (zone, node) in &l.lb_nodes {
        assert_eq!(d.edges_between(&svc, &n(node)).len(), 1);
        assert_eq!(d.node(&n(node)).unwrap().kind, NodeKind::LoadBalancerNode);
        for (target_zone, target) in &l.targets {
            let edges: Vec<_> = d.edges_between(&n(node), &n(target));
            if zone == target_zone {
                assert_eq!(edges.len(), 1, "{zone}");
                assert_eq!(edges[0].lines, ["TCP 80 → 8080"]);
            } else {
                assert!(edges.is_empty(), "{zone} → {target_zone}");
            }
        }
    }
    // Two VPCs with the same CIDR, each in its own account.
    assert_eq!(
        d.parents(&n(&l.provider_vpc)).unwrap(),
        [format!("account_{PROVIDER}")]
    );
    assert_eq!(
        d.parents(&n(&l.consumer_vpc)).unwrap(),
        [format!("account_{CONSUMER}")]
    );
}

#[test]
fn privatelink_from_the_consumer_shows_the_service_not_the_providers_vpc() {
    let l = privatelink();
    let d = goldens("privatelink-consumer", &l.w.lab, &view(&[CONSUMER]));
    let svc = n(&l.service);
    assert_eq!(d.parents(&svc).unwrap(), Vec::<&str>::new());
    assert!(
        d.node(&svc)
            .unwrap()
            .lines
            .contains(&format!("owner account {PROVIDER}")),
        "{:?}",
        d.node(&svc)
    );
    assert!(!d.has(&n(&l.provider_vpc)));
    assert!(!d.has(&format!("account_{PROVIDER}")));
    for (_, node) in &l.lb_nodes {
        assert!(!d.has(&n(node)));
    }
}

#[test]
fn a_privatelink_trace_ends_at_the_other_accounts_service() {
    let l = privatelink();
    let eni = l.w.lab.network_interface(l.endpoint_eni.as_str()).unwrap();
    let address = eni.primary_private_ip().to_string();
    let t = l.w.tcp(&l.client, address.as_str(), 80);
    assert!(t.is_delivered(), "{t}");
    let view = view(&[CONSUMER]).with_trace(t);
    let d = goldens("trace-privatelink", &l.w.lab, &view);
    let svc = n(&l.service);
    let edges: Vec<_> = d.trace_edges().collect();
    // The path crosses the endpoint's interface and ends at the service, where the
    // provider's side (load balancer, listener, target group, target) is not drawn.
    let last = edges.last().unwrap();
    assert_eq!(
        (last.from.as_str(), last.to.as_str()),
        (n(&l.endpoint_eni).as_str(), svc.as_str())
    );
    assert_eq!(d.node(&svc).unwrap().mark, Mark::Path);
    assert_eq!(d.node(&n(&l.endpoint_eni)).unwrap().mark, Mark::Path);
    assert!(!d.has(&format!("account_{PROVIDER}")));
    // Every step is numbered in order from 1.
    for (i, e) in edges.iter().enumerate() {
        assert!(matches!(e.kind, EdgeKind::Trace { step, refused: false } if step == i + 1));
    }
}

// ---- peering ----

#[test]
fn peered_vpcs_and_a_peering_with_another_account() {
    let mut w = World::new(7);
    let c = w.caller.clone();
    let k = w.other.clone();
    let a = w.vpc_as(&c, "10.0.0.0/16", Some("a"));
    let b = w.vpc_as(&c, "10.1.0.0/16", Some("b"));
    let other = w.vpc_as(&k, "10.2.0.0/16", Some("theirs"));
    let sa = w.subnet_in(&a, "10.0.1.0/24", "us-east-1a");
    let sb = w.subnet_in(&b, "10.1.1.0/24", "us-east-1a");
    let rt_a = w.route_table(&a, &[&sa]);
    let rt_b = w.route_table(&b, &[&sb]);
    let pcx = w.peer(&a, &b);
    w.route(&rt_a, "10.1.0.0/16", To::Pcx(&pcx));
    w.route(&rt_b, "10.0.0.0/16", To::Pcx(&pcx));
    // A peering request to another account's VPC, not yet accepted.
    let pending = w
        .lab
        .create_vpc_peering_connection(
            &c,
            a.as_str(),
            other.as_str(),
            Some(CONSUMER),
            None,
            Tags::new(),
        )
        .unwrap();
    w.instance_as(&c, &sa, false, &[], None);
    w.instance_as(&c, &sb, false, &[], None);
    let d = goldens("peering", &w.lab, &view(&[PROVIDER]));
    let edges: Vec<_> = d.edges_between(&n(&a), &n(&b));
    assert_eq!(edges.len(), 1);
    assert_eq!(edges[0].kind, EdgeKind::Peering { active: true });
    assert_eq!(edges[0].lines, [pcx.to_string()]);
    assert_eq!(
        edge_lines(&d, &n(&sa), &n(&b)),
        [format!("10.1.0.0/16 via {pcx}")]
    );
    assert_eq!(
        edge_lines(&d, &n(&sb), &n(&a)),
        [format!("10.0.0.0/16 via {pcx}")]
    );
    // The other account's VPC: one node saying whose it is, joined by a dashed edge.
    let theirs = d.node(&n(&other)).unwrap();
    assert_eq!(theirs.kind, NodeKind::Elsewhere);
    assert_eq!(
        theirs.lines,
        [
            format!("VPC {other}"),
            format!("account {CONSUMER} · us-east-1 (not drawn)")
        ]
    );
    let edges: Vec<_> = d.edges_between(&n(&a), &n(&other));
    assert_eq!(edges[0].kind, EdgeKind::Peering { active: false });
    assert_eq!(
        edges[0].lines,
        [pending.to_string(), "pending-acceptance".into()]
    );
    let text = dot(&w.lab, &view(&[PROVIDER]));
    // An edge between two clusters is clipped at both borders.
    assert!(
        text.contains(&format!(
            "\"{a}\" -> \"{b}\" [ltail=\"cluster_{a}\", lhead=\"cluster_{b}\", label=\"{pcx}\", dir=both",
            a = n(&a),
            b = n(&b)
        )),
        "{text}"
    );
}

// ---- the default VPC ----

#[test]
fn an_empty_default_vpc_is_left_out_and_said_so() {
    let mut lab = Lab::new(3);
    let account = AccountId::parse(PROVIDER).unwrap();
    lab.add_account(&account, Timestamp(0));
    let view = View::account(account.clone(), Region::default_region());
    let default = lab
        .vpcs()
        .find(|v| v.is_default && v.owner_id == account && v.region == Region::default_region())
        .unwrap()
        .id
        .clone();
    let d = diagram(&lab, &view);
    assert!(!d.has(&n(&default)));
    assert_eq!(
        d.caption[1],
        format!("not drawn: the empty default VPC {default}")
    );
    // With an instance in it, it is drawn, with its six default subnets (public: the
    // main route table routes to its internet gateway).
    let c = Caller::new(account, Region::default_region(), Timestamp(0));
    let subnet = lab
        .subnets()
        .find(|s| s.vpc_id == default)
        .unwrap()
        .id
        .clone();
    lab.run_instances(
        &c,
        RunInstances {
            image_id: "ami-12345678".into(),
            min_count: 1,
            max_count: 1,
            subnet_id: Some(subnet.to_string()),
            ..Default::default()
        },
    )
    .unwrap();
    let d = diagram(&lab, &view);
    let vpc = d.cluster(&n(&default)).unwrap();
    assert!(vpc.lines[0].ends_with("(default)"));
    assert_eq!(vpc.clusters.len(), 6);
    assert_eq!(
        d.cluster(&n(&subnet)).unwrap().kind,
        ClusterKind::Subnet { public: true }
    );
}

#[test]
fn a_reply_refused_on_the_way_back_is_drawn_with_the_way_back() {
    let mut note = note();
    let c = note.w.caller.clone();
    // The subnet's ACL lets everything out and nothing in: the request leaves, S3's reply
    // is refused at the ACL (ACLs are stateless).
    let acl = note.acl();
    note.w
        .lab
        .create_network_acl_entry(
            &c,
            acl.as_str(),
            &NetworkAclEntrySpec {
                rule_number: 50,
                egress: false,
                protocol: "-1".into(),
                rule_action: "deny".into(),
                cidr_block: Some("0.0.0.0/0".into()),
                ..Default::default()
            },
        )
        .unwrap();
    let t = note.w.tcp(&note.app, "s3.us-east-1.amazonaws.com", 443);
    let r = t.refusal().unwrap();
    assert_eq!(r.direction, vpclab_reach::Direction::Return);
    assert_eq!(r.code.as_str(), "SUBNET_ACL_RESTRICTION");
    let view = view(&[PROVIDER]).with_trace(t);
    let d = diagram(&note.w.lab, &view);
    let acl = n(&acl);
    assert_eq!(
        d.node(&acl).unwrap().mark,
        Mark::Refused {
            code: "SUBNET_ACL_RESTRICTION".into()
        }
    );
    // Out to S3 (five steps, as delivered), then back from S3 to the endpoint and into
    // the ACL, where the reply stops: the last step is the refused one.
    let steps: Vec<(&str, &str)> = d
        .trace_edges()
        .map(|e| (e.from.as_str(), e.to.as_str()))
        .collect();
    let vpce = n(&note.endpoint);
    assert_eq!(steps[4], (vpce.as_str(), "aws_s3_us_east_1"));
    assert_eq!(steps[5], ("aws_s3_us_east_1", vpce.as_str()));
    assert_eq!(steps[6], (vpce.as_str(), acl.as_str()));
    assert_eq!(steps.len(), 7);
    assert!(matches!(
        d.trace_edges().last().unwrap().kind,
        EdgeKind::Trace {
            step: 7,
            refused: true
        }
    ));
}
