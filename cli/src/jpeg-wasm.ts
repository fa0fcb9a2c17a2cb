// The CLI decodes JPEG scans with jpeg.wasm, like the worker, so `preprocess` and the trainer's data loading run the
// code that serves: Node compiles the file here (the shared code only ever receives a compiled module).
// RESNET_EDGE_JPEG_SCANS=typescript keeps scan-fast.ts (the same coefficients; a way to rule the wasm out).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setJpegWasmModule } from '@resnet-edge/shared/image/jpeg/scan-wasm';

export function installJpegWasm(env: NodeJS.ProcessEnv = process.env): void {
  if (env.RESNET_EDGE_JPEG_SCANS === 'typescript') return setJpegWasmModule(null);
  const path = createRequire(import.meta.url).resolve('@resnet-edge/shared/wasm/jpeg.wasm');
  setJpegWasmModule(new WebAssembly.Module(readFileSync(path)));
}
