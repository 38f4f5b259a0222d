//! What the dashboard receives about products (shared DTOs), and the one rule for a product's
//! status.

use crate::money::format_money;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where a product stands. Switched off wins over the clock; past `expiresAt` it cannot be
/// bought even while switched on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProductStatus {
    Active,
    Expired,
    Inactive,
}

impl ProductStatus {
    /// The status at `now`: used by the dashboard and by checkout, so both agree.
    pub fn of(is_active: bool, expires_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> ProductStatus {
        match (is_active, expires_at) {
            (false, _) => ProductStatus::Inactive,
            (true, Some(t)) if t <= now => ProductStatus::Expired,
            (true, _) => ProductStatus::Active,
        }
    }

    /// Whether a buyer may buy it.
    pub fn buyable(self) -> bool {
        self == ProductStatus::Active
    }

    /// A short word and the badge's CSS modifier (the page list's badges).
    pub fn badge(self) -> (&'static str, &'static str) {
        match self {
            ProductStatus::Active => ("Active", "live"),
            ProductStatus::Expired => ("Expired", "ended"),
            ProductStatus::Inactive => ("Off", "off"),
        }
    }
}

/// One row of the dashboard's product list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProductSummary {
    pub id: String,
    pub name: String,
    pub price_minor: i64,
    pub currency: String,
    pub is_active: bool,
    pub expires_at: Option<DateTime<Utc>>,
    /// Computed from the clock when the list was made.
    pub status: ProductStatus,
    pub updated_at: DateTime<Utc>,
}

impl ProductSummary {
    /// "$19.99", as a buyer will read it.
    pub fn price(&self) -> String {
        format_money(self.price_minor, &self.currency)
    }
}

/// A product as a browser posts it: flat strings, named `form[key]` (camelCase keys, which are
/// also the keys of the field errors).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ProductForm {
    pub name: Option<String>,
    pub description: Option<String>,
    /// In major units as typed: "19.99".
    pub price: Option<String>,
    pub currency: Option<String>,
    /// A `datetime-local` value in UTC, or RFC 3339; empty for none.
    pub expires_at: Option<String>,
    /// How many times a buyer's link downloads the file; empty for the default.
    pub download_limit: Option<String>,
    /// For how many days after the payment; empty for the default.
    pub download_days: Option<String>,
}

/// Everything the product screen needs about one product.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProductDetail {
    pub summary: ProductSummary,
    pub description: String,
    /// The stored product as its form shows it.
    pub form: ProductForm,
    /// Whether the caller may change it (viewers see the form read-only).
    pub can_edit: bool,
    /// Orders reference it: it can be switched off but not deleted.
    pub has_orders: bool,
    /// The file buyers get, once uploaded.
    pub file: Option<ProductFile>,
    /// The largest file the organization's plan takes, in MB.
    pub max_file_mb: u32,
    /// The public sample, if there is one.
    #[serde(default)]
    pub sample: Option<Sample>,
}

/// The largest sample, in MB: it is shown on a public page, to every visitor.
pub const SAMPLE_MAX_MB: u64 = 20;

/// What kind of sample a product shows: an image, a sound to play, or a PDF to open.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SampleKind {
    Image,
    Audio,
    Pdf,
}

/// A product's public sample, where it is served.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sample {
    pub url: String,
    pub kind: SampleKind,
    pub content_type: String,
}

/// A product's stored file, as the dashboard shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProductFile {
    pub name: String,
    pub size_bytes: i64,
    /// Recognised from the file's bytes when it was uploaded.
    pub content_type: String,
    pub sha256: String,
}

impl ProductFile {
    /// "12.4 MB", "830 KB", "12 bytes".
    pub fn size_label(&self) -> String {
        let b = self.size_bytes as f64;
        if b >= 1024.0 * 1024.0 {
            format!("{:.1} MB", b / (1024.0 * 1024.0))
        } else if b >= 1024.0 {
            format!("{:.0} KB", b / 1024.0)
        } else {
            format!("{} bytes", self.size_bytes)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn status_is_off_then_expired_then_active() {
        let now = Utc::now();
        assert_eq!(ProductStatus::of(false, None, now), ProductStatus::Inactive);
        assert_eq!(ProductStatus::of(false, Some(now - Duration::days(1)), now), ProductStatus::Inactive);
        assert_eq!(ProductStatus::of(true, Some(now), now), ProductStatus::Expired, "expired at the instant itself");
        assert_eq!(ProductStatus::of(true, Some(now + Duration::seconds(1)), now), ProductStatus::Active);
        assert!(ProductStatus::of(true, None, now).buyable());
        assert!(!ProductStatus::Expired.buyable());
    }
}
