#!/usr/bin/env bash
# Image processing benchmark: N generated photographs of 3000x2000 px
# (default 1000; N=200 on a busy machine) processed into 480, 960 and
# 1440 px as WebP plus JPEG, by explainer (first build, then the cached
# rebuild) and by Hugo extended (.Resize into the same widths and
# formats, first with an empty resource cache, then cached), in one run.
#
#   scripts/image_bench.sh            # 1000 photos
#   N=200 scripts/image_bench.sh
#
# Needs ImageMagick's `convert` (to make the photos: `apt-get install
# imagemagick`), `bc` and Hugo extended (`apt-get install hugo`).
set -euo pipefail
N=${N:-1000}
PER_PAGE=50
repo=$(cd "$(dirname "$0")/.." && pwd)
work=${WORK:-$(mktemp -d)}
bin="$repo/target/release/explainer"
# Always: a binary left from older sources would measure the wrong code.
cargo build --release --quiet --manifest-path "$repo/Cargo.toml"

echo "photos: $N of 3000x2000 in $work"
mkdir -p "$work/photos"
if [ ! -f "$work/photos/p$N.jpg" ]; then
  convert -size 3000x2000 plasma:fractal -blur 0x1 -quality 90 "$work/base.jpg"
  # Each photo a different crop of one fractal: distinct bytes, so no
  # cache can answer one photo with another. Not timed; in parallel.
  seq 1 "$N" | xargs -P "$(nproc)" -I{} sh -c \
    'convert "$1/base.jpg" -roll "+$(($2 * 7))+$(($2 * 3))" -quality 88 "$1/photos/p$2.jpg"' _ "$work" {}
fi

# explainer: pages of PER_PAGE Markdown images each.
site="$work/explainer"
rm -rf "$site"; mkdir -p "$site/content/pages"
printf 'title: "Bench"\nimages:\n  widths: [480, 960, 1440]\n' > "$site/site.yaml"
ln -s "$work/photos" "$site/photos"
for p in $(seq 0 $(((N - 1) / PER_PAGE))); do
  {
    printf -- '---\ntitle: "Gallery %s"\n---\n' "$p"
    for i in $(seq $((p * PER_PAGE + 1)) $(((p + 1) * PER_PAGE))); do
      [ "$i" -le "$N" ] && printf '![Photo %s](../../photos/p%s.jpg)\n\n' "$i" "$i"
    done
  } > "$site/content/pages/gallery-$p.md"
done

# Hugo: one page calling .Resize for every width, WebP and JPEG.
hsite="$work/hugo"
rm -rf "$hsite"; mkdir -p "$hsite/assets" "$hsite/layouts"
# Hard links, not a symlink: Hugo does not follow symlinked folders under
# assets/, and would then find no photo at all.
cp -al "$work/photos" "$hsite/assets/photos"
printf 'baseURL = "https://example.org/"\ndisableKinds = ["taxonomy", "term", "RSS", "sitemap", "section", "page", "404", "robotsTXT"]\n[imaging]\nquality = 80\nresampleFilter = "Lanczos"\n' > "$hsite/hugo.toml"
cat > "$hsite/layouts/index.html" <<'HTML'
{{ range resources.Match "photos/*.jpg" }}{{ $p := . }}{{ range slice "480x" "960x" "1440x" }}
<img src="{{ ($p.Resize (printf "%s webp" .)).RelPermalink }}"><img src="{{ ($p.Resize (printf "%s jpg" .)).RelPermalink }}">{{ end }}{{ end }}
HTML

secs() { local t0=$(date +%s.%N); "$@" > /dev/null 2>&1; echo "$(date +%s.%N) - $t0" | bc; }
rm -rf "$site/.explainer-cache" "$hsite/resources"
e1=$(secs "$bin" build --root "$site" --output "$work/out-e")
e2=$(secs "$bin" build --root "$site" --output "$work/out-e")
h1=$(secs hugo --source "$hsite" --destination "$work/out-h")
h2=$(secs hugo --source "$hsite" --destination "$work/out-h")
printf '\n%-28s %10s %10s\n' "" "first" "cached"
printf '%-28s %9.1fs %9.2fs\n' "explainer ($(nproc) cores)" "$e1" "$e2"
printf '%-28s %9.1fs %9.2fs\n' "hugo $(hugo version | cut -d' ' -f2)" "$h1" "$h2"
echo "files: explainer $(find "$work/out-e/images" -type f | wc -l), hugo $(find "$work/out-h" -type f \( -name '*.webp' -o -name '*_resize_*.jpg' \) | wc -l)"
