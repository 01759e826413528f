#!/usr/bin/env bash
# because --help / --version / COMMAND --help, and one-line errors with exit status 2.
set -u
exe=${BECAUSE_EXE:?}
fail=0
expect() {  # expect STATUS PATTERN -- command...
  local want=$1 pat=$2; shift 3
  local out rc
  out=$("$@" 2>&1); rc=$?
  if [[ $rc != "$want" ]] || ! grep -qE -- "$pat" <<< "$out"; then
    echo "FAIL: $* -> status $rc (want $want), output:"; echo "$out"; fail=1
  else
    echo "ok: $* -> $rc"
  fi
}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
printf '[explain]\nmax_new_tokens = 12\nfrobnicate = 1\n' > "$tmp/bad.ini"
printf '[explain]\nmax_new_tokens = 12\n' > "$tmp/good.ini"

expect 0 'Commands:' -- "$exe" --help
expect 0 '^because [0-9]+\.[0-9]+\.[0-9]+ \(git ' -- "$exe" --version
expect 0 'libtorch' -- "$exe" --version
expect 0 'HDF5 1\.' -- "$exe" --version
expect 0 'MPI ' -- "$exe" --version
expect 0 'Usage: because config' -- "$exe" config --help
expect 2 "unknown command 'nonsense'" -- "$exe" nonsense
expect 2 "unknown option '--explain.bogus'" -- "$exe" config --explain.bogus=1
expect 2 "invalid value 'abc' for option 'explain.max_new_tokens'" -- "$exe" config --explain.max_new_tokens=abc
expect 2 "bad.ini:3: unknown option 'explain.frobnicate'" -- "$exe" config --job "$tmp/bad.ini"
expect 2 "missing.ini: cannot read job file" -- "$exe" config --job "$tmp/missing.ini"
expect 0 'max_new_tokens = 40' -- "$exe" config --job "$tmp/good.ini" --explain.max_new_tokens=40
expect 0 '"max_new_tokens": 12' -- "$exe" config --job "$tmp/good.ini" --json
# train.device is checked before any work (no corpus or store needed to see the error).
expect 2 "train.device: unknown value 'tpu'" -- "$exe" train --run "$tmp/run" --train.device=tpu
# Shard compression is checked before the corpus is read or a model loads, naming the option.
expect 2 "store.shard_compression: unknown value 'lz4'" -- "$exe" explain --run "$tmp/run" \
  --corpus.path "${BECAUSE_SOURCE_DIR:?}/data/sample/sample.jsonl" --store.shard_compression=lz4
expect 2 "store.shard_compression_level: deflate levels are 0..9" -- "$exe" judge --run "$tmp/run" \
  --store.shard_compression_level=12
# Errors are one line.
lines=$("$exe" config --explain.bogus=1 2>&1 | wc -l)
if [[ $lines != 1 ]]; then echo "FAIL: error took $lines lines"; fail=1; fi
# corpus stats: one pass over a JSONL file and, with --strict, by chunks from the index; the
# same counts both ways, and bad rows quarantined with their true row and line.
sample="${BECAUSE_SOURCE_DIR:?}/data/sample/sample.jsonl"
nrows=$(grep -c . "$sample")
expect 0 "\"rows\": $nrows," -- "$exe" corpus stats --path "$sample" --dataset sample --json
expect 0 '"one_pass": true' -- "$exe" corpus stats --path "$sample" --dataset sample --json
expect 0 '"one_pass": false' -- "$exe" corpus stats --path "$sample" --dataset sample --json --strict
a=$("$exe" corpus stats --path "$sample" --dataset sample --json | grep -v one_pass)
b=$("$exe" corpus stats --path "$sample" --dataset sample --json --strict | grep -v one_pass)
if [[ "$a" != "$b" ]]; then echo "FAIL: corpus stats differ between one pass and chunks"; diff <(echo "$a") <(echo "$b"); fail=1; fi
{ head -n 3 "$sample"; echo; echo '{"uid": "x1", "premise": "p", "hypothesis": "h", "label": "sideways"}'
  tail -n +4 "$sample" | head -n 5; echo '{broken'; } > "$tmp/bad.jsonl"
expect 0 '"bad_rows": 2,' -- "$exe" corpus stats --path "$tmp/bad.jsonl" --dataset sample --json --run "$tmp/stats-run"
q=$(cat "$tmp/stats-run/quarantine.jsonl" 2>/dev/null)
if ! grep -q '"line":5,.*"reason":"unknown_label".*"row":3' <<< "$q" || ! grep -q '"line":11,.*"reason":"malformed_json".*"row":9' <<< "$q"; then
  echo "FAIL: quarantine rows/lines:"; echo "$q"; fail=1
fi
# Under mpirun (2 and 3 ranks, one pass split by bytes): the same counts and the same quarantine.
IFS=';' read -r -a mpiflags <<< "${BECAUSE_MPIEXEC_FLAGS:-}"
one=$("$exe" corpus stats --path "$tmp/bad.jsonl" --dataset sample --json | grep -v '"ranks"')
for np in 2 3; do
  many=$("${BECAUSE_MPIEXEC:-mpiexec}" -n $np "${mpiflags[@]}" "$exe" corpus stats --path "$tmp/bad.jsonl" --dataset sample \
         --json --run "$tmp/stats-run-$np" | grep -v '"ranks"')
  if [[ "$one" != "$many" ]]; then echo "FAIL: corpus stats with $np ranks differs"; diff <(echo "$one") <(echo "$many"); fail=1; fi
  if ! cmp -s "$tmp/stats-run/quarantine.jsonl" "$tmp/stats-run-$np/quarantine.jsonl"; then
    echo "FAIL: quarantine with $np ranks differs"; fail=1
  else
    echo "ok: corpus stats and quarantine with $np ranks"
  fi
done
expect 1 'bad.jsonl:5: bad row 3 \(unknown_label' -- "$exe" corpus stats --path "$tmp/bad.jsonl" --dataset sample --strict
# Duplicate uids are reported: rows 4 and 6 repeat row 0's uid, row 5 repeats row 1's (with 3
# ranks the repeats lie in other ranks' byte ranges).
{ head -n 4 "$sample"; sed -n 1p "$sample"; sed -n 2p "$sample"; sed -n 1p "$sample"; } > "$tmp/dup.jsonl"
expect 0 '"duplicate_uid_rows": 3,' -- "$exe" corpus stats --path "$tmp/dup.jsonl" --dataset sample --json
expect 0 '"duplicate_uid_rows": 3,' -- "${BECAUSE_MPIEXEC:-mpiexec}" -n 3 "${mpiflags[@]}" "$exe" corpus stats \
  --path "$tmp/dup.jsonl" --dataset sample --json
expect 0 'duplicate uids: 3 repeated rows' -- "$exe" corpus stats --path "$tmp/dup.jsonl" --dataset sample
# corpus synth: the rows asked for, every row good, all three labels, some with explanations.
expect 0 "wrote 3000 rows" -- "$exe" corpus synth --rows 3000 --out "$tmp/synth.jsonl"
syn=$("$exe" corpus stats --path "$tmp/synth.jsonl" --dataset sample --json)
if ! grep -q '"good_rows": 3000,' <<< "$syn" || ! grep -q '"bad_rows": 0,' <<< "$syn" \
   || [[ $(grep -cE '"(entailment|neutral|contradiction)": [1-9][0-9]{2}' <<< "$syn") != 3 ]] \
   || ! grep -q '"explanations":\["' "$tmp/synth.jsonl"; then
  echo "FAIL: corpus synth"; echo "$syn"; fail=1
else
  echo "ok: corpus synth"
fi
# Every shipped job file (and each of its profiles) names only known options.
for job in "${BECAUSE_SOURCE_DIR:?}"/jobs/*.ini; do
  expect 0 'config hash' -- "$exe" config --job "$job"
done
exit $fail
