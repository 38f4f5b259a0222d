//! The public page at `/p/{shortId}`: rendered on the server (complete without JavaScript), then
//! hydrated so the countdown ticks and the page switches phase at zero without a reload.

use super::api::load_public_page;
use super::clock::{corrected_clock, seconds_left, split, spoken};
use super::model::{LiveFacts, PhaseContent, PublicItem, PublicPage};
use crate::error::{AppError, ErrorKind};
use crate::pages::phase::Phase;
use leptos::prelude::*;
use crate::ui::head::Title;
use leptos_meta::Meta;
use leptos_router::hooks::use_params_map;

#[component]
pub fn PublicPageRoute() -> impl IntoView {
    let params = use_params_map();
    let short_id = move || params.with(|p| p.get("short_id").unwrap_or_default());
    let page = Resource::new(short_id, load_public_page);
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => view! { <PublicPageView page/> }.into_any(),
                    Err(err) => view! { <Unavailable err/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// 404 for unknown links, 410 for pages that were switched off or expired.
#[component]
fn Unavailable(err: AppError) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(axum::http::StatusCode::from_u16(err.status()).unwrap_or(axum::http::StatusCode::NOT_FOUND));
    }
    let (title, text) = match err.kind {
        ErrorKind::Gone => ("This page has ended", "The creator has switched this page off, or its time is over."),
        ErrorKind::NotFound => ("We couldn't find this page", "Check the link for typos, or ask whoever shared it."),
        _ => ("This page is unavailable right now", "Please try again in a moment."),
    };
    view! {
        <Title text=title/>
        <Meta name="robots" content="noindex"/>
        <main class="pp pp--unavailable">
            <div class="pp-card">
                <h1>{title}</h1>
                <p>{text}</p>
            </div>
        </main>
    }
}

/// The page itself. In the editor's preview (`page.preview`) it leaves the document's title and
/// meta tags alone and renders inside the editor rather than as the document's `<main>`.
///
/// The page holds only what its phase shows. The countdown ticks by the server-corrected clock;
/// at zero the browser asks the server for the page again, and the server, by its own clock,
/// answers with the next phase's content (or the same, if the visitor's clock ran ahead: then it
/// asks again a little later).
#[component]
pub fn PublicPageView(page: PublicPage) -> impl IntoView {
    let preview = page.preview;
    let now = corrected_clock(page.server_now);
    // The server's latest answer.
    let current = RwSignal::new(page.clone());

    // Ended pages whose action is a redirect: a real 302 on the server (no JavaScript needed),
    // and a navigation in the browser once an answer says so. The preview never navigates away.
    #[cfg(feature = "ssr")]
    if let Some(url) = page.redirect_to().filter(|_| !preview) {
        server_redirect(url);
    }
    #[cfg(feature = "hydrate")]
    if !preview {
        ask_again_at_each_boundary(current, now);
        Effect::new(move |_| {
            if let Some(url) = current.with(|p| p.redirect_to().map(str::to_string)) {
                let _ = window().location().assign(&url);
            }
        });
    }

    let (on_accent, accent_ink) = crate::pages::palette::accent_palette(&page.accent_color);
    let style = format!(
        "--accent:{};--on-accent:{on_accent};--accent-ink:{accent_ink};--page-bg:{};",
        page.accent_color, page.background_color
    );
    let description = if page.description.is_empty() { page.headline.clone() } else { page.description.clone() };
    let ended = move || current.with(|p| matches!(p.phase, Phase::Ended { .. }));
    let head = (!preview).then(|| {
        let og_image = page.og_image.clone();
        view! {
            <Title text=page.headline.clone()/>
            <Meta name="description" content=description.clone()/>
            <Meta property="og:title" content=page.headline.clone()/>
            <Meta property="og:description" content=description.clone()/>
            <Meta property="og:type" content="website"/>
            <Meta name="twitter:card" content=if og_image.is_some() { "summary_large_image" } else { "summary" }/>
            {og_image.map(|url| view! {
                <Meta property="og:image" content=url.clone()/>
                <Meta name="twitter:image" content=url/>
            })}
            <Meta name="twitter:title" content=page.headline.clone()/>
            <Meta name="twitter:description" content=description.clone()/>
            <Show when=ended>
                <Meta name="robots" content="noindex"/>
            </Show>
        }
    });
    let card = view! {
        <article class="pp-card">
            {page.hero_image_url.clone().map(|src| view! { <img class="pp-hero" src=src alt=page.hero_alt.clone() decoding="async"/> })}
            <p class="pp-kind">{page.page_type.label()}</p>
            <h1>{page.headline.clone()}</h1>
            {move || phase_view(current.get(), now)}
        </article>
    };
    let phase_name = move || current.with(|p| p.phase.name());
    let body = if preview {
        view! { <div class="pp pp--preview" style=style data-phase=phase_name>{card}</div> }.into_any()
    } else {
        view! {
            <main class="pp" style=style data-phase=phase_name>
                {card}
                <footer class="pp-footer">
                    <a href="/">"Made with Flashpage"</a>
                </footer>
            </main>
        }
        .into_any()
    };
    view! { {head} {body} }
    .into_any()
}

/// Asks the server for the page again whenever the clock passes the end of the phase the last
/// answer was for. One request at a time; if the server still sees the same phase (the visitor's
/// clock runs ahead of the correction), it asks again after 1 s, then 2 s, … up to 10 s. A page
/// that went away in the meantime (switched off, expired) is reloaded, to show why.
#[cfg(feature = "hydrate")]
fn ask_again_at_each_boundary(current: RwSignal<PublicPage>, now: ReadSignal<chrono::DateTime<chrono::Utc>>) {
    use super::api::refresh_public_page;
    let asking = StoredValue::new(false);
    let not_before = StoredValue::new(None::<chrono::DateTime<chrono::Utc>>);
    let attempts = StoredValue::new(0i64);
    Effect::new(move |_| {
        let t = now.get();
        let Some(boundary) = current.with(|p| p.next_boundary()) else { return };
        if t < boundary || asking.get_value() || not_before.get_value().is_some_and(|nb| t < nb) {
            return;
        }
        asking.set_value(true);
        let (short_id, phase_before) = current.with_untracked(|p| (p.short_id.clone(), p.phase));
        leptos::task::spawn_local(async move {
            match refresh_public_page(short_id).await {
                Ok(fresh) if fresh.phase != phase_before => {
                    attempts.set_value(0);
                    not_before.set_value(None);
                    current.set(fresh);
                }
                Err(e) if matches!(e.kind, ErrorKind::Gone | ErrorKind::NotFound) => {
                    let _ = window().location().reload();
                }
                _ => {
                    let n = (attempts.get_value() + 1).min(10);
                    attempts.set_value(n);
                    not_before.set_value(Some(now.get_untracked() + chrono::Duration::seconds(n)));
                }
            }
            asking.set_value(false);
        });
    });
}

/// A plain 302 whatever the visitor's Accept header says. (`leptos_axum::redirect` only sets the
/// status for `Accept: text/html` and panics on a URL that is not a valid header value.)
#[cfg(feature = "ssr")]
fn server_redirect(url: &str) {
    use axum::http::{HeaderValue, StatusCode, header::LOCATION};
    if let (Some(res), Ok(value)) = (use_context::<leptos_axum::ResponseOptions>(), HeaderValue::from_str(url)) {
        res.insert_header(LOCATION, value);
        res.set_status(StatusCode::FOUND);
    }
}

fn phase_view(page: PublicPage, now: ReadSignal<chrono::DateTime<chrono::Utc>>) -> AnyView {
    let notify = |label: Option<String>, page: &PublicPage| {
        label.map(|label| view! { <NotifyMe short_id=page.short_id.clone() preview=page.preview label/> })
    };
    match (page.phase, page.content.clone()) {
        (Phase::Scheduled { launches_at }, PhaseContent::Scheduled { notify_me }) => view! {
            <p class="pp-lede">"Coming soon."</p>
            <Countdown label="Launches in" target=launches_at now/>
            {notify(notify_me, &page)}
        }
        .into_any(),
        (Phase::Live { ends_at }, PhaseContent::Live { facts, body_html, items }) => {
            let (label, target) = match &facts {
                LiveFacts::Countdown => ("Launching in", Some(ends_at)),
                LiveFacts::Sale { .. } => ("Sale ends in", Some(ends_at)),
                // Before an event, count to its start; while it runs, say so.
                LiveFacts::Event { starts_at, .. } if now.get_untracked() < *starts_at => ("Starts in", Some(*starts_at)),
                LiveFacts::Event { .. } => ("Happening now", None),
                LiveFacts::Offer { .. } => ("Offer ends in", Some(ends_at)),
            };
            view! {
                {match target {
                    Some(target) => view! { <Countdown label target now/> }.into_any(),
                    None => view! { <p class="pp-now" role="status">{label}</p> }.into_any(),
                }}
                <LiveDetails facts/>
                <div class="pp-body" inner_html=body_html></div>
                <Items items/>
            }
            .into_any()
        }
        (_, PhaseContent::Ended { title, text, notify_me, .. }) => view! {
            <section class="pp-ended" role="status">
                <h2>{title}</h2>
                {(!text.is_empty()).then(|| view! { <p>{text}</p> })}
            </section>
            {notify(notify_me, &page)}
        }
        .into_any(),
        _ => view! { <p class="pp-lede">"This page has ended."</p> }.into_any(),
    }
}

/// Kind-specific facts while the page is live.
#[component]
fn LiveDetails(facts: LiveFacts) -> impl IntoView {
    match facts {
        LiveFacts::Countdown => ().into_any(),
        LiveFacts::Sale { discount_percentage, remaining, limit } => view! {
            <ul class="pp-facts">
                <li><strong>{format!("{discount_percentage}% off")}</strong></li>
                <li data-testid="remaining">{left(remaining, limit)}</li>
            </ul>
        }
        .into_any(),
        LiveFacts::Offer { discount_code, bonus, remaining, limit } => view! {
            <ul class="pp-facts">
                {discount_code.map(|c| view! { <li>"Use code " <code class="pp-code">{c}</code></li> })}
                {bonus.map(|b| view! { <li>"Bonus: " {b}</li> })}
                <li data-testid="remaining">{left(remaining, limit)}</li>
            </ul>
        }
        .into_any(),
        LiveFacts::Event { times, starts_at, ends_at, place, max_attendees } => {
            // The visitor's own zone is only known in the browser: filled in after hydration so the
            // server's HTML and the first browser render are identical.
            let local = RwSignal::new(None::<String>);
            Effect::new(move |_| {
                let (a, b) = (starts_at.with_timezone(&chrono::Local), ends_at.with_timezone(&chrono::Local));
                local.set(Some(format!("{} (your time)", super::model::time_range(a, b))));
            });
            view! {
                <dl class="pp-event">
                    <dt>"When"</dt>
                    <dd>
                        <span>{times.range}</span>
                        <span class="pp-zone">{times.zone}</span>
                        <span class="pp-local">{move || local.get()}</span>
                    </dd>
                    <dt>"Where"</dt>
                    <dd>{place}</dd>
                    <dt>"Places"</dt>
                    <dd>{format!("{max_attendees} attendees")}</dd>
                </dl>
            }
            .into_any()
        }
    }
}

/// "12 of 100 left".
fn left(remaining: u32, limit: u32) -> String {
    if remaining == limit { format!("Only {limit} available") } else { format!("{remaining} of {limit} left") }
}

/// The page's content blocks: text, event details and offers with their prices. Buying comes
/// with checkout; until then there is no button that would not work.
#[component]
fn Items(items: Vec<PublicItem>) -> impl IntoView {
    (!items.is_empty()).then(|| {
        view! {
            <section class="pp-items" aria-label="Details">
                {items.into_iter().map(|item| {
                    let class = format!("pp-item pp-item--{}", item.kind.as_str());
                    view! {
                        <article class=class>
                            <h2>{item.title}</h2>
                            {(!item.description.is_empty()).then(|| view! { <p class="pp-item-text">{item.description}</p> })}
                            {item.price.map(|price| view! {
                                <p class="pp-price">
                                    <span class="pp-price-now" data-testid="price">{price.now}</span>
                                    {price.was.map(|was| view! { " " <s class="pp-price-was"><span class="visually-hidden">"was "</span>{was}</s> })}
                                </p>
                            })}
                        </article>
                    }
                }).collect_view()}
            </section>
        }
    })
}

/// A countdown that is correct on the server and ticks in the browser. The digits are hidden from
/// screen readers; a polite live region speaks a coarse summary when it changes.
#[component]
fn Countdown(label: &'static str, target: chrono::DateTime<chrono::Utc>, now: ReadSignal<chrono::DateTime<chrono::Utc>>) -> impl IntoView {
    let left = Memo::new(move |_| seconds_left(now.get(), target));
    let parts = move || split(left.get());
    let spoken_text = Memo::new(move |_| spoken(left.get()));
    let unit = |value: i64, name: &'static str| {
        view! {
            <span class="cd-unit">
                <span class="cd-value">{format!("{value:02}")}</span>
                <span class="cd-name">{name}</span>
            </span>
        }
    };
    view! {
        <section class="cd" aria-label=label>
            <p class="cd-label">{label}</p>
            <div class="cd-digits" role="timer" aria-hidden="true" data-seconds-left=move || left.get()>
                {move || {
                    let (d, h, m, s) = parts();
                    view! { {unit(d, "days")} {unit(h, "hours")} {unit(m, "minutes")} {unit(s, "seconds")} }
                }}
            </div>
            <p class="visually-hidden" aria-live="polite">{move || spoken_text.get()}</p>
            <p class="cd-deadline">
                "Counting down to " <time datetime=target.to_rfc3339()>{target.format("%-d %B %Y, %H:%M UTC").to_string()}</time>
            </p>
        </section>
    }
}

/// The "notify me" sign-up: one email field, a plain form post without JavaScript.
#[component]
fn NotifyMe(
    short_id: String,
    #[prop(optional)] preview: bool,
    /// The creator's button label, if they set one.
    #[prop(optional)]
    label: String,
) -> impl IntoView {
    let label = if label.trim().is_empty() { "Notify me".to_string() } else { label };
    let action = ServerAction::<crate::registrations::api::NotifyMe>::new();
    let query = leptos_router::hooks::use_query_map();
    let done = move || {
        action.value().get().is_some_and(|r| r.is_ok())
            || (query.with(|q| q.get("notified").is_some()) && action.value().get().is_none())
    };
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let email_error = Signal::derive(move || error.get().and_then(|e| e.field_message("email").or(Some(e.message))));
    view! {
        <section class="notify">
            <Show
                when=done
                fallback=move || {
                    let short_id = short_id.clone();
                    let label = label.clone();
                    view! {
                        <ActionForm action=action attr:class="notify-form" attr:novalidate=true>
                            <input type="hidden" name="short_id" value=short_id/>
                            <label for="notify-email">"Get an email when it starts"</label>
                            <div class="notify-row">
                                <input id="notify-email" name="email" type="email" autocomplete="email" required=true
                                    placeholder="you@example.com"
                                    aria-invalid=move || if email_error.get().is_some() { "true" } else { "false" }
                                    aria-describedby="notify-email-error"/>
                                <button class="button" type="submit" disabled=preview>{label}</button>
                            </div>
                            <p class="field-error" id="notify-email-error" aria-live="polite">{move || email_error.get().unwrap_or_default()}</p>
                        </ActionForm>
                    }
                }
            >
                <p class="form-notice" role="status">"Thanks! We'll email you when it starts."</p>
            </Show>
        </section>
    }
}
