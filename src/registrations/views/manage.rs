//! The registrant's own page (`/r/{token}`): their registration, its QR code for the door, the
//! calendar links, and buttons to cancel or delete it. A signed-in member of the team who may
//! check people in (they opened the page by scanning the QR code) sees a check-in button.

use crate::registrations::api::{ActOnRegistrant, CancelRegistration, DeleteRegistration, load_registration};
use crate::registrations::model::{ManageView, RegistrationStatus};
use crate::ui::head::Title;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Meta;
use leptos_router::hooks::{use_params_map, use_query_map};

/// A server function's refusal that came back in the address, when it was this one's.
fn refusal_of<F: ServerFn>() -> Option<String> {
    crate::ui::fields::refusal_in_address::<F>().map(|err| err.fields.first().map(|f| f.message.clone()).unwrap_or(err.message))
}

#[component]
pub fn ManageRoute() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.with(|p| p.get("token").unwrap_or_default());
    let cancelled = use_query_map().with_untracked(|q| q.get("cancelled").is_some());
    let error = refusal_of::<CancelRegistration>().or_else(refusal_of::<DeleteRegistration>).or_else(refusal_of::<ActOnRegistrant>);
    let view = Resource::new(token, load_registration);
    view! {
        <Title text="Your registration · Flashpage"/>
        <Meta name="robots" content="noindex"/>
        <Suspense fallback=|| ()>
            {move || {
                let error = error.clone();
                Suspend::new(async move {
                    let body = match view.await {
                        Ok(v) => manage_card(v, cancelled, error).into_any(),
                        Err(e) => view! {
                            <h1>"Your registration"</h1>
                            <p role="alert" data-testid="manage-error">{e.message}</p>
                        }
                        .into_any(),
                    };
                    view! { <main class="pp"><div class="pp-card order-card">{body}</div></main> }
                })
            }}
        </Suspense>
    }
}

fn manage_card(v: ManageView, cancelled: bool, error: Option<String>) -> impl IntoView {
    let status = match (v.status, v.position) {
        (RegistrationStatus::Registered, _) => "You're registered.".to_string(),
        (RegistrationStatus::Waitlisted, Some(p)) => format!("You're on the waitlist, at position {p}."),
        (RegistrationStatus::Waitlisted, None) => "You're on the waitlist.".to_string(),
        (RegistrationStatus::Cancelled, _) => "This registration is cancelled.".to_string(),
        (RegistrationStatus::Notify, _) => "You'll get an email when this page launches.".to_string(),
    };
    let holds_place = matches!(v.status, RegistrationStatus::Registered | RegistrationStatus::Waitlisted);
    let registered = v.status == RegistrationStatus::Registered;
    let qr = format!("/r/{}/qr.png", v.token);
    let back = format!("/r/{}", v.token);
    let token = v.token.clone();
    view! {
        <p class="pp-kind">"Your registration"</p>
        <h1>{v.page_title.clone()}</h1>
        {cancelled.then(|| view! { <p class="notice" role="status">"Your registration is cancelled. We've emailed you a confirmation."</p> })}
        {error.map(|m| view! { <p class="form-alert" role="alert">{m}</p> })}
        <p class="pp-lede" role="status" data-testid="registration-status">{status}</p>
        <dl class="pp-event">
            <dt>"Name"</dt><dd>{v.name.clone()}</dd>
            <dt>"Email"</dt><dd>{v.email.clone()}</dd>
            {v.phone.clone().map(|p| view! { <dt>"Phone"</dt><dd>{p}</dd> })}
            <dt>"When"</dt><dd>{v.when.clone()}</dd>
            <dt>"Where"</dt><dd>{v.place.clone()}</dd>
            {v.answers.iter().map(|(q, a)| view! { <dt>{q.clone()}</dt><dd>{a.clone()}</dd> }).collect_view()}
            {v.attended_at.map(|_| view! { <dt>"Checked in"</dt><dd data-testid="checked-in">"Yes"</dd> })}
        </dl>
        {v.join_link.clone().map(|link| view! { <p><a class="button" href=link.clone() rel="noopener">"Join online"</a></p> })}
        {registered.then(|| view! {
            <p><a href=v.google_calendar_url.clone() target="_blank" rel="noopener">"Add to Google Calendar"</a></p>
            <figure class="reg-qr">
                <img src=qr.clone() width="180" height="180" alt="QR code of this registration, to show at the door"/>
                <figcaption>"Show this code at the door."</figcaption>
            </figure>
        })}
        {v.registrant_id.clone().filter(|_| registered).map(|id| {
            let attended = v.attended_at.is_some();
            view! {
                <form method="post" action=ActOnRegistrant::url() class="reg-checkin">
                    <input type="hidden" name="id" value=id/>
                    <input type="hidden" name="action" value=if attended { "undo-check-in" } else { "check-in" }/>
                    <input type="hidden" name="back" value=back.clone()/>
                    <button class="button" type="submit" data-testid="door-check-in">{if attended { "Undo check-in" } else { "Check in" }}</button>
                </form>
            }
        })}
        {(holds_place && !v.event_over).then(|| view! {
            <form method="post" action=CancelRegistration::url() class="reg-cancel">
                <input type="hidden" name="token" value=token.clone()/>
                <button class="button button--secondary" type="submit" data-testid="cancel-registration">"Cancel my registration"</button>
            </form>
        })}
        <form method="post" action=DeleteRegistration::url() class="reg-delete">
            <input type="hidden" name="token" value=token.clone()/>
            <label><input type="checkbox" name="confirm" value="yes" required=true/>" Delete my registration and answers for good"</label>
            <button class="button button--danger" type="submit">"Delete my data"</button>
        </form>
    }
}

/// Where deleting leads: nothing of the registration is left to show.
#[component]
pub fn DeletedRoute() -> impl IntoView {
    view! {
        <Title text="Registration deleted · Flashpage"/>
        <Meta name="robots" content="noindex"/>
        <main class="pp">
            <div class="pp-card order-card">
                <h1>"Deleted"</h1>
                <p role="status" data-testid="registration-deleted">"Your registration and your answers are deleted. If you had a place, it has gone to the next person."</p>
            </div>
        </main>
    }
}
