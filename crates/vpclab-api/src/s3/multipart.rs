//! Multipart uploads: CreateMultipartUpload, UploadPart, CompleteMultipartUpload,
//! AbortMultipartUpload, ListParts, ListMultipartUploads.

use md5::{Digest, Md5};
use s3s::dto::*;
use s3s::{S3Request, S3Response, S3Result, s3_error};
use vpclab_store::{ObjectRecord, PartRecord, Upload};

use super::LabS3;
use super::body::{
    ChecksumFields, MAX_PUT, check_key, declared, etag, hasher_for, meta_from, now, store_err,
    timestamp, value_of, write_body,
};
use super::objects::{encoder, require_bucket};

/// S3's part numbers: 1 to 10,000.
const MAX_PART_NUMBER: i32 = 10_000;

/// S3's smallest part, except the last: 5 MiB.
const MIN_PART: u64 = 5 * 1024 * 1024;

fn no_such_upload() -> s3s::S3Error {
    s3_error!(
        NoSuchUpload,
        "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed."
    )
}

/// The upload, which must be for this bucket and key.
async fn upload_for(s3: &LabS3, bucket: &str, key: &str, upload_id: &str) -> S3Result<Upload> {
    require_bucket(s3, bucket)?;
    match s3
        .state
        .objects()
        .upload(upload_id)
        .await
        .map_err(store_err)?
    {
        Some(u) if u.bucket == bucket && u.key == key => Ok(u),
        _ => Err(no_such_upload()),
    }
}

fn owner_of(account: &str) -> Owner {
    Owner {
        id: Some(account.to_owned()),
        display_name: Some(account.to_owned()),
    }
}

/// The account making the request, or the bucket's owner for an anonymous one.
async fn requester<T>(s3: &LabS3, req: &S3Request<T>, bucket: &str) -> String {
    if let Some(key) = req.credentials.as_ref()
        && let Some(secret) = s3.state.secret_for(&key.access_key).await
    {
        return secret.account_id;
    }
    s3.state
        .read()
        .bucket(bucket)
        .map(|b| b.owner_id.to_string())
        .unwrap_or_default()
}

pub(crate) async fn create_multipart_upload(
    s3: &LabS3,
    req: S3Request<CreateMultipartUploadInput>,
) -> S3Result<S3Response<CreateMultipartUploadOutput>> {
    let owner = requester(s3, &req, &req.input.bucket).await;
    let input = req.input;
    require_bucket(s3, &input.bucket)?;
    check_key(&input.key)?;
    let mut meta = meta_from(
        input.content_type.as_ref(),
        input.content_encoding.as_ref(),
        input.content_disposition.as_ref(),
        input.content_language.as_ref(),
        input.cache_control.as_ref(),
        input.expires.as_ref(),
        input.metadata.as_ref(),
    )?;
    // The algorithm the parts will carry; the object's checksum is computed at completion.
    if let Some(a) = input.checksum_algorithm.as_ref() {
        let name = a.as_str().to_ascii_uppercase();
        if hasher_for(&name).is_none() {
            return Err(s3_error!(
                InvalidRequest,
                "Checksum algorithm provided is unsupported."
            ));
        }
        meta.checksum = Some((name, String::new()));
    }
    let upload = Upload {
        upload_id: vpclab_store::fresh_id(),
        bucket: input.bucket.clone(),
        key: input.key.clone(),
        owner,
        meta,
        initiated: now(),
    };
    s3.state
        .objects()
        .create_upload(&upload)
        .await
        .map_err(store_err)?;
    Ok(S3Response::new(CreateMultipartUploadOutput {
        bucket: Some(input.bucket),
        key: Some(input.key),
        upload_id: Some(upload.upload_id),
        checksum_algorithm: input.checksum_algorithm,
        checksum_type: upload
            .meta
            .checksum
            .as_ref()
            .map(|_| ChecksumType::from_static(ChecksumType::COMPOSITE)),
        ..Default::default()
    }))
}

pub(crate) async fn upload_part(
    s3: &LabS3,
    req: S3Request<UploadPartInput>,
) -> S3Result<S3Response<UploadPartOutput>> {
    let input = req.input;
    if !(1..=MAX_PART_NUMBER).contains(&input.part_number) {
        return Err(s3_error!(
            InvalidArgument,
            "Part number must be an integer between 1 and 10000, inclusive"
        ));
    }
    upload_for(s3, &input.bucket, &input.key, &input.upload_id).await?;
    let declared = declared(
        input.content_md5.as_deref(),
        input.checksum_algorithm.as_ref(),
        [
            input.checksum_crc32.as_ref(),
            input.checksum_crc32c.as_ref(),
            input.checksum_crc64nvme.as_ref(),
            input.checksum_sha1.as_ref(),
            input.checksum_sha256.as_ref(),
        ],
        &req.headers,
    )?;
    let objects = s3.state.objects();
    let written = write_body(
        objects,
        input.body,
        declared,
        req.trailing_headers.as_ref(),
        MAX_PUT,
    )
    .await?;
    let part = PartRecord {
        part_number: input.part_number as u32,
        blob: written.blob.id.clone(),
        size: written.blob.size,
        etag: written.blob.md5_hex(),
        checksum: written.checksum.clone(),
        last_modified: now(),
    };
    // The upload may have ended while the part was streaming in.
    if objects
        .upload(&input.upload_id)
        .await
        .map_err(store_err)?
        .is_none()
    {
        objects.discard(&part.blob).await;
        return Err(no_such_upload());
    }
    if let Err(e) = objects.put_part(&input.upload_id, &part).await {
        objects.discard(&part.blob).await;
        return Err(store_err(e));
    }
    let sums = ChecksumFields::of(written.checksum.as_ref());
    Ok(S3Response::new(UploadPartOutput {
        e_tag: Some(etag(&part.etag)),
        checksum_crc32: sums.crc32,
        checksum_crc32c: sums.crc32c,
        checksum_crc64nvme: sums.crc64nvme,
        checksum_sha1: sums.sha1,
        checksum_sha256: sums.sha256,
        ..Default::default()
    }))
}

fn malformed() -> s3s::S3Error {
    s3_error!(
        MalformedXML,
        "The XML you provided was not well-formed or did not validate against our published schema"
    )
}

fn invalid_part() -> s3s::S3Error {
    s3_error!(
        InvalidPart,
        "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag."
    )
}

/// Every part of an upload, in order.
async fn all_parts(s3: &LabS3, upload_id: &str) -> S3Result<Vec<PartRecord>> {
    s3.state
        .objects()
        .parts(upload_id, 0, MAX_PART_NUMBER as usize)
        .await
        .map_err(store_err)
}

pub(crate) async fn complete_multipart_upload(
    s3: &LabS3,
    req: S3Request<CompleteMultipartUploadInput>,
) -> S3Result<S3Response<CompleteMultipartUploadOutput>> {
    let input = req.input;
    let upload = upload_for(s3, &input.bucket, &input.key, &input.upload_id).await?;
    let asked = input
        .multipart_upload
        .as_ref()
        .and_then(|m| m.parts.as_ref())
        .filter(|p| !p.is_empty())
        .ok_or_else(malformed)?;
    let stored: std::collections::HashMap<u32, PartRecord> = all_parts(s3, &input.upload_id)
        .await?
        .into_iter()
        .map(|p| (p.part_number, p))
        .collect();
    // S3's rules for the part list (CompleteMultipartUpload API reference): ascending
    // numbers, each uploaded with that ETag, each but the last at least 5 MiB.
    let mut chosen: Vec<&PartRecord> = Vec::with_capacity(asked.len());
    let mut previous = 0;
    for part in asked {
        let number = part.part_number.ok_or_else(malformed)?;
        if number <= previous {
            return Err(s3_error!(
                InvalidPartOrder,
                "The list of parts was not in ascending order. The parts list must be specified in order by part number."
            ));
        }
        previous = number;
        let stored = stored.get(&(number as u32)).ok_or_else(invalid_part)?;
        let sent = part
            .e_tag
            .as_ref()
            .map(|e| e.value().trim_matches('"').to_owned());
        if sent.as_deref() != Some(stored.etag.as_str()) {
            return Err(invalid_part());
        }
        chosen.push(stored);
    }
    if let Some((_, all_but_last)) = chosen.split_last()
        && all_but_last.iter().any(|p| p.size < MIN_PART)
    {
        return Err(s3_error!(
            EntityTooSmall,
            "Your proposed upload is smaller than the minimum allowed object size."
        ));
    }
    // The multipart ETag: the MD5 of the parts' binary MD5s, then "-<count>".
    let mut md5 = Md5::new();
    for part in &chosen {
        // Part ETags are the store's own hex MD5s.
        md5.update(hex::decode(&part.etag).unwrap_or_default());
    }
    let etag_value = format!("{}-{}", vpclab_store::hex(&md5.finalize()), chosen.len());
    let mut meta = upload.meta.clone();
    meta.part_sizes = chosen.iter().map(|p| p.size).collect();
    meta.checksum = composite_checksum(upload.meta.checksum.as_ref(), &chosen);
    let objects = s3.state.objects();
    let blobs: Vec<String> = chosen.iter().map(|p| p.blob.clone()).collect();
    let blob = objects.concat(&blobs).await.map_err(store_err)?;
    let record = ObjectRecord {
        bucket: input.bucket.clone(),
        key: input.key.clone(),
        blob: blob.id.clone(),
        size: blob.size,
        etag: etag_value,
        meta,
        last_modified: now(),
    };
    match objects.complete_upload(&input.upload_id, &record).await {
        Ok(true) => {}
        Ok(false) => {
            objects.discard(&record.blob).await;
            return Err(no_such_upload());
        }
        Err(e) => {
            objects.discard(&record.blob).await;
            return Err(store_err(e));
        }
    }
    let sums = ChecksumFields::of(record.meta.checksum.as_ref());
    Ok(S3Response::new(CompleteMultipartUploadOutput {
        bucket: Some(input.bucket.clone()),
        key: Some(input.key.clone()),
        e_tag: Some(etag(&record.etag)),
        location: Some(format!("/{}/{}", input.bucket, input.key)),
        checksum_crc32: sums.crc32,
        checksum_crc32c: sums.crc32c,
        checksum_crc64nvme: sums.crc64nvme,
        checksum_sha1: sums.sha1,
        checksum_sha256: sums.sha256,
        checksum_type: sums.kind,
        ..Default::default()
    }))
}

/// The composite checksum of a multipart object: the checksum of the parts' binary
/// checksums, then "-<count>" (S3 User Guide, "Using part-level checksums for multipart
/// uploads"). Only when the upload named an algorithm and every part carried it.
fn composite_checksum(
    declared: Option<&(String, String)>,
    parts: &[&PartRecord],
) -> Option<(String, String)> {
    let (algorithm, _) = declared?;
    let mut hasher = hasher_for(algorithm)?;
    for part in parts {
        let (a, value) = part.checksum.as_ref()?;
        if a != algorithm {
            return None;
        }
        let bin = base64_simd::STANDARD.decode_to_vec(value).ok()?;
        hasher.update(&bin);
    }
    let value = value_of(&hasher.finalize(), algorithm)?;
    Some((algorithm.clone(), format!("{value}-{}", parts.len())))
}

pub(crate) async fn abort_multipart_upload(
    s3: &LabS3,
    req: S3Request<AbortMultipartUploadInput>,
) -> S3Result<S3Response<AbortMultipartUploadOutput>> {
    let input = req.input;
    upload_for(s3, &input.bucket, &input.key, &input.upload_id).await?;
    if !s3
        .state
        .objects()
        .abort_upload(&input.upload_id)
        .await
        .map_err(store_err)?
    {
        return Err(no_such_upload());
    }
    Ok(S3Response::new(AbortMultipartUploadOutput::default()))
}

pub(crate) async fn list_parts(
    s3: &LabS3,
    req: S3Request<ListPartsInput>,
) -> S3Result<S3Response<ListPartsOutput>> {
    let input = req.input;
    let upload = upload_for(s3, &input.bucket, &input.key, &input.upload_id).await?;
    let max = match input.max_parts {
        None => 1000,
        Some(n) if n < 0 => {
            return Err(s3_error!(
                InvalidArgument,
                "Argument max-parts must be an integer between 0 and 2147483647"
            ));
        }
        Some(n) => (n as usize).min(1000),
    };
    let marker = input.part_number_marker.unwrap_or(0).max(0) as u32;
    let mut parts = s3
        .state
        .objects()
        .parts(&input.upload_id, marker, max + 1)
        .await
        .map_err(store_err)?;
    let truncated = parts.len() > max;
    parts.truncate(max);
    let next = parts.last().map(|p| p.part_number as i32);
    let owner = owner_of(&upload.owner);
    Ok(S3Response::new(ListPartsOutput {
        bucket: Some(input.bucket.clone()),
        key: Some(input.key.clone()),
        upload_id: Some(input.upload_id.clone()),
        initiator: Some(Initiator {
            id: owner.id.clone(),
            display_name: owner.display_name.clone(),
        }),
        owner: Some(owner),
        storage_class: Some(StorageClass::from_static(StorageClass::STANDARD)),
        max_parts: Some(max as i32),
        part_number_marker: input.part_number_marker,
        next_part_number_marker: if truncated { next } else { None },
        is_truncated: Some(truncated),
        checksum_algorithm: upload
            .meta
            .checksum
            .as_ref()
            .map(|(a, _)| ChecksumAlgorithm::from(a.clone())),
        parts: Some(
            parts
                .iter()
                .map(|p| {
                    let sums = ChecksumFields::of(p.checksum.as_ref());
                    Part {
                        e_tag: Some(etag(&p.etag)),
                        last_modified: Some(timestamp(p.last_modified)),
                        part_number: Some(p.part_number as i32),
                        size: Some(p.size as i64),
                        checksum_crc32: sums.crc32,
                        checksum_crc32c: sums.crc32c,
                        checksum_crc64nvme: sums.crc64nvme,
                        checksum_sha1: sums.sha1,
                        checksum_sha256: sums.sha256,
                    }
                })
                .collect(),
        ),
        ..Default::default()
    }))
}

pub(crate) async fn list_multipart_uploads(
    s3: &LabS3,
    req: S3Request<ListMultipartUploadsInput>,
) -> S3Result<S3Response<ListMultipartUploadsOutput>> {
    let input = req.input;
    require_bucket(s3, &input.bucket)?;
    let encode = encoder(input.encoding_type.as_ref())?;
    let max = match input.max_uploads {
        None => 1000,
        Some(n) if n < 0 => {
            return Err(s3_error!(
                InvalidArgument,
                "Argument max-uploads must be an integer between 0 and 2147483647"
            ));
        }
        Some(n) => (n as usize).min(1000),
    };
    let prefix = input.prefix.clone().unwrap_or_default();
    let delimiter = input.delimiter.as_deref().filter(|d| !d.is_empty());
    let all = s3
        .state
        .objects()
        .uploads(
            &input.bucket,
            &prefix,
            input.key_marker.as_deref().filter(|m| !m.is_empty()),
            input.upload_id_marker.as_deref().filter(|m| !m.is_empty()),
            usize::MAX,
        )
        .await
        .map_err(store_err)?;
    let mut uploads = Vec::new();
    let mut prefixes: Vec<String> = Vec::new();
    let mut truncated = false;
    let mut last: Option<(String, Option<String>)> = None;
    for upload in all {
        let common = delimiter.and_then(|d| {
            upload.key[prefix.len()..]
                .find(d)
                .map(|i| upload.key[..prefix.len() + i + d.len()].to_owned())
        });
        if let Some(cp) = &common
            && prefixes.last() == Some(cp)
        {
            continue;
        }
        if uploads.len() + prefixes.len() >= max {
            truncated = true;
            break;
        }
        match common {
            Some(cp) => {
                last = Some((cp.clone(), None));
                prefixes.push(cp);
            }
            None => {
                last = Some((upload.key.clone(), Some(upload.upload_id.clone())));
                let owner = owner_of(&upload.owner);
                uploads.push(MultipartUpload {
                    initiated: Some(timestamp(upload.initiated)),
                    initiator: Some(Initiator {
                        id: owner.id.clone(),
                        display_name: owner.display_name.clone(),
                    }),
                    key: Some(encode(&upload.key)),
                    owner: Some(owner),
                    storage_class: Some(StorageClass::from_static(StorageClass::STANDARD)),
                    upload_id: Some(upload.upload_id.clone()),
                    checksum_algorithm: upload
                        .meta
                        .checksum
                        .as_ref()
                        .map(|(a, _)| ChecksumAlgorithm::from(a.clone())),
                    ..Default::default()
                });
            }
        }
    }
    let (next_key, next_upload) = match (truncated, last) {
        (true, Some((k, u))) => (Some(encode(&k)), u),
        _ => (None, None),
    };
    Ok(S3Response::new(ListMultipartUploadsOutput {
        bucket: Some(input.bucket.clone()),
        prefix: Some(encode(&prefix)),
        delimiter: input.delimiter.as_deref().map(encode),
        key_marker: Some(input.key_marker.as_deref().map(encode).unwrap_or_default()),
        upload_id_marker: Some(input.upload_id_marker.clone().unwrap_or_default()),
        max_uploads: Some(max as i32),
        is_truncated: Some(truncated),
        next_key_marker: next_key,
        next_upload_id_marker: next_upload,
        uploads: (!uploads.is_empty()).then_some(uploads),
        common_prefixes: (!prefixes.is_empty()).then(|| {
            prefixes
                .iter()
                .map(|p| CommonPrefix {
                    prefix: Some(encode(p)),
                })
                .collect()
        }),
        encoding_type: input.encoding_type.clone(),
        ..Default::default()
    }))
}
