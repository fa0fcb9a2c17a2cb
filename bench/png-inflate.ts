// `npm run bench -- png-inflate [--runs 9] [--dir DIR]`
// PNG decoding with inflate.wasm (the worker's and the CLI's path) against inflate.ts + scanline.ts (the
// RESNET_EDGE_PNG_INFLATE=typescript path), interleaved run by run in one process so the shared box's load falls on
// both alike: decodePngRows for every row, CPU time (process.cpuUsage) p50, ms per megapixel, the budget's peak.
// Photo-like PNGs from ImageMagick (bench/photos.ts, kept in DIR), and edge-hostile's highly compressible ones.
import { readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MemoryBudget } from '@resnet-edge/shared/image/budget';
import { decodePngRows } from '@resnet-edge/shared/image/png/decode';
import { setPngInflateWasmModule } from '@resnet-edge/shared/image/png/inflate-wasm';
import { streamedPng } from '../tests/helpers/big-images.ts';
import { pngPhoto } from './photos.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '9' },
    dir: { type: 'string', default: join(tmpdir(), 'bench-edge-decode') },
  },
});
const RUNS = Number(values.runs);
const DIR = values.dir!;
const WASM = new WebAssembly.Module(readFileSync(join(import.meta.dirname, '..', 'shared', 'wasm', 'inflate.wasm')));

const FILES: [string, number, number, () => Uint8Array][] = [
  ['1000×750 photo PNG, RGB', 1000, 750, () => pngPhoto(DIR, 1000, 750, false)],
  ['2000×1500 photo PNG, RGB', 2000, 1500, () => pngPhoto(DIR, 2000, 1500, false)],
  ['2560×1600 photo PNG, RGBA', 2560, 1600, () => pngPhoto(DIR, 2560, 1600, true)],
  [
    '3464×3464 16-bit RGBA, flat',
    3464,
    3464,
    () => streamedPng(3464, 3464, 16, 6, () => new Uint8Array(1 + 3464 * 8).fill(77, 1)),
  ],
  ['1×65535 RGB', 1, 65535, () => streamedPng(1, 65535, 8, 2, () => new Uint8Array(4).fill(90, 1))],
];
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

console.log(
  `\ndecodePngRows, inflate.ts + scanline.ts vs inflate.wasm, ${RUNS} runs, CPU p50, ` +
    `load ${loadavg().map((l) => l.toFixed(1))}\n`,
);
console.log('| image | body | TypeScript | wasm | × | wasm ms/MP | peak TS → wasm |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const [label, width, height, make] of FILES) {
  const bytes = make();
  const sides = [null, WASM].map((module) => ({ module, cpu: [] as number[], peak: 0, sum: 0 }));
  for (let i = 0; i < RUNS + 2; i++)
    for (const side of sides) {
      setPngInflateWasmModule(side.module);
      const budget = new MemoryBudget(64 * 1024 * 1024);
      let sum = 0;
      const start = process.cpuUsage();
      decodePngRows(bytes, budget, (row) => (sum += row[row.length >> 1]!));
      const used = process.cpuUsage(start);
      if (i >= 2) side.cpu.push((used.user + used.system) / 1000);
      side.peak = budget.peak;
      side.sum = sum;
    }
  const [ts, wasm] = sides as [(typeof sides)[0], (typeof sides)[0]];
  if (ts.sum !== wasm.sum) throw new Error(`${label}: the two paths gave different rows`);
  const [a, b] = [median(ts.cpu), median(wasm.cpu)];
  const mp = (width * height) / 1e6;
  const kib = bytes.length / 1024;
  console.log(
    `| ${label} | ${kib >= 1024 ? `${(kib / 1024).toFixed(1)} MiB` : `${kib.toFixed(0)} KiB`} | ${a.toFixed(1)} ms | ` +
      `${b.toFixed(1)} ms | ${(a / b).toFixed(1)} | ${(b / mp).toFixed(1)} | ` +
      `${(ts.peak / 1e6).toFixed(2)} → ${(wasm.peak / 1e6).toFixed(2)} MB |`,
  );
}
setPngInflateWasmModule(null);
