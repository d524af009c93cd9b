//! The canonical request, the string to sign and the signing key, exactly as AWS defines them
//! in "Create a signed AWS API request" (IAM User Guide,
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html>) and, for
//! S3, "Signature Calculations for the Authorization Header"
//! (<https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html>).

use hmac::{Hmac, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode, percent_encode};
use sha2::{Digest, Sha256};

/// The only signing algorithm vpclab accepts.
pub(crate) const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// The last element of every credential scope.
pub(crate) const TERMINATOR: &str = "aws4_request";

/// AWS's `UriEncode`: every byte except the unreserved `A-Z a-z 0-9 - . _ ~` becomes `%XX`
/// with upper-case hex digits. `percent-encoding` expresses this exactly: its
/// `NON_ALPHANUMERIC` set minus the four unreserved marks, and bytes above 0x7F are always
/// encoded (so a UTF-8 character becomes one escape per byte, as AWS requires).
const UNRESERVED_ONLY: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// `UriEncode` for paths: as above, but `/` stays, because AWS encodes each path segment.
const UNRESERVED_AND_SLASH: &AsciiSet = &UNRESERVED_ONLY.remove(b'/');

/// How the canonical URI is made from the request path. AWS: "Normalize URI paths according
/// to RFC 3986 … Each path segment must be URI-encoded twice … except for Amazon S3 which only
/// gets URI-encoded once", and S3 does not normalize the path (the path is the object key).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UriRule {
    /// Remove `.` and `..` segments and empty segments (`//`), as botocore's
    /// `normalize_url_path` does.
    pub normalize_path: bool,
    /// Encode the path as received (already percent-encoded once by the client) a second
    /// time, so `%3A` becomes `%253A`. When false, the path's escapes are decoded and the
    /// result encoded once, so `~` and `%7E` (or `%2b` and `%2B`) give the same canonical URI.
    pub double_encode: bool,
}

impl UriRule {
    /// Every service except S3: normalize, then encode again.
    pub const STANDARD: UriRule = UriRule {
        normalize_path: true,
        double_encode: true,
    };

    /// S3: the path is an object key, neither normalized nor encoded twice.
    pub const S3: UriRule = UriRule {
        normalize_path: false,
        double_encode: false,
    };

    /// The rule for the service named in the credential scope.
    pub fn for_service(service: &str) -> UriRule {
        if service == "s3" {
            UriRule::S3
        } else {
            UriRule::STANDARD
        }
    }
}

/// RFC 3986 §5.2.4 dot-segment removal plus the removal of empty segments, the way
/// botocore's `remove_dot_segments` does it (AWS services treat `//` as `/`).
fn normalize_path(path: &str) -> String {
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            _ => segments.push(segment),
        }
    }
    let first = if path.starts_with('/') { "/" } else { "" };
    let last = if path.ends_with('/') && !segments.is_empty() {
        "/"
    } else {
        ""
    };
    format!("{first}{}{last}", segments.join("/"))
}

/// The canonical URI of a path as received (percent-encoded as the client sent it).
pub(crate) fn canonical_uri(path: &str, rule: UriRule) -> String {
    let path = if path.is_empty() { "/" } else { path };
    let path = if rule.normalize_path {
        normalize_path(path)
    } else {
        path.to_owned()
    };
    if rule.double_encode {
        percent_encode(path.as_bytes(), UNRESERVED_AND_SLASH).to_string()
    } else {
        let decoded: Vec<u8> = percent_decode(path.as_bytes()).collect();
        percent_encode(&decoded, UNRESERVED_AND_SLASH).to_string()
    }
}

/// AWS's `UriEncode` of arbitrary bytes (a query key or value).
pub(crate) fn uri_encode(bytes: &[u8]) -> String {
    percent_encode(bytes, UNRESERVED_ONLY).to_string()
}

/// Decodes one component of a query string: `%XX` is a byte and `+` a space, as in HTML
/// form encoding (a client that means a plus sign sends `%2B`, as AWS's encoding rule
/// requires). A malformed escape stays as it is, to be re-encoded as `%25…`.
pub(crate) fn decode_query_component(component: &str) -> Vec<u8> {
    let plus_as_space: Vec<u8> = component
        .bytes()
        .map(|b| if b == b'+' { b' ' } else { b })
        .collect();
    percent_decode(&plus_as_space).collect()
}

/// The decoded `(key, value)` pairs of a raw query string, in order; empty segments (`a&&b`)
/// are skipped and a key without `=` has an empty value (S3's `?acl`).
pub(crate) fn query_pairs(query: &str) -> impl Iterator<Item = (Vec<u8>, Vec<u8>)> + '_ {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode_query_component(key), decode_query_component(value))
        })
}

/// The canonical query string: every parameter decoded and re-encoded by AWS's rule, sorted
/// by encoded key and then by encoded value, joined with `&`. A presigned request leaves out
/// its own `X-Amz-Signature` ("The canonical query string must include all the query
/// parameters … except for X-Amz-Signature").
pub(crate) fn canonical_query(query: &str, presigned: bool) -> String {
    let mut pairs: Vec<(String, String)> = query_pairs(query)
        .filter(|(key, _)| !(presigned && key == b"X-Amz-Signature"))
        .map(|(key, value)| (uri_encode(&key), uri_encode(&value)))
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(key, value)| format!("{key}={value}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// The values of every header named `name` (any case), in the order received.
pub(crate) fn header_values<'a>(
    headers: &'a [(&'a str, &'a str)],
    name: &'a str,
) -> impl Iterator<Item = &'a str> + 'a {
    headers
        .iter()
        .filter(move |(n, _)| n.trim().eq_ignore_ascii_case(name))
        .map(|(_, v)| *v)
}

/// AWS's `Trimall`: leading and trailing white space removed and inner runs collapsed to one
/// space. Runs of any ASCII white space count (so an obsolete folded header value, with its
/// CR LF and indentation, collapses too), as botocore's `' '.join(value.split())` does for
/// ASCII input.
fn trim_all(value: &str) -> String {
    value.split_ascii_whitespace().collect::<Vec<_>>().join(" ")
}

/// The canonical value of a header: each received value trimmed, repeated headers joined
/// with `,` in the order received ("Append a comma-separated list of values for that header.
/// Do not sort the values in headers that have multiple values").
pub(crate) fn canonical_header_value<'a>(values: impl Iterator<Item = &'a str>) -> String {
    values.map(trim_all).collect::<Vec<_>>().join(",")
}

/// The parts of a canonical request, joined by [`CanonicalRequest::text`].
pub(crate) struct CanonicalRequest<'a> {
    pub method: &'a str,
    pub uri: String,
    pub query: String,
    /// `(lower-case name, canonical value)` in signed-header order.
    pub headers: Vec<(String, String)>,
    /// The `SignedHeaders` list exactly as the client sent it.
    pub signed_headers: &'a str,
    pub payload_hash: &'a str,
}

impl CanonicalRequest<'_> {
    /// `Method\nURI\nQuery\nHeaders\n\nSignedHeaders\nPayloadHash`, each canonical header
    /// line ending in `\n`.
    pub fn text(&self) -> String {
        let mut text = format!("{}\n{}\n{}\n", self.method, self.uri, self.query);
        for (name, value) in &self.headers {
            text.push_str(name);
            text.push(':');
            text.push_str(value);
            text.push('\n');
        }
        text.push('\n');
        text.push_str(self.signed_headers);
        text.push('\n');
        text.push_str(self.payload_hash);
        text
    }
}

/// Lower-case hex SHA-256.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// `AWS4-HMAC-SHA256\n<timestamp>\n<scope>\n<hex sha256 of the canonical request>`.
pub(crate) fn string_to_sign(timestamp: &str, scope: &str, canonical_request: &str) -> String {
    format!(
        "{ALGORITHM}\n{timestamp}\n{scope}\n{}",
        sha256_hex(canonical_request.as_bytes())
    )
}

/// An HMAC-SHA256 keyed with `key`.
pub(crate) fn hmac(key: &[u8]) -> Hmac<Sha256> {
    // HMAC takes keys of any length, so this cannot fail.
    <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!())
}

/// HMAC-SHA256 of `message` under `key`.
pub(crate) fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut mac = hmac(key);
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// The signing key: `HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service),
/// "aws4_request")`.
pub(crate) fn signing_key(secret: &str, date: &str, region: &str, service: &str) -> [u8; 32] {
    let k_date = hmac_sha256(format!("AWS4{secret}").as_bytes(), date.as_bytes());
    let k_region = hmac_sha256(&k_date, region.as_bytes());
    let k_service = hmac_sha256(&k_region, service.as_bytes());
    hmac_sha256(&k_service, TERMINATOR.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_like_botocore() {
        for (path, normal) in [
            ("/", "/"),
            ("//", "/"),
            ("/./", "/"),
            ("/example/..", "/"),
            ("/example1/example2/../..", "/"),
            ("/./example", "/example"),
            ("//example//", "/example/"),
            ("/a/b/../c/./d/", "/a/c/d/"),
            ("/../../a", "/a"),
            ("/a/.../b", "/a/.../b"),
        ] {
            assert_eq!(normalize_path(path), normal, "{path}");
        }
    }

    #[test]
    fn canonical_uri_by_rule() {
        let lambda = "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-west-2%3A892717189312%3Afunction%3Amy-rusty-fun/invocations";
        assert_eq!(
            canonical_uri(lambda, UriRule::STANDARD),
            "/2015-03-31/functions/arn%253Aaws%253Alambda%253Aus-west-2%253A892717189312%253Afunction%253Amy-rusty-fun/invocations"
        );
        assert_eq!(
            canonical_uri("/test/@connections/JBDvjfGEIAMCERw%3D", UriRule::STANDARD),
            "/test/%40connections/JBDvjfGEIAMCERw%253D"
        );
        // S3: one encoding, whatever escapes the client chose for unreserved characters.
        assert_eq!(
            canonical_uri("/bucket/a%20b%2Bc/~.txt", UriRule::S3),
            "/bucket/a%20b%2Bc/~.txt"
        );
        assert_eq!(
            canonical_uri("/bucket/a%20b%2bc/%7E.txt", UriRule::S3),
            "/bucket/a%20b%2Bc/~.txt"
        );
        assert_eq!(canonical_uri("/bucket/a b", UriRule::S3), "/bucket/a%20b");
        assert_eq!(canonical_uri("/b/x/../y", UriRule::S3), "/b/x/../y");
        assert_eq!(canonical_uri("/b//k", UriRule::S3), "/b//k");
        assert_eq!(canonical_uri("", UriRule::S3), "/");
        assert_eq!(canonical_uri("", UriRule::STANDARD), "/");
        assert_eq!(
            canonical_uri("/bucket/caf%C3%A9%2A", UriRule::S3),
            "/bucket/caf%C3%A9%2A"
        );
    }

    #[test]
    fn canonical_query_sorts_encoded_pairs() {
        assert_eq!(
            canonical_query("Param2=value2&Param1=value1", false),
            "Param1=value1&Param2=value2"
        );
        // Sorted by encoded key: `%E1…` < `Param` < `Param-3`.
        assert_eq!(
            canonical_query("Param-3=Value3&Param=Value2&%E1%88%B4=Value1", false),
            "%E1%88%B4=Value1&Param=Value2&Param-3=Value3"
        );
        // Repeated keys sort by value; a bare key gets `=`; empty segments vanish.
        assert_eq!(canonical_query("b=2&a&b=1&&c=", false), "a=&b=1&b=2&c=");
        // `+` is a space, `%2b` a plus; unreserved escapes are undone, the rest upper-cased.
        assert_eq!(
            canonical_query("prefix=a+b%2bc%7e%2a!", false),
            "prefix=a%20b%2Bc~%2A%21"
        );
        assert_eq!(
            canonical_query("X-Amz-Signature=abc&X-Amz-Date=1", true),
            "X-Amz-Date=1"
        );
        assert_eq!(
            canonical_query("X-Amz-Signature=abc&X-Amz-Date=1", false),
            "X-Amz-Date=1&X-Amz-Signature=abc"
        );
        assert_eq!(canonical_query("", false), "");
        // A broken escape is kept and its `%` encoded.
        assert_eq!(canonical_query("a=%zz%4", false), "a=%25zz%254");
    }

    #[test]
    fn every_printable_character_in_a_query_value() {
        // smithy-rs checks the same string, which botocore's `quote(safe='-_.~')` produces.
        let printable: String = (32u8..127).map(char::from).collect();
        let encoded = uri_encode(printable.as_bytes());
        assert_eq!(
            encoded,
            "%20%21%22%23%24%25%26%27%28%29%2A%2B%2C-.%2F0123456789%3A%3B%3C%3D%3E%3F%40ABCDEFGHIJKLMNOPQRSTUVWXYZ%5B%5C%5D%5E_%60abcdefghijklmnopqrstuvwxyz%7B%7C%7D~"
        );
        assert_eq!(
            canonical_query(&format!("prefix={encoded}"), false),
            format!("prefix={encoded}")
        );
    }

    #[test]
    fn header_values_are_trimmed_and_joined() {
        let headers = [
            ("My-Header1", "  value4 "),
            ("Host", "example.amazonaws.com"),
            ("my-header1", "value1\r\n  value2\t\tvalue3"),
            ("MY-HEADER1", "\"a   b   c\""),
        ];
        assert_eq!(
            canonical_header_value(header_values(&headers, "my-header1")),
            "value4,value1 value2 value3,\"a b c\""
        );
        assert_eq!(canonical_header_value(header_values(&headers, "x")), "");
    }

    #[test]
    fn signing_key_from_the_aws_documentation() {
        // "Examples of how to derive a signing key for Signature Version 4" (AWS General
        // Reference): secret wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, 20120215/us-east-1/iam.
        assert_eq!(
            hex::encode(signing_key(
                "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                "20120215",
                "us-east-1",
                "iam"
            )),
            "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"
        );
    }
}
