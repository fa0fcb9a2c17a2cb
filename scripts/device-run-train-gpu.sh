#!/usr/bin/env bash
# Issue 13's benchmark on a lent GPU machine: `npm run bench -- train-gpu` (bench/train-gpu.ts) from the pack,
# since the machine has no npm and no repository. The compiled WebGPU step, the tfjs-webgpu step on the same
# adapter and PyTorch (the machine's python3 with torch, on CUDA) side by side. scripts/pack-device-train.sh copies
# this into .gpu-train/run-train-gpu.sh; from the repository root there:
#   bash .gpu-train/run-train-gpu.sh [train-gpu flags…]     e.g. --skip-tfjs, --shapes resnet20:32:64, --steps 20
# With no flags: the issue's four shapes (ResNet-20 32×32 at batch 64/256/512, ResNet-18 112 at 64). $OUT gets
# env.txt, run.log and train-gpu.md (the table, written when the benchmark ends). Exit 3: a GPU is there but Dawn
# sees only a software adapter.
set -uo pipefail
pack=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-/tmp/train-gpu-out}
work=${RESNET_EDGE_PACK_WORK:-/tmp/resnet-edge-pack}
mkdir -p "$OUT" "$work"
log=$OUT/run.log
say() { echo "run-train-gpu [$(date -u +%T), ${SECONDS}s]: $*" | tee -a "$log" >&2; }

# shellcheck source=scripts/device-setup.sh
source "$pack/setup.sh"
say "unpacking into $work"
unpack_app || exit 1
setup_vulkan
describe_machine
for py in /usr/bin/python3 python3; do # the order bench/train-gpu.ts tries them in
  echo "$py: $("$py" -c 'import torch; print("torch", torch.__version__, "cuda", torch.cuda.is_available())' 2>&1 | tail -1)"
done >> "$OUT/env.txt"
require_hardware_adapter

say "bench train-gpu $*"
"$node" "$app/bench-train-gpu.mjs" "$@" > "$OUT/train-gpu.md" 2> >(tee -a "$log" >&2)
status=$?
cat "$OUT/train-gpu.md"
say "done (exit $status): $(cd "$OUT" && ls | tr '\n' ' ')"
exit "$status"
