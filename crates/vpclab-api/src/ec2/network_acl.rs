//! Network ACLs: CreateNetworkAcl, DescribeNetworkAcls, DeleteNetworkAcl,
//! Create/Replace/DeleteNetworkAclEntry, ReplaceNetworkAclAssociation.

use vpclab_model::{
    Caller, Kind, Lab, NetworkAcl, NetworkAclEntry, NetworkAclEntrySpec, NetworkAclId, Operation,
    Outcome,
};

use super::describe::{
    Filters, check_ids, flag, ids_or_page, is_tag_filter, one, page, tag_filter, wanted,
};
use super::shapes;
use super::tags::from_specs;
use super::wire::{FromQuery, Query};
use super::{Handler, Plan};
use crate::error::ApiError;

/// The actions of this module.
pub const ACTIONS: &[(&str, Handler)] = &[
    ("CreateNetworkAcl", create_network_acl),
    ("DescribeNetworkAcls", describe_network_acls),
    ("DeleteNetworkAcl", delete_network_acl),
    ("CreateNetworkAclEntry", create_network_acl_entry),
    ("ReplaceNetworkAclEntry", replace_network_acl_entry),
    ("DeleteNetworkAclEntry", delete_network_acl_entry),
    (
        "ReplaceNetworkAclAssociation",
        replace_network_acl_association,
    ),
];

/// A network ACL as the wire shows it: entries egress first, each direction by rule
/// number (as AWS lists them), and `Tags` always present (AWS shows `[]`).
pub fn network_acl_shape(acl: &NetworkAcl) -> shapes::NetworkAcl {
    let mut entries: Vec<&NetworkAclEntry> = acl.entries.iter().collect();
    entries.sort_by_key(|e| (!e.egress, e.rule_number));
    shapes::NetworkAcl {
        network_acl_id: Some(acl.id.to_string()),
        vpc_id: Some(acl.vpc_id.to_string()),
        owner_id: Some(acl.owner_id.to_string()),
        is_default: Some(acl.is_default),
        entries: Some(entries.into_iter().map(entry_shape).collect()),
        associations: Some(
            acl.associations
                .iter()
                .map(|a| shapes::NetworkAclAssociation {
                    network_acl_association_id: Some(a.id.to_string()),
                    network_acl_id: Some(acl.id.to_string()),
                    subnet_id: Some(a.subnet_id.to_string()),
                })
                .collect(),
        ),
        tags: Some(super::describe::tag_set(&acl.tags).unwrap_or_default()),
    }
}

/// One entry: `Protocol` as a number, `PortRange` for TCP/UDP, `IcmpTypeCode` for ICMP.
fn entry_shape(e: &NetworkAclEntry) -> shapes::NetworkAclEntry {
    let mut out = shapes::NetworkAclEntry {
        rule_number: Some(i32::from(e.rule_number)),
        protocol: Some(e.protocol.acl_name()),
        rule_action: Some(e.rule_action.as_str().to_owned()),
        egress: Some(e.egress),
        ..Default::default()
    };
    match e.cidr {
        ipnet::IpNet::V4(c) => out.cidr_block = Some(c.to_string()),
        ipnet::IpNet::V6(c) => out.ipv6_cidr_block = Some(c.to_string()),
    }
    if let Some(p) = e.port_range {
        if e.protocol.is_icmp() {
            out.icmp_type_code = Some(shapes::IcmpTypeCode {
                r#type: Some(p.from),
                code: Some(p.to),
            });
        } else if e.protocol.has_ports() {
            out.port_range = Some(shapes::PortRange {
                r#from: Some(p.from),
                to: Some(p.to),
            });
        }
    }
    out
}

/// AWS's documented filters of DescribeNetworkAcls (tag filters aside).
const NETWORK_ACL_FILTERS: &[&str] = &[
    "association.association-id",
    "association.network-acl-id",
    "association.subnet-id",
    "default",
    "entry.cidr",
    "entry.icmp.code",
    "entry.icmp.type",
    "entry.ipv6-cidr",
    "entry.port-range.from",
    "entry.port-range.to",
    "entry.protocol",
    "entry.rule-action",
    "entry.egress",
    "entry.rule-number",
    "network-acl-id",
    "owner-id",
    "vpc-id",
];

/// An ACL's values for DescribeNetworkAcls' filters: an entry filter takes the values of
/// all its entries, an association filter those of all its associations.
fn network_acl_filter(acl: &NetworkAcl, name: &str) -> Option<Vec<String>> {
    let entries = || acl.entries.iter();
    let icmp = || {
        entries()
            .filter(|e| e.protocol.is_icmp())
            .filter_map(|e| e.port_range)
    };
    let ports = || {
        entries()
            .filter(|e| e.protocol.has_ports())
            .filter_map(|e| e.port_range)
    };
    let assocs = || acl.associations.iter();
    Some(match name {
        "association.association-id" => assocs().map(|a| a.id.to_string()).collect(),
        "association.network-acl-id" => assocs().map(|_| acl.id.to_string()).collect(),
        "association.subnet-id" => assocs().map(|a| a.subnet_id.to_string()).collect(),
        "default" => return flag(acl.is_default),
        "entry.cidr" => entries()
            .filter(|e| e.cidr.addr().is_ipv4())
            .map(|e| e.cidr.to_string())
            .collect(),
        "entry.ipv6-cidr" => entries()
            .filter(|e| e.cidr.addr().is_ipv6())
            .map(|e| e.cidr.to_string())
            .collect(),
        "entry.icmp.code" => icmp().map(|p| p.to.to_string()).collect(),
        "entry.icmp.type" => icmp().map(|p| p.from.to_string()).collect(),
        "entry.port-range.from" => ports().map(|p| p.from.to_string()).collect(),
        "entry.port-range.to" => ports().map(|p| p.to.to_string()).collect(),
        // AWS: "(tcp | udp | icmp or a protocol number)": both spellings match.
        "entry.protocol" => entries()
            .flat_map(|e| [e.protocol.acl_name(), e.protocol.sg_name()])
            .collect(),
        "entry.rule-action" => entries()
            .map(|e| e.rule_action.as_str().to_owned())
            .collect(),
        "entry.egress" => entries()
            .map(|e| if e.egress { "true" } else { "false" }.to_owned())
            .collect(),
        "entry.rule-number" => entries().map(|e| e.rule_number.to_string()).collect(),
        "network-acl-id" => return one(&acl.id),
        "owner-id" => return one(&acl.owner_id),
        "vpc-id" => return one(&acl.vpc_id),
        other => return tag_filter(&acl.tags, other),
    })
}

fn create_network_acl(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::CreateNetworkAclRequest::from_query(q, "")?;
    let op = Operation::CreateNetworkAcl {
        vpc_id: req.vpc_id,
        tags: from_specs(&req.tag_specifications, "network-acl")?,
    };
    let client_token = req.client_token;
    Ok(Plan::write(op, move |lab, outcome| {
        let Outcome::Created(id) = outcome else {
            return Err(ApiError::internal("no network ACL was created"));
        };
        Ok(shapes::CreateNetworkAclResult {
            network_acl: lab.network_acl(&id).map(network_acl_shape),
            client_token,
        })
    }))
}

fn mine(caller: &Caller, acl: &NetworkAcl) -> bool {
    acl.owner_id == caller.account && acl.region == caller.region
}

fn describe_network_acls(caller: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::DescribeNetworkAclsRequest::from_query(q, "")?;
    ids_or_page(&req.network_acl_ids, req.max_results, "networkAclIds")?;
    let filters = Filters::new(&req.filters);
    filters.check(|n| NETWORK_ACL_FILTERS.contains(&n) || is_tag_filter(n))?;
    let caller = caller.clone();
    Ok(Plan::read(move |lab| {
        check_ids(
            &req.network_acl_ids,
            Kind::NetworkAcl,
            |id| NetworkAclId::parse(id).is_some(),
            |id| lab.network_acl(id).is_some_and(|a| mine(&caller, a)),
        )?;
        let found = filters.keep(
            lab.network_acls()
                .filter(|a| mine(&caller, a))
                .filter(|a| wanted(&req.network_acl_ids, a.id.as_str())),
            |acl, name| network_acl_filter(acl, name),
        )?;
        let (acls, next_token) = page(found, req.max_results, &req.next_token, 5)?;
        Ok(shapes::DescribeNetworkAclsResult {
            network_acls: Some(acls.into_iter().map(network_acl_shape).collect()),
            next_token,
        })
    }))
}

fn delete_network_acl(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::DeleteNetworkAclRequest::from_query(q, "")?;
    Ok(Plan::write_returning_true(Operation::DeleteNetworkAcl {
        network_acl_id: req.network_acl_id,
    }))
}

/// The entry a Create/ReplaceNetworkAclEntry request describes.
#[allow(clippy::too_many_arguments)]
fn entry_spec(
    rule_number: i32,
    egress: bool,
    protocol: String,
    rule_action: String,
    cidr_block: Option<String>,
    ipv6_cidr_block: Option<String>,
    port_range: Option<shapes::PortRange>,
    icmp: Option<shapes::IcmpTypeCode>,
) -> NetworkAclEntrySpec {
    NetworkAclEntrySpec {
        rule_number,
        egress,
        protocol,
        rule_action,
        cidr_block,
        ipv6_cidr_block,
        port_from: port_range.as_ref().and_then(|p| p.r#from),
        port_to: port_range.as_ref().and_then(|p| p.to),
        icmp_type: icmp.as_ref().and_then(|i| i.r#type),
        icmp_code: icmp.as_ref().and_then(|i| i.code),
    }
}

fn create_network_acl_entry(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::CreateNetworkAclEntryRequest::from_query(q, "")?;
    let spec = entry_spec(
        req.rule_number,
        req.egress,
        req.protocol,
        req.rule_action,
        req.cidr_block,
        req.ipv6_cidr_block,
        req.port_range,
        req.icmp_type_code,
    );
    Ok(Plan::write_returning_true(
        Operation::CreateNetworkAclEntry {
            network_acl_id: req.network_acl_id,
            spec,
        },
    ))
}

fn replace_network_acl_entry(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::ReplaceNetworkAclEntryRequest::from_query(q, "")?;
    let spec = entry_spec(
        req.rule_number,
        req.egress,
        req.protocol,
        req.rule_action,
        req.cidr_block,
        req.ipv6_cidr_block,
        req.port_range,
        req.icmp_type_code,
    );
    Ok(Plan::write_returning_true(
        Operation::ReplaceNetworkAclEntry {
            network_acl_id: req.network_acl_id,
            spec,
        },
    ))
}

fn delete_network_acl_entry(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::DeleteNetworkAclEntryRequest::from_query(q, "")?;
    Ok(Plan::write_returning_true(
        Operation::DeleteNetworkAclEntry {
            network_acl_id: req.network_acl_id,
            rule_number: req.rule_number,
            egress: req.egress,
        },
    ))
}

fn replace_network_acl_association(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::ReplaceNetworkAclAssociationRequest::from_query(q, "")?;
    let op = Operation::ReplaceNetworkAclAssociation {
        association_id: req.association_id,
        network_acl_id: req.network_acl_id,
    };
    Ok(Plan::write(op, |_: &Lab, outcome| {
        let Outcome::Created(id) = outcome else {
            return Err(ApiError::internal("no association was made"));
        };
        Ok(shapes::ReplaceNetworkAclAssociationResult {
            new_association_id: Some(id),
        })
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use vpclab_model::{IpProtocol, PortRange, RuleAction};

    #[test]
    fn entries_show_ports_or_icmp_by_protocol() {
        let e = NetworkAclEntry {
            rule_number: 100,
            egress: false,
            protocol: IpProtocol::TCP,
            rule_action: RuleAction::Allow,
            cidr: "10.0.0.0/8".parse().unwrap(),
            port_range: Some(PortRange { from: 443, to: 443 }),
        };
        let s = entry_shape(&e);
        assert_eq!(s.protocol.as_deref(), Some("6"));
        assert_eq!(s.port_range.unwrap().r#from, Some(443));
        assert!(s.icmp_type_code.is_none());
        let e = NetworkAclEntry {
            protocol: IpProtocol::ICMP,
            port_range: Some(PortRange { from: 8, to: -1 }),
            cidr: "::/0".parse().unwrap(),
            ..e
        };
        let s = entry_shape(&e);
        assert_eq!(s.ipv6_cidr_block.as_deref(), Some("::/0"));
        let icmp = s.icmp_type_code.unwrap();
        assert_eq!((icmp.r#type, icmp.code), (Some(8), Some(-1)));
        assert!(s.port_range.is_none());
    }
}
