#!/usr/bin/env bash
# Does one abusive client slow the others? On loopback, behind a pretend
# proxy (--client-ip-header X-Forwarded-For, so that the two clients have
# different addresses):
#
#   bench/abuse.sh [SECONDS]     (default 10)
#
# A polite client logs 20 interruptions a second (bench/polite_client.py)
# three times: alone; while an abusive client (wrk, 16 connections, one
# token) asks for year-long reports as fast as it can, under the default
# rate limit; and the same with rate limiting off. Prints the polite
# client's statuses and latencies, and what the abusive client got.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-10}
port=${HF_BENCH_PORT:-18090}
base="http://127.0.0.1:$port"
work=$(mktemp -d)
server=
trap 'kill $server 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
cargo build --release --quiet

serve() {
    ./target/release/hyperfocus serve --bind "127.0.0.1:$port" --log warn \
        --database-url "sqlite://$work/abuse.db" --client-ip-header x-forwarded-for --rate-limit "$1" &
    server=$!
    for _ in $(seq 50); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.1; done
}

stop() { kill $server; wait $server 2>/dev/null || true; }

polite() { python3 bench/polite_client.py 127.0.0.1 "$port" 20 "$seconds" 198.51.100.7; }

abuse() {
    wrk -t1 -c16 -d"${seconds}s" -H "authorization: Bearer $year_token" \
        -H 'x-forwarded-for: 203.0.113.66' "$base/users/$year_user/stats/overview?range=365d" \
        | grep -E 'Requests/sec|Non-2xx|requests in'
}

beside_abuser() {
    echo "== beside an abusive client (rate limit $1)"
    serve "$1"
    abuse > "$work/abuser.txt" &
    local abuser=$!
    polite
    wait $abuser
    sed 's/^/abusive client: /' "$work/abuser.txt"
    stop
}

# The abusive client's user: a year of history (250 sessions, 2,500
# interruptions), written with the limit off.
serve off
python3 bench/setup.py year "$base" "$work/year.txt"
read -r year_user year_token < "$work/year.txt"
stop

echo "== alone (rate limit 100/s,burst=200)"
serve 100/s,burst=200
polite
stop
beside_abuser 100/s,burst=200
beside_abuser off
