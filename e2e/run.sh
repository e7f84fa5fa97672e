#!/usr/bin/env bash
# The web app in a real browser: Debian's Chromium driven by playwright-core
# (never `npx playwright install`, which downloads a browser).
#
#   e2e/run.sh [BINARY]      (default: target/debug/hyperfocus)
#
# Serves the binary on a fresh SQLite file and runs every e2e/*.test.mjs
# (each a journey file; e2e/lib.mjs holds what they share) with node's test
# runner, one file at a time. Screenshots of every page (390 px and 1280 px, light
# and dark) land in target/e2e/screenshots/, page weights in
# target/e2e/weights.txt.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
binary=$(realpath "${1:-$root/target/debug/hyperfocus}")
port=${HF_E2E_PORT:-18331}
out=$root/target/e2e
work=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT

[ -x /usr/bin/chromium ] || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }
(cd "$here" && { cmp -s package-lock.json node_modules/.package-lock.json 2>/dev/null || npm ci --silent --no-audit --no-fund; })

rm -rf "$out" && mkdir -p "$out/screenshots"
"$binary" serve --bind "127.0.0.1:$port" --database-url "sqlite://$work/e2e.db" --log warn &
server=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

HF_BASE="http://127.0.0.1:$port" HF_OUT="$out" node --test --test-concurrency=1 "$here"/*.test.mjs
