// Top-1 of the float model and of the int8 model on the same held-out arrays, and how often they agree.
// Both heads output logits: softmax → argmax; a one-logit sigmoid head → class 1 when the logit is > 0.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { Interpreter } from '@resnet-edge/shared/tflite/interpreter';
import type { HeadKind } from '../models/index.ts';
import type { LabelledArrays } from '../training/metrics.ts';

/** Runs a batch of preprocessed images (NHWC) to logits [n, units]. */
export type LogitsFn = (batch: tf.Tensor4D) => tf.Tensor2D;

export function classesOf(logits: Float32Array, units: number, head: HeadKind): Int32Array {
  const n = logits.length / units;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (head === 'sigmoid') {
      out[i] = logits[i]! > 0 ? 1 : 0;
      continue;
    }
    let best = 0;
    for (let k = 1; k < units; k++) if (logits[i * units + k]! > logits[i * units + best]!) best = k;
    out[i] = best;
  }
  return out;
}

export function predictAll(fn: LogitsFn, data: LabelledArrays, head: HeadKind, batchSize = 64): Int32Array {
  const [h, w, c] = data.shape;
  const per = h * w * c;
  const out = new Int32Array(data.count);
  for (let start = 0; start < data.count; start += batchSize) {
    const n = Math.min(batchSize, data.count - start);
    const logits = tf.tidy(() => fn(tf.tensor4d(data.x.subarray(start * per, (start + n) * per), [n, h, w, c])));
    out.set(classesOf(logits.dataSync() as Float32Array, logits.shape[1], head), start);
    logits.dispose();
  }
  return out;
}

export const floatLogits =
  (model: tfl.LayersModel): LogitsFn =>
  (batch) =>
    model.predict(batch) as tf.Tensor2D;

/**
 * Logits of the written `.tflite`, run by the shared int8 interpreter (the edge worker's runtime): the gate
 * measures the very bytes that get published, parsed back, not the graph they were written from.
 */
export function int8Logits(tflite: Uint8Array): LogitsFn & { kernels: Interpreter['kernels'] } {
  const interpreter = Interpreter.create(tflite);
  const perImage = interpreter.inputShape.reduce((a, b) => a * b, 1);
  const units = interpreter.outputShape.reduce((a, b) => a * b, 1);
  const logits: LogitsFn = (batch) => {
    const n = batch.shape[0];
    const x = batch.dataSync() as Float32Array;
    const out = new Float32Array(n * units);
    for (let i = 0; i < n; i++) out.set(interpreter.run(x.subarray(i * perImage, (i + 1) * perImage)), i * units);
    return tf.tensor2d(out, [n, units]);
  };
  return Object.assign(logits, { kernels: interpreter.kernels });
}

export interface Comparison {
  samples: number;
  floatTop1: number;
  int8Top1: number;
  /** Fraction of images where both models predict the same class. */
  agreement: number;
  /** floatTop1 − int8Top1, in percentage points. */
  dropPoints: number;
}

export function compare(labels: Int32Array, floatPred: Int32Array, int8Pred: Int32Array): Comparison {
  let f = 0;
  let q = 0;
  let same = 0;
  for (let i = 0; i < labels.length; i++) {
    if (floatPred[i] === labels[i]) f++;
    if (int8Pred[i] === labels[i]) q++;
    if (floatPred[i] === int8Pred[i]) same++;
  }
  const n = labels.length || 1;
  return {
    samples: labels.length,
    floatTop1: f / n,
    int8Top1: q / n,
    agreement: same / n,
    dropPoints: ((f - q) / n) * 100,
  };
}
