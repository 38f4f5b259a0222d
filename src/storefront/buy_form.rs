//! The Buy form under a product block: the buyer's email (and the offer's code), then the payment
//! page. A plain form post: no island, no JavaScript needed or sent.

use super::model::BuyButton;
use crate::orders::api::Buy;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use serde::{Deserialize, Serialize};

/// A Buy form sent without JavaScript that came back refused: leptos puts the refusal in `__err`
/// for the server function named in `__path`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BuyAnswer {
    pub error: Option<BuyError>,
    /// `?code=` in the page's link pre-fills the offer's code.
    pub code: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BuyError {
    pub message: String,
    /// The field it concerns (`email`, `code`, `quantity`), if any.
    pub field: Option<String>,
}

impl BuyAnswer {
    pub fn from_query(path: Option<&str>, error: Option<&str>, code: Option<&str>) -> BuyAnswer {
        let error = error.filter(|_| path == Some(Buy::url())).map(|encoded| {
            let err = leptos::server_fn::error::ServerFnUrlError::<crate::error::AppError>::decode_err(encoded);
            match err.fields.first() {
                Some(f) => BuyError { message: f.message.clone(), field: Some(f.field.clone()) },
                None => BuyError { message: err.message, field: None },
            }
        });
        let code = code.map(|c| c.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').take(32).collect());
        BuyAnswer { error, code }
    }
}

#[component]
pub fn BuyForm(
    short_id: String,
    buy: BuyButton,
    /// The price as shown: "Buy for $39.20".
    price: String,
    /// In the editor's preview: shown, not sent.
    preview: bool,
    answer: BuyAnswer,
) -> impl IntoView {
    let id = |name: &str| format!("buy-{}-{name}", buy.item_id);
    let (email_id, code_id, error_id) = (id("email"), id("code"), id("error"));
    let field_error = |field: &str| answer.error.as_ref().filter(|e| e.field.as_deref() == Some(field)).map(|e| e.message.clone());
    let general = answer.error.as_ref().filter(|e| e.field.is_none() || e.field.as_deref() == Some("quantity")).map(|e| e.message.clone());
    let email_error = field_error("email");
    let code_error = field_error("code");
    let code_error_id = id("code-error");
    view! {
        <form class="buy-form" method="post" action=Buy::url() novalidate=true>
            <input type="hidden" name="short_id" value=short_id/>
            <input type="hidden" name="item_id" value=buy.item_id.clone()/>
            <input type="hidden" name="quantity" value="1"/>
            <input type="hidden" name="amount" value=buy.amount.to_string()/>
            <input type="hidden" name="currency" value=buy.currency.clone()/>
            {general.map(|m| view! { <p class="form-alert" role="alert">{m}</p> })}
            <div class="field">
                <label for=email_id.clone()>"Your email (for the receipt and the download)"</label>
                <input id=email_id name="email" type="email" autocomplete="email" required=true placeholder="you@example.com"
                    aria-invalid=if email_error.is_some() { "true" } else { "false" } aria-describedby=error_id.clone()/>
                <p class="field-error" id=error_id>{email_error}</p>
            </div>
            {buy.asks_code.then(|| view! {
                <div class="field">
                    <label for=code_id.clone()>"Discount code (optional)"</label>
                    <input id=code_id name="code" type="text" autocomplete="off" maxlength="32" value=answer.code.clone().unwrap_or_default()
                        aria-invalid=if code_error.is_some() { "true" } else { "false" } aria-describedby=code_error_id.clone()/>
                    <p class="field-error" id=code_error_id>{code_error}</p>
                </div>
            })}
            <button class="button button--large" type="submit" disabled=preview>{format!("Buy for {price}")}</button>
        </form>
    }
}
