//! The conformance table: each row is a rule from a page of the AWS IAM User Guide (or the
//! Amazon VPC guide for endpoint policies), stated as a request, the policies, and the answer
//! AWS gives. The rows run against any engine behind `PolicyEngine`: ours always, and `iam-rs`
//! with `--features iam-rs` (see README.md for what that showed).

use vpclab_policy::{
    Decision, EvalDecision, Policies, Policy, PolicyEngine, PolicyKind, PolicySource, Principal,
    Request,
};

pub const OPS: &str = "IAM JSON policy elements: Condition operators";
pub const MULTI: &str = "Creating a condition with multiple context keys or values";
pub const SETS: &str = "Single-valued vs. multivalued context keys";
pub const VARS: &str = "IAM policy elements: Variables and tags";
pub const PRINCIPAL: &str = "AWS JSON policy elements: Principal";
pub const NOTPRINCIPAL: &str = "AWS JSON policy elements: NotPrincipal";
pub const ACTION: &str = "IAM JSON policy elements: Action";
pub const NOTACTION: &str = "IAM JSON policy elements: NotAction";
pub const RESOURCE: &str = "IAM JSON policy elements: Resource";
pub const NOTRESOURCE: &str = "IAM JSON policy elements: NotResource";
pub const VERSION: &str = "IAM JSON policy elements: Version";
pub const EVAL: &str = "Policy evaluation logic";
pub const SINGLE: &str = "Policy evaluation for requests within a single account";
pub const XACCT: &str = "Cross-account policy evaluation logic";
pub const ENDPOINT: &str = "Amazon VPC: Control access to VPC endpoints using endpoint policies";
pub const GRAMMAR: &str = "Grammar of the IAM JSON policy language";

pub const ME: &str = "111122223333";
pub const OTHER: &str = "444455556666";
pub const OBJECT: &str = "arn:aws:s3:::amzn-s3-demo-bucket/key.txt";

/// One row.
#[derive(Clone, Debug)]
pub struct Case {
    pub page: &'static str,
    pub what: &'static str,
    pub identity: Vec<String>,
    pub resource: Option<String>,
    pub owner: Option<&'static str>,
    pub endpoint: Option<String>,
    pub principal: Principal,
    pub action: &'static str,
    pub arn: String,
    pub context: Vec<(&'static str, Vec<&'static str>)>,
    pub remove: Vec<&'static str>,
    pub expect: EvalDecision,
    pub decided_by: Option<Vec<(PolicySource, usize)>>,
}

pub fn case(page: &'static str, what: &'static str) -> Case {
    Case {
        page,
        what,
        identity: Vec::new(),
        resource: None,
        owner: None,
        endpoint: None,
        principal: Principal::user(ME, "alice"),
        action: "s3:GetObject",
        arn: OBJECT.to_owned(),
        context: Vec::new(),
        remove: Vec::new(),
        expect: EvalDecision::Allowed,
        decided_by: None,
    }
}

/// A row whose only policy is an identity policy allowing `s3:GetObject` on `*` under
/// `condition` (a JSON object).
pub fn cond(page: &'static str, what: &'static str, condition: &str) -> Case {
    case(page, what).identity(&format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"C","Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{condition}}}]}}"#
    ))
}

impl Case {
    pub fn identity(mut self, json: &str) -> Case {
        self.identity.push(json.to_owned());
        self
    }
    pub fn resource(mut self, json: &str) -> Case {
        self.resource = Some(json.to_owned());
        self
    }
    pub fn owner(mut self, account: &'static str) -> Case {
        self.owner = Some(account);
        self
    }
    pub fn endpoint(mut self, json: &str) -> Case {
        self.endpoint = Some(json.to_owned());
        self
    }
    pub fn by(mut self, principal: Principal) -> Case {
        self.principal = principal;
        self
    }
    pub fn action(mut self, action: &'static str) -> Case {
        self.action = action;
        self
    }
    pub fn on(mut self, arn: &str) -> Case {
        self.arn = arn.to_owned();
        self
    }
    pub fn ctx(mut self, key: &'static str, value: &'static str) -> Case {
        self.context.push((key, vec![value]));
        self
    }
    pub fn ctx_many(mut self, key: &'static str, values: &[&'static str]) -> Case {
        self.context.push((key, values.to_vec()));
        self
    }
    /// Removes a key `Request::new` derived from the principal.
    pub fn without(mut self, key: &'static str) -> Case {
        self.remove.push(key);
        self
    }
    pub fn allowed(mut self) -> Case {
        self.expect = EvalDecision::Allowed;
        self
    }
    pub fn implicit(mut self) -> Case {
        self.expect = EvalDecision::ImplicitDeny;
        self
    }
    pub fn explicit(mut self) -> Case {
        self.expect = EvalDecision::ExplicitDeny;
        self
    }
    pub fn decided_by(mut self, statements: &[(PolicySource, usize)]) -> Case {
        self.decided_by = Some(statements.to_vec());
        self
    }

    /// Runs the row; `Err` says what differed.
    pub fn run(&self, engine: &dyn PolicyEngine) -> Result<Decision, String> {
        let parse = |json: &str, kind| {
            Policy::parse(json, kind).map_err(|e| format!("policy refused ({e}): {json}"))
        };
        let identity = self
            .identity
            .iter()
            .map(|j| parse(j, PolicyKind::Identity))
            .collect::<Result<Vec<_>, _>>()?;
        let resource = self
            .resource
            .as_deref()
            .map(|j| parse(j, PolicyKind::Resource))
            .transpose()?;
        let endpoint = self
            .endpoint
            .as_deref()
            .map(|j| parse(j, PolicyKind::Endpoint))
            .transpose()?;
        let mut request = Request::new(self.principal.clone(), self.action, &self.arn);
        for key in &self.remove {
            request.context.remove(key);
        }
        for (key, values) in &self.context {
            request.context.insert_many(key, values.iter().copied());
        }
        let policies = Policies {
            identity: &identity,
            resource: resource.as_ref(),
            resource_owner: self.owner,
            endpoint: endpoint.as_ref(),
        };
        let decision = engine.authorize(&request, &policies);
        if decision.decision != self.expect {
            return Err(format!(
                "expected {:?}, got {:?} ({decision})",
                self.expect, decision.decision
            ));
        }
        if let Some(want) = &self.decided_by {
            let got: Vec<(PolicySource, usize)> = decision
                .deciding
                .iter()
                .map(|s| (s.source, s.index))
                .collect();
            if &got != want {
                return Err(format!(
                    "decided by {got:?}, expected {want:?} ({decision})"
                ));
            }
        }
        Ok(decision)
    }
}

/// Runs every row; returns the failures as "page — what: why".
pub fn failures(engine: &dyn PolicyEngine) -> Vec<String> {
    table()
        .iter()
        .filter_map(|c| {
            c.run(engine)
                .err()
                .map(|why| format!("[{}] {}: {why}", c.page, c.what))
        })
        .collect()
}

const BUCKET: &str = "arn:aws:s3:::amzn-s3-demo-bucket";

fn allow_identity(action: &str, resource: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"Id","Effect":"Allow","Action":"{action}","Resource":"{resource}"}}]}}"#
    )
}

fn bucket_policy(effect: &str, principal: &str, extra: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"B","Effect":"{effect}","Principal":{principal},"Action":"s3:GetObject","Resource":"{BUCKET}/*"{extra}}}]}}"#
    )
}

/// The table.
pub fn table() -> Vec<Case> {
    use PolicySource::*;
    let id_all = allow_identity("s3:*", "*");
    vec![
        // ---- String operators -------------------------------------------------------------
        cond(OPS, "StringEquals matches the exact value", r#"{"StringEquals":{"aws:username":"alice"}}"#)
            .allowed(),
        cond(OPS, "StringEquals is case-sensitive on values", r#"{"StringEquals":{"aws:username":"Alice"}}"#)
            .implicit(),
        cond(OPS, "condition key names are case-insensitive", r#"{"StringEquals":{"AWS:UserName":"alice"}}"#)
            .allowed(),
        cond(OPS, "StringEquals on a missing key is false", r#"{"StringEquals":{"aws:SourceVpce":"vpce-1"}}"#)
            .implicit(),
        cond(OPS, "StringNotEquals on a missing key is true", r#"{"StringNotEquals":{"aws:SourceVpce":"vpce-1"}}"#)
            .allowed(),
        cond(OPS, "StringNotEquals with the same value is false", r#"{"StringNotEquals":{"aws:SourceVpce":"vpce-1"}}"#)
            .ctx("aws:SourceVpce", "vpce-1")
            .implicit(),
        cond(OPS, "StringEqualsIgnoreCase ignores case", r#"{"StringEqualsIgnoreCase":{"aws:username":"ALICE"}}"#)
            .allowed(),
        cond(OPS, "StringNotEqualsIgnoreCase ignores case", r#"{"StringNotEqualsIgnoreCase":{"aws:username":"ALICE"}}"#)
            .implicit(),
        cond(OPS, "StringLike * matches any run", r#"{"StringLike":{"s3:prefix":"home/*"}}"#)
            .ctx("s3:prefix", "home/alice/docs")
            .allowed(),
        cond(OPS, "StringLike ? matches exactly one character", r#"{"StringLike":{"s3:prefix":"v?"}}"#)
            .ctx("s3:prefix", "v1")
            .allowed(),
        cond(OPS, "StringLike ? does not match two characters", r#"{"StringLike":{"s3:prefix":"v?"}}"#)
            .ctx("s3:prefix", "v12")
            .implicit(),
        cond(OPS, "StringLike gives '.' no special meaning", r#"{"StringLike":{"s3:prefix":"a.c"}}"#)
            .ctx("s3:prefix", "abc")
            .implicit(),
        cond(OPS, "StringLike is case-sensitive", r#"{"StringLike":{"s3:prefix":"Home/*"}}"#)
            .ctx("s3:prefix", "home/x")
            .implicit(),
        cond(OPS, "StringNotLike on a missing key is true", r#"{"StringNotLike":{"s3:prefix":"home/*"}}"#)
            .allowed(),
        cond(OPS, "StringNotLike on a matching value is false", r#"{"StringNotLike":{"s3:prefix":"home/*"}}"#)
            .ctx("s3:prefix", "home/x")
            .implicit(),
        // ---- Numeric ------------------------------------------------------------------------
        cond(OPS, "NumericLessThan", r#"{"NumericLessThan":{"s3:max-keys":"10"}}"#)
            .ctx("s3:max-keys", "9")
            .allowed(),
        cond(OPS, "NumericLessThan is strict", r#"{"NumericLessThan":{"s3:max-keys":"10"}}"#)
            .ctx("s3:max-keys", "10")
            .implicit(),
        cond(OPS, "NumericLessThanEquals includes equality", r#"{"NumericLessThanEquals":{"s3:max-keys":10}}"#)
            .ctx("s3:max-keys", "10")
            .allowed(),
        cond(OPS, "NumericGreaterThan", r#"{"NumericGreaterThan":{"s3:max-keys":"10"}}"#)
            .ctx("s3:max-keys", "10.5")
            .allowed(),
        cond(OPS, "NumericGreaterThanEquals", r#"{"NumericGreaterThanEquals":{"s3:max-keys":"10"}}"#)
            .ctx("s3:max-keys", "9")
            .implicit(),
        cond(OPS, "NumericEquals compares numbers, not text", r#"{"NumericEquals":{"s3:max-keys":"10"}}"#)
            .ctx("s3:max-keys", "10.0")
            .allowed(),
        cond(OPS, "NumericNotEquals", r#"{"NumericNotEquals":{"s3:max-keys":"10"}}"#)
            .ctx("s3:max-keys", "11")
            .allowed(),
        cond(OPS, "a value that is not a number does not match", r#"{"NumericLessThan":{"s3:max-keys":"10"}}"#)
            .ctx("s3:max-keys", "nine")
            .implicit(),
        // ---- Date ---------------------------------------------------------------------------
        cond(OPS, "DateGreaterThan with ISO 8601", r#"{"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}"#)
            .ctx("aws:CurrentTime", "2026-05-01T12:00:00Z")
            .allowed(),
        cond(OPS, "DateLessThan with ISO 8601", r#"{"DateLessThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}"#)
            .ctx("aws:CurrentTime", "2026-05-01T12:00:00Z")
            .implicit(),
        cond(OPS, "Date operators accept epoch seconds", r#"{"DateLessThan":{"aws:EpochTime":"2020-01-01T00:00:00Z"}}"#)
            .ctx("aws:EpochTime", "1500000000")
            .allowed(),
        cond(OPS, "a date-only value is midnight UTC", r#"{"DateEquals":{"aws:CurrentTime":"2026-05-01"}}"#)
            .ctx("aws:CurrentTime", "2026-05-01T00:00:00Z")
            .allowed(),
        cond(OPS, "time zone offsets are honoured", r#"{"DateEquals":{"aws:CurrentTime":"2026-05-01T02:00:00+02:00"}}"#)
            .ctx("aws:CurrentTime", "2026-05-01T00:00:00Z")
            .allowed(),
        cond(OPS, "DateNotEquals on a missing key is true", r#"{"DateNotEquals":{"aws:CurrentTime":"2026-05-01"}}"#)
            .allowed(),
        // ---- Bool, Binary -------------------------------------------------------------------
        cond(OPS, "Bool true", r#"{"Bool":{"aws:SecureTransport":"true"}}"#)
            .ctx("aws:SecureTransport", "true")
            .allowed(),
        cond(OPS, "Bool is case-insensitive on true/false", r#"{"Bool":{"aws:SecureTransport":true}}"#)
            .ctx("aws:SecureTransport", "TRUE")
            .allowed(),
        cond(OPS, "Bool false does not match true", r#"{"Bool":{"aws:SecureTransport":"false"}}"#)
            .ctx("aws:SecureTransport", "true")
            .implicit(),
        cond(OPS, "Bool on a missing key is false", r#"{"Bool":{"aws:MultiFactorAuthPresent":"false"}}"#)
            .implicit(),
        cond(OPS, "BoolIfExists on a missing key is true", r#"{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}"#)
            .allowed(),
        cond(OPS, "BinaryEquals compares base64 values", r#"{"BinaryEquals":{"s3:x-amz-content-sha256":"QmluYXJ5VmFsdWU="}}"#)
            .ctx("s3:x-amz-content-sha256", "QmluYXJ5VmFsdWU=")
            .allowed(),
        cond(OPS, "BinaryEquals different value", r#"{"BinaryEquals":{"s3:x-amz-content-sha256":"QmluYXJ5VmFsdWU="}}"#)
            .ctx("s3:x-amz-content-sha256", "T3RoZXI=")
            .implicit(),
        // ---- IP address ----------------------------------------------------------------------
        cond(OPS, "IpAddress matches inside the CIDR", r#"{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#)
            .ctx("aws:SourceIp", "203.0.113.77")
            .allowed(),
        cond(OPS, "IpAddress outside the CIDR", r#"{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#)
            .ctx("aws:SourceIp", "198.51.100.1")
            .implicit(),
        cond(OPS, "IpAddress with a plain address is a /32", r#"{"IpAddress":{"aws:SourceIp":"203.0.113.5"}}"#)
            .ctx("aws:SourceIp", "203.0.113.5")
            .allowed(),
        cond(OPS, "IpAddress with IPv6", r#"{"IpAddress":{"aws:SourceIp":"2001:DB8:1234:5678::/64"}}"#)
            .ctx("aws:SourceIp", "2001:db8:1234:5678::1")
            .allowed(),
        cond(OPS, "IpAddress: IPv4 request against IPv6 range", r#"{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}"#)
            .ctx("aws:SourceIp", "203.0.113.5")
            .implicit(),
        cond(OPS, "IpAddress never matches a request without aws:SourceIp (through an endpoint)", r#"{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}"#)
            .ctx("aws:VpcSourceIp", "10.0.1.5")
            .ctx("aws:SourceVpce", "vpce-1a2b3c4d")
            .implicit(),
        cond(OPS, "NotIpAddress on a missing key is true", r#"{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#)
            .allowed(),
        cond(OPS, "NotIpAddress inside the range is false", r#"{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#)
            .ctx("aws:SourceIp", "203.0.113.1")
            .implicit(),
        // ---- ARN ----------------------------------------------------------------------------
        cond(OPS, "ArnLike with wildcards per component", r#"{"ArnLike":{"aws:SourceArn":"arn:aws:cloudtrail:*:111122223333:trail/*"}}"#)
            .ctx("aws:SourceArn", "arn:aws:cloudtrail:us-east-1:111122223333:trail/main")
            .allowed(),
        cond(OPS, "ArnEquals takes wildcards too", r#"{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:*:111122223333:topic"}}"#)
            .ctx("aws:SourceArn", "arn:aws:sns:eu-west-1:111122223333:topic")
            .allowed(),
        cond(OPS, "ArnLike: a * in one component does not span the others", r#"{"ArnLike":{"aws:SourceArn":"arn:aws:*:trail/main"}}"#)
            .ctx("aws:SourceArn", "arn:aws:cloudtrail:us-east-1:111122223333:trail/main")
            .implicit(),
        cond(OPS, "ArnLike: a value that is not an ARN does not match", r#"{"ArnLike":{"aws:SourceArn":"*:*:*:*:*:*"}}"#)
            .ctx("aws:SourceArn", "not-an-arn")
            .implicit(),
        cond(OPS, "ArnNotLike on a missing key is true", r#"{"ArnNotLike":{"aws:SourceArn":"arn:aws:sns:*:*:*"}}"#)
            .allowed(),
        cond(OPS, "ArnNotEquals on a matching ARN is false", r#"{"ArnNotEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:user/alice"}}"#)
            .implicit(),
        // ---- Null, IfExists -----------------------------------------------------------------
        cond(OPS, "Null true matches a missing key", r#"{"Null":{"aws:TokenIssueTime":"true"}}"#).allowed(),
        cond(OPS, "Null true does not match a present key", r#"{"Null":{"aws:TokenIssueTime":"true"}}"#)
            .ctx("aws:TokenIssueTime", "2026-01-01T00:00:00Z")
            .implicit(),
        cond(OPS, "Null false matches a present key", r#"{"Null":{"aws:TokenIssueTime":"false"}}"#)
            .ctx("aws:TokenIssueTime", "2026-01-01T00:00:00Z")
            .allowed(),
        cond(OPS, "Null false does not match a missing key", r#"{"Null":{"aws:TokenIssueTime":"false"}}"#)
            .implicit(),
        cond(OPS, "...IfExists on a missing key is true", r#"{"StringEqualsIfExists":{"ec2:InstanceType":"t3.micro"}}"#)
            .allowed(),
        cond(OPS, "...IfExists on a present key applies the operator", r#"{"StringEqualsIfExists":{"ec2:InstanceType":"t3.micro"}}"#)
            .ctx("ec2:InstanceType", "m5.large")
            .implicit(),
        cond(OPS, "NumericLessThanIfExists on a missing key is true", r#"{"NumericLessThanIfExists":{"s3:max-keys":"10"}}"#)
            .allowed(),
        // ---- Several keys and values ---------------------------------------------------------
        cond(MULTI, "several values for one key are OR'd", r#"{"StringEquals":{"aws:username":["bob","alice"]}}"#)
            .allowed(),
        cond(MULTI, "a negated operator's values are NOR'd (one equal → false)", r#"{"StringNotEquals":{"aws:SourceVpce":["vpce-1","vpce-2"]}}"#)
            .ctx("aws:SourceVpce", "vpce-2")
            .implicit(),
        cond(MULTI, "a negated operator's values are NOR'd (none equal → true)", r#"{"StringNotEquals":{"aws:SourceVpce":["vpce-1","vpce-2"]}}"#)
            .ctx("aws:SourceVpce", "vpce-3")
            .allowed(),
        cond(MULTI, "several keys under one operator are AND'ed", r#"{"StringEquals":{"aws:username":"alice","aws:PrincipalAccount":"999999999999"}}"#)
            .implicit(),
        cond(MULTI, "several keys all matching", r#"{"StringEquals":{"aws:username":"alice","aws:PrincipalAccount":"111122223333"}}"#)
            .allowed(),
        cond(MULTI, "several operators are AND'ed", r#"{"StringEquals":{"aws:username":"alice"},"Bool":{"aws:SecureTransport":"true"}}"#)
            .ctx("aws:SecureTransport", "false")
            .implicit(),
        // ---- Set qualifiers --------------------------------------------------------------------
        cond(SETS, "ForAnyValue: one request value matching is enough", r#"{"ForAnyValue:StringEquals":{"aws:TagKeys":["env","team"]}}"#)
            .ctx_many("aws:TagKeys", &["cost", "team"])
            .allowed(),
        cond(SETS, "ForAnyValue: no request value matching", r#"{"ForAnyValue:StringEquals":{"aws:TagKeys":["env"]}}"#)
            .ctx_many("aws:TagKeys", &["cost", "team"])
            .implicit(),
        cond(SETS, "ForAnyValue on a missing key is false", r#"{"ForAnyValue:StringEquals":{"aws:TagKeys":["env"]}}"#)
            .implicit(),
        cond(SETS, "ForAllValues: every request value in the set", r#"{"ForAllValues:StringEquals":{"aws:TagKeys":["env","team"]}}"#)
            .ctx_many("aws:TagKeys", &["team", "env"])
            .allowed(),
        cond(SETS, "ForAllValues: one request value outside the set", r#"{"ForAllValues:StringEquals":{"aws:TagKeys":["env","team"]}}"#)
            .ctx_many("aws:TagKeys", &["team", "cost"])
            .implicit(),
        cond(SETS, "ForAllValues on a missing key is true", r#"{"ForAllValues:StringEquals":{"aws:TagKeys":["env"]}}"#)
            .allowed(),
        cond(SETS, "ForAllValues on an empty set is true", r#"{"ForAllValues:StringEquals":{"aws:TagKeys":["env"]}}"#)
            .ctx_many("aws:TagKeys", &[])
            .allowed(),
        cond(SETS, "ForAllValues:StringLike", r#"{"ForAllValues:StringLike":{"aws:TagKeys":["team-*"]}}"#)
            .ctx_many("aws:TagKeys", &["team-a", "team-b"])
            .allowed(),
        cond(SETS, "ForAnyValue:StringNotEquals: some value outside the set", r#"{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["env"]}}"#)
            .ctx_many("aws:TagKeys", &["env", "cost"])
            .allowed(),
        cond(SETS, "ForAllValues:StringNotEquals: one value inside the set", r#"{"ForAllValues:StringNotEquals":{"aws:TagKeys":["env"]}}"#)
            .ctx_many("aws:TagKeys", &["env", "cost"])
            .implicit(),
        // ---- Policy variables -------------------------------------------------------------------
        case(VARS, "a variable in Resource is replaced by the context value")
            .identity(&allow_identity("s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/home/${aws:username}/*"))
            .on("arn:aws:s3:::amzn-s3-demo-bucket/home/alice/notes.txt")
            .allowed(),
        case(VARS, "a variable in Resource does not match another user's folder")
            .identity(&allow_identity("s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/home/${aws:username}/*"))
            .on("arn:aws:s3:::amzn-s3-demo-bucket/home/bob/notes.txt")
            .implicit(),
        case(VARS, "an unresolvable variable in Resource matches nothing")
            .identity(&allow_identity("s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/home/${aws:username}/*"))
            .without("aws:username")
            .on("arn:aws:s3:::amzn-s3-demo-bucket/home//notes.txt")
            .implicit(),
        cond(VARS, "a variable in a condition value", r#"{"StringLike":{"s3:prefix":"home/${aws:username}/*"}}"#)
            .ctx("s3:prefix", "home/alice/photos")
            .allowed(),
        cond(VARS, "variable key names are case-insensitive", r#"{"StringEquals":{"s3:prefix":"${AWS:USERNAME}"}}"#)
            .ctx("s3:prefix", "alice")
            .allowed(),
        cond(VARS, "a default value applies when the key is missing", r#"{"StringEquals":{"s3:prefix":"${aws:PrincipalTag/team, 'company-wide'}"}}"#)
            .ctx("s3:prefix", "company-wide")
            .allowed(),
        case(VARS, "${*} is a literal asterisk")
            .identity(&allow_identity("s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/${*}"))
            .on("arn:aws:s3:::amzn-s3-demo-bucket/*")
            .allowed(),
        case(VARS, "${*} is not a wildcard")
            .identity(&allow_identity("s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/${*}"))
            .implicit(),
        cond(VARS, "${?} and ${$} are literal", r#"{"StringEquals":{"s3:prefix":"${?}${$}"}}"#)
            .ctx("s3:prefix", "?$")
            .allowed(),
        case(VERSION, "version 2008-10-17 treats variables as literal text")
            .identity(r#"{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::amzn-s3-demo-bucket/home/${aws:username}/*"}]}"#)
            .on("arn:aws:s3:::amzn-s3-demo-bucket/home/alice/notes.txt")
            .implicit(),
        case(VERSION, "without Version, variables are literal text")
            .identity(r#"{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::amzn-s3-demo-bucket/home/${aws:username}/*"}]}"#)
            .on("arn:aws:s3:::amzn-s3-demo-bucket/home/${aws:username}/x")
            .allowed(),
        // ---- Action / NotAction ------------------------------------------------------------------
        case(ACTION, "action names are case-insensitive")
            .identity(&allow_identity("s3:getobject", "*"))
            .action("S3:GetObject")
            .allowed(),
        case(ACTION, "wildcards in action names")
            .identity(&allow_identity("s3:Get*", "*"))
            .action("s3:GetObjectTagging")
            .allowed(),
        case(ACTION, "a wildcard action does not cover other actions")
            .identity(&allow_identity("s3:Get*", "*"))
            .action("s3:PutObject")
            .implicit(),
        case(ACTION, "the service prefix must match")
            .identity(&allow_identity("ec2:*", "*"))
            .implicit(),
        case(NOTACTION, "Allow with NotAction allows every other action")
            .identity(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]}"#)
            .allowed(),
        case(NOTACTION, "Allow with NotAction does not allow the listed actions")
            .identity(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"s3:*","Resource":"*"}]}"#)
            .implicit(),
        case(NOTACTION, "Deny with NotAction denies every other action")
            .identity(&id_all)
            .identity(r#"{"Version":"2012-10-17","Statement":[{"Sid":"OnlyList","Effect":"Deny","NotAction":"s3:ListBucket","Resource":"*"}]}"#)
            .explicit()
            .decided_by(&[(Identity(1), 0)]),
        // ---- Resource / NotResource ----------------------------------------------------------------
        case(RESOURCE, "resource ARNs are case-sensitive")
            .identity(&allow_identity("s3:GetObject", "arn:aws:s3:::AMZN-S3-DEMO-BUCKET/*"))
            .implicit(),
        case(RESOURCE, "a bucket ARN does not cover its objects")
            .identity(&allow_identity("s3:GetObject", BUCKET))
            .implicit(),
        case(RESOURCE, "? in a resource matches one character")
            .identity(&allow_identity("s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/key.tx?"))
            .allowed(),
        case(NOTRESOURCE, "Deny with NotResource denies everything else")
            .identity(&id_all)
            .identity(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","NotResource":["arn:aws:s3:::other","arn:aws:s3:::other/*"]}]}"#)
            .explicit(),
        case(NOTRESOURCE, "Deny with NotResource leaves the listed resources alone")
            .identity(&id_all)
            .identity(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","NotResource":"arn:aws:s3:::amzn-s3-demo-bucket/*"}]}"#)
            .allowed(),
        // ---- Principal ----------------------------------------------------------------------------
        case(PRINCIPAL, r#""Principal": "*" includes anonymous users"#)
            .by(Principal::anonymous())
            .resource(&bucket_policy("Allow", r#""*""#, ""))
            .owner(ME)
            .allowed(),
        case(PRINCIPAL, r#"{"AWS": "*"} is the same as "*""#)
            .by(Principal::anonymous())
            .resource(&bucket_policy("Allow", r#"{"AWS":"*"}"#, ""))
            .owner(ME)
            .allowed(),
        case(PRINCIPAL, "anonymous requests get nothing without a public grant")
            .by(Principal::anonymous())
            .resource(&bucket_policy("Allow", r#"{"AWS":"111122223333"}"#, ""))
            .owner(ME)
            .implicit(),
        case(PRINCIPAL, "a user named by ARN is granted within its account without an identity policy")
            .resource(&bucket_policy("Allow", r#"{"AWS":"arn:aws:iam::111122223333:user/alice"}"#, ""))
            .owner(ME)
            .allowed()
            .decided_by(&[(Resource, 0)]),
        // AWS: "You can specify AWS account identifiers in the Principal element ... This
        // delegates authority to the account." Within the account, an identity policy must then
        // allow the request too.
        case(PRINCIPAL, "an account principal delegates: a user of the account still needs an identity Allow")
            .resource(&bucket_policy("Allow", r#"{"AWS":"111122223333"}"#, ""))
            .owner(ME)
            .implicit(),
        case(PRINCIPAL, "an account principal plus an identity Allow")
            .identity(&allow_identity("s3:GetObject", "*"))
            .resource(&bucket_policy("Allow", r#"{"AWS":"111122223333"}"#, ""))
            .owner(ME)
            .allowed(),
        case(PRINCIPAL, "the account id and the root ARN behave the same (cross-account, both allow)")
            .by(Principal::user(OTHER, "carol"))
            .identity(&allow_identity("s3:GetObject", "*"))
            .resource(&bucket_policy("Allow", r#"{"AWS":"arn:aws:iam::444455556666:root"}"#, ""))
            .owner(ME)
            .allowed(),
        case(PRINCIPAL, "the account id form (cross-account, both allow)")
            .by(Principal::user(OTHER, "carol"))
            .identity(&allow_identity("s3:GetObject", "*"))
            .resource(&bucket_policy("Allow", r#"{"AWS":"444455556666"}"#, ""))
            .owner(ME)
            .allowed(),
        case(PRINCIPAL, "a role ARN covers the role's sessions")
            .by(Principal::assumed_role(ME, "Reader", "ci-job"))
            .resource(&bucket_policy("Allow", r#"{"AWS":"arn:aws:iam::111122223333:role/Reader"}"#, ""))
            .owner(ME)
            .allowed(),
        case(PRINCIPAL, "a role ARN does not cover another role")
            .by(Principal::assumed_role(ME, "Writer", "ci-job"))
            .resource(&bucket_policy("Allow", r#"{"AWS":"arn:aws:iam::111122223333:role/Reader"}"#, ""))
            .owner(ME)
            .implicit(),
        case(PRINCIPAL, "a role session ARN")
            .by(Principal::assumed_role(ME, "Reader", "ci-job"))
            .resource(&bucket_policy("Allow", r#"{"AWS":"arn:aws:sts::111122223333:assumed-role/Reader/ci-job"}"#, ""))
            .owner(ME)
            .allowed(),
        case(PRINCIPAL, "a service principal")
            .by(Principal::service("cloudtrail.amazonaws.com"))
            .action("s3:PutObject")
            .resource(r#"{"Version":"2012-10-17","Statement":[{"Sid":"Trail","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::amzn-s3-demo-bucket/*"}]}"#)
            .owner(ME)
            .allowed(),
        case(PRINCIPAL, "a service principal does not cover other services")
            .by(Principal::service("config.amazonaws.com"))
            .action("s3:PutObject")
            .resource(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::amzn-s3-demo-bucket/*"}]}"#)
            .owner(ME)
            .implicit(),
        case(PRINCIPAL, "a Deny naming the account applies to every principal in it")
            .identity(&id_all)
            .resource(&bucket_policy("Deny", r#"{"AWS":"111122223333"}"#, ""))
            .owner(ME)
            .explicit()
            .decided_by(&[(Resource, 0)]),
        // ---- NotPrincipal ----------------------------------------------------------------------------
        case(NOTPRINCIPAL, "NotPrincipal listing the user and its account exempts the user")
            .identity(&id_all)
            .resource(&bucket_policy("Deny", r#"{"AWS":["arn:aws:iam::111122223333:user/alice","arn:aws:iam::111122223333:root"]}"#, "").replace("\"Principal\"", "\"NotPrincipal\""))
            .owner(ME)
            .allowed(),
        case(NOTPRINCIPAL, "NotPrincipal without the account ARN denies the whole account, the user too")
            .identity(&id_all)
            .resource(&bucket_policy("Deny", r#"{"AWS":"arn:aws:iam::111122223333:user/alice"}"#, "").replace("\"Principal\"", "\"NotPrincipal\""))
            .owner(ME)
            .explicit(),
        case(NOTPRINCIPAL, "NotPrincipal with the role and account ARNs exempts the role's sessions")
            .by(Principal::assumed_role(ME, "Admin", "s"))
            .identity(&id_all)
            .resource(&bucket_policy("Deny", r#"{"AWS":["arn:aws:iam::111122223333:role/Admin","arn:aws:iam::111122223333:root"]}"#, "").replace("\"Principal\"", "\"NotPrincipal\""))
            .owner(ME)
            .allowed(),
        case(NOTPRINCIPAL, "NotPrincipal denies everyone not listed")
            .by(Principal::user(ME, "bob"))
            .identity(&id_all)
            .resource(&bucket_policy("Deny", r#"{"AWS":["arn:aws:iam::111122223333:user/alice","arn:aws:iam::111122223333:root"]}"#, "").replace("\"Principal\"", "\"NotPrincipal\""))
            .owner(ME)
            .explicit(),
        case(NOTPRINCIPAL, "NotPrincipal denies anonymous users")
            .by(Principal::anonymous())
            .resource(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::amzn-s3-demo-bucket/*"},{"Effect":"Deny","NotPrincipal":{"AWS":"111122223333"},"Action":"s3:*","Resource":"arn:aws:s3:::amzn-s3-demo-bucket/*"}]}"#)
            .owner(ME)
            .explicit()
            .decided_by(&[(Resource, 1)]),
        // ---- Evaluation logic ---------------------------------------------------------------------------
        case(EVAL, "with no policy, a request is implicitly denied").implicit(),
        case(SINGLE, "an identity Allow alone suffices within the account")
            .identity(&allow_identity("s3:GetObject", "*"))
            .owner(ME)
            .allowed()
            .decided_by(&[(Identity(0), 0)]),
        case(SINGLE, "a resource Allow alone suffices within the account")
            .resource(&bucket_policy("Allow", r#"{"AWS":"arn:aws:iam::111122223333:user/alice"}"#, ""))
            .allowed(),
        case(EVAL, "an explicit Deny in the resource policy overrides an identity Allow")
            .identity(&id_all)
            .resource(&bucket_policy("Deny", r#""*""#, ""))
            .owner(ME)
            .explicit()
            .decided_by(&[(Resource, 0)]),
        case(EVAL, "an explicit Deny in an identity policy overrides a resource Allow")
            .identity(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}"#)
            .resource(&bucket_policy("Allow", r#"{"AWS":"arn:aws:iam::111122223333:user/alice"}"#, ""))
            .owner(ME)
            .explicit()
            .decided_by(&[(Identity(0), 0)]),
        case(EVAL, "a Deny in one identity policy overrides an Allow in another")
            .identity(&id_all)
            .identity(r#"{"Version":"2012-10-17","Statement":[{"Sid":"No","Effect":"Deny","Action":"s3:GetObject","Resource":"*"}]}"#)
            .explicit()
            .decided_by(&[(Identity(1), 0)]),
        case(EVAL, "the root user has full access in its own account")
            .by(Principal::root(ME))
            .owner(ME)
            .allowed(),
        case(EVAL, "the root user is still subject to an explicit Deny in a resource policy")
            .by(Principal::root(ME))
            .resource(&bucket_policy("Deny", r#""*""#, r#","Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}}"#))
            .owner(ME)
            .explicit(),
        case(EVAL, "a bucket locked to aws:SourceVpce also locks out the console (no endpoint)")
            .by(Principal::assumed_role(ME, "Admin", "console"))
            .identity(&id_all)
            .resource(&bucket_policy("Deny", r#""*""#, r#","Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}}"#))
            .owner(ME)
            .ctx("aws:SourceIp", "198.51.100.7")
            .explicit(),
        case(EVAL, "the same bucket admits the request through its endpoint")
            .by(Principal::assumed_role(ME, "Admin", "app"))
            .identity(&id_all)
            .resource(&bucket_policy("Deny", r#""*""#, r#","Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}}"#))
            .owner(ME)
            .ctx("aws:SourceVpce", "vpce-1a2b3c4d")
            .allowed(),
        case(XACCT, "across accounts, both identity and resource policies must allow")
            .by(Principal::user(OTHER, "carol"))
            .identity(&allow_identity("s3:GetObject", "*"))
            .resource(&bucket_policy("Allow", r#"{"AWS":"arn:aws:iam::444455556666:user/carol"}"#, ""))
            .owner(ME)
            .allowed()
            .decided_by(&[(Identity(0), 0), (Resource, 0)]),
        case(XACCT, "across accounts, a resource Allow without an identity Allow is denied")
            .by(Principal::user(OTHER, "carol"))
            .resource(&bucket_policy("Allow", r#"{"AWS":"arn:aws:iam::444455556666:user/carol"}"#, ""))
            .owner(ME)
            .implicit(),
        case(XACCT, "across accounts, an identity Allow without a resource Allow is denied")
            .by(Principal::user(OTHER, "carol"))
            .identity(&allow_identity("s3:GetObject", "*"))
            .owner(ME)
            .implicit(),
        case(XACCT, "across accounts, the other account's root still needs the resource policy")
            .by(Principal::root(OTHER))
            .owner(ME)
            .implicit(),
        case(XACCT, "across accounts, the other account's root with a grant to its account")
            .by(Principal::root(OTHER))
            .resource(&bucket_policy("Allow", r#"{"AWS":"444455556666"}"#, ""))
            .owner(ME)
            .allowed(),
        // ---- Endpoint policies ---------------------------------------------------------------------------
        case(ENDPOINT, "the default endpoint policy allows everything")
            .identity(&allow_identity("s3:GetObject", "*"))
            .endpoint(r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#)
            .allowed(),
        case(ENDPOINT, "an endpoint policy that does not allow the action denies it")
            .identity(&id_all)
            .endpoint(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::amzn-s3-demo-bucket/*"}]}"#)
            .implicit(),
        case(ENDPOINT, "an endpoint policy does not grant what identity policies do not")
            .endpoint(r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#)
            .implicit(),
        case(ENDPOINT, "a Deny in the endpoint policy wins")
            .identity(&id_all)
            .endpoint(r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"},{"Sid":"NoGet","Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}"#)
            .explicit()
            .decided_by(&[(Endpoint, 1)]),
        case(ENDPOINT, "an account principal in an endpoint policy means only the root user")
            .identity(&id_all)
            .endpoint(r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"*","Resource":"*"}]}"#)
            .implicit(),
        case(ENDPOINT, "an account principal in an endpoint policy admits the root user")
            .by(Principal::root(ME))
            .endpoint(r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"*","Resource":"*"}]}"#)
            .allowed(),
        case(ENDPOINT, "aws:PrincipalArn in an endpoint policy condition")
            .identity(&id_all)
            .endpoint(r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:user/alice"}}}]}"#)
            .allowed(),
    ]
}

/// Documents AWS refuses, by the grammar and element pages.
pub fn refused() -> Vec<(&'static str, &'static str, PolicyKind, &'static str)> {
    vec![
        (
            NOTPRINCIPAL,
            "NotPrincipal with Allow is not supported",
            PolicyKind::Resource,
            r#"{"Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"111122223333"},"Action":"s3:*","Resource":"*"}]}"#,
        ),
        (
            PRINCIPAL,
            "no Principal in an identity-based policy",
            PolicyKind::Identity,
            r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}"#,
        ),
        (
            PRINCIPAL,
            "a resource-based policy must name a Principal",
            PolicyKind::Resource,
            r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
        ),
        (
            ENDPOINT,
            "an endpoint policy must contain a Principal element",
            PolicyKind::Endpoint,
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
        ),
        (
            PRINCIPAL,
            "no partial wildcard in a principal",
            PolicyKind::Resource,
            r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/*"},"Action":"s3:*","Resource":"*"}]}"#,
        ),
        (
            VERSION,
            "an unknown Version",
            PolicyKind::Resource,
            r#"{"Version":"2012-10-18","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}"#,
        ),
        (
            GRAMMAR,
            "Effect is Allow or Deny",
            PolicyKind::Resource,
            r#"{"Statement":[{"Effect":"Permit","Principal":"*","Action":"s3:*","Resource":"*"}]}"#,
        ),
        (
            GRAMMAR,
            "Action and NotAction together",
            PolicyKind::Identity,
            r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","NotAction":"s3:Get*","Resource":"*"}]}"#,
        ),
        (
            OPS,
            "an unknown condition operator",
            PolicyKind::Identity,
            r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEqualsAny":{"aws:username":"a"}}}]}"#,
        ),
        (
            OPS,
            "Null takes no IfExists",
            PolicyKind::Identity,
            r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"NullIfExists":{"aws:username":"true"}}}]}"#,
        ),
        (
            OPS,
            "an IpAddress value that is not an address",
            PolicyKind::Identity,
            r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/33"}}}]}"#,
        ),
    ]
}

#[test]
fn vpclab_engine_passes_every_row() {
    let failures = failures(&vpclab_policy::Authorizer);
    assert!(
        failures.is_empty(),
        "{} of {} rows failed:\n{}",
        failures.len(),
        table().len(),
        failures.join("\n")
    );
}

#[test]
fn refused_documents_are_refused() {
    let mut failures = Vec::new();
    for (page, what, kind, json) in refused() {
        if Policy::parse(json, kind).is_ok() {
            failures.push(format!("[{page}] {what}: accepted"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn explanations_name_the_deciding_statement() {
    let row = table()
        .into_iter()
        .find(|c| c.what == "a Deny in one identity policy overrides an Allow in another")
        .expect("row exists");
    let decision = row.run(&vpclab_policy::Authorizer).expect("row passes");
    assert_eq!(
        decision.to_string(),
        r#"explicit Deny by identity policy #1 statement "No" (#0)"#
    );
    let row = table()
        .into_iter()
        .find(|c| c.what == "an account principal delegates: a user of the account still needs an identity Allow")
        .expect("row exists");
    let decision = row.run(&vpclab_policy::Authorizer).expect("row passes");
    assert_eq!(
        decision.to_string(),
        r#"implicit Deny: bucket policy statement "B" (#0) names only the account, which delegates to the account's identity policies, and none of them allows this request"#
    );
}

/// The rows `iam-rs` 0.8 gets wrong, recorded so that a change in either engine shows up
/// here (and in README.md).
#[cfg(feature = "iam-rs")]
#[test]
fn iam_rs_conformance_report() {
    let failures = failures(&vpclab_policy::iam_rs_engine::IamRsEngine);
    println!(
        "iam-rs failed {} of {} rows:",
        failures.len(),
        table().len()
    );
    for f in &failures {
        println!("  {f}");
    }
    let failed: Vec<&str> = table()
        .iter()
        .filter(|c| c.run(&vpclab_policy::iam_rs_engine::IamRsEngine).is_err())
        .map(|c| c.what)
        .collect();
    assert_eq!(
        failed, IAM_RS_FAILS,
        "iam-rs results changed: update README.md"
    );
}

#[cfg(feature = "iam-rs")]
const IAM_RS_FAILS: &[&str] = &[
    "a date-only value is midnight UTC",
    "DateNotEquals on a missing key is true",
    "ArnEquals takes wildcards too",
    "ArnLike: a * in one component does not span the others",
    "an unresolvable variable in Resource matches nothing",
    "a variable in a condition value",
    "variable key names are case-insensitive",
    "a default value applies when the key is missing",
    "${*} is a literal asterisk",
    "${?} and ${$} are literal",
    "version 2008-10-17 treats variables as literal text",
    "without Version, variables are literal text",
    r#""Principal": "*" includes anonymous users"#,
    r#"{"AWS": "*"} is the same as "*""#,
    "the account id and the root ARN behave the same (cross-account, both allow)",
    "the account id form (cross-account, both allow)",
    "a role ARN covers the role's sessions",
    "a Deny naming the account applies to every principal in it",
    "NotPrincipal without the account ARN denies the whole account, the user too",
    "NotPrincipal with the role and account ARNs exempts the role's sessions",
    "NotPrincipal denies anonymous users",
    "the default endpoint policy allows everything",
    "a Deny in the endpoint policy wins",
    "an account principal in an endpoint policy admits the root user",
    "aws:PrincipalArn in an endpoint policy condition",
];
