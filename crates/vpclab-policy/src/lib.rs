//! The IAM policy language for vpclab: S3 bucket policies, VPC endpoint policies and
//! identity-based policies, parsed and evaluated as AWS does, with the statement that decided.
//!
//! Pure: no IO, no clock (put `aws:CurrentTime`/`aws:EpochTime` in the request context), no
//! async. Shaped like cedar-policy: [`Policy::parse`] turns JSON into a typed AST ([`ast`]),
//! [`eval`] says which statements apply, and the authorizer ([`authorize()`]) combines the
//! identity, resource and endpoint policies into a [`Decision`] whose `Display` is the
//! explanation vpclab prints.
//!
//! ```
//! use vpclab_policy::{authorize, Policies, Policy, PolicyKind, Principal, Request};
//!
//! let bucket_policy = Policy::parse(r#"{
//!   "Version": "2012-10-17",
//!   "Statement": [{
//!     "Sid": "DenyUnlessVpce", "Effect": "Deny", "Principal": "*",
//!     "Action": "s3:*", "Resource": ["arn:aws:s3:::data", "arn:aws:s3:::data/*"],
//!     "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}
//!   }]
//! }"#, PolicyKind::Resource)?;
//!
//! let request = Request::new(Principal::root("111122223333"), "s3:GetObject", "arn:aws:s3:::data/k");
//! let policies = Policies {
//!     resource: Some(&bucket_policy),
//!     resource_owner: Some("111122223333"),
//!     ..Policies::default()
//! };
//! let decision = authorize(&request, &policies);
//! assert!(!decision.is_allowed());
//! assert_eq!(
//!     decision.to_string(),
//!     r#"explicit Deny by bucket policy statement "DenyUnlessVpce" (#0)"#
//! );
//!
//! let through_endpoint = request.with("aws:SourceVpce", "vpce-1a2b3c4d");
//! assert!(authorize(&through_endpoint, &policies).is_allowed());
//! # Ok::<(), vpclab_policy::PolicyError>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod ast;
mod authorize;
mod condition;
mod context;
mod err;
mod eval;
#[cfg(feature = "iam-rs")]
pub mod iam_rs_engine;
mod parse;
mod serialize;
mod variable;
mod wildcard;

pub use ast::{Effect, Policy, PolicyKind, Version};
pub use authorize::{
    Authorizer, Decision, EvalDecision, Policies, PolicyEngine, PolicySource, Reason, StatementRef,
    authorize,
};
pub use context::{Context, Principal, PrincipalKind, Request};
pub use err::PolicyError;
pub use variable::Pattern;

impl Policy {
    /// Parses a policy document of the given kind, refusing what AWS refuses with AWS's
    /// message (see [`PolicyError`]). Never panics, whatever the input.
    pub fn parse(json: &str, kind: PolicyKind) -> Result<Policy, PolicyError> {
        parse::parse(json, kind)
    }

    /// The document as JSON, elements in the IAM grammar's order. Parsing it again gives an
    /// equal [`Policy`].
    pub fn to_json(&self) -> String {
        serialize::to_json(self)
    }

    /// The kind this policy was parsed as.
    pub fn kind(&self) -> PolicyKind {
        self.kind
    }

    /// The default VPC endpoint policy AWS attaches when none is given: full access,
    /// `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`.
    pub fn full_access_endpoint() -> Policy {
        use ast::*;
        Policy {
            kind: PolicyKind::Endpoint,
            version: None,
            id: None,
            statements: vec![Statement {
                sid: None,
                effect: Effect::Allow,
                principal: Some(PrincipalElement {
                    not: false,
                    principals: Principals::Everyone,
                }),
                action: ActionElement {
                    not: false,
                    actions: vec!["*".to_owned()],
                },
                resource: Some(ResourceElement {
                    not: false,
                    resources: vec![Pattern::new("*", false)],
                }),
                conditions: Vec::new(),
            }],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_endpoint_policy_is_the_documented_one() {
        let documented = Policy::parse(
            r#"{"Statement":[{"Action":"*","Effect":"Allow","Resource":"*","Principal":"*"}]}"#,
            PolicyKind::Endpoint,
        )
        .expect("valid");
        assert_eq!(Policy::full_access_endpoint(), documented);
    }

    #[test]
    fn round_trip() {
        let json = r#"{"Version":"2012-10-17","Id":"x","Statement":[{"Sid":"A","Effect":"Deny","NotPrincipal":{"AWS":["111122223333","arn:aws:iam::111122223333:user/a"]},"NotAction":"s3:Get*","NotResource":["arn:aws:s3:::b","arn:aws:s3:::b/${aws:username}/*"],"Condition":{"NumericLessThan":{"s3:max-keys":10},"Bool":{"aws:SecureTransport":false},"ForAnyValue:StringLikeIfExists":{"aws:TagKeys":["a*","b"]}}}]}"#;
        let p = Policy::parse(json, PolicyKind::Resource).expect("valid");
        let again = Policy::parse(&p.to_json(), PolicyKind::Resource).expect("valid");
        assert_eq!(p, again);
        assert_eq!(p.to_json(), again.to_json());
    }

    #[test]
    fn numbers_that_do_not_fit_round_trip() {
        // Found by the fuzz target: a number f64 cannot hold exactly must read back the same.
        let json = r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"NumericLessThan":{"s3:max-keys":330000000000000000000000000000000000000000000000000000000000000000000000000033}}}]}"#;
        let p = Policy::parse(json, PolicyKind::Identity).expect("valid");
        let again = Policy::parse(&p.to_json(), PolicyKind::Identity).expect("valid");
        assert_eq!(p, again);
    }
}
