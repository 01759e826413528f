#!/usr/bin/env bash
# `because train` with train.data = corpus on 2 ranks: a bad row of the corpus is recorded once in
# RUN/quarantine.jsonl with file, line and reason, and --strict makes it an error naming them.
set -euo pipefail
src=${BECAUSE_SOURCE_DIR:?}
IFS=';' read -r -a flags <<< "${BECAUSE_MPIEXEC_FLAGS:-}"
mpi=("${BECAUSE_MPIEXEC:-mpiexec}" -n 2 "${flags[@]}")
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
{ cat "$src/data/sample/sample.jsonl"
  echo '{"uid": "bad-1", "premise": "p", "hypothesis": "h", "label": "sideways", "split": "train"}'; } > "$tmp/c.jsonl"
n=$(wc -l < "$tmp/c.jsonl")
args=(train --job "$src/tests/mpi/train/resume.ini" --corpus.path "$tmp/c.jsonl" --train.epochs=1
      --train.checkpoint_every=0 --progress-interval=1000)
"${mpi[@]}" "${BECAUSE_EXE:?}" "${args[@]}" --run "$tmp/run" > "$tmp/log" 2>&1 || { cat "$tmp/log"; exit 1; }
q="$tmp/run/quarantine.jsonl"
[[ $(wc -l < "$q") == 1 ]] || { echo "quarantine:"; cat "$q"; exit 1; }
grep -q "\"line\":$n,.*\"reason\":\"unknown_label\"" "$q" || { cat "$q"; exit 1; }
grep -q "1 corpus rows left out" "$tmp/log" || { cat "$tmp/log"; exit 1; }
if "${mpi[@]}" "$BECAUSE_EXE" "${args[@]}" --run "$tmp/run2" --strict > "$tmp/log2" 2>&1; then
  echo "--strict did not fail"; exit 1
fi
grep -q "c.jsonl:$n: bad row $((n - 1)) (unknown_label" "$tmp/log2" || { cat "$tmp/log2"; exit 1; }
echo "train quarantine: ok"
