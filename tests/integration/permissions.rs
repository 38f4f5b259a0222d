//! The permission matrix, on SQLite and PostgreSQL: every server function and every route, tried
//! as nobody, from another site (with a member's session), as a viewer, an editor, an editor of
//! another group, a manager, an admin, and an admin of another organization, against the one
//! permission table in code (`accounts::permissions::role_allows`) and the group rule
//! (`limited_to_own_group`).
//!
//! The tables below say which action each endpoint needs and whether it names one of the
//! organization's resources (then another organization gets 404) or a page or product (then an
//! editor of another group gets 403). A server function or route that is not in them fails the
//! test, so a new endpoint cannot skip the matrix.

use crate::common;

use common::{TestApp, call, join_team, set_plan};
use diesel::{ExpressionMethods, QueryDsl};
use flashpage::accounts::permissions::{Action, Role, limited_to_own_group, role_allows};
use flashpage::infra::db::DbError;
use flashpage::infra::db::schema::{groups, organizations, registrations, users};
use flashpage::{db_read, db_write};
use serde_json::json;
use std::collections::BTreeSet;

/// Who may call an endpoint.
#[derive(Clone, Copy, Debug)]
enum Access {
    /// Public, or acting only on a token in its arguments: the same for everyone.
    Anyone,
    /// Public, and it changes the caller's own session (sign-up, login, accepting an invitation):
    /// tried with a browser of its own.
    AnyoneOwnBrowser,
    /// A member whose roles allow the action.
    Member(Action),
}

/// What the arguments name.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Names {
    /// Nothing of the organization's (a list, a creation, one's own account).
    Nothing,
    /// One of the organization's resources: another organization gets `foreign`.
    Resource,
    /// A page or product of the first group: an editor of another group is refused too.
    GroupResource,
}

struct Endpoint {
    path: &'static str,
    access: Access,
    names: Names,
    /// What another organization's admin gets when `names` is not `Nothing`.
    foreign: u16,
}

const fn ep(path: &'static str, access: Access, names: Names) -> Endpoint {
    Endpoint { path, access, names, foreign: 404 }
}

use Access::{Anyone, AnyoneOwnBrowser, Member};
use Names::{GroupResource, Nothing, Resource};

/// Every server function (`/api/…`).
const SERVER_FNS: &[Endpoint] = &[
    // Accounts.
    ep("signup", AnyoneOwnBrowser, Nothing),
    ep("account/confirm", AnyoneOwnBrowser, Nothing),
    ep("login", AnyoneOwnBrowser, Nothing),
    ep("logout", AnyoneOwnBrowser, Nothing),
    ep("me", Anyone, Nothing),
    ep("password/forgot", Anyone, Nothing),
    ep("password/link", Anyone, Nothing),
    ep("password/reset", AnyoneOwnBrowser, Nothing),
    ep("account", Member(Action::ViewDashboard), Nothing),
    ep("account/name", Member(Action::ViewDashboard), Nothing),
    ep("account/password", Member(Action::ViewDashboard), Nothing),
    ep("account/email", Member(Action::ViewDashboard), Nothing),
    ep("account/sessions/end", Member(Action::ViewDashboard), Nothing),
    ep("account/sessions/end-others", Member(Action::ViewDashboard), Nothing),
    // Only the owner, after typing the organization's name and the password (tests/account_deletion.rs).
    ep("account/delete-organization", Member(Action::ViewDashboard), Nothing),
    ep("account/delete", Member(Action::ViewDashboard), Nothing),
    ep("account/email/link", Anyone, Nothing),
    ep("account/email/confirm", AnyoneOwnBrowser, Nothing),
    ep("security-log", Member(Action::ViewSecurityLog), Nothing),
    // Team.
    ep("team", Member(Action::ViewDashboard), Nothing),
    Endpoint { path: "team/invite", access: Member(Action::ManageTeam), names: Resource, foreign: 422 },
    ep("team/invitations/resend", Member(Action::ManageTeam), Resource),
    ep("team/invitations/revoke", Member(Action::ManageTeam), Resource),
    ep("team/members/change", Member(Action::ManageTeam), Resource),
    ep("team/members/remove", Member(Action::ManageTeam), Resource),
    Endpoint { path: "team/owner", access: Member(Action::ManageTeam), names: Resource, foreign: 422 },
    ep("team/groups/create", Member(Action::ManageTeam), Nothing),
    ep("team/groups/delete", Member(Action::ManageTeam), Resource),
    ep("team/groups/rename", Member(Action::ManageTeam), Resource),
    ep("team/rename", Member(Action::ManageTeam), Nothing),
    ep("invitation", Anyone, Nothing),
    ep("invitation/accept", AnyoneOwnBrowser, Nothing),
    // Pages.
    ep("pages/list", Member(Action::ViewDashboard), Nothing),
    ep("pages/get", Member(Action::ViewDashboard), Resource),
    ep("pages/editor", Member(Action::ViewDashboard), Resource),
    ep("pages/create", Member(Action::EditPages), Nothing),
    ep("pages/update", Member(Action::EditPages), GroupResource),
    ep("pages/save", Member(Action::EditPages), GroupResource),
    ep("pages/duplicate", Member(Action::EditPages), GroupResource),
    ep("pages/preview", Member(Action::EditPages), GroupResource),
    ep("pages/hero/remove", Member(Action::EditPages), GroupResource),
    ep("pages/content/add", Member(Action::EditPages), GroupResource),
    ep("pages/content/update", Member(Action::EditPages), GroupResource),
    ep("pages/content/move", Member(Action::EditPages), GroupResource),
    ep("pages/content/remove", Member(Action::EditPages), GroupResource),
    ep("pages/publish", Member(Action::PublishPages), Resource),
    ep("pages/unpublish", Member(Action::PublishPages), Resource),
    ep("pages/delete", Member(Action::PublishPages), Resource),
    // Public pages.
    ep("p", Anyone, Nothing),
    ep("p/now", Anyone, Nothing),
    ep("notify-me", Anyone, Nothing),
    // Products.
    ep("products/list", Member(Action::ViewDashboard), Nothing),
    ep("products/get", Member(Action::ViewDashboard), Resource),
    ep("products/create", Member(Action::EditProducts), Nothing),
    ep("products/save", Member(Action::EditProducts), GroupResource),
    ep("products/deactivate", Member(Action::EditProducts), GroupResource),
    ep("products/reactivate", Member(Action::EditProducts), GroupResource),
    ep("products/sample/remove", Member(Action::EditProducts), GroupResource),
    ep("products/delete", Member(Action::EditProducts), GroupResource),
    // Orders and payouts.
    ep("orders/list", Member(Action::ViewDashboard), Resource),
    ep("orders/refund", Member(Action::ManagePayments), Resource),
    ep("payouts/view", Member(Action::ViewDashboard), Nothing),
    ep("payouts/onboard", Member(Action::ManagePayments), Nothing),
    ep("p/buy", Anyone, Nothing),
    ep("orders/view", Anyone, Nothing),
    ep("orders/cancel", Anyone, Nothing),
    ep("d/help", Anyone, Nothing),
    ep("d/fresh", Anyone, Nothing),
    ep("checkout/test/view", Anyone, Nothing),
    ep("checkout/test/pay", Anyone, Nothing),
    ep("checkout/test/cancel", Anyone, Nothing),
    // Registrations.
    ep("registrations/list", Member(Action::ViewDashboard), Resource),
    ep("registrations/detail", Member(Action::ViewRegistrants), Resource),
    // The registrant of an event of the first group: an editor of another group is refused.
    ep("registrations/act", Member(Action::ManageRegistrants), GroupResource),
    ep("r/draft", Anyone, Nothing),
    ep("r/view", Anyone, Nothing),
    ep("r/cancel", Anyone, Nothing),
    ep("r/delete", Anyone, Nothing),
    // Billing.
    ep("pricing", Anyone, Nothing),
    ep("billing", Member(Action::ManageBilling), Nothing),
    ep("billing/plan", Member(Action::ManageBilling), Nothing),
    ep("billing/portal", Member(Action::ManageBilling), Nothing),
    ep("billing/test", Member(Action::ManageBilling), Nothing),
];

/// The fixture: organization A (enterprise, Premium) with an admin who owns it, a manager, an
/// editor and a viewer in its first group and an editor in a second group, and its resources;
/// organization B with its admin, Mallory.
struct Fx {
    callers: Vec<Caller>,
    /// Ada's session cookie, sent from another site.
    ada_cookie: String,
    first_group: String,
    page: String,
    short_id: String,
    event_short_id: String,
    event_page: String,
    product: String,
    registration: String,
}

struct Caller {
    name: &'static str,
    /// `None`: nobody.
    roles: Option<Vec<Role>>,
    other_group: bool,
    other_org: bool,
    browser: reqwest::Client,
}

/// What the organization's resources are called: no response to Mallory may contain it.
const SECRET: &str = "Zebra-Secret";

async fn org_of(app: &TestApp, email: &str) -> String {
    let email = email.to_string();
    let r: Result<String, DbError> =
        db_read!(app.state.db, conn => Ok(users::table.filter(users::email.eq(&email)).select(users::organization_id).first(conn).await?));
    r.expect("organization")
}

/// The organization's group called `name`, or its first.
async fn group_named(app: &TestApp, org: &str, name: Option<&str>) -> String {
    let (org, name) = (org.to_string(), name.map(str::to_string));
    let r: Result<String, DbError> = db_read!(app.state.db, conn => {
        let mut query = groups::table.filter(groups::organization_id.eq(&org)).into_boxed();
        if let Some(name) = &name {
            query = query.filter(groups::name.eq(name));
        }
        Ok(query.select(groups::id).first(conn).await?)
    });
    r.expect("group")
}

async fn make_enterprise(app: &TestApp, org: &str) {
    let org = org.to_string();
    let r: Result<usize, DbError> = db_write!(app.state.db, conn => {
        Ok(diesel::update(organizations::table.filter(organizations::id.eq(&org))).set(organizations::is_enterprise.eq(true)).execute(conn).await?)
    });
    r.expect("enterprise");
}

async fn created(app: &TestApp, browser: &reqwest::Client, path: &str, fields: &[(&str, &str)]) -> String {
    let (status, body) = call(app, browser, path, fields).await;
    assert_eq!(status, 200, "{path}: {body}");
    body.as_str().expect("an id").to_string()
}

fn product_form(name: &str) -> Vec<(&'static str, String)> {
    vec![
        ("form[name]", name.to_string()),
        ("form[description]", "A guide.".to_string()),
        ("form[price]", "19.99".to_string()),
        ("form[currency]", "USD".to_string()),
        ("form[expiresAt]", String::new()),
    ]
}

async fn fixture(app: &TestApp) -> Fx {
    let ada = app.new_browser();
    let signup = app.signup(&ada, "Ada", "ada@a.example").await;
    let ada_cookie = common::set_cookies(&signup).into_iter().next().expect("a session cookie");
    let ada_cookie = ada_cookie.split(';').next().expect("cookie").to_string();
    set_plan(app, "ada@a.example", "Premium").await;
    let org_a = org_of(app, "ada@a.example").await;
    make_enterprise(app, &org_a).await;
    let first_group = group_named(app, &org_a, None).await;
    call(app, &ada, "/api/team/groups/create", &[("name", "Second")]).await;
    let second_group = group_named(app, &org_a, Some("Second")).await;
    let mia = join_team(app, &ada, "mia@a.example", "manager", &first_group).await;
    let eddie = join_team(app, &ada, "eddie@a.example", "editor", &first_group).await;
    let vic = join_team(app, &ada, "vic@a.example", "viewer", &first_group).await;
    let gina = join_team(app, &ada, "gina@a.example", "editor", &second_group).await;
    let mal = app.new_browser();
    app.signup(&mal, "Mallory", "mal@b.example").await;
    set_plan(app, "mal@b.example", "Premium").await;
    make_enterprise(app, &org_of(app, "mal@b.example").await).await;

    // A's resources, made by the editor of the first group (so they are that group's).
    let page = created(app, &eddie, "/api/pages/create", &[("page_type", "countdown"), ("headline", &format!("{SECRET} launch"))]).await;
    let (_, detail) = call(app, &eddie, "/api/pages/get", &[("id", &page)]).await;
    let short_id = detail["summary"]["short_id"].as_str().expect("short id").to_string();
    let event_page = created(app, &eddie, "/api/pages/create", &[("page_type", "event-registration"), ("headline", &format!("{SECRET} night"))]).await;
    let settings = json!({"eventStartTime": "2031-01-01T18:00:00Z", "eventEndTime": "2031-01-01T20:00:00Z", "timeZone": "UTC", "eventLocation": "virtual", "platformLink": "https://meet.example.com/x", "maxAttendees": 50, "waitlistEnabled": false});
    let look = json!({"headline": format!("{SECRET} night")});
    let (status, body) = call(
        app,
        &eddie,
        "/api/pages/update",
        &[("id", &event_page), ("settings", &settings.to_string()), ("customization", &look.to_string()), ("launch_at", ""), ("expires_at", "")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(call(app, &ada, "/api/pages/publish", &[("id", &event_page)]).await.0, 200);
    let (_, detail) = call(app, &ada, "/api/pages/get", &[("id", &event_page)]).await;
    let event_short_id = detail["summary"]["short_id"].as_str().expect("short id").to_string();
    let res = app
        .client
        .post(app.url(&format!("/p/{event_short_id}/register")))
        .header("accept", "application/json")
        .form(&[("name", "Reg Istrant"), ("email", "reg@example.com")])
        .send()
        .await
        .expect("register");
    assert_eq!(res.status().as_u16(), 200, "{}", res.text().await.unwrap_or_default());
    let registration: String = {
        let r: Result<String, DbError> = db_read!(app.state.db, conn => Ok(registrations::table.select(registrations::id).first(conn).await?));
        r.expect("registration")
    };
    let form = product_form(&format!("{SECRET} guide"));
    let refs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let product = created(app, &eddie, "/api/products/create", &refs).await;

    let caller = |name, roles: Option<Vec<Role>>, other_group, other_org, browser| Caller { name, roles, other_group, other_org, browser };
    // The order matters: refusals first, so that nothing a refused caller tries has been
    // deleted by an allowed one; another organization before the allowed members for the same
    // reason.
    let callers = vec![
        caller("nobody", None, false, false, app.new_browser()),
        caller("viewer", Some(vec![Role::Viewer]), false, false, vic),
        caller("editor of another group", Some(vec![Role::Editor]), true, false, gina),
        caller("admin of another organization", Some(vec![Role::Admin]), false, true, mal),
        caller("editor", Some(vec![Role::Editor]), false, false, eddie),
        caller("manager", Some(vec![Role::Manager]), false, false, mia),
        caller("admin", Some(vec![Role::Admin]), false, false, ada),
    ];
    Fx { callers, ada_cookie, first_group, page, short_id, event_short_id, event_page, product, registration }
}

/// A page of the first group with a content block: (page id, block id).
async fn fresh_page(app: &TestApp, fx: &Fx) -> (String, String) {
    let eddie = &fx.callers[4].browser;
    let page = created(app, eddie, "/api/pages/create", &[("page_type", "countdown"), ("headline", "Fresh")]).await;
    let block =
        created(app, eddie, "/api/pages/content/add", &[("page_id", &page), ("item[kind]", "text"), ("item[title]", "Hello"), ("item[description]", "World")])
            .await;
    (page, block)
}

async fn fresh_product(app: &TestApp, fx: &Fx) -> String {
    let form = product_form("Fresh");
    let refs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    created(app, &fx.callers[4].browser, "/api/products/create", &refs).await
}

/// A teammate of the first group, or an open invitation: (user id or invitation id).
async fn fresh_member(app: &TestApp, fx: &Fx, n: usize) -> String {
    let ada = &fx.callers[6].browser;
    let email = format!("victim{n}@a.example");
    join_team(app, ada, &email, "editor", &fx.first_group).await;
    let r: Result<String, DbError> = db_read!(app.state.db, conn => Ok(users::table.filter(users::email.eq(&email)).select(users::id).first(conn).await?));
    r.expect("member")
}

async fn fresh_invitation(app: &TestApp, fx: &Fx, n: usize) -> String {
    use flashpage::infra::db::schema::invitations;
    let ada = &fx.callers[6].browser;
    let email = format!("invitee{n}@a.example");
    let (status, body) = call(app, ada, "/api/team/invite", &[("email", &email), ("roles[0]", "viewer"), ("group_id", &fx.first_group)]).await;
    assert_eq!(status, 200, "{body}");
    let r: Result<String, DbError> =
        db_read!(app.state.db, conn => Ok(invitations::table.filter(invitations::email.eq(&email)).select(invitations::id).first(conn).await?));
    r.expect("invitation")
}

/// The arguments each server function is tried with: real ids of organization A (fresh ones for
/// what the call may delete), well-formed so that every call reaches the function.
async fn args_for(app: &TestApp, fx: &Fx, path: &str, n: usize) -> Vec<(String, String)> {
    let s = |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>();
    let token = "no-such-token-0123456789abcdef0123456789abcdef";
    match path {
        "signup" => s(&[("name", "New"), ("email", &format!("new{n}@x.example")), ("password", common::PASSWORD)]),
        "login" => s(&[("email", "ada@a.example"), ("password", common::PASSWORD)]),
        "logout"
        | "me"
        | "account"
        | "account/sessions/end-others"
        | "security-log"
        | "team"
        | "pages/list"
        | "products/list"
        | "pricing"
        | "billing"
        | "billing/portal"
        | "payouts/onboard" => vec![],
        "password/forgot" => s(&[("email", "ada@a.example")]),
        "password/link"
        | "account/confirm"
        | "account/email/link"
        | "account/email/confirm"
        | "invitation"
        | "orders/view"
        | "orders/cancel"
        | "d/help"
        | "d/fresh"
        | "r/view"
        | "r/cancel" => s(&[("token", token)]),
        "password/reset" => s(&[("token", token), ("password", "a-long-new-password")]),
        "account/name" => s(&[("name", "Renamed")]),
        "account/password" => s(&[("current_password", "not-the-password"), ("new_password", "a-long-new-password")]),
        "account/email" => s(&[("email", &format!("moved{n}@a.example")), ("password", "not-the-password")]),
        "account/sessions/end" => s(&[("id", "no-such-session")]),
        "account/delete-organization" => s(&[("confirm", "not the name"), ("password", "not-the-password")]),
        "account/delete" => s(&[("confirm", "not-my-address@example.com"), ("password", "not-the-password")]),
        "team/invite" => s(&[("email", &format!("invite{n}@a.example")), ("roles[0]", "viewer"), ("group_id", &fx.first_group)]),
        "team/invitations/resend" | "team/invitations/revoke" => vec![("id".into(), fresh_invitation(app, fx, n).await)],
        "team/members/change" => {
            vec![("id".into(), fresh_member(app, fx, n).await), ("roles[0]".into(), "viewer".into()), ("group_id".into(), fx.first_group.clone())]
        }
        "team/members/remove" => vec![("id".into(), fresh_member(app, fx, n).await)],
        "team/owner" => {
            let r: Result<String, DbError> =
                db_read!(app.state.db, conn => Ok(users::table.filter(users::email.eq("eddie@a.example")).select(users::id).first(conn).await?));
            vec![("to".into(), r.expect("eddie"))]
        }
        "team/groups/create" => s(&[("name", &format!("Group {n}"))]),
        "team/groups/delete" | "team/groups/rename" => {
            let ada = &fx.callers[6].browser;
            let name = format!("Empty {n}");
            call(app, ada, "/api/team/groups/create", &[("name", &name)]).await;
            let r: Result<String, DbError> =
                db_read!(app.state.db, conn => Ok(groups::table.filter(groups::name.eq(&name)).select(groups::id).first(conn).await?));
            let mut args = vec![("id".to_string(), r.expect("group"))];
            if path == "team/groups/rename" {
                args.push(("name".into(), format!("Renamed {n}")));
            }
            args
        }
        "team/rename" => s(&[("name", &format!("Org {n}"))]),
        "invitation/accept" => s(&[("token", token), ("name", "X"), ("password", common::PASSWORD)]),
        "pages/get" | "pages/editor" | "pages/hero/remove" => s(&[("id", &fx.page)]),
        "pages/create" => s(&[("page_type", "countdown"), ("headline", "Made")]),
        "pages/update" => {
            let settings = json!({"countdownTarget": "2031-01-01T00:00:00Z", "postCountdownAction": "show-message", "messageTitle": "Hi"}).to_string();
            s(&[
                ("id", &fx.page),
                ("settings", &settings),
                ("customization", &json!({"headline": format!("{SECRET} launch")}).to_string()),
                ("launch_at", ""),
                ("expires_at", ""),
            ])
        }
        "pages/save" | "pages/preview" => {
            let (_, editor) = call(app, &fx.callers[6].browser, "/api/pages/editor", &[("id", &fx.page)]).await;
            let mut fields: Vec<(String, String)> =
                editor["form"].as_object().expect("form").iter().filter_map(|(k, v)| v.as_str().map(|v| (format!("form[{k}]"), v.to_string()))).collect();
            fields.push(("id".into(), fx.page.clone()));
            if path == "pages/preview" {
                fields.push(("phase".into(), "live".into()));
            }
            fields
        }
        "pages/duplicate" => s(&[("id", &fx.page)]),
        "pages/content/add" => s(&[("page_id", &fx.page), ("item[kind]", "text"), ("item[title]", "Added"), ("item[description]", "")]),
        "pages/content/update" => {
            let (page, block) = fresh_page(app, fx).await;
            s(&[("page_id", &page), ("item_id", &block), ("item[kind]", "text"), ("item[title]", "Changed"), ("item[description]", "")])
        }
        "pages/content/move" | "pages/content/remove" => {
            let (page, block) = fresh_page(app, fx).await;
            let mut args = s(&[("page_id", &page), ("item_id", &block)]);
            if path == "pages/content/move" {
                args.push(("direction".into(), "up".into()));
            }
            args
        }
        "pages/publish" | "pages/unpublish" | "pages/delete" => vec![("id".into(), fresh_page(app, fx).await.0)],
        "p" | "p/now" => s(&[("short_id", &fx.short_id)]),
        "notify-me" => s(&[("short_id", &fx.short_id), ("email", "fan@example.com")]),
        "products/get" | "products/save" | "products/sample/remove" => {
            let mut args = s(&[("id", &fx.product)]);
            if path == "products/save" {
                args.extend(product_form(&format!("{SECRET} guide")).into_iter().map(|(k, v)| (k.to_string(), v)));
            }
            args
        }
        "products/create" => product_form("Made").into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        "products/deactivate" | "products/reactivate" | "products/delete" => vec![("id".into(), fresh_product(app, fx).await)],
        "orders/list" => s(&[("page_id", &fx.page)]),
        "orders/refund" => s(&[("id", "no-such-order")]),
        "payouts/view" => s(&[("returned", "false")]),
        "p/buy" => s(&[("short_id", &fx.short_id), ("item_id", "no-such-item"), ("email", "buyer@example.com")]),
        "checkout/test/view" | "checkout/test/pay" | "checkout/test/cancel" => s(&[("session_id", "cs_test_no_such_session")]),
        "registrations/list" => s(&[("page_id", &fx.event_page)]),
        "registrations/detail" => s(&[("id", &fx.registration)]),
        "registrations/act" => s(&[("id", &fx.registration), ("action", "check-in")]),
        "r/draft" => s(&[("id", "no-such-draft")]),
        "r/delete" => s(&[("token", token), ("confirm", "yes")]),
        "billing/plan" => s(&[("plan", "Premium")]),
        "billing/test" => vec![],
        other => panic!("no arguments for {other}: add them here and the endpoint to SERVER_FNS"),
    }
}

/// What the matrix says `caller` gets from an endpoint needing `access` and naming `names`;
/// `None`: anything but 401 and 403 (the call went through; its own rules may refuse it).
fn expected(path: &str, access: Access, names: Names, foreign: u16, caller: &Caller) -> Option<u16> {
    let Access::Member(action) = access else { return None };
    let Some(roles) = &caller.roles else { return Some(401) };
    if !roles.iter().any(|r| role_allows(*r, action)) {
        return Some(403);
    }
    if caller.other_org {
        return match names {
            Nothing => None,
            _ => Some(foreign),
        };
    }
    if names == GroupResource && caller.other_group && limited_to_own_group(roles) {
        return Some(403);
    }
    // Finer rules than the table, each with a test of its own in `team.rs`: only the owner hands
    // the organization over, and only an admin renames it.
    if matches!(path, "team/owner" | "team/rename") && !roles.contains(&Role::Admin) {
        return Some(403);
    }
    // Only the owner (the admin here) deletes the organization; the others are refused.
    if path == "account/delete-organization" && !roles.contains(&Role::Admin) {
        return Some(403);
    }
    None
}

/// Whether the call must succeed: an editor of the resource's own group (the first allowed
/// caller of a page's or product's change, before anyone else changed it).
fn must_succeed(names: Names, caller: &Caller) -> bool {
    names == GroupResource && caller.roles.as_deref() == Some(&[Role::Editor][..]) && !caller.other_group && !caller.other_org
}

fn check(what: &str, status: u16, body: &str, want: Option<u16>) {
    match want {
        Some(want) => assert_eq!(status, want, "{what}: {body}"),
        None => assert!(status != 401 && status != 403 && status < 500, "{what}: got {status}, expected to pass the guard: {body}"),
    }
}

async fn every_server_function_follows_the_table(app: &TestApp) {
    // Every registered server function is in the table, and every one in the table is registered.
    let registered: BTreeSet<String> =
        leptos::server_fn::axum::server_fn_paths().filter_map(|(path, _)| path.strip_prefix("/api/").map(str::to_string)).collect();
    let listed: BTreeSet<String> = SERVER_FNS.iter().map(|e| e.path.to_string()).collect();
    assert_eq!(listed.len(), SERVER_FNS.len(), "an endpoint is listed twice");
    assert_eq!(registered, listed, "the server functions and the matrix differ (left: registered, right: the matrix)");
    // And the registry holds every `#[server]` in the source (none dropped by the linker).
    let declared = count_in_source("src", "#[server(prefix");
    assert_eq!(registered.len(), declared, "every #[server] in src/ is registered");

    let fx = fixture(app).await;
    for (n, endpoint) in SERVER_FNS.iter().enumerate() {
        let path = format!("/api/{}", endpoint.path);
        let args = args_for(app, &fx, endpoint.path, n).await;
        let fields: Vec<(&str, &str)> = args.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        // From another site, with a member's session: refused before anything else.
        let res = common::foreign_client(Some("https://evil.example"))
            .post(app.url(&path))
            .header("cookie", &fx.ada_cookie)
            .header("accept", "application/json")
            .form(&fields)
            .send()
            .await
            .expect("request");
        assert_eq!(res.status().as_u16(), 403, "{path} from another site");
        let callers: Vec<&Caller> = match endpoint.access {
            AnyoneOwnBrowser => vec![&fx.callers[0]],
            _ => fx.callers.iter().collect(),
        };
        for caller in callers {
            let browser = if matches!(endpoint.access, AnyoneOwnBrowser) { app.new_browser() } else { caller.browser.clone() };
            let res = app.call(&browser, &path, &fields).await;
            let status = res.status().as_u16();
            let body = res.text().await.expect("body");
            let want = expected(endpoint.path, endpoint.access, endpoint.names, endpoint.foreign, caller);
            check(&format!("{path} as {}", caller.name), status, &body, want);
            if must_succeed(endpoint.names, caller) {
                assert!(status < 400, "{path} as {}: the group's own editor is refused ({status}): {body}", caller.name);
            }
            if caller.other_org {
                assert!(!body.contains(SECRET), "{path}: another organization saw A's data: {body}");
            }
        }
    }
}

fn count_in_source(dir: &str, needle: &str) -> usize {
    let mut n = 0;
    for entry in std::fs::read_dir(dir).expect("source dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            n += count_in_source(path.to_str().expect("path"), needle);
        } else if path.extension().is_some_and(|e| e == "rs") {
            n += std::fs::read_to_string(&path).expect("source").matches(needle).count();
        }
    }
    n
}

/// A route outside the server functions, with what it needs.
struct Route {
    /// As written in `web/router.rs` or `app.rs`.
    pattern: &'static str,
    access: Access,
    names: Names,
}

const fn route(pattern: &'static str, access: Access, names: Names) -> Route {
    Route { pattern, access, names }
}

/// The axum routes of `web/router.rs` (besides `/api/{*fn_name}`, the server functions).
const HTTP_ROUTES: &[Route] = &[
    route("/dashboard/pages/{id}/hero", Member(Action::EditPages), GroupResource),
    route("/dashboard/products/{id}/file", Member(Action::EditProducts), GroupResource),
    route("/dashboard/products/{id}/sample", Member(Action::EditProducts), GroupResource),
    route("/dashboard/orders.csv", Member(Action::ExportData), Nothing),
    route("/dashboard/export/organization.json", Member(Action::ExportData), Nothing),
    route("/dashboard/export/registrations.csv", Member(Action::ExportData), Nothing),
    route("/dashboard/pages/{id}/registrations.csv", Member(Action::ExportData), Resource),
    route("/healthz", Anyone, Nothing),
    route("/files/{*key}", Anyone, Nothing),
    route("/d/{token}", Anyone, Nothing),
    route("/p/{short_id}/register", Anyone, Nothing),
    route("/r/{token}/qr.png", Anyone, Nothing),
    route("/u/{id}/{token}", Anyone, Nothing),
    route("/webhooks/stripe", Anyone, Nothing),
    route("/api/{*fn_name}", Anyone, Nothing),
];

/// The screens of `app.rs` whose data needs a session, with the action their data needs.
const SCREENS: &[Route] = &[
    route("/dashboard", Member(Action::ViewDashboard), Nothing),
    route("/dashboard/account", Member(Action::ViewDashboard), Nothing),
    route("/dashboard/security", Member(Action::ViewSecurityLog), Nothing),
    route("/dashboard/team", Member(Action::ViewDashboard), Nothing),
    route("/dashboard/billing", Member(Action::ManageBilling), Nothing),
    route("/dashboard/pages/:id", Member(Action::ViewDashboard), Resource),
    route("/dashboard/products", Member(Action::ViewDashboard), Nothing),
    // A form: it shows nothing of the organization; sending it needs EditProducts.
    route("/dashboard/products/new", Member(Action::ViewDashboard), Nothing),
    route("/dashboard/products/:id", Member(Action::ViewDashboard), Resource),
    route("/dashboard/orders", Member(Action::ViewDashboard), Nothing),
    route("/dashboard/payouts", Member(Action::ViewDashboard), Nothing),
    route("/dashboard/pages/:id/registrations", Member(Action::ViewDashboard), Resource),
];

/// The public screens of `app.rs`: the same for everyone.
const PUBLIC_SCREENS: &[&str] = &[
    "/",
    "/signup",
    "/confirm-account/:token",
    "/login",
    "/forgot-password",
    "/reset-password/:token",
    "/confirm-email/:token",
    "/invite/:token",
    "/pricing",
    "/p/:short_id",
    "/orders/:token/thanks",
    "/orders/:token/cancel",
    "/checkout/test/:session",
    "/d/:token/help",
    "/r/deleted",
    "/r/:token",
    "/u/:id/:token",
];

/// The quoted patterns after `marker` in a source file.
fn patterns_in(file: &str, marker: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string(file).expect("source");
    text.split(marker).skip(1).filter_map(|rest| rest.split('"').next().map(str::to_string)).collect()
}

async fn every_route_and_screen_follows_the_table(app: &TestApp) {
    let routes: BTreeSet<String> = HTTP_ROUTES.iter().map(|r| r.pattern.to_string()).collect();
    assert_eq!(patterns_in("src/web/router.rs", ".route(\""), routes, "the routes of web/router.rs and the matrix differ");
    let mut screens: BTreeSet<String> = SCREENS.iter().map(|r| r.pattern.to_string()).collect();
    screens.extend(PUBLIC_SCREENS.iter().map(|s| s.to_string()));
    assert_eq!(patterns_in("src/app.rs", "path!(\""), screens, "the screens of app.rs and the matrix differ");

    let fx = fixture(app).await;
    let fill = |pattern: &str| {
        pattern
            .replace("{id}", &fx.page)
            .replace(":id/registrations", &format!("{}/registrations", fx.event_page))
            .replace("/dashboard/pages/:id", &format!("/dashboard/pages/{}", fx.page))
            .replace("/dashboard/products/:id", &format!("/dashboard/products/{}", fx.product))
    };
    // Screens: what the page shows follows its data's permission.
    for screen in SCREENS {
        let path = fill(screen.pattern);
        for caller in &fx.callers {
            let res = app.get(&caller.browser, &path).await;
            let status = res.status().as_u16();
            let body = res.text().await.expect("body");
            let want = match expected(screen.pattern, screen.access, screen.names, 404, caller) {
                // Without a session every dashboard screen sends the browser to the login page.
                Some(401) => Some(302),
                other => other.or(Some(200)),
            };
            check(&format!("GET {path} as {}", caller.name), status, &body, want);
            if caller.other_org {
                assert!(!body.contains(SECRET), "{path}: another organization saw A's data");
            }
        }
    }
    for screen in PUBLIC_SCREENS {
        let path = screen.replace(":short_id", &fx.short_id).replace(":token", "no-such-token").replace(":session", "cs_test_none").replace(":id", "x");
        let status = app.get(&app.new_browser(), &path).await.status().as_u16();
        assert!(status != 401 && status != 403 && status < 500, "GET {path} as nobody: {status}");
    }
    // Uploads and exports.
    let png: &[u8] = b"\x89PNG\r\n\x1a\nnot really";
    for r in HTTP_ROUTES.iter().filter(|r| matches!(r.access, Member(_))) {
        for caller in &fx.callers {
            let (path, res) = if r.pattern.contains("registrations.csv") {
                let path = format!("/dashboard/pages/{}/registrations.csv", fx.event_page);
                (path.clone(), app.get(&caller.browser, &path).await)
            } else if r.pattern.ends_with(".csv") || r.pattern.ends_with(".json") {
                (r.pattern.to_string(), app.get(&caller.browser, r.pattern).await)
            } else {
                let target = if r.pattern.starts_with("/dashboard/pages") { &fx.page } else { &fx.product };
                let path = r.pattern.replace("{id}", target);
                let field = if r.pattern.starts_with("/dashboard/pages") { "image" } else { "file" };
                let form = reqwest::multipart::Form::new()
                    .part(field, reqwest::multipart::Part::bytes(png.to_vec()).file_name("x.png").mime_str("image/png").expect("mime"));
                (path.clone(), caller.browser.post(app.url(&path)).header("accept", "application/json").multipart(form).send().await.expect("upload"))
            };
            let status = res.status().as_u16();
            let body = res.text().await.unwrap_or_default();
            let want = match expected(r.pattern, r.access, r.names, 404, caller) {
                // Without a session everything under /dashboard sends the browser to the login page.
                Some(401) => Some(302),
                other => other,
            };
            check(&format!("{path} as {}", caller.name), status, &body, want);
            if caller.other_org {
                assert!(!body.contains(SECRET), "{path}: another organization saw A's data");
            }
        }
    }
    // The public routes need no session.
    for (path, post) in [
        ("/healthz".to_string(), false),
        (format!("/p/{}/register", fx.event_short_id), true),
        ("/d/no-such-token".to_string(), false),
        ("/r/no-such-token/qr.png".to_string(), false),
        ("/files/pages/none/none.png".to_string(), false),
        ("/u/x/no-such-token".to_string(), true),
    ] {
        let browser = app.new_browser();
        let res =
            if post { browser.post(app.url(&path)).form(&[("email", "x@example.com")]).send().await.expect("post") } else { app.get(&browser, &path).await };
        let status = res.status().as_u16();
        assert!(status != 401 && status != 403 && status < 500, "{path} as nobody: {status}");
    }
}

/// The registrants of the first group's event: an editor of another group can't remove, delete,
/// move, check in or resend (403 naming their group); resends stop at 3 an hour; a viewer sees
/// orders without their buyers' emails, like registrants without their details.
async fn registrants_and_buyers_follow_the_group_and_data_rules(app: &TestApp) {
    use flashpage::infra::db::schema::orders;
    let fx = fixture(app).await;
    let (viewer, gina, eddie) = (&fx.callers[1].browser, &fx.callers[2].browser, &fx.callers[4].browser);
    for action in ["remove", "delete", "move", "check-in", "undo-check-in", "resend"] {
        let (status, body) = call(app, gina, "/api/registrations/act", &[("id", &fx.registration), ("action", action)]).await;
        assert_eq!(status, 403, "{action}: {body}");
        assert!(body.to_string().contains("(Second)"), "{action}: the refusal names the group: {body}");
    }
    let r: Result<String, DbError> = db_read!(app.state.db, conn => Ok(registrations::table.filter(registrations::id.eq(&fx.registration)).select(registrations::status).first(conn).await?));
    assert_eq!(r.expect("still there"), "registered");
    for i in 0..3 {
        let (status, body) = call(app, eddie, "/api/registrations/act", &[("id", &fx.registration), ("action", "resend")]).await;
        assert_eq!(status, 200, "resend {i}: {body}");
    }
    let (status, body) = call(app, eddie, "/api/registrations/act", &[("id", &fx.registration), ("action", "resend")]).await;
    assert_eq!(status, 429, "the fourth resend in an hour: {body}");

    // An order of A's page, bought by someone.
    let org_a = org_of(app, "ada@a.example").await;
    let page = fx.page.clone();
    let r: Result<usize, DbError> = db_write!(app.state.db, conn => {
        let now = chrono::Utc::now().naive_utc();
        Ok(diesel::insert_into(orders::table)
            .values((
                orders::id.eq("order-1"),
                orders::organization_id.eq(&org_a),
                orders::page_id.eq(Some(&page)),
                orders::buyer_email.eq("buyer@example.com"),
                orders::amount_paid.eq(1999i64),
                orders::amount_due.eq(1999i64),
                orders::currency.eq("USD"),
                orders::created_at.eq(now),
                orders::updated_at.eq(now),
                orders::status.eq("completed"),
                orders::download_attempts.eq(0),
                orders::quantity.eq(1),
                orders::item_title.eq("Guide"),
                orders::provider.eq("test"),
                orders::access_token_hash.eq("hash-1"),
                orders::download_limit.eq(10),
                orders::download_days.eq(30),
                orders::amount_refunded.eq(0i64),
            ))
            .execute(conn)
            .await?)
    });
    assert_eq!(r.expect("order"), 1);
    let (status, list) = call(app, viewer, "/api/orders/list", &[]).await;
    assert_eq!((status, list["rows"][0]["id"].as_str()), (200, Some("order-1")), "{list}");
    assert!(list["rows"][0]["email"].is_null() && !list.to_string().contains("buyer@example.com"), "a viewer sees no buyer's email: {list}");
    let html = app.get(viewer, "/dashboard/orders").await.text().await.expect("orders");
    assert!(html.contains("Guide") && !html.contains("buyer@example.com"), "{html}");
    let (_, list) = call(app, eddie, "/api/orders/list", &[]).await;
    assert_eq!(list["rows"][0]["email"], "buyer@example.com", "an editor sees it, as registrants' details");
}

backend_tests! {
    every_server_function_follows_the_table,
    every_route_and_screen_follows_the_table,
    registrants_and_buyers_follow_the_group_and_data_rules,
}
