#!/usr/bin/env bash
# Runs one fuzz target as fuzz/README.md records it: seeded from the shipped data (fuzz/seeds, made by
# seeds.py), new inputs kept in fuzz/corpus/<target>, the log in fuzz/logs/<target>.log.
# Usage: fuzz/run.sh TARGET [SECONDS]   (default 1200, one core, at the lowest priority), after
# `RUSTC_BOOTSTRAP=1 cargo fuzz build -O`.
set -euo pipefail
cd "$(dirname "$0")"
target=$1
seconds=${2:-1200}
mkdir -p "corpus/$target" logs
[ -d "seeds/$target" ] || python3 seeds.py
# The binary `cargo fuzz build -O` made, run directly (as `cargo fuzz run -O` would, without its rebuild check).
binary=${FUZZ_BINARY:-target/x86_64-unknown-linux-gnu/release/$target}
mkdir -p "artifacts/$target"
start=$(date +%s)
nice -n 19 "$binary" "corpus/$target" "seeds/$target" \
    -artifact_prefix="artifacts/$target/" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 >"logs/$target.log" 2>&1 || status=$?
echo "wall seconds: $(( $(date +%s) - start )), exit ${status:-0}" >>"logs/$target.log"
tail -n 25 "logs/$target.log"
exit "${status:-0}"
