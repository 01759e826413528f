# `because judge` on the second study's 341 items with stories260K and 2 ranks, merged into
# /judgments/NAME of one store:
# - with the expert explanations as comments: items whose prompt exceeds the model's 512-token
#   context are item errors (prompt_too_long), every other item gets a distribution summing to
#   one, and judged + errors = 341 (nothing lost, no other error);
# - the baseline without explanations is a second judgment set (only the longest premises exceed
#   the context there).
source "$(dirname "$0")/common.sh"
require_model
MJD="$BECAUSE_SHARED/data/mjd/NLI_explanations.json"
[ -f "$MJD" ] || { echo "SKIP: $MJD absent"; exit 77; }
OPTS=(--corpus.path="$MJD" --corpus.dataset=mjd --corpus.chunk_rows=64 --model.path="$MODEL" --threads=1
      --progress-interval=1000 --judge.comments=human)
mpirun_n 2 "$BECAUSE_EXE" judge --run "$WORK/j" "${OPTS[@]}" --judge.name=mjd \
  --judge.prompt="$BECAUSE_SOURCE_DIR/jobs/prompts/judge_mc.txt" > "$WORK/judge.log" 2>&1 || { cat "$WORK/judge.log"; exit 1; }
"$BECAUSE_EXE" merge --run "$WORK/j" > "$WORK/merge.log" 2>&1 || { cat "$WORK/merge.log"; exit 1; }
# The baseline reads the instances from the merged store and is added to it.
mpirun_n 2 "$BECAUSE_EXE" judge --run "$WORK/j" "${OPTS[@]}" --judge.name=mjd_plain --judge.with_explanations=false \
  --judge.prompt="$BECAUSE_SOURCE_DIR/jobs/prompts/judge_mc_baseline.txt" > "$WORK/plain.log" 2>&1 || { cat "$WORK/plain.log"; exit 1; }
"$BECAUSE_EXE" merge --run "$WORK/j" --sets judge-mjd_plain > "$WORK/merge2.log" 2>&1 || { cat "$WORK/merge2.log"; exit 1; }
/usr/bin/python3 - "$WORK/j" <<'PY'
import glob, json, sys
import h5py, numpy as np
run = sys.argv[1]
f = h5py.File(run + "/store.h5", "r")
def judged(name):
    probs = np.asarray(f["judgments/" + name]["probs"])
    assert probs.shape == (341, 3), probs.shape
    ok = np.isfinite(probs).all(axis=1)
    assert np.allclose(probs[ok].sum(axis=1), 1.0, atol=1e-5)
    return probs, ok
def errors_of(name):
    errors = {}
    for p in glob.glob(run + "/stats/judge-" + name + "-rank-*.json"):
        for k, v in json.load(open(p)).get("errors", {}).items():
            errors[k] = errors.get(k, 0) + v
    return errors
for name, at_least in (("mjd", 100), ("mjd_plain", 330)):
    probs, ok = judged(name)
    errors = errors_of(name)
    print(name, "judged", int(ok.sum()), "of 341; item errors", errors, "; mean distribution", probs[ok].mean(axis=0))
    assert set(errors) <= {"prompt_too_long"}, errors
    assert int(ok.sum()) + errors.get("prompt_too_long", 0) == 341
    assert ok.sum() >= at_least, ok.sum()
PY
echo "OK"
