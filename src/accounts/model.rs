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
