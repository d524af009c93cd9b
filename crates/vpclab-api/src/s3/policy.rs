//! Bucket policies: Put/Get/DeleteBucketPolicy (being written).

use s3s::dto::*;
use s3s::{S3Request, S3Response, S3Result, s3_error};

use super::LabS3;

pub(crate) async fn put_bucket_policy(
    _s3: &LabS3,
    _req: S3Request<PutBucketPolicyInput>,
) -> S3Result<S3Response<PutBucketPolicyOutput>> {
    Err(s3_error!(NotImplemented))
}

pub(crate) async fn get_bucket_policy(
    _s3: &LabS3,
    _req: S3Request<GetBucketPolicyInput>,
) -> S3Result<S3Response<GetBucketPolicyOutput>> {
    Err(s3_error!(NotImplemented))
}

pub(crate) async fn delete_bucket_policy(
    _s3: &LabS3,
    _req: S3Request<DeleteBucketPolicyInput>,
) -> S3Result<S3Response<DeleteBucketPolicyOutput>> {
    Err(s3_error!(NotImplemented))
}
