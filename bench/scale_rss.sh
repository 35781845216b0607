#!/usr/bin/env bash
# Peak resident memory of streaming runs as the path count grows, and 1 vs 2 MPI ranks
# (docs/scale.md). Prints a Markdown table. Usage: bench/scale_rss.sh [BUILD_DIR] [SIZES...]
set -euo pipefail
build=${1:-build}
shift || true
sizes=("$@")
((${#sizes[@]})) || sizes=(100000 1000000 10000000)
scenario=scenarios/baseline.json
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

peak() {  # command... -> "wall_s peak_MiB"
  /usr/bin/time -v "$@" 2>"$out/time" >/dev/null
  awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); s = 0; for (i = 1; i <= n; ++i) s = s * 60 + t[i]}
              /Maximum resident/ {m = $2 / 1024} END {printf "%.1f %.0f\n", s, m}' "$out/time"
}

echo "| run | paths | threads | wall s | peak RSS MiB |"
echo "|---|---|---|---|---|"
for paths in "${sizes[@]}"; do
  read -r wall mib < <(peak "$build/chokepoint" run $scenario --paths "$paths" --threads 2 --quiet \
                         --memory-for-paths 0 --out "$out/s")
  echo "| streaming (\`--memory-for-paths 0\`) | $paths | 2 | $wall | $mib |"
done
read -r wall mib < <(peak "$build/chokepoint" run $scenario --paths 1000000 --threads 2 --quiet \
                       --memory-for-paths 4096 --out "$out/k")
echo "| every path kept (one pass) | 1000000 | 2 | $wall | $mib |"
if [[ -x "$build/chokepoint-mpi" ]] && command -v mpirun >/dev/null; then
  for ranks in 1 2; do
    read -r wall mib < <(peak mpirun --allow-run-as-root --oversubscribe -n $ranks "$build/chokepoint-mpi" run \
                           $scenario --paths 200000 --threads 1 --quiet --out "$out/m$ranks")
    echo "| chokepoint-mpi, $ranks rank(s) × 1 thread | 200000 | $ranks | $wall | (mpirun) |"
  done
  cmp <(grep -v '"seconds"\|"device"\|"threads"' "$out/m1/summary.json") \
      <(grep -v '"seconds"\|"device"\|"threads"' "$out/m2/summary.json") && echo "(1 and 2 ranks: identical summaries)"
fi
