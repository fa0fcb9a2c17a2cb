// `npm run bench -- accuracy [--epochs 2] [--threads 2] [--data DIR] [--skip-torch] [--skip-ours]`
// ResNet-20 on the full Fashion-MNIST (Debian's dataset-fashion-mnist, read by the IDX loader), trained by
// `resnet-edge train` and by a PyTorch twin with the same recipe, one after the other on this machine; prints
// both test top-1 accuracies, wall times and the gap. The recipe (the trainer's defaults): batch 64, SGD 0.1
// momentum 0.9, weight decay 1e-4 on conv/dense kernels only, cosine to 0 per step, random crop with 4 pixels
// of black padding, no flip, 60,000 training images (no validation split), 10,000 test images, inputs
// normalised with mean 0.286 / std 0.353 (docs/examples/fashion-mnist.spec.json).
//
// `--recipe long [--time-limit MIN] [--backend NAME]`: issue 13's recipe for ≥ 94 % (ours only; the twin has no
// flip or erasing): 40 epochs, batch 128, SGD 0.1 with one warm-up epoch then cosine, random crop + horizontal flip
// (Fashion-MNIST's classes are mirror-symmetric) + random erasing (Zhong et al. 2017). On a GPU it runs whole; on
// CPU `--time-limit 60` records how far it gets in an hour (the trainer stops at an epoch boundary and evaluates).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    epochs: { type: 'string', default: '2' },
    threads: { type: 'string', default: '2' },
    data: { type: 'string', default: '/usr/share/datasets/fashion-mnist' },
    out: { type: 'string', default: 'runs/accuracy-resnet20-fmnist' },
    'skip-torch': { type: 'boolean', default: false },
    'skip-ours': { type: 'boolean', default: false },
    'max-train': { type: 'string', default: '0' },
    recipe: { type: 'string', default: 'twin' },
    'time-limit': { type: 'string', default: '0' },
    backend: { type: 'string', default: 'auto' },
  },
});
if (values.recipe !== 'twin' && values.recipe !== 'long') {
  console.error(`bench accuracy: --recipe must be twin or long, not '${values.recipe}'`);
  process.exit(2);
}
const long = values.recipe === 'long';
// --epochs given explicitly wins; otherwise the recipe's own budget.
const epochs = long && !process.argv.includes('--epochs') ? 40 : Number(values.epochs);
if (long) values['skip-torch'] = true;
const trainIdx = join(values.data!, 'train-images-idx3-ubyte.gz');
const testIdx = join(values.data!, 't10k-images-idx3-ubyte.gz');
if (!existsSync(trainIdx)) {
  console.error(
    `bench accuracy: ${trainIdx} not found; install Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist) or pass --data DIR`,
  );
  process.exit(2);
}

interface Row {
  row: string;
  top1: number;
  seconds: number;
  imgPerSec: number;
  detail: string;
}
const rows: Row[] = [];

if (!values['skip-ours']) {
  const t0 = Date.now();
  const args = [
    'bin/resnet-edge.js',
    'train',
    '--arch',
    'resnet20',
    '--data',
    trainIdx,
    '--test-data',
    testIdx,
    '--spec',
    'docs/examples/fashion-mnist.spec.json',
    '--validation-fraction',
    '0',
    '--epochs',
    String(epochs),
    '--batch-size',
    long ? '128' : '64',
    '--warmup-epochs',
    long ? '1' : '0',
    '--lr',
    '0.1',
    '--optimizer',
    'sgd',
    '--momentum',
    '0.9',
    '--weight-decay',
    '1e-4',
    '--schedule',
    'cosine',
    '--augment',
    long ? 'crop,flip,erase' : 'crop',
    '--time-limit',
    values['time-limit']!,
    '--backend',
    values.backend!,
    '--max-train-samples',
    values['max-train']!,
    '--out',
    values.out!,
    '--json',
  ];
  const r = spawnSync(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) throw new Error(`resnet-edge train exited ${r.status}`);
  const doc = JSON.parse(r.stdout) as {
    test: { top1: number };
    trainImagesPerSecond: number;
    backend: string;
    epochs: number;
    stopped: string;
  };
  rows.push({
    row: `resnet-edge train${long ? ' (recipe long)' : ''}`,
    top1: doc.test.top1,
    seconds: (Date.now() - t0) / 1000,
    imgPerSec: doc.trainImagesPerSecond,
    detail: `backend ${doc.backend}, ${doc.epochs} of ${epochs} epoch(s), ${doc.stopped.replace('_', ' ')}`,
  });
}

if (!values['skip-torch']) {
  const python = '/usr/bin/python3';
  const probe = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    console.error(
      'bench accuracy: PyTorch not found; `apt-get install python3-torch` (Debian) to get the peer column. Skipping it.',
    );
  } else {
    const cfg = { epochs, threads: Number(values.threads), data: values.data, maxTrain: Number(values['max-train']) };
    const r = spawnSync(python, [join(import.meta.dirname, 'torch_accuracy.py'), JSON.stringify(cfg)], {
      stdio: ['ignore', 'pipe', 'inherit'],
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`torch_accuracy.py exited ${r.status}`);
    rows.push(JSON.parse(r.stdout.trim().split('\n').pop()!) as Row);
  }
}

console.log(
  `\nResNet-20, full Fashion-MNIST, ${epochs} epoch(s) — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}\n`,
);
console.log('| trainer | test top-1 | wall | train img/s | detail |');
console.log('|---|---:|---:|---:|---|');
for (const r of rows)
  console.log(
    `| ${r.row} | ${(r.top1 * 100).toFixed(2)} % | ${(r.seconds / 60).toFixed(1)} min | ${r.imgPerSec.toFixed(0)} | ${r.detail} |`,
  );
if (rows.length === 2)
  console.log(`\ngap: ${((rows[0]!.top1 - rows[1]!.top1) * 100).toFixed(2)} points (target: within 0.5)`);
