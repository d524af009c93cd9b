//! Subnets: CreateSubnet, DescribeSubnets, DeleteSubnet, ModifySubnetAttribute,
//! Associate/DisassociateSubnetCidrBlock.

use vpclab_model::{
    Caller, CreateSubnet, Kind, Lab, Operation, Outcome, Subnet, SubnetAttribute, SubnetId,
    SubnetIpv6CidrBlock,
};

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
    ("CreateSubnet", create_subnet),
    ("DescribeSubnets", describe_subnets),
    ("DeleteSubnet", delete_subnet),
    ("ModifySubnetAttribute", modify_subnet_attribute),
    ("AssociateSubnetCidrBlock", associate_subnet_cidr_block),
    (
        "DisassociateSubnetCidrBlock",
        disassociate_subnet_cidr_block,
    ),
];

/// `arn:aws:ec2:<region>:<account>:subnet/<id>`.
pub fn subnet_arn(subnet: &Subnet) -> String {
    format!(
        "arn:aws:ec2:{}:{}:subnet/{}",
        subnet.region.name(),
        subnet.owner_id,
        subnet.id
    )
}

/// What a subnet shows that the lab does not vary: every subnet is dual-stack or
/// IPv4-only (never IPv6-only), has no DNS64, no Outpost or customer-owned pool, and
/// names instances after their addresses (`ip-name`), as AWS's defaults are.
const HOSTNAME_TYPE: &str = "ip-name";

fn state(state: &str) -> Option<shapes::SubnetCidrBlockState> {
    Some(shapes::SubnetCidrBlockState {
        state: Some(state.into()),
        status_message: None,
    })
}

fn ipv6_association(
    association_id: &str,
    cidr: &ipnet::Ipv6Net,
    block_state: &str,
) -> shapes::SubnetIpv6CidrBlockAssociation {
    shapes::SubnetIpv6CidrBlockAssociation {
        association_id: Some(association_id.to_owned()),
        ipv6_cidr_block: Some(cidr.to_string()),
        ipv6_cidr_block_state: state(block_state),
        // The lab's IPv6 blocks come from Amazon's pool: public (GUA) addresses.
        ipv6_address_attribute: Some("public".into()),
        ip_source: Some("amazon".into()),
    }
}

fn v6_shape(b: &SubnetIpv6CidrBlock) -> shapes::SubnetIpv6CidrBlockAssociation {
    ipv6_association(b.association_id.as_str(), &b.cidr, "associated")
}

/// A subnet as the wire shows it.
pub fn subnet_shape(lab: &Lab, subnet: &Subnet) -> shapes::Subnet {
    shapes::Subnet {
        subnet_id: Some(subnet.id.to_string()),
        subnet_arn: Some(subnet_arn(subnet)),
        owner_id: Some(subnet.owner_id.to_string()),
        vpc_id: Some(subnet.vpc_id.to_string()),
        state: Some("available".into()),
        cidr_block: Some(subnet.cidr_block.to_string()),
        ipv6_cidr_block_association_set: Some(
            subnet
                .ipv6_cidr_block_associations
                .iter()
                .map(v6_shape)
                .collect(),
        ),
        available_ip_address_count: Some(
            i32::try_from(lab.available_ip_address_count(subnet)).unwrap_or(i32::MAX),
        ),
        availability_zone: Some(subnet.availability_zone.clone()),
        availability_zone_id: Some(subnet.availability_zone_id.clone()),
        default_for_az: Some(subnet.default_for_az),
        map_public_ip_on_launch: Some(subnet.map_public_ip_on_launch),
        map_customer_owned_ip_on_launch: Some(false),
        assign_ipv6_address_on_creation: Some(subnet.assign_ipv6_address_on_creation),
        enable_dns64: Some(false),
        ipv6_native: Some(false),
        private_dns_name_options_on_launch: Some(shapes::PrivateDnsNameOptionsOnLaunch {
            hostname_type: Some(HOSTNAME_TYPE.into()),
            enable_resource_name_dns_a_record: Some(false),
            enable_resource_name_dns_aaaa_record: Some(false),
        }),
        block_public_access_states: Some(shapes::BlockPublicAccessStates {
            internet_gateway_block_mode: Some("off".into()),
        }),
        tags: tag_set(&subnet.tags),
        ..Default::default()
    }
}

/// DescribeSubnets' filters (AWS's documented names, with the camel-case aliases AWS
/// also accepts).
const SUBNET_FILTERS: &[&str] = &[
    "availability-zone",
    "availabilityZone",
    "availability-zone-id",
    "availabilityZoneId",
    "available-ip-address-count",
    "cidr-block",
    "cidr",
    "cidrBlock",
    "customer-owned-ipv4-pool",
    "default-for-az",
    "defaultForAz",
    "enable-dns64",
    "enable-lni-at-device-index",
    "ipv6-cidr-block-association.ipv6-cidr-block",
    "ipv6-cidr-block-association.association-id",
    "ipv6-cidr-block-association.state",
    "ipv6-native",
    "map-customer-owned-ip-on-launch",
    "map-public-ip-on-launch",
    "outpost-arn",
    "owner-id",
    "private-dns-name-options-on-launch.hostname-type",
    "private-dns-name-options-on-launch.enable-resource-name-dns-a-record",
    "private-dns-name-options-on-launch.enable-resource-name-dns-aaaa-record",
    "state",
    "subnet-arn",
    "subnet-id",
    "vpc-id",
];

/// A subnet's values for DescribeSubnets' filters.
fn subnet_filter(lab: &Lab, subnet: &Subnet, name: &str) -> Option<Vec<String>> {
    let v6 = || subnet.ipv6_cidr_block_associations.iter();
    match name {
        "availability-zone" | "availabilityZone" => one(&subnet.availability_zone),
        "availability-zone-id" | "availabilityZoneId" => one(&subnet.availability_zone_id),
        "available-ip-address-count" => one(lab.available_ip_address_count(subnet)),
        "cidr-block" | "cidr" | "cidrBlock" => one(subnet.cidr_block),
        "default-for-az" | "defaultForAz" => flag(subnet.default_for_az),
        "enable-dns64"
        | "ipv6-native"
        | "map-customer-owned-ip-on-launch"
        | "private-dns-name-options-on-launch.enable-resource-name-dns-a-record"
        | "private-dns-name-options-on-launch.enable-resource-name-dns-aaaa-record" => flag(false),
        // Settings the lab's subnets never have.
        "customer-owned-ipv4-pool" | "enable-lni-at-device-index" | "outpost-arn" => {
            Some(Vec::new())
        }
        "ipv6-cidr-block-association.ipv6-cidr-block" => {
            Some(v6().map(|b| b.cidr.to_string()).collect())
        }
        "ipv6-cidr-block-association.association-id" => {
            Some(v6().map(|b| b.association_id.to_string()).collect())
        }
        "ipv6-cidr-block-association.state" => Some(v6().map(|_| "associated".into()).collect()),
        "map-public-ip-on-launch" => flag(subnet.map_public_ip_on_launch),
        "owner-id" => one(&subnet.owner_id),
        "private-dns-name-options-on-launch.hostname-type" => one(HOSTNAME_TYPE),
        "state" => one("available"),
        "subnet-arn" => one(subnet_arn(subnet)),
        "subnet-id" => one(&subnet.id),
        "vpc-id" => one(&subnet.vpc_id),
        other => tag_filter(&subnet.tags, other),
    }
}

fn not_served(what: &str) -> ApiError {
    ApiError::invalid_value(format!("{what} is not served by the lab."))
}

fn create_subnet(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::CreateSubnetRequest::from_query(q, "")?;
    if req.ipv4_ipam_pool_id.is_some()
        || req.ipv6_ipam_pool_id.is_some()
        || req.ipv4_netmask_length.is_some()
        || req.ipv6_netmask_length.is_some()
    {
        return Err(not_served(
            "IPAM pool allocation (Ipv4IpamPoolId, Ipv6IpamPoolId, netmask lengths); give CidrBlock",
        ));
    }
    if req.outpost_arn.is_some() {
        return Err(not_served("An Outpost subnet (OutpostArn)"));
    }
    if req.ipv6_native == Some(true) {
        return Err(not_served("An IPv6-only subnet (Ipv6Native)"));
    }
    let cidr_block = req.cidr_block.ok_or_else(|| {
        ApiError::new(
            "MissingParameter",
            "Either 'cidrBlock' or 'ipv4IpamPoolId' should be provided.",
        )
    })?;
    let op = Operation::CreateSubnet(CreateSubnet {
        vpc_id: req.vpc_id,
        cidr_block,
        ipv6_cidr_block: req.ipv6_cidr_block,
        availability_zone: req.availability_zone,
        availability_zone_id: req.availability_zone_id,
        tags: from_specs(&req.tag_specifications, "subnet")?,
    });
    Ok(Plan::write(op, |lab, outcome| {
        let subnet = match &outcome {
            Outcome::Created(id) => lab.subnet(id).map(|s| subnet_shape(lab, s)),
            _ => None,
        };
        Ok(shapes::CreateSubnetResult { subnet })
    }))
}

fn describe_subnets(caller: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::DescribeSubnetsRequest::from_query(q, "")?;
    ids_or_page(&req.subnet_ids, req.max_results, "subnetIds")?;
    let filters = Filters::new(&req.filters);
    filters.check(|n| SUBNET_FILTERS.contains(&n) || is_tag_filter(n))?;
    let caller = caller.clone();
    Ok(Plan::read(move |lab| {
        let mine = |s: &&Subnet| s.owner_id == caller.account && s.region == caller.region;
        check_ids(
            &req.subnet_ids,
            Kind::Subnet,
            |id| SubnetId::parse(id).is_some(),
            |id| lab.subnet(id).is_some_and(|s| mine(&s)),
        )?;
        let found = filters.keep(
            lab.subnets()
                .filter(mine)
                .filter(|s| wanted(&req.subnet_ids, s.id.as_str())),
            |subnet, name| subnet_filter(lab, subnet, name),
        )?;
        let (subnets, next_token) = page(found, req.max_results, &req.next_token, 5)?;
        Ok(shapes::DescribeSubnetsResult {
            subnets: Some(subnets.into_iter().map(|s| subnet_shape(lab, s)).collect()),
            next_token,
        })
    }))
}

fn delete_subnet(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::DeleteSubnetRequest::from_query(q, "")?;
    Ok(Plan::write_returning_true(Operation::DeleteSubnet {
        subnet_id: req.subnet_id,
    }))
}

fn modify_subnet_attribute(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::ModifySubnetAttributeRequest::from_query(q, "")?;
    // The attributes the lab does not model are refused by name rather than ignored, so
    // a template that relies on one learns it at once.
    let unmodelled = [
        (
            req.map_customer_owned_ip_on_launch.is_some(),
            "MapCustomerOwnedIpOnLaunch",
        ),
        (
            req.customer_owned_ipv4_pool.is_some(),
            "CustomerOwnedIpv4Pool",
        ),
        (req.enable_dns64.is_some(), "EnableDns64"),
        (
            req.private_dns_hostname_type_on_launch.is_some(),
            "PrivateDnsHostnameTypeOnLaunch",
        ),
        (
            req.enable_resource_name_dns_a_record_on_launch.is_some(),
            "EnableResourceNameDnsARecordOnLaunch",
        ),
        (
            req.enable_resource_name_dns_aaaa_record_on_launch.is_some(),
            "EnableResourceNameDnsAAAARecordOnLaunch",
        ),
        (
            req.enable_lni_at_device_index.is_some(),
            "EnableLniAtDeviceIndex",
        ),
        (
            req.disable_lni_at_device_index.is_some(),
            "DisableLniAtDeviceIndex",
        ),
    ];
    if let Some((_, name)) = unmodelled.iter().find(|(given, _)| *given) {
        return Err(ApiError::invalid_value(format!(
            "The subnet attribute {name} is not modelled by the lab; it serves MapPublicIpOnLaunch and AssignIpv6AddressOnCreation."
        )));
    }
    let given = [
        req.map_public_ip_on_launch
            .as_ref()
            .map(|v| SubnetAttribute::MapPublicIpOnLaunch(v.value.unwrap_or(false))),
        req.assign_ipv6_address_on_creation
            .as_ref()
            .map(|v| SubnetAttribute::AssignIpv6AddressOnCreation(v.value.unwrap_or(false))),
    ];
    // AWS: one attribute per call.
    let attribute = match given {
        [Some(a), None] | [None, Some(a)] => a,
        [None, None] => {
            return Err(ApiError::new(
                "MissingParameter",
                "The request must contain exactly one attribute: MapPublicIpOnLaunch or AssignIpv6AddressOnCreation",
            ));
        }
        [Some(_), Some(_)] => {
            return Err(ApiError::new(
                "InvalidParameterCombination",
                "Fields for multiple attribute types specified: mapPublicIpOnLaunch, assignIpv6AddressOnCreation",
            ));
        }
    };
    Ok(Plan::write_returning_true(
        Operation::ModifySubnetAttribute {
            subnet_id: req.subnet_id,
            attribute,
        },
    ))
}

fn associate_subnet_cidr_block(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::AssociateSubnetCidrBlockRequest::from_query(q, "")?;
    if req.ipv6_ipam_pool_id.is_some() || req.ipv6_netmask_length.is_some() {
        return Err(not_served(
            "IPAM pool allocation (Ipv6IpamPoolId, Ipv6NetmaskLength); give Ipv6CidrBlock",
        ));
    }
    let ipv6_cidr_block = req.ipv6_cidr_block.ok_or_else(|| {
        ApiError::new(
            "MissingParameter",
            "Either 'ipv6CidrBlock' or 'ipv6IpamPoolId' should be provided.",
        )
    })?;
    let subnet_id = req.subnet_id.clone();
    let op = Operation::AssociateSubnetCidrBlock {
        subnet_id: req.subnet_id,
        ipv6_cidr_block,
    };
    Ok(Plan::write(op, move |lab, outcome| {
        let Outcome::Created(assoc) = outcome else {
            return Err(ApiError::internal("no block was associated"));
        };
        let block = lab
            .subnet(&subnet_id)
            .and_then(|s| {
                s.ipv6_cidr_block_associations
                    .iter()
                    .find(|b| b.association_id.as_str() == assoc)
            })
            .ok_or_else(|| ApiError::internal("the associated block is gone"))?;
        Ok(shapes::AssociateSubnetCidrBlockResult {
            subnet_id: Some(subnet_id),
            // AWS answers while the association is still being made.
            ipv6_cidr_block_association: Some(ipv6_association(&assoc, &block.cidr, "associating")),
        })
    }))
}

fn disassociate_subnet_cidr_block(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::DisassociateSubnetCidrBlockRequest::from_query(q, "")?;
    let association_id = req.association_id.clone();
    let op = Operation::DisassociateSubnetCidrBlock {
        association_id: req.association_id,
    };
    Ok(Plan::write(op, move |_, outcome| {
        let Outcome::SubnetCidrDisassociated { subnet_id, cidr } = outcome else {
            return Err(ApiError::internal("no block was disassociated"));
        };
        Ok(shapes::DisassociateSubnetCidrBlockResult {
            subnet_id: Some(subnet_id.to_string()),
            ipv6_cidr_block_association: Some(ipv6_association(
                &association_id,
                &cidr,
                "disassociating",
            )),
        })
    }))
}
