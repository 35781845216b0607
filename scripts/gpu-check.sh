#!/usr/bin/env bash
# gpu-check.sh: everything a GPU can tell us about chokepoint, in one call of about 8 minutes.
# It builds what a GPU run needs (Release, sm_90, tests and gpu_bench), then runs, in order of
# what matters most: every GPU test (each failed one again alone, with CHOKEPOINT_CUDA_SYNC_CHECK=1
# so the first failing launch is named), the registers/stack/spills of every kernel
# (tools/ptxas_report.sh), the GPU benchmark, one Nsight Compute profile of the engine kernel, a
# CUDA run of the baseline against a CPU run of the same paths, and compute-sanitizer (memcheck on
# a few tests, initcheck on a tiny run). Each step has its own time limit inside the budget; a
# failing step never stops the ones after it. Logs and a one-screen summary go to $OUT.
#
#   On a machine where the Debian packages are installed (the dev box), once per checkout:
#       scripts/gpu-check.sh prepare          # copies them to .devdeps/ (ignored by git)
#   On the GPU machine (CUDA toolkit, CMake, a compiler; no package access), from the checkout
#   with .devdeps beside the sources:
#       OUT=DIR scripts/gpu-check.sh          # builds in $SCRATCH, ≈ 8 min, exit 1 if a step failed
#   Reusing a build that exists (CI does this after scripts/test.sh, on a machine without GPU):
#       OUT=DIR scripts/gpu-check.sh --reuse build
#
# Without a device every GPU step reports "no device" and counts as passed, while the steps that
# need none (the host-side GPU tests, the ptxas report) still run: the script cannot rot in CI.
# Exit status: 0 when no step failed, 1 otherwise, 2 for bad arguments.
#
# $OUT receives at most 8 files (what the device tool brings back): summary.txt, build.log,
# tests.log, ptxas.md, bench.md, ncu.txt, runs.log (CLI and sanitizer), extra.tar.gz (test XML,
# reruns, the .ncu-rep). Settings: DEADLINE_S (default 480), SCRATCH (default: a new folder in
# /tmp, removed at the end when the build is reused), DEVDEPS (default .devdeps), JOBS (default: all cores), PTXAS_FILES
# (default: every .cu with a GPU, kernels/cuda_backend.cu without).
set -u -o pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)

# ---- prepare: runs HERE, where the packages are installed ----------------------------------------
# Copies the header-only packages (their CMake config files locate everything relative to
# themselves) and GoogleTest's *sources* (the GPU machine builds them with its own compiler).
if [ "${1:-}" = "prepare" ]; then
  dest=${2:-$SRC/.devdeps}
  rm -rf "$dest" && mkdir -p "$dest" || exit 1
  for package in nlohmann-json3-dev libeigen3-dev libcli11-dev googletest; do
    dpkg -L "$package" >/dev/null 2>&1 || { echo "prepare: package $package is not installed here" >&2; exit 1; }
    dpkg -L "$package" | while read -r f; do [ -f "$f" ] && printf '%s\n' "${f#/}"; done |
      grep -E '^usr/(include|share/cmake|share/eigen3/cmake|src/googletest|lib/cmake)/' |
      tar -cf - -C / -T - | tar -xf - -C "$dest" || exit 1
  done
  # The GPU machine's copy of the checkout may have no .git: say which commit was prepared.
  { git -C "$SRC" rev-parse HEAD; git -C "$SRC" status --porcelain --untracked-files=no | wc -l; } >"$dest/commit" 2>/dev/null
  echo "prepare: $(du -sh "$dest" | cut -f1) in $dest; carry it with the checkout (device tool: carry [\".devdeps\"])"
  exit 0
fi

# ---- arguments and setup -------------------------------------------------------------------------
REUSE=""
while [ $# -gt 0 ]; do
  case $1 in
    --reuse) REUSE=${2:?--reuse needs a build directory}; shift 2 ;;
    --out) OUT=${2:?--out needs a directory}; shift 2 ;;
    -h|--help) sed -n '2,30p' "$0"; exit 0 ;;
    *) echo "gpu-check.sh: unknown argument $1 (expected prepare, --reuse DIR, --out DIR)" >&2; exit 2 ;;
  esac
done
START=$(date +%s)
DEADLINE_S=${DEADLINE_S:-480}
OUT=${OUT:-$SRC/build/gpu-check}
# Scratch (the fresh build, run outputs) outside the checkout and of this run alone: two CI jobs
# on one machine must not share it. A reused build leaves nothing behind.
SCRATCH_GIVEN=${SCRATCH:+1}
SCRATCH=${SCRATCH:-$(mktemp -d "${TMPDIR:-/tmp}/chokepoint-gpu-check.XXXXXX")}
DEPS=${DEVDEPS:-$SRC/.devdeps}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 8)}
if [ -n "$REUSE" ]; then
  BUILD=$(cd "$REUSE" 2>/dev/null && pwd) || { echo "gpu-check.sh: no build directory $REUSE" >&2; exit 2; }
else
  BUILD=$SCRATCH/build
fi
EXTRA=$SCRATCH/extra
mkdir -p "$OUT" "$EXTRA" "$SCRATCH" || exit 2
SUMMARY=$OUT/summary.txt
BUILDLOG=$OUT/build.log
TESTLOG=$OUT/tests.log
RUNSLOG=$OUT/runs.log
: >"$SUMMARY"; : >"$BUILDLOG"; : >"$TESTLOG"; : >"$RUNSLOG"
[ -d /usr/local/cuda/bin ] && export PATH=$PATH:/usr/local/cuda/bin
export CUDA_MODULE_LOADING=EAGER  # load every kernel at start: a broken one fails where it belongs
FAILED=0

note() { printf '%s\n' "$*" | tee -a "$SUMMARY"; }
elapsed() { echo $(( $(date +%s) - START )); }
left() { echo $(( DEADLINE_S - $(elapsed) )); }
pack_extra() { tar -czf "$OUT/extra.tar.gz" -C "$EXTRA" . 2>/dev/null; }
finish() {
  pack_extra
  [ -n "$REUSE" ] && [ -z "$SCRATCH_GIVEN" ] && rm -rf "$SCRATCH"
}
trap finish EXIT

# A device is there when the driver lists one; everything else follows from that.
HAVE_GPU=0
if command -v nvidia-smi >/dev/null && nvidia-smi -L 2>/dev/null | grep -q '^GPU '; then HAVE_GPU=1; fi

# step NAME LIMIT_S LOG CMD...: runs CMD under `timeout` (LIMIT_S, or what is left of the budget
# less RESERVE_S for the steps after it), appends its output to LOG and one line to the summary.
# Exit status 3 is the project's "no CUDA device": without a GPU that is the expected answer.
RESERVE_S=0
step() {
  local name=$1 limit=$2 log=$3; shift 3
  local budget=$(( $(left) - RESERVE_S ))
  [ "$budget" -lt "$limit" ] && limit=$budget
  if [ "$limit" -lt 10 ]; then
    note "$(printf '%-14s %-44s' "SKIP" "$name") only $(left)s of the budget left"
    return 99
  fi
  printf '\n+ [%4ss] %s (limit %ss): %s\n' "$(elapsed)" "$name" "$limit" "$*" >>"$log"
  local begin=$(date +%s)
  timeout -k 10 "$limit" "$@" >>"$log" 2>&1
  local rc=$?
  local took=$(( $(date +%s) - begin ))
  local verdict=ok
  if [ "$rc" -eq 3 ] && [ "$HAVE_GPU" -eq 0 ]; then
    verdict="no device"
  elif [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    verdict="TIMEOUT"; FAILED=1
  elif [ "$rc" -ne 0 ]; then
    verdict="FAIL rc=$rc"; FAILED=1
  fi
  note "$(printf '%-14s %-44s %4ss  %s' "$verdict" "$name" "$took" "$(basename "$log")")"
  if [ "$verdict" != ok ] && [ "$verdict" != "no device" ]; then
    tail -n 8 "$log" | sed 's/^/    | /' | tee -a "$SUMMARY"
  fi
  pack_extra
  return "$rc"
}
no_device() { note "$(printf '%-14s %-44s' "no device" "$1") $2"; }

if COMMIT=$(git -C "$SRC" rev-parse --short HEAD 2>/dev/null); then
  COMMIT="$COMMIT ($(git -C "$SRC" status --porcelain --untracked-files=no | wc -l) modified files)"
else
  COMMIT="no .git here; prepared at $(head -c 12 "$DEPS/commit" 2>/dev/null || echo '?')"
fi
note "gpu-check $(date -u +%FT%TZ): $COMMIT," \
     "budget ${DEADLINE_S}s, $JOBS cores, build ${REUSE:+reused }$BUILD"
if [ "$HAVE_GPU" -eq 1 ]; then
  note "gpu: $(nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,memory.total --format=csv,noheader 2>&1 | head -1)"
else
  note "gpu: none (nvidia-smi lists no device); GPU steps report \"no device\""
fi

# ---- 1. environment, configure, build ------------------------------------------------------------
{
  echo "== environment"; uname -a; head -2 /etc/os-release 2>/dev/null
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.max.sm,clocks.mem,power.limit,compute_mode,mig.mode.current --format=csv 2>&1
  nvcc --version 2>&1 | tail -2; cmake --version 2>&1 | head -1; c++ --version 2>&1 | head -1
  for tool in ninja ncu compute-sanitizer cuobjdump; do printf '%s: %s\n' "$tool" "$(command -v $tool || echo absent)"; done
  echo "carried dependencies: $DEPS $(ls "$DEPS/usr" 2>/dev/null | tr '\n' ' ')"
} >>"$BUILDLOG" 2>&1

if [ -z "$REUSE" ]; then
  GENERATOR="Unix Makefiles"
  command -v ninja >/dev/null && GENERATOR=Ninja
  # The project builds with -Werror; another compiler may warn where Debian 12's does not. This
  # launcher drops -Werror (the warnings stay in build.log) so one new warning cannot cost the run.
  cat >"$SCRATCH/no-werror" <<'EOF'
#!/bin/sh
for a; do shift; case $a in -Werror|-Werror=all-warnings) ;; *) set -- "$@" "$a" ;; esac; done
exec "$@"
EOF
  chmod +x "$SCRATCH/no-werror"
  RESERVE_S=240
  step "configure (Release, sm_90)" 90 "$BUILDLOG" cmake -S "$SRC" -B "$BUILD" -G "$GENERATOR" \
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_CUDA_ARCHITECTURES=90 -DCHOKEPOINT_ENABLE_CUDA=ON \
    -DCHOKEPOINT_BUILD_TESTS=ON -DCHOKEPOINT_BUILD_BENCH=ON -DCHOKEPOINT_DEVDEPS="$DEPS/usr" \
    -DCMAKE_CUDA_FLAGS=-lineinfo \
    -DCMAKE_CXX_COMPILER_LAUNCHER="$SCRATCH/no-werror" -DCMAKE_CUDA_COMPILER_LAUNCHER="$SCRATCH/no-werror"
  RESERVE_S=200
  step "build chokepoint, tests, gpu_bench" 300 "$BUILDLOG" \
    cmake --build "$BUILD" -j "$JOBS" --target chokepoint chokepoint_tests gpu_bench
  note "build warnings: $(grep -c 'warning' "$BUILDLOG")"
fi
grep -q "CUDA backend 1" "$BUILD/CMakeCache.txt" "$BUILDLOG" 2>/dev/null ||
  grep -q "CHOKEPOINT_HAVE_CUDA=1" "$BUILD/compile_commands.json" 2>/dev/null ||
  note "WARN  the build has no CUDA backend (no nvcc when it was configured)"
TESTS=$BUILD/tests/chokepoint_tests
BENCH=$BUILD/bench/gpu_bench
CLI=$BUILD/chokepoint

# ---- 2. ptxas: registers, stack frame and spills of every kernel (compiles; no GPU needed) ---------
# In the background: it is CPU work, and the GPU tests need the GPU, not the cores.
PTXAS_PID=""
if command -v nvcc >/dev/null && [ -f "$BUILD/compile_commands.json" ]; then
  # Without a GPU (CI, 2 cores) only the engine's file: the report is there to keep working.
  PTXAS_FILES=${PTXAS_FILES:-$([ "$HAVE_GPU" -eq 0 ] && echo kernels/cuda_backend.cu)}
  ( timeout 300 "$SRC/tools/ptxas_report.sh" "$BUILD" $PTXAS_FILES >"$OUT/ptxas.md" 2>"$SCRATCH/ptxas.err"
    echo $? >"$SCRATCH/ptxas.rc" ) &
  PTXAS_PID=$!
else
  note "SKIP           ptxas report                                 no nvcc or no compile_commands.json"
fi

# ---- 3. GPU tests ----------------------------------------------------------------------------------
if [ -x "$TESTS" ]; then
  RESERVE_S=150  # the bench, the profile and the runs come after
  suite_failed=0
  # The host-side suites need no device; the rest skip without one (GTEST_SKIP).
  step "tests Gpu*" 240 "$TESTLOG" "$TESTS" --gtest_filter='*Gpu*' --gtest_color=no \
    --gtest_output="xml:$EXTRA/tests.xml" || suite_failed=1
  grep -E '^\[ *GpuParity *\]' "$TESTLOG" | cut -c1-160 | head -12 >>"$SUMMARY"
  grep -E '^\[  (PASSED|SKIPPED|FAILED) *\] [0-9]+ test' "$TESTLOG" | sed 's/^/    /' >>"$SUMMARY"
  [ "$HAVE_GPU" -eq 0 ] && note "               (no device: the GPU tests skipped, the host-side ones ran)"
  # A CUDA error is sticky: every later test in the process fails too. Run each failed test alone,
  # synchronising after every launch, to tell the cause from the fallout.
  if [ "$suite_failed" -ne 0 ]; then
    RESERVE_S=120
    for t in $(grep -E '^\[  FAILED  \] [A-Za-z0-9_/]+\.[A-Za-z0-9_/]+' "$TESTLOG" | awk '{print $4}' | tr -d , | sort -u | head -10); do
      step "alone, sync-checked: $t" 60 "$TESTLOG" env CHOKEPOINT_CUDA_SYNC_CHECK=1 "$TESTS" --gtest_filter="$t" --gtest_color=no
    done
  fi
else
  note "FAIL           tests: no test binary at $TESTS"; FAILED=1
fi

# ---- 4. GPU benchmark ------------------------------------------------------------------------------
BENCHLOG=$OUT/bench.md
: >"$BENCHLOG"
if [ ! -x "$BENCH" ]; then
  note "SKIP           gpu_bench                                    not built (no CUDA in this build)"
elif [ "$HAVE_GPU" -eq 1 ]; then
  RESERVE_S=100
  # The sweep (launch shapes) on 2^22 paths, then 10^7 paths at the best shape: fills an H200 many times.
  step "gpu_bench 2^22 paths with the sweep" 150 "$BENCHLOG" "$BENCH" --paths 4194304 --repeats 3 --warmups 1
  RESERVE_S=80
  step "gpu_bench 10^7 paths" 90 "$BENCHLOG" "$BENCH" --paths 10000000 --repeats 3 --warmups 1 --no-sweep
  grep -E '^\| *(A[0-9]|engine)|^- (engine|share|SM clock|device)' "$BENCHLOG" | cut -c1-160 | head -14 >>"$SUMMARY"
else
  step "gpu_bench (expects exit 3: no device)" 30 "$BENCHLOG" "$BENCH" --paths 1000 --repeats 1 --warmups 0 --no-sweep
fi

# ---- 5. Nsight Compute: one launch of the engine kernel ----------------------------------------------
NCULOG=$OUT/ncu.txt
: >"$NCULOG"
if [ "$HAVE_GPU" -eq 0 ]; then
  no_device "ncu profile of simulate_paths_kernel" ""
elif ! command -v ncu >/dev/null; then
  note "SKIP           ncu                                          not installed"
elif [ -x "$CLI" ]; then
  RESERVE_S=60
  step "ncu sections, simulate_paths_kernel" 100 "$NCULOG" ncu --clock-control none \
    --kernel-name regex:simulate_paths_kernel --launch-count 1 \
    --section SpeedOfLight --section ComputeWorkloadAnalysis --section SchedulerStats --section WarpStateStats \
    --section InstructionStats --section Occupancy --section MemoryWorkloadAnalysis --section LaunchStats \
    --metrics sm__inst_executed_pipe_fp64.avg.pct_of_peak_sustained_active,sm__inst_executed_pipe_xu.avg.pct_of_peak_sustained_active,l1tex__t_bytes_pipe_lsu_mem_local_op_ld.sum,l1tex__t_bytes_pipe_lsu_mem_local_op_st.sum,smsp__inst_executed.sum \
    -f -o "$EXTRA/engine" "$CLI" run "$SRC/scenarios/baseline.json" --backend cuda --paths 262144 --quiet \
    --out "$SCRATCH/ncu-run"
  [ -f "$EXTRA/engine.ncu-rep" ] && ncu --import "$EXTRA/engine.ncu-rep" --page details >>"$NCULOG" 2>&1
  grep -E "Registers Per Thread|Achieved Occupancy|Duration|local_op|pipe_fp64|pipe_xu|L1/TEX Hit|L2 Hit|Compute \(SM\) Throughput|Issue Slots Busy" \
    "$NCULOG" | sed 's/  */ /g' | head -10 >>"$SUMMARY"
fi

# ---- 6. the baseline on the GPU against the CPU, same paths and seed ----------------------------------
if [ ! -x "$CLI" ]; then
  note "FAIL           cli runs: no chokepoint binary"; FAILED=1
elif [ "$HAVE_GPU" -eq 1 ]; then
  RESERVE_S=45
  # Each precision on both backends. Poisoned: a value the device never wrote would make the
  # summary NaN and the comparison fail. Bounds as in tests/gpu_tolerances.hpp: in mixed the two
  # float libraries differ by ≈1e-6 per path and flip more near ties than in double.
  for precision in mixed reference; do
    relative=1e-6; share=1e-3
    [ "$precision" = mixed ] && { relative=1e-5; share=1e-2; }
    step "cli baseline cuda 10^6 paths, $precision" 60 "$RUNSLOG" env CHOKEPOINT_CUDA_POISON=1 "$CLI" run \
      "$SRC/scenarios/baseline.json" --backend cuda --precision "$precision" \
      --paths 1000000 --seed 7 --quiet --out "$SCRATCH/cli-cuda-$precision"
    step "cli baseline cpu 10^6 paths, $precision" 90 "$RUNSLOG" "$CLI" run "$SRC/scenarios/baseline.json" \
      --backend cpu --precision "$precision" --paths 1000000 --seed 7 --quiet --out "$SCRATCH/cli-cpu-$precision"
    step "compare the two summaries, $precision" 20 "$RUNSLOG" python3 "$SRC/scripts/compare_summaries.py" \
      "$SCRATCH/cli-cuda-$precision/summary.json" "$SCRATCH/cli-cpu-$precision/summary.json" \
      --relative "$relative" --count-share "$share"
  done
  grep -E '^(compared|largest|counts|value|seconds)' "$RUNSLOG" | cut -c1-160 | head -10 >>"$SUMMARY"
else
  step "cli baseline cuda (expects exit 3: no device)" 30 "$RUNSLOG" "$CLI" run "$SRC/scenarios/baseline.json" \
    --backend cuda --paths 1000 --quiet --out "$SCRATCH/cli-cuda"
fi

# ---- 7. compute-sanitizer: memcheck on a few tests, initcheck on a tiny run --------------------------
if [ "$HAVE_GPU" -eq 0 ]; then
  no_device "compute-sanitizer memcheck and initcheck" ""
elif ! command -v compute-sanitizer >/dev/null; then
  note "SKIP           compute-sanitizer                            not installed"
elif [ -x "$TESTS" ]; then
  RESERVE_S=0
  step "memcheck: Philox, parity, trace, staged" 90 "$RUNSLOG" compute-sanitizer --tool memcheck --error-exitcode 17 \
    "$TESTS" --gtest_color=no --gtest_filter='GpuPhilox.DeviceEqualsHostBitForBit:GpuPhilox.MixedNormalsOnTheDeviceAreTheHostsFloatNormalsToAFewUlps:GpuParity.OneFactorWithoutPersistence:GpuParity.RunWithBackendCudaReportsTheDevice:GpuParity.ProductionColumnsAreTheTraceKernelsValuesRoundedToFloat'
  step "initcheck: a 2,000-path baseline run" 60 "$RUNSLOG" compute-sanitizer --tool initcheck --error-exitcode 17 \
    "$CLI" run "$SRC/scenarios/baseline.json" --backend cuda --paths 2000 --quiet --out "$SCRATCH/initcheck-run"
  grep -E "ERROR SUMMARY|Invalid|Uninitialized" "$RUNSLOG" | sort | uniq -c | head -5 >>"$SUMMARY"
fi

# ---- the ptxas report, started in step 2 --------------------------------------------------------------
if [ -n "$PTXAS_PID" ]; then
  wait "$PTXAS_PID"
  rc=$(cat "$SCRATCH/ptxas.rc" 2>/dev/null || echo 1)
  if [ "$rc" -eq 0 ]; then
    note "$(printf '%-14s %-44s' ok "ptxas report")       ptxas.md"
    grep -E '^\| `?(simulate|trace)' "$OUT/ptxas.md" | cut -c1-160 | head -4 >>"$SUMMARY"
  else
    note "FAIL rc=$rc      ptxas report"; sed 's/^/    | /' "$SCRATCH/ptxas.err" | tail -n 8 | tee -a "$SUMMARY"; FAILED=1
  fi
fi

note "done in $(elapsed)s: $([ "$FAILED" -eq 0 ] && echo 'no step failed' || echo 'SOME STEPS FAILED')"
echo; echo "================ $SUMMARY ================"; cat "$SUMMARY"
exit "$FAILED"
