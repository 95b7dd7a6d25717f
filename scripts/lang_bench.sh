#!/usr/bin/env bash
# Times `explainer build` on a one-language and a two-language corpus of N
# entities side by side (issue #18's benchmark): the same corpus from
# examples/gen_site.rs, once as it is and once with `--translate-half uk`
# (`languages: [en, uk]`, a translation of every second entity; every
# untranslated page is built in Ukrainian too, as a fallback). Prints the
# median wall time and the largest peak RSS of each, and their ratios
# (targets: at most 1.6x the time, 1.5x the memory).
#
#   scripts/lang_bench.sh 1000
#   scripts/lang_bench.sh 10000
#
# Environment:
#   BENCH_DIR   where the generated sites and binaries go
#               (default /tmp/explainer-lang-bench)
#   RUNS        timed runs of each corpus (default 3)
#   BENCH_SETTLE seconds to wait after generating, before timing (default 35)
#
# Builds from nothing (`--no-cache`, each run into a new folder, deleted
# only at the end: see scripts/bench.sh on why), with the release binary
# under /usr/bin/time -v; runs of the two corpora alternate, so a busy
# machine slows both alike.
set -euo pipefail
shopt -s inherit_errexit

cd "$(dirname "$0")/.."
N=${1:?usage: scripts/lang_bench.sh N}
[[ $N =~ ^[0-9]+$ ]] || { echo "lang_bench: not a size: $N" >&2; exit 2; }
RUNS=${RUNS:-3}
BENCH_DIR=${BENCH_DIR:-/tmp/explainer-lang-bench}
[ -x /usr/bin/time ] || { echo "lang_bench: needs /usr/bin/time (apt-get install time)" >&2; exit 2; }

log() { echo "lang_bench: $*" >&2; }

log "building release binaries"
cargo build --release --quiet --bin explainer --example gen_site
mkdir -p "$BENCH_DIR/bin"
cp target/release/explainer target/release/examples/gen_site "$BENCH_DIR/bin/"
EXPLAINER=$BENCH_DIR/bin/explainer
GEN=$BENCH_DIR/bin/gen_site

ONE=$BENCH_DIR/site-$N
TWO=$BENCH_DIR/site-$N-uk
log "generating $ONE and $TWO"
"$GEN" "$N" "$ONE" --force >/dev/null
"$GEN" "$N" "$TWO" --force --translate-half uk >/dev/null

OUT=$BENCH_DIR/out-$$
mkdir -p "$OUT"
trap 'rm -rf "$OUT"' EXIT

declare -A WALLS RSS
# run_once NAME SITE OUT: one timed build; appends wall seconds and peak KB.
run_once() {
    local name=$1 site=$2 out=$3 tv t0 t1
    # The previous run's output goes to disk first, not during this one.
    sync
    tv=$(mktemp)
    t0=$(date +%s%N)
    if ! /usr/bin/time -v -o "$tv" "$EXPLAINER" build --quiet --no-cache \
        --root "$site" --output "$out" >"$out.log" 2>&1; then
        log "failed: $name (see $out.log)"
        tail -5 "$out.log" >&2
        exit 1
    fi
    t1=$(date +%s%N)
    WALLS[$name]+="$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", (b - a) / 1e9}') "
    RSS[$name]+="$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tv") "
    rm -f "$tv"
}

median() { tr ' ' '\n' | grep . | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
largest() { tr ' ' '\n' | grep . | sort -g | tail -1; }

# Generating with --force deleted the previous sites: wait out the disk's
# memory of recent deletions (scripts/settle.sh), which
# would otherwise charge each build by the number of files it creates.
source scripts/settle.sh
settle

for run in $(seq 1 "$RUNS"); do
    log "run $run of $RUNS"
    run_once one "$ONE" "$OUT/one-$run"
    run_once two "$TWO" "$OUT/two-$run"
done

one_wall=$(echo "${WALLS[one]}" | median)
two_wall=$(echo "${WALLS[two]}" | median)
one_rss=$(echo "${RSS[one]}" | largest)
two_rss=$(echo "${RSS[two]}" | largest)
one_files=$(find "$OUT/one-1" -name '*.html' | wc -l)
two_files=$(find "$OUT/two-1" -name '*.html' | wc -l)
log "one language, each run: ${WALLS[one]}s"
log "two languages, each run: ${WALLS[two]}s"
echo "| N=$N | wall (median of $RUNS) | peak RSS | HTML files |"
echo "|---|---|---|---|"
echo "| one language | ${one_wall} s | $((one_rss / 1024)) MB | $one_files |"
echo "| two languages | ${two_wall} s | $((two_rss / 1024)) MB | $two_files |"
awk -v a="$one_wall" -v b="$two_wall" -v c="$one_rss" -v d="$two_rss" \
    'BEGIN {printf "| ratio | %.2fx (target <= 1.6x) | %.2fx (target <= 1.5x) | |\n", b / a, d / c}'
