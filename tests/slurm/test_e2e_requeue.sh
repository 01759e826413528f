#!/usr/bin/env bash
# A running explain job gets SIGUSR1 (what --signal=USR1@120 sends before the time limit):
# the ranks checkpoint and exit 75, the script requeues the job, the requeued job resumes on the
# same run directory, merge follows (afterok), and the store's digest equals the digest of an
# uninterrupted run of the same job under mpirun.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/cluster.sh"
source "$here/e2e_common.sh"
slurm_need_commands "$exe" explain merge "store digest"
work=$(mktemp -d /tmp/because-e2e-requeue.XXXXXX)
# A corpus large enough that explain is still running when the signal comes: the sample
# corpus 6 times, with distinct uids.
for copy in 1 2 3 4 5 6; do
  sed "s/\"uid\": \"\\([^\"]*\\)\"/\"uid\": \"\\1-copy$copy\"/" "$sample"
done > "$work/corpus.jsonl"
e2e_job "$work/job.ini" "$work/corpus.jsonl"
opts=(--explain.mode=label-free --explain.max_new_tokens=32)
cd "$src"

# The uninterrupted reference, under mpirun with 2 ranks.
IFS=';' read -r -a mpiflags <<< "${BECAUSE_MPIEXEC_FLAGS:-}"
mpiexec=${BECAUSE_MPIEXEC:-mpiexec}
t0=$SECONDS
"$mpiexec" -n 2 "${mpiflags[@]}" "$exe" explain --job "$work/job.ini" --run "$work/ref" "${opts[@]}" &&
  "$mpiexec" -n 2 "${mpiflags[@]}" "$exe" merge --job "$work/job.ini" --run "$work/ref" "${opts[@]}" ||
  { echo "FAIL: the reference run failed"; exit 1; }
echo "reference run took $((SECONDS - t0)) s"
ref=$(e2e_digest "$work/ref/store.h5")
check "reference digest" test -n "$ref"

slurm_cluster_start
run=$work/slurm
"$src/slurm/submit" "$work/job.ini" --run "$run" --stages explain,merge --ntasks-per-node 2 -- "${opts[@]}"
mapfile -t ids < <(awk '!/^#/ { print $2 }' "$run/jobs.txt" 2>/dev/null)
check "two jobs" test "${#ids[@]}" = 2
((${#ids[@]} == 2)) || slurm_finish
# Signal as soon as explain has committed its first work (a shard file exists) while running.
signalled=0
for ((i = 0; i < 600; ++i)); do
  state=$(slurm_job_field "${ids[0]}" JobState)
  if [[ $state == RUNNING ]] && compgen -G "$run/shards/*" > /dev/null; then
    scancel --signal=USR1 "${ids[0]}" && signalled=1
    break
  fi
  [[ $state == PENDING || $state == RUNNING || $state == CONFIGURING ]] || break
  sleep 0.2
done
check "explain was signalled while running (state then: $state)" test "$signalled" = 1
for id in "${ids[@]}"; do
  state=$(slurm_wait_job "$id" 1200)
  check "job $id completes (state $state)" test "$state" = COMPLETED
done
log="$run/logs/because-explain_${ids[0]}.out"
tail -n 40 "$log"
check "explain exited 75 and was requeued by its script" grep -q "checkpointed (status 75): requeueing job ${ids[0]}" "$log"
check "explain restarted once (Restarts=$(slurm_job_field "${ids[0]}" Restarts))" test "$(slurm_job_field "${ids[0]}" Restarts)" = 1
check "the log continued across the restart" grep -q "== because explain: job ${ids[0]}, restart 1" "$log"
got=$(e2e_digest "$run/store.h5")
check "digest after requeue ($got) equals the uninterrupted run's ($ref)" test -n "$got" -a "$got" = "$ref"
[[ ${SLURM_FAILS} == 0 ]] && rm -rf -- "$work"
slurm_finish
