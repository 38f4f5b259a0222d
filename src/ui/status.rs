//! Status pages (not found), with the right HTTP status when rendered on the server.

use super::layout::SiteFrame;
use crate::ui::head::Title;
use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Not found · Flashpage"/>
        <SiteFrame>
            <section class="container status-page">
                <h1>"We couldn't find that page"</h1>
                <p>"The link may be mistyped, or the page may have been removed."</p>
                <a class="button" href="/">"Go to the home page"</a>
            </section>
        </SiteFrame>
    }
}

/// A dashboard screen whose data could not be loaded: the error's message under `title`, its HTTP
/// status when rendered on the server (404 for another tenant's id), and a link `back`.
#[component]
pub fn LoadFailed(title: &'static str, error: crate::error::AppError, back: &'static str, back_label: &'static str) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(axum::http::StatusCode::from_u16(error.status()).unwrap_or(axum::http::StatusCode::NOT_FOUND));
    }
    view! {
        <div class="status-page" role="alert">
            <h1>{title}</h1>
            <p>{error.message}</p>
            <a class="button" href=back>{back_label}</a>
        </div>
    }
}

/// A dashboard screen's data, refused: its message where the data would be. A refusal of access
/// (401, 403, 404) is also the page's HTTP status when rendered on the server; a message about
/// what was asked (a bad filter in the address) leaves the page a 200.
#[component]
pub fn LoadRefused(error: crate::error::AppError, #[prop(optional)] testid: &'static str) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if matches!(error.status(), 401 | 403 | 404) {
        if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
            res.set_status(axum::http::StatusCode::from_u16(error.status()).unwrap_or(axum::http::StatusCode::FORBIDDEN));
        }
    }
    view! { <p class="form-alert" role="alert" data-testid=(!testid.is_empty()).then_some(testid)>{error.message}</p> }
}
