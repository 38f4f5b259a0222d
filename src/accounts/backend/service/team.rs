//! The team as the server functions call it: the page, invitations (sent, again, revoked,
//! accepted), members' roles and groups, removal.
//!
//! Who may do what: managers and admins run the team (`ManageTeam`), but only admins make
//! someone an admin or change an admin; the last admin can't be demoted or removed, and the
//! owner is removed only after handing the organization over. Seats are the plan's `teamSeats`,
//! counting open invitations.

use super::{busy, log_event, new_session};
use crate::accounts::backend::security_log::{self, SecurityEvent};
use crate::accounts::backend::writer::team::{self, AcceptRefusal, GroupRefusal, InviteRefusal, MemberRefusal, NewInvitation};
use crate::accounts::backend::{mail, names, passwords, sessions, store};
use crate::accounts::guard::Client;
use crate::accounts::guard::{Scope, can};
use crate::accounts::model::{GroupView, InvitationLanding, InvitationView, MemberView, TeamView};
use crate::accounts::permissions::{Action, Role, roles_allow};
use crate::accounts::validation::{INVITATION_DEAD, check_password, normalize_email, normalize_name, normalize_team_name};
use crate::error::{AppError, ErrorKind};
use crate::infra::state::AppState;
use crate::plans::backend::{Plan, plan_for_organization, upgrade_hint, visible_plans};
use chrono::Utc;

pub async fn overview(state: &AppState, scope: &Scope<can::ViewDashboard>) -> Result<TeamView, AppError> {
    let org = scope.organization_id();
    let now = Utc::now().naive_utc();
    let plan = plan_for_organization(&state.db, org).await?;
    let owner = store::owner_of(&state.db, org).await?;
    let members: Vec<MemberView> = team::members(&state.db, org)
        .await?
        .into_iter()
        .map(|m| MemberView { is_owner: m.id == owner, id: m.id, name: m.name, email: m.email, group_id: m.group_id, group_name: m.group_name, roles: m.roles })
        .collect();
    let invitations: Vec<InvitationView> = team::open_invitations(&state.db, org)
        .await?
        .into_iter()
        .map(|i| InvitationView {
            expired: i.expires_at <= now,
            expires: i.expires_at.format("%Y-%m-%d").to_string(),
            id: i.id,
            email: i.email,
            roles: i.roles,
            group_name: i.group_name,
        })
        .collect();
    let seats_used = (members.len() + invitations.iter().filter(|i| !i.expired).count()) as u32;
    let group_rows: Vec<GroupView> =
        team::groups_with_counts(&state.db, org).await?.into_iter().map(|g| GroupView { id: g.id, name: g.name, members: g.members as u32 }).collect();
    Ok(TeamView {
        members,
        invitations,
        groups: group_rows.iter().map(|g| (g.id.clone(), g.name.clone())).collect(),
        seats_used,
        seats: plan.features.team_seats,
        plan_name: plan.name,
        can_manage: roles_allow(&scope.user().roles, Action::ManageTeam),
        is_admin: scope.user().roles.contains(&Role::Admin),
        viewer_id: scope.user_id().to_string(),
        viewer_is_owner: scope.user_id() == owner,
        is_enterprise: team::is_enterprise(&state.db, org).await?,
        organization_name: scope.user().organization_name.clone(),
        group_rows,
    })
}

/// The roles a form sent: known names, at least one; only admins hand out the admin role.
fn chosen_roles<P>(scope: &Scope<P>, names: &[String]) -> Result<Vec<Role>, AppError> {
    let mut roles = Vec::new();
    for name in names.iter().filter(|n| !n.is_empty()) {
        roles.push(Role::parse(name).ok_or_else(|| AppError::field("roles", "Choose roles from the list."))?);
    }
    roles.sort();
    roles.dedup();
    if roles.is_empty() {
        return Err(AppError::field("roles", "Choose at least one role."));
    }
    if roles.contains(&Role::Admin) && !scope.user().roles.contains(&Role::Admin) {
        return Err(AppError::forbidden("Only an admin can make someone an admin."));
    }
    Ok(roles)
}

fn role_words(roles: &[Role]) -> String {
    let labels: Vec<&str> = roles.iter().map(|r| r.label()).collect();
    labels.join(" and ")
}

/// The refusal when every seat is taken, naming the plan with more.
async fn no_seat_left(state: &AppState, plan: &Plan) -> Result<AppError, AppError> {
    let upgrade = upgrade_hint(plan, &visible_plans(&state.db).await?, |f| Some(f.team_seats));
    Ok(AppError::new(
        ErrorKind::LimitReached,
        format!(
            "Your {} plan has {} team seats, and members and open invitations fill them. Revoke an invitation or remove someone first.{upgrade}",
            plan.name, plan.features.team_seats
        ),
    ))
}

pub async fn invite(state: &AppState, scope: &Scope<can::ManageTeam>, client: &Client, email: &str, roles: &[String], group_id: &str) -> Result<(), AppError> {
    let email = normalize_email(email).map_err(|m| AppError::field("email", m))?;
    let roles = chosen_roles(scope, roles)?;
    let org = scope.organization_id();
    let plan = plan_for_organization(&state.db, org).await?;
    let token = sessions::new_token();
    let user = scope.user();
    let link = mail::invitation_url(&state.config.public_url, &token);
    let message = mail::invitation(&email, &user.name, &user.organization_name, &role_words(&roles), &link);
    let new = NewInvitation {
        organization_id: org,
        invited_by: &user.id,
        email: &email,
        roles: &roles,
        group_id,
        token_hash: &sessions::token_hash(&token),
        seats: plan.features.team_seats,
    };
    match team::invite(&state.db, &new, &message, Utc::now().naive_utc()).await? {
        Ok(id) => {
            log_event(state, SecurityEvent::InvitationSent, Some(&user.id), Some(&format!("{email} ({id})")), client).await;
            Ok(())
        }
        Err(InviteRefusal::AlreadyMember) => Err(AppError::field("email", "This person is in your team already.")),
        Err(InviteRefusal::AlreadyInvited) => Err(AppError::field("email", "This address has an open invitation. Send it again from the list instead.")),
        Err(InviteRefusal::NoSuchGroup) => Err(AppError::field("group_id", "Choose a group of your organization.")),
        Err(InviteRefusal::NoSeatLeft) => Err(no_seat_left(state, &plan).await?),
    }
}

pub async fn resend_invitation(state: &AppState, scope: &Scope<can::ManageTeam>, id: &str) -> Result<(), AppError> {
    let org = scope.organization_id();
    let Some((email, roles)) = team::invitation_email(&state.db, org, id).await? else {
        return Err(AppError::not_found("That invitation is gone: it was accepted or revoked."));
    };
    let plan = plan_for_organization(&state.db, org).await?;
    let token = sessions::new_token();
    let user = scope.user();
    let message = mail::invitation(&email, &user.name, &user.organization_name, &role_words(&roles), &mail::invitation_url(&state.config.public_url, &token));
    match team::resend(&state.db, org, id, &sessions::token_hash(&token), plan.features.team_seats, &message, Utc::now().naive_utc()).await? {
        Ok(()) => Ok(()),
        Err(InviteRefusal::NoSeatLeft) => Err(no_seat_left(state, &plan).await?),
        Err(_) => Err(AppError::not_found("That invitation is gone: it was accepted or revoked.")),
    }
}

pub async fn revoke_invitation(state: &AppState, scope: &Scope<can::ManageTeam>, id: &str) -> Result<(), AppError> {
    if !team::revoke(&state.db, scope.organization_id(), id, Utc::now().naive_utc()).await? {
        return Err(AppError::not_found("That invitation is gone: it was accepted or revoked."));
    }
    security_log::record_action(state, scope, SecurityEvent::InvitationRevoked, Some(id)).await;
    Ok(())
}

fn member_refusal(refusal: MemberRefusal) -> AppError {
    match refusal {
        MemberRefusal::NotFound => AppError::not_found("That person isn't in your team."),
        MemberRefusal::NoSuchGroup => AppError::field("group_id", "Choose a group of your organization."),
        MemberRefusal::LastAdmin => AppError::conflict("Your organization needs at least one admin. Make someone else an admin first."),
        MemberRefusal::Owner => AppError::conflict("The owner can't be removed. Hand the organization to another admin first."),
        MemberRefusal::AdminOnly => AppError::forbidden("Only an admin can change or remove an admin."),
    }
}

pub async fn change_member(state: &AppState, scope: &Scope<can::ManageTeam>, member_id: &str, roles: &[String], group_id: &str) -> Result<(), AppError> {
    let roles = chosen_roles(scope, roles)?;
    let by_admin = scope.user().roles.contains(&Role::Admin);
    team::change_member(&state.db, scope.organization_id(), member_id, by_admin, &roles, group_id, Utc::now().naive_utc()).await?.map_err(member_refusal)?;
    security_log::record_action(state, scope, SecurityEvent::MemberChanged, Some(&format!("{member_id}: {}", team::roles_text(&roles)))).await;
    Ok(())
}

pub async fn remove_member(state: &AppState, scope: &Scope<can::ManageTeam>, member_id: &str) -> Result<(), AppError> {
    let by_admin = scope.user().roles.contains(&Role::Admin);
    let email = team::remove_member(&state.db, scope.organization_id(), member_id, by_admin).await?.map_err(member_refusal)?;
    security_log::record_action(state, scope, SecurityEvent::MemberRemoved, Some(&email)).await;
    Ok(())
}

/// What an invitation link's page shows, while it works.
pub async fn landing(state: &AppState, token: &str) -> Result<Option<InvitationLanding>, AppError> {
    let live = team::live_invitation(&state.db, &sessions::token_hash(token), Utc::now().naive_utc()).await?;
    Ok(live.map(|i| InvitationLanding { email: i.email, organization_name: i.organization_name, roles: i.roles }))
}

/// Accepts an invitation: the account is made in the inviting organization and signed in.
/// Returns the session token for the cookie.
pub async fn accept(state: &AppState, client: &Client, token: &str, name: &str, password: &str) -> Result<String, AppError> {
    let token_hash = sessions::token_hash(token);
    let Some(live) = team::live_invitation(&state.db, &token_hash, Utc::now().naive_utc()).await? else {
        return Err(AppError::new(ErrorKind::Gone, INVITATION_DEAD));
    };
    let name = normalize_name(name).map_err(|m| AppError::field("name", m))?;
    check_password(password, &live.email, &name).map_err(|m| AppError::field("password", m))?;
    let password_hash = passwords::hash_password(password.to_string()).await.map_err(|_| busy())?.map_err(AppError::internal)?;
    let (user_id, email) = match team::accept(&state.db, &token_hash, &name, &password_hash, Utc::now().naive_utc()).await? {
        Ok(made) => made,
        Err(AcceptRefusal::DeadLink) => return Err(AppError::new(ErrorKind::Gone, INVITATION_DEAD)),
        Err(AcceptRefusal::EmailTaken) => {
            return Err(AppError::conflict(
                "This address already has a Flashpage account, and an account belongs to one organization. Ask for an invitation to another address, or delete that account first.",
            ));
        }
    };
    let (session_token, session) = new_session(state, client);
    store::create_session(&state.db, &user_id, &session, Utc::now().naive_utc()).await?;
    log_event(state, SecurityEvent::InvitationAccepted, Some(&user_id), Some(&email), client).await;
    Ok(session_token)
}

/// The owner hands the organization, and its plan, to another admin.
pub async fn transfer_ownership(state: &AppState, scope: &Scope<can::ManageTeam>, to: &str) -> Result<(), AppError> {
    team::transfer_ownership(&state.db, scope.organization_id(), scope.user_id(), to, Utc::now().naive_utc()).await?.map_err(|r| match r {
        MemberRefusal::Owner => AppError::forbidden("Only the owner can hand the organization over."),
        _ => AppError::field("to", "Choose another admin of your organization."),
    })?;
    security_log::record_action(state, scope, SecurityEvent::OwnershipTransferred, Some(to)).await;
    Ok(())
}

fn group_refusal(refusal: GroupRefusal) -> AppError {
    match refusal {
        GroupRefusal::NotFound => AppError::not_found("That group isn't in your organization."),
        GroupRefusal::NotEmpty => AppError::conflict("Move its members elsewhere and revoke its open invitations first: only an empty group can be deleted."),
        GroupRefusal::LastGroup => AppError::conflict("An organization keeps at least one group."),
        GroupRefusal::NameTaken => AppError::field("name", "Another group has that name."),
    }
}

/// A new group: its name is generated, or chosen by enterprise organizations.
pub async fn create_group(state: &AppState, scope: &Scope<can::ManageTeam>, name: Option<&str>) -> Result<(), AppError> {
    let org = scope.organization_id();
    let chosen = if team::is_enterprise(&state.db, org).await? {
        Some(normalize_team_name(name.unwrap_or_default()).map_err(|m| AppError::field("name", m))?)
    } else {
        None
    };
    // A generated name may be one the organization already has (the word lists are short): another
    // is drawn, rather than telling the person about a name they never chose.
    let mut attempts = 0;
    let (id, name) = loop {
        attempts += 1;
        let name = chosen.clone().unwrap_or_else(names::group_name);
        match team::create_group(&state.db, org, &name, Utc::now().naive_utc()).await? {
            Ok(id) => break (id, name),
            Err(GroupRefusal::NameTaken) if chosen.is_none() && attempts < 20 => continue,
            Err(refusal) => return Err(group_refusal(refusal)),
        }
    };
    security_log::record_action(state, scope, SecurityEvent::GroupChanged, Some(&format!("created {name} ({id})"))).await;
    Ok(())
}

pub async fn delete_group(state: &AppState, scope: &Scope<can::ManageTeam>, id: &str) -> Result<(), AppError> {
    team::delete_group(&state.db, scope.organization_id(), id).await?.map_err(group_refusal)?;
    security_log::record_action(state, scope, SecurityEvent::GroupChanged, Some(&format!("deleted {id}"))).await;
    Ok(())
}

/// The seed's rule: generated names are not editable; enterprise organizations choose their own.
async fn enterprise_only(state: &AppState, organization_id: &str) -> Result<(), AppError> {
    if !team::is_enterprise(&state.db, organization_id).await? {
        return Err(AppError::forbidden("Names are generated on your plan. Enterprise organizations choose their own."));
    }
    Ok(())
}

pub async fn rename_group(state: &AppState, scope: &Scope<can::ManageTeam>, id: &str, name: &str) -> Result<(), AppError> {
    enterprise_only(state, scope.organization_id()).await?;
    let name = normalize_team_name(name).map_err(|m| AppError::field("name", m))?;
    team::rename_group(&state.db, scope.organization_id(), id, &name, Utc::now().naive_utc()).await?.map_err(group_refusal)?;
    security_log::record_action(state, scope, SecurityEvent::GroupChanged, Some(&format!("renamed {id} to {name}"))).await;
    Ok(())
}

/// Renames an enterprise organization (admins).
pub async fn rename_organization(state: &AppState, scope: &Scope<can::ManageTeam>, name: &str) -> Result<(), AppError> {
    if !scope.user().roles.contains(&Role::Admin) {
        return Err(AppError::forbidden("Only an admin can rename the organization."));
    }
    enterprise_only(state, scope.organization_id()).await?;
    let name = normalize_team_name(name).map_err(|m| AppError::field("name", m))?;
    team::rename_organization(&state.db, scope.organization_id(), &name, Utc::now().naive_utc()).await?;
    security_log::record_action(state, scope, SecurityEvent::GroupChanged, Some(&format!("organization renamed to {name}"))).await;
    Ok(())
}
