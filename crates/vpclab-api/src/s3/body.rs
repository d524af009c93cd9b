//! Request bodies into blobs (streamed, hashed, checksums verified) and blobs back into
//! response bodies (streamed, ranges), plus the pieces every object operation shares.

use futures::StreamExt;
use s3s::checksum::ChecksumHasher;
use s3s::crypto::Checksum as _;
use s3s::dto::*;
use s3s::{S3Error, S3ErrorCode, S3Result, s3_error};
use vpclab_store::{Blob, ObjectMeta, ObjectRecord, Objects, StoreError};

/// S3's largest single PUT (and part): 5 GiB.
pub const MAX_PUT: u64 = 5 * 1024 * 1024 * 1024;

/// S3's longest key: 1,024 bytes of UTF-8.
pub const MAX_KEY: usize = 1024;

/// S3's limit on user metadata: 2 KB of names and values.
pub const MAX_USER_METADATA: usize = 2048;

/// Bytes per chunk when streaming an object out.
const READ_CHUNK: u64 = 1024 * 1024;

/// A storage failure, answered as S3's 500 `InternalError`.
pub fn store_err(e: StoreError) -> S3Error {
    S3Error::with_message(
        S3ErrorCode::InternalError,
        format!("We encountered an internal error. Please try again. ({e})"),
    )
}

/// Milliseconds since the epoch of an s3s timestamp.
pub fn ms_of(t: &Timestamp) -> i64 {
    let t: time::OffsetDateTime = t.clone().into();
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

/// An s3s timestamp of milliseconds since the epoch.
pub fn timestamp(ms: i64) -> Timestamp {
    Timestamp::from(super::buckets::time_of(ms))
}

/// The quoted ETag of a stored object.
pub fn etag(value: &str) -> ETag {
    ETag::Strong(value.to_owned())
}

/// Refuses keys S3 refuses.
pub fn check_key(key: &str) -> S3Result<()> {
    if key.is_empty() {
        return Err(s3_error!(InvalidArgument, "Object key must not be empty"));
    }
    if key.len() > MAX_KEY {
        return Err(s3_error!(KeyTooLongError, "Your key is too long"));
    }
    Ok(())
}

/// The checksum algorithms S3 keeps, by their names in headers.
const ALGORITHMS: [&str; 5] = ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"];

/// A hasher for one algorithm.
pub fn hasher_for(algorithm: &str) -> Option<ChecksumHasher> {
    let mut h = ChecksumHasher::default();
    match algorithm {
        "CRC32" => h.crc32 = Some(s3s::crypto::Crc32::new()),
        "CRC32C" => h.crc32c = Some(s3s::crypto::Crc32c::new()),
        "CRC64NVME" => h.crc64nvme = Some(s3s::crypto::Crc64Nvme::new()),
        "SHA1" => h.sha1 = Some(s3s::crypto::Sha1::new()),
        "SHA256" => h.sha256 = Some(s3s::crypto::Sha256::new()),
        _ => return None,
    }
    Some(h)
}

/// The value of one algorithm in a computed checksum.
pub fn value_of(sum: &Checksum, algorithm: &str) -> Option<String> {
    match algorithm {
        "CRC32" => sum.checksum_crc32.clone(),
        "CRC32C" => sum.checksum_crc32c.clone(),
        "CRC64NVME" => sum.checksum_crc64nvme.clone(),
        "SHA1" => sum.checksum_sha1.clone(),
        "SHA256" => sum.checksum_sha256.clone(),
        _ => None,
    }
}

/// The checksum fields an output carries for a kept checksum.
#[derive(Default)]
pub struct ChecksumFields {
    /// `x-amz-checksum-crc32`.
    pub crc32: Option<String>,
    /// `x-amz-checksum-crc32c`.
    pub crc32c: Option<String>,
    /// `x-amz-checksum-crc64nvme`.
    pub crc64nvme: Option<String>,
    /// `x-amz-checksum-sha1`.
    pub sha1: Option<String>,
    /// `x-amz-checksum-sha256`.
    pub sha256: Option<String>,
    /// `x-amz-checksum-type`.
    pub kind: Option<ChecksumType>,
}

impl ChecksumFields {
    /// Fields for `(algorithm, value)`; composite values (`…-N`, after a multipart upload)
    /// are COMPOSITE, others FULL_OBJECT.
    pub fn of(checksum: Option<&(String, String)>) -> ChecksumFields {
        let mut f = ChecksumFields::default();
        let Some((algorithm, value)) = checksum else {
            return f;
        };
        let v = Some(value.clone());
        match algorithm.as_str() {
            "CRC32" => f.crc32 = v,
            "CRC32C" => f.crc32c = v,
            "CRC64NVME" => f.crc64nvme = v,
            "SHA1" => f.sha1 = v,
            "SHA256" => f.sha256 = v,
            _ => return f,
        }
        f.kind = Some(ChecksumType::from_static(if value.contains('-') {
            ChecksumType::COMPOSITE
        } else {
            ChecksumType::FULL_OBJECT
        }));
        f
    }
}

/// What the client declared about a body's integrity.
#[derive(Default)]
pub struct Declared {
    /// `Content-MD5`, decoded.
    pub md5: Option<[u8; 16]>,
    /// The checksum algorithm, and its value when sent in a header.
    pub checksum: Option<(String, Option<String>)>,
}

/// Reads `Content-MD5` and the checksum headers (`x-amz-checksum-*`, the algorithm a
/// trailer will carry, or `x-amz-sdk-checksum-algorithm` alone: S3 then computes it).
pub fn declared(
    content_md5: Option<&str>,
    algorithm: Option<&ChecksumAlgorithm>,
    values: [Option<&String>; 5],
    headers: &hyper::HeaderMap,
) -> S3Result<Declared> {
    let md5 = match content_md5 {
        None => None,
        Some(text) => {
            let bytes = base64_simd::STANDARD
                .decode_to_vec(text.trim())
                .map_err(|_| {
                    s3_error!(InvalidDigest, "The Content-MD5 you specified was invalid.")
                })?;
            let md5: [u8; 16] = bytes.try_into().map_err(|_| {
                s3_error!(InvalidDigest, "The Content-MD5 you specified was invalid.")
            })?;
            Some(md5)
        }
    };
    let mut checksum = None;
    for (name, value) in ALGORITHMS.iter().zip(values) {
        if let Some(v) = value {
            if checksum.is_some() {
                return Err(s3_error!(
                    InvalidRequest,
                    "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed."
                ));
            }
            checksum = Some((name.to_string(), Some(v.clone())));
        }
    }
    if checksum.is_none()
        && let Some(trailer) = headers.get("x-amz-trailer").and_then(|v| v.to_str().ok())
        && let Some(name) = trailer.trim().strip_prefix("x-amz-checksum-")
    {
        let name = name.to_ascii_uppercase();
        if hasher_for(&name).is_none() {
            return Err(s3_error!(
                InvalidRequest,
                "The value specified in the x-amz-trailer header is not supported"
            ));
        }
        checksum = Some((name, None));
    }
    if checksum.is_none()
        && let Some(a) = algorithm
    {
        let name = a.as_str().to_ascii_uppercase();
        if hasher_for(&name).is_none() {
            return Err(s3_error!(
                InvalidRequest,
                "Checksum algorithm provided is unsupported."
            ));
        }
        checksum = Some((name, None));
    }
    Ok(Declared { md5, checksum })
}

/// A body written to a new blob, its integrity checked against what was declared.
pub struct Written {
    /// The blob.
    pub blob: Blob,
    /// The kept checksum (algorithm, base64 value).
    pub checksum: Option<(String, String)>,
}

/// Streams `body` into a new blob, hashing it as it goes; refuses (and drops the blob)
/// when it is larger than `max` or does not match `Content-MD5` or its checksum. A
/// checksum sent in a trailer is read from `trailers` once the body has ended.
pub async fn write_body(
    objects: &Objects,
    body: Option<StreamingBlob>,
    declared: Declared,
    trailers: Option<&s3s::TrailingHeaders>,
    max: u64,
) -> S3Result<Written> {
    let mut writer = objects.writer().await.map_err(store_err)?;
    let mut hasher = declared
        .checksum
        .as_ref()
        .and_then(|(algorithm, _)| hasher_for(algorithm));
    if let Some(mut body) = body {
        while let Some(chunk) = body.next().await {
            let chunk = match chunk {
                Ok(c) => c,
                Err(e) => {
                    writer.discard().await;
                    return Err(S3Error::with_message(
                        S3ErrorCode::IncompleteBody,
                        format!("The request body could not be read: {e}"),
                    ));
                }
            };
            if writer.size() + chunk.len() as u64 > max {
                writer.discard().await;
                return Err(s3_error!(
                    EntityTooLarge,
                    "Your proposed upload exceeds the maximum allowed size"
                ));
            }
            if let Some(h) = hasher.as_mut() {
                h.update(&chunk);
            }
            if let Err(e) = writer.write(chunk).await {
                writer.discard().await;
                return Err(store_err(e));
            }
        }
    }
    let blob = writer.finish().await.map_err(store_err)?;
    let refuse = |e: S3Error| async {
        objects.discard(&blob.id).await;
        Err(e)
    };
    if let Some(md5) = declared.md5
        && md5 != blob.md5
    {
        return refuse(s3_error!(
            BadDigest,
            "The Content-MD5 you specified did not match what we received."
        ))
        .await;
    }
    let mut checksum = None;
    if let (Some((algorithm, sent)), Some(h)) = (declared.checksum, hasher) {
        let computed = value_of(&h.finalize(), &algorithm).unwrap_or_default();
        let sent = sent.or_else(|| {
            let header = format!("x-amz-checksum-{}", algorithm.to_ascii_lowercase());
            trailers.and_then(|t| {
                t.read(|h| {
                    h.get(&header)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned)
                })
                .flatten()
            })
        });
        if let Some(sent) = sent
            && sent != computed
        {
            return refuse(S3Error::with_message(
                S3ErrorCode::BadDigest,
                format!("The {algorithm} you specified did not match the calculated checksum."),
            ))
            .await;
        }
        checksum = Some((algorithm, computed));
    }
    Ok(Written { blob, checksum })
}

/// A response body streaming `range` of a blob from disk.
pub async fn read_body(
    objects: &Objects,
    blob: &str,
    range: std::ops::Range<u64>,
) -> S3Result<StreamingBlob> {
    let path = objects.blob_path(blob);
    let len = range.end - range.start;
    // The file is read with std's blocking calls on the blocking pool, a chunk per trip,
    // straight into the buffer that is sent (tokio's File would copy every chunk once more
    // through its own buffer).
    let first = read_chunk(path.clone(), None, range.start, len.min(READ_CHUNK)).await?;
    let (file, chunk) = first;
    let sent = chunk.len() as u64;
    let head = futures::stream::once(async move { Ok::<_, std::io::Error>(chunk) });
    if sent >= len {
        return Ok(StreamingBlob::wrap(head));
    }
    let rest = futures::stream::try_unfold(
        (Some(file), range.start + sent, len - sent, path),
        |(file, at, left, path)| async move {
            if left == 0 {
                return Ok(None);
            }
            let (file, chunk) = read_chunk(path.clone(), file, at, left.min(READ_CHUNK))
                .await
                .map_err(|e| std::io::Error::other(e.to_string()))?;
            let n = chunk.len() as u64;
            Ok(Some((chunk, (Some(file), at + n, left - n, path))))
        },
    );
    Ok(StreamingBlob::wrap(head.chain(rest)))
}

/// Reads `len` bytes at `at` (opening the file if `file` is `None`).
async fn read_chunk(
    path: std::path::PathBuf,
    file: Option<std::fs::File>,
    at: u64,
    len: u64,
) -> S3Result<(std::fs::File, bytes::Bytes)> {
    let shown = path.display().to_string();
    let read = tokio::task::spawn_blocking(move || -> std::io::Result<_> {
        use std::io::{Read, Seek};
        let mut file = match file {
            Some(f) => f,
            None => std::fs::File::open(&path)?,
        };
        let mut buf = Vec::with_capacity(len as usize);
        file.seek(std::io::SeekFrom::Start(at))?;
        // `take` + `read_to_end` on a File reads into the spare capacity without zeroing
        // it first (File implements `read_buf`).
        (&file).take(len).read_to_end(&mut buf)?;
        if (buf.len() as u64) < len {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the object's file is shorter than its size",
            ));
        }
        Ok((file, bytes::Bytes::from(buf)))
    })
    .await;
    let io = |why: String| {
        store_err(StoreError::Io {
            what: shown.clone(),
            why,
        })
    };
    match read {
        Ok(Ok(done)) => Ok(done),
        Ok(Err(e)) => Err(io(e.to_string())),
        Err(e) => Err(io(e.to_string())),
    }
}

/// Metadata from a write's headers; `Content-Type` defaults as S3's does.
#[allow(clippy::too_many_arguments)]
pub fn meta_from(
    content_type: Option<&ContentType>,
    content_encoding: Option<&String>,
    content_disposition: Option<&String>,
    content_language: Option<&String>,
    cache_control: Option<&String>,
    expires: Option<&Timestamp>,
    metadata: Option<&Metadata>,
) -> S3Result<ObjectMeta> {
    let user: std::collections::BTreeMap<String, String> = metadata
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
                .collect()
        })
        .unwrap_or_default();
    let size: usize = user.iter().map(|(k, v)| k.len() + v.len()).sum();
    if size > MAX_USER_METADATA {
        return Err(s3_error!(
            MetadataTooLarge,
            "Your metadata headers exceed the maximum allowed metadata size."
        ));
    }
    Ok(ObjectMeta {
        content_type: Some(
            content_type
                .map(|c| c.to_string())
                .unwrap_or_else(|| "binary/octet-stream".to_owned()),
        ),
        content_encoding: content_encoding.cloned(),
        content_disposition: content_disposition.cloned(),
        content_language: content_language.cloned(),
        cache_control: cache_control.cloned(),
        expires: expires.map(ms_of),
        user,
        checksum: None,
        part_sizes: Vec::new(),
    })
}

/// The user metadata of an object, as s3s answers it.
pub fn user_metadata(meta: &ObjectMeta) -> Option<Metadata> {
    (!meta.user.is_empty()).then(|| {
        meta.user
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    })
}

/// The content type of an object, as s3s answers it.
pub fn content_type(meta: &ObjectMeta) -> Option<ContentType> {
    meta.content_type.as_deref().and_then(|c| c.parse().ok())
}

/// Seconds, the precision of HTTP dates (conditions compare at that precision).
fn seconds(ms: i64) -> i64 {
    ms.div_euclid(1000)
}

fn matches(condition: &ETagCondition, etag: &str) -> bool {
    match condition {
        ETagCondition::Any => true,
        ETagCondition::ETag(e) => e.value().trim_matches('"') == etag,
    }
}

/// Read conditions (RFC 9110 §13.2.2, as S3 documents them for GetObject/HeadObject):
/// `If-Match` false → 412; else `If-Unmodified-Since` false → 412; `If-None-Match` true →
/// 304; else `If-Modified-Since` false → 304.
pub fn check_read_conditions(
    object: &ObjectRecord,
    if_match: Option<&ETagCondition>,
    if_unmodified_since: Option<&Timestamp>,
    if_none_match: Option<&ETagCondition>,
    if_modified_since: Option<&Timestamp>,
) -> S3Result<()> {
    let modified = seconds(object.last_modified);
    let failed = || {
        s3_error!(
            PreconditionFailed,
            "At least one of the pre-conditions you specified did not hold"
        )
    };
    match if_match {
        Some(c) if !matches(c, &object.etag) => return Err(failed()),
        Some(_) => {}
        None => {
            if let Some(t) = if_unmodified_since
                && modified > seconds(ms_of(t))
            {
                return Err(failed());
            }
        }
    }
    let not_modified = || S3Error::with_message(S3ErrorCode::NotModified, "Not Modified");
    match if_none_match {
        Some(c) if matches(c, &object.etag) => return Err(not_modified()),
        Some(_) => {}
        None => {
            if let Some(t) = if_modified_since
                && modified <= seconds(ms_of(t))
            {
                return Err(not_modified());
            }
        }
    }
    Ok(())
}

/// Copy-source conditions (CopyObject): like reads, but every failure is a 412.
pub fn check_copy_conditions(
    object: &ObjectRecord,
    if_match: Option<&ETagCondition>,
    if_unmodified_since: Option<&Timestamp>,
    if_none_match: Option<&ETagCondition>,
    if_modified_since: Option<&Timestamp>,
) -> S3Result<()> {
    check_read_conditions(
        object,
        if_match,
        if_unmodified_since,
        if_none_match,
        if_modified_since,
    )
    .map_err(|e| {
        if *e.code() == S3ErrorCode::NotModified {
            s3_error!(
                PreconditionFailed,
                "At least one of the pre-conditions you specified did not hold"
            )
        } else {
            e
        }
    })
}

/// The current time in milliseconds.
pub fn now() -> i64 {
    crate::server::now_ms()
}
