#!/usr/bin/env bash
# The whole suite: the same set-up as ./run.sh, then unit, integration (real PostgreSQL,
# real Docker), browser end-to-end (chromium), sanitizer build (ASan+UBSan), fuzz smoke runs
# and the format check.
# Ends with ctest's summary of the main run; exits non-zero if any stage failed.
set -euo pipefail
cd "$(dirname "$0")"
. scripts/prepare

failed=()
# Each stage's wall time, printed at the end (the budget: under 50 minutes on 2 cores).
durations=()
stage_name="set-up (packages, services, workspace image)"
stage_start=0  # prepare ran from the start of the script
finish_stage() { durations+=("$(printf '%5ds  %s' $((SECONDS - stage_start)) "$stage_name")"); }
stage() {
  finish_stage
  stage_name="$*"
  stage_start=$SECONDS
  echo
  echo "=== $* ===" >&2
}

stage "web UI (npm packages from the lockfiles, esbuild)"
scripts/build-web --e2e

stage "build (warnings are errors)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBERTH_WERROR=ON >/dev/null
cmake --build build -j2

stage "sanitizer build (ASan + UBSan): unit and PostgreSQL tests"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DBERTH_WERROR=ON -DBERTH_SANITIZE=ON >/dev/null
cmake --build build-asan -j2
# The flood and stalled-keeper tests measure the server's RSS, which under ASan is its
# quarantine of freed memory (256 MiB by default), not Berth's bounds: main stage only.
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  LSAN_OPTIONS=suppressions=$PWD/tests/sanitizers/lsan.supp \
  ctest --test-dir build-asan -L 'unit|pg' -j2 \
    -E 'a_gibibyte_flood_cannot_grow_the_servers_memory_or_starve_others|typing_into_a_stopped_keeper' \
    --output-on-failure --timeout 600 || failed+=("sanitizer tests")

stage "fuzz targets (clang libFuzzer), short runs"
CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DBERTH_FUZZ=ON -DBERTH_SANITIZE=ON >/dev/null
cmake --build build-fuzz -j2 --target fuzzers
ctest --test-dir build-fuzz -L fuzz -j2 --output-on-failure || failed+=("fuzzers")

stage "main suite: unit, integration, browser end-to-end, format"
main_status=0
ctest --test-dir build -j2 --output-on-failure --timeout 900 2>&1 | tee build/main-suite.log ||
  main_status=$?
finish_stage
echo >&2
echo "stage durations (total $((SECONDS / 60)) min):" >&2
printf '%s\n' "${durations[@]}" >&2
# ctest's summary line stays the last line of the run.
grep -E '^[0-9]+% tests passed' build/main-suite.log | tail -n 1
if [ ${#failed[@]} -gt 0 ]; then
  echo "test.sh: failed stages besides the main suite: ${failed[*]}" >&2
  exit 1
fi
exit "$main_status"
