//! One lab builder for the tests of the pure crates (`vpclab-reach`, `vpclab-cost`,
//! `vpclab-diagram`): a [`World`] over a [`Lab`](vpclab_model::Lab) with two accounts,
//! helpers that create resources through the model's public operations, and the trace
//! helpers the assertions read.
//!
//! Every helper panics with what failed: this crate is for tests only. Ids come from the
//! lab's seeded generator, so a test that wants the same ids (a golden file) keeps its
//! seed and its order of creation.

mod load_balancer;
mod trace;
mod world;

pub use trace::{delivered, refused, s3_ip};
pub use world::{To, World};

/// The world's own account: the provider in PrivateLink tests.
pub const ACCOUNT: &str = "111111111111";

/// The second account: the consumer in PrivateLink tests, the peer across accounts.
pub const OTHER_ACCOUNT: &str = "222222222222";

/// The S3 service in the lab's default region, for gateway and interface endpoints.
pub const S3_SERVICE: &str = "com.amazonaws.us-east-1.s3";
