//! The home page: what Flashpage is, for whom, and how to start.

use super::layout::SiteFrame;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};

struct Kind {
    name: &'static str,
    blurb: &'static str,
    icon: &'static str,
}

const KINDS: [Kind; 4] = [
    Kind { name: "Countdown launch", blurb: "Build anticipation with a live countdown, collect early sign-ups, and flip to your launch the second it's time.", icon: "⏳" },
    Kind { name: "Flash sale", blurb: "Limited stock, real discounts, and a clock that means it. Never oversold, even when everyone arrives at once.", icon: "⚡" },
    Kind { name: "Event registration", blurb: "Virtual or in person, with capacity limits, a waitlist and times shown in every attendee's own zone.", icon: "📅" },
    Kind { name: "Limited-time offer", blurb: "A code, a bonus and a deadline. When it ends, visitors see the alternative you chose.", icon: "🎁" },
];

#[component]
pub fn Landing() -> impl IntoView {
    view! {
        <Title text="Flashpage · Temporary pages for launches, flash sales and events"/>
        <Meta name="description" content="Publish countdown launch pages, flash sales, event registrations and limited-time offers at a short link. Sell digital products and collect sign-ups."/>
        <SiteFrame>
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
                                    <span class="kind-icon" aria-hidden="true">{k.icon}</span>
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
