//! Estimates of topologies built with the model's own operations, against figures worked
//! out by hand (the arithmetic is in the comments). Prices: the us-east-1 file — NAT
//! gateway $0.045/h and $0.045/GB, interface endpoint $0.01/AZ-h and $0.01/GB, public
//! IPv4 $0.005/h, NLB $0.0225/h and $0.006/NLCU-h, internet out $0.09/GB, inter-AZ
//! $0.01/GB each direction. A month is 730 h.

use vpclab_cost::{
    Charge, CostError, Decimal, Estimate, FlowSpec, ObservedFlow, Outcome, PriceBook, Traffic,
    TrafficProfile, Way, WhatIf, estimate,
};
use vpclab_model::*;
use vpclab_testkit::{ACCOUNT, To, World};

fn d(s: &str) -> Decimal {
    s.parse().expect("a decimal")
}

/// The estimates of the world's lab, for the tests' callers.
trait Estimates {
    /// The estimate of `flows` for `who`'s account over a 730-hour month.
    fn estimate(&self, who: &Caller, flows: Vec<FlowSpec>) -> Estimate;
    /// The error an estimate of `flows` for `who`'s account refuses with.
    fn refuse(&self, who: &Caller, flows: Vec<FlowSpec>) -> CostError;
}

impl Estimates for World {
    fn estimate(&self, who: &Caller, flows: Vec<FlowSpec>) -> Estimate {
        estimate(
            &self.lab,
            &who.account,
            who.region,
            &prices(),
            d("730"),
            &Traffic::Stated(TrafficProfile { flows }),
        )
        .expect("an estimate")
    }

    fn refuse(&self, who: &Caller, flows: Vec<FlowSpec>) -> CostError {
        estimate(
            &self.lab,
            &who.account,
            who.region,
            &prices(),
            d("730"),
            &Traffic::Stated(TrafficProfile { flows }),
        )
        .expect_err("a refusal")
    }
}

fn prices() -> PriceBook {
    PriceBook::for_region(Region::default_region()).expect("us-east-1 prices")
}

fn flow(from: &InstanceId, to: &str, port: u16, gb: f64) -> FlowSpec {
    FlowSpec {
        from: from.to_string(),
        to: to.into(),
        port: Some(port),
        protocol: "tcp".into(),
        gb_per_month: gb,
        gb_back_per_month: 0.0,
    }
}

/// What the what-if says `way` would cost a month, if it is available.
fn option_cost(w_if: &WhatIf, way: Way) -> Option<Decimal> {
    w_if.options
        .iter()
        .find(|o| o.way == way)
        .and_then(|o| o.monthly)
        .map(|m| m.0.normalize())
}

const S3: &str = "s3.us-east-1.amazonaws.com";

fn monthly(e: &Estimate, charge: Charge) -> Vec<Decimal> {
    e.lines
        .iter()
        .filter(|l| l.charge == charge)
        .map(|l| l.monthly.0.normalize())
        .collect()
}

/// VPC 10.0.0.0/16: public subnet 10.0.0.0/24 in us-east-1a (IGW, a NAT gateway with an
/// Elastic IP), private subnet 10.0.1.0/24 in `private_zone` routing 0.0.0.0/0 to the
/// NAT, and an instance in it.
fn private_behind_nat(private_zone: &str) -> (World, InstanceId, NatGatewayId) {
    let mut w = World::new(7);
    let vpc = w.vpc("10.0.0.0/16");
    let public = w.subnet_in(&vpc, "10.0.0.0/24", "us-east-1a");
    let private = w.subnet_in(&vpc, "10.0.1.0/24", private_zone);
    let igw = w.igw(&vpc);
    let public_rt = w.route_table(&vpc, &[&public]);
    w.route(&public_rt, "0.0.0.0/0", To::Igw(&igw));
    let (nat, _) = w.nat(&public);
    let private_rt = w.route_table(&vpc, &[&private]);
    w.route(&private_rt, "0.0.0.0/0", To::Nat(&nat));
    let app = w.instance(&private, false, &[]);
    (w, app, nat)
}

#[test]
fn a_private_instance_reaches_s3_through_a_nat_in_its_zone() {
    let (w, app, nat) = private_behind_nat("us-east-1a");
    let e = w.estimate(&w.caller, vec![flow(&app, S3, 443, 1000.0)]);
    // Fixed: the NAT gateway 730 h × $0.045 = $32.85; its Elastic IP 730 h × $0.005 = $3.65.
    assert_eq!(monthly(&e, Charge::NatGatewayHours), vec![d("32.85")]);
    assert_eq!(monthly(&e, Charge::PublicIpv4), vec![d("3.65")]);
    // The flow: NAT processing 1,000 GB × $0.045 = $45.00; EC2 → S3 in the region: $0.
    assert_eq!(monthly(&e, Charge::NatGatewayProcessing), vec![d("45")]);
    assert_eq!(
        monthly(&e, Charge::DataTransferSameRegionService),
        vec![d("0")]
    );
    assert!(monthly(&e, Charge::DataTransferInterAz).is_empty());
    // Total: 32.85 + 3.65 + 45 = $81.50.
    assert_eq!(e.total.0, d("81.5"));
    let f = &e.flows[0];
    assert_eq!(f.monthly.0, d("45"));
    match &f.outcome {
        Outcome::Delivered { via, .. } => assert_eq!(via, &vec![nat.to_string()]),
        other => panic!("{other:?}"),
    }
    // What if: now the NAT, which only this flow uses: 45 + 32.85 + 3.65 = $81.50;
    // a gateway endpoint $0; an interface endpoint 1 AZ × 730 h × $0.01 = $7.30 +
    // 1,000 GB × $0.01 = $10 → $17.30. The gateway endpoint saves $81.50.
    let w_if = f.what_if.as_ref().expect("a what-if for S3");
    assert_eq!(w_if.service, "s3");
    assert_eq!(w_if.now, Way::NatGateway);
    let cost = |way| option_cost(w_if, way);
    assert_eq!(cost(Way::NatGateway), Some(d("81.5")));
    assert_eq!(cost(Way::GatewayEndpoint), Some(d("0")));
    assert_eq!(cost(Way::InterfaceEndpoint), Some(d("17.3")));
    assert_eq!(w_if.cheapest, Way::GatewayEndpoint);
    assert_eq!(w_if.saving.0, d("81.5"));
    let text = e.to_string();
    for needle in [
        "$81.50",
        "$32.85",
        "$45.00",
        "NAT gateway processing",
        "← cheapest",
        "A gateway endpoint instead of the NAT gateway saves $81.50 a month.",
        "2026-11-28",
        "https://aws.amazon.com/vpc/pricing/",
    ] {
        assert!(text.contains(needle), "{needle:?} missing from:\n{text}");
    }
}

#[test]
fn a_nat_in_another_zone_adds_inter_az_transfer_and_shared_hours_stay() {
    let (w, app, _) = private_behind_nat("us-east-1b");
    let mut internet = flow(&app, "203.0.113.10", 443, 100.0);
    internet.gb_back_per_month = 10.0;
    let e = w.estimate(&w.caller, vec![flow(&app, S3, 443, 1000.0), internet]);
    // Flow 1, S3: NAT processing 1,000 × $0.045 = $45; instance (1b) → NAT (1a), both
    // sides ours: 1,000 GB × ($0.01 out + $0.01 in) = $20.
    // Flow 2, internet: NAT processing (100 + 10) × $0.045 = $4.95; inter-AZ 110 × $0.02
    // = $2.20; out to the internet 100 GB × $0.09 = $9 (the 10 GB back are free).
    assert_eq!(
        monthly(&e, Charge::NatGatewayProcessing),
        vec![d("45"), d("4.95")]
    );
    assert_eq!(
        monthly(&e, Charge::DataTransferInterAz),
        vec![d("20"), d("2.2")]
    );
    assert_eq!(monthly(&e, Charge::DataTransferInternetOut), vec![d("9")]);
    // Total: 32.85 + 3.65 + 45 + 20 + 4.95 + 2.2 + 9 = $117.65.
    assert_eq!(e.total.0, d("117.65"));
    assert_eq!(e.flows[0].monthly.0, d("65"));
    assert_eq!(e.flows[1].monthly.0, d("16.15"));
    // The NAT also carries flow 2, so its hours stay whichever way S3 goes: now = $65.
    let w_if = e.flows[0].what_if.as_ref().expect("what-if");
    let now = w_if
        .options
        .iter()
        .find(|o| o.way == Way::NatGateway)
        .expect("nat option");
    assert_eq!(now.monthly.map(|m| m.0), Some(d("65")));
    assert!(
        now.detail.contains("also carries other flows"),
        "{}",
        now.detail
    );
    assert_eq!(w_if.saving.0, d("65"));
    assert!(e.flows[1].what_if.is_none(), "no what-if for the internet");
    assert!(
        e.notes.iter().any(|n| n.contains("100 GB")),
        "{:?}",
        e.notes
    );
}

#[test]
fn s3_through_a_gateway_endpoint_costs_nothing_and_says_what_the_others_would() {
    let mut w = World::new(7);
    let me = w.caller.clone();
    let vpc = w.vpc("10.0.0.0/16");
    let private = w.subnet_in(&vpc, "10.0.1.0/24", "us-east-1a");
    let rt = w.route_table(&vpc, &[&private]);
    let endpoint = w.s3_gateway_endpoint(&vpc, &[&rt]);
    let app = w.instance(&private, false, &[]);
    let e = w.estimate(&me, vec![flow(&app, S3, 443, 1000.0)]);
    // The endpoint is listed at $0, and so is the flow through it.
    assert_eq!(monthly(&e, Charge::GatewayEndpoint), vec![d("0"), d("0")]);
    assert!(e.lines[0].component.contains(endpoint.as_str()));
    assert_eq!(e.total.0, d("0"));
    let w_if = e.flows[0].what_if.as_ref().expect("what-if");
    assert_eq!(w_if.now, Way::GatewayEndpoint);
    let cost = |way| option_cost(w_if, way);
    // Interface endpoint: 1 AZ × 730 h × $0.01 = $7.30 + 1,000 GB × $0.01 = $10 → $17.30.
    // NAT gateway, none in the VPC: 1,000 × $0.045 = $45 + 730 h × $0.045 = $32.85 + its
    // Elastic IP 730 h × $0.005 = $3.65 → $81.50.
    assert_eq!(cost(Way::InterfaceEndpoint), Some(d("17.3")));
    assert_eq!(cost(Way::NatGateway), Some(d("81.5")));
    assert_eq!(w_if.cheapest, Way::GatewayEndpoint);
    assert_eq!(w_if.saving.0, d("0"));
    assert!(e.to_string().contains("already takes the cheapest way"));
}

#[test]
fn an_interface_endpoint_in_two_zones_bills_both_and_the_far_zone_crosses() {
    let mut w = World::new(7);
    let me = w.caller.clone();
    let vpc = w.vpc("10.0.0.0/16");
    let a = w.subnet_in(&vpc, "10.0.1.0/24", "us-east-1a");
    let b = w.subnet_in(&vpc, "10.0.2.0/24", "us-east-1b");
    let sg = w.sg_admitting(&me, &vpc, "admit-443", 443, "10.0.0.0/16");
    let endpoint =
        w.interface_endpoint(&me, &vpc, "com.amazonaws.us-east-1.sts", &[&a, &b], &[&sg]);
    let near = w.instance(&a, false, &[]);
    let far = w.instance(&b, false, &[]);
    let e_ref = w.lab.vpc_endpoint(endpoint.as_str()).expect("endpoint");
    // The endpoint's interface in us-east-1a.
    let in_a = w
        .lab
        .vpc_endpoint_addresses(e_ref)
        .into_iter()
        .find(|ip| w.lab.subnet(a.as_str()).expect("subnet").contains(*ip))
        .expect("an address in subnet a")
        .to_string();
    let e = w.estimate(
        &me,
        vec![
            flow(&near, &in_a, 443, 200.0),
            flow(&far, &in_a, 443, 100.0),
        ],
    );
    // Fixed: 2 AZs × 730 h = 1,460 AZ-h × $0.01 = $14.60.
    assert_eq!(monthly(&e, Charge::InterfaceEndpointHours), vec![d("14.6")]);
    assert_eq!(e.lines[0].quantity, d("1460"));
    // Processing: 200 GB × $0.01 = $2; 100 GB × $0.01 = $1. The far instance (1b) to
    // the interface in 1a: 100 GB × $0.02 = $2.
    assert_eq!(
        monthly(&e, Charge::InterfaceEndpointProcessing),
        vec![d("2"), d("1")]
    );
    assert_eq!(monthly(&e, Charge::DataTransferInterAz), vec![d("2")]);
    // Total: 14.60 + 2 + 1 + 2 = $19.60.
    assert_eq!(e.total.0, d("19.6"));
    // What if, flow 1 (STS): no gateway endpoint for STS; the interface endpoint, shared
    // with flow 2, costs the flow its $2; a new NAT: 200 × $0.045 = $9 + $32.85 + $3.65
    // = $45.50. The lab already takes the cheapest way.
    let w_if = e.flows[0].what_if.as_ref().expect("what-if");
    assert_eq!(w_if.service, "sts");
    assert_eq!(w_if.now, Way::InterfaceEndpoint);
    let gateway = &w_if.options[0];
    assert_eq!(gateway.way, Way::GatewayEndpoint);
    assert!(!gateway.available);
    assert_eq!(w_if.options[1].monthly.map(|m| m.0), Some(d("2")));
    assert_eq!(
        w_if.options[2].monthly.map(|m| m.0.normalize()),
        Some(d("45.5"))
    );
    assert_eq!(w_if.cheapest, Way::InterfaceEndpoint);
    assert_eq!(w_if.saving.0, d("0"));
}

/// The provider (111…): an internal NLB in us-east-1a listening on TCP 80, forwarding to
/// an app on 8080, behind an endpoint service for the consumer (222…), whose VPC has an
/// accepted interface endpoint in us-east-1a and a client.
fn privatelink() -> (World, InstanceId, String) {
    let mut w = World::new(7);
    let me = w.caller.clone();
    let other = w.other.clone();
    let vpc = w.vpc("10.0.0.0/16");
    let subnet = w.subnet_in(&vpc, "10.0.1.0/24", "us-east-1a");
    let app_sg = w.sg_admitting(&me, &vpc, "admit-8080", 8080, "10.0.0.0/16");
    let app = w.instance(&subnet, false, &[&app_sg]);
    let (lb, _) = w.network_load_balancer("svc", &vpc, &[&subnet], &[&app], 8080);
    let service = w.endpoint_service(&lb, &other);
    let consumer_vpc = w.vpc_as(&other, "10.0.0.0/16", None);
    let consumer_subnet = w.subnet_as(
        &other,
        &consumer_vpc,
        "10.0.1.0/24",
        Some("us-east-1a"),
        None,
    );
    let endpoint_sg = w.sg_admitting(&other, &consumer_vpc, "admit-80", 80, "10.0.0.0/16");
    let client = w.instance_as(&other, &consumer_subnet, false, &[], None);
    let service_name = w.service_name(&service);
    let endpoint = w.interface_endpoint(
        &other,
        &consumer_vpc,
        &service_name,
        &[&consumer_subnet],
        &[&endpoint_sg],
    );
    w.lab
        .accept_vpc_endpoint_connections(&me, service.as_str(), &[endpoint.to_string()])
        .expect("accepted");
    let address = w.endpoint_address(&endpoint).to_string();
    (w, client, address)
}

#[test]
fn privatelink_bills_the_consumer_its_endpoint_and_the_provider_its_load_balancer() {
    let (w, client, endpoint_address) = privatelink();
    let consumer = w.other.clone();
    let e = w.estimate(&consumer, vec![flow(&client, &endpoint_address, 80, 500.0)]);
    // The consumer: its endpoint 1 AZ × 730 h × $0.01 = $7.30; 500 GB × $0.01 = $5.
    assert_eq!(monthly(&e, Charge::InterfaceEndpointHours), vec![d("7.3")]);
    assert_eq!(
        monthly(&e, Charge::InterfaceEndpointProcessing),
        vec![d("5")]
    );
    assert_eq!(e.total.0, d("12.3"));
    assert!(matches!(e.flows[0].outcome, Outcome::Delivered { .. }));
    // The provider's load balancer processes the same 500 GB: 500 NLCU-h × $0.006 = $3,
    // on the provider's bill, not the consumer's.
    assert_eq!(e.billed_to_others.len(), 1);
    let nlcu = &e.billed_to_others[0];
    assert_eq!(nlcu.charge, Charge::LoadBalancerCapacity);
    assert_eq!(nlcu.payer, ACCOUNT);
    assert_eq!(nlcu.monthly.0, d("3"));
    assert!(
        e.flows[0].what_if.is_none(),
        "an endpoint service is no AWS service"
    );
    // The provider, with no traffic of its own: the NLB 730 h × $0.0225 = $16.425
    // (shown $16.43), the endpoint service $0; an internal NLB has no public address.
    let p = w.estimate(&w.caller, vec![]);
    assert_eq!(monthly(&p, Charge::LoadBalancerHours), vec![d("16.425")]);
    assert_eq!(monthly(&p, Charge::EndpointService), vec![d("0")]);
    assert!(monthly(&p, Charge::PublicIpv4).is_empty());
    assert_eq!(p.total.0, d("16.425"));
    assert!(p.to_string().contains("$16.43"));
}

#[test]
fn every_public_ipv4_address_is_billed_in_use_or_idle() {
    let mut w = World::new(7);
    let me = w.caller.clone();
    let vpc = w.vpc("10.0.0.0/16");
    let public = w.subnet_in(&vpc, "10.0.0.0/24", "us-east-1a");
    let igw = w.igw(&vpc);
    let rt = w.route_table(&vpc, &[&public]);
    w.route(&rt, "0.0.0.0/0", To::Igw(&igw));
    let web = w.instance(&public, true, &[]);
    w.lab
        .allocate_address(&me, Tags::new())
        .expect("an idle EIP");
    w.nat(&public);
    w.lab
        .create_load_balancer(
            &me,
            CreateLoadBalancer {
                name: "edge".into(),
                subnets: vec![public.to_string()],
                load_balancer_type: Some("network".into()),
                ..Default::default()
            },
        )
        .expect("an internet-facing NLB");
    let e = w.estimate(&me, vec![]);
    // Four addresses: the instance's public IP, the idle EIP, the NAT's EIP, the NLB
    // node's address: 4 × 730 h × $0.005 = 4 × $3.65 = $14.60.
    let ips: Vec<&str> = e
        .lines
        .iter()
        .filter(|l| l.charge == Charge::PublicIpv4)
        .map(|l| l.component.as_str())
        .collect();
    assert_eq!(ips.len(), 4, "{ips:?}");
    for what in [
        format!("(public IP of instance {web})"),
        "(Elastic IP, idle)".to_owned(),
        "(Elastic IP on NAT gateway nat-".to_owned(),
        "(public IP of load balancer edge)".to_owned(),
    ] {
        assert!(
            ips.iter().any(|c| c.contains(&what)),
            "{what} not in {ips:?}"
        );
    }
    // Total: addresses $14.60 + NAT 730 × $0.045 = $32.85 + NLB 730 × $0.0225 = $16.425
    // = $63.875.
    assert_eq!(e.total.0, d("63.875"));
}

#[test]
fn a_refused_flow_costs_nothing_and_says_why() {
    let mut w = World::new(7);
    let me = w.caller.clone();
    let vpc = w.vpc("10.0.0.0/16");
    let private = w.subnet_in(&vpc, "10.0.1.0/24", "us-east-1a");
    let app = w.instance(&private, false, &[]);
    let e = w.estimate(&me, vec![flow(&app, "203.0.113.10", 443, 100.0)]);
    assert_eq!(e.total.0, d("0"));
    assert!(e.lines.is_empty(), "{:?}", e.lines);
    match &e.flows[0].outcome {
        Outcome::Refused { code, .. } => assert_eq!(code, "NO_ROUTE_TO_DESTINATION"),
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("REFUSED"), "{e}");
}

#[test]
fn flows_the_account_cannot_state_are_refused_whole() {
    let (mut w, app, _) = private_behind_nat("us-east-1a");
    let other = w.other.clone();
    let vpc = w.vpc_as(&other, "10.9.0.0/16", None);
    let subnet = w.subnet_as(&other, &vpc, "10.9.1.0/24", Some("us-east-1a"), None);
    let theirs = w.instance_as(&other, &subnet, false, &[], None);
    let me = w.caller.clone();
    // Another account's instance, an unknown one, a negative GB, a TCP flow without a
    // port, an unknown protocol: each one an InvalidParameterValue naming the flow.
    let cases: Vec<(FlowSpec, &str)> = vec![
        (flow(&theirs, S3, 443, 1.0), "no such instance"),
        (
            FlowSpec {
                from: "i-0123456789abcdef0".into(),
                ..flow(&app, S3, 443, 1.0)
            },
            "no such instance",
        ),
        (flow(&app, S3, 443, -1.0), "negative"),
        (
            FlowSpec {
                port: None,
                ..flow(&app, S3, 443, 1.0)
            },
            "needs a port",
        ),
        (
            FlowSpec {
                protocol: "sctp".into(),
                ..flow(&app, S3, 443, 1.0)
            },
            "use tcp, udp or icmp",
        ),
        (
            FlowSpec {
                from: "sg-123".into(),
                ..flow(&app, S3, 443, 1.0)
            },
            "not an instance",
        ),
    ];
    for (spec, words) in cases {
        let e = w.refuse(&me, vec![flow(&app, S3, 443, 1.0), spec]);
        assert_eq!(e.code(), "InvalidParameterValue");
        assert!(e.to_string().starts_with("flow 2"), "{e}");
        assert!(e.to_string().contains(words), "{words:?} not in {e}");
    }
}

#[test]
fn observed_traffic_is_scaled_to_the_month_and_gone_instances_are_noted() {
    let (w, app, _) = private_behind_nat("us-east-1a");
    // 2^30 bytes out over 3,600 s, scaled to 730 h: × 730 = 730 GB; back 0.
    // NAT processing 730 × $0.045 = $32.85.
    let seen = vec![
        ObservedFlow {
            instance_id: app.to_string(),
            destination: S3.into(),
            port: 443,
            bytes_out: 1 << 30,
            bytes_in: 0,
            connections: 4,
            first_seen_ms: 0,
            last_seen_ms: 3_600_000,
        },
        ObservedFlow {
            instance_id: "i-0aaaaaaaaaaaaaaaa".into(),
            destination: S3.into(),
            port: 443,
            bytes_out: 1,
            bytes_in: 1,
            connections: 1,
            first_seen_ms: 0,
            last_seen_ms: 1,
        },
    ];
    let e = estimate(
        &w.lab,
        &w.caller.account,
        w.caller.region,
        &prices(),
        d("730"),
        &Traffic::Observed(seen),
    )
    .expect("an estimate");
    assert_eq!(e.flows.len(), 1);
    let f = &e.flows[0];
    assert_eq!(f.gb_per_month, d("730"));
    let o = f.observed.as_ref().expect("observed");
    assert_eq!(o.scale, d("730"));
    assert_eq!(monthly(&e, Charge::NatGatewayProcessing), vec![d("32.85")]);
    assert!(
        e.notes.iter().any(|n| n.contains("i-0aaaaaaaaaaaaaaaa")),
        "{:?}",
        e.notes
    );
    let text = e.to_string();
    assert!(text.contains("scaled"), "{text}");
    assert!(text.contains("observed: 1,073,741,824 B out"), "{text}");
}

#[test]
fn the_estimate_serializes_with_exact_amounts() {
    let (w, app, _) = private_behind_nat("us-east-1a");
    let e = w.estimate(&w.caller, vec![flow(&app, S3, 443, 1000.0)]);
    let json = serde_json::to_value(&e).expect("json");
    assert_eq!(json["total"], "81.5");
    assert_eq!(json["hours"], "730");
    assert_eq!(json["traffic"], "stated");
    assert_eq!(json["flows"][0]["what_if"]["cheapest"], "gateway_endpoint");
    assert_eq!(json["flows"][0]["what_if"]["saving"], "81.5");
    assert_eq!(json["flows"][0]["outcome"]["verdict"], "delivered");
    assert_eq!(json["prices"]["date"], "2026-11-28");
    assert_eq!(
        json["prices"]["nat_gateway_hour"]["source"],
        "https://aws.amazon.com/vpc/pricing/"
    );
    assert_eq!(json["lines"][0]["unit_price"], "0.045");
}

#[test]
fn hours_must_be_positive() {
    assert_eq!(vpclab_cost::hours(730.0).expect("ok"), d("730"));
    assert_eq!(vpclab_cost::hours(744.5).expect("ok"), d("744.5"));
    for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        assert_eq!(
            vpclab_cost::hours(bad).expect_err("bad").code(),
            "InvalidParameterValue"
        );
    }
}
