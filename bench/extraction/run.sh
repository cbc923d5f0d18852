#!/usr/bin/env bash
# Article extraction benchmark: wirewatch's extractor (libxml2 and gumbo front
# ends) beside Debian's python3-readability, in one run, on the dev set
# (../shared/extraction-devset) and on wirewatch's own check set
# (tests/fixtures/extraction); then near-duplicate false positives and recall.
#
#   bench/extraction/run.sh [BUILD_DIR]      (default: build)
#
# Speed is pages per second of CPU time on one thread: extract_article for
# wirewatch, Document(...).summary() plus text conversion for readability.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
devset=$(cd "${WIREWATCH_DEVSET:-$root/../shared/extraction-devset}" && pwd)
py=/usr/bin/python3
here=$root/bench/extraction

[[ -f $build/CMakeCache.txt ]] || cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j1 --target extraction_bench dedup_bench >/dev/null
bench=$build/bench/extraction/extraction_bench
dedup=$build/bench/extraction/dedup_bench

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -xJf "$devset/pages.tar.xz" -C "$work"

speed() { $py -c 'import json,sys; print(json.load(open(sys.argv[1]))["pages_per_s"])' "$1"; }

run_set() {  # slug title pages_dir cases.json
  local slug=$1 name=$2 pages=$3 cases=$4 out=$work/$1
  mkdir -p "$out"
  "$bench" --pages "$pages" --cases "$cases" --parser libxml2 --repeat 3 --out "$out/libxml2.jsonl" 2>/dev/null >"$out/libxml2.speed"
  "$bench" --pages "$pages" --cases "$cases" --parser gumbo --repeat 3 --out "$out/gumbo.jsonl" 2>/dev/null >"$out/gumbo.speed"
  $py "$here/readability_run.py" --pages "$pages" --cases "$cases" --out "$out/readability.jsonl" >"$out/readability.speed"
  echo "### $name"
  echo
  $py "$here/score.py" --cases "$cases" \
    "wirewatch (libxml2)=$out/libxml2.jsonl:$(speed "$out/libxml2.speed")" \
    "wirewatch (gumbo)=$out/gumbo.jsonl:$(speed "$out/gumbo.speed")" \
    "python3-readability 0.8.1=$out/readability.jsonl:$(speed "$out/readability.speed")"
  $py -c 'import json,sys; a=json.load(open(sys.argv[1]))["pages_per_s"]; b=json.load(open(sys.argv[2]))["pages_per_s"]; print(f"\nwirewatch (libxml2) / readability speed: {a/b:.1f}x")' \
    "$out/libxml2.speed" "$out/readability.speed"
  echo
}

run_set dev "dev set: ../shared/extraction-devset" "$work/pages" "$devset/cases.json"
run_set check "check set: tests/fixtures/extraction" "$root/tests/fixtures/extraction/pages" "$root/tests/fixtures/extraction/cases.json"

echo "### near-duplicates (dev set)"
echo
"$dedup" --pages "$work/pages" --cases "$devset/cases.json"
