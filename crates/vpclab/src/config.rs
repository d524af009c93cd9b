//! The `vpclab serve` configuration file: more access keys, and quotas.
//!
//! ```toml
//! [[keys]]
//! account = "111122223333"
//! access_key_id = "AKIAEXAMPLEKEY111111"
//! secret_access_key = "a-secret"
//!
//! [quotas]
//! vpcs-per-region = 100
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use serde::Deserialize;
use vpclab_model::{AccountId, Quotas};
use vpclab_store::AccessKey;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    keys: Vec<Key>,
    #[serde(default)]
    quotas: BTreeMap<String, usize>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Key {
    account: String,
    access_key_id: String,
    secret_access_key: String,
}

/// What the file configures.
#[derive(Debug, Default)]
pub struct Config {
    /// Access keys to accept, besides the default one.
    pub keys: Vec<AccessKey>,
    /// Quotas: (name, value).
    pub quotas: Vec<(String, usize)>,
}

/// Reads `path`, or `config.toml` in the data directory when no path is given and it
/// exists; nothing to read is an empty configuration.
pub fn load(path: Option<&Path>, data_dir: &Path) -> anyhow::Result<Config> {
    let default = data_dir.join("config.toml");
    let path = match path {
        Some(p) => p.to_owned(),
        None if default.exists() => default,
        None => return Ok(Config::default()),
    };
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    parse(&text).with_context(|| format!("in {}", path.display()))
}

fn parse(text: &str) -> anyhow::Result<Config> {
    let file: File = toml::from_str(text)?;
    let mut keys = Vec::new();
    for k in file.keys {
        let account_id = AccountId::parse(&k.account)
            .map_err(|e| anyhow::anyhow!("key {}: {e}", k.access_key_id))?;
        keys.push(AccessKey {
            access_key_id: k.access_key_id,
            secret_access_key: k.secret_access_key,
            account_id,
        });
    }
    for (name, value) in &file.quotas {
        Quotas::default()
            .set(name, *value)
            .map_err(|e| anyhow::anyhow!("[quotas] {e}"))?;
    }
    Ok(Config {
        keys,
        quotas: file.quotas.into_iter().collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_quotas_are_read_and_checked() {
        let c = parse(
            "[[keys]]\naccount = \"111122223333\"\naccess_key_id = \"AKIA1\"\nsecret_access_key = \"s\"\n\n[quotas]\nvpcs-per-region = 50\n",
        )
        .unwrap();
        assert_eq!(c.keys.len(), 1);
        assert_eq!(c.keys[0].account_id.as_str(), "111122223333");
        assert_eq!(c.quotas, vec![("vpcs-per-region".to_owned(), 50)]);
        assert!(
            parse("[[keys]]\naccount = \"1\"\naccess_key_id = \"a\"\nsecret_access_key = \"s\"\n")
                .is_err()
        );
        assert!(parse("[quotas]\nvpcs = 5\n").is_err());
        assert!(parse("surprise = 1\n").is_err());
    }
}
