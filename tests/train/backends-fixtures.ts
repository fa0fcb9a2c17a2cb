// A small ResNet (stem, one identity block, one strided block with a projection shortcut, global
// average pooling, dense) with seeded weights, and seeded images: enough to exercise every kernel a
// ResNet training step needs (conv, BatchNorm, ReLU, add, pooling, matmul, softmax) in a fraction of a second.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { createLocalStep, trainableVariables } from '../../train/src/training/step.ts';
import { Optimizer } from '../../train/src/training/optimizer.ts';
import { lossFor } from '../../train/src/training/loss.ts';
import { withSeededMathRandom, Rng } from '../../train/src/training/rng.ts';
import { conv2dLayer } from '../../train/src/layers/conv2d.ts';
import { batchNormalizationLayer } from '../../train/src/layers/batch-norm.ts';

type T = tfl.SymbolicTensor;

function convBn(x: T, filters: number, stride: number, kernel: number, name: string, batchNorm: boolean): T {
  // The product's layers (train/src/models): their training paths are what the backends must get right.
  const y = conv2dLayer({
    filters,
    kernelSize: kernel,
    strides: stride,
    padding: 'same',
    useBias: !batchNorm,
    name,
  }).apply(x) as T;
  return batchNorm
    ? (batchNormalizationLayer({ axis: -1, epsilon: 1e-5, momentum: 0.99, name: `${name}_bn` }).apply(y) as T)
    : y;
}

function block(x: T, filters: number, stride: number, name: string, batchNorm: boolean): T {
  let y = convBn(x, filters, stride, 3, `${name}_1`, batchNorm);
  y = tfl.layers.reLU().apply(y) as T;
  y = convBn(y, filters, 1, 3, `${name}_2`, batchNorm);
  const shortcut = stride === 1 ? x : convBn(x, filters, stride, 1, `${name}_0`, batchNorm);
  return tfl.layers.reLU().apply(tfl.layers.add().apply([y, shortcut]) as T) as T;
}

export function smallResNet(
  seed: number,
  opts: { size?: number; channels?: number; classes?: number; batchNorm?: boolean } = {},
): tfl.LayersModel {
  const { size = 8, channels = 3, classes = 4, batchNorm = true } = opts;
  return withSeededMathRandom(seed, () => {
    const input = tfl.input({ shape: [size, size, channels] });
    let x = tfl.layers.reLU().apply(convBn(input, 8, 1, 3, 'stem', batchNorm)) as T;
    x = block(x, 8, 1, 'stage1', batchNorm);
    x = block(x, 16, 2, 'stage2', batchNorm);
    x = tfl.layers.globalAveragePooling2d({}).apply(x) as T;
    const out = tfl.layers.dense({ units: classes, name: 'logits' }).apply(x) as T;
    return tfl.model({ inputs: input, outputs: out });
  });
}

export function seededBatch(count: number, size = 8, channels = 3, classes = 4, seed = 3) {
  const rng = new Rng(seed);
  const x = new Float32Array(count * size * size * channels).map(() => rng.uniform(-1, 1));
  const y = new Int32Array(count).map((_, i) => i % classes);
  return { x, y, count, shape: [size, size, channels] as [number, number, number] };
}

/**
 * `steps` SGD-momentum steps of `smallResNet(seed)` on the current backend, from `initial` weights when given
 * (another backend's start, so both train the same network); the i-th step's batch is `batch(i)`.
 */
export async function trainSmallResNet(
  seed: number,
  steps: number,
  batch: (i: number) => ReturnType<typeof seededBatch>,
  initial?: Float32Array[],
) {
  const model = smallResNet(seed);
  if (initial) model.setWeights(initial.map((w, i) => tf.tensor(w, model.weights[i]!.shape as number[])));
  const start = (await Promise.all(model.weights.map((w) => w.read().data()))) as Float32Array[];
  const optimizer = new Optimizer({ kind: 'sgd', momentum: 0.9, weightDecay: 5e-4 }, trainableVariables(model));
  const step = createLocalStep(model, optimizer, lossFor('softmax', 0));
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) losses.push((await step.step(batch(i), 0.05)).loss);
  const end = (await Promise.all(model.weights.map((w) => w.read().data()))) as Float32Array[];
  return { start, losses, end };
}

/** max |a−b| / max |b|: float32 sums in a different order differ by ~1e-7 of the largest value. */
export function relError(actual: Float32Array, expected: Float32Array): number {
  if (actual.length !== expected.length) throw new Error(`lengths differ: ${actual.length} vs ${expected.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return diff / scale;
}
