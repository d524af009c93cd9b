//! Load balancers: CreateLoadBalancer, DescribeLoadBalancers, DeleteLoadBalancer,
//! DescribeLoadBalancerAttributes, ModifyLoadBalancerAttributes, SetSecurityGroups.

use vpclab_model::{
    Caller, CreateLoadBalancer, Lab, LoadBalancer, Operation, Outcome, SubnetMapping,
};

use super::shapes;
use super::{attribute_pairs, page, read, tags_from};
use crate::ec2::network_interface::{mine, wire_time};
use crate::ec2::wire::Query;
use crate::ec2::{Handler, Plan};
use crate::error::ApiError;

/// The actions of this module.
pub const ACTIONS: &[(&str, Handler)] = &[
    ("CreateLoadBalancer", create_load_balancer),
    ("DescribeLoadBalancers", describe_load_balancers),
    ("DeleteLoadBalancer", delete_load_balancer),
    (
        "DescribeLoadBalancerAttributes",
        describe_load_balancer_attributes,
    ),
    (
        "ModifyLoadBalancerAttributes",
        modify_load_balancer_attributes,
    ),
    ("SetSecurityGroups", set_security_groups),
];

/// A load balancer as the wire shows it.
pub fn load_balancer_shape(lb: &LoadBalancer) -> shapes::LoadBalancer {
    shapes::LoadBalancer {
        load_balancer_arn: Some(lb.arn.to_string()),
        dns_name: Some(lb.dns_name.clone()),
        canonical_hosted_zone_id: Some(lb.canonical_hosted_zone_id.clone()),
        created_time: Some(wire_time(lb.created_time)),
        load_balancer_name: Some(lb.name.clone()),
        scheme: Some(lb.scheme.as_str().into()),
        vpc_id: Some(lb.vpc_id.to_string()),
        state: Some(shapes::LoadBalancerState {
            code: Some(lb.state.as_str().into()),
            reason: None,
        }),
        r#type: Some(lb.load_balancer_type().into()),
        availability_zones: Some(
            lb.availability_zones
                .iter()
                .map(|z| shapes::AvailabilityZone {
                    zone_name: Some(z.zone_name.clone()),
                    subnet_id: Some(z.subnet_id.to_string()),
                    load_balancer_addresses: Some(vec![shapes::LoadBalancerAddress {
                        ip_address: z.ip_address.map(|ip| ip.to_string()),
                        allocation_id: z.allocation_id.as_ref().map(|a| a.to_string()),
                        // AWS shows the private address of internal nodes only.
                        private_ipv4_address: (lb.scheme == vpclab_model::Scheme::Internal)
                            .then(|| z.private_ipv4_address.to_string()),
                        ipv6_address: None,
                    }]),
                    ..Default::default()
                })
                .collect(),
        ),
        // A load balancer created without security groups has none, and AWS leaves the
        // element out.
        security_groups: (!lb.security_groups.is_empty())
            .then(|| lb.security_groups.iter().map(|g| g.to_string()).collect()),
        ip_address_type: Some(lb.ip_address_type.clone()),
        enforce_security_group_inbound_rules_on_private_link_traffic: (!lb
            .security_groups
            .is_empty())
        .then(|| on_off(lb.enforce_inbound_rules_on_private_link).into()),
        ..Default::default()
    }
}

fn create_load_balancer(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req: shapes::CreateLoadBalancerInput = read(q)?;
    if req.customer_owned_ipv4_pool.is_some() || req.ipam_pools.is_some() {
        return Err(ApiError::new(
            "InvalidConfigurationRequest",
            "vpclab serves neither customer-owned address pools nor IPAM pools",
        ));
    }
    let mappings = req
        .subnet_mappings
        .unwrap_or_default()
        .into_iter()
        .map(|m| SubnetMapping {
            subnet_id: m.subnet_id.unwrap_or_default(),
            allocation_id: m.allocation_id,
            private_ipv4_address: m.private_ipv4_address,
            ipv6_address: m.ipv6_address,
        })
        .collect();
    let op = Operation::CreateLoadBalancer(CreateLoadBalancer {
        name: req.name,
        subnets: req.subnets.unwrap_or_default(),
        subnet_mappings: mappings,
        security_groups: req.security_groups.unwrap_or_default(),
        scheme: req.scheme,
        load_balancer_type: req.r#type,
        ip_address_type: req.ip_address_type,
        tags: tags_from(&req.tags)?,
    });
    Ok(Plan::write(op, |lab: &Lab, outcome| {
        let Outcome::Created(arn) = outcome else {
            return Err(ApiError::internal("CreateLoadBalancer created nothing"));
        };
        let lb = lab
            .load_balancer(&arn)
            .ok_or_else(|| ApiError::internal("the new load balancer is missing"))?;
        Ok(shapes::CreateLoadBalancerOutput {
            load_balancers: Some(vec![load_balancer_shape(lb)]),
        })
    }))
}

fn not_found() -> ApiError {
    ApiError::new(
        "LoadBalancerNotFound",
        "One or more load balancers not found",
    )
}

fn describe_load_balancers(caller: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req: shapes::DescribeLoadBalancersInput = read(q)?;
    let caller = caller.clone();
    Ok(Plan::read(move |lab| {
        let mut found: Vec<&LoadBalancer> = Vec::new();
        match (&req.load_balancer_arns, &req.names) {
            (Some(_), Some(_)) => {
                return Err(ApiError::new(
                    "ValidationError",
                    "Load balancer names and load balancer ARNs cannot be specified at the same time",
                ));
            }
            (Some(arns), None) => {
                for arn in arns {
                    let lb = lab
                        .owned_load_balancer(&caller, arn)
                        .map_err(ApiError::from)?;
                    if !found.iter().any(|f| f.arn == lb.arn) {
                        found.push(lb);
                    }
                }
            }
            (None, Some(names)) => {
                for name in names {
                    let lb = lab
                        .load_balancers()
                        .find(|lb| mine(&caller, *lb) && &lb.name == name)
                        .ok_or_else(not_found)?;
                    if !found.iter().any(|f| f.arn == lb.arn) {
                        found.push(lb);
                    }
                }
            }
            (None, None) => {
                found = lab
                    .load_balancers()
                    .filter(|lb| mine(&caller, *lb))
                    .collect()
            }
        }
        let (items, next) = page(found, &req.marker, req.page_size)?;
        Ok(shapes::DescribeLoadBalancersOutput {
            load_balancers: Some(items.into_iter().map(load_balancer_shape).collect()),
            next_marker: next,
        })
    }))
}

fn delete_load_balancer(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req: shapes::DeleteLoadBalancerInput = read(q)?;
    Ok(Plan::write(
        Operation::DeleteLoadBalancer {
            load_balancer_arn: req.load_balancer_arn,
        },
        |_, _| Ok(shapes::DeleteLoadBalancerOutput {}),
    ))
}

fn attributes_shape(lb: &LoadBalancer) -> Vec<shapes::LoadBalancerAttribute> {
    lb.attributes()
        .into_iter()
        .map(|(k, v)| shapes::LoadBalancerAttribute {
            key: Some(k),
            value: Some(v),
        })
        .collect()
}

fn describe_load_balancer_attributes(caller: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req: shapes::DescribeLoadBalancerAttributesInput = read(q)?;
    let caller = caller.clone();
    Ok(Plan::read(move |lab| {
        let lb = lab
            .owned_load_balancer(&caller, &req.load_balancer_arn)
            .map_err(ApiError::from)?;
        Ok(shapes::DescribeLoadBalancerAttributesOutput {
            attributes: Some(attributes_shape(lb)),
        })
    }))
}

fn on_off(on: bool) -> &'static str {
    if on { "on" } else { "off" }
}

fn set_security_groups(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req: shapes::SetSecurityGroupsInput = read(q)?;
    let enforce = match req
        .enforce_security_group_inbound_rules_on_private_link_traffic
        .as_deref()
    {
        None => None,
        Some("on") => Some(true),
        Some("off") => Some(false),
        Some(other) => {
            return Err(ApiError::new(
                "ValidationError",
                format!(
                    "1 validation error detected: Value '{other}' at 'enforceSecurityGroupInboundRulesOnPrivateLinkTraffic' failed to satisfy constraint: Member must satisfy enum value set: [on, off]"
                ),
            ));
        }
    };
    let arn = req.load_balancer_arn.clone();
    Ok(Plan::write(
        Operation::SetLoadBalancerSecurityGroups {
            load_balancer_arn: req.load_balancer_arn,
            security_groups: req.security_groups,
            enforce_on_private_link: enforce,
        },
        move |lab: &Lab, _| {
            let lb = lab
                .load_balancer(&arn)
                .ok_or_else(|| ApiError::internal("the load balancer is missing"))?;
            Ok(shapes::SetSecurityGroupsOutput {
                security_group_ids: Some(
                    lb.security_groups.iter().map(|g| g.to_string()).collect(),
                ),
                enforce_security_group_inbound_rules_on_private_link_traffic: Some(
                    on_off(lb.enforce_inbound_rules_on_private_link).into(),
                ),
            })
        },
    ))
}

fn modify_load_balancer_attributes(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req: shapes::ModifyLoadBalancerAttributesInput = read(q)?;
    let attributes = attribute_pairs(req.attributes.iter().map(|a| (&a.key, &a.value)))?;
    let arn = req.load_balancer_arn.clone();
    Ok(Plan::write(
        Operation::ModifyLoadBalancerAttributes {
            load_balancer_arn: req.load_balancer_arn,
            attributes,
        },
        move |lab: &Lab, _| {
            let lb = lab
                .load_balancer(&arn)
                .ok_or_else(|| ApiError::internal("the load balancer is missing"))?;
            Ok(shapes::ModifyLoadBalancerAttributesOutput {
                attributes: Some(attributes_shape(lb)),
            })
        },
    ))
}
