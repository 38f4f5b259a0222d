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

say "unit and integration tests (SQLite and PostgreSQL)"
cargo test --features ssr --locked

say "building the app for the browser tests"
cargo leptos build

say "browser tests (Chromium, with and without JavaScript)"
export FLASHPAGE_BIN="$CARGO_TARGET_DIR/debug/flashpage"
export FLASHPAGE_SITE_ROOT="$PWD/target/site"
node --test --test-concurrency=1 end2end/tests/
