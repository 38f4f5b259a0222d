//! How a page looks: the `customization` JSON. Shared so the editor can check it inline.

use crate::error::{AppError, FieldError};
use serde::{Deserialize, Serialize};

pub const HEADLINE_MAX: usize = 120;
pub const BODY_MAX: usize = 20_000;
pub const DESCRIPTION_MAX: usize = 300;
pub const BUTTON_LABEL_MAX: usize = 40;
pub const HERO_ALT_MAX: usize = 200;
/// The largest hero image accepted (checked in the browser before uploading, and on the server).
pub const HERO_IMAGE_MAX_BYTES: usize = 5 * 1024 * 1024;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Customization {
    /// The page's title: the big heading, the browser tab and the link preview.
    pub headline: String,
    /// Markdown, rendered and sanitised on the server.
    #[serde(default)]
    pub body: String,
    /// For search results and link previews.
    #[serde(default)]
    pub description: String,
    /// `#rrggbb`.
    #[serde(default = "default_accent")]
    pub accent_color: String,
    /// `#rrggbb`.
    #[serde(default = "default_background")]
    pub background_color: String,
    #[serde(default)]
    pub button_label: String,
    /// Offer a "notify me" email sign-up before launch.
    #[serde(default)]
    pub notify_me: bool,
    /// The zone the creator schedules in; deadlines are shown in it. Events use their own zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// Object-storage key of the hero image, if one was uploaded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hero_image: Option<String>,
    /// What the hero image shows, for screen readers (empty: decorative).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub hero_alt: String,
}

fn default_accent() -> String {
    "#4f46e5".into()
}
fn default_background() -> String {
    "#ffffff".into()
}

impl Customization {
    pub fn with_headline(headline: &str) -> Customization {
        Customization {
            headline: headline.into(),
            body: String::new(),
            description: String::new(),
            accent_color: default_accent(),
            background_color: default_background(),
            button_label: String::new(),
            notify_me: false,
            time_zone: None,
            hero_image: None,
            hero_alt: String::new(),
        }
    }

    pub fn from_json(json: &str) -> Result<Customization, String> {
        serde_json::from_str(json).map_err(|e| format!("The look of the page could not be read: {e}."))
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into())
    }
}

/// `#rgb` or `#rrggbb`.
pub fn check_color(value: &str) -> Result<(), String> {
    let hex = value.strip_prefix('#').unwrap_or("");
    if (hex.len() == 6 || hex.len() == 3) && hex.chars().all(|c| c.is_ascii_hexdigit()) { Ok(()) } else { Err("Use a color like #4f46e5.".into()) }
}

pub fn validate_customization(c: &Customization) -> Result<(), AppError> {
    let mut errors = Vec::new();
    let mut add = |field: &str, message: String| errors.push(FieldError { field: field.into(), message });
    let headline = c.headline.trim();
    if headline.is_empty() {
        add("headline", "Give the page a headline.".into());
    } else if headline.chars().count() > HEADLINE_MAX {
        add("headline", format!("Use at most {HEADLINE_MAX} characters."));
    }
    if c.body.chars().count() > BODY_MAX {
        add("body", format!("Use at most {BODY_MAX} characters."));
    }
    if c.description.chars().count() > DESCRIPTION_MAX {
        add("description", format!("Use at most {DESCRIPTION_MAX} characters."));
    }
    if c.button_label.chars().count() > BUTTON_LABEL_MAX {
        add("buttonLabel", format!("Use at most {BUTTON_LABEL_MAX} characters."));
    }
    if c.hero_alt.chars().count() > HERO_ALT_MAX {
        add("heroAlt", format!("Use at most {HERO_ALT_MAX} characters."));
    }
    if let Err(m) = check_color(&c.accent_color) {
        add("accentColor", m);
    }
    if let Err(m) = check_color(&c.background_color) {
        add("backgroundColor", m);
    }
    if errors.is_empty() { Ok(()) } else { Err(AppError::fields(errors)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colors() {
        for ok in ["#fff", "#4F46E5", "#000000"] {
            assert!(check_color(ok).is_ok(), "{ok}");
        }
        for bad in ["", "fff", "#ffff", "#gggggg", "red", "#fff;background:url(x)", "rgb(0,0,0)"] {
            assert!(check_color(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn customization_checks() {
        let ok = Customization::with_headline("Launch day");
        assert!(validate_customization(&ok).is_ok());
        let mut bad = ok.clone();
        bad.headline = "  ".into();
        bad.accent_color = "javascript:".into();
        bad.button_label = "x".repeat(41);
        let err = validate_customization(&bad).unwrap_err();
        let fields: Vec<_> = err.fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["headline", "buttonLabel", "accentColor"]);
    }

    #[test]
    fn json_defaults_and_unknown_fields() {
        let c = Customization::from_json(r#"{"headline":"Hi"}"#).expect("minimal");
        assert_eq!(c.accent_color, "#4f46e5");
        assert!(Customization::from_json(r#"{"headline":"Hi","script":"x"}"#).is_err());
        assert!(Customization::from_json("not json").unwrap_err().starts_with("The look of the page could not be read"));
    }
}
