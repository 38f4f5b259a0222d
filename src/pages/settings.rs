//! Page kinds and their typed settings, stored as the seed's JSON (same field names).
//!
//! The seed's four settings shapes are kept field for field. Where a post-action needs data the seed
//! does not name, a field is added next to it (`timeZone` for events, `redirectUrl` and
//! `alternateTitle`/`alternateContent` for limited offers); unknown fields are refused so that a
//! typo never silently disappears.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PageType {
    Countdown,
    FlashSale,
    EventRegistration,
    LimitedOffer,
}

impl PageType {
    pub const ALL: [PageType; 4] = [PageType::Countdown, PageType::FlashSale, PageType::EventRegistration, PageType::LimitedOffer];

    /// The value stored in `pages.type`.
    pub fn as_str(self) -> &'static str {
        match self {
            PageType::Countdown => "countdown",
            PageType::FlashSale => "flash-sale",
            PageType::EventRegistration => "event-registration",
            PageType::LimitedOffer => "limited-offer",
        }
    }

    pub fn parse(s: &str) -> Option<PageType> {
        PageType::ALL.into_iter().find(|t| t.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            PageType::Countdown => "Countdown launch",
            PageType::FlashSale => "Flash sale",
            PageType::EventRegistration => "Event registration",
            PageType::LimitedOffer => "Limited-time offer",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PostCountdownAction {
    Redirect,
    ShowMessage,
    ShowForm,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CountdownSettings {
    pub countdown_target: DateTime<Utc>,
    pub post_countdown_action: PostCountdownAction,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_content: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SoldOutAction {
    Redirect,
    ShowMessage,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FlashSaleSettings {
    pub sale_end_time: DateTime<Utc>,
    pub discount_percentage: u8,
    pub original_price_display: bool,
    pub inventory_limit: u32,
    pub sold_out_action: SoldOutAction,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_sale_redirect_url: Option<String>,
    /// How long a buyer's unit is held while they pay (default [`DEFAULT_HOLD_MINUTES`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold_minutes: Option<u16>,
}

/// How long checkout holds a unit for a buyer unless the page says otherwise (Hi.Events: 15).
pub const DEFAULT_HOLD_MINUTES: u16 = 15;
/// The longest hold a page may set (Hi.Events allows 120).
pub const MAX_HOLD_MINUTES: u16 = 120;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventLocation {
    Virtual,
    Physical,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VirtualPlatform {
    Zoom,
    Meet,
    Teams,
    Custom,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EventRegistrationSettings {
    pub event_start_time: DateTime<Utc>,
    pub event_end_time: DateTime<Utc>,
    /// IANA zone the event happens in ("Europe/Paris"); times are shown in it and in the visitor's.
    pub time_zone: String,
    pub event_location: EventLocation,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub physical_address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub virtual_platform: Option<VirtualPlatform>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform_link: Option<String>,
    pub max_attendees: u32,
    pub waitlist_enabled: bool,
    /// Whether the registration form asks for a phone number.
    #[serde(default, skip_serializing_if = "is_default")]
    pub phone_field: crate::pages::questions::PhoneField,
    /// The creator's own questions (seed `customFields` of a registration).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub custom_fields: Vec<crate::pages::questions::CustomField>,
    /// How many registrations the page takes per minute, a brake on scripted sign-ups (default
    /// [`DEFAULT_REGISTRATIONS_PER_MINUTE`]); refusals are counted for the creator to see.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registrations_per_minute: Option<u32>,
}

/// Generous for a real rush (a thousand seats gone in a minute), a wall for a script.
pub const DEFAULT_REGISTRATIONS_PER_MINUTE: u32 = 1200;

fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

impl EventRegistrationSettings {
    /// The registration form this page shows.
    pub fn form(&self) -> crate::pages::questions::FormConfig {
        crate::pages::questions::FormConfig { phone: self.phone_field, fields: self.custom_fields.clone() }
    }

    pub fn registrations_per_minute(&self) -> u32 {
        self.registrations_per_minute.unwrap_or(DEFAULT_REGISTRATIONS_PER_MINUTE)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PostOfferAction {
    Redirect,
    ShowAlternate,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LimitedOfferSettings {
    pub offer_end_time: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bonus_description: Option<String>,
    pub limited_quantity: u32,
    pub post_offer_action: PostOfferAction,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alternate_title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alternate_content: Option<String>,
    /// What the discount code takes off, in percent (0: the code only unlocks the bonus).
    #[serde(default)]
    pub code_discount_percentage: u8,
    /// How many orders may use the code (none: as many as the quantity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_uses: Option<u32>,
    /// See [`FlashSaleSettings::hold_minutes`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold_minutes: Option<u16>,
}

/// A page's settings, one variant per kind. Serialised without a tag: the kind lives in `pages.type`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PageSettings {
    Countdown(CountdownSettings),
    FlashSale(FlashSaleSettings),
    EventRegistration(EventRegistrationSettings),
    LimitedOffer(LimitedOfferSettings),
}

impl PageSettings {
    pub fn page_type(&self) -> PageType {
        match self {
            PageSettings::Countdown(_) => PageType::Countdown,
            PageSettings::FlashSale(_) => PageType::FlashSale,
            PageSettings::EventRegistration(_) => PageType::EventRegistration,
            PageSettings::LimitedOffer(_) => PageType::LimitedOffer,
        }
    }

    /// When the page's main moment is over: the countdown target, the sale's or offer's end, or the
    /// event's end.
    pub fn end_time(&self) -> DateTime<Utc> {
        match self {
            PageSettings::Countdown(s) => s.countdown_target,
            PageSettings::FlashSale(s) => s.sale_end_time,
            PageSettings::EventRegistration(s) => s.event_end_time,
            PageSettings::LimitedOffer(s) => s.offer_end_time,
        }
    }

    /// Parses the settings JSON of a page of the given kind. The error reads well in a form.
    /// How long checkout holds a unit on this page; `None` for pages that sell nothing.
    pub fn hold_minutes(&self) -> Option<u16> {
        match self {
            PageSettings::FlashSale(s) => Some(s.hold_minutes.unwrap_or(DEFAULT_HOLD_MINUTES)),
            PageSettings::LimitedOffer(s) => Some(s.hold_minutes.unwrap_or(DEFAULT_HOLD_MINUTES)),
            _ => None,
        }
    }

    /// How many units the page sells; `None` for pages that sell nothing.
    pub fn stock_limit(&self) -> Option<u32> {
        match self {
            PageSettings::FlashSale(s) => Some(s.inventory_limit),
            PageSettings::LimitedOffer(s) => Some(s.limited_quantity),
            _ => None,
        }
    }

    pub fn from_json(page_type: PageType, json: &str) -> Result<PageSettings, String> {
        fn parse<T: for<'de> Deserialize<'de>>(json: &str) -> Result<T, String> {
            serde_json::from_str(json).map_err(|e| format!("The settings could not be read: {e}."))
        }
        Ok(match page_type {
            PageType::Countdown => PageSettings::Countdown(parse(json)?),
            PageType::FlashSale => PageSettings::FlashSale(parse(json)?),
            PageType::EventRegistration => PageSettings::EventRegistration(parse(json)?),
            PageType::LimitedOffer => PageSettings::LimitedOffer(parse(json)?),
        })
    }

    pub fn to_json(&self) -> String {
        let value = match self {
            PageSettings::Countdown(s) => serde_json::to_string(s),
            PageSettings::FlashSale(s) => serde_json::to_string(s),
            PageSettings::EventRegistration(s) => serde_json::to_string(s),
            PageSettings::LimitedOffer(s) => serde_json::to_string(s),
        };
        value.unwrap_or_else(|_| "{}".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_json_parses_with_the_seed_field_names() {
        let countdown = r#"{"countdownTarget":"2026-12-01T10:00:00Z","postCountdownAction":"redirect","redirectUrl":"https://example.com/destination","messageTitle":"We're live!","messageContent":"The wait is over..."}"#;
        let flash = r#"{"saleEndTime":"2026-12-01T10:00:00Z","discountPercentage":20,"originalPriceDisplay":true,"inventoryLimit":100,"soldOutAction":"redirect","postSaleRedirectUrl":"https://example.com/expired"}"#;
        let event = r#"{"eventStartTime":"2026-12-01T10:00:00Z","eventEndTime":"2026-12-01T12:00:00Z","timeZone":"Europe/Paris","eventLocation":"virtual","physicalAddress":"123 Main St, City, Country","virtualPlatform":"zoom","platformLink":"https://zoom.us/j/123456","maxAttendees":500,"waitlistEnabled":true}"#;
        let offer = r#"{"offerEndTime":"2026-12-01T10:00:00Z","discountCode":"SPECIAL20","bonusDescription":"Free e-book with purchase","limitedQuantity":50,"postOfferAction":"redirect","redirectUrl":"https://example.com/next"}"#;
        for (kind, json) in
            [(PageType::Countdown, countdown), (PageType::FlashSale, flash), (PageType::EventRegistration, event), (PageType::LimitedOffer, offer)]
        {
            let settings = PageSettings::from_json(kind, json).unwrap_or_else(|e| panic!("{kind:?}: {e}"));
            assert_eq!(settings.page_type(), kind);
            let again = PageSettings::from_json(kind, &settings.to_json()).expect("round trip");
            assert_eq!(again, settings);
        }
    }

    #[test]
    fn malformed_or_unknown_json_is_a_readable_error() {
        for bad in [
            "",
            "{",
            "[]",
            r#"{"countdownTarget":"tomorrow","postCountdownAction":"redirect"}"#,
            r#"{"countdownTarget":"2026-12-01T10:00:00Z","postCountdownAction":"explode"}"#,
            r#"{"countdownTarget":"2026-12-01T10:00:00Z","postCountdownAction":"redirect","typo":1}"#,
        ] {
            let err = PageSettings::from_json(PageType::Countdown, bad).unwrap_err();
            assert!(err.starts_with("The settings could not be read"), "{bad}: {err}");
        }
        let negative =
            r#"{"saleEndTime":"2026-12-01T10:00:00Z","discountPercentage":-5,"originalPriceDisplay":true,"inventoryLimit":1,"soldOutAction":"redirect"}"#;
        assert!(PageSettings::from_json(PageType::FlashSale, negative).is_err());
    }

    #[test]
    fn type_names_round_trip() {
        for t in PageType::ALL {
            assert_eq!(PageType::parse(t.as_str()), Some(t));
        }
        assert_eq!(PageType::parse("webinar"), None);
    }
}
