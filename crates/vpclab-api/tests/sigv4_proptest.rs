//! `verify` never panics, whatever arrives: arbitrary methods, paths, query strings, header
//! names and values, bodies and clocks, and valid requests with random damage. Nothing of
//! that kind may verify, and every refusal must be describable for every service.

use std::collections::HashMap;

use proptest::prelude::*;
use vpclab_api::sigv4::{AccessKeySecret, Payload, SigV4Error, SignedRequest, Verified, verify};

const AKID: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
/// 2015-08-30T12:36:00Z.
const T0: i64 = 1_440_938_160_000;

/// get-vanilla-query-order-key-case of AWS's suite, header form.
const GOOD_AUTHORIZATION: &str = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500";
const GOOD_QUERY: &str = "Param2=value2&Param1=value1";
/// The same request presigned.
const GOOD_PRESIGNED: &str = "Param2=value2&Param1=value1&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Signature=86012e2c9ad4d77369f5d81c11f75158aae4f895a085212cc6d3f923d300bed5";

fn keys() -> HashMap<String, AccessKeySecret> {
    HashMap::from([(
        AKID.to_owned(),
        AccessKeySecret {
            secret_access_key: SECRET.to_owned(),
            account_id: "000000000000".to_owned(),
        },
    )])
}

fn run(
    method: &str,
    path: &str,
    query: &str,
    headers: &[(String, String)],
    body: &[u8],
    now_ms: i64,
) -> Result<Verified, SigV4Error> {
    let headers: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let request = SignedRequest {
        method,
        path,
        query,
        headers: &headers,
        payload: Payload::Bytes(body),
    };
    let result = verify(&request, &keys(), now_ms);
    if let Err(error) = &result {
        // Every refusal can be worded for every service without panicking.
        for service in ["ec2", "sts", "s3", "elasticloadbalancing"] {
            let _ = (
                error.code_for(service),
                error.message_for(service),
                error.http_status_for(service),
                error.details_for(service),
            );
        }
        let _ = (error.code(), error.to_string());
    }
    result
}

fn header_name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("Authorization".to_owned()),
        Just("authorization".to_owned()),
        Just("Host".to_owned()),
        Just("X-Amz-Date".to_owned()),
        Just("Date".to_owned()),
        Just("x-amz-content-sha256".to_owned()),
        Just("X-Amz-Security-Token".to_owned()),
        Just("x-amz-acl".to_owned()),
        "\\PC{0,12}",
    ]
}

fn header_value() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,40}",
        "[ -~\t\r\n]{0,60}",
        // Authorization-shaped noise.
        "AWS4-HMAC-SHA256( [A-Za-z]{0,12}=[ -~]{0,40},?){0,4}",
        "AWS4-HMAC-SHA256 Credential=[A-Z/0-9a-z_]{0,50}, SignedHeaders=[a-z;-]{0,30}, Signature=[0-9a-f]{0,70}",
        "[0-9]{8}T[0-9]{6}Z",
        "(Mon|Sun), [0-9]{1,2} (Aug|Foo) [0-9]{2,5} [0-9:]{5,9} (GMT|[+-][0-9]{4})",
        Just("STREAMING-AWS4-HMAC-SHA256-PAYLOAD".to_owned()),
        Just("UNSIGNED-PAYLOAD".to_owned()),
    ]
}

fn query() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,60}",
        "[ -~]{0,80}",
        "((X-Amz-(Algorithm|Credential|Date|Expires|SignedHeaders|Signature|Security-Token|Content-Sha256))=[%0-9A-Za-z/+_.~-]{0,40}&?){0,8}",
        "(AWSAccessKeyId=[A-Z]{0,8}&Signature=[a-z%]{0,8}&?)?[a-z=&%+]{0,20}",
    ]
}

fn clock() -> impl Strategy<Value = i64> {
    prop_oneof![
        Just(T0),
        (T0 - 86_400_000 * 8)..(T0 + 86_400_000 * 8),
        any::<i64>(),
        Just(i64::MIN),
        Just(i64::MAX),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_requests_never_panic_and_never_verify(
        method in "\\PC{0,8}",
        path in prop_oneof!["\\PC{0,40}", "(/[%0-9A-Fa-z.~ +]{0,6}){0,6}"],
        query in query(),
        headers in prop::collection::vec((header_name(), header_value()), 0..8),
        body in prop::collection::vec(any::<u8>(), 0..64),
        now_ms in clock(),
    ) {
        prop_assert!(run(&method, &path, &query, &headers, &body, now_ms).is_err());
    }

    #[test]
    fn damaged_header_requests_are_refused(
        position in any::<prop::sample::Index>(),
        replacement in any::<char>(),
        now_ms in clock(),
    ) {
        let mut authorization: Vec<char> = GOOD_AUTHORIZATION.chars().collect();
        let at = position.index(authorization.len());
        // White space for white space between the parts is no change.
        let unchanged = authorization[at] == replacement
            || (authorization[at].is_ascii_whitespace() && replacement.is_ascii_whitespace());
        authorization[at] = replacement;
        let authorization: String = authorization.into_iter().collect();
        let headers = vec![
            ("Host".to_owned(), "example.amazonaws.com".to_owned()),
            ("X-Amz-Date".to_owned(), "20150830T123600Z".to_owned()),
            ("Authorization".to_owned(), authorization),
        ];
        let result = run("GET", "/", GOOD_QUERY, &headers, b"", now_ms);
        // Only the untouched request, at a time within 15 minutes, verifies.
        if unchanged && now_ms.abs_diff(T0) <= 15 * 60_000 {
            prop_assert!(result.is_ok(), "{result:?}");
        } else {
            prop_assert!(result.is_err());
        }
    }

    #[test]
    fn damaged_presigned_requests_are_refused(
        position in any::<prop::sample::Index>(),
        replacement in any::<char>(),
    ) {
        let original: Vec<char> = GOOD_PRESIGNED.chars().collect();
        let at = position.index(original.len());
        // A hex digit of a `%XX` escape in the other case decodes to the same byte.
        let in_escape = (at >= 1 && original[at - 1] == '%') || (at >= 2 && original[at - 2] == '%');
        let same = original[at] == replacement
            || (in_escape && original[at].eq_ignore_ascii_case(&replacement));
        let mut query = original.clone();
        query[at] = replacement;
        let query: String = query.into_iter().collect();
        let headers = vec![("Host".to_owned(), "example.amazonaws.com".to_owned())];
        let result = run("GET", "/", &query, &headers, b"", T0);
        if same {
            prop_assert!(result.is_ok(), "{query}: {result:?}");
        } else {
            prop_assert!(result.is_err(), "{query}");
        }
    }
}

#[test]
fn the_undamaged_requests_verify() {
    let headers = vec![
        ("Host".to_owned(), "example.amazonaws.com".to_owned()),
        ("X-Amz-Date".to_owned(), "20150830T123600Z".to_owned()),
        ("Authorization".to_owned(), GOOD_AUTHORIZATION.to_owned()),
    ];
    run("GET", "/", GOOD_QUERY, &headers, b"", T0).unwrap();
    let headers = vec![("Host".to_owned(), "example.amazonaws.com".to_owned())];
    run("GET", "/", GOOD_PRESIGNED, &headers, b"", T0).unwrap();
}
