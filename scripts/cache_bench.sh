#!/usr/bin/env bash
# The build cache across runs, on generated sites of N entities: a build
# from nothing without the cache (`--no-cache`, what every build was
# before), the first build with the cache (which records every read),
# a build with nothing changed, and a build after a one-line body edit and
# after a title edit, each from the cache. Prints a Markdown table of
# wall times (median of RUNS) and what each cached build rendered and wrote.
#
#   scripts/cache_bench.sh              # N = 10000
#   scripts/cache_bench.sh 10000 100000
#
# Environment: BENCH_DIR (default /tmp/explainer-cache-bench), RUNS (default 3).
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."

sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000)
dir=${BENCH_DIR:-/tmp/explainer-cache-bench}
runs=${RUNS:-3}
mkdir -p "$dir"
cargo build --release --quiet --example gen_site
cargo build --release --quiet
bin=$(pwd)/target/release/explainer

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# Wall seconds of one command; its stdout's last line goes to $dir/last.
timed() {
  local t0 t1
  t0=$(date +%s.%N)
  "$@" > "$dir/last.out"
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}
summary() { sed -n 's/.*(from the cache: \(.*\))/\1/p' "$dir/last.out" | tail -1; }

echo "| entities | step | median s | rendered, written |"
echo "|---:|---|---:|---|"
for n in "${sizes[@]}"; do
  site="$dir/site-$n"
  if [ ! -f "$site/site.yaml" ]; then
    rm -rf "$site"
    cargo run --release --quiet --example gen_site -- "$n" "$site" > /dev/null
  fi
  page=$(find "$site/content/actors" -name '*.md' | sort | sed -n 1p)
  cp "$page" "$dir/page.orig"
  # Pictures and share cards are cached on disk by every build alike:
  # draw them once so no timing below includes them.
  "$bin" build --quiet --root "$site" --no-cache -o "$site/public" > /dev/null || true

  times=()
  for _ in $(seq "$runs"); do
    times+=("$(timed "$bin" build --root "$site" --no-cache -o "$dir/nocache-$n")")
  done
  echo "| $n | full build, --no-cache | $(printf '%s\n' "${times[@]}" | median) | everything |"

  times=()
  for _ in $(seq "$runs"); do
    rm -rf "$site/.explainer-cache/build.bin"
    times+=("$(timed "$bin" build --root "$site")")
  done
  echo "| $n | first build with the cache (records) | $(printf '%s\n' "${times[@]}" | median) | everything |"

  times=()
  for _ in $(seq "$runs"); do times+=("$(timed "$bin" build --root "$site")"); done
  echo "| $n | cached, nothing changed | $(printf '%s\n' "${times[@]}" | median) | $(summary) |"

  times=()
  for r in $(seq "$runs"); do
    printf '\nA corrected sentence, run %s.\n' "$r" >> "$page"
    times+=("$(timed "$bin" build --root "$site")")
  done
  echo "| $n | cached, one-line body edit | $(printf '%s\n' "${times[@]}" | median) | $(summary) |"

  times=()
  for r in $(seq "$runs"); do
    sed -i "0,/^title: .*/s//title: \"Retitled $r\"/" "$page"
    times+=("$(timed "$bin" build --root "$site")")
  done
  echo "| $n | cached, title edit | $(printf '%s\n' "${times[@]}" | median) | $(summary) |"
  cp "$dir/page.orig" "$page"
done
