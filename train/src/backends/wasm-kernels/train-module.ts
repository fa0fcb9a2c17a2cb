// train/wasm/kernels.wasm instantiated on the wasm backend's own memory, so kernels take tensors' heap offsets
// instead of copies. Node-only (the trainer), so compiling the bytes here is fine; one instance per backend
// (each worker thread has its own backend and memory).
//
// Two builds of the same source: kernels-relaxed.wasm multiplies-and-adds in one fused instruction (relaxed
// SIMD's f32x4.relaxed_madd, an FMA on x86-64 and Arm), kernels.wasm in two. Relaxed SIMD is on by default
// from Node 22 (V8 11.4); Node 20 has it behind a V8 flag, which is switched on here when the build needs it.
// RESNET_EDGE_WASM_FMA=0 keeps the plain build (tests run both).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { DataId, TensorInfo } from '@tensorflow/tfjs-core';

export interface TrainKernels {
  bnStats(x: number, pixels: number, channels: number, mean: number, variance: number, scratch: number): void;
  channelAffine(x: number, pixels: number, channels: number, scale: number, shift: number, y: number): void;
  bnGradSums(
    x: number,
    dy: number,
    pixels: number,
    channels: number,
    mean: number,
    sumDy: number,
    sumDyXc: number,
    scratch: number,
  ): void;
  bnGradInput(
    x: number,
    dy: number,
    pixels: number,
    channels: number,
    mean: number,
    a: number,
    b: number,
    k: number,
    dx: number,
  ): void;
  reluGrad(x: number, dy: number, size: number, dx: number): void;
  convBackpropFilter(params: number): void;
  convForward(params: number): void;
  spread(
    x: number,
    n: number,
    h: number,
    w: number,
    c: number,
    sh: number,
    sw: number,
    top: number,
    left: number,
    hp: number,
    wp: number,
    out: number,
  ): void;
}

let compiled: { module: WebAssembly.Module; fusedMultiplyAdd: boolean } | undefined;
const instances = new WeakMap<BackendWasm, TrainKernels>();

function compile(): { module: WebAssembly.Module; fusedMultiplyAdd: boolean } {
  // Resolved as a package file (not relative to this module) so a bundle of the CLI finds it beside itself.
  const require = createRequire(import.meta.url);
  const wasm = (name: string) => readFileSync(require.resolve(`@resnet-edge/train/wasm/${name}`));
  if (process.env['RESNET_EDGE_WASM_FMA'] !== '0') {
    const relaxed = wasm('kernels-relaxed.wasm');
    if (!WebAssembly.validate(relaxed)) setFlagsFromString('--experimental-wasm-relaxed-simd');
    if (WebAssembly.validate(relaxed)) return { module: new WebAssembly.Module(relaxed), fusedMultiplyAdd: true };
  }
  return { module: new WebAssembly.Module(wasm('kernels.wasm')), fusedMultiplyAdd: false };
}

/** Whether the kernels multiply-add in one rounding (relaxed SIMD) or two. Compiles the module if needed. */
export function fusedMultiplyAdd(): boolean {
  compiled ??= compile();
  return compiled.fusedMultiplyAdd;
}

export function trainKernels(backend: BackendWasm): TrainKernels {
  let kernels = instances.get(backend);
  if (kernels === undefined) {
    compiled ??= compile();
    // Emscripten keeps the instance's exports, memory included, on Module.asm.
    const memory = (backend.wasm as unknown as { asm?: { memory?: unknown } }).asm?.memory;
    if (!(memory instanceof WebAssembly.Memory)) throw new Error('the tfjs wasm backend does not expose its memory');
    kernels = new WebAssembly.Instance(compiled.module, { env: { memory } }).exports as unknown as TrainKernels;
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
