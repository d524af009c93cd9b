//! JSON text → [`Policy`], refusing what AWS refuses, with AWS's message.
//!
//! The document is read into a `serde_json::Value` (bounded recursion, never panics) and then
//! walked by hand, so each fault maps to the message S3 gives for it. The first fault found is
//! the answer, checked in the order S3 reports them: the JSON itself, `Version`, `Statement`,
//! then each statement's `Effect`, `Principal`, `Action`, `Resource`, `Condition`.

use std::net::IpAddr;
use std::str::FromStr;

use ipnet::IpNet;
use serde_json::{Map, Value};

use crate::ast::*;
use crate::err::PolicyError;
use crate::variable::{Pattern, is_key_char};

/// Parses a policy document of the given kind.
pub(crate) fn parse(json: &str, kind: PolicyKind) -> Result<Policy, PolicyError> {
    // S3: "Policies must be valid JSON and the first byte must be '{'". Leading whitespace is
    // tolerated: files written by editors and shells often start with a newline or a BOM.
    let trimmed = json.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    if !trimmed.starts_with('{') {
        return Err(PolicyError::NotJson);
    }
    let value: Value = serde_json::from_str(trimmed).map_err(|_| PolicyError::InvalidJson)?;
    let Value::Object(members) = &value else {
        return Err(PolicyError::NotJson);
    };
    document(members, kind)
}

fn document(members: &Map<String, Value>, kind: PolicyKind) -> Result<Policy, PolicyError> {
    let mut version = None;
    let mut id = None;
    let mut statement = None;
    for (name, value) in members {
        match name.as_str() {
            "Version" => {
                version = Some(match value.as_str() {
                    Some("2012-10-17") => Version::V2012_10_17,
                    Some("2008-10-17") => Version::V2008_10_17,
                    _ => return Err(PolicyError::Version),
                })
            }
            "Id" => id = Some(value.as_str().ok_or(PolicyError::Syntax)?.to_owned()),
            "Statement" => statement = Some(value),
            _ => return Err(PolicyError::Syntax),
        }
    }
    // AWS: policy variables exist only in version 2012-10-17; before that `${` is literal.
    let variables = version == Some(Version::V2012_10_17);
    let statements = match statement.ok_or(PolicyError::MissingStatement)? {
        Value::Array(items) if items.is_empty() => return Err(PolicyError::EmptyStatement),
        Value::Array(items) => items
            .iter()
            .map(|item| self::statement(item, kind, variables))
            .collect::<Result<Vec<_>, _>>()?,
        single @ Value::Object(_) => vec![self::statement(single, kind, variables)?],
        _ => return Err(PolicyError::Syntax),
    };
    Ok(Policy {
        kind,
        version,
        id,
        statements,
    })
}

fn statement(value: &Value, kind: PolicyKind, variables: bool) -> Result<Statement, PolicyError> {
    let Value::Object(members) = value else {
        return Err(PolicyError::Syntax);
    };
    let mut sid = None;
    let mut effect = None;
    let mut principal: Option<(&Value, bool)> = None;
    let mut action: Option<(&Value, bool)> = None;
    let mut resource: Option<(&Value, bool)> = None;
    let mut condition = None;
    for (name, value) in members {
        let (slot, not) = match name.as_str() {
            "Sid" => {
                sid = Some(value.as_str().ok_or(PolicyError::Syntax)?.to_owned());
                continue;
            }
            "Effect" => {
                effect = Some(value);
                continue;
            }
            "Condition" => {
                condition = Some(value);
                continue;
            }
            "Principal" => (&mut principal, false),
            "NotPrincipal" => (&mut principal, true),
            "Action" => (&mut action, false),
            "NotAction" => (&mut action, true),
            "Resource" => (&mut resource, false),
            "NotResource" => (&mut resource, true),
            _ => return Err(PolicyError::Syntax),
        };
        // An element and its `Not` form together is a syntax error.
        if slot.replace((value, not)).is_some() {
            return Err(PolicyError::Syntax);
        }
    }

    let effect = match effect.ok_or(PolicyError::MissingEffect)? {
        Value::String(e) if e == "Allow" => Effect::Allow,
        Value::String(e) if e == "Deny" => Effect::Deny,
        Value::String(e) => return Err(PolicyError::Effect(e.clone())),
        _ => return Err(PolicyError::Syntax),
    };

    let principal = match (kind, principal) {
        (PolicyKind::Identity, Some(_)) => return Err(PolicyError::PrincipalInIdentityPolicy),
        (PolicyKind::Identity, None) => None,
        (_, None) => return Err(PolicyError::MissingPrincipal),
        (_, Some((value, not))) => {
            // AWS: "NotPrincipal must be used with "Effect":"Deny". Using it with
            // "Effect":"Allow" is not supported."
            if not && effect == Effect::Allow {
                return Err(PolicyError::Principal);
            }
            Some(PrincipalElement {
                not,
                principals: principals(value)?,
            })
        }
    };

    let (action_value, not_action) = action.ok_or(PolicyError::MissingAction)?;
    let actions = strings(action_value).map_err(|_| PolicyError::Action)?;
    if actions.is_empty() || !actions.iter().all(|a| valid_action(a)) {
        return Err(PolicyError::Action);
    }
    let action = ActionElement {
        not: not_action,
        actions,
    };

    let resource = match resource {
        // Endpoint policies may leave Resource out; it then covers every resource.
        None if kind == PolicyKind::Endpoint => None,
        None => return Err(PolicyError::MissingResource),
        Some((value, not)) => {
            let listed = strings(value).map_err(|_| PolicyError::Resource)?;
            if listed.is_empty() || !listed.iter().all(|r| valid_resource(r)) {
                return Err(PolicyError::Resource);
            }
            Some(ResourceElement {
                not,
                resources: listed.iter().map(|r| Pattern::new(r, variables)).collect(),
            })
        }
    };

    let conditions = match condition {
        None => Vec::new(),
        Some(value) => conditions(value, variables)?,
    };

    Ok(Statement {
        sid,
        effect,
        principal,
        action,
        resource,
        conditions,
    })
}

/// A string, or an array of strings ("If the element takes an array but only one value is
/// included, the brackets are optional").
fn strings(value: &Value) -> Result<Vec<String>, PolicyError> {
    match value {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(items) => items
            .iter()
            .map(|item| item.as_str().map(str::to_owned).ok_or(PolicyError::Syntax))
            .collect(),
        _ => Err(PolicyError::Syntax),
    }
}

/// `*`, or `service:pattern` where the service prefix is lowercase letters, digits and `-`
/// (`s3`, `ec2`, `execute-api`) and the name holds letters, digits, `*` and `?`.
fn valid_action(action: &str) -> bool {
    if action == "*" {
        return true;
    }
    let Some((service, name)) = action.split_once(':') else {
        return false;
    };
    !service.is_empty()
        && service
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '*' | '?' | '-' | '_'))
}

/// `*`, or an ARN: `arn:partition:service:region:account:resource` (six colon-separated parts,
/// the last of which may itself contain colons).
fn valid_resource(resource: &str) -> bool {
    if resource == "*" {
        return true;
    }
    let parts: Vec<&str> = resource.splitn(6, ':').collect();
    parts.len() == 6 && parts[0] == "arn" && !parts[1].is_empty() && !parts[2].is_empty()
}

fn principals(value: &Value) -> Result<Principals, PolicyError> {
    let members = match value {
        Value::String(s) if s == "*" => return Ok(Principals::Everyone),
        Value::Object(members) if !members.is_empty() => members,
        _ => return Err(PolicyError::Principal),
    };
    let mut blocks = Vec::with_capacity(members.len());
    for (name, value) in members {
        let kind = match name.as_str() {
            "AWS" => PrincipalType::Aws,
            "Service" => PrincipalType::Service,
            "CanonicalUser" => PrincipalType::CanonicalUser,
            "Federated" => PrincipalType::Federated,
            _ => return Err(PolicyError::Principal),
        };
        let listed = strings(value).map_err(|_| PolicyError::Principal)?;
        if listed.is_empty() {
            return Err(PolicyError::Principal);
        }
        let ids = listed
            .into_iter()
            .map(|raw| {
                let id = principal_ref(kind, &raw)?;
                Ok(PrincipalId { raw, id })
            })
            .collect::<Result<Vec<_>, PolicyError>>()?;
        blocks.push(PrincipalBlock { kind, ids });
    }
    Ok(Principals::Map(blocks))
}

/// What one principal string names. AWS: "You cannot use a wildcard to match part of a
/// principal name or ARN"; only a whole `*` is a wildcard.
fn principal_ref(kind: PrincipalType, raw: &str) -> Result<PrincipalRef, PolicyError> {
    if raw.is_empty() || (raw != "*" && raw.contains(['*', '?'])) {
        return Err(PolicyError::Principal);
    }
    match kind {
        PrincipalType::Aws => aws_principal(raw),
        PrincipalType::Service if raw == "*" => Err(PolicyError::Principal),
        PrincipalType::Service => Ok(PrincipalRef::Service(raw.to_owned())),
        PrincipalType::CanonicalUser | PrincipalType::Federated => {
            Ok(PrincipalRef::Other(raw.to_owned()))
        }
    }
}

fn aws_principal(raw: &str) -> Result<PrincipalRef, PolicyError> {
    if raw == "*" {
        return Ok(PrincipalRef::Anyone);
    }
    if is_account_id(raw) {
        return Ok(PrincipalRef::Account(raw.to_owned()));
    }
    let parts: Vec<&str> = raw.splitn(6, ':').collect();
    let [arn, partition, service, region, account, resource] = parts[..] else {
        return Err(PolicyError::Principal);
    };
    if arn != "arn"
        || !partition.starts_with("aws")
        || !region.is_empty()
        || !is_account_id(account)
        || resource.is_empty()
    {
        return Err(PolicyError::Principal);
    }
    let (kind, rest) = resource.split_once('/').unwrap_or((resource, ""));
    match (service, kind) {
        ("iam", "root") if rest.is_empty() => Ok(PrincipalRef::Account(account.to_owned())),
        ("iam", "user") if !rest.is_empty() => Ok(PrincipalRef::User(raw.to_owned())),
        ("iam", "role") if !rest.is_empty() => Ok(PrincipalRef::Role {
            account: account.to_owned(),
            name: rest.rsplit('/').next().unwrap_or(rest).to_owned(),
        }),
        ("sts", "assumed-role") if rest.split('/').count() == 2 => {
            Ok(PrincipalRef::Session(raw.to_owned()))
        }
        ("sts", "federated-user") if !rest.is_empty() => Ok(PrincipalRef::Session(raw.to_owned())),
        _ => Err(PolicyError::Principal),
    }
}

fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

fn conditions(value: &Value, variables: bool) -> Result<Vec<Condition>, PolicyError> {
    let Value::Object(operators) = value else {
        return Err(PolicyError::Syntax);
    };
    let mut out = Vec::new();
    for (written, keys) in operators {
        let (operator, qualifier, if_exists) = operator(written)?;
        let Value::Object(keys) = keys else {
            return Err(PolicyError::Syntax);
        };
        for (key, values) in keys {
            if !valid_condition_key(key) {
                return Err(PolicyError::ConditionKey);
            }
            let values = condition_values(values, operator, variables)?;
            out.push(Condition {
                operator,
                qualifier,
                if_exists,
                key: key.clone(),
                key_lower: key.to_ascii_lowercase(),
                values,
            });
        }
    }
    Ok(out)
}

/// Splits `ForAnyValue:StringLikeIfExists` into its parts. `Null` takes no `IfExists`.
fn operator(written: &str) -> Result<(Operator, Option<SetQualifier>, bool), PolicyError> {
    let invalid = || PolicyError::ConditionType(written.to_owned());
    let (qualifier, rest) = if let Some(rest) = written.strip_prefix("ForAnyValue:") {
        (Some(SetQualifier::ForAnyValue), rest)
    } else if let Some(rest) = written.strip_prefix("ForAllValues:") {
        (Some(SetQualifier::ForAllValues), rest)
    } else {
        (None, written)
    };
    let (base, if_exists) = match rest.strip_suffix("IfExists") {
        Some(base) => (base, true),
        None => (rest, false),
    };
    let operator = Operator::from_name(base).ok_or_else(invalid)?;
    if operator == Operator::Null && if_exists {
        return Err(invalid());
    }
    Ok((operator, qualifier, if_exists))
}

/// `service:name` (`aws:SourceVpce`, `s3:prefix`, `aws:PrincipalTag/team`).
fn valid_condition_key(key: &str) -> bool {
    match key.split_once(':') {
        Some((service, name)) => {
            !service.is_empty()
                && service
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !name.is_empty()
                && name.chars().all(is_key_char)
        }
        None => false,
    }
}

fn condition_values(
    value: &Value,
    operator: Operator,
    variables: bool,
) -> Result<Vec<ConditionValue>, PolicyError> {
    let scalar = |v: &Value| -> Result<ConditionValue, PolicyError> {
        let (text, json) = match v {
            Value::String(s) => (s.clone(), JsonType::String),
            Value::Number(n) => (n.to_string(), JsonType::Number),
            Value::Bool(b) => (b.to_string(), JsonType::Bool),
            _ => return Err(PolicyError::Syntax),
        };
        let pattern = Pattern::new(&text, variables);
        let network = match operator {
            Operator::IpAddress | Operator::NotIpAddress if !pattern.has_variables() => {
                Some(parse_network(&text).ok_or(PolicyError::IpAddress)?)
            }
            _ => None,
        };
        Ok(ConditionValue {
            pattern,
            json,
            network,
        })
    };
    match value {
        Value::Array(items) => items.iter().map(scalar).collect(),
        other => Ok(vec![scalar(other)?]),
    }
}

/// An address (`203.0.113.7`, `2001:db8::1`) as a host network, or a CIDR block.
pub(crate) fn parse_network(text: &str) -> Option<IpNet> {
    if let Ok(net) = IpNet::from_str(text) {
        return Some(net);
    }
    IpAddr::from_str(text).ok().map(IpNet::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bucket(json: &str) -> Result<Policy, PolicyError> {
        parse(json, PolicyKind::Resource)
    }

    const OK: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#;

    #[test]
    fn parses_a_bucket_policy() {
        let p = bucket(OK).expect("valid");
        assert_eq!(p.version, Some(Version::V2012_10_17));
        assert_eq!(p.statements.len(), 1);
        assert_eq!(p.statements[0].sid.as_deref(), Some("A"));
        assert_eq!(
            p.statements[0].principal.as_ref().map(|p| &p.principals),
            Some(&Principals::Everyone)
        );
    }

    #[test]
    fn statement_may_be_an_object() {
        let p = bucket(r#"{"Statement":{"Effect":"Deny","Principal":{"AWS":"111122223333"},"Action":["s3:*"],"Resource":"*"}}"#).expect("valid");
        assert_eq!(p.version, None);
        assert_eq!(p.statements[0].effect, Effect::Deny);
    }

    #[test]
    fn errors_are_aws_messages() {
        let cases: &[(&str, PolicyError)] = &[
            ("", PolicyError::NotJson),
            ("[1]", PolicyError::NotJson),
            ("{", PolicyError::InvalidJson),
            (
                r#"{"Version":"2012-10-18","Statement":[]}"#,
                PolicyError::Version,
            ),
            (r#"{"Version":"2012-10-17"}"#, PolicyError::MissingStatement),
            (r#"{"Statement":[]}"#, PolicyError::EmptyStatement),
            (
                r#"{"Statement":[{"Principal":"*","Action":"s3:*","Resource":"*"}]}"#,
                PolicyError::MissingEffect,
            ),
            (
                r#"{"Statement":[{"Effect":"allow","Principal":"*","Action":"s3:*","Resource":"*"}]}"#,
                PolicyError::Effect("allow".into()),
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
                PolicyError::MissingPrincipal,
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1111:user/x"},"Action":"s3:*","Resource":"*"}]}"#,
                PolicyError::Principal,
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/*"},"Action":"s3:*","Resource":"*"}]}"#,
                PolicyError::Principal,
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"111122223333"},"Action":"s3:*","Resource":"*"}]}"#,
                PolicyError::Principal,
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Principal":"*","Resource":"*"}]}"#,
                PolicyError::MissingAction,
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"GetObject","Resource":"*"}]}"#,
                PolicyError::Action,
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*"}]}"#,
                PolicyError::MissingResource,
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"bucket/*"}]}"#,
                PolicyError::Resource,
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringEqualz":{"aws:x":"y"}}}]}"#,
                PolicyError::ConditionType("StringEqualz".into()),
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"NullIfExists":{"aws:x":"true"}}}]}"#,
                PolicyError::ConditionType("NullIfExists".into()),
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"sourceVpce":"y"}}}]}"#,
                PolicyError::ConditionKey,
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"300.1.2.3"}}}]}"#,
                PolicyError::IpAddress,
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","NotAction":"s3:x","Resource":"*"}]}"#,
                PolicyError::Syntax,
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*","Foo":1}]}"#,
                PolicyError::Syntax,
            ),
        ];
        for (json, want) in cases {
            assert_eq!(bucket(json).as_ref().err(), Some(want), "{json}");
        }
    }

    #[test]
    fn tag_keys_with_spaces_and_other_scripts_are_valid_condition_keys() {
        let p = bucket(
            r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/Cost Center":"1","aws:ResourceTag/équipe":"a"}}}]}"#,
        );
        assert!(p.is_ok(), "{p:?}");
    }

    #[test]
    fn identity_policies_must_not_name_a_principal() {
        let err = parse(OK, PolicyKind::Identity).err();
        assert_eq!(err, Some(PolicyError::PrincipalInIdentityPolicy));
        let ok = parse(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
            PolicyKind::Identity,
        );
        assert!(ok.is_ok());
    }

    #[test]
    fn endpoint_policies_need_principal_but_not_resource() {
        let ok = parse(
            r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*"}]}"#,
            PolicyKind::Endpoint,
        );
        assert!(ok.is_ok());
        let err = parse(
            r#"{"Statement":[{"Effect":"Allow","Action":"*"}]}"#,
            PolicyKind::Endpoint,
        );
        assert_eq!(err.err(), Some(PolicyError::MissingPrincipal));
    }

    #[test]
    fn principal_forms() {
        let p = bucket(r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":["111122223333","arn:aws:iam::111122223333:root","arn:aws:iam::111122223333:role/path/Admin","arn:aws:sts::111122223333:assumed-role/Admin/s"],"Service":"cloudtrail.amazonaws.com"},"Action":"s3:*","Resource":"*"}]}"#).expect("valid");
        let Some(PrincipalElement {
            principals: Principals::Map(blocks),
            ..
        }) = &p.statements[0].principal
        else {
            panic!("map expected");
        };
        let ids: Vec<&PrincipalRef> = blocks[0].ids.iter().map(|i| &i.id).collect();
        assert_eq!(ids[0], &PrincipalRef::Account("111122223333".into()));
        assert_eq!(ids[1], &PrincipalRef::Account("111122223333".into()));
        assert_eq!(
            ids[2],
            &PrincipalRef::Role {
                account: "111122223333".into(),
                name: "Admin".into()
            }
        );
        assert!(matches!(ids[3], PrincipalRef::Session(_)));
    }

    #[test]
    fn deeply_nested_json_is_refused_not_a_crash() {
        let deep = format!(
            "{{\"Statement\":{}{}}}",
            "[".repeat(10_000),
            "]".repeat(10_000)
        );
        assert_eq!(bucket(&deep).err(), Some(PolicyError::InvalidJson));
    }
}
