//! How an event's times read in its own zone: in the confirmation mails and on the page alike.

use chrono::DateTime;

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

#[cfg(test)]
mod tests {
    use super::time_range;
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
