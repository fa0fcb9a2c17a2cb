#!/usr/bin/env bash
# Bundles the resnet-edge CLI into OUT_DIR so it runs on a plain Node with no repository, no tsx and no
# node_modules beside it (scripts/pack-device-train.sh packs the result for a lent GPU machine):
#   resnet-edge.mjs       the CLI (every command; the lazily imported ones are inlined)
#   worker-entry.mjs      the gradient worker that train/src/parallel/data-parallel.ts starts beside its module
#   bench-train-gpu.mjs   `npm run bench -- train-gpu` (bench/train-gpu.ts), with its PyTorch side beside it
#                         (torch_train_gpu.py, torch_models.py): the GPU machine has no npm and no repository
#   *.wasm                tfjs-backend-wasm's builds, found through __dirname (emscripten's scriptDirectory)
#   node_modules/         what is resolved at run time, not bundled: the `webgpu` package (Dawn, a native addon)
#                         and the repo's own .wasm files, which the code resolves as package files
# Use: scripts/bundle-cli.sh OUT_DIR   then   node OUT_DIR/resnet-edge.mjs --help
set -euo pipefail
out="${1:?usage: scripts/bundle-cli.sh OUT_DIR}"
cd "$(dirname "$0")/.."
mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -rf "$out/node_modules" "$out"/*.mjs "$out"/*.wasm

# The bundle is ESM, where `require`, `__dirname` and `__filename` do not exist; CommonJS dependencies
# (tfjs, emscripten's glue) use them, so they are defined once at the top from the bundle's own URL.
# --ignore-annotations: tfjs-backend-cpu's package.json marks its Node build side-effect free, and esbuild
# would then drop `import '@tensorflow/tfjs-backend-cpu'`, which is there only to register the backend.
banner="import { createRequire as __cr } from 'node:module'; import { fileURLToPath as __fu } from 'node:url'; \
import { dirname as __dn } from 'node:path'; const require = __cr(import.meta.url); \
const __bundle_file = __fu(import.meta.url); const __bundle_dir = __dn(__bundle_file);"
bundle() {
  npx esbuild --bundle --platform=node --format=esm --target=node20 --ignore-annotations \
    --external:webgpu --define:__dirname=__bundle_dir --define:__filename=__bundle_file \
    --log-level=error --banner:js="$banner" "$@"
}
echo "import { main } from './cli/src/main.ts'; process.exitCode = await main(process.argv.slice(2));" |
  bundle --sourcefile=resnet-edge-entry.ts --loader=ts --outfile="$out/resnet-edge.mjs"
bundle train/src/parallel/worker.ts --outfile="$out/worker-entry.mjs"
bundle bench/train-gpu.ts --outfile="$out/bench-train-gpu.mjs"
cp bench/torch_train_gpu.py bench/torch_models.py "$out/"

cp node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm "$out/"
for pkg in shared train; do
  dest="$out/node_modules/@resnet-edge/$pkg"
  mkdir -p "$dest/wasm"
  cp "$pkg/package.json" "$dest/"
  cp "$pkg"/wasm/*.wasm "$dest/wasm/"
done
mkdir -p "$out/node_modules/webgpu/dist"
cp node_modules/webgpu/index.js node_modules/webgpu/package.json "$out/node_modules/webgpu/"
cp -r node_modules/webgpu/dist/linux-x64 "$out/node_modules/webgpu/dist/"
for dep in debug ms; do
  pkg=$(node -e "console.log(require.resolve('$dep/package.json', { paths: ['node_modules/webgpu'] }))")
  cp -r "$(dirname "$pkg")" "$out/node_modules/"
done
