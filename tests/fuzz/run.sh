#!/bin/sh
# Runs every fuzz target for SECONDS each (default 600) and stops at the first crash.
# Needs cargo-fuzz (`cargo install cargo-fuzz --locked`) and a nightly toolchain.
# Crashes are saved in tests/fuzz/artifacts/<target>/; the corpus grows in tests/fuzz/corpus/.
set -eu
seconds="${1:-600}"
cd "$(dirname "$0")"
# Seeds: every Markdown file of the fixtures (for `frontmatter`, behind a byte that picks
# where the file sits below content/).
seed() {
    mkdir -p corpus/frontmatter corpus/markdown corpus/tokenize corpus/urls
    n=0
    for f in $(find ../fixtures ../../content -name '*.md' 2>/dev/null); do
        n=$((n + 1))
        { printf "\\$(printf '%03o' $((n % 8)))"; cat "$f"; } > "corpus/frontmatter/seed-$n"
        cp "$f" "corpus/markdown/seed-$n"
        cp "$f" "corpus/tokenize/seed-$n"
    done
    for s in kong-shengdong 班前十分钟 ../.. /etc/passwd 'C:\\x' 2022-13-45 2023-05-12T09:30:00+08:00 https://example.org/gonghui; do
        n=$((n + 1))
        printf '%s' "$s" > "corpus/urls/seed-$n"
    done
}
[ -d corpus ] || seed
for target in frontmatter markdown tokenize urls; do
    echo "== $target: ${seconds}s"
    cargo +nightly fuzz run --fuzz-dir . "$target" "corpus/$target" -- \
        -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048
done
echo "all targets ran ${seconds}s each without a crash"
