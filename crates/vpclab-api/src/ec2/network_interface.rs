//! Network interfaces: CreateNetworkInterface, DescribeNetworkInterfaces,
//! DeleteNetworkInterface, Attach/DetachNetworkInterface, ModifyNetworkInterfaceAttribute,
//! Assign/UnassignPrivateIpAddresses.

use vpclab_model::{
    Caller, CreateNetworkInterface, Kind, Lab, NetworkInterface, NetworkInterfaceAttribute,
    NetworkInterfaceId, Operation, Outcome, PrivateIp, PublicIpAssociation, SecurityGroupId,
};

use super::describe::{Filters, check_ids, ids_or_page, is_tag_filter, page, tag_filter, wanted};
use super::shapes;
use super::tags::from_specs;
use super::wire::{self, FromQuery, Query};
use super::{Handler, Plan};
use crate::error::ApiError;

/// The actions of this module.
pub const ACTIONS: &[(&str, Handler)] = &[
    ("CreateNetworkInterface", create_network_interface),
    ("DescribeNetworkInterfaces", describe_network_interfaces),
    ("DeleteNetworkInterface", delete_network_interface),
    ("AttachNetworkInterface", attach_network_interface),
    ("DetachNetworkInterface", detach_network_interface),
    (
        "ModifyNetworkInterfaceAttribute",
        modify_network_interface_attribute,
    ),
    ("AssignPrivateIpAddresses", assign_private_ip_addresses),
    ("UnassignPrivateIpAddresses", unassign_private_ip_addresses),
];

/// A model time on the wire.
pub fn wire_time(t: vpclab_model::Timestamp) -> wire::Timestamp {
    wire::Timestamp(t.0)
}

/// A model time as filters compare it (ISO 8601, as the wire writes it).
pub fn time_text(t: vpclab_model::Timestamp) -> String {
    let mut out = String::new();
    wire::write_iso8601(t.0, &mut out);
    out
}

/// Refuses a request member the lab does not serve, naming it.
pub fn unserved<T>(value: &Option<T>, name: &str) -> Result<(), ApiError> {
    match value {
        Some(_) => Err(ApiError::invalid_value(format!(
            "The parameter {name} is not served by the lab."
        ))),
        None => Ok(()),
    }
}

/// A count parameter as the model takes it: AWS refuses negative counts.
pub fn count(value: Option<i32>, name: &str) -> Result<Option<u32>, ApiError> {
    value
        .map(|n| {
            u32::try_from(n).map_err(|_| {
                ApiError::invalid_value(format!(
                    "Value ({n}) for parameter {name} is invalid. It must not be negative."
                ))
            })
        })
        .transpose()
}

/// Security groups with their names, as `GroupSet` shows them.
pub fn group_identifiers(lab: &Lab, groups: &[SecurityGroupId]) -> Vec<shapes::GroupIdentifier> {
    groups
        .iter()
        .map(|g| shapes::GroupIdentifier {
            group_id: Some(g.to_string()),
            group_name: lab.security_group(g.as_str()).map(|s| s.group_name.clone()),
        })
        .collect()
}

/// The public DNS name of a public address: AWS gives one only where the VPC has DNS
/// host names on ("enableDnsHostnames … supports assigning public DNS hostnames to
/// instances with public IP addresses").
pub fn public_dns_name(
    lab: &Lab,
    eni: &NetworkInterface,
    ip: std::net::Ipv4Addr,
) -> Option<String> {
    lab.vpc(eni.vpc_id.as_str())
        .filter(|v| v.enable_dns_hostnames)
        .map(|_| Lab::public_dns_name(eni.region, ip))
}

fn association(
    lab: &Lab,
    eni: &NetworkInterface,
    a: &PublicIpAssociation,
) -> shapes::NetworkInterfaceAssociation {
    shapes::NetworkInterfaceAssociation {
        allocation_id: a.allocation_id.as_ref().map(|x| x.to_string()),
        association_id: a.association_id.as_ref().map(|x| x.to_string()),
        ip_owner_id: Some(a.ip_owner_id.clone()),
        public_dns_name: public_dns_name(lab, eni, a.public_ip),
        public_ip: Some(a.public_ip.to_string()),
        ..Default::default()
    }
}

fn private_ip_shape(
    lab: &Lab,
    eni: &NetworkInterface,
    p: &PrivateIp,
) -> shapes::NetworkInterfacePrivateIpAddress {
    shapes::NetworkInterfacePrivateIpAddress {
        association: p.association.as_ref().map(|a| association(lab, eni, a)),
        primary: Some(p.primary),
        private_dns_name: Some(Lab::private_dns_name(eni.region, p.address)),
        private_ip_address: Some(p.address.to_string()),
    }
}

/// Whether an interface is in use: attached, or managed by an AWS service (NAT gateway,
/// endpoint), whose interfaces AWS shows `in-use`.
fn status(eni: &NetworkInterface) -> &'static str {
    if eni.attachment.is_some() || eni.requester_managed {
        "in-use"
    } else {
        "available"
    }
}

/// The owner of the instance an interface is attached to.
fn instance_owner(lab: &Lab, eni: &NetworkInterface) -> Option<String> {
    lab.instance_of(eni).map(|i| i.owner_id.to_string())
}

/// The attachment AWS shows for an interface an AWS service manages (an interface
/// endpoint's, a load balancer node's): `ela-attach-…` at device index 1, owned by
/// `amazon-aws` or `amazon-elb`.
fn service_attachment(eni: &NetworkInterface) -> Option<shapes::NetworkInterfaceAttachment> {
    Some(shapes::NetworkInterfaceAttachment {
        attachment_id: Some(eni.service_attachment_id()?),
        delete_on_termination: Some(false),
        device_index: Some(1),
        instance_owner_id: eni.service_attachment_owner().map(str::to_owned),
        status: Some("attached".into()),
        ..Default::default()
    })
}

/// A network interface as the wire shows it.
pub fn network_interface_shape(lab: &Lab, eni: &NetworkInterface) -> shapes::NetworkInterface {
    let primary = eni.private_ips.iter().find(|p| p.primary);
    let primary_ip = eni.primary_private_ip();
    shapes::NetworkInterface {
        association: primary
            .and_then(|p| p.association.as_ref())
            .map(|a| association(lab, eni, a)),
        attachment: eni
            .attachment
            .as_ref()
            .map(|a| shapes::NetworkInterfaceAttachment {
                attach_time: Some(wire_time(a.attach_time)),
                attachment_id: Some(a.attachment_id.to_string()),
                delete_on_termination: Some(a.delete_on_termination),
                device_index: Some(i32::try_from(a.device_index).unwrap_or(i32::MAX)),
                network_card_index: Some(0),
                instance_id: Some(a.instance_id.to_string()),
                instance_owner_id: instance_owner(lab, eni),
                status: Some("attached".into()),
                ..Default::default()
            })
            .or_else(|| service_attachment(eni)),
        availability_zone: Some(eni.availability_zone.clone()),
        availability_zone_id: lab
            .subnet(eni.subnet_id.as_str())
            .map(|s| s.availability_zone_id.clone()),
        description: Some(eni.description.clone()),
        groups: Some(group_identifiers(lab, &eni.groups)),
        interface_type: Some(eni.interface_type.as_str().into()),
        ipv6_addresses: Some(
            eni.ipv6_addresses
                .iter()
                .map(|a| shapes::NetworkInterfaceIpv6Address {
                    ipv6_address: Some(a.to_string()),
                    is_primary_ipv6: Some(false),
                    ..Default::default()
                })
                .collect(),
        ),
        mac_address: Some(eni.mac_address.clone()),
        network_interface_id: Some(eni.id.to_string()),
        owner_id: Some(eni.owner_id.to_string()),
        private_dns_name: Some(Lab::private_dns_name(eni.region, primary_ip)),
        private_ip_address: Some(primary_ip.to_string()),
        private_ip_addresses: Some(
            eni.private_ips
                .iter()
                .map(|p| private_ip_shape(lab, eni, p))
                .collect(),
        ),
        requester_id: eni.requester_id().map(str::to_owned),
        requester_managed: Some(eni.requester_managed),
        source_dest_check: Some(eni.source_dest_check),
        status: Some(status(eni).into()),
        subnet_id: Some(eni.subnet_id.to_string()),
        // AWS lists an interface's tags as `TagSet`, empty when it has none.
        tag_set: Some(
            eni.tags
                .iter()
                .map(|(k, v)| shapes::Tag {
                    key: Some(k.clone()),
                    value: Some(v.clone()),
                })
                .collect(),
        ),
        vpc_id: Some(eni.vpc_id.to_string()),
        ipv6_native: Some(false),
        ..Default::default()
    }
}

/// DescribeNetworkInterfaces' filters (AWS's documented names).
const NETWORK_INTERFACE_FILTERS: &[&str] = &[
    "addresses.association.owner-id",
    "addresses.association.public-ip",
    "addresses.primary",
    "addresses.private-ip-address",
    "association.allocation-id",
    "association.association-id",
    "association.ip-owner-id",
    "association.public-dns-name",
    "association.public-ip",
    "attachment.attach-time",
    "attachment.attachment-id",
    "attachment.delete-on-termination",
    "attachment.device-index",
    "attachment.instance-id",
    "attachment.instance-owner-id",
    "attachment.status",
    "availability-zone",
    "availability-zone-id",
    "description",
    "group-id",
    "group-name",
    "interface-type",
    "ipv6-addresses.ipv6-address",
    "mac-address",
    "network-interface-id",
    "operator.managed",
    "operator.principal",
    "owner-id",
    "private-dns-name",
    "private-ip-address",
    "requester-id",
    "requester-managed",
    "source-dest-check",
    "status",
    "subnet-id",
    "vpc-id",
];

/// An interface's values for the `network-interface.*`-style filters, by the name after
/// the prefix. Shared with DescribeInstances, whose `network-interface.*` filters ask the
/// same questions of an instance's interfaces.
pub fn network_interface_filter(
    lab: &Lab,
    eni: &NetworkInterface,
    name: &str,
) -> Option<Vec<String>> {
    let primary_assoc = || {
        eni.private_ips
            .iter()
            .find(|p| p.primary)
            .and_then(|p| p.association.as_ref())
    };
    let all_assocs = || {
        eni.private_ips
            .iter()
            .filter_map(|p| p.association.as_ref())
    };
    let attachment = || eni.attachment.as_ref();
    // An interface endpoint's interface answers the attachment filters with the
    // attachment AWS shows for it.
    if let Some(a) = service_attachment(eni).filter(|_| name.starts_with("attachment.")) {
        return Some(match name {
            "attachment.attachment-id" => a.attachment_id.into_iter().collect(),
            "attachment.delete-on-termination" => vec!["false".to_owned()],
            "attachment.device-index" => vec!["1".to_owned()],
            "attachment.instance-owner-id" => a.instance_owner_id.into_iter().collect(),
            "attachment.status" => a.status.into_iter().collect(),
            _ => Vec::new(),
        });
    }
    Some(match name {
        "addresses.association.owner-id" | "addresses.association.ip-owner-id" => {
            all_assocs().map(|a| a.ip_owner_id.clone()).collect()
        }
        "addresses.association.public-ip" => {
            all_assocs().map(|a| a.public_ip.to_string()).collect()
        }
        "addresses.association.allocation-id" => all_assocs()
            .filter_map(|a| a.allocation_id.as_ref().map(|x| x.to_string()))
            .collect(),
        "addresses.association.association-id" => all_assocs()
            .filter_map(|a| a.association_id.as_ref().map(|x| x.to_string()))
            .collect(),
        "addresses.association.public-dns-name" => all_assocs()
            .filter_map(|a| public_dns_name(lab, eni, a.public_ip))
            .collect(),
        "addresses.primary" => eni
            .private_ips
            .iter()
            .map(|p| p.primary.to_string())
            .collect(),
        "addresses.private-ip-address" | "private-ip-address" => eni
            .private_ips
            .iter()
            .map(|p| p.address.to_string())
            .collect(),
        "addresses.private-dns-name" => eni
            .private_ips
            .iter()
            .map(|p| Lab::private_dns_name(eni.region, p.address))
            .collect(),
        "association.allocation-id" => primary_assoc()
            .and_then(|a| a.allocation_id.as_ref())
            .map(|x| x.to_string())
            .into_iter()
            .collect(),
        "association.association-id" => primary_assoc()
            .and_then(|a| a.association_id.as_ref())
            .map(|x| x.to_string())
            .into_iter()
            .collect(),
        "association.ip-owner-id" => primary_assoc()
            .map(|a| a.ip_owner_id.clone())
            .into_iter()
            .collect(),
        "association.public-dns-name" | "public-dns-name" => primary_assoc()
            .and_then(|a| public_dns_name(lab, eni, a.public_ip))
            .into_iter()
            .collect(),
        "association.public-ip" => primary_assoc()
            .map(|a| a.public_ip.to_string())
            .into_iter()
            .collect(),
        "association.carrier-ip" | "association.customer-owned-ip" => Vec::new(),
        "addresses.association.carrier-ip" | "addresses.association.customer-owned-ip" => {
            Vec::new()
        }
        "attachment.attach-time" => attachment()
            .map(|a| time_text(a.attach_time))
            .into_iter()
            .collect(),
        "attachment.attachment-id" => attachment()
            .map(|a| a.attachment_id.to_string())
            .into_iter()
            .collect(),
        "attachment.delete-on-termination" => attachment()
            .map(|a| a.delete_on_termination.to_string())
            .into_iter()
            .collect(),
        "attachment.device-index" => attachment()
            .map(|a| a.device_index.to_string())
            .into_iter()
            .collect(),
        "attachment.instance-id" => attachment()
            .map(|a| a.instance_id.to_string())
            .into_iter()
            .collect(),
        "attachment.instance-owner-id" => instance_owner(lab, eni).into_iter().collect(),
        "attachment.status" => attachment()
            .map(|_| "attached".to_owned())
            .into_iter()
            .collect(),
        "attachment.network-card-index" => {
            attachment().map(|_| "0".to_owned()).into_iter().collect()
        }
        "availability-zone" => vec![eni.availability_zone.clone()],
        "availability-zone-id" => lab
            .subnet(eni.subnet_id.as_str())
            .map(|s| s.availability_zone_id.clone())
            .into_iter()
            .collect(),
        "description" => vec![eni.description.clone()],
        "group-id" => eni.groups.iter().map(|g| g.to_string()).collect(),
        "group-name" => eni
            .groups
            .iter()
            .filter_map(|g| lab.security_group(g.as_str()))
            .map(|g| g.group_name.clone())
            .collect(),
        "interface-type" => vec![eni.interface_type.as_str().to_owned()],
        "ipv6-addresses.ipv6-address" | "ipv6-address" => {
            eni.ipv6_addresses.iter().map(|a| a.to_string()).collect()
        }
        "ipv6-addresses.is-primary-ipv6" => eni
            .ipv6_addresses
            .iter()
            .map(|_| "false".to_owned())
            .collect(),
        "ipv6-native" | "deny-all-igw-traffic" | "operator.managed" => vec!["false".to_owned()],
        "mac-address" => vec![eni.mac_address.clone()],
        "network-interface-id" => vec![eni.id.to_string()],
        "owner-id" => vec![eni.owner_id.to_string()],
        "private-dns-name" => vec![Lab::private_dns_name(eni.region, eni.primary_private_ip())],
        "requester-id" => eni.requester_id().map(str::to_owned).into_iter().collect(),
        // The lab's interfaces have no principal manager, prefixes or outpost: these
        // filters match nothing, as on AWS for such interfaces.
        "operator.principal"
        | "ipv4-prefixes.ipv4-prefix"
        | "ipv6-prefixes.ipv6-prefix"
        | "outpost-arn" => Vec::new(),
        "requester-managed" => vec![eni.requester_managed.to_string()],
        "source-dest-check" => vec![eni.source_dest_check.to_string()],
        "status" => vec![status(eni).to_owned()],
        "subnet-id" => vec![eni.subnet_id.to_string()],
        "vpc-id" => vec![eni.vpc_id.to_string()],
        other => return tag_filter(&eni.tags, other),
    })
}

fn create_network_interface(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::CreateNetworkInterfaceRequest::from_query(q, "")?;
    unserved(&req.ipv4_prefixes, "Ipv4Prefix")?;
    unserved(&req.ipv4_prefix_count, "Ipv4PrefixCount")?;
    unserved(&req.ipv6_prefixes, "Ipv6Prefix")?;
    unserved(&req.ipv6_prefix_count, "Ipv6PrefixCount")?;
    unserved(&req.ipv6_addresses, "Ipv6Addresses")?;
    unserved(
        &req.connection_tracking_specification,
        "ConnectionTrackingSpecification",
    )?;
    unserved(&req.operator, "Operator")?;
    if req.enable_primary_ipv6 == Some(true) {
        return Err(ApiError::invalid_value(
            "EnablePrimaryIpv6 is not served by the lab.",
        ));
    }
    if let Some(t) = req.interface_type.as_deref().filter(|t| *t != "interface") {
        return Err(ApiError::invalid_value(format!(
            "Value ({t}) for parameter InterfaceType is invalid. The lab creates interfaces of type 'interface' only."
        )));
    }
    // AWS: the primary address is `PrivateIpAddress`, or the one `PrivateIpAddresses.N`
    // marks `Primary`; the others there are secondary.
    let mut primary = req.private_ip_address.clone();
    let mut secondary = Vec::new();
    for spec in req.private_ip_addresses.iter().flatten() {
        let Some(address) = spec.private_ip_address.clone() else {
            return Err(ApiError::new(
                "MissingParameter",
                "The request must contain the parameter PrivateIpAddresses.N.PrivateIpAddress",
            ));
        };
        match (spec.primary == Some(true), &primary) {
            (true, Some(p)) if *p != address => {
                return Err(ApiError::new(
                    "InvalidParameterCombination",
                    "Only one primary private IP address may be specified.",
                ));
            }
            (true, Some(_)) => {}
            (true, None) => primary = Some(address),
            (false, _) => secondary.push(address),
        }
    }
    let secondary_count = count(
        req.secondary_private_ip_address_count,
        "SecondaryPrivateIpAddressCount",
    )?;
    // AWS: "You can't specify a count of private IPv4 addresses if you've specified …
    // specific private IPv4 addresses."
    if secondary_count.is_some() && !secondary.is_empty() {
        return Err(ApiError::new(
            "InvalidParameterCombination",
            "The parameter secondaryPrivateIpAddressCount cannot be used with specific secondary private IP addresses.",
        ));
    }
    let client_token = req.client_token.clone();
    let op = Operation::CreateNetworkInterface(CreateNetworkInterface {
        subnet_id: req.subnet_id,
        description: req.description,
        groups: req.groups.unwrap_or_default(),
        private_ip_address: primary,
        secondary_private_ip_addresses: secondary,
        secondary_private_ip_address_count: secondary_count.unwrap_or(0),
        ipv6_address_count: count(req.ipv6_address_count, "Ipv6AddressCount")?,
        tags: from_specs(&req.tag_specifications, "network-interface")?,
    });
    Ok(Plan::write(op, move |lab, outcome| {
        Ok(shapes::CreateNetworkInterfaceResult {
            network_interface: match outcome {
                Outcome::Created(id) => lab
                    .network_interface(&id)
                    .map(|e| network_interface_shape(lab, e)),
                _ => None,
            },
            client_token,
        })
    }))
}

/// Whether a resource is the caller's, in the caller's region.
pub fn mine<T: vpclab_model::Owned>(caller: &Caller, r: &T) -> bool {
    r.owner() == &caller.account && r.region() == caller.region
}

fn describe_network_interfaces(caller: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::DescribeNetworkInterfacesRequest::from_query(q, "")?;
    // AWS: "You cannot specify this parameter and the network interface IDs parameter in
    // the same request."
    ids_or_page(
        &req.network_interface_ids,
        req.max_results,
        "networkInterfaceIds",
    )?;
    let filters = Filters::new(&req.filters);
    filters.check(|n| NETWORK_INTERFACE_FILTERS.contains(&n) || is_tag_filter(n))?;
    let caller = caller.clone();
    Ok(Plan::read(move |lab| {
        check_ids(
            &req.network_interface_ids,
            Kind::NetworkInterface,
            |id| NetworkInterfaceId::parse(id).is_some(),
            |id| lab.network_interface(id).is_some_and(|e| mine(&caller, e)),
        )?;
        let found = filters.keep(
            lab.network_interfaces()
                .filter(|e| mine(&caller, *e))
                .filter(|e| wanted(&req.network_interface_ids, e.id.as_str())),
            |eni, name| network_interface_filter(lab, eni, name),
        )?;
        let (page, next_token) = page(found, req.max_results, &req.next_token, 5)?;
        Ok(shapes::DescribeNetworkInterfacesResult {
            network_interfaces: Some(
                page.into_iter()
                    .map(|e| network_interface_shape(lab, e))
                    .collect(),
            ),
            next_token,
        })
    }))
}

fn delete_network_interface(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::DeleteNetworkInterfaceRequest::from_query(q, "")?;
    Ok(Plan::write_returning_true(
        Operation::DeleteNetworkInterface {
            network_interface_id: req.network_interface_id,
        },
    ))
}

fn attach_network_interface(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::AttachNetworkInterfaceRequest::from_query(q, "")?;
    unserved(&req.ena_srd_specification, "EnaSrdSpecification")?;
    unserved(&req.ena_queue_count, "EnaQueueCount")?;
    if let Some(n) = req.network_card_index.filter(|n| *n != 0) {
        return Err(ApiError::invalid_value(format!(
            "Value ({n}) for parameter NetworkCardIndex is invalid. Lab instances have one network card (index 0)."
        )));
    }
    let device_index = u32::try_from(req.device_index).map_err(|_| {
        ApiError::invalid_value(format!(
            "Value ({}) for parameter deviceIndex is invalid. It must not be negative.",
            req.device_index
        ))
    })?;
    let op = Operation::AttachNetworkInterface {
        network_interface_id: req.network_interface_id,
        instance_id: req.instance_id,
        device_index,
    };
    Ok(Plan::write(op, |_, outcome| {
        let Outcome::Created(attachment_id) = outcome else {
            return Err(ApiError::internal("no attachment was made"));
        };
        Ok(shapes::AttachNetworkInterfaceResult {
            attachment_id: Some(attachment_id),
            network_card_index: Some(0),
        })
    }))
}

fn detach_network_interface(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::DetachNetworkInterfaceRequest::from_query(q, "")?;
    Ok(Plan::write_returning_true(
        Operation::DetachNetworkInterface {
            attachment_id: req.attachment_id,
        },
    ))
}

fn modify_network_interface_attribute(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::ModifyNetworkInterfaceAttributeRequest::from_query(q, "")?;
    let unserved_given = [
        ("Attachment", req.attachment.is_some()),
        (
            "AssociatePublicIpAddress",
            req.associate_public_ip_address.is_some(),
        ),
        ("AssociatedSubnetIds", req.associated_subnet_ids.is_some()),
        (
            "ConnectionTrackingSpecification",
            req.connection_tracking_specification.is_some(),
        ),
        ("EnaSrdSpecification", req.ena_srd_specification.is_some()),
        ("EnablePrimaryIpv6", req.enable_primary_ipv6.is_some()),
    ];
    let mut given: Vec<(&str, Option<NetworkInterfaceAttribute>)> = Vec::new();
    if let Some(d) = &req.description {
        given.push((
            "description",
            Some(NetworkInterfaceAttribute::Description(
                d.value.clone().unwrap_or_default(),
            )),
        ));
    }
    if let Some(v) = &req.source_dest_check {
        let Some(value) = v.value else {
            return Err(ApiError::new(
                "MissingParameter",
                "The request must contain the parameter SourceDestCheck.Value",
            ));
        };
        given.push((
            "sourceDestCheck",
            Some(NetworkInterfaceAttribute::SourceDestCheck(value)),
        ));
    }
    if let Some(g) = &req.groups {
        given.push((
            "groupSet",
            Some(NetworkInterfaceAttribute::Groups(g.clone())),
        ));
    }
    for (name, present) in unserved_given {
        if present {
            given.push((name, None));
        }
    }
    // AWS: one attribute per call.
    let attribute = match given.as_slice() {
        [] => {
            return Err(ApiError::new(
                "MissingParameter",
                "The request must contain exactly one attribute: Description, SourceDestCheck or SecurityGroupId",
            ));
        }
        [(_, Some(a))] => a.clone(),
        [(name, None)] => {
            return Err(ApiError::invalid_value(format!(
                "The attribute {name} is not served by the lab; it changes Description, SourceDestCheck or SecurityGroupId."
            )));
        }
        many => {
            let names: Vec<&str> = many.iter().map(|(n, _)| *n).collect();
            return Err(ApiError::new(
                "InvalidParameterCombination",
                format!(
                    "Fields for multiple attribute types specified: {}",
                    names.join(", ")
                ),
            ));
        }
    };
    Ok(Plan::write_returning_true(
        Operation::ModifyNetworkInterfaceAttribute {
            network_interface_id: req.network_interface_id,
            attribute,
        },
    ))
}

fn assign_private_ip_addresses(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::AssignPrivateIpAddressesRequest::from_query(q, "")?;
    unserved(&req.ipv4_prefixes, "Ipv4Prefix")?;
    unserved(&req.ipv4_prefix_count, "Ipv4PrefixCount")?;
    let addresses = req.private_ip_addresses.unwrap_or_default();
    let n = count(
        req.secondary_private_ip_address_count,
        "SecondaryPrivateIpAddressCount",
    )?;
    // AWS: "You can specify one or more specific secondary IP addresses, or you can
    // specify the number of secondary IP addresses to be automatically assigned".
    if n.is_some() && !addresses.is_empty() {
        return Err(ApiError::new(
            "InvalidParameterCombination",
            "The parameter secondaryPrivateIpAddressCount cannot be used with the parameter privateIpAddress",
        ));
    }
    let eni = req.network_interface_id.clone();
    let op = Operation::AssignPrivateIpAddresses {
        network_interface_id: req.network_interface_id,
        addresses,
        count: n.unwrap_or(0),
    };
    Ok(Plan::write(op, move |_, outcome| {
        let Outcome::Addresses(added) = outcome else {
            return Err(ApiError::internal("no addresses were assigned"));
        };
        Ok(shapes::AssignPrivateIpAddressesResult {
            network_interface_id: Some(eni),
            assigned_private_ip_addresses: Some(
                added
                    .into_iter()
                    .map(|a| shapes::AssignedPrivateIpAddress {
                        private_ip_address: Some(a.to_string()),
                    })
                    .collect(),
            ),
            assigned_ipv4_prefixes: None,
        })
    }))
}

fn unassign_private_ip_addresses(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::UnassignPrivateIpAddressesRequest::from_query(q, "")?;
    unserved(&req.ipv4_prefixes, "Ipv4Prefix")?;
    Ok(Plan::write_returning_true(
        Operation::UnassignPrivateIpAddresses {
            network_interface_id: req.network_interface_id,
            addresses: req.private_ip_addresses.unwrap_or_default(),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> Query {
        Query::from_pairs(pairs.iter().copied())
    }

    fn refused(h: Handler, pairs: &[(&str, &str)]) -> String {
        let caller = Caller::new(
            vpclab_model::AccountId::parse("000000000000").unwrap_or_else(|_| unreachable!()),
            vpclab_model::Region::default_region(),
            vpclab_model::Timestamp(0),
        );
        match h(&caller, &q(pairs)) {
            Err(e) => e.code.into_owned(),
            Ok(_) => "accepted".into(),
        }
    }

    #[test]
    fn one_attribute_per_modify_call() {
        let base = [("NetworkInterfaceId", "eni-12345678")];
        assert_eq!(
            refused(modify_network_interface_attribute, &base),
            "MissingParameter"
        );
        let two = [
            ("NetworkInterfaceId", "eni-12345678"),
            ("Description.Value", "x"),
            ("SourceDestCheck.Value", "false"),
        ];
        assert_eq!(
            refused(modify_network_interface_attribute, &two),
            "InvalidParameterCombination"
        );
        let attachment = [
            ("NetworkInterfaceId", "eni-12345678"),
            ("Attachment.AttachmentId", "eni-attach-12345678"),
            ("Attachment.DeleteOnTermination", "true"),
        ];
        assert_eq!(
            refused(modify_network_interface_attribute, &attachment),
            "InvalidParameterValue"
        );
        let one = [
            ("NetworkInterfaceId", "eni-12345678"),
            ("Description.Value", "x"),
        ];
        assert_eq!(
            refused(modify_network_interface_attribute, &one),
            "accepted"
        );
    }

    #[test]
    fn counts_and_named_addresses_do_not_mix() {
        let both = [
            ("NetworkInterfaceId", "eni-12345678"),
            ("PrivateIpAddress.1", "10.0.0.9"),
            ("SecondaryPrivateIpAddressCount", "2"),
        ];
        assert_eq!(
            refused(assign_private_ip_addresses, &both),
            "InvalidParameterCombination"
        );
        let negative = [
            ("NetworkInterfaceId", "eni-12345678"),
            ("SecondaryPrivateIpAddressCount", "-1"),
        ];
        assert_eq!(
            refused(assign_private_ip_addresses, &negative),
            "InvalidParameterValue"
        );
    }
}
