//! Elastic Load Balancing (v2) network load balancers: CreateLoadBalancer and
//! DeleteLoadBalancer, their ARNs, DNS names and requester-managed network interfaces
//! (one per subnet, one subnet per zone), and ELBv2's tags (AddTags, RemoveTags) on load
//! balancers, target groups and listeners.
//!
//! The lab serves network load balancers only: they are what PrivateLink endpoint
//! services front. Application and gateway load balancers are refused with
//! `InvalidConfigurationRequest` (a vpclab limit, said so in the message).
//!
//! ELBv2 answers with its own error codes (`LoadBalancerNotFound`, `ValidationError`, …),
//! not EC2's; they travel as [`Error::Coded`].

use std::borrow::Borrow;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr};

use serde::{Deserialize, Serialize};

use crate::err::{Error, Result};
use crate::ids::*;
use crate::lab::{Caller, Lab, Owned, Table, Tags, Timestamp};
use crate::network_interface::{InterfaceType, NewInterface};
use crate::region::{AccountId, Region};
use crate::tags::owned;
use crate::{AddressAssociation, PublicIpAssociation, Subnet};

macro_rules! arn_type {
    ($(#[$doc:meta] $name:ident = $resource:literal, $what:literal;)*) => {$(
        #[$doc]
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The resource type at the start of the ARN's last part.
            pub const RESOURCE: &'static str = $resource;
            /// How AWS's messages name this kind.
            pub const WHAT: &'static str = $what;

            /// Accepts `arn:aws:elasticloadbalancing:<region>:<account>:<resource>/…`.
            pub fn parse(s: &str) -> Option<Self> {
                let parts = ArnParts::parse(s)?;
                let rest = parts.resource.strip_prefix($resource)?.strip_prefix('/')?;
                (!rest.is_empty()).then(|| Self(s.to_owned()))
            }

            /// Wraps an ARN without checking it, for ARNs read from trusted storage.
            pub fn new_unchecked(s: impl Into<String>) -> Self {
                Self(s.into())
            }

            /// The ARN as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    )*};
}

arn_type! {
    /// `arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/net/<name>/<16 hex>`.
    LoadBalancerArn = "loadbalancer", "load balancer";
    /// `arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<16 hex>`.
    TargetGroupArn = "targetgroup", "target group";
    /// `arn:aws:elasticloadbalancing:<region>:<account>:listener/net/<lb name>/<lb hex>/<16 hex>`.
    ListenerArn = "listener", "listener";
}

/// The parts of an ELBv2 ARN.
struct ArnParts<'a> {
    resource: &'a str,
}

impl<'a> ArnParts<'a> {
    fn parse(s: &'a str) -> Option<Self> {
        let mut it = s.splitn(6, ':');
        let (arn, partition, service, region, account, resource) = (
            it.next()?,
            it.next()?,
            it.next()?,
            it.next()?,
            it.next()?,
            it.next()?,
        );
        let ok = arn == "arn"
            && partition.starts_with("aws")
            && service == "elasticloadbalancing"
            && !region.is_empty()
            && account.len() == 12
            && account.bytes().all(|b| b.is_ascii_digit());
        ok.then_some(ArnParts { resource })
    }
}

/// An ELBv2 error with AWS's code (`LoadBalancerNotFound`, `ValidationError`, …).
pub(crate) fn elb_error(code: &'static str, message: impl Into<String>) -> Error {
    Error::Coded {
        code,
        message: message.into(),
    }
}

/// `ValidationError`: the query API's answer to input of the wrong shape or range.
pub(crate) fn validation(message: impl Into<String>) -> Error {
    elb_error("ValidationError", message)
}

/// `InvalidConfigurationRequest`.
pub(crate) fn invalid_configuration(message: impl Into<String>) -> Error {
    elb_error("InvalidConfigurationRequest", message)
}

/// The protocols of ELBv2 (`ProtocolEnum`) that network load balancers and their health
/// checks use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ElbProtocol {
    /// `TCP`.
    Tcp,
    /// `TLS`: TCP with TLS terminated by the load balancer.
    Tls,
    /// `UDP`.
    Udp,
    /// `TCP_UDP`: both on one port.
    TcpUdp,
    /// `HTTP` (health checks only, for a network load balancer).
    Http,
    /// `HTTPS` (health checks only, for a network load balancer).
    Https,
}

impl ElbProtocol {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ElbProtocol::Tcp => "TCP",
            ElbProtocol::Tls => "TLS",
            ElbProtocol::Udp => "UDP",
            ElbProtocol::TcpUdp => "TCP_UDP",
            ElbProtocol::Http => "HTTP",
            ElbProtocol::Https => "HTTPS",
        }
    }

    /// Reads a wire spelling (`GENEVE` and unknown names are `None`).
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "TCP" => ElbProtocol::Tcp,
            "TLS" => ElbProtocol::Tls,
            "UDP" => ElbProtocol::Udp,
            "TCP_UDP" => ElbProtocol::TcpUdp,
            "HTTP" => ElbProtocol::Http,
            "HTTPS" => ElbProtocol::Https,
            _ => return None,
        })
    }

    /// Whether a network load balancer's listeners and target groups may use it.
    pub fn is_network(self) -> bool {
        matches!(
            self,
            ElbProtocol::Tcp | ElbProtocol::Tls | ElbProtocol::Udp | ElbProtocol::TcpUdp
        )
    }

    /// Whether it carries TCP (the lab's data plane carries only TCP).
    pub fn carries_tcp(self) -> bool {
        !matches!(self, ElbProtocol::Udp)
    }
}

impl fmt::Display for ElbProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `internet-facing` or `internal`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scheme {
    /// Nodes with public addresses (an Elastic IP or an AWS-assigned one per zone).
    InternetFacing,
    /// Nodes with private addresses only.
    Internal,
}

impl Scheme {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::InternetFacing => "internet-facing",
            Scheme::Internal => "internal",
        }
    }
}

/// AWS's `LoadBalancerStateEnum`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LoadBalancerState {
    /// Being set up.
    Provisioning,
    /// Routing traffic.
    Active,
    /// Routing traffic without the resources to scale.
    ActiveImpaired,
    /// Could not be set up.
    Failed,
}

impl LoadBalancerState {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            LoadBalancerState::Provisioning => "provisioning",
            LoadBalancerState::Active => "active",
            LoadBalancerState::ActiveImpaired => "active_impaired",
            LoadBalancerState::Failed => "failed",
        }
    }
}

/// A network load balancer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadBalancer {
    /// Its ARN.
    pub arn: LoadBalancerArn,
    /// Its name, unique per account and region.
    pub name: String,
    /// The owning account.
    pub owner_id: AccountId,
    /// Its region.
    pub region: Region,
    /// Its tags.
    pub tags: Tags,
    /// Its VPC.
    pub vpc_id: VpcId,
    /// Internet-facing or internal.
    pub scheme: Scheme,
    /// Its state (`active` from creation: see [`Lab::create_load_balancer`]).
    pub state: LoadBalancerState,
    /// `ipv4`.
    pub ip_address_type: String,
    /// `<name>-<16 hex>.elb.<region>.amazonaws.com`.
    pub dns_name: String,
    /// The Route 53 zone of network load balancers' names in its region.
    pub canonical_hosted_zone_id: String,
    /// When it was created.
    pub created_time: Timestamp,
    /// One entry per subnet (one subnet per zone), in the order the request gave them.
    pub availability_zones: Vec<LoadBalancerZone>,
    /// Its network interfaces, in `availability_zones` order.
    pub network_interface_ids: Vec<NetworkInterfaceId>,
    /// Its security groups (none unless given at creation; then on its interfaces too).
    pub security_groups: Vec<SecurityGroupId>,
    /// Whether its groups' inbound rules judge traffic that comes through PrivateLink,
    /// with the client's private address as the source (SetSecurityGroups'
    /// `EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic`; on unless turned off).
    #[serde(default = "enforced")]
    pub enforce_inbound_rules_on_private_link: bool,
    /// Attributes set by ModifyLoadBalancerAttributes, by key (unset keys have AWS's
    /// defaults: see [`LoadBalancer::attributes`]).
    #[serde(default)]
    pub attributes_set: BTreeMap<String, String>,
}

/// A network load balancer's attributes and AWS's defaults, in the order
/// DescribeLoadBalancerAttributes lists them.
pub const LOAD_BALANCER_ATTRIBUTES: &[(&str, &str)] = &[
    ("access_logs.s3.enabled", "false"),
    ("access_logs.s3.bucket", ""),
    ("access_logs.s3.prefix", ""),
    ("deletion_protection.enabled", "false"),
    ("ipv6.deny_all_igw_traffic", "false"),
    ("load_balancing.cross_zone.enabled", "false"),
    ("dns_record.client_routing_policy", "any_availability_zone"),
    ("zonal_shift.config.enabled", "false"),
];

owned!(LoadBalancer);

fn enforced() -> bool {
    true
}

/// A load balancer's presence in one zone: its subnet, its node's interface and addresses.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadBalancerZone {
    /// `us-east-1a`.
    pub zone_name: String,
    /// `use1-az1`.
    pub zone_id: String,
    /// The subnet.
    pub subnet_id: SubnetId,
    /// The node's requester-managed interface.
    pub network_interface_id: NetworkInterfaceId,
    /// The node's private address.
    pub private_ipv4_address: Ipv4Addr,
    /// The node's public address (internet-facing).
    pub ip_address: Option<Ipv4Addr>,
    /// The Elastic IP the request's subnet mapping gave (internet-facing).
    pub allocation_id: Option<AllocationId>,
}

impl LoadBalancer {
    /// The last part of its ARN (`net/<name>/<16 hex>`), which its interfaces' descriptions
    /// and its listeners' ARNs carry.
    pub fn resource_id(&self) -> &str {
        self.arn
            .as_str()
            .split_once(":loadbalancer/")
            .map_or("", |(_, r)| r)
    }

    /// `network` (the only type the lab serves).
    pub fn load_balancer_type(&self) -> &'static str {
        "network"
    }

    /// Its subnets, one per zone.
    pub fn subnet_ids(&self) -> impl Iterator<Item = &SubnetId> {
        self.availability_zones.iter().map(|z| &z.subnet_id)
    }

    /// Every attribute with its value: set, or AWS's default.
    pub fn attributes(&self) -> Vec<(String, String)> {
        LOAD_BALANCER_ATTRIBUTES
            .iter()
            .map(|(k, d)| {
                let v = self.attributes_set.get(*k).map_or(*d, String::as_str);
                ((*k).to_owned(), v.to_owned())
            })
            .collect()
    }

    /// The value of attribute `key` (set or default).
    pub fn attribute(&self, key: &str) -> Option<&str> {
        self.attributes_set
            .get(key)
            .map(String::as_str)
            .or_else(|| {
                LOAD_BALANCER_ATTRIBUTES
                    .iter()
                    .find(|(k, _)| *k == key)
                    .map(|(_, d)| *d)
            })
    }

    /// `deletion_protection.enabled`.
    pub fn deletion_protection(&self) -> bool {
        self.attribute("deletion_protection.enabled") == Some("true")
    }

    /// `load_balancing.cross_zone.enabled`.
    pub fn cross_zone(&self) -> bool {
        self.attribute("load_balancing.cross_zone.enabled") == Some("true")
    }

    /// The zone names it is enabled in.
    pub fn zone_names(&self) -> impl Iterator<Item = &str> {
        self.availability_zones.iter().map(|z| z.zone_name.as_str())
    }
}

/// One `SubnetMappings.member.N` of CreateLoadBalancer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SubnetMapping {
    /// The subnet.
    pub subnet_id: String,
    /// An Elastic IP for the zone's node (internet-facing).
    pub allocation_id: Option<String>,
    /// The node's private address (internal).
    pub private_ipv4_address: Option<String>,
    /// An IPv6 address (refused: the lab's load balancers are `ipv4`).
    pub ipv6_address: Option<String>,
}

/// The parameters of CreateLoadBalancer.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CreateLoadBalancer {
    /// The name.
    pub name: String,
    /// `Subnets.member.N`.
    pub subnets: Vec<String>,
    /// `SubnetMappings.member.N`.
    pub subnet_mappings: Vec<SubnetMapping>,
    /// `SecurityGroups.member.N`.
    pub security_groups: Vec<String>,
    /// `internet-facing` (the default) or `internal`.
    pub scheme: Option<String>,
    /// `Type`: AWS's default is `application`, which the lab refuses.
    pub load_balancer_type: Option<String>,
    /// `ipv4` (the default).
    pub ip_address_type: Option<String>,
    /// Tags.
    pub tags: Tags,
}

/// The Route 53 hosted zone of network load balancers' DNS names in each region (AWS's
/// "Elastic Load Balancing endpoints" table, Network Load Balancers column).
pub fn nlb_hosted_zone_id(region: Region) -> &'static str {
    match region.name() {
        "us-east-1" => "Z26RNL4JYFTOTI",
        "us-east-2" => "ZLMOA37VPKANP",
        "us-west-1" => "Z24FKFUX50B4VW",
        "us-west-2" => "Z18D5FSROUN65G",
        "ca-central-1" => "Z2EPGBW3API2WT",
        "eu-west-1" => "Z2IFOLAFXWLO4F",
        "eu-west-2" => "ZD4D7Y8KGAS4G",
        "eu-west-3" => "Z1CMS0P5QUZ6D5",
        "eu-central-1" => "Z3F0SRJ5LGBH90",
        "eu-north-1" => "Z1UDT6IFJ4EJM",
        "ap-northeast-1" => "Z31USIVHYNEOWT",
        "ap-southeast-1" => "ZKVM4W9LS7TM",
        "ap-southeast-2" => "ZCT6FZBF4DROD",
        "ap-south-1" => "ZVDDRBQ08TROA",
        "sa-east-1" => "ZTK26PT1VY4CU",
        _ => "Z26RNL4JYFTOTI",
    }
}

/// Checks a load balancer or target group name as AWS does: 1–32 characters, ASCII
/// letters, digits and hyphens, no hyphen first or last. `kind` names it in messages.
pub(crate) fn check_elb_name(kind: &str, name: &str) -> Result<()> {
    if name.is_empty() {
        return Err(validation(format!("{kind} name cannot be empty")));
    }
    if name.len() > 32 {
        return Err(validation(format!(
            "{kind} name '{name}' cannot be longer than '32' characters"
        )));
    }
    if !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err(validation(format!(
            "{kind} name '{name}' can only contain characters that are alphanumeric characters or hyphens(-)"
        )));
    }
    if name.starts_with('-') || name.ends_with('-') {
        return Err(validation(format!(
            "{kind} name '{name}' cannot begin or end with '-' character"
        )));
    }
    Ok(())
}

/// AWS's quota: 50 tags per ELBv2 resource.
const MAX_ELB_TAGS: usize = 50;

/// Checks ELBv2 tags: keys 1–128 characters, values up to 256, no `aws:` prefix.
pub(crate) fn check_elb_tags(tags: &Tags) -> Result<()> {
    for (key, value) in tags {
        if key.is_empty() || key.chars().count() > 128 {
            return Err(validation(format!(
                "Tag key '{key}' must be between 1 and 128 characters long"
            )));
        }
        if value.chars().count() > 256 {
            return Err(validation(format!(
                "Tag value for key '{key}' cannot be longer than 256 characters"
            )));
        }
        if key.to_ascii_lowercase().starts_with("aws:") {
            return Err(validation(format!(
                "Tag key '{key}' cannot start with the reserved prefix 'aws:'"
            )));
        }
    }
    if tags.len() > MAX_ELB_TAGS {
        return Err(elb_error(
            "TooManyTags",
            format!(
                "The quota for the number of tags that can be assigned to a resource has been reached ({MAX_ELB_TAGS})"
            ),
        ));
    }
    Ok(())
}

/// Finds the caller's resource by ARN: a malformed ARN is a `ValidationError`, another
/// account's or region's is `not_found`, as if it did not exist.
pub(crate) fn elb_owned<'a, K, V>(
    map: &'a Table<K, V>,
    caller: &Caller,
    arn: &str,
    parse: fn(&str) -> Option<K>,
    what: &str,
    not_found: &'static str,
) -> Result<&'a V>
where
    K: std::hash::Hash + Eq + Borrow<str>,
    V: Owned,
{
    if parse(arn).is_none() {
        return Err(validation(format!("'{arn}' is not a valid {what} ARN")));
    }
    match map.get(arn) {
        Some(v) if v.owner() == &caller.account && v.region() == caller.region => Ok(v),
        _ => Err(elb_error(
            not_found,
            format!("One or more {what}s not found"),
        )),
    }
}

/// A subnet the request named, checked, with what its zone's node gets.
struct ZonePlan {
    subnet: Subnet,
    private_ip: Ipv4Addr,
    eip: Option<crate::Address>,
}

impl Lab {
    /// CreateLoadBalancer for a network load balancer: one requester-managed interface in
    /// each subnet (one subnet per zone, all in one VPC), a private address from the
    /// subnet or the mapping, and for an internet-facing one a public address per zone
    /// (the mapping's Elastic IP or one AWS assigns).
    ///
    /// The load balancer is `active` at once: AWS takes minutes in `provisioning`, but
    /// nothing in the lab needs the wait, and a template or test that polls for `active`
    /// (the `load_balancer_available` waiter) passes on the first poll.
    ///
    /// Idempotent as AWS documents it: the same name with the same settings answers the
    /// existing load balancer; with other settings, `DuplicateLoadBalancerName`.
    pub fn create_load_balancer(
        &mut self,
        caller: &Caller,
        req: CreateLoadBalancer,
    ) -> Result<LoadBalancerArn> {
        check_elb_name("Load balancer", &req.name)?;
        if req.name.starts_with("internal-") {
            return Err(validation(format!(
                "Load balancer name '{}' cannot begin with 'internal-'",
                req.name
            )));
        }
        match req.load_balancer_type.as_deref().unwrap_or("application") {
            "network" => {}
            t @ ("application" | "gateway") => {
                return Err(invalid_configuration(format!(
                    "vpclab serves network load balancers only; Type '{t}' is not supported (give Type=network)"
                )));
            }
            other => {
                return Err(validation(format!(
                    "Load balancer type '{other}' is not valid; valid values: application, network, gateway"
                )));
            }
        }
        let scheme = match req.scheme.as_deref().unwrap_or("internet-facing") {
            "internet-facing" => Scheme::InternetFacing,
            "internal" => Scheme::Internal,
            other => {
                return Err(validation(format!(
                    "Scheme '{other}' is not valid; valid values: internet-facing, internal"
                )));
            }
        };
        match req.ip_address_type.as_deref().unwrap_or("ipv4") {
            "ipv4" => {}
            "dualstack" | "dualstack-without-public-ipv4" => {
                return Err(invalid_configuration(
                    "vpclab's network load balancers are ipv4 only; IpAddressType 'dualstack' is not supported",
                ));
            }
            other => {
                return Err(validation(format!(
                    "IP address type '{other}' is not valid; valid values: ipv4, dualstack"
                )));
            }
        }
        check_elb_tags(&req.tags)?;
        let mappings = self.subnet_mappings(&req)?;
        let existing = self.load_balancers.values().find(|lb| {
            lb.owner_id == caller.account && lb.region == caller.region && lb.name == req.name
        });
        if let Some(lb) = existing {
            let same = lb.scheme == scheme
                && lb.subnet_ids().map(|s| s.as_str()).collect::<BTreeSet<_>>()
                    == mappings
                        .iter()
                        .map(|m| m.subnet_id.as_str())
                        .collect::<BTreeSet<_>>()
                && lb
                    .security_groups
                    .iter()
                    .map(|g| g.as_str())
                    .collect::<BTreeSet<_>>()
                    == req
                        .security_groups
                        .iter()
                        .map(|g| g.as_str())
                        .collect::<BTreeSet<_>>();
            if same {
                return Ok(lb.arn.clone());
            }
            return Err(elb_error(
                "DuplicateLoadBalancerName",
                format!(
                    "A load balancer with the same name '{}' exists, but with different settings",
                    req.name
                ),
            ));
        }
        let (vpc_id, plans) = self.plan_zones(caller, scheme, &mappings)?;
        let groups = self.load_balancer_groups(caller, &vpc_id, &req.security_groups)?;

        let auto_public = plans.iter().filter(|p| p.eip.is_none()).count();
        let public_ips = if scheme == Scheme::InternetFacing {
            self.free_public_ips(caller.region, auto_public)?
        } else {
            Vec::new()
        };

        let hex = format!("{:016x}", self.ids.next_u64());
        let resource = format!("net/{}/{hex}", req.name);
        let arn = LoadBalancerArn(format!(
            "arn:aws:elasticloadbalancing:{}:{}:loadbalancer/{resource}",
            caller.region.name(),
            caller.account
        ));
        let mut zones = Vec::new();
        let mut public_ips = public_ips.into_iter();
        for plan in plans {
            let eni = self.insert_interface(
                caller,
                NewInterface {
                    subnet_id: plan.subnet.id.clone(),
                    description: format!("ELB {resource}"),
                    interface_type: InterfaceType::NetworkLoadBalancer,
                    requester_managed: true,
                    groups: groups.clone(),
                    private_ips: vec![plan.private_ip],
                    ipv6_addresses: Vec::new(),
                    tags: Tags::new(),
                },
            );
            let mut public = None;
            if let Some(address) = &plan.eip {
                let association_id: AddressAssociationId = self.mint();
                self.set_public_association(
                    &eni,
                    plan.private_ip,
                    Some(PublicIpAssociation {
                        public_ip: address.public_ip,
                        allocation_id: Some(address.allocation_id.clone()),
                        association_id: Some(association_id.clone()),
                        ip_owner_id: caller.account.to_string(),
                    }),
                );
                if let Some(a) = self.addresses.get_mut(&address.allocation_id) {
                    a.association = Some(AddressAssociation {
                        association_id,
                        network_interface_id: eni.clone(),
                        private_ip: plan.private_ip,
                    });
                }
                public = Some(address.public_ip);
            } else if scheme == Scheme::InternetFacing
                && let Some(ip) = public_ips.next()
            {
                self.set_public_association(
                    &eni,
                    plan.private_ip,
                    Some(PublicIpAssociation {
                        public_ip: ip,
                        allocation_id: None,
                        association_id: None,
                        ip_owner_id: "amazon".into(),
                    }),
                );
                public = Some(ip);
            }
            self.index
                .load_balancer_by_interface
                .insert(eni.clone(), arn.clone());
            zones.push(LoadBalancerZone {
                zone_name: plan.subnet.availability_zone.clone(),
                zone_id: plan.subnet.availability_zone_id.clone(),
                subnet_id: plan.subnet.id.clone(),
                network_interface_id: eni,
                private_ipv4_address: plan.private_ip,
                ip_address: public,
                allocation_id: plan.eip.map(|a| a.allocation_id),
            });
        }
        self.load_balancers.insert(
            arn.clone(),
            LoadBalancer {
                arn: arn.clone(),
                name: req.name.clone(),
                owner_id: caller.account.clone(),
                region: caller.region,
                tags: req.tags,
                vpc_id,
                scheme,
                state: LoadBalancerState::Active,
                ip_address_type: "ipv4".into(),
                dns_name: format!(
                    "{}-{hex}.elb.{}.amazonaws.com",
                    req.name,
                    caller.region.name()
                ),
                canonical_hosted_zone_id: nlb_hosted_zone_id(caller.region).to_owned(),
                created_time: caller.now,
                network_interface_ids: zones
                    .iter()
                    .map(|z| z.network_interface_id.clone())
                    .collect(),
                availability_zones: zones,
                security_groups: groups,
                enforce_inbound_rules_on_private_link: true,
                attributes_set: BTreeMap::new(),
            },
        );
        Ok(arn)
    }

    /// The request's subnets as mappings (`Subnets` and `SubnetMappings` are alternatives).
    fn subnet_mappings(&self, req: &CreateLoadBalancer) -> Result<Vec<SubnetMapping>> {
        match (req.subnets.is_empty(), req.subnet_mappings.is_empty()) {
            (false, false) => Err(validation(
                "You can specify subnets or subnet mappings, but not both",
            )),
            (true, true) => Err(validation(
                "At least one subnet must be specified for a network load balancer",
            )),
            (false, true) => Ok(req
                .subnets
                .iter()
                .map(|s| SubnetMapping {
                    subnet_id: s.clone(),
                    ..SubnetMapping::default()
                })
                .collect()),
            (true, false) => Ok(req.subnet_mappings.clone()),
        }
    }

    /// Checks the subnets (the caller's, one per zone, one VPC, room for a node) and the
    /// mappings' addresses; answers the VPC and each zone's plan.
    fn plan_zones(
        &self,
        caller: &Caller,
        scheme: Scheme,
        mappings: &[SubnetMapping],
    ) -> Result<(VpcId, Vec<ZonePlan>)> {
        let mut plans: Vec<ZonePlan> = Vec::new();
        let mut eips: Vec<AllocationId> = Vec::new();
        for m in mappings {
            let subnet = self
                .subnets
                .get(m.subnet_id.as_str())
                .filter(|s| s.owner_id == caller.account && s.region == caller.region)
                .ok_or_else(|| {
                    elb_error(
                        "SubnetNotFound",
                        format!("The subnet ID '{}' is not valid", m.subnet_id),
                    )
                })?;
            if plans.iter().any(|p| p.subnet.id == subnet.id) {
                return Err(validation(format!(
                    "Subnet '{}' is specified more than once",
                    subnet.id
                )));
            }
            if let Some(first) = plans.first()
                && first.subnet.vpc_id != subnet.vpc_id
            {
                return Err(invalid_configuration(format!(
                    "Subnets '{}' and '{}' are in different VPCs; a load balancer's subnets must all be in one VPC",
                    first.subnet.id, subnet.id
                )));
            }
            if plans
                .iter()
                .any(|p| p.subnet.availability_zone == subnet.availability_zone)
            {
                return Err(invalid_configuration(
                    "A load balancer cannot be attached to multiple subnets in the same Availability Zone",
                ));
            }
            if m.ipv6_address.is_some() {
                return Err(invalid_configuration(
                    "An IPv6 address cannot be given for a load balancer whose IP address type is 'ipv4'",
                ));
            }
            // AWS: each subnet needs at least eight free addresses for the node to scale.
            if self.available_ip_address_count(subnet) < 8 {
                return Err(elb_error(
                    "InvalidSubnet",
                    format!(
                        "Not enough IP space available in {}. ELB requires at least 8 free IP addresses in each subnet.",
                        subnet.id
                    ),
                ));
            }
            let wanted: Vec<String> = match &m.private_ipv4_address {
                Some(ip) if scheme == Scheme::InternetFacing => {
                    return Err(invalid_configuration(format!(
                        "Private IPv4 address '{ip}' can only be specified for an internal load balancer"
                    )));
                }
                Some(ip) => vec![ip.clone()],
                None => Vec::new(),
            };
            let private_ip = self
                .pick_private_ips(subnet, &wanted, usize::from(wanted.is_empty()))
                .map_err(|e| invalid_configuration(e.to_string()))?
                .first()
                .copied()
                .ok_or_else(|| {
                    elb_error(
                        "InvalidSubnet",
                        format!("Not enough IP space available in {}", subnet.id),
                    )
                })?;
            let eip = match &m.allocation_id {
                None => None,
                Some(a) if scheme == Scheme::Internal => {
                    return Err(invalid_configuration(format!(
                        "Elastic IP '{a}' cannot be specified for an internal load balancer"
                    )));
                }
                Some(a) => {
                    let address = self
                        .addresses
                        .get(a.as_str())
                        .filter(|x| x.owner_id == caller.account && x.region == caller.region)
                        .ok_or_else(|| {
                            elb_error(
                                "AllocationIdNotFound",
                                format!("The allocation ID '{a}' was not found"),
                            )
                        })?;
                    if address.association.is_some() || eips.contains(&address.allocation_id) {
                        return Err(invalid_configuration(format!(
                            "The Elastic IP '{a}' is already associated"
                        )));
                    }
                    eips.push(address.allocation_id.clone());
                    Some(address.clone())
                }
            };
            plans.push(ZonePlan {
                subnet: subnet.clone(),
                private_ip,
                eip,
            });
        }
        let vpc_id = plans
            .first()
            .map(|p| p.subnet.vpc_id.clone())
            .ok_or_else(|| validation("At least one subnet must be specified"))?;
        // AWS: an internet-facing load balancer needs an internet gateway in its VPC.
        if scheme == Scheme::InternetFacing && self.internet_gateway_of(&vpc_id).is_none() {
            return Err(elb_error(
                "InvalidSubnet",
                format!("VPC {vpc_id} has no internet gateway"),
            ));
        }
        Ok((vpc_id, plans))
    }

    /// Checks the security groups of a new load balancer: the caller's, in its VPC, at
    /// most five. None given: none (a network load balancer needs none).
    fn load_balancer_groups(
        &self,
        caller: &Caller,
        vpc: &VpcId,
        ids: &[String],
    ) -> Result<Vec<SecurityGroupId>> {
        let mut out: Vec<SecurityGroupId> = Vec::new();
        for id in ids {
            let g = self
                .security_groups
                .get(id.as_str())
                .filter(|g| {
                    g.owner_id == caller.account && g.region == caller.region && &g.vpc_id == vpc
                })
                .ok_or_else(|| {
                    elb_error(
                        "InvalidSecurityGroup",
                        format!("Security group '{id}' does not exist in VPC '{vpc}'"),
                    )
                })?;
            if !out.contains(&g.id) {
                out.push(g.id.clone());
            }
        }
        if out.len() > 5 {
            return Err(validation(
                "A load balancer can have at most 5 security groups",
            ));
        }
        Ok(out)
    }

    /// `count` free addresses of the region's public pool, lowest first, without taking
    /// them (so that a refusal after this changes nothing).
    fn free_public_ips(&self, region: Region, count: usize) -> Result<Vec<Ipv4Addr>> {
        if count == 0 {
            return Ok(Vec::new());
        }
        let pool = region.public_ipv4_pool();
        let used = self.index.public_ips_in_use.get(&region);
        let free: Vec<Ipv4Addr> = pool
            .hosts()
            .skip(1)
            .filter(|ip| used.is_none_or(|u| !u.contains(ip)))
            .take(count)
            .collect();
        if free.len() < count {
            return Err(invalid_configuration(
                "The region's public address pool is exhausted",
            ));
        }
        Ok(free)
    }

    /// DeleteLoadBalancer: its listeners and its interfaces go (a mapping's Elastic IP is
    /// freed, an AWS-assigned address returns to the pool). AWS: "If the load balancer
    /// does not exist or has already been deleted, the call succeeds" — so does a
    /// well-formed ARN the caller does not own.
    pub fn delete_load_balancer(&mut self, caller: &Caller, arn: &str) -> Result<()> {
        let lb = match elb_owned(
            &self.load_balancers,
            caller,
            arn,
            LoadBalancerArn::parse,
            LoadBalancerArn::WHAT,
            "LoadBalancerNotFound",
        ) {
            Ok(lb) => lb.clone(),
            Err(e) if e.code() == "LoadBalancerNotFound" => return Ok(()),
            Err(e) => return Err(e),
        };
        // AWS: a load balancer an endpoint service fronts cannot go until the service
        // lets it go.
        if let Some(svc) = self.endpoint_service_of_load_balancer(lb.arn.as_str()) {
            return Err(elb_error(
                "ResourceInUse",
                format!(
                    "Load balancer '{arn}' cannot be deleted because it is currently associated with another service ({})",
                    svc.id
                ),
            ));
        }
        if lb.deletion_protection() {
            return Err(elb_error(
                "OperationNotPermitted",
                format!(
                    "Load balancer '{arn}' cannot be deleted because deletion protection is enabled"
                ),
            ));
        }
        self.listeners.retain(|_, l| l.load_balancer_arn != lb.arn);
        for eni in &lb.network_interface_ids {
            self.index.load_balancer_by_interface.remove(eni);
            self.remove_interface(eni);
        }
        self.load_balancers.shift_remove(&lb.arn);
        Ok(())
    }

    /// ModifyLoadBalancerAttributes: every pair is checked before any applies.
    pub fn modify_load_balancer_attributes(
        &mut self,
        caller: &Caller,
        arn: &str,
        pairs: &[(String, String)],
    ) -> Result<()> {
        let lb = self.owned_load_balancer(caller, arn)?;
        if pairs.is_empty() {
            return Err(validation("At least one attribute must be specified"));
        }
        let mut next = lb.attributes_set.clone();
        for (key, value) in pairs {
            if !LOAD_BALANCER_ATTRIBUTES.iter().any(|(k, _)| k == key) {
                return Err(validation(format!(
                    "Load balancer attribute key '{key}' is not recognized"
                )));
            }
            let ok = match key.as_str() {
                "access_logs.s3.bucket" | "access_logs.s3.prefix" => true,
                "dns_record.client_routing_policy" => matches!(
                    value.as_str(),
                    "availability_zone_affinity"
                        | "partial_availability_zone_affinity"
                        | "any_availability_zone"
                ),
                _ => matches!(value.as_str(), "true" | "false"),
            };
            if !ok {
                return Err(validation(format!(
                    "Load balancer attribute '{key}' has an invalid value '{value}'"
                )));
            }
            next.insert(key.clone(), value.clone());
        }
        let logs_on = next.get("access_logs.s3.enabled").map(String::as_str) == Some("true");
        let bucket = next.get("access_logs.s3.bucket").map_or("", String::as_str);
        if logs_on && bucket.is_empty() {
            return Err(invalid_configuration(
                "The value of 'access_logs.s3.bucket' cannot be empty when access logs are enabled",
            ));
        }
        let key = lb.arn.clone();
        if let Some(l) = self.load_balancers.get_mut(&key) {
            l.attributes_set = next;
        }
        Ok(())
    }

    /// ELBv2 SetSecurityGroups: replaces the load balancer's security groups (on its
    /// nodes' interfaces too) and, when given, whether their inbound rules judge
    /// PrivateLink traffic. AWS: a network load balancer created without security groups
    /// never gets any, and one created with them keeps at least one.
    pub fn set_load_balancer_security_groups(
        &mut self,
        caller: &Caller,
        arn: &str,
        ids: &[String],
        enforce_on_private_link: Option<bool>,
    ) -> Result<()> {
        let lb = self.owned_load_balancer(caller, arn)?;
        if lb.security_groups.is_empty() {
            return Err(invalid_configuration(format!(
                "Security groups cannot be set on load balancer '{arn}' because it was created without security groups"
            )));
        }
        if ids.is_empty() {
            return Err(invalid_configuration(format!(
                "At least one security group is required for load balancer '{arn}', which was created with security groups"
            )));
        }
        let groups = self.load_balancer_groups(caller, &lb.vpc_id, ids)?;
        let key = lb.arn.clone();
        let nodes = lb.network_interface_ids.clone();
        if let Some(l) = self.load_balancers.get_mut(&key) {
            l.security_groups = groups.clone();
            if let Some(on) = enforce_on_private_link {
                l.enforce_inbound_rules_on_private_link = on;
            }
        }
        for node in nodes {
            if let Some(e) = self.network_interfaces.get_mut(&node) {
                e.groups = groups.clone();
            }
        }
        Ok(())
    }

    /// The load balancer whose node owns network interface `eni`.
    pub fn load_balancer_of_interface(&self, eni: &str) -> Option<&LoadBalancer> {
        self.load_balancers
            .get(self.index.load_balancer_by_interface.get(eni)?)
    }

    /// The caller's load balancer with this ARN (`LoadBalancerNotFound` otherwise).
    pub fn owned_load_balancer(&self, caller: &Caller, arn: &str) -> Result<&LoadBalancer> {
        elb_owned(
            &self.load_balancers,
            caller,
            arn,
            LoadBalancerArn::parse,
            LoadBalancerArn::WHAT,
            "LoadBalancerNotFound",
        )
    }

    /// The tags of the caller's load balancer, target group or listener, by ARN.
    pub fn elb_tags_of(&self, caller: &Caller, arn: &str) -> Result<&Tags> {
        if LoadBalancerArn::parse(arn).is_some() {
            return self.owned_load_balancer(caller, arn).map(|r| &r.tags);
        }
        if TargetGroupArn::parse(arn).is_some() {
            return self.owned_target_group(caller, arn).map(|r| &r.tags);
        }
        if ListenerArn::parse(arn).is_some() {
            return self.owned_listener(caller, arn).map(|r| &r.tags);
        }
        Err(validation(format!("'{arn}' is not a valid resource ARN")))
    }

    fn elb_tags_mut(&mut self, arn: &str) -> Option<&mut Tags> {
        if let Some(r) = self.load_balancers.get_mut(arn) {
            return Some(&mut r.tags);
        }
        if let Some(r) = self.target_groups.get_mut(arn) {
            return Some(&mut r.tags);
        }
        self.listeners.get_mut(arn).map(|r| &mut r.tags)
    }

    /// AddTags: adds or overwrites tags on each resource; every ARN and the resulting tag
    /// sets are checked first, so either all resources are tagged or none.
    pub fn add_tags(&mut self, caller: &Caller, arns: &[String], tags: &Tags) -> Result<()> {
        check_elb_tags(tags)?;
        for arn in arns {
            let mut merged = self.elb_tags_of(caller, arn)?.clone();
            merged.extend(tags.iter().map(|(k, v)| (k.clone(), v.clone())));
            check_elb_tags(&merged)?;
        }
        for arn in arns {
            if let Some(t) = self.elb_tags_mut(arn) {
                t.extend(tags.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
        }
        Ok(())
    }

    /// RemoveTags: removes the keys from each resource (absent keys are no error).
    pub fn remove_tags(&mut self, caller: &Caller, arns: &[String], keys: &[String]) -> Result<()> {
        for arn in arns {
            self.elb_tags_of(caller, arn)?;
        }
        for arn in arns {
            if let Some(t) = self.elb_tags_mut(arn) {
                for k in keys {
                    t.remove(k);
                }
            }
        }
        Ok(())
    }
}

/// Whether `ip` is in a range AWS lets ip targets outside the target group's VPC use
/// (RFC 1918 and RFC 6598's 100.64.0.0/10).
pub(crate) fn is_private_target_range(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            o[0] == 10
                || (o[0] == 172 && (16..32).contains(&o[1]))
                || (o[0] == 192 && o[1] == 168)
                || (o[0] == 100 && (64..128).contains(&o[1]))
        }
        IpAddr::V6(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_parse_by_kind() {
        let lb = "arn:aws:elasticloadbalancing:us-east-1:111111111111:loadbalancer/net/web/0123456789abcdef";
        assert!(LoadBalancerArn::parse(lb).is_some());
        assert!(TargetGroupArn::parse(lb).is_none());
        let tg =
            "arn:aws:elasticloadbalancing:us-east-1:111111111111:targetgroup/tg/0123456789abcdef";
        assert!(TargetGroupArn::parse(tg).is_some());
        assert!(LoadBalancerArn::parse("loadbalancer/net/web/0123").is_none());
        assert!(
            LoadBalancerArn::parse(
                "arn:aws:elasticloadbalancing:us-east-1:1111:loadbalancer/net/web/0123"
            )
            .is_none()
        );
        assert!(
            ListenerArn::parse(
                "arn:aws:elasticloadbalancing:us-east-1:111111111111:listener/net/web/0123/4567"
            )
            .is_some()
        );
    }

    #[test]
    fn names_follow_aws_rules() {
        assert!(check_elb_name("Load balancer", "web-1").is_ok());
        assert!(check_elb_name("Load balancer", &"a".repeat(32)).is_ok());
        for bad in ["", "-web", "web-", "web_1", "wéb", &"a".repeat(33)] {
            let e = check_elb_name("Load balancer", bad).unwrap_err();
            assert_eq!(e.code(), "ValidationError", "{bad}");
        }
    }

    #[test]
    fn hosted_zones_per_region() {
        assert_eq!(
            nlb_hosted_zone_id(Region::default_region()),
            "Z26RNL4JYFTOTI"
        );
        assert_eq!(
            nlb_hosted_zone_id(Region::find("eu-west-1").unwrap()),
            "Z2IFOLAFXWLO4F"
        );
    }

    #[test]
    fn private_target_ranges() {
        for ok in [
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "100.64.0.1",
        ] {
            assert!(is_private_target_range(ok.parse().unwrap()), "{ok}");
        }
        for bad in ["172.32.0.1", "8.8.8.8", "100.128.0.1"] {
            assert!(!is_private_target_range(bad.parse().unwrap()), "{bad}");
        }
    }
}
