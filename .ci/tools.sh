#!/usr/bin/env bash
# Installs what the build and the tests need, skipping whatever is already there.
#   .ci/tools.sh app    wasm32 target, cargo-leptos, the wasm-bindgen CLI matching Cargo.lock
#   .ci/tools.sh release  the above, plus wasm-opt (release builds)
#   .ci/tools.sh test   the above, plus s3s-fs, Chromium and the end-to-end npm packages
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/env.sh

want="${1:-app}"
CARGO_LEPTOS_VERSION=0.3.10
S3S_FS_VERSION=0.14.1
BINARYEN_VERSION=132.0.0
say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

if ! command -v cargo >/dev/null 2>&1; then
  echo "cargo is not on PATH: install Rust (rustup) first, then run this again." >&2
  exit 1
fi

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
rustup target list --installed | grep -qx wasm32-unknown-unknown || { echo "the wasm32-unknown-unknown target is missing and could not be added" >&2; exit 1; }

if [ "$(cargo leptos --version 2>/dev/null | awk '{print $2}')" != "$CARGO_LEPTOS_VERSION" ]; then
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 13 minutes on 2 cores, once)"
  cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --features no_downloads
fi

# The CLI must be exactly the wasm-bindgen version in Cargo.lock; cargo-leptos does not check.
bindgen_version=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$bindgen_version" ]; then
  say "installing wasm-bindgen-cli $bindgen_version (about 3 minutes, once)"
  # --locked fails here: the registry lacks one locked crate of wasm-bindgen-cli.
  cargo install wasm-bindgen-cli --version "$bindgen_version"
fi

# cargo-leptos optimises release wasm with binaryen's wasm-opt (the tests build the browser code as
# it ships). Debian's binaryen is too old for today's rustc output; npm has the current one.
if [ "$want" = "test" ] || [ "$want" = "release" ]; then
  if ! command -v wasm-opt >/dev/null 2>&1; then
    say "installing wasm-opt (binaryen $BINARYEN_VERSION from npm, under $FLASHPAGE_TOOLS)"
    npm install --prefix "$FLASHPAGE_TOOLS" --no-audit --no-fund --loglevel=error "binaryen@$BINARYEN_VERSION"
  fi
  command -v wasm-opt >/dev/null 2>&1 || { echo "wasm-opt is missing and could not be installed" >&2; exit 1; }
fi

if [ "$want" = "test" ]; then
  # A real S3-compatible server (it checks SigV4 signatures) for the object-storage tests.
  if [ "$(s3s-fs --version 2>/dev/null | awk '{print $2}')" != "$S3S_FS_VERSION" ]; then
    say "installing s3s-fs $S3S_FS_VERSION, the S3 test server (about 4 minutes, once)"
    cargo install s3s-fs --version "$S3S_FS_VERSION" --features binary --locked
  fi
  if [ ! -x /usr/bin/chromium ]; then
    say "installing Chromium from Debian's packages"
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null
  fi
  # A real SMTP server on loopback for the mail tests.
  if ! command -v aiosmtpd >/dev/null 2>&1; then
    say "installing aiosmtpd (the SMTP test server) from Debian's packages"
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq python3-aiosmtpd >/dev/null
  fi
  if ! command -v node >/dev/null 2>&1; then
    echo "node is not on PATH: install Node.js 20 or newer for the browser tests." >&2
    exit 1
  fi
  if [ ! -d end2end/node_modules/playwright-core ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
    say "installing the end-to-end test packages"
    (cd end2end && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
