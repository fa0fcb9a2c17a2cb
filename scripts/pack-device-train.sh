#!/usr/bin/env bash
# Packs a real `resnet-edge train` run on the full Fashion-MNIST for a lent GPU machine, which has no Node.js and
# no internet, into .gpu-train/ (git-ignored), small enough to travel with the tracked tree (64 MiB in all):
#   run-fmnist.sh     scripts/device-run-fmnist.sh: unpack, set up Vulkan, train, quantize, evaluate, fill $OUT
#   run-train-gpu.sh  scripts/device-run-train-gpu.sh: the same set-up, then `bench train-gpu` beside PyTorch CUDA
#   setup.sh          scripts/device-setup.sh: the unpacking and Vulkan set-up both share
#   node.xz           this machine's Node, stripped of its debug info, xz -9
#   app.tar.xz        scripts/bundle-cli.sh's output: the CLI in one .mjs, its worker, its .wasm files, Dawn,
#                     the train-gpu benchmark and its PyTorch side
#   fashion-mnist/    Debian's dataset-fashion-mnist IDX files, decompressed and xz -9e (smaller than the .gz)
#   debs/             the Vulkan and glvnd loaders (NVIDIA's Vulkan ICD is libGLX_nvidia.so.0), amd64
#   fashion-mnist.spec.json   the preprocessing (docs/examples), so the pack does not depend on the tree it rides with
# Then, on the GPU machine: run(command="bash .gpu-train/run-fmnist.sh --time-limit 9", carry=[".gpu-train"]),
# or run(command="bash .gpu-train/run-train-gpu.sh", carry=[".gpu-train"]) for the benchmark.
# Needs: apt (dataset-fashion-mnist, the .debs), xz, strip. Takes about two minutes (xz -9 on Node).
set -euo pipefail
cd "$(dirname "$0")/.."
data=/usr/share/datasets/fashion-mnist
if [[ ! -f $data/train-images-idx3-ubyte.gz ]]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist >/dev/null
fi
pack=.gpu-train
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
rm -rf "$pack" && mkdir -p "$pack/fashion-mnist" "$pack/debs"

scripts/bundle-cli.sh "$stage/app"
tar -C "$stage/app" -cf - . | xz -T2 -9 > "$pack/app.tar.xz"

cp "$(command -v node)" "$stage/node"
strip --strip-all "$stage/node"
xz -T2 -9 -c "$stage/node" > "$pack/node.xz"

for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  gzip -dc "$data/$f.gz" | xz -T2 -9e > "$pack/fashion-mnist/$f.xz"
done

cp scripts/device-run-fmnist.sh "$pack/run-fmnist.sh"
cp scripts/device-run-train-gpu.sh "$pack/run-train-gpu.sh"
cp scripts/device-setup.sh "$pack/setup.sh"
cp docs/examples/fashion-mnist.spec.json "$pack/"

o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
mkdir -p /tmp/amd64/partial
# shellcheck disable=SC2086 # $o is several options
apt-get $o update >/dev/null
# shellcheck disable=SC2086
(cd "$pack/debs" && apt-get $o download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2 >/dev/null 2>&1)

tree=$(git ls-files -z | xargs -0 stat -c %s | awk '{ s += $1 } END { print s }')
packed=$(du -sb "$pack" | cut -f1)
echo "pack-device-train: $pack $packed bytes + tracked tree $tree bytes = $((packed + tree)) of $((64 << 20)) (64 MiB)"
