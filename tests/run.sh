#!/usr/bin/env bash
# The whole test suite, on a fresh machine: Rust unit and integration tests, then the Node tests
# (search client) and the browser tests (Chromium, Nu HTML Checker, axe-core) over built sites.
# Installs what it needs when it can (Debian packages as root, npm packages into tests/js).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo test"
cargo test --locked

js_tests=$(find tests/js -name '*.test.mjs' -not -path '*/node_modules/*' | sort)
if [ -z "$js_tests" ]; then
  exit 0
fi

need_pkgs=()
[ -x /usr/bin/chromium ] || need_pkgs+=(chromium)
[ -d /usr/share/fonts/opentype/noto ] || need_pkgs+=(fonts-noto-cjk)
command -v java >/dev/null || need_pkgs+=(default-jre-headless)
command -v node >/dev/null || need_pkgs+=(nodejs npm)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "== installing ${need_pkgs[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
  else
    echo "The browser tests need: ${need_pkgs[*]} (sudo apt-get install ${need_pkgs[*]})" >&2
    exit 1
  fi
fi
if [ ! -d tests/js/node_modules ] || [ tests/js/package-lock.json -nt tests/js/node_modules ]; then
  echo "== npm ci (tests/js)"
  (cd tests/js && npm ci --no-audit --no-fund --loglevel=error)
fi

echo "== node --test"
cargo build --locked --quiet
CAIDAN_BIN="${CARGO_TARGET_DIR:-$PWD/target}/debug/caidan" node --test --test-concurrency=1 $js_tests
