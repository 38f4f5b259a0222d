//! The Buy form's checks (the server's are authoritative).

use crate::accounts::validation::normalize_email;
use crate::error::{AppError, FieldError};

/// The longest discount code a buyer can type (the editor allows 32).
pub const CODE_MAX: usize = 32;

/// A Buy form as checked: the buyer's address, and the code they typed (if any).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuyInput {
    pub email: String,
    pub code: Option<String>,
}

/// Checks what the Buy form sent. The quantity is one: a form that asks for another is refused
/// rather than silently changed. Prices are not read from the form at all.
pub fn parse_buy(email: &str, quantity: Option<&str>, code: Option<&str>) -> Result<BuyInput, AppError> {
    let mut errors = Vec::new();
    let email = match normalize_email(email) {
        Ok(e) => Some(e),
        Err(message) => {
            errors.push(FieldError { field: "email".into(), message });
            None
        }
    };
    if let Some(q) = quantity.map(str::trim).filter(|q| !q.is_empty()) {
        if q != "1" {
            errors.push(FieldError { field: "quantity".into(), message: "One at a time: each order is for one item.".into() });
        }
    }
    let code = code.map(str::trim).filter(|c| !c.is_empty()).map(str::to_string);
    if let Some(c) = &code {
        if c.len() > CODE_MAX || !c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_') {
            errors.push(FieldError { field: "code".into(), message: "That code isn't valid for this offer.".into() });
        }
    }
    match email {
        Some(email) if errors.is_empty() => Ok(BuyInput { email, code }),
        _ => Err(AppError::fields(errors)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buy_forms_are_checked_field_by_field() {
        let ok = parse_buy(" Ada@Example.com ", Some("1"), Some(" SPECIAL20 ")).expect("valid");
        assert_eq!(ok, BuyInput { email: "ada@example.com".into(), code: Some("SPECIAL20".into()) });
        assert_eq!(parse_buy("ada@example.com", None, Some("")).expect("no code").code, None);
        for (email, quantity, code, field) in [
            ("not-an-email", None, None, "email"),
            ("ada@example.com", Some("2"), None, "quantity"),
            ("ada@example.com", Some("0"), None, "quantity"),
            ("ada@example.com", Some("-1"), None, "quantity"),
            ("ada@example.com", None, Some("DROP TABLE"), "code"),
        ] {
            let e = parse_buy(email, quantity, code).expect_err(field);
            assert!(e.field_message(field).is_some(), "{field}: {e:?}");
        }
    }
}
