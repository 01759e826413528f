# Kill and resume: SIGKILL one rank of a 2-rank run at random moments (10 runs), SIGUSR1 to every
# rank (graceful, exit 75), then resume; the final digest equals the uninterrupted run's.
source "$(dirname "$0")/common.sh"
require_model
mpirun_n 1 "$BECAUSE_EXE" explain --run "$WORK/ref" "${EXPLAIN_OPTS[@]}" > "$WORK/ref.log" 2>&1 || { cat "$WORK/ref.log"; exit 1; }
REF="$(digest_of "$WORK/ref")"
RUN="$WORK/killed"
kills=0
for i in $(seq 1 10); do
  mpirun_n 2 "$BECAUSE_EXE" explain --run "$RUN" "${EXPLAIN_OPTS[@]}" > "$WORK/k$i.log" 2>&1 &
  launcher=$!
  sleep "0.$((RANDOM % 9 + 1))"
  # One rank (a child `because` process of this launch) gets SIGKILL.
  victim="$(pgrep -f "because explain --run $RUN" | grep -v "^$launcher\$" | shuf -n 1 || true)"
  if [ -n "$victim" ]; then kill -KILL "$victim" 2>/dev/null && kills=$((kills + 1)) || true; fi
  wait "$launcher" || true
done
echo "SIGKILLed a rank in $kills of 10 runs"
# Graceful: SIGUSR1 to every rank; the run stops with status 75 (unless it finished first).
mpirun_n 2 "$BECAUSE_EXE" explain --run "$RUN" "${EXPLAIN_OPTS[@]}" > "$WORK/usr1.log" 2>&1 &
launcher=$!
# Signal once both ranks have installed their handlers (SigCgt has bit 10, SIGUSR1): before that
# the process is still loading its libraries and SIGUSR1 has its default action (Slurm signals
# 120 s before the time limit, long after start-up).
ranks=()
for _ in $(seq 1 400); do
  mapfile -t ranks < <(pgrep -f "^$BECAUSE_EXE explain --run $RUN" || true)
  ready=0
  for p in "${ranks[@]}"; do
    mask=$(awk '/^SigCgt:/ { print $2 }' "/proc/$p/status" 2>/dev/null || echo 0)
    (( (0x${mask:-0} >> 9) & 1 )) && ready=$((ready + 1))
  done
  [ "${#ranks[@]}" = 2 ] && [ "$ready" = 2 ] && break
  kill -0 "$launcher" 2>/dev/null || break
  sleep 0.05
done
echo "signalling ${#ranks[@]} ranks"
for p in "${ranks[@]}"; do kill -USR1 "$p" 2>/dev/null || true; done
set +e
wait "$launcher"
rc=$?
set -e
echo "after SIGUSR1: exit $rc"
[ "$rc" = 75 ] || [ "$rc" = 0 ] || { cat "$WORK/usr1.log"; exit 1; }
mpirun_n 2 "$BECAUSE_EXE" explain --run "$RUN" "${EXPLAIN_OPTS[@]}" > "$WORK/final.log" 2>&1 || { cat "$WORK/final.log"; exit 1; }
GOT="$(digest_of "$RUN")"
echo "reference $REF"
echo "resumed   $GOT"
[ "$REF" = "$GOT" ]
echo "OK"
