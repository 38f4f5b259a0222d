//! What a registration form sent without JavaScript came back with: the values typed and the
//! errors, kept in memory for ten minutes under a random id, so that the page can show the form
//! again filled in, with each message beside its field, without putting anyone's answers in an
//! address (addresses end up in logs and browser history).
//!
//! Per instance: behind a load balancer without affinity, the redirect may reach another
//! instance, which shows the errors' page without the values (the visitor types them again).

use crate::error::AppError;
use crate::infra::state::AppState;
use crate::registrations::model::FormAnswer;
use moka::future::Cache;
use std::time::Duration;

#[derive(Clone)]
pub struct FormDrafts(Cache<String, FormAnswer>);

impl FormDrafts {
    pub fn new() -> FormDrafts {
        FormDrafts(Cache::builder().max_capacity(20_000).time_to_live(Duration::from_secs(600)).build())
    }

    pub fn of(state: &AppState) -> &FormDrafts {
        state.part()
    }

    /// Keeps a refused form; the id to come back with.
    pub async fn keep(&self, values: Vec<(String, String)>, err: &AppError) -> String {
        let id = crate::infra::tokens::new_token();
        let message = err.fields.is_empty().then(|| err.message.clone());
        self.0.insert(id.clone(), FormAnswer { sent: false, waitlist: false, values, errors: err.fields.clone(), message }).await;
        id
    }

    pub async fn get(&self, id: &str) -> Option<FormAnswer> {
        self.0.get(id).await
    }
}

impl Default for FormDrafts {
    fn default() -> Self {
        FormDrafts::new()
    }
}
