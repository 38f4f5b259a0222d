//! The editor's flat form <-> typed settings and customization, on the server (it needs the tz
//! database). Times arrive as `datetime-local` values in the chosen zone and are stored in UTC.
//! A wall-clock time that does not exist (the hour skipped when clocks go forward) is refused with
//! a message; one that happens twice (when clocks go back) means its first occurrence.

use crate::editor::form::{PageForm, QuestionForm};
use crate::error::{AppError, FieldError};
use crate::pages::backend::writer::PageParts;
use crate::pages::customization::{Customization, validate_customization};
use crate::pages::questions::CustomField;
use crate::pages::settings::*;
use crate::pages::validation::validate_page;
use chrono::{DateTime, LocalResult, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::de::DeserializeOwned;

const LOCAL_FORMAT: &str = "%Y-%m-%dT%H:%M";

/// A `datetime-local` value for `t` in `tz`.
pub fn to_local_input(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format(LOCAL_FORMAT).to_string()
}

/// Reads a `datetime-local` value (or a full RFC 3339 time) in `tz`.
pub fn from_local_input(raw: &str, tz: Tz) -> Result<Option<DateTime<Utc>>, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Ok(Some(t.with_timezone(&Utc)));
    }
    let naive = NaiveDateTime::parse_from_str(raw, LOCAL_FORMAT)
        .or_else(|_| NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| "Enter a date and time.".to_string())?;
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(t) => Ok(Some(t.with_timezone(&Utc))),
        LocalResult::Ambiguous(first, _) => Ok(Some(first.with_timezone(&Utc))),
        LocalResult::None => Err(format!("That time doesn't exist in {tz}: the clocks skip it. Pick a time an hour later.")),
    }
}

struct Reader<'a> {
    form: &'a PageForm,
    tz: Tz,
    errors: Vec<FieldError>,
}

impl Reader<'_> {
    fn fail(&mut self, key: &str, message: impl Into<String>) {
        self.errors.push(FieldError { field: key.into(), message: message.into() });
    }
    fn text(&self, key: &str) -> Option<String> {
        let v = self.form.value(key);
        let v = v.trim();
        (!v.is_empty()).then(|| v.to_string())
    }
    fn time(&mut self, key: &str) -> Option<DateTime<Utc>> {
        match from_local_input(&self.form.value(key), self.tz) {
            Ok(t) => t,
            Err(m) => {
                self.fail(key, m);
                None
            }
        }
    }
    fn required_time(&mut self, key: &str) -> DateTime<Utc> {
        let t = self.time(key);
        if t.is_none() && !self.errors.iter().any(|e| e.field == key) {
            self.fail(key, "Enter a date and time.");
        }
        t.unwrap_or_default()
    }
    fn number<N: std::str::FromStr + Default>(&mut self, key: &str) -> N {
        match self.text(key).map(|v| v.parse::<N>()) {
            Some(Ok(n)) => n,
            _ => {
                self.fail(key, "Enter a whole number.");
                N::default()
            }
        }
    }
    /// A whole number, or `None` when the field is empty.
    fn optional_number<N: std::str::FromStr>(&mut self, key: &str) -> Option<N> {
        match self.text(key).map(|v| v.parse::<N>()) {
            None => None,
            Some(Ok(n)) => Some(n),
            Some(Err(_)) => {
                self.fail(key, "Enter a whole number, or leave it empty.");
                None
            }
        }
    }
    fn choice<E: DeserializeOwned>(&mut self, key: &str, fallback: E) -> E {
        match self.text(key).map(|v| serde_json::from_value::<E>(serde_json::Value::String(v))) {
            Some(Ok(e)) => e,
            _ => {
                self.fail(key, "Choose one of the options.");
                fallback
            }
        }
    }
    fn checked(&self, key: &str) -> bool {
        matches!(self.text(key).as_deref(), Some("on" | "true" | "1" | "yes"))
    }
}

/// The registration form's questions from the editor's rows: blank rows are dropped, choices are
/// one per line, and a row without a usable id (a new one) gets the next free `q{n}`.
fn questions_from_form(rows: &[QuestionForm], errors: &mut Vec<FieldError>) -> Vec<CustomField> {
    use crate::pages::questions::FieldKind;
    let usable = |id: &str| !id.is_empty() && id.len() <= 32 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    let mut taken: Vec<String> = rows.iter().filter_map(|q| q.id.clone()).filter(|id| usable(id)).collect();
    let mut out = Vec::new();
    for row in rows {
        let label = row.label.as_deref().unwrap_or("").trim().to_string();
        let options: Vec<String> = row.options.as_deref().unwrap_or("").lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect();
        if label.is_empty() && options.is_empty() {
            continue;
        }
        let Some(kind) = FieldKind::parse(row.kind.as_deref().unwrap_or("short-text")) else {
            errors.push(FieldError { field: "questions".into(), message: format!("Choose what kind of question \"{label}\" is.") });
            continue;
        };
        let id = match row.id.as_deref().filter(|id| usable(id)) {
            Some(id) if out.iter().all(|q: &CustomField| q.id != id) => id.to_string(),
            _ => {
                let fresh = (1..).map(|n| format!("q{n}")).find(|c| !taken.contains(c)).unwrap_or_default();
                taken.push(fresh.clone());
                fresh
            }
        };
        let link = row.link.as_deref().map(str::trim).filter(|l| !l.is_empty()).map(String::from);
        let required = matches!(row.required.as_deref(), Some("on" | "true" | "1" | "yes"));
        out.push(CustomField { id, label, kind, required, options: if kind.has_options() { options } else { Vec::new() }, link });
    }
    out
}

pub fn parts_from_form(kind: PageType, form: &PageForm, hero_image: Option<String>) -> Result<PageParts, AppError> {
    let zone_name = form.time_zone.clone().unwrap_or_else(|| "UTC".into());
    let mut errors = Vec::new();
    let tz: Tz = match zone_name.trim().parse() {
        Ok(tz) => tz,
        Err(_) => {
            errors.push(FieldError { field: "timeZone".into(), message: "Choose a time zone from the list.".into() });
            chrono_tz::UTC
        }
    };
    let mut r = Reader { form, tz, errors };
    let launch_at = r.time("launchAt");
    let expires_at = r.time("expiresAt");
    let settings = match kind {
        PageType::Countdown => PageSettings::Countdown(CountdownSettings {
            countdown_target: r.required_time("countdownTarget"),
            post_countdown_action: r.choice("postCountdownAction", PostCountdownAction::ShowMessage),
            redirect_url: r.text("redirectUrl"),
            message_title: r.text("messageTitle"),
            message_content: r.text("messageContent"),
        }),
        PageType::FlashSale => PageSettings::FlashSale(FlashSaleSettings {
            sale_end_time: r.required_time("saleEndTime"),
            discount_percentage: r.number("discountPercentage"),
            original_price_display: r.checked("originalPriceDisplay"),
            inventory_limit: r.number("inventoryLimit"),
            sold_out_action: r.choice("soldOutAction", SoldOutAction::ShowMessage),
            post_sale_redirect_url: r.text("postSaleRedirectUrl"),
            hold_minutes: r.optional_number("holdMinutes"),
        }),
        PageType::EventRegistration => PageSettings::EventRegistration(EventRegistrationSettings {
            event_start_time: r.required_time("eventStartTime"),
            event_end_time: r.required_time("eventEndTime"),
            time_zone: tz.name().to_string(),
            event_location: r.choice("eventLocation", EventLocation::Physical),
            physical_address: r.text("physicalAddress"),
            virtual_platform: r.text("virtualPlatform").and_then(|v| serde_json::from_value(serde_json::Value::String(v)).ok()),
            platform_link: r.text("platformLink"),
            max_attendees: r.number("maxAttendees"),
            waitlist_enabled: r.checked("waitlistEnabled"),
            phone_field: r.text("phoneField").map_or(Some(Default::default()), |v| crate::pages::questions::PhoneField::parse(&v)).unwrap_or_else(|| {
                r.errors.push(FieldError { field: "phoneField".into(), message: "Choose whether to ask for a phone number.".into() });
                Default::default()
            }),
            custom_fields: questions_from_form(&form.questions, &mut r.errors),
            registrations_per_minute: r.optional_number("registrationsPerMinute"),
        }),
        PageType::LimitedOffer => PageSettings::LimitedOffer(LimitedOfferSettings {
            offer_end_time: r.required_time("offerEndTime"),
            discount_code: r.text("discountCode"),
            bonus_description: r.text("bonusDescription"),
            limited_quantity: r.number("limitedQuantity"),
            post_offer_action: r.choice("postOfferAction", PostOfferAction::ShowAlternate),
            redirect_url: r.text("redirectUrl"),
            alternate_title: r.text("alternateTitle"),
            alternate_content: r.text("alternateContent"),
            code_discount_percentage: r.optional_number("codeDiscountPercentage").unwrap_or(0),
            code_uses: r.optional_number("codeUses"),
            hold_minutes: r.optional_number("holdMinutes"),
        }),
    };
    let customization = Customization {
        headline: r.text("headline").unwrap_or_default(),
        body: form.body.clone().unwrap_or_default(),
        description: r.text("description").unwrap_or_default(),
        accent_color: r.text("accentColor").unwrap_or_else(|| "#4f46e5".into()),
        background_color: r.text("backgroundColor").unwrap_or_else(|| "#ffffff".into()),
        button_label: r.text("buttonLabel").unwrap_or_default(),
        notify_me: r.checked("notifyMe"),
        time_zone: Some(tz.name().to_string()),
        hero_image,
        hero_alt: r.text("heroAlt").unwrap_or_default(),
    };
    let mut errors = r.errors;
    let parts = PageParts { settings, customization, launch_at, expires_at };
    if errors.is_empty() {
        // Cross-field rules only make sense once every field could be read.
        errors = validate_parts(&parts);
    } else if let Err(e) = validate_customization(&parts.customization) {
        errors.extend(e.fields.into_iter().filter(|f| !errors.iter().any(|x| x.field == f.field)).collect::<Vec<_>>());
    }
    if errors.is_empty() { Ok(parts) } else { Err(AppError::fields(errors)) }
}

/// The one check of a whole page, whichever way it arrived (the editor's form, the JSON API, the
/// preview): settings against the schedule, the look, and every time zone against the tz database.
pub fn validate_parts(parts: &PageParts) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if let Err(e) = validate_page(&parts.settings, parts.launch_at, parts.expires_at) {
        errors.extend(e.fields);
    }
    if let Err(e) = validate_customization(&parts.customization) {
        errors.extend(e.fields);
    }
    let zones = [
        parts.customization.time_zone.as_deref(),
        match &parts.settings {
            PageSettings::EventRegistration(s) => Some(s.time_zone.as_str()),
            _ => None,
        },
    ];
    if zones.into_iter().flatten().any(|zone| zone.parse::<Tz>().is_err()) && !errors.iter().any(|e| e.field == "timeZone") {
        errors.push(FieldError { field: "timeZone".into(), message: "That time zone is not known. Use a name like Europe/Paris.".into() });
    }
    errors
}

/// The form pre-filled from a stored page, times shown in the page's zone.
pub fn form_from_parts(settings: &PageSettings, look: &Customization, launch_at: Option<DateTime<Utc>>, expires_at: Option<DateTime<Utc>>) -> PageForm {
    let zone = match settings {
        PageSettings::EventRegistration(s) => Some(s.time_zone.clone()),
        _ => look.time_zone.clone(),
    }
    .unwrap_or_else(|| "UTC".into());
    let tz: Tz = zone.parse().unwrap_or(chrono_tz::UTC);
    let local = |t: DateTime<Utc>| Some(to_local_input(t, tz));
    let enum_text = |v: serde_json::Result<serde_json::Value>| v.ok().and_then(|v| v.as_str().map(String::from));
    let mut f = PageForm {
        headline: Some(look.headline.clone()),
        description: Some(look.description.clone()),
        body: Some(look.body.clone()),
        accent_color: Some(look.accent_color.clone()),
        background_color: Some(look.background_color.clone()),
        button_label: Some(look.button_label.clone()),
        notify_me: look.notify_me.then(|| "on".into()),
        hero_alt: Some(look.hero_alt.clone()),
        time_zone: Some(tz.name().to_string()),
        launch_at: launch_at.and_then(local),
        expires_at: expires_at.and_then(local),
        ..PageForm::default()
    };
    match settings {
        PageSettings::Countdown(s) => {
            f.countdown_target = local(s.countdown_target);
            f.post_countdown_action = enum_text(serde_json::to_value(s.post_countdown_action));
            f.redirect_url = s.redirect_url.clone();
            f.message_title = s.message_title.clone();
            f.message_content = s.message_content.clone();
        }
        PageSettings::FlashSale(s) => {
            f.sale_end_time = local(s.sale_end_time);
            f.discount_percentage = Some(s.discount_percentage.to_string());
            f.original_price_display = s.original_price_display.then(|| "on".into());
            f.inventory_limit = Some(s.inventory_limit.to_string());
            f.sold_out_action = enum_text(serde_json::to_value(s.sold_out_action));
            f.post_sale_redirect_url = s.post_sale_redirect_url.clone();
            f.hold_minutes = s.hold_minutes.map(|m| m.to_string());
        }
        PageSettings::EventRegistration(s) => {
            f.event_start_time = local(s.event_start_time);
            f.event_end_time = local(s.event_end_time);
            f.event_location = enum_text(serde_json::to_value(s.event_location));
            f.physical_address = s.physical_address.clone();
            f.virtual_platform = s.virtual_platform.and_then(|v| enum_text(serde_json::to_value(v)));
            f.platform_link = s.platform_link.clone();
            f.max_attendees = Some(s.max_attendees.to_string());
            f.waitlist_enabled = s.waitlist_enabled.then(|| "on".into());
            f.phone_field = Some(s.phone_field.as_str().into());
            f.registrations_per_minute = s.registrations_per_minute.map(|n| n.to_string());
            f.questions = s
                .custom_fields
                .iter()
                .map(|q| QuestionForm {
                    id: Some(q.id.clone()),
                    label: Some(q.label.clone()),
                    kind: Some(q.kind.as_str().into()),
                    required: q.required.then(|| "on".into()),
                    options: (!q.options.is_empty()).then(|| q.options.join("\n")),
                    link: q.link.clone(),
                })
                .collect();
        }
        PageSettings::LimitedOffer(s) => {
            f.offer_end_time = local(s.offer_end_time);
            f.discount_code = s.discount_code.clone();
            f.bonus_description = s.bonus_description.clone();
            f.limited_quantity = Some(s.limited_quantity.to_string());
            f.post_offer_action = enum_text(serde_json::to_value(s.post_offer_action));
            f.redirect_url = s.redirect_url.clone();
            f.alternate_title = s.alternate_title.clone();
            f.alternate_content = s.alternate_content.clone();
            f.code_discount_percentage = (s.code_discount_percentage > 0).then(|| s.code_discount_percentage.to_string());
            f.code_uses = s.code_uses.map(|n| n.to_string());
            f.hold_minutes = s.hold_minutes.map(|m| m.to_string());
        }
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_times_across_dst() {
        let paris: Tz = "Europe/Paris".parse().expect("zone");
        // Winter: UTC+1.
        assert_eq!(from_local_input("2026-12-01T10:00", paris).unwrap().unwrap().to_rfc3339(), "2026-12-01T09:00:00+00:00");
        // Summer: UTC+2.
        assert_eq!(from_local_input("2026-07-01T10:00", paris).unwrap().unwrap().to_rfc3339(), "2026-07-01T08:00:00+00:00");
        // 29 March 2026: 02:00-03:00 does not exist in Paris.
        let gap = from_local_input("2026-03-29T02:30", paris).unwrap_err();
        assert!(gap.contains("doesn't exist"), "{gap}");
        // 25 October 2026: 02:30 happens twice; the first (summer time) is meant.
        assert_eq!(from_local_input("2026-10-25T02:30", paris).unwrap().unwrap().to_rfc3339(), "2026-10-25T00:30:00+00:00");
        // New York, other hemisphere of the year's changes.
        let ny: Tz = "America/New_York".parse().expect("zone");
        assert!(from_local_input("2026-03-08T02:15", ny).is_err());
        assert_eq!(from_local_input("", paris), Ok(None));
        assert!(from_local_input("next tuesday", paris).is_err());
        assert_eq!(from_local_input("2026-12-01T10:00:00Z", paris).unwrap().unwrap().to_rfc3339(), "2026-12-01T10:00:00+00:00");
    }

    #[test]
    fn a_form_round_trips_through_the_typed_page() {
        let form = PageForm {
            headline: Some("Meetup".into()),
            time_zone: Some("Europe/Paris".into()),
            launch_at: Some("2026-11-30T09:00".into()),
            event_start_time: Some("2026-12-01T10:00".into()),
            event_end_time: Some("2026-12-01T12:30".into()),
            event_location: Some("virtual".into()),
            virtual_platform: Some("meet".into()),
            platform_link: Some("https://meet.example.com/x".into()),
            max_attendees: Some("30".into()),
            waitlist_enabled: Some("on".into()),
            ..PageForm::default()
        };
        let parts = parts_from_form(PageType::EventRegistration, &form, None).expect("valid");
        let PageSettings::EventRegistration(s) = &parts.settings else { panic!("event") };
        assert_eq!(s.event_start_time.to_rfc3339(), "2026-12-01T09:00:00+00:00");
        assert_eq!(s.time_zone, "Europe/Paris");
        assert!(s.waitlist_enabled);
        let again = form_from_parts(&parts.settings, &parts.customization, parts.launch_at, parts.expires_at);
        assert_eq!(again.event_start_time.as_deref(), Some("2026-12-01T10:00"));
        assert_eq!(again.launch_at.as_deref(), Some("2026-11-30T09:00"));
        assert_eq!(again.virtual_platform.as_deref(), Some("meet"));
        assert_eq!(again.waitlist_enabled.as_deref(), Some("on"));
    }

    #[test]
    fn every_unreadable_field_is_reported() {
        let form = PageForm {
            headline: Some("".into()),
            time_zone: Some("Europe/Paris".into()),
            sale_end_time: Some("2026-03-29T02:30".into()),
            discount_percentage: Some("lots".into()),
            inventory_limit: Some("".into()),
            sold_out_action: Some("explode".into()),
            ..PageForm::default()
        };
        let err = parts_from_form(PageType::FlashSale, &form, None).unwrap_err();
        let fields: Vec<_> = err.fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["saleEndTime", "discountPercentage", "inventoryLimit", "soldOutAction", "headline"]);
    }
}
