#!/usr/bin/env bash
# The GPU training benchmark's pack is the training run's pack (scripts/pack-device-train.sh): both need Node,
# the bundled app (which carries bench/train-gpu.ts and its PyTorch side), Dawn and the Vulkan loaders, and one
# pack fits the carry limit where two would not. On the GPU machine:
#   run(command="bash .gpu-train/run-train-gpu.sh", carry=[".gpu-train"], timeout_s=600)
set -euo pipefail
exec "$(dirname "$0")/pack-device-train.sh" "$@"
