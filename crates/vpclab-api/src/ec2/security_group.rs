//! Security groups: CreateSecurityGroup, DescribeSecurityGroups, DeleteSecurityGroup,
//! Authorize/RevokeSecurityGroupIngress/Egress, DescribeSecurityGroupRules.
//!
//! The model keeps one rule per peer; the wire groups them as AWS does, one
//! `IpPermission` per protocol and port range with every peer of that range in it.

use vpclab_model::{
    Caller, IpPermission, Kind, Lab, Operation, Outcome, RulePeer, SecurityGroup, SecurityGroupId,
    SecurityGroupRule, SecurityGroupRuleId, UserIdGroupPair,
};

use super::describe::{
    Filters, check_ids, ids_or_page, is_tag_filter, one, page, tag_filter, tag_set, wanted,
};
use super::shapes;
use super::tags::from_specs;
use super::wire::{FromQuery, Query};
use super::{Handler, Plan};
use crate::error::ApiError;

/// The actions of this module.
pub const ACTIONS: &[(&str, Handler)] = &[
    ("CreateSecurityGroup", create_security_group),
    ("DescribeSecurityGroups", describe_security_groups),
    ("DeleteSecurityGroup", delete_security_group),
    (
        "AuthorizeSecurityGroupIngress",
        authorize_security_group_ingress,
    ),
    (
        "AuthorizeSecurityGroupEgress",
        authorize_security_group_egress,
    ),
    ("RevokeSecurityGroupIngress", revoke_security_group_ingress),
    ("RevokeSecurityGroupEgress", revoke_security_group_egress),
    ("DescribeSecurityGroupRules", describe_security_group_rules),
];

/// `arn:aws:ec2:<region>:<account>:<resource>/<id>`, as EC2 writes its ARNs.
pub fn ec2_arn(region: &str, account: &str, resource: &str, id: &str) -> String {
    format!("arn:aws:ec2:{region}:{account}:{resource}/{id}")
}

/// A security group as the wire shows it.
pub fn security_group_shape(lab: &Lab, g: &SecurityGroup) -> shapes::SecurityGroup {
    shapes::SecurityGroup {
        group_id: Some(g.id.to_string()),
        group_name: Some(g.group_name.clone()),
        description: Some(g.description.clone()),
        owner_id: Some(g.owner_id.to_string()),
        vpc_id: Some(g.vpc_id.to_string()),
        security_group_arn: Some(group_arn(g)),
        ip_permissions: Some(permissions(lab, g.ingress())),
        ip_permissions_egress: Some(permissions(lab, g.egress())),
        tags: tag_set(&g.tags),
    }
}

fn group_arn(g: &SecurityGroup) -> String {
    ec2_arn(
        g.region.name(),
        g.owner_id.as_str(),
        "security-group",
        g.id.as_str(),
    )
}

/// Rules grouped as AWS groups them: one permission per (protocol, from, to), in the
/// order the ranges first appear, with every peer of that range.
pub fn permissions<'a>(
    lab: &Lab,
    rules: impl Iterator<Item = &'a SecurityGroupRule>,
) -> Vec<shapes::IpPermission> {
    let mut keys: Vec<(vpclab_model::IpProtocol, Option<vpclab_model::PortRange>)> = Vec::new();
    let mut out: Vec<shapes::IpPermission> = Vec::new();
    for r in rules {
        let key = (r.protocol, r.ports);
        let i = match keys.iter().position(|k| *k == key) {
            Some(i) => i,
            None => {
                keys.push(key);
                out.push(empty_permission(r));
                out.len() - 1
            }
        };
        add_peer(lab, &mut out[i], r);
    }
    out
}

/// A permission with the rule's protocol and ports and no peers yet. AWS leaves
/// `FromPort`/`ToPort` out for rules without ports (`-1` and protocols other than TCP,
/// UDP and ICMP).
fn empty_permission(r: &SecurityGroupRule) -> shapes::IpPermission {
    shapes::IpPermission {
        ip_protocol: Some(r.protocol.sg_name()),
        from_port: r.ports.map(|p| p.from),
        to_port: r.ports.map(|p| p.to),
        user_id_group_pairs: Some(Vec::new()),
        ip_ranges: Some(Vec::new()),
        ipv6_ranges: Some(Vec::new()),
        prefix_list_ids: Some(Vec::new()),
    }
}

fn add_peer(lab: &Lab, p: &mut shapes::IpPermission, r: &SecurityGroupRule) {
    let description = r.description.clone();
    match &r.peer {
        RulePeer::Cidr(ipnet::IpNet::V4(c)) => {
            p.ip_ranges.get_or_insert_default().push(shapes::IpRange {
                cidr_ip: Some(c.to_string()),
                description,
            })
        }
        RulePeer::Cidr(ipnet::IpNet::V6(c)) => {
            p.ipv6_ranges
                .get_or_insert_default()
                .push(shapes::Ipv6Range {
                    cidr_ipv6: Some(c.to_string()),
                    description,
                })
        }
        RulePeer::PrefixList(pl) => {
            p.prefix_list_ids
                .get_or_insert_default()
                .push(shapes::PrefixListId {
                    prefix_list_id: Some(pl.to_string()),
                    description,
                })
        }
        RulePeer::Group(g) => {
            let (vpc_id, peering_status) = peering_of(lab, g);
            p.user_id_group_pairs
                .get_or_insert_default()
                .push(shapes::UserIdGroupPair {
                    group_id: Some(g.group_id.to_string()),
                    user_id: Some(g.user_id.to_string()),
                    vpc_peering_connection_id: g
                        .vpc_peering_connection_id
                        .as_ref()
                        .map(ToString::to_string),
                    vpc_id,
                    peering_status,
                    description,
                    group_name: None,
                })
        }
    }
}

/// For a group referenced through a peering connection: the group's VPC and the
/// connection's status (`deleted` once it is gone: a stale reference).
fn peering_of(lab: &Lab, g: &vpclab_model::GroupReference) -> (Option<String>, Option<String>) {
    let Some(pcx) = &g.vpc_peering_connection_id else {
        return (None, None);
    };
    let vpc = lab
        .security_group(g.group_id.as_str())
        .map(|t| t.vpc_id.to_string());
    let status = lab
        .vpc_peering_connection(pcx.as_str())
        .map(|p| p.status.code.as_str())
        .unwrap_or("deleted");
    (vpc, Some(status.to_owned()))
}

/// One rule as DescribeSecurityGroupRules and Authorize* show it. Unlike a permission, a
/// rule without ports shows `-1` for both.
pub fn rule_shape(
    lab: &Lab,
    g: &SecurityGroup,
    r: &SecurityGroupRule,
) -> shapes::SecurityGroupRule {
    let mut out = shapes::SecurityGroupRule {
        security_group_rule_id: Some(r.id.to_string()),
        group_id: Some(g.id.to_string()),
        group_owner_id: Some(g.owner_id.to_string()),
        is_egress: Some(r.is_egress),
        ip_protocol: Some(r.protocol.sg_name()),
        from_port: Some(r.ports.map_or(-1, |p| p.from)),
        to_port: Some(r.ports.map_or(-1, |p| p.to)),
        description: r.description.clone(),
        tags: g.rule_tags.get(&r.id).and_then(tag_set),
        security_group_rule_arn: Some(ec2_arn(
            g.region.name(),
            g.owner_id.as_str(),
            "security-group-rule",
            r.id.as_str(),
        )),
        ..Default::default()
    };
    match &r.peer {
        RulePeer::Cidr(ipnet::IpNet::V4(c)) => out.cidr_ipv4 = Some(c.to_string()),
        RulePeer::Cidr(ipnet::IpNet::V6(c)) => out.cidr_ipv6 = Some(c.to_string()),
        RulePeer::PrefixList(pl) => out.prefix_list_id = Some(pl.to_string()),
        RulePeer::Group(reference) => {
            let (vpc_id, peering_status) = peering_of(lab, reference);
            out.referenced_group_info = Some(shapes::ReferencedSecurityGroup {
                group_id: Some(reference.group_id.to_string()),
                user_id: Some(reference.user_id.to_string()),
                vpc_peering_connection_id: reference
                    .vpc_peering_connection_id
                    .as_ref()
                    .map(ToString::to_string),
                vpc_id,
                peering_status,
            });
        }
    }
    out
}

fn revoked_rule_shape(
    g: &SecurityGroup,
    r: &SecurityGroupRule,
) -> shapes::RevokedSecurityGroupRule {
    let mut out = shapes::RevokedSecurityGroupRule {
        security_group_rule_id: Some(r.id.to_string()),
        group_id: Some(g.id.to_string()),
        is_egress: Some(r.is_egress),
        ip_protocol: Some(r.protocol.sg_name()),
        from_port: Some(r.ports.map_or(-1, |p| p.from)),
        to_port: Some(r.ports.map_or(-1, |p| p.to)),
        description: r.description.clone(),
        ..Default::default()
    };
    match &r.peer {
        RulePeer::Cidr(ipnet::IpNet::V4(c)) => out.cidr_ipv4 = Some(c.to_string()),
        RulePeer::Cidr(ipnet::IpNet::V6(c)) => out.cidr_ipv6 = Some(c.to_string()),
        RulePeer::PrefixList(pl) => out.prefix_list_id = Some(pl.to_string()),
        RulePeer::Group(reference) => {
            out.referenced_group_id = Some(reference.group_id.to_string())
        }
    }
    out
}

/// The wire's permissions as the model reads them.
fn model_permissions(
    perms: &Option<Vec<shapes::IpPermission>>,
) -> Result<Vec<IpPermission>, ApiError> {
    let mut out = Vec::new();
    for p in perms.iter().flatten() {
        let ip_protocol = p.ip_protocol.clone().ok_or_else(|| {
            ApiError::new(
                "MissingParameter",
                "The request must contain the parameter ipProtocol",
            )
        })?;
        out.push(IpPermission {
            ip_protocol,
            from_port: p.from_port,
            to_port: p.to_port,
            ip_ranges: p
                .ip_ranges
                .iter()
                .flatten()
                .map(|r| (r.cidr_ip.clone().unwrap_or_default(), r.description.clone()))
                .collect(),
            ipv6_ranges: p
                .ipv6_ranges
                .iter()
                .flatten()
                .map(|r| {
                    (
                        r.cidr_ipv6.clone().unwrap_or_default(),
                        r.description.clone(),
                    )
                })
                .collect(),
            prefix_list_ids: p
                .prefix_list_ids
                .iter()
                .flatten()
                .map(|r| {
                    (
                        r.prefix_list_id.clone().unwrap_or_default(),
                        r.description.clone(),
                    )
                })
                .collect(),
            user_id_group_pairs: p
                .user_id_group_pairs
                .iter()
                .flatten()
                .map(|u| UserIdGroupPair {
                    group_id: u.group_id.clone(),
                    group_name: u.group_name.clone(),
                    user_id: u.user_id.clone(),
                    description: u.description.clone(),
                })
                .collect(),
        });
    }
    Ok(out)
}

/// The top-level parameters of the older ingress form (`CidrIp`, `IpProtocol`,
/// `FromPort`, `ToPort`, `SourceSecurityGroupName`, `SourceSecurityGroupOwnerId`).
#[derive(Default)]
struct Legacy {
    cidr_ip: Option<String>,
    ip_protocol: Option<String>,
    from_port: Option<i32>,
    to_port: Option<i32>,
    source_security_group_name: Option<String>,
    source_security_group_owner_id: Option<String>,
}

impl Legacy {
    /// The first parameter given, by its wire name.
    fn first_given(&self) -> Option<&'static str> {
        [
            ("CidrIp", self.cidr_ip.is_some()),
            ("IpProtocol", self.ip_protocol.is_some()),
            ("FromPort", self.from_port.is_some()),
            ("ToPort", self.to_port.is_some()),
            (
                "SourceSecurityGroupName",
                self.source_security_group_name.is_some(),
            ),
            (
                "SourceSecurityGroupOwnerId",
                self.source_security_group_owner_id.is_some(),
            ),
        ]
        .into_iter()
        .find_map(|(name, given)| given.then_some(name))
    }

    /// The permissions the older form asks for. AWS (AuthorizeSecurityGroupIngress,
    /// `SourceSecurityGroupName`): "Creates rules that grant full ICMP, UDP, and TCP
    /// access" and it cannot be combined with a CIDR, a protocol or ports.
    fn permissions(&self) -> Result<Vec<IpPermission>, ApiError> {
        let by_group = self.source_security_group_name.is_some()
            || self.source_security_group_owner_id.is_some();
        if by_group {
            if self.cidr_ip.is_some()
                || self.ip_protocol.is_some()
                || self.from_port.is_some()
                || self.to_port.is_some()
            {
                return Err(ApiError::new(
                    "InvalidParameterCombination",
                    "The parameter sourceSecurityGroupName cannot be used with the parameters cidrIp, ipProtocol, fromPort or toPort; use IpPermissions.",
                ));
            }
            let Some(name) = &self.source_security_group_name else {
                return Err(ApiError::new(
                    "MissingParameter",
                    "The request must contain the parameter sourceSecurityGroupName",
                ));
            };
            let pair = UserIdGroupPair {
                group_id: name.starts_with("sg-").then(|| name.clone()),
                group_name: (!name.starts_with("sg-")).then(|| name.clone()),
                user_id: self.source_security_group_owner_id.clone(),
                description: None,
            };
            return Ok([("icmp", -1, -1), ("tcp", 0, 65535), ("udp", 0, 65535)]
                .into_iter()
                .map(|(protocol, from, to)| IpPermission {
                    ip_protocol: protocol.into(),
                    from_port: Some(from),
                    to_port: Some(to),
                    user_id_group_pairs: vec![pair.clone()],
                    ..IpPermission::default()
                })
                .collect());
        }
        let Some(ip_protocol) = self.ip_protocol.clone() else {
            return Err(ApiError::new(
                "MissingParameter",
                "The request must contain the parameter ipProtocol",
            ));
        };
        let Some(cidr) = self.cidr_ip.clone() else {
            return Err(ApiError::new(
                "MissingParameter",
                "Missing source specification: include source security group or CIDR information",
            ));
        };
        Ok(vec![IpPermission {
            ip_protocol,
            from_port: self.from_port,
            to_port: self.to_port,
            ip_ranges: vec![(cidr, None)],
            ..IpPermission::default()
        }])
    }
}

/// The permissions of an ingress request: `IpPermissions`, or the older top-level form,
/// never both.
fn ingress_permissions(
    ip_permissions: &Option<Vec<shapes::IpPermission>>,
    legacy: &Legacy,
) -> Result<Vec<IpPermission>, ApiError> {
    let listed = ip_permissions.as_ref().is_some_and(|p| !p.is_empty());
    match (listed, legacy.first_given()) {
        (true, Some(name)) => Err(ApiError::new(
            "InvalidParameterCombination",
            format!("The parameter {name} cannot be used with the parameter IpPermissions"),
        )),
        (false, Some(_)) => legacy.permissions(),
        _ => model_permissions(ip_permissions),
    }
}

/// Egress takes `IpPermissions` only: AWS answers the top-level parameters with
/// `UnknownParameter` ("Not supported. Use IP permissions instead.").
fn egress_permissions(
    ip_permissions: &Option<Vec<shapes::IpPermission>>,
    legacy: &Legacy,
) -> Result<Vec<IpPermission>, ApiError> {
    if let Some(name) = legacy.first_given() {
        return Err(ApiError::new(
            "UnknownParameter",
            format!("The parameter {name} is not recognized"),
        ));
    }
    model_permissions(ip_permissions)
}

/// The group a request names: `GroupId` (which must look like one) or, in the default
/// VPC, `GroupName`.
fn named_group(group_id: &Option<String>, group_name: &Option<String>) -> Result<String, ApiError> {
    match (group_id, group_name) {
        (Some(id), _) => {
            if SecurityGroupId::parse(id).is_none() {
                return Err(vpclab_model::Error::Malformed {
                    kind: Kind::SecurityGroup,
                    id: id.clone(),
                }
                .into());
            }
            Ok(id.clone())
        }
        (None, Some(name)) => Ok(name.clone()),
        (None, None) => Err(ApiError::new(
            "MissingParameter",
            "The request must contain the parameter groupName or groupId",
        )),
    }
}

fn create_security_group(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::CreateSecurityGroupRequest::from_query(q, "")?;
    let op = Operation::CreateSecurityGroup {
        vpc_id: req.vpc_id,
        group_name: req.group_name,
        description: req.description,
        tags: from_specs(&req.tag_specifications, "security-group")?,
    };
    Ok(Plan::write(op, |lab, outcome| {
        let Outcome::Created(id) = outcome else {
            return Err(ApiError::internal("no group was created"));
        };
        let g = lab
            .security_group(&id)
            .ok_or_else(|| ApiError::internal("the new group is missing"))?;
        Ok(shapes::CreateSecurityGroupResult {
            group_id: Some(id.clone()),
            tags: tag_set(&g.tags),
            security_group_arn: Some(group_arn(g)),
        })
    }))
}

fn delete_security_group(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::DeleteSecurityGroupRequest::from_query(q, "")?;
    let group = named_group(&req.group_id, &req.group_name)?;
    Ok(Plan::write(
        Operation::DeleteSecurityGroup { group },
        |_, outcome| {
            let Outcome::Deleted(id) = outcome else {
                return Err(ApiError::internal("no group was deleted"));
            };
            Ok(shapes::DeleteSecurityGroupResult {
                r#return: Some(true),
                group_id: Some(id),
            })
        },
    ))
}

/// AWS's documented filters of DescribeSecurityGroups (tag filters aside).
const SECURITY_GROUP_FILTERS: &[&str] = &[
    "description",
    "group-id",
    "group-name",
    "owner-id",
    "vpc-id",
];

/// The rule filters, asked of ingress (`ip-permission.*`) or egress
/// (`egress.ip-permission.*`) rules.
const PERMISSION_FILTERS: &[&str] = &[
    "cidr",
    "from-port",
    "group-id",
    "group-name",
    "ipv6-cidr",
    "prefix-list-id",
    "protocol",
    "to-port",
    "user-id",
];

fn is_security_group_filter(name: &str) -> bool {
    SECURITY_GROUP_FILTERS.contains(&name)
        || is_tag_filter(name)
        || name
            .strip_prefix("egress.ip-permission.")
            .or_else(|| name.strip_prefix("ip-permission."))
            .is_some_and(|f| PERMISSION_FILTERS.contains(&f))
}

/// A group's values for DescribeSecurityGroups' filters. AWS: "If using multiple filters
/// for rules, the results include security groups for which any combination of rules -
/// not necessarily a single rule - match all filters", so a rule filter's values are
/// those of all the group's rules of that direction.
fn security_group_filter(lab: &Lab, g: &SecurityGroup, name: &str) -> Option<Vec<String>> {
    let rule_filter = |egress: bool, f: &str| -> Option<Vec<String>> {
        let rules = g.rules.iter().filter(move |r| r.is_egress == egress);
        let groups = rules.clone().filter_map(|r| match &r.peer {
            RulePeer::Group(reference) => Some(reference),
            _ => None,
        });
        Some(match f {
            "cidr" => rules
                .filter_map(|r| match r.peer {
                    RulePeer::Cidr(ipnet::IpNet::V4(c)) => Some(c.to_string()),
                    _ => None,
                })
                .collect(),
            "ipv6-cidr" => rules
                .filter_map(|r| match r.peer {
                    RulePeer::Cidr(ipnet::IpNet::V6(c)) => Some(c.to_string()),
                    _ => None,
                })
                .collect(),
            "prefix-list-id" => rules
                .filter_map(|r| match &r.peer {
                    RulePeer::PrefixList(pl) => Some(pl.to_string()),
                    _ => None,
                })
                .collect(),
            "from-port" => rules
                .filter_map(|r| r.ports.map(|p| p.from.to_string()))
                .collect(),
            "to-port" => rules
                .filter_map(|r| r.ports.map(|p| p.to.to_string()))
                .collect(),
            // Both spellings: `tcp` and `6`.
            "protocol" => rules
                .flat_map(|r| [r.protocol.sg_name(), r.protocol.acl_name()])
                .collect(),
            "group-id" => groups.map(|x| x.group_id.to_string()).collect(),
            "group-name" => groups
                .filter_map(|x| lab.security_group(x.group_id.as_str()))
                .map(|x| x.group_name.clone())
                .collect(),
            "user-id" => groups.map(|x| x.user_id.to_string()).collect(),
            _ => return None,
        })
    };
    if let Some(f) = name.strip_prefix("egress.ip-permission.") {
        return rule_filter(true, f);
    }
    if let Some(f) = name.strip_prefix("ip-permission.") {
        return rule_filter(false, f);
    }
    match name {
        "description" => one(&g.description),
        "group-id" => one(&g.id),
        "group-name" => one(&g.group_name),
        "owner-id" => one(&g.owner_id),
        "vpc-id" => one(&g.vpc_id),
        other => tag_filter(&g.tags, other),
    }
}

fn mine(caller: &Caller, g: &SecurityGroup) -> bool {
    g.owner_id == caller.account && g.region == caller.region
}

fn describe_security_groups(caller: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::DescribeSecurityGroupsRequest::from_query(q, "")?;
    ids_or_page(&req.group_ids, req.max_results, "groupIds")?;
    ids_or_page(&req.group_names, req.max_results, "groupNames")?;
    let filters = Filters::new(&req.filters);
    filters.check(is_security_group_filter)?;
    let caller = caller.clone();
    Ok(Plan::read(move |lab| {
        check_ids(
            &req.group_ids,
            Kind::SecurityGroup,
            |id| SecurityGroupId::parse(id).is_some(),
            |id| lab.security_group(id).is_some_and(|g| mine(&caller, g)),
        )?;
        // AWS: names only in the default VPC; an unknown name is `InvalidGroup.NotFound`.
        let mut named = Vec::new();
        for name in req.group_names.iter().flatten() {
            named.push(lab.find_security_group(&caller, name)?.id.clone());
        }
        let by_id = req.group_ids.as_ref().is_some_and(|i| !i.is_empty());
        let asked = |g: &SecurityGroup| {
            if named.is_empty() && !by_id {
                return true;
            }
            named.contains(&g.id) || (by_id && wanted(&req.group_ids, g.id.as_str()))
        };
        let found = filters.keep(
            lab.security_groups()
                .filter(|g| mine(&caller, g) && asked(g)),
            |g, name| security_group_filter(lab, g, name),
        )?;
        let (groups, next_token) = page(found, req.max_results, &req.next_token, 5)?;
        Ok(shapes::DescribeSecurityGroupsResult {
            security_groups: Some(
                groups
                    .into_iter()
                    .map(|g| security_group_shape(lab, g))
                    .collect(),
            ),
            next_token,
        })
    }))
}

/// Whether `name` is a filter of DescribeSecurityGroupRules.
fn is_rule_filter(name: &str) -> bool {
    name == "group-id" || name == "security-group-rule-id" || is_tag_filter(name)
}

fn describe_security_group_rules(caller: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::DescribeSecurityGroupRulesRequest::from_query(q, "")?;
    let filters = Filters::new(&req.filters);
    filters.check(is_rule_filter)?;
    let caller = caller.clone();
    Ok(Plan::read(move |lab| {
        let groups: Vec<&SecurityGroup> =
            lab.security_groups().filter(|g| mine(&caller, g)).collect();
        check_ids(
            &req.security_group_rule_ids,
            Kind::SecurityGroupRule,
            |id| SecurityGroupRuleId::parse(id).is_some(),
            |id| {
                groups
                    .iter()
                    .any(|g| g.rules.iter().any(|r| r.id.as_str() == id))
            },
        )?;
        let no_tags = vpclab_model::Tags::new();
        let mut found = Vec::new();
        for g in &groups {
            for r in g
                .rules
                .iter()
                .filter(|r| wanted(&req.security_group_rule_ids, r.id.as_str()))
            {
                let keep = filters.matches(|name| match name {
                    "group-id" => one(&g.id),
                    "security-group-rule-id" => one(&r.id),
                    other => tag_filter(g.rule_tags.get(&r.id).unwrap_or(&no_tags), other),
                })?;
                if keep {
                    found.push((*g, r));
                }
            }
        }
        let (rules, next_token) = page(found, req.max_results, &req.next_token, 5)?;
        Ok(shapes::DescribeSecurityGroupRulesResult {
            security_group_rules: Some(
                rules
                    .into_iter()
                    .map(|(g, r)| rule_shape(lab, g, r))
                    .collect(),
            ),
            next_token,
        })
    }))
}

/// The rules an Authorize* added, as its answer lists them.
fn authorized(
    lab: &Lab,
    outcome: Outcome,
) -> Result<(Option<bool>, Option<Vec<shapes::SecurityGroupRule>>), ApiError> {
    let Outcome::Rules(rules) = outcome else {
        return Err(ApiError::internal("no rules were added"));
    };
    let shapes = rules
        .iter()
        .filter_map(|r| {
            let g = lab
                .security_groups()
                .find(|g| g.rules.iter().any(|x| x.id == r.id))?;
            Some(rule_shape(lab, g, r))
        })
        .collect();
    Ok((Some(true), Some(shapes)))
}

/// Security group rules take `TagSpecification.N` of type `security-group-rule`; each
/// new rule gets the tags.
fn rule_tags(
    specs: &Option<Vec<shapes::TagSpecification>>,
) -> Result<vpclab_model::Tags, ApiError> {
    from_specs(specs, "security-group-rule")
}

fn authorize_security_group_ingress(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::AuthorizeSecurityGroupIngressRequest::from_query(q, "")?;
    let group = named_group(&req.group_id, &req.group_name)?;
    let tags = rule_tags(&req.tag_specifications)?;
    let legacy = Legacy {
        cidr_ip: req.cidr_ip,
        ip_protocol: req.ip_protocol,
        from_port: req.from_port,
        to_port: req.to_port,
        source_security_group_name: req.source_security_group_name,
        source_security_group_owner_id: req.source_security_group_owner_id,
    };
    let permissions = ingress_permissions(&req.ip_permissions, &legacy)?;
    let op = Operation::AuthorizeSecurityGroupRules {
        group,
        is_egress: false,
        permissions,
        tags,
    };
    Ok(Plan::write(op, |lab, outcome| {
        let (r#return, security_group_rules) = authorized(lab, outcome)?;
        Ok(shapes::AuthorizeSecurityGroupIngressResult {
            r#return,
            security_group_rules,
        })
    }))
}

fn authorize_security_group_egress(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::AuthorizeSecurityGroupEgressRequest::from_query(q, "")?;
    let group = named_group(&Some(req.group_id), &None)?;
    let tags = rule_tags(&req.tag_specifications)?;
    let legacy = Legacy {
        cidr_ip: req.cidr_ip,
        ip_protocol: req.ip_protocol,
        from_port: req.from_port,
        to_port: req.to_port,
        source_security_group_name: req.source_security_group_name,
        source_security_group_owner_id: req.source_security_group_owner_id,
    };
    let permissions = egress_permissions(&req.ip_permissions, &legacy)?;
    let op = Operation::AuthorizeSecurityGroupRules {
        group,
        is_egress: true,
        permissions,
        tags,
    };
    Ok(Plan::write(op, |lab, outcome| {
        let (r#return, security_group_rules) = authorized(lab, outcome)?;
        Ok(shapes::AuthorizeSecurityGroupEgressResult {
            r#return,
            security_group_rules,
        })
    }))
}

/// What a Revoke* answers: `Return`, the permissions that matched nothing
/// (`UnknownIpPermissions`, which AWS lists only for groups of a default VPC, where such
/// a permission does not fail the call), and the rules revoked.
type RevokeAnswer = (
    Option<bool>,
    Option<Vec<shapes::IpPermission>>,
    Option<Vec<shapes::RevokedSecurityGroupRule>>,
);

fn revoked(
    lab: &Lab,
    group: &str,
    caller: &Caller,
    outcome: Outcome,
) -> Result<RevokeAnswer, ApiError> {
    let Outcome::Revoked(r) = outcome else {
        return Err(ApiError::internal("nothing was revoked"));
    };
    let g = lab.find_security_group(caller, group)?;
    let unknown = (!r.unknown.is_empty()).then(|| permissions(lab, r.unknown.iter()));
    let rules = r.revoked.iter().map(|x| revoked_rule_shape(g, x)).collect();
    Ok((Some(true), unknown, Some(rules)))
}

fn revoke_security_group_ingress(caller: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::RevokeSecurityGroupIngressRequest::from_query(q, "")?;
    let group = named_group(&req.group_id, &req.group_name)?;
    let legacy = Legacy {
        cidr_ip: req.cidr_ip,
        ip_protocol: req.ip_protocol,
        from_port: req.from_port,
        to_port: req.to_port,
        source_security_group_name: req.source_security_group_name,
        source_security_group_owner_id: req.source_security_group_owner_id,
    };
    let permissions = ingress_permissions(&req.ip_permissions, &legacy)?;
    let op = Operation::RevokeSecurityGroupRules {
        group: group.clone(),
        is_egress: false,
        permissions,
        rule_ids: req.security_group_rule_ids.unwrap_or_default(),
    };
    let caller = caller.clone();
    Ok(Plan::write(op, move |lab, outcome| {
        let (r#return, unknown_ip_permissions, revoked_security_group_rules) =
            revoked(lab, &group, &caller, outcome)?;
        Ok(shapes::RevokeSecurityGroupIngressResult {
            r#return,
            unknown_ip_permissions,
            revoked_security_group_rules,
        })
    }))
}

fn revoke_security_group_egress(caller: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::RevokeSecurityGroupEgressRequest::from_query(q, "")?;
    let group = named_group(&Some(req.group_id), &None)?;
    let legacy = Legacy {
        cidr_ip: req.cidr_ip,
        ip_protocol: req.ip_protocol,
        from_port: req.from_port,
        to_port: req.to_port,
        source_security_group_name: req.source_security_group_name,
        source_security_group_owner_id: req.source_security_group_owner_id,
    };
    let permissions = egress_permissions(&req.ip_permissions, &legacy)?;
    let op = Operation::RevokeSecurityGroupRules {
        group: group.clone(),
        is_egress: true,
        permissions,
        rule_ids: req.security_group_rule_ids.unwrap_or_default(),
    };
    let caller = caller.clone();
    Ok(Plan::write(op, move |lab, outcome| {
        let (r#return, unknown_ip_permissions, revoked_security_group_rules) =
            revoked(lab, &group, &caller, outcome)?;
        Ok(shapes::RevokeSecurityGroupEgressResult {
            r#return,
            unknown_ip_permissions,
            revoked_security_group_rules,
        })
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_source_group_grants_icmp_tcp_and_udp() {
        let legacy = Legacy {
            source_security_group_name: Some("web".into()),
            ..Legacy::default()
        };
        let p = ingress_permissions(&None, &legacy).unwrap();
        let got: Vec<_> = p
            .iter()
            .map(|p| (p.ip_protocol.as_str(), p.from_port, p.to_port))
            .collect();
        assert_eq!(
            got,
            [
                ("icmp", Some(-1), Some(-1)),
                ("tcp", Some(0), Some(65535)),
                ("udp", Some(0), Some(65535))
            ]
        );
        assert_eq!(
            p[0].user_id_group_pairs[0].group_name.as_deref(),
            Some("web")
        );
    }

    #[test]
    fn legacy_and_listed_permissions_do_not_mix() {
        let legacy = Legacy {
            cidr_ip: Some("10.0.0.0/8".into()),
            ..Legacy::default()
        };
        let listed = Some(vec![shapes::IpPermission {
            ip_protocol: Some("-1".into()),
            ..Default::default()
        }]);
        assert_eq!(
            ingress_permissions(&listed, &legacy).unwrap_err().code,
            "InvalidParameterCombination"
        );
        assert_eq!(
            egress_permissions(&None, &legacy).unwrap_err().code,
            "UnknownParameter"
        );
        let with_protocol = Legacy {
            ip_protocol: Some("tcp".into()),
            ..Legacy::default()
        };
        assert_eq!(
            ingress_permissions(&None, &with_protocol).unwrap_err().code,
            "MissingParameter"
        );
    }

    #[test]
    fn filter_names_are_aws_names() {
        assert!(is_security_group_filter(
            "egress.ip-permission.prefix-list-id"
        ));
        assert!(is_security_group_filter("ip-permission.user-id"));
        assert!(is_security_group_filter("tag:Name"));
        assert!(!is_security_group_filter("ip-permission.bogus"));
        assert!(!is_security_group_filter("egress.group-id"));
    }
}
