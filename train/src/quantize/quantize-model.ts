// The quantizer in one call: TF.js model → float graph (BN folded, ReLU fused) → calibrated ranges →
// int8 GraphIR ready for the TFLite writer.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { GraphIR } from '@resnet-edge/shared/tflite/ir';
import { calibrate, type CalibrationOptions } from './calibrate.ts';
import { floatGraphFromModel, type FloatGraph } from './float-graph.ts';
import { buildInt8Graph } from './graph-builder.ts';
import type { Range } from './quant-math.ts';

export interface QuantizedModel {
  graph: GraphIR;
  floatGraph: FloatGraph;
  ranges: Range[];
}

/** Splits N images (NHWC) into batches that share the caller's tensor memory budget. */
export function batchesOf(images: tf.Tensor4D, batchSize: number): tf.Tensor4D[] {
  const n = images.shape[0];
  const out: tf.Tensor4D[] = [];
  for (let i = 0; i < n; i += batchSize)
    out.push(tf.slice(images, [i, 0, 0, 0], [Math.min(batchSize, n - i), -1, -1, -1]));
  return out;
}

export function quantizeModel(
  model: tfl.LayersModel,
  calibrationImages: tf.Tensor4D,
  opts: { calibration: CalibrationOptions; description?: string; batchSize?: number },
): QuantizedModel {
  const floatGraph = floatGraphFromModel(model);
  const batches = batchesOf(calibrationImages, opts.batchSize ?? 32);
  try {
    const ranges = calibrate(floatGraph, batches, opts.calibration);
    return { graph: buildInt8Graph(floatGraph, ranges, opts.description), floatGraph, ranges };
  } finally {
    tf.dispose(batches);
  }
}
