# The first study's job (jobs/study1_helpful_nle.ini) on a released helpful-nle CSV with 2 ranks:
# the LLM explanations are imported (every row matched, e-SNLI and HealthFC), three classifiers
# (none / human / llm explanations) are trained and evaluated on the same held-out rows, and
# metrics.json holds macro-F1 per condition and NLG of the LLM explanations against the human ones.
source "$(dirname "$0")/common.sh"
DIR="${BECAUSE_SHARED:-/nonexistent}/data/helpful-nle"
[ -d "$DIR" ] || { echo "SKIP: $DIR absent"; exit 77; }
cd "$BECAUSE_SOURCE_DIR"
check_run() {  # FILE ROWS HUMAN_EXPLANATIONS
  local f="$DIR/$1" run="$WORK/$(basename "$1" .csv)"
  mpirun_n 2 "$BECAUSE_EXE" pipeline --job jobs/study1_helpful_nle.ini --run "$run" --threads=1 \
    --corpus.path="$f" --explain.import_path="$f" --progress-interval=1000 > "$run.log" 2>&1 || { cat "$run.log"; exit 1; }
  /usr/bin/python3 - "$run/metrics.json" "$2" "$3" <<'PY'
import json, sys
m, rows, human = json.load(open(sys.argv[1])), int(sys.argv[2]), int(sys.argv[3])
assert m["n_instances"] == rows, m["n_instances"]
assert m["n_explanations"] == rows + human, m["n_explanations"]  # every LLM explanation imported
cls = {c["name"]: c["vs_gold"] for c in m["classification"] if c["kind"] == "predictions"}
assert sorted(cls) == ["cls_human", "cls_llm", "cls_none"], sorted(cls)
n = {c["n"] for c in cls.values()}
assert len(n) == 1 and 0.15 * rows < n.pop() < 0.25 * rows, "held-out rows differ between conditions"
nlg = [r for r in m["nlg"] if r["source"] == "llm"]
assert len(nlg) == 1 and nlg[0]["n"] > 0.95 * rows and 0 < nlg[0]["chrf"] < 100, nlg
print(sys.argv[1], {k: round(v["macro_f1"], 4) for k, v in cls.items()}, "chrF", round(nlg[0]["chrf"], 2))
PY
}
check_run explanations_gpt4o_esnli_balanced_final_ZS2.csv 840 839
check_run explanations_llama3_HFC_final_FS2.csv 750 741
echo "OK"
