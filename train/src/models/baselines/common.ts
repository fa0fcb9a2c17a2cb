// Shared by the baseline networks: output-size arithmetic (so each file can state its smallest valid
// input and count its parameters without building) and the two layer kinds that only baselines use.
import * as tfl from '@tensorflow/tfjs-layers';
import type { Tensor } from '../layers.ts';

/** Output side of a conv/pool: 'same' → ceil(n / s); 'valid' → floor((n − k) / s) + 1 (≤ 0 means impossible). */
export function outSize(n: number, kernel: number, stride: number, padding: 'same' | 'valid'): number {
  return padding === 'same' ? Math.ceil(n / stride) : Math.floor((n - kernel) / stride) + 1;
}

/** Smallest input side for which `featureSide` is ≥ 1. */
export function smallestInput(featureSide: (n: number) => number): number {
  for (let n = 1; n < 4096; n++) if (featureSide(n) >= 1) return n;
  throw new Error('no input size up to 4096 works');
}

export const convParams = (k: number, cin: number, cout: number, bias: boolean) =>
  k * k * cin * cout + (bias ? cout : 0);
export const denseParams = (cin: number, cout: number) => cin * cout + cout;
/** Trainable BatchNorm parameters (gamma, beta); the moving statistics are not parameters. */
export const bnParams = (c: number) => 2 * c;

export function convRelu(
  x: Tensor,
  filters: number,
  kernel: number,
  stride: number,
  name: string,
  padding: 'same' | 'valid' = 'same',
): Tensor {
  return tfl.layers
    .conv2d({
      filters,
      kernelSize: kernel,
      strides: stride,
      padding,
      activation: 'relu',
      kernelInitializer: 'heNormal',
      name,
    })
    .apply(x) as Tensor;
}

export function denseRelu(x: Tensor, units: number, name: string): Tensor {
  return tfl.layers.dense({ units, activation: 'relu', kernelInitializer: 'heNormal', name }).apply(x) as Tensor;
}

export function dropout(x: Tensor, rate: number, name: string): Tensor {
  return tfl.layers.dropout({ rate, name }).apply(x) as Tensor;
}

export function flatten(x: Tensor, name = 'flatten'): Tensor {
  return tfl.layers.flatten({ name }).apply(x) as Tensor;
}
