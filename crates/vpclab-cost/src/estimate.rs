//! The estimate: the topology's fixed monthly lines, then each flow priced on the path the
//! one engine traces for it (`vpclab_reach::trace`), then for each flow to an AWS service
//! what the same traffic would cost through a gateway endpoint, an interface endpoint or
//! a NAT gateway.
//!
//! Nothing here decides a path: the trace's hops say which NAT gateway, endpoint, load
//! balancer and zones a flow crosses, and this module only reads them and multiplies.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, Ipv4Addr};

use rust_decimal::Decimal;
use serde::Serialize;
use vpclab_model::{
    AccountId, InstanceId, InterfaceType, Lab, LoadBalancerState, NatGateway, NatGatewayState,
    NetworkInterface, NetworkInterfaceId, Owned, Region, VpcEndpoint, VpcEndpointState,
    VpcEndpointType,
};
use vpclab_reach::{ComponentKind, Delivery, Destination, Flow, Hop, ServiceAccess, Source, Trace};

use crate::err::CostError;
use crate::money::{Usd, decimal_text};
use crate::prices::{Price, PriceBook};
use crate::traffic::{Asked, Observation, Traffic};

/// What a lab's network costs one account in one region over a month.
#[derive(Clone, Debug, Serialize)]
pub struct Estimate {
    /// The account billed.
    pub account: String,
    /// The region.
    pub region: String,
    /// The hours priced (730 for an average month).
    #[serde(serialize_with = "decimal_text")]
    pub hours: Decimal,
    /// Where the traffic came from.
    pub traffic: TrafficSource,
    /// The lines the account pays: the topology's fixed lines first, then each flow's.
    pub lines: Vec<Line>,
    /// The sum of `lines`, exact.
    pub total: Usd,
    /// Each flow: its path's outcome, its monthly cost and, for a flow to an AWS
    /// service, the what-if.
    pub flows: Vec<FlowCost>,
    /// Lines the account's flows cause on another account's bill (a PrivateLink
    /// provider's load balancer): shown, not in the total.
    pub billed_to_others: Vec<Line>,
    /// What the figures assume.
    pub notes: Vec<String>,
    /// The price file used: its date and each price's source.
    pub prices: PriceBook,
}

/// Where an estimate's traffic came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TrafficSource {
    /// A stated profile.
    Stated,
    /// The data plane's observations, scaled to the month.
    Observed,
}

/// What a line charges for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum Charge {
    NatGatewayHours,
    NatGatewayProcessing,
    InterfaceEndpointHours,
    InterfaceEndpointProcessing,
    GatewayEndpoint,
    EndpointService,
    LoadBalancerHours,
    LoadBalancerCapacity,
    PublicIpv4,
    DataTransferInternetOut,
    DataTransferInterAz,
    DataTransferPublicIp,
    DataTransferInterRegion,
    DataTransferSameRegionService,
}

/// One line of the bill.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Line {
    /// What is charged.
    pub charge: Charge,
    /// The item, for people (`NAT gateway`).
    pub item: String,
    /// The component (`nat-0abc… in subnet-… (us-east-1a)`).
    pub component: String,
    /// How many units.
    #[serde(serialize_with = "decimal_text")]
    pub quantity: Decimal,
    /// The unit (`h`, `GB`, `AZ-h`, `NLCU-h`).
    pub unit: String,
    /// The price of one unit.
    pub unit_price: Usd,
    /// `quantity × unit_price`, exact.
    pub monthly: Usd,
    /// The flow (1-based) the line belongs to; none for the topology's fixed lines.
    pub flow: Option<usize>,
    /// The account that pays it.
    pub payer: String,
}

/// One flow of the traffic, priced.
#[derive(Clone, Debug, Serialize)]
pub struct FlowCost {
    /// 1-based, in the profile's order.
    pub number: usize,
    /// The source as asked.
    pub from: String,
    /// The destination as asked.
    pub to: String,
    /// The destination port.
    pub port: u16,
    /// `tcp`, `udp` or `icmp`.
    pub protocol: String,
    /// GB a month from the source to the destination.
    #[serde(serialize_with = "decimal_text")]
    pub gb_per_month: Decimal,
    /// GB a month back.
    #[serde(serialize_with = "decimal_text")]
    pub gb_back_per_month: Decimal,
    /// For observed traffic: what was seen, over how long, and the scale.
    pub observed: Option<Observation>,
    /// Delivered (and through what), or refused (and why).
    pub outcome: Outcome,
    /// What the flow adds to the account's bill (the sum of its lines).
    pub monthly: Usd,
    /// For a flow to an AWS service: the same traffic through each way there.
    pub what_if: Option<WhatIf>,
}

/// What the engine answered for a flow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Outcome {
    /// The flow passes.
    Delivered {
        /// Where it arrives, for people.
        destination: String,
        /// The priced components it crosses (NAT gateways, endpoints, load balancers).
        via: Vec<String>,
    },
    /// The flow is refused: it carries nothing and costs nothing.
    Refused {
        /// AWS Reachability Analyzer's explanation code.
        code: String,
        /// The component that refused it.
        component: String,
        /// Why.
        explanation: String,
    },
}

/// A way to an AWS service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Way {
    /// A gateway endpoint (S3, DynamoDB).
    GatewayEndpoint,
    /// An interface endpoint (PrivateLink).
    InterfaceEndpoint,
    /// A NAT gateway to the service's public address.
    NatGateway,
    /// The instance's own public address, through the internet gateway.
    InternetGateway,
}

impl Way {
    /// A reader's name for it.
    pub fn name(self) -> &'static str {
        match self {
            Way::GatewayEndpoint => "gateway endpoint",
            Way::InterfaceEndpoint => "interface endpoint",
            Way::NatGateway => "NAT gateway",
            Way::InternetGateway => "internet gateway",
        }
    }
}

/// The same traffic to an AWS service, each way.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WhatIf {
    /// The service (`s3`).
    pub service: String,
    /// The region serving it.
    pub service_region: String,
    /// The way the lab takes now.
    pub now: Way,
    /// Each way, with what it would cost a month.
    pub options: Vec<WayCost>,
    /// The cheapest way.
    pub cheapest: Way,
    /// What the cheapest way saves a month over the way taken now.
    pub saving: Usd,
}

/// One way's monthly cost for a flow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WayCost {
    /// The way.
    pub way: Way,
    /// Whether the service can be reached this way at all.
    pub available: bool,
    /// What the flow would cost a month this way (none when unavailable).
    pub monthly: Option<Usd>,
    /// The arithmetic, or why the way is unavailable.
    pub detail: String,
}

/// Hours as an exact decimal: positive, at most ten years.
pub fn hours(value: f64) -> Result<Decimal, CostError> {
    if !value.is_finite() || value <= 0.0 || value > 87_660.0 {
        return Err(CostError::value(format!(
            "hours must be a positive number of hours (730 is a month), not {value}"
        )));
    }
    value
        .to_string()
        .parse()
        .map_err(|_| CostError::value(format!("hours = {value} does not read as a number")))
}

/// Estimates what `account`'s network in `region` costs over `hours`, with `traffic`
/// priced on the paths the engine traces.
///
/// A stated flow from anything but the account's own instance or network interface in
/// the region is refused (`InvalidParameterValue`), as is a negative or non-finite GB; an
/// observed flow whose instance is gone is left out with a note.
pub fn estimate(
    lab: &Lab,
    account: &AccountId,
    region: Region,
    prices: &PriceBook,
    hours: Decimal,
    traffic: &Traffic,
) -> Result<Estimate, CostError> {
    if hours <= Decimal::ZERO {
        return Err(CostError::value("hours must be positive"));
    }
    let mut notes = Vec::new();
    let mut asked = Vec::new();
    for (i, a) in traffic.asked(hours)?.into_iter().enumerate() {
        match question(lab, account, region, i + 1, &a) {
            Ok(flow) => asked.push((a, flow)),
            Err(e) if a.observed.is_some() => notes.push(format!(
                "observed traffic from {} to {} left out: {e}",
                a.spec.from, a.spec.to
            )),
            Err(e) => return Err(e),
        }
    }
    let b = Bill {
        lab,
        account,
        region,
        prices,
        hours,
    };
    let mut all = b.fixed_lines();
    let traces: Vec<Trace> = asked
        .iter()
        .map(|(_, flow)| vpclab_reach::trace(lab, flow))
        .collect();
    // The priced components each delivered flow crosses, to tell whether a NAT gateway
    // or an endpoint serves one flow only (then its hours are that flow's).
    let crossed: Vec<BTreeSet<String>> = traces
        .iter()
        .map(|t| {
            if t.is_delivered() {
                priced_components(lab, t).into_iter().collect()
            } else {
                BTreeSet::new()
            }
        })
        .collect();
    let mut flows = Vec::new();
    for (i, ((a, flow), trace)) in asked.iter().zip(&traces).enumerate() {
        let number = i + 1;
        let flow_lines = b.flow_lines(number, a, trace);
        let monthly = flow_lines
            .iter()
            .filter(|l| l.payer == account.as_str())
            .map(|l| l.monthly)
            .sum();
        let outcome = outcome(lab, trace);
        let others: Vec<&BTreeSet<String>> = crossed
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, c)| c)
            .collect();
        let what_if = b.what_if(a, trace, monthly, &others);
        all.extend(flow_lines);
        flows.push(FlowCost {
            number,
            from: a.spec.from.clone(),
            to: a.spec.to.clone(),
            port: flow.port,
            protocol: flow.protocol.to_string(),
            gb_per_month: a.gb_out,
            gb_back_per_month: a.gb_back,
            observed: a.observed.clone(),
            outcome,
            monthly,
            what_if,
        });
    }
    let (lines, billed_to_others): (Vec<Line>, Vec<Line>) =
        all.into_iter().partition(|l| l.payer == account.as_str());
    let total = lines.iter().map(|l| l.monthly).sum();
    notes.extend(b.tier_notes(&lines));
    if lines
        .iter()
        .any(|l| l.charge == Charge::DataTransferInternetOut)
    {
        notes.push(
            "Data out to the internet is priced at the first tier, without the 100 GB a month AWS gives free across all services and regions of an account (it would take off at most 100 GB × $0.09 = $9.00)."
                .into(),
        );
    }
    if lines
        .iter()
        .any(|l| l.charge == Charge::LoadBalancerCapacity)
        || billed_to_others
            .iter()
            .any(|l| l.charge == Charge::LoadBalancerCapacity)
    {
        notes.push(
            "Load balancer capacity counts the bytes dimension only (1 NLCU-hour per GB processed, spread evenly over the month); many new or active flows would need more NLCUs."
                .into(),
        );
    }
    notes.push(
        "VPCs, subnets, route tables, security groups, network ACLs, internet gateways and peering connections have no charge of their own; instances, volumes and S3 storage and requests are not part of this estimate."
            .into(),
    );
    Ok(Estimate {
        account: account.to_string(),
        region: region.name().to_owned(),
        hours: hours.normalize(),
        traffic: match traffic {
            Traffic::Stated(_) => TrafficSource::Stated,
            Traffic::Observed(_) => TrafficSource::Observed,
        },
        lines,
        total,
        flows,
        billed_to_others,
        notes,
        prices: prices.clone(),
    })
}

/// The engine's question for a flow of the profile; its source must be the account's.
fn question(
    lab: &Lab,
    account: &AccountId,
    region: Region,
    n: usize,
    a: &Asked,
) -> Result<Flow, CostError> {
    let spec = &a.spec;
    let mine = |r: &dyn Owned| r.owner() == account && r.region() == region;
    let source = if spec.from.starts_with("i-") {
        match lab.instance(&spec.from) {
            Some(i) if mine(i) => Source::Instance(InstanceId::new_unchecked(spec.from.clone())),
            _ => {
                return Err(CostError::value(format!(
                    "flow {n}: from = {}: account {account} has no such instance in {}",
                    spec.from,
                    region.name()
                )));
            }
        }
    } else if spec.from.starts_with("eni-") {
        match lab.network_interface(&spec.from) {
            Some(e) if mine(e) => {
                Source::NetworkInterface(NetworkInterfaceId::new_unchecked(spec.from.clone()))
            }
            _ => {
                return Err(CostError::value(format!(
                    "flow {n}: from = {}: account {account} has no such network interface in {}",
                    spec.from,
                    region.name()
                )));
            }
        }
    } else {
        return Err(CostError::value(format!(
            "flow {n}: from = {:?} is not an instance (i-…) or a network interface (eni-…)",
            spec.from
        )));
    };
    if spec.to.trim().is_empty() {
        return Err(CostError::value(format!(
            "flow {n}: to is empty; give a name or an address"
        )));
    }
    let destination = Destination::from(spec.to.trim());
    match (spec.protocol.as_str(), spec.port) {
        ("tcp", Some(port)) => Ok(Flow::tcp(source, destination, port)),
        ("udp", Some(port)) => Ok(Flow::udp(source, destination, port)),
        ("tcp" | "udp", None) => Err(CostError::value(format!(
            "flow {n}: a {} flow needs a port",
            spec.protocol
        ))),
        ("icmp", port) => Ok(Flow {
            port: port.unwrap_or(8),
            ..Flow::ping(source, destination)
        }),
        (other, _) => Err(CostError::value(format!(
            "flow {n}: protocol {other:?}: use tcp, udp or icmp"
        ))),
    }
}

/// The ids of the priced components a trace crosses on its way out, in order.
fn priced_components(lab: &Lab, trace: &Trace) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for hop in &trace.forward {
        let priced = match hop.component.kind {
            ComponentKind::NatGateway | ComponentKind::LoadBalancer => true,
            ComponentKind::VpcEndpoint => lab.vpc_endpoint(&hop.component.id).is_some(),
            _ => false,
        };
        if priced && !out.contains(&hop.component.id) {
            out.push(hop.component.id.clone());
        }
    }
    out
}

fn outcome(lab: &Lab, trace: &Trace) -> Outcome {
    match &trace.verdict {
        vpclab_reach::Verdict::Dropped(r) => Outcome::Refused {
            code: r.code.as_str().to_owned(),
            component: r.component.to_string(),
            explanation: r.explanation.clone(),
        },
        vpclab_reach::Verdict::Delivered(d) => Outcome::Delivered {
            destination: match d {
                Delivery::NetworkInterface {
                    network_interface_id,
                    instance_id,
                    address,
                } => match instance_id {
                    Some(i) => format!("{i} ({network_interface_id}) at {address}"),
                    None => format!("{network_interface_id} at {address}"),
                },
                Delivery::LoadBalancerTarget {
                    network_interface_id,
                    instance_id,
                    port,
                    ..
                } => format!(
                    "{} port {port}, a load balancer target",
                    instance_id.as_deref().unwrap_or(network_interface_id)
                ),
                Delivery::Internet { address, .. } => format!("the internet host {address}"),
                Delivery::AwsService {
                    service, region, ..
                } => format!("{service} in {}", region.name()),
            },
            via: priced_components(lab, trace)
                .into_iter()
                .map(|id| match lab.load_balancer(&id) {
                    Some(lb) => format!("load balancer {}", lb.name),
                    None => id,
                })
                .collect(),
        },
    }
}

/// Where a component of a path sits: its zone and its owner.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Place {
    zone: String,
    owner: String,
    what: String,
}

/// The bill being written: the lab, whose it is, and the prices.
struct Bill<'a> {
    lab: &'a Lab,
    account: &'a AccountId,
    region: Region,
    prices: &'a PriceBook,
    hours: Decimal,
}

impl<'a> Bill<'a> {
    fn mine(&self, r: &dyn Owned) -> bool {
        r.owner() == self.account && r.region() == self.region
    }

    #[allow(clippy::too_many_arguments)]
    fn line(
        &self,
        charge: Charge,
        item: impl Into<String>,
        component: impl Into<String>,
        quantity: Decimal,
        unit: &str,
        price: Usd,
        flow: Option<usize>,
        payer: &str,
    ) -> Line {
        Line {
            charge,
            item: item.into(),
            component: component.into(),
            quantity: quantity.normalize(),
            unit: unit.to_owned(),
            unit_price: price,
            monthly: Usd::times(price, quantity),
            flow,
            payer: payer.to_owned(),
        }
    }

    fn zone_of_subnet(&self, subnet: &str) -> String {
        self.lab
            .subnet(subnet)
            .map(|s| s.availability_zone.clone())
            .unwrap_or_default()
    }

    fn live_nat(n: &NatGateway) -> bool {
        matches!(
            n.state,
            NatGatewayState::Pending | NatGatewayState::Available
        )
    }

    /// AWS: an endpoint is billed while it is provisioned, whatever its association's
    /// state (https://aws.amazon.com/privatelink/pricing/).
    fn live_endpoint(e: &VpcEndpoint) -> bool {
        !matches!(
            e.state,
            VpcEndpointState::Deleted | VpcEndpointState::Deleting | VpcEndpointState::Failed
        )
    }

    /// The topology's lines: what the account pays a month before any byte moves.
    fn fixed_lines(&self) -> Vec<Line> {
        let lab = self.lab;
        let p = self.prices;
        let me = self.account.as_str();
        let h = self.hours;
        let mut out = Vec::new();
        for nat in lab
            .nat_gateways()
            .filter(|n| self.mine(*n) && Self::live_nat(n))
        {
            out.push(self.line(
                Charge::NatGatewayHours,
                "NAT gateway",
                format!(
                    "{} ({})",
                    nat.id,
                    self.zone_of_subnet(nat.subnet_id.as_str())
                ),
                h,
                "h",
                p.nat_gateway_hour.per_unit(),
                None,
                me,
            ));
        }
        let endpoints: Vec<&VpcEndpoint> = lab
            .vpc_endpoints()
            .filter(|e| self.mine(*e) && Self::live_endpoint(e))
            .collect();
        for e in endpoints
            .iter()
            .filter(|e| e.vpc_endpoint_type == VpcEndpointType::Interface)
        {
            let mut zones: Vec<String> = e
                .subnet_ids
                .iter()
                .map(|s| self.zone_of_subnet(s.as_str()))
                .collect();
            zones.sort();
            zones.dedup();
            let count = Decimal::from(e.subnet_ids.len());
            out.push(self.line(
                Charge::InterfaceEndpointHours,
                "interface endpoint",
                format!(
                    "{} {} ({} × {h} h: {})",
                    e.id,
                    e.service_name,
                    plural(e.subnet_ids.len(), "AZ"),
                    zones.join(", ")
                ),
                count * h,
                "AZ-h",
                p.interface_endpoint_az_hour.per_unit(),
                None,
                me,
            ));
        }
        for e in endpoints
            .iter()
            .filter(|e| e.vpc_endpoint_type == VpcEndpointType::Gateway)
        {
            out.push(self.line(
                Charge::GatewayEndpoint,
                "gateway endpoint",
                format!("{} {} (no charge)", e.id, e.service_name),
                Decimal::ONE,
                "endpoint",
                p.gateway_endpoint.per_unit(),
                None,
                me,
            ));
        }
        for svc in lab.vpc_endpoint_services().filter(|s| self.mine(*s)) {
            // AWS: a PrivateLink provider pays for the load balancers, not the service.
            out.push(self.line(
                Charge::EndpointService,
                "endpoint service",
                format!("{} (no charge; its load balancers are billed)", svc.id),
                Decimal::ONE,
                "service",
                Usd::ZERO,
                None,
                me,
            ));
        }
        for lb in lab
            .load_balancers()
            .filter(|l| self.mine(*l) && l.state != LoadBalancerState::Failed)
        {
            out.push(self.line(
                Charge::LoadBalancerHours,
                "Network Load Balancer",
                format!(
                    "{} ({}, {})",
                    lb.name,
                    lb.scheme.as_str(),
                    plural(lb.availability_zones.len(), "AZ")
                ),
                h,
                "h",
                p.nlb_hour.per_unit(),
                None,
                me,
            ));
        }
        for (ip, what) in self.public_ipv4_addresses() {
            out.push(self.line(
                Charge::PublicIpv4,
                "public IPv4",
                format!("{ip} {what}"),
                h,
                "h",
                p.public_ipv4_hour.per_unit(),
                None,
                me,
            ));
        }
        out
    }

    /// Every public IPv4 address the account holds in the region, in use or idle: its
    /// Elastic IPs, and the addresses AWS assigned to its interfaces (instances'
    /// public IPs, internet-facing load balancers' nodes).
    fn public_ipv4_addresses(&self) -> BTreeMap<Ipv4Addr, String> {
        let lab = self.lab;
        let mut out = BTreeMap::new();
        for a in lab.addresses().filter(|a| self.mine(*a)) {
            let what = match &a.association {
                Some(assoc) => match lab.network_interface(assoc.network_interface_id.as_str()) {
                    Some(eni) => format!("(Elastic IP on {})", self.holder(eni)),
                    None => "(Elastic IP)".to_owned(),
                },
                None => "(Elastic IP, idle)".to_owned(),
            };
            out.insert(a.public_ip, what);
        }
        for eni in lab.network_interfaces().filter(|e| self.mine(*e)) {
            for p in &eni.private_ips {
                if let Some(assoc) = &p.association
                    && assoc.allocation_id.is_none()
                {
                    out.entry(assoc.public_ip)
                        .or_insert_with(|| format!("(public IP of {})", self.holder(eni)));
                }
            }
        }
        out
    }

    /// What an interface belongs to, for people.
    fn holder(&self, eni: &NetworkInterface) -> String {
        let lab = self.lab;
        if let Some(i) = lab.instance_of(eni) {
            return format!("instance {}", i.id);
        }
        match eni.interface_type {
            InterfaceType::NatGateway => lab
                .nat_gateways()
                .find(|n| n.network_interface_id.as_ref() == Some(&eni.id))
                .map_or_else(|| eni.id.to_string(), |n| format!("NAT gateway {}", n.id)),
            InterfaceType::NetworkLoadBalancer => {
                lab.load_balancer_of_interface(eni.id.as_str()).map_or_else(
                    || eni.id.to_string(),
                    |lb| format!("load balancer {}", lb.name),
                )
            }
            _ => eni.id.to_string(),
        }
    }

    /// Where a hop's component sits, if it sits in a zone.
    fn place(&self, hop: &Hop) -> Option<Place> {
        let lab = self.lab;
        let id = hop.component.id.as_str();
        match hop.component.kind {
            ComponentKind::Instance => lab.instance(id).map(|i| Place {
                zone: i.availability_zone.clone(),
                owner: i.owner_id.to_string(),
                what: i.id.to_string(),
            }),
            ComponentKind::NetworkInterface => lab.network_interface(id).map(|e| Place {
                zone: e.availability_zone.clone(),
                owner: e.owner_id.to_string(),
                what: lab
                    .instance_of(e)
                    .map_or_else(|| e.id.to_string(), |i| i.id.to_string()),
            }),
            ComponentKind::NatGateway => lab.nat_gateway(id).map(|n| Place {
                zone: self.zone_of_subnet(n.subnet_id.as_str()),
                owner: n.owner_id.to_string(),
                what: n.id.to_string(),
            }),
            // The engine's translation at a target group names the load balancer node
            // the connection leaves from (its address is the new source).
            ComponentKind::TargetGroup => {
                let tg = lab.target_group(id)?;
                let node = lab.eni_by_private_ip(&tg.vpc_id, hop.outbound.source)?;
                if node.interface_type != InterfaceType::NetworkLoadBalancer {
                    return None;
                }
                Some(Place {
                    zone: node.availability_zone.clone(),
                    owner: node.owner_id.to_string(),
                    what: lab
                        .load_balancer_of_interface(node.id.as_str())
                        .map_or_else(|| node.id.to_string(), |lb| lb.name.clone()),
                })
            }
            _ => None,
        }
    }

    /// A flow's lines, read from its trace: what each priced component it crosses
    /// charges for its bytes, and the data transfer between the places it crosses.
    fn flow_lines(&self, n: usize, a: &Asked, trace: &Trace) -> Vec<Line> {
        if !trace.is_delivered() {
            return Vec::new();
        }
        let lab = self.lab;
        let p = self.prices;
        let me = self.account.as_str();
        let both = a.gb_out + a.gb_back;
        let mut out = Vec::new();
        let mut seen: Vec<&str> = Vec::new();
        for hop in &trace.forward {
            let id = hop.component.id.as_str();
            if seen.contains(&id) {
                continue;
            }
            match hop.component.kind {
                ComponentKind::NatGateway => {
                    let payer = lab
                        .nat_gateway(id)
                        .map_or(me.to_owned(), |x| x.owner_id.to_string());
                    out.push(self.line(
                        Charge::NatGatewayProcessing,
                        "NAT gateway processing",
                        id,
                        both,
                        "GB",
                        p.nat_gateway_gb.per_unit(),
                        Some(n),
                        &payer,
                    ));
                }
                ComponentKind::VpcEndpoint => {
                    let Some(e) = lab.vpc_endpoint(id) else {
                        continue;
                    };
                    let payer = e.owner_id.to_string();
                    match e.vpc_endpoint_type {
                        VpcEndpointType::Interface => out.push(self.line(
                            Charge::InterfaceEndpointProcessing,
                            "interface endpoint processing",
                            id,
                            both,
                            "GB",
                            p.interface_endpoint_gb.per_unit(),
                            Some(n),
                            &payer,
                        )),
                        VpcEndpointType::Gateway => out.push(self.line(
                            Charge::GatewayEndpoint,
                            "gateway endpoint",
                            format!("{id} (no charge)"),
                            both,
                            "GB",
                            p.gateway_endpoint.per_unit(),
                            Some(n),
                            &payer,
                        )),
                    }
                }
                ComponentKind::LoadBalancer => {
                    let Some(lb) = lab.load_balancer(id) else {
                        continue;
                    };
                    // NLCU, bytes dimension: 1 GB processed an hour is one NLCU, so a
                    // month's GB spread over its hours is that many NLCU-hours.
                    out.push(self.line(
                        Charge::LoadBalancerCapacity,
                        "load balancer capacity (NLCU, bytes)",
                        lb.name.clone(),
                        both,
                        "NLCU-h",
                        p.nlb_nlcu_hour.per_unit(),
                        Some(n),
                        lb.owner_id.as_str(),
                    ));
                }
                _ => continue,
            }
            seen.push(id);
        }
        // The places the path crosses before it leaves the network (an internet gateway).
        let private: Vec<&Hop> = trace
            .forward
            .iter()
            .take_while(|h| h.component.kind != ComponentKind::InternetGateway)
            .collect();
        let crossed_igw = private.len() < trace.forward.len();
        let mut places: Vec<Place> = Vec::new();
        for hop in &private {
            if let Some(place) = self.place(hop)
                && places.last().is_none_or(|last| last.what != place.what)
            {
                places.push(place);
            }
        }
        for pair in places.windows(2) {
            let (from, to) = (&pair[0], &pair[1]);
            if from.zone == to.zone || from.zone.is_empty() || to.zone.is_empty() {
                continue;
            }
            // AWS: $0.01/GB in each direction — out of one zone and into the other, each
            // side on its owner's bill; the bytes back cross the same boundary too.
            let rate = p.data_transfer_inter_az_gb.usd;
            let item = "inter-AZ transfer";
            let path = format!("{} ({}) → {} ({})", from.what, from.zone, to.what, to.zone);
            if from.owner == to.owner {
                out.push(self.line(
                    Charge::DataTransferInterAz,
                    item,
                    format!("{path}, both sides"),
                    both,
                    "GB",
                    Usd(rate * Decimal::TWO),
                    Some(n),
                    &from.owner,
                ));
            } else {
                for side in [from, to] {
                    out.push(self.line(
                        Charge::DataTransferInterAz,
                        item,
                        format!("{path}, {}'s side", side.what),
                        both,
                        "GB",
                        Usd(rate),
                        Some(n),
                        &side.owner,
                    ));
                }
            }
        }
        let source_owner = places.first().map_or(me.to_owned(), |pl| pl.owner.clone());
        match trace.delivery() {
            Some(Delivery::Internet { address, .. }) => out.push(self.line(
                Charge::DataTransferInternetOut,
                "data transfer out to the internet",
                format!("→ {address}"),
                a.gb_out,
                "GB",
                p.data_transfer_internet_out_gb.per_unit(),
                Some(n),
                &source_owner,
            )),
            Some(Delivery::AwsService {
                service, region, ..
            }) if *region == self.region => out.push(self.line(
                Charge::DataTransferSameRegionService,
                format!("data transfer to {service}"),
                "(same region: no charge)",
                both,
                "GB",
                p.data_transfer_same_region_service_gb.per_unit(),
                Some(n),
                &source_owner,
            )),
            Some(Delivery::AwsService {
                service, region, ..
            }) => out.push(self.line(
                Charge::DataTransferInterRegion,
                format!("data transfer to {} ({service})", region.name()),
                format!("{} → {}", self.region.name(), region.name()),
                a.gb_out,
                "GB",
                p.data_transfer_inter_region_gb.per_unit(),
                Some(n),
                &source_owner,
            )),
            Some(Delivery::NetworkInterface {
                network_interface_id,
                ..
            })
            | Some(Delivery::LoadBalancerTarget {
                network_interface_id,
                ..
            }) if crossed_igw => {
                // AWS: traffic to a public address inside the region pays regional data
                // transfer each way, on both ends, even in one zone.
                let dest_owner = lab
                    .network_interface(network_interface_id)
                    .map_or(me.to_owned(), |e| e.owner_id.to_string());
                let public = trace
                    .forward
                    .iter()
                    .find(|h| h.component.kind == ComponentKind::InternetGateway)
                    .map(|h| h.outbound.destination);
                let to = public
                    .map_or_else(|| network_interface_id.clone(), |ip: IpAddr| ip.to_string());
                let rate = p.data_transfer_public_ip_gb.usd;
                if dest_owner == source_owner {
                    out.push(self.line(
                        Charge::DataTransferPublicIp,
                        "data transfer via a public IPv4 address",
                        format!("→ {to} (both sides)"),
                        both,
                        "GB",
                        Usd(rate * Decimal::TWO),
                        Some(n),
                        &source_owner,
                    ));
                } else {
                    for (side, payer) in [("sender", &source_owner), ("receiver", &dest_owner)] {
                        out.push(self.line(
                            Charge::DataTransferPublicIp,
                            "data transfer via a public IPv4 address",
                            format!("→ {to} ({side}'s side)"),
                            both,
                            "GB",
                            Usd(rate),
                            Some(n),
                            payer,
                        ));
                    }
                }
            }
            _ => {}
        }
        out
    }

    /// For a flow delivered to an AWS service: the same GB a month through a gateway
    /// endpoint, an interface endpoint and a NAT gateway. A component the flow alone
    /// would use (one that does not exist yet, or one no other flow crosses) brings its
    /// hours; one that exists and serves others too does not.
    fn what_if(
        &self,
        a: &Asked,
        trace: &Trace,
        flow_monthly: Usd,
        others: &[&BTreeSet<String>],
    ) -> Option<WhatIf> {
        let Some(Delivery::AwsService {
            service,
            region: service_region,
            access,
        }) = trace.delivery()
        else {
            return None;
        };
        let lab = self.lab;
        let p = self.prices;
        let h = self.hours;
        let both = a.gb_out + a.gb_back;
        let used = priced_components(lab, trace);
        let shared = |id: &str| others.iter().any(|c| c.contains(id));
        let nat_used = used
            .iter()
            .find_map(|id| lab.nat_gateway(id).map(|n| n.id.to_string()));
        let now = match access {
            ServiceAccess::GatewayEndpoint { .. } => Way::GatewayEndpoint,
            ServiceAccess::InterfaceEndpoint { .. } => Way::InterfaceEndpoint,
            ServiceAccess::PublicAddress(_) if nat_used.is_some() => Way::NatGateway,
            ServiceAccess::PublicAddress(_) => Way::InternetGateway,
        };
        let vpc = trace
            .forward
            .iter()
            .find(|hop| hop.component.kind == ComponentKind::NetworkInterface)
            .and_then(|hop| lab.network_interface(&hop.component.id))
            .map(|e| e.vpc_id.clone());
        let same_region = *service_region == self.region;
        let gb_text = format!("{} GB", crate::money::quantity_text(both));
        let hours_text = crate::money::quantity_text(h);

        // The way taken now: what the flow's lines cost, plus the hours of a component
        // only this flow uses.
        let current = {
            let mut cost = flow_monthly;
            let mut detail = format!("this flow's lines {flow_monthly}");
            match now {
                Way::NatGateway => {
                    if let Some(nat) = nat_used.as_deref().and_then(|id| lab.nat_gateway(id)) {
                        if shared(nat.id.as_str()) {
                            detail.push_str(&format!(
                                "; {} also carries other flows, so its hours stay either way",
                                nat.id
                            ));
                        } else {
                            let hours_cost = Usd::times(p.nat_gateway_hour.per_unit(), h);
                            cost = cost + hours_cost;
                            detail.push_str(&format!(
                                " + {} {hours_text} h × {} = {hours_cost}",
                                nat.id,
                                p.nat_gateway_hour.per_unit().price_text()
                            ));
                            if nat.public_ip.is_some() {
                                let ip = Usd::times(p.public_ipv4_hour.per_unit(), h);
                                cost = cost + ip;
                                detail.push_str(&format!(
                                    " + its Elastic IP {hours_text} h × {} = {ip}",
                                    p.public_ipv4_hour.per_unit().price_text()
                                ));
                            }
                            detail.push_str(" (no other flow uses it)");
                        }
                    }
                }
                Way::InterfaceEndpoint => {
                    let endpoint = used.iter().find_map(|id| {
                        lab.vpc_endpoint(id)
                            .filter(|e| e.vpc_endpoint_type == VpcEndpointType::Interface)
                    });
                    if let Some(e) = endpoint {
                        if shared(e.id.as_str()) {
                            detail.push_str(&format!(
                                "; {} also carries other flows, so its hours stay either way",
                                e.id
                            ));
                        } else {
                            let zones = Decimal::from(e.subnet_ids.len());
                            let hours_cost =
                                Usd::times(p.interface_endpoint_az_hour.per_unit(), zones * h);
                            cost = cost + hours_cost;
                            detail.push_str(&format!(
                                " + {} {} × {hours_text} h × {} = {hours_cost} (no other flow uses it)",
                                e.id,
                                plural(e.subnet_ids.len(), "AZ"),
                                p.interface_endpoint_az_hour.per_unit().price_text()
                            ));
                        }
                    }
                }
                Way::GatewayEndpoint | Way::InternetGateway => {}
            }
            WayCost {
                way: now,
                available: true,
                monthly: Some(cost),
                detail,
            }
        };

        let mut options = Vec::new();
        // A gateway endpoint: S3 and DynamoDB only, in the VPC's own region.
        options.push(if now == Way::GatewayEndpoint {
            current.clone()
        } else if matches!(service.as_str(), "s3" | "dynamodb") && same_region {
            WayCost {
                way: Way::GatewayEndpoint,
                available: true,
                monthly: Some(Usd::ZERO),
                detail: "no hourly charge, no per-GB charge".into(),
            }
        } else {
            WayCost {
                way: Way::GatewayEndpoint,
                available: false,
                monthly: None,
                detail: if same_region {
                    format!("{service} has no gateway endpoint (only S3 and DynamoDB do)")
                } else {
                    format!(
                        "a gateway endpoint serves its own region only, not {}",
                        service_region.name()
                    )
                },
            }
        });
        // An interface endpoint in the source's VPC.
        options.push(if now == Way::InterfaceEndpoint {
            current.clone()
        } else if !same_region {
            WayCost {
                way: Way::InterfaceEndpoint,
                available: false,
                monthly: None,
                detail: format!(
                    "an interface endpoint in {} serves that region's services",
                    self.region.name()
                ),
            }
        } else {
            let service_name = format!("com.amazonaws.{}.{service}", self.region.name());
            let existing = vpc.as_ref().and_then(|v| {
                lab.vpc_endpoints().find(|e| {
                    &e.vpc_id == v
                        && e.service_name == service_name
                        && e.vpc_endpoint_type == VpcEndpointType::Interface
                        && Self::live_endpoint(e)
                })
            });
            let per_gb = Usd::times(p.interface_endpoint_gb.per_unit(), both);
            let per_gb_text = format!(
                "{gb_text} × {} = {per_gb}",
                p.interface_endpoint_gb.per_unit().price_text()
            );
            match existing {
                Some(e) => WayCost {
                    way: Way::InterfaceEndpoint,
                    available: true,
                    monthly: Some(per_gb),
                    detail: format!("{per_gb_text} ({} exists already)", e.id),
                },
                None => {
                    let hours_cost = Usd::times(p.interface_endpoint_az_hour.per_unit(), h);
                    WayCost {
                        way: Way::InterfaceEndpoint,
                        available: true,
                        monthly: Some(hours_cost + per_gb),
                        detail: format!(
                            "1 AZ × {hours_text} h × {} = {hours_cost} + {per_gb_text}",
                            p.interface_endpoint_az_hour.per_unit().price_text()
                        ),
                    }
                }
            }
        });
        // A NAT gateway to the service's public address.
        options.push(if now == Way::NatGateway {
            current.clone()
        } else {
            let per_gb = Usd::times(p.nat_gateway_gb.per_unit(), both);
            let mut cost = per_gb;
            let mut detail = format!(
                "{gb_text} × {} = {per_gb}",
                p.nat_gateway_gb.per_unit().price_text()
            );
            if !same_region {
                let transfer = Usd::times(p.data_transfer_inter_region_gb.per_unit(), a.gb_out);
                cost = cost + transfer;
                detail.push_str(&format!(" + data transfer to {} {transfer}", service_region.name()));
            }
            let existing = vpc.as_ref().and_then(|v| {
                lab.nat_gateways()
                    .find(|n| &n.vpc_id == v && Self::live_nat(n))
            });
            match existing {
                Some(n) => detail.push_str(&format!(" (through {}, which exists already)", n.id)),
                None => {
                    let nat_hours = Usd::times(p.nat_gateway_hour.per_unit(), h);
                    let ip = Usd::times(p.public_ipv4_hour.per_unit(), h);
                    cost = cost + nat_hours + ip;
                    detail.push_str(&format!(
                        " + a new NAT gateway {hours_text} h × {} = {nat_hours} + its Elastic IP {hours_text} h × {} = {ip}",
                        p.nat_gateway_hour.per_unit().price_text(),
                        p.public_ipv4_hour.per_unit().price_text()
                    ));
                }
            }
            WayCost {
                way: Way::NatGateway,
                available: true,
                monthly: Some(cost),
                detail,
            }
        });
        if now == Way::InternetGateway {
            options.push(current.clone());
        }
        // The cheapest available way; on a tie, the one listed first (gateway endpoint,
        // interface endpoint, NAT gateway, internet gateway).
        let (cheapest, cheapest_cost) = options
            .iter()
            .filter_map(|o| o.monthly.map(|m| (o.way, m)))
            .fold(None, |best: Option<(Way, Usd)>, (way, m)| match best {
                Some((_, b)) if b <= m => best,
                _ => Some((way, m)),
            })?;
        let now_cost = current.monthly.unwrap_or(Usd::ZERO);
        let saving = if now_cost > cheapest_cost {
            now_cost - cheapest_cost
        } else {
            Usd::ZERO
        };
        Some(WhatIf {
            service: service.clone(),
            service_region: service_region.name().to_owned(),
            now,
            options,
            cheapest: if saving == Usd::ZERO { now } else { cheapest },
            saving,
        })
    }

    /// A note for each tiered price whose first tier the month's quantity passes.
    fn tier_notes(&self, lines: &[Line]) -> Vec<String> {
        let tiered: [(Charge, &Price); 2] = [
            (
                Charge::DataTransferInternetOut,
                &self.prices.data_transfer_internet_out_gb,
            ),
            (
                Charge::InterfaceEndpointProcessing,
                &self.prices.interface_endpoint_gb,
            ),
        ];
        tiered
            .iter()
            .filter_map(|(charge, price)| {
                let limit = price.first_tier_gb?;
                let sum: Decimal = lines
                    .iter()
                    .filter(|l| l.charge == *charge)
                    .map(|l| l.quantity)
                    .sum();
                (sum > limit).then(|| {
                    format!(
                        "{} GB of {} pass the first price tier ({} GB a month); the estimate prices all of it at the first tier's {}, so it is a little high.",
                        crate::money::quantity_text(sum),
                        price.unit,
                        crate::money::quantity_text(limit),
                        price.per_unit().price_text()
                    )
                })
            })
            .collect()
    }
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}
