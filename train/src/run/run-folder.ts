// The run folder: everything one training run leaves behind, in one place, readable by later steps
// (eval, quantize, publish) without knowing how training went.
//
//   DIR/run.json             RunInfo: architecture, labels, preprocessing, data recipe, backend
//   DIR/model/               the best-on-validation model (TF.js layers format: model.json + weights.bin)
//   DIR/checkpoints/last/    the last finished epoch: model + optimizer state + epoch + RNG state (for --resume)
//   DIR/metrics.json         per-epoch metrics and the final evaluation
//   DIR/report.html          curves and confusion matrix, self-contained
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { PreprocessSpec } from '@resnet-edge/shared/preprocess/spec';
import type { DatasetOptions } from '../data/dataset.ts';
import { loadModel } from '../io/model-io.ts';
import { writeFileAtomic } from '../io/atomic.ts';
import { TrainError } from '../errors.ts';
import { REPORT_FILE } from '@resnet-edge/shared/registry/layout';
import type { HeadKind } from '../models/head.ts';
import type { PaddingStyle } from '../models/layers.ts';
import type { InitRecord } from '../transfer/init.ts';

export const RUN_FILES = {
  info: 'run.json',
  model: 'model',
  lastCheckpoint: join('checkpoints', 'last'),
  metrics: 'metrics.json',
  report: REPORT_FILE,
} as const;

export type Head = HeadKind;

export interface RunInfo {
  arch: string;
  /** [height, width, channels] of one preprocessed image. */
  inputShape: [number, number, number];
  numClasses: number;
  /** Class names in output-index order. */
  labels: string[];
  head: Head;
  preprocess: PreprocessSpec;
  data: { train: DatasetOptions; test?: DatasetOptions; validationFraction: number; seed: number };
  /** fingerprint(trainingDataset) from the data module: which files trained this model. */
  dataFingerprint: string;
  /** The TF.js backend that ran the training (e.g. 'wasm', 'webgpu', 'tensorflow'). */
  backend: string;
  epochs: number;
  createdAt: string;
  /** The full training recipe (optimizer, schedule, augmentation…), for the record. */
  training?: Record<string, unknown>;
  /** How strided layers pad (models/layers.ts); absent = 'same'. 'torchvision' for imported torchvision/Keras weights. */
  padding?: PaddingStyle;
  /** Where the weights started (`train --init`); absent = random initialisation. */
  init?: InitRecord;
}

export async function writeRunInfo(dir: string, info: RunInfo): Promise<void> {
  await writeFileAtomic(join(dir, RUN_FILES.info), JSON.stringify(info, null, 2) + '\n');
}

export async function readRunInfo(dir: string): Promise<RunInfo> {
  const path = join(dir, RUN_FILES.info);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new TrainError(
      'run_not_found',
      `no run at '${dir}': ${RUN_FILES.info} is missing (train one with \`resnet-edge train --out ${dir}\`)`,
    );
  }
  const info = JSON.parse(text) as RunInfo;
  if (typeof info.arch !== 'string' || !Array.isArray(info.labels) || !Array.isArray(info.inputShape)) {
    throw new TrainError('run_invalid', `'${path}' is not a resnet-edge run description`);
  }
  return info;
}

/** The run's description, its best model and its metrics (null when training never finished an epoch). */
export async function readRun(dir: string): Promise<{ info: RunInfo; model: tfl.LayersModel; metrics: unknown }> {
  const info = await readRunInfo(dir);
  const model = await loadModel(join(dir, RUN_FILES.model));
  let metrics: unknown = null;
  try {
    metrics = JSON.parse(await readFile(join(dir, RUN_FILES.metrics), 'utf8'));
  } catch {
    metrics = null;
  }
  return { info, model, metrics };
}
