#!/usr/bin/env bash
# Store benchmark: shard writes and 1/2-rank merges of N instances x K explanations, next to dd
# and cp of the same bytes (each the best of three runs), and the store size against
# gzip-compressed JSONL. Twice: shards as the stages write them by default
# (store.shard_compression: the store's deflate, level 1), and uncompressed shards
# (store.shard_compression=none). Shard writes and merges are also set against
# their floor: the seconds libdeflate alone takes to compress the content at the level in use (the
# shards' for the writes, the store's for the merge, split over the ranks): the best any writer or
# merge can do, however it reads and writes.
set -euo pipefail
exe=${1:?bench_store executable}
n=${BECAUSE_BENCH_INSTANCES:-1000000}
k=${BECAUSE_BENCH_EXPLANATIONS:-3}
IFS=';' read -r -a mpiflags <<< "${BECAUSE_MPIEXEC_FLAGS:-}"
mpiexec=${BECAUSE_MPIEXEC:-mpiexec}
dir=$(mktemp -d "${BECAUSE_BENCH_DIR:-/tmp}/because_bench_store.XXXXXX")
trap 'rm -rf "$dir"' EXIT
rate() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.1f", b / 1e6 / s }'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f%%", 100 * a / b }'; }  # rate a of rate b
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { print b - a }'; }

for shards in default none; do
  run=$dir/run-$shards
  echo "== shards: $shards"
  if [[ $shards == none ]]; then export BECAUSE_BENCH_SHARD_COMPRESSION=none; else unset BECAUSE_BENCH_SHARD_COMPRESSION; fi
  out=$("$mpiexec" -n 1 "${mpiflags[@]}" "$exe" write "$run" "$n" "$k")
  echo "$out" | grep -v -e SHARD_BYTES -e SHARD_SECONDS
  bytes=$(echo "$out" | awk '/SHARD_BYTES/ {print $2}')
  write_s=$(echo "$out" | awk '/SHARD_SECONDS/ {print $2}')
  dd_s=
  for rep in 1 2 3; do  # best of three, as the shard write
    sync
    t0=$(now); dd if=/dev/zero of="$dir/dd.bin" bs=1M count=$((bytes / 1048576 + 1)) conv=fdatasync status=none; s=$(since "$t0")
    rm -f "$dir/dd.bin"
    dd_s=$(awk -v a="${dd_s:-1e300}" -v b="$s" 'BEGIN { print (b < a ? b : a) }')
  done
  echo "dd: $(rate "$bytes" "$dd_s") MB/s (sequential write of the same byte count, fdatasync; best of 3); shard writes (best of 3) at $(pct "$dd_s" "$write_s") of dd"
  fl=$("$mpiexec" -n 1 "${mpiflags[@]}" "$exe" floor "$run" shards)
  echo "$fl" | grep -v FLOOR_SECONDS
  shard_floor_s=$(echo "$fl" | awk '/FLOOR_SECONDS/ {print $2}')
  if awk -v f="$shard_floor_s" 'BEGIN { exit !(f > 0) }'; then
    echo "  floor: compression alone, so shard writes at best $(pct "$dd_s" "$shard_floor_s") of dd"
  fi
  cp_s=
  for rep in 1 2 3; do
    sync
    t0=$(now); cp -r "$run/shards" "$dir/shards.copy"; sync; s=$(since "$t0")
    rm -rf "$dir/shards.copy"
    cp_s=$(awk -v a="${cp_s:-1e300}" -v b="$s" 'BEGIN { print (b < a ? b : a) }')
  done
  echo "cp: $(rate "$bytes" "$cp_s") MB/s (copy of the shards, synced; best of 3)"
  for np in 1 2; do
    merge_s=
    for rep in 1 2 3; do  # best of three, as dd and cp
      rm -f "$run/store.h5"
      m=$("$mpiexec" -n "$np" "${mpiflags[@]}" "$exe" merge "$run" | grep -v "because info")
      echo "$m" | grep -v MERGE_SECONDS
      s=$(echo "$m" | awk '/MERGE_SECONDS/ {print $2}')
      merge_s=$(awk -v a="${merge_s:-1e300}" -v b="$s" 'BEGIN { print (b < a ? b : a) }')
    done
    echo "  merge with $np ranks (best of 3: $(awk -v s="$merge_s" 'BEGIN { printf "%.2f", s }') s) at $(pct "$cp_s" "$merge_s") of cp"
    if [[ -z ${floor_s:-} ]]; then
      fl=$("$mpiexec" -n 1 "${mpiflags[@]}" "$exe" floor "$run")
      echo "$fl" | grep -v FLOOR_SECONDS
      floor_s=$(echo "$fl" | awk '/FLOOR_SECONDS/ {print $2}')
    fi
    best_s=$(awk -v f="$floor_s" -v n="$np" 'BEGIN { print f / n }')
    echo "  floor with $np ranks: compression alone $(awk -v s="$best_s" 'BEGIN { printf "%.2f", s }') s per rank, so at best $(pct "$cp_s" "$best_s") of cp"
  done
  store=$(stat -c %s "$run/store.h5")
  if [[ $shards == default ]]; then
    "$mpiexec" -n 1 "${mpiflags[@]}" "$exe" export "$run" | gzip -6 > "$dir/export.jsonl.gz"
    gz=$(stat -c %s "$dir/export.jsonl.gz")
    echo "store.h5: $(rate "$store" 1) MB; JSONL export gzip -6: $(rate "$gz" 1) MB; ratio store/jsonl.gz = $(awk -v a="$store" -v b="$gz" 'BEGIN { printf "%.2f", a / b }')"
  fi
  rm -rf "$run"
done
