//! S3 on the lab's listener, built on `s3s`: the protocol (path- and virtual-hosted-style,
//! SigV4 and SigV2, `aws-chunked` bodies) is s3s's; buckets are the lab's resources (in the
//! model, through the durable log), objects are the store's (bytes on disk, metadata in
//! the database), and every request is authorized by `vpclab-policy` from the request's
//! network origin.
//!
//! The origin comes from how the request arrived, never from a header: the listener marks
//! host requests as coming from the public internet (`aws:SourceIp` = the peer address);
//! the lab's data plane calls [`S3Gateway::call`] with the context `vpclab-reach`
//! computed (`aws:SourceVpce`, `aws:SourceVpc`, `aws:VpcSourceIp`, or a NAT's address).

pub mod access;
pub mod body;
pub mod buckets;
pub mod host;
pub mod multipart;
pub mod objects;
pub mod policy;

use std::net::IpAddr;
use std::sync::Arc;

use s3s::dto::*;
use s3s::service::{S3Service, S3ServiceBuilder};
use s3s::{S3, S3Request, S3Response, S3Result};
use vpclab_reach::RequestContext;

use crate::state::State;

/// How an S3 request reached the lab, which decides the policy context keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// From the host: the public internet, from this address (`aws:SourceIp`).
    Internet(IpAddr),
    /// From inside the lab, as `vpclab-reach` traced it: through a VPC endpoint (VPC
    /// keys) or over a NAT or internet gateway (`aws:SourceIp`).
    Lab(RequestContext),
}

impl Origin {
    /// The policy context keys this origin carries.
    pub fn context(&self) -> RequestContext {
        match self {
            Origin::Internet(ip) => RequestContext {
                source_ip: Some(*ip),
                ..RequestContext::default()
            },
            Origin::Lab(ctx) => ctx.clone(),
        }
    }
}

/// The S3 service of the lab.
#[derive(Clone)]
pub struct S3Gateway {
    service: S3Service,
}

impl S3Gateway {
    /// The gateway over the server's state.
    pub fn new(state: Arc<State>) -> S3Gateway {
        let mut builder = S3ServiceBuilder::new(LabS3 {
            state: Arc::clone(&state),
        });
        builder.set_auth(access::LabAuth {
            state: Arc::clone(&state),
        });
        builder.set_access(access::LabAccess::new(Arc::clone(&state)));
        builder.set_host(host::LabHost);
        S3Gateway {
            service: builder.build(),
        }
    }

    /// Serves one S3 request that arrived by `origin`. The data plane calls this with
    /// the context of the trace that admitted the connection.
    pub async fn call(&self, mut req: s3s::HttpRequest, origin: Origin) -> s3s::HttpResponse {
        req.extensions_mut().insert(origin);
        match self.service.call(req).await {
            Ok(resp) => resp,
            Err(e) => {
                let mut resp =
                    s3s::HttpResponse::new(s3s::Body::from(format!("internal error: {e:?}")));
                *resp.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
                resp
            }
        }
    }
}

/// Whether a request on the shared listener is for S3: signed for the `s3` service (SigV4
/// scope, SigV2), or unsigned and not a query-protocol call (`Action=` on `/`).
pub fn is_s3_request(method: &hyper::Method, uri: &hyper::Uri, headers: &hyper::HeaderMap) -> bool {
    let auth = headers
        .get(hyper::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if let Some(scope) = auth.strip_prefix("AWS4-HMAC-SHA256") {
        return scope.contains("/s3/aws4_request");
    }
    if auth.starts_with("AWS ") {
        return true;
    }
    let query = uri.query().unwrap_or("");
    if query.contains("X-Amz-Credential=") {
        return query.contains("%2Fs3%2Faws4_request") || query.contains("/s3/aws4_request");
    }
    if query.contains("AWSAccessKeyId=") {
        return true;
    }
    let query_protocol =
        uri.path() == "/" && (query.contains("Action=") || method == hyper::Method::POST);
    !query_protocol
}

/// The lab's S3: each operation is answered by the module of its area.
#[derive(Clone)]
pub struct LabS3 {
    /// The server's state.
    pub state: Arc<State>,
}

macro_rules! delegate {
    ($($module:ident :: $op:ident ($input:ty) -> $output:ty;)*) => {
        #[async_trait::async_trait]
        impl S3 for LabS3 {
            $(
                async fn $op(&self, req: S3Request<$input>) -> S3Result<S3Response<$output>> {
                    $module::$op(self, req).await
                }
            )*
        }
    };
}

delegate! {
    buckets::create_bucket(CreateBucketInput) -> CreateBucketOutput;
    buckets::delete_bucket(DeleteBucketInput) -> DeleteBucketOutput;
    buckets::head_bucket(HeadBucketInput) -> HeadBucketOutput;
    buckets::list_buckets(ListBucketsInput) -> ListBucketsOutput;
    buckets::get_bucket_location(GetBucketLocationInput) -> GetBucketLocationOutput;
    policy::put_bucket_policy(PutBucketPolicyInput) -> PutBucketPolicyOutput;
    policy::get_bucket_policy(GetBucketPolicyInput) -> GetBucketPolicyOutput;
    policy::delete_bucket_policy(DeleteBucketPolicyInput) -> DeleteBucketPolicyOutput;
    objects::put_object(PutObjectInput) -> PutObjectOutput;
    objects::get_object(GetObjectInput) -> GetObjectOutput;
    objects::head_object(HeadObjectInput) -> HeadObjectOutput;
    objects::delete_object(DeleteObjectInput) -> DeleteObjectOutput;
    // The keys the policies refused are answered beside the others (see access.rs).
    access::delete_objects(DeleteObjectsInput) -> DeleteObjectsOutput;
    objects::copy_object(CopyObjectInput) -> CopyObjectOutput;
    objects::list_objects(ListObjectsInput) -> ListObjectsOutput;
    objects::list_objects_v2(ListObjectsV2Input) -> ListObjectsV2Output;
    multipart::create_multipart_upload(CreateMultipartUploadInput) -> CreateMultipartUploadOutput;
    multipart::upload_part(UploadPartInput) -> UploadPartOutput;
    multipart::complete_multipart_upload(CompleteMultipartUploadInput) -> CompleteMultipartUploadOutput;
    multipart::abort_multipart_upload(AbortMultipartUploadInput) -> AbortMultipartUploadOutput;
    multipart::list_parts(ListPartsInput) -> ListPartsOutput;
    multipart::list_multipart_uploads(ListMultipartUploadsInput) -> ListMultipartUploadsOutput;
}
