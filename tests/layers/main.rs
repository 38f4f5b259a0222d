//! The module-circle check: the imports of `src/` run one way, from the top of [`LAYERS`] down.
//!
//! - An arrow from one top-level module to another must point to a lower layer. Two modules of one
//!   layer (orders and registrations) do not import each other.
//! - No files import each other in a circle, within a module or across modules.
//! - What does not hold yet is listed in [`KNOWN_UPWARD`] and [`KNOWN_CIRCLES`], each with its
//!   reason. A listed arrow or circle that is gone must be taken off the list (the check fails on a
//!   stale entry too), so the lists only shrink.
//!
//! `docs/ARCHITECTURE.md` draws the same order and says why. Run it alone with `cargo test --test layers`.

mod graph;

use graph::{Arrows, SourceFile, arrows, circles, module_of, read_tree, top_module};
use std::collections::BTreeSet;
use std::path::Path;

/// The layers from the top down; a module may import only modules of the layers below its own.
/// (`main.rs` is the binary and is not read; `lib.rs` only declares the modules.)
const LAYERS: &[&[&str]] = &[
    &["web"],
    &["app"],
    &["editor"],
    &["storefront"],
    &["orders", "registrations"],
    &["billing"],
    &["products"],
    &["pages"],
    &["accounts"],
    &["plans"],
    &["ui"],
    &["infra"],
    &["error", "money"],
];

/// Arrows that still run up (from file, to file, why), until the structure issue moves them.
const KNOWN_UPWARD: &[(&str, &str, &str)] = &[(
    "src/pages/backend/writer.rs",
    "src/registrations/backend/writer.rs",
    "deleting an event page tells its registrants in the delete's own transaction: `queue_event_cancellations!` runs on the \
     page's locked connection, and a connection is one of two types, so the registrants' part cannot be handed down as a \
     plain function yet. It goes when the writers take one connection type.",
)];

/// Circles between files that still stand (the files, sorted; why).
const KNOWN_CIRCLES: &[(&[&str], &str)] = &[];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// The arrows that run up or sideways between top-level modules, as `from -> to` lines.
fn upward(arrows: &Arrows) -> BTreeSet<(String, String)> {
    let mut found = BTreeSet::new();
    for (from, targets) in arrows {
        let from_module = top_module(from);
        if from_module == "lib" {
            continue;
        }
        for to in targets {
            let to_module = top_module(to);
            if to_module == from_module || to_module == "lib" {
                continue;
            }
            let down = matches!((layer_of(&from_module), layer_of(&to_module)), (Some(a), Some(b)) if a < b);
            if !down {
                found.insert((from.clone(), to.clone()));
            }
        }
    }
    found
}

/// What is known not to hold yet: the upward arrows and the circles, each with its reason.
struct Known {
    upward: &'static [(&'static str, &'static str, &'static str)],
    circles: &'static [(&'static [&'static str], &'static str)],
}

const KNOWN: Known = Known { upward: KNOWN_UPWARD, circles: KNOWN_CIRCLES };
const NOTHING_KNOWN: Known = Known { upward: &[], circles: &[] };

/// Everything wrong with the tree, one line each (empty when the layers hold).
fn problems(files: &[SourceFile], known: &Known) -> Vec<String> {
    let mut out = Vec::new();
    for file in files {
        let module = top_module(&file.path);
        if module != "lib" && layer_of(&module).is_none() {
            out.push(format!("{}: the module `{module}` is in no layer: add it to LAYERS (and to docs/ARCHITECTURE.md's picture)", file.path));
        }
    }
    let arrows = arrows(files);
    let found = upward(&arrows);
    for (from, to) in &found {
        if !known.upward.iter().any(|(f, t, _)| f == from && t == to) {
            out.push(format!("{from} -> {to}: an arrow from {} up to {}", top_module(from), top_module(to)));
        }
    }
    for (from, to, _) in known.upward {
        if !found.contains(&(from.to_string(), to.to_string())) {
            out.push(format!("{from} -> {to} is listed in KNOWN_UPWARD but no longer there: take it off the list"));
        }
    }
    let circles = circles(&arrows);
    for circle in &circles {
        if !known.circles.iter().any(|(files, _)| files.iter().copied().eq(circle.iter().map(String::as_str))) {
            out.push(format!("a circle of imports: {}", circle.join(", ")));
        }
    }
    for (files, _) in known.circles {
        if !circles.iter().any(|c| c.iter().map(String::as_str).eq(files.iter().copied())) {
            out.push(format!("the circle {} is listed in KNOWN_CIRCLES but no longer there: take it off the list", files.join(", ")));
        }
    }
    out
}

#[test]
fn imports_run_one_way() {
    let files = read_tree(Path::new(env!("CARGO_MANIFEST_DIR")));
    assert!(files.len() > 50, "the source tree was not found");
    let problems = problems(&files, &KNOWN);
    assert!(problems.is_empty(), "the imports of src/ break the layers (docs/ARCHITECTURE.md):\n{}\n", problems.join("\n"));
}

fn file(path: &str, text: &str) -> SourceFile {
    SourceFile { path: path.to_string(), module: module_of(path.trim_start_matches("src/")), text: text.to_string() }
}

#[test]
fn an_arrow_back_up_fails_the_check() {
    let files = vec![
        file("src/accounts/model.rs", "pub struct User;"),
        file("src/pages/model.rs", "use crate::accounts::model::User;\npub struct Page;"),
        file("src/error.rs", ""),
    ];
    assert_eq!(problems(&files, &NOTHING_KNOWN), Vec::<String>::new(), "pages may name accounts, below it");
    let mut back_up = files;
    back_up[0] = file("src/accounts/model.rs", "pub struct User { page: crate::pages::model::Page }");
    let found = problems(&back_up, &NOTHING_KNOWN);
    assert!(found.iter().any(|p| p == "src/accounts/model.rs -> src/pages/model.rs: an arrow from accounts up to pages"), "{found:?}");
    assert!(found.iter().any(|p| p.starts_with("a circle of imports: src/accounts/model.rs, src/pages/model.rs")), "{found:?}");
}

#[test]
fn a_module_of_one_layer_does_not_name_its_neighbour() {
    let files = vec![file("src/orders/model.rs", "use crate::registrations::model::Seat;"), file("src/registrations/model.rs", "pub struct Seat;")];
    assert_eq!(
        problems(&files, &NOTHING_KNOWN),
        vec!["src/orders/model.rs -> src/registrations/model.rs: an arrow from orders up to registrations".to_string()]
    );
}

#[test]
fn use_trees_super_paths_macros_and_comments_are_read_as_the_compiler_would() {
    let files = vec![
        file(
            "src/pages/backend/store.rs",
            r##"
            //! Mentions crate::orders::model in a comment, which is no import.
            use super::{super::model::Page, writer};
            use crate::{accounts::{model::User, guard}, error::AppError};
            const S: &str = "crate::billing::model";
            const R: &str = r#"crate::web::router"#;
            fn f() -> char { let _ = crate::db_write!(x); 'x' }
            #[cfg(test)]
            mod tests { use super::*; }
            "##,
        ),
        file("src/pages/backend/writer.rs", ""),
        file("src/pages/model.rs", ""),
        file("src/accounts/model.rs", ""),
        file("src/accounts/guard.rs", ""),
        file("src/error.rs", ""),
        file("src/infra/db/mod.rs", "#[macro_export] macro_rules! db_write { () => {} }"),
        file("src/orders/model.rs", ""),
    ];
    let arrows = arrows(&files);
    let from_store: Vec<&str> = arrows["src/pages/backend/store.rs"].iter().map(String::as_str).collect();
    assert_eq!(
        from_store,
        vec!["src/accounts/guard.rs", "src/accounts/model.rs", "src/error.rs", "src/infra/db/mod.rs", "src/pages/backend/writer.rs", "src/pages/model.rs"]
    );
}
