// Installs the training kernels the wasm backend lacks or runs slowly. Idempotent: the patch is applied
// once per process (and per worker thread, each of which has its own kernel registry).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
// tfjs-layers' node bundle registers every gradient (tfjs-core's does not) when first imported: load it
// before our override so it cannot later overwrite our FusedBatchNorm gradient.
import '@tensorflow/tfjs-layers';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter.ts';
import { makeConv2DBackpropInputConfig } from './conv2d-backprop-input.ts';
import { batchNormGradConfig } from './batch-norm-grad.ts';
import { makeCastConfig, makeIdentityConfig } from './share-buffer.ts';
import { batchNormTrainConfig, batchNormTrainGradConfig } from './batch-norm-train.ts';
import { reluGradConfig, reluGradKernelConfig } from './relu-grad.ts';
import { makeConv2DConfig } from './conv2d.ts';

export const PATCHED_KERNELS = [
  'Conv2D',
  'FusedConv2D',
  'Conv2DBackpropFilter',
  'Conv2DBackpropInput',
  'Identity',
  'Cast',
] as const;
export const ADDED_KERNELS = ['BatchNorm training (forward, gradient)', 'ReLU gradient'] as const;
export const PATCHED_GRADIENTS = ['FusedBatchNorm', 'Relu'] as const;

let patched = false;

export function registerWasmTrainingKernels(): void {
  if (patched) return;
  patched = true;
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm') !== undefined) tf.unregisterKernel('Conv2DBackpropFilter', 'wasm');
  tf.registerKernel(conv2DBackpropFilterConfig);
  replaceKernel('Conv2DBackpropInput', makeConv2DBackpropInputConfig);
  replaceKernel('Conv2D', makeConv2DConfig('Conv2D'));
  replaceKernel('FusedConv2D', makeConv2DConfig('FusedConv2D'));
  replaceKernel('Identity', makeIdentityConfig);
  replaceKernel('Cast', makeCastConfig);
  tf.registerKernel(batchNormTrainConfig);
  tf.registerKernel(batchNormTrainGradConfig);
  tf.registerKernel(reluGradKernelConfig);
  withoutOverrideWarning(() => {
    tf.registerGradient(batchNormGradConfig);
    tf.registerGradient(reluGradConfig);
  });
}

/** Ours in front, the shipped kernel behind it for the cases ours leaves alone. The shipped setup (binding its
 * C function when the backend starts) is kept, or the fallback would find nothing to call. */
function replaceKernel(name: string, make: (shipped: tf.KernelFunc) => tf.KernelConfig): void {
  const shipped = tf.getKernel(name, 'wasm');
  if (shipped === undefined) throw new Error(`wasm kernel ${name} is not registered`);
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ ...make(shipped.kernelFunc), setupFunc: shipped.setupFunc, disposeFunc: shipped.disposeFunc });
}

/** tfjs-core warns on every gradient override; this one is deliberate and tested. */
function withoutOverrideWarning(fn: () => void): void {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].startsWith('Overriding the gradient')) return;
    warn(...args);
  };
  try {
    fn();
  } finally {
    console.warn = warn;
  }
}
