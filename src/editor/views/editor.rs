//! The page editor at `/dashboard/pages/{id}`: one form for the whole page (works as a plain
//! post), plus publish, switch off, duplicate and delete.

use super::block_editor::{BlockActions, ContentBlocks};
use super::editor_fields::{EditorField, EditorSelect, Kind};
use super::hero::HeroImage;
use super::preview_pane::{EditorPreview, Shown};
use super::status;
use crate::editor::api::{DeletePage, DuplicatePage, PublishPage, RemoveHeroImage, SavePage, UnpublishPage, get_page_editor, preview_page};
use crate::editor::form::{COMMON_TIME_ZONES, PageForm};
use crate::editor::model::PageEditor;
use crate::editor::preview_phase::PreviewPhase;
use crate::pages::settings::PageType;
use crate::ui::fields::{FormAlert, FormErrors};
use crate::ui::head::Title;
use crate::ui::layout::Brand;
use crate::ui::status::LoadFailed;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The editor's actions live here, above the data they change, so that a successful one can
/// reload the page's data (and the new status shows without a reload).
#[derive(Clone, Copy)]
struct Actions {
    save: ServerAction<SavePage>,
    publish: ServerAction<PublishPage>,
    unpublish: ServerAction<UnpublishPage>,
    duplicate: ServerAction<DuplicatePage>,
    delete: ServerAction<DeletePage>,
    remove_hero: ServerAction<RemoveHeroImage>,
    blocks: BlockActions,
    /// What the last upload said; kept here because a successful upload reloads the editor.
    upload_status: RwSignal<String>,
}

/// What the address said when the editor was opened: the answers of forms sent without
/// JavaScript, and the preview's phase.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
struct Arrival {
    /// `?saved=1`: the last form post succeeded.
    saved: bool,
    /// `?upload_error=…`: the server refused an image.
    upload_error: Option<String>,
    /// `?preview=…`
    preview: PreviewPhase,
}

#[component]
pub fn PageEditorRoute() -> impl IntoView {
    let id = use_params_map().with_untracked(|p| p.get("id").unwrap_or_default());
    let arrival = use_query_map().with_untracked(|q| Arrival {
        saved: q.get("saved").is_some(),
        upload_error: q.get("upload_error"),
        preview: PreviewPhase::parse(&q.get("preview").unwrap_or_default()),
    });
    // The first preview comes with the editor's data (an island hydrates no resources).
    let phase = arrival.preview;
    let editor = Resource::new(
        move || id.clone(),
        move |id| async move {
            let editor = get_page_editor(id.clone()).await?;
            let preview = preview_page(id, editor.form.clone(), phase.as_str().to_string()).await;
            Ok::<_, crate::error::AppError>((editor, preview))
        },
    );
    view! {
        <Title text="Edit page · Flashpage"/>
        <div class="app">
            <header class="app-header">
                <div class="app-header-inner">
                    <Brand/>
                    <a class="back-link" href="/dashboard">"← All pages"</a>
                </div>
            </header>
            <main id="main" class="app-main app-main--wide">
                <Suspense fallback=|| view! { <p class="loading" role="status">"Loading the page…"</p> }>
                    {move || {
                        let arrival = arrival.clone();
                        Suspend::new(async move {
                            match editor.await {
                                Ok((editor, preview)) => view! { <LiveEditor editor preview arrival/> }.into_any(),
                                Err(error) => view! {
                                    <LoadFailed title="We couldn't open this page" error back="/dashboard" back_label="Back to your pages"/>
                                }.into_any(),
                            }
                        })
                    }}
                </Suspense>
            </main>
        </div>
    }
}

/// The editor, hydrated: live preview, inline feedback, upload progress, copy link. A successful
/// action reloads the page's data in place (the new status shows without a reload).
// Loaded on demand in a split build (see build.rs).
#[cfg_attr(wasm_split, island(lazy))]
#[cfg_attr(not(wasm_split), island)]
fn LiveEditor(editor: PageEditor, preview: Shown, arrival: Arrival) -> impl IntoView {
    #[cfg(feature = "hydrate")]
    crate::ui::islands::report_hydrated();
    let actions = Actions {
        save: ServerAction::new(),
        publish: ServerAction::new(),
        unpublish: ServerAction::new(),
        duplicate: ServerAction::new(),
        delete: ServerAction::new(),
        remove_hero: ServerAction::new(),
        blocks: BlockActions::new(),
        upload_status: RwSignal::new(String::new()),
    };
    let id = editor.detail.summary.id.clone();
    let current = RwSignal::new(editor);
    // Kept above the editor, which is drawn anew when its data is reloaded.
    let shown = RwSignal::new(preview);
    let preview_phase = RwSignal::new(arrival.preview);
    let refresh = RwSignal::new(0u32);
    // What was typed and not yet saved survives a reload: the form's box and its edits are kept
    // here, above the editor that a reload draws anew. `edits` counts the changes since the last
    // load; a save notes how many its post carried, so the reload it causes keeps only later ones.
    let form_box = NodeRef::<leptos::html::Div>::new();
    let edits = StoredValue::new(0u64);
    let edits_saved = StoredValue::new(None::<u64>);
    Effect::new(move |_| {
        if actions.save.pending().get() {
            edits_saved.set_value(Some(edits.get_value()));
        }
    });
    Effect::new(move |_| {
        // Read all of them (no short-circuit) so the effect keeps tracking every action.
        let outcomes = [
            actions.save.value().get().map(|r| r.is_ok()),
            actions.publish.value().get().map(|r| r.is_ok()),
            actions.unpublish.value().get().map(|r| r.is_ok()),
            actions.remove_hero.value().get().map(|r| r.is_ok()),
        ];
        let blocks_changed = actions.blocks.any_succeeded();
        if outcomes.contains(&Some(true)) || blocks_changed {
            refresh.update(|n| *n += 1);
        }
    });
    // After a change was saved, the page's data and its preview are loaded again.
    Effect::watch(
        move || refresh.get(),
        move |_, _, _| {
            let id = id.clone();
            leptos::task::spawn_local(async move {
                if let Ok(fresh) = get_page_editor(id.clone()).await {
                    let unsaved = edits.get_value() > edits_saved.get_value().unwrap_or(0);
                    #[cfg(feature = "hydrate")]
                    let fresh = match super::preview_pane::form_in(form_box).as_ref().and_then(super::preview_pane::read_form).filter(|_| unsaved) {
                        Some(typed) => PageEditor { form: typed, ..fresh },
                        None => fresh,
                    };
                    #[cfg(not(feature = "hydrate"))]
                    let _ = (unsaved, form_box);
                    edits.set_value(0);
                    edits_saved.set_value(None);
                    let form = fresh.form.clone();
                    current.set(fresh);
                    let phase = preview_phase.get_untracked().as_str().to_string();
                    shown.set(preview_page(id, form, phase).await);
                }
            });
        },
        false,
    );
    move || {
        let arrival = arrival.clone();
        current.with(|editor| view! { <Editor editor=editor.clone() actions refresh arrival shown preview_phase form_box edits/> })
    }
}

#[component]
fn Editor(
    editor: PageEditor,
    actions: Actions,
    refresh: RwSignal<u32>,
    arrival: Arrival,
    shown: RwSignal<Shown>,
    preview_phase: RwSignal<PreviewPhase>,
    /// The box around the form, and the count of edits since the data was loaded (see `LiveEditor`).
    form_box: NodeRef<leptos::html::Div>,
    edits: StoredValue<u64>,
) -> impl IntoView {
    let summary = editor.detail.summary.clone();
    // Each form's children are a closure of their own, so each gets its own copy of the id.
    let [id_toggle, id_duplicate, id_delete, id_save, id_hero, id_blocks] = std::array::from_fn(|_| summary.id.clone());
    let kind = summary.page_type;
    let form = StoredValue::new(editor.form.clone());
    let Actions { save, publish, unpublish, duplicate, delete, remove_hero, blocks, upload_status } = actions;
    let uploaded = Callback::new(move |_| refresh.update(|n| *n += 1));
    let hero_alt = editor.detail.customization.hero_alt.clone();
    let draft = RwSignal::new(editor.form.clone());
    let id_preview = summary.id.clone();
    let pending = StoredValue::new(None::<leptos::prelude::TimeoutHandle>);
    // Any edit refreshes the preview a moment after the last keystroke.
    let on_edit = move |_| {
        edits.update_value(|n| *n += 1);
        #[cfg(feature = "hydrate")]
        if let Some(form) = super::preview_pane::form_in(form_box) {
            super::preview_pane::read_form_later(form, draft, pending);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (form_box, pending, draft);
    };
    let errors = FormErrors::new(Signal::derive(move || save.value().get().and_then(Result::err)));
    let action_error = Signal::derive(move || {
        publish
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| unpublish.value().get().and_then(Result::err))
            .or_else(|| duplicate.value().get().and_then(Result::err))
            .or_else(|| delete.value().get().and_then(Result::err))
            .map(|e| e.message)
    });
    let arrived_saved = arrival.saved;
    let saved = move || arrived_saved && save.value().get().is_none();
    let (status_label, status_class) = status(summary.phase);
    let zone_options: Vec<(&'static str, &'static str)> = COMMON_TIME_ZONES.iter().map(|z| (*z, *z)).collect();
    view! {
        <div class="editor-head">
            <div>
                <p class="eyebrow">{kind.label()}</p>
                <h1>{summary.headline.clone()}</h1>
                <p class="muted">
                    <span class=format!("badge badge--{status_class}") data-testid="page-status">{status_label}</span>
                    " · " {summary.view_count} " views"
                    " · " <a href=format!("/dashboard/pages/{}/registrations", summary.id)>{if kind == PageType::EventRegistration { "Registrations" } else { "Sign-ups" }}</a>
                </p>
            </div>
            <div class="editor-actions">
                {if summary.is_active {
                    view! {
                        <ActionForm action=unpublish>
                            <input type="hidden" name="id" value=id_toggle.clone()/>
                            <button class="button button--ghost" type="submit">"Switch off"</button>
                        </ActionForm>
                    }.into_any()
                } else {
                    view! {
                        <ActionForm action=publish>
                            <input type="hidden" name="id" value=id_toggle.clone()/>
                            <button class="button" type="submit">"Publish"</button>
                        </ActionForm>
                    }.into_any()
                }}
                <ActionForm action=duplicate>
                    <input type="hidden" name="id" value=id_duplicate.clone()/>
                    <button class="button button--ghost" type="submit">"Duplicate"</button>
                </ActionForm>
                <ActionForm action=delete>
                    <input type="hidden" name="id" value=id_delete.clone()/>
                    <button class="button button--danger" type="submit">"Delete"</button>
                </ActionForm>
            </div>
        </div>
        <FormAlert message=action_error/>
        <div class="share">
            <label for="short-link">"Short link"</label>
            <div class="share-row">
                <input id="short-link" readonly=true value=editor.public_url.clone()/>
                <CopyButton text=editor.public_url.clone()/>
                <a class="button button--ghost" href=editor.public_url.clone() target="_blank" rel="noopener">"Open"</a>
            </div>
        </div>
        <Show when=saved>
            <div class="form-notice" role="status">"Saved."</div>
        </Show>
        <Show when=move || save.value().get().is_some_and(|r| r.is_ok())>
            <div class="form-notice" role="status">"Saved."</div>
        </Show>
        <FormAlert message=errors.summary()/>
        <div class="editor-layout">
        <div class="editor-main">
        <div node_ref=form_box on:input=on_edit on:change=on_edit>
        <ActionForm action=save attr:class="editor-form" attr:novalidate=true>
            <input type="hidden" name="id" value=id_save.clone()/>
            <fieldset>
                <legend>"Basics"</legend>
                <EditorField label="Headline" key="headline" kind=Kind::Text form errors/>
                <EditorField label="Short description" key="description" kind=Kind::Text form errors hint="Shown in search results and link previews."/>
                <EditorField label="Text" key="body" kind=Kind::LongText form errors hint="Markdown: **bold**, _italic_, [links](https://…), lists."/>
            </fieldset>
            <fieldset>
                <legend>"Schedule"</legend>
                <EditorSelect label="Time zone" key="timeZone" options=zone_options form errors/>
                <EditorField label="Launch (optional)" key="launchAt" kind=Kind::When form errors hint="Before this, visitors see a teaser and a countdown to the launch."/>
                <EditorField label="Take the page down at (optional)" key="expiresAt" kind=Kind::When form errors hint="After this the link answers “gone”."/>
                <EditorField label="Offer a “notify me” sign-up before the launch" key="notifyMe" kind=Kind::Check form errors/>
            </fieldset>
            {kind_fields(kind, form, errors)}
            <fieldset>
                <legend>"Look"</legend>
                <div class="field-row">
                    <EditorField label="Accent color" key="accentColor" kind=Kind::Color form errors/>
                    <EditorField label="Background" key="backgroundColor" kind=Kind::Color form errors/>
                </div>
                <EditorField label="Button label" key="buttonLabel" kind=Kind::Text form errors hint="On the sign-up button (“Notify me” when empty)."/>
                <EditorField label="Image description (for screen readers)" key="heroAlt" kind=Kind::Text form errors hint="Say what the hero image shows. Leave empty if it is decoration."/>
            </fieldset>
            <button class="button button--large" type="submit" disabled=move || save.pending().get()>
                {move || if save.pending().get() { "Saving…" } else { "Save page" }}
            </button>
        </ActionForm>
        </div>
        <HeroImage page_id=id_hero url=editor.hero_image_url.clone() alt=hero_alt remove=remove_hero uploaded status=upload_status server_error=arrival.upload_error.clone()/>
        <ContentBlocks page_id=id_blocks items=editor.items.clone() actions=blocks products=editor.products.clone()/>
        </div>
        <EditorPreview page_id=id_preview draft phase=preview_phase shown/>
        </div>
    }
}

/// Copies the short link. Hidden until the page is hydrated: without JavaScript it could not work,
/// and the link stays selectable in its field.
#[component]
fn CopyButton(text: String) -> impl IntoView {
    let ready = RwSignal::new(false);
    let copied = RwSignal::new(false);
    Effect::new(move |_| ready.set(true));
    let on_click = move |_| {
        #[cfg(feature = "hydrate")]
        {
            let promise = window().navigator().clipboard().write_text(&text);
            leptos::task::spawn_local(async move {
                if wasm_bindgen_futures::JsFuture::from(promise).await.is_ok() {
                    copied.set(true);
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &text;
    };
    view! {
        <button class="button button--ghost" type="button" hidden=move || !ready.get() on:click=on_click>
            {move || if copied.get() { "Copied" } else { "Copy link" }}
        </button>
        <span class="visually-hidden" role="status" aria-live="polite">{move || if copied.get() { "Link copied" } else { "" }}</span>
    }
}

fn kind_fields(kind: PageType, form: StoredValue<PageForm>, errors: FormErrors) -> AnyView {
    match kind {
        PageType::Countdown => view! {
            <fieldset>
                <legend>"Countdown"</legend>
                <EditorField label="Count down to" key="countdownTarget" kind=Kind::When form errors/>
                <EditorSelect label="At zero" key="postCountdownAction" form errors
                    options=vec![("show-message", "Show a message"), ("redirect", "Send visitors to a link"), ("show-form", "Show a sign-up form")]/>
                <EditorField label="Link (for “send visitors to a link”)" key="redirectUrl" kind=Kind::Url form errors/>
                <EditorField label="Message title" key="messageTitle" kind=Kind::Text form errors/>
                <EditorField label="Message" key="messageContent" kind=Kind::LongText form errors/>
            </fieldset>
        }.into_any(),
        PageType::FlashSale => view! {
            <fieldset>
                <legend>"Flash sale"</legend>
                <EditorField label="Sale ends" key="saleEndTime" kind=Kind::When form errors/>
                <EditorField label="Discount (%)" key="discountPercentage" kind=Kind::Number form errors/>
                <EditorField label="Show the original price" key="originalPriceDisplay" kind=Kind::Check form errors/>
                <EditorField label="Items for sale" key="inventoryLimit" kind=Kind::Number form errors/>
                <EditorField label="Hold a unit while the buyer pays (minutes)" key="holdMinutes" kind=Kind::Number form errors hint="15 when empty; at most 120."/>
                <EditorSelect label="When it's over" key="soldOutAction" form errors
                    options=vec![("show-message", "Show a message"), ("redirect", "Send visitors to a link")]/>
                <EditorField label="Link (for “send visitors to a link”)" key="postSaleRedirectUrl" kind=Kind::Url form errors/>
            </fieldset>
        }.into_any(),
        PageType::EventRegistration => view! {
            <fieldset>
                <legend>"Event"</legend>
                <p class="field-hint">"Event times are in the time zone chosen above."</p>
                <EditorField label="Starts" key="eventStartTime" kind=Kind::When form errors/>
                <EditorField label="Ends" key="eventEndTime" kind=Kind::When form errors/>
                <EditorSelect label="Where" key="eventLocation" form errors options=vec![("physical", "In person"), ("virtual", "Online")]/>
                <EditorField label="Address (in person)" key="physicalAddress" kind=Kind::Text form errors/>
                <EditorSelect label="Platform (online)" key="virtualPlatform" form errors
                    options=vec![("", "—"), ("zoom", "Zoom"), ("meet", "Google Meet"), ("teams", "Microsoft Teams"), ("custom", "Other")]/>
                <EditorField label="Join link (online)" key="platformLink" kind=Kind::Url form errors/>
                <EditorField label="Places" key="maxAttendees" kind=Kind::Number form errors/>
                <EditorField label="Waitlist when full" key="waitlistEnabled" kind=Kind::Check form errors/>
            </fieldset>
            <super::question_rows::RegistrationFormFields form errors/>
        }.into_any(),
        PageType::LimitedOffer => view! {
            <fieldset>
                <legend>"Offer"</legend>
                <EditorField label="Offer ends" key="offerEndTime" kind=Kind::When form errors/>
                <EditorField label="Discount code" key="discountCode" kind=Kind::Text form errors/>
                <EditorField label="Code discount (%)" key="codeDiscountPercentage" kind=Kind::Number form errors hint="Taken off at checkout when the buyer enters the code (or follows a link with ?code=)."/>
                <EditorField label="Orders that may use the code" key="codeUses" kind=Kind::Number form errors hint="Empty: no limit but the quantity."/>
                <EditorField label="Bonus" key="bonusDescription" kind=Kind::Text form errors/>
                <EditorField label="Quantity" key="limitedQuantity" kind=Kind::Number form errors/>
                <EditorField label="Hold a unit while the buyer pays (minutes)" key="holdMinutes" kind=Kind::Number form errors hint="15 when empty; at most 120."/>
                <EditorSelect label="When it ends" key="postOfferAction" form errors
                    options=vec![("show-alternate", "Show an alternative"), ("redirect", "Send visitors to a link")]/>
                <EditorField label="Link (for “send visitors to a link”)" key="redirectUrl" kind=Kind::Url form errors/>
                <EditorField label="Alternative title" key="alternateTitle" kind=Kind::Text form errors/>
                <EditorField label="Alternative text" key="alternateContent" kind=Kind::LongText form errors/>
            </fieldset>
        }.into_any(),
    }
}
