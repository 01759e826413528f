# shellcheck shell=bash
# Shared setup of the end-to-end Slurm tests (sourced after cluster.sh): the executable, the
# sample corpus, the model, and a small job file. Skips while a needed piece is missing.
exe=${BECAUSE_EXE:?BECAUSE_EXE is set by ctest}
src=${BECAUSE_SOURCE_DIR:-$(cd "$here/../.." && pwd)}
sample=$src/data/sample/sample.jsonl
[[ -f $sample ]] || slurm_skip "no sample corpus at $sample"
model=${BECAUSE_SHARED:-/nonexistent}/models/stories260K
[[ -f $model/config.json ]] || slurm_skip "no model at $model (BECAUSE_SHARED/models/stories260K)"

# e2e_job FILE CORPUS: a small job: explanations by stories260K, a small classifier trained
# from scratch on the store, metrics.
e2e_job() {
  cat > "$1" <<EOJ
seed = 11
threads = 1
[corpus]
path = $2
chunk_rows = 16
[model]
path = $model
[explain]
prompt = $src/jobs/prompts/one_sentence.txt
max_new_tokens = 12
batch_size = 8
[train]
task = classify
data = store
explanations = none
train_split = train
eval_splits = dev
vocab_size = 400
hidden_size = 32
n_layers = 1
n_heads = 2
epochs = 1
batch_size = 16
max_length = 64
EOJ
}

# e2e_slice OUT FIRST COUNT: rows FIRST..FIRST+COUNT-1 (1-based) of the sample corpus.
e2e_slice() { sed -n "$2,$(($2 + $3 - 1))p" "$sample" > "$1"; }

# e2e_digest STORE: `because store digest` of a store (prints the hash, empty on failure).
e2e_digest() { "$exe" store digest "$1" 2>/dev/null | grep -oE '[0-9a-f]{32}' | head -n 1; }

export BECAUSE_EXE=$exe BECAUSE_SITE_CONF=/dev/null
