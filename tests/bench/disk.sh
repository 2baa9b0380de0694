# Sourced by the benchmarks (needs $WORK): deleting outputs and waiting after it. On this
# machine's ext4 (no journal), creating files within a minute of deleting thousands makes the
# kernel skip the freed inodes one by one (`recently_deleted` in `perf`; see build.sh), so a
# deletion is synced and its time noted, and `settle` waits out the rest of that minute.

# Deletes its arguments, and notes when, for settle.
delete() {
  [ $# -gt 0 ] || return 0
  rm -rf "$@"
  sync
  date +%s >"$WORK/deleted-at"
}

# Waits until a minute has passed since the last deletion of outputs.
settle() {
  [ -f "$WORK/deleted-at" ] || return 0
  local wait=$(($(cat "$WORK/deleted-at") + 61 - $(date +%s)))
  if [ "$wait" -gt 0 ]; then
    echo "(waiting ${wait} s: files created within a minute of a large deletion are slow here)"
    sleep "$wait"
  fi
}
