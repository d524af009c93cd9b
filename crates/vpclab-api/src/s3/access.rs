//! Who is asking (SigV4/SigV2 keys → account), and whether they may (policies).
//!
//! Every S3 request is authorized as AWS authorizes it ("How Amazon S3 authorizes a request",
//! Amazon S3 User Guide), through `vpclab-policy`:
//!
//! - The operation becomes an IAM action on a resource ARN ([`permission`]; the Service
//!   Authorization Reference, "Actions defined by Amazon S3").
//! - A lab access key is its account's root user. The bucket owner's principals need no
//!   bucket policy; another account needs an Allow in it; an explicit Deny anywhere wins; an
//!   unsigned request is anonymous and only a bucket policy naming `"*"` admits it.
//! - A request that came through a VPC endpoint must also be allowed by that endpoint's
//!   policy.
//! - The bucket owner's root may always get, put and delete the bucket policy, whatever the
//!   policy says ("As a security precaution, the root user of the AWS account that owns a
//!   bucket can always use this operation, even if the policy explicitly denies the root user
//!   the ability to perform this action", S3 API Reference, PutBucketPolicy).
//!
//! The request context comes from the request's [`Origin`], never from a header.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use s3s::access::{S3Access, S3AccessContext};
use s3s::auth::{S3Auth, SecretKey};
use s3s::dto::{
    CopyObjectInput, CopySource, DeleteObjectsInput, DeleteObjectsOutput, Error as DeleteError,
    UploadPartCopyInput,
};
use s3s::path::S3Path;
use s3s::{S3Request, S3Response, S3Result, s3_error};
use vpclab_model::{AccountId, Caller, Region, Timestamp};
use vpclab_policy::{
    Context, Policies, Policy, PolicyKind, PolicySource, Principal, PrincipalKind, Request,
    authorize,
};

use super::{LabS3, Origin};
use crate::state::State;

/// Secret keys for s3s's signature checks: the lab's access keys.
pub struct LabAuth {
    /// The server's state.
    pub state: Arc<State>,
}

#[async_trait::async_trait]
impl S3Auth for LabAuth {
    async fn get_secret_key(&self, access_key: &str) -> S3Result<SecretKey> {
        match self.state.secret_for(access_key).await {
            Some(s) => Ok(SecretKey::from(s.secret_access_key)),
            None => Err(s3_error!(
                InvalidAccessKeyId,
                "The AWS Access Key Id you provided does not exist in our records."
            )),
        }
    }
}

/// What an operation needs permission on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// No bucket: the action is on every bucket of the account (`ListAllMyBuckets`).
    Account,
    /// A bucket that is being created (no owner and no policy yet).
    NewBucket,
    /// The bucket in the request's path.
    Bucket,
    /// The object in the request's path.
    Object,
    /// Each object the request lists in its body (`DeleteObjects`), checked one by one.
    EachKey,
}

/// The IAM action an S3 operation needs and what it applies to (Service Authorization
/// Reference, "Actions defined by Amazon S3"; S3 API Reference, each operation's
/// "Permissions"). An operation the table does not know is `s3:<Operation>` on the bucket or
/// object of its path, which is AWS's own naming for most of them.
pub fn permission(operation: &str, path: &S3Path) -> (String, Scope) {
    use Scope::*;
    let (action, scope) = match operation {
        "ListBuckets" => ("s3:ListAllMyBuckets", Account),
        "CreateBucket" => ("s3:CreateBucket", NewBucket),
        "DeleteBucket" => ("s3:DeleteBucket", Bucket),
        // AWS: HeadBucket needs s3:ListBucket; ListObjects(V2) are "ListBucket" too.
        "HeadBucket" | "ListObjects" | "ListObjectsV2" => ("s3:ListBucket", Bucket),
        "GetBucketLocation" => ("s3:GetBucketLocation", Bucket),
        "ListMultipartUploads" => ("s3:ListBucketMultipartUploads", Bucket),
        "GetBucketPolicy" => ("s3:GetBucketPolicy", Bucket),
        "PutBucketPolicy" => ("s3:PutBucketPolicy", Bucket),
        "DeleteBucketPolicy" => ("s3:DeleteBucketPolicy", Bucket),
        // AWS: HeadObject needs s3:GetObject.
        "GetObject" | "HeadObject" => ("s3:GetObject", Object),
        // AWS: the multipart steps and copies all need s3:PutObject on the destination; a
        // copy also needs s3:GetObject on its source (checked in `copy_object`).
        "PutObject"
        | "CopyObject"
        | "CreateMultipartUpload"
        | "UploadPart"
        | "UploadPartCopy"
        | "CompleteMultipartUpload" => ("s3:PutObject", Object),
        "AbortMultipartUpload" => ("s3:AbortMultipartUpload", Object),
        "ListParts" => ("s3:ListMultipartUploadParts", Object),
        "DeleteObject" => ("s3:DeleteObject", Object),
        // AWS: "you must have s3:DeleteObject ... for each object", checked per key.
        "DeleteObjects" => ("s3:DeleteObject", EachKey),
        other => {
            let scope = match path {
                S3Path::Root => Account,
                S3Path::Bucket { .. } => Bucket,
                S3Path::Object { .. } => Object,
            };
            return (format!("s3:{other}"), scope);
        }
    };
    (action.to_owned(), scope)
}

/// The ARN of a bucket (`arn:aws:s3:::bucket`).
pub fn bucket_arn(bucket: &str) -> String {
    format!("arn:aws:s3:::{bucket}")
}

/// The ARN of an object (`arn:aws:s3:::bucket/key`).
pub fn object_arn(bucket: &str, key: &str) -> String {
    format!("arn:aws:s3:::{bucket}/{key}")
}

/// The resource `ListAllMyBuckets` is evaluated on: it has no resource type, so policies grant
/// it with `"Resource": "*"` (or `arn:aws:s3:::*`, which this also matches).
const ALL_BUCKETS: &str = "arn:aws:s3:::*";

/// Parsed policies by the text they were parsed from, so that a policy is parsed once and
/// not for every request. A changed text is parsed again.
#[derive(Default)]
struct PolicyCache {
    entries: Mutex<HashMap<String, (String, Parsed)>>,
}

/// A policy as parsed, or why it could not be.
type Parsed = Result<Arc<Policy>, String>;

/// More entries than this and the cache starts over (deleted buckets and endpoints leave
/// theirs behind).
const CACHE_LIMIT: usize = 4096;

impl PolicyCache {
    fn get(&self, key: &str, text: &str, kind: PolicyKind) -> Parsed {
        {
            let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
            if let Some((cached, parsed)) = entries.get(key)
                && cached == text
            {
                return parsed.clone();
            }
        }
        let parsed = Policy::parse(text, kind)
            .map(Arc::new)
            .map_err(|e| e.to_string());
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= CACHE_LIMIT {
            entries.clear();
        }
        entries.insert(key.to_owned(), (text.to_owned(), parsed.clone()));
        parsed
    }
}

/// Authorization of every S3 request by the lab's policies.
pub struct LabAccess {
    /// The server's state.
    pub state: Arc<State>,
    cache: PolicyCache,
}

/// Who made a request and what it carries, as the access check found them. Kept in the
/// request's extensions so the per-operation checks (`CopyObject`'s source, `DeleteObjects`'
/// keys) decide with the same principal, context and endpoint policy.
#[derive(Clone, Debug)]
struct Asker {
    principal: Principal,
    /// The request context: the principal's keys, the origin's network keys, time,
    /// `aws:SecureTransport`, the authentication keys.
    context: Context,
    /// The policy of the VPC endpoint the request came through, if it came through one.
    endpoint: Option<Parsed>,
}

/// What the access check needs to know about a bucket.
struct BucketFacts {
    owner: String,
    policy: Option<Parsed>,
}

/// S3: "The request can contain a list of up to 1,000 keys".
const MAX_DELETE_KEYS: usize = 1000;

/// The keys of a `DeleteObjects` request that the policies refused, answered as per-key
/// `AccessDenied` errors beside the keys that were deleted.
#[derive(Clone, Debug, Default)]
struct DeniedKeys(Vec<DeleteError>);

impl LabAccess {
    /// The access check over the server's state.
    pub fn new(state: Arc<State>) -> LabAccess {
        LabAccess {
            state,
            cache: PolicyCache::default(),
        }
    }

    /// The principal of a request: its key's account root, or anonymous when unsigned.
    async fn principal(&self, credentials: Option<&s3s::auth::Credentials>) -> S3Result<Principal> {
        let Some(credentials) = credentials else {
            return Ok(Principal::anonymous());
        };
        let secret = self
            .state
            .secret_for(&credentials.access_key)
            .await
            .ok_or_else(|| {
                s3_error!(
                    InvalidAccessKeyId,
                    "The AWS Access Key Id you provided does not exist in our records."
                )
            })?;
        // The lab's keys are account keys: the account's root user.
        Ok(Principal::root(&secret.account_id))
    }

    /// The bucket's owner and policy, or `NoSuchBucket`.
    fn bucket(&self, name: &str) -> S3Result<BucketFacts> {
        let lab = self.state.read();
        let bucket = lab
            .bucket(name)
            .ok_or_else(|| s3_error!(NoSuchBucket, "The specified bucket does not exist"))?;
        Ok(BucketFacts {
            owner: bucket.owner_id.to_string(),
            policy: bucket
                .policy
                .as_deref()
                .map(|text| self.cache.get(name, text, PolicyKind::Resource)),
        })
    }

    /// The policy of the endpoint `id`. An endpoint the lab does not know admits nothing.
    fn endpoint_policy(&self, id: &str) -> Parsed {
        let lab = self.state.read();
        match lab.vpc_endpoint(id) {
            Some(endpoint) => self.cache.get(
                &format!("endpoint:{id}"),
                &endpoint.policy_document,
                PolicyKind::Endpoint,
            ),
            None => Err(format!("the VPC endpoint {id} does not exist")),
        }
    }

    /// Decides `action` on `resource` for `asker`; `bucket` is the bucket it belongs to
    /// (`None` for ListAllMyBuckets and CreateBucket).
    fn decide(
        &self,
        asker: &Asker,
        action: &str,
        resource: String,
        bucket: Option<&BucketFacts>,
    ) -> S3Result<()> {
        let request = Request {
            principal: asker.principal.clone(),
            action: action.to_owned(),
            resource,
            context: asker.context.clone(),
        };
        decide(&request, asker, bucket)
    }
}

/// Whether `action` is one of the three the bucket owner's root may always perform.
fn manages_policy(action: &str) -> bool {
    matches!(
        action,
        "s3:GetBucketPolicy" | "s3:PutBucketPolicy" | "s3:DeleteBucketPolicy"
    )
}

/// Decides `request` for `asker` on `bucket`'s policies.
fn decide(request: &Request, asker: &Asker, bucket: Option<&BucketFacts>) -> S3Result<()> {
    let principal = &request.principal;
    let owner = bucket.map(|b| b.owner.as_str());
    let owner_root = principal.kind == PrincipalKind::Root && owner == Some(&principal.account);
    let policy_override = owner_root && manages_policy(&request.action);
    let endpoint = match &asker.endpoint {
        None => None,
        Some(Ok(policy)) => Some(policy.as_ref()),
        Some(Err(why)) => {
            return Err(denied(request, &format!("the VPC endpoint policy: {why}")));
        }
    };
    let resource = match bucket.and_then(|b| b.policy.as_ref()) {
        None => None,
        Some(Ok(policy)) => Some(policy.as_ref()),
        // A stored policy the engine cannot read denies everything but the owner's root
        // managing it (so that it can be replaced).
        Some(Err(_)) if policy_override => None,
        Some(Err(why)) => {
            return Err(denied(request, &format!("the bucket policy: {why}")));
        }
    };
    let policies = Policies {
        identity: &[],
        resource,
        resource_owner: owner,
        endpoint,
    };
    let decision = authorize(request, &policies);
    let allowed = decision.is_allowed()
        || (policy_override
            && decision.denied_only_by(PolicySource::Resource)
            // The root keeps the bucket policy however it denies, but not past the endpoint.
            && authorize(
                request,
                &Policies {
                    resource: None,
                    ..policies
                },
            )
            .is_allowed());
    if !allowed {
        return Err(denied(request, &decision.to_string()));
    }
    // AWS: "If you have the correct permissions, but you're not using an identity that
    // belongs to the bucket owner's account, Amazon S3 returns a 405 Method Not Allowed".
    if manages_policy(&request.action) && owner.is_some_and(|o| o != principal.account) {
        return Err(s3_error!(
            MethodNotAllowed,
            "The specified method is not allowed against this resource."
        ));
    }
    Ok(())
}

/// S3's `AccessDenied` (403), with who asked for what and the policy reason.
fn denied(request: &Request, why: &str) -> s3s::S3Error {
    let who = match request.principal.kind {
        PrincipalKind::Anonymous => "Anonymous user".to_owned(),
        _ => format!("User: {}", request.principal.arn),
    };
    s3_error!(
        AccessDenied,
        "Access Denied: {who} is not authorized to perform: {} on resource: \"{}\" ({why})",
        request.action,
        request.resource
    )
}

/// The condition keys of the request itself: the origin's network keys, the transport, the
/// time, how it was authenticated, and the action's own keys.
fn request_context(
    principal: &Principal,
    origin: &Origin,
    cx: &S3AccessContext<'_>,
    action: &str,
    now_ms: i64,
) -> Context {
    // Request::new adds aws:PrincipalAccount, aws:PrincipalArn, aws:PrincipalType.
    let mut context = Request::new(principal.clone(), "", "").context;
    for (key, value) in origin.context().keys() {
        context.insert(key, value);
    }
    // The listener speaks plain HTTP; the data plane hands over TLS requests as https URIs.
    let secure = cx.uri().scheme_str() == Some("https");
    context.insert("aws:SecureTransport", if secure { "true" } else { "false" });
    let mut now = String::with_capacity(24);
    crate::ec2::wire::write_iso8601(now_ms, &mut now);
    context.insert("aws:CurrentTime", now);
    context.insert("aws:EpochTime", (now_ms / 1000).to_string());
    if principal.kind == PrincipalKind::Root {
        // AWS: for the root user, aws:userid is the account id.
        context.insert("aws:userid", principal.account.clone());
    }
    if cx.credentials().is_some() {
        let query = cx.uri().query().unwrap_or("");
        let presigned = query.contains("X-Amz-Signature=") || query.contains("Signature=");
        let auth_type = if *cx.method() == hyper::Method::POST && cx.s3_op().name() == "PostObject"
        {
            "POST"
        } else if presigned {
            "REST-QUERY-STRING"
        } else {
            "REST-HEADER"
        };
        context.insert("s3:authType", auth_type);
        let v4 = query.contains("X-Amz-Algorithm=")
            || cx
                .headers()
                .get(hyper::header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("AWS4-HMAC-SHA256"));
        context.insert(
            "s3:signatureversion",
            if v4 { "AWS4-HMAC-SHA256" } else { "AWS" },
        );
    }
    // AWS: s3:ListBucket carries s3:prefix, s3:delimiter and s3:max-keys when the request
    // gives them.
    if action == "s3:ListBucket" {
        let query = cx.uri().query().unwrap_or("");
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            let key = match name.as_ref() {
                "prefix" => "s3:prefix",
                "delimiter" => "s3:delimiter",
                "max-keys" => "s3:max-keys",
                _ => continue,
            };
            context.insert(key, value.into_owned());
        }
    }
    context
}

#[async_trait::async_trait]
impl S3Access for LabAccess {
    async fn check(&self, cx: &mut S3AccessContext<'_>) -> S3Result<()> {
        let principal = self.principal(cx.credentials()).await?;
        let origin = cx
            .extensions_mut()
            .get::<Origin>()
            .cloned()
            .ok_or_else(|| s3_error!(InternalError, "the request's origin is not known"))?;
        let (action, scope) = permission(cx.s3_op().name(), cx.s3_path());
        let endpoint = origin
            .context()
            .source_vpce
            .as_deref()
            .map(|id| self.endpoint_policy(id));
        let context = request_context(&principal, &origin, cx, &action, crate::server::now_ms());
        let asker = Asker {
            principal,
            context,
            endpoint,
        };
        let (bucket, key) = match cx.s3_path() {
            S3Path::Root => (None, None),
            S3Path::Bucket { bucket } => (Some(bucket.as_ref()), None),
            S3Path::Object { bucket, key } => (Some(bucket.as_ref()), Some(key.as_ref())),
        };
        match (scope, bucket) {
            (Scope::Account, _) => self.decide(&asker, &action, ALL_BUCKETS.to_owned(), None)?,
            (Scope::NewBucket, Some(bucket)) => {
                self.decide(&asker, &action, bucket_arn(bucket), None)?;
            }
            (Scope::EachKey, Some(bucket)) => {
                // The keys are in the body: `delete_objects` below checks each.
                self.bucket(bucket)?;
            }
            (Scope::Bucket, Some(bucket)) => {
                let facts = self.bucket(bucket)?;
                self.decide(&asker, &action, bucket_arn(bucket), Some(&facts))?;
            }
            (Scope::Object, Some(bucket)) => {
                let facts = self.bucket(bucket)?;
                let resource = match key {
                    Some(key) => object_arn(bucket, key),
                    None => bucket_arn(bucket),
                };
                self.decide(&asker, &action, resource, Some(&facts))?;
            }
            (_, None) => {
                return Err(s3_error!(
                    AccessDenied,
                    "Access Denied: {action} needs a bucket"
                ));
            }
        }
        cx.extensions_mut().insert(asker);
        Ok(())
    }

    async fn copy_object(&self, req: &mut S3Request<CopyObjectInput>) -> S3Result<()> {
        self.check_copy_source(&req.extensions, &req.input.copy_source)
    }

    async fn upload_part_copy(&self, req: &mut S3Request<UploadPartCopyInput>) -> S3Result<()> {
        self.check_copy_source(&req.extensions, &req.input.copy_source)
    }

    async fn delete_objects(&self, req: &mut S3Request<DeleteObjectsInput>) -> S3Result<()> {
        // S3's limit is checked on the request as sent, before refused keys are set aside.
        if req.input.delete.objects.len() > MAX_DELETE_KEYS {
            return Err(s3_error!(
                MalformedXML,
                "The XML you provided was not well-formed or did not validate against our published schema"
            ));
        }
        let asker = asker(&req.extensions)?;
        let bucket = req.input.bucket.clone();
        let facts = self.bucket(&bucket)?;
        let mut request = Request {
            principal: asker.principal.clone(),
            action: "s3:DeleteObject".to_owned(),
            resource: String::new(),
            context: asker.context.clone(),
        };
        let mut denied_keys = Vec::new();
        let objects = std::mem::take(&mut req.input.delete.objects);
        for object in objects {
            request.resource = object_arn(&bucket, &object.key);
            match decide(&request, &asker, Some(&facts)) {
                Ok(()) => req.input.delete.objects.push(object),
                Err(e) => denied_keys.push(DeleteError {
                    code: Some(e.code().as_str().to_owned()),
                    key: Some(object.key),
                    message: e.message().map(str::to_owned),
                    version_id: object.version_id,
                }),
            }
        }
        if !denied_keys.is_empty() {
            req.extensions.insert(DeniedKeys(denied_keys));
        }
        Ok(())
    }
}

impl LabAccess {
    /// A copy also needs `s3:GetObject` on its source (S3 API Reference, CopyObject:
    /// "you must have read access to the source object and write access to the destination
    /// bucket").
    fn check_copy_source(
        &self,
        extensions: &hyper::http::Extensions,
        source: &CopySource,
    ) -> S3Result<()> {
        let asker = asker(extensions)?;
        let (bucket, key) = super::objects::copy_source_object(source)?;
        let facts = self.bucket(bucket)?;
        self.decide(
            &asker,
            "s3:GetObject",
            object_arn(bucket, key),
            Some(&facts),
        )
    }
}

/// The asker the general check put in the request's extensions.
fn asker(extensions: &hyper::http::Extensions) -> S3Result<Asker> {
    extensions
        .get::<Asker>()
        .cloned()
        .ok_or_else(|| s3_error!(InternalError, "the request was not authorized"))
}

/// `DeleteObjects`: the keys the policies refused are answered as `AccessDenied` beside the
/// others, which are deleted (S3 answers each key on its own).
pub(crate) async fn delete_objects(
    s3: &LabS3,
    mut req: S3Request<DeleteObjectsInput>,
) -> S3Result<S3Response<DeleteObjectsOutput>> {
    let denied = req.extensions.remove::<DeniedKeys>().unwrap_or_default().0;
    if denied.is_empty() {
        return super::objects::delete_objects(s3, req).await;
    }
    let mut response = if req.input.delete.objects.is_empty() {
        S3Response::new(DeleteObjectsOutput::default())
    } else {
        super::objects::delete_objects(s3, req).await?
    };
    response
        .output
        .errors
        .get_or_insert_with(Vec::new)
        .extend(denied);
    Ok(response)
}

/// The caller of a request: its key's account, the region it signed for (us-east-1 when
/// it names none), now.
pub async fn caller<T>(state: &State, req: &S3Request<T>) -> S3Result<Caller> {
    let key = req
        .credentials
        .as_ref()
        .ok_or_else(|| s3_error!(AccessDenied, "Access Denied"))?;
    let secret = state.secret_for(&key.access_key).await.ok_or_else(|| {
        s3_error!(
            InvalidAccessKeyId,
            "The AWS Access Key Id you provided does not exist in our records."
        )
    })?;
    let account = AccountId::parse(&secret.account_id)
        .map_err(|_| s3_error!(InternalError, "a key's account id is not valid"))?;
    let region = req
        .region
        .as_ref()
        .and_then(|r| Region::find(r.as_str()))
        .unwrap_or_else(Region::default_region);
    Ok(Caller::new(
        account,
        region,
        Timestamp(crate::server::now_ms()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_map_to_aws_actions() {
        let object = S3Path::Object {
            bucket: "b".into(),
            key: "k".into(),
        };
        let bucket = S3Path::Bucket { bucket: "b".into() };
        for (op, action, scope) in [
            ("GetObject", "s3:GetObject", Scope::Object),
            ("HeadObject", "s3:GetObject", Scope::Object),
            ("PutObject", "s3:PutObject", Scope::Object),
            ("CopyObject", "s3:PutObject", Scope::Object),
            ("CreateMultipartUpload", "s3:PutObject", Scope::Object),
            ("UploadPart", "s3:PutObject", Scope::Object),
            ("CompleteMultipartUpload", "s3:PutObject", Scope::Object),
            (
                "AbortMultipartUpload",
                "s3:AbortMultipartUpload",
                Scope::Object,
            ),
            ("ListParts", "s3:ListMultipartUploadParts", Scope::Object),
            ("DeleteObject", "s3:DeleteObject", Scope::Object),
            ("DeleteObjects", "s3:DeleteObject", Scope::EachKey),
            ("ListObjects", "s3:ListBucket", Scope::Bucket),
            ("ListObjectsV2", "s3:ListBucket", Scope::Bucket),
            ("HeadBucket", "s3:ListBucket", Scope::Bucket),
            (
                "ListMultipartUploads",
                "s3:ListBucketMultipartUploads",
                Scope::Bucket,
            ),
            ("GetBucketLocation", "s3:GetBucketLocation", Scope::Bucket),
            ("GetBucketPolicy", "s3:GetBucketPolicy", Scope::Bucket),
            ("PutBucketPolicy", "s3:PutBucketPolicy", Scope::Bucket),
            ("DeleteBucketPolicy", "s3:DeleteBucketPolicy", Scope::Bucket),
            ("CreateBucket", "s3:CreateBucket", Scope::NewBucket),
            ("DeleteBucket", "s3:DeleteBucket", Scope::Bucket),
            ("ListBuckets", "s3:ListAllMyBuckets", Scope::Account),
        ] {
            let path = if scope == Scope::Object {
                &object
            } else {
                &bucket
            };
            assert_eq!(permission(op, path), (action.to_owned(), scope), "{op}");
        }
        assert_eq!(
            permission("GetBucketTagging", &bucket),
            ("s3:GetBucketTagging".to_owned(), Scope::Bucket)
        );
        assert_eq!(
            permission("GetObjectTagging", &object),
            ("s3:GetObjectTagging".to_owned(), Scope::Object)
        );
    }

    fn facts(owner: &str, policy: Option<&str>) -> BucketFacts {
        BucketFacts {
            owner: owner.to_owned(),
            policy: policy.map(|p| {
                Policy::parse(p, PolicyKind::Resource)
                    .map(Arc::new)
                    .map_err(|e| e.to_string())
            }),
        }
    }

    fn asker(principal: Principal, endpoint: Option<&str>) -> Asker {
        let context = Request::new(principal.clone(), "", "").context;
        Asker {
            principal,
            context,
            endpoint: endpoint.map(|p| {
                Policy::parse(p, PolicyKind::Endpoint)
                    .map(Arc::new)
                    .map_err(|e| e.to_string())
            }),
        }
    }

    fn ask(asker: &Asker, action: &str, resource: &str, bucket: &BucketFacts) -> S3Result<()> {
        let request = Request {
            principal: asker.principal.clone(),
            action: action.to_owned(),
            resource: resource.to_owned(),
            context: asker.context.clone(),
        };
        decide(&request, asker, Some(bucket))
    }

    const OWNER: &str = "111122223333";
    const OTHER: &str = "444455556666";
    const LOCK: &str = r#"{"Statement":[{"Sid":"Lock","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]}]}"#;

    #[test]
    fn owner_root_keeps_the_policy_but_nothing_else() {
        let bucket = facts(OWNER, Some(LOCK));
        let root = asker(Principal::root(OWNER), None);
        for action in [
            "s3:GetBucketPolicy",
            "s3:PutBucketPolicy",
            "s3:DeleteBucketPolicy",
        ] {
            assert!(
                ask(&root, action, "arn:aws:s3:::b", &bucket).is_ok(),
                "{action}"
            );
        }
        let e = ask(&root, "s3:ListBucket", "arn:aws:s3:::b", &bucket).unwrap_err();
        assert_eq!(e.code(), &s3s::S3ErrorCode::AccessDenied);
        assert!(
            e.message()
                .unwrap_or("")
                .contains(r#"bucket policy statement "Lock""#),
            "{:?}",
            e.message()
        );
        // Another account's root gets no such override.
        let other = asker(Principal::root(OTHER), None);
        let e = ask(&other, "s3:DeleteBucketPolicy", "arn:aws:s3:::b", &bucket).unwrap_err();
        assert_eq!(e.code(), &s3s::S3ErrorCode::AccessDenied);
    }

    #[test]
    fn the_override_does_not_pass_an_endpoint_that_refuses() {
        let bucket = facts(OWNER, Some(LOCK));
        let put_only = r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:PutObject","Resource":"*"}]}"#;
        let root = asker(Principal::root(OWNER), Some(put_only));
        let e = ask(&root, "s3:DeleteBucketPolicy", "arn:aws:s3:::b", &bucket).unwrap_err();
        assert_eq!(e.code(), &s3s::S3ErrorCode::AccessDenied);
    }

    #[test]
    fn other_accounts_need_a_grant_and_cannot_manage_the_policy() {
        let other = asker(Principal::root(OTHER), None);
        let none = facts(OWNER, None);
        assert!(ask(&other, "s3:GetObject", "arn:aws:s3:::b/k", &none).is_err());
        let grant = facts(
            OWNER,
            Some(
                r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]}]}"#,
            ),
        );
        assert!(ask(&other, "s3:GetObject", "arn:aws:s3:::b/k", &grant).is_ok());
        let e = ask(&other, "s3:GetBucketPolicy", "arn:aws:s3:::b", &grant).unwrap_err();
        assert_eq!(e.code(), &s3s::S3ErrorCode::MethodNotAllowed);
        let anonymous = asker(Principal::anonymous(), None);
        assert!(ask(&anonymous, "s3:GetObject", "arn:aws:s3:::b/k", &grant).is_err());
    }

    #[test]
    fn the_cache_parses_again_when_the_text_changes() {
        let cache = PolicyCache::default();
        let a = r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#;
        let first = cache.get("b", a, PolicyKind::Resource).unwrap();
        let again = cache.get("b", a, PolicyKind::Resource).unwrap();
        assert!(Arc::ptr_eq(&first, &again), "parsed once");
        let changed = cache.get("b", LOCK, PolicyKind::Resource).unwrap();
        assert!(!Arc::ptr_eq(&first, &changed));
        assert!(cache.get("b", "not json", PolicyKind::Resource).is_err());
    }
}
