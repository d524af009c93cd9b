//! VPC endpoint services (AWS PrivateLink, provider side): the service configuration
//! (Create/Modify/Describe/DeleteVpcEndpointServiceConfiguration(s)), its allowed
//! principals (Describe/ModifyVpcEndpointServicePermissions), the private DNS name's
//! verification (StartVpcEndpointServicePrivateDnsVerification, at once in the lab), and
//! the consumers' endpoints as the provider sees them
//! (Describe/Accept/RejectVpcEndpointConnections). The consumer side is
//! `vpc_endpoint.rs` (CreateVpcEndpoint, DescribeVpcEndpointServices).

use vpclab_model::{
    AllowedPrincipal, Caller, CreateVpcEndpointServiceConfiguration, Kind, Lab,
    ModifyVpcEndpointServiceConfiguration, Operation, Outcome, VpcEndpoint,
    VpcEndpointServiceConfiguration, VpcEndpointServiceId,
};

use super::describe::{Filters, check_ids, is_tag_filter, one, page, tag_filter, tag_set, wanted};
use super::shapes;
use super::tags::from_specs;
use super::vpc_endpoint::capped;
use super::wire::{FromQuery, Query, Timestamp};
use super::{Handler, Plan};
use crate::error::ApiError;

/// The actions of this module.
pub const ACTIONS: &[(&str, Handler)] = &[
    (
        "CreateVpcEndpointServiceConfiguration",
        create_vpc_endpoint_service_configuration,
    ),
    (
        "ModifyVpcEndpointServiceConfiguration",
        modify_vpc_endpoint_service_configuration,
    ),
    (
        "DescribeVpcEndpointServiceConfigurations",
        describe_vpc_endpoint_service_configurations,
    ),
    (
        "DeleteVpcEndpointServiceConfigurations",
        delete_vpc_endpoint_service_configurations,
    ),
    (
        "DescribeVpcEndpointServicePermissions",
        describe_vpc_endpoint_service_permissions,
    ),
    (
        "ModifyVpcEndpointServicePermissions",
        modify_vpc_endpoint_service_permissions,
    ),
    (
        "StartVpcEndpointServicePrivateDnsVerification",
        start_vpc_endpoint_service_private_dns_verification,
    ),
    (
        "AcceptVpcEndpointConnections",
        accept_vpc_endpoint_connections,
    ),
    (
        "RejectVpcEndpointConnections",
        reject_vpc_endpoint_connections,
    ),
    (
        "DescribeVpcEndpointConnections",
        describe_vpc_endpoint_connections,
    ),
];

/// An endpoint service as its owner sees it (AWS's `ServiceConfiguration`).
pub fn service_configuration_shape(
    lab: &Lab,
    svc: &VpcEndpointServiceConfiguration,
) -> shapes::ServiceConfiguration {
    let zones = lab.endpoint_service_zones(svc);
    shapes::ServiceConfiguration {
        service_type: Some(vec![shapes::ServiceTypeDetail {
            service_type: Some(svc.service_type().to_owned()),
        }]),
        service_id: Some(svc.id.to_string()),
        service_name: Some(svc.service_name.clone()),
        service_state: Some(svc.service_state.as_str().to_owned()),
        availability_zone_ids: Some(zones.iter().map(|z| z.zone_id.clone()).collect()),
        availability_zones: Some(zones.into_iter().map(|z| z.name).collect()),
        acceptance_required: Some(svc.acceptance_required),
        manages_vpc_endpoints: Some(svc.manages_vpc_endpoints),
        network_load_balancer_arns: Some(
            svc.network_load_balancer_arns
                .iter()
                .map(ToString::to_string)
                .collect(),
        ),
        supported_ip_address_types: Some(svc.supported_ip_address_types.clone()),
        base_endpoint_dns_names: Some(svc.base_endpoint_dns_names()),
        private_dns_name: svc.private_dns_name.clone(),
        private_dns_name_configuration: svc.private_dns_name_configuration.as_ref().map(|c| {
            shapes::PrivateDnsNameConfiguration {
                state: Some(c.state.as_str().to_owned()),
                r#type: Some(c.r#type.clone()),
                value: Some(c.value.clone()),
                name: Some(c.name.clone()),
            }
        }),
        tags: Some(tag_set(&svc.tags).unwrap_or_default()),
        ..Default::default()
    }
}

/// An endpoint service as DescribeVpcEndpointServices shows it to those it admits. Its
/// tags are shown to its owner only.
pub fn service_detail_shape(
    lab: &Lab,
    caller: &Caller,
    svc: &VpcEndpointServiceConfiguration,
) -> shapes::ServiceDetail {
    let zones = lab.endpoint_service_zones(svc);
    let tags = if svc.owner_id == caller.account {
        tag_set(&svc.tags).unwrap_or_default()
    } else {
        Vec::new()
    };
    shapes::ServiceDetail {
        service_name: Some(svc.service_name.clone()),
        service_id: Some(svc.id.to_string()),
        service_type: Some(vec![shapes::ServiceTypeDetail {
            service_type: Some(svc.service_type().to_owned()),
        }]),
        service_region: Some(svc.region.name().to_owned()),
        availability_zone_ids: Some(zones.iter().map(|z| z.zone_id.clone()).collect()),
        availability_zones: Some(zones.into_iter().map(|z| z.name).collect()),
        owner: Some(svc.owner_id.to_string()),
        base_endpoint_dns_names: Some(svc.base_endpoint_dns_names()),
        private_dns_name: svc.private_dns_name.clone(),
        private_dns_names: svc.private_dns_name.as_ref().map(|n| {
            vec![shapes::PrivateDnsDetails {
                private_dns_name: Some(n.clone()),
            }]
        }),
        // AWS: endpoint services take no endpoint policy.
        vpc_endpoint_policy_supported: Some(false),
        acceptance_required: Some(svc.acceptance_required),
        manages_vpc_endpoints: Some(svc.manages_vpc_endpoints),
        payer_responsibility: None,
        tags: Some(tags),
        private_dns_name_verification_state: svc
            .private_dns_name_state()
            .map(|s| s.as_str().to_owned()),
        supported_ip_address_types: Some(svc.supported_ip_address_types.clone()),
    }
}

/// AWS's `Unsuccessful` items.
fn unsuccessful(
    failed: Vec<(String, vpclab_model::Error)>,
) -> Option<Vec<shapes::UnsuccessfulItem>> {
    Some(
        failed
            .into_iter()
            .map(|(id, err)| shapes::UnsuccessfulItem {
                resource_id: Some(id),
                error: Some(shapes::UnsuccessfulItemError {
                    code: Some(err.code().to_owned()),
                    message: Some(err.to_string()),
                }),
            })
            .collect(),
    )
}

/// Refuses a parameter the lab does not serve, with `InvalidParameter`.
fn refuse_given<T>(given: &Option<T>, what: &str) -> Result<(), ApiError> {
    match given {
        Some(_) => Err(ApiError::new(
            "InvalidParameter",
            format!("{what} is not served by the lab."),
        )),
        None => Ok(()),
    }
}

fn create_vpc_endpoint_service_configuration(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::CreateVpcEndpointServiceConfigurationRequest::from_query(q, "")?;
    let op =
        Operation::CreateVpcEndpointServiceConfiguration(CreateVpcEndpointServiceConfiguration {
            acceptance_required: req.acceptance_required,
            private_dns_name: req.private_dns_name,
            network_load_balancer_arns: req.network_load_balancer_arns.unwrap_or_default(),
            gateway_load_balancer_arns: req.gateway_load_balancer_arns.unwrap_or_default(),
            supported_ip_address_types: req.supported_ip_address_types.unwrap_or_default(),
            supported_regions: req.supported_regions.unwrap_or_default(),
            tags: from_specs(&req.tag_specifications, "vpc-endpoint-service")?,
        });
    let client_token = req.client_token;
    Ok(Plan::write(op, move |lab, outcome| {
        let Outcome::Created(id) = outcome else {
            return Err(ApiError::internal("no endpoint service was created"));
        };
        Ok(shapes::CreateVpcEndpointServiceConfigurationResult {
            service_configuration: lab
                .vpc_endpoint_service(&id)
                .map(|s| service_configuration_shape(lab, s)),
            client_token,
        })
    }))
}

fn modify_vpc_endpoint_service_configuration(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::ModifyVpcEndpointServiceConfigurationRequest::from_query(q, "")?;
    let op = Operation::ModifyVpcEndpointServiceConfiguration {
        service_id: req.service_id,
        change: ModifyVpcEndpointServiceConfiguration {
            private_dns_name: req.private_dns_name,
            remove_private_dns_name: req.remove_private_dns_name,
            acceptance_required: req.acceptance_required,
            add_network_load_balancer_arns: req.add_network_load_balancer_arns.unwrap_or_default(),
            remove_network_load_balancer_arns: req
                .remove_network_load_balancer_arns
                .unwrap_or_default(),
            add_gateway_load_balancer_arns: req.add_gateway_load_balancer_arns.unwrap_or_default(),
            remove_gateway_load_balancer_arns: req
                .remove_gateway_load_balancer_arns
                .unwrap_or_default(),
            add_supported_ip_address_types: req.add_supported_ip_address_types.unwrap_or_default(),
            remove_supported_ip_address_types: req
                .remove_supported_ip_address_types
                .unwrap_or_default(),
            add_supported_regions: req.add_supported_regions.unwrap_or_default(),
            remove_supported_regions: req.remove_supported_regions.unwrap_or_default(),
        },
    };
    Ok(Plan::write(op, |_, _| {
        Ok(shapes::ModifyVpcEndpointServiceConfigurationResult {
            r#return: Some(true),
        })
    }))
}

/// AWS's documented filters of DescribeVpcEndpointServiceConfigurations (tag filters
/// aside).
const CONFIGURATION_FILTERS: &[&str] = &[
    "service-name",
    "service-id",
    "service-state",
    "supported-ip-address-types",
];

fn configuration_filter(s: &VpcEndpointServiceConfiguration, name: &str) -> Option<Vec<String>> {
    match name {
        "service-name" => one(&s.service_name),
        "service-id" => one(&s.id),
        "service-state" => one(s.service_state.as_str()),
        "supported-ip-address-types" => Some(s.supported_ip_address_types.clone()),
        other => tag_filter(&s.tags, other),
    }
}

fn describe_vpc_endpoint_service_configurations(
    caller: &Caller,
    q: &Query,
) -> Result<Plan, ApiError> {
    let req = shapes::DescribeVpcEndpointServiceConfigurationsRequest::from_query(q, "")?;
    let filters = Filters::new(&req.filters);
    filters.check(|n| CONFIGURATION_FILTERS.contains(&n) || is_tag_filter(n))?;
    let max_results = capped(req.max_results)?;
    let caller = caller.clone();
    Ok(Plan::read(move |lab| {
        let mine = |s: &VpcEndpointServiceConfiguration| {
            s.owner_id == caller.account && s.region == caller.region
        };
        check_ids(
            &req.service_ids,
            Kind::VpcEndpointService,
            |id| VpcEndpointServiceId::parse(id).is_some(),
            |id| lab.vpc_endpoint_service(id).is_some_and(mine),
        )?;
        let found = filters.keep(
            lab.vpc_endpoint_services()
                .filter(|s| mine(s) && wanted(&req.service_ids, s.id.as_str())),
            |s, name| configuration_filter(s, name),
        )?;
        let (services, next_token) = page(found, max_results, &req.next_token, 1)?;
        Ok(shapes::DescribeVpcEndpointServiceConfigurationsResult {
            service_configurations: Some(
                services
                    .into_iter()
                    .map(|s| service_configuration_shape(lab, s))
                    .collect(),
            ),
            next_token,
        })
    }))
}

fn delete_vpc_endpoint_service_configurations(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::DeleteVpcEndpointServiceConfigurationsRequest::from_query(q, "")?;
    let op = Operation::DeleteVpcEndpointServiceConfigurations {
        service_ids: req.service_ids,
    };
    Ok(Plan::write(op, |_, outcome| {
        let Outcome::Unsuccessful(failed) = outcome else {
            return Err(ApiError::internal("no deletion was attempted"));
        };
        Ok(shapes::DeleteVpcEndpointServiceConfigurationsResult {
            unsuccessful: unsuccessful(failed),
        })
    }))
}

/// An allowed principal as the wire shows it.
fn allowed_principal_shape(
    svc: &VpcEndpointServiceId,
    p: &AllowedPrincipal,
) -> shapes::AllowedPrincipal {
    shapes::AllowedPrincipal {
        principal_type: Some(p.principal_type.as_str().to_owned()),
        principal: Some(p.principal.clone()),
        service_permission_id: Some(p.service_permission_id.to_string()),
        tags: Some(Vec::new()),
        service_id: Some(svc.to_string()),
        permission_type: None,
    }
}

/// AWS's documented filters of DescribeVpcEndpointServicePermissions.
const PERMISSION_FILTERS: &[&str] = &["principal", "principal-type"];

fn describe_vpc_endpoint_service_permissions(caller: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::DescribeVpcEndpointServicePermissionsRequest::from_query(q, "")?;
    let filters = Filters::new(&req.filters);
    filters.check(|n| PERMISSION_FILTERS.contains(&n))?;
    let max_results = capped(req.max_results)?;
    let caller = caller.clone();
    Ok(Plan::read(move |lab| {
        let svc = lab.owned_endpoint_service(&caller, &req.service_id)?;
        let found = filters.keep(&svc.allowed_principals, |p, name| match name {
            "principal" => one(&p.principal),
            "principal-type" => one(p.principal_type.as_str()),
            _ => None,
        })?;
        let (principals, next_token) = page(found, max_results, &req.next_token, 1)?;
        Ok(shapes::DescribeVpcEndpointServicePermissionsResult {
            allowed_principals: Some(
                principals
                    .into_iter()
                    .map(|p| allowed_principal_shape(&svc.id, p))
                    .collect(),
            ),
            next_token,
        })
    }))
}

fn modify_vpc_endpoint_service_permissions(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::ModifyVpcEndpointServicePermissionsRequest::from_query(q, "")?;
    refuse_given(&req.permission_type, "PermissionType")?;
    let service_id = req.service_id.clone();
    let op = Operation::ModifyVpcEndpointServicePermissions {
        service_id: req.service_id,
        add_allowed_principals: req.add_allowed_principals.unwrap_or_default(),
        remove_allowed_principals: req.remove_allowed_principals.unwrap_or_default(),
    };
    Ok(Plan::write(op, move |_, outcome| {
        let Outcome::AddedPrincipals(added) = outcome else {
            return Err(ApiError::internal("no permission was changed"));
        };
        Ok(shapes::ModifyVpcEndpointServicePermissionsResult {
            added_principals: Some(
                added
                    .into_iter()
                    .map(|p| shapes::AddedPrincipal {
                        principal_type: Some(p.principal_type.as_str().to_owned()),
                        principal: Some(p.principal),
                        service_permission_id: Some(p.service_permission_id.to_string()),
                        service_id: Some(service_id.clone()),
                        permission_type: None,
                    })
                    .collect(),
            ),
            return_value: Some(true),
        })
    }))
}

fn start_vpc_endpoint_service_private_dns_verification(
    _: &Caller,
    q: &Query,
) -> Result<Plan, ApiError> {
    let req = shapes::StartVpcEndpointServicePrivateDnsVerificationRequest::from_query(q, "")?;
    let op = Operation::StartVpcEndpointServicePrivateDnsVerification {
        service_id: req.service_id,
    };
    Ok(Plan::write(op, |_, _| {
        Ok(
            shapes::StartVpcEndpointServicePrivateDnsVerificationResult {
                return_value: Some(true),
            },
        )
    }))
}

fn accept_vpc_endpoint_connections(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::AcceptVpcEndpointConnectionsRequest::from_query(q, "")?;
    refuse_given(
        &req.transit_gateway_attachment_ids,
        "TransitGatewayAttachmentIds",
    )?;
    let op = Operation::AcceptVpcEndpointConnections {
        service_id: req.service_id,
        vpc_endpoint_ids: req.vpc_endpoint_ids,
    };
    Ok(Plan::write(op, |_, outcome| {
        let Outcome::Unsuccessful(failed) = outcome else {
            return Err(ApiError::internal("no connection was decided"));
        };
        Ok(shapes::AcceptVpcEndpointConnectionsResult {
            unsuccessful: unsuccessful(failed),
        })
    }))
}

fn reject_vpc_endpoint_connections(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::RejectVpcEndpointConnectionsRequest::from_query(q, "")?;
    refuse_given(
        &req.transit_gateway_attachment_ids,
        "TransitGatewayAttachmentIds",
    )?;
    let op = Operation::RejectVpcEndpointConnections {
        service_id: req.service_id,
        vpc_endpoint_ids: req.vpc_endpoint_ids,
    };
    Ok(Plan::write(op, |_, outcome| {
        let Outcome::Unsuccessful(failed) = outcome else {
            return Err(ApiError::internal("no connection was decided"));
        };
        Ok(shapes::RejectVpcEndpointConnectionsResult {
            unsuccessful: unsuccessful(failed),
        })
    }))
}

/// AWS's documented filters of DescribeVpcEndpointConnections.
const CONNECTION_FILTERS: &[&str] = &[
    "ip-address-type",
    "service-id",
    "vpc-endpoint-owner",
    "vpc-endpoint-region",
    "vpc-endpoint-state",
    "vpc-endpoint-id",
];

fn connection_filter(
    e: &VpcEndpoint,
    svc: &VpcEndpointServiceId,
    name: &str,
) -> Option<Vec<String>> {
    match name {
        "ip-address-type" => Some(e.ip_address_type.iter().cloned().collect()),
        "service-id" => one(svc),
        "vpc-endpoint-owner" => one(&e.owner_id),
        "vpc-endpoint-region" => one(e.region.name()),
        "vpc-endpoint-state" => one(e.state.as_str()),
        "vpc-endpoint-id" => one(&e.id),
        _ => None,
    }
}

/// A consumer's endpoint as its service's owner sees it: the connection, never the
/// consumer's VPC, subnets or groups.
fn connection_shape(
    e: &VpcEndpoint,
    svc: &VpcEndpointServiceConfiguration,
) -> shapes::VpcEndpointConnection {
    shapes::VpcEndpointConnection {
        service_id: Some(svc.id.to_string()),
        vpc_endpoint_id: Some(e.id.to_string()),
        vpc_endpoint_owner: Some(e.owner_id.to_string()),
        vpc_endpoint_state: Some(e.state.as_str().to_owned()),
        creation_timestamp: Some(Timestamp(e.creation_timestamp.0)),
        dns_entries: Some(
            e.dns_entries
                .iter()
                .map(|d| shapes::DnsEntry {
                    dns_name: Some(d.dns_name.clone()),
                    hosted_zone_id: Some(d.hosted_zone_id.clone()),
                })
                .collect(),
        ),
        network_load_balancer_arns: Some(
            svc.network_load_balancer_arns
                .iter()
                .map(ToString::to_string)
                .collect(),
        ),
        ip_address_type: e.ip_address_type.clone(),
        vpc_endpoint_connection_id: e.connection_id.as_ref().map(ToString::to_string),
        vpc_endpoint_region: Some(e.region.name().to_owned()),
        ..Default::default()
    }
}

fn describe_vpc_endpoint_connections(caller: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::DescribeVpcEndpointConnectionsRequest::from_query(q, "")?;
    let filters = Filters::new(&req.filters);
    filters.check(|n| CONNECTION_FILTERS.contains(&n))?;
    let max_results = capped(req.max_results)?;
    let caller = caller.clone();
    Ok(Plan::read(move |lab| {
        let mut found = Vec::new();
        for svc in lab
            .vpc_endpoint_services()
            .filter(|s| s.owner_id == caller.account && s.region == caller.region)
        {
            for e in lab.endpoints_of_service(&svc.id) {
                if filters.matches(|name| connection_filter(e, &svc.id, name))? {
                    found.push((e, svc));
                }
            }
        }
        let (connections, next_token) = page(found, max_results, &req.next_token, 1)?;
        Ok(shapes::DescribeVpcEndpointConnectionsResult {
            vpc_endpoint_connections: Some(
                connections
                    .into_iter()
                    .map(|(e, svc)| connection_shape(e, svc))
                    .collect(),
            ),
            next_token,
        })
    }))
}
