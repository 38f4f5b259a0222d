//! Content blocks of a page: queries and the operations the server functions call. Every change
//! goes through the page writer ([`page_write!`]), which finds the page within the caller's
//! organization and locks it; then only blocks of that page are touched, so a block id from another
//! tenant finds nothing.

use super::store::page_write;
use crate::accounts::guard::{Scope, can};
use crate::db_read;
use crate::error::AppError;
use crate::infra::db::prelude::*;
use crate::infra::db::schema::page_contents;
use crate::infra::db::{Db, DbError, new_id};
use crate::infra::state::AppState;
use crate::pages::blocks::{ContentInput, ContentItem, ContentKind, MAX_ITEMS};
use crate::pages::settings::PageType;

/// A block as stored (its kind as text).
#[derive(diesel::Queryable, diesel::Selectable)]
#[diesel(table_name = page_contents)]
struct ItemRow {
    id: String,
    content_type: String,
    title: String,
    description: String,
    price_minor: Option<i64>,
    currency: Option<String>,
    product_id: Option<String>,
}

fn item_from_row(row: ItemRow) -> Option<ContentItem> {
    let ItemRow { id, content_type, title, description, price_minor, currency, product_id } = row;
    Some(ContentItem { id, kind: ContentKind::parse(&content_type)?, title, description, price_minor, currency, product_id })
}

/// The page's blocks in display order (blocks of a kind this version does not know are skipped).
pub async fn list(db: &Db, page_id: &str) -> Result<Vec<ContentItem>, DbError> {
    let rows: Vec<ItemRow> = db_read!(db, conn => {
        Ok::<_, DbError>(page_contents::table
            .filter(page_contents::page_id.eq(page_id))
            .order((page_contents::position.asc(), page_contents::id.asc()))
            .select(ItemRow::as_select())
            .load::<ItemRow>(conn)
            .await?)
    })?;
    Ok(rows.into_iter().filter_map(item_from_row).collect())
}

/// Which way a block moves in the list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Up,
    Down,
}

impl Direction {
    pub fn parse(s: &str) -> Option<Direction> {
        match s {
            "up" => Some(Direction::Up),
            "down" => Some(Direction::Down),
            _ => None,
        }
    }
}

fn block_not_found() -> AppError {
    AppError::not_found("That block is gone. It may have been removed in another tab.")
}

/// A product block on a page that sells nothing.
fn not_for_sale() -> AppError {
    AppError::fields(vec![crate::error::FieldError {
        field: "kind".into(),
        message: "Products are sold on flash-sale and limited-offer pages. Use an offer block here.".into(),
    }])
}

/// Products are sold on selling pages only (checked under the page's lock).
fn sells(page_type: &str, input: &ContentInput) -> bool {
    input.kind != ContentKind::Product || matches!(PageType::parse(page_type), Some(PageType::FlashSale | PageType::LimitedOffer))
}

/// Adds a checked block, stored under `title`, at the end of a page the caller may edit. The
/// page's row lock (see [`page_write!`]) makes the count and the next position safe against
/// concurrent adds on PostgreSQL too.
pub async fn add(state: &AppState, scope: &Scope<can::EditPages>, page_id: &str, input: &ContentInput, title: &str) -> Result<String, AppError> {
    let id = new_id();
    let new_id = id.as_str();
    let added = page_write!(state, scope.organization_id(), page_id, |conn, row| {
        if !sells(&row.page_type, input) {
            return Ok(Err(()));
        }
        let count: i64 = page_contents::table.filter(page_contents::page_id.eq(page_id)).count().get_result(conn).await?;
        if count >= MAX_ITEMS as i64 {
            return Ok(Ok(false));
        }
        let last: Option<i32> =
            page_contents::table.filter(page_contents::page_id.eq(page_id)).select(diesel::dsl::max(page_contents::position)).first(conn).await?;
        diesel::insert_into(page_contents::table)
            .values((
                page_contents::id.eq(new_id),
                page_contents::page_id.eq(page_id),
                page_contents::content_type.eq(input.kind.as_str()),
                page_contents::title.eq(title),
                page_contents::description.eq(&input.description),
                page_contents::price_minor.eq(input.price_minor),
                page_contents::currency.eq(&input.currency),
                page_contents::product_id.eq(&input.product_id),
                page_contents::metadata.eq("{}"),
                page_contents::position.eq(last.unwrap_or(0) + 1),
            ))
            .execute(conn)
            .await?;
        Ok::<_, DbError>(Ok(true))
    })?
    .map_err(|()| not_for_sale())?;
    if !added {
        return Err(AppError::conflict(format!("A page holds up to {MAX_ITEMS} blocks. Remove one to add another.")));
    }
    Ok(id)
}

/// Changes a checked block of a page the caller may edit, storing it under `title`.
pub async fn update(state: &AppState, scope: &Scope<can::EditPages>, page_id: &str, item_id: &str, input: &ContentInput, title: &str) -> Result<(), AppError> {
    let n = page_write!(state, scope.organization_id(), page_id, |conn, row| {
        if !sells(&row.page_type, input) {
            return Ok(Err(()));
        }
        let n = diesel::update(page_contents::table.filter(page_contents::id.eq(item_id)).filter(page_contents::page_id.eq(page_id)))
            .set((
                page_contents::content_type.eq(input.kind.as_str()),
                page_contents::title.eq(title),
                page_contents::description.eq(&input.description),
                page_contents::price_minor.eq(input.price_minor),
                page_contents::currency.eq(&input.currency),
                page_contents::product_id.eq(&input.product_id),
            ))
            .execute(conn)
            .await?;
        Ok::<_, DbError>(Ok(n))
    })?
    .map_err(|()| not_for_sale())?;
    if n == 0 { Err(block_not_found()) } else { Ok(()) }
}

pub async fn remove(state: &AppState, scope: &Scope<can::EditPages>, page_id: &str, item_id: &str) -> Result<(), AppError> {
    super::store::editable(state, scope, page_id).await?;
    let n = page_write!(state, scope.organization_id(), page_id, |conn, _row| {
        diesel::delete(page_contents::table.filter(page_contents::id.eq(item_id)).filter(page_contents::page_id.eq(page_id))).execute(conn).await
    })?;
    if n == 0 { Err(block_not_found()) } else { Ok(()) }
}

/// Swaps a block with its neighbour; moving the first block up (or the last down) changes nothing.
pub async fn reorder(state: &AppState, scope: &Scope<can::EditPages>, page_id: &str, item_id: &str, direction: Direction) -> Result<(), AppError> {
    super::store::editable(state, scope, page_id).await?;
    let found = page_write!(state, scope.organization_id(), page_id, |conn, _row| {
        let ids: Vec<String> = page_contents::table
            .filter(page_contents::page_id.eq(page_id))
            .order((page_contents::position.asc(), page_contents::id.asc()))
            .select(page_contents::id)
            .load(conn)
            .await?;
        let Some(at) = ids.iter().position(|id| id == item_id) else { return Ok(false) };
        let to = match direction {
            Direction::Up => at.checked_sub(1),
            Direction::Down => Some(at + 1).filter(|&i| i < ids.len()),
        };
        let mut order = ids;
        if let Some(to) = to {
            order.swap(at, to);
        }
        // Renumber the whole list: it also mends duplicate positions left by older data.
        for (i, id) in order.iter().enumerate() {
            diesel::update(page_contents::table.filter(page_contents::id.eq(id))).set(page_contents::position.eq(i as i32 + 1)).execute(conn).await?;
        }
        Ok::<bool, DbError>(true)
    })?;
    if found { Ok(()) } else { Err(block_not_found()) }
}

/// Copies every block of one of the organization's pages to another (duplicating a page).
pub async fn copy_all(state: &AppState, scope: &Scope<can::EditPages>, from_page: &str, to_page: &str) -> Result<(), AppError> {
    super::store::editable(state, scope, to_page).await?;
    let items = &list(&state.db, from_page).await?;
    if items.is_empty() {
        return Ok(());
    }
    page_write!(state, scope.organization_id(), to_page, |conn, _row| {
        for (i, item) in items.iter().enumerate() {
            diesel::insert_into(page_contents::table)
                .values((
                    page_contents::id.eq(new_id()),
                    page_contents::page_id.eq(to_page),
                    page_contents::content_type.eq(item.kind.as_str()),
                    page_contents::title.eq(&item.title),
                    page_contents::description.eq(&item.description),
                    page_contents::price_minor.eq(item.price_minor),
                    page_contents::currency.eq(&item.currency),
                    page_contents::product_id.eq(&item.product_id),
                    page_contents::metadata.eq("{}"),
                    page_contents::position.eq(i as i32 + 1),
                ))
                .execute(conn)
                .await?;
        }
        Ok::<(), DbError>(())
    })
}
