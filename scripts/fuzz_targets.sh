#!/usr/bin/env bash
# Coverage-guided fuzzing (libFuzzer, through cargo-fuzz) of the code that
# reads client text and of the analytics engine:
#
#   scripts/fuzz_targets.sh [SECONDS]    (default: 300 s per target)
#
# - client_input: timestamps, dates, time zones, report windows, tokens and
#   idempotency keys; what parses must print back to itself and every window
#   must stay within the longest report.
# - engine: any valid history, window and zone; every report must satisfy
#   domain::stats::invariants.
# - import: any file given to the import (NDJSON or JSON); what is read must
#   keep every rule and come back the same through an export.
#
# What each checks is fuzz/harness.rs. New interesting inputs land in
# fuzz/corpus/<target>/, which is minimised at the end (not under CI) and is
# replayed by `cargo test` (tests/fuzz_corpus.rs). A failing input is saved
# under fuzz/artifacts/<target>/ and the run fails.
#
# cargo-fuzz needs nightly flags; RUSTC_BOOTSTRAP=1 lets the stable compiler
# accept them. It is installed when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-300}
export RUSTC_BOOTSTRAP=1
command -v cargo-fuzz >/dev/null || cargo install --quiet --locked cargo-fuzz

# Input sizes: a query's worth of text, and up to ~100 sessions.
declare -A max_len=([client_input]=512 [engine]=2048 [import]=4096)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for target in client_input engine import; do
    echo "== fuzzing $target for ${seconds}s"
    if ! cargo fuzz run "$target" -- -max_total_time="$seconds" \
        -max_len="${max_len[$target]}" -print_final_stats=1 >"$log" 2>&1; then
        tail -n 40 "$log" >&2
        echo "$target found a failing input: see fuzz/artifacts/$target/" >&2
        exit 1
    fi
    grep -E '^(#[0-9]+[[:space:]]+DONE|stat::number_of_executed_units)' "$log"
    if [ -z "${CI:-}" ]; then
        cargo fuzz cmin "$target" -- -max_len="${max_len[$target]}" >"$log" 2>&1
    fi
    echo "   corpus: $(find "fuzz/corpus/$target" -type f | wc -l) inputs"
done
