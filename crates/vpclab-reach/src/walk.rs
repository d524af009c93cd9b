//! The walk: a packet's path from component to component, each one deciding, and the
//! reply's path back through the stateless components the packet crossed.

use std::net::IpAddr;

use vpclab_model::aws_service::{AwsService, service_at};
use vpclab_model::{
    ElbProtocol, InstanceState, InterfaceType, Lab, Listener, LoadBalancer, NetworkInterface,
    Region, RegisteredTarget, Route, RouteState, RouteTable, RouteTarget, SecurityGroupId,
    ServiceState, Subnet, VpcEndpoint, VpcEndpointId, VpcEndpointState,
};

use crate::explanation::ExplanationCode as Code;
use crate::flow::{Destination, Flow, Header, Protocol, Source};
use crate::network_acl::deciding_entry;
use crate::route;
use crate::security_group::{Peer, admitting_rule, describe, has_no_rules};
use crate::trace::*;

/// How many route lookups one path may take before it is called a loop (NAT gateways
/// and appliances each add one).
const MAX_ROUTE_LOOKUPS: u8 = 8;

/// Traces `flow` through the lab: the forward path, then the reply's path back.
pub fn trace(lab: &Lab, flow: &Flow) -> Trace {
    let mut walk = Walk {
        lab,
        forward: Vec::new(),
        crossings: Vec::new(),
        context: None,
        lookups: 0,
        returned: Vec::new(),
    };
    let (resolved, outcome) = walk.run(flow);
    let mut reverse = Vec::new();
    let verdict = match outcome.and_then(|delivery| walk.reverse(&mut reverse).map(|()| delivery)) {
        Ok(delivery) => Verdict::Delivered(delivery),
        Err(refusal) => Verdict::Dropped(*refusal),
    };
    let context = if matches!(verdict, Verdict::Delivered(Delivery::AwsService { .. })) {
        walk.context
    } else {
        None
    };
    Trace {
        flow: flow.clone(),
        resolved,
        forward: walk.forward,
        reverse,
        verdict,
        context,
    }
}

type Step = Result<Delivery, Box<Refusal>>;

/// What the reply must cross again, recorded as the packet goes.
enum Crossing {
    /// A security group admitted the packet: the reply passes (stateful).
    Stateful {
        component: Component,
        group_ids: Vec<String>,
        header: Header,
    },
    /// A network ACL admitted the packet: the reply is checked on its own (stateless).
    Acl {
        subnet_id: String,
        egress: bool,
        header: Header,
    },
    /// An address was translated: the reply is translated back.
    Translate {
        component: Component,
        inbound: Header,
        outbound: Header,
    },
    /// The reply must be routed back out of `subnet_id` to `expect`.
    ReturnRoute {
        subnet_id: String,
        expect: RouteTarget,
        header: Header,
    },
    /// A component the reply crosses without a decision of its own.
    Pass {
        component: Component,
        header: Header,
    },
}

struct Walk<'a> {
    lab: &'a Lab,
    forward: Vec<Hop>,
    crossings: Vec<Crossing>,
    context: Option<RequestContext>,
    lookups: u8,
    /// Hops the reply crossed at the last return-path check.
    returned: Vec<Hop>,
}

fn refuse(
    component: Component,
    code: Code,
    explanation: String,
    rule: Option<Rule>,
    header: Header,
) -> Box<Refusal> {
    Box::new(Refusal {
        direction: Direction::Forward,
        component,
        code,
        explanation,
        rule,
        header,
    })
}

fn is_rfc1918(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_private(),
        IpAddr::V6(_) => false,
    }
}

fn route_rule(table: &RouteTable, route: &Route) -> Rule {
    Rule::Route {
        route_table_id: table.id.to_string(),
        destination: route.destination.to_string(),
        target: route.target.to_string(),
    }
}

impl<'a> Walk<'a> {
    /// A hop that decides nothing, which the reply crosses too.
    fn pass(&mut self, component: Component, header: Header) {
        self.hop(component.clone(), header, header, None);
        self.crossings.push(Crossing::Pass { component, header });
    }

    fn hop(&mut self, component: Component, inbound: Header, outbound: Header, rule: Option<Rule>) {
        self.forward.push(Hop {
            component,
            inbound,
            outbound,
            rule,
        });
    }

    fn run(&mut self, flow: &Flow) -> (Option<IpAddr>, Step) {
        let lab = self.lab;
        let placeholder = Header {
            source: IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED),
            destination: IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED),
            protocol: flow.protocol,
            source_port: flow.source_port,
            destination_port: flow.port,
        };
        // The source: an interface (of an instance) or the internet.
        let (eni, source_component) = match &flow.source {
            Source::Instance(id) => match lab.instance(id.as_str()) {
                Some(i) => {
                    let component = Component::new(ComponentKind::Instance, &i.id);
                    if i.state != InstanceState::Running {
                        let why = format!(
                            "instance {} is {}; only a running instance sends traffic",
                            i.id,
                            i.state.name()
                        );
                        return (
                            None,
                            Err(refuse(component, Code::BadState, why, None, placeholder)),
                        );
                    }
                    (
                        lab.network_interface(i.primary_network_interface_id.as_str()),
                        Some(component),
                    )
                }
                None => {
                    let why = format!("instance {id} does not exist");
                    return (
                        None,
                        Err(refuse(
                            Component::new(ComponentKind::Instance, id),
                            Code::BadState,
                            why,
                            None,
                            placeholder,
                        )),
                    );
                }
            },
            Source::NetworkInterface(id) => match lab.network_interface(id.as_str()) {
                Some(e) => (Some(e), None),
                None => {
                    let why = format!("network interface {id} does not exist");
                    let c = Component::new(ComponentKind::NetworkInterface, id);
                    return (None, Err(refuse(c, Code::BadState, why, None, placeholder)));
                }
            },
            Source::Internet(_) => (None, None),
        };
        let vpc = eni.map(|e| e.vpc_id.clone());
        let destination = match &flow.destination {
            Destination::Address(ip) => *ip,
            Destination::Name(name) => match lab.resolve(vpc.as_ref(), name) {
                Some(r) => r.address(),
                None => {
                    let (component, why) = match &vpc {
                        Some(v) => (
                            Component::new(ComponentKind::Vpc, v),
                            format!(
                                "{name} does not resolve in {v} (is DNS support on, and is it a name the VPC's resolver knows?)"
                            ),
                        ),
                        None => (
                            Component::new(ComponentKind::Internet, "internet"),
                            format!("{name} does not resolve on the internet"),
                        ),
                    };
                    return (
                        None,
                        Err(refuse(
                            component,
                            Code::UnknownDestination,
                            why,
                            None,
                            placeholder,
                        )),
                    );
                }
            },
        };
        let outcome = match (&flow.source, eni) {
            (Source::Internet(source), _) => {
                let header = Header {
                    source: *source,
                    destination,
                    ..placeholder
                };
                self.hop(
                    Component::new(ComponentKind::Internet, "internet"),
                    header,
                    header,
                    None,
                );
                self.internet(header)
            }
            (_, Some(eni)) => {
                self.start_at_interface(eni, source_component, destination, placeholder)
            }
            (_, None) => {
                let c = source_component
                    .unwrap_or_else(|| Component::new(ComponentKind::Instance, "?"));
                Err(refuse(
                    c,
                    Code::BadState,
                    "the instance has no network interface".into(),
                    None,
                    placeholder,
                ))
            }
        };
        (Some(destination), outcome)
    }

    fn start_at_interface(
        &mut self,
        eni: &'a NetworkInterface,
        instance: Option<Component>,
        destination: IpAddr,
        template: Header,
    ) -> Step {
        let lab = self.lab;
        let eni_component = Component::new(ComponentKind::NetworkInterface, &eni.id);
        if let Some(i) = lab
            .instance_of(eni)
            .filter(|i| i.state != InstanceState::Running)
        {
            let why = format!(
                "instance {} is {}; only a running instance sends traffic",
                i.id,
                i.state.name()
            );
            return Err(refuse(
                Component::new(ComponentKind::Instance, &i.id),
                Code::BadState,
                why,
                None,
                template,
            ));
        }
        let source = match destination {
            IpAddr::V4(_) => IpAddr::V4(eni.primary_private_ip()),
            IpAddr::V6(_) => match eni.ipv6_addresses.first() {
                Some(v6) => IpAddr::V6(*v6),
                None => {
                    let why = format!(
                        "{} has no IPv6 address, so it cannot reach the IPv6 address {destination}",
                        eni.id
                    );
                    return Err(refuse(
                        eni_component,
                        Code::EniAddressRestriction,
                        why,
                        None,
                        template,
                    ));
                }
            },
        };
        let header = Header {
            source,
            destination,
            ..template
        };
        if let Some(c) = instance {
            self.hop(c, header, header, None);
        }
        self.hop(eni_component, header, header, None);
        self.security_group(eni, true, header)?;
        let subnet = self.subnet(&eni.subnet_id, header)?;
        self.route_from(subnet, header)
    }

    fn subnet(
        &self,
        id: &vpclab_model::SubnetId,
        header: Header,
    ) -> Result<&'a Subnet, Box<Refusal>> {
        self.lab.subnet(id.as_str()).ok_or_else(|| {
            refuse(
                Component::new(ComponentKind::Subnet, id),
                Code::BadState,
                format!("subnet {id} does not exist"),
                None,
                header,
            )
        })
    }

    /// The groups of the interface at `address`, if it is reachable by private address
    /// from `vpc` (the same VPC, or one peered with it by an active connection): only
    /// then do rules that reference groups match it.
    fn groups_at(&self, vpc: &vpclab_model::VpcId, address: IpAddr) -> &'a [SecurityGroupId] {
        let lab = self.lab;
        if let Some(e) = lab.eni_by_private_ip(vpc, address) {
            return &e.groups;
        }
        lab.vpc_peering_connections()
            .filter(|p| p.status.code == vpclab_model::PeeringStatusCode::Active)
            .filter_map(|p| p.other_side(vpc))
            .find_map(|side| lab.eni_by_private_ip(&side.vpc_id, address))
            .map_or(&[], |e| &e.groups)
    }

    /// The interface's security groups, in one direction.
    fn security_group(
        &mut self,
        eni: &NetworkInterface,
        egress: bool,
        header: Header,
    ) -> Result<(), Box<Refusal>> {
        let remote = if egress {
            header.destination
        } else {
            header.source
        };
        let peer_groups = self.groups_at(&eni.vpc_id, remote);
        self.security_group_with_peer(eni, egress, header, peer_groups)
    }

    /// The interface's security groups, in one direction, the far end being in
    /// `peer_groups` (for rules that reference groups).
    fn security_group_with_peer(
        &mut self,
        eni: &NetworkInterface,
        egress: bool,
        header: Header,
        peer_groups: &[SecurityGroupId],
    ) -> Result<(), Box<Refusal>> {
        if eni.groups.is_empty() {
            // NAT gateway interfaces have no security groups.
            return Ok(());
        }
        let remote = if egress {
            header.destination
        } else {
            header.source
        };
        let peer = Peer {
            address: remote,
            groups: peer_groups,
        };
        let group_ids: Vec<String> = eni.groups.iter().map(|g| g.to_string()).collect();
        match admitting_rule(self.lab, &eni.groups, egress, &header, &peer) {
            Some((group, rule)) => {
                let text = describe(rule);
                let component = Component::new(ComponentKind::SecurityGroup, group);
                let rule = Rule::SecurityGroupRule {
                    group_id: group.to_string(),
                    rule_id: rule.id.to_string(),
                    text,
                };
                self.hop(component.clone(), header, header, Some(rule));
                self.crossings.push(Crossing::Stateful {
                    component,
                    group_ids,
                    header,
                });
                Ok(())
            }
            None => {
                let way = if egress { "outbound" } else { "inbound" };
                let preposition = if egress { "to" } else { "from" };
                let code = if has_no_rules(self.lab, &eni.groups, egress) {
                    Code::SgHasNoRules
                } else {
                    Code::EniSgRulesMismatch
                };
                let component = match eni.groups.as_slice() {
                    [one] => Component::new(ComponentKind::SecurityGroup, one),
                    _ => Component::new(ComponentKind::NetworkInterface, &eni.id),
                };
                let why = format!(
                    "no {way} rule of {} (on {}) admits {} {} {preposition} {remote}",
                    group_ids.join(", "),
                    eni.id,
                    header.protocol,
                    port_text(&header),
                );
                Err(refuse(component, code, why, None, header))
            }
        }
    }

    /// The subnet's network ACL, in one direction.
    fn acl(
        &mut self,
        subnet: &Subnet,
        egress: bool,
        header: Header,
        direction: Direction,
    ) -> Result<(), Box<Refusal>> {
        let Some(acl) = self.lab.network_acl_for_subnet(&subnet.id) else {
            return Ok(());
        };
        let entry = deciding_entry(acl, egress, &header);
        let rule = entry.map(|e| Rule::NetworkAclEntry {
            network_acl_id: acl.id.to_string(),
            rule_number: e.rule_number,
            egress,
            allow: e.rule_action == vpclab_model::RuleAction::Allow,
        });
        let component = Component::new(ComponentKind::NetworkAcl, &acl.id);
        match &rule {
            Some(Rule::NetworkAclEntry { allow: true, .. }) => {
                let hop = Hop {
                    component,
                    inbound: header,
                    outbound: header,
                    rule,
                };
                match direction {
                    Direction::Forward => {
                        self.forward.push(hop);
                        self.crossings.push(Crossing::Acl {
                            subnet_id: subnet.id.to_string(),
                            egress,
                            header,
                        });
                    }
                    Direction::Return => self.returned.push(hop),
                }
                Ok(())
            }
            _ => {
                let way = if egress { "outbound" } else { "inbound" };
                let which = match entry {
                    Some(e) if e.is_default_rule() => "its closing * rule denies it".to_string(),
                    Some(e) => format!("rule {} denies it", e.rule_number),
                    None => "no entry matches".to_string(),
                };
                let why = format!(
                    "network ACL {} of {} does not admit {way} {} ({which}){}",
                    acl.id,
                    subnet.id,
                    header,
                    if direction == Direction::Return && !egress {
                        "; ACLs are stateless: the reply needs its own inbound rule for the ephemeral port"
                    } else if direction == Direction::Return {
                        "; ACLs are stateless: the reply needs its own outbound rule"
                    } else {
                        ""
                    }
                );
                Err(Box::new(Refusal {
                    direction,
                    component,
                    code: Code::SubnetAclRestriction,
                    explanation: why,
                    rule,
                    header,
                }))
            }
        }
    }

    /// Routes `header` from `subnet` by the subnet's route table.
    fn route_from(&mut self, subnet: &'a Subnet, header: Header) -> Step {
        let lab = self.lab;
        self.lookups += 1;
        let Some(table) = lab.route_table_for_subnet(subnet) else {
            let why = format!("{} has no route table", subnet.id);
            return Err(refuse(
                Component::new(ComponentKind::Subnet, &subnet.id),
                Code::NoRouteToDestination,
                why,
                None,
                header,
            ));
        };
        let table_component = Component::new(ComponentKind::RouteTable, &table.id);
        if self.lookups > MAX_ROUTE_LOOKUPS {
            let why = format!(
                "the path loops: {MAX_ROUTE_LOOKUPS} route lookups without reaching {}",
                header.destination
            );
            return Err(refuse(
                table_component,
                Code::NoRouteToDestination,
                why,
                None,
                header,
            ));
        }
        let Some((route, _)) = route::lookup(lab, table, header.destination) else {
            let why = format!(
                "route table {} (used by {}) has no route to {}",
                table.id, subnet.id, header.destination
            );
            return Err(refuse(
                table_component,
                Code::NoRouteToDestination,
                why,
                None,
                header,
            ));
        };
        let rule = route_rule(table, route);
        if lab.route_state(table, route) == RouteState::Blackhole {
            let why = format!(
                "the route {} → {} in {} is a blackhole: {}",
                route.destination,
                route.target,
                table.id,
                self.blackhole_reason(table, route)
            );
            return Err(refuse(
                table_component,
                Code::BadStateRoute,
                why,
                Some(rule),
                header,
            ));
        }
        self.hop(table_component, header, header, Some(rule));
        match &route.target {
            RouteTarget::Local => self.local(subnet, header),
            RouteTarget::InternetGateway(id) => {
                self.acl(subnet, true, header, Direction::Forward)?;
                self.internet_gateway_out(id, subnet, header)
            }
            RouteTarget::EgressOnlyInternetGateway(id) => {
                self.acl(subnet, true, header, Direction::Forward)?;
                let component = Component::new(ComponentKind::EgressOnlyInternetGateway, id);
                self.pass(component, header);
                self.internet(header)
            }
            RouteTarget::NatGateway(id) => self.nat_gateway(id, subnet, header),
            RouteTarget::VpcEndpoint(id) => {
                self.acl(subnet, true, header, Direction::Forward)?;
                self.gateway_endpoint(id, header)
            }
            RouteTarget::VpcPeeringConnection(id) => {
                self.acl(subnet, true, header, Direction::Forward)?;
                self.peering(id, subnet, header)
            }
            RouteTarget::NetworkInterface(id) => self.appliance(id, subnet, header),
        }
    }

    fn blackhole_reason(&self, table: &RouteTable, route: &Route) -> String {
        let lab = self.lab;
        match &route.target {
            RouteTarget::InternetGateway(id) => match lab.internet_gateway(id.as_str()) {
                None => format!("internet gateway {id} no longer exists"),
                Some(_) => format!("internet gateway {id} is not attached to {}", table.vpc_id),
            },
            RouteTarget::EgressOnlyInternetGateway(id) => {
                format!("egress-only internet gateway {id} no longer exists")
            }
            RouteTarget::NatGateway(id) => match lab.nat_gateway(id.as_str()) {
                Some(n) => format!("NAT gateway {id} is {}", n.state.as_str()),
                None => format!("NAT gateway {id} no longer exists"),
            },
            RouteTarget::VpcEndpoint(id) => match lab.vpc_endpoint(id.as_str()) {
                Some(e) => format!("VPC endpoint {id} is {}", e.state.as_str()),
                None => format!("VPC endpoint {id} no longer exists"),
            },
            RouteTarget::VpcPeeringConnection(id) => {
                match lab.vpc_peering_connection(id.as_str()) {
                    Some(p) => format!("peering connection {id} is {}", p.status.code.as_str()),
                    None => format!("peering connection {id} no longer exists"),
                }
            }
            RouteTarget::NetworkInterface(id) => match lab.network_interface(id.as_str()) {
                None => format!("network interface {id} no longer exists"),
                Some(e) => match lab.instance_of(e) {
                    Some(i) => format!("instance {} behind {id} is {}", i.id, i.state.name()),
                    None => format!("network interface {id} is not attached to an instance"),
                },
            },
            RouteTarget::Local => "the local route is always active".into(),
        }
    }

    /// The local route: an interface of this VPC holds the address.
    fn local(&mut self, subnet: &Subnet, header: Header) -> Step {
        let lab = self.lab;
        let Some(target) = lab.eni_by_private_ip(&subnet.vpc_id, header.destination) else {
            let why = format!(
                "no network interface in {} has the address {}",
                subnet.vpc_id, header.destination
            );
            return Err(refuse(
                Component::new(ComponentKind::Vpc, &subnet.vpc_id),
                Code::NoPossibleDestination,
                why,
                None,
                header,
            ));
        };
        // AWS: network ACLs apply at the subnet edge, so traffic within a subnet skips them.
        if target.subnet_id != subnet.id {
            let target_subnet = self.subnet(&target.subnet_id, header)?;
            self.acl(subnet, true, header, Direction::Forward)?;
            self.acl(target_subnet, false, header, Direction::Forward)?;
        }
        self.arrive(target, header)
    }

    /// The packet reaches the interface that holds its destination address.
    fn arrive(&mut self, eni: &NetworkInterface, header: Header) -> Step {
        let lab = self.lab;
        let component = Component::new(ComponentKind::NetworkInterface, &eni.id);
        if eni.interface_type == InterfaceType::NatGateway {
            let why = format!(
                "{} belongs to a NAT gateway, which does not accept connections addressed to it",
                eni.id
            );
            return Err(refuse(
                component,
                Code::NoPossibleDestination,
                why,
                None,
                header,
            ));
        }
        if eni.attachment.is_none() && !eni.requester_managed {
            let why = format!(
                "{} is not attached to an instance, so nothing receives its traffic",
                eni.id
            );
            return Err(refuse(
                component,
                Code::BadStateAttachment,
                why,
                None,
                header,
            ));
        }
        self.security_group(eni, false, header)?;
        if eni.interface_type == InterfaceType::VpcEndpoint {
            return self.interface_endpoint(eni, header);
        }
        if eni.interface_type == InterfaceType::NetworkLoadBalancer
            && let Some(lb) = lab.load_balancer_of_interface(eni.id.as_str())
        {
            self.hop(component, header, header, None);
            return self.load_balancer(lb, eni, header, None);
        }
        let instance = lab.instance_of(eni);
        if let Some(i) = instance.filter(|i| i.state != InstanceState::Running) {
            let why = format!(
                "instance {} is {}; only a running instance receives traffic",
                i.id,
                i.state.name()
            );
            return Err(refuse(
                Component::new(ComponentKind::Instance, &i.id),
                Code::BadState,
                why,
                None,
                header,
            ));
        }
        self.hop(component, header, header, None);
        if let Some(i) = instance {
            self.hop(
                Component::new(ComponentKind::Instance, &i.id),
                header,
                header,
                None,
            );
        }
        Ok(Delivery::NetworkInterface {
            network_interface_id: eni.id.to_string(),
            instance_id: instance.map(|i| i.id.to_string()),
            address: header.destination,
        })
    }

    /// The packet reaches an interface endpoint's network interface (its security groups
    /// already passed): the endpoint must be available and carries only TCP, then hands
    /// the connection to its service.
    fn interface_endpoint(&mut self, eni: &NetworkInterface, header: Header) -> Step {
        let lab = self.lab;
        let eni_component = Component::new(ComponentKind::NetworkInterface, &eni.id);
        let Some(endpoint) = lab.endpoint_of_interface(&eni.id) else {
            let why = format!("{} belongs to no VPC endpoint", eni.id);
            return Err(refuse(
                eni_component,
                Code::NoPossibleDestination,
                why,
                None,
                header,
            ));
        };
        let component = Component::new(ComponentKind::VpcEndpoint, &endpoint.id);
        if endpoint.state != VpcEndpointState::Available {
            let why = match endpoint.state {
                VpcEndpointState::PendingAcceptance => format!(
                    "{} is pendingAcceptance: the owner of {} has not accepted it yet",
                    endpoint.id, endpoint.service_name
                ),
                VpcEndpointState::Rejected => format!(
                    "{} is rejected: the owner of {} refused the connection",
                    endpoint.id, endpoint.service_name
                ),
                other => format!("{} is {}, not available", endpoint.id, other.as_str()),
            };
            return Err(refuse(component, Code::BadState, why, None, header));
        }
        // AWS: interface endpoints carry TCP only.
        if header.protocol != Protocol::Tcp {
            let why = format!(
                "interface endpoint {} carries only TCP; this flow is {}",
                endpoint.id, header.protocol
            );
            return Err(refuse(
                component,
                Code::ProtocolRestriction,
                why,
                None,
                header,
            ));
        }
        self.hop(eni_component, header, header, None);
        let Some((region, service)) = AwsService::from_service_name(&endpoint.service_name) else {
            return self.endpoint_service(endpoint, eni, component, header);
        };
        // AWS: also when it came from a peered VPC, where a gateway endpoint cannot serve.
        let access = ServiceAccess::InterfaceEndpoint {
            vpc_endpoint_id: endpoint.id.to_string(),
            vpc_id: endpoint.vpc_id.to_string(),
            network_interface_id: eni.id.to_string(),
            source: header.source,
        };
        self.endpoint_to_service(endpoint, component, region, service, header, access)
    }

    /// PrivateLink: the endpoint leads to a provider's endpoint service, whose network
    /// load balancer node in the endpoint interface's zone takes the connection. The
    /// consumer's address is never routed into the provider's VPC, so their CIDRs may
    /// overlap, and the provider cannot open connections back.
    fn endpoint_service(
        &mut self,
        endpoint: &VpcEndpoint,
        eni: &NetworkInterface,
        component: Component,
        header: Header,
    ) -> Step {
        let lab = self.lab;
        let Some(svc) = lab.endpoint_service_by_name(&endpoint.service_name) else {
            let why = format!(
                "{} leads to {}, which no longer exists",
                endpoint.id, endpoint.service_name
            );
            return Err(refuse(
                component,
                Code::NoPossibleDestination,
                why,
                None,
                header,
            ));
        };
        self.pass(component, header);
        let svc_component = Component::new(ComponentKind::VpcEndpointService, &svc.id);
        if svc.service_state != ServiceState::Available {
            let why = format!(
                "endpoint service {} is {}",
                svc.id,
                svc.service_state.as_str()
            );
            return Err(refuse(svc_component, Code::BadState, why, None, header));
        }
        let zone = lab
            .subnet(eni.subnet_id.as_str())
            .map(|s| s.availability_zone.as_str())
            .unwrap_or_default();
        let node = svc
            .network_load_balancer_arns
            .iter()
            .filter_map(|arn| lab.load_balancer(arn.as_str()))
            .find_map(|lb| {
                lb.availability_zones
                    .iter()
                    .find(|z| z.zone_name == zone)
                    .and_then(|z| lab.network_interface(z.network_interface_id.as_str()))
                    .map(|node| (lb, node))
            });
        let Some((lb, node)) = node else {
            let why = format!(
                "endpoint service {} has no load balancer in {zone}, the zone of {}",
                svc.id, eni.id
            );
            return Err(refuse(
                svc_component,
                Code::VpceServiceNotInstalledInAz,
                why,
                None,
                header,
            ));
        };
        self.pass(svc_component, header);
        // AWS: the load balancer's security groups judge PrivateLink traffic too, unless
        // that is turned off, with the client's private address as the source (not the
        // endpoint's). The client is in another VPC: no rule naming a group matches it.
        if !lb.security_groups.is_empty() && lb.enforce_inbound_rules_on_private_link {
            self.security_group_with_peer(node, false, header, &[])
                .map_err(|mut refusal| {
                    refusal.explanation = format!(
                        "{}: traffic through PrivateLink, which load balancer {} judges by its security groups' inbound rules with the client's address (EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic is on)",
                        refusal.explanation, lb.name
                    );
                    refusal
                })?;
        }
        self.load_balancer(lb, node, header, Some(&endpoint.id))
    }

    /// The endpoint hands the connection to its AWS service. AWS: requests arriving
    /// through an endpoint carry the endpoint, its VPC and the private source address,
    /// and no public one.
    fn endpoint_to_service(
        &mut self,
        endpoint: &VpcEndpoint,
        component: Component,
        region: Region,
        service: &AwsService,
        header: Header,
        access: ServiceAccess,
    ) -> Step {
        self.pass(component, header);
        let service_component = Component::new(
            ComponentKind::AwsService,
            format!("{}.{region}", service.name),
        );
        self.pass(service_component, header);
        self.context = Some(RequestContext {
            source_vpce: Some(endpoint.id.to_string()),
            source_vpc: Some(endpoint.vpc_id.to_string()),
            vpc_source_ip: Some(header.source),
            source_ip: None,
        });
        Ok(Delivery::AwsService {
            service: service.name.to_owned(),
            region,
            access,
        })
    }

    /// A connection reaches a network load balancer's node (its interface in one zone),
    /// directly or through PrivateLink (`endpoint`): the listener for its port, the
    /// listener's target group, a target in the node's zone (cross-zone load balancing is
    /// off by default on NLBs), and from the node on to the target inside the load
    /// balancer's VPC, where the target's groups and the subnets' ACLs decide.
    fn load_balancer(
        &mut self,
        lb: &'a LoadBalancer,
        node: &NetworkInterface,
        header: Header,
        endpoint: Option<&VpcEndpointId>,
    ) -> Step {
        let lab = self.lab;
        let component = Component::new(ComponentKind::LoadBalancer, &lb.arn);
        let listeners: Vec<&Listener> = lab.listeners_of(lb).collect();
        let carries = |l: &Listener| match header.protocol {
            Protocol::Tcp => l.protocol.carries_tcp(),
            Protocol::Udp => matches!(l.protocol, ElbProtocol::Udp | ElbProtocol::TcpUdp),
            Protocol::Icmp => false,
        };
        let Some(listener) = listeners
            .iter()
            .copied()
            .find(|l| l.port == header.destination_port && carries(l))
        else {
            let ports: Vec<String> = listeners
                .iter()
                .map(|l| format!("{} {}", l.protocol.as_str(), l.port))
                .collect();
            let (code, why) = if ports.is_empty() {
                (
                    Code::Elbv2ListenersMismatch,
                    format!("load balancer {} has no listener", lb.name),
                )
            } else {
                (
                    Code::Elbv2ListenerPortRestriction,
                    format!(
                        "load balancer {} listens on {} only; nothing accepts {} {}",
                        lb.name,
                        ports.join(", "),
                        header.protocol,
                        port_text(&header)
                    ),
                )
            };
            return Err(refuse(component, code, why, None, header));
        };
        self.pass(component.clone(), header);
        let listener_component = Component::new(ComponentKind::Listener, &listener.arn);
        self.pass(listener_component.clone(), header);
        let Some(tg) = lab.target_group(listener.target_group_arn.as_str()) else {
            let why = format!("listener {} forwards to no target group", listener.arn);
            return Err(refuse(
                listener_component,
                Code::Elbv2ListenerHasNoTg,
                why,
                None,
                header,
            ));
        };
        let tg_component = Component::new(ComponentKind::TargetGroup, &tg.arn);
        if tg.targets.is_empty() {
            let why = format!("target group {} has no registered target", tg.name);
            return Err(refuse(
                listener_component,
                Code::Elbv2ListenerHasNoTg,
                why,
                None,
                header,
            ));
        }
        let zone = lb
            .availability_zones
            .iter()
            .find(|z| z.network_interface_id == node.id)
            .map(|z| z.zone_name.as_str())
            .unwrap_or_default();
        // AWS: with cross-zone load balancing on, a node sends to targets in every zone
        // the load balancer is enabled in; off (the NLB default), only to its own zone's.
        let cross_zone = lb.cross_zone();
        let in_zone: Vec<&RegisteredTarget> = tg
            .targets
            .iter()
            .filter(|t| {
                t.availability_zone.as_deref() == Some("all")
                    || lab.target_zone(tg, t).is_some_and(|z| {
                        z == zone || (cross_zone && lb.zone_names().any(|n| n == z))
                    })
            })
            .collect();
        if in_zone.is_empty() {
            let why = if cross_zone {
                format!(
                    "target group {} has no target in the zones of load balancer {}",
                    tg.name, lb.name
                )
            } else {
                format!(
                    "target group {} has no target in {zone}, the zone of the load balancer node {} reached (cross-zone load balancing is off)",
                    tg.name, node.id
                )
            };
            return Err(refuse(
                component,
                Code::Elbv2NoTargetsInAz,
                why,
                None,
                header,
            ));
        }
        // AWS routes to healthy targets; the engine cannot probe, so a registered target
        // whose instance runs stands for a healthy one (the data plane finds out whether
        // anything is bound behind it).
        let running = |t: &&&RegisteredTarget| {
            lab.target_instance(tg, t)
                .is_none_or(|i| i.state == InstanceState::Running)
        };
        let target = in_zone.iter().find(running).copied().unwrap_or(in_zone[0]);
        let address = match (target.ip(), lab.target_instance(tg, target)) {
            (Some(ip), _) => IpAddr::V4(ip),
            (None, Some(i)) => match lab.network_interface(i.primary_network_interface_id.as_str())
            {
                Some(eni) => IpAddr::V4(eni.primary_private_ip()),
                None => {
                    let why = format!("target {} has no network interface", target.id);
                    return Err(refuse(
                        tg_component,
                        Code::NoPossibleDestination,
                        why,
                        None,
                        header,
                    ));
                }
            },
            (None, None) => {
                let why = format!("target {} does not exist", target.id);
                return Err(refuse(
                    tg_component,
                    Code::NoPossibleDestination,
                    why,
                    None,
                    header,
                ));
            }
        };
        // AWS: through PrivateLink the target always sees the load balancer's address;
        // otherwise the client's when the group preserves it.
        let node_address = IpAddr::V4(node.primary_private_ip());
        let seen_source = if endpoint.is_none() && tg.attributes.preserve_client_ip {
            header.source
        } else {
            node_address
        };
        let out = Header {
            source: seen_source,
            destination: address,
            protocol: header.protocol,
            source_port: header.source_port,
            destination_port: target.port,
        };
        self.hop(tg_component.clone(), header, out, None);
        self.crossings.push(Crossing::Translate {
            component: tg_component,
            inbound: header,
            outbound: out,
        });
        let node_subnet = self.subnet(&node.subnet_id, out)?;
        match self.route_from(node_subnet, out)? {
            Delivery::NetworkInterface {
                network_interface_id,
                instance_id,
                address,
            } => Ok(Delivery::LoadBalancerTarget {
                load_balancer_arn: lb.arn.to_string(),
                target_group_arn: tg.arn.to_string(),
                network_interface_id,
                instance_id,
                address,
                port: target.port,
                seen_source,
                proxy_protocol_v2: tg.attributes.proxy_protocol_v2,
                client: (header.source, header.source_port),
                vpc_endpoint_id: endpoint.map(|e| e.to_string()),
            }),
            other => Ok(other),
        }
    }

    fn internet_gateway_out(
        &mut self,
        igw: &vpclab_model::InternetGatewayId,
        subnet: &Subnet,
        header: Header,
    ) -> Step {
        let lab = self.lab;
        let component = Component::new(ComponentKind::InternetGateway, igw);
        let IpAddr::V4(source) = header.source else {
            // IPv6 addresses are public already: no translation.
            self.pass(component, header);
            return self.internet(header);
        };
        if is_rfc1918(header.destination) {
            let why = format!(
                "{} is a private (RFC 1918) address; {igw} does not send it to the internet",
                header.destination
            );
            return Err(refuse(
                component,
                Code::IgwDestinationAddressNotInRfc1918Egress,
                why,
                None,
                header,
            ));
        }
        let holder = lab.eni_by_private_ip(&subnet.vpc_id, header.source);
        let Some(public) = holder.and_then(|e| e.public_ip_for(source)) else {
            let who = holder.map_or_else(
                || header.source.to_string(),
                |e| format!("{} ({})", header.source, e.id),
            );
            let why = format!(
                "the source {who} has no public IPv4 address or Elastic IP, so {igw} cannot carry it to the internet"
            );
            return Err(refuse(
                component,
                Code::IgwPublicIpAssociationForEgress,
                why,
                None,
                header,
            ));
        };
        let out = header.with_source(IpAddr::V4(public));
        self.hop(component.clone(), header, out, None);
        self.crossings.push(Crossing::Translate {
            component,
            inbound: header,
            outbound: out,
        });
        self.internet(out)
    }

    /// The packet is on the internet: an AWS service, a public address in the lab, or
    /// a host outside.
    fn internet(&mut self, header: Header) -> Step {
        let lab = self.lab;
        if let Some((region, service)) = service_at(header.destination) {
            let component = Component::new(
                ComponentKind::AwsService,
                format!("{}.{}", service.name, region),
            );
            self.pass(component, header);
            self.context = Some(RequestContext {
                source_ip: Some(header.source),
                ..RequestContext::default()
            });
            return Ok(Delivery::AwsService {
                service: service.name.to_owned(),
                region,
                access: ServiceAccess::PublicAddress(header.source),
            });
        }
        if let IpAddr::V4(v4) = header.destination {
            if let Some(eni) = lab.eni_by_public_ip(v4) {
                return self.internet_gateway_in(eni, header);
            }
            let lab_space = vpclab_model::Region::all().any(|r| r.public_ipv4_pool().contains(&v4));
            if lab_space {
                let why = format!("no network interface holds the public address {v4}");
                return Err(refuse(
                    Component::new(ComponentKind::Internet, "internet"),
                    Code::NoPossibleDestination,
                    why,
                    None,
                    header,
                ));
            }
        }
        if header.destination.is_ipv6()
            && let Some(vpc) = lab.vpcs().find(|v| v.contains(header.destination))
        {
            return self.ipv6_in(vpc, header);
        }
        let component = Component::new(ComponentKind::Internet, "internet");
        self.pass(component, header);
        Ok(Delivery::Internet {
            address: header.destination,
            seen_source: header.source,
        })
    }

    /// From the internet to an interface's public address, through its VPC's gateway.
    fn internet_gateway_in(&mut self, eni: &'a NetworkInterface, header: Header) -> Step {
        let lab = self.lab;
        let Some(igw) = lab.internet_gateway_of(&eni.vpc_id) else {
            let why = format!("{} has no internet gateway attached", eni.vpc_id);
            return Err(refuse(
                Component::new(ComponentKind::Vpc, &eni.vpc_id),
                Code::BadStateAttachment,
                why,
                None,
                header,
            ));
        };
        let component = Component::new(ComponentKind::InternetGateway, &igw.id);
        if is_rfc1918(header.source) {
            let why = format!(
                "the source {} is a private (RFC 1918) address; {} drops it",
                header.source, igw.id
            );
            return Err(refuse(
                component,
                Code::IgwSourceAddressNotInRfc1918Ingress,
                why,
                None,
                header,
            ));
        }
        let IpAddr::V4(public) = header.destination else {
            return Err(refuse(
                component,
                Code::IgwPrivateIpAssociationForIngress,
                "not a public IPv4 address".into(),
                None,
                header,
            ));
        };
        let Some(private) = eni.private_ip_for_public(public) else {
            let why = format!("{public} is not mapped to a private address of {}", eni.id);
            return Err(refuse(
                component,
                Code::IgwPrivateIpAssociationForIngress,
                why,
                None,
                header,
            ));
        };
        let inside = header.with_destination(IpAddr::V4(private));
        self.hop(component.clone(), header, inside, None);
        self.crossings.push(Crossing::Translate {
            component,
            inbound: header,
            outbound: inside,
        });
        if eni.interface_type == InterfaceType::NatGateway {
            let why = format!(
                "{public} is a NAT gateway's address; NAT gateways drop connections that start on the internet"
            );
            return Err(refuse(
                Component::new(ComponentKind::NetworkInterface, &eni.id),
                Code::NoPossibleDestination,
                why,
                None,
                inside,
            ));
        }
        let subnet = self.subnet(&eni.subnet_id, inside)?;
        // The reply must leave by the gateway the request came in by.
        self.crossings.push(Crossing::ReturnRoute {
            subnet_id: subnet.id.to_string(),
            expect: RouteTarget::InternetGateway(igw.id.clone()),
            header: inside,
        });
        self.acl(subnet, false, inside, Direction::Forward)?;
        self.arrive(eni, inside)
    }

    /// From the internet to an IPv6 address in a VPC: only an internet gateway admits it
    /// (an egress-only gateway does not).
    fn ipv6_in(&mut self, vpc: &vpclab_model::Vpc, header: Header) -> Step {
        let lab = self.lab;
        let Some(igw) = lab.internet_gateway_of(&vpc.id) else {
            let why = format!(
                "{} has no internet gateway; an egress-only internet gateway does not admit connections from the internet",
                vpc.id
            );
            return Err(refuse(
                Component::new(ComponentKind::Vpc, &vpc.id),
                Code::NoPossibleDestination,
                why,
                None,
                header,
            ));
        };
        let component = Component::new(ComponentKind::InternetGateway, &igw.id);
        let Some(eni) = lab.eni_by_private_ip(&vpc.id, header.destination) else {
            let why = format!(
                "no network interface in {} has the address {}",
                vpc.id, header.destination
            );
            return Err(refuse(
                component,
                Code::IgwPrivateIpAssociationForIngress,
                why,
                None,
                header,
            ));
        };
        self.pass(component, header);
        let subnet = self.subnet(&eni.subnet_id, header)?;
        self.crossings.push(Crossing::ReturnRoute {
            subnet_id: subnet.id.to_string(),
            expect: RouteTarget::InternetGateway(igw.id.clone()),
            header,
        });
        self.acl(subnet, false, header, Direction::Forward)?;
        self.arrive(eni, header)
    }

    fn nat_gateway(
        &mut self,
        id: &vpclab_model::NatGatewayId,
        subnet: &'a Subnet,
        header: Header,
    ) -> Step {
        let lab = self.lab;
        let component = Component::new(ComponentKind::NatGateway, id);
        let Some(nat) = lab.nat_gateway(id.as_str()) else {
            return Err(refuse(
                component,
                Code::BadState,
                format!("NAT gateway {id} does not exist"),
                None,
                header,
            ));
        };
        let in_vpc = lab
            .vpc(subnet.vpc_id.as_str())
            .is_some_and(|v| v.contains(header.source));
        if !in_vpc {
            let why = format!(
                "the source {} is not in {}; {id} only translates traffic from its own VPC",
                header.source, subnet.vpc_id
            );
            return Err(refuse(
                component,
                Code::NgwRequiresSourceInVpc,
                why,
                None,
                header,
            ));
        }
        let nat_subnet = self.subnet(&nat.subnet_id, header)?;
        if nat_subnet.id != subnet.id {
            self.acl(subnet, true, header, Direction::Forward)?;
            self.acl(nat_subnet, false, header, Direction::Forward)?;
        }
        let out = header.with_source(IpAddr::V4(nat.private_ip));
        self.hop(component.clone(), header, out, None);
        self.crossings.push(Crossing::Translate {
            component,
            inbound: header,
            outbound: out,
        });
        self.route_from(nat_subnet, out)
    }

    fn gateway_endpoint(&mut self, id: &vpclab_model::VpcEndpointId, header: Header) -> Step {
        let lab = self.lab;
        let component = Component::new(ComponentKind::VpcEndpoint, id);
        let Some(endpoint) = lab
            .vpc_endpoint(id.as_str())
            .filter(|e| e.state == VpcEndpointState::Available)
        else {
            return Err(refuse(
                component,
                Code::BadState,
                format!("VPC endpoint {id} is not available"),
                None,
                header,
            ));
        };
        // AWS: gateway endpoints carry only TCP and ICMP echo.
        let echo = header.protocol == Protocol::Icmp && header.destination_port == 8;
        if header.protocol != Protocol::Tcp && !echo {
            let why = format!(
                "{id} carries only TCP and ICMP echo; this flow is {}",
                header.protocol
            );
            return Err(refuse(
                component,
                Code::VpceGatewayProtocolRestriction,
                why,
                None,
                header,
            ));
        }
        let Some((region, service)) = service_at(header.destination) else {
            let why = format!(
                "{} is not an address of {}",
                header.destination, endpoint.service_name
            );
            return Err(refuse(
                component,
                Code::NoPossibleDestination,
                why,
                None,
                header,
            ));
        };
        let access = ServiceAccess::GatewayEndpoint {
            vpc_endpoint_id: endpoint.id.to_string(),
            vpc_id: endpoint.vpc_id.to_string(),
            source: header.source,
        };
        self.endpoint_to_service(endpoint, component, region, service, header, access)
    }

    fn peering(
        &mut self,
        id: &vpclab_model::VpcPeeringConnectionId,
        subnet: &Subnet,
        header: Header,
    ) -> Step {
        let lab = self.lab;
        let component = Component::new(ComponentKind::VpcPeeringConnection, id);
        let Some(pcx) = lab.vpc_peering_connection(id.as_str()) else {
            return Err(refuse(
                component,
                Code::BadState,
                format!("peering connection {id} does not exist"),
                None,
                header,
            ));
        };
        let (Some(side), Some(here)) = (
            pcx.other_side(&subnet.vpc_id),
            lab.vpc(subnet.vpc_id.as_str()),
        ) else {
            return Err(refuse(
                component,
                Code::BadState,
                format!("{id} does not connect {}", subnet.vpc_id),
                None,
                header,
            ));
        };
        let Some(peer) = lab.vpc(side.vpc_id.as_str()) else {
            return Err(refuse(
                component,
                Code::BadState,
                format!("peer VPC {} no longer exists", side.vpc_id),
                None,
                header,
            ));
        };
        // AWS: a peering connection is not transitive — it only carries traffic between
        // the two VPCs' own addresses, never on to the peer's gateways or endpoints.
        if !peer.contains(header.destination) {
            let blocks: Vec<String> = peer.cidrs().map(|c| c.to_string()).collect();
            let why = format!(
                "{} is not in peer VPC {} ({}); {id} carries only traffic between the two VPCs' addresses, never on to the peer's gateways or endpoints",
                header.destination,
                peer.id,
                blocks.join(", ")
            );
            return Err(refuse(
                component,
                Code::PcxRequiresAddressInVpcCidr,
                why,
                None,
                header,
            ));
        }
        if !here.contains(header.source) {
            let why = format!(
                "the source {} is not in {}; {id} carries only the two VPCs' own addresses",
                header.source, here.id
            );
            return Err(refuse(
                component,
                Code::PcxRequiresAddressInVpcCidr,
                why,
                None,
                header,
            ));
        }
        self.pass(component, header);
        let Some(target) = lab.eni_by_private_ip(&peer.id, header.destination) else {
            let why = format!(
                "no network interface in {} has the address {}",
                peer.id, header.destination
            );
            return Err(refuse(
                Component::new(ComponentKind::Vpc, &peer.id),
                Code::NoPossibleDestination,
                why,
                None,
                header,
            ));
        };
        let target_subnet = self.subnet(&target.subnet_id, header)?;
        self.crossings.push(Crossing::ReturnRoute {
            subnet_id: target_subnet.id.to_string(),
            expect: RouteTarget::VpcPeeringConnection(pcx.id.clone()),
            header,
        });
        self.acl(target_subnet, false, header, Direction::Forward)?;
        self.arrive(target, header)
    }

    /// A route to a network interface: an appliance that forwards (source/destination
    /// check off) and routes again from its own subnet.
    fn appliance(
        &mut self,
        id: &vpclab_model::NetworkInterfaceId,
        subnet: &Subnet,
        header: Header,
    ) -> Step {
        let lab = self.lab;
        let component = Component::new(ComponentKind::NetworkInterface, id);
        let Some(eni) = lab.network_interface(id.as_str()) else {
            return Err(refuse(
                component,
                Code::BadState,
                format!("network interface {id} does not exist"),
                None,
                header,
            ));
        };
        let eni_subnet = self.subnet(&eni.subnet_id, header)?;
        if eni_subnet.id != subnet.id {
            self.acl(subnet, true, header, Direction::Forward)?;
            self.acl(eni_subnet, false, header, Direction::Forward)?;
        }
        if eni.has_private_ip(header.destination) {
            return self.arrive(eni, header);
        }
        self.security_group(eni, false, header)?;
        if eni.source_dest_check {
            let why = format!(
                "{id} has source/destination check on, so it drops traffic addressed to {} instead of forwarding it",
                header.destination
            );
            return Err(refuse(
                component,
                Code::EniSourceDestCheckRestriction,
                why,
                None,
                header,
            ));
        }
        if let Some(i) = lab
            .instance_of(eni)
            .filter(|i| i.state != InstanceState::Running)
        {
            let why = format!("instance {} is {}", i.id, i.state.name());
            return Err(refuse(
                Component::new(ComponentKind::Instance, &i.id),
                Code::BadState,
                why,
                None,
                header,
            ));
        }
        self.hop(component, header, header, None);
        self.security_group(eni, true, header)?;
        self.route_from(eni_subnet, header)
    }

    /// The reply's way back through what the packet crossed, last first.
    fn reverse(&mut self, out: &mut Vec<Hop>) -> Result<(), Box<Refusal>> {
        let crossings = std::mem::take(&mut self.crossings);
        for crossing in crossings.iter().rev() {
            match crossing {
                Crossing::Stateful {
                    component,
                    group_ids,
                    header,
                } => {
                    let reply = header.reply();
                    out.push(Hop {
                        component: component.clone(),
                        inbound: reply,
                        outbound: reply,
                        rule: Some(Rule::Stateful {
                            group_ids: group_ids.clone(),
                        }),
                    });
                }
                Crossing::Acl {
                    subnet_id,
                    egress,
                    header,
                } => {
                    let Some(subnet) = self.lab.subnet(subnet_id) else {
                        continue;
                    };
                    self.returned.clear();
                    self.acl(subnet, !egress, header.reply(), Direction::Return)?;
                    out.append(&mut self.returned);
                }
                Crossing::Translate {
                    component,
                    inbound,
                    outbound,
                } => out.push(Hop {
                    component: component.clone(),
                    inbound: outbound.reply(),
                    outbound: inbound.reply(),
                    rule: None,
                }),
                Crossing::ReturnRoute {
                    subnet_id,
                    expect,
                    header,
                } => {
                    let reply = header.reply();
                    let Some(subnet) = self.lab.subnet(subnet_id) else {
                        continue;
                    };
                    let Some(table) = self.lab.route_table_for_subnet(subnet) else {
                        continue;
                    };
                    let component = Component::new(ComponentKind::RouteTable, &table.id);
                    let found = route::lookup(self.lab, table, reply.destination);
                    match found {
                        Some((route, _))
                            if &route.target == expect
                                && self.lab.route_state(table, route) == RouteState::Active =>
                        {
                            out.push(Hop {
                                component,
                                inbound: reply,
                                outbound: reply,
                                rule: Some(route_rule(table, route)),
                            });
                        }
                        other => {
                            let (rule, what) = match other {
                                Some((route, _)) => (
                                    Some(route_rule(table, route)),
                                    format!(
                                        "its route {} → {} sends them elsewhere",
                                        route.destination, route.target
                                    ),
                                ),
                                None => (None, "it has no route for them".into()),
                            };
                            let why = format!(
                                "replies to {} must leave {} through {expect}, the way the request came in, but route table {}: {what}",
                                reply.destination, subnet.id, table.id
                            );
                            return Err(Box::new(Refusal {
                                direction: Direction::Return,
                                component,
                                code: Code::NoRouteToDestination,
                                explanation: why,
                                rule,
                                header: reply,
                            }));
                        }
                    }
                }
                Crossing::Pass { component, header } => {
                    let reply = header.reply();
                    out.push(Hop {
                        component: component.clone(),
                        inbound: reply,
                        outbound: reply,
                        rule: None,
                    });
                }
            }
        }
        Ok(())
    }
}

fn port_text(header: &Header) -> String {
    match header.protocol {
        Protocol::Icmp => format!("type {}", header.destination_port),
        _ => format!("port {}", header.destination_port),
    }
}
