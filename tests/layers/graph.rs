//! The import graph of `src/`, read from the source text: which file names which through
//! `crate::…`, `$crate::…`, `super::…` and `self::…` paths (in `use` trees and inline), and through
//! exported macros (`crate::db_write!` is an arrow to the file that defines `db_write`).
//!
//! It is a reader, not a compiler: comments and string literals are skipped, a path is resolved to
//! the longest module prefix that is a file, and a name re-exported by a `mod.rs` is an arrow to
//! that `mod.rs`. That is what a person reading the imports sees, which is the point.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// One source file: where it is (relative to the crate root, e.g. `src/pages/model.rs`), its
/// module path (`["pages", "model"]`) and its text.
pub struct SourceFile {
    pub path: String,
    pub module: Vec<String>,
    pub text: String,
}

/// Arrows between files: `from` names something of `to`.
pub type Arrows = BTreeMap<String, BTreeSet<String>>;

/// Reads every `.rs` file under `root/src` except `main.rs` (the binary, which names the library
/// from outside).
pub fn read_tree(root: &Path) -> Vec<SourceFile> {
    let mut files = Vec::new();
    walk(&root.join("src"), &root.join("src"), &mut files);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

fn walk(dir: &Path, src: &Path, out: &mut Vec<SourceFile>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).expect("src is readable").map(|e| e.expect("a directory entry").path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(&path, src, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let relative = path.strip_prefix(src).expect("under src").to_string_lossy().replace('\\', "/");
            if relative == "main.rs" {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("a readable source file");
            out.push(SourceFile { path: format!("src/{relative}"), module: module_of(&relative), text });
        }
    }
}

/// `pages/public/view.rs` → `[pages, public, view]`; `pages/mod.rs` → `[pages]`; `lib.rs` → `[]`.
pub fn module_of(relative: &str) -> Vec<String> {
    let trimmed = relative.trim_end_matches(".rs");
    let mut parts: Vec<String> = trimmed.split('/').map(String::from).collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    parts
}

/// The arrows between the given files.
pub fn arrows(files: &[SourceFile]) -> Arrows {
    let by_module: BTreeMap<Vec<String>, String> = files.iter().map(|f| (f.module.clone(), f.path.clone())).collect();
    let macros = exported_macros(files);
    let mut arrows = Arrows::new();
    for file in files {
        let tokens = tokens(&file.text);
        let mut targets = BTreeSet::new();
        for path in paths(&tokens, &file.module) {
            if let Some(target) = resolve(&path, &by_module, &macros) {
                if target != file.path {
                    targets.insert(target);
                }
            }
        }
        arrows.insert(file.path.clone(), targets);
    }
    arrows
}

/// Files that define a `#[macro_export]` macro, by the macro's name.
fn exported_macros(files: &[SourceFile]) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    for file in files {
        let tokens = tokens(&file.text);
        for (i, t) in tokens.iter().enumerate() {
            if t.text == "macro_rules" && tokens.get(i + 1).is_some_and(|n| n.text == "!") {
                if let Some(name) = tokens.get(i + 2) {
                    found.insert(name.text.clone(), file.path.clone());
                }
            }
        }
    }
    found
}

/// The file a path lands in: the longest prefix of it that is a module with a file, or the file
/// that defines the exported macro it calls (`crate::db_write` followed by `!`).
fn resolve(path: &ModulePath, by_module: &BTreeMap<Vec<String>, String>, macros: &BTreeMap<String, String>) -> Option<String> {
    if path.is_macro && path.segments.len() == 1 {
        return macros.get(&path.segments[0]).cloned();
    }
    (0..=path.segments.len()).rev().find_map(|n| by_module.get(&path.segments[..n].to_vec()).cloned()).filter(|_| !path.segments.is_empty())
}

/// A path from the crate root, as resolved from `crate::`, `super::` or `self::`.
#[derive(Debug, PartialEq)]
pub struct ModulePath {
    pub segments: Vec<String>,
    /// The path is a macro call (`crate::name!`).
    pub is_macro: bool,
}

#[derive(Debug, Clone)]
pub struct Token {
    pub text: String,
}

/// Identifiers, `::` and single punctuation, with comments, strings and character literals left
/// out (their text is not code).
pub fn tokens(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let push = |out: &mut Vec<Token>, s: String| out.push(Token { text: s });
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if c == 'r' && (next == Some('"') || (next == Some('#') && raw_string_start(&chars, i + 1))) {
            // A raw string: r"…", r#"…"#, r##"…"##.
            let mut hashes = 0;
            i += 1;
            while chars.get(i) == Some(&'#') {
                hashes += 1;
                i += 1;
            }
            i += 1;
            while i < chars.len() {
                if chars[i] == '"' && (0..hashes).all(|k| chars.get(i + 1 + k) == Some(&'#')) {
                    i += 1 + hashes;
                    break;
                }
                i += 1;
            }
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
        } else if c == '\'' {
            // A character literal ('x', '\n', '\u{..}') or a lifetime ('a): only the first is skipped whole.
            if next == Some('\\') {
                i += 2;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if chars.get(i + 2) == Some(&'\'') {
                i += 3;
            } else {
                i += 1;
            }
        } else if c == '$' || c.is_alphabetic() || c == '_' {
            let start = i;
            i += 1;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            // `$crate` is `crate` as a macro writes it; other `$name`s are macro variables.
            push(&mut out, if word == "$crate" { "crate".to_string() } else { word });
        } else if c == ':' && next == Some(':') {
            push(&mut out, "::".to_string());
            i += 2;
        } else if c.is_whitespace() {
            i += 1;
        } else {
            push(&mut out, c.to_string());
            i += 1;
        }
    }
    out
}

fn raw_string_start(chars: &[char], mut i: usize) -> bool {
    while chars.get(i) == Some(&'#') {
        i += 1;
    }
    chars.get(i) == Some(&'"')
}

/// Every path that starts at `crate`, `super` or `self`, resolved from `module` (inline `mod x {`
/// blocks are followed, so `super::` inside a file's `mod tests` is the file itself), with `use`
/// trees expanded (`use crate::a::{b, c::d}` is two paths).
pub fn paths(tokens: &[Token], module: &[String]) -> Vec<ModulePath> {
    let mut found = Vec::new();
    // The module at each open brace: an inline `mod name {` goes one deeper.
    let mut scopes: Vec<Vec<String>> = vec![module.to_vec()];
    let mut braces: Vec<bool> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let t = tokens[i].text.as_str();
        let here = scopes.last().cloned().unwrap_or_default();
        match t {
            "{" => {
                let inline_mod = i >= 2 && tokens[i - 2].text == "mod";
                if inline_mod {
                    let mut inner = here.clone();
                    inner.push(tokens[i - 1].text.clone());
                    scopes.push(inner);
                }
                braces.push(inline_mod);
                i += 1;
            }
            "}" => {
                if braces.pop() == Some(true) {
                    scopes.pop();
                }
                i += 1;
            }
            "use" => {
                let end = (i..tokens.len()).find(|&k| tokens[k].text == ";").unwrap_or(tokens.len());
                for tree in expand_use(&tokens[i + 1..end]) {
                    if let Some(p) = anchored(&tree, &here) {
                        found.push(ModulePath { segments: p, is_macro: false });
                    }
                }
                i = end + 1;
            }
            "crate" | "super" | "self" if tokens.get(i + 1).is_some_and(|n| n.text == "::") && (i == 0 || tokens[i - 1].text != "::") => {
                let mut segments = vec![t.to_string()];
                let mut k = i + 1;
                while tokens.get(k).is_some_and(|n| n.text == "::") && tokens.get(k + 1).is_some_and(|n| is_ident(&n.text)) {
                    segments.push(tokens[k + 1].text.clone());
                    k += 2;
                }
                let is_macro = tokens.get(k).is_some_and(|n| n.text == "!");
                if let Some(p) = anchored(&segments, &here) {
                    found.push(ModulePath { segments: p, is_macro });
                }
                i = k;
            }
            _ => i += 1,
        }
    }
    found
}

fn is_ident(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_')
}

/// `crate::a::b` → `[a, b]`; `super::x` from `[p, q]` → `[p, x]`; `self::x` → `[p, q, x]`;
/// anything else (an outside crate) → `None`.
fn anchored(segments: &[String], here: &[String]) -> Option<Vec<String>> {
    let mut base: Vec<String>;
    let mut rest = segments;
    match segments.first().map(String::as_str) {
        Some("crate") => {
            base = Vec::new();
            rest = &segments[1..];
        }
        Some("self") => {
            base = here.to_vec();
            rest = &segments[1..];
        }
        Some("super") => {
            base = here.to_vec();
            while rest.first().is_some_and(|s| s == "super") {
                base.pop()?;
                rest = &rest[1..];
            }
        }
        _ => return None,
    }
    base.extend(rest.iter().filter(|s| s.as_str() != "self").cloned());
    Some(base)
}

/// The paths of a `use` tree (without `use` and `;`): `crate::a::{b, c::{d, e}}` →
/// `crate::a::b`, `crate::a::c::d`, `crate::a::c::e`. `as` renames and `*` end a path.
fn expand_use(tokens: &[Token]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut i = 0;
    expand_into(tokens, &mut i, Vec::new(), &mut out);
    out
}

fn expand_into(tokens: &[Token], i: &mut usize, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
    let mut path = prefix;
    while let Some(t) = tokens.get(*i).map(|t| t.text.as_str()) {
        match t {
            "{" => {
                *i += 1;
                while let Some(t) = tokens.get(*i).map(|t| t.text.as_str()) {
                    match t {
                        "}" => {
                            *i += 1;
                            return;
                        }
                        "," => *i += 1,
                        _ => expand_into(tokens, i, path.clone(), out),
                    }
                }
                return;
            }
            "," | "}" => break,
            "as" => *i += 2,
            "::" | "*" => *i += 1,
            _ => {
                path.push(t.to_string());
                *i += 1;
            }
        }
    }
    out.push(path);
}

/// The top-level module of a file: `src/pages/model.rs` → `pages`, `src/config.rs` → `config`,
/// `src/lib.rs` → `lib`.
pub fn top_module(path: &str) -> String {
    let relative = path.trim_start_matches("src/");
    let first = relative.split('/').next().unwrap_or(relative);
    first.trim_end_matches(".rs").to_string()
}

/// The groups of files that import each other in a loop (strongly connected components of more
/// than one file), each sorted, in a stable order.
pub fn circles(arrows: &Arrows) -> Vec<Vec<String>> {
    // Tarjan's algorithm, iterative enough for a few hundred files.
    struct Walk<'a> {
        arrows: &'a Arrows,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        next: usize,
        found: Vec<Vec<String>>,
    }
    fn visit<'a>(w: &mut Walk<'a>, v: &'a str) {
        w.index.insert(v, w.next);
        w.low.insert(v, w.next);
        w.next += 1;
        w.stack.push(v);
        w.on_stack.insert(v);
        for u in w.arrows.get(v).into_iter().flatten() {
            let u = u.as_str();
            if !w.index.contains_key(u) {
                visit(w, u);
                let low = w.low[u].min(w.low[v]);
                w.low.insert(v, low);
            } else if w.on_stack.contains(u) {
                let low = w.index[u].min(w.low[v]);
                w.low.insert(v, low);
            }
        }
        if w.low[v] == w.index[v] {
            let mut group = Vec::new();
            while let Some(u) = w.stack.pop() {
                w.on_stack.remove(u);
                group.push(u.to_string());
                if u == v {
                    break;
                }
            }
            if group.len() > 1 {
                group.sort();
                w.found.push(group);
            }
        }
    }
    let mut w = Walk { arrows, index: BTreeMap::new(), low: BTreeMap::new(), stack: Vec::new(), on_stack: BTreeSet::new(), next: 0, found: Vec::new() };
    for v in arrows.keys() {
        if !w.index.contains_key(v.as_str()) {
            visit(&mut w, v);
        }
    }
    w.found.sort();
    w.found
}
