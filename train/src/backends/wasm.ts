import '@tensorflow/tfjs-backend-wasm';
import { activate } from './activate.ts';
import {
  ADDED_KERNELS,
  PATCHED_GRADIENTS,
  PATCHED_KERNELS,
  registerWasmTrainingKernels,
} from './wasm-kernels/register.ts';
import { fusedMultiplyAdd } from './wasm-kernels/train-module.ts';
import type { BackendReady } from './index.ts';

/**
 * WebAssembly backend, patched to train: tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter, a slow
 * Conv2DBackpropInput, and autodiffs BatchNorm through a score of element-wise kernels. XNNPACK keeps the
 * forward convolutions; train/wasm/ has the rest. Single-threaded in Node (threads are disabled there, tfjs
 * issue 3830); the parallel/ module uses worker_threads for the second core.
 */
export async function initWasm(): Promise<BackendReady> {
  registerWasmTrainingKernels();
  await activate('wasm');
  const simd = fusedMultiplyAdd() ? 'SIMD with fused multiply-add (relaxed SIMD)' : 'SIMD';
  return {
    tfBackend: 'wasm',
    detail: `1 thread, ${simd}; patched kernels ${PATCHED_KERNELS.join(', ')}; added ${ADDED_KERNELS.join(', ')}; gradients ${PATCHED_GRADIENTS.join(', ')}`,
  };
}
