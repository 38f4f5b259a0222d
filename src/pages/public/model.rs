//! What a visitor's browser receives about a public page.

use crate::pages::phase::PageClock;
use crate::pages::settings::{PageSettings, PageType};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Event times as the server formats them in the event's own zone (the browser adds the visitor's).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventTimes {
    pub starts: String,
    pub ends: String,
    pub zone: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PublicPage {
    pub short_id: String,
    pub page_type: PageType,
    pub headline: String,
    pub description: String,
    /// Markdown rendered and sanitised on the server.
    pub body_html: String,
    pub accent_color: String,
    pub background_color: String,
    pub button_label: String,
    /// The settings JSON with the seed's field names; parsed on both sides.
    pub settings_json: String,
    pub launch_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub event_times: Option<EventTimes>,
    /// The server's clock when it answered: the browser corrects its own clock by it.
    pub server_now: DateTime<Utc>,
}

impl PublicPage {
    pub fn settings(&self) -> Option<PageSettings> {
        PageSettings::from_json(self.page_type, &self.settings_json).ok()
    }

    /// A page is only ever sent to visitors while it is switched on.
    pub fn clock(&self, settings: &PageSettings) -> PageClock {
        PageClock { is_active: true, launch_at: self.launch_at, expires_at: self.expires_at, end_time: settings.end_time() }
    }
}
