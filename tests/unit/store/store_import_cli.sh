#!/usr/bin/env bash
# `because store import` from the command line: a store's export imported into it doubles its
# explanations and verifies; a bad row is a one-line error naming file and line (exit 1) and
# leaves the store as it was; under mpirun with 2 ranks rank 0 imports once.
set -euo pipefail
make_sample=${1:?store_make_sample}
exe=${BECAUSE_EXE:?}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$make_sample" "$tmp/s.h5"
"$exe" store export "$tmp/s.h5" --output "$tmp/e.jsonl" 2> /dev/null
"$exe" store export "$tmp/s.h5" --format csv --output "$tmp/e.csv" 2> /dev/null
n=$(wc -l < "$tmp/e.jsonl")
"$exe" store import "$tmp/s.h5" --input "$tmp/e.jsonl" 2> "$tmp/log"
grep -q "imported $n explanations" "$tmp/log"
IFS=';' read -r -a flags <<< "${BECAUSE_MPIEXEC_FLAGS:-}"
"${BECAUSE_MPIEXEC:-mpiexec}" -n 2 "${flags[@]}" "$exe" store import "$tmp/s.h5" --input "$tmp/e.csv" 2> "$tmp/log"
grep -q "imported $n explanations" "$tmp/log"
"$exe" store inspect "$tmp/s.h5" > "$tmp/inspect"
grep -q "/explanations: $((3 * n)) rows" "$tmp/inspect" || { cat "$tmp/inspect"; exit 1; }
grep -q "because store import" "$tmp/inspect"
"$exe" store verify "$tmp/s.h5" > /dev/null
before=$("$exe" store digest "$tmp/s.h5")
printf '{"uid":"%s","explanation":"x"}\n{"uid":"no-such-uid","explanation":"y"}\n' \
  "$(head -1 "$tmp/e.jsonl" | sed 's/.*"uid":"\([^"]*\)".*/\1/')" > "$tmp/bad.jsonl"
set +e
"$exe" store import "$tmp/s.h5" --input "$tmp/bad.jsonl" 2> "$tmp/err"; rc=$?
set -e
[[ $rc == 1 ]] || { echo "exit status $rc, want 1"; exit 1; }
grep -q "bad.jsonl:2: uid 'no-such-uid' is not an instance of the store" "$tmp/err" || { cat "$tmp/err"; exit 1; }
[[ $("$exe" store digest "$tmp/s.h5") == "$before" ]] || { echo "a failed import changed the store"; exit 1; }
echo "store import CLI: ok ($n explanations imported twice)"
