#!/usr/bin/env bash
# A run directory with a space and a quote in its name: explain and merge under Slurm write a
# store there that verifies.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/cluster.sh"
source "$here/e2e_common.sh"
slurm_need_commands "$exe" explain merge "store verify"
slurm_cluster_start
work=$SLURM_TEST_DIR/work
mkdir -p "$work"
e2e_slice "$work/small.jsonl" 1 32
e2e_job "$work/job.ini" "$work/small.jsonl"
run="$work/it's a run dir"
cd "$src"
"$src/slurm/submit" "$work/job.ini" --run "$run" --stages explain,merge --ntasks-per-node 2
mapfile -t ids < <(awk '!/^#/ { print $2 }' "$run/jobs.txt" 2>/dev/null)
check "two jobs" test "${#ids[@]}" = 2
for id in "${ids[@]}"; do
  state=$(slurm_wait_job "$id" 900)
  check "job $id completes (state $state)" test "$state" = COMPLETED
done
check "logs inside the odd run directory" test "$(ls "$run/logs" | wc -l)" = 2
check "store in the odd run directory" test -f "$run/store.h5"
check "store verifies" "$exe" store verify "$run/store.h5"
slurm_finish
