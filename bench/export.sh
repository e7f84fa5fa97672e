#!/usr/bin/env bash
# Export and import of ten years: 25,550 sessions, 255,500 interruptions.
#
#   bench/export.sh                 (HF_POSTGRES_URL=postgres://… adds PostgreSQL)
#
# Builds the release binary, serves a fresh SQLite file, registers a user
# and writes ten years of history straight into the file (7 sessions of
# 90 minutes a day, 10 interruptions each). Then downloads the export in
# each format with curl (time to first byte, total time, size) while
# recording the server's resident memory, and times Debian's sqlite3 CLI
# writing the same rows as CSV from the same file, as the yardstick. Then
# imports the NDJSON export into a new user (every rule checked) and, with
# HF_POSTGRES_URL, into a server on that (empty) PostgreSQL database, and
# exports it there too.
set -euo pipefail
cd "$(dirname "$0")/.."

port=${HF_BENCH_PORT:-18083}
base="http://127.0.0.1:$port"
work=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
command -v sqlite3 >/dev/null || { echo "sqlite3 is missing: apt-get install sqlite3" >&2; exit 1; }

cargo build --release --quiet
db="$work/bench.db"
./target/release/hyperfocus serve --bind "127.0.0.1:$port" --database-url "sqlite://$db" \
    --log warn --rate-limit off &
server=$!
for _ in $(seq 50); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.1; done

registered=$(curl -sf -H 'content-type: application/json' \
    -d '{"name": "Decade", "email": "decade@example.com", "timezone": "Europe/Madrid"}' "$base/users/")
user=$(echo "$registered" | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
token=$(echo "$registered" | python3 -c 'import json, sys; print(json.load(sys.stdin)["api_token"])')

# Ten years from 2015-01-05, 7 sessions a day 2 h apart, 10 interruptions
# of 2 minutes each, 8 minutes apart; types and notes vary.
sqlite3 "$db" <<SQL
.timeout 5000
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 25549)
INSERT INTO sessions (user_id, start_time, end_time, created_at)
SELECT $user, 1420444800 + (i / 7) * 86400 + (i % 7) * 7200,
       1420444800 + (i / 7) * 86400 + (i % 7) * 7200 + 5400,
       1420444800 + (i / 7) * 86400 + (i % 7) * 7200 FROM n;
WITH RECURSIVE k(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k WHERE j < 9)
INSERT INTO interruptions (session_id, user_id, kind, description, start_time, end_time, created_at)
SELECT s.id, $user,
       CASE (s.id + j) % 6 WHEN 0 THEN 'family' WHEN 1 THEN 'phone' WHEN 2 THEN 'noise'
                           WHEN 3 THEN 'self' WHEN 4 THEN 'urgent_task' ELSE 'unknown' END,
       CASE j % 3 WHEN 0 THEN '' WHEN 1 THEN 'a message' ELSE 'someone at the door' END,
       s.start_time + 300 + j * 480, s.start_time + 420 + j * 480, s.start_time + 300 + j * 480
FROM sessions s, k WHERE s.user_id = $user;
COMMIT;
SQL
echo "== rows: $(sqlite3 "$db" 'SELECT COUNT(*) FROM sessions') sessions, $(sqlite3 "$db" 'SELECT COUNT(*) FROM interruptions') interruptions"

rss() { awk '/VmRSS/ {print $2}' "/proc/$server/status"; }
peak() { awk '/VmHWM/ {print $2}' "/proc/$server/status"; }
curl -sf -o /dev/null -H "Authorization: Bearer $token" "$base/users/$user/export?to=2015-02-01"
for format in ndjson json csv; do
    before=$(rss)
    # The peak since start-up only grows: reset it (Linux ≥ 4.0).
    echo 5 > "/proc/$server/clear_refs" 2>/dev/null || true
    timings=$(curl -sf -o "$work/export.$format" -w '%{time_starttransfer} %{time_total} %{size_download}' \
        -H "Authorization: Bearer $token" "$base/users/$user/export?format=$format")
    read -r first total size <<<"$timings"
    echo "== export $format: first byte $(python3 -c "print(round($first * 1000, 1))") ms, whole $total s, $size bytes ($(python3 -c "print(round($size / $total / 1e6, 1))") MB/s), RSS $before kB before, peak $(peak) kB (+$(( $(peak) - before )) kB)"
done
tail -1 "$work/export.ndjson"

# The yardstick: the same rows, as CSV, by the sqlite3 CLI.
start=$(date +%s.%N)
sqlite3 -csv -header "$db" "SELECT s.id, s.start_time, s.end_time, i.id, i.kind, i.description, i.start_time, i.end_time
    FROM sessions s LEFT JOIN interruptions i ON i.session_id = s.id
    WHERE s.user_id = $user ORDER BY s.start_time, i.start_time, i.id" > "$work/sqlite3.csv"
end=$(date +%s.%N)
size=$(stat -c %s "$work/sqlite3.csv")
echo "== sqlite3 -csv, the same rows: $(python3 -c "print(round($end - $start, 3))") s, $size bytes ($(python3 -c "print(round($size / ($end - $start) / 1e6, 1))") MB/s)"

# Import: the NDJSON export into a new user of the same server.
import_into() { # BASE NAME [FORMAT] -> prints the timing line
    local base=$1 name=$2 format=${3:-ndjson} registered user token timings media=application/x-ndjson
    [ "$format" = csv ] && media=text/csv
    registered=$(curl -sf -H 'content-type: application/json' \
        -d "{\"name\": \"$name\", \"email\": \"$name@example.com\"}" "$base/users/")
    user=$(echo "$registered" | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
    token=$(echo "$registered" | python3 -c 'import json, sys; print(json.load(sys.stdin)["api_token"])')
    timings=$(curl -sf -o "$work/import.json" -w '%{time_total}' -H "Authorization: Bearer $token" \
        -H "content-type: $media" --data-binary "@$work/export.$format" "$base/users/$user/import")
    echo "== import ($format) into $name: $timings s: $(cat "$work/import.json")"
    echo "$user $token" > "$work/$name.txt"
}
import_into "$base" sqlite-copy
import_into "$base" sqlite-csv-copy csv

if [ -n "${HF_POSTGRES_URL:-}" ]; then
    pg_port=$((port + 1))
    # A PostgreSQL server starts only with a key; any will do for a run.
    ./target/release/hyperfocus serve --bind "127.0.0.1:$pg_port" --database-url "$HF_POSTGRES_URL" \
        --log warn --rate-limit off --secret-key "$(head -c 32 /dev/urandom | base64)" &
    pg_server=$!
    for _ in $(seq 50); do curl -sf "http://127.0.0.1:$pg_port/healthz" >/dev/null && break; sleep 0.1; done
    import_into "http://127.0.0.1:$pg_port" postgres-copy
    read -r pg_user pg_token < "$work/postgres-copy.txt"
    timings=$(curl -sf -o /dev/null -w '%{time_starttransfer} %{time_total} %{size_download}' \
        -H "Authorization: Bearer $pg_token" "http://127.0.0.1:$pg_port/users/$pg_user/export")
    read -r first total size <<<"$timings"
    echo "== PostgreSQL export ndjson: first byte $(python3 -c "print(round($first * 1000, 1))") ms, whole $total s, $size bytes"
    kill "$pg_server"
fi
