//! One policy against one request: which statements apply.
//!
//! A statement applies when its principal, action, resource and every condition match. The
//! authorizer ([`crate::authorize`]) then combines the statements that applied across the
//! identity, resource and endpoint policies.

use crate::ast::*;
use crate::authorize::{PolicySource, StatementRef};
use crate::condition::{self, resource_matches};
use crate::context::{Principal, PrincipalKind, Request};
use crate::wildcard;

/// How a statement's `Principal` matched the requester.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum PrincipalMatch {
    /// It does not name the requester.
    No,
    /// It names only the requester's account (`123456789012` or `arn:aws:iam::...:root`).
    /// AWS: that "delegates authority to the account": an Allow then still needs the account's
    /// own identity policies to allow; a Deny applies to every principal of the account.
    Account,
    /// It names the requester itself (its ARN, its role, a service, or `*`).
    Direct,
}

/// Appends every statement of `policy` that applies to `request` to `out`.
pub(crate) fn evaluate(
    policy: &Policy,
    source: PolicySource,
    request: &Request,
    out: &mut Vec<StatementRef>,
) {
    for (index, statement) in policy.statements.iter().enumerate() {
        let principal = applies(statement, policy.kind, request);
        if principal == PrincipalMatch::No {
            continue;
        }
        out.push(StatementRef {
            source,
            index,
            sid: statement.sid.clone(),
            effect: statement.effect,
            account_only: principal == PrincipalMatch::Account,
        });
    }
}

/// Whether `statement` applies to `request`, and how its principal matched.
pub(crate) fn applies(
    statement: &Statement,
    kind: PolicyKind,
    request: &Request,
) -> PrincipalMatch {
    // Cheapest and most selective first: the action, then the resource, then the principal,
    // then the conditions.
    let action = statement
        .action
        .actions
        .iter()
        .any(|a| wildcard::matches(a, &request.action, true));
    if action == statement.action.not {
        return PrincipalMatch::No;
    }
    if let Some(resource) = &statement.resource {
        let hit = resource
            .resources
            .iter()
            .any(|p| resource_matches(p, &request.resource, &request.context));
        if hit == resource.not {
            return PrincipalMatch::No;
        }
    }
    let principal = match &statement.principal {
        // An identity-based policy applies to the identity it is attached to.
        None => PrincipalMatch::Direct,
        Some(element) if element.not => {
            if excluded(&element.principals, &request.principal) {
                PrincipalMatch::No
            } else {
                PrincipalMatch::Direct
            }
        }
        Some(element) => matches(&element.principals, &request.principal, kind),
    };
    if principal == PrincipalMatch::No {
        return PrincipalMatch::No;
    }
    if statement
        .conditions
        .iter()
        .all(|c| condition::holds(c, &request.context))
    {
        principal
    } else {
        PrincipalMatch::No
    }
}

/// How a `Principal` element matches the requester (the best of its entries).
fn matches(principals: &Principals, requester: &Principal, kind: PolicyKind) -> PrincipalMatch {
    match principals {
        Principals::Everyone => PrincipalMatch::Direct,
        Principals::Map(blocks) => blocks
            .iter()
            .flat_map(|b| &b.ids)
            .map(|id| matches_one(&id.id, requester, kind))
            .max()
            .unwrap_or(PrincipalMatch::No),
    }
}

fn matches_one(id: &PrincipalRef, p: &Principal, kind: PolicyKind) -> PrincipalMatch {
    let direct = |yes: bool| {
        if yes {
            PrincipalMatch::Direct
        } else {
            PrincipalMatch::No
        }
    };
    match id {
        PrincipalRef::Anyone => PrincipalMatch::Direct,
        PrincipalRef::Account(account) if !p.account.is_empty() && *account == p.account => {
            match (p.kind, kind) {
                // The root user is the account itself.
                (PrincipalKind::Root, _) => PrincipalMatch::Direct,
                // AWS (VPC endpoint policies, "Principals for gateway endpoints"): "If you
                // specify the principal in the format "AWS": "account_id", access is granted
                // to the AWS account root user only, and not all users and roles for the
                // account."
                (_, PolicyKind::Endpoint) => PrincipalMatch::No,
                _ => PrincipalMatch::Account,
            }
        }
        PrincipalRef::Account(_) => PrincipalMatch::No,
        PrincipalRef::User(arn) => direct(p.kind == PrincipalKind::User && *arn == p.arn),
        PrincipalRef::Role { account, name } => {
            direct(*account == p.account && p.role_name() == Some(name.as_str()))
        }
        PrincipalRef::Session(arn) => direct(p.kind == PrincipalKind::AssumedRole && *arn == p.arn),
        PrincipalRef::Service(name) => direct(p.kind == PrincipalKind::Service && *name == p.arn),
        PrincipalRef::Other(_) => PrincipalMatch::No,
    }
}

/// Whether a `NotPrincipal` element exempts the requester from its Deny.
///
/// AWS ("AWS JSON policy elements: NotPrincipal"): "When you use NotPrincipal, you must also
/// specify the account ARN of the not-denied principal. Otherwise, the policy might deny access
/// to the entire account containing the principal. ... When evaluating an assumed-role user,
/// AWS checks the account first, then the role, and then the assumed-role user." So a user is
/// exempt only if both its account and its ARN are listed; a role session only if its account
/// and its role (or the session itself) are.
fn excluded(principals: &Principals, p: &Principal) -> bool {
    let blocks = match principals {
        Principals::Everyone => return true,
        Principals::Map(blocks) => blocks,
    };
    let mut ids = blocks.iter().flat_map(|b| &b.ids).map(|id| &id.id);
    if ids.clone().any(|id| *id == PrincipalRef::Anyone) {
        return true;
    }
    let account_listed = ids.clone().any(
        |id| matches!(id, PrincipalRef::Account(a) if !p.account.is_empty() && *a == p.account),
    );
    match p.kind {
        PrincipalKind::Anonymous => false,
        PrincipalKind::Service => {
            ids.any(|id| matches!(id, PrincipalRef::Service(s) if *s == p.arn))
        }
        PrincipalKind::Root => account_listed,
        PrincipalKind::User => {
            account_listed && ids.any(|id| matches!(id, PrincipalRef::User(a) if *a == p.arn))
        }
        PrincipalKind::AssumedRole => {
            account_listed
                && ids.any(|id| {
                    matches_one(id, p, PolicyKind::Resource) == PrincipalMatch::Direct
                        && !matches!(id, PrincipalRef::Anyone)
                })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::PolicyKind;

    fn policy(json: &str) -> Policy {
        crate::parse::parse(json, PolicyKind::Resource).expect("valid policy")
    }

    fn applies_to(p: &Policy, request: &Request) -> PrincipalMatch {
        applies(&p.statements[0], p.kind, request)
    }

    #[test]
    fn account_principal_is_delegation_for_users_direct_for_root() {
        let p = policy(
            r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#,
        );
        let user = Request::new(
            Principal::user("111122223333", "alice"),
            "s3:GetObject",
            "arn:aws:s3:::b/k",
        );
        let root = Request::new(
            Principal::root("111122223333"),
            "s3:GetObject",
            "arn:aws:s3:::b/k",
        );
        let other = Request::new(
            Principal::root("444455556666"),
            "s3:GetObject",
            "arn:aws:s3:::b/k",
        );
        assert_eq!(applies_to(&p, &user), PrincipalMatch::Account);
        assert_eq!(applies_to(&p, &root), PrincipalMatch::Direct);
        assert_eq!(applies_to(&p, &other), PrincipalMatch::No);
    }

    #[test]
    fn role_arn_matches_its_sessions() {
        let p = policy(
            r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/team/Reader"},"Action":"s3:GetObject","Resource":"*"}]}"#,
        );
        let session = Request::new(
            Principal::assumed_role("111122223333", "Reader", "s1"),
            "s3:GetObject",
            "arn:aws:s3:::b/k",
        );
        let other = Request::new(
            Principal::assumed_role("111122223333", "Writer", "s1"),
            "s3:GetObject",
            "arn:aws:s3:::b/k",
        );
        assert_eq!(applies_to(&p, &session), PrincipalMatch::Direct);
        assert_eq!(applies_to(&p, &other), PrincipalMatch::No);
    }

    #[test]
    fn action_case_insensitive_resource_case_sensitive() {
        let p = policy(
            r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::Bucket/*"}]}"#,
        );
        let r =
            |action: &str, resource: &str| Request::new(Principal::anonymous(), action, resource);
        assert_eq!(
            applies_to(&p, &r("S3:getobject", "arn:aws:s3:::Bucket/k")),
            PrincipalMatch::Direct
        );
        assert_eq!(
            applies_to(&p, &r("s3:GetObject", "arn:aws:s3:::bucket/k")),
            PrincipalMatch::No
        );
    }
}
