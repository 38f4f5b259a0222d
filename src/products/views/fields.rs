//! The product form's inputs, named `form[key]` so that a plain post fills the server's
//! `ProductForm`; each is labelled, and the server's message for its key is shown beside it and
//! linked with `aria-describedby`.

use crate::money::CURRENCIES;
use crate::products::model::ProductForm;
use crate::products::validation::{DESCRIPTION_MAX, NAME_MAX};
use crate::ui::fields::FormErrors;
use leptos::prelude::*;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Input {
    Text,
    LongText,
    Price,
    When,
    Count,
}

/// Every field of a product. `read_only` for callers who may look but not change (viewers).
#[component]
pub fn ProductFields(form: ProductForm, errors: FormErrors, read_only: bool) -> impl IntoView {
    let currency = form.currency.clone().unwrap_or_else(|| "USD".into());
    let currency_error = errors.field("currency");
    let value = |v: &Option<String>| v.clone().unwrap_or_default();
    view! {
        <fieldset>
            <legend>"Product"</legend>
            <ProductField label="Name" key="name" input=Input::Text value=value(&form.name) errors read_only max=NAME_MAX/>
            <ProductField label="Description" key="description" input=Input::LongText value=value(&form.description) errors read_only max=DESCRIPTION_MAX
                hint="What buyers get. Shown on the pages that sell it."/>
        </fieldset>
        <fieldset>
            <legend>"Price and availability"</legend>
            <div class="field-row">
                <ProductField label="Price" key="price" input=Input::Price value=value(&form.price) errors read_only max=20
                    hint="For example 19.99; 0 for free."/>
                <div class="field" class:field--invalid=move || currency_error.get().is_some()>
                    <label for="product-currency">"Currency"</label>
                    <select id="product-currency" name="form[currency]" disabled=read_only
                        aria-invalid=move || if currency_error.get().is_some() { "true" } else { "false" }
                        aria-describedby=move || currency_error.get().map(|_| "product-currency-error")>
                        {CURRENCIES.iter().map(|(code, _)| view! { <option value=*code selected=*code == currency>{*code}</option> }).collect_view()}
                    </select>
                    <p class="field-error" id="product-currency-error" aria-live="polite">{move || currency_error.get().unwrap_or_default()}</p>
                </div>
            </div>
            <ProductField label="Stop selling at (UTC, optional)" key="expiresAt" input=Input::When value=value(&form.expires_at) errors read_only max=0
                hint="After this time the product can't be bought. Leave empty to sell it until you switch it off."/>
        </fieldset>
        <fieldset>
            <legend>"Delivery"</legend>
            <div class="field-row">
                <ProductField label="Downloads per order" key="downloadLimit" input=Input::Count value=value(&form.download_limit) errors read_only max=4
                    hint="10 when empty. A buyer whose link is used up can have a fresh one emailed."/>
                <ProductField label="Days the link works" key="downloadDays" input=Input::Count value=value(&form.download_days) errors read_only max=4
                    hint="30 when empty, counted from the payment."/>
            </div>
        </fieldset>
    }
}

#[component]
fn ProductField(
    label: &'static str,
    key: &'static str,
    input: Input,
    value: String,
    errors: FormErrors,
    read_only: bool,
    /// The longest value the server takes (unused for times).
    max: usize,
    #[prop(optional)] hint: Option<&'static str>,
) -> impl IntoView {
    let id = format!("product-{key}");
    let (error_id, hint_id) = (format!("{id}-error"), format!("{id}-hint"));
    let error = errors.field(key);
    let described = {
        let (error_id, hint_id) = (error_id.clone(), hint_id.clone());
        move || {
            let ids: Vec<&str> = [hint.map(|_| hint_id.as_str()), error.get().map(|_| error_id.as_str())].into_iter().flatten().collect();
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    let invalid = move || if error.get().is_some() { "true" } else { "false" };
    let name = format!("form[{key}]");
    let required = (key == "name" || key == "price").then_some("true");
    let control = match input {
        Input::LongText => view! {
            <textarea id=id.clone() name=name rows="5" maxlength=max.to_string() readonly=read_only aria-invalid=invalid aria-describedby=described>{value}</textarea>
        }
        .into_any(),
        other => {
            let (kind, mode) = match other {
                Input::Price => ("text", Some("decimal")),
                Input::When => ("datetime-local", None),
                Input::Count => ("text", Some("numeric")),
                _ => ("text", None),
            };
            view! {
                <input id=id.clone() name=name type=kind inputmode=mode value=value maxlength=(other != Input::When).then(|| max.to_string()) readonly=read_only
                    aria-required=required aria-invalid=invalid aria-describedby=described/>
            }
            .into_any()
        }
    };
    view! {
        <div class="field" class:field--invalid=move || error.get().is_some()>
            <label for=id>{label}</label>
            {hint.map(|h| view! { <p class="field-hint" id=hint_id>{h}</p> })}
            {control}
            <p class="field-error" id=error_id aria-live="polite">{move || error.get().unwrap_or_default()}</p>
        </div>
    }
}
