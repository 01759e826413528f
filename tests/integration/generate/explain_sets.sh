# Two explain sets in one run (label-guided as set "explain", label-free as --explain.name=free)
# merge into one store: every instance keeps its human explanations once, then the guided one,
# then one per label from the free set; 1 and 2 merging ranks give the same digest; the store
# verifies; a changed configuration for a set with work is refused on every rank (exit 2).
source "$(dirname "$0")/common.sh"
require_model
RUN="$WORK/sets"
mpirun_n 2 "$BECAUSE_EXE" explain --run "$RUN" "${EXPLAIN_OPTS[@]}" > "$WORK/guided.log" 2>&1 || { cat "$WORK/guided.log"; exit 1; }
mpirun_n 2 "$BECAUSE_EXE" explain --run "$RUN" "${EXPLAIN_OPTS[@]}" --explain.name=free --explain.mode=label-free \
  > "$WORK/free.log" 2>&1 || { cat "$WORK/free.log"; exit 1; }
test -d "$RUN/shards/explain" && test -d "$RUN/shards/explain-free" && test -f "$RUN/explain-free.json"
# Another configuration for a set with committed work: every rank stops with status 2 at once
# (rank 0 checks the ledgers; the others must not wait for it).
set +e
timeout 120 "${BECAUSE_MPIEXEC:-mpiexec}" -n 2 "${MPI_FLAGS[@]}" "$BECAUSE_EXE" explain --run "$RUN" "${EXPLAIN_OPTS[@]}" \
  --explain.name=free --explain.mode=label-free --explain.top_k=5 > "$WORK/changed.log" 2>&1
rc=$?
set -e
[ "$rc" = 2 ] || { cat "$WORK/changed.log"; echo "changed configuration: expected exit 2, got $rc"; exit 1; }
grep -q "configuration changed" "$WORK/changed.log"
"$BECAUSE_EXE" merge --run "$RUN" > "$WORK/m1.log" 2>&1 || { cat "$WORK/m1.log"; exit 1; }
D1="$("$BECAUSE_EXE" store digest "$RUN/store.h5" | tail -n 1 | awk '{print $1}')"
mpirun_n 2 "$BECAUSE_EXE" merge --run "$RUN" > "$WORK/m2.log" 2>&1 || { cat "$WORK/m2.log"; exit 1; }
D2="$("$BECAUSE_EXE" store digest "$RUN/store.h5" | tail -n 1 | awk '{print $1}')"
echo "merge digests: 1 rank $D1, 2 ranks $D2"
[ "$D1" = "$D2" ]
"$BECAUSE_EXE" store verify "$RUN/store.h5" > "$WORK/verify.log" 2>&1 || { cat "$WORK/verify.log"; exit 1; }
/usr/bin/python3 - "$RUN/store.h5" "$BECAUSE_SOURCE_DIR/data/sample/sample.jsonl" <<'PY'
import json, sys
import h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
e = f["explanations"]
inst = np.asarray(e["instance"])
assert (np.diff(inst) >= 0).all(), "explanations not sorted by instance"
names = [n.decode() if isinstance(n, bytes) else n for n in e["source"].attrs["names"]]
src = np.array([names[c] for c in np.asarray(e["source"])])
label = np.asarray(e["label"])
n = f["instances/row"].shape[0]
human = [len(json.loads(l).get("explanations", [])) for l in open(sys.argv[2]) if l.strip()]
assert n == len(human) == 246, (n, len(human))
for i in range(n):
    s = list(src[inst == i]); l = list(label[inst == i])
    h = s.count("human")
    assert s[:h] == ["human"] * h and h == human[i], (i, s, human[i])
    assert s[h:] == ["one_sentence", "free", "free", "free"], (i, s)
    assert l[h + 1:] == [0, 1, 2], (i, l)
print("instances", n, "explanations", len(inst), "sources", sorted(set(src)))
PY
echo "OK"
