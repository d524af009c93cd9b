//! vpclab's forwarding engine: one pure function, [`trace`], decides whether a flow
//! passes and explains why, hop by hop, with AWS Reachability Analyzer's explanation
//! codes. The data plane, `vpclab reach` and the analysis commands all ask it, so
//! enforcement and explanation can never disagree.
//!
//! The path follows AWS's rules: route tables (longest prefix match, prefix lists, the
//! local route, blackholes), security groups (stateful, at each interface), network
//! ACLs (stateless, at the subnet edge, both ways), internet and NAT gateways (with the
//! address translation visible in the hops), gateway endpoints, and peering (no
//! transit). For a flow that reaches an AWS service, the trace carries the request
//! context AWS would attach (`aws:SourceVpce`, `aws:SourceIp`, …).

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod explanation;
mod flow;
pub mod network_acl;
pub mod route;
pub mod security_group;
mod trace;
mod walk;

pub use explanation::ExplanationCode;
pub use flow::{DEFAULT_SOURCE_PORT, Destination, Flow, Header, Protocol, Source};
pub use trace::{
    Component, ComponentKind, Delivery, Direction, Hop, Refusal, RequestContext, Rule,
    ServiceAccess, Trace, Verdict,
};
pub use walk::trace;
