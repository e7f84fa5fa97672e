#!/usr/bin/env bash
# Two HyperFocus processes on one PostgreSQL database, loaded together.
#
#   bench/scale_out.sh [SECONDS]      (default 10 s per phase)
#
# Needs PostgreSQL (HYPERFOCUS_PG_ADMIN_URL, default
# postgres://postgres@127.0.0.1:5432/postgres) and wrk. It:
#  1. creates a fresh database and starts processes A and B on loopback ports;
#  2. drives POST /interruptions/ at A alone, then at A and B together
#     (16 connections in all, users split between them), printing requests/s;
#  3. checks that every acknowledged write is stored, and that 20 starts for
#     one user sent at A and B at once give exactly one session;
#  4. exits non-zero if a check fails.
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${1:-10}
admin=${HYPERFOCUS_PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
server=${admin%/*}
db=hf_scale_out
url="$server/$db"
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
psql "$admin" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
cargo build --release --quiet

# Both processes seal webhook secrets under one key, as a deployment must.
key=$(head -c 32 /dev/urandom | base64)
start() { # port
    ./target/release/hyperfocus serve --bind "127.0.0.1:$1" --database-url "$url" --log warn --rate-limit off \
        --secret-key "$key" &
    pids+=($!)
    for _ in $(seq 50); do curl -sf "http://127.0.0.1:$1/readyz" >/dev/null && return; sleep 0.1; done
    echo "process on port $1 did not become ready" >&2; exit 1
}
start 18101
start 18102

python3 bench/setup.py writers http://127.0.0.1:18101 64 "$work/users.txt"
head -n 32 "$work/users.txt" > "$work/a.txt"
tail -n 32 "$work/users.txt" > "$work/b.txt"

load() { # users_file port connections [first_slot] -> wrk report
    HF_USERS_FILE="$1" HF_THREADS=1 HF_FIRST_SLOT="${4:-0}" TZ=UTC wrk -t 1 -c "$3" -d "${duration}s" \
        -s bench/interruptions.lua "http://127.0.0.1:$2"
}
acknowledged() { # wrk report -> 2xx responses
    local total non2xx
    total=$(awk '/requests in/ {print $1}' "$1")
    non2xx=$(awk '/Non-2xx/ {print $5}' "$1")
    echo $((total - ${non2xx:-0}))
}

echo "== one process: POST /interruptions/ at A, 16 connections"
load "$work/users.txt" 18101 16 | tee "$work/one.txt" | grep -E "Requests/sec|Non-2xx|Latency " || true
stored_before=$(psql "$url" -Atc "SELECT count(*) FROM interruptions")

echo "== two processes: A and B, 8 connections each"
load "$work/a.txt" 18101 8 500000 > "$work/two-a.txt" &
load_a=$!
load "$work/b.txt" 18102 8 500000 > "$work/two-b.txt"
wait "$load_a"
grep -E "Requests/sec|Non-2xx" "$work/two-a.txt" | sed 's/^/A: /'
grep -E "Requests/sec|Non-2xx" "$work/two-b.txt" | sed 's/^/B: /'
two=$(awk '/Requests\/sec/ {s += $2} END {printf "%.0f", s}' "$work/two-a.txt" "$work/two-b.txt")
echo "two processes together: $two requests/s"

acked=$(( $(acknowledged "$work/one.txt") + $(acknowledged "$work/two-a.txt") + $(acknowledged "$work/two-b.txt") ))
stored=$(psql "$url" -Atc "SELECT count(*) FROM interruptions")
echo "== acknowledged writes: $acked, stored: $stored (after phase one: $stored_before)"
[ "$stored" -ge "$acked" ] || { echo "FAIL: acknowledged writes are missing" >&2; exit 1; }

echo "== 20 simultaneous starts for one user, alternating A and B"
python3 - <<'PY'
import json, sys, threading, urllib.request, urllib.error
def call(port, method, path, body=None, token=None):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method,
                                 data=json.dumps(body).encode() if body is not None else None)
    req.add_header("content-type", "application/json")
    if token: req.add_header("authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req) as r: return r.status, json.load(r)
    except urllib.error.HTTPError as e: return e.code, json.load(e)
_, user = call(18101, "POST", "/users/", {"name": "Race", "email": "race@example.com"})
statuses, barrier = [], threading.Barrier(20)
def start(k):
    barrier.wait()
    statuses.append(call(18101 + k % 2, "POST", "/sessions/start", {}, user["api_token"])[0])
threads = [threading.Thread(target=start, args=(k,)) for k in range(20)]
[t.start() for t in threads]; [t.join() for t in threads]
print("statuses:", sorted(statuses))
sys.exit(0 if sorted(statuses) == [201] + [400] * 19 else 1)
PY
doubled=$(psql "$url" -Atc "SELECT count(*) FROM (SELECT user_id FROM sessions WHERE end_time IS NULL GROUP BY user_id HAVING count(*) > 1) t")
[ "$doubled" -eq 0 ] || { echo "FAIL: $doubled users have two active sessions" >&2; exit 1; }
echo "PASS: no acknowledged write missing; one active session per user across processes"
