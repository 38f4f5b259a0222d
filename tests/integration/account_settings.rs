//! The account's own settings on SQLite and PostgreSQL: name, password (current one first, other
//! browsers logged out), email (changed only from the link sent to the new address, with a notice
//! to the old one), and the list of signed-in browsers with "log out" for each.

use crate::common;

use common::{PASSWORD, TestApp, location, set_role};
use diesel::{ExpressionMethods, OptionalExtension, QueryDsl, TextExpressionMethods};
use flashpage::infra::db::DbError;
use flashpage::infra::db::schema::{mail_outbox, security_log, sessions, users};
use flashpage::{db_read, db_write};

async fn page(app: &TestApp, browser: &reqwest::Client, path: &str) -> String {
    let res = app.get(browser, path).await;
    assert_eq!(res.status(), 200, "{path}");
    res.text().await.expect("body")
}

async fn login(app: &TestApp, email: &str, password: &str) -> (u16, reqwest::Client) {
    let browser = app.new_browser();
    let status = app.call(&browser, "/api/login", &[("email", email), ("password", password)]).await.status().as_u16();
    (status, browser)
}

async fn user_id(app: &TestApp, email: &str) -> String {
    let email = email.to_string();
    let r: Result<String, DbError> = db_read!(app.state.db, conn => {
        Ok(users::table.filter(users::email.eq(&email)).select(users::id).first(conn).await?)
    });
    r.expect("user id")
}

async fn count(app: &TestApp, event: &str) -> i64 {
    let event = event.to_string();
    let r: Result<i64, DbError> = db_read!(app.state.db, conn => {
        Ok(security_log::table.filter(security_log::event.eq(&event)).count().get_result(conn).await?)
    });
    r.expect("count")
}

/// The text of the newest mail to `to` with this subject.
async fn mail_to(app: &TestApp, to: &str, subject: &str) -> Option<String> {
    let (to, subject) = (to.to_string(), subject.to_string());
    let r: Result<Option<String>, DbError> = db_read!(app.state.db, conn => {
        Ok(mail_outbox::table
            .filter(mail_outbox::recipient.eq(&to))
            .filter(mail_outbox::subject.eq(&subject))
            .order(mail_outbox::created_at.desc())
            .select(mail_outbox::text_body)
            .first(conn)
            .await
            .optional()?)
    });
    r.expect("outbox")
}

fn token_after(text: &str, path: &str) -> String {
    let start = text.find(path).expect("a link") + path.len();
    text[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect()
}

async fn the_name_is_saved_and_checked(app: &TestApp) {
    let browser = app.new_browser();
    app.signup(&browser, "Ada", "ada@example.com").await;
    let html = page(app, &browser, "/dashboard/account").await;
    assert!(html.contains("value=\"Ada\"") && html.contains("ada@example.com"), "{html}");
    assert!(html.contains("href=\"/dashboard/account\""), "the navigation links the account page");
    let res = app.post_form(&browser, "/api/account/name", "/dashboard/account", &[("name", "  Ada Lovelace ")]).await;
    assert_eq!((res.status().as_u16(), location(&res)), (302, "/dashboard/account?saved=name".to_string()));
    assert!(page(app, &browser, "/dashboard").await.contains("Ada Lovelace"));
    let empty = app.call(&browser, "/api/account/name", &[("name", "   ")]).await;
    assert_eq!(empty.status(), 422);
    let back = app.post_form(&browser, "/api/account/name", "/dashboard/account", &[("name", "")]).await;
    let html = page(app, &browser, location(&back).trim_start_matches(&app.base)).await;
    assert!(html.contains("Enter your name."), "the refusal beside the field without JavaScript");
    // Nobody signed in: no account page, no change.
    let stranger = app.new_browser();
    assert_eq!(app.get(&stranger, "/dashboard/account").await.status(), 302);
    assert_eq!(app.call(&stranger, "/api/account/name", &[("name", "Mallory")]).await.status(), 401);
}

async fn a_new_password_needs_the_current_one_and_logs_other_browsers_out(app: &TestApp) {
    let laptop = app.new_browser();
    app.signup(&laptop, "Ada", "ada@example.com").await;
    let (_, phone) = login(app, "ada@example.com", PASSWORD).await;
    let wrong = app.call(&laptop, "/api/account/password", &[("current_password", "not my password"), ("new_password", "a brand new passphrase")]).await;
    assert_eq!(wrong.status(), 422);
    let body: serde_json::Value = wrong.json().await.expect("json");
    assert_eq!(body["fields"][0]["field"], "current_password");
    let weak = app.call(&laptop, "/api/account/password", &[("current_password", PASSWORD), ("new_password", "short")]).await;
    assert_eq!(weak.status(), 422);
    assert_eq!(app.get(&phone, "/dashboard").await.status(), 200, "nothing changed yet");

    let res = app
        .post_form(&laptop, "/api/account/password", "/dashboard/account", &[("current_password", PASSWORD), ("new_password", "a brand new passphrase")])
        .await;
    assert_eq!(location(&res), "/dashboard/account?saved=password");
    assert_eq!(app.get(&laptop, "/dashboard").await.status(), 200, "this browser stays in");
    assert_eq!(app.get(&phone, "/dashboard").await.status(), 302, "the other is logged out");
    assert_eq!(login(app, "ada@example.com", PASSWORD).await.0, 401);
    assert_eq!(login(app, "ada@example.com", "a brand new passphrase").await.0, 200);
    assert_eq!(count(app, "password_changed").await, 1);
}

/// Guessing the current password from an open session counts like guessing at the login form.
async fn current_password_guesses_are_limited(app: &TestApp) {
    let browser = app.new_browser();
    app.signup(&browser, "Ada", "ada@example.com").await;
    for i in 0..5 {
        let res = app
            .call(&browser, "/api/account/password", &[("current_password", &format!("guess number {i}")), ("new_password", "a brand new passphrase")])
            .await;
        assert_eq!(res.status(), 422);
    }
    let res = app.call(&browser, "/api/account/password", &[("current_password", PASSWORD), ("new_password", "a brand new passphrase")]).await;
    assert_eq!(res.status(), 429, "even the right password waits once the limit is reached");
}

async fn the_email_changes_only_from_the_link_sent_to_the_new_address(app: &TestApp) {
    let browser = app.new_browser();
    app.signup(&browser, "Ada", "ada@example.com").await;
    app.signup(&app.new_browser(), "Bob", "bob@example.com").await;
    let taken = app.call(&browser, "/api/account/email", &[("email", "BOB@example.com"), ("password", PASSWORD)]).await;
    assert_eq!(taken.status(), 422);
    assert!(taken.text().await.expect("body").contains("Another account uses that address."));
    let same = app.call(&browser, "/api/account/email", &[("email", "ada@example.com"), ("password", PASSWORD)]).await;
    assert_eq!(same.status(), 422);
    let wrong = app.call(&browser, "/api/account/email", &[("email", "ada@new.example"), ("password", "not my password")]).await;
    assert_eq!(wrong.status(), 422);
    assert!(mail_to(app, "ada@new.example", "Confirm your new Flashpage email address").await.is_none());

    let res = app.post_form(&browser, "/api/account/email", "/dashboard/account", &[("email", "Ada@New.example"), ("password", PASSWORD)]).await;
    assert_eq!(location(&res), "/dashboard/account?saved=email");
    let html = page(app, &browser, "/dashboard/account").await;
    assert!(html.contains("data-testid=\"pending-email\"") && html.contains("ada@new.example"), "{html}");
    let notice = mail_to(app, "ada@example.com", "Your Flashpage email address is being changed").await.expect("a notice to the old address");
    assert!(notice.contains("ada@new.example") && notice.contains("/forgot-password"), "{notice}");
    let text = mail_to(app, "ada@new.example", "Confirm your new Flashpage email address").await.expect("a link to the new address");
    let token = token_after(&text, "/confirm-email/");
    assert_eq!(login(app, "ada@example.com", PASSWORD).await.0, 200, "nothing changes before the link is used");

    // Opening the link changes nothing (mail scanners open links); the button does.
    let visitor = app.new_browser();
    let confirm = page(app, &visitor, &format!("/confirm-email/{token}")).await;
    assert!(confirm.contains("ada@new.example") && confirm.contains("Confirm new address"), "{confirm}");
    assert_eq!(login(app, "ada@new.example", PASSWORD).await.0, 401);
    let res = app.post_form(&visitor, "/api/account/email/confirm", &format!("/confirm-email/{token}"), &[("token", &token)]).await;
    assert_eq!(location(&res), "/confirm-email/done");
    assert!(page(app, &visitor, "/confirm-email/done").await.contains("data-testid=\"email-confirmed\""));
    assert_eq!(login(app, "ada@example.com", PASSWORD).await.0, 401, "the old address no longer logs in");
    assert_eq!(login(app, "ada@new.example", PASSWORD).await.0, 200);
    assert_eq!(app.get(&browser, "/dashboard").await.status(), 200, "sessions go on");

    // The link is spent.
    let again = app.call(&visitor, "/api/account/email/confirm", &[("token", &token)]).await;
    assert_eq!(again.status(), 410);
    assert!(page(app, &visitor, &format!("/confirm-email/{token}")).await.contains("data-testid=\"email-link-dead\""));
    assert_eq!(count(app, "email_changed").await, 1);
}

/// The address was taken by someone else between the request and the click: a clear refusal.
async fn an_address_taken_in_the_meantime_is_refused(app: &TestApp) {
    let browser = app.new_browser();
    app.signup(&browser, "Ada", "ada@example.com").await;
    app.call(&browser, "/api/account/email", &[("email", "shared@example.com"), ("password", PASSWORD)]).await;
    let token = token_after(&mail_to(app, "shared@example.com", "Confirm your new Flashpage email address").await.expect("link"), "/confirm-email/");
    app.signup(&app.new_browser(), "Carol", "shared@example.com").await;
    let res = app.call(&app.new_browser(), "/api/account/email/confirm", &[("token", &token)]).await;
    assert_eq!(res.status(), 409);
    let r: Result<String, DbError> = db_read!(app.state.db, conn => {
        Ok(users::table.filter(users::name.eq("Ada")).select(users::email).first(conn).await?)
    });
    assert_eq!(r.expect("email"), "ada@example.com");
}

async fn browsers_are_listed_and_logged_out_one_by_one(app: &TestApp) {
    let laptop = app.new_browser();
    app.signup(&laptop, "Ada", "ada@example.com").await;
    let phone = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1")
        .build()
        .expect("client");
    let res = phone
        .post(app.url("/api/login"))
        .header("origin", &app.base)
        .header("accept", "text/html")
        .form(&[("email", "ada@example.com"), ("password", PASSWORD)])
        .send()
        .await
        .expect("login");
    assert_eq!(res.status(), 302);
    let (_, tablet) = login(app, "ada@example.com", PASSWORD).await;
    let html = page(app, &laptop, "/dashboard/account").await;
    assert!(html.contains("Safari on iPhone") && html.contains("This browser"), "{html}");
    assert_eq!(html.matches("name=\"id\"").count(), 2, "a log-out button for each other browser, none for this one");

    // Someone else's session id does nothing.
    let bob_browser = app.new_browser();
    app.signup(&bob_browser, "Bob", "bob@example.com").await;
    let phone_id = {
        let r: Result<String, DbError> = db_read!(app.state.db, conn => {
            Ok(sessions::table.filter(sessions::user_agent.like("%iPhone%")).select(sessions::id).first(conn).await?)
        });
        r.expect("phone session")
    };
    let foreign = app.call(&bob_browser, "/api/account/sessions/end", &[("id", &phone_id)]).await;
    assert_eq!(foreign.status(), 404, "another person's session is not theirs to end");
    assert_eq!(phone.get(app.url("/dashboard")).send().await.expect("get").status(), 200);

    let res = app.post_form(&laptop, "/api/account/sessions/end", "/dashboard/account", &[("id", &phone_id)]).await;
    assert_eq!(location(&res), "/dashboard/account?saved=session");
    assert_eq!(phone.get(app.url("/dashboard")).send().await.expect("get").status(), 302, "the phone is logged out");
    assert_eq!(app.get(&tablet, "/dashboard").await.status(), 200);
    let res = app.post_form(&laptop, "/api/account/sessions/end-others", "/dashboard/account", &[]).await;
    assert_eq!(location(&res), "/dashboard/account?saved=sessions");
    assert_eq!(app.get(&tablet, "/dashboard").await.status(), 302);
    assert_eq!(app.get(&laptop, "/dashboard").await.status(), 200);
    assert_eq!(count(app, "session_ended").await, 2);
}

/// Every role has an account page of its own (a viewer too).
async fn viewers_manage_their_own_account(app: &TestApp) {
    let browser = app.new_browser();
    app.signup(&browser, "Vera", "vera@example.com").await;
    set_role(app, "vera@example.com", "viewer").await;
    assert_eq!(app.get(&browser, "/dashboard/account").await.status(), 200);
    let res = app.call(&browser, "/api/account/name", &[("name", "Vera V")]).await;
    assert_eq!(res.status(), 200);
}

/// A session's last use is recorded, at most every few minutes.
async fn last_use_is_recorded(app: &TestApp) {
    let browser = app.new_browser();
    app.signup(&browser, "Ada", "ada@example.com").await;
    let long_ago = chrono::Utc::now().naive_utc() - chrono::Duration::days(2);
    let r: Result<usize, DbError> = db_write!(app.state.db, conn => {
        Ok(diesel::update(sessions::table).set(sessions::last_used_at.eq(long_ago)).execute(conn).await?)
    });
    r.expect("set");
    app.get(&browser, "/dashboard").await;
    let mut last = None;
    for _ in 0..50 {
        let r: Result<Option<chrono::NaiveDateTime>, DbError> = db_read!(app.state.db, conn => {
            Ok(sessions::table.select(sessions::last_used_at).first(conn).await?)
        });
        last = r.expect("read");
        if last.is_some_and(|t| t > long_ago) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(last.is_some_and(|t| t > chrono::Utc::now().naive_utc() - chrono::Duration::minutes(1)), "{last:?}");
}

/// Admins read their organization's log, and only theirs; others are refused; filters work and
/// a wrong filter is a clear error; exports of personal data are in it.
async fn admins_read_their_organizations_security_log(app: &TestApp) {
    let admin = app.new_browser();
    app.signup(&admin, "Ada", "ada@example.com").await;
    let stranger = app.new_browser();
    app.signup(&stranger, "Mallory", "mallory@example.com").await;
    login(app, "ada@example.com", "a wrong password").await;
    login(app, "mallory@example.com", "another wrong one").await;
    assert_eq!(app.get(&admin, "/dashboard/orders.csv").await.status(), 200);

    let html = page(app, &admin, "/dashboard").await;
    assert!(html.contains("href=\"/dashboard/security\""), "admins find the log from the dashboard");
    let html = page(app, &admin, "/dashboard/security").await;
    assert!(html.contains("data-testid=\"security-log\""), "{html}");
    assert!(html.contains("Signed up") && html.contains("Wrong password") && html.contains("Exported orders"), "{html}");
    assert!(!html.contains("Mallory"), "another organization's entries never show");

    let (status, body) = common::call(app, &admin, "/api/security-log", &[("event", "login_failure")]).await;
    assert_eq!(status, 200);
    assert_eq!(body["entries"].as_array().map(Vec::len), Some(1), "{body}");
    let mallory_id = user_id(app, "mallory@example.com").await;
    let (status, _) = common::call(app, &admin, "/api/security-log", &[("person", &mallory_id)]).await;
    assert_eq!(status, 422, "someone of another organization is not a choice");
    let (status, _) = common::call(app, &admin, "/api/security-log", &[("event", "made_up")]).await;
    assert_eq!(status, 422);
    let (status, _) = common::call(app, &admin, "/api/security-log", &[("older_than", "yesterday")]).await;
    assert_eq!(status, 422);
    let html = page(app, &admin, "/dashboard/security?event=made_up").await;
    assert!(html.contains("data-testid=\"security-log-error\""), "a bad filter in the address is a message, not a failure");

    for role in ["manager", "editor", "viewer"] {
        let member = app.new_browser();
        let email = format!("{role}@example.com");
        app.signup(&member, role, &email).await;
        set_role(app, &email, role).await;
        assert_eq!(common::call(app, &member, "/api/security-log", &[]).await.0, 403, "{role}");
        assert!(!page(app, &member, "/dashboard").await.contains("href=\"/dashboard/security\""), "{role}");
    }
    assert_eq!(common::call(app, &app.new_browser(), "/api/security-log", &[]).await.0, 401);
    assert!(count(app, "security_log_viewed").await >= 2);
}

/// More than a page of entries: the "older entries" link continues where the page ended.
async fn the_security_log_pages_back(app: &TestApp) {
    let admin = app.new_browser();
    app.signup(&admin, "Ada", "ada@example.com").await;
    let ada = user_id(app, "ada@example.com").await;
    let start = chrono::Utc::now().naive_utc() - chrono::Duration::hours(2);
    for i in 0..60 {
        flashpage::accounts::backend::security_log::record(
            &app.state.db,
            flashpage::accounts::backend::security_log::SecurityEvent::LoginSuccess,
            Some(&ada),
            Some("ada@example.com"),
            Some("203.0.113.9"),
            start + chrono::Duration::seconds(i),
        )
        .await
        .expect("record");
    }
    let (_, first) = common::call(app, &admin, "/api/security-log", &[("event", "login_success")]).await;
    assert_eq!(first["entries"].as_array().map(Vec::len), Some(50));
    let older = first["older"].as_str().expect("a next page").to_string();
    let (_, second) = common::call(app, &admin, "/api/security-log", &[("event", "login_success"), ("older_than", &older)]).await;
    assert_eq!(second["entries"].as_array().map(Vec::len), Some(10));
    assert!(second["older"].is_null());
    let html = page(app, &admin, "/dashboard/security?event=login_success").await;
    assert!(html.contains(&format!("/dashboard/security?older_than={older}&amp;event=login_success")), "the link keeps the filter");
}

/// Every account action needs a session; a request from another site is refused before it.
async fn account_actions_need_a_session_and_this_site(app: &TestApp) {
    let nobody = app.new_browser();
    let other_site = common::foreign_client(Some("https://evil.example"));
    let actions: [(&str, &[(&str, &str)]); 7] = [
        ("/api/account", &[]),
        ("/api/account/name", &[("name", "Mallory")]),
        ("/api/account/password", &[("current_password", PASSWORD), ("new_password", "a brand new passphrase")]),
        ("/api/account/email", &[("email", "m@example.com"), ("password", PASSWORD)]),
        ("/api/account/sessions/end", &[("id", "x")]),
        ("/api/account/sessions/end-others", &[]),
        ("/api/security-log", &[]),
    ];
    for (path, fields) in actions {
        assert_eq!(common::call(app, &nobody, path, fields).await.0, 401, "{path}");
        let res = other_site.post(app.url(path)).header("accept", "application/json").form(fields).send().await.expect("request");
        assert_eq!(res.status(), 403, "another site: {path}");
    }
    // The public links' endpoints are for this site's pages only, too.
    for path in ["/api/password/forgot", "/api/password/reset", "/api/account/email/confirm", "/api/invitation/accept"] {
        let res = other_site
            .post(app.url(path))
            .header("accept", "application/json")
            .form(&[("email", "a@example.com"), ("token", "t")])
            .send()
            .await
            .expect("request");
        assert_eq!(res.status(), 403, "another site: {path}");
    }
}

backend_tests! {
    account_actions_need_a_session_and_this_site,
    admins_read_their_organizations_security_log,
    the_security_log_pages_back,
    the_name_is_saved_and_checked,
    a_new_password_needs_the_current_one_and_logs_other_browsers_out,
    current_password_guesses_are_limited,
    the_email_changes_only_from_the_link_sent_to_the_new_address,
    an_address_taken_in_the_meantime_is_refused,
    browsers_are_listed_and_logged_out_one_by_one,
    viewers_manage_their_own_account,
    last_use_is_recorded,
}
