#!/usr/bin/env bash
# Webhook delivery on loopback: how fast the outbox drains, how long an
# event takes from its commit to the receiver, and what an endpoint costs
# the write path.
#
#   bench/webhooks.sh [SECONDS] [CONNECTIONS]   (defaults: 15 s, 16 connections)
#
# Builds the release binary and examples/webhook_receiver, serves a fresh
# SQLite file (HF_DATABASE_URL=postgres://… serves PostgreSQL instead),
# and runs three scenarios:
#   writes   POST /interruptions/ with wrk for 64 users without endpoints,
#            then for 64 users each with an endpoint subscribed to
#            `interruption.created`: requests/s of both, and their ratio;
#   drain    the deliveries those writes queued: deliveries/s from the
#            first receipt to the last;
#   latency  400 writes one at a time, 20 ms apart: commit (the outbox
#            row's created_at) to first receipt, p50/p90/p99.
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${1:-15}
connections=${2:-16}
threads=2
port=${HF_BENCH_PORT:-18080}
receiver_port=$((port + 10))
base="http://127.0.0.1:$port"
work=$(mktemp -d)
server= receiver=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; [ -n "$receiver" ] && kill "$receiver" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
cargo build --release --quiet --bin hyperfocus --example webhook_receiver
database=${HF_DATABASE_URL:-sqlite://$work/bench.db}
./target/release/examples/webhook_receiver "$receiver_port" &
receiver=$!
./target/release/hyperfocus serve --bind "127.0.0.1:$port" \
    --database-url "$database" --log warn --rate-limit off \
    --secret-key "$(head -c 32 /dev/urandom | base64)" \
    --webhook-allow-networks 127.0.0.0/8 &
server=$!
for _ in $(seq 50); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.1; done

python3 bench/setup.py writers "$base" 64 "$work/plain.txt" 0
python3 bench/setup.py writers "$base" 64 "$work/hooked.txt" 64 \
    "http://127.0.0.1:$receiver_port/hook"

rate() { sed -n 's/^Requests\/sec: *//p' "$1"; }
echo "== writes without an endpoint ($connections connections, ${duration}s)"
HF_USERS_FILE="$work/plain.txt" HF_THREADS=$threads TZ=UTC \
    wrk -t "$threads" -c "$connections" -d "${duration}s" --latency \
    -s bench/interruptions.lua "$base" | tee "$work/plain.out"
echo "== writes with an endpoint each ($connections connections, ${duration}s)"
HF_USERS_FILE="$work/hooked.txt" HF_THREADS=$threads TZ=UTC \
    wrk -t "$threads" -c "$connections" -d "${duration}s" --latency \
    -s bench/interruptions.lua "$base" | tee "$work/hooked.out"
python3 - "$(rate "$work/plain.out")" "$(rate "$work/hooked.out")" <<'PY'
import sys
plain, hooked = float(sys.argv[1]), float(sys.argv[2])
print(f"write path with an endpoint: {hooked:.0f}/s against {plain:.0f}/s without: {100 * hooked / plain:.1f} %")
PY

python3 bench/webhook_figures.py "$base" "$database" "http://127.0.0.1:$receiver_port" "$work/hooked.txt"
