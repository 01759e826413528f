#!/usr/bin/env bash
# An array job over two small corpora (explain then merge, task i of merge after task i of
# explain): each task's store verifies and holds its own corpus.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/cluster.sh"
source "$here/e2e_common.sh"
slurm_need_commands "$exe" explain merge "store verify" "store digest"
slurm_cluster_start
work=$SLURM_TEST_DIR/work
mkdir -p "$work"
e2e_slice "$work/part a.jsonl" 1 40
e2e_slice "$work/part b.jsonl" 41 40
e2e_job "$work/job.ini" "$sample"
run=$work/array
cd "$src"
"$src/slurm/submit" "$work/job.ini" --run "$run" --stages explain,merge --ntasks-per-node 1 \
  --array-corpus "$work/part a.jsonl" --array-corpus "$work/part b.jsonl" --throttle 2
mapfile -t ids < <(awk '!/^#/ { print $2 }' "$run/jobs.txt")
check "two arrays (explain, merge)" test "${#ids[@]}" = 2
for id in "${ids[@]}"; do
  state=$(slurm_wait_job "$id" 1200)
  check "array $id completes (states $state)" test "$state" = COMPLETED
done
digests=()
for task in 000_part_a 001_part_b; do
  store=$run/tasks/$task/store.h5
  check "$task: store exists" test -f "$store"
  check "$task: store verifies" "$exe" store verify "$store"
  check "$task: store names its corpus" grep -qF "part" <<< "$("$exe" store inspect "$store" 2>&1)"
  digests+=("$(e2e_digest "$store")")
done
check "the two tasks stored different corpora" test -n "${digests[0]}" -a "${digests[0]}" != "${digests[1]:-}"
slurm_finish
