//! Account pages: sign-up, login, password reset, the account, team and security log.

mod account;
mod login;
mod password_reset;
mod security_log;
mod signup;
mod team;

pub use account::{AccountRoute, ConfirmEmailRoute};
pub use login::Login;
pub use password_reset::{ForgotPassword, ResetPassword};
pub use security_log::SecurityLogRoute;
pub use signup::{ConfirmAccount, Signup};
pub use team::{InvitationRoute, TeamRoute};
