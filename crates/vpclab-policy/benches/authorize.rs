//! How long one request takes to decide against a 20-statement bucket policy with conditions
//! (target: median ≤ 5 µs), and how long parsing that policy takes.
//!
//! `CARGO_TARGET_DIR=/work/target-policy cargo bench -p vpclab-policy`

use criterion::{Criterion, black_box, criterion_group, criterion_main};
use vpclab_policy::{Policies, Policy, PolicyKind, Principal, Request, authorize};

/// Twenty statements of the kinds real bucket policies hold: endpoint and network locks,
/// TLS-only, per-user prefixes with variables, cross-account grants, service grants, tag and
/// time conditions. The benchmarked request is allowed, so every statement is looked at.
fn bucket_policy() -> String {
    let b = "arn:aws:s3:::amzn-s3-demo-bucket";
    let mut statements = vec![
        format!(
            r#"{{"Sid":"DenyUnlessVpce","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["{b}","{b}/*"],"Condition":{{"StringNotEquals":{{"aws:SourceVpce":["vpce-1a2b3c4d","vpce-5e6f7a8b"]}},"BoolIfExists":{{"aws:ViaAWSService":"false"}}}}}}"#
        ),
        format!(
            r#"{{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["{b}","{b}/*"],"Condition":{{"Bool":{{"aws:SecureTransport":"false"}}}}}}"#
        ),
        format!(
            r#"{{"Sid":"DenyOutsideVpc","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"{b}/*","Condition":{{"StringNotEqualsIfExists":{{"aws:SourceVpc":"vpc-0123456789abcdef0"}}}}}}"#
        ),
        format!(
            r#"{{"Sid":"DenyUnencrypted","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"{b}/*","Condition":{{"Null":{{"s3:x-amz-server-side-encryption":"true"}}}}}}"#
        ),
        format!(
            r#"{{"Sid":"DenyOldTls","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"{b}/*","Condition":{{"NumericLessThan":{{"s3:TlsVersion":"1.2"}}}}}}"#
        ),
        format!(
            r#"{{"Sid":"AllowHomePrefix","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::111122223333:root"}},"Action":["s3:GetObject","s3:PutObject"],"Resource":"{b}/home/${{aws:username}}/*"}}"#
        ),
        format!(
            r#"{{"Sid":"AllowListHome","Effect":"Allow","Principal":{{"AWS":"111122223333"}},"Action":"s3:ListBucket","Resource":"{b}","Condition":{{"StringLike":{{"s3:prefix":["home/${{aws:username}}/*","public/*"]}}}}}}"#
        ),
        format!(
            r#"{{"Sid":"AllowPartnerRead","Effect":"Allow","Principal":{{"AWS":["arn:aws:iam::444455556666:root","arn:aws:iam::777788889999:role/Reader"]}},"Action":"s3:GetObject","Resource":"{b}/shared/*","Condition":{{"IpAddress":{{"aws:SourceIp":["203.0.113.0/24","2001:db8::/32"]}}}}}}"#
        ),
        format!(
            r#"{{"Sid":"AllowLogDelivery","Effect":"Allow","Principal":{{"Service":"logging.s3.amazonaws.com"}},"Action":"s3:PutObject","Resource":"{b}/logs/*","Condition":{{"ArnLike":{{"aws:SourceArn":"arn:aws:s3:::amzn-s3-demo-*"}},"StringEquals":{{"aws:SourceAccount":"111122223333"}}}}}}"#
        ),
        format!(
            r#"{{"Sid":"AllowCloudTrail","Effect":"Allow","Principal":{{"Service":"cloudtrail.amazonaws.com"}},"Action":"s3:PutObject","Resource":"{b}/AWSLogs/111122223333/*","Condition":{{"StringEquals":{{"s3:x-amz-acl":"bucket-owner-full-control"}}}}}}"#
        ),
        format!(
            r#"{{"Sid":"AllowTaggedTeams","Effect":"Allow","Principal":{{"AWS":"111122223333"}},"Action":"s3:GetObject","Resource":"{b}/teams/*","Condition":{{"ForAnyValue:StringEquals":{{"aws:PrincipalTag/team":["data","ml","platform"]}}}}}}"#
        ),
        format!(
            r#"{{"Sid":"AllowBusinessHours","Effect":"Allow","Principal":{{"AWS":"111122223333"}},"Action":"s3:GetObject","Resource":"{b}/reports/*","Condition":{{"DateGreaterThan":{{"aws:CurrentTime":"2026-01-01T00:00:00Z"}},"DateLessThan":{{"aws:CurrentTime":"2027-01-01T00:00:00Z"}}}}}}"#
        ),
        format!(
            r#"{{"Sid":"DenyDeleteExceptAdmins","Effect":"Deny","Principal":"*","Action":["s3:DeleteObject","s3:DeleteObjectVersion"],"Resource":"{b}/*","Condition":{{"ArnNotLike":{{"aws:PrincipalArn":["arn:aws:iam::111122223333:role/Admin*"]}}}}}}"#
        ),
        format!(
            r#"{{"Sid":"DenyPublicAcl","Effect":"Deny","Principal":"*","Action":["s3:PutObjectAcl","s3:PutBucketAcl"],"Resource":["{b}","{b}/*"],"Condition":{{"StringEqualsIgnoreCase":{{"s3:x-amz-acl":["public-read","public-read-write"]}}}}}}"#
        ),
        format!(
            r#"{{"Sid":"AllowMaxKeys","Effect":"Allow","Principal":{{"AWS":"111122223333"}},"Action":"s3:ListBucket","Resource":"{b}","Condition":{{"NumericLessThanEquals":{{"s3:max-keys":"1000"}}}}}}"#
        ),
        format!(
            r#"{{"Sid":"DenyOtherOrgs","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"{b}/*","Condition":{{"StringNotEqualsIfExists":{{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}}}}}"#
        ),
        format!(
            r#"{{"Sid":"AllowReplication","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::111122223333:role/replication"}},"Action":["s3:ReplicateObject","s3:ReplicateDelete","s3:ReplicateTags"],"Resource":"{b}/*"}}"#
        ),
        format!(
            r#"{{"Sid":"DenyWrongKms","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"{b}/*","Condition":{{"StringNotLikeIfExists":{{"s3:x-amz-server-side-encryption-aws-kms-key-id":"arn:aws:kms:us-east-1:111122223333:key/*"}}}}}}"#
        ),
        format!(
            r#"{{"Sid":"AllowTaggedObjects","Effect":"Allow","Principal":{{"AWS":"111122223333"}},"Action":"s3:GetObject","Resource":"{b}/*","Condition":{{"StringEquals":{{"s3:ExistingObjectTag/classification":"internal"}}}}}}"#
        ),
        format!(
            r#"{{"Sid":"AllowDataRead","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::111122223333:role/DataReader"}},"Action":["s3:GetObject","s3:GetObjectVersion"],"Resource":"{b}/data/*","Condition":{{"ForAllValues:StringLike":{{"aws:TagKeys":["project*","owner"]}},"Bool":{{"aws:SecureTransport":"true"}}}}}}"#
        ),
    ];
    assert_eq!(statements.len(), 20);
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        std::mem::take(&mut statements).join(",")
    )
}

fn request() -> Request {
    Request::new(
        Principal::assumed_role("111122223333", "DataReader", "etl-job"),
        "s3:GetObject",
        "arn:aws:s3:::amzn-s3-demo-bucket/data/2026/05/part-0001.parquet",
    )
    .with("aws:SourceVpce", "vpce-1a2b3c4d")
    .with("aws:SourceVpc", "vpc-0123456789abcdef0")
    .with("aws:VpcSourceIp", "10.0.1.23")
    .with("aws:SecureTransport", "true")
    .with("aws:ViaAWSService", "false")
    .with("aws:PrincipalOrgID", "o-a1b2c3d4e5")
    .with("aws:CurrentTime", "2026-05-20T10:00:00Z")
    .with("s3:TlsVersion", "1.3")
}

fn benches(c: &mut Criterion) {
    let json = bucket_policy();
    let policy = match Policy::parse(&json, PolicyKind::Resource) {
        Ok(p) => p,
        Err(e) => panic!("benchmark policy refused: {e}"),
    };
    let request = request();
    let policies = Policies {
        resource: Some(&policy),
        resource_owner: Some("111122223333"),
        ..Policies::default()
    };
    let decision = authorize(&request, &policies);
    assert!(decision.is_allowed(), "{decision}");

    c.bench_function("authorize: 20-statement bucket policy, one request", |b| {
        b.iter(|| authorize(black_box(&request), black_box(&policies)))
    });
    c.bench_function("parse: 20-statement bucket policy", |b| {
        b.iter(|| Policy::parse(black_box(&json), PolicyKind::Resource))
    });
}

criterion_group!(policy, benches);
criterion_main!(policy);
