#!/usr/bin/env bash
# Installs Debian's ImageMagick for `npm run bench -- edge-decode`, which makes its 0.2–40 MP photo-like JPEGs
# with `convert … plasma:fractal` (tests need none: their large images are generated in TypeScript).
# Idempotent: does nothing when /usr/bin/convert exists.
set -euo pipefail

if [[ -x /usr/bin/convert ]]; then
  echo "imagemagick.sh: $(/usr/bin/convert -version | head -n1) already installed"
  exit 0
fi
SUDO=""
[[ $(id -u) -ne 0 ]] && SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends imagemagick
