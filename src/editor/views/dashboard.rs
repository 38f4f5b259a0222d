//! The creator's home: their organisation at a glance and their pages.

use super::PagesPanel;
use crate::accounts::api;
use crate::accounts::model::CurrentUser;
use crate::ui::head::Title;
use crate::ui::layout::AppFrame;
use leptos::prelude::*;
use leptos_router::components::Redirect;

/// The creator's home. The server redirects visitors without a session before rendering; the
/// client-side redirect covers a session that ends while the app is open.
#[component]
pub fn Dashboard() -> impl IntoView {
    let user = Resource::new(|| (), |_| api::get_current_user());
    view! {
        <Title text="Dashboard · Flashpage"/>
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading your dashboard…"</p> }>
            {move || Suspend::new(async move {
                match user.await {
                    Ok(Some(user)) => view! { <DashboardShell user/> }.into_any(),
                    Ok(None) => view! { <Redirect path="/login?next=/dashboard"/> }.into_any(),
                    Err(e) => view! {
                        <div class="container status-page" role="alert">
                            <h1>"We couldn't load your dashboard"</h1>
                            <p>{e.message}</p>
                        </div>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn DashboardShell(user: CurrentUser) -> impl IntoView {
    let logout = ServerAction::<api::Logout>::new();
    let role = user.primary_role().map(|r| r.label()).unwrap_or("Member");
    let first_name = user.name.split(' ').next().unwrap_or(&user.name).to_string();
    let reads_log = crate::accounts::permissions::roles_allow(&user.roles, crate::accounts::permissions::Action::ViewSecurityLog);
    let password_reset = leptos_router::hooks::use_query_map().with_untracked(|q| q.get("password_reset").is_some());
    let header = view! {
        <div class="org-badge" data-testid="org">
            <span class="org-name" data-testid="org-name">{user.organization_name.clone()}</span>
            <span class="role-pill" data-testid="role">{role}</span>
        </div>
        <div class="app-user">
            <span class="app-user-name">{user.name.clone()}</span>
            <ActionForm action=logout attr:class="logout-form">
                <button class="button button--ghost button--small" type="submit">"Log out"</button>
            </ActionForm>
        </div>
    }
    .into_any();
    view! {
        <AppFrame current="/dashboard" header>
            <h1>"Welcome, " {first_name}</h1>
            <Show when=move || password_reset>
                <div class="form-notice" role="status" data-testid="password-changed">
                    "Your new password is set. Every other device has been logged out."
                </div>
            </Show>
            <section class="panel-grid">
                <article class="panel">
                    <h2>"Your organization"</h2>
                    <dl class="facts">
                        <dt>"Organization"</dt>
                        <dd>{user.organization_name.clone()}</dd>
                        <dt>"Team"</dt>
                        <dd>{user.group_name.clone()}</dd>
                        <dt>"Your role"</dt>
                        <dd>{role}</dd>
                        <dt>"Plan"</dt>
                        <dd data-testid="plan">{user.plan_name.clone()}</dd>
                    </dl>
                    <p class="panel-note">
                        "Names are generated for you on the " {user.plan_name.clone()}
                        " plan. Enterprise organizations can choose their own."
                    </p>
                    {reads_log.then(|| view! { <p><a href="/dashboard/security">"Security log"</a></p> })}
                </article>
            </section>
            <PagesPanel/>
        </AppFrame>
    }
}
