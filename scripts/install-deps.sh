#!/usr/bin/env bash
# Installs the Debian packages chokepoint needs, only those that are missing. Needs root (or sudo).
# CUDA is optional: when /usr/local/cuda/bin/nvcc exists, CMake also builds the CUDA backend.
set -euo pipefail

packages=(cmake make g++ nlohmann-json3-dev libcli11-dev libeigen3-dev libgtest-dev
          librandom123-doc)
missing=()
for package in "${packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi
echo "installing: ${missing[*]}" >&2
sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
