# Bad instances (an empty hypothesis, a premise longer than the model's context) get error
# statuses with reasons; the run completes and the good items are explained. The empty one is a
# bad row of the corpus: explain and judge record it in their run's quarantine.jsonl.
source "$(dirname "$0")/common.sh"
require_model
long="$(printf 'the cat sat on the mat and looked at the dog %.0s' $(seq 1 120))"
{
  echo '{"uid": "good1", "premise": "A man is sleeping.", "hypothesis": "A person rests.", "label": "entailment"}'
  echo '{"uid": "empty", "premise": "A man is sleeping.", "hypothesis": "", "label": "neutral"}'
  echo "{\"uid\": \"long\", \"premise\": \"$long\", \"hypothesis\": \"A cat.\", \"label\": \"entailment\"}"
  echo '{"uid": "good2", "premise": "Two dogs run.", "hypothesis": "Animals move.", "label": "entailment"}'
} > "$WORK/bad.jsonl"
# The shared options minus the corpus ones this test sets itself (an option may be given once).
opts=()
for o in "${EXPLAIN_OPTS[@]}"; do
  case "$o" in --corpus.path=*|--corpus.chunk_rows=*) ;; *) opts+=("$o") ;; esac
done
mpirun_n 2 "$BECAUSE_EXE" explain --run "$WORK/run" "${opts[@]}" --corpus.path="$WORK/bad.jsonl" \
  --corpus.chunk_rows=2 > "$WORK/run.log" 2>&1 || { cat "$WORK/run.log"; exit 1; }
cat "$WORK"/run/stats/explain-rank-*.json > "$WORK/stats.json"
grep -q '"prompt_too_long"' "$WORK/stats.json" || { cat "$WORK/stats.json"; exit 1; }
grep -Eq '"(empty_input|bad_row\.[a-z_]+)"' "$WORK/stats.json" || { cat "$WORK/stats.json"; exit 1; }
grep -q '"reason":"empty_text"' "$WORK/run/quarantine.jsonl" || { cat "$WORK/run/quarantine.jsonl"; exit 1; }
# judge reading the same corpus records the same bad row in its run's quarantine.
mpirun_n 2 "$BECAUSE_EXE" judge --run "$WORK/jrun" --corpus.path="$WORK/bad.jsonl" --corpus.chunk_rows=2 \
  --model.path="$MODEL" --judge.prompt="$BECAUSE_SOURCE_DIR/jobs/prompts/judge_mc_baseline.txt" \
  --judge.with_explanations=false --threads=1 --progress-interval=1000 > "$WORK/judge.log" 2>&1 \
  || { cat "$WORK/judge.log"; exit 1; }
[[ $(grep -c . "$WORK/jrun/quarantine.jsonl") == 1 ]] && grep -q '"line":2,.*"reason":"empty_text"' "$WORK/jrun/quarantine.jsonl" \
  || { cat "$WORK/jrun/quarantine.jsonl" "$WORK/judge.log"; exit 1; }
"$BECAUSE_EXE" merge --run "$WORK/run" > /dev/null 2>&1
"$BECAUSE_EXE" store export "$WORK/run/store.h5" --output "$WORK/export.jsonl" > /dev/null 2>&1 || true
echo "OK"
