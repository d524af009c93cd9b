//! Objects: PutObject, GetObject (ranges, conditions), HeadObject, DeleteObject(s),
//! CopyObject, ListObjects and ListObjectsV2 (prefix, delimiter, pagination, URL encoding).

use s3s::dto::*;
use s3s::{S3Request, S3Response, S3Result, s3_error};
use vpclab_store::{ObjectRecord, Objects};

use super::LabS3;
use super::body::{
    ChecksumFields, MAX_PUT, check_copy_conditions, check_key, check_read_conditions, content_type,
    declared, etag, meta_from, now, read_body, store_err, timestamp, user_metadata, write_body,
};
use super::buckets::bucket_region;

/// The bucket must exist.
pub fn require_bucket(s3: &LabS3, bucket: &str) -> S3Result<()> {
    bucket_region(&s3.state.read(), bucket).map(|_| ())
}

fn no_such_key() -> s3s::S3Error {
    s3_error!(NoSuchKey, "The specified key does not exist.")
}

async fn existing(objects: &Objects, bucket: &str, key: &str) -> S3Result<ObjectRecord> {
    objects
        .get(bucket, key)
        .await
        .map_err(store_err)?
        .ok_or_else(no_such_key)
}

pub(crate) async fn put_object(
    s3: &LabS3,
    req: S3Request<PutObjectInput>,
) -> S3Result<S3Response<PutObjectOutput>> {
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
    // Conditional writes: If-None-Match: * refuses to overwrite; If-Match needs the
    // current ETag (S3 User Guide, "Add preconditions to S3 operations with conditional
    // requests").
    if input.if_none_match.is_some() || input.if_match.is_some() {
        check_write_conditions(
            objects,
            &input.bucket,
            &input.key,
            input.if_match.as_ref(),
            input.if_none_match.as_ref(),
        )
        .await?;
    }
    let written = write_body(
        objects,
        input.body,
        declared,
        req.trailing_headers.as_ref(),
        MAX_PUT,
    )
    .await?;
    meta.checksum = written.checksum.clone();
    let record = ObjectRecord {
        bucket: input.bucket.clone(),
        key: input.key.clone(),
        blob: written.blob.id.clone(),
        size: written.blob.size,
        etag: written.blob.md5_hex(),
        meta,
        last_modified: now(),
    };
    if let Err(e) = objects.put(&record).await {
        objects.discard(&record.blob).await;
        return Err(store_err(e));
    }
    let sums = ChecksumFields::of(written.checksum.as_ref());
    Ok(S3Response::new(PutObjectOutput {
        e_tag: Some(etag(&record.etag)),
        checksum_crc32: sums.crc32,
        checksum_crc32c: sums.crc32c,
        checksum_crc64nvme: sums.crc64nvme,
        checksum_sha1: sums.sha1,
        checksum_sha256: sums.sha256,
        checksum_type: sums.kind,
        size: Some(record.size as i64),
        ..Default::default()
    }))
}

async fn check_write_conditions(
    objects: &Objects,
    bucket: &str,
    key: &str,
    if_match: Option<&ETagCondition>,
    if_none_match: Option<&ETagCondition>,
) -> S3Result<()> {
    let current = objects.get(bucket, key).await.map_err(store_err)?;
    let failed = || {
        s3_error!(
            PreconditionFailed,
            "At least one of the pre-conditions you specified did not hold"
        )
    };
    if if_none_match.is_some() && current.is_some() {
        return Err(failed());
    }
    if let Some(condition) = if_match {
        let Some(current) = current else {
            return Err(no_such_key());
        };
        let ok = match condition {
            ETagCondition::Any => true,
            ETagCondition::ETag(e) => e.value().trim_matches('"') == current.etag,
        };
        if !ok {
            return Err(failed());
        }
    }
    Ok(())
}

/// What GetObject and HeadObject share: the object, its conditions, and the byte range
/// asked for (`None`: the whole object).
async fn object_for_read(
    s3: &LabS3,
    bucket: &str,
    key: &str,
    conditions: (
        Option<&ETagCondition>,
        Option<&Timestamp>,
        Option<&ETagCondition>,
        Option<&Timestamp>,
    ),
    range: Option<&Range>,
    part_number: Option<i32>,
) -> S3Result<(ObjectRecord, Option<std::ops::Range<u64>>)> {
    require_bucket(s3, bucket)?;
    let object = existing(s3.state.objects(), bucket, key).await?;
    check_read_conditions(
        &object,
        conditions.0,
        conditions.1,
        conditions.2,
        conditions.3,
    )?;
    if part_number.is_some() && range.is_some() {
        return Err(s3_error!(
            InvalidRequest,
            "Cannot specify both Range header and partNumber query parameter"
        ));
    }
    let range = match range {
        None => None,
        Some(r) => Some(
            r.check(object.size)
                .map_err(|_| s3_error!(InvalidRange, "The requested range is not satisfiable"))?,
        ),
    };
    // partNumber reads one part of a multipart object (a 206 with its Content-Range and
    // the object's PartsCount); on an object put whole, part 1 is the whole object.
    let mut range = range;
    if let Some(n) = part_number {
        let sizes = &object.meta.part_sizes;
        let parts = sizes.len().max(1) as i32;
        if n < 1 || n > parts {
            let mut e = s3s::S3Error::with_message(
                s3s::S3ErrorCode::Custom("InvalidPartNumber".into()),
                "The requested partnumber is not satisfiable",
            );
            e.set_status_code(hyper::StatusCode::RANGE_NOT_SATISFIABLE);
            return Err(e);
        }
        if !sizes.is_empty() {
            let index = (n - 1) as usize;
            let start: u64 = sizes[..index].iter().sum();
            range = Some(start..start + sizes[index]);
        }
    }
    Ok((object, range))
}

/// The answer to a read (GetObject, HeadObject: the same headers, generated as two types):
/// the object's metadata (or the `response-*` overrides of the request), its length or the
/// range's, and its checksum when asked for and the whole object is read (S3 answers none
/// for a range).
macro_rules! read_output {
    ($output:ident { $($field:ident: $value:expr),* }, $input:expr, $object:expr, $range:expr) => {{
        let input = $input;
        let object: &ObjectRecord = $object;
        let range: &Option<std::ops::Range<u64>> = $range;
        let span = range.clone().unwrap_or(0..object.size);
        let checksum_on = input
            .checksum_mode
            .as_ref()
            .is_some_and(|m| m.as_str() == ChecksumMode::ENABLED);
        let sums = if checksum_on && range.is_none() {
            ChecksumFields::of(object.meta.checksum.as_ref())
        } else {
            ChecksumFields::default()
        };
        let meta = &object.meta;
        $output {
            $($field: $value,)*
            accept_ranges: Some("bytes".to_owned()),
            cache_control: input.response_cache_control.or_else(|| meta.cache_control.clone()),
            content_disposition: input
                .response_content_disposition
                .or_else(|| meta.content_disposition.clone()),
            content_encoding: input
                .response_content_encoding
                .or_else(|| meta.content_encoding.clone()),
            content_language: input
                .response_content_language
                .or_else(|| meta.content_language.clone()),
            content_type: input.response_content_type.or_else(|| content_type(meta)),
            expires: input.response_expires.or_else(|| meta.expires.map(timestamp)),
            content_length: Some((span.end - span.start) as i64),
            content_range: range.as_ref().map(|r| {
                format!("bytes {}-{}/{}", r.start, r.end.saturating_sub(1), object.size)
            }),
            e_tag: Some(etag(&object.etag)),
            last_modified: Some(timestamp(object.last_modified)),
            metadata: user_metadata(meta),
            parts_count: meta.parts_count().map(|n| n as i32),
            checksum_crc32: sums.crc32,
            checksum_crc32c: sums.crc32c,
            checksum_crc64nvme: sums.crc64nvme,
            checksum_sha1: sums.sha1,
            checksum_sha256: sums.sha256,
            checksum_type: sums.kind,
            ..Default::default()
        }
    }};
}

pub(crate) async fn get_object(
    s3: &LabS3,
    req: S3Request<GetObjectInput>,
) -> S3Result<S3Response<GetObjectOutput>> {
    let input = req.input;
    let (object, range) = object_for_read(
        s3,
        &input.bucket,
        &input.key,
        (
            input.if_match.as_ref(),
            input.if_unmodified_since.as_ref(),
            input.if_none_match.as_ref(),
            input.if_modified_since.as_ref(),
        ),
        input.range.as_ref(),
        input.part_number,
    )
    .await?;
    let span = range.clone().unwrap_or(0..object.size);
    let body = read_body(s3.state.objects(), &object.blob, span).await?;
    let output = read_output!(GetObjectOutput { body: Some(body) }, input, &object, &range);
    Ok(S3Response::new(output))
}

pub(crate) async fn head_object(
    s3: &LabS3,
    req: S3Request<HeadObjectInput>,
) -> S3Result<S3Response<HeadObjectOutput>> {
    let input = req.input;
    let (object, range) = object_for_read(
        s3,
        &input.bucket,
        &input.key,
        (
            input.if_match.as_ref(),
            input.if_unmodified_since.as_ref(),
            input.if_none_match.as_ref(),
            input.if_modified_since.as_ref(),
        ),
        input.range.as_ref(),
        input.part_number,
    )
    .await?;
    let output = read_output!(HeadObjectOutput {}, input, &object, &range);
    Ok(S3Response::new(output))
}

pub(crate) async fn delete_object(
    s3: &LabS3,
    req: S3Request<DeleteObjectInput>,
) -> S3Result<S3Response<DeleteObjectOutput>> {
    let input = req.input;
    require_bucket(s3, &input.bucket)?;
    let objects = s3.state.objects();
    if let Some(condition) = input.if_match.as_ref() {
        check_write_conditions(objects, &input.bucket, &input.key, Some(condition), None).await?;
    }
    // S3 answers 204 whether or not the key existed.
    objects
        .delete(&input.bucket, &[input.key.as_str()])
        .await
        .map_err(store_err)?;
    Ok(S3Response::new(DeleteObjectOutput::default()))
}

/// S3's limit on keys per DeleteObjects request.
const MAX_DELETE_KEYS: usize = 1000;

pub(crate) async fn delete_objects(
    s3: &LabS3,
    req: S3Request<DeleteObjectsInput>,
) -> S3Result<S3Response<DeleteObjectsOutput>> {
    let input = req.input;
    require_bucket(s3, &input.bucket)?;
    let asked = &input.delete.objects;
    // More than S3's 1,000 keys is a malformed request. (Keys the policies refuse were
    // taken out by the access check, which answers them beside these: see access.rs.)
    if asked.len() > MAX_DELETE_KEYS {
        return Err(s3_error!(
            MalformedXML,
            "The XML you provided was not well-formed or did not validate against our published schema"
        ));
    }
    let keys: Vec<&str> = asked.iter().map(|o| o.key.as_str()).collect();
    s3.state
        .objects()
        .delete(&input.bucket, &keys)
        .await
        .map_err(store_err)?;
    let quiet = input.delete.quiet.unwrap_or(false);
    let deleted: Vec<DeletedObject> = if quiet {
        Vec::new()
    } else {
        asked
            .iter()
            .map(|object| DeletedObject {
                key: Some(object.key.clone()),
                version_id: object.version_id.clone(),
                ..Default::default()
            })
            .collect()
    };
    Ok(S3Response::new(DeleteObjectsOutput {
        deleted: (!deleted.is_empty()).then_some(deleted),
        ..Default::default()
    }))
}

/// The bucket and key a copy reads.
///
/// An access point ARN names an access point, and the lab has none: it serves no S3
/// Control API to create one, so the source does not exist — S3's `NoSuchAccessPoint`
/// (404, "The specified access point does not exist", in S3's error code list). An S3 on
/// Outposts ARN is not a source the regional S3 endpoint copies from; it is answered as
/// S3 answers a copy source it cannot use, `InvalidArgument` (400).
pub(crate) fn copy_source_object(source: &CopySource) -> S3Result<(&str, &str)> {
    match source {
        CopySource::Bucket { bucket, key, .. } => Ok((bucket, key)),
        CopySource::AccessPoint {
            access_point_name, ..
        } => Err(s3_error!(
            NoSuchAccessPoint,
            "The specified access point does not exist: {access_point_name}"
        )),
        CopySource::Outpost { outpost_id, .. } => Err(s3_error!(
            InvalidArgument,
            "Copy Source must mention the source bucket and key: the regional S3 endpoint does not copy from S3 on Outposts ({outpost_id})"
        )),
    }
}

pub(crate) async fn copy_object(
    s3: &LabS3,
    req: S3Request<CopyObjectInput>,
) -> S3Result<S3Response<CopyObjectOutput>> {
    let input = req.input;
    let (src_bucket, src_key) = copy_source_object(&input.copy_source)?;
    let (src_bucket, src_key) = (src_bucket.to_owned(), src_key.to_owned());
    require_bucket(s3, &input.bucket)?;
    check_key(&input.key)?;
    require_bucket(s3, &src_bucket)?;
    let objects = s3.state.objects();
    let source = existing(objects, &src_bucket, &src_key).await?;
    check_copy_conditions(
        &source,
        input.copy_source_if_match.as_ref(),
        input.copy_source_if_unmodified_since.as_ref(),
        input.copy_source_if_none_match.as_ref(),
        input.copy_source_if_modified_since.as_ref(),
    )?;
    let replace = input
        .metadata_directive
        .as_ref()
        .is_some_and(|d| d.as_str() == MetadataDirective::REPLACE);
    if src_bucket == input.bucket && src_key == input.key && !replace {
        return Err(s3_error!(
            InvalidRequest,
            "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes."
        ));
    }
    let mut meta = if replace {
        meta_from(
            input.content_type.as_ref(),
            input.content_encoding.as_ref(),
            input.content_disposition.as_ref(),
            input.content_language.as_ref(),
            input.cache_control.as_ref(),
            input.expires.as_ref(),
            input.metadata.as_ref(),
        )?
    } else {
        source.meta.clone()
    };
    // A copy is one object, whatever the source was made of: its ETag is the MD5 of its
    // bytes (S3 User Guide, "Checking object integrity": objects created by Copy have an
    // MD5 ETag), and it has no parts.
    let etag_value = if source.meta.parts_count().is_some() {
        md5_of_blob(objects, &source.blob).await?
    } else {
        source.etag.clone()
    };
    if source.meta.parts_count().is_some() {
        meta.checksum = None;
    } else {
        meta.checksum = source.meta.checksum.clone();
    }
    meta.part_sizes.clear();
    let blob = objects.link(&source.blob).await.map_err(store_err)?;
    let record = ObjectRecord {
        bucket: input.bucket.clone(),
        key: input.key.clone(),
        blob,
        size: source.size,
        etag: etag_value,
        meta,
        last_modified: now(),
    };
    if let Err(e) = objects.put(&record).await {
        objects.discard(&record.blob).await;
        return Err(store_err(e));
    }
    let sums = ChecksumFields::of(record.meta.checksum.as_ref());
    Ok(S3Response::new(CopyObjectOutput {
        copy_object_result: Some(CopyObjectResult {
            e_tag: Some(etag(&record.etag)),
            last_modified: Some(timestamp(record.last_modified)),
            checksum_crc32: sums.crc32,
            checksum_crc32c: sums.crc32c,
            checksum_crc64nvme: sums.crc64nvme,
            checksum_sha1: sums.sha1,
            checksum_sha256: sums.sha256,
            checksum_type: sums.kind,
        }),
        ..Default::default()
    }))
}

async fn md5_of_blob(objects: &Objects, blob: &str) -> S3Result<String> {
    use md5::{Digest, Md5};
    let path = objects.blob_path(blob);
    let digest = tokio::task::spawn_blocking(move || -> std::io::Result<[u8; 16]> {
        let mut file = std::fs::File::open(path)?;
        let mut hasher = Md5::new();
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = std::io::Read::read(&mut file, &mut buf)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
        }
        Ok(hasher.finalize().into())
    })
    .await
    .map_err(|e| s3_error!(InternalError, "{e}"))?
    .map_err(|e| s3_error!(InternalError, "{e}"))?;
    Ok(vpclab_store::hex(&digest))
}

/// One page of a listing: keys and common prefixes in key order.
pub struct Page {
    /// The objects.
    pub contents: Vec<ObjectRecord>,
    /// The common prefixes (keys rolled up at the delimiter).
    pub prefixes: Vec<String>,
    /// Whether more entries follow.
    pub truncated: bool,
    /// The last key or common prefix of the page (where the next page starts).
    pub last: Option<String>,
}

/// Rows fetched from the database per round trip while listing.
const LIST_BATCH: usize = 1000;

/// Lists `bucket` as S3 does: keys under `prefix` after `after`, rolled up at the first
/// `delimiter` after the prefix into common prefixes, `max` entries (keys and prefixes)
/// per page.
pub async fn list_page(
    objects: &Objects,
    bucket: &str,
    prefix: &str,
    delimiter: Option<&str>,
    after: Option<&str>,
    max: usize,
) -> S3Result<Page> {
    let delimiter = delimiter.filter(|d| !d.is_empty());
    let mut page = Page {
        contents: Vec::new(),
        prefixes: Vec::new(),
        truncated: false,
        last: None,
    };
    let mut cursor: Option<String> = after.map(str::to_owned);
    // Keys under the last common prefix are rolled up into it: skip them.
    let mut rolled: Option<String> = None;
    loop {
        let batch = objects
            .list(bucket, prefix, cursor.as_deref(), LIST_BATCH)
            .await
            .map_err(store_err)?;
        if batch.is_empty() {
            return Ok(page);
        }
        let full = batch.len() == LIST_BATCH;
        let mut jumped = false;
        for object in batch {
            cursor = Some(object.key.clone());
            if rolled.as_deref().is_some_and(|r| object.key.starts_with(r)) {
                continue;
            }
            let common = delimiter.and_then(|d| {
                object.key[prefix.len()..]
                    .find(d)
                    .map(|i| object.key[..prefix.len() + i + d.len()].to_owned())
            });
            if let Some(cp) = common {
                // A prefix at or before the marker was answered on an earlier page.
                if after.is_some_and(|a| cp.as_str() <= a) {
                    rolled = Some(cp.clone());
                } else {
                    if page.contents.len() + page.prefixes.len() >= max {
                        page.truncated = true;
                        return Ok(page);
                    }
                    page.last = Some(cp.clone());
                    page.prefixes.push(cp.clone());
                    rolled = Some(cp.clone());
                }
                // Jump past every key under the prefix in one query: no key under it
                // sorts after the prefix followed by the largest character.
                let mut next = cp;
                next.push(char::MAX);
                cursor = Some(next);
                jumped = true;
                break;
            }
            if page.contents.len() + page.prefixes.len() >= max {
                page.truncated = true;
                return Ok(page);
            }
            page.last = Some(object.key.clone());
            page.contents.push(object);
        }
        if !full && !jumped {
            return Ok(page);
        }
    }
}

/// S3's URL encoding of keys in listings (`encoding-type=url`): everything but unreserved
/// characters and `/` is percent-encoded; botocore decodes it back.
pub fn url_encode(s: &str) -> String {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
    const SET: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~')
        .remove(b'/');
    utf8_percent_encode(s, SET).to_string()
}

/// Applies `encoding-type` to a string of a listing.
pub fn encoder(encoding: Option<&EncodingType>) -> S3Result<fn(&str) -> String> {
    match encoding.map(|e| e.as_str()) {
        None => Ok(|s: &str| s.to_owned()),
        Some("url") => Ok(url_encode),
        Some(_) => Err(s3_error!(
            InvalidArgument,
            "Invalid Encoding Method specified in Request"
        )),
    }
}

/// `max-keys` as S3 reads it: 1,000 when absent or larger; negative refused.
pub fn max_keys(value: Option<i32>) -> S3Result<usize> {
    match value {
        None => Ok(1000),
        Some(n) if n < 0 => Err(s3_error!(
            InvalidArgument,
            "Provided max-keys not an integer or within integer range"
        )),
        Some(n) => Ok((n as usize).min(1000)),
    }
}

fn listed(object: &ObjectRecord, encode: fn(&str) -> String, owner: Option<&Owner>) -> Object {
    Object {
        e_tag: Some(etag(&object.etag)),
        key: Some(encode(&object.key)),
        last_modified: Some(timestamp(object.last_modified)),
        owner: owner.cloned(),
        size: Some(object.size as i64),
        storage_class: Some(ObjectStorageClass::from_static(
            ObjectStorageClass::STANDARD,
        )),
        checksum_algorithm: object
            .meta
            .checksum
            .as_ref()
            .map(|(a, _)| vec![ChecksumAlgorithm::from(a.clone())]),
        checksum_type: ChecksumFields::of(object.meta.checksum.as_ref()).kind,
        ..Default::default()
    }
}

fn bucket_owner(s3: &LabS3, bucket: &str) -> Option<Owner> {
    s3.state.read().bucket(bucket).map(|b| Owner {
        id: Some(b.owner_id.to_string()),
        display_name: Some(b.owner_id.to_string()),
    })
}

pub(crate) async fn list_objects(
    s3: &LabS3,
    req: S3Request<ListObjectsInput>,
) -> S3Result<S3Response<ListObjectsOutput>> {
    let input = req.input;
    require_bucket(s3, &input.bucket)?;
    let encode = encoder(input.encoding_type.as_ref())?;
    let max = max_keys(input.max_keys)?;
    let prefix = input.prefix.clone().unwrap_or_default();
    let page = list_page(
        s3.state.objects(),
        &input.bucket,
        &prefix,
        input.delimiter.as_deref(),
        input.marker.as_deref().filter(|m| !m.is_empty()),
        max,
    )
    .await?;
    let owner = bucket_owner(s3, &input.bucket);
    // S3 answers NextMarker only when a delimiter was given; without one, clients use the
    // last key.
    let next_marker = (page.truncated && input.delimiter.as_deref().is_some_and(|d| !d.is_empty()))
        .then(|| page.last.as_deref().map(encode))
        .flatten();
    Ok(S3Response::new(ListObjectsOutput {
        name: Some(input.bucket.clone()),
        prefix: Some(encode(&prefix)),
        marker: Some(input.marker.as_deref().map(encode).unwrap_or_default()),
        max_keys: Some(max as i32),
        is_truncated: Some(page.truncated),
        contents: (!page.contents.is_empty()).then(|| {
            page.contents
                .iter()
                .map(|o| listed(o, encode, owner.as_ref()))
                .collect()
        }),
        common_prefixes: (!page.prefixes.is_empty()).then(|| {
            page.prefixes
                .iter()
                .map(|p| CommonPrefix {
                    prefix: Some(encode(p)),
                })
                .collect()
        }),
        delimiter: input.delimiter.as_deref().map(encode),
        next_marker,
        encoding_type: input.encoding_type.clone(),
        ..Default::default()
    }))
}

/// A continuation token: the last entry of the page, hex-encoded (opaque to clients).
fn token_of(last: &str) -> String {
    hex::encode(last.as_bytes())
}

fn token_value(token: &str) -> S3Result<String> {
    hex::decode(token)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(|| {
            s3_error!(
                InvalidArgument,
                "The continuation token provided is incorrect"
            )
        })
}

pub(crate) async fn list_objects_v2(
    s3: &LabS3,
    req: S3Request<ListObjectsV2Input>,
) -> S3Result<S3Response<ListObjectsV2Output>> {
    let input = req.input;
    require_bucket(s3, &input.bucket)?;
    let encode = encoder(input.encoding_type.as_ref())?;
    let max = max_keys(input.max_keys)?;
    let prefix = input.prefix.clone().unwrap_or_default();
    let after = match input.continuation_token.as_deref() {
        Some(token) => Some(token_value(token)?),
        None => input.start_after.clone().filter(|s| !s.is_empty()),
    };
    let page = list_page(
        s3.state.objects(),
        &input.bucket,
        &prefix,
        input.delimiter.as_deref(),
        after.as_deref(),
        max,
    )
    .await?;
    let owner = if input.fetch_owner.unwrap_or(false) {
        bucket_owner(s3, &input.bucket)
    } else {
        None
    };
    let key_count = (page.contents.len() + page.prefixes.len()) as i32;
    Ok(S3Response::new(ListObjectsV2Output {
        name: Some(input.bucket.clone()),
        prefix: Some(encode(&prefix)),
        max_keys: Some(max as i32),
        key_count: Some(key_count),
        continuation_token: input.continuation_token.clone(),
        is_truncated: Some(page.truncated),
        next_continuation_token: page
            .truncated
            .then(|| page.last.as_deref().map(token_of))
            .flatten(),
        contents: (!page.contents.is_empty()).then(|| {
            page.contents
                .iter()
                .map(|o| listed(o, encode, owner.as_ref()))
                .collect()
        }),
        common_prefixes: (!page.prefixes.is_empty()).then(|| {
            page.prefixes
                .iter()
                .map(|p| CommonPrefix {
                    prefix: Some(encode(p)),
                })
                .collect()
        }),
        delimiter: input.delimiter.as_deref().map(encode),
        encoding_type: input.encoding_type.clone(),
        start_after: input.start_after.as_deref().map(encode),
        ..Default::default()
    }))
}
