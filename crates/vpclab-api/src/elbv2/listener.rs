//! Listeners: CreateListener, DescribeListeners, ModifyListener, DeleteListener.

use vpclab_model::{
    Caller, CreateListener, ElbProtocol, Lab, Listener, ListenerAction, ModifyListener, Operation,
    Outcome,
};

use super::shapes;
use super::{page, read, tags_from};
use crate::ec2::wire::Query;
use crate::ec2::{Handler, Plan};
use crate::error::ApiError;

/// The actions of this module.
pub const ACTIONS: &[(&str, Handler)] = &[
    ("CreateListener", create_listener),
    ("DescribeListeners", describe_listeners),
    ("ModifyListener", modify_listener),
    ("DeleteListener", delete_listener),
];

/// A listener as the wire shows it: its one default action, a forward to its target
/// group, written both ways AWS writes it (`TargetGroupArn` and `ForwardConfig`).
pub fn listener_shape(l: &Listener) -> shapes::Listener {
    let tls = l.protocol == ElbProtocol::Tls;
    shapes::Listener {
        listener_arn: Some(l.arn.to_string()),
        load_balancer_arn: Some(l.load_balancer_arn.to_string()),
        port: Some(i32::from(l.port)),
        protocol: Some(l.protocol.as_str().into()),
        certificates: tls.then(|| {
            l.certificates
                .iter()
                .map(|c| shapes::Certificate {
                    certificate_arn: Some(c.clone()),
                    is_default: None,
                })
                .collect()
        }),
        ssl_policy: l.ssl_policy.clone(),
        default_actions: Some(vec![shapes::Action {
            r#type: Some("forward".into()),
            target_group_arn: Some(l.target_group_arn.to_string()),
            forward_config: Some(shapes::ForwardActionConfig {
                target_groups: Some(vec![shapes::TargetGroupTuple {
                    target_group_arn: Some(l.target_group_arn.to_string()),
                    weight: Some(1),
                }]),
                target_group_stickiness_config: Some(shapes::TargetGroupStickinessConfig {
                    enabled: Some(false),
                    duration_seconds: None,
                }),
            }),
            ..Default::default()
        }]),
        alpn_policy: (tls && !l.alpn_policy.is_empty()).then(|| l.alpn_policy.clone()),
        ..Default::default()
    }
}

/// The request's actions as the model takes them (the model checks their meaning).
fn actions_from(actions: &[shapes::Action]) -> Result<Vec<ListenerAction>, ApiError> {
    actions
        .iter()
        .map(|a| {
            Ok(ListenerAction {
                action_type: a.r#type.clone().ok_or_else(|| {
                    ApiError::new(
                        "ValidationError",
                        "1 validation error detected: Value null at 'defaultActions.member.type' failed to satisfy constraint: Member must not be null",
                    )
                })?,
                target_group_arn: a.target_group_arn.clone(),
                forward_target_group_arns: a
                    .forward_config
                    .iter()
                    .flat_map(|f| f.target_groups.iter().flatten())
                    .filter_map(|t| t.target_group_arn.clone())
                    .collect(),
            })
        })
        .collect()
}

fn certificates_from(c: &Option<Vec<shapes::Certificate>>) -> Vec<String> {
    c.iter()
        .flatten()
        .filter_map(|c| c.certificate_arn.clone())
        .collect()
}

/// A write answered with the listener as it is afterwards.
fn answer_with_listener<T: crate::ec2::wire::ToXml + 'static>(
    op: Operation,
    arn: Option<String>,
    wrap: fn(Vec<shapes::Listener>) -> T,
) -> Plan {
    Plan::write(op, move |lab: &Lab, outcome| {
        let arn = match (arn, outcome) {
            (Some(a), _) | (None, Outcome::Created(a)) => a,
            (None, _) => return Err(ApiError::internal("no listener to answer with")),
        };
        let l = lab
            .listener(&arn)
            .ok_or_else(|| ApiError::internal("the listener is missing"))?;
        Ok(wrap(vec![listener_shape(l)]))
    })
}

fn unserved_mutual_auth(
    m: &Option<shapes::MutualAuthenticationAttributes>,
) -> Result<(), ApiError> {
    match m {
        Some(_) => Err(ApiError::new(
            "InvalidConfigurationRequest",
            "Mutual authentication belongs to application load balancers, which vpclab does not serve",
        )),
        None => Ok(()),
    }
}

fn create_listener(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req: shapes::CreateListenerInput = read(q)?;
    unserved_mutual_auth(&req.mutual_authentication)?;
    let op = Operation::CreateListener(CreateListener {
        load_balancer_arn: req.load_balancer_arn,
        protocol: req.protocol,
        port: req.port.map(i64::from),
        default_actions: actions_from(&req.default_actions)?,
        certificates: certificates_from(&req.certificates),
        ssl_policy: req.ssl_policy,
        alpn_policy: req.alpn_policy.unwrap_or_default(),
        tags: tags_from(&req.tags)?,
    });
    Ok(answer_with_listener(op, None, |l| {
        shapes::CreateListenerOutput { listeners: Some(l) }
    }))
}

fn describe_listeners(caller: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req: shapes::DescribeListenersInput = read(q)?;
    let caller = caller.clone();
    Ok(Plan::read(move |lab| {
        let found: Vec<&Listener> = match (&req.load_balancer_arn, &req.listener_arns) {
            (Some(lb), None) => {
                let lb = lab
                    .owned_load_balancer(&caller, lb)
                    .map_err(ApiError::from)?;
                lab.listeners_of(lb).collect()
            }
            (None, Some(arns)) => {
                let mut out: Vec<&Listener> = Vec::new();
                for arn in arns {
                    let l = lab.owned_listener(&caller, arn).map_err(ApiError::from)?;
                    if !out.iter().any(|x| x.arn == l.arn) {
                        out.push(l);
                    }
                }
                out
            }
            _ => {
                return Err(ApiError::new(
                    "ValidationError",
                    "You must specify either listener ARNs or a load balancer ARN",
                ));
            }
        };
        let (items, next) = page(found, &req.marker, req.page_size)?;
        Ok(shapes::DescribeListenersOutput {
            listeners: Some(items.into_iter().map(listener_shape).collect()),
            next_marker: next,
        })
    }))
}

fn modify_listener(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req: shapes::ModifyListenerInput = read(q)?;
    unserved_mutual_auth(&req.mutual_authentication)?;
    let arn = req.listener_arn.clone();
    let op = Operation::ModifyListener {
        listener_arn: req.listener_arn,
        change: ModifyListener {
            protocol: req.protocol,
            port: req.port.map(i64::from),
            default_actions: actions_from(req.default_actions.as_deref().unwrap_or_default())?,
            certificates: certificates_from(&req.certificates),
            ssl_policy: req.ssl_policy,
            alpn_policy: req.alpn_policy.unwrap_or_default(),
        },
    };
    Ok(answer_with_listener(op, Some(arn), |l| {
        shapes::ModifyListenerOutput { listeners: Some(l) }
    }))
}

fn delete_listener(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req: shapes::DeleteListenerInput = read(q)?;
    Ok(Plan::write(
        Operation::DeleteListener {
            listener_arn: req.listener_arn,
        },
        |_, _| Ok(shapes::DeleteListenerOutput {}),
    ))
}
