#!/usr/bin/env bash
# Installs the Debian packages chokepoint needs, only those that are missing. Needs root (or sudo).
# CUDA is optional: when /usr/local/cuda/bin/nvcc exists, CMake also builds the CUDA backend.
#
#   scripts/install-deps.sh            build and test dependencies
#   scripts/install-deps.sh --browser  also Chromium, for the report's browser tests; best effort:
#                                      when it cannot be installed (offline) those tests skip
#   scripts/install-deps.sh --plots    also matplotlib, for the plots of docs/python.md; best effort
set -euo pipefail

packages=(cmake make g++ nlohmann-json3-dev libcli11-dev libeigen3-dev libgtest-dev
          librandom123-doc clang-14 libclang-rt-14-dev libomp-14-dev  # clang: scripts/fuzz.sh
          openmpi-bin libopenmpi-dev  # chokepoint-mpi and its test (docs/scale.md)
          # python3: tools/ptxas_report.sh and scripts/compare_summaries.py (scripts/gpu-check.sh);
          # the Python module and its tests (docs/python.md); setuptools and wheel for pip install
          python3 python3-dev pybind11-dev python3-pybind11 python3-numpy python3-pandas python3-pytest
          python3-setuptools python3-wheel)
optional_packages=()
for argument in "$@"; do
  case "$argument" in
    --browser) optional_packages+=(chromium fonts-dejavu-core) ;;
    --plots) optional_packages+=(python3-matplotlib) ;;
    *) echo "install-deps.sh: unknown argument $argument (expected --browser or --plots)" >&2; exit 2 ;;
  esac
done

missing_of() {
  local package
  for package in "$@"; do
    dpkg -s "$package" >/dev/null 2>&1 || echo "$package"
  done
}
mapfile -t missing < <(missing_of "${packages[@]}")
mapfile -t missing_optional < <(missing_of "${optional_packages[@]}")
if ((${#missing[@]} == 0 && ${#missing_optional[@]} == 0)); then
  exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
updated=0
if ((${#missing[@]} > 0)); then
  echo "installing: ${missing[*]}" >&2
  $sudo apt-get update -qq
  updated=1
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if ((${#missing_optional[@]} > 0)); then
  echo "installing: ${missing_optional[*]}" >&2
  if ! { ((updated)) || $sudo apt-get update -qq; } ||
     ! $sudo apt-get install -y -qq --no-install-recommends "${missing_optional[@]}" >/dev/null; then
    echo "warning: could not install ${missing_optional[*]}; the tests that need them will skip" >&2
  fi
fi
