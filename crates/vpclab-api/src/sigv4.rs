//! AWS Signature Version 4 verification of incoming requests.
//!
//! Pure: no IO and no clock. The server adapts its HTTP request to a [`SignedRequest`],
//! passes the [`Credentials`] it knows and the time, and [`verify`] answers who signed the
//! request ([`Verified`]) or why it is refused ([`SigV4Error`]).
//!
//! Both forms are accepted: the `Authorization: AWS4-HMAC-SHA256 Credential=…,
//! SignedHeaders=…, Signature=…` header, and presigned query strings (`X-Amz-Algorithm`,
//! `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-Expires`, `X-Amz-SignedHeaders`,
//! `X-Amz-Signature`). The canonical request, the string to sign and the signing key follow
//! "Create a signed AWS API request" in the IAM User Guide
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html>) and S3's
//! "Authenticating Requests (AWS Signature Version 4)"
//! (<https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-authenticating-requests.html>);
//! they are checked against AWS's SigV4 test suite and against requests botocore signs (see
//! `tests/sigv4_*.rs`).
//!
//! # Rules that are easy to get wrong
//!
//! - The canonical URI: every service but S3 removes dot segments and empty segments and then
//!   encodes the path *again* (`%3A` → `%253A`); S3 does neither, and vpclab decodes an S3
//!   path's escapes and encodes it once by AWS's rule, so `~` and `%7E` agree ([`UriRule`]).
//! - The canonical query: parameters decoded and re-encoded with AWS's `UriEncode` (only
//!   `A-Za-z0-9-._~` stay), sorted by encoded key then value; `+` reads as a space; a
//!   presigned request leaves its `X-Amz-Signature` out.
//! - Headers: names lower-cased, values trimmed with inner white-space runs collapsed,
//!   repeated headers joined with `,` in the order received; only the headers the request
//!   lists in `SignedHeaders` (which must include `host`).
//! - The timestamp is `X-Amz-Date` (header or presigned parameter) or else the `Date` header,
//!   and the credential scope's date must be its day. Header-signed requests may be 15
//!   minutes off the server's clock either way; presigned ones are good from `X-Amz-Date`
//!   (15 minutes of skew allowed) until `X-Amz-Date` + `X-Amz-Expires` (at most a week).
//! - The payload hash is `x-amz-content-sha256` when the request sends it (required by S3
//!   for header authentication; `UNSIGNED-PAYLOAD` and the `STREAMING-…` markers allowed),
//!   `UNSIGNED-PAYLOAD` for presigned S3 requests, and otherwise the SHA-256 of the body.
//! - Signatures are compared in constant time (`hmac`'s `verify_slice`).
//!
//! # Error codes per service
//!
//! Verification failures are [`ErrorKind`]s; AWS services word them differently, so
//! [`SigV4Error::code_for`], [`SigV4Error::message_for`], [`SigV4Error::http_status_for`] and
//! [`SigV4Error::details_for`] take the service (the credential scope's, `ec2`, `sts`,
//! `elasticloadbalancing`, `s3`, …). "Query" below means STS, ELBv2 and the other query
//! services.
//!
//! | `ErrorKind` | EC2 | Query (STS, ELBv2, …) | S3 |
//! |---|---|---|---|
//! | `MissingAuthentication` | `MissingAuthenticationToken` 401 | `MissingAuthenticationToken` 403 | anonymous request (fallback `AccessDenied` 403) |
//! | `ConflictingAuthentication` | `IncompleteSignature` 400 | `IncompleteSignature` 400 | `InvalidArgument` 400 [5] |
//! | `UnsupportedAlgorithm` (SigV2, SigV4a) | `IncompleteSignature` 400 | `IncompleteSignature` 400 | `InvalidRequest` 400 [5] |
//! | `Malformed` (header / query) | `IncompleteSignature` 400 [3] | `IncompleteSignature` 400 [3] | `AuthorizationHeaderMalformed` / `AuthorizationQueryParametersError` 400 [5] |
//! | `SignedHeaderAbsent` | `IncompleteSignature` 400 [3] | `IncompleteSignature` 400 [3] | `SignatureDoesNotMatch` 403 * |
//! | `MissingDate` | `IncompleteSignature` 400 [3] | `IncompleteSignature` 400 [3] | `AccessDenied` 403 [5] |
//! | `ScopeDateMismatch` | `SignatureDoesNotMatch` 403 [2] | `SignatureDoesNotMatch` 403 [2] | `AuthorizationHeaderMalformed` / `AuthorizationQueryParametersError` 400 [5] |
//! | `TimeSkewed` (±15 min) | `RequestExpired` 400 "Request has expired." [1][4] | `SignatureDoesNotMatch` 403 "Signature expired: … is now earlier than …" [2][4] | `RequestTimeTooSkewed` 403 [5] |
//! | `PresignedExpired` | `RequestExpired` 400 [1] | `SignatureDoesNotMatch` 403 * | `AccessDenied` 403 "Request has expired" [5] |
//! | `PresignedNotYetValid` | `RequestExpired` 400 [1] | `SignatureDoesNotMatch` 403 "Signature not yet current" [2] | `AccessDenied` 403 "Request is not yet valid" [5] |
//! | `InvalidContentSha256` | `IncompleteSignature` 400 * | `IncompleteSignature` 400 * | `InvalidArgument` 400 [5] |
//! | `MissingContentSha256` | `InternalError` 500 (the server did not hash the body) | `InternalFailure` 500 (idem) | `InvalidRequest` 400 [5] |
//! | `ContentSha256Mismatch` | `SignatureDoesNotMatch` 403 * | `SignatureDoesNotMatch` 403 * | `XAmzContentSHA256Mismatch` 400 [5] |
//! | `UnknownAccessKey` | `AuthFailure` 401 "AWS was not able to validate the provided access credentials" [1][4] | `InvalidClientTokenId` 403 "The security token included in the request is invalid." [3][4] | `InvalidAccessKeyId` 403 [5] |
//! | `SignatureDoesNotMatch` | `SignatureDoesNotMatch` 403 [1][4] | `SignatureDoesNotMatch` 403 [3] | `SignatureDoesNotMatch` 403, with `StringToSign` and `CanonicalRequest` details [5] |
//! | `HeadersNotSigned` (S3 only) | — | — | `AccessDenied` 403 "There were headers present in the request which were not signed" [5] |
//!
//! Sources: [1] Amazon EC2 API Reference, "Error codes for the Amazon EC2 API"
//! (<https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html>);
//! [2] IAM User Guide, "Troubleshoot signed requests for AWS APIs"
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/signature-v4-troubleshooting.html>);
//! [3] AWS STS API Reference, "Common Errors"
//! (<https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html>);
//! [4] responses of the real services quoted in SDK issues (aws-cli #6676: STS
//! `SignatureDoesNotMatch` "Signature expired: … - 15 min.)"; aws-sdk-java #1443: EC2
//! `RequestExpired` 400; aws-sdk-java-v2 #2981 and the EC2 `AuthFailure` 401 reports;
//! vagrant-aws #138: EC2 `SignatureDoesNotMatch` 403); [5] Amazon S3 API Reference, "Error
//! responses" (<https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html>) and
//! S3 answers quoted in SDK issues (aws-sdk-php #1333 and #612, minio #2638, soto-core #99).
//! `*` marks vpclab's choice where no AWS source was found. EC2's statuses for
//! `MissingAuthenticationToken` and the presigned cases are inferred from its `AuthFailure`
//! and `RequestExpired` answers.

mod canonical;
mod error;
mod parse;
mod sign;
mod streaming;
mod time;

use hmac::Mac;
use sha2::{Digest, Sha256};

pub use canonical::UriRule;
pub use error::{AuthForm, ErrorKind, Mismatch, SigV4Error};
pub use sign::Signer;
pub use streaming::{ChunkChain, SigningContext};

use canonical::{
    CanonicalRequest, canonical_header_value, canonical_query, canonical_uri, header_values, hmac,
    signing_key, string_to_sign,
};
use error::MAX_SKEW_MS;
use parse::{Auth, single_header};
use time::{format_amz_date, parse_amz_date, parse_http_date};

/// The longest `X-Amz-Expires` AWS accepts: a week.
const MAX_EXPIRES_S: u64 = 604_800;

/// What the verifier needs from an HTTP request; the server adapts its request to this.
#[derive(Clone, Copy, Debug)]
pub struct SignedRequest<'a> {
    /// The method, as sent (`GET`, `POST`, …).
    pub method: &'a str,
    /// The path as received, still percent-encoded as the client sent it.
    pub path: &'a str,
    /// The raw query string without `?`, possibly empty.
    pub query: &'a str,
    /// Every header, names in any case, values as received; a repeated header appears once
    /// per occurrence. Under HTTP/2 the adapter must supply `host` from `:authority`.
    pub headers: &'a [(&'a str, &'a str)],
    /// The body, or what is known of it.
    pub payload: Payload<'a>,
}

/// What the caller knows of the request body.
#[derive(Clone, Copy, Debug)]
pub enum Payload<'a> {
    /// The whole body (EC2, ELBv2 and STS forms are small): the verifier hashes it, and
    /// refuses a request whose `x-amz-content-sha256` disagrees.
    Bytes(&'a [u8]),
    /// The body's SHA-256, computed by the caller.
    Sha256([u8; 32]),
    /// The body has not been read (S3 streams it): the signature is checked against what
    /// `x-amz-content-sha256` declares, and [`Verified::payload`] says what the body must
    /// then be checked against.
    Unread,
}

/// What the signature says about the body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignedPayload {
    /// The signature covers the body's SHA-256. When the caller passed the body or its hash
    /// (`body_checked`), they agreed; otherwise the caller must compare as it reads.
    Sha256 {
        /// The SHA-256 the signature covers.
        digest: [u8; 32],
        /// Whether the body received was already found to have this hash.
        body_checked: bool,
    },
    /// `UNSIGNED-PAYLOAD`: the body is not covered by the signature.
    Unsigned,
    /// `STREAMING-UNSIGNED-PAYLOAD-TRAILER`: an `aws-chunked` body with unsigned chunks and
    /// a checksum trailer.
    StreamingUnsignedTrailer,
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`: an `aws-chunked` body whose chunks are signed
    /// (check them with [`SigningContext::chunk_chain`]).
    StreamingSigned,
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER`: signed chunks and a signed trailer.
    StreamingSignedTrailer,
}

/// The secrets the verifier may use.
pub trait Credentials {
    /// The secret of `access_key_id` and the account it belongs to, or `None` when the key
    /// is unknown.
    fn secret_for(&self, access_key_id: &str) -> Option<AccessKeySecret>;
}

/// The secret half of an access key, and whose key it is.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessKeySecret {
    /// The secret access key.
    pub secret_access_key: String,
    /// The twelve-digit account the key belongs to.
    pub account_id: String,
}

impl std::fmt::Debug for AccessKeySecret {
    /// Never prints the secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessKeySecret")
            .field("account_id", &self.account_id)
            .finish_non_exhaustive()
    }
}

impl<S: std::hash::BuildHasher> Credentials
    for std::collections::HashMap<String, AccessKeySecret, S>
{
    fn secret_for(&self, access_key_id: &str) -> Option<AccessKeySecret> {
        self.get(access_key_id).cloned()
    }
}

/// Who signed a request that verified, and what the signature covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    /// The access key that signed.
    pub access_key_id: String,
    /// The account of that key.
    pub account_id: String,
    /// The region of the credential scope.
    pub region: String,
    /// The service of the credential scope (`ec2`, `sts`, `s3`, …).
    pub service: String,
    /// When the request was signed, in milliseconds since the Unix epoch.
    pub signed_at_ms: i64,
    /// Header or presigned.
    pub form: AuthForm,
    /// A presigned request's `X-Amz-Expires`, in seconds.
    pub expires_s: Option<u64>,
    /// `X-Amz-Security-Token`, which the caller must validate if it accepts temporary
    /// credentials (the signature alone does not).
    pub session_token: Option<String>,
    /// The signed headers, lower-case.
    pub signed_headers: Vec<String>,
    /// What the signature says about the body.
    pub payload: SignedPayload,
    /// The signing key and the signature, for checking `aws-chunked` bodies.
    pub signing: SigningContext,
}

/// Choices the caller may make; the default derives everything from the request.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// How to make the canonical URI; `None` takes [`UriRule::for_service`] of the
    /// credential scope's service.
    pub uri_rule: Option<UriRule>,
}

/// Verifies a request's SigV4 signature at `now_ms` (milliseconds since the Unix epoch).
pub fn verify(
    request: &SignedRequest<'_>,
    credentials: &impl Credentials,
    now_ms: i64,
) -> Result<Verified, SigV4Error> {
    verify_with(request, credentials, now_ms, &Options::default())
}

/// [`verify`] with [`Options`].
pub fn verify_with(
    request: &SignedRequest<'_>,
    credentials: &impl Credentials,
    now_ms: i64,
    options: &Options,
) -> Result<Verified, SigV4Error> {
    let auth = parse::authentication(request.headers, request.query)
        .map_err(|(kind, service)| SigV4Error::new(kind, service.as_deref()))?;
    let service = auth.scope.service.clone();
    check(request, credentials, now_ms, options, auth)
        .map_err(|kind| SigV4Error::new(kind, Some(&service)))
}

fn check(
    request: &SignedRequest<'_>,
    credentials: &impl Credentials,
    now_ms: i64,
    options: &Options,
    auth: Auth,
) -> Result<Verified, ErrorKind> {
    let s3 = auth.scope.service == "s3";
    let (timestamp, signed_at_ms) = timestamp(request, &auth)?;
    // AWS: "the date in the credential scope must match the date of the request".
    if timestamp.get(..8) != Some(auth.scope.date.as_str()) {
        return Err(ErrorKind::ScopeDateMismatch {
            form: auth.form,
            scope_date: auth.scope.date.clone(),
            timestamp,
        });
    }
    let expires_s = check_time(&auth, s3, signed_at_ms, now_ms)?;
    let secret =
        credentials
            .secret_for(&auth.access_key_id)
            .ok_or_else(|| ErrorKind::UnknownAccessKey {
                access_key_id: auth.access_key_id.clone(),
            })?;
    let (payload_hash, payload, body_digest) = payload(request, &auth, s3)?;

    let signed_headers: Vec<String> = auth
        .signed_headers
        .split(';')
        .map(|name| name.trim().to_ascii_lowercase())
        .collect();
    let mut headers = Vec::with_capacity(signed_headers.len());
    for name in &signed_headers {
        let mut values = header_values(request.headers, name).peekable();
        if values.peek().is_none() {
            return Err(ErrorKind::SignedHeaderAbsent {
                header: name.clone(),
            });
        }
        headers.push((name.clone(), canonical_header_value(values)));
    }

    let rule = options
        .uri_rule
        .unwrap_or_else(|| UriRule::for_service(&auth.scope.service));
    let canonical_request = CanonicalRequest {
        method: request.method,
        uri: canonical_uri(request.path, rule),
        query: canonical_query(request.query, auth.form == AuthForm::Query),
        headers,
        signed_headers: &auth.signed_headers,
        payload_hash: &payload_hash,
    }
    .text();
    let scope = auth.scope.text();
    let string_to_sign = string_to_sign(&timestamp, &scope, &canonical_request);
    let key = signing_key(
        &secret.secret_access_key,
        &auth.scope.date,
        &auth.scope.region,
        &auth.scope.service,
    );
    let mut mac = hmac(&key);
    mac.update(string_to_sign.as_bytes());
    let provided = decode_signature(&auth.signature);
    let seed_signature = match provided {
        Some(bytes) if mac.verify_slice(&bytes).is_ok() => bytes,
        _ => {
            return Err(ErrorKind::SignatureDoesNotMatch(Box::new(Mismatch {
                access_key_id: auth.access_key_id.clone(),
                canonical_request,
                string_to_sign,
                signature_provided: auth.signature.clone(),
            })));
        }
    };

    // The signature is good; now the body must be the one it covers.
    if let (SignedPayload::Sha256 { digest, .. }, Some(body)) = (&payload, body_digest)
        && *digest != body
    {
        return Err(ErrorKind::ContentSha256Mismatch {
            declared: payload_hash,
            computed: hex::encode(body),
        });
    }
    // S3: "x-amz-* headers … must be signed" (a request may not carry unsigned ones).
    if s3 {
        let mut unsigned: Vec<String> = request
            .headers
            .iter()
            .map(|(name, _)| name.trim().to_ascii_lowercase())
            .filter(|name| name.starts_with("x-amz-") && !signed_headers.contains(name))
            .collect();
        unsigned.sort();
        unsigned.dedup();
        if !unsigned.is_empty() {
            return Err(ErrorKind::HeadersNotSigned { headers: unsigned });
        }
    }

    let session_token = match auth.form {
        AuthForm::Header => single_header(request.headers, "x-amz-security-token"),
        AuthForm::Query => auth.security_token.clone(),
    };
    Ok(Verified {
        access_key_id: auth.access_key_id.clone(),
        account_id: secret.account_id,
        region: auth.scope.region.clone(),
        service: auth.scope.service.clone(),
        signed_at_ms,
        form: auth.form,
        expires_s,
        session_token,
        signed_headers,
        payload,
        signing: SigningContext {
            access_key_id: auth.access_key_id,
            key,
            timestamp,
            scope,
            seed_signature,
        },
    })
}

/// The request's timestamp as signed (`YYYYMMDD'T'HHMMSS'Z'`) and in milliseconds.
fn timestamp(request: &SignedRequest<'_>, auth: &Auth) -> Result<(String, i64), ErrorKind> {
    if auth.form == AuthForm::Query {
        let date = auth.date.clone().unwrap_or_default();
        return match parse_amz_date(&date) {
            Some(ms) => Ok((date, ms)),
            None => Err(ErrorKind::Malformed {
                form: AuthForm::Query,
                problem: "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\""
                    .into(),
            }),
        };
    }
    // AWS: "If both the X-Amz-Date and Date headers are present, X-Amz-Date is used".
    if let Some(date) = single_header(request.headers, "x-amz-date") {
        let ms = parse_amz_date(&date).ok_or(ErrorKind::MissingDate)?;
        return Ok((date, ms));
    }
    let date = single_header(request.headers, "date").ok_or(ErrorKind::MissingDate)?;
    let ms = parse_http_date(&date).ok_or(ErrorKind::MissingDate)?;
    Ok((format_amz_date(ms), ms))
}

/// Checks the request's time against `now_ms`; returns a presigned request's `X-Amz-Expires`.
fn check_time(
    auth: &Auth,
    s3: bool,
    signed_at_ms: i64,
    now_ms: i64,
) -> Result<Option<u64>, ErrorKind> {
    let malformed = |problem: &str| ErrorKind::Malformed {
        form: AuthForm::Query,
        problem: problem.into(),
    };
    let expires_s = match (&auth.expires, auth.form) {
        (Some(text), _) => {
            if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
                return Err(malformed("X-Amz-Expires should be a number"));
            }
            match text.parse::<u64>() {
                Ok(seconds) if seconds <= MAX_EXPIRES_S => Some(seconds),
                _ => {
                    return Err(malformed(
                        "X-Amz-Expires must be less than a week (in seconds) that is; 604800",
                    ));
                }
            }
        }
        // S3 requires X-Amz-Expires; other services treat a presigned request without it
        // like a header-signed one.
        (None, AuthForm::Query) if s3 => {
            return Err(malformed(
                "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.",
            ));
        }
        (None, _) => None,
    };
    let skew = now_ms.abs_diff(signed_at_ms);
    match expires_s {
        None if skew > MAX_SKEW_MS.unsigned_abs() => Err(ErrorKind::TimeSkewed {
            signed_at_ms,
            now_ms,
        }),
        None => Ok(None),
        Some(expires_s) => {
            let expires_ms = i64::try_from(expires_s * 1000).unwrap_or(i64::MAX);
            if signed_at_ms > now_ms && skew > MAX_SKEW_MS.unsigned_abs() {
                Err(ErrorKind::PresignedNotYetValid {
                    signed_at_ms,
                    expires_s,
                    now_ms,
                })
            } else if now_ms > signed_at_ms.saturating_add(expires_ms) {
                Err(ErrorKind::PresignedExpired {
                    signed_at_ms,
                    expires_s,
                    now_ms,
                })
            } else {
                Ok(Some(expires_s))
            }
        }
    }
}

/// The payload line of the canonical request, what it says of the body, and the body's
/// SHA-256 when the caller gave the body or its hash.
fn payload(
    request: &SignedRequest<'_>,
    auth: &Auth,
    s3: bool,
) -> Result<(String, SignedPayload, Option<[u8; 32]>), ErrorKind> {
    let body_digest = match request.payload {
        Payload::Bytes(bytes) => Some(<[u8; 32]>::from(Sha256::digest(bytes))),
        Payload::Sha256(digest) => Some(digest),
        Payload::Unread => None,
    };
    // botocore: "if 'X-Amz-Content-SHA256' in request.headers: body_checksum = …" — a
    // declared hash is what the client signed, whatever the service.
    let declared = single_header(request.headers, "x-amz-content-sha256").or_else(|| {
        (auth.form == AuthForm::Query)
            .then(|| auth.content_sha256.clone())
            .flatten()
    });
    let Some(declared) = declared else {
        return match (auth.form, s3, body_digest) {
            // AWS: "you don't include a payload hash in the Canonical Request, because when
            // you create a presigned URL, you don't know anything about the payload".
            (AuthForm::Query, true, _) => Ok((
                "UNSIGNED-PAYLOAD".to_owned(),
                SignedPayload::Unsigned,
                body_digest,
            )),
            (AuthForm::Header, true, _) | (_, false, None) => Err(ErrorKind::MissingContentSha256),
            (_, false, Some(digest)) => Ok((
                hex::encode(digest),
                SignedPayload::Sha256 {
                    digest,
                    body_checked: true,
                },
                body_digest,
            )),
        };
    };
    let payload = match declared.as_str() {
        "UNSIGNED-PAYLOAD" => SignedPayload::Unsigned,
        "STREAMING-UNSIGNED-PAYLOAD-TRAILER" => SignedPayload::StreamingUnsignedTrailer,
        "STREAMING-AWS4-HMAC-SHA256-PAYLOAD" => SignedPayload::StreamingSigned,
        "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER" => SignedPayload::StreamingSignedTrailer,
        hash => match hex::decode(hash)
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
        {
            Some(digest) => SignedPayload::Sha256 {
                digest,
                body_checked: body_digest.is_some(),
            },
            None => return Err(ErrorKind::InvalidContentSha256 { value: declared }),
        },
    };
    Ok((declared, payload, body_digest))
}

/// A signature as clients write it: 64 lower-case hex digits.
pub(crate) fn decode_signature(signature: &str) -> Option<[u8; 32]> {
    if !signature
        .bytes()
        .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    {
        return None;
    }
    hex::decode(signature).ok()?.try_into().ok()
}

#[cfg(test)]
mod tests;
