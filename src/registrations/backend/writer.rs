//! The registration's one write path: registering (a seat or a waitlist place), cancelling,
//! deleting, the creator's removals, moves and check-ins, and filling freed seats from the
//! waitlist.
//!
//! Every change that touches seats takes the page's row lock first and counts after it, so two
//! people after the last seat are serialised: on PostgreSQL by the lock, on SQLite by its single
//! writer. Registered rows never exceed `maxAttendees`, and the waitlist is served in the order
//! people joined it (`seq`, given under the same lock). The mail a change causes is queued in the
//! same transaction: committed together or not at all.

use super::mail::{self, EventMail, Notice, Person};
use crate::db_write;
use crate::error::FieldError;
use crate::infra::db::prelude::*;
use crate::infra::db::schema::{pages, registrations};
use crate::infra::db::{Db, DbError, new_id};
use crate::infra::mail::outbox::{enqueue_mail, enqueue_mails};
use crate::infra::secrets::AppSecret;
use crate::infra::tokens::token_hash;
use crate::pages::customization::Customization;
use crate::pages::phase::{PageClock, Phase, phase};
use crate::pages::settings::{EventRegistrationSettings, PageSettings, PageType};
use crate::registrations::form::{self, ValidRegistration};
use crate::registrations::model::RegistrationStatus;
use chrono::{DateTime, Duration, NaiveDateTime, Utc};

/// The purpose a manage link's token is derived for (`AppSecret::link_token`).
pub const MANAGE: &str = "registration-manage";

/// What the writer needs besides the database: the key that derives manage links, and what goes
/// into mail.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    pub secret: &'a AppSecret,
    pub public_url: &'a str,
    pub from: &'a str,
}

impl Context<'_> {
    /// The context from the app state.
    pub fn of(state: &crate::infra::state::AppState) -> Context<'_> {
        Context { secret: state.part::<AppSecret>(), public_url: &state.config.public_url, from: &state.config.mail.from }
    }

    pub fn manage_token(&self, registration_id: &str) -> String {
        self.secret.link_token(MANAGE, registration_id)
    }
}

/// An event page as the writer reads it, inside its transaction.
pub struct EventPage {
    pub id: String,
    pub short_id: String,
    pub organization_id: String,
    pub title: String,
    pub accent: String,
    pub settings: EventRegistrationSettings,
    pub clock: PageClock,
}

/// A page as the registration writers read it (`EventRow::as_select()`), to make an [`EventPage`].
#[derive(diesel::Queryable, diesel::Selectable)]
#[diesel(table_name = crate::infra::db::schema::pages)]
pub struct EventRow {
    pub id: String,
    pub short_id: String,
    #[diesel(select_expression = crate::infra::db::schema::pages::organization_id.assume_not_null())]
    #[diesel(select_expression_type = diesel::dsl::AssumeNotNull<crate::infra::db::schema::pages::organization_id>)]
    pub organization_id: String,
    pub page_type: String,
    pub settings: String,
    pub customization: String,
    pub is_active: bool,
    pub launch_at: Option<NaiveDateTime>,
    pub expires_at: Option<NaiveDateTime>,
}

impl EventPage {
    /// `None` for a page that is not an event (or whose settings can't be read).
    pub fn from_row(row: EventRow) -> Option<EventPage> {
        let EventRow { id, short_id, organization_id, page_type, settings, customization, is_active, launch_at, expires_at } = row;
        let PageSettings::EventRegistration(settings) = PageType::parse(&page_type).and_then(|k| PageSettings::from_json(k, &settings).ok())? else {
            return None;
        };
        let look = Customization::from_json(&customization).ok();
        let clock =
            PageClock { is_active, launch_at: launch_at.map(|t| t.and_utc()), expires_at: expires_at.map(|t| t.and_utc()), end_time: settings.event_end_time };
        Some(EventPage {
            id,
            short_id,
            organization_id,
            title: look.as_ref().map(|l| l.headline.clone()).filter(|h| !h.trim().is_empty()).unwrap_or_else(|| "Your event".into()),
            accent: look.map(|l| l.accent_color).unwrap_or_default(),
            settings,
            clock,
        })
    }

    pub fn mail<'a>(&'a self, ctx: &Context<'a>, now: DateTime<Utc>) -> EventMail<'a> {
        EventMail { title: &self.title, accent: &self.accent, settings: &self.settings, public_url: ctx.public_url, from: ctx.from, stamp: now }
    }
}

/// Locks a page's row (`$filter` on `pages`) until commit and reads it as an [`EventRow`], or `None`.
#[macro_export]
macro_rules! lock_event_page {
    ($conn:expr, $filter:expr) => {{
        use $crate::infra::db::schema::pages;
        let locked = diesel::update(pages::table.filter($filter)).set(pages::updated_at.eq(pages::updated_at)).execute($conn).await?;
        if locked == 0 {
            None
        } else {
            let row: $crate::registrations::backend::writer::EventRow = pages::table
                .filter($filter)
                .select(<$crate::registrations::backend::writer::EventRow as diesel::SelectableHelper<_>>::as_select())
                .first($conn)
                .await?;
            Some(row)
        }
    }};
}
pub use lock_event_page;

/// A registration's (status, name, email, calendar sequence) as it is now, inside the caller's
/// transaction, or `None` once it is gone.
#[macro_export]
macro_rules! person_now {
    ($conn:expr, $id:expr) => {{
        use $crate::infra::db::schema::registrations;
        let current: Option<(String, String, String, i32)> = registrations::table
            .filter(registrations::id.eq($id))
            .select((registrations::status, registrations::name, registrations::email, registrations::calendar_sequence))
            .first($conn)
            .await
            .optional()?;
        current
    }};
}
pub use person_now;

/// Registered people of a page (the one count that seats are held against).
#[macro_export]
macro_rules! count_with_status {
    ($conn:expr, $page_id:expr, $status:expr) => {{
        use $crate::infra::db::schema::registrations;
        let n: i64 = registrations::table
            .filter(registrations::page_id.eq($page_id))
            .filter(registrations::status.eq($status.as_str()))
            .count()
            .get_result($conn)
            .await?;
        n
    }};
}
pub use count_with_status;

/// Gives freed seats to the waitlist, first in line first, each with their mail. Evaluates to
/// the ids promoted.
#[macro_export]
macro_rules! fill_seats {
    ($conn:expr, $page:expr, $ctx:expr, $now:expr) => {{
        use $crate::infra::db::schema::registrations;
        use $crate::registrations::backend::mail::{Notice, Person, notice};
        use $crate::registrations::model::RegistrationStatus;
        let page: &$crate::registrations::backend::writer::EventPage = $page;
        let now: chrono::DateTime<chrono::Utc> = $now;
        let mut promoted: Vec<String> = Vec::new();
        loop {
            let taken = $crate::count_with_status!($conn, &page.id, RegistrationStatus::Registered);
            if taken >= i64::from(page.settings.max_attendees) {
                break;
            }
            let next: Option<(String, String, String, i32)> = registrations::table
                .filter(registrations::page_id.eq(&page.id))
                .filter(registrations::status.eq(RegistrationStatus::Waitlisted.as_str()))
                .order(registrations::seq.asc())
                .select((registrations::id, registrations::name, registrations::email, registrations::calendar_sequence))
                .first($conn)
                .await
                .optional()?;
            let Some((id, name, email, sequence)) = next else { break };
            diesel::update(registrations::table.filter(registrations::id.eq(&id)))
                .set((
                    registrations::status.eq(RegistrationStatus::Registered.as_str()),
                    registrations::updated_at.eq(now.naive_utc()),
                    $crate::registrations::backend::writer::reminders_due_after(&page.settings, now),
                ))
                .execute($conn)
                .await?;
            let token = $ctx.manage_token(&id);
            let person = Person { id: &id, name: &name, email: &email, token: &token, calendar_sequence: sequence as u32 };
            enqueue_mail!($conn, &notice(&page.mail(&$ctx, now), &person, Notice::Promoted), now.naive_utc())?;
            promoted.push(id);
        }
        promoted
    }};
}
pub use fill_seats;

/// The reminder columns for someone who gets a seat at `now`: a reminder whose time has passed
/// already is marked done, so that nobody registering an hour before gets the "tomorrow" mail.
pub fn reminders_due_after(
    settings: &EventRegistrationSettings,
    now: DateTime<Utc>,
) -> (diesel::dsl::Eq<registrations::reminded_day_at, Option<NaiveDateTime>>, diesel::dsl::Eq<registrations::reminded_hour_at, Option<NaiveDateTime>>) {
    let passed = |before: Duration| (now >= settings.event_start_time - before).then(|| now.naive_utc());
    (registrations::reminded_day_at.eq(passed(Duration::hours(24))), registrations::reminded_hour_at.eq(passed(Duration::hours(1))))
}

/// Why a registration was not taken; each is a message the visitor can act on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    NoSuchPage,
    NotAnEvent,
    NotYet,
    Over,
    FullyBooked,
    Invalid(Vec<FieldError>),
}

impl Refusal {
    pub fn error(&self) -> crate::error::AppError {
        use crate::error::{AppError, ErrorKind};
        match self {
            Refusal::NoSuchPage => AppError::not_found("This page doesn't exist. Check the link for typos."),
            Refusal::NotAnEvent => AppError::conflict("This page doesn't take registrations."),
            Refusal::NotYet => AppError::conflict("Registration hasn't opened yet. Come back when the countdown ends."),
            Refusal::Over => AppError::new(ErrorKind::Gone, "Registration is closed: this event is over."),
            Refusal::FullyBooked => AppError::conflict("Fully booked: every place has been taken."),
            Refusal::Invalid(fields) => AppError::fields(fields.clone()),
        }
    }
}

/// A registration taken (or found again).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Taken {
    /// A new seat or waitlist place; its mail is queued.
    New { id: String, status: RegistrationStatus, position: Option<u32> },
    /// This address already has a seat or a waitlist place on the page: nothing changed, and the
    /// caller decides whether to send the confirmation again.
    Again { id: String },
}

/// What a visitor sent.
#[derive(Clone, Debug)]
pub struct Registering {
    /// The form's fields, without `short_id`.
    pub pairs: Vec<(String, String)>,
    pub client_ip: Option<String>,
    pub now: DateTime<Utc>,
}

/// Takes a batch of registrations for one page, in the order given (arrival order): validates
/// each against the page's form as it is now, then gives a seat, a waitlist place, or says the
/// event is fully booked. One transaction and one lock for the whole batch: under a rush, the
/// page's lock and the commit are paid once per batch, not once per person (see `desk`).
/// Evaluates to one answer per registration, and the page's id.
pub async fn register(db: &Db, ctx: Context<'_>, short_id: &str, batch: &[Registering]) -> Result<(Vec<Result<Taken, Refusal>>, String), DbError> {
    let all = |refusal: Refusal| batch.iter().map(|_| Err(refusal.clone())).collect::<Vec<_>>();
    db_write!(db, conn => {
        let Some(row) = lock_event_page!(conn, pages::short_id.eq(short_id)) else {
            return Ok((all(Refusal::NoSuchPage), String::new()));
        };
        let Some(page) = EventPage::from_row(row) else { return Ok((all(Refusal::NotAnEvent), String::new())) };
        let form = page.settings.form();
        // First what needs no database: the phase and the answers.
        let checked: Vec<Result<ValidRegistration, Refusal>> = batch
            .iter()
            .map(|r| match phase(&page.clock, r.now, false) {
                Phase::Live { .. } => form::validate(&form, &r.pairs).map_err(Refusal::Invalid),
                Phase::Scheduled { .. } => Err(Refusal::NotYet),
                Phase::Ended { .. } => Err(Refusal::Over),
                Phase::Inactive => Err(Refusal::NoSuchPage),
            })
            .collect();
        let emails: Vec<&str> = checked.iter().filter_map(|c| c.as_ref().ok().map(|v| v.email.as_str())).collect();
        let existing: Vec<(String, String, String)> = if emails.is_empty() {
            Vec::new()
        } else {
            registrations::table
                .filter(registrations::page_id.eq(&page.id))
                .filter(registrations::email.eq_any(&emails))
                .select((registrations::email, registrations::id, registrations::status))
                .load(conn)
                .await?
        };
        let mut registered = count_with_status!(conn, &page.id, RegistrationStatus::Registered);
        let mut waitlisted = count_with_status!(conn, &page.id, RegistrationStatus::Waitlisted);
        let last: Option<i64> = registrations::table.filter(registrations::page_id.eq(&page.id)).select(diesel::dsl::max(registrations::seq)).first(conn).await?;
        let mut seq = last.unwrap_or(0);
        // Addresses taken in this batch (the same person twice in one rush).
        let mut taken_now: std::collections::HashMap<String, String> = std::collections::HashMap::new();
        let mut answers = Vec::with_capacity(batch.len());
        let mut new_rows = Vec::new();
        let mut mails = Vec::new();
        for (r, checked) in batch.iter().zip(checked) {
            let valid = match checked {
                Ok(valid) => valid,
                Err(refusal) => {
                    answers.push(Err(refusal));
                    continue;
                }
            };
            let before = existing.iter().find(|(email, _, _)| *email == valid.email);
            if let Some(id) = taken_now.get(&valid.email) {
                answers.push(Ok(Taken::Again { id: id.clone() }));
                continue;
            }
            if let Some((_, id, status)) = before {
                if matches!(RegistrationStatus::parse(status), Some(RegistrationStatus::Registered | RegistrationStatus::Waitlisted)) {
                    answers.push(Ok(Taken::Again { id: id.clone() }));
                    continue;
                }
            }
            let status = if registered < i64::from(page.settings.max_attendees) {
                registered += 1;
                RegistrationStatus::Registered
            } else if page.settings.waitlist_enabled {
                waitlisted += 1;
                RegistrationStatus::Waitlisted
            } else {
                answers.push(Err(Refusal::FullyBooked));
                continue;
            };
            seq += 1;
            let at = r.now.naive_utc();
            let id = before.map(|(_, id, _)| id.clone()).unwrap_or_else(new_id);
            let token = ctx.manage_token(&id);
            let stored = serde_json::to_string(&valid.answers).unwrap_or_else(|_| "{}".into());
            let fields = (
                registrations::name.eq(valid.name.clone()),
                registrations::phone.eq(valid.phone.clone()),
                registrations::custom_fields.eq(stored),
                registrations::status.eq(status.as_str()),
                registrations::seq.eq(Some(seq)),
                registrations::manage_token_hash.eq(Some(token_hash(&token))),
                registrations::client_ip.eq(r.client_ip.clone()),
                registrations::registered_at.eq(at),
                registrations::updated_at.eq(Some(at)),
                registrations::cancelled_at.eq(None::<NaiveDateTime>),
                registrations::attended_at.eq(None::<NaiveDateTime>),
                reminders_due_after(&page.settings, r.now),
            );
            match before {
                // A "notify me" sign-up or a cancelled registration of the same address: the
                // one row per address and page becomes the registration.
                Some(_) => {
                    diesel::update(registrations::table.filter(registrations::id.eq(&id))).set(fields).execute(conn).await?;
                }
                // New rows go in after the loop, with the batch's mail.
                None => new_rows.push((registrations::id.eq(id.clone()), registrations::page_id.eq(page.id.clone()), registrations::email.eq(valid.email.clone()), fields)),
            }
            let position = (status == RegistrationStatus::Waitlisted).then_some(waitlisted as u32);
            let person = Person { id: &id, name: &valid.name, email: &valid.email, token: &token, calendar_sequence: 0 };
            let which = match position {
                Some(position) => Notice::Waitlisted { position },
                None => Notice::Registered,
            };
            mails.push(mail::notice(&page.mail(&ctx, r.now), &person, which));
            taken_now.insert(valid.email.clone(), id.clone());
            answers.push(Ok(Taken::New { id, status, position }));
        }
        for row in new_rows {
            diesel::insert_into(registrations::table).values(row).execute(conn).await?;
        }
        // Each confirmation is due when its registration arrived; a batch spans milliseconds.
        enqueue_mails!(conn, &mails, batch.first().map(|r| r.now.naive_utc()).unwrap_or_default())?;
        Ok::<_, DbError>((answers, page.id.clone()))
    })
}

/// A registration as its manage link finds it.
#[derive(Clone, Debug)]
pub struct Found {
    pub id: String,
    pub page_id: String,
    pub status: RegistrationStatus,
}

/// Why a manage action did nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ManageRefusal {
    /// The link is wrong, or its registration was deleted.
    UnknownLink,
    /// Cancelling after the event ended.
    EventOver,
    NotCancellable,
}

impl ManageRefusal {
    pub fn error(&self) -> crate::error::AppError {
        use crate::error::AppError;
        match self {
            ManageRefusal::UnknownLink => {
                AppError::not_found("This link doesn't work: the registration was deleted, or the link is incomplete. Copy the whole link from your email.")
            }
            ManageRefusal::EventOver => AppError::conflict("This event is over, so there is nothing left to cancel. You can still delete your data."),
            ManageRefusal::NotCancellable => AppError::conflict("This registration is already cancelled."),
        }
    }
}

/// How a seat is given up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Leaving {
    /// The registrant cancels (the row stays, marked cancelled).
    Cancel,
    /// The registrant deletes their data (the row goes).
    Delete,
    /// A creator removes them (marked cancelled; they are told).
    RemovedByCreator,
}

/// Where a departing registration is found: by its manage token, or by id within an
/// organization (a creator's action).
pub enum Which<'a> {
    Token(&'a str),
    InOrganization { id: &'a str, organization_id: &'a str },
}

/// Cancels or deletes a registration and gives its seat to the waitlist. Evaluates to the
/// registration's page and the ids promoted.
pub async fn leave(
    db: &Db,
    ctx: Context<'_>,
    which: Which<'_>,
    how: Leaving,
    now: DateTime<Utc>,
) -> Result<Result<(Found, Vec<String>), ManageRefusal>, DbError> {
    let at = now.naive_utc();
    let found = find(db, &which).await?;
    let Some(found) = found else { return Ok(Err(ManageRefusal::UnknownLink)) };
    db_write!(db, conn => {
        let Some(row) = lock_event_page!(conn, pages::id.eq(&found.page_id)) else { return Ok(Err(ManageRefusal::UnknownLink)) };
        // Read again under the lock: a concurrent change wins, not a stale read.
        let Some((status, name, email, sequence)) = person_now!(conn, &found.id) else { return Ok(Err(ManageRefusal::UnknownLink)) };
        let status = RegistrationStatus::parse(&status).unwrap_or(RegistrationStatus::Cancelled);
        let page = EventPage::from_row(row);
        let over = page.as_ref().is_none_or(|p| now >= p.settings.event_end_time);
        let holds_place = matches!(status, RegistrationStatus::Registered | RegistrationStatus::Waitlisted);
        if how != Leaving::Delete {
            if !holds_place {
                return Ok(Err(ManageRefusal::NotCancellable));
            }
            if over {
                return Ok(Err(ManageRefusal::EventOver));
            }
        }
        if holds_place && !over {
            diesel::update(registrations::table.filter(registrations::id.eq(&found.id)))
                .set((
                    registrations::status.eq(RegistrationStatus::Cancelled.as_str()),
                    registrations::cancelled_at.eq(Some(at)),
                    registrations::updated_at.eq(Some(at)),
                    registrations::calendar_sequence.eq(sequence + 1),
                ))
                .execute(conn)
                .await?;
            if let (Some(page), RegistrationStatus::Registered) = (&page, status) {
                if how != Leaving::Delete {
                    let token = ctx.manage_token(&found.id);
                    let person = Person { id: &found.id, name: &name, email: &email, token: &token, calendar_sequence: (sequence + 1) as u32 };
                    enqueue_mail!(conn, &mail::notice(&page.mail(&ctx, now), &person, Notice::Cancelled), at)?;
                }
            }
        }
        if how == Leaving::Delete {
            diesel::delete(registrations::table.filter(registrations::id.eq(&found.id))).execute(conn).await?;
        }
        let promoted = match (&page, over) {
            (Some(page), false) => fill_seats!(conn, page, ctx, now),
            _ => Vec::new(),
        };
        Ok::<_, DbError>(Ok((Found { status, ..found.clone() }, promoted)))
    })
}

/// Looks a registration up by its manage token, or by id within an organization.
pub async fn find(db: &Db, which: &Which<'_>) -> Result<Option<Found>, DbError> {
    use crate::db_read;
    let row: Option<(String, String, String)> = match which {
        Which::Token(token) => {
            if !crate::infra::tokens::looks_like_token(token) {
                return Ok(None);
            }
            let hash = token_hash(token);
            db_read!(db, conn => {
                Ok::<_, DbError>(registrations::table
                    .filter(registrations::manage_token_hash.eq(&hash))
                    .select((registrations::id, registrations::page_id, registrations::status))
                    .first(conn)
                    .await
                    .optional()?)
            })?
        }
        Which::InOrganization { id, organization_id } => db_read!(db, conn => {
            Ok::<_, DbError>(registrations::table
                .inner_join(pages::table)
                .filter(registrations::id.eq(*id))
                .filter(pages::organization_id.eq(*organization_id))
                .select((registrations::id, registrations::page_id, registrations::status))
                .first(conn)
                .await
                .optional()?)
        })?,
    };
    Ok(row.and_then(|(id, page_id, status)| RegistrationStatus::parse(&status).map(|status| Found { id, page_id, status })))
}

/// Why a creator's move from the waitlist did nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MoveRefusal {
    NotFound,
    NotWaitlisted,
    NoSeatFree,
}

/// Gives a waitlisted person a seat by hand, only while one is free: a manual move never
/// overfills the event (Eventbrite's manual release can; ours can't).
pub async fn move_from_waitlist(db: &Db, ctx: Context<'_>, id: &str, organization_id: &str, now: DateTime<Utc>) -> Result<Result<(), MoveRefusal>, DbError> {
    let Some(found) = find(db, &Which::InOrganization { id, organization_id }).await? else { return Ok(Err(MoveRefusal::NotFound)) };
    let at = now.naive_utc();
    db_write!(db, conn => {
        let Some(row) = lock_event_page!(conn, pages::id.eq(&found.page_id)) else { return Ok(Err(MoveRefusal::NotFound)) };
        let Some(page) = EventPage::from_row(row) else { return Ok(Err(MoveRefusal::NotFound)) };
        let Some((status, name, email, sequence)) = person_now!(conn, &found.id) else { return Ok(Err(MoveRefusal::NotFound)) };
        if status != RegistrationStatus::Waitlisted.as_str() {
            return Ok(Err(MoveRefusal::NotWaitlisted));
        }
        if count_with_status!(conn, &page.id, RegistrationStatus::Registered) >= i64::from(page.settings.max_attendees) {
            return Ok(Err(MoveRefusal::NoSeatFree));
        }
        diesel::update(registrations::table.filter(registrations::id.eq(&found.id)))
            .set((registrations::status.eq(RegistrationStatus::Registered.as_str()), registrations::updated_at.eq(Some(at)), reminders_due_after(&page.settings, now)))
            .execute(conn)
            .await?;
        let token = ctx.manage_token(&found.id);
        let person = Person { id: &found.id, name: &name, email: &email, token: &token, calendar_sequence: sequence as u32 };
        enqueue_mail!(conn, &mail::notice(&page.mail(&ctx, now), &person, Notice::Promoted), at)?;
        Ok::<_, DbError>(Ok(()))
    })
}

/// Marks someone as attended (or takes it back). Only people with a seat can be checked in.
/// Checks a registrant in (or undoes it): `None` when the organization has no such registration,
/// `Some(false)` when it has no seat.
pub async fn check_in(db: &Db, id: &str, organization_id: &str, attended: bool, now: DateTime<Utc>) -> Result<Option<bool>, DbError> {
    let Some(found) = find(db, &Which::InOrganization { id, organization_id }).await? else { return Ok(None) };
    let at = now.naive_utc();
    db_write!(db, conn => {
        let n = diesel::update(
            registrations::table.filter(registrations::id.eq(&found.id)).filter(registrations::status.eq(RegistrationStatus::Registered.as_str())),
        )
        .set((registrations::attended_at.eq(attended.then_some(at)), registrations::updated_at.eq(Some(at))))
        .execute(conn)
        .await?;
        Ok::<_, DbError>(Some(n == 1))
    })
}

/// Queues the confirmation of a registration again (its seat, or its place in line).
pub async fn resend(db: &Db, ctx: Context<'_>, id: &str, now: DateTime<Utc>) -> Result<bool, DbError> {
    let at = now.naive_utc();
    db_write!(db, conn => {
        let reg: Option<(String, String, String, String, Option<i64>, i32)> = registrations::table
            .filter(registrations::id.eq(id))
            .select((registrations::page_id, registrations::name, registrations::email, registrations::status, registrations::seq, registrations::calendar_sequence))
            .first(conn)
            .await
            .optional()?;
        let Some((page_id, name, email, status, seq, sequence)) = reg else { return Ok(false) };
        let row: Option<EventRow> = pages::table
            .filter(pages::id.eq(&page_id))
            .select(EventRow::as_select())
            .first(conn)
            .await
            .optional()?;
        let Some(page) = row.and_then(EventPage::from_row) else { return Ok(false) };
        let which = match RegistrationStatus::parse(&status) {
            Some(RegistrationStatus::Registered) => Notice::Registered,
            Some(RegistrationStatus::Waitlisted) => {
                let ahead: i64 = registrations::table
                    .filter(registrations::page_id.eq(&page_id))
                    .filter(registrations::status.eq(RegistrationStatus::Waitlisted.as_str()))
                    .filter(registrations::seq.le(seq))
                    .count()
                    .get_result(conn)
                    .await?;
                Notice::Waitlisted { position: ahead as u32 }
            }
            _ => return Ok(false),
        };
        let token = ctx.manage_token(id);
        let person = Person { id, name: &name, email: &email, token: &token, calendar_sequence: sequence as u32 };
        enqueue_mail!(conn, &mail::notice(&page.mail(&ctx, now), &person, which), at)?;
        Ok::<_, DbError>(true)
    })
}

/// Counts a refusal by the page's per-minute limit, for its creator to see.
pub async fn count_limit_refusal(db: &Db, page_id: &str, now: DateTime<Utc>) -> Result<(), DbError> {
    use crate::infra::db::schema::registration_limit_hits as hits;
    let at = now.naive_utc();
    db_write!(db, conn => {
        diesel::insert_into(hits::table)
            .values((hits::page_id.eq(page_id), hits::refused.eq(1_i64), hits::last_refused_at.eq(at)))
            .on_conflict(hits::page_id)
            .do_update()
            .set((hits::refused.eq(hits::refused + 1_i64), hits::last_refused_at.eq(at)))
            .execute(conn)
            .await?;
        Ok::<_, DbError>(())
    })
}

/// Erases the client addresses kept for abuse limits once they are 30 days old (hourly, from the
/// housekeeping; one statement that finds nothing on a second run).
pub async fn erase_old_addresses(db: &Db, now: DateTime<Utc>) -> Result<usize, DbError> {
    let cutoff = (now - Duration::days(30)).naive_utc();
    db_write!(db, conn => {
        Ok::<_, DbError>(diesel::update(registrations::table.filter(registrations::client_ip.is_not_null()).filter(registrations::registered_at.lt(cutoff)))
            .set(registrations::client_ip.eq(None::<String>))
            .execute(conn)
            .await?)
    })
}

/// After an edit of an event page: tells registered people when its time or place changed (their
/// calendar entry is replaced: same UID, next SEQUENCE), lets reminders follow a new start time,
/// and gives seats that a higher capacity freed to the waitlist. Evaluates to (told, promoted).
pub async fn after_edit(db: &Db, ctx: Context<'_>, page_id: &str, before: &EventRegistrationSettings, now: DateTime<Utc>) -> Result<(usize, usize), DbError> {
    let at = now.naive_utc();
    db_write!(db, conn => {
        let Some(row) = lock_event_page!(conn, pages::id.eq(page_id)) else { return Ok((0, 0)) };
        let Some(page) = EventPage::from_row(row) else { return Ok((0, 0)) };
        let after = &page.settings;
        let moved = after.event_start_time != before.event_start_time || after.event_end_time != before.event_end_time || after.time_zone != before.time_zone;
        let relocated = after.event_location != before.event_location || after.physical_address != before.physical_address || after.platform_link != before.platform_link;
        let mut told = 0;
        if (moved || relocated) && now < after.event_end_time {
            let people: Vec<(String, String, String, i32)> = diesel::update(
                registrations::table.filter(registrations::page_id.eq(page_id)).filter(registrations::status.eq(RegistrationStatus::Registered.as_str())),
            )
            .set((registrations::calendar_sequence.eq(registrations::calendar_sequence + 1), registrations::updated_at.eq(Some(at))))
            .returning((registrations::id, registrations::name, registrations::email, registrations::calendar_sequence))
            .get_results(conn)
            .await?;
            for (id, name, email, sequence) in &people {
                let token = ctx.manage_token(id);
                let person = Person { id, name, email, token: &token, calendar_sequence: *sequence as u32 };
                enqueue_mail!(conn, &mail::notice(&page.mail(&ctx, now), &person, Notice::Updated), at)?;
            }
            told = people.len();
        }
        if moved {
            // Reminders go by the new time (the sweep sends what is due, once).
            diesel::update(registrations::table.filter(registrations::page_id.eq(page_id)))
                .set((registrations::reminded_day_at.eq(None::<NaiveDateTime>), registrations::reminded_hour_at.eq(None::<NaiveDateTime>)))
                .execute(conn)
                .await?;
        }
        let promoted = if now < after.event_end_time { fill_seats!(conn, &page, ctx, now).len() } else { 0 };
        Ok::<_, DbError>((told, promoted))
    })
}

/// Queues the cancellation of an event to everyone registered or waiting (`$conn` inside the
/// transaction that deletes the page, so they are told exactly when it goes).
#[macro_export]
macro_rules! queue_event_cancellations {
    ($conn:expr, $row:expr, $ctx:expr, $now:expr) => {{
        use $crate::infra::db::schema::registrations;
        use $crate::registrations::backend::mail::{Notice, Person, notice};
        let now: chrono::DateTime<chrono::Utc> = $now;
        let page = $crate::registrations::backend::writer::EventPage::from_row($row);
        if let Some(page) = page.filter(|p| now < p.settings.event_end_time) {
            let people: Vec<(String, String, String, i32)> = registrations::table
                .filter(registrations::page_id.eq(&page.id))
                .filter(registrations::status.eq_any(["registered", "waitlisted"]))
                .select((registrations::id, registrations::name, registrations::email, registrations::calendar_sequence))
                .load($conn)
                .await?;
            for (id, name, email, sequence) in &people {
                let token = $ctx.manage_token(id);
                let person = Person { id, name, email, token: &token, calendar_sequence: (*sequence + 1) as u32 };
                $crate::infra::mail::outbox::enqueue_mail!($conn, &notice(&page.mail(&$ctx, now), &person, Notice::EventCancelled), now.naive_utc())?;
            }
        }
    }};
}
pub use queue_event_cancellations;
