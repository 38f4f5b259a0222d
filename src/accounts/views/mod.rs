//! Account pages: sign-up, login, and the dashboard shell.

mod dashboard;
mod login;
mod signup;

pub use dashboard::Dashboard;
pub use login::Login;
pub use signup::Signup;
