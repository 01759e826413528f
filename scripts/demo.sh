#!/usr/bin/env bash
# The README's main job: installs the Debian packages, builds the release preset and runs the
# full pipeline of jobs/demo.ini on the sample corpus with 2 MPI ranks into runs/demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh release
run=${1:-runs/demo}
ranks=${BECAUSE_RANKS:-2}
flags=()
if [[ $(id -u) == 0 ]]; then flags=(--allow-run-as-root --oversubscribe); fi
export OMP_NUM_THREADS=1
start=$(date +%s)
mpirun -n "$ranks" "${flags[@]}" build/release/bin/because pipeline --job jobs/demo.ini --run "$run"
echo "demo finished in $(( $(date +%s) - start ))s; outputs in $run"
