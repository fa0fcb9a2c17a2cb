// `npm run bench -- infer-memory [--arch resnet18] [--size 224] [--classes 1000] [--tflite FILE]`
// Peak memory of one int8 inference, measured rather than estimated: a fresh Node process per kernel path loads
// nothing but the interpreter, then loads the `.tflite`, creates the interpreter and runs it; we report how much
// its V8 heap, ArrayBuffers (the .tflite, the activation arena) and wasm memory grew, and its peak RSS. The heap
// and ArrayBuffer growth is what a worker isolate's 128 MB limit counts; Node's own baseline (≈40 MB RSS) is not
// part of an isolate. Models have random weights (memory does not depend on them), calibrated on random images.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    arch: { type: 'string', default: 'resnet18' },
    size: { type: 'string', default: '224' },
    classes: { type: 'string', default: '1000' },
    tflite: { type: 'string' },
    child: { type: 'string' },
    kernels: { type: 'string', default: 'wasm' },
  },
});
const MiB = 2 ** 20;

interface Measured {
  kernels: string;
  tfliteBytes: number;
  arenaBytes: number;
  wasmBytes: number;
  heapGrowth: number;
  arrayBufferGrowth: number;
  rssGrowth: number;
  peakRss: number;
  baselineRss: number;
  ms: number;
}

/** The child: measure one model on one kernel path, print JSON. */
async function child(file: string, kernels: string): Promise<Measured> {
  const { Interpreter } = await import('@resnet-edge/shared/tflite/interpreter');
  const wasm =
    kernels === 'wasm'
      ? new WebAssembly.Module(readFileSync(join(import.meta.dirname, '..', 'shared', 'wasm', 'conv.wasm')))
      : null;
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage();
  const bytes = new Uint8Array(readFileSync(file));
  const interpreter = Interpreter.create(bytes, undefined, { wasm });
  const input = new Float32Array(interpreter.inputShape.reduce((a, d) => a * d, 1)).map((_, i) => Math.sin(i));
  interpreter.run(input);
  const start = performance.now();
  for (let i = 0; i < 3; i++) interpreter.run(input);
  const ms = (performance.now() - start) / 3;
  gc?.();
  const after = process.memoryUsage();
  // wasm memory is reported by neither heapUsed nor arrayBuffers in every Node version: count it explicitly.
  return {
    kernels,
    tfliteBytes: bytes.byteLength,
    arenaBytes: interpreter.arenaBytes,
    wasmBytes: interpreter.wasmBytes,
    heapGrowth: after.heapUsed - before.heapUsed,
    arrayBufferGrowth: after.arrayBuffers - before.arrayBuffers,
    rssGrowth: after.rss - before.rss,
    peakRss: process.resourceUsage().maxRSS * 1024,
    baselineRss: before.rss,
    ms,
  };
}

if (values.child) {
  console.log(JSON.stringify(await child(values.child, values.kernels!)));
  process.exit(0);
}

let file = values.tflite;
const [arch, size, classes] = [values.arch!, Number(values.size), Number(values.classes)];
if (!file) {
  const tf = await import('@tensorflow/tfjs-core');
  const { initBackend } = await import('../train/src/backends/index.ts');
  const { buildModel } = await import('../train/src/models/index.ts');
  const { quantizeModel } = await import('../train/src/quantize/quantize-model.ts');
  const { writeTflite } = await import('@resnet-edge/shared/tflite/writer');
  await initBackend('wasm');
  const model = buildModel(arch, { inputShape: [size, size, 3], numClasses: classes });
  const calibration = tf.randomUniform([2, size, size, 3], -1, 1) as import('@tensorflow/tfjs-core').Tensor4D;
  file = join(mkdtempSync(join(tmpdir(), 'infer-memory-')), `${arch}.tflite`);
  writeFileSync(file, writeTflite(quantizeModel(model, calibration, { calibration: { method: 'minmax' } }).graph));
}

console.log(
  `\nPeak memory of one int8 inference — ${arch} ${size}×${size}×3, ${classes} classes; ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}\n`,
);
console.log(
  '| kernels | .tflite | arena | wasm memory | heap + ArrayBuffer growth | + wasm memory | peak RSS (Node baseline) | ms / inference |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const kernels of ['wasm', 'typescript']) {
  const run = spawnSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', import.meta.filename, '--child', file, '--kernels', kernels],
    { encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(`measuring ${kernels} failed: ${run.stderr}`);
  const m = JSON.parse(run.stdout.trim().split('\n').pop()!) as Measured;
  const grown = m.heapGrowth + m.arrayBufferGrowth;
  console.log(
    `| ${m.kernels} | ${(m.tfliteBytes / MiB).toFixed(1)} MiB | ${(m.arenaBytes / MiB).toFixed(1)} MiB | ${(m.wasmBytes / MiB).toFixed(1)} MiB | ${(grown / MiB).toFixed(1)} MiB | ${((grown + m.wasmBytes) / MiB).toFixed(1)} MiB | ${(m.peakRss / MiB).toFixed(0)} MiB (${(m.baselineRss / MiB).toFixed(0)}) | ${m.ms.toFixed(0)} |`,
  );
}
