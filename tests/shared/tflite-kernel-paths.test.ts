// Each op's three kernels — the reference loops (kernels/*.ts), the optimized TypeScript (kernels/optimized/) and
// WebAssembly (kernels/wasm/) — run on the same inputs and must give bit-identical outputs, every intermediate int8
// tensor included. The reference path is what reads like TFLite's reference kernels; this is what proves the two
// fast paths compute exactly its integers. Shapes are chosen to hit each fast path's special cases: the packed
// two-pixel limit, channel counts that are not a multiple of 4 or 16, dilation, edges, batched FULLY_CONNECTED.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { GraphIR } from '@resnet-edge/shared/tflite/ir';
import { Interpreter } from '@resnet-edge/shared/tflite/interpreter';
import { builtinOps, OpResolver } from '@resnet-edge/shared/tflite/op-resolver';
import type { KernelPath } from '@resnet-edge/shared/tflite/kernels/kernel';
import { conv2d } from '@resnet-edge/shared/tflite/kernels/conv-2d';
import { conv2dOptimized } from '@resnet-edge/shared/tflite/kernels/optimized/conv-2d';
import { requantizationLanes } from '@resnet-edge/shared/tflite/kernels/wasm/conv-2d';
import { readTflite } from '@resnet-edge/shared/tflite/reader';
import { writeTflite } from '@resnet-edge/shared/tflite/writer';
import { TfliteError } from '@resnet-edge/shared/tflite/errors';
import { GraphBuilder } from './tflite-fixtures.ts';

const CONV_WASM = new WebAssembly.Module(readFileSync(new URL('../../shared/wasm/conv.wasm', import.meta.url)));
const PATHS: readonly KernelPath[] = ['reference', 'optimized', 'wasm'];

/** Runs `model` on every path with each input; every path's output and activations must equal the reference's. */
function expectPathsIdentical(model: GraphIR, inputs: Float32Array[]): void {
  const [reference, ...fast] = PATHS.map((kernels) =>
    Interpreter.create(model, undefined, { kernels, wasm: CONV_WASM, keepActivations: true }),
  );
  expect([reference!, ...fast].map((i) => i.kernels)).toEqual(['reference', 'typescript', 'wasm-simd']);
  const activations = model.tensors.flatMap((t, i) => (t.data ? [] : [i]));
  for (const input of inputs) {
    const expected = Array.from(reference!.run(input));
    for (const interp of fast) {
      expect(Array.from(interp.run(input)), interp.kernels).toEqual(expected);
      for (const i of activations) {
        const a = reference!.tensorData(i),
          b = interp.tensorData(i);
        if (a.length !== b.length || !a.every((v, k) => Object.is(v, b[k])))
          expect.fail(`tensor ${i} '${model.tensors[i]!.name}' differs: reference vs ${interp.kernels}`);
      }
    }
  }
}

function singleOp(seed: number, build: (g: GraphBuilder) => number): void {
  const g = new GraphBuilder(seed);
  const out = build(g);
  const model = g.build(g.dequantize(out));
  expectPathsIdentical(model, [g.inputValues(), g.inputValues()]);
}

describe('CONV_2D: reference, optimized and wasm kernels agree bit for bit', () => {
  test.each([
    { name: '3×3 SAME stride 1, odd pixel count, depth 27', h: 5, w: 7, c: 3, outC: 6, k: 3 },
    {
      name: '3×3 VALID stride 2, outC not a multiple of 4',
      h: 9,
      w: 8,
      c: 16,
      outC: 7,
      k: 3,
      stride: 2,
      padding: 'VALID' as const,
    },
    { name: '3×3 dilation 2', h: 8, w: 8, c: 8, outC: 8, k: 3, dilation: 2 },
    { name: '3×3 RELU6 stride 2', h: 8, w: 8, c: 3, outC: 8, k: 3, stride: 2, fused: 'RELU6' as const },
    { name: 'depth 2070 (optimized: packed two-pixel path, its limit)', h: 4, w: 3, c: 230, outC: 5, k: 3 },
    { name: 'depth 2079 (optimized: one-pixel path)', h: 3, w: 3, c: 231, outC: 5, k: 3 },
    { name: '7×7 stride 2 stem, RELU', h: 16, w: 15, c: 3, outC: 16, k: 7, stride: 2, fused: 'RELU' as const },
    { name: '1×1 projection, stride 2', h: 6, w: 6, c: 64, outC: 33, k: 1, stride: 2 },
    // inC a multiple of 8: the wasm kernel reads windows in place from its widened input (conv.ts convWidened).
    {
      name: 'widened input: 3×3 VALID stride 2 stopping short of the last row and column, odd pixel count',
      h: 8,
      w: 8,
      c: 8,
      outC: 5,
      k: 3,
      stride: 2,
      padding: 'VALID' as const,
    },
    { name: 'widened input: 3×3 SAME stride 2, 3×2 output', h: 5, w: 4, c: 24, outC: 9, k: 3, stride: 2 },
  ])('$name', ({ h, w, c, outC, k, stride, padding, dilation, fused }) => {
    singleOp(h * 31 + c + outC, (g) =>
      g.conv(g.input([1, h, w, c]), {
        outC,
        k,
        ...(stride ? { stride } : {}),
        ...(padding ? { padding } : {}),
        ...(dilation ? { dilation } : {}),
        ...(fused ? { fused } : {}),
      }),
    );
  });
});

// The wasm kernel requantizes four channels at a time without per-lane shifts (conv.ts's requantize4): output
// scales that push every channel's shift to where that arithmetic changes form — left shifts (r = 0), groups of
// four that mix r = 0 with r > 0, and right shifts up to 31 with channels whose multiplier underflows to 0.
describe('CONV_2D requantization at the ends of the shift range: all paths agree bit for bit', () => {
  test.each([
    { name: 'multipliers 16–160 (left shifts 5–8, r = 0)', scale: 1e-6 },
    { name: 'multipliers 0.3–3 (r = 0 and r = 1 in one group of four)', scale: 5e-5 },
    { name: 'multipliers ≈ 2^−24 (r ≈ 21–25)', scale: 335 },
    { name: 'multipliers ≈ 2^−31 (r up to 31; some channels 0)', scale: 6e4 },
  ])('$name', ({ scale }) => {
    singleOp(Math.round(Math.log2(scale) * 1000), (g) =>
      g.conv(g.input([1, 6, 5, 8]), { outC: 14, k: 3, quant: { scale, zeroPoint: 3 } }),
    );
  });

  test('the host leaves the vector path to scalar code where it would not be exact', () => {
    const d = {
      bias: Int32Array.of(5, -7),
      multipliers: Int32Array.of(1 << 30, 0x7fffffff),
      shifts: Int32Array.of(2, -31),
    };
    const lanes = requantizationLanes(d)!;
    // bias, 2^left, multiplier, 2^(32−r) as u32, 2^(31−r), mask, mask >> 1, r = 0 — one row per array, 2 channels.
    expect(Array.from(lanes)).toEqual([
      5,
      -7,
      4,
      1,
      1 << 30,
      0x7fffffff,
      0,
      2,
      0,
      1,
      0,
      0x7fffffff,
      0,
      0x3fffffff,
      -1,
      0,
    ]);
    expect(requantizationLanes({ ...d, multipliers: Int32Array.of(1 << 30, -0x80000000) })).toBeNull();
    expect(requantizationLanes({ ...d, shifts: Int32Array.of(31, 0) })).toBeNull();
  });
});

describe('the other ops: reference, optimized and wasm kernels agree bit for bit', () => {
  test.each([
    ['FULLY_CONNECTED per-tensor', (g: GraphBuilder) => g.fullyConnected(g.input([1, 64]), 10, false)],
    ['FULLY_CONNECTED per-channel, RELU', (g: GraphBuilder) => g.fullyConnected(g.input([1, 48]), 13, true, 'RELU')],
    [
      'MAX_POOL_2D 3×3 stride 2 SAME, 20 channels (16-lane SIMD block + tail)',
      (g: GraphBuilder) =>
        g.pool('MAX_POOL_2D', g.conv(g.input([1, 13, 11, 3]), { outC: 20, k: 3, fused: 'RELU' }), 3, 2, 'SAME'),
    ],
    ['MAX_POOL_2D 2×2 VALID', (g: GraphBuilder) => g.pool('MAX_POOL_2D', g.input([1, 8, 7, 3]), 2, 2, 'VALID')],
    [
      'AVERAGE_POOL_2D 3×3 stride 1 SAME',
      (g: GraphBuilder) => g.pool('AVERAGE_POOL_2D', g.input([1, 7, 7, 4]), 3, 1, 'SAME'),
    ],
    ['MEAN over H, W', (g: GraphBuilder) => g.mean(g.input([1, 7, 7, 24]))],
    [
      'ADD, different scales, RELU',
      (g: GraphBuilder) => {
        const x = g.input([1, 6, 6, 8]);
        return g.addOp(g.conv(x, { outC: 8, k: 1 }), g.conv(x, { outC: 8, k: 3 }), 'RELU');
      },
    ],
    [
      'ADD, no activation',
      (g: GraphBuilder) => {
        const x = g.input([1, 5, 5, 4]);
        return g.addOp(x, g.conv(x, { outC: 4, k: 3 }));
      },
    ],
    [
      'CONCATENATION with requantized inputs',
      (g: GraphBuilder) => {
        const x = g.input([1, 4, 4, 3]);
        return g.concat([g.conv(x, { outC: 2, k: 1 }), g.conv(x, { outC: 3, k: 3 }), x], { scale: 0.05, zeroPoint: 7 });
      },
    ],
    ['RESHAPE to [1, N]', (g: GraphBuilder) => g.reshape(g.conv(g.input([1, 4, 4, 3]), { outC: 4, k: 3 }), [1, 64])],
  ] as const)('%s', (name, build) => singleOp(name.length * 7919, build));

  test('FULLY_CONNECTED over a batch of 3 (the wasm kernel runs it as a 1×1 convolution over 3 pixels)', () => {
    const g = new GraphBuilder(33);
    const x = g.input([3, 20]);
    const weights =
      g.tensors.push({
        name: 'fc/weights',
        shape: [7, 20],
        type: 'int8',
        data: Int8Array.from({ length: 140 }, () => g.int(-127, 127)),
        quant: {
          scale: Array.from({ length: 7 }, () => g.uniform(0.002, 0.02)),
          zeroPoint: new Array(7).fill(0),
          quantizedDimension: 0,
        },
      }) - 1;
    const bias =
      g.tensors.push({
        name: 'fc/bias',
        shape: [7],
        type: 'int32',
        data: Int32Array.from({ length: 7 }, () => g.int(-4000, 4000)),
      }) - 1;
    const y = g.activation('fc', [3, 7], 0.05, 3);
    g.ops.push({
      op: 'FULLY_CONNECTED',
      inputs: [x, weights, bias],
      outputs: [y],
      options: { fusedActivation: 'RELU', keepNumDims: true },
    });
    const model = g.build(g.dequantize(y));
    expectPathsIdentical(model, [g.inputValues(), g.inputValues()]);
  });

  test('QUANTIZE: ties, saturation, NaN and ±∞', () => {
    const g = new GraphBuilder(3);
    const q = g.input([1, 1, 1, 12], 0.5, 3);
    const input = Float32Array.from([1.25, -1.25, 0.75, -0.75, 0.7, -0.7, 0, 1e9, -1e9, NaN, Infinity, -Infinity]);
    expectPathsIdentical(g.build(g.dequantize(q)), [input]);
  });

  test('a ResNet-shaped model read back from .tflite, with DEQUANTIZE and SOFTMAX: every tensor agrees', () => {
    const g = new GraphBuilder(2026);
    const x = g.input([1, 16, 16, 3]);
    const stem = g.pool('MAX_POOL_2D', g.conv(x, { outC: 8, k: 3, fused: 'RELU' }), 3, 2, 'SAME');
    const y = g.conv(g.conv(stem, { outC: 16, k: 3, stride: 2, fused: 'RELU' }), { outC: 16, k: 3 });
    const sum = g.addOp(y, g.conv(stem, { outC: 16, k: 1, stride: 2 }), 'RELU');
    const logits = g.fullyConnected(g.mean(sum), 10, false);
    const model = readTflite(writeTflite(g.build(g.softmax(g.dequantize(logits)))));
    expectPathsIdentical(model, [g.inputValues(), g.inputValues(), g.inputValues().map((v) => v * 3)]);
  });
});

describe('the op resolver picks the path at load', () => {
  test('each path gets its own kernel where it has one, else the next simpler path’s', () => {
    const pathOf = (op: string, path: KernelPath) => builtinOps.get(op, path).path;
    expect(PATHS.map((p) => pathOf('CONV_2D', p))).toEqual(['reference', 'optimized', 'wasm']);
    expect(PATHS.map((p) => pathOf('ADD', p))).toEqual(['reference', 'optimized', 'wasm']);
    expect(PATHS.map((p) => pathOf('FULLY_CONNECTED', p))).toEqual(['reference', 'reference', 'wasm']);
    expect(PATHS.map((p) => pathOf('MEAN', p))).toEqual(['reference', 'reference', 'reference']);
  });

  test('one kernel per op and path; an op missing on every path is refused at load', () => {
    expect(() => new OpResolver().register(conv2dOptimized).register(conv2dOptimized)).toThrow(/already registered/);
    const convOnly = new OpResolver().register(conv2d).register(conv2dOptimized);
    expect(convOnly.get('CONV_2D', 'wasm')).toBe(conv2dOptimized);
    const g = new GraphBuilder(3);
    const model = g.build(g.dequantize(g.conv(g.input([1, 4, 4, 2]), { outC: 2, k: 3 })));
    expect(() => Interpreter.create(model, convOnly, { kernels: 'reference' })).toThrow(TfliteError);
  });

  test("kernels: 'wasm' without a compiled module is refused, not silently downgraded", () => {
    const g = new GraphBuilder(4);
    const model = g.build(g.dequantize(g.input([1, 4])));
    expect(() => Interpreter.create(model, undefined, { kernels: 'wasm', wasm: null })).toThrow(/conv\.wasm/);
  });
});
