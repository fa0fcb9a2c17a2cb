// Evaluation: BatchNorm in inference mode (moving statistics), loss without label smoothing,
// top-1, top-5 (only meaningful with more than 5 classes), confusion matrix, per-class
// precision and recall.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { lossFor, probabilities } from './loss.ts';
import type { HeadKind as Head } from '../models/head.ts';

export interface ClassMetrics {
  label: string;
  precision: number | null;
  recall: number | null;
  /** Images of this class in the evaluated set. */
  support: number;
}

export interface EvalMetrics {
  count: number;
  loss: number;
  top1: number;
  top5?: number;
  /** confusion[actual][predicted] */
  confusion: number[][];
  perClass: ClassMetrics[];
}

export interface LabelledArrays {
  x: Float32Array;
  y: Int32Array;
  count: number;
  shape: [number, number, number];
}

/** What one evaluated batch contributes: its summed loss, each image's top-1 class and (over 5 classes) top-5. */
export interface BatchOutcome {
  lossSum: number;
  predicted: ArrayLike<number>;
  /** Five class indices per image, or null with 5 classes or fewer. */
  top5: ArrayLike<number> | null;
}

/** Evaluates one batch; the default runs `model` on this thread, a data-parallel step spreads it over its workers. */
export type EvaluateBatch = (x: Float32Array, y: Int32Array, count: number) => Promise<BatchOutcome>;

/** One batch's outcome as tensors (loss sum, top-1 indices, top-5 indices or none); the caller reads and frees them. */
export function outcomeTensors(
  model: tfl.LayersModel,
  batch: LabelledArrays,
  head: Head,
  classes: number,
): tf.Tensor[] {
  const [h, w, c] = batch.shape;
  return tf.tidy(() => {
    const x = tf.tensor4d(batch.x, [batch.count, h, w, c]);
    const y = tf.tensor1d(batch.y, 'int32');
    const logits = model.apply(x, { training: false }) as tf.Tensor2D;
    const probs = probabilities(logits, head);
    const out = [tf.mul(lossFor(head, 0)(logits, y), batch.count), tf.argMax(probs, 1)];
    return classes > 5 ? [...out, tf.topk(probs, 5).indices] : out;
  });
}

/** The default EvaluateBatch: `model` on this thread's backend. */
export function localBatches(
  model: tfl.LayersModel,
  shape: LabelledArrays['shape'],
  head: Head,
  classes: number,
): EvaluateBatch {
  return async (x, y, count) => {
    const tensors = outcomeTensors(model, { x, y, count, shape }, head, classes);
    const [l, p, t5] = await Promise.all(tensors.map((t) => t.data()));
    tf.dispose(tensors);
    return { lossSum: l![0]!, predicted: p!, top5: t5 ?? null };
  };
}

export async function evaluate(
  model: tfl.LayersModel,
  data: LabelledArrays,
  labels: string[],
  head: Head,
  batchSize = 128,
  batches: EvaluateBatch = localBatches(model, data.shape, head, labels.length),
): Promise<EvalMetrics> {
  const k = labels.length;
  const [h, w, c] = data.shape;
  const size = h * w * c;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let lossSum = 0;
  let top5Hits = 0;
  for (let start = 0; start < data.count; start += batchSize) {
    const n = Math.min(batchSize, data.count - start);
    const x = data.x.subarray(start * size, (start + n) * size);
    const { lossSum: l, predicted: p, top5: t5 } = await batches(x, data.y.subarray(start, start + n), n);
    lossSum += l;
    for (let i = 0; i < n; i++) {
      const actual = data.y[start + i]!;
      confusion[actual]![p[i]!]!++;
      if (t5) for (let j = 0; j < 5; j++) if (t5[i * 5 + j] === actual) top5Hits++;
    }
  }
  const correct = confusion.reduce((s, row, i) => s + row[i]!, 0);
  const perClass = labels.map((label, i) => {
    const tp = confusion[i]![i]!;
    const support = confusion[i]!.reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((a, row) => a + row[i]!, 0);
    return { label, precision: predicted ? tp / predicted : null, recall: support ? tp / support : null, support };
  });
  const count = data.count;
  return {
    count,
    loss: count ? lossSum / count : NaN,
    top1: count ? correct / count : NaN,
    ...(k > 5 ? { top5: count ? top5Hits / count : NaN } : {}),
    confusion,
    perClass,
  };
}
