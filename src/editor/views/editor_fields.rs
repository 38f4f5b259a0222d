//! Editor inputs, named `form[key]` so a plain form post fills the server's `PageForm`, with the
//! server's message for `key` shown beside each.

use crate::editor::form::PageForm;
use crate::pages::customization::check_color;
use crate::pages::validation::check_url;
use crate::ui::fields::FormErrors;
use leptos::prelude::*;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Url,
    Number,
    When,
    Color,
    LongText,
    Check,
}

/// The browser-side check for a field, using the same functions the server validates with.
fn inline_check(key: &str, kind: Kind, value: &str) -> Option<String> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    match (key, kind) {
        (_, Kind::Url) => check_url(value).err(),
        (_, Kind::Color) => check_color(value).err(),
        ("discountPercentage", _) => match value.parse::<u8>() {
            Ok(1..=99) => None,
            _ => Some("Use a discount from 1 to 99 percent.".into()),
        },
        ("codeDiscountPercentage", _) => match value.parse::<u8>() {
            Ok(0..=99) => None,
            _ => Some("Use a discount from 0 to 99 percent.".into()),
        },
        ("holdMinutes", _) => match value.parse::<u16>() {
            Ok(1..=crate::pages::settings::MAX_HOLD_MINUTES) => None,
            _ => Some(format!("Hold a unit for 1 to {} minutes while the buyer pays.", crate::pages::settings::MAX_HOLD_MINUTES)),
        },
        (_, Kind::Number) => match value.parse::<u32>() {
            Ok(n) if n >= 1 => None,
            _ => Some("Use a number of at least 1.".into()),
        },
        _ => None,
    }
}

#[component]
pub fn EditorField(
    label: &'static str,
    key: &'static str,
    kind: Kind,
    form: StoredValue<PageForm>,
    errors: FormErrors,
    #[prop(optional)] hint: Option<&'static str>,
) -> impl IntoView {
    let id = format!("f-{key}");
    let name = format!("form[{key}]");
    let error_id = format!("{id}-error");
    let server_error = errors.field(key);
    let local_error = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        server_error.track();
        local_error.set(None);
    });
    let error = Signal::derive(move || local_error.get().or_else(|| server_error.get()));
    let on_blur = move |ev: leptos::ev::FocusEvent| local_error.set(inline_check(key, kind, &event_target_value(&ev)));
    let value = form.with_value(|f| f.value(key));
    let invalid = move || if error.get().is_some() { "true" } else { "false" };
    let described = {
        let error_id = error_id.clone();
        move || error.get().map(|_| error_id.clone())
    };
    let input = match kind {
        Kind::LongText => view! {
            <textarea id=id.clone() name=name rows="5" aria-invalid=invalid aria-describedby=described>{value}</textarea>
        }
        .into_any(),
        Kind::Check => view! {
            <input id=id.clone() name=name type="checkbox" checked=!value.is_empty() aria-describedby=described/>
        }
        .into_any(),
        other => {
            let t = match other {
                Kind::Url => "url",
                Kind::Number => "number",
                Kind::When => "datetime-local",
                Kind::Color => "color",
                _ => "text",
            };
            view! { <input id=id.clone() name=name type=t value=value aria-invalid=invalid aria-describedby=described on:blur=on_blur/> }.into_any()
        }
    };
    view! {
        <div class="field" class:field--check=kind == Kind::Check class:field--invalid=move || error.get().is_some()>
            <label for=id>{label}</label>
            {hint.map(|h| view! { <p class="field-hint">{h}</p> })}
            {input}
            <p class="field-error" id=error_id aria-live="polite">{move || error.get().unwrap_or_default()}</p>
        </div>
    }
}

/// A `<select>` over fixed options (value, label).
#[component]
pub fn EditorSelect(
    label: &'static str,
    key: &'static str,
    options: Vec<(&'static str, &'static str)>,
    form: StoredValue<PageForm>,
    errors: FormErrors,
) -> impl IntoView {
    let id = format!("f-{key}");
    let error = errors.field(key);
    let current = form.with_value(|f| f.value(key));
    let has_current = options.iter().any(|(v, _)| *v == current);
    view! {
        <div class="field" class:field--invalid=move || error.get().is_some()>
            <label for=id.clone()>{label}</label>
            <select id=id name=format!("form[{key}]")>
                {(!has_current && !current.is_empty()).then(|| view! { <option value=current.clone() selected=true>{current.clone()}</option> })}
                {options.into_iter().map(|(v, l)| view! { <option value=v selected=v == current>{l}</option> }).collect_view()}
            </select>
            <p class="field-error" aria-live="polite">{move || error.get().unwrap_or_default()}</p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_checks_match_the_server_rules() {
        assert!(inline_check("redirectUrl", Kind::Url, "javascript:alert(1)").is_some());
        assert!(inline_check("redirectUrl", Kind::Url, "https://example.com").is_none());
        assert!(inline_check("accentColor", Kind::Color, "#12345").is_some());
        assert!(inline_check("discountPercentage", Kind::Number, "100").is_some());
        assert!(inline_check("discountPercentage", Kind::Number, "35").is_none());
        assert!(inline_check("inventoryLimit", Kind::Number, "0").is_some());
        assert!(inline_check("headline", Kind::Text, "").is_none());
    }
}
