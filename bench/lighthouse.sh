#!/usr/bin/env bash
# Lighthouse on the web app's Now and Reports pages, for a user with a year
# of history (bench/setup.py year), signed in by cookie.
#
#   bench/lighthouse.sh
#
# Builds the release binary, serves a fresh SQLite file, installs Lighthouse
# (pinned) into target/lighthouse on first use, and runs it against
# Debian's Chromium with CHROME_PATH. Prints each page's performance,
# accessibility and best-practices scores and its paint timings; the full
# reports land in target/lighthouse/*.json.
set -euo pipefail
cd "$(dirname "$0")/.."

port=${HF_BENCH_PORT:-18082}
base="http://127.0.0.1:$port"
tools=target/lighthouse
work=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT

[ -x /usr/bin/chromium ] || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }
mkdir -p "$tools"
[ -x "$tools/node_modules/.bin/lighthouse" ] \
    || npm install --silent --no-audit --no-fund --prefix "$tools" lighthouse@12.8.2

cargo build --release --quiet
./target/release/hyperfocus serve --bind "127.0.0.1:$port" \
    --database-url "sqlite://$work/bench.db" --log warn --rate-limit off &
server=$!
for _ in $(seq 50); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.1; done

python3 bench/setup.py year "$base" "$work/year.txt"
read -r _ year_token < "$work/year.txt"
curl -sf -o /dev/null -c "$work/cookies.txt" --data-urlencode "token=$year_token" "$base/app/signin"
cookie="hf_session=$(awk '$6 == "hf_session" {print $7}' "$work/cookies.txt")"

for page in now:/app/ reports:/app/reports reports-year:'/app/reports?period=year'; do
    name=${page%%:*}
    CHROME_PATH=/usr/bin/chromium "$tools/node_modules/.bin/lighthouse" "$base${page#*:}" \
        --quiet --chrome-flags="--headless=new --no-sandbox --disable-gpu" \
        --only-categories=performance,accessibility,best-practices \
        --extra-headers "{\"Cookie\": \"$cookie\"}" \
        --output=json --output-path="$tools/$name.json"
    python3 - "$tools/$name.json" "$name" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
scores = {k: round(v["score"] * 100) for k, v in report["categories"].items()}
audits = report["audits"]
timings = {a: audits[a]["displayValue"].replace("\xa0", " ") for a in
           ["first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift"]}
print(sys.argv[2], scores, timings)
PY
done
