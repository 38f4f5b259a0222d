//! Plans and billing on SQLite and PostgreSQL, with the built-in test checkout: the pricing
//! page, upgrading through the test checkout (limits rise, the branding line goes), paid plan
//! changes, a downgrade that waits for the period's end and then for the grace period, failed
//! payments, prices that move only at renewal, and every refusal.

use crate::common;

use chrono::{TimeDelta, Utc};
use common::{TestApp, call, location, set_role};
use diesel::{ExpressionMethods, QueryDsl, TextExpressionMethods};
use flashpage::infra::db::DbError;
use flashpage::infra::db::schema::{mail_outbox, organizations, pages, plans, subscriptions, users};
use flashpage::{db_read, db_write};

async fn signed_in(app: &TestApp, name: &str, email: &str) -> reqwest::Client {
    let browser = app.new_browser();
    assert_eq!(app.signup(&browser, name, email).await.status(), 302);
    browser
}

/// Chooses `plan` on the billing page without JavaScript; returns where the form sent the browser.
async fn choose(app: &TestApp, browser: &reqwest::Client, plan: &str) -> String {
    let res = app.post_form(browser, "/api/billing/plan", "/dashboard/billing", &[("plan", plan)]).await;
    assert_eq!(res.status().as_u16(), 302, "{plan}");
    location(&res)
}

/// Upgrades from Free to `plan` through the test checkout's payment page (Pay pressed).
async fn upgrade(app: &TestApp, browser: &reqwest::Client, plan: &str) {
    let to = choose(app, browser, plan).await.replace(&app.base, "");
    let session = to.rsplit('/').next().expect("a session").to_string();
    assert!(to.contains("/checkout/test/cs_test_"), "{to}");
    let page = app.get(browser, &to).await.text().await.expect("page");
    assert!(page.contains(&format!("Flashpage {plan} plan")), "the payment page names the plan: {page}");
    let paid = app.post_form(browser, "/api/checkout/test/pay", &to, &[("session_id", &session)]).await;
    assert_eq!(location(&paid), format!("{}/dashboard/billing?saved=paid", app.base));
}

async fn billing_page(app: &TestApp, browser: &reqwest::Client) -> String {
    let res = app.get(browser, "/dashboard/billing").await;
    assert_eq!(res.status().as_u16(), 200);
    res.text().await.expect("body")
}

/// (plan name, status, price, cancel at period end) of the subscription that gives the plan (the
/// newest that has not ended).
async fn subscription_of(app: &TestApp, email: &str) -> (String, String, i64, bool) {
    let email = email.to_string();
    let r: Result<(String, String, i64, bool), DbError> = db_read!(app.state.db, conn => {
        Ok(subscriptions::table
            .inner_join(plans::table)
            .inner_join(users::table)
            .filter(users::email.eq(&email))
            .filter(subscriptions::status.ne("canceled"))
            .order(subscriptions::created_at.desc())
            .select((plans::name, subscriptions::status, subscriptions::price_minor, subscriptions::cancel_at_period_end))
            .first(conn)
            .await?)
    });
    r.expect("subscription")
}

async fn mails_to(app: &TestApp, to: &str, subject_like: &str) -> Vec<String> {
    let (to, like) = (to.to_string(), format!("%{subject_like}%"));
    let r: Result<Vec<String>, DbError> = db_read!(app.state.db, conn => {
        Ok(mail_outbox::table.filter(mail_outbox::recipient.eq(&to)).filter(mail_outbox::subject.like(&like)).select(mail_outbox::text_body).load(conn).await?)
    });
    r.expect("mails")
}

async fn create_and_publish(app: &TestApp, browser: &reqwest::Client, n: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..n {
        let (status, body) = call(app, browser, "/api/pages/create", &[("page_type", "countdown"), ("headline", &format!("Launch {i}"))]).await;
        assert_eq!(status, 200, "{body}");
        let id = body.as_str().expect("id").to_string();
        let (status, body) = call(app, browser, "/api/pages/publish", &[("id", &id)]).await;
        assert_eq!(status, 200, "{body}");
        ids.push(id);
        // Distinct creation times, so "newest first" is well defined.
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    ids
}

async fn live_ids(app: &TestApp) -> Vec<String> {
    let r: Result<Vec<String>, DbError> = db_read!(app.state.db, conn => {
        Ok(pages::table.filter(pages::is_active.eq(true)).order(pages::created_at.asc()).select(pages::id).load(conn).await?)
    });
    r.expect("pages")
}

async fn short_id(app: &TestApp, page_id: &str) -> String {
    let id = page_id.to_string();
    let r: Result<String, DbError> = db_read!(app.state.db, conn => Ok(pages::table.filter(pages::id.eq(&id)).select(pages::short_id).first(conn).await?));
    r.expect("short id")
}

/// Runs the billing tick's work as if it were `at`.
async fn run_billing_at(app: &TestApp, at: chrono::DateTime<Utc>) {
    use flashpage::billing::backend::{enforcement, service};
    service::run_test_renewals(&app.state, at).await.expect("renewals");
    service::apply_price_changes(&app.state, at).await.expect("prices");
    enforcement::review_due(&app.state, at).await.expect("review");
    enforcement::enforce_due(&app.state, at).await.expect("grace");
}

async fn the_pricing_page_shows_the_visible_plans(app: &TestApp) {
    let page = app.get(&app.new_browser(), "/pricing").await.text().await.expect("body");
    for plan in ["Free", "Basic", "Premium"] {
        assert!(page.contains(&format!("data-plan=\"{plan}\"")), "{plan} in {page}");
    }
    assert!(page.contains("$19.00 a month") && page.contains("Live pages at a time"), "{page}");
    // A hidden plan is not offered, here or on the billing page.
    let r: Result<usize, DbError> = db_write!(app.state.db, conn => {
        Ok(diesel::insert_into(plans::table)
            .values((
                plans::id.eq("00000000-0000-7000-8000-000000000199"),
                plans::name.eq("Partner"),
                plans::description.eq("For partners only."),
                plans::price_minor.eq(100),
                plans::currency.eq("USD"),
                plans::interval.eq("month"),
                plans::is_visible.eq(false),
                plans::features.eq(r#"{"activePages":null,"products":null,"maxFileSizeMb":10240,"teamSeats":99,"customBranding":true,"platformFeeBasisPoints":0}"#),
            ))
            .execute(conn)
            .await?)
    });
    r.expect("hidden plan");
    let page = app.get(&app.new_browser(), "/pricing").await.text().await.expect("body");
    assert!(!page.contains("Partner"), "hidden plans stay hidden");
    let ada = signed_in(app, "Ada", "ada@example.com").await;
    assert!(!billing_page(app, &ada).await.contains("Partner"));
    let (status, body) = call(app, &ada, "/api/billing/plan", &[("plan", "Partner")]).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["fields"][0]["message"].as_str().unwrap_or_default().contains("isn't offered"), "{body}");
    assert_eq!(subscription_of(app, "ada@example.com").await.0, "Free", "nothing changed");
}

async fn upgrading_through_the_test_checkout_raises_the_limits(app: &TestApp) {
    let ada = signed_in(app, "Ada", "ada@example.com").await;
    let page = billing_page(app, &ada).await;
    assert!(page.contains("data-testid=\"plan-name\">Free<"), "{page}");
    assert!(page.contains("0 of 3"), "the live pages meter: {page}");
    let ids = create_and_publish(app, &ada, 3).await;
    let (status, body) = call(app, &ada, "/api/pages/create", &[("page_type", "countdown"), ("headline", "Fourth")]).await;
    assert_eq!(status, 200);
    let fourth = body.as_str().expect("id").to_string();
    assert_eq!(call(app, &ada, "/api/pages/publish", &[("id", &fourth)]).await.0, 403, "Free allows 3");
    let public = app.get(&app.new_browser(), &format!("/p/{}", short_id(app, &ids[0]).await)).await.text().await.expect("page");
    assert!(public.contains("Made with Flashpage"), "Free pages carry the line");

    // Cancel once: nothing changes.
    let to = choose(app, &ada, "Basic").await.replace(&app.base, "");
    let session = to.rsplit('/').next().expect("session").to_string();
    let cancelled = app.post_form(&ada, "/api/checkout/test/cancel", &to, &[("session_id", &session)]).await;
    assert_eq!(location(&cancelled), format!("{}/dashboard/billing?saved=cancelled", app.base));
    assert_eq!(subscription_of(app, "ada@example.com").await.0, "Free");

    upgrade(app, &ada, "Basic").await;
    let (plan, status, price, ending) = subscription_of(app, "ada@example.com").await;
    assert_eq!((plan.as_str(), status.as_str(), price, ending), ("Basic", "active", 1900, false));
    let page = billing_page(app, &ada).await;
    assert!(page.contains("data-testid=\"plan-name\">Basic<") && page.contains("renews on") && page.contains("$19.00 a month"), "{page}");
    assert!(page.contains("3 of 25"), "{page}");
    assert_eq!(call(app, &ada, "/api/pages/publish", &[("id", &fourth)]).await.0, 200, "Basic allows 25");
    let team = app.get(&ada, "/dashboard/team").await.text().await.expect("team");
    assert!(team.contains("of 5 seats"), "seats rose: {team}");
    let public = app.get(&app.new_browser(), &format!("/p/{}", short_id(app, &ids[0]).await)).await.text().await.expect("page");
    assert!(!public.contains("Made with Flashpage"), "Basic has customBranding: the line goes at once");
    // The plan change is in the security log.
    assert!(app.get(&ada, "/dashboard/security").await.text().await.expect("log").contains("Changed the plan"));
    // Choosing Basic again is refused; Pay pressed on the cancelled page changes nothing.
    let (status, body) = call(app, &ada, "/api/billing/plan", &[("plan", "Basic")]).await;
    assert_eq!(status, 409, "{body}");
    let again = app.post_form(&ada, "/api/checkout/test/pay", &to, &[("session_id", &session)]).await;
    assert_eq!(again.status().as_u16(), 302);
    let n: Result<i64, DbError> = db_read!(app.state.db, conn => {
        Ok(subscriptions::table.filter(subscriptions::stripe_subscription_id.is_not_null()).count().get_result(conn).await?)
    });
    assert_eq!(n.expect("count"), 1, "one subscription");
}

async fn paid_plans_change_at_once_and_renew(app: &TestApp) {
    let ada = signed_in(app, "Ada", "ada@example.com").await;
    upgrade(app, &ada, "Basic").await;
    assert_eq!(choose(app, &ada, "Premium").await, "/dashboard/billing?saved=changed");
    let (plan, status, price, _) = subscription_of(app, "ada@example.com").await;
    assert_eq!((plan.as_str(), status.as_str(), price), ("Premium", "active", 4900));
    // A renewal keeps it running for another period.
    let before = end_date(app, "ada@example.com").await;
    run_billing_at(app, Utc::now() + TimeDelta::days(32)).await;
    let after = end_date(app, "ada@example.com").await;
    assert!(after > before, "renewed: {before} -> {after}");
    assert_eq!(subscription_of(app, "ada@example.com").await.1, "active");
}

async fn end_date(app: &TestApp, email: &str) -> chrono::NaiveDateTime {
    let email = email.to_string();
    let r: Result<Option<chrono::NaiveDateTime>, DbError> = db_read!(app.state.db, conn => {
        Ok(subscriptions::table
            .inner_join(users::table)
            .filter(users::email.eq(&email))
            .filter(subscriptions::stripe_subscription_id.is_not_null())
            .order(subscriptions::created_at.desc())
            .select(subscriptions::end_date)
            .first(conn)
            .await?)
    });
    r.expect("end date").expect("an end date")
}

/// Downgrade to Free: the paid period runs out first, then 14 days' grace, then the newest pages
/// above Free's 3 go offline and the admins hear which. Nothing is deleted.
async fn a_downgrade_waits_for_the_period_and_the_grace(app: &TestApp) {
    let ada = signed_in(app, "Ada", "ada@example.com").await;
    upgrade(app, &ada, "Basic").await;
    let ids = create_and_publish(app, &ada, 5).await;
    assert_eq!(choose(app, &ada, "Free").await, "/dashboard/billing?saved=changed");
    let (plan, status, _, ending) = subscription_of(app, "ada@example.com").await;
    assert_eq!((plan.as_str(), status.as_str(), ending), ("Basic", "active", true), "Basic until the period's end");
    assert!(billing_page(app, &ada).await.contains("then the Free plan applies"));
    // Changing one's mind keeps the plan.
    assert_eq!(choose(app, &ada, "Basic").await, "/dashboard/billing?saved=changed");
    assert!(!subscription_of(app, "ada@example.com").await.3);
    assert_eq!(choose(app, &ada, "Free").await, "/dashboard/billing?saved=changed");

    // The period ends (the test control): Free applies, 5 live pages stay live for now.
    let res = app.post_form(&ada, "/api/billing/test", "/dashboard/billing", &[]).await;
    assert_eq!(location(&res), "/dashboard/billing?saved=period_ended");
    assert_eq!(subscription_of(app, "ada@example.com").await.0, "Free");
    assert_eq!(live_ids(app).await.len(), 5, "nothing goes offline at once");
    let log = app.get(&ada, "/dashboard/security").await.text().await.expect("log");
    assert!(log.contains("subscription ended by the payment provider; now Free"), "the provider's change is in the security log");
    let page = billing_page(app, &ada).await;
    assert!(page.contains("5 of 3") && page.contains("meter meter--over"), "{page}");
    assert!(page.contains("Nothing is deleted: on"), "{page}");
    let mail = mails_to(app, "ada@example.com", "some content is above its limits").await;
    assert_eq!(mail.len(), 1, "one notice");
    assert!(mail[0].contains("5 live pages (the plan allows 3)"), "{}", mail[0]);
    // Nothing new passes the limit meanwhile.
    let (_, body) = call(app, &ada, "/api/pages/create", &[("page_type", "countdown"), ("headline", "Sixth")]).await;
    let sixth = body.as_str().expect("id").to_string();
    assert_eq!(call(app, &ada, "/api/pages/publish", &[("id", &sixth)]).await.0, 403);

    // 13 days later nothing has changed; after 14 the two newest go offline, once.
    run_billing_at(app, Utc::now() + TimeDelta::days(13)).await;
    assert_eq!(live_ids(app).await.len(), 5);
    run_billing_at(app, Utc::now() + TimeDelta::days(15)).await;
    run_billing_at(app, Utc::now() + TimeDelta::days(15)).await;
    assert_eq!(live_ids(app).await, ids[..3].to_vec(), "the oldest three stay live");
    let off = mails_to(app, "ada@example.com", "was switched off").await;
    assert_eq!(off.len(), 1, "one mail for one switch-off");
    assert!(off[0].contains("Launch 4") && off[0].contains("Launch 3") && !off[0].contains("Launch 2"), "{}", off[0]);
    let n: Result<i64, DbError> = db_read!(app.state.db, conn => Ok(pages::table.count().get_result(conn).await?));
    assert_eq!(n.expect("count"), 6, "nothing was deleted");
    let public = app.get(&app.new_browser(), &format!("/p/{}", short_id(app, &ids[4]).await)).await;
    assert_eq!(public.status().as_u16(), 410, "an offline page is gone for visitors");
    // Within the plan again: the next runs neither mark it nor switch anything else off.
    run_billing_at(app, Utc::now() + TimeDelta::days(30)).await;
    assert_eq!(over_plan_since(app).await, None, "within the plan again");
    assert_eq!(live_ids(app).await.len(), 3);
    assert_eq!(mails_to(app, "ada@example.com", "some content is above its limits").await.len(), 1);
}

/// Switching pages off during the grace period ends it: nothing is switched off later.
async fn coming_back_within_the_limits_ends_the_grace(app: &TestApp) {
    let ada = signed_in(app, "Ada", "ada@example.com").await;
    upgrade(app, &ada, "Basic").await;
    let ids = create_and_publish(app, &ada, 4).await;
    choose(app, &ada, "Free").await;
    app.post_form(&ada, "/api/billing/test", "/dashboard/billing", &[]).await;
    assert!(over_plan_since(app).await.is_some(), "in the grace period");
    assert_eq!(call(app, &ada, "/api/pages/unpublish", &[("id", &ids[1])]).await.0, 200);
    // The next tick reviews the organization: nothing is over any more, the grace period ends.
    run_billing_at(app, Utc::now()).await;
    assert_eq!(over_plan_since(app).await, None);
    assert!(!billing_page(app, &ada).await.contains("Nothing is deleted: on"));
    run_billing_at(app, Utc::now() + TimeDelta::days(15)).await;
    assert_eq!(live_ids(app).await.len(), 3);
    assert!(mails_to(app, "ada@example.com", "was switched off").await.is_empty());
}

async fn over_plan_since(app: &TestApp) -> Option<chrono::NaiveDateTime> {
    let r: Result<Option<chrono::NaiveDateTime>, DbError> =
        db_read!(app.state.db, conn => Ok(organizations::table.select(organizations::over_plan_since).first(conn).await?));
    r.expect("mark")
}

/// A failed renewal: past due (the plan stays, the admins are mailed, plan changes wait); when
/// the retries are over the subscription ends and Free applies.
async fn a_failed_payment_holds_plan_changes(app: &TestApp) {
    let ada = signed_in(app, "Ada", "ada@example.com").await;
    upgrade(app, &ada, "Basic").await;
    let res = app.post_form(&ada, "/api/billing/test", "/dashboard/billing", &[("fail_next", "true")]).await;
    assert_eq!(location(&res), "/dashboard/billing?saved=will_fail");
    app.post_form(&ada, "/api/billing/test", "/dashboard/billing", &[]).await;
    let (plan, status, _, _) = subscription_of(app, "ada@example.com").await;
    assert_eq!((plan.as_str(), status.as_str()), ("Basic", "past_due"), "the plan stays while the payment is retried");
    assert_eq!(mails_to(app, "ada@example.com", "payment for your Basic plan failed").await.len(), 1);
    assert!(billing_page(app, &ada).await.contains("Your last payment failed"));
    let (status, body) = call(app, &ada, "/api/billing/plan", &[("plan", "Premium")]).await;
    assert_eq!(status, 409, "{body}");
    assert!(body["message"].as_str().unwrap_or_default().contains("pending or failed"), "{body}");
    assert_eq!(subscription_of(app, "ada@example.com").await.0, "Basic", "nothing changed half-way");
    // The retries run out: the subscription ends.
    app.post_form(&ada, "/api/billing/test", "/dashboard/billing", &[]).await;
    assert_eq!(subscription_of(app, "ada@example.com").await.0, "Free");
}

/// A plan's new price reaches its subscribers at their renewal, not before.
async fn a_new_price_waits_for_the_renewal(app: &TestApp) {
    let ada = signed_in(app, "Ada", "ada@example.com").await;
    upgrade(app, &ada, "Basic").await;
    let r: Result<usize, DbError> = db_write!(app.state.db, conn => {
        Ok(diesel::update(plans::table.filter(plans::name.eq("Basic"))).set(plans::price_minor.eq(2400)).execute(conn).await?)
    });
    r.expect("new price");
    assert_eq!(subscription_of(app, "ada@example.com").await.2, 1900, "the subscriber keeps the price");
    let page = billing_page(app, &ada).await;
    assert!(page.contains("now costs $24.00 a month") && page.contains("You keep paying $19.00"), "{page}");
    // A week before the renewal nothing moves; in the hours before it, the price does.
    let renewal = end_date(app, "ada@example.com").await.and_utc();
    run_billing_at(app, renewal - TimeDelta::days(7)).await;
    assert_eq!(subscription_of(app, "ada@example.com").await.2, 1900);
    run_billing_at(app, renewal - TimeDelta::hours(1)).await;
    assert_eq!(subscription_of(app, "ada@example.com").await.2, 2400, "the next period costs the new price");
    // A newcomer pays the new price from the start.
    let bea = signed_in(app, "Bea", "bea@example.com").await;
    upgrade(app, &bea, "Basic").await;
    assert_eq!(subscription_of(app, "bea@example.com").await.2, 2400);
}

/// Billing is for admins: managers, editors and viewers are refused, nobody and other sites too.
async fn only_admins_reach_billing(app: &TestApp) {
    let ada = signed_in(app, "Ada", "ada@example.com").await;
    for role in ["manager", "editor", "viewer"] {
        set_role(app, "ada@example.com", role).await;
        assert_eq!(app.get(&ada, "/dashboard/billing").await.status().as_u16(), 403, "{role}");
        for (path, fields) in
            [("/api/billing", vec![]), ("/api/billing/plan", vec![("plan", "Basic")]), ("/api/billing/portal", vec![]), ("/api/billing/test", vec![])]
        {
            let (status, body) = call(app, &ada, path, &fields).await;
            assert_eq!(status, 403, "{role} {path}: {body}");
        }
    }
    set_role(app, "ada@example.com", "admin").await;
    let nobody = app.new_browser();
    for path in ["/api/billing", "/api/billing/plan", "/api/billing/portal", "/api/billing/test"] {
        assert_eq!(call(app, &nobody, path, &[("plan", "Basic")]).await.0, 401, "{path}");
        let other_site = common::foreign_client(Some("https://evil.example"));
        let res = other_site.post(app.url(path)).form(&[("plan", "Basic")]).send().await.expect("post");
        assert_eq!(res.status().as_u16(), 403, "{path} from another site");
    }
    // Without a subscription: no portal, no test controls.
    assert_eq!(call(app, &ada, "/api/billing/portal", &[]).await.0, 409);
    assert_eq!(call(app, &ada, "/api/billing/test", &[]).await.0, 409);
    assert_eq!(call(app, &ada, "/api/billing/plan", &[("plan", "Free")]).await.0, 409, "already on Free");
    assert_eq!(call(app, &ada, "/api/billing/plan", &[("plan", "")]).await.0, 422);
}

backend_tests! {
    the_pricing_page_shows_the_visible_plans,
    upgrading_through_the_test_checkout_raises_the_limits,
    paid_plans_change_at_once_and_renew,
    a_downgrade_waits_for_the_period_and_the_grace,
    coming_back_within_the_limits_ends_the_grace,
    a_failed_payment_holds_plan_changes,
    a_new_price_waits_for_the_renewal,
    only_admins_reach_billing,
}
