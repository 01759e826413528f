# stories260K explains the sample corpus with 1, 2 and 3 ranks: the merged stores are identical.
source "$(dirname "$0")/common.sh"
require_model
declare -A D
for n in 1 2 3; do
  mpirun_n "$n" "$BECAUSE_EXE" explain --run "$WORK/n$n" "${EXPLAIN_OPTS[@]}" > "$WORK/n$n.log" 2>&1 \
    || { cat "$WORK/n$n.log"; exit 1; }
  D[$n]="$(digest_of "$WORK/n$n")"
  echo "ranks $n: ${D[$n]}"
  test -f "$WORK/n$n/explain.json"
  for r in $(seq 0 $((n - 1))); do test -f "$WORK/n$n/stats/explain-rank-$r.json"; done
done
[ "${D[1]}" = "${D[2]}" ] && [ "${D[1]}" = "${D[3]}" ] || { echo "digests differ"; exit 1; }
# A second run on a finished run directory does nothing and keeps the digest.
"$BECAUSE_EXE" explain --run "$WORK/n1" "${EXPLAIN_OPTS[@]}" > "$WORK/again.log" 2>&1
grep -q "already done" "$WORK/again.log"
echo "OK"
