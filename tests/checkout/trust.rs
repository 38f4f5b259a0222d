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
    assert_eq!(call(&app, &creator, "/api/pages/update", &[("id", &page), ("settings", &settings), ("customization", &look), ("launch_at", ""), ("expires_at", "")]).await.0, 200);
    let (_, item) = call(&app, &creator, "/api/pages/content/add", &[("page_id", &page), ("item[kind]", "product"), ("item[product_id]", &product), ("item[title]", ""), ("item[description]", "")]).await;
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
        Ok(orders::table.filter(orders::customer_id.eq(&email)).select(orders::status).first(conn).await?)
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
    let facts = SessionFacts { id: &session, order_id: &order_id, amount: 1599, currency: "USD", customer_email: "buyer@example.com", status: "complete", payment_intent: Some("pi_race"), created: now, expires_at: now };
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

crate::backend_tests!(one_order_completes_once_however_often_pay_is_pressed, racing_completion_events_apply_once);

mod stripe_delayed {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::delayed_payments_deliver_only_when_the_money_is_in(super::common::Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::delayed_payments_deliver_only_when_the_money_is_in(super::common::Backend::Postgres).await;
    }
}

mod stripe_owed_refund {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::an_owed_refund_is_retried_until_the_provider_takes_it(super::common::Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::an_owed_refund_is_retried_until_the_provider_takes_it(super::common::Backend::Postgres).await;
    }
}
