//! The organization's data, exported and deleted, on SQLite and PostgreSQL: the JSON export and
//! the registrations CSV (and who may have them); the owner deleting the organization after
//! typing its name: pages offline at once and registrants told, the paid plan ended, files out of
//! storage, people and their data gone, orders kept without a link to anyone, and another
//! organization untouched.

use crate::common;

use chrono::{Duration, SecondsFormat, Utc};
use common::{PASSWORD, TestApp, call, join_team, location};
use diesel::{ExpressionMethods, QueryDsl, TextExpressionMethods};
use flashpage::db_read;
use flashpage::infra::db::DbError;
use flashpage::infra::db::schema::{mail_outbox, orders, organizations, pages, products, security_log, stored_objects, test_subscriptions, users};
use flashpage::infra::storage::ObjectKey;
use serde_json::{Value, json};

const FILE: &[u8] = b"%PDF-1.4\nThe whole course.\n%%EOF\n";

struct Org {
    owner: reqwest::Client,
    organization_id: String,
    shop_short_id: String,
    event_short_id: String,
    item_id: String,
}

async fn org_of(app: &TestApp, email: &str) -> String {
    let email = email.to_string();
    let r: Result<String, DbError> =
        db_read!(app.state.db, conn => Ok(users::table.filter(users::email.eq(&email)).select(users::organization_id).first(conn).await?));
    r.expect("organization")
}

async fn created(app: &TestApp, browser: &reqwest::Client, path: &str, fields: &[(&str, &str)]) -> String {
    let (status, body) = call(app, browser, path, fields).await;
    assert_eq!(status, 200, "{path}: {body}");
    body.as_str().expect("an id").to_string()
}

async fn short_id(app: &TestApp, browser: &reqwest::Client, page: &str) -> String {
    let (_, detail) = call(app, browser, "/api/pages/get", &[("id", page)]).await;
    detail["summary"]["short_id"].as_str().expect("short id").to_string()
}

/// An organization on Basic (paid through the test checkout) with a product and its file on a
/// live flash sale, a live event with one registrant, and a teammate (an editor).
async fn organization(app: &TestApp, email: &str, name: &str) -> Org {
    let owner = app.new_browser();
    assert_eq!(app.signup(&owner, name, email).await.status(), 302);
    let to = location(&app.post_form(&owner, "/api/billing/plan", "/dashboard/billing", &[("plan", "Basic")]).await).replace(&app.base, "");
    let session = to.rsplit('/').next().expect("session").to_string();
    app.post_form(&owner, "/api/checkout/test/pay", &to, &[("session_id", &session)]).await;

    let form = [("form[name]", "Course"), ("form[description]", "A course."), ("form[price]", "15.99"), ("form[currency]", "USD"), ("form[expiresAt]", "")];
    let product = created(app, &owner, "/api/products/create", &form).await;
    use reqwest::multipart::{Form, Part};
    let upload = Form::new().part("file", Part::bytes(FILE.to_vec()).file_name("course.pdf").mime_str("application/pdf").expect("mime"));
    let res = owner
        .post(app.url(&format!("/dashboard/products/{product}/file")))
        .header("accept", "application/json")
        .multipart(upload)
        .send()
        .await
        .expect("upload");
    assert!(res.status().is_success(), "upload: {}", res.status());

    let shop = created(app, &owner, "/api/pages/create", &[("page_type", "flash-sale"), ("headline", "Sale")]).await;
    let ends = (Utc::now() + Duration::days(2)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let settings = json!({"saleEndTime": ends, "discountPercentage": 20, "originalPriceDisplay": true, "inventoryLimit": 10, "soldOutAction": "show-message"});
    let look = json!({"headline": format!("{name}'s sale")});
    let (status, body) = call(
        app,
        &owner,
        "/api/pages/update",
        &[("id", &shop), ("settings", &settings.to_string()), ("customization", &look.to_string()), ("launch_at", ""), ("expires_at", "")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let item = created(
        app,
        &owner,
        "/api/pages/content/add",
        &[("page_id", &shop), ("item[kind]", "product"), ("item[product_id]", &product), ("item[title]", ""), ("item[description]", "")],
    )
    .await;
    assert_eq!(call(app, &owner, "/api/pages/publish", &[("id", &shop)]).await.0, 200);

    let event = created(app, &owner, "/api/pages/create", &[("page_type", "event-registration"), ("headline", "Night")]).await;
    let settings = json!({"eventStartTime": "2031-01-01T18:00:00Z", "eventEndTime": "2031-01-01T20:00:00Z", "timeZone": "UTC", "eventLocation": "virtual", "platformLink": "https://meet.example.com/x", "maxAttendees": 50, "waitlistEnabled": false});
    let look = json!({"headline": format!("{name}'s night")});
    let (status, body) = call(
        app,
        &owner,
        "/api/pages/update",
        &[("id", &event), ("settings", &settings.to_string()), ("customization", &look.to_string()), ("launch_at", ""), ("expires_at", "")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(call(app, &owner, "/api/pages/publish", &[("id", &event)]).await.0, 200);
    let event_short_id = short_id(app, &owner, &event).await;
    let registrant = format!("fan-of-{}", email);
    let res = app
        .client
        .post(app.url(&format!("/p/{event_short_id}/register")))
        .header("accept", "application/json")
        .header("x-forwarded-for", format!("10.9.{}.{}", name.len(), email.len()))
        .form(&[("name", "Fan"), ("email", registrant.as_str())])
        .send()
        .await
        .expect("register");
    assert_eq!(res.status().as_u16(), 200);

    let group: String = {
        let org = org_of(app, email).await;
        let r: Result<String, DbError> =
            db_read!(app.state.db, conn => Ok(users::table.filter(users::organization_id.eq(&org)).select(users::group_id).first(conn).await?));
        r.expect("group")
    };
    join_team(app, &owner, &format!("editor-of-{email}"), "editor", &group).await;
    Org { organization_id: org_of(app, email).await, shop_short_id: short_id(app, &owner, &shop).await, event_short_id, item_id: item, owner }
}

/// A visitor buys the sale's product through the test checkout.
async fn buy(app: &TestApp, org: &Org, buyer: &str) {
    let client = app.new_browser();
    let fields = [("short_id", org.shop_short_id.as_str()), ("item_id", org.item_id.as_str()), ("email", buyer), ("quantity", "1")];
    let res = app.post_form(&client, "/api/p/buy", &format!("/p/{}", org.shop_short_id), &fields).await;
    let to = location(&res).replace(&app.base, "");
    assert!(to.starts_with("/checkout/test/"), "{to}");
    let session = to.trim_start_matches("/checkout/test/").to_string();
    let paid = app.post_form(&client, "/api/checkout/test/pay", &to, &[("session_id", &session)]).await;
    assert_eq!(paid.status().as_u16(), 302);
}

async fn the_organizations_data_is_exported(app: &TestApp) {
    let ada = organization(app, "ada@example.com", "Ada").await;
    let res = app.get(&ada.owner, "/dashboard/export/organization.json").await;
    assert_eq!(res.status().as_u16(), 200);
    assert!(res.headers().get("content-disposition").and_then(|v| v.to_str().ok()).unwrap_or_default().contains("attachment"));
    let text = res.text().await.expect("body");
    assert!(!text.contains("argon2") && !text.contains("password") && !text.contains("token"), "nothing secret: {text}");
    let doc: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(doc["organization"]["id"], json!(ada.organization_id));
    assert_eq!(doc["plan"]["name"], json!("Basic"));
    let emails: Vec<&str> = doc["members"].as_array().expect("members").iter().filter_map(|m| m["email"].as_str()).collect();
    assert_eq!(emails, ["ada@example.com", "editor-of-ada@example.com"]);
    assert_eq!(doc["members"][0]["roles"], json!(["admin"]));
    let pages = doc["pages"].as_array().expect("pages");
    assert_eq!(pages.len(), 2);
    assert_eq!(pages[0]["customization"]["headline"], json!("Ada's sale"));
    assert_eq!(pages[0]["content"][0]["kind"], json!("product"));
    assert_eq!(doc["products"][0]["files"][0]["name"], json!("course.pdf"));

    let csv = app.get(&ada.owner, "/dashboard/export/registrations.csv").await.text().await.expect("csv");
    assert!(csv.contains("Ada's night") && csv.contains("fan-of-ada@example.com") && csv.contains(&format!("/p/{}", ada.event_short_id)), "{csv}");
    // Both exports are in the security log; an editor gets neither; the account page offers them.
    let log = app.get(&ada.owner, "/dashboard/security").await.text().await.expect("log");
    assert!(log.contains("Exported the organization&#x27;s data") || log.contains("Exported the organization's data"), "{log}");
    let account = app.get(&ada.owner, "/dashboard/account").await.text().await.expect("account");
    assert!(account.contains("/dashboard/export/organization.json") && account.contains("data-testid=\"delete-organization\""));
    let editor = app.new_browser();
    let r = app.post_form(&editor, "/api/login", "/login", &[("email", "editor-of-ada@example.com"), ("password", PASSWORD)]).await;
    assert_eq!(r.status().as_u16(), 302);
    assert_eq!(app.get(&editor, "/dashboard/export/organization.json").await.status().as_u16(), 403);
    assert_eq!(app.get(&editor, "/dashboard/export/registrations.csv").await.status().as_u16(), 403);
    let account = app.get(&editor, "/dashboard/account").await.text().await.expect("account");
    assert!(!account.contains("data-testid=\"delete-organization\""), "only the owner is offered the deletion");
}

async fn the_owner_deletes_the_organization(app: &TestApp) {
    let ada = organization(app, "ada@example.com", "Ada").await;
    let bob = organization(app, "bob@example.com", "Bob").await;
    buy(app, &ada, "buyer@example.com").await;
    let ada_keys: Vec<String> = {
        let org = ada.organization_id.clone();
        let r: Result<Vec<String>, DbError> = db_read!(app.state.db, conn => Ok(stored_objects::table.filter(stored_objects::organization_id.eq(&org)).select(stored_objects::key).load(conn).await?));
        r.expect("keys")
    };
    assert!(!ada_keys.is_empty(), "the product's file is stored");

    // Refusals: a teammate, a wrong name, a wrong password. Nothing changes.
    let editor = app.new_browser();
    app.post_form(&editor, "/api/login", "/login", &[("email", "editor-of-ada@example.com"), ("password", PASSWORD)]).await;
    let (status, body) = call(app, &editor, "/api/account/delete-organization", &[("confirm", "Ada's organization"), ("password", PASSWORD)]).await;
    assert_eq!(status, 403, "{body}");
    let name = {
        let org = ada.organization_id.clone();
        let r: Result<String, DbError> =
            db_read!(app.state.db, conn => Ok(organizations::table.filter(organizations::id.eq(&org)).select(organizations::name).first(conn).await?));
        r.expect("name")
    };
    let (status, body) = call(app, &ada.owner, "/api/account/delete-organization", &[("confirm", "something else"), ("password", PASSWORD)]).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["fields"][0]["message"].as_str().unwrap_or_default().contains(&name), "the refusal names what to type: {body}");
    let (status, body) = call(app, &ada.owner, "/api/account/delete-organization", &[("confirm", &name), ("password", "not the password")]).await;
    assert!(status == 422 || status == 401, "{status}: {body}");
    assert_eq!(app.get(&app.new_browser(), &format!("/p/{}", ada.shop_short_id)).await.status().as_u16(), 200, "still online");

    // A failed login leaves an entry that names only the address.
    app.post_form(&app.new_browser(), "/api/login", "/login", &[("email", "ada@example.com"), ("password", "wrong password here")]).await;

    // The owner deletes it, without JavaScript.
    let res = app.post_form(&ada.owner, "/api/account/delete-organization", "/dashboard/account", &[("confirm", &name), ("password", PASSWORD)]).await;
    assert_eq!(location(&res), "/?deleted=1");
    assert!(common::set_cookies(&res).iter().any(|c| c.contains("Max-Age=0") || c.contains("max-age=0")), "the session cookie is cleared");
    let home = app.get(&ada.owner, "/?deleted=1").await.text().await.expect("home");
    assert!(home.contains("data-testid=\"organization-deleted\""));
    // Pages offline at once.
    for short in [&ada.shop_short_id, &ada.event_short_id] {
        assert_eq!(app.get(&app.new_browser(), &format!("/p/{short}")).await.status().as_u16(), 404, "/p/{short}");
    }
    // The registrant heard the event is off.
    let told: Result<i64, DbError> = db_read!(app.state.db, conn => {
        Ok(mail_outbox::table.filter(mail_outbox::recipient.eq("fan-of-ada@example.com")).filter(mail_outbox::subject.like("Cancelled:%")).count().get_result(conn).await?)
    });
    assert_eq!(told.expect("mail"), 1);
    // People and their data are gone; the session no longer works; nobody logs in.
    let org = ada.organization_id.clone();
    let left: Result<(i64, i64, i64, i64, i64), DbError> = db_read!(app.state.db, conn => {
        Ok((
            users::table.filter(users::organization_id.eq(&org)).count().get_result(conn).await?,
            organizations::table.filter(organizations::id.eq(&org)).count().get_result(conn).await?,
            pages::table.filter(pages::organization_id.eq(&org)).count().get_result(conn).await?,
            products::table.filter(products::organization_id.eq(&org)).count().get_result(conn).await?,
            security_log::table.filter(security_log::email.eq("ada@example.com")).count().get_result(conn).await?,
        ))
    });
    let (members, organizations_left, pages_left, products_left, log_entries) = left.expect("counts");
    assert_eq!((members, organizations_left, pages_left, products_left, log_entries), (0, 0, 0, 0, 0));
    assert_eq!(app.get(&ada.owner, "/dashboard").await.status().as_u16(), 302, "the session is gone");
    let login = app.post_form(&app.new_browser(), "/api/login", "/login", &[("email", "ada@example.com"), ("password", PASSWORD)]).await;
    assert_ne!(location(&login), "/dashboard");
    // Files are out of storage.
    for key in &ada_keys {
        let object = ObjectKey::parse_product_file(key).or_else(|| ObjectKey::parse_page_asset(key)).expect("a key");
        assert!(app.state.storage.get(&object).await.expect("storage").is_none(), "{key} is still stored");
    }
    // The paid plan ended at the provider.
    let subs: Result<Vec<String>, DbError> = db_read!(app.state.db, conn => Ok(test_subscriptions::table.filter(test_subscriptions::customer_email.eq("ada@example.com")).select(test_subscriptions::status).load(conn).await?));
    assert_eq!(subs.expect("subscriptions"), ["canceled"]);
    // The order stays, detached: its amount and item, no page, no product.
    let kept: Result<Vec<(Option<String>, Option<String>, i64, String)>, DbError> = db_read!(app.state.db, conn => {
        Ok(orders::table.filter(orders::organization_id.eq(&org)).select((orders::page_id, orders::product_id, orders::amount_paid, orders::status)).load(conn).await?)
    });
    assert_eq!(kept.expect("orders"), vec![(None, None, 1279, "completed".to_string())]);

    // Bob's organization is untouched.
    assert_eq!(app.get(&app.new_browser(), &format!("/p/{}", bob.shop_short_id)).await.status().as_u16(), 200);
    assert_eq!(app.get(&bob.owner, "/dashboard").await.status().as_u16(), 200);
}

/// A member deletes their own account: their pages stay with the organization, under its owner;
/// the owner can't (they delete the organization instead).
async fn a_member_deletes_their_own_account(app: &TestApp) {
    let ada = organization(app, "ada@example.com", "Ada").await;
    let eddie = app.new_browser();
    app.post_form(&eddie, "/api/login", "/login", &[("email", "editor-of-ada@example.com"), ("password", PASSWORD)]).await;
    let page = created(app, &eddie, "/api/pages/create", &[("page_type", "countdown"), ("headline", "Eddie's page")]).await;
    let account = app.get(&eddie, "/dashboard/account").await.text().await.expect("account");
    assert!(account.contains("data-testid=\"delete-account\"") && !account.contains("data-testid=\"delete-organization\""));
    let (status, body) = call(app, &eddie, "/api/account/delete", &[("confirm", "someone@example.com"), ("password", PASSWORD)]).await;
    assert_eq!(status, 422, "{body}");
    let res = app.post_form(&eddie, "/api/account/delete", "/dashboard/account", &[("confirm", "Editor-Of-Ada@example.com"), ("password", PASSWORD)]).await;
    assert_eq!(location(&res), "/?deleted=account");
    assert_eq!(app.get(&eddie, "/dashboard").await.status().as_u16(), 302, "logged out");
    let gone: Result<i64, DbError> =
        db_read!(app.state.db, conn => Ok(users::table.filter(users::email.eq("editor-of-ada@example.com")).count().get_result(conn).await?));
    assert_eq!(gone.expect("count"), 0);
    let (status, detail) = call(app, &ada.owner, "/api/pages/get", &[("id", &page)]).await;
    assert_eq!(status, 200, "the page stays with the organization: {detail}");
    let log = app.get(&ada.owner, "/dashboard/security").await.text().await.expect("log");
    assert!(log.contains("editor-of-ada@example.com deleted their own account"), "in the organization's log");
    let (status, body) = call(app, &ada.owner, "/api/account/delete", &[("confirm", "ada@example.com"), ("password", PASSWORD)]).await;
    assert_eq!(status, 409, "{body}");
}

backend_tests! {
    a_member_deletes_their_own_account,
    the_organizations_data_is_exported,
    the_owner_deletes_the_organization,
}
