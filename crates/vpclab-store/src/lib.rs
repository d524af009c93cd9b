//! Durable state for vpclab: every accepted control-plane operation in an append-only
//! log, plus snapshots of the whole lab, in an embedded SQLite database.
//!
//! The lab lives in memory ([`vpclab_model::Lab`]); the store makes it survive a crash.
//! A write is acknowledged only after its log entry is committed (WAL, `synchronous =
//! FULL`: the commit is on disk when `append` returns), so an acknowledged write survives
//! `kill -9`. On start, [`Store::load`] reads the newest snapshot and replays the log
//! after it. Entries are appended in batches (group commit) by the server's single
//! writer, so many concurrent writers share one disk flush.
//!
//! SQL is kept to what PostgreSQL also speaks, so a team can later share one lab through
//! a PostgreSQL URL.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod objects;
pub use objects::{
    Blob, BlobWriter, ObjectMeta, ObjectRecord, Objects, PartRecord, Upload, fresh_id, hex,
};

use std::path::Path;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};
use vpclab_model::{AccountId, Caller, Lab, Operation, Region, Timestamp};

/// A store error. Storage failures are not AWS errors: the server answers them with a
/// 500 `InternalError`.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused or failed.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// A file of the object store could not be written or read.
    #[error("file {what}: {why}")]
    Io {
        /// Which file.
        what: String,
        /// What failed.
        why: String,
    },
    /// A stored record does not read back.
    #[error("corrupt record {what}: {why}")]
    Corrupt {
        /// Which record.
        what: String,
        /// Why it does not read.
        why: String,
    },
}

/// The result of a store call.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// One accepted operation, as logged: who, where, when, what.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LogEntry {
    /// The calling account.
    pub account: AccountId,
    /// The region it was addressed to.
    pub region: Region,
    /// When it was applied.
    pub at: Timestamp,
    /// The operation.
    pub op: Operation,
}

impl LogEntry {
    /// The caller the entry replays as.
    pub fn caller(&self) -> Caller {
        Caller::new(self.account.clone(), self.region, self.at)
    }
}

/// An access key the server accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessKey {
    /// The key id (`AKIA…`, or `test`).
    pub access_key_id: String,
    /// The secret.
    pub secret_access_key: String,
    /// The account it belongs to.
    pub account_id: AccountId,
}

/// The lab as loaded: its state and the sequence number of the last applied entry.
pub struct Loaded {
    /// The lab.
    pub lab: Lab,
    /// The last log entry applied (0 for an empty log).
    pub last_seq: i64,
    /// Log entries after the snapshot (replayed).
    pub replayed: usize,
    /// Entries that no longer apply (a newer vpclab refuses what an older one accepted);
    /// they are skipped and reported.
    pub skipped: Vec<(i64, String)>,
}

/// The database.
#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
    options: SqliteConnectOptions,
    in_memory: bool,
}

/// Rows per INSERT statement when appending (two bound values each, well under SQLite's
/// limit on bound values).
const ROWS_PER_INSERT: usize = 500;

const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS ops (seq INTEGER PRIMARY KEY, entry TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS snapshots (seq INTEGER PRIMARY KEY, lab TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS access_keys (access_key_id TEXT PRIMARY KEY, secret_access_key TEXT NOT NULL, account_id TEXT NOT NULL)",
];

impl Store {
    /// Opens (creating if needed) the SQLite database at `path`.
    pub async fn open_file(path: &Path) -> Result<Store> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true);
        Store::open_with(options, false).await
    }

    /// Opens a database by URL (`sqlite:///path/lab.db`, `sqlite::memory:`).
    pub async fn open_url(url: &str) -> Result<Store> {
        let options = SqliteConnectOptions::from_str(url)?.create_if_missing(true);
        Store::open_with(
            options,
            url.contains(":memory:") || url.contains("mode=memory"),
        )
        .await
    }

    async fn open_with(options: SqliteConnectOptions, in_memory: bool) -> Result<Store> {
        let options = options
            .journal_mode(SqliteJournalMode::Wal)
            // With WAL, FULL syncs the log at every commit: a committed append is on disk.
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(std::time::Duration::from_secs(10));
        // One connection: the single writer appends in order, and an in-memory database
        // must not be split across connections.
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await?;
        for statement in SCHEMA {
            sqlx::query(statement).execute(&pool).await?;
        }
        Ok(Store {
            pool,
            options,
            in_memory,
        })
    }

    /// The seed the lab's ids derive from, chosen once when the database is created.
    pub async fn seed(&self, fresh: u64) -> Result<u64> {
        if let Some(row) = sqlx::query("SELECT value FROM meta WHERE key = 'seed'")
            .fetch_optional(&self.pool)
            .await?
        {
            let value: String = row.try_get(0)?;
            return value.parse().map_err(|_| StoreError::Corrupt {
                what: "meta.seed".into(),
                why: value,
            });
        }
        sqlx::query("INSERT INTO meta (key, value) VALUES ('seed', ?)")
            .bind(fresh.to_string())
            .execute(&self.pool)
            .await?;
        Ok(fresh)
    }

    /// The lab: the newest snapshot, then every logged operation after it, replayed.
    pub async fn load(&self, seed: u64) -> Result<Loaded> {
        let snapshot = sqlx::query("SELECT seq, lab FROM snapshots ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&self.pool)
            .await?;
        let (mut lab, from) = match snapshot {
            Some(row) => {
                let seq: i64 = row.try_get(0)?;
                let text: String = row.try_get(1)?;
                let mut lab: Lab =
                    serde_json::from_str(&text).map_err(|e| StoreError::Corrupt {
                        what: format!("snapshot {seq}"),
                        why: e.to_string(),
                    })?;
                lab.rebuild_index();
                (lab, seq)
            }
            None => (Lab::new(seed), 0),
        };
        let rows = sqlx::query("SELECT seq, entry FROM ops WHERE seq > ? ORDER BY seq")
            .bind(from)
            .fetch_all(&self.pool)
            .await?;
        let mut last_seq = from;
        let mut skipped = Vec::new();
        for row in &rows {
            let seq: i64 = row.try_get(0)?;
            let text: String = row.try_get(1)?;
            let entry: LogEntry = serde_json::from_str(&text).map_err(|e| StoreError::Corrupt {
                what: format!("log entry {seq}"),
                why: e.to_string(),
            })?;
            if let Err(e) = lab.apply(&entry.caller(), &entry.op) {
                skipped.push((
                    seq,
                    format!(
                        "{} refused on replay: {} ({})",
                        entry.op.name(),
                        e,
                        e.code()
                    ),
                ));
            }
            last_seq = seq;
        }
        Ok(Loaded {
            lab,
            last_seq,
            replayed: rows.len(),
            skipped,
        })
    }

    /// Appends entries `first_seq`, `first_seq + 1`, … in one transaction. When this
    /// returns `Ok`, they are on disk.
    pub async fn append(&self, first_seq: i64, entries: &[LogEntry]) -> Result<()> {
        if entries.is_empty() {
            return Ok(());
        }
        let texts = entries
            .iter()
            .map(|entry| {
                serde_json::to_string(entry).map_err(|e| StoreError::Corrupt {
                    what: "new log entry".into(),
                    why: e.to_string(),
                })
            })
            .collect::<Result<Vec<String>>>()?;
        let mut tx = self.pool.begin().await?;
        // One statement per chunk of rows, not one per row: each statement is a round trip
        // to the database's thread, and the writer appends whole batches.
        for (c, chunk) in texts.chunks(ROWS_PER_INSERT).enumerate() {
            let mut sql = String::from("INSERT INTO ops (seq, entry) VALUES ");
            sql.push_str(&vec!["(?, ?)"; chunk.len()].join(", "));
            let mut query = sqlx::query(&sql);
            for (i, text) in chunk.iter().enumerate() {
                query = query
                    .bind(first_seq + (c * ROWS_PER_INSERT + i) as i64)
                    .bind(text);
            }
            query.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Saves the lab as of log entry `seq` and drops the entries it includes.
    pub async fn snapshot(&self, lab: &Lab, seq: i64) -> Result<()> {
        let text = serde_json::to_string(lab).map_err(|e| StoreError::Corrupt {
            what: "snapshot".into(),
            why: e.to_string(),
        })?;
        let mut tx = self.pool.begin().await?;
        sqlx::query("INSERT INTO snapshots (seq, lab) VALUES (?, ?) ON CONFLICT (seq) DO UPDATE SET lab = excluded.lab")
            .bind(seq)
            .bind(text)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM snapshots WHERE seq < ?")
            .bind(seq)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM ops WHERE seq <= ?")
            .bind(seq)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// How many log entries follow the newest snapshot.
    pub async fn log_length(&self) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) FROM ops")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get(0)?)
    }

    /// Every access key.
    pub async fn access_keys(&self) -> Result<Vec<AccessKey>> {
        let rows = sqlx::query("SELECT access_key_id, secret_access_key, account_id FROM access_keys ORDER BY access_key_id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                let account: String = row.try_get(2)?;
                Ok(AccessKey {
                    access_key_id: row.try_get(0)?,
                    secret_access_key: row.try_get(1)?,
                    account_id: AccountId::parse(&account).map_err(|_| StoreError::Corrupt {
                        what: "access key".into(),
                        why: account.clone(),
                    })?,
                })
            })
            .collect()
    }

    /// Adds an access key, or changes the secret and account of an existing one.
    pub async fn put_access_key(&self, key: &AccessKey) -> Result<()> {
        sqlx::query(
            "INSERT INTO access_keys (access_key_id, secret_access_key, account_id) VALUES (?, ?, ?) \
             ON CONFLICT (access_key_id) DO UPDATE SET secret_access_key = excluded.secret_access_key, account_id = excluded.account_id",
        )
        .bind(&key.access_key_id)
        .bind(&key.secret_access_key)
        .bind(key.account_id.as_str())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Removes an access key; `false` if there was none.
    pub async fn delete_access_key(&self, access_key_id: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM access_keys WHERE access_key_id = ?")
            .bind(access_key_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// A pool of several connections to the same database, for the object store: object
    /// reads and writes then do not queue behind the log's single writer (SQLite's WAL lets
    /// readers run beside one writer). An in-memory database cannot be shared between
    /// connections, so it keeps the one.
    pub(crate) async fn side_pool(&self) -> Result<SqlitePool> {
        if self.in_memory {
            return Ok(self.pool.clone());
        }
        Ok(SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(self.options.clone())
            .await?)
    }

    /// Closes the database.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vpclab_model::CreateVpc;

    fn entry(op: Operation) -> LogEntry {
        LogEntry {
            account: AccountId::parse("111111111111").unwrap(),
            region: Region::default_region(),
            at: Timestamp(1_000),
            op,
        }
    }

    #[tokio::test]
    async fn appended_operations_replay_after_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lab.db");
        let store = Store::open_file(&path).await.unwrap();
        let seed = store.seed(77).await.unwrap();
        let mut lab = Lab::new(seed);
        let ops = vec![
            entry(Operation::AddAccount {
                account: AccountId::parse("111111111111").unwrap(),
            }),
            entry(Operation::CreateVpc(CreateVpc {
                cidr_block: "10.0.0.0/16".into(),
                ..Default::default()
            })),
        ];
        for e in &ops {
            lab.apply(&e.caller(), &e.op).unwrap();
        }
        store.append(1, &ops).await.unwrap();
        store.close().await;

        let store = Store::open_file(&path).await.unwrap();
        assert_eq!(store.seed(1).await.unwrap(), 77, "the seed is kept");
        let loaded = store.load(77).await.unwrap();
        assert_eq!(loaded.last_seq, 2);
        assert_eq!(loaded.replayed, 2);
        assert!(loaded.skipped.is_empty());
        assert_eq!(
            serde_json::to_value(&loaded.lab).unwrap(),
            serde_json::to_value(&lab).unwrap()
        );
    }

    #[tokio::test]
    async fn a_snapshot_replaces_the_log_it_covers() {
        let store = Store::open_url("sqlite::memory:").await.unwrap();
        let mut lab = Lab::new(5);
        let first = entry(Operation::AddAccount {
            account: AccountId::parse("111111111111").unwrap(),
        });
        lab.apply(&first.caller(), &first.op).unwrap();
        store.append(1, std::slice::from_ref(&first)).await.unwrap();
        store.snapshot(&lab, 1).await.unwrap();
        assert_eq!(store.log_length().await.unwrap(), 0);
        let second = entry(Operation::CreateInternetGateway {
            tags: Default::default(),
        });
        lab.apply(&second.caller(), &second.op).unwrap();
        store
            .append(2, std::slice::from_ref(&second))
            .await
            .unwrap();
        let loaded = store.load(5).await.unwrap();
        assert_eq!((loaded.last_seq, loaded.replayed), (2, 1));
        assert_eq!(
            serde_json::to_value(&loaded.lab).unwrap(),
            serde_json::to_value(&lab).unwrap()
        );
    }

    #[tokio::test]
    async fn a_batch_larger_than_one_insert_is_appended_whole_and_in_order() {
        let store = Store::open_url("sqlite::memory:").await.unwrap();
        let account = AccountId::parse("111111111111").unwrap();
        let mut lab = Lab::new(8);
        let mut batch = vec![entry(Operation::AddAccount {
            account: account.clone(),
        })];
        batch.extend((0..1203).map(|_| {
            entry(Operation::CreateInternetGateway {
                tags: Default::default(),
            })
        }));
        lab.quotas.internet_gateways_per_region = 10_000;
        let quotas = entry(Operation::SetQuotas(lab.quotas.clone()));
        batch.insert(0, quotas);
        for e in &batch {
            lab.apply(&e.caller(), &e.op).unwrap();
        }
        store.append(1, &batch).await.unwrap();
        assert_eq!(store.log_length().await.unwrap(), 1205);
        let loaded = store.load(8).await.unwrap();
        assert_eq!((loaded.last_seq, loaded.replayed), (1205, 1205));
        assert_eq!(
            serde_json::to_value(&loaded.lab).unwrap(),
            serde_json::to_value(&lab).unwrap()
        );
    }

    #[tokio::test]
    async fn access_keys_are_kept_and_replaced() {
        let store = Store::open_url("sqlite::memory:").await.unwrap();
        let key = AccessKey {
            access_key_id: "AKIAEXAMPLE".into(),
            secret_access_key: "s1".into(),
            account_id: AccountId::parse("111111111111").unwrap(),
        };
        store.put_access_key(&key).await.unwrap();
        store
            .put_access_key(&AccessKey {
                secret_access_key: "s2".into(),
                ..key.clone()
            })
            .await
            .unwrap();
        let keys = store.access_keys().await.unwrap();
        assert_eq!(keys.len(), 1);
        assert_eq!(keys[0].secret_access_key, "s2");
        assert!(store.delete_access_key("AKIAEXAMPLE").await.unwrap());
        assert!(!store.delete_access_key("AKIAEXAMPLE").await.unwrap());
    }
}
