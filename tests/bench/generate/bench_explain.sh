# Benchmark of `because explain` (torch backend, one thread per rank): explanations/s and
# generated tokens/s for stories260K and a ~20M-parameter random decoder, with 1 and 2 ranks, on
# a synthetic corpus of 20k instances; scaling efficiency (2-rank throughput / 2 x 1-rank) and
# the fraction of time spent in generation. Prints figures; asserts nothing about speed.
# BENCH_ROWS limits the rows explained (default: all 20000).
set -euo pipefail
: "${BECAUSE_EXE:?}" "${BECAUSE_SOURCE_DIR:?}"
MODEL="${BECAUSE_SHARED:-/nonexistent}/models/stories260K"
[ -f "$MODEL/config.json" ] || { echo "SKIP: stories260K not found under BECAUSE_SHARED"; exit 77; }
IFS=';' read -r -a MPI_FLAGS <<< "${BECAUSE_MPIEXEC_FLAGS:-}"
WORK="$(mktemp -d /tmp/because-bench-generate.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
HERE="$(dirname "$0")"
/usr/bin/python3 "$HERE/make_synthetic_corpus.py" "$WORK/synth.jsonl" 20000
/usr/bin/python3 "$HERE/make_random_decoder.py" "$WORK/rand20m" "$MODEL"
ROWS="${BENCH_ROWS:-0}"
NEW="${BENCH_NEW_TOKENS:-16}"
for model in "$MODEL" "$WORK/rand20m"; do
  name="$(basename "$model")"
  for n in 1 2; do
    run="$WORK/$name-n$n"
    t0=$(date +%s.%N)
    "${BECAUSE_MPIEXEC:-mpiexec}" -n "$n" "${MPI_FLAGS[@]}" "$BECAUSE_EXE" explain --run "$run" \
      --corpus.path="$WORK/synth.jsonl" --corpus.limit="$ROWS" --corpus.chunk_rows=128 --model.path="$model" \
      --explain.prompt="$BECAUSE_SOURCE_DIR/jobs/prompts/one_sentence.txt" --explain.max_new_tokens="$NEW" \
      --explain.batch_size=32 --threads=1 --progress-interval=30 > "$run.log" 2>&1 || { tail -20 "$run.log"; exit 1; }
    t1=$(date +%s.%N)
    /usr/bin/python3 - "$run" "$name" "$n" "$t0" "$t1" <<'PY' | tee -a "$WORK/results.txt"
import glob, json, sys
run, name, n, t0, t1 = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
st = [json.load(open(p)) for p in glob.glob(run + "/stats/explain-rank-*.json")]
expl = sum(s["explanations"] for s in st); tok = sum(s["generated_tokens"] for s in st)
wall = max(s["seconds_total"] for s in st)
gen = sum(s["seconds_generate"] for s in st) / sum(s["seconds_total"] for s in st)
print(f"{name} ranks={n} explanations={expl} tokens={tok} wall_s={wall:.1f} "
      f"expl_per_s={expl / wall:.2f} tok_per_s={tok / wall:.1f} generation_fraction={gen:.3f} launch_wall_s={t1 - t0:.1f}")
PY
  done
done
/usr/bin/python3 - "$WORK/results.txt" <<'PY'
import sys
rows = [dict(kv.split("=") for kv in l.split()[1:]) | {"model": l.split()[0]} for l in open(sys.argv[1])]
for m in sorted({r["model"] for r in rows}):
    one = next(r for r in rows if r["model"] == m and r["ranks"] == "1")
    two = next(r for r in rows if r["model"] == m and r["ranks"] == "2")
    eff = float(two["expl_per_s"]) / (2 * float(one["expl_per_s"]))
    print(f"{m}: scaling efficiency (2-rank / 2 x 1-rank explanations/s) = {eff:.3f}; "
          f"non-generation time 1 rank {1 - float(one['generation_fraction']):.3f}, 2 ranks {1 - float(two['generation_fraction']):.3f}")
PY
