//! Page validation, shared by the server (authoritative) and the editor (inline feedback).
//! Field errors are keyed by the settings' JSON names (`redirectUrl`), plus `launchAt`/`expiresAt`.

use super::settings::*;
use crate::error::{AppError, FieldError};
use chrono::{DateTime, Utc};

pub const TITLE_MAX: usize = 120;
pub const TEXT_MAX: usize = 5000;
pub const URL_MAX: usize = 2048;
pub const CODE_MAX: usize = 40;

/// An absolute `http(s)` URL with a host; refuses `javascript:`, `data:` and relative links.
pub fn check_url(raw: &str) -> Result<(), String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err("Enter a link starting with https://".into());
    }
    if raw.len() > URL_MAX {
        return Err(format!("A link can be at most {URL_MAX} characters."));
    }
    if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("A link cannot contain spaces.".into());
    }
    if !raw.is_ascii() {
        return Err("Use the link as your browser's address bar shows it when copied (letters outside A-Z percent-encoded).".into());
    }
    let lower = raw.to_ascii_lowercase();
    let rest = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://"));
    let Some(rest) = rest else {
        return Err("Use a full link starting with https:// (or http://).".into());
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.rsplit('@').next().unwrap_or_default();
    let host = host.split(':').next().unwrap_or_default();
    let host_ok = !host.is_empty() && host.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '.') && !host.starts_with('.') && !host.ends_with('.');
    if host_ok { Ok(()) } else { Err("That link has no valid host name.".into()) }
}

struct Errors(Vec<FieldError>);

impl Errors {
    fn add(&mut self, field: &str, message: impl Into<String>) {
        if !self.0.iter().any(|e| e.field == field) {
            self.0.push(FieldError { field: field.into(), message: message.into() });
        }
    }
    fn url(&mut self, field: &str, value: &Option<String>, required_because: Option<&str>) {
        match value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            Some(url) => {
                if let Err(m) = check_url(url) {
                    self.add(field, m);
                }
            }
            None => {
                if let Some(why) = required_because {
                    self.add(field, format!("Enter a link: {why}."));
                }
            }
        }
    }
    fn text(&mut self, field: &str, value: &Option<String>, max: usize, required_because: Option<&str>) {
        match value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            Some(v) if v.chars().count() > max => self.add(field, format!("Use at most {max} characters.")),
            Some(_) => {}
            None => {
                if let Some(why) = required_because {
                    self.add(field, format!("This is needed {why}."));
                }
            }
        }
    }
    fn hold_minutes(&mut self, minutes: Option<u16>) {
        use crate::pages::settings::MAX_HOLD_MINUTES;
        if minutes.is_some_and(|m| !(1..=MAX_HOLD_MINUTES).contains(&m)) {
            self.add("holdMinutes", format!("Hold a unit for 1 to {MAX_HOLD_MINUTES} minutes while the buyer pays."));
        }
    }

    fn at_least_one(&mut self, field: &str, value: u32) {
        if value < 1 {
            self.add(field, "Use a number of at least 1.");
        }
    }
}

/// A time zone name's shape (the server also checks it against the tz database).
pub fn check_time_zone_shape(tz: &str) -> Result<(), String> {
    let ok = tz == "UTC" || (tz.contains('/') && tz.len() <= 64 && tz.chars().all(|c| c.is_ascii_alphanumeric() || "/_-+".contains(c)));
    if ok { Ok(()) } else { Err("Choose a time zone such as Europe/Paris or America/New_York.".into()) }
}

/// Times a page may use. Far-off years are typing mistakes, and bounding them keeps every date
/// computation (countdowns, previews, formatting) far from chrono's limits.
pub const EARLIEST_YEAR: i32 = 2000;
pub const LATEST_YEAR: i32 = 2200;

fn in_supported_range(t: DateTime<Utc>) -> bool {
    use chrono::Datelike;
    (EARLIEST_YEAR..=LATEST_YEAR).contains(&t.year())
}

/// Every time of a page with the field it came from.
fn page_times(settings: &PageSettings, launch_at: Option<DateTime<Utc>>, expires_at: Option<DateTime<Utc>>) -> Vec<(&'static str, DateTime<Utc>)> {
    let mut times: Vec<(&'static str, DateTime<Utc>)> = Vec::new();
    times.extend(launch_at.map(|t| ("launchAt", t)));
    times.extend(expires_at.map(|t| ("expiresAt", t)));
    match settings {
        PageSettings::Countdown(s) => times.push(("countdownTarget", s.countdown_target)),
        PageSettings::FlashSale(s) => times.push(("saleEndTime", s.sale_end_time)),
        PageSettings::EventRegistration(s) => {
            times.push(("eventStartTime", s.event_start_time));
            times.push(("eventEndTime", s.event_end_time));
        }
        PageSettings::LimitedOffer(s) => times.push(("offerEndTime", s.offer_end_time)),
    }
    times
}

/// Validates a page's settings against its schedule (launch before end, end before expiry).
pub fn validate_page(settings: &PageSettings, launch_at: Option<DateTime<Utc>>, expires_at: Option<DateTime<Utc>>) -> Result<(), AppError> {
    let mut e = Errors(Vec::new());
    let out_of_range: Vec<&str> = page_times(settings, launch_at, expires_at).into_iter().filter(|(_, t)| !in_supported_range(*t)).map(|(f, _)| f).collect();
    if !out_of_range.is_empty() {
        // Comparing or formatting such times is meaningless: report them and nothing else.
        for field in out_of_range {
            e.add(field, format!("Use a date between the years {EARLIEST_YEAR} and {LATEST_YEAR}."));
        }
        return Err(AppError::fields(e.0));
    }
    let end = settings.end_time();
    if let Some(launch) = launch_at {
        if launch >= end {
            e.add("launchAt", "The launch must come before the end time.");
        }
    }
    if let Some(expires) = expires_at {
        if expires <= end {
            e.add("expiresAt", "The page must stay up until after its end time.");
        }
    }
    match settings {
        PageSettings::Countdown(s) => {
            let redirect = s.post_countdown_action == PostCountdownAction::Redirect;
            e.url("redirectUrl", &s.redirect_url, redirect.then_some("visitors are sent there at zero"));
            let message = s.post_countdown_action == PostCountdownAction::ShowMessage;
            e.text("messageTitle", &s.message_title, TITLE_MAX, message.then_some("to show the message"));
            e.text("messageContent", &s.message_content, TEXT_MAX, None);
        }
        PageSettings::FlashSale(s) => {
            if !(1..=99).contains(&s.discount_percentage) {
                e.add("discountPercentage", "Use a discount from 1 to 99 percent.");
            }
            e.at_least_one("inventoryLimit", s.inventory_limit);
            e.hold_minutes(s.hold_minutes);
            let redirect = s.sold_out_action == SoldOutAction::Redirect;
            e.url("postSaleRedirectUrl", &s.post_sale_redirect_url, redirect.then_some("visitors are sent there when the sale is over"));
        }
        PageSettings::EventRegistration(s) => {
            if s.event_start_time >= s.event_end_time {
                e.add("eventEndTime", "The event must end after it starts.");
            }
            if let Some(launch) = launch_at {
                if launch >= s.event_start_time {
                    e.add("launchAt", "Registration must open before the event starts.");
                }
            }
            if let Err(m) = check_time_zone_shape(&s.time_zone) {
                e.add("timeZone", m);
            }
            match s.event_location {
                EventLocation::Physical => {
                    e.text("physicalAddress", &s.physical_address, 500, Some("for an in-person event"));
                }
                EventLocation::Virtual => {
                    e.url("platformLink", &s.platform_link, Some("attendees join there"));
                }
            }
            e.at_least_one("maxAttendees", s.max_attendees);
            if let Err(m) = crate::pages::questions::check_config(&s.form()) {
                e.add("questions", m);
            }
            if s.registrations_per_minute == Some(0) {
                e.add("registrationsPerMinute", "Allow at least one registration a minute.");
            }
        }
        PageSettings::LimitedOffer(s) => {
            if let Some(code) = s.discount_code.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
                if code.len() > CODE_MAX || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
                    e.add("discountCode", format!("Use up to {CODE_MAX} letters, digits, - or _."));
                }
            }
            e.text("bonusDescription", &s.bonus_description, 500, None);
            e.at_least_one("limitedQuantity", s.limited_quantity);
            e.hold_minutes(s.hold_minutes);
            if s.code_discount_percentage > 99 {
                e.add("codeDiscountPercentage", "Use a discount from 0 to 99 percent.");
            }
            let has_code = s.discount_code.as_deref().is_some_and(|c| !c.trim().is_empty());
            if !has_code && (s.code_discount_percentage > 0 || s.code_uses.is_some()) {
                e.add("discountCode", "Set the code that the discount and its uses apply to.");
            }
            if s.code_uses == Some(0) {
                e.add("codeUses", "Use a number of at least 1, or leave it empty.");
            }
            match s.post_offer_action {
                PostOfferAction::Redirect => {
                    e.url("redirectUrl", &s.redirect_url, Some("visitors are sent there when the offer ends"));
                }
                PostOfferAction::ShowAlternate => {
                    e.text("alternateTitle", &s.alternate_title, TITLE_MAX, Some("to show the alternative"));
                    e.text("alternateContent", &s.alternate_content, TEXT_MAX, None);
                }
            }
        }
    }
    if e.0.is_empty() { Ok(()) } else { Err(AppError::fields(e.0)) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn at(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, h, 0, 0).single().expect("valid")
    }

    fn fields(r: Result<(), AppError>) -> Vec<String> {
        r.err().map(|e| e.fields.into_iter().map(|f| f.field).collect()).unwrap_or_default()
    }

    fn countdown(action: PostCountdownAction, url: Option<&str>) -> PageSettings {
        PageSettings::Countdown(CountdownSettings {
            countdown_target: at(12),
            post_countdown_action: action,
            redirect_url: url.map(String::from),
            message_title: Some("We're live!".into()),
            message_content: None,
        })
    }

    #[test]
    fn dates_are_bounded() {
        let far = DateTime::parse_from_rfc3339("+262142-01-01T00:00:00Z").map(|t| t.with_timezone(&Utc));
        let far = far.unwrap_or(DateTime::<Utc>::MAX_UTC);
        let mut settings = countdown(PostCountdownAction::ShowMessage, None);
        if let PageSettings::Countdown(s) = &mut settings {
            s.countdown_target = far;
        }
        assert_eq!(fields(validate_page(&settings, None, None)), ["countdownTarget"]);
        let ok = countdown(PostCountdownAction::ShowMessage, None);
        let early = Utc.with_ymd_and_hms(1999, 12, 31, 23, 0, 0).single().expect("valid");
        assert_eq!(fields(validate_page(&ok, Some(early), Some(DateTime::<Utc>::MAX_UTC))), ["launchAt", "expiresAt"]);
        let late = Utc.with_ymd_and_hms(2200, 12, 31, 0, 0, 0).single().expect("valid");
        assert!(validate_page(&ok, None, Some(late)).is_ok(), "the year 2200 itself is allowed");
    }

    #[test]
    fn urls() {
        let cases: &[(&str, bool)] = &[
            ("https://example.com/destination", true),
            ("http://example.com", true),
            ("HTTPS://EXAMPLE.COM/x?y=1#z", true),
            ("https://user@example.com:8443/p", true),
            ("javascript:alert(1)", false),
            ("JavaScript:alert(1)", false),
            ("data:text/html,<script>", false),
            ("/relative/path", false),
            ("//example.com", false),
            ("example.com", false),
            ("https://", false),
            ("https:///path", false),
            ("https://exa mple.com", false),
            ("https://exa<mple.com", false),
            ("ftp://example.com", false),
            ("https://exämple.com/ü", false),
            ("https://example.com/%C3%BC", true),
            ("", false),
        ];
        for (url, ok) in cases {
            assert_eq!(check_url(url).is_ok(), *ok, "{url}");
        }
        assert!(check_url(&format!("https://example.com/{}", "a".repeat(URL_MAX))).is_err());
    }

    #[test]
    fn times_must_be_in_order() {
        let s = countdown(PostCountdownAction::ShowMessage, None);
        assert_eq!(fields(validate_page(&s, Some(at(10)), Some(at(14)))), Vec::<String>::new());
        assert_eq!(fields(validate_page(&s, Some(at(12)), None)), ["launchAt"], "launch at the end instant");
        assert_eq!(fields(validate_page(&s, Some(at(13)), None)), ["launchAt"]);
        assert_eq!(fields(validate_page(&s, None, Some(at(12)))), ["expiresAt"], "expiry at the end instant");
        assert_eq!(fields(validate_page(&s, Some(at(13)), Some(at(11)))), ["launchAt", "expiresAt"]);
        assert!(validate_page(&s, Some(at(12) - Duration::seconds(1)), Some(at(12) + Duration::seconds(1))).is_ok());
    }

    #[test]
    fn countdown_post_actions_need_their_data() {
        assert_eq!(fields(validate_page(&countdown(PostCountdownAction::Redirect, None), None, None)), ["redirectUrl"]);
        assert_eq!(fields(validate_page(&countdown(PostCountdownAction::Redirect, Some("javascript:alert(1)")), None, None)), ["redirectUrl"]);
        assert!(validate_page(&countdown(PostCountdownAction::Redirect, Some("https://example.com")), None, None).is_ok());
        assert!(validate_page(&countdown(PostCountdownAction::ShowForm, None), None, None).is_ok());
        let mut no_title = countdown(PostCountdownAction::ShowMessage, None);
        if let PageSettings::Countdown(s) = &mut no_title {
            s.message_title = Some("   ".into());
        }
        assert_eq!(fields(validate_page(&no_title, None, None)), ["messageTitle"]);
    }

    fn flash(discount: u8, inventory: u32, action: SoldOutAction, url: Option<&str>) -> PageSettings {
        PageSettings::FlashSale(FlashSaleSettings {
            sale_end_time: at(12),
            discount_percentage: discount,
            original_price_display: true,
            inventory_limit: inventory,
            sold_out_action: action,
            post_sale_redirect_url: url.map(String::from),
            hold_minutes: None,
        })
    }

    #[test]
    fn flash_sale_limits() {
        let cases: &[(u8, u32, SoldOutAction, Option<&str>, &[&str])] = &[
            (20, 100, SoldOutAction::ShowMessage, None, &[]),
            (1, 1, SoldOutAction::ShowMessage, None, &[]),
            (99, 1, SoldOutAction::ShowMessage, None, &[]),
            (0, 1, SoldOutAction::ShowMessage, None, &["discountPercentage"]),
            (100, 1, SoldOutAction::ShowMessage, None, &["discountPercentage"]),
            (20, 0, SoldOutAction::ShowMessage, None, &["inventoryLimit"]),
            (20, 5, SoldOutAction::Redirect, None, &["postSaleRedirectUrl"]),
            (20, 5, SoldOutAction::Redirect, Some("data:text/html,x"), &["postSaleRedirectUrl"]),
            (20, 5, SoldOutAction::Redirect, Some("https://example.com/expired"), &[]),
        ];
        for (d, inv, action, url, want) in cases {
            assert_eq!(fields(validate_page(&flash(*d, *inv, *action, *url), None, None)), *want, "{d} {inv} {action:?} {url:?}");
        }
    }

    fn event(location: EventLocation, address: Option<&str>, link: Option<&str>) -> EventRegistrationSettings {
        EventRegistrationSettings {
            event_start_time: at(10),
            event_end_time: at(12),
            time_zone: "Europe/Paris".into(),
            event_location: location,
            physical_address: address.map(String::from),
            virtual_platform: Some(VirtualPlatform::Zoom),
            platform_link: link.map(String::from),
            max_attendees: 500,
            waitlist_enabled: true,
            phone_field: Default::default(),
            custom_fields: Vec::new(),
            registrations_per_minute: None,
        }
    }

    #[test]
    fn events_need_a_place_and_ordered_times() {
        let ok_virtual = event(EventLocation::Virtual, None, Some("https://zoom.us/j/123456"));
        assert!(validate_page(&PageSettings::EventRegistration(ok_virtual.clone()), Some(at(9)), None).is_ok());
        assert_eq!(fields(validate_page(&PageSettings::EventRegistration(event(EventLocation::Virtual, None, None)), None, None)), ["platformLink"]);
        assert_eq!(fields(validate_page(&PageSettings::EventRegistration(event(EventLocation::Physical, None, None)), None, None)), ["physicalAddress"]);
        assert!(validate_page(&PageSettings::EventRegistration(event(EventLocation::Physical, Some("123 Main St"), None)), None, None).is_ok());
        let mut backwards = ok_virtual.clone();
        backwards.event_end_time = at(9);
        assert!(fields(validate_page(&PageSettings::EventRegistration(backwards), None, None)).contains(&"eventEndTime".to_string()));
        assert_eq!(
            fields(validate_page(&PageSettings::EventRegistration(ok_virtual.clone()), Some(at(10)), None)),
            ["launchAt"],
            "registration opens before the event"
        );
        let mut bad_zone = ok_virtual.clone();
        bad_zone.time_zone = "Paris time".into();
        assert_eq!(fields(validate_page(&PageSettings::EventRegistration(bad_zone), None, None)), ["timeZone"]);
        let mut none = ok_virtual;
        none.max_attendees = 0;
        assert_eq!(fields(validate_page(&PageSettings::EventRegistration(none), None, None)), ["maxAttendees"]);
    }

    #[test]
    fn limited_offers() {
        let base = LimitedOfferSettings {
            offer_end_time: at(12),
            discount_code: Some("SPECIAL20".into()),
            bonus_description: Some("Free e-book with purchase".into()),
            limited_quantity: 50,
            post_offer_action: PostOfferAction::ShowAlternate,
            redirect_url: None,
            alternate_title: Some("Missed it?".into()),
            alternate_content: None,
            code_discount_percentage: 20,
            code_uses: Some(10),
            hold_minutes: Some(30),
        };
        assert!(validate_page(&PageSettings::LimitedOffer(base.clone()), None, None).is_ok());
        let mut bad_code = base.clone();
        bad_code.discount_code = Some("NO SPACES!".into());
        assert_eq!(fields(validate_page(&PageSettings::LimitedOffer(bad_code), None, None)), ["discountCode"]);
        let mut redirect = base.clone();
        redirect.post_offer_action = PostOfferAction::Redirect;
        assert_eq!(fields(validate_page(&PageSettings::LimitedOffer(redirect.clone()), None, None)), ["redirectUrl"]);
        redirect.redirect_url = Some("https://example.com/next".into());
        assert!(validate_page(&PageSettings::LimitedOffer(redirect), None, None).is_ok());
        let mut zero = base.clone();
        zero.limited_quantity = 0;
        assert_eq!(fields(validate_page(&PageSettings::LimitedOffer(zero), None, None)), ["limitedQuantity"]);
        let mut codeless = base.clone();
        codeless.discount_code = None;
        assert_eq!(fields(validate_page(&PageSettings::LimitedOffer(codeless), None, None)), ["discountCode"], "a discount needs its code");
        let mut odd = base;
        (odd.code_discount_percentage, odd.code_uses, odd.hold_minutes) = (100, Some(0), Some(121));
        assert_eq!(fields(validate_page(&PageSettings::LimitedOffer(odd), None, None)), ["holdMinutes", "codeDiscountPercentage", "codeUses"]);
    }
}
