#!/usr/bin/env bash
# Does a storm of sign-ins slow the write path? Password checks (argon2id,
# 19 MiB and tens of milliseconds each) run off the async threads behind a
# semaphore (--password-hashers, default half the cores), so they should
# not.
#
#   bench/login_storm.sh [SECONDS] [STORM_CONNECTIONS]    (defaults: 15 s, 200)
#
# Serves a fresh SQLite file, then drives POST /interruptions/ with wrk (16
# connections) twice: alone, and beside a storm of wrong-password sign-ins
# (bench/login.lua), each for a new email from a new address so that no
# throttle cuts it short. Prints the writes' rate and latency percentiles
# both times, and the storm's sign-ins per second.
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${1:-15}
storm=${2:-200}
port=${HF_BENCH_PORT:-18082}
base="http://127.0.0.1:$port"
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
binary=${HF_BINARY:-}
if [ -z "$binary" ]; then
    cargo build --release --quiet
    binary=./target/release/hyperfocus
fi
"$binary" serve --bind "127.0.0.1:$port" --database-url "sqlite://$work/bench.db" --log error \
    --rate-limit off --client-ip-header X-Forwarded-For &
server=$!
for _ in $(seq 50); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.1; done
python3 bench/setup.py writers "$base" 64 "$work/users.txt"

writes() {
    HF_USERS_FILE="$work/users.txt" HF_THREADS=1 HF_FIRST_SLOT=$1 TZ=UTC \
        wrk -t 1 -c 16 -d "${duration}s" --latency -s bench/interruptions.lua "$base"
}

echo "== POST /interruptions/ alone (16 connections, ${duration}s)"
writes 0
echo "== POST /interruptions/ beside $storm connections of wrong-password sign-ins"
wrk -t 1 -c "$storm" -d "$((duration + 2))s" --timeout 60s -s bench/login.lua "$base" > "$work/storm.txt" &
storming=$!
sleep 1
writes 100000
wait "$storming"
echo "== the storm: POST /auth/login ($storm connections)"
grep -E "Requests/sec|Non-2xx|Latency|timeout" "$work/storm.txt"
