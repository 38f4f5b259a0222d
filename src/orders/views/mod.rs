//! The buyer's screens: the Buy form on a page, the test checkout's payment page, the thank-you
//! (and cancelled) page, and the page a closed download link leads to. All rendered on the
//! server with plain forms: everything works without JavaScript.

mod dashboard;
mod download_help;
mod payouts;
mod test_checkout;
mod thanks;

pub use dashboard::OrdersRoute;
pub use download_help::DownloadHelpRoute;
pub use payouts::PayoutsRoute;
pub use test_checkout::TestCheckoutRoute;
pub use thanks::{CancelledRoute, ThanksRoute};

/// Sets the HTTP status of a buyer's page that failed to load (404 for an unknown token).
pub(crate) fn failed_status(err: &crate::error::AppError) {
    #[cfg(feature = "ssr")]
    if let Some(res) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(axum::http::StatusCode::from_u16(err.status()).unwrap_or(axum::http::StatusCode::NOT_FOUND));
    }
    #[cfg(not(feature = "ssr"))]
    let _ = err;
}
