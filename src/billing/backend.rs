//! Plans as the server reads them: an organization's plan and the plans above it.

use super::plans::{FREE_PLAN_NAME, PlanFeatures};
use crate::db_read;
use crate::infra::db::prelude::*;
use crate::infra::db::schema::{organizations, plans, subscriptions};
use crate::infra::db::{Db, DbError};

/// Subscription statuses under which a plan's limits apply.
const CURRENT: [&str; 4] = ["free", "active", "trialing", "past_due"];

#[derive(Clone, Debug)]
pub struct Plan {
    pub name: String,
    pub price_in_cents: i64,
    pub features: PlanFeatures,
}

fn parse(name: String, price_in_cents: i64, features: String) -> Result<Plan, DbError> {
    let features = serde_json::from_str(&features)
        .map_err(|e| DbError::Query(diesel::result::Error::DeserializationError(Box::new(e))))?;
    Ok(Plan { name, price_in_cents, features })
}

/// The plan of the organization's owner (the organization's plan), falling back to Free.
pub async fn plan_for_organization(db: &Db, org_id: &str) -> Result<Plan, DbError> {
    let row: Option<(String, i64, String)> = db_read!(db, conn => {
        Ok::<_, DbError>(organizations::table
            .inner_join(subscriptions::table.on(subscriptions::user_id.eq(organizations::owner_id)))
            .inner_join(plans::table.on(plans::id.eq(subscriptions::plan_id)))
            .filter(organizations::id.eq(org_id))
            .filter(subscriptions::status.eq_any(CURRENT))
            .order(subscriptions::created_at.desc())
            .select((plans::name, plans::price_in_cents, plans::features))
            .first(conn)
            .await
            .optional()?)
    })?;
    match row {
        Some((name, price, features)) => parse(name, price, features),
        None => {
            let (name, price, features): (String, i64, String) = db_read!(db, conn => {
                Ok::<_, DbError>(plans::table
                    .filter(plans::name.eq(FREE_PLAN_NAME))
                    .select((plans::name, plans::price_in_cents, plans::features))
                    .first(conn)
                    .await?)
            })?;
            parse(name, price, features)
        }
    }
}

/// Visible plans, cheapest first.
pub async fn visible_plans(db: &Db) -> Result<Vec<Plan>, DbError> {
    let rows: Vec<(String, i64, String)> = db_read!(db, conn => {
        Ok::<_, DbError>(plans::table
            .filter(plans::is_visible.eq(true))
            .order(plans::price_in_cents.asc())
            .select((plans::name, plans::price_in_cents, plans::features))
            .load(conn)
            .await?)
    })?;
    rows.into_iter().map(|(n, p, f)| parse(n, p, f)).collect()
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
