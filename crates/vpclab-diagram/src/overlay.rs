//! A trace drawn over the topology: each hop's component found in the drawing (or added
//! to it, for the components only a trace shows: security groups, network ACLs, route
//! tables, listeners, target groups), marked, and joined by numbered edges in hop order;
//! for a refusal, the refusing component marked with its explanation code.

use vpclab_model::{AccountId, Lab, Owned, Region, VpcEndpointType};
use vpclab_reach::{Component, ComponentKind, Direction, Source, Trace};

use crate::View;
use crate::graph::*;
use crate::topology::{Drawing, elsewhere_node, internet_node, name_tag, service_node};

/// Draws `trace` over `drawing`.
pub(crate) fn draw(drawing: &mut Drawing, lab: &Lab, view: &View, trace: &Trace) {
    let mut o = Overlay {
        drawing,
        lab,
        view,
        previous: None,
        zone: None,
        elsewhere: None,
    };
    // The way out; the way back only when the reply is what was refused (a delivered
    // reply retraces the way out).
    let mut hops: Vec<&Component> = trace.forward.iter().map(|h| &h.component).collect();
    let refusal = trace.refusal();
    if refusal.is_some_and(|r| r.direction == Direction::Return) {
        hops.extend(trace.reverse.iter().map(|h| &h.component));
    }
    let mut path: Vec<String> = Vec::new();
    for component in hops {
        if let Some(name) = o.place(component)
            && path.last() != Some(&name)
        {
            o.previous = Some(name.clone());
            path.push(name);
        }
    }
    for name in &path {
        if let Some(mark) = o.drawing.diagram.mark_mut(name) {
            *mark = Mark::Path;
        }
    }
    let mut steps: Vec<(String, String, bool)> = path
        .windows(2)
        .map(|w| (w[0].clone(), w[1].clone(), false))
        .collect();
    if let Some(r) = refusal
        && let Some(name) = o.place(&r.component)
    {
        if let Some(mark) = o.drawing.diagram.mark_mut(&name) {
            *mark = Mark::Refused {
                code: r.code.as_str().to_owned(),
            };
        }
        if let Some(last) = path.last()
            && *last != name
        {
            steps.push((last.clone(), name, true));
        }
    }
    for (i, (from, to, refused)) in steps.into_iter().enumerate() {
        o.drawing.diagram.edges.push(Edge {
            from,
            to,
            kind: EdgeKind::Trace {
                step: i + 1,
                refused,
            },
            lines: vec![(i + 1).to_string()],
        });
    }
    o.drawing.diagram.caption.push(caption(trace));
}

/// The trace's question and verdict in one line.
fn caption(trace: &Trace) -> String {
    let from = match &trace.flow.source {
        Source::Instance(id) => id.to_string(),
        Source::NetworkInterface(id) => id.to_string(),
        Source::Internet(ip) => format!("internet:{ip}"),
    };
    let to = match &trace.flow.destination {
        vpclab_reach::Destination::Address(ip) => ip.to_string(),
        vpclab_reach::Destination::Name(n) => n.clone(),
    };
    let text = trace.to_string();
    let verdict = text
        .lines()
        .find(|l| l.starts_with("DELIVERED") || l.starts_with("DROPPED"))
        .unwrap_or_default();
    format!(
        "trace {from} → {to}:{} {}: {verdict}",
        trace.flow.port, trace.flow.protocol
    )
}

struct Overlay<'d, 'a> {
    drawing: &'d mut Drawing,
    lab: &'a Lab,
    view: &'a View,
    /// Where the last hop was drawn.
    previous: Option<String>,
    /// The zone of the last hop drawn inside a subnet (a load balancer is entered at its
    /// node in that zone).
    zone: Option<String>,
    /// The node standing for the part of the path outside the view (another account's
    /// endpoint service, a peer VPC), which the hops there are drawn at.
    elsewhere: Option<String>,
}

impl Overlay<'_, '_> {
    /// Where the component is drawn (added if only the trace shows it); `None` for a
    /// component drawn as an edge (a peering connection).
    fn place(&mut self, c: &Component) -> Option<String> {
        let lab = self.lab;
        let id = c.id.as_str();
        let name = match c.kind {
            ComponentKind::VpcPeeringConnection => return None,
            ComponentKind::Internet => Some(self.outside(internet_node())),
            ComponentKind::AwsService => {
                let (service, region) = split_service(id)?;
                Some(self.outside(service_node(service, region)))
            }
            ComponentKind::Instance => {
                let i = lab.instance(id);
                if let Some(i) = i {
                    self.zone = Some(i.availability_zone.clone());
                }
                self.drawn(
                    node_name(id),
                    i.map(|i| (i.owner().clone(), i.region())),
                    None,
                )
            }
            ComponentKind::NetworkInterface => {
                let eni = lab.network_interface(id);
                if let Some(e) = eni {
                    self.zone = Some(e.availability_zone.clone());
                }
                let name = self.drawing.eni_node.get(id).cloned();
                match name {
                    Some(n) => self.found(n),
                    None => self.elsewhere(
                        eni.map(|e| (e.owner().clone(), e.region())),
                        eni.map(|e| e.vpc_id.to_string()),
                    ),
                }
            }
            ComponentKind::Subnet => {
                let s = lab.subnet(id);
                if let Some(s) = s {
                    self.zone = Some(s.availability_zone.clone());
                }
                self.drawn(
                    node_name(id),
                    s.map(|s| (s.owner().clone(), s.region())),
                    s.map(|s| s.vpc_id.to_string()),
                )
            }
            ComponentKind::Vpc => {
                let v = lab.vpc(id);
                self.drawn(
                    node_name(id),
                    v.map(|v| (v.owner().clone(), v.region())),
                    Some(id.to_owned()),
                )
            }
            ComponentKind::InternetGateway => {
                let g = lab.internet_gateway(id);
                self.drawn(
                    node_name(id),
                    g.map(|g| (g.owner().clone(), g.region())),
                    g.and_then(|g| g.attachment.as_ref().map(|v| v.to_string())),
                )
            }
            ComponentKind::EgressOnlyInternetGateway => {
                let g = lab.egress_only_internet_gateway(id);
                self.drawn(
                    node_name(id),
                    g.map(|g| (g.owner().clone(), g.region())),
                    g.map(|g| g.vpc_id.to_string()),
                )
            }
            ComponentKind::NatGateway => {
                let n = lab.nat_gateway(id);
                self.drawn(
                    node_name(id),
                    n.map(|n| (n.owner().clone(), n.region())),
                    n.map(|n| n.vpc_id.to_string()),
                )
            }
            ComponentKind::VpcEndpoint => {
                let e = lab.vpc_endpoint(id);
                let owner = e.map(|e| (e.owner().clone(), e.region()));
                let vpc = e.map(|e| e.vpc_id.to_string());
                match e {
                    // An interface endpoint is drawn as its interfaces: the one the flow
                    // just crossed, else the first drawn.
                    Some(e) if e.vpc_endpoint_type == VpcEndpointType::Interface => {
                        let nodes: Vec<String> = e
                            .network_interface_ids
                            .iter()
                            .filter_map(|eni| self.drawing.eni_node.get(eni.as_str()).cloned())
                            .collect();
                        let pick = self
                            .previous
                            .clone()
                            .filter(|p| nodes.contains(p))
                            .or_else(|| nodes.first().cloned());
                        match pick {
                            Some(n) => self.found(n),
                            None => self.elsewhere(owner, vpc),
                        }
                    }
                    _ => self.drawn(node_name(id), owner, vpc),
                }
            }
            ComponentKind::VpcEndpointService => {
                let name = node_name(id);
                if self.drawing.diagram.has(&name) {
                    let inside = lab
                        .vpc_endpoint_service(id)
                        .is_some_and(|s| self.view.shows(s.owner(), s.region()));
                    if inside {
                        self.found(name)
                    } else {
                        // Beyond another account's service, its insides are not drawn: the
                        // rest of the path is drawn at the service.
                        self.elsewhere = Some(name.clone());
                        Some(name)
                    }
                } else {
                    let s = lab.vpc_endpoint_service(id);
                    self.elsewhere(s.map(|s| (s.owner().clone(), s.region())), None)
                }
            }
            ComponentKind::LoadBalancer => {
                let lb = lab.load_balancer(id);
                let nodes: Vec<(String, &str)> = lb
                    .iter()
                    .flat_map(|lb| &lb.availability_zones)
                    .map(|z| {
                        (
                            node_name(z.network_interface_id.as_str()),
                            z.zone_name.as_str(),
                        )
                    })
                    .filter(|(n, _)| self.drawing.diagram.has(n))
                    .collect();
                let pick = self
                    .previous
                    .clone()
                    .filter(|p| nodes.iter().any(|(n, _)| n == p))
                    .or_else(|| {
                        nodes
                            .iter()
                            .find(|(_, z)| Some(*z) == self.zone.as_deref())
                            .or(nodes.first())
                            .map(|(n, _)| n.clone())
                    });
                match pick {
                    Some(n) => self.found(n),
                    None => self.elsewhere(
                        lb.map(|l| (l.owner().clone(), l.region())),
                        lb.map(|l| l.vpc_id.to_string()),
                    ),
                }
            }
            ComponentKind::SecurityGroup => {
                let g = lab.security_group(id);
                let lines = vec![
                    format!("security group {id}"),
                    g.map(|g| g.group_name.clone()).unwrap_or_default(),
                ];
                self.step(
                    id,
                    lines,
                    g.map(|g| (g.owner().clone(), g.region())),
                    g.map(|g| g.vpc_id.to_string()),
                )
            }
            ComponentKind::NetworkAcl => {
                let a = lab.network_acl(id);
                let mut lines = vec![format!("network ACL {id}")];
                lines.extend(a.and_then(|a| name_tag(&a.tags)));
                self.step(
                    id,
                    lines,
                    a.map(|a| (a.owner().clone(), a.region())),
                    a.map(|a| a.vpc_id.to_string()),
                )
            }
            ComponentKind::RouteTable => {
                let t = lab.route_table(id);
                let mut lines = vec![format!("route table {id}")];
                lines.extend(t.and_then(|t| name_tag(&t.tags)));
                self.step(
                    id,
                    lines,
                    t.map(|t| (t.owner().clone(), t.region())),
                    t.map(|t| t.vpc_id.to_string()),
                )
            }
            ComponentKind::Listener => {
                let l = lab.listener(id);
                let lb = l.and_then(|l| lab.load_balancer(l.load_balancer_arn.as_str()));
                let lines = match (l, lb) {
                    (Some(l), Some(lb)) => vec![
                        format!("listener {} {}", l.protocol.as_str(), l.port),
                        format!("of NLB {}", lb.name),
                    ],
                    _ => vec!["listener".into(), id.to_owned()],
                };
                self.step(
                    id,
                    lines,
                    l.map(|l| (l.owner().clone(), l.region())),
                    lb.map(|lb| lb.vpc_id.to_string()),
                )
            }
            ComponentKind::TargetGroup => {
                let t = lab.target_group(id);
                let lines = match t {
                    Some(t) => vec![
                        format!("target group {}", t.name),
                        format!("{} {}", t.protocol.as_str(), t.port),
                    ],
                    None => vec!["target group".into(), id.to_owned()],
                };
                self.step(
                    id,
                    lines,
                    t.map(|t| (t.owner().clone(), t.region())),
                    t.map(|t| t.vpc_id.to_string()),
                )
            }
        };
        if let Some(n) = &name {
            self.previous = Some(n.clone());
        }
        name
    }

    /// A node or cluster found in the view: the path is back inside it.
    fn found(&mut self, name: String) -> Option<String> {
        self.elsewhere = None;
        Some(name)
    }

    /// The component's own node or cluster when drawn, else where the path outside the
    /// view is drawn.
    fn drawn(
        &mut self,
        name: String,
        owner: Option<(AccountId, Region)>,
        vpc: Option<String>,
    ) -> Option<String> {
        if self.drawing.diagram.has(&name) {
            return self.found(name);
        }
        self.elsewhere(owner, vpc)
    }

    /// A component only the trace shows: a node in its VPC's cluster (added once), or,
    /// outside the view, where the path outside the view is drawn.
    fn step(
        &mut self,
        id: &str,
        lines: Vec<String>,
        owner: Option<(AccountId, Region)>,
        vpc: Option<String>,
    ) -> Option<String> {
        let name = node_name(id);
        if self.drawing.diagram.has(&name) {
            return self.found(name);
        }
        let shown = owner
            .as_ref()
            .is_some_and(|(account, region)| self.view.shows(account, *region));
        let vpc_cluster = vpc.as_deref().map(node_name);
        if shown
            && let Some(cluster) = vpc_cluster
                .as_deref()
                .and_then(|v| self.drawing.diagram.cluster_mut(v))
        {
            let lines = lines.into_iter().filter(|l| !l.is_empty()).collect();
            cluster
                .nodes
                .push(Node::new(name.clone(), NodeKind::TraceStep, lines));
            cluster.nodes.sort_by(|a, b| a.name.cmp(&b.name));
            return self.found(name);
        }
        self.elsewhere(owner, vpc)
    }

    /// Where a component outside the view is drawn: at the node the path left the view
    /// through, else at its VPC's node (a peer VPC), else at a node for its account.
    fn elsewhere(
        &mut self,
        owner: Option<(AccountId, Region)>,
        vpc: Option<String>,
    ) -> Option<String> {
        if let Some(e) = &self.elsewhere {
            return Some(e.clone());
        }
        if let Some(v) = vpc.as_deref().map(node_name)
            && self.drawing.diagram.has(&v)
        {
            self.elsewhere = Some(v.clone());
            return Some(v);
        }
        let node = match owner {
            Some((account, region)) => {
                let mut lines = vec![format!("account {account}")];
                if region != self.view.region {
                    lines.push(region.name().to_owned());
                }
                lines.push("not drawn".into());
                Node::new(
                    crate::topology::account_name(&account),
                    NodeKind::Elsewhere,
                    lines,
                )
            }
            None => elsewhere_node("gone", vec!["gone".into()]),
        };
        let name = self.outside(node);
        self.elsewhere = Some(name.clone());
        Some(name)
    }

    /// A node outside every cluster, added once.
    fn outside(&mut self, node: Node) -> String {
        let name = node.name.clone();
        if !self.drawing.diagram.has(&name) {
            let nodes = &mut self.drawing.diagram.nodes;
            nodes.push(node);
            nodes.sort_by(|a, b| a.name.cmp(&b.name));
        }
        self.elsewhere = None;
        name
    }
}

/// `s3.us-east-1` → (`s3`, us-east-1): the trace names an AWS service with its region.
fn split_service(id: &str) -> Option<(&str, Region)> {
    Region::all().find_map(|r| {
        id.strip_suffix(r.name())
            .and_then(|s| s.strip_suffix('.'))
            .map(|s| (s, r))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::topology::service_node_name;

    #[test]
    fn service_components_split_into_service_and_region() {
        let (s, r) = split_service("s3.us-east-1").unwrap();
        assert_eq!((s, r.name()), ("s3", "us-east-1"));
        let (s, _) = split_service("ecr.api.eu-west-1").unwrap();
        assert_eq!(s, "ecr.api");
        assert!(split_service("s3.nowhere-1").is_none());
        assert_eq!(
            service_node_name("s3", Region::default_region()),
            "aws_s3_us_east_1"
        );
    }
}
