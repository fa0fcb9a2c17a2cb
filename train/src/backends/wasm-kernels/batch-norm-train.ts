// The fused training BatchNorm (train/src/layers/batch-norm.ts) on the wasm backend: each direction is two
// passes of train/wasm/batch-norm.ts over the activation, with the per-channel factors computed here.
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { BATCH_NORM_TRAIN, BATCH_NORM_TRAIN_GRAD } from '../../layers/batch-norm.ts';
import { offsetOf, trainKernels } from './train-module.ts';
import { release } from './run-kernel.ts';

function geometry(x: TensorInfo): { channels: number; pixels: number } {
  const channels = x.shape[x.shape.length - 1]!;
  return { channels, pixels: x.shape.reduce((a, b) => a * b, 1) / channels };
}

const forward: KernelFunc = ({ inputs, attrs, backend: b }) => {
  const backend = b as BackendWasm;
  const { x, scale, offset } = inputs as { x: TensorInfo; scale: TensorInfo; offset: TensorInfo };
  const { epsilon } = attrs as unknown as { epsilon: number };
  const { channels, pixels } = geometry(x);
  const k = trainKernels(backend);
  const mean = backend.makeOutput([channels], 'float32');
  const variance = backend.makeOutput([channels], 'float32');
  const scratch = backend.makeOutput([3 * channels], 'float32');
  const affine = backend.makeOutput([2 * channels], 'float32');
  const y = backend.makeOutput(x.shape, 'float32');
  k.bnStats(
    offsetOf(backend, x),
    pixels,
    channels,
    offsetOf(backend, mean),
    offsetOf(backend, variance),
    offsetOf(backend, scratch),
  );
  // Views only after the last allocation: a grown heap detaches earlier ones.
  const m = backend.typedArrayFromHeap(mean) as Float32Array;
  const v = backend.typedArrayFromHeap(variance) as Float32Array;
  const g = backend.typedArrayFromHeap(scale) as Float32Array;
  const beta = backend.typedArrayFromHeap(offset) as Float32Array;
  const ab = backend.typedArrayFromHeap(affine) as Float32Array;
  for (let c = 0; c < channels; c++) {
    const a = g[c]! / Math.sqrt(v[c]! + epsilon);
    ab[c] = a;
    ab[channels + c] = beta[c]! - m[c]! * a;
  }
  const affineAt = offsetOf(backend, affine);
  k.channelAffine(offsetOf(backend, x), pixels, channels, affineAt, affineAt + 4 * channels, offsetOf(backend, y));
  release(backend, scratch, affine);
  return [y, mean, variance];
};

const gradient: KernelFunc = ({ inputs, attrs, backend: b }) => {
  const backend = b as BackendWasm;
  const { x, dy, mean, variance, scale } = inputs as Record<'x' | 'dy' | 'mean' | 'variance' | 'scale', TensorInfo>;
  const { epsilon } = attrs as unknown as { epsilon: number };
  const { channels, pixels } = geometry(x);
  const k = trainKernels(backend);
  const sumDy = backend.makeOutput([channels], 'float32');
  const sumDyXc = backend.makeOutput([channels], 'float32');
  const dScale = backend.makeOutput([channels], 'float32');
  const scratch = backend.makeOutput([6 * channels], 'float32');
  const factors = backend.makeOutput([3 * channels], 'float32');
  const dx = backend.makeOutput(x.shape, 'float32');
  const xAt = offsetOf(backend, x),
    dyAt = offsetOf(backend, dy),
    meanAt = offsetOf(backend, mean);
  k.bnGradSums(
    xAt,
    dyAt,
    pixels,
    channels,
    meanAt,
    offsetOf(backend, sumDy),
    offsetOf(backend, sumDyXc),
    offsetOf(backend, scratch),
  );
  const v = backend.typedArrayFromHeap(variance) as Float32Array;
  const g = backend.typedArrayFromHeap(scale) as Float32Array;
  const sDy = backend.typedArrayFromHeap(sumDy) as Float32Array;
  const sDyXc = backend.typedArrayFromHeap(sumDyXc) as Float32Array;
  const ds = backend.typedArrayFromHeap(dScale) as Float32Array;
  const f = backend.typedArrayFromHeap(factors) as Float32Array;
  for (let c = 0; c < channels; c++) {
    const invStd = 1 / Math.sqrt(v[c]! + epsilon);
    const a = g[c]! * invStd;
    f[c] = a;
    f[channels + c] = (-a * invStd * invStd * sDyXc[c]!) / pixels;
    f[2 * channels + c] = (-a * sDy[c]!) / pixels;
    ds[c] = sDyXc[c]! * invStd;
  }
  const fAt = offsetOf(backend, factors);
  k.bnGradInput(
    xAt,
    dyAt,
    pixels,
    channels,
    meanAt,
    fAt,
    fAt + 4 * channels,
    fAt + 8 * channels,
    offsetOf(backend, dx),
  );
  release(backend, sumDyXc, scratch, factors);
  return [dx, dScale, sumDy];
};

export const batchNormTrainConfig: KernelConfig = {
  kernelName: BATCH_NORM_TRAIN,
  backendName: 'wasm',
  kernelFunc: forward,
};
export const batchNormTrainGradConfig: KernelConfig = {
  kernelName: BATCH_NORM_TRAIN_GRAD,
  backendName: 'wasm',
  kernelFunc: gradient,
};
