//! The rule for content above a smaller plan (after a downgrade, or when a lapsed payment ends a
//! subscription). Nothing is ever deleted:
//!
//! 1. At once, nothing new passes the plan's limits (every publish, product, upload and invite
//!    checks them), and the admins are mailed what is over and the date of step 2.
//! 2. After [`GRACE`], if it is still over, the newest live pages and switched-on products beyond
//!    the limits are switched off (through their own write paths) and the admins mailed the list.
//!    Files and teammates above the plan stay; only new ones are refused.
//!
//! `organizations.over_plan_since` marks the grace period's start. Each step happens once
//! whatever the number of instances: the mark is set and cleared by conditional updates.

use crate::error::AppError;
use crate::infra::db::prelude::*;
use crate::infra::db::schema::{organizations, pages, products, subscriptions, users};
use crate::infra::db::{Db, DbError};
use crate::infra::mail::escape_html;
use crate::infra::mail::outbox::OutgoingMail;
use crate::infra::state::AppState;
use crate::plans::backend::store::{Usage, plan_for_organization, usage};
use crate::{db_read, db_write};
use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};

/// How long content above the plan stays published.
pub const GRACE: TimeDelta = TimeDelta::days(14);

/// When the rule switches off what is above the plan, or `None` when nothing is above it.
pub async fn over_plan_since(db: &Db, org_id: &str) -> Result<Option<NaiveDateTime>, DbError> {
    let since: Option<Option<NaiveDateTime>> = db_read!(db, conn => {
        Ok::<_, DbError>(organizations::table.filter(organizations::id.eq(org_id)).select(organizations::over_plan_since).first(conn).await.optional()?)
    })?;
    Ok(since.flatten())
}

/// The date the rule applies, as the billing page and the mail say it.
pub fn deadline(since: NaiveDateTime) -> String {
    (since + GRACE).format("%-d %B %Y").to_string()
}

/// Compares the organization's content with its plan now: starts the grace period (and mails the
/// admins, in the same transaction) when it is newly over, ends it when it is within again.
pub async fn review(state: &AppState, org_id: &str, now: DateTime<Utc>) -> Result<(), AppError> {
    let plan = plan_for_organization(&state.db, org_id).await?;
    let used = usage(&state.db, org_id).await?;
    let over = used.over_published_limits(&plan.features);
    let now = now.naive_utc();
    let (what, deadline_text, public_url) = (describe_over(&used, &plan.features), deadline(now), state.config.public_url.as_str());
    db_write!(state.db, conn => {
        let target = organizations::table.filter(organizations::id.eq(org_id));
        if !over {
            diesel::update(target.filter(organizations::over_plan_since.is_not_null())).set(organizations::over_plan_since.eq(None::<NaiveDateTime>)).execute(conn).await?;
            return Ok(());
        }
        let marked = diesel::update(target.filter(organizations::over_plan_since.is_null())).set(organizations::over_plan_since.eq(Some(now))).execute(conn).await?;
        if marked == 1 {
            let mails: Vec<OutgoingMail> = admin_emails_in!(conn, org_id).iter().map(|to| over_plan_mail(to, &plan.name, &what, &deadline_text, public_url)).collect();
            crate::enqueue_mails!(conn, &mails, now)?;
        }
        Ok::<_, DbError>(())
    })?;
    Ok(())
}

/// Reviews every organization whose standing may have changed: those in a grace period (which
/// ends when they come back within their limits), and those whose subscription changed lately
/// (so a review that failed after its event was applied happens anyway). Returns how many.
pub async fn review_due(state: &AppState, now: DateTime<Utc>) -> Result<usize, AppError> {
    let since = (now - TimeDelta::minutes(10)).naive_utc();
    let orgs: Vec<String> = db_read!(state.db, conn => {
        let marked: Vec<String> = organizations::table.filter(organizations::over_plan_since.is_not_null()).select(organizations::id).load(conn).await?;
        let changed: Vec<String> = subscriptions::table
            .inner_join(users::table)
            .filter(subscriptions::updated_at.ge(since))
            .select(users::organization_id)
            .load(conn)
            .await?;
        Ok::<_, DbError>(marked.into_iter().chain(changed).collect::<std::collections::BTreeSet<_>>().into_iter().collect())
    })?;
    for org in &orgs {
        review(state, org, now).await?;
    }
    Ok(orgs.len())
}

/// What is over, in words: "5 live pages (Free allows 3)".
fn describe_over(used: &Usage, features: &crate::plans::model::PlanFeatures) -> String {
    let mut parts = Vec::new();
    if let Some(limit) = features.active_pages.filter(|l| used.live_pages > i64::from(*l)) {
        parts.push(format!("{} live pages (the plan allows {limit})", used.live_pages));
    }
    if let Some(limit) = features.products.filter(|l| used.active_products > i64::from(*l)) {
        parts.push(format!("{} switched-on products (the plan allows {limit})", used.active_products));
    }
    parts.join(" and ")
}

/// Applies step 2 to every organization whose grace period is over at `now`; returns how many.
pub async fn enforce_due(state: &AppState, now: DateTime<Utc>) -> Result<usize, AppError> {
    let due_before = (now - GRACE).naive_utc();
    let due: Vec<(String, NaiveDateTime)> = db_read!(state.db, conn => {
        Ok::<_, DbError>(organizations::table
            .filter(organizations::over_plan_since.le(due_before))
            .select((organizations::id, organizations::over_plan_since.assume_not_null()))
            .load(conn)
            .await?)
    })?;
    let mut done = 0;
    for (org_id, since) in due {
        // Claim it: of several instances, one clears the mark and acts.
        let org = org_id.as_str();
        let claimed = db_write!(state.db, conn => {
            Ok::<_, DbError>(diesel::update(organizations::table.filter(organizations::id.eq(org)).filter(organizations::over_plan_since.eq(since)))
                .set(organizations::over_plan_since.eq(None::<NaiveDateTime>))
                .execute(conn)
                .await?)
        })?;
        if claimed == 1 {
            if let Err(e) = switch_off_above_plan(state, &org_id).await {
                // Put the mark back, so that the next run tries again.
                db_write!(state.db, conn => {
                    Ok::<_, DbError>(diesel::update(organizations::table.filter(organizations::id.eq(org)).filter(organizations::over_plan_since.is_null()))
                        .set(organizations::over_plan_since.eq(Some(since)))
                        .execute(conn)
                        .await?)
                })?;
                return Err(e);
            }
            done += 1;
        }
    }
    Ok(done)
}

/// Switches off the newest live pages and products beyond the plan, and mails the admins the list.
async fn switch_off_above_plan(state: &AppState, org_id: &str) -> Result<(), AppError> {
    let plan = plan_for_organization(&state.db, org_id).await?;
    let (page_ids, product_ids) = newest_beyond(&state.db, org_id, plan.features.active_pages, plan.features.products).await?;
    let mut names = Vec::new();
    for (id, title) in &page_ids {
        crate::pages::backend::writer::unpublish(state, org_id, id).await?;
        names.push(format!("Page: {title}"));
    }
    for (id, name) in &product_ids {
        crate::products::backend::writer::set_active(&state.db, org_id, id, false, None).await?;
        names.push(format!("Product: {name}"));
    }
    if names.is_empty() {
        return Ok(());
    }
    tracing::info!(organization = %org_id, switched_off = names.len(), "content above the plan switched off after the grace period");
    let mail = |to: &str| switched_off_mail(to, &plan.name, &names, &state.config.public_url);
    mail_admins_with(state, org_id, mail).await
}

type Named = Vec<(String, String)>;

/// The live pages and switched-on products beyond the limits, newest first.
async fn newest_beyond(db: &Db, org_id: &str, page_limit: Option<u32>, product_limit: Option<u32>) -> Result<(Named, Named), DbError> {
    db_read!(db, conn => {
        let pages_over: Named = match page_limit {
            None => Vec::new(),
            Some(limit) => {
                let live: Vec<(String, String, String)> = pages::table
                    .filter(pages::organization_id.eq(org_id))
                    .filter(pages::is_active.eq(true))
                    .order((pages::created_at.desc(), pages::id.desc()))
                    .select((pages::id, pages::short_id, pages::customization))
                    .load(conn)
                    .await?;
                let over = live.len().saturating_sub(limit as usize);
                live.into_iter()
                    .take(over)
                    .map(|(id, short_id, look)| {
                        let headline = crate::pages::customization::Customization::from_json(&look).map(|c| c.headline).unwrap_or_default();
                        (id, format!("{headline} (/p/{short_id})"))
                    })
                    .collect()
            }
        };
        let products_over: Named = match product_limit {
            None => Vec::new(),
            Some(limit) => {
                let on: Vec<(String, String)> = products::table
                    .filter(products::organization_id.eq(org_id))
                    .filter(products::is_active.eq(true))
                    .order((products::created_at.desc(), products::id.desc()))
                    .select((products::id, products::name))
                    .load(conn)
                    .await?;
                let over = on.len().saturating_sub(limit as usize);
                on.into_iter().take(over).collect()
            }
        };
        Ok::<_, DbError>((pages_over, products_over))
    })
}

/// Inside a transaction: the addresses of the organization's admins (`Vec<String>`).
macro_rules! admin_emails_in {
    ($conn:expr, $org_id:expr) => {{
        use $crate::infra::db::schema::{roles, user_roles, users};
        let emails: Vec<String> = user_roles::table
            .inner_join(roles::table)
            .inner_join(users::table)
            .filter(users::organization_id.eq($org_id))
            .filter(roles::name.eq($crate::accounts::permissions::Role::Admin.as_str()))
            .select(users::email)
            .load($conn)
            .await?;
        emails
    }};
}
pub(super) use admin_emails_in;

/// The addresses of the organization's admins.
async fn admin_emails(db: &Db, org_id: &str) -> Result<Vec<String>, DbError> {
    db_read!(db, conn => Ok::<_, DbError>(admin_emails_in!(conn, org_id)))
}

/// Queues one mail to each admin.
pub async fn mail_admins_with(state: &AppState, org_id: &str, mail: impl Fn(&str) -> OutgoingMail) -> Result<(), AppError> {
    let mails: Vec<OutgoingMail> = admin_emails(&state.db, org_id).await?.iter().map(|to| mail(to)).collect();
    let now = Utc::now().naive_utc();
    db_write!(state.db, conn => {
        Ok::<_, DbError>(crate::enqueue_mails!(conn, &mails, now)?)
    })?;
    Ok(())
}

fn billing_link(public_url: &str) -> String {
    format!("{public_url}/dashboard/billing")
}

fn plain_mail(to: &str, subject: String, paragraphs: &[String]) -> OutgoingMail {
    OutgoingMail {
        to: to.to_string(),
        subject,
        text: paragraphs.join("\n\n") + "\n",
        html: Some(paragraphs.iter().map(|p| format!("<p>{}</p>", escape_html(p))).collect::<String>()),
        ..Default::default()
    }
}

fn over_plan_mail(to: &str, plan: &str, over: &str, deadline: &str, public_url: &str) -> OutgoingMail {
    plain_mail(
        to,
        format!("Your Flashpage plan is now {plan}: some content is above its limits"),
        &[
            format!("Your organization is now on the {plan} plan, and it has {over}."),
            format!(
                "Nothing is deleted. Until {deadline} everything stays published; then the newest pages and products above the \
                 limits are switched off. Switch some off yourself to choose which stay, or choose a larger plan: {}",
                billing_link(public_url)
            ),
        ],
    )
}

fn switched_off_mail(to: &str, plan: &str, names: &[String], public_url: &str) -> OutgoingMail {
    plain_mail(
        to,
        format!("Flashpage: content above your {plan} plan was switched off"),
        &[
            format!("The grace period is over, so what was above the {plan} plan's limits is now switched off (nothing was deleted):"),
            names.join("\n"),
            format!("Switch them on again after switching others off, or with a larger plan: {}", billing_link(public_url)),
        ],
    )
}

/// An admin's notice of a failed subscription payment.
pub fn payment_failed_mail(to: &str, plan: &str, public_url: &str) -> OutgoingMail {
    plain_mail(
        to,
        format!("Flashpage: the payment for your {plan} plan failed"),
        &[
            format!("We couldn't take the payment for your {plan} plan. It is tried again over the next days, and the plan stays meanwhile."),
            format!(
                "Update the payment method on the billing page. If every attempt fails, the subscription ends and the Free plan's \
                 limits apply, with {} days' grace for what is above them: {}",
                GRACE.num_days(),
                billing_link(public_url)
            ),
        ],
    )
}
