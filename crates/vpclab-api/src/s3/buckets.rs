//! Buckets: CreateBucket, HeadBucket, DeleteBucket, ListBuckets, GetBucketLocation. A
//! bucket is a lab resource: created and deleted through the durable log.

use s3s::dto::*;
use s3s::{S3Request, S3Response, S3Result, s3_error};
use vpclab_model::{Operation, Region};

use super::LabS3;
use super::access::caller;
use crate::error::ApiError;

/// An API error as s3s carries it (AWS's code and message; 4xx/5xx as S3 answers them).
pub fn s3_err(e: ApiError) -> s3s::S3Error {
    let code = s3s::S3ErrorCode::from_bytes(e.code.as_bytes())
        .unwrap_or(s3s::S3ErrorCode::Custom(e.code.to_string().into()));
    let mut err = s3s::S3Error::with_message(code, e.message);
    if let Ok(status) = hyper::StatusCode::from_u16(s3_status(&e.code, e.status)) {
        err.set_status_code(status);
    }
    err
}

/// S3's HTTP status for the codes the lab's model answers.
fn s3_status(code: &str, default: u16) -> u16 {
    match code {
        "NoSuchBucket" | "NoSuchKey" | "NoSuchUpload" | "NoSuchBucketPolicy" => 404,
        "BucketAlreadyExists" | "BucketAlreadyOwnedByYou" | "BucketNotEmpty" => 409,
        "AccessDenied" => 403,
        _ => default,
    }
}

/// The bucket's region, or `NoSuchBucket`.
pub fn bucket_region(lab: &vpclab_model::Lab, bucket: &str) -> S3Result<Region> {
    lab.bucket(bucket)
        .map(|b| b.region)
        .ok_or_else(|| s3_error!(NoSuchBucket, "The specified bucket does not exist"))
}

pub(crate) async fn create_bucket(
    s3: &LabS3,
    req: S3Request<CreateBucketInput>,
) -> S3Result<S3Response<CreateBucketOutput>> {
    let caller = caller(&s3.state, &req).await?;
    // AWS: the bucket lives where LocationConstraint says; none means us-east-1, which
    // may not be named explicitly; it must match the endpoint's region.
    let constraint = req
        .input
        .create_bucket_configuration
        .as_ref()
        .and_then(|c| c.location_constraint.as_ref())
        .map(|c| c.as_str().to_owned());
    let region = match constraint.as_deref() {
        None | Some("") => Region::default_region(),
        Some("us-east-1") => {
            return Err(s3_error!(
                InvalidLocationConstraint,
                "The specified location-constraint is not valid"
            ));
        }
        Some(name) => Region::find(name).ok_or_else(|| {
            s3_error!(
                InvalidLocationConstraint,
                "The specified location-constraint is not valid"
            )
        })?,
    };
    if region != caller.region && !(caller.region.name() == "us-east-1" && constraint.is_none()) {
        return Err(s3_error!(
            IllegalLocationConstraintException,
            "The {} location constraint is incompatible for the region specific endpoint this request was sent to.",
            region.name()
        ));
    }
    let op = Operation::CreateBucket {
        bucket: req.input.bucket.clone(),
        region,
    };
    s3.state
        .write(caller, op, Box::new(|_, _| Ok(String::new())))
        .await
        .map_err(s3_err)?;
    let output = CreateBucketOutput {
        location: Some(format!("/{}", req.input.bucket)),
    };
    Ok(S3Response::new(output))
}

pub(crate) async fn head_bucket(
    s3: &LabS3,
    req: S3Request<HeadBucketInput>,
) -> S3Result<S3Response<HeadBucketOutput>> {
    let region = bucket_region(&s3.state.read(), &req.input.bucket)?;
    Ok(S3Response::new(HeadBucketOutput {
        bucket_region: Some(region.name().to_owned()),
        ..Default::default()
    }))
}

pub(crate) async fn delete_bucket(
    s3: &LabS3,
    req: S3Request<DeleteBucketInput>,
) -> S3Result<S3Response<DeleteBucketOutput>> {
    let caller = caller(&s3.state, &req).await?;
    let empty = s3
        .state
        .objects()
        .is_empty(&req.input.bucket)
        .await
        .map_err(|e| s3_err(e.into()))?;
    let op = Operation::DeleteBucket {
        bucket: req.input.bucket.clone(),
        empty,
    };
    s3.state
        .write(caller, op, Box::new(|_, _| Ok(String::new())))
        .await
        .map_err(s3_err)?;
    // Uploads still in progress go with the bucket.
    s3.state
        .objects()
        .abort_bucket_uploads(&req.input.bucket)
        .await
        .map_err(super::body::store_err)?;
    Ok(S3Response::new(DeleteBucketOutput {}))
}

pub(crate) async fn list_buckets(
    s3: &LabS3,
    req: S3Request<ListBucketsInput>,
) -> S3Result<S3Response<ListBucketsOutput>> {
    let caller = caller(&s3.state, &req).await?;
    let lab = s3.state.read();
    let buckets: Vec<Bucket> = lab
        .buckets()
        .filter(|b| b.owner_id == caller.account)
        .filter(|b| {
            req.input
                .prefix
                .as_deref()
                .is_none_or(|p| b.name.starts_with(p))
        })
        .filter(|b| {
            req.input
                .bucket_region
                .as_deref()
                .is_none_or(|r| b.region.name() == r)
        })
        .map(|b| Bucket {
            name: Some(b.name.clone()),
            creation_date: Some(Timestamp::from(time_of(b.creation_date.0))),
            bucket_region: Some(b.region.name().to_owned()),
        })
        .collect();
    let owner = Owner {
        id: Some(caller.account.to_string()),
        display_name: Some(caller.account.to_string()),
    };
    Ok(S3Response::new(ListBucketsOutput {
        buckets: Some(buckets),
        owner: Some(owner),
        ..Default::default()
    }))
}

pub(crate) async fn get_bucket_location(
    s3: &LabS3,
    req: S3Request<GetBucketLocationInput>,
) -> S3Result<S3Response<GetBucketLocationOutput>> {
    let region = bucket_region(&s3.state.read(), &req.input.bucket)?;
    // AWS: us-east-1 buckets answer an empty LocationConstraint.
    let location_constraint = (region.name() != "us-east-1")
        .then(|| BucketLocationConstraint::from(region.name().to_owned()));
    Ok(S3Response::new(GetBucketLocationOutput {
        location_constraint,
    }))
}

/// A `SystemTime` for milliseconds since the epoch.
pub fn time_of(ms: i64) -> std::time::SystemTime {
    std::time::UNIX_EPOCH + std::time::Duration::from_millis(ms.max(0) as u64)
}
