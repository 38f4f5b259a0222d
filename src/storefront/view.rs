//! The public page at `/p/{shortId}`: rendered on the server (complete without JavaScript); only
//! its islands are hydrated: the countdown (which at zero asks the server for the phase and loads
//! the page again once it changed), an event's local times and the notify-me form.

use super::api::load_public_page;
use super::buy_form::{BuyAnswer, BuyForm};
use super::clock::unix_ms;
use super::countdown::{AtZero, Countdown};
use super::local_time::LocalTime;
use super::model::{LiveFacts, PhaseContent, PublicItem, PublicPage};
use super::notify_me::{NotifyAnswer, NotifyMe};
use crate::error::{AppError, ErrorKind};
use crate::pages::phase::Phase;
use crate::registrations::model::FormAnswer;
use crate::registrations::views::RegistrationForm;
use crate::ui::head::Title;
use leptos::prelude::*;
use leptos_meta::Meta;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn PublicPageRoute() -> impl IntoView {
    let params = use_params_map();
    let short_id = move || params.with(|p| p.get("short_id").unwrap_or_default());
    // Without JavaScript the notify-me form comes back here with `?notified=1` or its error.
    let notify =
        use_query_map().with_untracked(|q| NotifyAnswer::from_query(q.get("notified").is_some(), q.get("__path").as_deref(), q.get("__err").as_deref()));
    // A Buy form refused without JavaScript comes back with its error; `?code=` pre-fills a code.
    let buy = use_query_map().with_untracked(|q| BuyAnswer::from_query(q.get("__path").as_deref(), q.get("__err").as_deref(), q.get("code").as_deref()));
    // A registration form comes back with `?registered=1` or, refused, `?draft=` (kept on the server).
    let (registered, waitlist, draft_id) = use_query_map().with_untracked(|q| (q.get("registered").is_some(), q.get("waitlist").is_some(), q.get("draft")));
    let page = Resource::new(short_id, load_public_page);
    let draft = Resource::new(
        move || draft_id.clone(),
        |id| async move {
            match id {
                Some(id) => crate::registrations::api::registration_draft(id).await.ok().flatten(),
                None => None,
            }
        },
    );
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let (notify, buy) = (notify.clone(), buy.clone());
                Suspend::new(async move {
                    let registration = draft.await.unwrap_or(FormAnswer { sent: registered, waitlist, ..FormAnswer::default() });
                    match page.await {
                        Ok(page) => view! { <PageHead page=page.clone()/> <PublicPageView page notify buy registration/> }.into_any(),
                        Err(err) => view! { <Unavailable err/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// The document's title and link-preview tags, and for an ended page whose action is a redirect,
/// a real 302 (no JavaScript needed). Rendered on the server only.
#[component]
fn PageHead(page: PublicPage) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(url) = page.redirect_to() {
        server_redirect(url);
    }
    let description = if page.description.is_empty() { page.headline.clone() } else { page.description.clone() };
    let ended = matches!(page.phase, Phase::Ended { .. });
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
        <Meta name="twitter:description" content=description/>
        {ended.then(|| view! { <Meta name="robots" content="noindex"/> })}
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

/// The page itself, for visitors and in the editor's preview (`page.preview`), where it renders
/// inside the editor rather than as the document's `<main>`.
///
/// It holds only what its phase shows, and is plain HTML but for its islands: the countdown (which
/// asks the server at zero and loads the page again when the phase has changed), the notify-me
/// form and an event's local times.
#[component]
pub fn PublicPageView(
    page: PublicPage,
    /// The notify-me form was sent without JavaScript and came back here.
    #[prop(optional)]
    notify: NotifyAnswer,
    /// A Buy form was refused without JavaScript and came back here.
    #[prop(optional)]
    buy: BuyAnswer,
    /// The registration form came back here (sent, or refused with what was typed).
    #[prop(optional)]
    registration: FormAnswer,
) -> impl IntoView {
    let (on_accent, accent_ink) = crate::pages::palette::accent_palette(&page.accent_color);
    let style = format!("--accent:{};--on-accent:{on_accent};--accent-ink:{accent_ink};--page-bg:{};", page.accent_color, page.background_color);
    let phase_name = page.phase.name();
    let card = view! {
        <article class="pp-card">
            {page.hero_image_url.clone().map(|src| view! { <img class="pp-hero" src=src alt=page.hero_alt.clone() decoding="async"/> })}
            <p class="pp-kind">{page.page_type.label()}</p>
            <h1>{page.headline.clone()}</h1>
            {phase_view(page.clone(), notify, buy, registration)}
        </article>
    };
    if page.preview {
        view! { <div class="pp pp--preview" style=style data-phase=phase_name>{card}</div> }.into_any()
    } else {
        view! {
            <main class="pp" style=style data-phase=phase_name>
                {page.sandbox.then(|| view! { <p class="test-mode" role="note">"Test mode: payments here are simulated; nothing is charged."</p> })}
                {card}
                {page.made_with.then(|| view! {
                    <footer class="pp-footer">
                        <a href="/">"Made with Flashpage"</a>
                    </footer>
                })}
            </main>
        }
        .into_any()
    }
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

fn phase_view(page: PublicPage, answer: NotifyAnswer, buy: BuyAnswer, registration: FormAnswer) -> AnyView {
    let notify = |label: Option<String>, page: &PublicPage| {
        label.map(|label| view! { <NotifyMe short_id=page.short_id.clone() preview=page.preview label answer=answer.clone()/> })
    };
    // At the end of the phase, the server says what comes next; the preview stays put.
    let ask = |page: &PublicPage| {
        if page.preview { AtZero::Stay } else { AtZero::AskServer { short_id: page.short_id.clone(), phase: page.phase.name().to_string() } }
    };
    let server_now = page.server_now;
    match (page.phase, page.content.clone()) {
        (Phase::Scheduled { launches_at }, PhaseContent::Scheduled { notify_me }) => view! {
            <p class="pp-lede">"Coming soon."</p>
            <Countdown label="Launches in" target=launches_at server_now at_zero=ask(&page)/>
            {notify(notify_me, &page)}
        }
        .into_any(),
        (Phase::Live { ends_at }, PhaseContent::Live { facts, body_html, items }) => {
            let countdown = match &facts {
                LiveFacts::Countdown => Some(("Launching in", ends_at, ask(&page))),
                LiveFacts::Sale { .. } => Some(("Sale ends in", ends_at, ask(&page))),
                // Before an event, count to its start, then show the page again ("Happening now").
                LiveFacts::Event { starts_at, .. } if server_now < *starts_at => {
                    Some(("Starts in", *starts_at, if page.preview { AtZero::Stay } else { AtZero::Reload }))
                }
                LiveFacts::Event { .. } => None,
                LiveFacts::Offer { .. } => Some(("Offer ends in", ends_at, ask(&page))),
            };
            let form = match &facts {
                LiveFacts::Event { seats, form, .. } => Some(view! {
                    <RegistrationForm short_id=page.short_id.clone() seats=*seats form=form.clone() preview=page.preview answer=registration/>
                }),
                _ => None,
            };
            view! {
                {match countdown {
                    Some((label, target, at_zero)) => view! { <Countdown label target server_now at_zero/> }.into_any(),
                    None => view! { <p class="pp-now" role="status">"Happening now"</p> }.into_any(),
                }}
                <LiveDetails facts/>
                <div class="pp-body" inner_html=body_html></div>
                <Items items short_id=page.short_id.clone() preview=page.preview answer=buy/>
                {form}
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
        LiveFacts::Sale { discount_percentage, remaining, limit, back_in } => view! {
            <ul class="pp-facts">
                <li><strong>{format!("{discount_percentage}% off")}</strong></li>
                <li data-testid="remaining">{left(remaining, limit, back_in)}</li>
            </ul>
        }
        .into_any(),
        LiveFacts::Offer { discount_code, bonus, remaining, limit, back_in } => view! {
            <ul class="pp-facts">
                {discount_code.map(|c| view! { <li>"Use code " <code class="pp-code">{c}</code></li> })}
                {bonus.map(|b| view! { <li>"Bonus: " {b}</li> })}
                <li data-testid="remaining">{left(remaining, limit, back_in)}</li>
            </ul>
        }
        .into_any(),
        LiveFacts::Event { times, starts_at, ends_at, place, seats, .. } => view! {
            <dl class="pp-event">
                <dt>"When"</dt>
                <dd>
                    <span>{times.range}</span>
                    <span class="pp-zone">{times.zone}</span>
                    <LocalTime starts_at_ms=unix_ms(starts_at) ends_at_ms=unix_ms(ends_at)/>
                </dd>
                <dt>"Where"</dt>
                <dd>{place}</dd>
                <dt>"Places"</dt>
                <dd data-testid="remaining">{seats.describe()}</dd>
            </dl>
        }
        .into_any(),
    }
}

/// "12 of 100 left"; with nothing left but some units only held, when they may come back.
fn left(remaining: u32, limit: u32, back_in: Option<u32>) -> String {
    match back_in {
        Some(minutes) => format!(
            "The last units are in other buyers' checkouts. Any that aren't paid come back within {minutes} minute{}: try again then.",
            if minutes == 1 { "" } else { "s" }
        ),
        None if remaining == limit => format!("Only {limit} available"),
        None => format!("{remaining} of {limit} left"),
    }
}

/// A product's sample: the image, a player for a sound, a link to open a PDF excerpt.
fn sample_view(sample: crate::products::model::Sample, label: String) -> AnyView {
    use crate::products::model::SampleKind;
    match sample.kind {
        SampleKind::Image => view! { <img class="pp-sample" src=sample.url alt=label loading="lazy" decoding="async"/> }.into_any(),
        SampleKind::Audio => view! { <audio class="pp-sample" controls=true preload="none" src=sample.url aria-label=label></audio> }.into_any(),
        SampleKind::Pdf => view! { <p><a class="pp-sample-link" href=sample.url target="_blank" rel="noopener">"Read a sample (PDF)"</a></p> }.into_any(),
    }
}

/// The page's content blocks: text, event details, offers with their prices, and products with
/// their Buy form.
#[component]
fn Items(items: Vec<PublicItem>, short_id: String, preview: bool, answer: BuyAnswer) -> impl IntoView {
    (!items.is_empty()).then(|| {
        view! {
            <section class="pp-items" aria-label="Details">
                {items.into_iter().map(|item| {
                    let class = format!("pp-item pp-item--{}", item.kind.as_str());
                    let buy = item.buy.clone();
                    let sample = item.sample.clone();
                    let sample_label = format!("A sample of {}", item.title);
                    let now = item.price.as_ref().map(|p| p.now.clone()).unwrap_or_default();
                    view! {
                        <article class=class>
                            <h2>{item.title}</h2>
                            {(!item.description.is_empty()).then(|| view! { <p class="pp-item-text">{item.description}</p> })}
                            {sample.map(|s| sample_view(s, sample_label))}
                            {item.price.map(|price| view! {
                                <p class="pp-price">
                                    <span class="pp-price-now" data-testid="price">{price.now}</span>
                                    {price.was.map(|was| view! { " " <s class="pp-price-was"><span class="visually-hidden">"was "</span>{was}</s> })}
                                </p>
                            })}
                            {buy.map(|buy| view! { <BuyForm short_id=short_id.clone() buy price=now preview answer=answer.clone()/> })}
                        </article>
                    }
                }).collect_view()}
            </section>
        }
    })
}
