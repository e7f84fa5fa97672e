#!/usr/bin/env bash
# Checks /openapi.json as the people who feed it to tools will use it:
#  1. Redocly's recommended ruleset (with ../../redocly.yaml) and Spectral's
#     spectral:oas (with ../../.spectral.yaml) pass without errors;
#  2. openapi-python-client generates a client that passes `mypy --strict`,
#     and openapi-typescript + openapi-fetch one that passes `tsc --strict`;
#  3. each generated client runs a whole flow (flow.py, flow.ts) against the
#     real server on a fresh SQLite file.
#
#   tests/openapi/check.sh [BINARY]    (default: target/debug/hyperfocus)
#
# Every tool is pinned: package-lock.json and requirements.txt here.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
binary=$(realpath "${1:-$root/target/debug/hyperfocus}")
out=$root/target/openapi-clients
port=${HF_OPENAPI_PORT:-18321}
mkdir -p "$out"
work=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT

# Tools, installed once into target/ and node_modules/.
venv=$out/venv
if ! cmp -s "$here/requirements.txt" "$venv/requirements.txt" 2>/dev/null; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
    cp "$here/requirements.txt" "$venv/requirements.txt"
fi
(cd "$here" && { [ -d node_modules ] && cmp -s package-lock.json node_modules/.package-lock.json 2>/dev/null \
    || npm ci --silent --no-audit --no-fund; })

"$binary" openapi > "$out/openapi.json"

echo "== lint: redocly (recommended) and spectral (spectral:oas)"
(cd "$root" && NO_UPDATE_NOTIFIER=1 REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
    "$here/node_modules/.bin/redocly" lint --config redocly.yaml --format stylish "$out/openapi.json" 2>&1 \
    | grep -v -e '^\s*$' -e '║' -e '╔' -e '╚')
(cd "$root" && "$here/node_modules/.bin/spectral" lint --ruleset .spectral.yaml --fail-severity error "$out/openapi.json")

echo "== generate and type-check the Python client"
rm -rf "$out/python"
mkdir -p "$out/python"
PATH="$venv/bin:$PATH" "$venv/bin/openapi-python-client" generate --path "$out/openapi.json" --meta none \
    --config "$here/python-client.yaml" --output-path "$out/python/hyperfocus_client" >/dev/null
(cd "$out/python" && cp "$here/flow.py" . && "$venv/bin/mypy" --strict --no-incremental hyperfocus_client flow.py)

echo "== generate and type-check the TypeScript client"
mkdir -p "$here/generated"
"$here/node_modules/.bin/openapi-typescript" "$out/openapi.json" -o "$here/generated/schema.d.ts" >/dev/null
(cd "$here" && node_modules/.bin/tsc -p tsconfig.json)

echo "== run both flows against the real server"
"$binary" serve --bind "127.0.0.1:$port" --database-url "sqlite://$work/clients.db" --log error &
server=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
(cd "$out/python" && "$venv/bin/python" flow.py "http://127.0.0.1:$port")
node "$here/generated/flow.js" "http://127.0.0.1:$port"
