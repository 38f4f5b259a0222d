//! What the browser side of the islands needs once per document.
//!
//! The server renders every page; the browser hydrates only the `#[island]` components. There is
//! no client-side router, so two things it used to do are done here.

use leptos::prelude::*;

/// Server functions answer a form post with a redirect (that is what a browser without
/// JavaScript follows). Called from an island, a redirect to the page the visitor is on is
/// dropped: the island that sent the action shows its outcome itself (the editor reloads its
/// data, the sign-up form says thanks). A redirect anywhere else is followed.
pub fn follow_redirects_elsewhere() {
    let _ = leptos::server_fn::redirect::set_redirect_hook(|location: &str| {
        let here = window().location();
        let Ok(origin) = here.origin() else { return };
        let Ok(target) = web_sys::Url::new_with_base(location, &origin) else { return };
        let same_page = target.origin() == origin && here.pathname().is_ok_and(|path| path == target.pathname());
        if !same_page {
            let _ = here.set_href(&target.href());
        }
    });
}

thread_local! {
    /// Islands of this document not yet hydrated.
    static WAITING: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Counts the document's islands; called before any of them is hydrated. A document without
/// islands is marked at once.
pub fn count_islands() {
    let count = document().query_selector_all("leptos-island").map(|list| list.length()).unwrap_or(0);
    WAITING.set(count);
    if count == 0 {
        mark_hydrated();
    }
}

/// Every island calls this in its body: once the island is hydrated (its effects run after
/// that), it is counted off, and when the last one is, the document is marked. The dashboard's
/// islands are loaded on demand, after the others, so only the count knows when all are in.
pub fn report_hydrated() {
    Effect::new(move |_| {
        let left = WAITING.get().saturating_sub(1);
        WAITING.set(left);
        if left == 0 {
            mark_hydrated();
        }
    });
}

/// An element of the server's markup by id: the islands that render nothing and work on the
/// server's forms (notify-me, file uploads) find their parts this way.
pub fn element(id: &str) -> Option<web_sys::Element> {
    document().get_element_by_id(id)
}

/// Marks the document once its islands are interactive; end-to-end tests wait for it.
fn mark_hydrated() {
    if let Some(body) = document().body() {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
