//! Network ACLs: numbered allow/deny entries for each direction at the subnet edge,
//! lowest number first, with the closing `*` deny; every subnet has exactly one.

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use serde::{Deserialize, Serialize};

use crate::cidr::parse_cidr;
use crate::err::{Error, Kind, Result};
use crate::ids::*;
use crate::lab::{Caller, Lab, Tags};
use crate::protocol::{IpProtocol, PortRange, validate_ports};
use crate::region::{AccountId, Region};
use crate::tags::{owned, validate_tags};

/// The rule number of the closing IPv4 `*` entry.
pub const DEFAULT_RULE_V4: u16 = 32767;
/// The rule number of the closing IPv6 `*` entry.
pub const DEFAULT_RULE_V6: u16 = 32768;

/// A network ACL.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkAcl {
    /// `acl-…`.
    pub id: NetworkAclId,
    /// The owning account.
    pub owner_id: AccountId,
    /// Its region.
    pub region: Region,
    /// Its tags.
    pub tags: Tags,
    /// Its VPC.
    pub vpc_id: VpcId,
    /// Whether it is the VPC's default ACL.
    pub is_default: bool,
    /// Its entries, both directions, sorted by (direction, rule number).
    pub entries: Vec<NetworkAclEntry>,
    /// The subnets that use it.
    pub associations: Vec<NetworkAclAssociation>,
}

owned!(NetworkAcl);

/// One numbered entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkAclEntry {
    /// 1–32766; 32767 and 32768 are the closing `*` entries.
    pub rule_number: u16,
    /// Outbound (egress) or inbound.
    pub egress: bool,
    /// The protocol.
    pub protocol: IpProtocol,
    /// Allow or deny.
    pub rule_action: RuleAction,
    /// The block the other side must be in.
    pub cidr: IpNet,
    /// Ports (TCP/UDP) or ICMP type and code.
    pub port_range: Option<PortRange>,
}

impl NetworkAclEntry {
    /// Whether this is a closing `*` entry.
    pub fn is_default_rule(&self) -> bool {
        self.rule_number >= DEFAULT_RULE_V4
    }
}

/// Allow or deny.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RuleAction {
    /// Let the packet through.
    Allow,
    /// Drop it.
    Deny,
}

impl RuleAction {
    /// Reads `allow` or `deny`.
    pub fn parse(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "allow" => Ok(RuleAction::Allow),
            "deny" => Ok(RuleAction::Deny),
            _ => Err(Error::invalid_value("ruleAction", s, "")),
        }
    }

    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleAction::Allow => "allow",
            RuleAction::Deny => "deny",
        }
    }
}

/// A subnet's association with an ACL.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkAclAssociation {
    /// `aclassoc-…`.
    pub id: NetworkAclAssociationId,
    /// The subnet.
    pub subnet_id: SubnetId,
}

/// The parameters of Create/ReplaceNetworkAclEntry, as on the wire.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct NetworkAclEntrySpec {
    /// 1–32766.
    pub rule_number: i32,
    /// Outbound?
    pub egress: bool,
    /// `-1`, a number, or a name.
    pub protocol: String,
    /// `allow` or `deny`.
    pub rule_action: String,
    /// An IPv4 block.
    pub cidr_block: Option<String>,
    /// An IPv6 block.
    pub ipv6_cidr_block: Option<String>,
    /// First port.
    pub port_from: Option<i32>,
    /// Last port.
    pub port_to: Option<i32>,
    /// ICMP type.
    pub icmp_type: Option<i32>,
    /// ICMP code.
    pub icmp_code: Option<i32>,
}

impl NetworkAclEntrySpec {
    /// An entry for `protocol` and `cidr` on `ports` (for TCP/UDP).
    pub fn new(
        rule_number: i32,
        egress: bool,
        action: &str,
        protocol: &str,
        cidr: &str,
        ports: Option<(i32, i32)>,
    ) -> Self {
        let mut spec = NetworkAclEntrySpec {
            rule_number,
            egress,
            protocol: protocol.into(),
            rule_action: action.into(),
            ..Default::default()
        };
        if cidr.contains(':') {
            spec.ipv6_cidr_block = Some(cidr.into());
        } else {
            spec.cidr_block = Some(cidr.into());
        }
        if let Some((from, to)) = ports {
            spec.port_from = Some(from);
            spec.port_to = Some(to);
        }
        spec
    }
}

fn entry(rule_number: u16, egress: bool, action: RuleAction, cidr: IpNet) -> NetworkAclEntry {
    NetworkAclEntry {
        rule_number,
        egress,
        protocol: IpProtocol::All,
        rule_action: action,
        cidr,
        port_range: None,
    }
}

fn sort_entries(entries: &mut [NetworkAclEntry]) {
    entries.sort_by_key(|e| (e.egress, e.rule_number));
}

impl Lab {
    /// The default ACL of a new VPC: allow everything both ways (rule 100), then `*` deny.
    pub(crate) fn insert_default_network_acl(
        &mut self,
        caller: &Caller,
        vpc_id: &VpcId,
        id: NetworkAclId,
    ) {
        let mut entries = Vec::new();
        for egress in [false, true] {
            entries.push(entry(
                100,
                egress,
                RuleAction::Allow,
                IpNet::V4(Ipv4Net::default()),
            ));
            entries.push(entry(
                DEFAULT_RULE_V4,
                egress,
                RuleAction::Deny,
                IpNet::V4(Ipv4Net::default()),
            ));
        }
        sort_entries(&mut entries);
        self.network_acls.insert(
            id.clone(),
            NetworkAcl {
                id,
                owner_id: caller.account.clone(),
                region: caller.region,
                tags: Tags::new(),
                vpc_id: vpc_id.clone(),
                is_default: true,
                entries,
                associations: Vec::new(),
            },
        );
        if self.vpcs.get(vpc_id).is_some_and(|v| v.has_ipv6()) {
            self.add_ipv6_default_entries(vpc_id);
        }
    }

    /// When a VPC gains IPv6, AWS adds IPv6 allow-all entries (rule 101) to its default
    /// ACL and IPv6 `*` deny entries to every ACL of the VPC.
    pub(crate) fn add_ipv6_default_entries(&mut self, vpc_id: &VpcId) {
        for acl in self
            .network_acls
            .values_mut()
            .filter(|a| &a.vpc_id == vpc_id)
        {
            for egress in [false, true] {
                let has = |entries: &[NetworkAclEntry], n: u16| {
                    entries
                        .iter()
                        .any(|e| e.egress == egress && e.rule_number == n)
                };
                if acl.is_default && !has(&acl.entries, 101) {
                    acl.entries.push(entry(
                        101,
                        egress,
                        RuleAction::Allow,
                        IpNet::V6(Ipv6Net::default()),
                    ));
                }
                if !has(&acl.entries, DEFAULT_RULE_V6) {
                    acl.entries.push(entry(
                        DEFAULT_RULE_V6,
                        egress,
                        RuleAction::Deny,
                        IpNet::V6(Ipv6Net::default()),
                    ));
                }
            }
            sort_entries(&mut acl.entries);
        }
    }

    /// CreateNetworkAcl: a custom ACL denies everything until entries are added.
    pub fn create_network_acl(
        &mut self,
        caller: &Caller,
        vpc_id: &str,
        tags: Tags,
    ) -> Result<NetworkAclId> {
        let vpc = Lab::owned(&self.vpcs, caller, Kind::Vpc, vpc_id, VpcId::parse)?.clone();
        validate_tags(&tags)?;
        let id: NetworkAclId = self.mint();
        let mut entries = Vec::new();
        for egress in [false, true] {
            entries.push(entry(
                DEFAULT_RULE_V4,
                egress,
                RuleAction::Deny,
                IpNet::V4(Ipv4Net::default()),
            ));
            if vpc.has_ipv6() {
                entries.push(entry(
                    DEFAULT_RULE_V6,
                    egress,
                    RuleAction::Deny,
                    IpNet::V6(Ipv6Net::default()),
                ));
            }
        }
        sort_entries(&mut entries);
        self.network_acls.insert(
            id.clone(),
            NetworkAcl {
                id: id.clone(),
                owner_id: caller.account.clone(),
                region: caller.region,
                tags,
                vpc_id: vpc.id,
                is_default: false,
                entries,
                associations: Vec::new(),
            },
        );
        Ok(id)
    }

    /// DeleteNetworkAcl: not the default ACL, not while subnets use it.
    pub fn delete_network_acl(&mut self, caller: &Caller, acl_id: &str) -> Result<()> {
        let acl = Lab::owned(
            &self.network_acls,
            caller,
            Kind::NetworkAcl,
            acl_id,
            NetworkAclId::parse,
        )?;
        if acl.is_default {
            return Err(Error::InvalidParameterValue(format!(
                "cannot delete default network ACL {acl_id}"
            )));
        }
        if !acl.associations.is_empty() {
            return Err(Error::DependencyViolation(format!(
                "The networkAcl '{acl_id}' has dependencies and cannot be deleted."
            )));
        }
        let id = acl.id.clone();
        self.network_acls.shift_remove(&id);
        Ok(())
    }

    /// Reads and checks an entry spec.
    fn acl_entry(spec: &NetworkAclEntrySpec) -> Result<NetworkAclEntry> {
        if !(1..=32766).contains(&spec.rule_number) {
            return Err(Error::InvalidParameterValue(format!(
                "Value ({}) for parameter ruleNumber is invalid. Rule number must be between 1 and 32766.",
                spec.rule_number
            )));
        }
        let protocol = IpProtocol::parse(&spec.protocol)?;
        let cidr = match (&spec.cidr_block, &spec.ipv6_cidr_block) {
            (Some(c), None) => parse_cidr("cidrBlock", c).and_then(|n| match n {
                IpNet::V4(_) => Ok(n),
                IpNet::V6(_) => Err(Error::invalid_value(
                    "cidrBlock",
                    c,
                    "This is not an IPv4 CIDR block.",
                )),
            })?,
            (None, Some(c)) => parse_cidr("ipv6CidrBlock", c).and_then(|n| match n {
                IpNet::V6(_) => Ok(n),
                IpNet::V4(_) => Err(Error::invalid_value(
                    "ipv6CidrBlock",
                    c,
                    "This is not an IPv6 CIDR block.",
                )),
            })?,
            (None, None) => {
                return Err(Error::MissingParameter("cidrBlock or ipv6CidrBlock".into()));
            }
            (Some(_), Some(_)) => {
                return Err(Error::InvalidParameterCombination(
                    "Only one of cidrBlock and ipv6CidrBlock may be given.".into(),
                ));
            }
        };
        let port_range = if protocol.is_icmp() {
            if spec.icmp_type.is_none() || spec.icmp_code.is_none() {
                return Err(Error::InvalidParameterValue(
                    "ICMP type and code must be specified for ICMP entries (use -1 for any)."
                        .into(),
                ));
            }
            validate_ports(protocol, spec.icmp_type, spec.icmp_code)?
        } else if protocol.has_ports() {
            if spec.port_from.is_none() || spec.port_to.is_none() {
                return Err(Error::InvalidParameterValue(
                    "TCP and UDP entries need a port range (PortRange.From and PortRange.To)."
                        .into(),
                ));
            }
            validate_ports(protocol, spec.port_from, spec.port_to)?
        } else {
            None
        };
        Ok(NetworkAclEntry {
            rule_number: u16::try_from(spec.rule_number).unwrap_or(0),
            egress: spec.egress,
            protocol,
            rule_action: RuleAction::parse(&spec.rule_action)?,
            cidr,
            port_range,
        })
    }

    /// CreateNetworkAclEntry.
    pub fn create_network_acl_entry(
        &mut self,
        caller: &Caller,
        acl_id: &str,
        spec: &NetworkAclEntrySpec,
    ) -> Result<()> {
        let acl = Lab::owned(
            &self.network_acls,
            caller,
            Kind::NetworkAcl,
            acl_id,
            NetworkAclId::parse,
        )?;
        let new = Lab::acl_entry(spec)?;
        if acl
            .entries
            .iter()
            .any(|e| e.egress == new.egress && e.rule_number == new.rule_number)
        {
            return Err(Error::NetworkAclEntryAlreadyExists(new.rule_number));
        }
        // AWS quota "Rules per network ACL": 20 one way, "enforced separately for IPv4
        // rules and IPv6 rules", and including the default deny rule.
        let same_family =
            |e: &&NetworkAclEntry| e.cidr.addr().is_ipv4() == new.cidr.addr().is_ipv4();
        let one_way = acl
            .entries
            .iter()
            .filter(|e| e.egress == new.egress)
            .filter(same_family)
            .filter(|e| !e.is_default_rule())
            .count();
        // The closing `*` rule counts whether or not the ACL holds it yet (a VPC without
        // IPv6 has no IPv6 `*` entry).
        if one_way + 1 >= 20 {
            return Err(Error::LimitExceeded {
                code: "NetworkAclEntryLimitExceeded",
                message: format!(
                    "The maximum number of entries in network ACL '{acl_id}' has been reached."
                ),
            });
        }
        let id = acl.id.clone();
        if let Some(acl) = self.network_acls.get_mut(&id) {
            acl.entries.push(new);
            sort_entries(&mut acl.entries);
        }
        Ok(())
    }

    /// ReplaceNetworkAclEntry: the entry with this number and direction must exist.
    pub fn replace_network_acl_entry(
        &mut self,
        caller: &Caller,
        acl_id: &str,
        spec: &NetworkAclEntrySpec,
    ) -> Result<()> {
        let acl = Lab::owned(
            &self.network_acls,
            caller,
            Kind::NetworkAcl,
            acl_id,
            NetworkAclId::parse,
        )?;
        let new = Lab::acl_entry(spec)?;
        let Some(pos) = acl
            .entries
            .iter()
            .position(|e| e.egress == new.egress && e.rule_number == new.rule_number)
        else {
            return Err(Error::NetworkAclEntryNotFound(new.rule_number));
        };
        let id = acl.id.clone();
        if let Some(acl) = self.network_acls.get_mut(&id) {
            acl.entries[pos] = new;
        }
        Ok(())
    }

    /// DeleteNetworkAclEntry: not the closing `*` entries.
    pub fn delete_network_acl_entry(
        &mut self,
        caller: &Caller,
        acl_id: &str,
        rule_number: i32,
        egress: bool,
    ) -> Result<()> {
        let acl = Lab::owned(
            &self.network_acls,
            caller,
            Kind::NetworkAcl,
            acl_id,
            NetworkAclId::parse,
        )?;
        if !(1..=32766).contains(&rule_number) {
            return Err(Error::InvalidParameterValue(format!(
                "Value ({rule_number}) for parameter ruleNumber is invalid. The default rule cannot be deleted."
            )));
        }
        let n = u16::try_from(rule_number).unwrap_or(0);
        let Some(pos) = acl
            .entries
            .iter()
            .position(|e| e.egress == egress && e.rule_number == n)
        else {
            return Err(Error::NetworkAclEntryNotFound(n));
        };
        let id = acl.id.clone();
        if let Some(acl) = self.network_acls.get_mut(&id) {
            acl.entries.remove(pos);
        }
        Ok(())
    }

    /// ReplaceNetworkAclAssociation: the subnet of that association now uses `acl_id`.
    pub fn replace_network_acl_association(
        &mut self,
        caller: &Caller,
        association_id: &str,
        acl_id: &str,
    ) -> Result<NetworkAclAssociationId> {
        if NetworkAclAssociationId::parse(association_id).is_none() {
            return Err(Error::Malformed {
                kind: Kind::Association,
                id: association_id.into(),
            });
        }
        let acl = Lab::owned(
            &self.network_acls,
            caller,
            Kind::NetworkAcl,
            acl_id,
            NetworkAclId::parse,
        )?;
        let (old_acl, subnet) = self
            .network_acls
            .values()
            .filter(|a| a.owner_id == caller.account && a.region == caller.region)
            .find_map(|a| {
                a.associations
                    .iter()
                    .find(|x| x.id.as_str() == association_id)
                    .map(|x| (a.id.clone(), x.subnet_id.clone()))
            })
            .ok_or_else(|| Error::not_found(Kind::Association, association_id))?;
        if self.subnets.get(&subnet).map(|s| &s.vpc_id) != Some(&acl.vpc_id) {
            return Err(Error::InvalidParameterValue(format!(
                "Network ACL {acl_id} and subnet {subnet} belong to different networks"
            )));
        }
        let new_acl = acl.id.clone();
        if let Some(a) = self.network_acls.get_mut(&old_acl) {
            a.associations.retain(|x| x.id.as_str() != association_id);
        }
        Ok(self.associate_network_acl_internal(&new_acl, &subnet))
    }

    /// Associates a subnet with an ACL (the caller has removed any old association).
    pub(crate) fn associate_network_acl_internal(
        &mut self,
        acl_id: &NetworkAclId,
        subnet: &SubnetId,
    ) -> NetworkAclAssociationId {
        let id: NetworkAclAssociationId = self.mint();
        if let Some(acl) = self.network_acls.get_mut(acl_id) {
            acl.associations.push(NetworkAclAssociation {
                id: id.clone(),
                subnet_id: subnet.clone(),
            });
        }
        self.index
            .subnet_network_acl
            .insert(subnet.clone(), acl_id.clone());
        id
    }
}
