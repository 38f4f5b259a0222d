//! Billing types shared by server and browser: the pricing page's plans and the billing page.

use serde::{Deserialize, Serialize};

/// One plan as the pricing and billing pages show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanCard {
    pub name: String,
    pub description: String,
    /// "$19.00 a month", or "Free".
    pub price: String,
    /// (what, how much): "Live pages at a time", "25".
    pub limits: Vec<(String, String)>,
    /// What the billing page offers for it.
    pub action: PlanAction,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PlanAction {
    /// The organization's plan (and it keeps renewing).
    Current,
    /// A plan that costs more.
    Upgrade,
    /// A plan that costs less (Free: at the end of the paid period).
    Downgrade,
    /// The plan that ends at the period's end: keep it after all.
    Resume,
}

/// A usage meter: how much of a limit is in use.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meter {
    pub label: String,
    /// "2", "130 MB".
    pub used: String,
    /// "3", "1,024 MB", or "No limit".
    pub limit: String,
    /// Share of the limit in use, 0 to 100, for the bar; `None` without a limit.
    pub percent: Option<u8>,
    /// Above the limit (after a downgrade or a lapsed payment).
    pub over: bool,
}

/// The billing page (admins).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingView {
    pub plan_name: String,
    /// "Active: renews on 26 Dec 2026 at $19.00 a month." / "Free forever."
    pub status_line: String,
    /// What needs attention: a failed payment, a plan that ends, a price that changes at renewal,
    /// content above the plan's limits and the date the rule applies.
    pub notices: Vec<String>,
    pub meters: Vec<Meter>,
    /// Fixed facts of the plan: largest file, your branding, platform fee.
    pub facts: Vec<(String, String)>,
    pub plans: Vec<PlanCard>,
    /// A payment is pending or failed: plan changes wait for it.
    pub payment_pending: bool,
    /// The provider has a customer portal for this organization (Stripe, after a subscription).
    pub has_portal: bool,
    /// The built-in test checkout takes payments: the test controls are offered.
    pub test_mode: bool,
    /// A test subscription runs (the test controls act on it).
    pub test_subscription: bool,
}
