//! What the registration endpoints do: the limits in front of the writer, and what a visitor is
//! told. The answer to a registration depends on the page's state only, never on whether the
//! address was already registered (that would let anyone test who is coming).

use super::writer::{self, Context, Leaving, ManageRefusal, Refusal, Registering, Taken, Which};
use crate::accounts::backend::security_log::{self, SecurityEvent};
use crate::accounts::guard::{Scope, can};
use crate::error::AppError;
use crate::infra::notifier::Notifier;
use crate::infra::shared_limit::Limit;
use crate::infra::state::AppState;
use crate::pages::settings::PageSettings;
use crate::registrations::form::HONEYPOT;
use chrono::Utc;
use std::time::Duration;

/// A confirmation sent again because the same address registered again: at most this many an
/// hour per address and page, so the form can't be used to flood someone's inbox.
const RESENDS: Limit = Limit { name: "registration-resend", max: 3, window: chrono::Duration::hours(1) };

/// The per-page brake, counted on this instance (like the per-address limit): each instance of N
/// allows the page's limit, which bounds a script without a database write per registration.
#[derive(Clone)]
pub struct PageLimiter(crate::infra::rate_limit::RateLimiter);

impl PageLimiter {
    pub fn new() -> PageLimiter {
        PageLimiter(crate::infra::rate_limit::RateLimiter::new(u32::MAX, Duration::from_secs(60)))
    }
}

impl Default for PageLimiter {
    fn default() -> Self {
        PageLimiter::new()
    }
}

/// What a visitor is told after sending the form.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Sent {
    /// The event was full when the form arrived: the mail tells the place in line.
    pub waitlist: bool,
}

/// A form that was refused, and whether what was typed is worth keeping for the page to show
/// again ([`super::drafts`]): only for a live event page, past the rate limits, refused for its
/// answers or because the event filled. An unknown page, a page that takes no registrations now,
/// and a refusal by a limit keep nothing, so that a flood of large posts costs no memory.
#[derive(Debug)]
pub struct Refused {
    pub error: AppError,
    pub keep_values: bool,
}

impl Refused {
    pub fn bare(error: impl Into<AppError>) -> Refused {
        Refused { error: error.into(), keep_values: false }
    }
}

/// The page a registration is for, as visitors see it now (the storefront's cached copy, which
/// the storefront looks up: a rush of registrations costs no page query each).
pub struct ForPage<'a> {
    pub short_id: &'a str,
    pub page_id: &'a str,
    pub settings: &'a PageSettings,
    /// No seat was left when the copy was made.
    pub full: bool,
}

/// What is checked before the page is looked at: a bot that filled in the field people never see
/// is told what people are told (`Some`), and nothing is stored; then the per-address limit.
pub async fn screen(state: &AppState, short_id: &str, pairs: &[(String, String)], client_ip: Option<&str>) -> Result<Option<Sent>, Refused> {
    if pairs.iter().any(|(k, v)| k == HONEYPOT && !v.trim().is_empty()) {
        tracing::info!(short_id, "registration refused by the honeypot");
        return Ok(Some(Sent { waitlist: false }));
    }
    if let Some(ip) = client_ip {
        if !super::NotifyLimiter::of(state).0.allow(ip).await {
            return Err(Refused::bare(AppError::rate_limited("Too many sign-ups from your network. Please try again in a few minutes.")));
        }
    }
    Ok(None)
}

/// The answer for a page that does not exist (or no longer).
pub fn no_such_page() -> Refused {
    Refused::bare(Refusal::NoSuchPage.error())
}

/// Takes a screened registration from the form's fields.
pub async fn register(state: &AppState, page: ForPage<'_>, pairs: &[(String, String)], client_ip: Option<&str>) -> Result<Sent, Refused> {
    let now = Utc::now();
    if let PageSettings::EventRegistration(s) = page.settings {
        if !state.part::<PageLimiter>().0.allow_within(page.page_id, s.registrations_per_minute()).await {
            writer::count_limit_refusal(&state.db, page.page_id, now).await.map_err(Refused::bare)?;
            return Err(Refused::bare(AppError::rate_limited("Lots of people are registering right now. Please try again in a minute.")));
        }
    }
    let request = Registering { pairs: pairs.to_vec(), client_ip: client_ip.map(String::from), now };
    let (taken, page_id) = super::desk::Desks::take(state, page.short_id, request).await.map_err(Refused::bare)?;
    match taken {
        // The desk dropped the page's cached copy (its seats) once for the whole batch.
        Ok(Taken::New { status, .. }) => Ok(Sent { waitlist: status == crate::registrations::model::RegistrationStatus::Waitlisted }),
        Ok(Taken::Again { id }) => {
            if RESENDS.hit(&state.db, &format!("{page_id}:{id}"), now).await.map_err(Refused::bare)? {
                writer::resend(&state.db, Context::of(state), &id, now).await.map_err(Refused::bare)?;
            }
            Ok(Sent { waitlist: page.full })
        }
        Err(refusal) => Err(Refused { keep_values: matches!(refusal, Refusal::Invalid(_) | Refusal::FullyBooked), error: refusal.error() }),
    }
}

/// Cancels (or deletes) a registration from its manage link.
pub async fn leave(state: &AppState, token: &str, how: Leaving) -> Result<(), AppError> {
    let (found, _promoted) = writer::leave(&state.db, Context::of(state), Which::Token(token), how, Utc::now()).await?.map_err(|r| r.error())?;
    refresh_page(state, &found.page_id).await;
    Ok(())
}

/// The page's cached copy (its seats) is dropped everywhere.
async fn refresh_page(state: &AppState, page_id: &str) {
    if let Ok(Some(short_id)) = crate::pages::backend::store::short_id_of(&state.db, page_id).await {
        Notifier::changed(state, &short_id).await;
    }
}

fn gone() -> AppError {
    AppError::not_found("That registration is gone.")
}

/// The registration, when it belongs to the caller's organization (else not found) and to an
/// event the caller may change: editors act on the registrants of their own group's events only
/// (403 naming their group), like they edit only their group's pages
/// (`pages::backend::store::editable`).
async fn registrant_in_scope(state: &AppState, scope: &Scope<can::ManageRegistrants>, id: &str) -> Result<writer::Found, AppError> {
    let found = writer::find(&state.db, &Which::InOrganization { id, organization_id: scope.organization_id() }).await?.ok_or_else(gone)?;
    let page = crate::pages::backend::store::get(&state.db, scope.organization_id(), &found.page_id).await?.ok_or_else(gone)?;
    scope.check_group(page.group_id.as_deref(), "event")?;
    Ok(found)
}

/// A creator removes someone; their seat goes to the waitlist.
pub async fn remove(state: &AppState, scope: &Scope<can::ManageRegistrants>, id: &str) -> Result<(), AppError> {
    registrant_in_scope(state, scope, id).await?;
    let which = Which::InOrganization { id, organization_id: scope.organization_id() };
    let (found, promoted) = writer::leave(&state.db, Context::of(state), which, Leaving::RemovedByCreator, Utc::now()).await?.map_err(|r| match r {
        ManageRefusal::UnknownLink => AppError::not_found("That registration is gone."),
        other => other.error(),
    })?;
    tracing::info!(registration = id, page = %found.page_id, promoted = promoted.len(), "registration removed by its creator");
    log(state, scope, SecurityEvent::RegistrationRemoved, Some(id)).await;
    refresh_page(state, &found.page_id).await;
    Ok(())
}

/// A creator deletes someone's registration or sign-up and its answers (a seat it held goes to
/// the waitlist; nobody is mailed).
pub async fn delete(state: &AppState, scope: &Scope<can::ManageRegistrants>, id: &str) -> Result<(), AppError> {
    registrant_in_scope(state, scope, id).await?;
    let which = Which::InOrganization { id, organization_id: scope.organization_id() };
    let (found, _) = writer::leave(&state.db, Context::of(state), which, Leaving::Delete, Utc::now())
        .await?
        .map_err(|_| AppError::not_found("That registration is gone."))?;
    log(state, scope, SecurityEvent::RegistrationDeleted, Some(id)).await;
    refresh_page(state, &found.page_id).await;
    Ok(())
}

/// A creator gives a waitlisted person a free seat.
pub async fn move_from_waitlist(state: &AppState, scope: &Scope<can::ManageRegistrants>, id: &str) -> Result<(), AppError> {
    use writer::MoveRefusal;
    registrant_in_scope(state, scope, id).await?;
    writer::move_from_waitlist(&state.db, Context::of(state), id, scope.organization_id(), Utc::now()).await?.map_err(|r| match r {
        MoveRefusal::NotFound => AppError::not_found("That registration is gone."),
        MoveRefusal::NotWaitlisted => AppError::conflict("This person isn't on the waitlist any more."),
        MoveRefusal::NoSeatFree => AppError::conflict("No seat is free. Raise the number of places, or remove someone first."),
    })?;
    log(state, scope, SecurityEvent::RegistrationMoved, Some(id)).await;
    if let Some(found) = writer::find(&state.db, &Which::InOrganization { id, organization_id: scope.organization_id() }).await? {
        refresh_page(state, &found.page_id).await;
    }
    Ok(())
}

pub async fn check_in(state: &AppState, scope: &Scope<can::ManageRegistrants>, id: &str, attended: bool) -> Result<(), AppError> {
    registrant_in_scope(state, scope, id).await?;
    match writer::check_in(&state.db, id, scope.organization_id(), attended, Utc::now()).await? {
        None => return Err(AppError::not_found("That registration is gone.")),
        Some(false) => return Err(AppError::conflict("Only people with a seat can be checked in.")),
        Some(true) => {}
    }
    log(state, scope, if attended { SecurityEvent::RegistrationCheckedIn } else { SecurityEvent::RegistrationCheckInUndone }, Some(id)).await;
    Ok(())
}

/// A creator sends someone's confirmation again: within the same [`RESENDS`] as the form sent
/// again (3 an hour per registration, shared by every instance), so neither way floods an inbox.
pub async fn resend(state: &AppState, scope: &Scope<can::ManageRegistrants>, id: &str) -> Result<(), AppError> {
    let found = registrant_in_scope(state, scope, id).await?;
    let now = Utc::now();
    if !RESENDS.hit(&state.db, &format!("{}:{id}", found.page_id), now).await? {
        return Err(AppError::rate_limited(format!("This confirmation was already sent {} times in the last hour. Try again in an hour.", RESENDS.max)));
    }
    if !writer::resend(&state.db, Context::of(state), id, now).await? {
        return Err(AppError::conflict("Only registered or waitlisted people get a confirmation."));
    }
    log(state, scope, SecurityEvent::RegistrationResent, Some(id)).await;
    Ok(())
}

/// Every creator action on someone's registration lands in the security log.
pub async fn log<P>(state: &AppState, scope: &Scope<P>, event: SecurityEvent, registrant: Option<&str>) {
    security_log::record_action(state, scope, event, registrant).await;
}
