//! The forgotten password on SQLite and PostgreSQL: the reset link by mail (read back from a real
//! SMTP server in `smtp_…`), single use under racing clicks, one hour, rate-limited, never telling
//! who has an account, and ending every session of the account.

use crate::common;

use common::smtp::SmtpServer;
use common::{Backend, Options, PASSWORD, TestApp, location, set_cookies};
use diesel::{ExpressionMethods, QueryDsl};
use flashpage::infra::db::DbError;
use flashpage::infra::db::schema::{account_tokens, mail_outbox, security_log, sessions};
use flashpage::infra::mail::sender::deliver_due;
use flashpage::infra::mail::transport::Mailer;
use flashpage::{db_read, db_write};
use std::sync::Arc;

const NEW_PASSWORD: &str = "a brand new passphrase";

/// The token of the newest reset link mailed to `to`, waiting for the mail (it is queued after
/// the answer, so the answer takes as long whether the address has an account or not).
async fn reset_token(app: &TestApp, to: &str) -> String {
    for _ in 0..100 {
        let to = to.to_string();
        let body: Result<Vec<String>, DbError> = db_read!(app.state.db, conn => {
            Ok(mail_outbox::table
                .filter(mail_outbox::recipient.eq(&to))
                .filter(mail_outbox::subject.eq("Reset your Flashpage password"))
                .order(mail_outbox::created_at.desc())
                .select(mail_outbox::text_body)
                .load(conn)
                .await?)
        });
        if let Some(text) = body.expect("outbox").first() {
            return token_in(text);
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no reset mail to {to}");
}

fn token_in(text: &str) -> String {
    let start = text.find("/reset-password/").expect("a reset link") + "/reset-password/".len();
    text[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect()
}

async fn reset_mail_count(app: &TestApp) -> i64 {
    let r: Result<i64, DbError> = db_read!(app.state.db, conn => {
        Ok(mail_outbox::table.filter(mail_outbox::subject.eq("Reset your Flashpage password")).count().get_result(conn).await?)
    });
    r.expect("count")
}

async fn count(app: &TestApp, event: &str) -> i64 {
    let event = event.to_string();
    let r: Result<i64, DbError> = db_read!(app.state.db, conn => {
        Ok(security_log::table.filter(security_log::event.eq(&event)).count().get_result(conn).await?)
    });
    r.expect("count")
}

async fn session_count(app: &TestApp) -> i64 {
    let r: Result<i64, DbError> = db_read!(app.state.db, conn => Ok(sessions::table.count().get_result(conn).await?));
    r.expect("count")
}

async fn login(app: &TestApp, email: &str, password: &str) -> u16 {
    app.call(&app.new_browser(), "/api/login", &[("email", email), ("password", password)]).await.status().as_u16()
}

/// The whole path without JavaScript: ask, get the mail, open the link, choose a password (a weak
/// one first), be signed in while every older session ends; the link then works no more.
async fn a_forgotten_password_is_reset_from_the_mailed_link(app: &TestApp) {
    let laptop = app.new_browser();
    app.signup(&laptop, "Ada", "ada@example.com").await;
    let phone = app.new_browser();
    assert_eq!(login(app, "ada@example.com", PASSWORD).await, 200);
    app.post_form(&phone, "/api/login", "/login", &[("email", "ada@example.com"), ("password", PASSWORD)]).await;
    assert_eq!(session_count(app).await, 3);

    let visitor = app.new_browser();
    let page = app.get(&visitor, "/login").await.text().await.expect("body");
    assert!(page.contains("href=\"/forgot-password\""), "the login form links to the reset");
    let res = app.post_form(&visitor, "/api/password/forgot", "/forgot-password", &[("email", " ADA@example.com ")]).await;
    assert_eq!(res.status(), 302);
    assert_eq!(location(&res), "/forgot-password?sent=1");
    let sent = app.get(&visitor, "/forgot-password?sent=1").await.text().await.expect("body");
    assert!(sent.contains("data-testid=\"reset-sent\""), "{sent}");
    let token = reset_token(app, "ada@example.com").await;
    assert_eq!(token.len(), 43);

    let form = app.get(&visitor, &format!("/reset-password/{token}")).await;
    assert_eq!(form.status(), 200);
    let form = form.text().await.expect("body");
    assert!(form.contains("name=\"password\"") && form.contains("noindex"), "{form}");

    // A weak password is refused beside its field, and the link still works.
    let weak = app.call(&visitor, "/api/password/reset", &[("token", &token), ("password", "short")]).await;
    assert_eq!(weak.status(), 422);
    let body: serde_json::Value = weak.json().await.expect("json");
    assert_eq!(body["fields"][0]["field"], "password", "{body}");
    let weak = app.post_form(&visitor, "/api/password/reset", &format!("/reset-password/{token}"), &[("token", &token), ("password", "short")]).await;
    assert_eq!(weak.status(), 302, "without JavaScript the form comes back with its error");
    let back = location(&weak);
    assert!(back.contains(&format!("/reset-password/{token}?")) && back.contains("__err="), "{back}");
    let again = app.get(&visitor, back.trim_start_matches(&app.base)).await.text().await.expect("body");
    assert!(again.contains("Use at least 10 characters.") && again.contains("name=\"password\""), "{again}");

    let done = app.post_form(&visitor, "/api/password/reset", &format!("/reset-password/{token}"), &[("token", &token), ("password", NEW_PASSWORD)]).await;
    assert_eq!(done.status(), 302);
    assert_eq!(location(&done), "/dashboard?password_reset=1");
    assert!(set_cookies(&done).iter().any(|c| c.starts_with("fp_session=") && !c.starts_with("fp_session=;")));
    assert_eq!(session_count(app).await, 1, "every older session ended; the new one is the only one");
    assert_eq!(app.get(&laptop, "/dashboard").await.status(), 302, "the laptop is logged out");
    let dashboard = app.get(&visitor, "/dashboard?password_reset=1").await;
    assert_eq!(dashboard.status(), 200);
    assert!(dashboard.text().await.expect("body").contains("data-testid=\"password-changed\""));

    assert_eq!(login(app, "ada@example.com", PASSWORD).await, 401, "the old password is gone");
    assert_eq!(login(app, "ada@example.com", NEW_PASSWORD).await, 200);

    // Used: the link works no more, and its page says so.
    let again = app.call(&visitor, "/api/password/reset", &[("token", &token), ("password", "yet another passphrase")]).await;
    assert_eq!(again.status(), 410);
    let dead = app.get(&app.new_browser(), &format!("/reset-password/{token}")).await.text().await.expect("body");
    assert!(dead.contains("data-testid=\"reset-dead\"") && !dead.contains("name=\"password\""), "{dead}");
    assert_eq!(count(app, "password_reset_requested").await, 1);
    assert_eq!(count(app, "password_reset_completed").await, 1);
}

/// Unknown addresses get the same answer and no mail; a malformed one is a field error; a made-up
/// or expired link is refused; older links of the account die with the one used.
async fn the_answer_never_tells_who_has_an_account(app: &TestApp) {
    app.signup(&app.new_browser(), "Ada", "ada@example.com").await;
    let visitor = app.new_browser();
    let known = app.post_form(&visitor, "/api/password/forgot", "/forgot-password", &[("email", "ada@example.com")]).await;
    let unknown = app.post_form(&visitor, "/api/password/forgot", "/forgot-password", &[("email", "nobody@example.com")]).await;
    assert_eq!((known.status(), location(&known)), (unknown.status(), location(&unknown)));
    let json_known = app.call(&visitor, "/api/password/forgot", &[("email", "ada@example.com")]).await;
    let json_unknown = app.call(&visitor, "/api/password/forgot", &[("email", "nobody@example.com")]).await;
    assert_eq!(json_known.status(), json_unknown.status());
    let first = reset_token(app, "ada@example.com").await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(reset_mail_count(app).await, 2, "two mails to Ada, none to nobody@");
    assert_eq!(count(app, "password_reset_requested").await, 4, "unknown addresses are logged too");

    let malformed = app.call(&visitor, "/api/password/forgot", &[("email", "not an address")]).await;
    assert_eq!(malformed.status(), 422);

    for bad in ["made-up-token", "", "x".repeat(300).as_str()] {
        let res = app.call(&visitor, "/api/password/reset", &[("token", bad), ("password", NEW_PASSWORD)]).await;
        assert_eq!(res.status(), 410, "{bad:?}");
    }
    let page = app.get(&visitor, "/reset-password/made-up-token").await;
    assert_eq!(page.status(), 200);
    assert!(page.text().await.expect("body").contains("data-testid=\"reset-dead\""));

    // An hour later the link is dead.
    let hash = flashpage::infra::tokens::token_hash(&first);
    let r: Result<usize, DbError> = db_write!(app.state.db, conn => {
        Ok(diesel::update(account_tokens::table.filter(account_tokens::token_hash.eq(&hash)))
            .set(account_tokens::expires_at.eq(chrono::Utc::now().naive_utc() - chrono::Duration::seconds(1)))
            .execute(conn)
            .await?)
    });
    assert_eq!(r.expect("expire"), 1);
    let expired = app.call(&visitor, "/api/password/reset", &[("token", &first), ("password", NEW_PASSWORD)]).await;
    assert_eq!(expired.status(), 410);
    assert_eq!(login(app, "ada@example.com", PASSWORD).await, 200, "nothing changed");
}

/// Three requests an hour per address, then a clear refusal (so the form can't flood an inbox).
async fn reset_requests_are_limited_per_address(app: &TestApp) {
    app.signup(&app.new_browser(), "Ada", "ada@example.com").await;
    let visitor = app.new_browser();
    for _ in 0..3 {
        assert_eq!(app.call(&visitor, "/api/password/forgot", &[("email", "ada@example.com")]).await.status(), 200);
    }
    let refused = app.call(&visitor, "/api/password/forgot", &[("email", "ada@example.com")]).await;
    assert_eq!(refused.status(), 429);
    assert!(refused.text().await.expect("body").contains("Too many reset requests"));
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(reset_mail_count(app).await, 3);
    assert_eq!(app.call(&visitor, "/api/password/forgot", &[("email", "other@example.com")]).await.status(), 200, "another address is not affected");
}

/// Eight clicks on one link at once (each hashes its password first): exactly one sets its password.
async fn racing_clicks_use_a_link_once(app: &TestApp) {
    app.signup(&app.new_browser(), "Ada", "ada@example.com").await;
    app.call(&app.new_browser(), "/api/password/forgot", &[("email", "ada@example.com")]).await;
    let token = reset_token(app, "ada@example.com").await;
    let tries = (0..8).map(|i| {
        let token = token.clone();
        async move {
            let password = format!("racing passphrase number {i}");
            let status = app.call(&app.new_browser(), "/api/password/reset", &[("token", &token), ("password", &password)]).await.status().as_u16();
            (status, password)
        }
    });
    let outcomes = futures_util::future::join_all(tries).await;
    let won: Vec<_> = outcomes.iter().filter(|(s, _)| *s == 200).collect();
    assert_eq!(won.len(), 1, "{outcomes:?}");
    assert!(outcomes.iter().all(|(s, _)| *s == 200 || *s == 410), "{outcomes:?}");
    assert_eq!(login(app, "ada@example.com", &won[0].1).await, 200, "the winner's password is the one set");
    assert_eq!(count(app, "password_reset_completed").await, 1);
}

backend_tests! {
    a_forgotten_password_is_reset_from_the_mailed_link,
    the_answer_never_tells_who_has_an_account,
    reset_requests_are_limited_per_address,
    racing_clicks_use_a_link_once,
}

/// The reset mail through a real SMTP server, and its link used as it arrives.
async fn smtp_the_reset_link_arrives_and_works(backend: Backend) {
    let smtp = SmtpServer::start();
    let Some(app) = TestApp::start_with(backend, Options { env: SmtpServer::env(smtp.port), ..Default::default() }).await else { return };
    app.signup(&app.new_browser(), "Ada", "ada@example.com").await;
    // The sign-up's confirmation link goes out first.
    let first =
        deliver_due(&app.state.db, app.state.part::<Arc<Mailer>>(), chrono::Utc::now().naive_utc() + chrono::Duration::seconds(1)).await.expect("round");
    assert_eq!(first.sent, 1);
    assert_eq!(smtp.wait_for(1).await.len(), 1);
    app.call(&app.new_browser(), "/api/password/forgot", &[("email", "ada@example.com")]).await;
    reset_token(&app, "ada@example.com").await;
    let round =
        deliver_due(&app.state.db, app.state.part::<Arc<Mailer>>(), chrono::Utc::now().naive_utc() + chrono::Duration::seconds(1)).await.expect("round");
    assert_eq!(round.sent, 1);
    let messages = smtp.wait_for(2).await;
    assert_eq!(messages.len(), 2);
    let reset = messages.iter().find(|m| m.contains("Subject: Reset your Flashpage password")).expect("the reset mail");
    let raw = reset.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=");
    assert!(raw.contains("X-RcptTo: ada@example.com") && raw.contains("Subject: Reset your Flashpage password"), "{raw}");
    let token = token_in(&raw);
    let res = app.call(&app.new_browser(), "/api/password/reset", &[("token", &token), ("password", NEW_PASSWORD)]).await;
    assert_eq!(res.status(), 200);
    assert_eq!(login(&app, "ada@example.com", NEW_PASSWORD).await, 200);
    app.finish().await;
}

mod over_smtp {
    use super::*;
    on_both_backends! {
        smtp_the_reset_link_arrives_and_works,
    }
}
