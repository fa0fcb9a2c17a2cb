// `npm run bench -- webp-before-after [--rev def2700] [--runs 7] [--dir DIR]`
// Our WebP preprocess() against the same function at another commit, interleaved run by run in one process so
// the shared box's load falls on both alike: CPU time (process.cpuUsage) and wall time p50, and the budget's
// peak (or the refusal). The pictures are edge-decode's (`npm run bench -- edge-decode --only webp` makes them
// in DIR); the other commit's shared/src comes from `git archive`. This tree's side filters lossy pictures with
// webp-filter.wasm when that exists, as the CLI and the worker do (RESNET_EDGE_WEBP_FILTER=typescript: without).
import { execSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { preprocess } from '@resnet-edge/shared/preprocess/index';
import { installWasmModules } from '../cli/src/wasm-modules.ts';
import { PHOTO_BENCH_SPEC } from './photos.ts';

const { values } = parseArgs({
  options: {
    rev: { type: 'string', default: 'def2700' },
    runs: { type: 'string', default: '7' },
    dir: { type: 'string', default: join(tmpdir(), 'bench-edge-decode') },
  },
});
const RUNS = Number(values.runs);
const root = resolve(import.meta.dirname, '..');
const other = mkdtempSync(join(tmpdir(), 'webp-before-'));
execSync(`git archive ${values.rev} shared/src | tar -x -C ${other}`, { cwd: root });
symlinkSync(join(root, 'node_modules'), join(other, 'node_modules')); // zod, fflate, jpeg-js
const url = pathToFileURL(join(other, 'shared/src/preprocess/index.ts')).href;
const before = (await import(url)) as { preprocess: typeof preprocess };
installWasmModules();

const spec = PHOTO_BENCH_SPEC;
const FILES = [
  ['0.2 MP lossy', 'photo-512x384.webp'],
  ['3 MP lossy', 'photo-2000x1500.webp'],
  ['12 MP lossy', 'photo-4032x3024.webp'],
  ['3 MP lossless', 'photo-2000x1500-lossless.webp'],
  ['12 MP lossless', 'photo-4032x3024-lossless.webp'],
];
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mb = (n: number): string => (n / (1024 * 1024)).toFixed(1);

interface Side {
  run: typeof preprocess;
  cpu: number[];
  wall: number[];
  peak: string;
}
console.log(
  `\nWebP preprocess(), ${values.rev} vs this tree, ${RUNS} runs, p50, load ${loadavg().map((l) => l.toFixed(1))}\n`,
);
console.log(
  '| image | CPU before | CPU after | after ÷ before | wall before | wall after | peak before | peak after |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const [label, name] of FILES) {
  const path = join(values.dir!, name!);
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run bench -- edge-decode --only webp\` first`);
  const bytes = new Uint8Array(readFileSync(path));
  const sides: Side[] = [before.preprocess, preprocess].map((run) => ({ run, cpu: [], wall: [], peak: '' }));
  for (let i = 0; i < RUNS + 3; i++) {
    for (const side of sides) {
      const cpu = process.cpuUsage();
      const t = performance.now();
      try {
        side.peak = `${mb(side.run(bytes, spec).peakBytes)} MB`;
      } catch (error) {
        if ((error as { code?: string }).code !== 'over_memory_budget') throw error;
        side.peak = 'refused';
      }
      const used = process.cpuUsage(cpu);
      if (i >= 3) {
        side.cpu.push((used.user + used.system) / 1000);
        side.wall.push(performance.now() - t);
      }
    }
  }
  const [b, a] = sides as [Side, Side];
  const ms = (s: Side, xs: number[]): string => (s.peak === 'refused' ? '–' : `${median(xs).toFixed(0)} ms`);
  const ratio = b.peak === 'refused' ? '–' : (median(a.cpu) / median(b.cpu)).toFixed(2);
  console.log(
    `| ${label} | ${ms(b, b.cpu)} | ${ms(a, a.cpu)} | ${ratio} | ${ms(b, b.wall)} | ${ms(a, a.wall)} | ${b.peak} | ${a.peak} |`,
  );
}
rmSync(other, { recursive: true, force: true });
