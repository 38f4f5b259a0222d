//! Sign-up and its confirmation link, on SQLite and PostgreSQL: the answer is the same for any
//! address (the owner of an existing account is mailed instead), an account logs in only once
//! its address is confirmed, an unconfirmed account gives its address up after a week (or at
//! once to a link that proves the mailbox), and selling and payouts need a confirmed owner.

use crate::common;

use chrono::{Duration, NaiveDateTime, Utc};
use common::{PASSWORD, TestApp, call, location, set_cookies, set_plan};
use diesel::{ExpressionMethods, QueryDsl};
use flashpage::infra::db::DbError;
use flashpage::infra::db::schema::*;
use flashpage::{db_read, db_write};

const CONFIRM: &str = "Confirm your Flashpage account";
const NOTE: &str = "You already have a Flashpage account";

/// Posts the sign-up form as a browser without JavaScript does.
async fn sign_up(app: &TestApp, client: &reqwest::Client, name: &str, email: &str) -> reqwest::Response {
    app.post_form(client, "/api/signup", "/signup", &[("name", name), ("email", email), ("password", PASSWORD)]).await
}

/// Waits (sign-up works after its answer) until `n` messages to `to` with `subject` are queued.
async fn wait_for_mails(app: &TestApp, to: &str, subject: &str, n: usize) -> Vec<String> {
    for _ in 0..100 {
        let found = app.mail_bodies(to, subject).await;
        if found.len() >= n {
            return found;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("fewer than {n} messages to {to} about {subject:?}");
}

/// The accounts using `email`: (name, when confirmed).
async fn accounts(app: &TestApp, email: &str) -> Vec<(String, Option<NaiveDateTime>)> {
    let email = email.to_string();
    let r: Result<Vec<(String, Option<NaiveDateTime>)>, DbError> = db_read!(app.state.db, conn => {
        Ok(users::table.filter(users::email.eq(&email)).select((users::name, users::email_confirmed_at)).load(conn).await?)
    });
    r.expect("users")
}

async fn organization_count(app: &TestApp) -> i64 {
    let r: Result<i64, DbError> = db_read!(app.state.db, conn => Ok(organizations::table.count().get_result(conn).await?));
    r.expect("count")
}

/// Moves the account's creation `days` into the past.
async fn age(app: &TestApp, email: &str, days: i64) {
    let (email, then) = (email.to_string(), Utc::now().naive_utc() - Duration::days(days));
    let r: Result<usize, DbError> = db_write!(app.state.db, conn => {
        Ok(diesel::update(users::table.filter(users::email.eq(&email))).set(users::created_at.eq(then)).execute(conn).await?)
    });
    assert_eq!(r.expect("age"), 1);
}

async fn confirm(app: &TestApp, client: &reqwest::Client, token: &str) -> reqwest::Response {
    app.post_form(client, "/api/account/confirm", &format!("/confirm-account/{token}"), &[("token", token)]).await
}

async fn the_answer_is_the_same_for_any_address(app: &TestApp) {
    assert_eq!(app.signup(&app.new_browser(), "Ada", "ada@example.com").await.status(), 302);
    // Without JavaScript: the same redirect and body for a taken address and a new one, and no
    // session for either.
    let (a, b) = (app.new_browser(), app.new_browser());
    let known = sign_up(app, &a, "Imposter", " ADA@example.com ").await;
    let fresh = sign_up(app, &b, "Bea", "bea@example.com").await;
    assert_eq!(known.status(), 302);
    assert_eq!((known.status(), location(&known)), (fresh.status(), location(&fresh)));
    assert_eq!(location(&known), "/signup?sent=1");
    assert!(set_cookies(&known).is_empty() && set_cookies(&fresh).is_empty(), "a sign-up signs nobody in");
    assert_eq!(known.text().await.expect("body"), fresh.text().await.expect("body"));
    let page = app.get(&a, "/signup?sent=1").await.text().await.expect("page");
    assert!(page.contains("Check your inbox") && page.contains("data-testid=\"signup-sent\""), "{page}");
    // With JavaScript: the same JSON answer.
    let taken = call(app, &app.new_browser(), "/api/signup", &[("name", "Imposter"), ("email", "ada@example.com"), ("password", PASSWORD)]).await;
    let new = call(app, &app.new_browser(), "/api/signup", &[("name", "Cy"), ("email", "cy@example.com"), ("password", PASSWORD)]).await;
    assert_eq!(taken, new);
    assert_eq!(taken.0, 200);

    // By mail: the owner is told (twice, once a sign-up) and nothing of the form is repeated;
    // the new addresses get their links; no second account.
    let notes = wait_for_mails(app, "ada@example.com", NOTE, 2).await;
    assert!(notes[0].contains("/login") && notes[0].contains("/forgot-password") && !notes[0].contains("Imposter"), "{}", notes[0]);
    assert!(!notes[0].contains("/confirm-account/"), "the note grants nothing");
    assert!(app.mail_bodies("ada@example.com", CONFIRM).await.len() == 1, "only Ada's own sign-up sent a link");
    wait_for_mails(app, "bea@example.com", CONFIRM, 1).await;
    wait_for_mails(app, "cy@example.com", CONFIRM, 1).await;
    let ada = accounts(app, "ada@example.com").await;
    assert_eq!(ada.len(), 1);
    assert_eq!(ada[0].0, "Ada");
    assert!(ada[0].1.is_some());
    assert_eq!(organization_count(app).await, 3, "Ada's, Bea's and Cy's");
}

async fn an_unconfirmed_account_logs_in_only_through_its_link(app: &TestApp) {
    let browser = app.new_browser();
    assert_eq!(location(&sign_up(app, &browser, "Ada", "ada@example.com").await), "/signup?sent=1");
    let first = app.confirmation_token("ada@example.com").await;
    assert_eq!(app.get(&browser, "/dashboard").await.status(), 302, "not signed in yet");

    // The right password: no session, a new link by mail (said only to whoever knows the password).
    let (status, body) = call(app, &browser, "/api/login", &[("email", "ada@example.com"), ("password", PASSWORD)]).await;
    assert_eq!(status, 403, "{body}");
    assert!(body["message"].as_str().unwrap_or_default().contains("Confirm your email address first"), "{body}");
    assert_eq!(app.get(&browser, "/dashboard").await.status(), 302);
    wait_for_mails(app, "ada@example.com", CONFIRM, 2).await;
    let second = app.confirmation_token("ada@example.com").await;
    assert_ne!(first, second);
    // A wrong one: the answer every failed login gets.
    let (status, body) = call(app, &browser, "/api/login", &[("email", "ada@example.com"), ("password", "wrong password!")]).await;
    assert_eq!(status, 401);
    assert_eq!(body["message"], "That email and password don't match an account.");

    // Opening the link shows a button; only pressing it confirms (mail scanners open links).
    let page = app.get(&browser, &format!("/confirm-account/{second}")).await;
    assert_eq!(page.status(), 200);
    assert!(page.text().await.expect("page").contains("Confirm and continue"));
    assert!(accounts(app, "ada@example.com").await[0].1.is_none());

    let res = confirm(app, &browser, &second).await;
    assert_eq!(res.status(), 302);
    assert_eq!(location(&res), "/dashboard?confirmed=1");
    assert!(set_cookies(&res).iter().any(|c| c.starts_with("fp_session=")));
    assert_eq!(app.get(&browser, "/dashboard").await.status(), 200);
    assert!(accounts(app, "ada@example.com").await[0].1.is_some());

    // Once only, and the older link died with it; without JavaScript the refusal shows on the page.
    for token in [&first, &second] {
        assert_eq!(call(app, &app.new_browser(), "/api/account/confirm", &[("token", token)]).await.0, 410);
    }
    let other = app.new_browser();
    let res = confirm(app, &other, &first).await;
    let back = location(&res);
    assert!(back.contains(&format!("/confirm-account/{first}?")) && back.contains("__err="), "{back}");
    let html = app.get(&other, back.trim_start_matches(&app.base)).await.text().await.expect("page");
    assert!(html.contains("expired or was already used"), "{html}");
    assert_eq!(app.get(&other, "/dashboard").await.status(), 302, "a dead link signs nobody in");

    assert_eq!(call(app, &app.new_browser(), "/api/login", &[("email", "ada@example.com"), ("password", PASSWORD)]).await.0, 200);
}

async fn an_unconfirmed_address_is_given_up_after_a_week(app: &TestApp) {
    // Someone signs up with Vic's address and never confirms it.
    sign_up(app, &app.new_browser(), "Squatter", "vic@example.com").await;
    let squatter_link = app.confirmation_token("vic@example.com").await;
    // Vic, within the week: told by mail how to get in (logging in or a password reset, which
    // both need the mailbox), and nothing else changes.
    assert_eq!(location(&sign_up(app, &app.new_browser(), "Vic", "vic@example.com").await), "/signup?sent=1");
    let note = wait_for_mails(app, "vic@example.com", NOTE, 1).await;
    assert!(note[0].contains("waiting for its confirmation"), "{}", note[0]);
    assert_eq!(accounts(app, "vic@example.com").await, vec![("Squatter".to_string(), None)]);

    // A week on, the address is free again: the squatter's account and organization go.
    age(app, "vic@example.com", 8).await;
    let vic = app.new_browser();
    assert_eq!(location(&sign_up(app, &vic, "Vic", "vic@example.com").await), "/signup?sent=1");
    wait_for_mails(app, "vic@example.com", CONFIRM, 2).await;
    assert_eq!(accounts(app, "vic@example.com").await, vec![("Vic".to_string(), None)]);
    assert_eq!(organization_count(app).await, 1);
    assert_eq!(call(app, &app.new_browser(), "/api/account/confirm", &[("token", &squatter_link)]).await.0, 410);
    let token = app.confirmation_token("vic@example.com").await;
    assert_eq!(location(&confirm(app, &vic, &token).await), "/dashboard?confirmed=1");

    // The hourly housekeeping deletes what was never confirmed within the week.
    sign_up(app, &app.new_browser(), "Nobody", "nobody@example.com").await;
    app.confirmation_token("nobody@example.com").await;
    age(app, "nobody@example.com", 8).await;
    flashpage::web::startup::housekeeping_round(&app.state).await;
    assert!(accounts(app, "nobody@example.com").await.is_empty());
    assert_eq!(accounts(app, "vic@example.com").await.len(), 1, "a confirmed account stays, whatever its age");
    assert_eq!(organization_count(app).await, 1);
}

async fn a_link_that_proves_the_mailbox_takes_the_address_at_once(app: &TestApp) {
    let owner = app.new_browser();
    app.signup(&owner, "Owner", "owner@example.com").await;
    set_plan(app, "owner@example.com", "Basic").await;
    let group: String = {
        let r: Result<String, DbError> = db_read!(app.state.db, conn => {
            Ok(users::table.filter(users::email.eq("owner@example.com")).select(users::group_id).first(conn).await?)
        });
        r.expect("group")
    };
    // Bob's and Zed's addresses, claimed by someone who cannot confirm them.
    for email in ["bob@example.com", "zed@example.com"] {
        sign_up(app, &app.new_browser(), "Squatter", email).await;
        app.confirmation_token(email).await;
    }
    // An invitation to Bob: accepting it proves his mailbox.
    let bob = common::join_team(app, &owner, "bob@example.com", "editor", &group).await;
    assert_eq!(app.get(&bob, "/dashboard").await.status(), 200);
    let held = accounts(app, "bob@example.com").await;
    assert_eq!(held.len(), 1);
    assert_ne!(held[0].0, "Squatter");
    assert!(held[0].1.is_some(), "an invited member's address is confirmed");

    // The owner moves to Zed's address: the link to it proves that mailbox.
    let (status, body) = call(app, &owner, "/api/account/email", &[("email", "zed@example.com"), ("password", PASSWORD)]).await;
    assert_eq!(status, 200, "an unconfirmed claim does not block a change: {body}");
    let token = app.newest_link("zed@example.com", "Confirm your new Flashpage email address", "/confirm-email/").await.expect("a link");
    assert_eq!(call(app, &owner, "/api/account/email/confirm", &[("token", &token)]).await.0, 200);
    let zed = accounts(app, "zed@example.com").await;
    assert_eq!(zed.len(), 1);
    assert_eq!(zed[0].0, "Owner");
    assert_eq!(organization_count(app).await, 1, "both squatters' organizations went");

    // A password reset proves the mailbox too: it confirms the account it resets.
    sign_up(app, &app.new_browser(), "Ann", "ann@example.com").await;
    app.confirmation_token("ann@example.com").await;
    assert_eq!(call(app, &app.new_browser(), "/api/password/forgot", &[("email", "ann@example.com")]).await.0, 200);
    let reset = app.newest_link("ann@example.com", "Reset your Flashpage password", "/reset-password/").await.expect("a reset link");
    let browser = app.new_browser();
    assert_eq!(call(app, &browser, "/api/password/reset", &[("token", &reset), ("password", "a brand new passphrase")]).await.0, 200);
    assert!(accounts(app, "ann@example.com").await[0].1.is_some());
    assert_eq!(app.get(&browser, "/dashboard").await.status(), 200);
}

async fn selling_and_payouts_need_a_confirmed_owner(app: &TestApp) {
    let creator = app.new_browser();
    app.signup(&creator, "Creator", "creator@example.com").await;
    let (status, product) = call(
        app,
        &creator,
        "/api/products/create",
        &[("form[name]", "Course"), ("form[description]", "A guide."), ("form[price]", "19.99"), ("form[currency]", "USD"), ("form[expiresAt]", "")],
    )
    .await;
    assert_eq!(status, 200, "{product}");
    let product = product.as_str().expect("id").to_string();
    let (status, page) = call(app, &creator, "/api/pages/create", &[("page_type", "flash-sale"), ("headline", "Sale")]).await;
    assert_eq!(status, 200, "{page}");
    let page = page.as_str().expect("id").to_string();
    let ends = (Utc::now() + Duration::days(2)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let settings =
        serde_json::json!({"saleEndTime": ends, "discountPercentage": 20, "originalPriceDisplay": true, "inventoryLimit": 10, "soldOutAction": "show-message"});
    let look = serde_json::json!({"headline": "Launch sale"}).to_string();
    let (status, body) = call(
        app,
        &creator,
        "/api/pages/update",
        &[("id", &page), ("settings", &settings.to_string()), ("customization", &look), ("launch_at", ""), ("expires_at", "")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let block = [("page_id", page.as_str()), ("item[kind]", "product"), ("item[product_id]", product.as_str()), ("item[title]", ""), ("item[description]", "")];
    assert_eq!(call(app, &creator, "/api/pages/content/add", &block).await.0, 200);

    // The address becomes unconfirmed (an account from before confirmation could only be so by
    // a bug: the gate is where the money starts, whatever let the account in).
    let r: Result<usize, DbError> = db_write!(app.state.db, conn => {
        Ok(diesel::update(users::table.filter(users::email.eq("creator@example.com"))).set(users::email_confirmed_at.eq(None::<NaiveDateTime>)).execute(conn).await?)
    });
    assert_eq!(r.expect("unconfirm"), 1);
    let (status, body) = call(app, &creator, "/api/pages/publish", &[("id", &page)]).await;
    assert_eq!(status, 403, "{body}");
    assert!(body["message"].as_str().unwrap_or_default().contains("Confirm the owner's email address"), "{body}");
    assert_eq!(call(app, &creator, "/api/pages/content/add", &block).await.0, 403, "no product block either");
    assert_eq!(call(app, &creator, "/api/payouts/onboard", &[]).await.0, 403, "nor payouts");

    let r: Result<usize, DbError> = db_write!(app.state.db, conn => {
        Ok(diesel::update(users::table.filter(users::email.eq("creator@example.com"))).set(users::email_confirmed_at.eq(Utc::now().naive_utc())).execute(conn).await?)
    });
    assert_eq!(r.expect("confirm"), 1);
    assert_eq!(call(app, &creator, "/api/pages/publish", &[("id", &page)]).await.0, 200, "confirmed: it publishes");
}

backend_tests! {
    the_answer_is_the_same_for_any_address,
    an_unconfirmed_account_logs_in_only_through_its_link,
    an_unconfirmed_address_is_given_up_after_a_week,
    a_link_that_proves_the_mailbox_takes_the_address_at_once,
    selling_and_payouts_need_a_confirmed_owner,
}
