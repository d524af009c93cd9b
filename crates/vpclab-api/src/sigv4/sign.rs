//! Signing, for vpclab's own clients (the `vpclab` CLI talking to `vpclab serve`): the
//! same canonical request the verifier rebuilds, so the two can never disagree.

use super::UriRule;
use super::canonical::{
    ALGORITHM, CanonicalRequest, canonical_header_value, canonical_query, canonical_uri, hmac,
    sha256_hex, signing_key, string_to_sign,
};
use super::time::format_amz_date;
use hmac::Mac;

/// Who signs, for which region and service.
#[derive(Clone, Debug)]
pub struct Signer<'a> {
    /// The access key id.
    pub access_key_id: &'a str,
    /// The secret access key.
    pub secret_access_key: &'a str,
    /// The region of the credential scope.
    pub region: &'a str,
    /// The service of the credential scope.
    pub service: &'a str,
}

impl Signer<'_> {
    /// The headers to add to a request (`x-amz-date`, `x-amz-content-sha256`,
    /// `authorization`) so that it verifies. `headers` must hold `host` and every other
    /// header to be signed; all of them are signed.
    pub fn sign(
        &self,
        method: &str,
        path: &str,
        query: &str,
        headers: &[(&str, &str)],
        body: &[u8],
        now_ms: i64,
    ) -> Vec<(String, String)> {
        let timestamp = format_amz_date(now_ms);
        let date = &timestamp[..8];
        let payload_hash = sha256_hex(body);
        let mut all: Vec<(String, String)> = headers
            .iter()
            .map(|(k, v)| {
                (
                    k.to_ascii_lowercase(),
                    canonical_header_value(std::iter::once(*v)),
                )
            })
            .collect();
        all.push(("x-amz-date".into(), timestamp.clone()));
        all.push(("x-amz-content-sha256".into(), payload_hash.clone()));
        all.sort();
        let signed_headers = all
            .iter()
            .map(|(k, _)| k.as_str())
            .collect::<Vec<_>>()
            .join(";");
        let canonical = CanonicalRequest {
            method,
            uri: canonical_uri(path, UriRule::for_service(self.service)),
            query: canonical_query(query, false),
            headers: all,
            signed_headers: &signed_headers,
            payload_hash: &payload_hash,
        };
        let scope = format!("{date}/{}/{}/aws4_request", self.region, self.service);
        let to_sign = string_to_sign(&timestamp, &scope, &canonical.text());
        let key = signing_key(self.secret_access_key, date, self.region, self.service);
        let mut mac = hmac(&key);
        mac.update(to_sign.as_bytes());
        let signature = hex::encode(mac.finalize().into_bytes());
        vec![
            ("x-amz-date".into(), timestamp),
            ("x-amz-content-sha256".into(), payload_hash),
            (
                "authorization".into(),
                format!(
                    "{ALGORITHM} Credential={}/{scope}, SignedHeaders={signed_headers}, Signature={signature}",
                    self.access_key_id
                ),
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sigv4::{AccessKeySecret, Payload, SignedRequest, verify};
    use std::collections::HashMap;

    #[test]
    fn what_the_signer_signs_the_verifier_accepts() {
        let signer = Signer {
            access_key_id: "test",
            secret_access_key: "test",
            region: "us-east-1",
            service: "vpclab",
        };
        let body = br#"{"from":"i-0123456789abcdef0"}"#;
        let now = 1_700_000_000_000;
        let host = [
            ("host", "127.0.0.1:4566"),
            ("content-type", "application/json"),
        ];
        let added = signer.sign(
            "POST",
            "/_vpclab/reach",
            "a=1&b=two%20words",
            &host,
            body,
            now,
        );
        let mut headers: Vec<(&str, &str)> = host.to_vec();
        headers.extend(added.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let creds: HashMap<String, AccessKeySecret> = [(
            "test".to_owned(),
            AccessKeySecret {
                secret_access_key: "test".into(),
                account_id: "000000000000".into(),
            },
        )]
        .into();
        let req = SignedRequest {
            method: "POST",
            path: "/_vpclab/reach",
            query: "a=1&b=two%20words",
            headers: &headers,
            payload: Payload::Bytes(body),
        };
        let v = verify(&req, &creds, now + 1000).unwrap();
        assert_eq!(
            (v.service.as_str(), v.region.as_str(), v.account_id.as_str()),
            ("vpclab", "us-east-1", "000000000000")
        );
        let tampered = SignedRequest {
            payload: Payload::Bytes(b"{}"),
            ..req
        };
        assert!(verify(&tampered, &creds, now).is_err());
    }
}
