//! What a lab's network would cost on AWS a month.
//!
//! [`estimate`] prices one account's resources in one region: the fixed lines of its
//! topology (NAT gateway hours, interface endpoint hours per Availability Zone, public
//! IPv4 addresses, load balancer hours; gateway endpoints listed at $0), then each flow
//! of a traffic profile on the path the one forwarding engine traces for it
//! (`vpclab_reach::trace`): NAT and endpoint processing, load balancer capacity, data
//! transfer to the internet, across zones or through public addresses. A refused flow
//! costs nothing and says why. For each flow to an AWS service, the what-if prices the
//! same traffic through a gateway endpoint, an interface endpoint and a NAT gateway.
//!
//! Prices are data: one dated TOML file per region (`prices/<region>.toml`), each price
//! with its unit and the AWS page it comes from. Money is exact decimal arithmetic
//! ([`Usd`]), rounded to the cent only when shown. No IO, no clock: the data plane's
//! observations come in with their own timestamps.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod err;
mod estimate;
mod money;
mod prices;
mod text;
mod traffic;

pub use err::CostError;
pub use estimate::{
    Charge, Estimate, FlowCost, Line, Outcome, TrafficSource, Way, WayCost, WhatIf, estimate, hours,
};
pub use money::Usd;
pub use prices::{Price, PriceBook};
pub use rust_decimal::Decimal;
pub use traffic::{BYTES_PER_GB, FlowSpec, Observation, ObservedFlow, Traffic, TrafficProfile};
