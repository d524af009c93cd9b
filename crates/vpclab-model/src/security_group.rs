//! Security groups: stateful allow-lists of ingress and egress rules, each naming a
//! protocol, ports, and one peer (an IPv4 or IPv6 block, a prefix list, or a group).

use std::collections::BTreeMap;
use std::fmt;

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use serde::{Deserialize, Serialize};

use crate::cidr::{parse_ipv4_cidr, parse_ipv6_cidr};
use crate::err::{Error, Kind, Result};
use crate::ids::*;
use crate::lab::{Caller, Lab, Tags};
use crate::protocol::{IpProtocol, PortRange, validate_ports};
use crate::region::{AccountId, Region};
use crate::tags::{owned, validate_tags};

/// A security group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityGroup {
    /// `sg-…`.
    pub id: SecurityGroupId,
    /// The owning account.
    pub owner_id: AccountId,
    /// Its region.
    pub region: Region,
    /// Its tags.
    pub tags: Tags,
    /// Its VPC.
    pub vpc_id: VpcId,
    /// Its name, unique in the VPC.
    pub group_name: String,
    /// Its description.
    pub description: String,
    /// Its rules, ingress and egress.
    pub rules: Vec<SecurityGroupRule>,
    /// The tags of its rules, by rule (AWS tags a rule as a `security-group-rule`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub rule_tags: BTreeMap<SecurityGroupRuleId, Tags>,
}

owned!(SecurityGroup);

impl SecurityGroup {
    /// Whether this is its VPC's default group.
    pub fn is_default(&self) -> bool {
        self.group_name == "default"
    }

    /// Its ingress rules.
    pub fn ingress(&self) -> impl Iterator<Item = &SecurityGroupRule> {
        self.rules.iter().filter(|r| !r.is_egress)
    }

    /// Its egress rules.
    pub fn egress(&self) -> impl Iterator<Item = &SecurityGroupRule> {
        self.rules.iter().filter(|r| r.is_egress)
    }
}

/// One rule: one protocol and port range, one peer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityGroupRule {
    /// `sgr-…`.
    pub id: SecurityGroupRuleId,
    /// Egress (outbound) or ingress (inbound).
    pub is_egress: bool,
    /// The protocol.
    pub protocol: IpProtocol,
    /// Ports for TCP/UDP, type and code for ICMP, `None` for other protocols.
    pub ports: Option<PortRange>,
    /// The other side.
    pub peer: RulePeer,
    /// A description.
    pub description: Option<String>,
}

impl SecurityGroupRule {
    /// Whether two rules admit the same traffic (descriptions aside), which AWS treats as
    /// a duplicate.
    pub fn same_permission(&self, other: &SecurityGroupRule) -> bool {
        self.is_egress == other.is_egress
            && self.protocol == other.protocol
            && self.ports == other.ports
            && self.peer.same_peer(&other.peer)
    }
}

impl fmt::Display for SecurityGroupRule {
    /// AWS's rendering in `InvalidPermission.Duplicate`: `peer: 0.0.0.0/0, TCP, from port: 22, to port: 22, ALLOW`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let proto = match self.protocol {
            IpProtocol::All => "ALL".to_string(),
            p => p.sg_name().to_ascii_uppercase(),
        };
        write!(f, "peer: {}, {proto}", self.peer)?;
        if let Some(p) = self.ports {
            write!(f, ", from port: {}, to port: {}", p.from, p.to)?;
        }
        f.write_str(", ALLOW")
    }
}

/// The other side of a rule.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RulePeer {
    /// An IPv4 or IPv6 block.
    Cidr(IpNet),
    /// A managed prefix list.
    PrefixList(PrefixListId),
    /// Members of a security group (of this VPC or a peered one).
    Group(GroupReference),
}

impl RulePeer {
    /// Whether two peers name the same thing. A group is named by its id and owner; the
    /// peering connection a reference went through is not part of its identity, so a
    /// rule whose peering was deleted (a stale reference) can still be revoked or found
    /// duplicate.
    pub fn same_peer(&self, other: &RulePeer) -> bool {
        match (self, other) {
            (RulePeer::Group(a), RulePeer::Group(b)) => {
                a.group_id == b.group_id && a.user_id == b.user_id
            }
            (a, b) => a == b,
        }
    }
}

impl fmt::Display for RulePeer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RulePeer::Cidr(c) => write!(f, "{c}"),
            RulePeer::PrefixList(p) => write!(f, "{p}"),
            RulePeer::Group(g) => write!(f, "{}", g.group_id),
        }
    }
}

/// A reference to a security group in a rule.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct GroupReference {
    /// The group.
    pub group_id: SecurityGroupId,
    /// Its owner.
    pub user_id: AccountId,
    /// The peering connection, when the group is in a peered VPC.
    pub vpc_peering_connection_id: Option<VpcPeeringConnectionId>,
}

/// One permission of Authorize/RevokeSecurityGroupIngress/Egress, as on the wire.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct IpPermission {
    /// `tcp`, `udp`, `icmp`, `icmpv6`, `-1`, or a number.
    pub ip_protocol: String,
    /// First port (or ICMP type).
    pub from_port: Option<i32>,
    /// Last port (or ICMP code).
    pub to_port: Option<i32>,
    /// IPv4 blocks with descriptions.
    pub ip_ranges: Vec<(String, Option<String>)>,
    /// IPv6 blocks with descriptions.
    pub ipv6_ranges: Vec<(String, Option<String>)>,
    /// Prefix lists with descriptions.
    pub prefix_list_ids: Vec<(String, Option<String>)>,
    /// Security groups.
    pub user_id_group_pairs: Vec<UserIdGroupPair>,
}

/// A security group named in a permission.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct UserIdGroupPair {
    /// The group id.
    pub group_id: Option<String>,
    /// The group name (same VPC only).
    pub group_name: Option<String>,
    /// The group's account.
    pub user_id: Option<String>,
    /// A description.
    pub description: Option<String>,
}

impl IpPermission {
    /// A TCP permission for `cidr` on `from..=to`.
    pub fn tcp(from: i32, to: i32, cidr: &str) -> IpPermission {
        IpPermission {
            ip_protocol: "tcp".into(),
            from_port: Some(from),
            to_port: Some(to),
            ip_ranges: vec![(cidr.into(), None)],
            ..IpPermission::default()
        }
    }

    /// A permission for every protocol from or to `cidr`.
    pub fn all(cidr: &str) -> IpPermission {
        let mut p = IpPermission {
            ip_protocol: "-1".into(),
            ..IpPermission::default()
        };
        if cidr.contains(':') {
            p.ipv6_ranges.push((cidr.into(), None));
        } else {
            p.ip_ranges.push((cidr.into(), None));
        }
        p
    }
}

/// What RevokeSecurityGroupIngress/Egress did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Revoked {
    /// The rules removed.
    pub revoked: Vec<SecurityGroupRule>,
    /// Permissions (as rules) that matched nothing (AWS's `UnknownIpPermissions`).
    pub unknown: Vec<SecurityGroupRule>,
}

impl Lab {
    /// CreateSecurityGroup: allows all egress (IPv4, and IPv6 when the VPC has it) and no
    /// ingress. `default` is reserved, names are unique per VPC, and may not look like ids.
    pub fn create_security_group(
        &mut self,
        caller: &Caller,
        vpc_id: Option<&str>,
        group_name: &str,
        description: &str,
        tags: Tags,
    ) -> Result<SecurityGroupId> {
        let vpc = match vpc_id {
            Some(v) => Lab::owned(&self.vpcs, caller, Kind::Vpc, v, VpcId::parse)?.clone(),
            None => self
                .default_vpc(&caller.account, caller.region)
                .cloned()
                .ok_or_else(|| Error::Coded {
                    code: "VPCIdNotSpecified",
                    message: "No default VPC for this user".into(),
                })?,
        };
        validate_tags(&tags)?;
        if group_name.is_empty() {
            return Err(Error::MissingParameter("GroupName".into()));
        }
        if description.is_empty() {
            return Err(Error::MissingParameter("GroupDescription".into()));
        }
        if group_name.eq_ignore_ascii_case("default") {
            return Err(Error::GroupReserved);
        }
        if group_name.starts_with("sg-") {
            return Err(Error::InvalidParameterValue(format!(
                "Value ({group_name}) for parameter GroupName is invalid. Group names may not be in the format sg-*."
            )));
        }
        if group_name.chars().count() > 255 || description.chars().count() > 255 {
            return Err(Error::InvalidParameterValue(
                "Group names and descriptions are limited to 255 characters.".into(),
            ));
        }
        if self
            .security_groups
            .values()
            .any(|g| g.vpc_id == vpc.id && g.group_name == group_name)
        {
            return Err(Error::GroupDuplicate {
                name: group_name.into(),
                vpc: vpc.id.to_string(),
            });
        }
        let id: SecurityGroupId = self.mint();
        let mut rules = vec![self.new_rule(
            true,
            IpProtocol::All,
            None,
            RulePeer::Cidr(IpNet::V4(Ipv4Net::default())),
            None,
        )];
        if vpc.has_ipv6() {
            rules.push(self.new_rule(
                true,
                IpProtocol::All,
                None,
                RulePeer::Cidr(IpNet::V6(Ipv6Net::default())),
                None,
            ));
        }
        self.security_groups.insert(
            id.clone(),
            SecurityGroup {
                id: id.clone(),
                owner_id: caller.account.clone(),
                region: caller.region,
                tags,
                vpc_id: vpc.id.clone(),
                group_name: group_name.into(),
                description: description.into(),
                rules,
                rule_tags: BTreeMap::new(),
            },
        );
        Ok(id)
    }

    /// The default group of a new VPC: all egress, and all ingress from its own members.
    pub(crate) fn insert_default_security_group(
        &mut self,
        caller: &Caller,
        vpc_id: &VpcId,
        id: SecurityGroupId,
    ) {
        let self_ref = RulePeer::Group(GroupReference {
            group_id: id.clone(),
            user_id: caller.account.clone(),
            vpc_peering_connection_id: None,
        });
        let mut rules = vec![
            self.new_rule(false, IpProtocol::All, None, self_ref, None),
            self.new_rule(
                true,
                IpProtocol::All,
                None,
                RulePeer::Cidr(IpNet::V4(Ipv4Net::default())),
                None,
            ),
        ];
        if self.vpcs.get(vpc_id).is_some_and(|v| v.has_ipv6()) {
            rules.push(self.new_rule(
                true,
                IpProtocol::All,
                None,
                RulePeer::Cidr(IpNet::V6(Ipv6Net::default())),
                None,
            ));
        }
        self.security_groups.insert(
            id.clone(),
            SecurityGroup {
                id,
                owner_id: caller.account.clone(),
                region: caller.region,
                tags: Tags::new(),
                vpc_id: vpc_id.clone(),
                group_name: "default".into(),
                description: "default VPC security group".into(),
                rules,
                rule_tags: BTreeMap::new(),
            },
        );
    }

    fn new_rule(
        &mut self,
        is_egress: bool,
        protocol: IpProtocol,
        ports: Option<PortRange>,
        peer: RulePeer,
        description: Option<String>,
    ) -> SecurityGroupRule {
        SecurityGroupRule {
            id: self.mint(),
            is_egress,
            protocol,
            ports,
            peer,
            description,
        }
    }

    /// Finds the caller's group by id, or by name in the default VPC (as AWS allows).
    pub fn find_security_group(&self, caller: &Caller, id_or_name: &str) -> Result<&SecurityGroup> {
        if id_or_name.starts_with("sg-") {
            return Lab::owned(
                &self.security_groups,
                caller,
                Kind::SecurityGroup,
                id_or_name,
                SecurityGroupId::parse,
            );
        }
        let default_vpc = self
            .default_vpc(&caller.account, caller.region)
            .map(|v| v.id.clone());
        self.security_groups
            .values()
            .find(|g| {
                g.group_name == id_or_name
                    && Some(&g.vpc_id) == default_vpc.as_ref()
                    && g.owner_id == caller.account
            })
            .ok_or_else(|| Error::not_found(Kind::SecurityGroup, id_or_name))
    }

    /// DeleteSecurityGroup: not the default group, not while interfaces use it or other
    /// groups' rules reference it.
    pub fn delete_security_group(&mut self, caller: &Caller, id_or_name: &str) -> Result<()> {
        let g = self.find_security_group(caller, id_or_name)?;
        if g.is_default() {
            return Err(Error::CannotDelete(g.id.to_string()));
        }
        let id = g.id.clone();
        let used = self
            .network_interfaces
            .values()
            .any(|e| e.groups.contains(&id));
        let referenced = self.security_groups.values().any(|other| {
            other.id != id
                && other
                    .rules
                    .iter()
                    .any(|r| matches!(&r.peer, RulePeer::Group(g) if g.group_id == id))
        });
        if used || referenced {
            return Err(Error::DependencyViolation(format!(
                "resource {id} has a dependent object"
            )));
        }
        self.security_groups.shift_remove(&id);
        Ok(())
    }

    /// AuthorizeSecurityGroupIngress / Egress: every rule is checked (ports, peers, no
    /// duplicate) before any is added.
    pub fn authorize_security_group_rules(
        &mut self,
        caller: &Caller,
        group: &str,
        is_egress: bool,
        permissions: &[IpPermission],
    ) -> Result<Vec<SecurityGroupRule>> {
        let g = self.find_security_group(caller, group)?.clone();
        let wanted = self.permission_rules(caller, &g, is_egress, permissions)?;
        if wanted.is_empty() {
            return Err(Error::MissingParameter("IpPermissions".into()));
        }
        for (i, w) in wanted.iter().enumerate() {
            if g.rules
                .iter()
                .chain(&wanted[..i])
                .any(|r| r.same_permission(w))
            {
                return Err(Error::PermissionDuplicate(w.to_string()));
            }
        }
        let quota = 60;
        if g.rules.iter().filter(|r| r.is_egress == is_egress).count() + wanted.len() > quota {
            return Err(Error::LimitExceeded {
                code: "RulesPerSecurityGroupLimitExceeded",
                message: "The maximum number of rules per security group has been reached.".into(),
            });
        }
        let mut added = Vec::new();
        for w in wanted {
            let rule = self.new_rule(w.is_egress, w.protocol, w.ports, w.peer, w.description);
            added.push(rule);
        }
        if let Some(g) = self.security_groups.get_mut(&g.id) {
            g.rules.extend(added.iter().cloned());
        }
        Ok(added)
    }

    /// Tags rules just added (the `TagSpecification` of Authorize*). The tags were checked
    /// before the rules were added, so this cannot fail.
    pub(crate) fn tag_new_rules(&mut self, rules: &[SecurityGroupRule], tags: &Tags) {
        if tags.is_empty() {
            return;
        }
        for g in self.security_groups.values_mut() {
            for r in rules
                .iter()
                .filter(|r| g.rules.iter().any(|x| x.id == r.id))
            {
                g.rule_tags.insert(r.id.clone(), tags.clone());
            }
        }
    }

    /// The caller's group holding rule `id`.
    pub(crate) fn group_of_rule(&self, caller: &Caller, id: &str) -> Result<&SecurityGroup> {
        self.security_groups
            .values()
            .filter(|g| g.owner_id == caller.account && g.region == caller.region)
            .find(|g| g.rules.iter().any(|r| r.id.as_str() == id))
            .ok_or_else(|| Error::not_found(Kind::SecurityGroupRule, id))
    }

    /// RevokeSecurityGroupIngress / Egress by permission or by rule id. AWS: in a
    /// non-default VPC a permission that matches no rule fails the whole call
    /// (`InvalidPermission.NotFound`, nothing revoked); in a default VPC it comes back as
    /// unknown and the rest is revoked.
    pub fn revoke_security_group_rules(
        &mut self,
        caller: &Caller,
        group: &str,
        is_egress: bool,
        permissions: &[IpPermission],
        rule_ids: &[String],
    ) -> Result<Revoked> {
        let g = self.find_security_group(caller, group)?.clone();
        let mut out = Revoked::default();
        let mut remove: Vec<SecurityGroupRuleId> = Vec::new();
        for id in rule_ids {
            match g
                .rules
                .iter()
                .find(|r| r.id.as_str() == id && r.is_egress == is_egress)
            {
                Some(r) => {
                    remove.push(r.id.clone());
                    out.revoked.push(r.clone());
                }
                None => return Err(Error::not_found(Kind::SecurityGroupRule, id)),
            }
        }
        // Peers that no longer exist can still be revoked, so build rules leniently.
        let wanted = self.permission_rules_lenient(caller, &g, is_egress, permissions)?;
        for w in wanted {
            match g.rules.iter().find(|r| r.same_permission(&w)) {
                Some(r) => {
                    if !remove.contains(&r.id) {
                        remove.push(r.id.clone());
                        out.revoked.push(r.clone());
                    }
                }
                None => out.unknown.push(w),
            }
        }
        if permissions.is_empty() && rule_ids.is_empty() {
            return Err(Error::MissingParameter(
                "IpPermissions or SecurityGroupRuleIds".into(),
            ));
        }
        let in_default_vpc = self.vpcs.get(&g.vpc_id).is_some_and(|v| v.is_default);
        if !in_default_vpc && (!out.unknown.is_empty() || out.revoked.is_empty()) {
            return Err(Error::PermissionNotFound);
        }
        if let Some(g) = self.security_groups.get_mut(&g.id) {
            g.rules.retain(|r| !remove.contains(&r.id));
            g.rule_tags.retain(|id, _| !remove.contains(id));
        }
        Ok(out)
    }

    /// Expands wire permissions into rules (without ids yet), checking every peer.
    fn permission_rules(
        &self,
        caller: &Caller,
        g: &SecurityGroup,
        is_egress: bool,
        permissions: &[IpPermission],
    ) -> Result<Vec<SecurityGroupRule>> {
        self.expand_permissions(caller, g, is_egress, permissions, true)
    }

    fn permission_rules_lenient(
        &self,
        caller: &Caller,
        g: &SecurityGroup,
        is_egress: bool,
        permissions: &[IpPermission],
    ) -> Result<Vec<SecurityGroupRule>> {
        self.expand_permissions(caller, g, is_egress, permissions, false)
    }

    fn expand_permissions(
        &self,
        caller: &Caller,
        g: &SecurityGroup,
        is_egress: bool,
        permissions: &[IpPermission],
        strict: bool,
    ) -> Result<Vec<SecurityGroupRule>> {
        let mut out = Vec::new();
        let placeholder = SecurityGroupRuleId::new_unchecked("sgr-pending");
        for p in permissions {
            let protocol = IpProtocol::parse(&p.ip_protocol)?;
            let ports = validate_ports(protocol, p.from_port, p.to_port)?;
            let mut push = |peer: RulePeer, description: &Option<String>| {
                out.push(SecurityGroupRule {
                    id: placeholder.clone(),
                    is_egress,
                    protocol,
                    ports,
                    peer,
                    description: description.clone(),
                });
            };
            for (cidr, d) in &p.ip_ranges {
                push(
                    RulePeer::Cidr(IpNet::V4(parse_ipv4_cidr("cidrIp", cidr)?)),
                    d,
                );
            }
            for (cidr, d) in &p.ipv6_ranges {
                push(
                    RulePeer::Cidr(IpNet::V6(parse_ipv6_cidr("cidrIpv6", cidr)?)),
                    d,
                );
            }
            for (pl, d) in &p.prefix_list_ids {
                let list = if strict {
                    self.visible_prefix_list(caller, pl)?.id.clone()
                } else {
                    PrefixListId::parse(pl).ok_or_else(|| Error::Malformed {
                        kind: Kind::PrefixList,
                        id: pl.clone(),
                    })?
                };
                push(RulePeer::PrefixList(list), d);
            }
            for pair in &p.user_id_group_pairs {
                let reference = self.group_reference(caller, g, pair, strict)?;
                push(RulePeer::Group(reference), &pair.description);
            }
        }
        Ok(out)
    }

    /// Resolves a group named in a rule: same VPC, or a VPC peered with the group's VPC
    /// by an active connection (AWS: referencing peer groups works in the same region).
    fn group_reference(
        &self,
        caller: &Caller,
        g: &SecurityGroup,
        pair: &UserIdGroupPair,
        strict: bool,
    ) -> Result<GroupReference> {
        let target = match (&pair.group_id, &pair.group_name) {
            (Some(id), _) => {
                if SecurityGroupId::parse(id).is_none() {
                    return Err(Error::Malformed {
                        kind: Kind::SecurityGroup,
                        id: id.clone(),
                    });
                }
                self.security_groups.get(id.as_str())
            }
            (None, Some(name)) => self
                .security_groups
                .values()
                .find(|x| &x.group_name == name && x.vpc_id == g.vpc_id),
            (None, None) => return Err(Error::MissingParameter("GroupId or GroupName".into())),
        };
        let Some(target) = target.filter(|t| t.region == caller.region) else {
            if !strict && let Some(id) = pair.group_id.as_deref().and_then(SecurityGroupId::parse) {
                let user_id = pair
                    .user_id
                    .as_deref()
                    .map(AccountId::parse)
                    .transpose()?
                    .unwrap_or_else(|| caller.account.clone());
                return Ok(GroupReference {
                    group_id: id,
                    user_id,
                    vpc_peering_connection_id: None,
                });
            }
            let named = pair
                .group_id
                .clone()
                .or(pair.group_name.clone())
                .unwrap_or_default();
            return Err(Error::not_found(Kind::SecurityGroup, named));
        };
        if let Some(user) = &pair.user_id {
            if user != target.owner_id.as_str() {
                return Err(Error::not_found(Kind::SecurityGroup, &target.id));
            }
        } else if target.owner_id != caller.account {
            return Err(Error::not_found(Kind::SecurityGroup, &target.id));
        }
        let peering = if target.vpc_id == g.vpc_id {
            None
        } else {
            let pcx = self.vpc_peering_connections.values().find(|p| {
                p.status.code == crate::PeeringStatusCode::Active
                    && ((p.requester.vpc_id == g.vpc_id && p.accepter.vpc_id == target.vpc_id)
                        || (p.accepter.vpc_id == g.vpc_id && p.requester.vpc_id == target.vpc_id))
            });
            match pcx {
                Some(p) => Some(p.id.clone()),
                None if strict => {
                    return Err(Error::InvalidParameterValue(format!(
                        "You have specified two resources that belong to different networks: {} is in {}, {} in {}.",
                        target.id, target.vpc_id, g.id, g.vpc_id
                    )));
                }
                None => None,
            }
        };
        Ok(GroupReference {
            group_id: target.id.clone(),
            user_id: target.owner_id.clone(),
            vpc_peering_connection_id: peering,
        })
    }
}
