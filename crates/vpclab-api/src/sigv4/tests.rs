//! Verification rules that do not need outside vectors: time windows, scope dates, unknown
//! keys, payload hashes, unsigned headers. Requests are signed here with the same
//! canonicalization the verifier uses; AWS's test suite and botocore's requests
//! (`tests/sigv4_*.rs`) check that canonicalization independently.

use std::collections::HashMap;

use super::canonical::{canonical_header_value, canonical_query, canonical_uri, hmac_sha256};
use super::*;

const AKID: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const ACCOUNT: &str = "123456789012";
/// 2015-08-30T12:36:00Z.
const T0: i64 = 1_440_938_160_000;
const MINUTE: i64 = 60_000;

fn keys() -> HashMap<String, AccessKeySecret> {
    HashMap::from([(
        AKID.to_owned(),
        AccessKeySecret {
            secret_access_key: SECRET.to_owned(),
            account_id: ACCOUNT.to_owned(),
        },
    )])
}

/// An owned request, signed by [`sign`] or [`presign`].
#[derive(Clone, Debug)]
struct Req {
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Req {
    fn new(method: &str, path: &str, query: &str, headers: &[(&str, &str)], body: &[u8]) -> Req {
        Req {
            method: method.into(),
            path: path.into(),
            query: query.into(),
            headers: headers
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
            body: body.to_vec(),
        }
    }

    fn verify_at(&self, now_ms: i64) -> Result<Verified, SigV4Error> {
        self.verify_payload(now_ms, Payload::Bytes(&self.body))
    }

    fn verify_payload(&self, now_ms: i64, payload: Payload<'_>) -> Result<Verified, SigV4Error> {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let request = SignedRequest {
            method: &self.method,
            path: &self.path,
            query: &self.query,
            headers: &headers,
            payload,
        };
        verify(&request, &keys(), now_ms)
    }

    fn with_header(mut self, name: &str, value: &str) -> Req {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// The signature of `req` for `signed` headers and `payload_hash`, as a client computes it.
fn signature(
    req: &Req,
    signed: &[&str],
    payload_hash: &str,
    timestamp: &str,
    scope: (&str, &str, &str),
    presigned: bool,
) -> String {
    let (date, region, service) = scope;
    let headers: Vec<(&str, &str)> = req
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let canonical = CanonicalRequest {
        method: &req.method,
        uri: canonical_uri(&req.path, UriRule::for_service(service)),
        query: canonical_query(&req.query, presigned),
        headers: signed
            .iter()
            .map(|name| {
                (
                    (*name).to_owned(),
                    canonical_header_value(header_values(&headers, name)),
                )
            })
            .collect(),
        signed_headers: &signed.join(";"),
        payload_hash,
    }
    .text();
    let scope_text = format!("{date}/{region}/{service}/aws4_request");
    let sts = string_to_sign(timestamp, &scope_text, &canonical);
    let key = signing_key(SECRET, date, region, service);
    hex::encode(hmac_sha256(&key, sts.as_bytes()))
}

/// Signs with an `Authorization` header at `signed_at_ms`, the way botocore does: adds
/// `X-Amz-Date` (and for S3 `x-amz-content-sha256`) and signs every header.
fn sign(mut req: Req, service: &str, signed_at_ms: i64) -> Req {
    let timestamp = format_amz_date(signed_at_ms);
    req.headers.push(("X-Amz-Date".into(), timestamp.clone()));
    let body_hash = super::canonical::sha256_hex(&req.body);
    if service == "s3" {
        req.headers
            .push(("X-Amz-Content-SHA256".into(), body_hash.clone()));
    }
    sign_as_is(req, service, &timestamp[..8], &timestamp, &body_hash)
}

/// Signs `req` with its headers as they are.
fn sign_as_is(mut req: Req, service: &str, date: &str, timestamp: &str, payload_hash: &str) -> Req {
    let mut names: Vec<String> = req
        .headers
        .iter()
        .map(|(n, _)| n.to_ascii_lowercase())
        .collect();
    names.sort();
    names.dedup();
    let signed: Vec<&str> = names.iter().map(String::as_str).collect();
    let signature = signature(
        &req,
        &signed,
        payload_hash,
        timestamp,
        (date, "us-east-1", service),
        false,
    );
    req.headers.push((
        "Authorization".into(),
        format!(
            "AWS4-HMAC-SHA256 Credential={AKID}/{date}/us-east-1/{service}/aws4_request, SignedHeaders={}, Signature={signature}",
            signed.join(";")
        ),
    ));
    req
}

/// Presigns `req` (query authentication) at `signed_at_ms` for `expires` seconds.
fn presign(mut req: Req, service: &str, signed_at_ms: i64, expires: Option<&str>) -> Req {
    let timestamp = format_amz_date(signed_at_ms);
    let date = &timestamp[..8];
    let mut query = format!(
        "{}{}X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential={AKID}%2F{date}%2Fus-east-1%2F{service}%2Faws4_request&X-Amz-Date={timestamp}&X-Amz-SignedHeaders=host",
        req.query,
        if req.query.is_empty() { "" } else { "&" }
    );
    if let Some(expires) = expires {
        query.push_str(&format!("&X-Amz-Expires={expires}"));
    }
    req.query = query;
    let payload_hash = if service == "s3" {
        "UNSIGNED-PAYLOAD".to_owned()
    } else {
        super::canonical::sha256_hex(&req.body)
    };
    let signature = signature(
        &req,
        &["host"],
        &payload_hash,
        &timestamp,
        (date, "us-east-1", service),
        true,
    );
    req.query.push_str(&format!("&X-Amz-Signature={signature}"));
    req
}

fn ec2_call() -> Req {
    Req::new(
        "POST",
        "/",
        "",
        &[
            ("Host", "127.0.0.1:4566"),
            (
                "Content-Type",
                "application/x-www-form-urlencoded; charset=utf-8",
            ),
        ],
        b"Action=DescribeVpcs&Version=2016-11-15",
    )
}

fn s3_get() -> Req {
    Req::new(
        "GET",
        "/bucket/a%20b%2Bc/~.txt",
        "",
        &[("Host", "127.0.0.1:4566")],
        b"",
    )
}

fn kind(result: Result<Verified, SigV4Error>) -> ErrorKind {
    match result {
        Ok(v) => panic!("verified: {v:?}"),
        Err(e) => e.kind,
    }
}

#[test]
fn a_signed_request_verifies_and_says_who_signed_it() {
    let verified = sign(ec2_call(), "ec2", T0).verify_at(T0).unwrap();
    assert_eq!(verified.access_key_id, AKID);
    assert_eq!(verified.account_id, ACCOUNT);
    assert_eq!(verified.region, "us-east-1");
    assert_eq!(verified.service, "ec2");
    assert_eq!(verified.signed_at_ms, T0);
    assert_eq!(verified.form, AuthForm::Header);
    assert_eq!(verified.expires_s, None);
    assert_eq!(verified.session_token, None);
    assert_eq!(
        verified.signed_headers,
        ["content-type", "host", "x-amz-date"]
    );
    assert!(matches!(
        verified.payload,
        SignedPayload::Sha256 {
            body_checked: true,
            ..
        }
    ));
    assert_eq!(verified.signing.timestamp(), "20150830T123600Z");
    assert_eq!(
        verified.signing.scope(),
        "20150830/us-east-1/ec2/aws4_request"
    );
    // The signing key never shows in debug output.
    assert!(!format!("{verified:?}").contains("key:"));
}

#[test]
fn fourteen_minutes_of_skew_pass_sixteen_fail() {
    for service in ["ec2", "sts", "s3"] {
        let request = if service == "s3" {
            sign(s3_get(), service, T0)
        } else {
            sign(ec2_call(), service, T0)
        };
        for offset in [0, 14 * MINUTE, -14 * MINUTE, 15 * MINUTE, -15 * MINUTE] {
            assert!(request.verify_at(T0 + offset).is_ok(), "{service} {offset}");
        }
        for offset in [16 * MINUTE, -16 * MINUTE, 15 * MINUTE + 1] {
            let error = request.verify_at(T0 + offset).unwrap_err();
            assert_eq!(
                error.kind,
                ErrorKind::TimeSkewed {
                    signed_at_ms: T0,
                    now_ms: T0 + offset
                }
            );
            let expected = match service {
                "ec2" => "RequestExpired",
                "sts" => "SignatureDoesNotMatch",
                _ => "RequestTimeTooSkewed",
            };
            assert_eq!(error.code(), expected);
        }
    }
}

#[test]
fn presigned_requests_live_from_their_date_until_expiry() {
    let url = presign(s3_get(), "s3", T0, Some("3600"));
    let verified = url.verify_payload(T0, Payload::Unread).unwrap();
    assert_eq!(verified.form, AuthForm::Query);
    assert_eq!(verified.expires_s, Some(3600));
    assert_eq!(verified.payload, SignedPayload::Unsigned);
    // Presigned URLs are used long after the 15 minutes of header signatures.
    assert!(url.verify_at(T0 + 59 * MINUTE).is_ok());
    assert!(url.verify_at(T0 + 60 * MINUTE).is_ok());
    let expired = url.verify_at(T0 + 60 * MINUTE + 1).unwrap_err();
    assert_eq!(
        expired.kind,
        ErrorKind::PresignedExpired {
            signed_at_ms: T0,
            expires_s: 3600,
            now_ms: T0 + 60 * MINUTE + 1
        }
    );
    assert_eq!(
        (expired.code(), expired.message().as_str()),
        ("AccessDenied", "Request has expired")
    );
    // Signed in the future: 15 minutes of skew, then "not yet valid".
    assert!(url.verify_at(T0 - 15 * MINUTE).is_ok());
    let early = url.verify_at(T0 - 16 * MINUTE).unwrap_err();
    assert!(matches!(early.kind, ErrorKind::PresignedNotYetValid { .. }));
    assert_eq!(early.message(), "Request is not yet valid");

    // A week at most.
    assert!(
        presign(s3_get(), "s3", T0, Some("604800"))
            .verify_at(T0 + 604_800_000)
            .is_ok()
    );
    for expires in ["604801", "99999999999999999999999", "-1", "1h", ""] {
        let error = presign(s3_get(), "s3", T0, Some(expires))
            .verify_at(T0)
            .unwrap_err();
        assert_eq!(
            error.code(),
            "AuthorizationQueryParametersError",
            "{expires}"
        );
    }
    // S3 requires X-Amz-Expires.
    let error = presign(s3_get(), "s3", T0, None).verify_at(T0).unwrap_err();
    assert_eq!(error.code(), "AuthorizationQueryParametersError");
}

#[test]
fn presigned_requests_to_other_services() {
    let sts = Req::new(
        "GET",
        "/",
        "Action=GetCallerIdentity&Version=2011-06-15",
        &[("Host", "127.0.0.1:4566")],
        b"",
    );
    let url = presign(sts.clone(), "sts", T0, Some("60"));
    assert!(url.verify_at(T0 + MINUTE).is_ok());
    let error = url.verify_at(T0 + MINUTE + 1).unwrap_err();
    assert_eq!(error.code(), "SignatureDoesNotMatch");
    assert_eq!(
        error.message(),
        "Signature expired: 20150830T123700Z is now earlier than 20150830T123700Z."
    );
    assert_eq!(error.code_for("ec2"), "RequestExpired");
    // Without X-Amz-Expires the header window applies.
    let url = presign(sts, "sts", T0, None);
    assert!(url.verify_at(T0 + 15 * MINUTE).is_ok());
    assert!(matches!(
        kind(url.verify_at(T0 + 16 * MINUTE)),
        ErrorKind::TimeSkewed { .. }
    ));
}

#[test]
fn the_scope_date_must_be_the_request_day() {
    let timestamp = format_amz_date(T0);
    let req = ec2_call().with_header("X-Amz-Date", &timestamp);
    let hash = super::canonical::sha256_hex(&req.body);
    // Correctly signed, but with a scope for the day before.
    let signed = sign_as_is(req, "ec2", "20150829", &timestamp, &hash);
    let error = signed.verify_at(T0).unwrap_err();
    assert_eq!(
        error.kind,
        ErrorKind::ScopeDateMismatch {
            form: AuthForm::Header,
            scope_date: "20150829".into(),
            timestamp: "20150830T123600Z".into()
        }
    );
    assert_eq!(error.code(), "SignatureDoesNotMatch");
    assert_eq!(
        error.message(),
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20150829' != '20150830', from '20150830T123600Z'."
    );
    assert_eq!(error.code_for("s3"), "AuthorizationHeaderMalformed");
}

#[test]
fn an_unknown_key_is_named_as_each_service_names_it() {
    let signed = sign(ec2_call(), "ec2", T0);
    let headers: Vec<(String, String)> = signed
        .headers
        .iter()
        .map(|(n, v)| (n.clone(), v.replace(AKID, "AKIDUNKNOWN")))
        .collect();
    let unknown = Req { headers, ..signed };
    let error = unknown.verify_at(T0).unwrap_err();
    assert_eq!(
        error.kind,
        ErrorKind::UnknownAccessKey {
            access_key_id: "AKIDUNKNOWN".into()
        }
    );
    assert_eq!(error.code(), "AuthFailure");
    assert_eq!(
        error.message(),
        "AWS was not able to validate the provided access credentials"
    );
    assert_eq!(error.code_for("sts"), "InvalidClientTokenId");
    assert_eq!(error.code_for("s3"), "InvalidAccessKeyId");
}

#[test]
fn one_changed_character_breaks_the_signature() {
    let signed = sign(ec2_call(), "ec2", T0);
    assert!(signed.verify_at(T0).is_ok());
    let mut body = signed.clone();
    body.body[0] = b'a';
    let mut header = signed.clone();
    header.headers[1].1.push(' ');
    header.headers[1].1.push('x');
    let mut path = signed.clone();
    path.path = "/x".into();
    let mut query = signed.clone();
    query.query = "a=b".into();
    let mut method = signed.clone();
    method.method = "PUT".into();
    for changed in [body, header, path, query, method] {
        let error = changed.verify_at(T0).unwrap_err();
        assert!(
            matches!(error.kind, ErrorKind::SignatureDoesNotMatch(_)),
            "{changed:?}"
        );
        assert_eq!(error.code(), "SignatureDoesNotMatch");
    }
    // A header value's surrounding and repeated spaces are not part of the signature.
    let mut spaced = signed.clone();
    spaced.headers[1].1 = format!("  {}  ", spaced.headers[1].1.replace(' ', "   "));
    assert!(spaced.verify_at(T0).is_ok());
    // Neither is the case of header names.
    let mut cased = signed;
    cased.headers[1].0 = "CONTENT-TYPE".into();
    assert!(cased.verify_at(T0).is_ok());
}

#[test]
fn the_date_header_stands_in_for_x_amz_date() {
    let req = ec2_call().with_header("Date", "Sun, 30 Aug 2015 12:36:00 -0000");
    let hash = super::canonical::sha256_hex(&req.body);
    let signed = sign_as_is(req, "ec2", "20150830", "20150830T123600Z", &hash);
    assert_eq!(signed.verify_at(T0).unwrap().signed_at_ms, T0);
    let garbled = Req {
        headers: signed
            .headers
            .iter()
            .map(|(n, v)| {
                if n == "Date" {
                    (n.clone(), "yesterday".to_owned())
                } else {
                    (n.clone(), v.clone())
                }
            })
            .collect(),
        ..signed.clone()
    };
    let error = garbled.verify_at(T0).unwrap_err();
    assert_eq!(error.kind, ErrorKind::MissingDate);
    assert_eq!(error.code(), "IncompleteSignature");
    assert_eq!(error.code_for("s3"), "AccessDenied");
}

#[test]
fn s3_requires_x_amz_content_sha256_with_header_authentication() {
    let timestamp = format_amz_date(T0);
    let req = s3_get().with_header("X-Amz-Date", &timestamp);
    let hash = super::canonical::sha256_hex(b"");
    let signed = sign_as_is(req, "s3", "20150830", &timestamp, &hash);
    let error = signed.verify_at(T0).unwrap_err();
    assert_eq!(error.kind, ErrorKind::MissingContentSha256);
    assert_eq!((error.code(), error.http_status()), ("InvalidRequest", 400));
}

#[test]
fn the_body_must_have_the_declared_hash() {
    let put = Req::new(
        "PUT",
        "/bucket/key",
        "",
        &[("Host", "127.0.0.1:4566")],
        b"hello",
    );
    let signed = sign(put, "s3", T0);
    assert!(signed.verify_at(T0).is_ok());
    // The server streams the body: it learns the hash to compare while reading.
    let unread = signed.verify_payload(T0, Payload::Unread).unwrap();
    let SignedPayload::Sha256 {
        digest,
        body_checked: false,
    } = unread.payload
    else {
        panic!("{:?}", unread.payload)
    };
    assert_eq!(digest, <[u8; 32]>::from(Sha256::digest(b"hello")));
    assert!(signed.verify_payload(T0, Payload::Sha256(digest)).is_ok());
    // Another body under the same signature.
    let error = signed
        .verify_payload(T0, Payload::Bytes(b"hellO"))
        .unwrap_err();
    assert!(matches!(
        error.kind,
        ErrorKind::ContentSha256Mismatch { .. }
    ));
    assert_eq!(error.code(), "XAmzContentSHA256Mismatch");
    assert_eq!(error.code_for("ec2"), "SignatureDoesNotMatch");
}

#[test]
fn payload_markers() {
    for (marker, expected) in [
        ("UNSIGNED-PAYLOAD", SignedPayload::Unsigned),
        (
            "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
            SignedPayload::StreamingUnsignedTrailer,
        ),
        (
            "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
            SignedPayload::StreamingSigned,
        ),
        (
            "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
            SignedPayload::StreamingSignedTrailer,
        ),
    ] {
        let timestamp = format_amz_date(T0);
        let req = s3_get()
            .with_header("X-Amz-Date", &timestamp)
            .with_header("x-amz-content-sha256", marker);
        let signed = sign_as_is(req, "s3", "20150830", &timestamp, marker);
        let verified = signed.verify_payload(T0, Payload::Unread).unwrap();
        assert_eq!(verified.payload, expected);
    }
    let timestamp = format_amz_date(T0);
    let req = s3_get()
        .with_header("X-Amz-Date", &timestamp)
        .with_header("x-amz-content-sha256", "STREAMING-SOMETHING-ELSE");
    let signed = sign_as_is(
        req,
        "s3",
        "20150830",
        &timestamp,
        "STREAMING-SOMETHING-ELSE",
    );
    let error = signed.verify_at(T0).unwrap_err();
    assert_eq!(error.code(), "InvalidArgument");
}

#[test]
fn unsigned_x_amz_headers_are_refused_by_s3() {
    let signed = sign(s3_get(), "s3", T0);
    let extra = signed.clone().with_header("x-amz-acl", "public-read");
    let error = extra.verify_at(T0).unwrap_err();
    assert_eq!(
        error.kind,
        ErrorKind::HeadersNotSigned {
            headers: vec!["x-amz-acl".into()]
        }
    );
    assert_eq!(error.code(), "AccessDenied");
    assert_eq!(
        error.details_for("s3"),
        vec![("HeadersNotSigned", "x-amz-acl".to_owned())]
    );
    // Other headers may be added in transit.
    assert!(
        signed
            .with_header("User-Agent", "curl")
            .verify_at(T0)
            .is_ok()
    );
    // Other services do not mind.
    let ec2 = sign(ec2_call(), "ec2", T0).with_header("x-amz-meta", "x");
    assert!(ec2.verify_at(T0).is_ok());
}

#[test]
fn a_signed_header_the_request_lacks() {
    let signed = sign(ec2_call(), "ec2", T0);
    let without = Req {
        headers: signed
            .headers
            .iter()
            .filter(|(n, _)| n != "Content-Type")
            .cloned()
            .collect(),
        ..signed
    };
    let error = without.verify_at(T0).unwrap_err();
    assert_eq!(
        error.kind,
        ErrorKind::SignedHeaderAbsent {
            header: "content-type".into()
        }
    );
    assert_eq!(
        error.message(),
        "'content-type' is named as a SignedHeader, but it does not exist in the HTTP request."
    );
}

#[test]
fn session_tokens_are_reported() {
    let req = ec2_call().with_header("X-Amz-Security-Token", "token+/=");
    let verified = sign(req, "sts", T0).verify_at(T0).unwrap();
    assert_eq!(verified.session_token.as_deref(), Some("token+/="));
    let sts = Req::new(
        "GET",
        "/",
        "X-Amz-Security-Token=a%2Bb",
        &[("Host", "h")],
        b"",
    );
    let verified = presign(sts, "sts", T0, Some("60")).verify_at(T0).unwrap();
    assert_eq!(verified.session_token.as_deref(), Some("a+b"));
}

#[test]
fn missing_or_garbled_authentication() {
    let bare = ec2_call();
    let error = bare.verify_at(T0).unwrap_err();
    assert_eq!(error.kind, ErrorKind::MissingAuthentication);
    assert_eq!(error.service, None);
    assert_eq!(error.code_for("ec2"), "MissingAuthenticationToken");
    assert_eq!(error.code_for("sts"), "MissingAuthenticationToken");
    let garbled = ec2_call().with_header("Authorization", "AWS4-HMAC-SHA256 Credential=x");
    let error = garbled.verify_at(T0).unwrap_err();
    assert!(matches!(error.kind, ErrorKind::Malformed { .. }));
    assert_eq!(error.code_for("ec2"), "IncompleteSignature");
    assert_eq!(error.code_for("s3"), "AuthorizationHeaderMalformed");
    let both = presign(s3_get(), "s3", T0, Some("60"))
        .with_header("Authorization", "AWS4-HMAC-SHA256 Credential=x");
    assert_eq!(
        kind(both.verify_at(T0)),
        ErrorKind::ConflictingAuthentication
    );
    let signature_not_hex = sign(ec2_call(), "ec2", T0);
    let headers = signature_not_hex
        .headers
        .iter()
        .map(|(n, v)| {
            let v = match v.find("Signature=") {
                Some(at) => format!("{}Signature=zz", &v[..at]),
                None => v.clone(),
            };
            (n.clone(), v)
        })
        .collect();
    let error = Req {
        headers,
        ..signature_not_hex
    }
    .verify_at(T0)
    .unwrap_err();
    assert!(matches!(error.kind, ErrorKind::SignatureDoesNotMatch(_)));
}

#[test]
fn a_wrong_secret_reports_what_the_server_signed() {
    let signed = sign(ec2_call(), "ec2", T0);
    let headers: Vec<(&str, &str)> = signed
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let other = HashMap::from([(
        AKID.to_owned(),
        AccessKeySecret {
            secret_access_key: format!("{SECRET}x"),
            account_id: ACCOUNT.to_owned(),
        },
    )]);
    let request = SignedRequest {
        method: &signed.method,
        path: &signed.path,
        query: &signed.query,
        headers: &headers,
        payload: Payload::Bytes(&signed.body),
    };
    let error = verify(&request, &other, T0).unwrap_err();
    let ErrorKind::SignatureDoesNotMatch(mismatch) = &error.kind else {
        panic!("{error:?}")
    };
    assert!(
        mismatch
            .canonical_request
            .starts_with("POST\n/\n\ncontent-type:")
    );
    assert!(
        mismatch.string_to_sign.starts_with(
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/ec2/aws4_request\n"
        )
    );
    assert!(error.message().contains("Check your AWS Secret Access Key"));
}

#[test]
fn explicit_uri_rule() {
    // Signed S3-style (single encoding), verified as S3 by default…
    let req = Req::new("GET", "/a%2Fb", "", &[("Host", "h")], b"");
    let signed = sign(req, "s3", T0);
    assert!(signed.verify_at(T0).is_ok());
    // …and refused when the caller insists on the standard rule.
    let headers: Vec<(&str, &str)> = signed
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let request = SignedRequest {
        method: &signed.method,
        path: &signed.path,
        query: &signed.query,
        headers: &headers,
        payload: Payload::Bytes(b""),
    };
    let options = Options {
        uri_rule: Some(UriRule::STANDARD),
    };
    assert!(verify_with(&request, &keys(), T0, &options).is_err());
}
