// Where the compiled WebGPU step's GPU time goes, kernel by kernel, beside tfjs-webgpu's convolution kernels
// for the same shapes on the same adapter, in one run. Both sides are timed with timestamp queries: ours with
// CompiledTrainer.profile (one compute pass per dispatch), tfjs's with tf.time (its kernelMs) around a single
// Conv2D / Conv2DBackpropInput / Conv2DBackpropFilter kernel. Median of --reps runs after a warm-up.
//
//   npm run bench -- train-gpu-kernels                          resnet20:16:16 (arch:size:batch)
//   npm run bench -- train-gpu-kernels --shape resnet18:64:4 --reps 3 --max-tile 16|32|64 --activations f32|f16
//
// Rows: one per distinct conv shape (how many layers have it), GPU ms of our forward (with its BatchNorm
// statistics epilogue), dgrad (BatchNorm backward map applied while loading) and wgrad (split-K), and tfjs's
// plain kernels (no BatchNorm work); then the step's total per kernel kind.
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    shape: { type: 'string', default: 'resnet20:16:16' },
    reps: { type: 'string', default: '3' },
    'max-tile': { type: 'string' },
    activations: { type: 'string', default: 'f32' },
    'skip-tfjs': { type: 'boolean', default: false },
  },
});
const [arch, sizeText, batchText] = values.shape.split(':') as [string, string, string];
const size = Number(sizeText);
const batch = Number(batchText);
const reps = Number(values.reps);

const tf = await import('@tensorflow/tfjs-core');
const { initBackend } = await import('../train/src/backends/index.ts');
await initBackend('webgpu');
const { buildModel } = await import('../train/src/models/index.ts');
const { CompiledTrainer } = await import('../train/src/gpu/compiled-step.ts');
const { acquireGpu } = await import('../train/src/gpu/device.ts');
const ctx = await acquireGpu();

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const model = buildModel(arch, { inputShape: [size, size, 3], numClasses: 10 });
const activations = values.activations as 'f32' | 'f16';
const maxTileN = values['max-tile'] ? (Number(values['max-tile']) as 16 | 32 | 64) : undefined;
const trainer = await CompiledTrainer.create(
  model,
  {
    batchSize: batch,
    optimizer: { kind: 'sgd', momentum: 0.9, weightDecay: 1e-4 },
    labelSmoothing: 0,
    maxTileN,
    activations,
  },
  ctx,
);
await trainer.importWeights();
const b = {
  x: Float32Array.from({ length: batch * size * size * 3 }, () => Math.random()),
  y: Int32Array.from({ length: batch }, (_, i) => i % 10),
  count: batch,
};
await trainer.profile(b, 0.001); // warm-up: lavapipe compiles each pipeline at its first dispatch
const runs: Awaited<ReturnType<typeof trainer.profile>>[] = [];
for (let r = 0; r < reps; r++) runs.push(await trainer.profile(b, 0.001));
const ours = runs[0]!.map((d, i) => ({ label: d.label, grid: d.grid, ms: median(runs.map((run) => run[i]!.ms)) }));
const msOf = (label: string) => ours.find((d) => d.label === label)?.ms;

type Geo = (typeof trainer.plan.convs)[number]['geo'];
const key = (g: Geo) => `${g.hIn}×${g.wIn}×${g.cIn}→${g.cOut} k${g.k}/${g.stride}`;
const shapes = new Map<string, { geo: Geo; names: string[] }>();
for (const c of trainer.plan.convs) {
  const entry = shapes.get(key(c.geo)) ?? { geo: c.geo, names: [] };
  entry.names.push(c.name);
  shapes.set(key(c.geo), entry);
}

async function tfjsKernels(g: Geo): Promise<{ forward: number; dgrad: number; wgrad: number } | undefined> {
  if (values['skip-tfjs']) return undefined;
  const pad = g.k === 1 ? 'valid' : 'same';
  const x = tf.randomNormal([batch, g.hIn, g.wIn, g.cIn]);
  const filter = tf.randomNormal([g.k, g.k, g.cIn, g.cOut]);
  const dy = tf.randomNormal([batch, g.hOut, g.wOut, g.cOut]);
  const conv = { strides: [g.stride, g.stride], pad, dataFormat: 'NHWC', dilations: [1, 1] };
  const kernels = {
    forward: () => tf.engine().runKernel('Conv2D', { x, filter }, conv),
    dgrad: () => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, { ...conv, inputShape: x.shape }),
    wgrad: () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...conv, filterShape: filter.shape }),
  };
  const out: Record<string, number> = {};
  for (const [name, run] of Object.entries(kernels)) {
    const times: number[] = [];
    for (let r = 0; r <= reps; r++) {
      const info = await tf.time(() => {
        const t = run() as ReturnType<typeof tf.zeros>;
        t.dispose();
      });
      if (typeof info.kernelMs !== 'number') throw new Error(`tfjs-webgpu gave no kernel time: ${info.kernelMs.error}`);
      if (r > 0) times.push(info.kernelMs); // the first one compiles the program
    }
    out[name] = median(times);
  }
  tf.dispose([x, filter, dy]);
  return out as { forward: number; dgrad: number; wgrad: number };
}

const f = (v: number | undefined) => (v === undefined ? '–' : v.toFixed(2));
const uptime = (await import('node:os')).loadavg().map((l) => l.toFixed(2));
console.log(
  `adapter: ${ctx.adapterName}; ${arch} ${size}×${size} bs${batch}; ${activations} y; median of ${reps}; load ${uptime}`,
);
console.log('GPU ms per dispatch (ours incl. BatchNorm epilogue / prologue; tfjs: the plain conv kernel)\n');
console.log('| conv shape | layers | ours fwd | tfjs fwd | ours dgrad | tfjs dgrad | ours wgrad | tfjs wgrad |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const [k, { geo, names }] of shapes) {
  const mean = (suffix: string) => {
    const ms = names.map((n) => msOf(`${n}/${suffix}`)).filter((v): v is number => v !== undefined);
    return ms.length ? ms.reduce((a, v) => a + v, 0) / ms.length : undefined;
  };
  const theirs = await tfjsKernels(geo);
  console.log(
    `| ${k} | ${names.length} | ${f(mean('forward'))} | ${f(theirs?.forward)} | ${f(mean('dgrad'))} | ${f(theirs?.dgrad)} | ${f(mean('wgrad'))} | ${f(theirs?.wgrad)} |`,
  );
}

const kinds = new Map<string, { count: number; ms: number }>();
for (const d of ours) {
  const kind = d.label.split('/').pop()!;
  const entry = kinds.get(kind) ?? { count: 0, ms: 0 };
  entry.count++;
  entry.ms += d.ms;
  kinds.set(kind, entry);
}
const total = ours.reduce((a, d) => a + d.ms, 0);
console.log(`\nour step by kernel kind: ${ours.length} dispatches, ${total.toFixed(1)} GPU ms in all\n`);
console.log('| kind | dispatches | GPU ms | share |');
console.log('|---|---:|---:|---:|');
for (const [kind, { count, ms }] of [...kinds].sort((a, b) => b[1].ms - a[1].ms))
  console.log(`| ${kind} | ${count} | ${ms.toFixed(1)} | ${((100 * ms) / total).toFixed(0)} % |`);

trainer.destroy();
model.dispose();
ctx.device.destroy();
