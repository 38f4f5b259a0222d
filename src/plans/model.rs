//! Plans and the limits they carry, as stored in `plans.features` (JSON).
//!
//! | limit (JSON key)        | Free | Basic | Premium |
//! |-------------------------|------|-------|---------|
//! | activePages             | 3    | 25    | unlimited (null) |
//! | products                | 5    | 100   | unlimited (null) |
//! | maxFileSizeMb           | 100  | 2048  | 10240   |
//! | teamSeats               | 1    | 5     | 25      |
//! | customBranding          | no   | yes   | yes     |
//! | platformFeeBasisPoints  | 500 (5 %) | 200 (2 %) | 0 |
//! | storageMb               | 1024 | 51200 | 512000  |
//!
//! The platform fee is in basis points so that fractional percentages stay integers, like money.
//! Prices: Free 0, Basic 1900 USD cents a month, Premium 4900 USD cents a month.

use serde::{Deserialize, Serialize};

pub const FREE_PLAN_NAME: &str = "Free";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanFeatures {
    /// Pages that may be published at the same time; `None` means unlimited.
    pub active_pages: Option<u32>,
    /// Products that may exist; `None` means unlimited.
    pub products: Option<u32>,
    pub max_file_size_mb: u32,
    pub team_seats: u32,
    pub custom_branding: bool,
    pub platform_fee_basis_points: u32,
    /// Everything the organization keeps in file storage (images, product files), in MiB;
    /// `None` means unlimited (also for plans stored before this limit existed).
    #[serde(default)]
    pub storage_mb: Option<u64>,
}

impl PlanFeatures {
    /// The storage allowance in bytes, `None` for unlimited.
    pub fn storage_bytes(&self) -> Option<i64> {
        self.storage_mb.map(|mb| i64::try_from(mb.saturating_mul(1024 * 1024)).unwrap_or(i64::MAX))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_json_round_trips_with_seed_style_keys() {
        let json = r#"{"activePages":3,"products":5,"maxFileSizeMb":100,"teamSeats":1,"customBranding":false,"platformFeeBasisPoints":500,"storageMb":1024}"#;
        let f: PlanFeatures = serde_json::from_str(json).unwrap();
        assert_eq!(f.active_pages, Some(3));
        assert_eq!(f.storage_bytes(), Some(1024 * 1024 * 1024));
        assert_eq!(serde_json::to_string(&f).unwrap(), json);
        let older: PlanFeatures = serde_json::from_str(&json.replace(r#","storageMb":1024"#, "")).unwrap();
        assert_eq!(older.storage_bytes(), None, "a plan stored before the limit existed has none");
        let unlimited: PlanFeatures = serde_json::from_str(
            r#"{"activePages":null,"products":null,"maxFileSizeMb":10240,"teamSeats":25,"customBranding":true,"platformFeeBasisPoints":0}"#,
        )
        .unwrap();
        assert_eq!(unlimited.active_pages, None);
    }
}
