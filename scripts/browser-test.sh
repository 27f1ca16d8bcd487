#!/usr/bin/env bash
# Real-browser tests of the portal: builds the CLI (unless CHENGXIN_BIN is set),
# makes a 3000-subject demo database in a temp dir, serves it on a free loopback
# port and runs `node --test tests/browser/` against it with Debian's chromium.
#
# Environment:
#   CHENGXIN_BIN        the chengxin binary to use (default: build target/debug/chengxin)
#   CARGO_TARGET_DIR    honoured when building
#   CHENGXIN_DEMO_SEED  demo generator seed (default 2026)
#   CHROMIUM_PATH       browser (default /usr/bin/chromium, installed with apt-get if missing)
# Exit code: the test runner's.
set -euo pipefail

started=$SECONDS
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

log() { printf 'browser-test: %s\n' "$*" >&2; }

# --- browser and fonts (Debian packages; playwright never downloads a browser) ---
apt_pkgs=()
if [[ ! -x /usr/bin/chromium ]]; then
  apt_pkgs+=(chromium)
fi
# Without a CJK font the pages still work but screenshots show boxes for Chinese.
if ! command -v fc-list >/dev/null 2>&1 || [[ -z "$(fc-list :lang=zh 2>/dev/null)" ]]; then
  apt_pkgs+=(fonts-noto-cjk)
fi
if ((${#apt_pkgs[@]})); then
  log "installing ${apt_pkgs[*]} with apt-get"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt_pkgs[@]}" >/dev/null
fi

# --- node dependencies (playwright-core only, from the lock file) ---
if [[ ! -d tests/browser/node_modules ]]; then
  log "npm ci in tests/browser"
  (cd tests/browser && npm ci --no-audit --no-fund)
fi

# --- the binary ---
if [[ -z "${CHENGXIN_BIN:-}" ]]; then
  log "building chengxin-cli (debug)"
  cargo build -q -p chengxin-cli
  CHENGXIN_BIN="${CARGO_TARGET_DIR:-target}/debug/chengxin"
fi
[[ -x "$CHENGXIN_BIN" ]] || { log "no executable at $CHENGXIN_BIN"; exit 2; }

# --- demo database and server ---
tmp="$(mktemp -d -t chengxin-browser.XXXXXX)"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$CHENGXIN_BIN" demo --subjects 3000 --no-serve --file "$tmp/demo.db" --seed "${CHENGXIN_DEMO_SEED:-2026}" >&2

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' 2>/dev/null \
    || echo $((20000 + RANDOM % 20000))
}

# Starts the server on a free port; returns 1 if it exits or stays silent for 30 s.
start_server() {
  port="$(free_port)"
  : >"$tmp/serve.log"
  "$CHENGXIN_BIN" serve --db "sqlite://$tmp/demo.db" --addr "127.0.0.1:$port" >"$tmp/serve.log" 2>&1 &
  server_pid=$!
  local deadline=$((SECONDS + 30))
  while ((SECONDS < deadline)); do
    if grep -q '^Open http' "$tmp/serve.log"; then
      return 0
    fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
      wait "$server_pid" 2>/dev/null || true
      server_pid=""
      return 1
    fi
    sleep 0.2
  done
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
  return 1
}

ok=""
for attempt in 1 2 3; do
  if start_server; then ok=1; break; fi
  log "server did not start on port $port (attempt $attempt):"
  sed 's/^/  /' "$tmp/serve.log" >&2
done
[[ -n "$ok" ]] || { log "giving up: the server did not start"; exit 1; }
url="http://127.0.0.1:$port"
log "serving the demo at $url"

# --- the tests ---
set +e
CHENGXIN_URL="$url" node --test tests/browser/
rc=$?
set -e
log "done in $((SECONDS - started)) s (exit $rc); screenshots in tests/browser/screenshots/"
exit "$rc"
