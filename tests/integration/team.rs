//! The team on SQLite and PostgreSQL: invitations (sent, accepted, sent again, revoked, racing
//! for the last seat), members' roles and groups, the last admin, removal ending sessions, and
//! every refusal with a clear message and nothing changed.

use crate::common;

use common::{PASSWORD, TestApp, accept, call, invitation_token, location, set_plan, set_role};
use diesel::{ExpressionMethods, QueryDsl, TextExpressionMethods};
use flashpage::db_read;
use flashpage::infra::db::DbError;
use flashpage::infra::db::schema::{groups, invitations, organizations, pages, users};

async fn group_of(app: &TestApp, email: &str) -> (String, String) {
    let email = email.to_string();
    let r: Result<(String, String), DbError> = db_read!(app.state.db, conn => {
        Ok(users::table.inner_join(groups::table).filter(users::email.eq(&email)).select((groups::id, groups::name)).first(conn).await?)
    });
    r.expect("group")
}

async fn user_id(app: &TestApp, email: &str) -> String {
    let email = email.to_string();
    let r: Result<String, DbError> = db_read!(app.state.db, conn => {
        Ok(users::table.filter(users::email.eq(&email)).select(users::id).first(conn).await?)
    });
    r.expect("user")
}

/// An admin on the Basic plan (5 seats) with a signed-in browser; the default group's id.
async fn admin(app: &TestApp) -> (reqwest::Client, String) {
    let browser = app.new_browser();
    app.signup(&browser, "Ada Admin", "ada@example.com").await;
    set_plan(app, "ada@example.com", "Basic").await;
    let (group, _) = group_of(app, "ada@example.com").await;
    (browser, group)
}

async fn invite(app: &TestApp, browser: &reqwest::Client, email: &str, roles: &[&str], group: &str) -> (u16, serde_json::Value) {
    let mut fields: Vec<(String, String)> = vec![("email".into(), email.into()), ("group_id".into(), group.into())];
    for (i, role) in roles.iter().enumerate() {
        fields.push((format!("roles[{i}]"), role.to_string()));
    }
    let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    call(app, browser, "/api/team/invite", &borrowed).await
}

/// Invite without JavaScript, accept from the mailed link, land in the inviting organization with
/// the roles and group of the invitation; the link is spent.
async fn an_invited_teammate_joins_with_the_invitations_roles(app: &TestApp) {
    let (ada, group) = admin(app).await;
    let page = app.get(&ada, "/dashboard/team").await.text().await.expect("body");
    assert!(page.contains("data-testid=\"seats\"") && page.contains("1 of 5 seats"), "{page}");
    let res = app.post_form(&ada, "/api/team/invite", "/dashboard/team", &[("email", "Eve@Example.com"), ("roles[2]", "editor"), ("group_id", &group)]).await;
    assert_eq!(location(&res), "/dashboard/team?saved=invited");
    let page = app.get(&ada, "/dashboard/team").await.text().await.expect("body");
    assert!(page.contains("eve@example.com") && page.contains("2 of 5 seats"), "an open invitation takes a seat: {page}");

    let token = invitation_token(app, "eve@example.com").await;
    let landing = app.get(&app.new_browser(), &format!("/invite/{token}")).await.text().await.expect("body");
    assert!(landing.contains("data-testid=\"invitation-for\"") && landing.contains("Editor") && landing.contains("eve@example.com"), "{landing}");
    // A weak password is refused beside its field; the invitation still works.
    let weak = app.call(&app.new_browser(), "/api/invitation/accept", &[("token", &token), ("name", "Eve"), ("password", "short")]).await;
    assert_eq!(weak.status(), 422);
    let (status, eve) = accept(app, &token, "Eve Editor").await;
    assert_eq!(status, 200);
    let dashboard = app.get(&eve, "/dashboard").await.text().await.expect("body");
    assert!(dashboard.contains("Editor") && dashboard.contains("Basic"), "Eve is an editor of Ada's organization on its plan: {dashboard}");
    let ada_org: Result<(String, String), DbError> = db_read!(app.state.db, conn => {
        let a: String = users::table.filter(users::email.eq("ada@example.com")).select(users::organization_id).first(conn).await?;
        let e: String = users::table.filter(users::email.eq("eve@example.com")).select(users::organization_id).first(conn).await?;
        Ok((a, e))
    });
    let (a, e) = ada_org.expect("orgs");
    assert_eq!(a, e);
    assert_eq!(group_of(app, "eve@example.com").await.0, group);
    // Eve edits, but doesn't run the team.
    assert_eq!(call(app, &eve, "/api/pages/create", &[("page_type", "countdown"), ("headline", "Eve's page")]).await.0, 200);
    assert_eq!(invite(app, &eve, "x@example.com", &["viewer"], &group).await.0, 403);

    let (again, _) = accept(app, &token, "Someone Else").await;
    assert_eq!(again, 410, "the link is spent");
    let dead = app.get(&app.new_browser(), &format!("/invite/{token}")).await.text().await.expect("body");
    assert!(dead.contains("data-testid=\"invitation-dead\""));
    let page = app.get(&ada, "/dashboard/team").await.text().await.expect("body");
    assert!(page.contains("2 of 5 seats") && page.contains("Eve Editor"), "{page}");
}

async fn bad_invitations_get_clear_refusals(app: &TestApp) {
    let (ada, group) = admin(app).await;
    assert_eq!(invite(app, &ada, "ada@example.com", &["editor"], &group).await.0, 422, "already in the team");
    assert_eq!(invite(app, &ada, "not an address", &["editor"], &group).await.0, 422);
    assert_eq!(invite(app, &ada, "bob@example.com", &[], &group).await.0, 422, "no role");
    assert_eq!(invite(app, &ada, "bob@example.com", &["owner"], &group).await.0, 422, "no such role");
    assert_eq!(invite(app, &ada, "bob@example.com", &["editor"], "no-such-group").await.0, 422);
    // Another organization's group is no group of this one.
    app.signup(&app.new_browser(), "Mallory", "mallory@example.com").await;
    let (foreign_group, _) = group_of(app, "mallory@example.com").await;
    let (status, body) = invite(app, &ada, "bob@example.com", &["editor"], &foreign_group).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(invite(app, &ada, "bob@example.com", &["editor"], &group).await.0, 200);
    let (status, body) = invite(app, &ada, "BOB@example.com", &["viewer"], &group).await;
    assert_eq!(status, 422);
    assert!(body.to_string().contains("open invitation"), "{body}");
    let count: Result<i64, DbError> = db_read!(app.state.db, conn => Ok(invitations::table.count().get_result(conn).await?));
    assert_eq!(count.expect("count"), 1, "refusals stored nothing");
    // An address with an account elsewhere can be invited; accepting says why it can't join.
    assert_eq!(invite(app, &ada, "mallory@example.com", &["viewer"], &group).await.0, 200);
    let token = invitation_token(app, "mallory@example.com").await;
    let res = app.call(&app.new_browser(), "/api/invitation/accept", &[("token", &token), ("name", "M"), ("password", PASSWORD)]).await;
    assert_eq!(res.status(), 409);
    assert!(res.text().await.expect("body").contains("already has a Flashpage account"));
}

/// The Free plan has one seat: its owner. Basic has five, and open invitations count; two admins
/// inviting for the last seat at once get one invitation through.
async fn seats_are_the_plans_and_invitations_count(app: &TestApp) {
    let ada = app.new_browser();
    app.signup(&ada, "Ada", "ada@example.com").await;
    let (group, _) = group_of(app, "ada@example.com").await;
    let (status, body) = invite(app, &ada, "bob@example.com", &["editor"], &group).await;
    assert_eq!(status, 403);
    let message = body["message"].as_str().unwrap_or_default().to_string();
    assert!(message.contains("Free plan has 1 team seats") && message.contains("Basic plan allows 5"), "{message}");
    set_plan(app, "ada@example.com", "Basic").await;
    for i in 0..3 {
        assert_eq!(invite(app, &ada, &format!("p{i}@example.com"), &["viewer"], &group).await.0, 200);
    }
    // Several rounds, the winner revoked after each, so a lost race has many chances to show.
    for round in 0..5 {
        let racers = (0..30).map(|i| {
            let ada = ada.clone();
            let group = group.clone();
            async move { invite(app, &ada, &format!("racer{round}-{i}@example.com"), &["viewer"], &group).await.0 }
        });
        let outcomes = futures_util::future::join_all(racers).await;
        assert_eq!(outcomes.iter().filter(|s| **s == 200).count(), 1, "round {round}: {outcomes:?}");
        assert!(outcomes.iter().all(|s| *s == 200 || *s == 403), "{outcomes:?}");
        let winner: Result<String, DbError> = db_read!(app.state.db, conn => {
            Ok(invitations::table.filter(invitations::email.like(format!("racer{round}-%"))).select(invitations::id).first(conn).await?)
        });
        assert_eq!(call(app, &ada, "/api/team/invitations/revoke", &[("id", &winner.expect("winner"))]).await.0, 200);
    }
    assert_eq!(invite(app, &ada, "p3@example.com", &["viewer"], &group).await.0, 200, "the last seat, taken normally");
    // Revoking frees a seat; its link dies.
    let token = invitation_token(app, "p0@example.com").await;
    let id: Result<String, DbError> = db_read!(app.state.db, conn => {
        Ok(invitations::table.filter(invitations::email.eq("p0@example.com")).select(invitations::id).first(conn).await?)
    });
    let id = id.expect("id");
    assert_eq!(app.post_form(&ada, "/api/team/invitations/revoke", "/dashboard/team", &[("id", &id)]).await.status(), 302);
    assert_eq!(accept(app, &token, "P Zero").await.0, 410);
    assert_eq!(invite(app, &ada, "late@example.com", &["viewer"], &group).await.0, 200);
    assert_eq!(call(app, &ada, "/api/team/invitations/revoke", &[("id", &id)]).await.0, 404, "revoked already");
}

/// Sending again makes a new link (the old one dies) valid for 7 more days.
async fn an_invitation_sent_again_has_a_new_link(app: &TestApp) {
    let (ada, group) = admin(app).await;
    invite(app, &ada, "bob@example.com", &["viewer"], &group).await;
    let first = invitation_token(app, "bob@example.com").await;
    let id: Result<String, DbError> = db_read!(app.state.db, conn => Ok(invitations::table.select(invitations::id).first(conn).await?));
    let id = id.expect("id");
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    assert_eq!(call(app, &ada, "/api/team/invitations/resend", &[("id", &id)]).await.0, 200);
    let second = invitation_token(app, "bob@example.com").await;
    assert_ne!(first, second);
    assert_eq!(accept(app, &first, "Bob").await.0, 410, "the old link died");
    assert_eq!(accept(app, &second, "Bob").await.0, 200);
    assert_eq!(call(app, &ada, "/api/team/invitations/resend", &[("id", &id)]).await.0, 404, "accepted already");
}

/// Roles and group change; only admins make admins; the last admin stays; removing someone ends
/// their sessions at once and keeps their pages with the organization.
async fn members_change_and_leave_under_the_rules(app: &TestApp) {
    let (ada, group) = admin(app).await;
    invite(app, &ada, "mia@example.com", &["manager"], &group).await;
    let (_, mia) = accept(app, &invitation_token(app, "mia@example.com").await, "Mia Manager").await;
    invite(app, &ada, "eve@example.com", &["editor"], &group).await;
    let (_, eve) = accept(app, &invitation_token(app, "eve@example.com").await, "Eve Editor").await;
    let (ada_id, mia_id, eve_id) = (user_id(app, "ada@example.com").await, user_id(app, "mia@example.com").await, user_id(app, "eve@example.com").await);

    // A manager runs the team but can't make or touch admins.
    assert_eq!(invite(app, &mia, "x@example.com", &["admin"], &group).await.0, 403);
    assert_eq!(call(app, &mia, "/api/team/members/change", &[("id", &eve_id), ("roles[0]", "admin"), ("group_id", &group)]).await.0, 403);
    assert_eq!(call(app, &mia, "/api/team/members/change", &[("id", &ada_id), ("roles[3]", "viewer"), ("group_id", &group)]).await.0, 403);
    assert_eq!(call(app, &mia, "/api/team/members/remove", &[("id", &ada_id)]).await.0, 403);
    let (status, _) =
        call(app, &mia, "/api/team/members/change", &[("id", &eve_id), ("roles[2]", "editor"), ("roles[3]", "viewer"), ("group_id", &group)]).await;
    assert_eq!(status, 200);
    // The last admin can't demote themselves; with a second admin they can.
    let (status, body) = call(app, &ada, "/api/team/members/change", &[("id", &ada_id), ("roles[1]", "manager"), ("group_id", &group)]).await;
    assert_eq!(status, 409, "{body}");
    assert!(body["message"].as_str().unwrap_or_default().contains("at least one admin"));
    assert_eq!(call(app, &ada, "/api/team/members/change", &[("id", &mia_id), ("roles[0]", "admin"), ("group_id", &group)]).await.0, 200);
    // The owner can't be removed; someone of another organization is nobody here.
    assert_eq!(call(app, &mia, "/api/team/members/remove", &[("id", &ada_id)]).await.0, 409);
    app.signup(&app.new_browser(), "Mallory", "mallory@example.com").await;
    let mallory_id = user_id(app, "mallory@example.com").await;
    assert_eq!(call(app, &ada, "/api/team/members/remove", &[("id", &mallory_id)]).await.0, 404);
    assert_eq!(call(app, &ada, "/api/team/members/change", &[("id", &mallory_id), ("roles[3]", "viewer"), ("group_id", &group)]).await.0, 404);

    // Eve's page stays when Eve goes; her session ends at once.
    let (_, made) = call(app, &eve, "/api/pages/create", &[("page_type", "countdown"), ("headline", "Eve's page")]).await;
    let page_id = made.as_str().expect("page id").to_string();
    assert_eq!(app.get(&eve, "/dashboard").await.status(), 200);
    let res = app.post_form(&ada, "/api/team/members/remove", "/dashboard/team", &[("id", &eve_id)]).await;
    assert_eq!(location(&res), "/dashboard/team?saved=removed");
    assert_eq!(app.get(&eve, "/dashboard").await.status(), 302, "Eve is logged out");
    let owner: Result<String, DbError> = db_read!(app.state.db, conn => {
        Ok(pages::table.filter(pages::id.eq(&page_id)).select(pages::user_id).first(conn).await?)
    });
    assert_eq!(owner.expect("page"), ada_id, "the page passed to the owner");
    let log = app.get(&ada, "/dashboard/security").await.text().await.expect("body");
    assert!(log.contains("Removed a member") && log.contains("Invited someone") && log.contains("Joined the team"), "{log}");
}

/// Viewers and editors see the team but none of its forms; strangers see nothing.
async fn only_managers_and_admins_run_the_team(app: &TestApp) {
    let (ada, group) = admin(app).await;
    invite(app, &ada, "vic@example.com", &["viewer"], &group).await;
    let (_, vic) = accept(app, &invitation_token(app, "vic@example.com").await, "Vic Viewer").await;
    let page = app.get(&vic, "/dashboard/team").await.text().await.expect("body");
    assert!(page.contains("Ada Admin") && !page.contains("/api/team/invite"), "{page}");
    assert_eq!(invite(app, &vic, "x@example.com", &["viewer"], &group).await.0, 403);
    let stranger = app.new_browser();
    assert_eq!(call(app, &stranger, "/api/team", &[]).await.0, 401);
    assert_eq!(app.get(&stranger, "/dashboard/team").await.status(), 302);
    set_role(app, "vic@example.com", "manager").await;
    assert!(app.get(&vic, "/dashboard/team").await.text().await.expect("body").contains("/api/team/invite"));
}

async fn set_enterprise(app: &TestApp, email: &str) {
    let email = email.to_string();
    let r: Result<usize, DbError> = flashpage::db_write!(app.state.db, conn => {
        let org: String = users::table.filter(users::email.eq(&email)).select(users::organization_id).first(conn).await?;
        Ok(diesel::update(organizations::table.filter(organizations::id.eq(&org))).set(organizations::is_enterprise.eq(true)).execute(conn).await?)
    });
    assert_eq!(r.expect("enterprise"), 1);
}

async fn group_names(app: &TestApp, email: &str) -> Vec<String> {
    let email = email.to_string();
    let r: Result<Vec<String>, DbError> = db_read!(app.state.db, conn => {
        let org: String = users::table.filter(users::email.eq(&email)).select(users::organization_id).first(conn).await?;
        Ok(groups::table.filter(groups::organization_id.eq(&org)).order(groups::name.asc()).select(groups::name).load(conn).await?)
    });
    r.expect("groups")
}

/// Generated names never collide with the organization's own: 150 groups in a row are all made
/// (1,224 word pairs: without drawing again, some of 150 would be refused as taken, 99.99 % of runs).
async fn generated_group_names_are_drawn_again_when_taken(app: &TestApp) {
    let (ada, _) = admin(app).await;
    for i in 0..150 {
        let (status, body) = call(app, &ada, "/api/team/groups/create", &[]).await;
        assert_eq!(status, 200, "group {i}: {body}");
    }
    let names = group_names(app, "ada@example.com").await;
    assert_eq!(names.iter().collect::<std::collections::BTreeSet<_>>().len(), 151, "151 distinct names");
}

/// Groups: generated names unless enterprise; only empty groups go; names are unique.
async fn groups_follow_the_seed_rules(app: &TestApp) {
    let (ada, default_group) = admin(app).await;
    let res = app.post_form(&ada, "/api/team/groups/create", "/dashboard/team", &[]).await;
    assert_eq!(location(&res), "/dashboard/team?saved=group");
    let names = group_names(app, "ada@example.com").await;
    assert_eq!(names.len(), 2);
    assert!(names.iter().all(|n| n.ends_with(" Team")), "generated: {names:?}");
    let new_group: Result<String, DbError> = db_read!(app.state.db, conn => {
        Ok(groups::table.filter(groups::id.ne(&default_group)).filter(groups::name.eq_any(&names)).select(groups::id).first(conn).await?)
    });
    let new_group = new_group.expect("new group");
    assert_eq!(call(app, &ada, "/api/team/groups/rename", &[("id", &new_group), ("name", "Design")]).await.0, 403, "not enterprise");
    assert_eq!(call(app, &ada, "/api/team/rename", &[("name", "Acme")]).await.0, 403);
    assert_eq!(call(app, &ada, "/api/team/groups/delete", &[("id", &default_group)]).await.0, 409, "Ada is in it");
    invite(app, &ada, "bob@example.com", &["viewer"], &new_group).await;
    assert_eq!(call(app, &ada, "/api/team/groups/delete", &[("id", &new_group)]).await.0, 409, "an open invitation is in it");
    let id: Result<String, DbError> = db_read!(app.state.db, conn => Ok(invitations::table.select(invitations::id).first(conn).await?));
    call(app, &ada, "/api/team/invitations/revoke", &[("id", &id.expect("id"))]).await;
    app.signup(&app.new_browser(), "Mallory", "mallory@example.com").await;
    let (foreign, _) = group_of(app, "mallory@example.com").await;
    assert_eq!(call(app, &ada, "/api/team/groups/delete", &[("id", &foreign)]).await.0, 404);
    assert_eq!(call(app, &ada, "/api/team/groups/delete", &[("id", &new_group)]).await.0, 200);
    assert_eq!(group_names(app, "ada@example.com").await.len(), 1);

    set_enterprise(app, "ada@example.com").await;
    assert_eq!(call(app, &ada, "/api/team/groups/create", &[("name", "  Design  ")]).await.0, 200);
    let (status, body) = call(app, &ada, "/api/team/groups/create", &[("name", "Design")]).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(call(app, &ada, "/api/team/groups/create", &[("name", "")]).await.0, 422);
    assert_eq!(call(app, &ada, "/api/team/groups/rename", &[("id", &default_group), ("name", "Marketing")]).await.0, 200);
    assert_eq!(group_names(app, "ada@example.com").await, vec!["Design".to_string(), "Marketing".to_string()]);
    assert_eq!(call(app, &ada, "/api/team/rename", &[("name", "Acme Inc.")]).await.0, 200);
    assert!(app.get(&ada, "/dashboard").await.text().await.expect("body").contains("Acme Inc."));
    assert!(app.get(&ada, "/dashboard/team").await.text().await.expect("body").contains("/api/team/groups/rename"));
}

/// The owner hands the organization, and its plan, to another admin, and may then be removed.
async fn the_owner_hands_the_organization_over(app: &TestApp) {
    let (ada, group) = admin(app).await;
    invite(app, &ada, "mia@example.com", &["admin"], &group).await;
    let (_, mia) = accept(app, &invitation_token(app, "mia@example.com").await, "Mia Admin").await;
    invite(app, &ada, "eve@example.com", &["editor"], &group).await;
    accept(app, &invitation_token(app, "eve@example.com").await, "Eve Editor").await;
    let (ada_id, mia_id, eve_id) = (user_id(app, "ada@example.com").await, user_id(app, "mia@example.com").await, user_id(app, "eve@example.com").await);
    assert!(!app.get(&mia, "/dashboard/team").await.text().await.expect("body").contains("/api/team/owner"), "only the owner sees the hand-over");
    assert_eq!(call(app, &mia, "/api/team/owner", &[("to", &mia_id)]).await.0, 403, "only the owner hands over");
    assert_eq!(call(app, &ada, "/api/team/owner", &[("to", &eve_id)]).await.0, 422, "to admins only");
    let res = app.post_form(&ada, "/api/team/owner", "/dashboard/team", &[("to", &mia_id)]).await;
    assert_eq!(location(&res), "/dashboard/team?saved=owner");
    let owner: Result<String, DbError> = db_read!(app.state.db, conn => {
        Ok(organizations::table.select(organizations::owner_id).filter(organizations::owner_id.eq_any([&ada_id, &mia_id])).first(conn).await?)
    });
    assert_eq!(owner.expect("owner"), mia_id);
    assert!(app.get(&mia, "/dashboard").await.text().await.expect("body").contains("Basic"), "the plan went with the organization");
    assert_eq!(call(app, &mia, "/api/team/members/remove", &[("id", &ada_id)]).await.0, 200, "the former owner can now be removed");
}

/// Every team action as an editor, a viewer and nobody, and with another organization's ids: refused,
/// and nothing changes. Requests from another site are refused before any of it.
async fn every_team_action_checks_role_and_organization(app: &TestApp) {
    let (ada, group) = admin(app).await;
    invite(app, &ada, "eve@example.com", &["editor"], &group).await;
    let (_, eve) = accept(app, &invitation_token(app, "eve@example.com").await, "Eve Editor").await;
    invite(app, &ada, "vic@example.com", &["viewer"], &group).await;
    let (_, vic) = accept(app, &invitation_token(app, "vic@example.com").await, "Vic Viewer").await;
    invite(app, &ada, "pending@example.com", &["viewer"], &group).await;
    let (eve_id, vic_id) = (user_id(app, "eve@example.com").await, user_id(app, "vic@example.com").await);
    let open_invitation = |email: &'static str| async move {
        let r: Result<String, DbError> = db_read!(app.state.db, conn => {
            Ok(invitations::table.filter(invitations::email.eq(email)).filter(invitations::revoked_at.is_null()).select(invitations::id).first(conn).await?)
        });
        r.expect("invitation")
    };
    let pending = open_invitation("pending@example.com").await;

    let mallory = app.new_browser();
    app.signup(&mallory, "Mallory", "mallory@example.com").await;
    set_plan(app, "mallory@example.com", "Basic").await;
    let (mallory_group, _) = group_of(app, "mallory@example.com").await;
    invite(app, &mallory, "mine@example.com", &["viewer"], &mallory_group).await;
    let foreign_invitation = open_invitation("mine@example.com").await;
    let mallory_id = user_id(app, "mallory@example.com").await;

    let actions: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("/api/team/invite", vec![("email", "new@example.com"), ("roles[3]", "viewer"), ("group_id", &group)]),
        ("/api/team/invitations/resend", vec![("id", &pending)]),
        ("/api/team/invitations/revoke", vec![("id", &pending)]),
        ("/api/team/members/change", vec![("id", &vic_id), ("roles[2]", "editor"), ("group_id", &group)]),
        ("/api/team/members/remove", vec![("id", &vic_id)]),
        ("/api/team/owner", vec![("to", &eve_id)]),
        ("/api/team/groups/create", vec![]),
        ("/api/team/groups/delete", vec![("id", &group)]),
        ("/api/team/groups/rename", vec![("id", &group), ("name", "Taken over")]),
        ("/api/team/rename", vec![("name", "Taken over")]),
    ];
    let nobody = app.new_browser();
    let other_site = common::foreign_client(Some("https://evil.example"));
    for (path, fields) in &actions {
        assert_eq!(call(app, &eve, path, fields).await.0, 403, "an editor: {path}");
        assert_eq!(call(app, &vic, path, fields).await.0, 403, "a viewer: {path}");
        assert_eq!(call(app, &nobody, path, fields).await.0, 401, "nobody: {path}");
        let res = other_site.post(app.url(path)).header("accept", "application/json").form(fields).send().await.expect("request");
        assert_eq!(res.status(), 403, "another site: {path}");
    }

    // Ada, an admin, with Mallory's ids: nothing of another organization is found.
    flashpage::db_write!(app.state.db, conn => {
        Ok::<_, DbError>(diesel::update(organizations::table).set(organizations::is_enterprise.eq(true)).execute(conn).await?)
    })
    .expect("enterprise");
    let foreign: Vec<(&str, Vec<(&str, &str)>, u16)> = vec![
        ("/api/team/invitations/resend", vec![("id", &foreign_invitation)], 404),
        ("/api/team/invitations/revoke", vec![("id", &foreign_invitation)], 404),
        ("/api/team/members/change", vec![("id", &mallory_id), ("roles[3]", "viewer"), ("group_id", &group)], 404),
        ("/api/team/members/remove", vec![("id", &mallory_id)], 404),
        ("/api/team/owner", vec![("to", &mallory_id)], 422),
        ("/api/team/groups/delete", vec![("id", &mallory_group)], 404),
        ("/api/team/groups/rename", vec![("id", &mallory_group), ("name", "Taken over")], 404),
        ("/api/team/invite", vec![("email", "new@example.com"), ("roles[3]", "viewer"), ("group_id", &mallory_group)], 422),
    ];
    for (path, fields, status) in &foreign {
        assert_eq!(call(app, &ada, path, fields).await.0, *status, "another organization's id: {path}");
    }
    assert_eq!(open_invitation("mine@example.com").await, foreign_invitation, "Mallory's invitation is untouched");
    assert_eq!(group_names(app, "mallory@example.com").await.len(), 1);
    assert!(app.get(&mallory, "/dashboard").await.text().await.expect("body").contains("Mallory"));
    let team = app.get(&ada, "/dashboard/team").await.text().await.expect("body");
    assert!(!team.contains("mallory@example.com") && !team.contains("mine@example.com"), "another organization's people never show");
}

backend_tests! {
    every_team_action_checks_role_and_organization,
    groups_follow_the_seed_rules,
    the_owner_hands_the_organization_over,
    an_invited_teammate_joins_with_the_invitations_roles,
    bad_invitations_get_clear_refusals,
    seats_are_the_plans_and_invitations_count,
    an_invitation_sent_again_has_a_new_link,
    members_change_and_leave_under_the_rules,
    only_managers_and_admins_run_the_team,
    editors_change_their_own_groups_pages,
    generated_group_names_are_drawn_again_when_taken,
}

/// What a group scopes: editors change their own group's pages and products, managers and admins
/// all of them; a deleted group's pages are anyone's (of the editors).
async fn editors_change_their_own_groups_pages(app: &TestApp) {
    let (ada, first) = admin(app).await;
    let (status, _) = call(app, &ada, "/api/team/groups/create", &[]).await;
    assert_eq!(status, 200);
    let second = {
        let r: Result<String, DbError> = db_read!(app.state.db, conn => {
            Ok(groups::table.filter(groups::id.ne(&first)).select(groups::id).first(conn).await?)
        });
        r.expect("second group")
    };
    let eve = common::join_team(app, &ada, "eve@example.com", "editor", &first).await;
    let fay = common::join_team(app, &ada, "fay@example.com", "editor", &second).await;
    let mia = common::join_team(app, &ada, "mia@example.com", "manager", &second).await;
    let (_, page) = call(app, &eve, "/api/pages/create", &[("page_type", "countdown"), ("headline", "Eve's")]).await;
    let page = page.as_str().expect("id").to_string();
    let add =
        |who: &'static str| [("page_id", page.clone()), ("item[kind]", "text".into()), ("item[title]", who.to_string()), ("item[description]", String::new())];
    let fields = |a: &[(&'static str, String); 4]| a.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>();
    let send = |browser: &reqwest::Client, who: &'static str| {
        let f = fields(&add(who));
        let browser = browser.clone();
        async move {
            let refs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            call(app, &browser, "/api/pages/content/add", &refs).await
        }
    };
    assert_eq!(send(&eve, "eve").await.0, 200, "her own group's page");
    let (status, body) = send(&fay, "fay").await;
    assert_eq!(status, 403, "another group's page: {body}");
    assert!(body["message"].as_str().unwrap_or_default().contains("belongs to another group"), "{body}");
    assert_eq!(send(&mia, "mia").await.0, 200, "managers change every group's pages");
    // Fay's own product is hers to change; Eve's is not.
    let product = |name: &'static str| {
        [("form[name]", name), ("form[description]", "A guide."), ("form[price]", "9.99"), ("form[currency]", "USD"), ("form[expiresAt]", "")]
    };
    let (_, eves) = call(app, &eve, "/api/products/create", &product("Eve's guide")).await;
    let eves = eves.as_str().expect("id").to_string();
    assert_eq!(call(app, &fay, "/api/products/deactivate", &[("id", &eves)]).await.0, 403);
    assert_eq!(call(app, &eve, "/api/products/deactivate", &[("id", &eves)]).await.0, 200);
    // Eve moves to the second group: the first group empties and is deleted; its page is anyone's.
    let eve_id = {
        let r: Result<String, DbError> =
            db_read!(app.state.db, conn => Ok(users::table.filter(users::email.eq("eve@example.com")).select(users::id).first(conn).await?));
        r.expect("eve")
    };
    assert_eq!(call(app, &ada, "/api/team/members/change", &[("id", &eve_id), ("roles[0]", "editor"), ("group_id", &second)]).await.0, 200);
    let ada_id = {
        let r: Result<String, DbError> =
            db_read!(app.state.db, conn => Ok(users::table.filter(users::email.eq("ada@example.com")).select(users::id).first(conn).await?));
        r.expect("ada")
    };
    assert_eq!(call(app, &ada, "/api/team/members/change", &[("id", &ada_id), ("roles[0]", "admin"), ("group_id", &second)]).await.0, 200);
    let (status, body) = call(app, &ada, "/api/team/groups/delete", &[("id", &first)]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(send(&fay, "fay").await.0, 200, "a page of no group is every editor's");
}
