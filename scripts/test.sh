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
# Tests labelled known_failure document open defects (see the issue notes); they are listed, not run.
known=$(ctest --test-dir build/dev -N -L known_failure | grep -E '^ +Test +#' | awk '{print $3}' | tr '\n' ' ' || true)
if [[ -n "$known" ]]; then echo "not run (label known_failure, open defects): $known"; fi
ctest --test-dir build/dev --output-on-failure -LE 'bench|known_failure' -j "${BECAUSE_TEST_JOBS:-2}" "$@"
echo "build and tests took $(( $(date +%s) - start ))s"
