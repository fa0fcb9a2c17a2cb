// Activation ranges for every node of the float graph, observed on calibration images.
//   minmax:     the smallest and largest value seen (TFLite's converter default).
//   percentile: the p-th and (100 − p)-th percentiles of all values seen, which ignores rare outliers and
//               so gives the bulk of the distribution a finer scale. Two passes: min/max, then a histogram.
import * as tf from '@tensorflow/tfjs-core';
import { QuantizeError } from './errors.ts';
import { evaluateFloatGraph } from './float-eval.ts';
import type { FloatGraph } from './float-graph.ts';
import type { Range } from './quant-math.ts';

export type CalibrationMethod = 'minmax' | 'percentile';

export interface CalibrationOptions {
  method: CalibrationMethod;
  /** For 'percentile': the upper percentile kept (default 99.99). */
  percentile?: number;
}

export const DEFAULT_PERCENTILE = 99.99;
const BINS = 2048;

function observeMinMax(graph: FloatGraph, batches: tf.Tensor4D[]): Range[] {
  const ranges: Range[] = graph.nodes.map(() => ({ min: Infinity, max: -Infinity }));
  for (const batch of batches) {
    const out = evaluateFloatGraph(graph, batch, (node, value) => {
      const r = ranges[node.id]!;
      r.min = Math.min(r.min, tf.min(value).dataSync()[0]!);
      r.max = Math.max(r.max, tf.max(value).dataSync()[0]!);
    });
    out.dispose();
  }
  return ranges;
}

function percentileRanges(graph: FloatGraph, batches: tf.Tensor4D[], bounds: Range[], p: number): Range[] {
  const hist = graph.nodes.map(() => new Float64Array(BINS));
  for (const batch of batches) {
    const out = evaluateFloatGraph(graph, batch, (node, value) => {
      const { min, max } = bounds[node.id]!;
      const width = (max - min) / BINS || 1;
      const h = hist[node.id]!;
      for (const x of value.dataSync()) h[Math.min(BINS - 1, Math.floor((x - min) / width))]! += 1;
    });
    out.dispose();
  }
  return graph.nodes.map((_node, id) => {
    const { min, max } = bounds[id]!;
    const h = hist[id]!;
    const total = h.reduce((a, b) => a + b, 0);
    const width = (max - min) / BINS;
    const cut = (total * (100 - p)) / 100;
    let lo = 0;
    for (let acc = 0; lo < BINS - 1 && acc + h[lo]! <= cut; lo++) acc += h[lo]!;
    let hi = BINS - 1;
    for (let acc = 0; hi > 0 && acc + h[hi]! <= cut; hi--) acc += h[hi]!;
    return { min: min + lo * width, max: min + (hi + 1) * width };
  });
}

/** Ranges indexed by node id. `batches` are preprocessed NHWC images; the caller keeps ownership. */
export function calibrate(graph: FloatGraph, batches: tf.Tensor4D[], opts: CalibrationOptions): Range[] {
  if (batches.length === 0) throw new QuantizeError('calibration_failed', 'no calibration images');
  const ranges = observeMinMax(graph, batches);
  const bad = graph.nodes.find((n) => !Number.isFinite(ranges[n.id]!.min) || !Number.isFinite(ranges[n.id]!.max));
  if (bad)
    throw new QuantizeError('calibration_failed', `layer '${bad.name}' produced non-finite values during calibration`);
  if (opts.method === 'minmax') return ranges;
  const p = opts.percentile ?? DEFAULT_PERCENTILE;
  if (!(p > 50 && p <= 100)) throw new QuantizeError('calibration_failed', `percentile must be in (50, 100], got ${p}`);
  return percentileRanges(graph, batches, ranges, p);
}
