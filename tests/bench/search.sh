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
  CAIDAN_BIN="$PWD/target/release/caidan"
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

echo "== caidan build ($RUNS runs)"
: >"$WORK/builds.txt"
for i in $(seq "$RUNS"); do
  rm -rf "$WORK/out-$N"
  CAIDAN_TIMINGS=1 /usr/bin/time -f "wall %e s, peak %M KiB" -o "$WORK/time.txt" \
    "$CAIDAN_BIN" build --root "$site" --output-dir "$WORK/out-$N" >/dev/null 2>"$WORK/timings.txt"
  wall=$(awk '{print $2}' "$WORK/time.txt")
  # The index is a sub-stage of render (`[timing]   index:`); the whole build is the sum of the
  # top-level stages (no indent after `[timing] `).
  index_ms=$(awk -F': ' '/\[timing\] +index:/ {gsub(/ ms/, "", $2); print $2}' "$WORK/timings.txt")
  stages_ms=$(awk -F': ' '/^\[timing\] [^ ]/ {gsub(/ ms/, "", $2); s += $2} END {print s}' "$WORK/timings.txt")
  echo "$wall ${index_ms:-0} ${stages_ms:-0}" >>"$WORK/builds.txt"
done
sort -n "$WORK/builds.txt" | awk '{a[NR]=$0} END {split(a[int((NR+1)/2)], m, " "); \
  printf "median build %.2f s; index stage %.0f ms = %.1f %% of the other stages (%.0f ms)\n", m[1], m[2], (m[3] > m[2] ? 100 * m[2] / (m[3] - m[2]) : 0), m[3] - m[2]}'

base=$(python3 -c "import re,sys; m=re.search(r'^base_url:\s*\S+?//[^/\s]+(/\S*)?', open(sys.argv[1]).read(), re.M); p=(m.group(1) if m and m.group(1) else '/'); print(p if p.endswith('/') else p+'/')" "$site/site.yaml")
echo "== queries (caidan and Pagefind $("$pagefind" --version 2>/dev/null | awk '{print $2}') extended)"
node tests/bench/search.mjs --site "$site" --out "$WORK/out-$N" --base "$base" --pagefind "$pagefind" --json "$WORK/search-$N.json"
