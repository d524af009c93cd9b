//! The AWS wire: SigV4 verification, the EC2/ELBv2/STS query protocol, AWS error shapes and
//! HTTP routing, in front of the model, the policy engine, the reach engine and the store.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod admin;
pub mod client;
pub mod cost;
pub mod diagram;
pub mod ec2;
pub mod elbv2;
pub mod error;
pub mod live;
pub mod s3;
pub mod server;
pub mod sigv4;
pub mod stacks;
pub mod state;
pub mod sts;

pub use server::{ServeConfig, Server};
