// A deliberately tiny conv net (conv → BatchNorm → ReLU → flatten → logits) and a synthetic
// separable image problem, so loop tests run in seconds on the pure-JS cpu backend.
import * as tfl from '@tensorflow/tfjs-layers';
import { withSeededMathRandom } from '../../train/src/training/rng.ts';
import { Rng } from '../../train/src/training/rng.ts';
import type { LabelledArrays } from '../../train/src/training/metrics.ts';

export function tinyModel(
  seed: number,
  opts: { numClasses?: number; size?: number; units?: number; batchNorm?: boolean } = {},
): tfl.LayersModel {
  const { numClasses = 3, size = 8, units, batchNorm = true } = opts;
  return withSeededMathRandom(seed, () => {
    const input = tfl.input({ shape: [size, size, 1] });
    let x = tfl.layers
      .conv2d({ filters: 4, kernelSize: 3, padding: 'same', useBias: false, name: 'conv1' })
      .apply(input) as tfl.SymbolicTensor;
    if (batchNorm) x = tfl.layers.batchNormalization({ name: 'conv1_bn' }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.activation({ activation: 'relu' }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.flatten().apply(x) as tfl.SymbolicTensor;
    const out = tfl.layers.dense({ units: units ?? numClasses, name: 'predictions' }).apply(x) as tfl.SymbolicTensor;
    return tfl.model({ inputs: input, outputs: out });
  });
}

/** Class k images are bright in band k of the image (rows), plus noise: easy to learn. */
export function bandImages(count: number, numClasses = 3, size = 8, seed = 1): LabelledArrays {
  const rng = new Rng(seed);
  const x = new Float32Array(count * size * size);
  const y = new Int32Array(count);
  const band = Math.floor(size / numClasses);
  for (let i = 0; i < count; i++) {
    const k = i % numClasses;
    y[i] = k;
    for (let r = 0; r < size; r++) {
      for (let c = 0; c < size; c++) {
        const on = r >= k * band && r < (k + 1) * band;
        x[i * size * size + r * size + c] = (on ? 1 : -0.5) + rng.uniform(-0.3, 0.3);
      }
    }
  }
  return { x, y, count, shape: [size, size, 1] };
}
