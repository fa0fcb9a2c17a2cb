// `npm run bench -- train-e2e`: the whole `resnet-edge train` command against a PyTorch script doing the same job
// end to end (bench/torch_train_e2e.py), on the same folder of PNGs, in one run — and, in the same run, the
// training-step microbenchmark of both (bench/train.ts's child row and bench/torch_train.py), so that the three
// ratios can be compared without the machine's load moving between them:
//
//   end to end  PyTorch's wall time / ours (process start to exit, both)
//   in-loop     our images/s over the loop's batches and steps / PyTorch's (the `batch` + `step` phases)
//   micro       our step images/s on random data / PyTorch's (bench/train.ts)
//
//   npx tsx bench/train-e2e.ts                 ResNet-20, 1,000 images (100 per class) of the bundled Fashion-MNIST
//                                              sample at 28×28×3, validation 20 % → 800 training images, 8 epochs
//   options: --threads N (ours: gradient workers; PyTorch: threads; default: what `--workers auto` picks),
//            --epochs N, --per-class N, --batch B, --repeat N (the whole comparison N times), --skip-micro
//
// The dataset is copied from data/fashion-mnist-mini/train into a temporary folder (first N files per class).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const PYTHON = '/usr/bin/python3';
const here = import.meta.dirname;
const root = join(here, '..');

const { values } = parseArgs({
  options: {
    threads: { type: 'string' },
    epochs: { type: 'string', default: '8' },
    'per-class': { type: 'string', default: '100' },
    batch: { type: 'string', default: '64' },
    repeat: { type: 'string', default: '1' },
    'skip-micro': { type: 'boolean', default: false },
  },
});
const threads = Number(values.threads ?? Math.max(1, Math.min(4, os.availableParallelism())));
const epochs = Number(values.epochs);
const batch = Number(values.batch);
const perClass = Number(values['per-class']);
const VALIDATION = 0.2;
const SIZE = 28;

type Phases = Record<string, number>;
interface Side {
  wall: number;
  phases: Phases;
  images: number;
  top1: number;
  detail: string;
}

function makeDataset(dir: string): void {
  const src = join(root, 'data', 'fashion-mnist-mini', 'train');
  for (const label of readdirSync(src).sort()) {
    mkdirSync(join(dir, label));
    for (const f of readdirSync(join(src, label)).sort().slice(0, perClass)) {
      copyFileSync(join(src, label, f), join(dir, label, f));
    }
  }
}

type MetricsImages = { epochs: { train: { images: number } }[] };
const tail = (text: string) => text.trim().split('\n').slice(-3).join(' ');

function runOurs(data: string, out: string): Side {
  const args = [
    'bin/resnet-edge.js',
    'train',
    '--arch',
    'resnet20',
    '--data',
    data,
    '--input-size',
    String(SIZE),
    '--color',
    'rgb',
    '--validation-fraction',
    String(VALIDATION),
    '--epochs',
    String(epochs),
    '--batch-size',
    String(batch),
    '--lr',
    '0.1',
    '--weight-decay',
    '1e-4',
    '--schedule',
    'cosine',
    '--augment',
    'crop',
    '--seed',
    '42',
    '--backend',
    'wasm',
    '--workers',
    String(threads),
    '--out',
    out,
    '--json',
  ];
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`resnet-edge train exited ${r.status}: ${tail(r.stderr)}`);
  const doc = JSON.parse(r.stdout) as { phases: Phases; validation: { top1: number } | null; backend: string };
  const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')) as MetricsImages;
  const images = metrics.epochs.reduce((a, e) => a + e.train.images, 0);
  const detail = `${doc.backend} × ${threads} worker(s)`;
  return { wall, phases: doc.phases, images, top1: doc.validation?.top1 ?? NaN, detail };
}

function runTorch(data: string, out: string): Side {
  const cfg = {
    data,
    arch: 'resnet20',
    epochs,
    batch,
    lr: 0.1,
    weightDecay: 1e-4,
    threads,
    seed: 42,
    out,
    validationFraction: VALIDATION,
  };
  const t0 = performance.now();
  const r = spawnSync(PYTHON, [join(here, 'torch_train_e2e.py'), JSON.stringify(cfg)], { cwd: here, encoding: 'utf8' });
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`torch_train_e2e.py exited ${r.status}: ${tail(r.stderr)}`);
  type TorchDoc = { phases: Phases; images: number; validationTop1: number; detail: string };
  const doc = JSON.parse(r.stdout.trim().split('\n').pop()!) as TorchDoc;
  return { wall, phases: doc.phases, images: doc.images, top1: doc.validationTop1, detail: doc.detail };
}

/** Step images/s on random data: bench/train.ts's own rows, same shapes and batch. */
function runMicro(): { ours: number; torch: number } {
  const cfg = { arch: 'resnet20', size: SIZE, channels: 3, batch, steps: 5 };
  const row = threads > 1 ? 'wasm-2' : 'wasm';
  const config = JSON.stringify({ ...cfg, workers: threads });
  const oursArgs = ['--import', 'tsx', join(here, 'train.ts'), '--child', row, '--config', config];
  const ours = spawnSync(process.execPath, oursArgs, { cwd: root, encoding: 'utf8' });
  const torchArgs = [join(here, 'torch_train.py'), JSON.stringify({ ...cfg, row: 'pytorch', threads })];
  const torch = spawnSync(PYTHON, torchArgs, { cwd: here, encoding: 'utf8' });
  const last = (s: string) =>
    JSON.parse(
      s
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .pop() ?? '{}',
    ) as { imgPerSec?: number };
  return { ours: last(ours.stdout).imgPerSec ?? NaN, torch: last(torch.stdout).imgPerSec ?? NaN };
}

const inLoop = (s: Side) => s.images / ((s.phases.batch ?? 0) + (s.phases.step ?? 0));
const PHASES = [
  'startup',
  'backend',
  'data',
  'model',
  'stepSetup',
  'batch',
  'step',
  'validation',
  'saveBest',
  'checkpoint',
  'finalEval',
  'report',
];

function printRun(i: number, ours: Side, torch: Side, micro: { ours: number; torch: number } | null): void {
  const cell = (s: Side, p: string) => (s.phases[p] === undefined ? '—' : s.phases[p]!.toFixed(2));
  const load = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  console.log(
    `\nrun ${i + 1}: ResNet-20 ${SIZE}×${SIZE}×3, ${ours.images / epochs} training + ` +
      `${perClass * 10 * VALIDATION} validation images, ${epochs} epochs, batch ${batch}, ${threads} thread(s) each; ` +
      `load average ${load}\n`,
  );
  console.log(`| side | wall s | in-loop img/s | val top-1 | ${PHASES.join(' | ')} |`);
  console.log(`|---|${'---:|'.repeat(3 + PHASES.length)}`);
  const sides = [
    [`resnet-edge train (${ours.detail})`, ours],
    [`PyTorch (${torch.detail})`, torch],
  ] as const;
  for (const [name, s] of sides) {
    const phases = PHASES.map((p) => cell(s, p)).join(' | ');
    const top1 = `${(s.top1 * 100).toFixed(1)} %`;
    console.log(`| ${name} | ${s.wall.toFixed(1)} | ${inLoop(s).toFixed(1)} | ${top1} | ${phases} |`);
  }
  const microText = micro
    ? `, microbenchmark ${(micro.ours / micro.torch).toFixed(3)}× ` +
      `(${micro.ours.toFixed(1)} vs ${micro.torch.toFixed(1)} img/s)`
    : '';
  console.log(
    `\nratios (ours / PyTorch, same run): end to end ${(torch.wall / ours.wall).toFixed(3)}×, ` +
      `in-loop ${(inLoop(ours) / inLoop(torch)).toFixed(3)}×${microText}`,
  );
  const outside = ours.wall - (ours.phases.batch ?? 0) - (ours.phases.step ?? 0);
  const torchOutside = torch.wall - (torch.phases.batch ?? 0) - (torch.phases.step ?? 0);
  const share = ((outside / ours.wall) * 100).toFixed(0);
  console.log(
    `outside the loop's steps: ours ${outside.toFixed(1)} s (${share} % of the wall), ` +
      `PyTorch ${torchOutside.toFixed(1)} s`,
  );
}

const probe = spawnSync(PYTHON, ['-c', 'import torch, PIL'], { encoding: 'utf8' });
if (probe.status !== 0) {
  console.error(
    `bench train-e2e: PyTorch or PIL not found for ${PYTHON}: ` +
      "run scripts/system-deps/python-torch.sh (Debian's python3-torch)",
  );
  process.exit(2);
}
const cpus = os.cpus();
const memory = `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`;
console.log(`machine: ${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, ${memory}, Node ${process.version}`);
const work = mkdtempSync(join(os.tmpdir(), 'bench-train-e2e-'));
try {
  const data = join(work, 'data');
  mkdirSync(data);
  makeDataset(data);
  for (let i = 0; i < Number(values.repeat); i++) {
    process.stderr.write(`bench train-e2e: run ${i + 1}: resnet-edge train…\n`);
    const ours = runOurs(data, join(work, `ours-${i}`));
    process.stderr.write(`bench train-e2e: run ${i + 1}: PyTorch…\n`);
    const torch = runTorch(data, join(work, `torch-${i}`));
    if (!values['skip-micro']) process.stderr.write(`bench train-e2e: run ${i + 1}: microbenchmark…\n`);
    const micro = values['skip-micro'] ? null : runMicro();
    printRun(i, ours, torch, micro);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
