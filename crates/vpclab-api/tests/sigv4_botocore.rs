//! Requests signed by botocore (the library under the `aws` CLI and boto3), recorded by
//! `tests/sigv4-vectors/botocore/generate.py`: EC2, STS and ELBv2 form posts, S3 paths and
//! queries that need encoding, a `Date` header, session tokens, UNSIGNED-PAYLOAD, and
//! presigned S3 and STS URLs. Each must verify as the real services would verify it, and
//! fail when a character of the secret, a signed header, the body or the query changes.

use std::collections::HashMap;

use serde_json::Value;
use vpclab_api::sigv4::{
    AccessKeySecret, AuthForm, ErrorKind, Payload, SigV4Error, SignedPayload, SignedRequest,
    Verified, verify,
};

const FIXTURES: &str = include_str!("sigv4-vectors/botocore/botocore-requests.json");

/// 2026-01-15T12:35:01Z, the fixtures' `now`.
const NOW_MS: i64 = 1_768_480_501_000;

#[derive(Clone)]
struct Fixture {
    name: String,
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    unread: bool,
    access_key_id: String,
    secret: String,
    expect: Value,
}

fn fixtures() -> Vec<Fixture> {
    let document: Value = serde_json::from_str(FIXTURES).expect("JSON");
    assert_eq!(document["requests"][0]["now"], "20260115T123501Z");
    document["requests"]
        .as_array()
        .expect("requests")
        .iter()
        .map(|r| {
            let text = |key: &str| r[key].as_str().expect(key).to_owned();
            Fixture {
                name: text("name"),
                method: text("method"),
                path: text("path"),
                query: text("query"),
                headers: r["headers"]
                    .as_array()
                    .expect("headers")
                    .iter()
                    .map(|h| {
                        (
                            h[0].as_str().expect("name").to_owned(),
                            h[1].as_str().expect("value").to_owned(),
                        )
                    })
                    .collect(),
                body: text("body").into_bytes(),
                unread: r["payload"] == "unread",
                access_key_id: text("access_key_id"),
                secret: text("secret_access_key"),
                expect: r["expect"].clone(),
            }
        })
        .collect()
}

impl Fixture {
    fn verify_with(&self, secret: &str, now_ms: i64) -> Result<Verified, SigV4Error> {
        let keys = HashMap::from([(
            self.access_key_id.clone(),
            AccessKeySecret {
                secret_access_key: secret.to_owned(),
                account_id: "000000000000".to_owned(),
            },
        )]);
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
            payload: if self.unread {
                Payload::Unread
            } else {
                Payload::Bytes(&self.body)
            },
        };
        verify(&request, &keys, now_ms)
    }

    fn verify(&self) -> Result<Verified, SigV4Error> {
        self.verify_with(&self.secret, NOW_MS)
    }

    fn signed_headers(&self) -> Vec<String> {
        let authorization = self
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("authorization"))
            .map(|(_, v)| v.clone());
        let list = match authorization {
            Some(value) => value
                .split("SignedHeaders=")
                .nth(1)
                .and_then(|rest| rest.split(',').next())
                .expect("SignedHeaders")
                .to_owned(),
            None => self
                .query
                .split('&')
                .find_map(|p| p.strip_prefix("X-Amz-SignedHeaders="))
                .expect("X-Amz-SignedHeaders")
                .replace("%3B", ";"),
        };
        list.split(';').map(str::to_owned).collect()
    }
}

#[test]
fn every_botocore_request_verifies_as_aws_would() {
    let fixtures = fixtures();
    assert_eq!(fixtures.len(), 21);
    for f in &fixtures {
        let name = &f.name;
        let expect = &f.expect;
        if let Some(kind) = expect["error"].as_str() {
            let error = f.verify().expect_err(name);
            assert_eq!(
                format!("{:?}", error.kind).split([' ', '{']).next(),
                Some(kind),
                "{name}"
            );
            // A SigV2 request has no credential scope: the caller names the service.
            let service = expect["service"].as_str().unwrap();
            assert_eq!(
                Some(error.code_for(service)),
                expect["code"].as_str(),
                "{name}"
            );
            continue;
        }
        let verified = f.verify().unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert_eq!(verified.access_key_id, "AKIAVPCLABEXAMPLE", "{name}");
        assert_eq!(
            verified.service,
            expect["service"].as_str().unwrap(),
            "{name}"
        );
        assert_eq!(
            verified.region,
            expect["region"].as_str().unwrap(),
            "{name}"
        );
        let form = match expect["form"].as_str() {
            Some("query") => AuthForm::Query,
            _ => AuthForm::Header,
        };
        assert_eq!(verified.form, form, "{name}");
        assert_eq!(verified.expires_s, expect["expires_s"].as_u64(), "{name}");
        assert_eq!(
            verified.session_token.as_deref(),
            expect["session_token"].as_str(),
            "{name}"
        );
        match expect["payload"].as_str() {
            Some("unsigned") => assert_eq!(verified.payload, SignedPayload::Unsigned, "{name}"),
            Some("sha256") => assert!(
                matches!(verified.payload, SignedPayload::Sha256 { .. }),
                "{name}: {:?}",
                verified.payload
            ),
            _ => {}
        }
    }
}

#[test]
fn a_changed_character_is_refused() {
    for f in fixtures().iter().filter(|f| f.expect["error"].is_null()) {
        let name = &f.name;
        let service = f.expect["service"].as_str().unwrap();

        // The secret.
        let mut secret = f.secret.clone().into_bytes();
        secret[3] ^= 1;
        let secret = String::from_utf8(secret).unwrap();
        let error = f.verify_with(&secret, NOW_MS).expect_err(name);
        assert!(
            matches!(error.kind, ErrorKind::SignatureDoesNotMatch(_)),
            "{name}: {error:?}"
        );

        // Every signed header in turn.
        for signed in f.signed_headers() {
            let mut changed = f.clone();
            for (header, value) in &mut changed.headers {
                if header.eq_ignore_ascii_case(&signed) {
                    value.push('0');
                }
            }
            let error = changed.verify().expect_err(&format!("{name}: {signed}"));
            match (service, signed.as_str()) {
                // An unreadable date is refused before any signature is computed.
                (_, "x-amz-date" | "date") => {
                    assert_eq!(error.kind, ErrorKind::MissingDate, "{name}: {signed}")
                }
                ("s3", "x-amz-content-sha256") => {
                    assert_eq!(error.code(), "InvalidArgument", "{name}: {signed}")
                }
                _ => assert_eq!(
                    error.code(),
                    "SignatureDoesNotMatch",
                    "{name}: {signed}: {error:?}"
                ),
            }
        }

        // The query.
        let changed = Fixture {
            query: if f.query.is_empty() {
                "x=1".into()
            } else {
                format!("{}&x=1", f.query)
            },
            ..f.clone()
        };
        let error = changed.verify().expect_err(name);
        assert_eq!(error.code(), "SignatureDoesNotMatch", "{name}");

        // The body, when the signature covers it and the server reads it.
        let covered = !f.unread
            && !matches!(
                f.verify().unwrap().payload,
                SignedPayload::Unsigned | SignedPayload::StreamingUnsignedTrailer
            );
        if covered {
            let mut changed = f.clone();
            changed.body.push(b'\n');
            let error = changed.verify().expect_err(name);
            let expected = if service == "s3" {
                "XAmzContentSHA256Mismatch"
            } else {
                "SignatureDoesNotMatch"
            };
            assert_eq!(error.code(), expected, "{name}");
        }

        // The path (S3 keys are signed; EC2, STS and ELBv2 sign `/`).
        let changed = Fixture {
            path: format!("{}x", f.path),
            ..f.clone()
        };
        assert_eq!(
            changed.verify().expect_err(name).code(),
            "SignatureDoesNotMatch"
        );
    }
}

#[test]
fn botocore_requests_expire_as_the_services_say() {
    for f in fixtures().iter().filter(|f| f.expect["error"].is_null()) {
        let name = &f.name;
        let service = f.expect["service"].as_str().unwrap();
        // Signed at 12:34:56; the fixtures are verified at 12:35:01.
        let signed_at = NOW_MS - 5_000;
        match f.expect["expires_s"].as_i64() {
            None => {
                assert!(
                    f.verify_with(&f.secret, signed_at + 15 * 60_000).is_ok(),
                    "{name}"
                );
                let error = f
                    .verify_with(&f.secret, signed_at + 16 * 60_000)
                    .expect_err(name);
                let expected = match service {
                    "ec2" => "RequestExpired",
                    "s3" => "RequestTimeTooSkewed",
                    _ => "SignatureDoesNotMatch",
                };
                assert_eq!(error.code(), expected, "{name}");
            }
            Some(expires) => {
                let end = signed_at + expires * 1000;
                assert!(f.verify_with(&f.secret, end).is_ok(), "{name}");
                let error = f.verify_with(&f.secret, end + 1).expect_err(name);
                assert!(
                    matches!(error.kind, ErrorKind::PresignedExpired { .. }),
                    "{name}: {error:?}"
                );
                if service == "s3" {
                    assert_eq!(
                        (error.code(), error.message().as_str()),
                        ("AccessDenied", "Request has expired"),
                        "{name}"
                    );
                }
            }
        }
    }
}
