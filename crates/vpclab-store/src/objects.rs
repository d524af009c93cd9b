//! S3 object storage: bytes in files under the data directory, metadata in the same
//! database as the lab's log (being written).

use std::path::{Path, PathBuf};

use sqlx::Row;

use crate::{Result, Store};

/// The objects of every bucket.
#[derive(Clone, Debug)]
pub struct Objects {
    store: Store,
    dir: PathBuf,
}

impl Objects {
    /// Objects kept in `dir` (created if needed), their metadata in `store`.
    pub async fn open(store: Store, dir: &Path) -> Result<Objects> {
        std::fs::create_dir_all(dir).map_err(|e| crate::StoreError::Corrupt {
            what: dir.display().to_string(),
            why: e.to_string(),
        })?;
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS objects (bucket TEXT NOT NULL, key TEXT NOT NULL, blob TEXT NOT NULL, \
             size INTEGER NOT NULL, etag TEXT NOT NULL, content_type TEXT, metadata TEXT NOT NULL, \
             last_modified INTEGER NOT NULL, PRIMARY KEY (bucket, key))",
        )
        .execute(store.pool())
        .await?;
        Ok(Objects {
            store,
            dir: dir.to_owned(),
        })
    }

    /// Whether the bucket holds no object.
    pub async fn is_empty(&self, bucket: &str) -> Result<bool> {
        let row =
            sqlx::query("SELECT COUNT(*) FROM (SELECT 1 FROM objects WHERE bucket = ? LIMIT 1)")
                .bind(bucket)
                .fetch_one(self.store.pool())
                .await?;
        let n: i64 = row.try_get(0)?;
        Ok(n == 0)
    }

    /// Where the files live.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}
