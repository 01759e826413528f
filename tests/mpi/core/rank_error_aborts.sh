#!/usr/bin/env bash
# Runs a 2-rank job in which rank 1 throws; expects a non-zero exit within 30 s and the error
# printed with its rank.
set -u
exe=$1
read -r -a flags <<< "${BECAUSE_MPIEXEC_FLAGS//;/ }"
start=$(date +%s)
out=$(timeout 60 "${BECAUSE_MPIEXEC:-mpiexec}" -n 2 "${flags[@]}" "$exe" 2>&1)
rc=$?
elapsed=$(( $(date +%s) - start ))
echo "$out"
echo "exit status $rc after ${elapsed}s"
if [[ $rc == 0 ]]; then echo "FAIL: job succeeded"; exit 1; fi
if [[ $rc == 124 ]]; then echo "FAIL: job hung (killed by timeout)"; exit 1; fi
if (( elapsed > 30 )); then echo "FAIL: took ${elapsed}s"; exit 1; fi
if ! grep -q '\[rank 1\] error: corpus.jsonl:17: simulated failure' <<< "$out"; then
  echo "FAIL: the error is not printed with its rank"; exit 1
fi
echo "PASS"
