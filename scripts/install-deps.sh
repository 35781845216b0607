#!/usr/bin/env bash
# Installs the Debian packages chokepoint needs, only those that are missing. Needs root (or sudo).
# CUDA is optional: when /usr/local/cuda/bin/nvcc exists, CMake also builds the CUDA backend.
#
#   scripts/install-deps.sh            build and test dependencies
#   scripts/install-deps.sh --browser  also Chromium, for the report's browser tests; best effort:
#                                      when it cannot be installed (offline) those tests skip
set -euo pipefail

packages=(cmake make g++ nlohmann-json3-dev libcli11-dev libeigen3-dev libgtest-dev
          librandom123-doc openmpi-bin libopenmpi-dev)
browser_packages=()
for argument in "$@"; do
  case "$argument" in
    --browser) browser_packages=(chromium fonts-dejavu-core) ;;
    *) echo "install-deps.sh: unknown argument $argument (expected --browser)" >&2; exit 2 ;;
  esac
done

missing_of() {
  local package
  for package in "$@"; do
    dpkg -s "$package" >/dev/null 2>&1 || echo "$package"
  done
}
mapfile -t missing < <(missing_of "${packages[@]}")
mapfile -t missing_browser < <(missing_of "${browser_packages[@]}")
if ((${#missing[@]} == 0 && ${#missing_browser[@]} == 0)); then
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
if ((${#missing_browser[@]} > 0)); then
  echo "installing: ${missing_browser[*]}" >&2
  if ! { ((updated)) || $sudo apt-get update -qq; } ||
     ! $sudo apt-get install -y -qq --no-install-recommends "${missing_browser[@]}" >/dev/null; then
    echo "warning: could not install ${missing_browser[*]}; the report's browser tests will skip" >&2
  fi
fi
