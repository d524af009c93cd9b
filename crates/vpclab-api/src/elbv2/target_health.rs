//! DescribeTargetHealth. The model says whether a target is checked at all
//! ([`TargetHealthBasis`]); a checked target is `healthy` when its bound backend (the
//! instance tag `vpclab:port:<port>` = `127.0.0.1:<hostport>`) accepts a TCP connection
//! within a short timeout, else `unhealthy` (`Target.FailedHealthChecks`), as an NLB's
//! TCP health check decides.
//!
//! The lab skips AWS's `initial` state (`Elb.InitialHealthChecking`): a target is judged
//! on the first Describe, not after `HealthyThresholdCount` intervals, so tests and
//! waiters see the real answer at once. HTTP and HTTPS health checks are judged by the
//! TCP connect alone.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::TcpStream;
use vpclab_model::{Caller, RegisteredTarget, TargetHealthBasis, TargetType};

use super::read;
use super::shapes;
use super::target_group::targets_from;
use crate::ec2::members;
use crate::ec2::wire::Query;
use crate::error::ApiError;
use crate::state::State;

/// How long a health check waits for the backend to accept.
const CONNECT_TIMEOUT: Duration = Duration::from_millis(1000);

/// What one target's answer needs once the lab's lock is released.
struct Pending {
    target: shapes::TargetDescription,
    health_check_port: String,
    verdict: Verdict,
}

enum Verdict {
    /// Decided without a connection: (state, reason, description).
    Known(&'static str, &'static str, &'static str),
    /// Healthy if this address accepts a connection.
    Probe(SocketAddr),
}

fn known(basis: &TargetHealthBasis) -> Option<Verdict> {
    Some(match basis {
        TargetHealthBasis::NotInUse => Verdict::Known(
            "unused",
            "Target.NotInUse",
            "Target group is not configured to receive traffic from the load balancer",
        ),
        TargetHealthBasis::InvalidState => Verdict::Known(
            "unused",
            "Target.InvalidState",
            "Target is in the stopped state",
        ),
        TargetHealthBasis::HealthCheckDisabled => Verdict::Known(
            "unavailable",
            "Target.HealthCheckDisabled",
            "Health checks disabled",
        ),
        TargetHealthBasis::Probe(None) => unhealthy(),
        TargetHealthBasis::Probe(Some(addr)) => Verdict::Probe(*addr),
    })
}

fn unhealthy() -> Verdict {
    Verdict::Known(
        "unhealthy",
        "Target.FailedHealthChecks",
        "Health checks failed",
    )
}

/// Answers DescribeTargetHealth: the result's members.
pub async fn describe_target_health(
    state: &State,
    caller: &Caller,
    q: &Query,
) -> Result<String, ApiError> {
    let req: shapes::DescribeTargetHealthInput = read(q)?;
    let pending = plan(state, caller, &req)?;
    let mut probes = tokio::task::JoinSet::new();
    for (i, p) in pending.iter().enumerate() {
        if let Verdict::Probe(addr) = p.verdict {
            probes.spawn(async move {
                let ok = matches!(
                    tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(addr)).await,
                    Ok(Ok(_))
                );
                (i, ok)
            });
        }
    }
    let mut healthy = vec![false; pending.len()];
    while let Some(done) = probes.join_next().await {
        if let Ok((i, ok)) = done {
            healthy[i] = ok;
        }
    }
    let descriptions = pending
        .into_iter()
        .zip(healthy)
        .map(|(p, ok)| {
            let health = match p.verdict {
                Verdict::Probe(_) if ok => shapes::TargetHealth {
                    state: Some("healthy".into()),
                    ..Default::default()
                },
                Verdict::Probe(_) => health_shape(unhealthy()),
                v => health_shape(v),
            };
            shapes::TargetHealthDescription {
                target: Some(p.target),
                health_check_port: Some(p.health_check_port),
                target_health: Some(health),
                ..Default::default()
            }
        })
        .collect();
    Ok(members(&shapes::DescribeTargetHealthOutput {
        target_health_descriptions: Some(descriptions),
    }))
}

fn health_shape(v: Verdict) -> shapes::TargetHealth {
    match v {
        Verdict::Known(state, reason, description) => shapes::TargetHealth {
            state: Some(state.into()),
            reason: Some(reason.into()),
            description: Some(description.into()),
        },
        Verdict::Probe(_) => shapes::TargetHealth::default(),
    }
}

/// Reads the lab (under its lock, briefly) into what each target's answer needs.
fn plan(
    state: &State,
    caller: &Caller,
    req: &shapes::DescribeTargetHealthInput,
) -> Result<Vec<Pending>, ApiError> {
    let lab = state.read();
    let tg = lab
        .owned_target_group(caller, &req.target_group_arn)
        .map_err(ApiError::from)?;
    let asked = targets_from(req.targets.as_deref().unwrap_or_default())?;
    let targets: Vec<(RegisteredTarget, bool)> = if asked.is_empty() {
        tg.targets.iter().map(|t| (t.clone(), true)).collect()
    } else {
        let mut out = Vec::new();
        for a in asked {
            if tg.target_type == TargetType::Instance
                && !lab
                    .instance(&a.id)
                    .is_some_and(|i| i.owner_id == caller.account && i.region == caller.region)
            {
                return Err(ApiError::new(
                    "InvalidTarget",
                    format!("The following targets are not valid instances: '{}'", a.id),
                ));
            }
            let port = match a.port {
                Some(p) => u16::try_from(p).ok().filter(|p| *p > 0).ok_or_else(|| {
                    ApiError::new("ValidationError", format!("Port '{p}' is not valid"))
                })?,
                None => tg.port,
            };
            let registered = tg.targets.iter().find(|t| t.id == a.id && t.port == port);
            out.push(match registered {
                Some(t) => (t.clone(), true),
                None => (
                    RegisteredTarget {
                        id: a.id,
                        port,
                        availability_zone: a.availability_zone,
                    },
                    false,
                ),
            });
        }
        out
    };
    Ok(targets
        .into_iter()
        .map(|(t, registered)| {
            let verdict = if registered {
                known(&lab.target_health_basis(tg, &t)).unwrap_or_else(unhealthy)
            } else {
                Verdict::Known(
                    "unused",
                    "Target.NotRegistered",
                    "Target is not registered to the target group",
                )
            };
            Pending {
                health_check_port: tg.health_check.port.unwrap_or(t.port).to_string(),
                target: shapes::TargetDescription {
                    id: Some(t.id),
                    port: Some(i32::from(t.port)),
                    availability_zone: t.availability_zone,
                    quic_server_id: None,
                },
                verdict,
            }
        })
        .collect())
}
