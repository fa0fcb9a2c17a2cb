// `npm run bench -- edge [--seconds 15] [--requests 300] [--port 8799] [--photo-runs 15] [--photos-only]
//   [--breakdown-only] [--breakdown-rounds 100] [--dir DIR]`
// The worker as users meet it: `wrangler dev` (real workerd) on 127.0.0.1 serving a published ResNet-20 int8
// model (32×32×3, random weights: latency does not depend on them) from a local R2 folder.
// 0. Breakdown (bench/edge-breakdown.ts): a 512×384 JPEG's answer p50 beside the `/healthz` floor through wrangler
//    dev, Miniflare over HTTP and Miniflare's dispatchFetch, interleaved, with the worker's own phases (its
//    Server-Timing header) and the same classify() timed in Node; `--breakdown-only` stops after it,
//    `--photos-only` skips it.
// 1. Photos (bench/photos.ts: ImageMagick plasma, quality 88, 4:2:0; baseline and progressive; 0.2 / 3 / 12 MP):
//    answer latency p50/p95 at concurrency 1, the worker's own decode time, beside @jsquash/jpeg (mozjpeg wasm)
//    decoding the same bytes inside workerd too (Miniflare), requests alternating between the two.
// 2. Memory per request for 0.2 / 3 / 12 / 40 MP: the MemoryBudget's high-water mark that each answer reports
//    (`memory.peak_bytes`), and workerd's RSS before and after that size's requests.
// 3. (not with --photos-only) A 512×384 JPEG at concurrency 1, 8 and 32 (each level bounded by --requests and
//    --seconds): p50/p95/p99, requests/s and errors; a restarted worker's first answers (cold isolate: model load
//    + first inference); the deployable bundle's size from `wrangler deploy --dry-run`.
import { mkdtempSync, mkdirSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startLocalWorker, type LocalWorker } from '../cli/src/serve-worker.ts';
import { bundleWorker } from '../infra/src/deploy.ts';
import { workerdRssMiB } from '../tests/edge/fuzz/run.ts';
import { breakdownTable, measureBreakdown } from './edge-breakdown.ts';
import { BENCH_MODEL, publishResnet20, testJpeg } from './edge-model.ts';
import { startJsquashWorker } from './jsquash-workerd.ts';
import { photo, type PhotoKind } from './photos.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '15' },
    requests: { type: 'string', default: '300' },
    port: { type: 'string', default: '8799' },
    'photo-runs': { type: 'string', default: '15' },
    'photos-only': { type: 'boolean', default: false },
    'breakdown-only': { type: 'boolean', default: false },
    'breakdown-rounds': { type: 'string', default: '100' },
    dir: { type: 'string', default: join(tmpdir(), 'bench-edge-decode') },
  },
});
const SECONDS = Number(values.seconds),
  REQUESTS = Number(values.requests),
  PORT = Number(values.port);
const PHOTO_RUNS = Number(values['photo-runs']);

interface Level {
  concurrency: number;
  requests: number;
  errors: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
}

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
      const t2 = (JSON.parse(text) as { timing: { decode_ms: number; preprocess_ms: number; infer_ms: number } })
        .timing;
      timing.n++;
      timing.decode += t2.decode_ms;
      timing.preprocess += t2.preprocess_ms;
      timing.infer += t2.infer_ms;
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
  let errors = 0,
    issued = 0;
  const deadline = performance.now() + SECONDS * 1000,
    start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (issued < REQUESTS && performance.now() < deadline) {
        issued++;
        const r = await classifyOnce(url, body);
        times.push(r.ms);
        if (!r.ok) errors++;
      }
    }),
  );
  const wall = (performance.now() - start) / 1000;
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(times.length - 1, Math.floor(times.length * p))]!;
  return {
    concurrency,
    requests: times.length,
    errors,
    rps: times.length / wall,
    p50: q(0.5),
    p95: q(0.95),
    p99: q(0.99),
  };
}

const persistTo = mkdtempSync(join(tmpdir(), 'bench-edge-r2-'));
mkdirSync(persistTo, { recursive: true });
const benchModel = await publishResnet20(persistTo);
const body = testJpeg();
// A stopped wrangler's workerd can outlive it for a moment and still answer on its port: the breakdown's worker
// gets a port of its own, so the next start on PORT never meets it.
const start = (port = PORT): Promise<LocalWorker> =>
  startLocalWorker({
    port,
    persistTo,
    modelName: BENCH_MODEL,
    ...(process.env.EDGE_LOG ? { log: (line: string) => console.error(line) } : {}),
  });

const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
if (!values['photos-only']) {
  const ours = await start(PORT + 1);
  try {
    const loadBefore = load();
    const breakdown = await measureBreakdown({
      wranglerUrl: ours.url,
      persistTo,
      modelName: BENCH_MODEL,
      model: benchModel,
      body,
      rounds: Number(values['breakdown-rounds']),
    });
    console.log(
      `\nEdge breakdown — ${(body.byteLength / 1024).toFixed(0)} KiB 512×384 JPEG, ResNet-20 int8 32×32×3, ` +
        `concurrency 1, ${breakdown.rounds} interleaved rounds (healthz + classify on each path) — ` +
        `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load before ${loadBefore}, after ${load()}\n`,
    );
    console.log(breakdownTable(breakdown));
  } finally {
    await ours.stop();
  }
}
if (values['breakdown-only']) process.exit(0);

interface Answer {
  timing: { decode_ms: number; preprocess_ms: number; infer_ms: number };
  memory: { peak_bytes: number };
}

/** Connection errors retried (a pooled keep-alive socket that wrangler's proxy had closed: EPIPE on the body). */
let retries = 0;

async function classifyAnswer(url: string, bytes: Uint8Array, retry = true): Promise<{ ms: number; answer: Answer }> {
  const t = performance.now();
  let res: Response;
  try {
    res = await fetch(`${url}/v1/classify`, { method: 'POST', body: bytes, headers: { 'content-type': 'image/jpeg' } });
  } catch (error) {
    if (!retry) throw error;
    retries++;
    return classifyAnswer(url, bytes, false);
  }
  const text = await res.text();
  if (res.status !== 200) throw new Error(`classify answered ${res.status}: ${text.slice(0, 200)}`);
  return { ms: performance.now() - t, answer: JSON.parse(text) as Answer };
}

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * q))]!;
};
const mib = (n: number): string => (n / (1024 * 1024)).toFixed(n < 1024 * 1024 ? 2 : 1);

const PHOTO_SIZES: [string, number, number][] = [
  ['0.2 MP', 512, 384],
  ['3 MP', 2000, 1500],
  ['12 MP', 4032, 3024],
  ['40 MP', 7300, 5475],
];
const KINDS: PhotoKind[] = ['baseline', 'progressive'];
interface PhotoRow {
  label: string;
  kind: PhotoKind;
  kib: number;
  p50: number;
  p95: number;
  decode: number;
  peak: number;
  rssBefore: number | null;
  rssAfter: number | null;
  mozP50: number;
  mozP95: number;
  mozDecode: number;
}
const photoRows: PhotoRow[] = [];
{
  const ours = await start();
  const moz = await startJsquashWorker();
  try {
    for (const [label, width, height] of PHOTO_SIZES) {
      for (const kind of KINDS) {
        const bytes = photo(values.dir!, width, height, kind);
        // 40 MP is here for memory: fewer runs, and mozjpeg's 152 MB RGBA output is not asked of workerd.
        const runs = width * height > 13e6 ? Math.min(5, PHOTO_RUNS) : PHOTO_RUNS;
        const withPeer = width * height <= 13e6;
        const rssBefore = workerdRssMiB(ours.pid);
        // Three warm-up answers each: the first size would otherwise also time the isolate's JIT warming up.
        for (let i = 0; i < 3; i++) {
          await classifyAnswer(ours.url, bytes);
          if (withPeer) await moz.decode(bytes);
        }
        const t: number[] = [],
          decode: number[] = [],
          mozT: number[] = [],
          mozDecode: number[] = [];
        let peak = 0;
        for (let i = 0; i < runs; i++) {
          const r = await classifyAnswer(ours.url, bytes);
          t.push(r.ms);
          decode.push(r.answer.timing.decode_ms);
          peak = Math.max(peak, r.answer.memory.peak_bytes);
          if (withPeer) {
            const m = await moz.decode(bytes);
            mozT.push(m.ms);
            mozDecode.push(m.decodeMs);
          }
        }
        const peer = (xs: number[], q: number): number => (withPeer ? quantile(xs, q) : NaN);
        photoRows.push({
          label,
          kind,
          kib: bytes.byteLength / 1024,
          peak,
          rssBefore,
          rssAfter: workerdRssMiB(ours.pid),
          p50: quantile(t, 0.5),
          p95: quantile(t, 0.95),
          decode: quantile(decode, 0.5),
          mozP50: peer(mozT, 0.5),
          mozP95: peer(mozT, 0.95),
          mozDecode: peer(mozDecode, 0.5),
        });
      }
    }
  } finally {
    await moz.dispose();
    await ours.stop();
  }
}
const ms = (n: number): string => (Number.isNaN(n) ? '—' : `${n.toFixed(1)} ms`);
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load ${loadavg()
  .map((l) => l.toFixed(1))
  .join(' ')}`;
console.log(
  `\nEdge photos — wrangler dev (workerd), ResNet-20 int8 32×32×3 (resize 32: JPEG decoded at 1/8), ` +
    `concurrency 1, ${PHOTO_RUNS} runs — ${machine}\n`,
);
console.log(
  '| image | file | ours: answer p50 | p95 | decode in worker p50 ' +
    '| @jsquash/jpeg in workerd: answer p50 | p95 | its decode p50 | answer ratio |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of photoRows) {
  const ratio = Number.isNaN(r.mozP50) ? '—' : `${(r.mozP50 / r.p50).toFixed(1)}×`;
  console.log(
    `| ${r.label} ${r.kind} | ${r.kib.toFixed(0)} KiB | ${ms(r.p50)} | ${ms(r.p95)} | ${ms(r.decode)} ` +
      `| ${ms(r.mozP50)} | ${ms(r.mozP95)} | ${ms(r.mozDecode)} | ${ratio} |`,
  );
}
console.log("\n| image | our peak per request (MemoryBudget) | workerd RSS before → after the size's requests |");
console.log('|---|---:|---:|');
for (const r of photoRows) {
  const known = r.rssBefore !== null && r.rssAfter !== null;
  const rss = known ? `${r.rssBefore!.toFixed(0)} → ${r.rssAfter!.toFixed(0)} MiB` : '—';
  console.log(`| ${r.label} ${r.kind} | ${mib(r.peak)} MB | ${rss} |`);
}
if (retries > 0) console.log(`\n(${retries} request(s) retried after a connection error; the retry's time counts)`);
if (values['photos-only']) process.exit(0);

let worker = await start();
const levels: Level[] = [];
const inWorker = { decode: 0, preprocess: 0, infer: 0 };
try {
  for (let i = 0; i < 5; i++) await classifyOnce(worker.url, body); // warm the isolate and the model
  for (const c of [1, 8, 32]) {
    Object.assign(timing, { n: 0, decode: 0, preprocess: 0, infer: 0 });
    levels.push(await level(worker.url, body, c));
    if (c === 1)
      Object.assign(inWorker, {
        decode: timing.decode / timing.n,
        preprocess: timing.preprocess / timing.n,
        infer: timing.infer / timing.n,
      });
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

console.log(
  `\nEdge worker — wrangler dev (workerd) on 127.0.0.1, ResNet-20 int8 32×32×3, ${(body.byteLength / 1024).toFixed(0)} KiB 512×384 JPEG — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}\n`,
);
console.log('| concurrency | requests | errors | req/s | p50 | p95 | p99 |');
console.log('|---:|---:|---:|---:|---:|---:|---:|');
for (const l of levels)
  console.log(
    `| ${l.concurrency} | ${l.requests} | ${l.errors} | ${l.rps.toFixed(1)} | ${l.p50.toFixed(1)} ms | ${l.p95.toFixed(1)} ms | ${l.p99.toFixed(1)} ms |`,
  );
console.log(
  `\ninside the worker at concurrency 1 (mean): decode ${inWorker.decode.toFixed(1)} ms, preprocess ${inWorker.preprocess.toFixed(1)} ms, infer ${inWorker.infer.toFixed(1)} ms`,
);
console.log(
  `cold start: wrangler dev up in ${(bootMs / 1000).toFixed(1)} s; first classify (isolate + model load from R2 + inference) ${first.ms.toFixed(0)} ms${first.ok ? '' : ' (FAILED)'}, second ${second.ms.toFixed(0)} ms`,
);
for (const [kind, n] of errorKinds) console.log(`error ×${n}: ${kind}`);
console.log(
  `bundle (wrangler deploy --dry-run, production): ${(bundle.bytes / 1024).toFixed(0)} KiB, ${(bundle.gzipBytes / 1024).toFixed(0)} KiB gzip (target ≤ 1024 KiB gzip)`,
);
