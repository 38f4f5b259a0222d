//! Account pages: sign-up, login, and the dashboard shell.

mod account;
mod dashboard;
mod login;
mod password_reset;
mod security_log;
mod signup;
mod team;

pub use account::{AccountRoute, ConfirmEmailRoute};
pub use dashboard::Dashboard;
pub use login::Login;
pub use password_reset::{ForgotPassword, ResetPassword};
pub use security_log::SecurityLogRoute;
pub use signup::{ConfirmAccount, Signup};
pub use team::{InvitationRoute, TeamRoute};
