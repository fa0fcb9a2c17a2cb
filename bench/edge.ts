// `npm run bench -- edge [--seconds 15] [--requests 300] [--port 8799]`
// The worker as users meet it: `wrangler dev` (real workerd) on 127.0.0.1 serving a published ResNet-20 int8
// model (32×32×3, random weights: latency does not depend on them) from a local R2 folder. A 512×384 JPEG is
// POSTed to /v1/classify at concurrency 1, 8 and 32 (each level bounded by --requests and --seconds): p50/p95/p99,
// requests/s and errors; then a restarted worker's first answers (cold isolate: model load + first inference);
// then the deployable bundle's size from `wrangler deploy --dry-run`.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import jpeg from 'jpeg-js';
import { sha256Hex } from '@resnet-edge/shared/hash';
import { manifestSchema } from '@resnet-edge/shared/registry/manifest';
import { writeTflite } from '@resnet-edge/shared/tflite/writer';
import { startLocalWorker, type LocalWorker } from '../cli/src/serve-worker.ts';
import { bundleWorker } from '../infra/src/deploy.ts';
import { initBackend } from '../train/src/backends/index.ts';
import { buildModel } from '../train/src/models/index.ts';
import { quantizeModel } from '../train/src/quantize/quantize-model.ts';
import { publishModel } from '@resnet-edge/registry/publish';
import { R2LocalStore } from '@resnet-edge/registry/r2-local-store';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '15' }, requests: { type: 'string', default: '300' }, port: { type: 'string', default: '8799' } } });
const SECONDS = Number(values.seconds), REQUESTS = Number(values.requests), PORT = Number(values.port);
const LABELS = ['t-shirt_top', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'ankle_boot'];

/** A 512×384 photo-like JPEG (gradients and shapes, quality 90). */
function testJpeg(): Uint8Array {
  const width = 512, height = 384, data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    const i = (y * width + x) * 4, inDisc = (x - 300) ** 2 + (y - 180) ** 2 < 90 ** 2;
    data[i] = inDisc ? 230 : (x * 255) / width; data[i + 1] = inDisc ? 190 : (y * 255) / height; data[i + 2] = inDisc ? 40 : 128; data[i + 3] = 255;
  }
  return new Uint8Array(jpeg.encode({ data, width, height }, 90).data);
}

async function publishResnet20(persistTo: string): Promise<void> {
  await initBackend('wasm');
  const model = buildModel('resnet20', { inputShape: [32, 32, 3], numClasses: 10 });
  const calib = tf.randomUniform([4, 32, 32, 3], -1, 1) as tf.Tensor4D;
  const tflite = writeTflite(quantizeModel(model, calib, { calibration: { method: 'minmax' } }).graph);
  const dir = mkdtempSync(join(tmpdir(), 'bench-edge-model-'));
  writeFileSync(join(dir, 'model.tflite'), tflite);
  const manifest = manifestSchema.parse({
    schemaVersion: 1, name: 'bench', version: '1.0.0', arch: 'resnet20', labels: LABELS,
    preprocess: { colorMode: 'rgb', resizeShorter: 32, resizeAlgorithm: 'bilinear', crop: { height: 32, width: 32 }, normalize: { kind: 'scale', scale: 2 / 255, offset: -1 }, maxPixels: 40_000_000 },
    inputShape: [1, 32, 32, 3], outputActivation: 'softmax', accuracy: { float: { top1: 0.1, samples: 0 } },
    files: { 'model.tflite': { sha256: await sha256Hex(tflite), size: tflite.byteLength } },
    training: { dataFingerprint: 'bench (random weights)' }, createdAt: new Date().toISOString(),
  });
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  const store = new R2LocalStore(persistTo);
  await publishModel(store, dir, { by: 'bench' });
  await store.close();
}

interface Level { concurrency: number; requests: number; errors: number; rps: number; p50: number; p95: number; p99: number }

const errorKinds = new Map<string, number>();
/** The worker's own timing fields (decode, preprocess, infer), summed over successful answers. */
const timing = { n: 0, decode: 0, preprocess: 0, infer: 0 };

async function classifyOnce(url: string, body: Uint8Array): Promise<{ ms: number; ok: boolean }> {
  const t = performance.now();
  let kind: string;
  try {
    const res = await fetch(`${url}/v1/classify`, { method: 'POST', body, headers: { 'content-type': 'image/jpeg' } });
    const text = await res.text();
    if (res.status === 200) {
      const t2 = (JSON.parse(text) as { timing: { decode_ms: number; preprocess_ms: number; infer_ms: number } }).timing;
      timing.n++; timing.decode += t2.decode_ms; timing.preprocess += t2.preprocess_ms; timing.infer += t2.infer_ms;
      return { ms: performance.now() - t, ok: true };
    }
    kind = `HTTP ${res.status} ${text.slice(0, 120)}`;
  } catch (err) {
    kind = `${(err as Error).message} ${String((err as { cause?: unknown }).cause ?? '')}`.slice(0, 160);
  }
  errorKinds.set(kind, (errorKinds.get(kind) ?? 0) + 1);
  return { ms: performance.now() - t, ok: false };
}

async function level(url: string, body: Uint8Array, concurrency: number): Promise<Level> {
  const times: number[] = [];
  let errors = 0, issued = 0;
  const deadline = performance.now() + SECONDS * 1000, start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (issued < REQUESTS && performance.now() < deadline) {
      issued++;
      const r = await classifyOnce(url, body);
      times.push(r.ms);
      if (!r.ok) errors++;
    }
  }));
  const wall = (performance.now() - start) / 1000;
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(times.length - 1, Math.floor(times.length * p))]!;
  return { concurrency, requests: times.length, errors, rps: times.length / wall, p50: q(0.5), p95: q(0.95), p99: q(0.99) };
}

const persistTo = mkdtempSync(join(tmpdir(), 'bench-edge-r2-'));
mkdirSync(persistTo, { recursive: true });
await publishResnet20(persistTo);
const body = testJpeg();
const start = (): Promise<LocalWorker> => startLocalWorker({ port: PORT, persistTo, modelName: 'bench' });

let worker = await start();
const levels: Level[] = [];
const inWorker = { decode: 0, preprocess: 0, infer: 0 };
try {
  for (let i = 0; i < 5; i++) await classifyOnce(worker.url, body); // warm the isolate and the model
  for (const c of [1, 8, 32]) {
    Object.assign(timing, { n: 0, decode: 0, preprocess: 0, infer: 0 });
    levels.push(await level(worker.url, body, c));
    if (c === 1) Object.assign(inWorker, { decode: timing.decode / timing.n, preprocess: timing.preprocess / timing.n, infer: timing.infer / timing.n });
  }
} finally {
  await worker.stop();
}
// Cold: a fresh wrangler dev (fresh isolate, empty model cache); its first classify loads the model from R2.
const coldStart = performance.now();
worker = await start();
const bootMs = performance.now() - coldStart;
const first = await classifyOnce(worker.url, body);
const second = await classifyOnce(worker.url, body);
await worker.stop();
const bundle = bundleWorker(mkdtempSync(join(tmpdir(), 'bench-edge-bundle-')), 'production')!;

console.log(`\nEdge worker — wrangler dev (workerd) on 127.0.0.1, ResNet-20 int8 32×32×3, ${(body.byteLength / 1024).toFixed(0)} KiB 512×384 JPEG — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
console.log('| concurrency | requests | errors | req/s | p50 | p95 | p99 |');
console.log('|---:|---:|---:|---:|---:|---:|---:|');
for (const l of levels) console.log(`| ${l.concurrency} | ${l.requests} | ${l.errors} | ${l.rps.toFixed(1)} | ${l.p50.toFixed(1)} ms | ${l.p95.toFixed(1)} ms | ${l.p99.toFixed(1)} ms |`);
console.log(`\ninside the worker at concurrency 1 (mean): decode ${inWorker.decode.toFixed(1)} ms, preprocess ${inWorker.preprocess.toFixed(1)} ms, infer ${inWorker.infer.toFixed(1)} ms`);
console.log(`cold start: wrangler dev up in ${(bootMs / 1000).toFixed(1)} s; first classify (isolate + model load from R2 + inference) ${first.ms.toFixed(0)} ms${first.ok ? '' : ' (FAILED)'}, second ${second.ms.toFixed(0)} ms`);
for (const [kind, n] of errorKinds) console.log(`error ×${n}: ${kind}`);
console.log(`bundle (wrangler deploy --dry-run, production): ${(bundle.bytes / 1024).toFixed(0)} KiB, ${(bundle.gzipBytes / 1024).toFixed(0)} KiB gzip (target ≤ 1024 KiB gzip)`);
