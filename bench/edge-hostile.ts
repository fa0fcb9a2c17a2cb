// `npm run bench -- edge-hostile [--runs 5] [--port 8797] [--dir DIR] [--only PNG]` (--only: inputs whose label has it)
// Issue 14's hostile uploads, each POSTed to `/v1/classify` of `wrangler dev` (workerd) serving a ResNet-20 int8
// 32×32×3 model whose manifest allows 50 MP (the worker's default cap), and each passed to the worker's own
// classify() in this process: extreme aspect ratios, deflate bombs in IDAT and iCCP, a 16-bit RGBA PNG, the
// largest accepted JPEG, photo-like PNGs, one image over each cap, phone photos (baseline, progressive, WebP), a palette PNG
// without PLTE, HEIC. Per input: the worker's answer (status, code, answer p50, its decode_ms and peak), and in
// Node the CPU time of classify() (process.cpuUsage, so other processes' load does not count) with its peak.
// The issue's bound: every such input refused or answered within 50 ms of decode work and 48 MB.
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { classify } from '@resnet-edge/shared/classify/classify';
import { ImageError } from '@resnet-edge/shared/image/errors';
import { Interpreter } from '@resnet-edge/shared/tflite/interpreter';
import { startLocalWorker } from '../cli/src/serve-worker.ts';
import { installWasmModules } from '../cli/src/wasm-modules.ts';
import { deflateBombPng, flatJpeg, ihdr, pngFromChunks, streamedPng, zlibSync } from '../tests/helpers/big-images.ts';
import { BENCH_MODEL, publishResnet20 } from './edge-model.ts';
import { photo, pngPhoto, webpPhoto } from './photos.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    port: { type: 'string', default: '8797' },
    dir: { type: 'string', default: join(tmpdir(), 'bench-edge-decode') },
    only: { type: 'string' },
  },
});
const RUNS = Number(values.runs);
const MB = 1024 * 1024;
const DIR = values.dir!;
/** The worker's default MAX_PIXELS and MAX_PNG_BYTES (edge/wrangler.toml, edge/src/settings.ts). */
const WORKER_MAX_PIXELS = 50_000_000;
const WORKER_MAX_PNG_BYTES = 16 * MB;

installWasmModules();

const rgbRow = (width: number) => () => new Uint8Array(1 + width * 3).fill(90, 1);
/** The issue's inputs; `target` marks those its "≤ 50 ms of decode work and ≤ 48 MB" names. */
const INPUTS: { label: string; target: boolean; make: () => Uint8Array }[] = [
  { label: '65535×1 PNG', target: true, make: () => streamedPng(65535, 1, 8, 2, rgbRow(65535)) },
  { label: '200000×1 PNG', target: true, make: () => streamedPng(200000, 1, 8, 2, rgbRow(200000)) },
  { label: '1×65535 PNG', target: true, make: () => streamedPng(1, 65535, 8, 2, rgbRow(1)) },
  { label: '65535×8 JPEG', target: true, make: () => flatJpeg(65535, 8) },
  { label: '1×1 PNG, IDAT inflating to 256 MB', target: true, make: () => deflateBombPng(256 * MB) },
  {
    label: '80×80 PNG, iCCP inflating to 256 MB',
    target: true,
    make: () => {
      const icc = new Uint8Array([...new TextEncoder().encode('icc\0'), 0, ...zlibSync(new Uint8Array(256 * MB))]);
      return streamedPng(80, 80, 8, 0, (y) => new Uint8Array(81).fill(y, 1), [['iCCP', icc]]);
    },
  },
  {
    label: '3464×3464 16-bit RGBA PNG',
    target: true,
    make: () => streamedPng(3464, 3464, 16, 6, () => new Uint8Array(1 + 3464 * 8).fill(77, 1)),
  },
  {
    label: 'palette PNG without PLTE',
    target: true,
    make: () =>
      pngFromChunks([
        ['IHDR', ihdr(4, 4, 8, 3)],
        ['IDAT', zlibSync(new Uint8Array(4 * 5))],
        ['IEND', new Uint8Array(0)],
      ]),
  },
  { label: '12 MP photo JPEG, baseline', target: true, make: () => photo(DIR, 4032, 3024, 'baseline') },
  { label: '12 MP photo JPEG, progressive', target: true, make: () => photo(DIR, 4032, 3024, 'progressive') },
  { label: '50 MP JPEG (8660×5773, the largest accepted)', target: true, make: () => flatJpeg(8660, 5773) },
  { label: '1000×750 photo PNG', target: true, make: () => pngPhoto(DIR, 1000, 750, false) },
  {
    label: '2560×1600 photo PNG, RGBA (16.4 MB of data: under MAX_PNG_BYTES)',
    target: true,
    make: () => pngPhoto(DIR, 2560, 1600, true),
  },
  {
    label: '50 MP PNG (8660×5773)',
    target: true,
    make: () => streamedPng(8660, 5773, 8, 2, () => new Uint8Array(1 + 8660 * 3)),
  },
  { label: '8672×5776 JPEG (over the cap)', target: true, make: () => flatJpeg(8672, 5776) },
  {
    label: 'HEIC',
    target: true,
    make: () => new Uint8Array([0, 0, 0, 24, ...new TextEncoder().encode('ftypheic'), 0, 0, 0, 0]),
  },
  { label: '12 MP photo WebP, lossy', target: false, make: () => webpPhoto(DIR, 4032, 3024, false) },
  { label: '12 MP photo WebP, lossless', target: false, make: () => webpPhoto(DIR, 4032, 3024, true) },
];

interface WorkerAnswer {
  status: number;
  code: string;
  ms: number;
  decodeMs: number | null;
  peak: number | null;
}

/** A connection error is retried once (wrangler's proxy closes idle keep-alive sockets), then reported as such. */
async function post(url: string, body: Uint8Array, retry = true): Promise<WorkerAnswer> {
  const started = performance.now();
  let res: Response;
  try {
    res = await fetch(`${url}/v1/classify`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/octet-stream' },
    });
  } catch (error) {
    if (retry) return post(url, body, false);
    const why = (error as { cause?: { code?: string } }).cause?.code ?? String(error);
    return { status: 0, code: `connection error ${why}`, ms: performance.now() - started, decodeMs: null, peak: null };
  }
  const text = await res.text();
  const ms = performance.now() - started;
  let json: {
    error?: { code: string };
    timing?: { decode_ms: number };
    memory?: { peak_bytes: number };
  };
  try {
    json = JSON.parse(text);
  } catch {
    return { status: res.status, code: `non-JSON: ${text.slice(0, 60)}`, ms, decodeMs: null, peak: null };
  }
  return {
    status: res.status,
    code: json.error?.code ?? 'ok',
    ms,
    decodeMs: json.timing?.decode_ms ?? null,
    peak: json.memory?.peak_bytes ?? null,
  };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number | null, digits = 1) => (n === null ? '–' : n.toFixed(digits));

const persistTo = join(tmpdir(), `bench-edge-hostile-${process.pid}`);
const model = await publishResnet20(persistTo, WORKER_MAX_PIXELS);
const local = { manifest: model.manifest, interpreter: Interpreter.create(model.tflite) };
const worker = await startLocalWorker({ port: Number(values.port), persistTo, modelName: BENCH_MODEL });
const loadBefore = loadavg().map((l) => l.toFixed(1));
const rows: string[] = [];
try {
  for (const input of INPUTS.filter((i) => !values.only || i.label.includes(values.only))) {
    const bytes = input.make();
    console.error(`${input.label}: ${bytes.byteLength} bytes`);
    const answers: WorkerAnswer[] = [];
    const cpuMs: number[] = [];
    let nodeOutcome = 'ok';
    let nodePeak: number | null = null;
    await post(worker.url, bytes); // warm-up
    for (let run = 0; run < RUNS; run++) {
      answers.push(await post(worker.url, bytes));
      const cpu = process.cpuUsage();
      try {
        nodePeak = classify(bytes, local, 3, { maxPixels: WORKER_MAX_PIXELS, maxPngBytes: WORKER_MAX_PNG_BYTES }).memory
          .peak_bytes;
      } catch (error) {
        if (!(error instanceof ImageError)) throw error;
        nodeOutcome = error.code;
      }
      const used = process.cpuUsage(cpu);
      cpuMs.push((used.user + used.system) / 1000);
    }
    const last = answers[answers.length - 1]!;
    const decodes = answers.flatMap((a) => (a.decodeMs === null ? [] : [a.decodeMs]));
    const codes = [...new Set(answers.map((a) => `${a.status} ${a.code}`))].join(', ');
    const cpu = median(cpuMs);
    const peakMb = nodePeak === null ? null : nodePeak / MB;
    const bounded = cpu <= 50 && (peakMb ?? 0) <= 48 && answers.every((a) => a.status > 0 && a.status < 500);
    rows.push(
      `| ${input.label} | ${(bytes.byteLength / 1024).toFixed(bytes.byteLength < 10240 ? 1 : 0)} KiB | ${codes} | ` +
        `${median(answers.map((a) => a.ms)).toFixed(1)} ms | ${decodes.length ? `${median(decodes).toFixed(0)} ms` : '–'} | ` +
        `${last.peak === null ? '–' : `${(last.peak / MB).toFixed(2)} MB`} | ${nodeOutcome} | ${cpu.toFixed(1)} ms | ` +
        `${peakMb === null ? '–' : `${fmt(peakMb, 2)} MB`} | ${input.target ? (bounded ? '✓' : '✗') : '(not named)'} |`,
    );
  }
} finally {
  await worker.stop();
}
console.log(
  `\nHostile uploads — wrangler dev (workerd), ResNet-20 int8 32×32×3, MAX_PIXELS ${WORKER_MAX_PIXELS / 1e6} MP, ` +
    `MAX_PNG_BYTES ${WORKER_MAX_PNG_BYTES / MB} MiB, ` +
    `${RUNS} runs each after one warm-up — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ` +
    `load before ${loadBefore.join(' ')}, after ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}\n`,
);
console.log(
  '| input | body | worker answer | answer p50 | decode in worker p50 | worker peak | classify() in Node | ' +
    'its CPU p50 | its peak | ≤ 50 ms, ≤ 48 MB |',
);
console.log('|---|---:|---|---:|---:|---:|---|---:|---:|:---:|');
for (const row of rows) console.log(row);
