//! Reading the authentication a request carries: the `Authorization` header or the
//! presigned `X-Amz-*` query parameters.

use super::canonical::{ALGORITHM, TERMINATOR, canonical_header_value, header_values, query_pairs};
use super::error::{AuthForm, ErrorKind};

/// The credential scope, `YYYYMMDD/region/service/aws4_request`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Scope {
    pub date: String,
    pub region: String,
    pub service: String,
}

impl Scope {
    /// The scope as it appears in the string to sign.
    pub fn text(&self) -> String {
        format!(
            "{}/{}/{}/{TERMINATOR}",
            self.date, self.region, self.service
        )
    }
}

/// What a request's authentication says, before any of it is checked.
#[derive(Debug)]
pub(crate) struct Auth {
    pub form: AuthForm,
    pub access_key_id: String,
    pub scope: Scope,
    /// The `SignedHeaders` list as sent; it is part of the canonical request verbatim.
    pub signed_headers: String,
    pub signature: String,
    /// Query form only: `X-Amz-Date`, `X-Amz-Expires`, `X-Amz-Security-Token` and
    /// `X-Amz-Content-Sha256` (as decoded).
    pub date: Option<String>,
    pub expires: Option<String>,
    pub security_token: Option<String>,
    pub content_sha256: Option<String>,
}

/// A parse failure, with the service of the credential scope if it was read first.
pub(crate) type Failure = (ErrorKind, Option<String>);

/// The authentication of a request, from its header or its query string.
pub(crate) fn authentication(headers: &[(&str, &str)], query: &str) -> Result<Auth, Failure> {
    let authorization: Vec<&str> = header_values(headers, "authorization").collect();
    let query_auth = query_pairs(query).any(|(key, _)| {
        matches!(
            key.as_slice(),
            b"X-Amz-Algorithm" | b"X-Amz-Credential" | b"X-Amz-Signature"
        )
    });
    match (authorization.as_slice(), query_auth) {
        ([], false) => {
            // Signature Version 2 in the query (EC2's `SignatureVersion=2`, S3's
            // `AWSAccessKeyId=…&Signature=…`) is authentication vpclab does not speak.
            if query_pairs(query).any(|(key, _)| key == b"AWSAccessKeyId") {
                Err((
                    ErrorKind::UnsupportedAlgorithm {
                        algorithm: "Signature Version 2".into(),
                    },
                    None,
                ))
            } else {
                Err((ErrorKind::MissingAuthentication, None))
            }
        }
        ([_, ..], true) => Err((ErrorKind::ConflictingAuthentication, None)),
        ([value], false) => from_header(value),
        ([_, _, ..], false) => Err((
            malformed(
                AuthForm::Header,
                "the request carries more than one Authorization header.",
            ),
            None,
        )),
        ([], true) => from_query(query),
    }
}

fn malformed(form: AuthForm, problem: impl Into<String>) -> ErrorKind {
    ErrorKind::Malformed {
        form,
        problem: problem.into(),
    }
}

/// `AKID/YYYYMMDD/region/service/aws4_request`.
fn credential(form: AuthForm, value: &str) -> Result<(String, Scope), Failure> {
    let parts: Vec<&str> = value.split('/').collect();
    let bad = || {
        // The service, if it can be made out, still picks the error's wording.
        let service = parts
            .get(3)
            .filter(|s| !s.is_empty())
            .map(|s| (*s).to_owned());
        (
            malformed(
                form,
                "the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".",
            ),
            service,
        )
    };
    let [akid, date, region, service, terminator] = parts.as_slice() else {
        return Err(bad());
    };
    let well_formed = !akid.is_empty()
        && date.len() == 8
        && date.bytes().all(|b| b.is_ascii_digit())
        && !region.is_empty()
        && !service.is_empty()
        && *terminator == TERMINATOR;
    if !well_formed {
        return Err(bad());
    }
    Ok((
        (*akid).to_owned(),
        Scope {
            date: (*date).to_owned(),
            region: (*region).to_owned(),
            service: (*service).to_owned(),
        },
    ))
}

/// A `SignedHeaders` list: lower-case names separated by `;`, `host` among them ("The host
/// header must be included as a signed header").
fn check_signed_headers(form: AuthForm, list: &str) -> Result<(), ErrorKind> {
    let names: Vec<&str> = list.split(';').collect();
    if names.iter().any(|name| name.is_empty()) {
        return Err(malformed(
            form,
            format!("the SignedHeaders list '{list}' has an empty header name."),
        ));
    }
    if !names.iter().any(|name| name.eq_ignore_ascii_case("host")) {
        return Err(malformed(
            form,
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
        ));
    }
    Ok(())
}

/// `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…` (the separators may be
/// `,` or `, `).
fn from_header(value: &str) -> Result<Auth, Failure> {
    let form = AuthForm::Header;
    // AWS's separators are ASCII spaces (and tabs); other Unicode white space is not one.
    let blank = |c: char| c.is_ascii_whitespace();
    let value = value.trim_matches(blank);
    let (algorithm, rest) = value.split_once(blank).unwrap_or((value, ""));
    if algorithm != ALGORITHM {
        return Err((
            ErrorKind::UnsupportedAlgorithm {
                algorithm: algorithm.to_owned(),
            },
            None,
        ));
    }
    let (mut credential_value, mut signed_headers, mut signature) = (None, None, None);
    for part in rest
        .split(',')
        .map(|p| p.trim_matches(blank))
        .filter(|p| !p.is_empty())
    {
        let Some((key, component)) = part.split_once('=') else {
            return Err((
                malformed(
                    form,
                    format!(
                        "'{part}' not a valid key=value pair (missing equal-sign) in Authorization header: '{value}'."
                    ),
                ),
                None,
            ));
        };
        let slot = match key.trim_matches(blank) {
            "Credential" => &mut credential_value,
            "SignedHeaders" => &mut signed_headers,
            "Signature" => &mut signature,
            // AWS ignores parameters it does not know.
            _ => continue,
        };
        if slot.replace(component.trim_matches(blank)).is_some() {
            return Err((
                malformed(
                    form,
                    format!(
                        "the Authorization header repeats '{}'.",
                        key.trim_matches(blank)
                    ),
                ),
                None,
            ));
        }
    }
    let missing: Vec<String> = [
        ("Credential", credential_value),
        ("Signature", signature),
        ("SignedHeaders", signed_headers),
    ]
    .iter()
    .filter(|(_, v)| v.is_none_or(str::is_empty))
    .map(|(name, _)| format!("Authorization header requires '{name}' parameter."))
    .collect();
    let (Some(credential_value), Some(signed_headers), Some(signature)) =
        (credential_value, signed_headers, signature)
    else {
        return Err((malformed(form, missing.join(" ")), None));
    };
    if !missing.is_empty() {
        return Err((malformed(form, missing.join(" ")), None));
    }
    let (access_key_id, scope) = credential(form, credential_value)?;
    let service = Some(scope.service.clone());
    check_signed_headers(form, signed_headers).map_err(|kind| (kind, service))?;
    Ok(Auth {
        form,
        access_key_id,
        scope,
        signed_headers: signed_headers.to_owned(),
        signature: signature.to_owned(),
        date: None,
        expires: None,
        security_token: None,
        content_sha256: None,
    })
}

/// Presigned: `X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-Expires`,
/// `X-Amz-SignedHeaders`, `X-Amz-Signature` and optionally `X-Amz-Security-Token`.
fn from_query(query: &str) -> Result<Auth, Failure> {
    let form = AuthForm::Query;
    const NAMES: [&str; 8] = [
        "X-Amz-Algorithm",
        "X-Amz-Credential",
        "X-Amz-Date",
        "X-Amz-Expires",
        "X-Amz-SignedHeaders",
        "X-Amz-Signature",
        "X-Amz-Security-Token",
        "X-Amz-Content-Sha256",
    ];
    let mut values: [Option<String>; 8] = Default::default();
    for (key, value) in query_pairs(query) {
        let Some(index) = NAMES.iter().position(|name| name.as_bytes() == key) else {
            continue;
        };
        let Ok(value) = String::from_utf8(value) else {
            return Err((
                malformed(form, format!("{} is not UTF-8.", NAMES[index])),
                None,
            ));
        };
        if values[index].replace(value).is_some() {
            return Err((
                malformed(form, format!("the query string repeats {}.", NAMES[index])),
                None,
            ));
        }
    }
    let [
        algorithm,
        credential_value,
        date,
        expires,
        signed_headers,
        signature,
        security_token,
        content_sha256,
    ] = values;
    if let Some(algorithm) = algorithm.as_deref().filter(|a| *a != ALGORITHM) {
        return Err((
            ErrorKind::UnsupportedAlgorithm {
                algorithm: algorithm.to_owned(),
            },
            None,
        ));
    }
    let requirement = "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.";
    let (Some(_), Some(credential_value), Some(date), Some(signed_headers), Some(signature)) =
        (algorithm, credential_value, date, signed_headers, signature)
    else {
        return Err((malformed(form, requirement), None));
    };
    let (access_key_id, scope) = credential(form, &credential_value)?;
    let service = Some(scope.service.clone());
    check_signed_headers(form, &signed_headers).map_err(|kind| (kind, service))?;
    Ok(Auth {
        form,
        access_key_id,
        scope,
        signed_headers,
        signature,
        date: Some(date),
        expires,
        security_token,
        content_sha256,
    })
}

/// The canonical value of a single-valued header (`x-amz-date`, `x-amz-content-sha256`), or
/// `None` when the request lacks it.
pub(crate) fn single_header(headers: &[(&str, &str)], name: &str) -> Option<String> {
    let mut values = header_values(headers, name).peekable();
    values.peek()?;
    Some(canonical_header_value(values))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";

    fn header(value: &str) -> Result<Auth, Failure> {
        authentication(&[("Authorization", value)], "")
    }

    fn problem(result: Result<Auth, Failure>) -> String {
        match result {
            Err((ErrorKind::Malformed { problem, .. }, _)) => problem,
            other => panic!("not malformed: {other:?}"),
        }
    }

    #[test]
    fn reads_the_header() {
        let auth = header(GOOD).unwrap();
        assert_eq!(auth.form, AuthForm::Header);
        assert_eq!(auth.access_key_id, "AKIDEXAMPLE");
        assert_eq!(auth.scope.text(), "20150830/us-east-1/service/aws4_request");
        assert_eq!(auth.signed_headers, "host;x-amz-date");
        // S3's documented examples put no space after the commas.
        let compact = GOOD.replace(", ", ",");
        assert_eq!(header(&compact).unwrap().signature, auth.signature);
        // A vertical tab (white space to Rust's `trim`) is no separator.
        assert!(header(&GOOD.replace(", Signature", ",\u{b}Signature")).is_err());
    }

    #[test]
    fn garbled_headers_say_what_is_missing() {
        assert_eq!(
            problem(header(
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request"
            )),
            "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter."
        );
        assert_eq!(
            problem(header("AWS4-HMAC-SHA256")),
            "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter."
        );
        assert!(problem(header("AWS4-HMAC-SHA256 Credential AKID")).contains("missing equal-sign"));
        assert!(
            problem(header(&GOOD.replace("aws4_request", "aws5_request")))
                .contains("Credential is mal-formed")
        );
        assert!(
            problem(header(&GOOD.replace("20150830", "2015083")))
                .contains("Credential is mal-formed")
        );
        assert!(problem(header(&GOOD.replace("host;", ""))).contains("'Host'"));
        assert!(problem(header(&GOOD.replace("host;", "host;;"))).contains("empty header name"));
        assert!(problem(header(&format!("{GOOD}, Signature=00"))).contains("repeats"));
        let twice = authentication(&[("Authorization", GOOD), ("authorization", GOOD)], "");
        assert!(problem(twice).contains("more than one"));
    }

    #[test]
    fn a_bad_credential_still_names_its_service() {
        let result = header(&GOOD.replace("/aws4_request", "/aws4_requests"));
        assert_eq!(result.unwrap_err().1.as_deref(), Some("service"));
    }

    #[test]
    fn other_algorithms_are_refused() {
        for (value, algorithm) in [
            ("AWS AKIDEXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=", "AWS"),
            (
                "AWS4-ECDSA-P256-SHA256 Credential=AKID/20150830/service/aws4_request",
                "AWS4-ECDSA-P256-SHA256",
            ),
            ("Bearer abc", "Bearer"),
        ] {
            assert_eq!(
                header(value).unwrap_err().0,
                ErrorKind::UnsupportedAlgorithm {
                    algorithm: algorithm.into()
                }
            );
        }
        let v2 = authentication(&[], "AWSAccessKeyId=AKID&Expires=1&Signature=abc");
        assert!(matches!(
            v2.unwrap_err().0,
            ErrorKind::UnsupportedAlgorithm { .. }
        ));
    }

    #[test]
    fn missing_and_conflicting() {
        assert_eq!(
            authentication(&[], "a=b").unwrap_err().0,
            ErrorKind::MissingAuthentication
        );
        assert_eq!(
            authentication(
                &[("authorization", GOOD)],
                "X-Amz-Algorithm=AWS4-HMAC-SHA256"
            )
            .unwrap_err()
            .0,
            ErrorKind::ConflictingAuthentication
        );
    }

    #[test]
    fn reads_the_query() {
        let query = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Signature=e93c";
        let auth = authentication(&[], query).unwrap();
        assert_eq!(auth.form, AuthForm::Query);
        assert_eq!(auth.access_key_id, "AKIDEXAMPLE");
        assert_eq!(auth.scope.service, "service");
        assert_eq!(auth.date.as_deref(), Some("20150830T123600Z"));
        assert_eq!(auth.expires.as_deref(), Some("3600"));
        assert_eq!(auth.signature, "e93c");
        let without_date = query.replace("X-Amz-Date=20150830T123600Z&", "");
        assert!(
            problem(authentication(&[], &without_date)).starts_with("Query-string authentication")
        );
        let twice = format!("{query}&X-Amz-Date=20150830T123600Z");
        assert!(problem(authentication(&[], &twice)).contains("repeats X-Amz-Date"));
        let other = query.replace("AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256");
        assert!(matches!(
            authentication(&[], &other).unwrap_err().0,
            ErrorKind::UnsupportedAlgorithm { .. }
        ));
    }
}
