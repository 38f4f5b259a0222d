//! `/dashboard/pages/{id}/registrations`: a page's registrations. Counts for the whole team; for
//! roles that may see people, a searchable list (50 a page, arrival order) with the check-in
//! button on every row (made for a phone at the door), and for editors and up, removal, moving
//! from the waitlist and resending confirmations; `?person={id}` opens one registrant's answers.
//! Plain links and forms: all of it works without JavaScript.

use crate::registrations::api::{ActOnRegistrant, load_registrant, load_registrations};
use crate::registrations::model::{RegistrantRow, RegistrationStatus, RegistrationsView};
use crate::ui::head::Title;
use crate::ui::layout::AppFrame;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::{use_location, use_params_map, use_query_map};

#[component]
pub fn RegistrationsRoute() -> impl IntoView {
    let params = use_params_map();
    let page_id = params.with_untracked(|p| p.get("id").unwrap_or_default());
    let query = use_query_map();
    let (q, status, page, person) = query.with_untracked(|q| (q.get("q"), q.get("status"), q.get("p").and_then(|p| p.parse::<u32>().ok()), q.get("person")));
    let error = crate::ui::fields::refusal_in_address::<ActOnRegistrant>().map(|e| e.message);
    let location = use_location();
    // Where the action buttons come back to: this list as it is, without an earlier error.
    let search = location.search.get_untracked();
    let kept: Vec<&str> = search.trim_start_matches('?').split('&').filter(|p| !p.is_empty() && !p.starts_with("__err") && !p.starts_with("__path")).collect();
    let path = location.pathname.get_untracked();
    let here = if kept.is_empty() { path } else { format!("{path}?{}", kept.join("&")) };
    let overview = Resource::new(move || (page_id.clone(), q.clone(), status.clone(), page), |(id, q, status, page)| load_registrations(id, q, status, page));
    let detail = Resource::new(
        move || person.clone(),
        |person| async move {
            match person {
                Some(id) => load_registrant(id).await.ok(),
                None => None,
            }
        },
    );
    let header = view! { <a class="back-link" href="/dashboard">"← Dashboard"</a> }.into_any();
    view! {
        <Title text="Registrations · Flashpage"/>
        <AppFrame current="/dashboard" header>
            {error.map(|m| view! { <div class="form-alert" role="alert">{m}</div> })}
            <Suspense fallback=|| view! { <p class="loading" role="status">"Loading registrations…"</p> }>
                {move || {
                    let here = here.clone();
                    Suspend::new(async move {
                        let person = detail.await;
                        match overview.await {
                            Ok(v) => view! {
                                {person.map(|d| view! {
                                    <section class="confirm" aria-labelledby="person-title">
                                        <h2 id="person-title">{d.row.name.clone()}</h2>
                                        <dl class="pp-event">
                                            <dt>"Email"</dt><dd>{d.row.email.clone()}</dd>
                                            {d.row.phone.clone().map(|p| view! { <dt>"Phone"</dt><dd>{p}</dd> })}
                                            <dt>"Status"</dt><dd>{d.row.status.label()}</dd>
                                            {d.answers.into_iter().map(|(q, a)| view! { <dt>{q}</dt><dd>{a}</dd> }).collect_view()}
                                        </dl>
                                    </section>
                                })}
                                <Registrations v here/>
                            }.into_any(),
                            Err(error) => view! { <crate::ui::status::LoadRefused error/> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </AppFrame>
    }
}

#[component]
fn Registrations(v: RegistrationsView, here: String) -> impl IntoView {
    let c = v.counts.clone();
    let base = format!("/dashboard/pages/{}/registrations", v.page_id);
    let export = format!("/dashboard/pages/{}/registrations.csv", v.page_id);
    let pages = v.matching.div_ceil(v.per_page).max(1);
    let link = |page: u32| format!("{}?q={}&status={}&p={page}", base, urlencode(&v.query), v.status.map(|s| s.as_str()).unwrap_or(""));
    let limit_note = (c.limit_refused > 0).then(|| {
        let at = c.limit_last_refused_at.map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string()).unwrap_or_default();
        view! { <p class="notice" data-testid="limit-hits">{format!("The limit of {} registrations a minute turned away {} attempts (last at {at}).", c.per_minute, c.limit_refused)}</p> }
    });
    view! {
        <div class="panel-head">
            <h1>"Registrations: " {v.page_title.clone()}</h1>
            <a href=format!("/dashboard/pages/{}", v.page_id)>"Edit the page"</a>
        </div>
        <ul class="reg-counts" data-testid="registration-counts">
            {v.is_event.then(|| view! {
                <li><strong data-testid="count-registered">{c.registered}</strong>" registered"</li>
                <li><strong>{c.seats_left()}</strong>" seats left of " {c.capacity}</li>
                <li><strong data-testid="count-waitlisted">{c.waitlisted}</strong>" waitlisted"</li>
                <li><strong>{c.cancelled}</strong>" cancelled"</li>
                <li><strong data-testid="count-attended">{c.attended}</strong>" attended"</li>
            })}
            <li><strong>{c.notify}</strong>" on the notify-me list"</li>
        </ul>
        {limit_note}
        {match v.rows.clone() {
            None => view! { <p class="notice">"Your role shows the counts only. Ask an admin if you need to see who registered."</p> }.into_any(),
            Some(rows) => view! {
                <form method="get" action=base.clone() class="reg-search" role="search">
                    <label for="reg-q">"Search by name or email"</label>
                    <span class="field-hint">"At the door, scan a guest's QR code into this box."</span>
                    <input id="reg-q" name="q" type="search" value=v.query.clone() inputmode="search"/>
                    <label for="reg-status">"Status"</label>
                    <select id="reg-status" name="status">
                        <option value="" selected=v.status.is_none()>"All"</option>
                        {RegistrationStatus::ALL.into_iter().map(|s| view! { <option value=s.as_str() selected=v.status == Some(s)>{s.label()}</option> }).collect_view()}
                    </select>
                    <button class="button" type="submit">"Search"</button>
                    {v.can_export.then(|| view! { <a class="button button--secondary" href=export.clone() download="registrations.csv">"Export CSV"</a> })}
                </form>
                {if rows.is_empty() {
                    view! { <p class="empty" data-testid="no-registrations">{if v.query.is_empty() && v.status.is_none() { "Nobody has registered yet. Share the page's link to get started." } else { "Nobody matches this search." }}</p> }.into_any()
                } else {
                    view! {
                        <ul class="reg-list" data-testid="registrants">
                            {rows.into_iter().map(|r| view! { <Registrant r can_manage=v.can_manage back=here.clone() detail=format!("{base}?person=")/> }).collect_view()}
                        </ul>
                    }.into_any()
                }}
                {(pages > 1).then(|| view! {
                    <nav class="pager" aria-label="Pages">
                        {(v.page > 1).then(|| view! { <a href=link(v.page - 1)>"← Previous"</a> })}
                        <span>{format!("Page {} of {pages}", v.page)}</span>
                        {(v.page < pages).then(|| view! { <a href=link(v.page + 1)>"Next →"</a> })}
                    </nav>
                })}
            }.into_any(),
        }}
    }
}

/// One person: who, where they stand, and the buttons their status allows.
#[component]
fn Registrant(r: RegistrantRow, can_manage: bool, back: String, detail: String) -> impl IntoView {
    let act = move |id: &str, action: &'static str, label: &'static str, class: &'static str| {
        view! {
            <form method="post" action=ActOnRegistrant::url() class="inline">
                <input type="hidden" name="id" value=id.to_string()/>
                <input type="hidden" name="action" value=action/>
                <input type="hidden" name="back" value=back.clone()/>
                <button class=class type="submit" data-testid=format!("{action}")>{label}</button>
            </form>
        }
    };
    let status = match (r.status, r.position) {
        (RegistrationStatus::Waitlisted, Some(p)) => format!("Waitlisted #{p}"),
        (s, _) => s.label().to_string(),
    };
    let attended = r.attended_at.is_some();
    view! {
        <li class="reg-row" data-testid="registrant" data-status=r.status.as_str() data-attended=attended.to_string()>
            <div class="reg-who">
                <a href=format!("{detail}{}", r.id)><strong>{r.name.clone()}</strong></a>
                <span class="reg-email">{r.email.clone()}</span>
                <span class="reg-status">{status}{attended.then_some(" · checked in")}</span>
            </div>
            {can_manage.then(|| view! {
                <div class="reg-actions">
                    {(r.status == RegistrationStatus::Registered && !attended).then(|| act(&r.id, "check-in", "Check in", "button"))}
                    {(r.status == RegistrationStatus::Registered && attended).then(|| act(&r.id, "undo-check-in", "Undo check-in", "button button--secondary"))}
                    {(r.status == RegistrationStatus::Waitlisted).then(|| act(&r.id, "move", "Give a seat", "button button--secondary"))}
                    {matches!(r.status, RegistrationStatus::Registered | RegistrationStatus::Waitlisted).then(|| act(&r.id, "resend", "Resend email", "button button--secondary"))}
                    {matches!(r.status, RegistrationStatus::Registered | RegistrationStatus::Waitlisted).then(|| act(&r.id, "remove", "Remove", "button button--danger"))}
                    {act(&r.id, "delete", "Delete data", "button button--ghost")}
                </div>
            })}
        </li>
    }
}

/// A query-string value.
fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
