//! Who may do what. One table, one check, called by every server function.
//!
//! Roles come from the seed (admin, manager, editor, viewer). A user may hold several roles; the
//! allowed actions are their union. Every check is also scoped to the user's own organization:
//! a resource of another organization is reported as not found, so ids of other tenants leak nothing.

use crate::error::AppError;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Manager,
    Editor,
    Viewer,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Manager, Role::Editor, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::Editor => "editor",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == name)
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Admin",
            Role::Manager => "Manager",
            Role::Editor => "Editor",
            Role::Viewer => "Viewer",
        }
    }
}

/// Everything a signed-in user can ask to do. Later features add their actions here and to the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Action {
    /// See the dashboard and the organization's pages, products, orders and registrations.
    ViewDashboard,
    /// Create and edit pages and their content.
    EditPages,
    /// Publish, unpublish and delete pages.
    PublishPages,
    /// Create and edit products and upload their files.
    EditProducts,
    /// Export orders and registrations (personal data of buyers).
    ExportData,
    /// Refund orders and manage payouts.
    ManagePayments,
    /// Invite, remove and change the roles of team members.
    ManageTeam,
    /// Change plan and billing details.
    ManageBilling,
    /// See personal data: registrants' names, emails and answers, and buyers' emails in the order
    /// list; counts and orders without their buyers need only the dashboard.
    ViewRegistrants,
    /// Remove registrants, move them from the waitlist, check them in, resend confirmations.
    ManageRegistrants,
    /// Read the organization's security log (logins, password and address changes, exports).
    ViewSecurityLog,
}

impl Action {
    pub const ALL: [Action; 11] = [
        Action::ViewDashboard,
        Action::EditPages,
        Action::PublishPages,
        Action::EditProducts,
        Action::ExportData,
        Action::ManagePayments,
        Action::ManageTeam,
        Action::ManageBilling,
        Action::ViewRegistrants,
        Action::ManageRegistrants,
        Action::ViewSecurityLog,
    ];
}

impl Action {
    /// What the action lets one do, as the README's roles table says it.
    pub fn describe(self) -> &'static str {
        match self {
            Action::ViewDashboard => "see the dashboard (pages, products, orders, registration counts), manage one's own account",
            Action::EditPages => "create and edit pages and their content (editors: their own group's)",
            Action::PublishPages => "publish, switch off and delete pages",
            Action::EditProducts => "create and edit products and their files (editors: their own group's)",
            Action::ExportData => "export orders and registrations (CSV)",
            Action::ManagePayments => "refund orders, set up payouts",
            Action::ManageTeam => "invite, change and remove teammates, groups (only admins make or change admins)",
            Action::ManageBilling => "change the plan, payment method and invoices",
            Action::ViewRegistrants => "see personal data: registrants' names, emails and answers, buyers' emails",
            Action::ManageRegistrants => "check registrants in, remove, move from the waitlist, resend",
            Action::ViewSecurityLog => "read the security log",
        }
    }
}

/// The README's roles table, written from [`role_allows`] (a test keeps the README in step).
pub fn roles_table_markdown() -> String {
    let mut out = String::from("| action | admin | manager | editor | viewer |\n|---|---|---|---|---|\n");
    for action in Action::ALL {
        out.push_str(&format!("| {} |", action.describe()));
        for role in Role::ALL {
            out.push_str(if role_allows(role, action) { " ✓ |" } else { " |" });
        }
        out.push('\n');
    }
    out
}

/// The permission table. Managers run the business but not the account; editors build pages and
/// products; viewers only look. Billing stays with admins (PRODUCT.md: "a helper must not see billing").
pub fn role_allows(role: Role, action: Action) -> bool {
    use Action::*;
    match role {
        Role::Admin => true,
        Role::Manager => matches!(
            action,
            ViewDashboard | EditPages | PublishPages | EditProducts | ExportData | ManagePayments | ManageTeam | ViewRegistrants | ManageRegistrants
        ),
        Role::Editor => matches!(action, ViewDashboard | EditPages | EditProducts | ViewRegistrants | ManageRegistrants),
        Role::Viewer => matches!(action, ViewDashboard),
    }
}

/// What a group scopes: whether someone with these roles changes only the pages and products of
/// their own group. Editors (and viewers, who change nothing) do; managers and admins change all
/// of the organization's. Everyone sees all of them.
pub fn limited_to_own_group(roles: &[Role]) -> bool {
    !roles.iter().any(|r| matches!(r, Role::Admin | Role::Manager))
}

/// True when any of the roles allows the action.
pub fn roles_allow(roles: &[Role], action: Action) -> bool {
    roles.iter().any(|r| role_allows(*r, action))
}

/// The acting user as the permission check sees them.
pub trait Actor {
    fn organization_id(&self) -> &str;
    fn roles(&self) -> &[Role];
}

/// The one check. `resource_org` is the organization owning the resource acted on, when there is one.
/// A resource of another organization is `NotFound` (not `Forbidden`) so its existence is not revealed.
pub fn authorize(actor: &impl Actor, action: Action, resource_org: Option<&str>) -> Result<(), AppError> {
    if let Some(org) = resource_org {
        if org != actor.organization_id() {
            return Err(AppError::not_found("We couldn't find that."));
        }
    }
    if roles_allow(actor.roles(), action) { Ok(()) } else { Err(AppError::forbidden("Your role doesn't allow this. Ask an admin of your organization.")) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    struct TestActor {
        org: String,
        roles: Vec<Role>,
    }
    impl Actor for TestActor {
        fn organization_id(&self) -> &str {
            &self.org
        }
        fn roles(&self) -> &[Role] {
            &self.roles
        }
    }

    #[test]
    fn table() {
        use Action::*;
        // (role, action, allowed): every cell of the table, written out so a change is a visible diff.
        let a = Role::Admin;
        let m = Role::Manager;
        let e = Role::Editor;
        let v = Role::Viewer;
        let expected: &[(Role, Action, bool)] = &[
            (a, ViewDashboard, true),
            (a, EditPages, true),
            (a, PublishPages, true),
            (a, EditProducts, true),
            (a, ExportData, true),
            (a, ManagePayments, true),
            (a, ManageTeam, true),
            (a, ManageBilling, true),
            (a, ViewRegistrants, true),
            (a, ManageRegistrants, true),
            (a, ViewSecurityLog, true),
            (m, ViewDashboard, true),
            (m, EditPages, true),
            (m, PublishPages, true),
            (m, EditProducts, true),
            (m, ExportData, true),
            (m, ManagePayments, true),
            (m, ManageTeam, true),
            (m, ManageBilling, false),
            (m, ViewRegistrants, true),
            (m, ManageRegistrants, true),
            (m, ViewSecurityLog, false),
            (e, ViewDashboard, true),
            (e, EditPages, true),
            (e, PublishPages, false),
            (e, EditProducts, true),
            (e, ExportData, false),
            (e, ManagePayments, false),
            (e, ManageTeam, false),
            (e, ManageBilling, false),
            (e, ViewRegistrants, true),
            (e, ManageRegistrants, true),
            (e, ViewSecurityLog, false),
            (v, ViewDashboard, true),
            (v, EditPages, false),
            (v, PublishPages, false),
            (v, EditProducts, false),
            (v, ExportData, false),
            (v, ManagePayments, false),
            (v, ManageTeam, false),
            (v, ManageBilling, false),
            (v, ViewRegistrants, false),
            (v, ManageRegistrants, false),
            (v, ViewSecurityLog, false),
        ];
        assert_eq!(expected.len(), Role::ALL.len() * Action::ALL.len(), "every cell is listed");
        for (role, action, allowed) in expected {
            assert_eq!(role_allows(*role, *action), *allowed, "{role:?} {action:?}");
        }
    }

    /// The README shows the table this code enforces.
    #[test]
    fn the_readme_shows_this_table() {
        let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README");
        let table = roles_table_markdown();
        assert!(readme.contains(&table), "README.md's roles table is out of date; it should read:\n{table}");
    }

    #[test]
    fn multiple_roles_are_a_union() {
        assert!(!roles_allow(&[Role::Viewer], Action::EditPages));
        assert!(roles_allow(&[Role::Viewer, Role::Editor], Action::EditPages));
        assert!(!roles_allow(&[], Action::ViewDashboard));
    }

    #[test]
    fn scoped_to_the_organization() {
        let admin = TestActor { org: "org-a".into(), roles: vec![Role::Admin] };
        assert!(authorize(&admin, Action::EditPages, Some("org-a")).is_ok());
        let other = authorize(&admin, Action::EditPages, Some("org-b")).unwrap_err();
        assert_eq!(other.kind, ErrorKind::NotFound);
        let viewer = TestActor { org: "org-a".into(), roles: vec![Role::Viewer] };
        assert_eq!(authorize(&viewer, Action::EditPages, Some("org-a")).unwrap_err().kind, ErrorKind::Forbidden);
        // Another tenant's resource is not-found even for an action the role lacks: no existence oracle.
        assert_eq!(authorize(&viewer, Action::EditPages, Some("org-b")).unwrap_err().kind, ErrorKind::NotFound);
    }

    #[test]
    fn role_names_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("owner"), None);
    }
}
