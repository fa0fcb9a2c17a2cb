// `resnet-edge train`: flags → TrainOptions → a run folder. All the work is in train/src/run/trainer.ts.
import { BACKEND_CHOICES } from '@resnet-edge/train/backends/names';
import { datasetOptionSpecs, datasetOptionsFromArgs } from '../dataset-flags.ts';
import { AUGMENTS, type AugmentKind } from '@resnet-edge/train/training/augment';
import { OPTIMIZERS } from '@resnet-edge/train/training/optimizer-kinds';
import { DEFAULT_RECIPE, FINE_TUNE_DEFAULTS, optimizerDefaults, type Recipe } from '@resnet-edge/train/training/recipe';
import type { ObjectStore } from '@resnet-edge/registry/store';
import type { TrainResult } from '@resnet-edge/train/run/trainer';
import type { DataRequest } from '@resnet-edge/train/run/data-source';
import type { PreprocessSpec } from '@resnet-edge/shared/preprocess/spec';
import { defineCommand, UsageError, type CommandIO, type OptionSpec, type ParsedArgs } from '../command.ts';
import { boolOpt, choiceOpt, intOpt, numberOpt, stringOpt } from '../options.ts';
import { storeOptionSpecs, withStore } from '../store-flags.ts';
import {
  assertNoFineTuneFlagsWithout,
  fineTuneFromArgs,
  initOptionSpecs,
  PUBLISHED_INIT_PREFIX,
} from '../transfer-options.ts';

// The heavy modules (TF.js, backends, data decoding) load only when a command runs, so `--help`
// and flag errors stay instant.
const R = DEFAULT_RECIPE;

export const trainingOptionSpecs: Record<string, OptionSpec> = {
  epochs: { type: 'string', valueName: 'N', description: 'training epochs', default: String(R.epochs) },
  'batch-size': { type: 'string', valueName: 'B', description: 'images per step', default: String(R.batchSize) },
  lr: {
    type: 'string',
    valueName: 'RATE',
    description: `peak learning rate (default ${optimizerDefaults('sgd').lr} for sgd, ${optimizerDefaults('adam').lr} for adam/adamw)`,
  },
  optimizer: {
    type: 'string',
    valueName: 'NAME',
    description: 'sgd (momentum, L2 weight decay) | adam (L2) | adamw (decoupled decay)',
    default: R.optimizer,
  },
  momentum: { type: 'string', valueName: 'M', description: 'SGD momentum', default: String(R.momentum) },
  'weight-decay': {
    type: 'string',
    valueName: 'WD',
    description: `weight decay on kernels only, not biases or BatchNorm (default ${optimizerDefaults('sgd').weightDecay}; ${optimizerDefaults('adamw').weightDecay} for adamw)`,
  },
  schedule: {
    type: 'string',
    valueName: 'KIND',
    description: 'learning-rate schedule: cosine | step (÷10 at 50 % and 75 %) | constant',
    default: R.schedule,
  },
  'warmup-epochs': {
    type: 'string',
    valueName: 'E',
    description: 'linear learning-rate warm-up (epochs, may be fractional)',
    default: String(R.warmupEpochs),
  },
  'label-smoothing': {
    type: 'string',
    valueName: 'EPS',
    description: 'label smoothing ε in [0, 1)',
    default: String(R.labelSmoothing),
  },
  augment: {
    type: 'string',
    valueName: 'LIST',
    description: 'comma list of crop, flip, erase, or none (flip only for flip-invariant data)',
    default: R.augment.join(','),
  },
  seed: {
    type: 'string',
    valueName: 'N',
    description: 'seed for initialisation, shuffling and augmentation',
    default: String(R.seed),
  },
  backend: { type: 'string', valueName: 'NAME', description: BACKEND_CHOICES.join(' | '), default: R.backend },
  patience: {
    type: 'string',
    valueName: 'N',
    description: 'stop after N epochs without a better validation top-1 (0 = off)',
    default: String(R.patience),
  },
  'max-train-samples': {
    type: 'string',
    valueName: 'N',
    description: 'train on a seeded sample of at most N images (0 = all)',
    default: String(R.maxTrainSamples),
  },
  'time-limit': {
    type: 'string',
    valueName: 'MIN',
    description:
      'stop at the last epoch boundary that fits in MIN minutes of training (0 = off); the test evaluation, report and checkpoint follow as usual, and --resume continues',
    default: String(R.timeLimitMinutes),
  },
  'gpu-step': {
    type: 'string',
    valueName: 'KIND',
    description: 'on webgpu: compiled (one command buffer per step, train/src/gpu) | tfjs',
    default: R.gpuStep,
  },
  'gpu-activations': {
    type: 'string',
    valueName: 'KIND',
    description:
      'compiled step: auto (f16 on a hardware adapter with shader-f16 when one f16 step matches f32) | f16 | f32',
    default: R.gpuActivations,
  },
  workers: {
    type: 'string',
    valueName: 'N',
    description: "gradient worker threads: data parallelism, same result in expectation ('auto': one per core on wasm)",
    default: String(R.workers),
  },
};

export const preprocessOptionSpecs: Record<string, OptionSpec> = {
  'test-data': {
    type: 'string',
    valueName: 'PATH',
    description: 'a test set, read like --data (evaluated once with the best model)',
  },
  'validation-fraction': {
    type: 'string',
    valueName: 'F',
    description: 'share of --data held out for validation, per class',
    default: '0.1',
  },
  spec: {
    type: 'string',
    valueName: 'FILE',
    description: "preprocessing spec (JSON); default: the bundled data's, or --input-size/--color with [-1, 1] scaling",
  },
  'input-size': {
    type: 'string',
    valueName: 'N',
    description: 'resize + centre-crop to N×N (with --data; default 64)',
  },
  color: { type: 'string', valueName: 'MODE', description: 'rgb | grayscale (with --data; default rgb)' },
};

/** --spec, or --input-size/--color, or nothing (the data's default / the resumed run's own). */
async function preprocessFromArgs(args: ParsedArgs): Promise<PreprocessSpec | undefined> {
  const file = stringOpt(args, 'spec');
  const size = stringOpt(args, 'input-size');
  const color = stringOpt(args, 'color');
  if (file) {
    if (size || color) throw new UsageError('--spec already sets the input size and colour; drop --input-size/--color');
    const { readSpecFile } = await import('@resnet-edge/train/run/data-source');
    return readSpecFile(file);
  }
  if (!size && !color) return undefined;
  const { simpleSpec } = await import('@resnet-edge/train/run/data-source');
  return simpleSpec(
    intOpt(args, 'input-size', 64, { min: 1, max: 4096 }),
    choiceOpt(args, 'color', ['rgb', 'grayscale'] as const, 'rgb'),
  );
}

export async function dataRequestFromArgs(args: ParsedArgs): Promise<DataRequest> {
  const validationFraction = numberOpt(args, 'validation-fraction', 0.1, { min: 0, max: 0.9 });
  const preprocess = await preprocessFromArgs(args);
  const train = datasetOptionsFromArgs(args);
  const testPath = stringOpt(args, 'test-data');
  if (!train) {
    if (testPath) throw new UsageError('--test-data needs --data (the bundled data brings its own test set)');
    const { bundledDataRequest } = await import('@resnet-edge/train/run/data-source');
    const bundled = bundledDataRequest(validationFraction);
    return preprocess ? { ...bundled, preprocess } : bundled;
  }
  const test = testPath ? datasetOptionsFromArgs({ ...args, values: { ...args.values, data: testPath } }) : undefined;
  return { train, ...(test ? { test } : {}), validationFraction, ...(preprocess ? { preprocess } : {}) };
}

/** Flags → Recipe. Absent flags already hold their defaults (main.ts applies each spec's default), except lr and weight decay, whose defaults depend on the optimiser. */
export function recipeFromArgs(args: ParsedArgs): Recipe {
  const optimizer = choiceOpt(args, 'optimizer', OPTIMIZERS, R.optimizer);
  const byOptimizer = optimizerDefaults(optimizer);
  const workers = stringOpt(args, 'workers') ?? R.workers;
  return {
    epochs: intOpt(args, 'epochs', R.epochs, { min: 1, max: 100_000 }),
    batchSize: intOpt(args, 'batch-size', R.batchSize, { min: 2, max: 65_536 }),
    lr: numberOpt(args, 'lr', byOptimizer.lr, { min: 0, max: 10 }),
    optimizer,
    momentum: numberOpt(args, 'momentum', R.momentum, { min: 0, max: 0.9999 }),
    weightDecay: numberOpt(args, 'weight-decay', byOptimizer.weightDecay, { min: 0, max: 1 }),
    schedule: choiceOpt(args, 'schedule', ['cosine', 'step', 'constant'] as const, R.schedule),
    warmupEpochs: numberOpt(args, 'warmup-epochs', R.warmupEpochs, { min: 0 }),
    labelSmoothing: numberOpt(args, 'label-smoothing', R.labelSmoothing, { min: 0, max: 0.999 }),
    augment: augmentList(stringOpt(args, 'augment') ?? R.augment.join(',')),
    seed: intOpt(args, 'seed', R.seed, { min: 0, max: 2 ** 31 - 1 }),
    backend: choiceOpt(args, 'backend', BACKEND_CHOICES, R.backend),
    patience: intOpt(args, 'patience', R.patience, { min: 0 }),
    maxTrainSamples: intOpt(args, 'max-train-samples', R.maxTrainSamples, { min: 0 }),
    timeLimitMinutes: numberOpt(args, 'time-limit', R.timeLimitMinutes, { min: 0, max: 525_600 }),
    workers: workers === 'auto' ? 'auto' : intOpt(args, 'workers', 1, { min: 1, max: 64 }),
    gpuStep: choiceOpt(args, 'gpu-step', ['compiled', 'tfjs'] as const, R.gpuStep),
    gpuActivations: choiceOpt(args, 'gpu-activations', ['auto', 'f32', 'f16'] as const, R.gpuActivations),
  };
}

export function augmentList(raw: string): AugmentKind[] {
  if (raw.trim() === '' || raw === 'none') return [];
  const kinds = raw.split(',').map((s) => s.trim());
  for (const k of kinds) {
    if (!(AUGMENTS as readonly string[]).includes(k))
      throw new UsageError(`--augment: unknown augmentation '${k}'; use ${AUGMENTS.join(', ')} or none`);
  }
  return [...new Set(kinds)] as AugmentKind[];
}

export async function checkArch(arch: string, flag = '--arch'): Promise<void> {
  const { ARCHITECTURES } = await import('@resnet-edge/train/models/index');
  if (!ARCHITECTURES.some((a) => a.name === arch)) {
    throw new UsageError(
      `${flag}: unknown architecture '${arch}'; valid: ${ARCHITECTURES.map((a) => a.name).join(', ')}`,
    );
  }
}

export async function archFromArgs(args: ParsedArgs, fallback: string): Promise<string> {
  const arch = stringOpt(args, 'arch') ?? fallback;
  await checkArch(arch);
  return arch;
}

function defaultOut(arch: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `runs/${arch}-${stamp}`;
}

/** The phases that took a tenth of a second or more, longest first: where the run's time went. */
function phaseSummary(phases: TrainResult['phases']): string {
  return Object.entries(phases)
    .filter(([name, s]) => name !== 'total' && s !== undefined && s >= 0.1)
    .sort((a, b) => b[1]! - a[1]!)
    .map(([name, s]) => `${name} ${s!.toFixed(1)} s`)
    .join(', ');
}

export function renderTrainResult(r: TrainResult): string {
  const pct = (v: number | undefined) => (v === undefined ? '—' : `${(v * 100).toFixed(1)} %`);
  return [
    `run: ${r.run} (${r.arch}, backend ${r.backend}, ${r.epochs} epoch(s), ${r.stopped.replace('_', ' ')})`,
    `best epoch: ${r.best?.epoch ?? '—'}`,
    r.validation
      ? `validation: top-1 ${pct(r.validation.top1)}${r.validation.top5 !== undefined ? `, top-5 ${pct(r.validation.top5)}` : ''}, loss ${r.validation.loss.toFixed(4)}`
      : '',
    r.test
      ? `test: top-1 ${pct(r.test.top1)}${r.test.top5 !== undefined ? `, top-5 ${pct(r.test.top5)}` : ''}, loss ${r.test.loss.toFixed(4)}`
      : '',
    `start: ${r.start === 'random' ? 'random initialisation' : `${r.start.source} (${r.start.format}, head ${r.start.head}, freeze ${r.start.freeze}${r.start.freeze === 'none' ? '' : ` until epoch ${r.start.unfreezeAt || 'never'}`}, backbone lr ×${r.start.backboneLr}, BatchNorm ${r.start.batchNorm})`}`,
    `training speed: ${r.trainImagesPerSecond.toFixed(1)} images/s`,
    `wall time: ${r.phases.total.toFixed(1)} s (${phaseSummary(r.phases)})`,
    `report: ${r.files.report}`,
  ]
    .filter(Boolean)
    .join('\n');
}

export function ioSink(io: CommandIO) {
  return {
    isTTY: io.isTTY,
    log: (m: string) => io.log(m),
    write: (t: string) => void process.stderr.write(t),
    signal: io.signal,
  };
}

export const trainCommand = defineCommand<TrainResult>({
  usage: 'train --arch ARCH [dataset flags] [--epochs N] [--out DIR] [options]',
  details: `Without dataset flags it trains on the bundled Fashion-MNIST sample (28×28 grayscale, 10 classes).
The run folder holds run.json, model/ (best on validation, TF.js format), checkpoints/last/ (for --resume),
metrics.json and report.html. Same --seed, same data and backend → same run.`,
  options: {
    arch: {
      type: 'string',
      valueName: 'ARCH',
      description: 'architecture (see `resnet-edge archs`)',
      default: 'resnet20',
    },
    head: {
      type: 'string',
      valueName: 'KIND',
      description: 'softmax | sigmoid (one logit, two-class datasets)',
      default: 'softmax',
    },
    ...datasetOptionSpecs,
    ...preprocessOptionSpecs,
    ...trainingOptionSpecs,
    out: { type: 'string', valueName: 'DIR', description: 'run folder (default runs/<arch>-<time>)' },
    resume: { type: 'boolean', description: 'continue the run in --out from its last checkpoint' },
    ...initOptionSpecs,
    ...storeOptionSpecs,
  },
  async run(args, io) {
    const arch = await archFromArgs(args, 'resnet20');
    const head = choiceOpt(args, 'head', ['softmax', 'sigmoid'] as const, 'softmax');
    const recipe = recipeFromArgs(args);
    const resume = boolOpt(args, 'resume');
    const outFlag = stringOpt(args, 'out');
    if (resume && !outFlag) throw new UsageError('--resume needs --out DIR (the run to continue)');
    const data = await dataRequestFromArgs(args);
    const initSource = stringOpt(args, 'init');
    if (!initSource) assertNoFineTuneFlagsWithout(args, 'with --init');
    if (initSource && resume)
      throw new UsageError('--init starts a new run; --resume continues one from its checkpoint: pass one of them');
    const initHead = choiceOpt(args, 'init-head', ['auto', 'keep', 'replace'] as const, 'auto');
    const init = initSource
      ? { source: initSource, head: initHead, recipe: await fineTuneFromArgs(args, FINE_TUNE_DEFAULTS) }
      : undefined;
    const published = initSource?.startsWith(PUBLISHED_INIT_PREFIX) ?? false;
    if (!published && stringOpt(args, 'store') !== undefined) {
      throw new UsageError('--store applies only with --init model:NAME[@VERSION]');
    }
    const { train } = await import('@resnet-edge/train/run/trainer');
    const out = outFlag ?? defaultOut(arch);
    const sink = { ...ioSink(io), ...(io.startedAt !== undefined ? { startedAt: io.startedAt } : {}) };
    const run = (store?: ObjectStore) =>
      train(
        {
          arch,
          head,
          data,
          ...recipe,
          out,
          resume,
          ...(init ? { init: { ...init, ...(store ? { store } : {}) } } : {}),
        },
        sink,
      );
    // A published version is read from the model store, opened only for it (and closed once the run is done).
    return published ? withStore(args, run) : run();
  },
  render: renderTrainResult,
});

export default trainCommand;
