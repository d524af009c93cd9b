//! Why a policy document was refused.
//!
//! Each variant is one message AWS gives. S3's `PutBucketPolicy` answers every fault of a
//! document with `400 MalformedPolicy` and one of these messages; IAM answers
//! `MalformedPolicyDocument`. The messages are AWS's own wording (as observed from S3 and quoted
//! by the AWS docs and re:Post), so a user who pastes one into a search engine finds AWS's
//! explanation.

/// A policy document AWS would refuse, with AWS's message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// The body is not a JSON object.
    #[error("Policies must be valid JSON and the first byte must be '{{'")]
    NotJson,
    /// The body starts like JSON but does not parse.
    #[error("This policy contains invalid Json")]
    InvalidJson,
    /// An element has the wrong JSON type, is unknown, or is given twice (`Action` and
    /// `NotAction` in one statement, for example).
    #[error("Invalid policy syntax.")]
    Syntax,
    /// `Version` is neither `2012-10-17` nor `2008-10-17`.
    #[error("The policy must contain a valid version string")]
    Version,
    /// No `Statement`.
    #[error("Missing required field Statement")]
    MissingStatement,
    /// `Statement` is an empty array.
    #[error("Could not parse the policy: Statement is empty!")]
    EmptyStatement,
    /// A statement has no `Effect`.
    #[error("Missing required field Effect")]
    MissingEffect,
    /// `Effect` is neither `Allow` nor `Deny` (AWS is case-sensitive here).
    #[error("Invalid effect: {0}")]
    Effect(String),
    /// A resource-based policy (bucket or endpoint policy) statement without `Principal` or
    /// `NotPrincipal`.
    #[error("Missing required field Principal")]
    MissingPrincipal,
    /// A `Principal`/`NotPrincipal` value AWS does not accept (a partial wildcard, a malformed
    /// ARN, an unknown principal type, `NotPrincipal` with `Allow`).
    #[error("Invalid principal in policy")]
    Principal,
    /// An identity-based policy names a principal: IAM's `MalformedPolicyDocument`.
    #[error("Policy document should not specify a principal.")]
    PrincipalInIdentityPolicy,
    /// A statement has no `Action` or `NotAction`.
    #[error("Missing required field Action")]
    MissingAction,
    /// An action that is not `*` or `service:name`.
    #[error("Policy has invalid action")]
    Action,
    /// A statement has no `Resource` or `NotResource`.
    #[error("Missing required field Resource")]
    MissingResource,
    /// A resource that is not `*` or an ARN.
    #[error("Policy has invalid resource")]
    Resource,
    /// A condition operator AWS does not define (operators are case-sensitive).
    #[error("Invalid Condition type : {0}")]
    ConditionType(String),
    /// A condition key that is not of the form `service:name`.
    #[error("Policy has an invalid condition key")]
    ConditionKey,
    /// An `IpAddress`/`NotIpAddress` value that is neither an address nor a CIDR.
    #[error("Invalid IP address in Conditions")]
    IpAddress,
}

impl PolicyError {
    /// The AWS error code that carries this message: S3's `MalformedPolicy` for every fault,
    /// except a principal in an identity policy, which only IAM reports
    /// (`MalformedPolicyDocument`).
    pub fn code(&self) -> &'static str {
        match self {
            PolicyError::PrincipalInIdentityPolicy => "MalformedPolicyDocument",
            _ => "MalformedPolicy",
        }
    }

    /// The HTTP status AWS answers with: always `400 Bad Request`.
    pub fn status(&self) -> u16 {
        400
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_aws_wording() {
        assert_eq!(
            PolicyError::NotJson.to_string(),
            "Policies must be valid JSON and the first byte must be '{'"
        );
        assert_eq!(
            PolicyError::Effect("allow".into()).to_string(),
            "Invalid effect: allow"
        );
        assert_eq!(
            PolicyError::ConditionType("StringEqualz".into()).to_string(),
            "Invalid Condition type : StringEqualz"
        );
        assert_eq!(PolicyError::Principal.code(), "MalformedPolicy");
        assert_eq!(
            PolicyError::PrincipalInIdentityPolicy.code(),
            "MalformedPolicyDocument"
        );
    }
}
