//! The page frame for public and account pages.

use leptos::prelude::*;

#[component]
pub fn Brand() -> impl IntoView {
    view! {
        <a class="brand" href="/" aria-label="Flashpage home">
            <svg class="brand-mark" viewBox="0 0 32 32" aria-hidden="true">
                <rect width="32" height="32" rx="8"></rect>
                <path d="M18 4 8 18h7l-2 10 11-15h-7z"></path>
            </svg>
            <span class="brand-name">"Flashpage"</span>
        </a>
    }
}

/// Header and footer around marketing and account pages.
#[component]
pub fn SiteFrame(children: Children) -> impl IntoView {
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="site-header">
            <div class="container site-header-inner">
                <Brand/>
                <nav aria-label="Account" class="site-nav">
                    <a href="/pricing">"Pricing"</a>
                    <a href="/login">"Log in"</a>
                    <a class="button button--small" href="/signup">"Start free"</a>
                </nav>
            </div>
        </header>
        <main id="main" class="site-main">{children()}</main>
        <footer class="site-footer">
            <div class="container">
                <p>"Flashpage: pages that end on time."</p>
            </div>
        </footer>
    }
}

/// A centred card for the account forms.
#[component]
pub fn AuthCard(title: &'static str, subtitle: &'static str, children: Children) -> impl IntoView {
    view! {
        <SiteFrame>
            <section class="auth container">
                <div class="auth-card">
                    <h1>{title}</h1>
                    <p class="auth-subtitle">{subtitle}</p>
                    {children()}
                </div>
            </section>
        </SiteFrame>
    }
}

/// The dashboard's sections, in the navigation's order.
const SECTIONS: [(&str, &str); 7] = [
    ("/dashboard", "Overview"),
    ("/dashboard/products", "Products"),
    ("/dashboard/orders", "Orders"),
    ("/dashboard/payouts", "Get paid"),
    ("/dashboard/team", "Team"),
    ("/dashboard/billing", "Billing"),
    ("/dashboard/account", "Account"),
];

/// The frame of the dashboard's screens: the header (the brand, then `header`), the navigation
/// between sections with `current` marked, and the main area. One place, so that every screen
/// links to every section.
#[component]
pub fn AppFrame(current: &'static str, header: AnyView, children: Children) -> impl IntoView {
    view! {
        <div class="app">
            <a class="skip-link" href="#main">"Skip to content"</a>
            <header class="app-header">
                <div class="app-header-inner">
                    <Brand/>
                    {header}
                </div>
            </header>
            <div class="app-body">
                <nav class="app-nav" aria-label="Dashboard">
                    {SECTIONS
                        .iter()
                        .map(|(href, label)| view! { <a href=*href aria-current=(*href == current).then_some("page")>{*label}</a> })
                        .collect_view()}
                </nav>
                <main id="main" class="app-main">{children()}</main>
            </div>
        </div>
    }
}
