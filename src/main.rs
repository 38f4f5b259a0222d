//! Server entry: load config -> open database (run migrations) -> router -> serve.
//!
//! `flashpage` serves; `flashpage migrate` only applies migrations and exits.

use flashpage::infra::config::Config;
use flashpage::web::{router, startup};
use leptos::config::get_configuration;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    init_tracing();
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("flashpage: {message}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,tower_http=warn"));
    tracing_subscriber::fmt().with_env_filter(filter).with_target(false).init();
}

async fn run() -> Result<(), String> {
    let command = std::env::args().nth(1);
    let config = Config::from_env().map_err(|e| e.to_string())?;
    // Leptos.toml holds the runtime settings for a deployed server; cargo-leptos sets the same
    // values through LEPTOS_* variables, which override the file.
    let leptos_path = std::path::Path::new("Leptos.toml").exists().then_some("Leptos.toml");
    let leptos_options = get_configuration(leptos_path).map_err(|e| format!("configuration error: Leptos settings: {e}"))?.leptos_options;

    match command.as_deref() {
        None | Some("serve") => {}
        Some("migrate") => {
            let db = flashpage::infra::db::Db::connect(&config.database_url, 1)
                .await
                .map_err(|e| format!("{e} (DATABASE_URL={})", config.database_url.redacted()))?;
            let ran = flashpage::infra::db::run_migrations(&db).await.map_err(|e| e.to_string())?;
            println!("applied {ran} migration(s) to {}", config.database_url.redacted());
            return Ok(());
        }
        Some(other) => return Err(format!("unknown command '{other}'; use 'serve' (default) or 'migrate'")),
    }

    let addr = leptos_options.site_addr;
    let db_url = config.database_url.redacted();
    let storage = config.storage.describe();
    let state = startup::prepare(config, leptos_options).await.map_err(|e| match e {
        startup::StartupError::Db(e) => format!("{e} (DATABASE_URL={db_url})"),
        startup::StartupError::Storage(e) => format!("{e} (storage: {storage})"),
        startup::StartupError::Assets(e) => e,
        e @ (startup::StartupError::Mail(_) | startup::StartupError::Payments(_) | startup::StartupError::Secret(_)) => e.to_string(),
    })?;
    startup::spawn_background(&state);
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| format!("cannot listen on {addr}: {e} (set LEPTOS_SITE_ADDR to another address)"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    tracing::info!(database = %db_url, %storage, "database and file storage ready");
    println!("Flashpage is running at http://{local}");
    router::serve(listener, router::router(state), shutdown_signal()).await.map_err(|e| e.to_string())?;
    tracing::info!("shut down cleanly");
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM, starting a graceful shutdown.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutdown signal received; finishing in-flight requests");
}
