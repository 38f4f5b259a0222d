//! Event registration over HTTP, on SQLite and PostgreSQL: visitors register (with and without
//! JavaScript), join the waitlist when the event is full, manage their registration from the
//! emailed link; capacity holds under a thousand parallel registrants; bad input is refused beside
//! its field; creators see counts and people, check them in and export them.

use crate::common;

use chrono::{Duration, SecondsFormat, Utc};
use common::{Options, TestApp, call, location};
use diesel::{ExpressionMethods, QueryDsl, TextExpressionMethods};
use flashpage::db_read;
use flashpage::infra::db::DbError;
use flashpage::infra::db::schema::{mail_outbox, registrations};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU32, Ordering};

/// Each request comes from its own address (through one trusted proxy), so the per-address limit
/// of public forms does not get in the way of tests that are not about it.
static NEXT_ADDRESS: AtomicU32 = AtomicU32::new(1);

fn fresh_address() -> String {
    let n = NEXT_ADDRESS.fetch_add(1, Ordering::Relaxed);
    format!("10.{}.{}.{}", (n >> 16) & 255, (n >> 8) & 255, n & 255)
}

struct Event {
    creator: reqwest::Client,
    page_id: String,
    short_id: String,
}

fn event_settings(capacity: u32, waitlist: bool, extra: Value) -> Value {
    let start = Utc::now() + Duration::days(2);
    let mut s = json!({
        "eventStartTime": start.to_rfc3339_opts(SecondsFormat::Secs, true),
        "eventEndTime": (start + Duration::hours(2)).to_rfc3339_opts(SecondsFormat::Secs, true),
        "timeZone": "Europe/Paris",
        "eventLocation": "virtual",
        "virtualPlatform": "zoom",
        "platformLink": "https://zoom.us/j/123",
        "maxAttendees": capacity,
        "waitlistEnabled": waitlist,
    });
    if let (Some(s), Some(extra)) = (s.as_object_mut(), extra.as_object()) {
        s.extend(extra.clone());
    }
    s
}

/// A creator's live event page with `settings`.
async fn event(app: &TestApp, email: &str, settings: Value) -> Event {
    let creator = app.new_browser();
    assert_eq!(app.signup(&creator, "Creator", email).await.status(), 302);
    let (status, id) = call(app, &creator, "/api/pages/create", &[("page_type", "event-registration"), ("headline", "Rust night")]).await;
    assert_eq!(status, 200, "{id}");
    let page_id = id.as_str().expect("id").to_string();
    let look = json!({"headline": "Rust night"}).to_string();
    let (status, body) = call(
        app,
        &creator,
        "/api/pages/update",
        &[("id", &page_id), ("settings", &settings.to_string()), ("customization", &look), ("launch_at", ""), ("expires_at", "")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(call(app, &creator, "/api/pages/publish", &[("id", &page_id)]).await.0, 200);
    let (_, detail) = call(app, &creator, "/api/pages/get", &[("id", &page_id)]).await;
    let short_id = detail["summary"]["short_id"].as_str().expect("short").to_string();
    Event { creator, page_id, short_id }
}

/// Registers with JSON back; the status and body.
async fn register(app: &TestApp, ev: &Event, fields: &[(&str, &str)]) -> (u16, Value) {
    let res = app
        .client
        .post(app.url(&format!("/p/{}/register", ev.short_id)))
        .header("accept", "application/json")
        .header("x-forwarded-for", fresh_address())
        .form(fields)
        .send()
        .await
        .expect("request");
    let status = res.status().as_u16();
    let body = res.text().await.expect("body");
    (status, serde_json::from_str(&body).unwrap_or(Value::String(body)))
}

async fn person(app: &TestApp, ev: &Event, name: &str, email: &str) -> u16 {
    register(app, ev, &[("name", name), ("email", email)]).await.0
}

async fn status_of(app: &TestApp, page_id: &str, email: &str) -> Option<String> {
    let (page_id, email) = (page_id.to_string(), email.to_string());
    let r: Result<Option<String>, DbError> = db_read!(app.state.db, conn => {
        use diesel::OptionalExtension;
        Ok(registrations::table
            .filter(registrations::page_id.eq(&page_id))
            .filter(registrations::email.eq(&email))
            .select(registrations::status)
            .first(conn)
            .await
            .optional()?)
    });
    r.expect("status")
}

async fn count(app: &TestApp, page_id: &str, status: &str) -> i64 {
    let (page_id, status) = (page_id.to_string(), status.to_string());
    let r: Result<i64, DbError> = db_read!(app.state.db, conn => {
        Ok(registrations::table.filter(registrations::page_id.eq(&page_id)).filter(registrations::status.eq(&status)).count().get_result(conn).await?)
    });
    r.expect("count")
}

/// Every message queued to `to`: (subject, text, attachments JSON).
async fn mails_to(app: &TestApp, to: &str) -> Vec<(String, String, String)> {
    let to = to.to_string();
    let r: Result<Vec<(String, String, String)>, DbError> = db_read!(app.state.db, conn => {
        Ok(mail_outbox::table
            .filter(mail_outbox::recipient.eq(&to))
            .order(mail_outbox::created_at.asc())
            .select((mail_outbox::subject, mail_outbox::text_body, mail_outbox::attachments))
            .load(conn)
            .await?)
    });
    r.expect("mail")
}

/// The manage link's path in a mail's text.
fn manage_path(text: &str) -> String {
    let at = text.find("/r/").expect("a manage link");
    text[at..].split_whitespace().next().expect("link").trim_end_matches(['.', ')']).to_string()
}

async fn registers_waitlists_and_promotes(app: &TestApp) {
    let ev = event(app, "host@example.com", event_settings(2, true, json!({}))).await;
    let page = app.get(&app.new_browser(), &format!("/p/{}", ev.short_id)).await.text().await.expect("page");
    assert!(page.contains("2 places") && page.contains("action=\"/p/"), "the form and the seats are on the page");

    // Without JavaScript: a plain post, then back to the page with "check your inbox".
    let browser = app.new_browser();
    let res = app
        .post_form(
            &browser,
            &format!("/p/{}/register", ev.short_id),
            &format!("/p/{}", ev.short_id),
            &[("name", "Ada"), ("email", "Ada@Example.com"), ("website", "")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let back = location(&res);
    assert!(back.contains("registered=1"), "{back}");
    let page = app.get(&browser, &back).await.text().await.expect("page");
    assert!(page.contains("Check your inbox") && page.contains("1 of 2 places left"), "seats drop at once");

    let mail = mails_to(app, "ada@example.com").await;
    assert_eq!(mail.len(), 1);
    assert!(mail[0].0.contains("You're registered: Rust night"), "{}", mail[0].0);
    assert!(mail[0].1.contains("https://zoom.us/j/123"), "the join link goes to registered people");
    let ics: Value = serde_json::from_str(&mail[0].2).expect("attachments");
    let ics = ics[0]["content"].as_str().expect("an .ics");
    assert!(ics.contains("METHOD:REQUEST") && ics.contains("DTSTART;TZID=Europe/Paris:") && ics.contains("UID:registration-"), "{ics}");

    assert_eq!(person(app, &ev, "Grace", "grace@example.com").await, 200);
    let (status, body) = register(app, &ev, &[("name", "Linus"), ("email", "linus@example.com")]).await;
    assert_eq!((status, body["waitlist"].as_bool()), (200, Some(true)), "{body}");
    assert_eq!(status_of(app, &ev.page_id, "linus@example.com").await.as_deref(), Some("waitlisted"));
    let waitlisted = mails_to(app, "linus@example.com").await;
    assert!(waitlisted[0].0.contains("waitlist") && waitlisted[0].1.contains("position 1"), "{:?}", waitlisted[0]);
    assert!(!waitlisted[0].1.contains("zoom.us"), "no join link without a seat");

    // Ada cancels from her link: Linus is promoted at once and told.
    let ada_link = manage_path(&mail[0].1);
    let manage = app.get(&browser, &ada_link).await.text().await.expect("manage page");
    assert!(manage.contains("You're registered.") && manage.contains("qr.png"), "{manage}");
    let qr = app.get(&browser, &format!("{ada_link}/qr.png")).await;
    assert_eq!(qr.headers()["content-type"], "image/png");
    let token = ada_link.trim_start_matches("/r/").to_string();
    let res = app.post_form(&browser, "/api/r/cancel", &ada_link, &[("token", &token)]).await;
    assert!(res.status().is_redirection(), "{}", res.status());
    assert_eq!(status_of(app, &ev.page_id, "ada@example.com").await.as_deref(), Some("cancelled"));
    assert_eq!(status_of(app, &ev.page_id, "linus@example.com").await.as_deref(), Some("registered"));
    let promoted = mails_to(app, "linus@example.com").await;
    assert!(promoted.last().expect("mail").0.contains("A place opened up"), "{promoted:?}");
    let cancelled = mails_to(app, "ada@example.com").await;
    assert!(cancelled.last().expect("mail").2.contains("METHOD:CANCEL"), "the cancellation removes the calendar entry");

    // Deleting her data: the row goes, and the link stops working with a clear page.
    let res = app.post_form(&browser, "/api/r/delete", &ada_link, &[("token", &token), ("confirm", "yes")]).await;
    assert!(res.status().is_redirection());
    assert_eq!(status_of(app, &ev.page_id, "ada@example.com").await, None);
    let gone = app.get(&browser, &ada_link).await;
    let text = gone.text().await.expect("page");
    assert!(text.contains("This link doesn't work"), "{text}");
    assert_eq!(app.get(&browser, &format!("{ada_link}/qr.png")).await.status(), 404);
}

/// 1,000 people at once for 100 seats: exactly 100 seats, 900 in line in arrival order, no
/// errors; 10 cancellations promote exactly the next 10. Without a waitlist, 900 clear refusals.
async fn capacity_holds_under_a_thousand_registrants(app: &TestApp) {
    let ev = std::sync::Arc::new(event(app, "rush@example.com", event_settings(100, true, json!({}))).await);
    let answers = futures_util::future::join_all((0..1000).map(|i| {
        let ev = ev.clone();
        async move { register(app, &ev, &[("name", &format!("P{i}")), ("email", &format!("p{i}@example.com"))]).await.0 }
    }))
    .await;
    assert_eq!(answers.iter().filter(|s| **s == 200).count(), 1000, "no errors: {:?}", answers.iter().filter(|s| **s != 200).collect::<Vec<_>>());
    assert_eq!(count(app, &ev.page_id, "registered").await, 100);
    assert_eq!(count(app, &ev.page_id, "waitlisted").await, 900);
    // Arrival order: every seat went to someone who came before everyone waiting.
    let page_id = ev.page_id.clone();
    let seqs: Result<(Option<i64>, Option<i64>, i64), DbError> = db_read!(app.state.db, conn => {
        let last_seat: Option<i64> = registrations::table.filter(registrations::page_id.eq(&page_id)).filter(registrations::status.eq("registered")).select(diesel::dsl::max(registrations::seq)).first(conn).await?;
        let first_wait: Option<i64> = registrations::table.filter(registrations::page_id.eq(&page_id)).filter(registrations::status.eq("waitlisted")).select(diesel::dsl::min(registrations::seq)).first(conn).await?;
        let all: Vec<Option<i64>> = registrations::table.filter(registrations::page_id.eq(&page_id)).select(registrations::seq).load(conn).await?;
        let distinct: std::collections::BTreeSet<Option<i64>> = all.into_iter().collect();
        Ok((last_seat, first_wait, distinct.len() as i64))
    });
    let (last_seat, first_wait, distinct) = seqs.expect("seqs");
    assert!(last_seat < first_wait, "seats {last_seat:?} before the line {first_wait:?}");
    assert_eq!(distinct, 1000, "everyone has their own place in the order");

    // Ten registered people cancel at once: exactly the next ten in line get seats.
    let page_id = ev.page_id.clone();
    let ten: Result<Vec<String>, DbError> = db_read!(app.state.db, conn => {
        Ok(registrations::table.filter(registrations::page_id.eq(&page_id)).filter(registrations::status.eq("registered")).select(registrations::id).limit(10).load(conn).await?)
    });
    let state = app.state.clone();
    let secret = state.part::<flashpage::infra::secrets::AppSecret>().clone();
    futures_util::future::join_all(ten.expect("ten").into_iter().map(|id| {
        let token = secret.link_token(flashpage::registrations::backend::writer::MANAGE, &id);
        async move {
            let res = app.call(&app.client, "/api/r/cancel", &[("token", &token)]).await;
            assert!(res.status().is_success(), "{}", res.status());
        }
    }))
    .await;
    assert_eq!(count(app, &ev.page_id, "registered").await, 100);
    assert_eq!(count(app, &ev.page_id, "waitlisted").await, 890);
    let page_id = ev.page_id.clone();
    let promoted: Result<i64, DbError> = db_read!(app.state.db, conn => {
        Ok(registrations::table.filter(registrations::page_id.eq(&page_id)).filter(registrations::status.eq("registered")).filter(registrations::seq.gt(last_seat.unwrap_or(0))).select(diesel::dsl::max(registrations::seq)).first::<Option<i64>>(conn).await?.unwrap_or(0))
    });
    assert_eq!(promoted.expect("promoted"), first_wait.unwrap_or(0) + 9, "the first ten in line, no one else");

    let closed = std::sync::Arc::new(event(app, "nowait@example.com", event_settings(100, false, json!({}))).await);
    let answers = futures_util::future::join_all((0..1000).map(|i| {
        let ev = closed.clone();
        async move { register(app, &ev, &[("name", &format!("Q{i}")), ("email", &format!("q{i}@example.com"))]).await }
    }))
    .await;
    assert_eq!(answers.iter().filter(|(s, _)| *s == 200).count(), 100);
    let booked: Vec<&(u16, Value)> = answers.iter().filter(|(s, _)| *s == 409).collect();
    assert_eq!(booked.len(), 900);
    assert!(booked.iter().all(|(_, b)| b.to_string().contains("Fully booked")), "{:?}", booked.first());
    assert_eq!(count(app, &closed.page_id, "registered").await, 100);
    let page = app.get(&app.new_browser(), &format!("/p/{}", closed.short_id)).await.text().await.expect("page");
    assert!(page.contains("fully-booked") && !page.contains("reg-form"), "the form gives way to the fully booked state");
}

async fn bad_input_is_refused_beside_the_field(app: &TestApp) {
    let questions = json!({
        "phoneField": "required",
        "customFields": [
            {"id": "company", "label": "Company", "kind": "short-text", "required": true},
            {"id": "diet", "label": "Diet", "kind": "single-choice", "options": ["None", "Vegan"]},
            {"id": "terms", "label": "I accept the terms", "kind": "checkbox", "required": true, "link": "https://example.com/terms"}
        ]
    });
    let ev = event(app, "strict@example.com", event_settings(10, true, questions)).await;
    let good = [("name", "Ada"), ("email", "ada@example.com"), ("phone", "+44 20 7946 0958"), ("f_company", "ACME"), ("f_terms", "on")];
    let long = "x".repeat(10_000);
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (vec![("email", "a@example.com"), ("phone", "+44 20 7946 0958"), ("f_company", "A"), ("f_terms", "on")], "name"),
        (vec![("name", "A"), ("email", "not-an-email"), ("phone", "+44 20 7946 0958"), ("f_company", "A"), ("f_terms", "on")], "email"),
        (vec![("name", "A"), ("email", "a@example.com"), ("phone", "020 7946"), ("f_company", "A"), ("f_terms", "on")], "phone"),
        (vec![("name", "A"), ("email", "a@example.com"), ("phone", "+44 20 7946 0958"), ("f_terms", "on")], "f_company"),
        (vec![("name", "A"), ("email", "a@example.com"), ("phone", "+44 20 7946 0958"), ("f_company", &long), ("f_terms", "on")], "f_company"),
        (vec![("name", "A"), ("email", "a@example.com"), ("phone", "+44 20 7946 0958"), ("f_company", "A"), ("f_diet", "Meat"), ("f_terms", "on")], "f_diet"),
        (vec![("name", "A"), ("email", "a@example.com"), ("phone", "+44 20 7946 0958"), ("f_company", "A")], "f_terms"),
        (vec![("name", "A"), ("email", "a@example.com"), ("phone", "+44 20 7946 0958"), ("f_company", "A"), ("f_terms", "on"), ("f_age", "40")], "form"),
    ];
    for (fields, field) in cases {
        let (status, body) = register(app, &ev, &fields).await;
        assert_eq!(status, 422, "{field}: {body}");
        assert!(body["fields"].as_array().expect("fields").iter().any(|f| f["field"] == field), "{field}: {body}");
    }
    assert_eq!(count(app, &ev.page_id, "registered").await, 0, "nothing stored half-way");

    // Without JavaScript the form comes back filled in, the message beside its field.
    let browser = app.new_browser();
    let res = app
        .post_form(
            &browser,
            &format!("/p/{}/register", ev.short_id),
            "/",
            &[("name", "Ada"), ("email", "ada@example.com"), ("phone", "12"), ("f_company", "ACME")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let back = location(&res);
    assert!(back.contains("draft=") && !back.contains("ACME"), "answers stay out of the address: {back}");
    let page = app.get(&browser, &back).await.text().await.expect("page");
    assert!(page.contains("value=\"ACME\"") && page.contains("Start with + and your country code") && page.contains("Tick this box"), "{page}");

    assert_eq!(register(app, &ev, &good).await.0, 200);
    let answers: Result<(Option<String>, String), DbError> = db_read!(app.state.db, conn => {
        Ok(registrations::table.filter(registrations::email.eq("ada@example.com")).select((registrations::phone, registrations::custom_fields)).first(conn).await?)
    });
    let (phone, answers) = answers.expect("row");
    assert_eq!(phone.as_deref(), Some("+442079460958"), "E.164");
    assert_eq!(serde_json::from_str::<Value>(&answers).expect("json"), json!({"company": "ACME", "terms": true}));

    // Pages that take no registrations now, and links that don't work.
    let scheduled = event(app, "later@example.com", event_settings(10, true, json!({}))).await;
    let launch = (Utc::now() + Duration::hours(5)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let look = json!({"headline": "Later"}).to_string();
    let settings = event_settings(10, true, json!({})).to_string();
    let (status, body) = call(
        app,
        &scheduled.creator,
        "/api/pages/update",
        &[("id", &scheduled.page_id), ("settings", &settings), ("customization", &look), ("launch_at", &launch), ("expires_at", "")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    flashpage::storefront::cache::PageCache::of(&app.state).invalidate(&scheduled.short_id).await;
    assert_eq!(person(app, &scheduled, "A", "early@example.com").await, 409);
    assert_eq!(call(app, &scheduled.creator, "/api/pages/unpublish", &[("id", &scheduled.page_id)]).await.0, 200);
    let (status, _) = register(app, &scheduled, &[("name", "A"), ("email", "off@example.com")]).await;
    assert!(status == 404 || status == 410, "{status}");
    let missing = Event { creator: app.new_browser(), page_id: String::new(), short_id: "nope123".into() };
    assert_eq!(person(app, &missing, "A", "a@example.com").await, 404);
    let wrong = app.get(&browser, "/r/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").await;
    assert!(wrong.text().await.expect("page").contains("This link doesn't work"));
    let res = app.call(&browser, "/api/r/cancel", &[("token", "short")]).await;
    assert_eq!(res.status(), 404);
}

/// The same address twice: one row, the same answer, the confirmation again (three times an hour
/// at most); the honeypot stores nothing.
async fn duplicates_and_bots_reveal_and_store_nothing(app: &TestApp) {
    let ev = event(app, "dup@example.com", event_settings(5, true, json!({}))).await;
    let first = register(app, &ev, &[("name", "Ada"), ("email", "ada@example.com")]).await;
    let again = register(app, &ev, &[("name", "Ada L."), ("email", "ADA@example.com")]).await;
    assert_eq!(first, again, "the answer doesn't tell whether the address was registered");
    assert_eq!(count(app, &ev.page_id, "registered").await, 1);
    for _ in 0..5 {
        register(app, &ev, &[("name", "Ada"), ("email", "ada@example.com")]).await;
    }
    assert_eq!(mails_to(app, "ada@example.com").await.len(), 1 + 3, "the first, then three resends an hour");
    let (status, _) = register(app, &ev, &[("name", "Bot"), ("email", "bot@example.com"), ("website", "http://spam.example")]).await;
    assert_eq!(status, 200, "a bot is told what people are told");
    assert_eq!(status_of(app, &ev.page_id, "bot@example.com").await, None);
}

/// Someone who holds a seat sends the form again after the event filled: they are told what a
/// newcomer is told (which says nothing untrue for either), and the mail sent again says they
/// are registered.
async fn a_repeat_after_the_event_filled_gets_the_neutral_answer(app: &TestApp) {
    let ev = &event(app, "full@example.com", event_settings(1, true, json!({}))).await;
    let answer = |email: &'static str| async move {
        let browser = app.new_browser();
        let res = app.post_form(&browser, &format!("/p/{}/register", ev.short_id), &format!("/p/{}", ev.short_id), &[("name", "P"), ("email", email)]).await;
        assert_eq!(res.status(), 303);
        let page = app.get(&browser, &location(&res)).await.text().await.expect("page");
        let at = page.find("data-testid=\"registration-sent\"").expect("the answer");
        page[at..].split_once('>').expect("tag").1.split('<').next().expect("text").to_string()
    };
    assert!(answer("ada@example.com").await.contains("Check your inbox"));
    let newcomer = answer("grace@example.com").await;
    assert_eq!(status_of(app, &ev.page_id, "grace@example.com").await.as_deref(), Some("waitlisted"));
    let repeat = answer("ada@example.com").await;
    assert_eq!(repeat, newcomer, "the answer doesn't tell whether the address holds a seat");
    assert!(!repeat.contains("you're on the waitlist") && !repeat.contains("you&#x27;re on the waitlist"), "untrue for Ada: {repeat}");
    assert_eq!(status_of(app, &ev.page_id, "ada@example.com").await.as_deref(), Some("registered"));
    let mail = mails_to(app, "ada@example.com").await;
    assert_eq!(mail.len(), 2, "the confirmation, then again");
    assert!(mail[1].0.contains("You're registered") && mail[1].1.contains("https://zoom.us/j/123"), "{:?}", mail[1]);
}

/// A flood of large plain-form posts: to unknown pages and past the rate limit nothing is kept;
/// to a live page the drafts together stay within the cache's bytes, however many arrive.
async fn a_flood_of_large_forms_keeps_memory_bounded(app: &TestApp) {
    use flashpage::registrations::backend::drafts::{FormDrafts, MAX_BYTES};
    let drafts = FormDrafts::of(&app.state);
    let big = "x".repeat(200_000);
    let post = |short_id: String, address: String| {
        let big = big.as_str();
        async move {
            app.client
                .post(app.url(&format!("/p/{short_id}/register")))
                .header("accept", "text/html")
                .header("referer", app.url(&format!("/p/{short_id}")))
                .header("x-forwarded-for", address)
                .form(&[("name", "Flood"), ("email", "not-an-email"), ("f_note", big)])
                .send()
                .await
                .expect("post")
                .status()
                .as_u16()
        }
    };
    // Unknown pages: a page that says so, and nothing kept.
    for i in 0..40 {
        assert_eq!(post(format!("nope{i:04}"), fresh_address()).await, 404);
    }
    assert_eq!(drafts.held().await.0, 0, "unknown pages keep no draft");
    // One address past its limit (20 sign-ups in 10 minutes): refused, nothing kept.
    let ev = event(app, "flooded@example.com", event_settings(10, true, json!({}))).await;
    let one = fresh_address();
    let statuses = futures_util::future::join_all((0..30).map(|_| post(ev.short_id.clone(), one.clone()))).await;
    assert_eq!(statuses.iter().filter(|s| **s == 303).count(), 20, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 10, "{statuses:?}");
    assert_eq!(drafts.held().await.0, 20, "the refused ones keep nothing");
    // Many addresses: about 40 MB of forms; the drafts stay within their bytes.
    for _ in 0..10 {
        let statuses = futures_util::future::join_all((0..20).map(|_| post(ev.short_id.clone(), fresh_address()))).await;
        assert!(statuses.iter().all(|s| *s == 303), "{statuses:?}");
    }
    let (entries, bytes) = drafts.held().await;
    assert!(entries > 0 && entries * 200_000 <= MAX_BYTES && bytes <= MAX_BYTES, "{entries} drafts, {bytes} bytes");
    // The newest draft still comes back filled in.
    let browser = app.new_browser();
    let res = app.post_form(&browser, &format!("/p/{}/register", ev.short_id), "/", &[("name", "Ada"), ("email", "nope")]).await;
    let page = app.get(&browser, &location(&res)).await.text().await.expect("page");
    assert!(page.contains("value=\"Ada\""), "the draft is kept");
}

async fn creators_see_counts_check_in_and_export(app: &TestApp) {
    let questions = json!({"customFields": [{"id": "note", "label": "Note", "kind": "short-text"}]});
    let ev = event(app, "owner@example.com", event_settings(1, true, questions)).await;
    assert_eq!(register(app, &ev, &[("name", "=HYPERLINK(\"x\")"), ("email", "ada@example.com"), ("f_note", "+1 guest")]).await.0, 200);
    assert_eq!(person(app, &ev, "Grace", "grace@example.com").await, 200);
    let list = format!("/dashboard/pages/{}/registrations", ev.page_id);
    let page = app.get(&ev.creator, &list).await.text().await.expect("list");
    assert!(page.contains("ada@example.com") && page.contains("Waitlisted #1"), "{page}");

    // Check-in and undo, by id; the count follows.
    let (_, view) = call(app, &ev.creator, "/api/registrations/list", &[("page_id", &ev.page_id)]).await;
    let ada = view["rows"].as_array().expect("rows").iter().find(|r| r["email"] == "ada@example.com").expect("ada")["id"].as_str().expect("id").to_string();
    let grace =
        view["rows"].as_array().expect("rows").iter().find(|r| r["email"] == "grace@example.com").expect("grace")["id"].as_str().expect("id").to_string();
    // The QR code at the door opens the manage link: a signed-in member of the team who may check
    // people in sees the button there, the registrant (or anyone else) does not.
    let secret = app.state.part::<flashpage::infra::secrets::AppSecret>();
    let door = format!("/r/{}", secret.link_token(flashpage::registrations::backend::writer::MANAGE, &ada));
    let as_creator = app.get(&ev.creator, &door).await.text().await.expect("manage page");
    assert!(as_creator.contains("door-check-in"), "{as_creator}");
    // A door scanner types the QR code's link into the list's search: that one person.
    let scanned = app.url(&door);
    let (_, found) = call(app, &ev.creator, "/api/registrations/list", &[("page_id", &ev.page_id), ("q", &scanned)]).await;
    assert_eq!(found["rows"].as_array().map(|r| r.len()), Some(1), "{found}");
    assert_eq!(found["rows"][0]["email"], "ada@example.com");
    let as_visitor = app.get(&app.new_browser(), &door).await.text().await.expect("manage page");
    assert!(as_visitor.contains("You're registered.") && !as_visitor.contains("door-check-in"));
    assert_eq!(call(app, &ev.creator, "/api/registrations/act", &[("id", &ada), ("action", "check-in")]).await.0, 200);
    let (_, view) = call(app, &ev.creator, "/api/registrations/list", &[("page_id", &ev.page_id)]).await;
    assert_eq!(view["counts"]["attended"], 1);
    let (status, body) = call(app, &ev.creator, "/api/registrations/act", &[("id", &grace), ("action", "move")]).await;
    assert_eq!(status, 409, "no free seat, no move: {body}");
    let (status, _) = call(app, &ev.creator, "/api/registrations/act", &[("id", &grace), ("action", "check-in")]).await;
    assert_eq!(status, 409, "only people with a seat are checked in");

    // The export: BOM, one column per question, formulas neutralised.
    let csv = app.get(&ev.creator, &format!("{list}.csv")).await.text().await.expect("csv");
    assert!(csv.starts_with('\u{feff}'), "BOM");
    let head = csv.lines().next().expect("head");
    assert!(head.ends_with(",Note"), "{head}");
    assert!(csv.contains("'=HYPERLINK") && csv.contains("'+1 guest"), "{csv}");

    // Removing Ada hands her seat to Grace.
    assert_eq!(call(app, &ev.creator, "/api/registrations/act", &[("id", &ada), ("action", "remove")]).await.0, 200);
    assert_eq!(status_of(app, &ev.page_id, "grace@example.com").await.as_deref(), Some("registered"));
    // The creator deletes Ada's data (seed: kept until the creator or the registrant deletes it).
    assert_eq!(call(app, &ev.creator, "/api/registrations/act", &[("id", &ada), ("action", "delete")]).await.0, 200);
    assert_eq!(status_of(app, &ev.page_id, "ada@example.com").await, None);

    // Each of these actions is in the security log.
    let logged: Result<Vec<String>, DbError> = db_read!(app.state.db, conn => {
        use flashpage::infra::db::schema::security_log;
        Ok(security_log::table.filter(security_log::event.like("registration%")).select(security_log::event).load(conn).await?)
    });
    let logged = logged.expect("log");
    for event in ["registration_checked_in", "registrations_exported", "registration_removed", "registration_deleted"] {
        assert!(logged.iter().any(|e| e == event), "{event} in {logged:?}");
    }

    // A viewer sees counts, not people; another organization sees nothing.
    let viewer = app.new_browser();
    assert_eq!(app.signup(&viewer, "Viewer", "viewer@example.com").await.status(), 302);
    let (status, _) = call(app, &viewer, "/api/registrations/list", &[("page_id", &ev.page_id)]).await;
    assert_eq!(status, 404, "another organization's page is not found");
    let (status, _) = call(app, &viewer, "/api/registrations/act", &[("id", &grace), ("action", "remove")]).await;
    assert_eq!(status, 404, "another organization's registrant is not found");
    assert_eq!(app.get(&viewer, &format!("{list}.csv")).await.status(), 404);
    common::set_role(app, "owner@example.com", "viewer").await;
    let (status, view) = call(app, &ev.creator, "/api/registrations/list", &[("page_id", &ev.page_id)]).await;
    assert_eq!(status, 200);
    assert!(view["rows"].is_null() && view["counts"]["registered"] == 1, "{view}");
    assert_eq!(call(app, &ev.creator, "/api/registrations/act", &[("id", &grace), ("action", "remove")]).await.0, 403);
    assert_eq!(app.get(&ev.creator, &format!("{list}.csv")).await.status(), 403);
}

/// A new time reaches registrants as an update of the same calendar entry; a higher capacity
/// promotes from the waitlist; deleting the event cancels everyone's entry.
async fn event_changes_reach_registrants(app: &TestApp) {
    let ev = event(app, "changes@example.com", event_settings(1, true, json!({}))).await;
    assert_eq!(person(app, &ev, "Ada", "ada@example.com").await, 200);
    assert_eq!(person(app, &ev, "Grace", "grace@example.com").await, 200);
    assert_eq!(status_of(app, &ev.page_id, "grace@example.com").await.as_deref(), Some("waitlisted"));
    let first = mails_to(app, "ada@example.com").await;
    let uid = first[0].2.split("UID:").nth(1).and_then(|s| s.split(['\\', '\r', '\n']).next()).expect("uid").to_string();
    let mut moved = event_settings(2, true, json!({}));
    let later = Utc::now() + Duration::days(3);
    moved["eventStartTime"] = json!(later.to_rfc3339_opts(SecondsFormat::Secs, true));
    moved["eventEndTime"] = json!((later + Duration::hours(2)).to_rfc3339_opts(SecondsFormat::Secs, true));
    let look = json!({"headline": "Rust night"}).to_string();
    let (status, body) = call(
        app,
        &ev.creator,
        "/api/pages/update",
        &[("id", &ev.page_id), ("settings", &moved.to_string()), ("customization", &look), ("launch_at", ""), ("expires_at", "")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let update = mails_to(app, "ada@example.com").await;
    let update = update.last().expect("an update");
    assert!(update.0.starts_with("Changed:"), "{}", update.0);
    assert!(update.2.contains(&uid) && update.2.contains("SEQUENCE:1") && update.2.contains("METHOD:REQUEST"), "the same entry, replaced");
    assert_eq!(status_of(app, &ev.page_id, "grace@example.com").await.as_deref(), Some("registered"), "a higher capacity promotes");
    assert!(mails_to(app, "grace@example.com").await.last().expect("mail").0.contains("A place opened up"));

    assert_eq!(call(app, &ev.creator, "/api/pages/delete", &[("id", &ev.page_id)]).await.0, 200);
    for who in ["ada@example.com", "grace@example.com"] {
        let last = mails_to(app, who).await;
        let last = last.last().expect("mail");
        assert!(last.0.starts_with("Cancelled:") && last.2.contains("METHOD:CANCEL"), "{who}: {}", last.0);
    }
}

/// The creator sets the form in the editor (a plain form post): the phone choice and questions
/// land in the page's settings, the page shows them, a blank row adds nothing, and a bad question
/// is refused beside the questions.
async fn the_editor_sets_the_form(app: &TestApp) {
    let ev = event(app, "editor@example.com", event_settings(10, true, json!({}))).await;
    let (status, editor) = call(app, &ev.creator, "/api/pages/editor", &[("id", &ev.page_id)]).await;
    assert_eq!(status, 200, "{editor}");
    let mut fields: Vec<(String, String)> =
        editor["form"].as_object().expect("form").iter().filter_map(|(k, v)| v.as_str().map(|v| (format!("form[{k}]"), v.to_string()))).collect();
    fields.retain(|(k, _)| k != "form[phoneField]");
    fields.extend([
        ("id".to_string(), ev.page_id.clone()),
        ("form[phoneField]".into(), "optional".into()),
        ("form[questions][0][id]".into(), "".into()),
        ("form[questions][0][label]".into(), "Dietary needs".into()),
        ("form[questions][0][kind]".into(), "single-choice".into()),
        ("form[questions][0][options]".into(), "None\nVegetarian\nVegan".into()),
        ("form[questions][1][id]".into(), "".into()),
        ("form[questions][1][label]".into(), "".into()),
        ("form[questions][1][kind]".into(), "short-text".into()),
        ("form[questions][1][options]".into(), "".into()),
    ]);
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, body) = call(app, &ev.creator, "/api/pages/save", &refs).await;
    assert_eq!(status, 200, "{body}");
    let (_, detail) = call(app, &ev.creator, "/api/pages/get", &[("id", &ev.page_id)]).await;
    let settings: Value = serde_json::from_str(detail["settings_json"].as_str().expect("settings")).expect("json");
    assert_eq!(settings["phoneField"], "optional", "{detail}");
    assert_eq!(
        settings["customFields"],
        json!([{"id": "q1", "label": "Dietary needs", "kind": "single-choice", "required": false, "options": ["None", "Vegetarian", "Vegan"]}])
    );
    let page = app.get(&app.new_browser(), &format!("/p/{}", ev.short_id)).await.text().await.expect("page");
    assert!(page.contains("Dietary needs") && page.contains("value=\"Vegetarian\"") && page.contains("name=\"phone\""), "the page shows the form");
    assert_eq!(register(app, &ev, &[("name", "Ada"), ("email", "ada@example.com"), ("f_q1", "Vegan")]).await.0, 200);

    let mut bad = fields.clone();
    bad.retain(|(k, _)| k != "form[questions][0][options]");
    bad.push(("form[questions][0][options]".into(), "Only one".into()));
    let refs: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, body) = call(app, &ev.creator, "/api/pages/save", &refs).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["fields"].as_array().expect("fields").iter().any(|f| f["field"] == "questions" && f["message"].as_str().unwrap_or("").contains("two choices")),
        "{body}"
    );
}

/// Registration after the event ended is refused with a clear answer, and the client addresses
/// kept for abuse limits are erased once 30 days old (a controlled clock).
async fn ended_events_refuse_and_addresses_are_erased(app: &TestApp) {
    let ev = event(app, "retention@example.com", event_settings(10, true, json!({}))).await;
    assert_eq!(person(app, &ev, "Ada", "ada@example.com").await, 200);
    let now = Utc::now();
    let writer = flashpage::registrations::backend::writer::erase_old_addresses;
    assert_eq!(writer(&app.state.db, now).await.expect("erase"), 0, "a fresh address stays");
    assert_eq!(writer(&app.state.db, now + Duration::days(31)).await.expect("erase"), 1);
    assert_eq!(writer(&app.state.db, now + Duration::days(32)).await.expect("erase"), 0, "nothing left on a second run");
    let page_id = ev.page_id.clone();
    let kept: Result<(Option<String>, String), DbError> = db_read!(app.state.db, conn => {
        Ok(registrations::table.filter(registrations::page_id.eq(&page_id)).select((registrations::client_ip, registrations::email)).first(conn).await?)
    });
    assert_eq!(kept.expect("row"), (None, "ada@example.com".to_string()), "the registration itself stays");

    // The event ends: the page says so, and a late form is refused with 410.
    let past = Utc::now() - Duration::hours(3);
    let mut over = event_settings(10, true, json!({}));
    over["eventStartTime"] = json!(past.to_rfc3339_opts(SecondsFormat::Secs, true));
    over["eventEndTime"] = json!((past + Duration::hours(1)).to_rfc3339_opts(SecondsFormat::Secs, true));
    let page_id = ev.page_id.clone();
    let settings = over.to_string();
    let r: Result<usize, DbError> = flashpage::db_write!(app.state.db, conn => {
        use flashpage::infra::db::schema::pages;
        Ok(diesel::update(pages::table.filter(pages::id.eq(&page_id))).set(pages::settings.eq(&settings)).execute(conn).await?)
    });
    assert_eq!(r.expect("ended"), 1);
    flashpage::storefront::cache::PageCache::of(&app.state).invalidate(&ev.short_id).await;
    let (status, body) = register(app, &ev, &[("name", "Late"), ("email", "late@example.com")]).await;
    assert_eq!(status, 410, "{body}");
    assert!(body.to_string().contains("this event is over"), "{body}");
}

macro_rules! registration_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let options = super::Options { trusted_proxies: 1, ..Default::default() };
                    let app = super::TestApp::start_with(super::common::Backend::Sqlite, options).await.expect("sqlite app");
                    super::$name(&app).await;
                    app.finish().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let options = super::Options { trusted_proxies: 1, ..Default::default() };
                    let Some(app) = super::TestApp::start_with(super::common::Backend::Postgres, options).await else { return };
                    super::$name(&app).await;
                    app.finish().await;
                }
            )*
        }
    };
}

registration_tests!(
    registers_waitlists_and_promotes,
    capacity_holds_under_a_thousand_registrants,
    bad_input_is_refused_beside_the_field,
    duplicates_and_bots_reveal_and_store_nothing,
    a_repeat_after_the_event_filled_gets_the_neutral_answer,
    a_flood_of_large_forms_keeps_memory_bounded,
    creators_see_counts_check_in_and_export,
    event_changes_reach_registrants,
    the_editor_sets_the_form,
    ended_events_refuse_and_addresses_are_erased,
);

/// Two app instances on one PostgreSQL, each with its own desk, share 50 seats among 600
/// registrants: the page's row lock keeps the count exact across them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_two_instances_never_overfill() {
    let secret = ("APP_SECRET".to_string(), "the-same-secret-for-both-instances-0123456789".to_string());
    let Some(a) = TestApp::start_with(common::Backend::Postgres, Options { trusted_proxies: 1, env: vec![secret.clone()] }).await else { return };
    let flashpage::infra::db::DatabaseUrl::Postgres(url) = &a.state.config.database_url else { panic!("postgres") };
    let b = TestApp::start_with(common::Backend::Postgres, Options { trusted_proxies: 1, env: vec![secret, ("DATABASE_URL".into(), url.clone())] })
        .await
        .expect("b");
    let ev = std::sync::Arc::new(event(&a, "two-desks@example.com", event_settings(50, false, json!({}))).await);
    let answers = futures_util::future::join_all((0..600).map(|i| {
        let ev = ev.clone();
        let app = if i % 2 == 0 { &a } else { &b };
        async move { register(app, &ev, &[("name", "P"), ("email", &format!("two{i}@example.com"))]).await.0 }
    }))
    .await;
    assert_eq!(answers.iter().filter(|s| **s == 200).count(), 50, "{:?}", answers.iter().filter(|s| **s != 200 && **s != 409).collect::<Vec<_>>());
    assert_eq!(answers.iter().filter(|s| **s == 409).count(), 550);
    assert_eq!(count(&a, &ev.page_id, "registered").await, 50);
    b.finish().await;
    a.finish().await;
}
