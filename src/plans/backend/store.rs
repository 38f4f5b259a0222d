//! Plans and subscriptions as the server reads them: an organization's plan and subscription,
//! the plans above it, and what the organization uses of its limits.

use crate::db_read;
use crate::infra::db::prelude::*;
use crate::infra::db::schema::{organizations, pages, plans, products, subscriptions, users};
use crate::infra::db::{Db, DbError};
use crate::plans::model::{FREE_PLAN_NAME, PlanFeatures};
use chrono::NaiveDateTime;

/// Subscription statuses under which a plan's limits apply. (A past-due subscription keeps its
/// plan while the provider retries the payment; `unpaid`, `incomplete` and `canceled` do not.)
pub const CURRENT: [&str; 4] = ["free", "active", "trialing", "past_due"];

#[derive(Clone, Debug)]
pub struct Plan {
    pub id: String,
    pub name: String,
    pub description: String,
    pub price_minor: i64,
    pub currency: String,
    pub interval: String,
    pub is_visible: bool,
    pub features: PlanFeatures,
}

impl Plan {
    pub fn is_free(&self) -> bool {
        self.price_minor == 0
    }
}

/// A plan as stored (its features as JSON).
#[derive(diesel::Queryable, diesel::Selectable)]
#[diesel(table_name = plans)]
struct PlanRow {
    id: String,
    name: String,
    description: String,
    price_minor: i64,
    currency: String,
    interval: String,
    is_visible: bool,
    features: String,
}

fn parse(row: PlanRow) -> Result<Plan, DbError> {
    let PlanRow { id, name, description, price_minor, currency, interval, is_visible, features } = row;
    let features = serde_json::from_str(&features).map_err(|e| DbError::Query(diesel::result::Error::DeserializationError(Box::new(e))))?;
    Ok(Plan { id, name, description, price_minor, currency, interval, is_visible, features })
}

/// The plan of the organization's owner (the organization's plan), falling back to Free.
pub async fn plan_for_organization(db: &Db, org_id: &str) -> Result<Plan, DbError> {
    let row: Option<PlanRow> = db_read!(db, conn => {
        Ok::<_, DbError>(organizations::table
            .inner_join(subscriptions::table.on(subscriptions::user_id.eq(organizations::owner_id)))
            .inner_join(plans::table.on(plans::id.eq(subscriptions::plan_id)))
            .filter(organizations::id.eq(org_id))
            .filter(subscriptions::status.eq_any(CURRENT))
            .order(subscriptions::created_at.desc())
            .select(PlanRow::as_select())
            .first(conn)
            .await
            .optional()?)
    })?;
    match row {
        Some(row) => parse(row),
        None => free_plan(db).await,
    }
}

pub async fn free_plan(db: &Db) -> Result<Plan, DbError> {
    let row: PlanRow = db_read!(db, conn => {
        Ok::<_, DbError>(plans::table.filter(plans::name.eq(FREE_PLAN_NAME)).select(PlanRow::as_select()).first(conn).await?)
    })?;
    parse(row)
}

/// Visible plans, cheapest first.
pub async fn visible_plans(db: &Db) -> Result<Vec<Plan>, DbError> {
    let rows: Vec<PlanRow> = db_read!(db, conn => {
        Ok::<_, DbError>(plans::table
            .filter(plans::is_visible.eq(true))
            .order(plans::price_minor.asc())
            .select(PlanRow::as_select())
            .load(conn)
            .await?)
    })?;
    rows.into_iter().map(parse).collect()
}

/// A plan by its id, hidden ones too (a subscriber keeps a plan that was hidden later).
pub async fn plan_by_id(db: &Db, id: &str) -> Result<Option<Plan>, DbError> {
    let row: Option<PlanRow> = db_read!(db, conn => {
        Ok::<_, DbError>(plans::table.filter(plans::id.eq(id)).select(PlanRow::as_select()).first(conn).await.optional()?)
    })?;
    row.map(parse).transpose()
}

/// The subscription that gives the organization its plan, as the billing page needs it.
#[derive(Clone, Debug, diesel::Queryable, diesel::Selectable)]
#[diesel(table_name = subscriptions)]
pub struct CurrentSubscription {
    pub id: String,
    pub plan_id: String,
    pub status: String,
    pub end_date: Option<NaiveDateTime>,
    pub stripe_subscription_id: Option<String>,
    pub stripe_customer_id: Option<String>,
    pub price_minor: i64,
    pub currency: String,
    pub cancel_at_period_end: bool,
}

/// The organization's newest subscription that is current, or waiting for its first payment
/// (`incomplete`), or `None` (Free without a row).
pub async fn current_subscription(db: &Db, org_id: &str) -> Result<Option<CurrentSubscription>, DbError> {
    db_read!(db, conn => {
        Ok::<_, DbError>(organizations::table
            .inner_join(subscriptions::table.on(subscriptions::user_id.eq(organizations::owner_id)))
            .filter(organizations::id.eq(org_id))
            .filter(subscriptions::status.eq_any(["free", "active", "trialing", "past_due", "incomplete"]))
            .order(subscriptions::created_at.desc())
            .select(CurrentSubscription::as_select())
            .first(conn)
            .await
            .optional()?)
    })
}

/// The provider's customer of the organization's latest subscription, so that a new one is
/// billed to the same customer.
pub async fn customer_of(db: &Db, org_id: &str) -> Result<Option<String>, DbError> {
    let found: Option<Option<String>> = db_read!(db, conn => {
        Ok::<_, DbError>(organizations::table
            .inner_join(subscriptions::table.on(subscriptions::user_id.eq(organizations::owner_id)))
            .filter(organizations::id.eq(org_id))
            .filter(subscriptions::stripe_customer_id.is_not_null())
            .order(subscriptions::created_at.desc())
            .select(subscriptions::stripe_customer_id)
            .first(conn)
            .await
            .optional()?)
    })?;
    Ok(found.flatten())
}

/// What an organization uses of its plan's limits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    pub live_pages: i64,
    pub active_products: i64,
    pub storage_bytes: i64,
    pub members: i64,
}

pub async fn usage(db: &Db, org_id: &str) -> Result<Usage, DbError> {
    db_read!(db, conn => {
        let live_pages: i64 = pages::table.filter(pages::organization_id.eq(org_id)).filter(pages::is_active.eq(true)).count().get_result(conn).await?;
        let active_products: i64 =
            products::table.filter(products::organization_id.eq(org_id)).filter(products::is_active.eq(true)).count().get_result(conn).await?;
        let storage_bytes: i64 = organizations::table.filter(organizations::id.eq(org_id)).select(organizations::storage_bytes).first(conn).await?;
        let members: i64 = users::table.filter(users::organization_id.eq(org_id)).count().get_result(conn).await?;
        Ok::<_, DbError>(Usage { live_pages, active_products, storage_bytes, members })
    })
}

impl Usage {
    /// Whether what stays published (live pages, switched-on products) exceeds the plan: the
    /// grace period's rule applies to these. Storage and seats above a limit only stop growth.
    pub fn over_published_limits(&self, features: &PlanFeatures) -> bool {
        let over = |used: i64, limit: Option<u32>| limit.is_some_and(|l| used > i64::from(l));
        over(self.live_pages, features.active_pages) || over(self.active_products, features.products)
    }
}

/// The cheapest plan whose `limit` (`None`: unlimited) is above `current`'s.
pub fn next_plan_with_more<'a>(current: &Plan, plans: &'a [Plan], limit: fn(&PlanFeatures) -> Option<u32>) -> Option<&'a Plan> {
    let have = limit(&current.features);
    plans.iter().find(|p| match (limit(&p.features), have) {
        (None, Some(_)) => true,
        (Some(more), Some(have)) => more > have,
        _ => false,
    })
}

/// " The Basic plan allows 25." (or "has no limit"): what a refusal at `limit` adds, empty on
/// the largest plan.
pub fn upgrade_hint(current: &Plan, plans: &[Plan], limit: fn(&PlanFeatures) -> Option<u32>) -> String {
    match next_plan_with_more(current, plans, limit) {
        Some(next) => match limit(&next.features) {
            Some(n) => format!(" The {} plan allows {n}.", next.name),
            None => format!(" The {} plan has no limit.", next.name),
        },
        None => String::new(),
    }
}

/// The refusal of a file that would not fit in the plan's storage (`used`: bytes in use).
pub fn storage_full(plan: &Plan, used: i64) -> crate::error::AppError {
    let mb = |bytes: i64| (bytes + 1024 * 1024 - 1) / (1024 * 1024);
    crate::error::AppError::new(
        crate::error::ErrorKind::LimitReached,
        format!(
            "Your {} plan keeps up to {} MB of files and {} MB are in use. Remove images or files you no longer need, or upgrade your plan.",
            plan.name,
            plan.features.storage_mb.unwrap_or_default(),
            mb(used)
        ),
    )
}

/// Whether the plan of the page's organization removes the "Made with Flashpage" line.
pub async fn page_has_custom_branding(db: &Db, page_id: &str) -> Result<bool, DbError> {
    let org: Option<Option<String>> = db_read!(db, conn => {
        Ok::<_, DbError>(pages::table.filter(pages::id.eq(page_id)).select(pages::organization_id).first(conn).await.optional()?)
    })?;
    match org.flatten() {
        Some(org) => Ok(plan_for_organization(db, &org).await?.features.custom_branding),
        None => Ok(false),
    }
}

/// Paid subscriptions renewing between `from` and `to` whose price is no longer their plan's:
/// (provider's subscription id, plan id).
pub async fn renewing_with_old_price(db: &Db, from: NaiveDateTime, to: NaiveDateTime) -> Result<Vec<(String, String)>, DbError> {
    let rows: Vec<(Option<String>, String)> = db_read!(db, conn => {
        Ok::<_, DbError>(subscriptions::table
            .inner_join(plans::table)
            .filter(subscriptions::status.eq("active"))
            .filter(subscriptions::cancel_at_period_end.eq(false))
            .filter(subscriptions::stripe_subscription_id.is_not_null())
            .filter(subscriptions::end_date.between(from, to))
            .filter(subscriptions::price_minor.ne(plans::price_minor))
            .select((subscriptions::stripe_subscription_id, subscriptions::plan_id))
            .load(conn)
            .await?)
    })?;
    Ok(rows.into_iter().filter_map(|(id, plan)| id.map(|id| (id, plan))).collect())
}

/// The provider's ids of every subscription of the organization that has not ended (a second one
/// may run beside the newest, until its period ends).
pub async fn running_subscriptions(db: &Db, org_id: &str) -> Result<Vec<String>, DbError> {
    let ids: Vec<Option<String>> = db_read!(db, conn => {
        Ok::<_, DbError>(organizations::table
            .inner_join(subscriptions::table.on(subscriptions::user_id.eq(organizations::owner_id)))
            .filter(organizations::id.eq(org_id))
            .filter(subscriptions::stripe_subscription_id.is_not_null())
            .filter(subscriptions::status.ne("canceled"))
            .select(subscriptions::stripe_subscription_id)
            .load(conn)
            .await?)
    })?;
    Ok(ids.into_iter().flatten().collect())
}
