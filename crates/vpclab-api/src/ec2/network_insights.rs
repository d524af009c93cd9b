//! Reachability Analyzer: CreateNetworkInsightsPath, DescribeNetworkInsightsPaths,
//! DeleteNetworkInsightsPath, StartNetworkInsightsAnalysis, DescribeNetworkInsightsAnalyses,
//! DeleteNetworkInsightsAnalysis.
//!
//! An analysis is the reach engine's trace of the path — the same computation the data
//! plane enforces and `vpclab reach` prints — taken when the analysis starts and kept, so
//! a later change to the network does not rewrite an old answer. The lab answers at once:
//! StartNetworkInsightsAnalysis says `running`, as AWS does, and the analysis is
//! `succeeded` by the first Describe.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};

use serde::{Deserialize, Serialize};

use vpclab_model::{
    Caller, CreateNetworkInsightsPath, Kind, Lab, NetworkInsightsAnalysis,
    NetworkInsightsAnalysisId, NetworkInsightsPath, NetworkInsightsPathId, Operation, Outcome,
    RulePeer,
};
use vpclab_reach::{
    Component, ComponentKind, Destination, Flow, Header, Hop, Protocol, Rule, Source, Trace,
};

use super::describe::{Filters, check_ids, is_tag_filter, one, page, tag_filter, tag_set, wanted};
use super::shapes;
use super::tags::from_specs;
use super::wire::{FromQuery, Query, Timestamp};
use super::{Handler, Plan};
use crate::error::ApiError;

/// The actions of this module.
pub const ACTIONS: &[(&str, Handler)] = &[
    ("CreateNetworkInsightsPath", create_path),
    ("DescribeNetworkInsightsPaths", describe_paths),
    ("DeleteNetworkInsightsPath", delete_path),
    ("StartNetworkInsightsAnalysis", start_analysis),
    ("DescribeNetworkInsightsAnalyses", describe_analyses),
    ("DeleteNetworkInsightsAnalysis", delete_analysis),
];

/// A path as the wire shows it.
fn path_shape(lab: &Lab, p: &NetworkInsightsPath) -> shapes::NetworkInsightsPath {
    let arn = |id: &str| arn_of(lab, p, id);
    shapes::NetworkInsightsPath {
        network_insights_path_id: Some(p.id.to_string()),
        network_insights_path_arn: Some(p.arn()),
        created_date: Some(Timestamp(p.created_date.0)),
        source: Some(p.source.clone()),
        destination: p.destination.clone(),
        source_arn: arn(&p.source),
        destination_arn: p.destination.as_deref().and_then(arn),
        source_ip: p.source_ip.map(|ip| ip.to_string()),
        destination_ip: p.destination_ip.map(|ip| ip.to_string()),
        protocol: Some(p.protocol.clone()),
        destination_port: Some(i32::from(p.destination_port)),
        tags: Some(tag_set(&p.tags).unwrap_or_default()),
        ..Default::default()
    }
}

/// The ARN of a resource a path names, in the path's account and region.
fn arn_of(lab: &Lab, p: &NetworkInsightsPath, id: &str) -> Option<String> {
    let owner = owner_of(lab, id).unwrap_or_else(|| p.owner_id.to_string());
    ec2_arn(p.region, &owner, id)
}

/// An EC2 resource's ARN (`arn:aws:ec2:<region>:<owner>:<type>/<id>`), for the kinds of
/// id [`resource_type`] knows.
fn ec2_arn(region: vpclab_model::Region, owner: &str, id: &str) -> Option<String> {
    let kind = resource_type(id)?;
    Some(format!("arn:aws:ec2:{}:{owner}:{kind}/{id}", region.name()))
}

/// AWS's ARN resource type for an EC2 id.
fn resource_type(id: &str) -> Option<&'static str> {
    let prefix = id.rsplit_once('-').map(|(p, _)| p)?;
    Some(match prefix {
        "i" => "instance",
        "eni" => "network-interface",
        "igw" => "internet-gateway",
        "eigw" => "egress-only-internet-gateway",
        "nat" => "natgateway",
        "vpce" => "vpc-endpoint",
        "vpce-svc" => "vpc-endpoint-service",
        "sg" => "security-group",
        "acl" => "network-acl",
        "rtb" => "route-table",
        "subnet" => "subnet",
        "vpc" => "vpc",
        "pcx" => "vpc-peering-connection",
        _ => return None,
    })
}

/// The account that owns an EC2 resource, if the lab still has it.
fn owner_of(lab: &Lab, id: &str) -> Option<String> {
    let owner = match resource_type(id)? {
        "instance" => lab.instance(id).map(|r| &r.owner_id),
        "network-interface" => lab.network_interface(id).map(|r| &r.owner_id),
        "internet-gateway" => lab.internet_gateway(id).map(|r| &r.owner_id),
        "egress-only-internet-gateway" => lab.egress_only_internet_gateway(id).map(|r| &r.owner_id),
        "natgateway" => lab.nat_gateway(id).map(|r| &r.owner_id),
        "vpc-endpoint" => lab.vpc_endpoint(id).map(|r| &r.owner_id),
        "vpc-endpoint-service" => lab.vpc_endpoint_service(id).map(|r| &r.owner_id),
        "security-group" => lab.security_group(id).map(|r| &r.owner_id),
        "network-acl" => lab.network_acl(id).map(|r| &r.owner_id),
        "route-table" => lab.route_table(id).map(|r| &r.owner_id),
        "subnet" => lab.subnet(id).map(|r| &r.owner_id),
        "vpc" => lab.vpc(id).map(|r| &r.owner_id),
        _ => None,
    };
    owner.map(ToString::to_string)
}

fn create_path(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::CreateNetworkInsightsPathRequest::from_query(q, "")?;
    if req.filter_at_source.is_some() || req.filter_at_destination.is_some() {
        return Err(ApiError::new(
            "InvalidParameter",
            "FilterAtSource and FilterAtDestination are not served by the lab: give SourceIp, DestinationIp and DestinationPort",
        ));
    }
    let op = Operation::CreateNetworkInsightsPath(CreateNetworkInsightsPath {
        source: req.source,
        destination: req.destination,
        source_ip: req.source_ip,
        destination_ip: req.destination_ip,
        protocol: req.protocol,
        destination_port: req.destination_port,
        tags: from_specs(&req.tag_specifications, "network-insights-path")?,
    });
    Ok(Plan::write(op, |lab, outcome| {
        let Outcome::Created(id) = outcome else {
            return Err(ApiError::internal("no path was created"));
        };
        let path = lab
            .network_insights_path(&id)
            .ok_or_else(|| ApiError::internal("the path is missing"))?;
        Ok(shapes::CreateNetworkInsightsPathResult {
            network_insights_path: Some(path_shape(lab, path)),
        })
    }))
}

/// AWS's documented filters of DescribeNetworkInsightsPaths (tag filters aside).
const PATH_FILTERS: &[&str] = &[
    "destination",
    "destination-ip",
    "destination-port",
    "protocol",
    "source",
    "source-ip",
];

fn path_filter(p: &NetworkInsightsPath, name: &str) -> Option<Vec<String>> {
    match name {
        "destination" => Some(p.destination.iter().cloned().collect()),
        "destination-ip" => Some(p.destination_ip.iter().map(ToString::to_string).collect()),
        "destination-port" => one(p.destination_port),
        "protocol" => one(&p.protocol),
        "source" => one(&p.source),
        "source-ip" => Some(p.source_ip.iter().map(ToString::to_string).collect()),
        other => tag_filter(&p.tags, other),
    }
}

fn describe_paths(caller: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::DescribeNetworkInsightsPathsRequest::from_query(q, "")?;
    let filters = Filters::new(&req.filters);
    filters.check(|n| PATH_FILTERS.contains(&n) || is_tag_filter(n))?;
    let caller = caller.clone();
    Ok(Plan::read(move |lab| {
        let mine =
            |p: &NetworkInsightsPath| p.owner_id == caller.account && p.region == caller.region;
        check_ids(
            &req.network_insights_path_ids,
            Kind::NetworkInsightsPath,
            |id| NetworkInsightsPathId::parse(id).is_some(),
            |id| lab.network_insights_path(id).is_some_and(mine),
        )?;
        let found = filters.keep(
            lab.network_insights_paths()
                .filter(|p| mine(p) && wanted(&req.network_insights_path_ids, p.id.as_str())),
            |p, name| path_filter(p, name),
        )?;
        let (paths, next_token) = page(found, req.max_results, &req.next_token, 1)?;
        Ok(shapes::DescribeNetworkInsightsPathsResult {
            network_insights_paths: Some(paths.into_iter().map(|p| path_shape(lab, p)).collect()),
            next_token,
        })
    }))
}

fn delete_path(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::DeleteNetworkInsightsPathRequest::from_query(q, "")?;
    let id = req.network_insights_path_id.clone();
    Ok(Plan::write(
        Operation::DeleteNetworkInsightsPath {
            network_insights_path_id: req.network_insights_path_id,
        },
        move |_, _| {
            Ok(shapes::DeleteNetworkInsightsPathResult {
                network_insights_path_id: Some(id),
            })
        },
    ))
}

/// The flow a path asks about, as the reach engine takes it.
fn flow_of(lab: &Lab, p: &NetworkInsightsPath) -> Result<Flow, String> {
    let source = if let Some(id) = vpclab_model::InstanceId::parse(&p.source) {
        Source::Instance(id)
    } else if let Some(id) = vpclab_model::NetworkInterfaceId::parse(&p.source) {
        Source::NetworkInterface(id)
    } else {
        // From the internet through the gateway: the host's address, or one of the
        // addresses reserved for documentation when none is given.
        Source::Internet(IpAddr::V4(
            p.source_ip.unwrap_or(Ipv4Addr::new(198, 51, 100, 1)),
        ))
    };
    let destination =
        match (p.destination_ip, p.destination.as_deref()) {
            (Some(ip), _) => Destination::Address(IpAddr::V4(ip)),
            (None, Some(id)) => Destination::Address(address_of(lab, id).ok_or_else(|| {
                format!("the destination {id} no longer exists or has no address")
            })?),
            (None, None) => return Err("the path has no destination".into()),
        };
    let protocol = if p.protocol == "udp" {
        Protocol::Udp
    } else {
        Protocol::Tcp
    };
    let mut flow = Flow::tcp(source, destination, p.destination_port);
    flow.protocol = protocol;
    Ok(flow)
}

/// The primary private address of what a path's destination names.
fn address_of(lab: &Lab, id: &str) -> Option<IpAddr> {
    let eni = match id.split('-').next()? {
        "i" => lab.instance(id)?.primary_network_interface_id.to_string(),
        "eni" => id.to_owned(),
        "vpce" => lab
            .vpc_endpoint(id)?
            .network_interface_ids
            .first()?
            .to_string(),
        _ => return None,
    };
    Some(IpAddr::V4(
        lab.network_interface(&eni)?.primary_private_ip(),
    ))
}

fn start_analysis(caller: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::StartNetworkInsightsAnalysisRequest::from_query(q, "")?;
    let unserved = [
        ("AdditionalAccounts", req.additional_accounts.is_some()),
        ("FilterInArns", req.filter_in_arns.is_some()),
        ("FilterOutArns", req.filter_out_arns.is_some()),
    ];
    if let Some((name, _)) = unserved.iter().find(|(_, given)| *given) {
        return Err(ApiError::new(
            "InvalidParameter",
            format!("{name} is not served by the lab: an analysis traces the path's one flow"),
        ));
    }
    let tags = from_specs(&req.tag_specifications, "network-insights-analysis")?;
    let caller = caller.clone();
    Ok(Plan::read_then_write(move |lab| {
        let path = lab
            .owned_network_insights_path(&caller, &req.network_insights_path_id)
            .map_err(ApiError::from)?;
        let (found, finding) = match flow_of(lab, path) {
            Ok(flow) => {
                let trace = vpclab_reach::trace(lab, &flow);
                (
                    trace.is_delivered(),
                    Finding::Traced(Box::new(Snapshot::take(lab, trace))),
                )
            }
            Err(why) => (false, Finding::Failed(why)),
        };
        let op = Operation::StartNetworkInsightsAnalysis {
            network_insights_path_id: path.id.to_string(),
            network_path_found: found,
            finding: finding.encode()?,
            tags,
        };
        Ok(Plan::write(op, |lab, outcome| {
            let Outcome::Created(id) = outcome else {
                return Err(ApiError::internal("no analysis was started"));
            };
            let analysis = lab
                .network_insights_analysis(&id)
                .ok_or_else(|| ApiError::internal("the analysis is missing"))?;
            // AWS answers the start before the analysis is done.
            Ok(shapes::StartNetworkInsightsAnalysisResult {
                network_insights_analysis: Some(shapes::NetworkInsightsAnalysis {
                    network_insights_analysis_id: Some(analysis.id.to_string()),
                    network_insights_analysis_arn: Some(analysis.arn()),
                    network_insights_path_id: Some(analysis.path_id.to_string()),
                    start_date: Some(Timestamp(analysis.start_date.0)),
                    status: Some("running".into()),
                    tags: Some(tag_set(&analysis.tags).unwrap_or_default()),
                    ..Default::default()
                }),
            })
        }))
    }))
}

/// What an analysis found, as the model keeps it: the engine's trace with what the
/// rendering needs of the lab as it stood (owners, placements, the rules the trace names),
/// so that the answer stays the one given when the network changes or resources go.
#[derive(Serialize, Deserialize)]
struct Snapshot {
    trace: Trace,
    owners: BTreeMap<String, String>,
    placements: BTreeMap<String, (String, String)>,
    sg_rules: BTreeMap<String, SgRuleSeen>,
    acl_entries: BTreeMap<String, AclEntrySeen>,
    direction: Option<String>,
}

/// A security group rule as it stood.
#[derive(Serialize, Deserialize)]
struct SgRuleSeen {
    egress: bool,
    protocol: String,
    ports: Option<(i32, i32)>,
    cidr: Option<String>,
    prefix_list: Option<String>,
    group: Option<String>,
}

/// A network ACL entry as it stood.
#[derive(Serialize, Deserialize)]
struct AclEntrySeen {
    cidr: String,
    protocol: String,
    ports: Option<(i32, i32)>,
}

fn acl_key(acl: &str, number: u16, egress: bool) -> String {
    format!(
        "{acl}/{number}/{}",
        if egress { "egress" } else { "ingress" }
    )
}

impl Snapshot {
    /// The trace and what it names, read from the lab now.
    fn take(lab: &Lab, trace: Trace) -> Snapshot {
        let mut s = Snapshot {
            direction: direction(lab, trace.refusal()).map(str::to_owned),
            trace,
            owners: BTreeMap::new(),
            placements: BTreeMap::new(),
            sg_rules: BTreeMap::new(),
            acl_entries: BTreeMap::new(),
        };
        let hops = s.trace.forward.iter().chain(&s.trace.reverse);
        let refusal = s.trace.refusal().map(|r| (&r.component, &r.rule));
        let named: Vec<(&Component, Option<&Rule>)> = hops
            .map(|h| (&h.component, h.rule.as_ref()))
            .chain(refusal.map(|(c, r)| (c, r.as_ref())))
            .collect();
        let mut owners = BTreeMap::new();
        let mut placements = BTreeMap::new();
        let mut sg_rules = BTreeMap::new();
        let mut acl_entries = BTreeMap::new();
        for (c, rule) in named {
            if let Some(owner) = owner_of(lab, &c.id) {
                owners.insert(c.id.clone(), owner);
            }
            if let (Some(vpc), Some(subnet)) = placement(lab, c) {
                placements.insert(c.id.clone(), (vpc.clone(), subnet.clone()));
                for id in [vpc, subnet] {
                    if let Some(owner) = owner_of(lab, &id) {
                        owners.insert(id, owner);
                    }
                }
            }
            match rule {
                Some(Rule::SecurityGroupRule {
                    group_id, rule_id, ..
                }) => {
                    let seen = lab
                        .security_group(group_id)
                        .and_then(|g| g.rules.iter().find(|r| r.id.as_str() == rule_id))
                        .map(|r| SgRuleSeen {
                            egress: r.is_egress,
                            protocol: r.protocol.to_string(),
                            ports: r.ports.map(|p| (p.from, p.to)),
                            cidr: match &r.peer {
                                RulePeer::Cidr(net) => Some(net.to_string()),
                                _ => None,
                            },
                            prefix_list: match &r.peer {
                                RulePeer::PrefixList(pl) => Some(pl.to_string()),
                                _ => None,
                            },
                            group: match &r.peer {
                                RulePeer::Group(g) => Some(g.group_id.to_string()),
                                _ => None,
                            },
                        });
                    if let Some(seen) = seen {
                        sg_rules.insert(rule_id.clone(), seen);
                    }
                }
                Some(Rule::NetworkAclEntry {
                    network_acl_id,
                    rule_number,
                    egress,
                    ..
                }) => {
                    let entry = lab.network_acl(network_acl_id).and_then(|a| {
                        a.entries
                            .iter()
                            .find(|e| e.rule_number == *rule_number && e.egress == *egress)
                    });
                    if let Some(e) = entry {
                        acl_entries.insert(
                            acl_key(network_acl_id, *rule_number, *egress),
                            AclEntrySeen {
                                cidr: e.cidr.to_string(),
                                protocol: e.protocol.to_string(),
                                ports: e.port_range.map(|p| (p.from, p.to)),
                            },
                        );
                    }
                }
                _ => {}
            }
        }
        s.owners = owners;
        s.placements = placements;
        s.sg_rules = sg_rules;
        s.acl_entries = acl_entries;
        s
    }
}

/// What an analysis found: the snapshot, or why the path could not be traced.
enum Finding {
    Traced(Box<Snapshot>),
    Failed(String),
}

impl Finding {
    /// `snapshot:<json>` or `failed:<why>`, as the model keeps it.
    fn encode(&self) -> Result<String, ApiError> {
        Ok(match self {
            Finding::Traced(snapshot) => format!(
                "snapshot:{}",
                serde_json::to_string(snapshot).map_err(|e| ApiError::internal(e.to_string()))?
            ),
            Finding::Failed(why) => format!("failed:{why}"),
        })
    }

    fn decode(text: &str) -> Finding {
        match text.split_once(':') {
            Some(("snapshot", json)) => match serde_json::from_str(json) {
                Ok(s) => Finding::Traced(Box::new(s)),
                Err(e) => Finding::Failed(format!("the kept finding does not read back: {e}")),
            },
            Some((_, why)) => Finding::Failed(why.to_owned()),
            None => Finding::Failed(text.to_owned()),
        }
    }
}

/// An analysis's status, from how its finding was kept: traced (`succeeded`), or not.
fn status_of(a: &NetworkInsightsAnalysis) -> &'static str {
    if a.finding.starts_with("snapshot:") {
        "succeeded"
    } else {
        "failed"
    }
}

/// An analysis as the wire shows it.
fn analysis_shape(a: &NetworkInsightsAnalysis) -> shapes::NetworkInsightsAnalysis {
    let mut shape = shapes::NetworkInsightsAnalysis {
        network_insights_analysis_id: Some(a.id.to_string()),
        network_insights_analysis_arn: Some(a.arn()),
        network_insights_path_id: Some(a.path_id.to_string()),
        start_date: Some(Timestamp(a.start_date.0)),
        tags: Some(tag_set(&a.tags).unwrap_or_default()),
        ..Default::default()
    };
    match Finding::decode(&a.finding) {
        Finding::Traced(s) => {
            shape.status = Some("succeeded".into());
            shape.network_path_found = Some(a.network_path_found);
            shape.forward_path_components = Some(components(&s, a, &s.trace.forward));
            shape.return_path_components = Some(components(&s, a, &s.trace.reverse));
            shape.explanations = Some(explanations(&s, a));
        }
        Finding::Failed(why) => {
            shape.status = Some("failed".into());
            shape.status_message = Some(why);
        }
    }
    shape
}

/// A component as the wire names it.
fn component(
    s: &Snapshot,
    a: &NetworkInsightsAnalysis,
    c: &Component,
) -> shapes::AnalysisComponent {
    let arn = match c.kind {
        ComponentKind::LoadBalancer | ComponentKind::Listener | ComponentKind::TargetGroup => {
            Some(c.id.clone())
        }
        ComponentKind::Internet | ComponentKind::AwsService => None,
        _ => {
            let owner = s.owners.get(&c.id).map(String::as_str);
            ec2_arn(a.region, owner.unwrap_or(a.owner_id.as_str()), &c.id)
        }
    };
    shapes::AnalysisComponent {
        id: Some(c.id.clone()),
        arn,
        name: matches!(c.kind, ComponentKind::Internet | ComponentKind::AwsService)
            .then(|| c.id.clone()),
    }
}

fn by_id(s: &Snapshot, a: &NetworkInsightsAnalysis, id: &str) -> shapes::AnalysisComponent {
    let kind = match resource_type(id) {
        Some("vpc") => ComponentKind::Vpc,
        _ => ComponentKind::Subnet,
    };
    component(s, a, &Component::new(kind, id))
}

fn ports(from: u16, to: u16) -> shapes::PortRange {
    shapes::PortRange {
        r#from: Some(i32::from(from)),
        to: Some(i32::from(to)),
    }
}

fn seen_ports(p: Option<(i32, i32)>) -> Option<shapes::PortRange> {
    p.map(|(from, to)| shapes::PortRange {
        r#from: Some(from),
        to: Some(to),
    })
}

/// A packet header: addresses, ports and the protocol by number.
fn header(h: &Header) -> shapes::AnalysisPacketHeader {
    let ipv6 = h.destination.is_ipv6();
    shapes::AnalysisPacketHeader {
        destination_addresses: Some(vec![h.destination.to_string()]),
        destination_port_ranges: Some(vec![ports(h.destination_port, h.destination_port)]),
        protocol: Some(h.protocol.number(ipv6).to_string()),
        source_addresses: Some(vec![h.source.to_string()]),
        source_port_ranges: Some(vec![ports(h.source_port, h.source_port)]),
    }
}

/// A security group rule as the wire shows it, as it stood.
fn security_group_rule(
    s: &Snapshot,
    group_id: &str,
    rule_id: &str,
) -> shapes::AnalysisSecurityGroupRule {
    let mut out = shapes::AnalysisSecurityGroupRule {
        security_group_id: Some(group_id.to_owned()),
        ..Default::default()
    };
    if let Some(r) = s.sg_rules.get(rule_id) {
        out.direction = Some(if r.egress { "egress" } else { "ingress" }.into());
        out.protocol = Some(r.protocol.clone());
        out.port_range = seen_ports(r.ports);
        out.cidr = r.cidr.clone();
        out.prefix_list_id = r.prefix_list.clone();
        if let Some(g) = &r.group {
            out.security_group_id = Some(g.clone());
        }
    }
    out
}

/// A network ACL entry as the wire shows it, as it stood.
fn acl_rule(
    s: &Snapshot,
    acl: &str,
    number: u16,
    egress: bool,
    allow: bool,
) -> shapes::AnalysisAclRule {
    let entry = s.acl_entries.get(&acl_key(acl, number, egress));
    shapes::AnalysisAclRule {
        cidr: entry.map(|e| e.cidr.clone()),
        egress: Some(egress),
        port_range: entry.and_then(|e| seen_ports(e.ports)),
        protocol: entry.map(|e| e.protocol.clone()),
        rule_action: Some(if allow { "allow" } else { "deny" }.into()),
        rule_number: Some(i32::from(number)),
    }
}

/// A route as the wire shows it: its destination and the target by kind.
fn route(destination: &str, target: &str) -> shapes::AnalysisRouteTableRoute {
    let mut out = shapes::AnalysisRouteTableRoute {
        origin: Some(
            if target == "local" {
                "CreateRouteTable"
            } else {
                "CreateRoute"
            }
            .into(),
        ),
        state: Some("active".into()),
        ..Default::default()
    };
    if destination.starts_with("pl-") {
        out.destination_prefix_list_id = Some(destination.to_owned());
    } else {
        out.destination_cidr = Some(destination.to_owned());
    }
    let t = Some(target.to_owned());
    match target.split('-').next().unwrap_or_default() {
        "nat" => out.nat_gateway_id = t,
        "pcx" => out.vpc_peering_connection_id = t,
        "eni" => out.network_interface_id = t,
        "i" => out.instance_id = t,
        "eigw" => out.egress_only_internet_gateway_id = t,
        "tgw" => out.transit_gateway_id = t,
        _ => out.gateway_id = t,
    }
    out
}

/// The VPC and subnet of an interface or instance component, from the lab.
fn placement(lab: &Lab, c: &Component) -> (Option<String>, Option<String>) {
    let eni = match c.kind {
        ComponentKind::NetworkInterface => lab.network_interface(&c.id),
        ComponentKind::Instance => lab
            .instance(&c.id)
            .and_then(|i| lab.network_interface(i.primary_network_interface_id.as_str())),
        _ => None,
    };
    match eni {
        Some(e) => (Some(e.vpc_id.to_string()), Some(e.subnet_id.to_string())),
        None => (None, None),
    }
}

/// The rule a hop or a refusal names, on a path component or an explanation.
fn rule_fields(
    s: &Snapshot,
    rule: Option<&Rule>,
) -> (
    Option<shapes::AnalysisSecurityGroupRule>,
    Option<shapes::AnalysisAclRule>,
    Option<shapes::AnalysisRouteTableRoute>,
) {
    match rule {
        Some(Rule::SecurityGroupRule {
            group_id, rule_id, ..
        }) => (Some(security_group_rule(s, group_id, rule_id)), None, None),
        Some(Rule::NetworkAclEntry {
            network_acl_id,
            rule_number,
            egress,
            allow,
        }) => (
            None,
            Some(acl_rule(s, network_acl_id, *rule_number, *egress, *allow)),
            None,
        ),
        Some(Rule::Route {
            destination,
            target,
            ..
        }) => (None, None, Some(route(destination, target))),
        Some(Rule::Stateful { .. }) | None => (None, None, None),
    }
}

/// A list of hops as AWS's path components, numbered from 1.
fn components(
    s: &Snapshot,
    a: &NetworkInsightsAnalysis,
    hops: &[Hop],
) -> Vec<shapes::PathComponent> {
    hops.iter()
        .enumerate()
        .map(|(n, hop)| {
            let placed = s.placements.get(&hop.component.id);
            let (security_group_rule, acl_rule, route_table_route) =
                rule_fields(s, hop.rule.as_ref());
            shapes::PathComponent {
                sequence_number: Some(n as i32 + 1),
                component: Some(component(s, a, &hop.component)),
                outbound_header: Some(header(&hop.outbound)),
                inbound_header: (hop.inbound != hop.outbound).then(|| header(&hop.inbound)),
                vpc: placed.map(|(v, _)| by_id(s, a, v)),
                subnet: placed.map(|(_, sub)| by_id(s, a, sub)),
                security_group_rule,
                acl_rule,
                route_table_route,
                ..Default::default()
            }
        })
        .collect()
}

/// Why a path is not found: the refusal as AWS's explanation (its code, direction, the
/// component and what it carries of the rule), with the packet's address and port.
fn explanations(s: &Snapshot, a: &NetworkInsightsAnalysis) -> Vec<shapes::Explanation> {
    let Some(refusal) = s.trace.refusal() else {
        return Vec::new();
    };
    let c = component(s, a, &refusal.component);
    let (security_group_rule, acl_rule, route_table_route) = rule_fields(s, refusal.rule.as_ref());
    let mut out = shapes::Explanation {
        explanation_code: Some(refusal.code.as_str().to_owned()),
        direction: s.direction.clone(),
        component: Some(c.clone()),
        address: Some(refusal.header.destination.to_string()),
        port: Some(i32::from(refusal.header.destination_port)),
        protocols: Some(vec![refusal.header.protocol.to_string()]),
        security_group_rule,
        acl_rule,
        route_table_route,
        ..Default::default()
    };
    match refusal.component.kind {
        ComponentKind::SecurityGroup => {
            out.security_group = Some(c.clone());
            out.security_groups = Some(vec![c]);
        }
        ComponentKind::NetworkAcl => out.acl = Some(c),
        ComponentKind::RouteTable => out.route_table = Some(c),
        ComponentKind::InternetGateway => out.internet_gateway = Some(c),
        ComponentKind::NatGateway => out.nat_gateway = Some(c),
        ComponentKind::VpcEndpoint => out.vpc_endpoint = Some(c),
        ComponentKind::VpcPeeringConnection => out.vpc_peering_connection = Some(c),
        ComponentKind::NetworkInterface => out.network_interface = Some(c),
        ComponentKind::Subnet => out.subnet = Some(c),
        ComponentKind::Vpc => out.vpc = Some(c),
        ComponentKind::LoadBalancer => out.load_balancer_arn = Some(refusal.component.id.clone()),
        ComponentKind::Listener => out.elastic_load_balancer_listener = Some(c),
        ComponentKind::TargetGroup => out.load_balancer_target_group = Some(c),
        _ => {}
    }
    vec![out]
}

/// Which way a security group or network ACL refused: `egress` when the packet was
/// leaving the interface (or subnet) that refused it, `ingress` when arriving.
fn direction(lab: &Lab, refusal: Option<&vpclab_reach::Refusal>) -> Option<&'static str> {
    let refusal = refusal?;
    let egress = match (&refusal.rule, refusal.component.kind) {
        (Some(Rule::NetworkAclEntry { egress, .. }), _) => *egress,
        (_, ComponentKind::SecurityGroup) => {
            let group = lab.security_group(&refusal.component.id)?;
            lab.eni_by_private_ip(&group.vpc_id, refusal.header.source)
                .is_some_and(|e| e.groups.contains(&group.id))
        }
        _ => return None,
    };
    Some(if egress { "egress" } else { "ingress" })
}

/// AWS's documented filters of DescribeNetworkInsightsAnalyses (tag filters aside).
const ANALYSIS_FILTERS: &[&str] = &["path-found", "status"];

fn describe_analyses(caller: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::DescribeNetworkInsightsAnalysesRequest::from_query(q, "")?;
    let filters = Filters::new(&req.filters);
    filters.check(|n| ANALYSIS_FILTERS.contains(&n) || is_tag_filter(n))?;
    let caller = caller.clone();
    Ok(Plan::read(move |lab| {
        let mine =
            |a: &NetworkInsightsAnalysis| a.owner_id == caller.account && a.region == caller.region;
        check_ids(
            &req.network_insights_analysis_ids,
            Kind::NetworkInsightsAnalysis,
            |id| NetworkInsightsAnalysisId::parse(id).is_some(),
            |id| lab.network_insights_analysis(id).is_some_and(mine),
        )?;
        if let Some(path) = &req.network_insights_path_id {
            lab.owned_network_insights_path(&caller, path)
                .map_err(ApiError::from)?;
        }
        let start = req.analysis_start_time.as_ref().map(|t| t.0);
        let end = req.analysis_end_time.as_ref().map(|t| t.0);
        let candidates = lab.network_insights_analyses().filter(|a| {
            mine(a)
                && wanted(&req.network_insights_analysis_ids, a.id.as_str())
                && req
                    .network_insights_path_id
                    .as_deref()
                    .is_none_or(|p| a.path_id.as_str() == p)
                && start.is_none_or(|s| a.start_date.0 >= s)
                && end.is_none_or(|e| a.start_date.0 <= e)
        });
        // Filtered and paged on what the record says; only the page is rendered (each
        // analysis's kept finding is read back then).
        let found = filters.keep(candidates, |a, name| match name {
            "path-found" => one(a.network_path_found),
            "status" => one(status_of(a)),
            other => tag_filter(&a.tags, other),
        })?;
        let (analyses, next_token) = page(found, req.max_results, &req.next_token, 1)?;
        Ok(shapes::DescribeNetworkInsightsAnalysesResult {
            network_insights_analyses: Some(analyses.into_iter().map(analysis_shape).collect()),
            next_token,
        })
    }))
}

fn delete_analysis(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::DeleteNetworkInsightsAnalysisRequest::from_query(q, "")?;
    let id = req.network_insights_analysis_id.clone();
    Ok(Plan::write(
        Operation::DeleteNetworkInsightsAnalysis {
            network_insights_analysis_id: req.network_insights_analysis_id,
        },
        move |_, _| {
            Ok(shapes::DeleteNetworkInsightsAnalysisResult {
                network_insights_analysis_id: Some(id),
            })
        },
    ))
}
