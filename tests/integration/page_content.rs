//! Content blocks and hero images over HTTP, on SQLite and PostgreSQL: add, edit, reorder, remove,
//! tenancy, validation, uploads (sniffed, size-limited, with and without JavaScript), what
//! visitors then see, and the same upload into a real S3-compatible server.

use crate::common;

use chrono::{Duration, SecondsFormat, Utc};
use common::s3::S3Server;
use common::{Backend, Options, TestApp, call, location};
use reqwest::header::{ACCEPT, CACHE_CONTROL, CONTENT_TYPE};
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

async fn creator(app: &TestApp, email: &str) -> reqwest::Client {
    let client = app.new_browser();
    assert_eq!(app.signup(&client, "Creator", email).await.status(), 302);
    client
}

/// A live, published flash sale (20 % off, original price shown); returns (id, short id).
async fn live_sale(app: &TestApp, client: &reqwest::Client) -> (String, String) {
    let (status, id) = call(app, client, "/api/pages/create", &[("page_type", "flash-sale"), ("headline", "Sale")]).await;
    assert_eq!(status, 200, "{id}");
    let id = id.as_str().expect("id").to_string();
    let end = (Utc::now() + Duration::days(2)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let settings =
        json!({"saleEndTime": end, "discountPercentage": 20, "originalPriceDisplay": true, "inventoryLimit": 40, "soldOutAction": "show-message"}).to_string();
    let look = json!({"headline": "Summer sale"}).to_string();
    let (status, body) =
        call(app, client, "/api/pages/update", &[("id", &id), ("settings", &settings), ("customization", &look), ("launch_at", ""), ("expires_at", "")]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(call(app, client, "/api/pages/publish", &[("id", &id)]).await.0, 200);
    let (_, detail) = call(app, client, "/api/pages/get", &[("id", &id)]).await;
    (id, detail["summary"]["short_id"].as_str().expect("short").to_string())
}

async fn add_block(app: &TestApp, client: &reqwest::Client, page: &str, kind: &str, title: &str, price: &str) -> (u16, Value) {
    call(
        app,
        client,
        "/api/pages/content/add",
        &[
            ("page_id", page),
            ("item[kind]", kind),
            ("item[title]", title),
            ("item[description]", "About it"),
            ("item[price]", price),
            ("item[currency]", "USD"),
        ],
    )
    .await
}

async fn editor(app: &TestApp, client: &reqwest::Client, id: &str) -> Value {
    let (status, editor) = call(app, client, "/api/pages/editor", &[("id", id)]).await;
    assert_eq!(status, 200, "{editor}");
    editor
}

fn titles(editor: &Value) -> Vec<String> {
    editor["items"].as_array().expect("items").iter().map(|i| i["title"].as_str().expect("title").to_string()).collect()
}

async fn public_html(app: &TestApp, short_id: &str) -> String {
    let res = app.get(&app.new_browser(), &format!("/p/{short_id}")).await;
    assert_eq!(res.status(), 200);
    res.text().await.expect("html")
}

async fn blocks_are_added_edited_reordered_and_removed(app: &TestApp) {
    let client = creator(app, "blocks@example.com").await;
    let (id, short) = live_sale(app, &client).await;
    let (status, course) = add_block(app, &client, &id, "offer", "Course", "49.00").await;
    assert_eq!(status, 200, "{course}");
    let course = course.as_str().expect("id").to_string();
    assert_eq!(add_block(app, &client, &id, "text", "About", "").await.0, 200);
    assert_eq!(titles(&editor(app, &client, &id).await), ["Course", "About"]);

    // Visitors see the sale price with the original beside it (cache invalidated by the write).
    let html = public_html(app, &short).await;
    assert!(html.contains("$39.20") && html.contains("$49.00"), "discounted and original price");
    assert!(html.find("Course") < html.find("About"), "blocks in order");

    let about = editor(app, &client, &id).await["items"][1]["id"].as_str().expect("id").to_string();
    assert_eq!(call(app, &client, "/api/pages/content/move", &[("page_id", &id), ("item_id", &about), ("direction", "up")]).await.0, 200);
    assert_eq!(titles(&editor(app, &client, &id).await), ["About", "Course"]);
    // Moving the first block up changes nothing; a made-up direction is refused.
    assert_eq!(call(app, &client, "/api/pages/content/move", &[("page_id", &id), ("item_id", &about), ("direction", "up")]).await.0, 200);
    assert_eq!(titles(&editor(app, &client, &id).await), ["About", "Course"]);
    assert_eq!(call(app, &client, "/api/pages/content/move", &[("page_id", &id), ("item_id", &about), ("direction", "sideways")]).await.0, 400);

    let (status, body) = call(
        app,
        &client,
        "/api/pages/content/update",
        &[("page_id", &id), ("item_id", &course), ("item[kind]", "offer"), ("item[title]", "Course"), ("item[price]", "59"), ("item[currency]", "USD")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let html = public_html(app, &short).await;
    assert!(html.contains("$47.20") && html.contains("$59.00"), "the edit shows at once");
    assert!(html.find("About") < html.find("Course"), "the new order shows at once");

    assert_eq!(call(app, &client, "/api/pages/content/remove", &[("page_id", &id), ("item_id", &about)]).await.0, 200);
    assert_eq!(titles(&editor(app, &client, &id).await), ["Course"]);
    assert_eq!(call(app, &client, "/api/pages/content/remove", &[("page_id", &id), ("item_id", &about)]).await.0, 404, "already gone");

    // Without JavaScript: a plain form post lands back on the editor's blocks.
    let res = app
        .post_form(
            &client,
            "/api/pages/content/add",
            &format!("/dashboard/pages/{id}"),
            &[("page_id", &id), ("item[kind]", "event"), ("item[title]", "Agenda"), ("item[description]", "10:00 doors")],
        )
        .await;
    assert_eq!(res.status(), 302);
    assert_eq!(location(&res), format!("/dashboard/pages/{id}?saved=1#content"));
    assert_eq!(titles(&editor(app, &client, &id).await), ["Course", "Agenda"]);

    // Duplicating the page copies its blocks.
    let (_, copy) = call(app, &client, "/api/pages/duplicate", &[("id", &id)]).await;
    assert_eq!(titles(&editor(app, &client, copy.as_str().expect("id")).await), ["Course", "Agenda"]);
}

async fn blocks_are_validated_per_field(app: &TestApp) {
    let client = creator(app, "checks@example.com").await;
    let (id, _) = live_sale(app, &client).await;
    for (kind, title, price, field) in
        [("offer", "Course", "abc", "price"), ("offer", "Course", "0", "price"), ("text", "", "", "title"), ("banner", "x", "", "kind")]
    {
        let (status, body) = add_block(app, &client, &id, kind, title, price).await;
        assert_eq!(status, 422, "{kind} {title} {price}: {body}");
        assert!(body["fields"].as_array().expect("fields").iter().any(|f| f["field"] == field), "{body}");
    }
    assert!(editor(app, &client, &id).await["items"].as_array().expect("items").is_empty(), "nothing stored");
    // Garbage that is not even the right shape is a 4xx too.
    let res = app.call(&client, "/api/pages/content/add", &[("page_id", &id), ("item", "not-a-map")]).await;
    assert!(res.status().is_client_error(), "{}", res.status());
}

async fn another_organizations_blocks_are_not_found(app: &TestApp) {
    let owner = creator(app, "owner@example.com").await;
    let (id, _) = live_sale(app, &owner).await;
    let (_, item) = add_block(app, &owner, &id, "offer", "Course", "10").await;
    let item = item.as_str().expect("id").to_string();
    let intruder = creator(app, "intruder@example.com").await;
    assert_eq!(add_block(app, &intruder, &id, "text", "Hi", "").await.0, 404);
    assert_eq!(call(app, &intruder, "/api/pages/content/remove", &[("page_id", &id), ("item_id", &item)]).await.0, 404);
    // Their own page id with the owner's block id finds nothing either.
    let (own, _) = live_sale(app, &intruder).await;
    assert_eq!(call(app, &intruder, "/api/pages/content/remove", &[("page_id", &own), ("item_id", &item)]).await.0, 404);
    assert_eq!(call(app, &intruder, "/api/pages/content/move", &[("page_id", &own), ("item_id", &item), ("direction", "down")]).await.0, 404);
    assert_eq!(titles(&editor(app, &owner, &id).await), ["Course"]);
}

async fn upload(app: &TestApp, client: &reqwest::Client, page: &str, bytes: Vec<u8>, name: &str, json: bool) -> reqwest::Response {
    let form = Form::new().part("image", Part::bytes(bytes).file_name(name.to_string()).mime_str("image/png").expect("mime"));
    let mut req = client.post(app.url(&format!("/dashboard/pages/{page}/hero"))).multipart(form);
    if json {
        req = req.header(ACCEPT, "application/json");
    }
    req.send().await.expect("upload")
}

async fn hero_images_upload_checked_and_served(app: &TestApp) {
    let client = creator(app, "hero@example.com").await;
    let (id, short) = live_sale(app, &client).await;
    let res = upload(app, &client, &id, PNG.to_vec(), "hero.png", true).await;
    assert_eq!(res.status(), 200);
    let url = res.json::<Value>().await.expect("json")["heroImageUrl"].as_str().expect("url").to_string();
    assert!(url.starts_with("/files/users/") && url.contains(&format!("/pages/{id}/assets/hero-")) && url.ends_with(".png"), "{url}");

    let file = app.get(&app.new_browser(), &url).await;
    assert_eq!(file.status(), 200);
    assert_eq!(file.headers()[CONTENT_TYPE], "image/png");
    assert!(file.headers()[CACHE_CONTROL].to_str().expect("ascii").contains("immutable"));
    assert_eq!(&file.bytes().await.expect("bytes")[..], PNG);

    let html = public_html(app, &short).await;
    assert!(html.contains(&format!(r#"src="{url}""#)), "the page shows the new image at once");
    assert!(html.contains(&format!(r#"property="og:image" content="{}{url}""#, app.base)), "link previews get an absolute URL");

    // The bytes decide, not the name or the browser's label.
    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".to_vec();
    let res = upload(app, &client, &id, svg, "innocent.png", true).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.expect("body").contains("not a PNG, JPEG, GIF or WebP"));
    let mut huge = PNG.to_vec();
    huge.resize(5 * 1024 * 1024 + 1, 0);
    let res = upload(app, &client, &id, huge, "huge.png", true).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.expect("body").contains("up to 5 MB"));

    // Without JavaScript: redirects back to the editor, with the message on failure.
    let res = upload(app, &client, &id, b"hello".to_vec(), "notes.png", false).await;
    assert_eq!(res.status(), 303);
    assert!(location(&res).starts_with(&format!("/dashboard/pages/{id}?upload_error=")), "{}", location(&res));
    let res = upload(app, &client, &id, PNG.to_vec(), "again.png", false).await;
    assert_eq!((res.status().as_u16(), location(&res)), (303, format!("/dashboard/pages/{id}?saved=1")));
    assert_eq!(app.get(&app.new_browser(), &url).await.status(), 404, "the replaced image is deleted");

    // Not someone else's page; not without signing in.
    let intruder = creator(app, "intruder@example.com").await;
    assert_eq!(upload(app, &intruder, &id, PNG.to_vec(), "x.png", true).await.status(), 404);
    let res = upload(app, &app.new_browser(), &id, PNG.to_vec(), "x.png", true).await;
    assert_eq!(res.status(), 302, "the dashboard guard sends strangers to log in");

    // A client cannot point the page at another file through the JSON API.
    let look = json!({"headline": "Summer sale", "heroImage": "users/x/pages/y/assets/hero-z.png"}).to_string();
    let (_, detail) = call(app, &client, "/api/pages/get", &[("id", &id)]).await;
    let settings = detail["settings_json"].as_str().expect("settings").to_string();
    assert_eq!(
        call(app, &client, "/api/pages/update", &[("id", &id), ("settings", &settings), ("customization", &look), ("launch_at", ""), ("expires_at", "")])
            .await
            .0,
        200
    );
    let current = editor(app, &client, &id).await["hero_image_url"].as_str().expect("kept").to_string();
    assert!(current.contains(&format!("/pages/{id}/assets/")), "{current}");

    // Removing the image takes it off the page; deleting the page removes its files.
    assert_eq!(call(app, &client, "/api/pages/hero/remove", &[("id", &id)]).await.0, 200);
    assert!(editor(app, &client, &id).await["hero_image_url"].is_null());
    assert!(!public_html(app, &short).await.contains("pp-hero"));
    assert_eq!(app.get(&app.new_browser(), &current).await.status(), 404, "a removed image is deleted (saves never refer to it)");
    let res = upload(app, &client, &id, PNG.to_vec(), "last.png", true).await;
    let last = res.json::<Value>().await.expect("json")["heroImageUrl"].as_str().expect("url").to_string();
    assert_eq!(app.get(&app.new_browser(), &last).await.status(), 200);
    assert_eq!(call(app, &client, "/api/pages/delete", &[("id", &id)]).await.0, 200);
    assert_eq!(app.get(&app.new_browser(), &last).await.status(), 404, "deleting the page removes its files");
    // Path traversal is tested with raw requests in tests/hardening.rs (a client normalises `..`).
}

backend_tests! {
    blocks_are_added_edited_reordered_and_removed,
    blocks_are_validated_per_field,
    another_organizations_blocks_are_not_found,
    hero_images_upload_checked_and_served,
}

/// The whole upload path with the app switched to S3 by its environment variables.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hero_images_go_to_s3_when_configured() {
    let Some(s3) = S3Server::start() else { return };
    let app = TestApp::start_with(Backend::Sqlite, Options { env: s3.env(), ..Default::default() }).await.expect("app");
    let client = creator(&app, "s3@example.com").await;
    let (id, _) = live_sale(&app, &client).await;
    let res = upload(&app, &client, &id, PNG.to_vec(), "hero.png", true).await;
    assert_eq!(res.status(), 200);
    let url = res.json::<Value>().await.expect("json")["heroImageUrl"].as_str().expect("url").to_string();
    let key = url.trim_start_matches("/files/");
    assert!(s3.bucket_dir().join(key).is_file(), "stored in the bucket under the seed's layout: {key}");
    let file = app.get(&app.new_browser(), &url).await;
    assert_eq!(file.status(), 200);
    assert_eq!(&file.bytes().await.expect("bytes")[..], PNG);
    app.finish().await;
}
