//! The traffic an estimate prices: a stated profile (a file of flows with GB a month), or
//! what the data plane carried, scaled to a month.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::err::CostError;

/// Bytes in a GB as AWS's usage reports count it (2^30).
pub const BYTES_PER_GB: u64 = 1 << 30;

/// A stated traffic profile: `{"flows": [...]}` in JSON, `[[flows]]` tables in TOML.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrafficProfile {
    /// The flows, each priced on the path the engine traces for it.
    #[serde(default)]
    pub flows: Vec<FlowSpec>,
}

/// One flow of a profile.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowSpec {
    /// The source: an instance (`i-…`) or a network interface (`eni-…`) of the account.
    pub from: String,
    /// The destination: a name (resolved as the source's VPC resolves it) or an address.
    pub to: String,
    /// The destination port (required for TCP and UDP; for ICMP the type, default 8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// `tcp` (default), `udp` or `icmp`.
    #[serde(default = "tcp")]
    pub protocol: String,
    /// GB a month the source sends to the destination.
    pub gb_per_month: f64,
    /// GB a month the destination sends back (default 0).
    #[serde(default)]
    pub gb_back_per_month: f64,
}

fn tcp() -> String {
    "tcp".to_owned()
}

/// What the data plane carried for one (instance, destination as asked, port), as the
/// server's accounting kept it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObservedFlow {
    /// The instance the connections came from.
    pub instance_id: String,
    /// The destination as the program asked for it (a name or an address).
    pub destination: String,
    /// The destination port.
    pub port: u16,
    /// Bytes the instance sent.
    pub bytes_out: u64,
    /// Bytes the instance received.
    pub bytes_in: u64,
    /// Connections admitted.
    pub connections: u64,
    /// When the first connection started (ms since the Unix epoch).
    pub first_seen_ms: i64,
    /// When the last connection ended (ms since the Unix epoch).
    pub last_seen_ms: i64,
}

/// How an observed flow became GB a month.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Observation {
    /// Bytes the instance sent.
    pub bytes_out: u64,
    /// Bytes the instance received.
    pub bytes_in: u64,
    /// Connections admitted.
    pub connections: u64,
    /// The seconds between the first connection's start and the last one's end (at
    /// least one: a shorter burst counts as a second).
    #[serde(serialize_with = "crate::money::decimal_text")]
    pub seconds: Decimal,
    /// The factor the bytes were multiplied by: the month's seconds over the observed.
    #[serde(serialize_with = "crate::money::decimal_text")]
    pub scale: Decimal,
}

/// The traffic to price.
#[derive(Clone, Debug, PartialEq)]
pub enum Traffic {
    /// A profile the user stated.
    Stated(TrafficProfile),
    /// What the data plane carried for the account's instances.
    Observed(Vec<ObservedFlow>),
}

/// A flow ready to price: its spec, its GB as exact decimals, and for an observed flow
/// how it was scaled.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Asked {
    pub spec: FlowSpec,
    pub gb_out: Decimal,
    pub gb_back: Decimal,
    pub observed: Option<Observation>,
}

/// GB a month as an exact decimal, from the number the user wrote: through its shortest
/// decimal text, so `0.1` is 0.1 and not 0.1000000000000000055….
pub(crate) fn gb(n: usize, field: &str, value: f64) -> Result<Decimal, CostError> {
    if !value.is_finite() {
        return Err(CostError::value(format!(
            "flow {n}: {field} must be a number of GB, not {value}"
        )));
    }
    if value < 0.0 {
        return Err(CostError::value(format!(
            "flow {n}: {field} is {value}; GB a month cannot be negative"
        )));
    }
    value
        .to_string()
        .parse::<Decimal>()
        .map_err(|_| CostError::value(format!("flow {n}: {field} = {value} is too large")))
}

impl Traffic {
    /// The flows to price over `hours`, in order.
    pub(crate) fn asked(&self, hours: Decimal) -> Result<Vec<Asked>, CostError> {
        match self {
            Traffic::Stated(profile) => profile
                .flows
                .iter()
                .enumerate()
                .map(|(i, spec)| {
                    Ok(Asked {
                        gb_out: gb(i + 1, "gb_per_month", spec.gb_per_month)?,
                        gb_back: gb(i + 1, "gb_back_per_month", spec.gb_back_per_month)?,
                        spec: spec.clone(),
                        observed: None,
                    })
                })
                .collect(),
            Traffic::Observed(flows) => Ok(flows.iter().map(|o| scale(o, hours)).collect()),
        }
    }
}

/// An observed flow scaled to the month: bytes × (hours × 3600 s / observed seconds),
/// in GB of 2^30 bytes, kept to the byte (nine decimals).
pub(crate) fn scale(o: &ObservedFlow, hours: Decimal) -> Asked {
    let millis = o.last_seen_ms.saturating_sub(o.first_seen_ms).max(1000);
    let seconds = Decimal::from(millis) / Decimal::from(1000);
    let scale = hours * Decimal::from(3600) / seconds;
    let to_gb = |bytes: u64| {
        (Decimal::from(bytes) * scale / Decimal::from(BYTES_PER_GB))
            .round_dp(9)
            .normalize()
    };
    Asked {
        spec: FlowSpec {
            from: o.instance_id.clone(),
            to: o.destination.clone(),
            port: Some(o.port),
            protocol: tcp(),
            gb_per_month: 0.0,
            gb_back_per_month: 0.0,
        },
        gb_out: to_gb(o.bytes_out),
        gb_back: to_gb(o.bytes_in),
        observed: Some(Observation {
            bytes_out: o.bytes_out,
            bytes_in: o.bytes_in,
            connections: o.connections,
            seconds: seconds.normalize(),
            scale: scale.round_dp(6).normalize(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().expect("a decimal")
    }

    #[test]
    fn profiles_read_from_toml_and_json_alike() {
        let toml_text = r#"
            [[flows]]
            from = "i-0123456789abcdef0"
            to = "s3.us-east-1.amazonaws.com"
            port = 443
            gb_per_month = 1000
        "#;
        let from_toml: TrafficProfile = toml::from_str(toml_text).expect("toml");
        let from_json: TrafficProfile = serde_json::from_str(
            r#"{"flows":[{"from":"i-0123456789abcdef0","to":"s3.us-east-1.amazonaws.com","port":443,"gb_per_month":1000.0}]}"#,
        )
        .expect("json");
        assert_eq!(from_toml, from_json);
        assert_eq!(from_toml.flows[0].protocol, "tcp");
        assert_eq!(from_toml.flows[0].gb_back_per_month, 0.0);
    }

    #[test]
    fn unknown_fields_and_words_for_numbers_are_refused() {
        assert!(
            serde_json::from_str::<TrafficProfile>(
                r#"{"flows":[{"from":"i-1","to":"x","port":1,"gb_per_month":1,"gigs":2}]}"#
            )
            .is_err()
        );
        assert!(
            serde_json::from_str::<TrafficProfile>(
                r#"{"flows":[{"from":"i-1","to":"x","port":1,"gb_per_month":"lots"}]}"#
            )
            .is_err()
        );
    }

    #[test]
    fn gb_are_exact_and_never_negative() {
        assert_eq!(gb(1, "gb_per_month", 0.1).expect("ok"), d("0.1"));
        assert_eq!(gb(1, "gb_per_month", 1000.0).expect("ok"), d("1000"));
        let e = gb(2, "gb_per_month", -5.0).expect_err("negative");
        assert_eq!(e.code(), "InvalidParameterValue");
        assert!(e.to_string().contains("flow 2"), "{e}");
        assert!(gb(1, "gb_per_month", f64::NAN).is_err());
    }

    #[test]
    fn observed_bytes_scale_to_the_month() {
        // 2^20 bytes out and 2^21 back over 10 s, scaled to 730 h:
        // scale = 730 × 3600 / 10 = 262,800;
        // out = 2^20 × 262,800 / 2^30 = 262,800 / 1024 = 256.640625 GB;
        // back = twice that = 513.28125 GB.
        let o = ObservedFlow {
            instance_id: "i-1".into(),
            destination: "s3.us-east-1.amazonaws.com".into(),
            port: 443,
            bytes_out: 1 << 20,
            bytes_in: 1 << 21,
            connections: 3,
            first_seen_ms: 1_000_000,
            last_seen_ms: 1_010_000,
        };
        let a = scale(&o, d("730"));
        assert_eq!(a.gb_out, d("256.640625"));
        assert_eq!(a.gb_back, d("513.28125"));
        let seen = a.observed.expect("observed");
        assert_eq!(seen.scale, d("262800"));
        assert_eq!(seen.seconds, d("10"));
        // A burst shorter than a second counts as one second.
        let burst = ObservedFlow {
            last_seen_ms: 1_000_200,
            ..o
        };
        assert_eq!(
            scale(&burst, d("730")).observed.expect("observed").seconds,
            d("1")
        );
    }
}
