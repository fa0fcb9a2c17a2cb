#!/usr/bin/env bash
# Installs a software Vulkan adapter (Mesa >= 25 lavapipe from bookworm-backports) into a private folder so
# the WebGPU backend (Dawn, npm `webgpu`) can be tested without a GPU. bookworm's own Mesa 22 is rejected by
# Dawn ("shaderUniform*ArrayDynamicIndexing required"), and backports must not be mixed into the system, so:
# a private apt sources list + state dir, `apt-get download`, `dpkg -x` into $PREFIX, and an ICD json whose
# library_path is absolute. Idempotent: does nothing when $PREFIX/lvp_icd.json already points at a library.
# Use: VK_DRIVER_FILES=$PREFIX/lvp_icd.json (train/src/backends/webgpu.ts finds the default path itself).
set -euo pipefail

PREFIX="${RESNET_EDGE_MESA_DIR:-/opt/resnet-edge/mesa}"
ICD="$PREFIX/lvp_icd.json"

# Dawn dlopens the Vulkan loader by soname; the loader itself comes from bookworm (libvulkan1), only the
# driver needs backports.
if ! dpkg -s libvulkan1 >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libvulkan1
fi

if [[ -f "$ICD" ]] && lib=$(sed -n 's/.*"library_path": *"\([^"]*\)".*/\1/p' "$ICD") && [[ -f "$lib" ]]; then
  echo "webgpu.sh: lavapipe already installed at $PREFIX"
  exit 0
fi

# The same mirror the system's bookworm entry uses (deb822 or one-line format).
mirror=$( (cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null || true) \
  | grep -E '^(URIs:|deb )' | grep -oE 'https?://[^ ]+/debian/?' | head -n1 || true)
mirror="${mirror:-http://deb.debian.org/debian}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/debs"
echo "deb $mirror bookworm-backports main" > "$work/backports.list"
apt_opts=(
  -oDir::Etc::SourceList="$work/backports.list"
  -oDir::Etc::SourceParts=/dev/null
  -oDir::State::Lists="$work/lists"
  -oAPT::Get::List-Cleanup=0
  -oAPT::Sandbox::User=root
)
apt-get "${apt_opts[@]}" update -qq

# Pick the ~bpo12 version of each package from the private index.
bpo_version() {
  apt-cache "${apt_opts[@]}" madison "$1" | awk -F'|' '$2 ~ /bpo12/ { gsub(/ /, "", $2); print $2; exit }'
}
cd "$work/debs"
for pkg in mesa-vulkan-drivers libdrm2 libdrm-amdgpu1; do
  version=$(bpo_version "$pkg")
  if [[ -z "$version" ]]; then
    echo "webgpu.sh: no bookworm-backports version of $pkg on $mirror" >&2
    exit 1
  fi
  apt-get "${apt_opts[@]}" download -qq "$pkg=$version"
done

mkdir -p "$PREFIX"
for deb in "$work"/debs/*.deb; do dpkg -x "$deb" "$PREFIX"; done

lib=$(find "$PREFIX" -name libvulkan_lvp.so | head -n1)
src_icd=$(find "$PREFIX" -name 'lvp_icd*.json' ! -path "$ICD" | head -n1)
if [[ -z "$lib" || -z "$src_icd" ]]; then
  echo "webgpu.sh: libvulkan_lvp.so or lvp_icd.json missing after unpacking" >&2
  exit 1
fi
sed "s#\"library_path\": *\"[^\"]*\"#\"library_path\": \"$lib\"#" "$src_icd" > "$ICD.tmp"
mv "$ICD.tmp" "$ICD"
echo "webgpu.sh: lavapipe $(dpkg-deb -f "$work"/debs/mesa-vulkan-drivers*.deb Version) installed at $PREFIX"
