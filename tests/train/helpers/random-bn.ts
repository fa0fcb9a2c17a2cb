// Gives every BatchNormalization layer non-trivial statistics, as training would, so BN folding is
// really exercised (a freshly built model has mean 0, variance 1, gamma 1, beta 0: folding is identity).
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

export function randomizeBatchNorm(model: tfl.LayersModel, seed = 1): void {
  let s = seed;
  const rand = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const c = layer.getWeights()[0]!.shape[0]!;
    const vec = (f: () => number) => tf.tensor1d(Float32Array.from({ length: c }, f));
    layer.setWeights([
      vec(() => 0.5 + rand()),
      vec(() => (rand() - 0.5) * 0.2),
      vec(() => (rand() - 0.5) * 0.4),
      vec(() => 0.5 + rand()),
    ]);
  }
}
