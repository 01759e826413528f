#!/usr/bin/env bash
# data/fetch.sh --verify: the pinned sha256 of data/checksums.sha256 match the copies of the corpora
# in ../shared/data, and a changed byte is a mismatch (exit 1). Skips without ../shared.
set -euo pipefail
src=${BECAUSE_SOURCE_DIR:?}
shared=${BECAUSE_SHARED:-}
if [[ -z "$shared" || ! -d "$shared/data/mjd" ]]; then echo "SKIP: no ../shared/data"; exit 77; fi
for name in anli healthfc helpful-nle livenli mjd nli-disagreement varierr; do
  BECAUSE_DATA="$shared/data" bash "$src/data/fetch.sh" --verify "$name" > /dev/null
done
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/mjd"
cp "$shared/data/mjd/NLI_explanations.json" "$tmp/mjd/"
BECAUSE_DATA="$tmp" bash "$src/data/fetch.sh" --verify mjd | grep -q "mjd/NLI_explanations.json  OK"
printf 'x' >> "$tmp/mjd/NLI_explanations.json"
if BECAUSE_DATA="$tmp" bash "$src/data/fetch.sh" --verify mjd 2> "$tmp/err"; then
  echo "a changed file verified"; exit 1
fi
grep -q "sha256 MISMATCH for mjd/NLI_explanations.json" "$tmp/err"
rm "$tmp/mjd/NLI_explanations.json"
if BECAUSE_DATA="$tmp" bash "$src/data/fetch.sh" --verify mjd 2> "$tmp/err"; then echo "a missing file verified"; exit 1; fi
grep -q "missing: " "$tmp/err"
echo "fetch.sh --verify: ok"
