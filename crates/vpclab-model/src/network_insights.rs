//! Reachability Analyzer's resources: a network insights path (a question: from a source
//! to a destination, a protocol and a port) and a network insights analysis (the answer
//! at one moment). The answer is the reach engine's trace, which the model cannot compute
//! (the engine depends on the model): the layer that starts an analysis traces the path
//! and hands the finding over, and the model keeps it as it was given.

use std::net::Ipv4Addr;

use serde::{Deserialize, Serialize};

use crate::err::{Error, Kind, Result};
use crate::ids::*;
use crate::lab::{Caller, Lab, Tags, Timestamp};
use crate::region::{AccountId, Region};
use crate::tags::{owned, validate_tags};

/// A network insights path (`nip-…`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkInsightsPath {
    /// `nip-…`.
    pub id: NetworkInsightsPathId,
    /// The owning account.
    pub owner_id: AccountId,
    /// Its region.
    pub region: Region,
    /// Its tags.
    pub tags: Tags,
    /// When it was created.
    pub created_date: Timestamp,
    /// The source: an instance, a network interface or an internet gateway, by id.
    pub source: String,
    /// The destination, by id (an instance, a network interface, an internet gateway or
    /// an interface VPC endpoint), when one is named.
    pub destination: Option<String>,
    /// The source address, when given (for an internet gateway: the internet host's).
    pub source_ip: Option<Ipv4Addr>,
    /// The destination address, when given.
    pub destination_ip: Option<Ipv4Addr>,
    /// `tcp` or `udp`.
    pub protocol: String,
    /// The destination port.
    pub destination_port: u16,
}

/// A network insights analysis (`nia-…`): a path's trace at one moment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkInsightsAnalysis {
    /// `nia-…`.
    pub id: NetworkInsightsAnalysisId,
    /// The owning account.
    pub owner_id: AccountId,
    /// Its region.
    pub region: Region,
    /// Its tags.
    pub tags: Tags,
    /// The path analysed.
    pub path_id: NetworkInsightsPathId,
    /// When it started (and, in the lab, ended).
    pub start_date: Timestamp,
    /// Whether the destination is reachable from the source, both ways.
    pub network_path_found: bool,
    /// The finding as the analysing layer encoded it (the reach engine's trace, JSON);
    /// the model keeps it and reads nothing in it.
    pub finding: String,
}

owned!(NetworkInsightsPath, NetworkInsightsAnalysis);

impl NetworkInsightsPath {
    /// Its ARN.
    pub fn arn(&self) -> String {
        format!(
            "arn:aws:ec2:{}:{}:network-insights-path/{}",
            self.region.name(),
            self.owner_id,
            self.id
        )
    }
}

impl NetworkInsightsAnalysis {
    /// Its ARN.
    pub fn arn(&self) -> String {
        format!(
            "arn:aws:ec2:{}:{}:network-insights-analysis/{}",
            self.region.name(),
            self.owner_id,
            self.id
        )
    }
}

/// CreateNetworkInsightsPath's parameters, as the wire gave them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateNetworkInsightsPath {
    /// The source: an id or an ARN.
    pub source: String,
    /// The destination: an id or an ARN.
    pub destination: Option<String>,
    /// The source address.
    pub source_ip: Option<String>,
    /// The destination address.
    pub destination_ip: Option<String>,
    /// `tcp` or `udp`.
    pub protocol: String,
    /// The destination port.
    pub destination_port: Option<i32>,
    /// Tags from the request's tag specifications.
    pub tags: Tags,
}

/// What a path's end names, once its id or ARN is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathEnd {
    /// `i-…`.
    Instance,
    /// `eni-…`.
    NetworkInterface,
    /// `igw-…`.
    InternetGateway,
    /// `vpce-…` (interface endpoints only).
    VpcEndpoint,
}

/// The id in `s`, an id or an EC2 ARN (`arn:aws:ec2:<region>:<account>:<type>/<id>`).
fn id_of(s: &str) -> &str {
    if s.starts_with("arn:") {
        s.rsplit('/').next().unwrap_or(s)
    } else {
        s
    }
}

fn address(name: &str, value: &Option<String>) -> Result<Option<Ipv4Addr>> {
    value
        .as_deref()
        .map(|v| {
            v.parse().map_err(|_| {
                Error::InvalidParameterValue(format!(
                    "Value ({v}) for parameter {name} is invalid: an IPv4 address is expected"
                ))
            })
        })
        .transpose()
}

impl Lab {
    /// The caller's network insights path `id`.
    pub fn owned_network_insights_path(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<&NetworkInsightsPath> {
        Lab::owned(
            &self.network_insights_paths,
            caller,
            Kind::NetworkInsightsPath,
            id,
            NetworkInsightsPathId::parse,
        )
    }

    /// The caller's network insights analysis `id`.
    pub fn owned_network_insights_analysis(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<&NetworkInsightsAnalysis> {
        Lab::owned(
            &self.network_insights_analyses,
            caller,
            Kind::NetworkInsightsAnalysis,
            id,
            NetworkInsightsAnalysisId::parse,
        )
    }

    /// What a path's end names (an id or an ARN), checked to be the caller's.
    pub fn path_end(&self, caller: &Caller, end: &str, source: bool) -> Result<(PathEnd, String)> {
        let id = id_of(end);
        let kind = if InstanceId::parse(id).is_some() {
            Lab::owned(
                &self.instances,
                caller,
                Kind::Instance,
                id,
                InstanceId::parse,
            )?;
            PathEnd::Instance
        } else if NetworkInterfaceId::parse(id).is_some() {
            Lab::owned(
                &self.network_interfaces,
                caller,
                Kind::NetworkInterface,
                id,
                NetworkInterfaceId::parse,
            )?;
            PathEnd::NetworkInterface
        } else if InternetGatewayId::parse(id).is_some() {
            Lab::owned(
                &self.internet_gateways,
                caller,
                Kind::InternetGateway,
                id,
                InternetGatewayId::parse,
            )?;
            PathEnd::InternetGateway
        } else if !source && VpcEndpointId::parse(id).is_some() {
            let endpoint = Lab::owned(
                &self.vpc_endpoints,
                caller,
                Kind::VpcEndpoint,
                id,
                VpcEndpointId::parse,
            )?;
            if endpoint.network_interface_ids.is_empty() {
                return Err(Error::InvalidParameterValue(format!(
                    "{id} is a gateway endpoint; the lab analyses paths to interface endpoints (a gateway endpoint is a route: name the service's address as DestinationIp)"
                )));
            }
            PathEnd::VpcEndpoint
        } else {
            let what = if source { "Source" } else { "Destination" };
            let kinds = if source {
                "an instance, a network interface or an internet gateway"
            } else {
                "an instance, a network interface, an internet gateway or an interface VPC endpoint"
            };
            return Err(Error::InvalidParameterValue(format!(
                "{what} '{end}' is not a resource vpclab analyses paths for: give {kinds} (an id or an ARN)"
            )));
        };
        Ok((kind, id.to_owned()))
    }

    /// CreateNetworkInsightsPath.
    pub fn create_network_insights_path(
        &mut self,
        caller: &Caller,
        req: &CreateNetworkInsightsPath,
    ) -> Result<NetworkInsightsPathId> {
        validate_tags(&req.tags)?;
        let protocol = req.protocol.to_ascii_lowercase();
        if protocol != "tcp" && protocol != "udp" {
            return Err(Error::InvalidParameterValue(format!(
                "Value ({}) for parameter Protocol is invalid. Valid values: tcp, udp",
                req.protocol
            )));
        }
        // AWS analyses every port when none is given; the lab traces one port, and says
        // so rather than answer for a port nobody asked about.
        let port = match req.destination_port {
            None => {
                return Err(Error::MissingParameter(
                    "DestinationPort (vpclab traces one destination port per path)".into(),
                ));
            }
            Some(p) => u16::try_from(p).map_err(|_| {
                Error::InvalidParameterValue(format!(
                    "Value ({p}) for parameter DestinationPort is invalid: 0-65535"
                ))
            })?,
        };
        let source_ip = address("SourceIp", &req.source_ip)?;
        let destination_ip = address("DestinationIp", &req.destination_ip)?;
        let (_, source) = self.path_end(caller, &req.source, true)?;
        let destination = match &req.destination {
            Some(d) => Some(self.path_end(caller, d, false)?),
            None => None,
        };
        match &destination {
            None if destination_ip.is_none() => {
                return Err(Error::InvalidParameterCombination(
                    "A path needs a Destination or a DestinationIp".into(),
                ));
            }
            Some((PathEnd::InternetGateway, _)) if destination_ip.is_none() => {
                return Err(Error::InvalidParameterCombination(
                    "A path to an internet gateway needs the DestinationIp of the internet host it goes to".into(),
                ));
            }
            _ => {}
        }
        let id: NetworkInsightsPathId = self.mint();
        self.network_insights_paths.insert(
            id.clone(),
            NetworkInsightsPath {
                id: id.clone(),
                owner_id: caller.account.clone(),
                region: caller.region,
                tags: req.tags.clone(),
                created_date: caller.now,
                source,
                destination: destination.map(|(_, d)| d),
                source_ip,
                destination_ip,
                protocol,
                destination_port: port,
            },
        );
        Ok(id)
    }

    /// DeleteNetworkInsightsPath. A path with analyses is refused until they are deleted
    /// (the lab does not take them away unasked).
    pub fn delete_network_insights_path(&mut self, caller: &Caller, id: &str) -> Result<()> {
        let path = self.owned_network_insights_path(caller, id)?.id.clone();
        if let Some(a) = self
            .network_insights_analyses
            .values()
            .find(|a| a.path_id == path)
        {
            return Err(Error::DependencyViolation(format!(
                "Network insights path '{path}' has analyses (such as {}); delete them first",
                a.id
            )));
        }
        self.network_insights_paths.shift_remove(&path);
        Ok(())
    }

    /// StartNetworkInsightsAnalysis, with the finding the analysing layer worked out for
    /// the path as the lab stands.
    pub fn start_network_insights_analysis(
        &mut self,
        caller: &Caller,
        path_id: &str,
        network_path_found: bool,
        finding: &str,
        tags: &Tags,
    ) -> Result<NetworkInsightsAnalysisId> {
        validate_tags(tags)?;
        let path = self
            .owned_network_insights_path(caller, path_id)?
            .id
            .clone();
        let id: NetworkInsightsAnalysisId = self.mint();
        self.network_insights_analyses.insert(
            id.clone(),
            NetworkInsightsAnalysis {
                id: id.clone(),
                owner_id: caller.account.clone(),
                region: caller.region,
                tags: tags.clone(),
                path_id: path,
                start_date: caller.now,
                network_path_found,
                finding: finding.to_owned(),
            },
        );
        Ok(id)
    }

    /// DeleteNetworkInsightsAnalysis.
    pub fn delete_network_insights_analysis(&mut self, caller: &Caller, id: &str) -> Result<()> {
        let id = self.owned_network_insights_analysis(caller, id)?.id.clone();
        self.network_insights_analyses.shift_remove(&id);
        Ok(())
    }
}
