//! Test harness: the real app on 127.0.0.1:0 with a fresh database per test, on SQLite or
//! PostgreSQL, driven over HTTP like a browser would.
//!
//! PostgreSQL comes from `TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432`). An
//! unreachable server fails the tests that need it; `.ci/test.sh` leaves them out instead (with
//! the reason in its summary) when no server is running outside CI.

#![allow(dead_code)]

pub mod fake_stripe;
pub mod html;
pub mod s3;
pub mod smtp;

use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use flashpage::infra::config::Config;
use flashpage::infra::state::AppState;
use flashpage::web::{router, startup};
use leptos::config::LeptosOptions;
use reqwest::header::{ACCEPT, REFERER};
use reqwest::redirect::Policy;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::oneshot;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub base: String,
    pub state: AppState,
    pub client: reqwest::Client,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
    dir: std::path::PathBuf,
    pg_database: Option<String>,
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

pub fn pg_admin_url() -> String {
    std::env::var("TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

pub fn in_ci() -> bool {
    std::env::var("CI").map(|v| v == "true" || v == "1").unwrap_or(false)
}

/// Creates an empty PostgreSQL database and returns its URL. An unreachable server fails the
/// test: the test command leaves the PostgreSQL tests out (`--skip postgres`, counted as filtered
/// and named in its summary) when it finds no server outside CI, so a missing server can never
/// look like a pass.
pub async fn create_pg_database() -> Option<(String, String)> {
    let admin = format!("{}/postgres", pg_admin_url());
    let mut conn = match AsyncPgConnection::establish(&admin).await {
        Ok(conn) => conn,
        Err(e) => panic!("PostgreSQL is unreachable at {admin}: {e}. Start it, or leave these tests out with `-- --skip postgres`."),
    };
    let name = format!("fp_test_{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::SeqCst));
    conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name}")).await.expect("drop old test database");
    conn.batch_execute(&format!("CREATE DATABASE {name}")).await.expect("create test database");
    Some((format!("{}/{name}", pg_admin_url()), name))
}

async fn drop_pg_database(name: &str) {
    let admin = format!("{}/postgres", pg_admin_url());
    if let Ok(mut conn) = AsyncPgConnection::establish(&admin).await {
        let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
    }
}

pub fn leptos_options() -> LeptosOptions {
    LeptosOptions::builder().output_name("flashpage").site_root("target/site").site_pkg_dir("pkg").env(leptos::config::Env::PROD).build()
}

#[derive(Default)]
pub struct Options {
    /// `TRUSTED_PROXIES`: how many proxies the app believes are in front of it.
    pub trusted_proxies: usize,
    /// Extra environment for the app (e.g. the storage variables of an S3 test server).
    pub env: Vec<(String, String)>,
}

impl TestApp {
    pub async fn start(backend: Backend) -> Option<TestApp> {
        Self::start_with(backend, Options::default()).await
    }

    pub async fn start_with(backend: Backend, options: Options) -> Option<TestApp> {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!("flashpage-test-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let (database_url, pg_database) = match backend {
            Backend::Sqlite => (format!("sqlite://{}/test.db", dir.display()), None),
            Backend::Postgres => {
                let (url, name) = create_pg_database().await?;
                (url, Some(name))
            }
        };
        let mut vars = HashMap::new();
        vars.insert("DATA_DIR".to_string(), dir.display().to_string());
        vars.insert("DATABASE_URL".to_string(), database_url);
        vars.insert("DB_MAX_CONNECTIONS".to_string(), "8".to_string());
        vars.insert("TRUSTED_PROXIES".to_string(), options.trusted_proxies.to_string());
        // Every test browser comes from 127.0.0.1; the sign-up limit has a test of its own.
        vars.insert("SIGNUPS_PER_ADDRESS_PER_HOUR".to_string(), "100000".to_string());
        // Likewise the open checkouts per address (the hoarding test sets the real default).
        vars.insert("HOLDS_PER_ADDRESS".to_string(), "100000".to_string());
        vars.extend(options.env);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let base = format!("http://{addr}");
        let config = Config::from_lookup(|k| vars.get(k).cloned(), &base).expect("config");
        let mut leptos = leptos_options();
        leptos.site_addr = addr;
        // Each app serves its own site folder, with a stylesheet like the real build's.
        let site = dir.join("site");
        std::fs::create_dir_all(site.join("pkg")).expect("site dir");
        std::fs::write(site.join("pkg/flashpage.css"), include_str!("../../../style/main.css")).expect("stylesheet");
        leptos.site_root = site.display().to_string().into();
        let state = startup::prepare(config, leptos).await.expect("app starts");
        let (tx, rx) = oneshot::channel::<()>();
        let app_router = router::router(state.clone());
        let server = tokio::spawn(async move {
            router::serve(listener, app_router, async {
                let _ = rx.await;
            })
            .await
            .expect("server runs");
        });
        Some(TestApp { client: new_client(&base), base, state, shutdown: Some(tx), server: Some(server), dir, pg_database })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A second browser (its own cookie jar), on a page of the app: it sends the app's origin.
    pub fn new_browser(&self) -> reqwest::Client {
        new_client(&self.base)
    }

    /// Posts a form the way a browser without JavaScript does (`Accept: text/html`, a Referer).
    pub async fn post_form(&self, client: &reqwest::Client, path: &str, from_page: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        client
            .post(self.url(path))
            .header(ACCEPT, "text/html,application/xhtml+xml")
            .header(REFERER, self.url(from_page))
            .form(fields)
            .send()
            .await
            .expect("request")
    }

    /// Calls a server function the way the hydrated app does (JSON back, no redirect dance).
    pub async fn call(&self, client: &reqwest::Client, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        client.post(self.url(path)).header(ACCEPT, "application/json").form(fields).send().await.expect("request")
    }

    pub async fn get(&self, client: &reqwest::Client, path: &str) -> reqwest::Response {
        client.get(self.url(path)).send().await.expect("request")
    }

    /// Signs up a fresh account and confirms it from the mailed link, as its owner does: the
    /// session lands in `client`'s cookie jar. Returns the confirmation's answer (a redirect to
    /// the dashboard), or the sign-up's when that was refused.
    pub async fn signup(&self, client: &reqwest::Client, name: &str, email: &str) -> reqwest::Response {
        let res = self.post_form(client, "/api/signup", "/signup", &[("name", name), ("email", email), ("password", PASSWORD)]).await;
        if res.status() != 302 || location(&res) != "/signup?sent=1" {
            return res;
        }
        let token = self.confirmation_token(email).await;
        self.post_form(client, "/api/account/confirm", &format!("/confirm-account/{token}"), &[("token", &token)]).await
    }

    /// The token of the newest confirmation link mailed to `email` (sign-up makes the account
    /// after its answer: waits for it).
    pub async fn confirmation_token(&self, email: &str) -> String {
        self.newest_link(email, "Confirm your Flashpage account", "/confirm-account/").await.expect("a confirmation mail")
    }

    /// The token after `path` in the newest mail to `email` with `subject`, waiting up to 5 s.
    pub async fn newest_link(&self, email: &str, subject: &str, path: &str) -> Option<String> {
        for _ in 0..100 {
            if let Some(text) = self.mail_bodies(email, subject).await.first() {
                let start = text.find(path)? + path.len();
                return Some(text[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect());
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        None
    }

    /// The text of every queued message to `email` with `subject`, newest first.
    pub async fn mail_bodies(&self, email: &str, subject: &str) -> Vec<String> {
        use diesel::{ExpressionMethods, QueryDsl};
        use flashpage::infra::db::schema::mail_outbox;
        let (to, subject) = (email.trim().to_lowercase(), subject.to_string());
        let bodies: Result<Vec<String>, flashpage::infra::db::DbError> = flashpage::db_read!(self.state.db, conn => {
            Ok(mail_outbox::table
                .filter(mail_outbox::recipient.eq(&to))
                .filter(mail_outbox::subject.eq(&subject))
                .order(mail_outbox::created_at.desc())
                .select(mail_outbox::text_body)
                .load(conn)
                .await?)
        });
        bodies.expect("outbox")
    }

    pub async fn finish(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = tokio::time::timeout(std::time::Duration::from_secs(10), server).await;
        }
        // Close pooled connections before dropping the database.
        drop(self.state);
        let _ = std::fs::remove_dir_all(&self.dir);
        if let Some(name) = &self.pg_database {
            drop_pg_database(name).await;
        }
    }
}

pub const PASSWORD: &str = "correct horse battery staple";

/// A client that behaves like a browser on one of the app's pages: cookies, no redirects
/// followed, and the `Origin` header browsers send with every POST (the app's CSRF check wants it).
fn new_client(origin: &str) -> reqwest::Client {
    foreign_client(Some(origin))
}

/// A browser-like client whose requests carry `origin` (another site's, in the CSRF tests), or no
/// origin at all.
pub fn foreign_client(origin: Option<&str>) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    if let Some(origin) = origin {
        headers.insert(reqwest::header::ORIGIN, reqwest::header::HeaderValue::from_str(origin).expect("origin"));
    }
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .default_headers(headers)
        // A request the app never answers fails the test with this error instead of hanging the suite.
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .expect("client")
}

/// Calls a server function as the hydrated app does and decodes the JSON answer.
pub async fn call(app: &TestApp, client: &reqwest::Client, path: &str, fields: &[(&str, &str)]) -> (u16, serde_json::Value) {
    let res = app.call(client, path, fields).await;
    let status = res.status().as_u16();
    let text = res.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)))
}

pub fn location(res: &reqwest::Response) -> String {
    res.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string()
}

pub fn set_cookies(res: &reqwest::Response) -> Vec<String> {
    res.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).map(str::to_string).collect()
}

/// Replaces the roles of the user with `email` by one role (`viewer`, `editor`, …), in the database.
pub async fn set_role(app: &TestApp, email: &str, role: &str) {
    use diesel::{ExpressionMethods, QueryDsl};
    use flashpage::infra::db::schema::{roles, user_roles, users};
    let r: Result<(), flashpage::infra::db::DbError> = flashpage::db_write!(app.state.db, conn => {
        let user_id: String = users::table.filter(users::email.eq(email)).select(users::id).first(conn).await?;
        let role_id: String = roles::table.filter(roles::name.eq(role)).select(roles::id).first(conn).await?;
        diesel::delete(user_roles::table.filter(user_roles::user_id.eq(&user_id))).execute(conn).await?;
        diesel::insert_into(user_roles::table).values((user_roles::user_id.eq(&user_id), user_roles::role_id.eq(role_id))).execute(conn).await?;
        Ok(())
    });
    r.expect("set role");
}

/// Moves the organization owned by `email` to the plan named `plan` (as a paid subscription would).
pub async fn set_plan(app: &TestApp, email: &str, plan: &str) {
    use diesel::{ExpressionMethods, QueryDsl};
    use flashpage::infra::db::schema::{plans, subscriptions, users};
    let r: Result<(), flashpage::infra::db::DbError> = flashpage::db_write!(app.state.db, conn => {
        let user_id: String = users::table.filter(users::email.eq(email)).select(users::id).first(conn).await?;
        let plan_id: String = plans::table.filter(plans::name.eq(plan)).select(plans::id).first(conn).await?;
        diesel::update(subscriptions::table.filter(subscriptions::user_id.eq(&user_id)))
            .set((subscriptions::plan_id.eq(plan_id), subscriptions::status.eq("active")))
            .execute(conn)
            .await?;
        Ok(())
    });
    r.expect("set plan");
}

/// Generates `name::sqlite` and `name::postgres` from `async fn name(backend: Backend)`, for tests
/// that start their apps themselves (with settings of their own, or a fake Stripe).
#[macro_export]
macro_rules! per_backend_tests {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::common::Backend::Sqlite).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::common::Backend::Postgres).await;
                }
            }
        )*
    };
}

/// Generates one test per backend from `async fn name(app: &TestApp)` bodies, so the very same
/// suite runs on SQLite and PostgreSQL and the counts show per backend.
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let app = $crate::common::TestApp::start($crate::common::Backend::Sqlite).await.expect("sqlite app");
                    super::$name(&app).await;
                    app.finish().await;
                }
            )*
        }
        mod postgres {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(app) = $crate::common::TestApp::start($crate::common::Backend::Postgres).await else { return };
                    super::$name(&app).await;
                    app.finish().await;
                }
            )*
        }
    };
}

/// One test per backend from `async fn name(backend: Backend)` bodies that start their own app
/// (with options of their own); the test file imports `Backend`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() { super::$name(super::Backend::Sqlite).await }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() { super::$name(super::Backend::Postgres).await }
            )*
        }
    };
}

/// The link token of the newest invitation mailed to `to`.
pub async fn invitation_token(app: &TestApp, to: &str) -> String {
    use diesel::{ExpressionMethods, QueryDsl, TextExpressionMethods};
    use flashpage::infra::db::schema::mail_outbox;
    let to = to.to_string();
    let r: Result<String, flashpage::infra::db::DbError> = flashpage::db_read!(app.state.db, conn => {
        Ok(mail_outbox::table
            .filter(mail_outbox::recipient.eq(&to))
            .filter(mail_outbox::subject.like("%invites you to%"))
            .order(mail_outbox::created_at.desc())
            .select(mail_outbox::text_body)
            .first(conn)
            .await?)
    });
    let text = r.expect("an invitation mail");
    let start = text.find("/invite/").expect("a link") + "/invite/".len();
    text[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect()
}

/// Accepts an invitation in a new browser; the status and the browser (signed in on success).
pub async fn accept(app: &TestApp, token: &str, name: &str) -> (u16, reqwest::Client) {
    let browser = app.new_browser();
    let status = app.call(&browser, "/api/invitation/accept", &[("token", token), ("name", name), ("password", PASSWORD)]).await.status().as_u16();
    (status, browser)
}

/// Invites `email` with `role` into `group` (as `admin`) and accepts: the new member's browser.
pub async fn join_team(app: &TestApp, admin: &reqwest::Client, email: &str, role: &str, group: &str) -> reqwest::Client {
    let (status, body) = call(app, admin, "/api/team/invite", &[("email", email), ("roles[0]", role), ("group_id", group)]).await;
    assert_eq!(status, 200, "invite {email}: {body}");
    let token = invitation_token(app, email).await;
    let (status, browser) = accept(app, &token, email).await;
    assert_eq!(status, 200, "accept {email}");
    browser
}
