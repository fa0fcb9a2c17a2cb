// train/wasm/kernels.wasm instantiated on the wasm backend's own memory, so kernels take tensors' heap offsets
// instead of copies. Node-only (the trainer), so compiling the bytes here is fine; one instance per backend
// (each worker thread has its own backend and memory).
import { readFileSync } from 'node:fs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { DataId, TensorInfo } from '@tensorflow/tfjs-core';

export interface TrainKernels {
  bnStats(x: number, pixels: number, channels: number, mean: number, variance: number, scratch: number): void;
  channelAffine(x: number, pixels: number, channels: number, scale: number, shift: number, y: number): void;
  bnGradSums(x: number, dy: number, pixels: number, channels: number, mean: number, sumDy: number, sumDyXc: number, scratch: number): void;
  bnGradInput(x: number, dy: number, pixels: number, channels: number, mean: number, a: number, b: number, k: number, dx: number): void;
  reluGrad(x: number, dy: number, size: number, dx: number): void;
}

let compiled: WebAssembly.Module | undefined;
const instances = new WeakMap<BackendWasm, TrainKernels>();

export function trainKernels(backend: BackendWasm): TrainKernels {
  let kernels = instances.get(backend);
  if (kernels === undefined) {
    compiled ??= new WebAssembly.Module(readFileSync(new URL('../../../wasm/kernels.wasm', import.meta.url)));
    // Emscripten keeps the instance's exports, memory included, on Module.asm.
    const memory = (backend.wasm as unknown as { asm?: { memory?: unknown } }).asm?.memory;
    if (!(memory instanceof WebAssembly.Memory)) throw new Error('the tfjs wasm backend does not expose its memory');
    kernels = new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as TrainKernels;
    instances.set(backend, kernels);
  }
  return kernels;
}

/** Where a tensor's values start in the backend's heap. */
export function offsetOf(backend: BackendWasm, info: TensorInfo | DataId): number {
  const dataId = 'dataId' in (info as TensorInfo) ? (info as TensorInfo).dataId : info;
  const data = backend.dataIdMap.get(dataId);
  if (data === undefined || data.memoryOffset === null) throw new Error('tensor has no data in the wasm heap');
  return data.memoryOffset;
}
