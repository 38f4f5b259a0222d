//! What a visitor's browser receives about a public page.

use crate::pages::phase::Phase;
use crate::pages::settings::{PageSettings, PageType};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Event times as the server formats them in the event's own zone (the browser adds the visitor's).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventTimes {
    /// "Thursday 3 December 2026, 22:00 – 23:30" (the date once when the event ends the same day).
    pub range: String,
    pub zone: String,
}

/// What a visitor's browser receives about a public page: the page's face (headline, colours,
/// image) and what its *current* phase shows, decided by the server's clock. Nothing of a later
/// phase is in it (a message after the countdown, a redirect, a discount code, the body, the
/// offers, an event's join link): when the phase changes, the browser loads the page again.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PublicPage {
    pub short_id: String,
    pub page_type: PageType,
    pub headline: String,
    pub description: String,
    pub accent_color: String,
    pub background_color: String,
    pub hero_image_url: Option<String>,
    pub hero_alt: String,
    /// The hero image's absolute URL, for link previews.
    pub og_image: Option<String>,
    /// The server's clock when it answered: the browser corrects its own clock by it.
    pub server_now: DateTime<Utc>,
    /// The phase at `server_now`, as the server decided it.
    pub phase: Phase,
    /// What that phase shows.
    pub content: PhaseContent,
    /// Shown in the editor's preview: no redirects, no sign-ups, no asking the server again.
    #[serde(default)]
    pub preview: bool,
    /// The "Made with Flashpage" line (Free pages; plans with `customBranding` remove it).
    #[serde(default)]
    pub made_with: bool,
    /// A public deployment in test mode (`PAYMENTS=test`): every page says that nothing is charged.
    #[serde(default)]
    pub sandbox: bool,
}

/// What each phase shows, and only that.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum PhaseContent {
    /// Before the launch: the countdown, and the "notify me" form when the creator offers it
    /// (with their button label).
    Scheduled { notify_me: Option<String> },
    Live {
        facts: LiveFacts,
        /// Markdown rendered and sanitised on the server.
        body_html: String,
        /// Content blocks in the creator's order, prices already worked out for this page.
        items: Vec<PublicItem>,
    },
    /// Over: the kind's message, or where to go instead, and the "notify me" form after a
    /// countdown whose action is to show it.
    Ended { title: String, text: String, redirect_to: Option<String>, notify_me: Option<String> },
    /// Switched off or expired (never sent to visitors: they get 410).
    Inactive,
}

/// The kind's facts while a page is live.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LiveFacts {
    Countdown,
    /// `back_in`: every unit left is in an open checkout; the first may come back within that
    /// many minutes.
    Sale {
        discount_percentage: u8,
        remaining: u32,
        limit: u32,
        back_in: Option<u32>,
    },
    Offer {
        discount_code: Option<String>,
        bonus: Option<String>,
        remaining: u32,
        limit: u32,
        back_in: Option<u32>,
    },
    /// Where an online event happens is "Online": the join link goes to registrants only.
    /// The registration form comes with it (`seats` says whether it leads to a seat or the
    /// waitlist, or is closed because the event is fully booked).
    Event {
        times: EventTimes,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        place: String,
        seats: crate::registrations::model::Seats,
        form: crate::pages::questions::FormConfig,
    },
}

impl PublicPage {
    /// Where an ended page sends its visitors, if it does.
    pub fn redirect_to(&self) -> Option<&str> {
        match &self.content {
            PhaseContent::Ended { redirect_to, .. } => redirect_to.as_deref(),
            _ => None,
        }
    }

    /// The "notify me" form's button label, when the current phase offers the form.
    pub fn notify_me(&self) -> Option<&str> {
        match &self.content {
            PhaseContent::Scheduled { notify_me } | PhaseContent::Ended { notify_me, .. } => notify_me.as_deref(),
            _ => None,
        }
    }
}

/// A content block as visitors see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicItem {
    pub kind: crate::pages::blocks::ContentKind,
    pub title: String,
    pub description: String,
    pub price: Option<PriceTag>,
    /// A product block's Buy form.
    #[serde(default)]
    pub buy: Option<BuyButton>,
    /// A product's public sample.
    #[serde(default)]
    pub sample: Option<crate::products::model::Sample>,
}

/// What a Buy form carries: the block, which checkout resolves on the server, and the price the
/// page shows, so that checkout can refuse a price that changed meanwhile (it never charges what
/// a form says).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuyButton {
    pub item_id: String,
    /// In minor units.
    pub amount: i64,
    pub currency: String,
    /// A limited offer with a discount code: the form asks for it.
    pub asks_code: bool,
}

/// A price, formatted: what it costs now and, on a sale that shows it, what it cost before.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceTag {
    pub now: String,
    pub was: Option<String>,
}

impl PriceTag {
    /// The price of an offer on this kind of page: flash sales take their discount off.
    pub fn for_page(cents: i64, currency: &str, settings: &PageSettings) -> PriceTag {
        use crate::money::{discounted, format_money};
        match settings {
            PageSettings::FlashSale(s) => PriceTag {
                now: format_money(discounted(cents, s.discount_percentage), currency),
                was: s.original_price_display.then(|| format_money(cents, currency)),
            },
            _ => PriceTag { now: format_money(cents, currency), was: None },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::PriceTag;
    use crate::pages::settings::*;

    #[test]
    fn flash_sales_take_their_discount_off_and_may_show_the_original() {
        let mut sale = FlashSaleSettings {
            sale_end_time: chrono::Utc::now(),
            discount_percentage: 20,
            original_price_display: true,
            inventory_limit: 10,
            sold_out_action: SoldOutAction::ShowMessage,
            post_sale_redirect_url: None,
            hold_minutes: None,
        };
        let tag = PriceTag::for_page(4900, "USD", &PageSettings::FlashSale(sale.clone()));
        assert_eq!(tag, PriceTag { now: "$39.20".into(), was: Some("$49.00".into()) });
        sale.original_price_display = false;
        assert_eq!(PriceTag::for_page(4900, "USD", &PageSettings::FlashSale(sale)).was, None);
    }
}
