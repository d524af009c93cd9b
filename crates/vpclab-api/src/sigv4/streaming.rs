//! What a verified request leaves for checking the rest of its body: the signing key and the
//! seed signature that S3's signed streaming uploads (`aws-chunked`,
//! `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`) chain each chunk's signature from.
//!
//! AWS: "Signature Calculations for the Authorization Header: Transferring Payload in
//! Multiple Chunks" (<https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html>).

use std::fmt;

use hmac::Mac;

use super::canonical::{hmac, sha256_hex};
use super::error::{ErrorKind, Mismatch, SigV4Error};

/// The SHA-256 of nothing, which every chunk's string to sign carries.
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// The key and scope a request was signed with, and its (verified) signature.
#[derive(Clone, PartialEq, Eq)]
pub struct SigningContext {
    pub(crate) access_key_id: String,
    pub(crate) key: [u8; 32],
    pub(crate) timestamp: String,
    pub(crate) scope: String,
    pub(crate) seed_signature: [u8; 32],
}

impl fmt::Debug for SigningContext {
    /// Leaves the signing key out: it is as good as the secret for a day.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningContext")
            .field("timestamp", &self.timestamp)
            .field("scope", &self.scope)
            .field("seed_signature", &self.seed_signature())
            .finish_non_exhaustive()
    }
}

impl SigningContext {
    /// The request's own signature (the seed of a chunk chain), lower-case hex.
    pub fn seed_signature(&self) -> String {
        hex::encode(self.seed_signature)
    }

    /// The request's timestamp, `YYYYMMDD'T'HHMMSS'Z'`, as signed.
    pub fn timestamp(&self) -> &str {
        &self.timestamp
    }

    /// The credential scope, `YYYYMMDD/region/service/aws4_request`.
    pub fn scope(&self) -> &str {
        &self.scope
    }

    /// A checker for the chunk signatures of an `aws-chunked` body, starting from the seed.
    pub fn chunk_chain(&self) -> ChunkChain {
        ChunkChain {
            context: self.clone(),
            previous: self.seed_signature,
        }
    }
}

/// Checks the chunks of a `STREAMING-AWS4-HMAC-SHA256-PAYLOAD` body in order: each chunk's
/// signature signs the previous signature and the chunk's hash.
#[derive(Clone, Debug)]
pub struct ChunkChain {
    context: SigningContext,
    previous: [u8; 32],
}

impl ChunkChain {
    /// `AWS4-HMAC-SHA256-PAYLOAD\n<timestamp>\n<scope>\n<previous signature>\n<sha256("")>\n
    /// <sha256(chunk)>`.
    fn string_to_sign(&self, chunk: &[u8]) -> String {
        format!(
            "AWS4-HMAC-SHA256-PAYLOAD\n{}\n{}\n{}\n{EMPTY_SHA256}\n{}",
            self.context.timestamp,
            self.context.scope,
            hex::encode(self.previous),
            sha256_hex(chunk)
        )
    }

    /// Checks the next chunk (the last chunk of a body is empty) against the signature its
    /// chunk header carries, and moves the chain on past it.
    pub fn verify_next(&mut self, chunk: &[u8], signature: &str) -> Result<(), SigV4Error> {
        let string_to_sign = self.string_to_sign(chunk);
        let mut mac = hmac(&self.context.key);
        mac.update(string_to_sign.as_bytes());
        match super::decode_signature(signature) {
            Some(bytes) if mac.verify_slice(&bytes).is_ok() => {
                self.previous = bytes;
                Ok(())
            }
            _ => Err(SigV4Error::new(
                ErrorKind::SignatureDoesNotMatch(Box::new(Mismatch {
                    access_key_id: self.context.access_key_id.clone(),
                    canonical_request: String::new(),
                    string_to_sign,
                    signature_provided: signature.to_owned(),
                })),
                Some("s3"),
            )),
        }
    }
}
