// One image through one model: the shared preprocessing with the manifest's spec, the int8 interpreter, then
// scores and top-k. No HTTP and no runtime specifics here, so the worker route and the CLI's local mode call exactly this.
import { preprocess } from '../preprocess/index.ts';
import type { Manifest } from '../registry/manifest.ts';
import { scoresFromLogits, topK, type Prediction } from './scores.ts';

/** What classify needs from the interpreter: dequantized logits for one NHWC input. */
export interface Runnable {
  run(input: Float32Array): Float32Array;
}

export interface ClassifierModel {
  manifest: Manifest;
  interpreter: Runnable;
}

export interface ClassifyResult {
  model: { name: string; version: string };
  predictions: Prediction[];
  timing: { decode_ms: number; preprocess_ms: number; infer_ms: number };
  /** High-water mark of the request's MemoryBudget (decode + preprocess buffers): what the edge benchmark reports. */
  memory: { peak_bytes: number };
}

export interface ClassifyOptions {
  /** Lower than the manifest's limit where memory is tight (a worker isolate has 128 MB). */
  maxPixels?: number;
  /** Refuse PNGs whose inflated image data is larger (`png_too_large`): PNG decode work grows with it. */
  maxPngBytes?: number;
}

export function classify(
  bytes: Uint8Array,
  model: ClassifierModel,
  k: number,
  opts: ClassifyOptions = {},
): ClassifyResult {
  const { manifest } = model;
  const spec =
    opts.maxPixels === undefined
      ? manifest.preprocess
      : { ...manifest.preprocess, maxPixels: Math.min(manifest.preprocess.maxPixels, opts.maxPixels) };
  const input = preprocess(bytes, spec, opts.maxPngBytes === undefined ? {} : { maxPngBytes: opts.maxPngBytes });
  const started = performance.now();
  const logits = model.interpreter.run(input.tensor);
  const inferMs = performance.now() - started;
  const scores = scoresFromLogits(logits, manifest.outputActivation, manifest.labels.length);
  return {
    model: { name: manifest.name, version: manifest.version },
    predictions: topK(scores, manifest.labels, k),
    timing: { decode_ms: input.timing.decodeMs, preprocess_ms: input.timing.preprocessMs, infer_ms: inferMs },
    memory: { peak_bytes: input.peakBytes },
  };
}
