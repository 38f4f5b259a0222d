//! Change notices: a domain that changed something visitors see says so once, here, and every
//! cache that keeps a copy of it, on this instance and on the others, forgets it.
//!
//! The domains that change things (pages, orders, registrations, billing) stand below the caches
//! that copy them (the storefront's), so they cannot call a cache. They call
//! [`Notifier::changed`] with the key the caches use (a page's short id); the caches subscribe at
//! start-up (`web::startup`). On this instance the subscribers forget the key before `changed`
//! returns, so the writer's next read sees the change; with PostgreSQL the key also goes to the
//! other instances (`pg_notify` on [`CHANNEL`]), whose listener ([`spawn_listener`]) hands it to
//! their subscribers as it arrives.

use crate::infra::state::AppState;
use futures_util::StreamExt;
use futures_util::future::BoxFuture;
use std::sync::Arc;
use std::time::Duration;

/// The PostgreSQL channel on which instances announce changes (the payload: the key).
pub const CHANNEL: &str = "flashpage_pages";

/// What a subscriber is told to forget.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Forget<'a> {
    /// The copy kept under this key.
    One(&'a str),
    /// Every copy: notices may have been missed (the listener reconnected).
    All,
}

/// A cache that keeps copies of what the domains change.
pub trait Subscriber: Send + Sync {
    fn forget<'a>(&'a self, what: Forget<'a>) -> BoxFuture<'a, ()>;
}

/// The subscribers of this instance (a part of the app state, assembled at start-up).
#[derive(Clone)]
pub struct Notifier(Arc<Vec<Arc<dyn Subscriber>>>);

impl Notifier {
    pub fn new(subscribers: Vec<Arc<dyn Subscriber>>) -> Notifier {
        Notifier(Arc::new(subscribers))
    }

    pub fn of(state: &AppState) -> &Notifier {
        state.part()
    }

    /// Something under `key` changed: this instance forgets it at once, and the others are told.
    pub async fn changed(state: &AppState, key: &str) {
        Notifier::of(state).forget(Forget::One(key)).await;
        if let Err(e) = state.db.notify(CHANNEL, key).await {
            tracing::warn!(error = %e, "could not tell the other instances about a change; their copies expire with their TTL");
        }
    }

    async fn forget(&self, what: Forget<'_>) {
        for subscriber in self.0.iter() {
            subscriber.forget(what).await;
        }
    }
}

/// Listens for the other instances' notices (PostgreSQL only) until the process ends,
/// reconnecting after a second when the connection drops; on every (re)connection the
/// subscribers forget everything, since notices may have been missed meanwhile. The returned
/// signal fires once the first `LISTEN` is in place (at once with SQLite).
pub fn spawn_listener(state: &AppState) -> tokio::sync::oneshot::Receiver<()> {
    let state = state.clone();
    let (ready, listening) = tokio::sync::oneshot::channel();
    let mut ready = Some(ready);
    tokio::spawn(async move {
        loop {
            match crate::infra::db::notify::listen(&state.config.database_url, CHANNEL).await {
                Ok(None) => {
                    if let Some(r) = ready.take() {
                        let _ = r.send(());
                    }
                    return;
                }
                Ok(Some(mut notices)) => {
                    Notifier::of(&state).forget(Forget::All).await;
                    if let Some(r) = ready.take() {
                        let _ = r.send(());
                    }
                    while let Some(key) = notices.next().await {
                        Notifier::of(&state).forget(Forget::One(&key)).await;
                    }
                    tracing::warn!("the change listener lost its connection; reconnecting");
                }
                Err(e) => tracing::warn!(error = %e, "could not listen for changes; retrying"),
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
    listening
}
