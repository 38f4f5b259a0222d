# Shared by the scripts: one cargo target directory outside the clone, reused by every clone and
# by CI when it exists (it is only a cache: a fresh machine simply starts with an empty one).
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/flashpage-target}"
export PATH="$HOME/.cargo/bin:$PATH"
