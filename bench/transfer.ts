// Issue 15's "proof that it helps": does starting from pretrained weights beat training from scratch on a few
// hundred images? Offline, on Debian's Fashion-MNIST (/usr/share/datasets/fashion-mnist, package
// dataset-fashion-mnist): pretrain ResNet-20 on classes 0–4, then train on 50 images per class of classes 5–9
// twice at the same budget (epochs, batch, images, augmentation) — once fine-tuning the pretrained net
// (`train --init`, new head), once from random weights — and compare test top-1 on all 5,000 test images of
// classes 5–9. The peer row is the from-scratch run, in the same process.
//
//   npm run bench -- transfer [--pretrain-per-class 600] [--pretrain-epochs 2] [--per-class 50] [--epochs 12] [--workers 2]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { encode } from 'fast-png';
import type { PreprocessSpec } from '@resnet-edge/shared/preprocess/spec';
import { parseIdx } from '../train/src/data/idx.ts';
import { train, type TrainOptions, type TrainResult } from '../train/src/run/trainer.ts';

const FMNIST = '/usr/share/datasets/fashion-mnist';
const NAMES = ['t-shirt', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'ankle-boot'];
const SPEC: PreprocessSpec = { colorMode: 'grayscale', resizeShorter: 28, resizeAlgorithm: 'bilinear', crop: { height: 28, width: 28 }, normalize: { kind: 'mean_std', mean: [0.286], std: [0.353] }, maxPixels: 40_000_000 };

const { values } = parseArgs({
  options: {
    'pretrain-per-class': { type: 'string', default: '600' },
    'pretrain-epochs': { type: 'string', default: '2' },
    'per-class': { type: 'string', default: '50' },
    epochs: { type: 'string', default: '12' },
    workers: { type: 'string', default: '2' },
    keep: { type: 'boolean', default: false },
  },
});
const num = (k: keyof typeof values) => Number(values[k]);

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
    writeFileSync(join(dir, NAMES[k]!, `${String(i).padStart(5, '0')}.png`), encode({ width: 28, height: 28, data: images.subarray(i * 784, (i + 1) * 784), channels: 1, depth: 8 }));
    n++;
  }
  return n;
}

const work = mkdtempSync(join(tmpdir(), 'resnet-edge-bench-transfer-'));
const [trX, trY, teX, teY] = await Promise.all(['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'].map(idx));
const A = [0, 1, 2, 3, 4];
const B = [5, 6, 7, 8, 9];
const nPre = writeFolder(join(work, 'pretrain'), trX!.data, trY!.data, A, num('pretrain-per-class'));
const nFew = writeFolder(join(work, 'few'), trX!.data, trY!.data, B, num('per-class'));
const nTest = writeFolder(join(work, 'test'), teX!.data, teY!.data, B, 1_000_000);
writeFolder(join(work, 'pretrain-test'), teX!.data, teY!.data, A, 1_000_000);
console.error(`data: pretrain ${nPre} images (classes 0–4), few-shot ${nFew} (classes 5–9), test ${nTest} (classes 5–9)`);

const quiet = { isTTY: false, log: (m: string) => console.error(`  ${m}`) };
const base = (out: string, data: string, test: string, epochs: number): TrainOptions => ({
  arch: 'resnet20', head: 'softmax', data: { train: { kind: 'folder', path: data }, test: { kind: 'folder', path: test }, validationFraction: 0, preprocess: SPEC },
  epochs, batchSize: 32, lr: 0.05, optimizer: 'sgd', momentum: 0.9, weightDecay: 5e-4, schedule: 'cosine', warmupEpochs: 0, labelSmoothing: 0,
  augment: ['crop'], seed: 11, backend: 'wasm', out, resume: false, patience: 0, maxTrainSamples: 0, workers: num('workers'),
});

const timed = async (what: string, o: TrainOptions): Promise<[TrainResult, number]> => {
  console.error(`${what}…`);
  const t0 = Date.now();
  const r = await train(o, quiet);
  return [r, (Date.now() - t0) / 1000];
};

const [pre, preS] = await timed('pretraining on classes 0–4', base(join(work, 'runs', 'pretrain'), join(work, 'pretrain'), join(work, 'pretrain-test'), num('pretrain-epochs')));
const epochs = num('epochs');
const unfreezeAt = Math.max(2, Math.round(epochs / 3) + 1);
const [tuned, tunedS] = await timed(
  'fine-tuning on 50/class of classes 5–9',
  { ...base(join(work, 'runs', 'tuned'), join(work, 'few'), join(work, 'test'), epochs), init: { source: join(work, 'runs', 'pretrain'), head: 'replace', recipe: { freeze: { kind: 'backbone' }, unfreezeAt, backboneLr: 0.1, batchNorm: 'frozen' } } },
);
const [scratch, scratchS] = await timed('from scratch on the same images', base(join(work, 'runs', 'scratch'), join(work, 'few'), join(work, 'test'), epochs));

const pct = (r: TrainResult) => `${((r.test?.top1 ?? NaN) * 100).toFixed(2)} %`;
const rows = [
  ['run', 'train images', 'epochs', 'test top-1 (classes 5–9)', 'seconds'],
  [`pretrain ResNet-20 on classes 0–4 (test on 0–4)`, String(nPre), String(pre.epochs), pct(pre), preS.toFixed(0)],
  [`fine-tuned from it (--init, freeze backbone until epoch ${unfreezeAt}, backbone lr ×0.1, BN frozen)`, String(nFew), String(tuned.epochs), pct(tuned), tunedS.toFixed(0)],
  ['peer: from scratch, same recipe and budget', String(nFew), String(scratch.epochs), pct(scratch), scratchS.toFixed(0)],
];
const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
for (const r of rows) console.log(r.map((v, c) => v.padEnd(widths[c]!)).join('  '));
const gain = ((tuned.test?.top1 ?? 0) - (scratch.test?.top1 ?? 0)) * 100;
console.log(`\nfine-tuned − scratch: ${gain >= 0 ? '+' : ''}${gain.toFixed(2)} points (target ≥ +10); backend wasm × ${values.workers} workers, ${cpus().length} cores (${cpus()[0]?.model ?? '?'})`);
if (!values.keep) rmSync(work, { recursive: true, force: true });
else console.log(`runs kept in ${work}`);
