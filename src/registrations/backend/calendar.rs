//! The calendar invitation attached to registration mail (`.ics`, RFC 5545 with iTIP methods).
//!
//! One UID per registration, so an update (new time or place) replaces the entry the attendee
//! already has, and a cancellation (`METHOD:CANCEL`) removes it. DTSTAMP is set by the caller
//! (icalendar would put the current time there, which makes two renderings differ), and SEQUENCE
//! rises with every change the attendee is told about. Times are written in the event's IANA zone
//! with a VTIMEZONE that holds the zone's rules from the start to the end (see
//! [`super::vtimezone`]), so a calendar that does not know the zone by name still places both.

use crate::pages::settings::{EventLocation, EventRegistrationSettings};
use chrono::{DateTime, Utc};
use icalendar::{Calendar, CalendarDateTime, Component, EventLike, EventStatus, Property};

/// Whether the attachment adds (or updates) the event, or takes it away.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Request,
    Cancel,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Request => "REQUEST",
            Method::Cancel => "CANCEL",
        }
    }
}

/// What an invitation is about.
pub struct Invitation<'a> {
    pub registration_id: &'a str,
    /// The host of the public URL, which makes the UID globally unique.
    pub host: &'a str,
    pub title: &'a str,
    pub page_url: &'a str,
    pub settings: &'a EventRegistrationSettings,
    /// The join link goes to registered people only.
    pub include_join_link: bool,
    pub organizer: &'a str,
    pub attendee: &'a str,
    pub attendee_name: &'a str,
    pub sequence: u32,
    pub stamp: DateTime<Utc>,
    pub method: Method,
}

/// The stable UID of a registration's calendar entry.
pub fn uid(registration_id: &str, host: &str) -> String {
    format!("registration-{registration_id}@{host}")
}

/// Where the event happens, as one line for a calendar's LOCATION.
pub fn location(settings: &EventRegistrationSettings, include_join_link: bool) -> String {
    match settings.event_location {
        EventLocation::Physical => settings.physical_address.clone().unwrap_or_default(),
        EventLocation::Virtual => match (&settings.platform_link, include_join_link) {
            (Some(link), true) => link.clone(),
            _ => "Online".into(),
        },
    }
}

/// The `.ics` text.
pub fn render(inv: &Invitation<'_>) -> String {
    let tz: chrono_tz::Tz = inv.settings.time_zone.parse().unwrap_or(chrono_tz::UTC);
    let local = |t: DateTime<Utc>| CalendarDateTime::WithTimezone { date_time: t.with_timezone(&tz).naive_local(), tzid: tz.name().to_string() };
    let mut description = format!("Manage your registration: {}", inv.page_url);
    if inv.include_join_link {
        if let Some(link) = &inv.settings.platform_link {
            description = format!("Join: {link}\n{description}");
        }
    }
    let mut organizer = Property::new("ORGANIZER", format!("mailto:{}", bare_address(inv.organizer)));
    organizer.add_parameter("CN", inv.title);
    let mut attendee = Property::new("ATTENDEE", format!("mailto:{}", inv.attendee));
    attendee.add_parameter("CN", inv.attendee_name);
    attendee.add_parameter("ROLE", "REQ-PARTICIPANT");
    attendee.add_parameter("PARTSTAT", if inv.method == Method::Cancel { "DECLINED" } else { "ACCEPTED" });
    let event = icalendar::Event::new()
        .uid(&uid(inv.registration_id, inv.host))
        .timestamp(inv.stamp)
        .sequence(inv.sequence)
        .summary(inv.title)
        .description(&description)
        .starts(local(inv.settings.event_start_time))
        .ends(local(inv.settings.event_end_time))
        .location(&location(inv.settings, inv.include_join_link))
        .url(inv.page_url)
        .status(if inv.method == Method::Cancel { EventStatus::Cancelled } else { EventStatus::Confirmed })
        .append_property(organizer)
        .append_multi_property(attendee)
        .done();
    let mut calendar = Calendar::new();
    calendar.append_property(Property::new("METHOD", inv.method.as_str()));
    calendar.push(event);
    let text = calendar.done().to_string();
    // The zone's definition goes before the event that refers to it.
    match text.find("BEGIN:VEVENT") {
        Some(at) => format!("{}{}{}", &text[..at], super::vtimezone::render(tz, inv.settings.event_start_time, inv.settings.event_end_time), &text[at..]),
        None => text,
    }
}

/// `Name <a@b>` → `a@b`.
fn bare_address(mailbox: &str) -> &str {
    match (mailbox.find('<'), mailbox.rfind('>')) {
        (Some(a), Some(b)) if a < b => &mailbox[a + 1..b],
        _ => mailbox,
    }
}

/// A link that opens Google Calendar's "add event" form filled in (the other calendars take the
/// `.ics`).
pub fn google_calendar_url(title: &str, settings: &EventRegistrationSettings, details: &str, include_join_link: bool) -> String {
    let utc = |t: DateTime<Utc>| t.format("%Y%m%dT%H%M%SZ").to_string();
    let dates = format!("{}/{}", utc(settings.event_start_time), utc(settings.event_end_time));
    let mut url = url::Url::parse("https://calendar.google.com/calendar/render").expect("a valid constant URL");
    url.query_pairs_mut()
        .append_pair("action", "TEMPLATE")
        .append_pair("text", title)
        .append_pair("dates", &dates)
        .append_pair("ctz", &settings.time_zone)
        .append_pair("details", details)
        .append_pair("location", &location(settings, include_join_link));
    url.into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::settings::VirtualPlatform;
    use chrono::TimeZone;

    fn settings() -> EventRegistrationSettings {
        EventRegistrationSettings {
            event_start_time: Utc.with_ymd_and_hms(2026, 12, 3, 18, 0, 0).single().expect("time"),
            event_end_time: Utc.with_ymd_and_hms(2026, 12, 3, 20, 0, 0).single().expect("time"),
            time_zone: "Europe/Paris".into(),
            event_location: EventLocation::Virtual,
            physical_address: None,
            virtual_platform: Some(VirtualPlatform::Zoom),
            platform_link: Some("https://zoom.us/j/1".into()),
            max_attendees: 10,
            waitlist_enabled: true,
            phone_field: Default::default(),
            custom_fields: Vec::new(),
            registrations_per_minute: None,
        }
    }

    fn invitation(s: &EventRegistrationSettings, method: Method) -> String {
        render(&Invitation {
            registration_id: "r1",
            host: "flashpage.example",
            title: "Rust night",
            page_url: "https://flashpage.example/r/tok",
            settings: s,
            include_join_link: true,
            organizer: "Flashpage <mail@flashpage.example>",
            attendee: "ada@example.com",
            attendee_name: "Ada",
            sequence: 2,
            stamp: Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0).single().expect("time"),
            method,
        })
    }

    #[test]
    fn invitations_are_stable_and_zoned() {
        let s = settings();
        let ics = invitation(&s, Method::Request);
        assert_eq!(ics, invitation(&s, Method::Request), "the same registration renders the same bytes");
        for line in [
            "METHOD:REQUEST",
            "UID:registration-r1@flashpage.example",
            "DTSTAMP:20261126T120000Z",
            "SEQUENCE:2",
            "DTSTART;TZID=Europe/Paris:20261203T190000",
            "DTEND;TZID=Europe/Paris:20261203T210000",
            "TZOFFSETTO:+0100",
            "LOCATION:https://zoom.us/j/1",
            "STATUS:CONFIRMED",
        ] {
            assert!(ics.contains(line), "{line} missing in\n{ics}");
        }
        assert!(ics.find("BEGIN:VTIMEZONE") < ics.find("BEGIN:VEVENT"));
        let cancel = invitation(&s, Method::Cancel);
        assert!(cancel.contains("METHOD:CANCEL") && cancel.contains("STATUS:CANCELLED"));
        assert!(cancel.contains("UID:registration-r1@flashpage.example"));
    }

    #[test]
    fn an_event_across_a_dst_change_carries_both_offsets() {
        let mut s = settings();
        s.time_zone = "Europe/Berlin".into();
        s.event_start_time = Utc.with_ymd_and_hms(2026, 10, 24, 16, 0, 0).single().expect("time");
        s.event_end_time = Utc.with_ymd_and_hms(2026, 10, 25, 17, 0, 0).single().expect("time");
        let ics = invitation(&s, Method::Request);
        assert!(ics.contains("DTSTART;TZID=Europe/Berlin:20261024T180000"), "{ics}");
        assert!(ics.contains("DTEND;TZID=Europe/Berlin:20261025T180000"), "{ics}");
        // The end, 18:00 local, is read by the rule that starts at 03:00 that morning: UTC+1.
        assert!(ics.contains("BEGIN:STANDARD\r\nDTSTART:20261025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100"), "{ics}");
        assert!(ics.contains(&super::super::vtimezone::render(chrono_tz::Europe::Berlin, s.event_start_time, s.event_end_time)));
    }
}
