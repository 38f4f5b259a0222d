//! Money: integer minor units plus an ISO 4217 code, everywhere. Shared so the editor can check a
//! price as it is typed with the same code the server uses.

/// Currencies creators can price in, with their minor-unit digits (JPY has none).
pub const CURRENCIES: &[(&str, u32)] = &[("USD", 2), ("EUR", 2), ("GBP", 2), ("CAD", 2), ("AUD", 2), ("CHF", 2), ("SEK", 2), ("NZD", 2), ("JPY", 0)];

pub fn minor_digits(currency: &str) -> Option<u32> {
    CURRENCIES.iter().find(|(code, _)| *code == currency).map(|(_, d)| *d)
}

/// The largest price we take (a million in major units): a typo guard, far above any page's offer.
pub const MAX_MAJOR: i64 = 1_000_000;

/// Reads "19", "19.9", "19.99" or "1,299.00" in `currency` into minor units; never through floats.
pub fn parse_price(raw: &str, currency: &str) -> Result<i64, String> {
    let digits = minor_digits(currency).ok_or_else(|| "Choose a currency from the list.".to_string())?;
    let cleaned: String = raw.trim().chars().filter(|c| *c != ',' && *c != ' ').collect();
    let cleaned = cleaned.trim_start_matches(['$', '€', '£', '¥']);
    let (whole, fraction) = cleaned.split_once('.').unwrap_or((cleaned, ""));
    let example = if digits == 0 { "1500" } else { "19.99" };
    let bad = || format!("Enter a price like {example}.");
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    if fraction.len() > digits as usize {
        return Err(if digits == 0 { format!("{currency} has no cents: {}", bad()) } else { bad() });
    }
    let whole: i64 = whole.parse().map_err(|_| bad())?;
    if whole > MAX_MAJOR {
        return Err(format!("Prices go up to {MAX_MAJOR}."));
    }
    let scale = 10_i64.pow(digits);
    let fraction: i64 = if fraction.is_empty() { 0 } else { format!("{fraction:0<width$}", width = digits as usize).parse().map_err(|_| bad())? };
    Ok(whole * scale + fraction)
}

/// "19.99" (for pre-filling a price field).
pub fn format_amount(cents: i64, currency: &str) -> String {
    let digits = minor_digits(currency).unwrap_or(2);
    if digits == 0 {
        return cents.to_string();
    }
    let scale = 10_i64.pow(digits);
    format!("{}.{:0width$}", cents / scale, (cents % scale).abs(), width = digits as usize)
}

/// "$19.99", "€19.99", "¥1500", "CHF 19.99": what a visitor reads.
pub fn format_money(cents: i64, currency: &str) -> String {
    let amount = format_amount(cents, currency);
    match currency {
        "USD" | "CAD" | "AUD" | "NZD" => format!("${amount}"),
        "EUR" => format!("€{amount}"),
        "GBP" => format!("£{amount}"),
        "JPY" => format!("¥{amount}"),
        other => format!("{other} {amount}"),
    }
}

/// The price after a percentage discount, rounded to the nearest minor unit (half up).
pub fn discounted(cents: i64, percent: u8) -> i64 {
    let keep = 100 - i64::from(percent.min(100));
    (cents * keep + 50) / 100
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_parse_exactly() {
        let cases: &[(&str, &str, Result<i64, ()>)] = &[
            ("19.99", "USD", Ok(1999)),
            ("19.9", "USD", Ok(1990)),
            ("19", "EUR", Ok(1900)),
            ("0.07", "GBP", Ok(7)),
            ("1,299.00", "USD", Ok(129_900)),
            ("$5", "USD", Ok(500)),
            (" 12.50 ", "CHF", Ok(1250)),
            ("1500", "JPY", Ok(1500)),
            ("15.5", "JPY", Err(())),
            ("19.999", "USD", Err(())),
            ("-5", "USD", Err(())),
            ("1e3", "USD", Err(())),
            ("", "USD", Err(())),
            (".5", "USD", Err(())),
            ("abc", "USD", Err(())),
            ("1000001", "USD", Err(())),
            ("5", "XYZ", Err(())),
            ("5", "usd", Err(())),
        ];
        for (raw, currency, expected) in cases {
            assert_eq!(parse_price(raw, currency).map_err(|_| ()), *expected, "{raw} {currency}");
        }
    }

    #[test]
    fn money_reads_naturally() {
        assert_eq!(format_money(1999, "USD"), "$19.99");
        assert_eq!(format_money(5, "EUR"), "€0.05");
        assert_eq!(format_money(1500, "JPY"), "¥1500");
        assert_eq!(format_money(1250, "CHF"), "CHF 12.50");
        assert_eq!(format_amount(129_900, "USD"), "1299.00");
        for (raw, currency) in [("19.99", "USD"), ("1500", "JPY"), ("0.05", "EUR")] {
            assert_eq!(format_amount(parse_price(raw, currency).expect("valid"), currency), raw);
        }
    }

    #[test]
    fn discounts_round_half_up_to_the_minor_unit() {
        assert_eq!(discounted(1999, 20), 1599); // 1599.2
        assert_eq!(discounted(1000, 25), 750);
        assert_eq!(discounted(999, 50), 500); // 499.5 rounds up
        assert_eq!(discounted(1, 99), 0);
        assert_eq!(discounted(1500, 10), 1350);
    }
}
