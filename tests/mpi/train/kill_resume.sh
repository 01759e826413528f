#!/bin/bash
# `because train` on 2 ranks: SIGUSR1 makes every rank checkpoint and exit 75; SIGKILL between
# checkpoints loses only the steps since the last one; both resume (same command) to the same
# final weights as an uninterrupted run.
set -euo pipefail
src=${BECAUSE_SOURCE_DIR:?}
read -r -a flags <<< "${BECAUSE_MPIEXEC_FLAGS//;/ }"
mpi=("${BECAUSE_MPIEXEC:?}" -n 2 "${flags[@]}")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
train_cmd() {  # run_dir -> the launch command in the array CMD
  CMD=("${mpi[@]}" "${BECAUSE_EXE:?}" train --job "$src/tests/mpi/train/resume.ini"
       --corpus.path="$src/data/sample/sample.jsonl" --threads=1 --log-level=warn --run "$1")
}
train() { train_cmd "$1"; "${CMD[@]}"; }
# Starts the launch in the background with pid = the launcher itself (not a bash subshell, which
# would take the signal and die with 138 while the job ran on).
train_bg() { train_cmd "$1"; "${CMD[@]}" & pid=$!; }
last_step() {  # log file -> last logged step (0 if none)
  [ -f "$1" ] || { echo 0; return; }
  /usr/bin/python3 -c 'import json,sys
s=0
for l in open(sys.argv[1]):
    try: j=json.loads(l)
    except Exception: continue
    if "loss" in j: s=j["step"]
print(s)' "$1"
}
wait_step() {  # log, step, pid
  for _ in $(seq 1 1200); do
    [ "$(last_step "$1")" -ge "$2" ] && return 0
    kill -0 "$3" 2>/dev/null || { echo "training ended before step $2"; return 1; }
    sleep 0.05
  done
  echo "timed out waiting for step $2"; return 1
}
same_weights() {
  /usr/bin/python3 - "$1" "$2" <<'PY'
import json, struct, sys
import numpy as np
def load(p):
    b = open(p, 'rb').read(); n = struct.unpack('<Q', b[:8])[0]; h = json.loads(b[8:8+n]); d = b[8+n:]
    return {k: np.frombuffer(d[v['data_offsets'][0]:v['data_offsets'][1]], dtype=np.float32)
            for k, v in h.items() if k != '__metadata__'}
a, b = load(sys.argv[1]), load(sys.argv[2])
assert a.keys() == b.keys(), (sorted(a), sorted(b))
worst = max(float(np.abs(a[k] - b[k]).max()) for k in a)
print('max weight difference', worst)
sys.exit(0 if worst <= 1e-6 else 1)
PY
}

train "$tmp/ref"
ref="$tmp/ref/models/resume/model.safetensors"
test -f "$ref"

# SIGUSR1: graceful stop with status 75, then resume.
train_bg "$tmp/usr1"
wait_step "$tmp/usr1/logs/train-resume.jsonl" 50 $pid
kill -USR1 $pid
set +e; wait $pid; rc=$?; set -e
[ $rc -eq 75 ] || { echo "expected exit status 75 after SIGUSR1, got $rc"; exit 1; }
test -f "$tmp/usr1/train/resume/checkpoints/train/latest"
train "$tmp/usr1"
same_weights "$ref" "$tmp/usr1/models/resume/model.safetensors"

# SIGKILL of every rank between checkpoints (after step 40's checkpoint, before 80's).
train_bg "$tmp/kill"
wait_step "$tmp/kill/logs/train-resume.jsonl" 60 $pid
for child in $(pgrep -P $pid); do kill -9 "$child" 2>/dev/null || true; done
kill -9 $pid 2>/dev/null || true
wait $pid 2>/dev/null || true
grep -q 'step-000000040' "$tmp/kill/train/resume/checkpoints/train/latest"
train "$tmp/kill"
same_weights "$ref" "$tmp/kill/models/resume/model.safetensors"
echo "kill-and-resume: OK"
