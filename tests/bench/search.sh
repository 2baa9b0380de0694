#!/usr/bin/env bash
# Search benchmark: generates the benchmark corpus, builds it with caidan with and without the
# index (medians of RUNS fresh builds and of RUNS builds after an edit, for the index's share),
# installs Pagefind's extended binary into /tmp
# (never into the repo), and runs tests/bench/search.mjs on the built site: recall, precision,
# first-query transfer in headless Chromium, warm compute and disk size, caidan and Pagefind
# side by side.
#
#   tests/bench/search.sh [N]            default N = 10000 news
#   RUNS=3 WORK=/tmp/caidan-search-bench CAIDAN_BIN=target/release/caidan tests/bench/search.sh 10000
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-10000}
RUNS=${RUNS:-3}
WORK=${WORK:-/tmp/caidan-search-bench}
GEN=${GEN:-../shared/bench/gen-corpus.py}
PF_DIR=${PF_DIR:-/tmp/pagefind-npm}
if [ -z "${CAIDAN_BIN:-}" ]; then
  cargo build --release --locked --quiet
  CAIDAN_BIN="${CARGO_TARGET_DIR:-$PWD/target}/release/caidan"
fi
mkdir -p "$WORK"
site="$WORK/site-$N"
[ -d "$site" ] || python3 "$GEN" --news "$N" --out "$site" >/dev/null

pagefind=$(find "$PF_DIR/node_modules/@pagefind" -name pagefind_extended -type f 2>/dev/null | head -1 || true)
if [ -z "$pagefind" ]; then
  echo "== installing pagefind into $PF_DIR"
  mkdir -p "$PF_DIR"
  (cd "$PF_DIR" && npm install --no-audit --no-fund --loglevel=error pagefind >/dev/null)
  pagefind=$(find "$PF_DIR/node_modules/@pagefind" -name pagefind_extended -type f | head -1)
fi

# One build into $2, with the index or without it ($1 = index | noindex); appends
# "wall cpu index-sub-stage-ms" to $3.
timed_build() {
  sync # the previous build's files are written back before this one, not during it
  env $([ "$1" = noindex ] && echo CAIDAN_SEARCH_INDEX=0) CAIDAN_TIMINGS=1 \
    /usr/bin/time -f "%e %U %S" -o "$WORK/time.txt" \
    "$CAIDAN_BIN" build --root "$site" --output-dir "$2" >/dev/null 2>"$WORK/timings.txt"
  read -r wall user sys <"$WORK/time.txt"
  # The index is a sub-stage of render (`[timing]   index: 1234.5 ms`; its own parts follow
  # as `index: terms: …`).
  index_ms=$(sed -n 's/^\[timing\] *index: \([0-9.]*\) ms.*/\1/p' "$WORK/timings.txt")
  echo "$wall $(echo "$user + $sys" | bc) ${index_ms:-0}" >>"$3"
}
out_of() { if [ "$1" = noindex ]; then echo "$WORK/out-$N-noindex"; else echo "$WORK/out-$N"; fi; }
med() { sort -n -k"$2" "$1" | awk -v k="$2" '{a[NR]=$k} END {print a[int((NR+1)/2)]}'; }
# What the index adds, from the medians of the builds listed in $1 (with) and $2 (without).
report() {
  w1=$(med "$1" 1); c1=$(med "$1" 2); ix=$(med "$1" 3); w0=$(med "$2" 1); c0=$(med "$2" 2)
  awk -v w1="$w1" -v w0="$w0" -v c1="$c1" -v c0="$c0" -v ix="$ix" -v what="$3" 'BEGIN {
    printf "%s: median build %.2f s with the index, %.2f s without (CPU %.2f s, %.2f s)\n", what, w1, w0, c1, c0
    printf "%s: the index adds %.2f s wall = %.1f %% of the build without it (CPU %.2f s = %.1f %%); index sub-stage %.0f ms\n", \
      what, w1 - w0, 100 * (w1 - w0) / w0, c1 - c0, 100 * (c1 - c0) / c0, ix }'
}

# Fresh builds pay for creating every file, which on a busy disk varies more than the index
# costs; builds after an edit (the editor's case) write little and show the index's share.
echo "== caidan build ($RUNS runs each: fresh and after an edit, with the index and without: CAIDAN_SEARCH_INDEX=0)"
for kind in fresh edit; do
  for mode in index noindex; do : >"$WORK/builds-$kind-$mode.txt"; done
done
# Each fresh build goes to a folder of its own, and they are all removed at the end: creating
# files soon after deleting thousands is slow on this machine's ext4 (see disk.sh), and the
# builds with the index create 4,466 files more. The folders of a killed run go first, then the
# run waits until SETTLE seconds have passed since the last deletion.
source tests/bench/disk.sh
leftovers=()
for d in "$WORK/out-$N".fresh-* "$(out_of index)" "$(out_of noindex)"; do
  [ ! -e "$d" ] || leftovers+=("$d")
done
delete "${leftovers[@]}"
settle
fresh=()
for i in $(seq "$RUNS"); do
  for mode in index noindex; do
    fresh+=("$WORK/out-$N.fresh-$mode-$i")
    timed_build $mode "${fresh[-1]}" "$WORK/builds-fresh-$mode.txt"
  done
done
# The builds after an edit start from the last fresh outputs.
mv "${fresh[-2]}" "$(out_of index)"
mv "${fresh[-1]}" "$(out_of noindex)"
fresh=("${fresh[@]:0:${#fresh[@]}-2}")
for article in "$site"/content/news/news-*.md; do break; done
cp "$article" "$WORK/article.md"
trap 'cp "$WORK/article.md" "$article"; delete "${fresh[@]}"' EXIT
for i in $(seq "$RUNS"); do
  for mode in index noindex; do
    printf '\n补记第%s次：%s。\n' "$i" "$mode" >>"$article"
    timed_build $mode "$(out_of $mode)" "$WORK/builds-edit-$mode.txt"
    cp "$WORK/article.md" "$article"
  done
done
# The queries run on the corpus as generated.
"$CAIDAN_BIN" build --root "$site" --output-dir "$WORK/out-$N" >/dev/null 2>&1
delete "$WORK/out-$N-noindex"
report "$WORK/builds-fresh-index.txt" "$WORK/builds-fresh-noindex.txt" "fresh"
report "$WORK/builds-edit-index.txt" "$WORK/builds-edit-noindex.txt" "after an edit"

base=$(python3 -c "import re,sys; m=re.search(r'^base_url:\s*\S+?//[^/\s]+(/\S*)?', open(sys.argv[1]).read(), re.M); p=(m.group(1) if m and m.group(1) else '/'); print(p if p.endswith('/') else p+'/')" "$site/site.yaml")
echo "== queries (caidan and Pagefind $("$pagefind" --version 2>/dev/null | awk '{print $2}') extended)"
node tests/bench/search.mjs --site "$site" --out "$WORK/out-$N" --base "$base" --pagefind "$pagefind" --json "$WORK/search-$N.json"
