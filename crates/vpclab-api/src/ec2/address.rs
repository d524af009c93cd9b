//! Elastic IP addresses: AllocateAddress, AssociateAddress, DisassociateAddress,
//! ReleaseAddress, DescribeAddresses.

use std::net::Ipv4Addr;

use vpclab_model::{
    Address, AddressAssociationId, AllocationId, AssociateAddress, Caller, Kind, Lab, Operation,
    Outcome,
};

use super::describe::{Filters, is_tag_filter, tag_filter, tag_set};
use super::network_interface::{mine, unserved};
use super::shapes;
use super::tags::from_specs;
use super::wire::{FromQuery, Query};
use super::{Handler, Plan};
use crate::error::ApiError;

/// The actions of this module.
pub const ACTIONS: &[(&str, Handler)] = &[
    ("AllocateAddress", allocate_address),
    ("AssociateAddress", associate_address),
    ("DisassociateAddress", disassociate_address),
    ("ReleaseAddress", release_address),
    ("DescribeAddresses", describe_addresses),
];

/// The pool every lab address comes from: AWS's own (`amazon`), not a BYOIP pool.
const PUBLIC_IPV4_POOL: &str = "amazon";

/// Checks a `NetworkBorderGroup`: the lab's addresses are advertised from the whole
/// region, whose name is the border group's (AWS: "If you do not set it, we use the
/// default border group, which is the Region name").
fn check_border_group(caller: &Caller, group: &Option<String>) -> Result<(), ApiError> {
    match group.as_deref() {
        Some(g) if g != caller.region.name() => Err(ApiError::invalid_value(format!(
            "Value ({g}) for parameter NetworkBorderGroup is invalid. The lab's addresses belong to {}.",
            caller.region.name()
        ))),
        _ => Ok(()),
    }
}

/// The instance an Elastic IP reaches, when it is on an instance's interface.
fn instance_of(lab: &Lab, a: &Address) -> Option<String> {
    let assoc = a.association.as_ref()?;
    let eni = lab.network_interface(assoc.network_interface_id.as_str())?;
    lab.instance_of(eni).map(|i| i.id.to_string())
}

/// An Elastic IP as the wire shows it.
pub fn address_shape(lab: &Lab, a: &Address) -> shapes::Address {
    let assoc = a.association.as_ref();
    let eni = assoc.and_then(|x| lab.network_interface(x.network_interface_id.as_str()));
    shapes::Address {
        allocation_id: Some(a.allocation_id.to_string()),
        association_id: assoc.map(|x| x.association_id.to_string()),
        domain: Some("vpc".into()),
        network_interface_id: assoc.map(|x| x.network_interface_id.to_string()),
        network_interface_owner_id: eni.map(|e| e.owner_id.to_string()),
        private_ip_address: assoc.map(|x| x.private_ip.to_string()),
        tags: tag_set(&a.tags),
        public_ipv4_pool: Some(PUBLIC_IPV4_POOL.into()),
        network_border_group: Some(a.region.name().into()),
        instance_id: instance_of(lab, a),
        public_ip: Some(a.public_ip.to_string()),
        ..Default::default()
    }
}

/// DescribeAddresses' filters (AWS's documented names; `domain` and `public-ipv4-pool`
/// as AWS still answers them).
const ADDRESS_FILTERS: &[&str] = &[
    "allocation-id",
    "association-id",
    "domain",
    "instance-id",
    "network-border-group",
    "network-interface-id",
    "network-interface-owner-id",
    "private-ip-address",
    "public-ip",
    "public-ipv4-pool",
];

fn address_filter(lab: &Lab, a: &Address, name: &str) -> Option<Vec<String>> {
    let assoc = a.association.as_ref();
    Some(match name {
        "allocation-id" => vec![a.allocation_id.to_string()],
        "association-id" => assoc
            .map(|x| x.association_id.to_string())
            .into_iter()
            .collect(),
        "domain" => vec!["vpc".to_owned()],
        "instance-id" => instance_of(lab, a).into_iter().collect(),
        "network-border-group" => vec![a.region.name().to_owned()],
        "network-interface-id" => assoc
            .map(|x| x.network_interface_id.to_string())
            .into_iter()
            .collect(),
        "network-interface-owner-id" => assoc
            .and_then(|x| lab.network_interface(x.network_interface_id.as_str()))
            .map(|e| e.owner_id.to_string())
            .into_iter()
            .collect(),
        "private-ip-address" => assoc
            .map(|x| x.private_ip.to_string())
            .into_iter()
            .collect(),
        "public-ip" => vec![a.public_ip.to_string()],
        "public-ipv4-pool" => vec![PUBLIC_IPV4_POOL.to_owned()],
        other => return tag_filter(&a.tags, other),
    })
}

fn allocate_address(caller: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::AllocateAddressRequest::from_query(q, "")?;
    // AWS: EC2-Classic (`standard`) is retired; every address is a VPC address.
    if let Some(d) = req.domain.as_deref().filter(|d| *d != "vpc") {
        return Err(ApiError::invalid_value(format!(
            "Value ({d}) for parameter domain is invalid. Only 'vpc' is supported."
        )));
    }
    if let Some(p) = req
        .public_ipv4_pool
        .as_deref()
        .filter(|p| *p != PUBLIC_IPV4_POOL)
    {
        return Err(ApiError::invalid_value(format!(
            "Value ({p}) for parameter PublicIpv4Pool is invalid. The lab allocates from Amazon's pool ('amazon')."
        )));
    }
    unserved(&req.address, "Address")?;
    unserved(&req.customer_owned_ipv4_pool, "CustomerOwnedIpv4Pool")?;
    unserved(&req.ipam_pool_id, "IpamPoolId")?;
    check_border_group(caller, &req.network_border_group)?;
    let op = Operation::AllocateAddress {
        tags: from_specs(&req.tag_specifications, "elastic-ip")?,
    };
    Ok(Plan::write(op, |lab, outcome| {
        let address = match outcome {
            Outcome::Created(id) => lab.address(&id),
            _ => None,
        }
        .ok_or_else(|| ApiError::internal("no address was allocated"))?;
        Ok(shapes::AllocateAddressResult {
            allocation_id: Some(address.allocation_id.to_string()),
            public_ip: Some(address.public_ip.to_string()),
            public_ipv4_pool: Some(PUBLIC_IPV4_POOL.into()),
            network_border_group: Some(address.region.name().into()),
            domain: Some("vpc".into()),
            ..Default::default()
        })
    }))
}

/// Checks an allocation id's shape before the model looks it up by id or address.
fn allocation_id(id: &str) -> Result<String, ApiError> {
    if AllocationId::parse(id).is_none() {
        return Err(vpclab_model::Error::Malformed {
            kind: Kind::Allocation,
            id: id.into(),
        }
        .into());
    }
    Ok(id.to_owned())
}

/// A public address given instead of an allocation id, checked.
fn public_ip(ip: &str) -> Result<String, ApiError> {
    ip.parse::<Ipv4Addr>().map(|_| ip.to_owned()).map_err(|_| {
        vpclab_model::Error::Malformed {
            kind: Kind::Address,
            id: ip.into(),
        }
        .into()
    })
}

/// The address named by `AllocationId` or (the form EC2-Classic used) `PublicIp`:
/// exactly one of them.
fn named(
    allocation: &Option<String>,
    ip: &Option<String>,
    id_name: &str,
) -> Result<String, ApiError> {
    match (allocation, ip) {
        (Some(a), None) => allocation_id(a),
        (None, Some(p)) => public_ip(p),
        (None, None) => Err(ApiError::new(
            "MissingParameter",
            format!("The request must contain the parameter {id_name} or PublicIp"),
        )),
        (Some(_), Some(_)) => Err(ApiError::new(
            "InvalidParameterCombination",
            format!("The parameter {id_name} cannot be used with the parameter PublicIp"),
        )),
    }
}

fn associate_address(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::AssociateAddressRequest::from_query(q, "")?;
    let op = Operation::AssociateAddress(AssociateAddress {
        allocation_id: named(&req.allocation_id, &req.public_ip, "AllocationId")?,
        instance_id: req.instance_id,
        network_interface_id: req.network_interface_id,
        private_ip_address: req.private_ip_address,
        allow_reassociation: req.allow_reassociation,
    });
    Ok(Plan::write(op, |_, outcome| {
        let Outcome::Created(association_id) = outcome else {
            return Err(ApiError::internal("no association was made"));
        };
        Ok(shapes::AssociateAddressResult {
            association_id: Some(association_id),
        })
    }))
}

fn disassociate_address(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::DisassociateAddressRequest::from_query(q, "")?;
    let association_id_or_ip = match (&req.association_id, &req.public_ip) {
        (Some(a), None) if AddressAssociationId::parse(a).is_none() => {
            return Err(vpclab_model::Error::Malformed {
                kind: Kind::Association,
                id: a.clone(),
            }
            .into());
        }
        (Some(a), None) => a.clone(),
        (None, Some(p)) => public_ip(p)?,
        (None, None) => {
            return Err(ApiError::new(
                "MissingParameter",
                "The request must contain the parameter AssociationId or PublicIp",
            ));
        }
        (Some(_), Some(_)) => {
            return Err(ApiError::new(
                "InvalidParameterCombination",
                "The parameter AssociationId cannot be used with the parameter PublicIp",
            ));
        }
    };
    Ok(Plan::write_returning_true(Operation::DisassociateAddress {
        association_id_or_ip,
    }))
}

fn release_address(caller: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::ReleaseAddressRequest::from_query(q, "")?;
    check_border_group(caller, &req.network_border_group)?;
    Ok(Plan::write_returning_true(Operation::ReleaseAddress {
        allocation_id: named(&req.allocation_id, &req.public_ip, "AllocationId")?,
    }))
}

fn describe_addresses(caller: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::DescribeAddressesRequest::from_query(q, "")?;
    let filters = Filters::new(&req.filters);
    filters.check(|n| ADDRESS_FILTERS.contains(&n) || is_tag_filter(n))?;
    for ip in req.public_ips.iter().flatten() {
        public_ip(ip)?;
    }
    let caller = caller.clone();
    Ok(Plan::read(move |lab| {
        let mine_ = |a: &&Address| mine(&caller, *a);
        // AWS answers the first id or address it cannot find.
        for id in req.allocation_ids.iter().flatten() {
            lab.find_address(&caller, &allocation_id(id)?)?;
        }
        for ip in req.public_ips.iter().flatten() {
            if lab.find_address(&caller, ip).is_err() {
                return Err(ApiError::new(
                    "InvalidAddress.NotFound",
                    format!("Address '{ip}' not found."),
                ));
            }
        }
        let by_id = |a: &Address| {
            req.allocation_ids
                .as_ref()
                .is_none_or(|ids| ids.iter().any(|i| i == a.allocation_id.as_str()))
        };
        let by_ip = |a: &Address| {
            req.public_ips
                .as_ref()
                .is_none_or(|ips| ips.iter().any(|i| *i == a.public_ip.to_string()))
        };
        let mut found = Vec::new();
        for a in lab
            .addresses()
            .filter(mine_)
            .filter(|a| by_id(a) && by_ip(a))
        {
            if filters.matches(|name| address_filter(lab, a, name))? {
                found.push(address_shape(lab, a));
            }
        }
        Ok(shapes::DescribeAddressesResult {
            addresses: Some(found),
        })
    }))
}
