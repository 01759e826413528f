#!/usr/bin/env bash
# Downloads a public corpus into data/<NAME>/ (or $BECAUSE_DATA/<NAME>/) and prints the sha256 of
# every file it fetched, comparing with data/checksums.sha256 where a line for the file exists.
# Usage: data/fetch.sh NAME      NAME: mnli snli anli esnli chaosnli varierr mjd livenli
#                                      nli-disagreement healthfc emotion helpful-nle all
#        data/fetch.sh --verify NAME   checks the files of NAME already downloaded (no network)
# Needs curl, unzip, git and sha256sum. See data/README.md for sources and licences.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="${BECAUSE_DATA:-$here}"
sums="$here/checksums.sha256"

usage() { sed -n '2,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2; }
[[ $# -eq 1 || ( $# -eq 2 && $1 == --verify ) ]] || usage

verify() {  # NAME: the pinned files of NAME under $root/NAME against checksums.sha256
  local name="$1" n=0 bad=0 want rel got
  while read -r want rel; do
    [[ -z "$want" || "$want" == \#* || "$rel" != "$name"/* ]] && continue
    n=$((n + 1))
    if [[ ! -f "$root/$rel" ]]; then
      echo "missing: $root/$rel" >&2
      bad=1
      continue
    fi
    got="$(sha256sum "$root/$rel" | cut -d' ' -f1)"
    if [[ "$got" == "$want" ]]; then
      echo "sha256 $got  $rel  OK"
    else
      echo "sha256 MISMATCH for $rel: got $got, expected $want" >&2
      bad=1
    fi
  done < "$sums"
  if (( n == 0 )); then
    echo "fetch.sh: no pinned checksums for '$name' in $sums" >&2
    exit 1
  fi
  exit "$bad"
}
if [[ $1 == --verify ]]; then verify "$2"; fi

fetch_url() {  # URL DEST
  echo "fetch: $1"
  curl -fL --retry 3 --retry-delay 5 -o "$2.part" "$1"
  mv "$2.part" "$2"
}

fetch_repo() {  # REPO DEST_DIR: shallow clone of a public GitHub repository
  local tmp
  tmp="$(mktemp -d)"
  echo "clone: https://github.com/$1"
  git clone --depth 1 --quiet "https://github.com/$1.git" "$tmp/repo"
  rm -rf "$2/repo"
  mv "$tmp/repo" "$2/repo"
  rm -rf "$tmp"
}

check() {  # FILE...: prints sha256, compares with checksums.sha256 when listed there
  local f sum want rel
  for f in "$@"; do
    sum="$(sha256sum "$f" | cut -d' ' -f1)"
    rel="${f#"$root"/}"
    want="$(awk -v f="$rel" '$2 == f {print $1}' "$sums" 2>/dev/null || true)"
    if [[ -z "$want" ]]; then
      echo "sha256 $sum  $rel  (no pinned checksum: unverified)"
    elif [[ "$want" == "$sum" ]]; then
      echo "sha256 $sum  $rel  OK"
    else
      echo "sha256 MISMATCH for $rel: got $sum, expected $want (another version of the file than" \
           "the one catalogued; remove its line from $sums to keep it)" >&2
      exit 1
    fi
  done
}

get() {
  local name="$1" d="$root/$1"
  mkdir -p "$d"
  case "$name" in
    mnli)
      fetch_url https://cims.nyu.edu/~sbowman/multinli/multinli_1.0.zip "$d/multinli_1.0.zip"
      check "$d/multinli_1.0.zip"
      unzip -oq "$d/multinli_1.0.zip" -d "$d" ;;
    snli)
      fetch_url https://nlp.stanford.edu/projects/snli/snli_1.0.zip "$d/snli_1.0.zip"
      check "$d/snli_1.0.zip"
      unzip -oq "$d/snli_1.0.zip" -d "$d" ;;
    anli)
      fetch_url https://dl.fbaipublicfiles.com/anli/anli_v1.0.zip "$d/anli_v1.0.zip"
      check "$d/anli_v1.0.zip"
      unzip -oq "$d/anli_v1.0.zip" -d "$d"
      # The annotated dev CSVs (with the writers' reasons) live in the repository's anlizinganli/.
      fetch_repo facebookresearch/anli "$d"
      find "$d/repo/anlizinganli" -name '*.csv' -exec cp {} "$d/" \; ;;
    esnli)
      for f in esnli_train_1.csv esnli_train_2.csv esnli_dev.csv esnli_test.csv; do
        fetch_url "https://raw.githubusercontent.com/OanaMariaCamburu/e-SNLI/master/dataset/$f" "$d/$f"
        check "$d/$f"
      done ;;
    chaosnli)
      # Link given in the easonnie/chaos_nli README.
      fetch_url "https://www.dropbox.com/s/h4j7dqszmpt2679/chaosNLI_v1.0.zip?dl=1" "$d/chaosNLI_v1.0.zip"
      check "$d/chaosNLI_v1.0.zip"
      unzip -oq "$d/chaosNLI_v1.0.zip" -d "$d" ;;
    varierr)
      fetch_repo mainlp/VariErr-NLI "$d"
      find "$d/repo" -name 'varierr*.json' -exec cp {} "$d/" \;
      check "$d"/varierr*.json ;;
    mjd)
      fetch_repo mainlp/MJD-Estimator "$d"
      find "$d/repo" -name 'NLI_explanations.json' -exec cp {} "$d/" \;
      check "$d/NLI_explanations.json" ;;
    livenli)
      fetch_repo njjiang/LiveNLI "$d"
      find "$d/repo" -name 'livenli*.csv' -exec cp {} "$d/" \;
      check "$d"/livenli*.csv ;;
    nli-disagreement)
      fetch_repo njjiang/NLI_disagreement_taxonomy "$d"
      find "$d/repo" -name '*.jsonl' -exec cp {} "$d/" \;
      check "$d"/*.jsonl ;;
    healthfc)
      fetch_repo jvladika/HealthFC "$d"
      find "$d/repo" -name 'Datensatz.csv' -exec cp {} "$d/" \;
      check "$d/Datensatz.csv" ;;
    emotion)
      # dair-ai/emotion "split" configuration as published on the Hugging Face Hub (parquet);
      # because reads the `text;label` text layout, so convert with: python3 -c 'import pandas' (see README).
      for s in train validation test; do
        fetch_url "https://huggingface.co/datasets/dair-ai/emotion/resolve/main/split/$s-00000-of-00001.parquet" "$d/$s.parquet"
        check "$d/$s.parquet"
      done ;;
    helpful-nle)
      fetch_repo dmah10/helpful-natural-language-explanations "$d"
      find "$d/repo" -name 'explanations_*.csv' -exec cp {} "$d/" \;
      check "$d"/explanations_*.csv ;;
    all)
      for n in mnli snli anli esnli chaosnli varierr mjd livenli nli-disagreement healthfc emotion helpful-nle; do get "$n"; done
      return ;;
    *) echo "fetch.sh: unknown corpus '$name'" >&2; usage ;;
  esac
  echo "done: $name -> $d"
}

get "$1"
