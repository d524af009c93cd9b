//! VPC endpoints. Gateway endpoints (S3, DynamoDB) add `pl-… → vpce-…` to each route table
//! they are associated with and remove it when disassociated or deleted; users cannot
//! edit those routes. Interface endpoints put one requester-managed network interface in
//! each chosen subnet (one subnet per zone), carry security groups, get AWS's regional
//! and zonal `*.vpce.amazonaws.com` names and, with private DNS on, take over the
//! service's own names inside their VPC. Every endpoint carries a policy (default: full
//! access).
//!
//! The lab accepts interface endpoints for every service of its catalogue: the control
//! plane and DNS are complete for all of them, so templates that create the usual set
//! (ssm, ecr, logs, …) deploy; only S3 and STS have a backend behind the endpoint.
//!
//! An interface endpoint may also lead to an endpoint service another account (or the
//! caller) provides (`com.amazonaws.vpce.<region>.vpce-svc-…`, see `endpoint_service.rs`):
//! the same interfaces, groups and DNS names, through one [`EndpointTarget`], with the
//! provider's rules on top (allowed principals, acceptance, its zones, its private DNS
//! name once verified, no endpoint policy).

use std::collections::BTreeSet;
use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use crate::aws_service::{AwsService, fnv1a};
use crate::endpoint_service::DnsNameState;
use crate::err::{Error, Kind, Result};
use crate::ids::*;
use crate::lab::{Caller, Lab, Tags, Timestamp};
use crate::network_interface::{InterfaceType, NewInterface};
use crate::region::{AccountId, Region};
use crate::tags::{owned, validate_tags};
use crate::{Route, RouteDestination, RouteOrigin, RouteTarget, Subnet};

/// The policy a gateway endpoint gets when none is given, as AWS writes it.
pub const DEFAULT_GATEWAY_POLICY: &str = r#"{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#;

/// The account AWS shows as `RequesterId` of an interface endpoint's network interfaces
/// (the value AWS's documentation shows for `vpc_endpoint` interfaces).
pub const VPC_ENDPOINT_REQUESTER_ID: &str = "727180483921";

/// A VPC endpoint.
///
/// The fields serve every endpoint type: an endpoint to an endpoint service
/// (`com.amazonaws.vpce.<region>.vpce-svc-…`) is an `Interface` endpoint with the same
/// subnets, interfaces, groups and DNS entries, plus its service's id and its connection
/// id, and uses the `PendingAcceptance` and `Rejected` states.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VpcEndpoint {
    /// `vpce-…`.
    pub id: VpcEndpointId,
    /// The owning account.
    pub owner_id: AccountId,
    /// Its region.
    pub region: Region,
    /// Its tags.
    pub tags: Tags,
    /// Its VPC.
    pub vpc_id: VpcId,
    /// `com.amazonaws.us-east-1.s3`.
    pub service_name: String,
    /// Gateway, Interface, …
    pub vpc_endpoint_type: VpcEndpointType,
    /// Its state.
    pub state: VpcEndpointState,
    /// Its policy document (JSON text).
    pub policy_document: String,
    /// Route tables it adds its route to (gateway endpoints).
    pub route_table_ids: BTreeSet<RouteTableId>,
    /// When it was created.
    pub creation_timestamp: Timestamp,
    /// The subnets it has a network interface in (interface endpoints), one per zone, in
    /// the order they were added.
    #[serde(default)]
    pub subnet_ids: Vec<SubnetId>,
    /// Its requester-managed network interfaces, one per subnet, in `subnet_ids` order.
    #[serde(default)]
    pub network_interface_ids: Vec<NetworkInterfaceId>,
    /// The security groups of its network interfaces.
    #[serde(default)]
    pub groups: Vec<SecurityGroupId>,
    /// Its DNS names: the regional name, one zonal name per zone, then (with private DNS
    /// on) the service names its VPC's private hosted zone answers.
    #[serde(default)]
    pub dns_entries: Vec<DnsEntry>,
    /// Whether its VPC's resolver answers the service's own names with its addresses.
    #[serde(default)]
    pub private_dns_enabled: bool,
    /// AWS's `DnsOptions` (interface endpoints).
    #[serde(default)]
    pub dns_options: Option<DnsOptions>,
    /// AWS's `IpAddressType` (`ipv4` for interface endpoints; none for gateway endpoints).
    #[serde(default)]
    pub ip_address_type: Option<String>,
    /// The random label AWS puts after the id in the endpoint's DNS names
    /// (`vpce-<id>-<suffix>.…`); empty for gateway endpoints.
    #[serde(default)]
    pub dns_suffix: String,
    /// The endpoint service it connects to (`vpce-svc-…`); none for AWS's services.
    #[serde(default)]
    pub endpoint_service_id: Option<VpcEndpointServiceId>,
    /// Its connection to that endpoint service, as the provider sees it.
    #[serde(default)]
    pub connection_id: Option<VpcEndpointConnectionId>,
}

owned!(VpcEndpoint);

/// AWS's `VpcEndpointType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum VpcEndpointType {
    /// A gateway endpoint: a route-table target.
    Gateway,
    /// An interface endpoint: interfaces in subnets.
    Interface,
}

impl VpcEndpointType {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            VpcEndpointType::Gateway => "Gateway",
            VpcEndpointType::Interface => "Interface",
        }
    }
}

/// AWS's endpoint states (lower camel case on the wire).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum VpcEndpointState {
    /// Waiting for the service provider.
    PendingAcceptance,
    /// Being set up.
    Pending,
    /// Usable.
    Available,
    /// Being deleted.
    Deleting,
    /// Deleted.
    Deleted,
    /// The provider rejected it.
    Rejected,
    /// Setting it up failed.
    Failed,
}

impl VpcEndpointState {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            VpcEndpointState::PendingAcceptance => "pendingAcceptance",
            VpcEndpointState::Pending => "pending",
            VpcEndpointState::Available => "available",
            VpcEndpointState::Deleting => "deleting",
            VpcEndpointState::Deleted => "deleted",
            VpcEndpointState::Rejected => "rejected",
            VpcEndpointState::Failed => "failed",
        }
    }
}

/// The parameters of CreateVpcEndpoint.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CreateVpcEndpoint {
    /// The VPC.
    pub vpc_id: String,
    /// `com.amazonaws.<region>.s3`, …
    pub service_name: String,
    /// `Gateway` (the default) or `Interface`.
    pub vpc_endpoint_type: Option<String>,
    /// Route tables (gateway endpoints).
    pub route_table_ids: Vec<String>,
    /// A policy document (default: full access).
    pub policy_document: Option<String>,
    /// Tags.
    pub tags: Tags,
    /// Subnets for the network interfaces, one per zone (interface endpoints).
    pub subnet_ids: Vec<String>,
    /// Security groups of the interfaces (default: the VPC's default group).
    pub security_group_ids: Vec<String>,
    /// Private DNS (AWS's default: on, except for S3 and DynamoDB, whose gateway
    /// endpoints keep the public names).
    pub private_dns_enabled: Option<bool>,
    /// `DnsOptions`.
    pub dns_options: Option<DnsOptionsSpecification>,
    /// `IpAddressType` (`ipv4`).
    pub ip_address_type: Option<String>,
}

/// The parameters of ModifyVpcEndpoint.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ModifyVpcEndpoint {
    /// Route tables to add the endpoint's route to.
    pub add_route_table_ids: Vec<String>,
    /// Route tables to remove it from.
    pub remove_route_table_ids: Vec<String>,
    /// A new policy.
    pub policy_document: Option<String>,
    /// Go back to the default policy.
    pub reset_policy: bool,
    /// Subnets to put a network interface in (interface endpoints).
    pub add_subnet_ids: Vec<String>,
    /// Subnets whose network interface goes.
    pub remove_subnet_ids: Vec<String>,
    /// Security groups to add to the interfaces.
    pub add_security_group_ids: Vec<String>,
    /// Security groups to take off the interfaces.
    pub remove_security_group_ids: Vec<String>,
    /// Private DNS on or off.
    pub private_dns_enabled: Option<bool>,
    /// `DnsOptions`.
    pub dns_options: Option<DnsOptionsSpecification>,
    /// `IpAddressType` (`ipv4`).
    pub ip_address_type: Option<String>,
}

/// One of an endpoint's DNS names, with the Route 53 hosted zone that holds it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DnsEntry {
    /// `vpce-0abc…-x1y2z3w4.sts.us-east-1.vpce.amazonaws.com`; a leading `*.` stands for
    /// any labels (S3's names).
    pub dns_name: String,
    /// The hosted zone (`Z7HUB22UULQXV` for us-east-1's `vpce.amazonaws.com` names).
    pub hosted_zone_id: String,
}

/// AWS's `DnsOptions` of an interface endpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DnsOptions {
    /// `ipv4` (the lab's interface endpoints are IPv4).
    pub dns_record_ip_type: String,
    /// For services that also have gateway endpoints (S3, DynamoDB): with private DNS on,
    /// whether only Route 53 inbound resolver endpoints get the private answers, so that
    /// traffic from inside the VPC keeps using the gateway endpoint. `None` for other
    /// services.
    pub private_dns_only_for_inbound_resolver_endpoint: Option<bool>,
}

/// The `DnsOptions` a request asks for.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DnsOptionsSpecification {
    /// `DnsRecordIpType`.
    pub dns_record_ip_type: Option<String>,
    /// `PrivateDnsOnlyForInboundResolverEndpoint`.
    pub private_dns_only_for_inbound_resolver_endpoint: Option<bool>,
}

impl VpcEndpoint {
    /// Whether it is an interface endpoint.
    pub fn is_interface(&self) -> bool {
        self.vpc_endpoint_type == VpcEndpointType::Interface
    }

    /// Whether its VPC's resolver answers the service's names with the endpoint's
    /// addresses for queries from inside the VPC: private DNS on, and not reserved for
    /// inbound resolver endpoints.
    pub fn answers_private_dns_in_vpc(&self) -> bool {
        self.private_dns_enabled
            && !self
                .dns_options
                .as_ref()
                .and_then(|o| o.private_dns_only_for_inbound_resolver_endpoint)
                .unwrap_or(false)
    }

    /// The endpoint service it connects to, if it leads to one rather than to an AWS
    /// service.
    pub fn service_id(&self) -> Option<&VpcEndpointServiceId> {
        self.endpoint_service_id.as_ref()
    }

    /// The service's names its private DNS takes over (empty with private DNS off). An
    /// endpoint service's name is the one its entries hold (kept in step with the
    /// provider's verified name).
    pub fn private_dns_names(&self) -> Vec<String> {
        if self.endpoint_service_id.is_some() {
            if !self.private_dns_enabled {
                return Vec::new();
            }
            return self
                .dns_entries
                .iter()
                .skip(1 + self.subnet_ids.len())
                .map(|d| d.dns_name.clone())
                .collect();
        }
        match AwsService::from_service_name(&self.service_name) {
            Some((region, s)) if self.private_dns_enabled => s.private_dns_names(region),
            _ => Vec::new(),
        }
    }
}

/// Whether `name` (lower case, no trailing dot) is `pattern`, or matches it when
/// `pattern` starts with `*.` (one or more labels, as a Route 53 wildcard record).
pub(crate) fn dns_name_matches(pattern: &str, name: &str) -> bool {
    match pattern.strip_prefix("*.") {
        Some(rest) => name
            .strip_suffix(rest)
            .and_then(|head| head.strip_suffix('.'))
            .is_some_and(|head| !head.is_empty()),
        None => pattern == name,
    }
}

/// The Route 53 hosted zone of `vpce.amazonaws.com` names in `region`: AWS's real one in
/// us-east-1, a stable made-up one elsewhere.
pub fn vpce_hosted_zone_id(region: Region) -> String {
    if region.name() == "us-east-1" {
        return "Z7HUB22UULQXV".to_owned();
    }
    made_up_zone_id(&format!("vpce.{}", region.name()), 13)
}

/// A Route 53-shaped zone id (`Z` and upper-case letters and digits) made from `seed`.
fn made_up_zone_id(seed: &str, len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut h = fnv1a(seed.as_bytes());
    let mut out = String::from("Z");
    for _ in 1..len {
        out.push(char::from(ALPHABET[(h % 36) as usize]));
        h = (h / 36) ^ fnv1a(out.as_bytes());
    }
    out
}

/// What an endpoint leads to: one of AWS's services, or an endpoint service an account
/// provides. Everything the endpoint code needs to know about its service, so that one
/// code path serves both.
#[derive(Clone, Debug)]
pub(crate) enum EndpointTarget {
    /// `com.amazonaws.<region>.<service>`.
    Aws {
        /// The service's region.
        region: Region,
        /// The service.
        service: &'static AwsService,
    },
    /// `com.amazonaws.vpce.<region>.vpce-svc-…`.
    Provided {
        /// The endpoint service.
        id: VpcEndpointServiceId,
        /// `com.amazonaws.vpce.<region>.vpce-svc-…`.
        service_name: String,
        /// The zones of its load balancers.
        zones: Vec<String>,
        /// Its private DNS name and whether the provider verified it.
        private_dns_name: Option<(String, DnsNameState)>,
        /// Whether the provider accepts each endpoint by hand.
        acceptance_required: bool,
    },
}

impl EndpointTarget {
    /// The service name endpoints name it by.
    pub(crate) fn name(&self) -> String {
        match self {
            EndpointTarget::Aws { region, service } => service.service_name(*region),
            EndpointTarget::Provided { service_name, .. } => service_name.clone(),
        }
    }

    /// Whether a gateway endpoint serves it (only S3 and DynamoDB).
    pub(crate) fn gateway(&self) -> bool {
        matches!(self, EndpointTarget::Aws { service, .. } if service.gateway)
    }

    /// Whether its endpoints take a policy (AWS: endpoint services do not,
    /// `VpcEndpointPolicySupported` false).
    pub(crate) fn supports_policy(&self) -> bool {
        matches!(self, EndpointTarget::Aws { .. })
    }

    /// The zones an interface endpoint's subnets may be in.
    fn zones(&self, region: Region) -> Vec<String> {
        match self {
            EndpointTarget::Aws { service, .. } => service
                .availability_zones(region)
                .into_iter()
                .map(|z| z.name)
                .collect(),
            EndpointTarget::Provided { zones, .. } => zones.clone(),
        }
    }

    /// The label between the endpoint's id and the region in its DNS names
    /// (`sts`, `api.ecr`, `vpce-svc-0abc…`).
    fn dns_label(&self) -> String {
        match self {
            EndpointTarget::Aws { service, .. } => service.endpoint_label(),
            EndpointTarget::Provided { id, .. } => id.to_string(),
        }
    }

    /// Whether its endpoint names are wildcards (AWS: S3's `bucket.`, `accesspoint.`,
    /// `control.` go before them).
    fn wildcard(&self) -> bool {
        matches!(self, EndpointTarget::Aws { service, .. } if service.name == "s3")
    }

    /// The names private DNS takes over: an AWS service's own names, or an endpoint
    /// service's verified private DNS name.
    fn private_dns_names(&self) -> Vec<String> {
        match self {
            EndpointTarget::Aws { region, service } => service.private_dns_names(*region),
            EndpointTarget::Provided {
                private_dns_name: Some((name, DnsNameState::Verified)),
                ..
            } => vec![name.clone()],
            EndpointTarget::Provided { .. } => Vec::new(),
        }
    }

    /// Private DNS when the request does not say: AWS's services other than S3 and
    /// DynamoDB turn it on; an endpoint service turns it on when it has a verified name.
    fn default_private_dns(&self) -> bool {
        match self {
            EndpointTarget::Aws { service, .. } => !service.gateway,
            EndpointTarget::Provided { .. } => !self.private_dns_names().is_empty(),
        }
    }

    /// Refuses private DNS for an endpoint service without a verified name, with AWS's
    /// messages.
    fn check_private_dns_offered(&self) -> Result<()> {
        match self {
            EndpointTarget::Aws { .. } => Ok(()),
            EndpointTarget::Provided {
                private_dns_name, ..
            } => match private_dns_name {
                Some((_, DnsNameState::Verified)) => Ok(()),
                Some(_) => Err(invalid_parameter(format!(
                    "Private DNS can't be enabled because the service {} has not verified the private DNS name.",
                    self.name()
                ))),
                None => Err(invalid_parameter(format!(
                    "Private DNS can't be enabled because the service {} does not provide a private DNS name.",
                    self.name()
                ))),
            },
        }
    }

    /// The state a new endpoint starts in: `pendingAcceptance` when the provider accepts
    /// by hand, else `available`.
    fn initial_state(&self) -> VpcEndpointState {
        match self {
            EndpointTarget::Provided {
                acceptance_required: true,
                ..
            } => VpcEndpointState::PendingAcceptance,
            _ => VpcEndpointState::Available,
        }
    }
}

/// The endpoint's DNS entries: regional, zonal (one per zone, in `zones` order), then the
/// private names when private DNS is on (in the endpoint's own private hosted zone).
pub(crate) fn interface_dns_entries(
    id: &VpcEndpointId,
    suffix: &str,
    target: &EndpointTarget,
    region: Region,
    zones: &[String],
    private_dns: bool,
) -> Vec<DnsEntry> {
    let zone = vpce_hosted_zone_id(region);
    let star = if target.wildcard() { "*." } else { "" };
    let tail = format!(
        "{}.{}.vpce.amazonaws.com",
        target.dns_label(),
        region.name()
    );
    let mut out = vec![DnsEntry {
        dns_name: format!("{star}{id}-{suffix}.{tail}"),
        hosted_zone_id: zone.clone(),
    }];
    out.extend(zones.iter().map(|az| DnsEntry {
        dns_name: format!("{star}{id}-{suffix}-{az}.{tail}"),
        hosted_zone_id: zone.clone(),
    }));
    if private_dns {
        let private_zone = made_up_zone_id(&format!("private.{id}"), 21);
        out.extend(
            target
                .private_dns_names()
                .into_iter()
                .map(|dns_name| DnsEntry {
                    dns_name,
                    hosted_zone_id: private_zone.clone(),
                }),
        );
    }
    out
}

/// Eight lower-case letters and digits, as AWS's endpoint DNS names carry.
fn dns_suffix(mut bits: u64) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    (0..8)
        .map(|_| {
            let c = char::from(ALPHABET[(bits % 36) as usize]);
            bits /= 36;
            c
        })
        .collect()
}

/// `InvalidParameter`, the code AWS's VPC endpoint actions answer most refusals with.
fn invalid_parameter(message: impl Into<String>) -> Error {
    Error::Coded {
        code: "InvalidParameter",
        message: message.into(),
    }
}

/// Parameters one endpoint type takes and the other does not: the first one given is
/// refused as AWS refuses it (`InvalidParameter`).
fn refuse_given(given: &[(&str, bool)], only_for: &str) -> Result<()> {
    match given.iter().find(|(_, g)| *g) {
        Some((what, _)) => Err(invalid_parameter(format!(
            "{what} are only supported for {only_for} type VPC Endpoint."
        ))),
        None => Ok(()),
    }
}

/// AWS's refusal of an endpoint policy for a service whose endpoints take none
/// (`VpcEndpointPolicySupported` false, as for every endpoint service).
fn policy_not_supported(target: &EndpointTarget) -> Error {
    invalid_parameter(format!(
        "The VPC endpoint service {} does not support VPC endpoint policies.",
        target.name()
    ))
}

/// Checks that a policy document is a JSON object. The policy's meaning is checked by
/// `vpclab-policy` at the API layer; the model only refuses what is not a document.
fn check_policy_document(doc: &str) -> Result<()> {
    match serde_json::from_str::<serde_json::Value>(doc) {
        Ok(serde_json::Value::Object(_)) => Ok(()),
        _ => Err(Error::Coded {
            code: "InvalidPolicyDocument",
            message: "The policy document is not valid JSON.".into(),
        }),
    }
}

impl Lab {
    /// CreateVpcEndpoint: the service must offer the endpoint type in the VPC's region
    /// (an endpoint service must also admit the caller). A gateway endpoint adds
    /// `pl-… → vpce-…` to each route table (one per service); an interface endpoint gets a
    /// network interface in each subnet and its DNS names.
    pub fn create_vpc_endpoint(
        &mut self,
        caller: &Caller,
        req: CreateVpcEndpoint,
    ) -> Result<VpcEndpointId> {
        let vpc = Lab::owned(&self.vpcs, caller, Kind::Vpc, &req.vpc_id, VpcId::parse)?
            .id
            .clone();
        validate_tags(&req.tags)?;
        let endpoint_type = match req.vpc_endpoint_type.as_deref().unwrap_or("Gateway") {
            "Gateway" => VpcEndpointType::Gateway,
            "Interface" => VpcEndpointType::Interface,
            other => return Err(Error::invalid_value("VpcEndpointType", other, "")),
        };
        let target = self.endpoint_target(caller, &req.service_name)?;
        if req.policy_document.is_some() && !target.supports_policy() {
            return Err(policy_not_supported(&target));
        }
        let policy = req
            .policy_document
            .clone()
            .unwrap_or_else(|| DEFAULT_GATEWAY_POLICY.to_owned());
        check_policy_document(&policy)?;
        if endpoint_type == VpcEndpointType::Interface {
            return self.create_interface_endpoint(caller, &vpc, target, req, policy);
        }
        refuse_given(
            &[
                ("Subnet IDs", !req.subnet_ids.is_empty()),
                ("Security groups", !req.security_group_ids.is_empty()),
                (
                    "Private DNS settings",
                    req.private_dns_enabled == Some(true) || req.dns_options.is_some(),
                ),
            ],
            "Interface",
        )?;
        let service = match target {
            EndpointTarget::Aws { service, .. } if service.gateway => service,
            _ => {
                return Err(Error::InvalidParameterValue(format!(
                    "The Vpc Endpoint Service '{}' does not support endpoint type Gateway.",
                    req.service_name
                )));
            }
        };
        let pl = service
            .prefix_list_id(caller.region)
            .map(PrefixListId::new_unchecked)
            .ok_or_else(|| Error::InvalidServiceName(req.service_name.clone()))?;
        let tables = self.endpoint_route_tables(caller, &vpc, &req.route_table_ids, &pl)?;
        let id: VpcEndpointId = self.mint();
        self.add_endpoint_routes(&id, &pl, &tables);
        self.vpc_endpoints.insert(
            id.clone(),
            VpcEndpoint {
                id: id.clone(),
                owner_id: caller.account.clone(),
                region: caller.region,
                tags: req.tags,
                vpc_id: vpc,
                service_name: req.service_name,
                vpc_endpoint_type: endpoint_type,
                state: VpcEndpointState::Available,
                policy_document: policy,
                route_table_ids: tables.into_iter().collect(),
                creation_timestamp: caller.now,
                subnet_ids: Vec::new(),
                network_interface_ids: Vec::new(),
                groups: Vec::new(),
                dns_entries: Vec::new(),
                private_dns_enabled: false,
                dns_options: None,
                ip_address_type: None,
                dns_suffix: String::new(),
                endpoint_service_id: None,
                connection_id: None,
            },
        );
        Ok(id)
    }

    /// CreateVpcEndpoint for an interface endpoint. Everything is checked before anything
    /// changes; AWS's services accept at once, so the endpoint is `available`, as it is
    /// for an endpoint service that does not require acceptance (else
    /// `pendingAcceptance`).
    fn create_interface_endpoint(
        &mut self,
        caller: &Caller,
        vpc: &VpcId,
        target: EndpointTarget,
        req: CreateVpcEndpoint,
        policy: String,
    ) -> Result<VpcEndpointId> {
        refuse_given(
            &[("Route table IDs", !req.route_table_ids.is_empty())],
            "Gateway",
        )?;
        let ip_address_type = check_ip_address_type(req.ip_address_type.as_deref())?;
        check_dns_record_ip_type(req.dns_options.as_ref())?;
        // AWS: private DNS is on by default, except for the services that also have
        // gateway endpoints (S3, DynamoDB), whose interface endpoints leave the public
        // names to the gateway endpoint unless asked, and endpoint services without a
        // verified private DNS name.
        let private_dns = req
            .private_dns_enabled
            .unwrap_or_else(|| target.default_private_dns());
        if private_dns {
            target.check_private_dns_offered()?;
        }
        let inbound_only = inbound_only_option(
            target.gateway(),
            private_dns,
            req.dns_options
                .as_ref()
                .and_then(|o| o.private_dns_only_for_inbound_resolver_endpoint),
            None,
        )?;
        let subnets = self.endpoint_subnets(caller, vpc, &target, &[], &req.subnet_ids)?;
        let groups = self.resolve_interface_groups(caller, vpc, &req.security_group_ids)?;
        if private_dns {
            self.check_private_dns(vpc, &target, None, true, inbound_only)?;
        }
        let addresses = self.endpoint_addresses(&subnets)?;
        let id: VpcEndpointId = self.mint();
        let suffix = dns_suffix(self.ids.next_u64());
        let (endpoint_service_id, connection_id) = match &target {
            EndpointTarget::Provided { id: service, .. } => {
                let connection: VpcEndpointConnectionId = self.mint();
                (Some(service.clone()), Some(connection))
            }
            EndpointTarget::Aws { .. } => (None, None),
        };
        let interfaces = self.insert_endpoint_interfaces(caller, &id, &groups, addresses);
        let zones: Vec<String> = subnets
            .iter()
            .map(|s| s.availability_zone.clone())
            .collect();
        let region = caller.region;
        for eni in &interfaces {
            self.index
                .endpoint_by_interface
                .insert(eni.clone(), id.clone());
        }
        self.vpc_endpoints.insert(
            id.clone(),
            VpcEndpoint {
                id: id.clone(),
                owner_id: caller.account.clone(),
                region,
                tags: req.tags,
                vpc_id: vpc.clone(),
                service_name: req.service_name,
                vpc_endpoint_type: VpcEndpointType::Interface,
                state: target.initial_state(),
                policy_document: policy,
                route_table_ids: BTreeSet::new(),
                creation_timestamp: caller.now,
                subnet_ids: subnets.into_iter().map(|s| s.id).collect(),
                network_interface_ids: interfaces,
                groups,
                dns_entries: interface_dns_entries(
                    &id,
                    &suffix,
                    &target,
                    region,
                    &zones,
                    private_dns,
                ),
                private_dns_enabled: private_dns,
                dns_options: Some(DnsOptions {
                    dns_record_ip_type: "ipv4".to_owned(),
                    private_dns_only_for_inbound_resolver_endpoint: inbound_only,
                }),
                ip_address_type: Some(ip_address_type),
                dns_suffix: suffix,
                endpoint_service_id,
                connection_id,
            },
        );
        Ok(id)
    }

    /// Checks subnets for an interface endpoint in `vpc`: the caller's, in that VPC, in
    /// zones the service is offered in, and (with the ones it `keeps`) one per zone.
    /// Subnets named twice count once.
    fn endpoint_subnets(
        &self,
        caller: &Caller,
        vpc: &VpcId,
        target: &EndpointTarget,
        keeps: &[SubnetId],
        ids: &[String],
    ) -> Result<Vec<Subnet>> {
        let offered = target.zones(caller.region);
        let mut zones: Vec<String> = keeps
            .iter()
            .filter_map(|s| self.subnets.get(s))
            .map(|s| s.availability_zone.clone())
            .collect();
        let mut out: Vec<Subnet> = Vec::new();
        for id in ids {
            let subnet = Lab::owned(&self.subnets, caller, Kind::Subnet, id, SubnetId::parse)?;
            if out.iter().any(|s| s.id == subnet.id) || keeps.contains(&subnet.id) {
                continue;
            }
            if &subnet.vpc_id != vpc {
                return Err(invalid_parameter(format!(
                    "The subnet ID '{id}' does not belong to the VPC '{vpc}'."
                )));
            }
            if !offered.contains(&subnet.availability_zone) {
                return Err(invalid_parameter(format!(
                    "The VPC endpoint service {} does not support the availability zone of the subnet: {id}.",
                    target.name()
                )));
            }
            // AWS: one interface per zone.
            if zones.contains(&subnet.availability_zone) {
                return Err(invalid_parameter(format!(
                    "Found another VPC endpoint subnet in the availability zone of {id}. VPC endpoint subnets should be in different availability zones supported by the VPC endpoint service."
                )));
            }
            zones.push(subnet.availability_zone.clone());
            out.push(subnet.clone());
        }
        Ok(out)
    }

    /// Picks one free address in each subnet (different subnets: the picks cannot clash).
    fn endpoint_addresses(
        &self,
        subnets: &[Subnet],
    ) -> Result<Vec<(SubnetId, std::net::Ipv4Addr)>> {
        subnets
            .iter()
            .map(|s| {
                let ip = self.pick_private_ips(s, &[], 1)?;
                let first = ip
                    .first()
                    .copied()
                    .ok_or_else(|| Error::InsufficientFreeAddressesInSubnet(s.id.to_string()))?;
                Ok((s.id.clone(), first))
            })
            .collect()
    }

    /// Creates the endpoint's requester-managed interfaces, as AWS describes them.
    fn insert_endpoint_interfaces(
        &mut self,
        caller: &Caller,
        id: &VpcEndpointId,
        groups: &[SecurityGroupId],
        addresses: Vec<(SubnetId, std::net::Ipv4Addr)>,
    ) -> Vec<NetworkInterfaceId> {
        addresses
            .into_iter()
            .map(|(subnet_id, ip)| {
                self.insert_interface(
                    caller,
                    NewInterface {
                        subnet_id,
                        description: format!("VPC Endpoint Interface {id}"),
                        interface_type: InterfaceType::VpcEndpoint,
                        requester_managed: true,
                        groups: groups.to_vec(),
                        private_ips: vec![ip],
                        ipv6_addresses: Vec::new(),
                        tags: Tags::new(),
                    },
                )
            })
            .collect()
    }

    /// What turning private DNS on (or keeping it on) needs: the VPC's DNS support and
    /// host names, no other endpoint in the VPC holding the service's names, and, for
    /// private DNS reserved to inbound resolvers, a gateway endpoint for the service.
    fn check_private_dns(
        &self,
        vpc: &VpcId,
        target: &EndpointTarget,
        this: Option<&VpcEndpointId>,
        turning_on: bool,
        inbound_only: Option<bool>,
    ) -> Result<()> {
        if turning_on {
            let v = self
                .vpcs
                .get(vpc)
                .ok_or_else(|| Error::not_found(Kind::Vpc, vpc))?;
            if !(v.enable_dns_support && v.enable_dns_hostnames) {
                return Err(invalid_parameter(format!(
                    "Enabling private DNS requires both enableDnsSupport and enableDnsHostnames VPC attributes set to true for {vpc}"
                )));
            }
            // AWS: one private hosted zone per name in a VPC — another endpoint of the
            // same service, or of an endpoint service with the same private DNS name.
            let service_name = target.name();
            let names = target.private_dns_names();
            let taken = self.vpc_endpoints.values().any(|e| {
                &e.vpc_id == vpc
                    && e.private_dns_enabled
                    && Some(&e.id) != this
                    && (e.service_name == service_name
                        || e.private_dns_names().iter().any(|n| names.contains(n)))
            });
            if taken {
                let name = names.first().cloned().unwrap_or(service_name);
                return Err(invalid_parameter(format!(
                    "private-dns-enabled cannot be set because there is already a conflicting DNS domain for {name} in the VPC {vpc}"
                )));
            }
        }
        if inbound_only == Some(true) {
            let service_name = target.name();
            let has_gateway = self.vpc_endpoints.values().any(|e| {
                &e.vpc_id == vpc
                    && e.service_name == service_name
                    && e.vpc_endpoint_type == VpcEndpointType::Gateway
            });
            if !has_gateway {
                return Err(invalid_parameter(format!(
                    "To set PrivateDnsOnlyForInboundResolverEndpoint to true, the VPC {vpc} must have a Gateway endpoint for the service."
                )));
            }
        }
        Ok(())
    }

    /// Checks route tables for a gateway endpoint: the caller's, in the endpoint's VPC,
    /// with no route to the service's prefix list yet.
    fn endpoint_route_tables(
        &self,
        caller: &Caller,
        vpc: &VpcId,
        ids: &[String],
        pl: &PrefixListId,
    ) -> Result<Vec<RouteTableId>> {
        let mut out: Vec<RouteTableId> = Vec::new();
        for id in ids {
            let rt = Lab::owned(
                &self.route_tables,
                caller,
                Kind::RouteTable,
                id,
                RouteTableId::parse,
            )?;
            if &rt.vpc_id != vpc {
                return Err(Error::InvalidParameterValue(format!(
                    "route table {id} is not in vpc {vpc}"
                )));
            }
            if rt
                .routes
                .iter()
                .any(|r| r.destination == RouteDestination::PrefixList(pl.clone()))
            {
                return Err(Error::EndpointRouteConflict {
                    route_table: id.clone(),
                    prefix_list: pl.to_string(),
                });
            }
            if !out.contains(&rt.id) {
                out.push(rt.id.clone());
            }
        }
        Ok(out)
    }

    fn add_endpoint_routes(
        &mut self,
        endpoint: &VpcEndpointId,
        pl: &PrefixListId,
        tables: &[RouteTableId],
    ) {
        for t in tables {
            if let Some(rt) = self.route_tables.get_mut(t) {
                rt.routes.push(Route {
                    destination: RouteDestination::PrefixList(pl.clone()),
                    target: RouteTarget::VpcEndpoint(endpoint.clone()),
                    origin: RouteOrigin::CreateRoute,
                });
            }
        }
    }

    fn remove_endpoint_routes(&mut self, endpoint: &VpcEndpointId, tables: &[RouteTableId]) {
        for t in tables {
            if let Some(rt) = self.route_tables.get_mut(t) {
                rt.routes
                    .retain(|r| r.target != RouteTarget::VpcEndpoint(endpoint.clone()));
            }
        }
    }

    /// ModifyVpcEndpoint: route tables in and out (gateway endpoints); subnets, security
    /// groups and private DNS (interface endpoints); the policy replaced or reset.
    pub fn modify_vpc_endpoint(
        &mut self,
        caller: &Caller,
        id: &str,
        req: ModifyVpcEndpoint,
    ) -> Result<()> {
        let e = Lab::owned(
            &self.vpc_endpoints,
            caller,
            Kind::VpcEndpoint,
            id,
            VpcEndpointId::parse,
        )?
        .clone();
        let policy = match (&req.policy_document, req.reset_policy) {
            (Some(_), true) => {
                return Err(Error::InvalidParameterCombination(
                    "PolicyDocument and ResetPolicy cannot be given together.".into(),
                ));
            }
            (Some(doc), false) => {
                check_policy_document(doc)?;
                Some(doc.clone())
            }
            (None, true) => Some(DEFAULT_GATEWAY_POLICY.to_owned()),
            (None, false) => None,
        };
        if e.is_interface() {
            let target = self.target_of(&e)?;
            if req.policy_document.is_some() && !target.supports_policy() {
                return Err(policy_not_supported(&target));
            }
            self.modify_interface_endpoint(caller, &e, &target, req)?;
        } else {
            self.modify_gateway_endpoint(caller, &e, req)?;
        }
        if let (Some(p), Some(ep)) = (policy, self.vpc_endpoints.get_mut(&e.id)) {
            ep.policy_document = p;
        }
        Ok(())
    }

    /// ModifyVpcEndpoint's gateway part: route tables in and out.
    fn modify_gateway_endpoint(
        &mut self,
        caller: &Caller,
        e: &VpcEndpoint,
        req: ModifyVpcEndpoint,
    ) -> Result<()> {
        refuse_given(
            &[
                (
                    "Subnet IDs",
                    !req.add_subnet_ids.is_empty() || !req.remove_subnet_ids.is_empty(),
                ),
                (
                    "Security groups",
                    !req.add_security_group_ids.is_empty()
                        || !req.remove_security_group_ids.is_empty(),
                ),
                (
                    "Private DNS settings",
                    req.private_dns_enabled.is_some() || req.dns_options.is_some(),
                ),
                ("IP address types", req.ip_address_type.is_some()),
            ],
            "Interface",
        )?;
        let pl = AwsService::from_service_name(&e.service_name)
            .and_then(|(r, s)| s.prefix_list_id(r))
            .map(PrefixListId::new_unchecked)
            .ok_or_else(|| Error::InvalidServiceName(e.service_name.clone()))?;
        let fresh: Vec<String> = req
            .add_route_table_ids
            .iter()
            .filter(|t| !e.route_table_ids.contains(t.as_str()))
            .cloned()
            .collect();
        let add = self.endpoint_route_tables(caller, &e.vpc_id, &fresh, &pl)?;
        let mut remove = Vec::new();
        for t in &req.remove_route_table_ids {
            let rt = Lab::owned(
                &self.route_tables,
                caller,
                Kind::RouteTable,
                t,
                RouteTableId::parse,
            )?;
            if !e.route_table_ids.contains(&rt.id) {
                return Err(Error::InvalidParameterValue(format!(
                    "Route table {t} is not associated with endpoint {}",
                    e.id
                )));
            }
            remove.push(rt.id.clone());
        }
        self.remove_endpoint_routes(&e.id, &remove);
        self.add_endpoint_routes(&e.id, &pl, &add);
        if let Some(ep) = self.vpc_endpoints.get_mut(&e.id) {
            for t in &remove {
                ep.route_table_ids.remove(t);
            }
            ep.route_table_ids.extend(add);
        }
        Ok(())
    }

    /// ModifyVpcEndpoint's interface part: subnets (interfaces made and deleted), security
    /// groups (applied to every interface), private DNS and its options. Checked whole
    /// before anything changes.
    fn modify_interface_endpoint(
        &mut self,
        caller: &Caller,
        e: &VpcEndpoint,
        target: &EndpointTarget,
        req: ModifyVpcEndpoint,
    ) -> Result<()> {
        refuse_given(
            &[(
                "Route table IDs",
                !req.add_route_table_ids.is_empty() || !req.remove_route_table_ids.is_empty(),
            )],
            "Gateway",
        )?;
        let region = e.region;
        check_ip_address_type(req.ip_address_type.as_deref())?;
        check_dns_record_ip_type(req.dns_options.as_ref())?;
        // Subnets: the removed ones must be the endpoint's; the final set has one per zone.
        let mut removed: Vec<SubnetId> = Vec::new();
        for s in &req.remove_subnet_ids {
            let subnet = Lab::owned(&self.subnets, caller, Kind::Subnet, s, SubnetId::parse)?;
            if !e.subnet_ids.contains(&subnet.id) {
                return Err(Error::InvalidParameterValue(format!(
                    "Subnet {s} is not associated with endpoint {}",
                    e.id
                )));
            }
            if !removed.contains(&subnet.id) {
                removed.push(subnet.id.clone());
            }
        }
        let kept: Vec<SubnetId> = e
            .subnet_ids
            .iter()
            .filter(|s| !removed.contains(s))
            .cloned()
            .collect();
        let added = self.endpoint_subnets(caller, &e.vpc_id, target, &kept, &req.add_subnet_ids)?;
        // Security groups: AWS keeps at least one on an interface endpoint.
        let mut groups = e.groups.clone();
        for g in &req.remove_security_group_ids {
            let group = Lab::owned(
                &self.security_groups,
                caller,
                Kind::SecurityGroup,
                g,
                SecurityGroupId::parse,
            )?;
            if !e.groups.contains(&group.id) {
                return Err(Error::InvalidParameterValue(format!(
                    "Security group {g} is not associated with endpoint {}",
                    e.id
                )));
            }
            groups.retain(|x| x != &group.id);
        }
        if !req.add_security_group_ids.is_empty() {
            for g in
                self.resolve_interface_groups(caller, &e.vpc_id, &req.add_security_group_ids)?
            {
                if !groups.contains(&g) {
                    groups.push(g);
                }
            }
        }
        if groups.is_empty() {
            return Err(invalid_parameter(
                "An Interface VPC Endpoint must always have at least one Security Group.",
            ));
        }
        if groups.len() > 5 {
            return Err(Error::LimitExceeded {
                code: "SecurityGroupsPerInterfaceLimitExceeded",
                message: "The maximum number of security groups per interface has been reached."
                    .into(),
            });
        }
        // Private DNS and its options.
        let private_dns = req.private_dns_enabled.unwrap_or(e.private_dns_enabled);
        let current_inbound = e
            .dns_options
            .as_ref()
            .and_then(|o| o.private_dns_only_for_inbound_resolver_endpoint);
        let inbound_only = inbound_only_option(
            target.gateway(),
            private_dns,
            req.dns_options
                .as_ref()
                .and_then(|o| o.private_dns_only_for_inbound_resolver_endpoint),
            e.private_dns_enabled.then_some(current_inbound).flatten(),
        )?;
        if private_dns {
            let turning_on = !e.private_dns_enabled;
            if turning_on {
                target.check_private_dns_offered()?;
            }
            let inbound_change = inbound_only != current_inbound || turning_on;
            self.check_private_dns(
                &e.vpc_id,
                target,
                Some(&e.id),
                turning_on,
                inbound_only.filter(|_| inbound_change),
            )?;
        }
        let addresses = self.endpoint_addresses(&added)?;
        // Everything is checked: change.
        let gone: Vec<NetworkInterfaceId> = e
            .subnet_ids
            .iter()
            .zip(&e.network_interface_ids)
            .filter(|(s, _)| removed.contains(s))
            .map(|(_, eni)| eni.clone())
            .collect();
        for eni in &gone {
            self.remove_interface(eni);
            self.index.endpoint_by_interface.remove(eni);
        }
        let made = self.insert_endpoint_interfaces(caller, &e.id, &groups, addresses);
        for eni in &made {
            self.index
                .endpoint_by_interface
                .insert(eni.clone(), e.id.clone());
        }
        let mut subnet_ids = Vec::new();
        let mut interfaces = Vec::new();
        for (s, eni) in e.subnet_ids.iter().zip(&e.network_interface_ids) {
            if !removed.contains(s) {
                subnet_ids.push(s.clone());
                interfaces.push(eni.clone());
            }
        }
        subnet_ids.extend(added.iter().map(|s| s.id.clone()));
        interfaces.extend(made);
        for eni in &interfaces {
            if let Some(x) = self.network_interfaces.get_mut(eni) {
                x.groups = groups.clone();
            }
        }
        let zones: Vec<String> = subnet_ids
            .iter()
            .filter_map(|s| self.subnets.get(s))
            .map(|s| s.availability_zone.clone())
            .collect();
        if let Some(ep) = self.vpc_endpoints.get_mut(&e.id) {
            ep.dns_entries =
                interface_dns_entries(&ep.id, &ep.dns_suffix, target, region, &zones, private_dns);
            ep.subnet_ids = subnet_ids;
            ep.network_interface_ids = interfaces;
            ep.groups = groups;
            ep.private_dns_enabled = private_dns;
            ep.dns_options = Some(DnsOptions {
                dns_record_ip_type: "ipv4".to_owned(),
                private_dns_only_for_inbound_resolver_endpoint: inbound_only,
            });
        }
        Ok(())
    }

    /// DeleteVpcEndpoints: each endpoint goes with its routes (gateway) or its network
    /// interfaces (interface); the ones that cannot be deleted come back with their error
    /// (AWS's `Unsuccessful`), the rest succeed.
    pub fn delete_vpc_endpoints(
        &mut self,
        caller: &Caller,
        ids: &[String],
    ) -> Vec<(String, Error)> {
        let mut unsuccessful = Vec::new();
        for id in ids {
            let e = match Lab::owned(
                &self.vpc_endpoints,
                caller,
                Kind::VpcEndpoint,
                id,
                VpcEndpointId::parse,
            ) {
                Ok(e) => e.clone(),
                Err(err) => {
                    unsuccessful.push((id.clone(), err));
                    continue;
                }
            };
            // AWS: the gateway endpoint stays while an interface endpoint of the same
            // service reserves private DNS to inbound resolvers ("you must first clear
            // Enable private DNS only for inbound endpoints").
            let needed = e.vpc_endpoint_type == VpcEndpointType::Gateway
                && self.vpc_endpoints.values().any(|i| {
                    i.vpc_id == e.vpc_id
                        && i.service_name == e.service_name
                        && i.is_interface()
                        && i.private_dns_enabled
                        && !i.answers_private_dns_in_vpc()
                });
            if needed {
                unsuccessful.push((
                    id.clone(),
                    invalid_parameter(format!(
                        "The gateway endpoint {id} is needed by an interface endpoint with PrivateDnsOnlyForInboundResolverEndpoint set to true; clear that option first."
                    )),
                ));
                continue;
            }
            let tables: Vec<RouteTableId> = e.route_table_ids.iter().cloned().collect();
            self.remove_endpoint_routes(&e.id, &tables);
            for eni in &e.network_interface_ids {
                self.remove_interface(eni);
                self.index.endpoint_by_interface.remove(eni);
            }
            self.vpc_endpoints.shift_remove(&e.id);
        }
        unsuccessful
    }

    /// The interface endpoint whose network interface holds private address `ip` in `vpc`
    /// (what a flow to an address that private DNS handed out is going to).
    pub fn endpoint_by_eni_address(&self, vpc: &VpcId, ip: IpAddr) -> Option<&VpcEndpoint> {
        self.endpoint_of_interface(&self.eni_by_private_ip(vpc, ip)?.id)
    }

    /// The interface endpoint a network interface belongs to.
    pub fn endpoint_of_interface(&self, eni: &NetworkInterfaceId) -> Option<&VpcEndpoint> {
        self.vpc_endpoints
            .get(self.index.endpoint_by_interface.get(eni)?)
    }

    /// The primary addresses of an interface endpoint's network interfaces, in subnet order.
    pub fn vpc_endpoint_addresses(&self, e: &VpcEndpoint) -> Vec<IpAddr> {
        e.network_interface_ids
            .iter()
            .filter_map(|id| self.network_interfaces.get(id))
            .map(|eni| IpAddr::V4(eni.primary_private_ip()))
            .collect()
    }
}

/// Refuses an `IpAddressType` other than `ipv4` (the lab's interface endpoints are IPv4).
fn check_ip_address_type(given: Option<&str>) -> Result<String> {
    match given.unwrap_or("ipv4") {
        "ipv4" => Ok("ipv4".to_owned()),
        other => Err(invalid_parameter(format!(
            "IpAddressType {other} is not served by the lab; its interface endpoints are ipv4."
        ))),
    }
}

/// Refuses a `DnsRecordIpType` other than `ipv4`, which goes with `IpAddressType` ipv4.
fn check_dns_record_ip_type(options: Option<&DnsOptionsSpecification>) -> Result<()> {
    match options.and_then(|o| o.dns_record_ip_type.as_deref()) {
        None | Some("ipv4") => Ok(()),
        Some(other) => Err(invalid_parameter(format!(
            "DnsRecordIpType {other} is not supported for IpAddressType ipv4."
        ))),
    }
}

/// The `PrivateDnsOnlyForInboundResolverEndpoint` an interface endpoint ends up with:
/// only services with gateway endpoints have it; with private DNS on it defaults to true
/// (AWS: "If you don't specify a value … it will default to true"), keeping what it
/// was (`current`) when private DNS stays on; with private DNS off it is false.
fn inbound_only_option(
    gateway: bool,
    private_dns: bool,
    asked: Option<bool>,
    current: Option<bool>,
) -> Result<Option<bool>> {
    if !gateway {
        return match asked {
            Some(_) => Err(invalid_parameter(
                "PrivateDnsOnlyForInboundResolverEndpoint is only supported for services that support gateway endpoints.",
            )),
            None => Ok(None),
        };
    }
    if !private_dns {
        return match asked {
            Some(true) => Err(invalid_parameter(
                "PrivateDnsOnlyForInboundResolverEndpoint can be set to true only with private DNS enabled.",
            )),
            _ => Ok(Some(false)),
        };
    }
    Ok(Some(asked.or(current).unwrap_or(true)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endpoint_saved_before_interface_endpoints_still_loads() {
        let old = r#"{"id":"vpce-0123456789abcdef0","owner_id":"111111111111","region":"us-east-1",
            "tags":{},"vpc_id":"vpc-0123456789abcdef0","service_name":"com.amazonaws.us-east-1.s3",
            "vpc_endpoint_type":"Gateway","state":"Available","policy_document":"{}",
            "route_table_ids":["rtb-0123456789abcdef0"],"creation_timestamp":0}"#;
        let e: VpcEndpoint = serde_json::from_str(old).unwrap();
        assert!(e.subnet_ids.is_empty() && e.network_interface_ids.is_empty());
        assert!(e.groups.is_empty() && e.dns_entries.is_empty());
        assert!(!e.private_dns_enabled && e.dns_options.is_none());
        assert_eq!(e.ip_address_type, None);
    }

    #[test]
    fn wildcards_need_at_least_one_label() {
        let p = "*.s3.us-east-1.amazonaws.com";
        assert!(dns_name_matches(p, "bucket.s3.us-east-1.amazonaws.com"));
        assert!(dns_name_matches(p, "a.b.s3.us-east-1.amazonaws.com"));
        assert!(!dns_name_matches(p, "s3.us-east-1.amazonaws.com"));
        assert!(!dns_name_matches(p, "bucket-s3.us-east-1.amazonaws.com"));
        assert!(dns_name_matches(
            "sts.us-east-1.amazonaws.com",
            "sts.us-east-1.amazonaws.com"
        ));
    }

    #[test]
    fn zone_ids_and_suffixes_have_aws_shapes() {
        let us_east_1 = Region::default_region();
        assert_eq!(vpce_hosted_zone_id(us_east_1), "Z7HUB22UULQXV");
        let west = Region::find("us-west-2").unwrap();
        let z = vpce_hosted_zone_id(west);
        assert_eq!(z.len(), 13);
        assert!(
            z.starts_with('Z')
                && z.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        );
        assert_eq!(z, vpce_hosted_zone_id(west));
        let long = made_up_zone_id("private.vpce-0123456789abcdef0", 21);
        assert_eq!(long.len(), 21);
        let s = dns_suffix(u64::MAX);
        assert_eq!(s.len(), 8);
        assert!(
            s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        );
    }
}
