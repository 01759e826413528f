#!/usr/bin/env bash
# Configures and builds one preset (default: dev) into build/PRESET.
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-dev}
jobs=${BECAUSE_BUILD_JOBS:-$(nproc)}
cmake --preset "$preset" > /dev/null
cmake --build --preset "$preset" -j "$jobs"
