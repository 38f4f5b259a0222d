//! What orders are, as both sides see them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where an order stands (`orders.status`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Placed, holding a unit until its hold lapses, waiting for the payment.
    Processing,
    /// The buyer finished checkout with a delayed method (a bank debit or transfer): the unit
    /// stays taken, nothing is delivered until the provider says the money is in.
    Pending,
    /// Paid: the unit is sold and the file can be downloaded.
    Completed,
    /// Not paid in time (or the payment page expired): the unit went back to stock.
    Expired,
    /// The buyer left the payment page: the unit went back to stock.
    Cancelled,
    /// A delayed payment failed: the unit went back to stock, the buyer was told.
    Failed,
    /// Paid when no unit was left (after the hold lapsed): a refund is owed, retried until the
    /// provider confirms it.
    RefundPending,
    /// Paid, then refunded: downloads stop.
    Refunded,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 8] = [
        OrderStatus::Processing,
        OrderStatus::Pending,
        OrderStatus::Completed,
        OrderStatus::Expired,
        OrderStatus::Cancelled,
        OrderStatus::Failed,
        OrderStatus::RefundPending,
        OrderStatus::Refunded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Processing => "processing",
            OrderStatus::Pending => "pending",
            OrderStatus::Completed => "completed",
            OrderStatus::Expired => "expired",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Failed => "failed",
            OrderStatus::RefundPending => "refund_pending",
            OrderStatus::Refunded => "refunded",
        }
    }

    pub fn parse(s: &str) -> Option<OrderStatus> {
        OrderStatus::ALL.into_iter().find(|st| st.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            OrderStatus::Processing => "Awaiting payment",
            OrderStatus::Pending => "Payment pending",
            OrderStatus::Completed => "Paid",
            OrderStatus::Expired => "Expired",
            OrderStatus::Cancelled => "Cancelled",
            OrderStatus::Failed => "Payment failed",
            OrderStatus::RefundPending => "Refund pending",
            OrderStatus::Refunded => "Refunded",
        }
    }

    /// Whether the order's money may be in the creator's account, so that refunding it makes
    /// sense: paid, or paid too late and owed back.
    pub fn refundable(self) -> bool {
        matches!(self, OrderStatus::Completed | OrderStatus::RefundPending)
    }
}

/// The buyer's view of their order (the thank-you page).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BuyerOrder {
    pub status: OrderStatus,
    pub title: String,
    /// "€39.20".
    pub amount: String,
    pub email: String,
    pub bonus: Option<String>,
    /// The page it was bought on, while it exists.
    pub page_url: Option<String>,
    /// Once paid and while downloads are allowed.
    pub download: Option<DownloadOffer>,
    /// Why the download is not offered although the order was paid.
    pub download_closed: Option<String>,
    /// Paid through the built-in test checkout: no money moved.
    pub test_mode: bool,
}

/// The file as the thank-you page offers it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DownloadOffer {
    pub url: String,
    pub file_name: String,
    pub size: String,
    pub attempts_left: i32,
    pub until: DateTime<Utc>,
}

/// One row of the creator's order list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrderRow {
    pub id: String,
    pub created_at: DateTime<Utc>,
    pub title: String,
    /// The buyer's address; `None` for those who may not see personal data (viewers: the same
    /// rule as registrants' data, `Action::ViewRegistrants`).
    pub email: Option<String>,
    /// What was paid (or is due, while processing), formatted.
    pub amount: String,
    pub status: OrderStatus,
    pub downloads: String,
    /// Paid and refundable by the caller.
    pub refundable: bool,
}

/// Sums per currency (money in different currencies is never added up).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CurrencyTotals {
    pub currency: String,
    pub revenue: String,
    pub paid_orders: i64,
    pub refunds: i64,
    pub refunded: String,
}

/// The creator's order list: a page of rows, newest first, and the totals of every order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrdersOverview {
    pub rows: Vec<OrderRow>,
    pub totals: Vec<CurrencyTotals>,
    /// 1-based.
    pub page: u32,
    pub has_more: bool,
    /// The page the list is limited to, if any: (id, headline).
    pub filter: Option<(String, String)>,
    pub can_export: bool,
}

/// Orders per page of the list.
pub const ORDERS_PER_PAGE: i64 = 50;

/// A connected account's standing, as the "Get paid" screen shows it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayoutStatus {
    pub charges_enabled: bool,
    pub payouts_enabled: bool,
    pub details_submitted: bool,
}

#[cfg(feature = "ssr")]
impl From<crate::infra::payments::AccountStatus> for PayoutStatus {
    fn from(s: crate::infra::payments::AccountStatus) -> Self {
        PayoutStatus { charges_enabled: s.charges_enabled, payouts_enabled: s.payouts_enabled, details_submitted: s.details_submitted }
    }
}

/// The "Get paid" screen.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PayoutsView {
    /// False with the test checkout: nothing is paid out, nothing to set up.
    pub needed: bool,
    /// A connected account exists.
    pub account: bool,
    pub status: PayoutStatus,
    /// The caller may set payouts up (admins and managers).
    pub can_manage: bool,
}

/// The test checkout's payment page, as it shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TestCheckoutView {
    pub session_id: String,
    pub description: String,
    pub amount: String,
    pub email: String,
    pub payable: bool,
}
