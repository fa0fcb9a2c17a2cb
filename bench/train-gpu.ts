// The compiled WebGPU training step (train/src/gpu) beside the tfjs-webgpu step on the same adapter and PyTorch
// (CUDA where it has a GPU, else the CPU), in one run.
//
//   npm run bench -- train-gpu           on a GPU: the four shapes (ResNet-20 32×32 at 64/256/512,
//                                        ResNet-18 112 at 64); on a software adapter (lavapipe): small ones
//   npm run bench -- train-gpu --shapes resnet20:16:16   arch:size:batch, comma-separated
//   options: --steps N (timed steps; default 10 on a GPU, 3 on software), --read-every N (loss read-back period,
//            default 10), --skip-tfjs (no tfjs-webgpu rows), --torch-device auto|cuda|cpu, --torch-threads N (CPU
//            threads, default 1: on our shared 2-core box 2 OpenMP threads ran ResNet-20 8×8 bs4 at 238 ms/step
//            against 17 ms with 1, spinning against the other jobs), --python PATH, --max-tile 16|32|64 (the
//            compiled step's widest GEMM tile; default 64 on a GPU, 16 on software), --activations f32|f16 (storage
//            of the compiled step's conv outputs; f16 needs shader-f16)
//
// Rows: img/s, ms per step (wall, GPU included), host ms per step (the compiled step's encoding + submit; the
// tfjs step cannot separate it), dispatches and submits per step counted on the device (call-counter.ts), GPU
// buffer bytes (the compiled step's arena is all persistent, so this is also its peak).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    shapes: { type: 'string' },
    steps: { type: 'string' },
    'read-every': { type: 'string', default: '10' },
    'skip-tfjs': { type: 'boolean', default: false },
    'torch-device': { type: 'string', default: 'auto' },
    'torch-threads': { type: 'string', default: '1' },
    python: { type: 'string' },
    'max-tile': { type: 'string' },
    activations: { type: 'string', default: 'f32' },
  },
});
const GPU_SHAPES = 'resnet20:32:64,resnet20:32:256,resnet20:32:512,resnet18:112:64';
// Small enough that lavapipe (and the tfjs step's ≈2,400 dispatches) finish in a few minutes on 2 cores.
const SOFTWARE_SHAPES = 'resnet20:16:16,resnet18:64:4';

const tf = await import('@tensorflow/tfjs-core');
const { initBackend } = await import('../train/src/backends/index.ts');
// The tfjs-webgpu backend first: the compiled step's acquireGpu then takes its device from the same
// navigator.gpu, so both run on one adapter.
await initBackend('webgpu');
const tfjsDevice = (tf.backend() as unknown as { device: GPUDevice }).device;
const { buildModel } = await import('../train/src/models/index.ts');
const { CompiledTrainer } = await import('../train/src/gpu/compiled-step.ts');
const { acquireGpu } = await import('../train/src/gpu/device.ts');
const { countGpuCalls } = await import('../train/src/gpu/call-counter.ts');
const { createLocalStep, trainableVariables } = await import('../train/src/training/step.ts');
const { Optimizer } = await import('../train/src/training/optimizer.ts');
const { lossFor } = await import('../train/src/training/loss.ts');
const ctx = await acquireGpu();

const steps = Number(values.steps ?? (ctx.software ? 3 : 10));
const readEvery = Number(values['read-every']);
const shapes = (values.shapes ?? (ctx.software ? SOFTWARE_SHAPES : GPU_SHAPES)).split(',').map((s) => {
  const [arch, size, batch] = s.split(':');
  return { arch: arch!, size: Number(size), batch: Number(batch) };
});
const SGD = { kind: 'sgd' as const, momentum: 0.9, weightDecay: 1e-4 };

interface Measured {
  imgPerSec: number;
  msPerStep: number;
  hostMs?: number;
  dispatches?: number;
  submits?: number;
  bytes?: number;
  detail?: string;
}
type Outcome = Measured | { error: string };
interface Row {
  shape: string;
  compiled: Outcome;
  tfjs?: Outcome;
  torch: Outcome;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0]!;

function batchOf(size: number, batch: number) {
  return {
    x: Float32Array.from({ length: batch * size * size * 3 }, () => Math.random()),
    y: Int32Array.from({ length: batch }, (_, i) => i % 10),
    count: batch,
    shape: [size, size, 3] as [number, number, number],
  };
}

async function compiledRow(arch: string, size: number, batch: number): Promise<Outcome> {
  const model = buildModel(arch, { inputShape: [size, size, 3], numClasses: 10 });
  let trainer: Awaited<ReturnType<typeof CompiledTrainer.create>> | undefined;
  try {
    const maxTileN = values['max-tile'] ? (Number(values['max-tile']) as 16 | 32 | 64) : undefined;
    trainer = await CompiledTrainer.create(
      model,
      {
        batchSize: batch,
        optimizer: SGD,
        labelSmoothing: 0,
        maxTileN,
        activations: values.activations as 'f32' | 'f16',
      },
      ctx,
    );
    await trainer.importWeights();
    const b = batchOf(size, batch);
    trainer.run(b, 0.01, { read: true }); // warm-up: drivers compile pipelines at their first dispatch
    await trainer.readMetrics();
    const counter = countGpuCalls(ctx.device);
    let host = 0;
    const t0 = performance.now();
    try {
      for (let i = 0; i < steps; i++) {
        const h = performance.now();
        const read = (i + 1) % readEvery === 0 || i === steps - 1;
        trainer.run(b, 0.01, { read });
        host += performance.now() - h;
        if (read) await trainer.readMetrics();
      }
    } finally {
      counter.restore();
    }
    const ms = (performance.now() - t0) / steps;
    const { dispatches, submits } = counter.counts;
    return {
      imgPerSec: (batch / ms) * 1000,
      msPerStep: ms,
      hostMs: host / steps,
      dispatches: dispatches / steps,
      submits: submits / steps,
      bytes: trainer.stepStats.bufferBytes,
    };
  } catch (err) {
    return { error: message(err) };
  } finally {
    trainer?.destroy();
    model.dispose();
  }
}

async function tfjsRow(arch: string, size: number, batch: number): Promise<Outcome> {
  const model = buildModel(arch, { inputShape: [size, size, 3], numClasses: 10 });
  const optimizer = new Optimizer(SGD, trainableVariables(model));
  const step = createLocalStep(model, optimizer, lossFor('softmax', 0));
  try {
    const b = batchOf(size, batch);
    await step.step(b, 0.01); // warm-up: shader programs compile on first use
    const counter = countGpuCalls(tfjsDevice);
    const t0 = performance.now();
    try {
      for (let i = 0; i < steps; i++) await step.step(b, 0.01); // reads the loss every step, as the loop does
    } finally {
      counter.restore();
    }
    const ms = (performance.now() - t0) / steps;
    return {
      imgPerSec: (batch / ms) * 1000,
      msPerStep: ms,
      dispatches: counter.counts.dispatches / steps,
      submits: counter.counts.submits / steps,
    };
  } catch (err) {
    return { error: message(err) };
  } finally {
    step.dispose();
    model.dispose();
  }
}

function torchRow(arch: string, size: number, batch: number): Outcome {
  const cfg = JSON.stringify({
    arch,
    size,
    batch,
    channels: 3,
    steps,
    device: values['torch-device'],
    threads: Number(values['torch-threads']),
  });
  for (const py of [values.python, '/usr/bin/python3', 'python3'].filter(Boolean) as string[]) {
    const r = spawnSync(py, [join(here, 'torch_train_gpu.py'), cfg], { encoding: 'utf8', cwd: here });
    if (r.status !== 0 || !r.stdout.trim()) continue;
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
      available: boolean;
      imgPerSec?: number;
      msPerStep?: number;
      peakBytes?: number | null;
      detail: string;
    };
    if (!out.available) return { error: out.detail };
    return {
      imgPerSec: out.imgPerSec!,
      msPerStep: out.msPerStep!,
      bytes: out.peakBytes ?? undefined,
      detail: out.detail,
    };
  }
  return { error: 'no python3 with torch (apt-get install python3-torch)' };
}

const rows: Row[] = [];
for (const { arch, size, batch } of shapes) {
  const shape = `${arch} ${size}×${size} bs${batch}`;
  console.error(`${shape}: compiled step…`);
  const compiled = await compiledRow(arch, size, batch);
  let tfjs: Outcome | undefined;
  if (!values['skip-tfjs']) {
    console.error(`${shape}: tfjs-webgpu step…`);
    tfjs = await tfjsRow(arch, size, batch);
  }
  console.error(`${shape}: PyTorch…`);
  rows.push({ shape, compiled, tfjs, torch: torchRow(arch, size, batch) });
}

const fmt = (v?: number, d = 0) =>
  v === undefined ? '–' : v.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const mib = (b?: number) => (b === undefined ? '–' : `${(b / 2 ** 20).toFixed(0)} MiB`);
const torchName = rows.map((r) => ('detail' in r.torch ? r.torch.detail : undefined)).find(Boolean) ?? 'PyTorch';
console.log(
  `adapter: ${ctx.adapterName}${ctx.software ? ' (software)' : ''}; shader-f16 ${ctx.features.shaderF16} (compiled step's conv outputs: ${values.activations}), subgroups ${ctx.features.subgroups} (not used)`,
);
console.log(
  `${steps} timed steps after one warm-up; the compiled step reads the loss every ${readEvery}, the tfjs step every step`,
);
console.log(`peer: ${torchName}\n`);
console.log(
  '| shape | step | img/s | ms/step | host ms/step | dispatches/step | submits/step | GPU memory | compiled ÷ this |',
);
console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  const ours = 'error' in r.compiled ? undefined : r.compiled;
  const line = (name: string, o: Outcome | undefined) => {
    if (!o) return;
    if ('error' in o) {
      console.log(`| ${r.shape} | ${name} | ${o.error} | | | | | | |`);
      return;
    }
    const ratio = ours && o !== ours ? `${(ours.imgPerSec / o.imgPerSec).toFixed(2)}×` : '';
    console.log(
      `| ${r.shape} | ${name} | ${fmt(o.imgPerSec, 1)} | ${fmt(o.msPerStep, 1)} | ${fmt(o.hostMs, 2)} | ${fmt(o.dispatches)} | ${fmt(o.submits, 1)} | ${mib(o.bytes)} | ${ratio} |`,
    );
  };
  line('compiled WebGPU', r.compiled);
  line('tfjs-webgpu', r.tfjs);
  line('PyTorch', r.torch);
}
ctx.device.destroy();
