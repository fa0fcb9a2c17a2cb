// The classifier head shared by every network: a Dense layer named 'predictions' that outputs logits.
// Softmax / sigmoid are applied by the loss during training and by the runtime after dequantisation,
// so the int8 model ends in plain logits.
import * as tfl from '@tensorflow/tfjs-layers';
import { ModelError } from './errors.ts';
import type { Tensor } from './layers.ts';

export type HeadKind = 'softmax' | 'sigmoid';

/** Units of the logits layer: one logit for a two-class sigmoid head, else one per class. */
export function headUnits(numClasses: number, head: HeadKind = 'softmax'): number {
  if (!Number.isInteger(numClasses) || numClasses < 2) {
    throw new ModelError('bad_options', `numClasses must be an integer ≥ 2, got ${numClasses}`);
  }
  if (head === 'sigmoid') {
    if (numClasses !== 2) {
      throw new ModelError('bad_options', `a sigmoid head is for two-class problems, got numClasses = ${numClasses}`);
    }
    return 1;
  }
  return numClasses;
}

export function logits(x: Tensor, numClasses: number, head: HeadKind = 'softmax'): Tensor {
  return tfl.layers
    .dense({ units: headUnits(numClasses, head), activation: 'linear', name: 'predictions' })
    .apply(x) as Tensor;
}
