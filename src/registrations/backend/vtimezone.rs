//! The VTIMEZONE of a calendar invitation: the zone's real rules around one event.
//!
//! A calendar program that does not know the zone by name (or that trusts the invitation over its
//! own database, as some do) computes every time from these rules. One fixed offset is wrong for
//! an event that spans a daylight-saving change: its end would be an hour off. So the component
//! holds the offset in effect a day before the start, and one STANDARD or DAYLIGHT observance for
//! every change of offset from then to the end, each with the DTSTART, TZOFFSETFROM and
//! TZOFFSETTO that chrono-tz gives for that instant. Nothing of the zone's history outside the
//! event is written: it is not needed to place this event.

use chrono::{DateTime, Duration, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::{OffsetComponents, Tz};

/// One observance: from `onset` (UTC) on, local time is UTC + `to` seconds (it was `from`).
struct Observance {
    onset: DateTime<Utc>,
    from: i32,
    to: i32,
    daylight: bool,
    name: String,
}

fn offset_at(tz: Tz, at: DateTime<Utc>) -> i32 {
    tz.offset_from_utc_datetime(&at.naive_utc()).fix().local_minus_utc()
}

/// The offset changes in `(from, to]`: scanned an hour at a time (no zone changes twice within an
/// hour), each change then found to the second by halving.
fn changes(tz: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    let mut found = Vec::new();
    let mut t = from;
    while t < to {
        let next = (t + Duration::hours(1)).min(to);
        if offset_at(tz, t) != offset_at(tz, next) {
            let (mut before, mut after) = (t, next);
            while after - before > Duration::seconds(1) {
                let mid = before + (after - before) / 2;
                if offset_at(tz, mid) == offset_at(tz, before) { before = mid } else { after = mid }
            }
            found.push(after);
        }
        t = next;
    }
    found
}

fn observance(tz: Tz, onset: DateTime<Utc>, from: i32) -> Observance {
    let offset = tz.offset_from_utc_datetime(&onset.naive_utc());
    Observance {
        onset,
        from,
        to: offset.fix().local_minus_utc(),
        daylight: !offset.dst_offset().is_zero(),
        name: onset.with_timezone(&tz).format("%Z").to_string(),
    }
}

/// `+HHMM` / `-HHMM`.
fn utc_offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    format!("{sign}{:02}{:02}", seconds.abs() / 3600, seconds.abs() % 3600 / 60)
}

/// The VTIMEZONE for an event in `tz` from `start` to `end` (CRLF lines, ready to insert).
pub fn render(tz: Tz, start: DateTime<Utc>, end: DateTime<Utc>) -> String {
    let first = start - Duration::days(1);
    let initial = offset_at(tz, first);
    let mut observances = vec![observance(tz, first, initial)];
    for change in changes(tz, first, end.max(start)) {
        let from = observances.last().map(|o| o.to).unwrap_or(initial);
        observances.push(observance(tz, change, from));
    }
    let mut out = format!("BEGIN:VTIMEZONE\r\nTZID:{}\r\n", tz.name());
    for o in observances {
        let kind = if o.daylight { "DAYLIGHT" } else { "STANDARD" };
        // RFC 5545: an observance's DTSTART is the local time by the offset it ends (TZOFFSETFROM).
        let local: NaiveDateTime = o.onset.naive_utc() + Duration::seconds(o.from.into());
        out.push_str(&format!(
            "BEGIN:{kind}\r\nDTSTART:{}\r\nTZOFFSETFROM:{}\r\nTZOFFSETTO:{}\r\nTZNAME:{}\r\nEND:{kind}\r\n",
            local.format("%Y%m%dT%H%M%S"),
            utc_offset(o.from),
            utc_offset(o.to),
            o.name,
        ));
    }
    out.push_str("END:VTIMEZONE\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    /// What a calendar program that trusts only the VTIMEZONE makes of a local time: the last
    /// observance whose onset is not after it, read by that observance's offset.
    fn to_utc(vtimezone: &str, local: NaiveDateTime) -> NaiveDateTime {
        let parse_offset = |s: &str| {
            let sign = if s.starts_with('-') { -1 } else { 1 };
            sign * (s[1..3].parse::<i64>().expect("hours") * 3600 + s[3..5].parse::<i64>().expect("minutes") * 60)
        };
        let mut rules: Vec<(NaiveDateTime, i64)> = Vec::new();
        for block in vtimezone.split("BEGIN:").skip(2) {
            let field = |name: &str| block.lines().find_map(|l| l.strip_prefix(name)).expect("field").trim().to_string();
            let start = NaiveDateTime::parse_from_str(&field("DTSTART:"), "%Y%m%dT%H%M%S").expect("dtstart");
            let onset_utc = start - Duration::seconds(parse_offset(&field("TZOFFSETFROM:")));
            rules.push((onset_utc, parse_offset(&field("TZOFFSETTO:"))));
        }
        rules
            .iter()
            .filter(|(onset, to)| local - Duration::seconds(*to) >= *onset)
            .max_by_key(|(onset, _)| *onset)
            .map(|(_, to)| local - Duration::seconds(*to))
            .expect("a rule for the time")
    }

    fn berlin(d: u32, h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 10, d).and_then(|d| d.and_hms_opt(h, 0, 0)).expect("time")
    }

    #[test]
    fn an_event_across_the_october_change_ends_at_the_right_hour() {
        let tz: Tz = "Europe/Berlin".parse().expect("zone");
        // Saturday 24 October 18:00 (CEST, UTC+2) to Sunday 25 October 18:00 (CET, UTC+1).
        let start = Utc.with_ymd_and_hms(2026, 10, 24, 16, 0, 0).single().expect("time");
        let end = Utc.with_ymd_and_hms(2026, 10, 25, 17, 0, 0).single().expect("time");
        let vtz = render(tz, start, end);
        assert!(vtz.contains("BEGIN:DAYLIGHT\r\nDTSTART:20261023T180000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST"), "{vtz}");
        assert!(vtz.contains("BEGIN:STANDARD\r\nDTSTART:20261025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET"), "{vtz}");
        assert_eq!(to_utc(&vtz, berlin(24, 18)), start.naive_utc(), "the start, 16:00 UTC");
        assert_eq!(to_utc(&vtz, berlin(25, 18)), end.naive_utc(), "the end, 17:00 UTC");
    }

    #[test]
    fn a_spring_change_and_a_zone_without_changes() {
        let tz: Tz = "America/New_York".parse().expect("zone");
        let start = Utc.with_ymd_and_hms(2026, 3, 7, 23, 0, 0).single().expect("time");
        let end = Utc.with_ymd_and_hms(2026, 3, 8, 22, 0, 0).single().expect("time");
        let vtz = render(tz, start, end);
        assert!(vtz.contains("BEGIN:DAYLIGHT\r\nDTSTART:20260308T020000\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\nTZNAME:EDT"), "{vtz}");
        let tokyo = render("Asia/Tokyo".parse().expect("zone"), start, end);
        assert_eq!(tokyo.matches("BEGIN:STANDARD").count(), 1, "{tokyo}");
        assert!(!tokyo.contains("DAYLIGHT"));
    }
}
