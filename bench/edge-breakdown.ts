// Where the edge worker's answer time goes, for `npm run bench -- edge` (and `--breakdown-only`): the same
// 512×384 JPEG classify and the trivial `/healthz` (the local stack's floor: HTTP, proxy, Hono, a cached model
// lookup, a small JSON) sent, interleaved round by round, to
//   1. `wrangler dev` over HTTP (what `resnet-edge serve` and the edge benchmark use: wrangler's proxy worker in
//      front of the user worker),
//   2. Miniflare over HTTP (the same bundle and R2 folder, one workerd, no wrangler proxy),
//   3. Miniflare's in-process `dispatchFetch` (no socket of ours),
// and, as the precise reference, the same shared `classify()` in this Node process (sub-millisecond clock).
// Inside the worker the answer's Server-Timing header splits each request into upload / model / classify
// (decode, preprocess, infer); workerd's clock ticks in whole milliseconds, so those are means, not medians.
import { join } from 'node:path';
import { Miniflare } from 'miniflare';
import { classify } from '@resnet-edge/shared/classify/classify';
import { Interpreter } from '@resnet-edge/shared/tflite/interpreter';
import { installWasmModules } from '../cli/src/wasm-modules.ts';
import { parseServerTiming } from '../edge/src/server-timing.ts';
import { workerModules } from '../tests/edge/worker.ts';
import type { BenchModel } from './edge-model.ts';

export const PHASES = ['upload', 'model', 'classify', 'decode', 'preprocess', 'infer', 'total'] as const;
type Phase = (typeof PHASES)[number];

export interface SideResult {
  side: string;
  healthzP50: number;
  classifyP50: number;
  classifyP95: number;
  /** Means of the worker's Server-Timing phases over the classify requests. */
  phases: Record<Phase, number>;
  /** Classify answers that came without a Server-Timing header. */
  untimed: number;
}

export interface Breakdown {
  sides: SideResult[];
  /** The same classify() in Node: medians of a precise clock. */
  node: { decode: number; preprocess: number; infer: number; total: number };
  rounds: number;
}

type Send = (path: string, init?: RequestInit) => Promise<Response>;

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * q))]!;
};
/** Mean of the values present (an answer without Server-Timing — e.g. one served while wrangler reloads — adds none). */
const mean = (xs: number[]): number => {
  const present = xs.filter((x) => !Number.isNaN(x));
  return present.reduce((a, b) => a + b, 0) / present.length;
};

async function timed(send: Send, path: string, init?: RequestInit): Promise<{ ms: number; res: Response }> {
  const started = performance.now();
  const res = await send(path, init);
  await res.arrayBuffer();
  const ms = performance.now() - started;
  if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
  return { ms, res };
}

function nodeClassify(model: BenchModel, body: Uint8Array, runs: number): Breakdown['node'] {
  installWasmModules();
  const loaded = { manifest: model.manifest, interpreter: Interpreter.create(model.tflite) };
  const rows = { decode: [] as number[], preprocess: [] as number[], infer: [] as number[], total: [] as number[] };
  for (let i = 0; i < runs + 10; i++) {
    const started = performance.now();
    const { timing } = classify(body, loaded, 5);
    const total = performance.now() - started;
    if (i < 10) continue; // JIT warm-up
    rows.decode.push(timing.decode_ms);
    rows.preprocess.push(timing.preprocess_ms);
    rows.infer.push(timing.infer_ms);
    rows.total.push(total);
  }
  return {
    decode: quantile(rows.decode, 0.5),
    preprocess: quantile(rows.preprocess, 0.5),
    infer: quantile(rows.infer, 0.5),
    total: quantile(rows.total, 0.5),
  };
}

/** `wranglerUrl` serves `modelName` from the R2 folder `persistTo`; Miniflare is started here on the same folder. */
export async function measureBreakdown(opts: {
  wranglerUrl: string;
  persistTo: string;
  modelName: string;
  model: BenchModel;
  body: Uint8Array;
  rounds: number;
}): Promise<Breakdown> {
  const mf = new Miniflare({
    host: '127.0.0.1',
    port: 0,
    modules: await workerModules(),
    compatibilityDate: '2025-09-01',
    r2Buckets: { MODELS: 'resnet-edge-models' },
    r2Persist: join(opts.persistTo, 'v3', 'r2'),
    bindings: { MODEL_NAME: opts.modelName },
  });
  try {
    const mfUrl = (await mf.ready).toString().replace(/\/$/, '');
    const sides: [string, Send][] = [
      ['wrangler dev, HTTP', (path, init) => fetch(opts.wranglerUrl + path, init)],
      ['Miniflare, HTTP', (path, init) => fetch(mfUrl + path, init)],
      [
        'Miniflare dispatchFetch',
        (path, init) => mf.dispatchFetch(`http://localhost${path}`, init as never) as unknown as Promise<Response>,
      ],
    ];
    const classifyInit = (): RequestInit => ({
      method: 'POST',
      body: opts.body,
      headers: { 'content-type': 'image/jpeg', 'content-length': String(opts.body.byteLength) },
    });
    const samples = sides.map(() => ({
      healthz: [] as number[],
      classify: [] as number[],
      phases: [] as Record<string, number>[],
    }));
    const warmUp = 5;
    for (let round = 0; round < opts.rounds + warmUp; round++) {
      for (const [i, [, send]] of sides.entries()) {
        const health = await timed(send, '/healthz');
        const answer = await timed(send, '/v1/classify', classifyInit());
        if (round < warmUp) continue;
        samples[i]!.healthz.push(health.ms);
        samples[i]!.classify.push(answer.ms);
        samples[i]!.phases.push(parseServerTiming(answer.res.headers.get('server-timing')));
      }
    }
    return {
      rounds: opts.rounds,
      node: nodeClassify(opts.model, opts.body, opts.rounds),
      sides: sides.map(([side], i) => {
        const s = samples[i]!;
        const phases = Object.fromEntries(PHASES.map((p) => [p, mean(s.phases.map((row) => row[p] ?? NaN))]));
        return {
          side,
          healthzP50: quantile(s.healthz, 0.5),
          classifyP50: quantile(s.classify, 0.5),
          classifyP95: quantile(s.classify, 0.95),
          phases: phases as Record<Phase, number>,
          untimed: s.phases.filter((row) => row.total === undefined).length,
        };
      }),
    };
  } finally {
    await mf.dispose();
  }
}

const ms = (n: number): string => `${n.toFixed(1)} ms`;

/** The breakdown as Markdown: one row per path to the worker, then the Node reference. */
export function breakdownTable(b: Breakdown): string {
  const lines = [
    '| path to the worker | /healthz p50 (stack floor) | classify p50 | p95 | p50 − floor ' +
      '| in worker (means): upload | model | classify | ↳ decode | ↳ preprocess | ↳ infer | total |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const s of b.sides) {
    const p = s.phases;
    lines.push(
      `| ${s.side} | ${ms(s.healthzP50)} | **${ms(s.classifyP50)}** | ${ms(s.classifyP95)} ` +
        `| ${ms(s.classifyP50 - s.healthzP50)} | ${ms(p.upload)} | ${ms(p.model)} | ${ms(p.classify)} ` +
        `| ${ms(p.decode)} | ${ms(p.preprocess)} | ${ms(p.infer)} | ${ms(p.total)} |`,
    );
  }
  const n = b.node;
  lines.push(
    `| classify() in Node (precise clock, p50) | — | — | — | — | — | — | ${ms(n.total)} ` +
      `| ${ms(n.decode)} | ${ms(n.preprocess)} | ${ms(n.infer)} | — |`,
  );
  for (const s of b.sides.filter((side) => side.untimed > 0))
    lines.push('', `(${s.side}: ${s.untimed} answer(s) without Server-Timing, left out of its means)`);
  return lines.join('\n');
}
