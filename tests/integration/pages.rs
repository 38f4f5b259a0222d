//! Pages over HTTP, on SQLite and PostgreSQL: CRUD through the server functions, permissions,
//! tenancy, validation, and the plan limit on publishing.

use crate::common;

use common::{TestApp, call, location};
use diesel::{ExpressionMethods, QueryDsl};
use flashpage::db_read;
use flashpage::infra::db::DbError;
use flashpage::infra::db::schema::*;
use serde_json::{Value, json};

async fn signed_in(app: &TestApp, email: &str) -> reqwest::Client {
    let browser = app.new_browser();
    assert_eq!(app.signup(&browser, "Creator", email).await.status(), 302);
    browser
}

async fn create(app: &TestApp, client: &reqwest::Client, kind: &str, headline: &str) -> String {
    let (status, body) = call(app, client, "/api/pages/create", &[("page_type", kind), ("headline", headline)]).await;
    assert_eq!(status, 200, "{body}");
    body.as_str().expect("id").to_string()
}

fn countdown_settings(target: &str) -> String {
    json!({"countdownTarget": target, "postCountdownAction": "redirect", "redirectUrl": "https://example.com/live"}).to_string()
}

async fn creators_create_each_kind_and_list_them(app: &TestApp) {
    let creator = signed_in(app, "creator@example.com").await;
    for kind in ["countdown", "flash-sale", "event-registration", "limited-offer"] {
        create(app, &creator, kind, &format!("My {kind}")).await;
    }
    let (status, list) = call(app, &creator, "/api/pages/list", &[]).await;
    assert_eq!(status, 200);
    let list = list.as_array().expect("array");
    assert_eq!(list.len(), 4);
    for page in list {
        assert_eq!(page["is_active"], false, "new pages are drafts");
        assert_eq!(page["phase"], "Inactive");
        let short = page["short_id"].as_str().expect("short id");
        assert!(short.len() >= 8 && short.chars().all(|c| c.is_ascii_alphanumeric()), "{short}");
    }
    // Without JavaScript, creating a page lands in its editor.
    let res = app.post_form(&creator, "/api/pages/create", "/dashboard", &[("page_type", "countdown"), ("headline", "No JS")]).await;
    assert_eq!(res.status(), 302);
    assert!(location(&res).starts_with("/dashboard/pages/"), "{}", location(&res));
}

async fn updates_are_validated_per_field(app: &TestApp) {
    let creator = signed_in(app, "creator@example.com").await;
    let id = create(app, &creator, "countdown", "Launch").await;
    let customization = json!({"headline": "Launch day", "accentColor": "#ff6600"}).to_string();
    let (status, body) = call(
        app,
        &creator,
        "/api/pages/update",
        &[
            ("id", &id),
            ("settings", &countdown_settings("2030-01-01T10:00:00Z")),
            ("customization", &customization),
            ("launch_at", "2029-12-31T10:00:00Z"),
            ("expires_at", "2030-01-02T10:00:00Z"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (_, detail) = call(app, &creator, "/api/pages/get", &[("id", &id)]).await;
    assert_eq!(detail["customization"]["headline"], "Launch day");
    assert_eq!(detail["summary"]["launch_at"], "2029-12-31T10:00:00Z");
    assert_eq!(detail["summary"]["phase"], "Inactive", "a draft is off until published");
    assert_eq!(call(app, &creator, "/api/pages/publish", &[("id", &id)]).await.0, 200);
    let (_, published) = call(app, &creator, "/api/pages/get", &[("id", &id)]).await;
    assert_eq!(published["summary"]["phase"]["Scheduled"]["launches_at"], "2029-12-31T10:00:00Z");
    let stored: Value = serde_json::from_str(detail["settings_json"].as_str().expect("json")).expect("valid");
    assert_eq!(stored["countdownTarget"], "2030-01-01T10:00:00Z", "stored with the seed's field names");

    // Several problems at once: each reported on its field.
    let bad = json!({"countdownTarget": "2030-01-01T10:00:00Z", "postCountdownAction": "redirect", "redirectUrl": "javascript:alert(1)"}).to_string();
    let bad_look = json!({"headline": "", "accentColor": "red"}).to_string();
    let (status, body) =
        call(app, &creator, "/api/pages/update", &[("id", &id), ("settings", &bad), ("customization", &bad_look), ("launch_at", "2030-02-01T00:00:00Z")]).await;
    assert_eq!(status, 422, "{body}");
    let fields: Vec<&str> = body["fields"].as_array().expect("fields").iter().filter_map(|f| f["field"].as_str()).collect();
    assert_eq!(fields, ["launchAt", "redirectUrl", "headline", "accentColor"]);

    // Malformed JSON and malformed times are 4xx with a message, never a 500.
    for (settings, launch) in
        [("{not json", ""), ("[1,2]", ""), (r#"{"countdownTarget":"soon"}"#, ""), (&countdown_settings("2030-01-01T10:00:00Z")[..], "tomorrow")]
    {
        let (status, body) =
            call(app, &creator, "/api/pages/update", &[("id", &id), ("settings", settings), ("customization", &customization), ("launch_at", launch)]).await;
        assert!(status == 400 || status == 422, "{status} {body}");
        assert!(!body["message"].as_str().unwrap_or_default().is_empty());
    }
    // The event time zone is checked against the tz database on the server.
    let event = create(app, &creator, "event-registration", "Meetup").await;
    let settings = json!({"eventStartTime": "2030-01-01T10:00:00Z", "eventEndTime": "2030-01-01T12:00:00Z", "timeZone": "Mars/Olympus_Mons",
        "eventLocation": "physical", "physicalAddress": "1 Main St", "maxAttendees": 10, "waitlistEnabled": false})
    .to_string();
    let (status, body) = call(app, &creator, "/api/pages/update", &[("id", &event), ("settings", &settings), ("customization", &customization)]).await;
    assert_eq!(status, 422);
    assert_eq!(body["fields"][0]["field"], "timeZone");
}

async fn publish_duplicate_unpublish_delete(app: &TestApp) {
    let creator = signed_in(app, "creator@example.com").await;
    let id = create(app, &creator, "flash-sale", "Sale").await;
    assert_eq!(call(app, &creator, "/api/pages/publish", &[("id", &id)]).await.0, 200);
    let (_, detail) = call(app, &creator, "/api/pages/get", &[("id", &id)]).await;
    assert_eq!(detail["summary"]["is_active"], true);
    assert!(detail["summary"]["phase"]["Live"].is_object(), "{detail}");

    let (status, copy) = call(app, &creator, "/api/pages/duplicate", &[("id", &id)]).await;
    assert_eq!(status, 200);
    let copy = copy.as_str().expect("id").to_string();
    let (_, copied) = call(app, &creator, "/api/pages/get", &[("id", &copy)]).await;
    assert_eq!(copied["customization"]["headline"], "Copy of Sale");
    assert_eq!(copied["summary"]["is_active"], false, "a copy starts as a draft");
    assert_ne!(copied["summary"]["short_id"], detail["summary"]["short_id"], "a copy gets its own link");
    assert_eq!(copied["settings_json"], detail["settings_json"]);

    assert_eq!(call(app, &creator, "/api/pages/unpublish", &[("id", &id)]).await.0, 200);
    let (_, detail) = call(app, &creator, "/api/pages/get", &[("id", &id)]).await;
    assert_eq!(detail["summary"]["phase"], "Inactive");

    assert_eq!(call(app, &creator, "/api/pages/delete", &[("id", &id)]).await.0, 200);
    let (status, _) = call(app, &creator, "/api/pages/get", &[("id", &id)]).await;
    assert_eq!(status, 404);
    let (_, list) = call(app, &creator, "/api/pages/list", &[]).await;
    assert_eq!(list.as_array().map(Vec::len), Some(1));
}

async fn another_organizations_pages_are_not_found(app: &TestApp) {
    let owner = signed_in(app, "owner@example.com").await;
    let id = create(app, &owner, "countdown", "Secret launch").await;
    let stranger = signed_in(app, "stranger@example.com").await;
    for path in ["/api/pages/get", "/api/pages/publish", "/api/pages/unpublish", "/api/pages/duplicate", "/api/pages/delete"] {
        let (status, body) = call(app, &stranger, path, &[("id", &id)]).await;
        assert_eq!(status, 404, "{path}: {body}");
    }
    let look = json!({"headline": "Hijacked"}).to_string();
    let (status, _) =
        call(app, &stranger, "/api/pages/update", &[("id", &id), ("settings", &countdown_settings("2030-01-01T10:00:00Z")), ("customization", &look)]).await;
    assert_eq!(status, 404);
    let (_, list) = call(app, &stranger, "/api/pages/list", &[]).await;
    assert_eq!(list.as_array().map(Vec::len), Some(0));
    let (_, detail) = call(app, &owner, "/api/pages/get", &[("id", &id)]).await;
    assert_eq!(detail["customization"]["headline"], "Secret launch", "untouched");
    // Signed-out callers are asked to log in.
    let (status, _) = call(app, &app.new_browser(), "/api/pages/list", &[]).await;
    assert_eq!(status, 401);
}

async fn viewers_can_look_but_not_edit(app: &TestApp) {
    let creator = signed_in(app, "viewer@example.com").await;
    let id = create(app, &creator, "countdown", "Look only").await;
    common::set_role(app, "viewer@example.com", "viewer").await;
    assert_eq!(call(app, &creator, "/api/pages/list", &[]).await.0, 200);
    assert_eq!(call(app, &creator, "/api/pages/get", &[("id", &id)]).await.0, 200);
    let (status, body) = call(app, &creator, "/api/pages/create", &[("page_type", "countdown"), ("headline", "x")]).await;
    assert_eq!(status, 403, "{body}");
    assert!(body["message"].as_str().unwrap_or_default().contains("role"));
    for path in ["/api/pages/publish", "/api/pages/duplicate", "/api/pages/delete"] {
        assert_eq!(call(app, &creator, path, &[("id", &id)]).await.0, 403, "{path}");
    }
}

async fn publishing_respects_the_plan_limit(app: &TestApp) {
    let creator = signed_in(app, "limits@example.com").await;
    let mut ids = Vec::new();
    for i in 0..4 {
        ids.push(create(app, &creator, "countdown", &format!("Page {i}")).await);
    }
    for id in &ids[..3] {
        assert_eq!(call(app, &creator, "/api/pages/publish", &[("id", id)]).await.0, 200);
    }
    let (status, body) = call(app, &creator, "/api/pages/publish", &[("id", &ids[3])]).await;
    assert_eq!(status, 403, "{body}");
    let message = body["message"].as_str().unwrap_or_default();
    assert!(message.contains("Free plan allows 3 live pages") && message.contains("Basic plan allows 25"), "{message}");
    // Re-publishing a live page is not counted twice; switching one off frees a slot.
    assert_eq!(call(app, &creator, "/api/pages/publish", &[("id", &ids[0])]).await.0, 200);
    assert_eq!(call(app, &creator, "/api/pages/unpublish", &[("id", &ids[0])]).await.0, 200);
    assert_eq!(call(app, &creator, "/api/pages/publish", &[("id", &ids[3])]).await.0, 200);
}

async fn parallel_publishes_never_exceed_the_limit(app: &TestApp) {
    let creator = signed_in(app, "rush@example.com").await;
    let mut ids = Vec::new();
    for i in 0..8 {
        ids.push(create(app, &creator, "countdown", &format!("Page {i}")).await);
    }
    let mut tasks = Vec::new();
    for id in ids {
        let client = creator.clone();
        let url = app.url("/api/pages/publish");
        tasks.push(tokio::spawn(
            async move { client.post(url).header("accept", "application/json").form(&[("id", id)]).send().await.map(|r| r.status().as_u16()) },
        ));
    }
    let mut ok = 0;
    for t in tasks {
        match t.await.expect("task").expect("request") {
            200 => ok += 1,
            403 => {}
            other => panic!("unexpected status {other}"),
        }
    }
    assert_eq!(ok, 3, "exactly the plan's 3 live pages");
    let live: Result<i64, DbError> = db_read!(app.state.db, conn => Ok(pages::table.filter(pages::is_active.eq(true)).count().get_result(conn).await?));
    assert_eq!(live.expect("count"), 3);
}

async fn the_editor_form_saves_in_the_chosen_time_zone(app: &TestApp) {
    let creator = signed_in(app, "editor@example.com").await;
    let id = create(app, &creator, "event-registration", "Walk").await;
    let from = format!("/dashboard/pages/{id}");
    let fields = |end: &'static str| {
        vec![
            ("id", id.clone()),
            ("form[headline]", "Photo walk".to_string()),
            ("form[timeZone]", "Europe/Paris".to_string()),
            ("form[eventStartTime]", "2030-07-01T10:00".to_string()),
            ("form[eventEndTime]", end.to_string()),
            ("form[eventLocation]", "physical".to_string()),
            ("form[physicalAddress]", "12 Rue de Rivoli".to_string()),
            ("form[maxAttendees]", "40".to_string()),
            ("form[waitlistEnabled]", "on".to_string()),
        ]
    };
    let post = |f: Vec<(&'static str, String)>| {
        creator.post(app.url("/api/pages/save")).header("accept", "text/html").header("referer", app.url(&from)).form(&f).send()
    };
    let res = post(fields("2030-07-01T09:00")).await.expect("request");
    assert_eq!(res.status(), 302);
    assert!(location(&res).contains("__err="), "an error goes back to the editor: {}", location(&res));
    let res = post(fields("2030-07-01T12:00")).await.expect("request");
    assert_eq!(location(&res), format!("{from}?saved=1"));
    let (_, detail) = call(app, &creator, "/api/pages/get", &[("id", &id)]).await;
    let settings: Value = serde_json::from_str(detail["settings_json"].as_str().expect("json")).expect("valid");
    assert_eq!(settings["eventStartTime"], "2030-07-01T08:00:00Z", "10:00 in Paris in summer is 08:00 UTC");
    assert_eq!(settings["timeZone"], "Europe/Paris");
    assert_eq!(settings["waitlistEnabled"], true);
    let (_, editor) = call(app, &creator, "/api/pages/editor", &[("id", &id)]).await;
    assert_eq!(editor["form"]["eventStartTime"], "2030-07-01T10:00", "shown back in the event's zone");
    assert!(editor["public_url"].as_str().unwrap_or_default().ends_with(&format!("/p/{}", detail["summary"]["short_id"].as_str().unwrap_or_default())));
}

backend_tests! {
    the_editor_form_saves_in_the_chosen_time_zone,
    creators_create_each_kind_and_list_them,
    updates_are_validated_per_field,
    publish_duplicate_unpublish_delete,
    another_organizations_pages_are_not_found,
    viewers_can_look_but_not_edit,
    publishing_respects_the_plan_limit,
    parallel_publishes_never_exceed_the_limit,
}
