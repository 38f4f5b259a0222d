//! The editor's form: every field a flat string, as browsers post them (with or without
//! JavaScript). The server turns it into typed settings and customization (see
//! `pages::backend::form`) and reports errors under the same camelCase keys.

use serde::{Deserialize, Serialize};

/// Zones offered in the editor; any IANA name is accepted from a client that sends one.
pub const COMMON_TIME_ZONES: &[&str] = &[
    "UTC",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Lisbon",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Amsterdam",
    "Europe/Stockholm",
    "Europe/Warsaw",
    "Europe/Athens",
    "Europe/Istanbul",
    "Africa/Lagos",
    "Africa/Johannesburg",
    "Africa/Nairobi",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Asia/Seoul",
    "Australia/Sydney",
    "Pacific/Auckland",
    "America/Sao_Paulo",
    "America/Mexico_City",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/New_York",
    "America/Toronto",
    "America/Vancouver",
];

/// One question of an event's registration form, as the editor posts it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct QuestionForm {
    /// Kept across edits so that stored answers stay with their question.
    pub id: Option<String>,
    pub label: Option<String>,
    pub kind: Option<String>,
    pub required: Option<String>,
    /// One choice per line.
    pub options: Option<String>,
    pub link: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PageForm {
    // Look
    pub headline: Option<String>,
    pub description: Option<String>,
    pub body: Option<String>,
    pub accent_color: Option<String>,
    pub background_color: Option<String>,
    pub button_label: Option<String>,
    pub notify_me: Option<String>,
    pub hero_alt: Option<String>,
    // Schedule: `datetime-local` values, read in `timeZone`
    pub time_zone: Option<String>,
    pub launch_at: Option<String>,
    pub expires_at: Option<String>,
    // Countdown
    pub countdown_target: Option<String>,
    pub post_countdown_action: Option<String>,
    pub redirect_url: Option<String>,
    pub message_title: Option<String>,
    pub message_content: Option<String>,
    // Flash sale
    pub sale_end_time: Option<String>,
    pub discount_percentage: Option<String>,
    pub original_price_display: Option<String>,
    pub inventory_limit: Option<String>,
    pub sold_out_action: Option<String>,
    pub post_sale_redirect_url: Option<String>,
    // Event
    pub event_start_time: Option<String>,
    pub event_end_time: Option<String>,
    pub event_location: Option<String>,
    pub physical_address: Option<String>,
    pub virtual_platform: Option<String>,
    pub platform_link: Option<String>,
    pub max_attendees: Option<String>,
    pub waitlist_enabled: Option<String>,
    pub phone_field: Option<String>,
    pub registrations_per_minute: Option<String>,
    /// The registration form's questions, one row each (blank rows are ignored).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub questions: Vec<QuestionForm>,
    // Limited offer
    pub offer_end_time: Option<String>,
    pub discount_code: Option<String>,
    pub bonus_description: Option<String>,
    pub limited_quantity: Option<String>,
    pub post_offer_action: Option<String>,
    pub alternate_title: Option<String>,
    pub alternate_content: Option<String>,
    // Selling pages
    pub code_discount_percentage: Option<String>,
    pub code_uses: Option<String>,
    pub hold_minutes: Option<String>,
}

impl PageForm {
    /// Every field's camelCase key (the browser's field names are `form[key]`).
    pub const KEYS: &'static [&'static str] = &[
        "headline",
        "description",
        "body",
        "accentColor",
        "backgroundColor",
        "buttonLabel",
        "notifyMe",
        "heroAlt",
        "timeZone",
        "launchAt",
        "expiresAt",
        "countdownTarget",
        "postCountdownAction",
        "redirectUrl",
        "messageTitle",
        "messageContent",
        "saleEndTime",
        "discountPercentage",
        "originalPriceDisplay",
        "inventoryLimit",
        "soldOutAction",
        "postSaleRedirectUrl",
        "eventStartTime",
        "eventEndTime",
        "eventLocation",
        "physicalAddress",
        "virtualPlatform",
        "platformLink",
        "maxAttendees",
        "waitlistEnabled",
        "phoneField",
        "registrationsPerMinute",
        "offerEndTime",
        "discountCode",
        "bonusDescription",
        "limitedQuantity",
        "postOfferAction",
        "alternateTitle",
        "alternateContent",
        "codeDiscountPercentage",
        "codeUses",
        "holdMinutes",
    ];

    /// A field's current value by its camelCase key, for pre-filling inputs.
    pub fn value(&self, key: &str) -> String {
        let v = match key {
            "headline" => &self.headline,
            "description" => &self.description,
            "body" => &self.body,
            "accentColor" => &self.accent_color,
            "backgroundColor" => &self.background_color,
            "buttonLabel" => &self.button_label,
            "notifyMe" => &self.notify_me,
            "heroAlt" => &self.hero_alt,
            "timeZone" => &self.time_zone,
            "launchAt" => &self.launch_at,
            "expiresAt" => &self.expires_at,
            "countdownTarget" => &self.countdown_target,
            "postCountdownAction" => &self.post_countdown_action,
            "redirectUrl" => &self.redirect_url,
            "messageTitle" => &self.message_title,
            "messageContent" => &self.message_content,
            "saleEndTime" => &self.sale_end_time,
            "discountPercentage" => &self.discount_percentage,
            "originalPriceDisplay" => &self.original_price_display,
            "inventoryLimit" => &self.inventory_limit,
            "soldOutAction" => &self.sold_out_action,
            "postSaleRedirectUrl" => &self.post_sale_redirect_url,
            "eventStartTime" => &self.event_start_time,
            "eventEndTime" => &self.event_end_time,
            "eventLocation" => &self.event_location,
            "physicalAddress" => &self.physical_address,
            "virtualPlatform" => &self.virtual_platform,
            "platformLink" => &self.platform_link,
            "maxAttendees" => &self.max_attendees,
            "waitlistEnabled" => &self.waitlist_enabled,
            "phoneField" => &self.phone_field,
            "registrationsPerMinute" => &self.registrations_per_minute,
            "offerEndTime" => &self.offer_end_time,
            "discountCode" => &self.discount_code,
            "bonusDescription" => &self.bonus_description,
            "limitedQuantity" => &self.limited_quantity,
            "postOfferAction" => &self.post_offer_action,
            "alternateTitle" => &self.alternate_title,
            "alternateContent" => &self.alternate_content,
            "codeDiscountPercentage" => &self.code_discount_percentage,
            "codeUses" => &self.code_uses,
            "holdMinutes" => &self.hold_minutes,
            _ => &None,
        };
        v.clone().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::PageForm;

    #[test]
    fn keys_name_every_field_exactly_once() {
        let all: serde_json::Map<String, serde_json::Value> =
            PageForm::KEYS.iter().map(|k| (k.to_string(), serde_json::Value::String(k.to_string()))).collect();
        let form: PageForm = serde_json::from_value(serde_json::Value::Object(all)).expect("every key is a field");
        for key in PageForm::KEYS {
            assert_eq!(form.value(key), *key, "{key} reads back");
        }
        let fields = serde_json::to_value(&form).expect("json").as_object().expect("object").len();
        assert_eq!(fields, PageForm::KEYS.len(), "no field is missing from KEYS (questions, empty here, are not a flat key)");
    }
}
