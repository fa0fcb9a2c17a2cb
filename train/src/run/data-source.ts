// The trainer's view of the data module: dataset options → preprocessed, split Float32 arrays,
// plus what run.json must record (options, fingerprint, preprocessing). Only this file knows the
// data module's API, so the training code sees nothing but LabelledArrays.
import { readFile } from 'node:fs/promises';
import { DEFAULT_MAX_PIXELS } from '@resnet-edge/shared/image/limits';
import { preprocessSpecSchema, type PreprocessSpec } from '@resnet-edge/shared/preprocess/spec';
import {
  fingerprint,
  loadDataset,
  materialize,
  splitDataset,
  type Dataset,
  type DatasetOptions,
} from '../data/dataset.ts';
import { bundledDatasetOptions, fashionMnistSpec } from '../data/presets.ts';
import type { LabelledArrays } from '../training/metrics.ts';
import { Rng } from '../training/rng.ts';
import { TrainError } from '../errors.ts';
import type { RunInfo } from './run-folder.ts';

export interface DataRequest {
  train: DatasetOptions;
  test?: DatasetOptions;
  validationFraction: number;
  /** Absent: the run's own recipe when resuming, else the default for the data. */
  preprocess?: PreprocessSpec;
  /** True when no dataset flag chose this data (the bundled default): a resumed run then keeps its own data. */
  implicit?: boolean;
}

/** Dataset options for `eval`: what to evaluate on and, optionally, a preprocessing override. */
export type DataOptions = { data: DatasetOptions };

export interface RunData {
  labels: string[];
  preprocess: PreprocessSpec;
  train: LabelledArrays;
  validation: LabelledArrays | null;
  test: LabelledArrays | null;
  fingerprint: string;
  record: RunInfo['data'];
  /** The normalised value of a black pixel: what crop padding fills with. */
  blackValue: number;
}

/** The bundled Fashion-MNIST sample (official class order); its preprocessing comes from defaultPreprocess. */
export function bundledDataRequest(validationFraction = 0.1): DataRequest {
  return {
    train: bundledDatasetOptions('train'),
    test: bundledDatasetOptions('test'),
    validationFraction,
    implicit: true,
  };
}

/** Preprocessing when no spec was given: the bundled data's own, or 64×64 RGB in [-1, 1] for a user's data. */
export function defaultPreprocess(req: DataRequest): PreprocessSpec {
  return req.implicit ? fashionMnistSpec : simpleSpec(64, 'rgb');
}

/**
 * Preprocessing for a user's dataset when no --spec is given: resize the shorter side to `size`,
 * centre-crop size×size, scale pixels to [-1, 1] (seed 003's recipe).
 */
export function simpleSpec(size: number, colorMode: 'rgb' | 'grayscale'): PreprocessSpec {
  return {
    colorMode,
    resizeShorter: size,
    resizeAlgorithm: 'bilinear',
    crop: { height: size, width: size },
    normalize: { kind: 'scale', scale: 2 / 255, offset: -1 },
    maxPixels: DEFAULT_MAX_PIXELS,
  };
}

export async function readSpecFile(path: string): Promise<PreprocessSpec> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new TrainError('bad_spec', `cannot read the preprocessing spec '${path}': ${(err as Error).message}`);
  }
  const parsed = preprocessSpecSchema.safeParse(raw);
  if (!parsed.success)
    throw new TrainError(
      'bad_spec',
      `'${path}' is not a preprocessing spec: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}

export function blackValueOf(spec: PreprocessSpec): number {
  const n = spec.normalize;
  return n.kind === 'scale' ? n.offset : -(n.mean[0] ?? 0) / (n.std[0] ?? 1);
}

function toArrays(m: { x: Float32Array; y: Int32Array; count: number; shape: number[] }): LabelledArrays {
  const s = m.shape.length === 4 ? m.shape.slice(1) : m.shape;
  return { x: m.x, y: m.y, count: m.count, shape: [s[0]!, s[1]!, s[2]!] };
}

function reportSkipped(
  name: string,
  skipped: { count: number; examples: { id: string; reason: string }[] } | undefined,
  log: (m: string) => void,
): void {
  if (!skipped || skipped.count === 0) return;
  log(
    `${name}: skipped ${skipped.count} unreadable file(s), e.g. ${skipped.examples.map((e) => `${e.id} (${e.reason})`).join('; ')}`,
  );
}

/** A seeded sample of at most `max` images (0 = all), in the dataset's own order. */
function limit(ds: Dataset, max: number, seed: number): Dataset {
  if (max <= 0 || ds.samples.length <= max) return ds;
  const keep = Array.from(new Rng(seed ^ 0x51ce).permutation(ds.samples.length).subarray(0, max)).sort((a, b) => a - b);
  return { ...ds, samples: keep.map((i) => ds.samples[i]!) };
}

export async function loadRunData(
  req: DataRequest & { preprocess: PreprocessSpec },
  opts: { seed: number; maxTrainSamples: number; log: (m: string) => void },
): Promise<RunData> {
  const full = await loadDataset(req.train);
  reportSkipped(full.name, full.skipped, opts.log);
  const split =
    req.validationFraction > 0
      ? await splitDataset(full, { validationFraction: req.validationFraction, seed: opts.seed })
      : { train: full, validation: null };
  const trainDs = limit(split.train, opts.maxTrainSamples, opts.seed);
  const train = await materialize(trainDs, req.preprocess);
  if (train.skipped.count > full.skipped.count) reportSkipped(`${full.name} (decoding)`, train.skipped, opts.log);
  if (train.count < 2)
    throw new TrainError('not_enough_data', `only ${train.count} training image(s) could be read from '${full.name}'`);
  const validation =
    split.validation && split.validation.samples.length > 0
      ? await materialize(split.validation, req.preprocess)
      : null;
  let test: LabelledArrays | null = null;
  if (req.test) {
    const testDs = alignLabels(await loadDataset(req.test), full.labels);
    test = toArrays(await materialize(testDs, req.preprocess));
  }
  return {
    labels: full.labels,
    preprocess: req.preprocess,
    train: toArrays(train),
    validation: validation ? toArrays(validation) : null,
    test,
    fingerprint: await fingerprint(trainDs),
    record: {
      train: req.train,
      ...(req.test ? { test: req.test } : {}),
      validationFraction: req.validationFraction,
      seed: opts.seed,
    },
    blackValue: blackValueOf(req.preprocess),
  };
}

/**
 * Re-indexes `ds` so its label numbers follow `labels` (matched by name). A class the model does
 * not know is an error: its images could never be classified correctly.
 */
export function alignLabels(ds: Dataset, labels: string[]): Dataset {
  if (ds.labels.join('\u0000') === labels.join('\u0000')) return ds;
  const unknown = ds.labels.filter((l) => !labels.includes(l));
  if (unknown.length > 0) {
    throw new TrainError(
      'labels_mismatch',
      `dataset '${ds.name}' has classes the model does not know: ${unknown.join(', ')} (model classes: ${labels.join(', ')})`,
    );
  }
  const map = ds.labels.map((l) => labels.indexOf(l));
  return { ...ds, labels, samples: ds.samples.map((s) => ({ ...s, label: map[s.label]! })) };
}

/** What `eval` runs on: the given dataset, or the run's recorded test set, or its validation split. */
export async function loadEvalData(
  info: RunInfo,
  data: DataOptions | null,
  log: (m: string) => void,
): Promise<{ name: string; arrays: LabelledArrays }> {
  let ds: Dataset;
  if (data) {
    ds = await loadDataset(data.data);
  } else if (info.data.test) {
    ds = await loadDataset(info.data.test);
  } else {
    const full = await loadDataset(info.data.train);
    const split = await splitDataset(full, { validationFraction: info.data.validationFraction, seed: info.data.seed });
    ds = { ...split.validation, name: `${full.name} (validation split)` };
  }
  reportSkipped(ds.name, ds.skipped, log);
  const aligned = alignLabels(ds, info.labels);
  const m = await materialize(aligned, info.preprocess);
  const arrays = toArrays(m);
  const [h, w, c] = info.inputShape;
  if (arrays.shape.join() !== [h, w, c].join()) {
    throw new TrainError(
      'shape_mismatch',
      `the run expects ${h}×${w}×${c} inputs but the data came out ${arrays.shape.join('×')}`,
    );
  }
  return { name: ds.name, arrays };
}
