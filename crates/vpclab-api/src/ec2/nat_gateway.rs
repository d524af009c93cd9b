//! NAT gateways: CreateNatGateway, DescribeNatGateways, DeleteNatGateway.

use vpclab_model::{
    Caller, CreateNatGateway, Kind, Lab, NatGateway, NatGatewayId, NatGatewayState, Operation,
    Outcome,
};

use super::describe::{Filters, check_ids, is_tag_filter, one, page, tag_filter, tag_set, wanted};
use super::network_interface::{mine, unserved, wire_time};
use super::shapes;
use super::tags::from_specs;
use super::wire::{FromQuery, Query};
use super::{Handler, Plan};
use crate::error::ApiError;

/// The actions of this module.
pub const ACTIONS: &[(&str, Handler)] = &[
    ("CreateNatGateway", create_nat_gateway),
    ("DescribeNatGateways", describe_nat_gateways),
    ("DeleteNatGateway", delete_nat_gateway),
];

/// The NAT gateway's one address (the lab's NAT gateways have no secondary addresses).
fn address(lab: &Lab, nat: &NatGateway) -> shapes::NatGatewayAddress {
    let association_id = nat
        .network_interface_id
        .as_ref()
        .and_then(|e| lab.network_interface(e.as_str()))
        .and_then(|e| e.private_ips.iter().find(|p| p.address == nat.private_ip))
        .and_then(|p| p.association.as_ref())
        .and_then(|a| a.association_id.as_ref())
        .map(|a| a.to_string());
    let failed = nat.state == NatGatewayState::Failed;
    shapes::NatGatewayAddress {
        allocation_id: nat.allocation_id.as_ref().map(|a| a.to_string()),
        network_interface_id: nat.network_interface_id.as_ref().map(|e| e.to_string()),
        // A failed gateway never got its interface, so it has no address of its own.
        private_ip: (!failed).then(|| nat.private_ip.to_string()),
        public_ip: nat.public_ip.map(|ip| ip.to_string()),
        association_id,
        is_primary: Some(true),
        failure_message: nat.failure.as_ref().map(|(_, m)| m.clone()),
        status: match nat.state {
            NatGatewayState::Failed => Some("failed".into()),
            NatGatewayState::Deleted | NatGatewayState::Deleting => None,
            _ => Some("succeeded".into()),
        },
        ..Default::default()
    }
}

/// A NAT gateway as the wire shows it.
pub fn nat_gateway_shape(lab: &Lab, nat: &NatGateway) -> shapes::NatGateway {
    shapes::NatGateway {
        create_time: Some(wire_time(nat.create_time)),
        delete_time: nat.delete_time.map(wire_time),
        failure_code: nat.failure.as_ref().map(|(c, _)| c.clone()),
        failure_message: nat.failure.as_ref().map(|(_, m)| m.clone()),
        nat_gateway_addresses: Some(vec![address(lab, nat)]),
        nat_gateway_id: Some(nat.id.to_string()),
        state: Some(nat.state.as_str().into()),
        subnet_id: Some(nat.subnet_id.to_string()),
        vpc_id: Some(nat.vpc_id.to_string()),
        tags: tag_set(&nat.tags),
        connectivity_type: Some(nat.connectivity_type.as_str().into()),
        availability_mode: Some("zonal".into()),
        ..Default::default()
    }
}

/// DescribeNatGateways' filters (AWS's documented names).
const NAT_GATEWAY_FILTERS: &[&str] = &["nat-gateway-id", "state", "subnet-id", "vpc-id"];

fn nat_gateway_filter(nat: &NatGateway, name: &str) -> Option<Vec<String>> {
    match name {
        "nat-gateway-id" => one(&nat.id),
        "state" => one(nat.state.as_str()),
        "subnet-id" => one(&nat.subnet_id),
        "vpc-id" => one(&nat.vpc_id),
        other => tag_filter(&nat.tags, other),
    }
}

fn create_nat_gateway(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::CreateNatGatewayRequest::from_query(q, "")?;
    unserved(&req.secondary_allocation_ids, "SecondaryAllocationId")?;
    unserved(
        &req.secondary_private_ip_addresses,
        "SecondaryPrivateIpAddress",
    )?;
    unserved(
        &req.secondary_private_ip_address_count,
        "SecondaryPrivateIpAddressCount",
    )?;
    unserved(&req.availability_zone_addresses, "AvailabilityZoneAddress")?;
    unserved(&req.vpc_id, "VpcId")?;
    if let Some(m) = req.availability_mode.as_deref().filter(|m| *m != "zonal") {
        return Err(ApiError::invalid_value(format!(
            "Value ({m}) for parameter AvailabilityMode is invalid. The lab's NAT gateways are zonal."
        )));
    }
    let subnet_id = req.subnet_id.clone().ok_or_else(|| {
        ApiError::new(
            "MissingParameter",
            "The request must contain the parameter SubnetId",
        )
    })?;
    let client_token = req.client_token.clone();
    let op = Operation::CreateNatGateway(CreateNatGateway {
        subnet_id,
        connectivity_type: req.connectivity_type,
        allocation_id: req.allocation_id,
        private_ip_address: req.private_ip_address,
        tags: from_specs(&req.tag_specifications, "natgateway")?,
    });
    Ok(Plan::write(op, move |lab, outcome| {
        Ok(shapes::CreateNatGatewayResult {
            client_token,
            nat_gateway: match outcome {
                Outcome::Created(id) => lab.nat_gateway(&id).map(|n| nat_gateway_shape(lab, n)),
                _ => None,
            },
        })
    }))
}

fn describe_nat_gateways(caller: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::DescribeNatGatewaysRequest::from_query(q, "")?;
    // botocore calls this action's filters `Filter` (every other Describe: `Filters`);
    // on the wire both are `Filter.N`.
    let filters = Filters::new(&req.filter);
    filters.check(|n| NAT_GATEWAY_FILTERS.contains(&n) || is_tag_filter(n))?;
    let caller = caller.clone();
    Ok(Plan::read(move |lab| {
        check_ids(
            &req.nat_gateway_ids,
            Kind::NatGateway,
            |id| NatGatewayId::parse(id).is_some(),
            |id| lab.nat_gateway(id).is_some_and(|n| mine(&caller, n)),
        )?;
        let found = filters.keep(
            lab.nat_gateways()
                .filter(|n| mine(&caller, *n))
                .filter(|n| wanted(&req.nat_gateway_ids, n.id.as_str())),
            |nat, name| nat_gateway_filter(nat, name),
        )?;
        let (page, next_token) = page(found, req.max_results, &req.next_token, 5)?;
        Ok(shapes::DescribeNatGatewaysResult {
            nat_gateways: Some(
                page.into_iter()
                    .map(|n| nat_gateway_shape(lab, n))
                    .collect(),
            ),
            next_token,
        })
    }))
}

fn delete_nat_gateway(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::DeleteNatGatewayRequest::from_query(q, "")?;
    let id = req.nat_gateway_id.clone();
    let op = Operation::DeleteNatGateway {
        nat_gateway_id: req.nat_gateway_id,
    };
    Ok(Plan::write(op, move |_, _| {
        Ok(shapes::DeleteNatGatewayResult {
            nat_gateway_id: Some(id),
        })
    }))
}
