//! The topology: what the view's accounts own in the view's region as clusters and
//! nodes, and the edges of route tables, endpoints, load balancers and peering.

use std::collections::{BTreeMap, HashMap, HashSet};

use vpclab_model::aws_service::AwsService;
use vpclab_model::{
    AccountId, EgressOnlyInternetGateway, Instance, InstanceState, InterfaceType, InternetGateway,
    Lab, LoadBalancer, NatGateway, NatGatewayState, NetworkInterface, Owned, PeeringStatusCode,
    Region, RouteDestination, RouteState, RouteTarget, Subnet, Tags, Vpc, VpcEndpoint,
    VpcEndpointServiceConfiguration, VpcEndpointState, VpcEndpointType, VpcId,
};

use crate::View;
use crate::graph::*;

/// The drawing so far, and what the trace overlay needs to find things in it.
pub(crate) struct Drawing {
    /// The drawing.
    pub diagram: Diagram,
    /// The node that stands for each drawn network interface (its instance, NAT gateway,
    /// endpoint or load balancer node, or itself).
    pub eni_node: HashMap<String, String>,
}

/// The name of the cluster of `account`.
pub(crate) fn account_name(account: &AccountId) -> String {
    format!("account_{}", node_name(account.as_str()))
}

/// The name of the node of an AWS service in a region (`aws_s3_us_east_1`).
pub(crate) fn service_node_name(service: &str, region: Region) -> String {
    format!("aws_{}", node_name(&format!("{service}.{}", region.name())))
}

/// The node of an AWS service in a region.
pub(crate) fn service_node(service: &str, region: Region) -> Node {
    let title = match service {
        "s3" => "Amazon S3".to_owned(),
        "sts" => "AWS STS".to_owned(),
        "dynamodb" => "Amazon DynamoDB".to_owned(),
        other => format!("AWS {other}"),
    };
    Node::new(
        service_node_name(service, region),
        NodeKind::AwsService,
        vec![title, format!("com.amazonaws.{}.{service}", region.name())],
    )
}

/// The internet's node.
pub(crate) fn internet_node() -> Node {
    Node::new(
        "internet".into(),
        NodeKind::Internet,
        vec!["internet".into()],
    )
}

/// A node for something drawn elsewhere or not at all.
pub(crate) fn elsewhere_node(id: &str, lines: Vec<String>) -> Node {
    Node::new(node_name(id), NodeKind::Elsewhere, lines)
}

/// The `Name` tag, when it has one worth showing.
pub(crate) fn name_tag(tags: &Tags) -> Option<String> {
    tags.get("Name").filter(|n| !n.trim().is_empty()).cloned()
}

/// `lines` after the `Name` tag, if any.
fn named(tags: &Tags, lines: Vec<String>) -> Vec<String> {
    name_tag(tags).into_iter().chain(lines).collect()
}

/// The services the lab itself serves, always drawn beside the VPCs.
const SERVED: [&str; 2] = ["s3", "sts"];

/// Draws what `view` shows of `lab`, without the trace.
pub(crate) fn draw(lab: &Lab, view: &View) -> Drawing {
    let mut b = Builder {
        lab,
        view,
        places: Places::of(lab),
        names: HashSet::new(),
        outside: BTreeMap::new(),
        eni_node: HashMap::new(),
        subnets: Vec::new(),
        edges: Vec::new(),
    };
    let mut clusters = Vec::new();
    let mut left_out = Vec::new();
    let vpcs_with_interfaces: HashSet<&VpcId> =
        lab.network_interfaces().map(|e| &e.vpc_id).collect();
    for account in &view.accounts {
        let mut cluster = Cluster::new(
            account_name(account),
            ClusterKind::Account,
            vec![format!("account {account}"), view.region.name().to_owned()],
        );
        let own = |owner: &AccountId, region: Region| owner == account && region == view.region;
        for vpc in sorted(lab.vpcs().filter(|v| own(v.owner(), v.region()))) {
            // Every account has a default VPC in every region; an empty one says nothing
            // about the network being drawn and would crowd it out.
            if vpc.is_default && !vpcs_with_interfaces.contains(&vpc.id) {
                left_out.push(vpc.id.to_string());
                continue;
            }
            cluster.clusters.push(b.vpc(vpc));
        }
        for svc in lab
            .vpc_endpoint_services()
            .filter(|s| own(s.owner(), s.region()))
        {
            let node = b.endpoint_service_node(svc);
            cluster.nodes.push(b.node(node));
        }
        b.names.insert(cluster.name.clone());
        clusters.push(cluster);
    }
    for service in SERVED {
        b.outside(service_node(service, view.region));
    }
    b.edges();
    let mut caption = vec![format!(
        "vpclab · {} · {}",
        view.accounts
            .iter()
            .map(|a| format!("account {a}"))
            .collect::<Vec<_>>()
            .join(", "),
        view.region.name()
    )];
    if !left_out.is_empty() {
        caption.push(format!(
            "not drawn: the empty default VPC {}",
            left_out.join(", ")
        ));
    }
    let mut edges = merge(b.edges);
    edges.sort_by(|a, b| (&a.from, &a.to, a.kind).cmp(&(&b.from, &b.to, b.kind)));
    let mut diagram = Diagram {
        caption,
        clusters,
        nodes: b.outside.into_values().collect(),
        edges,
    };
    for c in &mut diagram.clusters {
        c.sort();
    }
    Drawing {
        diagram,
        eni_node: b.eni_node,
    }
}

/// Joins the labels of edges with the same ends and kind (a subnet's two routes to one
/// gateway are one arrow with two destinations).
fn merge(edges: Vec<Edge>) -> Vec<Edge> {
    let mut by_ends: BTreeMap<(String, String, EdgeKind), Vec<String>> = BTreeMap::new();
    for e in edges {
        let lines = by_ends.entry((e.from, e.to, e.kind)).or_default();
        for l in e.lines {
            if !lines.contains(&l) {
                lines.push(l);
            }
        }
    }
    by_ends
        .into_iter()
        .map(|((from, to, kind), mut lines)| {
            // Destinations sorted; a blackhole's note last.
            lines.sort_by_key(|l| (l == BLACKHOLE, l.clone()));
            Edge {
                from,
                to,
                kind,
                lines,
            }
        })
        .collect()
}

const BLACKHOLE: &str = "(blackhole)";

/// The items sorted by their ids.
fn sorted<'a, T: HasId + 'a>(items: impl Iterator<Item = &'a T>) -> Vec<&'a T> {
    let mut v: Vec<&T> = items.collect();
    v.sort_by(|a, b| a.id().cmp(b.id()));
    v
}

trait HasId {
    fn id(&self) -> &str;
}

impl HasId for Vpc {
    fn id(&self) -> &str {
        self.id.as_str()
    }
}

impl HasId for Subnet {
    fn id(&self) -> &str {
        self.id.as_str()
    }
}

/// The lab's resources grouped by the VPC or subnet they are drawn in, gathered in one
/// pass so that drawing stays linear in the size of the lab.
#[derive(Default)]
struct Places<'a> {
    subnets: HashMap<&'a str, Vec<&'a Subnet>>,
    instances: HashMap<&'a str, Vec<&'a Instance>>,
    nat_gateways: HashMap<&'a str, Vec<&'a NatGateway>>,
    interfaces: HashMap<&'a str, Vec<&'a NetworkInterface>>,
    gateway_endpoints: HashMap<&'a str, Vec<&'a VpcEndpoint>>,
    internet_gateways: HashMap<&'a str, Vec<&'a InternetGateway>>,
    egress_only_internet_gateways: HashMap<&'a str, Vec<&'a EgressOnlyInternetGateway>>,
}

impl<'a> Places<'a> {
    fn of(lab: &'a Lab) -> Places<'a> {
        let mut p = Places::default();
        for s in lab.subnets() {
            p.subnets.entry(s.vpc_id.as_str()).or_default().push(s);
        }
        for i in lab.instances() {
            p.instances.entry(i.subnet_id.as_str()).or_default().push(i);
        }
        for n in lab.nat_gateways() {
            p.nat_gateways
                .entry(n.subnet_id.as_str())
                .or_default()
                .push(n);
        }
        for e in lab.network_interfaces() {
            p.interfaces
                .entry(e.subnet_id.as_str())
                .or_default()
                .push(e);
        }
        for e in lab
            .vpc_endpoints()
            .filter(|e| e.vpc_endpoint_type == VpcEndpointType::Gateway)
        {
            p.gateway_endpoints
                .entry(e.vpc_id.as_str())
                .or_default()
                .push(e);
        }
        for g in lab.internet_gateways() {
            if let Some(vpc) = &g.attachment {
                p.internet_gateways.entry(vpc.as_str()).or_default().push(g);
            }
        }
        for g in lab.egress_only_internet_gateways() {
            p.egress_only_internet_gateways
                .entry(g.vpc_id.as_str())
                .or_default()
                .push(g);
        }
        p
    }
}

/// The items at `key` (a copy of the references, so the builder can change while it
/// goes through them); none when there are none.
fn at<'a, T>(map: &HashMap<&'a str, Vec<&'a T>>, key: &str) -> Vec<&'a T> {
    map.get(key).cloned().unwrap_or_default()
}

struct Builder<'a> {
    lab: &'a Lab,
    view: &'a View,
    places: Places<'a>,
    /// Every node and cluster drawn so far.
    names: HashSet<String>,
    /// Nodes outside every cluster, by name.
    outside: BTreeMap<String, Node>,
    eni_node: HashMap<String, String>,
    /// The subnets drawn, whose route tables become edges.
    subnets: Vec<&'a Subnet>,
    edges: Vec<Edge>,
}

impl<'a> Builder<'a> {
    fn node(&mut self, node: Node) -> Node {
        self.names.insert(node.name.clone());
        node
    }

    /// Adds a node outside every cluster (once), and returns its name.
    fn outside(&mut self, node: Node) -> String {
        let name = node.name.clone();
        if !self.names.contains(&name) {
            self.names.insert(name.clone());
            self.outside.insert(name.clone(), node);
        }
        name
    }

    fn edge(&mut self, from: &str, to: &str, kind: EdgeKind, lines: Vec<String>) {
        self.edges.push(Edge {
            from: from.to_owned(),
            to: to.to_owned(),
            kind,
            lines,
        });
    }

    fn vpc(&mut self, vpc: &'a Vpc) -> Cluster {
        let cidrs: Vec<String> = vpc
            .cidr_block_associations
            .iter()
            .map(|b| b.cidr.to_string())
            .chain(
                vpc.ipv6_cidr_block_associations
                    .iter()
                    .map(|b| b.cidr.to_string()),
            )
            .collect();
        let title = if vpc.is_default {
            format!("VPC {} (default)", vpc.id)
        } else {
            format!("VPC {}", vpc.id)
        };
        let mut cluster = Cluster::new(
            node_name(vpc.id.as_str()),
            ClusterKind::Vpc,
            named(&vpc.tags, vec![title, cidrs.join(", ")]),
        );
        self.names.insert(cluster.name.clone());
        let mut zones: BTreeMap<&str, Cluster> = BTreeMap::new();
        for subnet in sorted(at(&self.places.subnets, vpc.id.as_str()).into_iter()) {
            let zone = zones
                .entry(subnet.availability_zone.as_str())
                .or_insert_with(|| {
                    Cluster::new(
                        node_name(&format!("{}.{}", vpc.id, subnet.availability_zone)),
                        ClusterKind::AvailabilityZone,
                        vec![subnet.availability_zone.clone()],
                    )
                });
            let drawn = self.subnet(subnet);
            zone.clusters.push(drawn);
        }
        for zone in zones.into_values() {
            self.names.insert(zone.name.clone());
            cluster.clusters.push(zone);
        }
        // On the VPC's edge: its gateways and gateway endpoints.
        for igw in at(&self.places.internet_gateways, vpc.id.as_str()) {
            let node = Node::new(
                node_name(igw.id.as_str()),
                NodeKind::InternetGateway,
                named(&igw.tags, vec![format!("internet gateway {}", igw.id)]),
            );
            let node = self.node(node);
            let internet = self.outside(internet_node());
            self.edge(&node.name, &internet, EdgeKind::Link, vec![]);
            cluster.nodes.push(node);
        }
        for eigw in at(&self.places.egress_only_internet_gateways, vpc.id.as_str()) {
            let node = self.node(Node::new(
                node_name(eigw.id.as_str()),
                NodeKind::EgressOnlyInternetGateway,
                named(
                    &eigw.tags,
                    vec![format!("egress-only internet gateway {}", eigw.id)],
                ),
            ));
            let internet = self.outside(internet_node());
            self.edge(
                &node.name,
                &internet,
                EdgeKind::Link,
                vec!["IPv6 out".into()],
            );
            cluster.nodes.push(node);
        }
        for e in at(&self.places.gateway_endpoints, vpc.id.as_str())
            .into_iter()
            .filter(|e| e.state != VpcEndpointState::Deleted)
        {
            let mut lines = vec![format!("gateway endpoint {}", e.id), e.service_name.clone()];
            if e.state != VpcEndpointState::Available {
                lines.push(e.state.as_str().to_owned());
            }
            let node = self.node(Node::new(
                node_name(e.id.as_str()),
                NodeKind::GatewayEndpoint,
                named(&e.tags, lines),
            ));
            if let Some(to) = self.service_of(e) {
                self.edge(&node.name, &to, EdgeKind::Link, vec![]);
            }
            cluster.nodes.push(node);
        }
        cluster
    }

    fn subnet(&mut self, subnet: &'a Subnet) -> Cluster {
        let lab = self.lab;
        let table = lab.route_table_for_subnet(subnet);
        // AWS: a subnet whose route table has a route to an internet gateway is a public
        // subnet (https://docs.aws.amazon.com/vpc/latest/userguide/configure-subnets.html).
        // A route whose gateway is detached is a blackhole and makes nothing public.
        let public = table.is_some_and(|t| {
            t.routes.iter().any(|r| {
                matches!(r.target, RouteTarget::InternetGateway(_))
                    && lab.route_state(t, r) == RouteState::Active
            })
        });
        let cidrs: Vec<String> = subnet.cidrs().map(|c| c.to_string()).collect();
        let mut second = cidrs.join(", ");
        if let Some(t) = table {
            second.push_str(&format!(" · {}", t.id));
        }
        let mut cluster = Cluster::new(
            node_name(subnet.id.as_str()),
            ClusterKind::Subnet { public },
            named(
                &subnet.tags,
                vec![
                    format!(
                        "{} subnet {}",
                        if public { "public" } else { "private" },
                        subnet.id
                    ),
                    second,
                ],
            ),
        );
        self.names.insert(cluster.name.clone());
        self.subnets.push(subnet);
        for i in at(&self.places.instances, subnet.id.as_str())
            .into_iter()
            .filter(|i| i.state != InstanceState::Terminated)
        {
            let eni = lab.network_interface(i.primary_network_interface_id.as_str());
            let mut address = eni.map_or_else(String::new, |e| e.primary_private_ip().to_string());
            if let Some(public) = eni.and_then(NetworkInterface::public_ip) {
                address.push_str(&format!(" · public {public}"));
            }
            let mut lines = vec![format!("instance {}", i.id), address];
            if i.state != InstanceState::Running {
                lines.push(i.state.name().to_owned());
            }
            cluster.nodes.push(self.node(Node::new(
                node_name(i.id.as_str()),
                NodeKind::Instance,
                named(&i.tags, lines),
            )));
        }
        for nat in at(&self.places.nat_gateways, subnet.id.as_str())
            .into_iter()
            .filter(|n| {
                matches!(
                    n.state,
                    NatGatewayState::Pending | NatGatewayState::Available
                )
            })
        {
            let address = match nat.public_ip {
                Some(eip) => format!("{} · EIP {eip}", nat.private_ip),
                None => format!("{} · private", nat.private_ip),
            };
            let node = self.node(Node::new(
                node_name(nat.id.as_str()),
                NodeKind::NatGateway,
                named(&nat.tags, vec![format!("NAT gateway {}", nat.id), address]),
            ));
            if let Some(eni) = &nat.network_interface_id {
                self.eni_node.insert(eni.to_string(), node.name.clone());
            }
            cluster.nodes.push(node);
        }
        for eni in at(&self.places.interfaces, subnet.id.as_str()) {
            if let Some(node) = self.interface(eni) {
                cluster.nodes.push(node);
            }
        }
        cluster
    }

    /// The node a network interface adds to its subnet, if it is not its instance's or
    /// its NAT gateway's.
    fn interface(&mut self, eni: &'a NetworkInterface) -> Option<Node> {
        let lab = self.lab;
        let address = eni.primary_private_ip();
        let node = match eni.interface_type {
            InterfaceType::NatGateway => return None,
            InterfaceType::VpcEndpoint => {
                let endpoint = lab.endpoint_of_interface(&eni.id)?;
                let mut lines = vec![
                    format!("interface endpoint {}", endpoint.id),
                    format!("{} · {address}", eni.id),
                ];
                if endpoint.state != VpcEndpointState::Available {
                    lines.push(endpoint.state.as_str().to_owned());
                }
                let node = Node::new(
                    node_name(eni.id.as_str()),
                    NodeKind::InterfaceEndpoint,
                    named(&endpoint.tags, lines),
                );
                if let Some(to) = self.service_of(endpoint) {
                    self.edge(&node.name, &to, EdgeKind::Link, vec![]);
                }
                node
            }
            InterfaceType::NetworkLoadBalancer => {
                let lb = lab.load_balancer_of_interface(eni.id.as_str())?;
                let mut second = format!("{} · {address}", eni.id);
                if let Some(public) = lb
                    .availability_zones
                    .iter()
                    .find(|z| z.network_interface_id == eni.id)
                    .and_then(|z| z.ip_address)
                {
                    second.push_str(&format!(" · public {public}"));
                }
                Node::new(
                    node_name(eni.id.as_str()),
                    NodeKind::LoadBalancerNode,
                    vec![format!("NLB {} ({})", lb.name, lb.scheme.as_str()), second],
                )
            }
            InterfaceType::Interface => {
                if let Some(i) = lab
                    .instance_of(eni)
                    .filter(|i| i.state != InstanceState::Terminated)
                {
                    self.eni_node
                        .insert(eni.id.to_string(), node_name(i.id.as_str()));
                    return None;
                }
                let mut second = address.to_string();
                if let Some(public) = eni.public_ip() {
                    second.push_str(&format!(" · public {public}"));
                }
                Node::new(
                    node_name(eni.id.as_str()),
                    NodeKind::NetworkInterface,
                    named(
                        &eni.tags,
                        vec![format!("network interface {}", eni.id), second],
                    ),
                )
            }
        };
        self.eni_node.insert(eni.id.to_string(), node.name.clone());
        Some(self.node(node))
    }

    /// An endpoint service's node (not yet drawn); its owner's account is named when it is
    /// not drawn.
    fn endpoint_service_node(&self, svc: &VpcEndpointServiceConfiguration) -> Node {
        let mut lines = vec![format!("endpoint service {}", svc.id)];
        if let Some(dns) = &svc.private_dns_name {
            lines.push(dns.clone());
        }
        if !self.view.shows(svc.owner(), svc.region()) {
            lines.push(format!("owner account {}", svc.owner()));
        }
        if svc.acceptance_required {
            lines.push("acceptance required".into());
        }
        if svc.service_state != vpclab_model::ServiceState::Available {
            lines.push(svc.service_state.as_str().to_owned());
        }
        Node::new(
            node_name(svc.id.as_str()),
            NodeKind::EndpointService,
            named(&svc.tags, lines),
        )
    }

    /// The node an endpoint hands its traffic to: an AWS service, or an endpoint service
    /// (drawn in its owner's account when that is drawn, else outside every account).
    fn service_of(&mut self, endpoint: &VpcEndpoint) -> Option<String> {
        let lab = self.lab;
        if let Some((region, service)) = AwsService::from_service_name(&endpoint.service_name) {
            return Some(self.outside(service_node(service.name, region)));
        }
        match lab.endpoint_service_by_name(&endpoint.service_name) {
            Some(svc) if self.view.shows(svc.owner(), svc.region()) => {
                Some(node_name(svc.id.as_str()))
            }
            Some(svc) => {
                let node = self.endpoint_service_node(svc);
                Some(self.outside(node))
            }
            None => Some(self.outside(elsewhere_node(
                &endpoint.service_name,
                vec![endpoint.service_name.clone(), "gone".into()],
            ))),
        }
    }

    /// The edges: each drawn subnet's routes, endpoint services to their load balancers,
    /// load balancer nodes to their targets, and peering connections.
    fn edges(&mut self) {
        for subnet in std::mem::take(&mut self.subnets) {
            self.routes(subnet);
        }
        let lab = self.lab;
        let view = self.view;
        for svc in lab
            .vpc_endpoint_services()
            .filter(|s| view.shows(s.owner(), s.region()))
        {
            let from = node_name(svc.id.as_str());
            for lb in svc
                .network_load_balancer_arns
                .iter()
                .filter_map(|arn| lab.load_balancer(arn.as_str()))
            {
                for zone in &lb.availability_zones {
                    let to = node_name(zone.network_interface_id.as_str());
                    if self.names.contains(&to) {
                        self.edge(&from, &to, EdgeKind::Link, vec![]);
                    }
                }
            }
        }
        for lb in lab
            .load_balancers()
            .filter(|l| view.shows(l.owner(), l.region()))
        {
            self.targets(lb);
        }
        for pcx in lab.vpc_peering_connections() {
            let active = match pcx.status.code {
                PeeringStatusCode::Active => true,
                PeeringStatusCode::PendingAcceptance => false,
                _ => continue,
            };
            let shown = |vpc: &VpcId| self.names.contains(&node_name(vpc.as_str()));
            if !shown(&pcx.requester.vpc_id) && !shown(&pcx.accepter.vpc_id) {
                continue;
            }
            let from = self.vpc_end(&pcx.requester.vpc_id);
            let to = self.vpc_end(&pcx.accepter.vpc_id);
            let mut lines = vec![pcx.id.to_string()];
            if !active {
                lines.push(pcx.status.code.as_str().to_owned());
            }
            self.edge(&from, &to, EdgeKind::Peering { active }, lines);
        }
    }

    /// A VPC as an edge's end: its cluster, or a node for a VPC not drawn here.
    fn vpc_end(&mut self, vpc: &VpcId) -> String {
        let name = node_name(vpc.as_str());
        if self.names.contains(&name) {
            return name;
        }
        let lines = match self.lab.vpc(vpc.as_str()) {
            Some(v) => vec![
                format!("VPC {vpc}"),
                format!("account {} · {} (not drawn)", v.owner(), v.region()),
            ],
            None => vec![format!("VPC {vpc}"), "gone".into()],
        };
        self.outside(elsewhere_node(vpc.as_str(), lines))
    }

    /// The subnet's routes, one edge per target (its destinations as the label); the
    /// local routes are the VPC itself and are left out.
    fn routes(&mut self, subnet: &Subnet) {
        let lab = self.lab;
        let Some(table) = lab.route_table_for_subnet(subnet) else {
            return;
        };
        let from = node_name(subnet.id.as_str());
        for route in &table.routes {
            let mut destination = match &route.destination {
                RouteDestination::Cidr(c) => c.to_string(),
                RouteDestination::PrefixList(pl) => match lab.prefix_list(pl.as_str()) {
                    Some(list) => {
                        let prefix = format!("com.amazonaws.{}.", list.region().name());
                        let short = list.name.strip_prefix(&prefix).unwrap_or(&list.name);
                        format!("{pl} ({short})")
                    }
                    None => pl.to_string(),
                },
            };
            let to = match &route.target {
                RouteTarget::Local => continue,
                RouteTarget::VpcPeeringConnection(pcx) => {
                    destination.push_str(&format!(" via {pcx}"));
                    match lab
                        .vpc_peering_connection(pcx.as_str())
                        .and_then(|p| p.other_side(&subnet.vpc_id))
                    {
                        Some(side) => self.vpc_end(&side.vpc_id),
                        None => self.target_end(pcx.as_str(), false),
                    }
                }
                RouteTarget::InternetGateway(id) => {
                    self.target_end(id.as_str(), lab.internet_gateway(id.as_str()).is_some())
                }
                RouteTarget::EgressOnlyInternetGateway(id) => self.target_end(
                    id.as_str(),
                    lab.egress_only_internet_gateway(id.as_str()).is_some(),
                ),
                RouteTarget::NatGateway(id) => {
                    let live = lab.nat_gateway(id.as_str()).is_some_and(|n| {
                        matches!(
                            n.state,
                            NatGatewayState::Pending | NatGatewayState::Available
                        )
                    });
                    self.target_end(id.as_str(), live)
                }
                RouteTarget::VpcEndpoint(id) => {
                    self.target_end(id.as_str(), lab.vpc_endpoint(id.as_str()).is_some())
                }
                RouteTarget::NetworkInterface(id) => match self.eni_node.get(id.as_str()) {
                    Some(node) => node.clone(),
                    None => {
                        self.target_end(id.as_str(), lab.network_interface(id.as_str()).is_some())
                    }
                },
            };
            let mut lines = vec![destination];
            let kind = match lab.route_state(table, route) {
                RouteState::Active => EdgeKind::Route,
                RouteState::Blackhole => {
                    lines.push(BLACKHOLE.into());
                    EdgeKind::Blackhole
                }
            };
            self.edge(&from, &to, kind, lines);
        }
    }

    /// A route target as an edge's end: its node, or a node saying it is not drawn here
    /// (or gone, for a blackhole's deleted target).
    fn target_end(&mut self, id: &str, exists: bool) -> String {
        let name = node_name(id);
        if self.names.contains(&name) {
            return name;
        }
        let why = if exists { "not drawn" } else { "gone" };
        self.outside(elsewhere_node(id, vec![id.to_owned(), why.to_owned()]))
    }

    /// Each node of the load balancer to the targets its listeners forward to, in its own
    /// zone (or in every zone of the load balancer, with cross-zone load balancing on);
    /// labelled `TCP 80 → 8080`.
    fn targets(&mut self, lb: &LoadBalancer) {
        let lab = self.lab;
        for listener in lab.listeners_of(lb) {
            let Some(tg) = lab.target_group(listener.target_group_arn.as_str()) else {
                continue;
            };
            for zone in &lb.availability_zones {
                let from = node_name(zone.network_interface_id.as_str());
                if !self.names.contains(&from) {
                    continue;
                }
                for target in &tg.targets {
                    // AWS: an NLB node sends to targets in its own zone unless cross-zone
                    // load balancing is on (the reach engine's rule too).
                    let target_zone = lab.target_zone(tg, target);
                    let reaches = target.availability_zone.as_deref() == Some("all")
                        || target_zone.as_deref().is_some_and(|z| {
                            z == zone.zone_name
                                || (lb.cross_zone() && lb.zone_names().any(|n| n == z))
                        });
                    if !reaches {
                        continue;
                    }
                    let to = match lab.target_instance(tg, target) {
                        Some(i) => node_name(i.id.as_str()),
                        None => match target.ip().and_then(|ip| {
                            lab.eni_by_private_ip(&tg.vpc_id, std::net::IpAddr::V4(ip))
                        }) {
                            Some(eni) => match self.eni_node.get(eni.id.as_str()) {
                                Some(n) => n.clone(),
                                None => continue,
                            },
                            None => continue,
                        },
                    };
                    if self.names.contains(&to) {
                        let label = format!(
                            "{} {} → {}",
                            listener.protocol.as_str(),
                            listener.port,
                            target.port
                        );
                        self.edge(&from, &to, EdgeKind::Link, vec![label]);
                    }
                }
            }
        }
    }
}
