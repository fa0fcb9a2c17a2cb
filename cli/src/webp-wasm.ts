// The CLI runs the VP8 loop filter in webp-filter.wasm, like the worker, so `preprocess` and the trainer's data
// loading run the code that serves: Node compiles the file here (the shared code only ever receives a compiled
// module). RESNET_EDGE_WEBP_FILTER=typescript keeps loop-filter.ts (the same pixels; a way to rule the wasm out).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setWebpFilterWasmModule } from '@resnet-edge/shared/image/webp/vp8/filter-wasm';

export function installWebpFilterWasm(env: NodeJS.ProcessEnv = process.env): void {
  if (env.RESNET_EDGE_WEBP_FILTER === 'typescript') return setWebpFilterWasmModule(null);
  const path = createRequire(import.meta.url).resolve('@resnet-edge/shared/wasm/webp-filter.wasm');
  setWebpFilterWasmModule(new WebAssembly.Module(readFileSync(path)));
}
