// The WebAssembly SIMD path (shared/wasm/conv.wasm) and the pure-TypeScript path of the int8 interpreter give
// bit-identical outputs — logits and every intermediate int8 tensor — on models from the project's own
// quantizer, written to `.tflite` and parsed back: the architectures the LiteRT.js golden tests export
// (ResNet-20, GoogLeNet) plus ResNet-18 (7×7 stem, max-pool, projections) and LeNet (average pool, dense stack).
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import { Interpreter } from '@resnet-edge/shared/tflite/interpreter';
import { writeTflite } from '@resnet-edge/shared/tflite/writer';
import { buildModel } from '../../train/src/models/index.ts';
import { quantizeModel } from '../../train/src/quantize/quantize-model.ts';
import { randomizeBatchNorm } from '../train/helpers/random-bn.ts';
import { rng } from './tflite-fixtures.ts';

const CONV_WASM = new WebAssembly.Module(readFileSync(new URL('../../shared/wasm/conv.wasm', import.meta.url)));

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe.each([
  ['resnet20', [28, 28, 1]],
  ['googlenet', [32, 32, 3]],
  ['resnet18', [32, 32, 3]],
  ['lenet', [28, 28, 1]],
] as const)('%s from the quantizer', (arch, inputShape) => {
  test('TypeScript and wasm SIMD paths agree bit for bit on every int8 tensor', () => {
    const model = buildModel(arch, { inputShape: [...inputShape], numClasses: 10 });
    randomizeBatchNorm(model);
    const calibration = tf.randomUniform([4, ...inputShape], -1, 1, 'float32', 7) as tf.Tensor4D;
    const bytes = writeTflite(quantizeModel(model, calibration, { calibration: { method: 'minmax' } }).graph);
    calibration.dispose();
    model.dispose();

    const ts = Interpreter.create(bytes, undefined, { wasm: null, keepActivations: true });
    const simd = Interpreter.create(bytes, undefined, { wasm: CONV_WASM, keepActivations: true });
    expect([ts.kernels, simd.kernels]).toEqual(['typescript', 'wasm-simd']);
    const activations = ts.graph.tensors.flatMap((t, i) => (t.data ? [] : [i]));
    const random = rng(5);
    const size = (inputShape as readonly number[]).reduce((a, d) => a * d, 1);
    // Random images in and beyond the calibrated range, so requantization also saturates.
    for (const amplitude of [1, 1, 3]) {
      const input = Float32Array.from({ length: size }, () => (random() * 2 - 1) * amplitude);
      expect(Array.from(simd.run(input))).toEqual(Array.from(ts.run(input)));
      for (const i of activations) {
        const a = ts.tensorData(i),
          b = simd.tensorData(i);
        if (!a.every((v, k) => v === b[k]))
          expect.fail(`tensor ${i} '${ts.graph.tensors[i]!.name}' differs between the paths`);
      }
    }
  });
});
