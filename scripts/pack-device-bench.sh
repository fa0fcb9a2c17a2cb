#!/usr/bin/env bash
# Packs what the WebGPU training benchmark needs on a GPU machine that has no Node.js and no internet:
# bench/train.ts bundled into one file, the `webgpu` package (Dawn) for linux-x64, a compressed Node binary,
# the Vulkan/glvnd loaders (NVIDIA's Vulkan ICD is libGLX_nvidia.so.0), and the PyTorch twin with a
# `device` switch. Both folders are git-ignored locally (.git/info/exclude).
#
# On the GPU machine, from the repo root:
#   for f in .gl/*.deb; do dpkg -x $f /; done; ldconfig
#   export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json XDG_RUNTIME_DIR=/tmp
#   xz -dc .gpu/node.xz > /tmp/node && chmod +x /tmp/node
#   cd .gpu && /tmp/node bench-train.mjs --child webgpu --config '{"arch":"resnet20","size":32,"channels":3,"batch":64,"steps":10}'
#   python3 torch_twin.py '{"arch":"resnet20","size":32,"channels":3,"batch":64,"steps":10,"threads":16,"row":"torch","device":"cuda"}'
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf .gpu .gl && mkdir -p .gpu/node_modules/webgpu/dist .gl /tmp/amd64/partial
npx esbuild bench/train.ts --bundle --platform=node --format=esm --target=node20 --outfile=.gpu/bench-train.mjs \
  --external:webgpu --log-level=error \
  --banner:js="import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);"
cp node_modules/webgpu/index.js node_modules/webgpu/package.json .gpu/node_modules/webgpu/
cp -r node_modules/webgpu/dist/linux-x64 .gpu/node_modules/webgpu/dist/
for dep in debug ms; do
  pkg=$(node -e "console.log(require.resolve('$dep/package.json', { paths: ['node_modules/webgpu'] }))")
  cp -r "$(dirname "$pkg")" .gpu/node_modules/
done
xz -T2 -6 -c "$(command -v node)" > .gpu/node.xz
# The PyTorch twin of bench/train.ts, moved to a selectable device.
cp bench/torch_models.py .gpu/
python3 -c '
import sys; s = sys.stdin.read()
s = s.replace("model = net(", "dev = torch.device(cfg.get(\"device\", \"cpu\"))\nmodel = net(", 1).replace("cfg[\"channels\"], 10)", "cfg[\"channels\"], 10).to(dev)", 1)
s = s.replace("cfg[\x27size\x27]), torch.arange(cfg[\x27batch\x27]) % 10", "cfg[\x27size\x27], device=dev), (torch.arange(cfg[\x27batch\x27]) % 10).to(dev)")
s = s.replace("t = time.perf_counter()", "sync = (lambda: torch.cuda.synchronize()) if dev.type == \"cuda\" else (lambda: None)\nsync(); t = time.perf_counter()")
s = s.replace("ms = (time.perf_counter() - t)", "sync(); ms = (time.perf_counter() - t)")
sys.stdout.write(s)' < bench/torch_train.py > .gpu/torch_twin.py
o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
apt-get $o update >/dev/null
(cd .gl && apt-get $o download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2 >/dev/null 2>&1)
du -sh .gpu .gl
