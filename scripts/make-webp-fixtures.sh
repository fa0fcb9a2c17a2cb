#!/usr/bin/env bash
# Regenerates the WebP test fixtures (tests/fixtures/images/*.webp) and their expected pixels
# (tests/fixtures/images/webp-expected/*.pam.gz, from libwebp's `dwebp -nofancy -pam`). For regenerating
# fixtures only: CI reads the committed files and needs neither tool. Needs Debian `webp` (cwebp, dwebp)
# and ImageMagick (`bash scripts/bench-deps/imagemagick.sh`). Made with libwebp 1.2.4 (Debian bookworm).
set -euo pipefail
cd "$(dirname "$0")/.."
IMG=tests/fixtures/images
OUT=$IMG/webp-expected
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$OUT"

convert -seed 7 -size 64x40 plasma:fractal "$TMP/plasma.png"
convert "$IMG/color-640x427.jpg" -resize 120x80 "$TMP/photo.png"
convert "$IMG/color-640x427.jpg" -resize 96x64 "$TMP/photo-small.png"
convert "$TMP/plasma.png" -modulate 100,15 "$TMP/desaturated.png"
convert "$TMP/plasma.png" -colors 12 "$TMP/colors12.png"
convert "$TMP/plasma.png" -colors 40 "$TMP/colors40.png"
convert -size 160x128 xc:"#3070a0" -fill "#e0c040" -draw "circle 80,64 90,70" "$TMP/flat.png"

q() { cwebp -quiet "$@"; }
# Lossy (VP8): odd size 4:2:0, a photo, each loop filter, segments + sharpness, skipped macroblocks.
q -q 75 "$IMG/color-37x23.jpg" -o "$IMG/webp-lossy-37x23.webp"
q -q 80 "$TMP/photo.png" -o "$IMG/webp-lossy-photo-120x80.webp"
q -q 60 -nostrong "$TMP/plasma.png" -o "$IMG/webp-lossy-simple-filter-64x40.webp"
q -q 90 -f 0 "$TMP/plasma.png" -o "$IMG/webp-lossy-no-filter-64x40.webp"
q -q 30 -sharpness 6 -segments 4 -sns 100 "$TMP/plasma.png" -o "$IMG/webp-lossy-sharpness-64x40.webp"
# Methods 0-2 code the "no coefficients" skip flag (the token loop of -m 3+ never does).
q -q 40 -m 1 "$TMP/flat.png" -o "$IMG/webp-lossy-skip-160x128.webp"
# Lossy + alpha (VP8X + ALPH): VP8L-compressed alpha, raw alpha, filtered + quantised alpha.
q -q 70 "$IMG/rgba-40x30.png" -o "$IMG/webp-lossy-alpha-40x30.webp"
q -q 70 -alpha_method 0 "$IMG/rgba-40x30.png" -o "$IMG/webp-lossy-alpha-raw-40x30.webp"
q -q 70 -alpha_filter best -alpha_q 50 "$IMG/rgba-40x30.png" -o "$IMG/webp-lossy-alpha-filtered-40x30.webp"
# Lossless (VP8L): predictor + cross-colour + colour cache, subtract-green, colour indexing at 8/4/2/1 bits
# per index, alpha, meta prefix codes (an entropy image choosing among code groups).
q -lossless "$IMG/color-50x40.png" -o "$IMG/webp-lossless-50x40.webp"
q -lossless -z 2 "$TMP/desaturated.png" -o "$IMG/webp-lossless-subtract-green-64x40.webp"
q -lossless "$TMP/colors40.png" -o "$IMG/webp-lossless-40-colours-64x40.webp"
q -lossless "$TMP/colors12.png" -o "$IMG/webp-lossless-12-colours-64x40.webp"
q -lossless "$IMG/palette-40x30.png" -o "$IMG/webp-lossless-palette-40x30.webp"
q -lossless "$IMG/bilevel-19x11.png" -o "$IMG/webp-lossless-bilevel-19x11.webp"
q -lossless "$IMG/rgba-40x30.png" -o "$IMG/webp-lossless-rgba-40x30.webp"
q -lossless -m 6 -q 100 "$TMP/photo-small.png" -o "$IMG/webp-lossless-meta-codes-96x64.webp" # 5 prefix-code groups
# Eight DCT partitions: made by libwebp through @jsquash/webp (cwebp has no option for it).
npx tsx scripts/make-webp-multipartition.ts

for f in "$IMG"/webp-*.webp "$IMG/sample-32x24.webp"; do
  name=$(basename "$f" .webp)
  dwebp -quiet -nofancy -pam "$f" -o "$TMP/$name.pam"
  gzip -9 -n -c "$TMP/$name.pam" > "$OUT/$name.pam.gz"
done
ls -l "$IMG"/webp-*.webp "$OUT"

# A 3 MP lossy + alpha photo-like picture for the Node-vs-workerd identity test of large images (no
# expected pixels: that test compares Node with workerd).
convert -size 500x375 plasma:fractal -seed 3 -resize 2000x1500! -alpha set -channel A -fx "0.5+0.5*sin(i/40)" +channel \
  "$TMP/large.png"
q -q 30 "$TMP/large.png" -o tests/shared/fixtures/webp-photo-alpha-2000x1500.webp

# A 12 MP lossless picture (a plasma enlarged 40× without smoothing: 33 KiB) for the bounded-memory test of
# the streamed VP8L decoder, far past the ring of coded rows. Its expected pixels are the sha256 of
# `dwebp -nofancy -pam`'s RGBA (printed here, pasted into tests/shared/webp-decode.test.ts): a 48 MB .pam is too big.
convert -seed 7 -size 100x75 plasma:fractal -scale 4000% "$TMP/blocks.png"
q -lossless "$TMP/blocks.png" -o tests/shared/fixtures/webp-lossless-blocks-4000x3000.webp
dwebp -quiet -nofancy -pam tests/shared/fixtures/webp-lossless-blocks-4000x3000.webp -o "$TMP/blocks.pam"
python3 -c "import hashlib,sys; d=open(sys.argv[1],'rb').read(); print('blocks RGBA sha256', hashlib.sha256(d[d.index(b'ENDHDR\n')+7:]).hexdigest())" "$TMP/blocks.pam"
