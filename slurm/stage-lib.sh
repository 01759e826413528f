# shellcheck shell=bash
# Shared body of the per-stage sbatch scripts (sourced by slurm/*.sbatch inside an allocation).
#
#   because_stage STAGE JOB.ini RUN [because options...]
#
# Prints a banner (job id, nodes, tasks, date, because version), loads the site's modules,
# runs `srun --mpi=$BECAUSE_SRUN_MPI because STAGE --job JOB.ini --run RUN [options]` and maps
# the program's exit status to Slurm:
#   0   the stage finished: the job completes and `afterok` dependants start;
#   75  the program checkpointed after SIGUSR1/SIGTERM (time limit near, preemption): the
#       script requeues its own job with `scontrol requeue`; the requeued job runs the same
#       command on the same run directory, which resumes; dependants keep waiting;
#   any other status: the job fails with it (2: configuration error) and dependants never start.
# Every path and option is passed as one argument word: nothing user-supplied is evaluated.
#
# Environment (set by slurm/submit from slurm/site.conf; all optional when calling sbatch directly):
#   BECAUSE_EXE          the because executable (default: `because` on PATH)
#   BECAUSE_SRUN_MPI     srun --mpi plugin (default: pmix; Debian's OpenMPI needs pmix)
#   BECAUSE_SRUN_ARGS    extra srun options, split on whitespace (e.g. "--cpu-bind=cores")
#   BECAUSE_MODULES      environment modules to load, split on whitespace
#   BECAUSE_ENV_SCRIPT   a site file sourced before the run (e.g. to activate a toolchain)
#   BECAUSE_ARRAY_OFFSET index of array task 0 in RUN/array.manifest (slurm/submit --array-*)

# bstage_say MESSAGE: one log line with a time stamp.
bstage_say() { printf '[%s] %s\n' "$(date '+%F %T')" "$*"; }

bstage_die() {  # bstage_die STATUS MESSAGE
  local status=$1; shift
  printf '%s: %s\n' "${BSTAGE_NAME:-because stage}" "$*" >&2
  exit "$status"
}

# bstage_array_entry RUN INDEX: sets BSTAGE_KIND, BSTAGE_PATH, BSTAGE_TASK from the manifest
# RUN/array.manifest written by slurm/submit (NUL-separated records: kind, path, name).
bstage_array_entry() {
  local manifest=$1/array.manifest index=$2 fields=()
  [[ -f $manifest ]] || bstage_die 2 "array task $index: no array manifest '$manifest' (submit arrays with slurm/submit --array-*)"
  mapfile -d '' -t fields < "$manifest"
  local n=$((${#fields[@]} / 3))
  ((index >= 0 && index < n)) || bstage_die 2 "array task $index: manifest '$manifest' has $n entries"
  BSTAGE_KIND=${fields[3 * index]}
  BSTAGE_PATH=${fields[3 * index + 1]}
  BSTAGE_TASK=${fields[3 * index + 2]}
}

bstage_load_site() {
  if [[ -n ${BECAUSE_MODULES:-} ]]; then
    local modules=()
    read -r -a modules <<< "$BECAUSE_MODULES"
    if ! type module > /dev/null 2>&1; then
      # Batch shells are not login shells: the module command may need its init script.
      local init
      for init in /etc/profile.d/lmod.sh /etc/profile.d/modules.sh /usr/share/lmod/lmod/init/bash; do
        if [[ -f $init ]]; then
          set +u
          # shellcheck disable=SC1090
          source "$init"
          set -u
          break
        fi
      done
    fi
    type module > /dev/null 2>&1 || bstage_die 2 "BECAUSE_MODULES is set (${BECAUSE_MODULES}) but there is no 'module' command on $(hostname)"
    bstage_say "module load ${modules[*]}"
    set +u
    module load "${modules[@]}"
    set -u
  fi
  if [[ -n ${BECAUSE_ENV_SCRIPT:-} ]]; then
    [[ -f $BECAUSE_ENV_SCRIPT ]] || bstage_die 2 "BECAUSE_ENV_SCRIPT '$BECAUSE_ENV_SCRIPT' does not exist"
    bstage_say "source $BECAUSE_ENV_SCRIPT"
    set +u
    # shellcheck disable=SC1090
    source "$BECAUSE_ENV_SCRIPT"
    set -u
  fi
}

because_stage() {
  local stage=$1
  shift
  BSTAGE_NAME="$stage.sbatch"
  [[ -n ${SLURM_JOB_ID:-} ]] || bstage_die 2 "not inside a Slurm allocation: submit with slurm/submit or sbatch (run locally with mpirun, see slurm/README.md)"
  (($# >= 2)) || bstage_die 2 "usage: sbatch [sbatch options] slurm/$stage.sbatch JOB.ini RUN [because options...]"
  local job=$1 run=$2
  shift 2
  local extra=("$@")
  # `check` runs `because config` on every rank: the job file, the binary and the MPI launch.
  local command=$stage
  [[ $stage == check ]] && command=config

  local task_label=""
  if [[ -n ${SLURM_ARRAY_TASK_ID:-} ]]; then
    local index=$((SLURM_ARRAY_TASK_ID + ${BECAUSE_ARRAY_OFFSET:-0}))
    bstage_array_entry "$run" "$index"
    case $BSTAGE_KIND in
      corpus) extra=("--corpus.path=$BSTAGE_PATH" "${extra[@]}") ;;
      job) job=$BSTAGE_PATH ;;
      *) bstage_die 2 "array task $index: unknown entry kind '$BSTAGE_KIND' in $run/array.manifest" ;;
    esac
    run=$run/tasks/$BSTAGE_TASK
    task_label=" array ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID} (entry $index: $BSTAGE_KIND $BSTAGE_PATH)"
  fi

  bstage_load_site
  local exe=${BECAUSE_EXE:-because}
  command -v -- "$exe" > /dev/null 2>&1 || bstage_die 2 "cannot run '$exe' on $(hostname): set BECAUSE_EXE or 'because =' in slurm/site.conf, or put because on PATH"
  [[ -r $job ]] || bstage_die 2 "cannot read job file '$job' on $(hostname)"

  local version
  version=$("$exe" --version 2>&1) || bstage_die 2 "'$exe --version' failed: $version"
  version=${version%%$'\n'*}
  bstage_say "== because $stage: job ${SLURM_JOB_ID}${task_label}, restart ${SLURM_RESTART_COUNT:-0}"
  bstage_say "   nodes ${SLURM_JOB_NUM_NODES:-1}: ${SLURM_JOB_NODELIST:-?}; tasks ${SLURM_NTASKS:-1}; GPUs per task ${SLURM_GPUS_PER_TASK:-0}; partition ${SLURM_JOB_PARTITION:-?}"
  bstage_say "   date $(date -Is)"
  bstage_say "   $version ($exe)"
  bstage_say "   job file $job"
  bstage_say "   run directory $run"
  bstage_say "   working directory $PWD"

  local mpi=${BECAUSE_SRUN_MPI:-pmix} srun_args=()
  read -r -a srun_args <<< "${BECAUSE_SRUN_ARGS:-}"
  local cmd=(srun "--mpi=$mpi" --kill-on-bad-exit=1 "${srun_args[@]}" "$exe" "$command" --job "$job" --run "$run" "${extra[@]}")
  bstage_say "   $(printf '%q ' "${cmd[@]}")"
  local status=0
  "${cmd[@]}" || status=$?

  case $status in
    0)
      bstage_say "== because $stage finished" ;;
    75)
      bstage_say "== because $stage checkpointed (status 75): requeueing job $SLURM_JOB_ID to resume"
      if scontrol requeue "$SLURM_JOB_ID"; then
        # Slurm ends this allocation and puts the job back in the queue with the same id.
        exit 75
      fi
      bstage_say "   scontrol requeue failed (Slurm may be requeueing the job itself after preemption); resubmit with slurm/submit to resume"
      exit 75 ;;
    *)
      bstage_say "== because $stage failed with status $status"
      exit "$status" ;;
  esac
}
