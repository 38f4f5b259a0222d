//! Selling over HTTP, on SQLite and PostgreSQL: a visitor buys through the built-in test checkout
//! and downloads the file; holds never oversell under hundreds of parallel buyers; lapsed holds
//! return to stock; the webhook is verified, idempotent and order-independent; a late payment
//! is refunded when the stock is gone; refunds stop downloads; bad input is refused.

use crate::common;
mod trust;

use chrono::{Duration, SecondsFormat, Utc};
use common::{TestApp, call, location};
use diesel::{ExpressionMethods, QueryDsl};
use flashpage::infra::db::DbError;
use flashpage::infra::db::schema::{mail_outbox, orders};
use flashpage::infra::payments::Payments;
use flashpage::infra::payments::events::{self, SessionFacts};
use flashpage::{db_read, db_write};
use serde_json::{Value, json};

const FILE: &[u8] = b"%PDF-1.4\nThe whole course, chapter by chapter.\n%%EOF\n";

/// A creator with a product (19.99 USD, with its file) on a live page; what a buyer needs.
struct Shop {
    creator: reqwest::Client,
    page_id: String,
    short_id: String,
    item_id: String,
    product_id: String,
}

async fn creator(app: &TestApp, email: &str) -> reqwest::Client {
    let client = app.new_browser();
    assert_eq!(app.signup(&client, "Creator", email).await.status(), 302);
    client
}

async fn product_with_file(app: &TestApp, client: &reqwest::Client, name: &str) -> String {
    let form =
        [("form[name]", name), ("form[description]", "A practical guide."), ("form[price]", "19.99"), ("form[currency]", "USD"), ("form[expiresAt]", "")];
    let (status, id) = call(app, client, "/api/products/create", &form).await;
    assert_eq!(status, 200, "{id}");
    let id = id.as_str().expect("id").to_string();
    use reqwest::multipart::{Form, Part};
    let upload = Form::new().part("file", Part::bytes(FILE.to_vec()).file_name("course.pdf").mime_str("application/pdf").expect("mime"));
    let res =
        client.post(app.url(&format!("/dashboard/products/{id}/file"))).header("accept", "application/json").multipart(upload).send().await.expect("upload");
    assert!(res.status().is_success() || res.status().is_redirection(), "upload: {}", res.status());
    id
}

/// A live page of `kind` with `settings`, a product block on it; returns the shop.
async fn shop(app: &TestApp, email: &str, kind: &str, settings: Value) -> Shop {
    let creator = creator(app, email).await;
    let product = product_with_file(app, &creator, "Course").await;
    let (status, id) = call(app, &creator, "/api/pages/create", &[("page_type", kind), ("headline", "Sale")]).await;
    assert_eq!(status, 200, "{id}");
    let page_id = id.as_str().expect("id").to_string();
    let look = json!({"headline": "Launch sale"}).to_string();
    let (status, body) = call(
        app,
        &creator,
        "/api/pages/update",
        &[("id", &page_id), ("settings", &settings.to_string()), ("customization", &look), ("launch_at", ""), ("expires_at", "")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(call(app, &creator, "/api/pages/publish", &[("id", &page_id)]).await.0, 200);
    let (status, item) = call(
        app,
        &creator,
        "/api/pages/content/add",
        &[("page_id", &page_id), ("item[kind]", "product"), ("item[product_id]", &product), ("item[title]", ""), ("item[description]", "")],
    )
    .await;
    assert_eq!(status, 200, "{item}");
    let (_, detail) = call(app, &creator, "/api/pages/get", &[("id", &page_id)]).await;
    let short_id = detail["summary"]["short_id"].as_str().expect("short").to_string();
    Shop { creator, page_id, short_id, item_id: item.as_str().expect("item id").to_string(), product_id: product }
}

fn ends_in_two_days() -> String {
    (Utc::now() + Duration::days(2)).to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn flash_sale(inventory: u32) -> Value {
    json!({"saleEndTime": ends_in_two_days(), "discountPercentage": 20, "originalPriceDisplay": true, "inventoryLimit": inventory, "soldOutAction": "show-message"})
}

/// Buys as a browser without JavaScript does; returns the status and where it was sent.
async fn buy(app: &TestApp, client: &reqwest::Client, shop: &Shop, email: &str, extra: &[(&str, &str)]) -> (u16, String) {
    let mut fields = vec![("short_id", shop.short_id.as_str()), ("item_id", shop.item_id.as_str()), ("email", email), ("quantity", "1")];
    fields.extend_from_slice(extra);
    let res = app.post_form(client, "/api/p/buy", &format!("/p/{}", shop.short_id), &fields).await;
    (res.status().as_u16(), location(&res))
}

/// Buys as the hydrated app would (JSON); returns the status.
async fn buy_json(app: &TestApp, shop: &Shop, email: &str) -> u16 {
    let client = app.new_browser();
    let fields = [("short_id", shop.short_id.as_str()), ("item_id", shop.item_id.as_str()), ("email", email)];
    app.call(&client, "/api/p/buy", &fields).await.status().as_u16()
}

fn path_of(url: &str, app: &TestApp) -> String {
    url.strip_prefix(&app.url("")).unwrap_or(url).to_string()
}

/// Orders of a page by status.
async fn count(app: &TestApp, page_id: &str, status: &str) -> i64 {
    let (page_id, status) = (page_id.to_string(), status.to_string());
    let r: Result<i64, DbError> = db_read!(app.state.db, conn => {
        Ok(orders::table.filter(orders::page_id.eq(&page_id)).filter(orders::status.eq(&status)).count().get_result(conn).await?)
    });
    r.expect("count")
}

/// Moves the hold of the page's processing orders (or of one order) a second into the past, as if
/// its time ran out; returns how many.
async fn lapse(app: &TestApp, page_id: &str, order_id: Option<&str>) -> usize {
    let (page_id, order_id) = (page_id.to_string(), order_id.map(str::to_string));
    let past = (Utc::now() - Duration::seconds(1)).naive_utc();
    let r: Result<usize, DbError> = db_write!(app.state.db, conn => {
        let mut q = diesel::update(orders::table).filter(orders::page_id.eq(&page_id)).filter(orders::status.eq("processing")).into_boxed();
        if let Some(id) = &order_id {
            q = q.filter(orders::id.eq(id));
        }
        Ok(q.set(orders::hold_expires_at.eq(past)).execute(conn).await?)
    });
    r.expect("lapse")
}

/// The newest mail to `to` whose subject contains `subject`: its text.
async fn mail_to(app: &TestApp, to: &str, subject: &str) -> Option<String> {
    let (to, subject) = (to.to_string(), format!("%{subject}%"));
    let r: Result<Option<String>, DbError> = db_read!(app.state.db, conn => {
        use diesel::{OptionalExtension, TextExpressionMethods};
        Ok(mail_outbox::table
            .filter(mail_outbox::recipient.eq(&to))
            .filter(mail_outbox::subject.like(&subject))
            .order(mail_outbox::created_at.desc())
            .select(mail_outbox::text_body)
            .first(conn)
            .await
            .optional()?)
    });
    r.expect("mail")
}

/// The `/d/…` link in a mail.
fn download_link(mail: &str) -> String {
    let at = mail.find("/d/").expect("a download link");
    mail[at..].split_whitespace().next().expect("link").to_string()
}

/// Pays on the test checkout; returns the thank-you page's path.
async fn pay(app: &TestApp, client: &reqwest::Client, checkout_url: &str) -> String {
    let path = path_of(checkout_url, app);
    let session = path.trim_start_matches("/checkout/test/").to_string();
    let page = app.get(client, &path).await.text().await.expect("checkout page");
    assert!(page.contains("Test mode") && page.contains("$15.99"), "the test checkout says what it is and what it charges");
    let res = app.post_form(client, "/api/checkout/test/pay", &path, &[("session_id", &session)]).await;
    assert_eq!(res.status(), 302);
    path_of(&location(&res), app)
}

async fn a_visitor_buys_pays_and_downloads(app: &TestApp) {
    let shop = shop(app, "seller@example.com", "flash-sale", flash_sale(40)).await;
    let visitor = app.new_browser();
    let page = app.get(&visitor, &format!("/p/{}", shop.short_id)).await.text().await.expect("page");
    assert!(page.contains("Buy for $15.99") && page.contains("Only 40 available"), "the product shows with its discounted price and a Buy button");

    let (status, to) = buy(app, &visitor, &shop, "Buyer@Example.com", &[("amount", "1599"), ("currency", "USD")]).await;
    assert_eq!(status, 302, "{to}");
    assert!(to.starts_with(&app.url("/checkout/test/cs_test_")), "{to}");
    assert_eq!(count(app, &shop.page_id, "processing").await, 1);
    let page = app.get(&visitor, &format!("/p/{}", shop.short_id)).await.text().await.expect("page");
    assert!(page.contains("39 of 40 left"), "the hold shows at once");

    let thanks = pay(app, &visitor, &to).await;
    assert!(thanks.starts_with("/orders/") && thanks.ends_with("/thanks"), "{thanks}");
    let html = app.get(&visitor, &thanks).await.text().await.expect("thanks");
    assert!(html.contains("Thank you!") && html.contains("buyer@example.com") && html.contains("Download course.pdf"), "{html}");
    assert_eq!(count(app, &shop.page_id, "completed").await, 1);

    // The download streams the file with its name; a resumed range is not an attempt.
    let token = thanks.trim_start_matches("/orders/").trim_end_matches("/thanks");
    let res = app.get(&visitor, &format!("/d/{token}")).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-disposition"], "attachment; filename=\"course.pdf\"; filename*=UTF-8''course.pdf");
    assert_eq!(res.headers()["accept-ranges"], "bytes");
    assert!(res.headers().get("content-encoding").is_none(), "downloads go out as stored");
    assert_eq!(res.bytes().await.expect("file").as_ref(), FILE);
    let res = visitor.get(app.url(&format!("/d/{token}"))).header("range", "bytes=5-").send().await.expect("range");
    assert_eq!(res.status(), 206);
    assert_eq!(res.headers()["content-range"], format!("bytes 5-{}/{}", FILE.len() - 1, FILE.len()));
    assert_eq!(res.bytes().await.expect("part").as_ref(), &FILE[5..]);
    let res = visitor.get(app.url(&format!("/d/{token}"))).header("range", "bytes=9999-").send().await.expect("range");
    assert_eq!(res.status(), 416);

    // The receipt carries its own link, which works too.
    let receipt = mail_to(app, "buyer@example.com", "Your receipt").await.expect("a receipt");
    assert!(receipt.contains("Course") && receipt.contains("$15.99") && receipt.contains("TEST MODE"), "{receipt}");
    let link = download_link(&receipt);
    let res = app.get(&app.new_browser(), &path_of(&link, app)).await;
    assert_eq!(res.status(), 200);
    let attempts: Result<i32, DbError> = db_read!(app.state.db, conn => {
        Ok(orders::table.select(orders::download_attempts).first(conn).await?)
    });
    assert_eq!(attempts.expect("attempts"), 2, "two downloads from the start, the range not counted");
    let _ = &shop.creator;
}

async fn holds_never_oversell(app: &TestApp) {
    let shop = std::sync::Arc::new(shop(app, "rush@example.com", "flash-sale", flash_sale(50)).await);
    let statuses = futures_util::future::join_all((0..500).map(|i| {
        let shop = shop.clone();
        async move { buy_json(app, &shop, &format!("buyer{i}@example.com")).await }
    }))
    .await;
    let ok = statuses.iter().filter(|s| **s == 200 || **s == 302).count();
    let sold_out = statuses.iter().filter(|s| **s == 409).count();
    assert_eq!((ok, sold_out, statuses.len() - ok - sold_out), (50, 450, 0), "{statuses:?}");
    assert_eq!(count(app, &shop.page_id, "processing").await, 50);
    let page = app.get(&app.new_browser(), &format!("/p/{}", shop.short_id)).await.text().await.expect("page");
    assert!(!page.contains("Sold out") && page.contains("The last units are in other buyers"), "held is not sold: {page}");

    // Ten holds lapse (their clock moved back): exactly ten more buyers get one, without any job.
    let page_id = shop.page_id.clone();
    let lapsed: Result<usize, DbError> = db_write!(app.state.db, conn => {
        let ten: Vec<String> = orders::table.filter(orders::page_id.eq(&page_id)).select(orders::id).limit(10).load(conn).await?;
        Ok(diesel::update(orders::table.filter(orders::id.eq_any(&ten)))
            .set(orders::hold_expires_at.eq((Utc::now() - Duration::seconds(1)).naive_utc()))
            .execute(conn)
            .await?)
    });
    assert_eq!(lapsed.expect("lapse"), 10);
    flashpage::storefront::cache::PageCache::of(&app.state).invalidate(&shop.short_id).await;
    let again = futures_util::future::join_all((0..30).map(|i| {
        let shop = shop.clone();
        async move { buy_json(app, &shop, &format!("late{i}@example.com")).await }
    }))
    .await;
    assert_eq!(again.iter().filter(|s| **s == 200 || **s == 302).count(), 10, "{again:?}");
    assert_eq!(again.iter().filter(|s| **s == 409).count(), 20, "{again:?}");
    // The job then marks the lapsed ones expired (and closes their payment pages).
    let ended = flashpage::orders::backend::service::expire_lapsed_holds(&app.state, Utc::now()).await.expect("expiry");
    assert_eq!(ended, 10);
    assert_eq!(count(app, &shop.page_id, "expired").await, 10);
    assert_eq!(count(app, &shop.page_id, "processing").await, 50);
}

async fn leaving_the_payment_page_releases_the_hold(app: &TestApp) {
    let shop = shop(app, "cancel@example.com", "flash-sale", flash_sale(1)).await;
    let visitor = app.new_browser();
    let (_, to) = buy(app, &visitor, &shop, "first@example.com", &[]).await;
    let (status, _) = buy(app, &app.new_browser(), &shop, "second@example.com", &[]).await;
    let second = buy_json(app, &shop, "second@example.com").await;
    assert_eq!((status, second), (302, 409), "the only unit is held");
    let session = path_of(&to, app).trim_start_matches("/checkout/test/").to_string();
    let res = app.post_form(&visitor, "/api/checkout/test/cancel", &path_of(&to, app), &[("session_id", &session)]).await;
    let back = path_of(&location(&res), app);
    assert!(back.ends_with("/cancel"), "{back}");
    let html = app.get(&visitor, &back).await.text().await.expect("cancelled");
    assert!(html.contains("Order cancelled") && html.contains("Nothing was charged"), "{html}");
    assert_eq!(count(app, &shop.page_id, "processing").await, 0);
    assert_eq!(buy_json(app, &shop, "second@example.com").await, 200, "the unit is back at once");
}

async fn bad_input_is_refused_and_nothing_is_stored(app: &TestApp) {
    let shop = shop(app, "strict@example.com", "flash-sale", flash_sale(5)).await;
    let visitor = app.new_browser();
    let cases: &[(&[(&str, &str)], &str, &str)] = &[
        (&[("amount", "1"), ("currency", "USD")], "", "The price changed to $15.99"),
        (&[("amount", "1599"), ("currency", "EUR")], "", "The price changed to $15.99"),
        (&[("amount", "lots")], "", "not a number"),
    ];
    for (extra, email, message) in cases {
        let email = if email.is_empty() { "buyer@example.com" } else { email };
        let (status, to) = buy(app, &visitor, &shop, email, extra).await;
        assert_eq!(status, 302);
        assert!(to.contains("__err="), "{extra:?}: {to}");
        let back = app.get(&visitor, &path_of(&to, app)).await.text().await.expect("page");
        assert!(back.contains(message), "{extra:?}: the refusal shows on the page");
    }
    let (_, to) = buy(app, &visitor, &shop, "not-an-email", &[]).await;
    let back = app.get(&visitor, &path_of(&to, app)).await.text().await.expect("page");
    assert!(back.contains("Enter an email address like name@example.com.") && back.contains(r#"aria-invalid="true""#));
    let client = app.new_browser();
    let fields = |item: &str, q: &str| {
        vec![
            ("short_id".to_string(), shop.short_id.clone()),
            ("item_id".to_string(), item.to_string()),
            ("email".to_string(), "b@example.com".to_string()),
            ("quantity".to_string(), q.to_string()),
        ]
    };
    let post = |f: Vec<(String, String)>| {
        let client = client.clone();
        async move {
            let f: Vec<(&str, &str)> = f.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
            app.call(&client, "/api/p/buy", &f).await.status().as_u16()
        }
    };
    assert_eq!(post(fields(&shop.item_id, "2")).await, 422, "one item per order");
    assert_eq!(post(fields("no-such-item", "1")).await, 409);
    // Another organization's product block cannot be bought through this page.
    let other = self::shop(app, "other@example.com", "flash-sale", flash_sale(5)).await;
    assert_eq!(post(fields(&other.item_id, "1")).await, 409);
    let unknown = [("short_id", "NoSuchPage1"), ("item_id", shop.item_id.as_str()), ("email", "b@example.com")];
    assert_eq!(app.call(&client, "/api/p/buy", &unknown).await.status(), 404);
    assert_eq!(count(app, &shop.page_id, "processing").await, 0, "nothing was stored half-way");
}

async fn offer_codes_are_checked_and_applied_on_the_server(app: &TestApp) {
    let offer = json!({
        "offerEndTime": ends_in_two_days(), "discountCode": "SPECIAL20", "bonusDescription": "Free e-book",
        "limitedQuantity": 10, "postOfferAction": "show-alternate", "alternateTitle": "Over",
        "codeDiscountPercentage": 20, "codeUses": 1
    });
    let shop = shop(app, "offer@example.com", "limited-offer", offer).await;
    let visitor = app.new_browser();
    let page = app.get(&visitor, &format!("/p/{}?code=SPECIAL20", shop.short_id)).await.text().await.expect("page");
    assert!(page.contains(r#"value="SPECIAL20""#), "a code in the link fills the field");
    let (_, to) = buy(app, &visitor, &shop, "a@example.com", &[("code", "WRONG")]).await;
    let back = app.get(&visitor, &path_of(&to, app)).await.text().await.expect("page");
    assert!(back.contains("That code isn&#x27;t valid") || back.contains("That code isn't valid"), "{to}");
    let (_, to) = buy(app, &visitor, &shop, "a@example.com", &[("code", "special20")]).await;
    let checkout = app.get(&visitor, &path_of(&to, app)).await.text().await.expect("checkout");
    assert!(checkout.contains("$15.99"), "20 % off 19.99, worked out on the server");
    let (_, to) = buy(app, &visitor, &shop, "b@example.com", &[("code", "SPECIAL20")]).await;
    let back = app.get(&visitor, &path_of(&to, app)).await.text().await.expect("page");
    assert!(back.contains("This code has been used up"), "{to}");
    let (_, to) = buy(app, &visitor, &shop, "b@example.com", &[]).await;
    assert!(to.contains("/checkout/test/"), "without the code at the full price");
    let bonus: Result<Vec<Option<String>>, DbError> = db_read!(app.state.db, conn => {
        Ok(orders::table.select(orders::bonus_description).load(conn).await?)
    });
    assert!(bonus.expect("bonus").iter().all(|b| b.as_deref() == Some("Free e-book")), "the bonus is recorded on the order");
}

/// Sends a webhook signed with `secret` at `at`.
async fn webhook(app: &TestApp, payload: &Value, secret: &str, at: chrono::DateTime<Utc>) -> u16 {
    let signed = events::sign(payload, secret, at);
    let res = common::foreign_client(None)
        .post(app.url("/webhooks/stripe"))
        .header("stripe-signature", signed.signature)
        .header("content-type", "application/json")
        .body(signed.payload)
        .send()
        .await
        .expect("webhook");
    res.status().as_u16()
}

/// The order (id, session, status) of a page's only order.
async fn the_order(app: &TestApp, page_id: &str) -> (String, String, String) {
    let page_id = page_id.to_string();
    let r: Result<(String, Option<String>, String), DbError> = db_read!(app.state.db, conn => {
        Ok(orders::table.filter(orders::page_id.eq(&page_id)).select((orders::id, orders::checkout_session_id, orders::status)).first(conn).await?)
    });
    let (id, session, status) = r.expect("order");
    (id, session.expect("session"), status)
}

fn completed(order_id: &str, session: &str, amount: i64, payment: &str) -> Value {
    let now = Utc::now();
    events::session_completed(
        &SessionFacts {
            id: session,
            order_id,
            amount,
            currency: "USD",
            customer_email: "buyer@example.com",
            status: "complete",
            payment_intent: Some(payment),
            created: now,
            expires_at: now,
        },
        now,
    )
}

async fn webhooks_are_verified_idempotent_and_order_independent(app: &TestApp) {
    let secret = Payments::of(&app.state).webhook_secret.clone();
    let shop = shop(app, "hooks@example.com", "flash-sale", flash_sale(1)).await;
    let (_, to) = buy(app, &app.new_browser(), &shop, "buyer@example.com", &[]).await;
    assert!(to.contains("/checkout/test/"));
    let (order_id, session, _) = the_order(app, &shop.page_id).await;
    let paid = completed(&order_id, &session, 1599, "pi_hook_1");

    assert_eq!(webhook(app, &paid, "whsec_forged", Utc::now()).await, 400, "a forged signature");
    assert_eq!(webhook(app, &paid, &secret, Utc::now() - Duration::minutes(10)).await, 400, "a stale timestamp");
    assert_eq!(the_order(app, &shop.page_id).await.2, "processing", "neither changed anything");
    let wrong_amount = completed(&order_id, &session, 1, "pi_hook_1");
    assert_eq!(webhook(app, &wrong_amount, &secret, Utc::now()).await, 200, "acknowledged");
    assert_eq!(the_order(app, &shop.page_id).await.2, "processing", "an amount that differs changes nothing");
    let unknown = completed("no-such-order", "cs_x", 1599, "pi_x");
    assert_eq!(webhook(app, &unknown, &secret, Utc::now()).await, 200);

    assert_eq!(webhook(app, &paid, &secret, Utc::now()).await, 200);
    assert_eq!(the_order(app, &shop.page_id).await.2, "completed");
    assert_eq!(webhook(app, &paid, &secret, Utc::now()).await, 200, "a replay is acknowledged");
    let receipts: Result<i64, DbError> = db_read!(app.state.db, conn => {
        use diesel::TextExpressionMethods;
        Ok(mail_outbox::table.filter(mail_outbox::subject.like("%receipt%")).count().get_result(conn).await?)
    });
    assert_eq!(receipts.expect("receipts"), 1, "and changes nothing: one receipt");
    let now = Utc::now();
    let expired = events::session_expired(
        &SessionFacts {
            id: &session,
            order_id: &order_id,
            amount: 1599,
            currency: "USD",
            customer_email: "buyer@example.com",
            status: "expired",
            payment_intent: None,
            created: now,
            expires_at: now,
        },
        now,
    );
    assert_eq!(webhook(app, &expired, &secret, Utc::now()).await, 200);
    assert_eq!(the_order(app, &shop.page_id).await.2, "completed", "an expiry after the payment does not undo it");

    // A refund stops the downloads, and the buyer hears about it.
    let receipt = mail_to(app, "buyer@example.com", "Your receipt").await.expect("receipt");
    let link = path_of(&download_link(&receipt), app);
    assert_eq!(app.get(&app.new_browser(), &link).await.status(), 200);
    assert_eq!(webhook(app, &events::charge_refunded("pi_hook_1", 1599, "USD", Utc::now()), &secret, Utc::now()).await, 200);
    assert_eq!(the_order(app, &shop.page_id).await.2, "refunded");
    let res = app.get(&app.new_browser(), &link).await;
    assert_eq!(res.status(), 410, "a refunded order's link is gone");
    let help = res.text().await.expect("help");
    assert!(help.contains("refunded"), "the body is the help page: {help}");
    assert!(mail_to(app, "buyer@example.com", "Refund").await.is_some());
}

async fn a_payment_after_the_hold_lapsed_is_refunded_when_sold_out(app: &TestApp) {
    let secret = Payments::of(&app.state).webhook_secret.clone();
    let shop = shop(app, "late@example.com", "flash-sale", flash_sale(1)).await;
    let (_, to) = buy(app, &app.new_browser(), &shop, "slow@example.com", &[]).await;
    let (order_id, session, _) = the_order(app, &shop.page_id).await;
    // The hold lapses, someone else takes the last unit and pays.
    assert_eq!(lapse(app, &shop.page_id, Some(&order_id)).await, 1);
    let fast = app.new_browser();
    let (_, fast_to) = buy(app, &fast, &shop, "fast@example.com", &[]).await;
    assert!(fast_to.contains("/checkout/test/"), "the lapsed unit is free again");
    pay(app, &fast, &fast_to).await;
    // The slow buyer's payment went through at the provider after all (as Stripe's page may let
    // it), and its event arrives: refunded through the provider, and the buyer told why.
    let slow_session = path_of(&to, app).trim_start_matches("/checkout/test/").to_string();
    assert_eq!(slow_session, session);
    let s = session.clone();
    let r: Result<usize, DbError> = db_write!(app.state.db, conn => {
        use flashpage::infra::db::schema::test_payments;
        Ok(diesel::update(test_payments::table.filter(test_payments::id.eq(&s)))
            .set((test_payments::status.eq("complete"), test_payments::payment_intent.eq("pi_slow")))
            .execute(conn)
            .await?)
    });
    assert_eq!(r.expect("paid at the provider"), 1);
    assert_eq!(webhook(app, &completed(&order_id, &session, 1599, "pi_slow"), &secret, Utc::now()).await, 200);
    let id = order_id.clone();
    let status: Result<(String, i64), DbError> = db_read!(app.state.db, conn => {
        Ok(orders::table.filter(orders::id.eq(&id)).select((orders::status, orders::amount_refunded)).first(conn).await?)
    });
    assert_eq!(status.expect("status"), ("refunded".to_string(), 1599), "refunded in full, never oversold");
    assert_eq!(count(app, &shop.page_id, "completed").await, 1);
    let notice = mail_to(app, "slow@example.com", "Refund").await.expect("the buyer is told");
    assert!(notice.contains("sold out"), "{notice}");
}

async fn download_limits_and_fresh_links(app: &TestApp) {
    let shop = shop(app, "limits@example.com", "flash-sale", flash_sale(3)).await;
    // The product's own limits: 3 downloads within 7 days.
    let form = [
        ("id", shop.product_id.as_str()),
        ("form[name]", "Course"),
        ("form[description]", "A practical guide."),
        ("form[price]", "19.99"),
        ("form[currency]", "USD"),
        ("form[expiresAt]", ""),
        ("form[downloadLimit]", "3"),
        ("form[downloadDays]", "7"),
    ];
    let (status, body) = call(app, &shop.creator, "/api/products/save", &form).await;
    assert_eq!(status, 200, "{body}");
    let visitor = app.new_browser();
    let (_, to) = buy(app, &visitor, &shop, "keeper@example.com", &[]).await;
    let thanks = pay(app, &visitor, &to).await;
    let token = thanks.trim_start_matches("/orders/").trim_end_matches("/thanks").to_string();
    let limit: i32 = 3;
    for _ in 0..limit {
        assert_eq!(app.get(&visitor, &format!("/d/{token}")).await.status(), 200);
    }
    let res = app.get(&visitor, &format!("/d/{token}")).await;
    assert_eq!(res.status(), 410, "used up: gone, with the help page as the body (never saved as the file)");
    let help_path = format!("/d/{token}/help");
    let help = res.text().await.expect("help");
    assert!(help.contains("used as many times") && help.contains("Email me a fresh link"), "{help}");
    let res = app.post_form(&visitor, "/api/d/fresh", &help_path, &[("token", &token)]).await;
    assert!(location(&res).ends_with("?sent=1"));
    let fresh = mail_to(app, "keeper@example.com", "new download link").await.expect("fresh link mail");
    let link = path_of(&download_link(&fresh), app);
    assert_eq!(app.get(&app.new_browser(), &link).await.status(), 200, "the fresh link works");
    let receipt = mail_to(app, "keeper@example.com", "Your receipt").await.expect("receipt");
    assert_eq!(app.get(&app.new_browser(), &path_of(&download_link(&receipt), app)).await.status(), 404, "the old emailed link stopped");
    assert_eq!(app.get(&app.new_browser(), &format!("/d/{token}")).await.status(), 404, "and so did the thank-you page's token");
    // Unknown and malformed tokens say so, revealing nothing.
    let res = app.get(&visitor, "/d/not-a-token").await;
    assert_eq!(res.status(), 404);
    assert!(res.text().await.expect("help").contains("doesn't work"), "the help page says why");
    let res = app.post_form(&visitor, "/api/d/fresh", "/d/x/help", &[("token", "not-a-token")]).await;
    assert!(location(&res).ends_with("?sent=1"), "the same answer whatever the token");
}

async fn creators_see_orders_export_them_and_refund(app: &TestApp) {
    let shop = shop(app, "books@example.com", "flash-sale", flash_sale(5)).await;
    for email in ["one@example.com", "=cmd|' /C calc'!A0@example.com"] {
        let visitor = app.new_browser();
        let (_, to) = buy(app, &visitor, &shop, email, &[]).await;
        if email.starts_with("one") {
            pay(app, &visitor, &to).await;
        }
    }
    let (status, o) = call(app, &shop.creator, "/api/orders/list", &[]).await;
    assert_eq!(status, 200, "{o}");
    assert_eq!(o["rows"].as_array().map(Vec::len), Some(1), "an address that is not one was refused: {o}");
    assert_eq!(o["totals"][0]["revenue"], "$15.99");
    assert_eq!(o["totals"][0]["paid_orders"], 1);
    let html = app.get(&shop.creator, "/dashboard/orders").await.text().await.expect("orders");
    assert!(html.contains("one@example.com") && html.contains("$15.99") && html.contains("Export CSV"), "{html}");
    let res = app.get(&shop.creator, &format!("/dashboard/orders.csv?page_id={}", shop.page_id)).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = res.text().await.expect("csv");
    assert!(csv.starts_with("\u{feff}created_at,order_id,item,buyer_email"), "{csv}");
    assert!(csv.contains(",Course,one@example.com,completed,15.99,0.00,USD,0,10\r\n"), "{csv}");
    // Compressed as a browser asks for it, the stream ends cleanly too.
    let res = shop.creator.get(app.url("/dashboard/orders.csv")).header("accept-encoding", "gzip").send().await.expect("gzip");
    assert_eq!((res.status().as_u16(), res.headers()["content-encoding"].to_str().ok()), (200, Some("gzip")));
    let gz = res.bytes().await.expect("the whole compressed body");
    let mut text = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(gz.as_ref()), &mut text).expect("gunzip");
    assert!(text.contains("one@example.com"), "{text}");

    // Refunds: admins and managers, with a confirmation step; viewers and strangers cannot.
    let id = o["rows"][0]["id"].as_str().expect("id").to_string();
    let confirm = app.get(&shop.creator, &format!("/dashboard/orders?refund={id}")).await.text().await.expect("confirm");
    assert!(confirm.contains("Refund $15.99 to one@example.com?"), "{confirm}");
    let stranger = creator(app, "stranger@example.com").await;
    assert_eq!(call(app, &stranger, "/api/orders/refund", &[("id", &id)]).await.0, 404, "another organization's order is not found");
    assert_eq!(call(app, &stranger, "/api/orders/list", &[("page_id", &shop.page_id)]).await.0, 404, "nor is its page's list");
    let csv = app.get(&stranger, &format!("/dashboard/orders.csv?page_id={}", shop.page_id)).await.text().await.expect("csv");
    assert!(!csv.contains("one@example.com") && csv.lines().count() == 1, "another organization's page exports nothing: {csv}");
    let (status, payouts) = call(app, &stranger, "/api/payouts/view", &[("returned", "false")]).await;
    assert_eq!((status, payouts["needed"].as_bool()), (200, Some(false)), "{payouts}");
    let res =
        common::foreign_client(Some("https://evil.example")).post(app.url("/api/orders/refund")).form(&[("id", id.as_str())]).send().await.expect("foreign");
    assert_eq!(res.status(), 403, "other sites are refused");
    assert_eq!(
        common::foreign_client(Some(&app.url("")))
            .post(app.url("/api/orders/refund"))
            .header("accept", "application/json")
            .form(&[("id", id.as_str())])
            .send()
            .await
            .expect("anon")
            .status(),
        401
    );
    assert_eq!(app.get(&common::foreign_client(None), "/dashboard/orders.csv").await.status(), 302, "no session: to the login page");
    let res = app.post_form(&shop.creator, "/api/orders/refund", "/dashboard/orders", &[("id", &id)]).await;
    assert_eq!(location(&res), "/dashboard/orders?refunded=1");
    assert_eq!(count(app, &shop.page_id, "refunded").await, 1);
    let (_, o) = call(app, &shop.creator, "/api/orders/list", &[]).await;
    assert_eq!((o["totals"][0]["refunds"].as_i64(), o["rows"][0]["refundable"].as_bool()), (Some(1), Some(false)));
    common::set_role(app, "books@example.com", "viewer").await;
    assert_eq!(call(app, &shop.creator, "/api/orders/refund", &[("id", &id)]).await.0, 403);
    assert_eq!(app.get(&shop.creator, "/dashboard/orders.csv").await.status(), 403, "exports are for admins and managers");
    assert_eq!(call(app, &shop.creator, "/api/orders/list", &[]).await.0, 200, "viewers see the orders");
}

/// The same sale with Stripe as the provider, against the fake Stripe: the session the app asks
/// for, the payment confirmed by a signed event, a refund from the dashboard, a cancelled and a
/// lapsed checkout expired at Stripe.
async fn sells_through_stripe(backend: common::Backend) {
    use common::fake_stripe::FakeStripe;
    let fake = FakeStripe::start().await;
    let options = common::Options { env: fake.env(), ..Default::default() };
    let Some(app) = TestApp::start_with(backend, options).await else { return };
    fake.deliver_to(app.url("/webhooks/stripe"));
    let app = &app;
    // A page that sells can't be published before payouts are set up.
    let creator = creator(app, "stripe@example.com").await;
    let product = product_with_file(app, &creator, "Course").await;
    let (_, page) = call(app, &creator, "/api/pages/create", &[("page_type", "flash-sale"), ("headline", "Sale")]).await;
    let page = page.as_str().expect("page").to_string();
    let settings = flash_sale(3).to_string();
    let look = json!({"headline": "Launch sale"}).to_string();
    assert_eq!(
        call(app, &creator, "/api/pages/update", &[("id", &page), ("settings", &settings), ("customization", &look), ("launch_at", ""), ("expires_at", "")])
            .await
            .0,
        200
    );
    let (status, item) = call(
        app,
        &creator,
        "/api/pages/content/add",
        &[("page_id", &page), ("item[kind]", "product"), ("item[product_id]", &product), ("item[title]", ""), ("item[description]", "")],
    )
    .await;
    assert_eq!(status, 200, "{item}");
    let (status, body) = call(app, &creator, "/api/pages/publish", &[("id", &page)]).await;
    assert_eq!(status, 409, "{body}");
    assert!(body["message"].as_str().unwrap_or_default().contains("payouts aren't set up"), "{body}");
    let html = app.get(&creator, "/dashboard/payouts").await.text().await.expect("payouts");
    assert!(html.contains("Not set up") && html.contains("Set up payouts with Stripe"), "{html}");
    let res = app.post_form(&creator, "/api/payouts/onboard", "/dashboard/payouts", &[]).await;
    let onboarding = location(&res);
    assert!(onboarding.starts_with(&format!("{}onboarding/acct_fake_", fake.base)), "{onboarding}");
    let account = onboarding.rsplit('/').next().expect("account").to_string();
    let link = fake.requests().into_iter().find(|r| r.path == "/v1/account_links").expect("account link");
    assert!(link.form.iter().any(|(k, v)| k == "return_url" && v.ends_with("/dashboard/payouts?returned=1")));
    let created = fake.requests().into_iter().find(|r| r.path == "/v1/accounts").expect("account");
    assert!(created.form.iter().any(|(k, v)| k == "controller[stripe_dashboard][type]" && v == "express"), "{:?}", created.form);
    assert_eq!(fake.complete_onboarding(&account).await, 200);
    let html = app.get(&creator, "/dashboard/payouts?returned=1").await.text().await.expect("payouts");
    assert!(html.contains("Ready"), "{html}");
    assert_eq!(call(app, &creator, "/api/pages/publish", &[("id", &page)]).await.0, 200);
    let (_, detail) = call(app, &creator, "/api/pages/get", &[("id", &page)]).await;
    let shop = Shop {
        creator,
        short_id: detail["summary"]["short_id"].as_str().expect("short").to_string(),
        item_id: item.as_str().expect("item").to_string(),
        page_id: page,
        product_id: product,
    };
    let visitor = app.new_browser();
    let (status, to) = buy(app, &visitor, &shop, "buyer@example.com", &[]).await;
    assert_eq!(status, 302, "{to}");
    assert!(to.starts_with(&format!("{}pay/cs_fake_", fake.base)), "to Stripe's page: {to}");
    let (order_id, session_id, _) = the_order(app, &shop.page_id).await;
    let created = fake.requests().into_iter().find(|r| r.path == "/v1/checkout/sessions").expect("a session was created");
    let form: std::collections::HashMap<String, String> = created.form.into_iter().collect();
    assert_eq!(form["line_items[0][price_data][unit_amount]"], "1599", "the server's price, discount taken off");
    assert_eq!(form["line_items[0][price_data][currency]"], "usd");
    assert_eq!(form["line_items[0][price_data][product_data][name]"], "Course");
    assert_eq!((form["client_reference_id"].as_str(), form["metadata[order_id]"].as_str()), (order_id.as_str(), order_id.as_str()));
    assert_eq!(form["customer_email"], "buyer@example.com");
    assert!(form["success_url"].ends_with("/thanks") && form["cancel_url"].ends_with("/cancel"));
    assert_eq!(created.idempotency_key, Some(format!("checkout-{order_id}")));
    assert_eq!(form["payment_intent_data[transfer_data][destination]"], account, "a destination charge to the creator's account");
    assert_eq!(form["payment_intent_data[application_fee_amount]"], "80", "the Free plan's 5 % of 15.99, rounded");
    let expires: i64 = form["expires_at"].parse().expect("expires_at");
    assert!(expires >= (Utc::now() + Duration::minutes(30)).timestamp(), "Stripe's minimum, though the hold is 15 minutes");

    assert_eq!(fake.pay(&session_id).await, 200);
    assert_eq!(the_order(app, &shop.page_id).await.2, "completed");
    assert!(mail_to(app, "buyer@example.com", "Your receipt").await.is_some_and(|m| !m.contains("TEST MODE")));
    let (_, o) = call(app, &shop.creator, "/api/orders/list", &[]).await;
    let id = o["rows"][0]["id"].as_str().expect("id").to_string();
    let res = app.post_form(&shop.creator, "/api/orders/refund", "/dashboard/orders", &[("id", &id)]).await;
    assert_eq!(location(&res), "/dashboard/orders?refunded=1");
    assert_eq!(fake.refunded().len(), 1, "refunded at Stripe");
    let refund = fake.requests().into_iter().find(|r| r.path == "/v1/refunds").expect("refund");
    for flag in ["reverse_transfer", "refund_application_fee"] {
        assert!(refund.form.iter().any(|(k, v)| k == flag && v == "true"), "{flag}: {:?}", refund.form);
    }
    let mut refunded = false;
    for _ in 0..50 {
        if count(app, &shop.page_id, "refunded").await == 1 {
            refunded = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(refunded, "Stripe's charge.refunded event refunds the order");

    // A buyer who leaves Stripe's page: the session is expired at Stripe, the hold ends.
    let second = app.new_browser();
    let (_, to) = buy(app, &second, &shop, "second@example.com", &[]).await;
    let session = to.rsplit('/').next().expect("session").to_string();
    let token = fake.session(&session).expect("session").cancel_url.rsplit("/orders/").next().expect("token").trim_end_matches("/cancel").to_string();
    let html = app.get(&second, &format!("/orders/{token}/cancel")).await.text().await.expect("cancelled");
    assert!(html.contains("Order cancelled"), "{html}");
    assert_eq!(fake.session(&session).expect("session").status, "expired");

    // A hold that lapses: the job expires the session at Stripe.
    let (_, to) = buy(app, &app.new_browser(), &shop, "third@example.com", &[]).await;
    let session = to.rsplit('/').next().expect("session").to_string();
    assert_eq!(lapse(app, &shop.page_id, None).await, 1);
    assert_eq!(flashpage::orders::backend::service::expire_lapsed_holds(&app.state, Utc::now()).await.expect("job"), 1);
    assert_eq!(fake.session(&session).expect("session").status, "expired");

    // A buyer still on Stripe's page when the hold lapses, who pays after the last units went to
    // others: the payment is refunded at Stripe and the order ends refunded.
    let (_, to) = buy(app, &app.new_browser(), &shop, "late@example.com", &[]).await;
    let late_session = to.rsplit('/').next().expect("session").to_string();
    assert_eq!(lapse(app, &shop.page_id, None).await, 1);
    for i in 0..3 {
        let (_, to) = buy(app, &app.new_browser(), &shop, &format!("quick{i}@example.com"), &[]).await;
        assert_eq!(fake.pay(to.rsplit('/').next().expect("session")).await, 200);
    }
    assert_eq!(count(app, &shop.page_id, "completed").await, 3, "sold out");
    let refunds_before = fake.refunded().len();
    assert_eq!(fake.pay(&late_session).await, 200);
    assert_eq!(fake.refunded().len(), refunds_before + 1, "the late payment was refunded at Stripe");
    let mut refunded = false;
    for _ in 0..50 {
        let status: Result<String, DbError> = db_read!(app.state.db, conn => {
            Ok(orders::table.filter(orders::buyer_email.eq("late@example.com")).select(orders::status).first(conn).await?)
        });
        if status.expect("status") == "refunded" {
            refunded = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(refunded, "Stripe's refund event ends the late order refunded");
    assert_eq!(count(app, &shop.page_id, "completed").await, 3, "never oversold");
    assert!(mail_to(app, "late@example.com", "Refund").await.is_some_and(|m| m.contains("sold out")));
}

/// With S3 storage, a download is a redirect to a presigned link that the S3 server honours, with
/// the original name for the saved file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn downloads_redirect_to_presigned_s3_links() {
    let Some(s3) = common::s3::S3Server::start() else { return };
    let app = TestApp::start_with(common::Backend::Sqlite, common::Options { env: s3.env(), ..Default::default() }).await.expect("app");
    let shop = shop(&app, "s3-seller@example.com", "flash-sale", flash_sale(2)).await;
    let visitor = app.new_browser();
    let (_, to) = buy(&app, &visitor, &shop, "s3-buyer@example.com", &[]).await;
    let thanks = pay(&app, &visitor, &to).await;
    let token = thanks.trim_start_matches("/orders/").trim_end_matches("/thanks");
    let res = app.get(&visitor, &format!("/d/{token}")).await;
    assert_eq!(res.status(), 303);
    let presigned = location(&res);
    assert!(presigned.starts_with(&s3.endpoint) && presigned.contains("X-Amz-Signature=") && presigned.contains("X-Amz-Expires=300"), "{presigned}");
    let res = reqwest::get(&presigned).await.expect("presigned");
    assert_eq!(res.status(), 200);
    assert!(res.headers().get("content-disposition").is_some_and(|v| v.to_str().unwrap_or_default().contains("course.pdf")), "{:?}", res.headers());
    assert_eq!(res.bytes().await.expect("file").as_ref(), FILE);
    let tampered = presigned.replace("X-Amz-Expires=300", "X-Amz-Expires=99999");
    assert_eq!(reqwest::get(&tampered).await.expect("tampered").status(), 403, "the link cannot be stretched");
    // A range is streamed by the app and charged as what it carries: never a presigned link to
    // the whole file for the price of a resumed part.
    let res = visitor.get(app.url(&format!("/d/{token}"))).header("range", "bytes=5-").send().await.expect("range");
    assert_eq!(res.status(), 206);
    assert_eq!(res.bytes().await.expect("part").as_ref(), &FILE[5..]);
    app.finish().await;
}

/// Two instances on one PostgreSQL, each keeping public pages for a minute: a hold through one shows
/// on the other at once, because the other is told (LISTEN/NOTIFY), not because its copy expired.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_instances_tell_each_other_about_stock() {
    let ttl = ("PAGE_CACHE_TTL_MS".to_string(), "60000".to_string());
    let Some(a) = TestApp::start_with(common::Backend::Postgres, common::Options { env: vec![ttl.clone()], ..Default::default() }).await else { return };
    let flashpage::infra::db::DatabaseUrl::Postgres(url) = &a.state.config.database_url else { panic!("postgres") };
    let env = vec![ttl, ("DATABASE_URL".to_string(), url.clone())];
    let b = TestApp::start_with(common::Backend::Postgres, common::Options { env, ..Default::default() }).await.expect("a second instance");
    flashpage::infra::notifier::spawn_listener(&b.state).await.expect("b listens");
    let shop = shop(&a, "instances@example.com", "flash-sale", flash_sale(2)).await;
    let on_b = |b: &TestApp| {
        let (client, url) = (b.new_browser(), b.url(&format!("/p/{}", shop.short_id)));
        async move { client.get(url).send().await.expect("page").text().await.expect("html") }
    };
    assert!(on_b(&b).await.contains("Only 2 available"), "b keeps the page");
    let (_, to) = buy(&a, &a.new_browser(), &shop, "first@example.com", &[]).await;
    assert!(to.contains("/checkout/test/"), "{to}");
    let mut seen = false;
    for _ in 0..100 {
        if on_b(&b).await.contains("1 of 2 left") {
            seen = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(seen, "b shows the hold taken through a well before its copy would expire");
    b.finish().await;
    a.finish().await;
}

mod stripe_fake {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::sells_through_stripe(super::common::Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::sells_through_stripe(super::common::Backend::Postgres).await;
    }
}

async fn orders_outlive_their_page_and_retention_applies(app: &TestApp) {
    let shop = shop(app, "keep@example.com", "flash-sale", flash_sale(5)).await;
    let visitor = app.new_browser();
    let (_, to) = buy(app, &visitor, &shop, "kept@example.com", &[]).await;
    let thanks = pay(app, &visitor, &to).await;
    assert_eq!(call(app, &shop.creator, "/api/pages/delete", &[("id", &shop.page_id)]).await.0, 200, "a page with orders can be deleted");
    let r: Result<(Option<String>, Option<String>, String), DbError> = db_read!(app.state.db, conn => {
        Ok(orders::table.select((orders::page_id, orders::client_ip, orders::status)).first(conn).await?)
    });
    let (page, ip, status) = r.expect("the order is kept");
    assert_eq!((page, ip.is_some(), status.as_str()), (None, true, "completed"), "detached from the page, the buyer's address kept for now");
    let (_, o) = call(app, &shop.creator, "/api/orders/list", &[]).await;
    assert_eq!(o["rows"][0]["email"], "kept@example.com", "still in the creator's list");
    let html = app.get(&visitor, &thanks).await.text().await.expect("thanks");
    assert!(html.contains("Download course.pdf") && !html.contains("Back to the page"), "the buyer still gets the file");

    // Retention, with the clock moved: addresses after 30 days, orders after 7 years; a second run
    // (another instance) finds nothing.
    use flashpage::orders::backend::writer::apply_retention;
    assert_eq!(apply_retention(&app.state.db, Utc::now() + Duration::days(29)).await.expect("retention"), (0, 0));
    assert_eq!(apply_retention(&app.state.db, Utc::now() + Duration::days(31)).await.expect("retention"), (1, 0));
    assert_eq!(apply_retention(&app.state.db, Utc::now() + Duration::days(31)).await.expect("retention"), (0, 0));
    assert_eq!(apply_retention(&app.state.db, Utc::now() + Duration::days(365 * 7 - 5)).await.expect("retention"), (0, 0), "kept for 7 years");
    assert_eq!(apply_retention(&app.state.db, Utc::now() + Duration::days(365 * 7 + 3)).await.expect("retention"), (0, 1));
}

/// Buying and payouts go through the request guard: other sites are refused, payouts need a
/// manager or an admin; the webhook is exempt from the origin check and checked by its signature.
async fn the_guard_covers_buying_payouts_and_the_webhook(app: &TestApp) {
    let shop = shop(app, "guard@example.com", "flash-sale", flash_sale(5)).await;
    let foreign = common::foreign_client(Some("https://evil.example"));
    let fields = [("short_id", shop.short_id.as_str()), ("item_id", shop.item_id.as_str()), ("email", "b@example.com")];
    assert_eq!(foreign.post(app.url("/api/p/buy")).form(&fields).send().await.expect("buy").status(), 403);
    assert_eq!(foreign.post(app.url("/api/payouts/onboard")).send().await.expect("onboard").status(), 403);
    assert_eq!(count(app, &shop.page_id, "processing").await, 0);
    let res = foreign.post(app.url("/webhooks/stripe")).header("stripe-signature", "t=1,v1=00").body("{}").send().await.expect("hook");
    assert_eq!(res.status(), 400, "not refused as cross-site, refused for its signature");
    // Payouts: nothing to set up with the test checkout, and only managers and admins may try.
    let html = app.get(&shop.creator, "/dashboard/payouts").await.text().await.expect("payouts");
    assert!(html.contains("Test mode") && html.contains("nothing to set up"), "{html}");
    assert_eq!(call(app, &shop.creator, "/api/payouts/onboard", &[]).await.0, 409, "the test checkout pays nobody out");
    common::set_role(app, "guard@example.com", "editor").await;
    assert_eq!(call(app, &shop.creator, "/api/payouts/onboard", &[]).await.0, 403);
    assert_eq!(call(app, &app.new_browser(), "/api/payouts/onboard", &[]).await.0, 401);
    assert_eq!(call(app, &app.new_browser(), "/api/orders/list", &[]).await.0, 401);
}

async fn upload_sample(app: &TestApp, client: &reqwest::Client, product: &str, name: &str, bytes: Vec<u8>) -> (u16, String) {
    use reqwest::multipart::{Form, Part};
    let form = Form::new().part("file", Part::bytes(bytes).file_name(name.to_string()).mime_str("application/octet-stream").expect("mime"));
    let res = client
        .post(app.url(&format!("/dashboard/products/{product}/sample")))
        .header("accept", "application/json")
        .multipart(form)
        .send()
        .await
        .expect("sample");
    (res.status().as_u16(), res.text().await.unwrap_or_default())
}

async fn samples_show_on_the_page_and_only_they_are_public(app: &TestApp) {
    let shop = shop(app, "samples@example.com", "flash-sale", flash_sale(5)).await;
    let png = [b"\x89PNG\r\n\x1a\n".as_slice(), &[0u8; 64]].concat();
    assert_eq!(upload_sample(app, &shop.creator, &shop.product_id, "cover.png", png.clone()).await.0, 204);
    let page = app.get(&app.new_browser(), &format!("/p/{}", shop.short_id)).await.text().await.expect("page");
    let end = page.find("/preview/cover.png\"").unwrap_or_else(|| panic!("the sample shows on the page: {page}"));
    let start = page[..end].rfind("src=\"").expect("src") + 5;
    let src = page[start..end + "/preview/cover.png".len()].to_string();
    assert!(page[end..].split('>').next().is_some_and(|tag| tag.contains("class=\"pp-sample\"")), "an image of the sample");
    assert!(src.starts_with("/files/users/") && src.ends_with("/preview/cover.png"), "{src}");
    let res = app.get(&app.new_browser(), &src).await;
    assert_eq!((res.status().as_u16(), res.headers()["content-type"].to_str().ok()), (200, Some("image/png")));
    assert_eq!(res.bytes().await.expect("png").as_ref(), png.as_slice());
    // The file buyers pay for is never served openly.
    let original = src.replace("/preview/cover.png", "/original/course.pdf");
    assert_eq!(app.get(&app.new_browser(), &original).await.status(), 404);

    // Not an image, a sound or a PDF: refused, nothing kept.
    let (status, body) = upload_sample(app, &shop.creator, &shop.product_id, "notes.png", b"just some text".to_vec()).await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("A sample is an image"), "{body}");
    let (_, detail) = call(app, &shop.creator, "/api/products/get", &[("id", &shop.product_id)]).await;
    assert_eq!(detail["sample"]["url"], src.as_str(), "the earlier sample stays");
    // Other organizations and viewers cannot change it.
    let stranger = creator(app, "sample-stranger@example.com").await;
    assert_eq!(upload_sample(app, &stranger, &shop.product_id, "x.png", png.clone()).await.0, 404);
    assert_eq!(call(app, &stranger, "/api/products/sample/remove", &[("id", &shop.product_id)]).await.0, 404);
    // Removed: gone from the page and from storage.
    assert_eq!(call(app, &shop.creator, "/api/products/sample/remove", &[("id", &shop.product_id)]).await.0, 200);
    flashpage::storefront::cache::PageCache::of(&app.state).invalidate(&shop.short_id).await;
    let page = app.get(&app.new_browser(), &format!("/p/{}", shop.short_id)).await.text().await.expect("page");
    assert!(!page.contains("pp-sample"));
    assert_eq!(app.get(&app.new_browser(), &src).await.status(), 404);
    common::set_role(app, "samples@example.com", "viewer").await;
    assert_eq!(upload_sample(app, &shop.creator, &shop.product_id, "cover.png", png).await.0, 403);
}

async fn a_late_payment_is_honoured_while_stock_remains(app: &TestApp) {
    let secret = Payments::of(&app.state).webhook_secret.clone();
    let shop = shop(app, "honour@example.com", "flash-sale", flash_sale(2)).await;
    let (_, _) = buy(app, &app.new_browser(), &shop, "slow@example.com", &[]).await;
    let (order_id, session, _) = the_order(app, &shop.page_id).await;
    assert_eq!(lapse(app, &shop.page_id, Some(&order_id)).await, 1);
    assert_eq!(flashpage::orders::backend::service::expire_lapsed_holds(&app.state, Utc::now()).await.expect("job"), 1);
    assert_eq!(the_order(app, &shop.page_id).await.2, "expired");
    assert_eq!(webhook(app, &completed(&order_id, &session, 1599, "pi_late"), &secret, Utc::now()).await, 200);
    assert_eq!(the_order(app, &shop.page_id).await.2, "completed", "a unit was still free: the late payment is honoured");
    assert!(mail_to(app, "slow@example.com", "Your receipt").await.is_some());
}

/// A product block takes only the organization's own products, and only on selling pages.
async fn product_blocks_take_own_products_on_selling_pages(app: &TestApp) {
    let shop = shop(app, "blocks@example.com", "flash-sale", flash_sale(2)).await;
    let stranger = creator(app, "block-stranger@example.com").await;
    let (_, page) = call(app, &stranger, "/api/pages/create", &[("page_type", "flash-sale"), ("headline", "Mine")]).await;
    let page = page.as_str().expect("page").to_string();
    let add = |client: &reqwest::Client, page: &str, product: &str| {
        let (client, page, product) = (client.clone(), page.to_string(), product.to_string());
        async move {
            call(
                app,
                &client,
                "/api/pages/content/add",
                &[("page_id", &page), ("item[kind]", "product"), ("item[product_id]", &product), ("item[title]", ""), ("item[description]", "")],
            )
            .await
        }
    };
    let (status, body) = add(&stranger, &page, &shop.product_id).await;
    assert_eq!(status, 422, "{body}");
    assert!(body.to_string().contains("That product is gone"), "another organization's product is not found: {body}");
    let (_, countdown) = call(app, &shop.creator, "/api/pages/create", &[("page_type", "countdown"), ("headline", "Soon")]).await;
    let (status, body) = add(&shop.creator, countdown.as_str().expect("page"), &shop.product_id).await;
    assert_eq!(status, 422, "{body}");
    assert!(body.to_string().contains("flash-sale and limited-offer pages"), "{body}");
    // The product can't be deleted while a page shows it.
    let (status, body) = call(app, &shop.creator, "/api/products/delete", &[("id", &shop.product_id)]).await;
    assert_eq!(status, 409, "{body}");
}

backend_tests!(
    a_late_payment_is_honoured_while_stock_remains,
    product_blocks_take_own_products_on_selling_pages,
    samples_show_on_the_page_and_only_they_are_public,
    orders_outlive_their_page_and_retention_applies,
    the_guard_covers_buying_payouts_and_the_webhook,
    creators_see_orders_export_them_and_refund,
    a_visitor_buys_pays_and_downloads,
    holds_never_oversell,
    leaving_the_payment_page_releases_the_hold,
    bad_input_is_refused_and_nothing_is_stored,
    offer_codes_are_checked_and_applied_on_the_server,
    webhooks_are_verified_idempotent_and_order_independent,
    a_payment_after_the_hold_lapsed_is_refunded_when_sold_out,
    download_limits_and_fresh_links,
);
