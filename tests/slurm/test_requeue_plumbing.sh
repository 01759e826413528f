#!/usr/bin/env bash
# The requeue path of the stage scripts through a real Slurm, with a stand-in for because that
# behaves like a stage under preemption (the real explain is exercised by test_e2e_requeue.sh):
# the first run of each rank waits for SIGUSR1/SIGTERM and exits 75 (checkpointed); a rerun on
# the same run directory finishes with 0. Checks: `scancel --signal=USR1` reaches every rank,
# exit 75 requeues the job with the same id, the requeued job resumes and completes, its log is
# appended (both banners), and the afterok dependant runs only after it. Then the same for an
# external `scontrol requeue` of a running job (SIGTERM to the ranks).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/cluster.sh"
src=${BECAUSE_SOURCE_DIR:-$(cd "$here/../.." && pwd)}
slurm_cluster_start
work=$SLURM_TEST_DIR/work
mkdir -p "$work"
cat > "$work/stage-standin" <<'EOS'
#!/usr/bin/env bash
# Stand-in for `because STAGE --job JOB --run RUN`: explain checkpoints on a signal the first time.
set -u
if [[ $1 == --version ]]; then echo "because 0.0.0 (requeue-test stand-in)"; exit 0; fi
if [[ $1 == config ]]; then exit 0; fi
stage=$1 run=$5 rank=${SLURM_PROCID:-0}
mkdir -p "$run"
if [[ $stage == explain ]]; then
  if [[ -e $run/checkpoint.$rank ]]; then
    echo "rank $rank resumed from its checkpoint"; touch "$run/done.$rank"; exit 0
  fi
  trap 'echo "rank $rank checkpointing"; touch "$run/checkpoint.$rank"; exit 75' USR1 TERM
  touch "$run/started.$rank"
  while :; do sleep 0.2; done
fi
# Any later stage: only valid once every explain rank has finished.
ls "$run"/done.* > /dev/null 2>&1 || { echo "$stage ran before explain finished"; exit 1; }
touch "$run/$stage.ran"
EOS
chmod +x "$work/stage-standin"
printf '[explain]\nmax_new_tokens = 12\n' > "$work/job.ini"
export BECAUSE_EXE=$work/stage-standin BECAUSE_SITE_CONF=/dev/null

wait_started() {  # wait_started RUN: both ranks running
  local i
  for ((i = 0; i < 120; ++i)); do
    [[ -e $1/started.0 && -e $1/started.1 ]] && return 0
    sleep 0.5
  done
  return 1
}

for how in signal requeue; do
  run="$work/run $how"
  "$src/slurm/submit" "$work/job.ini" --run "$run" --stages explain,merge --ntasks-per-node 2 --no-validate
  ids=($(awk '$1 == "explain" || $1 == "merge" { print $2 }' "$run/jobs.txt"))
  check "$how: two jobs submitted" test "${#ids[@]}" = 2
  ((${#ids[@]} == 2)) || continue
  check "$how: explain running on 2 ranks" wait_started "$run"
  if [[ $how == signal ]]; then
    scancel --signal=USR1 "${ids[0]}"       # what --signal=USR1@120 does before the time limit
  else
    scontrol requeue "${ids[0]}"            # an operator's (or preemption's) requeue: SIGTERM
  fi
  state=$(slurm_wait_job "${ids[1]}" 240)
  check "$how: dependant completes (state $state)" test "$state" = COMPLETED
  check "$how: explain completes after requeue ($(slurm_job_field "${ids[0]}" JobState))" test "$(slurm_job_field "${ids[0]}" JobState)" = COMPLETED
  check "$how: explain was restarted once (Restarts=$(slurm_job_field "${ids[0]}" Restarts))" test "$(slurm_job_field "${ids[0]}" Restarts)" = 1
  check "$how: both ranks checkpointed" test -e "$run/checkpoint.0" -a -e "$run/checkpoint.1"
  check "$how: both ranks resumed" test -e "$run/done.0" -a -e "$run/done.1"
  check "$how: merge ran after explain" test -e "$run/merge.ran"
  log="$run/logs/because-explain_${ids[0]}.out"
  cat "$log"
  check "$how: log appended across the requeue (restart 0 and restart 1 banners)" \
    test "$(grep -c "== because explain: job ${ids[0]}, restart [01]$" "$log")" = 2
  if [[ $how == signal ]]; then
    check "signal: the script requeued the job on status 75" grep -q "checkpointed (status 75): requeueing job ${ids[0]}" "$log"
  fi
done
slurm_finish
