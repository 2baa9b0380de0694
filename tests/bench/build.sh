#!/usr/bin/env bash
# Build benchmark: generates the benchmark corpus (1k and 10k news) with
# ../shared/bench/gen-corpus.py and reports the wall time and peak memory of `caidan build`
# (median of N runs), and Hugo's on the same corpus (its own flavor) in the same run, with the
# ratio caidan / Hugo. Hugo is Debian's `hugo`; it is skipped when not installed.
#
#   tests/bench/build.sh [SIZES...]        default: 1000 10000
#   RUNS=5 WORK=/tmp/caidan-bench tests/bench/build.sh 10000
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

# Prints "wall_seconds peak_kib" of one run of the command.
measure() {
  /usr/bin/time -f "%e %M" -o "$WORK/time.txt" "$@" >/dev/null 2>"$WORK/stderr.txt" || { cat "$WORK/stderr.txt" >&2; return 1; }
  cat "$WORK/time.txt"
}

# Median of the first column and of the second column of stdin.
median() { sort -n | awk '{a[NR]=$0} END {print a[int((NR+1)/2)]}'; }

for n in "${SIZES[@]}"; do
  site="$WORK/site-$n"; hugo_site="$WORK/hugo-$n"
  [ -d "$site" ] || python3 "$GEN" --news "$n" --out "$site" >/dev/null
  command -v hugo >/dev/null && { [ -d "$hugo_site" ] || python3 "$GEN" --news "$n" --out "$hugo_site" --flavor hugo >/dev/null; }
  : >"$WORK/caidan.txt"; : >"$WORK/hugo.txt"
  for _ in $(seq "$RUNS"); do
    measure "$CAIDAN" --root "$site" build --output-dir "$WORK/out-$n" >>"$WORK/caidan.txt"
    if command -v hugo >/dev/null; then
      rm -rf "$WORK/hugo-out-$n"
      measure hugo --quiet -s "$hugo_site" -d "$WORK/hugo-out-$n" >>"$WORK/hugo.txt"
    fi
  done
  c_wall=$(cut -d' ' -f1 "$WORK/caidan.txt" | median); c_mem=$(cut -d' ' -f2 "$WORK/caidan.txt" | median)
  pages=$(find "$WORK/out-$n" -name '*.html' | wc -l)
  printf '%6s news  caidan: %6.2f s  %5d MiB  (%d HTML pages, median of %d)\n' "$n" "$c_wall" $((c_mem / 1024)) "$pages" "$RUNS"
  if [ -s "$WORK/hugo.txt" ]; then
    h_wall=$(cut -d' ' -f1 "$WORK/hugo.txt" | median); h_mem=$(cut -d' ' -f2 "$WORK/hugo.txt" | median)
    printf '%6s news  hugo:   %6.2f s  %5d MiB   ratio caidan/hugo: %.2f\n' "$n" "$h_wall" $((h_mem / 1024)) "$(awk -v a="$c_wall" -v b="$h_wall" 'BEGIN { print a / b }')"
  fi
done
