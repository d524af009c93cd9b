//! Live traffic for vpclab: programs run "inside" a simulated instance (`vpclab exec`)
//! reach the lab through proxies on 127.0.0.1 (SOCKS5 and HTTP), and every connection is
//! decided by `vpclab-reach` — forwarded to the lab's S3, another instance's bound port or
//! the built-in echo "internet", or refused with the trace's explanation — and recorded in
//! VPC Flow Logs.
//!
//! The crate depends on the model and the reach engine only; the AWS services the lab
//! serves (S3) are reached through backends the server provides.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod accounting;
pub mod decide;
pub mod flowlog;
pub mod proxy;
pub mod proxy_protocol;
pub mod tls;

pub use decide::{Decision, PORT_TAG_PREFIX, Target, decide};
pub use proxy::{BoxError, Dataplane, Identity, LabView, ProxyBody, ServiceBackend};
