// `npm run bench -- infer-kernels [--runs 20] [--models resnet20,resnet18]`
// The int8 interpreter's three kernel paths side by side on the same `.tflite` — reference loops, optimized
// TypeScript, WebAssembly SIMD (all bit-identical) — and LiteRT.js (XNNPACK) as the peer, in one process. Batch 1,
// one thread, random int8 weights (latency does not depend on them). The reference path is there to be read and
// to check the others, not to serve: it runs fewer times.
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadAndCompile, Tensor } from '@litertjs/core';
import { Interpreter } from '@resnet-edge/shared/tflite/interpreter';
import type { KernelPath } from '@resnet-edge/shared/tflite/kernels/kernel';
import { writeTflite } from '@resnet-edge/shared/tflite/writer';
import type { GraphIR } from '@resnet-edge/shared/tflite/ir';
import { ensureLiteRt } from '../tests/helpers/litert.ts';
import { GraphBuilder, resnet18Graph } from '../tests/shared/tflite-fixtures.ts';
import { latency } from './timing.ts';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '20' }, models: { type: 'string', default: 'resnet20,resnet18' } },
});
const RUNS = Number(values.runs);
const CONV_WASM = new WebAssembly.Module(readFileSync(join(import.meta.dirname, '..', 'shared', 'wasm', 'conv.wasm')));

/** ResNet-20 for 32×32×3: 3 stages × 3 basic blocks of 16/32/64 channels, projection shortcuts. */
function resnet20Graph(): GraphIR {
  const g = new GraphBuilder(20);
  let x = g.conv(g.input([1, 32, 32, 3]), { outC: 16, k: 3, fused: 'RELU' });
  for (const [stage, channels] of [16, 32, 64].entries()) {
    for (let block = 0; block < 3; block++) {
      const stride = stage > 0 && block === 0 ? 2 : 1;
      const y = g.conv(g.conv(x, { outC: channels, k: 3, stride, fused: 'RELU' }), { outC: channels, k: 3 });
      x = g.addOp(y, stride === 2 ? g.conv(x, { outC: channels, k: 1, stride: 2 }) : x, 'RELU');
    }
  }
  return g.build(g.dequantize(g.fullyConnected(g.mean(x), 10, false)));
}

const MODELS = {
  resnet20: { graph: resnet20Graph, runs: RUNS },
  resnet18: { graph: resnet18Graph, runs: Math.max(3, Math.round(RUNS / 5)) },
} as const;

interface Row {
  model: string;
  runtime: string;
  p50: number;
  p90: number;
  loadMs: number;
}
const rows: Row[] = [];
await ensureLiteRt();
for (const name of values.models!.split(',') as (keyof typeof MODELS)[]) {
  const { graph, runs } = MODELS[name];
  const tflite = writeTflite(graph());
  const probe = Interpreter.create(tflite, undefined, { kernels: 'optimized' });
  const input = new Float32Array(probe.inputShape.reduce((a, d) => a * d, 1)).map((_, i) => Math.sin(i));
  const label = `${name} ${probe.inputShape.slice(1).join('×')}`;
  for (const kernels of ['reference', 'optimized', 'wasm'] as KernelPath[]) {
    const s = performance.now();
    const interp = Interpreter.create(tflite, undefined, { kernels, wasm: CONV_WASM });
    const loadMs = performance.now() - s;
    rows.push({
      model: label,
      runtime: `resnet-edge int8, ${kernels} (${interp.kernels})`,
      loadMs,
      ...(await latency(() => interp.run(input), kernels === 'reference' ? Math.max(1, Math.round(runs / 5)) : runs)),
    });
  }
  const s = performance.now();
  const compiled = await loadAndCompile(tflite, { accelerator: 'wasm' });
  const loadMs = performance.now() - s;
  const shape = probe.inputShape;
  const lat = await latency(async () => {
    const t = new Tensor(input, shape);
    const out = await compiled.run(t);
    t.delete();
    for (const o of out) o.delete();
  }, runs);
  rows.push({ model: label, runtime: 'LiteRT.js int8 (wasm, XNNPACK)', loadMs, ...lat });
  compiled.delete();
}

console.log(
  `\nint8 kernel paths — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}\n`,
);
console.log('| model | runtime | load | batch 1 p50 | p90 | vs LiteRT.js (p50) |');
console.log('|---|---|---:|---:|---:|---:|');
for (const r of rows) {
  const lite = rows.find((x) => x.model === r.model && x.runtime.startsWith('LiteRT'))!;
  console.log(
    `| ${r.model} | ${r.runtime} | ${r.loadMs.toFixed(0)} ms | ${r.p50.toFixed(1)} ms | ${r.p90.toFixed(1)} ms | ${(r.p50 / lite.p50).toFixed(2)}× |`,
  );
}
