// Golden tests: each op, and a small ResNet-shaped int8 network, written to `.tflite` by our writer and
// run both by Google's LiteRT.js (the reference runtime) and by our interpreter on the same inputs. The
// int8 outputs must agree to ±1 everywhere; the exact-match rate is reported.
import { afterAll, describe, expect, test } from 'vitest';
import { Interpreter } from '@resnet-edge/shared/tflite/interpreter';
import { writeTflite } from '@resnet-edge/shared/tflite/writer';
import type { GraphIR } from '@resnet-edge/shared/tflite/ir';
import { runLiteRt } from '../helpers/litert.ts';
import { GraphBuilder } from './tflite-fixtures.ts';

const totals = { elements: 0, exact: 0 };

afterAll(() => {
  console.log(
    `tflite golden: ${totals.exact}/${totals.elements} int8 outputs identical to LiteRT.js (${((100 * totals.exact) / totals.elements).toFixed(2)}%)`,
  );
});

/**
 * Runs the graph ending in int8 tensor `out` (plus a DEQUANTIZE: LiteRT.js only exposes float32 and int32
 * model outputs) in both runtimes and compares the int8 values, recovered exactly from the float output.
 */
async function compare(g: GraphBuilder, out: number, runs = 2): Promise<{ exact: number; maxDiff: number }> {
  const graph: GraphIR = g.build(g.dequantize(out));
  const bytes = writeTflite(graph);
  const ours = Interpreter.create(bytes);
  // The reference kernels (kernels/*.ts) must give the very same int8 values, so they meet LiteRT.js too.
  const referencePath = Interpreter.create(bytes, undefined, { kernels: 'reference' });
  const { scale, zeroPoint } = { scale: g.scale(out), zeroPoint: g.tensors[out]!.quant!.zeroPoint[0]! };
  const toInt8 = (y: Float32Array | Int8Array | Int32Array) =>
    Int32Array.from(y, (v) => Math.round(v / Math.fround(scale)) + zeroPoint);
  let exact = 0,
    total = 0,
    maxDiff = 0;
  for (let r = 0; r < runs; r++) {
    const input = g.inputValues();
    const mine = toInt8(ours.run(input));
    // The interpreter's own int8 output tensor is what the float output was computed from.
    expect(Array.from(mine)).toEqual(Array.from(ours.tensorData(out)));
    expect(Array.from(toInt8(referencePath.run(input)))).toEqual(Array.from(mine));
    const reference = toInt8(await runLiteRt(bytes, input, ours.inputShape));
    expect(reference.length).toBe(mine.length);
    for (let i = 0; i < mine.length; i++) {
      const d = Math.abs(mine[i]! - reference[i]!);
      maxDiff = Math.max(maxDiff, d);
      if (d === 0) exact++;
    }
    total += mine.length;
  }
  totals.elements += total;
  totals.exact += exact;
  return { exact: exact / total, maxDiff };
}

describe('int8 kernels match LiteRT.js', () => {
  const cases: [string, (g: GraphBuilder) => number][] = [
    ['CONV_2D 3×3 SAME stride 1 RELU', (g) => g.conv(g.input([1, 9, 9, 5]), { outC: 7, k: 3, fused: 'RELU' })],
    [
      'CONV_2D 3×3 VALID stride 2',
      (g) => g.conv(g.input([1, 11, 10, 4]), { outC: 6, k: 3, stride: 2, padding: 'VALID' }),
    ],
    [
      'CONV_2D 3×3 SAME stride 2 RELU6',
      (g) => g.conv(g.input([1, 8, 8, 3]), { outC: 8, k: 3, stride: 2, fused: 'RELU6' }),
    ],
    ['CONV_2D 1×1 stride 2 projection', (g) => g.conv(g.input([1, 8, 8, 16]), { outC: 32, k: 1, stride: 2 })],
    ['CONV_2D 3×3 dilation 2', (g) => g.conv(g.input([1, 10, 10, 4]), { outC: 5, k: 3, dilation: 2 })],
    ['CONV_2D 7×7 stride 2 stem', (g) => g.conv(g.input([1, 32, 32, 3]), { outC: 16, k: 7, stride: 2, fused: 'RELU' })],
    ['MAX_POOL_2D 3×3 stride 2 SAME', (g) => g.pool('MAX_POOL_2D', g.input([1, 9, 9, 6]), 3, 2, 'SAME')],
    ['MAX_POOL_2D 2×2 VALID', (g) => g.pool('MAX_POOL_2D', g.input([1, 8, 7, 3]), 2, 2, 'VALID')],
    ['AVERAGE_POOL_2D 3×3 stride 1 SAME', (g) => g.pool('AVERAGE_POOL_2D', g.input([1, 7, 7, 4]), 3, 1, 'SAME')],
    ['AVERAGE_POOL_2D 2×2 VALID', (g) => g.pool('AVERAGE_POOL_2D', g.input([1, 8, 8, 5]), 2, 2, 'VALID')],
    ['MEAN over H, W', (g) => g.mean(g.input([1, 7, 7, 24]))],
    [
      'ADD, different scales, RELU',
      (g) => {
        const x = g.input([1, 6, 6, 8]);
        return g.addOp(g.conv(x, { outC: 8, k: 1 }), g.conv(x, { outC: 8, k: 3 }), 'RELU');
      },
    ],
    [
      'ADD, no activation',
      (g) => {
        const x = g.input([1, 5, 5, 4]);
        return g.addOp(x, g.conv(x, { outC: 4, k: 3 }));
      },
    ],
    ['FULLY_CONNECTED per-tensor', (g) => g.fullyConnected(g.input([1, 64]), 10, false)],
    ['FULLY_CONNECTED per-channel RELU', (g) => g.fullyConnected(g.input([1, 48]), 12, true, 'RELU')],
    [
      'CONCATENATION along channels',
      (g) => {
        const x = g.input([1, 6, 6, 4]);
        const a = g.conv(x, { outC: 3, k: 1 });
        const t = g.tensors[a]!.quant!;
        return g.concat([a, g.conv(x, { outC: 5, k: 3, quant: { scale: t.scale[0]!, zeroPoint: t.zeroPoint[0]! } })]);
      },
    ],
    ['RESHAPE to [1, N]', (g) => g.reshape(g.conv(g.input([1, 4, 4, 3]), { outC: 4, k: 3 }), [1, 64])],
  ];
  test.each(cases)('%s', async (_name, build) => {
    const g = new GraphBuilder(_name.length * 7919);
    const out = build(g);
    const { maxDiff } = await compare(g, out);
    expect(maxDiff).toBeLessThanOrEqual(1);
  });
});

/** QUANTIZE → CONV relu → MAX_POOL → residual block (CONV relu → CONV, stride-2 1×1 projection) → ADD relu → concat branch → MEAN → FC. */
export function resnetShaped(seed: number, size = 16): { g: GraphBuilder; out: number } {
  const g = new GraphBuilder(seed);
  const x = g.input([1, size, size, 3]);
  const stem = g.conv(x, { outC: 8, k: 3, fused: 'RELU' });
  const pooled = g.pool('MAX_POOL_2D', stem, 3, 2, 'SAME');
  const a = g.conv(pooled, { outC: 16, k: 3, stride: 2, fused: 'RELU' });
  const b = g.conv(a, { outC: 16, k: 3 });
  const shortcut = g.conv(pooled, { outC: 16, k: 1, stride: 2 });
  const sum = g.addOp(b, shortcut, 'RELU');
  const q = g.tensors[sum]!.quant!;
  const branch = g.conv(sum, {
    outC: 8,
    k: 1,
    fused: 'RELU',
    quant: { scale: q.scale[0]!, zeroPoint: q.zeroPoint[0]! },
  });
  const joined = g.concat([sum, branch]);
  const pooledAll = g.mean(joined);
  return { g, out: g.fullyConnected(pooledAll, 10, false) };
}

describe('ResNet-shaped int8 network matches LiteRT.js', () => {
  test('int8 logits agree to ±1', async () => {
    const { g, out } = resnetShaped(20261124);
    const { exact, maxDiff } = await compare(g, out, 4);
    console.log(`resnet-shaped net: exact ${(100 * exact).toFixed(1)}%, max |diff| ${maxDiff}`);
    expect(maxDiff).toBeLessThanOrEqual(1);
  });

  test('DEQUANTIZE output and SOFTMAX match LiteRT.js in float', async () => {
    const { g, out } = resnetShaped(7);
    const probs = g.softmax(g.dequantize(out));
    const bytes = writeTflite(g.build(probs));
    const ours = Interpreter.create(bytes);
    const input = g.inputValues();
    const mine = ours.run(input).slice();
    const reference = await runLiteRt(bytes, input, ours.inputShape);
    const logitScale = g.scale(out);
    for (let i = 0; i < mine.length; i++) expect(Math.abs(mine[i]! - reference[i]!)).toBeLessThan(logitScale);
    expect(mine.reduce((a, v) => a + v, 0)).toBeCloseTo(1, 5);
  });
});
