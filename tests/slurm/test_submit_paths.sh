#!/usr/bin/env bash
# slurm/submit through a real Slurm with the `check` stage (`because config` on every rank):
# a job file and a run directory whose names hold a space, quotes and shell metacharacters;
# two chained stages with 2 tasks; jobs.txt, per-stage logs with the banner; a stage that fails
# keeps its afterok dependant from ever starting.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/cluster.sh"
exe=${BECAUSE_EXE:?BECAUSE_EXE is set by ctest}
src=${BECAUSE_SOURCE_DIR:-$(cd "$here/../.." && pwd)}
slurm_cluster_start
export BECAUSE_EXE=$exe BECAUSE_SITE_CONF=/dev/null

# Names a shell would mangle if anything evaluated them.
odd=$SLURM_TEST_DIR/"it's a \"run\" \$(touch pwned) & ; \`x\` * % ?"
mkdir -p "$odd/jobs dir"
job="$odd/jobs dir/my job.ini"
printf '[explain]\nmax_new_tokens = 13\n' > "$job"
run="$odd/run 1"
cd "$SLURM_TEST_DIR"
out=$("$src/slurm/submit" "$job" --run "$run" --stages check,check --ntasks-per-node 2 -- --explain.samples=3 2>&1)
rc=$?
echo "$out"
check "submit succeeds" test "$rc" = 0
check "submit prints the run directory" grep -qF "run directory: $run" <<< "$out"
ids=($(awk '$1 == "check" { print $2 }' "$run/jobs.txt" 2>/dev/null))
check "jobs.txt holds the two job ids" test "${#ids[@]}" = 2
for id in "${ids[@]}"; do
  state=$(slurm_wait_job "$id" 180)
  check "job $id completes (state $state)" test "$state" = COMPLETED
done
end0=$(slurm_job_field "${ids[0]}" EndTime) start1=$(slurm_job_field "${ids[1]}" StartTime)
check "second stage started ($start1) after the first ended ($end0)" test -n "$end0" -a ! "$start1" \< "$end0"
for id in "${ids[@]}"; do
  log="$run/logs/because-check_$id.out"
  check "log $log exists" test -f "$log"
  [[ -f $log ]] || continue
  cat "$log"
  check "banner: job id" grep -q "== because check: job $id" "$log"
  check "banner: nodes and 2 tasks" grep -q "nodes 1: $SLURM_TEST_NODE; tasks 2" "$log"
  check "banner: because version" grep -qE '^\[.*\]    because [0-9]+\.[0-9]+\.[0-9]+' "$log"
  check "banner: the odd job file path, verbatim" grep -qF "job file $job" "$log"
  check "the job file reached because (max_new_tokens = 13)" grep -q '^max_new_tokens = 13' "$log"
  check "options after -- reached because (samples = 3)" grep -q '^samples = 3' "$log"
  check "the run directory reached because verbatim" grep -qF "run = $run" "$log"
  check "stage finished" grep -q '== because check finished' "$log"
done
check "nothing evaluated a path (no file 'pwned')" test ! -e "$SLURM_TEST_DIR/pwned" -a ! -e "$odd/pwned" -a ! -e "$src/pwned"

# A failing first stage: the job file disappears while the chain is held; the dependant never runs.
run2="$odd/run 2"
out=$("$src/slurm/submit" "$job" --run "$run2" --stages check,check --hold 2>&1)
echo "$out"
ids=($(awk '$1 == "check" { print $2 }' "$run2/jobs.txt" 2>/dev/null))
check "held chain submitted" test "${#ids[@]}" = 2
if ((${#ids[@]} == 2)); then
  check "dependency recorded as afterok on the first job" grep -q "afterok:${ids[0]}" <<< "$(slurm_job_field "${ids[1]}" Dependency)"
  mv "$job" "$job.gone"
  scontrol release "${ids[0]}" "${ids[1]}"
  state=$(slurm_wait_job "${ids[0]}" 120)
  check "first stage fails without its job file (state $state)" test "$state" = FAILED
  check "its exit status is 2 (configuration error)" test "$(slurm_job_field "${ids[0]}" ExitCode)" = 2:0
  check "its log says why" grep -q "cannot read job file" "$run2/logs/because-check_${ids[0]}.out"
  for ((i = 0; i < 20; ++i)); do
    reason=$(slurm_job_field "${ids[1]}" Reason)
    [[ $reason == DependencyNeverSatisfied ]] && break
    sleep 1
  done
  check "the dependant never starts (state $(slurm_job_field "${ids[1]}" JobState), reason $reason)" \
    test "$(slurm_job_field "${ids[1]}" JobState)" = PENDING -a "$reason" = DependencyNeverSatisfied
  mv "$job.gone" "$job"
fi

# Bad input is refused before anything is submitted.
out=$("$src/slurm/submit" "$job" --run "$odd/run 3" --stages check,nonsense 2>&1); rc=$?
check "unknown stage refused with status 2" test "$rc" = 2 -a -n "$(grep "unknown stage 'nonsense'" <<< "$out")"
printf '[explain]\nbogus = 1\n' > "$odd/bad.ini"
out=$("$src/slurm/submit" "$odd/bad.ini" --run "$odd/run 4" --stages check 2>&1); rc=$?
echo "$out"
check "invalid job file refused at submit time" test "$rc" = 2 -a ! -e "$odd/run 4/jobs.txt"
slurm_finish
