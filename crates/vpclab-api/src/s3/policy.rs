//! Bucket policies: PutBucketPolicy, GetBucketPolicy, DeleteBucketPolicy. A policy is checked
//! by `vpclab-policy` as a resource-based policy, and by S3's own rules on what a bucket
//! policy may name, before it is stored through the durable log; the access check
//! ([`super::access`]) has already decided who may call these.

use s3s::dto::*;
use s3s::{S3Request, S3Response, S3Result, s3_error};
use vpclab_model::Operation;
use vpclab_policy::ast::Statement;
use vpclab_policy::{Policy as PolicyDocument, PolicyKind};

use super::LabS3;
use super::access::caller;
use super::buckets::s3_err;

/// AWS: "Bucket policies are limited to 20 KB in size", counted without the white space
/// between JSON tokens.
const MAX_POLICY_BYTES: usize = 20 * 1024;

/// S3's `MalformedPolicy` (400) with AWS's message.
fn malformed(message: impl Into<String>) -> s3s::S3Error {
    s3s::S3Error::with_message(s3s::S3ErrorCode::MalformedPolicy, message.into())
}

/// Checks a bucket policy for `bucket` as S3 does: the size limit, the policy language
/// (`vpclab-policy`, as a resource-based policy), that every resource is in this bucket, and
/// that each statement's actions apply to at least one of its resources.
pub fn validate_bucket_policy(bucket: &str, text: &str) -> S3Result<()> {
    let compact = serde_json::from_str::<serde_json::Value>(text)
        .map(|v| v.to_string().len())
        .unwrap_or(text.len());
    if compact > MAX_POLICY_BYTES {
        return Err(malformed(
            "Policy exceeds the maximum allowed document size.",
        ));
    }
    let policy =
        PolicyDocument::parse(text, PolicyKind::Resource).map_err(|e| malformed(e.to_string()))?;
    for statement in &policy.statements {
        check_statement(bucket, statement)?;
    }
    Ok(())
}

fn check_statement(bucket: &str, statement: &Statement) -> S3Result<()> {
    let Some(resources) = &statement.resource else {
        return Ok(());
    };
    // AWS: a bucket policy can only name its own bucket and its objects; `*` and other
    // buckets are "Policy has invalid resource".
    let mut bucket_level = false;
    let mut object_level = false;
    for pattern in &resources.resources {
        let Some(rest) = pattern.as_str().strip_prefix("arn:aws:s3:::") else {
            return Err(malformed("Policy has invalid resource"));
        };
        let (bucket_part, key_part) = match rest.split_once('/') {
            Some((b, k)) => (b, Some(k)),
            None => (rest, None),
        };
        if !glob(bucket_part, bucket) {
            return Err(malformed("Policy has invalid resource"));
        }
        // A `*` in the bucket part may also cover `/` and a key.
        bucket_level |= key_part.is_none();
        object_level |= key_part.is_some() || bucket_part.contains('*');
    }
    if resources.not || statement.action.not {
        return Ok(());
    }
    // AWS: "Action does not apply to any resource(s) in statement" when every action is
    // known to be an object action and no resource is an object, or the reverse. Actions
    // with wildcards, or not known here, may apply to either.
    let levels: Option<Vec<Level>> = statement.action.actions.iter().map(|a| level(a)).collect();
    let Some(levels) = levels else {
        return Ok(());
    };
    let applies = levels.iter().any(|l| match l {
        Level::Object => object_level,
        Level::Bucket => bucket_level,
    });
    if !applies {
        return Err(malformed(
            "Action does not apply to any resource(s) in statement",
        ));
    }
    Ok(())
}

/// What kind of resource an S3 action applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Level {
    Bucket,
    Object,
}

/// The resource kind of a known S3 action (Service Authorization Reference, "Actions defined
/// by Amazon S3", the "Resource types" column); `None` for wildcards and actions not listed.
fn level(action: &str) -> Option<Level> {
    let (service, name) = action.split_once(':')?;
    if !service.eq_ignore_ascii_case("s3") || name.contains(['*', '?']) {
        return None;
    }
    let name = name.to_ascii_lowercase();
    const OBJECT: [&str; 6] = [
        "abortmultipartupload",
        "listmultipartuploadparts",
        "restoreobject",
        "bypassgovernanceretention",
        "objectowneroverridetobucketowner",
        "putobjectlegalhold",
    ];
    const OBJECT_PREFIXES: [&str; 4] = ["getobject", "putobject", "deleteobject", "replicate"];
    const BUCKET: [&str; 4] = [
        "createbucket",
        "listbucket",
        "listbucketversions",
        "listbucketmultipartuploads",
    ];
    const BUCKET_PREFIXES: [&str; 3] = ["getbucket", "putbucket", "deletebucket"];
    if OBJECT.contains(&name.as_str()) || OBJECT_PREFIXES.iter().any(|p| name.starts_with(p)) {
        Some(Level::Object)
    } else if BUCKET.contains(&name.as_str()) || BUCKET_PREFIXES.iter().any(|p| name.starts_with(p))
    {
        Some(Level::Bucket)
    } else {
        None
    }
}

/// Whether `text` matches `pattern`, where `*` is any run of characters and `?` any one.
fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(&c) if c == '?' || c == t[ti] => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

pub(crate) async fn put_bucket_policy(
    s3: &LabS3,
    req: S3Request<PutBucketPolicyInput>,
) -> S3Result<S3Response<PutBucketPolicyOutput>> {
    let caller = caller(&s3.state, &req).await?;
    validate_bucket_policy(&req.input.bucket, &req.input.policy)?;
    let op = Operation::PutBucketPolicy {
        bucket: req.input.bucket.clone(),
        policy: req.input.policy.clone(),
    };
    s3.state
        .write(caller, op, Box::new(|_, _| Ok(String::new())))
        .await
        .map_err(s3_err)?;
    Ok(S3Response::new(PutBucketPolicyOutput {}))
}

pub(crate) async fn get_bucket_policy(
    s3: &LabS3,
    req: S3Request<GetBucketPolicyInput>,
) -> S3Result<S3Response<GetBucketPolicyOutput>> {
    let lab = s3.state.read();
    let bucket = lab
        .bucket(&req.input.bucket)
        .ok_or_else(|| s3_error!(NoSuchBucket, "The specified bucket does not exist"))?;
    let policy = bucket
        .policy
        .clone()
        .ok_or_else(|| s3_error!(NoSuchBucketPolicy, "The bucket policy does not exist"))?;
    Ok(S3Response::new(GetBucketPolicyOutput {
        policy: Some(policy),
    }))
}

pub(crate) async fn delete_bucket_policy(
    s3: &LabS3,
    req: S3Request<DeleteBucketPolicyInput>,
) -> S3Result<S3Response<DeleteBucketPolicyOutput>> {
    let caller = caller(&s3.state, &req).await?;
    let op = Operation::DeleteBucketPolicy {
        bucket: req.input.bucket.clone(),
    };
    s3.state
        .write(caller, op, Box::new(|_, _| Ok(String::new())))
        .await
        .map_err(s3_err)?;
    Ok(S3Response::new(DeleteBucketPolicyOutput {}))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(bucket: &str, policy: &str) -> Option<String> {
        validate_bucket_policy(bucket, policy).err().map(|e| {
            assert_eq!(e.code(), &s3s::S3ErrorCode::MalformedPolicy);
            e.message().unwrap_or("").to_owned()
        })
    }

    fn statement(action: &str, resource: &str) -> String {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":"*","Action":{action},"Resource":{resource}}}]}}"#
        )
    }

    #[test]
    fn resources_must_be_in_the_bucket() {
        for ok in [
            r#"["arn:aws:s3:::data","arn:aws:s3:::data/*"]"#,
            r#""arn:aws:s3:::data/logs/${aws:username}/*""#,
            r#""arn:aws:s3:::dat?/*""#,
            r#""arn:aws:s3:::*/*""#,
        ] {
            assert_eq!(message("data", &statement(r#""s3:*""#, ok)), None, "{ok}");
        }
        for bad in [
            r#""*""#,
            r#""arn:aws:s3:::other/*""#,
            r#"["arn:aws:s3:::data/*","arn:aws:s3:::other"]"#,
            r#""arn:aws:ec2:us-east-1:111122223333:vpc/*""#,
        ] {
            assert_eq!(
                message("data", &statement(r#""s3:*""#, bad)).as_deref(),
                Some("Policy has invalid resource"),
                "{bad}"
            );
        }
    }

    #[test]
    fn actions_must_apply_to_a_resource() {
        let bucket_only = r#""arn:aws:s3:::data""#;
        let objects_only = r#""arn:aws:s3:::data/*""#;
        let msg = Some("Action does not apply to any resource(s) in statement");
        assert_eq!(
            message("data", &statement(r#""s3:GetObject""#, bucket_only)).as_deref(),
            msg
        );
        assert_eq!(
            message("data", &statement(r#""s3:ListBucket""#, objects_only)).as_deref(),
            msg
        );
        assert_eq!(
            message(
                "data",
                &statement(r#"["s3:ListBucket","s3:GetObject"]"#, bucket_only)
            ),
            None
        );
        assert_eq!(
            message("data", &statement(r#""s3:Get*""#, bucket_only)),
            None
        );
        assert_eq!(
            message("data", &statement(r#""s3:getobject""#, objects_only)),
            None
        );
    }

    #[test]
    fn language_errors_carry_aws_messages() {
        assert_eq!(
            message("data", "nope").as_deref(),
            Some("Policies must be valid JSON and the first byte must be '{'")
        );
        assert_eq!(
            message(
                "data",
                r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::data"}]}"#
            )
            .as_deref(),
            Some("Missing required field Principal")
        );
        let big = format!(
            r#"{{"Statement":[{{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":[{}]}}]}}"#,
            (0..1000)
                .map(|i| format!(r#""arn:aws:s3:::data/{i:020}""#))
                .collect::<Vec<_>>()
                .join(",")
        );
        assert_eq!(
            message("data", &big).as_deref(),
            Some("Policy exceeds the maximum allowed document size.")
        );
    }

    #[test]
    fn globs() {
        assert!(glob("*", "anything"));
        assert!(glob("da?a", "data"));
        assert!(glob("d*a", "data"));
        assert!(!glob("d*x", "data"));
        assert!(!glob("dat", "data"));
        assert!(glob("data**", "data"));
    }
}
