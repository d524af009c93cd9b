//! VPC endpoint services: AWS PrivateLink's provider side. A provider fronts network
//! load balancers with an endpoint service (`vpce-svc-…`, named
//! `com.amazonaws.vpce.<region>.vpce-svc-…`), lists the principals allowed to connect,
//! and — when it requires acceptance — accepts or rejects each consumer's interface
//! endpoint. The service is offered in its load balancers' zones; an optional private DNS
//! name, once verified, lets consumers' endpoints take that name over inside their VPCs.
//!
//! The consumer side (the interface endpoint itself) is `vpc_endpoint.rs`, through its
//! `EndpointTarget`. A provider sees consumers' endpoints only as connections: it can
//! accept or reject them and read what `DescribeVpcEndpointConnections` shows, nothing
//! more.
//!
//! AWS verifies a private DNS name by looking up a TXT record in public DNS. The lab has
//! no public DNS: `StartVpcEndpointServicePrivateDnsVerification` verifies at once.

use serde::{Deserialize, Serialize};

use crate::LoadBalancerArn;
use crate::aws_service::AwsService;
use crate::err::{Error, Kind, Result};
use crate::ids::*;
use crate::lab::{Caller, Lab, Tags, Timestamp};
use crate::region::{AccountId, AvailabilityZone, Region};
use crate::tags::{owned, validate_tags};
use crate::vpc_endpoint::{EndpointTarget, VpcEndpoint, VpcEndpointState, interface_dns_entries};

/// A VPC endpoint service (AWS's `ServiceConfiguration`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VpcEndpointServiceConfiguration {
    /// `vpce-svc-…`.
    pub id: VpcEndpointServiceId,
    /// The provider's account.
    pub owner_id: AccountId,
    /// Its region.
    pub region: Region,
    /// Its tags.
    pub tags: Tags,
    /// `com.amazonaws.vpce.<region>.vpce-svc-…`.
    pub service_name: String,
    /// `Available` (the lab's services are ready at once).
    pub service_state: ServiceState,
    /// Whether the provider accepts each endpoint by hand.
    pub acceptance_required: bool,
    /// Whether the service manages its consumers' endpoints (AWS's own services; never
    /// for the lab's).
    pub manages_vpc_endpoints: bool,
    /// The network load balancers it fronts, in the order they were added.
    pub network_load_balancer_arns: Vec<LoadBalancerArn>,
    /// `ipv4`.
    pub supported_ip_address_types: Vec<String>,
    /// The private DNS name consumers' endpoints may take over, lower case.
    pub private_dns_name: Option<String>,
    /// The TXT record AWS asks the provider to publish to prove it owns the name, and
    /// whether it was verified.
    pub private_dns_name_configuration: Option<PrivateDnsNameConfiguration>,
    /// Who may find the service and connect to it (besides its owner).
    pub allowed_principals: Vec<AllowedPrincipal>,
    /// When it was created.
    pub creation_timestamp: Timestamp,
}

owned!(VpcEndpointServiceConfiguration);

/// AWS's `ServiceState`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ServiceState {
    /// Being set up.
    Pending,
    /// Ready.
    Available,
    /// Being deleted.
    Deleting,
    /// Deleted.
    Deleted,
    /// Setting it up failed.
    Failed,
}

impl ServiceState {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceState::Pending => "Pending",
            ServiceState::Available => "Available",
            ServiceState::Deleting => "Deleting",
            ServiceState::Deleted => "Deleted",
            ServiceState::Failed => "Failed",
        }
    }
}

/// AWS's `DnsNameState`: where the verification of a private DNS name stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DnsNameState {
    /// The TXT record has not been found yet.
    PendingVerification,
    /// The provider proved it owns the name.
    Verified,
    /// The verification failed.
    Failed,
}

impl DnsNameState {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            DnsNameState::PendingVerification => "pendingVerification",
            DnsNameState::Verified => "verified",
            DnsNameState::Failed => "failed",
        }
    }
}

/// AWS's `PrivateDnsNameConfiguration`: the TXT record that proves ownership of the name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrivateDnsNameConfiguration {
    /// Where the verification stands.
    pub state: DnsNameState,
    /// `TXT`.
    pub r#type: String,
    /// The record's value, `vpce:<20 letters and digits>`.
    pub value: String,
    /// The record's name, `_<20 lower-case letters and digits>` (under the private name).
    pub name: String,
}

/// AWS's `PrincipalType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PrincipalType {
    /// `*`: everyone.
    All,
    /// An AWS service principal (`elasticloadbalancing.amazonaws.com`).
    Service,
    /// An organizational unit.
    OrganizationUnit,
    /// `arn:aws:iam::<account>:root`.
    Account,
    /// `arn:aws:iam::<account>:user/<name>`.
    User,
    /// `arn:aws:iam::<account>:role/<name>`.
    Role,
}

impl PrincipalType {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalType::All => "All",
            PrincipalType::Service => "Service",
            PrincipalType::OrganizationUnit => "OrganizationUnit",
            PrincipalType::Account => "Account",
            PrincipalType::User => "User",
            PrincipalType::Role => "Role",
        }
    }
}

/// One principal allowed to connect to an endpoint service (AWS's `AllowedPrincipal`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllowedPrincipal {
    /// The principal as given: `*`, an IAM ARN or a service principal.
    pub principal: String,
    /// What kind of principal it is.
    pub principal_type: PrincipalType,
    /// `vpce-svc-perm-…`.
    pub service_permission_id: ServicePermissionId,
}

impl AllowedPrincipal {
    /// The account whose requests this principal covers (for IAM ARNs).
    fn account(&self) -> Option<&str> {
        self.principal
            .strip_prefix("arn:aws:iam::")
            .and_then(|rest| rest.split(':').next())
    }

    /// Whether a request from `account` is this principal. The lab's access keys belong
    /// to accounts, not to users or roles: a user or role of the account stands for it.
    fn covers(&self, account: &AccountId) -> bool {
        match self.principal_type {
            PrincipalType::All => true,
            PrincipalType::Account | PrincipalType::User | PrincipalType::Role => {
                self.account() == Some(account.as_str())
            }
            PrincipalType::Service | PrincipalType::OrganizationUnit => false,
        }
    }
}

/// The parameters of CreateVpcEndpointServiceConfiguration.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CreateVpcEndpointServiceConfiguration {
    /// Whether the provider accepts each endpoint by hand (AWS's default: true).
    pub acceptance_required: Option<bool>,
    /// A private DNS name for consumers' endpoints.
    pub private_dns_name: Option<String>,
    /// The network load balancers to front (at least one).
    pub network_load_balancer_arns: Vec<String>,
    /// Gateway load balancers (not served by the lab).
    pub gateway_load_balancer_arns: Vec<String>,
    /// `ipv4` (the only type the lab serves).
    pub supported_ip_address_types: Vec<String>,
    /// Other regions consumers may connect from (not served by the lab).
    pub supported_regions: Vec<String>,
    /// Tags.
    pub tags: Tags,
}

/// The parameters of ModifyVpcEndpointServiceConfiguration.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ModifyVpcEndpointServiceConfiguration {
    /// A new private DNS name (to be verified again).
    pub private_dns_name: Option<String>,
    /// Drop the private DNS name.
    pub remove_private_dns_name: Option<bool>,
    /// Whether the provider accepts each endpoint by hand.
    pub acceptance_required: Option<bool>,
    /// Network load balancers to add.
    pub add_network_load_balancer_arns: Vec<String>,
    /// Network load balancers to remove.
    pub remove_network_load_balancer_arns: Vec<String>,
    /// Gateway load balancers (not served by the lab).
    pub add_gateway_load_balancer_arns: Vec<String>,
    /// Gateway load balancers (not served by the lab).
    pub remove_gateway_load_balancer_arns: Vec<String>,
    /// IP address types to add (`ipv4` only).
    pub add_supported_ip_address_types: Vec<String>,
    /// IP address types to remove.
    pub remove_supported_ip_address_types: Vec<String>,
    /// Regions to add (not served by the lab).
    pub add_supported_regions: Vec<String>,
    /// Regions to remove (not served by the lab).
    pub remove_supported_regions: Vec<String>,
}

impl VpcEndpointServiceConfiguration {
    /// `Interface`: the lab's endpoint services front network load balancers.
    pub fn service_type(&self) -> &'static str {
        "Interface"
    }

    /// AWS's `BaseEndpointDnsNames`: `vpce-svc-….<region>.vpce.amazonaws.com`.
    pub fn base_endpoint_dns_names(&self) -> Vec<String> {
        vec![format!(
            "{}.{}.vpce.amazonaws.com",
            self.id,
            self.region.name()
        )]
    }

    /// Whether `account` may find the service and connect to it: its owner, or one of
    /// its allowed principals.
    pub fn admits(&self, account: &AccountId) -> bool {
        &self.owner_id == account || self.allowed_principals.iter().any(|p| p.covers(account))
    }

    /// Where the verification of its private DNS name stands (none without a name).
    pub fn private_dns_name_state(&self) -> Option<DnsNameState> {
        self.private_dns_name_configuration
            .as_ref()
            .map(|c| c.state)
    }

    /// Its private DNS name once verified: the name consumers' endpoints may take over.
    pub fn verified_private_dns_name(&self) -> Option<&str> {
        match self.private_dns_name_state() {
            Some(DnsNameState::Verified) => self.private_dns_name.as_deref(),
            _ => None,
        }
    }
}

/// `com.amazonaws.vpce.<region>.<id>`.
pub fn endpoint_service_name(region: Region, id: &VpcEndpointServiceId) -> String {
    format!("com.amazonaws.vpce.{}.{id}", region.name())
}

/// `InvalidParameter`, the code AWS's endpoint service actions answer most refusals with.
fn invalid_parameter(message: impl Into<String>) -> Error {
    Error::Coded {
        code: "InvalidParameter",
        message: message.into(),
    }
}

/// Reads an allowed principal as AWS takes it: `*`, `arn:aws:iam::<account>:root`,
/// `…:role/<name>`, `…:user/<name>`, or a service principal (`<name>.amazonaws.com`).
fn principal_type(principal: &str) -> Result<PrincipalType> {
    let bad = || invalid_parameter(format!("Invalid principal: {principal}"));
    if principal == "*" {
        return Ok(PrincipalType::All);
    }
    if let Some(rest) = principal.strip_prefix("arn:aws:iam::") {
        let (account, resource) = rest.split_once(':').ok_or_else(bad)?;
        AccountId::parse(account).map_err(|_| bad())?;
        let named = |prefix: &str| {
            resource
                .strip_prefix(prefix)
                .is_some_and(|name| !name.is_empty() && !name.ends_with('/'))
        };
        return match resource {
            "root" => Ok(PrincipalType::Account),
            _ if named("role/") => Ok(PrincipalType::Role),
            _ if named("user/") => Ok(PrincipalType::User),
            _ => Err(bad()),
        };
    }
    let service = principal
        .strip_suffix(".amazonaws.com")
        .is_some_and(|name| !name.is_empty() && is_dns_label_run(name));
    if service {
        return Ok(PrincipalType::Service);
    }
    Err(bad())
}

/// Whether `s` is dot-separated labels of lower-case letters, digits and inner hyphens.
fn is_dns_label_run(s: &str) -> bool {
    s.split('.').all(|label| {
        (1..=63).contains(&label.len())
            && label
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    })
}

/// Checks a private DNS name (a domain of at least two labels, optionally a `*.`
/// wildcard, not one of AWS's) and lower-cases it.
fn check_private_dns_name(name: &str) -> Result<String> {
    let lower = name.trim_end_matches('.').to_ascii_lowercase();
    let rest = lower.strip_prefix("*.").unwrap_or(&lower);
    let ok = lower.len() <= 255 && rest.contains('.') && is_dns_label_run(rest);
    if !ok {
        return Err(invalid_parameter(format!(
            "The private DNS name '{name}' is not a valid domain name."
        )));
    }
    if rest == "amazonaws.com" || rest.ends_with(".amazonaws.com") {
        return Err(invalid_parameter(format!(
            "The private DNS name '{name}' is in a domain AWS reserves."
        )));
    }
    Ok(lower)
}

/// `len` characters of `alphabet` drawn from `bits` (refilled from `more` as it runs out).
fn random_text(alphabet: &[u8], len: usize, mut more: impl FnMut() -> u64) -> String {
    let n = alphabet.len() as u64;
    let mut bits = more();
    let mut left = 10;
    (0..len)
        .map(|_| {
            if left == 0 {
                bits = more();
                left = 10;
            }
            left -= 1;
            let c = char::from(alphabet[(bits % n) as usize]);
            bits /= n;
            c
        })
        .collect()
}

/// The endpoint states that count as connected: AWS refuses to delete a service, or to
/// take a load balancer away from it, while an endpoint is in one of them.
fn connected(state: VpcEndpointState) -> bool {
    matches!(
        state,
        VpcEndpointState::Available | VpcEndpointState::PendingAcceptance
    )
}

impl Lab {
    /// The endpoint service named `com.amazonaws.vpce.<region>.vpce-svc-…`, whoever owns
    /// it and whoever may see it (a pure lookup for the reach engine).
    pub fn endpoint_service_by_name(&self, name: &str) -> Option<&VpcEndpointServiceConfiguration> {
        let rest = name.strip_prefix("com.amazonaws.vpce.")?;
        let (region, id) = rest.split_once('.')?;
        self.vpc_endpoint_services
            .get(id)
            .filter(|s| s.region.name() == region)
    }

    /// The zones an endpoint service is offered in: its load balancers' zones, by name.
    pub fn endpoint_service_zones(
        &self,
        svc: &VpcEndpointServiceConfiguration,
    ) -> Vec<AvailabilityZone> {
        let mut zones: Vec<AvailabilityZone> = svc
            .region
            .zones()
            .filter(|z| {
                svc.network_load_balancer_arns
                    .iter()
                    .filter_map(|arn| self.load_balancer(arn.as_str()))
                    .any(|lb| lb.zone_names().any(|n| n == z.name))
            })
            .collect();
        zones.sort_by(|a, b| a.name.cmp(&b.name));
        zones
    }

    /// The endpoint service that fronts load balancer `arn`, if any. AWS refuses to delete
    /// a load balancer an endpoint service uses (ELBv2's `ResourceInUse`); DeleteLoadBalancer
    /// can ask this.
    pub fn endpoint_service_of_load_balancer(
        &self,
        arn: &str,
    ) -> Option<&VpcEndpointServiceConfiguration> {
        self.vpc_endpoint_services.values().find(|s| {
            s.network_load_balancer_arns
                .iter()
                .any(|a| a.as_str() == arn)
        })
    }

    /// The endpoints (of every account) connected, or asking to connect, to a service.
    pub fn endpoints_of_service<'a>(
        &'a self,
        id: &'a VpcEndpointServiceId,
    ) -> impl Iterator<Item = &'a VpcEndpoint> + 'a {
        self.vpc_endpoints
            .values()
            .filter(move |e| e.service_id() == Some(id))
    }

    /// The endpoint services `caller` may see in its region: its own and those whose
    /// allowed principals admit it (what DescribeVpcEndpointServices lists besides AWS's).
    pub fn visible_endpoint_services<'a>(
        &'a self,
        caller: &'a Caller,
    ) -> impl Iterator<Item = &'a VpcEndpointServiceConfiguration> + 'a {
        self.vpc_endpoint_services
            .values()
            .filter(move |s| s.region == caller.region && s.admits(&caller.account))
    }

    /// The caller's endpoint service `id` in its region
    /// (`InvalidVpcEndpointServiceId.NotFound` otherwise).
    pub fn owned_endpoint_service(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<&VpcEndpointServiceConfiguration> {
        Lab::owned(
            &self.vpc_endpoint_services,
            caller,
            Kind::VpcEndpointService,
            id,
            VpcEndpointServiceId::parse,
        )
    }

    /// What an endpoint the caller creates for `service_name` leads to: one of AWS's
    /// services in the caller's region, or an endpoint service there that admits the
    /// caller. AWS answers both an unknown service and one the caller may not see with
    /// `InvalidServiceName`.
    pub(crate) fn endpoint_target(
        &self,
        caller: &Caller,
        service_name: &str,
    ) -> Result<EndpointTarget> {
        if let Some(svc) = self.endpoint_service_by_name(service_name) {
            if svc.region == caller.region && svc.admits(&caller.account) {
                return Ok(self.service_target(svc));
            }
            return Err(Error::InvalidServiceName(service_name.to_owned()));
        }
        AwsService::from_service_name(service_name)
            .filter(|(region, _)| *region == caller.region)
            .map(|(region, service)| EndpointTarget::Aws { region, service })
            .ok_or_else(|| Error::InvalidServiceName(service_name.to_owned()))
    }

    /// What an existing endpoint leads to (its service may since have been deleted:
    /// `InvalidServiceName`).
    pub(crate) fn target_of(&self, e: &VpcEndpoint) -> Result<EndpointTarget> {
        if let Some(id) = e.service_id() {
            return self
                .vpc_endpoint_services
                .get(id)
                .map(|svc| self.service_target(svc))
                .ok_or_else(|| Error::InvalidServiceName(e.service_name.clone()));
        }
        AwsService::from_service_name(&e.service_name)
            .map(|(region, service)| EndpointTarget::Aws { region, service })
            .ok_or_else(|| Error::InvalidServiceName(e.service_name.clone()))
    }

    fn service_target(&self, svc: &VpcEndpointServiceConfiguration) -> EndpointTarget {
        EndpointTarget::Provided {
            id: svc.id.clone(),
            service_name: svc.service_name.clone(),
            zones: self
                .endpoint_service_zones(svc)
                .into_iter()
                .map(|z| z.name)
                .collect(),
            private_dns_name: svc
                .private_dns_name
                .clone()
                .zip(svc.private_dns_name_state()),
            acceptance_required: svc.acceptance_required,
        }
    }

    /// Checks load balancer ARNs for an endpoint service: well formed, network load
    /// balancers, the caller's, in its region, and not fronted by another service.
    fn service_load_balancers(
        &self,
        caller: &Caller,
        arns: &[String],
        this: Option<&VpcEndpointServiceId>,
    ) -> Result<Vec<LoadBalancerArn>> {
        let mut out: Vec<LoadBalancerArn> = Vec::new();
        for arn in arns {
            let parsed = LoadBalancerArn::parse(arn)
                .filter(|a| a.as_str().contains(":loadbalancer/net/"))
                .ok_or_else(|| Error::Coded {
                    code: "InvalidNetworkLoadBalancerArn.Malformed",
                    message: format!("The Network Load Balancer ARN '{arn}' is malformed."),
                })?;
            match self.load_balancer(arn) {
                Some(lb) if lb.owner_id == caller.account && lb.region == caller.region => {}
                _ => {
                    return Err(Error::Coded {
                        code: "InvalidNetworkLoadBalancerArn.NotFound",
                        message: format!("The Network Load Balancer ARN '{arn}' does not exist."),
                    });
                }
            }
            // AWS: a load balancer fronts one endpoint service.
            if let Some(other) = self
                .endpoint_service_of_load_balancer(arn)
                .filter(|s| Some(&s.id) != this)
            {
                return Err(invalid_parameter(format!(
                    "The load balancer {arn} is already associated with another VPC Endpoint Service ({}).",
                    other.id
                )));
            }
            if !out.contains(&parsed) {
                out.push(parsed);
            }
        }
        Ok(out)
    }

    /// A fresh TXT record for a private DNS name, pending verification.
    fn new_private_dns_configuration(&mut self) -> PrivateDnsNameConfiguration {
        const MIXED: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        const LOWER: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
        let value = random_text(MIXED, 20, || self.ids.next_u64());
        let name = random_text(LOWER, 20, || self.ids.next_u64());
        PrivateDnsNameConfiguration {
            state: DnsNameState::PendingVerification,
            r#type: "TXT".to_owned(),
            value: format!("vpce:{value}"),
            name: format!("_{name}"),
        }
    }

    /// CreateVpcEndpointServiceConfiguration: an interface endpoint service fronting the
    /// caller's network load balancers, offered in their zones, accepting by hand unless
    /// told otherwise, with a private DNS name pending verification when one is given.
    pub fn create_vpc_endpoint_service_configuration(
        &mut self,
        caller: &Caller,
        req: CreateVpcEndpointServiceConfiguration,
    ) -> Result<VpcEndpointServiceId> {
        validate_tags(&req.tags)?;
        if !req.gateway_load_balancer_arns.is_empty() {
            return Err(invalid_parameter(
                "Gateway Load Balancer endpoint services are not served by the lab; give NetworkLoadBalancerArns.",
            ));
        }
        if req.network_load_balancer_arns.is_empty() {
            return Err(invalid_parameter(
                "At least one Network Load Balancer or Gateway Load Balancer ARN must be specified.",
            ));
        }
        check_ip_address_types(&req.supported_ip_address_types)?;
        refuse_regions(&req.supported_regions)?;
        let arns = self.service_load_balancers(caller, &req.network_load_balancer_arns, None)?;
        let private_dns_name = req
            .private_dns_name
            .as_deref()
            .map(check_private_dns_name)
            .transpose()?;
        let id: VpcEndpointServiceId = self.mint();
        let private_dns_name_configuration = private_dns_name
            .as_ref()
            .map(|_| self.new_private_dns_configuration());
        self.vpc_endpoint_services.insert(
            id.clone(),
            VpcEndpointServiceConfiguration {
                service_name: endpoint_service_name(caller.region, &id),
                id: id.clone(),
                owner_id: caller.account.clone(),
                region: caller.region,
                tags: req.tags,
                service_state: ServiceState::Available,
                acceptance_required: req.acceptance_required.unwrap_or(true),
                manages_vpc_endpoints: false,
                network_load_balancer_arns: arns,
                supported_ip_address_types: vec!["ipv4".to_owned()],
                private_dns_name,
                private_dns_name_configuration,
                allowed_principals: Vec::new(),
                creation_timestamp: caller.now,
            },
        );
        Ok(id)
    }

    /// ModifyVpcEndpointServiceConfiguration: acceptance, load balancers in and out (out
    /// only while no endpoint is connected), the private DNS name set (pending
    /// verification again) or removed. Checked whole before anything changes.
    pub fn modify_vpc_endpoint_service_configuration(
        &mut self,
        caller: &Caller,
        id: &str,
        req: ModifyVpcEndpointServiceConfiguration,
    ) -> Result<()> {
        let svc = self.owned_endpoint_service(caller, id)?.clone();
        if !req.add_gateway_load_balancer_arns.is_empty()
            || !req.remove_gateway_load_balancer_arns.is_empty()
        {
            return Err(invalid_parameter(
                "Gateway Load Balancer endpoint services are not served by the lab.",
            ));
        }
        check_ip_address_types(&req.add_supported_ip_address_types)?;
        if req
            .remove_supported_ip_address_types
            .iter()
            .any(|t| t == "ipv4")
        {
            return Err(invalid_parameter(
                "The endpoint service must support at least one IP address type; the lab's support ipv4.",
            ));
        }
        refuse_regions(&req.add_supported_regions)?;
        refuse_regions(&req.remove_supported_regions)?;
        let remove_name = req.remove_private_dns_name == Some(true);
        if remove_name && req.private_dns_name.is_some() {
            return Err(Error::InvalidParameterCombination(
                "PrivateDnsName and RemovePrivateDnsName cannot be given together.".into(),
            ));
        }
        let new_name = req
            .private_dns_name
            .as_deref()
            .map(check_private_dns_name)
            .transpose()?;
        // Load balancers: the removed ones must be the service's; what stays is at least one.
        let mut arns = svc.network_load_balancer_arns.clone();
        for arn in &req.remove_network_load_balancer_arns {
            let Some(k) = arns.iter().position(|a| a.as_str() == arn) else {
                return Err(invalid_parameter(format!(
                    "The load balancer {arn} is not associated with the VPC Endpoint Service {}.",
                    svc.id
                )));
            };
            arns.remove(k);
        }
        if !req.remove_network_load_balancer_arns.is_empty()
            && self
                .endpoints_of_service(&svc.id)
                .any(|e| connected(e.state))
        {
            return Err(existing_connections());
        }
        let added = self.service_load_balancers(
            caller,
            &req.add_network_load_balancer_arns,
            Some(&svc.id),
        )?;
        for arn in added {
            if !arns.contains(&arn) {
                arns.push(arn);
            }
        }
        if arns.is_empty() {
            return Err(invalid_parameter(
                "An endpoint service must keep at least one load balancer.",
            ));
        }
        // Everything is checked: change.
        let dns_change = remove_name
            || new_name
                .as_ref()
                .is_some_and(|n| Some(n) != svc.private_dns_name.as_ref());
        let configuration = match (&new_name, dns_change) {
            (Some(_), true) => Some(self.new_private_dns_configuration()),
            _ => None,
        };
        if let Some(s) = self.vpc_endpoint_services.get_mut(&svc.id) {
            s.network_load_balancer_arns = arns;
            if let Some(a) = req.acceptance_required {
                s.acceptance_required = a;
            }
            if remove_name {
                s.private_dns_name = None;
                s.private_dns_name_configuration = None;
            }
            if let (Some(name), Some(c)) = (new_name, configuration) {
                s.private_dns_name = Some(name);
                s.private_dns_name_configuration = Some(c);
            }
        }
        if dns_change {
            self.refresh_service_endpoints(&svc.id);
        }
        Ok(())
    }

    /// StartVpcEndpointServicePrivateDnsVerification. AWS looks the TXT record up in public
    /// DNS, which the lab does not have: the name is verified at once, and consumers'
    /// endpoints with private DNS on take it over.
    pub fn start_vpc_endpoint_service_private_dns_verification(
        &mut self,
        caller: &Caller,
        id: &str,
    ) -> Result<()> {
        let svc = self.owned_endpoint_service(caller, id)?;
        if svc.private_dns_name.is_none() {
            return Err(invalid_parameter(format!(
                "The VPC Endpoint Service {id} does not have a private DNS name to verify."
            )));
        }
        let svc_id = svc.id.clone();
        if let Some(c) = self
            .vpc_endpoint_services
            .get_mut(&svc_id)
            .and_then(|s| s.private_dns_name_configuration.as_mut())
        {
            c.state = DnsNameState::Verified;
        }
        self.refresh_service_endpoints(&svc_id);
        Ok(())
    }

    /// Brings the DNS entries of the service's endpoints in step with its verified private
    /// DNS name (their private entry appears, changes or goes).
    fn refresh_service_endpoints(&mut self, id: &VpcEndpointServiceId) {
        let Some(svc) = self.vpc_endpoint_services.get(id) else {
            return;
        };
        let target = self.service_target(svc);
        let endpoints: Vec<VpcEndpointId> = self
            .endpoints_of_service(id)
            .map(|e| e.id.clone())
            .collect();
        for eid in endpoints {
            let Some(e) = self.vpc_endpoints.get(&eid) else {
                continue;
            };
            let zones: Vec<String> = e
                .subnet_ids
                .iter()
                .filter_map(|s| self.subnets.get(s))
                .map(|s| s.availability_zone.clone())
                .collect();
            let entries = interface_dns_entries(
                &e.id,
                &e.dns_suffix,
                &target,
                e.region,
                &zones,
                e.private_dns_enabled,
            );
            if let Some(e) = self.vpc_endpoints.get_mut(&eid) {
                e.dns_entries = entries;
            }
        }
    }

    /// DeleteVpcEndpointServiceConfigurations: each service goes unless an endpoint is
    /// connected to it (available or pending acceptance); the ones that cannot go come
    /// back with their error (AWS's `Unsuccessful`), the rest succeed.
    pub fn delete_vpc_endpoint_service_configurations(
        &mut self,
        caller: &Caller,
        ids: &[String],
    ) -> Vec<(String, Error)> {
        let mut unsuccessful = Vec::new();
        for id in ids {
            let svc = match self.owned_endpoint_service(caller, id) {
                Ok(s) => s.id.clone(),
                // AWS's bulk answer spells its "not found" without the `Id`.
                Err(Error::NotFound { .. }) => {
                    unsuccessful.push((
                        id.clone(),
                        Error::Coded {
                            code: "InvalidVpcEndpointService.NotFound",
                            message: format!("The VpcEndpointService Id '{id}' does not exist"),
                        },
                    ));
                    continue;
                }
                Err(e) => {
                    unsuccessful.push((id.clone(), e));
                    continue;
                }
            };
            if self.endpoints_of_service(&svc).any(|e| connected(e.state)) {
                unsuccessful.push((id.clone(), existing_connections()));
                continue;
            }
            self.vpc_endpoint_services.shift_remove(&svc);
        }
        unsuccessful
    }

    /// ModifyVpcEndpointServicePermissions: principals in and out (a principal already
    /// there is not added twice; removing one that is not there changes nothing). Answers
    /// the principals added, with their new permission ids.
    pub fn modify_vpc_endpoint_service_permissions(
        &mut self,
        caller: &Caller,
        id: &str,
        add: &[String],
        remove: &[String],
    ) -> Result<Vec<AllowedPrincipal>> {
        let svc = self.owned_endpoint_service(caller, id)?.clone();
        let mut fresh: Vec<(String, PrincipalType)> = Vec::new();
        for p in add {
            let kind = principal_type(p)?;
            let known = svc.allowed_principals.iter().any(|a| &a.principal == p)
                || fresh.iter().any(|(q, _)| q == p);
            if !known {
                fresh.push((p.clone(), kind));
            }
        }
        for p in remove {
            principal_type(p)?;
        }
        let added: Vec<AllowedPrincipal> = fresh
            .into_iter()
            .map(|(principal, principal_type)| AllowedPrincipal {
                principal,
                principal_type,
                service_permission_id: self.mint(),
            })
            .collect();
        if let Some(s) = self.vpc_endpoint_services.get_mut(&svc.id) {
            s.allowed_principals
                .retain(|a| !remove.contains(&a.principal));
            s.allowed_principals.extend(added.iter().cloned());
        }
        Ok(added)
    }

    /// AcceptVpcEndpointConnections: each endpoint of the service that is
    /// `pendingAcceptance` becomes `available`; the others come back `Unsuccessful`.
    pub fn accept_vpc_endpoint_connections(
        &mut self,
        caller: &Caller,
        service_id: &str,
        endpoint_ids: &[String],
    ) -> Result<Vec<(String, Error)>> {
        self.decide_connections(caller, service_id, endpoint_ids, true)
    }

    /// RejectVpcEndpointConnections: each endpoint of the service that is
    /// `pendingAcceptance` or `available` becomes `rejected` (AWS: "You can reject an
    /// endpoint connection after it's in the available state"); the others come back
    /// `Unsuccessful`.
    pub fn reject_vpc_endpoint_connections(
        &mut self,
        caller: &Caller,
        service_id: &str,
        endpoint_ids: &[String],
    ) -> Result<Vec<(String, Error)>> {
        self.decide_connections(caller, service_id, endpoint_ids, false)
    }

    fn decide_connections(
        &mut self,
        caller: &Caller,
        service_id: &str,
        endpoint_ids: &[String],
        accept: bool,
    ) -> Result<Vec<(String, Error)>> {
        let svc = self.owned_endpoint_service(caller, service_id)?.id.clone();
        let mut unsuccessful = Vec::new();
        for id in endpoint_ids {
            if VpcEndpointId::parse(id).is_none() {
                unsuccessful.push((
                    id.clone(),
                    Error::Malformed {
                        kind: Kind::VpcEndpoint,
                        id: id.clone(),
                    },
                ));
                continue;
            }
            // The provider knows consumers' endpoints only through its own service.
            let Some(e) = self
                .vpc_endpoints
                .get_mut(id.as_str())
                .filter(|e| e.service_id() == Some(&svc))
            else {
                unsuccessful.push((
                    id.clone(),
                    Error::Coded {
                        code: "InvalidVpcEndpoint.NotFound",
                        message: format!(
                            "The VPC endpoint '{id}' does not exist or is not connected to {svc}"
                        ),
                    },
                ));
                continue;
            };
            let allowed = if accept {
                e.state == VpcEndpointState::PendingAcceptance
            } else {
                connected(e.state)
            };
            if !allowed {
                let verb = if accept { "accepted" } else { "rejected" };
                unsuccessful.push((
                    id.clone(),
                    Error::Coded {
                        code: "InvalidState",
                        message: format!(
                            "The VPC endpoint {id} is {} and cannot be {verb}.",
                            e.state.as_str()
                        ),
                    },
                ));
                continue;
            }
            e.state = if accept {
                VpcEndpointState::Available
            } else {
                VpcEndpointState::Rejected
            };
        }
        Ok(unsuccessful)
    }
}

/// `ExistingVpcEndpointConnections`, with AWS's message.
fn existing_connections() -> Error {
    Error::Coded {
        code: "ExistingVpcEndpointConnections",
        message: "Service has existing active VPC Endpoint connections!".into(),
    }
}

/// Refuses IP address types other than `ipv4` (the lab's endpoint services are IPv4).
fn check_ip_address_types(types: &[String]) -> Result<()> {
    match types.iter().find(|t| t.as_str() != "ipv4") {
        Some(t) => Err(invalid_parameter(format!(
            "SupportedIpAddressType {t} is not served by the lab; its endpoint services are ipv4."
        ))),
        None => Ok(()),
    }
}

/// Refuses cross-region access (`SupportedRegions`), which the lab does not serve.
fn refuse_regions(regions: &[String]) -> Result<()> {
    match regions.first() {
        Some(r) => Err(invalid_parameter(format!(
            "Cross-region access to endpoint services is not served by the lab (SupportedRegion {r})."
        ))),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        CreateLoadBalancer, CreateSubnet, CreateVpc, CreateVpcEndpoint, ModifyVpcEndpoint,
        Operation, Outcome, SubnetId, VpcAttribute, VpcId,
    };

    const PROVIDER: &str = "111111111111";
    const CONSUMER: &str = "222222222222";
    const OUTSIDER: &str = "333333333333";

    fn caller(account: &str) -> Caller {
        Caller::new(
            AccountId::parse(account).unwrap(),
            Region::default_region(),
            Timestamp(1_700_000_000_000),
        )
    }

    /// A provider with an internal NLB in us-east-1a and 1b, and a consumer whose VPC (DNS
    /// host names on) has subnets in 1a, 1b and 1c.
    struct World {
        lab: Lab,
        p: Caller,
        c: Caller,
        nlb: LoadBalancerArn,
        /// A second NLB of the provider's, in 1c only.
        nlb_c: LoadBalancerArn,
        consumer_vpc: VpcId,
        /// Consumer subnets in 1a, 1b, 1c.
        subnets: [SubnetId; 3],
    }

    fn vpc(lab: &mut Lab, c: &Caller, cidr: &str) -> VpcId {
        let v = lab
            .create_vpc(
                c,
                CreateVpc {
                    cidr_block: cidr.into(),
                    ..CreateVpc::default()
                },
            )
            .unwrap();
        lab.modify_vpc_attribute(c, v.as_str(), VpcAttribute::EnableDnsHostnames(true))
            .unwrap();
        v
    }

    fn subnet(lab: &mut Lab, c: &Caller, vpc: &VpcId, cidr: &str, az: &str) -> SubnetId {
        lab.create_subnet(
            c,
            CreateSubnet {
                vpc_id: vpc.to_string(),
                cidr_block: cidr.into(),
                availability_zone: Some(az.into()),
                ..CreateSubnet::default()
            },
        )
        .unwrap()
    }

    fn nlb(lab: &mut Lab, c: &Caller, name: &str, subnets: &[&SubnetId]) -> LoadBalancerArn {
        lab.create_load_balancer(
            c,
            CreateLoadBalancer {
                name: name.into(),
                subnets: subnets.iter().map(|s| s.to_string()).collect(),
                scheme: Some("internal".into()),
                load_balancer_type: Some("network".into()),
                ..CreateLoadBalancer::default()
            },
        )
        .unwrap()
    }

    fn world() -> World {
        let (p, c) = (caller(PROVIDER), caller(CONSUMER));
        let mut lab = Lab::new(7);
        for a in [PROVIDER, CONSUMER, OUTSIDER] {
            lab.add_account_without_default_vpcs(&AccountId::parse(a).unwrap());
        }
        let pv = vpc(&mut lab, &p, "10.0.0.0/16");
        let pa = subnet(&mut lab, &p, &pv, "10.0.1.0/24", "us-east-1a");
        let pb = subnet(&mut lab, &p, &pv, "10.0.2.0/24", "us-east-1b");
        let pc = subnet(&mut lab, &p, &pv, "10.0.3.0/24", "us-east-1c");
        let nlb_ab = nlb(&mut lab, &p, "svc", &[&pa, &pb]);
        let nlb_c = nlb(&mut lab, &p, "svc-c", &[&pc]);
        let cv = vpc(&mut lab, &c, "10.1.0.0/16");
        let subnets = [
            subnet(&mut lab, &c, &cv, "10.1.1.0/24", "us-east-1a"),
            subnet(&mut lab, &c, &cv, "10.1.2.0/24", "us-east-1b"),
            subnet(&mut lab, &c, &cv, "10.1.3.0/24", "us-east-1c"),
        ];
        World {
            lab,
            p,
            c,
            nlb: nlb_ab,
            nlb_c,
            consumer_vpc: cv,
            subnets,
        }
    }

    fn service(w: &mut World, acceptance: Option<bool>, dns: Option<&str>) -> VpcEndpointServiceId {
        w.lab
            .create_vpc_endpoint_service_configuration(
                &w.p,
                CreateVpcEndpointServiceConfiguration {
                    acceptance_required: acceptance,
                    private_dns_name: dns.map(str::to_owned),
                    network_load_balancer_arns: vec![w.nlb.to_string()],
                    ..Default::default()
                },
            )
            .unwrap()
    }

    fn allow(w: &mut World, svc: &VpcEndpointServiceId, principal: &str) -> Vec<AllowedPrincipal> {
        w.lab
            .modify_vpc_endpoint_service_permissions(&w.p, svc.as_str(), &[principal.into()], &[])
            .unwrap()
    }

    fn endpoint_request(
        w: &World,
        svc: &VpcEndpointServiceId,
        subnets: &[usize],
    ) -> CreateVpcEndpoint {
        CreateVpcEndpoint {
            vpc_id: w.consumer_vpc.to_string(),
            service_name: endpoint_service_name(Region::default_region(), svc),
            vpc_endpoint_type: Some("Interface".into()),
            subnet_ids: subnets.iter().map(|&i| w.subnets[i].to_string()).collect(),
            ..CreateVpcEndpoint::default()
        }
    }

    fn connect(w: &mut World, svc: &VpcEndpointServiceId) -> VpcEndpointId {
        let req = endpoint_request(w, svc, &[0, 1]);
        w.lab.create_vpc_endpoint(&w.c, req).unwrap()
    }

    /// Applies `op` for `who`, expecting AWS's `code` and the lab unchanged (ids included).
    fn refused(lab: &mut Lab, who: &Caller, op: Operation, code: &str) -> String {
        let before = serde_json::to_value(&*lab).unwrap();
        let err = lab.apply(who, &op).unwrap_err();
        assert_eq!(err.code(), code, "{err}");
        assert_eq!(
            serde_json::to_value(&*lab).unwrap(),
            before,
            "{op:?} changed the lab"
        );
        err.to_string()
    }

    fn state(lab: &Lab, e: &VpcEndpointId) -> VpcEndpointState {
        lab.vpc_endpoint(e.as_str()).unwrap().state
    }

    #[test]
    fn a_service_fronts_its_load_balancers_in_their_zones() {
        let mut w = world();
        let id = service(&mut w, None, Some("API.Example.com"));
        let svc = w.lab.vpc_endpoint_service(id.as_str()).unwrap().clone();
        assert!(
            id.as_str().starts_with("vpce-svc-0") && id.as_str().len() == "vpce-svc-".len() + 17
        );
        assert_eq!(
            svc.service_name,
            format!("com.amazonaws.vpce.us-east-1.{id}")
        );
        assert_eq!(svc.service_type(), "Interface");
        assert_eq!(svc.service_state, ServiceState::Available);
        // AWS's default: acceptance required.
        assert!(svc.acceptance_required && !svc.manages_vpc_endpoints);
        assert_eq!(svc.network_load_balancer_arns, vec![w.nlb.clone()]);
        assert_eq!(svc.supported_ip_address_types, ["ipv4"]);
        assert_eq!(
            svc.base_endpoint_dns_names(),
            [format!("{id}.us-east-1.vpce.amazonaws.com")]
        );
        let zones: Vec<String> = w
            .lab
            .endpoint_service_zones(&svc)
            .into_iter()
            .map(|z| z.name)
            .collect();
        assert_eq!(zones, ["us-east-1a", "us-east-1b"]);
        // The private DNS name waits for verification, with AWS's TXT record shapes.
        assert_eq!(svc.private_dns_name.as_deref(), Some("api.example.com"));
        let c = svc.private_dns_name_configuration.clone().unwrap();
        assert_eq!(
            (c.state, c.r#type.as_str()),
            (DnsNameState::PendingVerification, "TXT")
        );
        assert!(
            c.value.starts_with("vpce:") && c.value.len() == 25,
            "{}",
            c.value
        );
        assert!(c.name.starts_with('_') && c.name.len() == 21, "{}", c.name);
        assert!(
            c.name[1..]
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        );
        assert_eq!(svc.verified_private_dns_name(), None);
        // Pure lookups for the reach engine.
        assert_eq!(
            w.lab
                .endpoint_service_by_name(&svc.service_name)
                .map(|s| &s.id),
            Some(&id)
        );
        assert!(
            w.lab
                .endpoint_service_by_name(&format!("com.amazonaws.vpce.us-west-2.{id}"))
                .is_none()
        );
        assert_eq!(
            w.lab
                .endpoint_service_of_load_balancer(w.nlb.as_str())
                .map(|s| &s.id),
            Some(&id)
        );
        assert!(
            w.lab
                .endpoint_service_of_load_balancer(w.nlb_c.as_str())
                .is_none()
        );
        // Tags go through CreateTags like any EC2 resource.
        let tags: Tags = [("Name".to_owned(), "api".to_owned())].into();
        w.lab.create_tags(&w.p, &[id.to_string()], &tags).unwrap();
        assert_eq!(w.lab.vpc_endpoint_service(id.as_str()).unwrap().tags, tags);
        assert_eq!(
            w.lab
                .create_tags(&w.c, &[id.to_string()], &tags)
                .unwrap_err()
                .code(),
            "InvalidVpcEndpointServiceId.NotFound"
        );
    }

    #[test]
    fn load_balancers_must_be_the_callers_network_load_balancers() {
        let mut w = world();
        let p = w.p.clone();
        let create = |arns: Vec<String>| {
            Operation::CreateVpcEndpointServiceConfiguration(
                CreateVpcEndpointServiceConfiguration {
                    network_load_balancer_arns: arns,
                    ..Default::default()
                },
            )
        };
        refused(&mut w.lab, &p, create(vec![]), "InvalidParameter");
        refused(
            &mut w.lab,
            &p,
            create(vec!["nlb-1".into()]),
            "InvalidNetworkLoadBalancerArn.Malformed",
        );
        let alb = w.nlb.as_str().replace("/net/", "/app/");
        refused(
            &mut w.lab,
            &p,
            create(vec![alb]),
            "InvalidNetworkLoadBalancerArn.Malformed",
        );
        let gone = w.nlb.as_str().replace("/svc/", "/gone/");
        refused(
            &mut w.lab,
            &p,
            create(vec![gone]),
            "InvalidNetworkLoadBalancerArn.NotFound",
        );
        // Another account's load balancer does not exist for the caller.
        let c = w.c.clone();
        refused(
            &mut w.lab,
            &c,
            create(vec![w.nlb.to_string()]),
            "InvalidNetworkLoadBalancerArn.NotFound",
        );
        let gwlb = Operation::CreateVpcEndpointServiceConfiguration(
            CreateVpcEndpointServiceConfiguration {
                gateway_load_balancer_arns: vec![w.nlb.to_string()],
                ..Default::default()
            },
        );
        refused(&mut w.lab, &p, gwlb, "InvalidParameter");
        let ipv6 = Operation::CreateVpcEndpointServiceConfiguration(
            CreateVpcEndpointServiceConfiguration {
                network_load_balancer_arns: vec![w.nlb.to_string()],
                supported_ip_address_types: vec!["ipv6".into()],
                ..Default::default()
            },
        );
        refused(&mut w.lab, &p, ipv6, "InvalidParameter");
        let bad_dns = Operation::CreateVpcEndpointServiceConfiguration(
            CreateVpcEndpointServiceConfiguration {
                network_load_balancer_arns: vec![w.nlb.to_string()],
                private_dns_name: Some("not a name".into()),
                ..Default::default()
            },
        );
        refused(&mut w.lab, &p, bad_dns, "InvalidParameter");
        // A load balancer fronts one service.
        service(&mut w, None, None);
        refused(
            &mut w.lab,
            &p,
            create(vec![w.nlb.to_string()]),
            "InvalidParameter",
        );
    }

    #[test]
    fn principals_admit_their_account_and_get_permission_ids() {
        let mut w = world();
        let id = service(&mut w, None, None);
        let consumer = AccountId::parse(CONSUMER).unwrap();
        let svc = |lab: &Lab| lab.vpc_endpoint_service(id.as_str()).unwrap().clone();
        assert!(svc(&w.lab).admits(&AccountId::parse(PROVIDER).unwrap()));
        assert!(!svc(&w.lab).admits(&consumer));
        let added = allow(&mut w, &id, &format!("arn:aws:iam::{CONSUMER}:role/app"));
        assert_eq!(added.len(), 1);
        assert_eq!(added[0].principal_type, PrincipalType::Role);
        assert!(
            added[0]
                .service_permission_id
                .as_str()
                .starts_with("vpce-svc-perm-0")
        );
        assert!(svc(&w.lab).admits(&consumer));
        assert!(!svc(&w.lab).admits(&AccountId::parse(OUTSIDER).unwrap()));
        // The same principal again adds nothing.
        assert!(allow(&mut w, &id, &format!("arn:aws:iam::{CONSUMER}:role/app")).is_empty());
        for (p, t) in [
            ("*", PrincipalType::All),
            ("arn:aws:iam::444444444444:root", PrincipalType::Account),
            (
                "arn:aws:iam::444444444444:user/ops/alice",
                PrincipalType::User,
            ),
            ("elasticloadbalancing.amazonaws.com", PrincipalType::Service),
        ] {
            assert_eq!(principal_type(p).unwrap(), t, "{p}");
        }
        assert!(allow(&mut w, &id, "*").len() == 1);
        assert!(svc(&w.lab).admits(&AccountId::parse(OUTSIDER).unwrap()));
        w.lab
            .modify_vpc_endpoint_service_permissions(
                &w.p,
                id.as_str(),
                &[],
                &["*".into(), "arn:aws:iam::444444444444:root".into()],
            )
            .unwrap();
        assert!(!svc(&w.lab).admits(&AccountId::parse(OUTSIDER).unwrap()));
        assert_eq!(svc(&w.lab).allowed_principals.len(), 1);
        let p = w.p.clone();
        for bad in [
            "444444444444",
            "arn:aws:iam::4444:root",
            "arn:aws:iam::444444444444:group/x",
            "arn:aws:iam::444444444444:role/",
            "",
        ] {
            let op = Operation::ModifyVpcEndpointServicePermissions {
                service_id: id.to_string(),
                add_allowed_principals: vec![bad.into()],
                remove_allowed_principals: vec![],
            };
            refused(&mut w.lab, &p, op, "InvalidParameter");
        }
        // Only the owner manages its permissions.
        let c = w.c.clone();
        let op = Operation::ModifyVpcEndpointServicePermissions {
            service_id: id.to_string(),
            add_allowed_principals: vec!["*".into()],
            remove_allowed_principals: vec![],
        };
        refused(&mut w.lab, &c, op, "InvalidVpcEndpointServiceId.NotFound");
        let malformed = Operation::ModifyVpcEndpointServicePermissions {
            service_id: "vpce-svc-xyz".into(),
            add_allowed_principals: vec!["*".into()],
            remove_allowed_principals: vec![],
        };
        refused(
            &mut w.lab,
            &p,
            malformed,
            "InvalidVpcEndpointServiceIdId.Malformed",
        );
    }

    #[test]
    fn only_allowed_principals_connect_and_wait_for_acceptance() {
        let mut w = world();
        let id = service(&mut w, None, None);
        let c = w.c.clone();
        let req = endpoint_request(&w, &id, &[0, 1]);
        // Not yet allowed: the service does not exist for the consumer.
        refused(
            &mut w.lab,
            &c,
            Operation::CreateVpcEndpoint(req.clone()),
            "InvalidServiceName",
        );
        allow(&mut w, &id, &format!("arn:aws:iam::{CONSUMER}:root"));
        let e = w.lab.create_vpc_endpoint(&w.c, req).unwrap();
        let ep = w.lab.vpc_endpoint(e.as_str()).unwrap().clone();
        assert_eq!(ep.state, VpcEndpointState::PendingAcceptance);
        assert_eq!(ep.service_id(), Some(&id));
        assert!(
            ep.connection_id
                .as_ref()
                .is_some_and(|c| c.as_str().starts_with("vpce-con-0"))
        );
        assert_eq!(ep.owner_id.as_str(), CONSUMER);
        assert_eq!(ep.network_interface_ids.len(), 2);
        // The default security group, the default (full access) policy, private DNS off
        // (the service has no name).
        let default_sg = w
            .lab
            .vpc(w.consumer_vpc.as_str())
            .unwrap()
            .default_security_group_id
            .clone();
        assert_eq!(ep.groups, vec![default_sg]);
        assert_eq!(ep.policy_document, crate::DEFAULT_GATEWAY_POLICY);
        assert!(!ep.private_dns_enabled);
        let names: Vec<&str> = ep.dns_entries.iter().map(|d| d.dns_name.as_str()).collect();
        let tail = format!(".{id}.us-east-1.vpce.amazonaws.com");
        assert_eq!(names.len(), 3);
        assert_eq!(names[0], format!("{e}-{}{tail}", ep.dns_suffix));
        assert_eq!(names[1], format!("{e}-{}-us-east-1a{tail}", ep.dns_suffix));
        assert_eq!(names[2], format!("{e}-{}-us-east-1b{tail}", ep.dns_suffix));
        // The endpoint's own names resolve anywhere, to its interfaces.
        let ips = w.lab.vpc_endpoint_addresses(&ep);
        assert_eq!(
            w.lab.resolve(None, names[2]).map(|r| r.address()),
            Some(ips[1])
        );
        assert_eq!(w.lab.compute_index(), *w.lab.index());
        // A connection the provider sees.
        assert_eq!(
            w.lab
                .endpoints_of_service(&id)
                .map(|e| e.id.clone())
                .collect::<Vec<_>>(),
            vec![e.clone()]
        );
        // A third account stays outside.
        let o = caller(OUTSIDER);
        let ov = vpc(&mut w.lab, &o, "10.2.0.0/16");
        let os = subnet(&mut w.lab, &o, &ov, "10.2.1.0/24", "us-east-1a");
        let mut outsider_req = endpoint_request(&w, &id, &[]);
        outsider_req.vpc_id = ov.to_string();
        outsider_req.subnet_ids = vec![os.to_string()];
        refused(
            &mut w.lab,
            &o,
            Operation::CreateVpcEndpoint(outsider_req),
            "InvalidServiceName",
        );
    }

    #[test]
    fn consumer_refusals_leave_the_lab_unchanged() {
        let mut w = world();
        let id = service(&mut w, Some(false), Some("api.example.com"));
        allow(&mut w, &id, "*");
        let c = w.c.clone();
        // Subnets only in the service's zones.
        let in_1c = endpoint_request(&w, &id, &[2]);
        let msg = refused(
            &mut w.lab,
            &c,
            Operation::CreateVpcEndpoint(in_1c),
            "InvalidParameter",
        );
        assert!(
            msg.contains("does not support the availability zone"),
            "{msg}"
        );
        // No endpoint policy for endpoint services.
        let mut with_policy = endpoint_request(&w, &id, &[0]);
        with_policy.policy_document = Some(crate::DEFAULT_GATEWAY_POLICY.into());
        refused(
            &mut w.lab,
            &c,
            Operation::CreateVpcEndpoint(with_policy),
            "InvalidParameter",
        );
        // Private DNS needs the name verified.
        let mut dns = endpoint_request(&w, &id, &[0]);
        dns.private_dns_enabled = Some(true);
        let msg = refused(
            &mut w.lab,
            &c,
            Operation::CreateVpcEndpoint(dns.clone()),
            "InvalidParameter",
        );
        assert!(
            msg.contains("has not verified the private DNS name"),
            "{msg}"
        );
        // Not a gateway service.
        let mut gateway = endpoint_request(&w, &id, &[]);
        gateway.vpc_endpoint_type = None;
        refused(
            &mut w.lab,
            &c,
            Operation::CreateVpcEndpoint(gateway),
            "InvalidParameterValue",
        );
        // No name at all.
        w.lab
            .modify_vpc_endpoint_service_configuration(
                &w.p,
                id.as_str(),
                ModifyVpcEndpointServiceConfiguration {
                    remove_private_dns_name: Some(true),
                    ..Default::default()
                },
            )
            .unwrap();
        let msg = refused(
            &mut w.lab,
            &c,
            Operation::CreateVpcEndpoint(dns),
            "InvalidParameter",
        );
        assert!(msg.contains("does not provide a private DNS name"), "{msg}");
        // Without acceptance the endpoint is available at once.
        let e = connect(&mut w, &id);
        assert_eq!(state(&w.lab, &e), VpcEndpointState::Available);
        // The provider can neither modify nor delete the consumer's endpoint.
        let p = w.p.clone();
        let modify = Operation::ModifyVpcEndpoint {
            vpc_endpoint_id: e.to_string(),
            change: ModifyVpcEndpoint::default(),
        };
        refused(&mut w.lab, &p, modify, "InvalidVpcEndpointId.NotFound");
        let unsuccessful = w.lab.delete_vpc_endpoints(&w.p, &[e.to_string()]);
        assert_eq!(unsuccessful[0].1.code(), "InvalidVpcEndpointId.NotFound");
        // The consumer modifies: a policy is refused, subnets in the service's zones only.
        let policy = Operation::ModifyVpcEndpoint {
            vpc_endpoint_id: e.to_string(),
            change: ModifyVpcEndpoint {
                policy_document: Some(crate::DEFAULT_GATEWAY_POLICY.into()),
                ..ModifyVpcEndpoint::default()
            },
        };
        refused(&mut w.lab, &c, policy, "InvalidParameter");
        let add_1c = Operation::ModifyVpcEndpoint {
            vpc_endpoint_id: e.to_string(),
            change: ModifyVpcEndpoint {
                add_subnet_ids: vec![w.subnets[2].to_string()],
                ..ModifyVpcEndpoint::default()
            },
        };
        refused(&mut w.lab, &c, add_1c.clone(), "InvalidParameter");
        // Once the provider adds a load balancer in 1c, 1c is offered.
        w.lab
            .modify_vpc_endpoint_service_configuration(
                &w.p,
                id.as_str(),
                ModifyVpcEndpointServiceConfiguration {
                    add_network_load_balancer_arns: vec![w.nlb_c.to_string()],
                    ..Default::default()
                },
            )
            .unwrap();
        w.lab.apply(&c, &add_1c).unwrap();
        assert_eq!(w.lab.vpc_endpoint(e.as_str()).unwrap().subnet_ids.len(), 3);
        // And the consumer deletes its endpoint.
        assert!(
            w.lab
                .delete_vpc_endpoints(&w.c, &[e.to_string()])
                .is_empty()
        );
        assert_eq!(w.lab.compute_index(), *w.lab.index());
    }

    #[test]
    fn the_provider_accepts_and_rejects_connections() {
        let mut w = world();
        let id = service(&mut w, None, None);
        allow(&mut w, &id, &format!("arn:aws:iam::{CONSUMER}:root"));
        let e1 = connect(&mut w, &id);
        let e2 = {
            let req = endpoint_request(&w, &id, &[0]);
            w.lab.create_vpc_endpoint(&w.c, req).unwrap()
        };
        // Another service's endpoint, unknown and malformed ids come back unsuccessful.
        let other = w
            .lab
            .create_vpc_endpoint_service_configuration(
                &w.p,
                CreateVpcEndpointServiceConfiguration {
                    network_load_balancer_arns: vec![w.nlb_c.to_string()],
                    ..Default::default()
                },
            )
            .unwrap();
        let ids = vec![
            e1.to_string(),
            "vpce-0123456789abcdef0".to_owned(),
            "vpce-nope".to_owned(),
        ];
        let unsuccessful = w
            .lab
            .accept_vpc_endpoint_connections(&w.p, id.as_str(), &ids)
            .unwrap();
        let codes: Vec<(&str, &str)> = unsuccessful
            .iter()
            .map(|(i, e)| (i.as_str(), e.code()))
            .collect();
        assert_eq!(
            codes,
            [
                ("vpce-0123456789abcdef0", "InvalidVpcEndpoint.NotFound"),
                ("vpce-nope", "InvalidVpcEndpointId.Malformed"),
            ]
        );
        assert_eq!(state(&w.lab, &e1), VpcEndpointState::Available);
        assert_eq!(state(&w.lab, &e2), VpcEndpointState::PendingAcceptance);
        let wrong = w
            .lab
            .accept_vpc_endpoint_connections(&w.p, other.as_str(), &[e2.to_string()])
            .unwrap();
        assert_eq!(wrong[0].1.code(), "InvalidVpcEndpoint.NotFound");
        // Accepting twice is a wrong state.
        let again = w
            .lab
            .accept_vpc_endpoint_connections(&w.p, id.as_str(), &[e1.to_string()])
            .unwrap();
        assert_eq!(again[0].1.code(), "InvalidState");
        // Rejecting works from pendingAcceptance and from available; not twice.
        let none = w
            .lab
            .reject_vpc_endpoint_connections(&w.p, id.as_str(), &[e1.to_string(), e2.to_string()])
            .unwrap();
        assert!(none.is_empty());
        assert_eq!(state(&w.lab, &e1), VpcEndpointState::Rejected);
        assert_eq!(state(&w.lab, &e2), VpcEndpointState::Rejected);
        let twice = w
            .lab
            .reject_vpc_endpoint_connections(&w.p, id.as_str(), &[e1.to_string()])
            .unwrap();
        assert_eq!(twice[0].1.code(), "InvalidState");
        let accept_rejected = w
            .lab
            .accept_vpc_endpoint_connections(&w.p, id.as_str(), &[e1.to_string()])
            .unwrap();
        assert_eq!(accept_rejected[0].1.code(), "InvalidState");
        // Only the owner decides: the consumer does not see the service as its own.
        let c = w.c.clone();
        let op = Operation::AcceptVpcEndpointConnections {
            service_id: id.to_string(),
            vpc_endpoint_ids: vec![e1.to_string()],
        };
        refused(&mut w.lab, &c, op, "InvalidVpcEndpointServiceId.NotFound");
    }

    #[test]
    fn a_service_with_connected_endpoints_is_not_deleted() {
        let mut w = world();
        let id = service(&mut w, None, None);
        allow(&mut w, &id, "*");
        let e = connect(&mut w, &id);
        let ids = [
            id.to_string(),
            "vpce-svc-0123456789abcdef0".into(),
            "vpce-svc-bad".into(),
        ];
        let out = w
            .lab
            .apply(
                &w.p.clone(),
                &Operation::DeleteVpcEndpointServiceConfigurations {
                    service_ids: ids.to_vec(),
                },
            )
            .unwrap();
        let Outcome::Unsuccessful(items) = out else {
            panic!("{out:?}")
        };
        let codes: Vec<&str> = items.iter().map(|(_, e)| e.code()).collect();
        assert_eq!(
            codes,
            [
                "ExistingVpcEndpointConnections",
                "InvalidVpcEndpointService.NotFound",
                "InvalidVpcEndpointServiceIdId.Malformed",
            ]
        );
        assert!(w.lab.vpc_endpoint_service(id.as_str()).is_some());
        // Nor does it lose a load balancer while connected.
        let p = w.p.clone();
        let remove = Operation::ModifyVpcEndpointServiceConfiguration {
            service_id: id.to_string(),
            change: ModifyVpcEndpointServiceConfiguration {
                remove_network_load_balancer_arns: vec![w.nlb.to_string()],
                add_network_load_balancer_arns: vec![w.nlb_c.to_string()],
                ..Default::default()
            },
        };
        refused(&mut w.lab, &p, remove, "ExistingVpcEndpointConnections");
        // Rejected endpoints do not hold the service.
        w.lab
            .reject_vpc_endpoint_connections(&w.p, id.as_str(), &[e.to_string()])
            .unwrap();
        assert!(
            w.lab
                .delete_vpc_endpoint_service_configurations(&w.p, &[id.to_string()])
                .is_empty()
        );
        assert!(w.lab.vpc_endpoint_service(id.as_str()).is_none());
        // The consumer's rejected endpoint stays until it deletes it.
        assert_eq!(state(&w.lab, &e), VpcEndpointState::Rejected);
        assert!(
            w.lab
                .delete_vpc_endpoints(&w.c, &[e.to_string()])
                .is_empty()
        );
    }

    #[test]
    fn a_verified_private_dns_name_resolves_in_the_consumer_vpc_only() {
        let mut w = world();
        let id = service(&mut w, Some(false), Some("api.example.com"));
        allow(&mut w, &id, "*");
        w.lab
            .start_vpc_endpoint_service_private_dns_verification(&w.p, id.as_str())
            .unwrap();
        let svc = w.lab.vpc_endpoint_service(id.as_str()).unwrap();
        assert_eq!(svc.verified_private_dns_name(), Some("api.example.com"));
        // With a verified name, private DNS is on by default.
        let e = connect(&mut w, &id);
        let ep = w.lab.vpc_endpoint(e.as_str()).unwrap().clone();
        assert!(ep.private_dns_enabled);
        assert_eq!(ep.private_dns_names(), ["api.example.com"]);
        assert_eq!(
            ep.dns_entries.last().map(|d| d.dns_name.as_str()),
            Some("api.example.com")
        );
        let ips = w.lab.vpc_endpoint_addresses(&ep);
        let inside = w.lab.resolve(Some(&w.consumer_vpc), "API.example.com.");
        assert_eq!(
            inside,
            Some(crate::Resolution::InterfaceEndpoint {
                endpoint: e.clone(),
                address: ips[0]
            })
        );
        // Not in the provider's VPC, not on the public internet.
        let provider_vpc = w
            .lab
            .vpcs()
            .find(|v| v.owner_id.as_str() == PROVIDER)
            .unwrap()
            .id
            .clone();
        assert_eq!(w.lab.resolve(Some(&provider_vpc), "api.example.com"), None);
        assert_eq!(w.lab.resolve(None, "api.example.com"), None);
        // A second endpoint to the same name in the same VPC conflicts.
        let c = w.c.clone();
        let mut second = endpoint_request(&w, &id, &[0]);
        second.private_dns_enabled = Some(true);
        refused(
            &mut w.lab,
            &c,
            Operation::CreateVpcEndpoint(second),
            "InvalidParameter",
        );
        // A new name waits for verification: the endpoint stops answering the old one.
        w.lab
            .modify_vpc_endpoint_service_configuration(
                &w.p,
                id.as_str(),
                ModifyVpcEndpointServiceConfiguration {
                    private_dns_name: Some("svc.example.org".into()),
                    ..Default::default()
                },
            )
            .unwrap();
        assert_eq!(
            w.lab.resolve(Some(&w.consumer_vpc), "api.example.com"),
            None
        );
        assert_eq!(
            w.lab.resolve(Some(&w.consumer_vpc), "svc.example.org"),
            None
        );
        w.lab
            .start_vpc_endpoint_service_private_dns_verification(&w.p, id.as_str())
            .unwrap();
        assert_eq!(
            w.lab
                .resolve(Some(&w.consumer_vpc), "svc.example.org")
                .map(|r| r.address()),
            Some(ips[0])
        );
        // The consumer turns private DNS off: only its own names stay.
        w.lab
            .modify_vpc_endpoint(
                &w.c,
                e.as_str(),
                ModifyVpcEndpoint {
                    private_dns_enabled: Some(false),
                    ..ModifyVpcEndpoint::default()
                },
            )
            .unwrap();
        assert_eq!(
            w.lab.resolve(Some(&w.consumer_vpc), "svc.example.org"),
            None
        );
        assert_eq!(w.lab.vpc_endpoint(e.as_str()).unwrap().dns_entries.len(), 3);
        // Verification needs a name; only the owner asks for it.
        let p = w.p.clone();
        let verify_other = Operation::StartVpcEndpointServicePrivateDnsVerification {
            service_id: id.to_string(),
        };
        refused(
            &mut w.lab,
            &c,
            verify_other,
            "InvalidVpcEndpointServiceId.NotFound",
        );
        let nlb_c = w.nlb_c.clone();
        let plain = service_on(&mut w, &nlb_c);
        let verify_plain = Operation::StartVpcEndpointServicePrivateDnsVerification {
            service_id: plain.to_string(),
        };
        refused(&mut w.lab, &p, verify_plain, "InvalidParameter");
    }

    fn service_on(w: &mut World, nlb: &LoadBalancerArn) -> VpcEndpointServiceId {
        w.lab
            .create_vpc_endpoint_service_configuration(
                &w.p,
                CreateVpcEndpointServiceConfiguration {
                    network_load_balancer_arns: vec![nlb.to_string()],
                    ..Default::default()
                },
            )
            .unwrap()
    }

    #[test]
    fn modify_changes_acceptance_and_load_balancers() {
        let mut w = world();
        let id = service(&mut w, None, None);
        let p = w.p.clone();
        w.lab
            .modify_vpc_endpoint_service_configuration(
                &p,
                id.as_str(),
                ModifyVpcEndpointServiceConfiguration {
                    acceptance_required: Some(false),
                    add_network_load_balancer_arns: vec![w.nlb_c.to_string()],
                    remove_network_load_balancer_arns: vec![w.nlb.to_string()],
                    ..Default::default()
                },
            )
            .unwrap();
        let svc = w.lab.vpc_endpoint_service(id.as_str()).unwrap().clone();
        assert!(!svc.acceptance_required);
        assert_eq!(svc.network_load_balancer_arns, vec![w.nlb_c.clone()]);
        let zones: Vec<String> = w
            .lab
            .endpoint_service_zones(&svc)
            .into_iter()
            .map(|z| z.name)
            .collect();
        assert_eq!(zones, ["us-east-1c"]);
        let modify = |change| Operation::ModifyVpcEndpointServiceConfiguration {
            service_id: id.to_string(),
            change,
        };
        // The last load balancer stays; a load balancer not in the service is no removal.
        refused(
            &mut w.lab,
            &p,
            modify(ModifyVpcEndpointServiceConfiguration {
                remove_network_load_balancer_arns: vec![w.nlb_c.to_string()],
                ..Default::default()
            }),
            "InvalidParameter",
        );
        refused(
            &mut w.lab,
            &p,
            modify(ModifyVpcEndpointServiceConfiguration {
                remove_network_load_balancer_arns: vec![w.nlb.to_string()],
                ..Default::default()
            }),
            "InvalidParameter",
        );
        refused(
            &mut w.lab,
            &p,
            modify(ModifyVpcEndpointServiceConfiguration {
                private_dns_name: Some("a.example.com".into()),
                remove_private_dns_name: Some(true),
                ..Default::default()
            }),
            "InvalidParameterCombination",
        );
        refused(
            &mut w.lab,
            &p,
            modify(ModifyVpcEndpointServiceConfiguration {
                add_supported_regions: vec!["us-west-2".into()],
                ..Default::default()
            }),
            "InvalidParameter",
        );
        let c = w.c.clone();
        refused(
            &mut w.lab,
            &c,
            modify(ModifyVpcEndpointServiceConfiguration::default()),
            "InvalidVpcEndpointServiceId.NotFound",
        );
    }

    #[test]
    fn random_text_has_the_asked_length_and_alphabet() {
        let mut n = 0u64;
        let t = random_text(b"ab", 25, || {
            n += 1;
            n.wrapping_mul(0x9E37_79B9_7F4A_7C15)
        });
        assert_eq!(t.len(), 25);
        assert!(t.bytes().all(|b| b == b'a' || b == b'b'));
        assert_eq!(
            check_private_dns_name("*.Example.COM").unwrap(),
            "*.example.com"
        );
        assert!(check_private_dns_name("localhost").is_err());
        assert!(check_private_dns_name("s3.amazonaws.com").is_err());
        assert!(check_private_dns_name("-a.example.com").is_err());
    }
}
