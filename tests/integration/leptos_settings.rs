//! Leptos.toml (read by a deployed server) agrees with cargo-leptos's settings in Cargo.toml.

use std::collections::BTreeMap;

/// The key = value pairs of the `[package.metadata.leptos]` section.
fn leptos_section(text: &str) -> BTreeMap<String, String> {
    let mut inside = false;
    let mut out = BTreeMap::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            inside = line == "[package.metadata.leptos]";
            continue;
        }
        if !inside || line.starts_with('#') || line.is_empty() {
            continue;
        }
        if let Some((k, v)) = line.split_once('=') {
            out.insert(k.trim().to_string(), v.trim().trim_matches('"').to_string());
        }
    }
    out
}

#[test]
fn leptos_toml_matches_cargo_toml() {
    let root = env!("CARGO_MANIFEST_DIR");
    let cargo = leptos_section(&std::fs::read_to_string(format!("{root}/Cargo.toml")).expect("Cargo.toml"));
    let runtime = leptos_section(&std::fs::read_to_string(format!("{root}/Leptos.toml")).expect("Leptos.toml"));
    assert!(!runtime.is_empty(), "Leptos.toml has a [package.metadata.leptos] section");
    for key in ["output-name", "hash-files", "site-root", "site-pkg-dir", "site-addr", "reload-port"] {
        assert_eq!(runtime.get(key), cargo.get(key), "{key} differs between Leptos.toml and Cargo.toml");
    }
    // The deployed server runs in production mode; cargo-leptos's dev loop sets DEV itself.
    assert_eq!(runtime.get("env").map(String::as_str), Some("PROD"));
    // Every runtime key is one cargo-leptos knows too (no typo silently ignored).
    for key in runtime.keys().filter(|k| *k != "env") {
        assert!(cargo.contains_key(key), "Leptos.toml key {key} is not in Cargo.toml");
    }
}
