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

export async function evaluate(
  model: tfl.LayersModel,
  data: LabelledArrays,
  labels: string[],
  head: Head,
  batchSize = 128,
): Promise<EvalMetrics> {
  const k = labels.length;
  const [h, w, c] = data.shape;
  const size = h * w * c;
  const lossFn = lossFor(head, 0);
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let lossSum = 0;
  let top5Hits = 0;
  for (let start = 0; start < data.count; start += batchSize) {
    const n = Math.min(batchSize, data.count - start);
    const [lossV, pred, top5] = tf.tidy(() => {
      const x = tf.tensor4d(data.x.subarray(start * size, (start + n) * size), [n, h, w, c]);
      const y = tf.tensor1d(data.y.subarray(start, start + n), 'int32');
      const logits = model.apply(x, { training: false }) as tf.Tensor2D;
      const probs = probabilities(logits, head);
      const top5 = k > 5 ? tf.topk(probs, 5).indices : null;
      return [tf.mul(lossFn(logits, y), n), tf.argMax(probs, 1), top5] as const;
    });
    const [l, p, t5] = await Promise.all([lossV.data(), pred.data(), top5 ? top5.data() : Promise.resolve(null)]);
    tf.dispose([lossV, pred, ...(top5 ? [top5] : [])]);
    lossSum += l[0]!;
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
