#!/usr/bin/env bash
# Installs wom's build dependencies from Debian 12 packages (only what is missing).
# Run as root (or with sudo available). Idempotent.
set -euo pipefail
pkgs=(cmake g++ make git pkg-config ccache
      libeigen3-dev libboost-graph-dev libtbb-dev catch2 libyaml-cpp-dev libcli11-dev
      nlohmann-json3-dev libfmt-dev zlib1g-dev libbenchmark-dev
      libopenmpi-dev openmpi-bin  # wom sweep under mpirun (tests/sweep/mpi_sweep.sh)
      slurm-wlm munge  # a one-node SLURM for the sweep test (tests/cluster/slurm_sweep.sh)
      python3 python3-numpy python3-matplotlib python3-pandas python3-pytest python3-dev pybind11-dev
      clang-format clang-tidy  # scripts/lint.sh
      clang-14 libclang-rt-14-dev  # scripts/fuzz.sh (libFuzzer)
      valgrind  # wom bench's instruction counts (callgrind)
      chromium)  # headless browser for the report.html tests (tests/app/test_report.cpp)
# Optional extras: graph-tool for the peer benchmark (bench/graph_tool_sir.py).
[ "${WOM_WITH_PEERS:-0}" = 1 ] && pkgs+=(python3-graph-tool)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#pkgs[@]} packages present"
  exit 0
fi
echo "setup: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get -o DPkg::Lock::Timeout=300 update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}"
