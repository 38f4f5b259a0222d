//! A product file far larger than anything a request may hold in memory, over HTTP: a gigabyte is
//! uploaded from a generator through `POST /dashboard/products/{id}/file`, bought, and downloaded
//! through `/d/{token}`, while the resident memory of this process (the server and the client
//! both live in it) is watched. Each way it must grow by less than 64 MiB.

// Its own test binary: it measures the process's memory, which other tests running beside it
// in the shared binary would grow too.
#[path = "integration/common/mod.rs"]
#[macro_use]
mod common;

use axum::body::Bytes;
use chrono::{Duration, SecondsFormat, Utc};
use common::{Backend, TestApp, call, location};
use diesel::{ExpressionMethods, QueryDsl};
use flashpage::db_write;
use flashpage::infra::db::DbError;
use futures_util::StreamExt;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

const GIB: u64 = 1024 * 1024 * 1024;
const CHUNK: u64 = 64 * 1024;

/// Chunk `i` of the generated file: a pattern, numbered, a PDF header first.
fn chunk_at(i: u64) -> Vec<u8> {
    let len = CHUNK.min(GIB - i * CHUNK) as usize;
    let mut bytes: Vec<u8> = (0..len).map(|j| (j * 7 % 251) as u8).collect();
    let mark = if i == 0 { *b"%PDF-1.7" } else { i.to_le_bytes() };
    bytes[..8.min(len)].copy_from_slice(&mark[..8.min(len)]);
    bytes
}

fn rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let kb: u64 = status.lines().find_map(|l| l.strip_prefix("VmRSS:")).and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok()).expect("VmRSS");
    kb * 1024
}

/// Runs `work` while sampling the resident memory; returns its output and the growth at the peak.
async fn peak_growth<T>(work: impl Future<Output = T>) -> (T, u64) {
    let before = rss();
    let peak = Arc::new(AtomicU64::new(before));
    let watch = {
        let peak = peak.clone();
        tokio::spawn(async move {
            loop {
                peak.fetch_max(rss(), Ordering::Relaxed);
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
        })
    };
    let out = work.await;
    watch.abort();
    peak.fetch_max(rss(), Ordering::Relaxed);
    (out, peak.load(Ordering::Relaxed).saturating_sub(before))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gigabyte_goes_up_and_down_in_constant_memory() {
    let app = TestApp::start(Backend::Sqlite).await.expect("app");
    let creator = app.new_browser();
    assert_eq!(app.signup(&creator, "Creator", "big@example.com").await.status(), 302);
    // The Premium plan takes files of 10 GB.
    let r: Result<usize, DbError> = db_write!(app.state.db, conn => {
        use flashpage::infra::db::schema::{plans, subscriptions, users};
        let user: String = users::table.filter(users::email.eq("big@example.com")).select(users::id).first(conn).await?;
        let premium: String = plans::table.filter(plans::name.eq("Premium")).select(plans::id).first(conn).await?;
        Ok(diesel::update(subscriptions::table.filter(subscriptions::user_id.eq(&user))).set(subscriptions::plan_id.eq(&premium)).execute(conn).await?)
    });
    assert_eq!(r.expect("premium"), 1);
    let form =
        [("form[name]", "Raw footage"), ("form[description]", "Four hours of it."), ("form[price]", "5"), ("form[currency]", "USD"), ("form[expiresAt]", "")];
    let (status, product) = call(&app, &creator, "/api/products/create", &form).await;
    assert_eq!(status, 200, "{product}");
    let product = product.as_str().expect("id").to_string();

    let mut hash = Sha256::new();
    for i in 0..GIB / CHUNK {
        hash.update(chunk_at(i));
    }
    let expected: String = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();

    let body = reqwest::Body::wrap_stream(futures_util::stream::iter(0..GIB / CHUNK).map(|i| Ok::<Bytes, std::io::Error>(Bytes::from(chunk_at(i)))));
    let part = reqwest::multipart::Part::stream_with_length(body, GIB).file_name("footage.pdf").mime_str("application/octet-stream").expect("mime");
    let started = std::time::Instant::now();
    let (res, up) = peak_growth(async {
        creator
            .post(app.url(&format!("/dashboard/products/{product}/file")))
            .header("accept", "application/json")
            .multipart(reqwest::multipart::Form::new().part("file", part))
            .send()
            .await
            .expect("upload")
    })
    .await;
    let took_up = started.elapsed();
    assert_eq!(res.status(), 204, "{:?}", res.text().await);
    let (_, detail) = call(&app, &creator, "/api/products/get", &[("id", &product)]).await;
    assert_eq!((detail["file"]["size_bytes"].as_u64(), detail["file"]["sha256"].as_str()), (Some(GIB), Some(expected.as_str())));

    // Sell it, buy it, and download it.
    let (_, page) = call(&app, &creator, "/api/pages/create", &[("page_type", "flash-sale"), ("headline", "Sale")]).await;
    let page = page.as_str().expect("page").to_string();
    let end = (Utc::now() + Duration::days(2)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let settings =
        json!({"saleEndTime": end, "discountPercentage": 10, "originalPriceDisplay": false, "inventoryLimit": 5, "soldOutAction": "show-message"}).to_string();
    let look = json!({"headline": "Footage"}).to_string();
    assert_eq!(
        call(&app, &creator, "/api/pages/update", &[("id", &page), ("settings", &settings), ("customization", &look), ("launch_at", ""), ("expires_at", "")])
            .await
            .0,
        200
    );
    assert_eq!(call(&app, &creator, "/api/pages/publish", &[("id", &page)]).await.0, 200);
    let (_, item) = call(
        &app,
        &creator,
        "/api/pages/content/add",
        &[("page_id", &page), ("item[kind]", "product"), ("item[product_id]", &product), ("item[title]", ""), ("item[description]", "")],
    )
    .await;
    let (_, detail) = call(&app, &creator, "/api/pages/get", &[("id", &page)]).await;
    let short = detail["summary"]["short_id"].as_str().expect("short").to_string();
    let buyer = app.new_browser();
    let fields = [("short_id", short.as_str()), ("item_id", item.as_str().expect("item")), ("email", "buyer@example.com")];
    let res = app.post_form(&buyer, "/api/p/buy", &format!("/p/{short}"), &fields).await;
    let checkout = location(&res);
    let session = checkout.rsplit('/').next().expect("session").to_string();
    let res = app.post_form(&buyer, "/api/checkout/test/pay", "/checkout/test/x", &[("session_id", &session)]).await;
    let thanks = location(&res);
    let token = thanks.rsplit("/orders/").next().expect("token").trim_end_matches("/thanks").to_string();

    let started = std::time::Instant::now();
    let ((size, sha), down) = peak_growth(async {
        let res = buyer.get(app.url(&format!("/d/{token}"))).send().await.expect("download");
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-length"], GIB.to_string().as_str());
        let mut stream = res.bytes_stream();
        let (mut size, mut hash) = (0u64, Sha256::new());
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.expect("chunk");
            size += chunk.len() as u64;
            hash.update(&chunk);
        }
        (size, hash.finalize().iter().map(|b| format!("{b:02x}")).collect::<String>())
    })
    .await;
    let took_down = started.elapsed();
    assert_eq!((size, sha), (GIB, expected));
    eprintln!("1 GiB over HTTP: upload {took_up:?}, peak growth {} MiB; download {took_down:?}, peak growth {} MiB", up / (1024 * 1024), down / (1024 * 1024));
    assert!(up < 64 * 1024 * 1024, "the upload grew the process by {} MiB", up / (1024 * 1024));
    assert!(down < 64 * 1024 * 1024, "the download grew the process by {} MiB", down / (1024 * 1024));
    app.finish().await;
}
