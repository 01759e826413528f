#!/usr/bin/env bash
# The README's test command: installs the Debian packages, builds the dev preset and runs every
# test except benchmarks (ctest -LE bench). Extra arguments go to ctest (e.g. -L unit).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
bash scripts/install-deps.sh
bash scripts/build.sh dev
echo "build finished after $(( $(date +%s) - start ))s"
export OMP_NUM_THREADS=1
ctest --test-dir build/dev --output-on-failure -LE bench -j "${BECAUSE_TEST_JOBS:-2}" "$@"
echo "build and tests took $(( $(date +%s) - start ))s"
