//! The document's `<title>`, safe for any text.
//!
//! leptos_meta 0.8.7 writes the text of its `<Title>` into the server-rendered head as it is (its
//! `<meta>` attributes are escaped, the title is not), so a creator's headline of
//! `</title><meta http-equiv="refresh" …>` would have become markup in every visitor's page.
//! Every title in the app goes through this component instead: on the server the text is
//! escaped before leptos_meta sees it; in the browser it is set as text (`document.title`), which
//! needs no escaping.

use leptos::prelude::*;

#[component]
pub fn Title(#[prop(into)] text: String) -> impl IntoView {
    view! { <leptos_meta::Title text=head_text(&text)/> }
}

/// Text as it may stand between `<title>` and `</title>` in server-rendered HTML.
#[cfg(feature = "ssr")]
fn head_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(not(feature = "ssr"))]
fn head_text(text: &str) -> String {
    text.to_string()
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    #[test]
    fn titles_cannot_close_their_element() {
        assert_eq!(super::head_text("A & B </title><meta x=\"1\">"), "A &amp; B &lt;/title&gt;&lt;meta x=&quot;1&quot;&gt;");
        assert_eq!(super::head_text("Plain headline"), "Plain headline");
    }
}
