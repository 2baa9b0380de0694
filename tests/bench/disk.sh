# Sourced by the benchmarks: deleting outputs and waiting after it. On this
# machine's ext4 (no journal), creating files soon after deleting thousands makes the kernel
# skip the freed inodes one by one (`recently_deleted` in `perf`; see build.sh), so a deletion
# is synced and its time noted, and `settle` waits until SETTLE seconds (default 600) have
# passed since. Measured with a probe that makes 3,000 folders with a file each, after deleting
# 50,000 such folders and syncing: 516 µs a folder 5 s later, 397 µs after 65 s, 295 µs after
# 5 minutes, 136 µs after about 8 minutes, 70-75 µs on a quiet disk.

SETTLE=${SETTLE:-600}
# One note for every benchmark: the disk is shared, so a deletion by one slows the next.
DELETED_AT=${TMPDIR:-/tmp}/caidan-bench-deleted-at

# Deletes its arguments, and notes when, for settle.
delete() {
  [ $# -gt 0 ] || return 0
  rm -rf "$@"
  sync
  date +%s >"$DELETED_AT"
}

# Waits until SETTLE seconds have passed since the last deletion of outputs.
settle() {
  [ -f "$DELETED_AT" ] || return 0
  local wait=$(($(cat "$DELETED_AT") + SETTLE - $(date +%s)))
  if [ "$wait" -gt 0 ]; then
    echo "(waiting ${wait} s: files created soon after a large deletion are slow here; SETTLE=0 skips)"
    sleep "$wait"
  fi
}
