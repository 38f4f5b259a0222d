//! The storage module against both backends: the local folder and a real S3-compatible server on
//! loopback (s3s-fs, which checks request signatures like R2 does).

use crate::common;

use axum::body::Bytes;
use common::s3::S3Server;
use flashpage::infra::storage::{ObjectKey, Storage, StorageSettings};

const USER: &str = "0192f0e4-7b1c-7d2a-9c3e-1a2b3c4d5e6f";
const PAGE: &str = "0192f0e4-7b1c-7d2a-9c3e-aaaaaaaaaaaa";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR fake but well-started";

/// The same checks for any backend.
async fn round_trip(storage: &Storage) {
    let key = ObjectKey::page_asset(USER, PAGE, "hero-one.png").expect("key");
    assert!(storage.get(&key).await.expect("get").is_none(), "nothing there yet");
    storage.put(&key, Bytes::from_static(PNG)).await.expect("put");
    let got = storage.get(&key).await.expect("get").expect("stored");
    assert_eq!(&got.bytes[..], PNG);
    assert_eq!(got.content_type, "image/png");

    // Overwrite, copy, delete.
    storage.put(&key, Bytes::from_static(b"GIF89a second")).await.expect("overwrite");
    assert_eq!(&storage.get(&key).await.expect("get").expect("stored").bytes[..], b"GIF89a second");
    let other_page = "0192f0e4-7b1c-7d2a-9c3e-bbbbbbbbbbbb";
    let copy = ObjectKey::page_asset(USER, other_page, "hero-one.png").expect("key");
    storage.copy(&key, &copy).await.expect("copy");
    assert_eq!(&storage.get(&copy).await.expect("get").expect("copied").bytes[..], b"GIF89a second");

    // Removing a page's assets leaves the other page's alone.
    let second = ObjectKey::page_asset(USER, PAGE, "hero-two.webp").expect("key");
    storage.put(&second, Bytes::from_static(b"RIFF\0\0\0\0WEBP")).await.expect("put");
    assert_eq!(storage.delete_page_assets(USER, PAGE).await.expect("delete page assets"), 2);
    assert!(storage.get(&key).await.expect("get").is_none());
    assert!(storage.get(&second).await.expect("get").is_none());
    assert!(storage.get(&copy).await.expect("get").is_some());
    assert_eq!(storage.delete_page_assets(USER, PAGE).await.expect("again"), 0, "nothing left is not an error");

    storage.delete(&copy).await.expect("delete");
    storage.delete(&copy).await.expect("deleting a missing file is fine");
    assert!(storage.get(&copy).await.expect("get").is_none());
}

#[tokio::test]
async fn local_folder_backend() {
    let dir = std::env::temp_dir().join(format!("flashpage-storage-{}", std::process::id()));
    let storage = Storage::open(&StorageSettings::Local { root: dir.clone() }).expect("open");
    round_trip(&storage).await;
    // The seed's layout, on disk.
    let key = ObjectKey::page_asset(USER, PAGE, "hero-disk.png").expect("key");
    storage.put(&key, Bytes::from_static(PNG)).await.expect("put");
    assert!(dir.join(format!("users/{USER}/pages/{PAGE}/assets/hero-disk.png")).is_file());
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn s3_backend_on_loopback() {
    let Some(server) = S3Server::start() else { return };
    let storage = Storage::open(&server.settings()).expect("open");
    round_trip(&storage).await;
    // S3 keeps the content type with the object, so a bucket served directly is right too.
    let key = ObjectKey::page_asset(USER, PAGE, "hero-typed.jpg").expect("key");
    storage.put(&key, Bytes::from_static(&[0xFF, 0xD8, 0xFF, 0xE0])).await.expect("put");
    assert_eq!(storage.stored_content_type(&key).await.expect("head").as_deref(), Some("image/jpeg"));
    assert!(server.bucket_dir().join(format!("users/{USER}/pages/{PAGE}/assets/hero-typed.jpg")).is_file());
}

#[tokio::test]
async fn s3_with_a_wrong_secret_is_refused() {
    let Some(server) = S3Server::start() else { return };
    let StorageSettings::S3(mut settings) = server.settings() else { unreachable!() };
    settings.secret_access_key = "not-the-secret".into();
    let storage = Storage::open(&StorageSettings::S3(settings)).expect("open");
    let key = ObjectKey::page_asset(USER, PAGE, "hero-x.png").expect("key");
    let err = storage.put(&key, Bytes::from_static(PNG)).await.expect_err("a bad signature must fail");
    assert!(err.to_string().starts_with("file storage (s3)"), "{err}");
}

// ---- Streamed files (a product's file, up to gigabytes) ----

use flashpage::infra::storage::{ProductFilePart, StreamError};
use futures_util::stream;
use sha2::{Digest, Sha256};

const PRODUCT: &str = "0192f0e4-7b1c-7d2a-9c3e-cccccccccccc";

fn product_key(name: &str) -> ObjectKey {
    ObjectKey::product_file(USER, PRODUCT, ProductFilePart::Original, name).expect("key")
}

/// `total` bytes in 64 KiB chunks, generated as they are read (a PDF header first), and the
/// SHA-256 they add up to; optionally breaking off after `fail_after` bytes like a dropped upload.
fn generated(total: u64, fail_after: Option<u64>) -> (impl futures_util::Stream<Item = Result<Bytes, String>> + Unpin, String) {
    const CHUNK: u64 = 64 * 1024;
    let pattern: std::sync::Arc<Vec<u8>> = std::sync::Arc::new((0..CHUNK as usize).map(|j| (j * 7 % 251) as u8).collect());
    // Each chunk: the pattern, its number in the first bytes (so no two are alike), a PDF header first.
    let chunk_at = move |i: u64| -> Vec<u8> {
        let len = CHUNK.min(total - i * CHUNK) as usize;
        let mut bytes = pattern[..len].to_vec();
        let mark = if i == 0 { *b"%PDF-1.7" } else { i.to_le_bytes() };
        let n = mark.len().min(len);
        bytes[..n].copy_from_slice(&mark[..n]);
        bytes
    };
    let chunks = total.div_ceil(CHUNK);
    let mut hash = Sha256::new();
    for i in 0..chunks {
        hash.update(chunk_at(i));
    }
    let expected: String = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
    let stream = stream::iter(0..chunks).map(move |i| match fail_after {
        Some(limit) if i * CHUNK >= limit => Err("connection reset by peer".to_string()),
        _ => Ok(Bytes::from(chunk_at(i))),
    });
    (Box::pin(stream), expected)
}

/// The resident memory of this process, in bytes.
fn rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let kb: u64 = status.lines().find_map(|l| l.strip_prefix("VmRSS:")).and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok()).expect("VmRSS");
    kb * 1024
}

use futures_util::StreamExt as _;

/// The checks for any backend: type from the bytes, size and hash, limits, interruptions.
async fn streamed(storage: &Storage, big: u64) {
    let key = product_key("Winter Presets.pdf");
    let (chunks, sha) = generated(big, None);
    let stored = storage.put_stream(&key, chunks, big).await.expect("stored");
    assert_eq!((stored.size, stored.sha256.as_str(), stored.content_type.as_str()), (big, sha.as_str(), "application/pdf"));
    assert_eq!(storage.size(&key).await.expect("head"), Some(big));

    // Over the limit, broken off, or empty: refused, and nothing is left under the key.
    for (name, (chunks, _), limit, expected) in [
        ("too-big.pdf", generated(12 * 1024 * 1024, None), 10 * 1024 * 1024, "too large"),
        ("dropped.pdf", generated(12 * 1024 * 1024, Some(7 * 1024 * 1024)), u64::MAX, "interrupted"),
        ("dropped-early.pdf", generated(1024 * 1024, Some(0)), u64::MAX, "interrupted"),
    ] {
        let key = product_key(name);
        let err = storage.put_stream(&key, chunks, limit).await.expect_err(name);
        match (&err, expected) {
            (StreamError::TooLarge { .. }, "too large") | (StreamError::Interrupted(_), "interrupted") => {}
            _ => panic!("{name}: {err}"),
        }
        assert_eq!(storage.size(&key).await.expect("head"), None, "{name}: no object left behind");
    }
    let empty = stream::iter(Vec::<Result<Bytes, String>>::new());
    assert!(matches!(storage.put_stream(&product_key("empty.pdf"), empty, 10).await, Err(StreamError::Empty)));
}

/// A gigabyte streams through in parts: the process grows by far less than the file.
#[tokio::test]
async fn streamed_files_in_the_local_folder() {
    let dir = std::env::temp_dir().join(format!("flashpage-stream-{}", std::process::id()));
    let storage = Storage::open(&StorageSettings::Local { root: dir.clone() }).expect("open");
    streamed(&storage, 20 * 1024 * 1024).await;

    const GIB: u64 = 1024 * 1024 * 1024;
    let before = rss();
    let peak = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(before));
    let watching = {
        let peak = peak.clone();
        tokio::spawn(async move {
            loop {
                peak.fetch_max(rss(), std::sync::atomic::Ordering::Relaxed);
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
        })
    };
    let (chunks, sha) = generated(GIB, None);
    let started = std::time::Instant::now();
    let stored = storage.put_stream(&product_key("big.pdf"), chunks, 2 * GIB).await.expect("a gigabyte");
    let took = started.elapsed();
    watching.abort();
    assert_eq!((stored.size, stored.sha256), (GIB, sha));
    let grown = peak.load(std::sync::atomic::Ordering::Relaxed).saturating_sub(before);
    eprintln!("streamed 1 GiB into the local folder in {took:?}; the process grew by {} MiB at most", grown / (1024 * 1024));
    assert!(grown < 64 * 1024 * 1024, "streaming 1 GiB grew the process by {} MiB", grown / (1024 * 1024));
    // No staging files are left next to the stored ones.
    let folder = dir.join(format!("users/{USER}/products/{PRODUCT}/original"));
    let mut names: Vec<String> = std::fs::read_dir(&folder).expect("folder").filter_map(|e| e.ok()?.file_name().into_string().ok()).collect();
    names.sort();
    assert_eq!(names, vec!["Winter Presets.pdf", "big.pdf"]);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn s3_streamed_files() {
    let Some(server) = S3Server::start() else { return };
    let storage = Storage::open(&server.settings()).expect("open");
    streamed(&storage, 23 * 1024 * 1024).await;
    let key = product_key("Winter Presets.pdf");
    assert_eq!(storage.stored_content_type(&key).await.expect("head").as_deref(), Some("application/pdf"), "the sniffed type is kept");
}
