// The interpreter's integer arithmetic and what LiteRT.js cannot check: the fixed-point helpers against
// exact BigInt arithmetic, CONCATENATION of inputs with different scales against a float reference, the
// memory plan of a ResNet-18-sized graph, and the latency of a ResNet-20-shaped model.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { Interpreter } from '@resnet-edge/shared/tflite/interpreter';
import {
  multiplyByQuantizedMultiplier,
  quantizeMultiplier,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul,
} from '@resnet-edge/shared/tflite/fixed-point';
import { builtinOps, OpResolver } from '@resnet-edge/shared/tflite/op-resolver';
import { conv2d } from '@resnet-edge/shared/tflite/kernels/conv-2d';
import { TfliteError } from '@resnet-edge/shared/tflite/errors';
import { GraphBuilder, resnet18Graph, rng } from './tflite-fixtures.ts';

/** gemmlowp's SaturatingRoundingDoublingHighMul in exact 64-bit arithmetic. */
function srdhmBig(a: number, b: number): number {
  if (a === -2147483648 && b === -2147483648) return 2147483647;
  const ab = BigInt(a) * BigInt(b);
  const nudge = ab >= 0n ? 1n << 30n : 1n - (1n << 30n);
  return Number((ab + nudge) / (1n << 31n)); // BigInt division truncates toward zero, like C++
}

describe('fixed point', () => {
  test('SaturatingRoundingDoublingHighMul equals exact 64-bit arithmetic', () => {
    const r = rng(1);
    const edge = [0, 1, -1, 2147483647, -2147483648, 1073741824, -1073741824, 65535, 65536, -65536];
    const values = [...edge, ...Array.from({ length: 3000 }, () => (r() * 4294967296 - 2147483648) | 0)];
    for (let i = 0; i < values.length; i++) {
      const a = values[i]!,
        b = values[(i * 7 + 3) % values.length]!;
      expect(saturatingRoundingDoublingHighMul(a, b)).toBe(srdhmBig(a, b));
    }
    for (const a of edge) for (const b of edge) expect(saturatingRoundingDoublingHighMul(a, b)).toBe(srdhmBig(a, b));
    // Accumulators of real layers are small: they take the single-product fast path (|a| < 2^22), its edges included.
    const small = [
      4194303,
      -4194303,
      4194304,
      -4194304,
      ...Array.from({ length: 3000 }, () => Math.round((r() - 0.5) * 8388608)),
    ];
    for (let i = 0; i < small.length; i++) {
      const a = small[i]!,
        b = values[(i * 13 + 5) % values.length]!;
      expect(saturatingRoundingDoublingHighMul(a, b)).toBe(srdhmBig(a, b));
    }
  });

  test('RoundingDivideByPOT rounds half away from zero', () => {
    expect([5, 6, 7, -5, -6, -7].map((x) => roundingDivideByPOT(x, 2))).toEqual([1, 2, 2, -1, -2, -2]);
    expect(roundingDivideByPOT(-2147483648, 31)).toBe(-1);
  });

  test('QuantizeMultiplier + MultiplyByQuantizedMultiplier approximate x·m to within 1', () => {
    const r = rng(2);
    for (let i = 0; i < 2000; i++) {
      const m = 10 ** (r() * 8 - 6);
      const x = ((r() * 2 - 1) * Math.min(2 ** 30, 2 ** 30 / m)) | 0;
      const { multiplier, shift } = quantizeMultiplier(m);
      expect(multiplier).toBeGreaterThanOrEqual(2 ** 30);
      expect(Math.abs(multiplyByQuantizedMultiplier(x, multiplier, shift) - x * m)).toBeLessThanOrEqual(
        1 + Math.abs(x * m) * 2 ** -30,
      );
    }
  });
});

describe('kernels against a float reference', () => {
  test('CONCATENATION requantizes inputs with other scales (dequantize → concat → quantize, ±1)', () => {
    const g = new GraphBuilder(5);
    const x = g.input([1, 4, 4, 3]);
    const a = g.conv(x, { outC: 2, k: 1 });
    const b = g.conv(x, { outC: 3, k: 3 });
    const out = g.concat([a, b, x], { scale: 0.05, zeroPoint: 7 });
    const interp = Interpreter.create(g.build(g.dequantize(out)));
    interp.run(g.inputValues());
    const parts = [a, b, x].map((i) => ({ q: interp.tensorData(i) as Int8Array, t: g.tensors[i]! }));
    const got = interp.tensorData(out) as Int8Array;
    let n = 0;
    for (let p = 0; p < 16; p++) {
      for (const { q, t } of parts) {
        const c = t.shape[3]!;
        for (let k = 0; k < c; k++) {
          const real = t.quant!.scale[0]! * (q[p * c + k]! - t.quant!.zeroPoint[0]!);
          const expected = Math.max(-128, Math.min(127, Math.round(real / 0.05) + 7));
          expect(Math.abs(got[n++]! - expected)).toBeLessThanOrEqual(1);
        }
      }
    }
  });
});

/** CONV_2D straight from reference_integer_ops::ConvPerChannel: one output at a time, the window's valid taps only. */
function referenceConv(
  g: GraphBuilder,
  interp: Interpreter,
  x: number,
  y: number,
  op: { inputs: number[]; options: any },
): Int8Array {
  const [, inH, inW, inC] = g.tensors[x]!.shape as number[];
  const [, outH, outW, outC] = g.tensors[y]!.shape as number[];
  const f = g.tensors[op.inputs[1]!]!,
    b = g.tensors[op.inputs[2]!]!;
  const [, kH, kW] = f.shape as number[];
  const input = interp.tensorData(x) as Int8Array,
    filter = f.data as Int8Array,
    bias = b.data as Int32Array;
  const { strideH, dilationH, padding } = op.options;
  const pad = (inN: number, outN: number) =>
    padding === 'SAME' ? Math.max(0, Math.floor(((outN - 1) * strideH + (kH! - 1) * dilationH + 1 - inN) / 2)) : 0;
  const inQ = g.tensors[x]!.quant!,
    outQ = g.tensors[y]!.quant!;
  const out = new Int8Array(outH! * outW! * outC!);
  for (let oy = 0; oy < outH!; oy++)
    for (let ox = 0; ox < outW!; ox++)
      for (let oc = 0; oc < outC!; oc++) {
        let acc = 0;
        for (let ky = 0; ky < kH!; ky++)
          for (let kx = 0; kx < kW!; kx++) {
            const iy = oy * strideH - pad(inH!, outH!) + ky * dilationH,
              ix = ox * strideH - pad(inW!, outW!) + kx * dilationH;
            if (iy < 0 || iy >= inH! || ix < 0 || ix >= inW!) continue;
            for (let ic = 0; ic < inC!; ic++)
              acc +=
                (input[(iy * inW! + ix) * inC! + ic]! - inQ.zeroPoint[0]!) *
                filter[((oc * kH! + ky) * kW! + kx) * inC! + ic]!;
          }
        const m = quantizeMultiplier((inQ.scale[0]! * Math.fround(f.quant!.scale[oc]!)) / outQ.scale[0]!);
        const v = multiplyByQuantizedMultiplier(acc + bias[oc]!, m.multiplier, m.shift) + outQ.zeroPoint[0]!;
        out[(oy * outW! + ox) * outC! + oc] = Math.max(-128, Math.min(127, v));
      }
  return out;
}

const CONV_WASM = new WebAssembly.Module(readFileSync(new URL('../../shared/wasm/conv.wasm', import.meta.url)));

describe.each([
  ['TypeScript', null],
  ['WebAssembly SIMD', CONV_WASM],
])('CONV_2D against the reference formula, bit for bit (%s path)', (_, wasm) => {
  // On the TypeScript path depth 3·3·c decides: ≤ 2072 packs two pixels per multiply, deeper goes one pixel at a time.
  test.each([
    { name: 'odd pixel count, stride 1, SAME, depth 27', h: 5, w: 7, c: 3, outC: 6, k: 3, stride: 1 },
    {
      name: 'stride 2, VALID, outC not a multiple of 4',
      h: 9,
      w: 8,
      c: 16,
      outC: 7,
      k: 3,
      stride: 2,
      padding: 'VALID' as const,
    },
    { name: 'dilation 2', h: 8, w: 8, c: 8, outC: 8, k: 3, stride: 1, dilation: 2 },
    { name: 'depth 2070 (packed path, its limit)', h: 4, w: 3, c: 230, outC: 5, k: 3, stride: 1 },
    { name: 'depth 2079 (one-pixel path)', h: 3, w: 3, c: 231, outC: 5, k: 3, stride: 1 },
    { name: '1×1 projection, stride 2', h: 6, w: 6, c: 64, outC: 128, k: 1, stride: 2 },
  ])('$name', ({ h, w, c, outC, k, stride, padding, dilation }) => {
    const g = new GraphBuilder(h * 31 + c);
    const x = g.input([1, h, w, c]);
    const y = g.conv(x, { outC, k, stride, ...(padding ? { padding } : {}), ...(dilation ? { dilation } : {}) });
    const interp = Interpreter.create(g.build(g.dequantize(y)), undefined, { wasm });
    expect(interp.kernels).toBe(wasm ? 'wasm-simd' : 'typescript');
    interp.run(g.inputValues());
    const op = g.ops.find((o) => o.outputs[0] === y) as unknown as { inputs: number[]; options: object };
    expect(Array.from(interp.tensorData(y) as Int8Array)).toEqual(Array.from(referenceConv(g, interp, x, y, op)));
  });
});

describe('registry', () => {
  test('registering an op twice is refused; an op without a kernel is refused at load', () => {
    expect(() => new OpResolver().register(conv2d).register(conv2d)).toThrow(/already registered/);
    const g = new GraphBuilder(3);
    const model = g.build(g.dequantize(g.conv(g.input([1, 4, 4, 2]), { outC: 2, k: 3 })));
    const onlyConv = new OpResolver().register(conv2d);
    expect(() => Interpreter.create(model, onlyConv)).toThrow(TfliteError);
    expect(() => Interpreter.create(model, builtinOps)).not.toThrow();
  });
});

/** ResNet-20 for 32×32 CIFAR-style inputs: 3 stages × 3 basic blocks of 16/32/64 channels. */
function resnet20(seed: number): GraphBuilder & { out: number } {
  const g = new GraphBuilder(seed);
  let x = g.conv(g.input([1, 32, 32, 3]), { outC: 16, k: 3, fused: 'RELU' });
  for (const [stage, channels] of [16, 32, 64].entries()) {
    for (let block = 0; block < 3; block++) {
      const stride = stage > 0 && block === 0 ? 2 : 1;
      const y = g.conv(g.conv(x, { outC: channels, k: 3, stride, fused: 'RELU' }), { outC: channels, k: 3 });
      const shortcut = stride === 2 ? g.conv(x, { outC: channels, k: 1, stride: 2 }) : x;
      x = g.addOp(y, shortcut, 'RELU');
    }
  }
  return Object.assign(g, { out: g.fullyConnected(g.mean(x), 10, false) });
}

test('QUANTIZE: ties round half away from zero, saturation, NaN and ±∞ — the same on both paths', () => {
  const g = new GraphBuilder(3);
  const q = g.input([1, 1, 1, 12], 0.5, 3);
  const model = g.build(g.dequantize(q));
  // x / 0.5: 1.25 → 2.5 → 3; −1.25 → −2.5 → −3; 0.75 → 1.5 → 2; 0.7 → 1.4 → 1; huge values saturate.
  const input = Float32Array.from([1.25, -1.25, 0.75, -0.75, 0.7, -0.7, 0, 1e9, -1e9, NaN, Infinity, -Infinity]);
  const expected = [6, 0, 5, 1, 4, 2, 3, 127, -128, 0, 127, -128];
  for (const wasm of [null, CONV_WASM]) {
    const interp = Interpreter.create(model, undefined, { wasm });
    interp.run(input);
    expect(Array.from(interp.tensorData(q) as Int8Array)).toEqual(expected);
  }
});

test('FULLY_CONNECTED runs on the wasm path as a 1×1 convolution, identical to the TypeScript kernel', () => {
  const g = new GraphBuilder(8);
  const y = g.fullyConnected(g.mean(g.conv(g.input([1, 4, 4, 5]), { outC: 37, k: 1 })), 13, true, 'RELU');
  const model = g.build(g.dequantize(y));
  const input = g.inputValues();
  const ts = Interpreter.create(model, undefined, { wasm: null }),
    simd = Interpreter.create(model, undefined, { wasm: CONV_WASM });
  expect(Array.from(simd.run(input))).toEqual(Array.from(ts.run(input)));
});

test('MAX_POOL_2D gives identical outputs on both paths (16-channel SIMD blocks and a scalar tail)', () => {
  const g = new GraphBuilder(21);
  const x = g.conv(g.input([1, 13, 11, 3]), { outC: 20, k: 7, stride: 2, fused: 'RELU' });
  const y = g.pool('MAX_POOL_2D', x, 3, 2, 'SAME');
  const model = g.build(g.dequantize(y));
  const ts = Interpreter.create(model, undefined, { wasm: null });
  const simd = Interpreter.create(model, undefined, { wasm: CONV_WASM });
  const input = g.inputValues();
  expect(Array.from(simd.run(input))).toEqual(Array.from(ts.run(input)));
  expect(simd.wasmBytes).toBeGreaterThan(0);
  expect(ts.wasmBytes).toBe(0);
});

test('a whole ResNet-20-shaped model gives identical outputs on the TypeScript and WebAssembly paths', () => {
  const g = resnet20(11);
  const model = g.build(g.dequantize(g.out));
  const ts = Interpreter.create(model, undefined, { wasm: null });
  const simd = Interpreter.create(model, undefined, { wasm: CONV_WASM });
  for (let run = 0; run < 3; run++) {
    const input = g.inputValues();
    expect(Array.from(simd.run(input))).toEqual(Array.from(ts.run(input)));
  }
});

describe('performance and memory', () => {
  test('ResNet-20-shaped model at 32×32: latency', () => {
    const g = resnet20(20);
    const interp = Interpreter.create(g.build(g.dequantize(g.out)));
    const input = g.inputValues();
    interp.run(input);
    const runs = 5;
    const start = performance.now();
    for (let i = 0; i < runs; i++) interp.run(input);
    const ms = (performance.now() - start) / runs;
    console.log(
      `ResNet-20-shaped int8, 32×32: ${ms.toFixed(1)} ms per inference (Node, mean of ${runs}); activation arena ${interp.arenaBytes} bytes`,
    );
    expect(ms).toBeLessThan(5000);
  });

  test('ResNet-18 at 224×224: activation buffers are reused, arena stays a few activations', () => {
    const graph = resnet18Graph();
    const interp = Interpreter.create(graph);
    const activationTotal = graph.tensors
      .filter((t) => !t.data)
      .reduce((a, t) => a + t.shape.reduce((p, d) => p * d, 1) * (t.type === 'int8' ? 1 : 4), 0);
    const largest = 112 * 112 * 64;
    console.log(
      `ResNet-18 @224: arena ${interp.arenaBytes} bytes vs ${activationTotal} bytes if every activation had its own buffer`,
    );
    // Peak need: float input + its int8 copy + the stem conv's output (+ the buffers reuse could not fit).
    expect(interp.arenaBytes).toBeLessThan(224 * 224 * 3 * 5 + 3 * largest);
    expect(interp.arenaBytes).toBeLessThan(activationTotal / 2);
  });
});
