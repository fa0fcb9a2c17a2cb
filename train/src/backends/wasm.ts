import '@tensorflow/tfjs-backend-wasm';
import { activate } from './activate.ts';
import { ADDED_KERNELS, PATCHED_GRADIENTS, PATCHED_KERNELS, registerWasmTrainingKernels } from './wasm-kernels/register.ts';
import type { BackendReady } from './index.ts';

/**
 * WebAssembly (XNNPACK) backend, patched to train: tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter and a
 * slow Conv2DBackpropInput. Single-threaded in Node (threads are disabled there, tfjs issue 3830); the
 * parallel/ module uses worker_threads for the second core.
 */
export async function initWasm(): Promise<BackendReady> {
  registerWasmTrainingKernels();
  await activate('wasm');
  return {
    tfBackend: 'wasm',
    detail: `XNNPACK SIMD, 1 thread; patched kernels ${PATCHED_KERNELS.join(', ')}; added ${ADDED_KERNELS.join(', ')}; gradients ${PATCHED_GRADIENTS.join(', ')}`,
  };
}
