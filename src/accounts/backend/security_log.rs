//! The security log: sign-ups, logins (good and bad), logouts, throttled attempts, password
//! resets and the account's own changes, kept for 180 days. (The login limits themselves count in `infra::shared_limit`.)

use crate::db_write;
use crate::infra::db::new_id;
use crate::infra::db::prelude::*;
use crate::infra::db::schema::security_log;
use crate::infra::db::{Db, DbError};
use chrono::{Duration, NaiveDateTime};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecurityEvent {
    Signup,
    /// A new account's address confirmed from the mailed link.
    AccountConfirmed,
    /// A sign-up with an address that has an account already (its owner was mailed).
    SignupForExistingAccount,
    LoginSuccess,
    LoginFailure,
    LoginThrottled,
    Logout,
    /// A forgotten-password link was asked for (with the user when the address has an account).
    PasswordResetRequested,
    PasswordResetCompleted,
    /// The account's own settings.
    PasswordChanged,
    EmailChangeRequested,
    EmailChanged,
    SessionEnded,
    /// A creator's actions on someone's registration, and exports of registrants' data.
    RegistrationRemoved,
    RegistrationMoved,
    RegistrationCheckedIn,
    RegistrationCheckInUndone,
    RegistrationResent,
    RegistrationsExported,
    RegistrationDeleted,
    OrdersExported,
    SecurityLogViewed,
    SecurityLogExported,
    /// The team: invitations and members' roles, groups and removal.
    InvitationSent,
    InvitationRevoked,
    InvitationAccepted,
    MemberChanged,
    MemberRemoved,
    OwnershipTransferred,
    /// A group created, deleted or renamed, or the organization renamed.
    GroupChanged,
    /// A plan change asked for (a checkout started, a plan changed, or ending at the period's end).
    PlanChanged,
    /// The organization's data downloaded as JSON.
    OrganizationExported,
}

impl SecurityEvent {
    pub const ALL: [SecurityEvent; 32] = [
        SecurityEvent::Signup,
        SecurityEvent::AccountConfirmed,
        SecurityEvent::SignupForExistingAccount,
        SecurityEvent::LoginSuccess,
        SecurityEvent::LoginFailure,
        SecurityEvent::LoginThrottled,
        SecurityEvent::Logout,
        SecurityEvent::PasswordResetRequested,
        SecurityEvent::PasswordResetCompleted,
        SecurityEvent::PasswordChanged,
        SecurityEvent::EmailChangeRequested,
        SecurityEvent::EmailChanged,
        SecurityEvent::SessionEnded,
        SecurityEvent::RegistrationRemoved,
        SecurityEvent::RegistrationMoved,
        SecurityEvent::RegistrationCheckedIn,
        SecurityEvent::RegistrationCheckInUndone,
        SecurityEvent::RegistrationResent,
        SecurityEvent::RegistrationsExported,
        SecurityEvent::RegistrationDeleted,
        SecurityEvent::OrdersExported,
        SecurityEvent::SecurityLogViewed,
        SecurityEvent::SecurityLogExported,
        SecurityEvent::InvitationSent,
        SecurityEvent::InvitationRevoked,
        SecurityEvent::InvitationAccepted,
        SecurityEvent::MemberChanged,
        SecurityEvent::MemberRemoved,
        SecurityEvent::OwnershipTransferred,
        SecurityEvent::GroupChanged,
        SecurityEvent::PlanChanged,
        SecurityEvent::OrganizationExported,
    ];

    /// How the security log page names it.
    pub fn label(self) -> &'static str {
        match self {
            SecurityEvent::Signup => "Signed up",
            SecurityEvent::AccountConfirmed => "Confirmed the address",
            SecurityEvent::SignupForExistingAccount => "Someone tried to sign up with this address",
            SecurityEvent::LoginSuccess => "Logged in",
            SecurityEvent::LoginFailure => "Wrong password",
            SecurityEvent::LoginThrottled => "Login locked after failures",
            SecurityEvent::Logout => "Logged out",
            SecurityEvent::PasswordResetRequested => "Asked for a password reset",
            SecurityEvent::PasswordResetCompleted => "Reset the password",
            SecurityEvent::PasswordChanged => "Changed the password",
            SecurityEvent::EmailChangeRequested => "Asked to change the email",
            SecurityEvent::EmailChanged => "Changed the email",
            SecurityEvent::SessionEnded => "Logged a browser out",
            SecurityEvent::RegistrationRemoved => "Removed a registrant",
            SecurityEvent::RegistrationMoved => "Moved a registrant from the waitlist",
            SecurityEvent::RegistrationCheckedIn => "Checked a registrant in",
            SecurityEvent::RegistrationCheckInUndone => "Undid a check-in",
            SecurityEvent::RegistrationResent => "Resent a confirmation",
            SecurityEvent::RegistrationsExported => "Exported registrations",
            SecurityEvent::RegistrationDeleted => "Deleted a registration",
            SecurityEvent::OrdersExported => "Exported orders",
            SecurityEvent::SecurityLogViewed => "Read the security log",
            SecurityEvent::SecurityLogExported => "Exported the security log",
            SecurityEvent::InvitationSent => "Invited someone",
            SecurityEvent::InvitationRevoked => "Revoked an invitation",
            SecurityEvent::InvitationAccepted => "Joined the team",
            SecurityEvent::MemberChanged => "Changed a member's roles or group",
            SecurityEvent::MemberRemoved => "Removed a member",
            SecurityEvent::OwnershipTransferred => "Handed the organization over",
            SecurityEvent::GroupChanged => "Changed groups or the organization's name",
            SecurityEvent::PlanChanged => "Changed the plan",
            SecurityEvent::OrganizationExported => "Exported the organization's data",
        }
    }

    pub fn parse(code: &str) -> Option<SecurityEvent> {
        SecurityEvent::ALL.into_iter().find(|e| e.as_str() == code)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SecurityEvent::Signup => "signup",
            SecurityEvent::AccountConfirmed => "account_confirmed",
            SecurityEvent::SignupForExistingAccount => "signup_for_existing_account",
            SecurityEvent::LoginSuccess => "login_success",
            SecurityEvent::LoginFailure => "login_failure",
            SecurityEvent::LoginThrottled => "login_throttled",
            SecurityEvent::Logout => "logout",
            SecurityEvent::PasswordResetRequested => "password_reset_requested",
            SecurityEvent::PasswordResetCompleted => "password_reset_completed",
            SecurityEvent::PasswordChanged => "password_changed",
            SecurityEvent::EmailChangeRequested => "email_change_requested",
            SecurityEvent::EmailChanged => "email_changed",
            SecurityEvent::SessionEnded => "session_ended",
            SecurityEvent::RegistrationRemoved => "registration_removed",
            SecurityEvent::RegistrationMoved => "registration_moved_from_waitlist",
            SecurityEvent::RegistrationCheckedIn => "registration_checked_in",
            SecurityEvent::RegistrationCheckInUndone => "registration_check_in_undone",
            SecurityEvent::RegistrationResent => "registration_confirmation_resent",
            SecurityEvent::RegistrationsExported => "registrations_exported",
            SecurityEvent::RegistrationDeleted => "registration_deleted",
            SecurityEvent::OrdersExported => "orders_exported",
            SecurityEvent::SecurityLogViewed => "security_log_viewed",
            SecurityEvent::SecurityLogExported => "security_log_exported",
            SecurityEvent::InvitationSent => "invitation_sent",
            SecurityEvent::InvitationRevoked => "invitation_revoked",
            SecurityEvent::InvitationAccepted => "invitation_accepted",
            SecurityEvent::MemberChanged => "member_changed",
            SecurityEvent::MemberRemoved => "member_removed",
            SecurityEvent::OwnershipTransferred => "ownership_transferred",
            SecurityEvent::GroupChanged => "group_changed",
            SecurityEvent::PlanChanged => "plan_changed",
            SecurityEvent::OrganizationExported => "organization_exported",
        }
    }
}

pub async fn record(db: &Db, event: SecurityEvent, user_id: Option<&str>, email: Option<&str>, ip: Option<&str>, now: NaiveDateTime) -> Result<(), DbError> {
    db_write!(db, conn => {
        diesel::insert_into(security_log::table)
            .values((
                security_log::id.eq(new_id()),
                security_log::user_id.eq(user_id),
                security_log::email.eq(email),
                security_log::ip.eq(ip),
                security_log::event.eq(event.as_str()),
                security_log::created_at.eq(now),
            ))
            .execute(conn)
            .await?;
        Ok(())
    })
}

/// Deletes entries older than the seed's 180-day retention.
pub async fn purge_old(db: &Db, now: NaiveDateTime) -> Result<usize, DbError> {
    let cutoff = now - Duration::days(180);
    db_write!(db, conn => {
        let n = diesel::delete(security_log::table.filter(security_log::created_at.lt(cutoff))).execute(conn).await?;
        Ok(n)
    })
}

/// Logs what a signed-in member did (`subject`: what it was done to, e.g. a registration's id).
/// A failure to log is reported, never passed on: the member's action has already happened.
pub async fn record_action<P>(state: &crate::infra::state::AppState, scope: &crate::accounts::guard::Scope<P>, event: SecurityEvent, subject: Option<&str>) {
    if let Err(e) = record(&state.db, event, Some(scope.user_id()), subject, None, chrono::Utc::now().naive_utc()).await {
        tracing::warn!(error = %e, event = event.as_str(), "could not write the security log");
    }
}

/// One entry as the security log page shows it.
pub struct EntryRow {
    pub created_at: NaiveDateTime,
    pub event: String,
    pub user_id: Option<String>,
    pub user_name: String,
    pub subject: Option<String>,
    pub ip: Option<String>,
}

/// The organization's entries, newest first: those of its members (entries about addresses
/// with no account belong to nobody). `before` continues a page; `event` and `user_id` filter.
pub async fn list_for_organization(
    db: &Db,
    organization_id: &str,
    event: Option<&str>,
    user_id: Option<&str>,
    before: Option<NaiveDateTime>,
    limit: i64,
) -> Result<Vec<EntryRow>, DbError> {
    use crate::infra::db::schema::users;
    crate::db_read!(db, conn => {
        let mut query = security_log::table
            .inner_join(users::table.on(security_log::user_id.eq(users::id.nullable())))
            .filter(users::organization_id.eq(organization_id))
            .into_boxed();
        if let Some(event) = event {
            query = query.filter(security_log::event.eq(event));
        }
        if let Some(user_id) = user_id {
            query = query.filter(security_log::user_id.eq(user_id));
        }
        if let Some(before) = before {
            query = query.filter(security_log::created_at.lt(before));
        }
        let rows: Vec<(NaiveDateTime, String, Option<String>, String, Option<String>, Option<String>)> = query
            .order(security_log::created_at.desc())
            .limit(limit)
            .select((security_log::created_at, security_log::event, security_log::user_id, users::name, security_log::email, security_log::ip))
            .load(conn)
            .await?;
        Ok(rows
            .into_iter()
            .map(|(created_at, event, user_id, user_name, subject, ip)| EntryRow { created_at, event, user_id, user_name, subject, ip })
            .collect())
    })
}
