//! What registrants and creators are shown about registrations (shared by server and browser).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where a registration stands (`registrations.status`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RegistrationStatus {
    /// A "notify me" sign-up before the launch: on the page's list, not at the event.
    Notify,
    Registered,
    Waitlisted,
    Cancelled,
}

impl RegistrationStatus {
    pub const ALL: [RegistrationStatus; 4] =
        [RegistrationStatus::Notify, RegistrationStatus::Registered, RegistrationStatus::Waitlisted, RegistrationStatus::Cancelled];

    pub fn as_str(self) -> &'static str {
        match self {
            RegistrationStatus::Notify => "notify",
            RegistrationStatus::Registered => "registered",
            RegistrationStatus::Waitlisted => "waitlisted",
            RegistrationStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<RegistrationStatus> {
        RegistrationStatus::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            RegistrationStatus::Notify => "Notify me",
            RegistrationStatus::Registered => "Registered",
            RegistrationStatus::Waitlisted => "Waitlisted",
            RegistrationStatus::Cancelled => "Cancelled",
        }
    }
}

/// A page's seats, from the same count that enforces the limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seats {
    pub capacity: u32,
    pub taken: u32,
    pub waitlist_enabled: bool,
}

impl Seats {
    pub fn left(&self) -> u32 {
        self.capacity.saturating_sub(self.taken)
    }

    /// What the page says about places: "12 of 100 places left", "Waitlist open", "Fully booked".
    pub fn describe(&self) -> String {
        match (self.left(), self.waitlist_enabled) {
            (0, true) => "Fully booked: waitlist open".into(),
            (0, false) => "Fully booked".into(),
            (1, _) if self.capacity == 1 => "1 place".into(),
            (n, _) if self.taken == 0 => format!("{n} places"),
            (1, _) => format!("1 of {} places left", self.capacity),
            (n, _) => format!("{n} of {} places left", self.capacity),
        }
    }
}

/// What a registrant sees behind their manage link.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ManageView {
    pub token: String,
    pub page_title: String,
    pub short_id: String,
    pub accent_color: String,
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
    pub status: RegistrationStatus,
    /// On the waitlist: 1 for the next in line.
    pub position: Option<u32>,
    /// "Thursday 3 December 2026, 19:00 – 21:00" and its zone.
    pub when: String,
    pub zone: String,
    /// The address, or "Online" (with the join link for those registered).
    pub place: String,
    pub join_link: Option<String>,
    pub answers: Vec<(String, String)>,
    pub attended_at: Option<DateTime<Utc>>,
    /// The event is over: nothing left to cancel.
    pub event_over: bool,
    /// The viewer is signed in as a member of the page's organization who may check people in.
    pub can_check_in: bool,
    /// Where to add the event to a calendar.
    pub google_calendar_url: String,
    /// For a viewer who may check people in: the registration to check in.
    pub registrant_id: Option<String>,
}

/// A page's registration counts, for everyone on the team.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub registered: u32,
    pub waitlisted: u32,
    pub cancelled: u32,
    pub attended: u32,
    pub notify: u32,
    pub capacity: u32,
    pub waitlist_enabled: bool,
    /// Registrations the page's per-minute limit refused, and when it last did.
    pub limit_refused: i64,
    pub limit_last_refused_at: Option<DateTime<Utc>>,
    pub per_minute: u32,
}

impl Counts {
    pub fn seats_left(&self) -> u32 {
        self.capacity.saturating_sub(self.registered)
    }
}

/// One person in the creator's list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrantRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
    pub status: RegistrationStatus,
    pub registered_at: DateTime<Utc>,
    pub attended_at: Option<DateTime<Utc>>,
    /// Waitlisted: their place in line.
    pub position: Option<u32>,
}

/// A page's registrations as the creator's dashboard shows them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegistrationsView {
    pub page_id: String,
    pub page_title: String,
    pub short_id: String,
    pub is_event: bool,
    pub counts: Counts,
    /// `None` when the viewer's role doesn't show personal data.
    pub rows: Option<Vec<RegistrantRow>>,
    pub matching: u32,
    pub page: u32,
    pub per_page: u32,
    pub query: String,
    pub status: Option<RegistrationStatus>,
    pub can_manage: bool,
    pub can_export: bool,
    /// The page's time zone, for the times in the list.
    pub time_zone: String,
}

/// One registrant with their answers, for the detail view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrantDetail {
    pub page_id: String,
    pub row: RegistrantRow,
    pub answers: Vec<(String, String)>,
    pub can_manage: bool,
    pub time_zone: String,
}

/// What a registration form sent without JavaScript came back with.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormAnswer {
    /// Sent: "check your inbox".
    pub sent: bool,
    /// Sent while the event was full: the place is on the waitlist.
    pub waitlist: bool,
    /// The values typed, to fill the form again.
    pub values: Vec<(String, String)>,
    pub errors: Vec<crate::error::FieldError>,
    /// A message for the whole form (fully booked, too many tries, the page closed).
    pub message: Option<String>,
}

impl FormAnswer {
    pub fn value(&self, name: &str) -> String {
        self.values.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default()
    }

    pub fn values_of(&self, name: &str) -> Vec<String> {
        self.values.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect()
    }

    pub fn error(&self, name: &str) -> Option<String> {
        self.errors.iter().find(|e| e.field == name).map(|e| e.message.clone())
    }
}
