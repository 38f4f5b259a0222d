//! Tells the code whether this build of the browser code is split into wasm chunks loaded on
//! demand (`cargo leptos build --split`, `watch --split`, `serve --split`).
//!
//! A lazy island (`#[island(lazy)]`) imports its chunk through a module that only the splitting
//! step writes; in a build that was not split, the browser script names a module that does not
//! exist and nothing hydrates. cargo-leptos takes `--split` from the command line only, and its
//! one trace in the compile is the linker flag it adds for the wasm (`--emit-relocs`). So this
//! sets `cfg(wasm_split)` exactly then, and the islands are lazy only in a split build: the plain
//! `cargo leptos watch` / `serve` / `build` give a working app with one wasm file.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(wasm_split)");
    println!("cargo::rerun-if-env-changed=CARGO_ENCODED_RUSTFLAGS");
    let wasm = std::env::var("CARGO_CFG_TARGET_FAMILY").is_ok_and(|family| family.split(',').any(|f| f == "wasm"));
    let flags = std::env::var("CARGO_ENCODED_RUSTFLAGS").unwrap_or_default();
    if wasm && flags.split('\x1f').any(|flag| flag.contains("--emit-relocs")) {
        println!("cargo::rustc-cfg=wasm_split");
    }
}
