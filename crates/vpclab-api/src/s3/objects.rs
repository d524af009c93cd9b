//! Objects: put, get (ranges), head, delete, copy, list, multipart (being written).

use s3s::dto::*;
use s3s::{S3Request, S3Response, S3Result, s3_error};

use super::LabS3;

pub(crate) async fn put_object(
    _s3: &LabS3,
    _req: S3Request<PutObjectInput>,
) -> S3Result<S3Response<PutObjectOutput>> {
    Err(s3_error!(NotImplemented))
}

pub(crate) async fn get_object(
    _s3: &LabS3,
    _req: S3Request<GetObjectInput>,
) -> S3Result<S3Response<GetObjectOutput>> {
    Err(s3_error!(NotImplemented))
}

pub(crate) async fn head_object(
    _s3: &LabS3,
    _req: S3Request<HeadObjectInput>,
) -> S3Result<S3Response<HeadObjectOutput>> {
    Err(s3_error!(NotImplemented))
}

pub(crate) async fn delete_object(
    _s3: &LabS3,
    _req: S3Request<DeleteObjectInput>,
) -> S3Result<S3Response<DeleteObjectOutput>> {
    Err(s3_error!(NotImplemented))
}

pub(crate) async fn delete_objects(
    _s3: &LabS3,
    _req: S3Request<DeleteObjectsInput>,
) -> S3Result<S3Response<DeleteObjectsOutput>> {
    Err(s3_error!(NotImplemented))
}

pub(crate) async fn copy_object(
    _s3: &LabS3,
    _req: S3Request<CopyObjectInput>,
) -> S3Result<S3Response<CopyObjectOutput>> {
    Err(s3_error!(NotImplemented))
}

pub(crate) async fn list_objects(
    _s3: &LabS3,
    _req: S3Request<ListObjectsInput>,
) -> S3Result<S3Response<ListObjectsOutput>> {
    Err(s3_error!(NotImplemented))
}

pub(crate) async fn list_objects_v2(
    _s3: &LabS3,
    _req: S3Request<ListObjectsV2Input>,
) -> S3Result<S3Response<ListObjectsV2Output>> {
    Err(s3_error!(NotImplemented))
}

pub(crate) async fn create_multipart_upload(
    _s3: &LabS3,
    _req: S3Request<CreateMultipartUploadInput>,
) -> S3Result<S3Response<CreateMultipartUploadOutput>> {
    Err(s3_error!(NotImplemented))
}

pub(crate) async fn upload_part(
    _s3: &LabS3,
    _req: S3Request<UploadPartInput>,
) -> S3Result<S3Response<UploadPartOutput>> {
    Err(s3_error!(NotImplemented))
}

pub(crate) async fn complete_multipart_upload(
    _s3: &LabS3,
    _req: S3Request<CompleteMultipartUploadInput>,
) -> S3Result<S3Response<CompleteMultipartUploadOutput>> {
    Err(s3_error!(NotImplemented))
}

pub(crate) async fn abort_multipart_upload(
    _s3: &LabS3,
    _req: S3Request<AbortMultipartUploadInput>,
) -> S3Result<S3Response<AbortMultipartUploadOutput>> {
    Err(s3_error!(NotImplemented))
}

pub(crate) async fn list_parts(
    _s3: &LabS3,
    _req: S3Request<ListPartsInput>,
) -> S3Result<S3Response<ListPartsOutput>> {
    Err(s3_error!(NotImplemented))
}

pub(crate) async fn list_multipart_uploads(
    _s3: &LabS3,
    _req: S3Request<ListMultipartUploadsInput>,
) -> S3Result<S3Response<ListMultipartUploadsOutput>> {
    Err(s3_error!(NotImplemented))
}
