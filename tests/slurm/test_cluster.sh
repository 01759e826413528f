#!/usr/bin/env bash
# The harness itself: a real one-node Slurm comes up, runs a batch job whose 2 tasks start
# under srun --mpi=pmix as MPI ranks of because, and the stage scripts refuse to run outside
# an allocation.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/cluster.sh"
exe=${BECAUSE_EXE:?BECAUSE_EXE is set by ctest}
src=${BECAUSE_SOURCE_DIR:-$(cd "$here/../.." && pwd)}

# Outside an allocation every stage script refuses, with a clear message and status 2.
for script in "$src"/slurm/*.sbatch; do
  out=$(env -u SLURM_JOB_ID bash "$script" job.ini run 2>&1); rc=$?
  check "$(basename "$script") refuses outside an allocation" \
    test "$rc" = 2 -a -n "$(grep 'not inside a Slurm allocation' <<< "$out")"
done

slurm_cluster_start
work=$SLURM_TEST_DIR/work
mkdir -p "$work"
check "sinfo shows the node idle" test "$(sinfo -h -o %T)" = idle

# Two MPI ranks of because under srun --mpi=pmix: `because config` runs MPI_Init through PMIx.
cat > "$work/mpi.sh" <<EOS
#!/usr/bin/env bash
#SBATCH --ntasks=2   # two ranks
set -euo pipefail
srun --mpi=pmix --kill-on-bad-exit=1 bash -c 'echo "rank \$PMIX_RANK of \$SLURM_NTASKS"; exec "\$0" config --log-level=info' "$exe"
EOS
id=$(sbatch --parsable --output="$work/mpi.out" "$work/mpi.sh")
state=$(slurm_wait_job "$id" 120)
cat "$work/mpi.out"
check "batch job with 2 pmix ranks completes (state $state)" test "$state" = COMPLETED
check "both ranks started" test "$(grep -c '^rank [01] of 2' "$work/mpi.out")" = 2
check "because config ran under srun (config hash printed)" grep -q '^# config hash ' "$work/mpi.out"
slurm_finish
