#!/usr/bin/env bash
# slurm/submit --array-* through a real Slurm whose MaxArraySize is 2, with the `check` stage:
# three entries (two corpora, one of them with a space and a quote in its name, and a job file)
# become two arrays per stage (indices 0-1 and 0), throttled with %1; the second stage's tasks
# wait for the matching task of the first (aftercorr); each task sees its own corpus or job file
# and run directory RUN/tasks/NAME, and logs to RUN/logs/%x_%A_%a.out.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/cluster.sh"
exe=${BECAUSE_EXE:?BECAUSE_EXE is set by ctest}
src=${BECAUSE_SOURCE_DIR:-$(cd "$here/../.." && pwd)}
slurm_cluster_start MaxArraySize=2
export BECAUSE_EXE=$exe BECAUSE_SITE_CONF=/dev/null
work=$SLURM_TEST_DIR/work
mkdir -p "$work"
printf '[explain]\nmax_new_tokens = 11\n' > "$work/base.ini"
printf '[explain]\nmax_new_tokens = 22\n' > "$work/other.ini"
printf '%s\n' "# corpora and job files, one per line" "$work/first.jsonl" "" "$work/second corpus's.jsonl" "$work/other.ini" > "$work/list.txt"
run=$work/array-run
out=$("$src/slurm/submit" "$work/base.ini" --run "$run" --stages check,check --array-list "$work/list.txt" --throttle 1 --hold 2>&1)
rc=$?
echo "$out"
check "submit succeeds" test "$rc" = 0
mapfile -t lines < <(grep '^check ' "$run/jobs.txt")
check "two stages x two arrays submitted" test "${#lines[@]}" = 4
check "arrays split at MaxArraySize with throttle" \
  test "$(awk '$1 == "check" { print $3, $4 }' "$run/jobs.txt" | sort | uniq -c | awk '{ print $1 ":" $2 ":" $3 }' | paste -sd' ')" = "2:array=0-0%1:offset=2 2:array=0-1%1:offset=0"
ids=($(awk '$1 == "check" { print $2 }' "$run/jobs.txt"))
((${#ids[@]} == 4)) || slurm_finish
dep() { scontrol -o show job "$1" | tr ' ' '\n' | sed -n 's/^Dependency=//p' | head -n 1; }
check "stage 2 array 1 waits on the matching tasks of stage 1 array 1 (aftercorr)" grep -q "aftercorr:${ids[0]}" <<< "$(dep "${ids[2]}")"
check "stage 2 array 2 waits on the matching tasks of stage 1 array 2 (aftercorr)" grep -q "aftercorr:${ids[1]}" <<< "$(dep "${ids[3]}")"
scontrol release "${ids[@]}"
for id in "${ids[@]}"; do
  state=$(slurm_wait_job "$id" 240)
  check "array $id completes (states $state)" test "$state" = COMPLETED
done
# Entry e of stage s is task (e - offset) of array ids[2*s + (e >= 2)].
expect_path=("$work/first.jsonl" "$work/second corpus's.jsonl" "")
expect_tokens=(11 11 22)
names=(000_first "001_second_corpus_s" 002_other)
for s in 0 1; do
  for e in 0 1 2; do
    b=$((e >= 2)); t=$((e - 2 * b)); id=${ids[2 * s + b]}
    log="$run/logs/because-check_${id}_$t.out"
    check "log of stage $s entry $e exists ($log)" test -f "$log"
    [[ -f $log ]] || continue
    check "entry $e: task's run directory" grep -qF "run = $run/tasks/${names[e]}" "$log"
    check "entry $e: job file's value reached because" grep -q "^max_new_tokens = ${expect_tokens[e]}" "$log"
    if [[ -n ${expect_path[e]} ]]; then
      check "entry $e: corpus path reached because verbatim" grep -qxF "path = ${expect_path[e]}" "$log"
    else
      check "entry $e: job file entry ran with that job file" grep -qF "job file $work/other.ini" "$log"
    fi
  done
done
slurm_finish
