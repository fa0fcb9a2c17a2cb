// Issue 15's "proof that it helps": does starting from pretrained weights beat training from scratch on a few
// hundred images? Offline, on Debian's Fashion-MNIST (/usr/share/datasets/fashion-mnist, package
// dataset-fashion-mnist): pretrain ResNet-20 on one half of the classes (its whole training set by default), then
// train on `--per-class` images of each class of the other half, once per fine-tuning recipe (`train --init`, new
// head) and once from random weights (the peer), at each epoch budget of `--budgets`, and compare test top-1 on
// all test images of that other half. Same images, batch, schedule, augmentation and seed in every arm.
//
// The default split pretrains on classes 5–9 (sandal, shirt, sneaker, bag, ankle boot) and fine-tunes on 0–4
// (t-shirt, trouser, pullover, dress, coat): three of those five are tops that few-shot models confuse, so
// from-scratch is genuinely weak there; classes 5–9 from 250 images reach ≈ 89 % from scratch already.
//
//   npm run bench -- transfer [--pretrain-classes 5-9] [--pretrain-per-class 6000] [--pretrain-epochs 1]
//     [--pretrain-batch 64] [--pretrain-lr 0.1] [--per-class 50] [--budgets 3,6,12]
//     [--recipes default,frozen,full,warm,slow,bn-frozen]
//     [--work DIR] [--pretrain-run DIR] [--pretrain-only] [--test-per-class 1000] [--workers 2] [--seed 11]
//
// `--work DIR` keeps the data and run folders there; an arm whose run folder already holds metrics.json is read
// back instead of retrained, so an interrupted sweep resumes. `--pretrain-run DIR` reuses a finished pretraining
// run (any run folder of this split), so a sweep never repeats the pretraining.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir, cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { encode } from 'fast-png';
import type { PreprocessSpec } from '@resnet-edge/shared/preprocess/spec';
import { parseIdx } from '../train/src/data/idx.ts';
import { TrainError } from '../train/src/errors.ts';
import { train, type TrainOptions } from '../train/src/run/trainer.ts';
import type { FineTuneRecipe } from '../train/src/transfer/recipe.ts';
import { FINE_TUNE_DEFAULTS } from '../train/src/training/recipe.ts';

const FMNIST = '/usr/share/datasets/fashion-mnist';
const NAMES = ['t-shirt', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'ankle-boot'];
const SPEC: PreprocessSpec = {
  colorMode: 'grayscale',
  resizeShorter: 28,
  resizeAlgorithm: 'bilinear',
  crop: { height: 28, width: 28 },
  normalize: { kind: 'mean_std', mean: [0.286], std: [0.353] },
  maxPixels: 40_000_000,
};

/** The fine-tuning recipes the sweep can compare; `default` is what `train --init` uses without flags. */
const RECIPES: Record<string, (epochs: number) => FineTuneRecipe> = {
  default: () => FINE_TUNE_DEFAULTS,
  // Last session's default: the head alone for the first third, then the backbone at 0.1×, BatchNorm frozen.
  frozen: (epochs) => ({
    freeze: { kind: 'backbone' },
    unfreezeAt: Math.max(2, Math.round(epochs / 3) + 1),
    backboneLr: 0.1,
    batchNorm: 'frozen',
  }),
  // Everything trains from the first step at the full rate, BatchNorm included.
  full: () => ({ freeze: { kind: 'none' }, unfreezeAt: 0, backboneLr: 1, batchNorm: 'train' }),
  // Everything trains from the first step, the pretrained layers at 0.1× the rate.
  slow: () => ({ freeze: { kind: 'none' }, unfreezeAt: 0, backboneLr: 0.1, batchNorm: 'train' }),
  // Everything trains at the full rate, but BatchNorm keeps the pretraining's statistics and γ/β.
  'bn-frozen': () => ({ freeze: { kind: 'none' }, unfreezeAt: 0, backboneLr: 1, batchNorm: 'frozen' }),
  // One epoch of head alone (a warm-up for the new head), then everything at the full rate, BatchNorm training.
  warm: () => ({ freeze: { kind: 'backbone' }, unfreezeAt: 2, backboneLr: 1, batchNorm: 'train' }),
};

const { values } = parseArgs({
  options: {
    'pretrain-classes': { type: 'string', default: '5-9' },
    'pretrain-per-class': { type: 'string', default: '6000' },
    'pretrain-epochs': { type: 'string', default: '1' },
    'pretrain-batch': { type: 'string', default: '64' },
    'pretrain-lr': { type: 'string', default: '0.1' },
    'pretrain-run': { type: 'string' },
    'pretrain-only': { type: 'boolean', default: false },
    'per-class': { type: 'string', default: '50' },
    'test-per-class': { type: 'string', default: '1000' },
    budgets: { type: 'string', default: '3,6,12' },
    recipes: { type: 'string', default: 'default,frozen,full' },
    workers: { type: 'string', default: '2' },
    seed: { type: 'string', default: '11' },
    work: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});

function positiveInt(flag: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${flag} expects a positive integer, got '${raw}'`);
  return n;
}
const num = (k: keyof typeof values) => positiveInt(k, String(values[k]));

function parseClasses(raw: string): number[] {
  const m = /^(\d)-(\d)$/.exec(raw);
  const list = m
    ? Array.from({ length: Number(m[2]) - Number(m[1]) + 1 }, (_, i) => Number(m[1]) + i)
    : raw.split(',').map(Number);
  const valid = list.every((k) => Number.isInteger(k) && k >= 0 && k <= 9) && new Set(list).size === list.length;
  if (list.length < 2 || list.length > 8 || !valid) {
    throw new Error(`--pretrain-classes expects 2–8 distinct classes 0–9 as A-B or a,b,c; got '${raw}'`);
  }
  return list;
}

const pretrainClasses = parseClasses(values['pretrain-classes']!);
const tuneClasses = [...Array(10).keys()].filter((k) => !pretrainClasses.includes(k));
const budgets = values.budgets!.split(',').map((b) => positiveInt('budgets', b));
const recipeNames = values.recipes!.split(',').filter((r) => r !== '');
for (const r of recipeNames) {
  if (!RECIPES[r]) throw new Error(`--recipes: unknown recipe '${r}' (known: ${Object.keys(RECIPES).join(', ')})`);
}
const seed = num('seed');
const workers = num('workers');

if (!existsSync(join(FMNIST, 'train-images-idx3-ubyte.gz'))) {
  console.error(
    `no Fashion-MNIST in ${FMNIST}: install Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist)`,
  );
  process.exit(1);
}

async function idx(name: string) {
  return parseIdx(new Uint8Array(gunzipSync(await readFile(join(FMNIST, name)))), name);
}

/** Writes images of `classes` (at most `perClass` each, in file order) as a folder per class of PNGs. */
function writeFolder(dir: string, images: Uint8Array, labels: Uint8Array, classes: number[], perClass: number): number {
  const taken = new Map<number, number>();
  let n = 0;
  for (let i = 0; i < labels.length; i++) {
    const k = labels[i]!;
    if (!classes.includes(k) || (taken.get(k) ?? 0) >= perClass) continue;
    taken.set(k, (taken.get(k) ?? 0) + 1);
    mkdirSync(join(dir, NAMES[k]!), { recursive: true });
    const png = encode({ width: 28, height: 28, data: images.subarray(i * 784, (i + 1) * 784), channels: 1, depth: 8 });
    writeFileSync(join(dir, NAMES[k]!, `${String(i).padStart(5, '0')}.png`), png);
    n++;
  }
  return n;
}

const work = values.work ? resolve(values.work) : mkdtempSync(join(tmpdir(), 'resnet-edge-bench-transfer-'));
const tag = (cls: number[]) => cls.join('');
const dirs = {
  pretrain: join(work, `pretrain-${tag(pretrainClasses)}-${values['pretrain-per-class']}`),
  pretrainTest: join(work, `test-${tag(pretrainClasses)}-${values['test-per-class']}`),
  few: join(work, `few-${tag(tuneClasses)}-${values['per-class']}`),
  test: join(work, `test-${tag(tuneClasses)}-${values['test-per-class']}`),
};
const [trX, trY, teX, teY] = await Promise.all(
  [
    'train-images-idx3-ubyte.gz',
    'train-labels-idx1-ubyte.gz',
    't10k-images-idx3-ubyte.gz',
    't10k-labels-idx1-ubyte.gz',
  ].map(idx),
);
/** Writes a data folder once; one left by an earlier run of the same flags is reused (the marker says it is whole). */
function ensureFolder(dir: string, images: Uint8Array, labels: Uint8Array, classes: number[], perClass: number) {
  const marker = join(dir, '.count');
  if (existsSync(marker)) return Number(readFileSync(marker, 'utf8'));
  rmSync(dir, { recursive: true, force: true });
  const n = writeFolder(dir, images, labels, classes, perClass);
  writeFileSync(marker, String(n));
  return n;
}
const testPerClass = num('test-per-class');
const nFew = ensureFolder(dirs.few, trX!.data, trY!.data, tuneClasses, num('per-class'));
const nTest = ensureFolder(dirs.test, teX!.data, teY!.data, tuneClasses, testPerClass);
const few = `classes ${tuneClasses.join(',')}`;
console.error(`data in ${work}: few-shot ${nFew} images (${few}), test ${nTest} (${few})`);

const quiet = { isTTY: false, log: (m: string) => console.error(`  ${m}`) };
const base = (out: string, data: string, test: string, epochs: number): TrainOptions => ({
  arch: 'resnet20',
  head: 'softmax',
  data: {
    train: { kind: 'folder', path: data },
    test: { kind: 'folder', path: test },
    validationFraction: 0,
    preprocess: SPEC,
  },
  epochs,
  batchSize: 32,
  lr: 0.05,
  optimizer: 'sgd',
  momentum: 0.9,
  weightDecay: 5e-4,
  schedule: 'cosine',
  warmupEpochs: 0,
  labelSmoothing: 0,
  augment: ['crop'],
  seed,
  backend: 'wasm',
  out,
  resume: false,
  patience: 0,
  maxTrainSamples: 0,
  workers,
});

interface ArmResult {
  top1: number;
  seconds: number;
  epochs: number;
}
/** Trains one arm, or reads back the result of an earlier run of it (metrics.json is written last). */
async function arm(what: string, o: TrainOptions): Promise<ArmResult> {
  const metrics = join(o.out, 'metrics.json');
  const done = join(o.out, 'bench-seconds');
  if (existsSync(metrics) && existsSync(done)) {
    const doc = JSON.parse(readFileSync(metrics, 'utf8')) as { final?: { test?: { top1: number } | null } };
    console.error(`${what}: reused ${o.out}`);
    return { top1: doc.final?.test?.top1 ?? NaN, seconds: Number(readFileSync(done, 'utf8')), epochs: o.epochs };
  }
  rmSync(o.out, { recursive: true, force: true });
  console.error(`${what}…`);
  const t0 = Date.now();
  let r;
  try {
    r = await train(o, quiet);
  } catch (err) {
    // A recipe whose loss stops being finite is a result of the sweep (shown as "diverged"), not a crash of it.
    if (!(err instanceof TrainError && err.code === 'diverged')) throw err;
    console.error(`${what}: diverged (${err.message})`);
    return { top1: NaN, seconds: (Date.now() - t0) / 1000, epochs: o.epochs };
  }
  const seconds = (Date.now() - t0) / 1000;
  writeFileSync(done, seconds.toFixed(1));
  console.error(`${what}: test top-1 ${((r.test?.top1 ?? NaN) * 100).toFixed(2)} % in ${seconds.toFixed(0)} s`);
  return { top1: r.test?.top1 ?? NaN, seconds, epochs: r.epochs };
}

const pct = (x: number) => (Number.isNaN(x) ? 'diverged' : `${(x * 100).toFixed(1)} %`);
let pretrainRun = values['pretrain-run'] ? resolve(values['pretrain-run']) : '';
if (!pretrainRun) {
  const nPre = ensureFolder(dirs.pretrain, trX!.data, trY!.data, pretrainClasses, num('pretrain-per-class'));
  ensureFolder(dirs.pretrainTest, teX!.data, teY!.data, pretrainClasses, testPerClass);
  const name = `pretrain-${tag(pretrainClasses)}-${values['pretrain-per-class']}-e${values['pretrain-epochs']}`;
  pretrainRun = join(work, 'runs', name);
  const epochs = num('pretrain-epochs');
  const batchSize = num('pretrain-batch');
  const lr = Number(values['pretrain-lr']);
  const pre = await arm(
    `pretraining on ${nPre} images of classes ${pretrainClasses.join(',')} (${epochs} epochs, batch ${batchSize}, lr ${lr})`,
    { ...base(pretrainRun, dirs.pretrain, dirs.pretrainTest, epochs), batchSize, lr },
  );
  console.log(
    `pretrain: ${nPre} images of classes ${pretrainClasses.join(',')}, ${epochs} epochs, batch ${batchSize}, ` +
      `lr ${lr}: test top-1 ${pct(pre.top1)} on its own classes, ${pre.seconds.toFixed(0)} s`,
  );
}
if (values['pretrain-only']) process.exit(0);

const rows: string[][] = [
  ['epochs', 'scratch (peer)', ...recipeNames.map((r) => `--init, ${r}`), 'best − scratch', 'seconds (scratch / each)'],
];
for (const epochs of budgets) {
  const scratchRun = join(work, 'runs', `scratch-${tag(tuneClasses)}-e${epochs}`);
  const scratch = await arm(`scratch, ${epochs} epochs`, base(scratchRun, dirs.few, dirs.test, epochs));
  const tuned: ArmResult[] = [];
  for (const name of recipeNames) {
    const recipe = RECIPES[name]!(epochs);
    const out = join(work, 'runs', `${name}-${tag(tuneClasses)}-e${epochs}`);
    const init = { source: pretrainRun, head: 'replace' as const, recipe };
    tuned.push(await arm(`fine-tune (${name}), ${epochs} epochs`, { ...base(out, dirs.few, dirs.test, epochs), init }));
  }
  const best = Math.max(...tuned.map((t) => (Number.isNaN(t.top1) ? 0 : t.top1)));
  const gap = (best - scratch.top1) * 100;
  rows.push([
    String(epochs),
    pct(scratch.top1),
    ...tuned.map((t) => pct(t.top1)),
    `${gap >= 0 ? '+' : ''}${gap.toFixed(1)}`,
    [scratch, ...tuned].map((t) => t.seconds.toFixed(0)).join(' / '),
  ]);
  console.error(`budget ${epochs} done: ${rows.at(-1)!.join(' | ')}`);
}
for (const name of recipeNames) {
  const r = RECIPES[name]!(budgets[0]!);
  console.log(
    `recipe ${name} (at ${budgets[0]} epochs): freeze ${r.freeze.kind}, unfreeze at ${r.unfreezeAt}, ` +
      `backbone lr ×${r.backboneLr}, BN ${r.batchNorm}`,
  );
}
const markdown = rows.map((r) => `| ${r.join(' | ')} |`);
markdown.splice(1, 0, `|${rows[0]!.map(() => '---').join('|')}|`);
console.log(markdown.join('\n'));
console.log(
  `\n${nFew} training images (${few}), test on ${nTest}; pretrained run ${pretrainRun}; backend wasm × ${workers} workers, ` +
    `${cpus().length} cores (${cpus()[0]?.model ?? '?'}); target: fine-tuned ≥ scratch + 10 points`,
);
if (!values.keep && !values.work) rmSync(work, { recursive: true, force: true });
