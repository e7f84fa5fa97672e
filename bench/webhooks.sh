#!/usr/bin/env bash
# Webhook delivery on loopback: what an endpoint costs the write path, how
# fast deliveries go out, and how long an event takes from its commit to
# the receiver.
#
#   bench/webhooks.sh [SECONDS] [CONNECTIONS]   (defaults: 15 s, 16 connections)
#
# Builds the release binary and examples/webhook_receiver, serves a fresh
# SQLite file (HF_DATABASE_URL=postgres://… serves PostgreSQL instead) and
# drives POST /interruptions/ with wrk for 64 users:
#   1. with --no-webhook-deliveries: users without endpoints, then users
#      each with an endpoint subscribed to `interruption.created` — the
#      write path alone, with and without its outbox rows;
#   2. the same server restarted with deliveries on: the backlog of step 1
#      drained to the receiver — deliveries/s;
#   3. users with endpoints while deliveries run beside the writes, the
#      receiver on the same cores — writes/s and deliveries/s together;
#   4. 400 writes one at a time, 20 ms apart — commit to receipt.
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
key=$(head -c 32 /dev/urandom | base64)
serve() {
    ./target/release/hyperfocus serve --bind "127.0.0.1:$port" \
        --database-url "$database" --log warn --rate-limit off --secret-key "$key" \
        --webhook-allow-networks 127.0.0.0/8 "$@" &
    server=$!
    for _ in $(seq 50); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.1; done
}
writes() {  # USERS_FILE FIRST_SLOT OUT
    HF_USERS_FILE="$1" HF_FIRST_SLOT="$2" HF_THREADS=$threads TZ=UTC \
        wrk -t "$threads" -c "$connections" -d "${duration}s" --latency \
        -s bench/interruptions.lua "$base" | tee "$3"
}
rate() { sed -n 's/^Requests\/sec: *//p' "$1"; }
ratio() { python3 -c "import sys; print(f'{100 * float(sys.argv[1]) / float(sys.argv[2]):.1f} %')" "$1" "$2"; }

./target/release/examples/webhook_receiver "$receiver_port" &
receiver=$!
serve --no-webhook-deliveries
python3 bench/setup.py writers "$base" 64 "$work/plain.txt" 0
python3 bench/setup.py writers "$base" 64 "$work/hooked.txt" 64 \
    "http://127.0.0.1:$receiver_port/hook"

echo "== 1. writes without an endpoint ($connections connections, ${duration}s)"
writes "$work/plain.txt" 0 "$work/plain.out"
echo "== 1. writes with an endpoint each, deliveries paused"
writes "$work/hooked.txt" 0 "$work/hooked.out"
echo "write path with an endpoint: $(rate "$work/hooked.out")/s against $(rate "$work/plain.out")/s without: $(ratio "$(rate "$work/hooked.out")" "$(rate "$work/plain.out")")"

echo "== 2. the backlog delivered"
kill "$server"; wait "$server" 2>/dev/null || true
serve
python3 bench/webhook_figures.py drain "$database" "http://127.0.0.1:$receiver_port"

echo "== 3. writes with an endpoint each while deliveries run"
since=$(date +%s%3N)
writes "$work/hooked.txt" 200000 "$work/both.out"
echo "writes beside their deliveries: $(rate "$work/both.out")/s ($(ratio "$(rate "$work/both.out")" "$(rate "$work/plain.out")") of writes alone)"
python3 bench/webhook_figures.py drain "$database" "http://127.0.0.1:$receiver_port" "$since"

python3 bench/webhook_figures.py latency "$base" "$database" "http://127.0.0.1:$receiver_port" "$work/hooked.txt"
