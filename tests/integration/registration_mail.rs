//! Registration mail on SQLite and PostgreSQL: the confirmation through a real SMTP server on
//! loopback (aiosmtpd) with its calendar invitation read back; reminders a day and an hour before,
//! each queued once however many workers sweep (two app instances on one PostgreSQL); the launch
//! notice to a "notify me" list, once; unsubscribe links that stop bulk mail. Tests that need the
//! SMTP server are named `smtp_…`.

use crate::common;

use base64::Engine;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use common::smtp::SmtpServer;
use common::{Backend, Options, TestApp, call};
use diesel::{ExpressionMethods, QueryDsl};
use flashpage::db_read;
use flashpage::infra::db::DbError;
use flashpage::infra::db::schema::{mail_outbox, registrations};
use flashpage::infra::mail::sender::deliver_due;
use flashpage::infra::mail::transport::Mailer;
use flashpage::registrations::backend::jobs;
use serde_json::json;
use std::sync::Arc;

const SECRET: &str = "a-test-secret-shared-by-both-instances-0123456789";

fn options(env: Vec<(String, String)>) -> Options {
    let mut env = env;
    env.push(("APP_SECRET".into(), SECRET.into()));
    Options { trusted_proxies: 1, env }
}

/// A live event page starting at `start`; its id and short id.
async fn event(app: &TestApp, email: &str, start: DateTime<Utc>) -> (reqwest::Client, String, String) {
    let creator = app.new_browser();
    assert_eq!(app.signup(&creator, "Creator", email).await.status(), 302);
    let (_, id) = call(app, &creator, "/api/pages/create", &[("page_type", "event-registration"), ("headline", "Meetup")]).await;
    let page_id = id.as_str().expect("id").to_string();
    let settings = json!({
        "eventStartTime": start.to_rfc3339_opts(SecondsFormat::Secs, true),
        "eventEndTime": (start + Duration::hours(2)).to_rfc3339_opts(SecondsFormat::Secs, true),
        "timeZone": "America/New_York", "eventLocation": "physical", "physicalAddress": "1 Main St",
        "maxAttendees": 50, "waitlistEnabled": false,
    });
    let look = json!({"headline": "Meetup"}).to_string();
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
    (creator, page_id, detail["summary"]["short_id"].as_str().expect("short").to_string())
}

async fn register(app: &TestApp, short_id: &str, name: &str, email: &str, n: u8) -> u16 {
    app.client
        .post(app.url(&format!("/p/{short_id}/register")))
        .header("accept", "application/json")
        .header("x-forwarded-for", format!("10.9.8.{n}"))
        .form(&[("name", name), ("email", email)])
        .send()
        .await
        .expect("request")
        .status()
        .as_u16()
}

/// Subjects queued to `to`, oldest first.
async fn subjects(app: &TestApp, to: &str) -> Vec<String> {
    let to = to.to_string();
    let r: Result<Vec<String>, DbError> = db_read!(app.state.db, conn => {
        Ok(mail_outbox::table.filter(mail_outbox::recipient.eq(&to)).order(mail_outbox::created_at.asc()).select(mail_outbox::subject).load(conn).await?)
    });
    r.expect("subjects")
}

/// The headers and text of a queued message.
async fn queued(app: &TestApp, to: &str, subject: &str) -> (String, String) {
    let (to, subject) = (to.to_string(), subject.to_string());
    let r: Result<(String, String), DbError> = db_read!(app.state.db, conn => {
        use diesel::TextExpressionMethods;
        Ok(mail_outbox::table.filter(mail_outbox::recipient.eq(&to)).filter(mail_outbox::subject.like(format!("%{subject}%"))).select((mail_outbox::headers, mail_outbox::text_body)).first(conn).await?)
    });
    r.expect("message")
}

/// Reminders: a day before and an hour before, once each, never to someone who unsubscribed,
/// and not the day-before one to someone who registered later than that.
async fn smtp_reminders_go_out_once_and_respect_unsubscribes(backend: Backend) {
    let smtp = SmtpServer::start();
    let Some(app) = TestApp::start_with(backend, options(SmtpServer::env(smtp.port))).await else { return };
    let start = Utc::now() + Duration::hours(30);
    let (_, _, short_id) = event(&app, "host@example.com", start).await;
    for (i, who) in ["ada", "grace", "linus"].iter().enumerate() {
        assert_eq!(register(&app, &short_id, who, &format!("{who}@example.com"), i as u8).await, 200);
    }
    let ctx = flashpage::registrations::backend::writer::Context::of(&app.state);
    assert_eq!(jobs::send_reminders(&app.state.db, ctx, start - Duration::hours(25)).await.expect("sweep"), 0, "not due yet");
    let day = start - Duration::hours(23);
    let (a, b) = tokio::join!(jobs::send_reminders(&app.state.db, ctx, day), jobs::send_reminders(&app.state.db, ctx, day));
    assert_eq!(a.expect("a") + b.expect("b"), 3, "one each, however many sweep");
    let (headers, text) = queued(&app, "linus@example.com", "Tomorrow").await;
    let unsubscribe = headers.split('<').nth(1).and_then(|s| s.split('>').next()).expect("List-Unsubscribe").to_string();
    assert!(headers.contains("List-Unsubscribe-Post") && text.contains(&unsubscribe), "{headers}");
    let path = unsubscribe.trim_start_matches(&app.base).to_string();
    // One click, as a mail program does it: a POST without a session.
    let res = app.client.post(app.url(&path)).form(&[("List-Unsubscribe", "One-Click")]).send().await.expect("unsubscribe");
    assert_eq!(res.status(), 200);
    let wrong = app.client.post(app.url(&format!("{}x", &path[..path.len() - 1]))).send().await.expect("unsubscribe");
    assert_eq!(wrong.status(), 404, "a forged link does nothing");
    assert_eq!(jobs::send_reminders(&app.state.db, ctx, start - Duration::minutes(30)).await.expect("hour"), 2, "not to the one who unsubscribed");
    assert_eq!(jobs::send_reminders(&app.state.db, ctx, start - Duration::minutes(20)).await.expect("again"), 0);
    assert_eq!(subjects(&app, "ada@example.com").await.iter().filter(|s| s.starts_with("Tomorrow") || s.starts_with("Starting in an hour")).count(), 2);
    assert_eq!(subjects(&app, "linus@example.com").await.iter().filter(|s| s.starts_with("Starting")).count(), 0);
    // Through the SMTP server: three confirmations, three day-before and two hour-before reminders,
    // each once, with the one-click unsubscribe headers.
    let received = deliver(&app, &smtp, 8).await;
    let about = |subject: &str| received.iter().filter(|m| m.contains(&format!("Subject: {subject}"))).count();
    assert_eq!((about("You're registered: Meetup"), about("Tomorrow: Meetup"), about("Starting in an hour: Meetup")), (3, 3, 2));
    let reminder = received.iter().find(|m| m.contains("Subject: Tomorrow: Meetup")).expect("a reminder");
    assert!(reminder.contains("List-Unsubscribe: <http") && reminder.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"), "{reminder}");

    // Someone registering less than a day before gets the hour's reminder only.
    let late_start = Utc::now() + Duration::hours(5);
    let (_, _, late_short) = event(&app, "late-host@example.com", late_start).await;
    assert_eq!(register(&app, &late_short, "Late", "late@example.com", 9).await, 200);
    assert_eq!(jobs::send_reminders(&app.state.db, ctx, late_start - Duration::hours(2)).await.expect("none"), 0, "the day-before one was skipped");
    assert_eq!(jobs::send_reminders(&app.state.db, ctx, late_start - Duration::minutes(50)).await.expect("hour"), 1);
    app.finish().await;
}

/// The "notify me" list hears once, when the page goes live, and not if unsubscribed.
async fn smtp_launch_notices_go_out_once(backend: Backend) {
    let smtp = SmtpServer::start();
    let Some(app) = TestApp::start_with(backend, options(SmtpServer::env(smtp.port))).await else { return };
    let creator = app.new_browser();
    assert_eq!(app.signup(&creator, "Creator", "soon@example.com").await.status(), 302);
    let (_, id) = call(&app, &creator, "/api/pages/create", &[("page_type", "countdown"), ("headline", "Soon")]).await;
    let page_id = id.as_str().expect("id").to_string();
    let launch = Utc::now() + Duration::hours(3);
    let settings = json!({"countdownTarget": (launch + Duration::days(1)).to_rfc3339_opts(SecondsFormat::Secs, true), "postCountdownAction": "show-message", "messageTitle": "We are live"});
    let look = json!({"headline": "Big launch", "notifyMe": true}).to_string();
    let launch_at = launch.to_rfc3339_opts(SecondsFormat::Secs, true);
    let (status, body) = call(
        &app,
        &creator,
        "/api/pages/update",
        &[("id", &page_id), ("settings", &settings.to_string()), ("customization", &look), ("launch_at", &launch_at), ("expires_at", "")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(call(&app, &creator, "/api/pages/publish", &[("id", &page_id)]).await.0, 200);
    let (_, detail) = call(&app, &creator, "/api/pages/get", &[("id", &page_id)]).await;
    let short_id = detail["summary"]["short_id"].as_str().expect("short").to_string();
    for who in ["fan1@example.com", "fan2@example.com", "fan3@example.com"] {
        let res = app
            .client
            .post(app.url("/api/notify-me"))
            .header("accept", "application/json")
            .form(&[("short_id", short_id.as_str()), ("email", who)])
            .send()
            .await
            .expect("notify");
        assert!(res.status().is_success(), "{}", res.status());
    }
    let ctx = flashpage::registrations::backend::writer::Context::of(&app.state);
    assert_eq!(jobs::send_launch_notices(&app.state.db, ctx, Utc::now()).await.expect("early"), 0, "not before the launch");
    // fan3 unsubscribes through the derived link (the same one the notice would carry).
    let fan3: Result<String, DbError> = db_read!(app.state.db, conn => {
        Ok(registrations::table.filter(registrations::email.eq("fan3@example.com")).select(registrations::id).first(conn).await?)
    });
    let fan3 = fan3.expect("fan3");
    let token = app.state.part::<flashpage::infra::secrets::AppSecret>().link_token(flashpage::registrations::backend::mail::UNSUBSCRIBE, &fan3);
    let res = app.post_form(&app.new_browser(), &format!("/u/{fan3}/{token}"), &format!("/u/{fan3}/{token}"), &[]).await;
    assert_eq!(res.status(), 303, "a browser is sent to the page that says it is done");
    let live = launch + Duration::minutes(1);
    let (a, b) = tokio::join!(jobs::send_launch_notices(&app.state.db, ctx, live), jobs::send_launch_notices(&app.state.db, ctx, live));
    assert_eq!(a.expect("a") + b.expect("b"), 2);
    assert_eq!(
        jobs::send_launch_notices(&app.state.db, ctx, live + Duration::hours(1)).await.expect("again"),
        0,
        "once, across restarts too: the claim is stored"
    );
    let (headers, text) = queued(&app, "fan1@example.com", "It's live").await;
    assert!(text.contains(&format!("/p/{short_id}")) && headers.contains("List-Unsubscribe"), "{text}");
    assert!(subjects(&app, "fan3@example.com").await.is_empty());
    let received = deliver(&app, &smtp, 2).await;
    assert_eq!(received.iter().filter(|m| m.contains("Subject: It's live: Big launch")).count(), 2);
    assert!(received.iter().all(|m| !m.contains("X-RcptTo: fan3@example.com")), "not to the one who unsubscribed");
    app.finish().await;
}

/// Sends everything queued through the app's sender and waits until the SMTP server holds `expected`
/// messages (and a moment longer, so that a duplicate would show); every message it holds.
async fn deliver(app: &TestApp, smtp: &SmtpServer, expected: usize) -> Vec<String> {
    let mailer = app.state.part::<Arc<Mailer>>();
    // The sweeps ran on a clock set ahead, and queued their mail due then.
    let later = Utc::now().naive_utc() + Duration::days(3);
    while deliver_due(&app.state.db, mailer, later).await.expect("round").sent > 0 {}
    for _ in 0..50 {
        if smtp.messages().len() >= expected {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    smtp.messages()
}

/// The parts of a MIME message: (headers, decoded body) of each leaf part.
fn mime_parts(raw: &str) -> Vec<(String, String)> {
    let raw = raw.replace("\r\n", "\n");
    let boundaries: Vec<String> =
        raw.split("boundary=").skip(1).map(|rest| rest.trim_start_matches('"').split(['"', '\n', ';']).next().unwrap_or_default().to_string()).collect();
    let mut parts = Vec::new();
    for chunk in raw.split("\n--") {
        let Some((head, body)) = chunk.split_once("\n\n") else { continue };
        if boundaries.iter().any(|b| head.starts_with(b.as_str())) && !head.contains("multipart/") {
            let body: String = body.lines().take_while(|l| !boundaries.iter().any(|b| l.starts_with(&format!("--{b}")))).collect::<Vec<_>>().join("\n");
            let decoded = if head.to_lowercase().contains("content-transfer-encoding: base64") {
                let compact: String = body.split_whitespace().collect();
                String::from_utf8(base64::engine::general_purpose::STANDARD.decode(compact.trim_end_matches('-')).unwrap_or_default()).unwrap_or_default()
            } else if head.to_lowercase().contains("quoted-printable") {
                body.replace("=\n", "").replace("=3D", "=")
            } else {
                body
            };
            parts.push((head.to_string(), decoded));
        }
    }
    parts
}

/// An iCalendar text as (name, value) lines, folded lines joined (RFC 5545 §3.1).
fn ics_lines(ics: &str) -> Vec<(String, String)> {
    let unfolded = ics.replace("\r\n ", "").replace("\n ", "");
    unfolded.lines().filter_map(|l| l.split_once(':').map(|(k, v)| (k.to_string(), v.to_string()))).collect()
}

/// The confirmation, delivered over SMTP: to the registrant, with the manage link, the QR code,
/// and an invitation that reads back as one VEVENT with the registration's UID in New York time.
async fn smtp_confirmation_carries_a_valid_invitation(backend: Backend) {
    let smtp = SmtpServer::start();
    let Some(app) = TestApp::start_with(backend, options(SmtpServer::env(smtp.port))).await else { return };
    let start = Utc::now() + Duration::days(3);
    let (_, _, short_id) = event(&app, "smtp-host@example.com", start).await;
    // The host's sign-up confirmation goes out first.
    let first = deliver_due(&app.state.db, app.state.part::<Arc<Mailer>>(), Utc::now().naive_utc() + Duration::seconds(1)).await.expect("round");
    assert_eq!(first.sent, 1);
    assert_eq!(smtp.wait_for(1).await.len(), 1);
    assert_eq!(register(&app, &short_id, "Ada", "ada@example.com", 1).await, 200);
    let round = deliver_due(&app.state.db, app.state.part::<Arc<Mailer>>(), Utc::now().naive_utc() + Duration::seconds(1)).await.expect("round");
    assert_eq!(round.sent, 1);
    let messages = smtp.wait_for(2).await;
    assert_eq!(messages.len(), 2);
    let raw = messages.iter().find(|m| m.contains("X-RcptTo: ada@example.com")).expect("the registrant's mail");
    assert!(raw.contains("X-RcptTo: ada@example.com") && raw.contains("Subject: You're registered: Meetup"), "{raw}");
    let parts = mime_parts(raw);
    let text = parts.iter().find(|(h, _)| h.contains("text/plain")).map(|(_, b)| b.clone()).expect("a text part");
    assert!(text.contains("/r/") && text.contains("1 Main St"), "{text}");
    let html = parts.iter().find(|(h, _)| h.contains("text/html")).map(|(_, b)| b.clone()).expect("an HTML part");
    assert!(html.contains("qr.png"), "the QR code of the manage link");
    let (head, ics) = parts.iter().find(|(h, _)| h.contains("text/calendar")).expect("an invitation");
    assert!(head.contains("invitation.ics") && head.contains("method=REQUEST"), "{head}");
    let lines = ics_lines(ics);
    let get = |k: &str| lines.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
    assert_eq!(lines.iter().filter(|(k, v)| k == "BEGIN" && v == "VEVENT").count(), 1, "{ics}");
    assert_eq!(lines.iter().filter(|(k, _)| k == "BEGIN").count(), lines.iter().filter(|(k, _)| k == "END").count(), "balanced");
    assert_eq!(get("METHOD").as_deref(), Some("REQUEST"));
    assert!(get("UID").expect("UID").starts_with("registration-"));
    let local = start.with_timezone(&chrono_tz::America::New_York).format("%Y%m%dT%H%M%S").to_string();
    assert_eq!(get("DTSTART;TZID=America/New_York").as_deref(), Some(local.as_str()), "{ics}");
    assert!(get("DTSTAMP").expect("DTSTAMP").ends_with('Z'));
    assert_eq!(get("LOCATION").as_deref(), Some("1 Main St"));
    app.finish().await;
}

/// Two app instances on one PostgreSQL sweep at the same moment: each reminder is queued once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_two_instances_send_each_reminder_once() {
    let Some(a) = TestApp::start_with(Backend::Postgres, options(Vec::new())).await else { return };
    let flashpage::infra::db::DatabaseUrl::Postgres(url) = &a.state.config.database_url else { panic!("postgres") };
    let b = TestApp::start_with(Backend::Postgres, options(vec![("DATABASE_URL".into(), url.clone())])).await.expect("a second instance");
    let start = Utc::now() + Duration::hours(30);
    let (_, _, short_id) = event(&a, "two@example.com", start).await;
    for i in 0..40u8 {
        assert_eq!(register(&a, &short_id, "P", &format!("p{i}@example.com"), i).await, 200);
    }
    let at = start - Duration::hours(23);
    let (x, y) = tokio::join!(
        jobs::send_reminders(&a.state.db, flashpage::registrations::backend::writer::Context::of(&a.state), at),
        jobs::send_reminders(&b.state.db, flashpage::registrations::backend::writer::Context::of(&b.state), at)
    );
    assert_eq!(x.expect("a") + y.expect("b"), 40);
    let reminders: Result<i64, DbError> = db_read!(a.state.db, conn => {
        use diesel::TextExpressionMethods;
        Ok(mail_outbox::table.filter(mail_outbox::subject.like("Tomorrow%")).count().get_result(conn).await?)
    });
    assert_eq!(reminders.expect("count"), 40, "exactly one reminder each");
    b.finish().await;
    a.finish().await;
}

/// A mail provider's RFC 8058 one-click unsubscribe, exactly as it is sent: `POST` to the URL of
/// `List-Unsubscribe`, a form body `List-Unsubscribe=One-Click`, and no `Origin`, `Referer` or
/// `Sec-Fetch-Site`. It is accepted (again and again, changing nothing more), stops bulk mail and
/// nothing else; the same request without that body is still refused.
async fn one_click_unsubscribe_from_a_mail_provider(backend: Backend) {
    let Some(app) = TestApp::start_with(backend, options(Vec::new())).await else { return };
    let start = Utc::now() + Duration::hours(30);
    let (_, page_id, short_id) = event(&app, "one-click@example.com", start).await;
    assert_eq!(register(&app, &short_id, "Ada", "ada@example.com", 1).await, 200);
    let ctx = flashpage::registrations::backend::writer::Context::of(&app.state);
    assert_eq!(jobs::send_reminders(&app.state.db, ctx, start - Duration::hours(23)).await.expect("day"), 1);
    let (headers, _) = queued(&app, "ada@example.com", "Tomorrow").await;
    let headers: Vec<(String, String)> = serde_json::from_str(&headers).expect("headers");
    let find = |name: &str| headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone()).expect(name);
    assert_eq!(find("List-Unsubscribe-Post"), "List-Unsubscribe=One-Click");
    let url = find("List-Unsubscribe").split(',').map(str::trim).find(|u| u.starts_with("<http")).expect("an https link").trim_matches(['<', '>']).to_string();
    let path = url.split_once("/u/").map(|(_, rest)| format!("/u/{rest}")).expect("a /u/ link");
    // A bare client: no cookies, no default headers (reqwest sends no Origin or Referer).
    let provider = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let post = |body: &'static str| provider.post(app.url(&path)).header("content-type", "application/x-www-form-urlencoded").body(body).send();
    for _ in 0..2 {
        let res = post("List-Unsubscribe=One-Click").await.expect("post");
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap_or_default());
    }
    assert_eq!(post("confirm=yes").await.expect("post").status(), 403, "only the one-click body comes without an origin");
    let row: Result<(String, bool), DbError> = db_read!(app.state.db, conn => {
        Ok(registrations::table
            .filter(registrations::page_id.eq(&page_id))
            .filter(registrations::email.eq("ada@example.com"))
            .select((registrations::status, registrations::unsubscribed_at.is_not_null()))
            .first(conn)
            .await?)
    });
    assert_eq!(row.expect("row"), ("registered".to_string(), true), "unsubscribed, still registered");
    assert_eq!(jobs::send_reminders(&app.state.db, ctx, start - Duration::minutes(50)).await.expect("hour"), 0, "no more bulk mail");
    app.finish().await;
}

on_both_backends! {
    one_click_unsubscribe_from_a_mail_provider,
    smtp_reminders_go_out_once_and_respect_unsubscribes,
    smtp_launch_notices_go_out_once,
    smtp_confirmation_carries_a_valid_invitation,
}
