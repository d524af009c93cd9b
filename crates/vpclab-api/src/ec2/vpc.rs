//! VPCs: CreateVpc, DescribeVpcs, DeleteVpc, Modify/DescribeVpcAttribute,
//! Associate/DisassociateVpcCidrBlock, CreateDefaultVpc.

use vpclab_model::{Caller, CreateVpc, Kind, Lab, Operation, Outcome, Vpc, VpcAttribute, VpcId};

use super::describe::{
    Filters, check_ids, flag, ids_or_page, is_tag_filter, one, page, tag_filter, tag_set, wanted,
};
use super::shapes;
use super::tags::from_specs;
use super::wire::{FromQuery, Query};
use super::{Handler, Plan};
use crate::error::ApiError;

/// The actions of this module.
pub const ACTIONS: &[(&str, Handler)] = &[
    ("CreateVpc", create_vpc),
    ("DescribeVpcs", describe_vpcs),
    ("DeleteVpc", delete_vpc),
    ("ModifyVpcAttribute", modify_vpc_attribute),
    ("DescribeVpcAttribute", describe_vpc_attribute),
    ("AssociateVpcCidrBlock", associate_vpc_cidr_block),
    ("DisassociateVpcCidrBlock", disassociate_vpc_cidr_block),
    ("CreateDefaultVpc", create_default_vpc),
];

/// The DHCP options set every VPC shows: the lab has one, AWS's default, per account.
pub fn dhcp_options_id(vpc: &Vpc) -> String {
    let h = vpc
        .owner_id
        .as_str()
        .bytes()
        .chain(vpc.region.name().bytes())
        .fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
    format!("dopt-{:08x}", h as u32)
}

fn associated() -> Option<shapes::VpcCidrBlockState> {
    Some(shapes::VpcCidrBlockState {
        state: Some("associated".into()),
        status_message: None,
    })
}

/// A VPC as the wire shows it.
pub fn vpc_shape(vpc: &Vpc) -> shapes::Vpc {
    let v4 = vpc
        .cidr_block_associations
        .iter()
        .map(|b| shapes::VpcCidrBlockAssociation {
            association_id: Some(b.association_id.to_string()),
            cidr_block: Some(b.cidr.to_string()),
            cidr_block_state: associated(),
        })
        .collect();
    let v6: Vec<shapes::VpcIpv6CidrBlockAssociation> = vpc
        .ipv6_cidr_block_associations
        .iter()
        .map(|b| ipv6_association(vpc, b))
        .collect();
    shapes::Vpc {
        vpc_id: Some(vpc.id.to_string()),
        owner_id: Some(vpc.owner_id.to_string()),
        state: Some("available".into()),
        cidr_block: Some(vpc.cidr_block().to_string()),
        cidr_block_association_set: Some(v4),
        ipv6_cidr_block_association_set: (!v6.is_empty()).then_some(v6),
        dhcp_options_id: Some(dhcp_options_id(vpc)),
        instance_tenancy: Some(vpc.instance_tenancy.clone()),
        is_default: Some(vpc.is_default),
        tags: tag_set(&vpc.tags),
        ..Default::default()
    }
}

fn ipv6_association(
    vpc: &Vpc,
    b: &vpclab_model::VpcIpv6CidrBlock,
) -> shapes::VpcIpv6CidrBlockAssociation {
    shapes::VpcIpv6CidrBlockAssociation {
        association_id: Some(b.association_id.to_string()),
        ipv6_cidr_block: Some(b.cidr.to_string()),
        ipv6_cidr_block_state: associated(),
        network_border_group: Some(vpc.region.name().to_owned()),
        ipv6_pool: Some("Amazon".into()),
        ip_source: Some("amazon".into()),
        ipv6_address_attribute: Some("public".into()),
    }
}

const VPC_FILTERS: &[&str] = &[
    "cidr",
    "cidr-block-association.cidr-block",
    "cidr-block-association.association-id",
    "cidr-block-association.state",
    "dhcp-options-id",
    "ipv6-cidr-block-association.ipv6-cidr-block",
    "ipv6-cidr-block-association.ipv6-pool",
    "ipv6-cidr-block-association.association-id",
    "ipv6-cidr-block-association.state",
    "is-default",
    "owner-id",
    "state",
    "vpc-id",
];

/// A VPC's values for DescribeVpcs' filters (AWS's documented names).
fn vpc_filter(vpc: &Vpc, name: &str) -> Option<Vec<String>> {
    let v4 = || vpc.cidr_block_associations.iter();
    let v6 = || vpc.ipv6_cidr_block_associations.iter();
    match name {
        "cidr" => one(vpc.cidr_block()),
        "cidr-block-association.cidr-block" => Some(v4().map(|b| b.cidr.to_string()).collect()),
        "cidr-block-association.association-id" => {
            Some(v4().map(|b| b.association_id.to_string()).collect())
        }
        "cidr-block-association.state" | "ipv6-cidr-block-association.state" => one("associated"),
        "dhcp-options-id" => one(dhcp_options_id(vpc)),
        "ipv6-cidr-block-association.ipv6-cidr-block" => {
            Some(v6().map(|b| b.cidr.to_string()).collect())
        }
        "ipv6-cidr-block-association.ipv6-pool" => {
            Some(v6().map(|_| "Amazon".to_owned()).collect())
        }
        "ipv6-cidr-block-association.association-id" => {
            Some(v6().map(|b| b.association_id.to_string()).collect())
        }
        "is-default" => flag(vpc.is_default),
        "owner-id" => one(&vpc.owner_id),
        "state" => one("available"),
        "vpc-id" => one(&vpc.id),
        other => tag_filter(&vpc.tags, other),
    }
}

fn create_vpc(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::CreateVpcRequest::from_query(q, "")?;
    if req.ipv4_ipam_pool_id.is_some() || req.ipv6_ipam_pool_id.is_some() || req.ipv6_pool.is_some()
    {
        return Err(ApiError::invalid_value(
            "IPAM and BYOIP pools are not served by the lab; give CidrBlock.",
        ));
    }
    let cidr_block = req.cidr_block.ok_or_else(|| {
        ApiError::new(
            "MissingParameter",
            "The request must contain the parameter CidrBlock",
        )
    })?;
    let op = Operation::CreateVpc(CreateVpc {
        cidr_block,
        amazon_provided_ipv6_cidr_block: req.amazon_provided_ipv6_cidr_block.unwrap_or(false),
        instance_tenancy: req.instance_tenancy,
        tags: from_specs(&req.tag_specifications, "vpc")?,
    });
    Ok(Plan::write(op, |lab, outcome| {
        Ok(shapes::CreateVpcResult {
            vpc: created_vpc(lab, &outcome),
        })
    }))
}

fn created_vpc(lab: &Lab, outcome: &Outcome) -> Option<shapes::Vpc> {
    match outcome {
        Outcome::Created(id) => lab.vpc(id).map(vpc_shape),
        _ => None,
    }
}

fn describe_vpcs(caller: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::DescribeVpcsRequest::from_query(q, "")?;
    ids_or_page(&req.vpc_ids, req.max_results, "vpcIds")?;
    let filters = Filters::new(&req.filters);
    filters.check(|n| VPC_FILTERS.contains(&n) || is_tag_filter(n))?;
    let caller = caller.clone();
    Ok(Plan::read(move |lab| {
        let mine = |v: &&Vpc| v.owner_id == caller.account && v.region == caller.region;
        check_ids(
            &req.vpc_ids,
            Kind::Vpc,
            |id| VpcId::parse(id).is_some(),
            |id| lab.vpc(id).is_some_and(|v| mine(&v)),
        )?;
        let found = filters.keep(
            lab.vpcs()
                .filter(mine)
                .filter(|v| wanted(&req.vpc_ids, v.id.as_str())),
            |vpc, name| vpc_filter(vpc, name),
        )?;
        let (vpcs, next_token) = page(found, req.max_results, &req.next_token, 5)?;
        Ok(shapes::DescribeVpcsResult {
            vpcs: Some(vpcs.into_iter().map(vpc_shape).collect()),
            next_token,
        })
    }))
}

fn delete_vpc(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::DeleteVpcRequest::from_query(q, "")?;
    Ok(Plan::write_returning_true(Operation::DeleteVpc {
        vpc_id: req.vpc_id,
    }))
}

fn modify_vpc_attribute(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::ModifyVpcAttributeRequest::from_query(q, "")?;
    let given = [
        req.enable_dns_support
            .as_ref()
            .map(|v| VpcAttribute::EnableDnsSupport(v.value.unwrap_or(false))),
        req.enable_dns_hostnames
            .as_ref()
            .map(|v| VpcAttribute::EnableDnsHostnames(v.value.unwrap_or(false))),
    ];
    // AWS: one attribute per call.
    let attribute = match (given, &req.enable_network_address_usage_metrics) {
        ([Some(a), None] | [None, Some(a)], None) => a,
        ([None, None], Some(_)) => {
            return Err(ApiError::invalid_value(
                "EnableNetworkAddressUsageMetrics is not served by the lab.",
            ));
        }
        ([None, None], None) => {
            return Err(ApiError::new(
                "MissingParameter",
                "The request must contain exactly one attribute: EnableDnsSupport or EnableDnsHostnames",
            ));
        }
        _ => {
            return Err(ApiError::new(
                "InvalidParameterCombination",
                "Fields for multiple attribute types specified: enableDnsSupport, enableDnsHostnames",
            ));
        }
    };
    Ok(Plan::write_returning_true(Operation::ModifyVpcAttribute {
        vpc_id: req.vpc_id,
        attribute,
    }))
}

fn describe_vpc_attribute(caller: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::DescribeVpcAttributeRequest::from_query(q, "")?;
    let caller = caller.clone();
    Ok(Plan::read(move |lab| {
        let vpc = own_vpc(lab, &caller, &req.vpc_id)?;
        let value = |v: bool| Some(shapes::AttributeBooleanValue { value: Some(v) });
        let mut out = shapes::DescribeVpcAttributeResult {
            vpc_id: Some(vpc.id.to_string()),
            ..Default::default()
        };
        match req.attribute.as_str() {
            "enableDnsSupport" => out.enable_dns_support = value(vpc.enable_dns_support),
            "enableDnsHostnames" => out.enable_dns_hostnames = value(vpc.enable_dns_hostnames),
            "enableNetworkAddressUsageMetrics" => {
                out.enable_network_address_usage_metrics = value(false)
            }
            other => {
                return Err(ApiError::invalid_value(format!(
                    "Value ({other}) for parameter attribute is invalid. Unknown attribute."
                )));
            }
        }
        Ok(out)
    }))
}

/// The caller's VPC `id`, with AWS's errors.
pub fn own_vpc<'a>(lab: &'a Lab, caller: &Caller, id: &str) -> Result<&'a Vpc, ApiError> {
    if VpcId::parse(id).is_none() {
        return Err(vpclab_model::Error::Malformed {
            kind: Kind::Vpc,
            id: id.into(),
        }
        .into());
    }
    lab.vpc(id)
        .filter(|v| v.owner_id == caller.account && v.region == caller.region)
        .ok_or_else(|| vpclab_model::Error::not_found(Kind::Vpc, id).into())
}

fn associate_vpc_cidr_block(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::AssociateVpcCidrBlockRequest::from_query(q, "")?;
    if req.ipv6_cidr_block.is_some()
        || req.ipv6_pool.is_some()
        || req.ipv4_ipam_pool_id.is_some()
        || req.ipv6_ipam_pool_id.is_some()
    {
        return Err(ApiError::invalid_value(
            "Only CidrBlock or AmazonProvidedIpv6CidrBlock are served by the lab.",
        ));
    }
    let vpc_id = req.vpc_id.clone();
    let op = Operation::AssociateVpcCidrBlock {
        vpc_id: req.vpc_id,
        cidr_block: req.cidr_block,
        amazon_provided_ipv6_cidr_block: req.amazon_provided_ipv6_cidr_block.unwrap_or(false),
    };
    Ok(Plan::write(op, move |lab, outcome| {
        let Outcome::Created(assoc) = outcome else {
            return Err(ApiError::internal("no association"));
        };
        let mut out = shapes::AssociateVpcCidrBlockResult {
            vpc_id: Some(vpc_id.clone()),
            ..Default::default()
        };
        if let Some(vpc) = lab.vpc(&vpc_id) {
            if let Some(b) = vpc
                .cidr_block_associations
                .iter()
                .find(|b| b.association_id.as_str() == assoc)
            {
                out.cidr_block_association = Some(shapes::VpcCidrBlockAssociation {
                    association_id: Some(assoc.clone()),
                    cidr_block: Some(b.cidr.to_string()),
                    cidr_block_state: associated(),
                });
            }
            if let Some(b) = vpc
                .ipv6_cidr_block_associations
                .iter()
                .find(|b| b.association_id.as_str() == assoc)
            {
                out.ipv6_cidr_block_association = Some(ipv6_association(vpc, b));
            }
        }
        Ok(out)
    }))
}

fn disassociate_vpc_cidr_block(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::DisassociateVpcCidrBlockRequest::from_query(q, "")?;
    let association_id = req.association_id.clone();
    let op = Operation::DisassociateVpcCidrBlock {
        association_id: req.association_id,
    };
    Ok(Plan::write(op, move |_, outcome| {
        let Outcome::Disassociated { vpc_id, cidr } = outcome else {
            return Err(ApiError::internal("no block was disassociated"));
        };
        let state = || {
            Some(shapes::VpcCidrBlockState {
                state: Some("disassociating".into()),
                status_message: None,
            })
        };
        let mut out = shapes::DisassociateVpcCidrBlockResult {
            vpc_id: Some(vpc_id),
            ..Default::default()
        };
        match cidr {
            ipnet::IpNet::V4(c) => {
                out.cidr_block_association = Some(shapes::VpcCidrBlockAssociation {
                    association_id: Some(association_id),
                    cidr_block: Some(c.to_string()),
                    cidr_block_state: state(),
                })
            }
            ipnet::IpNet::V6(c) => {
                out.ipv6_cidr_block_association = Some(shapes::VpcIpv6CidrBlockAssociation {
                    association_id: Some(association_id),
                    ipv6_cidr_block: Some(c.to_string()),
                    ipv6_cidr_block_state: state(),
                    ..Default::default()
                })
            }
        }
        Ok(out)
    }))
}

fn create_default_vpc(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let _ = shapes::CreateDefaultVpcRequest::from_query(q, "")?;
    Ok(Plan::write(Operation::CreateDefaultVpc, |lab, outcome| {
        Ok(shapes::CreateDefaultVpcResult {
            vpc: created_vpc(lab, &outcome),
        })
    }))
}
