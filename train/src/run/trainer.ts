// `resnet-edge train` as a function: pick the backend, load and split the data, build (or resume)
// the model, run the loop, and leave a complete run folder behind (run.json, model/, checkpoints/last/,
// metrics.json, report.html). The CLI command only parses flags into TrainOptions.
import { access, mkdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { initBackend, type BackendChoice, type BackendInfo } from '../backends/index.ts';
import { buildModel } from '../models/index.ts';
import { createDataParallelStep, LaunchedWorkers } from '../parallel/data-parallel.ts';
import { renderRunReport } from '../report/report.ts';
import { readCheckpointState } from '../training/checkpoint.ts';
import { trainLoop, type LoopConfig } from '../training/loop.ts';
import type { EvalMetrics } from '../training/metrics.ts';
import type { Recipe } from '../training/recipe.ts';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { LossFn } from '../training/loss.ts';
import type { Optimizer } from '../training/optimizer.ts';
import { createLocalStep, type TrainStep } from '../training/step.ts';
import { createProgressReporter, type ProgressSink } from '../training/progress.ts';
import { withSeededMathRandom } from '../training/rng.ts';
import { PhaseClock, type PhaseSeconds } from '../training/phases.ts';
import { writeFileAtomic } from '../io/atomic.ts';
import { defaultPreprocess, loadRunData, type DataRequest } from './data-source.ts';
import { probeThroughput } from './backend-probe.ts';
import type { PreprocessSpec } from '@resnet-edge/shared/preprocess/spec';
import { TrainError } from '../errors.ts';
import type { MetricsDocument } from '../training/metrics-doc.ts';
import { saveModel, loadModel } from '../io/model-io.ts';
import { readRunInfo, RUN_FILES, writeRunInfo, type Head, type RunInfo } from './run-folder.ts';
import { applyInit, initPreprocess, loadInitFor, type InitRecord, type InitRequest } from '../transfer/init.ts';
import { parseFreeze, prepareFineTune } from '../transfer/recipe.ts';

export interface TrainOptions extends Recipe {
  arch: string;
  head: Head;
  data: DataRequest;
  out: string;
  resume: boolean;
  /** Start from pretrained weights (transfer/init.ts) instead of random ones. */
  init?: InitRequest;
}

export interface TrainResult {
  run: string;
  arch: string;
  backend: string;
  epochs: number;
  resumedFromEpoch: number;
  stopped: MetricsDocument['stopped'];
  best: MetricsDocument['best'];
  validation: Omit<EvalMetrics, 'confusion' | 'perClass'> | null;
  test: Omit<EvalMetrics, 'confusion' | 'perClass'> | null;
  trainImagesPerSecond: number;
  /** Wall seconds per phase of this run (training/phases.ts), and their total. */
  phases: PhaseSeconds & { total: number };
  /** Where the weights started: random, or the `--init` source. */
  start: InitRecord | 'random';
  files: { info: string; model: string; checkpoint: string; metrics: string; report: string };
}

export interface TrainIO extends ProgressSink {
  signal?: AbortSignal;
  /** performance.now() when the command started (the CLI passes 0, the process start): charged as `startup`. */
  startedAt?: number;
}

/** Backend once per process: TF.js cannot switch after tensors exist. */
let activeBackend: BackendInfo | null = null;
export async function ensureBackend(choice: BackendChoice, log: (m: string) => void): Promise<BackendInfo> {
  if (activeBackend) {
    if (choice !== 'auto' && choice !== activeBackend.name) {
      throw new TrainError(
        'backend_in_use',
        `this process already runs on backend ${activeBackend.name}; cannot switch to ${choice}`,
      );
    }
    return activeBackend;
  }
  activeBackend = await initBackend(choice, log, probeThroughput);
  return activeBackend;
}

const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );

export async function train(opts: TrainOptions, io: TrainIO): Promise<TrainResult> {
  const phases = new PhaseClock();
  const entered = performance.now();
  if (io.startedAt !== undefined) phases.add('startup', (entered - io.startedAt) / 1000);
  const backend = await phases.time('backend', () => ensureBackend(opts.backend, (m: string) => io.log(m)));
  const workers = resolveWorkers(opts.workers ?? 1, backend.name);
  const checkpointDir = join(opts.out, RUN_FILES.lastCheckpoint);
  const previous = await guardRunFolder(opts);

  if (
    previous?.preprocess &&
    opts.data.preprocess &&
    JSON.stringify(previous.preprocess) !== JSON.stringify(opts.data.preprocess)
  ) {
    throw new TrainError(
      'preprocess_mismatch',
      `'${opts.out}' was trained with different preprocessing; resume without --spec/--input-size/--color`,
    );
  }
  // Pretrained weights load (and are checked) before anything is written: a bad source leaves no run folder.
  const init = opts.init && !previous ? await loadInitFor(opts.arch, opts.init, { log: (m) => io.log(m) }) : null;
  const preprocess =
    previous?.preprocess ??
    opts.data.preprocess ??
    (init ? initPreprocess(init, defaultPreprocess(opts.data)) : defaultPreprocess(opts.data));
  const padding = previous?.padding ?? init?.padding ?? 'same';
  // A resumed run keeps its split: same seed and validation fraction as when it started.
  const seed = previous?.data?.seed ?? opts.seed;
  const validationFraction = previous?.data?.validationFraction ?? opts.data.validationFraction;
  const maxTrainSamples =
    (previous?.training?.maxTrainSamples as number | undefined) ?? (previous ? 0 : opts.maxTrainSamples);
  // Gradient workers load TF.js and the wasm backend while this thread reads the data.
  const launched = workers > 1 ? new LaunchedWorkers(workers) : null;
  try {
    const prepared = { backend, workers, launched, phases, entered, checkpointDir, previous, init };
    return await trainWith(opts, io, { ...prepared, preprocess, padding, seed, validationFraction, maxTrainSamples });
  } finally {
    await launched?.terminate();
  }
}

interface Prepared {
  backend: BackendInfo;
  workers: number;
  launched: LaunchedWorkers | null;
  phases: PhaseClock;
  entered: number;
  checkpointDir: string;
  previous: RunInfo | null;
  init: Awaited<ReturnType<typeof loadInitFor>> | null;
  preprocess: PreprocessSpec;
  padding: NonNullable<RunInfo['padding']>;
  seed: number;
  validationFraction: number;
  maxTrainSamples: number;
}

async function trainWith(opts: TrainOptions, io: TrainIO, prepared: Prepared): Promise<TrainResult> {
  const { backend, workers, launched, phases, entered, checkpointDir, previous, init } = prepared;
  const { preprocess, padding, seed, validationFraction, maxTrainSamples } = prepared;
  // Resuming without dataset flags continues on the data the run recorded.
  const sources =
    previous?.data && opts.data.implicit
      ? { train: previous.data.train, ...(previous.data.test ? { test: previous.data.test } : {}) }
      : opts.data;
  const data = await phases.time('data', () =>
    loadRunData(
      { train: sources.train, ...(sources.test ? { test: sources.test } : {}), validationFraction, preprocess },
      { seed, maxTrainSamples, log: (m) => io.log(m) },
    ),
  );
  if (previous && previous.labels.join('\u0000') !== data.labels.join('\u0000')) {
    throw new TrainError(
      'labels_mismatch',
      `the checkpoint in '${opts.out}' was trained on labels [${previous.labels.join(', ')}] but this dataset has [${data.labels.join(', ')}]`,
    );
  }
  if (opts.head === 'sigmoid' && data.labels.length !== 2) {
    throw new TrainError(
      'bad_head',
      `--head sigmoid is for two-class datasets; this one has ${data.labels.length} classes`,
    );
  }
  const [h, w, c] = data.train.shape;
  const model = phases.timeSync('model', () =>
    withSeededMathRandom(seed, () =>
      buildModel(opts.arch, { inputShape: [h, w, c], numClasses: data.labels.length, head: opts.head, padding }),
    ),
  );
  let initRecord: InitRecord | undefined = previous?.init;
  try {
    if (init && opts.init) initRecord = applyInit(model, init, opts.init, data.labels, (m) => io.log(m));
  } catch (err) {
    model.dispose();
    throw err;
  }
  const fineTune = opts.init?.recipe ?? (initRecord ? recipeFromRecord(initRecord) : null);
  const lrScale = fineTune ? prepareFineTune(model, fineTune) : undefined;
  io.log(
    `training ${opts.arch} on ${data.train.count} images (${data.validation?.count ?? 0} validation${data.test ? `, ${data.test.count} test` : ''}), ` +
      `${data.labels.length} classes, input ${h}×${w}×${c}, backend ${backend.name}${workers > 1 ? ` × ${workers} gradient workers` : ''}`,
  );

  const recipe = { ...recipeOf(opts), seed, maxTrainSamples: maxTrainSamples || undefined, workers };
  const info: RunInfo = {
    arch: opts.arch,
    inputShape: [h, w, c],
    numClasses: data.labels.length,
    labels: data.labels,
    head: opts.head,
    preprocess: data.preprocess,
    data: data.record,
    dataFingerprint: data.fingerprint,
    backend: backend.name,
    epochs: opts.epochs,
    createdAt: previous?.createdAt ?? new Date().toISOString(),
    training: recipe,
    ...(padding !== 'same' ? { padding } : {}),
    ...(initRecord ? { init: initRecord } : {}),
  };
  await mkdir(opts.out, { recursive: true });
  await writeRunInfo(opts.out, info);

  const loopConfig: LoopConfig = {
    arch: opts.arch,
    labels: data.labels,
    head: opts.head,
    epochs: opts.epochs,
    batchSize: opts.batchSize,
    lr: opts.lr,
    schedule: opts.schedule,
    warmupEpochs: opts.warmupEpochs,
    optimizer: { kind: opts.optimizer, momentum: opts.momentum, weightDecay: opts.weightDecay },
    labelSmoothing: opts.labelSmoothing,
    augment: { kinds: opts.augment, padding: Math.max(1, Math.round(h / 8)), fill: data.blackValue },
    seed,
    patience: opts.patience,
    timeLimitSeconds: (opts.timeLimitMinutes ?? 0) * 60,
    ...(lrScale ? { lrScale } : {}),
  };
  const progress = createProgressReporter(io);
  const modelDir = join(opts.out, RUN_FILES.model);
  let final: { validation: EvalMetrics | null; test: EvalMetrics | null } = { validation: null, test: null };
  // The best model's validation metrics as this session measured them, just before saving that very model.
  let bestValidation: EvalMetrics | null = null;
  const result = await trainLoop(
    model,
    { train: data.train, validation: data.validation },
    loopConfig,
    checkpointDir,
    opts.resume,
    {
      onProgress: (p) => progress.onProgress(p),
      onEpoch: (r, improved) => {
        if (improved) bestValidation = r.validation;
        progress.onEpoch(r, improved, opts.epochs);
      },
      saveBest: (m) => saveModel(m, modelDir),
      // The best model on the test set, by the step's workers when it has them; on validation too unless this session
      // already evaluated exactly that model on exactly that data (a resumed run's best may predate it).
      finish: async (evaluateOn, epochs) => {
        if (epochs === 0) return;
        final = await phases.time('finalEval', async () => {
          const known = bestValidation;
          if (known && !data.test) return { validation: known, test: null };
          const best = await loadModel(modelDir);
          try {
            return {
              validation: known ?? (data.validation ? await evaluateOn(best, data.validation) : null),
              test: data.test ? await evaluateOn(best, data.test) : null,
            };
          } finally {
            best.dispose();
          }
        });
      },
      ...(workers > 1
        ? {
            createStep: (m, optimizer) =>
              createDataParallelStep(m, optimizer, {
                workers,
                launched: launched!,
                head: opts.head,
                labelSmoothing: opts.labelSmoothing,
              }),
          }
        : backend.name === 'webgpu' && (opts.gpuStep ?? 'compiled') === 'compiled' && opts.head === 'softmax'
          ? { createStep: (m, optimizer, loss) => compiledOrTfjsStep(m, optimizer, loss, opts, (msg) => io.log(msg)) }
          : {}),
      ...(io.signal ? { signal: io.signal } : {}),
      phases,
    },
  );
  model.dispose();
  if (result.history.length === 0) {
    throw new TrainError('no_epoch', 'training stopped before finishing one epoch; nothing was saved');
  }
  if (result.stopped === 'time_limit') {
    io.log(
      `time limit of ${opts.timeLimitMinutes} min reached after epoch ${result.history.length} of ${opts.epochs}: ` +
        `the next epoch would not have ended in time; \`train --resume --out ${opts.out}\` continues it`,
    );
  }
  const { validation: finalVal, test: finalTest } = final;

  const trained = result.history.filter((e) => e.epoch > result.resumedFromEpoch || result.resumedFromEpoch === 0);
  const images = trained.reduce((a, e) => a + e.train.images, 0);
  const seconds = trained.reduce((a, e) => a + e.seconds, 0);
  const doc: MetricsDocument = {
    version: 1,
    arch: opts.arch,
    labels: data.labels,
    backend: { name: backend.name, tfBackend: backend.tfBackend, detail: backend.detail },
    recipe,
    epochs: result.history,
    best: result.best,
    stopped: result.stopped,
    final: { validation: finalVal, test: finalTest },
    trainImagesPerSecond: seconds > 0 ? images / seconds : 0,
    finishedAt: new Date().toISOString(),
  };
  await phases.time('report', () => writeFileAtomic(join(opts.out, RUN_FILES.report), renderRunReport(doc)));
  // metrics.json is written last so that its phases include the report.
  const runPhases = { ...phases.snapshot(), total: round3((performance.now() - (io.startedAt ?? entered)) / 1000) };
  const metricsJson = JSON.stringify({ ...doc, phases: runPhases }, null, 2) + '\n';
  await writeFileAtomic(join(opts.out, RUN_FILES.metrics), metricsJson);
  io.log(
    `run written to ${opts.out} (best epoch ${result.best?.epoch ?? '—'}${finalTest ? `, test top-1 ${(finalTest.top1 * 100).toFixed(1)} %` : ''})`,
  );
  return {
    run: opts.out,
    arch: opts.arch,
    backend: backend.name,
    epochs: result.history.length,
    resumedFromEpoch: result.resumedFromEpoch,
    stopped: result.stopped,
    best: result.best,
    validation: summary(finalVal),
    test: summary(finalTest),
    trainImagesPerSecond: doc.trainImagesPerSecond,
    phases: runPhases,
    start: initRecord ?? 'random',
    files: {
      info: join(opts.out, RUN_FILES.info),
      model: modelDir,
      checkpoint: checkpointDir,
      metrics: join(opts.out, RUN_FILES.metrics),
      report: join(opts.out, RUN_FILES.report),
    },
  };
}

const round3 = (s: number) => Math.round(s * 1000) / 1000;

export function summary(m: EvalMetrics | null): TrainResult['validation'] {
  if (!m) return null;
  const { confusion: _c, perClass: _p, ...rest } = m;
  return rest;
}

/** Refuses to overwrite a finished or running run unless resuming, and checks a resume makes sense. */
async function guardRunFolder(opts: TrainOptions): Promise<RunInfo | null> {
  const hasInfo = await exists(join(opts.out, RUN_FILES.info));
  const state = await readCheckpointState(join(opts.out, RUN_FILES.lastCheckpoint));
  if (!opts.resume) {
    if (hasInfo || state) {
      throw new TrainError(
        'run_exists',
        `'${opts.out}' already holds a run; pass --resume to continue it or choose another --out`,
      );
    }
    return null;
  }
  if (!state)
    throw new TrainError(
      'checkpoint_not_found',
      `nothing to resume in '${opts.out}': ${RUN_FILES.lastCheckpoint} has no checkpoint`,
    );
  const info = hasInfo ? await readRunInfo(opts.out) : null;
  if (state.arch !== opts.arch) {
    throw new TrainError(
      'checkpoint_mismatch',
      `'${opts.out}' holds a ${state.arch} checkpoint; resume it with --arch ${state.arch}`,
    );
  }
  if (state.epoch >= opts.epochs) {
    throw new TrainError(
      'already_done',
      `'${opts.out}' already trained ${state.epoch} epoch(s); pass a larger --epochs to continue`,
    );
  }
  return info ?? ({ labels: state.labels } as RunInfo);
}

function recipeFromRecord(r: InitRecord) {
  return { freeze: parseFreeze(r.freeze), unfreezeAt: r.unfreezeAt, backboneLr: r.backboneLr, batchNorm: r.batchNorm };
}

function recipeOf(o: TrainOptions): Record<string, unknown> {
  return {
    arch: o.arch,
    head: o.head,
    epochs: o.epochs,
    batchSize: o.batchSize,
    lr: o.lr,
    optimizer: o.optimizer,
    momentum: o.optimizer === 'sgd' ? o.momentum : undefined,
    weightDecay: o.weightDecay,
    weightDecayKind: o.optimizer === 'adamw' ? 'decoupled' : 'L2 (added to the gradient)',
    schedule: o.schedule,
    warmupEpochs: o.warmupEpochs,
    labelSmoothing: o.labelSmoothing,
    augment: o.augment,
    seed: o.seed,
    patience: o.patience,
    maxTrainSamples: o.maxTrainSamples || undefined,
    timeLimitMinutes: o.timeLimitMinutes || undefined,
    workers: o.workers ?? 1,
  };
}

/** The compiled WebGPU step, or the TF.js step with the reason logged when the planner refuses the model. */
async function compiledOrTfjsStep(
  model: tfl.LayersModel,
  optimizer: Optimizer,
  loss: LossFn,
  opts: TrainOptions,
  log: (m: string) => void,
): Promise<TrainStep> {
  const { createCompiledStep } = await import('../gpu/train-step.ts');
  const { GpuStepError } = await import('../gpu/errors.ts');
  try {
    const step = await createCompiledStep(model, optimizer, {
      batchSize: opts.batchSize,
      labelSmoothing: opts.labelSmoothing,
      activations: opts.gpuActivations ?? 'auto',
      log,
    });
    const s = step.trainer.stepStats;
    log(
      `compiled WebGPU step: ${s.dispatchesPerStep} dispatches, 1 submit per step, ${(s.bufferBytes / 2 ** 20).toFixed(1)} MiB of GPU buffers`,
    );
    return step;
  } catch (err) {
    if (!(err instanceof GpuStepError) || err.code !== 'gpu_unsupported_model') throw err;
    log(`${err.message.split(';')[0]}: training with the TF.js WebGPU kernels`);
    return createLocalStep(model, optimizer, loss);
  }
}

/** Single-thread wasm leaves cores idle (tfjs disables wasm threads in Node): data parallelism fills them. */
export function resolveWorkers(workers: number | 'auto', backend: string): number {
  if (workers !== 'auto') return workers;
  return backend === 'wasm' ? Math.max(1, Math.min(4, availableParallelism())) : 1;
}
