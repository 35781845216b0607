#!/usr/bin/env bash
# Fuzzes the front door for SECONDS seconds (default 60): scenario text → validation → a tiny run
# → every writer (tests/fuzz/fuzz_scenario.cpp), under AddressSanitizer and UBSan. Exits non-zero
# on any finding; the input that caused it is left in build-fuzz/findings/ — add it to
# tests/fuzz/corpus/ and a regression test once fixed.
#   scripts/fuzz.sh [SECONDS] [JOBS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
jobs="${2:-1}"
clang="${CLANG:-clang++-14}"
command -v "$clang" >/dev/null || { echo "fuzz.sh: $clang not found (scripts/install-deps.sh installs clang-14)" >&2; exit 3; }

cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER="$clang" -DCHOKEPOINT_FUZZ=ON \
      -DCHOKEPOINT_ENABLE_CUDA=OFF -DCHOKEPOINT_BUILD_TESTS=OFF -DCHOKEPOINT_BUILD_BENCH=OFF \
      -DCHOKEPOINT_NATIVE=OFF >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target fuzz_scenario

# The seed corpus stays as committed; what the fuzzer learns goes to a fresh scratch corpus, so
# that the time spent reading the corpus back (not counted in -max_total_time) stays that of the
# seeds. Findings of an earlier run are cleared: each run answers for itself.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
findings=build-fuzz/findings
rm -rf "$findings"
mkdir -p "$findings"
# -rss_limit_mb and -timeout: a scenario that needs more than 2 GB or 10 s for 8 paths is a finding
# (the limits of docs/errors.md exist to prevent it). -max_len: the 1 MiB input limit is tested
# elsewhere; mutations longer than the largest seed (the 36 KB baseline) only slow the search.
# Run from build-fuzz: with -jobs libFuzzer writes its log (fuzz-0.log) to the working directory,
# which must not be the repository's root.
root="$PWD"
(cd build-fuzz &&
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ./fuzz_scenario "$work" "$root/tests/fuzz/corpus" \
      -dict="$root/tests/fuzz/scenario.dict" -max_total_time="$seconds" -jobs="$jobs" -workers="$jobs" \
      -rss_limit_mb=2048 -timeout=10 -max_len=65536 -artifact_prefix="$root/$findings/" -print_final_stats=1)
tail -n 5 build-fuzz/fuzz-*.log 2>/dev/null || true
if compgen -G "$findings/*" >/dev/null; then
  echo "fuzz.sh: findings in $findings/:" >&2
  ls -l "$findings" >&2
  cat build-fuzz/fuzz-*.log >&2 2>/dev/null || true
  exit 1
fi
