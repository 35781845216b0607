#!/usr/bin/env bash
# Command 1 of the README: install what is missing, build, and run the baseline scenario
# (on the GPU when one is present, else on all CPU cores). Extra arguments go to `chokepoint run`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DCHOKEPOINT_BUILD_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)" --target chokepoint
./build/chokepoint run scenarios/baseline.json --backend auto --out out/run-baseline --force "$@"
