//! Plans through Stripe Billing, against the fake Stripe on loopback, on SQLite and PostgreSQL:
//! the subscription checkout the app asks for, the subscription arriving by signed events, a
//! paid plan change, the customer portal, the end at the period's end; and the webhook's rules
//! for subscription events: forged ones refused, replays and old ones ignored, a cancelled
//! subscription never revived, events for strangers acknowledged and ignored.

use crate::common;

use chrono::{TimeDelta, Utc};
use common::fake_stripe::FakeStripe;
use common::{Backend, TestApp, location};
use diesel::{ExpressionMethods, QueryDsl, TextExpressionMethods};
use flashpage::db_read;
use flashpage::infra::db::DbError;
use flashpage::infra::db::schema::{mail_outbox, plans, subscriptions};
use flashpage::infra::payments::events;
use serde_json::json;

async fn start(backend: Backend) -> Option<(TestApp, FakeStripe)> {
    let fake = FakeStripe::start().await;
    let options = common::Options { env: fake.env(), ..Default::default() };
    let app = TestApp::start_with(backend, options).await?;
    fake.deliver_to(app.url("/webhooks/stripe"));
    Some((app, fake))
}

/// The subscription that gives the plan (the newest that has not ended): (plan, status, price,
/// cancel at period end), and how many subscriptions have a Stripe id.
async fn state(app: &TestApp) -> (String, String, i64, bool, i64) {
    let r: Result<((String, String, i64, bool), i64), DbError> = db_read!(app.state.db, conn => {
        let newest = subscriptions::table
            .inner_join(plans::table)
            .filter(subscriptions::status.ne("canceled"))
            .order(subscriptions::created_at.desc())
            .select((plans::name, subscriptions::status, subscriptions::price_minor, subscriptions::cancel_at_period_end))
            .first(conn)
            .await?;
        let paid = subscriptions::table.filter(subscriptions::stripe_subscription_id.is_not_null()).count().get_result(conn).await?;
        Ok((newest, paid))
    });
    let ((plan, status, price, ending), paid) = r.expect("subscriptions");
    (plan, status, price, ending, paid)
}

/// How many changes the payment provider reported are in the security log.
async fn provider_entries(app: &TestApp) -> i64 {
    use flashpage::infra::db::schema::security_log;
    let r: Result<i64, DbError> = db_read!(app.state.db, conn => {
        Ok(security_log::table.filter(security_log::event.eq("plan_changed")).filter(security_log::email.like("payment provider%")).count().get_result(conn).await?)
    });
    r.expect("log")
}

async fn subscribed(app: &TestApp, fake: &FakeStripe) -> (reqwest::Client, String) {
    let ada = app.new_browser();
    assert_eq!(app.signup(&ada, "Ada", "ada@example.com").await.status(), 302);
    let res = app.post_form(&ada, "/api/billing/plan", "/dashboard/billing", &[("plan", "Basic")]).await;
    let to = location(&res);
    assert!(to.starts_with(&format!("{}pay/cs_fake_", fake.base)), "{to}");
    let session_id = to.rsplit('/').next().expect("session").to_string();
    let (subscription, created, completed) = fake.pay_subscription(&session_id).await;
    assert_eq!((created, completed), (200, 200));
    (ada, subscription)
}

async fn subscriptions_through_stripe(backend: Backend) {
    let Some((app, fake)) = start(backend).await else { return };
    let app = &app;
    let (ada, subscription) = subscribed(app, &fake).await;
    let asked = fake.requests().into_iter().find(|r| r.path == "/v1/checkout/sessions").expect("a session");
    let has = |k: &str, v: &str| asked.form.iter().any(|(key, value)| key == k && value == v);
    assert!(
        has("mode", "subscription") && has("line_items[0][price_data][unit_amount]", "1900") && has("line_items[0][price_data][recurring][interval]", "month"),
        "{:?}",
        asked.form
    );
    assert!(
        has("customer_email", "ada@example.com") && has("subscription_data[metadata][plan_id]", "00000000-0000-7000-8000-000000000102"),
        "{:?}",
        asked.form
    );
    let (plan, status, price, ending, paid) = state(app).await;
    assert_eq!((plan.as_str(), status.as_str(), price, ending, paid), ("Basic", "active", 1900, false, 1));

    // Basic to Premium: the item's price changes at Stripe, pro rata, and here at once.
    let res = app.post_form(&ada, "/api/billing/plan", "/dashboard/billing", &[("plan", "Premium")]).await;
    assert_eq!(location(&res), "/dashboard/billing?saved=changed");
    let update = fake.requests().into_iter().rev().find(|r| r.path == format!("/v1/subscriptions/{subscription}")).expect("an update");
    assert!(update.form.iter().any(|(k, v)| k == "items[0][price_data][unit_amount]" && v == "4900"), "{:?}", update.form);
    assert!(update.form.iter().any(|(k, v)| k == "proration_behavior" && v == "create_prorations"), "{:?}", update.form);
    assert_eq!(state(app).await.0, "Premium");

    // The customer portal, for the card and invoices.
    let res = app.post_form(&ada, "/api/billing/portal", "/dashboard/billing", &[]).await;
    assert!(location(&res).starts_with(&format!("{}portal/cus_fake_", fake.base)), "{}", location(&res));
    assert!(app.get(&ada, "/dashboard/billing").await.text().await.expect("page").contains("Payment method and invoices"));

    // Down to Free: at the period's end, when Stripe says the subscription is deleted.
    let res = app.post_form(&ada, "/api/billing/plan", "/dashboard/billing", &[("plan", "Free")]).await;
    assert_eq!(location(&res), "/dashboard/billing?saved=changed");
    let (plan, _, _, ending, _) = state(app).await;
    assert_eq!((plan.as_str(), ending), ("Premium", true));
    let mut ended = fake.subscription(&subscription).expect("subscription");
    ended.status = "canceled".into();
    assert_eq!(fake.send_subscription("customer.subscription.deleted", &ended, Utc::now() + TimeDelta::seconds(5)).await, 200);
    let (plan, status, ..) = state(app).await;
    assert_eq!((plan.as_str(), status.as_str()), ("Free", "free"));
}

async fn subscription_events_are_verified_idempotent_and_ordered(backend: Backend) {
    let Some((app, fake)) = start(backend).await else { return };
    let app = &app;
    let (_ada, subscription) = subscribed(app, &fake).await;
    let facts = fake.subscription(&subscription).expect("subscription");
    let now = Utc::now();

    // Forged: signed with another secret. Refused, nothing changes.
    let mut forged_facts = facts.clone();
    forged_facts.status = "canceled".into();
    let forged = events::sign(&events::event("customer.subscription.deleted", events::subscription(&forged_facts, now), now), "whsec_not_the_secret", now);
    let res =
        reqwest::Client::new().post(app.url("/webhooks/stripe")).header("stripe-signature", forged.signature).body(forged.payload).send().await.expect("post");
    assert_eq!(res.status().as_u16(), 400);
    assert_eq!(state(app).await.1, "active");

    // Newer first (past due at +10 s), then an older one (active at +5 s): the older is ignored.
    let mut past_due = facts.clone();
    past_due.status = "past_due".into();
    assert_eq!(fake.send_subscription("customer.subscription.updated", &past_due, now + TimeDelta::seconds(10)).await, 200);
    assert_eq!(fake.send_subscription("customer.subscription.updated", &facts, now + TimeDelta::seconds(5)).await, 200);
    assert_eq!(state(app).await.1, "past_due", "an event older than the last applied changes nothing");

    // A replay of the newest event is applied once: the log has one entry for it.
    let event = events::event("customer.subscription.updated", events::subscription(&facts, now + TimeDelta::seconds(20)), now + TimeDelta::seconds(20));
    assert_eq!(fake.send(&event).await, 200);
    assert_eq!(state(app).await.1, "active");
    let logged = provider_entries(app).await;
    assert_eq!(fake.send(&event).await, 200, "a replay is acknowledged");
    assert_eq!(provider_entries(app).await, logged, "and applied once");
    let mut again = past_due.clone();
    again.status = "past_due".into();
    assert_eq!(fake.send_subscription("customer.subscription.updated", &again, now + TimeDelta::seconds(30)).await, 200);
    assert_eq!(state(app).await.1, "past_due");

    // Paid again (active), then a failed invoice: past due, and the admins hear, once however
    // often it is delivered; one for a stranger is acknowledged and ignored.
    assert_eq!(fake.send_subscription("customer.subscription.updated", &facts, now + TimeDelta::seconds(35)).await, 200);
    assert_eq!(state(app).await.1, "active");
    let failed = events::event("invoice.payment_failed", events::failed_invoice(&facts, now + TimeDelta::seconds(36)), now + TimeDelta::seconds(36));
    assert_eq!(fake.send(&failed).await, 200);
    assert_eq!(fake.send(&failed).await, 200);
    let mails: Result<i64, DbError> = db_read!(app.state.db, conn => {
        Ok(mail_outbox::table.filter(mail_outbox::subject.like("%payment for your Basic plan failed%")).count().get_result(conn).await?)
    });
    assert_eq!(mails.expect("mails"), 1, "one mail for one failure, however often it is delivered");
    assert_eq!(state(app).await.1, "past_due");
    let mut stranger = facts.clone();
    stranger.id = "sub_someone_else".into();
    stranger.metadata.clear();
    let failed = events::event("invoice.payment_failed", events::failed_invoice(&stranger, now), now);
    assert_eq!(fake.send(&failed).await, 200);
    assert_eq!(fake.send_subscription("customer.subscription.created", &stranger, now).await, 200, "no organization: acknowledged");
    let mut foreign = stranger.clone();
    foreign.metadata.insert("organization_id".into(), "00000000-0000-0000-0000-000000000000".into());
    foreign.metadata.insert("plan_id".into(), "00000000-0000-7000-8000-000000000103".into());
    assert_eq!(fake.send_subscription("customer.subscription.created", &foreign, now).await, 200, "an unknown organization: acknowledged");
    assert_eq!(state(app).await.4, 1, "no subscription was made for strangers");

    // Deleted is final: a later "active" does not bring it back.
    let mut deleted = facts.clone();
    deleted.status = "canceled".into();
    assert_eq!(fake.send_subscription("customer.subscription.deleted", &deleted, now + TimeDelta::seconds(40)).await, 200);
    assert_eq!(fake.send_subscription("customer.subscription.updated", &facts, now + TimeDelta::seconds(50)).await, 200);
    assert_eq!(state(app).await.0, "Free");
    // Unreadable and unsigned bodies are refused.
    let res =
        reqwest::Client::new().post(app.url("/webhooks/stripe")).body(json!({"type": "customer.subscription.created"}).to_string()).send().await.expect("post");
    assert_eq!(res.status().as_u16(), 400);
}

/// Deleting the organization ends its Stripe subscription now (and Stripe's last event for it,
/// about a subscription the app no longer has, is acknowledged).
async fn deleting_the_organization_ends_the_stripe_subscription(backend: Backend) {
    let Some((app, fake)) = start(backend).await else { return };
    let app = &app;
    let (ada, subscription) = subscribed(app, &fake).await;
    let name: String = {
        let r: Result<String, DbError> = db_read!(app.state.db, conn => {
            use flashpage::infra::db::schema::organizations;
            Ok(organizations::table.select(organizations::name).first(conn).await?)
        });
        r.expect("name")
    };
    let res = app.post_form(&ada, "/api/account/delete-organization", "/dashboard/account", &[("confirm", &name), ("password", common::PASSWORD)]).await;
    assert_eq!(location(&res), "/?deleted=1");
    assert!(fake.requests().iter().any(|r| r.method == "DELETE" && r.path == format!("/v1/subscriptions/{subscription}")), "cancelled at Stripe");
    assert_eq!(fake.subscription(&subscription).expect("subscription").status, "canceled");
    let ended = fake.subscription(&subscription).expect("subscription");
    assert_eq!(fake.send_subscription("customer.subscription.deleted", &ended, Utc::now() + TimeDelta::seconds(5)).await, 200);
}

/// Events within one second, and a failed payment after the subscription stopped running.
async fn same_second_events_and_late_failures(backend: Backend) {
    let Some((app, fake)) = start(backend).await else { return };
    let app = &app;
    let (_ada, subscription) = subscribed(app, &fake).await;
    let facts = fake.subscription(&subscription).expect("subscription");
    let at = Utc::now() + TimeDelta::seconds(10);
    // "incomplete" (as Stripe creates it) after "active" in the same second: active stays.
    let mut incomplete = facts.clone();
    incomplete.status = "incomplete".into();
    assert_eq!(fake.send_subscription("customer.subscription.updated", &facts, at).await, 200);
    assert_eq!(fake.send_subscription("customer.subscription.created", &incomplete, at).await, 200);
    assert_eq!(state(app).await.1, "active");
    // Unpaid (the retries are over): Free applies, and a failed invoice does not bring Basic back.
    let mut unpaid = facts.clone();
    unpaid.status = "unpaid".into();
    assert_eq!(fake.send_subscription("customer.subscription.updated", &unpaid, at + TimeDelta::seconds(5)).await, 200);
    let failed = events::event("invoice.payment_failed", events::failed_invoice(&facts, at + TimeDelta::seconds(5)), at + TimeDelta::seconds(5));
    assert_eq!(fake.send(&failed).await, 200);
    assert_eq!(state(app).await.1, "unpaid", "a failed invoice does not make an unpaid subscription past due");
    let org: String = {
        let r: Result<String, DbError> = db_read!(app.state.db, conn => {
            use flashpage::infra::db::schema::organizations;
            Ok(organizations::table.select(organizations::id).first(conn).await?)
        });
        r.expect("organization")
    };
    let plan = flashpage::plans::backend::plan_for_organization(&app.state.db, &org).await.expect("plan");
    assert_eq!(plan.name, "Free", "an unpaid subscription gives no plan");
    let mails: Result<i64, DbError> = db_read!(app.state.db, conn => {
        Ok(mail_outbox::table.filter(mail_outbox::subject.like("%payment for your Basic plan failed%")).count().get_result(conn).await?)
    });
    assert_eq!(mails.expect("mails"), 0, "no mail for a failure that changed nothing");
}

on_both_backends! {
    same_second_events_and_late_failures,
    deleting_the_organization_ends_the_stripe_subscription,
    subscriptions_through_stripe,
    subscription_events_are_verified_idempotent_and_ordered,
}
