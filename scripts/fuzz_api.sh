#!/usr/bin/env bash
# Fuzzes a live server against its own OpenAPI document with schemathesis.
#
#   scripts/fuzz_api.sh [BINARY] [MAX_EXAMPLES]    (defaults: release build, 200)
#
# HF_FUZZ_SEED fixes schemathesis's seed, so that a run can be repeated.
#
# Every operation gets valid and invalid data; a 5xx, a response that breaks
# the documented schema or status codes, or a schema-violating request that
# is accepted fails the run. Two checks are left out on purpose:
# - positive_data_acceptance: the API validates more than a schema can say
#   (IANA time zones, real calendar dates, opaque cursors), so some
#   schema-valid inputs are rightly answered 422;
# - rotate_token, delete_token and delete_user: they would revoke the token
#   the run uses;
# - get_events: a live stream never ends, so no response would ever be whole
#   (tests/api/live.rs covers it).
set -euo pipefail
cd "$(dirname "$0")/.."

binary=${1:-target/release/hyperfocus}
examples=${2:-200}
port=${HF_FUZZ_PORT:-18311}
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT

# Pinned: fuzz_api.toml uses settings of this release.
schemathesis=4.32.5
venv=target/ci-venv
"$venv/bin/schemathesis" --version 2>/dev/null | grep -qF "$schemathesis" || {
    [ -x "$venv/bin/pip" ] || python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$schemathesis"
}

# HF_FUZZ_LOG=info logs every request the fuzzer sends, with its status.
"$binary" serve --bind "127.0.0.1:$port" --database-url "sqlite://$work/fuzz.db" --log "${HF_FUZZ_LOG:-error}" \
    --rate-limit off &
server=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
token=$(curl -sf -X POST "http://127.0.0.1:$port/users/" -H 'content-type: application/json' \
    -d '{"name": "Fuzz", "email": "fuzz@example.com"}' | python3 -c 'import json, sys; print(json.load(sys.stdin)["api_token"])')

# Data for the generated ids to find, since the low ids are the ones the
# generators try first: session 1 (ended) with interruptions 1 and 2, and
# session 2 (active) with interruption 3. Nothing is left open, so that a
# generated interruption without times (it starts now) can be logged in
# session 2, and then closed.
seed() {
    curl -sf -o /dev/null -X POST "http://127.0.0.1:$port$1" -H "Authorization: Bearer $token" \
        -H 'content-type: application/json' -d "$2"
}
seed /sessions/start '{"start_time": "2025-11-15T09:00:00Z"}'
seed /interruptions/ '{"session_id": 1, "type": "phone", "start_time": "2025-11-15T09:30:00Z", "end_time": "2025-11-15T09:35:00Z"}'
seed /interruptions/ '{"session_id": 1, "type": "self", "start_time": "2025-11-15T10:00:00Z", "end_time": "2025-11-15T10:10:00Z"}'
seed /sessions/1/end '{"end_time": "2025-11-15T11:00:00Z"}'
seed /sessions/start '{"start_time": "2025-11-16T09:00:00Z"}'
seed /interruptions/ '{"session_id": 2, "type": "noise", "start_time": "2025-11-16T09:30:00Z", "end_time": "2025-11-16T09:31:00Z"}'
# A goal, so that its routes (and its progress) meet a real id.
seed /users/1/goals '{"metric": "effective_seconds", "comparison": "at_least", "target": 3600, "period": "day"}'
# A password, so that generated sign-ins with the dictionary's email and
# password (fuzz_api.toml) get past 401.
curl -sf -o /dev/null -X PUT "http://127.0.0.1:$port/users/me/password" -H "Authorization: Bearer $token" \
    -H 'content-type: application/json' -d '{"new_password": "fuzz-password-123"}'

# One worker: with two, hypothesis parses lambda sources on two threads at
# once, which CPython before 3.11.8 cannot do (gh-106905: "AST constructor
# recursion depth mismatch", a crash inside the fuzzer, not the server).
"$venv/bin/schemathesis" --config-file scripts/fuzz_api.toml \
    run "http://127.0.0.1:$port/openapi.json" \
    -H "Authorization: Bearer $token" \
    --checks all --exclude-checks positive_data_acceptance \
    --exclude-operation-id rotate_token --exclude-operation-id delete_user --exclude-operation-id delete_token \
    --exclude-operation-id get_events \
    --max-examples "$examples" --workers 1 --no-color \
    ${HF_FUZZ_SEED:+--seed "$HF_FUZZ_SEED"}
