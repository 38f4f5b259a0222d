//! The registration desk: registrations for one page are taken in batches.
//!
//! A seat limit is exact only if each decision sees every earlier one, so registrations for one
//! page queue behind its row lock. Taken one transaction each, that queue moves at one commit
//! (a disk flush on PostgreSQL) per person, and the lock is held while the flush waits: about 70
//! a second in a debug build here, with a thousand people waiting. So each page has a desk on
//! each instance: the first registration to arrive is taken at once, and the ones that arrive
//! meanwhile wait and are taken together, in arrival order, in one transaction
//! (`writer::register`), up to [`MAX_BATCH`]. A calm page sees batches of one; a rush sees few,
//! large batches, and the flush is paid once per batch. Instances still queue behind the page's
//! lock, so the limit holds across them.
//!
//! A desk with nothing to do for [`IDLE`] closes; the next registration opens a new one.

use super::writer::{self, Refusal, Registering, Taken};
use crate::infra::db::DbError;
use crate::infra::state::AppState;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// The most registrations taken in one transaction.
pub const MAX_BATCH: usize = 128;
/// How long an idle desk stays open.
pub const IDLE: Duration = Duration::from_secs(30);

type Answer = Result<(Result<Taken, Refusal>, String), DbError>;

struct Job {
    registering: Registering,
    reply: oneshot::Sender<Answer>,
}

/// The open desks of this instance, by page short id (an app part).
#[derive(Clone, Default)]
pub struct Desks(Arc<Mutex<HashMap<String, mpsc::UnboundedSender<Job>>>>);

impl Desks {
    /// Hands a registration to its page's desk and waits for the answer (and the page's id).
    pub async fn take(state: &AppState, short_id: &str, registering: Registering) -> Answer {
        let desks = state.part::<Desks>().clone();
        let (reply, answer) = oneshot::channel();
        {
            // Sent under the lock, so a desk that closes (also under the lock) never drops a job.
            let mut open = desks.0.lock().unwrap_or_else(|e| e.into_inner());
            let job = Job { registering, reply };
            let unsent = match open.get(short_id) {
                Some(desk) => desk.send(job).err().map(|mpsc::error::SendError(job)| job),
                None => Some(job),
            };
            if let Some(job) = unsent {
                let (desk, jobs) = mpsc::unbounded_channel();
                let _ = desk.send(job);
                open.insert(short_id.to_string(), desk);
                tokio::spawn(serve(state.clone(), desks.clone(), short_id.to_string(), jobs));
            }
        }
        answer.await.unwrap_or_else(|_| Err(DbError::Pool("the registration desk stopped".into())))
    }
}

/// A desk's work: take what has arrived, in one transaction, answer everyone; again.
async fn serve(state: AppState, desks: Desks, short_id: String, mut jobs: mpsc::UnboundedReceiver<Job>) {
    loop {
        let first = match tokio::time::timeout(IDLE, jobs.recv()).await {
            Ok(Some(job)) => job,
            Ok(None) => return,
            Err(_) => {
                let mut open = desks.0.lock().unwrap_or_else(|e| e.into_inner());
                if jobs.is_empty() {
                    open.remove(&short_id);
                    return;
                }
                continue;
            }
        };
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        take_batch(&state, &short_id, batch).await;
    }
}

async fn take_batch(state: &AppState, short_id: &str, batch: Vec<Job>) {
    let registrations: Vec<Registering> = batch.iter().map(|j| j.registering.clone()).collect();
    match writer::register(&state.db, writer::Context::of(state), short_id, &registrations).await {
        Ok((answers, page_id)) => {
            // Seats changed (or the page turned out full): its cached copy goes, here and on the
            // other instances, once for the batch and before anyone is answered, so the page a
            // registrant sees next shows the new count.
            if answers.iter().any(|a| matches!(a, Ok(Taken::New { .. }) | Err(Refusal::FullyBooked))) {
                crate::infra::notifier::Notifier::changed(state, short_id).await;
            }
            for (job, answer) in batch.into_iter().zip(answers) {
                let _ = job.reply.send(Ok((answer, page_id.clone())));
            }
        }
        // One failing registration must not fail the others: each is tried alone.
        Err(e) if batch.len() > 1 => {
            tracing::warn!(error = %e, short_id, registrations = batch.len(), "a batch of registrations failed; taking them one by one");
            for job in batch {
                let alone = std::slice::from_ref(&job.registering);
                let answer = writer::register(&state.db, writer::Context::of(state), short_id, alone)
                    .await
                    .map(|(mut answers, page_id)| (answers.pop().unwrap_or(Err(Refusal::NoSuchPage)), page_id));
                let _ = job.reply.send(answer);
            }
            crate::infra::notifier::Notifier::changed(state, short_id).await;
        }
        Err(e) => {
            for job in batch {
                let _ = job.reply.send(Err(DbError::Pool(e.to_string())));
            }
        }
    }
}
