//! AWS's own SigV4 vectors: the signing test suite of the AWS SDKs (under
//! `tests/sigv4-vectors/aws-signing-test-suite`, see its NOTICE) and the worked examples of
//! the Amazon S3 API Reference. Every signed request must verify; the canonical request and
//! the string to sign the verifier builds must be the suite's, byte for byte; and a
//! one-character change in the secret, a header value, the body, the query or the date must
//! fail with `SignatureDoesNotMatch`.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use vpclab_api::sigv4::{
    AccessKeySecret, AuthForm, ErrorKind, Options, Payload, SigV4Error, SignedPayload,
    SignedRequest, UriRule, Verified, verify, verify_with,
};

const ACCOUNT: &str = "000000000000";

fn suite() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sigv4-vectors/aws-signing-test-suite/v4")
}

/// A request as the suite writes it: `METHOD path?query HTTP/1.1`, `Name:value` lines
/// (continuation lines start with white space), a blank line, the body.
#[derive(Clone, Debug)]
struct HttpRequest {
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl HttpRequest {
    fn parse(text: &str) -> HttpRequest {
        let (head, body) = match text.split_once("\n\n") {
            Some((head, body)) => (head, body),
            None => (text.trim_end_matches('\n'), ""),
        };
        let mut lines = head.lines();
        let request_line = lines.next().expect("a request line");
        // The target may contain spaces (get-space-unnormalized): method first, version last
        // (double-url-encode has none).
        let (method, rest) = request_line.split_once(' ').expect("a method");
        let target = rest.strip_suffix(" HTTP/1.1").unwrap_or(rest);
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let mut headers: Vec<(String, String)> = Vec::new();
        for line in lines {
            if line.starts_with([' ', '\t']) {
                let (_, value) = headers.last_mut().expect("a header to continue");
                value.push('\n');
                value.push_str(line);
            } else {
                let (name, value) = line.split_once(':').expect("name:value");
                headers.push((name.to_owned(), value.to_owned()));
            }
        }
        HttpRequest {
            method: method.to_owned(),
            path: path.to_owned(),
            query: query.to_owned(),
            headers,
            body: body.as_bytes().to_vec(),
        }
    }

    fn verify(
        &self,
        keys: &HashMap<String, AccessKeySecret>,
        now_ms: i64,
        options: &Options,
    ) -> Result<Verified, SigV4Error> {
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
            payload: Payload::Bytes(&self.body),
        };
        verify_with(&request, keys, now_ms, options)
    }
}

fn keys(access_key_id: &str, secret: &str) -> HashMap<String, AccessKeySecret> {
    HashMap::from([(
        access_key_id.to_owned(),
        AccessKeySecret {
            secret_access_key: secret.to_owned(),
            account_id: ACCOUNT.to_owned(),
        },
    )])
}

/// `2015-08-30T12:36:00Z` → ms since the epoch (the suite's contexts use this form).
fn rfc3339_ms(text: &str) -> i64 {
    let compact: String = text.chars().filter(|c| c.is_ascii_digit()).collect();
    let n = |from: usize, to: usize| -> i64 { compact[from..to].parse().expect("digits") };
    let (year, month, day) = (n(0, 4), n(4, 6), n(6, 8));
    // Days from civil, for the few dates the vectors use.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + day - 1;
    let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468;
    ((days * 24 + n(8, 10)) * 60 + n(10, 12)) * 60_000 + n(12, 14) * 1000
}

struct Vector {
    name: String,
    dir: PathBuf,
    access_key_id: String,
    secret: String,
    token: Option<String>,
    now_ms: i64,
    rule: UriRule,
}

/// The suite's `get-space-normalized` expects `%20` in the path to stay `%20`: it was
/// written for a signer that encodes paths once, the way S3 does (smithy-rs skips it for
/// that reason). Every other vector encodes twice.
const SINGLE_ENCODED: [&str; 1] = ["get-space-normalized"];

/// The one signed request of the suite that vpclab refuses on purpose (see its use).
const TOKEN_ADDED_AFTER_SIGNING: (&str, AuthForm) = ("post-sts-header-after", AuthForm::Query);

fn vectors() -> Vec<Vector> {
    let mut vectors: Vec<Vector> = fs::read_dir(suite())
        .expect("the vectors")
        .map(|entry| entry.expect("an entry").path())
        .filter(|dir| dir.join("context.json").exists())
        .map(|dir| {
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            let context: serde_json::Value =
                serde_json::from_str(&fs::read_to_string(dir.join("context.json")).unwrap())
                    .unwrap();
            let credentials = &context["credentials"];
            Vector {
                access_key_id: credentials["access_key_id"].as_str().unwrap().to_owned(),
                secret: credentials["secret_access_key"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
                token: credentials["token"].as_str().map(str::to_owned),
                now_ms: rfc3339_ms(context["timestamp"].as_str().unwrap()),
                rule: UriRule {
                    normalize_path: context["normalize"].as_bool().unwrap(),
                    double_encode: !SINGLE_ENCODED.contains(&name.as_str()),
                },
                name,
                dir,
            }
        })
        .collect();
    vectors.sort_by(|a, b| a.name.cmp(&b.name));
    assert_eq!(vectors.len(), 38, "every v4 vector of the suite is here");
    vectors
}

fn read(dir: &Path, file: &str) -> String {
    fs::read_to_string(dir.join(file))
        .unwrap_or_else(|e| panic!("{}: {e}", dir.join(file).display()))
}

fn expect_mismatch(vector: &str, what: &str, result: Result<Verified, SigV4Error>) {
    match result {
        Ok(_) => panic!("{vector}: a changed {what} still verifies"),
        Err(error) => assert_eq!(
            error.code(),
            "SignatureDoesNotMatch",
            "{vector}: a changed {what} gives {error:?}"
        ),
    }
}

/// Replaces the first occurrence of `from` in `text`, which must be there.
fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "{from:?} in {text:?}");
    text.replacen(from, to, 1)
}

#[test]
fn every_suite_vector_verifies_in_both_forms() {
    let (mut checked, mut excluded) = (0, 0);
    for vector in vectors() {
        let options = Options {
            uri_rule: Some(vector.rule),
        };
        for (form, prefix) in [(AuthForm::Header, "header"), (AuthForm::Query, "query")] {
            let label = format!("{} ({prefix})", vector.name);
            let request =
                HttpRequest::parse(&read(&vector.dir, &format!("{prefix}-signed-request.txt")));
            let good = keys(&vector.access_key_id, &vector.secret);
            if (vector.name.as_str(), form) == TOKEN_ADDED_AFTER_SIGNING {
                // The signer left X-Amz-Security-Token out of the canonical query and then
                // appended it (smithy-rs's `SessionTokenMode::Exclude`, for AWS IoT). The
                // services vpclab serves sign the token, so the request must not verify.
                let error = request.verify(&good, vector.now_ms, &options).unwrap_err();
                assert_eq!(error.code(), "SignatureDoesNotMatch", "{label}");
                excluded += 1;
                continue;
            }
            let verified = request
                .verify(&good, vector.now_ms, &options)
                .unwrap_or_else(|e| panic!("{label}: {e:?}"));
            assert_eq!(verified.form, form, "{label}");
            assert_eq!(verified.access_key_id, "AKIDEXAMPLE", "{label}");
            assert_eq!(verified.account_id, ACCOUNT, "{label}");
            assert_eq!(verified.region, "us-east-1", "{label}");
            assert_eq!(verified.service, "service", "{label}");
            assert_eq!(verified.signed_at_ms, vector.now_ms, "{label}");
            if form == AuthForm::Query {
                assert_eq!(verified.expires_s, Some(3600), "{label}");
            }
            // The token is reported whether or not it was signed (post-sts-header-after).
            if vector.token.is_some()
                && (form == AuthForm::Header || request.query.contains("Token"))
            {
                assert_eq!(verified.session_token, vector.token, "{label}");
            }

            // What the server computed, read back from the refusal of a wrong secret.
            let wrong_secret = keys(&vector.access_key_id, &format!("{}X", vector.secret));
            let error = request
                .verify(&wrong_secret, vector.now_ms, &options)
                .expect_err(&label);
            let ErrorKind::SignatureDoesNotMatch(mismatch) = &error.kind else {
                panic!("{label}: {error:?}")
            };
            assert_eq!(
                mismatch.canonical_request,
                read(&vector.dir, &format!("{prefix}-canonical-request.txt")),
                "{label}: canonical request"
            );
            assert_eq!(
                mismatch.string_to_sign,
                read(&vector.dir, &format!("{prefix}-string-to-sign.txt")),
                "{label}: string to sign"
            );

            // One character off anywhere that is signed.
            let mut body = request.clone();
            body.body.push(b'x');
            expect_mismatch(&label, "body", body.verify(&good, vector.now_ms, &options));
            let mut query = request.clone();
            query.query = if query.query.is_empty() {
                "a=b".to_owned()
            } else {
                format!("{}&a=b", query.query)
            };
            expect_mismatch(
                &label,
                "query",
                query.verify(&good, vector.now_ms, &options),
            );
            let mut host = request.clone();
            for (name, value) in &mut host.headers {
                if name.eq_ignore_ascii_case("host") {
                    value.push('x');
                }
            }
            expect_mismatch(
                &label,
                "host header",
                host.verify(&good, vector.now_ms, &options),
            );
            let mut date = request.clone();
            match form {
                AuthForm::Header => {
                    for (name, value) in &mut date.headers {
                        if name.eq_ignore_ascii_case("x-amz-date") {
                            *value = replace_once(value, "123600Z", "123601Z");
                        }
                    }
                }
                AuthForm::Query => {
                    date.query = replace_once(&date.query, "123600Z", "123601Z");
                }
            }
            expect_mismatch(&label, "date", date.verify(&good, vector.now_ms, &options));
            checked += 1;
        }
    }
    assert_eq!((checked, excluded), (75, 1));
}

#[test]
fn suite_vectors_with_signed_header_values_reject_changed_values() {
    for name in [
        "get-header-key-duplicate",
        "get-header-value-multiline",
        "get-header-value-order",
        "get-header-value-trim",
        "post-header-value-case",
    ] {
        let dir = suite().join(name);
        let request = HttpRequest::parse(&read(&dir, "header-signed-request.txt"));
        let good = keys("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
        let now = rfc3339_ms("2015-08-30T12:36:00Z");
        assert!(
            request.verify(&good, now, &Options::default()).is_ok(),
            "{name}"
        );
        let mut changed = request.clone();
        let value = changed
            .headers
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case("my-header1"))
            .map(|(_, v)| v)
            .expect("My-Header1");
        value.push('1');
        expect_mismatch(
            name,
            "header value",
            changed.verify(&good, now, &Options::default()),
        );
        // Repeated headers are joined in the order received: reordering them changes it.
        if name == "get-header-value-order" {
            let mut reordered = request.clone();
            reordered.headers.swap(1, 2);
            expect_mismatch(
                name,
                "header order",
                reordered.verify(&good, now, &Options::default()),
            );
        }
    }
}

#[test]
fn double_url_encode_lambda_vector() {
    // smithy-rs's addition: a Lambda path with `%3A` escapes, which the canonical URI
    // encodes again. It has no context.json; smithy-rs signs it with its test credentials.
    let dir = suite().join("double-url-encode");
    let request = HttpRequest::parse(&read(&dir, "header-signed-request.txt"));
    let now = rfc3339_ms("2021-05-11T15:40:45Z");
    let good = keys("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    let wrong = keys("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEX");
    let error = request
        .verify(&wrong, now, &Options::default())
        .unwrap_err();
    let ErrorKind::SignatureDoesNotMatch(mismatch) = &error.kind else {
        panic!("{error:?}")
    };
    assert_eq!(
        mismatch.canonical_request,
        read(&dir, "header-canonical-request.txt")
    );
    // This file, unlike the suite's, ends with a newline.
    assert_eq!(
        mismatch.string_to_sign,
        read(&dir, "header-string-to-sign.txt").trim_end()
    );
    let verified = request.verify(&good, now, &Options::default()).unwrap();
    assert_eq!(
        (verified.region.as_str(), verified.service.as_str()),
        ("us-east-2", "lambda")
    );
}

// ---------------------------------------------------------------------------------------
// The worked examples of the Amazon S3 API Reference: "Examples: Signature Calculations"
// (sig-v4-header-based-auth.html), "Example: Transferring Payload in Multiple Chunks"
// (sigv4-streaming.html) and "Example: Presigned URL" (sigv4-query-string-auth.html).
// Key AKIAIOSFODNN7EXAMPLE, secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY, signed at
// 2013-05-24T00:00:00Z in us-east-1.

const S3_KEY: &str = "AKIAIOSFODNN7EXAMPLE";
const S3_SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

fn s3_now() -> i64 {
    rfc3339_ms("2013-05-24T00:00:00Z")
}

fn s3_verify(
    method: &str,
    path: &str,
    query: &str,
    headers: &[(&str, &str)],
    payload: Payload<'_>,
) -> Result<Verified, SigV4Error> {
    let request = SignedRequest {
        method,
        path,
        query,
        headers,
        payload,
    };
    verify(&request, &keys(S3_KEY, S3_SECRET), s3_now())
}

fn s3_authorization(signed_headers: &str, signature: &str) -> String {
    format!(
        "AWS4-HMAC-SHA256 Credential={S3_KEY}/20130524/us-east-1/s3/aws4_request,SignedHeaders={signed_headers},Signature={signature}"
    )
}

#[test]
fn s3_get_object_example() {
    let authorization = s3_authorization(
        "host;range;x-amz-content-sha256;x-amz-date",
        "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
    );
    let headers = [
        ("Host", "examplebucket.s3.amazonaws.com"),
        ("Authorization", authorization.as_str()),
        ("Range", "bytes=0-9"),
        ("x-amz-content-sha256", EMPTY_SHA256),
        ("x-amz-date", "20130524T000000Z"),
    ];
    let verified = s3_verify("GET", "/test.txt", "", &headers, Payload::Bytes(b"")).unwrap();
    assert_eq!(verified.service, "s3");
    let mut range = headers;
    range[2].1 = "bytes=0-8";
    expect_mismatch(
        "s3 GET",
        "range",
        s3_verify("GET", "/test.txt", "", &range, Payload::Bytes(b"")),
    );
}

#[test]
fn s3_put_object_example() {
    // Carries both Date and x-amz-date; the path `/test$file.text` must be encoded once.
    let authorization = s3_authorization(
        "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class",
        "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd",
    );
    let headers = [
        ("Host", "examplebucket.s3.amazonaws.com"),
        ("Date", "Fri, 24 May 2013 00:00:00 GMT"),
        ("Authorization", authorization.as_str()),
        ("x-amz-date", "20130524T000000Z"),
        ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
        (
            "x-amz-content-sha256",
            "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072",
        ),
    ];
    let body = b"Welcome to Amazon S3.";
    for path in ["/test$file.text", "/test%24file.text"] {
        let verified = s3_verify("PUT", path, "", &headers, Payload::Bytes(body)).unwrap();
        assert!(matches!(
            verified.payload,
            SignedPayload::Sha256 {
                body_checked: true,
                ..
            }
        ));
    }
    let error = s3_verify(
        "PUT",
        "/test$file.text",
        "",
        &headers,
        Payload::Bytes(b"Welcome to Amazon S4."),
    )
    .unwrap_err();
    assert_eq!(error.code(), "XAmzContentSHA256Mismatch");
}

#[test]
fn s3_subresource_and_list_examples() {
    for (query, signature) in [
        (
            "lifecycle",
            "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543",
        ),
        (
            "max-keys=2&prefix=J",
            "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7",
        ),
    ] {
        let authorization = s3_authorization("host;x-amz-content-sha256;x-amz-date", signature);
        let headers = [
            ("Host", "examplebucket.s3.amazonaws.com"),
            ("Authorization", authorization.as_str()),
            ("x-amz-content-sha256", EMPTY_SHA256),
            ("x-amz-date", "20130524T000000Z"),
        ];
        s3_verify("GET", "/", query, &headers, Payload::Unread)
            .unwrap_or_else(|e| panic!("{query}: {e:?}"));
    }
}

#[test]
fn s3_presigned_url_example() {
    let query = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";
    let headers = [("Host", "examplebucket.s3.amazonaws.com")];
    let verified = s3_verify("GET", "/test.txt", query, &headers, Payload::Unread).unwrap();
    assert_eq!(verified.form, AuthForm::Query);
    assert_eq!(verified.expires_s, Some(86_400));
    assert_eq!(verified.payload, SignedPayload::Unsigned);
    // A day later it has expired.
    let request = SignedRequest {
        method: "GET",
        path: "/test.txt",
        query,
        headers: &headers,
        payload: Payload::Unread,
    };
    let keys = keys(S3_KEY, S3_SECRET);
    assert!(verify(&request, &keys, s3_now() + 86_400_000).is_ok());
    let error = verify(&request, &keys, s3_now() + 86_400_001).unwrap_err();
    assert_eq!(error.code(), "AccessDenied");
    assert_eq!(error.message(), "Request has expired");
    let tampered = query.replace("Expires=86400", "Expires=86401");
    expect_mismatch(
        "s3 presigned",
        "expiry",
        s3_verify("GET", "/test.txt", &tampered, &headers, Payload::Unread),
    );
}

#[test]
fn s3_streaming_upload_example() {
    let authorization = s3_authorization(
        "content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class",
        "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9",
    );
    let headers = [
        ("Host", "s3.amazonaws.com"),
        ("x-amz-date", "20130524T000000Z"),
        ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
        ("Authorization", authorization.as_str()),
        ("x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"),
        ("Content-Encoding", "aws-chunked"),
        ("x-amz-decoded-content-length", "66560"),
        ("Content-Length", "66824"),
    ];
    let verified = s3_verify(
        "PUT",
        "/examplebucket/chunkObject.txt",
        "",
        &headers,
        Payload::Unread,
    )
    .unwrap();
    assert_eq!(verified.payload, SignedPayload::StreamingSigned);
    assert_eq!(
        verified.signing.seed_signature(),
        "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
    );
    let chunks: [(Vec<u8>, &str); 3] = [
        (
            vec![b'a'; 65_536],
            "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
        ),
        (
            vec![b'a'; 1024],
            "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
        ),
        (
            Vec::new(),
            "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
        ),
    ];
    let mut chain = verified.signing.chunk_chain();
    for (chunk, signature) in &chunks {
        chain.verify_next(chunk, signature).unwrap();
    }
    // A changed byte, or chunks out of order, break the chain.
    let mut chain = verified.signing.chunk_chain();
    let mut changed = chunks[0].0.clone();
    changed[10] = b'b';
    let error = chain.verify_next(&changed, chunks[0].1).unwrap_err();
    assert_eq!(error.code(), "SignatureDoesNotMatch");
    let mut chain = verified.signing.chunk_chain();
    assert!(chain.verify_next(&chunks[1].0, chunks[1].1).is_err());
}
