# Sourced by the benchmark scripts (run from the repository root).
# The function logs through the caller's `log`.

# settle: waits out the disk's memory of recent deletions. ext4 without a
# journal (this VM's disk) tests every new inode against those freed in
# the last 30 seconds; a build started right after a large deletion (a
# site generated again, an earlier benchmark's outputs) spent most of its
# time there, in proportion to the files it creates, which flattered the
# tool that writes fewer. BENCH_SETTLE=0 skips the wait.
settle() {
    local s=${BENCH_SETTLE:-35}
    [ "$s" -gt 0 ] || return 0
    log "waiting ${s} s for the disk to forget recent deletions"
    sync
    sleep "$s"
}
