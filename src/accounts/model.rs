//! Account types shared by server and browser.

use super::permissions::{Actor, Role};
use serde::{Deserialize, Serialize};

/// The signed-in user as the dashboard shows them and the permission check sees them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: String,
    pub name: String,
    pub email: String,
    pub organization_id: String,
    pub organization_name: String,
    pub group_id: String,
    pub group_name: String,
    pub roles: Vec<Role>,
    pub plan_name: String,
}

impl CurrentUser {
    /// The most powerful role, for display ("Admin").
    pub fn primary_role(&self) -> Option<Role> {
        self.roles.iter().min().copied()
    }
}

impl Actor for CurrentUser {
    fn organization_id(&self) -> &str {
        &self.organization_id
    }
    fn roles(&self) -> &[Role] {
        &self.roles
    }
}

/// The account page: the signed-in person's own settings and where they are signed in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountView {
    pub name: String,
    pub email: String,
    /// A new address waiting for its confirmation link to be used.
    pub pending_email: Option<String>,
    pub sessions: Vec<SessionView>,
    /// The viewer may download the organization's data (the `ExportData` permission).
    pub can_export: bool,
    /// The viewer owns the organization: they may delete it, after typing this name.
    pub owner_of: Option<String>,
}

/// One signed-in browser.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    /// The stored session's id (the SHA-256 of its cookie, which it cannot be turned back into).
    pub id: String,
    /// "Chrome on macOS", from the browser's user agent.
    pub device: String,
    pub ip: Option<String>,
    /// UTC, `YYYY-MM-DD HH:MM`.
    pub started: String,
    pub last_used: String,
    /// The browser looking at the page.
    pub current: bool,
}

/// The organization's security log as its admins read it, one page at a time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityLogView {
    pub entries: Vec<SecurityEntry>,
    /// Every kind of entry, (code, label), for the filter.
    pub events: Vec<(String, String)>,
    /// The organization's members, (id, name), for the filter.
    pub people: Vec<(String, String)>,
    pub event: Option<String>,
    pub person: Option<String>,
    /// Where the next (older) page starts, if there is one (microseconds since 1970).
    pub older: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityEntry {
    /// UTC, `YYYY-MM-DD HH:MM:SS`.
    pub at: String,
    pub event: String,
    pub who: String,
    pub subject: Option<String>,
    pub ip: Option<String>,
}

/// The team page: members, open invitations, groups and seats.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamView {
    pub members: Vec<MemberView>,
    pub invitations: Vec<InvitationView>,
    /// (id, name) of the organization's groups.
    pub groups: Vec<(String, String)>,
    pub seats_used: u32,
    pub seats: u32,
    pub plan_name: String,
    /// The viewer may invite, change and remove (managers and admins).
    pub can_manage: bool,
    /// The viewer may grant or take the admin role.
    pub is_admin: bool,
    pub viewer_id: String,
    /// The viewer owns the organization (and may hand it over).
    pub viewer_is_owner: bool,
    /// Enterprise organizations name themselves and their groups.
    pub is_enterprise: bool,
    pub organization_name: String,
    pub group_rows: Vec<GroupView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupView {
    pub id: String,
    pub name: String,
    pub members: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberView {
    pub id: String,
    pub name: String,
    pub email: String,
    pub group_id: String,
    pub group_name: String,
    pub roles: Vec<Role>,
    pub is_owner: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationView {
    pub id: String,
    pub email: String,
    pub roles: Vec<Role>,
    pub group_name: String,
    /// UTC, `YYYY-MM-DD`.
    pub expires: String,
    pub expired: bool,
}

/// An invitation's page, for the invited person.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationLanding {
    pub email: String,
    pub organization_name: String,
    pub roles: Vec<Role>,
}
