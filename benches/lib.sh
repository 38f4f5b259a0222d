# Shared by the benches: the release server, a work folder, the app started on a database, and
# the JSON API as a signed-in creator. Sourced, not run.
DURATION="${BENCH_DURATION:-10}"

if ! command -v wrk >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
echo "==> release build of the server"
cargo build --release --features ssr --bin flashpage
bin="$CARGO_TARGET_DIR/release/flashpage"

work=$(mktemp -d)
cleanup() { [ -n "${app_pid:-}" ] && kill "$app_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# Starts the app on $1 (a DATABASE_URL, or empty for SQLite in the work folder).
start_app() {
  app_port=$(free_port)
  base="http://127.0.0.1:$app_port"
  rm -rf "$work/data"
  DATA_DIR="$work/data" DATABASE_URL="$1" LEPTOS_SITE_ADDR="127.0.0.1:$app_port" LEPTOS_SITE_ROOT="$PWD/target/site" \
    LEPTOS_OUTPUT_NAME=flashpage LEPTOS_HASH_FILES=false RUST_LOG=warn DB_MAX_CONNECTIONS=16 "$bin" >"$work/app.log" 2>&1 &
  app_pid=$!
  for _ in $(seq 1 100); do curl -sf "$base/healthz" >/dev/null && return; sleep 0.2; done
  echo "the app did not start:"; cat "$work/app.log"; exit 1
}
stop_app() { kill "$app_pid"; wait "$app_pid" 2>/dev/null || true; app_pid=; }

jar="$work/cookies"
api() { curl -sf -b "$jar" -c "$jar" -H 'accept: application/json' -H "origin: $base" "$base/api/$1" "${@:2}"; }

# Signs up as a new creator and confirms the account through the mailed link (the app writes its
# mail as .eml files under DATA_DIR/mail; the sender runs every two seconds), leaving the session
# in the cookie jar.
signup() {
  local email="bench$RANDOM$RANDOM@example.com" token=""
  api signup --data-urlencode name=Bench --data-urlencode "email=$email" --data-urlencode 'password=correct horse battery staple' >/dev/null
  for _ in $(seq 1 100); do
    token=$(grep -l "To: $email" "$work"/data/mail/*.eml 2>/dev/null | head -n 1 | xargs -r cat | tr -d '\r' | sed -e ':a' -e '/=$/{N;s/=\n//;ba}' \
      | grep -oE 'confirm-account/[A-Za-z0-9_-]{43}' | head -n 1 | cut -d/ -f2 || true)
    [ -n "$token" ] && break
    sleep 0.2
  done
  [ -n "$token" ] || { echo "no confirmation mail arrived for $email"; cat "$work/app.log"; exit 1; }
  api account/confirm --data-urlencode "token=$token" >/dev/null
}
