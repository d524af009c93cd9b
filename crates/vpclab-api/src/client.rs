//! A small client for vpclab's own API (`/_vpclab/…`), signed with SigV4 like any AWS
//! request: what the `vpclab` CLI uses to ask a running server.

use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use crate::sigv4::Signer;

/// Where the server is and whose keys to sign with.
#[derive(Clone, Debug)]
pub struct Client {
    /// `host:port` (the scheme is http; the lab listens on loopback).
    pub authority: String,
    /// The access key id.
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: String,
    /// The region to ask in.
    pub region: String,
}

/// A failed call: the server's error, or no server.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The server could not be reached.
    #[error("cannot reach vpclab at {0}: {1} (is `vpclab serve` running?)")]
    Unreachable(String, String),
    /// The server answered with an error.
    #[error("{code}: {message}")]
    Api {
        /// The error code.
        code: String,
        /// The message.
        message: String,
    },
}

impl Client {
    /// A client for `endpoint` (`http://127.0.0.1:4566` or `127.0.0.1:4566`).
    pub fn new(
        endpoint: &str,
        access_key_id: &str,
        secret_access_key: &str,
        region: &str,
    ) -> Client {
        let authority = endpoint
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned();
        Client {
            authority,
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
            region: region.into(),
        }
    }

    /// POSTs `body` (JSON) to `path`, returns the JSON answer.
    pub async fn post_json(
        &self,
        path: &str,
        body: &serde_json::Value,
    ) -> Result<serde_json::Value, ClientError> {
        let unreachable = |e: &dyn std::fmt::Display| {
            ClientError::Unreachable(self.authority.clone(), e.to_string())
        };
        let payload = serde_json::to_vec(body).map_err(|e| unreachable(&e))?;
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        let signer = Signer {
            access_key_id: &self.access_key_id,
            secret_access_key: &self.secret_access_key,
            region: &self.region,
            service: "vpclab",
        };
        let base = [
            ("host", self.authority.as_str()),
            ("content-type", "application/json"),
        ];
        let signed = signer.sign("POST", path, "", &base, &payload, now);
        let mut request = Request::builder().method("POST").uri(path);
        for (k, v) in base {
            request = request.header(k, v);
        }
        for (k, v) in &signed {
            request = request.header(k.as_str(), v.as_str());
        }
        let request = request
            .body(Full::new(Bytes::from(payload)))
            .map_err(|e| unreachable(&e))?;
        let stream = TcpStream::connect(&self.authority)
            .await
            .map_err(|e| unreachable(&e))?;
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| unreachable(&e))?;
        tokio::spawn(conn);
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| unreachable(&e))?;
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .map_err(|e| unreachable(&e))?
            .to_bytes();
        let json: serde_json::Value =
            serde_json::from_slice(&bytes).map_err(|_| ClientError::Api {
                code: format!("HTTP {status}"),
                message: String::from_utf8_lossy(&bytes).chars().take(300).collect(),
            })?;
        if !status.is_success() {
            let field = |k: &str| {
                json.get(k)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_owned()
            };
            return Err(ClientError::Api {
                code: field("code"),
                message: field("message"),
            });
        }
        Ok(json)
    }
}
