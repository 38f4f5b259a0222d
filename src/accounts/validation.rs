//! Account form validation, shared by the server (authoritative) and the browser (inline feedback).
//!
//! Password policy (NIST SP 800-63B style, no composition rules): 10 to 128 characters, not one of
//! the most common passwords, not made of a single repeated character, and not the account's own
//! email or name.

use crate::error::{AppError, FieldError};

pub const PASSWORD_MIN_CHARS: usize = 10;
pub const PASSWORD_MAX_CHARS: usize = 128;
pub const NAME_MAX_CHARS: usize = 100;
pub const EMAIL_MAX_CHARS: usize = 254;

/// A short list of the passwords attackers try first; long enough to stop the obvious ones.
const COMMON_PASSWORDS: &[&str] = &[
    "1234567890",
    "12345678910",
    "0123456789",
    "1q2w3e4r5t",
    "qwertyuiop",
    "password12",
    "password123",
    "password1!",
    "passw0rd12",
    "iloveyou12",
    "letmein123",
    "welcome123",
    "qwerty1234",
    "1qaz2wsx3e",
    "abc1234567",
    "administrator",
    "football12",
    "baseball12",
    "sunshine12",
    "princess12",
    "dragon1234",
    "monkey1234",
    "changeme12",
    "trustno1234",
    "qwertyuiop123",
    "asdfghjkl1",
    "zxcvbnm123",
    "passwordpassword",
    "1111111111",
    "0000000000",
    "abcdefghij",
    "abcdefghijk",
    "1234567890a",
    "a1234567890",
];

/// The hint under every new-password field.
pub const PASSWORD_HINT: &str = "At least 10 characters. A short phrase of unrelated words works well.";
/// What a reset link that no longer works says (the page and the server function agree).
pub const RESET_LINK_DEAD: &str = "This reset link has expired or was already used. Ask for a new one below.";
/// What an invitation link that no longer works says.
pub const INVITATION_DEAD: &str = "This invitation has expired, was revoked, or was already used. Ask the person who invited you to send it again.";
/// What an email confirmation link that no longer works says.
pub const EMAIL_LINK_DEAD: &str = "This confirmation link has expired or was already used. Ask for a new one from your account page.";

/// What a new account's confirmation link that no longer works says.
pub const SIGNUP_LINK_DEAD: &str =
    "This confirmation link has expired or was already used. If your address is confirmed, log in; if not, logging in with your password mails you a new link.";

/// Lower-cases and trims an email; returns a field error when it cannot be an address.
pub fn normalize_email(raw: &str) -> Result<String, String> {
    let email = raw.trim().to_lowercase();
    if email.is_empty() {
        return Err("Enter your email address.".into());
    }
    if email.chars().count() > EMAIL_MAX_CHARS {
        return Err(format!("An email address can be at most {EMAIL_MAX_CHARS} characters."));
    }
    let Some((local, domain)) = email.split_once('@') else {
        return Err("Enter an email address like name@example.com.".into());
    };
    let valid_local = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local.chars().all(|c| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let valid_domain = labels.len() >= 2
        && labels
            .iter()
            .all(|l| !l.is_empty() && l.len() <= 63 && !l.starts_with('-') && !l.ends_with('-') && l.chars().all(|c| c.is_alphanumeric() || c == '-'))
        && labels.last().is_some_and(|tld| tld.chars().count() >= 2 && !tld.chars().all(|c| c.is_ascii_digit()));
    if valid_local && valid_domain { Ok(email) } else { Err("Enter an email address like name@example.com.".into()) }
}

/// Trims a display name and checks its length.
pub fn normalize_name(raw: &str) -> Result<String, String> {
    let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err("Enter your name.".into());
    }
    if name.chars().count() > NAME_MAX_CHARS {
        return Err(format!("A name can be at most {NAME_MAX_CHARS} characters."));
    }
    if name.chars().any(char::is_control) {
        return Err("A name cannot contain control characters.".into());
    }
    Ok(name)
}

/// An organization's or group's name (enterprise organizations choose their own): spaces
/// collapsed, 1 to 60 characters, no control characters.
pub fn normalize_team_name(raw: &str) -> Result<String, String> {
    let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err("Enter a name.".into());
    }
    if name.chars().count() > 60 {
        return Err("A name can be at most 60 characters.".into());
    }
    if name.chars().any(char::is_control) {
        return Err("A name cannot contain control characters.".into());
    }
    Ok(name)
}

/// Checks a new password against the policy above.
pub fn check_password(password: &str, email: &str, name: &str) -> Result<(), String> {
    let chars = password.chars().count();
    if chars < PASSWORD_MIN_CHARS {
        return Err(format!("Use at least {PASSWORD_MIN_CHARS} characters."));
    }
    if chars > PASSWORD_MAX_CHARS {
        return Err(format!("Use at most {PASSWORD_MAX_CHARS} characters."));
    }
    let lower = password.to_lowercase();
    let first = lower.chars().next();
    if lower.chars().all(|c| Some(c) == first) {
        return Err("Don't use one character repeated.".into());
    }
    if COMMON_PASSWORDS.contains(&lower.as_str()) {
        return Err("This password is too common. Try a short phrase of unrelated words.".into());
    }
    let email = email.trim().to_lowercase();
    let local = email.split('@').next().unwrap_or_default();
    if lower == email || (!local.is_empty() && lower == local) || lower == name.trim().to_lowercase() {
        return Err("Don't use your email or name as your password.".into());
    }
    Ok(())
}

/// Sign-up input after validation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignupInput {
    pub name: String,
    pub email: String,
    pub password: String,
}

/// Validates the whole sign-up form, collecting every field's error at once.
pub fn validate_signup(name: &str, email: &str, password: &str) -> Result<SignupInput, AppError> {
    let mut errors = Vec::new();
    let name_ok = normalize_name(name).map_err(|m| errors.push(FieldError { field: "name".into(), message: m }));
    let email_ok = normalize_email(email).map_err(|m| errors.push(FieldError { field: "email".into(), message: m }));
    if let Err(m) = check_password(password, email, name) {
        errors.push(FieldError { field: "password".into(), message: m });
    }
    match (name_ok, email_ok) {
        (Ok(name), Ok(email)) if errors.is_empty() => Ok(SignupInput { name, email, password: password.to_string() }),
        _ => Err(AppError::fields(errors)),
    }
}

/// Validates the login form's shape only (never the password policy: old passwords must still work).
pub fn validate_login(email: &str, password: &str) -> Result<String, AppError> {
    let mut errors = Vec::new();
    let email = normalize_email(email).map_err(|m| errors.push(FieldError { field: "email".into(), message: m }));
    if password.is_empty() {
        errors.push(FieldError { field: "password".into(), message: "Enter your password.".into() });
    } else if password.chars().count() > PASSWORD_MAX_CHARS {
        errors.push(FieldError { field: "password".into(), message: format!("Use at most {PASSWORD_MAX_CHARS} characters.") });
    }
    match email {
        Ok(email) if errors.is_empty() => Ok(email),
        _ => Err(AppError::fields(errors)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        let cases: &[(&str, Option<&str>)] = &[
            ("Ada@Example.COM ", Some("ada@example.com")),
            ("a.b+tag@sub.example.co.uk", Some("a.b+tag@sub.example.co.uk")),
            ("", None),
            ("   ", None),
            ("no-at-sign", None),
            ("@example.com", None),
            ("ada@", None),
            ("ada@localhost", None),
            ("ada@example", None),
            ("ada@example.c", None),
            ("ada@-example.com", None),
            ("ada@exa mple.com", None),
            ("ada..b@example.com", None),
            (".ada@example.com", None),
            ("ada@example..com", None),
            ("ada@1.2.3.4", None),
            ("a@b@example.com", None),
            ("<script>@example.com", None),
        ];
        for (input, want) in cases {
            assert_eq!(normalize_email(input).ok().as_deref(), *want, "input {input:?}");
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert!(normalize_email(&long).is_err());
    }

    #[test]
    fn names() {
        assert_eq!(normalize_name("  Ada   Lovelace ").unwrap(), "Ada Lovelace");
        assert!(normalize_name("").is_err());
        assert!(normalize_name("   ").is_err());
        assert!(normalize_name(&"x".repeat(101)).is_err());
        assert!(normalize_name(&"é".repeat(100)).is_ok());
        assert!(normalize_name("bad\u{0007}name").is_err());
    }

    #[test]
    fn passwords() {
        let cases: &[(&str, bool)] = &[
            ("correct horse battery", true),
            ("short", false),
            ("123456789", false),
            ("1234567890", false),
            ("Password123", false),
            ("aaaaaaaaaaaa", false),
            ("ada@example.com", false),
            ("ADA@example.com", false),
            ("Ada Lovelace", false),
            ("ünïcödé-pässwörd", true),
        ];
        for (pw, ok) in cases {
            let got = check_password(pw, "ada@example.com", "Ada Lovelace").is_ok();
            assert_eq!(got, *ok, "password {pw:?}");
        }
        // The email's local part alone is refused too.
        assert!(check_password("lovelace1815", "lovelace1815@example.com", "Ada").is_err());
        assert!(check_password(&"ab".repeat(64), "a@b.co", "A").is_ok());
        assert!(check_password(&"ab".repeat(65), "a@b.co", "A").is_err());
    }

    #[test]
    fn signup_collects_every_field_error() {
        let err = validate_signup("", "nope", "short").unwrap_err();
        let fields: Vec<_> = err.fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["name", "email", "password"]);
        assert_eq!(err.status(), 422);
        let ok = validate_signup(" Ada ", "ADA@example.com", "correct horse battery").unwrap();
        assert_eq!(ok.email, "ada@example.com");
        assert_eq!(ok.name, "Ada");
    }

    #[test]
    fn login_checks_shape_not_policy() {
        assert_eq!(validate_login("Ada@Example.com", "x").unwrap(), "ada@example.com");
        let err = validate_login("bad", "").unwrap_err();
        assert_eq!(err.fields.len(), 2);
    }
}
