// The few layer helpers every network here is made of. Convolutions before a BatchNorm carry no bias
// (BN's beta replaces it) and use 'same' padding, which is TFLite's SAME and gives torchvision's output
// sizes (ceil(n / stride)). BatchNorm uses torchvision's epsilon and momentum.
import * as tfl from '@tensorflow/tfjs-layers';
import { batchNormalizationLayer } from '../layers/batch-norm.ts';
import { conv2dLayer } from '../layers/conv2d.ts';

export type Tensor = tfl.SymbolicTensor;

export const BN_EPSILON = 1e-5;
export const BN_MOMENTUM = 0.9;

function conv(x: Tensor, filters: number, kernel: number, stride: number, name: string, useBias = false): Tensor {
  return conv2dLayer({ filters, kernelSize: kernel, strides: stride, padding: 'same', useBias, kernelInitializer: 'heNormal', name }).apply(x) as Tensor;
}

export function conv3x3(x: Tensor, filters: number, stride: number, name: string): Tensor {
  return conv(x, filters, 3, stride, name);
}

export function conv1x1(x: Tensor, filters: number, stride: number, name: string): Tensor {
  return conv(x, filters, 1, stride, name);
}

/** Any other square kernel (7×7 stem, 5×5 Inception branch). */
export function convKxK(x: Tensor, filters: number, kernel: number, stride: number, name: string, useBias = false): Tensor {
  return conv(x, filters, kernel, stride, name, useBias);
}

export function batchNorm(x: Tensor, name: string): Tensor {
  return batchNormalizationLayer({ axis: -1, epsilon: BN_EPSILON, momentum: BN_MOMENTUM, name }).apply(x) as Tensor;
}

export function relu(x: Tensor, name: string): Tensor {
  return tfl.layers.activation({ activation: 'relu', name }).apply(x) as Tensor;
}

/** conv → BN → ReLU under one prefix: `<prefix>_conv`, `<prefix>_bn`, `<prefix>_relu`. */
export function convBnRelu(x: Tensor, filters: number, kernel: number, stride: number, prefix: string): Tensor {
  return relu(batchNorm(convKxK(x, filters, kernel, stride, `${prefix}_conv`), `${prefix}_bn`), `${prefix}_relu`);
}

export function maxPool(x: Tensor, size: number, stride: number, name: string, padding: 'same' | 'valid' = 'same'): Tensor {
  return tfl.layers.maxPooling2d({ poolSize: size, strides: stride, padding, name }).apply(x) as Tensor;
}

export function channels(x: Tensor): number {
  const c = x.shape[x.shape.length - 1];
  if (typeof c !== 'number') throw new Error(`tensor ${x.name} has no static channel count`);
  return c;
}
