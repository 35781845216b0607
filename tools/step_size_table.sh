#!/usr/bin/env bash
# Mean produced_units by year of a scenario at 1, 2, 4 and 12 steps per year, and the change
# against 12: how much the step size matters (docs/model.md, "Step size matters").
# Usage: tools/step_size_table.sh [scenario=scenarios/baseline.json] [paths=20000]
set -euo pipefail
cd "$(dirname "$0")/.."
scenario=$(realpath "${1:-scenarios/baseline.json}")
paths=${2:-20000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for n in 1 2 4 12; do
  printf '{"extends": "%s", "name": "steps-%s", "time": {"steps_per_year": %s}}\n' "$scenario" "$n" "$n" > "$work/steps$n.json"
  ./build/chokepoint run "$work/steps$n.json" --paths "$paths" --out "$work/out$n" --quiet
done
python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
runs = {n: json.load(open(f"{work}/out{n}/summary.json"))["variables"]["produced_units"]["years"] for n in (1, 2, 4, 12)}
print("| year | 1 step | 2 steps | 4 steps | 12 steps | 1 vs 12 | 4 vs 12 |")
print("|---|---|---|---|---|---|---|")
for i, year in enumerate(runs[12]):
    m = {n: runs[n][i]["mean"] for n in runs}
    print(f"| {year['year']} | " + " | ".join(f"{m[n]/1e6:.2f}" for n in (1, 2, 4, 12)) +
          f" | {100*(m[1]/m[12]-1):+.1f}% | {100*(m[4]/m[12]-1):+.1f}% |")
PY
