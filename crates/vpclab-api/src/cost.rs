//! `POST /_vpclab/cost`: what the caller's network in the caller's region would cost on
//! AWS a month, for a stated traffic profile or for what the data plane carried.
//!
//! The arithmetic is `vpclab-cost`'s; this module reads the request, gathers the data
//! plane's observations of the caller's instances, and answers the estimate as data and
//! as text. A bad request changes nothing and is answered with an AWS-style code.

use serde::{Deserialize, Serialize};
use vpclab_cost::{Estimate, ObservedFlow, PriceBook, Traffic, TrafficProfile};
use vpclab_model::{Caller, Owned};

use crate::error::ApiError;
use crate::server::Answer;
use crate::state::State;

/// The question: a traffic profile (none: the data plane's observed traffic) and the
/// hours to price (default 730, a month).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostRequest {
    /// `{"flows": [...]}`; absent: what the data plane carried, scaled to the hours.
    #[serde(default)]
    pub traffic: Option<TrafficProfile>,
    /// The hours to price.
    #[serde(default)]
    pub hours: Option<f64>,
}

/// The answer: the estimate as data, and as `vpclab cost` prints it.
#[derive(Clone, Debug, Serialize)]
pub struct CostAnswer {
    /// The estimate.
    pub estimate: Estimate,
    /// The estimate for people.
    pub text: String,
}

/// Answers `POST /_vpclab/cost` for `caller`.
pub fn cost(state: &State, caller: &Caller, body: &[u8]) -> Result<Answer, ApiError> {
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}".as_slice()
    } else {
        body
    };
    let req: CostRequest = serde_json::from_slice(body).map_err(|e| {
        ApiError::new(
            "InvalidRequest",
            format!("The request is not a cost question: {e}"),
        )
    })?;
    let prices = PriceBook::for_region(caller.region).map_err(api)?;
    let hours = vpclab_cost::hours(req.hours.unwrap_or(730.0)).map_err(api)?;
    let lab = state.read();
    let traffic = match req.traffic {
        Some(profile) => Traffic::Stated(profile),
        None => {
            // Only the caller's own instances' traffic: each account asks about its own.
            let seen = state
                .dataplane()
                .map(|d| d.accounting().flows())
                .unwrap_or_default();
            Traffic::Observed(
                seen.into_iter()
                    .filter(|f| {
                        lab.instance(&f.instance_id).is_some_and(|i| {
                            i.owner() == &caller.account && i.region() == caller.region
                        })
                    })
                    .map(|f| ObservedFlow {
                        instance_id: f.instance_id,
                        destination: f.destination,
                        port: f.port,
                        bytes_out: f.bytes_out,
                        bytes_in: f.bytes_in,
                        connections: f.connections,
                        first_seen_ms: f.first_seen_ms,
                        last_seen_ms: f.last_seen_ms,
                    })
                    .collect(),
            )
        }
    };
    let estimate = vpclab_cost::estimate(
        &lab,
        &caller.account,
        caller.region,
        &prices,
        hours,
        &traffic,
    )
    .map_err(api)?;
    let text = estimate.to_string();
    let body = serde_json::to_string(&CostAnswer { estimate, text })
        .map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(Answer::json(body))
}

fn api(e: vpclab_cost::CostError) -> ApiError {
    ApiError::new(e.code(), e.to_string())
}
