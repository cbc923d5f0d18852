#!/usr/bin/env bash
# The rule-matching benchmark, all of it: builds bench/rules (rules_bench) and
# runs wirewatch beside RE2 per rule, RE2::Set + logic and Hyperscan + logic on
# generated sets of 1k, 10k and 100k rules and a corpus of ~5 KB records, on one
# core, printing a Markdown table and the matcher's performance goals (docs/performance.md).
#
#   bench/rules/run.sh                      # build in build/, run everything
#   BUILD_DIR=/tmp/b bench/rules/run.sh     # another build tree
#   bench/rules/run.sh --sizes 1k,10k --records 500 --min-seconds 1   # a quick look
#   bench/rules/run.sh --write-rules /tmp/rules   # also write the rule sets as YAML
#   bench/rules/run.sh --no-peers --no-yaml --min-seconds 0.5 --rounds 5   # best of 5 timings
#   bench/rules/run.sh --no-peers --no-yaml --dump-matches /tmp/m   # every match, to diff two builds
#
# Figures are records per CPU-second of the benchmark thread (one core), so
# other work on the machine slows the run down but barely moves the figures.
# The generator's seed is fixed (--seed to change it): the same rules and
# records are rebuilt on every run.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${BUILD_DIR:-$root/build}"
if [[ ! -f "$build/CMakeCache.txt" ]]; then
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
fi
cmake --build "$build" --target rules_bench -j"${JOBS:-2}" >&2
# One core: the process is pinned to CPU ${CPU:-0} when taskset is there.
pin=()
command -v taskset >/dev/null && pin=(taskset -c "${CPU:-0}")
exec "${pin[@]}" "$build/bench/rules/rules_bench" "$@"
