#!/usr/bin/env bash
# Corpus ingest benchmark: synthetic corpora of 1M and 2M rows, 1 and 2 ranks, next to wc -l.
set -euo pipefail
bench="$1"
dir="${BECAUSE_BINARY_DIR:-/tmp}/bench-corpus"
mkdir -p "$dir"
IFS=';' read -r -a flags <<< "${BECAUSE_MPIEXEC_FLAGS:-}"
for rows in 1000000 2000000; do
  for np in 1 2; do
    "${BECAUSE_MPIEXEC:-mpiexec}" -n "$np" "${flags[@]}" "$bench" "$dir/synth-$rows.jsonl" "$rows"
  done
done
