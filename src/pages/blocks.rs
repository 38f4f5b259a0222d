//! A page's content blocks (the seed's `page_content`): text, event details and offers, shown in
//! the creator's order under the page's own text. Shared: the editor checks a block with the same
//! code the server runs.

use crate::error::{AppError, FieldError};
use crate::money::{format_amount, parse_price};
use serde::{Deserialize, Serialize};

pub const MAX_ITEMS: usize = 20;
pub const TITLE_MAX: usize = 120;
pub const DESCRIPTION_MAX: usize = 2_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ContentKind {
    /// A heading and a paragraph.
    Text,
    /// Event details: agenda, speakers, what to bring.
    Event,
    /// Something for sale at a price (discounted on flash-sale pages), without a file: shown,
    /// not sold here.
    Offer,
    /// One of the organization's products, with a Buy button: its name, description and price
    /// come from the product (the block may word the title and text its own way).
    Product,
}

impl ContentKind {
    pub const ALL: [ContentKind; 4] = [ContentKind::Text, ContentKind::Event, ContentKind::Offer, ContentKind::Product];

    /// The value stored in `page_contents.content_type`.
    pub fn as_str(self) -> &'static str {
        match self {
            ContentKind::Text => "text",
            ContentKind::Event => "event",
            ContentKind::Offer => "offer",
            ContentKind::Product => "product",
        }
    }

    pub fn parse(s: &str) -> Option<ContentKind> {
        ContentKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            ContentKind::Text => "Text",
            ContentKind::Event => "Event details",
            ContentKind::Offer => "Offer with a price",
            ContentKind::Product => "Product for sale",
        }
    }
}

/// A stored block.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContentItem {
    pub id: String,
    pub kind: ContentKind,
    pub title: String,
    pub description: String,
    pub price_minor: Option<i64>,
    pub currency: Option<String>,
    /// The product a `product` block sells.
    #[serde(default)]
    pub product_id: Option<String>,
}

impl ContentItem {
    /// The block as its edit form shows it.
    pub fn form(&self) -> ContentForm {
        ContentForm {
            kind: Some(self.kind.as_str().into()),
            title: Some(self.title.clone()),
            description: Some(self.description.clone()),
            price: match (self.price_minor, &self.currency) {
                (Some(cents), Some(currency)) => Some(format_amount(cents, currency)),
                _ => None,
            },
            currency: self.currency.clone(),
            product_id: self.product_id.clone(),
        }
    }
}

/// A block as a browser posts it: flat strings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ContentForm {
    pub kind: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub price: Option<String>,
    pub currency: Option<String>,
    pub product_id: Option<String>,
}

/// A block ready to store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContentInput {
    pub kind: ContentKind,
    pub title: String,
    pub description: String,
    pub price_minor: Option<i64>,
    pub currency: Option<String>,
    pub product_id: Option<String>,
}

fn text(v: &Option<String>) -> String {
    v.as_deref().unwrap_or("").trim().to_string()
}

/// Checks a posted block; errors come back under the form's field names.
pub fn parse_content(form: &ContentForm) -> Result<ContentInput, AppError> {
    let mut errors = Vec::new();
    let mut add = |field: &str, message: String| errors.push(FieldError { field: field.into(), message });
    let kind = ContentKind::parse(&text(&form.kind));
    if kind.is_none() {
        add("kind", "Choose text, event details, an offer or a product.".into());
    }
    let title = text(&form.title);
    let product_id = Some(text(&form.product_id)).filter(|id| !id.is_empty() && kind == Some(ContentKind::Product));
    if kind == Some(ContentKind::Product) && product_id.is_none() {
        add("product_id", "Choose the product to sell.".into());
    }
    // A product block may leave its title empty: the product's name is shown.
    if title.is_empty() && kind != Some(ContentKind::Product) {
        add("title", "Give the block a title.".into());
    } else if title.chars().count() > TITLE_MAX {
        add("title", format!("Use at most {TITLE_MAX} characters."));
    }
    let description = text(&form.description);
    if description.chars().count() > DESCRIPTION_MAX {
        add("description", format!("Use at most {DESCRIPTION_MAX} characters."));
    }
    let (mut price_minor, mut currency) = (None, None);
    if kind == Some(ContentKind::Offer) {
        let code = text(&form.currency).to_ascii_uppercase();
        match parse_price(&text(&form.price), &code) {
            Ok(0) => add("price", "Offers need a price above zero.".into()),
            Ok(cents) => {
                price_minor = Some(cents);
                currency = Some(code);
            }
            Err(m) if crate::money::minor_digits(&code).is_none() => add("currency", m),
            Err(m) => add("price", m),
        }
    }
    match kind {
        Some(kind) if errors.is_empty() => Ok(ContentInput { kind, title, description, price_minor, currency, product_id }),
        _ => Err(AppError::fields(errors)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(kind: &str, title: &str, price: &str, currency: &str) -> ContentForm {
        ContentForm {
            kind: Some(kind.into()),
            title: Some(title.into()),
            description: Some("Details".into()),
            price: Some(price.into()),
            currency: Some(currency.into()),
            product_id: None,
        }
    }

    #[test]
    fn blocks_are_checked_field_by_field() {
        let ok = parse_content(&form("offer", "Course", "49.00", "usd")).expect("valid offer");
        assert_eq!((ok.price_minor, ok.currency.as_deref()), (Some(4900), Some("USD")));
        let text = parse_content(&form("text", "About", "49", "USD")).expect("valid text");
        let mut product = form("product", "", "", "");
        assert!(parse_content(&product).expect_err("no product").field_message("product_id").is_some());
        product.product_id = Some(" p1 ".into());
        let product = parse_content(&product).expect("a product block may leave its title to the product");
        assert_eq!((product.product_id.as_deref(), product.price_minor), (Some("p1"), None));
        let mut offer = form("offer", "Course", "49", "USD");
        offer.product_id = Some("p1".into());
        assert_eq!(parse_content(&offer).expect("offer").product_id, None, "only product blocks keep a product");
        assert_eq!(text.price_minor, None, "only offers carry a price");
        let cases: &[(ContentForm, &str)] = &[
            (form("banner", "x", "", ""), "kind"),
            (form("text", "  ", "", ""), "title"),
            (form("text", &"x".repeat(TITLE_MAX + 1), "", ""), "title"),
            (form("offer", "Course", "", "USD"), "price"),
            (form("offer", "Course", "0", "USD"), "price"),
            (form("offer", "Course", "12.345", "USD"), "price"),
            (form("offer", "Course", "12", "DOGE"), "currency"),
        ];
        for (f, field) in cases {
            let e = parse_content(f).expect_err(field);
            assert!(e.field_message(field).is_some(), "{f:?}: {e:?}");
        }
        let mut long = form("text", "About", "", "");
        long.description = Some("x".repeat(DESCRIPTION_MAX + 1));
        assert!(parse_content(&long).expect_err("long").field_message("description").is_some());
    }

    #[test]
    fn a_stored_offer_refills_its_form() {
        let item = ContentItem {
            id: "1".into(),
            kind: ContentKind::Offer,
            title: "T".into(),
            description: String::new(),
            price_minor: Some(1500),
            currency: Some("JPY".into()),
            product_id: None,
        };
        let again = parse_content(&item.form()).expect("round trip");
        assert_eq!(again.price_minor, Some(1500));
    }
}
