# Shared helpers of the generate integration tests (sourced).
set -euo pipefail
: "${BECAUSE_EXE:?}" "${BECAUSE_SOURCE_DIR:?}"
MODEL="${BECAUSE_SHARED:-/nonexistent}/models/stories260K"
require_model() {
  if [ -z "${BECAUSE_SHARED:-}" ] || [ ! -f "$MODEL/config.json" ]; then
    echo "SKIP: stories260K not found under BECAUSE_SHARED"
    exit 77
  fi
}
IFS=';' read -r -a MPI_FLAGS <<< "${BECAUSE_MPIEXEC_FLAGS:-}"
mpirun_n() {
  local n=$1
  shift
  "${BECAUSE_MPIEXEC:-mpiexec}" -n "$n" "${MPI_FLAGS[@]}" "$@"
}
WORK="$(mktemp -d /tmp/because-generate-test.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
# Explain options shared by the tests: the sample corpus in small chunks, short greedy outputs.
EXPLAIN_OPTS=(--corpus.path="$BECAUSE_SOURCE_DIR/data/sample/sample.jsonl" --corpus.chunk_rows=16
              --model.path="$MODEL" --explain.prompt="$BECAUSE_SOURCE_DIR/jobs/prompts/one_sentence.txt"
              --explain.max_new_tokens=12 --explain.batch_size=8 --threads=1 --progress-interval=1000)
digest_of() {  # RUN -> digest of RUN/store.h5 after merging
  "$BECAUSE_EXE" merge --run "$1" > "$1/merge.log" 2>&1 || { cat "$1/merge.log"; return 1; }
  "$BECAUSE_EXE" store digest "$1/store.h5" | tail -n 1 | awk '{print $1}'
}
