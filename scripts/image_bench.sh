#!/usr/bin/env bash
# Image processing benchmark: N generated photographs of 3000x2000 px
# (default 1000) processed into 480, 960 and 1440 px as WebP plus JPEG, by
# explainer (first build, then the cached rebuild) and by Hugo extended
# (.Resize into the same widths and formats, first with an empty resource
# cache, then cached), in one run.
#
#   scripts/image_bench.sh                      # 1000 photos
#   N=20 WORK=/tmp/ib20 scripts/image_bench.sh  # check the script
#   SKIP_HUGO=1 scripts/image_bench.sh          # explainer only
#
# Prints wall time, CPU time (user + system) and peak RSS for each step,
# and the load average before each; a sampler writes `uptime` every 60 s
# to $WORK/load.log for the whole run, since this machine is shared.
#
# Needs ImageMagick's `convert` (to make the photos: `apt-get install
# imagemagick`), GNU time (`apt-get install time`), `bc` and Hugo extended
# (`apt-get install hugo`).
set -euo pipefail
N=${N:-1000}
PER_PAGE=50
repo=$(cd "$(dirname "$0")/.." && pwd)
work=${WORK:-$(mktemp -d)}
mkdir -p "$work"
bin="$repo/target/release/explainer"
# Always: a binary left from older sources would measure the wrong code.
cargo build --release --quiet --manifest-path "$repo/Cargo.toml"

(while :; do echo "$(date -u +%T) $(uptime)" >> "$work/load.log"; sleep 60; done) &
sampler=$!
trap 'kill "$sampler" 2>/dev/null || true' EXIT

echo "photos: $N of 3000x2000 in $work"
mkdir -p "$work/photos"
if [ ! -f "$work/photos/p$N.jpg" ]; then
  # A fixed seed: the same photos in every run.
  convert -seed 17 -size 3000x2000 plasma:fractal -blur 0x1 -quality 90 "$work/base.jpg"
  # Each photo a different crop of one fractal: distinct bytes, so no
  # cache can answer one photo with another. Not timed; in parallel.
  seq 1 "$N" | xargs -P "$(nproc)" -I{} sh -c \
    '[ -f "$1/photos/p$2.jpg" ] || convert "$1/base.jpg" -roll "+$(($2 * 7))+$(($2 * 3))" -quality 88 "$1/photos/p$2.jpg"' _ "$work" {}
fi
pages=$(((N + PER_PAGE - 1) / PER_PAGE))

# explainer: pages of PER_PAGE Markdown images each.
site="$work/explainer"
rm -rf "$site"; mkdir -p "$site/content/pages"
printf 'title: "Bench"\nimages:\n  widths: [480, 960, 1440]\n' > "$site/site.yaml"
ln -s "$work/photos" "$site/photos"
for p in $(seq 0 $((pages - 1))); do
  {
    printf -- '---\ntitle: "Gallery %s"\n---\n' "$p"
    for i in $(seq $((p * PER_PAGE + 1)) $(((p + 1) * PER_PAGE))); do
      [ "$i" -le "$N" ] && printf '![Photo %s](../../photos/p%s.jpg)\n\n' "$i" "$i"
    done
  } > "$site/content/pages/gallery-$p.md"
done

# Hugo: the same pages of PER_PAGE photos, each calling .Resize for every
# width, WebP and JPEG. Pages, not one template over every photo: Hugo
# renders pages in parallel, and one page would hold it to one core.
hsite="$work/hugo"
rm -rf "$hsite"; mkdir -p "$hsite/assets" "$hsite/layouts/_default" "$hsite/content"
# Hard links, not a symlink: Hugo does not follow symlinked folders under
# assets/, and would then find no photo at all.
cp -al "$work/photos" "$hsite/assets/photos"
printf 'baseURL = "https://example.org/"\ndisableKinds = ["taxonomy", "term", "RSS", "sitemap", "section", "404", "robotsTXT"]\n[imaging]\nquality = 80\nresampleFilter = "Lanczos"\n' > "$hsite/hugo.toml"
for p in $(seq 0 $((pages - 1))); do
  last=$(((p + 1) * PER_PAGE)); [ "$last" -le "$N" ] || last=$N
  printf -- '---\ntitle: "Gallery %s"\nfirst: %s\nlast: %s\n---\n' "$p" $((p * PER_PAGE + 1)) "$last" \
    > "$hsite/content/gallery-$p.md"
done
cat > "$hsite/layouts/_default/single.html" <<'HTML'
{{ range seq .Params.first .Params.last }}{{ with resources.Get (printf "photos/p%d.jpg" .) }}{{ $p := . }}{{ range slice "480x" "960x" "1440x" }}
<img src="{{ ($p.Resize (printf "%s webp" .)).RelPermalink }}"><img src="{{ ($p.Resize (printf "%s jpg" .)).RelPermalink }}">{{ end }}{{ end }}{{ end }}
HTML
echo '' > "$hsite/layouts/index.html"

# One timed step: "wall_s cpu_s peak_rss_mib load_before".
step() {
  local load; load=$(cut -d' ' -f1-3 /proc/loadavg)
  /usr/bin/time -f '%e %U %S %M' -o "$work/time.txt" "$@" > "$work/step.log" 2>&1 \
    || { cat "$work/step.log" >&2; exit 1; }
  awk -v load="$load" '{ printf "%.2f %.2f %.0f %s\n", $1, $2 + $3, $4 / 1024, load }' "$work/time.txt"
}
row() { # name, "wall cpu rss load"
  set -- "$1" $2
  printf '%-34s %9.2f %9.2f %8s   %s %s %s\n' "$1" "$2" "$3" "$4" "$5" "$6" "$7"
}

rm -rf "$site/.explainer-cache" "$hsite/resources" "$work/out-e" "$work/out-h"
e1=$(step "$bin" build --root "$site" --output "$work/out-e")
e2=$(step "$bin" build --root "$site" --output "$work/out-e")
echo "explainer: first $e1, cached $e2" >> "$work/load.log"
if [ -z "${SKIP_HUGO:-}" ]; then
  h1=$(step hugo --source "$hsite" --destination "$work/out-h")
  h2=$(step hugo --source "$hsite" --destination "$work/out-h")
  echo "hugo: first $h1, cached $h2" >> "$work/load.log"
fi

printf '\n%-34s %9s %9s %8s   %s\n' "N=$N, $(nproc) cores" "wall s" "CPU s" "RSS MiB" "load before"
row "explainer, first build" "$e1"
row "explainer, cached rebuild" "$e2"
if [ -z "${SKIP_HUGO:-}" ]; then
  hv=$(hugo version | cut -d' ' -f2)
  row "hugo $hv, first build" "$h1"
  row "hugo $hv, cached rebuild" "$h2"
fi
echo "files: explainer $(find "$work/out-e/images" -type f | wc -l)" \
  "hugo $(find "$work/out-h" -type f \( -name '*.webp' -o -name '*_resize_*.jpg' \) 2>/dev/null | wc -l)"
