//! The registrant's mail: confirmation (with the calendar invitation and the QR code of their
//! manage link), waitlist place, promotion from the waitlist, cancellation. Plain text with an
//! HTML alternative in the page's accent colour.

use super::calendar::{self, Invitation, Method};
use crate::infra::mail::escape_html as escape;
use crate::infra::mail::outbox::{OutgoingMail, TextAttachment};
use crate::pages::settings::{EventLocation, EventRegistrationSettings};
use chrono::{DateTime, Utc};

/// The event a message is about.
pub struct EventMail<'a> {
    pub title: &'a str,
    pub accent: &'a str,
    pub settings: &'a EventRegistrationSettings,
    pub public_url: &'a str,
    /// The app's sender (`MAIL_FROM`), the invitation's organizer.
    pub from: &'a str,
    /// DTSTAMP of the invitation: when the message was made.
    pub stamp: DateTime<Utc>,
}

/// Who it goes to.
pub struct Person<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub email: &'a str,
    /// Their manage link's token.
    pub token: &'a str,
    pub calendar_sequence: u32,
}

/// Which message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notice {
    Registered,
    Waitlisted {
        position: u32,
    },
    /// A place opened up and is theirs.
    Promoted,
    Cancelled,
    /// The event's time or place changed: the calendar entry is replaced (same UID).
    Updated,
    /// The creator called the event off.
    EventCancelled,
}

pub fn manage_url(public_url: &str, token: &str) -> String {
    format!("{public_url}/r/{token}")
}

/// The event's time in its own zone, with the zone's name.
pub fn when(settings: &EventRegistrationSettings) -> String {
    let tz: chrono_tz::Tz = settings.time_zone.parse().unwrap_or(chrono_tz::UTC);
    let range = crate::pages::event_time::time_range(settings.event_start_time.with_timezone(&tz), settings.event_end_time.with_timezone(&tz));
    format!("{range} ({})", settings.time_zone.replace('_', " "))
}

/// Where, for people who have a place (the join link is theirs).
pub fn place(settings: &EventRegistrationSettings, registered: bool) -> String {
    match settings.event_location {
        EventLocation::Physical => settings.physical_address.clone().unwrap_or_default(),
        EventLocation::Virtual => match (&settings.platform_link, registered) {
            (Some(link), true) => format!("Online: {link}"),
            _ => "Online (the link comes with your confirmed place)".into(),
        },
    }
}

pub fn notice(ev: &EventMail<'_>, to: &Person<'_>, notice: Notice) -> OutgoingMail {
    let manage = manage_url(ev.public_url, to.token);
    let has_place = matches!(notice, Notice::Registered | Notice::Promoted | Notice::Updated);
    let ends = matches!(notice, Notice::Cancelled | Notice::EventCancelled);
    let (subject, lead) = match notice {
        Notice::Registered => (format!("You're registered: {}", ev.title), "You're registered. See you there!".to_string()),
        Notice::Promoted => (format!("A place opened up: you're registered for {}", ev.title), "Good news: a place opened up and it's yours.".to_string()),
        Notice::Waitlisted { position } => (
            format!("You're on the waitlist: {}", ev.title),
            format!(
                "The event is full, so you're on the waitlist at position {position}. If a place opens up, it goes to the next person in line and we'll email you."
            ),
        ),
        Notice::Cancelled => {
            (format!("Registration cancelled: {}", ev.title), "Your registration is cancelled. Your place has gone to the next person.".to_string())
        }
        Notice::Updated => (
            format!("Changed: {}", ev.title),
            "The event's time or place has changed. Here are the new details; your calendar entry is updated with the attached invitation.".to_string(),
        ),
        Notice::EventCancelled => (format!("Cancelled: {}", ev.title), "We're sorry: the organizer has called this event off.".to_string()),
    };
    let when = when(ev.settings);
    let place = place(ev.settings, has_place);
    let google = has_place.then(|| calendar::google_calendar_url(ev.title, ev.settings, &format!("Manage your registration: {manage}"), true));
    let qr = format!("{manage}/qr.png");
    let mut text = format!("Hello {name},\n\n{lead}\n\n{title}\nWhen: {when}\nWhere: {place}\n\n", name = to.name, title = ev.title);
    if !ends {
        text.push_str(&format!("See or cancel your registration: {manage}\n"));
    }
    if let Some(google) = &google {
        text.push_str(&format!(
            "Add to Google Calendar: {google}\nOther calendars: open the attached invitation.ics.\n\nAt the door, show the QR code on your registration page.\n"
        ));
    }
    let accent =
        if ev.accent.len() == 7 && ev.accent.starts_with('#') && ev.accent[1..].bytes().all(|b| b.is_ascii_hexdigit()) { ev.accent } else { "#4f46e5" };
    let mut html = format!(
        "<div style=\"border-top:6px solid {accent};padding:16px;font-family:sans-serif\"><p>Hello {name},</p><p>{lead}</p>\
         <h1 style=\"font-size:20px\">{title}</h1><p><strong>When:</strong> {when}<br><strong>Where:</strong> {place}</p>",
        name = escape(to.name),
        lead = escape(&lead),
        title = escape(ev.title),
        when = escape(&when),
        place = escape(&place),
    );
    if !ends {
        html.push_str(&format!("<p><a href=\"{m}\" style=\"color:{accent}\">See or cancel your registration</a></p>", m = escape(&manage)));
    }
    if let Some(google) = &google {
        html.push_str(&format!(
            "<p><a href=\"{g}\">Add to Google Calendar</a> · other calendars: open the attached invitation.</p>\
             <p>At the door, show this code:<br><img src=\"{qr}\" width=\"180\" height=\"180\" alt=\"QR code of your registration\"></p>",
            g = escape(google),
            qr = escape(&qr),
        ));
    }
    html.push_str("</div>");
    let method = match notice {
        Notice::Registered | Notice::Promoted | Notice::Updated => Some(Method::Request),
        Notice::Cancelled | Notice::EventCancelled => Some(Method::Cancel),
        Notice::Waitlisted { .. } => None,
    };
    let attachments = method
        .map(|method| {
            let host = ev.public_url.split("://").nth(1).unwrap_or("flashpage").split(['/', ':']).next().unwrap_or("flashpage");
            let ics = calendar::render(&Invitation {
                registration_id: to.id,
                host,
                title: ev.title,
                page_url: &manage,
                settings: ev.settings,
                include_join_link: method == Method::Request,
                organizer: ev.from,
                attendee: to.email,
                attendee_name: to.name,
                sequence: to.calendar_sequence,
                stamp: ev.stamp,
                method,
            });
            vec![TextAttachment {
                name: "invitation.ics".into(),
                content_type: format!("text/calendar; charset=utf-8; method={}", method.as_str()),
                content: ics,
            }]
        })
        .unwrap_or_default();
    OutgoingMail { to: to.email.to_string(), subject, text, html: Some(html), headers: Vec::new(), attachments }
}

/// The purpose an unsubscribe link's token is derived for (`AppSecret::link_token`).
pub const UNSUBSCRIBE: &str = "registration-unsubscribe";

pub fn unsubscribe_url(public_url: &str, registration_id: &str, token: &str) -> String {
    format!("{public_url}/u/{registration_id}/{token}")
}

/// Bulk mail (reminders, launch notices) says how to stop it, in the body and in the headers
/// mail programs show as an "Unsubscribe" button (RFC 2369, and RFC 8058's one-click POST).
fn bulk(mut mail: OutgoingMail, unsubscribe: &str) -> OutgoingMail {
    mail.text.push_str(&format!("\n--\nNo more emails about this page: {unsubscribe}\n"));
    if let Some(html) = &mut mail.html {
        html.push_str(&format!("<p style=\"font-size:12px;color:#666\"><a href=\"{}\">No more emails about this page</a></p>", escape(unsubscribe)));
    }
    mail.headers.push(("List-Unsubscribe".into(), format!("<{unsubscribe}>")));
    mail.headers.push(("List-Unsubscribe-Post".into(), "List-Unsubscribe=One-Click".into()));
    mail
}

/// Which reminder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reminder {
    DayBefore,
    HourBefore,
}

/// A reminder to someone with a seat: when, where (with the join link), their manage link.
pub fn reminder(ev: &EventMail<'_>, to: &Person<'_>, which: Reminder, unsubscribe: &str) -> OutgoingMail {
    let manage = manage_url(ev.public_url, to.token);
    let (subject, lead) = match which {
        Reminder::DayBefore => (format!("Tomorrow: {}", ev.title), "A reminder: your event is tomorrow."),
        Reminder::HourBefore => (format!("Starting in an hour: {}", ev.title), "Your event starts in an hour."),
    };
    let when = when(ev.settings);
    let place = place(ev.settings, true);
    let text = format!(
        "Hello {name},\n\n{lead}\n\n{title}\nWhen: {when}\nWhere: {place}\n\nCan't come after all? Free your seat for someone on the waitlist: {manage}\n",
        name = to.name,
        title = ev.title,
    );
    let html = format!(
        "<div style=\"padding:16px;font-family:sans-serif\"><p>Hello {name},</p><p>{lead}</p><h1 style=\"font-size:20px\">{title}</h1>\
         <p><strong>When:</strong> {when}<br><strong>Where:</strong> {place}</p><p><a href=\"{manage}\">Can't come? Free your seat</a></p></div>",
        name = escape(to.name),
        title = escape(ev.title),
        when = escape(&when),
        place = escape(&place),
        manage = escape(&manage),
    );
    bulk(OutgoingMail { to: to.email.to_string(), subject, text, html: Some(html), ..Default::default() }, unsubscribe)
}

/// The one email a "notify me" list gets: the page is live.
pub fn launch(title: &str, page_url: &str, to: &str, unsubscribe: &str) -> OutgoingMail {
    let text = format!("It's live: {title}\n\nYou asked us to tell you. Here it is:\n{page_url}\n");
    let html = format!(
        "<div style=\"padding:16px;font-family:sans-serif\"><p>You asked us to tell you.</p><h1 style=\"font-size:20px\">{t}</h1><p><a href=\"{u}\">Open the page</a></p></div>",
        t = escape(title),
        u = escape(page_url),
    );
    bulk(OutgoingMail { to: to.to_string(), subject: format!("It's live: {title}"), text, html: Some(html), ..Default::default() }, unsubscribe)
}
