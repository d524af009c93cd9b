//! The bucket policies (and the KMS key policy) of the shared CloudFormation cases 10 and 11,
//! instantiated in `tests/fixtures/` (see its README), evaluated for requests with and without
//! `aws:SourceVpce` as AWS would.

use vpclab_policy::{
    Decision, EvalDecision, Policies, Policy, PolicyKind, PolicySource, Principal, Request,
    authorize,
};

const ACCOUNT: &str = "111122223333";
const VPCE: &str = "vpce-0a1b2c3d4e5f60718";

fn load(json: &str) -> Policy {
    match Policy::parse(json, PolicyKind::Resource) {
        Ok(p) => p,
        Err(e) => panic!("fixture refused: {e}"),
    }
}

fn identity_allow_all() -> Policy {
    match Policy::parse(
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"Admin","Effect":"Allow","Action":"*","Resource":"*"}]}"#,
        PolicyKind::Identity,
    ) {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    }
}

fn decide(resource_policy: &Policy, identity: &[Policy], request: &Request) -> Decision {
    authorize(
        request,
        &Policies {
            identity,
            resource: Some(resource_policy),
            resource_owner: Some(ACCOUNT),
            endpoint: None,
        },
    )
}

/// A data scientist's role session, with the keys AWS always sends for a direct call.
fn scientist(action: &str, resource: &str) -> Request {
    Request::new(
        Principal::assumed_role(ACCOUNT, "ds-user-role", "alice"),
        action,
        resource,
    )
    .with("aws:ViaAWSService", "false")
    .with("aws:SecureTransport", "true")
}

mod case10_data_bucket {
    use super::*;

    const OBJECT: &str = "arn:aws:s3:::ds-data-bucket-myproj-dev-a1b2c3d4/train.csv";
    const BUCKET: &str = "arn:aws:s3:::ds-data-bucket-myproj-dev-a1b2c3d4";

    fn policy() -> Policy {
        load(include_str!("fixtures/cfn10-data-bucket-policy.json"))
    }

    #[test]
    fn parses_without_version_and_keeps_the_key_spelling() {
        let p = policy();
        assert_eq!(p.version, None);
        assert_eq!(p.statements[0].conditions[0].key, "aws:sourceVpce");
        assert_eq!(
            Policy::parse(&p.to_json(), PolicyKind::Resource).ok(),
            Some(p)
        );
    }

    #[test]
    fn through_the_endpoint_the_identity_policy_decides() {
        let request = scientist("s3:GetObject", OBJECT)
            .with("aws:SourceVpce", VPCE)
            .with("aws:SourceVpc", "vpc-0123456789abcdef0")
            .with("aws:VpcSourceIp", "10.0.1.23");
        let d = decide(&policy(), &[identity_allow_all()], &request);
        assert_eq!(d.decision, EvalDecision::Allowed, "{d}");
        // The lower-case `aws:sourceVpce` in the policy matches the key AWS sends as
        // `aws:SourceVpce`: condition keys are case-insensitive.
        assert_eq!(
            d.to_string(),
            r#"Allow by identity policy #0 statement "Admin" (#0)"#
        );
    }

    #[test]
    fn through_the_endpoint_the_bucket_policy_alone_grants_nothing() {
        let request = scientist("s3:GetObject", OBJECT).with("aws:SourceVpce", VPCE);
        let d = decide(&policy(), &[], &request);
        assert_eq!(d.decision, EvalDecision::ImplicitDeny, "{d}");
    }

    #[test]
    fn without_the_endpoint_even_an_admin_is_denied() {
        // The console, the CLI on a laptop, or an instance going out through a NAT gateway.
        let request = scientist("s3:GetObject", OBJECT).with("aws:SourceIp", "198.51.100.7");
        let d = decide(&policy(), &[identity_allow_all()], &request);
        assert_eq!(d.decision, EvalDecision::ExplicitDeny);
        assert_eq!(d.to_string(), "explicit Deny by bucket policy statement #0");
    }

    #[test]
    fn through_another_endpoint_is_denied() {
        let request =
            scientist("s3:ListBucket", BUCKET).with("aws:SourceVpce", "vpce-0ffffffffffffffff");
        let d = decide(&policy(), &[identity_allow_all()], &request);
        assert_eq!(d.decision, EvalDecision::ExplicitDeny);
    }

    #[test]
    fn the_bucket_owner_root_is_denied_too_but_only_by_the_bucket_policy() {
        let request = Request::new(Principal::root(ACCOUNT), "s3:PutObject", OBJECT);
        let d = decide(&policy(), &[], &request);
        assert_eq!(d.decision, EvalDecision::ExplicitDeny);
        // What S3 needs to let the owner's root still manage the bucket policy.
        assert!(d.denied_only_by(PolicySource::Resource));
    }

    #[test]
    fn actions_the_policy_does_not_list_are_not_denied() {
        let request = scientist("s3:DeleteObject", OBJECT);
        let d = decide(&policy(), &[identity_allow_all()], &request);
        assert_eq!(d.decision, EvalDecision::Allowed);
    }
}

mod case10_kms_key_policy {
    use super::*;

    const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    fn policy() -> Policy {
        load(include_str!("fixtures/cfn10-kms-key-policy.json"))
    }

    fn allow_decrypt() -> Policy {
        match Policy::parse(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}]}"#,
            PolicyKind::Identity,
        ) {
            Ok(p) => p,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn root_principal_delegates_to_identity_policies() {
        // "Enable IAM User Permissions": the account principal lets IAM policies grant access.
        let request = scientist("kms:Decrypt", KEY).with("aws:SourceVpce", VPCE);
        let with_identity = decide(&policy(), &[allow_decrypt()], &request);
        assert_eq!(
            with_identity.decision,
            EvalDecision::Allowed,
            "{with_identity}"
        );
        let without = decide(&policy(), &[], &request);
        assert_eq!(without.decision, EvalDecision::ImplicitDeny);
        assert!(
            without.to_string().contains("names only the account"),
            "{without}"
        );
    }

    #[test]
    fn the_key_users_statement_applies_only_outside_the_endpoint() {
        // The real-world oddity: an Allow with `StringNotEquals aws:sourceVpce` allows only the
        // requests that do NOT come through the endpoint.
        let p = policy();
        let outside = Request::new(Principal::root(ACCOUNT), "kms:Decrypt", KEY);
        let d = decide(&p, &[], &outside);
        assert!(
            d.matched
                .iter()
                .any(|s| s.sid.as_deref() == Some("Allow access for Key Users"))
        );
        let inside =
            Request::new(Principal::root(ACCOUNT), "kms:Decrypt", KEY).with("aws:SourceVpce", VPCE);
        let d = decide(&p, &[], &inside);
        assert!(
            !d.matched
                .iter()
                .any(|s| s.sid.as_deref() == Some("Allow access for Key Users"))
        );
        assert_eq!(d.resource_policy_name, "key policy");
    }

    #[test]
    fn the_admin_role_is_granted_directly() {
        let request = Request::new(
            Principal::assumed_role(ACCOUNT, "ds-admin-role-myproj-dev", "admin"),
            "kms:ScheduleKeyDeletion",
            KEY,
        );
        let d = decide(&policy(), &[], &request);
        assert_eq!(d.decision, EvalDecision::Allowed, "{d}");
        assert_eq!(
            d.to_string(),
            r#"Allow by key policy statement "Allow access for Key Administrators" (#1)"#
        );
    }
}

mod case11_data_bucket {
    use super::*;

    const OBJECT: &str = "arn:aws:s3:::mlops-dev-data/features/part-0.parquet";

    fn policy() -> Policy {
        load(include_str!("fixtures/cfn11-data-bucket-policy.json"))
    }

    fn run(request: &Request) -> Decision {
        decide(&policy(), &[identity_allow_all()], request)
    }

    #[test]
    fn through_the_endpoint_is_allowed() {
        let d = run(&scientist("s3:GetObject", OBJECT).with("aws:SourceVpce", VPCE));
        assert_eq!(d.decision, EvalDecision::Allowed, "{d}");
    }

    #[test]
    fn outside_the_endpoint_is_denied() {
        // All three keys' conditions hold (AND): not the endpoint, no exempt tag, not via a
        // service.
        let d = run(&scientist("s3:PutObject", OBJECT).with("aws:SourceIp", "203.0.113.9"));
        assert_eq!(d.decision, EvalDecision::ExplicitDeny, "{d}");
    }

    #[test]
    fn an_exempt_principal_tag_lifts_the_deny() {
        // StringNotEquals with two values is a NOR: a tag equal to either value makes that key's
        // condition false, and the AND of the block with it.
        for tag in ["mlops-dev-sm-pipeline-role", "mlops-dev-sm-execution-role"] {
            let d = run(&scientist("s3:GetObject", OBJECT).with("aws:PrincipalTag/Principal", tag));
            assert_eq!(d.decision, EvalDecision::Allowed, "{tag}: {d}");
        }
        let d = run(
            &scientist("s3:GetObject", OBJECT).with("aws:PrincipalTag/Principal", "other-role")
        );
        assert_eq!(d.decision, EvalDecision::ExplicitDeny);
    }

    #[test]
    fn a_call_made_by_an_aws_service_is_not_denied() {
        let d = run(&scientist("s3:GetObject", OBJECT).with("aws:ViaAWSService", "true"));
        assert_eq!(d.decision, EvalDecision::Allowed, "{d}");
    }

    #[test]
    fn bool_on_a_missing_key_is_false_so_the_deny_needs_via_aws_service() {
        // AWS always sends aws:ViaAWSService; a context without it leaves the Bool condition
        // false, and the Deny does not apply.
        let mut request = scientist("s3:GetObject", OBJECT);
        request.context.remove("aws:ViaAWSService");
        let d = run(&request);
        assert_eq!(d.decision, EvalDecision::Allowed);
    }
}

mod case11_model_bucket {
    use super::*;

    const OBJECT: &str = "arn:aws:s3:::mlops-dev-models/model.tar.gz";

    fn policy() -> Policy {
        load(include_str!("fixtures/cfn11-model-bucket-policy.json"))
    }

    #[test]
    fn the_account_grant_needs_an_identity_policy() {
        let request = scientist("s3:GetObject", OBJECT).with("aws:SourceVpce", VPCE);
        let d = decide(&policy(), &[], &request);
        assert_eq!(d.decision, EvalDecision::ImplicitDeny);
        assert_eq!(
            d.to_string(),
            r#"implicit Deny: bucket policy statement "AllowCrossAccount" (#0) names only the account, which delegates to the account's identity policies, and none of them allows this request"#
        );
        let d = decide(&policy(), &[identity_allow_all()], &request);
        assert_eq!(d.decision, EvalDecision::Allowed, "{d}");
    }

    #[test]
    fn outside_the_endpoint_deny_no_vpc_wins() {
        let request = scientist("s3:GetObject", OBJECT);
        let d = decide(&policy(), &[identity_allow_all()], &request);
        assert_eq!(d.decision, EvalDecision::ExplicitDeny);
        assert_eq!(
            d.to_string(),
            r#"explicit Deny by bucket policy statement "DenyNoVPC" (#1)"#
        );
    }

    #[test]
    fn the_pipeline_role_tag_is_exempt_outside_the_endpoint() {
        let request = scientist("s3:GetObject", OBJECT)
            .with("aws:PrincipalTag/Principal", "mlops-dev-sm-pipeline-role");
        let d = decide(&policy(), &[identity_allow_all()], &request);
        assert_eq!(d.decision, EvalDecision::Allowed, "{d}");
    }

    #[test]
    fn another_account_is_not_granted() {
        let request = Request::new(
            Principal::user("444455556666", "eve"),
            "s3:GetObject",
            OBJECT,
        )
        .with("aws:SourceVpce", VPCE)
        .with("aws:ViaAWSService", "false");
        let d = decide(&policy(), &[identity_allow_all()], &request);
        assert_eq!(d.decision, EvalDecision::ImplicitDeny);
    }
}
