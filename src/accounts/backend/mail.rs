//! The account holder's mail: a new account's confirmation link (or, when the address has an
//! account already, a note to its owner), the password reset link, the confirmation of a new
//! address (with a notice to the old one), and team invitations.

use crate::infra::mail::escape_html as escape;
use crate::infra::mail::outbox::OutgoingMail;

/// The link that confirms a new account's address.
pub fn confirm_account_url(public_url: &str, token: &str) -> String {
    format!("{public_url}/confirm-account/{token}")
}

/// To a new account's address: confirm it's yours (the account logs in only then).
pub fn confirm_account(to: &str, name: &str, link: &str) -> OutgoingMail {
    let text = format!(
        "Hi {name},\n\nWelcome to Flashpage. Confirm that this address is yours to start using your account:\n{link}\n\n\
         The link works once, within 7 days. Didn't sign up? Ignore this message: the account is never \
         opened, and it is deleted after 7 days.\n"
    );
    let html = format!(
        "<p>Hi {name},</p><p>Welcome to Flashpage. Confirm that this address is yours to start using your account.</p>\
         <p><a href=\"{link}\">Confirm my address</a></p><p>The link works once, within 7 days. Didn't sign up? \
         Ignore this message: the account is never opened, and it is deleted after 7 days.</p>",
        name = escape(name),
        link = escape(link),
    );
    OutgoingMail { to: to.to_string(), subject: "Confirm your Flashpage account".into(), text, html: Some(html), ..Default::default() }
}

/// To an address that has an account already, instead of a second account: how to get in. It
/// names nobody (the sign-up's name is whatever the form said) and carries no link that grants
/// anything.
pub fn signup_for_existing_account(to: &str, public_url: &str, confirmed: bool) -> OutgoingMail {
    let (login, reset) = (format!("{public_url}/login"), format!("{public_url}/forgot-password"));
    let state = if confirmed {
        "You already have a Flashpage account with this address, so no second one was made."
    } else {
        "An account with this address is already waiting for its confirmation, so no second one was made. \
         Logging in with its password mails you a new confirmation link."
    };
    let text = format!(
        "Hello,\n\nSomeone (hopefully you) tried to sign up for Flashpage with this address. {state}\n\n\
         Log in: {login}\nForgot the password? Choose a new one: {reset}\n\nIf this wasn't you, ignore this message: \
         nothing has changed.\n"
    );
    let html = format!(
        "<p>Hello,</p><p>Someone (hopefully you) tried to sign up for Flashpage with this address. {state}</p>\
         <p><a href=\"{login}\">Log in</a> · <a href=\"{reset}\">Forgot the password? Choose a new one</a></p>\
         <p>If this wasn't you, ignore this message: nothing has changed.</p>",
        state = escape(state),
        login = escape(&login),
        reset = escape(&reset),
    );
    OutgoingMail { to: to.to_string(), subject: "You already have a Flashpage account".into(), text, html: Some(html), ..Default::default() }
}

/// The link that resets a forgotten password.
pub fn reset_url(public_url: &str, token: &str) -> String {
    format!("{public_url}/reset-password/{token}")
}

/// The reset mail: the link, how long it works, and what to do if it wasn't you.
pub fn password_reset(to: &str, name: &str, link: &str) -> OutgoingMail {
    let text = format!(
        "Hi {name},\n\nSomeone (hopefully you) asked to reset the password of your Flashpage account.\n\n\
         Choose a new password here:\n{link}\n\nThe link works once, within an hour. Setting a new password \
         logs you out everywhere else.\n\nIf you didn't ask for this, ignore this message: your password stays as it is.\n"
    );
    let html = format!(
        "<p>Hi {name},</p><p>Someone (hopefully you) asked to reset the password of your Flashpage account.</p>\
         <p><a href=\"{link}\">Choose a new password</a></p><p>The link works once, within an hour. Setting a new \
         password logs you out everywhere else.</p><p>If you didn't ask for this, ignore this message: your password \
         stays as it is.</p>",
        name = escape(name),
        link = escape(link),
    );
    OutgoingMail { to: to.to_string(), subject: "Reset your Flashpage password".into(), text, html: Some(html), ..Default::default() }
}

/// The link that confirms a new email address.
pub fn confirm_email_url(public_url: &str, token: &str) -> String {
    format!("{public_url}/confirm-email/{token}")
}

/// To the new address: confirm it's yours.
pub fn confirm_new_email(to: &str, name: &str, link: &str) -> OutgoingMail {
    let text = format!(
        "Hi {name},\n\nConfirm that this is the new email address of your Flashpage account:\n{link}\n\n\
         The link works once, within 24 hours. Until then you log in with your current address.\n"
    );
    let html = format!(
        "<p>Hi {name},</p><p>Confirm that this is the new email address of your Flashpage account.</p>\
         <p><a href=\"{link}\">Confirm this address</a></p><p>The link works once, within 24 hours. Until then you \
         log in with your current address.</p>",
        name = escape(name),
        link = escape(link),
    );
    OutgoingMail { to: to.to_string(), subject: "Confirm your new Flashpage email address".into(), text, html: Some(html), ..Default::default() }
}

/// To the old address: a change was asked for (so a stolen session can't move the account quietly).
pub fn email_change_notice(to: &str, name: &str, new_email: &str, reset_link: &str) -> OutgoingMail {
    let text = format!(
        "Hi {name},\n\nSomeone signed in to your Flashpage account asked to change its email address to {new_email}. \
         It changes only once that address confirms it.\n\nIf this wasn't you, reset your password now (it logs \
         everyone else out): {reset_link}\n"
    );
    let html = format!(
        "<p>Hi {name},</p><p>Someone signed in to your Flashpage account asked to change its email address to \
         <strong>{new_email}</strong>. It changes only once that address confirms it.</p><p>If this wasn't you, \
         <a href=\"{reset_link}\">reset your password now</a> (it logs everyone else out).</p>",
        name = escape(name),
        new_email = escape(new_email),
        reset_link = escape(reset_link),
    );
    OutgoingMail { to: to.to_string(), subject: "Your Flashpage email address is being changed".into(), text, html: Some(html), ..Default::default() }
}

/// The link that accepts an invitation.
pub fn invitation_url(public_url: &str, token: &str) -> String {
    format!("{public_url}/invite/{token}")
}

/// The invitation: who invites, into what, as what, and the link (7 days, once).
pub fn invitation(to: &str, inviter: &str, organization: &str, roles: &str, link: &str) -> OutgoingMail {
    let text = format!(
        "Hi,\n\n{inviter} invites you to join {organization} on Flashpage as {roles}.\n\nAccept and choose your \
         password here:\n{link}\n\nThe link works once, within 7 days. Not expecting this? Ignore this message.\n"
    );
    let html = format!(
        "<p>Hi,</p><p>{inviter} invites you to join <strong>{organization}</strong> on Flashpage as {roles}.</p>\
         <p><a href=\"{link}\">Accept the invitation</a></p><p>The link works once, within 7 days. Not expecting \
         this? Ignore this message.</p>",
        inviter = escape(inviter),
        organization = escape(organization),
        roles = escape(roles),
        link = escape(link),
    );
    OutgoingMail { to: to.to_string(), subject: format!("{inviter} invites you to {organization} on Flashpage"), text, html: Some(html), ..Default::default() }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_reset_mail_carries_the_link_and_escapes_the_name() {
        let mail = super::password_reset("a@example.com", "Ann <b>", "https://x.example/reset-password/t0k");
        assert!(mail.text.contains("https://x.example/reset-password/t0k"));
        let html = mail.html.expect("html");
        assert!(html.contains("Ann &lt;b&gt;") && html.contains("href=\"https://x.example/reset-password/t0k\""), "{html}");
    }
}
