#!/usr/bin/env bash
# Store benchmark: shard writes and 1/2-rank merges of N instances x K explanations, next to dd
# and cp of the same bytes, and the store size against gzip-compressed JSONL.
set -euo pipefail
exe=${1:?bench_store executable}
n=${BECAUSE_BENCH_INSTANCES:-1000000}
k=${BECAUSE_BENCH_EXPLANATIONS:-3}
IFS=';' read -r -a mpiflags <<< "${BECAUSE_MPIEXEC_FLAGS:-}"
mpiexec=${BECAUSE_MPIEXEC:-mpiexec}
dir=$(mktemp -d "${BECAUSE_BENCH_DIR:-/tmp}/because_bench_store.XXXXXX")
trap 'rm -rf "$dir"' EXIT
run=$dir/run
rate() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.1f", b / 1e6 / s }'; }
now() { date +%s.%N; }

out=$("$mpiexec" -n 1 "${mpiflags[@]}" "$exe" write "$run" "$n" "$k")
echo "$out" | grep -v SHARD_BYTES
bytes=$(echo "$out" | awk '/SHARD_BYTES/ {print $2}')
t0=$(now); dd if=/dev/zero of="$dir/dd.bin" bs=1M count=$((bytes / 1048576 + 1)) conv=fdatasync status=none; t1=$(now)
echo "dd: $(rate "$bytes" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')") MB/s (sequential write of the same byte count, fdatasync)"
rm -f "$dir/dd.bin"
sync
t0=$(now); cp -r "$run/shards" "$dir/shards.copy"; sync; t1=$(now)
echo "cp: $(rate "$bytes" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')") MB/s (copy of the shards, synced)"
rm -rf "$dir/shards.copy"
for np in 1 2; do
  rm -f "$run/store.h5"
  "$mpiexec" -n "$np" "${mpiflags[@]}" "$exe" merge "$run"
done
store=$(stat -c %s "$run/store.h5")
"$mpiexec" -n 1 "${mpiflags[@]}" "$exe" export "$run" | gzip -6 > "$dir/export.jsonl.gz"
gz=$(stat -c %s "$dir/export.jsonl.gz")
echo "store.h5: $(rate "$store" 1) MB; JSONL export gzip -6: $(rate "$gz" 1) MB; ratio store/jsonl.gz = $(awk -v a="$store" -v b="$gz" 'BEGIN { printf "%.2f", a / b }')"
