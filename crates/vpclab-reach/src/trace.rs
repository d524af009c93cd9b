//! The answer: a trace of hops out and back, a verdict, and for a refusal the component,
//! the rule and AWS's explanation code.

use std::fmt;
use std::net::IpAddr;

use serde::{Deserialize, Serialize};
use vpclab_model::Region;

use crate::explanation::ExplanationCode;
use crate::flow::{Flow, Header};

/// The answer to "may this flow pass?".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trace {
    /// The question.
    pub flow: Flow,
    /// The destination address, and how a name was resolved.
    pub resolved: Option<IpAddr>,
    /// The hops from the source toward the destination.
    pub forward: Vec<Hop>,
    /// The hops of the reply, from the destination back to the source.
    pub reverse: Vec<Hop>,
    /// Delivered, or dropped (and where, and why).
    pub verdict: Verdict,
    /// For a flow that reaches an AWS service: the request-context keys AWS attaches to
    /// requests that arrive this way (for bucket and endpoint policies).
    pub context: Option<RequestContext>,
}

impl Trace {
    /// Whether the flow passes both ways.
    pub fn is_delivered(&self) -> bool {
        matches!(self.verdict, Verdict::Delivered(_))
    }

    /// The refusal, if the flow is refused.
    pub fn refusal(&self) -> Option<&Refusal> {
        match &self.verdict {
            Verdict::Dropped(d) => Some(d),
            Verdict::Delivered(_) => None,
        }
    }

    /// The delivery, if the flow passes.
    pub fn delivery(&self) -> Option<&Delivery> {
        match &self.verdict {
            Verdict::Delivered(d) => Some(d),
            Verdict::Dropped(_) => None,
        }
    }

    /// Every component the flow crossed, out then back.
    pub fn hops(&self) -> impl Iterator<Item = &Hop> {
        self.forward.iter().chain(&self.reverse)
    }
}

/// One component the packet crossed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hop {
    /// The component.
    pub component: Component,
    /// The packet as it entered.
    pub inbound: Header,
    /// The packet as it left (different where addresses are translated).
    pub outbound: Header,
    /// The rule that let it through, where one did.
    pub rule: Option<Rule>,
}

/// A network component, named as AWS names it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Component {
    /// Its id (`igw-…`, `sg-…`), or a name for the internet and AWS services.
    pub id: String,
    /// What it is.
    pub kind: ComponentKind,
}

impl Component {
    /// A component of `kind` with `id`.
    pub fn new(kind: ComponentKind, id: impl Into<ComponentId>) -> Component {
        Component {
            id: id.into().0,
            kind,
        }
    }
}

impl fmt::Display for Component {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.id, self.kind.name())
    }
}

/// A component's id as text; ids convert without going through `Display` (traces are
/// built on the data plane's hot path).
pub struct ComponentId(String);

impl<T: AsRef<str>> From<&T> for ComponentId {
    fn from(id: &T) -> Self {
        ComponentId(id.as_ref().to_owned())
    }
}

impl From<String> for ComponentId {
    fn from(id: String) -> Self {
        ComponentId(id)
    }
}

impl From<&str> for ComponentId {
    fn from(id: &str) -> Self {
        ComponentId(id.to_owned())
    }
}

/// The kinds of component a path crosses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[allow(missing_docs)]
pub enum ComponentKind {
    Instance,
    NetworkInterface,
    SecurityGroup,
    NetworkAcl,
    RouteTable,
    Subnet,
    Vpc,
    InternetGateway,
    EgressOnlyInternetGateway,
    NatGateway,
    VpcEndpoint,
    VpcPeeringConnection,
    Internet,
    AwsService,
    VpcEndpointService,
    LoadBalancer,
    Listener,
    TargetGroup,
}

impl ComponentKind {
    /// A reader's name for it.
    pub fn name(self) -> &'static str {
        match self {
            ComponentKind::Instance => "instance",
            ComponentKind::NetworkInterface => "network interface",
            ComponentKind::SecurityGroup => "security group",
            ComponentKind::NetworkAcl => "network ACL",
            ComponentKind::RouteTable => "route table",
            ComponentKind::Subnet => "subnet",
            ComponentKind::Vpc => "VPC",
            ComponentKind::InternetGateway => "internet gateway",
            ComponentKind::EgressOnlyInternetGateway => "egress-only internet gateway",
            ComponentKind::NatGateway => "NAT gateway",
            ComponentKind::VpcEndpoint => "VPC endpoint",
            ComponentKind::VpcPeeringConnection => "VPC peering connection",
            ComponentKind::Internet => "internet",
            ComponentKind::AwsService => "AWS service",
            ComponentKind::VpcEndpointService => "VPC endpoint service",
            ComponentKind::LoadBalancer => "load balancer",
            ComponentKind::Listener => "listener",
            ComponentKind::TargetGroup => "target group",
        }
    }
}

/// The rule that admitted (or refused) a packet at a component.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Rule {
    /// A security group rule.
    SecurityGroupRule {
        /// The group.
        group_id: String,
        /// The rule (`sgr-…`).
        rule_id: String,
        /// The rule as text (`tcp 443 from 10.0.0.0/16`).
        text: String,
    },
    /// The reply of a connection a security group admitted: groups are stateful.
    Stateful {
        /// The interface's groups.
        group_ids: Vec<String>,
    },
    /// A network ACL entry (`*` is 32767 for IPv4 and 32768 for IPv6).
    NetworkAclEntry {
        /// The ACL.
        network_acl_id: String,
        /// The entry's number.
        rule_number: u16,
        /// Whether it is an outbound entry.
        egress: bool,
        /// Allow or deny.
        allow: bool,
    },
    /// The route chosen.
    Route {
        /// The table.
        route_table_id: String,
        /// The route's destination (a CIDR or `pl-…`).
        destination: String,
        /// The route's target.
        target: String,
    },
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::SecurityGroupRule {
                group_id,
                rule_id,
                text,
            } => write!(f, "{group_id} rule {rule_id}: {text}"),
            Rule::Stateful { group_ids } => write!(
                f,
                "reply of an admitted connection ({} stateful)",
                group_ids.join(", ")
            ),
            Rule::NetworkAclEntry {
                network_acl_id,
                rule_number,
                egress,
                allow,
            } => {
                let number = if *rule_number >= vpclab_model::DEFAULT_RULE_V4 {
                    "*".to_string()
                } else {
                    rule_number.to_string()
                };
                write!(
                    f,
                    "{network_acl_id} {} rule {number} {}",
                    if *egress { "outbound" } else { "inbound" },
                    if *allow { "ALLOW" } else { "DENY" }
                )
            }
            Rule::Route {
                route_table_id,
                destination,
                target,
            } => write!(f, "{route_table_id}: {destination} → {target}"),
        }
    }
}

/// Delivered or dropped.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    /// The flow passes, out and back.
    Delivered(Delivery),
    /// The flow is refused.
    Dropped(Refusal),
}

/// Where a flow was delivered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Delivery {
    /// To a network interface (and its instance, if any).
    NetworkInterface {
        /// The interface.
        network_interface_id: String,
        /// Its instance.
        instance_id: Option<String>,
        /// The address it was delivered to.
        address: IpAddr,
    },
    /// To a host on the internet.
    Internet {
        /// Its address.
        address: IpAddr,
        /// The source address the host sees (a public IP or a NAT's Elastic IP).
        seen_source: IpAddr,
    },
    /// Through a network load balancer (directly or through PrivateLink) to one of its
    /// targets.
    LoadBalancerTarget {
        /// The load balancer's ARN.
        load_balancer_arn: String,
        /// The target group's ARN.
        target_group_arn: String,
        /// The target's interface.
        network_interface_id: String,
        /// The target's instance, if any.
        instance_id: Option<String>,
        /// The target's address.
        address: IpAddr,
        /// The target's port.
        port: u16,
        /// The source address the target sees (the load balancer's, or the client's
        /// when client IP preservation is on).
        seen_source: IpAddr,
        /// The target group sends a PROXY protocol v2 header first.
        proxy_protocol_v2: bool,
        /// The client's address and port, as the PROXY header carries them.
        client: (IpAddr, u16),
        /// The interface endpoint the connection came through (PrivateLink).
        vpc_endpoint_id: Option<String>,
    },
    /// To an AWS service.
    AwsService {
        /// The service (`s3`).
        service: String,
        /// The region serving it.
        region: Region,
        /// How the request arrives.
        access: ServiceAccess,
    },
}

/// How a request reaches an AWS service.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ServiceAccess {
    /// Through a gateway VPC endpoint.
    GatewayEndpoint {
        /// The endpoint (its policy applies).
        vpc_endpoint_id: String,
        /// The endpoint's VPC.
        vpc_id: String,
        /// The private source address.
        source: IpAddr,
    },
    /// Through an interface endpoint's network interface.
    InterfaceEndpoint {
        /// The endpoint (its policy applies).
        vpc_endpoint_id: String,
        /// The endpoint's VPC.
        vpc_id: String,
        /// The endpoint's network interface the connection reached.
        network_interface_id: String,
        /// The private source address.
        source: IpAddr,
    },
    /// Over the internet, from a public address (an instance's, or a NAT's Elastic IP).
    PublicAddress(IpAddr),
}

/// Where and why a flow was refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    /// On the way out, or on the reply's way back.
    pub direction: Direction,
    /// The component that refused it.
    pub component: Component,
    /// AWS Reachability Analyzer's code.
    pub code: ExplanationCode,
    /// What happened, in terms of the lab's resources.
    pub explanation: String,
    /// The rule that refused it, where one did (a network ACL deny entry, the route).
    pub rule: Option<Rule>,
    /// The packet as it arrived at the component.
    pub header: Header,
}

/// Out or back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Direction {
    /// From the source toward the destination.
    Forward,
    /// The reply, from the destination back to the source.
    Return,
}

/// The request-context keys AWS attaches to a request by how it arrived.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestContext {
    /// `aws:SourceVpce`: the endpoint it came through.
    pub source_vpce: Option<String>,
    /// `aws:SourceVpc`: the VPC of that endpoint.
    pub source_vpc: Option<String>,
    /// `aws:VpcSourceIp`: the private source address, through an endpoint.
    pub vpc_source_ip: Option<IpAddr>,
    /// `aws:SourceIp`: the public source address, over the internet.
    pub source_ip: Option<IpAddr>,
}

impl RequestContext {
    /// The keys and values, as policies name them.
    pub fn keys(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if let Some(v) = &self.source_vpce {
            out.push(("aws:SourceVpce", v.clone()));
        }
        if let Some(v) = &self.source_vpc {
            out.push(("aws:SourceVpc", v.clone()));
        }
        if let Some(v) = &self.vpc_source_ip {
            out.push(("aws:VpcSourceIp", v.to_string()));
        }
        if let Some(v) = &self.source_ip {
            out.push(("aws:SourceIp", v.to_string()));
        }
        out
    }
}

impl fmt::Display for Trace {
    /// The trace as a person reads it: each hop, then the verdict and, for a refusal,
    /// the component, the code and the explanation.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, hop) in self.forward.iter().enumerate() {
            write_hop(f, i + 1, "→", hop)?;
        }
        for (i, hop) in self.reverse.iter().enumerate() {
            write_hop(f, self.forward.len() + i + 1, "←", hop)?;
        }
        match &self.verdict {
            Verdict::Delivered(d) => {
                match d {
                    Delivery::NetworkInterface {
                        network_interface_id,
                        instance_id,
                        address,
                    } => {
                        write!(f, "DELIVERED to {network_interface_id}")?;
                        if let Some(i) = instance_id {
                            write!(f, " ({i})")?;
                        }
                        writeln!(f, " at {address}")?;
                    }
                    Delivery::LoadBalancerTarget {
                        target_group_arn,
                        network_interface_id,
                        instance_id,
                        address,
                        port,
                        seen_source,
                        proxy_protocol_v2,
                        ..
                    } => {
                        write!(f, "DELIVERED to {network_interface_id}")?;
                        if let Some(i) = instance_id {
                            write!(f, " ({i})")?;
                        }
                        write!(
                            f,
                            " at {address} port {port}, a target of {target_group_arn}, from {seen_source}"
                        )?;
                        if *proxy_protocol_v2 {
                            write!(f, " (PROXY protocol v2 header first)")?;
                        }
                        writeln!(f)?;
                    }
                    Delivery::Internet {
                        address,
                        seen_source,
                    } => writeln!(
                        f,
                        "DELIVERED to the internet host {address}, which sees the source {seen_source}"
                    )?,
                    Delivery::AwsService {
                        service,
                        region,
                        access,
                    } => match access {
                        ServiceAccess::GatewayEndpoint {
                            vpc_endpoint_id, ..
                        } => writeln!(
                            f,
                            "DELIVERED to {service} in {region} through gateway endpoint {vpc_endpoint_id}"
                        )?,
                        ServiceAccess::InterfaceEndpoint {
                            vpc_endpoint_id,
                            network_interface_id,
                            ..
                        } => writeln!(
                            f,
                            "DELIVERED to {service} in {region} through interface endpoint {vpc_endpoint_id} ({network_interface_id})"
                        )?,
                        ServiceAccess::PublicAddress(ip) => writeln!(
                            f,
                            "DELIVERED to {service} in {region} over the internet from {ip}"
                        )?,
                    },
                }
                if let Some(c) = &self.context {
                    for (k, v) in c.keys() {
                        writeln!(f, "  {k} = {v}")?;
                    }
                }
                Ok(())
            }
            Verdict::Dropped(d) => {
                let way = match d.direction {
                    Direction::Forward => "",
                    Direction::Return => " on the way back",
                };
                writeln!(f, "DROPPED{way} at {}: {}", d.component, d.code)?;
                writeln!(f, "  {}", d.explanation)?;
                if let Some(r) = &d.rule {
                    writeln!(f, "  rule: {r}")?;
                }
                writeln!(f, "  ({})", d.code.description())
            }
        }
    }
}

fn write_hop(f: &mut fmt::Formatter<'_>, n: usize, arrow: &str, hop: &Hop) -> fmt::Result {
    write!(f, "{n:>2} {arrow} {}  {}", hop.component, hop.inbound)?;
    if hop.outbound != hop.inbound {
        write!(f, "  ⇒  {}", hop.outbound)?;
    }
    if let Some(r) = &hop.rule {
        write!(f, "  [{r}]")?;
    }
    writeln!(f)
}
