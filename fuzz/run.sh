#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan, WIREWATCH_FUZZ=ON) and runs
# each for FUZZ_SECONDS on a copy of its seed corpus and regression inputs, one at
# a time; prints each target's executions, coverage and corpus size. A crash,
# leak, timeout (> 1 s per input) or out-of-memory (> 256 MB) fails the run and
# leaves the input in <build>/runs/<target>/ (copy it to fuzz/regressions/<target>/
# once fixed).
#
#   FUZZ_SECONDS=60            time per target
#   FUZZ_TARGETS="feed url"    which targets (default: every folder of fuzz/corpus)
#   FUZZ_BUILD_DIR=build-fuzz  the clang build
#   FUZZ_CXX=clang++  JOBS=2
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${FUZZ_BUILD_DIR:-build-fuzz}
[[ $build = /* ]] || build=$root/$build
seconds=${FUZZ_SECONDS:-60}
cxx=${FUZZ_CXX:-clang++}
jobs=${JOBS:-2}
targets=${FUZZ_TARGETS:-}
build_targets=()
if [[ -z ${targets// /} ]]; then
  targets=$(cd "$root/fuzz/corpus" && ls -d -- */ | tr -d / | tr '\n' ' ')
  build_targets=(fuzz_all)  # one pass over the libraries
fi

for t in $targets; do
  if [[ ! -d $root/fuzz/corpus/$t ]]; then
    echo "run.sh: unknown target '$t' (targets: $(ls "$root/fuzz/corpus" | tr '\n' ' '))" >&2
    exit 2
  fi
done

if ! command -v "$cxx" >/dev/null; then
  echo "run.sh: $cxx not found; on Debian: apt-get install clang libclang-rt-14-dev" >&2
  exit 2
fi
cxx=$(command -v "$cxx")  # a full path, so a rerun does not look like a new compiler to CMake

launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER="$cxx" \
  "${launcher[@]}" -DWIREWATCH_FUZZ=ON -DWIREWATCH_BUILD_TESTS=OFF -DWIREWATCH_BUILD_BENCH=OFF >/dev/null
if ((${#build_targets[@]} == 0)); then
  for t in $targets; do build_targets+=("fuzz_$t"); done
fi
cmake --build "$build" -j"$jobs" --target "${build_targets[@]}"

# Leaks fail the run; UBSan reports stop it like a crash. The 256 MB limit counts the
# whole process, ASan's shadow memory included: a small quarantine of freed memory
# (ASan's default is 256 MB) keeps the limit about what the code under test holds.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1:quarantine_size_mb=16}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=()
summary=()
for t in $targets; do
  work=$build/runs/$t
  rm -rf "$work"
  mkdir -p "$work/corpus"
  cp "$root/fuzz/corpus/$t/"* "$work/corpus/"
  if [[ -d $root/fuzz/regressions/$t ]]; then
    cp "$root/fuzz/regressions/$t/"* "$work/corpus/" 2>/dev/null || true
  fi
  dict=()
  [[ -f $root/fuzz/dict/$t.dict ]] && dict=(-dict="$root/fuzz/dict/$t.dict")
  echo "== $t: ${seconds}s"
  rc=0
  "$build/fuzz/fuzz_$t" "$work/corpus" "${dict[@]}" -max_total_time="$seconds" \
    -rss_limit_mb=256 -timeout=1 -print_final_stats=1 -artifact_prefix="$work/" \
    >"$work/log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -1)
  # The last status line: "#N  DONE  cov: C ft: F corp: U/S lim: ..."
  status=$(grep -E '^#[0-9]+' "$work/log" | grep 'cov:' | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$status")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$status")
  corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9]*[a-zA-Z]*\).*/\1/p' <<<"$status")
  line=$(printf '%-15s execs %10s  cov %6s  ft %7s  corpus %s' "$t" "${execs:-?}" "${cov:-?}" \
    "${ft:-?}" "${corp:-?}")
  if ((rc != 0)); then
    line+="  FAILED (exit $rc; log: $work/log)"
    failed+=("$t")
    grep -E 'ERROR: |SUMMARY: |Test unit written to' "$work/log" | head -5 >&2 || true
  fi
  echo "$line"
  summary+=("$line")
done

echo
echo "== fuzz summary (${seconds}s per target; cov: covered edges of the instrumented code)"
printf '%s\n' "${summary[@]}"
if ((${#failed[@]})); then
  echo "failed: ${failed[*]}" >&2
  exit 1
fi
