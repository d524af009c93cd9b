//! `iam-rs` (crates.io, v0.8) behind our [`PolicyEngine`] trait, built only with the `iam-rs`
//! feature, so the conformance table can judge it (see README.md for the result).
//!
//! `iam-rs` evaluates a set of policies into Allow/Deny/NotApplicable; it has no notion of
//! identity vs resource vs endpoint policies or of accounts. The adapter therefore asks it, per
//! policy, which statements apply (its per-statement details, in statement order) and combines
//! them with the same authorizer step vpclab's engine uses; only statement matching differs.
//! A document `iam-rs` cannot read, or a request it refuses, contributes no statement.

use iam_rs::{
    Arn, ContextValue, EvaluationOptions, IAMEffect, IAMPolicy, IAMRequest, PolicyEvaluator,
    PrincipalId,
};

use crate::ast::{Effect, Policy};
use crate::authorize::{Decision, Policies, PolicyEngine, PolicySource, StatementRef, combine};
use crate::context::{PrincipalKind, Request};

/// `iam-rs` as a [`PolicyEngine`].
#[derive(Debug, Clone, Copy, Default)]
pub struct IamRsEngine;

impl PolicyEngine for IamRsEngine {
    fn authorize(&self, request: &Request, policies: &Policies<'_>) -> Decision {
        let mut matched = Vec::new();
        if let Some(iam_request) = convert(request) {
            let sources = policies
                .identity
                .iter()
                .enumerate()
                .map(|(i, p)| (PolicySource::Identity(i), p))
                .chain(policies.resource.map(|p| (PolicySource::Resource, p)))
                .chain(policies.endpoint.map(|p| (PolicySource::Endpoint, p)));
            for (source, policy) in sources {
                statements(policy, source, &iam_request, &mut matched);
            }
        }
        combine(request, policies, matched)
    }
}

fn statements(
    policy: &Policy,
    source: PolicySource,
    request: &IAMRequest,
    out: &mut Vec<StatementRef>,
) {
    let Ok(parsed) = IAMPolicy::from_json(&policy.to_json()) else {
        return;
    };
    let options = EvaluationOptions {
        stop_on_explicit_deny: false,
        collect_match_details: true,
        ..EvaluationOptions::default()
    };
    let evaluator = PolicyEvaluator::with_policies(vec![parsed]).with_options(options);
    let Ok(result) = evaluator.evaluate(request) else {
        return;
    };
    for (index, detail) in result.statement_details.iter().enumerate() {
        if detail.conditions_satisfied {
            out.push(StatementRef {
                source,
                index,
                sid: detail.sid.clone(),
                effect: match detail.effect {
                    IAMEffect::Allow => Effect::Allow,
                    IAMEffect::Deny => Effect::Deny,
                },
                account_only: false,
            });
        }
    }
}

fn convert(request: &Request) -> Option<IAMRequest> {
    let p = &request.principal;
    let principal = match p.kind {
        PrincipalKind::Root | PrincipalKind::User | PrincipalKind::AssumedRole => {
            iam_rs::Principal::Aws(PrincipalId::String(p.arn.clone()))
        }
        PrincipalKind::Service => iam_rs::Principal::Service(PrincipalId::String(p.arn.clone())),
        PrincipalKind::Anonymous => iam_rs::Principal::Wildcard,
    };
    let resource = Arn::parse(&request.resource).ok()?;
    let mut context = iam_rs::Context::new();
    for (key, values) in request.context.iter() {
        // Our context is all strings; iam-rs wants booleans typed for `Bool`, so give it them.
        let value = match values {
            [one] if one.eq_ignore_ascii_case("true") || one.eq_ignore_ascii_case("false") => {
                ContextValue::Boolean(one.eq_ignore_ascii_case("true"))
            }
            [one] => ContextValue::String(one.clone()),
            many => ContextValue::StringList(many.to_vec()),
        };
        context.insert(key.to_owned(), value);
    }
    Some(IAMRequest::new_with_context(
        principal,
        request.action.clone(),
        resource,
        context,
    ))
}
