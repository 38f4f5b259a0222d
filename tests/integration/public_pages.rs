//! The public page at /p/{shortId} through its life, server-rendered (what a visitor without
//! JavaScript, or a link-preview bot, gets), on SQLite and PostgreSQL.

use crate::common;

use chrono::{Duration, SecondsFormat, Utc};
use common::{TestApp, call, location};
use serde_json::{Value, json};

fn iso(t: chrono::DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

struct Creator {
    client: reqwest::Client,
}

impl Creator {
    async fn new(app: &TestApp) -> Creator {
        let client = app.new_browser();
        assert_eq!(app.signup(&client, "Creator", "creator@example.com").await.status(), 302);
        Creator { client }
    }

    /// Creates, configures and (optionally) publishes a page; returns (id, short id).
    #[allow(clippy::too_many_arguments)]
    async fn page(
        &self,
        app: &TestApp,
        kind: &str,
        settings: Value,
        look: Value,
        launch: Option<String>,
        expires: Option<String>,
        publish: bool,
    ) -> (String, String) {
        let (status, id) = call(app, &self.client, "/api/pages/create", &[("page_type", kind), ("headline", "x")]).await;
        assert_eq!(status, 200);
        let id = id.as_str().expect("id").to_string();
        let (settings, look) = (settings.to_string(), look.to_string());
        let launch = launch.unwrap_or_default();
        let expires = expires.unwrap_or_default();
        let (status, body) = call(
            app,
            &self.client,
            "/api/pages/update",
            &[("id", &id), ("settings", &settings), ("customization", &look), ("launch_at", &launch), ("expires_at", &expires)],
        )
        .await;
        assert_eq!(status, 200, "{body}");
        if publish {
            assert_eq!(call(app, &self.client, "/api/pages/publish", &[("id", &id)]).await.0, 200);
        }
        let (_, detail) = call(app, &self.client, "/api/pages/get", &[("id", &id)]).await;
        (id, detail["summary"]["short_id"].as_str().expect("short").to_string())
    }
}

async fn visit(app: &TestApp, short_id: &str) -> (u16, String, String) {
    let res = app.get(&app.new_browser(), &format!("/p/{short_id}")).await;
    let status = res.status().as_u16();
    let loc = location(&res);
    (status, loc, res.text().await.expect("body"))
}

/// The opening tag of the element with this id.
fn opening_tag<'a>(html: &'a str, id: &str) -> &'a str {
    let at = html.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no element #{id}"));
    let start = html[..at].rfind('<').expect("a tag");
    let end = at + html[at..].find('>').expect("a tag's end");
    &html[start..=end]
}

fn seconds_left(html: &str) -> i64 {
    let marker = "data-seconds-left=\"";
    let start = html.find(marker).expect("a countdown") + marker.len();
    html[start..].split('"').next().and_then(|n| n.parse().ok()).expect("a number")
}

async fn a_live_countdown_is_rendered_by_the_server(app: &TestApp) {
    let creator = Creator::new(app).await;
    let target = Utc::now() + Duration::hours(2);
    let (_, short) = creator.page(app, "countdown",
        json!({"countdownTarget": iso(target), "postCountdownAction": "show-message", "messageTitle": "We're live!"}),
        json!({"headline": "Launch <b>day</b>", "description": "The big one", "body": "**Bold** <script>alert(1)</script> [x](javascript:alert(1))", "accentColor": "#ff6600"}),
        None, None, true).await;
    let (status, _, html) = visit(app, &short).await;
    assert_eq!(status, 200);
    let left = seconds_left(&html);
    assert!((7190..=7200).contains(&left), "about two hours left, got {left}");
    assert!(html.contains("Launch &lt;b&gt;day&lt;/b&gt;"), "the headline is escaped");
    assert!(html.contains("<strong>Bold</strong>"));
    assert!(!html.contains("alert(1)"), "scripts and javascript: links are stripped");
    assert!(html.contains(r#"property="og:title""#) && html.contains(r#"name="twitter:card""#));
    assert!(html.contains("The big one"));
    assert!(html.contains("--accent:#ff6600"));
    assert!(!html.contains("noindex"), "a live page may be indexed");
    assert!(html.contains(r#"aria-live="polite""#));
}

async fn scheduled_pages_count_down_to_the_launch(app: &TestApp) {
    let creator = Creator::new(app).await;
    let launch = Utc::now() + Duration::minutes(30);
    let (_, short) = creator.page(app, "flash-sale",
        json!({"saleEndTime": iso(launch + Duration::hours(1)), "discountPercentage": 30, "originalPriceDisplay": true, "inventoryLimit": 50, "soldOutAction": "show-message"}),
        json!({"headline": "Black Friday"}), Some(iso(launch)), None, true).await;
    let (status, _, html) = visit(app, &short).await;
    assert_eq!(status, 200);
    assert!(html.contains("Launches in"));
    assert!(html.contains(r#"data-phase="scheduled""#));
    assert!((1790..=1800).contains(&seconds_left(&html)));
    assert!(!html.contains("30% off"), "sale details wait for the launch");
}

async fn ended_pages_follow_their_settings(app: &TestApp) {
    let creator = Creator::new(app).await;
    let past = Utc::now() - Duration::minutes(5);
    let (redirecting_id, redirecting) = creator
        .page(
            app,
            "countdown",
            json!({"countdownTarget": iso(past), "postCountdownAction": "redirect", "redirectUrl": "https://example.com/live"}),
            json!({"headline": "Gone live"}),
            None,
            None,
            true,
        )
        .await;
    let (status, loc, _) = visit(app, &redirecting).await;
    assert_eq!((status, loc.as_str()), (302, "https://example.com/live"), "server-side redirect works without JavaScript");

    let (_, message) = creator
        .page(
            app,
            "countdown",
            json!({"countdownTarget": iso(past), "postCountdownAction": "show-message", "messageTitle": "Doors are open", "messageContent": "Come in."}),
            json!({"headline": "Launch"}),
            None,
            None,
            true,
        )
        .await;
    let (status, _, html) = visit(app, &message).await;
    assert_eq!(status, 200);
    assert!(html.contains("Doors are open") && html.contains("Come in."));
    assert!(html.contains(r#"name="robots" content="noindex""#), "ended pages are not indexed");

    let (_, sale) = creator.page(app, "flash-sale",
        json!({"saleEndTime": iso(past), "discountPercentage": 30, "originalPriceDisplay": true, "inventoryLimit": 50, "soldOutAction": "redirect", "postSaleRedirectUrl": "https://example.com/expired"}),
        json!({"headline": "Sale"}), None, None, true).await;
    assert_eq!(visit(app, &sale).await.1, "https://example.com/expired");

    // The Free plan has 3 live pages: switching one off frees a slot (and that page is gone).
    assert_eq!(call(app, &creator.client, "/api/pages/unpublish", &[("id", &redirecting_id)]).await.0, 200);
    assert_eq!(visit(app, &redirecting).await.0, 410);

    let (_, offer) = creator
        .page(
            app,
            "limited-offer",
            json!({"offerEndTime": iso(past), "limitedQuantity": 5, "postOfferAction": "show-alternate", "alternateTitle": "Try the bundle instead"}),
            json!({"headline": "Offer"}),
            None,
            None,
            true,
        )
        .await;
    let (status, _, html) = visit(app, &offer).await;
    assert_eq!(status, 200);
    assert!(html.contains("Try the bundle instead"));
}

async fn unknown_switched_off_and_expired_pages(app: &TestApp) {
    let creator = Creator::new(app).await;
    let soon = Utc::now() + Duration::hours(1);
    let settings = json!({"countdownTarget": iso(soon), "postCountdownAction": "show-form"});
    let (_, draft) = creator.page(app, "countdown", settings.clone(), json!({"headline": "Draft"}), None, None, false).await;
    assert_eq!(visit(app, &draft).await.0, 410, "a page that is switched off is gone");

    let (_, expired) = creator
        .page(
            app,
            "countdown",
            json!({"countdownTarget": iso(Utc::now() - Duration::hours(2)), "postCountdownAction": "show-form"}),
            json!({"headline": "Old"}),
            None,
            Some(iso(Utc::now() - Duration::hours(1))),
            true,
        )
        .await;
    let (status, _, html) = visit(app, &expired).await;
    assert_eq!(status, 410);
    assert!(html.contains("This page has ended"));

    for bad in ["Zz9Zz9Zz", "short", "..%2F..%2Fetc", "aaaaaaaa-bbbb"] {
        let (status, _, html) = visit(app, bad).await;
        assert_eq!(status, 404, "{bad}");
        assert!(html.contains("couldn't find this page"), "{bad}");
    }
}

async fn event_times_show_in_the_event_zone(app: &TestApp) {
    let creator = Creator::new(app).await;
    // 2026-10-25 00:30 UTC is 02:30 CEST in Paris; the clocks go back at 01:00 UTC that night.
    let start = Utc::now() + Duration::days(400);
    let (_, short) = creator
        .page(
            app,
            "event-registration",
            json!({"eventStartTime": iso(start), "eventEndTime": iso(start + Duration::hours(2)), "timeZone": "America/New_York",
            "eventLocation": "virtual", "virtualPlatform": "zoom", "platformLink": "https://zoom.us/j/1", "maxAttendees": 40, "waitlistEnabled": true}),
            json!({"headline": "Meetup"}),
            None,
            None,
            true,
        )
        .await;
    let (status, _, html) = visit(app, &short).await;
    assert_eq!(status, 200);
    let local = start.with_timezone(&chrono_tz::America::New_York).format("%A %-d %B %Y, %H:%M").to_string();
    assert!(html.contains(&local), "event time in the event's zone: {local}");
    assert!(html.contains("America/New_York"));
    assert!(html.contains("40 places"), "the seats, from the count registration holds against");
}

async fn views_are_counted_and_flushed_in_batches(app: &TestApp) {
    let creator = Creator::new(app).await;
    let (id, short) = creator
        .page(
            app,
            "countdown",
            json!({"countdownTarget": iso(Utc::now() + Duration::hours(1)), "postCountdownAction": "show-form"}),
            json!({"headline": "Counted"}),
            None,
            None,
            true,
        )
        .await;
    for _ in 0..3 {
        assert_eq!(visit(app, &short).await.0, 200);
    }
    let (_, before) = call(app, &creator.client, "/api/pages/get", &[("id", &id)]).await;
    assert_eq!(before["summary"]["view_count"], 0, "nothing is written per view");
    flashpage::storefront::view_counter::ViewCounter::of(&app.state).flush(&app.state.db).await.expect("flush");
    let (_, after) = call(app, &creator.client, "/api/pages/get", &[("id", &id)]).await;
    assert_eq!(after["summary"]["view_count"], 3);
}

async fn edits_show_at_once_and_other_instances_within_the_ttl(app: &TestApp) {
    let creator = Creator::new(app).await;
    let settings = json!({"countdownTarget": iso(Utc::now() + Duration::hours(1)), "postCountdownAction": "show-form"});
    let (id, short) = creator.page(app, "countdown", settings.clone(), json!({"headline": "First"}), None, None, true).await;
    assert!(visit(app, &short).await.2.contains("First"), "now cached");

    // A write through this instance invalidates the cached copy at once.
    let (status, _) = call(
        app,
        &creator.client,
        "/api/pages/update",
        &[("id", &id), ("settings", &settings.to_string()), ("customization", &json!({"headline": "Second"}).to_string())],
    )
    .await;
    assert_eq!(status, 200);
    assert!(visit(app, &short).await.2.contains("Second"));
    assert_eq!(call(app, &creator.client, "/api/pages/unpublish", &[("id", &id)]).await.0, 200);
    assert_eq!(visit(app, &short).await.0, 410, "switching off takes effect immediately");
    assert_eq!(call(app, &creator.client, "/api/pages/publish", &[("id", &id)]).await.0, 200);
    assert_eq!(visit(app, &short).await.0, 200);

    // A write by another instance (straight to the database) is seen once the entry expires.
    let r: Result<usize, flashpage::infra::db::DbError> = flashpage::db_write!(app.state.db, conn => {
        use diesel::{ExpressionMethods, QueryDsl};
        Ok(diesel::update(flashpage::infra::db::schema::pages::table.filter(flashpage::infra::db::schema::pages::id.eq(&id)))
            .set(flashpage::infra::db::schema::pages::customization.eq(json!({"headline": "Third"}).to_string()))
            .execute(conn)
            .await?)
    });
    assert_eq!(r.expect("update"), 1);
    tokio::time::sleep(flashpage::storefront::cache::TTL + std::time::Duration::from_millis(500)).await;
    assert!(visit(app, &short).await.2.contains("Third"), "staleness is bounded by the cache's TTL");
}

async fn notify_me_collects_each_email_once_before_launch(app: &TestApp) {
    let creator = Creator::new(app).await;
    let launch = Utc::now() + Duration::hours(1);
    let settings = json!({"countdownTarget": iso(launch + Duration::hours(1)), "postCountdownAction": "show-message", "messageTitle": "Live"});
    let (id, short) = creator
        .page(app, "countdown", settings.clone(), json!({"headline": "Soon", "notifyMe": true, "buttonLabel": "Tell me first"}), Some(iso(launch)), None, true)
        .await;
    let (_, _, html) = visit(app, &short).await;
    assert!(html.contains("Tell me first") && html.contains(r#"for="notify-email""#), "the form is offered, labelled, with the creator's button label");
    assert!(
        !opening_tag(&html, "notify-form").contains(" hidden") && opening_tag(&html, "notify-thanks").contains(" hidden"),
        "the form shows, the thanks wait"
    );

    let visitor = app.new_browser();
    let from = format!("/p/{short}");
    for email in ["Fan@Example.com", "fan@example.com "] {
        let res = app.post_form(&visitor, "/api/notify-me", &from, &[("short_id", &short), ("email", email)]).await;
        assert_eq!(res.status(), 302);
        assert_eq!(location(&res), format!("/p/{short}?notified=1"));
    }
    let thanks = app.get(&visitor, &format!("/p/{short}?notified=1")).await.text().await.expect("body");
    assert!(thanks.contains("We&#x27;ll email you") || thanks.contains("We'll email you"));
    assert!(
        opening_tag(&thanks, "notify-form").contains(" hidden") && !opening_tag(&thanks, "notify-thanks").contains(" hidden"),
        "the thanks show instead of the form"
    );

    let res = app.post_form(&visitor, "/api/notify-me", &from, &[("short_id", &short), ("email", "not-an-email")]).await;
    assert!(location(&res).contains("__err="), "a bad email goes back to the page with the error");
    let back = location(&res);
    let back = if back.starts_with('/') { app.url(&back) } else { back };
    let back = visitor.get(back).send().await.expect("request").text().await.expect("body");
    assert!(back.contains("Enter an email address like name@example.com."), "the error shows beside the field without JavaScript");
    assert!(back.contains(r#"aria-invalid="true""#));

    let count: Result<i64, flashpage::infra::db::DbError> = flashpage::db_read!(app.state.db, conn => {
        use diesel::{ExpressionMethods, QueryDsl};
        use flashpage::infra::db::schema::registrations;
        Ok(registrations::table.filter(registrations::page_id.eq(&id)).count().get_result(conn).await?)
    });
    assert_eq!(count.expect("count"), 1, "one person, one sign-up");

    // Pages that don't offer it refuse it.
    let (_, plain) = creator.page(app, "countdown", settings, json!({"headline": "Plain"}), Some(iso(launch)), None, true).await;
    let (status, _) = call(app, &visitor, "/api/notify-me", &[("short_id", &plain), ("email", "fan@example.com")]).await;
    assert_eq!(status, 400);
    let (status, _) = call(app, &visitor, "/api/notify-me", &[("short_id", "NoSuchPage1"), ("email", "fan@example.com")]).await;
    assert_eq!(status, 404);
}

/// Visits within a moment reuse the rendering, sent as the same bytes (its inline scripts allowed
/// by their hashes, as a nonce must never serve two responses), and keep counting.
/// The rendering cache's clock is frozen and moved by hand: nothing depends on the machine's speed.
async fn a_crowd_shares_one_rendering(app: &TestApp) {
    use flashpage::web::html_cache::{FRESH, HtmlCache};
    let creator = Creator::new(app).await;
    let (id, short) = creator
        .page(
            app,
            "countdown",
            json!({"countdownTarget": iso(Utc::now() + Duration::hours(1)), "postCountdownAction": "show-form"}),
            json!({"headline": "Crowd"}),
            None,
            None,
            true,
        )
        .await;
    let cache = HtmlCache::of(&app.state);
    cache.clock.freeze();
    let renders_before = cache.renders_kept();
    let mut bodies = Vec::new();
    for _ in 0..5 {
        let res = app.get(&app.new_browser(), &format!("/p/{short}")).await;
        assert_eq!(res.status(), 200);
        let csp = res.headers()["content-security-policy"].to_str().expect("ascii").to_string();
        let html = res.text().await.expect("html");
        assert!(!csp.contains("'nonce-") && !html.contains(" nonce=\""), "no nonce is shared by many responses");
        let mut allowed: Vec<String> = csp.split(' ').filter_map(|s| s.strip_prefix("'sha256-")?.strip_suffix('\'').map(str::to_string)).collect();
        let mut inline = inline_script_hashes(&html);
        allowed.sort();
        inline.sort();
        assert!(!inline.is_empty(), "the page hydrates through an inline script");
        assert_eq!(allowed, inline, "the CSP allows exactly the page's own inline scripts");
        bodies.push(html);
    }
    assert_eq!(cache.renders_kept() - renders_before, 1, "five visits within {FRESH:?}, one rendering");
    assert!(bodies.windows(2).all(|w| w[0] == w[1]), "every visit got the same page");

    // Each encoding is stored once and sent as asked.
    for (accept, encoding) in [("gzip, deflate, br", "br"), ("gzip", "gzip")] {
        let res = app.new_browser().get(app.url(&format!("/p/{short}"))).header("accept-encoding", accept).send().await.expect("request");
        assert_eq!(res.headers()["content-encoding"], encoding);
        assert_eq!(res.headers()["vary"], "accept-encoding");
        let packed = res.bytes().await.expect("body");
        let mut html = Vec::new();
        if encoding == "br" {
            brotli::BrotliDecompress(&mut &packed[..], &mut html).expect("brotli");
        } else {
            std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&packed[..]), &mut html).expect("gzip");
        }
        assert_eq!(String::from_utf8(html).expect("utf8"), bodies[0]);
    }
    assert_eq!(cache.renders_kept() - renders_before, 1, "whatever the encoding");

    cache.clock.advance(FRESH);
    assert_eq!(app.get(&app.new_browser(), &format!("/p/{short}")).await.status(), 200);
    assert_eq!(cache.renders_kept() - renders_before, 2, "once the moment has passed, the page is rendered again");
    flashpage::storefront::view_counter::ViewCounter::of(&app.state).flush(&app.state.db).await.expect("flush");
    let (_, after) = call(app, &creator.client, "/api/pages/get", &[("id", &id)]).await;
    assert_eq!(after["summary"]["view_count"], 8, "every visit counts, rendered or reused");
}

/// The base64 SHA-256 of every inline `<script>` (one without `src`) in a page.
fn inline_script_hashes(html: &str) -> Vec<String> {
    use base64::Engine;
    use sha2::{Digest, Sha256};
    html.split("<script")
        .skip(1)
        .filter_map(|rest| {
            let (opening, after) = rest.split_once('>')?;
            if opening.contains(" src=") {
                return None;
            }
            let text = after.split_once("</script>")?.0;
            Some(base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text)))
        })
        .collect()
}

backend_tests! {
    a_crowd_shares_one_rendering,
    notify_me_collects_each_email_once_before_launch,
    edits_show_at_once_and_other_instances_within_the_ttl,
    a_live_countdown_is_rendered_by_the_server,
    scheduled_pages_count_down_to_the_launch,
    ended_pages_follow_their_settings,
    unknown_switched_off_and_expired_pages,
    event_times_show_in_the_event_zone,
    views_are_counted_and_flushed_in_batches,
    later_phases_stay_on_the_server,
    asking_early_reveals_nothing,
}

/// A flood of sign-ups from one address is cut off; other addresses are not affected.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notify_me_is_limited_per_client_address() {
    use common::{Backend, Options};
    let app = TestApp::start_with(Backend::Sqlite, Options { trusted_proxies: 1, ..Default::default() }).await.expect("app");
    let creator = Creator::new(&app).await;
    let launch = Utc::now() + Duration::days(1);
    let settings = json!({"countdownTarget": iso(launch + Duration::days(1)), "postCountdownAction": "show-message", "messageTitle": "Live"});
    let (_, short) = creator.page(&app, "countdown", settings, json!({"headline": "Soon", "notifyMe": true}), Some(iso(launch)), None, true).await;
    let sign_up = |ip: &'static str, n: u32| {
        let (app, short) = (&app, short.clone());
        async move {
            app.new_browser()
                .post(app.url("/api/notify-me"))
                .header("accept", "application/json")
                .header("x-forwarded-for", ip)
                .form(&[("short_id", short.as_str()), ("email", &format!("fan{n}@example.com"))])
                .send()
                .await
                .expect("request")
                .status()
                .as_u16()
        }
    };
    let limit = flashpage::registrations::backend::NOTIFY_ME_PER_IP;
    for n in 0..limit {
        assert_eq!(sign_up("203.0.113.7", n).await, 200, "sign-up {n} is within the limit");
    }
    assert_eq!(sign_up("203.0.113.7", limit).await, 429);
    assert_eq!(sign_up("198.51.100.2", limit + 1).await, 200, "another address still signs up");
    app.finish().await;
}

/// Only the current phase's content leaves the server: before the launch neither the HTML (with
/// its hydration data) nor either public server function holds the body, the offers and their
/// prices, the discount code, the message after the countdown or the redirect; while live, not
/// the ending's message; and an online event's join link never.
async fn later_phases_stay_on_the_server(app: &TestApp) {
    let creator = Creator::new(app).await;
    let now = Utc::now();
    let launch = Some(iso(now + Duration::hours(1)));
    let secrets = ["SECRET-BODY", "SECRET-OFFER", "SECRET49", "SECRET-MESSAGE", "secret-redirect.example", "SECRET-ALT", "SECRET-BONUS"];
    let visible = |page: &str, what: &str, leaked: &[&str]| {
        for secret in leaked {
            assert!(!page.contains(secret), "{what}: {secret} reached the browser");
        }
    };
    let pages = [
        (
            "countdown",
            json!({"countdownTarget": iso(now + Duration::hours(2)), "postCountdownAction": "show-message", "messageTitle": "SECRET-MESSAGE", "messageContent": "SECRET-MESSAGE too"}),
        ),
        (
            "countdown",
            json!({"countdownTarget": iso(now + Duration::hours(2)), "postCountdownAction": "redirect", "redirectUrl": "https://secret-redirect.example/x"}),
        ),
        (
            "limited-offer",
            json!({"offerEndTime": iso(now + Duration::hours(2)), "discountCode": "SECRET49", "bonusDescription": "SECRET-BONUS", "limitedQuantity": 5, "postOfferAction": "show-alternate", "alternateTitle": "SECRET-ALT"}),
        ),
        (
            "flash-sale",
            json!({"saleEndTime": iso(now + Duration::hours(2)), "discountPercentage": 20, "originalPriceDisplay": true, "inventoryLimit": 5, "soldOutAction": "redirect", "postSaleRedirectUrl": "https://secret-redirect.example/y"}),
        ),
    ];
    for (kind, settings) in pages {
        let (id, short) =
            creator.page(app, kind, settings, json!({"headline": "Soon", "body": "SECRET-BODY", "notifyMe": true}), launch.clone(), None, true).await;
        let (status, body) = call(
            app,
            &creator.client,
            "/api/pages/content/add",
            &[
                ("page_id", &id),
                ("item[kind]", "offer"),
                ("item[title]", "SECRET-OFFER"),
                ("item[description]", "x"),
                ("item[price]", "49.00"),
                ("item[currency]", "USD"),
            ],
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let (status, _, html) = visit(app, &short).await;
        assert_eq!(status, 200);
        assert!(html.contains("Launches in"), "{kind}: the countdown is there");
        visible(&html, &format!("{kind} HTML before launch"), &secrets);
        assert!(!html.contains("$39.20") && !html.contains("$49.00"), "{kind}: no price before launch");
        for endpoint in ["/api/p", "/api/p/now"] {
            let (status, json) = call(app, &app.new_browser(), endpoint, &[("short_id", &short)]).await;
            assert_eq!(status, 200, "{endpoint}");
            visible(&json.to_string(), &format!("{kind} {endpoint} before launch"), &secrets);
        }
        assert_eq!(call(app, &creator.client, "/api/pages/unpublish", &[("id", &id)]).await.0, 200, "stay within the plan");
    }

    // Live: the body and offers are there, the ending is not.
    let settings = json!({"offerEndTime": iso(now + Duration::hours(2)), "discountCode": "LIVE10", "limitedQuantity": 5, "postOfferAction": "show-alternate", "alternateTitle": "SECRET-ALT", "alternateContent": "SECRET-ALT text"});
    let (_, short) = creator.page(app, "limited-offer", settings, json!({"headline": "Now", "body": "Live body"}), None, None, true).await;
    let (_, _, html) = visit(app, &short).await;
    assert!(html.contains("Live body") && html.contains("LIVE10"));
    visible(&html, "live offer", &["SECRET-ALT"]);
    let (_, json) = call(app, &app.new_browser(), "/api/p", &[("short_id", &short)]).await;
    visible(&json.to_string(), "live offer /api/p", &["SECRET-ALT"]);

    // An online event: live and with its details shown, but the join link goes to registrants only.
    let settings = json!({"eventStartTime": iso(now + Duration::hours(2)), "eventEndTime": iso(now + Duration::hours(3)), "timeZone": "UTC",
        "eventLocation": "virtual", "virtualPlatform": "zoom", "platformLink": "https://zoom.example/j/SECRET-JOIN", "maxAttendees": 10, "waitlistEnabled": false});
    let (_, short) = creator.page(app, "event-registration", settings, json!({"headline": "Online"}), None, None, true).await;
    let (_, _, html) = visit(app, &short).await;
    assert!(html.contains("Online"));
    visible(&html, "online event", &["SECRET-JOIN", "zoom.example"]);
    let (_, json) = call(app, &app.new_browser(), "/api/p", &[("short_id", &short)]).await;
    visible(&json.to_string(), "online event /api/p", &["SECRET-JOIN", "zoom.example"]);
}

/// At zero the browser asks `/api/p/now` for the phase (and loads the page again once it has
/// changed); the server answers by its own clock, so asking early gets the same phase back, and
/// nothing of the next.
async fn asking_early_reveals_nothing(app: &TestApp) {
    let creator = Creator::new(app).await;
    let now = Utc::now();
    let settings = json!({"countdownTarget": iso(now + Duration::hours(2)), "postCountdownAction": "show-message", "messageTitle": "SECRET-MESSAGE"});
    let (_, short) = creator.page(app, "countdown", settings, json!({"headline": "Early"}), None, None, true).await;
    for _ in 0..3 {
        let (status, json) = call(app, &app.new_browser(), "/api/p/now", &[("short_id", &short)]).await;
        assert_eq!(status, 200);
        assert_eq!(json, "live", "the phase by the server's clock, and nothing else");
    }
    let (status, _) = call(app, &app.new_browser(), "/api/p/now", &[("short_id", "NoSuchPage1")]).await;
    assert_eq!(status, 404);
}
