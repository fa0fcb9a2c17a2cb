// The CLI runs int8 models on the WebAssembly SIMD path, like the worker: Node compiles conv.wasm here (the shared
// code only ever receives a compiled module). RESNET_EDGE_INT8_KERNELS=typescript keeps the pure-TS path.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setInt8WasmModule } from '@resnet-edge/shared/tflite/wasm-arena';

export function installInt8Wasm(env: NodeJS.ProcessEnv = process.env): void {
  if (env.RESNET_EDGE_INT8_KERNELS === 'typescript') return setInt8WasmModule(null);
  const path = createRequire(import.meta.url).resolve('@resnet-edge/shared/wasm/conv.wasm');
  setInt8WasmModule(new WebAssembly.Module(readFileSync(path)));
}
