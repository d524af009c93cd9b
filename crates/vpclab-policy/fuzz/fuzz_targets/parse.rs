//! Fuzzes the policy parser: no input may panic it; whatever it accepts must serialize and
//! parse back to the same policy; and evaluating an accepted policy must not panic either.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vpclab_policy::{Policies, Policy, PolicyKind, Principal, Request, authorize};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for kind in [
        PolicyKind::Identity,
        PolicyKind::Resource,
        PolicyKind::Endpoint,
    ] {
        let Ok(policy) = Policy::parse(text, kind) else {
            continue;
        };
        let json = policy.to_json();
        match Policy::parse(&json, kind) {
            Ok(again) => assert_eq!(again, policy, "round trip changed the policy: {json}"),
            Err(e) => panic!("serialized policy refused ({e}): {json}"),
        }
        let requests = [
            Request::new(
                Principal::user("111122223333", "alice"),
                "s3:GetObject",
                "arn:aws:s3:::b/k*?",
            )
            .with("aws:SourceVpce", "vpce-1a2b3c4d")
            .with("aws:SourceIp", "203.0.113.5")
            .with("aws:CurrentTime", "2026-01-01T00:00:00Z"),
            Request::new(Principal::anonymous(), "S3:ListBucket", "arn:aws:s3:::b"),
        ];
        for request in &requests {
            let policies = match kind {
                PolicyKind::Identity => Policies {
                    identity: std::slice::from_ref(&policy),
                    ..Policies::default()
                },
                PolicyKind::Resource => Policies {
                    resource: Some(&policy),
                    resource_owner: Some("444455556666"),
                    ..Policies::default()
                },
                PolicyKind::Endpoint => Policies {
                    endpoint: Some(&policy),
                    ..Policies::default()
                },
            };
            let decision = authorize(request, &policies);
            let _ = decision.to_string();
        }
    }
});
