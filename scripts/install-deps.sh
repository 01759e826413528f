#!/usr/bin/env bash
# Installs the Debian 12 packages that `because` needs to build, test and run.
# Idempotent: when every package is already installed it only checks and exits.
set -euo pipefail

# Build and core libraries.
PKGS_BUILD=(
  build-essential cmake ninja-build ccache pkg-config git
  libtorch-dev libopenblas0-openmp
  openmpi-bin libopenmpi-dev
  libhdf5-openmpi-dev hdf5-tools hdf5-filter-plugin
  libboost-program-options-dev
  libgtest-dev googletest
  nlohmann-json3-dev libsimdjson-dev
  libsentencepiece-dev
  libcurl4-openssl-dev libcpp-httplib-dev
  libxxhash-dev libdeflate-dev libzstd-dev
  wordnet-base
)
# Analysis scripts (run with /usr/bin/python3).
PKGS_ANALYSIS=(python3 python3-h5py python3-numpy python3-pandas python3-matplotlib)
# A real one-node Slurm for the `slurm` test label.
PKGS_SLURM=(slurm-wlm munge)

want=("${PKGS_BUILD[@]}" "${PKGS_ANALYSIS[@]}")
if [[ "${BECAUSE_NO_SLURM:-0}" != 1 ]]; then want+=("${PKGS_SLURM[@]}"); fi

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#want[@]} packages present"
  exit 0
fi

SUDO=""
if [[ $(id -u) != 0 ]]; then SUDO="sudo"; fi
echo "install-deps: installing ${#missing[@]} packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-deps: done"
