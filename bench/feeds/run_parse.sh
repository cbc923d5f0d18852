#!/usr/bin/env bash
# Parsing benchmark: wirewatch's feed parser (connectors::parse_feed, the library
# path of `wirewatch parse-feed`) beside Debian's python3-feedparser, in one run,
# on the same feeds held in memory, one thread each, timed in CPU seconds (the
# machine is shared with builds; wall time would measure them too).
#
#   bench/feeds/run_parse.sh [BUILD_DIR]     (default build/)
#   env: FEEDS=240 (generated feeds), SEED=20260305, SECONDS_PER_RUN=5 (CPU seconds
#        at least, per parser and set)
#
# Sets:
#   fixtures   the XML fixture feeds of tests/fixtures/feeds (every format, charset
#              and malformed case; the JSON ones are left out: see below)
#   generated  FEEDS feeds of 20-100 items written by parse_gen.py into a temporary
#              folder (RSS 2.0, Atom 1.0, RSS 1.0, windows-1251, bozo), fixed seed
#   json       the generated JSON Feed files, wirewatch only: feedparser 6.0.10
#              (Debian 12) has no JSON Feed support
# Needs python3-feedparser (scripts/packages/feeds-parse.txt).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
here=$root/bench/feeds
build=${1:-$root/build}
feeds=${FEEDS:-240}
seed=${SEED:-20260305}
secs=${SECONDS_PER_RUN:-5}
py=/usr/bin/python3

$py -c 'import feedparser' 2>/dev/null || { echo "run_parse: python3-feedparser is missing (scripts/install-deps.sh)" >&2; exit 1; }
[[ -f $build/CMakeCache.txt ]] || cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j1 --target bench_feeds_parse >/dev/null
bench=$build/bench/feeds/bench_feeds_parse

work=$(mktemp -d /tmp/wirewatch-parse-XXXXXX)
trap 'rm -rf "$work"' EXIT
$py "$here/parse_gen.py" "$work" "$feeds" "$seed"

field() { $py -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }

echo "# Feed parsing: wirewatch vs feedparser $($py -c 'import feedparser; print(feedparser.__version__)')"
echo
echo "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'); at least ${secs} CPU seconds per parser and set; build type $(grep -m1 CMAKE_BUILD_TYPE: "$build/CMakeCache.txt" | cut -d= -f2); load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "Speeds are per CPU second of one thread."
echo
echo "| set | feeds | MB | entries | wirewatch feeds/s | wirewatch MB/s | feedparser feeds/s | feedparser MB/s | ratio |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"

run_set() {  # name files...
  local name=$1
  shift
  "$bench" --seconds "$secs" "$@" >"$work/ww.json"
  local ww_fps ww_mbps mb entries n
  ww_fps=$(field "$work/ww.json" feeds_per_s)
  ww_mbps=$(field "$work/ww.json" mb_per_s)
  n=$(field "$work/ww.json" feeds)
  entries=$(field "$work/ww.json" entries)
  mb=$($py -c "print(f'{$(field "$work/ww.json" bytes)/1e6:.2f}')")
  if [[ $name == json* ]]; then
    printf '| %s | %s | %s | %s | %.0f | %.1f | — | — | — |\n' "$name" "$n" "$mb" "$entries" "$ww_fps" "$ww_mbps"
    return
  fi
  $py "$here/parse_feedparser.py" --seconds "$secs" "$@" >"$work/fp.json"
  local fp_fps fp_mbps fp_entries
  fp_fps=$(field "$work/fp.json" feeds_per_s)
  fp_mbps=$(field "$work/fp.json" mb_per_s)
  fp_entries=$(field "$work/fp.json" entries)
  printf '| %s | %s | %s | %s / %s | %.0f | %.1f | %.1f | %.2f | %.0f× |\n' "$name" "$n" "$mb" "$entries" "$fp_entries" \
    "$ww_fps" "$ww_mbps" "$fp_fps" "$fp_mbps" "$($py -c "print($ww_fps/$fp_fps)")"
}

shopt -s nullglob
run_set "fixtures (tests/fixtures/feeds, XML)" "$root"/tests/fixtures/feeds/*.{xml,rdf,cdf}
run_set "generated (seed $seed)" "$work"/xml/*
run_set "json (generated)" "$work"/json/*
echo
echo "entries: wirewatch / feedparser. Ratio: wirewatch feeds/s over feedparser feeds/s (the same as the MB/s ratio)."
