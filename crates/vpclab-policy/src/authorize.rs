//! The authorizer: identity, resource and endpoint policies together, answered as AWS answers
//! (IAM User Guide, "Policy evaluation logic", "Cross-account policy evaluation logic"), with
//! the statements that decided.
//!
//! 1. An explicit `Deny` in any applicable policy wins.
//! 2. Within one account, an `Allow` in the identity policies *or* in the resource policy is
//!    enough ("If either the identity-based policy or the resource-based policy within the same
//!    account allows the request and the other doesn't, the request is still allowed") — except
//!    that a resource policy naming only the account delegates to the account's identity
//!    policies, which must then allow ("The account ARN and the shortened account ID ... Both
//!    delegate permissions to the account"; see [`Reason::AccountDelegation`]).
//! 3. Across accounts both must allow: the resource owner's resource policy names the
//!    principal (or its account), and the principal's identity policies allow the action.
//! 4. A request that came through a VPC endpoint must also be allowed by the endpoint policy
//!    ("An endpoint policy does not override or replace identity-based policies or
//!    resource-based policies").
//!
//! The root user needs no identity policy in its own account ("all requests are implicitly
//! denied with the exception of the AWS account root user, which has full access"), but an
//! explicit Deny in a resource or endpoint policy still applies to it. AWS services and
//! anonymous callers have no identity policies: only a resource policy can grant them access.

use std::fmt;

use crate::ast::{Effect, Policy};
use crate::context::{PrincipalKind, Request};
use crate::eval;

/// The policies that apply to one request.
#[derive(Debug, Clone, Copy, Default)]
pub struct Policies<'a> {
    /// The principal's identity-based policies (cited by their index in this slice).
    pub identity: &'a [Policy],
    /// The resource's resource-based policy (the bucket policy), if it has one.
    pub resource: Option<&'a Policy>,
    /// The account that owns the resource. `None` means the principal's own account. A bucket
    /// without a policy still has an owner, which is why this is not part of `resource`.
    pub resource_owner: Option<&'a str>,
    /// The policy of the VPC endpoint the request came through, if it came through one. Use
    /// [`Policy::full_access_endpoint`] for an endpoint that has the default policy.
    pub endpoint: Option<&'a Policy>,
}

/// Which policy a statement belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicySource {
    /// The identity-based policy at this index of [`Policies::identity`].
    Identity(usize),
    /// The resource-based policy (bucket policy).
    Resource,
    /// The VPC endpoint policy.
    Endpoint,
}

/// A statement that applied to the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementRef {
    /// The policy it belongs to.
    pub source: PolicySource,
    /// Its index in the policy's `Statement` array.
    pub index: usize,
    /// Its `Sid`, if any.
    pub sid: Option<String>,
    /// Its effect.
    pub effect: Effect,
    /// Whether its `Principal` matched only through the requester's account (which, for an
    /// Allow in a resource policy, delegates to the account's identity policies).
    pub account_only: bool,
}

/// AWS's three outcomes (the IAM policy simulator's `EvalDecision`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EvalDecision {
    /// The request is allowed.
    Allowed,
    /// A `Deny` statement applied.
    ExplicitDeny,
    /// No combination of `Allow` statements sufficed.
    ImplicitDeny,
}

/// Why the decision is what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// Allowed by the statements in [`Decision::deciding`].
    Allowed,
    /// Allowed because the principal is the root user of the account that owns the resource.
    RootUser,
    /// Denied by the `Deny` statements in [`Decision::deciding`].
    ExplicitDeny,
    /// No statement in the identity or resource policy allows the request.
    NoAllow,
    /// The identity or resource policy allows it, but the VPC endpoint policy does not.
    EndpointPolicy,
    /// Cross-account: the resource policy allows it but no identity policy of the caller does.
    CrossAccountIdentity,
    /// Cross-account: an identity policy allows it but the owner's resource policy does not.
    CrossAccountResource,
    /// Same account: the resource policy allows only the account (which delegates to identity
    /// policies), and no identity policy allows it.
    AccountDelegation,
}

/// The answer to a request: the decision, why, and which statements decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Allowed, explicit deny or implicit deny.
    pub decision: EvalDecision,
    /// Why.
    pub reason: Reason,
    /// The statements behind the decision: the Deny statements for an explicit deny, the
    /// Allow statements that granted for an allow, and for an implicit deny the Allow
    /// statements that were not enough on their own (empty when nothing allowed).
    pub deciding: Vec<StatementRef>,
    /// Every statement that applied, in every policy, Allow and Deny. A caller that overrides
    /// a policy (S3 lets the bucket owner's root manage the bucket policy even when it denies)
    /// decides from this list.
    pub matched: Vec<StatementRef>,
    /// What the resource policy is called for this resource ("bucket policy" for S3).
    pub resource_policy_name: &'static str,
}

impl Decision {
    /// Whether the request is allowed.
    pub fn is_allowed(&self) -> bool {
        self.decision == EvalDecision::Allowed
    }

    /// The Deny statements that applied, from every policy.
    pub fn explicit_denies(&self) -> impl Iterator<Item = &StatementRef> {
        self.matched.iter().filter(|s| s.effect == Effect::Deny)
    }

    /// Whether the decision is an explicit deny that comes only from `source` (for S3: the
    /// bucket owner's root may always manage the bucket policy, however it denies).
    pub fn denied_only_by(&self, source: PolicySource) -> bool {
        self.decision == EvalDecision::ExplicitDeny
            && self.explicit_denies().all(|s| s.source == source)
    }
}

/// An engine that decides requests. vpclab calls it through this trait so the engine behind it
/// can be replaced (see README.md for why ours is hand-written).
pub trait PolicyEngine {
    /// Decides `request` under `policies`.
    fn authorize(&self, request: &Request, policies: &Policies<'_>) -> Decision;
}

/// vpclab's own policy engine.
#[derive(Debug, Clone, Copy, Default)]
pub struct Authorizer;

impl PolicyEngine for Authorizer {
    fn authorize(&self, request: &Request, policies: &Policies<'_>) -> Decision {
        let mut matched = Vec::new();
        for (i, policy) in policies.identity.iter().enumerate() {
            eval::evaluate(policy, PolicySource::Identity(i), request, &mut matched);
        }
        if let Some(policy) = policies.resource {
            eval::evaluate(policy, PolicySource::Resource, request, &mut matched);
        }
        if let Some(policy) = policies.endpoint {
            eval::evaluate(policy, PolicySource::Endpoint, request, &mut matched);
        }
        combine(request, policies, matched)
    }
}

/// Decides `request` under `policies` with vpclab's engine ([`Authorizer`]).
pub fn authorize(request: &Request, policies: &Policies<'_>) -> Decision {
    Authorizer.authorize(request, policies)
}

/// Combines the statements that applied into a decision. Shared by every engine behind
/// [`PolicyEngine`], so they differ only in which statements they find applicable.
pub(crate) fn combine(
    request: &Request,
    policies: &Policies<'_>,
    matched: Vec<StatementRef>,
) -> Decision {
    let (decision, reason, deciding) = verdict(request, policies, &matched);
    Decision {
        decision,
        reason,
        deciding,
        matched,
        resource_policy_name: resource_policy_name(&request.resource),
    }
}

fn verdict(
    request: &Request,
    policies: &Policies<'_>,
    matched: &[StatementRef],
) -> (EvalDecision, Reason, Vec<StatementRef>) {
    let decide = |decision, reason, deciding: Vec<StatementRef>| (decision, reason, deciding);

    // 1. An explicit Deny anywhere wins.
    let denies: Vec<StatementRef> = matched
        .iter()
        .filter(|s| s.effect == Effect::Deny)
        .cloned()
        .collect();
    if !denies.is_empty() {
        return decide(EvalDecision::ExplicitDeny, Reason::ExplicitDeny, denies);
    }

    let allows = |f: &dyn Fn(&StatementRef) -> bool| -> Vec<StatementRef> {
        matched
            .iter()
            .filter(|s| s.effect == Effect::Allow && f(s))
            .cloned()
            .collect()
    };
    let identity = allows(&|s| matches!(s.source, PolicySource::Identity(_)));
    let resource_direct = allows(&|s| s.source == PolicySource::Resource && !s.account_only);
    let resource_account = allows(&|s| s.source == PolicySource::Resource && s.account_only);
    let endpoint = allows(&|s| s.source == PolicySource::Endpoint);

    let principal = &request.principal;
    let same_account = policies
        .resource_owner
        .is_none_or(|owner| owner == principal.account);
    let root = principal.kind == PrincipalKind::Root;

    // 2./3. Identity and resource policies.
    let granted: Result<(Reason, Vec<StatementRef>), (Reason, Vec<StatementRef>)> =
        match principal.kind {
            PrincipalKind::Service | PrincipalKind::Anonymous => {
                if resource_direct.is_empty() {
                    Err((Reason::NoAllow, Vec::new()))
                } else {
                    Ok((Reason::Allowed, resource_direct))
                }
            }
            _ if same_account => {
                if root {
                    Ok((Reason::RootUser, Vec::new()))
                } else if !identity.is_empty() {
                    Ok((Reason::Allowed, identity))
                } else if !resource_direct.is_empty() {
                    Ok((Reason::Allowed, resource_direct))
                } else if !resource_account.is_empty() {
                    Err((Reason::AccountDelegation, resource_account))
                } else {
                    Err((Reason::NoAllow, Vec::new()))
                }
            }
            _ => {
                let resource: Vec<StatementRef> = resource_direct
                    .into_iter()
                    .chain(resource_account)
                    .collect();
                match (root || !identity.is_empty(), resource.is_empty()) {
                    (true, false) => Ok((
                        Reason::Allowed,
                        identity.into_iter().chain(resource).collect(),
                    )),
                    (false, false) => Err((Reason::CrossAccountIdentity, resource)),
                    (true, true) if !identity.is_empty() => {
                        Err((Reason::CrossAccountResource, identity))
                    }
                    _ => Err((Reason::NoAllow, Vec::new())),
                }
            }
        };
    let (reason, mut deciding) = match granted {
        Ok(granted) => granted,
        Err((reason, partial)) => return decide(EvalDecision::ImplicitDeny, reason, partial),
    };

    // 4. The endpoint policy must allow as well.
    if policies.endpoint.is_some() {
        if endpoint.is_empty() {
            return decide(EvalDecision::ImplicitDeny, Reason::EndpointPolicy, deciding);
        }
        deciding.extend(endpoint);
    }
    decide(EvalDecision::Allowed, reason, deciding)
}

/// AWS's name for a resource-based policy on this kind of resource.
fn resource_policy_name(resource: &str) -> &'static str {
    match resource.split(':').nth(2) {
        Some("s3") => "bucket policy",
        Some("kms") => "key policy",
        Some("iam") => "role trust policy",
        Some("sqs") => "queue policy",
        Some("sns") => "topic policy",
        _ => "resource policy",
    }
}

impl StatementRef {
    fn describe(&self, f: &mut fmt::Formatter<'_>, resource_policy_name: &str) -> fmt::Result {
        match self.source {
            PolicySource::Identity(i) => write!(f, "identity policy #{i}")?,
            PolicySource::Resource => f.write_str(resource_policy_name)?,
            PolicySource::Endpoint => f.write_str("VPC endpoint policy")?,
        }
        match &self.sid {
            Some(sid) => write!(f, " statement {sid:?} (#{})", self.index),
            None => write!(f, " statement #{}", self.index),
        }
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |f: &mut fmt::Formatter<'_>, statements: &[StatementRef]| -> fmt::Result {
            for (i, s) in statements.iter().enumerate() {
                if i > 0 {
                    f.write_str(if i + 1 == statements.len() {
                        " and "
                    } else {
                        ", "
                    })?;
                }
                s.describe(f, self.resource_policy_name)?;
            }
            Ok(())
        };
        let name = self.resource_policy_name;
        match self.reason {
            Reason::Allowed => {
                f.write_str("Allow by ")?;
                list(f, &self.deciding)
            }
            Reason::RootUser => {
                f.write_str(
                    "Allow: the account root user has full access to its own account's resources",
                )?;
                if !self.deciding.is_empty() {
                    f.write_str(", and ")?;
                    list(f, &self.deciding)?;
                    f.write_str(" allows it")?;
                }
                Ok(())
            }
            Reason::ExplicitDeny => {
                f.write_str("explicit Deny by ")?;
                list(f, &self.deciding)
            }
            Reason::NoAllow => write!(
                f,
                "implicit Deny: no statement in the identity policies or the {name} allows this request"
            ),
            Reason::EndpointPolicy => f.write_str(
                "implicit Deny: no statement in the VPC endpoint policy allows this request",
            ),
            Reason::CrossAccountIdentity => {
                f.write_str("implicit Deny: cross-account request: ")?;
                list(f, &self.deciding)?;
                f.write_str(
                    " allows it, but no identity policy of the caller's account does (across accounts both must allow)",
                )
            }
            Reason::CrossAccountResource => {
                f.write_str("implicit Deny: cross-account request: ")?;
                list(f, &self.deciding)?;
                write!(
                    f,
                    " allows it, but the {name} of the owning account does not (across accounts both must allow)"
                )
            }
            Reason::AccountDelegation => {
                f.write_str("implicit Deny: ")?;
                list(f, &self.deciding)?;
                f.write_str(
                    " names only the account, which delegates to the account's identity policies, and none of them allows this request",
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::PolicyKind;
    use crate::context::Principal;

    const ME: &str = "111122223333";
    const OTHER: &str = "444455556666";
    const OBJECT: &str = "arn:aws:s3:::b/k";

    fn parse(json: &str, kind: PolicyKind) -> Policy {
        match Policy::parse(json, kind) {
            Ok(p) => p,
            Err(e) => panic!("{e}: {json}"),
        }
    }

    fn allow_get() -> Policy {
        parse(
            r#"{"Version":"2012-10-17","Statement":[{"Sid":"Get","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#,
            PolicyKind::Identity,
        )
    }

    fn bucket(principal: &str) -> Policy {
        parse(
            &format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"Grant","Effect":"Allow","Principal":{principal},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}]}}"#
            ),
            PolicyKind::Resource,
        )
    }

    #[test]
    fn no_policy_is_an_implicit_deny_that_says_so() {
        let request = Request::new(Principal::user(ME, "alice"), "s3:GetObject", OBJECT);
        let d = authorize(&request, &Policies::default());
        assert_eq!(
            (d.decision, d.reason),
            (EvalDecision::ImplicitDeny, Reason::NoAllow)
        );
        assert_eq!(
            d.to_string(),
            "implicit Deny: no statement in the identity policies or the bucket policy allows this request"
        );
    }

    #[test]
    fn cross_account_reasons_name_the_half_that_allowed() {
        let request = Request::new(Principal::user(OTHER, "carol"), "s3:GetObject", OBJECT);
        let grant = bucket(r#"{"AWS":"444455556666"}"#);
        let only_resource = Policies {
            resource: Some(&grant),
            resource_owner: Some(ME),
            ..Policies::default()
        };
        let d = authorize(&request, &only_resource);
        assert_eq!(d.reason, Reason::CrossAccountIdentity);
        assert_eq!(
            d.to_string(),
            r#"implicit Deny: cross-account request: bucket policy statement "Grant" (#0) allows it, but no identity policy of the caller's account does (across accounts both must allow)"#
        );
        let identity = [allow_get()];
        let only_identity = Policies {
            identity: &identity,
            resource_owner: Some(ME),
            ..Policies::default()
        };
        let d = authorize(&request, &only_identity);
        assert_eq!(d.reason, Reason::CrossAccountResource);
        assert!(d.to_string().starts_with(r#"implicit Deny: cross-account request: identity policy #0 statement "Get" (#0) allows it"#));
        let both = Policies {
            identity: &identity,
            resource: Some(&grant),
            resource_owner: Some(ME),
            endpoint: None,
        };
        let d = authorize(&request, &both);
        assert!(d.is_allowed());
        assert_eq!(
            d.to_string(),
            r#"Allow by identity policy #0 statement "Get" (#0) and bucket policy statement "Grant" (#0)"#
        );
    }

    #[test]
    fn endpoint_policy_must_allow_too() {
        let request = Request::new(Principal::user(ME, "alice"), "s3:GetObject", OBJECT);
        let identity = [allow_get()];
        let put_only = parse(
            r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:PutObject","Resource":"*"}]}"#,
            PolicyKind::Endpoint,
        );
        let d = authorize(
            &request,
            &Policies {
                identity: &identity,
                endpoint: Some(&put_only),
                ..Policies::default()
            },
        );
        assert_eq!(d.reason, Reason::EndpointPolicy);
        assert_eq!(
            d.to_string(),
            "implicit Deny: no statement in the VPC endpoint policy allows this request"
        );
        let full = Policy::full_access_endpoint();
        let d = authorize(
            &request,
            &Policies {
                identity: &identity,
                endpoint: Some(&full),
                ..Policies::default()
            },
        );
        assert!(d.is_allowed());
        assert_eq!(
            d.to_string(),
            r#"Allow by identity policy #0 statement "Get" (#0) and VPC endpoint policy statement #0"#
        );
    }

    #[test]
    fn root_user_and_the_s3_owner_override() {
        let request = Request::new(
            Principal::root(ME),
            "s3:DeleteBucketPolicy",
            "arn:aws:s3:::b",
        );
        let d = authorize(
            &request,
            &Policies {
                resource_owner: Some(ME),
                ..Policies::default()
            },
        );
        assert_eq!(d.reason, Reason::RootUser);
        let deny_all = parse(
            r#"{"Statement":[{"Sid":"Lock","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b"}]}"#,
            PolicyKind::Resource,
        );
        let identity_deny = parse(
            r#"{"Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}"#,
            PolicyKind::Identity,
        );
        let d = authorize(
            &request,
            &Policies {
                resource: Some(&deny_all),
                resource_owner: Some(ME),
                ..Policies::default()
            },
        );
        assert!(d.denied_only_by(PolicySource::Resource));
        let identities = [identity_deny];
        let d = authorize(
            &request,
            &Policies {
                identity: &identities,
                resource: Some(&deny_all),
                resource_owner: Some(ME),
                endpoint: None,
            },
        );
        assert!(!d.denied_only_by(PolicySource::Resource));
        assert_eq!(d.deciding.len(), 2);
        assert_eq!(
            d.to_string(),
            r#"explicit Deny by identity policy #0 statement #0 and bucket policy statement "Lock" (#0)"#
        );
    }

    #[test]
    fn service_principals_need_a_resource_grant() {
        let request = Request::new(
            Principal::service("cloudtrail.amazonaws.com"),
            "s3:GetObject",
            OBJECT,
        );
        let grant = bucket(r#"{"Service":"cloudtrail.amazonaws.com"}"#);
        let d = authorize(
            &request,
            &Policies {
                resource: Some(&grant),
                resource_owner: Some(ME),
                ..Policies::default()
            },
        );
        assert!(d.is_allowed(), "{d}");
        let d = authorize(
            &request,
            &Policies {
                resource_owner: Some(ME),
                ..Policies::default()
            },
        );
        assert!(!d.is_allowed());
    }

    #[test]
    fn resource_policy_names() {
        assert_eq!(resource_policy_name("arn:aws:s3:::b"), "bucket policy");
        assert_eq!(
            resource_policy_name("arn:aws:kms:us-east-1:1:key/x"),
            "key policy"
        );
        assert_eq!(resource_policy_name("*"), "resource policy");
    }
}
