//! The storage module against both backends: the local folder and a real S3-compatible server on
//! loopback (s3s-fs, which checks request signatures like R2 does).

mod common;

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
