//! The object store: blobs and metadata written together, listed in S3's order, removed
//! when replaced, and garbage left by a crash collected on open.

use bytes::Bytes;
use vpclab_store::{ObjectMeta, ObjectRecord, Objects, PartRecord, Store, Upload};

async fn open(dir: &std::path::Path) -> (Store, Objects) {
    let store = Store::open_file(&dir.join("lab.db")).await.unwrap();
    let objects = Objects::open(&store, &dir.join("objects")).await.unwrap();
    (store, objects)
}

async fn put(objects: &Objects, bucket: &str, key: &str, body: &[u8]) -> ObjectRecord {
    let mut w = objects.writer().await.unwrap();
    for chunk in body.chunks(7) {
        w.write(Bytes::copy_from_slice(chunk)).await.unwrap();
    }
    let blob = w.finish().await.unwrap();
    let record = ObjectRecord {
        bucket: bucket.into(),
        key: key.into(),
        blob: blob.id.clone(),
        size: blob.size,
        etag: blob.md5_hex(),
        meta: ObjectMeta::default(),
        last_modified: 1,
    };
    objects.put(&record).await.unwrap();
    record
}

fn blob_count(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir.join("objects").join("blobs"))
        .unwrap()
        .count()
}

#[tokio::test]
async fn put_get_replace_delete() {
    let dir = tempfile::tempdir().unwrap();
    let (_store, objects) = open(dir.path()).await;
    let first = put(&objects, "b", "k", b"hello world").await;
    assert_eq!(first.etag, "5eb63bbbe01eeed093cb22bb8f5acdc3");
    assert_eq!(
        std::fs::read(objects.blob_path(&first.blob)).unwrap(),
        b"hello world"
    );
    let second = put(&objects, "b", "k", b"bye").await;
    assert_eq!(objects.get("b", "k").await.unwrap(), Some(second.clone()));
    // The replaced blob is gone.
    assert!(!objects.blob_path(&first.blob).exists());
    assert_eq!(blob_count(dir.path()), 1);
    assert!(!objects.is_empty("b").await.unwrap());
    assert_eq!(
        objects.delete("b", &["k", "missing"]).await.unwrap(),
        vec![true, false]
    );
    assert!(objects.is_empty("b").await.unwrap());
    assert_eq!(blob_count(dir.path()), 0);
}

#[tokio::test]
async fn list_in_byte_order_within_prefix() {
    let dir = tempfile::tempdir().unwrap();
    let (_store, objects) = open(dir.path()).await;
    for key in ["b/2", "a", "b/1", "ü", "Z", "b0", "c"] {
        put(&objects, "bucket", key, b"x").await;
    }
    put(&objects, "other", "b/3", b"x").await;
    let keys = |v: Vec<ObjectRecord>| v.into_iter().map(|o| o.key).collect::<Vec<_>>();
    assert_eq!(
        keys(objects.list("bucket", "", None, 100).await.unwrap()),
        ["Z", "a", "b/1", "b/2", "b0", "c", "ü"]
    );
    assert_eq!(
        keys(objects.list("bucket", "b/", None, 100).await.unwrap()),
        ["b/1", "b/2"]
    );
    assert_eq!(
        keys(
            objects
                .list("bucket", "b/", Some("b/1"), 100)
                .await
                .unwrap()
        ),
        ["b/2"]
    );
    assert_eq!(
        keys(objects.list("bucket", "", Some("b0"), 2).await.unwrap()),
        ["c", "ü"]
    );
}

#[tokio::test]
async fn multipart_rows_and_blobs() {
    let dir = tempfile::tempdir().unwrap();
    let (_store, objects) = open(dir.path()).await;
    let upload = Upload {
        upload_id: vpclab_store::fresh_id(),
        bucket: "b".into(),
        key: "k".into(),
        owner: "000000000000".into(),
        meta: ObjectMeta::default(),
        initiated: 5,
    };
    objects.create_upload(&upload).await.unwrap();
    let mut parts = Vec::new();
    for (n, body) in [(1u32, &b"aaa"[..]), (2, b"bb")] {
        let mut w = objects.writer().await.unwrap();
        w.write(Bytes::copy_from_slice(body)).await.unwrap();
        let blob = w.finish().await.unwrap();
        let part = PartRecord {
            part_number: n,
            blob: blob.id.clone(),
            size: blob.size,
            etag: blob.md5_hex(),
            checksum: Some(("CRC32".into(), "AAAAAA==".into())),
            last_modified: 6,
        };
        objects.put_part(&upload.upload_id, &part).await.unwrap();
        parts.push(part);
    }
    assert_eq!(
        objects.parts(&upload.upload_id, 0, 10).await.unwrap(),
        parts
    );
    assert_eq!(
        objects.parts(&upload.upload_id, 1, 10).await.unwrap(),
        parts[1..]
    );
    let blobs: Vec<String> = parts.iter().map(|p| p.blob.clone()).collect();
    let whole = objects.concat(&blobs).await.unwrap();
    assert_eq!(
        std::fs::read(objects.blob_path(&whole.id)).unwrap(),
        b"aaabb"
    );
    let record = ObjectRecord {
        bucket: "b".into(),
        key: "k".into(),
        blob: whole.id.clone(),
        size: whole.size,
        etag: "x-2".into(),
        meta: ObjectMeta::default(),
        last_modified: 7,
    };
    assert!(
        objects
            .complete_upload(&upload.upload_id, &record)
            .await
            .unwrap()
    );
    assert!(
        !objects
            .complete_upload(&upload.upload_id, &record)
            .await
            .unwrap()
    );
    assert_eq!(objects.upload(&upload.upload_id).await.unwrap(), None);
    // Only the completed object's blob is left.
    assert_eq!(blob_count(dir.path()), 1);
    assert!(!objects.abort_upload(&upload.upload_id).await.unwrap());
}

#[tokio::test]
async fn unreferenced_blobs_are_collected_on_open_and_links_share_bytes() {
    let dir = tempfile::tempdir().unwrap();
    {
        let (store, objects) = open(dir.path()).await;
        let kept = put(&objects, "b", "k", b"kept").await;
        let copy = objects.link(&kept.blob).await.unwrap();
        assert_eq!(std::fs::read(objects.blob_path(&copy)).unwrap(), b"kept");
        // A blob written but never committed, as a crash would leave it.
        let mut w = objects.writer().await.unwrap();
        w.write(Bytes::from_static(b"orphan")).await.unwrap();
        w.finish().await.unwrap();
        assert_eq!(blob_count(dir.path()), 3);
        store.close().await;
    }
    let (_store, objects) = open(dir.path()).await;
    assert_eq!(blob_count(dir.path()), 1);
    let kept = objects.get("b", "k").await.unwrap().unwrap();
    assert_eq!(
        std::fs::read(objects.blob_path(&kept.blob)).unwrap(),
        b"kept"
    );
}
