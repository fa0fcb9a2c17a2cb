// `resnet-edge quantize --run DIR` as a function: load the run, calibrate, build the int8 graph, serialise
// it, measure float vs int8 on the held-out set and, only if the accuracy drop passes the gate, write
// model.tflite + manifest.json. A failed gate returns `passed: false` and writes nothing.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { GraphIR } from '@resnet-edge/shared/tflite/ir';
import type { BackendChoice } from '../backends/index.ts';
import { MODEL_JSON, WEIGHTS_BIN } from '../io/model-io.ts';
import { readRun, RUN_FILES } from '../run/run-folder.ts';
import { ensureBackend } from '../run/trainer.ts';
import { compare, floatLogits, int8Logits, predictAll, type Comparison } from './accuracy.ts';
import { DEFAULT_PERCENTILE, type CalibrationMethod } from './calibrate.ts';
import { MANIFEST_FILE, MODEL_FILE } from '@resnet-edge/shared/registry/layout';
import { exportQuantized } from './export.ts';
import { quantizeModel } from './quantize-model.ts';
import { sizeReport, type TfliteSizeReport } from './size-report.ts';
import { floatWeightsFile } from '../transfer/float-weights.ts';
import { calibrationImages, heldOutImages } from './run-data.ts';

export interface QuantizeRunOptions {
  run: string;
  calibrationSamples: number;
  calibration: CalibrationMethod;
  percentile?: number;
  /** Largest accepted top-1 drop, in percentage points. */
  maxDrop: number;
  out?: string;
  name?: string;
  version?: string;
  backend?: BackendChoice;
  /** GraphIR → `.tflite` bytes (shared/src/tflite/writer.ts). */
  writeTflite: (graph: GraphIR) => Uint8Array;
}

export interface QuantizeRunResult {
  run: string;
  arch: string;
  heldOut: string;
  comparison: Comparison;
  /**
   * floatBytes: the TF.js run folder (model.json + weights.bin); ratio = floatBytes / int8Bytes.
   * float32WeightBytes: the folded graph's constants in float32; weightsRatio = float32WeightBytes / int8Bytes.
   * tflite: where the int8 file's bytes go.
   */
  sizes: {
    floatBytes: number;
    int8Bytes: number;
    ratio: number;
    float32WeightBytes: number;
    weightsRatio: number;
    tflite: TfliteSizeReport;
  };
  calibration: { method: CalibrationMethod; samples: number; percentile?: number };
  /** How the int8 accuracy was measured. */
  int8Runtime: string;
  passed: boolean;
  out: string | null;
  files: { model: string; manifest: string } | null;
}

async function floatModelBytes(run: string): Promise<number> {
  const dir = join(run, RUN_FILES.model);
  const sizes = await Promise.all([MODEL_JSON, WEIGHTS_BIN].map((f) => stat(join(dir, f)).then((s) => s.size)));
  return sizes.reduce((a, b) => a + b, 0);
}

export async function quantizeRun(opts: QuantizeRunOptions, io: { log(m: string): void }): Promise<QuantizeRunResult> {
  await ensureBackend(opts.backend ?? 'auto', io.log);
  const { info, model } = await readRun(opts.run);
  try {
    const calib = await calibrationImages(info, opts.calibrationSamples, io.log);
    const percentile = opts.calibration === 'percentile' ? (opts.percentile ?? DEFAULT_PERCENTILE) : undefined;
    const images = tf.tensor4d(calib.x, [calib.count, ...calib.shape]);
    const t0 = Date.now();
    const q = (() => {
      try {
        return quantizeModel(model, images, {
          calibration: { method: opts.calibration, ...(percentile ? { percentile } : {}) },
          description: `resnet-edge int8 ${info.arch}`,
        });
      } finally {
        images.dispose();
      }
    })();
    io.log(
      `quantized ${info.arch}: ${q.graph.ops.length} ops, calibration (${opts.calibration}) took ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
    const tflite = opts.writeTflite(q.graph);

    const held = await heldOutImages(info, io.log);
    io.log(`measuring float and int8 top-1 on ${held.name} (${held.arrays.count} images)`);
    const floatPred = predictAll(floatLogits(model), held.arrays, info.head);
    const int8 = int8Logits(tflite);
    const int8Pred = predictAll(int8, held.arrays, info.head);
    const comparison = compare(held.arrays.y, floatPred, int8Pred);
    const floatBytes = await floatModelBytes(opts.run);
    const tfliteSizes = sizeReport(q.graph, tflite.byteLength);
    const sizes = {
      floatBytes,
      int8Bytes: tflite.byteLength,
      ratio: floatBytes / tflite.byteLength,
      float32WeightBytes: tfliteSizes.float32WeightBytes,
      weightsRatio: tfliteSizes.float32WeightBytes / tflite.byteLength,
      tflite: tfliteSizes,
    };
    const calibration = { method: opts.calibration, samples: calib.count, ...(percentile ? { percentile } : {}) };
    const passed = comparison.dropPoints <= opts.maxDrop;
    const base = {
      run: opts.run,
      arch: info.arch,
      heldOut: held.name,
      comparison,
      sizes,
      calibration,
      int8Runtime: `the shared int8 interpreter (${int8.kernels} kernels) on the written .tflite`,
    };
    // The gate: a model that lost too much accuracy is reported, never written.
    if (!passed) return { ...base, passed, out: null, files: null };
    const out = opts.out ?? join(opts.run, 'quantized');
    await exportQuantized({
      outDir: out,
      name: opts.name ?? info.arch,
      version: opts.version ?? '1.0.0',
      info,
      tflite,
      accuracy: {
        float: { top1: comparison.floatTop1, samples: comparison.samples },
        int8: { top1: comparison.int8Top1, samples: comparison.samples },
      },
      calibration: { method: opts.calibration, samples: calib.count, ...(percentile ? { percentile } : {}) },
      floatWeights: floatWeightsFile(model, info),
    });
    return { ...base, passed, out, files: { model: join(out, MODEL_FILE), manifest: join(out, MANIFEST_FILE) } };
  } finally {
    model.dispose();
  }
}
