#!/usr/bin/env bash
# slurm/submit runs explain, merge, train and reduce on the sample corpus with 2 tasks per job,
# chained with afterok; the store verifies and the metrics appear.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/cluster.sh"
source "$here/e2e_common.sh"
slurm_need_commands "$exe" explain merge train reduce "store verify"
slurm_cluster_start
work=$SLURM_TEST_DIR/work
mkdir -p "$work"
e2e_job "$work/job.ini" "$sample"
run=$work/run
cd "$src"
"$src/slurm/submit" "$work/job.ini" --run "$run" --stages explain,merge,train,reduce --ntasks-per-node 2
check "submit succeeded" test -f "$run/jobs.txt"
mapfile -t ids < <(awk '!/^#/ { print $2 }' "$run/jobs.txt")
check "four jobs" test "${#ids[@]}" = 4
for id in "${ids[@]}"; do
  state=$(slurm_wait_job "$id" 1200)
  check "job $id ($(slurm_job_field "$id" JobName)) completes (state $state)" test "$state" = COMPLETED
done
cat "$run"/logs/*.out | tail -n 60
check "each job ran 2 tasks" test "$(grep -h 'tasks 2;' "$run"/logs/*.out | wc -l)" -ge 4
check "store exists" test -f "$run/store.h5"
check "store verifies" "$exe" store verify "$run/store.h5"
check "metrics.json exists and parses" /usr/bin/python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); assert m' "$run/metrics.json"
slurm_finish
