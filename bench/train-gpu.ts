// The compiled WebGPU training step (train/src/gpu) against PyTorch CUDA on the same GPU, and against the old
// tfjs-webgpu step, in one run.
//
//   npm run bench -- train-gpu                          the issue's four shapes (ResNet-20 32×32 at 64/256/512, ResNet-18 112 at 64)
//   npm run bench -- train-gpu --shapes resnet20:8:16  arch:size:batch, comma-separated (lavapipe needs small ones)
//   options: --steps N (timed steps, default 10), --read-every N (loss read-back period, default 10), --tfjs (add the
//            old tfjs-webgpu row: slow), --python PATH (default /usr/bin/python3 then python3)
//
// Rows: img/s, ms per step (wall, GPU included), host ms per step (encoding + submit only), dispatches and
// submits per step, GPU buffer bytes (every buffer of the arena is persistent, so this is also the peak).
// Without a CUDA device the PyTorch column says so; on a software adapter the numbers measure lavapipe.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    shapes: { type: 'string', default: 'resnet20:32:64,resnet20:32:256,resnet20:32:512,resnet18:112:64' },
    steps: { type: 'string', default: '10' },
    'read-every': { type: 'string', default: '10' },
    tfjs: { type: 'boolean', default: false },
    python: { type: 'string' },
  },
});
const steps = Number(values.steps);
const readEvery = Number(values['read-every']);
const shapes = values.shapes!.split(',').map((s) => {
  const [arch, size, batch] = s.split(':');
  return { arch: arch!, size: Number(size), batch: Number(batch) };
});

const tf = await import('@tensorflow/tfjs-core');
await import('@tensorflow/tfjs-backend-cpu');
await tf.setBackend('cpu'); // the layers model only holds the weights here; the compiled step has its own device
const { buildModel } = await import('../train/src/models/index.ts');
const { CompiledTrainer } = await import('../train/src/gpu/compiled-step.ts');
const { acquireGpu } = await import('../train/src/gpu/device.ts');
const ctx = await acquireGpu();

interface Row {
  shape: string;
  ours?: { imgPerSec: number; msPerStep: number; hostMs: number; dispatches: number; submits: number; bytes: number };
  torch?: { available: boolean; imgPerSec?: number; peakBytes?: number; detail: string };
  tfjs?: { imgPerSec: number } | { error: string };
  error?: string;
}

function torchRow(arch: string, size: number, batch: number): Row['torch'] {
  for (const py of [values.python, '/usr/bin/python3', 'python3'].filter(Boolean) as string[]) {
    const r = spawnSync(py, [join(here, 'torch_train_gpu.py'), JSON.stringify({ arch, size, batch, channels: 3, steps })], { encoding: 'utf8', cwd: here });
    if (r.status === 0 && r.stdout.trim()) return JSON.parse(r.stdout.trim().split('\n').pop()!);
  }
  return { available: false, detail: 'no python3 with torch (apt-get install python3-torch)' };
}

function tfjsRow(arch: string, size: number, batch: number): Row['tfjs'] {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(here, 'train.ts'), '--arch', arch, '--size', String(size), '--batch', String(batch), '--steps', '2', '--only', 'webgpu'], { encoding: 'utf8' });
  const m = /tfjs webgpu[^\n]*?([\d,.]+)\s*img\/s/.exec(r.stdout) ?? /webgpu[^\n]*\|\s*([\d,.]+)\s*\|/.exec(r.stdout);
  return m ? { imgPerSec: Number(m[1]!.replace(/,/g, '')) } : { error: (r.stderr || r.stdout).trim().split('\n').pop() ?? 'failed' };
}

const rows: Row[] = [];
for (const { arch, size, batch } of shapes) {
  const row: Row = { shape: `${arch} ${size}×${size} bs${batch}` };
  try {
    const model = buildModel(arch, { inputShape: [size, size, 3], numClasses: 10 });
    const trainer = await CompiledTrainer.create(model, { batchSize: batch, optimizer: { kind: 'sgd', momentum: 0.9, weightDecay: 1e-4 }, labelSmoothing: 0 }, ctx);
    await trainer.importWeights();
    const x = Float32Array.from({ length: batch * size * size * 3 }, () => Math.random());
    const y = Int32Array.from({ length: batch }, (_, i) => i % 10);
    const b = { x, y, count: batch };
    trainer.run(b, 0.01, { read: true }); // warm-up: pipelines compile lazily on some drivers
    await trainer.readMetrics();
    let host = 0;
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) {
      const h = performance.now();
      const read = (i + 1) % readEvery === 0 || i === steps - 1;
      trainer.run(b, 0.01, { read });
      host += performance.now() - h;
      if (read) await trainer.readMetrics();
    }
    const ms = (performance.now() - t0) / steps;
    const s = trainer.stepStats;
    row.ours = { imgPerSec: (batch / ms) * 1000, msPerStep: ms, hostMs: host / steps, dispatches: s.dispatchesPerStep, submits: s.submitsPerStep, bytes: s.bufferBytes };
    trainer.destroy();
    model.dispose();
  } catch (err) {
    row.error = err instanceof Error ? err.message : String(err);
  }
  row.torch = torchRow(arch, size, batch);
  if (values.tfjs) row.tfjs = tfjsRow(arch, size, batch);
  rows.push(row);
}

const mib = (b?: number) => (b === undefined ? '–' : `${(b / 2 ** 20).toFixed(0)} MiB`);
const fmt = (v?: number, d = 0) => (v === undefined ? '–' : v.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }));
console.log(`compiled WebGPU step on ${ctx.adapterName}${ctx.software ? ' (software adapter)' : ''}; features shader-f16 ${ctx.features.shaderF16}, subgroups ${ctx.features.subgroups} (not used yet)`);
console.log(`${steps} timed steps, loss read back every ${readEvery}\n`);
console.log('| shape | ours img/s | ms/step | host ms/step | dispatches | submits | GPU buffers | PyTorch CUDA img/s | ratio | torch peak | tfjs-webgpu img/s |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  const o = r.ours;
  const t = r.torch?.available ? r.torch : undefined;
  const tj = r.tfjs && 'imgPerSec' in r.tfjs ? fmt(r.tfjs.imgPerSec, 1) : r.tfjs ? 'failed' : 'not run';
  console.log(
    `| ${r.shape} | ${o ? fmt(o.imgPerSec, 1) : `error: ${r.error}`} | ${fmt(o?.msPerStep, 1)} | ${fmt(o?.hostMs, 2)} | ${fmt(o?.dispatches)} | ${fmt(o?.submits)} | ${mib(o?.bytes)} | ${t ? fmt(t.imgPerSec) : 'n/a'} | ${t && o ? `${(o.imgPerSec / t.imgPerSec!).toFixed(2)}×` : '–'} | ${mib(t?.peakBytes)} | ${tj} |`,
  );
}
const noCuda = rows.find((r) => r.torch && !r.torch.available);
if (noCuda) console.log(`\nPyTorch CUDA: not available here (${noCuda.torch!.detail}); the GPU row is left for a machine with a GPU.`);
ctx.device.destroy();
