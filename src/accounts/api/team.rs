//! Team server functions: the team page, invitations, members. Thin: the guard, the service,
//! the redirect back to the team page (`?saved=…`) for forms sent without JavaScript.

use crate::accounts::model::{InvitationLanding, TeamView};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::accounts::backend::service::team as service;
#[cfg(feature = "ssr")]
use crate::accounts::guard::{Guard, can};
#[cfg(feature = "ssr")]
use crate::infra::request::redirect;

#[server(prefix = "/api", endpoint = "team")]
pub async fn load_team() -> Result<TeamView, AppError> {
    let guard = Guard::current()?;
    let scope = guard.allow::<can::ViewDashboard>().await?;
    service::overview(guard.state(), &scope).await
}

/// Invites an address with one or more roles (`roles[]`) into a group.
#[server(prefix = "/api", endpoint = "team/invite")]
pub async fn invite_teammate(email: String, #[server(default)] roles: Vec<String>, group_id: String) -> Result<(), AppError> {
    let guard = Guard::current()?;
    let scope = guard.allow::<can::ManageTeam>().await?;
    service::invite(guard.state(), &scope, &guard.client(), &email, &roles, &group_id).await?;
    redirect("/dashboard/team?saved=invited")
}

#[server(prefix = "/api", endpoint = "team/invitations/resend")]
pub async fn resend_invitation(id: String) -> Result<(), AppError> {
    let guard = Guard::current()?;
    let scope = guard.allow::<can::ManageTeam>().await?;
    service::resend_invitation(guard.state(), &scope, &id).await?;
    redirect("/dashboard/team?saved=resent")
}

#[server(prefix = "/api", endpoint = "team/invitations/revoke")]
pub async fn revoke_invitation(id: String) -> Result<(), AppError> {
    let guard = Guard::current()?;
    let scope = guard.allow::<can::ManageTeam>().await?;
    service::revoke_invitation(guard.state(), &scope, &id).await?;
    redirect("/dashboard/team?saved=revoked")
}

/// Sets a member's roles (`roles[]`) and group.
#[server(prefix = "/api", endpoint = "team/members/change")]
pub async fn change_member(id: String, #[server(default)] roles: Vec<String>, group_id: String) -> Result<(), AppError> {
    let guard = Guard::current()?;
    let scope = guard.allow::<can::ManageTeam>().await?;
    service::change_member(guard.state(), &scope, &id, &roles, &group_id).await?;
    redirect("/dashboard/team?saved=changed")
}

#[server(prefix = "/api", endpoint = "team/members/remove")]
pub async fn remove_member(id: String) -> Result<(), AppError> {
    let guard = Guard::current()?;
    let scope = guard.allow::<can::ManageTeam>().await?;
    service::remove_member(guard.state(), &scope, &id).await?;
    redirect("/dashboard/team?saved=removed")
}

/// What an invitation link's page shows (nothing once the link is dead).
#[server(prefix = "/api", endpoint = "invitation")]
pub async fn load_invitation(token: String) -> Result<Option<InvitationLanding>, AppError> {
    let guard = Guard::current()?;
    service::landing(guard.state(), &token).await
}

/// Accepts an invitation with a name and a password, and signs in.
#[server(prefix = "/api", endpoint = "invitation/accept")]
pub async fn accept_invitation(token: String, name: String, password: String) -> Result<(), AppError> {
    use crate::accounts::backend::sessions;
    let guard = Guard::current()?;
    let state = guard.state();
    let session = service::accept(state, &guard.client(), &token, &name, &password).await?;
    guard.set_cookie(&sessions::session_cookie(&session, state.config.session_ttl_hours, state.config.secure_cookies()));
    redirect("/dashboard?joined=1")
}

/// The owner hands the organization (and its plan) to another admin.
#[server(prefix = "/api", endpoint = "team/owner")]
pub async fn transfer_ownership(to: String) -> Result<(), AppError> {
    let guard = Guard::current()?;
    let scope = guard.allow::<can::ManageTeam>().await?;
    service::transfer_ownership(guard.state(), &scope, &to).await?;
    redirect("/dashboard/team?saved=owner")
}

/// A new group (named by enterprise organizations, generated otherwise).
#[server(prefix = "/api", endpoint = "team/groups/create")]
pub async fn create_group(name: Option<String>) -> Result<(), AppError> {
    let guard = Guard::current()?;
    let scope = guard.allow::<can::ManageTeam>().await?;
    service::create_group(guard.state(), &scope, name.as_deref()).await?;
    redirect("/dashboard/team?saved=group")
}

#[server(prefix = "/api", endpoint = "team/groups/delete")]
pub async fn delete_group(id: String) -> Result<(), AppError> {
    let guard = Guard::current()?;
    let scope = guard.allow::<can::ManageTeam>().await?;
    service::delete_group(guard.state(), &scope, &id).await?;
    redirect("/dashboard/team?saved=group")
}

#[server(prefix = "/api", endpoint = "team/groups/rename")]
pub async fn rename_group(id: String, name: String) -> Result<(), AppError> {
    let guard = Guard::current()?;
    let scope = guard.allow::<can::ManageTeam>().await?;
    service::rename_group(guard.state(), &scope, &id, &name).await?;
    redirect("/dashboard/team?saved=group")
}

#[server(prefix = "/api", endpoint = "team/rename")]
pub async fn rename_organization(name: String) -> Result<(), AppError> {
    let guard = Guard::current()?;
    let scope = guard.allow::<can::ManageTeam>().await?;
    service::rename_organization(guard.state(), &scope, &name).await?;
    redirect("/dashboard/team?saved=group")
}
