//! The home page: what Flashpage is, for whom, and how to start.

use super::layout::SiteFrame;
use crate::ui::head::Title;
use leptos::prelude::*;
use leptos_meta::Meta;

struct Kind {
    name: &'static str,
    blurb: &'static str,
    /// SVG path data (24x24, stroked), so icons never depend on an emoji font.
    icon: &'static str,
}

const KINDS: [Kind; 4] = [
    Kind {
        name: "Countdown launch",
        blurb: "Build anticipation with a live countdown, collect early sign-ups, and flip to your launch the second it's time.",
        icon: "M12 7v5l3 2M12 3a9 9 0 1 0 0 18a9 9 0 0 0 0-18z",
    },
    Kind {
        name: "Flash sale",
        blurb: "Limited stock, real discounts, and a clock that means it. Never oversold, even when everyone arrives at once.",
        icon: "M13 2L4 14h7l-1 8l9-12h-7z",
    },
    Kind {
        name: "Event registration",
        blurb: "Virtual or in person, with capacity limits, a waitlist and times shown in every attendee's own zone.",
        icon: "M7 3v4M17 3v4M3 9h18M5 5h14a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V7a2 2 0 0 1 2-2z",
    },
    Kind {
        name: "Limited-time offer",
        blurb: "A code, a bonus and a deadline. When it ends, visitors see the alternative you chose.",
        icon: "M4 11h16v10H4zM2 7h20v4H2zM12 7v14M12 7c-2-4-6-4-6-1s4 1 6 1zM12 7c2-4 6-4 6-1s-4 1-6 1z",
    },
];

#[component]
pub fn Landing() -> impl IntoView {
    let deleted = leptos_router::hooks::use_query_map().with_untracked(|q| q.get("deleted"));
    view! {
        <Title text="Flashpage · Temporary pages for launches, flash sales and events"/>
        <Meta name="description" content="Publish countdown launch pages, flash sales, event registrations and limited-time offers at a short link. Sell digital products and collect sign-ups."/>
        <SiteFrame>
            {deleted.map(|what| {
                let text = if what == "account" { "Your account is deleted." } else { "Your organization and its data are deleted. Thank you for using Flashpage." };
                view! { <p class="container form-notice" role="status" data-testid="organization-deleted">{text}</p> }
            })}
            <section class="hero">
                <div class="container hero-inner">
                    <p class="eyebrow">"For creators who launch"</p>
                    <h1>"Pages that end on time."</h1>
                    <p class="lede">
                        "Publish a countdown, a flash sale, an event registration or a limited-time offer at a short link. "
                        "Sell digital products or collect sign-ups, and let the page handle the rush and the deadline."
                    </p>
                    <div class="hero-actions">
                        <a class="button button--large" href="/signup">"Create your free account"</a>
                        <a class="button button--ghost button--large" href="/login">"Log in"</a>
                    </div>
                    <p class="hero-note">"Free plan: 3 live pages, no card needed."</p>
                </div>
            </section>
            <section class="container kinds" aria-labelledby="kinds-title">
                <h2 id="kinds-title">"Four kinds of page, one lifecycle"</h2>
                <p class="section-lede">
                    "Every page is scheduled, live, ended or off, and that is enforced the same way on the page, at checkout and in every email."
                </p>
                <ul class="kind-grid">
                    {KINDS
                        .iter()
                        .map(|k| {
                            view! {
                                <li class="kind-card">
                                    <svg class="kind-icon" viewBox="0 0 24 24" aria-hidden="true">
                                        <path d=k.icon></path>
                                    </svg>
                                    <h3>{k.name}</h3>
                                    <p>{k.blurb}</p>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </section>
            <section class="container promises" aria-labelledby="promises-title">
                <h2 id="promises-title">"Built for the first second of a launch"</h2>
                <ul class="promise-list">
                    <li><strong>"Server-true deadlines."</strong>" Countdowns follow our clock, not the visitor's."</li>
                    <li><strong>"No overselling."</strong>" Stock and seats are held atomically, even at hundreds of buyers a second."</li>
                    <li><strong>"Works everywhere."</strong>" Fast on phones, accessible, and usable with JavaScript turned off."</li>
                </ul>
            </section>
        </SiteFrame>
    }
}
