#!/usr/bin/env bash
# Search benchmark: generates the benchmark corpus, builds it with caidan (median of RUNS builds,
# with stage timings to get the index's share), installs Pagefind's extended binary into /tmp
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

echo "== caidan build ($RUNS runs with the index, $RUNS without: CAIDAN_SEARCH_INDEX=0)"
: >"$WORK/builds.txt"
: >"$WORK/builds-noindex.txt"
for i in $(seq "$RUNS"); do
  for mode in index noindex; do
    out="$WORK/out-$N"
    [ "$mode" = noindex ] && out="$WORK/out-$N-noindex"
    rm -rf "$out"
    env $([ "$mode" = noindex ] && echo CAIDAN_SEARCH_INDEX=0) CAIDAN_TIMINGS=1 \
      /usr/bin/time -f "%e %U %S" -o "$WORK/time.txt" \
      "$CAIDAN_BIN" build --root "$site" --output-dir "$out" >/dev/null 2>"$WORK/timings.txt"
    read -r wall user sys <"$WORK/time.txt"
    # The index is a sub-stage of render (`[timing]   index: 1234.5 ms`; its own parts follow
    # as `index: terms: …`).
    index_ms=$(sed -n 's/^\[timing\] *index: \([0-9.]*\) ms.*/\1/p' "$WORK/timings.txt")
    echo "$wall $(echo "$user + $sys" | bc) ${index_ms:-0}" >>"$WORK/builds$([ "$mode" = noindex ] && echo -noindex).txt"
  done
done
rm -rf "$WORK/out-$N-noindex"
med() { sort -n -k"$2" "$1" | awk -v k="$2" '{a[NR]=$k} END {print a[int((NR+1)/2)]}'; }
w1=$(med "$WORK/builds.txt" 1); c1=$(med "$WORK/builds.txt" 2); ix=$(med "$WORK/builds.txt" 3)
w0=$(med "$WORK/builds-noindex.txt" 1); c0=$(med "$WORK/builds-noindex.txt" 2)
awk -v w1="$w1" -v w0="$w0" -v c1="$c1" -v c0="$c0" -v ix="$ix" 'BEGIN {
  printf "median build: %.2f s with the index, %.2f s without (CPU %.2f s, %.2f s)\n", w1, w0, c1, c0
  printf "index build: %.2f s wall = %.1f %% of the build without it (CPU %.2f s = %.1f %%); index sub-stage %.0f ms\n", \
    w1 - w0, 100 * (w1 - w0) / w0, c1 - c0, 100 * (c1 - c0) / c0, ix }'

base=$(python3 -c "import re,sys; m=re.search(r'^base_url:\s*\S+?//[^/\s]+(/\S*)?', open(sys.argv[1]).read(), re.M); p=(m.group(1) if m and m.group(1) else '/'); print(p if p.endswith('/') else p+'/')" "$site/site.yaml")
echo "== queries (caidan and Pagefind $("$pagefind" --version 2>/dev/null | awk '{print $2}') extended)"
node tests/bench/search.mjs --site "$site" --out "$WORK/out-$N" --base "$base" --pagefind "$pagefind" --json "$WORK/search-$N.json"
