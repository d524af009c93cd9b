//! Traces over the world, and assertions on their outcome.

use std::net::IpAddr;

use vpclab_model::InstanceId;
use vpclab_reach::{Delivery, Destination, Flow, Refusal, Source, Trace, trace};

use crate::World;

/// An S3 address in us-east-1 (inside pl-63a5400a's 52.216.0.0/15).
pub fn s3_ip() -> IpAddr {
    IpAddr::from([52, 216, 8, 10])
}

impl World {
    /// The trace of a TCP connection from the instance `from` to `to` on `port`.
    pub fn tcp(&self, from: &InstanceId, to: impl Into<Destination>, port: u16) -> Trace {
        trace(
            &self.lab,
            &Flow::tcp(Source::Instance(from.clone()), to.into(), port),
        )
    }

    /// The trace of a TCP connection from the internet address `from` to `to` on `port`.
    pub fn inbound_from_internet(&self, from: &str, to: IpAddr, port: u16) -> Trace {
        trace(
            &self.lab,
            &Flow::tcp(
                Source::Internet(from.parse().expect("an internet address")),
                Destination::Address(to),
                port,
            ),
        )
    }
}

/// Asserts the trace was refused with `code`, and returns the refusal.
#[track_caller]
pub fn refused<'t>(t: &'t Trace, code: &str) -> &'t Refusal {
    match t.refusal() {
        Some(r) if r.code.as_str() == code => r,
        _ => panic!("expected a refusal with {code}, got:\n{t}"),
    }
}

/// Asserts the trace was delivered, and returns the delivery.
#[track_caller]
pub fn delivered(t: &Trace) -> &Delivery {
    match t.delivery() {
        Some(d) => d,
        None => panic!("expected delivery, got:\n{t}"),
    }
}
