// The int8 graph follows TFLite's quantization conventions, op by op.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import type { GraphIR, OpIR, TensorIR } from '@resnet-edge/shared/tflite/ir';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel, type BuildOptions } from '../../train/src/models/index.ts';
import {
  activationParams,
  hwioToOhwi,
  quantizeBias,
  quantizeWeights,
  transpose2d,
} from '../../train/src/quantize/quant-math.ts';
import { quantizeModel } from '../../train/src/quantize/quantize-model.ts';
import { randomizeBatchNorm } from './helpers/random-bn.ts';
import { withSeededMathRandom } from '../../train/src/training/rng.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('quantization arithmetic', () => {
  it('activation ranges always contain zero, and zero is exactly representable', () => {
    for (const r of [
      { min: 0, max: 6 },
      { min: -3, max: 5 },
      { min: 2, max: 9 },
      { min: -4, max: -1 },
    ]) {
      const p = activationParams(r);
      expect(p.zeroPoint).toBeGreaterThanOrEqual(-128);
      expect(p.zeroPoint).toBeLessThanOrEqual(127);
      expect(Number.isInteger(p.zeroPoint)).toBe(true);
      // −128 and 127 map back to the ends of the (zero-extended) range within half a step.
      expect(Math.abs(p.scale * (-128 - p.zeroPoint) - Math.min(0, r.min))).toBeLessThanOrEqual(p.scale / 2 + 1e-9);
      expect(Math.abs(p.scale * (127 - p.zeroPoint) - Math.max(0, r.max))).toBeLessThanOrEqual(p.scale / 2 + 1e-9);
    }
    expect(activationParams({ min: 0, max: 6 }).zeroPoint).toBe(-128);
  });

  it('weights are symmetric per output channel: each channel’s largest magnitude maps to ±127', () => {
    const w = Float32Array.from([0.5, -1, 0.25, /* channel 1 */ 0.03, 0.01, -0.04]);
    const q = quantizeWeights(w, 2);
    expect(q.scales[0]).toBeCloseTo(1 / 127, 9);
    expect(q.scales[1]).toBeCloseTo(0.04 / 127, 9);
    expect(Array.from(q.data)).toEqual([64, -127, 32, 95, 32, -127]);
    // One channel = per-tensor: the largest magnitude of the whole tensor.
    expect(quantizeWeights(w, 1).scales).toEqual([1 / 127]);
  });

  it('bias is int32 with scale = input scale × weight scale of its channel', () => {
    const b = quantizeBias(Float32Array.from([0.3, -0.02]), 0.1, [0.01, 0.002]);
    expect(b.scales[0]).toBeCloseTo(0.001, 12);
    expect(b.scales[1]).toBeCloseTo(0.0002, 12);
    expect(Array.from(b.data)).toEqual([300, -100]);
  });

  it('reorders HWIO → OHWI and [in, out] → [out, in]', () => {
    // kh=1, kw=2, in=2, out=3: value = 100h + 10w·… encode (w, i, o) as w*100 + i*10 + o.
    const hwio = Float32Array.from({ length: 12 }, (_, k) => {
      const o = k % 3,
        i = Math.floor(k / 3) % 2,
        w = Math.floor(k / 6);
      return w * 100 + i * 10 + o;
    });
    const ohwi = hwioToOhwi(hwio, [1, 2, 2, 3]);
    // OHWI index ((o*1 + 0)*2 + w)*2 + i
    expect(ohwi[((2 * 1 + 0) * 2 + 1) * 2 + 0]).toBe(100 + 0 + 2);
    expect(Array.from(transpose2d(Float32Array.from([1, 2, 3, 4, 5, 6]), 2, 3))).toEqual([1, 4, 2, 5, 3, 6]);
  });
});

function quantized(
  arch: string,
  opts: BuildOptions,
): { graph: GraphIR; tensor: (i: number) => TensorIR; ops: (name: OpIR['op']) => OpIR[] } {
  const model = buildModel(arch, opts);
  randomizeBatchNorm(model);
  const images = tf.randomUniform([4, ...opts.inputShape], 0, 1, 'float32', 3) as tf.Tensor4D;
  const { graph } = quantizeModel(model, images, { calibration: { method: 'minmax' } });
  images.dispose();
  model.dispose();
  return { graph, tensor: (i) => graph.tensors[i]!, ops: (name) => graph.ops.filter((o) => o.op === name) };
}

describe('buildInt8Graph', () => {
  it('ResNet-20: float input → QUANTIZE … DEQUANTIZE → float logits, BN folded, ReLU fused', () => {
    const { graph, tensor, ops } = quantized('resnet20', { inputShape: [28, 28, 1], numClasses: 10 });
    expect(graph.ops[0]!.op).toBe('QUANTIZE');
    expect(graph.ops.at(-1)!.op).toBe('DEQUANTIZE');
    expect(tensor(graph.inputs[0]!)).toMatchObject({ type: 'float32', shape: [1, 28, 28, 1] });
    expect(tensor(graph.outputs[0]!)).toMatchObject({ type: 'float32', shape: [1, 10] });
    // 19 convs + 2 projections, 9 residual adds, GAP, the classifier; nothing else.
    expect(ops('CONV_2D').length).toBe(21);
    expect(ops('ADD').length).toBe(9);
    expect(ops('ADD').every((o) => o.op === 'ADD' && o.options.fusedActivation === 'RELU')).toBe(true);
    expect(ops('MEAN').length).toBe(1);
    expect(ops('FULLY_CONNECTED').length).toBe(1);
    expect(graph.ops.length).toBe(1 + 21 + 9 + 1 + 1 + 1);
  });

  it('conv weights are OHWI int8, per-channel on dimension 0; bias int32 at input × weight scale', () => {
    const { ops, tensor } = quantized('resnet20', { inputShape: [28, 28, 1], numClasses: 10 });
    for (const op of ops('CONV_2D')) {
      if (op.op !== 'CONV_2D') continue;
      const [x, f, b] = op.inputs.map(tensor) as [TensorIR, TensorIR, TensorIR];
      const [o, kh, kw, ci] = f.shape as [number, number, number, number];
      expect(x.shape[3]).toBe(ci);
      expect(f.type).toBe('int8');
      expect(f.data).toBeInstanceOf(Int8Array);
      expect(f.quant!.quantizedDimension).toBe(0);
      expect(f.quant!.scale.length).toBe(o);
      expect(f.quant!.zeroPoint.every((z) => z === 0)).toBe(true);
      expect(Math.min(...(f.data as Int8Array))).toBeGreaterThanOrEqual(-127);
      expect(b).toMatchObject({ type: 'int32', shape: [o] });
      b.quant!.scale.forEach((s, c) => expect(s).toBeCloseTo(x.quant!.scale[0]! * f.quant!.scale[c]!, 12));
      expect(kh * kw).toBeGreaterThan(0);
      // A fused ReLU output starts at zero: its zero point is the int8 minimum.
      if (op.options.fusedActivation === 'RELU') expect(tensor(op.outputs[0]).quant!.zeroPoint[0]).toBe(-128);
    }
  });

  it('the classifier is FULLY_CONNECTED with [out, in] int8 weights and a MEAN over axes [1, 2] before it', () => {
    const { ops, tensor } = quantized('resnet20', { inputShape: [28, 28, 1], numClasses: 10 });
    const mean = ops('MEAN')[0]!;
    expect(Array.from(tensor(mean.inputs[1]!).data!)).toEqual([1, 2]);
    const fc = ops('FULLY_CONNECTED')[0]!;
    expect(tensor(fc.inputs[1]!).shape).toEqual([10, 64]);
    expect(tensor(fc.outputs[0]).name).toBe('predictions');
  });

  it('max-pool keeps its input’s quantization (ResNet-18 stem)', () => {
    const { ops, tensor } = quantized('resnet18', { inputShape: [32, 32, 3], numClasses: 10 });
    const pool = ops('MAX_POOL_2D')[0]!;
    expect(tensor(pool.outputs[0]).quant).toEqual(tensor(pool.inputs[0]!).quant);
  });

  it('GoogLeNet: every concatenation input shares the output’s scale and zero point', () => {
    const { ops, tensor } = quantized('googlenet', { inputShape: [32, 32, 3], numClasses: 10 });
    expect(ops('CONCATENATION').length).toBe(9);
    for (const op of ops('CONCATENATION')) {
      for (const i of op.inputs) expect(tensor(i).quant).toEqual(tensor(op.outputs[0]).quant);
    }
  });

  it('LeNet: average pooling and the flatten reshape keep their input’s quantization', () => {
    const { ops, tensor } = quantized('lenet', { inputShape: [28, 28, 1], numClasses: 10 });
    for (const op of [...ops('AVERAGE_POOL_2D'), ...ops('RESHAPE')])
      expect(tensor(op.outputs[0]).quant).toEqual(tensor(op.inputs[0]!).quant);
    expect(ops('FULLY_CONNECTED').length).toBe(3);
  });
});

describe('every architecture family quantizes', () => {
  it.each([
    ['googlenet', 32],
    ['alexnet', 57],
    // VGG-16 and ResNet-50 use the same ops as AlexNet and ResNet-18 but take ~4× longer to quantize here.
    ['resnet18', 32],
    ['plain20', 28],
    ['lenet', 28],
  ] as const)(
    '%s: int8 logits of the written .tflite, run by the shared interpreter, stay within 5 percent of float',
    async (arch, size) => {
      const { int8Logits } = await import('../../train/src/quantize/accuracy.ts');
      const { writeTflite } = await import('@resnet-edge/shared/tflite/writer');
      // Seeded, so the margin below is the same on every run (TF.js initialisers draw from Math.random).
      const model = withSeededMathRandom(Number(process.env.QUANT_TEST_SEED ?? 1), () =>
        buildModel(arch, { inputShape: [size, size, 3], numClasses: 10 }),
      );
      randomizeBatchNorm(model);
      const x = tf.randomUniform([8, size, size, 3], -1, 1, 'float32', 5) as tf.Tensor4D;
      const { graph } = quantizeModel(model, x, { calibration: { method: 'minmax' } });
      const err = tf.tidy(() => {
        const f = model.predict(x) as tf.Tensor;
        return tf.div(tf.norm(tf.sub(f, int8Logits(writeTflite(graph))(x))), tf.norm(f)).dataSync()[0]!;
      });
      if (process.env.QUANT_TEST_SEED) console.log(`${arch} seed ${process.env.QUANT_TEST_SEED}: ${err.toFixed(4)}`);
      expect(err).toBeLessThan(0.05);
      x.dispose();
      model.dispose();
    },
  );
});
