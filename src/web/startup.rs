//! Start-up: configuration -> database (migrated) -> app state, assembled here from the
//! infrastructure and the parts the domains define. Shared by `main` and the tests.

use super::html_cache::HtmlCache;
use crate::accounts::backend::{passwords, security_log, store};
use crate::infra::config::Config;
use crate::infra::db::{Db, DbError, run_migrations};
use crate::infra::mail::sender;
use crate::infra::mail::transport::Mailer;
use crate::infra::payments::Payments;
use crate::infra::payments::sandbox::Sandbox;
use crate::infra::payments::stripe::StripeCheckout;
use crate::infra::state::AppState;
use crate::infra::storage::{Storage, StorageError};
use crate::registrations::backend::NotifyLimiter;
use crate::storefront::cache::PageCache;
use crate::storefront::view_counter::ViewCounter;
use leptos::config::LeptosOptions;
use std::sync::Arc;
use std::time::Duration;

/// Why the app could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("{0}")]
    Assets(String),
    #[error("configuration error: {0}")]
    Mail(String),
    #[error("configuration error: {0}")]
    Payments(String),
    #[error("configuration error: APP_SECRET {0}")]
    Secret(String),
}

/// With hashed asset names, Leptos reads their names from the hash file next to the binary on
/// every render and panics if it is missing: refuse to start instead, saying how to fix it.
fn check_hash_file(options: &LeptosOptions) -> Result<(), StartupError> {
    if !options.hash_files {
        return Ok(());
    }
    let exe_dir = std::env::current_exe().ok().and_then(|p| p.parent().map(|d| d.to_path_buf())).unwrap_or_default();
    let hash_file = exe_dir.join(options.hash_file.as_ref());
    if hash_file.is_file() {
        Ok(())
    } else {
        Err(StartupError::Assets(format!(
            "configuration error: LEPTOS_HASH_FILES is on but {} is missing: build with `cargo leptos build` \
             (it writes the file next to the binary) or set LEPTOS_HASH_FILES=false",
            hash_file.display()
        )))
    }
}

/// Opens and migrates the database, opens file storage, and builds the app state.
pub async fn prepare(config: Config, leptos_options: LeptosOptions) -> Result<AppState, StartupError> {
    check_hash_file(&leptos_options)?;
    let storage = Storage::open(&config.storage)?;
    let mailer = Mailer::open(&config.mail).map_err(StartupError::Mail)?;
    tracing::info!(mail = %mailer.describe(), "mail ready");
    let db = Db::connect(&config.database_url, config.db_max_connections).await?;
    let ran = run_migrations(&db).await?;
    if ran > 0 {
        tracing::info!(migrations = ran, backend = db.backend_name(), "applied database migrations");
    }
    // Compute the timing-equalisation hash now rather than during the first login.
    tokio::task::spawn_blocking(passwords::warm_up);
    let payments = payments(&config, &db)?;
    let page_cache_ttl = config.page_cache_ttl;
    let secret = crate::infra::secrets::AppSecret::load(config.app_secret.as_deref(), &config.data_dir).map_err(StartupError::Secret)?;
    tracing::info!(provider = payments.provider.name(), "payments ready");
    let sandbox = payments.sandbox;
    // The storefront's cache forgets what the domains announce as changed (`infra::notifier`).
    let page_cache = PageCache::with_ttl(page_cache_ttl);
    let notifier = crate::infra::notifier::Notifier::new(vec![Arc::new(page_cache.clone())]);
    Ok(AppState::new(db, config, leptos_options, storage)
        .with_part(payments)
        .with_part(crate::infra::payments::door::EventSinks::new(vec![
            std::sync::Arc::new(crate::orders::backend::events::OrderEvents),
            std::sync::Arc::new(crate::billing::backend::events::BillingEvents),
        ]))
        // The parts of deleting an organization owned above accounts, in the order they run.
        .with_part(crate::accounts::backend::service::deletion::EndingParts(Arc::new(vec![
            Arc::new(crate::billing::backend::service::EndSubscriptions),
            Arc::new(crate::pages::backend::writer::DeleteEveryPage),
        ])))
        .with_part(page_cache)
        .with_part(notifier)
        .with_part(HtmlCache::default())
        .with_part(Arc::new(ViewCounter::default()))
        .with_part(NotifyLimiter::new())
        .with_part(secret)
        .with_part(crate::registrations::backend::drafts::FormDrafts::new())
        .with_part(crate::registrations::backend::service::PageLimiter::new())
        .with_part(crate::registrations::backend::desk::Desks::default())
        .with_part(Arc::new(if sandbox { mailer.in_sandbox() } else { mailer })))
}

/// The payment provider: Stripe or the built-in test checkout, as `PAYMENTS` chose. The
/// test checkout signs its events with `STRIPE_WEBHOOK_SECRET` when set, else with a secret made
/// up at start (nothing outside this process needs to know it).
fn payments(config: &Config, db: &Db) -> Result<Payments, StartupError> {
    let webhook_secret = config.payments.webhook_secret.clone().unwrap_or_else(|| format!("whsec_local_{}", crate::infra::tokens::new_token()));
    let provider: Arc<dyn crate::infra::payments::PaymentProvider> = match (config.payments.provider, &config.payments.stripe_secret_key) {
        (crate::infra::payments::settings::Provider::Stripe, Some(key)) => {
            Arc::new(StripeCheckout::new(key, config.payments.stripe_api_base.as_deref()).map_err(StartupError::Payments)?)
        }
        _ => {
            if !crate::infra::payments::settings::is_local(&config.public_url) {
                tracing::warn!(public_url = %config.public_url, "PAYMENTS=test: the test checkout takes payments; every public page and mail says so");
            }
            Arc::new(Sandbox::new(db.clone(), &config.public_url, &webhook_secret))
        }
    };
    let sandbox = provider.name() == crate::infra::payments::sandbox::NAME && !crate::infra::payments::settings::is_local(&config.public_url);
    Ok(Payments { provider, webhook_secret, sandbox })
}

/// The background work of a running server: housekeeping, the mail sender (every 2 s), and
/// writing counted views every few seconds.
pub fn spawn_background(state: &AppState) {
    spawn_housekeeping(state);
    sender::spawn_sender(state.db.clone(), state.part::<Arc<Mailer>>().clone(), Duration::from_secs(2));
    crate::storefront::view_counter::spawn_view_flusher(state, Duration::from_secs(5));
    spawn_hold_expiry(state, Duration::from_secs(15));
    spawn_owed_refunds(state, Duration::from_secs(20));
    spawn_registration_mail(state, Duration::from_secs(30));
    spawn_billing(state, Duration::from_secs(60));
    // Its readiness matters to tests only.
    drop(crate::infra::notifier::spawn_listener(state));
}

/// Runs `job` every `every` (the first time at once) for as long as the process lives.
fn spawn_every<F, Fut>(state: &AppState, every: Duration, job: F)
where
    F: Fn(AppState) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let state = state.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            job(state.clone()).await;
        }
    });
}

/// Queues event reminders and launch notices as they fall due (exactly once each, whatever the
/// number of instances: see `registrations::backend::jobs`).
fn spawn_registration_mail(state: &AppState, every: Duration) {
    use crate::registrations::backend::jobs;
    spawn_every(state, every, |state| async move {
        let now = chrono::Utc::now();
        match jobs::send_reminders(&state.db, crate::registrations::backend::writer::Context::of(&state), now).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(messages = n, "queued event reminders"),
            Err(e) => tracing::warn!(error = %e, "could not queue event reminders"),
        }
        match jobs::send_launch_notices(&state.db, crate::registrations::backend::writer::Context::of(&state), now).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(messages = n, "queued launch notices"),
            Err(e) => tracing::warn!(error = %e, "could not queue launch notices"),
        }
    });
}

/// Renews the test checkout's subscriptions, gives renewing subscriptions their plan's new price,
/// and ends grace periods (see `billing::backend::service::tick`).
fn spawn_billing(state: &AppState, every: Duration) {
    spawn_every(state, every, |state| async move { crate::billing::backend::service::tick(&state).await });
}

/// Ends lapsed holds and closes their payment pages. Stock does not wait for this (a lapsed hold
/// counts as free at once); it keeps order statuses true and Stripe sessions closed.
fn spawn_hold_expiry(state: &AppState, every: Duration) {
    spawn_every(state, every, |state| async move {
        match crate::orders::backend::service::expire_lapsed_holds(&state, chrono::Utc::now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(orders = n, "ended lapsed holds"),
            Err(e) => tracing::warn!(error = %e.message, "could not end lapsed holds"),
        }
    });
}

/// Tries again the refunds owed for payments that found no unit left, until the provider takes
/// them (see `orders::backend::refunds`).
fn spawn_owed_refunds(state: &AppState, every: Duration) {
    spawn_every(state, every, |state| async move {
        match crate::orders::backend::refunds::retry_due(&state, chrono::Utc::now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(orders = n, "owed refunds taken by the provider"),
            Err(e) => tracing::warn!(error = %e.message, "could not retry owed refunds"),
        }
    });
}

/// Hourly clean-up of expired sessions and account links, security-log entries past retention, finished
/// rate-limit windows, sent mail after a week (rows and `.eml` files), buyers' addresses and orders
/// past retention, and storage reservations of uploads that ended with their process.
pub fn spawn_housekeeping(state: &AppState) {
    let state = state.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        loop {
            tick.tick().await;
            housekeeping_round(&state).await;
        }
    });
}

/// One round of the hourly housekeeping (each part logs its own failure and the others go on).
pub async fn housekeeping_round(state: &AppState) {
    let db = &state.db;
    let now = chrono::Utc::now().naive_utc();
    if let Err(e) = store::purge_expired_sessions(db, now).await {
        tracing::warn!(error = %e, "could not purge expired sessions");
    }
    if let Err(e) = crate::accounts::backend::recovery::purge_old(db, now).await {
        tracing::warn!(error = %e, "could not purge old account links");
    }
    match crate::accounts::backend::unconfirmed::purge(db, now).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(accounts = n, "deleted accounts never confirmed within a week"),
        Err(e) => tracing::warn!(error = %e, "could not delete unconfirmed accounts"),
    }
    if let Err(e) = security_log::purge_old(db, now).await {
        tracing::warn!(error = %e, "could not purge old security log entries");
    }
    if let Err(e) = crate::infra::shared_limit::purge_expired(db, now).await {
        tracing::warn!(error = %e, "could not purge finished rate-limit windows");
    }
    match crate::infra::mail::outbox::purge_done(db, now).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(messages = n, "deleted sent mail from the outbox"),
        Err(e) => tracing::warn!(error = %e, "could not delete sent mail from the outbox"),
    }
    let mail_dir = state.config.mail.dir.clone();
    match tokio::task::spawn_blocking(move || crate::infra::mail::files::purge_old(&mail_dir, std::time::SystemTime::now())).await {
        Ok(Ok(0)) => {}
        Ok(Ok(n)) => tracing::info!(files = n, "deleted week-old .eml files"),
        Ok(Err(e)) => tracing::warn!(error = %e, "could not delete old .eml files"),
        Err(e) => tracing::warn!(error = %e, "the .eml clean-up stopped"),
    }
    match crate::orders::backend::writer::apply_retention(db, chrono::Utc::now()).await {
        Ok((0, 0)) => {}
        Ok((erased, deleted)) => tracing::info!(erased_addresses = erased, deleted_orders = deleted, "order retention applied"),
        Err(e) => tracing::warn!(error = %e, "could not apply order retention"),
    }
    match crate::registrations::backend::writer::erase_old_addresses(db, chrono::Utc::now()).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(erased_addresses = n, "registration retention applied"),
        Err(e) => tracing::warn!(error = %e, "could not erase old registration addresses"),
    }
    match crate::infra::storage::ledger::release_stale_reservations(db, now - chrono::TimeDelta::days(1)).await {
        Ok(0) => {}
        Ok(n) => tracing::warn!(reservations = n, "wrote off storage reserved by uploads that never finished"),
        Err(e) => tracing::warn!(error = %e, "could not write off stale upload reservations"),
    }
}
