//! Accounts over HTTP, on SQLite and PostgreSQL: sign-up, login, logout, sessions, rate limits.

use crate::common;

use common::{PASSWORD, TestApp, location, set_cookies};
use diesel::{ExpressionMethods, JoinOnDsl, QueryDsl};
use flashpage::infra::db::DbError;
use flashpage::infra::db::schema::*;
use flashpage::{db_read, db_write};

/// The body of the response, as text.
async fn text(res: reqwest::Response) -> String {
    res.text().await.expect("body")
}

async fn count_events(app: &TestApp, event: &str) -> i64 {
    let r: Result<i64, DbError> = db_read!(app.state.db, conn => {
        Ok(security_log::table.filter(security_log::event.eq(event)).count().get_result(conn).await?)
    });
    r.expect("count")
}

async fn session_count(app: &TestApp) -> i64 {
    let r: Result<i64, DbError> = db_read!(app.state.db, conn => {
        Ok(sessions::table.count().get_result(conn).await?)
    });
    r.expect("count")
}

async fn signup_creates_account_organization_group_role_and_free_plan(app: &TestApp) {
    let browser = app.new_browser();
    let res = app.signup(&browser, "Ada Lovelace", "Ada@Example.com").await;
    assert_eq!(res.status(), 302);
    assert_eq!(location(&res), "/dashboard?confirmed=1", "the confirmation link signs in");
    let cookie = set_cookies(&res).into_iter().find(|c| c.starts_with("fp_session=")).expect("session cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain-http deployment must not set Secure: {cookie}");

    let row: Result<(String, String, String, bool, String, String), DbError> = db_read!(app.state.db, conn => {
        Ok(users::table
            .inner_join(organizations::table.on(organizations::id.eq(users::organization_id)))
            .inner_join(groups::table.on(groups::id.eq(users::group_id)))
            .filter(users::email.eq("ada@example.com"))
            .select((users::id, users::name, organizations::name, organizations::is_enterprise, groups::name, organizations::owner_id))
            .first(conn)
            .await?)
    });
    let (user_id, name, org_name, enterprise, group_name, owner) = row.expect("user row");
    assert_eq!(name, "Ada Lovelace");
    assert_eq!(owner, user_id, "the new user owns the organization");
    assert!(!enterprise);
    assert_eq!(org_name.split(' ').count(), 3, "generated readable name: {org_name}");
    assert!(group_name.ends_with(" Team"), "{group_name}");

    let roles_and_plan: Result<(Vec<String>, Vec<(String, String, Option<String>)>), DbError> = db_read!(app.state.db, conn => {
        let roles = user_roles::table.inner_join(roles::table).filter(user_roles::user_id.eq(&user_id)).select(roles::name).load(conn).await?;
        let subs = subscriptions::table
            .inner_join(plans::table)
            .filter(subscriptions::user_id.eq(&user_id))
            .select((plans::name, subscriptions::status, subscriptions::stripe_subscription_id))
            .load(conn)
            .await?;
        Ok((roles, subs))
    });
    let (roles, subs) = roles_and_plan.expect("roles");
    assert_eq!(roles, vec!["admin".to_string()]);
    assert_eq!(subs, vec![("Free".to_string(), "free".to_string(), None)]);

    // The dashboard shows the organization and the role.
    let res = app.get(&browser, "/dashboard").await;
    assert_eq!(res.status(), 200);
    let html = text(res).await;
    assert!(html.contains(&org_name), "dashboard names the organization");
    assert!(html.contains("Admin"), "dashboard shows the role");
    assert_eq!(count_events(app, "signup").await, 1);
}

async fn signup_errors_are_per_field_with_and_without_javascript(app: &TestApp) {
    let browser = app.new_browser();
    // Without JavaScript: a redirect back to the form, which renders the errors next to the fields.
    let res = app.post_form(&browser, "/api/signup", "/signup", &[("name", ""), ("email", "not-an-email"), ("password", "short")]).await;
    assert_eq!(res.status(), 302);
    let back = location(&res);
    assert!(back.contains("/signup?") && back.contains("__err="), "{back}");
    let html = text(app.get(&browser, back.trim_start_matches(&app.base)).await).await;
    assert!(html.contains("Enter your name."), "name error shown");
    assert!(html.contains("Enter an email address like name@example.com."), "email error shown");
    assert!(html.contains("Use at least 10 characters."), "password error shown");
    assert!(html.contains(r#"aria-describedby="field-email-error""#), "error linked to its input");
    assert!(html.contains(r#"aria-invalid="true""#));

    // With JavaScript: a 422 with the field errors as JSON.
    let res = app.call(&browser, "/api/signup", &[("name", "Ada"), ("email", "ada@example"), ("password", "correct horse battery")]).await;
    assert_eq!(res.status(), 422);
    let body: serde_json::Value = res.json().await.expect("json");
    assert_eq!(body["fields"][0]["field"], "email");
    assert_eq!(session_count(app).await, 0, "nothing was created");
}

async fn logout_then_login_again(app: &TestApp) {
    let browser = app.new_browser();
    app.signup(&browser, "Grace Hopper", "grace@example.com").await;
    assert_eq!(session_count(app).await, 1);

    let res = app.post_form(&browser, "/api/logout", "/dashboard", &[]).await;
    assert_eq!(res.status(), 302);
    assert_eq!(location(&res), "/login?signed_out=1");
    assert!(set_cookies(&res).iter().any(|c| c.starts_with("fp_session=;") && c.contains("Max-Age=0")));
    assert_eq!(session_count(app).await, 0, "logout revokes the session on the server");

    let res = app.get(&browser, "/dashboard").await;
    assert_eq!(res.status(), 302);
    assert_eq!(location(&res), "/login?next=/dashboard");

    let res = app
        .post_form(&browser, "/api/login", "/login?next=/dashboard", &[("email", "Grace@Example.com"), ("password", PASSWORD), ("next", "/dashboard")])
        .await;
    assert_eq!(res.status(), 302);
    assert_eq!(location(&res), "/dashboard");
    assert_eq!(app.get(&browser, "/dashboard").await.status(), 200);
    assert_eq!(count_events(app, "login_success").await, 1);
    assert_eq!(count_events(app, "logout").await, 1);
}

async fn a_stolen_old_cookie_does_not_work_after_logout(app: &TestApp) {
    let browser = app.new_browser();
    let res = app.signup(&browser, "Ada", "ada@example.com").await;
    let cookie = set_cookies(&res).into_iter().find(|c| c.starts_with("fp_session=")).expect("cookie");
    let token = cookie.split(';').next().unwrap_or_default().to_string();
    app.post_form(&browser, "/api/logout", "/dashboard", &[]).await;
    let res = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .get(app.url("/dashboard"))
        .header("cookie", token)
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 302, "replaying the revoked cookie is refused");
}

async fn wrong_password_and_unknown_email_look_the_same(app: &TestApp) {
    let browser = app.new_browser();
    app.signup(&browser, "Ada", "ada@example.com").await;
    let other = app.new_browser();
    let wrong = app.call(&other, "/api/login", &[("email", "ada@example.com"), ("password", "wrong password!")]).await;
    assert_eq!(wrong.status(), 401);
    let wrong: serde_json::Value = wrong.json().await.expect("json");
    let unknown = app.call(&other, "/api/login", &[("email", "nobody@example.com"), ("password", "wrong password!")]).await;
    assert_eq!(unknown.status(), 401);
    let unknown: serde_json::Value = unknown.json().await.expect("json");
    assert_eq!(wrong, unknown, "one generic message for both");
    assert_eq!(wrong["message"], "That email and password don't match an account.");
    assert_eq!(count_events(app, "login_failure").await, 2);

    // Without JavaScript the message comes back on the login page.
    let res = app.post_form(&other, "/api/login", "/login", &[("email", "ada@example.com"), ("password", "nope nope nope")]).await;
    let html = text(app.get(&other, location(&res).trim_start_matches(&app.base)).await).await;
    assert!(html.contains("That email and password don&#x27;t match an account.") || html.contains("That email and password don't match an account."));
    assert_eq!(app.get(&other, "/dashboard").await.status(), 302, "still signed out");
}

async fn expired_sessions_are_refused(app: &TestApp) {
    let browser = app.new_browser();
    app.signup(&browser, "Ada", "ada@example.com").await;
    assert_eq!(app.get(&browser, "/dashboard").await.status(), 200);
    let past = chrono::Utc::now().naive_utc() - chrono::Duration::minutes(1);
    let r: Result<usize, DbError> = db_write!(app.state.db, conn => {
        Ok(diesel::update(sessions::table).set(sessions::expires_at.eq(past)).execute(conn).await?)
    });
    assert_eq!(r.expect("update"), 1);
    let res = app.get(&browser, "/dashboard").await;
    assert_eq!(res.status(), 302);
    assert!(location(&res).starts_with("/login"));
    let me = app.call(&browser, "/api/me", &[]).await;
    assert_eq!(me.status(), 200);
    assert_eq!(me.text().await.expect("body"), "null", "an expired session is no user");
    let purged = flashpage::accounts::backend::store::purge_expired_sessions(&app.state.db, chrono::Utc::now().naive_utc()).await;
    assert_eq!(purged.expect("purge"), 1);
}

async fn login_is_rate_limited_per_email(app: &TestApp) {
    let browser = app.new_browser();
    app.signup(&browser, "Ada", "ada@example.com").await;
    let attacker = app.new_browser();
    for i in 0..5 {
        let res = app.call(&attacker, "/api/login", &[("email", "ada@example.com"), ("password", "guess guess guess")]).await;
        assert_eq!(res.status(), 401, "attempt {i}");
    }
    // Now even the right password is refused for a while: the limit is per email.
    let res = app.call(&attacker, "/api/login", &[("email", "ada@example.com"), ("password", PASSWORD)]).await;
    assert_eq!(res.status(), 429);
    let body: serde_json::Value = res.json().await.expect("json");
    assert!(body["message"].as_str().unwrap_or_default().contains("Too many failed attempts"));
    assert_eq!(count_events(app, "login_throttled").await, 1);
    // Another account is unaffected (the IP limit is higher).
    app.signup(&app.new_browser(), "Grace", "grace@example.com").await;
    let res = app.call(&app.new_browser(), "/api/login", &[("email", "grace@example.com"), ("password", PASSWORD)]).await;
    assert_eq!(res.status(), 200);
}

async fn unauthenticated_dashboard_redirects_to_login(app: &TestApp) {
    let res = app.get(&app.new_browser(), "/dashboard").await;
    assert_eq!(res.status(), 302);
    assert_eq!(location(&res), "/login?next=/dashboard");
    // Signed-in users asking for the login page go to their dashboard instead.
    let browser = app.new_browser();
    app.signup(&browser, "Ada", "ada@example.com").await;
    let res = app.get(&browser, "/login").await;
    assert_eq!(res.status(), 302);
    assert_eq!(location(&res), "/dashboard");
}

async fn login_next_never_leaves_the_site(app: &TestApp) {
    let browser = app.new_browser();
    app.signup(&browser, "Ada", "ada@example.com").await;
    app.post_form(&browser, "/api/logout", "/dashboard", &[]).await;
    let res = app.post_form(&browser, "/api/login", "/login", &[("email", "ada@example.com"), ("password", PASSWORD), ("next", "https://evil.example/")]).await;
    assert_eq!(location(&res), "/dashboard");
}

async fn health_security_headers_and_limits(app: &TestApp) {
    let client = app.new_browser();
    let res = app.get(&client, "/healthz").await;
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.expect("json");
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"], app.state.db.backend_name());

    let res = app.get(&client, "/").await;
    assert_eq!(res.status(), 200);
    let csp = res.headers()["content-security-policy"].to_str().expect("csp").to_string();
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert_eq!(res.headers()["referrer-policy"], "strict-origin-when-cross-origin");
    assert!(csp.contains("frame-ancestors 'none'"));
    let nonce = csp.split("'nonce-").nth(1).and_then(|s| s.split('\'').next()).expect("nonce in CSP").to_string();
    let html = text(res).await;
    assert!(html.contains(&format!("nonce=\"{nonce}\"")), "hydration script carries the CSP nonce");
    assert!(html.contains("Pages that end on time."));

    // A second render gets a different nonce.
    let res = app.get(&client, "/").await;
    let csp2 = res.headers()["content-security-policy"].to_str().expect("csp").to_string();
    assert_ne!(csp, csp2);

    // Oversized bodies are refused before any work is done.
    // The server answers 413 without reading the body and then closes the connection, so the
    // client may see the reset before the answer: such attempts are retried, and only a 413 passes.
    let big = "x".repeat(300 * 1024);
    // The answer says the connection closes, so the client does not send its next request into it.
    let mut answer = None;
    for _ in 0..5 {
        let sent = client.post(app.url("/api/login")).header("accept", "application/json").form(&[("email", "a@b.co"), ("password", &big)]).send().await;
        if let Ok(res) = sent {
            answer = Some((res.status().as_u16(), res.headers().get("connection").map(|v| v.to_str().unwrap_or_default().to_string())));
            break;
        }
    }
    assert_eq!(answer, Some((413, Some("close".to_string()))));

    // A malformed server-function call is the client's error, with a message, not a 500.
    let res = app.call(&client, "/api/login", &[("email", "a@b.co")]).await;
    assert_eq!(res.status(), 400);
    let body: serde_json::Value = res.json().await.expect("json");
    assert!(body["message"].as_str().unwrap_or_default().contains("could not be read"), "{body}");

    let res = app.get(&client, "/no/such/page").await;
    assert_eq!(res.status(), 404);

    // Site assets (the harness gives each app a site root with a stylesheet) are compressed and revalidated.
    let res = client.get(app.url("/pkg/flashpage.css")).header("accept-encoding", "gzip").send().await.expect("request");
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-cache");
    assert_eq!(res.headers()["content-encoding"], "gzip");
    assert!(res.headers().get("last-modified").is_some(), "revalidation needs a validator");
}

async fn parallel_signups_never_fail_or_duplicate(app: &TestApp) {
    // Twenty different people at once: all answered (SQLite writers queue instead of failing).
    let mut tasks = Vec::new();
    for i in 0..20 {
        let client = app.new_browser();
        let url = app.url("/api/signup");
        tasks.push(tokio::spawn(async move {
            let email = format!("person{i}@example.com");
            client
                .post(url)
                .header("accept", "application/json")
                .form(&[("name", "Person"), ("email", email.as_str()), ("password", PASSWORD)])
                .send()
                .await
                .map(|r| r.status().as_u16())
        }));
    }
    for t in tasks {
        assert_eq!(t.await.expect("task").expect("request"), 200);
    }
    // Ten attempts at the same email at once: exactly one account.
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let client = app.new_browser();
        let url = app.url("/api/signup");
        tasks.push(tokio::spawn(async move {
            client
                .post(url)
                .header("accept", "application/json")
                .form(&[("name", "Twin"), ("email", "twin@example.com"), ("password", PASSWORD)])
                .send()
                .await
                .map(|r| r.status().as_u16())
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.expect("task").expect("request"));
    }
    // Every sign-up is answered alike (whether its address is taken is told only by mail).
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    // The accounts are made after the answers: wait for them, then make sure no more come.
    let counts = || async {
        let r: Result<(i64, i64), DbError> = db_read!(app.state.db, conn => {
            let users = users::table.count().get_result(conn).await?;
            let orgs = organizations::table.count().get_result(conn).await?;
            Ok((users, orgs))
        });
        r.expect("counts")
    };
    for _ in 0..100 {
        if counts().await.0 >= 21 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(counts().await, (21, 21), "twenty people and one twin");
}

backend_tests! {
    signup_creates_account_organization_group_role_and_free_plan,
    signup_errors_are_per_field_with_and_without_javascript,
    logout_then_login_again,
    a_stolen_old_cookie_does_not_work_after_logout,
    wrong_password_and_unknown_email_look_the_same,
    expired_sessions_are_refused,
    login_is_rate_limited_per_email,
    unauthenticated_dashboard_redirects_to_login,
    login_next_never_leaves_the_site,
    health_security_headers_and_limits,
    parallel_signups_never_fail_or_duplicate,
}

/// The per-IP limit, with addresses taken from X-Forwarded-For (trusted-proxy mode).
mod ip_limit {
    use super::common::{Backend, Options, TestApp};

    async fn run(backend: Backend) {
        let Some(app) = TestApp::start_with(backend, Options { trusted_proxies: 1, ..Default::default() }).await else { return };
        let client = app.new_browser();
        let attempt = |ip: &'static str, email: String| {
            client
                .post(app.url("/api/login"))
                .header("accept", "application/json")
                .header("x-forwarded-for", ip)
                .form(&[("email", email), ("password", "guess guess guess".to_string())])
                .send()
        };
        for i in 0..20 {
            let res = attempt("203.0.113.7", format!("victim{i}@example.com")).await.expect("request");
            assert_eq!(res.status(), 401);
        }
        let blocked = attempt("203.0.113.7", "fresh@example.com".into()).await.expect("request");
        assert_eq!(blocked.status(), 429, "the 21st failure from one address is throttled");
        let other_ip = attempt("198.51.100.1", "fresh@example.com".into()).await.expect("request");
        assert_eq!(other_ip.status(), 401, "another address is not affected");
        app.finish().await;
    }

    /// An attacker who logs in to their own account between guesses at other people's gets no
    /// attempt back: the address's limit fires after 20 attempts, whatever they were.
    async fn successes_give_the_address_nothing_back(backend: Backend) {
        let Some(app) = TestApp::start_with(backend, Options { trusted_proxies: 1, ..Default::default() }).await else { return };
        let own = app.new_browser();
        app.signup(&own, "Mallory", "mallory@example.com").await;
        let client = app.new_browser();
        let attempt = |email: String, password: &'static str| {
            client
                .post(app.url("/api/login"))
                .header("accept", "application/json")
                .header("x-forwarded-for", "203.0.113.9")
                .form(&[("email", email), ("password", password.to_string())])
                .send()
        };
        let mut statuses = Vec::new();
        for i in 0..15 {
            statuses.push(attempt("mallory@example.com".into(), super::common::PASSWORD).await.expect("request").status().as_u16());
            // Three guesses per victim: the per-email limit (5) never fires.
            statuses.push(attempt(format!("victim{}@example.com", i % 5), "guess guess guess").await.expect("request").status().as_u16());
        }
        assert_eq!(&statuses[..20], &[200, 401].repeat(10)[..], "the first 20 attempts go through");
        assert!(statuses[20..].iter().all(|s| *s == 429), "every attempt past 20 from the address is throttled: {statuses:?}");
        app.finish().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn successes_give_the_address_nothing_back_sqlite() {
        successes_give_the_address_nothing_back(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn successes_give_the_address_nothing_back_postgres() {
        successes_give_the_address_nothing_back(Backend::Postgres).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        run(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        run(Backend::Postgres).await;
    }
}
