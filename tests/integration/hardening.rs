//! The holes a security review found, each with the test that failed before it was closed, on
//! SQLite and PostgreSQL: injected markup, cross-site requests, redirects, extreme dates, the
//! plan limit, lost updates, concurrent writes, login guessing, roles and other tenants.

use crate::common;

use chrono::{Duration, SecondsFormat, Utc};
use common::html::parse;
use common::{Backend, Options, PASSWORD, TestApp, call, foreign_client, location, set_cookies, set_role};
use diesel::{ExpressionMethods, JoinOnDsl, QueryDsl};
use flashpage::infra::db::DbError;
use flashpage::infra::db::schema::*;
use flashpage::{db_read, db_write};
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use tokio::task::JoinSet;

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

fn iso(t: chrono::DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

async fn signed_in(app: &TestApp, email: &str) -> reqwest::Client {
    let browser = app.new_browser();
    let res = app.signup(&browser, "Creator", email).await;
    assert_eq!(res.status(), 302, "sign-up of {email}");
    browser
}

async fn create(app: &TestApp, client: &reqwest::Client, kind: &str) -> String {
    let (status, body) = call(app, client, "/api/pages/create", &[("page_type", kind), ("headline", "Draft")]).await;
    assert_eq!(status, 200, "{body}");
    body.as_str().expect("id").to_string()
}

async fn update(
    app: &TestApp,
    client: &reqwest::Client,
    id: &str,
    settings: &Value,
    look: &Value,
    launch: Option<String>,
    expires: Option<String>,
) -> (u16, Value) {
    let (settings, look) = (settings.to_string(), look.to_string());
    let (launch, expires) = (launch.unwrap_or_default(), expires.unwrap_or_default());
    call(app, client, "/api/pages/update", &[("id", id), ("settings", &settings), ("customization", &look), ("launch_at", &launch), ("expires_at", &expires)])
        .await
}

async fn short_id(app: &TestApp, client: &reqwest::Client, id: &str) -> String {
    let (_, detail) = call(app, client, "/api/pages/get", &[("id", id)]).await;
    detail["summary"]["short_id"].as_str().expect("short id").to_string()
}

async fn upload(app: &TestApp, client: &reqwest::Client, page: &str) -> reqwest::Response {
    upload_bytes(app, client, page, PNG.to_vec()).await
}

async fn upload_bytes(app: &TestApp, client: &reqwest::Client, page: &str, bytes: Vec<u8>) -> reqwest::Response {
    let form = Form::new().part("image", Part::bytes(bytes).file_name("hero.png").mime_str("image/png").expect("mime"));
    client.post(app.url(&format!("/dashboard/pages/{page}/hero"))).header("accept", "application/json").multipart(form).send().await.expect("upload")
}

/// The statuses of requests sent at once, as they finish.
async fn all_statuses(mut tasks: JoinSet<u16>) -> Vec<u16> {
    let mut statuses = Vec::new();
    while let Some(status) = tasks.join_next().await {
        statuses.push(status.expect("task"));
    }
    statuses
}

/// The editor's form of a page as `form[...]` fields, ready to post back.
async fn editor_form(app: &TestApp, client: &reqwest::Client, id: &str) -> Vec<(String, String)> {
    let (status, editor) = call(app, client, "/api/pages/editor", &[("id", id)]).await;
    assert_eq!(status, 200, "{editor}");
    editor["form"].as_object().expect("form").iter().filter_map(|(k, v)| v.as_str().map(|v| (format!("form[{k}]"), v.to_string()))).collect()
}

fn with(mut fields: Vec<(String, String)>, key: &str, value: &str) -> Vec<(String, String)> {
    fields.retain(|(k, _)| k != key);
    fields.push((key.to_string(), value.to_string()));
    fields
}

/// Markup a creator (or whoever took over their account) might type into any text field.
const HOSTILE: &str = r#"</title><evil-x data-pwned=1 onerror=x>"'<meta http-equiv=refresh content=0><base href=//evil.example>"#;

/// Asserts that nothing in the page was made from the hostile text: no element, no attribute;
/// and, for a page titled by it, that the whole text is the title's text.
fn assert_inert(html: &str, what: &str, titled_by_it: bool) {
    assert!(html.contains("evil-x"), "{what}: the hostile text should be on the page (as text), or this test proves nothing");
    let (elements, title) = parse(html);
    for e in &elements {
        assert_ne!(e.name, "evil-x", "{what}: an element came from the text");
        assert_ne!(e.name, "base", "{what}: a <base> came from the text");
        assert!(!(e.name == "meta" && e.attr("http-equiv").is_some()), "{what}: a meta refresh came from the text");
        for (name, _) in &e.attrs {
            assert!(name != "data-pwned" && name != "onerror", "{what}: an attribute came from the text: {e:?}");
        }
    }
    if titled_by_it {
        let title = title.unwrap_or_default();
        assert!(title.contains("<evil-x data-pwned=1"), "{what}: the title ended where the creator's text said: {title:?}");
    }
}

async fn hostile_text_stays_text_on_every_kind_of_page(app: &TestApp) {
    let creator = signed_in(app, "hostile@example.com").await;
    let now = Utc::now();
    let look = json!({
        "headline": HOSTILE, "description": HOSTILE, "body": HOSTILE, "buttonLabel": "Notify <evil-x data-pwned=1>",
        "heroAlt": HOSTILE, "notifyMe": true,
    });
    // (kind, settings while live/scheduled, settings once ended)
    let kinds = [
        (
            "countdown",
            json!({"countdownTarget": iso(now + Duration::hours(2)), "postCountdownAction": "show-message", "messageTitle": HOSTILE, "messageContent": HOSTILE}),
            json!({"countdownTarget": iso(now - Duration::hours(1)), "postCountdownAction": "show-message", "messageTitle": HOSTILE, "messageContent": HOSTILE}),
        ),
        (
            "flash-sale",
            json!({"saleEndTime": iso(now + Duration::hours(2)), "discountPercentage": 20, "originalPriceDisplay": true, "inventoryLimit": 5, "soldOutAction": "show-message"}),
            json!({"saleEndTime": iso(now - Duration::hours(1)), "discountPercentage": 20, "originalPriceDisplay": true, "inventoryLimit": 5, "soldOutAction": "show-message"}),
        ),
        (
            "event-registration",
            json!({"eventStartTime": iso(now + Duration::hours(2)), "eventEndTime": iso(now + Duration::hours(3)), "timeZone": "Europe/Paris",
                "eventLocation": "physical", "physicalAddress": HOSTILE, "maxAttendees": 10, "waitlistEnabled": true}),
            json!({"eventStartTime": iso(now - Duration::hours(3)), "eventEndTime": iso(now - Duration::hours(2)), "timeZone": "Europe/Paris",
                "eventLocation": "physical", "physicalAddress": HOSTILE, "maxAttendees": 10, "waitlistEnabled": true}),
        ),
        (
            "limited-offer",
            json!({"offerEndTime": iso(now + Duration::hours(2)), "bonusDescription": HOSTILE, "limitedQuantity": 5, "postOfferAction": "show-alternate", "alternateTitle": HOSTILE, "alternateContent": HOSTILE}),
            json!({"offerEndTime": iso(now - Duration::hours(1)), "bonusDescription": HOSTILE, "limitedQuantity": 5, "postOfferAction": "show-alternate", "alternateTitle": HOSTILE, "alternateContent": HOSTILE}),
        ),
    ];
    for (kind, live, ended) in kinds {
        for (moment, settings, launch) in [("scheduled", &live, Some(iso(now + Duration::minutes(30)))), ("live", &live, None), ("ended", &ended, None)] {
            let id = create(app, &creator, kind).await;
            let (status, body) = update(app, &creator, &id, settings, &look, launch, None).await;
            assert_eq!(status, 200, "{kind} {moment}: {body}");
            for (block, price) in [("text", ""), ("offer", "19.00")] {
                let (status, body) = call(
                    app,
                    &creator,
                    "/api/pages/content/add",
                    &[
                        ("page_id", &id),
                        ("item[kind]", block),
                        ("item[title]", HOSTILE),
                        ("item[description]", HOSTILE),
                        ("item[price]", price),
                        ("item[currency]", "USD"),
                    ],
                )
                .await;
                assert_eq!(status, 200, "{kind}: block {block}: {body}");
            }
            // With an image, so that its alt text is on the page too.
            assert_eq!(upload(app, &creator, &id).await.status(), 200);
            assert_eq!(call(app, &creator, "/api/pages/publish", &[("id", &id)]).await.0, 200);
            let short = short_id(app, &creator, &id).await;
            let res = app.get(&app.new_browser(), &format!("/p/{short}")).await;
            assert_eq!(res.status(), 200, "{kind} {moment}");
            assert_inert(&res.text().await.expect("body"), &format!("{kind} {moment}"), true);
            // The preview renders the same component from the unsaved form.
            let mut fields = editor_form(app, &creator, &id).await;
            fields.push(("id".into(), id.clone()));
            fields.push(("phase".into(), moment.into()));
            let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let (status, body) = call(app, &creator, "/api/pages/preview", &refs).await;
            assert_eq!(status, 200, "{kind} preview: {body}");
            assert_eq!(call(app, &creator, "/api/pages/unpublish", &[("id", &id)]).await.0, 200, "stay within the plan");
        }
    }
    // The dashboard shows the headline too.
    let res = app.get(&creator, "/dashboard").await;
    assert_inert(&res.text().await.expect("body"), "dashboard", false);
}

async fn cross_site_requests_are_refused(app: &TestApp) {
    let browser = signed_in(app, "csrf@example.com").await;
    let id = create(app, &browser, "countdown").await;
    let evil = foreign_client(Some("https://evil.example"));
    let login = [("email", "csrf@example.com"), ("password", PASSWORD)];

    // Login CSRF: another site posting our login form logs its victim into the attacker's account.
    let res = evil.post(app.url("/api/login")).header("accept", "text/html").form(&login).send().await.expect("request");
    assert_eq!(res.status(), 403);
    assert!(set_cookies(&res).is_empty(), "no session for a cross-site login");
    let res = evil.post(app.url("/api/signup")).form(&[("name", "X"), ("email", "x@example.com"), ("password", PASSWORD)]).send().await.expect("request");
    assert_eq!(res.status(), 403);
    let users: Result<i64, DbError> = db_read!(app.state.db, conn => Ok(users::table.count().get_result(conn).await?));
    assert_eq!(users.expect("count"), 1, "no account was made");

    // A request that names no origin at all, or another site only in its Referer.
    let bare = foreign_client(None);
    assert_eq!(bare.post(app.url("/api/login")).form(&login).send().await.expect("request").status(), 403);
    let res = bare.post(app.url("/api/login")).header("referer", "https://evil.example/page").form(&login).send().await.expect("request");
    assert_eq!(res.status(), 403);
    // Fetch metadata wins over a forged-looking Origin.
    let res = browser
        .post(app.url("/api/pages/create"))
        .header("sec-fetch-site", "cross-site")
        .form(&[("page_type", "countdown"), ("headline", "x")])
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 403);

    // The victim's own cookies do not help another site: server functions, uploads, public forms.
    let foreign = |path: &str| browser.post(app.url(path)).header("origin", "https://evil.example").header("accept", "application/json");
    let res = foreign("/api/pages/create").form(&[("page_type", "countdown"), ("headline", "x")]).send().await.expect("request");
    assert_eq!(res.status(), 403);
    let body: Value = res.json().await.expect("a JSON error for the hydrated app");
    assert!(body["message"].as_str().unwrap_or_default().contains("another site"), "{body}");
    assert_eq!(foreign("/api/pages/delete").form(&[("id", &id)]).send().await.expect("request").status(), 403);
    assert_eq!(foreign("/api/logout").send().await.expect("request").status(), 403);
    let form = Form::new().part("image", Part::bytes(PNG.to_vec()).file_name("h.png"));
    let res = foreign(&format!("/dashboard/pages/{id}/hero")).multipart(form).send().await.expect("request");
    assert_eq!(res.status(), 403);
    let pages: Result<i64, DbError> = db_read!(app.state.db, conn => Ok(pages::table.count().get_result(conn).await?));
    assert_eq!(pages.expect("count"), 1, "nothing was created or deleted");

    // The same requests from the app's own pages go through.
    assert_eq!(call(app, &browser, "/api/pages/create", &[("page_type", "countdown"), ("headline", "x")]).await.0, 200);
    assert_eq!(upload(app, &browser, &id).await.status(), 200);
    let res = app.post_form(&app.new_browser(), "/api/login", "/login", &login).await;
    assert_eq!(res.status(), 302);
    assert!(!set_cookies(&res).is_empty());
    // Reads need no proof of origin.
    assert_eq!(evil.get(app.url("/login")).send().await.expect("request").status(), 200);
}

async fn login_follows_only_paths_of_this_app(app: &TestApp) {
    signed_in(app, "next@example.com").await;
    let login = |next: &'static str| async move {
        let browser = app.new_browser();
        let res = app.post_form(&browser, "/api/login", "/login", &[("email", "next@example.com"), ("password", PASSWORD), ("next", next)]).await;
        assert_eq!(res.status(), 302, "{next:?} is answered, not dropped");
        location(&res)
    };
    for next in ["/\t/evil.example", "/\n", "/\r\nSet-Cookie: x=1", "//evil.example", "https://evil.example/", "/\\evil.example", "/..//evil.example"] {
        assert_eq!(login(next).await, "/dashboard", "{next:?}");
    }
    assert_eq!(login("/dashboard/pages/abc?saved=1").await, "/dashboard/pages/abc?saved=1");
}

async fn extreme_dates_are_refused_with_a_message(app: &TestApp) {
    let creator = signed_in(app, "dates@example.com").await;
    let id = create(app, &creator, "countdown").await;
    let look = json!({"headline": "Dates"});
    for target in ["9999-12-31T23:59:59Z", "+262142-01-01T00:00:00Z", "1900-01-01T00:00:00Z"] {
        let settings = json!({"countdownTarget": target, "postCountdownAction": "show-message", "messageTitle": "Live"});
        let (status, body) = update(app, &creator, &id, &settings, &look, None, None).await;
        assert!(status == 422 || status == 400, "{target}: {status} {body}");
    }
    let settings = json!({"countdownTarget": iso(Utc::now() + Duration::hours(1)), "postCountdownAction": "show-message", "messageTitle": "Live"});
    let (status, body) = update(app, &creator, &id, &settings, &look, Some("1970-01-01T00:00:00Z".into()), Some("9999-01-01T00:00:00Z".into())).await;
    assert_eq!(status, 422, "{body}");
    let fields: Vec<&str> = body["fields"].as_array().expect("fields").iter().filter_map(|f| f["field"].as_str()).collect();
    assert_eq!(fields, ["launchAt", "expiresAt"]);
    // The editor's form and its preview.
    let form = with(editor_form(app, &creator, &id).await, "form[countdownTarget]", "9999-12-31T23:59");
    for (path, extra) in [("/api/pages/preview", Some(("phase", "ended"))), ("/api/pages/save", None)] {
        let mut fields = form.clone();
        fields.push(("id".into(), id.clone()));
        fields.extend(extra.map(|(k, v): (&str, &str)| (k.to_string(), v.to_string())));
        let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let (status, body) = call(app, &creator, path, &refs).await;
        assert_eq!(status, 422, "{path}: {body}");
        assert!(body.to_string().contains("2200"), "{path}: {body}");
    }
    assert_eq!(call(app, &creator, "/api/pages/editor", &[("id", &id)]).await.0, 200, "the server is still there");
}

async fn the_live_page_limit_cannot_be_dodged_by_editing_the_expiry(app: &TestApp) {
    let creator = signed_in(app, "limit@example.com").await;
    let now = Utc::now();
    let look = json!({"headline": "Limited"});
    let live = json!({"countdownTarget": iso(now + Duration::hours(1)), "postCountdownAction": "show-message", "messageTitle": "Live"});
    let a = create(app, &creator, "countdown").await;
    assert_eq!(update(app, &creator, &a, &live, &look, None, Some(iso(now + Duration::hours(2)))).await.0, 200);
    assert_eq!(call(app, &creator, "/api/pages/publish", &[("id", &a)]).await.0, 200);
    // Expire A (it stops being served), publish three more, then bring A back.
    let over = json!({"countdownTarget": iso(now - Duration::hours(3)), "postCountdownAction": "show-message", "messageTitle": "Live"});
    assert_eq!(update(app, &creator, &a, &over, &look, None, Some(iso(now - Duration::hours(2)))).await.0, 200);
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let id = create(app, &creator, "countdown").await;
        statuses.push(call(app, &creator, "/api/pages/publish", &[("id", &id)]).await.0);
    }
    assert_eq!(statuses, [200, 200, 403], "the expired but switched-on page still takes its place");
    assert_eq!(update(app, &creator, &a, &live, &look, None, None).await.0, 200);
    let served: Result<i64, DbError> = db_read!(app.state.db, conn => Ok(pages::table.filter(pages::is_active.eq(true)).count().get_result(conn).await?));
    assert_eq!(served.expect("count"), 3, "never more than the Free plan's three");
}

async fn a_save_and_an_upload_keep_each_others_changes(app: &TestApp) {
    let creator = signed_in(app, "tabs@example.com").await;
    let id = create(app, &creator, "countdown").await;
    // Tab 1 loads the editor; tab 2 uploads an image; tab 1 saves its (older) form.
    let stale = editor_form(app, &creator, &id).await;
    assert_eq!(upload(app, &creator, &id).await.status(), 200);
    let mut fields = with(stale, "form[headline]", "Saved in tab 1");
    fields.push(("id".into(), id.clone()));
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(call(app, &creator, "/api/pages/save", &refs).await.0, 200);
    let (_, editor) = call(app, &creator, "/api/pages/editor", &[("id", &id)]).await;
    assert_eq!(editor["detail"]["customization"]["headline"], "Saved in tab 1");
    assert!(editor["hero_image_url"].is_string(), "the upload survived the save: {editor}");

    // And at the same time, round after round.
    for round in 0..8 {
        let headline = format!("Round {round}");
        let mut fields = with(fields.clone(), "form[headline]", &headline);
        fields.retain(|(k, _)| k != "id");
        fields.push(("id".into(), id.clone()));
        let save = async {
            let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            call(app, &creator, "/api/pages/save", &refs).await.0
        };
        let (saved, uploaded) = tokio::join!(save, upload(app, &creator, &id));
        assert_eq!((saved, uploaded.status().as_u16()), (200, 200));
        let url: Value = uploaded.json().await.expect("json");
        let (_, editor) = call(app, &creator, "/api/pages/editor", &[("id", &id)]).await;
        assert_eq!(editor["detail"]["customization"]["headline"], headline.as_str());
        assert_eq!(editor["hero_image_url"], url["heroImageUrl"], "round {round}: the newest image is the page's");
    }
    // Replaced images are deleted: one file left for the page.
    let (_, editor) = call(app, &creator, "/api/pages/editor", &[("id", &id)]).await;
    let url = editor["hero_image_url"].as_str().expect("hero").to_string();
    let key = url.strip_prefix("/files/").expect("served from /files/");
    let folder = app.state.config.data_dir.join("files").join(key.rsplit_once('/').expect("folder").0);
    let files = std::fs::read_dir(&folder).expect("asset folder (the tests store files in the local folder)").count();
    assert_eq!(files, 1, "only the current image is kept in {}", folder.display());
}

/// Behind a TLS-ending proxy `PUBLIC_URL` is https: the session cookie is Secure and browsers are
/// told to stay on https.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_deployments_get_secure_cookies_and_hsts() {
    // A public address needs its payment provider named; the test checkout is the sandbox's.
    let options = Options { env: vec![("PUBLIC_URL".into(), "https://flashpage.example".into()), ("PAYMENTS".into(), "test".into())], ..Default::default() };
    let app = TestApp::start_with(Backend::Sqlite, options).await.expect("app");
    let res = app.signup(&app.new_browser(), "Ada", "ada@example.com").await;
    assert_eq!(res.status(), 302);
    let cookie = set_cookies(&res).into_iter().find(|c| c.starts_with("fp_session=")).expect("session cookie");
    assert!(cookie.contains("Secure"), "{cookie}");
    assert!(res.headers()["strict-transport-security"].to_str().expect("ascii").contains("max-age=31536000"));
    // A form from the public origin itself is accepted too.
    let res = foreign_client(Some("https://flashpage.example"))
        .post(app.url("/api/login"))
        .header("accept", "application/json")
        .form(&[("email", "ada@example.com"), ("password", PASSWORD)])
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 200);
    app.finish().await;
    let plain = TestApp::start(Backend::Sqlite).await.expect("app");
    let res = plain.get(&plain.new_browser(), "/login").await;
    assert!(!res.headers().contains_key("strict-transport-security"), "no HSTS over plain http");
    plain.finish().await;
}

/// An upload and the page's deletion at the same moment leave no file and no storage counted.
async fn an_upload_racing_a_delete_leaves_nothing_behind(app: &TestApp) {
    let email = "race@example.com";
    let creator = signed_in(app, email).await;
    for _ in 0..6 {
        let id = create(app, &creator, "countdown").await;
        let delete = async { call(app, &creator, "/api/pages/delete", &[("id", &id)]).await.0 };
        let (deleted, uploaded) = tokio::join!(delete, upload(app, &creator, &id));
        assert_eq!(deleted, 200);
        assert!(matches!(uploaded.status().as_u16(), 200 | 404), "{}", uploaded.status());
    }
    let users_dir = app.state.config.data_dir.join("files").join("users");
    let leftovers: Vec<_> = walk(&users_dir).into_iter().filter(|p| p.is_file()).collect();
    assert!(leftovers.is_empty(), "orphaned files: {leftovers:?}");
    assert_eq!(storage_used(app, email).await, 0);
    let rows: Result<i64, DbError> = db_read!(app.state.db, conn => Ok(stored_objects::table.count().get_result(conn).await?));
    assert_eq!(rows.expect("count"), 0);
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    entries
        .flatten()
        .flat_map(|e| {
            let path = e.path();
            if path.is_dir() { walk(&path) } else { vec![path] }
        })
        .collect()
}

/// The JSON API checks what the editor checks: here, the look's time zone.
async fn the_json_api_and_the_editor_share_one_validation(app: &TestApp) {
    let creator = signed_in(app, "json@example.com").await;
    let id = create(app, &creator, "countdown").await;
    let settings = json!({"countdownTarget": iso(Utc::now() + Duration::hours(1)), "postCountdownAction": "show-message", "messageTitle": "Live"});
    let (status, body) = update(app, &creator, &id, &settings, &json!({"headline": "Zones", "timeZone": "Mars/Olympus_Mons"}), None, None).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["fields"][0]["field"], "timeZone");
    let form = with(editor_form(app, &creator, &id).await, "form[timeZone]", "Mars/Olympus_Mons");
    let mut fields = form;
    fields.push(("id".into(), id.clone()));
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, body) = call(app, &creator, "/api/pages/save", &refs).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["fields"][0]["field"], "timeZone");
}

/// Writes of every kind at once: sign-ups, saves and view flushes.
async fn mixed_writes_at_once(backend: Backend) {
    let Some(app) = TestApp::start_with(backend, Options { trusted_proxies: 1, ..Default::default() }).await else { return };
    let creator = signed_in(&app, "rush@example.com").await;
    let now = Utc::now();
    let scheduled = create(&app, &creator, "countdown").await;
    let settings = json!({"countdownTarget": iso(now + Duration::hours(2)), "postCountdownAction": "show-message", "messageTitle": "Live"});
    let (status, _) =
        update(&app, &creator, &scheduled, &settings, &json!({"headline": "Soon", "notifyMe": true}), Some(iso(now + Duration::hours(1))), None).await;
    assert_eq!(status, 200);
    assert_eq!(call(&app, &creator, "/api/pages/publish", &[("id", &scheduled)]).await.0, 200);
    let short = short_id(&app, &creator, &scheduled).await;
    let edited = create(&app, &creator, "countdown").await;

    let mut tasks = JoinSet::new();
    let mut signups = 0;
    for i in 0..200u32 {
        let (client, base, state) = (creator.clone(), app.base.clone(), app.state.clone());
        let (short, edited, settings) = (short.clone(), edited.clone(), settings.to_string());
        if i % 4 == 3 {
            tasks.spawn(async move {
                let views = flashpage::storefront::view_counter::ViewCounter::of(&state);
                views.record(&edited);
                views.flush(&state.db).await.map(|_| 200u16).unwrap_or_else(|e| panic!("view flush: {e}"))
            });
            continue;
        }
        if i % 4 == 0 {
            tasks.spawn(async move {
                let look = json!({"headline": format!("Edit {i}")}).to_string();
                let res = client
                    .post(format!("{base}/api/pages/update"))
                    .header("accept", "application/json")
                    .form(&[("id", edited.as_str()), ("settings", &settings), ("customization", &look), ("launch_at", ""), ("expires_at", "")])
                    .send()
                    .await
                    .expect("request");
                res.status().as_u16()
            });
            continue;
        }
        signups += 1;
        tasks.spawn(async move {
            let res = client
                .post(format!("{base}/api/notify-me"))
                .header("accept", "application/json")
                .header("x-forwarded-for", format!("10.0.{}.{}", i / 250, i % 250))
                .form(&[("short_id", short.as_str()), ("email", &format!("fan{i}@example.com"))])
                .send()
                .await
                .expect("request");
            res.status().as_u16()
        });
    }
    let statuses = all_statuses(tasks).await;
    let failed: Vec<u16> = statuses.iter().copied().filter(|s| *s != 200).collect();
    assert!(failed.is_empty(), "{backend:?}: {} of 200 writes failed: {failed:?}", failed.len());
    let stored: Result<i64, DbError> = db_read!(app.state.db, conn => Ok(registrations::table.count().get_result(conn).await?));
    assert_eq!(stored.expect("count"), signups);
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_two_hundred_mixed_writes_see_no_errors() {
    mixed_writes_at_once(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_two_hundred_mixed_writes_see_no_errors() {
    mixed_writes_at_once(Backend::Postgres).await;
}

async fn concurrent_duplicates_and_block_adds_stay_within_their_rules(app: &TestApp) {
    let creator = signed_in(app, "races@example.com").await;
    let now = Utc::now();
    let id = create(app, &creator, "countdown").await;
    let settings = json!({"countdownTarget": iso(now + Duration::hours(2)), "postCountdownAction": "show-message", "messageTitle": "Live"});
    assert_eq!(update(app, &creator, &id, &settings, &json!({"headline": "Soon", "notifyMe": true}), Some(iso(now + Duration::hours(1))), None).await.0, 200);
    assert_eq!(call(app, &creator, "/api/pages/publish", &[("id", &id)]).await.0, 200);
    let short = short_id(app, &creator, &id).await;

    // The same person signing up 15 times at once is stored once.
    let mut tasks = JoinSet::new();
    for _ in 0..15 {
        let (client, url, short) = (app.new_browser(), app.url("/api/notify-me"), short.clone());
        tasks.spawn(async move {
            client
                .post(url)
                .header("accept", "application/json")
                .form(&[("short_id", short.as_str()), ("email", "same@example.com")])
                .send()
                .await
                .expect("request")
                .status()
                .as_u16()
        });
    }
    assert!(all_statuses(tasks).await.iter().all(|s| *s == 200));
    let stored: Result<i64, DbError> = db_read!(app.state.db, conn => Ok(registrations::table.count().get_result(conn).await?));
    assert_eq!(stored.expect("count"), 1, "one email, one sign-up");

    // Forty blocks added at once: twenty fit, in twenty distinct places.
    let mut tasks = JoinSet::new();
    for i in 0..40 {
        let (client, url, id) = (creator.clone(), app.url("/api/pages/content/add"), id.clone());
        tasks.spawn(async move {
            client
                .post(url)
                .header("accept", "application/json")
                .form(&[
                    ("page_id", id.as_str()),
                    ("item[kind]", "text"),
                    ("item[title]", &format!("Block {i}")),
                    ("item[description]", "x"),
                    ("item[price]", ""),
                    ("item[currency]", "USD"),
                ])
                .send()
                .await
                .expect("request")
                .status()
                .as_u16()
        });
    }
    let statuses = all_statuses(tasks).await;
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 20, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 20, "{statuses:?}");
    let id_ref = id.as_str();
    let positions: Result<Vec<i32>, DbError> = db_read!(app.state.db, conn => {
        Ok(page_contents::table.filter(page_contents::page_id.eq(id_ref)).select(page_contents::position).order(page_contents::position.asc()).load(conn).await?)
    });
    assert_eq!(positions.expect("positions"), (1..=20).collect::<Vec<i32>>());
}

async fn parallel_login_guesses_are_counted_one_by_one(app: &TestApp) {
    signed_in(app, "target@example.com").await;
    // 18 at once: under the per-address limit (20), so only the per-email one decides.
    let mut tasks = JoinSet::new();
    for i in 0..18 {
        let (client, url) = (app.new_browser(), app.url("/api/login"));
        tasks.spawn(async move {
            client
                .post(url)
                .header("accept", "application/json")
                .form(&[("email", "target@example.com"), ("password", &format!("wrong guess number {i}"))])
                .send()
                .await
                .expect("request")
                .status()
                .as_u16()
        });
    }
    let statuses = all_statuses(tasks).await;
    assert_eq!(statuses.iter().filter(|s| **s == 401).count(), 5, "only five guesses are checked: {statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 13, "{statuses:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_ups_are_limited_per_address() {
    let options = Options { env: vec![("SIGNUPS_PER_ADDRESS_PER_HOUR".into(), "3".into())], ..Default::default() };
    let app = TestApp::start_with(Backend::Sqlite, options).await.expect("app");
    for i in 0..3 {
        assert_eq!(app.signup(&app.new_browser(), "Ada", &format!("ada{i}@example.com")).await.status(), 302);
    }
    let (status, body) = call(&app, &app.new_browser(), "/api/signup", &[("name", "Ada"), ("email", "ada9@example.com"), ("password", PASSWORD)]).await;
    assert_eq!(status, 429, "{body}");
    app.finish().await;
}

/// Every page action, with the status each role gets.
async fn every_page_action_checks_the_role(app: &TestApp) {
    let admin = signed_in(app, "owner@example.com").await;
    for (role, may_edit, may_publish) in [("viewer", false, false), ("editor", true, false), ("manager", true, true)] {
        let email = format!("{role}@example.com");
        let user = signed_in(app, &email).await;
        let id = create(app, &user, "countdown").await;
        let (_, block) = call(
            app,
            &user,
            "/api/pages/content/add",
            &[("page_id", &id), ("item[kind]", "text"), ("item[title]", "B"), ("item[description]", "x"), ("item[price]", ""), ("item[currency]", "USD")],
        )
        .await;
        let block = block.as_str().expect("block id").to_string();
        set_role(app, &email, role).await;
        let edit = if may_edit { 200 } else { 403 };
        let publish = if may_publish { 200 } else { 403 };
        let form = editor_form(app, &user, &id).await;
        let form_with = |extra: &[(&str, &str)]| {
            let mut f = form.clone();
            f.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
            f
        };
        let settings =
            json!({"countdownTarget": iso(Utc::now() + Duration::hours(1)), "postCountdownAction": "show-message", "messageTitle": "Live"}).to_string();
        let look = json!({"headline": "Edited"}).to_string();
        let block_fields = [
            ("page_id", id.as_str()),
            ("item_id", block.as_str()),
            ("item[kind]", "text"),
            ("item[title]", "C"),
            ("item[description]", "y"),
            ("item[price]", ""),
            ("item[currency]", "USD"),
        ];
        let cases: Vec<(&str, Vec<(String, String)>, u16)> = vec![
            ("/api/pages/list", vec![], 200),
            ("/api/pages/get", vec![("id".into(), id.clone())], 200),
            ("/api/pages/editor", vec![("id".into(), id.clone())], 200),
            ("/api/pages/create", vec![("page_type".into(), "countdown".into()), ("headline".into(), "x".into())], edit),
            (
                "/api/pages/update",
                vec![
                    ("id".into(), id.clone()),
                    ("settings".into(), settings.clone()),
                    ("customization".into(), look.clone()),
                    ("launch_at".into(), String::new()),
                    ("expires_at".into(), String::new()),
                ],
                edit,
            ),
            ("/api/pages/save", form_with(&[("id", &id)]), edit),
            ("/api/pages/preview", form_with(&[("id", &id), ("phase", "live")]), edit),
            ("/api/pages/duplicate", vec![("id".into(), id.clone())], edit),
            ("/api/pages/content/update", block_fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(), edit),
            ("/api/pages/content/move", vec![("page_id".into(), id.clone()), ("item_id".into(), block.clone()), ("direction".into(), "up".into())], edit),
            ("/api/pages/hero/remove", vec![("id".into(), id.clone())], edit),
            ("/api/pages/publish", vec![("id".into(), id.clone())], publish),
            ("/api/pages/unpublish", vec![("id".into(), id.clone())], publish),
            ("/api/pages/content/remove", vec![("page_id".into(), id.clone()), ("item_id".into(), block.clone())], edit),
        ];
        for (path, fields, expected) in cases {
            let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let (status, body) = call(app, &user, path, &refs).await;
            assert_eq!(status, expected, "{role} {path}: {body}");
        }
        assert_eq!(upload(app, &user, &id).await.status().as_u16(), edit, "{role} upload");
        assert_eq!(call(app, &user, "/api/pages/delete", &[("id", &id)]).await.0, publish, "{role} delete");
        // The admin of another organization cannot see it either way.
        assert_eq!(call(app, &admin, "/api/pages/get", &[("id", &id)]).await.0, 404);
    }
}

async fn another_organizations_page_is_not_found_by_any_action(app: &TestApp) {
    let owner = signed_in(app, "owner@example.com").await;
    let id = create(app, &owner, "countdown").await;
    let (_, block) = call(
        app,
        &owner,
        "/api/pages/content/add",
        &[("page_id", &id), ("item[kind]", "text"), ("item[title]", "Mine"), ("item[description]", "x"), ("item[price]", ""), ("item[currency]", "USD")],
    )
    .await;
    let block = block.as_str().expect("block").to_string();
    let form = editor_form(app, &owner, &id).await;
    let intruder = signed_in(app, "intruder@example.com").await;
    let mut save = with(form.clone(), "form[headline]", "Taken over");
    save.push(("id".into(), id.clone()));
    let mut preview = form.clone();
    preview.extend([("id".to_string(), id.clone()), ("phase".to_string(), "live".to_string())]);
    let update_block: Vec<(String, String)> = [
        ("page_id", id.as_str()),
        ("item_id", block.as_str()),
        ("item[kind]", "text"),
        ("item[title]", "Taken"),
        ("item[description]", "y"),
        ("item[price]", ""),
        ("item[currency]", "USD"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (path, fields) in [
        ("/api/pages/save", save),
        ("/api/pages/editor", vec![("id".to_string(), id.clone())]),
        ("/api/pages/preview", preview),
        ("/api/pages/hero/remove", vec![("id".to_string(), id.clone())]),
        ("/api/pages/content/update", update_block),
        ("/api/pages/publish", vec![("id".to_string(), id.clone())]),
        ("/api/pages/delete", vec![("id".to_string(), id.clone())]),
    ] {
        let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let (status, body) = call(app, &intruder, path, &refs).await;
        assert_eq!(status, 404, "{path}: {body}");
    }
    assert_eq!(upload(app, &intruder, &id).await.status(), 404);
    let (_, editor) = call(app, &owner, "/api/pages/editor", &[("id", &id)]).await;
    assert_eq!(editor["detail"]["customization"]["headline"], "Draft", "the owner's page is untouched");
    assert_eq!(editor["items"][0]["title"], "Mine");
}

/// A PNG of `kib` KiB (a real header, then padding: the type is sniffed from the header).
fn png_of(kib: usize) -> Vec<u8> {
    let mut bytes = PNG.to_vec();
    bytes.resize(kib * 1024, 0);
    bytes
}

async fn storage_used(app: &TestApp, email: &str) -> i64 {
    let used: Result<i64, DbError> = db_read!(app.state.db, conn => {
        Ok(users::table.inner_join(organizations::table.on(organizations::id.eq(users::organization_id)))
            .filter(users::email.eq(email)).select(organizations::storage_bytes).first(conn).await?)
    });
    used.expect("storage used")
}

async fn uploads_stay_within_the_plans_storage(app: &TestApp) {
    // The Free plan keeps 1 MB for this test.
    let r: Result<usize, DbError> = db_write!(app.state.db, conn => {
        let features: String = plans::table.filter(plans::name.eq("Free")).select(plans::features).first(conn).await?;
        let mut features: Value = serde_json::from_str(&features).expect("features");
        features["storageMb"] = json!(1);
        Ok(diesel::update(plans::table.filter(plans::name.eq("Free"))).set(plans::features.eq(features.to_string())).execute(conn).await?)
    });
    assert_eq!(r.expect("plan"), 1);
    let email = "storage@example.com";
    let creator = signed_in(app, email).await;
    let (a, b) = (create(app, &creator, "countdown").await, create(app, &creator, "countdown").await);
    assert_eq!(upload_bytes(app, &creator, &a, png_of(700)).await.status(), 200);
    assert_eq!(storage_used(app, email).await, 700 * 1024);
    let res = upload_bytes(app, &creator, &b, png_of(700)).await;
    assert_eq!(res.status(), 403);
    let body: Value = res.json().await.expect("json");
    assert!(body["message"].as_str().unwrap_or_default().contains("keeps up to 1 MB of files and 1 MB are in use"), "{body}");
    assert_eq!(storage_used(app, email).await, 700 * 1024, "a refused upload takes no space");

    // Replacing the big image frees its space at once.
    assert_eq!(upload(app, &creator, &a).await.status(), 200);
    assert_eq!(storage_used(app, email).await, PNG.len() as i64);
    assert_eq!(upload_bytes(app, &creator, &b, png_of(700)).await.status(), 200);
    // A copy of b would not fit: refused, and no half copy is left behind.
    let (status, body) = call(app, &creator, "/api/pages/duplicate", &[("id", &b)]).await;
    assert_eq!(status, 403, "{body}");
    let (_, list) = call(app, &creator, "/api/pages/list", &[]).await;
    assert_eq!(list.as_array().expect("list").len(), 2);
    // Deleting a page writes its files off.
    assert_eq!(call(app, &creator, "/api/pages/delete", &[("id", &b)]).await.0, 200);
    assert_eq!(storage_used(app, email).await, PNG.len() as i64);

    // Parallel uploads to separate pages cannot overshoot the allowance together.
    let mut pages = Vec::new();
    for _ in 0..6 {
        pages.push(create(app, &creator, "countdown").await);
    }
    let mut tasks = JoinSet::new();
    for page in pages {
        let (client, url) = (creator.clone(), app.url(&format!("/dashboard/pages/{page}/hero")));
        tasks.spawn(async move {
            let form = Form::new().part("image", Part::bytes(png_of(300)).file_name("h.png").mime_str("image/png").expect("mime"));
            client.post(url).header("accept", "application/json").multipart(form).send().await.expect("upload").status().as_u16()
        });
    }
    let statuses = all_statuses(tasks).await;
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 3, "three 300 KiB images fit in what is left: {statuses:?}");
    let used = storage_used(app, email).await;
    assert_eq!(used, PNG.len() as i64 + 3 * 300 * 1024);
    assert!(used <= 1024 * 1024);
}

/// Sends a request line exactly as written (reqwest would normalise `..` away before sending).
async fn raw_get(app: &TestApp, target: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = app.base.trim_start_matches("http://").to_string();
    let mut stream = tokio::net::TcpStream::connect(&host).await.expect("connect");
    let request = format!("GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.expect("read");
    String::from_utf8_lossy(&answer).into_owned()
}

async fn file_paths_cannot_climb_out_of_storage(app: &TestApp) {
    // Something to find if the path did escape: a file in the data folder, next to storage.
    std::fs::write(app.state.config.data_dir.join("secret.txt"), "top secret").expect("write");
    for target in [
        "/files/users/../secret.txt",
        "/files/users/../../secret.txt",
        "/files/users/%2e%2e/%2e%2e/secret.txt",
        "/files/users/x/pages/y/assets/..%2f..%2f..%2f..%2fsecret.txt",
        "/files/..%2fsecret.txt",
        "/files/../../../../etc/passwd",
    ] {
        let answer = raw_get(app, target).await;
        let status_line = answer.lines().next().unwrap_or_default().to_string();
        assert!(status_line.starts_with("HTTP/1.1 4"), "{target}: {status_line}");
        assert!(!answer.contains("top secret") && !answer.contains("root:"), "{target} escaped storage");
    }
}

backend_tests! {
    hostile_text_stays_text_on_every_kind_of_page,
    cross_site_requests_are_refused,
    login_follows_only_paths_of_this_app,
    extreme_dates_are_refused_with_a_message,
    the_live_page_limit_cannot_be_dodged_by_editing_the_expiry,
    a_save_and_an_upload_keep_each_others_changes,
    concurrent_duplicates_and_block_adds_stay_within_their_rules,
    parallel_login_guesses_are_counted_one_by_one,
    every_page_action_checks_the_role,
    another_organizations_page_is_not_found_by_any_action,
    file_paths_cannot_climb_out_of_storage,
    uploads_stay_within_the_plans_storage,
    an_upload_racing_a_delete_leaves_nothing_behind,
    the_json_api_and_the_editor_share_one_validation,
}
