//! `/dashboard/team`: members with their roles and group, open invitations, seats; for managers
//! and admins the invite form and each member's change and remove forms. And `/invite/{token}`,
//! where an invited person chooses their name and password. Plain forms throughout: each posts
//! and comes back with `?saved=…`, or with its refusal, with or without JavaScript.

use crate::accounts::api::{
    AcceptInvitation, ChangeMember, CreateGroup, DeleteGroup, InviteTeammate, RemoveMember, RenameGroup, RenameOrganization, ResendInvitation,
    RevokeInvitation, TransferOwnership, load_invitation, load_team,
};
use crate::accounts::model::{InvitationView, MemberView, TeamView};
use crate::accounts::permissions::Role;
use crate::accounts::validation::INVITATION_DEAD;
use crate::error::AppError;
use crate::ui::fields::{Field, FormAlert, refusal_field, refusal_in_address, refusal_summary};
use crate::ui::head::Title;
use crate::ui::layout::{AppFrame, AuthCard};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Meta;
use leptos_router::hooks::{use_params_map, use_query_map};

fn summary(error: &Option<AppError>) -> Option<String> {
    error.as_ref().map(|e| e.fields.first().map(|f| f.message.clone()).unwrap_or_else(|| e.message.clone()))
}

#[component]
pub fn TeamRoute() -> impl IntoView {
    let saved = use_query_map().with_untracked(|q| q.get("saved"));
    let invite_error = refusal_in_address::<InviteTeammate>();
    let other_error = refusal_in_address::<ChangeMember>()
        .or_else(refusal_in_address::<RemoveMember>)
        .or_else(refusal_in_address::<ResendInvitation>)
        .or_else(refusal_in_address::<RevokeInvitation>)
        .or_else(refusal_in_address::<TransferOwnership>)
        .or_else(refusal_in_address::<CreateGroup>)
        .or_else(refusal_in_address::<DeleteGroup>)
        .or_else(refusal_in_address::<RenameGroup>)
        .or_else(refusal_in_address::<RenameOrganization>);
    let notice = saved.as_deref().and_then(|s| match s {
        "invited" => Some("Invitation sent. It works for 7 days."),
        "resent" => Some("Invitation sent again, with a new link valid for 7 days."),
        "revoked" => Some("Invitation revoked: its link no longer works."),
        "changed" => Some("Saved."),
        "removed" => Some("Removed. Their sessions have ended; their pages and products stay with the organization."),
        "owner" => Some("The organization, and its plan, now belong to the new owner."),
        "group" => Some("Groups saved."),
        _ => None,
    });
    let team = Resource::new(|| (), |_| load_team());
    let header = view! { <a class="back-link" href="/dashboard">"← Dashboard"</a> }.into_any();
    view! {
        <Title text="Team · Flashpage"/>
        <AppFrame current="/dashboard/team" header>
            <div class="panel-head"><h1>"Team"</h1></div>
            {notice.map(|n| view! { <div class="form-notice" role="status" data-testid="team-saved">{n}</div> })}
            <FormAlert message=summary(&other_error)/>
            <Suspense fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
                {move || {
                    let invite_error = invite_error.clone();
                    Suspend::new(async move {
                        match team.await {
                            Ok(t) => view! { <Team t invite_error/> }.into_any(),
                            Err(error) => view! { <crate::ui::status::LoadRefused error/> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </AppFrame>
    }
}

/// Checkboxes for the roles, `roles[i]`; `checked` are ticked; the admin box only for admins.
fn role_boxes(prefix: &str, checked: &[Role], is_admin: bool) -> AnyView {
    Role::ALL
        .iter()
        .enumerate()
        .filter(|(_, r)| is_admin || **r != Role::Admin)
        .map(|(i, r)| {
            let (id, for_id) = (format!("{prefix}-role-{}", r.as_str()), format!("{prefix}-role-{}", r.as_str()));
            let ticked = checked.contains(r);
            view! {
                <label class="check" for=for_id>
                    <input type="checkbox" id=id name=format!("roles[{i}]") value=r.as_str() checked=ticked/>
                    {r.label()}
                </label>
            }
        })
        .collect_view()
        .into_any()
}

fn group_select(id: String, groups: &[(String, String)], selected: &str) -> AnyView {
    let options = groups
        .iter()
        .map(|(gid, name)| {
            let chosen = gid == selected;
            view! { <option value=gid.clone() selected=chosen>{name.clone()}</option> }
        })
        .collect_view();
    view! { <select id=id name="group_id">{options}</select> }.into_any()
}

#[component]
fn Team(t: TeamView, invite_error: Option<AppError>) -> impl IntoView {
    let full = t.seats_used >= t.seats;
    let seats = format!("{} of {} seats in use on the {} plan (open invitations count).", t.seats_used, t.seats, t.plan_name);
    let first_group = t.groups.first().map(|(id, _)| id.clone()).unwrap_or_default();
    view! {
        <p class="field-hint" data-testid="seats">{seats}</p>
        <div class="table-wrap">
            <table class="pages-table" data-testid="members">
                <thead><tr><th scope="col">"Name"</th><th scope="col">"Email"</th><th scope="col">"Roles"</th><th scope="col">"Group"</th>{t.can_manage.then(|| view! { <th scope="col">"Change"</th> })}</tr></thead>
                <tbody>{t.members.iter().map(|m| member_row(m, &t)).collect_view()}</tbody>
            </table>
        </div>
        {(!t.invitations.is_empty()).then(|| view! {
            <h2>"Open invitations"</h2>
            <div class="table-wrap">
                <table class="pages-table" data-testid="invitations">
                    <thead><tr><th scope="col">"Email"</th><th scope="col">"Roles"</th><th scope="col">"Group"</th><th scope="col">"Link valid until"</th>{t.can_manage.then(|| view! { <th scope="col">"Actions"</th> })}</tr></thead>
                    <tbody>{t.invitations.iter().map(|i| invitation_row(i, t.can_manage)).collect_view()}</tbody>
                </table>
            </div>
        })}
        {t.can_manage.then(|| view! {
            <section class="panel" aria-labelledby="invite-heading">
                <h2 id="invite-heading">"Invite someone"</h2>
                {full.then(|| view! { <p class="field-hint">"Every seat is in use: revoke an invitation, remove someone, or upgrade your plan to invite more people."</p> })}
                <FormAlert message=refusal_summary(&invite_error)/>
                <form method="post" action=InviteTeammate::url() class="form" novalidate>
                    <Field label="Email" name="email" kind="email" autocomplete="off" server_error=refusal_field(&invite_error, "email")/>
                    <fieldset class="checks">
                        <legend>"Roles"</legend>
                        {role_boxes("invite", &[Role::Editor], t.is_admin)}
                        {refusal_field(&invite_error, "roles").map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
                    </fieldset>
                    <label for="invite-group">"Group"</label>
                    {group_select("invite-group".into(), &t.groups, &first_group)}
                    <button class="button" type="submit">"Send invitation"</button>
                </form>
            </section>
        })}
        {groups_panel(&t)}
        {owner_panel(&t)}
        <p class="panel-note">"Admins run everything, billing included; managers run the business and the team; editors build pages and products and look after registrants; viewers look. Only admins make admins."</p>
    }
}

fn member_row(m: &MemberView, t: &TeamView) -> AnyView {
    let roles: Vec<&str> = m.roles.iter().map(|r| r.label()).collect();
    let editable = t.can_manage && (t.is_admin || !m.roles.contains(&Role::Admin));
    let prefix = format!("m-{}", m.id);
    view! {
        <tr data-testid="member">
            <td>{m.name.clone()} {m.is_owner.then(|| view! { <span class="badge badge--scheduled">" Owner"</span> })} {(m.id == t.viewer_id).then(|| view! { <span class="badge badge--live">" You"</span> })}</td>
            <td>{m.email.clone()}</td>
            <td>{roles.join(", ")}</td>
            <td>{m.group_name.clone()}</td>
            {t.can_manage.then(|| view! {
                <td>
                    {editable.then(|| view! {
                        <form method="post" action=ChangeMember::url() class="inline-form">
                            <input type="hidden" name="id" value=m.id.clone()/>
                            <fieldset class="checks"><legend class="visually-hidden">{format!("Roles of {}", m.name)}</legend>{role_boxes(&prefix, &m.roles, t.is_admin)}</fieldset>
                            <label class="visually-hidden" for=format!("{prefix}-group")>{format!("Group of {}", m.name)}</label>
                            {group_select(format!("{prefix}-group"), &t.groups, &m.group_id)}
                            <button class="button button--small" type="submit" aria-label=format!("Save {}", m.name)>"Save"</button>
                        </form>
                        {(!m.is_owner && m.id != t.viewer_id).then(|| act_button(RemoveMember::url(), &m.id, "Remove", format!("Remove {}", m.name), true))}
                    })}
                </td>
            })}
        </tr>
    }
    .into_any()
}

/// Groups with their sizes; managers and admins create and delete (empty ones); enterprise
/// organizations rename groups and themselves.
fn groups_panel(t: &TeamView) -> AnyView {
    let rows = t
        .group_rows
        .iter()
        .map(|g| {
            let count = format!("{} member{}", g.members, if g.members == 1 { "" } else { "s" });
            let rename = (t.can_manage && t.is_enterprise).then(|| {
                let id = format!("group-{}", g.id);
                view! {
                    <form method="post" action=RenameGroup::url() class="inline-form">
                        <input type="hidden" name="id" value=g.id.clone()/>
                        <label class="visually-hidden" for=id.clone()>{format!("New name of {}", g.name)}</label>
                        <input id=id name="name" value=g.name.clone() maxlength="60"/>
                        <button class="button button--small" type="submit">"Rename"</button>
                    </form>
                }
            });
            let delete = (t.can_manage && g.members == 0 && t.group_rows.len() > 1)
                .then(|| act_button(DeleteGroup::url(), &g.id, "Delete", format!("Delete the group {}", g.name), true));
            view! { <tr data-testid="group"><td>{g.name.clone()}</td><td>{count}</td><td>{rename}{delete}</td></tr> }
        })
        .collect_view();
    let create = t.can_manage.then(|| {
        if t.is_enterprise {
            view! {
                <form method="post" action=CreateGroup::url() class="inline-form">
                    <label for="new-group">"New group"</label>
                    <input id="new-group" name="name" maxlength="60" required/>
                    <button class="button button--small" type="submit">"Create group"</button>
                </form>
            }
            .into_any()
        } else {
            view! {
                <form method="post" action=CreateGroup::url() class="inline-form">
                    <button class="button button--small" type="submit">"Add a group"</button>
                    <span class="field-hint">"Group names are generated on your plan; enterprise organizations choose their own."</span>
                </form>
            }
            .into_any()
        }
    });
    let rename_org = (t.is_admin && t.is_enterprise).then(|| {
        view! {
            <form method="post" action=RenameOrganization::url() class="inline-form">
                <label for="org-name">"Organization name"</label>
                <input id="org-name" name="name" value=t.organization_name.clone() maxlength="60"/>
                <button class="button button--small" type="submit">"Rename"</button>
            </form>
        }
    });
    view! {
        <section class="panel" aria-labelledby="groups-heading">
            <h2 id="groups-heading">"Groups"</h2>
            {rename_org}
            <div class="table-wrap">
                <table class="pages-table" data-testid="groups">
                    <thead><tr><th scope="col">"Group"</th><th scope="col">"Size"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {create}
        </section>
    }
    .into_any()
}

/// The owner hands the organization to another admin.
fn owner_panel(t: &TeamView) -> Option<AnyView> {
    let admins: Vec<(String, String)> =
        t.members.iter().filter(|m| m.id != t.viewer_id && m.roles.contains(&Role::Admin)).map(|m| (m.id.clone(), m.name.clone())).collect();
    (t.viewer_is_owner && !admins.is_empty()).then(|| {
        view! {
            <section class="panel" aria-labelledby="owner-heading">
                <h2 id="owner-heading">"Hand the organization over"</h2>
                <p class="field-hint">"The new owner gets the organization and its plan; you stay an admin."</p>
                <form method="post" action=TransferOwnership::url() class="inline-form">
                    <label for="new-owner">"New owner"</label>
                    <select id="new-owner" name="to">
                        {admins.into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                    </select>
                    <button class="button button--small" type="submit">"Hand over"</button>
                </form>
            </section>
        }
        .into_any()
    })
}

/// A one-button form that posts `id` to a server function.
fn act_button(action: &'static str, id: &str, label: &'static str, aria_label: String, ghost: bool) -> AnyView {
    let class = if ghost { "button button--ghost button--small" } else { "button button--small" };
    view! {
        <form method="post" action=action class="inline-form">
            <input type="hidden" name="id" value=id.to_string()/>
            <button class=class type="submit" aria-label=aria_label>{label}</button>
        </form>
    }
    .into_any()
}

fn invitation_row(i: &InvitationView, can_manage: bool) -> AnyView {
    let roles: Vec<&str> = i.roles.iter().map(|r| r.label()).collect();
    view! {
        <tr data-testid="invitation">
            <td>{i.email.clone()}</td>
            <td>{roles.join(", ")}</td>
            <td>{i.group_name.clone()}</td>
            <td>{if i.expired { format!("{} (expired)", i.expires) } else { i.expires.clone() }}</td>
            {can_manage.then(|| view! {
                <td>
                    {act_button(ResendInvitation::url(), &i.id, "Send again", format!("Send again to {}", i.email), false)}
                    {act_button(RevokeInvitation::url(), &i.id, "Revoke", format!("Revoke the invitation of {}", i.email), true)}
                </td>
            })}
        </tr>
    }
    .into_any()
}

/// `/invite/{token}`: join the inviting organization with a name and a password.
#[component]
pub fn InvitationRoute() -> impl IntoView {
    let token = use_params_map().with_untracked(|p| p.get("token").unwrap_or_default());
    let refusal = refusal_in_address::<AcceptInvitation>();
    let landing = Resource::new(
        {
            let token = token.clone();
            move || token.clone()
        },
        load_invitation,
    );
    view! {
        <Title text="Join your team · Flashpage"/>
        <Meta name="robots" content="noindex"/>
        <AuthCard title="Join your team" subtitle="Choose your name and password to accept.">
            <Suspense fallback=|| ()>
                {move || {
                    let (refusal, token) = (refusal.clone(), token.clone());
                    Suspend::new(async move {
                        match landing.await {
                            Ok(Some(i)) => {
                                let roles: Vec<&str> = i.roles.iter().map(|r| r.label()).collect();
                                view! {
                                    <p data-testid="invitation-for">"You're invited to " <strong>{i.organization_name.clone()}</strong> " as " {roles.join(" and ")} ". You'll log in with " <strong>{i.email.clone()}</strong> "."</p>
                                    <FormAlert message=refusal_summary(&refusal)/>
                                    <form method="post" action=AcceptInvitation::url() class="form" novalidate>
                                        <input type="hidden" name="token" value=token/>
                                        <Field label="Your name" name="name" autocomplete="name" server_error=refusal_field(&refusal, "name")/>
                                        <Field
                                            label="Password"
                                            name="password"
                                            kind="password"
                                            autocomplete="new-password"
                                            hint=crate::accounts::validation::PASSWORD_HINT
                                            server_error=refusal_field(&refusal, "password")
                                        />
                                        <button class="button button--block" type="submit">"Join the team"</button>
                                    </form>
                                }
                                .into_any()
                            }
                            _ => view! { <div class="form-alert" role="alert" data-testid="invitation-dead">{INVITATION_DEAD}</div> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </AuthCard>
    }
}
