//! The page as built for visitors ([`PageSource`]), from its row or from the editor's unsaved
//! form, and what each moment of its life shows of it ([`PageSource::view_at`]).

use super::model::{BuyButton, EventTimes, LiveFacts, PhaseContent, PriceTag, PublicItem, PublicPage};
use crate::db_read;
use crate::error::AppError;
use crate::infra::db::prelude::*;
use crate::infra::db::schema::{files, products};
use crate::infra::db::{Db, DbError};
use crate::infra::storage::ObjectKey;
use crate::pages::blocks::ContentKind;
use crate::pages::customization::Customization;
use crate::pages::phase::{EndReason, PageClock, Phase, phase};
use crate::pages::settings::*;
use crate::products::model::ProductStatus;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// Everything the server knows about a page for its visitors, parsed once (this is what the
/// cache keeps). A visitor never gets it whole: [`PageSource::view_at`] cuts out what the phase
/// of that moment shows.
#[derive(Clone, Debug, PartialEq)]
pub struct PageSource {
    pub short_id: String,
    pub settings: PageSettings,
    pub look: Customization,
    pub hero_image_url: Option<String>,
    pub og_image: Option<String>,
    pub body_html: String,
    pub items: Vec<PublicItem>,
    /// What is left of a flash sale's inventory or an offer's quantity, or an event's seats.
    pub remaining: Option<u32>,
    /// Units of a sale or offer that are sold (paid): only these make it sold out. Units held in
    /// open checkouts are taken but may come back.
    pub sold: Option<u32>,
    /// When the first open checkout's hold lapses, while every unit left is held.
    pub held_until: Option<DateTime<Utc>>,
    pub event_times: Option<EventTimes>,
    /// The times and switch that decide the phase.
    pub clock: PageClock,
    /// The "Made with Flashpage" line: on unless the organization's plan has `customBranding`.
    pub made_with: bool,
}

impl PageSource {
    /// A sale or offer whose every unit is sold is over (the phase function's `sold_out`). Units
    /// only held in checkouts never end it: a hold that lapses puts its unit back on sale.
    pub fn sold_out(&self) -> bool {
        matches!((self.settings.stock_limit(), self.sold), (Some(limit), Some(sold)) if sold >= limit)
    }

    pub fn phase_at(&self, now: DateTime<Utc>) -> Phase {
        phase(&self.clock, now, self.sold_out())
    }

    /// The page as a visitor at `now` sees it: its face, and the content of that moment's phase.
    pub fn view_at(&self, now: DateTime<Utc>) -> PublicPage {
        let current = self.phase_at(now);
        let look = &self.look;
        let notify_label = || look.button_label.clone();
        let content = match current {
            Phase::Scheduled { .. } => PhaseContent::Scheduled { notify_me: look.notify_me.then(notify_label) },
            Phase::Live { .. } => PhaseContent::Live { facts: self.live_facts(now), body_html: self.body_html.clone(), items: self.items.clone() },
            Phase::Ended { reason } => {
                let (title, text) = ended_message(reason, &self.settings);
                let show_form = matches!(&self.settings, PageSettings::Countdown(s) if s.post_countdown_action == PostCountdownAction::ShowForm);
                PhaseContent::Ended { title, text, redirect_to: ended_redirect(&self.settings), notify_me: show_form.then(notify_label) }
            }
            Phase::Inactive => PhaseContent::Inactive,
        };
        PublicPage {
            short_id: self.short_id.clone(),
            page_type: self.settings.page_type(),
            headline: look.headline.clone(),
            description: look.description.clone(),
            accent_color: look.accent_color.clone(),
            background_color: look.background_color.clone(),
            hero_image_url: self.hero_image_url.clone(),
            hero_alt: look.hero_alt.clone(),
            og_image: self.og_image.clone(),
            server_now: now,
            phase: current,
            content,
            preview: false,
            made_with: self.made_with,
            sandbox: false,
        }
    }

    fn live_facts(&self, now: DateTime<Utc>) -> LiveFacts {
        // Every unit left is in someone's checkout: how many minutes until the first may come back.
        let back_in = match (self.remaining, self.held_until) {
            (Some(0), Some(until)) => Some(crate::orders::backend::stock::minutes_until(until, now)),
            _ => None,
        };
        match &self.settings {
            PageSettings::Countdown(_) => LiveFacts::Countdown,
            PageSettings::FlashSale(s) => LiveFacts::Sale {
                discount_percentage: s.discount_percentage,
                remaining: self.remaining.unwrap_or(s.inventory_limit),
                limit: s.inventory_limit,
                back_in,
            },
            PageSettings::LimitedOffer(s) => LiveFacts::Offer {
                discount_code: s.discount_code.clone(),
                bonus: s.bonus_description.clone(),
                remaining: self.remaining.unwrap_or(s.limited_quantity),
                limit: s.limited_quantity,
                back_in,
            },
            PageSettings::EventRegistration(s) => LiveFacts::Event {
                times: self.event_times.clone().unwrap_or(EventTimes { range: String::new(), zone: s.time_zone.clone() }),
                starts_at: s.event_start_time,
                ends_at: s.event_end_time,
                place: match s.event_location {
                    EventLocation::Physical => s.physical_address.clone().unwrap_or_default(),
                    EventLocation::Virtual => "Online".to_string(),
                },
                seats: crate::registrations::model::Seats {
                    capacity: s.max_attendees,
                    taken: s.max_attendees.saturating_sub(self.remaining.unwrap_or(s.max_attendees)),
                    waitlist_enabled: s.waitlist_enabled,
                },
                form: s.form(),
            },
        }
    }
}

/// What an ended page says, by kind and by why it ended.
fn ended_message(reason: EndReason, settings: &PageSettings) -> (String, String) {
    match settings {
        PageSettings::Countdown(s) => match s.post_countdown_action {
            PostCountdownAction::ShowMessage | PostCountdownAction::ShowForm => {
                (s.message_title.clone().unwrap_or_else(|| "We're live!".into()), s.message_content.clone().unwrap_or_default())
            }
            PostCountdownAction::Redirect => ("Taking you there…".into(), String::new()),
        },
        PageSettings::FlashSale(_) => match reason {
            EndReason::SoldOut => ("Sold out".into(), "Every item of this sale has found a home.".into()),
            EndReason::TimeUp => ("This sale has ended".into(), "Thanks for stopping by.".into()),
        },
        PageSettings::EventRegistration(_) => ("This event has ended".into(), "Thanks to everyone who came.".into()),
        PageSettings::LimitedOffer(s) => {
            (s.alternate_title.clone().unwrap_or_else(|| "This offer has ended".into()), s.alternate_content.clone().unwrap_or_default())
        }
    }
}

/// Where an ended page sends its visitors, when its action is a redirect.
fn ended_redirect(settings: &PageSettings) -> Option<String> {
    match settings {
        PageSettings::Countdown(s) if s.post_countdown_action == PostCountdownAction::Redirect => s.redirect_url.clone(),
        PageSettings::FlashSale(s) if s.sold_out_action == SoldOutAction::Redirect => s.post_sale_redirect_url.clone(),
        PageSettings::LimitedOffer(s) if s.post_offer_action == PostOfferAction::Redirect => s.redirect_url.clone(),
        _ => None,
    }
}

/// A page's source from its parts (stored, or the editor's unsaved form for the preview).
pub async fn assemble(
    db: &Db,
    public_url: &str,
    page_id: &str,
    short_id: &str,
    settings: PageSettings,
    look: &Customization,
    (launch_at, expires_at): (Option<DateTime<Utc>>, Option<DateTime<Utc>>),
) -> Result<PageSource, AppError> {
    let hero = look.hero_image.as_deref().and_then(ObjectKey::parse_page_asset);
    let clock = PageClock { is_active: true, launch_at, expires_at, end_time: settings.end_time() };
    let stock = stock(db, page_id, &settings).await?;
    Ok(PageSource {
        short_id: short_id.to_string(),
        hero_image_url: hero.as_ref().map(|k| k.public_path()),
        og_image: hero.as_ref().map(|k| format!("{public_url}{}", k.public_path())),
        body_html: render_markdown(&look.body),
        items: public_items(db, page_id, &settings).await?,
        remaining: stock.remaining,
        sold: stock.sold,
        held_until: stock.held_until,
        event_times: event_times(&settings),
        made_with: !crate::plans::backend::store::page_has_custom_branding(db, page_id).await?,
        look: look.clone(),
        settings,
        clock,
    })
}

/// The page's blocks with prices worked out for this kind of page. A product block shows its
/// product (name and description unless the block words them, price, a Buy form) while the
/// product can be bought and has its file; otherwise it is left out.
pub async fn public_items(db: &Db, page_id: &str, settings: &PageSettings) -> Result<Vec<PublicItem>, AppError> {
    let items = crate::pages::backend::block_store::list(db, page_id).await?;
    let ids: Vec<&str> = items.iter().filter_map(|i| i.product_id.as_deref()).collect();
    let for_sale = if ids.is_empty() { HashMap::new() } else { products_for_sale(db, &ids).await? };
    Ok(items
        .into_iter()
        .filter_map(|item| {
            let price = |cents: i64, currency: &str| Some(PriceTag::for_page(cents, currency, settings));
            Some(match item.kind {
                ContentKind::Product => {
                    let product = for_sale.get(item.product_id.as_deref()?)?;
                    PublicItem {
                        kind: item.kind,
                        price: price(product.price_minor, &product.currency),
                        title: if item.title.is_empty() { product.name.clone() } else { item.title },
                        description: if item.description.is_empty() { product.description.clone() } else { item.description },
                        buy: Some(BuyButton {
                            item_id: item.id,
                            amount: match settings {
                                PageSettings::FlashSale(s) => crate::money::discounted(product.price_minor, s.discount_percentage),
                                _ => product.price_minor,
                            },
                            currency: product.currency.clone(),
                            asks_code: matches!(settings, PageSettings::LimitedOffer(s) if s.discount_code.is_some()),
                        }),
                        sample: product.sample.clone(),
                    }
                }
                _ => PublicItem {
                    kind: item.kind,
                    price: match (item.price_minor, item.currency.as_deref()) {
                        (Some(cents), Some(currency)) => price(cents, currency),
                        _ => None,
                    },
                    title: item.title,
                    description: item.description,
                    buy: None,
                    sample: None,
                },
            })
        })
        .collect())
}

/// A product as a page shows it.
struct ProductOnPage {
    name: String,
    description: String,
    price_minor: i64,
    currency: String,
    sample: Option<crate::products::model::Sample>,
}

/// Of these products, those a visitor can buy now (switched on, not expired, with a file).
async fn products_for_sale(db: &Db, ids: &[&str]) -> Result<HashMap<String, ProductOnPage>, AppError> {
    /// A product as stored, with what decides whether it can be bought now.
    #[derive(diesel::Queryable, diesel::Selectable)]
    #[diesel(table_name = products)]
    struct Row {
        id: String,
        name: String,
        description: String,
        price_minor: i64,
        currency: String,
        is_active: bool,
        expires_at: Option<chrono::NaiveDateTime>,
        sample_key: Option<String>,
        sample_type: Option<String>,
    }
    let rows: Vec<Row> = db_read!(db, conn => {
        Ok::<_, DbError>(products::table
            .filter(products::id.eq_any(ids))
            .filter(diesel::dsl::exists(files::table.filter(files::product_id.eq(products::id))))
            .select(Row::as_select())
            .load::<Row>(conn)
            .await?)
    })?;
    let now = Utc::now();
    Ok(rows
        .into_iter()
        .filter(|r| ProductStatus::of(r.is_active, r.expires_at.map(|t| t.and_utc()), now).buyable())
        .map(|r| {
            let sample = crate::products::backend::store::sample_of(r.sample_key.as_deref(), r.sample_type.as_deref());
            (r.id, ProductOnPage { name: r.name, description: r.description, price_minor: r.price_minor, currency: r.currency, sample })
        })
        .collect())
}

/// A page's stock as visitors see it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stock {
    /// What is left of a sale's or offer's quantity: the limit less the orders that take a unit
    /// (the count checkout holds against). For an event, the seats left: its capacity less the
    /// registered people (the count that registration holds against).
    pub remaining: Option<u32>,
    /// A sale's or offer's units sold (paid).
    pub sold: Option<u32>,
    /// While nothing is left but some units are only held: when the first hold lapses.
    pub held_until: Option<DateTime<Utc>>,
}

/// The page's [`Stock`] now.
pub async fn stock(db: &Db, page_id: &str, settings: &PageSettings) -> Result<Stock, AppError> {
    if let PageSettings::EventRegistration(s) = settings {
        let taken = crate::registrations::backend::store::registered(db, page_id).await?;
        return Ok(Stock { remaining: Some(s.max_attendees.saturating_sub(taken)), ..Stock::default() });
    }
    let Some(limit) = settings.stock_limit() else { return Ok(Stock::default()) };
    let standing = crate::orders::backend::stock::standing(db, page_id, Utc::now()).await?;
    let remaining = limit.saturating_sub(standing.taken);
    Ok(Stock { remaining: Some(remaining), sold: Some(standing.sold), held_until: if remaining == 0 { standing.next_release } else { None } })
}

/// Markdown to HTML, then through ammonia's allow-list: no scripts, no event handlers, no
/// `javascript:` links, whatever the creator (or someone who took over their account) typed.
pub fn render_markdown(markdown: &str) -> String {
    let parser = pulldown_cmark::Parser::new_ext(markdown, pulldown_cmark::Options::ENABLE_STRIKETHROUGH);
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, parser);
    ammonia::Builder::default().link_rel(Some("noopener noreferrer nofollow")).clean(&html).to_string()
}

/// Event times in the event's zone, e.g. "Tuesday 1 December 2026, 11:00 – 13:00" and "Europe/Paris (CET)".
fn event_times(settings: &PageSettings) -> Option<EventTimes> {
    let PageSettings::EventRegistration(s) = settings else { return None };
    let tz: chrono_tz::Tz = s.time_zone.parse().unwrap_or(chrono_tz::UTC);
    Some(EventTimes {
        range: crate::pages::event_time::time_range(s.event_start_time.with_timezone(&tz), s.event_end_time.with_timezone(&tz)),
        zone: format!("{} ({})", s.time_zone, s.event_start_time.with_timezone(&tz).format("%Z")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_is_sanitised() {
        let html =
            render_markdown("# Hi\n\n**bold** [ok](https://example.com) [bad](javascript:alert(1))\n\n<script>alert(1)</script><img src=x onerror=alert(1)>");
        assert!(html.contains("<h1>Hi</h1>"));
        assert!(html.contains("<strong>bold</strong>"));
        assert!(html.contains(r#"href="https://example.com""#));
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
    }
}
