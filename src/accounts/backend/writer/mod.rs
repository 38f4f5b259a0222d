//! The accounts' write paths: the team (members, roles, groups, invitations, seats) and the
//! organization as a whole (its deletion). People's own changes (name, email, password, sessions)
//! are written by `store`, `sessions` and `recovery`.

pub mod organization;
pub mod team;
