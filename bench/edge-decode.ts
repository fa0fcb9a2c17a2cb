// `npm run bench -- edge-decode [--runs 7] [--dir DIR] [--only jpeg|webp]`
// The decode half of the edge benchmark: 0.2 / 3 / 12 / 40 MP photo-like JPEGs (ImageMagick plasma, quality
// 88, made in DIR when missing) through the shared preprocess() with a 64×64 model's spec (resize 72, crop 64)
// — decode at the DCT scale the spec's rule picks, resize, crop, normalise — beside @jsquash/jpeg (mozjpeg,
// wasm) decoding the same files at full size, in the same process. Per size: p50 ms of each, our peak bytes
// as the per-image MemoryBudget counted them, and the process's ArrayBuffer growth during one run. Ours runs
// twice per round, its JPEG scans entropy-decoded by jpeg.wasm (as the worker and the CLI do) and by scan-fast.ts,
// alternating so both see the same load.
// Then WebP: 0.2 / 3 / 12 MP lossy (quality 80) and 3 / 12 MP lossless pictures (ImageMagick's WebP writer, made
// in DIR when missing) through the same preprocess() beside @jsquash/webp (libwebp, wasm) decoding them whole; ours
// with the VP8 loop filter in webp-filter.wasm, as the worker and the CLI run it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setJpegWasmModule } from '@resnet-edge/shared/image/jpeg/scan-wasm';
import { setWebpFilterWasmModule } from '@resnet-edge/shared/image/webp/vp8/filter-wasm';
import { preprocess } from '@resnet-edge/shared/preprocess/index';
import { jpegScaleFor } from '@resnet-edge/shared/preprocess/decode-scale';
import { photo, PHOTO_BENCH_SPEC, webpPhoto } from './photos.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '7' },
    dir: { type: 'string', default: join(tmpdir(), 'bench-edge-decode') },
    only: { type: 'string' },
  },
});
const RUNS = Number(values.runs);
const DIR = values.dir!;
const SIZES: [string, number, number][] = [
  ['0.2 MP', 512, 384],
  ['3 MP', 2000, 1500],
  ['12 MP', 4032, 3024],
  ['40 MP', 7300, 5475],
];
const spec = PHOTO_BENCH_SPEC;

// @jsquash/jpeg builds an ImageData; Node has none.
(globalThis as { ImageData?: unknown }).ImageData ??= class {
  constructor(
    readonly data: Uint8ClampedArray,
    readonly width: number,
    readonly height: number,
  ) {}
};
const require = createRequire(import.meta.url);
const { default: mozDecode, init } = await import('@jsquash/jpeg/decode.js');
await init(new WebAssembly.Module(readFileSync(require.resolve('@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm'))));

const JPEG_WASM = new WebAssembly.Module(readFileSync(require.resolve('@resnet-edge/shared/wasm/jpeg.wasm')));

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mb = (n: number): string => (n / (1024 * 1024)).toFixed(1);

interface Row {
  label: string;
  bytes: number;
  scale: number;
  ours: number;
  /** Ours with scan-fast.ts instead of jpeg.wasm. */
  oursTs: number;
  peak: number;
  growth: number;
  moz: number;
  mozOut: number;
}
const rows: Row[] = [];
for (const [label, width, height] of values.only === 'webp' ? [] : SIZES) {
  const bytes = photo(DIR, width, height);
  for (const module of [JPEG_WASM, null, JPEG_WASM, null]) {
    setJpegWasmModule(module);
    preprocess(bytes, spec); // warm the JIT
  }
  const ours: number[] = [];
  const oursTs: number[] = [];
  let peak = 0;
  let growth = 0;
  for (let i = 0; i < RUNS; i++) {
    setJpegWasmModule(JPEG_WASM);
    const before = process.memoryUsage().arrayBuffers;
    const t = performance.now();
    const result = preprocess(bytes, spec);
    ours.push(performance.now() - t);
    growth = Math.max(growth, process.memoryUsage().arrayBuffers - before);
    peak = Math.max(peak, result.peakBytes);
    setJpegWasmModule(null);
    const t2 = performance.now();
    preprocess(bytes, spec);
    oursTs.push(performance.now() - t2);
  }
  setJpegWasmModule(JPEG_WASM);
  const moz: number[] = [];
  let mozOut = 0;
  for (let i = 0; i < RUNS + 1; i++) {
    const t = performance.now();
    const image = await mozDecode(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
    );
    if (i > 0) moz.push(performance.now() - t);
    mozOut = image.data.byteLength;
  }
  rows.push({
    label,
    bytes: bytes.byteLength,
    scale: jpegScaleFor(width, height, 72, 'dct'),
    ours: median(ours),
    oursTs: median(oursTs),
    peak,
    growth,
    moz: median(moz),
    mozOut,
  });
}

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load ${loadavg()
  .map((l) => l.toFixed(1))
  .join(' ')}, Node ${process.version}`;
if (rows.length > 0) {
  console.log(`\nEdge decode — JPEG → 64×64×3 tensor (resize 72, crop 64), ${RUNS} runs, p50 — ${machine}\n`);
  console.log(
    '| image | file | our scale | ours: decode + preprocess | ours, scan-fast.ts scans | our peak (budget) | ArrayBuffer growth | @jsquash/jpeg full decode | its RGBA output |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(
      `| ${r.label} | ${(r.bytes / 1024).toFixed(0)} KiB | 1/${r.scale} | ${r.ours.toFixed(1)} ms | ${r.oursTs.toFixed(1)} ms | ${mb(r.peak)} MB | ${mb(r.growth)} MB | ${r.moz.toFixed(1)} ms | ${mb(r.mozOut)} MB |`,
    );
  }
}

// --- WebP: ours (decode streamed into the resize for lossy; whole ARGB for lossless) beside @jsquash/webp.
const { default: webpDecode, init: webpInit } = await import('@jsquash/webp/decode.js');
await webpInit(new WebAssembly.Module(readFileSync(require.resolve('@jsquash/webp/codec/dec/webp_dec.wasm'))));
setWebpFilterWasmModule(
  new WebAssembly.Module(readFileSync(require.resolve('@resnet-edge/shared/wasm/webp-filter.wasm'))),
);
const WEBP: [string, number, number, boolean][] = [
  ['0.2 MP lossy', 512, 384, false],
  ['3 MP lossy', 2000, 1500, false],
  ['12 MP lossy', 4032, 3024, false],
  ['3 MP lossless', 2000, 1500, true],
  ['12 MP lossless', 4032, 3024, true],
];
interface WebpRow {
  label: string;
  bytes: number;
  /** null: refused (the decoder that needed the whole picture said over_memory_budget). */
  ours: number | null;
  peak: number;
  growth: number;
  lib: number;
  libOut: number;
}

/** preprocess(), or null when the image is over the memory budget. */
function preprocessOrRefused(bytes: Uint8Array): ReturnType<typeof preprocess> | null {
  try {
    return preprocess(bytes, spec);
  } catch (error) {
    if ((error as { code?: string }).code === 'over_memory_budget') return null;
    throw error;
  }
}
const webpRows: WebpRow[] = [];
for (const [label, width, height, lossless] of values.only === 'jpeg' ? [] : WEBP) {
  const bytes = webpPhoto(DIR, width, height, lossless);
  const refused = preprocessOrRefused(bytes) === null;
  if (!refused) preprocess(bytes, spec);
  const ours: number[] = [];
  const lib: number[] = [];
  let peak = 0;
  let growth = 0;
  let libOut = 0;
  // Interleaved, so the machine's load drifts over both alike.
  for (let i = 0; i < RUNS + 1; i++) {
    const before = process.memoryUsage().arrayBuffers;
    let t = performance.now();
    if (!refused) {
      const result = preprocess(bytes, spec);
      if (i > 0) ours.push(performance.now() - t);
      growth = Math.max(growth, process.memoryUsage().arrayBuffers - before);
      peak = Math.max(peak, result.peakBytes);
    }
    t = performance.now();
    const image = await webpDecode(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
    );
    if (i > 0) lib.push(performance.now() - t);
    libOut = image.data.byteLength;
  }
  const oursMedian = refused ? null : median(ours);
  webpRows.push({ label, bytes: bytes.byteLength, ours: oursMedian, peak, growth, lib: median(lib), libOut });
}
if (webpRows.length > 0) {
  console.log(`\nEdge decode — WebP → 64×64×3 tensor (resize 72, crop 64), ${RUNS} runs, p50 — ${machine}\n`);
  console.log(
    '| image | file | ours: decode + preprocess | our peak (budget) | ArrayBuffer growth | @jsquash/webp full decode | its RGBA output | ours ÷ theirs |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of webpRows) {
    console.log(
      r.ours === null
        ? `| ${r.label} | ${(r.bytes / 1024).toFixed(0)} KiB | refused (over_memory_budget) | – | – | ${r.lib.toFixed(1)} ms | ${mb(r.libOut)} MB | – |`
        : `| ${r.label} | ${(r.bytes / 1024).toFixed(0)} KiB | ${r.ours.toFixed(1)} ms | ${mb(r.peak)} MB | ${mb(r.growth)} MB | ${r.lib.toFixed(1)} ms | ${mb(r.libOut)} MB | ${(r.ours / r.lib).toFixed(2)} |`,
    );
  }
}
