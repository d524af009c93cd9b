//! CloudFormation templates: read, evaluated, and deployed into a vpclab `Lab`.
//!
//! [`Template::parse`] reads JSON or YAML (short-form tags such as `!Ref` and `!GetAtt`
//! become their long form; YAML 1.2 scalars, so `2012-10-17` stays a string) into typed
//! sections whose values are `serde_json::Value` trees. Then, for one stack:
//! [`Template::parameters`] gives every parameter its value, [`Template::conditions`]
//! evaluates the Conditions block, [`Template::order`] lists the resources to create, each
//! after what it refers to, and an [`Evaluator`] resolves intrinsic functions with what a
//! [`Resolved`] knows of deployed resources and other stacks' exports. Errors use
//! CloudFormation's wording where we know it. [`deploy`] creates a stack's resources
//! through the model's operations and [`undeploy`] deletes them. No IO, no clock.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod cidr;
mod conditions;
mod context;
mod deploy;
mod err;
mod intrinsic;
mod order;
mod parameters;
mod template;
mod text;

pub use conditions::Conditions;
pub use context::{Context, is_pseudo_parameter};
pub use deploy::{DeployOptions, ResourceStatus, Stack, StackResource, deploy, undeploy};
pub use err::CfnError;
pub use intrinsic::{Evaluator, Resolved, ResolvedOutput};
pub use parameters::{ParameterValue, Parameters};
pub use template::{Output, Parameter, Resource, Template};
