// `resnet-edge retrain` as a function: champion from the store → base data + feedback → a challenger trained
// from the champion's recipe (architecture, preprocessing, labels, head) → int8 with the accuracy gate →
// champion and challenger int8 on the same frozen held-out set → publish the challenger, promoted only if it
// beats the champion by the margin → a report beside the model. Nothing here moves the pointer except
// publishModel's conditional write, so a run that dies part-way leaves the champion served.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { retrainReportKey } from '@resnet-edge/shared/registry/layout';
import type { Manifest } from '@resnet-edge/shared/registry/manifest';
import type { GraphIR } from '@resnet-edge/shared/tflite/ir';
import { fingerprint, loadDataset, type DatasetOptions } from '../data/dataset.ts';
import { compare, int8Logits, predictAll } from '../quantize/accuracy.ts';
import { quantizeRun, type QuantizeRunResult } from '../quantize/quantize-run.ts';
import { listModels } from '@resnet-edge/registry/list';
import { publishModel } from '@resnet-edge/registry/publish';
import { readModel } from '@resnet-edge/registry/read';
import type { ObjectStore } from '@resnet-edge/registry/store';
import { loadEvalData } from '../run/data-source.ts';
import { readRunInfo } from '../run/run-folder.ts';
import { train, type TrainIO } from '../run/trainer.ts';
import { downloadFeedback, type FeedbackSet } from './feedback.ts';
import { RetrainError } from './errors.ts';
import { FINE_TUNE_DEFAULTS, type Recipe } from '../training/recipe.ts';
import { FLOAT_WEIGHTS_FILE } from '@resnet-edge/shared/registry/layout';
import type { InitRequest } from '../transfer/init.ts';
import { freezeLabel, type FineTuneRecipe } from '../transfer/recipe.ts';

/** The training settings a run takes from flags; the rest comes from the champion. */

export interface RetrainOptions {
  store: ObjectStore;
  model: string;
  /** The base training data (the challenger trains on it plus all feedback). */
  data: DatasetOptions;
  /** The frozen held-out set both models are judged on. Never trained on. */
  heldOut: DatasetOptions;
  recipe: Recipe;
  /** Points of held-out top-1 the challenger must gain over the champion to be promoted (may be negative). */
  margin: number;
  /** The quantization gate (points of top-1 int8 may lose against float). */
  maxDrop: number;
  workdir: string;
  /** Default: the next minor version after the highest published one. */
  version?: string;
  /** Only feedback records up to this key (what the cron counted when it submitted the job). */
  feedbackUntil?: string;
  by: string;
  writeTflite: (graph: GraphIR) => Uint8Array;
  /** 'champion': fine-tune the champion's float weights (its weights.safetensors); default 'scratch'. */
  from?: 'scratch' | 'champion';
  /** How to fine-tune when starting from the champion (transfer/recipe.ts). */
  fineTune?: FineTuneRecipe;
}

/** Which weights the challenger started from. */
export type RetrainStart =
  { from: 'scratch' } | { from: 'champion'; version: string; weightsSha256: string; freeze: string; batchNorm: string };

export type Decision = 'promoted' | 'published_not_promoted' | 'rejected_by_quantization_gate';

export interface RetrainReport {
  model: string;
  decision: Decision;
  reason: string;
  champion: { version: string; int8Top1: number };
  challenger: {
    version: string;
    floatTop1: number;
    int8Top1: number | null;
    run: string;
    trainImagesPerSecond: number;
    backend: string;
    start: RetrainStart;
  };
  heldOut: { name: string; samples: number; fingerprint: string };
  data: {
    base: string;
    baseImages: number;
    feedbackImages: number;
    feedbackPerLabel: Record<string, number>;
    feedbackSkipped: FeedbackSet['skipped'];
  };
  margin: number;
  maxDrop: number;
  startedAt: string;
  finishedAt: string;
  reportKey: string;
}

export async function retrain(opts: RetrainOptions, io: TrainIO): Promise<RetrainReport> {
  const startedAt = new Date().toISOString();
  await mkdir(opts.workdir, { recursive: true });
  const champion = await readModel(opts.store, opts.model).catch((err: unknown) => {
    throw new RetrainError(
      'no_champion',
      `cannot read the champion ${opts.model} from ${opts.store.describe}: ${(err as Error).message}; publish a first model with train → quantize → publish`,
    );
  });
  const cm = champion.manifest;
  io.log(
    `champion: ${opts.model}@${cm.version} (${cm.arch}, int8 top-1 ${pct(cm.accuracy.int8?.top1)} on its own held-out set)`,
  );
  const version = opts.version ?? nextVersion(await publishedVersions(opts.store, opts.model));

  const feedback = await downloadFeedback(opts.store, opts.model, cm.labels, join(opts.workdir, 'feedback'), {
    ...(opts.feedbackUntil ? { until: opts.feedbackUntil } : {}),
    log: io.log,
  });
  const base = await loadDataset(opts.data);
  const trainData: DatasetOptions = feedback.dir
    ? { kind: 'union', labels: cm.labels, parts: [opts.data, { kind: 'folder', path: feedback.dir }] }
    : opts.data;

  const start = await startFrom(champion, opts);
  const runDir = join(opts.workdir, 'run');
  io.log(
    `challenger ${version}: training ${cm.arch} on ${base.samples.length} base + ${feedback.count} feedback images`,
  );
  const trained = await train(
    {
      ...opts.recipe,
      arch: cm.arch,
      head: cm.outputActivation === 'sigmoid' ? 'sigmoid' : 'softmax',
      data: { train: trainData, test: opts.heldOut, validationFraction: 0.1, preprocess: cm.preprocess },
      out: runDir,
      resume: false,
      ...(start.init ? { init: start.init } : {}),
    },
    io,
  );

  const quantized = await quantizeRun(
    {
      run: runDir,
      calibrationSamples: 200,
      calibration: 'minmax',
      maxDrop: opts.maxDrop,
      out: join(opts.workdir, 'quantized'),
      name: opts.model,
      version,
      writeTflite: opts.writeTflite,
    },
    io,
  );
  const held = await heldOutSet(runDir, opts.heldOut, io.log);
  const championTop1 = evaluateInt8(champion.modelBytes, cm, held);
  const challengerTop1 = quantized.passed ? quantized.comparison.int8Top1 : null;
  const { decision, reason } = decide(championTop1, challengerTop1, quantized, opts);
  io.log(`decision: ${decision}: ${reason}`);

  if (decision !== 'rejected_by_quantization_gate') {
    await publishModel(opts.store, join(opts.workdir, 'quantized'), { by: opts.by, promote: decision === 'promoted' });
  }
  const report: RetrainReport = {
    model: opts.model,
    decision,
    reason,
    champion: { version: cm.version, int8Top1: championTop1 },
    challenger: {
      version,
      floatTop1: quantized.comparison.floatTop1,
      int8Top1: challengerTop1,
      run: runDir,
      trainImagesPerSecond: trained.trainImagesPerSecond,
      backend: trained.backend,
      start: start.record,
    },
    heldOut: held.summary,
    data: {
      base: base.name,
      baseImages: base.samples.length,
      feedbackImages: feedback.count,
      feedbackPerLabel: feedback.perLabel,
      feedbackSkipped: feedback.skipped,
    },
    margin: opts.margin,
    maxDrop: opts.maxDrop,
    startedAt,
    finishedAt: new Date().toISOString(),
    reportKey: retrainReportKey(opts.model, version),
  };
  const bytes = new TextEncoder().encode(JSON.stringify(report, null, 2) + '\n');
  await writeFile(join(opts.workdir, 'retrain-report.json'), bytes);
  await opts.store.put(report.reportKey, bytes, { ifNoneMatch: '*', contentType: 'application/json' });
  return report;
}

/** Writes the champion's float weights into the workdir and asks the trainer to start from them. */
async function startFrom(
  champion: Awaited<ReturnType<typeof readModel>>,
  opts: RetrainOptions,
): Promise<{ init?: InitRequest; record: RetrainStart }> {
  if ((opts.from ?? 'scratch') === 'scratch') return { record: { from: 'scratch' } };
  const cm = champion.manifest;
  const weights = champion.files[FLOAT_WEIGHTS_FILE];
  const entry = cm.files[FLOAT_WEIGHTS_FILE];
  if (!weights || !entry) {
    throw new RetrainError(
      'no_float_weights',
      `${opts.model}@${cm.version} was published without float weights (${FLOAT_WEIGHTS_FILE}); retrain it --from scratch, or publish a version quantized by this release first`,
    );
  }
  const dir = join(opts.workdir, 'champion');
  await mkdir(dir, { recursive: true });
  const path = join(dir, FLOAT_WEIGHTS_FILE);
  await writeFile(path, weights);
  const recipe = opts.fineTune ?? FINE_TUNE_DEFAULTS;
  return {
    init: { source: path, head: 'keep', recipe },
    record: {
      from: 'champion',
      version: cm.version,
      weightsSha256: entry.sha256,
      freeze: freezeLabel(recipe.freeze),
      batchNorm: recipe.batchNorm,
    },
  };
}

function decide(
  champion: number,
  challenger: number | null,
  q: QuantizeRunResult,
  opts: RetrainOptions,
): { decision: Decision; reason: string } {
  if (challenger === null) {
    return {
      decision: 'rejected_by_quantization_gate',
      reason: `int8 lost ${q.comparison.dropPoints.toFixed(2)} points against float (allowed ${opts.maxDrop}); nothing published`,
    };
  }
  const gain = (challenger - champion) * 100;
  const summary = `challenger ${pct(challenger)} vs champion ${pct(champion)} int8 top-1 on the held-out set (${gain >= 0 ? '+' : ''}${gain.toFixed(2)} points, margin ${opts.margin})`;
  return gain >= opts.margin
    ? { decision: 'promoted', reason: summary }
    : { decision: 'published_not_promoted', reason: summary };
}

interface HeldOut {
  arrays: Awaited<ReturnType<typeof loadEvalData>>['arrays'];
  summary: RetrainReport['heldOut'];
}

/** The held-out set exactly as the challenger's run preprocessed it (the champion's spec), with its fingerprint. */
async function heldOutSet(runDir: string, heldOut: DatasetOptions, log: (m: string) => void): Promise<HeldOut> {
  const info = await readRunInfo(runDir);
  const { name, arrays } = await loadEvalData(info, null, log);
  return {
    arrays,
    summary: { name, samples: arrays.count, fingerprint: await fingerprint(await loadDataset(heldOut)) },
  };
}

function evaluateInt8(tflite: Uint8Array, manifest: Manifest, held: HeldOut): number {
  const head = manifest.outputActivation === 'sigmoid' ? 'sigmoid' : 'softmax';
  const predicted = predictAll(int8Logits(tflite), held.arrays, head);
  return compare(held.arrays.y, predicted, predicted).floatTop1;
}

async function publishedVersions(store: ObjectStore, model: string): Promise<string[]> {
  const [entry] = await listModels(store, model);
  return entry?.versions.map((v) => v.version) ?? [];
}

/** The next minor version after the highest release among `versions` (pre-release tags dropped). */
export function nextVersion(versions: string[]): string {
  let best = [0, 0, 0];
  for (const v of versions) {
    const m = /^(\d+)\.(\d+)\.(\d+)/.exec(v);
    if (!m) continue;
    const parts = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (
      parts[0]! > best[0]! ||
      (parts[0] === best[0] && (parts[1]! > best[1]! || (parts[1] === best[1] && parts[2]! > best[2]!)))
    )
      best = parts;
  }
  return `${best[0]}.${best[1]! + 1}.0`;
}

const pct = (x: number | undefined | null) => (x === undefined || x === null ? '—' : `${(x * 100).toFixed(2)} %`);
