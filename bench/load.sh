#!/usr/bin/env bash
# Load test on loopback: the write path, the banner, and the reports.
#
#   bench/load.sh [SECONDS] [CONNECTIONS]     (defaults: 15 s, 16 connections)
#
# Builds the release binary, serves a fresh SQLite file, creates 64 users with
# an active session each, then drives POST /interruptions/ and GET / with wrk
# (Debian package `wrk`). Then creates a user with a year of history (250
# sessions, 2,500 interruptions) and drives year-long reports. Prints wrk's
# reports (requests/s, latency percentiles, non-2xx responses), the rows
# written, and the server's peak RSS. Rate limiting is off unless
# HF_RATE_LIMIT sets it (e.g. HF_RATE_LIMIT=1000000/s, high enough never to
# refuse, to measure what counting costs). HF_BINARY serves another build
# (e.g. an earlier release, to compare in one run) instead of building this
# tree's; HF_SCENARIOS picks among `writes banner reports` (default all).
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${1:-15}
connections=${2:-16}
threads=2
port=${HF_BENCH_PORT:-18080}
base="http://127.0.0.1:$port"
work=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
scenarios=${HF_SCENARIOS:-writes banner reports web}
binary=${HF_BINARY:-}
if [ -z "$binary" ]; then
    cargo build --release --quiet
    binary=./target/release/hyperfocus
fi
"$binary" serve --bind "127.0.0.1:$port" \
    --database-url "sqlite://$work/bench.db" --log warn \
    --rate-limit "${HF_RATE_LIMIT:-off}" &
server=$!
for _ in $(seq 50); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.1; done

python3 bench/setup.py writers "$base" 64 "$work/users.txt"

# HF_PROFILE=FILE records a system-wide perf profile of the write scenario.
if [ -n "${HF_PROFILE:-}" ]; then
    (sleep 2; perf record -F 999 -g -a -o "$HF_PROFILE" -- sleep 5 >/dev/null 2>&1) &
fi
if [[ " $scenarios " == *" writes "* ]]; then
    echo "== POST /interruptions/ ($connections connections, ${duration}s)"
    HF_USERS_FILE="$work/users.txt" HF_THREADS=$threads TZ=UTC \
        wrk -t "$threads" -c "$connections" -d "${duration}s" --latency \
        -s bench/interruptions.lua "$base"
fi

if [[ " $scenarios " == *" banner "* ]]; then
    echo "== GET / ($connections connections, ${duration}s)"
    wrk -t "$threads" -c "$connections" -d "${duration}s" --latency "$base/"
fi

if [[ " $scenarios " == *" reports "* || " $scenarios " == *" web "* ]]; then
    python3 bench/setup.py year "$base" "$work/year.txt"
    read -r year_user year_token < "$work/year.txt"
fi

if [[ " $scenarios " == *" reports "* ]]; then
    for report in summary productive-hours weekly-pattern overview; do
        echo "== GET /users/{id}/stats/$report?range=365d over a year ($connections connections, ${duration}s)"
        wrk -t "$threads" -c "$connections" -d "${duration}s" --latency \
            -H "Authorization: Bearer $year_token" "$base/users/$year_user/stats/$report?range=365d"
    done
fi

# Runs wrk with the given arguments and adds the server's CPU time per
# request (from /proc), which varies less than the rate on a shared machine.
wrk_with_cpu() {
    local tick before after output count
    tick=$(getconf CLK_TCK)
    before=$(awk '{print $14 + $15}' "/proc/$server/stat")
    output=$(wrk "$@")
    after=$(awk '{print $14 + $15}' "/proc/$server/stat")
    echo "$output"
    count=$(echo "$output" | awk '/requests in/ {print $1}')
    echo "Server CPU per request: $(( (after - before) * 1000000 / tick / count )) µs"
}

if [[ " $scenarios " == *" web "* ]]; then
    # A browser session for the year's user, signed in with its token.
    curl -sf -o /dev/null -c "$work/cookies.txt" --data-urlencode "token=$year_token" "$base/app/signin"
    cookie="hf_session=$(awk '$6 == "hf_session" {print $7}' "$work/cookies.txt")"
    for round in 1 2 3; do
        echo "== round $round: GET /app/reports?period=year, the whole page ($connections connections, ${duration}s)"
        wrk_with_cpu -t "$threads" -c "$connections" -d "${duration}s" --latency \
            -H "Cookie: $cookie" "$base/app/reports?period=year"
        echo "== round $round: GET /users/{id}/stats/overview?range=365d, the same user ($connections connections, ${duration}s)"
        wrk_with_cpu -t "$threads" -c "$connections" -d "${duration}s" --latency \
            -H "Authorization: Bearer $year_token" "$base/users/$year_user/stats/overview?range=365d"
    done
    echo "== GET /app/reports (this week, beside the last 365 days' calendar)"
    wrk_with_cpu -t "$threads" -c "$connections" -d "${duration}s" -H "Cookie: $cookie" "$base/app/reports"
fi

rows=$(sqlite3 "$work/bench.db" "SELECT COUNT(*) FROM interruptions" 2>/dev/null || echo "?")
echo "== interruptions stored: $rows"
echo "== server peak RSS: $(awk '/VmHWM/ {print $2, $3}' "/proc/$server/status")"
