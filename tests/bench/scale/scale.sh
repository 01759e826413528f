#!/usr/bin/env bash
# Scale check of jobs/scale.ini (explain + merge + reduce with a tiny model) on a synthetic
# corpus: wall time, throughput and peak memory per rank of each stage, one launch per stage
# so that each process's peak RSS belongs to one stage. Prints a table; asserts nothing.
#   tests/bench/scale/scale.sh BECAUSE_BINARY ROWS [RANKS] [RUN_DIR]
# Needs stories260K ($BECAUSE_SHARED or ../shared /models/stories260K); skips (exit 0) without it.
set -euo pipefail
because=${1:?usage: scale.sh BECAUSE_BINARY ROWS [RANKS] [RUN_DIR]}
rows=${2:?usage: scale.sh BECAUSE_BINARY ROWS [RANKS] [RUN_DIR]}
ranks=${3:-2}
run=${4:-$(mktemp -d /tmp/because-scale-XXXXXX)}
root=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$root"
model=${BECAUSE_SHARED:-$root/../shared}/models/stories260K
if [[ ! -f $model/config.json ]]; then
  echo "SKIP: $model absent (the model of jobs/scale.ini)"
  exit 0
fi
mpi=(mpiexec --allow-run-as-root --oversubscribe -n "$ranks" -x OMP_NUM_THREADS=1)
mkdir -p "$run"
[[ -f "$run/synth.jsonl" ]] || "$because" corpus synth --rows "$rows" --out "$run/synth.jsonl"
bytes=$(stat -c %s "$run/synth.jsonl")
declare -A secs
for stage in explain merge reduce; do
  t0=$EPOCHREALTIME
  "${mpi[@]}" "$because" "$stage" --job jobs/scale.ini --run "$run" --model.path="$model" >"$run/$stage.log" 2>&1 || {
    echo "FAILED: $stage (log: $run/$stage.log)"; tail -20 "$run/$stage.log"; exit 1; }
  secs[$stage]=$(/usr/bin/python3 -c "print($EPOCHREALTIME - $t0)")
done
/usr/bin/python3 - "$run" "$rows" "$ranks" "$bytes" "${secs[explain]}" "${secs[merge]}" "${secs[reduce]}" <<'PY'
import glob, json, os, re, sys
run, rows, ranks, nbytes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
t_explain, t_merge, t_reduce = map(float, sys.argv[5:8])
stats = [json.load(open(p)) for p in sorted(glob.glob(os.path.join(run, "stats", "explain-rank-*.json")))]
expl = sum(s["explanations"] for s in stats)
rss_explain = max(s.get("peak_rss_bytes", 0) for s in stats) / 2**20
m = re.search(r"peak RSS of a rank (\d+) MiB", open(os.path.join(run, "merge.log")).read())
rss_merge = float(m.group(1)) if m else float("nan")
metrics = json.load(open(os.path.join(run, "metrics.json")))
rss_reduce = metrics.get("peak_rss_bytes", 0) / 2**20
store = os.path.getsize(os.path.join(run, "store.h5"))
print(f"\nscale: {rows} rows ({nbytes/1e6:.1f} MB JSONL), {ranks} ranks, {expl} explanations, store {store/1e6:.1f} MB")
print(f"{'stage':8} {'seconds':>9} {'per second':>22} {'peak RSS/rank (MiB)':>20}")
print(f"{'explain':8} {t_explain:9.1f} {expl/t_explain:14.1f} expl/s {rss_explain:20.1f}")
print(f"{'merge':8} {t_merge:9.1f} {rows/t_merge:14.0f} rows/s {rss_merge:20.1f}")
print(f"{'reduce':8} {t_reduce:9.1f} {rows/t_reduce:14.0f} rows/s {rss_reduce:20.1f}")
for s in stats:
    print(f"  explain rank {s['rank']}: {s['instances']} instances, {s['seconds_total']:.1f} s, "
          f"generation {s['seconds_generate']/max(s['seconds_total'],1e-9):.0%}, "
          f"peak RSS {s.get('peak_rss_bytes',0)/2**20:.1f} MiB")
PY
