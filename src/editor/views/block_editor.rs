//! The editor's content blocks: a list in page order, each with move, edit and remove, and a form
//! to add one. Every control is a plain form post, so all of it works without JavaScript.

use crate::editor::api::{AddContentItem, MoveContentItem, RemoveContentItem, UpdateContentItem};
use crate::editor::model::ProductChoice;
use crate::error::AppError;
use crate::money::{CURRENCIES, format_money};
use crate::pages::blocks::{ContentForm, ContentItem, ContentKind, MAX_ITEMS};
use crate::ui::fields::FormAlert;
use leptos::prelude::*;

/// The block actions, owned by the editor so that a success reloads the page's data.
#[derive(Clone, Copy)]
pub struct BlockActions {
    pub add: ServerAction<AddContentItem>,
    pub update: ServerAction<UpdateContentItem>,
    pub remove: ServerAction<RemoveContentItem>,
    pub reorder: ServerAction<MoveContentItem>,
}

impl BlockActions {
    pub fn new() -> Self {
        Self { add: ServerAction::new(), update: ServerAction::new(), remove: ServerAction::new(), reorder: ServerAction::new() }
    }

    /// True once any block action has succeeded (tracked, for the editor's refresh).
    pub fn any_succeeded(&self) -> bool {
        let outcomes = [
            self.add.value().get().map(|r| r.is_ok()),
            self.update.value().get().map(|r| r.is_ok()),
            self.remove.value().get().map(|r| r.is_ok()),
            self.reorder.value().get().map(|r| r.is_ok()),
        ];
        outcomes.contains(&Some(true))
    }
}

impl Default for BlockActions {
    fn default() -> Self {
        Self::new()
    }
}

#[component]
pub fn ContentBlocks(
    page_id: String,
    items: Vec<ContentItem>,
    actions: BlockActions,
    /// The organization's products (empty on pages that don't sell).
    products: Vec<ProductChoice>,
) -> impl IntoView {
    let sells_here = !products.is_empty();
    let orders_link = format!("/dashboard/orders?page_id={page_id}");
    let products = StoredValue::new(products);
    let BlockActions { add, update, remove, reorder } = actions;
    let list_error = Signal::derive(move || {
        update
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| remove.value().get().and_then(Result::err))
            .or_else(|| reorder.value().get().and_then(Result::err))
            .map(|e| {
                e.field_message("title")
                    .or_else(|| e.field_message("product_id"))
                    .or_else(|| e.field_message("price"))
                    .or_else(|| e.field_message("currency"))
                    .unwrap_or(e.message)
            })
    });
    let add_error = Signal::derive(move || add.value().get().and_then(Result::err));
    let count = items.len();
    let last = count.saturating_sub(1);
    view! {
        <section class="blocks" id="content" aria-labelledby="blocks-title">
            <h2 id="blocks-title">"Content blocks"</h2>
            {sells_here.then(|| view! { <p><a href=orders_link.clone()>"Orders of this page"</a></p> })}
            <p class="field-hint">"Shown under the page's text while it is live: details, agenda, offers with a price."</p>
            <FormAlert message=list_error/>
            {if items.is_empty() {
                view! { <p class="empty-note">"No blocks yet. Add one below: an offer shows its price (with the sale's discount on flash sales)."</p> }.into_any()
            } else {
                view! {
                    <ol class="block-list">
                        {items.into_iter().enumerate().map(|(i, item)| {
                            view! { <BlockRow page_id=page_id.clone() item first=i == 0 last=i == last update remove reorder products=products.get_value()/> }
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
            {if count < MAX_ITEMS {
                view! { <AddBlock page_id=page_id.clone() add error=add_error products=products.get_value()/> }.into_any()
            } else {
                view! { <p class="empty-note">{format!("A page holds up to {MAX_ITEMS} blocks.")}</p> }.into_any()
            }}
        </section>
    }
}

#[component]
fn BlockRow(
    page_id: String,
    item: ContentItem,
    first: bool,
    last: bool,
    update: ServerAction<UpdateContentItem>,
    remove: ServerAction<RemoveContentItem>,
    reorder: ServerAction<MoveContentItem>,
    products: Vec<ProductChoice>,
) -> impl IntoView {
    let price = match (item.price_minor, item.currency.as_deref()) {
        (Some(cents), Some(currency)) => Some(format_money(cents, currency)),
        _ => None,
    };
    let prefix = format!("block-{}", item.id);
    let form = item.form();
    let title = item.title.clone();
    let (up_label, down_label, remove_label) = (format!("Move “{title}” up"), format!("Move “{title}” down"), format!("Remove “{title}”"));
    // Copy, so that every form below can render its own hidden fields.
    let ids = StoredValue::new((page_id, item.id.clone()));
    let hidden = move || {
        let (page_id, item_id) = ids.get_value();
        view! {
            <input type="hidden" name="page_id" value=page_id/>
            <input type="hidden" name="item_id" value=item_id/>
        }
    };
    view! {
        <li class="block" data-testid="block">
            <div class="block-head">
                <span class="badge">{item.kind.label()}</span>
                <strong class="block-title">{item.title.clone()}</strong>
                {price.map(|p| view! { <span class="block-price">{p}</span> })}
            </div>
            <div class="block-actions">
                <ActionForm action=reorder>
                    {hidden()}
                    <input type="hidden" name="direction" value="up"/>
                    <button class="button button--ghost button--small" type="submit" disabled=first aria-label=up_label.clone()>"↑ Up"</button>
                </ActionForm>
                <ActionForm action=reorder>
                    {hidden()}
                    <input type="hidden" name="direction" value="down"/>
                    <button class="button button--ghost button--small" type="submit" disabled=last aria-label=down_label.clone()>"↓ Down"</button>
                </ActionForm>
                <ActionForm action=remove>
                    {hidden()}
                    <button class="button button--danger button--small" type="submit" aria-label=remove_label.clone()>"Remove"</button>
                </ActionForm>
            </div>
            <details class="block-edit">
                <summary>"Edit"</summary>
                <ActionForm action=update attr:class="block-form" attr:novalidate=true>
                    {hidden()}
                    <BlockFields prefix form products/>
                    <button class="button button--small" type="submit">"Save block"</button>
                </ActionForm>
            </details>
        </li>
    }
}

#[component]
fn AddBlock(page_id: String, add: ServerAction<AddContentItem>, error: Signal<Option<AppError>>, products: Vec<ProductChoice>) -> impl IntoView {
    let summary = Signal::derive(move || error.get().filter(|e| e.fields.is_empty()).map(|e| e.message));
    // Empty the form once the block is added, ready for the next one.
    let form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if add.value().get().is_some_and(|r| r.is_ok()) {
            if let Some(form) = form.get_untracked() {
                form.reset();
            }
        }
    });
    view! {
        <ActionForm action=add node_ref=form attr:class="block-form block-form--add" attr:novalidate=true>
            <h3>"Add a block"</h3>
            <FormAlert message=summary/>
            <input type="hidden" name="page_id" value=page_id/>
            <BlockFields prefix="new-block".to_string() form=ContentForm { kind: Some("text".into()), currency: Some("USD".into()), ..Default::default() } error products/>
            <button class="button" type="submit" disabled=move || add.pending().get()>"Add block"</button>
        </ActionForm>
    }
}

/// The fields of one block, named `item[...]` for the server function, ids unique per block.
#[component]
fn BlockFields(
    prefix: String,
    form: ContentForm,
    products: Vec<ProductChoice>,
    #[prop(optional, into)] error: Option<Signal<Option<AppError>>>,
) -> impl IntoView {
    let message = move |field: &'static str| error.and_then(|e| e.get()).and_then(|e| e.field_message(field)).unwrap_or_default();
    let id = |name: &str| format!("{prefix}-{name}");
    let kind = form.kind.clone().unwrap_or_default();
    let currency = form.currency.clone().unwrap_or_else(|| "USD".into());
    let chosen = form.product_id.clone().unwrap_or_default();
    // Product blocks exist on selling pages only, where the page passes the products.
    let sells = !products.is_empty();
    let current = kind.clone();
    let kinds = ContentKind::ALL.into_iter().filter(move |k| sells || *k != ContentKind::Product || current == k.as_str());
    view! {
        <div class="field">
            <label for=id("kind")>"Kind"</label>
            <select id=id("kind") name="item[kind]">
                {kinds.map(|k| view! { <option value=k.as_str() selected=k.as_str() == kind>{k.label()}</option> }).collect_view()}
            </select>
            <p class="field-error" aria-live="polite">{move || message("kind")}</p>
        </div>
        {sells.then(|| view! {
            <div class="field">
                <label for=id("product")>"Product (product blocks)"</label>
                <select id=id("product") name="item[product_id]">
                    <option value="">"Choose a product"</option>
                    {products.into_iter().map(|p| view! { <option value=p.id.clone() selected=p.id == chosen>{p.label}</option> }).collect_view()}
                </select>
                <p class="field-hint">"Its name, description and price show on the page with a Buy button. Leave the title empty to use the product's name."</p>
                <p class="field-error" aria-live="polite">{move || message("product_id")}</p>
            </div>
        })}
        <div class="field">
            <label for=id("title")>"Title"</label>
            <input id=id("title") name="item[title]" type="text" value=form.title.clone().unwrap_or_default() maxlength="120"/>
            <p class="field-error" aria-live="polite">{move || message("title")}</p>
        </div>
        <div class="field">
            <label for=id("description")>"Description"</label>
            <textarea id=id("description") name="item[description]" rows="3">{form.description.clone().unwrap_or_default()}</textarea>
            <p class="field-error" aria-live="polite">{move || message("description")}</p>
        </div>
        <div class="field-row">
            <div class="field">
                <label for=id("price")>"Price (offers)"</label>
                <input id=id("price") name="item[price]" type="text" inputmode="decimal" placeholder="19.99" value=form.price.clone().unwrap_or_default()/>
                <p class="field-error" aria-live="polite">{move || message("price")}</p>
            </div>
            <div class="field">
                <label for=id("currency")>"Currency"</label>
                <select id=id("currency") name="item[currency]">
                    {CURRENCIES.iter().map(|(code, _)| view! { <option value=*code selected=*code == currency>{*code}</option> }).collect_view()}
                </select>
                <p class="field-error" aria-live="polite">{move || message("currency")}</p>
            </div>
        </div>
    }
}
