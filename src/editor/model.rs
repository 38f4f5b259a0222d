//! What the dashboard receives about pages (shared DTOs).

use super::form::PageForm;
use crate::pages::customization::Customization;
use crate::pages::phase::Phase;
use crate::pages::settings::PageType;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One row of the dashboard's page list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PageSummary {
    pub id: String,
    pub short_id: String,
    pub page_type: PageType,
    pub headline: String,
    pub is_active: bool,
    /// Computed from the clock when the list was made.
    pub phase: Phase,
    pub launch_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub end_time: DateTime<Utc>,
    pub view_count: i64,
    pub updated_at: DateTime<Utc>,
}

/// Everything the editor needs about one page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PageDetail {
    pub summary: PageSummary,
    /// The settings JSON exactly as stored (seed field names).
    pub settings_json: String,
    pub customization: Customization,
}

/// The editor's data: the page, its form pre-filled in the page's zone, and its public link.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PageEditor {
    pub detail: PageDetail,
    pub form: PageForm,
    pub public_url: String,
    /// The page's content blocks, in order.
    pub items: Vec<crate::pages::blocks::ContentItem>,
    /// Where the hero image is served, if there is one.
    pub hero_image_url: Option<String>,
    /// The organization's products a product block can sell (selling pages only).
    #[serde(default)]
    pub products: Vec<ProductChoice>,
}

/// A product as the block form offers it: "Course ($49.00)".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductChoice {
    pub id: String,
    pub label: String,
}
