// `npm run bench -- infer [--runs 20] [--models resnet20,resnet18] [--threads 1]`
// Inference side by side, in one run on this machine: our int8 interpreter (the worker's runtime; WebAssembly
// SIMD and pure-TypeScript paths) and LiteRT.js on the same `.tflite`, TF.js wasm float32 on the float model, PyTorch CPU float32 on
// its twin. Latency at batch 1 (median, p90) and throughput at batch 16; models have random weights (latency
// does not depend on them), int8 calibrated on random images. Single-threaded everywhere by default, as a
// worker isolate is.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { Interpreter } from '@resnet-edge/shared/tflite/interpreter';
import { writeTflite } from '@resnet-edge/shared/tflite/writer';
import { loadAndCompile, Tensor } from '@litertjs/core';
import { initBackend } from '../train/src/backends/index.ts';
import { buildModel } from '../train/src/models/index.ts';
import { quantizeModel } from '../train/src/quantize/quantize-model.ts';
import { ensureLiteRt } from '../tests/helpers/litert.ts';
import { latency } from './timing.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    models: { type: 'string', default: 'resnet20,resnet18' },
    threads: { type: 'string', default: '1' },
  },
});
const RUNS = Number(values.runs);
const CONV_WASM = new WebAssembly.Module(readFileSync(join(import.meta.dirname, '..', 'shared', 'wasm', 'conv.wasm')));
const CASES = {
  resnet20: { size: 32, classes: 10, runs: RUNS },
  resnet18: { size: 224, classes: 1000, runs: Math.max(3, Math.round(RUNS / 5)) },
} as const;

interface Row {
  model: string;
  runtime: string;
  p50: number;
  p90: number;
  imgPerSec: number;
  detail: string;
}
const rows: Row[] = [];

/** Images per second for 16 images: one batch-16 call, or 16 batch-1 calls for batch-1 runtimes. */
async function throughput(fn: () => unknown | Promise<unknown>, images = 16): Promise<number> {
  const s = performance.now();
  await fn();
  return images / ((performance.now() - s) / 1000);
}

const backend = await initBackend('wasm');
await ensureLiteRt();
for (const arch of values.models!.split(',') as (keyof typeof CASES)[]) {
  const c = CASES[arch];
  const shape: [number, number, number] = [c.size, c.size, 3];
  const model = buildModel(arch, { inputShape: shape, numClasses: c.classes });
  const calib = tf.randomUniform([4, ...shape], -1, 1) as tf.Tensor4D;
  const tflite = writeTflite(quantizeModel(model, calib, { calibration: { method: 'minmax' } }).graph);
  calib.dispose();
  const one = new Float32Array(c.size * c.size * 3).map(() => Math.random() * 2 - 1);
  const label = `${arch} ${c.size}×${c.size}×3`;
  console.error(`${label}: ${(tflite.byteLength / 1024).toFixed(0)} KiB .tflite`);

  // What a worker isolate holds for the model: the .tflite bytes (the TS path reads int8 weights in place), the
  // activation arena, and the wasm memory (an int8 copy of the filters plus scratch).
  const simd = Interpreter.create(tflite, undefined, { wasm: CONV_WASM });
  const mib = (b: number) => (b / 2 ** 20).toFixed(1);
  const modelBytes = tflite.byteLength + simd.arenaBytes + simd.wasmBytes;
  const ts = Interpreter.create(tflite, undefined, { wasm: null });
  for (const [runtime, ours] of [
    ['resnet-edge int8, wasm SIMD', simd],
    ['resnet-edge int8, TypeScript', ts],
  ] as const) {
    const lat = await latency(() => ours.run(one), c.runs);
    const detail =
      ours === simd
        ? `model in memory ${mib(modelBytes)} MiB = .tflite ${mib(tflite.byteLength)} + arena ${mib(ours.arenaBytes)} + wasm ${mib(ours.wasmBytes)}`
        : 'identical outputs';
    rows.push({
      model: label,
      runtime,
      ...lat,
      imgPerSec: await throughput(() => {
        for (let i = 0; i < 16; i++) ours.run(one);
      }),
      detail,
    });
  }

  const compiled = await loadAndCompile(tflite, { accelerator: 'wasm' });
  const runLite = async () => {
    const input = new Tensor(one, [1, ...shape]);
    const out = await compiled.run(input);
    input.delete();
    for (const o of out) o.delete();
  };
  const liteLat = await latency(runLite, c.runs);
  rows.push({
    model: label,
    runtime: 'LiteRT.js int8 (wasm, XNNPACK)',
    ...liteLat,
    imgPerSec: await throughput(async () => {
      for (let i = 0; i < 16; i++) await runLite();
    }),
    detail: 'same .tflite',
  });
  compiled.delete();

  const x1 = tf.tensor4d(one, [1, ...shape]);
  const x16 = tf.randomUniform([16, ...shape], -1, 1) as tf.Tensor4D;
  const predict = (x: tf.Tensor4D) => () => (model.predict(x) as tf.Tensor).dataSync();
  const tfLat = await latency(predict(x1), c.runs);
  predict(x16)();
  rows.push({
    model: label,
    runtime: 'TF.js wasm float32',
    ...tfLat,
    imgPerSec: await throughput(predict(x16)),
    detail: backend.name,
  });
  tf.dispose([x1, x16]);
  model.dispose();

  const torch = spawnSync(
    '/usr/bin/python3',
    [
      join(import.meta.dirname, 'torch_infer.py'),
      JSON.stringify({
        arch,
        channels: 3,
        classes: c.classes,
        size: c.size,
        threads: Number(values.threads),
        runs: c.runs,
      }),
    ],
    { encoding: 'utf8' },
  );
  if (torch.status === 0)
    rows.push({
      model: label,
      runtime: 'PyTorch CPU float32',
      ...(JSON.parse(torch.stdout) as Omit<Row, 'model' | 'runtime'>),
    });
  else
    console.error(
      `PyTorch row skipped (${torch.stderr.trim().split('\n').pop()}); Debian: apt-get install python3-torch`,
    );
}

console.log(
  `\nInference — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}, ${values.threads} thread(s) for PyTorch\n`,
);
console.log('| model | runtime | batch 1 p50 | p90 | batch 16 img/s | vs LiteRT.js (p50) | detail |');
console.log('|---|---|---:|---:|---:|---:|---|');
for (const r of rows) {
  const lite = rows.find((x) => x.model === r.model && x.runtime.startsWith('LiteRT'));
  console.log(
    `| ${r.model} | ${r.runtime} | ${r.p50.toFixed(1)} ms | ${r.p90.toFixed(1)} ms | ${r.imgPerSec.toFixed(1)} | ${lite ? `${(r.p50 / lite.p50).toFixed(2)}×` : '—'} | ${r.detail} |`,
  );
}
