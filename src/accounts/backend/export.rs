//! The organization's data as one JSON document (`/dashboard/export/organization.json`): the
//! organization, its groups, members (names, addresses, roles), open invitations, pages with
//! their settings, look and content, products with their files' names, and the plan. Orders and
//! registrations come as CSVs of their own. Nothing secret is in it: no password hashes, tokens
//! or session ids.

use crate::db_read;
use crate::infra::db::prelude::*;
use crate::infra::db::schema::{files, groups, invitations, organizations, page_contents, pages, products, roles, user_roles, users};
use crate::infra::db::{Db, DbError};
use chrono::NaiveDateTime;
use serde_json::{Value, json};

fn time(t: NaiveDateTime) -> String {
    t.and_utc().to_rfc3339()
}

/// A stored JSON text as JSON (or as the text, should it not parse).
fn parsed(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string()))
}

pub async fn organization(db: &Db, org_id: &str, now: NaiveDateTime) -> Result<Value, DbError> {
    db_read!(db, conn => {
        let (name, is_enterprise, created_at): (String, bool, NaiveDateTime) = organizations::table
            .filter(organizations::id.eq(org_id))
            .select((organizations::name, organizations::is_enterprise, organizations::created_at))
            .first(conn)
            .await?;
        let group_rows: Vec<(String, String)> = groups::table.filter(groups::organization_id.eq(org_id)).order(groups::name).select((groups::id, groups::name)).load(conn).await?;
        let member_rows: Vec<(String, String, String, String, NaiveDateTime)> = users::table
            .filter(users::organization_id.eq(org_id))
            .order(users::created_at)
            .select((users::id, users::name, users::email, users::group_id, users::created_at))
            .load(conn)
            .await?;
        let role_rows: Vec<(String, String)> = user_roles::table
            .inner_join(roles::table)
            .inner_join(users::table)
            .filter(users::organization_id.eq(org_id))
            .select((user_roles::user_id, roles::name))
            .load(conn)
            .await?;
        let invitation_rows: Vec<(String, String, String, NaiveDateTime)> = invitations::table
            .filter(invitations::organization_id.eq(org_id))
            .filter(invitations::accepted_at.is_null())
            .filter(invitations::revoked_at.is_null())
            .filter(invitations::expires_at.gt(now))
            .select((invitations::email, invitations::roles, invitations::group_id, invitations::expires_at))
            .load(conn)
            .await?;
        type PageRow = (String, String, String, bool, Option<NaiveDateTime>, Option<NaiveDateTime>, NaiveDateTime, Option<String>, String, String, i64);
        let page_rows: Vec<PageRow> = pages::table
            .filter(pages::organization_id.eq(org_id))
            .order(pages::created_at)
            .select((
                pages::id, pages::short_id, pages::page_type, pages::is_active, pages::launch_at, pages::expires_at, pages::created_at, pages::group_id,
                pages::settings, pages::customization, pages::view_count,
            ))
            .load(conn)
            .await?;
        let page_ids: Vec<&String> = page_rows.iter().map(|p| &p.0).collect();
        type BlockRow = (String, String, Option<String>, String, String, Option<i64>, Option<String>, i32);
        let block_rows: Vec<BlockRow> = page_contents::table
            .filter(page_contents::page_id.eq_any(page_ids))
            .order((page_contents::page_id, page_contents::position))
            .select((
                page_contents::page_id, page_contents::content_type, page_contents::product_id, page_contents::title, page_contents::description,
                page_contents::price_minor, page_contents::currency, page_contents::position,
            ))
            .load(conn)
            .await?;
        type ProductRow = (String, String, String, i64, String, bool, Option<NaiveDateTime>, NaiveDateTime, Option<String>);
        let product_rows: Vec<ProductRow> = products::table
            .filter(products::organization_id.eq(org_id))
            .order(products::created_at)
            .select((
                products::id, products::name, products::description, products::price_minor, products::currency, products::is_active,
                products::expires_at, products::created_at, products::group_id,
            ))
            .load(conn)
            .await?;
        let product_ids: Vec<&String> = product_rows.iter().map(|p| &p.0).collect();
        let file_rows: Vec<(String, String, String, i64, String)> = files::table
            .filter(files::product_id.eq_any(product_ids))
            .select((files::product_id, files::file_name, files::file_type, files::file_size_bytes, files::sha256))
            .load(conn)
            .await?;

        let group_name = |id: &str| group_rows.iter().find(|(g, _)| g == id).map(|(_, n)| n.clone());
        let members: Vec<Value> = member_rows
            .iter()
            .map(|(id, name, email, group, created)| {
                let roles: Vec<&String> = role_rows.iter().filter(|(u, _)| u == id).map(|(_, r)| r).collect();
                json!({ "id": id, "name": name, "email": email, "roles": roles, "group": group_name(group), "joined_at": time(*created) })
            })
            .collect();
        let pages_json: Vec<Value> = page_rows
            .iter()
            .map(|(id, short_id, kind, active, launch, expires, created, group, settings, look, views)| {
                let blocks: Vec<Value> = block_rows
                    .iter()
                    .filter(|b| &b.0 == id)
                    .map(|(_, kind, product, title, description, price, currency, position)| {
                        json!({ "kind": kind, "product_id": product, "title": title, "description": description, "price_minor": price, "currency": currency, "position": position })
                    })
                    .collect();
                json!({
                    "id": id, "short_id": short_id, "type": kind, "published": active, "launch_at": launch.map(time), "expires_at": expires.map(time),
                    "created_at": time(*created), "group": group.as_deref().and_then(group_name), "settings": parsed(settings), "customization": parsed(look),
                    "views": views, "content": blocks,
                })
            })
            .collect();
        let products_json: Vec<Value> = product_rows
            .iter()
            .map(|(id, name, description, price, currency, active, expires, created, group)| {
                let product_files: Vec<Value> = file_rows
                    .iter()
                    .filter(|f| &f.0 == id)
                    .map(|(_, file_name, file_type, size, sha)| json!({ "name": file_name, "type": file_type, "bytes": size, "sha256": sha }))
                    .collect();
                json!({
                    "id": id, "name": name, "description": description, "price_minor": price, "currency": currency, "switched_on": active,
                    "expires_at": expires.map(time), "created_at": time(*created), "group": group.as_deref().and_then(group_name), "files": product_files,
                })
            })
            .collect();
        let invitations_json: Vec<Value> = invitation_rows
            .iter()
            .map(|(email, roles, group, expires)| json!({ "email": email, "roles": roles.split(',').collect::<Vec<_>>(), "group": group_name(group), "expires_at": time(*expires) }))
            .collect();
        Ok::<_, DbError>(json!({
            "exported_at": time(now),
            "organization": { "id": org_id, "name": name, "enterprise": is_enterprise, "created_at": time(created_at) },
            "groups": group_rows.iter().map(|(_, n)| n).collect::<Vec<_>>(),
            "members": members,
            "open_invitations": invitations_json,
            "pages": pages_json,
            "products": products_json,
            "orders": "orders.csv",
            "registrations": "registrations.csv",
        }))
    })
}
