//! The registration form's answers: the one validator of a visitor's answers to what the event
//! page asks (`pages::questions`). It compiles for the server and the browser, so a message shown
//! before sending is the message the server would give.

use crate::error::FieldError;
use crate::pages::questions::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The honeypot: a field people never see (hidden with CSS and from assistive technology), which
/// form-filling bots fill in.
pub const HONEYPOT: &str = "website";

/// One answer as stored in `registrations.custom_fields`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Answer {
    Checked(bool),
    Text(String),
    Choices(Vec<String>),
}

impl Answer {
    /// As one spreadsheet cell or line of text.
    pub fn display(&self) -> String {
        match self {
            Answer::Checked(true) => "Yes".into(),
            Answer::Checked(false) => "No".into(),
            Answer::Text(t) => t.clone(),
            Answer::Choices(c) => c.join("; "),
        }
    }
}

/// A registration that passed every check, normalised.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidRegistration {
    pub name: String,
    pub email: String,
    /// E.164 (`+442079460958`).
    pub phone: Option<String>,
    /// Answers by field id; unanswered optional questions are left out.
    pub answers: BTreeMap<String, Answer>,
}

/// The form's fields that are not questions.
const KNOWN: [&str; 4] = ["name", "email", "phone", HONEYPOT];

/// Checks what a visitor sent (the form's `name=value` pairs; `short_id` and the like are taken
/// out by the caller) against the page's form. Every problem is reported at once, beside its field.
pub fn validate(config: &FormConfig, pairs: &[(String, String)]) -> Result<ValidRegistration, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut fail = |field: &str, message: String| errors.push(FieldError { field: field.into(), message });
    let one = |key: &str| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str()).unwrap_or("");

    for (key, _) in pairs {
        let known = KNOWN.contains(&key.as_str()) || key.strip_prefix(FIELD_PREFIX).is_some_and(|id| config.fields.iter().any(|f| f.id == id));
        if !known {
            fail("form", "The form has changed since the page was opened. Reload the page and send it again.".into());
            break;
        }
    }

    let name = one("name").trim().to_string();
    if name.is_empty() {
        fail("name", "Enter your name.".into());
    } else if name.chars().count() > NAME_MAX_CHARS {
        fail("name", format!("A name can be at most {NAME_MAX_CHARS} characters."));
    } else if name.chars().any(char::is_control) {
        fail("name", "A name can't contain control characters.".into());
    }

    let email = match crate::accounts::validation::normalize_email(one("email")) {
        Ok(email) => email,
        Err(message) => {
            fail("email", message);
            String::new()
        }
    };

    let phone = match config.phone {
        PhoneField::Hidden => None,
        choice => {
            let raw = one("phone").trim();
            if raw.is_empty() {
                if choice == PhoneField::Required {
                    fail("phone", "Enter your phone number.".into());
                }
                None
            } else {
                match normalize_phone(raw) {
                    Ok(phone) => Some(phone),
                    Err(message) => {
                        fail("phone", message);
                        None
                    }
                }
            }
        }
    };

    let mut answers = BTreeMap::new();
    for field in &config.fields {
        let key = field.input_name();
        let values: Vec<&str> = pairs.iter().filter(|(k, _)| *k == key).map(|(_, v)| v.trim()).filter(|v| !v.is_empty()).collect();
        match check_answer(field, &values) {
            Ok(Some(answer)) => {
                answers.insert(field.id.clone(), answer);
            }
            Ok(None) => {}
            Err(message) => fail(&key, message),
        }
    }

    if errors.is_empty() { Ok(ValidRegistration { name, email, phone, answers }) } else { Err(errors) }
}

/// One question's answer from its submitted values (empty ones already dropped).
fn check_answer(field: &CustomField, values: &[&str]) -> Result<Option<Answer>, String> {
    let offered = |v: &str| field.options.iter().any(|o| o.trim() == v);
    match field.kind {
        FieldKind::ShortText | FieldKind::LongText => {
            if values.len() > 1 {
                return Err("Answer this once.".into());
            }
            let Some(text) = values.first() else {
                return if field.required { Err("This question needs an answer.".into()) } else { Ok(None) };
            };
            let max = field.kind.max_chars();
            if text.chars().count() > max {
                return Err(format!("An answer can be at most {} characters.", group_thousands(max)));
            }
            if text.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
                return Err("The answer contains characters that can't be kept.".into());
            }
            Ok(Some(Answer::Text(text.replace("\r\n", "\n"))))
        }
        FieldKind::SingleChoice => match values {
            [] if field.required => Err("Choose one.".into()),
            [] => Ok(None),
            [one] if offered(one) => Ok(Some(Answer::Text(one.to_string()))),
            [_] => Err("Choose one of the choices offered.".into()),
            _ => Err("Choose only one.".into()),
        },
        FieldKind::MultipleChoice => {
            if values.is_empty() {
                return if field.required { Err("Choose at least one.".into()) } else { Ok(None) };
            }
            if values.iter().any(|v| !offered(v)) {
                return Err("Choose among the choices offered.".into());
            }
            // In the creator's order, each once.
            let chosen: Vec<String> = field.options.iter().map(|o| o.trim()).filter(|o| values.contains(o)).map(String::from).collect();
            Ok(Some(Answer::Choices(chosen)))
        }
        FieldKind::Checkbox => {
            let checked = match values {
                [] => false,
                [v] if matches!(*v, "on" | "yes" | "true" | "1") => true,
                _ => return Err("This box can only be ticked or not.".into()),
            };
            if field.required && !checked {
                return Err("Tick this box to register.".into());
            }
            Ok(Some(Answer::Checked(checked)))
        }
    }
}

/// 2000 → "2,000".
fn group_thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Normalises a phone number to E.164 (`+` and up to 15 digits), or says what is wrong.
///
/// Spaces, dashes, dots, slashes and brackets are dropped; an international `00` prefix becomes
/// `+`. The country calling code must be one the ITU assigns (by its zone), and numbers of the
/// North American plan (+1) must have their ten digits. We check no further per-country plan
/// (that needs libphonenumber's metadata, hundreds of KB in the browser): a number of the right
/// shape in a real country passes.
pub fn normalize_phone(raw: &str) -> Result<String, String> {
    const EXAMPLE: &str = "for example +44 20 7946 0958";
    let mut s: String = raw.trim().chars().filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')' | '/' | '\u{a0}')).collect();
    if let Some(rest) = s.strip_prefix("00") {
        s = format!("+{rest}");
    }
    let Some(digits) = s.strip_prefix('+') else {
        return Err(format!("Start with + and your country code ({EXAMPLE})."));
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("A phone number has only digits after the + ({EXAMPLE})."));
    }
    if !(7..=15).contains(&digits.len()) {
        return Err(format!("That number is too {} ({EXAMPLE}).", if digits.len() < 7 { "short" } else { "long" }));
    }
    if !has_country_code(digits) {
        return Err(format!("Check the country code after the + ({EXAMPLE})."));
    }
    if (digits.starts_with('1') || digits.starts_with('7')) && digits.len() != 11 {
        return Err("Numbers with this country code have 10 digits after it.".into());
    }
    Ok(format!("+{digits}"))
}

/// Whether `digits` starts with a country calling code of the ITU's list (E.164 Annex): the
/// single-digit zones 1 and 7, the two-digit codes, and three-digit codes in their zones.
fn has_country_code(digits: &str) -> bool {
    const TWO: [&str; 44] = [
        "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46", "47", "48", "49", "51", "52", "53", "54", "55", "56", "57",
        "58", "60", "61", "62", "63", "64", "65", "66", "81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98",
    ];
    const THREE_ZONES: [&str; 23] =
        ["21", "22", "23", "24", "25", "26", "29", "35", "37", "38", "42", "50", "59", "67", "68", "69", "80", "85", "87", "88", "96", "97", "99"];
    let two = &digits[..2.min(digits.len())];
    digits.starts_with('1') || digits.starts_with('7') || TWO.contains(&two) || (digits.len() > 3 && THREE_ZONES.contains(&two))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn config() -> FormConfig {
        FormConfig {
            phone: PhoneField::Optional,
            fields: vec![
                CustomField { id: "company".into(), label: "Company".into(), kind: FieldKind::ShortText, required: true, options: vec![], link: None },
                CustomField {
                    id: "diet".into(),
                    label: "Diet".into(),
                    kind: FieldKind::SingleChoice,
                    required: false,
                    options: vec!["None".into(), "Vegan".into()],
                    link: None,
                },
                CustomField {
                    id: "topics".into(),
                    label: "Topics".into(),
                    kind: FieldKind::MultipleChoice,
                    required: false,
                    options: vec!["Rust".into(), "Go".into(), "SQL".into()],
                    link: None,
                },
                CustomField {
                    id: "consent".into(),
                    label: "I accept the terms".into(),
                    kind: FieldKind::Checkbox,
                    required: true,
                    options: vec![],
                    link: Some("https://example.com/terms".into()),
                },
            ],
        }
    }

    #[test]
    fn a_good_answer_is_normalised() {
        let ok = validate(
            &config(),
            &pairs(&[
                ("name", " Ada "),
                ("email", "Ada@Example.com"),
                ("phone", "0044 (20) 7946-0958"),
                ("f_company", "ACME"),
                ("f_topics", "SQL"),
                ("f_topics", "Rust"),
                ("f_consent", "on"),
                ("website", ""),
            ]),
        )
        .expect("valid");
        assert_eq!(ok.name, "Ada");
        assert_eq!(ok.email, "ada@example.com");
        assert_eq!(ok.phone.as_deref(), Some("+442079460958"));
        assert_eq!(ok.answers.get("topics"), Some(&Answer::Choices(vec!["Rust".into(), "SQL".into()])));
        assert_eq!(ok.answers.get("consent"), Some(&Answer::Checked(true)));
        assert!(!ok.answers.contains_key("diet"));
    }

    #[test]
    fn every_problem_is_reported_beside_its_field() {
        let long = "x".repeat(10_000);
        let errors = validate(&config(), &pairs(&[("name", ""), ("email", "nope"), ("phone", "12345"), ("f_company", &long), ("f_diet", "Meat")])).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "email", "phone", "f_company", "f_diet", "f_consent"]);
        assert!(errors[3].message.contains("200"), "{}", errors[3].message);
        let unknown =
            validate(&config(), &pairs(&[("name", "A"), ("email", "a@example.com"), ("f_company", "x"), ("f_consent", "on"), ("f_nope", "1")])).unwrap_err();
        assert_eq!(unknown[0].field, "form");
        let two = validate(
            &config(),
            &pairs(&[("name", "A"), ("email", "a@example.com"), ("f_company", "x"), ("f_consent", "on"), ("f_diet", "None"), ("f_diet", "Vegan")]),
        )
        .unwrap_err();
        assert_eq!(two[0].message, "Choose only one.");
    }

    #[test]
    fn phones_become_e164() {
        assert_eq!(normalize_phone("+1 (415) 555-2671"), Ok("+14155552671".into()));
        assert_eq!(normalize_phone("+49 30 901820"), Ok("+4930901820".into()));
        assert_eq!(normalize_phone("+353 1 234 5678"), Ok("+35312345678".into()));
        assert!(normalize_phone("020 7946 0958").unwrap_err().starts_with("Start with +"));
        assert!(normalize_phone("+1 415 555").is_err(), "NANP numbers have ten digits");
        assert!(normalize_phone("+999").is_err());
        assert!(normalize_phone("+28 123 456 789").is_err(), "28x is not assigned");
        assert_eq!(normalize_phone("+212 6 12 34 56 78"), Ok("+212612345678".into()), "Morocco: a three-digit code");
        assert!(normalize_phone("+44 20 7946 0958 1234 5678").is_err());
        assert!(normalize_phone("+44 20 ABC").is_err());
    }

    #[test]
    fn configs_are_checked() {
        assert_eq!(check_config(&config()), Ok(()));
        let mut bad = config();
        bad.fields[1].options = vec!["Only".into()];
        assert!(check_config(&bad).unwrap_err().contains("two choices"));
        let mut dup = config();
        dup.fields[1].id = "company".into();
        assert!(check_config(&dup).is_err());
        let mut link = config();
        link.fields[3].link = Some("javascript:alert(1)".into());
        assert!(check_config(&link).is_err());
    }
}
