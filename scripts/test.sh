#!/usr/bin/env bash
# Command 2 of the README: install what is missing, build everything, run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --browser  # Chromium for the report's browser tests
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DCHOKEPOINT_BUILD_TESTS=ON >/dev/null
cmake --build build -j"$(nproc)"
ctest --test-dir build --output-on-failure -j"$(nproc)"
