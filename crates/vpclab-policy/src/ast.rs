//! The typed policy: what a parsed document means. Built by [`crate::parse`], evaluated by
//! [`crate::eval`], written back by [`crate::serialize`].
//!
//! Names follow the IAM JSON policy grammar (IAM User Guide, "Grammar of the IAM JSON policy
//! language"): a [`Policy`] has a `Version`, an `Id` and `Statement`s; a [`Statement`] has a
//! `Sid`, an `Effect`, `Principal`/`NotPrincipal`, `Action`/`NotAction`,
//! `Resource`/`NotResource` and `Condition`.

use ipnet::IpNet;

use crate::variable::Pattern;

/// Which kind of policy a document is; it decides which elements are required or forbidden.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicyKind {
    /// An identity-based policy (attached to a user or role): must not have `Principal`.
    Identity,
    /// A resource-based policy such as an S3 bucket policy: requires `Principal`.
    Resource,
    /// A VPC endpoint policy: requires `Principal` ("It must contain a Principal element",
    /// Amazon VPC docs, "Control access to VPC endpoints using endpoint policies").
    Endpoint,
}

/// The policy language version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Version {
    /// `2012-10-17`: the current language, with policy variables.
    V2012_10_17,
    /// `2008-10-17`: the original language; `${...}` is literal text.
    V2008_10_17,
}

impl Version {
    /// The version string as written in a document.
    pub fn as_str(self) -> &'static str {
        match self {
            Version::V2012_10_17 => "2012-10-17",
            Version::V2008_10_17 => "2008-10-17",
        }
    }
}

/// A parsed policy document.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub(crate) kind: PolicyKind,
    /// `Version`, if the document gave one. AWS treats a missing version as `2008-10-17`.
    pub version: Option<Version>,
    /// `Id`, if any.
    pub id: Option<String>,
    /// The statements, in document order (their index is how an unnamed statement is cited).
    pub statements: Vec<Statement>,
}

/// `Allow` or `Deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Effect {
    /// `"Effect": "Allow"`.
    Allow,
    /// `"Effect": "Deny"`.
    Deny,
}

impl Effect {
    /// The effect as written in a document.
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        }
    }
}

/// One statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// `Sid`, if any.
    pub sid: Option<String>,
    /// `Effect`.
    pub effect: Effect,
    /// `Principal` or `NotPrincipal`; `None` in identity-based policies.
    pub principal: Option<PrincipalElement>,
    /// `Action` or `NotAction`.
    pub action: ActionElement,
    /// `Resource` or `NotResource`; `None` only where the kind of policy lets it be omitted.
    pub resource: Option<ResourceElement>,
    /// Each (operator, key) pair of the `Condition` block; all must hold.
    pub conditions: Vec<Condition>,
}

/// `Principal` or `NotPrincipal`.
#[derive(Debug, Clone, PartialEq)]
pub struct PrincipalElement {
    /// `true` for `NotPrincipal`.
    pub not: bool,
    /// What the element names.
    pub principals: Principals,
}

/// The value of a `Principal` element.
#[derive(Debug, Clone, PartialEq)]
pub enum Principals {
    /// `"Principal": "*"`: everyone, anonymous users included.
    Everyone,
    /// `{"AWS": ..., "Service": ..., ...}`, in document order.
    Map(Vec<PrincipalBlock>),
}

/// The principal types a `Principal` map can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrincipalType {
    /// `"AWS"`: accounts, users, roles, role sessions, or `*`.
    Aws,
    /// `"Service"`: AWS service principals (`cloudtrail.amazonaws.com`).
    Service,
    /// `"CanonicalUser"`: S3 canonical user ids (accepted, never matched by vpclab).
    CanonicalUser,
    /// `"Federated"`: identity providers (accepted, never matched by vpclab).
    Federated,
}

impl PrincipalType {
    /// The key as written in a document.
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalType::Aws => "AWS",
            PrincipalType::Service => "Service",
            PrincipalType::CanonicalUser => "CanonicalUser",
            PrincipalType::Federated => "Federated",
        }
    }
}

/// One `"Type": value-or-values` entry of a `Principal` map.
#[derive(Debug, Clone, PartialEq)]
pub struct PrincipalBlock {
    /// The principal type.
    pub kind: PrincipalType,
    /// The principals named.
    pub ids: Vec<PrincipalId>,
}

/// One principal named in a policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrincipalId {
    /// As written in the document.
    pub raw: String,
    /// What it names.
    pub id: PrincipalRef,
}

/// What a principal in a policy refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrincipalRef {
    /// `{"AWS": "*"}`: every principal, anonymous included (same as `"Principal": "*"`).
    Anyone,
    /// An account, written as `123456789012` or `arn:aws:iam::123456789012:root`. AWS: "The
    /// account ARN and the shortened account ID behave the same way. Both delegate permissions
    /// to the account."
    Account(String),
    /// An IAM user (`arn:aws:iam::ACCOUNT:user/path/name`), matched by its full ARN.
    User(String),
    /// An IAM role; it matches every session of the role. Roles are unique by name within an
    /// account, whatever their path, so the account and name identify it.
    Role {
        /// The role's account.
        account: String,
        /// The role's name (last path component).
        name: String,
    },
    /// A role session (`arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`) or federated user
    /// (`arn:aws:sts::ACCOUNT:federated-user/NAME`), matched by its full ARN.
    Session(String),
    /// An AWS service principal.
    Service(String),
    /// A canonical user or federated provider: accepted, but vpclab requests never carry one.
    Other(String),
}

/// `Action` or `NotAction`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionElement {
    /// `true` for `NotAction`.
    pub not: bool,
    /// The action patterns as written (`s3:Get*`); matched without regard to case.
    pub actions: Vec<String>,
}

/// `Resource` or `NotResource`.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceElement {
    /// `true` for `NotResource`.
    pub not: bool,
    /// The resource patterns (ARNs with `*`/`?` and policy variables); case-sensitive.
    pub resources: Vec<Pattern>,
}

/// A condition operator, without its `ForAnyValue:`/`ForAllValues:` qualifier or `IfExists`
/// suffix (IAM User Guide, "IAM JSON policy elements: Condition operators").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)] // the names are AWS's, documented by the table in `NAMES`
pub enum Operator {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnLike,
    ArnNotEquals,
    ArnNotLike,
    Null,
}

impl Operator {
    const NAMES: [(&'static str, Operator); 27] = [
        ("StringEquals", Operator::StringEquals),
        ("StringNotEquals", Operator::StringNotEquals),
        ("StringEqualsIgnoreCase", Operator::StringEqualsIgnoreCase),
        (
            "StringNotEqualsIgnoreCase",
            Operator::StringNotEqualsIgnoreCase,
        ),
        ("StringLike", Operator::StringLike),
        ("StringNotLike", Operator::StringNotLike),
        ("NumericEquals", Operator::NumericEquals),
        ("NumericNotEquals", Operator::NumericNotEquals),
        ("NumericLessThan", Operator::NumericLessThan),
        ("NumericLessThanEquals", Operator::NumericLessThanEquals),
        ("NumericGreaterThan", Operator::NumericGreaterThan),
        (
            "NumericGreaterThanEquals",
            Operator::NumericGreaterThanEquals,
        ),
        ("DateEquals", Operator::DateEquals),
        ("DateNotEquals", Operator::DateNotEquals),
        ("DateLessThan", Operator::DateLessThan),
        ("DateLessThanEquals", Operator::DateLessThanEquals),
        ("DateGreaterThan", Operator::DateGreaterThan),
        ("DateGreaterThanEquals", Operator::DateGreaterThanEquals),
        ("Bool", Operator::Bool),
        ("BinaryEquals", Operator::BinaryEquals),
        ("IpAddress", Operator::IpAddress),
        ("NotIpAddress", Operator::NotIpAddress),
        ("ArnEquals", Operator::ArnEquals),
        ("ArnLike", Operator::ArnLike),
        ("ArnNotEquals", Operator::ArnNotEquals),
        ("ArnNotLike", Operator::ArnNotLike),
        ("Null", Operator::Null),
    ];

    /// The operator named exactly `name` (AWS operator names are case-sensitive).
    pub fn from_name(name: &str) -> Option<Operator> {
        Self::NAMES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, op)| *op)
    }

    /// The operator's name.
    pub fn name(self) -> &'static str {
        Self::NAMES
            .iter()
            .find(|(_, op)| *op == self)
            .map_or("", |(n, _)| n)
    }

    /// Whether the operator is a negation (`StringNotEquals`, `NotIpAddress`, ...). AWS: with
    /// several values a negated operator is a NOR, and on a missing key it is true.
    pub fn is_negated(self) -> bool {
        use Operator::*;
        matches!(
            self,
            StringNotEquals
                | StringNotEqualsIgnoreCase
                | StringNotLike
                | NumericNotEquals
                | DateNotEquals
                | NotIpAddress
                | ArnNotEquals
                | ArnNotLike
        )
    }
}

/// `ForAnyValue:` or `ForAllValues:`, the set qualifiers for multivalued context keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SetQualifier {
    /// `ForAnyValue:`: at least one request value must match; false when the key is missing.
    ForAnyValue,
    /// `ForAllValues:`: every request value must match; true when the key is missing or empty.
    ForAllValues,
}

/// One condition: an operator applied to one context key with one or more policy values.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// The operator.
    pub operator: Operator,
    /// The set qualifier, if any.
    pub qualifier: Option<SetQualifier>,
    /// Whether the operator carries the `IfExists` suffix.
    pub if_exists: bool,
    /// The condition key as written (`aws:SourceVpce`).
    pub key: String,
    /// The key lowercased, for lookup (condition keys are case-insensitive).
    pub(crate) key_lower: String,
    /// The policy values; any one may match (none, for a negated operator).
    pub values: Vec<ConditionValue>,
}

impl Condition {
    /// The operator as written in the document, qualifier and suffix included
    /// (`ForAnyValue:StringLikeIfExists`).
    pub fn operator_name(&self) -> String {
        let prefix = match self.qualifier {
            None => "",
            Some(SetQualifier::ForAnyValue) => "ForAnyValue:",
            Some(SetQualifier::ForAllValues) => "ForAllValues:",
        };
        let suffix = if self.if_exists { "IfExists" } else { "" };
        format!("{prefix}{}{suffix}", self.operator.name())
    }
}

/// How a condition value was written in JSON (values are compared as strings, but a document
/// written back keeps `true` and `10` unquoted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JsonType {
    /// A JSON string.
    String,
    /// A JSON number.
    Number,
    /// A JSON boolean.
    Bool,
}

/// One value of a condition.
#[derive(Debug, Clone, PartialEq)]
pub struct ConditionValue {
    /// The value as text, with its policy variables compiled.
    pub pattern: Pattern,
    /// How the value was written.
    pub json: JsonType,
    /// For `IpAddress`/`NotIpAddress`, the network parsed once at parse time.
    pub(crate) network: Option<IpNet>,
}
