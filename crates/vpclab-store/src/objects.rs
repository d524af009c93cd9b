//! S3 object storage: bytes in files under the data directory, metadata in the same
//! database as the lab's log.
//!
//! An object's bytes are an immutable *blob*, a file named by a fresh id. A write streams
//! into a new blob (hashing it on the way), syncs the file and its directory, and only then
//! commits the metadata row that points at it: once the commit returns, the object
//! survives `kill -9`. Replacing or deleting an object removes the old blob after the
//! commit. A crash between the two leaves an unreferenced blob, removed the next time the
//! store opens. Copies share the blob through a hard link.
//!
//! Keys sort as S3 lists them, by their UTF-8 bytes: SQLite's `BINARY` collation compares
//! TEXT that way.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use bytes::Bytes;
use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};
use sqlx::sqlite::{SqlitePool, SqliteRow};
use sqlx::{Row, Sqlite, Transaction};

use crate::{Result, Store, StoreError};

const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS objects (bucket TEXT NOT NULL, key TEXT NOT NULL, blob TEXT NOT NULL, \
     size INTEGER NOT NULL, etag TEXT NOT NULL, meta TEXT NOT NULL, last_modified INTEGER NOT NULL, \
     PRIMARY KEY (bucket, key))",
    "CREATE TABLE IF NOT EXISTS uploads (upload_id TEXT PRIMARY KEY, bucket TEXT NOT NULL, key TEXT NOT NULL, \
     owner TEXT NOT NULL, meta TEXT NOT NULL, initiated INTEGER NOT NULL)",
    "CREATE INDEX IF NOT EXISTS uploads_by_key ON uploads (bucket, key, initiated)",
    "CREATE TABLE IF NOT EXISTS parts (upload_id TEXT NOT NULL, part_number INTEGER NOT NULL, blob TEXT NOT NULL, \
     size INTEGER NOT NULL, etag TEXT NOT NULL, checksum TEXT, last_modified INTEGER NOT NULL, \
     PRIMARY KEY (upload_id, part_number))",
];

/// What S3 keeps with an object besides its bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectMeta {
    /// `Content-Type`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// `Content-Encoding`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_encoding: Option<String>,
    /// `Content-Disposition`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_disposition: Option<String>,
    /// `Content-Language`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_language: Option<String>,
    /// `Cache-Control`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_control: Option<String>,
    /// `Expires`, as the client sent it (milliseconds since the epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<i64>,
    /// User metadata (`x-amz-meta-*`), names in lower case.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub user: BTreeMap<String, String>,
    /// The checksum the client asked S3 to keep: algorithm (`CRC32`, …) and base64 value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checksum: Option<(String, String)>,
    /// For an object made by a multipart upload, the size of each part, in order (what
    /// `partNumber` reads address); empty for an object put whole.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub part_sizes: Vec<u64>,
}

impl ObjectMeta {
    /// For an object made by a multipart upload, how many parts.
    pub fn parts_count(&self) -> Option<u32> {
        (!self.part_sizes.is_empty()).then_some(self.part_sizes.len() as u32)
    }
}

/// One stored object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectRecord {
    /// Its bucket.
    pub bucket: String,
    /// Its key.
    pub key: String,
    /// The blob holding its bytes.
    pub blob: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its ETag, without quotes (hex MD5, or `<hex>-<parts>` after a multipart upload).
    pub etag: String,
    /// Its metadata.
    pub meta: ObjectMeta,
    /// When it was written, in milliseconds since the epoch.
    pub last_modified: i64,
}

/// A multipart upload in progress.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Upload {
    /// Its id.
    pub upload_id: String,
    /// The bucket.
    pub bucket: String,
    /// The key the object will have.
    pub key: String,
    /// The account that started it.
    pub owner: String,
    /// The metadata the object will have.
    pub meta: ObjectMeta,
    /// When it started, in milliseconds since the epoch.
    pub initiated: i64,
}

/// One uploaded part.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartRecord {
    /// Its number (1–10,000).
    pub part_number: u32,
    /// The blob holding its bytes.
    pub blob: String,
    /// Its size.
    pub size: u64,
    /// Its ETag (hex MD5, no quotes).
    pub etag: String,
    /// The checksum sent with it (algorithm, base64 value).
    pub checksum: Option<(String, String)>,
    /// When it was uploaded.
    pub last_modified: i64,
}

/// A blob just written: its id, size and MD5.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Blob {
    /// The blob's id (its file name).
    pub id: String,
    /// Its size in bytes.
    pub size: u64,
    /// The MD5 of its bytes.
    pub md5: [u8; 16],
}

impl Blob {
    /// The MD5 in hex: a single-part object's ETag.
    pub fn md5_hex(&self) -> String {
        hex(&self.md5)
    }
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// The objects of every bucket.
#[derive(Clone, Debug)]
pub struct Objects {
    pool: SqlitePool,
    blobs: PathBuf,
    writes: tokio::sync::mpsc::UnboundedSender<WriteJob>,
    recent: Arc<RwLock<HashMap<(String, String), ObjectRecord>>>,
}

/// A change to the objects table, waiting for the writer.
#[derive(Debug)]
enum Change {
    /// Store this object (replacing one at its key).
    Put(ObjectRecord),
    /// Delete these keys.
    Delete(String, Vec<String>),
    /// Complete this upload as this object.
    Complete(String, ObjectRecord),
}

/// What a change answers: for a delete, which keys existed; for a completion, whether the
/// upload was still there.
type Answer = Result<Vec<bool>>;

#[derive(Debug)]
struct WriteJob {
    change: Change,
    done: tokio::sync::oneshot::Sender<Answer>,
}

/// Changes committed per transaction at most.
const CHANGES_PER_COMMIT: usize = 256;

/// Objects remembered from recent writes, at most (reads of others go to the database).
const RECENT_OBJECTS: usize = 10_000;

type Recent = Arc<RwLock<HashMap<(String, String), ObjectRecord>>>;

/// The single writer of the objects table. Changes waiting at the same time are committed
/// together — one transaction, one WAL sync — rather than each waiting for the write lock
/// in turn (group commit). Because it is the only writer, it also keeps `recent`, the
/// objects written since the start, exactly in commit order: a read finds a recent object
/// there without a trip to the database, and never a stale one (an entry changes only
/// here, after the commit and before the writer answers).
async fn write_changes(
    pool: SqlitePool,
    blobs: PathBuf,
    recent: Recent,
    mut jobs: tokio::sync::mpsc::UnboundedReceiver<WriteJob>,
) {
    while let Some(first) = jobs.recv().await {
        let mut batch = vec![first];
        while batch.len() < CHANGES_PER_COMMIT {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let committed = async {
            let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
            let mut gone = Vec::new();
            let mut answers = Vec::with_capacity(batch.len());
            for job in &batch {
                answers.push(apply_change(&mut tx, &job.change, &mut gone).await?);
            }
            tx.commit().await?;
            Ok::<_, StoreError>((answers, gone))
        }
        .await;
        match committed {
            Ok((answers, gone)) => {
                {
                    let mut recent = recent.write().unwrap_or_else(|e| e.into_inner());
                    for (job, answer) in batch.iter().zip(&answers) {
                        remember(&mut recent, &job.change, answer);
                    }
                }
                // The bytes of replaced and deleted objects go before the answer: once a
                // delete is acknowledged, its bytes are gone from the disk.
                for blob in gone {
                    let _ = tokio::fs::remove_file(blobs.join(blob)).await;
                }
                for (job, answer) in batch.into_iter().zip(answers) {
                    let _ = job.done.send(Ok(answer));
                }
            }
            Err(e) => {
                let why = e.to_string();
                for job in batch {
                    let _ = job.done.send(Err(StoreError::Io {
                        what: "object metadata".into(),
                        why: why.clone(),
                    }));
                }
            }
        }
    }
}

/// Applies one change in `tx`; the blobs it frees are added to `gone`.
async fn apply_change(
    tx: &mut Transaction<'_, Sqlite>,
    change: &Change,
    gone: &mut Vec<String>,
) -> Result<Vec<bool>> {
    match change {
        Change::Put(object) => {
            gone.extend(replace_object(tx, object).await?);
            Ok(Vec::new())
        }
        Change::Delete(bucket, keys) => {
            let mut existed = Vec::with_capacity(keys.len());
            for key in keys {
                let row =
                    sqlx::query("DELETE FROM objects WHERE bucket = ? AND key = ? RETURNING blob")
                        .bind(bucket)
                        .bind(key)
                        .fetch_optional(&mut **tx)
                        .await?;
                existed.push(row.is_some());
                if let Some(row) = row {
                    gone.push(row.try_get::<String, _>(0)?);
                }
            }
            Ok(existed)
        }
        Change::Complete(upload_id, object) => {
            let Some(parts) = drop_upload(tx, upload_id).await? else {
                return Ok(vec![false]);
            };
            gone.extend(parts);
            gone.extend(replace_object(tx, object).await?);
            Ok(vec![true])
        }
    }
}

/// Keeps `recent` in step with a committed change.
fn remember(
    recent: &mut HashMap<(String, String), ObjectRecord>,
    change: &Change,
    answer: &[bool],
) {
    let object = match change {
        Change::Put(object) => object,
        Change::Complete(_, object) if answer == [true] => object,
        Change::Complete(..) => return,
        Change::Delete(bucket, keys) => {
            for key in keys {
                recent.remove(&(bucket.clone(), key.clone()));
            }
            return;
        }
    };
    if recent.len() >= RECENT_OBJECTS {
        // Forgetting is always safe (a read then asks the database): drop an arbitrary
        // entry rather than keep an order.
        if let Some(k) = recent.keys().next().cloned() {
            recent.remove(&k);
        }
    }
    recent.insert((object.bucket.clone(), object.key.clone()), object.clone());
}

/// Writes one blob, hashing it as it goes. Chunks are kept (without copying) until a
/// megabyte is pending, then written in one trip to the blocking pool; `finish` writes the
/// rest, syncs the file and its directory in one more.
#[derive(Debug)]
pub struct BlobWriter {
    file: Option<std::fs::File>,
    pending: Vec<Bytes>,
    pending_len: usize,
    path: PathBuf,
    dir: PathBuf,
    id: String,
    size: u64,
    md5: Md5,
}

/// Bytes kept before each write to the file.
const WRITE_BUFFER: usize = 1024 * 1024;

fn io_error(what: &Path, e: std::io::Error) -> StoreError {
    StoreError::Io {
        what: what.display().to_string(),
        why: e.to_string(),
    }
}

/// Writes `chunks` to `file` (created on first use), then syncs it and `dir` if asked.
fn write_chunks(
    file: Option<std::fs::File>,
    path: &Path,
    chunks: &[Bytes],
    sync_dir: Option<&Path>,
) -> std::io::Result<std::fs::File> {
    use std::io::Write;
    let mut file = match file {
        Some(f) => f,
        None => std::fs::File::create_new(path)?,
    };
    for chunk in chunks {
        file.write_all(chunk)?;
    }
    if let Some(dir) = sync_dir {
        file.sync_data()?;
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(file)
}

impl BlobWriter {
    /// Appends bytes.
    pub async fn write(&mut self, chunk: Bytes) -> Result<()> {
        self.md5.update(&chunk);
        self.size += chunk.len() as u64;
        self.pending_len += chunk.len();
        self.pending.push(chunk);
        if self.pending_len >= WRITE_BUFFER {
            self.drain(false).await?;
        }
        Ok(())
    }

    async fn drain(&mut self, sync: bool) -> Result<()> {
        let chunks = std::mem::take(&mut self.pending);
        self.pending_len = 0;
        let file = self.file.take();
        let path = self.path.clone();
        let dir = self.dir.clone();
        let file = tokio::task::spawn_blocking(move || {
            write_chunks(file, &path, &chunks, sync.then_some(dir.as_path()))
        })
        .await
        .map_err(|e| StoreError::Io {
            what: self.path.display().to_string(),
            why: e.to_string(),
        })?
        .map_err(|e| io_error(&self.path, e))?;
        self.file = Some(file);
        Ok(())
    }

    /// How many bytes so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Makes the blob durable (file and directory entry synced) and returns it.
    pub async fn finish(mut self) -> Result<Blob> {
        self.drain(true).await?;
        Ok(Blob {
            id: self.id,
            size: self.size,
            md5: self.md5.finalize().into(),
        })
    }

    /// Drops a blob that will not be used (the request failed half way).
    pub async fn discard(self) {
        drop(self.file);
        let _ = tokio::fs::remove_file(&self.path).await;
    }
}

async fn sync_dir(dir: &Path) -> Result<()> {
    let d = dir.to_owned();
    tokio::task::spawn_blocking(move || std::fs::File::open(&d).and_then(|f| f.sync_all()))
        .await
        .map_err(|e| StoreError::Io {
            what: dir.display().to_string(),
            why: e.to_string(),
        })?
        .map_err(|e| io_error(dir, e))
}

/// A fresh id for a blob or an upload: unique within this process (a counter) and across
/// restarts (the start time and the process id).
pub fn fresh_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    static START: std::sync::OnceLock<u128> = std::sync::OnceLock::new();
    let start = START.get_or_init(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default()
    });
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{start:x}{:08x}{n:010x}", std::process::id())
}

fn meta_text(meta: &ObjectMeta) -> Result<String> {
    serde_json::to_string(meta).map_err(|e| StoreError::Corrupt {
        what: "object metadata".into(),
        why: e.to_string(),
    })
}

fn meta_of(text: &str) -> Result<ObjectMeta> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt {
        what: "object metadata".into(),
        why: e.to_string(),
    })
}

fn object_of(row: &SqliteRow) -> Result<ObjectRecord> {
    let size: i64 = row.try_get("size")?;
    let meta: String = row.try_get("meta")?;
    Ok(ObjectRecord {
        bucket: row.try_get("bucket")?,
        key: row.try_get("key")?,
        blob: row.try_get("blob")?,
        size: size as u64,
        etag: row.try_get("etag")?,
        meta: meta_of(&meta)?,
        last_modified: row.try_get("last_modified")?,
    })
}

fn upload_of(row: &SqliteRow) -> Result<Upload> {
    let meta: String = row.try_get("meta")?;
    Ok(Upload {
        upload_id: row.try_get("upload_id")?,
        bucket: row.try_get("bucket")?,
        key: row.try_get("key")?,
        owner: row.try_get("owner")?,
        meta: meta_of(&meta)?,
        initiated: row.try_get("initiated")?,
    })
}

fn part_of(row: &SqliteRow) -> Result<PartRecord> {
    let number: i64 = row.try_get("part_number")?;
    let size: i64 = row.try_get("size")?;
    let checksum: Option<String> = row.try_get("checksum")?;
    Ok(PartRecord {
        part_number: number as u32,
        blob: row.try_get("blob")?,
        size: size as u64,
        etag: row.try_get("etag")?,
        checksum: checksum
            .and_then(|c| c.split_once(':').map(|(a, v)| (a.to_owned(), v.to_owned()))),
        last_modified: row.try_get("last_modified")?,
    })
}

// Write transactions start with `BEGIN IMMEDIATE`: a deferred transaction that reads and
// then writes fails at once with SQLITE_BUSY_SNAPSHOT when another connection (the log's
// writer, another object write) committed in between; an immediate one takes the write
// lock first and waits its turn (busy timeout).
const OBJECT_COLUMNS: &str = "bucket, key, blob, size, etag, meta, last_modified";

impl Objects {
    /// Objects kept under `dir` (created if needed), their metadata in `store`'s database.
    /// Blobs no row refers to (left by a crash between writing and committing) are removed.
    pub async fn open(store: &Store, dir: &Path) -> Result<Objects> {
        let blobs = dir.join("blobs");
        std::fs::create_dir_all(&blobs).map_err(|e| io_error(&blobs, e))?;
        let pool = store.side_pool().await?;
        for statement in SCHEMA {
            sqlx::query(statement).execute(&pool).await?;
        }
        let (writes, jobs) = tokio::sync::mpsc::unbounded_channel();
        let recent = Recent::default();
        tokio::spawn(write_changes(
            pool.clone(),
            blobs.clone(),
            Arc::clone(&recent),
            jobs,
        ));
        let objects = Objects {
            pool,
            blobs,
            writes,
            recent,
        };
        objects.collect_garbage().await?;
        Ok(objects)
    }

    async fn collect_garbage(&self) -> Result<()> {
        let mut used = HashSet::new();
        for table in ["objects", "parts"] {
            let rows = sqlx::query(&format!("SELECT blob FROM {table}"))
                .fetch_all(&self.pool)
                .await?;
            for row in rows {
                used.insert(row.try_get::<String, _>(0)?);
            }
        }
        let entries = std::fs::read_dir(&self.blobs).map_err(|e| io_error(&self.blobs, e))?;
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !used.contains(&name) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
        Ok(())
    }

    /// Where a blob's bytes are.
    pub fn blob_path(&self, blob: &str) -> PathBuf {
        self.blobs.join(blob)
    }

    async fn remove_blobs(&self, blobs: impl IntoIterator<Item = String>) {
        for blob in blobs {
            let _ = tokio::fs::remove_file(self.blob_path(&blob)).await;
        }
    }

    /// Starts a new blob.
    pub async fn writer(&self) -> Result<BlobWriter> {
        let id = fresh_id();
        let path = self.blob_path(&id);
        Ok(BlobWriter {
            file: None,
            pending: Vec::new(),
            pending_len: 0,
            path,
            dir: self.blobs.clone(),
            id,
            size: 0,
            md5: Md5::new(),
        })
    }

    /// A new blob with the same bytes as `blob` (a hard link: blobs never change).
    pub async fn link(&self, blob: &str) -> Result<String> {
        let id = fresh_id();
        let to = self.blob_path(&id);
        tokio::fs::hard_link(self.blob_path(blob), &to)
            .await
            .map_err(|e| io_error(&to, e))?;
        sync_dir(&self.blobs).await?;
        Ok(id)
    }

    /// A new blob holding `blobs` one after the other (a multipart upload's parts).
    pub async fn concat(&self, blobs: &[String]) -> Result<Blob> {
        let id = fresh_id();
        let to = self.blob_path(&id);
        let sources: Vec<PathBuf> = blobs.iter().map(|b| self.blob_path(b)).collect();
        let target = to.clone();
        let size = tokio::task::spawn_blocking(move || -> std::io::Result<u64> {
            let mut out = std::fs::File::create_new(&target)?;
            let mut size = 0;
            for source in sources {
                let mut input = std::fs::File::open(source)?;
                // std::io::copy uses copy_file_range on Linux: no bytes through user space.
                size += std::io::copy(&mut input, &mut out)?;
            }
            out.sync_data()?;
            Ok(size)
        })
        .await
        .map_err(|e| StoreError::Io {
            what: to.display().to_string(),
            why: e.to_string(),
        })?
        .map_err(|e| io_error(&to, e))?;
        sync_dir(&self.blobs).await?;
        Ok(Blob {
            id,
            size,
            md5: [0; 16],
        })
    }

    /// Drops a blob that was written but will not be committed.
    pub async fn discard(&self, blob: &str) {
        let _ = tokio::fs::remove_file(self.blob_path(blob)).await;
    }

    async fn change(&self, change: Change) -> Answer {
        let (done, answer) = tokio::sync::oneshot::channel();
        let stopped = || StoreError::Io {
            what: "object metadata".into(),
            why: "the store is shutting down".into(),
        };
        self.writes
            .send(WriteJob { change, done })
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }

    /// Stores `object`, replacing any object at its key. Durable when this returns
    /// (committed with the other writes waiting at the same time).
    pub async fn put(&self, object: &ObjectRecord) -> Result<()> {
        self.change(Change::Put(object.clone())).await.map(|_| ())
    }

    /// The object at `key`.
    pub async fn get(&self, bucket: &str, key: &str) -> Result<Option<ObjectRecord>> {
        if let Some(object) = self
            .recent
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&(bucket.to_owned(), key.to_owned()))
        {
            return Ok(Some(object.clone()));
        }
        let row = sqlx::query(&format!(
            "SELECT {OBJECT_COLUMNS} FROM objects WHERE bucket = ? AND key = ?"
        ))
        .bind(bucket)
        .bind(key)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(object_of).transpose()
    }

    /// Deletes the objects at `keys`; answers which existed.
    pub async fn delete(&self, bucket: &str, keys: &[&str]) -> Result<Vec<bool>> {
        self.change(Change::Delete(
            bucket.to_owned(),
            keys.iter().map(|k| (*k).to_owned()).collect(),
        ))
        .await
    }

    /// Up to `limit` objects of `bucket` whose keys start with `prefix` and sort after
    /// `after`, in key order.
    pub async fn list(
        &self,
        bucket: &str,
        prefix: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<ObjectRecord>> {
        // Keys with the prefix form one range starting at the prefix; the first key
        // without it ends the range (checked below, as SQLite's LIKE is not byte-exact).
        let from = match after {
            Some(a) if a >= prefix => a,
            _ => prefix,
        };
        let op = if after.is_some_and(|a| a >= prefix) {
            ">"
        } else {
            ">="
        };
        let rows = sqlx::query(&format!(
            "SELECT {OBJECT_COLUMNS} FROM objects WHERE bucket = ? AND key {op} ? ORDER BY key LIMIT ?"
        ))
        .bind(bucket)
        .bind(from)
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let object = object_of(row)?;
            if !object.key.starts_with(prefix) {
                break;
            }
            out.push(object);
        }
        Ok(out)
    }

    /// Whether the bucket holds no object.
    pub async fn is_empty(&self, bucket: &str) -> Result<bool> {
        let row = sqlx::query("SELECT 1 FROM objects WHERE bucket = ? LIMIT 1")
            .bind(bucket)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.is_none())
    }

    /// Records a new multipart upload.
    pub async fn create_upload(&self, upload: &Upload) -> Result<()> {
        sqlx::query("INSERT INTO uploads (upload_id, bucket, key, owner, meta, initiated) VALUES (?, ?, ?, ?, ?, ?)")
            .bind(&upload.upload_id)
            .bind(&upload.bucket)
            .bind(&upload.key)
            .bind(&upload.owner)
            .bind(meta_text(&upload.meta)?)
            .bind(upload.initiated)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The upload `upload_id`, if it is in progress.
    pub async fn upload(&self, upload_id: &str) -> Result<Option<Upload>> {
        let row = sqlx::query("SELECT upload_id, bucket, key, owner, meta, initiated FROM uploads WHERE upload_id = ?")
            .bind(upload_id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(upload_of).transpose()
    }

    /// Uploads in progress in `bucket` whose keys start with `prefix`, in key order then
    /// initiation order, after (`key_marker`, `upload_id_marker`) as S3 pages them.
    pub async fn uploads(
        &self,
        bucket: &str,
        prefix: &str,
        key_marker: Option<&str>,
        upload_id_marker: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Upload>> {
        let rows = sqlx::query(
            "SELECT upload_id, bucket, key, owner, meta, initiated FROM uploads WHERE bucket = ? AND key >= ? \
             ORDER BY key, initiated, upload_id",
        )
        .bind(bucket)
        .bind(prefix)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::new();
        // S3: with a key marker alone, uploads for keys after it; with an upload id marker
        // too, uploads of the marker key initiated after that upload, then later keys.
        let mut passed_upload_marker = upload_id_marker.is_none();
        for row in &rows {
            let upload = upload_of(row)?;
            if !upload.key.starts_with(prefix) {
                break;
            }
            if let Some(marker) = key_marker {
                if upload.key.as_str() < marker {
                    continue;
                }
                if upload.key == marker {
                    if !passed_upload_marker {
                        if Some(upload.upload_id.as_str()) == upload_id_marker {
                            passed_upload_marker = true;
                        }
                        continue;
                    }
                    if upload_id_marker.is_none() {
                        continue;
                    }
                }
            }
            out.push(upload);
            if out.len() >= limit {
                break;
            }
        }
        Ok(out)
    }

    /// Stores a part (replacing one with the same number). Durable when this returns.
    pub async fn put_part(&self, upload_id: &str, part: &PartRecord) -> Result<()> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let old = sqlx::query("SELECT blob FROM parts WHERE upload_id = ? AND part_number = ?")
            .bind(upload_id)
            .bind(part.part_number as i64)
            .fetch_optional(&mut *tx)
            .await?;
        let checksum = part.checksum.as_ref().map(|(a, v)| format!("{a}:{v}"));
        sqlx::query(
            "INSERT INTO parts (upload_id, part_number, blob, size, etag, checksum, last_modified) VALUES (?, ?, ?, ?, ?, ?, ?) \
             ON CONFLICT (upload_id, part_number) DO UPDATE SET blob = excluded.blob, size = excluded.size, \
             etag = excluded.etag, checksum = excluded.checksum, last_modified = excluded.last_modified",
        )
        .bind(upload_id)
        .bind(part.part_number as i64)
        .bind(&part.blob)
        .bind(part.size as i64)
        .bind(&part.etag)
        .bind(checksum)
        .bind(part.last_modified)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        if let Some(row) = old {
            self.remove_blobs([row.try_get::<String, _>(0)?]).await;
        }
        Ok(())
    }

    /// The parts of an upload with numbers above `after`, in order, at most `limit`.
    pub async fn parts(
        &self,
        upload_id: &str,
        after: u32,
        limit: usize,
    ) -> Result<Vec<PartRecord>> {
        let rows = sqlx::query(
            "SELECT part_number, blob, size, etag, checksum, last_modified FROM parts \
             WHERE upload_id = ? AND part_number > ? ORDER BY part_number LIMIT ?",
        )
        .bind(upload_id)
        .bind(after as i64)
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(part_of).collect()
    }

    /// Ends an upload: its parts and record are gone. `false` if there was no such upload.
    pub async fn abort_upload(&self, upload_id: &str) -> Result<bool> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let blobs = drop_upload(&mut tx, upload_id).await?;
        tx.commit().await?;
        let existed = blobs.is_some();
        self.remove_blobs(blobs.unwrap_or_default()).await;
        Ok(existed)
    }

    /// Completes an upload: `object` (whose blob holds the parts' bytes) replaces any object
    /// at its key and the upload is gone, in one transaction. `false` if the upload had
    /// ended meanwhile (then nothing changed).
    pub async fn complete_upload(&self, upload_id: &str, object: &ObjectRecord) -> Result<bool> {
        let answer = self
            .change(Change::Complete(upload_id.to_owned(), object.clone()))
            .await?;
        Ok(answer == [true])
    }

    /// Aborts every upload in `bucket` (the bucket is being deleted).
    pub async fn abort_bucket_uploads(&self, bucket: &str) -> Result<()> {
        let rows = sqlx::query("SELECT upload_id FROM uploads WHERE bucket = ?")
            .bind(bucket)
            .fetch_all(&self.pool)
            .await?;
        for row in rows {
            self.abort_upload(&row.try_get::<String, _>(0)?).await?;
        }
        Ok(())
    }
}

/// Upserts `object`; answers the blob it replaced.
async fn replace_object(
    tx: &mut Transaction<'_, Sqlite>,
    object: &ObjectRecord,
) -> Result<Option<String>> {
    let old = sqlx::query("SELECT blob FROM objects WHERE bucket = ? AND key = ?")
        .bind(&object.bucket)
        .bind(&object.key)
        .fetch_optional(&mut **tx)
        .await?
        .map(|row| row.try_get::<String, _>(0))
        .transpose()?;
    sqlx::query(&format!(
        "INSERT INTO objects ({OBJECT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (bucket, key) DO UPDATE SET blob = excluded.blob, size = excluded.size, etag = excluded.etag, \
         meta = excluded.meta, last_modified = excluded.last_modified"
    ))
    .bind(&object.bucket)
    .bind(&object.key)
    .bind(&object.blob)
    .bind(object.size as i64)
    .bind(&object.etag)
    .bind(meta_text(&object.meta)?)
    .bind(object.last_modified)
    .execute(&mut **tx)
    .await?;
    Ok(old.filter(|b| *b != object.blob))
}

/// Deletes an upload's rows; answers its parts' blobs, or `None` if it did not exist.
async fn drop_upload(
    tx: &mut Transaction<'_, Sqlite>,
    upload_id: &str,
) -> Result<Option<Vec<String>>> {
    let gone = sqlx::query("DELETE FROM uploads WHERE upload_id = ?")
        .bind(upload_id)
        .execute(&mut **tx)
        .await?;
    if gone.rows_affected() == 0 {
        return Ok(None);
    }
    let rows = sqlx::query("DELETE FROM parts WHERE upload_id = ? RETURNING blob")
        .bind(upload_id)
        .fetch_all(&mut **tx)
        .await?;
    let blobs = rows
        .iter()
        .map(|row| row.try_get::<String, _>(0))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(Some(blobs))
}
