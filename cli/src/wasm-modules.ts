// The CLI runs the worker's WebAssembly — int8 convolutions (conv.wasm), JPEG entropy decoding (jpeg.wasm), the VP8
// loop filter (webp-filter.wasm), PNG inflating and unfiltering (inflate.wasm) — so `classify --model-dir`, `preprocess` and the trainer's data loading run the
// code that serves. Node compiles each file here; the shared code only ever receives a compiled module (workerd
// imports them). Each has an opt-out to the pure-TypeScript path (same results; a way to rule the wasm out).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setJpegWasmModule } from '@resnet-edge/shared/image/jpeg/scan-wasm';
import { setPngInflateWasmModule } from '@resnet-edge/shared/image/png/inflate-wasm';
import { setWebpFilterWasmModule } from '@resnet-edge/shared/image/webp/vp8/filter-wasm';
import { setInt8WasmModule } from '@resnet-edge/shared/tflite/wasm-arena';

export const WASM_MODULES = [
  { file: 'conv.wasm', optOut: 'RESNET_EDGE_INT8_KERNELS', install: setInt8WasmModule },
  { file: 'jpeg.wasm', optOut: 'RESNET_EDGE_JPEG_SCANS', install: setJpegWasmModule },
  { file: 'webp-filter.wasm', optOut: 'RESNET_EDGE_WEBP_FILTER', install: setWebpFilterWasmModule },
  { file: 'inflate.wasm', optOut: 'RESNET_EDGE_PNG_INFLATE', install: setPngInflateWasmModule },
] as const;

/** Installs every module, except those whose opt-out variable is `typescript`. */
export function installWasmModules(env: NodeJS.ProcessEnv = process.env): void {
  const require = createRequire(import.meta.url);
  for (const { file, optOut, install } of WASM_MODULES) {
    if (env[optOut] === 'typescript') install(null);
    else install(new WebAssembly.Module(readFileSync(require.resolve(`@resnet-edge/shared/wasm/${file}`))));
  }
}
