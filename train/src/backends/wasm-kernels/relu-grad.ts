// ReLU's gradient as one pass on the wasm backend (tfjs-core's is Step, Cast and Multiply). The gradient
// registry is global, so the override checks for the kernel and keeps tfjs-core's formula elsewhere.
import * as tf from '@tensorflow/tfjs-core';
import {
  Relu,
  type GradConfig,
  type KernelConfig,
  type KernelFunc,
  type Tensor,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { offsetOf, trainKernels } from './train-module.ts';

export const RELU_GRAD = 'ResnetEdgeReluGrad';

const reluGrad: KernelFunc = ({ inputs, backend: b }) => {
  const backend = b as BackendWasm;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const dx = backend.makeOutput(x.shape, 'float32');
  const size = x.shape.reduce((a, c) => a * c, 1);
  trainKernels(backend).reluGrad(offsetOf(backend, x), offsetOf(backend, dy), size, offsetOf(backend, dx));
  return dx;
};

export const reluGradKernelConfig: KernelConfig = { kernelName: RELU_GRAD, backendName: 'wasm', kernelFunc: reluGrad };

export const reluGradConfig: GradConfig = {
  kernelName: Relu,
  inputsToSave: ['x'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
    const [x] = saved as [Tensor];
    const grad = dy as Tensor;
    if (x.dtype === 'float32' && tf.getKernel(RELU_GRAD, tf.getBackend()) !== undefined) {
      return { x: () => tf.engine().runKernel(RELU_GRAD, { x, dy: grad }) as Tensor };
    }
    return { x: () => tf.mul(grad, tf.cast(tf.step(x), 'float32')) };
  },
};
