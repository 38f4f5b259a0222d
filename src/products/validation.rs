//! Product validation, shared by the server (authoritative) and the browser (compiled for both,
//! no I/O). Prices go through the money type's parser, the same one page offer blocks use. Field
//! errors are keyed by the form's camelCase names.

use super::model::ProductForm;
use crate::error::{AppError, FieldError};
use crate::money::{minor_digits, parse_price};
use chrono::{DateTime, Datelike, NaiveDateTime, Utc};

pub const NAME_MAX: usize = 120;
pub const DESCRIPTION_MAX: usize = 5_000;
/// Far-off years are typing mistakes; bounding them keeps date arithmetic far from chrono's limits.
pub const LATEST_YEAR: i32 = 2200;
/// How a `datetime-local` input writes a time (read as UTC here).
pub const LOCAL_FORMAT: &str = "%Y-%m-%dT%H:%M";

/// A product ready to store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProductInput {
    pub name: String,
    pub description: String,
    pub price_minor: i64,
    pub currency: String,
    pub expires_at: Option<DateTime<Utc>>,
    pub download_limit: i32,
    pub download_days: i32,
}

/// A buyer's link downloads the file this many times unless the product says otherwise.
pub const DEFAULT_DOWNLOAD_LIMIT: i32 = 10;
/// ... within this many days of the payment.
pub const DEFAULT_DOWNLOAD_DAYS: i32 = 30;
pub const MAX_DOWNLOAD_LIMIT: i32 = 1_000;
pub const MAX_DOWNLOAD_DAYS: i32 = 3_650;

/// A whole number from 1 to `max`, or `default` when empty.
fn check_count(raw: &str, default: i32, max: i32, what: &str) -> Result<i32, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(default);
    }
    match raw.parse::<i32>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(format!("Use a whole number of {what} from 1 to {max}, or leave it empty for {default}.")),
    }
}

fn count(s: &str) -> usize {
    s.chars().count()
}

/// A name is required, bounded, and one line (it lands in titles and receipts).
pub fn check_name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err("Give the product a name.".into());
    }
    if count(name) > NAME_MAX {
        return Err(format!("Use at most {NAME_MAX} characters."));
    }
    if name.chars().any(char::is_control) {
        return Err("Keep the name on one line.".into());
    }
    Ok(name.to_string())
}

pub fn check_description(raw: &str) -> Result<String, String> {
    let description = raw.trim();
    if count(description) > DESCRIPTION_MAX {
        return Err(format!("Use at most {DESCRIPTION_MAX} characters."));
    }
    Ok(description.to_string())
}

/// An ISO 4217 code from the supported list (`money::CURRENCIES`); case does not matter.
pub fn check_currency(raw: &str) -> Result<String, String> {
    let code = raw.trim().to_ascii_uppercase();
    match minor_digits(&code) {
        Some(_) => Ok(code),
        None => Err("Choose a currency from the list.".into()),
    }
}

/// A price of zero or more in `currency`, at most `money::MAX_MAJOR` major units.
pub fn check_price(raw: &str, currency: &str) -> Result<i64, String> {
    if raw.trim().is_empty() {
        return Err("Enter a price (0 for free).".into());
    }
    parse_price(raw, currency)
}

/// Reads a `datetime-local` value as UTC, or a full RFC 3339 time; empty is "never expires".
pub fn parse_expires_at(raw: &str) -> Result<Option<DateTime<Utc>>, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let t = DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .or_else(|_| NaiveDateTime::parse_from_str(raw, LOCAL_FORMAT).map(|t| t.and_utc()))
        .or_else(|_| NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S").map(|t| t.and_utc()))
        .map_err(|_| "Enter a date and time like 2030-12-01T10:00 (UTC).".to_string())?;
    if t.year() > LATEST_YEAR {
        return Err(format!("Pick a date before {LATEST_YEAR}."));
    }
    Ok(Some(t))
}

/// An expiry must lie in the future, except the one already stored: a product past its expiry
/// can still have its name or price corrected without moving the date.
pub fn check_expires_at(t: DateTime<Utc>, now: DateTime<Utc>, stored: Option<DateTime<Utc>>) -> Result<(), String> {
    // Compared as the form shows it (to the minute), so a stored time with seconds still matches.
    if t > now || stored.map(format_expires_at) == Some(format_expires_at(t)) {
        Ok(())
    } else {
        Err("Pick a time in the future, or leave it empty for no expiry.".into())
    }
}

/// The value an expiry field shows (UTC, minutes).
pub fn format_expires_at(t: DateTime<Utc>) -> String {
    t.format(LOCAL_FORMAT).to_string()
}

/// Field errors collected while a form is read, so that every field is reported at once.
struct Errors(Vec<FieldError>);

impl Errors {
    fn take<T>(&mut self, field: &str, r: Result<T, String>) -> Option<T> {
        r.map_err(|message| self.0.push(FieldError { field: field.into(), message })).ok()
    }
}

/// Checks a posted product, every field at once; `stored_expiry` is the product's current
/// expiry when it is an edit.
pub fn parse_product(form: &ProductForm, now: DateTime<Utc>, stored_expiry: Option<DateTime<Utc>>) -> Result<ProductInput, AppError> {
    let mut e = Errors(Vec::new());
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let name = e.take("name", check_name(&text(&form.name)));
    let description = e.take("description", check_description(&text(&form.description)));
    let currency = e.take("currency", check_currency(&text(&form.currency)));
    // A price can only be read in a known currency; an unknown one is reported on its own field.
    let price = match currency.as_deref() {
        Some(code) => e.take("price", check_price(&text(&form.price), code)),
        None => None,
    };
    let expires_at = match e.take("expiresAt", parse_expires_at(&text(&form.expires_at))) {
        Some(Some(t)) => e.take("expiresAt", check_expires_at(t, now, stored_expiry)).map(|()| Some(t)),
        other => other,
    };
    let download_limit = e.take("downloadLimit", check_count(&text(&form.download_limit), DEFAULT_DOWNLOAD_LIMIT, MAX_DOWNLOAD_LIMIT, "downloads"));
    let download_days = e.take("downloadDays", check_count(&text(&form.download_days), DEFAULT_DOWNLOAD_DAYS, MAX_DOWNLOAD_DAYS, "days"));
    match (name, description, price, currency, expires_at, download_limit, download_days) {
        (Some(name), Some(description), Some(price_minor), Some(currency), Some(expires_at), Some(download_limit), Some(download_days)) if e.0.is_empty() => {
            Ok(ProductInput { name, description, price_minor, currency, expires_at, download_limit, download_days })
        }
        _ => Err(AppError::fields(e.0)),
    }
}

/// The stored product as its form shows it.
pub fn form_of(input: &ProductInput) -> ProductForm {
    ProductForm {
        name: Some(input.name.clone()),
        description: Some(input.description.clone()),
        price: Some(crate::money::format_amount(input.price_minor, &input.currency)),
        currency: Some(input.currency.clone()),
        expires_at: input.expires_at.map(format_expires_at),
        download_limit: Some(input.download_limit.to_string()),
        download_days: Some(input.download_days.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2030, 1, 1, 12, 0, 0).unwrap()
    }

    fn form(name: &str, price: &str, currency: &str, expires: &str) -> ProductForm {
        ProductForm {
            name: Some(name.into()),
            description: Some("A guide".into()),
            price: Some(price.into()),
            currency: Some(currency.into()),
            expires_at: Some(expires.into()),
            download_limit: None,
            download_days: None,
        }
    }

    #[test]
    fn a_valid_product_is_typed() {
        let p = parse_product(&form(" Course ", "19.99", "usd", "2030-02-01T10:00"), now(), None).expect("valid");
        assert_eq!(p.name, "Course");
        assert_eq!((p.price_minor, p.currency.as_str()), (1999, "USD"));
        assert_eq!(p.expires_at, Some(Utc.with_ymd_and_hms(2030, 2, 1, 10, 0, 0).unwrap()));
        let free = parse_product(&form("Sample", "0", "JPY", ""), now(), None).expect("free, no expiry");
        assert_eq!((free.price_minor, free.expires_at), (0, None));
        assert_eq!(parse_product(&form_of(&p), now(), None).expect("round trip"), p);
    }

    #[test]
    fn each_field_reports_its_own_error() {
        let cases: &[(ProductForm, &str)] = &[
            (form("  ", "1", "USD", ""), "name"),
            (form(&"x".repeat(NAME_MAX + 1), "1", "USD", ""), "name"),
            (form("a\nb", "1", "USD", ""), "name"),
            (form("A", "", "USD", ""), "price"),
            (form("A", "-1", "USD", ""), "price"),
            (form("A", "1000001", "USD", ""), "price"),
            (form("A", "1.5", "JPY", ""), "price"),
            (form("A", "1", "DOGE", ""), "currency"),
            (form("A", "1", "USD", "soon"), "expiresAt"),
            (form("A", "1", "USD", "2029-12-31T10:00"), "expiresAt"),
            (form("A", "1", "USD", "9999-01-01T00:00"), "expiresAt"),
        ];
        for (f, key) in cases {
            let e = parse_product(f, now(), None).expect_err(key);
            assert_eq!(e.fields.iter().map(|f| f.field.as_str()).collect::<Vec<_>>(), [*key], "{f:?}");
        }
        let mut long = form("A", "1", "USD", "");
        long.description = Some("x".repeat(DESCRIPTION_MAX + 1));
        assert!(parse_product(&long, now(), None).expect_err("long").field_message("description").is_some());
        let all = parse_product(&ProductForm::default(), now(), None).expect_err("empty");
        assert_eq!(all.fields.len(), 2, "name and currency; the price waits for a currency: {all:?}");
    }

    #[test]
    fn a_stored_past_expiry_may_stay() {
        let past = now() - Duration::days(1);
        let raw = format_expires_at(past);
        assert!(parse_product(&form("A", "1", "USD", &raw), now(), Some(past)).is_ok());
        assert!(parse_product(&form("A", "1", "USD", &raw), now(), None).is_err());
    }

    #[test]
    fn download_limits_default_and_are_bounded() {
        let p = parse_product(&form("A", "1", "USD", ""), now(), None).expect("defaults");
        assert_eq!((p.download_limit, p.download_days), (DEFAULT_DOWNLOAD_LIMIT, DEFAULT_DOWNLOAD_DAYS));
        let mut f = form("A", "1", "USD", "");
        (f.download_limit, f.download_days) = (Some(" 3 ".into()), Some("7".into()));
        let p = parse_product(&f, now(), None).expect("set");
        assert_eq!((p.download_limit, p.download_days), (3, 7));
        for (limit, days, field) in [("0", "7", "downloadLimit"), ("lots", "7", "downloadLimit"), ("3", "3651", "downloadDays"), ("3", "-1", "downloadDays")] {
            (f.download_limit, f.download_days) = (Some(limit.into()), Some(days.into()));
            assert!(parse_product(&f, now(), None).expect_err(field).field_message(field).is_some(), "{limit} {days}");
        }
    }
}
