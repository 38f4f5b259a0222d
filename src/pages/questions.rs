//! What an event page asks the people who register: the phone question and the creator's own
//! questions (seed `customFields`), kept in the page's settings, and the check of the creator's
//! form. Answering them is the registrations domain's (`registrations::form`).

use serde::{Deserialize, Serialize};

/// Whether the form asks for a phone number.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PhoneField {
    #[default]
    Hidden,
    Optional,
    Required,
}

impl PhoneField {
    pub const ALL: [PhoneField; 3] = [PhoneField::Hidden, PhoneField::Optional, PhoneField::Required];

    pub fn as_str(self) -> &'static str {
        match self {
            PhoneField::Hidden => "hidden",
            PhoneField::Optional => "optional",
            PhoneField::Required => "required",
        }
    }

    pub fn parse(s: &str) -> Option<PhoneField> {
        PhoneField::ALL.into_iter().find(|p| p.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            PhoneField::Hidden => "Don't ask",
            PhoneField::Optional => "Optional",
            PhoneField::Required => "Required",
        }
    }
}

/// The kinds of question a creator can add.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FieldKind {
    ShortText,
    LongText,
    SingleChoice,
    MultipleChoice,
    /// One box to tick, such as a consent line (with [`CustomField::link`]).
    Checkbox,
}

impl FieldKind {
    pub const ALL: [FieldKind; 5] = [FieldKind::ShortText, FieldKind::LongText, FieldKind::SingleChoice, FieldKind::MultipleChoice, FieldKind::Checkbox];

    pub fn as_str(self) -> &'static str {
        match self {
            FieldKind::ShortText => "short-text",
            FieldKind::LongText => "long-text",
            FieldKind::SingleChoice => "single-choice",
            FieldKind::MultipleChoice => "multiple-choice",
            FieldKind::Checkbox => "checkbox",
        }
    }

    pub fn parse(s: &str) -> Option<FieldKind> {
        FieldKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            FieldKind::ShortText => "Short text",
            FieldKind::LongText => "Long text",
            FieldKind::SingleChoice => "Single choice",
            FieldKind::MultipleChoice => "Multiple choice",
            FieldKind::Checkbox => "Checkbox",
        }
    }

    pub fn has_options(self) -> bool {
        matches!(self, FieldKind::SingleChoice | FieldKind::MultipleChoice)
    }

    /// The longest answer of a text field, in characters.
    pub fn max_chars(self) -> usize {
        match self {
            FieldKind::LongText => LONG_TEXT_MAX_CHARS,
            _ => SHORT_TEXT_MAX_CHARS,
        }
    }
}

pub const SHORT_TEXT_MAX_CHARS: usize = 200;
pub const LONG_TEXT_MAX_CHARS: usize = 2000;
pub const NAME_MAX_CHARS: usize = 120;
pub const MAX_CUSTOM_FIELDS: usize = 20;
pub const MAX_OPTIONS: usize = 30;
pub const LABEL_MAX_CHARS: usize = 200;
pub const OPTION_MAX_CHARS: usize = 100;

/// One question of the creator's (seed `customFields`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CustomField {
    /// A stable key ("f1"): answers are stored under it, so renaming the label keeps them.
    pub id: String,
    pub label: String,
    pub kind: FieldKind,
    #[serde(default)]
    pub required: bool,
    /// The choices of a single- or multiple-choice question.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    /// A page the question refers to (the terms a consent box accepts), shown as a link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

impl CustomField {
    /// The form control's `name`.
    pub fn input_name(&self) -> String {
        format!("{FIELD_PREFIX}{}", self.id)
    }
}

/// The prefix of a custom field's input name (`f_f1`).
pub const FIELD_PREFIX: &str = "f_";

/// The form's shape, as the page's settings hold it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormConfig {
    pub phone: PhoneField,
    pub fields: Vec<CustomField>,
}

/// Checks a creator's form: labels, options, unique ids. The message reads well in the editor.
pub fn check_config(config: &FormConfig) -> Result<(), String> {
    if config.fields.len() > MAX_CUSTOM_FIELDS {
        return Err(format!("A form can have at most {MAX_CUSTOM_FIELDS} questions."));
    }
    let mut seen = std::collections::BTreeSet::new();
    for (i, field) in config.fields.iter().enumerate() {
        let n = i + 1;
        let id_ok = !field.id.is_empty() && field.id.len() <= 32 && field.id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !id_ok || !seen.insert(field.id.clone()) {
            return Err(format!("Question {n} has no usable id."));
        }
        let label = field.label.trim();
        if label.is_empty() {
            return Err(format!("Question {n} needs a label."));
        }
        if label.chars().count() > LABEL_MAX_CHARS {
            return Err(format!("Question {n}'s label can be at most {LABEL_MAX_CHARS} characters."));
        }
        if field.kind.has_options() {
            let options: Vec<&str> = field.options.iter().map(|o| o.trim()).collect();
            if options.len() < 2 {
                return Err(format!("Question {n} (\"{label}\") needs at least two choices."));
            }
            if options.len() > MAX_OPTIONS {
                return Err(format!("Question {n} can offer at most {MAX_OPTIONS} choices."));
            }
            if options.iter().any(|o| o.is_empty() || o.chars().count() > OPTION_MAX_CHARS) {
                return Err(format!("Question {n}'s choices must each have 1 to {OPTION_MAX_CHARS} characters."));
            }
            let distinct: std::collections::BTreeSet<&str> = options.iter().copied().collect();
            if distinct.len() != options.len() {
                return Err(format!("Question {n} offers the same choice twice."));
            }
        } else if !field.options.is_empty() {
            return Err(format!("Question {n} is not a choice, so it has no choices."));
        }
        if let Some(link) = &field.link {
            if !(link.starts_with("https://") || link.starts_with("http://")) || link.len() > 2000 || link.chars().any(char::is_whitespace) {
                return Err(format!("Question {n}'s link must be a web address starting with https://."));
            }
        }
    }
    Ok(())
}
