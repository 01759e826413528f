#!/usr/bin/env bash
# Runs jobs/demo.ini with 2 ranks into a temporary run directory, checks the store verifies, the
# metrics and the report exist, every PNG is a valid PNG, and a re-run skips every step.
set -euo pipefail
: "${BECAUSE_EXE:?}" "${BECAUSE_SOURCE_DIR:?}"
if ! /usr/bin/python3 -c "import h5py, matplotlib" 2>/dev/null; then
  echo "SKIP: python3-h5py or python3-matplotlib missing"; exit 77
fi
IFS=';' read -r -a flags <<< "${BECAUSE_MPIEXEC_FLAGS:-}"
work=$(mktemp -d /tmp/because-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT
run="$work/run dir"
cd "$BECAUSE_SOURCE_DIR"
"${BECAUSE_MPIEXEC:-mpiexec}" -n 2 "${flags[@]}" "$BECAUSE_EXE" pipeline --job jobs/demo.ini --run "$run" \
  --progress-interval=1000 > "$work/log" 2>&1 || { cat "$work/log"; exit 1; }
grep -q "pipeline finished" "$work/log"
"$BECAUSE_EXE" store verify "$run/store.h5"
# Every stage that wrote into the store left its provenance row (explain and judge through their
# shard sets at the merge), in the order they ran.
"$BECAUSE_EXE" store inspect "$run/store.h5" > "$work/inspect"
order=$(awk '/^provenance: / { print $2 }' "$work/inspect" | uniq | tr '\n' ' ')
[[ $order == "explain judge merge train reduce " ]] || { cat "$work/inspect"; echo "provenance order: $order"; exit 1; }
test -s "$run/metrics.json"
# metrics.json has exactly the top-level keys docs/metrics.md documents, its rows the documented
# fields, and /metrics/reduce in the store holds the same JSON.
/usr/bin/python3 - "$run" "$BECAUSE_SOURCE_DIR/docs/metrics.md" <<'PY' || exit 1
import json, re, sys
run, doc = sys.argv[1], open(sys.argv[2]).read()
block = doc[doc.index("Keys (schema"):]
block = block[block.index("```") + 3:]
block = block[:block.index("```")]
documented = {m.group(1) for m in re.finditer(r"^([a-z_0-9]+)(?:\[\])?\s{2,}", block, re.M)}
m = json.load(open(run + "/metrics.json"))
assert set(m) == documented, (sorted(m), sorted(documented))
rows = {"nlg": {"dataset", "split", "source", "mode", "n", "bleu", "bleu_bp", "bleu_precisions", "bleu_sys_len",
                "bleu_ref_len", "chrf", "rouge1", "rouge2", "rougeL", "meteor", "model", "prompt", "explain_mode"},
        "diversity": {"dataset", "split", "source", "mode", "n_texts", "distinct1", "distinct2", "self_bleu",
                      "n_self_bleu", "mean_length", "model", "prompt", "explain_mode"},
        "distributions": {"dataset", "split", "kind", "name", "n", "kl", "js", "tvd", "dcor", "entropy_human",
                          "entropy_model", "entropy_corr"},
        "classification": {"dataset", "split", "kind", "name", "vs_gold", "vs_majority"}}
for key, fields in rows.items():
    assert m[key], key + " is empty"
    for r in m[key]:
        assert set(r) == fields, (key, sorted(r))
# The two explain sets of jobs/demo.ini, told apart by what made them.
modes = {r["source"]: (r["explain_mode"], r["prompt"]) for r in m["nlg"]}
assert modes == {"one_sentence": ("label-guided", "one_sentence"), "free": ("label-free", "one_sentence")}, modes
assert all(r["model"].endswith("models/explainer") for r in m["nlg"]), [r["model"] for r in m["nlg"]]
assert all(r["explain_mode"] is None for r in m["diversity"] if r["source"] == "human")
L = len(m["labels"])
for r in m["classification"]:
    for against in ("vs_gold", "vs_majority"):
        c = r[against]
        assert set(c) == {"n", "accuracy", "macro_f1", "weighted_f1", "per_class", "confusion"}, sorted(c)
        assert len(c["confusion"]) == L and all(len(row) == L for row in c["confusion"])
        assert sum(map(sum, c["confusion"])) == c["n"]
sys.path.insert(0, "analysis")
import because_store
with because_store.open_store(run + "/store.h5") as s:
    stored = s.metrics()
    sources = s.explanation_sources()
assert stored["reduce"] == m, "/metrics/reduce differs from metrics.json"
assert sources["free"]["set"] == "explain-free" and sources["free"]["mode"] == "label-free", sources
PY
test -s "$run/report/report.md" && test -s "$run/report/report.html"
n=0
for png in "$run"/report/*.png; do
  head -c 8 "$png" | od -An -tx1 | tr -d ' \n' | grep -q '^89504e470d0a1a0a$' || { echo "not a PNG: $png"; exit 1; }
  n=$((n + 1))
done
(( n >= 6 )) || { echo "only $n plots"; exit 1; }
grep -q "Confusion matrix" "$run/report/report.md"
# A second launch finds every step complete (and adds no provenance row).
"${BECAUSE_MPIEXEC:-mpiexec}" -n 2 "${flags[@]}" "$BECAUSE_EXE" pipeline --job jobs/demo.ini --run "$run" \
  > "$work/log2" 2>&1 || { cat "$work/log2"; exit 1; }
skipped=$(grep -c "already complete" "$work/log2" || true)
# Every step of jobs/demo.ini is skipped.
steps=$(awk -F= '/^stages[[:space:]]*=/ { n = split($2, a, ","); print n; exit }' jobs/demo.ini)
[[ $skipped == "$steps" ]] || { cat "$work/log2"; echo "expected $steps skipped steps, got $skipped"; exit 1; }
"$BECAUSE_EXE" store inspect "$run/store.h5" > "$work/inspect2"
diff <(grep "^provenance: " "$work/inspect") <(grep "^provenance: " "$work/inspect2") \
  || { echo "the re-run changed the provenance"; exit 1; }
echo "PASS: $n plots; re-run skipped $skipped steps"
