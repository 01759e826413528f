# `because judge` on the second study's 341 items with the expert explanations as comments and
# stories260K: runs end to end with 2 ranks, merges into /judgments/mjd, every distribution sums
# to one; the baseline without explanations is a second judgment set.
source "$(dirname "$0")/common.sh"
require_model
MJD="$BECAUSE_SHARED/data/mjd/NLI_explanations.json"
[ -f "$MJD" ] || { echo "SKIP: $MJD absent"; exit 77; }
OPTS=(--corpus.path="$MJD" --corpus.dataset=mjd --corpus.chunk_rows=64 --model.path="$MODEL" --threads=1
      --progress-interval=1000 --judge.comments=human)
mpirun_n 2 "$BECAUSE_EXE" judge --run "$WORK/j" "${OPTS[@]}" --judge.name=mjd \
  --judge.prompt="$BECAUSE_SOURCE_DIR/jobs/prompts/judge_mc.txt" > "$WORK/judge.log" 2>&1 || { cat "$WORK/judge.log"; exit 1; }
"$BECAUSE_EXE" merge --run "$WORK/j" > "$WORK/merge.log" 2>&1 || { cat "$WORK/merge.log"; exit 1; }
/usr/bin/python3 - "$WORK/j/store.h5" <<'PY'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
g = f["judgments/mjd"]
probs = np.asarray(g["probs"])
assert probs.shape == (341, 3), probs.shape
ok = np.isfinite(probs).all(axis=1)
assert ok.sum() >= 300, ok.sum()
assert np.allclose(probs[ok].sum(axis=1), 1.0, atol=1e-5)
print("judged", int(ok.sum()), "of", len(probs), "mean distribution", probs[ok].mean(axis=0))
PY
echo "OK"
