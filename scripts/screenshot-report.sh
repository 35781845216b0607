#!/usr/bin/env bash
# Regenerates docs/img/report.png, the README's picture of the report: runs the baseline, writes
# its report and photographs the top of the page in headless Chromium (scripts/install-deps.sh
# --browser installs it). Extra arguments go to `chokepoint run` (e.g. --paths 20000);
# CHOKEPOINT_BUILD_DIR picks the build directory (default build).
set -euo pipefail
cd "$(dirname "$0")/.."
chromium=${CHOKEPOINT_CHROMIUM:-chromium}
command -v "$chromium" >/dev/null || { echo "no $chromium: run scripts/install-deps.sh --browser" >&2; exit 3; }
build=${CHOKEPOINT_BUILD_DIR:-build}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j"$(nproc)" --target chokepoint
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# Run from the temporary directory, so the page names the run directory as a reader's would: out/baseline.
root=$PWD
chokepoint=$(cd "$build" && pwd)/chokepoint
(cd "$out" && "$chokepoint" run "$root/scenarios/baseline.json" --backend cpu --out out/baseline --report --quiet "$@")
mkdir -p docs/img
"$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --user-data-dir="$out/profile" --hide-scrollbars \
  --window-size=1400,2000 --screenshot="$PWD/docs/img/report.png" "file://$out/out/baseline/report.html" 2>/dev/null
echo "wrote docs/img/report.png"
