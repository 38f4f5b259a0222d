#!/usr/bin/env bash
# Runs every test: unit and HTTP integration tests on SQLite and PostgreSQL, then the browser tests
# against the built app. This is the README's test command and what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/env.sh

.ci/tools.sh test

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

if [ "${CI:-}" = "true" ] && ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  say "PostgreSQL is not answering on 127.0.0.1:5432; trying to start it"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
fi

# Tests that need a service that is missing are left out by name and reported as skipped, with
# the reason, at the end; they never pass without running. In CI nothing may be left out.
skip_args=()
skipped=()
if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null && [ -z "${TEST_POSTGRES_URL:-}" ]; then
  [ "${CI:-}" = "true" ] && { echo "PostgreSQL is required in CI but is not answering on 127.0.0.1:5432" >&2; exit 1; }
  skip_args+=(--skip postgres)
  skipped+=("every PostgreSQL test: no server answers on 127.0.0.1:5432 (start it, or set TEST_POSTGRES_URL)")
fi
if ! command -v s3s-fs >/dev/null 2>&1; then
  [ "${CI:-}" = "true" ] && { echo "s3s-fs is required in CI (.ci/tools.sh test installs it)" >&2; exit 1; }
  skip_args+=(--skip s3_)
  skipped+=("the S3 storage tests: s3s-fs is not installed (.ci/tools.sh test installs it)")
fi

if ! command -v aiosmtpd >/dev/null 2>&1; then
  [ "${CI:-}" = "true" ] && { echo "aiosmtpd is required in CI (.ci/tools.sh test installs it)" >&2; exit 1; }
  skip_args+=(--skip smtp_)
  skipped+=("the SMTP mail tests: aiosmtpd is not installed (.ci/tools.sh test installs it)")
fi

say "formatting and lints (rustfmt.toml, Cargo.toml's [lints])"
cargo fmt --check
cargo clippy --all-targets --features ssr --locked -- -D warnings

say "unit and integration tests (SQLite and PostgreSQL)"
cargo test --features ssr --locked -- "${skip_args[@]}"

say "building the server for the browser tests, as tested above"
cargo leptos build --server-only

say "the plain build works: browser code built as cargo leptos watch/serve/build do (no --split)"
export FLASHPAGE_BIN="$CARGO_TARGET_DIR/debug/flashpage"
LEPTOS_SITE_ROOT=target/site-unsplit cargo leptos build --frontend-only
FLASHPAGE_SITE_ROOT="$PWD/target/site-unsplit" FLASHPAGE_HASH_FILE="$CARGO_TARGET_DIR/debug/hash.txt" \
  node --test --test-concurrency=1 end2end/unsplit/

say "building the browser code as deployed"
# The visitor's download is measured against its budget (end2end/tests/first-visit.test.mjs), so
# the wasm, script and stylesheet are built exactly as they ship: release, precompressed, split.
cargo leptos build --release --frontend-only --precompress --split

say "browser tests (Chromium, with and without JavaScript)"
export FLASHPAGE_SITE_ROOT="$PWD/target/site"
# The asset names' hashes, written by the release front-end build next to the release binary.
export FLASHPAGE_HASH_FILE="$CARGO_TARGET_DIR/release/hash.txt"
node --test --test-concurrency=1 end2end/tests/

if [ "${#skipped[@]}" -gt 0 ]; then
  say "SKIPPED (shown as 'filtered out' in cargo's counts above), not passed:"
  for reason in "${skipped[@]}"; do echo "  - $reason"; done
fi
