#!/usr/bin/env bash
# How long a client command takes against a local server, whole process
# (start-up, config, one or two HTTP requests, output), with Watson's
# start-up (PyPI td-watson) as the anchor.
#
#   bench/client.sh            (HF_BENCH_RUNS=50 by default)
#
# Builds the release binary, serves a fresh SQLite file, fills a demo
# account with 90 days of history, signs the client in (its own XDG
# directories), and times with hyperfine:
#   status (a prompt's call), status --format, sessions, report, start
#   (a write; the session is cancelled between runs, outside the timing),
# against `watson status` on an empty Watson directory.
set -euo pipefail
cd "$(dirname "$0")/.."

port=${HF_BENCH_PORT:-18084}
runs=${HF_BENCH_RUNS:-50}
base="http://127.0.0.1:$port"
work=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
command -v hyperfine >/dev/null || { echo "hyperfine is missing: apt-get install hyperfine" >&2; exit 1; }
watson=${HF_WATSON:-$(command -v watson || true)}
if [ -z "$watson" ]; then
    python3 -m venv "$work/watson" && "$work/watson/bin/pip" -q install td-watson
    watson="$work/watson/bin/watson"
fi

cargo build --release --quiet
hf="$PWD/target/release/hyperfocus"
db="$work/bench.db"
"$hf" serve --bind "127.0.0.1:$port" --database-url "sqlite://$db" --log warn --rate-limit off &
server=$!
for _ in $(seq 50); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.1; done

token=$("$hf" demo --database-url "sqlite://$db" --days 90 | awk '/^token:/ {print $2}')
export XDG_CONFIG_HOME="$work/config" XDG_STATE_HOME="$work/state" WATSON_DIR="$work/watson-data"
"$hf" --server "$base" --token "$token" login
mkdir -p "$WATSON_DIR"

hyperfine --warmup 5 --runs "$runs" -N --ignore-failure \
    --export-json "$work/client.json" \
    -n "watson status" "$watson status" \
    -n "hyperfocus status" "$hf status" \
    -n "hyperfocus status --format" "$hf status --format '{state} {elapsed}'" \
    -n "hyperfocus sessions" "$hf sessions" \
    -n "hyperfocus report" "$hf report"
hyperfine --warmup 3 --runs "$runs" -N \
    --prepare "sh -c '$hf cancel --yes >/dev/null 2>&1 || true'" \
    --export-json "$work/start.json" \
    -n "hyperfocus start" "$hf start"
# The machine is shared: medians are the figures to quote.
python3 - "$work/client.json" "$work/start.json" <<'PY'
import json, sys
print("| command | median ms | mean ms | min ms | max ms |")
print("|---|---:|---:|---:|---:|")
for path in sys.argv[1:]:
    for r in json.load(open(path))["results"]:
        ms = lambda v: f"{v * 1000:.1f}"
        print(f"| `{r['command']}` | {ms(r['median'])} | {ms(r['mean'])} | {ms(r['min'])} | {ms(r['max'])} |")
PY
