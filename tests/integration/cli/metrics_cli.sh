#!/usr/bin/env bash
# `because metrics nlg|dist|cls` from the command line, on tests/fixtures/metrics:
#  - nlg: sacreBLEU's README example (BLEU 48.53, 82.4/50.0/45.5/37.5, BP 0.943; chrF2 59.73);
#  - dist: every value against the numpy reference of tests/fixtures/metrics/mjd_reference.py;
#  - cls: the hand-worked values below, as scikit-learn gives them (confusion matrix over the
#    labels that occur, so integer labels with a gap give a 2x2 matrix);
#  - FILE:LINE errors with exit status 1.
set -u
exe=${BECAUSE_EXE:?}
fx=${BECAUSE_SOURCE_DIR:?}/tests/fixtures/metrics
py=/usr/bin/python3
fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
check() {  # check NAME PYTHON-EXPRESSION-ON-j (JSON in $tmp/out.json)
  if ! "$py" -c "import json,sys; j=json.load(open('$tmp/out.json')); sys.exit(0 if ($2) else 1)"; then
    echo "FAIL: $1"; cat "$tmp/out.json"; fail=1
  else
    echo "ok: $1"
  fi
}

out=$("$exe" metrics nlg --hyp "$fx/sys.txt" --ref "$fx/ref1.txt" --ref "$fx/ref2.txt" 2>&1)
grep -q "BLEU      48.53 82.4/50.0/45.5/37.5 (BP = 0.943 hyp_len = 17 ref_len = 18)" <<< "$out" \
  && grep -q "chrF2     59.73" <<< "$out" && grep -q "^ROUGE-L " <<< "$out" && grep -q "^METEOR " <<< "$out" \
  || { echo "FAIL: metrics nlg table"; echo "$out"; fail=1; }
"$exe" metrics nlg --hyp "$fx/sys.txt" --ref "$fx/ref1.txt" --ref "$fx/ref2.txt" --json > "$tmp/out.json"
check "nlg --json" "abs(j['bleu'] - 48.5308) < 1e-4 and abs(j['chrf'] - 59.7275) < 1e-4 and j['n'] == 3 \
  and j['references'] == 2 and [round(p, 1) for p in j['bleu_precisions']] == [82.4, 50.0, 45.5, 37.5] \
  and all(0 <= j[k] <= 1 for k in ('rouge1', 'rouge2', 'rougeL', 'meteor'))"

"$exe" metrics dist --target "$fx/target.jsonl" --pred "$fx/pred.jsonl" --json > "$tmp/out.json"
if "$py" -c "import numpy" 2>/dev/null; then
  if "$py" - "$fx" "$tmp/out.json" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[1])
import mjd_reference as r
import numpy as np
j = json.load(open(sys.argv[2]))
target = [[0.5, 0.5], [1, 0], [9, 1]]  # target.jsonl: a vector, {"probs"}, {"label_counts"}
pred = [[0.25, 0.75], [0.5, 0.5], [0.8, 0.2]]
norm = lambda v: np.asarray(v, float) / np.sum(v)
want = {"kl": np.mean([r.kl(t, p) for t, p in zip(target, pred)]),
        "js": np.mean([r.jsd(t, p) for t, p in zip(target, pred)]),
        "tvd": np.mean([r.tvd(t, p) for t, p in zip(target, pred)]),
        "dcor": r.dcor(np.array([norm(t) for t in target]), np.array([norm(p) for p in pred]))}
bad = {k: (j[k], v) for k, v in want.items() if abs(j[k] - v) > 1e-9}
sys.exit(1 if bad or j["n"] != 3 else 0)
PY
  then echo "ok: dist --json against numpy"; else echo "FAIL: dist against numpy"; cat "$tmp/out.json"; fail=1; fi
else
  echo "skip: dist against numpy (python3-numpy missing)"
fi

"$exe" metrics cls --gold "$fx/gold.txt" --pred "$fx/pred.txt" --json > "$tmp/out.json"
check "cls --json" "j['n'] == 7 and j['skipped_no_gold'] == 1 and abs(j['accuracy'] - 5 / 7) < 1e-12 \
  and abs(j['macro_f1'] - (6 / 7 + 2 / 3 + 1 / 2) / 3) < 1e-12 \
  and abs(j['weighted_f1'] - (3 * 6 / 7 + 2 * 2 / 3 + 2 * 1 / 2) / 7) < 1e-12 \
  and j['labels'] == ['contradiction', 'entailment', 'neutral'] and j['confusion'] == [[3, 0, 0], [0, 1, 1], [1, 0, 1]] \
  and j['per_class']['contradiction'] == {'precision': 0.75, 'recall': 1.0, 'f1': 6 / 7, 'support': 3}"
printf '0\n2\n2\n' > "$tmp/g.txt"; printf '0\n2\n0\n' > "$tmp/p.txt"
"$exe" metrics cls --gold "$tmp/g.txt" --pred "$tmp/p.txt" --json > "$tmp/out.json"
check "cls integer labels with a gap" "j['labels'] == ['0', '2'] and j['confusion'] == [[1, 0], [1, 1]]"
out=$("$exe" metrics cls --gold "$fx/gold.txt" --pred "$fx/pred.txt" 2>&1)
grep -q "^accuracy     0.7143" <<< "$out" && grep -q "confusion (rows gold" <<< "$out" \
  || { echo "FAIL: metrics cls table"; echo "$out"; fail=1; }

printf '[0.2, 0.8]\n[0.1, "x"]\n' > "$tmp/bad.txt"; printf '1\n0\n' > "$tmp/g2.txt"
out=$("$exe" metrics cls --gold "$tmp/g2.txt" --pred "$tmp/bad.txt" 2>&1); rc=$?
[[ $rc == 1 ]] && grep -q "bad.txt:2: score array holds \"x\", not a number" <<< "$out" \
  || { echo "FAIL: bad score array -> $rc: $out"; fail=1; }
printf '[0.5, 0.5]\n[1, -1]\n' > "$tmp/neg.jsonl"
out=$("$exe" metrics dist --target "$tmp/neg.jsonl" --pred "$tmp/neg.jsonl" 2>&1); rc=$?
[[ $rc == 1 ]] && grep -q "neg.jsonl:2: values must be non-negative numbers" <<< "$out" \
  || { echo "FAIL: negative value -> $rc: $out"; fail=1; }
exit $fail
