//! `/dashboard/products/new` and `/dashboard/products/{id}`: the product form (a plain post that
//! comes back here with `?saved=1`, or with leptos' `__err` and the message beside its field),
//! switch off / on, and delete behind a confirmation step (`?delete=1`) that needs no script.

use super::fields::ProductFields;
use super::frame::ProductsFrame;
use super::upload;
use crate::products::api::{CreateProduct, DeactivateProduct, DeleteProduct, ReactivateProduct, RemoveProductSample, SaveProduct, get_product};
use crate::products::model::{ProductDetail, ProductFile, ProductForm, Sample};
use crate::ui::fields::{FormAlert, FormErrors};
use crate::ui::head::Title;
use crate::ui::status::LoadFailed;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn NewProductRoute() -> impl IntoView {
    let create = ServerAction::<CreateProduct>::new();
    let errors = FormErrors::new(Signal::derive(move || create.value().get().and_then(Result::err)));
    let form = ProductForm { currency: Some("USD".into()), ..Default::default() };
    view! {
        <Title text="New product · Flashpage"/>
        <ProductsFrame>
            <h1>"New product"</h1>
            <FormAlert message=errors.summary()/>
            <ActionForm action=create attr:class="editor-form" attr:novalidate=true>
                <ProductFields form errors read_only=false/>
                <button class="button button--large" type="submit">"Create product"</button>
            </ActionForm>
        </ProductsFrame>
    }
}

/// What the address said: the answers of forms sent without JavaScript.
#[derive(Clone)]
struct Arrival {
    /// `?saved=1`: the last form post succeeded.
    saved: bool,
    /// `?delete=1`: the creator asked to delete; show the confirmation.
    confirm_delete: bool,
    /// `?file_error=…`: the server refused the uploaded file.
    file_error: Option<String>,
    /// `?sample_error=…`: the server refused the uploaded sample.
    sample_error: Option<String>,
}

#[component]
pub fn ProductRoute() -> impl IntoView {
    let id = use_params_map().with_untracked(|p| p.get("id").unwrap_or_default());
    let arrival = use_query_map().with_untracked(|q| Arrival {
        saved: q.get("saved").is_some(),
        confirm_delete: q.get("delete").is_some(),
        file_error: q.get("file_error"),
        sample_error: q.get("sample_error"),
    });
    let product = Resource::new(move || id.clone(), get_product);
    view! {
        <Title text="Product · Flashpage"/>
        <ProductsFrame>
            <Suspense fallback=|| view! { <p class="loading" role="status">"Loading the product…"</p> }>
                {move || {
                    let arrival = arrival.clone();
                    Suspend::new(async move {
                    match product.await {
                        Ok(detail) => view! { <ProductScreen detail arrival/> }.into_any(),
                        Err(error) => view! {
                            <LoadFailed title="We couldn't open this product" error back="/dashboard/products" back_label="Back to your products"/>
                        }.into_any(),
                    }
                })}}
            </Suspense>
        </ProductsFrame>
    }
}

#[component]
fn ProductScreen(detail: ProductDetail, arrival: Arrival) -> impl IntoView {
    let save = ServerAction::<SaveProduct>::new();
    let deactivate = ServerAction::<DeactivateProduct>::new();
    let reactivate = ServerAction::<ReactivateProduct>::new();
    let delete = ServerAction::<DeleteProduct>::new();
    let errors = FormErrors::new(Signal::derive(move || save.value().get().and_then(Result::err)));
    let action_error = Signal::derive(move || {
        deactivate
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| reactivate.value().get().and_then(Result::err))
            .or_else(|| delete.value().get().and_then(Result::err))
            .map(|e| e.message)
    });
    let saved = arrival.saved && save.value().get_untracked().is_none();
    let ProductDetail { summary, form, can_edit, has_orders, file, max_file_mb, sample, .. } = detail;
    let (status_label, status_class) = summary.status.badge();
    let (name, price, is_active) = (summary.name.clone(), summary.price(), summary.is_active);
    let [id_toggle, id_save, id_delete, id_file, id_sample] = std::array::from_fn(|_| summary.id.clone());
    // One plain form for either direction: its target is the server function to call (the
    // actions above only read what the last post answered).
    let (toggle_path, toggle_label, toggle_class) = if is_active {
        (<DeactivateProduct as ServerFn>::PATH, "Switch off", "button button--ghost")
    } else {
        (<ReactivateProduct as ServerFn>::PATH, "Switch on", "button")
    };
    let toggle = move || {
        view! {
            <form method="post" action=toggle_path>
                <input type="hidden" name="id" value=id_toggle/>
                <button class=toggle_class type="submit">{toggle_label}</button>
            </form>
        }
    };
    view! {
        <div class="editor-head">
            <div>
                <p class="eyebrow">"Product"</p>
                <h1>{name.clone()}</h1>
                <p class="muted">
                    <span class=format!("badge badge--{status_class}") data-testid="product-status">{status_label}</span>
                    " · " {price}
                </p>
            </div>
            <div class="editor-actions">{can_edit.then(toggle)}</div>
        </div>
        <FormAlert message=action_error/>
        {saved.then(|| view! { <div class="form-notice" role="status">"Saved."</div> })}
        {(!can_edit).then(|| view! { <p class="form-notice" role="status">"Your role lets you look at products, not change them."</p> })}
        <FormAlert message=errors.summary()/>
        <ActionForm action=save attr:class="editor-form" attr:novalidate=true>
            <input type="hidden" name="id" value=id_save/>
            <ProductFields form errors read_only=!can_edit/>
            {can_edit.then(|| view! { <button class="button button--large" type="submit">"Save product"</button> })}
        </ActionForm>
        <FileSection product_id=id_file file max_file_mb can_edit error=arrival.file_error.clone()/>
        <SampleSection product_id=id_sample sample can_edit error=arrival.sample_error.clone()/>
        {can_edit.then(|| view! { <DeleteSection product_id=id_delete name has_orders confirm=arrival.confirm_delete delete/> })}
    }
}

/// The file buyers get: what is stored, and a plain multipart form to upload or replace it
/// (streamed to storage by `web::uploads`, which comes back here with `?saved=1` or `?file_error=`).
#[component]
fn FileSection(product_id: String, file: Option<ProductFile>, max_file_mb: u32, can_edit: bool, error: Option<String>) -> impl IntoView {
    let has_file = file.is_some();
    let invalid = if error.is_some() { "true" } else { "false" };
    view! {
        <section class="panel" aria-labelledby="file-title">
            <h2 id="file-title">"File"</h2>
            {match file {
                Some(f) => view! {
                    <p data-testid="product-file">
                        <strong>{f.name.clone()}</strong>" · "{f.size_label()}" · "{f.content_type.clone()}
                    </p>
                    <p class="muted">"SHA-256 "<code>{f.sha256.clone()}</code></p>
                }.into_any(),
                None => view! { <p class="muted">"No file yet: buyers get the file you upload here."</p> }.into_any(),
            }}
            {can_edit.then(|| view! {
                <form id=upload::FORM_ID method="post" action=format!("/dashboard/products/{product_id}/file") enctype="multipart/form-data" class="editor-form">
                    <label for=upload::INPUT_ID>{if has_file { "Replace the file" } else { "Upload the file" }}</label>
                    <input id=upload::INPUT_ID name="file" type="file" required=true aria-invalid=invalid aria-describedby="product-file-hint product-file-error"/>
                    <p class="field-hint" id="product-file-hint">{format!("Up to {max_file_mb} MB on your plan.")}</p>
                    <p class="field-error" id=upload::ERROR_ID aria-live="polite">{error}</p>
                    <progress id=upload::PROGRESS_ID max="100" value="0" hidden=true aria-label="Upload progress"></progress>
                    <p class="muted" id=upload::STATUS_ID role="status"></p>
                    <button class="button" type="submit">"Upload"</button>
                </form>
                <upload::FileUploadInPlace/>
            })}
        </section>
    }
}

/// The public sample (an image, a sound or a PDF excerpt shown with the product on its pages): a
/// plain multipart form (small files: no progress island), and a button that removes it.
#[component]
fn SampleSection(product_id: String, sample: Option<Sample>, can_edit: bool, error: Option<String>) -> impl IntoView {
    let invalid = if error.is_some() { "true" } else { "false" };
    let has_sample = sample.is_some();
    view! {
        <section class="panel" aria-labelledby="sample-title">
            <h2 id="sample-title">"Sample"</h2>
            {match sample {
                Some(s) => view! {
                    <p data-testid="product-sample">{format!("Shown on your pages: {}", s.content_type)}" · "<a href=s.url target="_blank" rel="noopener">"Open"</a></p>
                }.into_any(),
                None => view! { <p class="muted">"Optional: an image, a short sound or a PDF excerpt that visitors see before they buy."</p> }.into_any(),
            }}
            {can_edit.then(|| view! {
                <form method="post" action=format!("/dashboard/products/{product_id}/sample") enctype="multipart/form-data" class="editor-form">
                    <label for="product-sample-input">{if has_sample { "Replace the sample" } else { "Upload a sample" }}</label>
                    <input id="product-sample-input" name="file" type="file" accept="image/*,audio/*,application/pdf" required=true
                        aria-invalid=invalid aria-describedby="product-sample-hint product-sample-error"/>
                    <p class="field-hint" id="product-sample-hint">{format!("Up to {} MB.", crate::products::model::SAMPLE_MAX_MB)}</p>
                    <p class="field-error" id="product-sample-error" aria-live="polite">{error}</p>
                    <button class="button" type="submit">"Upload sample"</button>
                </form>
                {has_sample.then(|| view! {
                    <form method="post" action=RemoveProductSample::url()>
                        <input type="hidden" name="id" value=product_id.clone()/>
                        <button class="button button--ghost" type="submit">"Remove the sample"</button>
                    </form>
                })}
            })}
        </section>
    }
}

/// Deleting is two plain steps: a link that asks (`?delete=1`), then the form that deletes. A
/// product that orders reference can only be switched off; the server refuses it too.
#[component]
fn DeleteSection(product_id: String, name: String, has_orders: bool, confirm: bool, delete: ServerAction<DeleteProduct>) -> impl IntoView {
    let body = if has_orders {
        view! {
            <p>"Orders reference this product, so it can't be deleted: its buyers may still need it. Switch it off instead, and nobody can buy it any more."</p>
        }
        .into_any()
    } else if confirm {
        let cancel = format!("/dashboard/products/{product_id}");
        view! {
            <p role="alert"><strong>{format!("Delete “{name}” for good?")}</strong>" This can't be undone."</p>
            <div class="editor-actions">
                <ActionForm action=delete>
                    <input type="hidden" name="id" value=product_id/>
                    <button class="button button--danger" type="submit">"Yes, delete it"</button>
                </ActionForm>
                <a class="button button--ghost" href=cancel>"Cancel"</a>
            </div>
        }
        .into_any()
    } else {
        view! {
            <p>"Deleting removes the product for good. Switching it off keeps it for later."</p>
            <a class="button button--danger" href=format!("/dashboard/products/{product_id}?delete=1#delete-title")>"Delete…"</a>
        }
        .into_any()
    };
    view! {
        <section class="panel danger-zone" aria-labelledby="delete-title">
            <h2 id="delete-title">"Delete this product"</h2>
            {body}
        </section>
    }
}
