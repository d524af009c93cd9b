//! S3 buckets: the resource itself (name, owner, region, policy). Objects are not part
//! of the lab's model — there can be millions of them — they live in the store.

use serde::{Deserialize, Serialize};

use crate::err::{Error, Result};
use crate::lab::{Caller, Lab, Timestamp};
use crate::region::{AccountId, Region};

/// AWS's default quota: 100 buckets per account.
const MAX_BUCKETS: usize = 100;

/// An S3 bucket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bucket {
    /// Its name, unique across all accounts (S3's global namespace).
    pub name: String,
    /// The owning account.
    pub owner_id: AccountId,
    /// The region it lives in.
    pub region: Region,
    /// When it was created.
    pub creation_date: Timestamp,
    /// Its bucket policy (JSON text), checked by the API layer before it is stored.
    pub policy: Option<String>,
}

fn s3_error(code: &'static str, message: impl Into<String>) -> Error {
    Error::Coded {
        code,
        message: message.into(),
    }
}

/// Checks a bucket name against S3's rules for general purpose buckets: 3–63
/// characters of lower-case letters, digits, dots and hyphens, starting and ending with a
/// letter or digit, no two adjacent dots, not shaped like an IP address, and none of
/// AWS's reserved prefixes and suffixes.
pub fn validate_bucket_name(name: &str) -> Result<()> {
    let bad = || s3_error("InvalidBucketName", "The specified bucket is not valid.");
    let bytes = name.as_bytes();
    if !(3..=63).contains(&bytes.len()) {
        return Err(bad());
    }
    let allowed = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-';
    let edge = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if !bytes.iter().all(|b| allowed(*b)) || !edge(bytes[0]) || !edge(bytes[bytes.len() - 1]) {
        return Err(bad());
    }
    if name.contains("..") || name.parse::<std::net::Ipv4Addr>().is_ok() {
        return Err(bad());
    }
    let reserved_prefix = ["xn--", "sthree-", "amzn-s3-demo-"]
        .iter()
        .any(|p| name.starts_with(p));
    let reserved_suffix = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"]
        .iter()
        .any(|s| name.ends_with(s));
    if reserved_prefix || reserved_suffix {
        return Err(bad());
    }
    Ok(())
}

impl Lab {
    /// The bucket called `name`, whoever owns it.
    pub fn bucket(&self, name: &str) -> Option<&Bucket> {
        self.buckets.get(name)
    }

    /// Every bucket, in creation order.
    pub fn buckets(&self) -> impl Iterator<Item = &Bucket> {
        self.buckets.values()
    }

    /// CreateBucket in `region`. A name is taken across every account; re-creating your
    /// own bucket is accepted in us-east-1 (AWS's legacy behaviour) and refused elsewhere.
    pub fn create_bucket(&mut self, caller: &Caller, name: &str, region: Region) -> Result<()> {
        validate_bucket_name(name)?;
        if let Some(existing) = self.buckets.get(name) {
            if existing.owner_id != caller.account {
                return Err(s3_error(
                    "BucketAlreadyExists",
                    "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.",
                ));
            }
            if existing.region.name() == "us-east-1" && region.name() == "us-east-1" {
                return Ok(());
            }
            return Err(s3_error(
                "BucketAlreadyOwnedByYou",
                "Your previous request to create the named bucket succeeded and you already own it.",
            ));
        }
        let mine = self
            .buckets
            .values()
            .filter(|b| b.owner_id == caller.account)
            .count();
        if mine >= MAX_BUCKETS {
            return Err(s3_error(
                "TooManyBuckets",
                "You have attempted to create more buckets than allowed",
            ));
        }
        self.buckets.insert(
            name.to_owned(),
            Bucket {
                name: name.to_owned(),
                owner_id: caller.account.clone(),
                region,
                creation_date: caller.now,
                policy: None,
            },
        );
        Ok(())
    }

    fn existing_bucket(&self, name: &str) -> Result<&Bucket> {
        self.buckets
            .get(name)
            .ok_or_else(|| s3_error("NoSuchBucket", "The specified bucket does not exist"))
    }

    /// DeleteBucket: only an empty bucket (the store knows whether it holds objects).
    pub fn delete_bucket(&mut self, name: &str, empty: bool) -> Result<()> {
        self.existing_bucket(name)?;
        if !empty {
            return Err(s3_error(
                "BucketNotEmpty",
                "The bucket you tried to delete is not empty",
            ));
        }
        self.buckets.shift_remove(name);
        Ok(())
    }

    /// PutBucketPolicy: stores a policy the API layer has already parsed.
    pub fn put_bucket_policy(&mut self, name: &str, policy: &str) -> Result<()> {
        self.existing_bucket(name)?;
        if let Some(b) = self.buckets.get_mut(name) {
            b.policy = Some(policy.to_owned());
        }
        Ok(())
    }

    /// DeleteBucketPolicy (deleting a policy that is not there succeeds, as on AWS).
    pub fn delete_bucket_policy(&mut self, name: &str) -> Result<()> {
        self.existing_bucket(name)?;
        if let Some(b) = self.buckets.get_mut(name) {
            b.policy = None;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(account: &str, region: &str) -> Caller {
        Caller::new(
            AccountId::parse(account).unwrap(),
            Region::find(region).unwrap(),
            Timestamp(5),
        )
    }

    #[test]
    fn bucket_names_follow_s3_rules() {
        for ok in ["abc", "my-bucket.logs", "a1b2c3", &"a".repeat(63)] {
            assert!(validate_bucket_name(ok).is_ok(), "{ok}");
        }
        for bad in [
            "ab",
            "ABC",
            "-abc",
            "abc-",
            "a..b",
            "192.168.1.1",
            "xn--abc",
            "abc-s3alias",
            "a_b",
            &"a".repeat(64),
        ] {
            assert_eq!(
                validate_bucket_name(bad).unwrap_err().code(),
                "InvalidBucketName",
                "{bad}"
            );
        }
    }

    #[test]
    fn names_are_global_and_recreation_depends_on_region() {
        let mut lab = Lab::new(1);
        let a = caller("111111111111", "us-east-1");
        let b = caller("222222222222", "us-east-1");
        lab.create_bucket(&a, "shared-name", a.region).unwrap();
        assert_eq!(
            lab.create_bucket(&b, "shared-name", b.region)
                .unwrap_err()
                .code(),
            "BucketAlreadyExists"
        );
        assert!(
            lab.create_bucket(&a, "shared-name", a.region).is_ok(),
            "us-east-1 accepts re-creating your own"
        );
        let west = caller("111111111111", "us-west-2");
        lab.create_bucket(&west, "west-bucket", west.region)
            .unwrap();
        assert_eq!(
            lab.create_bucket(&west, "west-bucket", west.region)
                .unwrap_err()
                .code(),
            "BucketAlreadyOwnedByYou"
        );
        assert_eq!(
            lab.bucket("west-bucket").unwrap().region.name(),
            "us-west-2"
        );
    }

    #[test]
    fn delete_needs_an_empty_bucket_and_policies_come_and_go() {
        let mut lab = Lab::new(1);
        let a = caller("111111111111", "us-east-1");
        lab.create_bucket(&a, "b1", a.region).unwrap_err();
        lab.create_bucket(&a, "bkt", a.region).unwrap();
        lab.put_bucket_policy("bkt", "{}").unwrap();
        assert_eq!(lab.bucket("bkt").unwrap().policy.as_deref(), Some("{}"));
        lab.delete_bucket_policy("bkt").unwrap();
        assert_eq!(lab.bucket("bkt").unwrap().policy, None);
        assert_eq!(
            lab.delete_bucket("bkt", false).unwrap_err().code(),
            "BucketNotEmpty"
        );
        lab.delete_bucket("bkt", true).unwrap();
        assert_eq!(
            lab.delete_bucket("bkt", true).unwrap_err().code(),
            "NoSuchBucket"
        );
        assert_eq!(
            lab.put_bucket_policy("bkt", "{}").unwrap_err().code(),
            "NoSuchBucket"
        );
    }
}
