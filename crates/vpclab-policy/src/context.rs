//! The request being authorized: who, what, on which resource, and the request context.
//!
//! AWS: "condition key names are not case-sensitive"; values are. So the [`Context`] stores keys
//! lowercased and values as the caller gave them. Every value is a string, as on the wire; the
//! condition operator decides at evaluation time whether to read it as a number, a date, a
//! boolean or an address. Time is not read from a clock: the caller puts `aws:CurrentTime` and
//! `aws:EpochTime` in the context.

use std::collections::HashMap;

/// What kind of principal made the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrincipalKind {
    /// The account's root user (`arn:aws:iam::111122223333:root`).
    Root,
    /// An IAM user (`arn:aws:iam::111122223333:user/alice`).
    User,
    /// A session of an IAM role (`arn:aws:sts::111122223333:assumed-role/Role/session`).
    AssumedRole,
    /// An AWS service acting as itself (`cloudtrail.amazonaws.com`).
    Service,
    /// An unsigned request.
    Anonymous,
}

impl PrincipalKind {
    /// The value AWS gives `aws:PrincipalType` for this kind.
    pub fn principal_type(self) -> &'static str {
        match self {
            PrincipalKind::Root => "Account",
            PrincipalKind::User => "User",
            PrincipalKind::AssumedRole => "AssumedRole",
            PrincipalKind::Service => "Service",
            PrincipalKind::Anonymous => "Anonymous",
        }
    }
}

/// The principal that made a request.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Principal {
    /// The 12-digit account the principal belongs to (empty for services and anonymous).
    pub account: String,
    /// The principal's ARN: `arn:aws:iam::ACCOUNT:root`, `arn:aws:iam::ACCOUNT:user/NAME`,
    /// `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`; for a service its name
    /// (`cloudtrail.amazonaws.com`); empty for anonymous.
    pub arn: String,
    /// What kind of principal this is.
    pub kind: PrincipalKind,
}

impl Principal {
    /// The root user of `account`.
    pub fn root(account: &str) -> Principal {
        Principal {
            account: account.to_owned(),
            arn: format!("arn:aws:iam::{account}:root"),
            kind: PrincipalKind::Root,
        }
    }

    /// The IAM user `name` (without path) of `account`.
    pub fn user(account: &str, name: &str) -> Principal {
        Principal {
            account: account.to_owned(),
            arn: format!("arn:aws:iam::{account}:user/{name}"),
            kind: PrincipalKind::User,
        }
    }

    /// The session `session` of role `role` (name without path) in `account`.
    pub fn assumed_role(account: &str, role: &str, session: &str) -> Principal {
        Principal {
            account: account.to_owned(),
            arn: format!("arn:aws:sts::{account}:assumed-role/{role}/{session}"),
            kind: PrincipalKind::AssumedRole,
        }
    }

    /// The AWS service `name` (`cloudtrail.amazonaws.com`).
    pub fn service(name: &str) -> Principal {
        Principal {
            account: String::new(),
            arn: name.to_owned(),
            kind: PrincipalKind::Service,
        }
    }

    /// An unsigned request.
    pub fn anonymous() -> Principal {
        Principal {
            account: String::new(),
            arn: String::new(),
            kind: PrincipalKind::Anonymous,
        }
    }

    /// For a role session, the role's name (`Role` in `.../assumed-role/Role/session`).
    pub(crate) fn role_name(&self) -> Option<&str> {
        if self.kind != PrincipalKind::AssumedRole {
            return None;
        }
        let resource = self.arn.splitn(6, ':').nth(5)?;
        let mut parts = resource.split('/');
        match (parts.next(), parts.next()) {
            (Some("assumed-role"), Some(role)) => Some(role),
            _ => None,
        }
    }

    /// The ARN AWS puts in `aws:PrincipalArn`: for a role session, the role's ARN
    /// (`arn:aws:iam::ACCOUNT:role/ROLE`); otherwise the principal's own ARN.
    pub fn principal_arn(&self) -> String {
        match self.role_name() {
            Some(role) => format!("arn:aws:iam::{}:role/{role}", self.account),
            None => self.arn.clone(),
        }
    }
}

/// The request context: condition keys (case-insensitive) to one or more string values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    entries: HashMap<String, Vec<String>>,
}

impl Context {
    /// An empty context.
    pub fn new() -> Context {
        Context::default()
    }

    /// Sets a single-valued key (`aws:SourceVpce` = `vpce-1a2b3c4d`), replacing any value.
    pub fn insert(&mut self, key: &str, value: impl Into<String>) -> &mut Context {
        self.entries
            .insert(key.to_ascii_lowercase(), vec![value.into()]);
        self
    }

    /// Sets a multivalued key (`aws:TagKeys`, `aws:CalledVia`), replacing any value. An empty
    /// list is a key present with no value, which AWS treats like an absent key.
    pub fn insert_many<I, S>(&mut self, key: &str, values: I) -> &mut Context
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.entries.insert(
            key.to_ascii_lowercase(),
            values.into_iter().map(Into::into).collect(),
        );
        self
    }

    /// Builder form of [`Context::insert`].
    pub fn with(mut self, key: &str, value: impl Into<String>) -> Context {
        self.insert(key, value);
        self
    }

    /// Removes a key.
    pub fn remove(&mut self, key: &str) {
        self.entries.remove(&key.to_ascii_lowercase());
    }

    /// The values of `key` (any case), if present.
    pub fn get(&self, key: &str) -> Option<&[String]> {
        self.get_lower(&key.to_ascii_lowercase())
    }

    /// The values of a key already lowercased (the parser lowercases keys once).
    pub(crate) fn get_lower(&self, key: &str) -> Option<&[String]> {
        self.entries.get(key).map(Vec::as_slice)
    }

    /// The keys and values, keys lowercased, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v.as_slice()))
    }
}

/// A request to authorize: the principal, the action (`s3:GetObject`), the resource's ARN
/// (`arn:aws:s3:::bucket/key`) and the request context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Who is asking.
    pub principal: Principal,
    /// The action, `service:Name`; compared without regard to case.
    pub action: String,
    /// The resource's ARN; compared case-sensitively.
    pub resource: String,
    /// The request context.
    pub context: Context,
}

impl Request {
    /// A request whose context already holds the keys AWS derives from the principal:
    /// `aws:PrincipalAccount`, `aws:PrincipalArn`, `aws:PrincipalType`, and for an IAM user
    /// `aws:username`. Add the network keys (`aws:SourceVpce`, `aws:SourceIp`, ...),
    /// `aws:SecureTransport`, `aws:CurrentTime` and the action's own keys yourself.
    pub fn new(principal: Principal, action: &str, resource: &str) -> Request {
        let mut context = Context::new();
        if principal.kind != PrincipalKind::Anonymous {
            if !principal.account.is_empty() {
                context.insert("aws:PrincipalAccount", principal.account.clone());
            }
            if principal.kind != PrincipalKind::Service {
                context.insert("aws:PrincipalArn", principal.principal_arn());
            } else {
                context.insert("aws:PrincipalServiceName", principal.arn.clone());
            }
            context.insert("aws:PrincipalType", principal.kind.principal_type());
        }
        if principal.kind == PrincipalKind::User
            && let Some(name) = principal.arn.rsplit('/').next()
        {
            context.insert("aws:username", name);
        }
        Request {
            principal,
            action: action.to_owned(),
            resource: resource.to_owned(),
            context,
        }
    }

    /// Builder: adds a single-valued context key.
    pub fn with(mut self, key: &str, value: impl Into<String>) -> Request {
        self.context.insert(key, value);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_case_insensitive_values_are_not() {
        let mut c = Context::new();
        c.insert("aws:SourceVpce", "vpce-1A2B");
        assert_eq!(c.get("AWS:SOURCEVPCE"), Some(&["vpce-1A2B".to_owned()][..]));
        assert_ne!(c.get("aws:sourcevpce"), Some(&["vpce-1a2b".to_owned()][..]));
    }

    #[test]
    fn request_carries_principal_keys() {
        let r = Request::new(
            Principal::assumed_role("111122223333", "Admin", "bob"),
            "s3:GetObject",
            "arn:aws:s3:::b/k",
        );
        assert_eq!(
            r.context.get("aws:PrincipalArn"),
            Some(&["arn:aws:iam::111122223333:role/Admin".to_owned()][..])
        );
        assert_eq!(
            r.context.get("aws:principalaccount"),
            Some(&["111122223333".to_owned()][..])
        );
        let u = Request::new(
            Principal::user("111122223333", "alice"),
            "s3:GetObject",
            "*",
        );
        assert_eq!(
            u.context.get("aws:username"),
            Some(&["alice".to_owned()][..])
        );
    }
}
