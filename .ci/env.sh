# Shared by the scripts: one cargo target directory outside the clone, reused by every clone and
# by CI when it exists (it is only a cache: a fresh machine simply starts with an empty one).
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/flashpage-target}"
# Node-installed tools (wasm-opt) live outside the clone too.
export FLASHPAGE_TOOLS="${FLASHPAGE_TOOLS:-$HOME/.cache/flashpage-tools}"
export PATH="$HOME/.cargo/bin:$FLASHPAGE_TOOLS/node_modules/.bin:$PATH"
