//! The document shell, the router, and the table of routes.

use crate::accounts::views::{
    AccountRoute, ConfirmAccount, ConfirmEmailRoute, ForgotPassword, InvitationRoute, Login, ResetPassword, SecurityLogRoute, Signup, TeamRoute,
};
use crate::billing::views::{BillingRoute, PricingRoute};
use crate::editor::views::{Dashboard, PageEditorRoute};
use crate::orders::views::{CancelledRoute, DownloadHelpRoute, OrdersRoute, PayoutsRoute, TestCheckoutRoute, ThanksRoute};
use crate::products::views::{NewProductRoute, ProductRoute, ProductsRoute};
use crate::registrations::views::{DeletedRoute, ManageRoute, RegistrationsRoute, UnsubscribeRoute};
use crate::storefront::view::PublicPageRoute;
use crate::ui::landing::Landing;
use crate::ui::status::NotFound;
use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_page_csp(&options);
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="theme-color" content="#4f46e5"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <HashedStylesheet options=options.clone() id="leptos"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options islands=true/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// Sends the page CSP carrying this render's nonce, which leptos also puts on its inline scripts.
#[cfg(feature = "ssr")]
fn set_page_csp(options: &LeptosOptions) {
    use axum::http::{HeaderValue, header::CONTENT_SECURITY_POLICY};
    let reload = crate::infra::security_headers::reload_port(options);
    if let (Some(nonce), Some(res)) = (leptos::nonce::use_nonce(), use_context::<leptos_axum::ResponseOptions>()) {
        let csp = crate::infra::security_headers::page_csp(&nonce, reload);
        if let Ok(value) = HeaderValue::from_str(&csp) {
            res.insert_header(CONTENT_SECURITY_POLICY, value);
        }
    }
}

/// The whole app, rendered on the server only: the browser hydrates just its islands (see
/// `ui::islands`), so nothing here runs there.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/") view=Landing/>
                <Route path=path!("/signup") view=Signup/>
                <Route path=path!("/confirm-account/:token") view=ConfirmAccount/>
                <Route path=path!("/login") view=Login/>
                <Route path=path!("/forgot-password") view=ForgotPassword/>
                <Route path=path!("/reset-password/:token") view=ResetPassword ssr=SsrMode::Async/>
                // Async: the HTML is sent once the user is loaded, so it is complete without JavaScript
                // (streamed out-of-order chunks need a script to be put in place).
                <Route path=path!("/dashboard") view=Dashboard ssr=SsrMode::Async/>
                <Route path=path!("/dashboard/account") view=AccountRoute ssr=SsrMode::Async/>
                <Route path=path!("/dashboard/security") view=SecurityLogRoute ssr=SsrMode::Async/>
                <Route path=path!("/dashboard/team") view=TeamRoute ssr=SsrMode::Async/>
                <Route path=path!("/dashboard/billing") view=BillingRoute ssr=SsrMode::Async/>
                <Route path=path!("/pricing") view=PricingRoute ssr=SsrMode::Async/>
                <Route path=path!("/invite/:token") view=InvitationRoute ssr=SsrMode::Async/>
                <Route path=path!("/confirm-email/:token") view=ConfirmEmailRoute ssr=SsrMode::Async/>
                <Route path=path!("/dashboard/pages/:id") view=PageEditorRoute ssr=SsrMode::Async/>
                <Route path=path!("/dashboard/products") view=ProductsRoute ssr=SsrMode::Async/>
                // Before `:id`: the first route that matches wins.
                <Route path=path!("/dashboard/products/new") view=NewProductRoute ssr=SsrMode::Async/>
                <Route path=path!("/dashboard/products/:id") view=ProductRoute ssr=SsrMode::Async/>
                <Route path=path!("/dashboard/orders") view=OrdersRoute ssr=SsrMode::Async/>
                <Route path=path!("/dashboard/payouts") view=PayoutsRoute ssr=SsrMode::Async/>
                <Route path=path!("/p/:short_id") view=PublicPageRoute ssr=SsrMode::Async/>
                <Route path=path!("/orders/:token/thanks") view=ThanksRoute ssr=SsrMode::Async/>
                <Route path=path!("/orders/:token/cancel") view=CancelledRoute ssr=SsrMode::Async/>
                <Route path=path!("/checkout/test/:session") view=TestCheckoutRoute ssr=SsrMode::Async/>
                <Route path=path!("/d/:token/help") view=DownloadHelpRoute ssr=SsrMode::Async/>
                <Route path=path!("/dashboard/pages/:id/registrations") view=RegistrationsRoute ssr=SsrMode::Async/>
                <Route path=path!("/r/deleted") view=DeletedRoute ssr=SsrMode::Async/>
                <Route path=path!("/r/:token") view=ManageRoute ssr=SsrMode::Async/>
                <Route path=path!("/u/:id/:token") view=UnsubscribeRoute/>
            </Routes>
        </Router>
    }
}
