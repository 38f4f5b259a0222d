//! What a visitor's browser receives about a public page.

use crate::pages::phase::PageClock;
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

/// A start–end range in one zone, naming the date once when both fall on the same day, and the
/// zone's abbreviation on both ends when a DST change falls in between (02:30 CEST – 02:30 CET).
pub fn time_range<Tz: chrono::TimeZone>(start: DateTime<Tz>, end: DateTime<Tz>) -> String
where
    Tz::Offset: std::fmt::Display,
{
    use chrono::Offset;
    let dst_change = start.offset().fix() != end.offset().fix();
    let (day, time) = if dst_change { ("%A %-d %B %Y, %H:%M %Z", "%H:%M %Z") } else { ("%A %-d %B %Y, %H:%M", "%H:%M") };
    if start.date_naive() == end.date_naive() {
        format!("{} – {}", start.format(day), end.format(time))
    } else {
        format!("{} – {}", start.format(day), end.format(day))
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PublicPage {
    pub short_id: String,
    pub page_type: PageType,
    pub headline: String,
    pub description: String,
    /// Markdown rendered and sanitised on the server.
    pub body_html: String,
    pub accent_color: String,
    pub background_color: String,
    pub button_label: String,
    /// Offer the "notify me" sign-up while scheduled.
    pub notify_me: bool,
    /// The settings JSON with the seed's field names; parsed on both sides.
    pub settings_json: String,
    pub launch_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub event_times: Option<EventTimes>,
    /// The server's clock when it answered: the browser corrects its own clock by it.
    pub server_now: DateTime<Utc>,
    pub hero_image_url: Option<String>,
    pub hero_alt: String,
    /// The hero image's absolute URL, for link previews.
    pub og_image: Option<String>,
    /// Content blocks in the creator's order, prices already worked out for this page.
    pub items: Vec<PublicItem>,
    /// What is left of a flash sale's inventory or an offer's quantity.
    pub remaining: Option<u32>,
    /// Shown in the editor's preview: no redirects, no sign-ups.
    #[serde(default)]
    pub preview: bool,
}

/// A content block as visitors see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicItem {
    pub kind: crate::pages::blocks::ContentKind,
    pub title: String,
    pub description: String,
    pub price: Option<PriceTag>,
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

impl PublicPage {
    pub fn settings(&self) -> Option<PageSettings> {
        PageSettings::from_json(self.page_type, &self.settings_json).ok()
    }

    /// A page is only ever sent to visitors while it is switched on.
    /// A sale or offer with nothing left is over (the phase function's `sold_out`).
    pub fn sold_out(&self) -> bool {
        self.remaining == Some(0)
    }

    pub fn clock(&self, settings: &PageSettings) -> PageClock {
        PageClock { is_active: true, launch_at: self.launch_at, expires_at: self.expires_at, end_time: settings.end_time() }
    }
}

#[cfg(test)]
mod tests {
    use super::{PriceTag, time_range};
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
        };
        let tag = PriceTag::for_page(4900, "USD", &PageSettings::FlashSale(sale.clone()));
        assert_eq!(tag, PriceTag { now: "$39.20".into(), was: Some("$49.00".into()) });
        sale.original_price_display = false;
        assert_eq!(PriceTag::for_page(4900, "USD", &PageSettings::FlashSale(sale)).was, None);
    }
    use chrono::{TimeZone, Utc};

    #[test]
    fn ranges_name_the_date_once_per_day() {
        let a = Utc.with_ymd_and_hms(2026, 12, 3, 21, 0, 0).single().expect("valid");
        assert_eq!(time_range(a, a + chrono::Duration::minutes(90)), "Thursday 3 December 2026, 21:00 – 22:30");
        assert_eq!(time_range(a, a + chrono::Duration::hours(4)), "Thursday 3 December 2026, 21:00 – Friday 4 December 2026, 01:00");
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn ranges_across_a_dst_change_use_each_instants_own_offset() {
        // Paris leaves summer time at 01:00 UTC on 25 October 2026: 00:30 UTC is 02:30 CEST and
        // 01:30 UTC is 02:30 CET, the same wall-clock time an hour apart.
        let paris = chrono_tz::Europe::Paris;
        let start = Utc.with_ymd_and_hms(2026, 10, 25, 0, 30, 0).single().expect("valid").with_timezone(&paris);
        let end = Utc.with_ymd_and_hms(2026, 10, 25, 1, 30, 0).single().expect("valid").with_timezone(&paris);
        assert_eq!(time_range(start, end), "Sunday 25 October 2026, 02:30 CEST – 02:30 CET");
        assert_eq!(start.format("%Z").to_string(), "CEST");
        assert_eq!(end.format("%Z").to_string(), "CET");
    }
}
