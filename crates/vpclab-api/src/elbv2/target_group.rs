//! Target groups: Create/Describe/Modify/DeleteTargetGroup, Describe/
//! ModifyTargetGroupAttributes, RegisterTargets, DeregisterTargets.

use vpclab_model::{
    Caller, CreateTargetGroup, HealthCheckSettings, Lab, Operation, Outcome, TargetDescription,
    TargetGroup,
};

use super::shapes;
use super::{attribute_pairs, page, read, tags_from};
use crate::ec2::network_interface::mine;
use crate::ec2::wire::Query;
use crate::ec2::{Handler, Plan};
use crate::error::ApiError;

/// The actions of this module.
pub const ACTIONS: &[(&str, Handler)] = &[
    ("CreateTargetGroup", create_target_group),
    ("DescribeTargetGroups", describe_target_groups),
    ("ModifyTargetGroup", modify_target_group),
    ("DeleteTargetGroup", delete_target_group),
    (
        "DescribeTargetGroupAttributes",
        describe_target_group_attributes,
    ),
    (
        "ModifyTargetGroupAttributes",
        modify_target_group_attributes,
    ),
    ("RegisterTargets", register_targets),
    ("DeregisterTargets", deregister_targets),
];

/// A target group as the wire shows it.
pub fn target_group_shape(lab: &Lab, tg: &TargetGroup) -> shapes::TargetGroup {
    let h = &tg.health_check;
    shapes::TargetGroup {
        target_group_arn: Some(tg.arn.to_string()),
        target_group_name: Some(tg.name.clone()),
        protocol: Some(tg.protocol.as_str().into()),
        port: Some(i32::from(tg.port)),
        vpc_id: Some(tg.vpc_id.to_string()),
        health_check_protocol: Some(h.protocol.as_str().into()),
        health_check_port: Some(h.port_text()),
        health_check_enabled: Some(h.enabled),
        health_check_interval_seconds: Some(h.interval_seconds as i32),
        health_check_timeout_seconds: Some(h.timeout_seconds as i32),
        healthy_threshold_count: Some(h.healthy_threshold_count as i32),
        unhealthy_threshold_count: Some(h.unhealthy_threshold_count as i32),
        health_check_path: h.path.clone(),
        matcher: h.matcher.as_ref().map(|m| shapes::Matcher {
            http_code: Some(m.clone()),
            grpc_code: None,
        }),
        load_balancer_arns: Some(
            lab.load_balancers_of_target_group(tg)
                .into_iter()
                .map(|lb| lb.arn.to_string())
                .collect(),
        ),
        target_type: Some(tg.target_type.as_str().into()),
        ip_address_type: Some(tg.ip_address_type.clone()),
        ..Default::default()
    }
}

/// The health check settings a request gives.
#[allow(clippy::too_many_arguments)]
fn settings(
    protocol: Option<String>,
    port: Option<String>,
    enabled: Option<bool>,
    path: Option<String>,
    interval: Option<i32>,
    timeout: Option<i32>,
    healthy: Option<i32>,
    unhealthy: Option<i32>,
    matcher: Option<shapes::Matcher>,
) -> HealthCheckSettings {
    HealthCheckSettings {
        enabled,
        protocol,
        port,
        path,
        interval_seconds: interval.map(i64::from),
        timeout_seconds: timeout.map(i64::from),
        healthy_threshold_count: healthy.map(i64::from),
        unhealthy_threshold_count: unhealthy.map(i64::from),
        matcher: matcher.and_then(|m| m.http_code),
    }
}

/// A write answered with the target group as it is afterwards.
fn answer_with_group<T: crate::ec2::wire::ToXml + 'static>(
    op: Operation,
    arn: Option<String>,
    wrap: fn(Vec<shapes::TargetGroup>) -> T,
) -> Plan {
    Plan::write(op, move |lab: &Lab, outcome| {
        let arn = match (arn, outcome) {
            (Some(a), _) | (None, Outcome::Created(a)) => a,
            (None, _) => return Err(ApiError::internal("no target group to answer with")),
        };
        let tg = lab
            .target_group(&arn)
            .ok_or_else(|| ApiError::internal("the target group is missing"))?;
        Ok(wrap(vec![target_group_shape(lab, tg)]))
    })
}

fn create_target_group(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req: shapes::CreateTargetGroupInput = read(q)?;
    if req.protocol_version.is_some() || req.target_control_port.is_some() {
        return Err(ApiError::new(
            "InvalidConfigurationRequest",
            "ProtocolVersion and TargetControlPort belong to application and gateway load balancers' target groups, which vpclab does not serve",
        ));
    }
    let op = Operation::CreateTargetGroup(CreateTargetGroup {
        name: req.name,
        protocol: req.protocol,
        port: req.port.map(i64::from),
        vpc_id: req.vpc_id,
        target_type: req.target_type,
        ip_address_type: req.ip_address_type,
        health_check: settings(
            req.health_check_protocol,
            req.health_check_port,
            req.health_check_enabled,
            req.health_check_path,
            req.health_check_interval_seconds,
            req.health_check_timeout_seconds,
            req.healthy_threshold_count,
            req.unhealthy_threshold_count,
            req.matcher,
        ),
        tags: tags_from(&req.tags)?,
    });
    Ok(answer_with_group(op, None, |g| {
        shapes::CreateTargetGroupOutput {
            target_groups: Some(g),
        }
    }))
}

fn not_found() -> ApiError {
    ApiError::new("TargetGroupNotFound", "One or more target groups not found")
}

fn describe_target_groups(caller: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req: shapes::DescribeTargetGroupsInput = read(q)?;
    let caller = caller.clone();
    Ok(Plan::read(move |lab| {
        let given = [
            req.load_balancer_arn.is_some(),
            req.target_group_arns.is_some(),
            req.names.is_some(),
        ];
        if given.iter().filter(|g| **g).count() > 1 {
            return Err(ApiError::new(
                "ValidationError",
                "Only one of load balancer ARN, target group ARNs or names can be specified",
            ));
        }
        let mut found: Vec<&TargetGroup> = Vec::new();
        if let Some(arns) = &req.target_group_arns {
            for arn in arns {
                let tg = lab
                    .owned_target_group(&caller, arn)
                    .map_err(ApiError::from)?;
                if !found.iter().any(|f| f.arn == tg.arn) {
                    found.push(tg);
                }
            }
        } else if let Some(names) = &req.names {
            for name in names {
                let tg = lab
                    .target_groups()
                    .find(|t| mine(&caller, *t) && &t.name == name)
                    .ok_or_else(not_found)?;
                if !found.iter().any(|f| f.arn == tg.arn) {
                    found.push(tg);
                }
            }
        } else if let Some(lb_arn) = &req.load_balancer_arn {
            let lb = lab
                .owned_load_balancer(&caller, lb_arn)
                .map_err(ApiError::from)?;
            for l in lab.listeners_of(lb) {
                if let Some(tg) = lab.target_group(l.target_group_arn.as_str())
                    && !found.iter().any(|f| f.arn == tg.arn)
                {
                    found.push(tg);
                }
            }
        } else {
            found = lab.target_groups().filter(|t| mine(&caller, *t)).collect();
        }
        let (items, next) = page(found, &req.marker, req.page_size)?;
        Ok(shapes::DescribeTargetGroupsOutput {
            target_groups: Some(
                items
                    .into_iter()
                    .map(|t| target_group_shape(lab, t))
                    .collect(),
            ),
            next_marker: next,
        })
    }))
}

fn modify_target_group(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req: shapes::ModifyTargetGroupInput = read(q)?;
    let arn = req.target_group_arn.clone();
    let op = Operation::ModifyTargetGroup {
        target_group_arn: req.target_group_arn,
        health_check: settings(
            req.health_check_protocol,
            req.health_check_port,
            req.health_check_enabled,
            req.health_check_path,
            req.health_check_interval_seconds,
            req.health_check_timeout_seconds,
            req.healthy_threshold_count,
            req.unhealthy_threshold_count,
            req.matcher,
        ),
    };
    Ok(answer_with_group(op, Some(arn), |g| {
        shapes::ModifyTargetGroupOutput {
            target_groups: Some(g),
        }
    }))
}

fn delete_target_group(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req: shapes::DeleteTargetGroupInput = read(q)?;
    Ok(Plan::write(
        Operation::DeleteTargetGroup {
            target_group_arn: req.target_group_arn,
        },
        |_, _| Ok(shapes::DeleteTargetGroupOutput {}),
    ))
}

fn attributes_shape(tg: &TargetGroup) -> Vec<shapes::TargetGroupAttribute> {
    tg.attributes
        .to_pairs()
        .into_iter()
        .map(|(k, v)| shapes::TargetGroupAttribute {
            key: Some(k),
            value: Some(v),
        })
        .collect()
}

fn describe_target_group_attributes(caller: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req: shapes::DescribeTargetGroupAttributesInput = read(q)?;
    let caller = caller.clone();
    Ok(Plan::read(move |lab| {
        let tg = lab
            .owned_target_group(&caller, &req.target_group_arn)
            .map_err(ApiError::from)?;
        Ok(shapes::DescribeTargetGroupAttributesOutput {
            attributes: Some(attributes_shape(tg)),
        })
    }))
}

fn modify_target_group_attributes(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req: shapes::ModifyTargetGroupAttributesInput = read(q)?;
    let attributes = attribute_pairs(req.attributes.iter().map(|a| (&a.key, &a.value)))?;
    let arn = req.target_group_arn.clone();
    Ok(Plan::write(
        Operation::ModifyTargetGroupAttributes {
            target_group_arn: req.target_group_arn,
            attributes,
        },
        move |lab: &Lab, _| {
            let tg = lab
                .target_group(&arn)
                .ok_or_else(|| ApiError::internal("the target group is missing"))?;
            Ok(shapes::ModifyTargetGroupAttributesOutput {
                attributes: Some(attributes_shape(tg)),
            })
        },
    ))
}

/// The request's targets as the model takes them.
pub(crate) fn targets_from(
    targets: &[shapes::TargetDescription],
) -> Result<Vec<TargetDescription>, ApiError> {
    targets
        .iter()
        .map(|t| {
            Ok(TargetDescription {
                id: t.id.clone().ok_or_else(|| {
                    ApiError::new(
                        "ValidationError",
                        "1 validation error detected: Value null at 'targets.member.id' failed to satisfy constraint: Member must not be null",
                    )
                })?,
                port: t.port.map(i64::from),
                availability_zone: t.availability_zone.clone(),
            })
        })
        .collect()
}

fn register_targets(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req: shapes::RegisterTargetsInput = read(q)?;
    Ok(Plan::write(
        Operation::RegisterTargets {
            target_group_arn: req.target_group_arn,
            targets: targets_from(&req.targets)?,
        },
        |_, _| Ok(shapes::RegisterTargetsOutput {}),
    ))
}

fn deregister_targets(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req: shapes::DeregisterTargetsInput = read(q)?;
    Ok(Plan::write(
        Operation::DeregisterTargets {
            target_group_arn: req.target_group_arn,
            targets: targets_from(&req.targets)?,
        },
        |_, _| Ok(shapes::DeregisterTargetsOutput {}),
    ))
}
