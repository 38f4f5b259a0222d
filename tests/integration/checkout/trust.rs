//! Trust in the money path, tried as an attacker and as an unlucky buyer would: no file before the
//! money is in, one completion per order however the events race, a refund the platform owes is
//! never lost.

use super::*;
use common::fake_stripe::FakeStripe;
use flashpage::infra::db::schema::test_payments;

/// An app selling through the fake Stripe, and a live flash sale of `inventory` units whose
/// creator has set up payouts.
async fn stripe_shop(backend: common::Backend, email: &str, inventory: u32) -> Option<(FakeStripe, TestApp, Shop)> {
    let fake = FakeStripe::start().await;
    let app = TestApp::start_with(backend, common::Options { env: fake.env(), ..Default::default() }).await?;
    fake.deliver_to(app.url("/webhooks/stripe"));
    let creator = creator(&app, email).await;
    let product = product_with_file(&app, &creator, "Course").await;
    let (_, page) = call(&app, &creator, "/api/pages/create", &[("page_type", "flash-sale"), ("headline", "Sale")]).await;
    let page = page.as_str().expect("page").to_string();
    let (settings, look) = (flash_sale(inventory).to_string(), json!({"headline": "Launch sale"}).to_string());
    assert_eq!(
        call(&app, &creator, "/api/pages/update", &[("id", &page), ("settings", &settings), ("customization", &look), ("launch_at", ""), ("expires_at", "")])
            .await
            .0,
        200
    );
    let (_, item) = call(
        &app,
        &creator,
        "/api/pages/content/add",
        &[("page_id", &page), ("item[kind]", "product"), ("item[product_id]", &product), ("item[title]", ""), ("item[description]", "")],
    )
    .await;
    let onboarding = location(&app.post_form(&creator, "/api/payouts/onboard", "/dashboard/payouts", &[]).await);
    assert_eq!(fake.complete_onboarding(onboarding.rsplit('/').next().expect("account")).await, 200);
    assert_eq!(call(&app, &creator, "/api/pages/publish", &[("id", &page)]).await.0, 200);
    let (_, detail) = call(&app, &creator, "/api/pages/get", &[("id", &page)]).await;
    let short_id = detail["summary"]["short_id"].as_str().expect("short").to_string();
    let shop = Shop { creator, short_id, item_id: item.as_str().expect("item").to_string(), page_id: page, product_id: product };
    Some((fake, app, shop))
}

/// An order's status, by the buyer's address.
async fn status_of(app: &TestApp, email: &str) -> String {
    let email = email.to_string();
    let r: Result<String, DbError> = db_read!(app.state.db, conn => {
        Ok(orders::table.filter(orders::buyer_email.eq(&email)).select(orders::status).first(conn).await?)
    });
    r.expect("status")
}

/// Waits (up to 5 s) for the order of `email` to reach `status` (Stripe's events arrive on their own).
async fn wait_for_status(app: &TestApp, email: &str, status: &str) {
    for _ in 0..50 {
        if status_of(app, email).await == status {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the order of {email} is {}, not {status}", status_of(app, email).await);
}

/// How many mails to `to` have `subject` in their subject.
async fn mails(app: &TestApp, to: &str, subject: &str) -> i64 {
    let (to, subject) = (to.to_string(), format!("%{subject}%"));
    let r: Result<i64, DbError> = db_read!(app.state.db, conn => {
        use diesel::TextExpressionMethods;
        Ok(mail_outbox::table.filter(mail_outbox::recipient.eq(&to)).filter(mail_outbox::subject.like(&subject)).count().get_result(conn).await?)
    });
    r.expect("mails")
}

/// The thank-you page's path for a Stripe session.
fn thanks_of(fake: &FakeStripe, app: &TestApp, session: &str) -> String {
    path_of(&fake.session(session).expect("session").success_url, app)
}

/// A buyer pays by bank debit: the session completes unpaid. Nothing is delivered, the unit stays
/// taken, the thank-you page says "Payment pending"; the file goes out when the money arrives. A
/// second buyer's debit fails: the unit goes back and the buyer is told.
async fn delayed_payments_deliver_only_when_the_money_is_in(backend: common::Backend) {
    let Some((fake, owned, shop)) = stripe_shop(backend, "bank@example.com", 2).await else { return };
    let app = &owned;
    let (_, to) = buy(app, &app.new_browser(), &shop, "sepa@example.com", &[]).await;
    let session = to.rsplit('/').next().expect("session").to_string();
    assert_eq!(fake.pay_delayed(&session).await, 200);
    assert_eq!(status_of(app, "sepa@example.com").await, "pending", "completed unpaid: waiting for the money");
    assert_eq!(mails(app, "sepa@example.com", "receipt").await, 0, "no receipt, no download link before the money is in");
    assert_eq!(mails(app, "sepa@example.com", "Payment on its way").await, 1);
    let thanks = thanks_of(&fake, app, &session);
    let html = app.get(&app.new_browser(), &thanks).await.text().await.expect("thanks");
    assert!(html.contains("Payment pending") && !html.contains("data-testid=\"download\""), "{html}");
    let token = thanks.trim_start_matches("/orders/").trim_end_matches("/thanks").to_string();
    assert_ne!(app.get(&app.new_browser(), &format!("/d/{token}")).await.status(), 200, "the thank-you token opens no file");
    // The unit stays taken while the bank works, whatever the hold's clock says.
    assert_eq!(lapse(app, &shop.page_id, None).await, 0, "a pending order holds no lapsing hold");
    flashpage::orders::backend::service::expire_lapsed_holds(&app.state, Utc::now() + Duration::hours(3)).await.expect("job");
    let page = app.get(&app.new_browser(), &format!("/p/{}", shop.short_id)).await.text().await.expect("page");
    assert!(page.contains("1 of 2 left"), "the pending order keeps its unit");
    let (order_list_status, list) = call(app, &shop.creator, "/api/orders/list", &[]).await;
    assert_eq!(order_list_status, 200);
    assert_eq!(list["rows"][0]["status"], "pending", "the dashboard shows it: {list}");
    let dashboard = app.get(&shop.creator, "/dashboard/orders").await.text().await.expect("orders");
    assert!(dashboard.contains("Payment pending"), "{dashboard}");

    assert_eq!(fake.settle(&session, true).await, 200);
    assert_eq!(status_of(app, "sepa@example.com").await, "completed");
    assert_eq!(mails(app, "sepa@example.com", "receipt").await, 1, "the receipt with the link, once the money is in");
    let receipt = mail_to(app, "sepa@example.com", "Your receipt").await.expect("receipt");
    assert_eq!(app.get(&app.new_browser(), &path_of(&download_link(&receipt), app)).await.status(), 200);
    assert_eq!(fake.settle(&session, true).await, 200, "a late duplicate is acknowledged");
    assert_eq!(mails(app, "sepa@example.com", "receipt").await, 1, "and changes nothing");

    let (_, to) = buy(app, &app.new_browser(), &shop, "bounced@example.com", &[]).await;
    let session = to.rsplit('/').next().expect("session").to_string();
    assert_eq!(fake.pay_delayed(&session).await, 200);
    let page = app.get(&app.new_browser(), &format!("/p/{}", shop.short_id)).await.text().await.expect("page");
    assert!(!page.contains("1 of 2 left"), "both units are taken now");
    assert_eq!(fake.settle(&session, false).await, 200);
    assert_eq!(status_of(app, "bounced@example.com").await, "failed");
    assert_eq!(mails(app, "bounced@example.com", "Payment failed").await, 1, "the buyer is told");
    assert_eq!(mails(app, "bounced@example.com", "receipt").await, 0);
    let page = app.get(&app.new_browser(), &format!("/p/{}", shop.short_id)).await.text().await.expect("page");
    assert!(page.contains("1 of 2 left"), "the failed payment's unit is back on sale");
    assert_eq!(fake.settle(&session, true).await, 200, "a success after the failure (out of order) is acknowledged");
    owned.finish().await;
}

/// Ten orders, each with Pay pressed three times at once on the test checkout: ten completions,
/// ten receipts, one download token each, and the payment ids the provider reported.
async fn one_order_completes_once_however_often_pay_is_pressed(app: &TestApp) {
    let shop = std::sync::Arc::new(shop(app, "presses@example.com", "flash-sale", flash_sale(10)).await);
    let mut checkouts = Vec::new();
    for i in 0..10 {
        let visitor = app.new_browser();
        let (status, to) = buy(app, &visitor, &shop, &format!("presser{i}@example.com"), &[]).await;
        assert_eq!(status, 302, "{to}");
        checkouts.push((visitor, path_of(&to, app)));
    }
    let presses = checkouts.iter().flat_map(|(visitor, path)| {
        let session = path.trim_start_matches("/checkout/test/").to_string();
        (0..3).map(move |_| {
            let (visitor, path, session) = (visitor.clone(), path.clone(), session.clone());
            async move { app.post_form(&visitor, "/api/checkout/test/pay", &path, &[("session_id", &session)]).await.status().as_u16() }
        })
    });
    let statuses = futures_util::future::join_all(presses).await;
    assert!(statuses.iter().all(|s| *s == 302), "every press lands on the thank-you page: {statuses:?}");
    assert_eq!(count(app, &shop.page_id, "completed").await, 10);
    let page_id = shop.page_id.clone();
    type Paid = (String, Option<String>, Option<String>);
    let r: Result<(i64, Vec<Paid>, Vec<(String, Option<String>)>), DbError> = db_read!(app.state.db, conn => {
        use diesel::TextExpressionMethods;
        let receipts: i64 = mail_outbox::table.filter(mail_outbox::subject.like("%receipt%")).count().get_result(conn).await?;
        let paid: Vec<Paid> = orders::table.filter(orders::page_id.eq(&page_id)).select((orders::id, orders::payment_id, orders::download_token_hash)).load(conn).await?;
        let sessions = test_payments::table.select((test_payments::client_reference_id, test_payments::payment_intent)).load(conn).await?;
        Ok((receipts, paid, sessions))
    });
    let (receipts, paid, sessions) = r.expect("counts");
    let tokens: std::collections::HashSet<_> = paid.iter().filter_map(|(_, _, t)| t.clone()).collect();
    let provider: std::collections::HashMap<_, _> = sessions.into_iter().collect();
    let matching = paid.iter().filter(|(id, payment, _)| payment.is_some() && provider.get(id) == Some(payment)).count() as i64;
    let r = (receipts, tokens.len() as i64, matching);
    assert_eq!(r, (10, 10, 10), "one receipt and one token per order; the payment ids are the provider's");
}

/// `checkout.session.completed` and `…async_payment_succeeded` for one session, several of each
/// at once (as Stripe may deliver them): one completion, one receipt.
async fn racing_completion_events_apply_once(app: &TestApp) {
    let secret = Payments::of(&app.state).webhook_secret.clone();
    let shop = shop(app, "race@example.com", "flash-sale", flash_sale(3)).await;
    let (_, _to) = buy(app, &app.new_browser(), &shop, "buyer@example.com", &[]).await;
    let (order_id, session, _) = the_order(app, &shop.page_id).await;
    let now = Utc::now();
    let facts = SessionFacts {
        id: &session,
        order_id: &order_id,
        amount: 1599,
        currency: "USD",
        customer_email: "buyer@example.com",
        status: "complete",
        payment_intent: Some("pi_race"),
        created: now,
        expires_at: now,
    };
    let payloads: Vec<Value> = (0..8)
        .map(|i| {
            let kind = if i % 2 == 0 { "checkout.session.completed" } else { "checkout.session.async_payment_succeeded" };
            events::session_with_payment_status(kind, &facts, "paid", now)
        })
        .collect();
    let statuses = futures_util::future::join_all(payloads.iter().map(|p| webhook(app, p, &secret, Utc::now()))).await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    assert_eq!(the_order(app, &shop.page_id).await.2, "completed");
    let r: Result<i64, DbError> = db_read!(app.state.db, conn => {
        use diesel::TextExpressionMethods;
        Ok(mail_outbox::table.filter(mail_outbox::subject.like("%receipt%")).count().get_result(conn).await?)
    });
    assert_eq!(r.expect("receipts"), 1, "one receipt");
}

/// A payment that arrives after the last unit went to someone else, while Stripe's refunds fail:
/// the webhook is acknowledged, the debt is recorded ("Refund pending"), the job and the creator's
/// button try again, and the refund goes through once Stripe takes it.
async fn an_owed_refund_is_retried_until_the_provider_takes_it(backend: common::Backend) {
    let Some((fake, owned, shop)) = stripe_shop(backend, "owed@example.com", 1).await else { return };
    let app = &owned;
    let (_, slow) = buy(app, &app.new_browser(), &shop, "slow@example.com", &[]).await;
    let slow = slow.rsplit('/').next().expect("session").to_string();
    assert_eq!(lapse(app, &shop.page_id, None).await, 1);
    let (_, fast) = buy(app, &app.new_browser(), &shop, "fast@example.com", &[]).await;
    assert_eq!(fake.pay(fast.rsplit('/').next().expect("session")).await, 200);
    assert_eq!(status_of(app, "fast@example.com").await, "completed", "sold out");

    fake.fail_refunds(true);
    assert_eq!(fake.pay(&slow).await, 200, "the late payment is acknowledged although its refund failed");
    assert_eq!(status_of(app, "slow@example.com").await, "refund_pending");
    let dashboard = app.get(&shop.creator, "/dashboard/orders").await.text().await.expect("orders");
    assert!(dashboard.contains("Refund pending"), "{dashboard}");
    let later = Utc::now() + Duration::hours(1);
    assert_eq!(flashpage::orders::backend::refunds::retry_due(&app.state, later).await.expect("job"), 0, "still failing");
    let (_, list) = call(app, &shop.creator, "/api/orders/list", &[]).await;
    let row = list["rows"].as_array().expect("rows").iter().find(|r| r["email"] == "slow@example.com").expect("row").clone();
    assert_eq!(row["refundable"], true, "refundable by hand: {row}");
    let id = row["id"].as_str().expect("id").to_string();
    let (status, body) = call(app, &shop.creator, "/api/orders/refund", &[("id", &id)]).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(status_of(app, "slow@example.com").await, "refund_pending", "nothing is lost");

    fake.fail_refunds(false);
    let much_later = Utc::now() + Duration::hours(12);
    assert_eq!(flashpage::orders::backend::refunds::retry_due(&app.state, much_later).await.expect("job"), 1);
    wait_for_status(app, "slow@example.com", "refunded").await;
    assert_eq!(flashpage::orders::backend::refunds::retry_due(&app.state, much_later).await.expect("job"), 0, "nothing more to do");
    assert!(mail_to(app, "slow@example.com", "Refund").await.is_some_and(|m| m.contains("sold out")));
    assert_eq!(count(app, &shop.page_id, "completed").await, 1, "never oversold");
    owned.finish().await;
}

/// A deployment on a public address never sells through the test checkout by accident: without
/// `PAYMENTS` it does not start (one line naming the variable); with `PAYMENTS=test` it runs as a
/// sandbox whose every public page says that nothing is charged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_test_checkout_is_never_production_by_accident() {
    let public = |vars: &[(&str, &str)]| {
        let map: std::collections::HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        flashpage::infra::config::Config::from_lookup(|k| map.get(k).cloned(), "http://127.0.0.1:3000")
    };
    let refused = public(&[("PUBLIC_URL", "https://shop.example")]).expect_err("no provider named");
    assert_eq!(refused.variable, "PAYMENTS");
    assert!(refused.to_string().lines().count() == 1 && refused.to_string().contains("PAYMENTS"), "{refused}");
    assert!(public(&[("PUBLIC_URL", "https://shop.example"), ("PAYMENTS", "test")]).is_ok());

    let env = vec![("PUBLIC_URL".to_string(), "http://sandbox.example:8080".to_string()), ("PAYMENTS".to_string(), "test".to_string())];
    let app = TestApp::start_with(common::Backend::Sqlite, common::Options { env, ..Default::default() }).await.expect("app");
    assert!(Payments::of(&app.state).sandbox);
    let shop = shop(&app, "sandbox@example.com", "flash-sale", flash_sale(2)).await;
    let page = app.get(&app.new_browser(), &format!("/p/{}", shop.short_id)).await.text().await.expect("page");
    assert!(page.contains("Test mode: payments here are simulated"), "{page}");
    app.finish().await;
    let local = TestApp::start(common::Backend::Sqlite).await.expect("app");
    assert!(!Payments::of(&local.state).sandbox, "a local run is no public sandbox");
    local.finish().await;
}

/// A browser at client address `ip` (behind the one proxy the app is told of).
fn client_at(app: &TestApp, ip: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::ORIGIN, reqwest::header::HeaderValue::from_str(&app.url("")).expect("origin"));
    headers.insert("x-forwarded-for", reqwest::header::HeaderValue::from_str(ip).expect("ip"));
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).default_headers(headers).build().expect("client")
}

/// A flood of Buy posts: 200 from one client address, then 200 from 200 addresses, on a page of
/// 20 units. The first client gets the limit of open checkouts and no more (no payment session
/// beyond it), the page never says "Sold out" while units are only held, and a real buyer gets a
/// unit as soon as the holds lapse.
async fn a_sale_cannot_be_hoarded(backend: common::Backend) {
    let limit = flashpage::infra::config::DEFAULT_HOLDS_PER_ADDRESS;
    let env = vec![("HOLDS_PER_ADDRESS".to_string(), limit.to_string())];
    let Some(owned) = TestApp::start_with(backend, common::Options { env, trusted_proxies: 1 }).await else { return };
    let app = &owned;
    let shop = shop(app, "hoard@example.com", "flash-sale", flash_sale(20)).await;
    let from_page = format!("/p/{}", shop.short_id);
    let post = |ip: String, email: String| {
        let (client, from_page, shop) = (client_at(app, &ip), from_page.clone(), &shop);
        async move {
            let fields = [("short_id", shop.short_id.as_str()), ("item_id", shop.item_id.as_str()), ("email", email.as_str()), ("quantity", "1")];
            let res = app.post_form(&client, "/api/p/buy", &from_page, &fields).await;
            (res.status().as_u16(), location(&res))
        }
    };
    let one_client = futures_util::future::join_all((0..200).map(|i| post("203.0.113.7".into(), format!("hoarder{i}@example.com")))).await;
    let held = one_client.iter().filter(|(s, to)| *s == 302 && to.contains("/checkout/test/")).count();
    assert_eq!(held as i64, limit, "one client address gets the limit of open checkouts");
    assert!(one_client.iter().all(|(s, to)| to.contains("/checkout/test/") || *s == 429 || to.contains("__err")), "the rest are refused: {one_client:?}");
    let sessions: Result<i64, DbError> = db_read!(app.state.db, conn => Ok(test_payments::table.count().get_result(conn).await?));
    assert_eq!(sessions.expect("sessions"), limit, "no payment session beyond the limit");
    // The same buyer pressing Buy again goes back to their open payment; from elsewhere, no link.
    let first = one_client.iter().find(|(s, to)| *s == 302 && to.contains("/checkout/test/")).expect("a hold").1.clone();
    let first_email: String = {
        let session = path_of(&first, app).trim_start_matches("/checkout/test/").to_string();
        let r: Result<String, DbError> = db_read!(app.state.db, conn => {
            Ok(test_payments::table.filter(test_payments::id.eq(&session)).select(test_payments::customer_email).first(conn).await?)
        });
        r.expect("email")
    };
    assert_eq!(post("203.0.113.7".into(), first_email.clone()).await, (302, first.clone()), "back to the open checkout");
    let (status, to) = post("198.51.100.9".into(), first_email).await;
    assert!(status == 302 && !to.contains("/checkout/"), "another client is not shown the buyer's checkout: {to}");
    assert_eq!(count(app, &shop.page_id, "processing").await, limit, "no second hold for one buyer");

    let many = futures_util::future::join_all((0..200).map(|i| post(format!("198.18.{}.{}", i / 200, i % 200 + 1), format!("fresh{i}@example.com")))).await;
    let held_by_many = many.iter().filter(|(s, to)| *s == 302 && to.contains("/checkout/test/")).count() as i64;
    assert_eq!(held_by_many, 20 - limit, "every other unit goes to one of the many");
    let page = app.get(&app.new_browser(), &from_page).await.text().await.expect("page");
    assert!(!page.contains("Sold out") && page.contains("The last units are in other buyers"), "held is not sold: {page}");
    assert!(page.contains("Buy for"), "the Buy form stays for the moment a unit comes back");
    let (status, body) =
        call(app, &client_at(app, "192.0.2.55"), "/api/p/buy", &[("short_id", &shop.short_id), ("item_id", &shop.item_id), ("email", "real@example.com")])
            .await;
    assert_eq!(status, 409, "{body}");
    assert!(body.to_string().contains("another buyer's checkout"), "{body}");

    assert_eq!(lapse(app, &shop.page_id, None).await as i64, 20, "the holds lapse");
    flashpage::storefront::cache::PageCache::of(&app.state).invalidate(&shop.short_id).await;
    let (status, to) = post("192.0.2.55".into(), "real@example.com".into()).await;
    assert!(status == 302 && to.contains("/checkout/test/"), "a real buyer gets a unit at once: {status} {to}");
    owned.finish().await;
}

/// Every way to a file's bytes counts against one budget: suffix ranges, `bytes=0-0` then
/// `bytes=1-`, parallel requests; used up, the link answers 410 with the help page.
async fn downloads_deliver_at_most_what_was_bought(app: &TestApp) {
    let shop = shop(app, "bytes@example.com", "flash-sale", flash_sale(3)).await;
    let form = [
        ("id", shop.product_id.as_str()),
        ("form[name]", "Course"),
        ("form[description]", "A practical guide."),
        ("form[price]", "19.99"),
        ("form[currency]", "USD"),
        ("form[expiresAt]", ""),
        ("form[downloadLimit]", "2"),
        ("form[downloadDays]", "7"),
    ];
    assert_eq!(call(app, &shop.creator, "/api/products/save", &form).await.0, 200);
    let visitor = app.new_browser();
    let (_, to) = buy(app, &visitor, &shop, "ranges@example.com", &[]).await;
    let thanks = pay(app, &visitor, &to).await;
    let token = thanks.trim_start_matches("/orders/").trim_end_matches("/thanks").to_string();
    let size = FILE.len();
    let get = |range: Option<String>| {
        let (client, url) = (app.new_browser(), app.url(&format!("/d/{token}")));
        async move {
            let mut req = client.get(url);
            if let Some(r) = range {
                req = req.header("range", r);
            }
            let res = req.send().await.expect("download");
            let status = res.status().as_u16();
            (status, res.bytes().await.expect("body").to_vec())
        }
    };
    // One byte from the start (an attempt), then the rest again and again (resumes, which count
    // no attempt): only as many bytes as the budget holds (limit + 1 files).
    let mut served = 0usize;
    let (status, head) = get(Some("bytes=0-0".into())).await;
    assert_eq!(status, 206);
    served += head.len();
    let mut resumed = 0;
    for _ in 0..40 {
        let (status, tail) = get(Some("bytes=1-".into())).await;
        if status != 206 {
            assert_eq!(status, 410, "used up");
            break;
        }
        served += tail.len();
        resumed += 1;
    }
    assert!(resumed < 40, "resumes alone are not an unlimited link");
    // A suffix range as long as the file is the whole file: it counts, in bytes and as an attempt.
    for _ in 0..40 {
        let (status, body) = get(Some(format!("bytes=-{size}"))).await;
        if status != 206 {
            assert_eq!(status, 410, "used up");
            assert!(String::from_utf8_lossy(&body).contains("Email me a fresh link"), "the body is the help page");
            break;
        }
        assert_eq!(body, FILE);
        served += body.len();
    }
    // And many requests at once.
    let parallel = futures_util::future::join_all((0..20).map(|i| get(Some(format!("bytes={}-", i % 5))))).await;
    served += parallel.iter().filter(|(s, _)| *s == 206).map(|(_, b)| b.len()).sum::<usize>();
    assert!(served <= 3 * size, "served {served} bytes of a {size}-byte file with a limit of 2 downloads");
    let (status, body) = get(None).await;
    assert_eq!(status, 410);
    assert!(!body.starts_with(b"%PDF"), "a closed link never answers with the file");
}

crate::backend_tests!(one_order_completes_once_however_often_pay_is_pressed, racing_completion_events_apply_once, downloads_deliver_at_most_what_was_bought);

crate::per_backend_tests!(a_sale_cannot_be_hoarded, delayed_payments_deliver_only_when_the_money_is_in, an_owed_refund_is_retried_until_the_provider_takes_it);
