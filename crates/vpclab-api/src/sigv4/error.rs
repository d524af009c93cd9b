//! Why a request failed SigV4 verification, and how each AWS service says so.
//!
//! The table of codes, statuses and sources is in the documentation of [`crate::sigv4`].

use super::time::{format_amz_date, format_iso8601};

/// The greatest difference AWS allows between a request's time and the server's: 15 minutes.
pub(crate) const MAX_SKEW_MS: i64 = 15 * 60 * 1000;

/// Which of the two SigV4 forms a request used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthForm {
    /// The `Authorization: AWS4-HMAC-SHA256 …` header.
    Header,
    /// Presigned: `X-Amz-Algorithm`, `X-Amz-Credential`, … in the query string.
    Query,
}

/// A failed verification: what went wrong, and the service named in the request's credential
/// scope when verification got that far (it picks the AWS error code, see [`Self::code`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.message())]
pub struct SigV4Error {
    /// What went wrong.
    pub kind: ErrorKind,
    /// The service of the credential scope (`ec2`, `sts`, `s3`, …), if it could be read.
    pub service: Option<String>,
}

/// What went wrong, independent of the service that reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Neither an `Authorization` header nor `X-Amz-Algorithm` in the query. S3 treats such a
    /// request as anonymous: its caller should not report this error but evaluate the request
    /// without a principal.
    MissingAuthentication,
    /// Both an `Authorization` header and query-string authentication.
    ConflictingAuthentication,
    /// An algorithm other than `AWS4-HMAC-SHA256` (Signature Version 2, SigV4a, …).
    UnsupportedAlgorithm {
        /// The algorithm the request named.
        algorithm: String,
    },
    /// The `Authorization` header or the `X-Amz-*` query parameters cannot be read.
    Malformed {
        /// Where the authentication was.
        form: AuthForm,
        /// What is wrong, in AWS's words where AWS has words for it.
        problem: String,
    },
    /// `SignedHeaders` names a header the request does not carry.
    SignedHeaderAbsent {
        /// The lower-case header name.
        header: String,
    },
    /// Header authentication without a readable `X-Amz-Date` or `Date` header.
    MissingDate,
    /// The date of the credential scope is not the day of the request's timestamp.
    ScopeDateMismatch {
        /// Where the authentication was.
        form: AuthForm,
        /// The `YYYYMMDD` of the credential scope.
        scope_date: String,
        /// The request's timestamp, `YYYYMMDD'T'HHMMSS'Z'`.
        timestamp: String,
    },
    /// The request's time is more than 15 minutes from the server's.
    TimeSkewed {
        /// When the request says it was signed (ms since the epoch).
        signed_at_ms: i64,
        /// The server's time (ms since the epoch).
        now_ms: i64,
    },
    /// A presigned request used after `X-Amz-Date` + `X-Amz-Expires`.
    PresignedExpired {
        /// When the request says it was signed (ms since the epoch).
        signed_at_ms: i64,
        /// Its `X-Amz-Expires`, in seconds.
        expires_s: u64,
        /// The server's time (ms since the epoch).
        now_ms: i64,
    },
    /// A presigned request whose `X-Amz-Date` is more than 15 minutes ahead of the server.
    PresignedNotYetValid {
        /// When the request says it was signed (ms since the epoch).
        signed_at_ms: i64,
        /// Its `X-Amz-Expires`, in seconds.
        expires_s: u64,
        /// The server's time (ms since the epoch).
        now_ms: i64,
    },
    /// `x-amz-content-sha256` is neither a SHA-256 in hex nor a payload marker AWS knows.
    InvalidContentSha256 {
        /// The value received.
        value: String,
    },
    /// The payload hash is needed but the request declares none (S3 requires
    /// `x-amz-content-sha256` with header authentication), or the caller did not hash a body
    /// that the signature covers.
    MissingContentSha256,
    /// The body's SHA-256 is not the one `x-amz-content-sha256` declares.
    ContentSha256Mismatch {
        /// The value of `x-amz-content-sha256`.
        declared: String,
        /// The SHA-256 of the body received, in hex.
        computed: String,
    },
    /// No secret is configured for the access key.
    UnknownAccessKey {
        /// The access key id of the credential scope.
        access_key_id: String,
    },
    /// The signature is not the one the secret gives.
    SignatureDoesNotMatch(Box<Mismatch>),
    /// S3: `x-amz-*` headers that the signature does not cover.
    HeadersNotSigned {
        /// Their lower-case names.
        headers: Vec<String>,
    },
}

/// What the server computed for a signature that did not match, for S3's error details and
/// for whoever debugs a client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    /// The access key id of the credential scope.
    pub access_key_id: String,
    /// The canonical request the server built (empty for a chunk of a streaming body).
    pub canonical_request: String,
    /// The string the server signed.
    pub string_to_sign: String,
    /// The signature the request carried.
    pub signature_provided: String,
}

/// The three ways AWS services report authentication failures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Family {
    /// EC2's query protocol, with EC2's own codes (`AuthFailure`, `RequestExpired`).
    Ec2,
    /// S3's REST protocol.
    S3,
    /// The other query and JSON services: STS, ELBv2, IAM, … (`InvalidClientTokenId`).
    Query,
}

impl Family {
    fn of(service: &str) -> Family {
        match service {
            "ec2" => Family::Ec2,
            "s3" => Family::S3,
            _ => Family::Query,
        }
    }
}

const SIGNATURE_MISMATCH: &str = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

impl SigV4Error {
    /// An error of `kind`, for a request whose credential scope named `service`.
    pub(crate) fn new(kind: ErrorKind, service: Option<&str>) -> SigV4Error {
        SigV4Error {
            kind,
            service: service.map(str::to_owned),
        }
    }

    fn family(&self) -> Family {
        Family::of(self.service.as_deref().unwrap_or(""))
    }

    /// The AWS error code for the service of the credential scope (STS's codes when the
    /// scope could not be read; use [`Self::code_for`] when the caller knows the service).
    pub fn code(&self) -> &'static str {
        self.kind.code(self.family())
    }

    /// The AWS error code `service` (`ec2`, `s3`, `sts`, `elasticloadbalancing`, …) uses.
    pub fn code_for(&self, service: &str) -> &'static str {
        self.kind.code(Family::of(service))
    }

    /// The HTTP status for the service of the credential scope.
    pub fn http_status(&self) -> u16 {
        self.kind.http_status(self.family())
    }

    /// The HTTP status `service` answers with.
    pub fn http_status_for(&self, service: &str) -> u16 {
        self.kind.http_status(Family::of(service))
    }

    /// The message for the service of the credential scope.
    pub fn message(&self) -> String {
        self.kind.message(self.family())
    }

    /// The message `service` sends, worded as AWS words it.
    pub fn message_for(&self, service: &str) -> String {
        self.kind.message(Family::of(service))
    }

    /// The extra elements S3 puts in its `<Error>` document (`StringToSign`,
    /// `RequestTime`, `HeadersNotSigned`, …), in order; empty for other services.
    pub fn details_for(&self, service: &str) -> Vec<(&'static str, String)> {
        if Family::of(service) == Family::S3 {
            self.kind.s3_details()
        } else {
            Vec::new()
        }
    }
}

impl ErrorKind {
    fn code(&self, family: Family) -> &'static str {
        use ErrorKind as K;
        use Family::{Ec2, Query, S3};
        match (self, family) {
            (K::MissingAuthentication, Ec2 | Query) => "MissingAuthenticationToken",
            (K::MissingAuthentication, S3) => "AccessDenied",
            (K::ConflictingAuthentication, Ec2 | Query) => "IncompleteSignature",
            (K::ConflictingAuthentication, S3) => "InvalidArgument",
            (K::UnsupportedAlgorithm { .. }, Ec2 | Query) => "IncompleteSignature",
            (K::UnsupportedAlgorithm { .. }, S3) => "InvalidRequest",
            (K::Malformed { .. }, Ec2 | Query) => "IncompleteSignature",
            (K::Malformed { form, .. }, S3) => s3_malformed(*form),
            (K::SignedHeaderAbsent { .. }, Ec2 | Query) => "IncompleteSignature",
            (K::SignedHeaderAbsent { .. }, S3) => "SignatureDoesNotMatch",
            (K::MissingDate, Ec2 | Query) => "IncompleteSignature",
            (K::MissingDate, S3) => "AccessDenied",
            (K::ScopeDateMismatch { .. }, Ec2 | Query) => "SignatureDoesNotMatch",
            (K::ScopeDateMismatch { form, .. }, S3) => s3_malformed(*form),
            (K::TimeSkewed { .. }, Ec2) => "RequestExpired",
            (K::TimeSkewed { .. }, Query) => "SignatureDoesNotMatch",
            (K::TimeSkewed { .. }, S3) => "RequestTimeTooSkewed",
            (K::PresignedExpired { .. } | K::PresignedNotYetValid { .. }, Ec2) => "RequestExpired",
            (K::PresignedExpired { .. } | K::PresignedNotYetValid { .. }, Query) => {
                "SignatureDoesNotMatch"
            }
            (K::PresignedExpired { .. } | K::PresignedNotYetValid { .. }, S3) => "AccessDenied",
            (K::InvalidContentSha256 { .. }, Ec2 | Query) => "IncompleteSignature",
            (K::InvalidContentSha256 { .. }, S3) => "InvalidArgument",
            (K::MissingContentSha256, Ec2) => "InternalError",
            (K::MissingContentSha256, Query) => "InternalFailure",
            (K::MissingContentSha256, S3) => "InvalidRequest",
            (K::ContentSha256Mismatch { .. }, Ec2 | Query) => "SignatureDoesNotMatch",
            (K::ContentSha256Mismatch { .. }, S3) => "XAmzContentSHA256Mismatch",
            (K::UnknownAccessKey { .. }, Ec2) => "AuthFailure",
            (K::UnknownAccessKey { .. }, Query) => "InvalidClientTokenId",
            (K::UnknownAccessKey { .. }, S3) => "InvalidAccessKeyId",
            (K::SignatureDoesNotMatch(_), _) => "SignatureDoesNotMatch",
            (K::HeadersNotSigned { .. }, Ec2 | Query) => "IncompleteSignature",
            (K::HeadersNotSigned { .. }, S3) => "AccessDenied",
        }
    }

    fn http_status(&self, family: Family) -> u16 {
        match self.code(family) {
            "AuthFailure" | "MissingAuthenticationToken" if family == Family::Ec2 => 401,
            "InternalError" | "InternalFailure" => 500,
            "IncompleteSignature"
            | "RequestExpired"
            | "InvalidArgument"
            | "InvalidRequest"
            | "AuthorizationHeaderMalformed"
            | "AuthorizationQueryParametersError"
            | "XAmzContentSHA256Mismatch" => 400,
            _ => 403,
        }
    }

    fn message(&self, family: Family) -> String {
        use ErrorKind as K;
        use Family::{Ec2, Query, S3};
        match (self, family) {
            (K::MissingAuthentication, Ec2 | Query) => "The request must contain either a valid (registered) AWS access key ID or X.509 certificate.".into(),
            (K::MissingAuthentication, S3) => "Access Denied".into(),
            (K::ConflictingAuthentication, Ec2 | Query) => "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.".into(),
            (K::ConflictingAuthentication, S3) => "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified".into(),
            (K::UnsupportedAlgorithm { algorithm }, Ec2 | Query) => format!("Unsupported AWS 'algorithm': '{algorithm}'. The request signature does not conform to AWS standards; sign with AWS4-HMAC-SHA256."),
            (K::UnsupportedAlgorithm { .. }, S3) => "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.".into(),
            (K::Malformed { problem, .. }, Ec2 | Query) => problem.clone(),
            (K::Malformed { form: AuthForm::Header, problem }, S3) => format!("The authorization header is malformed; {problem}"),
            (K::Malformed { form: AuthForm::Query, problem }, S3) => problem.clone(),
            (K::SignedHeaderAbsent { header }, Ec2 | Query) => format!("'{header}' is named as a SignedHeader, but it does not exist in the HTTP request."),
            (K::SignedHeaderAbsent { .. }, S3) => "The request signature we calculated does not match the signature you provided. Check your key and signing method.".into(),
            (K::MissingDate, Ec2 | Query) => "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.".into(),
            (K::MissingDate, S3) => "AWS authentication requires a valid Date or x-amz-date header".into(),
            (K::ScopeDateMismatch { scope_date, timestamp, .. }, Ec2 | Query) => format!(
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{scope_date}' != '{}', from '{timestamp}'.",
                timestamp.get(..8).unwrap_or(timestamp)
            ),
            (K::ScopeDateMismatch { form: AuthForm::Header, .. }, S3) => "The authorization header is malformed; Invalid credential date. Date is not the same as X-Amz-Date.".into(),
            (K::ScopeDateMismatch { form: AuthForm::Query, scope_date, timestamp }, S3) => format!(
                "Invalid credential date \"{scope_date}\". This date is not the same as X-Amz-Date: \"{}\".",
                timestamp.get(..8).unwrap_or(timestamp)
            ),
            (K::TimeSkewed { .. }, Ec2) => "Request has expired.".into(),
            (K::TimeSkewed { signed_at_ms, now_ms }, Query) => skew_message(*signed_at_ms, *now_ms),
            (K::TimeSkewed { .. }, S3) => "The difference between the request time and the current time is too large.".into(),
            (K::PresignedExpired { .. } | K::PresignedNotYetValid { .. }, Ec2) => "Request has expired.".into(),
            (K::PresignedExpired { signed_at_ms, expires_s, now_ms }, Query) => format!(
                "Signature expired: {} is now earlier than {}.",
                format_amz_date(expiry_ms(*signed_at_ms, *expires_s)),
                format_amz_date(*now_ms)
            ),
            (K::PresignedNotYetValid { signed_at_ms, now_ms, .. }, Query) => skew_message(*signed_at_ms, *now_ms),
            (K::PresignedExpired { .. }, S3) => "Request has expired".into(),
            (K::PresignedNotYetValid { .. }, S3) => "Request is not yet valid".into(),
            (K::InvalidContentSha256 { .. }, _) => "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.".into(),
            (K::MissingContentSha256, Ec2 | Query) => "The request body was not hashed before its signature was checked.".into(),
            (K::MissingContentSha256, S3) => "Missing required header for this request: x-amz-content-sha256".into(),
            (K::ContentSha256Mismatch { .. }, Ec2 | Query) => SIGNATURE_MISMATCH.into(),
            (K::ContentSha256Mismatch { .. }, S3) => "The provided 'x-amz-content-sha256' header does not match what was computed.".into(),
            (K::UnknownAccessKey { .. }, Ec2) => "AWS was not able to validate the provided access credentials".into(),
            (K::UnknownAccessKey { .. }, Query) => "The security token included in the request is invalid.".into(),
            (K::UnknownAccessKey { .. }, S3) => "The AWS Access Key Id you provided does not exist in our records.".into(),
            (K::SignatureDoesNotMatch(_), Ec2 | Query) => SIGNATURE_MISMATCH.into(),
            (K::SignatureDoesNotMatch(_), S3) => "The request signature we calculated does not match the signature you provided. Check your key and signing method.".into(),
            (K::HeadersNotSigned { .. }, _) => "There were headers present in the request which were not signed".into(),
        }
    }

    fn s3_details(&self) -> Vec<(&'static str, String)> {
        use ErrorKind as K;
        match self {
            K::TimeSkewed {
                signed_at_ms,
                now_ms,
            } => vec![
                ("RequestTime", format_amz_date(*signed_at_ms)),
                ("ServerTime", format_iso8601(*now_ms)),
                ("MaxAllowedSkewMilliseconds", MAX_SKEW_MS.to_string()),
            ],
            K::PresignedExpired {
                signed_at_ms,
                expires_s,
                now_ms,
            } => vec![
                ("X-Amz-Expires", expires_s.to_string()),
                (
                    "Expires",
                    format_iso8601(expiry_ms(*signed_at_ms, *expires_s)),
                ),
                ("ServerTime", format_iso8601(*now_ms)),
            ],
            K::PresignedNotYetValid {
                signed_at_ms,
                expires_s,
                now_ms,
            } => vec![
                ("X-Amz-Date", format_amz_date(*signed_at_ms)),
                (
                    "Expires",
                    format_iso8601(expiry_ms(*signed_at_ms, *expires_s)),
                ),
                ("ServerTime", format_iso8601(*now_ms)),
            ],
            K::UnknownAccessKey { access_key_id } => {
                vec![("AWSAccessKeyId", access_key_id.clone())]
            }
            K::SignatureDoesNotMatch(mismatch) => vec![
                ("AWSAccessKeyId", mismatch.access_key_id.clone()),
                ("StringToSign", mismatch.string_to_sign.clone()),
                ("SignatureProvided", mismatch.signature_provided.clone()),
                ("StringToSignBytes", spaced_hex(&mismatch.string_to_sign)),
                ("CanonicalRequest", mismatch.canonical_request.clone()),
                (
                    "CanonicalRequestBytes",
                    spaced_hex(&mismatch.canonical_request),
                ),
            ],
            K::ContentSha256Mismatch { declared, computed } => vec![
                ("ClientComputedContentSHA256", declared.clone()),
                ("S3ComputedContentSHA256", computed.clone()),
            ],
            K::HeadersNotSigned { headers } => vec![("HeadersNotSigned", headers.join(", "))],
            _ => Vec::new(),
        }
    }
}

fn s3_malformed(form: AuthForm) -> &'static str {
    match form {
        AuthForm::Header => "AuthorizationHeaderMalformed",
        AuthForm::Query => "AuthorizationQueryParametersError",
    }
}

fn expiry_ms(signed_at_ms: i64, expires_s: u64) -> i64 {
    let expires_ms = i64::try_from(expires_s.saturating_mul(1000)).unwrap_or(i64::MAX);
    signed_at_ms.saturating_add(expires_ms)
}

/// IAM and STS's wording (IAM User Guide, "Troubleshoot signed requests").
fn skew_message(signed_at_ms: i64, now_ms: i64) -> String {
    let signed = format_amz_date(signed_at_ms);
    let now = format_amz_date(now_ms);
    if signed_at_ms < now_ms {
        format!(
            "Signature expired: {signed} is now earlier than {} ({now} - 15 min.)",
            format_amz_date(now_ms.saturating_sub(MAX_SKEW_MS))
        )
    } else {
        format!(
            "Signature not yet current: {signed} is still later than {} ({now} + 15 min.)",
            format_amz_date(now_ms.saturating_add(MAX_SKEW_MS))
        )
    }
}

/// S3's `…Bytes` details: each byte as two hex digits, separated by spaces.
fn spaced_hex(text: &str) -> String {
    text.bytes()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(kind: ErrorKind) -> SigV4Error {
        SigV4Error::new(kind, None)
    }

    #[test]
    fn unknown_key_per_service() {
        let e = error(ErrorKind::UnknownAccessKey {
            access_key_id: "AKIDEXAMPLE".into(),
        });
        assert_eq!(
            (e.code_for("ec2"), e.http_status_for("ec2")),
            ("AuthFailure", 401)
        );
        assert_eq!(
            e.message_for("ec2"),
            "AWS was not able to validate the provided access credentials"
        );
        assert_eq!(
            (e.code_for("sts"), e.http_status_for("sts")),
            ("InvalidClientTokenId", 403)
        );
        assert_eq!(
            e.message_for("sts"),
            "The security token included in the request is invalid."
        );
        assert_eq!(e.code_for("elasticloadbalancing"), "InvalidClientTokenId");
        assert_eq!(
            (e.code_for("s3"), e.http_status_for("s3")),
            ("InvalidAccessKeyId", 403)
        );
        assert_eq!(
            e.details_for("s3"),
            vec![("AWSAccessKeyId", "AKIDEXAMPLE".to_owned())]
        );
        assert!(e.details_for("ec2").is_empty());
        // Without a scope the query services' codes are used.
        assert_eq!(e.code(), "InvalidClientTokenId");
        let scoped = SigV4Error::new(e.kind.clone(), Some("ec2"));
        assert_eq!(scoped.code(), "AuthFailure");
        assert_eq!(scoped.http_status(), 401);
        assert_eq!(
            scoped.to_string(),
            "AWS was not able to validate the provided access credentials"
        );
    }

    #[test]
    fn skew_per_service() {
        // 16 minutes late.
        let e = error(ErrorKind::TimeSkewed {
            signed_at_ms: 1_440_938_160_000,
            now_ms: 1_440_938_160_000 + 16 * 60_000,
        });
        assert_eq!(
            (e.code_for("ec2"), e.http_status_for("ec2")),
            ("RequestExpired", 400)
        );
        assert_eq!(e.message_for("ec2"), "Request has expired.");
        assert_eq!(e.code_for("sts"), "SignatureDoesNotMatch");
        assert_eq!(
            e.message_for("sts"),
            "Signature expired: 20150830T123600Z is now earlier than 20150830T123700Z (20150830T125200Z - 15 min.)"
        );
        assert_eq!(
            (e.code_for("s3"), e.http_status_for("s3")),
            ("RequestTimeTooSkewed", 403)
        );
        assert_eq!(
            e.details_for("s3"),
            vec![
                ("RequestTime", "20150830T123600Z".to_owned()),
                ("ServerTime", "2015-08-30T12:52:00Z".to_owned()),
                ("MaxAllowedSkewMilliseconds", "900000".to_owned()),
            ]
        );
        // 16 minutes early.
        let e = error(ErrorKind::TimeSkewed {
            signed_at_ms: 1_440_938_160_000,
            now_ms: 1_440_938_160_000 - 16 * 60_000,
        });
        assert_eq!(
            e.message_for("sts"),
            "Signature not yet current: 20150830T123600Z is still later than 20150830T123500Z (20150830T122000Z + 15 min.)"
        );
    }

    #[test]
    fn presigned_expiry_per_service() {
        let e = error(ErrorKind::PresignedExpired {
            signed_at_ms: 1_440_938_160_000,
            expires_s: 3600,
            now_ms: 1_440_938_160_000 + 3_601_000,
        });
        assert_eq!(
            (e.code_for("s3"), e.message_for("s3")),
            ("AccessDenied", "Request has expired".to_owned())
        );
        assert_eq!(
            e.details_for("s3"),
            vec![
                ("X-Amz-Expires", "3600".to_owned()),
                ("Expires", "2015-08-30T13:36:00Z".to_owned()),
                ("ServerTime", "2015-08-30T13:36:01Z".to_owned()),
            ]
        );
        assert_eq!(e.code_for("ec2"), "RequestExpired");
        assert_eq!(e.code_for("sts"), "SignatureDoesNotMatch");
    }

    #[test]
    fn every_kind_has_a_code_status_and_message_for_every_family() {
        let mismatch = Mismatch {
            access_key_id: "AKID".into(),
            canonical_request: "GET\n/".into(),
            string_to_sign: "AWS4".into(),
            signature_provided: "00".into(),
        };
        let kinds = [
            ErrorKind::MissingAuthentication,
            ErrorKind::ConflictingAuthentication,
            ErrorKind::UnsupportedAlgorithm {
                algorithm: "AWS".into(),
            },
            ErrorKind::Malformed {
                form: AuthForm::Header,
                problem: "p".into(),
            },
            ErrorKind::Malformed {
                form: AuthForm::Query,
                problem: "p".into(),
            },
            ErrorKind::SignedHeaderAbsent { header: "x".into() },
            ErrorKind::MissingDate,
            ErrorKind::ScopeDateMismatch {
                form: AuthForm::Query,
                scope_date: "20150831".into(),
                timestamp: "20150830T123600Z".into(),
            },
            ErrorKind::InvalidContentSha256 { value: "x".into() },
            ErrorKind::MissingContentSha256,
            ErrorKind::ContentSha256Mismatch {
                declared: "a".into(),
                computed: "b".into(),
            },
            ErrorKind::SignatureDoesNotMatch(Box::new(mismatch)),
            ErrorKind::HeadersNotSigned {
                headers: vec!["x-amz-acl".into()],
            },
        ];
        for kind in kinds {
            let e = error(kind);
            for service in ["ec2", "sts", "s3", "elasticloadbalancing"] {
                assert!(!e.code_for(service).is_empty());
                assert!(!e.message_for(service).is_empty());
                assert!((400..=500).contains(&e.http_status_for(service)));
            }
        }
    }

    #[test]
    fn s3_signature_mismatch_details_carry_the_string_to_sign() {
        let e = error(ErrorKind::SignatureDoesNotMatch(Box::new(Mismatch {
            access_key_id: "AKID".into(),
            canonical_request: "GET".into(),
            string_to_sign: "AWS".into(),
            signature_provided: "abc".into(),
        })));
        let details = e.details_for("s3");
        assert!(details.contains(&("StringToSign", "AWS".to_owned())));
        assert!(details.contains(&("StringToSignBytes", "41 57 53".to_owned())));
        assert!(details.contains(&("CanonicalRequest", "GET".to_owned())));
        assert_eq!(e.message_for("ec2"), SIGNATURE_MISMATCH);
    }
}
