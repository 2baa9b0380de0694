#!/usr/bin/env bash
# Build benchmark: generates the benchmark corpus with ../shared/bench/gen-corpus.py (ours, and
# the same corpus as a Hugo site) and times `caidan build` against `hugo` in the same run,
# alternating, printing the median wall time and peak memory of each and the ratio. Hugo is
# Debian's `hugo`; it is skipped when not installed. Three cases per size:
#   first      both build into an empty output folder (a fresh clone, a CI deploy);
#   again      one article edited (a sentence appended, the same in both corpora), then both
#              build into their previous output: caidan renders everything again (its inputs
#              changed) and writes what changed;
#   unchanged  caidan run again on an unchanged site (it checks and skips); ratio to `first`.
# caidan builds with its search index; Hugo has none.
# Each first build goes to a folder of its own, and the outputs are removed only after the last
# measurement: on this machine's ext4 (no journal), creating files soon after deleting
# thousands makes the kernel skip the freed inodes one by one (`recently_deleted` in `perf`: a
# third of a build's samples after `rm -rf` of the previous output, and 2-5 s of system time
# more for either tool at 10,000 articles; it fades over about ten minutes, even after a sync:
# see disk.sh). So the cleanup syncs and notes the time, and a run that starts within SETTLE
# seconds (600) of it waits out the rest. Each create still probes the inode table on this
# disk (`recently_deleted` stays at 4-6 % of a fresh build's samples), for both tools. Every
# measured build starts after a `sync`, so that neither tool pays for writing back the files of
# the build before it.
#
#   tests/bench/build.sh [SIZES...]        default: 1000 10000
#   RUNS=5 WORK=/tmp/caidan-bench tests/bench/build.sh 10000
#   RUNS=1 tests/bench/build.sh 100000     (the corpus takes ~2 minutes to generate)
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${RUNS:-5}
WORK=${WORK:-/tmp/caidan-bench}
GEN=${GEN:-../shared/bench/gen-corpus.py}
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(1000 10000)

cargo build --release --locked --quiet
CAIDAN="$PWD/target/release/caidan"
mkdir -p "$WORK"
HUGO=$(command -v hugo || true)

# Appends "wall_seconds peak_kib" of one run of the command to file $1.
measure() {
  local into=$1
  shift
  # The previous build's files go to the disk first, not during this one (the kernel writes
  # them back about 30 s later, on the same two cores).
  sync
  /usr/bin/time -f "%e %M" -o "$WORK/time.txt" "$@" >/dev/null 2>"$WORK/stderr.txt" || {
    cat "$WORK/stderr.txt" >&2
    return 1
  }
  cat "$WORK/time.txt" >>"$into"
}

# Appends a sentence to an article of corpus $1 (news-00002.md, or news-000002.md from 100,000
# on), or puts the original back: an edit. The original waits outside the site, where neither
# generator sees it.
edit() {
  local f="$1/content/news/news-00002.md"
  [ -f "$f" ] || f="$1/content/news/news-000002.md"
  local saved="$WORK/$(basename "$1").edited-article"
  if [ -f "$saved" ]; then
    mv "$saved" "$f"
  else
    cp "$f" "$saved"
    printf '\n编辑部补记：本文已更新。\n' >>"$f"
  fi
}

# An interrupted run leaves no edit behind.
restore() {
  local n
  for n in "${SIZES[@]}"; do
    [ ! -f "$WORK/site-$n.edited-article" ] || edit "$WORK/site-$n"
    [ ! -f "$WORK/hugo-$n.edited-article" ] || edit "$WORK/hugo-$n"
  done
  return 0
}
outputs=()
source tests/bench/disk.sh
cleanup() {
  restore
  delete "${outputs[@]}"
}
trap cleanup EXIT

# Median of column $2 of file $1.
median() { cut -d' ' -f"$2" "$1" | sort -n | awk '{a[NR]=$0} END {print a[int((NR+1)/2)]}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
row() { # label file
  printf '  %-22s %7.2f s  %6d MiB\n' "$1" "$(median "$2" 1)" $(($(median "$2" 2) / 1024))
}

for n in "${SIZES[@]}"; do
  site="$WORK/site-$n"
  hugo_site="$WORK/hugo-$n"
  [ -d "$site" ] || python3 "$GEN" --news "$n" --out "$site" >/dev/null
  [ -z "$HUGO" ] || [ -d "$hugo_site" ] || python3 "$GEN" --news "$n" --out "$hugo_site" --flavor hugo >/dev/null
  for f in c-first c-again c-unchanged h-first h-again; do : >"$WORK/$f.txt"; done
  # Left by a run that was killed.
  shopt -s nullglob
  leftovers=("$WORK/out-$n".run-* "$WORK/hugo-out-$n".run-*)
  shopt -u nullglob
  delete "${leftovers[@]}"
  settle
  for run in $(seq "$RUNS"); do
    out="$WORK/out-$n.run-$run"
    hugo_out="$WORK/hugo-out-$n.run-$run"
    outputs+=("$out" "$hugo_out")
    measure "$WORK/c-first.txt" "$CAIDAN" --root "$site" build --output-dir "$out"
    measure "$WORK/c-unchanged.txt" "$CAIDAN" --root "$site" build --output-dir "$out"
    edit "$site"
    measure "$WORK/c-again.txt" "$CAIDAN" --root "$site" build --output-dir "$out"
    edit "$site"
    if [ -n "$HUGO" ]; then
      measure "$WORK/h-first.txt" "$HUGO" --quiet -s "$hugo_site" -d "$hugo_out"
      edit "$hugo_site"
      measure "$WORK/h-again.txt" "$HUGO" --quiet -s "$hugo_site" -d "$hugo_out"
      edit "$hugo_site"
    fi
  done
  pages=$(find "$out" -name '*.html' | wc -l)
  echo "== $n news ($pages HTML pages; median of $RUNS alternating runs)"
  row "caidan first" "$WORK/c-first.txt"
  row "caidan again" "$WORK/c-again.txt"
  row "caidan unchanged" "$WORK/c-unchanged.txt"
  echo "  first / unchanged: $(ratio "$(median "$WORK/c-first.txt" 1)" "$(median "$WORK/c-unchanged.txt" 1)")x"
  if [ -n "$HUGO" ]; then
    row "hugo first" "$WORK/h-first.txt"
    row "hugo again" "$WORK/h-again.txt"
    for case in first again; do
      echo "  caidan/hugo $case: time $(ratio "$(median "$WORK/c-$case.txt" 1)" "$(median "$WORK/h-$case.txt" 1)"), peak memory $(ratio "$(median "$WORK/c-$case.txt" 2)" "$(median "$WORK/h-$case.txt" 2)")"
    done
  fi
done
